//! A farm of cookie-context servers sharing their replay cache and their cancellations
//! in Redis (`farm::RedisFarm`), which the test starts on loopback with an ACL user and
//! the default user off (installing Debian's redis-server first when it is missing). A
//! request accepted by one node is a replay on the other; a Cancel sent to one node is
//! honoured by the other; with Redis gone, messages are refused (fail closed); wrong or
//! missing credentials are named; and questions from two threads are in flight
//! together, not one behind the other's round trip.

#[path = "../../proto/tests/common/mod.rs"]
mod common;

use common::combined_config as config;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};
use wsbind_http::farm::{FarmError, RedisFarm};
use wsbind_proto::engine::{ClientEngine, Incoming, ServerEngine};
use wsbind_proto::keys::SeededRng;
use wsbind_proto::stores::CookieKeys;
use wsbind_proto::stores::ReplayStore;
use wsbind_proto::{ClientTls, Password, PasswordValidator, UsernameCredential};

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

/// The Redis server's program, installed once for all the tests of this binary: they
/// run as threads of one process, and two `apt-get install`s at once fail on dpkg's lock.
fn redis_server_binary() -> String {
    static BINARY: std::sync::Mutex<Option<String>> = std::sync::Mutex::new(None);
    let mut binary = BINARY.lock().unwrap_or_else(|e| e.into_inner());
    binary.get_or_insert_with(find_or_install_redis).clone()
}

fn find_or_install_redis() -> String {
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

/// The ACL user the test's Redis knows (the default user is off).
const USER: &str = "wsbind";
const PASSWORD: &str = "farm-s3cret";

fn start_redis() -> Redis {
    start_redis_with(None)
}

/// A redis-server on a free loopback port; with `tls` (certificate and key files) it
/// speaks TLS only on that port.
fn start_redis_with(tls: Option<(&std::path::Path, &std::path::Path)>) -> Redis {
    let binary = redis_server_binary();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
        .to_string();
    let listen: Vec<String> = match tls {
        None => vec!["--port".into(), port.clone()],
        Some((cert, key)) => vec![
            "--port".into(),
            "0".into(),
            "--tls-port".into(),
            port.clone(),
            "--tls-cert-file".into(),
            cert.display().to_string(),
            "--tls-key-file".into(),
            key.display().to_string(),
            "--tls-auth-clients".into(),
            "no".into(),
        ],
    };
    let child = Command::new(binary)
        .args(listen)
        .args([
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--user",
            USER,
            "on",
            &format!(">{PASSWORD}"),
            "~*",
            "+@all",
            "--user",
            "default",
            "off",
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
    while std::net::TcpStream::connect(&redis.addr).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "redis-server did not answer"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    redis
}

/// A multi-threaded runtime for the farm's connection task: the engine asks from this
/// test's own (blocking) threads.
fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime")
}

fn farm(rt: &tokio::runtime::Runtime, addr: &str, prefix: &str) -> RedisFarm {
    rt.block_on(
        RedisFarm::builder(addr)
            .prefix(prefix)
            .user(USER, PASSWORD)
            .connect(),
    )
    .expect("redis")
}

fn node(farm: &RedisFarm, seed: u64) -> ServerEngine {
    let validator: Arc<dyn PasswordValidator> =
        Arc::new(|u: &str, p: &Password| u == "alice" && p.matches("s3cret"));
    ServerEngine::with_cookies(
        config("server"),
        Some(validator),
        CookieKeys::new(1, [42u8; 32]),
        Box::new(SeededRng::new(seed)),
    )
    .expect("node")
    .with_replay_store(Arc::new(farm.clone()))
    .with_cancel_store(Arc::new(farm.clone()))
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
    let rt = runtime();
    let farm = farm(&rt, &redis.addr, &prefix);
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

    // A renewal on A retires the old key (its cookie still a valid seal) on B too,
    // once the rollover ends.
    let server = config("server");
    let mut renewing = ClientEngine::new(
        config("client"),
        "https://orders.example/svc",
        Some(UsernameCredential::new("alice", "s3cret")),
        Box::new(SeededRng::new(5)),
    )
    .expect("client");
    let rst = renewing.poll(now).expect("poll").expect("rst");
    let Incoming::Negotiated { bytes, .. } = a.handle(rst.request.bytes.as_bytes(), None, now)
    else {
        panic!("not issued")
    };
    renewing
        .handle_response(&rst, bytes.as_bytes(), now)
        .expect("established");
    let t1 = now + server.renewal_interval * 9 / 10;
    let old_key = renewing
        .protect("urn:example:orders/Ping", "<m:Ping xmlns:m=\"urn:m\"/>", t1)
        .expect("protect");
    let renew = renewing.poll(t1).expect("poll").expect("a renewal is due");
    let Incoming::Negotiated { bytes, .. } = a.handle(renew.request.bytes.as_bytes(), None, t1)
    else {
        panic!("not renewed")
    };
    renewing
        .handle_response(&renew, bytes.as_bytes(), t1)
        .expect("renewed");
    let past_rollover = t1 + server.rollover_interval + Duration::from_secs(1);
    let e = refusal(b.handle(old_key.bytes.as_bytes(), None, past_rollover));
    assert!(e.contains("expired"), "{e}");

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
    // Refused as unreachable: by the connection Redis dropped, or by the next one it
    // no longer accepts.
    assert!(
        e.contains("the store of cancellations failed")
            && (e.contains("cannot reach Redis") || e.contains("connection to Redis was lost")),
        "{e}"
    );
}

/// Credentials Redis refuses, or none where it wants some, are named when the farm
/// connects; a Redis that is not there is named too.
#[test]
fn the_farm_names_what_redis_refused() {
    let redis = start_redis();
    let rt = runtime();
    let wrong = rt
        .block_on(
            RedisFarm::builder(&redis.addr)
                .user(USER, "guess")
                .connect(),
        )
        .expect_err("a wrong password");
    assert!(matches!(wrong, FarmError::Auth { .. }), "{wrong}");
    assert!(wrong.to_string().contains("WRONGPASS"), "{wrong}");
    let none = rt
        .block_on(RedisFarm::builder(&redis.addr).connect())
        .expect_err("no credentials");
    assert!(none.to_string().contains("NOAUTH"), "{none}");
    let addr = redis.addr.clone();
    drop(redis);
    let gone = rt
        .block_on(RedisFarm::builder(&addr).user(USER, PASSWORD).connect())
        .expect_err("no Redis");
    assert!(matches!(gone, FarmError::Connect { .. }), "{gone}");
}

/// A TCP proxy in front of `backend` that delivers what the backend sends `delay`
/// after it arrived (a delay line: answers sent together arrive together).
fn slow_proxy(backend: &str, delay: Duration) -> String {
    use std::io::{Read, Write};
    use std::net::{TcpListener, TcpStream};
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr").to_string();
    let backend = backend.to_owned();
    std::thread::spawn(move || {
        for front in listener.incoming() {
            let Ok(mut front) = front else { return };
            let Ok(mut back) = TcpStream::connect(&backend) else {
                return;
            };
            let (mut front_w, mut back_r) = (
                front.try_clone().expect("clone"),
                back.try_clone().expect("clone"),
            );
            std::thread::spawn(move || {
                let _ = std::io::copy(&mut front, &mut back);
            });
            let (line, out) = std::sync::mpsc::channel::<(Instant, Vec<u8>)>();
            std::thread::spawn(move || {
                for (due, chunk) in out {
                    std::thread::sleep(due.saturating_duration_since(Instant::now()));
                    if front_w.write_all(&chunk).is_err() {
                        return;
                    }
                }
            });
            std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                while let Ok(n @ 1..) = back_r.read(&mut buf) {
                    if line
                        .send((Instant::now() + delay, buf[..n].to_vec()))
                        .is_err()
                    {
                        return;
                    }
                }
            });
        }
    });
    addr
}

/// Two verifications on two blocking threads ask Redis at once: their questions are in
/// flight together on the farm's one connection (pipelined), so neither waits for the
/// other's round trip. Behind a proxy that delays every answer by 400 ms, one question
/// takes 400 ms and two together take about as long, not 800.
#[test]
fn questions_from_two_threads_do_not_wait_on_each_other() {
    let redis = start_redis();
    let delay = Duration::from_millis(400);
    let proxy = slow_proxy(&redis.addr, delay);
    let rt = runtime();
    let farm = farm(&rt, &proxy, "pipelined:");
    let until = SystemTime::now() + Duration::from_secs(60);
    let ask = |farm: &RedisFarm, n: u8| {
        let started = Instant::now();
        ReplayStore::check_and_insert(farm, &[n; 32], "ctx", until, SystemTime::now())
            .expect("a first-time signature");
        started.elapsed()
    };
    let alone = ask(&farm, 1);
    assert!(alone >= delay, "the proxy did not delay: {alone:?}");
    let started = Instant::now();
    std::thread::scope(|s| {
        let one = s.spawn(|| ask(&farm, 2));
        let two = s.spawn(|| ask(&farm, 3));
        one.join().expect("one");
        two.join().expect("two");
    });
    let together = started.elapsed();
    assert!(
        together < delay * 2 - Duration::from_millis(150),
        "two questions took {together:?}: one waited for the other ({alone:?} alone)"
    );
    // And a replay is still one.
    let err = ReplayStore::check_and_insert(&farm, &[2; 32], "ctx", until, SystemTime::now())
        .expect_err("seen before");
    assert_eq!(err, wsbind_proto::stores::ReplayError::Replayed);
}

/// TLS to Redis (its `tls-port`), trusting the roots given: a round trip works, and a
/// client that does not trust the certificate is refused with a TLS error.
#[test]
fn the_farm_speaks_tls_to_redis() {
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("farm-tls-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("tmp dir");
    let c = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).expect("cert");
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    std::fs::write(&cert, c.cert.pem()).expect("cert file");
    std::fs::write(&key, c.key_pair.serialize_pem()).expect("key file");
    let redis = start_redis_with(Some((&cert, &key)));
    let rt = runtime();
    let farm = rt
        .block_on(
            RedisFarm::builder(&redis.addr)
                .prefix("tls:")
                .user(USER, PASSWORD)
                .tls(ClientTls::trust_pem(c.cert.pem()), "localhost")
                .connect(),
        )
        .expect("TLS to redis");
    let until = SystemTime::now() + Duration::from_secs(60);
    ReplayStore::check_and_insert(&farm, &[7; 32], "ctx", until, SystemTime::now())
        .expect("a first-time signature");
    assert!(
        ReplayStore::check_and_insert(&farm, &[7; 32], "ctx", until, SystemTime::now()).is_err()
    );
    let other = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).expect("cert");
    let untrusted = rt
        .block_on(
            RedisFarm::builder(&redis.addr)
                .user(USER, PASSWORD)
                .tls(ClientTls::trust_pem(other.cert.pem()), "localhost")
                .connect(),
        )
        .expect_err("an untrusted certificate");
    assert!(matches!(untrusted, FarmError::Tls { .. }), "{untrusted}");
    let _ = std::fs::remove_dir_all(&dir);
}
