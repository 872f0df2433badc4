//! Protecting an outgoing message with a security context, in the shape the wire
//! profile gives its direction ([`Signing`]).
//!
//! The envelope is written once with ids on every part to sign, the caller's body is
//! parsed (which proves it is well-formed XML), the parts are digested through
//! exclusive C14N, and the signature is spliced into the security header. `SignedInfo`
//! is written directly in its canonical form, so the bytes signed are the bytes sent.

use super::profile::{KeyUse, Part, Signing};
use super::{DigestAlgorithm, SignatureAlgorithm, Suite};
use crate::envelope::{self, Framing, Headers, SctRef};
use crate::hash::Hash;
use crate::keys::{Derivation, KeyError, Position, Rng, SecretKey};
use crate::wire::{uri, Sc};
use crate::xml::c14n;
use crate::xml::dom::{Document, Limits, XmlError};
use base64::Engine as _;
use std::time::{Duration, SystemTime};

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// A message to protect.
#[derive(Debug, Clone)]
pub struct Outgoing<'a> {
    pub framing: Framing,
    pub headers: Headers<'a>,
    /// The content of the SOAP Body: well-formed XML (usually one element).
    pub body: &'a str,
}

/// The context whose key signs: its SCT identity and key.
#[derive(Debug, Clone, Copy)]
pub struct SigningKey<'a> {
    pub sc: &'static Sc,
    pub identifier: &'a str,
    pub instance: Option<&'a str>,
    /// The sealed server state of a cookie context, echoed in the SCT.
    pub cookie: Option<&'a str>,
    pub key: &'a SecretKey,
    /// Put the SCT in the message (otherwise reference it by identifier).
    pub include_token: bool,
    /// The SCT as the issuer sent it, to send back as it is (a WCF cookie token holds
    /// state only its issuer reads); `None`: wsbind writes the SCT from the fields above.
    pub received: Option<&'a ReceivedToken>,
}

/// A security context token as its issuer sent it: its exclusive canonical form (which
/// carries every namespace declaration it uses) and its `wsu:Id`. Sent back verbatim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedToken {
    /// The token's `wsu:Id`, which the signature's KeyInfo references.
    pub id: String,
    /// The token element, canonical.
    pub xml: String,
}

/// Why a message could not be protected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ProtectError {
    #[error("the message body is not well-formed XML: {0}")]
    Body(XmlError),
    #[error("the message body uses the id `{0}`, which wsbind gives to a signed part")]
    IdClash(String),
    #[error(transparent)]
    Key(#[from] KeyError),
    /// A broken invariant of wsbind itself (a bug): reported, never a panic.
    #[error("internal error: {0}")]
    Internal(&'static str),
}

/// Ids of the parts wsbind adds to the security header.
const TIMESTAMP_ID: &str = "_0";
const SCT_ID: &str = "_sct";
const DK_ID: &str = "_dk";

/// Protects `msg` as `signing` says (one direction of the wire [`Profile`](super::profile::Profile)):
/// a timestamp valid for `validity` from `now`, then, when the direction is signed, the
/// SCT (or a reference to it by identifier), a derived key token when the profile
/// derives, and an HMAC signature over the parts it covers. An unsigned direction (an
/// MS-LWSSP reply) gets a Security header with the Timestamp alone.
pub fn protect(
    msg: &Outgoing<'_>,
    key: &SigningKey<'_>,
    suite: &Suite,
    signing: &Signing,
    now: SystemTime,
    validity: Duration,
    rng: &mut dyn Rng,
) -> Result<String, ProtectError> {
    protect_signed(msg, key, suite, signing, now, validity, rng).map(|(text, _)| text)
}

/// An unsigned message: a Security header with the Timestamp alone (an MS-LWSSP
/// reply, under a context or a username on every message).
pub(crate) fn unsigned(msg: &Outgoing<'_>, now: SystemTime, validity: Duration) -> String {
    let security = envelope::timestamp(None, now, validity);
    msg.framing
        .write(&msg.headers, Some(&security), msg.body, &[])
        .text
}

/// As [`protect`], also returning the signature value (none for an unsigned
/// direction): a sender that records it among the signatures it has seen refuses its
/// own message sent back to it (a reflection).
pub fn protect_signed(
    msg: &Outgoing<'_>,
    key: &SigningKey<'_>,
    suite: &Suite,
    signing: &Signing,
    now: SystemTime,
    validity: Duration,
    rng: &mut dyn Rng,
) -> Result<(String, Option<Vec<u8>>), ProtectError> {
    if !signing.signed() {
        return Ok((unsigned(msg, now, validity), None));
    }
    let stamp = envelope::Stamp::new(now, validity);
    let mut security = stamp.element(Some(TIMESTAMP_ID));
    // A received token goes back as it came, unless its id is one wsbind gives a part
    // of its own (then the SCT is written from its fields).
    let received = key.received.filter(|t| !is_wsbind_id(&t.id));
    let token = if let (true, Some(t)) = (key.include_token, received) {
        security.push_str(&t.xml);
        SctRef::Local(&t.id)
    } else if key.include_token {
        security.push_str(&envelope::sct(
            key.sc,
            SCT_ID,
            key.identifier,
            key.instance,
            key.cookie,
        ));
        SctRef::Local(SCT_ID)
    } else {
        SctRef::External {
            identifier: key.identifier,
            instance: key.instance,
        }
    };
    // The key that signs, and the reference KeyInfo holds.
    let (signing_key, key_info) = match signing.key {
        KeyUse::Context => (key.key.clone(), envelope::sct_reference(key.sc, token)),
        KeyUse::Derived => {
            let mut nonce = [0u8; 16];
            rng.fill(&mut nonce);
            let derivation = Derivation {
                label: None,
                nonce: nonce.to_vec(),
                position: Position::Offset(0),
                length: suite.derived_key_length,
            };
            security.push_str(&envelope::derived_key_token(
                key.sc,
                DK_ID,
                token,
                suite.derived_key_length,
                &nonce,
            ));
            (
                derivation.derive(key.key)?,
                format!(
                    r##"<o:SecurityTokenReference><o:Reference URI="#{DK_ID}" ValueType="{}"/></o:SecurityTokenReference>"##,
                    key.sc.dk
                ),
            )
        }
    };
    // Room for the signature inserted below: SignedInfo's opening, a Reference per
    // signed part, the value and KeyInfo.
    let parts = signing.parts();
    let room = 768 + 320 * (parts.len() + 1) + key_info.len();
    let written =
        msg.framing
            .write_with_room(&msg.headers, Some(&security), msg.body, &parts, room);
    // `Framing::write` reports where the security header ends whenever it is given
    // one, as it is here.
    let insert_at = written.security_end.ok_or(ProtectError::Internal(
        "the envelope writer lost the security header",
    ))?;

    // Digest the signed parts. The timestamp and the addressing headers are wsbind's
    // own and are written in canonical form directly; the caller's body is parsed
    // (which also proves it is well-formed) as a standalone Body with the namespaces
    // the envelope puts in scope, and canonicalized.
    let body_id = written.body_id.as_deref().unwrap_or(BODY_PROBE_ID);
    let body_src = msg.framing.body_document(body_id, msg.body);
    let body_doc =
        super::parse_message(&body_src, &Limits::default()).map_err(ProtectError::Body)?;
    let sct_id = match token {
        SctRef::Local(id) => id,
        SctRef::External { .. } => SCT_ID,
    };
    let ours = [TIMESTAMP_ID, sct_id, DK_ID, body_id]
        .into_iter()
        .chain(written.ids.iter().map(String::as_str));
    for id in ours {
        if body_doc.elements_with_id(id).count() != usize::from(id == body_id) {
            return Err(ProtectError::IdClash(id.to_owned()));
        }
    }
    let mut signed_info = signed_info_head(suite, 256 * written.ids.len());
    let mut reference =
        |id: &str, digest: &[u8]| push_reference(&mut signed_info, suite, id, digest);
    if signing.covers(Part::Timestamp) {
        let ts = stamp.canonical(TIMESTAMP_ID);
        reference(TIMESTAMP_ID, suite.digest.digest(ts.as_bytes()).as_ref());
    }
    for (id, canonical) in &written.signed_headers {
        reference(id, suite.digest.digest(canonical.as_bytes()).as_ref());
    }
    if let Some(body_id) = &written.body_id {
        reference(
            body_id,
            digest_of(&body_doc, body_doc.root(), suite.digest).as_ref(),
        );
    }
    let (signature, value) = signature_element(suite, &signing_key, signed_info, &key_info);
    let mut text = written.text;
    text.insert_str(insert_at, &signature);
    Ok((text, Some(value)))
}

/// SignedInfo's opening: exclusive C14N, the suite's HMAC (`extra`: room for the
/// references).
fn signed_info_head(suite: &Suite, extra: usize) -> String {
    let mut signed_info = String::with_capacity(512 + extra);
    for piece in [
        r#"<SignedInfo xmlns=""#,
        crate::wire::ns::DS,
        r#""><CanonicalizationMethod Algorithm=""#,
        uri::EXC_C14N,
        r#""></CanonicalizationMethod><SignatureMethod Algorithm=""#,
        suite.signature.uri(),
        r#""></SignatureMethod>"#,
    ] {
        signed_info.push_str(piece);
    }
    signed_info
}

/// One Reference of SignedInfo, in its canonical form: `#id`, exclusive C14N, the
/// suite's digest.
fn push_reference(signed_info: &mut String, suite: &Suite, id: &str, digest: &[u8]) {
    for piece in [
        r##"<Reference URI="#"##,
        id,
        r#""><Transforms><Transform Algorithm=""#,
        uri::EXC_C14N,
        r#""></Transform></Transforms><DigestMethod Algorithm=""#,
        suite.digest.uri(),
        r#""></DigestMethod><DigestValue>"#,
    ] {
        signed_info.push_str(piece);
    }
    B64.encode_string(digest, signed_info);
    signed_info.push_str("</DigestValue></Reference>");
}

/// Closes SignedInfo, signs it with `key` and writes the `ds:Signature` with `key_info`
/// (a SecurityTokenReference); returns it and the signature value.
fn signature_element(
    suite: &Suite,
    key: &SecretKey,
    mut signed_info: String,
    key_info: &str,
) -> (String, Vec<u8>) {
    signed_info.push_str("</SignedInfo>");
    let value = hmac(suite.signature, key, signed_info.as_bytes());
    let mut signature = String::with_capacity(signed_info.len() + 400);
    signature.push_str(r#"<Signature xmlns=""#);
    signature.push_str(crate::wire::ns::DS);
    signature.push_str(r#"">"#);
    signature.push_str(&signed_info);
    signature.push_str("<SignatureValue>");
    B64.encode_string(value.as_ref(), &mut signature);
    signature.push_str("</SignatureValue><KeyInfo>");
    signature.push_str(key_info);
    signature.push_str("</KeyInfo></Signature>");
    (signature, value.as_ref().to_vec())
}

/// The `ds:Signature` over the security header's Timestamp alone, as
/// [`envelope::timestamp`] writes it with id `_0` at `now`: MS-LWSSP's signature
/// (§2.2.1.7), keyed by `key` and naming it by `key_info`. The Kerberos bootstrap signs
/// with the AP-REQ's session key this way (§2.2.1.3.1).
pub(crate) fn timestamp_signature(
    suite: &Suite,
    key: &SecretKey,
    key_info: &str,
    now: SystemTime,
    validity: Duration,
) -> String {
    let mut signed_info = signed_info_head(suite, 256);
    let ts = envelope::timestamp_canonical(TIMESTAMP_ID, now, validity);
    push_reference(
        &mut signed_info,
        suite,
        TIMESTAMP_ID,
        suite.digest.digest(ts.as_bytes()).as_ref(),
    );
    signature_element(suite, key, signed_info, key_info).0
}

/// Whether wsbind gives `id` to a part of its own (the Timestamp, a derived key token,
/// the addressing headers and the Body: `_0`, `_dk`, `_1`, `_2`, …).
fn is_wsbind_id(id: &str) -> bool {
    [TIMESTAMP_ID, DK_ID, BODY_PROBE_ID].contains(&id)
        || id
            .strip_prefix('_')
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// The id the Body is parsed with when it is not signed (so that the check for ids
/// the caller's body already uses sees the same document either way).
const BODY_PROBE_ID: &str = "_body";

pub(crate) fn hmac(alg: SignatureAlgorithm, key: &SecretKey, data: &[u8]) -> Hash {
    let mut m = alg.keyed(key.as_bytes());
    m.update(data);
    m.finish()
}

/// The digest of an element's exclusive canonical form (no inclusive prefixes).
pub(crate) fn digest_of(
    doc: &Document<'_>,
    el: crate::xml::dom::Element,
    alg: DigestAlgorithm,
) -> Hash {
    let mut ctx = alg.hasher();
    c14n::exclusive(doc, el, &[], false, &mut ctx);
    ctx.finish()
}
