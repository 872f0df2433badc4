//! Memory per live context in the server's store (issue 3's goal: ≤ 1 KiB), measured
//! by counting the live heap bytes (dhat) while 100,000 contexts are issued
//! through the real engine (RST → RSTR for each), divided by their number.
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
    for i in 0..CONTEXTS {
        let mut client = ClientEngine::new(
            config.clone(),
            "https://orders.example/svc",
            Some(UsernameCredential::new("alice", "s3cret")),
            Box::new(SeededRng::new(i as u64 + 10)),
        )
        .expect("client");
        let rst = client.poll(now).expect("poll").expect("an RST");
        match server.handle(rst.request.bytes.as_bytes(), None, now) {
            Incoming::Negotiated { .. } => {}
            other => panic!("context {i} refused: {other:?}"),
        }
    }
    let after = live();
    assert_eq!(server.live_contexts(), CONTEXTS);
    let per = (after - before) as f64 / CONTEXTS as f64;
    println!(
        "{CONTEXTS} live contexts in the store: {:.1} MiB, {per:.0} bytes per context (goal: <= 1024)",
        (after - before) as f64 / (1024.0 * 1024.0)
    );
    if per > 1024.0 {
        std::process::exit(1);
    }
}
