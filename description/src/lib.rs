//! The typed description: what a valid security description *means*, with every
//! default applied, in types where the states the rules forbid cannot be written (one
//! transport binding, one context, a bootstrap without a context, only what the runtime
//! executes).
//!
//! The compiler (`wsbind-compiler`) produces it — the generated code builds it as a
//! `const`, and loading TOML at run time builds it through the compiler — and the
//! runtime (`wsbind-proto` and `wsbind-http`, as `wsbind::description`) executes it; neither owns it, and
//! the runtime never re-checks what the compiler proved. It depends on nothing (the JSON
//! Schema impls of its values are behind the `schema` feature, which only the compiler
//! turns on).
#![forbid(unsafe_code)]

mod values;
pub mod vocabulary;

pub use values::*;
pub use vocabulary::Vocabulary;

/// The shortest symmetric key (bits) the wsbind runtime accepts anywhere; the compiler
/// refuses descriptions that ask for less (WSB0040).
pub const MIN_KEY_BITS: u32 = 128;
/// The longest symmetric key (bits) the wsbind runtime accepts anywhere.
pub const MAX_KEY_BITS: u32 = 1024;

use std::borrow::Cow;
use std::time::Duration;

/// The longest duration a description may give (365 days): the compiler refuses
/// longer ones (WSB0034) and the engine refuses a configuration that holds one. Every
/// interval is added to the present time and written as an `xsd:dateTime`, which must
/// stay within year 9999; and no context, key or timestamp should live longer than
/// a year (WCF's and WWSAPI's defaults are hours and minutes).
pub const MAX_DURATION: Duration = Duration::from_secs(365 * 24 * 3600);

/// A complete, valid security description for the wsbind runtime.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Description {
    /// The channel type, when the description declares one.
    pub channel_type: Option<ChannelType>,
    /// The SOAP version (WS_CHANNEL_PROPERTY_ENVELOPE_VERSION), when the description
    /// names one; a client sends it and a server accepts no other. Left out: SOAP 1.2
    /// sent, each version answered in its own.
    pub envelope: Option<EnvelopeVersion>,
    /// The WS-Addressing version (WS_CHANNEL_PROPERTY_ADDRESSING_VERSION), as
    /// `envelope` is.
    pub addressing: Option<AddressingVersion>,
    /// Which side(s) the description is for.
    pub role: Role,
    /// The security of the http channel.
    pub security: Security,
}

/// A security description: how the channel and its messages are protected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Security {
    /// Transport-level and supporting bindings, and the security properties.
    pub protection: Protection,
    /// The security context binding, if any (at most one: WSB0003).
    pub context: Option<SecurityContext>,
}

/// Everything a security description holds besides a security context: the shape of a
/// bootstrap description, which can hold no context (WSB0006).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Protection {
    pub properties: Properties,
    /// SSL transport security (https).
    pub ssl: Option<SslTransport>,
    /// HTTP header authentication (basic).
    pub header_auth: Option<HeaderAuth>,
    /// A username token on each message (the credentials are the application's).
    pub username: bool,
    /// A Kerberos AP-REQ (`kerberos-apreq`): in a bootstrap, the client's credential.
    pub kerberos: bool,
}

/// Security description properties (WS_SECURITY_PROPERTY_ID), defaults applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Properties {
    pub transport_protection_level: ProtectionLevel,
    pub timestamp_usage: TimestampUsage,
    pub algorithm_suite: AlgorithmSuite,
    pub max_allowed_latency: Duration,
    pub timestamp_validity_duration: Duration,
    pub max_allowed_clock_skew: Duration,
    pub security_header_layout: HeaderLayout,
    pub security_header_version: HeaderVersion,
    /// Identities the service accepts to be known by (server).
    pub service_identities: Cow<'static, [Cow<'static, str>]>,
}

/// The algorithms in effect (named suite resolved, or the explicit one).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AlgorithmSuite {
    /// The suite's name, when it was named (or defaulted).
    pub name: Option<SuiteName>,
    pub digest: Digest,
    pub symmetric_signature: SymmetricSignature,
    /// Minimum symmetric key length, bits.
    pub min_symmetric_key_bits: u32,
    /// Maximum symmetric key length, bits.
    pub max_symmetric_key_bits: u32,
}

/// SSL transport security binding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SslTransport {
    /// Server: ask the client for a certificate.
    pub require_client_certificate: bool,
    /// Client: presents a TLS certificate (wsbind's `wsbind-client-certificate`).
    pub client_certificate: bool,
    /// Client: certificate problems tolerated.
    pub cert_failures_to_ignore: CertFailures,
    /// Client: skip the revocation check.
    pub disable_cert_revocation_check: bool,
}

/// A set of certificate failures.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CertFailures {
    pub cn_invalid: bool,
    pub date_invalid: bool,
    pub unknown_ca: bool,
    pub wrong_usage: bool,
    pub revocation_offline: bool,
}

/// HTTP header authentication, with the schemes the runtime executes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HeaderAuth {
    /// Client: may try without credentials first.
    pub allow_none: bool,
    /// The basic scheme is offered/required.
    pub basic: bool,
    /// Server: the realm of the basic challenge.
    pub basic_realm: Option<Cow<'static, str>>,
}

/// The security context binding (WS_SECURITY_CONTEXT_MESSAGE_SECURITY_BINDING).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecurityContext {
    /// Key size in bits; `None`: the issuer decides.
    pub key_size: Option<u32>,
    pub key_entropy_mode: KeyEntropyMode,
    pub secure_conversation_version: ScVersion,
    pub support_renew: bool,
    /// Client: renew after this long. Server: the context lifetime.
    pub renewal_interval: Duration,
    /// How long the old key is still accepted after a renewal.
    pub rollover_interval: Duration,
    /// Server: contexts being negotiated at once.
    pub max_pending_contexts: u32,
    /// Server: live contexts at once.
    pub max_active_contexts: u32,
    /// How messages protected by the context are signed (wsbind's `wsbind-signature`;
    /// default: MS-LWSSP).
    pub signature_profile: SignatureProfile,
    /// Client: whether closing the channel cancels the context (wsbind's
    /// `wsbind-send-cancel`; default true). WCF services with cookie contexts
    /// advertise `mssp:MustNotSendCancel` and expect none.
    pub send_cancel: bool,
    /// The WS-Addressing headers a request's signature covers besides the Timestamp
    /// (wsbind's `wsbind-signed-headers`; MS-LWSSP profile only; default none): what a
    /// policy's `sp:SignedParts` in its endorsing supporting tokens asks, e.g. `To` in
    /// WCF's interop export. Never more than that: .NET Framework refuses a signature
    /// with a reference it does not expect.
    pub signed_headers: Cow<'static, [AddressingHeader]>,
    /// What secures the negotiation.
    pub bootstrap: Protection,
}

impl Description {
    /// Whether the description is used by clients.
    pub fn for_client(&self) -> bool {
        self.role != Role::Server
    }
    /// Whether the description is used by servers.
    pub fn for_server(&self) -> bool {
        self.role != Role::Client
    }
}

impl Protection {
    /// Whether this part of the description authenticates with a username token.
    pub fn uses_username(&self) -> bool {
        self.username
    }
}

impl Security {
    /// Whether a username credential is needed anywhere (messages or bootstrap).
    pub fn needs_username(&self) -> bool {
        self.protection.username || self.context.as_ref().is_some_and(|c| c.bootstrap.username)
    }
    /// Whether the security context's bootstrap authenticates with a Kerberos AP-REQ.
    pub fn needs_kerberos(&self) -> bool {
        self.protection.kerberos || self.context.as_ref().is_some_and(|c| c.bootstrap.kerberos)
    }
    /// Whether basic header credentials are needed anywhere.
    pub fn needs_basic(&self) -> bool {
        let basic = |p: &Protection| p.header_auth.as_ref().is_some_and(|h| h.basic);
        basic(&self.protection) || self.context.as_ref().is_some_and(|c| basic(&c.bootstrap))
    }
    /// Whether TLS is used anywhere.
    /// Whether a server requires client certificates (any ssl-transport with
    /// `require-client-certificate`).
    pub fn needs_client_certificate(&self) -> bool {
        let required =
            |p: &Protection| p.ssl.as_ref().is_some_and(|s| s.require_client_certificate);
        required(&self.protection)
            || self
                .context
                .as_ref()
                .is_some_and(|c| required(&c.bootstrap))
    }
    /// Whether a client presents a TLS certificate (any ssl-transport with
    /// `wsbind-client-certificate`).
    pub fn presents_client_certificate(&self) -> bool {
        let presents = |p: &Protection| p.ssl.as_ref().is_some_and(|s| s.client_certificate);
        presents(&self.protection)
            || self
                .context
                .as_ref()
                .is_some_and(|c| presents(&c.bootstrap))
    }
    pub fn needs_tls(&self) -> bool {
        self.protection.ssl.is_some()
            || self
                .context
                .as_ref()
                .is_some_and(|c| c.bootstrap.ssl.is_some())
    }
}
