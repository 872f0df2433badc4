//! Whole negotiations in memory with a fake clock and seeded randomness: every entropy
//! mode and both WS-SC generations, renewal, rollover, cancellation, cookie contexts,
//! and the ways they fail.

use std::sync::Arc;
use std::time::{Duration, SystemTime};
use wsbind_compiler::FromToml;
use wsbind_proto::engine::ServerEvent;
use wsbind_proto::engine::{
    ClientCall, ClientEngine, ClientEvent, Config, EngineError, Incoming, Purpose, ServerEngine,
    StateError,
};
use wsbind_proto::keys::SeededRng;
use wsbind_proto::security::{
    ContextError, FaultCode, ReceivedFault, SecurityError, SignatureAlgorithm, Suite,
};
use wsbind_proto::stores::CookieKeys;
use wsbind_proto::wire::{Addressing, Soap};
use wsbind_proto::Framing;
use wsbind_proto::{Description, Password, PasswordValidator, UsernameCredential};

/// A description for `role` ("client" or "server"); servers hold at most 4 contexts.
fn described(role: &str, entropy: &str, version: &str, renew: bool, suite: &str) -> Description {
    let server_only = if role == "server" {
        "max-active-contexts = 4"
    } else {
        ""
    };
    let text = format!(
        r#"
[channel]
binding = "http"
role = "{role}"

[security]
algorithm-suite-name = "{suite}"

[[security.binding]]
kind = "ssl-transport"

[[security.binding]]
kind = "security-context"
usage = "supporting"
key-entropy-mode = "{entropy}"
secure-conversation-version = "{version}"
support-renew = {renew}
renewal-interval = "1h"
rollover-interval = "5m"
{server_only}

[security.binding.bootstrap]

[[security.binding.bootstrap.binding]]
kind = "ssl-transport"

[[security.binding.bootstrap.binding]]
kind = "username"
usage = "supporting"
"#
    );
    Description::from_toml_str(&text).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

/// Client and server descriptions of one binding.
struct Both {
    client: Config,
    server: Config,
}

fn description(entropy: &str, version: &str, renew: bool, suite: &str) -> Both {
    let c = described("client", entropy, version, renew, suite);
    let s = described("server", entropy, version, renew, suite);
    Both {
        client: Config::from_description(&c, None).expect("client config"),
        server: Config::from_description(&s, None).expect("server config"),
    }
}

fn validator() -> Arc<dyn PasswordValidator> {
    Arc::new(|user: &str, pw: &Password| user == "alice" && pw.matches("s3cret"))
}

fn t0() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_795_000_000)
}

fn pair(d: &Both, seed: u64) -> (ClientEngine, ServerEngine) {
    let client = ClientEngine::new(
        d.client.clone(),
        "https://orders.example/svc",
        Some(UsernameCredential::new("alice", "s3cret")),
        Box::new(SeededRng::new(seed)),
    )
    .expect("client");
    // These tests move the clock by hours between a negotiation and the first use of
    // the context, and between two uses; the short life of an unused context and the
    // idle timeout have tests of their own.
    let server = ServerEngine::new(
        d.server.clone(),
        Some(validator()),
        Box::new(SeededRng::new(seed + 1000)),
    )
    .expect("server")
    .with_pending_life(Duration::from_secs(86_400))
    .with_idle_timeout(None);
    (client, server)
}

/// Delivers the client's pending negotiation message and its answer.
fn negotiate(
    c: &mut ClientEngine,
    s: &ServerEngine,
    now: SystemTime,
) -> Result<ClientEvent, EngineError> {
    let neg = c.poll(now)?.expect("a negotiation message is due");
    match s.handle(neg.request.bytes.as_bytes(), None, now) {
        Incoming::Negotiated { bytes, .. } => c.handle_response(&neg, bytes.as_bytes(), now),
        Incoming::Rejected { bytes, error, .. } => {
            let client_view = c.handle_response(&neg, bytes.as_bytes(), now);
            // The client reads the very code the server sent.
            match &client_view {
                Err(EngineError::Fault(f)) => assert_eq!(f.code, Some(error.fault()), "{f}"),
                other => panic!("{other:?}"),
            }
            Err(error)
        }
        Incoming::Request(_) => panic!("a negotiation message was taken for a request"),
    }
}

/// Sends one application request and its reply; returns the reply body.
fn call(
    c: &mut ClientEngine,
    s: &ServerEngine,
    body: &str,
    now: SystemTime,
) -> Result<String, EngineError> {
    let req = c.protect("urn:example:orders/Ping", body, now)?;
    match s.handle(req.bytes.as_bytes(), None, now) {
        Incoming::Request(r) => {
            // The identity the bootstrap authenticated (the tests' users are named
            // for who they are, "anonymous" would be wrong everywhere).
            assert_ne!(r.identity.name, "anonymous");
            assert!(!r.identity.name.is_empty());
            assert_eq!(r.verified.body, body);
            let reply = s.reply(
                &r,
                "urn:example:orders/PingResponse",
                "<m:Pong xmlns:m=\"urn:m\"/>",
                now,
            )?;
            let v = c.verify_reply(reply.as_bytes(), &req.message_id, now)?;
            assert_eq!(v.relates_to.as_deref(), Some(req.message_id.as_str()));
            Ok(v.body)
        }
        Incoming::Rejected { error, .. } => Err(error),
        Incoming::Negotiated { .. } => panic!("a request was taken for a negotiation"),
    }
}

const PING: &str = r#"<m:Ping xmlns:m="urn:m">hello</m:Ping>"#;

#[test]
fn handshakes_in_every_entropy_mode_and_generation() {
    let mut seed = 0;
    for entropy in ["client-only", "server-only", "combined"] {
        for version in ["feb-2005", "1.3"] {
            for (suite, soap, addressing) in [
                ("basic256", Soap::V12, Addressing::V10),
                ("basic256-sha256", Soap::V11, Addressing::Aug2004),
                ("basic256", Soap::V11, Addressing::V10),
            ] {
                seed += 1;
                let mut d = description(entropy, version, true, suite);
                for config in [&mut d.client, &mut d.server] {
                    config.framing = Framing { soap, addressing };
                }
                let (mut c, s) = pair(&d, seed);
                let ev = negotiate(&mut c, &s, t0())
                    .unwrap_or_else(|e| panic!("{entropy} {version}: {e}"));
                assert!(
                    matches!(ev, ClientEvent::Established { key_bits: 256, .. }),
                    "{ev:?}"
                );
                assert_eq!(s.live_contexts(), 1);
                let reply = call(&mut c, &s, PING, t0() + Duration::from_secs(1)).expect("call");
                assert_eq!(reply, r#"<m:Pong xmlns:m="urn:m"></m:Pong>"#);
            }
        }
    }
}

/// Issue 22: a renewed cookie context's old key (its old cookie, still a valid seal
/// until its own expiry) is usable for the rollover interval only, as an in-memory
/// context's is. Before, it stayed usable until the old cookie expired.
#[test]
fn a_renewed_cookies_old_key_lives_for_the_rollover_only() {
    let d = description("combined", "1.3", true, "basic256");
    let s = ServerEngine::with_cookies(
        d.server.clone(),
        Some(validator()),
        CookieKeys::new(1, [42u8; 32]),
        Box::new(SeededRng::new(160)),
    )
    .expect("server");
    let (mut c, _) = pair(&d, 161);
    negotiate(&mut c, &s, t0()).expect("issue");
    // Renewal is due at nine tenths of the hour; the rollover is 5 minutes.
    let t1 = t0() + Duration::from_secs(3240);
    // Two requests made with the old key just before the renewal, delivered late (the
    // clock skew lets a Timestamp live 10 minutes).
    let within = c
        .protect("urn:a", PING, t1 - Duration::from_secs(2))
        .expect("protect");
    let after = c
        .protect("urn:a", PING, t1 - Duration::from_secs(1))
        .expect("protect");
    let ev = negotiate(&mut c, &s, t1).expect("renew");
    assert!(matches!(ev, ClientEvent::Renewed { .. }), "{ev:?}");
    call(&mut c, &s, PING, t1 + Duration::from_secs(1)).expect("the new key");
    match s.handle(within.bytes.as_bytes(), None, t1 + Duration::from_secs(60)) {
        Incoming::Request(_) => {}
        other => panic!("the old key refused during the rollover: {other:?}"),
    }
    // After the rollover, 4 minutes before the old cookie expires: refused as a key
    // past its rollover is (RenewNeeded).
    match s.handle(after.bytes.as_bytes(), None, t1 + Duration::from_secs(310)) {
        Incoming::Rejected { error, .. } => {
            assert_eq!(error.fault(), FaultCode::RenewNeeded, "{error}");
        }
        other => panic!("the old key accepted after the rollover: {other:?}"),
    }
    call(&mut c, &s, PING, t1 + Duration::from_secs(311)).expect("the new key still");
}

#[test]
fn renewal_with_rollover() {
    let d = description("combined", "1.3", true, "basic256");
    let (mut c, s) = pair(&d, 1);
    negotiate(&mut c, &s, t0()).expect("issue");
    // A request protected with the first key, delivered after the renewal.
    // Renewal is due at nine tenths of the one-hour interval.
    let early = c
        .protect("urn:a", PING, t0() + Duration::from_secs(3239))
        .expect("protect");
    assert!(
        c.poll(t0() + Duration::from_secs(3239))
            .expect("poll")
            .is_none(),
        "nothing due before"
    );
    let t1 = t0() + Duration::from_secs(3240);
    let ev = negotiate(&mut c, &s, t1).expect("renew");
    let ClientEvent::Renewed { instance, .. } = ev else {
        panic!("{ev:?}")
    };
    assert!(instance.is_some());
    assert_eq!(c.instance(), instance.as_deref());
    // The new key works.
    call(&mut c, &s, PING, t1 + Duration::from_secs(1)).expect("call with the new key");
    // The old key is accepted during the rollover …
    match s.handle(early.bytes.as_bytes(), None, t1 + Duration::from_secs(60)) {
        Incoming::Request(_) => {}
        other => panic!("old key refused during rollover: {other:?}"),
    }
    // … and refused after it.
    let late = {
        let (mut c2, s2) = pair(&d, 1);
        negotiate(&mut c2, &s2, t0()).expect("issue");
        let early = c2
            .protect("urn:a", PING, t1 - Duration::from_secs(1))
            .expect("protect");
        negotiate(&mut c2, &s2, t1).expect("renew");
        s2.handle(early.bytes.as_bytes(), None, t1 + Duration::from_secs(301))
    };
    match late {
        Incoming::Rejected { error, .. } => {
            assert!(error.to_string().contains("expired"), "{error}")
        }
        other => panic!("old key accepted after the rollover: {other:?}"),
    }
}

#[test]
fn without_renew_a_new_context_is_negotiated() {
    let d = description("server-only", "feb-2005", false, "basic256");
    let (mut c, s) = pair(&d, 2);
    negotiate(&mut c, &s, t0()).expect("issue");
    let first = c.context_id().expect("ctx").to_owned();
    let t1 = t0() + Duration::from_secs(3240);
    let ev = negotiate(&mut c, &s, t1).expect("re-issue");
    assert!(matches!(ev, ClientEvent::Established { .. }));
    assert_ne!(c.context_id(), Some(first.as_str()));
    call(&mut c, &s, PING, t1).expect("call");
}

#[test]
fn cancellation() {
    let d = description("combined", "feb-2005", true, "basic256");
    let (mut c, s) = pair(&d, 3);
    negotiate(&mut c, &s, t0()).expect("issue");
    let stale = c.protect("urn:a", PING, t0()).expect("protect");
    // A request the server accepted once...
    let used = c.protect("urn:a", PING, t0()).expect("protect");
    assert!(matches!(
        s.handle(used.bytes.as_bytes(), None, t0()),
        Incoming::Request(_)
    ));
    let neg = c.close(t0()).expect("close").expect("a cancel request");
    let Incoming::Negotiated { bytes, event } = s.handle(neg.request.bytes.as_bytes(), None, t0())
    else {
        panic!("cancel refused")
    };
    assert!(matches!(event, ServerEvent::Cancelled { .. }));
    assert!(matches!(
        c.handle_response(&neg, bytes.as_bytes(), t0()),
        Ok(ClientEvent::Cancelled { .. })
    ));
    match s.handle(stale.bytes.as_bytes(), None, t0() + Duration::from_secs(1)) {
        Incoming::Rejected { error, bytes, .. } => {
            assert!(error.to_string().contains("cancelled"), "{error}");
            assert!(bytes.contains("BadContextToken"), "{bytes}");
        }
        other => panic!("a cancelled context was accepted: {other:?}"),
    }
    // ...replayed whole after the cancellation: refused for the cancelled context.
    match s.handle(used.bytes.as_bytes(), None, t0() + Duration::from_secs(2)) {
        Incoming::Rejected { error, bytes, .. } => {
            assert!(
                matches!(
                    &error,
                    EngineError::Security(SecurityError::Context {
                        error: ContextError::Cancelled,
                        ..
                    })
                ),
                "{error}"
            );
            assert!(bytes.contains("BadContextToken"), "{bytes}");
        }
        other => panic!("a replay after the cancellation was accepted: {other:?}"),
    }
    assert!(c.protect("urn:a", PING, t0()).is_err(), "closed client");
}

/// `wsbind-send-cancel = false` (a WCF service with cookie contexts advertises
/// `mssp:MustNotSendCancel`): closing sends nothing, and the engine is closed.
#[test]
fn closing_without_cancel_when_the_peer_wants_none() {
    let mut d = description("combined", "1.3", true, "basic256");
    d.client.send_cancel = false;
    let (mut c, s) = pair(&d, 95);
    negotiate(&mut c, &s, t0()).expect("issue");
    assert!(c.close(t0()).expect("close").is_none(), "no Cancel sent");
    assert!(!c.is_ready());
    assert!(c.protect("urn:a", PING, t0()).is_err(), "closed");
}

#[test]
fn durations_past_a_year_are_refused_not_a_panic_later() {
    // A Config is plain data: one written by hand (not through the compiler, which
    // refuses such descriptions with WSB0034) is checked when an engine is made.
    let d = description("combined", "1.3", true, "basic256");
    let mut server = d.server.clone();
    server.renewal_interval = Duration::from_secs(8000 * 365 * 86_400);
    let refused = ServerEngine::new(server, Some(validator()), Box::new(SeededRng::new(1)));
    assert_eq!(
        refused.err().map(|e| e.to_string()),
        Some("the configuration's renewal-interval is 252288000000 s, longer than 365 days (the most wsbind accepts)".to_owned())
    );
    let mut client = d.client.clone();
    client.policy.clock_skew = Duration::MAX;
    let refused = ClientEngine::new(
        client,
        "https://orders.example/svc",
        Some(UsernameCredential::new("alice", "s3cret")),
        Box::new(SeededRng::new(1)),
    );
    assert!(
        matches!(&refused, Err(e) if e.to_string().contains("max-allowed-clock-skew")),
        "{refused:?}"
    );
}

#[test]
fn wrong_password_is_a_clear_failure() {
    let d = description("combined", "1.3", true, "basic256");
    let mut c = ClientEngine::new(
        d.client.clone(),
        "https://x/",
        Some(UsernameCredential::new("alice", "wrong")),
        Box::new(SeededRng::new(5)),
    )
    .expect("client");
    let s = ServerEngine::new(
        d.server.clone(),
        Some(validator()),
        Box::new(SeededRng::new(6)),
    )
    .expect("server");
    let err = negotiate(&mut c, &s, t0()).expect_err("wrong password");
    assert!(matches!(err, EngineError::Authentication), "{err}");
    assert_eq!(s.live_contexts(), 0);
}

/// A refusal says, for the log line, whom the message claimed to come from: the user
/// a refused bootstrap named, the owner of the context a refused request named;
/// nobody for a message that names nobody the server knows.
#[test]
fn a_refusal_names_who_the_message_claimed() {
    let claimed = |incoming: Incoming| match incoming {
        Incoming::Rejected { claimed, .. } => claimed.map(|i| i.name),
        other => panic!("accepted: {other:?}"),
    };
    let d = description("combined", "1.3", true, "basic256");
    // A wrong password: the named user (with what it carries: the log escapes it).
    let mut c = ClientEngine::new(
        d.client.clone(),
        "https://x/",
        Some(UsernameCredential::new("mallory\nkey: 41", "wrong")),
        Box::new(SeededRng::new(5)),
    )
    .expect("client");
    let (mut alice, s) = pair(&d, 6);
    let neg = c.poll(t0()).expect("poll").expect("an Issue is due");
    assert_eq!(
        claimed(s.handle(neg.request.bytes.as_bytes(), None, t0())).as_deref(),
        Some("mallory\nkey: 41")
    );
    // Alice's context: a replayed request and a forged signature both name her.
    negotiate(&mut alice, &s, t0()).expect("alice negotiates");
    let req = alice
        .protect("urn:example:orders/Ping", PING, t0())
        .expect("protect");
    // Garbage, and a request naming a context this server never issued: nobody.
    assert_eq!(claimed(s.handle(b"<a/>", None, t0())), None);
    let (_, other) = pair(&d, 7);
    assert_eq!(
        claimed(other.handle(req.bytes.as_bytes(), None, t0())),
        None
    );
    assert!(matches!(
        s.handle(req.bytes.as_bytes(), None, t0()),
        Incoming::Request(_)
    ));
    let replayed = s.handle(req.bytes.as_bytes(), None, t0());
    assert_eq!(claimed(replayed).as_deref(), Some("alice"));
    let req = alice
        .protect("urn:example:orders/Ping", PING, t0())
        .expect("protect");
    let start = req
        .bytes
        .find("<SignatureValue>")
        .expect("a signature value")
        + "<SignatureValue>".len();
    let mut forged = req.bytes.clone();
    let first = if &forged[start..=start] == "A" {
        "B"
    } else {
        "A"
    };
    forged.replace_range(start..=start, first);
    assert_eq!(
        claimed(s.handle(forged.as_bytes(), None, t0())).as_deref(),
        Some("alice")
    );
}

#[test]
fn the_store_is_bounded() {
    let d = description("combined", "1.3", true, "basic256");
    let config = d.client.clone();
    let s = ServerEngine::new(
        d.server.clone(),
        Some(validator()),
        Box::new(SeededRng::new(7)),
    )
    .expect("server")
    .with_idle_timeout(None)
    // One identity takes the whole store here (its share is tested on its own).
    .with_identity_share(1);
    for i in 0..4 {
        let mut c = ClientEngine::new(
            config.clone(),
            "https://x/",
            Some(UsernameCredential::new("alice", "s3cret")),
            Box::new(SeededRng::new(100 + i)),
        )
        .expect("client");
        negotiate(&mut c, &s, t0()).expect("within capacity");
        call(&mut c, &s, PING, t0()).expect("in use");
    }
    let mut c = ClientEngine::new(
        config.clone(),
        "https://x/",
        Some(UsernameCredential::new("alice", "s3cret")),
        Box::new(SeededRng::new(200)),
    )
    .expect("client");
    let err = negotiate(&mut c, &s, t0()).expect_err("beyond capacity");
    assert!(matches!(err, EngineError::TooManyContexts(4)), "{err}");
    // Once contexts expire, and their renewal grace (the 5-minute clock skew) is
    // over, there is room again.
    negotiate(&mut c, &s, t0() + Duration::from_secs(3600 + 299))
        .expect_err("still renewable, still held");
    negotiate(&mut c, &s, t0() + Duration::from_secs(3600 + 301)).expect("after expiry");
}

#[test]
fn cookie_contexts_serve_a_farm() {
    let d = description("server-only", "1.3", true, "basic256-sha256");
    let keys = || CookieKeys::new(1, [42u8; 32]);
    let a = ServerEngine::with_cookies(
        d.server.clone(),
        Some(validator()),
        keys(),
        Box::new(SeededRng::new(8)),
    )
    .expect("a");
    let b = ServerEngine::with_cookies(
        d.server.clone(),
        Some(validator()),
        keys(),
        Box::new(SeededRng::new(9)),
    )
    .expect("b");
    let mut c = ClientEngine::new(
        d.client.clone(),
        "https://farm/",
        Some(UsernameCredential::new("alice", "s3cret")),
        Box::new(SeededRng::new(10)),
    )
    .expect("client");
    negotiate(&mut c, &a, t0()).expect("issued by a");
    assert_eq!(a.live_contexts(), 0, "nothing kept in memory");
    // b never saw the negotiation, yet serves the context.
    call(&mut c, &b, PING, t0() + Duration::from_secs(1)).expect("served by b");
    call(&mut c, &a, PING, t0() + Duration::from_secs(2)).expect("served by a");
    // Renewed by b, then used at a.
    negotiate(&mut c, &b, t0() + Duration::from_secs(3240)).expect("renewed by b");
    call(&mut c, &a, PING, t0() + Duration::from_secs(3601))
        .expect("renewed key at a, after the first lifetime");
    // A server with other cookie keys cannot open the context.
    let d2 = description("server-only", "1.3", true, "basic256-sha256");
    let other = ServerEngine::with_cookies(
        d2.server.clone(),
        Some(validator()),
        CookieKeys::new(1, [7u8; 32]),
        Box::new(SeededRng::new(11)),
    )
    .expect("other");
    let err = call(&mut c, &other, PING, t0() + Duration::from_secs(3602))
        .expect_err("foreign cookie keys");
    assert!(err.to_string().contains("cookie"), "{err}");
}

#[test]
fn a_generation_mismatch_is_refused() {
    let feb = description("combined", "feb-2005", true, "basic256");
    let v13 = description("combined", "1.3", true, "basic256");
    let mut c = ClientEngine::new(
        feb.client.clone(),
        "https://x/",
        Some(UsernameCredential::new("alice", "s3cret")),
        Box::new(SeededRng::new(12)),
    )
    .expect("client");
    let s = ServerEngine::new(
        v13.server.clone(),
        Some(validator()),
        Box::new(SeededRng::new(13)),
    )
    .expect("server");
    let err = negotiate(&mut c, &s, t0()).expect_err("feb-2005 client, 1.3 server");
    assert!(!err.to_string().is_empty());
}

#[test]
fn the_server_sends_nothing_unasked_and_survives_garbage() {
    let d = description("combined", "1.3", true, "basic256");
    let (_, s) = pair(&d, 14);
    for junk in [
        &b""[..],
        b"<",
        b"not xml",
        b"<a/>",
        b"\xff\xfe",
        b"<!DOCTYPE x [<!ENTITY e \"e\">]><x>&e;</x>",
    ] {
        match s.handle(junk, None, t0()) {
            Incoming::Rejected { bytes, .. } => assert!(bytes.contains("Fault")),
            other => panic!("junk accepted: {other:?}"),
        }
    }
}

/// Every prefix of each negotiation message is refused, and single-byte corruptions are
/// refused or (for a harmless change, e.g. in a message id) handled, without a panic.
#[test]
fn corrupted_negotiation_messages_never_panic() {
    let d = description("combined", "1.3", true, "basic256");
    let (mut c, s) = pair(&d, 20);
    let rst = c.poll(t0()).expect("poll").expect("rst");
    let bytes = rst.request.bytes.as_bytes();
    for cut in (0..bytes.len()).step_by(11) {
        assert!(
            matches!(
                s.handle(&bytes[..cut], None, t0()),
                Incoming::Rejected { .. }
            ),
            "a truncated RST at {cut} was accepted"
        );
    }
    for pos in (0..bytes.len()).step_by(13) {
        let mut b = bytes.to_vec();
        b[pos] ^= 0x20;
        let _ = s.handle(&b, None, t0());
    }
    let (_, fresh) = pair(&d, 20);
    let Incoming::Negotiated { bytes: rstr, .. } = fresh.handle(bytes, None, t0()) else {
        panic!("the intact RST was refused")
    };
    let rstr = rstr.into_bytes();
    for cut in (0..rstr.len()).step_by(17) {
        let (mut c2, _) = pair(&d, 20);
        let neg = c2.poll(t0()).expect("poll").expect("rst");
        assert!(
            c2.handle_response(&neg, &rstr[..cut], t0()).is_err(),
            "a truncated RSTR at {cut} was accepted"
        );
    }
    // A response to another request is refused.
    let (mut c3, _) = pair(&d, 21);
    let neg = c3.poll(t0()).expect("poll").expect("rst");
    let err = c3
        .handle_response(&neg, &rstr, t0())
        .expect_err("another request's response");
    assert!(err.to_string().contains("relates to"), "{err}");
    assert!(c.handle_response(&rst, &rstr, t0()).is_ok());
}

/// Issue 12 item 6: one authenticated client must not lock every other out of the
/// shared replay cache. Its entries live `min(Expires, Created + latency) + skew`, not
/// until the `Expires` it writes; a validity claim over a day is refused outright; and
/// one identity holds at most a quarter of the cache.
#[test]
fn the_replay_cache_cannot_be_pinned_by_one_client() {
    let mut d = description("combined", "1.3", true, "basic256");
    d.server.max_active_contexts = 8;
    d.server.max_pending_contexts = 8;
    let anyone: Arc<dyn PasswordValidator> =
        Arc::new(|_: &str, pw: &Password| pw.matches("s3cret"));
    let s = ServerEngine::new(d.server.clone(), Some(anyone), Box::new(SeededRng::new(40)))
        .expect("server")
        .with_replay_capacity(4);
    let client_at = |s: &ServerEngine, seed: u64, validity: Duration, when: SystemTime| {
        let mut config = d.client.clone();
        config.timestamp_validity = validity;
        let mut c = ClientEngine::new(
            config,
            "https://x/",
            Some(UsernameCredential::new(format!("user{seed}"), "s3cret")),
            Box::new(SeededRng::new(seed)),
        )
        .expect("client");
        negotiate(&mut c, s, when).map(|_| c)
    };
    let client = |s: &ServerEngine, seed, validity| client_at(s, seed, validity, t0());
    // "Valid until 9999" (here: 300 days) is refused for what it claims, in the
    // bootstrap as in every message.
    let err = client(&s, 41, Duration::from_secs(300 * 86_400)).expect_err("too long a validity");
    assert!(
        err.to_string().contains("longer than the 86400s accepted"),
        "{err}"
    );
    // 20 hours is within a day: accepted, but remembered for the latency only.
    let long = Duration::from_secs(20 * 3600);
    let mut clients: Vec<_> = (42..46)
        .map(|seed| client(&s, seed, long).expect("negotiated"))
        .collect();
    let at = |secs| t0() + Duration::from_secs(secs);
    // One identity holds a quarter of the cache (1 of 4 entries).
    call(&mut clients[0], &s, PING, at(1)).expect("first message");
    let err = call(&mut clients[0], &s, PING, at(2)).expect_err("over its share");
    assert!(
        matches!(&err, EngineError::Security(e) if e.to_string().contains("its share")),
        "{err}"
    );
    for c in &mut clients[1..] {
        call(c, &s, PING, at(1)).expect("room for the others");
    }
    // Full now: a fifth client is refused (fail closed)...
    let mut late = client(&s, 47, Duration::from_secs(300)).expect("negotiated");
    let err = call(&mut late, &s, PING, at(60)).expect_err("full");
    assert!(err.to_string().contains("replay cache is full"), "{err}");
    // ...but only until Created + latency (5 min) + skew (5 min) of the entries, not
    // until their Expires 20 hours on.
    let mut later = client_at(&s, 48, Duration::from_secs(300), at(600)).expect("negotiated");
    call(&mut later, &s, PING, at(1 + 600)).expect("the cache emptied after ten minutes");
}

/// Issue 22: the replay cache's share is the identity's, not the context's: contexts
/// cost an authenticated client nothing, so one user with four contexts filled the
/// whole cache and locked everyone else out (per-context quota, before).
#[test]
fn one_identity_with_many_contexts_cannot_fill_the_replay_cache() {
    let mut d = description("combined", "1.3", true, "basic256");
    d.server.max_active_contexts = 16;
    d.server.max_pending_contexts = 16;
    let anyone: Arc<dyn PasswordValidator> =
        Arc::new(|_: &str, pw: &Password| pw.matches("s3cret"));
    let s = ServerEngine::new(d.server.clone(), Some(anyone), Box::new(SeededRng::new(50)))
        .expect("server")
        .with_idle_timeout(None)
        .with_replay_capacity(8);
    let client = |user: &str, seed| {
        let mut c = ClientEngine::new(
            d.client.clone(),
            "https://x/",
            Some(UsernameCredential::new(user, "s3cret")),
            Box::new(SeededRng::new(seed)),
        )
        .expect("client");
        negotiate(&mut c, &s, t0()).expect("negotiated");
        c
    };
    let at = |ms| t0() + Duration::from_millis(ms);
    // Mallory: four contexts, as many messages as she can. A quarter of 8 is hers.
    let mut mallory: Vec<_> = (51..55).map(|seed| client("mallory", seed)).collect();
    let mut accepted = 0;
    for (n, c) in mallory.iter_mut().enumerate() {
        for m in 0..4 {
            match call(c, &s, PING, at((n * 4 + m) as u64)) {
                Ok(_) => accepted += 1,
                Err(e) => assert!(e.to_string().contains("its share"), "{e}"),
            }
        }
    }
    assert_eq!(accepted, 2, "mallory's share of the cache");
    // Everyone else still gets in.
    for (user, seed) in [("alice", 60), ("bob", 61), ("carol", 62)] {
        let mut c = client(user, seed);
        call(&mut c, &s, PING, at(100)).unwrap_or_else(|e| panic!("{user}: {e}"));
    }
    // With the share turned off (one service account for every client), one identity
    // may use the whole cache.
    let s = ServerEngine::new(
        d.server.clone(),
        Some(validator()),
        Box::new(SeededRng::new(70)),
    )
    .expect("server")
    .with_identity_share(1)
    .with_replay_capacity(8);
    let (mut alice, _) = pair(&d, 71);
    negotiate(&mut alice, &s, t0()).expect("negotiated");
    for m in 0..8 {
        call(&mut alice, &s, PING, at(m)).expect("within the whole cache");
    }
    let err = call(&mut alice, &s, PING, at(9)).expect_err("full");
    assert!(err.to_string().contains("replay cache is full"), "{err}");
}

/// Issue 12 item 7: unused contexts cannot lock others out of negotiation. They are
/// dropped after two minutes; an identity over its share of them loses its own oldest
/// one, nobody else's; at the cap itself a new context is refused (WWSAPI's rule).
#[test]
fn unused_contexts_are_bounded() {
    let mut d = description("combined", "1.3", true, "basic256");
    d.server.max_active_contexts = 100;
    d.server.max_pending_contexts = 4;
    let anyone: Arc<dyn PasswordValidator> =
        Arc::new(|_: &str, pw: &Password| pw.matches("s3cret"));
    let s = ServerEngine::new(d.server.clone(), Some(anyone), Box::new(SeededRng::new(30)))
        .expect("server")
        .with_idle_timeout(None);
    let client = |user: &str, seed| {
        ClientEngine::new(
            d.client.clone(),
            "https://x/",
            Some(UsernameCredential::new(user, "s3cret")),
            Box::new(SeededRng::new(seed)),
        )
        .expect("client")
    };
    // Mallory negotiates and never uses what she gets, twenty times.
    let mut mallory: Vec<_> = (0..20).map(|i| client("mallory", 100 + i)).collect();
    for m in &mut mallory {
        negotiate(m, &s, t0()).expect("mallory's own oldest goes");
    }
    // Her first one went to make room for her later ones; Alice is not locked out.
    let err = call(&mut mallory[0], &s, PING, t0()).expect_err("dropped");
    assert!(err.to_string().contains("unknown"), "{err}");
    let mut alice = client("alice", 31);
    negotiate(&mut alice, &s, t0()).expect("alice negotiates");
    call(&mut alice, &s, PING, t0()).expect("and uses it");
    // Mallory keeps three quarters of the cap (a share applies only beyond that, so
    // a server used by one identity is not held back): Bob takes the last slot and
    // Carol is refused, not let in by dropping another's context.
    let (mut bob, mut carol) = (client("bob", 32), client("carol", 33));
    negotiate(&mut bob, &s, t0()).expect("bob");
    let err = negotiate(&mut carol, &s, t0()).expect_err("at the cap");
    assert!(matches!(err, EngineError::TooManyPending(4)), "{err}");
    // Two minutes later every unused context is gone: room again, and the dropped
    // ones are unknown.
    let later = t0() + Duration::from_secs(120);
    negotiate(&mut carol, &s, later).expect("room after two minutes");
    let err = call(&mut bob, &s, PING, later).expect_err("bob waited too long");
    assert!(err.to_string().contains("unknown"), "{err}");
    call(&mut alice, &s, PING, later).expect("a used context lives on");
}

#[test]
fn a_renewal_the_server_does_not_support_is_a_fault() {
    let mut d = description("combined", "1.3", true, "basic256");
    d.server.support_renew = false;
    let (mut c, s) = pair(&d, 40);
    negotiate(&mut c, &s, t0()).expect("issue");
    let t1 = t0() + Duration::from_secs(3240);
    let neg = c.poll(t1).expect("poll").expect("a renewal is due");
    match s.handle(neg.request.bytes.as_bytes(), None, t1) {
        Incoming::Rejected { error, bytes, .. } => {
            assert!(matches!(error, EngineError::RenewNotSupported), "{error}");
            assert!(bytes.contains("UnableToRenew"), "{bytes}");
            let client_view = c.handle_response(&neg, bytes.as_bytes(), t1);
            match &client_view {
                Err(EngineError::Fault(f)) => {
                    assert_eq!(f.code, Some(FaultCode::UnableToRenew), "{f}");
                    assert!(!f.context_lost());
                }
                other => panic!("{other:?}"),
            }
        }
        other => panic!("renewed anyway: {other:?}"),
    }
    // The client keeps its context and can still call until it expires …
    call(&mut c, &s, PING, t1).expect("the old context still works");
    // … and replaces it with a new one instead of asking to renew it again.
    let next = c.poll(t1).expect("poll").expect("a new context is due");
    assert_eq!(next.request.purpose, Purpose::Issue);
}

/// Sends one application request at `now` (the client engine does not look at its
/// clock for that) and returns the fault the server answered it with, as the client
/// read it.
fn refused_call(c: &mut ClientEngine, s: &ServerEngine, now: SystemTime) -> ReceivedFault {
    let req = c
        .protect("urn:example:orders/Ping", PING, now)
        .expect("protect");
    let Incoming::Rejected { bytes, .. } = s.handle(req.bytes.as_bytes(), None, now) else {
        panic!("accepted")
    };
    match c.verify_reply(bytes.as_bytes(), &req.message_id, now) {
        Err(EngineError::Fault(f)) => f,
        other => panic!("{other:?}"),
    }
}

/// A server that answers `RenewNeeded` (the context expired: here the client missed
/// its renewal time) is answered with a Renew signed with the expired key, which the
/// server accepts within its grace (its clock skew, 5 minutes); the same request then
/// goes through. In-memory and cookie contexts alike. Past the grace the Renew is
/// refused too, and the client negotiates a new context.
#[test]
fn renew_needed_is_answered_with_a_renewal() {
    let d = description("combined", "1.3", true, "basic256");
    let servers = |seed| {
        [
            ServerEngine::new(
                d.server.clone(),
                Some(validator()),
                Box::new(SeededRng::new(seed)),
            )
            .expect("memory")
            .with_idle_timeout(None),
            ServerEngine::with_cookies(
                d.server.clone(),
                Some(validator()),
                CookieKeys::new(1, [42u8; 32]),
                Box::new(SeededRng::new(seed + 1)),
            )
            .expect("cookies"),
        ]
    };
    let expiry = t0() + Duration::from_secs(3600);
    for (i, s) in servers(60).into_iter().enumerate() {
        let mut c = ClientEngine::new(
            d.client.clone(),
            "https://orders.example/svc",
            Some(UsernameCredential::new("alice", "s3cret")),
            Box::new(SeededRng::new(70 + i as u64)),
        )
        .expect("client");
        negotiate(&mut c, &s, t0()).expect("issue");
        call(&mut c, &s, PING, t0()).expect("the context in use");
        let first = c.context_id().expect("context").to_owned();
        let late = expiry + Duration::from_secs(60);
        let fault = refused_call(&mut c, &s, late);
        assert_eq!(fault.code, Some(FaultCode::RenewNeeded), "{fault}");
        assert!(c.context_lost(&fault));
        let neg = c.poll(late).expect("poll").expect("a renewal");
        assert_eq!(neg.request.purpose, Purpose::Renew);
        match s.handle(neg.request.bytes.as_bytes(), None, late) {
            Incoming::Negotiated { bytes, .. } => {
                let ev = c
                    .handle_response(&neg, bytes.as_bytes(), late)
                    .expect("renewed");
                assert!(matches!(ev, ClientEvent::Renewed { .. }), "{ev:?}");
            }
            other => panic!("server {i}: the expired context was not renewed: {other:?}"),
        }
        assert_eq!(c.context_id(), Some(first.as_str()), "the same context");
        call(&mut c, &s, PING, late).expect("the call goes through");

        // Past the grace: the Renew is refused, the context dropped, a new one issued.
        let mut c = ClientEngine::new(
            d.client.clone(),
            "https://orders.example/svc",
            Some(UsernameCredential::new("alice", "s3cret")),
            Box::new(SeededRng::new(80 + i as u64)),
        )
        .expect("client");
        negotiate(&mut c, &s, t0()).expect("issue");
        call(&mut c, &s, PING, t0()).expect("the context in use");
        let first = c.context_id().expect("context").to_owned();
        let later = expiry + Duration::from_secs(301);
        let fault = refused_call(&mut c, &s, later);
        assert!(c.context_lost(&fault), "{fault}");
        let err = negotiate(&mut c, &s, later).expect_err("renewal past the grace");
        assert_eq!(err.fault(), FaultCode::RenewNeeded, "{err}");
        assert!(!c.is_ready(), "the context is dropped");
        let ev = negotiate(&mut c, &s, later).expect("a new context");
        assert!(matches!(ev, ClientEvent::Established { .. }), "{ev:?}");
        assert_ne!(c.context_id(), Some(first.as_str()));
        call(&mut c, &s, PING, later).expect("the call goes through");
    }
}

/// Issue 22: whether a context expired (`RenewNeeded`) or was cancelled is told only
/// to a message signed with its key. A message that merely names the context — its
/// signature forged — is refused as forged (`FailedCheck`), whatever the context's
/// state; before, the state came back before the signature was checked (an oracle).
/// In-memory and cookie contexts alike.
#[test]
fn a_contexts_state_is_told_only_to_the_holder_of_its_key() {
    let d = description("combined", "1.3", true, "basic256");
    let servers = [
        ServerEngine::new(
            d.server.clone(),
            Some(validator()),
            Box::new(SeededRng::new(130)),
        )
        .expect("memory")
        .with_idle_timeout(None),
        ServerEngine::with_cookies(
            d.server.clone(),
            Some(validator()),
            CookieKeys::new(1, [42u8; 32]),
            Box::new(SeededRng::new(131)),
        )
        .expect("cookies"),
    ];
    let forge = |bytes: &str| {
        let start =
            bytes.find("<SignatureValue>").expect("a signature value") + "<SignatureValue>".len();
        let mut forged = bytes.to_owned();
        let first = if &forged[start..=start] == "A" {
            "B"
        } else {
            "A"
        };
        forged.replace_range(start..=start, first);
        forged
    };
    let fault_of = |s: &ServerEngine, bytes: &str, at| match s.handle(bytes.as_bytes(), None, at) {
        Incoming::Rejected { error, .. } => error.fault(),
        other => panic!("accepted: {other:?}"),
    };
    for (i, s) in servers.iter().enumerate() {
        let (mut c, _) = pair(&d, 140 + i as u64);
        negotiate(&mut c, s, t0()).expect("issue");
        call(&mut c, s, PING, t0()).expect("the context in use");
        // Expired (an hour and a minute on, within the renewal grace).
        let late = t0() + Duration::from_secs(3660);
        let req = c
            .protect("urn:example:orders/Ping", PING, late)
            .expect("protect");
        assert_eq!(
            fault_of(s, &forge(&req.bytes), late),
            FaultCode::FailedCheck,
            "{i}"
        );
        assert_eq!(fault_of(s, &req.bytes, late), FaultCode::RenewNeeded, "{i}");
    }
    // Cancelled (a cookie server knows the key of a cancelled context: its cookie
    // holds it; a memory store forgets it, and answers BadContextToken either way).
    let s = &servers[1];
    let (mut c, _) = pair(&d, 150);
    negotiate(&mut c, s, t0()).expect("issue");
    let req = c
        .protect("urn:example:orders/Ping", PING, t0())
        .expect("protect");
    let neg = c.close(t0()).expect("close").expect("a cancel");
    assert!(matches!(
        s.handle(neg.request.bytes.as_bytes(), None, t0()),
        Incoming::Negotiated { .. }
    ));
    assert_eq!(
        fault_of(s, &forge(&req.bytes), t0()),
        FaultCode::FailedCheck
    );
    assert_eq!(fault_of(s, &req.bytes, t0()), FaultCode::BadContextToken);
}

/// `BadContextToken` (the server lost the context: it restarted, or — WCF — dropped a
/// session idle for 2 minutes) drops the context: the next poll negotiates a new one.
/// A fault about something else leaves the context alone.
#[test]
fn bad_context_token_drops_the_context() {
    let d = description("combined", "1.3", true, "basic256");
    let (mut c, s) = pair(&d, 90);
    negotiate(&mut c, &s, t0()).expect("issue");
    let (_, restarted) = pair(&d, 91);
    let at = t0() + Duration::from_secs(150);
    let fault = refused_call(&mut c, &restarted, at);
    assert_eq!(fault.code, Some(FaultCode::BadContextToken), "{fault}");
    let other = ReceivedFault {
        code: Some(FaultCode::FailedCheck),
        raw_code: String::new(),
        reason: String::new(),
        detail: None,
    };
    assert!(!c.context_lost(&other));
    assert!(c.is_ready(), "another fault changes nothing");
    assert!(c.context_lost(&fault));
    let neg = c.poll(at).expect("poll").expect("a new context");
    assert_eq!(neg.request.purpose, Purpose::Issue);
}

#[test]
fn a_reply_must_answer_its_request() {
    let d = description("combined", "1.3", true, "basic256");
    let (mut c, s) = pair(&d, 50);
    negotiate(&mut c, &s, t0()).expect("issue");
    let a = c.protect("urn:a", PING, t0()).expect("a");
    let b = c.protect("urn:b", PING, t0()).expect("b");
    let Incoming::Request(ra) = s.handle(a.bytes.as_bytes(), None, t0()) else {
        panic!("a refused")
    };
    let reply_a = s.reply(&ra, "urn:a:reply", PING, t0()).expect("reply");
    let err = c
        .verify_reply(reply_a.as_bytes(), &b.message_id, t0())
        .expect_err("the reply to a presented as the reply to b");
    assert!(err.to_string().contains("relates to"), "{err}");
}

/// A renewal whose RenewTarget points at the SCT in the message by `#id` (as other
/// stacks write it) is accepted; one that points elsewhere is refused.
#[test]
fn renew_targets_by_local_reference() {
    use wsbind_proto::engine::{issue_entropy, issue_request, read_issue_response};
    use wsbind_proto::security::{protect, Outgoing, SigningKey};
    use wsbind_proto::trust::{RequestKind, Rst, TokenRef};
    use wsbind_proto::Headers;
    let d = description("combined", "1.3", true, "basic256");
    let (_, s) = pair(&d, 60);
    let config = &d.client;
    let mut rng = SeededRng::new(61);
    let user = UsernameCredential::new("alice", "s3cret");
    let entropy = issue_entropy(config, &mut rng);
    let rst = issue_request(
        config,
        "https://x/",
        Some(&user).into(),
        entropy.as_ref(),
        "urn:uuid:m1".into(),
        t0(),
    );
    let Incoming::Negotiated { bytes, .. } = s.handle(rst.bytes.as_bytes(), None, t0()) else {
        panic!("issue refused")
    };
    let ctx = read_issue_response(
        config,
        bytes.as_bytes(),
        "urn:uuid:m1",
        entropy.as_ref(),
        t0(),
    )
    .expect("context");
    // (Each at its own time: under MS-LWSSP the signature covers the Timestamp alone, so
    // two requests stamped alike would be one message twice, a replay.)
    let renew = |target: &str, id: &str, at: SystemTime, rng: &mut SeededRng| {
        let body = Rst {
            version: config.sc.version,
            kind: RequestKind::Renew,
            entropy: issue_entropy(config, rng),
            key_size: Some(256),
            target: Some(TokenRef::Local(target.to_owned())),
        }
        .write();
        protect(
            &Outgoing {
                framing: config.framing,
                headers: Headers {
                    action: config.sc.action_renew,
                    message_id: Some(id),
                    ..Headers::default()
                },
                body: &body,
            },
            &SigningKey {
                sc: config.sc,
                identifier: &ctx.identifier,
                instance: ctx.instance.as_deref(),
                cookie: ctx.cookie.as_deref(),
                key: &ctx.key,
                include_token: true,

                received: None,
            },
            &config.suite,
            &config.profile.request,
            at,
            Duration::from_secs(300),
            rng,
        )
        .expect("protect")
    };
    let elsewhere = renew("_somewhere", "urn:uuid:m2", t0(), &mut rng);
    match s.handle(elsewhere.as_bytes(), None, t0()) {
        Incoming::Rejected { error, .. } => {
            assert!(error.to_string().contains("target"), "{error}")
        }
        other => panic!("a renewal of another token was accepted: {other:?}"),
    }
    let t1 = t0() + Duration::from_secs(1);
    let ours = renew("_sct", "urn:uuid:m3", t1, &mut rng);
    match s.handle(ours.as_bytes(), None, t1) {
        Incoming::Negotiated {
            event: ServerEvent::Renewed { .. },
            ..
        } => {}
        other => panic!("a renewal by local reference was refused: {other:?}"),
    }
}

/// A named SHA-256 suite means what WWSAPI says: HMAC-SHA1 over SHA-256 digests. Its
/// receiver also accepts WCF's HMAC-SHA256; an explicit suite with HMAC-SHA256 sends
/// that, and accepts nothing weaker than it asked for.
#[test]
fn the_named_sha256_suite_signs_with_hmac_sha1_and_accepts_both() {
    let named = description("combined", "feb-2005", true, "basic256-sha256");
    assert_eq!(named.client.suite, Suite::BASIC256_SHA256);
    assert_eq!(
        named.server.policy.signatures,
        [SignatureAlgorithm::HmacSha1, SignatureAlgorithm::HmacSha256]
    );
    let explicit = |role: &str| {
        let text = format!(
            r#"
[channel]
binding = "http"
role = "{role}"
[security.algorithm-suite]
digest = "sha256"
symmetric-signature = "hmac-sha256"
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
        let d = Description::from_toml_str(&text).unwrap_or_else(|e| panic!("{e}"));
        Config::from_description(&d, None).expect("config")
    };
    let wcf = Both {
        client: explicit("client"),
        server: explicit("server"),
    };
    assert_eq!(wcf.client.suite, Suite::BASIC256_SHA256_HMAC_SHA256);
    assert_eq!(
        wcf.server.policy.signatures,
        [SignatureAlgorithm::HmacSha256]
    );
    // WCF's shape to a server of the named suite: accepted.
    let mixed = Both {
        client: wcf.client.clone(),
        server: named.server.clone(),
    };
    let (mut c, s) = pair(&mixed, 41);
    negotiate(&mut c, &s, t0()).expect("issue");
    let req = c.protect("urn:a", PING, t0()).expect("protect");
    assert!(req.bytes.contains("hmac-sha256"), "{}", req.bytes);
    assert!(matches!(
        s.handle(req.bytes.as_bytes(), None, t0()),
        Incoming::Request(_)
    ));
    // WWSAPI's shape to a server that asked for HMAC-SHA256: refused.
    let reverse = Both {
        client: named.client.clone(),
        server: wcf.server.clone(),
    };
    let (mut c, s) = pair(&reverse, 42);
    negotiate(&mut c, &s, t0()).expect("issue");
    let req = c.protect("urn:a", PING, t0()).expect("protect");
    assert!(req.bytes.contains("xmldsig#hmac-sha1"), "{}", req.bytes);
    match s.handle(req.bytes.as_bytes(), None, t0()) {
        Incoming::Rejected { error, .. } => assert!(
            matches!(
                error,
                EngineError::Security(SecurityError::UnsupportedAlgorithm {
                    what: "signature",
                    ..
                })
            ),
            "{error}"
        ),
        other => panic!("HMAC-SHA1 accepted under an explicit HMAC-SHA256 suite: {other:?}"),
    }
}

/// Issue 12 item 10: the server's own reply, posted back to it as a request, is
/// refused. Under MS-LWSSP a reply carries a Timestamp and no signature, and every
/// request must be signed; under the derived-keys profile replies are signed with the
/// context's key like requests, so the server remembers each reply's signature among
/// those it has seen, and the reflection is a replay.
#[test]
fn a_reply_sent_back_as_a_request_is_refused() {
    use wsbind_proto::security::{DERIVED_KEYS, MS_LWSSP};
    for profile in [&MS_LWSSP, &DERIVED_KEYS] {
        let mut d = description("combined", "1.3", true, "basic256");
        d.client.profile = profile;
        d.server.profile = profile;
        let (mut c, s) = pair(&d, 90);
        negotiate(&mut c, &s, t0()).expect("negotiated");
        let req = c
            .protect("urn:example:orders/Ping", PING, t0())
            .expect("protect");
        let Incoming::Request(r) = s.handle(req.bytes.as_bytes(), None, t0()) else {
            panic!("refused")
        };
        let reply = s
            .reply(&r, "urn:example:orders/Ping", PING, t0())
            .expect("reply");
        let Incoming::Rejected { error, .. } = s.handle(reply.as_bytes(), None, t0()) else {
            panic!(
                "{}: the server took its own reply for a request",
                profile.name
            )
        };
        let expected = if std::ptr::eq(profile, &MS_LWSSP) {
            "signature"
        } else {
            "replay"
        };
        assert!(
            error.to_string().contains(expected),
            "{}: {error}",
            profile.name
        );
        // The client still reads the reply as one.
        c.verify_reply(reply.as_bytes(), &req.message_id, t0())
            .expect("the reply");
    }
}

/// Issue 12 item 11: a cookie server's list of cancelled contexts is bounded, and one
/// client cancelling many contexts is not refused (which would leave the context
/// usable): once it holds a quarter of the list, its own cancellation forgotten soonest
/// makes room, never another's.
#[test]
fn cookie_cancellations_are_bounded() {
    let d = description("server-only", "1.3", true, "basic256");
    let anyone: Arc<dyn PasswordValidator> =
        Arc::new(|_: &str, pw: &Password| pw.matches("s3cret"));
    let s = ServerEngine::with_cookies(
        d.server.clone(),
        Some(anyone),
        CookieKeys::new(1, [42u8; 32]),
        Box::new(SeededRng::new(50)),
    )
    .expect("server")
    .with_cookie_cancellations(4);
    let client = |user: &str, seed| {
        let mut c = ClientEngine::new(
            d.client.clone(),
            "https://x/",
            Some(UsernameCredential::new(user, "s3cret")),
            Box::new(SeededRng::new(seed)),
        )
        .expect("client");
        negotiate(&mut c, &s, t0()).expect("negotiated");
        c
    };
    // Cancels `c`'s context at `at`, first keeping a request made with it (unsent).
    let cancel = |c: &mut ClientEngine, at: SystemTime| {
        let probe = c
            .protect("urn:example:orders/Ping", PING, at)
            .expect("probe");
        let neg = c.close(at).expect("close").expect("a cancel request");
        let Incoming::Negotiated { bytes, .. } = s.handle(neg.request.bytes.as_bytes(), None, at)
        else {
            panic!("the cancel was refused")
        };
        c.handle_response(&neg, bytes.as_bytes(), at)
            .expect("cancelled");
        probe.bytes
    };
    let cancelled = |probe: &str, at: SystemTime| match s.handle(probe.as_bytes(), None, at) {
        Incoming::Rejected { error, .. } => error.to_string().contains("cancelled"),
        _ => false,
    };
    let at = |secs| t0() + Duration::from_secs(secs);
    let alice = cancel(&mut client("alice", 51), at(1));
    // Mallory cancels six contexts into a list of four: every Cancel succeeds.
    let mallory: Vec<String> = (0..6)
        .map(|i| cancel(&mut client("mallory", 60 + i), at(10 + i)))
        .collect();
    let now = at(20);
    assert!(
        cancelled(&alice, now),
        "alice's cancellation was pushed out"
    );
    assert!(
        cancelled(&mallory[5], now),
        "mallory's last cancellation is kept"
    );
    // The room came from mallory's own oldest: that context is usable again.
    assert!(!cancelled(&mallory[0], now));
}

/// Issue 22: cancellations from many identities cannot push out another client's. A
/// full list used to make room by forgetting the soonest cancellation of anyone: eight
/// identities with one Cancel each made alice's cancelled context usable again.
#[test]
fn many_cancelling_identities_cannot_forget_anothers_cancellation() {
    let d = description("server-only", "1.3", true, "basic256");
    let anyone: Arc<dyn PasswordValidator> =
        Arc::new(|_: &str, pw: &Password| pw.matches("s3cret"));
    let s = ServerEngine::with_cookies(
        d.server.clone(),
        Some(anyone),
        CookieKeys::new(1, [42u8; 32]),
        Box::new(SeededRng::new(80)),
    )
    .expect("server")
    .with_cookie_cancellations(8);
    let at = |secs| t0() + Duration::from_secs(secs);
    // Cancels `user`'s new context at `at`: the refusal, if any, and a request made
    // with the context beforehand (unsent).
    let cancel = |user: &str, seed, at: SystemTime| {
        let mut c = ClientEngine::new(
            d.client.clone(),
            "https://x/",
            Some(UsernameCredential::new(user, "s3cret")),
            Box::new(SeededRng::new(seed)),
        )
        .expect("client");
        negotiate(&mut c, &s, at).expect("negotiated");
        let probe = c
            .protect("urn:example:orders/Ping", PING, at)
            .expect("probe");
        let neg = c.close(at).expect("close").expect("a cancel request");
        let refused = match s.handle(neg.request.bytes.as_bytes(), None, at) {
            Incoming::Negotiated { .. } => None,
            Incoming::Rejected { error, .. } => Some(error.to_string()),
            Incoming::Request(_) => panic!("a Cancel taken for a request"),
        };
        (refused, probe.bytes)
    };
    let cancelled = |probe: &str, at: SystemTime| match s.handle(probe.as_bytes(), None, at) {
        Incoming::Rejected { error, .. } => error.to_string().contains("cancelled"),
        _ => false,
    };
    let (refused, alice) = cancel("alice", 81, at(1));
    assert_eq!(refused, None);
    // Mallory0 cancels twice, five more identities once each: the list of eight is full.
    let (_, oldest) = cancel("mallory0", 90, at(2));
    cancel("mallory0", 91, at(3));
    for i in 1..6 {
        let (refused, _) = cancel(&format!("mallory{i}"), 91 + i, at(10 + i));
        assert_eq!(refused, None, "mallory{i}");
    }
    // A newcomer takes the place of the largest holder's soonest: mallory0's first.
    let (refused, _) = cancel("zed", 100, at(20));
    assert_eq!(refused, None);
    assert!(!cancelled(&oldest, at(21)), "mallory0's first made room");
    // Another: nobody holds more than it would, so nothing is forgotten for it (the
    // old list forgot the soonest of anyone's: alice's).
    let (refused, kept) = cancel("yan", 101, at(22));
    let refused = refused.expect("no room without forgetting another's");
    assert!(refused.contains("none can be forgotten"), "{refused}");
    assert!(
        !cancelled(&kept, at(23)),
        "a refused Cancel cancels nothing"
    );
    assert!(
        cancelled(&alice, at(23)),
        "alice's cancellation was pushed out"
    );
}

/// The engine changes only when a response comes back with its negotiation: one the
/// caller drops (a cancelled future, a lost connection) leaves it as it was, and one made
/// for a context the engine no longer holds is refused, not applied.
#[test]
fn an_abandoned_negotiation_changes_nothing() {
    let d = description("combined", "1.3", true, "basic256");
    let (mut c, s) = pair(&d, 120);
    // An Issue sent, answered by the server, and dropped: still no context, and the
    // next poll asks for an Issue again.
    let dropped = c.poll(t0()).expect("poll").expect("an issue");
    assert!(matches!(
        s.handle(dropped.request.bytes.as_bytes(), None, t0()),
        Incoming::Negotiated { .. }
    ));
    drop(dropped);
    assert!(!c.is_ready() && c.context_id().is_none());
    negotiate(&mut c, &s, t0()).expect("issued the second time");
    call(&mut c, &s, PING, t0()).expect("a call");

    // A Renew dropped: the context stays in use, and the next poll renews again.
    let t1 = t0() + Duration::from_secs(3240);
    let first = c.poll(t1).expect("poll").expect("a renewal");
    assert_eq!(first.request.purpose, Purpose::Renew);
    let instance = c.instance().map(str::to_owned);
    let Incoming::Negotiated { bytes: late, .. } =
        s.handle(first.request.bytes.as_bytes(), None, t1)
    else {
        panic!("renewal refused")
    };
    call(&mut c, &s, PING, t1).expect("the old key during the renewal");
    let ev = negotiate(&mut c, &s, t1).expect("renewed");
    assert!(matches!(ev, ClientEvent::Renewed { .. }), "{ev:?}");
    assert_ne!(c.instance().map(str::to_owned), instance);
    // The first Renew's answer arrives after all: it was made for the key before.
    let err = c
        .handle_response(&first, late.as_bytes(), t1)
        .expect_err("a stale renewal");
    assert!(
        matches!(err, EngineError::State(StateError::NothingAwaited)),
        "{err}"
    );
    call(&mut c, &s, PING, t1).expect("the renewed key");

    // A Cancel dropped: the context stays; a second close closes.
    let dropped = c.close(t1).expect("close").expect("a cancel");
    drop(dropped);
    assert!(c.is_ready() && !c.is_closed());
    call(&mut c, &s, PING, t1).expect("still open");
    let cancel = c.close(t1).expect("close").expect("a cancel");
    let Incoming::Negotiated { bytes, .. } = s.handle(cancel.request.bytes.as_bytes(), None, t1)
    else {
        panic!("cancel refused")
    };
    c.handle_response(&cancel, bytes.as_bytes(), t1)
        .expect("cancelled");
    assert!(c.is_closed());
    let err = c.protect("urn:a", PING, t1).expect_err("closed");
    assert!(
        matches!(err, EngineError::State(StateError::Closed)),
        "{err}"
    );
}

/// The engine says when it next needs the clock, and forgets what expired when told
/// the time, without any message arriving: an unused context after its short life, a
/// used one after its expiry, replay entries when their window closes.
#[test]
fn timers_forget_what_expired_without_traffic() {
    let d = description("combined", "1.3", true, "basic256");
    let s = ServerEngine::new(
        d.server.clone(),
        Some(validator()),
        Box::new(SeededRng::new(130)),
    )
    .expect("server")
    .with_pending_life(Duration::from_secs(120))
    .with_idle_timeout(None);
    assert_eq!(s.poll_timeout(), None, "nothing held");
    let client = |seed| {
        ClientEngine::new(
            d.client.clone(),
            "https://orders.example/svc",
            Some(UsernameCredential::new("alice", "s3cret")),
            Box::new(SeededRng::new(seed)),
        )
        .expect("client")
    };
    // One context left unused, one used.
    let mut unused = client(131);
    negotiate(&mut unused, &s, t0()).expect("issue");
    let mut used = client(132);
    negotiate(&mut used, &s, t0()).expect("issue");
    call(&mut used, &s, PING, t0()).expect("a call");
    assert_eq!(s.live_contexts(), 2);
    // The first deadline: the unused context's short life, or a replay entry's
    // window (under 15 minutes), whichever is sooner.
    let first = s.poll_timeout().expect("a deadline");
    assert!(
        first > t0() && first <= t0() + Duration::from_secs(120),
        "{first:?}"
    );
    // Told an earlier time, nothing is forgotten.
    s.handle_timeout(first - Duration::from_millis(1));
    assert_eq!(s.live_contexts(), 2);
    // At two minutes the unused context goes; the used one stays until it expires.
    let later = t0() + Duration::from_secs(120);
    s.handle_timeout(later);
    assert_eq!(s.live_contexts(), 1);
    let next = s.poll_timeout().expect("the used context's expiry");
    assert!(next > later, "{next:?}");
    // Past every deadline the engine asks for nothing more: all is forgotten.
    let mut at = next;
    while let Some(due) = s.poll_timeout() {
        assert!(due >= at, "deadlines move forward");
        at = due;
        s.handle_timeout(due);
    }
    assert_eq!(s.live_contexts(), 0);
}

/// Runs a `ClientCall` against `s` at `now` (the driver's loop, in memory) and returns
/// the purposes of the messages it sent, and its outcome.
fn run_call(
    c: &mut ClientEngine,
    s: &ServerEngine,
    mut call: ClientCall,
    now: SystemTime,
) -> (Vec<Purpose>, Result<Option<String>, EngineError>) {
    let mut sent = Vec::new();
    loop {
        let req = match call.poll_transmit(c, now) {
            Ok(Some(req)) => req,
            Ok(None) => return (sent, Ok(None)),
            Err(e) => return (sent, Err(e)),
        };
        sent.push(req.purpose);
        assert!(sent.len() <= 6, "the call does not end: {sent:?}");
        let answer = match s.handle(req.bytes.as_bytes(), None, now) {
            Incoming::Negotiated { bytes, .. } | Incoming::Rejected { bytes, .. } => bytes,
            Incoming::Request(r) => s
                .reply(
                    &r,
                    "urn:example:orders/PingResponse",
                    "<m:Pong xmlns:m=\"urn:m\"/>",
                    now,
                )
                .expect("reply"),
        };
        match call.handle_answer(c, answer.as_bytes(), now) {
            Ok(Some(reply)) => return (sent, Ok(Some(reply.body))),
            Ok(None) => {}
            Err(e) => return (sent, Err(e)),
        }
    }
}

/// The client's policy for a call is the engine's, run here without a driver and with
/// a fake clock: negotiate first; renew when due; a refused renewal is followed by a
/// new context; a context the server lost (or that expired) is negotiated (or renewed)
/// again and the request sent once more, never twice.
#[test]
fn the_call_machine_negotiates_renews_and_retries_once() {
    use Purpose::{Application, Issue, Renew};
    let ping = || ClientCall::request("urn:example:orders/Ping", PING);
    let d = description("combined", "1.3", true, "basic256");
    let (mut c, s) = pair(&d, 140);
    // connect negotiates, and then nothing is due.
    assert_eq!(run_call(&mut c, &s, ClientCall::connect(), t0()).0, [Issue]);
    let (sent, out) = run_call(&mut c, &s, ClientCall::connect(), t0());
    assert!(
        sent.is_empty() && matches!(out, Ok(None)),
        "{sent:?} {out:?}"
    );
    let (sent, out) = run_call(&mut c, &s, ping(), t0());
    assert_eq!(sent, [Application]);
    assert_eq!(
        out.expect("reply").as_deref(),
        Some(r#"<m:Pong xmlns:m="urn:m"></m:Pong>"#)
    );
    // At nine tenths of the renewal interval: renew, then the request.
    let t1 = t0() + Duration::from_secs(3240);
    let (sent, out) = run_call(&mut c, &s, ping(), t1);
    assert_eq!(sent, [Renew, Application], "{out:?}");
    out.expect("reply");

    // The server restarted: the request is refused (BadContextToken), a new context
    // is negotiated and the request sent again.
    let (_, restarted) = pair(&d, 141);
    let (sent, out) = run_call(&mut c, &restarted, ping(), t1);
    assert_eq!(sent, [Application, Issue, Application], "{out:?}");
    out.expect("reply");

    // A server that will not renew: the refused Renew is followed by a new context.
    let mut no_renew = description("combined", "1.3", true, "basic256");
    no_renew.server.support_renew = false;
    let (mut c, s) = pair(&no_renew, 142);
    run_call(&mut c, &s, ClientCall::connect(), t0())
        .1
        .expect("issue");
    let (sent, out) = run_call(&mut c, &s, ping(), t1);
    assert_eq!(sent, [Renew, Issue, Application], "{out:?}");
    out.expect("reply");

    // A server that loses every context: the request is sent twice, not a third time,
    // and the call ends with the server's fault.
    let (mut c, _) = pair(&d, 143);
    let forgetful: Vec<_> = (0..4).map(|i| pair(&d, 150 + i).1).collect();
    let mut sent = Vec::new();
    let mut call = ping();
    let outcome = loop {
        let req = match call.poll_transmit(&mut c, t0()) {
            Ok(Some(req)) => req,
            other => break other.map(|_| None),
        };
        sent.push(req.purpose);
        // Each message reaches a server that never saw the ones before.
        let s = &forgetful[sent.len() - 1];
        let answer = match s.handle(req.bytes.as_bytes(), None, t0()) {
            Incoming::Negotiated { bytes, .. } | Incoming::Rejected { bytes, .. } => bytes,
            Incoming::Request(_) => panic!("accepted with a context it never issued"),
        };
        match call.handle_answer(&mut c, answer.as_bytes(), t0()) {
            Ok(None) => {}
            other => break other.map(|r| r.map(|v| v.body)),
        }
    };
    assert_eq!(sent, [Issue, Application, Issue, Application]);
    let err = outcome.expect_err("refused twice");
    assert!(err.context_lost(), "{err}");
    // Its answer handled, the call has nothing more to send.
    assert!(matches!(call.poll_transmit(&mut c, t0()), Ok(None)));
}

/// Two calls sharing one engine (a shared client's tasks): while one renews, the other
/// defers the renewal and sends with the current key; an Issue is reconsidered once
/// another call established the context. A context the server said expired is not
/// deferred past.
#[test]
fn calls_sharing_an_engine_renew_once() {
    use Purpose::{Application, Renew};
    let ping = || ClientCall::request("urn:example:orders/Ping", PING);
    let d = description("combined", "1.3", true, "basic256");
    let (mut c, s) = pair(&d, 160);
    // Both calls find no context; the first negotiates, the second reconsiders after
    // it and goes straight to its request.
    let mut first = ping();
    let mut second = ping();
    assert_eq!(
        second
            .poll_transmit(&mut c, t0())
            .expect("poll")
            .map(|r| r.purpose),
        Some(Purpose::Issue)
    );
    let (sent, out) = run_call(&mut c, &s, ping(), t0());
    assert_eq!(sent, [Purpose::Issue, Application], "{out:?}");
    second.reconsider();
    let (sent, out) = run_call(&mut c, &s, second, t0());
    assert_eq!(sent, [Application], "{out:?}");
    // At renewal time both find a Renew due: one defers it and is served with the
    // current key, the other renews.
    let t1 = t0() + Duration::from_secs(3240);
    let renewing = first
        .poll_transmit(&mut c, t1)
        .expect("poll")
        .expect("a renew");
    assert_eq!(renewing.purpose, Renew);
    let mut deferring = ping();
    assert_eq!(
        deferring
            .poll_transmit(&mut c, t1)
            .expect("poll")
            .map(|r| r.purpose),
        Some(Renew)
    );
    deferring.defer_renewal();
    let (sent, out) = run_call(&mut c, &s, deferring, t1);
    assert_eq!(sent, [Application], "{out:?}");
    out.expect("served with the current key");
    let (sent, out) = run_call(&mut c, &s, first, t1);
    assert_eq!(sent, [Renew, Application], "{out:?}");
    out.expect("renewed and served");
    // The server says the context expired (RenewNeeded): a deferred call renews anyway.
    let expired = t1 + Duration::from_secs(3600 + 60);
    let fault = refused_call(&mut c, &s, expired);
    assert!(c.context_lost(&fault), "{fault}");
    let mut late = ping();
    late.poll_transmit(&mut c, expired).expect("poll");
    late.defer_renewal();
    let (sent, out) = run_call(&mut c, &s, late, expired);
    assert_eq!(sent, [Renew, Application], "{out:?}");
    out.expect("renewed within the grace");
}

/// A used context that no message uses for the idle timeout (WCF's inactivity timeout,
/// 2 minutes by default) is dropped, without any message arriving: the client is then
/// answered `BadContextToken` and negotiates a new context. One used more often stays.
#[test]
fn idle_contexts_are_dropped() {
    let d = description("combined", "1.3", true, "basic256");
    let s = ServerEngine::new(
        d.server.clone(),
        Some(validator()),
        Box::new(SeededRng::new(170)),
    )
    .expect("server");
    let client = |seed| {
        ClientEngine::new(
            d.client.clone(),
            "https://orders.example/svc",
            Some(UsernameCredential::new("alice", "s3cret")),
            Box::new(SeededRng::new(seed)),
        )
        .expect("client")
    };
    let (mut busy, mut idle) = (client(171), client(172));
    negotiate(&mut busy, &s, t0()).expect("issue");
    negotiate(&mut idle, &s, t0()).expect("issue");
    call(&mut busy, &s, PING, t0()).expect("used");
    call(&mut idle, &s, PING, t0()).expect("used");
    // Busy calls every minute for ten minutes; idle does not.
    for minute in 1..=10 {
        let at = t0() + Duration::from_secs(60 * minute);
        s.handle_timeout(at);
        call(&mut busy, &s, PING, at).expect("a busy context stays");
    }
    assert_eq!(
        s.live_contexts(),
        1,
        "the idle one is gone without a message"
    );
    let at = t0() + Duration::from_secs(601);
    let fault = refused_call(&mut idle, &s, at);
    assert_eq!(fault.code, Some(FaultCode::BadContextToken), "{fault}");
    assert!(idle.context_lost(&fault));
    let (sent, out) = run_call(
        &mut idle,
        &s,
        ClientCall::request("urn:example:orders/Ping", PING),
        at,
    );
    assert_eq!(sent, [Purpose::Issue, Purpose::Application], "{out:?}");
    // A server without an idle timeout (WWSAPI's behaviour) keeps both.
    let keeps = ServerEngine::new(
        d.server.clone(),
        Some(validator()),
        Box::new(SeededRng::new(173)),
    )
    .expect("server")
    .with_idle_timeout(None);
    let mut c = client(174);
    negotiate(&mut c, &keeps, t0()).expect("issue");
    call(&mut c, &keeps, PING, t0()).expect("used");
    let later = t0() + Duration::from_secs(1800);
    keeps.handle_timeout(later);
    call(&mut c, &keeps, PING, later).expect("kept until it expires");
}

/// Issue 22: many requests in one millisecond (a shared client at thousands of calls a
/// second) keep the clock's `Created` — the n-th expires n ms later instead — so
/// `Created` never drifts ahead of the clock into `CreatedInFuture`, and no two
/// Timestamps (under MS-LWSSP: no two signatures) are the same.
#[test]
fn created_does_not_drift_at_high_call_rates() {
    let d = description("combined", "1.3", true, "basic256");
    let (mut c, s) = pair(&d, 180);
    negotiate(&mut c, &s, t0()).expect("issue");
    let stamp = |bytes: &str, tag: &str| -> String {
        let open = format!("<u:{tag}>");
        let start = bytes.find(&open).expect("a timestamp") + open.len();
        bytes[start..start + 24].to_owned()
    };
    let mut expires = std::collections::BTreeSet::new();
    for n in 0..2000 {
        let req = c.protect("urn:a", PING, t0()).expect("protect");
        assert_eq!(
            stamp(&req.bytes, "Created"),
            "2026-11-18T11:06:40.000Z",
            "request {n}: Created left the clock (t0)"
        );
        assert!(
            expires.insert(stamp(&req.bytes, "Expires")),
            "request {n}: a repeat"
        );
        match s.handle(req.bytes.as_bytes(), None, t0()) {
            Incoming::Request(_) => {}
            other => panic!("request {n} refused: {other:?}"),
        }
    }
}

/// Issue 22: a farm's shared store of cancellations (a network round trip) is asked
/// only about a cookie that opened: a request whose cookie another farm sealed, or
/// that is forged, is refused without asking it.
#[test]
fn no_cancellation_lookup_before_a_cookie_opens() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use wsbind_proto::stores::{CancelStore, Ended, MemoryCancellations};

    #[derive(Default)]
    struct Counting {
        asked: AtomicUsize,
        inner: MemoryCancellations,
    }
    impl CancelStore for Counting {
        fn cancel(
            &self,
            identifier: &str,
            identity: &str,
            until: SystemTime,
            now: SystemTime,
        ) -> Result<(), String> {
            self.inner.cancel(identifier, identity, until, now)
        }
        fn renewed(
            &self,
            identifier: &str,
            identity: &str,
            instance: Option<&str>,
            previous: Option<&str>,
            rollover_until: SystemTime,
            until: SystemTime,
            now: SystemTime,
        ) -> Result<(), String> {
            self.inner.renewed(
                identifier,
                identity,
                instance,
                previous,
                rollover_until,
                until,
                now,
            )
        }
        fn ended(
            &self,
            identifier: &str,
            instance: Option<&str>,
            now: SystemTime,
        ) -> Result<Option<Ended>, String> {
            self.asked.fetch_add(1, Ordering::SeqCst);
            self.inner.ended(identifier, instance, now)
        }
    }

    let d = description("combined", "1.3", true, "basic256");
    let farm = |key: u8, seed: u64, store: Arc<Counting>| {
        ServerEngine::with_cookies(
            d.server.clone(),
            Some(validator()),
            CookieKeys::new(1, [key; 32]),
            Box::new(SeededRng::new(seed)),
        )
        .expect("server")
        .with_cancel_store(store)
    };
    let ours = Arc::new(Counting::default());
    let s = farm(42, 190, ours.clone());
    let other = farm(43, 191, Arc::new(Counting::default()));
    let (mut c, _) = pair(&d, 192);
    negotiate(&mut c, &other, t0()).expect("issued by another farm");
    for _ in 0..10 {
        let req = c.protect("urn:a", PING, t0()).expect("protect");
        assert!(matches!(
            s.handle(req.bytes.as_bytes(), None, t0()),
            Incoming::Rejected { .. }
        ));
    }
    assert_eq!(
        ours.asked.load(Ordering::SeqCst),
        0,
        "asked about forged cookies"
    );
    // A cookie of this farm is checked against the store, once per request.
    let (mut c, _) = pair(&d, 193);
    negotiate(&mut c, &s, t0()).expect("issued here");
    call(&mut c, &s, PING, t0()).expect("a call");
    assert_eq!(ours.asked.load(Ordering::SeqCst), 1);
}

/// What a policy-driven peer (Apache CXF, WSS4J) makes of an unsigned reply: the same
/// Action, RelatesTo and Body, its Security header signed with the context's key over
/// the Timestamp, as requests are.
fn signed_like_cxf(
    reply: &str,
    c: &ClientEngine,
    key: &wsbind_proto::keys::SecretKey,
    at: SystemTime,
) -> String {
    use wsbind_proto::security::MS_LWSSP;
    use wsbind_proto::security::{protect, Outgoing, SigningKey};
    use wsbind_proto::Headers;
    let between = |open: &str, close: &str| {
        let start = reply.find(open).expect(open);
        let start = start + reply[start..].find('>').expect("the tag's end") + 1;
        let end = start + reply[start..].find(close).expect(close);
        reply[start..end].to_owned()
    };
    let action = between("<a:Action", "</a:Action>");
    let relates_to = between("<a:RelatesTo", "</a:RelatesTo>");
    let body = between("<s:Body", "</s:Body>");
    let d = description("combined", "1.3", true, "basic256");
    protect(
        &Outgoing {
            framing: d.server.framing,
            headers: Headers {
                action: &action,
                to: None,
                message_id: Some("urn:uuid:0c0c0c0c-1111-2222-3333-444444444444"),
                reply_to_anonymous: false,
                relates_to: Some(&relates_to),
                application: &[],
            },
            body: &body,
        },
        &SigningKey {
            sc: d.server.sc,
            identifier: c.context_id().expect("a context"),
            instance: None,
            cookie: None,
            key,
            include_token: true,
            received: None,
        },
        &Suite::BASIC256,
        &MS_LWSSP.request,
        at,
        Duration::from_secs(300),
        &mut SeededRng::new(77),
    )
    .expect("signed")
}

/// Issue 19 item 8: CXF signs its replies — the Cancel response too — with the
/// context's key over the Timestamp. The client accepts such a reply when the signature
/// verifies, never when it does not, and never its own request sent back; `close()`
/// succeeds against such a peer. A fault without a WS-Security code is reported with
/// the peer's code and reason.
#[test]
fn a_reply_signed_by_the_context_key_is_accepted_when_it_verifies() {
    let d = description("combined", "1.3", true, "basic256");
    let (mut c, s) = pair(&d, 170);
    negotiate(&mut c, &s, t0()).expect("negotiated");
    let id = c.context_id().expect("a context").to_owned();
    let key = s.context(&id, t0()).expect("held").key;
    let req = c
        .protect("urn:example:orders/Ping", PING, t0())
        .expect("protect");
    let Incoming::Request(r) = s.handle(req.bytes.as_bytes(), None, t0()) else {
        panic!("refused")
    };
    let reply = s
        .reply(
            &r,
            "urn:example:orders/PingResponse",
            "<m:Pong xmlns:m=\"urn:m\"/>",
            t0(),
        )
        .expect("reply");
    let at = |ms| t0() + Duration::from_millis(ms);
    let signed = signed_like_cxf(&reply, &c, &key, at(1));
    let v = c
        .verify_reply(signed.as_bytes(), &req.message_id, t0())
        .expect("a signed reply that verifies");
    assert_eq!(v.body, "<m:Pong xmlns:m=\"urn:m\"></m:Pong>");
    // Signed with another key: refused.
    let wrong = signed_like_cxf(
        &reply,
        &c,
        &wsbind_proto::keys::SecretKey::new(vec![7; 32]),
        at(2),
    );
    let err = c
        .verify_reply(wrong.as_bytes(), &req.message_id, t0())
        .expect_err("a signature that does not verify");
    assert!(err.to_string().contains("signature"), "{err}");
    // The client's own request, sent back: signed by the context's key, but no reply.
    let err = c
        .verify_reply(req.bytes.as_bytes(), &req.message_id, t0())
        .expect_err("our own request reflected");
    assert!(matches!(err, EngineError::Unexpected(_)), "{err}");
    // A fault as CXF writes it: no WS-Security code, the reason in text.
    let fault = format!(
        "<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\" xmlns:a=\"http://www.w3.org/2005/08/addressing\"><s:Header><a:RelatesTo>{}</a:RelatesTo></s:Header><s:Body><s:Fault><s:Code><s:Value>s:Receiver</s:Value></s:Code><s:Reason><s:Text xml:lang=\"en\">An error was discovered processing the &lt;wsse:Security&gt; header</s:Text></s:Reason></s:Fault></s:Body></s:Envelope>",
        req.message_id
    );
    match c.verify_reply(fault.as_bytes(), &req.message_id, t0()) {
        Err(EngineError::Fault(f)) => {
            assert_eq!(f.code, None);
            assert!(f.raw_code.ends_with("}Receiver"), "{f}");
            assert!(
                f.to_string()
                    .contains("processing the <wsse:Security> header"),
                "{f}"
            );
        }
        other => panic!("{other:?}"),
    }
    // The Cancel response, signed: close() completes.
    let neg = c.close(t0()).expect("close").expect("a Cancel");
    let Incoming::Negotiated { bytes, .. } = s.handle(neg.request.bytes.as_bytes(), None, t0())
    else {
        panic!("the Cancel was refused")
    };
    let signed = signed_like_cxf(&bytes, &c, &key, at(3));
    c.handle_response(&neg, signed.as_bytes(), t0())
        .expect("a signed Cancel response");
    assert!(c.context_id().is_none());
}

/// Issue 19 item 1: `[channel]` says the envelope (WWSAPI's envelope and addressing
/// version properties). A client sends that version; a server whose description names
/// one refuses others with a clear fault, written in the sender's own version; left
/// out, a server answers each message in its own, as before.
#[test]
fn the_description_names_the_envelope() {
    let text = |role: &str, channel: &str| context_toml(role, channel, "");
    let config = |role: &str, channel: &str| {
        let d = Description::from_toml_str(&text(role, channel)).expect("description");
        Config::from_description(&d, None).expect("config")
    };
    let soap11 = "envelope-version = \"soap-1.1\"\naddressing-version = \"0.9\"";
    let client = |config: Config, seed| {
        ClientEngine::new(
            config,
            "https://x/",
            Some(UsernameCredential::new("alice", "s3cret")),
            Box::new(SeededRng::new(seed)),
        )
        .expect("client")
    };
    let server = ServerEngine::new(
        config("server", soap11),
        Some(validator()),
        Box::new(SeededRng::new(180)),
    )
    .expect("server");
    // The client of the same description speaks SOAP 1.1 with August 2004 addressing.
    let mut c = client(config("client", soap11), 181);
    let neg = c.poll(t0()).expect("poll").expect("an Issue");
    assert!(neg
        .request
        .bytes
        .contains("http://schemas.xmlsoap.org/soap/envelope/"));
    assert!(neg
        .request
        .bytes
        .contains("http://schemas.xmlsoap.org/ws/2004/08/addressing"));
    drop(neg);
    negotiate(&mut c, &server, t0()).expect("negotiated");
    call(&mut c, &server, PING, t0()).expect("a call");
    // A client of the default envelope (SOAP 1.2, WS-Addressing 1.0): refused, told why,
    // in SOAP 1.2.
    let mut other = client(config("client", ""), 182);
    let neg = other.poll(t0()).expect("poll").expect("an Issue");
    match server.handle(neg.request.bytes.as_bytes(), None, t0()) {
        Incoming::Rejected { bytes, error, .. } => {
            assert!(
                error
                    .to_string()
                    .contains("SOAP 1.2; this endpoint's description accepts SOAP 1.1 only"),
                "{error}"
            );
            assert!(
                bytes.contains("http://www.w3.org/2003/05/soap-envelope"),
                "{bytes}"
            );
        }
        other => panic!("accepted: {other:?}"),
    }
    // Addressing alone named: SOAP 1.1 with WS-Addressing 1.0 is refused for its
    // addressing.
    let only_addressing = ServerEngine::new(
        config("server", "addressing-version = \"0.9\""),
        Some(validator()),
        Box::new(SeededRng::new(183)),
    )
    .expect("server");
    let mut c = client(config("client", "envelope-version = \"soap-1.1\""), 184);
    let neg = c.poll(t0()).expect("poll").expect("an Issue");
    let Incoming::Rejected { error, .. } =
        only_addressing.handle(neg.request.bytes.as_bytes(), None, t0())
    else {
        panic!("accepted")
    };
    assert!(
        error
            .to_string()
            .contains("accepts WS-Addressing August 2004 only"),
        "{error}"
    );
    // Named nowhere: every version answered in its own (the default server).
    let any = ServerEngine::new(
        config("server", ""),
        Some(validator()),
        Box::new(SeededRng::new(185)),
    )
    .expect("server");
    let mut c = client(config("client", soap11), 186);
    negotiate(&mut c, &any, t0()).expect("SOAP 1.1 accepted by a server that names none");
    // An override (the HTTP driver's `with_envelope`) stands for the description's.
    let d = Description::from_toml_str(&text("server", soap11)).expect("description");
    let overridden = Config::from_description(
        &d,
        Some(Framing {
            soap: Soap::V12,
            addressing: Addressing::V10,
        }),
    )
    .expect("config");
    assert_eq!(overridden.accepted.soap, Some(Soap::V12));
    assert_eq!(overridden.accepted.addressing, Some(Addressing::V10));
}

/// Issue 19 item 2: a policy's `sp:SignedParts` in its endorsing supporting tokens
/// (WCF's interop export: `To`) is `wsbind-signed-headers` on the security context: the
/// request's signature covers the Timestamp and exactly those headers; a server whose
/// description says so requires them; one that does not accepts them as extra.
#[test]
fn a_request_signs_the_headers_the_description_names() {
    use wsbind_proto::security::Part;
    use wsbind_proto::wire::AddressingHeader;
    let text = |role: &str, extra: &str| context_toml(role, "", extra);
    let config = |role: &str, extra: &str| {
        let d = Description::from_toml_str(&text(role, extra)).expect("description");
        Config::from_description(&d, None).expect("config")
    };
    let to = "wsbind-signed-headers = [\"to\"]";
    let client = |config: Config, seed| {
        ClientEngine::new(
            config,
            "https://orders.example/svc",
            Some(UsernameCredential::new("alice", "s3cret")),
            Box::new(SeededRng::new(seed)),
        )
        .expect("client")
    };
    let server = |config: Config, seed| {
        ServerEngine::new(config, Some(validator()), Box::new(SeededRng::new(seed)))
            .expect("server")
    };
    let strict = server(config("server", to), 190);
    let mut c = client(config("client", to), 191);
    negotiate(&mut c, &strict, t0()).expect("negotiated");
    let req = c
        .protect("urn:example:orders/Ping", PING, t0())
        .expect("protect");
    // Exactly the Timestamp and To: two references, the To header carrying an id.
    assert_eq!(req.bytes.matches("<Reference ").count(), 2, "{}", req.bytes);
    assert!(
        req.bytes.contains("<a:To s:mustUnderstand=\"true\" u:Id="),
        "{}",
        req.bytes
    );
    match strict.handle(req.bytes.as_bytes(), None, t0()) {
        Incoming::Request(r) => assert_eq!(
            r.signed().expect("signed").covered,
            [Part::Timestamp, Part::Header(AddressingHeader::To)]
        ),
        other => panic!("refused: {other:?}"),
    }
    // A client that signs the Timestamp alone: the strict server wants To signed.
    let mut plain = client(config("client", ""), 192);
    negotiate(&mut plain, &strict, t0()).expect("negotiated");
    let req = plain
        .protect("urn:example:orders/Ping", PING, t0())
        .expect("protect");
    match strict.handle(req.bytes.as_bytes(), None, t0()) {
        Incoming::Rejected { error, .. } => {
            assert!(error.to_string().contains("To header"), "{error}")
        }
        other => panic!("accepted: {other:?}"),
    }
    // A server that names nothing takes the signed To as an extra reference.
    let tolerant = server(config("server", ""), 193);
    let mut c = client(config("client", to), 194);
    negotiate(&mut c, &tolerant, t0()).expect("negotiated");
    call(&mut c, &tolerant, PING, t0()).expect("a call with To signed");
}

/// The client says when it next needs the clock (issue 18: timers the quinn way):
/// now while it has no context, the renewal time once it has one (nine tenths of the
/// hour), now again when the server says the context expired, and never once closed;
/// polling before that time gives nothing, polling at it gives the renewal.
#[test]
fn the_client_says_when_it_next_needs_the_clock() {
    let d = description("combined", "1.3", true, "basic256");
    let (mut c, s) = pair(&d, 200);
    assert_eq!(c.poll_timeout(t0()), Some(t0()));
    negotiate(&mut c, &s, t0()).expect("negotiated");
    let due = c.poll_timeout(t0()).expect("a renewal time");
    assert_eq!(due, t0() + Duration::from_secs(3240));
    assert!(c
        .poll(due - Duration::from_secs(1))
        .expect("poll")
        .is_none());
    let neg = c.poll(due).expect("poll").expect("the renewal at its time");
    assert_eq!(neg.request.purpose, Purpose::Renew);
    drop(neg);
    let fault = ReceivedFault {
        code: Some(FaultCode::RenewNeeded),
        raw_code: String::new(),
        reason: String::new(),
        detail: None,
    };
    assert!(c.context_lost(&fault));
    assert_eq!(c.poll_timeout(t0()), Some(t0()));
    // (The abandoned renewal's Timestamp was made at `due`: the Cancel follows it.)
    let close = c.close(due).expect("close").expect("a cancel");
    let Incoming::Negotiated { bytes, .. } = s.handle(close.request.bytes.as_bytes(), None, due)
    else {
        panic!("cancel refused")
    };
    c.handle_response(&close, bytes.as_bytes(), due)
        .expect("closed");
    assert_eq!(c.poll_timeout(due), None);
}

/// A description with a security context bootstrapped by a username over TLS, for
/// `role`, with `channel` lines in `[channel]` and `binding` lines on the context.
fn context_toml(role: &str, channel: &str, binding: &str) -> String {
    format!(
        r#"
[channel]
binding = "http"
role = "{role}"
{channel}
[[security.binding]]
kind = "ssl-transport"
[[security.binding]]
kind = "security-context"
usage = "supporting"
{binding}
[security.binding.bootstrap]
[[security.binding.bootstrap.binding]]
kind = "ssl-transport"
[[security.binding.bootstrap.binding]]
kind = "username"
usage = "supporting"
"#
    )
}
