//! Issue 12 item 9: what a peer sends never reaches a log unbounded or unescaped. The
//! server logs each refusal with the error's text; every attribute value and every text
//! of a genuine request, an Issue request and a reply is replaced in turn by a value
//! holding a line break (a forged log line) and 100,000 more bytes, and each refusal's
//! text must stay one short line.

mod common;

use common::combined_config as config;
use std::sync::Arc;
use std::time::{Duration, SystemTime};
use wsbind_proto::credentials::{Password, PasswordValidator, UsernameCredential};
use wsbind_proto::engine::{ClientEngine, Incoming, ServerEngine};
use wsbind_proto::keys::SeededRng;

const FORGED: &str = "x&#10;2026-01-01T00:00:00Z  INFO forged: line&#13;";

fn t0() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_795_000_000)
}

/// Every way to replace one attribute value or one text of `msg` with `with`.
fn mutations(msg: &str, with: &str) -> Vec<String> {
    let b = msg.as_bytes();
    let mut spans = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'"' => {
                let end = msg[i + 1..].find('"').map(|e| i + 1 + e).unwrap_or(b.len());
                spans.push((i + 1, end));
                i = end + 1;
            }
            b'>' => {
                let end = msg[i + 1..].find('<').map(|e| i + 1 + e).unwrap_or(b.len());
                if end > i + 1 {
                    spans.push((i + 1, end));
                }
                i = end;
            }
            b'<' => {
                i += 1;
            }
            _ => i += 1,
        }
    }
    spans
        .into_iter()
        .map(|(s, e)| format!("{}{with}{}", &msg[..s], &msg[e..]))
        .collect()
}

/// Records `text` in `bad` unless it is one short line.
fn check_bounded(bad: &mut Vec<String>, what: &str, text: &str) {
    if text.contains(['\n', '\r']) || text.len() > 2048 {
        bad.push(format!(
            "{what}: {} bytes, line break: {}: {}",
            text.len(),
            text.contains(['\n', '\r']),
            text.chars().take(160).collect::<String>()
        ));
    }
}

/// Every way to lengthen one element name of `msg` by `with` (start and end tag).
fn long_names(msg: &str, with: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(i) = msg[at..].find('<').map(|i| at + i) {
        at = i + 1;
        let name_end = msg[at..]
            .find([' ', '>', '/'])
            .map_or(msg.len(), |e| at + e);
        let name = &msg[at..name_end];
        if name.is_empty() || name.starts_with(['/', '?', '!']) {
            continue;
        }
        let longer = format!("{name}{with}");
        out.push(format!(
            "{}{longer}{}",
            &msg[..at],
            msg[name_end..].replacen(&format!("</{name}>"), &format!("</{longer}>"), 1)
        ));
    }
    out
}

#[test]
fn refusals_never_carry_peer_text_unbounded_or_unescaped() {
    let long = format!("{FORGED}{}", "A".repeat(100_000));
    let validator: Arc<dyn PasswordValidator> =
        Arc::new(|u: &str, p: &Password| u == "alice" && p.matches("s3cret"));
    let server = ServerEngine::new(
        config("server"),
        Some(validator),
        Box::new(SeededRng::new(1)),
    )
    .expect("server");
    let new_client = || {
        ClientEngine::new(
            config("client"),
            "https://orders.example/svc",
            Some(UsernameCredential::new("alice", "s3cret")),
            Box::new(SeededRng::new(2)),
        )
        .expect("client")
    };
    let mut client = new_client();
    let negotiation = client.poll(t0()).expect("poll").expect("rst");
    let issue = negotiation.request.bytes.clone();
    let Incoming::Negotiated { bytes: issued, .. } = server.handle(issue.as_bytes(), None, t0())
    else {
        panic!("not issued")
    };
    client
        .handle_response(&negotiation, issued.as_bytes(), t0())
        .expect("established");
    let request = client
        .protect(
            "urn:example:Ping",
            "<m:Ping xmlns:m=\"urn:m\">hi</m:Ping>",
            t0(),
        )
        .expect("protect");
    let Incoming::Request(r) = server.handle(request.bytes.as_bytes(), None, t0()) else {
        panic!("refused")
    };
    let reply = server
        .reply(&r, "urn:example:Pong", "<m:Pong xmlns:m=\"urn:m\"/>", t0())
        .expect("reply");

    let mut refused = 0;
    let mut bad = Vec::new();
    for (name, msg) in [("issue", &issue), ("request", &request.bytes)] {
        let names = long_names(msg, &"N".repeat(100_000));
        for m in mutations(msg, &long).into_iter().chain(names) {
            if let Incoming::Rejected { error, .. } = server.handle(m.as_bytes(), None, t0()) {
                check_bounded(&mut bad, name, &error.to_string());
                refused += 1;
            }
        }
    }
    // The issue response, as a client (the same one, again) reads it.
    let names = long_names(&issued, &"N".repeat(100_000));
    for m in mutations(&issued, &long).into_iter().chain(names) {
        let mut c = new_client();
        let negotiation = c.poll(t0()).expect("poll").expect("rst");
        if let Err(e) = c.handle_response(&negotiation, m.as_bytes(), t0()) {
            check_bounded(&mut bad, "issue response", &e.to_string());
            refused += 1;
        }
    }
    // A fault the server sends (here: for a replayed request), as the client reads it.
    let Incoming::Rejected { bytes: fault, .. } =
        server.handle(request.bytes.as_bytes(), None, t0())
    else {
        panic!("a replay was accepted")
    };
    let names = long_names(&reply, &"N".repeat(100_000));
    let replies = mutations(&reply, &long)
        .into_iter()
        .chain(mutations(&fault, &long))
        .chain(names);
    for m in replies {
        if let Err(e) = client.verify_reply(m.as_bytes(), &request.message_id, t0()) {
            check_bounded(&mut bad, "reply", &e.to_string());
            refused += 1;
        }
    }
    assert!(
        bad.is_empty(),
        "{} of {refused} refusals:\n{}",
        bad.len(),
        bad.join("\n")
    );
    assert!(refused > 50, "only {refused} refusals");
}
