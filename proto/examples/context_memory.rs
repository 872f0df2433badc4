//! Memory per live context (issue 21's goal: ≤ 512 bytes), measured by counting the
//! live heap bytes (dhat):
//! - in the server's store, while 100,000 contexts are issued through the real engine
//!   (RST → RSTR for each), divided by their number;
//! - with cookie contexts (the server keeps none: the SCT carries them, sealed, as
//!   WCF's cookie tokens do), on the server (100,000 issued), and on the client, which
//!   keeps the issued SCT to send back: the bytes one established context adds to a
//!   client engine (1,000 clients, each established, less the same clients before).
//!
//! Run: `cargo run --release -p wsbind-proto --example context_memory`.

use std::sync::Arc;
use std::time::{Duration, SystemTime};
use wsbind_compiler::FromToml;
use wsbind_proto::engine::{ClientEngine, Config, Incoming, ServerEngine};
use wsbind_proto::keys::SeededRng;
use wsbind_proto::{Description, Password, PasswordValidator, UsernameCredential};

// dhat's allocator counts the live heap bytes (the workspace forbids the unsafe code a
// counting allocator of our own would need).
#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

fn live() -> isize {
    dhat::HeapStats::get().curr_bytes as isize
}

const CONTEXTS: usize = 100_000;

/// alice's client engine, its randomness seeded by `seed`.
fn client(config: &Config, seed: u64) -> ClientEngine {
    ClientEngine::new(
        config.clone(),
        "https://orders.example/svc",
        Some(UsernameCredential::new("alice", "s3cret")),
        Box::new(SeededRng::new(seed)),
    )
    .expect("client")
}

/// Issues `CONTEXTS` contexts on `server` (RST → RSTR each) and returns the last
/// response.
fn issue_all(config: &Config, server: &ServerEngine, now: SystemTime) -> String {
    let mut last = String::new();
    for i in 0..CONTEXTS {
        let mut client = client(config, i as u64 + 10);
        let rst = client.poll(now).expect("poll").expect("an RST");
        match server.handle(rst.request.bytes.as_bytes(), None, now) {
            Incoming::Negotiated { bytes, .. } => last = bytes,
            other => panic!("context {i} refused: {other:?}"),
        }
    }
    last
}

fn main() {
    let description =
        Description::from_toml_str(include_str!("../tests/fixtures/combined-1.3.toml"))
            .expect("description");
    let config = Config::from_description(&description, None).expect("config");
    let mut server_config = config.clone();
    server_config.max_active_contexts = CONTEXTS as u32;
    server_config.max_pending_contexts = CONTEXTS as u32;
    let validator: Arc<dyn PasswordValidator> =
        Arc::new(|u: &str, p: &Password| u == "alice" && p.matches("s3cret"));
    let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_795_000_000);
    let server = ServerEngine::new(server_config, Some(validator), Box::new(SeededRng::new(1)))
        .expect("server")
        // One identity ("alice") holds every context here.
        .with_identity_share(1);
    let _profiler = dhat::Profiler::builder().testing().build();
    let before = live();
    issue_all(&config, &server, now);
    let after = live();
    assert_eq!(server.live_contexts(), CONTEXTS);
    let per = (after - before) as f64 / CONTEXTS as f64;
    println!(
        "{CONTEXTS} live contexts in the store: {:.1} MiB, {per:.0} bytes per context (goal: <= 512)",
        (after - before) as f64 / (1024.0 * 1024.0)
    );

    // Cookie contexts: the server issues them and keeps nothing per context.
    let keys = wsbind_proto::stores::CookieKeys::new(1, [9; 32]);
    let cookie_server = ServerEngine::with_cookies(
        config.clone(),
        Some(Arc::new(|u: &str, p: &Password| {
            u == "alice" && p.matches("s3cret")
        })),
        keys,
        Box::new(SeededRng::new(2)),
    )
    .expect("cookie server");
    let before = live();
    let sct_bytes = sct_size(&issue_all(&config, &cookie_server, now));
    let server_per = (live() - before) as f64 / CONTEXTS as f64;
    println!(
        "{CONTEXTS} cookie contexts issued: the server holds {server_per:.0} bytes per context (the SCT, {sct_bytes} bytes, carries it)"
    );

    // The client keeps its context, and the cookie SCT it sends back.
    const CLIENTS: usize = 1000;
    let mut clients: Vec<ClientEngine> = (0..CLIENTS)
        .map(|i| client(&config, i as u64 + 1_000_000))
        .collect();
    let before = live();
    for (i, client) in clients.iter_mut().enumerate() {
        let rst = client.poll(now).expect("poll").expect("an RST");
        let Incoming::Negotiated { bytes, .. } =
            cookie_server.handle(rst.request.bytes.as_bytes(), None, now)
        else {
            panic!("client {i} refused")
        };
        client
            .handle_response(&rst, bytes.as_bytes(), now)
            .expect("established");
    }
    let client_per = (live() - before) as f64 / CLIENTS as f64;
    println!(
        "a client's established cookie context: {client_per:.0} bytes (its {sct_bytes}-byte SCT kept to send back)"
    );
    if per > 512.0 || server_per > 512.0 {
        std::process::exit(1);
    }
}

/// The size of the `SecurityContextToken` element in an RSTR.
fn sct_size(rstr: &str) -> usize {
    let start = rstr
        .find("SecurityContextToken ")
        .and_then(|i| rstr[..i].rfind('<'));
    let end = rstr
        .rfind("SecurityContextToken>")
        .map(|i| i + "SecurityContextToken>".len());
    match (start, end) {
        (Some(a), Some(b)) if b > a => b - a,
        _ => 0,
    }
}
