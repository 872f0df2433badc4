//! Load benchmark (issue 4): N concurrent clients, each negotiating a context and
//! sending M protected requests over HTTPS on loopback to one server, which runs in a
//! child process so its memory is its own. Reports requests per second, p50/p99
//! latency, the server's memory and every failure with its reason.
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
}

fn args() -> Result<Args, String> {
    let raw: Vec<String> = std::env::args().skip(1).collect();
    let bench = raw.iter().any(|a| a == "--bench");
    let mut a = Args {
        clients: if bench { 100 } else { 8 },
        requests: if bench { 20 } else { 3 },
        serve: None,
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
    let code = match a.serve {
        Some((cert, key)) => rt.block_on(serve(&cert, &key)),
        None => rt.block_on(load(a.clients, a.requests)),
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

async fn load(clients: usize, requests: usize) -> i32 {
    let dir = std::env::temp_dir().join(format!("wsbind-load-{}", std::process::id()));
    if let Err(e) = std::fs::create_dir_all(&dir) {
        eprintln!("error: {}: {e}", dir.display());
        return 2;
    }
    let cert = match rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: certificate: {e}");
            return 2;
        }
    };
    let (cert_pem, key_pem) = (cert.cert.pem(), cert.key_pair.serialize_pem());
    let (cert_path, key_path) = (dir.join("cert.pem"), dir.join("key.pem"));
    if std::fs::write(&cert_path, &cert_pem)
        .and_then(|_| std::fs::write(&key_path, &key_pem))
        .is_err()
    {
        eprintln!("error: cannot write the certificate");
        return 2;
    }
    let Ok(exe) = std::env::current_exe() else {
        eprintln!("error: cannot find this program to start the server");
        return 2;
    };
    let mut child = match Command::new(exe)
        .arg("--serve")
        .arg(&cert_path)
        .arg(&key_path)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
    {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: cannot start the server: {e}");
            return 2;
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
        return 1;
    };
    let before = memory_kib(child.id());
    let endpoint = format!("https://localhost:{port}/orders");
    let body = Arc::new(format!(
        r#"<o:Submit xmlns:o="urn:example:orders">{}</o:Submit>"#,
        r#"<o:Item qty="1">tea</o:Item>"#.repeat(20)
    ));

    let started = Instant::now();
    let mut tasks = Vec::with_capacity(clients);
    for i in 0..clients {
        let (endpoint, cert_pem, body) = (endpoint.clone(), cert_pem.clone(), body.clone());
        tasks.push(tokio::spawn(async move {
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
    println!(
        "{clients} clients x {requests} requests over HTTPS on loopback, {:.2} s",
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
        0
    } else {
        for (reason, n) in &failures {
            println!("failure x{n}: {reason}");
        }
        1
    }
}
