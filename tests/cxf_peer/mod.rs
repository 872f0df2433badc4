//! Apache CXF as a live peer, for the tests that run it (`tests/cxf.rs`, and the
//! Kerberos crate's `kerberos/tests/cxf.rs`, which includes this file): the peer built
//! once with Maven, a CXF service started and stopped, a CXF client run, the messages
//! both logged, and a description exported as the WSDL the peer loads unchanged.
#![allow(dead_code)] // each including test uses part of it

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{mpsc, OnceLock};
use std::time::{Duration, Instant};
use wsbind::transport::{Answer, Call};
use wsbind::Password;

pub const ACTION: &str = "urn:wsbind:interop/Echo";
pub const NS: &str = "urn:wsbind:interop";
/// How long the peer may take to start, or one CXF client run to finish.
pub const PEER_TIMEOUT: Duration = Duration::from_secs(120);

/// The repository's root (where `interop/cxf` is), from the crate whose test includes
/// this module.
pub fn root() -> PathBuf {
    let here = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    here.ancestors()
        .find(|d| d.join("interop/cxf/pom.xml").exists())
        .unwrap_or(&here)
        .to_path_buf()
}

/// One JVM at a time: the machine has two cores, and each CXF start takes a few
/// seconds of both.
pub async fn serial() -> tokio::sync::MutexGuard<'static, ()> {
    static LOCK: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
    LOCK.lock().await
}

/// The peer's Java classpath, after building it once per test run.
pub fn classpath() -> &'static str {
    static CP: OnceLock<String> = OnceLock::new();
    CP.get_or_init(|| {
        let dir = root().join("interop/cxf");
        let started = Instant::now();
        let out = Command::new("mvn")
            .args(["-B", "-q", "compile"])
            .current_dir(&dir)
            .output()
            .unwrap_or_else(|e| panic!("cannot run Maven (`mvn`), which builds the CXF peer: {e}"));
        assert!(
            out.status.success(),
            "building the CXF peer failed:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        eprintln!("CXF peer built in {:?}", started.elapsed());
        let deps = std::fs::read_to_string(dir.join("target/classpath.txt"))
            .expect("target/classpath.txt written by the build");
        format!("{}:{}", dir.join("target/classes").display(), deps.trim())
    })
}

/// A fresh directory for one test's files and logs.
pub fn workdir(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("cxf")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("work dir");
    dir
}

pub struct Tls {
    pub cert_pem: String,
    pub key_pem: String,
    pub cert: PathBuf,
    pub key: PathBuf,
}

/// A throwaway certificate for `localhost`, written where the peer reads it.
pub fn tls(dir: &Path) -> Tls {
    let c = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).expect("cert");
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    std::fs::write(&cert, c.cert.pem()).expect("write cert");
    std::fs::write(&key, c.key_pair.serialize_pem()).expect("write key");
    Tls {
        cert_pem: c.cert.pem(),
        key_pem: c.key_pair.serialize_pem(),
        cert,
        key,
    }
}

pub fn sc_arg(sc13: bool) -> &'static str {
    if sc13 {
        "1.3"
    } else {
        "feb-2005"
    }
}

/// A running CXF service; stopped (its standard input closed, then killed) on drop.
pub struct CxfService {
    pub child: Child,
    pub stdin: Option<ChildStdin>,
    pub endpoint: String,
    pub log: PathBuf,
}

impl Drop for CxfService {
    fn drop(&mut self) {
        drop(self.stdin.take());
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl CxfService {
    pub fn start(
        dir: &Path,
        tls: &Tls,
        sc13: bool,
        soap12: bool,
        user: &str,
        extra: &[&str],
    ) -> CxfService {
        let log = dir.join("cxf-service");
        let mut child = Command::new("java")
            .args(["-cp", classpath(), "wsbind.interop.Peer", "serve"])
            .args([
                "--sc",
                sc_arg(sc13),
                "--soap",
                if soap12 { "1.2" } else { "1.1" },
            ])
            .arg("--cert")
            .arg(&tls.cert)
            .arg("--key")
            .arg(&tls.key)
            .args(["--user", user])
            .arg("--log")
            .arg(&log)
            .args(extra)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(dir.join("cxf-service.stderr")).expect("stderr file"))
            .spawn()
            .expect("java runs");
        let stdin = child.stdin.take();
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(url) = line.strip_prefix("listening: ") {
                    let _ = tx.send(url.to_owned());
                }
            }
        });
        let mut service = CxfService {
            child,
            stdin,
            endpoint: String::new(),
            log,
        };
        match rx.recv_timeout(PEER_TIMEOUT) {
            Ok(url) => service.endpoint = url,
            Err(_) => panic!(
                "the CXF service did not start; its stderr:\n{}",
                tail(&dir.join("cxf-service.stderr"))
            ),
        }
        service
    }
}

/// The last 60 lines of a file.
pub fn tail(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(60)..].join("\n")
}

/// What a CXF client run printed.
pub struct CxfRun {
    pub ok: bool,
    pub calls: usize,
    pub first_call_ms: Option<u64>,
    pub elapsed_ms: Option<u64>,
    pub error: Option<String>,
    pub replies: Vec<String>,
}

/// Runs CXF's client against `endpoint`: it negotiates a context and sends `count`
/// requests.
/// The command line of CXF's client against `endpoint`, logging to `dir/cxf-client`.
pub fn cxf_client_command(
    dir: &Path,
    endpoint: &str,
    trust: &Path,
    sc13: bool,
    soap12: bool,
    user: &str,
    extra: &[&str],
) -> Command {
    let mut command = Command::new("java");
    command
        .args(["-cp", classpath(), "wsbind.interop.Peer", "call"])
        .args(["--endpoint", endpoint])
        .args([
            "--sc",
            sc_arg(sc13),
            "--soap",
            if soap12 { "1.2" } else { "1.1" },
        ])
        .arg("--trust")
        .arg(trust)
        .args(["--user", user])
        .args(extra)
        .arg("--log")
        .arg(dir.join("cxf-client"))
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(dir.join("cxf-client.stderr")).expect("stderr file"));
    command
}

pub fn cxf_call(
    dir: &Path,
    endpoint: &str,
    trust: &Path,
    sc13: bool,
    soap12: bool,
    user: &str,
    extra: &[&str],
) -> CxfRun {
    let mut child = cxf_client_command(dir, endpoint, trust, sc13, soap12, user, extra)
        .stdin(Stdio::null())
        .spawn()
        .expect("java runs");
    let mut stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stdout.read_to_string(&mut s);
        let _ = tx.send(s);
    });
    let out = match rx.recv_timeout(PEER_TIMEOUT) {
        Ok(out) => out,
        Err(_) => {
            let _ = child.kill();
            panic!("the CXF client did not finish in {PEER_TIMEOUT:?}");
        }
    };
    let status = child.wait().expect("wait");
    let field = |name: &str| {
        out.lines()
            .find_map(|l| l.strip_prefix(name).map(str::to_owned))
    };
    CxfRun {
        ok: status.success(),
        calls: field("calls: ").and_then(|n| n.parse().ok()).unwrap_or(0),
        first_call_ms: field("first-call-ms: ").and_then(|n| n.parse().ok()),
        elapsed_ms: field("elapsed-ms: ").and_then(|n| n.parse().ok()),
        error: field("error: "),
        replies: out
            .lines()
            .filter_map(|l| l.strip_prefix("reply: ").map(str::to_owned))
            .collect(),
    }
}

/// CXF's client built from the exported `Echo` WSDL at `wsdl` (its service and port, in
/// the peer's namespace) sends `count` requests to `endpoint`, with `extra` options;
/// every one must succeed. The replies.
pub async fn cxf_echo_client(
    dir: &Path,
    endpoint: &str,
    trust: &Path,
    soap12: bool,
    wsdl: &str,
    count: usize,
    extra: &[&str],
) -> Vec<String> {
    let mut args: Vec<String> = [
        "--count".to_owned(),
        count.to_string(),
        "--wsdl".to_owned(),
        wsdl.to_owned(),
        "--service".to_owned(),
        format!("{{{NS}}}Echo"),
        "--port-name".to_owned(),
        format!("{{{NS}}}Echo_port"),
    ]
    .into();
    args.extend(extra.iter().map(|s| (*s).to_owned()));
    let (d, endpoint, trust) = (dir.to_path_buf(), endpoint.to_owned(), trust.to_path_buf());
    let run = tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        cxf_call(
            &d,
            &endpoint,
            &trust,
            true,
            soap12,
            "alice:wonderland",
            &args,
        )
    })
    .await
    .expect("join");
    assert!(
        run.ok && run.calls == count,
        "CXF client: {} calls, error {:?}\n{}\nstderr:\n{}",
        run.calls,
        run.error,
        messages(&dir.join("cxf-client")),
        tail(&dir.join("cxf-client.stderr"))
    );
    run.replies
}

pub fn check(user: &str, pw: &Password) -> bool {
    user == "alice" && pw.matches("wonderland")
}

pub async fn echo(call: Call) -> Answer {
    Answer::new(
        "urn:wsbind:interop/EchoResponse",
        format!(
            r#"<e:EchoResponse xmlns:e="{NS}" by="{}">{}</e:EchoResponse>"#,
            call.identity.name,
            call.body.replace('&', "&amp;").replace('<', "&lt;")
        ),
    )
}

/// The SOAP messages the peer logged in `dir` whose file name contains `which` (e.g.
/// `client-out`; "" for all), in order.
pub fn log_files(dir: &Path, which: &str) -> Vec<PathBuf> {
    let mut names: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| d.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    names.retain(|p| {
        p.extension().is_some_and(|e| e == "xml") && p.to_string_lossy().contains(which)
    });
    names.sort();
    names
}

/// The SOAP messages of a log directory, in order, for failure messages.
pub fn messages(dir: &Path) -> String {
    log_files(dir, "")
        .iter()
        .map(|p| {
            format!(
                "--- {}\n{}\n",
                p.display(),
                std::fs::read_to_string(p).unwrap_or_default()
            )
        })
        .collect()
}

/// The `wsa:Action` of each message in a log directory whose name contains `which`
/// (e.g. `client-out`), in order.
pub fn actions(dir: &Path, which: &str) -> Vec<String> {
    log_files(dir, which)
        .iter()
        .filter_map(|p| {
            let text = std::fs::read_to_string(p).ok()?;
            let start = text.find("Action")?;
            let open = start + text[start..].find('>')? + 1;
            let close = open + text[open..].find('<')?;
            Some(text[open..close].trim().to_owned())
        })
        .collect()
}

/// `toml` exported (`wsbind export`) as the WSDL of service `Echo` in the peer's
/// namespace at `address`, written to `dir/name` for the CXF peer to load unchanged:
/// its path and the policy. The description is checked to be `expected`'s.
pub fn exported_wsdl(
    dir: &Path,
    name: &str,
    toml: &str,
    expected: &wsbind::description::Security,
    address: &str,
) -> (String, String) {
    let checked = wsbind_compiler::check_toml(toml, wsbind_compiler::Target::Runtime);
    let d = checked.description().expect("valid");
    assert_eq!(&d.security, expected, "the description the test runs");
    let exported = wsbind_wsdl::export::export(
        checked.file.as_ref().expect("read"),
        &d,
        &wsbind_wsdl::export::Names {
            service: "Echo".into(),
            address: Some(address.into()),
            namespace: Some(NS.into()),
        },
    )
    .expect("exported");
    let path = dir.join(name);
    std::fs::write(&path, &exported.wsdl).expect("write");
    (path.display().to_string(), exported.policy)
}
