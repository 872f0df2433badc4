//! A server's https identity in the forms administrators have it: an encrypted PKCS#8
//! key beside its PEM chain, and a PKCS#12 file, both written by the `openssl` tool
//! (installed from Debian's package when missing) from a fresh certificate. A client
//! negotiates and calls each; a wrong password is a clear error.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use wsbind::transport::tls::{server_tls_from_encrypted_pem, server_tls_from_pkcs12, TlsError};
use wsbind::transport::{Answer, Call};
use wsbind::{ClientTls, Password, ServerTls, UsernameCredential};

#[wsbind::binding(file = "examples/bindings/quickstart.toml")]
struct Orders;

fn check(user: &str, pw: &Password) -> bool {
    user == "alice" && pw.matches("wonderland")
}

/// `openssl`, installed with apt-get when it is missing.
fn openssl() -> &'static str {
    let found = || {
        Command::new("openssl")
            .arg("version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    if !found() {
        let apt = |args: &[&str]| {
            Command::new("apt-get")
                .args(args)
                .env("DEBIAN_FRONTEND", "noninteractive")
                .stdout(Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
        };
        let install = ["install", "-y", "-q", "--no-install-recommends", "openssl"];
        assert!(
            apt(&install) || (apt(&["update", "-q"]) && apt(&install)),
            "openssl is missing and `apt-get install openssl` failed (this test needs it)"
        );
    }
    "openssl"
}

fn run(dir: &Path, args: &[&str]) {
    let out = Command::new(openssl())
        .args(args)
        .current_dir(dir)
        .output()
        .expect("openssl runs");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

struct Files {
    dir: PathBuf,
    cert: String,
}

/// A certificate and key, then the key encrypted (PKCS#8, PBES2 with AES-256) and both
/// in a PKCS#12 file, under the password `s3cret`.
fn files(name: &str) -> Files {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("server-identity-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("tmp");
    let c = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).expect("cert");
    std::fs::write(dir.join("cert.pem"), c.cert.pem()).expect("cert");
    std::fs::write(dir.join("key.pem"), c.key_pair.serialize_pem()).expect("key");
    run(
        &dir,
        &[
            "pkcs8",
            "-topk8",
            "-v2",
            "aes-256-cbc",
            "-in",
            "key.pem",
            "-out",
            "key.enc.pem",
            "-passout",
            "pass:s3cret",
        ],
    );
    run(
        &dir,
        &[
            "pkcs12",
            "-export",
            "-inkey",
            "key.pem",
            "-in",
            "cert.pem",
            "-out",
            "id.p12",
            "-passout",
            "pass:s3cret",
        ],
    );
    Files {
        dir,
        cert: c.cert.pem(),
    }
}

async fn serves(identity: ServerTls, cert: String) {
    let running = Orders::server(check, identity)
        .serve("127.0.0.1:0", |_call: Call| async {
            Answer::new("urn:example:Ok", "<e:Ok xmlns:e=\"urn:example\"/>")
        })
        .await
        .expect("serve");
    let client = Orders::client(
        format!("https://localhost:{}/orders", running.local_addr().port()),
        UsernameCredential::new("alice", "wonderland"),
        ClientTls::trust_pem(cert),
    );
    client
        .call("urn:example:Get", "<e:Get xmlns:e=\"urn:example\"/>")
        .await
        .expect("a call to the server with that identity");
    running.shutdown().await;
}

#[tokio::test]
async fn an_encrypted_pkcs8_key() {
    let f = files("pkcs8");
    let encrypted = std::fs::read_to_string(f.dir.join("key.enc.pem")).expect("read");
    assert!(encrypted.contains("BEGIN ENCRYPTED PRIVATE KEY"));
    let identity =
        server_tls_from_encrypted_pem(f.cert.clone(), &encrypted, "s3cret").expect("decrypts");
    assert!(!format!("{identity:?}").contains("PRIVATE KEY"), "redacted");
    serves(identity, f.cert.clone()).await;
    let wrong = server_tls_from_encrypted_pem(f.cert.clone(), &encrypted, "guess")
        .expect_err("a wrong password");
    assert!(matches!(wrong, TlsError::EncryptedKey(_)), "{wrong}");
    let plain = std::fs::read_to_string(f.dir.join("key.pem")).expect("read");
    let not_encrypted =
        server_tls_from_encrypted_pem(f.cert, &plain, "s3cret").expect_err("not encrypted");
    assert!(
        not_encrypted.to_string().contains("ENCRYPTED PRIVATE KEY"),
        "{not_encrypted}"
    );
    let _ = std::fs::remove_dir_all(&f.dir);
}

#[tokio::test]
async fn a_pkcs12_file() {
    let f = files("p12");
    let p12 = std::fs::read(f.dir.join("id.p12")).expect("read");
    let identity = server_tls_from_pkcs12(&p12, "s3cret").expect("opens");
    serves(identity, f.cert.clone()).await;
    let wrong = server_tls_from_pkcs12(&p12, "guess").expect_err("a wrong password");
    assert!(matches!(wrong, TlsError::Pkcs12(_)), "{wrong}");
    let garbage = server_tls_from_pkcs12(b"not a pkcs12 file", "s3cret").expect_err("garbage");
    assert!(matches!(garbage, TlsError::Pkcs12(_)), "{garbage}");
    let _ = std::fs::remove_dir_all(&f.dir);
}
