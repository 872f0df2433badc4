//! A security context bootstrapped by a Kerberos AP-REQ (WWSAPI's
//! `WS_HTTP_SSL_KERBEROS_APREQ_SECURITY_CONTEXT_BINDING_TEMPLATE`), in memory with a
//! fake clock and a fake KDC: the Issue request carries the AP-REQ in a
//! `BinarySecurityToken` and a signature over the Timestamp by its session key
//! (MS-LWSSP §2.2.1.3.1), the server hands the token to its acceptor, checks the
//! signature with the key the acceptor found, and the client principal becomes the
//! context's identity. Then every refusal, with the fault the client reads, and the
//! hostile shapes of the header. (`kerberos/tests/` runs the same against MIT's KDC.)

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};
use wsbind_compiler::FromToml;
use wsbind_proto::engine::{
    ClientCall, ClientEngine, Config, EngineError, Incoming, ServerEngine, ServerEvent, StateError,
};
use wsbind_proto::keys::{SecretKey, SeededRng};
use wsbind_proto::security::{FaultCode, KerberosTokenError, SecurityError};
use wsbind_proto::{
    Description, Identity, KerberosAccepted, KerberosAcceptor, KerberosInitiator, KerberosTicket,
    Rejected,
};

const KERBEROS_CONTEXT: &str = r#"
[[security.binding]]
kind = "ssl-transport"

[[security.binding]]
kind = "security-context"
secure-conversation-version = "1.3"

[security.binding.bootstrap]

[[security.binding.bootstrap.binding]]
kind = "ssl-transport"

[[security.binding.bootstrap.binding]]
kind = "kerberos-apreq"
"#;

fn described(role: &str, extra: &str) -> Description {
    let text =
        format!("[channel]\nbinding = \"http\"\nrole = \"{role}\"\n{extra}{KERBEROS_CONTEXT}");
    Description::from_toml_str(&text).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

fn t0() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_795_000_000)
}

/// The fake KDC's session key for the ticket numbered `n`.
fn session_key(n: u32) -> SecretKey {
    SecretKey::new(format!("session key {n:>20}").into_bytes())
}

/// Hands out numbered AP-REQs (`AP-REQ n`) with their session keys.
#[derive(Default)]
struct FakeInitiator {
    next: Mutex<u32>,
    /// Signs with another key than the ticket's.
    wrong_key: bool,
    /// Cannot get a ticket at all.
    fail: bool,
}

impl KerberosInitiator for FakeInitiator {
    fn ap_req(&self) -> Result<KerberosTicket, Rejected> {
        if self.fail {
            return Err(Rejected("the KDC does not answer".into()));
        }
        let mut next = self.next.lock().expect("lock");
        *next += 1;
        let n = *next;
        Ok(KerberosTicket {
            token: format!("AP-REQ {n}").into_bytes(),
            key: session_key(if self.wrong_key { n + 1000 } else { n }),
        })
    }
}

/// Accepts `AP-REQ n` once each, for alice, with ticket n's key.
#[derive(Default)]
struct FakeAcceptor {
    seen: Mutex<HashSet<Vec<u8>>>,
    service: Option<String>,
}

impl KerberosAcceptor for FakeAcceptor {
    fn accept(&self, ap_req: &[u8]) -> Result<KerberosAccepted, Rejected> {
        let text = std::str::from_utf8(ap_req).map_err(|_| Rejected("not a ticket".into()))?;
        let n: u32 = text
            .strip_prefix("AP-REQ ")
            .and_then(|n| n.parse().ok())
            .ok_or_else(|| Rejected("not a ticket".into()))?;
        if !self.seen.lock().expect("lock").insert(ap_req.to_vec()) {
            return Err(Rejected("a replayed AP-REQ".into()));
        }
        Ok(KerberosAccepted {
            identity: Identity {
                name: "alice@EXAMPLE.COM".into(),
            },
            service: self
                .service
                .clone()
                .unwrap_or_else(|| "HTTP/orders.example.com@EXAMPLE.COM".into()),
            key: session_key(n),
        })
    }
}

fn client(initiator: FakeInitiator) -> ClientEngine {
    let config = Config::from_description(&described("client", ""), None).expect("config");
    assert!(config.kerberos_bootstrap);
    ClientEngine::new(
        config,
        "https://orders.example.com/svc",
        None,
        Box::new(SeededRng::new(1)),
    )
    .expect("client")
    .with_kerberos(Arc::new(initiator))
}

fn server_with(extra: &str, acceptor: FakeAcceptor) -> ServerEngine {
    let config = Config::from_description(&described("server", extra), None).expect("config");
    let s = ServerEngine::new(config, None, Box::new(SeededRng::new(2)))
        .expect("server")
        .with_kerberos(Arc::new(acceptor));
    s.ready().expect("ready");
    s
}

fn server() -> ServerEngine {
    server_with("", FakeAcceptor::default())
}

const BODY: &str = r#"<m:Pay xmlns:m="urn:example:orders">10</m:Pay>"#;

/// The Issue request the client sends first.
fn issue(c: &mut ClientEngine, now: SystemTime) -> String {
    let mut call = ClientCall::connect();
    let req = call
        .poll_transmit(c, now)
        .expect("poll")
        .expect("an Issue request");
    req.bytes.clone()
}

fn rejected(s: &ServerEngine, bytes: &str, now: SystemTime) -> (EngineError, String) {
    match s.handle(bytes.as_bytes(), None, now) {
        Incoming::Rejected { error, bytes, .. } => (error, bytes),
        Incoming::Negotiated { .. } => panic!("accepted:\n{bytes}"),
        Incoming::Request(_) => panic!("taken for a request"),
    }
}

#[test]
fn the_ap_req_negotiates_a_context_whose_identity_is_the_client_principal() {
    let mut c = client(FakeInitiator::default());
    let s = server();
    let now = t0();
    let mut call = ClientCall::request("urn:example:orders/Pay", BODY);
    let mut issued = None;
    let reply = loop {
        let req = call
            .poll_transmit(&mut c, now)
            .expect("poll")
            .expect("a message");
        let answer = match s.handle(req.bytes.as_bytes(), None, now) {
            Incoming::Negotiated { bytes, event } => {
                issued = Some(event);
                bytes
            }
            Incoming::Request(r) => {
                assert_eq!(r.identity.name, "alice@EXAMPLE.COM");
                s.reply(
                    &r,
                    "urn:example:orders/PayResponse",
                    "<m:Paid xmlns:m=\"urn:example:orders\"/>",
                    now,
                )
                .expect("reply")
            }
            Incoming::Rejected { error, .. } => panic!("refused: {error}"),
        };
        if let Some(reply) = call
            .handle_answer(&mut c, answer.as_bytes(), now)
            .expect("answer")
        {
            break reply;
        }
    };
    assert!(reply.body.contains("Paid"));
    match issued {
        Some(ServerEvent::Issued { identity, .. }) => {
            assert_eq!(identity.name, "alice@EXAMPLE.COM")
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_issue_request_carries_the_token_and_its_signature_as_ms_lwssp_says() {
    let mut c = client(FakeInitiator::default());
    let rst = issue(&mut c, t0());
    let doc = roxmltree_free::parse(&rst);
    // Timestamp, then the token, then the signature, in the one Security header.
    let order: Vec<&str> = doc.security_children();
    assert_eq!(
        order,
        ["Timestamp", "BinarySecurityToken", "Signature"],
        "{rst}"
    );
    assert!(rst.contains(r#"ValueType="http://docs.oasis-open.org/wss/oasis-wss-kerberos-token-profile-1.1#GSS_Kerberosv5_AP_REQ""#));
    assert!(rst.contains(r#"EncodingType="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary""#));
    // base64("AP-REQ 1")
    assert!(
        rst.contains(">QVAtUkVRIDE=</o:BinarySecurityToken>"),
        "{rst}"
    );
    // The signature covers the Timestamp only, and KeyInfo references the token.
    assert_eq!(rst.matches("<Reference URI=").count(), 1, "{rst}");
    assert!(rst.contains(r##"<Reference URI="#_0">"##));
    assert!(rst.contains(r##"<o:Reference URI="#_kt" ValueType="http://docs.oasis-open.org/wss/oasis-wss-kerberos-token-profile-1.1#GSS_Kerberosv5_AP_REQ"/>"##), "{rst}");
    assert!(!rst.contains("UsernameToken"));
}

/// A tiny reader for the assertions above (the crate's DOM is internal).
mod roxmltree_free {
    pub struct Doc<'a>(&'a str);
    pub fn parse(s: &str) -> Doc<'_> {
        Doc(s)
    }
    impl<'a> Doc<'a> {
        /// The local names of the Security header's children, in order.
        pub fn security_children(&self) -> Vec<&'a str> {
            let start = self.0.find("<o:Security").expect("a Security header");
            let body = &self.0[start..];
            let inner_start = body.find('>').expect(">") + 1;
            let end = body.find("</o:Security>").expect("its end");
            let mut out = Vec::new();
            let mut depth = 0;
            let mut rest = &body[inner_start..end];
            while let Some(i) = rest.find('<') {
                rest = &rest[i + 1..];
                if rest.starts_with('/') {
                    depth -= 1;
                    continue;
                }
                let name_end = rest.find([' ', '>', '/']).expect("a name");
                let self_closing = rest[..rest.find('>').expect(">")].ends_with('/');
                if depth == 0 {
                    let name = &rest[..name_end];
                    out.push(name.rsplit(':').next().expect("local"));
                }
                if !self_closing {
                    depth += 1;
                }
            }
            out
        }
    }
}

#[test]
fn a_refused_ap_req_is_failed_authentication() {
    let mut c = client(FakeInitiator::default());
    let s = server();
    let rst = issue(&mut c, t0());
    assert!(matches!(
        s.handle(rst.as_bytes(), None, t0()),
        Incoming::Negotiated { .. }
    ));
    // The same AP-REQ again: the acceptor's replay cache refuses it.
    let (error, fault) = rejected(&s, &rst, t0());
    assert_eq!(error, EngineError::Authentication, "{error}");
    assert!(fault.contains("FailedAuthentication"), "{fault}");
    // The client reads the fault as its credentials rejected.
    let mut call = ClientCall::connect();
    call.poll_transmit(&mut c, t0()).expect("poll");
    let e = call
        .handle_answer(&mut c, fault.as_bytes(), t0())
        .expect_err("refused");
    assert!(
        matches!(&e, EngineError::Fault(f) if f.code == Some(FaultCode::FailedAuthentication)),
        "{e}"
    );
}

#[test]
fn a_signature_by_another_key_fails_the_check() {
    let mut c = client(FakeInitiator {
        wrong_key: true,
        ..Default::default()
    });
    let s = server();
    let (error, fault) = rejected(&s, &issue(&mut c, t0()), t0());
    assert_eq!(
        error,
        EngineError::Security(SecurityError::SignatureMismatch)
    );
    assert!(fault.contains("FailedCheck"), "{fault}");
}

#[test]
fn a_client_without_a_ticket_says_why_and_sends_nothing() {
    let mut c = client(FakeInitiator {
        fail: true,
        ..Default::default()
    });
    let e = ClientCall::connect()
        .poll_transmit(&mut c, t0())
        .map(|r| r.map(|r| r.bytes.clone()))
        .expect_err("no AP-REQ");
    assert!(
        matches!(&e, EngineError::Kerberos(r) if r.0.contains("KDC")),
        "{e}"
    );
    assert!(e.to_string().contains("no Kerberos AP-REQ"), "{e}");
}

#[test]
fn engines_without_their_kerberos_half_say_so() {
    let config = Config::from_description(&described("client", ""), None).expect("config");
    let mut c =
        ClientEngine::new(config, "https://x/", None, Box::new(SeededRng::new(1))).expect("client");
    let e = ClientCall::connect()
        .poll_transmit(&mut c, t0())
        .map(|_| ())
        .expect_err("no initiator");
    assert_eq!(e, EngineError::State(StateError::NeedsKerberos));
    let config = Config::from_description(&described("server", ""), None).expect("config");
    let s = ServerEngine::new(config, None, Box::new(SeededRng::new(2))).expect("server");
    assert_eq!(
        s.ready(),
        Err(EngineError::State(StateError::NeedsKerberos))
    );
}

#[test]
fn a_ticket_for_a_service_not_among_the_service_identities_is_refused() {
    // Service identities are honoured where the description names them.
    let extra = "";
    let mut c = client(FakeInitiator::default());
    let mut config = Config::from_description(&described("server", extra), None).expect("config");
    config.service_identities = vec!["HTTP/orders.example.com".into()];
    let make = |service: &str| {
        ServerEngine::new(config.clone(), None, Box::new(SeededRng::new(2)))
            .expect("server")
            .with_kerberos(Arc::new(FakeAcceptor {
                service: Some(service.into()),
                ..Default::default()
            }))
    };
    let ok = make("http/Orders.Example.com@EXAMPLE.COM");
    assert!(matches!(
        ok.handle(issue(&mut c, t0()).as_bytes(), None, t0()),
        Incoming::Negotiated { .. }
    ));
    let other = make("HTTP/elsewhere.example.com@EXAMPLE.COM");
    let (error, _) = rejected(&other, &issue(&mut c, t0()), t0());
    assert_eq!(error, EngineError::Authentication);
}

#[test]
fn a_stale_timestamp_is_refused_before_the_ticket_is_looked_at() {
    let mut c = client(FakeInitiator::default());
    let s = server();
    let rst = issue(&mut c, t0());
    let (error, fault) = rejected(&s, &rst, t0() + Duration::from_secs(3600));
    assert!(
        matches!(error, EngineError::Security(SecurityError::Expired { .. })),
        "{error}"
    );
    assert!(fault.contains("MessageExpired"), "{fault}");
}

/// Each hostile shape of the bootstrap's header, refused with the error that names it.
#[test]
fn hostile_kerberos_headers_are_refused_with_their_reason() {
    let mut c = client(FakeInitiator::default());
    let s = server();
    let kerberos = |e: &EngineError| match e {
        EngineError::Security(SecurityError::Kerberos(k)) => Some(k.clone()),
        _ => None,
    };
    type Check = fn(&EngineError) -> bool;
    type Mutation = Box<dyn Fn(&str) -> String>;
    let cases: Vec<(&str, Mutation, Check)> = vec![
        (
            "no signature",
            Box::new(|m: &str| cut(m, "<Signature ", "</Signature>")),
            |e| {
                matches!(
                    e,
                    EngineError::Security(SecurityError::Kerberos(KerberosTokenError::NoSignature))
                )
            },
        ),
        (
            "no token",
            Box::new(|m: &str| cut(m, "<o:BinarySecurityToken", "</o:BinarySecurityToken>")),
            |e| {
                matches!(
                    e,
                    EngineError::Security(SecurityError::Kerberos(KerberosTokenError::NoToken))
                )
            },
        ),
        (
            "another ValueType",
            Box::new(|m: &str| {
                m.replacen(
                    "#GSS_Kerberosv5_AP_REQ\" EncodingType",
                    "#Kerberosv5_AP_REQ\" EncodingType",
                    1,
                )
            }),
            |e| {
                matches!(
                    e,
                    EngineError::Security(SecurityError::Kerberos(
                        KerberosTokenError::ValueType { .. }
                    ))
                )
            },
        ),
        (
            "hex encoding",
            Box::new(|m: &str| m.replacen("1.0#Base64Binary\">", "1.0#HexBinary\">", 1)),
            |e| {
                matches!(
                    e,
                    EngineError::Security(SecurityError::Kerberos(
                        KerberosTokenError::EncodingType { .. }
                    ))
                )
            },
        ),
        (
            "not base64",
            Box::new(|m: &str| with_token(m, "*not base64*")),
            |e| {
                matches!(
                    e,
                    EngineError::Security(SecurityError::Kerberos(KerberosTokenError::NotBase64))
                )
            },
        ),
        (
            "an empty token",
            Box::new(|m: &str| with_token(m, "")),
            |e| {
                matches!(
                    e,
                    EngineError::Security(SecurityError::Kerberos(KerberosTokenError::Size { .. }))
                )
            },
        ),
        (
            "a token beyond the bound",
            Box::new(|m: &str| with_token(m, &"QUFB".repeat(30_000))),
            |e| {
                matches!(
                    e,
                    EngineError::Security(SecurityError::Kerberos(KerberosTokenError::Size { .. }))
                )
            },
        ),
        (
            "no wsu:Id on the token",
            Box::new(|m: &str| {
                m.replacen(
                    "<o:BinarySecurityToken u:Id=\"_kt\"",
                    "<o:BinarySecurityToken",
                    1,
                )
            }),
            |e| {
                matches!(
                    e,
                    EngineError::Security(SecurityError::Kerberos(KerberosTokenError::NoId))
                )
            },
        ),
        (
            "KeyInfo naming the Timestamp",
            Box::new(|m: &str| {
                m.replacen("<o:Reference URI=\"#_kt\"", "<o:Reference URI=\"#_0\"", 1)
            }),
            |e| {
                matches!(
                    e,
                    EngineError::Security(SecurityError::Kerberos(
                        KerberosTokenError::KeyInfo { .. }
                    ))
                )
            },
        ),
        (
            "two tokens",
            Box::new(|m: &str| {
                let token = between(m, "<o:BinarySecurityToken", "</o:BinarySecurityToken>");
                m.replacen(
                    &token,
                    &format!("{token}{}", token.replace("_kt", "_k2")),
                    1,
                )
            }),
            |e| matches!(e, EngineError::Security(SecurityError::Header(_))),
        ),
        (
            "the token's id given twice",
            Box::new(|m: &str| {
                m.replacen("<s:Body", "<s:Body u:Id=\"_kt\" xmlns:u=\"http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd\"", 1)
            }),
            |e| {
                matches!(
                    e,
                    EngineError::Security(SecurityError::AmbiguousReference { .. })
                )
            },
        ),
        (
            "the signature over the Body instead",
            Box::new(|m: &str| {
                m.replacen("<Reference URI=\"#_0\">", "<Reference URI=\"#_b\">", 1).replacen("<s:Body", "<s:Body u:Id=\"_b\" xmlns:u=\"http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd\"", 1)
            }),
            |e| matches!(e, EngineError::Security(SecurityError::Unsigned { .. })),
        ),
        (
            "a username token beside it",
            Box::new(|m: &str| {
                m.replacen("<o:BinarySecurityToken", "<o:UsernameToken><o:Username>mallory</o:Username><o:Password>x</o:Password></o:UsernameToken><o:BinarySecurityToken", 1)
            }),
            |e| matches!(e, EngineError::Unexpected(_)),
        ),
        (
            "a truncated HMAC",
            Box::new(|m: &str| {
                let v = between(m, "<SignatureValue>", "</SignatureValue>");
                m.replacen(&v, "<SignatureValue>AAAA</SignatureValue>", 1)
            }),
            |e| matches!(e, EngineError::Security(SecurityError::Signature(_))),
        ),
    ];
    for (what, mutate, check) in cases {
        let rst = issue(&mut c, t0());
        let hostile = mutate(&rst);
        assert_ne!(hostile, rst, "{what}: the mutation changed nothing");
        let (error, fault) = rejected(&s, &hostile, t0());
        assert!(check(&error), "{what}: {error:?} ({:?})", kerberos(&error));
        assert!(fault.contains("Fault"), "{what}: {fault}");
    }
    // A Kerberos token sent to a server whose bootstrap is a username's.
    let username_server = {
        let text = KERBEROS_CONTEXT.replace("kind = \"kerberos-apreq\"", "kind = \"username\"");
        let d = Description::from_toml_str(&format!(
            "[channel]\nbinding = \"http\"\nrole = \"server\"\n{text}"
        ))
        .expect("valid");
        let config = Config::from_description(&d, None).expect("config");
        let v: Arc<dyn wsbind_proto::PasswordValidator> =
            Arc::new(|_: &str, _: &wsbind_proto::Password| true);
        ServerEngine::new(config, Some(v), Box::new(SeededRng::new(3))).expect("server")
    };
    let (error, _) = rejected(&username_server, &issue(&mut c, t0()), t0());
    assert!(
        matches!(
            error,
            EngineError::Security(SecurityError::Kerberos(KerberosTokenError::Unexpected))
        ),
        "{error}"
    );
}

/// `m` with the token's base64 content replaced by `content`.
fn with_token(m: &str, content: &str) -> String {
    let token = between(m, "<o:BinarySecurityToken", "</o:BinarySecurityToken>");
    let start = token.find('>').expect(">") + 1;
    let end = token.len() - "</o:BinarySecurityToken>".len();
    m.replacen(
        &token,
        &format!("{}{content}{}", &token[..start], &token[end..]),
        1,
    )
}

/// `m` without the first element from `open` to `close` (inclusive).
fn cut(m: &str, open: &str, close: &str) -> String {
    m.replacen(&between(m, open, close), "", 1)
}

fn between(m: &str, open: &str, close: &str) -> String {
    let a = m.find(open).expect("open");
    let b = a + m[a..].find(close).expect("close") + close.len();
    m[a..b].to_owned()
}
