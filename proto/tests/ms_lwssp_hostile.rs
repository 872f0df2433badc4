//! The hostile suite in the MS-LWSSP profile: the signature covers the security
//! header's own Timestamp, and nothing about it may be moved, doubled, forged or signed
//! with a key the receiver does not hold. Each refusal is asserted exactly, with the
//! fault the peer gets.

use std::time::{Duration, SystemTime};
use wsbind_proto::keys::{SecretKey, SeededRng};
use wsbind_proto::security::{
    protect, verify, Acceptance, ContextError, ContextKeys, FaultCode, HeaderError, Outgoing,
    ReplayCache, SecurityError, SignatureError, SigningKey, Structure, Suite, TokenInfo, Verified,
};
use wsbind_proto::security::{HeaderSet, KeyUse, Part, Signing, MS_LWSSP};
use wsbind_proto::wire::{self, Addressing, ScVersion, Soap};
use wsbind_proto::{Framing, Headers};

const ID: &str = "urn:uuid:8a63487c-662b-40bf-b2df-f3b536062f5e";
const BODY: &str = r#"<m:Pay xmlns:m="urn:example:orders">10</m:Pay>"#;

fn t0() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000)
}

fn key() -> SecretKey {
    SecretKey::new(vec![0x5a; 32])
}

/// A request protected as `signing` says (MS-LWSSP's request unless a test asks for
/// another shape).
fn request_signed(signing: &Signing) -> String {
    let key = key();
    protect(
        &Outgoing {
            framing: Framing {
                soap: Soap::V12,
                addressing: Addressing::V10,
            },
            headers: Headers {
                action: "urn:example:orders/Pay",
                to: Some("https://orders.example/svc"),
                message_id: Some("urn:uuid:11111111-2222-3333-4444-555555555555"),
                reply_to_anonymous: true,
                relates_to: None,
                application: &[],
            },
            body: BODY,
        },
        &SigningKey {
            sc: wire::sc(ScVersion::Feb2005),
            identifier: ID,
            instance: None,
            cookie: None,
            key: &key,
            include_token: true,

            received: None,
        },
        &Suite::BASIC256,
        signing,
        t0(),
        Duration::from_secs(300),
        &mut SeededRng::new(3),
    )
    .expect("protect")
}

fn request() -> String {
    request_signed(&MS_LWSSP.request)
}

/// A receiver's keys: the one context, in the state the test says.
struct Keys(Result<SecretKey, ContextError>);

impl ContextKeys for Keys {
    fn key(&mut self, token: &TokenInfo<'_>, _now: SystemTime) -> Result<SecretKey, ContextError> {
        if token.identifier != ID {
            return Err(ContextError::Unknown);
        }
        self.0.clone()
    }
}

fn check_with(
    text: &str,
    keys: &mut Keys,
    replay: &mut ReplayCache,
) -> Result<Verified, SecurityError> {
    verify(
        text.as_bytes(),
        &Acceptance::new(ScVersion::Feb2005, &Suite::BASIC256),
        &MS_LWSSP.request,
        keys,
        replay,
        t0() + Duration::from_secs(1),
    )
}

fn check(text: &str) -> Result<Verified, SecurityError> {
    check_with(text, &mut Keys(Ok(key())), &mut ReplayCache::default())
}

fn refused(text: &str) -> SecurityError {
    match check(text) {
        Ok(_) => panic!("accepted:\n{text}"),
        Err(e) => e,
    }
}

#[test]
fn the_intact_request_is_accepted_and_says_what_was_signed() {
    let v = check(&request()).expect("accepted");
    let signed = v.signed.expect("signed");
    assert_eq!(signed.identifier, ID);
    assert_eq!(signed.covered, [Part::Timestamp]);
}

#[test]
fn a_signature_over_something_else_than_the_timestamp() {
    // Signed by the right key, but over the Body alone.
    let body_only = request_signed(&Signing {
        covers: &[Part::Body],
        key: KeyUse::Context,
        headers: HeaderSet::NONE,
    });
    let e = refused(&body_only);
    assert_eq!(
        e,
        SecurityError::Unsigned {
            part: "Timestamp".into()
        }
    );
    assert_eq!(e.fault(), FaultCode::FailedCheck);
    // Signing more than the Timestamp proves more: accepted (WCF would refuse the extra
    // reference; wsbind is tolerant where security does not suffer).
    let more = request_signed(&Signing {
        covers: &[Part::Timestamp, Part::Body],
        key: KeyUse::Context,
        headers: HeaderSet::NONE,
    });
    let signed = check(&more).expect("accepted").signed.expect("signed");
    assert_eq!(signed.covered, [Part::Timestamp, Part::Body]);
}

#[test]
fn a_second_timestamp_is_refused() {
    let text = request().replacen(
        "<c:SecurityContextToken",
        "<u:Timestamp><u:Created>2027-01-15T08:00:00Z</u:Created></u:Timestamp><c:SecurityContextToken",
        1,
    );
    let e = refused(&text);
    assert!(
        matches!(
            &e,
            SecurityError::Header(HeaderError::Structure(Structure::Repeated { child, .. })) if child == "Timestamp"
        ),
        "{e}"
    );
    assert_eq!(e.fault(), FaultCode::InvalidSecurity);
}

/// The signed Timestamp moved into the (unsigned) Body, a fresh one in its place: the
/// reference still resolves, but not to the security header's own Timestamp.
#[test]
fn a_timestamp_outside_the_security_header_does_not_count() {
    let text = request();
    let start = text.find("<u:Timestamp").expect("timestamp");
    let end = text.find("</u:Timestamp>").expect("timestamp end") + "</u:Timestamp>".len();
    let signed_ts = &text[start..end];
    let fresh = "<u:Timestamp><u:Created>2027-01-15T08:00:00.000Z</u:Created></u:Timestamp>";
    let moved = text.replacen(signed_ts, fresh, 1).replacen(
        BODY,
        &format!("{BODY}<w:Kept xmlns:w=\"urn:w\">{signed_ts}</w:Kept>"),
        1,
    );
    // The reference names an element inside the Body: nothing a profile signs.
    let e = refused(&moved);
    assert_eq!(
        e,
        SecurityError::Signature(SignatureError::UnsignableTarget { uri: "#_0".into() })
    );
    // Moved without a replacement: the request has no Timestamp of its own.
    let gone = text.replacen(signed_ts, "", 1).replacen(
        BODY,
        &format!("{BODY}<w:Kept xmlns:w=\"urn:w\">{signed_ts}</w:Kept>"),
        1,
    );
    assert_eq!(refused(&gone), SecurityError::NoTimestamp);
}

#[test]
fn a_key_the_receiver_does_not_hold() {
    let e = check_with(
        &request(),
        &mut Keys(Ok(SecretKey::new(vec![1; 32]))),
        &mut ReplayCache::default(),
    )
    .expect_err("another key");
    assert_eq!(e, SecurityError::SignatureMismatch);
    assert_eq!(e.fault(), FaultCode::FailedCheck);
}

#[test]
fn unknown_cancelled_and_expired_contexts() {
    for (state, fault) in [
        (ContextError::Unknown, FaultCode::BadContextToken),
        (ContextError::Cancelled, FaultCode::BadContextToken),
        (ContextError::Expired, FaultCode::RenewNeeded),
    ] {
        let e = check_with(
            &request(),
            &mut Keys(Err(state.clone())),
            &mut ReplayCache::default(),
        )
        .expect_err("refused");
        assert!(
            matches!(&e, SecurityError::Context { error, .. } if *error == state),
            "{e}"
        );
        assert_eq!(e.fault(), fault, "{state}");
    }
}

#[test]
fn forged_tokens() {
    let text = request();
    // Another identifier in the SCT: a context the receiver does not know.
    let other = text.replacen(ID, "urn:uuid:00000000-0000-0000-0000-000000000000", 1);
    let e = refused(&other);
    assert!(
        matches!(
            &e,
            SecurityError::Context {
                error: ContextError::Unknown,
                ..
            }
        ),
        "{e}"
    );
    // A second token claiming the SCT's wsu:Id: the reference names two elements.
    let sct_start = text.find("<c:SecurityContextToken").expect("sct");
    let sct_end = text.find("</c:SecurityContextToken>").expect("sct end")
        + "</c:SecurityContextToken>".len();
    let twin =
        text[sct_start..sct_end].replacen(ID, "urn:uuid:00000000-0000-0000-0000-000000000000", 1);
    let doubled = text.replacen(
        &text[sct_start..sct_end],
        &format!("{}{twin}", &text[sct_start..sct_end]),
        1,
    );
    let e = refused(&doubled);
    assert!(
        matches!(&e, SecurityError::AmbiguousReference { count: 2, .. }),
        "{e}"
    );
}

#[test]
fn a_replay_is_refused() {
    let text = request();
    let mut keys = Keys(Ok(key()));
    let mut replay = ReplayCache::default();
    check_with(&text, &mut keys, &mut replay).expect("the first time");
    let e = check_with(&text, &mut keys, &mut replay).expect_err("the second time");
    assert_eq!(e, SecurityError::Replay);
}

/// Under MS-LWSSP the Body is TLS's: a changed Body is not the signature's business,
/// and a changed Timestamp is.
#[test]
fn what_the_signature_protects_and_what_it_does_not() {
    let text = request();
    check(&text.replacen(">10<", ">10000<", 1)).expect("the Body is not signed");
    let e = refused(&text.replacen(".000Z</u:Created>", ".001Z</u:Created>", 1));
    assert!(matches!(e, SecurityError::DigestMismatch { .. }), "{e}");
}

/// A reply carries a Security header with a Timestamp only; a reply holding anything
/// else there is refused, so two ends that disagree on the profile find out.
#[test]
fn replies_hold_a_timestamp_only() {
    let reply = request_signed(&MS_LWSSP.reply);
    assert!(!reply.contains("Signature"), "{reply}");
    let verify_reply = |text: &str| {
        verify(
            text.as_bytes(),
            &Acceptance::new(ScVersion::Feb2005, &Suite::BASIC256),
            &MS_LWSSP.reply,
            &mut Keys(Ok(key())),
            &mut ReplayCache::default(),
            t0() + Duration::from_secs(1),
        )
    };
    let v = verify_reply(&reply).expect("a reply");
    assert!(v.signed.is_none());
    let e = verify_reply(&request()).expect_err("a signed reply");
    assert!(
        matches!(
            e,
            SecurityError::Header(HeaderError::NotTimestampOnly { .. })
        ),
        "{e}"
    );
}

/// Issue 12 item 2: SignedInfo is canonicalized before the HMAC can tell a genuine
/// message, so its structure is exactly exclusive C14N's and its size bounded: work
/// an attacker with a live context identifier can cause stays small.
#[test]
fn signed_info_holds_exactly_its_structure() {
    let text = request();
    let ec = "http://www.w3.org/2001/10/xml-exc-c14n#";
    let method = "<CanonicalizationMethod Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\">";
    let empty = format!("{method}</CanonicalizationMethod>");
    assert!(text.contains(&empty), "{text}");
    let with_c14n_children = |children: &str| {
        text.replacen(
            &empty,
            &format!("{method}{children}</CanonicalizationMethod>"),
            1,
        )
    };
    let inc = |inner: &str| {
        format!("<ec:InclusiveNamespaces xmlns:ec=\"{ec}\" PrefixList=\"\">{inner}</ec:InclusiveNamespaces>")
    };
    assert_eq!(
        refused(&with_c14n_children(&inc("").repeat(2))),
        SecurityError::Signature(SignatureError::InclusiveNamespacesTwice)
    );
    assert!(matches!(
        refused(&with_c14n_children(&inc("<x/>"))),
        SecurityError::Signature(SignatureError::Structure(_))
    ));
    // Whatever fills it (here 20,000 InclusiveNamespaces, 2 MiB), a SignedInfo over
    // 64 KiB is refused by its size, before any canonicalization.
    assert!(matches!(
        refused(&with_c14n_children(&inc("").repeat(20_000))),
        SecurityError::Signature(SignatureError::SignedInfoSize { max: 65536, .. })
    ));
    // One empty InclusiveNamespaces is what peers send: it reaches the signature check
    // (and fails it, since the method changed after signing).
    assert_eq!(
        refused(&with_c14n_children(&inc(""))),
        SecurityError::SignatureMismatch
    );
}

/// Issue 22: a signature may reference only what a profile signs — the security
/// header's Timestamp, the Body, a header block beside the security header — each
/// once, so its digests cost at most one pass over the message. 32 references to
/// elements nested in a 1 MiB Body made the old verifier canonicalize it 31 times after
/// a valid HMAC (`cargo bench --bench hostile`, shape `references`). Refused before any
/// HMAC or digest work.
#[test]
fn references_reach_only_what_a_profile_signs_each_once() {
    let text = request();
    let reference = |uri: &str| {
        format!(
            "<Reference URI=\"{uri}\"><Transforms><Transform Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\"></Transform></Transforms><DigestMethod Algorithm=\"http://www.w3.org/2000/09/xmldsig#sha1\"></DigestMethod><DigestValue>AAAAAAAAAAAAAAAAAAAAAAAAAAA=</DigestValue></Reference>"
        )
    };
    let with = |text: &str, uri: &str| {
        text.replacen(
            "</SignedInfo>",
            &format!("{}</SignedInfo>", reference(uri)),
            1,
        )
    };
    // An element inside the Body.
    let nested = with(&text, "#inner").replacen(
        "<m:Pay xmlns:m=\"urn:example:orders\">",
        "<m:Pay xmlns:m=\"urn:example:orders\"><m:n u:Id=\"inner\">",
        1,
    );
    let nested = nested.replacen("10</m:Pay>", "10</m:n></m:Pay>", 1);
    assert!(
        matches!(
            refused(&nested),
            SecurityError::Signature(SignatureError::UnsignableTarget { .. })
        ),
        "{}",
        refused(&nested)
    );
    // The security token (inside the security header, not a header block).
    let token = with(&text, "#_sct");
    assert!(matches!(
        refused(&token),
        SecurityError::Signature(SignatureError::UnsignableTarget { .. })
    ));
    // The Timestamp twice, by two of its ids (wsu:Id and Id).
    let twice = with(&text, "#ts2").replacen(
        "<u:Timestamp u:Id=\"_0\"",
        "<u:Timestamp u:Id=\"_0\" Id=\"ts2\"",
        1,
    );
    assert!(
        matches!(
            refused(&twice),
            SecurityError::Signature(SignatureError::ReferencedTwice { .. })
        ),
        "{}",
        refused(&twice)
    );
}
