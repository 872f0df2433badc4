//! Mutation fuzzing of every network entry point (issue 12): genuine messages of a
//! whole conversation are mutated (bytes flipped, inserted, deleted, ranges doubled,
//! markup spliced in, truncated) and fed to
//! - `server`: `ServerEngine::handle`, on a server holding a live context (so that
//!   requests reach signature verification), for Issue, Renew, Cancel and requests;
//! - `issue-response`: `ClientEngine::handle_response`, on a client awaiting its
//!   Issue response;
//! - `reply`: `ClientEngine::verify_reply`, on a client with a context, for replies and
//!   faults;
//! - `username`: `ServerEngine::handle` on a server with a username on every message
//!   (no context), for its requests;
//! - `kerberos`: `ServerEngine::handle` on a server whose context is bootstrapped by a
//!   Kerberos AP-REQ, for an Issue request (its BinarySecurityToken mutated into
//!   arbitrary bytes reaches the acceptor, which takes only the genuine token);
//! - `xml`: `Document::parse` alone.
//!
//! Every execution runs under `catch_unwind`: a panic is counted, its input saved
//! under `target/tmp/mutate/`, and the run fails. The figures it prints are the
//! executions, panics, acceptances and executions per second of each entry point.
//!
//! `cargo bench -p wsbind-proto --bench mutate -- --executions 10000000 [ENTRY]`
//! (under `cargo test`: 2,000 executions per entry point).
//!
//! The mutator is written here rather than taken from cargo-fuzz: it must run on
//! stable Rust, inside `cargo test`, without a sanitizer toolchain, and its
//! mutations are the structural ones that matter to an XML security layer.

#[path = "../tests/common/mod.rs"]
mod common;

use common::combined_config as config;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};
use wsbind_proto::engine::{ClientEngine, Incoming, ServerEngine};
use wsbind_proto::keys::SeededRng;
use wsbind_proto::xml::dom::{Document, Limits};
use wsbind_proto::{Password, PasswordValidator, UsernameCredential};

fn t0() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_795_000_000)
}

fn validator() -> Arc<dyn PasswordValidator> {
    Arc::new(|u: &str, p: &Password| u == "alice" && p.matches("s3cret"))
}

fn client(seed: u64) -> ClientEngine {
    ClientEngine::new(
        config("client"),
        "https://orders.example/svc",
        Some(UsernameCredential::new("alice", "s3cret")),
        Box::new(SeededRng::new(seed)),
    )
    .expect("client")
}

fn server() -> ServerEngine {
    let mut c = config("server");
    c.max_active_contexts = 1_000_000;
    c.max_pending_contexts = 1_000_000;
    ServerEngine::new(c, Some(validator()), Box::new(SeededRng::new(9)))
        .expect("server")
        .with_identity_share(1)
}

/// xorshift64*: deterministic, so a run can be repeated.
struct Rand(u64);

impl Rand {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Markup worth splicing into a security header.
const TOKENS: &[&str] = &[
    "<",
    ">",
    "/>",
    "</",
    "\"",
    "&#10;",
    "&amp;",
    "&#0;",
    "]]>",
    "<!--x-->",
    "<![CDATA[x]]>",
    "<?pi x?>",
    "<!DOCTYPE a>",
    " xmlns=\"\"",
    " xmlns:o=\"urn:x\"",
    " xmlns:u=\"http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd\"",
    " u:Id=\"_0\"",
    " Id=\"_0\"",
    " wsu:Id=\"_1\"",
    " s:mustUnderstand=\"1\"",
    "<u:Timestamp u:Id=\"_0\"><u:Created>2026-11-18T11:06:40Z</u:Created></u:Timestamp>",
    "<ds:Reference URI=\"#_0\"/>",
    "9999-12-31T23:59:59Z",
    "\u{feff}",
    "\u{10ffff}",
];

fn mutate(seed: &[u8], r: &mut Rand, other: &[u8]) -> Vec<u8> {
    let mut m = seed.to_vec();
    for _ in 0..1 + r.below(4) {
        let len = m.len().max(1);
        match r.below(8) {
            0 => {
                let i = r.below(len);
                if let Some(b) = m.get_mut(i) {
                    *b ^= 1 << r.below(8);
                }
            }
            1 => {
                let i = r.below(len + 1).min(m.len());
                m.insert(i, r.next() as u8);
            }
            2 => {
                let i = r.below(len).min(m.len());
                let n = r.below(64).min(m.len() - i);
                m.drain(i..i + n);
            }
            3 => {
                let i = r.below(len).min(m.len());
                let n = r.below(256).min(m.len() - i);
                let copy = m[i..i + n].to_vec();
                let at = r.below(m.len() + 1).min(m.len());
                m.splice(at..at, copy);
            }
            4 | 5 => {
                let t = TOKENS[r.below(TOKENS.len())].as_bytes();
                let at = r.below(m.len() + 1).min(m.len());
                m.splice(at..at, t.iter().copied());
            }
            6 => {
                // A piece of another message of the conversation.
                let i = r.below(other.len());
                let n = r.below(512).min(other.len() - i);
                let at = r.below(m.len() + 1).min(m.len());
                m.splice(at..at, other[i..i + n].iter().copied());
            }
            _ => m.truncate(r.below(len)),
        }
    }
    m
}

/// The messages of one conversation, and the client's state to read replies with.
struct Conversation {
    issue: String,
    issued: String,
    request: String,
    request_id: String,
    reply: String,
    fault: String,
    renew: String,
    server: ServerEngine,
    client: ClientEngine,
    /// A request under a username on every message, and a server of that shape.
    username_request: String,
    username_server: ServerEngine,
    /// An Issue request with a Kerberos AP-REQ, and a server of that shape.
    kerberos_issue: String,
    kerberos_server: ServerEngine,
}

/// A server whose context is bootstrapped by Kerberos, and an Issue request for it.
fn kerberos_shape() -> (ServerEngine, String) {
    use wsbind_compiler::FromToml;
    let d = wsbind_proto::Description::from_toml_str(common::KERBEROS_BOOTSTRAP).expect("valid");
    let config = wsbind_proto::engine::Config::from_description(&d, None).expect("config");
    let server = ServerEngine::new(config.clone(), None, Box::new(SeededRng::new(43)))
        .expect("server")
        .with_kerberos(Arc::new(common::OneTicketAcceptor));
    let mut client = ClientEngine::new(
        config,
        "https://orders.example/svc",
        None,
        Box::new(SeededRng::new(44)),
    )
    .expect("client")
    .with_kerberos(Arc::new(common::OneTicket));
    let issue = client.poll(t0()).expect("poll").expect("an Issue");
    (server, issue.request.bytes)
}

/// A server and a request of a username on every message (no context).
fn username_shape() -> (ServerEngine, String) {
    use wsbind_compiler::FromToml;
    let text = "[channel]\nbinding = \"http\"\n[[security.binding]]\nkind = \"ssl-transport\"\n[[security.binding]]\nkind = \"username\"\nusage = \"supporting\"\n";
    let d = wsbind_proto::Description::from_toml_str(text).expect("valid");
    let config = wsbind_proto::engine::Config::from_description(&d, None).expect("config");
    let server = ServerEngine::new(
        config.clone(),
        Some(validator()),
        Box::new(SeededRng::new(41)),
    )
    .expect("server");
    let mut client = ClientEngine::new(
        config,
        "https://orders.example/svc",
        Some(UsernameCredential::new("alice", "s3cret")),
        Box::new(SeededRng::new(42)),
    )
    .expect("client");
    let request = client
        .protect(
            "urn:example:orders/Ping",
            "<m:Ping xmlns:m=\"urn:m\">hi</m:Ping>",
            t0(),
        )
        .expect("request");
    (server, request.bytes)
}

fn conversation() -> Conversation {
    let server = server();
    let mut client = client(2);
    let negotiation = client.poll(t0()).expect("poll").expect("rst");
    let issue = negotiation.request.bytes.clone();
    let Incoming::Negotiated { bytes: issued, .. } = server.handle(issue.as_bytes(), None, t0())
    else {
        panic!("not issued")
    };
    client
        .handle_response(&negotiation, issued.as_bytes(), t0())
        .expect("established");
    let req = client
        .protect(
            "urn:example:orders/Ping",
            "<m:Ping xmlns:m=\"urn:m\">hi</m:Ping>",
            t0(),
        )
        .expect("protect");
    let Incoming::Request(r) = server.handle(req.bytes.as_bytes(), None, t0()) else {
        panic!("refused")
    };
    let reply = server
        .reply(
            &r,
            "urn:example:orders/Pong",
            "<m:Pong xmlns:m=\"urn:m\"/>",
            t0(),
        )
        .expect("reply");
    let Incoming::Rejected { bytes: fault, .. } = server.handle(req.bytes.as_bytes(), None, t0())
    else {
        panic!("a replay was accepted")
    };
    // A Renew request, made at renewal time by a client of its own.
    let mut renewer = client_established(&server, 3);
    let later = t0() + Duration::from_secs(9 * 3600);
    let renew = renewer
        .poll(later)
        .expect("poll")
        .map(|n| n.request.bytes)
        .unwrap_or_default();
    let (username_server, username_request) = username_shape();
    let (kerberos_server, kerberos_issue) = kerberos_shape();
    Conversation {
        issue,
        issued,
        request: req.bytes,
        request_id: req.message_id,
        reply,
        fault,
        renew,
        server,
        client,
        username_request,
        username_server,
        kerberos_issue,
        kerberos_server,
    }
}

fn client_established(server: &ServerEngine, seed: u64) -> ClientEngine {
    let mut c = client(seed);
    let rst = c.poll(t0()).expect("poll").expect("rst");
    if let Incoming::Negotiated { bytes, .. } =
        server.handle(rst.request.bytes.as_bytes(), None, t0())
    {
        let _ = c.handle_response(&rst, bytes.as_bytes(), t0());
    }
    c
}

struct Tally {
    executions: u64,
    panics: u64,
    accepted: u64,
}

fn run(entry: &str, executions: u64, conv: &mut Conversation) -> Tally {
    let mut r = Rand(0x9e37_79b9_7f4a_7c15 ^ entry.len() as u64);
    let all = [
        conv.issue.as_str(),
        conv.issued.as_str(),
        conv.request.as_str(),
        conv.reply.as_str(),
        conv.fault.as_str(),
        conv.renew.as_str(),
    ]
    .join("");
    let seeds: Vec<&str> = match entry {
        "server" => vec![&conv.issue, &conv.request, &conv.renew],
        "issue-response" => vec![&conv.issued],
        "reply" => vec![&conv.reply, &conv.fault],
        "username" => vec![&conv.username_request],
        "kerberos" => vec![&conv.kerberos_issue],
        _ => vec![&conv.issue, &conv.issued, &conv.request, &conv.reply],
    };
    let seeds: Vec<&str> = seeds.into_iter().filter(|s| !s.is_empty()).collect();
    let mut t = Tally {
        executions: 0,
        panics: 0,
        accepted: 0,
    };
    let mut awaiting = client(2);
    let mut negotiation = awaiting.poll(t0()).expect("poll").expect("rst");
    for n in 0..executions {
        let seed = seeds[r.below(seeds.len())].as_bytes();
        let input = mutate(seed, &mut r, all.as_bytes());
        let outcome = catch_unwind(AssertUnwindSafe(|| match entry {
            "server" => !matches!(
                conv.server.handle(&input, None, t0()),
                Incoming::Rejected { .. }
            ),
            "issue-response" => {
                // A fresh client of the same seed awaits the very response mutated
                // (its Issue has the same message id and entropy).
                let ok = awaiting.handle_response(&negotiation, &input, t0()).is_ok();
                awaiting = client(2);
                negotiation = awaiting.poll(t0()).expect("poll").expect("rst");
                ok
            }
            "reply" => conv
                .client
                .verify_reply(&input, &conv.request_id, t0())
                .is_ok(),
            "username" => match conv.username_server.handle(&input, None, t0()) {
                // Accepted only with alice's password: the mutation left the token whole.
                Incoming::Request(r) => {
                    assert_eq!(r.identity.name, "alice");
                    true
                }
                _ => false,
            },
            "kerberos" => match conv.kerberos_server.handle(&input, None, t0()) {
                // Accepted only with the genuine AP-REQ and its signature whole.
                Incoming::Negotiated { event, .. } => {
                    assert!(
                        matches!(&event, wsbind_proto::engine::ServerEvent::Issued { identity, .. } if identity.name == "alice@EXAMPLE.COM"),
                        "{event:?}"
                    );
                    true
                }
                _ => false,
            },
            _ => match std::str::from_utf8(&input) {
                Ok(text) => Document::parse(text, &Limits::default()).is_ok(),
                Err(_) => false,
            },
        }));
        t.executions += 1;
        match outcome {
            Ok(true) => t.accepted += 1,
            Ok(false) => {}
            Err(_) => {
                t.panics += 1;
                let dir =
                    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/tmp/mutate");
                let _ = std::fs::create_dir_all(&dir);
                let _ = std::fs::write(dir.join(format!("{entry}-{n}.xml")), &input);
            }
        }
    }
    t
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let bench = args.iter().any(|a| a == "--bench");
    let mut executions: u64 = if bench { 100_000 } else { 2_000 };
    let mut only = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--executions" => {
                executions = it.next().and_then(|v| v.parse().ok()).unwrap_or_else(|| {
                    eprintln!("--executions takes a number");
                    std::process::exit(2)
                })
            }
            "server" | "issue-response" | "reply" | "username" | "kerberos" | "xml" => {
                only = Some(a.clone())
            }
            _ => {} // cargo's own flags
        }
    }
    // Panics are counted and reported, not printed one by one.
    std::panic::set_hook(Box::new(|_| {}));
    let mut conv = conversation();
    let mut failed = false;
    println!("entry point      executions      panics    accepted   per second");
    for entry in [
        "server",
        "issue-response",
        "reply",
        "username",
        "kerberos",
        "xml",
    ] {
        if only.as_deref().is_some_and(|o| o != entry) {
            continue;
        }
        let started = Instant::now();
        let t = run(entry, executions, &mut conv);
        let secs = started.elapsed().as_secs_f64();
        println!(
            "{entry:<16} {:>10} {:>11} {:>11} {:>12.0}",
            t.executions,
            t.panics,
            t.accepted,
            t.executions as f64 / secs
        );
        failed |= t.panics > 0;
    }
    if failed {
        eprintln!("panics found: inputs saved under target/tmp/mutate/");
        std::process::exit(1);
    }
}
