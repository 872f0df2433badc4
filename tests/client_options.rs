//! The client's options, as a reqwest user looks for them: an HTTP proxy (through a
//! small CONNECT proxy this test starts), the exchange timeout, the operating system's
//! trust store beside explicit roots, certificates and keys from PEM files, and a
//! rustls configuration of the application's own.

mod common;

use common::{check, sleepy, tls, Tls};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use wsbind::transport::client::Proxy;
use wsbind::{ClientTls, ServerTls, UsernameCredential};

#[wsbind::binding(file = "examples/bindings/quickstart.toml")]
struct Orders;

async fn server(t: &Tls) -> wsbind::transport::server::Running {
    Orders::server(check, ServerTls::from_pem(t.cert.clone(), t.key.clone()))
        .serve("127.0.0.1:0", sleepy)
        .await
        .expect("serve")
}

fn endpoint(running: &wsbind::transport::server::Running) -> String {
    format!("https://localhost:{}/orders", running.local_addr().port())
}

const GET: &str = "<e:Get xmlns:e=\"urn:example\"/>";

/// An HTTP CONNECT proxy: checks `Proxy-Authorization` when `auth` is given, counts
/// the tunnels it opened, and copies bytes both ways.
async fn connect_proxy(auth: Option<&'static str>) -> (String, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let tunnels = Arc::new(AtomicUsize::new(0));
    let counted = tunnels.clone();
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            let counted = counted.clone();
            tokio::spawn(async move {
                let mut client = BufReader::new(client);
                let mut request = String::new();
                let mut target = String::new();
                let mut authorized = auth.is_none();
                loop {
                    let mut line = String::new();
                    if client.read_line(&mut line).await.unwrap_or(0) == 0 {
                        return;
                    }
                    if request.is_empty() {
                        request = line.clone();
                        target = line.split(' ').nth(1).unwrap_or("").to_owned();
                    } else if let Some(expected) = auth {
                        if line
                            .to_ascii_lowercase()
                            .starts_with("proxy-authorization:")
                            && line.contains(expected)
                        {
                            authorized = true;
                        }
                    }
                    if line == "\r\n" {
                        break;
                    }
                }
                let mut client = client.into_inner();
                if !request.starts_with("CONNECT ") || !authorized {
                    let _ = client
                        .write_all(b"HTTP/1.1 407 Proxy Authentication Required\r\n\r\n")
                        .await;
                    return;
                }
                let Ok(mut upstream) = tokio::net::TcpStream::connect(&target).await else {
                    let _ = client.write_all(b"HTTP/1.1 502 Bad Gateway\r\n\r\n").await;
                    return;
                };
                counted.fetch_add(1, Ordering::SeqCst);
                if client
                    .write_all(b"HTTP/1.1 200 Connection Established\r\n\r\n")
                    .await
                    .is_err()
                {
                    return;
                }
                let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
            });
        }
    });
    (format!("http://{addr}"), tunnels)
}

#[tokio::test]
async fn calls_go_through_an_http_proxy() {
    let t = tls();
    let running = server(&t).await;
    // "alice:secret" in base64.
    let (proxy, tunnels) = connect_proxy(Some("YWxpY2U6c2VjcmV0")).await;
    let client = Orders::client(
        endpoint(&running),
        UsernameCredential::new("alice", "wonderland"),
        ClientTls::trust_pem(t.cert.clone()),
    )
    .proxy(
        Proxy::http(&proxy)
            .expect("proxy url")
            .basic_auth("alice", "secret")
            .expect("header-safe"),
    );
    for _ in 0..3 {
        client
            .call("urn:example:Get", GET)
            .await
            .expect("through the proxy");
    }
    assert!(tunnels.load(Ordering::SeqCst) >= 1, "no tunnel was opened");
    // Without the proxy's credentials: refused by the proxy, a connect error.
    let refused = Orders::client(
        endpoint(&running),
        UsernameCredential::new("alice", "wonderland"),
        ClientTls::trust_pem(t.cert),
    )
    .proxy(Proxy::http(&proxy).expect("proxy url"))
    .call("urn:example:Get", GET)
    .await
    .expect_err("the proxy wants credentials");
    assert!(refused.is_connect(), "{refused}");
    assert!(Proxy::http("ftp://proxy").is_err());
    running.shutdown().await;
}

#[tokio::test]
async fn the_exchange_timeout_is_the_clients_to_set() {
    let t = tls();
    let running = server(&t).await;
    let client = Orders::client(
        endpoint(&running),
        UsernameCredential::new("alice", "wonderland"),
        ClientTls::trust_pem(t.cert),
    )
    .timeout(Duration::from_millis(500))
    .connect_timeout(Duration::from_secs(2));
    client.connect().await.expect("within the limit");
    let started = Instant::now();
    let err = client
        .call(
            "urn:example:Get",
            "<e:Get xmlns:e=\"urn:example\" ms=\"3000\"/>",
        )
        .await
        .expect_err("too slow");
    assert!(err.is_timeout(), "{err}");
    assert!(started.elapsed() < Duration::from_millis(1500));
    client
        .call("urn:example:Get", GET)
        .await
        .expect("the next call is served");
    running.shutdown().await;
}

/// Certificates from PEM files, and the operating system's roots beside them (the
/// test server's certificate is not among the system's: with the system's alone it
/// is refused).
#[tokio::test]
async fn roots_from_files_and_from_the_system() {
    let t = tls();
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("client-options-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("tmp");
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    std::fs::write(&cert, &t.cert).expect("cert");
    std::fs::write(&key, &t.key).expect("key");
    let running = Orders::server(
        check,
        ServerTls::from_pem_files(&cert, &key).expect("pem files"),
    )
    .serve("127.0.0.1:0", sleepy)
    .await
    .expect("serve");
    let user = || UsernameCredential::new("alice", "wonderland");
    let roots = ClientTls::trust_pem_file(&cert).expect("pem file");
    Orders::client(endpoint(&running), user(), roots.clone())
        .call("urn:example:Get", GET)
        .await
        .expect("trusted from the file");
    Orders::client(endpoint(&running), user(), roots.with_native_roots())
        .call("urn:example:Get", GET)
        .await
        .expect("the file's root beside the system's");
    let err = Orders::client(endpoint(&running), user(), ClientTls::native_roots())
        .call("urn:example:Get", GET)
        .await
        .expect_err("a self-signed certificate is not among the system's roots");
    assert!(err.is_connect(), "{err}");
    assert!(err.to_string().contains("certificate"), "{err}");
    assert!(ClientTls::trust_pem_file(dir.join("missing.pem")).is_err());
    running.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
}

/// A rustls configuration of the application's own is used as it is.
#[tokio::test]
async fn a_rustls_configuration_of_ones_own() {
    use rustls_pki_types::pem::PemObject;
    let t = tls();
    let running = server(&t).await;
    let mut roots = rustls::RootCertStore::empty();
    for cert in rustls_pki_types::CertificateDer::pem_slice_iter(t.cert.as_bytes()) {
        roots.add(cert.expect("pem")).expect("root");
    }
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("versions")
    .with_root_certificates(roots)
    .with_no_client_auth();
    // The ClientTls given trusts nothing useful: the configuration decides.
    Orders::client(
        endpoint(&running),
        UsernameCredential::new("alice", "wonderland"),
        ClientTls::trust_pem(tls().cert),
    )
    .tls_config(Arc::new(config))
    .call("urn:example:Get", GET)
    .await
    .expect("with the application's configuration");
    running.shutdown().await;
}
