//! The SOAP endpoint mounted in an axum application (`Server::into_service`): a wsbind
//! client negotiates and calls it through the router while a JSON route on the same
//! HTTPS port answers; a tower-http timeout layer applies to it; graceful shutdown lets
//! a call in flight finish; a description with ssl-transport is not mounted on plain
//! HTTP. And wsbind's own server waits for a request in flight when it shuts down.

mod common;

use axum::routing::get;
use axum::{Json, Router};
use axum_server::tls_rustls::RustlsConfig;
use common::{check, sleepy};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tower_http::timeout::TimeoutLayer;
use wsbind::transport::{Mount, TransportError};
use wsbind::{ClientTls, ServerTls, UsernameCredential};

#[wsbind::binding(file = "examples/bindings/quickstart.toml")]
struct Orders;

struct App {
    addr: SocketAddr,
    cert: String,
    handle: axum_server::Handle<SocketAddr>,
    server: tokio::task::JoinHandle<std::io::Result<()>>,
}

/// The application: `/health` (JSON) and `/orders` (SOAP) on one HTTPS port, every
/// route under a timeout of `timeout`.
async fn app(timeout: Duration) -> App {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let c = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).expect("cert");
    let (cert, key) = (c.cert.pem(), c.key_pair.serialize_pem());
    let soap = Orders::server(check, ServerTls::from_pem(cert.clone(), key.clone()))
        .into_service(Mount::BehindTls, sleepy)
        .expect("mount");
    let router = Router::new()
        .route(
            "/health",
            get(|| async { Json(serde_json::json!({ "status": "ok" })) }),
        )
        .route_service("/orders", soap)
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::GATEWAY_TIMEOUT,
            timeout,
        ));
    let tls = RustlsConfig::from_pem(cert.clone().into_bytes(), key.into_bytes())
        .await
        .expect("tls");
    let handle = axum_server::Handle::new();
    let server = tokio::spawn(
        axum_server::bind_rustls("127.0.0.1:0".parse().expect("addr"), tls)
            .handle(handle.clone())
            .serve(router.into_make_service()),
    );
    let addr = handle.listening().await.expect("listening");
    App {
        addr,
        cert,
        handle,
        server,
    }
}

impl App {
    fn client(&self) -> wsbind::Client<Orders> {
        Orders::client(
            format!("https://localhost:{}/orders", self.addr.port()),
            UsernameCredential::new("alice", "wonderland"),
            ClientTls::trust_pem(self.cert.clone()),
        )
    }

    /// `GET path` over HTTPS; the whole answer.
    async fn get(&self, path: &str) -> String {
        use rustls_pki_types::pem::PemObject;
        let mut roots = rustls::RootCertStore::empty();
        for cert in rustls_pki_types::CertificateDer::pem_slice_iter(self.cert.as_bytes()) {
            roots.add(cert.expect("pem")).expect("root");
        }
        let config = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
        let tcp = tokio::net::TcpStream::connect(self.addr)
            .await
            .expect("connect");
        let name = rustls_pki_types::ServerName::try_from("localhost").expect("name");
        let mut tls = tokio_rustls::TlsConnector::from(Arc::new(config))
            .connect(name, tcp)
            .await
            .expect("tls");
        tls.write_all(
            format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                .as_bytes(),
        )
        .await
        .expect("write");
        let mut answer = Vec::new();
        let _ = tls.read_to_end(&mut answer).await;
        String::from_utf8_lossy(&answer).into_owned()
    }
}

fn get_body(ms: u64) -> String {
    format!("<e:Get xmlns:e=\"urn:example\" ms=\"{ms}\"/>")
}

#[tokio::test]
async fn a_mounted_service_serves_beside_json_routes() {
    let app = app(Duration::from_secs(10)).await;
    let client = app.client();
    let reply = client
        .call("urn:example:Get", &get_body(0))
        .await
        .expect("a call through the router");
    assert!(reply.body.contains("by=\"alice\""), "{}", reply.body);
    let health = app.get("/health").await;
    assert!(health.starts_with("HTTP/1.1 200"), "{health}");
    assert!(health.contains(r#"{"status":"ok"}"#), "{health}");
    // The SOAP endpoint still refuses what is not a SOAP POST.
    let get = app.get("/orders").await;
    assert!(get.starts_with("HTTP/1.1 405"), "{get}");
    // Calls keep working on the same context.
    client
        .call("urn:example:Get", &get_body(0))
        .await
        .expect("a second call");
    app.handle.shutdown();
}

/// tower-http's timeout layer applies to the mounted service like to any route.
#[tokio::test]
async fn a_tower_http_timeout_layer_applies() {
    let app = app(Duration::from_millis(300)).await;
    let client = app.client();
    client.connect().await.expect("negotiated within the limit");
    let started = Instant::now();
    let err = client
        .call("urn:example:Get", &get_body(2000))
        .await
        .expect_err("cut by the layer");
    assert!(
        matches!(err, TransportError::Status { status: 504 }),
        "{err}"
    );
    assert!(started.elapsed() < Duration::from_millis(1500));
    client
        .call("urn:example:Get", &get_body(0))
        .await
        .expect("the next call is served");
    app.handle.shutdown();
}

/// The application's graceful shutdown lets a call in flight finish.
#[tokio::test]
async fn graceful_shutdown_lets_a_call_in_flight_finish() {
    let app = app(Duration::from_secs(10)).await;
    let client = app.client();
    client.connect().await.expect("connect");
    let slow = tokio::spawn({
        let client = client.clone();
        async move { client.call("urn:example:Get", &get_body(800)).await }
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    app.handle.graceful_shutdown(Some(Duration::from_secs(5)));
    let reply = slow
        .await
        .expect("task")
        .expect("answered before the shutdown");
    assert!(reply.body.contains("by=\"alice\""), "{}", reply.body);
    app.server.await.expect("task").expect("server");
}

/// A description that names ssl-transport is not mounted on plain HTTP: the
/// bootstrap's password and every request would travel in the clear.
#[tokio::test]
async fn ssl_descriptions_are_mounted_behind_tls_only() {
    let c = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).expect("cert");
    let err = Orders::server(
        check,
        ServerTls::from_pem(c.cert.pem(), c.key_pair.serialize_pem()),
    )
    .into_service(Mount::PlainHttp, sleepy)
    .expect_err("refused");
    assert!(matches!(err, TransportError::MountedWithoutTls), "{err}");
    assert!(err.to_string().contains("Mount::BehindTls"), "{err}");
}

/// wsbind's own server, shut down while a request is in flight, answers it first.
#[tokio::test]
async fn shutdown_waits_for_the_request_in_flight() {
    let c = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).expect("cert");
    let cert = c.cert.pem();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let running = Orders::server(
        check,
        ServerTls::from_pem(cert.clone(), c.key_pair.serialize_pem()),
    )
    .serve_on(listener, sleepy)
    .await
    .expect("serve on a bound listener");
    let client = Orders::client(
        format!("https://localhost:{}/orders", running.local_addr().port()),
        UsernameCredential::new("alice", "wonderland"),
        ClientTls::trust_pem(cert),
    );
    client.connect().await.expect("connect");
    let slow = tokio::spawn({
        let client = client.clone();
        async move { client.call("urn:example:Get", &get_body(800)).await }
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    let started = Instant::now();
    running.shutdown().await;
    assert!(
        started.elapsed() >= Duration::from_millis(400),
        "shutdown returned after {:?}, before the request in flight",
        started.elapsed()
    );
    let reply = slow.await.expect("task").expect("answered");
    assert!(reply.body.contains("by=\"alice\""), "{}", reply.body);
}
