//! Issue 12 item 11: a farm of cookie-context servers sharing their replay cache and
//! their cancellations in Redis (`farm::RedisFarm`), which the test starts on loopback
//! (installing Debian's redis-server first when it is missing). A request accepted by
//! one node is a replay on the other; a Cancel sent to one node is honoured by the
//! other; with Redis gone, messages are refused (fail closed).

#[path = "../../proto/tests/common/mod.rs"]
mod common;

use common::combined_config as config;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};
use wsbind_http::farm::RedisFarm;
use wsbind_proto::cookie::CookieKeys;
use wsbind_proto::engine::{ClientEngine, Incoming, ServerEngine};
use wsbind_proto::keys::SeededRng;
use wsbind_proto::{Password, PasswordValidator, UsernameCredential};

/// A redis-server of the test's own, stopped when dropped.
struct Redis {
    child: Child,
    addr: String,
}

impl Drop for Redis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn redis_server_binary() -> String {
    let found = |name: &str| {
        Command::new(name)
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    for candidate in ["redis-server", "/usr/bin/redis-server"] {
        if found(candidate) {
            return candidate.to_owned();
        }
    }
    // Debian's package, installed the way the machine installs packages (with fresh
    // package lists when the first try fails).
    let apt = |args: &[&str]| {
        Command::new("apt-get")
            .args(args)
            .env("DEBIAN_FRONTEND", "noninteractive")
            .stdout(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    let install = [
        "install",
        "-y",
        "-q",
        "--no-install-recommends",
        "redis-server",
    ];
    let installed = apt(&install) || (apt(&["update", "-q"]) && apt(&install));
    assert!(
        installed && found("/usr/bin/redis-server"),
        "redis-server is missing and `apt-get install redis-server` failed (this test needs it)"
    );
    "/usr/bin/redis-server".to_owned()
}

fn start_redis() -> Redis {
    let binary = redis_server_binary();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let child = Command::new(binary)
        .args([
            "--port",
            &port.to_string(),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("redis-server starts");
    let redis = Redis {
        child,
        addr: format!("127.0.0.1:{port}"),
    };
    let started = Instant::now();
    while RedisFarm::connect(&redis.addr, "probe:").is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "redis-server did not answer"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    redis
}

fn node(farm: &Arc<RedisFarm>, seed: u64) -> ServerEngine {
    let validator: Arc<dyn PasswordValidator> =
        Arc::new(|u: &str, p: &Password| u == "alice" && p.matches("s3cret"));
    ServerEngine::with_cookies(
        config("server"),
        Some(validator),
        CookieKeys::new(1, [42u8; 32]),
        Box::new(SeededRng::new(seed)),
    )
    .expect("node")
    .with_replay_store(farm.clone())
    .with_cancel_store(farm.clone())
}

fn refusal(incoming: Incoming) -> String {
    match incoming {
        Incoming::Rejected { error, .. } => error.to_string(),
        other => panic!("accepted: {other:?}"),
    }
}

#[test]
fn a_farm_shares_its_replay_cache_and_cancellations_in_redis() {
    let redis = start_redis();
    // Each run its own keys: SystemTime-based prefix.
    let prefix = format!(
        "wsbind-test-{}:",
        SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos())
    );
    let farm = Arc::new(RedisFarm::connect(&redis.addr, &prefix).expect("redis"));
    let (a, b) = (node(&farm, 1), node(&farm, 2));
    let now = SystemTime::now();
    let mut client = ClientEngine::new(
        config("client"),
        "https://orders.example/svc",
        Some(UsernameCredential::new("alice", "s3cret")),
        Box::new(SeededRng::new(3)),
    )
    .expect("client");
    let rst = client.poll(now).expect("poll").expect("rst");
    let Incoming::Negotiated { bytes, .. } = a.handle(rst.request.bytes.as_bytes(), None, now)
    else {
        panic!("not issued")
    };
    client
        .handle_response(&rst, bytes.as_bytes(), now)
        .expect("established");

    // Accepted by node A once, then a replay on node B (its own cache would take it).
    let req = client
        .protect(
            "urn:example:orders/Ping",
            "<m:Ping xmlns:m=\"urn:m\"/>",
            now,
        )
        .expect("protect");
    assert!(matches!(
        a.handle(req.bytes.as_bytes(), None, now),
        Incoming::Request(_)
    ));
    let e = refusal(b.handle(req.bytes.as_bytes(), None, now));
    assert!(e.contains("replay"), "{e}");

    // A fresh request goes to B; then the client cancels on A, and B refuses the next.
    let later = now + Duration::from_millis(10);
    let fresh = client
        .protect(
            "urn:example:orders/Ping",
            "<m:Ping xmlns:m=\"urn:m\"/>",
            later,
        )
        .expect("protect");
    assert!(matches!(
        b.handle(fresh.bytes.as_bytes(), None, later),
        Incoming::Request(_)
    ));
    let after_cancel = client
        .protect(
            "urn:example:orders/Ping",
            "<m:Ping xmlns:m=\"urn:m\"/>",
            later + Duration::from_millis(10),
        )
        .expect("protect");
    let cancel = client
        .close(later + Duration::from_millis(5))
        .expect("close")
        .expect("a cancel request");
    assert!(matches!(
        a.handle(
            cancel.request.bytes.as_bytes(),
            None,
            later + Duration::from_millis(5)
        ),
        Incoming::Negotiated { .. }
    ));
    let e = refusal(b.handle(
        after_cancel.bytes.as_bytes(),
        None,
        later + Duration::from_millis(20),
    ));
    assert!(e.contains("cancelled"), "{e}");

    // Redis gone: refused, not waved through.
    drop(redis);
    let mut other = ClientEngine::new(
        config("client"),
        "https://orders.example/svc",
        Some(UsernameCredential::new("alice", "s3cret")),
        Box::new(SeededRng::new(4)),
    )
    .expect("client");
    let t = later + Duration::from_secs(1);
    let rst = other.poll(t).expect("poll").expect("rst");
    let Incoming::Negotiated { bytes, .. } = a.handle(rst.request.bytes.as_bytes(), None, t) else {
        panic!("not issued (issuing needs no shared state)")
    };
    other
        .handle_response(&rst, bytes.as_bytes(), t)
        .expect("established");
    let req = other
        .protect("urn:example:orders/Ping", "<m:Ping xmlns:m=\"urn:m\"/>", t)
        .expect("protect");
    let e = refusal(b.handle(req.bytes.as_bytes(), None, t));
    assert!(
        e.contains("cannot be reached") || e.contains("Redis"),
        "{e}"
    );
}
