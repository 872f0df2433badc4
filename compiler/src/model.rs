//! The model of a security description, as written (every value keeps its location).
//! Its vocabulary follows WWSAPI's identifiers (`shared/reference/binding-format.md`);
//! the JSON Schema of `binding.toml` is generated from these types.

use crate::loc::Spanned as S;
use crate::read::{table, values, Count, Dur, List};

/// The values the typed description uses are declared by it (`wsbind-description`).
pub use wsbind_description::{
    AddressingHeader, AddressingVersion, Canonicalization, CertFailure, ChannelType, Digest,
    EnvelopeVersion, HeaderLayout, HeaderVersion, KeyEntropyMode, ProtectionLevel, Role, ScVersion,
    SignatureProfile, SuiteName, SymmetricSignature, TimestampUsage,
};
crate::read::readable!(
    AddressingHeader,
    AddressingVersion,
    Canonicalization,
    CertFailure,
    ChannelType,
    EnvelopeVersion,
    Digest,
    HeaderLayout,
    HeaderVersion,
    KeyEntropyMode,
    ProtectionLevel,
    Role,
    ScVersion,
    SignatureProfile,
    SuiteName,
    SymmetricSignature,
    TimestampUsage,
);

table! {
    /// A whole description: `binding.toml`, or the arguments of `#[wsbind::binding(...)]`.
    pub struct File ("the description") {
        /// The channel the description secures (WS_CHANNEL_BINDING and role).
        "channel" channel: S<Channel>,
        /// The security description (WS_SECURITY_DESCRIPTION). Absent: no security.
        "security" security: Option<S<Security>>,
    }
}

table! {
    /// The channel binding, its type and which side(s) the description is for.
    pub struct Channel ("[channel]") {
        /// WS_CHANNEL_BINDING.
        "binding" binding: S<ChannelBinding>,
        /// WS_CHANNEL_TYPE (optional).
        "type" channel_type: Option<S<ChannelType>>,
        /// Which side uses this description; side-specific rules are checked for each
        /// role declared. Default: both.
        "role" role: Option<S<Role>>,
        /// WS_CHANNEL_PROPERTY_ENVELOPE_VERSION (optional; default: SOAP 1.2).
        "envelope-version" envelope_version: Option<S<EnvelopeVersion>>,
        /// WS_CHANNEL_PROPERTY_ADDRESSING_VERSION (optional; default: 1.0).
        "addressing-version" addressing_version: Option<S<AddressingVersion>>,
    }
}

table! {
    /// A security description: security properties and the ordered security bindings.
    /// The bootstrap description of a security-context binding has the same shape.
    pub struct Security ("a security description") {
        /// WS_SECURITY_PROPERTY_TRANSPORT_PROTECTION_LEVEL.
        "transport-protection-level" transport_protection_level: Option<S<ProtectionLevel>>,
        /// WS_SECURITY_PROPERTY_TIMESTAMP_USAGE.
        "timestamp-usage" timestamp_usage: Option<S<TimestampUsage>>,
        /// WS_SECURITY_PROPERTY_ALGORITHM_SUITE_NAME.
        "algorithm-suite-name" algorithm_suite_name: Option<S<SuiteName>>,
        /// WS_SECURITY_PROPERTY_ALGORITHM_SUITE (explicit algorithms).
        "algorithm-suite" algorithm_suite: Option<S<AlgorithmSuite>>,
        /// WS_SECURITY_PROPERTY_MAX_ALLOWED_LATENCY.
        "max-allowed-latency" max_allowed_latency: Option<S<Dur>>,
        /// WS_SECURITY_PROPERTY_TIMESTAMP_VALIDITY_DURATION.
        "timestamp-validity-duration" timestamp_validity_duration: Option<S<Dur>>,
        /// WS_SECURITY_PROPERTY_MAX_ALLOWED_CLOCK_SKEW.
        "max-allowed-clock-skew" max_allowed_clock_skew: Option<S<Dur>>,
        /// WS_SECURITY_PROPERTY_SECURITY_HEADER_LAYOUT.
        "security-header-layout" security_header_layout: Option<S<HeaderLayout>>,
        /// WS_SECURITY_PROPERTY_SECURITY_HEADER_VERSION.
        "security-header-version" security_header_version: Option<S<HeaderVersion>>,
        /// WS_SECURITY_PROPERTY_EXTENDED_PROTECTION_POLICY (server on http).
        "extended-protection-policy" extended_protection_policy: Option<S<ExtendedProtectionPolicy>>,
        /// WS_SECURITY_PROPERTY_EXTENDED_PROTECTION_SCENARIO (server on http).
        "extended-protection-scenario" extended_protection_scenario: Option<S<ExtendedProtectionScenario>>,
        /// WS_SECURITY_PROPERTY_SERVICE_IDENTITIES (server on http).
        "service-identities" service_identities: Option<S<List<S<String>>>>,
        /// The security bindings, in order (`[[security.binding]]`).
        "binding" bindings: List<S<Binding>>,
    }
}

table! {
    /// WS_SECURITY_ALGORITHM_SUITE: algorithms spelled out instead of named.
    pub struct AlgorithmSuite ("algorithm-suite") {
        "canonicalization" canonicalization: Option<S<Canonicalization>>,
        "digest" digest: Option<S<Digest>>,
        "symmetric-signature" symmetric_signature: Option<S<SymmetricSignature>>,
        "asymmetric-signature" asymmetric_signature: Option<S<AsymmetricSignature>>,
        "asymmetric-key-wrap" asymmetric_key_wrap: Option<S<AsymmetricKeyWrap>>,
        "key-derivation" key_derivation: Option<S<KeyDerivation>>,
        /// Bits.
        "min-symmetric-key-length" min_symmetric_key_length: Option<S<Count>>,
        /// Bits.
        "max-symmetric-key-length" max_symmetric_key_length: Option<S<Count>>,
        /// Bits.
        "min-asymmetric-key-length" min_asymmetric_key_length: Option<S<Count>>,
        /// Bits.
        "max-asymmetric-key-length" max_asymmetric_key_length: Option<S<Count>>,
    }
}

table! {
    /// WS_SECURITY_BINDING_PROPERTY_MESSAGE_PROPERTIES: properties of the bootstrap
    /// messages. WWSAPI defines none that a description can set, so the table is empty.
    pub struct MessageProperties ("message-properties") {}
}

table! {
    /// One security binding. Which properties a kind accepts, and on which side, is
    /// checked by the rules (WSB0004, WSB0020, WSB0022–WSB0025), not by the schema.
    pub struct Binding ("a security binding") {
        /// The kind of binding (WS_*_SECURITY_BINDING).
        "kind" kind: S<BindingKind>,
        /// WS_MESSAGE_SECURITY_USAGE of a message binding; only "supporting" exists.
        "usage" usage: Option<S<String>>,
        /// security-context: key size in bits.
        "key-size" key_size: Option<S<i64>>,
        /// security-context: who contributes key entropy.
        "key-entropy-mode" key_entropy_mode: Option<S<KeyEntropyMode>>,
        /// security-context: properties of the bootstrap messages.
        "message-properties" message_properties: Option<S<MessageProperties>>,
        /// security-context: WS-SecureConversation version.
        "secure-conversation-version" secure_conversation_version: Option<S<ScVersion>>,
        /// security-context: whether the context may be renewed.
        "support-renew" support_renew: Option<S<bool>>,
        /// security-context: client: renew after; server: context lifetime.
        "renewal-interval" renewal_interval: Option<S<Dur>>,
        /// security-context: how long the old key stays valid after a renewal.
        "rollover-interval" rollover_interval: Option<S<Dur>>,
        /// security-context (server): contexts being negotiated at once.
        "max-pending-contexts" max_pending_contexts: Option<S<Count>>,
        /// security-context (server): live contexts at once.
        "max-active-contexts" max_active_contexts: Option<S<Count>>,
        /// security-context: the description that secures the negotiation.
        "bootstrap" bootstrap: Option<S<Security>>,
        /// security-context (a wsbind extension): how messages are signed,
        /// "ms-lwssp" (default, WWSAPI's and WCF's wire) or "derived-keys".
        "wsbind-signature" signature_profile: Option<S<SignatureProfile>>,
        /// security-context (client, a wsbind extension): whether closing the channel
        /// cancels the context (default true); false for WCF services that advertise
        /// `mssp:MustNotSendCancel` (cookie contexts).
        "wsbind-send-cancel" send_cancel: Option<S<bool>>,
        /// security-context (a wsbind extension, ms-lwssp profile): WS-Addressing
        /// headers a request's signature covers besides the Timestamp, as a policy's
        /// `sp:SignedParts` in its endorsing supporting tokens asks (e.g. ["to"]).
        "wsbind-signed-headers" signed_headers: Option<S<List<S<AddressingHeader>>>>,
        /// ssl-transport (server).
        "require-client-certificate" require_client_certificate: Option<S<bool>>,
        /// ssl-transport (client, a wsbind extension): the client presents a TLS
        /// certificate (WWSAPI's `WS_SSL_TRANSPORT_SECURITY_BINDING` with its
        /// `localCertCredential`); the generated `client(...)` then takes it.
        "wsbind-client-certificate" client_certificate: Option<S<bool>>,
        /// ssl-transport (client).
        "cert-failures-to-ignore" cert_failures_to_ignore: Option<S<List<S<CertFailure>>>>,
        /// ssl-transport (client).
        "disable-cert-revocation-check" disable_cert_revocation_check: Option<S<bool>>,
        /// tcp-sspi-transport, named-pipe-sspi-transport.
        "windows-integrated-auth-package" windows_integrated_auth_package: Option<S<AuthPackage>>,
        /// tcp-sspi-transport, named-pipe-sspi-transport (client).
        "require-server-auth" require_server_auth: Option<S<bool>>,
        /// sspi transports, kerberos-apreq (client).
        "allowed-impersonation-level" allowed_impersonation_level: Option<S<ImpersonationLevel>>,
        /// sspi transports, kerberos-apreq (server).
        "allow-anonymous-clients" allow_anonymous_clients: Option<S<bool>>,
        /// http-header-auth: one scheme or a list.
        "scheme" scheme: Option<S<List<S<Scheme>>>>,
        /// http-header-auth (client).
        "target" target: Option<S<AuthTarget>>,
        /// http-header-auth (server).
        "basic-realm" basic_realm: Option<S<String>>,
        /// http-header-auth (server).
        "digest-realm" digest_realm: Option<S<String>>,
        /// http-header-auth (server).
        "digest-domain" digest_domain: Option<S<String>>,
    }
}

values! {
    pub enum ChannelBinding ("channel binding") {
        Http = "http",
        Tcp = "tcp",
        Udp = "udp",
        NamedPipe = "named-pipe",
    }
}

values! {
    pub enum AsymmetricSignature ("asymmetric signature algorithm") {
        RsaSha1 = "rsa-sha1",
        RsaSha256 = "rsa-sha256",
        RsaSha384 = "rsa-sha384",
        RsaSha512 = "rsa-sha512",
        DsaSha1 = "dsa-sha1",
    }
}

values! {
    pub enum AsymmetricKeyWrap ("asymmetric key wrap algorithm") {
        Rsa15 = "rsa-1-5",
        RsaOaep = "rsa-oaep",
    }
}

values! {
    pub enum KeyDerivation ("key derivation algorithm") {
        PSha1 = "p-sha1",
    }
}

values! {
    pub enum ExtendedProtectionPolicy ("extended protection policy") {
        Never = "never",
        WhenSupported = "when-supported",
        Always = "always",
    }
}

values! {
    pub enum ExtendedProtectionScenario ("extended protection scenario") {
        BoundServer = "bound-server",
        // WS_EXTENDED_PROTECTION_SCENARIO_TERMINATED_SSL.
        TerminatedBySsl = "terminated-by-ssl" | "terminated-ssl",
    }
}

values! {
    pub enum BindingKind ("security binding kind") {
        SslTransport = "ssl-transport",
        TcpSspiTransport = "tcp-sspi-transport",
        NamedPipeSspiTransport = "named-pipe-sspi-transport",
        HttpHeaderAuth = "http-header-auth",
        Username = "username",
        KerberosApreq = "kerberos-apreq",
        XmlToken = "xml-token",
        Saml = "saml",
        SecurityContext = "security-context",
    }
}

impl BindingKind {
    /// Transport security bindings (at most one per description, WSB0015).
    pub fn is_transport(self) -> bool {
        matches!(
            self,
            BindingKind::SslTransport
                | BindingKind::TcpSspiTransport
                | BindingKind::NamedPipeSspiTransport
        )
    }

    /// Supporting message bindings (WSB0007).
    pub fn is_message(self) -> bool {
        matches!(
            self,
            BindingKind::Username
                | BindingKind::KerberosApreq
                | BindingKind::XmlToken
                | BindingKind::Saml
                | BindingKind::SecurityContext
        )
    }
}

values! {
    pub enum AuthPackage ("windows integrated auth package") {
        Kerberos = "kerberos",
        Ntlm = "ntlm",
        Spnego = "spnego",
    }
}

values! {
    pub enum ImpersonationLevel ("impersonation level") {
        Anonymous = "anonymous",
        Identification = "identification",
        Impersonation = "impersonation",
        Delegation = "delegation",
    }
}

values! {
    pub enum Scheme ("http header auth scheme") {
        None = "none",
        Basic = "basic",
        Digest = "digest",
        Ntlm = "ntlm",
        Negotiate = "negotiate",
        Passport = "passport",
    }
}

values! {
    pub enum AuthTarget ("http header auth target") {
        Service = "service",
        Proxy = "proxy",
    }
}
