//! Messages Microsoft's stacks made (`../shared/vectors/real-world/`, see its
//! SOURCES.md): a genuine WCF ⇄ CoreWCF capture, and the protocol examples of
//! [MS-LWSSP] §4. wsbind reads each of them, and what wsbind writes for the same step has
//! the same element structure.

mod common;

use base64::Engine as _;
use common::vectors;
use std::time::{Duration, SystemTime};
use wsbind_compiler::FromToml;
use wsbind_proto::engine::read_issue_response;
use wsbind_proto::engine::{Config, EngineError};
use wsbind_proto::keys::{self, SecretKey, SeededRng};
use wsbind_proto::security::{
    bootstrap, parse_message, protect, verify, Acceptance, Outgoing, ReplayCache, SecurityError,
    SigningKey, Suite,
};
use wsbind_proto::security::{Part, MS_LWSSP};
use wsbind_proto::trust::{self, RequestKind, Rst, Rstr, TokenRef};
use wsbind_proto::wire::{self, ns, Addressing, ScVersion, Soap};
use wsbind_proto::xml::c14n;
use wsbind_proto::xml::dom::{Document, Element, Limits};
use wsbind_proto::Description;
use wsbind_proto::{parse_time, Framing, Headers};

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

fn read(rel: &str) -> String {
    std::fs::read_to_string(vectors(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn json(rel: &str) -> serde_json::Value {
    serde_json::from_str(&read(rel)).expect("JSON")
}

fn b64(v: &serde_json::Value) -> Vec<u8> {
    B64.decode(v.as_str().expect("a base64 string"))
        .expect("base64")
}

/// The Body's one element.
fn payload(doc: &Document<'_>) -> Element {
    let body = doc
        .children(doc.root())
        .find(|e| doc.local_name(*e) == "Body")
        .expect("a Body");
    doc.children(body).next().expect("a payload")
}

/// The corewcf-tmc capture's context: 01's entropy, 02's RSTR.
struct Capture {
    client_entropy: Vec<u8>,
    rstr: Rstr,
    expected: serde_json::Value,
}

fn capture() -> Capture {
    let expected = json("real-world/corewcf-tmc/derived/expected.json");
    let rst_text = read("real-world/corewcf-tmc/01-rst-sct-request.xml");
    let rst_doc = Document::parse(&rst_text, &Limits::default()).expect("01 parses");
    let rst = Rst::parse(&rst_doc, payload(&rst_doc)).expect("01's RST is read");
    assert_eq!(rst.kind, RequestKind::Issue);
    assert_eq!(rst.key_size, Some(256));
    let rstr_text = read("real-world/corewcf-tmc/02-rstr-sct-response.xml");
    let rstr_doc = Document::parse(&rstr_text, &Limits::default()).expect("02 parses");
    let rstr = Rstr::parse(&rstr_doc, payload(&rstr_doc)).expect("02's RSTR is read");
    Capture {
        client_entropy: rst.entropy.expect("01 carries entropy").as_bytes().to_vec(),
        rstr,
        expected,
    }
}

#[test]
fn the_wcf_context_key_is_computed_from_01_and_02_by_the_engine() {
    let c = capture();
    assert_eq!(c.client_entropy, b64(&c.expected["client_entropy_b64"]));
    assert_eq!(
        c.rstr.entropy.as_ref().map(SecretKey::as_bytes),
        Some(b64(&c.expected["server_entropy_b64"]).as_slice())
    );
    let key = trust::key_from_response(
        wsbind_proto::description::KeyEntropyMode::Combined,
        Some(&c.client_entropy),
        &c.rstr,
        256,
    )
    .expect("the key");
    assert_eq!(
        key.as_bytes(),
        b64(&c.expected["computed_key_b64"]).as_slice()
    );
    let token = c.rstr.token.as_ref().expect("an SCT");
    assert_eq!(
        token.identifier,
        c.expected["context_identifier"].as_str().expect("id")
    );
}

/// The genuine WCF application request verifies with the server's verifier in the
/// MS-LWSSP profile; the pretty-printed copy and a key computed the wrong way round do
/// not.
#[test]
fn the_genuine_wcf_request_verifies() {
    let c = capture();
    let key = SecretKey::new(b64(&c.expected["computed_key_b64"]));
    let id = c.expected["context_identifier"].as_str().expect("id");
    let compact = read("real-world/corewcf-tmc/derived/03-app-request-sct-signed.compact.xml");
    let now = parse_time("2024-02-14T02:07:05Z").expect("time");
    let policy = Acceptance::new(ScVersion::Feb2005, &Suite::BASIC256);
    let v = verify(
        compact.as_bytes(),
        &policy,
        &MS_LWSSP.request,
        &mut (id, &key),
        &mut ReplayCache::default(),
        now,
    )
    .expect("the WCF message verifies");
    let signed = v.signed.expect("signed");
    assert_eq!(signed.identifier, id);
    assert_eq!(signed.covered, [Part::Timestamp]);
    assert_eq!(
        v.action.as_deref(),
        Some("http://tempuri.org/IEchoService/EchoString")
    );
    assert!(v
        .body
        .starts_with("<EchoString xmlns=\"http://tempuri.org/\">"));

    // Pretty-printed after capture: the Timestamp is no longer what was signed.
    let pretty = read("real-world/corewcf-tmc/03-app-request-sct-signed.xml");
    let e = verify(
        pretty.as_bytes(),
        &policy,
        &MS_LWSSP.request,
        &mut (id, &key),
        &mut ReplayCache::default(),
        now,
    )
    .expect_err("the pretty-printed copy");
    assert!(
        matches!(
            e,
            SecurityError::SignatureMismatch | SecurityError::DigestMismatch { .. }
        ),
        "{e}"
    );
    // The computed key with the entropies swapped.
    let server_entropy = b64(&c.expected["server_entropy_b64"]);
    let reversed = keys::computed_key(&server_entropy, &c.client_entropy, 256).expect("key");
    let e = verify(
        compact.as_bytes(),
        &policy,
        &MS_LWSSP.request,
        &mut (id, &reversed),
        &mut ReplayCache::default(),
        now,
    )
    .expect_err("the reversed key");
    assert_eq!(e, SecurityError::SignatureMismatch);
    // The same message after its five minutes.
    let e = verify(
        compact.as_bytes(),
        &policy,
        &MS_LWSSP.request,
        &mut (id, &key),
        &mut ReplayCache::default(),
        now + Duration::from_secs(3600),
    )
    .expect_err("expired");
    assert!(matches!(e, SecurityError::Expired { .. }), "{e}");
}

/// A description for `role` with `timestamp-usage = timestamps`.
fn described(role: &str, timestamps: &str) -> Description {
    let text = format!(
        r#"
[channel]
binding = "http"
role = "{role}"
[security]
timestamp-usage = "{timestamps}"
[[security.binding]]
kind = "ssl-transport"
[[security.binding]]
kind = "security-context"
usage = "supporting"
[security.binding.bootstrap]
[[security.binding.bootstrap.binding]]
kind = "ssl-transport"
[[security.binding.bootstrap.binding]]
kind = "username"
usage = "supporting"
"#
    );
    Description::from_toml_str(&text).unwrap_or_else(|e| panic!("{e}"))
}

fn client_config(timestamps: &str) -> Config {
    Config::from_description(&described("client", timestamps), None).expect("config")
}

/// The capture's RSTR (02) carries no Security header (a logging artifact, SOURCES.md
/// says). wsbind's client reads it as WCF's does: refused while the description wants
/// timestamps on replies (`always`, the default), accepted with `requests-only`.
#[test]
fn the_client_engine_reads_the_wcf_rstr() {
    let c = capture();
    let text = read("real-world/corewcf-tmc/02-rstr-sct-response.xml");
    let request_id = "urn:uuid:11048819-ca8b-4cc3-8054-ab18ff4abef3";
    let entropy = SecretKey::new(c.client_entropy.clone());
    let now = parse_time("2024-02-14T02:06:54Z").expect("time");
    let e = read_issue_response(
        &client_config("always"),
        text.as_bytes(),
        request_id,
        Some(&entropy),
        now,
    )
    .expect_err("no timestamp");
    assert!(
        matches!(e, EngineError::Security(SecurityError::NoTimestamp)),
        "{e}"
    );
    let ctx = read_issue_response(
        &client_config("requests-only"),
        text.as_bytes(),
        request_id,
        Some(&entropy),
        now,
    )
    .expect("the RSTR is read");
    assert_eq!(
        ctx.identifier,
        c.expected["context_identifier"].as_str().expect("id")
    );
    assert_eq!(
        ctx.key.as_bytes(),
        b64(&c.expected["computed_key_b64"]).as_slice()
    );
}

// ---- [MS-LWSSP] §4 ----

const SOAP12: &str = "http://www.w3.org/2003/05/soap-envelope";

/// An MS-LWSSP fragment with its "..." placeholders replaced by real base64 (32 bytes).
fn example(name: &str) -> String {
    read(&format!("real-world/ms-lwssp/{name}")).replace("...", &B64.encode([7u8; 32]))
}

/// A SOAP 1.2 envelope around a security header (`s:` declared, as the fragments
/// assume) and a body.
fn envelope(security: &str, body: &str) -> String {
    format!(
        r#"<s:Envelope xmlns:s="{SOAP12}" xmlns:w="{}"><s:Header><w:Action s:mustUnderstand="1">urn:example:Ping</w:Action>{security}</s:Header><s:Body>{body}</s:Body></s:Envelope>"#,
        ns::WSA10
    )
}

/// The element structure of `e`: each element's `{namespace}local`, nested, in order
/// (text and attributes left out).
fn structure(doc: &Document<'_>, e: Element) -> String {
    let mut out = format!("{{{}}}{}", doc.namespace(e), doc.local_name(e));
    let kids: Vec<String> = doc.children(e).map(|k| structure(doc, k)).collect();
    if !kids.is_empty() {
        out.push('(');
        out.push_str(&kids.join(" "));
        out.push(')');
    }
    out
}

/// The Security header of an envelope.
fn security(doc: &Document<'_>) -> Element {
    let header = doc
        .children(doc.root())
        .find(|e| doc.local_name(*e) == "Header")
        .expect("a Header");
    doc.children(header)
        .find(|e| doc.is(*e, ns::WSSE, "Security"))
        .expect("a Security header")
}

fn structure_of_security(text: &str) -> String {
    let doc = parse_message(text, &Limits::default()).expect("well-formed");
    structure(&doc, security(&doc))
}

fn structure_of_fragment(text: &str) -> String {
    let doc = Document::parse(text, &Limits::default()).expect("well-formed");
    structure(&doc, doc.root())
}

/// The structure of a Body's content as wsbind writes it (it uses the `u` prefix the
/// envelope declares).
fn structure_of_body(text: &str) -> String {
    let wrapped = format!(r#"<x xmlns:u="{}">{text}</x>"#, ns::WSU);
    let doc = Document::parse(&wrapped, &Limits::default()).expect("well-formed");
    let first = doc.children(doc.root()).next().expect("content");
    structure(&doc, first)
}

/// 4.3 with real values: the Timestamp's digest and an HMAC-SHA1 by `key`, computed
/// the way the example says.
fn signed_4_3(key: &SecretKey) -> String {
    let text = envelope(
        &example("4.3-sct-signed-security-header.xml"),
        "<m:Ping xmlns:m=\"urn:m\"/>",
    );
    let placeholder = B64.encode([7u8; 32]);
    let doc = parse_message(&text, &Limits::default()).expect("parses");
    let ts = doc.elements_with_id("_0").next().expect("the Timestamp");
    let mut canonical = Vec::new();
    c14n::exclusive(&doc, ts, &[], false, &mut canonical);
    let digest = B64.encode(ring::digest::digest(
        &ring::digest::SHA1_FOR_LEGACY_USE_ONLY,
        &canonical,
    ));
    let text = text.replacen(
        &format!("<DigestValue>{placeholder}</DigestValue>"),
        &format!("<DigestValue>{digest}</DigestValue>"),
        1,
    );
    let doc = parse_message(&text, &Limits::default()).expect("parses");
    let si = doc
        .descendants(doc.root())
        .find(|e| doc.is(*e, ns::DS, "SignedInfo"))
        .expect("SignedInfo");
    let mut canonical = Vec::new();
    c14n::exclusive(&doc, si, &[], false, &mut canonical);
    let hkey = ring::hmac::Key::new(ring::hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, key.as_bytes());
    let value = B64.encode(ring::hmac::sign(&hkey, &canonical));
    text.replacen(
        &format!("<SignatureValue>{placeholder}</SignatureValue>"),
        &format!("<SignatureValue>{value}</SignatureValue>"),
        1,
    )
}

#[test]
fn ms_lwssp_4_3_the_signed_request_is_accepted() {
    let key = SecretKey::new(vec![3; 32]);
    let id = "urn:uuid:8a63487c-662b-40bf-b2df-f3b536062f5e";
    let text = signed_4_3(&key);
    let now = parse_time("2008-08-15T01:48:09Z").expect("time");
    let policy = Acceptance::new(ScVersion::Feb2005, &Suite::BASIC256);
    let v = verify(
        text.as_bytes(),
        &policy,
        &MS_LWSSP.request,
        &mut (id, &key),
        &mut ReplayCache::default(),
        now,
    )
    .unwrap_or_else(|e| panic!("{e}\n{text}"));
    assert_eq!(v.signed.expect("signed").covered, [Part::Timestamp]);
}

#[test]
fn ms_lwssp_4_1_and_4_5_headers_are_read() {
    // 4.1: the bootstrap header of an Issue request over TLS.
    let text = envelope(
        &example("4.1-username-token-security-header.xml"),
        "<m:Ping xmlns:m=\"urn:m\"/>",
    );
    let doc = parse_message(&text, &Limits::default()).expect("parses");
    let policy = Acceptance::new(ScVersion::Feb2005, &Suite::BASIC256);
    let now = parse_time("2008-08-15T01:33:05Z").expect("time");
    let b = bootstrap::read(&doc, &policy, now).expect("4.1 is read");
    assert!(b.username.is_some());
    // 4.5: a reply's header, a Timestamp alone.
    let text = envelope(
        &example("4.5-response-timestamp-security-header.xml"),
        "<m:Pong xmlns:m=\"urn:m\"/>",
    );
    let now = parse_time("2008-08-15T01:48:09Z").expect("time");
    let v = verify(
        text.as_bytes(),
        &policy,
        &MS_LWSSP.reply,
        &mut ("unused", &SecretKey::new(vec![0; 32])),
        &mut ReplayCache::default(),
        now,
    )
    .unwrap_or_else(|e| panic!("4.5: {e}"));
    assert!(v.signed.is_none());
    assert!(v.created.is_some());
}

#[test]
fn ms_lwssp_4_8_to_4_13_negotiation_bodies_are_read() {
    let rst = |name: &str| {
        let text = example(name);
        let doc = Document::parse(&text, &Limits::default()).expect("well-formed");
        Rst::parse(&doc, doc.root()).unwrap_or_else(|e| panic!("{name}: {e}"))
    };
    let rstr = |name: &str| {
        let text = example(name);
        let doc = Document::parse(&text, &Limits::default()).expect("well-formed");
        Rstr::parse(&doc, doc.root()).unwrap_or_else(|e| panic!("{name}: {e}"))
    };
    let issue = rst("4.8-context-establishment-rst.xml");
    assert_eq!(
        (issue.kind, issue.key_size, issue.entropy.map(|e| e.len())),
        (RequestKind::Issue, Some(256), Some(32))
    );
    let issued = rstr("4.9-context-establishment-rstr.xml");
    assert!(issued.token.is_some());
    let renew = rst("4.10-context-renewal-rst.xml");
    assert_eq!(renew.kind, RequestKind::Renew);
    match renew.target {
        Some(TokenRef::External {
            identifier,
            instance,
        }) => {
            assert_eq!(identifier, "urn:uuid:97b56502-ecf1-44f9-8172-56159c213039");
            assert_eq!(
                instance.as_deref(),
                Some("urn:uuid:30f06efd-3475-47cc-932b-2f2d81192b0f")
            );
        }
        other => panic!("4.10's RenewTarget: {other:?}"),
    }
    let renewed = rstr("4.11-context-renewal-rstr.xml");
    let token = renewed.token.expect("a new SCT");
    assert_eq!(
        token.instance.as_deref(),
        Some("urn:uuid:ec2de28e-e4b8-4964-9228-8fb0aabbe3dd")
    );
    let cancel = rst("4.12-context-cancellation-rst.xml");
    assert_eq!(cancel.kind, RequestKind::Cancel);
    assert!(rstr("4.13-context-cancellation-rstr.xml").cancelled);
}

/// What wsbind sends for each step has the structure of the MS-LWSSP example of that
/// step: element names, namespaces and order.
#[test]
fn what_wsbind_writes_has_the_structure_of_ms_lwssp() {
    let sc = wire::sc(ScVersion::Feb2005);
    let key = SecretKey::new(vec![3; 32]);
    let framing = Framing {
        soap: Soap::V12,
        addressing: Addressing::V10,
    };
    let msg = Outgoing {
        framing,
        headers: Headers {
            action: "urn:example:Ping",
            to: Some("https://x/"),
            message_id: Some("urn:uuid:1"),
            reply_to_anonymous: true,
            relates_to: None,
            application: &[],
        },
        body: "<m:Ping xmlns:m=\"urn:m\"/>",
    };
    let signing_key = SigningKey {
        sc,
        identifier: "urn:uuid:8a63487c-662b-40bf-b2df-f3b536062f5e",
        instance: None,
        cookie: None,
        key: &key,
        include_token: true,

        received: None,
    };
    let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    let mut rng = SeededRng::new(1);
    // 4.3: an application request.
    let ours = protect(
        &msg,
        &signing_key,
        &Suite::BASIC256,
        &MS_LWSSP.request,
        now,
        Duration::from_secs(300),
        &mut rng,
    )
    .expect("protect");
    assert_eq!(
        structure_of_security(&ours),
        structure_of_security(&envelope(
            &example("4.3-sct-signed-security-header.xml"),
            ""
        ))
    );
    // Which elements are signed: the Timestamp, and nothing else.
    let doc = parse_message(&ours, &Limits::default()).expect("parses");
    let refs: Vec<&str> = doc
        .descendants(doc.root())
        .filter(|e| {
            doc.is(*e, ns::DS, "Reference")
                && doc
                    .parent(*e)
                    .is_some_and(|p| doc.is(p, ns::DS, "SignedInfo"))
        })
        .filter_map(|e| doc.attr(e, "", "URI"))
        .collect();
    assert_eq!(refs.len(), 1);
    let target = doc
        .elements_with_id(refs[0].trim_start_matches('#'))
        .next()
        .expect("the target");
    assert!(doc.is(target, ns::WSU, "Timestamp"));
    assert_eq!(doc.parent(target), Some(security(&doc)));
    // 4.5: a reply.
    let reply = protect(
        &msg,
        &signing_key,
        &Suite::BASIC256,
        &MS_LWSSP.reply,
        now,
        Duration::from_secs(300),
        &mut rng,
    )
    .expect("protect");
    assert_eq!(
        structure_of_security(&reply),
        structure_of_security(&envelope(
            &example("4.5-response-timestamp-security-header.xml"),
            ""
        ))
    );
    // 4.1: the Issue request's bootstrap header.
    let user = wsbind_proto::UsernameCredential::new("alice", "pw");
    let header = bootstrap::header(Some(&user), now, Duration::from_secs(300));
    let issue = framing
        .write(
            &msg.headers,
            Some(&header),
            "<m:Ping xmlns:m=\"urn:m\"/>",
            &[],
        )
        .text;
    assert_eq!(
        structure_of_security(&issue),
        structure_of_security(&envelope(
            &example("4.1-username-token-security-header.xml"),
            ""
        ))
    );
    // 4.8, 4.10, 4.12: the RST bodies; 4.9, 4.11, 4.13: the RSTRs.
    let parsed_rst = |name: &str| {
        let text = example(name);
        let doc = Document::parse(&text, &Limits::default()).expect("well-formed");
        Rst::parse(&doc, doc.root()).expect("read")
    };
    let parsed_rstr = |name: &str| {
        let text = example(name);
        let doc = Document::parse(&text, &Limits::default()).expect("well-formed");
        Rstr::parse(&doc, doc.root()).expect("read")
    };
    for name in [
        "4.8-context-establishment-rst.xml",
        "4.10-context-renewal-rst.xml",
        "4.12-context-cancellation-rst.xml",
    ] {
        assert_eq!(
            structure_of_body(&parsed_rst(name).write()),
            structure_of_fragment(&example(name)),
            "{name}"
        );
    }
    for name in [
        "4.9-context-establishment-rstr.xml",
        "4.11-context-renewal-rstr.xml",
        "4.13-context-cancellation-rstr.xml",
    ] {
        assert_eq!(
            structure_of_body(&parsed_rstr(name).write()),
            structure_of_fragment(&example(name)),
            "{name}"
        );
    }
}

/// A WCF cookie token (`requireCancellation = false`): kilobytes of sealed state in the
/// SCT, in Microsoft's namespace. The client reads it and sends the token back as it
/// came (canonical form, every byte of the cookie), and the server side reads it.
#[test]
fn a_wcf_cookie_token_is_kept_opaque_and_sent_back() {
    let c = capture();
    let cookie = B64.encode((0..6000).map(|i| (i * 7 % 251) as u8).collect::<Vec<u8>>());
    let text = read("real-world/corewcf-tmc/02-rstr-sct-response.xml").replacen(
        "</c:Identifier>",
        &format!(
            "</c:Identifier>\n          <Cookie xmlns=\"http://schemas.microsoft.com/ws/2006/05/security\">{cookie}</Cookie>"
        ),
        1,
    );
    assert!(text.len() > 8000);
    let entropy = SecretKey::new(c.client_entropy.clone());
    let now = parse_time("2024-02-14T02:06:54Z").expect("time");
    let ctx = read_issue_response(
        &client_config("requests-only"),
        text.as_bytes(),
        "urn:uuid:11048819-ca8b-4cc3-8054-ab18ff4abef3",
        Some(&entropy),
        now,
    )
    .expect("the cookie token is read");
    let token = ctx.token.as_ref().expect("kept as received");
    assert_eq!(token.id, "uuid-e07815b0-d900-49c8-8ec6-a8ee018263c9-1");
    assert!(token.xml.contains(&cookie));
    // A request carries that token, and the server side verifies it.
    let msg = Outgoing {
        framing: Framing {
            soap: Soap::V12,
            addressing: Addressing::V10,
        },
        headers: Headers {
            action: "http://tempuri.org/IEchoService/EchoString",
            ..Headers::default()
        },
        body: "<EchoString xmlns=\"http://tempuri.org/\"><echo>a</echo></EchoString>",
    };
    let request = protect(
        &msg,
        &SigningKey {
            sc: wire::sc(ScVersion::Feb2005),
            identifier: &ctx.identifier,
            instance: None,
            cookie: None,
            key: &ctx.key,
            include_token: true,
            received: ctx.token.as_ref(),
        },
        &Suite::BASIC256,
        &MS_LWSSP.request,
        now,
        Duration::from_secs(300),
        &mut SeededRng::new(5),
    )
    .expect("protect");
    assert!(
        request.contains(&token.xml),
        "the token goes back as it came"
    );
    let v = verify(
        request.as_bytes(),
        &Acceptance::new(ScVersion::Feb2005, &Suite::BASIC256),
        &MS_LWSSP.request,
        &mut (ctx.identifier.as_str(), &ctx.key),
        &mut ReplayCache::default(),
        now,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(v.signed.expect("signed").identifier, ctx.identifier);
}

/// What other stacks send that a strict reader must still accept: an RSTR without
/// TokenType or KeySize and an identifier that is not a `urn:uuid:` (Apache CXF), a
/// `Context` attribute, seven fractional digits, default namespaces (MS-LWSSP 4.9).
#[test]
fn tolerated_variations_of_the_rstr() {
    let text = example("4.9-context-establishment-rstr.xml");
    let cxf = text
        .replacen(
            "<TokenType>http://schemas.xmlsoap.org/ws/2005/02/sc/sct</TokenType>",
            "",
            1,
        )
        .replacen("<KeySize>256</KeySize>", "", 1)
        .replace("urn:uuid:", "uuid:");
    for (name, text) in [("4.9", &text), ("CXF-like", &cxf)] {
        let doc = Document::parse(text, &Limits::default()).expect("well-formed");
        let rstr = Rstr::parse(&doc, doc.root()).unwrap_or_else(|e| panic!("{name}: {e}"));
        let token = rstr.token.expect("a token");
        assert!(token.identifier.contains("uuid:"), "{name}");
        assert!(rstr.lifetime.is_some(), "{name}");
    }
}

/// WCF answers a request on a context it no longer holds (after its 2-minute idle drop,
/// or a restart) with an *unsecured* fault, action `…/SecureConversationFault`: the
/// client reads its code, and `context_lost` tells the transport to negotiate once more.
#[test]
fn wcf_s_unsecured_bad_context_token_fault_means_negotiate_again() {
    use std::sync::Arc;
    use wsbind_proto::engine::{ClientEngine, Incoming, ServerEngine};
    use wsbind_proto::security::FaultCode;
    use wsbind_proto::{Password, PasswordValidator, UsernameCredential};
    let server_d = described("server", "always");
    let validator: Arc<dyn PasswordValidator> =
        Arc::new(|u: &str, p: &Password| u == "alice" && p.matches("pw"));
    let server = ServerEngine::new(
        Config::from_description(&server_d, None).expect("config"),
        Some(validator),
        Box::new(SeededRng::new(1)),
    )
    .expect("server");
    let mut client = ClientEngine::new(
        client_config("always"),
        "https://x/",
        Some(UsernameCredential::new("alice", "pw")),
        Box::new(SeededRng::new(2)),
    )
    .expect("client");
    let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
    let rst = client.poll(now).expect("poll").expect("rst");
    let Incoming::Negotiated { bytes, .. } = server.handle(rst.request.bytes.as_bytes(), None, now)
    else {
        panic!("issue refused")
    };
    client
        .handle_response(&rst, bytes.as_bytes(), now)
        .expect("context");
    let req = client
        .protect("urn:a", "<m:P xmlns:m=\"urn:m\"/>", now)
        .expect("protect");
    let fault = format!(
        r#"<s:Envelope xmlns:s="{SOAP12}" xmlns:a="http://www.w3.org/2005/08/addressing"><s:Header><a:Action s:mustUnderstand="1">http://schemas.microsoft.com/ws/2006/05/security/SecureConversationFault</a:Action><a:RelatesTo>{}</a:RelatesTo></s:Header><s:Body><s:Fault><s:Code><s:Value>s:Sender</s:Value><s:Subcode><s:Value xmlns:a="http://schemas.xmlsoap.org/ws/2005/02/sc">a:BadContextToken</s:Value></s:Subcode></s:Code><s:Reason><s:Text xml:lang="en-US">The message could not be processed. This is most likely because the action 'urn:a' is incorrect or because the message contains an invalid or expired security context token or because there is a mismatch between bindings. The security context token would be invalid if the service aborted the channel due to inactivity.</s:Text></s:Reason></s:Fault></s:Body></s:Envelope>"#,
        req.message_id
    );
    match client.verify_reply(fault.as_bytes(), &req.message_id, now) {
        Err(EngineError::Fault(f)) => {
            assert_eq!(f.code, Some(FaultCode::BadContextToken));
            assert!(f.context_lost());
        }
        other => panic!("{other:?}"),
    }
    let e = client
        .verify_reply(fault.as_bytes(), &req.message_id, now)
        .expect_err("a fault");
    assert!(e.context_lost());
}
