//! Why a message was refused: [`SecurityError`], whose big variants carry their own
//! enums (one variant per check, as rustls's `Error` does), so a test asserts the exact
//! refusal and the fault the peer gets is one `match` ([`SecurityError::fault`]).
//!
//! Everything in these errors that comes from the message (element names, URIs) is
//! bounded and escaped ([`peer_text`]): errors go to logs.

use super::{ContextError, FaultCode, SignatureAlgorithm};
use crate::envelope::TimeError;
use crate::keys::KeyError;
pub use crate::text::peer_text;
use crate::xml::dom::{Document, Element, XmlError};
use std::time::Duration;

/// Why a message was rejected. `Display` is the detailed reason for logs and for the
/// CLI; [`SecurityError::fault`] is what the peer is told.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SecurityError {
    #[error("the message is not well-formed or not accepted XML: {0}")]
    Xml(#[from] XmlError),
    #[error("the message is not UTF-8: {0}")]
    NotUtf8(String),
    #[error("the document element is {found}, not a SOAP 1.1 or 1.2 Envelope")]
    NotSoap { found: String },
    #[error("malformed envelope: {0}")]
    Envelope(#[from] EnvelopeError),
    #[error("the message has no WS-Security header")]
    NoSecurityHeader,
    #[error("malformed security header: {0}")]
    Header(#[from] HeaderError),
    #[error("the message has no timestamp, and the policy requires one")]
    NoTimestamp,
    #[error("the timestamp was created at {created}, beyond the allowed clock skew of {skew:?} after now ({now})")]
    CreatedInFuture {
        created: String,
        now: String,
        skew: Duration,
    },
    #[error("the timestamp expired at {expires} (now {now}, clock skew {skew:?})")]
    Expired {
        expires: String,
        now: String,
        skew: Duration,
    },
    #[error("the message was created at {created}, older than the allowed latency of {latency:?} (now {now})")]
    TooOld {
        created: String,
        now: String,
        latency: Duration,
    },
    #[error("the message's signature was seen before: a replay")]
    Replay,
    #[error("the timestamp claims validity from {created} to {expires}, longer than the {max:?} accepted")]
    ValidityTooLong {
        created: String,
        expires: String,
        max: Duration,
    },
    #[error("the identity behind the signing context already has {0} messages in the replay cache, its share; try again later")]
    ReplayQuota(usize),
    #[error(
        "the shared replay cache cannot be reached ({0}); the message cannot be checked for replay"
    )]
    ReplayUnavailable(String),
    #[error(
        "the replay cache is full ({0} live entries); the message cannot be checked for replay"
    )]
    ReplayCacheFull(usize),
    #[error("unsupported {what} algorithm `{uri}`")]
    UnsupportedAlgorithm { what: &'static str, uri: String },
    #[error("malformed signature: {0}")]
    Signature(#[from] SignatureError),
    #[error("the Kerberos token: {0}")]
    Kerberos(#[from] KerberosTokenError),
    #[error("the reference `{uri}` resolves to {count} elements; exactly one is required")]
    AmbiguousReference { uri: String, count: usize },
    #[error("the {part} is not covered by the signature")]
    Unsigned { part: String },
    #[error("the digest of the element referenced by `{uri}` does not match")]
    DigestMismatch { uri: String },
    #[error("the signature value does not match")]
    SignatureMismatch,
    #[error("the signing key: {0}")]
    KeyInfo(#[from] KeyInfoError),
    #[error("the derived key token: {0}")]
    DerivedKey(#[from] DerivedKeyError),
    #[error("the security context token: {0}")]
    Token(#[from] TokenError),
    #[error("the security context is of WS-SC {found}; this endpoint uses {expected}")]
    WrongVersion {
        found: &'static str,
        expected: &'static str,
    },
    #[error("security context `{identifier}`: {error}")]
    Context {
        identifier: String,
        error: ContextError,
        /// The generation of the token, for the fault's namespace.
        version: crate::wire::ScVersion,
    },
}

impl SecurityError {
    /// The fault code the peer is sent.
    pub fn fault(&self) -> FaultCode {
        use SecurityError::*;
        match self {
            Xml(_)
            | NotUtf8(_)
            | NotSoap { .. }
            | Envelope(_)
            | NoSecurityHeader
            | Header(_)
            | NoTimestamp
            | Signature(_) => FaultCode::InvalidSecurity,
            Kerberos(_) => FaultCode::InvalidSecurity,
            CreatedInFuture { .. } | Expired { .. } | TooOld { .. } => FaultCode::MessageExpired,
            Replay
            | ReplayCacheFull(_)
            | ReplayQuota(_)
            | ReplayUnavailable(_)
            | ValidityTooLong { .. } => FaultCode::InvalidSecurity,
            UnsupportedAlgorithm { .. } => FaultCode::UnsupportedAlgorithm,
            AmbiguousReference { .. }
            | Unsigned { .. }
            | DigestMismatch { .. }
            | SignatureMismatch => FaultCode::FailedCheck,
            KeyInfo(_) => FaultCode::SecurityTokenUnavailable,
            DerivedKey(_) => FaultCode::UnknownDerivationSource,
            Token(_) => FaultCode::BadContextToken,
            WrongVersion { .. } => FaultCode::UnsupportedContextToken,
            Context { error, .. } => match error {
                ContextError::Expired
                | ContextError::BadCookie(super::verify::CookieError::Expired) => {
                    FaultCode::RenewNeeded
                }
                _ => FaultCode::BadContextToken,
            },
        }
    }
}

/// An element missing, repeated or out of place: the structural refusals every part of
/// a message shares. Names are as the message spells them (`prefix:local`), bounded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Structure {
    #[error("{parent} has no {child}")]
    Missing { parent: String, child: &'static str },
    #[error("{parent} holds more than one {child}")]
    Repeated { parent: String, child: String },
    #[error("unexpected {child} in {parent}")]
    Unexpected { parent: String, child: String },
    #[error("{parent} must start with {child}")]
    NotFirst {
        parent: &'static str,
        child: &'static str,
    },
    #[error("{before} must be followed by {child}")]
    NotAfter {
        before: &'static str,
        child: &'static str,
    },
}

/// The SOAP envelope around the security header.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EnvelopeError {
    #[error("{0} (an Envelope holds one Header, then one Body)")]
    Structure(Structure),
    #[error("the message mixes two WS-Addressing versions")]
    MixedAddressing,
    #[error("the message has more than one {header} header")]
    RepeatedHeader { header: String },
    #[error("the header {header} is marked mustUnderstand, and wsbind does not process it")]
    MustUnderstand { header: String },
    #[error("the canonical Body is not UTF-8")]
    BodyNotUtf8,
}

/// The WS-Security header itself (and the negotiation's bootstrap header).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HeaderError {
    #[error("{0}")]
    Structure(Structure),
    #[error("the message has more than one Security header for this receiver")]
    TwoSecurityHeaders,
    #[error("{element} is not supported in the security header")]
    Unsupported { element: String },
    #[error("the timestamp's {field}: {error}")]
    Time {
        field: &'static str,
        error: TimeError,
    },
    #[error("the timestamp expires before it was created")]
    ExpiresBeforeCreated,
    #[error(
        "{element} in a security header that holds a Timestamp only (this direction is not signed)"
    )]
    NotTimestampOnly { element: String },
}

/// The Kerberos `BinarySecurityToken` of a bootstrap, and the signature its session
/// key must make beside it (MS-LWSSP §2.2.1.3.1).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KerberosTokenError {
    #[error("its ValueType is `{found}`, not GSS_Kerberosv5_AP_REQ (the one MS-LWSSP allows)")]
    ValueType { found: String },
    #[error("its EncodingType is `{found}`, not Base64Binary")]
    EncodingType { found: String },
    #[error("it has no wsu:Id for the signature's KeyInfo to reference")]
    NoId,
    #[error("it is not base64")]
    NotBase64,
    #[error("it is empty or longer than {max} bytes")]
    Size { max: usize },
    #[error("no Signature by its session key is beside it in the security header")]
    NoSignature,
    #[error("a Signature is in the security header, and no token whose key it could be")]
    NoToken,
    #[error("the signature's KeyInfo references `{uri}`, not the Kerberos token")]
    KeyInfo { uri: String },
    #[error("this endpoint's bootstrap carries no Kerberos token")]
    Unexpected,
}

/// The XML Signature's own structure.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SignatureError {
    #[error("{0}")]
    Structure(Structure),
    #[error("the security header has no Signature")]
    NoSignature,
    #[error(
        "SignatureMethod holds {element}: HMAC truncation (HMACOutputLength) is never accepted"
    )]
    Truncation { element: String },
    #[error("a Reference has no URI")]
    NoUri,
    #[error("the Reference URI `{uri}` is not a same-document `#id`")]
    NotSameDocument { uri: String },
    #[error("`{uri}` is referenced twice")]
    ReferencedTwice { uri: String },
    #[error("more than {max} references")]
    TooManyReferences { max: usize },
    /// A reference to something no profile signs (anything but the security header's
    /// Timestamp, the Body, or a header block beside the security header).
    #[error("`{uri}` names an element no profile signs: only the Timestamp, the Body and header blocks are")]
    UnsignableTarget { uri: String },
    #[error("the Reference `{uri}` must have exactly one Transform (exclusive C14N)")]
    TransformCount { uri: String },
    #[error("SignedInfo has no Reference")]
    NoReference,
    #[error("an InclusiveNamespaces PrefixList names more than {max} prefixes")]
    TooManyPrefixes { max: usize },
    #[error("more than one InclusiveNamespaces in a canonicalization method")]
    InclusiveNamespacesTwice,
    #[error("SignedInfo has {bytes} bytes; at most {max} are accepted")]
    SignedInfoSize { bytes: usize, max: usize },
    #[error("{what} is not base64")]
    Base64 { what: &'static str },
    #[error("the {alg} signature value has {found} bytes, not {expected}")]
    ValueLength {
        alg: SignatureAlgorithm,
        found: usize,
        expected: usize,
    },
}

/// The signature's KeyInfo: which token signed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeyInfoError {
    #[error("the Signature has no KeyInfo")]
    NoKeyInfo,
    #[error("KeyInfo must hold exactly one SecurityTokenReference")]
    NotOneTokenReference,
    #[error("{0}")]
    Reference(TokenReferenceError),
    #[error("the signing key must be a token in the message, not `{uri}`")]
    NotInMessage { uri: String },
    #[error("`{uri}` is not a derived key token")]
    NotDerivedKey { uri: String },
    #[error("the signing token is not in the security header")]
    NotInHeader,
    #[error(
        "`{uri}` is not a SecurityContextToken of an accepted generation in the security header"
    )]
    NotToken { uri: String },
    #[error("the reference's ValueType `{found}` is not the SCT type of its generation")]
    ValueType { found: String },
}

/// A `wsse:SecurityTokenReference` and its `wsse:Reference` (read in `trust`, where
/// WS-Trust messages reference tokens too).
pub use crate::trust::TokenReferenceError;

/// A `DerivedKeyToken`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DerivedKeyError {
    #[error("{0}")]
    Structure(Structure),
    #[error("unsupported element {element}")]
    Unsupported { element: String },
    #[error("{field} is not a non-negative integer")]
    NotANumber { field: &'static str },
    #[error("a Length of {length} bytes is outside {min}..={max}")]
    Length { length: u64, min: usize, max: usize },
    #[error("it has both Offset and Generation")]
    OffsetAndGeneration,
    #[error("the Nonce is not base64")]
    NonceNotBase64,
    #[error("a Nonce of {len} bytes (12 to 128 accepted)")]
    NonceLength { len: usize },
    #[error("a Label of {len} bytes (at most {max} accepted)", max = crate::keys::MAX_LABEL_BYTES)]
    LabelLength { len: usize },
    #[error("its source: {0}")]
    Source(TokenReferenceError),
    #[error("its source `{uri}` is not a {version} SecurityContextToken in the security header")]
    SourceNotToken { uri: String, version: &'static str },
    #[error("its source has ValueType `{found}`, not the SCT type of this generation")]
    SourceValueType { found: String },
    #[error(transparent)]
    Derive(#[from] KeyError),
}

/// A `SecurityContextToken` in the message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TokenError {
    #[error("{0}")]
    Structure(Structure),
    #[error("the Identifier is empty or longer than {max} bytes")]
    Identifier { max: usize },
}

impl Structure {
    /// `child` appears twice in `parent`.
    pub(crate) fn repeated(doc: &Document<'_>, parent: Element, child: &str) -> Self {
        Structure::Repeated {
            parent: name(doc, parent),
            child: child.to_owned(),
        }
    }

    /// `parent` lacks `child`.
    pub(crate) fn missing(doc: &Document<'_>, parent: Element, child: &'static str) -> Self {
        Structure::Missing {
            parent: name(doc, parent),
            child,
        }
    }

    /// `child` does not belong in `parent`.
    pub(crate) fn unexpected(doc: &Document<'_>, parent: Element, child: Element) -> Self {
        Structure::Unexpected {
            parent: name(doc, parent),
            child: name(doc, child),
        }
    }
}

macro_rules! from_structure {
    ($($t:ty),*) => {$(
        impl From<Structure> for $t {
            fn from(s: Structure) -> Self {
                <$t>::Structure(s)
            }
        }
    )*};
}
from_structure!(
    EnvelopeError,
    HeaderError,
    SignatureError,
    DerivedKeyError,
    TokenError
);

pub(crate) use crate::text::element_name as name;

/// At most one child `ns:local` of `e`.
pub(crate) fn single(
    doc: &Document<'_>,
    e: Element,
    ns: &str,
    local: &'static str,
) -> Result<Option<Element>, Structure> {
    let mut it = doc.children(e).filter(|c| doc.is(*c, ns, local));
    let first = it.next();
    if it.next().is_some() {
        return Err(Structure::repeated(doc, e, local));
    }
    Ok(first)
}

/// Exactly one child `ns:local` of `e`.
pub(crate) fn required(
    doc: &Document<'_>,
    e: Element,
    ns: &str,
    local: &'static str,
) -> Result<Element, Structure> {
    single(doc, e, ns, local)?.ok_or_else(|| Structure::missing(doc, e, local))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn peer_text_is_bounded_and_escaped() {
        assert_eq!(peer_text("a\nb\u{7}"), "a\\nb\\u{7}");
        let long = "x".repeat(10_000);
        assert_eq!(peer_text(&long).chars().count(), 257);
        assert_eq!(peer_text("é".repeat(256).as_str()), "é".repeat(256));
    }

    #[test]
    fn every_part_maps_to_one_fault() {
        let s = Structure::Missing {
            parent: "wsse:Security".into(),
            child: "Timestamp",
        };
        assert_eq!(
            SecurityError::from(HeaderError::from(s.clone())).fault(),
            FaultCode::InvalidSecurity
        );
        assert_eq!(
            SecurityError::from(DerivedKeyError::from(s.clone())).fault(),
            FaultCode::UnknownDerivationSource
        );
        assert_eq!(
            SecurityError::from(TokenError::from(s)).fault(),
            FaultCode::BadContextToken
        );
        assert_eq!(
            SecurityError::from(KeyInfoError::NoKeyInfo).fault(),
            FaultCode::SecurityTokenUnavailable
        );
    }
}
