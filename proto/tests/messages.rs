//! Message protection: WSS4J's messages verified by us, ours verified by WSS4J and
//! xmlsec1, and the hostile-message suite.

mod common;

use common::{hex, run_peer, unhex, vectors};
use std::path::PathBuf;
use std::time::{Duration, SystemTime};
use wsbind_proto::keys::{KeyError, SecretKey, SeededRng};
use wsbind_proto::security::{
    self, protect, verify, Acceptance, ContextError, DerivedKeyError, EnvelopeError, FaultCode,
    HeaderError, Outgoing, ReplayCache, SecurityError, SignatureError, SigningKey, Suite,
};
use wsbind_proto::security::{Profile, DERIVED_KEYS, MS_LWSSP};
use wsbind_proto::wire::{self, Addressing, ScVersion, Soap};
use wsbind_proto::{parse_time, Framing, Headers};

#[derive(serde::Deserialize)]
struct Meta {
    file: String,
    secret_hex: String,
    context_id: String,
    version: String,
    signature_algorithm: String,
    created: String,
    expect: String,
}

fn vector_files() -> Vec<(PathBuf, Meta)> {
    let mut out = Vec::new();
    for dir in ["wss4j-messages", "wss4j-messages-soap12"] {
        let dir = vectors(dir);
        let mut entries: Vec<_> = std::fs::read_dir(&dir)
            .expect("vector dir")
            .map(|e| e.expect("entry").path())
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        entries.sort();
        for json in entries {
            let meta: Meta =
                serde_json::from_str(&std::fs::read_to_string(&json).expect("json")).expect("meta");
            out.push((dir.join(&meta.file), meta));
        }
    }
    out
}

#[test]
fn wss4j_messages_are_verified() {
    let files = vector_files();
    assert_eq!(files.len(), 28);
    for (path, meta) in files {
        let bytes = std::fs::read(&path).expect("message");
        let key = SecretKey::new(unhex(&meta.secret_hex));
        let now = parse_time(&meta.created).expect("created");
        let mut keys = (meta.context_id.as_str(), &key);
        // The SOAP 1.2 set was made with a 10-year timestamp (its metadata says so),
        // past the day a receiver accepts by default.
        let mut policy = Acceptance::interop();
        policy.max_validity = Duration::from_secs(11 * 365 * 86_400);
        let v = verify(
            &bytes,
            &policy,
            &DERIVED_KEYS.request,
            &mut keys,
            &mut ReplayCache::default(),
            now,
        )
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(meta.expect, "verified");
        let signed = v.signed.as_ref().expect("a signed message");
        assert_eq!(signed.identifier, meta.context_id);
        let version = match meta.version.as_str() {
            "1.3" => ScVersion::V1_3,
            _ => ScVersion::Feb2005,
        };
        assert_eq!(signed.version, version, "{}", path.display());
        assert_eq!(signed.signature.to_string(), meta.signature_algorithm);
        assert!(v.body.starts_with('<'), "{}", v.body);
    }
}

/// A policy restricted to the description's suite rejects WSS4J's SHA-1 digests under
/// HMAC-SHA256 unless SHA-1 is allowed: the digest set is the policy's, not the peer's.
#[test]
fn the_policy_decides_the_algorithms() {
    let (path, meta) = vector_files()
        .into_iter()
        .find(|(p, _)| p.ends_with("01-ping-1.3-hmac-sha256.xml"))
        .expect("vector");
    let key = SecretKey::new(unhex(&meta.secret_hex));
    let now = parse_time(&meta.created).expect("created");
    let bytes = std::fs::read(path).expect("message");
    let strict = Acceptance::new(ScVersion::V1_3, &Suite::BASIC256_SHA256_HMAC_SHA256);
    let err = verify(
        &bytes,
        &strict,
        &DERIVED_KEYS.request,
        &mut (meta.context_id.as_str(), &key),
        &mut ReplayCache::default(),
        now,
    )
    .expect_err("sha1 digest under a sha256 policy");
    assert!(
        matches!(
            err,
            SecurityError::UnsupportedAlgorithm { what: "digest", .. }
        ),
        "{err}"
    );
    let feb = Acceptance::new(ScVersion::Feb2005, &Suite::BASIC256);
    let err = verify(
        &bytes,
        &feb,
        &DERIVED_KEYS.request,
        &mut (meta.context_id.as_str(), &key),
        &mut ReplayCache::default(),
        now,
    )
    .expect_err("a 1.3 message on a February 2005 endpoint");
    assert!(
        matches!(
            err,
            SecurityError::UnsupportedAlgorithm { .. } | SecurityError::WrongVersion { .. }
        ),
        "{err}"
    );
}

const T0: u64 = 1_795_000_000;

fn t0() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(T0)
}

struct Sample {
    text: String,
    key: SecretKey,
    id: &'static str,
    version: ScVersion,
    suite: Suite,
    profile: &'static Profile,
}

fn sample(
    profile: &'static Profile,
    version: ScVersion,
    suite: Suite,
    soap: Soap,
    addressing: Addressing,
    body: &str,
    seed: u64,
) -> Sample {
    let key = SecretKey::new((0..32).map(|i| i as u8 ^ seed as u8).collect());
    let id = "urn:uuid:0b7e8d2a-6c57-4d4e-9f4a-1a2b3c4d5e6f";
    let msg = Outgoing {
        framing: Framing { soap, addressing },
        headers: Headers {
            action: "urn:example:orders/Ping",
            to: Some("https://orders.example/svc"),
            message_id: Some("urn:uuid:11111111-2222-3333-4444-555555555555"),
            reply_to_anonymous: true,
            ..Headers::default()
        },
        body,
    };
    let signing = SigningKey {
        sc: wire::sc(version),
        identifier: id,
        instance: None,
        cookie: None,
        key: &key,
        include_token: true,

        received: None,
    };
    let text = protect(
        &msg,
        &signing,
        &suite,
        &profile.request,
        t0(),
        Duration::from_secs(300),
        &mut SeededRng::new(seed),
    )
    .expect("protect");
    Sample {
        text,
        key,
        id,
        version,
        suite,
        profile,
    }
}

/// The protected negotiation messages: a Renew request and a Cancel response.
fn negotiation_bodies(version: ScVersion) -> Vec<String> {
    use wsbind_proto::trust::{Proof, RequestKind, Rst, Rstr, TokenRef};
    let renew = Rst {
        version,
        kind: RequestKind::Renew,
        entropy: Some(wsbind_proto::keys::SecretKey::new(vec![9; 32])),
        key_size: Some(256),
        target: Some(TokenRef::External {
            identifier: "urn:uuid:0b7e8d2a-6c57-4d4e-9f4a-1a2b3c4d5e6f".into(),
            instance: None,
        }),
    };
    let cancelled = Rstr {
        version,
        kind: RequestKind::Cancel,
        token: None,
        attached: None,
        unattached: None,
        proof: Proof::None,
        entropy: None,
        lifetime: None,
        key_size: None,
        cancelled: true,
    };
    vec![renew.write(), cancelled.write()]
}

const BODIES: [&str; 3] = [
    r#"<m:Ping xmlns:m="urn:example:orders">hello</m:Ping>"#,
    r#"<Order xmlns="urn:example:orders" note="a &amp; b &lt; c"><Line qty="2">caf&#xE9; &gt; tea</Line><!-- c --><![CDATA[<x>]]></Order>"#,
    r#"<p:A xmlns:p="urn:p" xmlns:unused="urn:u"><p:B xmlns:p="urn:p2" p:x="1"/></p:A>"#,
];

/// Every kind of message, in both profiles.
fn every_kind() -> Vec<Sample> {
    let mut out = Vec::new();
    let mut seed = 1;
    for profile in [&MS_LWSSP, &DERIVED_KEYS] {
        for version in [ScVersion::Feb2005, ScVersion::V1_3] {
            for suite in [
                Suite::BASIC256,
                Suite::BASIC256_SHA256,
                Suite::BASIC256_SHA256_HMAC_SHA256,
            ] {
                for (soap, addressing) in [
                    (Soap::V11, Addressing::Aug2004),
                    (Soap::V12, Addressing::V10),
                    (Soap::V11, Addressing::V10),
                ] {
                    for body in BODIES
                        .iter()
                        .map(|b| b.to_string())
                        .chain(negotiation_bodies(version))
                    {
                        seed += 1;
                        out.push(sample(
                            profile, version, suite, soap, addressing, &body, seed,
                        ));
                    }
                }
            }
        }
    }
    out
}

fn check(
    s: &Sample,
    text: &str,
    now: SystemTime,
    replay: &mut ReplayCache,
) -> Result<security::Verified, SecurityError> {
    let policy = Acceptance::new(s.version, &s.suite);
    verify(
        text.as_bytes(),
        &policy,
        &s.profile.request,
        &mut (s.id, &s.key),
        replay,
        now,
    )
}

#[test]
fn our_messages_round_trip() {
    for s in every_kind() {
        let v = check(
            &s,
            &s.text,
            t0() + Duration::from_secs(1),
            &mut ReplayCache::default(),
        )
        .unwrap_or_else(|e| panic!("{e}\n{}", s.text));
        assert_eq!(v.action.as_deref(), Some("urn:example:orders/Ping"));
        let signed = v.signed.as_ref().expect("a signed message");
        assert_eq!(signed.identifier, s.id);
        assert_eq!(signed.version, s.version);
        assert_eq!(signed.covered, s.profile.request.covers);
    }
}

fn write_temp(name: &str, text: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("messages");
    std::fs::create_dir_all(&dir).expect("tmp dir");
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write");
    path
}

/// Every kind of message we protect is verified by xmlsec1, given the derived key
/// (the peer script derives it from our DerivedKeyToken).
#[test]
fn xmlsec1_verifies_our_messages() {
    for (i, s) in every_kind().iter().enumerate() {
        let path = write_temp(&format!("xmlsec-{i}.xml"), &s.text);
        let out = run_peer(
            "xmlsec/verify-dk",
            &[&hex(s.key.as_bytes()), path.to_str().expect("utf-8 path")],
            None,
        );
        assert!(
            out.status.success(),
            "xmlsec1 rejected message {i}: {}{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr),
            s.text
        );
    }
}

/// Every kind of message we protect is verified by Apache WSS4J.
#[test]
fn wss4j_verifies_our_messages() {
    for (i, s) in every_kind().iter().enumerate() {
        let path = write_temp(&format!("wss4j-{i}.xml"), &s.text);
        let out = run_peer(
            "wss4j/run",
            &[
                "verify",
                &hex(s.key.as_bytes()),
                s.id,
                path.to_str().expect("utf-8 path"),
                "--no-expiry",
            ],
            None,
        );
        assert!(
            out.status.success(),
            "WSS4J rejected message {i}: {}{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr),
            s.text
        );
    }
}

// ---- the hostile-message suite ----

fn base() -> Sample {
    sample(
        &DERIVED_KEYS,
        ScVersion::V1_3,
        Suite::BASIC256,
        Soap::V11,
        Addressing::V10,
        BODIES[0],
        7,
    )
}

fn reject(s: &Sample, text: &str) -> SecurityError {
    check(
        s,
        text,
        t0() + Duration::from_secs(1),
        &mut ReplayCache::default(),
    )
    .expect_err("the message must be rejected")
}

#[test]
fn tampered_body_is_rejected() {
    let s = base();
    let e = reject(&s, &s.text.replace(">hello<", ">hellp<"));
    assert!(matches!(e, SecurityError::DigestMismatch { .. }), "{e}");
    assert_eq!(e.fault(), FaultCode::FailedCheck);
}

#[test]
fn tampered_header_or_signature_is_rejected() {
    let s = base();
    let e = reject(
        &s,
        &s.text.replace(
            "urn:example:orders/Ping</a:Action>",
            "urn:example:orders/Delete</a:Action>",
        ),
    );
    assert!(matches!(e, SecurityError::DigestMismatch { .. }), "{e}");
    let start = s.text.find("<SignatureValue>").expect("sig") + "<SignatureValue>".len();
    let mut t = s.text.clone();
    let c = if &t[start..start + 1] == "A" {
        "B"
    } else {
        "A"
    };
    t.replace_range(start..start + 1, c);
    let e = reject(&s, &t);
    assert!(matches!(e, SecurityError::SignatureMismatch), "{e}");
    // A different key: the signature does not match.
    let other = SecretKey::new(vec![9; 32]);
    let e = verify(
        s.text.as_bytes(),
        &Acceptance::new(s.version, &s.suite),
        &DERIVED_KEYS.request,
        &mut (s.id, &other),
        &mut ReplayCache::default(),
        t0(),
    )
    .expect_err("wrong key");
    assert!(matches!(e, SecurityError::SignatureMismatch), "{e}");
}

#[test]
fn replay_is_rejected() {
    let s = base();
    let mut cache = ReplayCache::default();
    check(&s, &s.text, t0(), &mut cache).expect("first delivery");
    let e = check(&s, &s.text, t0() + Duration::from_secs(2), &mut cache).expect_err("replay");
    assert!(matches!(e, SecurityError::Replay), "{e}");
}

#[test]
fn expired_and_future_messages_are_rejected() {
    let s = base();
    // Valid for 300 s, 300 s skew: rejected from 600 s on.
    let e = check(
        &s,
        &s.text,
        t0() + Duration::from_secs(601),
        &mut ReplayCache::default(),
    )
    .expect_err("expired");
    assert!(matches!(e, SecurityError::Expired { .. }), "{e}");
    assert_eq!(e.fault(), FaultCode::MessageExpired);
    let e = check(
        &s,
        &s.text,
        t0() - Duration::from_secs(301),
        &mut ReplayCache::default(),
    )
    .expect_err("future");
    assert!(matches!(e, SecurityError::CreatedInFuture { .. }), "{e}");
    // Inside the skew it is accepted.
    check(
        &s,
        &s.text,
        t0() - Duration::from_secs(299),
        &mut ReplayCache::default(),
    )
    .expect("within skew");
}

#[test]
fn unknown_expired_or_cancelled_contexts_are_rejected() {
    let s = base();
    let e = verify(
        s.text.as_bytes(),
        &Acceptance::new(s.version, &s.suite),
        &DERIVED_KEYS.request,
        &mut ("urn:other", &s.key),
        &mut ReplayCache::default(),
        t0(),
    )
    .expect_err("unknown context");
    assert!(
        matches!(
            e,
            SecurityError::Context {
                error: ContextError::Unknown,
                ..
            }
        ),
        "{e}"
    );
    assert_eq!(e.fault(), FaultCode::BadContextToken);
    struct Gone(ContextError);
    impl security::ContextKeys for Gone {
        fn key(
            &mut self,
            _: &security::TokenInfo<'_>,
            _: SystemTime,
        ) -> Result<SecretKey, ContextError> {
            Err(self.0.clone())
        }
    }
    let e = verify(
        s.text.as_bytes(),
        &Acceptance::new(s.version, &s.suite),
        &DERIVED_KEYS.request,
        &mut Gone(ContextError::Expired),
        &mut ReplayCache::default(),
        t0(),
    )
    .expect_err("expired context");
    assert_eq!(e.fault(), FaultCode::RenewNeeded);
    let (ns, local) = e.fault().qname(wire::sc(s.version));
    assert_eq!((ns, local), (wire::V1_3.sc, "RenewNeeded"));
    let e = verify(
        s.text.as_bytes(),
        &Acceptance::new(s.version, &s.suite),
        &DERIVED_KEYS.request,
        &mut Gone(ContextError::Cancelled),
        &mut ReplayCache::default(),
        t0(),
    )
    .expect_err("cancelled context");
    assert_eq!(e.fault(), FaultCode::BadContextToken);
}

/// Signature wrapping: the signed Body moved into a header, a new Body in its place.
#[test]
fn wrapping_is_rejected() {
    let s = base();
    let body_start = s.text.find("<s:Body").expect("body");
    let body_end = s.text.find("</s:Body>").expect("body end") + "</s:Body>".len();
    let signed_body = &s.text[body_start..body_end];
    let evil_body = r#"<s:Body><m:Delete xmlns:m="urn:example:orders">all</m:Delete></s:Body>"#;
    // 1. the original body hidden in a header, the Body replaced without an id.
    let mut t = s.text.clone();
    t.replace_range(body_start..body_end, evil_body);
    let wrapped = t.replacen(
        "<s:Header>",
        &format!(
            "<s:Header><w:Wrapper xmlns:w=\"urn:w\">{}</w:Wrapper>",
            signed_body.replace("s:Body", "w:Hidden")
        ),
        1,
    );
    let e = reject(&s, &wrapped);
    // The reference now names an element inside a header block: nothing a profile
    // signs (refused before coverage is even looked at).
    assert!(
        matches!(
            e,
            SecurityError::Signature(security::SignatureError::UnsignableTarget { .. })
        ),
        "{e}"
    );
    // 2. the same, but the new Body carries the same id: two elements with it.
    let evil_with_id = evil_body.replace("<s:Body>", r#"<s:Body u:Id="_5">"#);
    let mut t = s.text.clone();
    t.replace_range(body_start..body_end, &evil_with_id);
    let wrapped = t.replacen(
        "<s:Header>",
        &format!(
            "<s:Header><w:Wrapper xmlns:w=\"urn:w\">{}</w:Wrapper>",
            signed_body.replace("s:Body", "w:Hidden")
        ),
        1,
    );
    assert!(
        s.text.contains(r#"<s:Body u:Id="_5">"#),
        "the sample's body id"
    );
    let e = reject(&s, &wrapped);
    assert!(
        matches!(e, SecurityError::AmbiguousReference { count: 2, .. }),
        "{e}"
    );
    assert_eq!(e.fault(), FaultCode::FailedCheck);
}

#[test]
fn unsigned_or_duplicated_parts_are_rejected() {
    let s = base();
    // An unsigned addressing header added.
    let t = s.text.replacen(
        "<s:Header>",
        "<s:Header><a:FaultTo><a:Address>https://evil/</a:Address></a:FaultTo>",
        1,
    );
    let e = reject(&s, &t);
    assert!(matches!(e, SecurityError::Unsigned { .. }), "{e}");
    // A second Action header.
    let t = s
        .text
        .replacen("<s:Header>", "<s:Header><a:Action>urn:evil</a:Action>", 1);
    let e = reject(&s, &t);
    assert!(
        matches!(&e, SecurityError::Envelope(EnvelopeError::RepeatedHeader { header }) if header == "Action"),
        "{e}"
    );
    // A second security header.
    let t = s.text.replacen(
        "</s:Header>",
        &format!("<o:Security xmlns:o=\"{}\"/></s:Header>", wire::ns::WSSE),
        1,
    );
    let e = reject(&s, &t);
    assert!(
        matches!(e, SecurityError::Header(HeaderError::TwoSecurityHeaders)),
        "{e}"
    );
    // No security header at all.
    let start = s.text.find("<o:Security").expect("sec");
    let end = s.text.find("</o:Security>").expect("sec end") + "</o:Security>".len();
    let mut t = s.text.clone();
    t.replace_range(start..end, "");
    let e = reject(&s, &t);
    assert!(matches!(e, SecurityError::NoSecurityHeader), "{e}");
}

#[test]
fn weakened_signatures_are_rejected() {
    let s = base();
    // HMAC truncation.
    let t = s.text.replacen(
        &format!(r#"<SignatureMethod Algorithm="{}"></SignatureMethod>"#, wire::uri::HMAC_SHA1),
        &format!(r#"<SignatureMethod Algorithm="{}"><HMACOutputLength>8</HMACOutputLength></SignatureMethod>"#, wire::uri::HMAC_SHA1),
        1,
    );
    assert_ne!(t, s.text);
    let e = reject(&s, &t);
    assert!(
        matches!(
            e,
            SecurityError::Signature(SignatureError::Truncation { .. })
        ),
        "{e}"
    );
    // An algorithm outside the policy.
    let t = s
        .text
        .replacen(wire::uri::HMAC_SHA1, wire::uri::HMAC_SHA256, 1);
    let e = reject(&s, &t);
    assert!(
        matches!(
            e,
            SecurityError::UnsupportedAlgorithm {
                what: "signature",
                ..
            }
        ),
        "{e}"
    );
    // Inclusive C14N.
    let t = s.text.replacen(
        r#"<CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#">"#,
        r#"<CanonicalizationMethod Algorithm="http://www.w3.org/TR/2001/REC-xml-c14n-20010315">"#,
        1,
    );
    let e = reject(&s, &t);
    assert!(
        matches!(
            e,
            SecurityError::UnsupportedAlgorithm {
                what: "canonicalization",
                ..
            }
        ),
        "{e}"
    );
    // A derived key too short to trust.
    let t = s
        .text
        .replacen("<c:Length>24</c:Length>", "<c:Length>4</c:Length>", 1);
    let e = reject(&s, &t);
    assert!(
        matches!(
            e,
            SecurityError::DerivedKey(DerivedKeyError::Length { length: 4, .. })
        ),
        "{e}"
    );
    // A huge Label (hashed into every P_SHA1 round): refused before any work.
    let t = s.text.replacen(
        "<c:Length>24</c:Length>",
        &format!(
            "<c:Length>24</c:Length><c:Label>{}</c:Label>",
            "L".repeat(100_000)
        ),
        1,
    );
    let e = reject(&s, &t);
    assert!(
        matches!(
            e,
            SecurityError::DerivedKey(DerivedKeyError::LabelLength { len: 100_000 })
        ),
        "{e}"
    );
    // A huge offset: bounded work, clear error.
    let t = s.text.replacen(
        "<c:Offset>0</c:Offset>",
        "<c:Offset>99999999999</c:Offset>",
        1,
    );
    let e = reject(&s, &t);
    assert!(
        matches!(
            e,
            SecurityError::DerivedKey(DerivedKeyError::Derive(KeyError::TooLong { .. }))
        ),
        "{e}"
    );
}

#[test]
fn hostile_xml_is_rejected() {
    let s = base();
    let bomb = format!(
        "<!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;&lol;&lol;\">]>{}",
        s.text.replacen(">hello<", ">&lol2;<", 1)
    );
    let e = reject(&s, &bomb);
    assert!(matches!(e, SecurityError::Xml(_)), "{e}");
    assert_eq!(e.fault(), FaultCode::InvalidSecurity);
    // Oversize: refused before parsing.
    let mut policy = Acceptance::new(s.version, &s.suite);
    policy.limits.max_bytes = 1024;
    let e = verify(
        s.text.as_bytes(),
        &policy,
        &DERIVED_KEYS.request,
        &mut (s.id, &s.key),
        &mut ReplayCache::default(),
        t0(),
    )
    .expect_err("oversize");
    assert!(matches!(e, SecurityError::Xml(_)), "{e}");
    // Not UTF-8.
    let mut bytes = s.text.clone().into_bytes();
    bytes.push(0xff);
    let e = verify(
        &bytes,
        &Acceptance::new(s.version, &s.suite),
        &DERIVED_KEYS.request,
        &mut (s.id, &s.key),
        &mut ReplayCache::default(),
        t0(),
    )
    .expect_err("utf-8");
    assert!(matches!(e, SecurityError::NotUtf8(_)), "{e}");
    // Deep nesting inside the body.
    let deep = format!("{}{}", "<x>".repeat(10_000), "</x>".repeat(10_000));
    let t = s.text.replacen(">hello<", &format!(">{deep}<"), 1);
    let e = reject(&s, &t);
    assert!(matches!(e, SecurityError::Xml(_)), "{e}");
}

/// Every prefix of a valid message, and every single-byte corruption of it, is
/// rejected without a panic.
#[test]
fn truncated_and_corrupted_messages_never_panic_or_pass() {
    let s = base();
    let policy = Acceptance::new(s.version, &s.suite);
    let bytes = s.text.as_bytes();
    for cut in (0..bytes.len()).step_by(7) {
        let r = verify(
            &bytes[..cut],
            &policy,
            &DERIVED_KEYS.request,
            &mut (s.id, &s.key),
            &mut ReplayCache::default(),
            t0(),
        );
        assert!(r.is_err(), "a truncation at {cut} was accepted");
    }
    for pos in (0..bytes.len()).step_by(5) {
        let mut b = bytes.to_vec();
        b[pos] ^= 0x01;
        // Flipping a bit may give an equivalent document (e.g. in ignorable
        // whitespace), which is fine to accept; it must never panic.
        let _ = verify(
            &b,
            &policy,
            &DERIVED_KEYS.request,
            &mut (s.id, &s.key),
            &mut ReplayCache::default(),
            t0(),
        );
    }
}

#[test]
fn faults_are_soap_envelopes() {
    let f = security::fault_envelope(
        Soap::V12,
        Addressing::V10,
        &wire::FEB_2005,
        FaultCode::BadContextToken,
        Some("urn:uuid:1"),
    );
    assert!(f.contains("<s:Value>s:Sender</s:Value>"), "{f}");
    assert!(
        f.contains(r#"xmlns:f="http://schemas.xmlsoap.org/ws/2005/02/sc">f:BadContextToken"#),
        "{f}"
    );
    let doc = wsbind_proto::xml::dom::Document::parse(&f, &Default::default())
        .expect("well-formed fault");
    assert_eq!(doc.local_name(doc.root()), "Envelope");
}

/// The peer tests are not vacuous: both peers refuse a message of ours whose body was
/// changed after signing.
#[test]
fn the_peers_refuse_a_tampered_message() {
    let derived = base();
    let lwssp = sample(
        &MS_LWSSP,
        ScVersion::Feb2005,
        Suite::BASIC256,
        Soap::V12,
        Addressing::V10,
        BODIES[0],
        9,
    );
    // The derived-key profile signs the Body; MS-LWSSP signs the Timestamp.
    for (s, tampered, name) in [
        (
            &derived,
            derived.text.replace(">hello<", ">hellp<"),
            "tampered-body.xml",
        ),
        (
            &lwssp,
            lwssp
                .text
                .replacen(".000Z</u:Created>", ".001Z</u:Created>", 1),
            "tampered-timestamp.xml",
        ),
    ] {
        assert_ne!(tampered, s.text);
        let path = write_temp(name, &tampered);
        let p = path.to_str().expect("utf-8 path");
        let key = hex(s.key.as_bytes());
        let out = run_peer("wss4j/run", &["verify", &key, s.id, p, "--no-expiry"], None);
        assert!(!out.status.success(), "WSS4J accepted {name}");
        let out = run_peer("xmlsec/verify-dk", &[&key, p], None);
        assert!(!out.status.success(), "xmlsec1 accepted {name}");
    }
}

/// An unsigned header the receiver is told it must understand is refused (SOAP's
/// MustUnderstand rule); one for another actor, or optional, is left alone.
#[test]
fn unknown_must_understand_headers_are_refused() {
    let s = base();
    let mu = s.text.replacen(
        "<s:Header>",
        "<s:Header><x:Transfer xmlns:x=\"urn:x\" s:mustUnderstand=\"1\">all</x:Transfer>",
        1,
    );
    let e = reject(&s, &mu);
    assert!(
        matches!(&e, SecurityError::Envelope(EnvelopeError::MustUnderstand { header }) if header == "{urn:x}Transfer"),
        "{e}"
    );
    assert!(e.to_string().contains("mustUnderstand"), "{e}");
    let optional = s.text.replacen(
        "<s:Header>",
        "<s:Header><x:Trace xmlns:x=\"urn:x\">42</x:Trace>",
        1,
    );
    check(&s, &optional, t0(), &mut ReplayCache::default()).expect("an optional header");
}
