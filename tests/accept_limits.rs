//! Issue 12 item 4: a server out of file descriptors does not spin. `accept` failing
//! with EMFILE used to be retried at once, forever, logging each failure (one core
//! busy, hundreds of MB of log). Now the connection cap is sized from the open-file
//! limit, and a failing `accept` backs off and logs once per period.
//!
//! This binary holds one test: it changes its own process's open-file limit.
#![cfg(target_os = "linux")]

use rustix::process::{getrlimit, setrlimit, Resource, Rlimit};
use std::time::Duration;
use wsbind::transport::{Answer, Call};
use wsbind::Password;

mod common;
use common::Log;

#[wsbind::binding(file = "examples/bindings/server-behind-tls-proxy.toml")]
struct BehindProxy;

/// CPU seconds this process used (user + system), from /proc/self/stat, opened once
/// (while the test is out of file descriptors it cannot open it).
fn cpu_seconds(stat: &std::fs::File) -> f64 {
    use std::os::unix::fs::FileExt;
    let mut buf = vec![0u8; 4096];
    let n = stat.read_at(&mut buf, 0).expect("stat");
    let stat = String::from_utf8_lossy(&buf[..n]);
    // The fields after the command name, which is in parentheses.
    let rest = &stat[stat.rfind(')').expect("comm") + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = f[11].parse::<f64>().expect("utime") + f[12].parse::<f64>().expect("stime");
    ticks / 100.0
}

fn files(n: u64) {
    let hard = getrlimit(Resource::Nofile).maximum;
    setrlimit(
        Resource::Nofile,
        Rlimit {
            current: Some(n),
            maximum: hard,
        },
    )
    .expect("setrlimit");
}

fn check(_: &str, _: &Password) -> bool {
    true
}

async fn echo(_: Call) -> Answer {
    Answer::new("urn:example:Echo", "<e:Echo xmlns:e=\"urn:example\"/>")
}

/// Sends a GET and returns the status line (the server answers it 405).
async fn status_line(addr: std::net::SocketAddr) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut s = tokio::net::TcpStream::connect(addr).await.expect("connect");
    s.write_all(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await
        .expect("write");
    let mut out = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), s.read_to_end(&mut out)).await;
    String::from_utf8_lossy(&out)
        .lines()
        .next()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_out_of_file_descriptors_backs_off() {
    let log = Log::default();
    tracing::subscriber::set_global_default(log.subscriber()).expect("the only subscriber");

    // The cap follows the limit: 256 files, 64 reserved.
    files(256);
    assert_eq!(wsbind::transport::server::connection_cap(), 192);
    let running = BehindProxy::server(check)
        .serve("127.0.0.1:0", echo)
        .await
        .expect("serve");
    let addr = running.local_addr();
    assert!(status_line(addr).await.contains("405"));

    // Then the limit drops under what is open and asked for: 100 idle connections
    // from another process, 48 files here.
    let stat = std::fs::File::open("/proc/self/stat").expect("stat");
    files(48);
    let mut idle = std::process::Command::new("python3")
        .args([
            "-c",
            "import resource,socket,sys,time\n\
             resource.setrlimit(resource.RLIMIT_NOFILE,(1024,resource.getrlimit(resource.RLIMIT_NOFILE)[1]))\n\
             s=[socket.create_connection(('127.0.0.1',int(sys.argv[1]))) for _ in range(100)]\n\
             time.sleep(3)",
            &addr.port().to_string(),
        ])
        .spawn()
        .expect("python3 holding 100 connections");
    tokio::time::sleep(Duration::from_millis(500)).await;
    let before = cpu_seconds(&stat);
    tokio::time::sleep(Duration::from_secs(2)).await;
    let used = cpu_seconds(&stat) - before;
    let _ = idle.wait();

    // Not a busy loop: a spinning accept took a whole core (2 s in 2 s).
    assert!(used < 0.5, "{used:.2} s of CPU in 2 s");
    let failures = log.lines_with("accept failed").len();
    assert!(
        (1..=2).contains(&failures),
        "{failures} accept-failure lines (one per 10 s is the most):\n{}",
        log.text()
    );

    // Room again: served as before.
    files(256);
    let mut served = String::new();
    for _ in 0..50 {
        served = status_line(addr).await;
        if served.contains("405") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(served.contains("405"), "{served}");
    running.shutdown().await;
}
