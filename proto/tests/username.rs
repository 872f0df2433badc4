//! A username on every message (WWSAPI's `WS_HTTP_SSL_USERNAME_BINDING_TEMPLATE`; WCF's
//! TransportWithMessageCredential with `UserName` and no security context), in memory
//! with a fake clock: each request carries a Timestamp and the UsernameToken (MS-LWSSP
//! §4.1), the server validates the user on every request, replies carry a Timestamp;
//! nothing is negotiated. And what is refused, with the fault the client reads.

use std::sync::Arc;
use std::time::{Duration, SystemTime};
use wsbind_compiler::FromToml;
use wsbind_proto::engine::{
    ClientCall, ClientEngine, Config, EngineError, Incoming, ServerEngine, StateError,
};
use wsbind_proto::keys::SeededRng;
use wsbind_proto::security::FaultCode;
use wsbind_proto::{Description, Password, PasswordValidator, UsernameCredential};

fn described(role: &str) -> Description {
    let text = format!(
        r#"
[channel]
binding = "http"
role = "{role}"
envelope-version = "soap-1.2"
addressing-version = "1.0"

[[security.binding]]
kind = "ssl-transport"

[[security.binding]]
kind = "username"
usage = "supporting"
"#
    );
    Description::from_toml_str(&text).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

fn t0() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_795_000_000)
}

fn validator() -> Arc<dyn PasswordValidator> {
    Arc::new(|user: &str, pw: &Password| user == "alice" && pw.matches("s3cret"))
}

fn client(password: &str) -> ClientEngine {
    let config = Config::from_description(&described("client"), None).expect("config");
    assert_eq!(
        config.no_context,
        Some(wsbind_proto::engine::NoContext::UsernameEveryMessage)
    );
    ClientEngine::new(
        config,
        "https://orders.example/svc",
        Some(UsernameCredential::new("alice", password)),
        Box::new(SeededRng::new(1)),
    )
    .expect("client")
}

fn server() -> ServerEngine {
    let config = Config::from_description(&described("server"), None).expect("config");
    ServerEngine::new(config, Some(validator()), Box::new(SeededRng::new(2))).expect("server")
}

const BODY: &str = r#"<m:Pay xmlns:m="urn:example:orders">10</m:Pay>"#;

/// One call through the client's step machine, the server answering with `answer`.
fn call(
    client: &mut ClientEngine,
    server: &ServerEngine,
    now: SystemTime,
) -> Result<wsbind_proto::security::Verified, EngineError> {
    let mut call = ClientCall::request("urn:example:orders/Pay", BODY);
    let mut sent = 0;
    loop {
        let Some(request) = call.poll_transmit(client, now)? else {
            panic!("the call ended without a reply");
        };
        sent += 1;
        assert_eq!(sent, 1, "nothing is negotiated: one message per call");
        let answer = match server.handle(request.bytes.as_bytes(), None, now) {
            Incoming::Request(r) => {
                assert_eq!(r.identity.name, "alice");
                assert!(r.signed().is_none(), "nothing is signed");
                assert_eq!(r.verified.body, BODY);
                server
                    .reply(
                        &r,
                        "urn:example:orders/PayResponse",
                        "<m:Paid xmlns:m=\"urn:example:orders\"/>",
                        now,
                    )
                    .expect("reply")
            }
            Incoming::Rejected { bytes, .. } => bytes,
            Incoming::Negotiated { .. } => panic!("nothing is negotiated"),
        };
        if let Some(reply) = call.handle_answer(client, answer.as_bytes(), now)? {
            return Ok(reply);
        }
    }
}

#[test]
fn every_request_carries_the_username_and_nothing_is_negotiated() {
    let mut c = client("s3cret");
    let s = server();
    assert!(c.is_ready(), "nothing to negotiate first");
    assert!(c.poll(t0()).expect("poll").is_none());
    assert!(c.poll_timeout(t0()).is_none(), "no timer");
    for i in 0..3 {
        let now = t0() + Duration::from_secs(60 * i);
        let reply = call(&mut c, &s, now).expect("a reply");
        assert!(reply.body.contains("Paid"), "{}", reply.body);
        assert!(reply.created.is_some(), "the reply carries a Timestamp");
        assert!(reply.signed.is_none());
    }
    // The request on the wire: MS-LWSSP §4.1's header, on an application message.
    let request = c
        .protect("urn:example:orders/Pay", BODY, t0())
        .expect("request");
    let text = &request.bytes;
    assert!(
        text.contains("<u:Timestamp") || text.contains(":Timestamp"),
        "{text}"
    );
    assert!(
        text.contains("UsernameToken") && text.contains("#PasswordText\">s3cret<"),
        "{text}"
    );
    assert!(
        !text.contains("Signature") && !text.contains("SecurityContextToken"),
        "{text}"
    );
    assert_eq!(c.context_id(), None);
    // Closing sends nothing.
    assert!(c.close(t0()).expect("close").is_none());
    assert!(matches!(
        c.protect("urn:example:orders/Pay", BODY, t0()),
        Err(EngineError::State(StateError::Closed))
    ));
}

fn refusal(bytes: &[u8], s: &ServerEngine, now: SystemTime) -> (EngineError, String) {
    match s.handle(bytes, None, now) {
        Incoming::Rejected { bytes, error, .. } => (error, bytes),
        other => panic!("accepted: {other:?}"),
    }
}

#[test]
fn what_is_refused_and_what_the_client_reads() {
    let s = server();
    // A wrong password: FailedAuthentication, which the client reports as a fault.
    let mut wrong = client("wrong");
    match call(&mut wrong, &s, t0()) {
        Err(EngineError::Fault(f)) => {
            assert_eq!(f.code, Some(FaultCode::FailedAuthentication), "{f}")
        }
        other => panic!("{other:?}"),
    }
    let mut c = client("s3cret");
    // A request whose Timestamp is too old (past the 5 minutes of clock skew and
    // validity): refused as a timestamp problem.
    let old = c
        .protect("urn:example:orders/Pay", BODY, t0())
        .expect("request");
    let (error, _) = refusal(old.bytes.as_bytes(), &s, t0() + Duration::from_secs(3600));
    assert!(matches!(error, EngineError::Security(_)), "{error:?}");
    assert!(
        error.to_string().to_lowercase().contains("timestamp")
            || error.to_string().contains("expired"),
        "{error}"
    );
    // No username token: refused.
    let start = old
        .bytes
        .find("<o:UsernameToken")
        .expect("a username token");
    let end = old.bytes.find("</o:UsernameToken>").expect("its end") + "</o:UsernameToken>".len();
    let no_user = format!("{}{}", &old.bytes[..start], &old.bytes[end..]);
    let (error, _) = refusal(no_user.as_bytes(), &s, t0());
    assert_eq!(error, EngineError::Authentication, "{no_user}");
    // A WS-Trust request (a client that wants a context): refused, saying why.
    let rst = old.bytes.replace(
        "urn:example:orders/Pay",
        "http://docs.oasis-open.org/ws-sx/ws-trust/200512/RST/SCT",
    );
    let (error, _) = refusal(rst.as_bytes(), &s, t0());
    assert!(
        error.to_string().contains("asks for a security context"),
        "{error}"
    );
    // A reply signed by some key: the client holds none, and refuses it.
    let fresh = c
        .protect("urn:example:orders/Pay", BODY, t0())
        .expect("request");
    let forged = format!(
        "<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\" xmlns:a=\"http://www.w3.org/2005/08/addressing\"><s:Header><a:Action>r</a:Action><a:RelatesTo>{}</a:RelatesTo><o:Security xmlns:o=\"http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd\"><u:Timestamp xmlns:u=\"http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd\" u:Id=\"_0\"><u:Created>2026-11-18T07:06:40.000Z</u:Created><u:Expires>2026-11-18T07:11:40.000Z</u:Expires></u:Timestamp><Signature xmlns=\"http://www.w3.org/2000/09/xmldsig#\"/></o:Security></s:Header><s:Body/></s:Envelope>",
        fresh.message_id
    );
    assert!(c
        .verify_reply(forged.as_bytes(), &fresh.message_id, t0())
        .is_err());
    // A description with a context and a username on every message is still refused.
    let both = r#"
[channel]
binding = "http"
[[security.binding]]
kind = "ssl-transport"
[[security.binding]]
kind = "username"
usage = "supporting"
[[security.binding]]
kind = "security-context"
usage = "supporting"
[security.binding.bootstrap]
[[security.binding.bootstrap.binding]]
kind = "ssl-transport"
[[security.binding.bootstrap.binding]]
kind = "username"
usage = "supporting"
"#;
    let checked = wsbind_compiler::check_toml(both, wsbind_compiler::Target::Runtime);
    assert!(checked
        .diagnostics
        .iter()
        .any(|d| d.rule.id == "WSB0040" && d.message.contains("beside a security context")));
}

#[test]
fn a_server_needs_a_validator_and_a_client_a_username() {
    let config = Config::from_description(&described("server"), None).expect("config");
    assert!(ServerEngine::new(config.clone(), None, Box::new(SeededRng::new(2))).is_err());
    assert!(ClientEngine::new(config, "https://x/", None, Box::new(SeededRng::new(1))).is_err());
}

/// TLS alone (no context, no message security): no security header either way; the
/// client is who the transport says (its certificate's subject), anonymous otherwise; a
/// request that carries a WS-Security header is refused, not half-read.
#[test]
fn tls_alone_carries_no_security_header_and_the_transport_names_the_client() {
    let text = "[channel]\nbinding = \"http\"\n[[security.binding]]\nkind = \"ssl-transport\"\n";
    let d = Description::from_toml_str(text).expect("valid");
    let config = Config::from_description(&d, None).expect("config");
    assert_eq!(
        config.no_context,
        Some(wsbind_proto::engine::NoContext::Transport)
    );
    let mut c = ClientEngine::new(
        config.clone(),
        "https://x/svc",
        None,
        Box::new(SeededRng::new(1)),
    )
    .expect("client");
    let s = ServerEngine::new(config, None, Box::new(SeededRng::new(2))).expect("server");
    let request = c.protect("urn:a", BODY, t0()).expect("request");
    assert!(!request.bytes.contains("Security"), "{}", request.bytes);
    let cert = wsbind_proto::Identity {
        name: "CN=alice, O=Example".into(),
    };
    match s.handle(request.bytes.as_bytes(), Some(cert), t0()) {
        Incoming::Request(r) => {
            assert_eq!(r.identity.name, "CN=alice, O=Example");
            let reply = s.reply(&r, "urn:b", "<r/>", t0()).expect("reply");
            assert!(!reply.contains("Security"), "no security header: {reply}");
            let v = c.verify_reply(reply.as_bytes(), &request.message_id, t0());
            assert!(v.is_ok(), "{v:?}\n{reply}");
        }
        other => panic!("{other:?}"),
    }
    match s.handle(request.bytes.as_bytes(), None, t0()) {
        Incoming::Request(r) => assert_eq!(r.identity.name, "anonymous"),
        other => panic!("{other:?}"),
    }
    // A username token is refused (it would go unchecked); a Timestamp alone, as a
    // policy-driven client sends it, is checked and accepted.
    let with_header = c_username_request();
    let (error, _) = refusal(with_header.as_bytes(), &s, t0());
    assert!(error.to_string().contains("UsernameToken"), "{error}");
    let start = with_header.find("<o:UsernameToken").expect("token");
    let end = with_header.find("</o:UsernameToken>").expect("end") + "</o:UsernameToken>".len();
    let timestamp_only = format!("{}{}", &with_header[..start], &with_header[end..]);
    assert!(matches!(
        s.handle(timestamp_only.as_bytes(), None, t0()),
        Incoming::Request(_)
    ));
    let stale = refusal(
        timestamp_only.as_bytes(),
        &s,
        t0() + Duration::from_secs(3600),
    )
    .0;
    assert!(matches!(stale, EngineError::Security(_)), "{stale:?}");
}

/// A request with a WS-Security header (a username client's).
fn c_username_request() -> String {
    client("s3cret")
        .protect("urn:a", BODY, t0())
        .expect("request")
        .bytes
}

/// The hostile shapes of a request under a username on every message: each is refused
/// by the one bootstrap reader, with the error that names it, and never reaches the
/// handler.
#[test]
fn hostile_username_requests_are_refused() {
    let s = server();
    let mut c = client("s3cret");
    let good = c
        .protect("urn:example:orders/Pay", BODY, t0())
        .expect("request")
        .bytes;
    let ts_start = good.find("<u:Timestamp").expect("timestamp");
    let ts_end = good.find("</u:Timestamp>").expect("its end") + "</u:Timestamp>".len();
    let timestamp = &good[ts_start..ts_end];
    let ut_start = good.find("<o:UsernameToken").expect("a username token");
    let ut_end = good.find("</o:UsernameToken>").expect("its end") + "</o:UsernameToken>".len();
    let token = &good[ut_start..ut_end];
    let cases: Vec<(&str, String, &str)> = vec![
        ("two username tokens", good.replace(token, &format!("{token}{token}")), "UsernameToken"),
        ("two timestamps", good.replace(timestamp, &format!("{timestamp}{timestamp}")), "Timestamp"),
        ("no timestamp", good.replace(timestamp, ""), "imestamp"),
        (
            "a digest password",
            good.replace("#PasswordText", "#PasswordDigest"),
            "PasswordDigest",
        ),
        (
            "a signature beside the token",
            good.replace(token, &format!("{token}<Signature xmlns=\"http://www.w3.org/2000/09/xmldsig#\"/>")),
            "Signature",
        ),
        ("another user", good.replace(">alice<", ">mallory<"), "authentication"),
        ("an empty password", good.replace(">s3cret<", "><"), "authentication"),
        (
            "two security headers",
            good.replacen("<o:Security", "<o:Security s:mustUnderstand=\"true\" xmlns:o=\"http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd\"></o:Security><o:Security", 1),
            "Security",
        ),
    ];
    for (name, bytes, says) in cases {
        assert_ne!(bytes, good, "{name}: the case changed nothing");
        match s.handle(bytes.as_bytes(), None, t0()) {
            Incoming::Rejected { error, .. } => assert!(
                error.to_string().contains(says) || format!("{error:?}").contains(says),
                "{name}: {error}"
            ),
            other => panic!("{name}: accepted: {other:?}"),
        }
    }
    // The genuine one still goes through.
    assert!(matches!(
        s.handle(good.as_bytes(), None, t0()),
        Incoming::Request(_)
    ));
}

/// WCF's basicHttpBinding shape: SOAP 1.1 and no WS-Addressing (the transport addresses
/// the message; the action travels in HTTP): no addressing header either way, and the
/// reply is read without a RelatesTo.
#[test]
fn a_username_on_every_message_without_ws_addressing() {
    let text = "[channel]\nbinding = \"http\"\nenvelope-version = \"soap-1.1\"\naddressing-version = \"transport\"\n[[security.binding]]\nkind = \"ssl-transport\"\n[[security.binding]]\nkind = \"username\"\nusage = \"supporting\"\n";
    let d = Description::from_toml_str(text).expect("valid for the runtime");
    let config = Config::from_description(&d, None).expect("config");
    let mut c = ClientEngine::new(
        config.clone(),
        "https://orders.example/svc",
        Some(UsernameCredential::new("alice", "s3cret")),
        Box::new(SeededRng::new(1)),
    )
    .expect("client");
    let s =
        ServerEngine::new(config, Some(validator()), Box::new(SeededRng::new(2))).expect("server");
    let request = c
        .protect("urn:example:orders/Pay", BODY, t0())
        .expect("request");
    assert!(
        !request.bytes.contains("addressing") && !request.bytes.contains("<a:"),
        "{}",
        request.bytes
    );
    assert!(request
        .bytes
        .contains("http://schemas.xmlsoap.org/soap/envelope/"));
    let Incoming::Request(r) = s.handle(request.bytes.as_bytes(), None, t0()) else {
        panic!("refused")
    };
    assert_eq!(r.identity.name, "alice");
    assert_eq!(r.verified.action, None, "the action travelled in HTTP");
    let reply = s
        .reply(
            &r,
            "urn:example:orders/PayResponse",
            "<m:Paid xmlns:m=\"urn:m\"/>",
            t0(),
        )
        .expect("reply");
    assert!(!reply.contains("RelatesTo"), "{reply}");
    let v = c
        .verify_reply(reply.as_bytes(), &request.message_id, t0())
        .expect("the reply is read");
    assert!(v.body.contains("Paid"));
    // A security context cannot do without WS-Addressing: the compiler says so first
    // (WSB0049), and the engine refuses such a configuration too.
    let ctx = "[channel]\nbinding = \"http\"\naddressing-version = \"transport\"\n[[security.binding]]\nkind = \"ssl-transport\"\n[[security.binding]]\nkind = \"security-context\"\nusage = \"supporting\"\n[security.binding.bootstrap]\n[[security.binding.bootstrap.binding]]\nkind = \"ssl-transport\"\n[[security.binding.bootstrap.binding]]\nkind = \"username\"\nusage = \"supporting\"\n";
    assert!(Description::from_toml_str(ctx).is_err());
}
