//! Load benchmark (issues 4 and 21): N concurrent clients, each negotiating a context
//! and sending M protected requests over HTTPS on loopback to one server, which runs in
//! a child process so its memory is its own. Reports requests per second, p50/p99
//! latency, the server's memory and every failure with its reason.
//!
//! With `--mode both` (the default) the same run first measures a baseline: the same
//! clients (each with its own connection pool: hyper-util's client over hyper-rustls,
//! the stack wsbind's client runs on), the same request and reply sizes and the same
//! process layout, against a bare hyper + rustls echo server that does no SOAP at all;
//! then wsbind; and prints wsbind's requests/s and p99 as fractions of the baseline's.
//! `--mode bare` and `--mode wsbind` run one side only.
//!
//! `cargo bench --bench load -- --clients 1000 --requests 20`
//! (under `cargo test` it runs a small smoke load). 1,000 clients need about 2,100 file
//! descriptors across the two processes: `ulimit -n 4096` if yours is lower.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};
use wsbind::transport::{Answer, Call};
use wsbind::{ClientTls, Password, ServerTls, UsernameCredential};

/// The clients' side of the order service.
#[wsbind::binding(file = "examples/bindings/order-service.toml")]
struct OrderService;

/// The server's side, sized for the load: up to 1,000 clients negotiating at once
/// (WWSAPI's default of 100 pending contexts would refuse most of them, correctly).
#[wsbind::binding(
    channel(binding = "http", role = "server"),
    security(
        algorithm_suite_name = "basic256",
        binding(kind = "ssl-transport"),
        binding(
            kind = "security-context",
            usage = "supporting",
            key_size = 256,
            key_entropy_mode = "combined",
            secure_conversation_version = "feb-2005",
            support_renew = true,
            max_pending_contexts = 2000,
            max_active_contexts = 10000,
            bootstrap(
                transport_protection_level = "sign-and-encrypt",
                binding(kind = "ssl-transport"),
                binding(kind = "username", usage = "supporting")
            ),
        ),
    )
)]
struct OrderServer;

const MAX_CLIENTS: usize = 1000;

struct Args {
    clients: usize,
    requests: usize,
    serve: Option<(String, String)>,
    /// Serve the bare echo (with the reply size given) instead of wsbind.
    serve_bare: Option<usize>,
    mode: Mode,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Both,
    Bare,
    Wsbind,
}

fn args() -> Result<Args, String> {
    let raw: Vec<String> = std::env::args().skip(1).collect();
    let bench = raw.iter().any(|a| a == "--bench");
    let mut a = Args {
        clients: if bench { 100 } else { 8 },
        requests: if bench { 20 } else { 3 },
        serve: None,
        serve_bare: None,
        mode: Mode::Both,
    };
    let mut it = raw.iter();
    while let Some(arg) = it.next() {
        let mut value = |name: &str| {
            it.next()
                .cloned()
                .ok_or_else(|| format!("{name} needs a value"))
        };
        match arg.as_str() {
            "--clients" => {
                a.clients = value("--clients")?
                    .parse()
                    .map_err(|_| "--clients takes a number")?
            }
            "--requests" => {
                a.requests = value("--requests")?
                    .parse()
                    .map_err(|_| "--requests takes a number")?
            }
            "--mode" => {
                a.mode = match value("--mode")?.as_str() {
                    "both" => Mode::Both,
                    "bare" => Mode::Bare,
                    "wsbind" => Mode::Wsbind,
                    _ => return Err("--mode is both, bare or wsbind".into()),
                }
            }
            "--bare-reply" => {
                a.serve_bare = Some(
                    value("--bare-reply")?
                        .parse()
                        .map_err(|_| "--bare-reply takes a number")?,
                )
            }
            "--serve" => {
                let cert = value("--serve")?;
                let key = value("--serve")?;
                a.serve = Some((cert, key));
            }
            _ => {} // cargo's own flags (--bench, filters)
        }
    }
    if a.clients == 0 || a.clients > MAX_CLIENTS {
        return Err(format!("--clients must be 1 to {MAX_CLIENTS}"));
    }
    if a.requests == 0 || a.requests > 10_000 {
        return Err("--requests must be 1 to 10000".into());
    }
    Ok(a)
}

fn main() {
    let a = match args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(2);
        }
    };
    let rt = tokio::runtime::Runtime::new().expect("a tokio runtime");
    let code = match (a.serve, a.serve_bare) {
        (Some((cert, key)), Some(reply)) => rt.block_on(serve_bare(&cert, &key, reply)),
        (Some((cert, key)), None) => rt.block_on(serve(&cert, &key)),
        (None, _) => rt.block_on(compare(a.clients, a.requests, a.mode)),
    };
    std::process::exit(code);
}

/// The server process: prints its port, serves until stdin closes.
async fn serve(cert: &str, key: &str) -> i32 {
    let (Ok(cert), Ok(key)) = (std::fs::read(cert), std::fs::read(key)) else {
        eprintln!("server: cannot read the certificate or key");
        return 2;
    };
    let validator = |u: &str, p: &Password| u.starts_with("user") && p.matches("load-test");
    let running = match OrderServer::server(validator, ServerTls::from_pem(cert, key))
        .serve("127.0.0.1:0", |call: Call| async move {
            Answer::new(
                "urn:example:orders/SubmitResponse",
                format!(
                    r#"<o:Accepted xmlns:o="urn:example:orders" for="{}" bytes="{}"/>"#,
                    call.identity.name,
                    call.body.len()
                ),
            )
        })
        .await
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("server: {e}");
            return 1;
        }
    };
    println!("port {}", running.local_addr().port());
    // Serve until the parent closes our stdin.
    let _ = tokio::task::spawn_blocking(|| {
        let mut line = String::new();
        while std::io::stdin()
            .read_line(&mut line)
            .map(|n| n > 0)
            .unwrap_or(false)
        {}
    })
    .await;
    running.shutdown().await;
    0
}

/// Peak and current resident memory of a process, KiB (Linux).
fn memory_kib(pid: u32) -> Option<(u64, u64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))?
            .split_whitespace()
            .nth(1)?
            .parse()
            .ok()
    };
    Some((field("VmHWM:")?, field("VmRSS:")?))
}

/// What one side's run measured.
struct Measured {
    requests_per_s: f64,
    p99: Duration,
    peak_kib: Option<u64>,
    ok: bool,
}

/// The request body every client sends.
fn request_body() -> String {
    format!(
        r#"<o:Submit xmlns:o="urn:example:orders">{}</o:Submit>"#,
        r#"<o:Item qty="1">tea</o:Item>"#.repeat(20)
    )
}

/// The size of the envelopes wsbind puts on the wire for `body` (an MS-LWSSP request
/// with its SCT and signature) and for the server's answer (a Timestamp, unsigned), so
/// that the baseline moves as many bytes.
fn wire_sizes(body: &str) -> (usize, usize) {
    use wsbind::keys::{SecretKey, SeededRng};
    use wsbind::security::{protect, Outgoing, SigningKey, Suite, MS_LWSSP};
    use wsbind::wire::{self, Addressing, ScVersion, Soap};
    let key = SecretKey::new(vec![7; 32]);
    let framing = wsbind::Framing {
        soap: Soap::V12,
        addressing: Addressing::V10,
    };
    let signing = SigningKey {
        sc: wire::sc(ScVersion::Feb2005),
        identifier: "urn:uuid:0b7e8d2a-6c57-4d4e-9f4a-1a2b3c4d5e6f",
        instance: None,
        cookie: None,
        key: &key,
        include_token: true,
        received: None,
    };
    let now = std::time::SystemTime::now();
    let validity = Duration::from_secs(300);
    let mut rng = SeededRng::new(1);
    let request = Outgoing {
        framing,
        headers: wsbind::Headers {
            action: "urn:example:orders/Submit",
            to: Some("https://localhost:1/orders"),
            message_id: Some("urn:uuid:11111111-2222-3333-4444-555555555555"),
            reply_to_anonymous: true,
            ..wsbind::Headers::default()
        },
        body,
    };
    let reply_body = r#"<o:Accepted xmlns:o="urn:example:orders" for="user0" bytes="560"/>"#;
    let reply = Outgoing {
        framing,
        headers: wsbind::Headers {
            action: "urn:example:orders/SubmitResponse",
            relates_to: Some("urn:uuid:11111111-2222-3333-4444-555555555555"),
            ..wsbind::Headers::default()
        },
        body: reply_body,
    };
    let suite = Suite::BASIC256;
    let sizes =
        [(&request, &MS_LWSSP.request), (&reply, &MS_LWSSP.reply)].map(|(m, signing_of)| {
            protect(m, &signing, &suite, signing_of, now, validity, &mut rng)
                .map(|t| t.len())
                .unwrap_or(2048)
        });
    (sizes[0], sizes[1])
}

/// Runs the baseline and wsbind (or one of them) and compares them.
async fn compare(clients: usize, requests: usize, mode: Mode) -> i32 {
    let bare = if mode != Mode::Wsbind {
        match load(clients, requests, true).await {
            Some(m) => Some(m),
            None => return 1,
        }
    } else {
        None
    };
    let wsbind = if mode != Mode::Bare {
        match load(clients, requests, false).await {
            Some(m) => Some(m),
            None => return 1,
        }
    } else {
        None
    };
    if let (Some(b), Some(w)) = (&bare, &wsbind) {
        println!(
            "wsbind / baseline: {:.2} of the requests/s ({:.0} / {:.0}), p99 {:.2}x ({:.2} / {:.2} ms), peak memory {}",
            w.requests_per_s / b.requests_per_s,
            w.requests_per_s,
            b.requests_per_s,
            w.p99.as_secs_f64() / b.p99.as_secs_f64().max(1e-9),
            w.p99.as_secs_f64() * 1e3,
            b.p99.as_secs_f64() * 1e3,
            match (w.peak_kib, b.peak_kib) {
                (Some(w), Some(b)) => format!("{:.1} / {:.1} MiB", w as f64 / 1024.0, b as f64 / 1024.0),
                _ => "unknown".into(),
            }
        );
    }
    let ok = bare.iter().chain(wsbind.iter()).all(|m| m.ok);
    i32::from(!ok)
}

/// The baseline's server: a bare hyper + rustls echo. It reads each request's body
/// whole and answers with `reply` bytes of XML; no SOAP, no security.
async fn serve_bare(cert: &str, key: &str, reply: usize) -> i32 {
    use http_body_util::{BodyExt, Full};
    use hyper::service::service_fn;
    use hyper_util::rt::TokioIo;
    let (Ok(cert), Ok(key)) = (std::fs::read(cert), std::fs::read(key)) else {
        eprintln!("server: cannot read the certificate or key");
        return 2;
    };
    let chain: Vec<rustls_pki_types::CertificateDer<'static>> =
        rustls_pki_types::pem::PemObject::pem_slice_iter(&cert)
            .filter_map(Result::ok)
            .collect();
    let Ok(key) = <rustls_pki_types::PrivateKeyDer<'static> as rustls_pki_types::pem::PemObject>::from_pem_slice(&key) else {
        eprintln!("server: the key is not PEM");
        return 2;
    };
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .and_then(|b| b.with_no_client_auth().with_single_cert(chain, key));
    let Ok(config) = config else {
        eprintln!("server: no TLS configuration");
        return 2;
    };
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    // The same listener as wsbind's server (its backlog included).
    let Ok(listener) = wsbind::transport::server::bind("127.0.0.1:0").await else {
        eprintln!("server: cannot listen");
        return 1;
    };
    let Ok(addr) = listener.local_addr() else {
        return 1;
    };
    let answer = bytes::Bytes::from(format!(
        r#"<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body>{}</s:Body></s:Envelope>"#,
        "x".repeat(reply.saturating_sub(95))
    ));
    println!("port {}", addr.port());
    let stop = tokio::task::spawn_blocking(|| {
        let mut line = String::new();
        while std::io::stdin()
            .read_line(&mut line)
            .map(|n| n > 0)
            .unwrap_or(false)
        {}
    });
    let accept = async move {
        loop {
            let Ok((tcp, _)) = listener.accept().await else {
                continue;
            };
            // As wsbind's server does.
            let _ = tcp.set_nodelay(true);
            let (acceptor, answer) = (acceptor.clone(), answer.clone());
            tokio::spawn(async move {
                let Ok(tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let service = service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
                    let answer = answer.clone();
                    async move {
                        let _ = req.into_body().collect().await;
                        Ok::<_, std::convert::Infallible>(
                            hyper::Response::builder()
                                .header("content-type", "application/soap+xml; charset=utf-8")
                                .body(Full::new(answer))
                                .unwrap_or_default(),
                        )
                    }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(tls), service)
                    .await;
            });
        }
    };
    tokio::select! {
        _ = stop => {}
        _ = accept => {}
    }
    0
}

/// One baseline client: its own pool (hyper-util over hyper-rustls, trusting `cert`).
fn bare_client(
    cert_pem: &str,
) -> Option<
    hyper_util::client::legacy::Client<
        hyper_rustls::HttpsConnector<hyper_util::client::legacy::connect::HttpConnector>,
        http_body_util::Full<bytes::Bytes>,
    >,
> {
    let mut roots = rustls::RootCertStore::empty();
    for c in rustls_pki_types::pem::PemObject::pem_slice_iter(cert_pem.as_bytes()) {
        roots.add(c.ok()?).ok()?;
    }
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .ok()?
    .with_root_certificates(roots)
    .with_no_client_auth();
    // Without Nagle's delay, as wsbind's client connects.
    let mut tcp = hyper_util::client::legacy::connect::HttpConnector::new();
    tcp.set_nodelay(true);
    tcp.enforce_http(false);
    let connector = hyper_rustls::HttpsConnectorBuilder::new()
        .with_tls_config(config)
        .https_only()
        .enable_http1()
        .wrap_connector(tcp);
    Some(
        hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
            .build(connector),
    )
}

/// One side's run: `bare` against the echo, else wsbind. `None` when it could not run.
async fn load(clients: usize, requests: usize, bare: bool) -> Option<Measured> {
    let dir = std::env::temp_dir().join(format!("wsbind-load-{}", std::process::id()));
    if let Err(e) = std::fs::create_dir_all(&dir) {
        eprintln!("error: {}: {e}", dir.display());
        return None;
    }
    let cert = match rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: certificate: {e}");
            return None;
        }
    };
    let (cert_pem, key_pem) = (cert.cert.pem(), cert.key_pair.serialize_pem());
    let (cert_path, key_path) = (dir.join("cert.pem"), dir.join("key.pem"));
    if std::fs::write(&cert_path, &cert_pem)
        .and_then(|_| std::fs::write(&key_path, &key_pem))
        .is_err()
    {
        eprintln!("error: cannot write the certificate");
        return None;
    }
    let Ok(exe) = std::env::current_exe() else {
        eprintln!("error: cannot find this program to start the server");
        return None;
    };
    let body = Arc::new(request_body());
    let (request_size, reply_size) = wire_sizes(&body);
    let mut server = Command::new(exe);
    server.arg("--serve").arg(&cert_path).arg(&key_path);
    if bare {
        server.args(["--bare-reply", &reply_size.to_string()]);
    }
    let mut child = match server.stdin(Stdio::piped()).stdout(Stdio::piped()).spawn() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: cannot start the server: {e}");
            return None;
        }
    };
    let port = child.stdout.take().and_then(|out| {
        let mut line = String::new();
        BufReader::new(out).read_line(&mut line).ok()?;
        line.trim().strip_prefix("port ")?.parse::<u16>().ok()
    });
    let Some(port) = port else {
        eprintln!("error: the server did not start");
        let _ = child.kill();
        return None;
    };
    let before = memory_kib(child.id());
    let endpoint = format!("https://localhost:{port}/orders");
    // The baseline posts a body as large as wsbind's protected request.
    let bare_request = bytes::Bytes::from("x".repeat(request_size));

    let started = Instant::now();
    let mut tasks = Vec::with_capacity(clients);
    for i in 0..clients {
        let (endpoint, cert_pem, body) = (endpoint.clone(), cert_pem.clone(), body.clone());
        let bare_request = bare_request.clone();
        tasks.push(tokio::spawn(async move {
            if bare {
                return bare_calls(&endpoint, &cert_pem, bare_request, requests).await;
            }
            let client = OrderService::client(
                endpoint,
                UsernameCredential::new(format!("user{i}"), "load-test"),
                ClientTls::trust_pem(cert_pem),
            );
            let mut latencies = Vec::with_capacity(requests + 1);
            let mut failures = Vec::new();
            let t = Instant::now();
            match client.connect().await {
                Ok(()) => latencies.push(("negotiate", t.elapsed())),
                Err(e) => {
                    failures.push(format!("negotiate: {e}"));
                    return (latencies, failures);
                }
            }
            for _ in 0..requests {
                let t = Instant::now();
                match client.call("urn:example:orders/Submit", &body).await {
                    Ok(_) => latencies.push(("call", t.elapsed())),
                    Err(e) => failures.push(format!("call: {e}")),
                }
            }
            if let Err(e) = client.close().await {
                failures.push(format!("close: {e}"));
            }
            (latencies, failures)
        }));
    }
    let mut calls = Vec::new();
    let mut negotiations = Vec::new();
    let mut failures: BTreeMap<String, usize> = BTreeMap::new();
    for t in tasks {
        match t.await {
            Ok((lat, fail)) => {
                for (kind, d) in lat {
                    if kind == "call" {
                        calls.push(d)
                    } else {
                        negotiations.push(d)
                    }
                }
                for f in fail {
                    *failures.entry(f).or_default() += 1;
                }
            }
            Err(e) => *failures.entry(format!("client task: {e}")).or_default() += 1,
        }
    }
    let elapsed = started.elapsed();
    let after = memory_kib(child.id());
    drop(child.stdin.take());
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(&dir);

    let pct = |v: &mut Vec<Duration>, p: f64| -> Duration {
        if v.is_empty() {
            return Duration::ZERO;
        }
        v.sort();
        v[((v.len() - 1) as f64 * p).round() as usize]
    };
    let expected = clients * requests;
    let requests_per_s = calls.len() as f64 / elapsed.as_secs_f64();
    let p99 = pct(&mut calls, 0.99);
    println!(
        "{}: {clients} clients x {requests} requests over HTTPS on loopback, {:.2} s",
        if bare {
            "baseline (bare hyper + rustls echo)"
        } else {
            "wsbind"
        },
        elapsed.as_secs_f64()
    );
    println!(
        "requests: {} answered of {expected}; {:.0} requests/s (negotiations included in the time)",
        calls.len(),
        calls.len() as f64 / elapsed.as_secs_f64()
    );
    println!(
        "latency: call p50 {:.2} ms, p99 {:.2} ms; negotiation p50 {:.2} ms, p99 {:.2} ms",
        pct(&mut calls, 0.5).as_secs_f64() * 1e3,
        pct(&mut calls, 0.99).as_secs_f64() * 1e3,
        pct(&mut negotiations, 0.5).as_secs_f64() * 1e3,
        pct(&mut negotiations, 0.99).as_secs_f64() * 1e3,
    );
    let peak_kib = after.map(|(peak, _)| peak);
    if let (Some((_, rss0)), Some((peak, rss1))) = (before, after) {
        println!(
            "server memory: {:.1} MiB resident at start, {:.1} MiB after, peak {:.1} MiB",
            rss0 as f64 / 1024.0,
            rss1 as f64 / 1024.0,
            peak as f64 / 1024.0
        );
    }
    if failures.is_empty() {
        println!("failures: none");
    } else {
        for (reason, n) in &failures {
            println!("failure x{n}: {reason}");
        }
    }
    Some(Measured {
        requests_per_s,
        p99,
        peak_kib,
        ok: failures.is_empty(),
    })
}

type Latencies = (Vec<(&'static str, Duration)>, Vec<String>);

/// One baseline client: one POST that connects (TLS), timed as a wsbind client's
/// negotiation is (which connects too), then `requests` POSTs of `request` through its
/// own pool.
async fn bare_calls(
    endpoint: &str,
    cert_pem: &str,
    request: bytes::Bytes,
    requests: usize,
) -> Latencies {
    use http_body_util::BodyExt;
    let mut latencies = Vec::with_capacity(requests);
    let mut failures = Vec::new();
    let Some(client) = bare_client(cert_pem) else {
        failures.push("no TLS configuration".to_owned());
        return (latencies, failures);
    };
    for i in 0..=requests {
        let t = Instant::now();
        let req = hyper::Request::post(endpoint)
            .header("content-type", "application/soap+xml; charset=utf-8")
            .body(http_body_util::Full::new(request.clone()));
        let Ok(req) = req else {
            failures.push("call: request".to_owned());
            continue;
        };
        match client.request(req).await {
            Ok(resp) => match resp.into_body().collect().await {
                Ok(_) => latencies.push((if i == 0 { "negotiate" } else { "call" }, t.elapsed())),
                Err(e) => failures.push(format!("call: {e}")),
            },
            Err(e) => failures.push(format!("call: {e}")),
        }
    }
    (latencies, failures)
}
