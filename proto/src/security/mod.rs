//! Message protection with a security context, in the shape the wire profile says
//! ([`Profile`]): by default MS-LWSSP's — a request's WS-Security header holds a
//! Timestamp, the SCT and one HMAC by the context's own key over the Timestamp, a
//! reply's a Timestamp only, and TLS protects the rest; under the opt-in derived-keys
//! profile, a derived-key token and an HMAC over the Timestamp, the WS-Addressing
//! headers and the Body. And its verification, which rejects anything it cannot prove
//! (see [`verify`]).

pub mod bootstrap;
mod error;
pub(crate) mod policy;
pub(crate) mod profile;
pub(crate) mod protect;
pub(crate) mod replay;
pub(crate) mod verify;

pub use error::{
    peer_text, DerivedKeyError, EnvelopeError, HeaderError, KerberosTokenError, KeyInfoError,
    SecurityError, SignatureError, Structure, TokenError, TokenReferenceError,
};
pub use policy::{Acceptance, DEFAULT_MAX_VALIDITY};
pub use profile::{Direction, HeaderSet, KeyUse, Part, Profile, Signing, DERIVED_KEYS, MS_LWSSP};
pub use protect::{protect, protect_signed, Outgoing, ReceivedToken, SigningKey};
pub use replay::{ReplayCache, ReplayError, ReplayStore, SeenSignatures};
pub use verify::{
    carries_signature, verify, verify_document, ContextError, ContextKeys, SignedBy, TokenInfo,
    Verified, VerifiedDocument,
};

use crate::description::{self, SymmetricSignature};
use crate::envelope;
use crate::wire::{ns, uri, Addressing, Sc, Soap};
use crate::xml::dom::XmlError;
use crate::xml::dom::{Document, IdAttr, Limits, XML_ID};
use std::fmt;
use std::time::SystemTime;

/// The attributes that identify an element of a WS-Security message, the targets of a
/// signature's references: `wsu:Id`, an unqualified `Id` (as WCF and xmlsec write it)
/// and `xml:id`.
pub const ID_ATTRIBUTES: &[IdAttr] = &[
    IdAttr {
        namespace: ns::WSU,
        local: "Id",
    },
    IdAttr {
        namespace: "",
        local: "Id",
    },
    XML_ID,
];

/// Parses a SOAP message within `limits`, with [`ID_ATTRIBUTES`] indexed.
pub fn parse_message<'a>(text: &'a str, limits: &Limits) -> Result<Document<'a>, XmlError> {
    Document::parse_with_ids(text, limits, ID_ATTRIBUTES)
}

/// The HMAC of a signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SignatureAlgorithm {
    HmacSha1,
    HmacSha256,
}

impl SignatureAlgorithm {
    pub fn uri(self) -> &'static str {
        match self {
            SignatureAlgorithm::HmacSha1 => uri::HMAC_SHA1,
            SignatureAlgorithm::HmacSha256 => uri::HMAC_SHA256,
        }
    }
    pub fn from_uri(u: &str) -> Option<Self> {
        match u {
            uri::HMAC_SHA1 => Some(SignatureAlgorithm::HmacSha1),
            uri::HMAC_SHA256 => Some(SignatureAlgorithm::HmacSha256),
            _ => None,
        }
    }
    /// An HMAC keyed by `key`.
    pub(crate) fn keyed(self, key: &[u8]) -> crate::hash::Hmac {
        match self {
            SignatureAlgorithm::HmacSha1 => crate::hash::Hmac::sha1(key),
            SignatureAlgorithm::HmacSha256 => crate::hash::Hmac::sha256(key),
        }
    }
    /// Length of the signature value, bytes.
    pub fn output_len(self) -> usize {
        match self {
            SignatureAlgorithm::HmacSha1 => 20,
            SignatureAlgorithm::HmacSha256 => 32,
        }
    }
}

impl fmt::Display for SignatureAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SignatureAlgorithm::HmacSha1 => "hmac-sha1",
            SignatureAlgorithm::HmacSha256 => "hmac-sha256",
        })
    }
}

/// The digest of a signature reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DigestAlgorithm {
    Sha1,
    Sha256,
}

impl DigestAlgorithm {
    pub fn uri(self) -> &'static str {
        match self {
            DigestAlgorithm::Sha1 => uri::SHA1,
            DigestAlgorithm::Sha256 => uri::SHA256,
        }
    }
    /// A digest being computed.
    pub(crate) fn hasher(self) -> crate::hash::Hasher {
        match self {
            DigestAlgorithm::Sha1 => crate::hash::Hasher::sha1(),
            DigestAlgorithm::Sha256 => crate::hash::Hasher::sha256(),
        }
    }
    /// The digest of `data`.
    pub(crate) fn digest(self, data: &[u8]) -> crate::hash::Hash {
        let mut h = self.hasher();
        h.update(data);
        h.finish()
    }
    pub fn from_uri(u: &str) -> Option<Self> {
        match u {
            uri::SHA1 => Some(DigestAlgorithm::Sha1),
            uri::SHA256 => Some(DigestAlgorithm::Sha256),
            _ => None,
        }
    }
}

impl fmt::Display for DigestAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DigestAlgorithm::Sha1 => "sha1",
            DigestAlgorithm::Sha256 => "sha256",
        })
    }
}

/// The algorithms a sender uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Suite {
    pub signature: SignatureAlgorithm,
    pub digest: DigestAlgorithm,
    /// Length of the derived signing key, bytes (WCF: 24 for Basic256; 32 for SHA-256):
    /// used only under the derived-keys profile (MS-LWSSP signs with the context's key).
    pub derived_key_length: usize,
}

impl Suite {
    /// Basic256: HMAC-SHA1 over SHA-1 digests, 192-bit derived signing keys (as WCF).
    pub const BASIC256: Suite = Suite {
        signature: SignatureAlgorithm::HmacSha1,
        digest: DigestAlgorithm::Sha1,
        derived_key_length: 24,
    };
    /// Basic256Sha256 as WS-SecurityPolicy and WWSAPI define it: HMAC-SHA1 over
    /// SHA-256 digests (what the named suite `basic256-sha256` means).
    pub const BASIC256_SHA256: Suite = Suite {
        signature: SignatureAlgorithm::HmacSha1,
        digest: DigestAlgorithm::Sha256,
        derived_key_length: 24,
    };
    /// Basic256Sha256 as WCF implements it: HMAC-SHA256 over SHA-256 digests, 256-bit
    /// derived signing keys (a description asks for it with an explicit
    /// `algorithm-suite` table, `symmetric-signature = "hmac-sha256"`).
    pub const BASIC256_SHA256_HMAC_SHA256: Suite = Suite {
        signature: SignatureAlgorithm::HmacSha256,
        digest: DigestAlgorithm::Sha256,
        derived_key_length: 32,
    };

    /// The suite of a description. The compiler rejected (WSB0040) every algorithm the
    /// engine does not implement, so this fails only for a hand-built description.
    pub fn from_description(s: &description::AlgorithmSuite) -> Result<Suite, Unsupported> {
        let signature = match s.symmetric_signature {
            SymmetricSignature::HmacSha1 => SignatureAlgorithm::HmacSha1,
            SymmetricSignature::HmacSha256 => SignatureAlgorithm::HmacSha256,
            other => return Err(Unsupported::Signature(other)),
        };
        let digest = match s.digest {
            description::Digest::Sha1 => DigestAlgorithm::Sha1,
            description::Digest::Sha256 => DigestAlgorithm::Sha256,
            other => return Err(Unsupported::Digest(other)),
        };
        Ok(Suite {
            signature,
            digest,
            derived_key_length: match signature {
                SignatureAlgorithm::HmacSha1 => 24,
                SignatureAlgorithm::HmacSha256 => 32,
            },
        })
    }
}

/// What a (hand-built) description asks for that the engine does not implement; the
/// compiler refuses each of these with WSB0040.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Unsupported {
    #[error("the wsbind engine does not implement the symmetric signature {0}")]
    Signature(SymmetricSignature),
    #[error("the wsbind engine does not implement the digest {0}")]
    Digest(description::Digest),
    #[error("the wsbind engine does not implement a username binding on every message beside the security context (put it in the bootstrap)")]
    UsernameOnEveryMessage,
    #[error("the wsbind engine does not implement a Kerberos AP-REQ on every message (it runs one in a security context's bootstrap)")]
    KerberosOnEveryMessage,
    #[error("the wsbind engine sends SOAP envelopes with WS-Addressing: {0} is not supported")]
    Framing(&'static str),
}

/// A SOAP fault code: the WS-Security or WS-SC sub-code a receiver reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultCode {
    /// wsse:InvalidSecurity — an error was discovered processing the header.
    InvalidSecurity,
    /// wsse:FailedCheck — the signature or a digest is invalid.
    FailedCheck,
    /// wsse:MessageExpired — the message is too old or not yet valid.
    MessageExpired,
    /// wsse:UnsupportedAlgorithm.
    UnsupportedAlgorithm,
    /// wsse:SecurityTokenUnavailable — a referenced token could not be found.
    SecurityTokenUnavailable,
    /// wsse:FailedAuthentication — the bootstrap credentials were rejected.
    FailedAuthentication,
    /// wsc:BadContextToken — the context is unknown, cancelled or not valid.
    BadContextToken,
    /// wsc:UnsupportedContextToken — a context of another WS-SC generation.
    UnsupportedContextToken,
    /// wsc:UnknownDerivationSource — a derived key's source cannot be found.
    UnknownDerivationSource,
    /// wsc:RenewNeeded — the context expired and must be renewed.
    RenewNeeded,
    /// wsc:UnableToRenew.
    UnableToRenew,
    /// wst:InvalidRequest — a negotiation request that is malformed or asks for what
    /// this endpoint does not issue.
    InvalidRequest,
    /// wst:RequestFailed — a valid request the server cannot serve now (e.g. its
    /// context store is full).
    RequestFailed,
}

impl FaultCode {
    /// Every code.
    pub const ALL: &'static [FaultCode] = &[
        FaultCode::InvalidSecurity,
        FaultCode::FailedCheck,
        FaultCode::MessageExpired,
        FaultCode::UnsupportedAlgorithm,
        FaultCode::SecurityTokenUnavailable,
        FaultCode::FailedAuthentication,
        FaultCode::BadContextToken,
        FaultCode::UnsupportedContextToken,
        FaultCode::UnknownDerivationSource,
        FaultCode::RenewNeeded,
        FaultCode::UnableToRenew,
        FaultCode::InvalidRequest,
        FaultCode::RequestFailed,
    ];

    /// The code a received `{namespace}local` sub-code names, in either WS-SC
    /// generation; `None` for codes wsbind does not know.
    pub fn from_qname(namespace: &str, local: &str) -> Option<FaultCode> {
        let generations = [
            description::ScVersion::Feb2005,
            description::ScVersion::V1_3,
        ]
        .map(crate::wire::sc);
        Self::ALL.iter().copied().find(|code| {
            generations
                .iter()
                .any(|sc| code.qname(sc) == (namespace, local))
        })
    }

    /// Whether the peer no longer holds the context (unknown, cancelled or expired): a
    /// client negotiates a new one and sends again, once.
    pub fn context_lost(self) -> bool {
        matches!(self, FaultCode::BadContextToken | FaultCode::RenewNeeded)
    }

    /// The code's local name (`BadContextToken`, `FailedAuthentication`, …): its
    /// name in logs and metrics.
    pub fn name(self) -> &'static str {
        self.qname(crate::wire::sc(crate::wire::ScVersion::V1_3)).1
    }

    /// Namespace and local name of the sub-code, for generation `sc`.
    pub fn qname(self, sc: &Sc) -> (&'static str, &'static str) {
        use FaultCode::*;
        match self {
            InvalidSecurity => (ns::WSSE, uri::FAULT_INVALID_SECURITY),
            FailedCheck => (ns::WSSE, uri::FAULT_FAILED_CHECK),
            MessageExpired => (ns::WSSE, uri::FAULT_MESSAGE_EXPIRED),
            UnsupportedAlgorithm => (ns::WSSE, "UnsupportedAlgorithm"),
            SecurityTokenUnavailable => (ns::WSSE, uri::FAULT_SECURITY_TOKEN_UNAVAILABLE),
            FailedAuthentication => (ns::WSSE, uri::FAULT_FAILED_AUTHENTICATION),
            BadContextToken => (static_sc(sc), "BadContextToken"),
            UnsupportedContextToken => (static_sc(sc), "UnsupportedContextToken"),
            UnknownDerivationSource => (static_sc(sc), "UnknownDerivationSource"),
            RenewNeeded => (static_sc(sc), "RenewNeeded"),
            UnableToRenew => (static_sc(sc), "UnableToRenew"),
            InvalidRequest => (crate::wire::sc(sc.version).trust, "InvalidRequest"),
            RequestFailed => (crate::wire::sc(sc.version).trust, "RequestFailed"),
        }
    }

    /// The reason text sent to the peer: deliberately general, so a fault does not
    /// tell an attacker which check failed (the detailed error is for logs).
    pub fn reason(self) -> &'static str {
        use FaultCode::*;
        match self {
            InvalidSecurity => "An error was discovered processing the security header.",
            FailedCheck => "The signature or decryption was invalid.",
            MessageExpired => "The message has expired.",
            UnsupportedAlgorithm => "An unsupported signature or encryption algorithm was used.",
            SecurityTokenUnavailable => "Referenced security token could not be retrieved.",
            FailedAuthentication => "The security token could not be authenticated or authorized.",
            BadContextToken => "The security context token is expired or is not valid.",
            UnsupportedContextToken => "The context token is of an unsupported version.",
            UnknownDerivationSource => "The specified source for the derivation is unknown.",
            RenewNeeded => "The provided context token has expired.",
            UnableToRenew => "The specified context token could not be renewed.",
            InvalidRequest => "The request was invalid or malformed.",
            RequestFailed => "The specified request failed.",
        }
    }

    /// Whether the fault blames the sender (all do, except none today).
    pub fn is_sender(self) -> bool {
        true
    }
}

/// A SOAP fault received from the peer, as the engine read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedFault {
    /// The WS-Security, WS-SC or WS-Trust code it carries (SOAP 1.2: the innermost
    /// sub-code; SOAP 1.1: the faultcode), when it is one wsbind knows.
    pub code: Option<FaultCode>,
    /// The code as written, `{namespace}local` when its prefix resolves (at most 256
    /// characters: it is the peer's text).
    pub raw_code: String,
    /// The reason text (at most 256 characters).
    pub reason: String,
    /// The fault's detail (SOAP 1.1 `detail`, SOAP 1.2 `Detail`): its content in
    /// exclusive canonical form, when there is one of at most [`MAX_FAULT_DETAIL`]
    /// bytes (a longer one is left out).
    pub detail: Option<String>,
}

/// The most bytes of a received fault's detail that are kept.
pub const MAX_FAULT_DETAIL: usize = 64 * 1024;

impl ReceivedFault {
    /// Whether the peer says it no longer holds the context (see
    /// [`FaultCode::context_lost`]).
    pub fn context_lost(&self) -> bool {
        self.code.is_some_and(FaultCode::context_lost)
    }
}

impl fmt::Display for ReceivedFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.raw_code, self.reason)
    }
}

/// The Body of a SOAP fault: `code` (a sub-code as `(namespace, local)`, or none for a
/// plain sender fault), `reason` (escaped here) and the application's `detail`
/// (well-formed XML, written as it is: SOAP 1.1 `detail`, SOAP 1.2 `Detail`).
pub fn fault_body(
    soap: Soap,
    code: Option<(&str, &str)>,
    reason: &str,
    detail: Option<&str>,
) -> String {
    let reason = envelope::text(reason);
    let detail = match (soap, detail) {
        (_, None) => String::new(),
        (Soap::V11, Some(d)) => format!("<detail>{d}</detail>"),
        (Soap::V12, Some(d)) => format!("<s:Detail>{d}</s:Detail>"),
    };
    match (soap, code) {
        (Soap::V11, Some((code_ns, local))) => format!(
            r#"<s:Fault><faultcode xmlns:f="{code_ns}">f:{local}</faultcode><faultstring xml:lang="en">{reason}</faultstring>{detail}</s:Fault>"#
        ),
        (Soap::V11, None) => format!(
            r#"<s:Fault><faultcode>s:Client</faultcode><faultstring xml:lang="en">{reason}</faultstring>{detail}</s:Fault>"#
        ),
        (Soap::V12, Some((code_ns, local))) => format!(
            r#"<s:Fault><s:Code><s:Value>s:Sender</s:Value><s:Subcode><s:Value xmlns:f="{code_ns}">f:{local}</s:Value></s:Subcode></s:Code><s:Reason><s:Text xml:lang="en">{reason}</s:Text></s:Reason>{detail}</s:Fault>"#
        ),
        (Soap::V12, None) => format!(
            r#"<s:Fault><s:Code><s:Value>s:Sender</s:Value></s:Code><s:Reason><s:Text xml:lang="en">{reason}</s:Text></s:Reason>{detail}</s:Fault>"#
        ),
    }
}

fn static_sc(sc: &Sc) -> &'static str {
    crate::wire::sc(sc.version).sc
}

/// Writes a SOAP fault envelope for `code` (SOAP 1.1 `faultcode` is the sub-code
/// itself; SOAP 1.2 uses `Sender` with the sub-code as `Subcode`).
pub fn fault_envelope(
    soap: Soap,
    addressing: Addressing,
    sc: &Sc,
    code: FaultCode,
    relates_to: Option<&str>,
) -> String {
    let action = addressing.fault_action();
    let body = fault_body(soap, Some(code.qname(sc)), code.reason(), None);
    envelope::Framing { soap, addressing }
        .write(
            &envelope::Headers {
                action,
                relates_to,
                ..envelope::Headers::default()
            },
            None,
            &body,
            &[],
        )
        .text
}

/// `SystemTime` for messages.
pub(crate) fn show_time(t: SystemTime) -> String {
    envelope::format_time(t)
}
