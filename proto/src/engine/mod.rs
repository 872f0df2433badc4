//! The sans-IO negotiation engine: a client and a server state machine that take
//! bytes and a clock and return bytes to send and events. No sockets, threads, timers
//! or hidden clocks: the caller passes `now` to every call and injects randomness, so a
//! whole handshake runs in memory, deterministically (see `tests/engine.rs`).
//!
//! Negotiation follows WS-SecureConversation over WS-Trust: the client sends an RST
//! (Issue) secured by the bootstrap (SSL transport, plus a username token when the
//! description says so); the server authenticates it, issues an SCT with key material
//! per the entropy mode and answers with an RSTR (WS-Trust 1.3: inside an RSTR
//! collection). Application messages are then protected with the context as the wire
//! profile says ([`crate::security`]; by default MS-LWSSP's: one HMAC by the context's
//! key over the request's Timestamp). Renew and Cancel are RSTs protected by the context.
//!
//! A description without a security context ([`Config::no_context`]) runs through the
//! same engines with nothing to negotiate: under a username on every message each
//! request carries the bootstrap's security header (a Timestamp and the UsernameToken,
//! MS-LWSSP §4.1), the server validates the user on every request, and a reply carries a
//! Timestamp; under TLS alone no message carries a security header, and the client is
//! who TLS (its certificate) or HTTP basic authentication says.

mod call;
pub(crate) mod client;
mod message;
pub(crate) mod server;

use crate::security::profile::{HeaderSet, Profile, Signing};
pub use call::ClientCall;

pub use client::{
    issue_entropy, issue_request, read_issue_response, BootstrapCredential, ClientEngine,
    ClientEvent, Negotiation, Purpose, Request,
};
pub use server::{Incoming, ServerEngine, ServerEvent, ServerRequest, ServerStats};

use crate::description::{KeyEntropyMode, TimestampUsage};
use crate::envelope::{Framing, TimeError};
use crate::keys::KeyError;
use crate::security::{Acceptance, FaultCode, ReceivedFault, SecurityError, Suite, Unsupported};
use crate::trust::TrustError;
use crate::wire::{self, Addressing, Sc, Soap};
use crate::xml::dom::XmlError;
use crate::Description;
use std::time::Duration;

/// What the engine needs from a description, resolved once.
#[derive(Debug, Clone)]
pub struct Config {
    pub sc: &'static Sc,
    /// How protected messages are signed in each direction (the description's
    /// `wsbind-signature`; MS-LWSSP by default): chosen here, once.
    pub profile: &'static Profile,
    /// The addressing headers requests' signatures also cover (the description's
    /// `wsbind-signed-headers`; see [`request_signing`](Self::request_signing)).
    pub signed_headers: HeaderSet,
    /// The SOAP and WS-Addressing versions sent.
    pub framing: Framing,
    /// The versions a server accepts: those the description names (`None`: any, each
    /// message answered in its own).
    pub accepted: AcceptedFraming,
    pub suite: Suite,
    /// What this side accepts in protected messages.
    pub policy: Acceptance,
    pub entropy: KeyEntropyMode,
    /// Key size the client asks for / the server issues, bits.
    pub key_bits: u32,
    /// Smallest and largest key the suite allows, bits.
    pub min_key_bits: u32,
    pub max_key_bits: u32,
    pub support_renew: bool,
    /// Client: closing the channel cancels the context (the description's
    /// `wsbind-send-cancel`).
    pub send_cancel: bool,
    /// Client: renew (or re-negotiate) this long after the context was issued.
    /// Server: the lifetime of a context it issues.
    pub renewal_interval: Duration,
    /// After a renewal, how long the previous key is still accepted.
    pub rollover_interval: Duration,
    /// How long the timestamps this side writes are valid.
    pub timestamp_validity: Duration,
    /// Server: live contexts at once.
    pub max_active_contexts: u32,
    /// Server: contexts issued and not yet used by any message, at once.
    pub max_pending_contexts: u32,
    /// Which messages carry a timestamp; wsbind always sends one, and requires one
    /// from the peer as this says (`requests-only`: on requests, not on replies).
    pub timestamp_usage: TimestampUsage,
    /// The bootstrap carries a username token.
    pub username_bootstrap: bool,
    /// The bootstrap carries a Kerberos AP-REQ and a signature by its session key.
    pub kerberos_bootstrap: bool,
    /// Server: the service principal names a Kerberos ticket may be for (the
    /// description's `service-identities`; empty: any the acceptor's keytab holds).
    pub service_identities: Vec<String>,
    /// `Some`: the description has no security context, and this says how requests
    /// are secured instead; the context's settings above are unused.
    pub no_context: Option<NoContext>,
}

/// How a description without a security context secures its messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoContext {
    /// Every request carries the bootstrap's security header (a Timestamp and a
    /// UsernameToken with a text password, MS-LWSSP §4.1), every reply a Timestamp,
    /// and TLS protects both (WWSAPI's `WS_HTTP_SSL_USERNAME_BINDING_TEMPLATE`; WCF's
    /// TransportWithMessageCredential with `UserName` and no `establishSecurityContext`).
    UsernameEveryMessage,
    /// TLS alone, no security header (WWSAPI's `WS_HTTP_SSL_BINDING_TEMPLATE` and
    /// `WS_HTTP_SSL_HEADER_AUTH_BINDING_TEMPLATE`; WCF's Transport security): the
    /// client is who its TLS certificate or its HTTP basic credentials say, when the
    /// description asks for one, and anonymous otherwise.
    Transport,
}

impl Config {
    /// How requests are signed: the profile's way, and the headers the description
    /// names besides.
    pub fn request_signing(&self) -> Signing {
        Signing {
            headers: self.signed_headers,
            ..self.profile.request
        }
    }

    /// Server: how long after its expiry a context may still be renewed. A server
    /// answers a message under an expired context with `RenewNeeded`, which tells the
    /// client to renew it (WS-SecureConversation); that Renew is signed with the
    /// expired key, so the server must still know it. The grace is the clock skew this
    /// side allows (5 minutes by default, as in WCF): the client renews at nine tenths
    /// of the lifetime, so an expiry only reaches it when the two clocks or lifetimes
    /// disagree, by about that much. Beyond it the client negotiates a new context.
    pub fn renew_grace(&self) -> Duration {
        self.policy.clock_skew
    }

    /// Refuses durations longer than [`crate::description::MAX_DURATION`] (the
    /// compiler refuses them in descriptions, WSB0034; a `Config` built by hand gets
    /// the same check when an engine is made from it). Each is added to the present
    /// time, and a time past year 9999 cannot be written as an `xsd:dateTime`.
    pub fn check(&self) -> Result<(), StateError> {
        let durations = [
            ("renewal-interval", Some(self.renewal_interval)),
            ("rollover-interval", Some(self.rollover_interval)),
            ("timestamp-validity-duration", Some(self.timestamp_validity)),
            ("max-allowed-clock-skew", Some(self.policy.clock_skew)),
            ("max-allowed-latency", self.policy.max_latency),
        ];
        for (name, value) in durations {
            if let Some(d) = value.filter(|d| *d > crate::description::MAX_DURATION) {
                return Err(StateError::Duration {
                    name,
                    seconds: d.as_secs(),
                });
            }
        }
        Ok(())
    }
}

/// The envelope versions a server accepts (see [`Config::accepted`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AcceptedFraming {
    pub soap: Option<Soap>,
    pub addressing: Option<Addressing>,
}

impl AcceptedFraming {
    /// Whether a message in `soap` with `addressing` (`None`: no WS-Addressing header)
    /// is accepted; refused: why.
    pub fn check(&self, soap: Soap, addressing: Option<Addressing>) -> Result<(), Mismatch> {
        if let Some(want) = self.soap.filter(|w| *w != soap) {
            return Err(Mismatch::Version {
                found: soap.name(),
                expected: want.name(),
            });
        }
        match (self.addressing, addressing) {
            // Addressed by the transport: a message with WS-Addressing headers is
            // understood all the same.
            (Some(Addressing::Transport), _) => Ok(()),
            (Some(want), Some(found)) if want != found => Err(Mismatch::Version {
                found: found.name(),
                expected: want.name(),
            }),
            (Some(want), None) => Err(Mismatch::Version {
                found: "without WS-Addressing",
                expected: want.name(),
            }),
            _ => Ok(()),
        }
    }
}

/// The framing a description names: (sent, accepted), or why the engine cannot.
fn described_framing(d: &Description) -> Result<(Framing, AcceptedFraming), EngineError> {
    use crate::description::{AddressingVersion as A, EnvelopeVersion as E};
    let soap = match d.envelope {
        None => None,
        Some(E::Soap11) => Some(Soap::V11),
        Some(E::Soap12) => Some(Soap::V12),
        Some(E::None) => return Err(Unsupported::Framing("envelope-version = \"none\"").into()),
    };
    let addressing = match d.addressing {
        None => None,
        Some(A::V09) => Some(Addressing::Aug2004),
        Some(A::V10) => Some(Addressing::V10),
        Some(A::Transport) => Some(Addressing::Transport),
    };
    Ok((
        Framing {
            soap: soap.unwrap_or(Soap::V12),
            addressing: addressing.unwrap_or(Addressing::V10),
        },
        AcceptedFraming { soap, addressing },
    ))
}

/// The key size wsbind asks for when the description leaves it to the issuer.
pub const DEFAULT_KEY_BITS: u32 = 256;

impl Config {
    /// The engine configuration of a description with a security context binding.
    /// The envelope is the description's (`[channel]`'s `envelope-version` and
    /// `addressing-version`; left out: SOAP 1.2 with WS-Addressing 1.0, WWSAPI's
    /// default) unless `framing` overrides it; a server accepts only the versions the
    /// description names (the override's, where one is given), any version otherwise.
    pub fn from_description(
        d: &Description,
        framing: Option<Framing>,
    ) -> Result<Config, EngineError> {
        let props = &d.security.protection.properties;
        let suite = Suite::from_description(&props.algorithm_suite)?;
        let mut policy = Acceptance::from_description(d)?;
        let min = props.algorithm_suite.min_symmetric_key_bits;
        let max = props.algorithm_suite.max_symmetric_key_bits;
        let (described, mut accepted) = described_framing(d)?;
        if let Some(f) = framing {
            // The override stands for what the description names, both ways.
            accepted.soap = accepted.soap.map(|_| f.soap);
            accepted.addressing = accepted.addressing.map(|_| f.addressing);
        }
        let framing = framing.unwrap_or(described);
        let Some(ctx) = d.security.context.as_ref() else {
            // No context: a username on every message over TLS, or TLS alone (see
            // `NoContext`). The context's settings are unused.
            if d.security.protection.kerberos {
                return Err(Unsupported::KerberosOnEveryMessage.into());
            }
            let no_context = match (&d.security.protection.ssl, d.security.protection.username) {
                (None, _) => return Err(EngineError::NoContextBinding),
                (Some(_), true) => NoContext::UsernameEveryMessage,
                (Some(_), false) => NoContext::Transport,
            };
            if no_context == NoContext::Transport {
                // No message security: no message carries a Timestamp.
                policy.require_timestamp = false;
            }
            let config = Config {
                sc: wire::sc(crate::description::ScVersion::V1_3),
                profile: Profile::of(crate::description::SignatureProfile::MsLwssp),
                signed_headers: HeaderSet::NONE,
                framing,
                accepted,
                suite,
                policy,
                entropy: KeyEntropyMode::Combined,
                key_bits: DEFAULT_KEY_BITS.clamp(min, max),
                min_key_bits: min,
                max_key_bits: max,
                support_renew: false,
                send_cancel: false,
                renewal_interval: Duration::ZERO,
                rollover_interval: Duration::ZERO,
                timestamp_validity: props.timestamp_validity_duration,
                max_active_contexts: 0,
                max_pending_contexts: 0,
                timestamp_usage: props.timestamp_usage,
                username_bootstrap: false,
                kerberos_bootstrap: false,
                service_identities: Vec::new(),
                no_context: Some(no_context),
            };
            config.check()?;
            return Ok(config);
        };
        if d.security.protection.username {
            // A username token on every application message, beside the context: the
            // engine authenticates once, in the bootstrap.
            return Err(Unsupported::UsernameOnEveryMessage.into());
        }
        if d.security.protection.kerberos {
            return Err(Unsupported::KerberosOnEveryMessage.into());
        }
        if framing.addressing == Addressing::Transport {
            // WS-Trust's exchanges are told apart by their WS-Addressing action.
            return Err(Unsupported::Framing(
                "addressing-version = \"transport\" with a security context",
            )
            .into());
        }
        policy.versions = vec![ctx.secure_conversation_version];
        let config = Config {
            sc: wire::sc(ctx.secure_conversation_version),
            profile: Profile::of(ctx.signature_profile),
            signed_headers: HeaderSet::of(&ctx.signed_headers),
            framing,
            accepted,
            suite,
            policy,
            entropy: ctx.key_entropy_mode,
            key_bits: ctx.key_size.unwrap_or(DEFAULT_KEY_BITS.clamp(min, max)),
            min_key_bits: min,
            max_key_bits: max,
            support_renew: ctx.support_renew,
            send_cancel: ctx.send_cancel,
            renewal_interval: ctx.renewal_interval,
            rollover_interval: ctx.rollover_interval,
            timestamp_validity: props.timestamp_validity_duration,
            max_active_contexts: ctx.max_active_contexts,
            max_pending_contexts: ctx.max_pending_contexts,
            timestamp_usage: props.timestamp_usage,
            username_bootstrap: ctx.bootstrap.username,
            kerberos_bootstrap: ctx.bootstrap.kerberos,
            service_identities: props
                .service_identities
                .iter()
                .chain(ctx.bootstrap.properties.service_identities.iter())
                .map(|s| s.to_string())
                .collect(),
            no_context: None,
        };
        config.check()?;
        Ok(config)
    }
}

/// Why the engine could not go on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EngineError {
    #[error("the description has no security context binding")]
    NoContextBinding,
    #[error(transparent)]
    Unsupported(#[from] Unsupported),
    #[error("the message is not accepted: {0}")]
    Security(#[from] SecurityError),
    #[error("the negotiation message is not valid: {0}")]
    Trust(#[from] TrustError),
    #[error("the message is not well-formed XML: {0}")]
    Xml(#[from] XmlError),
    #[error(transparent)]
    Key(#[from] KeyError),
    #[error(transparent)]
    Time(#[from] TimeError),
    #[error("the peer answered with a fault: {0}")]
    Fault(ReceivedFault),
    #[error("the message does not fit the exchange: {0}")]
    Unexpected(#[from] Mismatch),
    #[error(transparent)]
    State(#[from] StateError),
    #[error("the client's credentials were rejected (authentication failed)")]
    Authentication,
    #[error("no Kerberos AP-REQ for the bootstrap: {0}")]
    Kerberos(crate::credentials::Rejected),
    #[error("the server holds the most contexts it may ({0}); try again later")]
    TooManyContexts(u32),
    #[error("this endpoint does not renew contexts (support-renew is off)")]
    RenewNotSupported,
    #[error("the server has {0} issued contexts that are still unused; try again later")]
    TooManyPending(u32),
    #[error("`{identity}` holds {held} contexts, its share of this server's; try again later")]
    IdentityShare { identity: String, held: usize },
    #[error(transparent)]
    Protect(#[from] crate::security::protect::ProtectError),
}

/// A negotiation message, reply or request that does not fit the exchange it is part
/// of: one variant per check. Peer text in it is bounded ([`peer_text`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Mismatch {
    #[error("the Body must hold exactly one element")]
    BodyNotOneElement,
    #[error("the message has no wsa:Action")]
    NoAction,
    #[error("the response's action is {}, not {expected}", found.as_deref().unwrap_or("missing"))]
    Action {
        found: Option<String>,
        expected: String,
    },
    /// The description names one SOAP or WS-Addressing version, and the message is in
    /// another (or, for addressing, has none).
    #[error("the message is {found}; this endpoint's description accepts {expected} only")]
    Version {
        found: &'static str,
        expected: &'static str,
    },
    #[error("the response relates to {}, not to the request {request}", found.as_deref().unwrap_or("nothing"))]
    RelatesTo {
        found: Option<String>,
        request: String,
    },
    #[error("the action {action} does not match the request type")]
    ActionForRequestType { action: String },
    #[error("the cancel response does not say the token was cancelled")]
    NotCancelled,
    #[error("the response holds no security context token")]
    NoToken,
    #[error("the renewed token has another identifier")]
    RenewedIdentifier,
    #[error("the issued context has already expired")]
    AlreadyExpired,
    #[error("the renew or cancel target is not the context that protected the request")]
    ForeignTarget,
    #[error("the bootstrap carries a username token the description does not use")]
    UnexpectedUsername,
    #[error("{action} asks for a security context; this endpoint has none (a username on every message)")]
    NoSecurityContext { action: String },
    #[error("the request uses another WS-SecureConversation generation")]
    Generation,
    #[error("the issuer chose a {bits}-bit key; the suite allows {min}..={max} bits")]
    IssuedKeySize { bits: u32, min: u32, max: u32 },
    #[error("a {bits}-bit key was requested; this endpoint issues {min}..={max} bits")]
    RequestedKeySize { bits: u32, min: u32, max: u32 },
    #[error("the client's entropy has {got} bytes; a {bits}-bit key needs {need}")]
    EntropyLength { got: usize, bits: u32, need: usize },
    #[error("this endpoint's key entropy mode is {mode}, but the request {}", if *carries { "carries entropy" } else { "carries no entropy" })]
    EntropyMode { mode: KeyEntropyMode, carries: bool },
}

/// An engine used out of order, or configured without what its description needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StateError {
    #[error("the description's bootstrap needs a username credential")]
    NeedsUsername,
    #[error("the description's bootstrap needs a password validator")]
    NeedsValidator,
    #[error(
        "the description's bootstrap needs a Kerberos initiator (client) or acceptor (server)"
    )]
    NeedsKerberos,
    #[error("no security context is established; poll() first")]
    NotEstablished,
    #[error("the client was closed (its context cancelled); make a new client")]
    Closed,
    #[error("no negotiation response is awaited for this context")]
    NothingAwaited,
    #[error("no security context to verify the reply with")]
    NoContextForReply,
    #[error("the verified context left no identity")]
    NoIdentity,
    #[error("the server refused a freshly negotiated context")]
    FreshContextRefused,
    #[error(
        "the configuration's {name} is {seconds} s, longer than 365 days (the most wsbind accepts)"
    )]
    Duration { name: &'static str, seconds: u64 },
}

pub use crate::security::peer_text;

impl EngineError {
    /// The fault a server answers a message it refused with (the one mapping).
    pub fn fault(&self) -> FaultCode {
        match self {
            EngineError::Security(s) => s.fault(),
            EngineError::Authentication => FaultCode::FailedAuthentication,
            EngineError::TooManyContexts(_)
            | EngineError::TooManyPending(_)
            | EngineError::IdentityShare { .. } => FaultCode::RequestFailed,
            EngineError::RenewNotSupported => FaultCode::UnableToRenew,
            EngineError::Trust(_) | EngineError::Unexpected(_) => FaultCode::InvalidRequest,
            _ => FaultCode::InvalidSecurity,
        }
    }

    /// Whether this is a fault from the peer saying it no longer holds the context.
    pub fn context_lost(&self) -> bool {
        matches!(self, EngineError::Fault(f) if f.context_lost())
    }
}
