//! Protecting an outgoing message with a security context.
//!
//! The envelope is written once with ids on every part to sign, parsed back (which also
//! proves the caller's body is well-formed XML), the parts are digested through
//! exclusive C14N, and the signature is spliced into the security header. `SignedInfo`
//! is written directly in its canonical form, so the bytes signed are the bytes sent.

use super::{DigestAlgorithm, SignatureAlgorithm, Suite};
use crate::envelope::{self, Framing, Headers, SctRef};
use crate::keys::{Derivation, KeyError, Position, Rng, SecretKey};
use crate::wire::{uri, Sc};
use crate::xml::c14n::{self, Output};
use crate::xml::dom::{Document, Limits, XmlError};
use base64::Engine as _;
use std::fmt::Write as _;
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
}

/// Why a message could not be protected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
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

/// Protects `msg` with a key derived from `key`: timestamp (valid for `validity` from
/// `now`), SCT, derived key token, and an HMAC signature over the timestamp, every
/// addressing header and the Body.
pub fn protect(
    msg: &Outgoing<'_>,
    key: &SigningKey<'_>,
    suite: &Suite,
    now: SystemTime,
    validity: Duration,
    rng: &mut dyn Rng,
) -> Result<String, ProtectError> {
    let mut nonce = [0u8; 16];
    rng.fill(&mut nonce);
    let derivation = Derivation {
        label: None,
        nonce: nonce.to_vec(),
        position: Position::Offset(0),
        length: suite.derived_key_length,
    };
    let signing_key = derivation.derive(key.key)?;

    let mut security = envelope::timestamp(TIMESTAMP_ID, now, validity);
    let reference = if key.include_token {
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
    security.push_str(&envelope::derived_key_token(
        key.sc,
        DK_ID,
        reference,
        suite.derived_key_length,
        &nonce,
    ));
    let written = msg
        .framing
        .write(&msg.headers, Some(&security), msg.body, true);
    // `Framing::write` reports where the security header ends whenever it is given
    // one, as it is here.
    let insert_at = written.security_end.ok_or(ProtectError::Internal(
        "the envelope writer lost the security header",
    ))?;

    // Digest the signed parts. The timestamp and the addressing headers are wsbind's
    // own and are written in canonical form directly; the caller's body is parsed
    // (which also proves it is well-formed) as a standalone Body with the namespaces
    // the envelope puts in scope, and canonicalized.
    let Some(body_id) = written.ids.last() else {
        return Err(ProtectError::Internal(
            "the envelope writer gave the Body no id",
        ));
    };
    let body_src = msg.framing.body_document(body_id, msg.body);
    let body_doc =
        super::parse_message(&body_src, &Limits::default()).map_err(ProtectError::Body)?;
    let ours = std::iter::once(TIMESTAMP_ID)
        .chain([SCT_ID, DK_ID])
        .chain(written.ids.iter().map(String::as_str));
    for id in ours {
        let expected = usize::from(id == body_id.as_str());
        if body_doc.elements_with_id(id).count() != expected {
            return Err(ProtectError::IdClash(id.to_owned()));
        }
    }
    let mut signed_info = String::with_capacity(512 + 256 * written.ids.len());
    let _ = write!(
        signed_info,
        r#"<SignedInfo xmlns="{ds}"><CanonicalizationMethod Algorithm="{c14n}"></CanonicalizationMethod><SignatureMethod Algorithm="{sig}"></SignatureMethod>"#,
        ds = crate::wire::ns::DS,
        c14n = uri::EXC_C14N,
        sig = suite.signature.uri(),
    );
    let mut reference = |id: &str, digest: &[u8]| {
        let _ = write!(
            signed_info,
            r##"<Reference URI="#{id}"><Transforms><Transform Algorithm="{c14n}"></Transform></Transforms><DigestMethod Algorithm="{dm}"></DigestMethod><DigestValue>{dv}</DigestValue></Reference>"##,
            c14n = uri::EXC_C14N,
            dm = suite.digest.uri(),
            dv = B64.encode(digest),
        );
    };
    let ts = envelope::timestamp_canonical(TIMESTAMP_ID, now, validity);
    reference(
        TIMESTAMP_ID,
        ring::digest::digest(suite.digest.ring(), ts.as_bytes()).as_ref(),
    );
    for (id, canonical) in &written.signed_headers {
        reference(
            id,
            ring::digest::digest(suite.digest.ring(), canonical.as_bytes()).as_ref(),
        );
    }
    reference(
        body_id,
        digest_of(&body_doc, body_doc.root(), suite.digest).as_ref(),
    );
    signed_info.push_str("</SignedInfo>");
    let value = hmac(suite.signature, &signing_key, signed_info.as_bytes());

    let mut signature = String::with_capacity(signed_info.len() + 400);
    let _ = write!(
        signature,
        r##"<Signature xmlns="{}">{signed_info}<SignatureValue>{}</SignatureValue><KeyInfo><o:SecurityTokenReference><o:Reference URI="#{DK_ID}" ValueType="{}"/></o:SecurityTokenReference></KeyInfo></Signature>"##,
        crate::wire::ns::DS,
        B64.encode(value),
        key.sc.dk,
    );
    let mut text = written.text;
    text.insert_str(insert_at, &signature);
    Ok(text)
}

/// HMAC as a C14N output, so `SignedInfo` can be signed as it is canonicalized.
pub(crate) struct HmacOutput(pub ring::hmac::Context);

impl Output for HmacOutput {
    fn write(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }
}

/// A digest as a C14N output, so an element is digested as it is canonicalized.
pub(crate) struct DigestOutput(pub ring::digest::Context);

impl Output for DigestOutput {
    fn write(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }
}

pub(crate) fn hmac(alg: SignatureAlgorithm, key: &SecretKey, data: &[u8]) -> ring::hmac::Tag {
    ring::hmac::sign(&ring::hmac::Key::new(alg.ring(), key.as_bytes()), data)
}

/// The digest of an element's exclusive canonical form (no inclusive prefixes).
pub(crate) fn digest_of(
    doc: &Document<'_>,
    el: crate::xml::dom::Element,
    alg: DigestAlgorithm,
) -> ring::digest::Digest {
    let mut ctx = DigestOutput(ring::digest::Context::new(alg.ring()));
    c14n::exclusive(doc, el, &[], false, &mut ctx);
    ctx.0.finish()
}
