//! Verifying an incoming message protected with a security context.
//!
//! The receiver accepts a message only when it can prove all of this, in this order
//! (cheap structural checks first, so hostile input costs little):
//! 1. the envelope is SOAP 1.1 or 1.2 with one Header and one Body, each addressing
//!    header at most once, and exactly one WS-Security header for this receiver;
//! 2. the security header holds only what wsbind understands (timestamp, SCT, derived
//!    key tokens, one signature) — nothing encrypted or unknown is silently skipped;
//! 3. the timestamp is within the clock skew and latency, and not expired;
//! 4. the signature is there exactly when the profile's direction signs (MS-LWSSP:
//!    requests do, replies do not), uses algorithms the policy allows, exclusive C14N,
//!    no HMAC truncation; every reference names exactly one element in the whole
//!    document (signature wrapping puts a second copy somewhere), and that element is
//!    the security header's Timestamp, the Body or a header block, each referenced
//!    once (so the digests cost one pass over the message at most); it covers what
//!    the profile says and nothing stands in for it — the Timestamp referenced is
//!    *the* timestamp of the security header (MS-LWSSP signs that alone, and the
//!    headers a description's `wsbind-signed-headers` names); under derived keys also
//!    the Body referenced is *the* Body and every addressing header is signed;
//! 5. the key is the one the profile names: the context's own (MS-LWSSP: KeyInfo
//!    references the SCT) or one derived from it by a derived-key token in the header;
//!    either way the context comes from an SCT in the header or is referenced by
//!    identifier, and its key is known;
//! 6. the HMAC over `SignedInfo` matches (constant time); only then is the context's
//!    state told (expired, rolled over, cancelled: [`ContextKeys::key_or_refusal`]),
//!    then every digest is checked;
//! 7. the signature value was not seen before inside its validity window (charged to
//!    the identity behind the context, [`ContextKeys::owner`]).

use super::error::{name, required, single};
use super::policy::Acceptance;
use super::policy::{acceptable_until, check_timestamp};
use super::profile::{KeyUse, Part, Signing};
use super::replay::SeenSignatures;
use super::{
    peer_text, DerivedKeyError, DigestAlgorithm, EnvelopeError, HeaderError, KeyInfoError,
    SecurityError, SignatureAlgorithm, SignatureError, Structure, TokenError, TokenReferenceError,
};
use crate::keys::{Derivation, Position, SecretKey};
use crate::trust::StrParts;
use crate::wire::{self, ns, uri, Addressing, Sc, ScVersion, Soap};
use crate::xml::c14n;
use crate::xml::dom::{Document, Element};
use std::time::SystemTime;

/// The most references a SignedInfo may hold.
const MAX_REFERENCES: usize = 32;
/// The most prefixes an InclusiveNamespaces PrefixList may name.
const MAX_PREFIXES: usize = 64;
/// The largest SignedInfo accepted, bytes: room for every reference (32, each with a
/// full prefix list) several times over. It is canonicalized before the HMAC can say
/// the message is genuine, so its size is bounded before that work.
const MAX_SIGNED_INFO: usize = 64 * 1024;
/// The longest context identifier accepted, bytes.
const MAX_IDENTIFIER: usize = 1024;

fn not_first(parent: &'static str, child: &'static str) -> SignatureError {
    Structure::NotFirst { parent, child }.into()
}
fn not_after(before: &'static str, child: &'static str) -> SignatureError {
    Structure::NotAfter { before, child }.into()
}

/// The token a message's key derives from.
#[derive(Debug, Clone, Copy)]
pub struct TokenInfo<'a> {
    pub sc: &'static Sc,
    pub identifier: &'a str,
    pub instance: Option<&'a str>,
    /// A cookie carried in the SCT (stateless contexts).
    pub cookie: Option<&'a str>,
}

/// Why a context's key is not available.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ContextError {
    #[error("unknown to this receiver")]
    Unknown,
    #[error("expired")]
    Expired,
    #[error("cancelled")]
    Cancelled,
    #[error("its cookie cannot be opened: {0}")]
    BadCookie(#[from] CookieError),
    #[error("the token carries no cookie")]
    NoCookie,
    #[error("its cookie belongs to another token")]
    ForeignCookie,
    /// The store of cancellations could not say whether it was cancelled (a farm's
    /// shared store out of reach: refused, fail closed), or could not remember a
    /// Cancel.
    #[error("the store of cancellations failed: {0}")]
    Unavailable(String),
}

/// Why a cookie (a server's context sealed into its SCT, `crate::cookie`) cannot be
/// opened.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CookieError {
    /// Longer than [`MAX_COOKIE`](crate::trust::MAX_COOKIE) characters.
    #[error("the cookie is longer than {} characters", crate::trust::MAX_COOKIE)]
    TooLong,
    /// Not standard base64.
    #[error("the cookie is not base64")]
    NotBase64,
    /// Too short, another format version, or a payload that does not decode.
    #[error("the cookie is malformed")]
    Malformed,
    /// Sealed with a key id this server does not hold (never held, or retired).
    #[error("the cookie was sealed with key {0}, which this server does not hold")]
    UnknownKey(u8),
    /// The AEAD tag does not verify.
    #[error("the cookie does not open (tampered, or sealed with another key)")]
    Tampered,
    /// The context's expiry has passed.
    #[error("the cookie's context has expired")]
    Expired,
}

/// Where a receiver finds a context's key.
pub trait ContextKeys {
    fn key(&mut self, token: &TokenInfo<'_>, now: SystemTime) -> Result<SecretKey, ContextError>;

    /// As [`key`](Self::key), but a refusal that comes with the key — the context is
    /// known, its key too, and it may no longer be used (expired, past its rollover,
    /// cancelled) — is returned beside the key. The verifier reports it only once the
    /// message's signature verifies with that key, so that the context's state is
    /// told to the holder of its key alone, not to whoever names it. The default
    /// refuses at once.
    fn key_or_refusal(
        &mut self,
        token: &TokenInfo<'_>,
        now: SystemTime,
    ) -> Result<(SecretKey, Option<ContextError>), ContextError> {
        self.key(token, now).map(|key| (key, None))
    }

    /// Who the replay cache charges for a message signed with the key [`key`](Self::key)
    /// returned last: the identity that negotiated the context, where the receiver
    /// knows it (`None`: the context itself is charged).
    fn owner(&self) -> Option<&str> {
        None
    }
}

/// A receiver that knows exactly one context (tests, the CLI).
impl ContextKeys for (&str, &SecretKey) {
    fn key(&mut self, token: &TokenInfo<'_>, _now: SystemTime) -> Result<SecretKey, ContextError> {
        if token.identifier == self.0 {
            Ok(self.1.clone())
        } else {
            Err(ContextError::Unknown)
        }
    }
}

/// What a verified signature proved: the context whose key signed, and what it covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedBy {
    /// The context's generation.
    pub version: ScVersion,
    pub identifier: String,
    pub instance: Option<String>,
    pub signature: SignatureAlgorithm,
    /// The parts the signature covers. Under MS-LWSSP that is the Timestamp alone: the
    /// Body's integrity rests on TLS.
    pub covered: Vec<Part>,
}

/// An accepted message, borrowing its parsed document.
#[derive(Debug)]
pub struct VerifiedDocument<'d> {
    pub soap: Soap,
    pub addressing: Option<Addressing>,
    pub action: Option<String>,
    pub message_id: Option<String>,
    pub relates_to: Option<String>,
    pub to: Option<String>,
    pub created: Option<SystemTime>,
    pub expires: Option<SystemTime>,
    /// The signature's proof; `None` for a message of an unsigned direction (an
    /// MS-LWSSP reply: its Timestamp was checked, nothing was signed).
    pub signed: Option<SignedBy>,
    /// The SOAP Body element.
    pub body: Element,
    /// The SCT element, when the message carries it.
    pub token: Option<Element>,
    /// The application's header blocks: every header that is neither the Security
    /// header nor WS-Addressing (none asks to be understood: such a header is refused).
    /// No profile signs them.
    pub headers: Vec<Element>,
    _doc: std::marker::PhantomData<&'d ()>,
}

/// An accepted message, owned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub soap: Soap,
    pub addressing: Option<Addressing>,
    pub action: Option<String>,
    pub message_id: Option<String>,
    pub relates_to: Option<String>,
    pub to: Option<String>,
    pub created: Option<SystemTime>,
    pub expires: Option<SystemTime>,
    /// The signature's proof; `None` when the direction is not signed.
    pub signed: Option<SignedBy>,
    /// The Body's content: the exclusive canonical form of each child element, so each
    /// carries the namespace declarations it uses.
    pub body: String,
    /// The application's header blocks, each in exclusive canonical form (no profile
    /// signs them: TLS protected them on the wire).
    pub headers: Vec<String>,
}

/// Parses and verifies a message; see the module documentation for what is checked.
pub fn verify(
    src: &[u8],
    policy: &Acceptance,
    signing: &Signing,
    keys: &mut dyn ContextKeys,
    replay: &mut dyn SeenSignatures,
    now: SystemTime,
) -> Result<Verified, SecurityError> {
    if src.len() > policy.limits.max_bytes {
        return Err(SecurityError::Xml(crate::xml::dom::XmlError::TooLarge {
            size: src.len(),
            limit: policy.limits.max_bytes,
        }));
    }
    let text = std::str::from_utf8(src).map_err(|e| SecurityError::NotUtf8(e.to_string()))?;
    let doc = super::parse_message(text, &policy.limits)?;
    let v = verify_document(&doc, policy, signing, keys, replay, now)?;
    owned(&doc, v)
}

/// The accepted message: the envelope's parts, what was checked, and what the signature
/// proved (if any).
#[allow(clippy::too_many_arguments)]
fn accepted_document<'d>(
    doc: &'d Document<'d>,
    soap: Soap,
    addressing: Option<Addressing>,
    addressing_headers: &[Element],
    body: Element,
    application_headers: &[Element],
    (created, expires): (Option<SystemTime>, Option<SystemTime>),
    signed: Option<SignedBy>,
    token: Option<Element>,
) -> VerifiedDocument<'d> {
    let addr_text = |local: &str| {
        addressing_headers
            .iter()
            .find(|h| doc.local_name(**h) == local)
            .map(|h| doc.text(*h).trim().to_owned())
    };
    VerifiedDocument {
        soap,
        addressing,
        action: addr_text("Action"),
        message_id: addr_text("MessageID"),
        relates_to: addr_text("RelatesTo"),
        to: addr_text("To"),
        created,
        expires,
        signed,
        body,
        token,
        headers: application_headers.to_vec(),
        _doc: std::marker::PhantomData,
    }
}

/// An application request under a username on every message (MS-LWSSP §4.1): the
/// bootstrap's security header — a fresh Timestamp and at most one UsernameToken with
/// a text password, nothing else (the one bootstrap reader checks it) — on an
/// application message. Nothing is signed: TLS protects the message, as it protects a
/// bootstrap. The username comes back unvalidated.
pub(crate) fn read_username_request<'d>(
    doc: &'d Document<'d>,
    policy: &Acceptance,
    now: SystemTime,
) -> Result<
    (
        VerifiedDocument<'d>,
        Option<(String, crate::credentials::Password)>,
    ),
    SecurityError,
> {
    let env = read_envelope(doc)?;
    if env.security.is_none() {
        return Err(SecurityError::NoSecurityHeader);
    }
    let boot = super::bootstrap::read_header(doc, env.security, policy, now)?;
    let accepted = accepted_document(
        doc,
        env.soap,
        env.addressing,
        &env.addressing_headers,
        env.body,
        &env.application_headers,
        (boot.created, boot.expires),
        None,
        None,
    );
    Ok((accepted, boot.username))
}

/// An application request under TLS alone (no message security): a SOAP envelope with
/// no WS-Security header for this receiver, or one holding a Timestamp alone (a
/// policy-driven client adds one when its policy says `IncludeTimestamp`; it is checked
/// as a bootstrap's is). Anything else in the header — a token, a signature — would ask
/// for checks this description does not make: refused rather than ignored.
pub(crate) fn read_transport_request<'d>(
    doc: &'d Document<'d>,
    policy: &Acceptance,
    now: SystemTime,
) -> Result<VerifiedDocument<'d>, SecurityError> {
    let env = read_envelope(doc)?;
    let (mut created, mut expires) = (None, None);
    if let Some(security) = env.security {
        // `policy` requires no timestamp here (`Config` says so under TLS alone).
        let boot = super::bootstrap::read_header(doc, Some(security), policy, now)?;
        if boot.username.is_some() {
            return Err(HeaderError::Unsupported {
                element: "a UsernameToken (this endpoint is secured by TLS alone)".into(),
            }
            .into());
        }
        (created, expires) = (boot.created, boot.expires);
    }
    Ok(accepted_document(
        doc,
        env.soap,
        env.addressing,
        &env.addressing_headers,
        env.body,
        &env.application_headers,
        (created, expires),
        None,
        None,
    ))
}

/// The owned form of an accepted message: the Body's content canonicalized.
pub(crate) fn owned(
    doc: &Document<'_>,
    v: VerifiedDocument<'_>,
) -> Result<Verified, SecurityError> {
    // (The canonical form is about the size of the source's.)
    let mut body = Vec::with_capacity(doc.range(v.body).len());
    for child in doc.children(v.body) {
        c14n::exclusive(doc, child, &[], false, &mut body);
    }
    let mut headers = Vec::with_capacity(v.headers.len());
    for h in &v.headers {
        let mut block = String::new();
        c14n::exclusive(doc, *h, &[], false, &mut block);
        headers.push(block);
    }
    Ok(Verified {
        headers,
        soap: v.soap,
        addressing: v.addressing,
        action: v.action,
        message_id: v.message_id,
        relates_to: v.relates_to,
        to: v.to,
        created: v.created,
        expires: v.expires,
        signed: v.signed,
        body: String::from_utf8(body).map_err(|_| EnvelopeError::BodyNotUtf8)?,
    })
}

/// Base64 content, white space allowed (as XML Signature writes it); `None` when it is
/// not base64. Digests, signature values and nonces are short: bounded by the message.
fn decode_b64(text: &str) -> Option<Vec<u8>> {
    crate::text::base64_in_xml(text, usize::MAX).ok()
}

/// Whether the security header addressed to this receiver holds a signature (for a
/// direction that may come signed or not: [`Profile::reply_for`](super::profile::Profile::reply_for)).
pub fn carries_signature(doc: &Document<'_>) -> bool {
    // An envelope the one reader refuses is refused by the verifier too, signed or not.
    read_envelope(doc)
        .ok()
        .and_then(|e| e.security)
        .is_some_and(|s| doc.children(s).any(|c| doc.is(c, ns::DS, "Signature")))
}

/// A SOAP envelope as the one strict reader finds it (see [`read_envelope`]).
#[derive(Debug)]
pub(crate) struct Envelope {
    pub soap: Soap,
    pub header: Option<Element>,
    pub body: Element,
    /// The WS-Security header addressed to this receiver, if any.
    pub security: Option<Element>,
    /// The WS-Addressing version of the addressing headers, if there are any.
    pub addressing: Option<Addressing>,
    /// The addressing headers, each local name once.
    pub addressing_headers: Vec<Element>,
    /// The other header blocks (none that must be understood by this receiver).
    pub application_headers: Vec<Element>,
}

/// The one strict reader of a SOAP envelope, for every message wsbind receives: SOAP
/// 1.1 or 1.2, at most one Header before one Body and nothing else; addressing headers
/// in one version, each at most once; at most one WS-Security header for this
/// receiver; no other header this receiver must understand (SOAP's rule, and nothing
/// unverified reaches the application that way).
pub(crate) fn read_envelope(doc: &Document<'_>) -> Result<Envelope, SecurityError> {
    let env = doc.root();
    let soap = Soap::from_ns(doc.namespace(env))
        .filter(|_| doc.local_name(env) == "Envelope")
        .ok_or_else(|| SecurityError::NotSoap {
            found: peer_text(&format!(
                "{{{}}}{}",
                doc.namespace(env),
                doc.local_name(env)
            )),
        })?;
    let sns = soap.ns();
    let mut header = None;
    let mut body = None;
    for child in doc.children(env) {
        if doc.is(child, sns, "Header") && header.is_none() && body.is_none() {
            header = Some(child);
        } else if doc.is(child, sns, "Body") && body.is_none() {
            body = Some(child);
        } else {
            return Err(EnvelopeError::from(Structure::unexpected(doc, env, child)).into());
        }
    }
    let body = body.ok_or_else(|| EnvelopeError::from(Structure::missing(doc, env, "Body")))?;
    // Addressing headers and the security header.
    let mut security = None;
    let mut addressing: Option<Addressing> = None;
    let mut addressing_headers: Vec<Element> = Vec::new();
    let mut application_headers: Vec<Element> = Vec::new();
    for h in header.into_iter().flat_map(|h| doc.children(h)) {
        if doc.is(h, ns::WSSE, "Security") {
            let for_us = targets_us(doc, h, soap);
            if for_us {
                if security.is_some() {
                    return Err(HeaderError::TwoSecurityHeaders.into());
                }
                security = Some(h);
            }
        } else if let Some(a) = Addressing::from_ns(doc.namespace(h)) {
            match addressing {
                Some(prev) if prev != a => return Err(EnvelopeError::MixedAddressing.into()),
                _ => addressing = Some(a),
            }
            let local = doc.local_name(h);
            if addressing_headers
                .iter()
                .any(|p| doc.local_name(*p) == local)
            {
                return Err(EnvelopeError::RepeatedHeader {
                    header: peer_text(local),
                }
                .into());
            }
            addressing_headers.push(h);
        } else if must_understand(doc, h, soap) && targets_us(doc, h, soap) {
            // SOAP: a header the receiver must understand and does not is a fault. Nor
            // would it be signed: nothing unverified reaches the application this way.
            return Err(EnvelopeError::MustUnderstand {
                header: peer_text(&format!("{{{}}}{}", doc.namespace(h), doc.local_name(h))),
            }
            .into());
        } else {
            application_headers.push(h);
        }
    }
    Ok(Envelope {
        soap,
        header,
        body,
        security,
        addressing,
        addressing_headers,
        application_headers,
    })
}

/// What the security header holds: its Timestamp and Signature, having refused
/// anything the direction does not use (a Timestamp only where it is unsigned; the
/// token and derived-key tokens the signature references where it is signed).
fn header_content(
    doc: &Document<'_>,
    security: Element,
    signing: &Signing,
) -> Result<(Option<Element>, Option<Element>), SecurityError> {
    let mut timestamp = None;
    let mut signature = None;
    for child in doc.children(security) {
        let cns = doc.namespace(child);
        let local = doc.local_name(child);
        if cns == ns::WSU && local == "Timestamp" {
            if timestamp.replace(child).is_some() {
                return Err(
                    HeaderError::from(Structure::repeated(doc, security, "Timestamp")).into(),
                );
            }
        } else if cns == ns::DS && local == "Signature" && signing.signed() {
            if signature.replace(child).is_some() {
                return Err(
                    HeaderError::from(Structure::repeated(doc, security, "Signature")).into(),
                );
            }
        } else if crate::wire::sc_by_ns(cns).is_some()
            && (local == "SecurityContextToken"
                || (local == "DerivedKeyToken" && signing.key == KeyUse::Derived))
            && signing.signed()
        {
            // Used through references below.
        } else if !signing.signed() {
            return Err(HeaderError::NotTimestampOnly {
                element: name(doc, child),
            }
            .into());
        } else {
            return Err(HeaderError::Unsupported {
                element: peer_text(&format!("{} ({{{cns}}}{local})", name(doc, child))),
            }
            .into());
        }
    }
    Ok((timestamp, signature))
}

/// One reference of a SignedInfo, read.
struct Ref<'x> {
    uri: &'x str,
    target: Element,
    prefixes: Vec<&'x str>,
    digest: DigestAlgorithm,
    value: Vec<u8>,
}

/// A signature's parts, read and bounded before any key is looked up.
struct SignatureParts<'d> {
    signed_info: Element,
    value_el: Element,
    key_info: Element,
    si_prefixes: Vec<&'d str>,
    alg: SignatureAlgorithm,
    refs: Vec<Ref<'d>>,
}

/// Reads a `ds:Signature`: its structure exactly (SignedInfo, SignatureValue,
/// KeyInfo), SignedInfo bounded and canonicalized as exclusive C14N only, an HMAC the
/// policy allows and never truncated, and references each naming exactly one element
/// a profile may sign, once.
fn signature_parts<'d>(
    doc: &'d Document<'d>,
    signature: Element,
    policy: &Acceptance,
    timestamp: Option<Element>,
    body: Element,
    addressing_headers: &[Element],
    application_headers: &[Element],
) -> Result<SignatureParts<'d>, SecurityError> {
    let mut sig_children = doc.children(signature);
    let signed_info = sig_children
        .next()
        .filter(|e| doc.is(*e, ns::DS, "SignedInfo"))
        .ok_or(not_first("Signature", "SignedInfo"))?;
    let value_el = sig_children
        .next()
        .filter(|e| doc.is(*e, ns::DS, "SignatureValue"))
        .ok_or(not_after("SignedInfo", "SignatureValue"))?;
    let key_info = sig_children
        .next()
        .filter(|e| doc.is(*e, ns::DS, "KeyInfo"))
        .ok_or(KeyInfoError::NoKeyInfo)?;
    if let Some(extra) = sig_children.next() {
        return Err(SignatureError::from(Structure::unexpected(doc, signature, extra)).into());
    }

    let si_bytes = doc.range(signed_info).len();
    if si_bytes > MAX_SIGNED_INFO {
        return Err(SignatureError::SignedInfoSize {
            bytes: si_bytes,
            max: MAX_SIGNED_INFO,
        }
        .into());
    }
    let mut si_children = doc.children(signed_info);
    let c14n_method = si_children
        .next()
        .filter(|e| doc.is(*e, ns::DS, "CanonicalizationMethod"))
        .ok_or(not_first("SignedInfo", "CanonicalizationMethod"))?;
    let si_prefixes = c14n_prefixes(doc, c14n_method)?;
    let method = si_children
        .next()
        .filter(|e| doc.is(*e, ns::DS, "SignatureMethod"))
        .ok_or(not_after("CanonicalizationMethod", "SignatureMethod"))?;
    let method_uri = doc.attr(method, "", "Algorithm").unwrap_or("");
    let alg = SignatureAlgorithm::from_uri(method_uri)
        .filter(|a| policy.signatures.contains(a))
        .ok_or_else(|| SecurityError::UnsupportedAlgorithm {
            what: "signature",
            uri: peer_text(method_uri),
        })?;
    if let Some(c) = doc.children(method).next() {
        // HMACOutputLength truncates the HMAC (CVE-2009-0217): never accepted.
        return Err(SignatureError::Truncation {
            element: name(doc, c),
        }
        .into());
    }
    let mut refs: Vec<Ref<'_>> = Vec::new();
    for r in si_children {
        if !doc.is(r, ns::DS, "Reference") {
            return Err(SignatureError::from(Structure::unexpected(doc, signed_info, r)).into());
        }
        let uri = doc.attr(r, "", "URI").ok_or(SignatureError::NoUri)?;
        let id = uri
            .strip_prefix('#')
            .filter(|id| !id.is_empty())
            .ok_or_else(|| SignatureError::NotSameDocument {
                uri: peer_text(uri),
            })?;
        if refs.iter().any(|x| x.uri == uri) {
            return Err(SignatureError::ReferencedTwice {
                uri: peer_text(uri),
            }
            .into());
        }
        if refs.len() >= MAX_REFERENCES {
            return Err(SignatureError::TooManyReferences {
                max: MAX_REFERENCES,
            }
            .into());
        }
        let mut parts = doc.children(r);
        let transforms = parts
            .next()
            .filter(|e| doc.is(*e, ns::DS, "Transforms"))
            .ok_or_else(|| SignatureError::from(Structure::missing(doc, r, "Transforms")))?;
        let mut ts = doc.children(transforms);
        let (Some(t), None) = (ts.next(), ts.next()) else {
            return Err(SignatureError::TransformCount {
                uri: peer_text(uri),
            }
            .into());
        };
        if !doc.is(t, ns::DS, "Transform") {
            return Err(SignatureError::from(Structure::unexpected(doc, transforms, t)).into());
        }
        let prefixes = c14n_prefixes(doc, t)?;
        let dm = parts
            .next()
            .filter(|e| doc.is(*e, ns::DS, "DigestMethod"))
            .ok_or_else(|| SignatureError::from(Structure::missing(doc, r, "DigestMethod")))?;
        leaf_element(doc, dm)?;
        let dm_uri = doc.attr(dm, "", "Algorithm").unwrap_or("");
        let digest = DigestAlgorithm::from_uri(dm_uri)
            .filter(|d| policy.digests.contains(d))
            .ok_or_else(|| SecurityError::UnsupportedAlgorithm {
                what: "digest",
                uri: peer_text(dm_uri),
            })?;
        let dv = parts
            .next()
            .filter(|e| doc.is(*e, ns::DS, "DigestValue"))
            .ok_or_else(|| SignatureError::from(Structure::missing(doc, r, "DigestValue")))?;
        if let Some(extra) = parts.next() {
            return Err(SignatureError::from(Structure::unexpected(doc, r, extra)).into());
        }
        leaf_element(doc, dv)?;
        let value = decode_b64(&doc.text(dv)).ok_or(SignatureError::Base64 {
            what: "a DigestValue",
        })?;
        let target = unique(doc, id, uri)?;
        // Only what a profile may sign, each once: the security header's Timestamp,
        // the Body, a header block beside the security header. None of these nests in
        // another, so the digests cost at most one pass over the message, however many
        // references there are (32 references to nested elements of a 1 MiB Body cost
        // 10x once).
        let signable = Some(target) == timestamp
            || target == body
            || addressing_headers.contains(&target)
            || application_headers.contains(&target);
        if !signable {
            return Err(SignatureError::UnsignableTarget {
                uri: peer_text(uri),
            }
            .into());
        }
        if refs.iter().any(|x| x.target == target) {
            return Err(SignatureError::ReferencedTwice {
                uri: peer_text(uri),
            }
            .into());
        }
        refs.push(Ref {
            uri,
            target,
            prefixes,
            digest,
            value,
        });
    }
    if refs.is_empty() {
        return Err(SignatureError::NoReference.into());
    }
    Ok(SignatureParts {
        signed_info,
        value_el,
        key_info,
        si_prefixes,
        alg,
        refs,
    })
}

/// What the references cover, checked against what the profile requires: *the*
/// timestamp of the security header, *the* Body, the addressing headers (all, or those
/// the description names) — a copy elsewhere does not count.
fn coverage(
    doc: &Document<'_>,
    signing: &Signing,
    policy: &Acceptance,
    refs: &[Ref<'_>],
    timestamp: Option<Element>,
    body: Element,
    addressing_headers: &[Element],
) -> Result<Vec<Part>, SecurityError> {
    // Coverage, as the profile requires: *the* timestamp of the security header, *the*
    // Body, every addressing header (a copy elsewhere does not count).
    let signed = |e: Element| refs.iter().any(|r| r.target == e);
    if signing.covers(Part::Body) && !signed(body) {
        return Err(SecurityError::Unsigned {
            part: "SOAP Body".into(),
        });
    }
    if let Some(ts) = timestamp {
        if signing.covers(Part::Timestamp) && !signed(ts) {
            return Err(SecurityError::Unsigned {
                part: "Timestamp".into(),
            });
        }
    }
    if policy.require_signed_addressing && signing.covers(Part::Addressing) {
        if let Some(h) = addressing_headers.iter().find(|h| !signed(**h)) {
            return Err(SecurityError::Unsigned {
                part: format!("{} header", peer_text(doc.local_name(*h))),
            });
        }
    }
    // The headers named one by one (`wsbind-signed-headers`), where present.
    if let Some(h) = addressing_headers.iter().find(|h| {
        wire::header_kind(doc.local_name(**h)).is_some_and(|k| signing.covers(Part::Header(k)))
            && !signed(**h)
    }) {
        return Err(SecurityError::Unsigned {
            part: format!("{} header", peer_text(doc.local_name(*h))),
        });
    }
    let mut covered = Vec::new();
    if timestamp.is_some_and(signed) {
        covered.push(Part::Timestamp);
    }
    if !addressing_headers.is_empty() && addressing_headers.iter().all(|h| signed(*h)) {
        covered.push(Part::Addressing);
    } else {
        covered.extend(
            addressing_headers
                .iter()
                .filter(|h| signed(**h))
                .filter_map(|h| wire::header_kind(doc.local_name(*h)))
                .map(Part::Header),
        );
    }
    if signed(body) {
        covered.push(Part::Body);
    }
    Ok(covered)
}

/// Verifies a parsed message of a direction protected as `signing` says (see the module
/// documentation).
pub fn verify_document<'d>(
    doc: &'d Document<'d>,
    policy: &Acceptance,
    signing: &Signing,
    keys: &mut dyn ContextKeys,
    replay: &mut dyn SeenSignatures,
    now: SystemTime,
) -> Result<VerifiedDocument<'d>, SecurityError> {
    // 1. Envelope.
    let Envelope {
        soap,
        body,
        security,
        addressing,
        addressing_headers,
        application_headers,
        ..
    } = read_envelope(doc)?;
    // The accepted message: what was checked, and what the signature proved (if any).
    let accepted = |created, expires, signed, token| {
        accepted_document(
            doc,
            soap,
            addressing,
            &addressing_headers,
            body,
            &application_headers,
            (created, expires),
            signed,
            token,
        )
    };
    let Some(security) = security else {
        // Only an unsigned direction whose timestamps are not required (a reply under
        // `timestamp-usage = "requests-only"`) may come without a Security header.
        if signing.signed() || policy.require_timestamp {
            return Err(SecurityError::NoSecurityHeader);
        }
        return Ok(accepted(None, None, None, None));
    };

    // 2. The security header's content.
    let (timestamp, signature) = header_content(doc, security, signing)?;

    // 3. Timestamp.
    // A signature over the Timestamp alone proves nothing without one.
    let only_timestamp = signing.covers == [Part::Timestamp];
    let (created, expires) = match timestamp {
        None if policy.require_timestamp || only_timestamp => {
            return Err(SecurityError::NoTimestamp)
        }
        None => (None, None),
        Some(ts) => {
            let (created, expires) = check_timestamp(doc, ts, policy, now)?;
            (Some(created), expires)
        }
    };

    if !signing.signed() {
        // An unsigned direction: the structure and the Timestamp were what to check.
        return Ok(accepted(created, expires, None, None));
    }

    // 4. Signature structure.
    let signature = signature.ok_or(SignatureError::NoSignature)?;
    let SignatureParts {
        signed_info,
        value_el,
        key_info,
        si_prefixes,
        alg,
        refs,
    } = signature_parts(
        doc,
        signature,
        policy,
        timestamp,
        body,
        &addressing_headers,
        &application_headers,
    )?;
    let covered = coverage(
        doc,
        signing,
        policy,
        &refs,
        timestamp,
        body,
        &addressing_headers,
    )?;
    let signature_value = signature_value(doc, value_el, alg)?;

    // 5. The key: KeyInfo → the SCT (or a context identifier), directly or through a
    //    derived key token, as the profile says.
    let mut ki = doc.children(key_info);
    let (Some(str_el), None) = (ki.next(), ki.next()) else {
        return Err(KeyInfoError::NotOneTokenReference.into());
    };
    let key_ref = str_reference(doc, str_el).map_err(KeyInfoError::Reference)?;
    let (token, derivation) = match signing.key {
        KeyUse::Context => (token_of(doc, security, &key_ref, None, policy)?, None),
        KeyUse::Derived => {
            let dk_id =
                key_ref
                    .uri
                    .strip_prefix('#')
                    .ok_or_else(|| KeyInfoError::NotInMessage {
                        uri: peer_text(key_ref.uri),
                    })?;
            let dkt = unique(doc, dk_id, key_ref.uri)?;
            let sc = crate::wire::sc_by_ns(doc.namespace(dkt))
                .filter(|_| doc.local_name(dkt) == "DerivedKeyToken")
                .ok_or_else(|| KeyInfoError::NotDerivedKey {
                    uri: peer_text(key_ref.uri),
                })?;
            if doc.parent(dkt) != Some(security) {
                return Err(KeyInfoError::NotInHeader.into());
            }
            check_version(sc, policy)?;
            let derivation = derivation(doc, dkt, sc, policy)?;
            let source = required(doc, dkt, ns::WSSE, "SecurityTokenReference")
                .map_err(DerivedKeyError::from)?;
            let src_ref = str_reference(doc, source).map_err(DerivedKeyError::Source)?;
            (
                token_of(doc, security, &src_ref, Some(sc), policy)?,
                Some(derivation),
            )
        }
    };
    let ResolvedToken {
        sc,
        identifier,
        instance,
        cookie,
        element: token,
    } = token;
    let (context_key, refusal) = keys
        .key_or_refusal(
            &TokenInfo {
                sc,
                identifier: &identifier,
                instance: instance.as_deref(),
                cookie: cookie.as_deref(),
            },
            now,
        )
        .map_err(|error| SecurityError::Context {
            identifier: peer_text(&identifier),
            error,
            version: sc.version,
        })?;
    let signing_key = match derivation {
        Some(d) => d.derive(&context_key).map_err(DerivedKeyError::Derive)?,
        None => context_key,
    };

    // 6. HMAC over SignedInfo, then the digests.
    check_hmac(
        doc,
        signed_info,
        &si_prefixes,
        alg,
        &signing_key,
        &signature_value,
    )?;
    // The sender holds the context's key: now it may learn the context's state.
    if let Some(error) = refusal {
        return Err(SecurityError::Context {
            identifier: peer_text(&identifier),
            error,
            version: sc.version,
        });
    }
    check_digests(doc, &refs)?;

    // 7. Replay.
    replay
        .check_and_insert(
            &signature_value,
            keys.owner().unwrap_or(&identifier),
            acceptable_until(created, expires, policy, now),
            now,
        )
        .map_err(SecurityError::from)?;

    let signed = SignedBy {
        version: sc.version,
        identifier,
        instance,
        signature: alg,
        covered,
    };
    Ok(accepted(created, expires, Some(signed), token))
}

/// The HMAC by `key` over the canonical SignedInfo is `value` (ring compares in
/// constant time).
fn check_hmac(
    doc: &Document<'_>,
    signed_info: Element,
    prefixes: &[&str],
    alg: SignatureAlgorithm,
    key: &SecretKey,
    value: &[u8],
) -> Result<(), SecurityError> {
    let mut out = alg.keyed(key.as_bytes());
    c14n::exclusive(doc, signed_info, prefixes, false, &mut out);
    let tag = out.finish();
    if !bool::from(subtle::ConstantTimeEq::ct_eq(tag.as_ref(), value)) {
        return Err(SecurityError::SignatureMismatch);
    }
    Ok(())
}

/// Each reference's digest matches its target's canonical form.
fn check_digests(doc: &Document<'_>, refs: &[Ref<'_>]) -> Result<(), SecurityError> {
    for r in refs {
        let mut ctx = r.digest.hasher();
        c14n::exclusive(doc, r.target, &r.prefixes, false, &mut ctx);
        let d = ctx.finish();
        if !bool::from(subtle::ConstantTimeEq::ct_eq(
            d.as_ref(),
            r.value.as_slice(),
        )) {
            return Err(SecurityError::DigestMismatch {
                uri: peer_text(r.uri),
            });
        }
    }
    Ok(())
}

/// The signature value of `parts`, decoded, of the algorithm's length.
fn signature_value(
    doc: &Document<'_>,
    value_el: Element,
    alg: SignatureAlgorithm,
) -> Result<Vec<u8>, SecurityError> {
    let value = decode_b64(&doc.text(value_el)).ok_or(SignatureError::Base64 {
        what: "SignatureValue",
    })?;
    if value.len() != alg.output_len() {
        return Err(SignatureError::ValueLength {
            alg,
            found: value.len(),
            expected: alg.output_len(),
        }
        .into());
    }
    Ok(value)
}

/// Why a Kerberos bootstrap was not accepted: the message, or the service's verdict on
/// its AP-REQ.
#[derive(Debug)]
pub(crate) enum KerberosRefusal {
    Message(SecurityError),
    Rejected(crate::credentials::Rejected),
}

impl<E: Into<SecurityError>> From<E> for KerberosRefusal {
    fn from(e: E) -> Self {
        KerberosRefusal::Message(e.into())
    }
}

/// Verifies a Kerberos bootstrap (MS-LWSSP §2.2.1.3.1): the `BinarySecurityToken` is a
/// base64 `GSS_Kerberosv5_AP_REQ` with an id, bounded; the signature beside it is
/// well-formed, covers the Timestamp, and its KeyInfo references that token directly —
/// all read before the AP-REQ is handed to `acceptor` (which decrypts it with the
/// service's key, checks its times and its replay cache); then the HMAC by the session
/// key the acceptor found, and the digests. Returns what the acceptor said.
pub(crate) fn kerberos_bootstrap(
    doc: &Document<'_>,
    parts: &super::bootstrap::KerberosParts,
    policy: &Acceptance,
    acceptor: &dyn crate::credentials::KerberosAcceptor,
) -> Result<crate::credentials::KerberosAccepted, KerberosRefusal> {
    use super::bootstrap::MAX_AP_REQ_BYTES;
    use super::KerberosTokenError as K;
    let env = read_envelope(doc)?;
    let token = parts.token;
    let value_type = doc.attr(token, "", "ValueType").unwrap_or("");
    if value_type != uri::KERBEROS_AP_REQ {
        return Err(K::ValueType {
            found: peer_text(value_type),
        }
        .into());
    }
    if let Some(enc) = doc
        .attr(token, "", "EncodingType")
        .filter(|e| *e != uri::BASE64_BINARY)
    {
        return Err(K::EncodingType {
            found: peer_text(enc),
        }
        .into());
    }
    let id = doc.attr(token, ns::WSU, "Id").ok_or(K::NoId)?;
    let ap_req = crate::text::base64_in_xml(&doc.text(token), MAX_AP_REQ_BYTES.div_ceil(3) * 4)
        .map_err(|e| match e {
            crate::text::Base64Error::TooLong => K::Size {
                max: MAX_AP_REQ_BYTES,
            },
            _ => K::NotBase64,
        })?;
    if ap_req.is_empty() {
        return Err(K::Size {
            max: MAX_AP_REQ_BYTES,
        }
        .into());
    }
    let timestamp = parts.timestamp.ok_or(SecurityError::NoTimestamp)?;
    let SignatureParts {
        signed_info,
        value_el,
        key_info,
        si_prefixes,
        alg,
        refs,
    } = signature_parts(
        doc,
        parts.signature,
        policy,
        Some(timestamp),
        env.body,
        &env.addressing_headers,
        &env.application_headers,
    )?;
    let signing = Signing {
        covers: &[Part::Timestamp],
        key: KeyUse::Context,
        headers: super::HeaderSet::NONE,
    };
    coverage(
        doc,
        &signing,
        policy,
        &refs,
        Some(timestamp),
        env.body,
        &env.addressing_headers,
    )?;
    let mut ki = doc.children(key_info);
    let (Some(str_el), None) = (ki.next(), ki.next()) else {
        return Err(KeyInfoError::NotOneTokenReference.into());
    };
    let key_ref = str_reference(doc, str_el).map_err(KeyInfoError::Reference)?;
    let to_token = key_ref.uri.strip_prefix('#') == Some(id)
        && key_ref
            .value_type
            .is_none_or(|vt| vt == uri::KERBEROS_AP_REQ);
    if !to_token {
        return Err(K::KeyInfo {
            uri: peer_text(key_ref.uri),
        }
        .into());
    }
    // The reference names one element: the token (an id given twice is refused).
    if unique(doc, id, key_ref.uri)? != token {
        return Err(K::KeyInfo {
            uri: peer_text(key_ref.uri),
        }
        .into());
    }
    let value = signature_value(doc, value_el, alg)?;
    let accepted = acceptor
        .accept(&ap_req)
        .map_err(KerberosRefusal::Rejected)?;
    check_hmac(doc, signed_info, &si_prefixes, alg, &accepted.key, &value)?;
    check_digests(doc, &refs)?;
    Ok(accepted)
}

/// Whether a header carries `mustUnderstand` set (`1`/`true`).
fn must_understand(doc: &Document<'_>, h: Element, soap: Soap) -> bool {
    matches!(
        doc.attr(h, soap.ns(), "mustUnderstand").map(str::trim),
        Some("1" | "true")
    )
}

/// Whether a header is for the ultimate receiver (no actor/role, or next/ultimate).
fn targets_us(doc: &Document<'_>, h: Element, soap: Soap) -> bool {
    let target = match soap {
        Soap::V11 => doc.attr(h, soap.ns(), "actor"),
        Soap::V12 => doc.attr(h, soap.ns(), "role"),
    };
    match target {
        None => true,
        Some(t) => matches!(
            t,
            "http://schemas.xmlsoap.org/soap/actor/next"
                | "http://www.w3.org/2003/05/soap-envelope/role/next"
                | "http://www.w3.org/2003/05/soap-envelope/role/ultimateReceiver"
        ),
    }
}

fn version_name(v: ScVersion) -> &'static str {
    match v {
        ScVersion::Feb2005 => "February 2005",
        ScVersion::V1_3 => "1.3",
    }
}

/// The element with wsu:Id / Id / xml:id `id`: exactly one in the whole document.
fn unique(doc: &Document<'_>, id: &str, uri: &str) -> Result<Element, SecurityError> {
    let mut it = doc.elements_with_id(id);
    match (it.next(), it.next()) {
        (Some(e), None) => Ok(e),
        (None, _) => Err(SecurityError::AmbiguousReference {
            uri: peer_text(uri),
            count: 0,
        }),
        (Some(_), Some(_)) => Err(SecurityError::AmbiguousReference {
            uri: peer_text(uri),
            count: 2 + it.count(),
        }),
    }
}

/// Checks a CanonicalizationMethod/Transform is exclusive C14N and returns its
/// InclusiveNamespaces prefix list.
fn c14n_prefixes<'d>(doc: &'d Document<'_>, e: Element) -> Result<Vec<&'d str>, SecurityError> {
    let alg = doc.attr(e, "", "Algorithm").unwrap_or("");
    if alg != uri::EXC_C14N {
        return Err(SecurityError::UnsupportedAlgorithm {
            what: "canonicalization",
            uri: peer_text(alg),
        });
    }
    // Exactly the structure exclusive C14N defines: at most one InclusiveNamespaces,
    // itself empty.
    let mut kids = doc.children(e);
    let Some(c) = kids.next() else {
        return Ok(Vec::new());
    };
    if !doc.is(c, ns::EXC_C14N, "InclusiveNamespaces") {
        return Err(SignatureError::from(Structure::unexpected(doc, e, c)).into());
    }
    if kids.next().is_some() {
        return Err(SignatureError::InclusiveNamespacesTwice.into());
    }
    leaf_element(doc, c)?;
    let prefixes: Vec<&str> = doc
        .attr(c, "", "PrefixList")
        .unwrap_or("")
        .split_ascii_whitespace()
        .take(MAX_PREFIXES + 1)
        .collect();
    if prefixes.len() > MAX_PREFIXES {
        return Err(SignatureError::TooManyPrefixes { max: MAX_PREFIXES }.into());
    }
    Ok(prefixes)
}

/// Refuses an element child inside `e` (DigestMethod, DigestValue and
/// InclusiveNamespaces hold none).
fn leaf_element(doc: &Document<'_>, e: Element) -> Result<(), SecurityError> {
    match doc.children(e).next() {
        Some(c) => Err(SignatureError::from(Structure::unexpected(doc, e, c)).into()),
        None => Ok(()),
    }
}

/// The `wsse:Reference` of a SecurityTokenReference (`trust::str_parts`, the one
/// reader), its `Instance` in either generation's namespace.
fn str_reference<'d>(
    doc: &'d Document<'_>,
    str_el: Element,
) -> Result<StrParts<'d>, TokenReferenceError> {
    let generations = [ScVersion::Feb2005, ScVersion::V1_3].map(|v| crate::wire::sc(v).sc);
    crate::trust::str_parts(doc, str_el, &generations)
}

/// The parameters of a derived key token, bounded by the policy.
fn derivation(
    doc: &Document<'_>,
    dkt: Element,
    sc: &Sc,
    policy: &Acceptance,
) -> Result<Derivation, SecurityError> {
    // WSS4J reads Algorithm only namespace-qualified; the schema has it unqualified.
    for alg in [
        doc.attr(dkt, "", "Algorithm"),
        doc.attr(dkt, sc.sc, "Algorithm"),
    ]
    .into_iter()
    .flatten()
    {
        if alg != sc.dk_p_sha1 {
            return Err(SecurityError::UnsupportedAlgorithm {
                what: "key derivation",
                uri: peer_text(alg),
            });
        }
    }
    for c in doc.children(dkt) {
        let known = doc.is(c, ns::WSSE, "SecurityTokenReference")
            || ["Offset", "Generation", "Length", "Label", "Nonce"]
                .iter()
                .any(|l| doc.is(c, sc.sc, l));
        if !known {
            return Err(DerivedKeyError::Unsupported {
                element: name(doc, c),
            }
            .into());
        }
    }
    let number = |local: &'static str| -> Result<Option<u64>, DerivedKeyError> {
        match single(doc, dkt, sc.sc, local)? {
            None => Ok(None),
            Some(e) => doc
                .text(e)
                .trim()
                .parse::<u64>()
                .map(Some)
                .map_err(|_| DerivedKeyError::NotANumber { field: local }),
        }
    };
    let length = number("Length")?.unwrap_or(crate::keys::DEFAULT_DERIVED_LENGTH as u64);
    if length < policy.min_derived_key as u64 || length > policy.max_derived_key as u64 {
        return Err(DerivedKeyError::Length {
            length,
            min: policy.min_derived_key,
            max: policy.max_derived_key,
        }
        .into());
    }
    let position = match (number("Offset")?, number("Generation")?) {
        (Some(_), Some(_)) => return Err(DerivedKeyError::OffsetAndGeneration.into()),
        (Some(o), None) => Position::Offset(o),
        (None, Some(g)) => Position::Generation(g),
        (None, None) => Position::Offset(0),
    };
    let label = single(doc, dkt, sc.sc, "Label")
        .map_err(DerivedKeyError::from)?
        .map(|l| doc.text(l).into_owned().into_bytes());
    if let Some(len) = label
        .as_ref()
        .map(Vec::len)
        .filter(|len| *len > crate::keys::MAX_LABEL_BYTES)
    {
        return Err(DerivedKeyError::LabelLength { len }.into());
    }
    let nonce_el = required(doc, dkt, sc.sc, "Nonce").map_err(DerivedKeyError::from)?;
    let nonce = decode_b64(&doc.text(nonce_el)).ok_or(DerivedKeyError::NonceNotBase64)?;
    if nonce.len() < 12 || nonce.len() > 128 {
        return Err(DerivedKeyError::NonceLength { len: nonce.len() }.into());
    }
    Ok(Derivation {
        label,
        nonce,
        position,
        length: length as usize,
    })
}

/// The security context a token reference names.
struct ResolvedToken {
    sc: &'static Sc,
    identifier: String,
    instance: Option<String>,
    cookie: Option<String>,
    /// The SCT element, when it is in the message.
    element: Option<Element>,
}

/// Resolves a reference to a security context: `#id` names an SCT in the security
/// header (of generation `sc`, when the referrer fixes it), anything else is the
/// context's identifier (the SCT is not in the message).
fn token_of(
    doc: &Document<'_>,
    security: Element,
    r: &StrParts<'_>,
    sc: Option<&'static Sc>,
    policy: &Acceptance,
) -> Result<ResolvedToken, SecurityError> {
    let token = match r.uri.strip_prefix('#') {
        Some(id) => {
            let sct = unique(doc, id, r.uri)?;
            let found = crate::wire::sc_by_ns(doc.namespace(sct))
                .filter(|_| doc.local_name(sct) == "SecurityContextToken")
                .filter(|found| sc.is_none_or(|sc| sc.version == found.version))
                .filter(|_| doc.parent(sct) == Some(security));
            let Some(found) = found else {
                return Err(match sc {
                    Some(sc) => DerivedKeyError::SourceNotToken {
                        uri: peer_text(r.uri),
                        version: version_name(sc.version),
                    }
                    .into(),
                    None => KeyInfoError::NotToken {
                        uri: peer_text(r.uri),
                    }
                    .into(),
                });
            };
            let ident = required(doc, sct, found.sc, "Identifier").map_err(TokenError::from)?;
            let instance = single(doc, sct, found.sc, "Instance")
                .map_err(TokenError::from)?
                .map(|i| doc.text(i).trim().to_owned());
            let cookie = single(doc, sct, ns::COOKIE, "Cookie")
                .map_err(TokenError::from)?
                .map(|c| doc.text(c).trim().to_owned());
            ResolvedToken {
                sc: found,
                identifier: doc.text(ident).trim().to_owned(),
                instance,
                cookie,
                element: Some(sct),
            }
        }
        None => {
            // By identifier: the generation is the referrer's, the reference's
            // ValueType's, or this endpoint's.
            let found = sc
                .or_else(|| r.value_type.and_then(crate::wire::sc_by_sct_type))
                .or_else(|| policy.versions.first().map(|v| crate::wire::sc(*v)))
                .unwrap_or(crate::wire::sc(ScVersion::Feb2005));
            ResolvedToken {
                sc: found,
                identifier: r.uri.trim().to_owned(),
                instance: r.instance.map(str::to_owned),
                cookie: None,
                element: None,
            }
        }
    };
    check_version(token.sc, policy)?;
    if let Some(vt) = r.value_type {
        if vt != token.sc.sct {
            return Err(match sc {
                Some(_) => DerivedKeyError::SourceValueType {
                    found: peer_text(vt),
                }
                .into(),
                None => KeyInfoError::ValueType {
                    found: peer_text(vt),
                }
                .into(),
            });
        }
    }
    if token.identifier.is_empty() || token.identifier.len() > MAX_IDENTIFIER {
        return Err(TokenError::Identifier {
            max: MAX_IDENTIFIER,
        }
        .into());
    }
    Ok(token)
}

/// Refuses a context of a generation this endpoint does not speak.
fn check_version(sc: &Sc, policy: &Acceptance) -> Result<(), SecurityError> {
    if policy.versions.contains(&sc.version) {
        return Ok(());
    }
    Err(SecurityError::WrongVersion {
        found: version_name(sc.version),
        expected: policy.versions.first().map_or("none", |v| version_name(*v)),
    })
}
