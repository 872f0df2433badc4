//! wsbind inside an axum application: the SOAP endpoint is a tower `Service` mounted at
//! `/orders` beside the application's JSON route, under a tower-http timeout layer, on
//! the application's own HTTPS port (axum-server with rustls). A wsbind client
//! negotiates and calls it; then the application shuts down gracefully while a call is
//! in flight, and that call still gets its answer.
//!
//! Run: `cargo run --example axum_app`.

use axum::routing::get;
use axum::{Json, Router};
use axum_server::accept::NoDelayAcceptor;
use axum_server::tls_rustls::{RustlsAcceptor, RustlsConfig};
use std::time::{Duration, Instant};
use tower_http::timeout::TimeoutLayer;
use wsbind::transport::{Answer, Call, Mount};
use wsbind::{ClientTls, Password, ServerTls, UsernameCredential};

#[wsbind::binding(file = "examples/bindings/quickstart.toml")]
struct OrderService;

async fn orders(call: Call) -> Answer {
    if call.body.contains("Slow") {
        tokio::time::sleep(Duration::from_millis(800)).await;
    }
    Answer::new(
        "urn:example:orders/SubmitResponse",
        format!(
            "<o:Accepted xmlns:o=\"urn:example:orders\" by=\"{}\"/>",
            call.identity.name
        ),
    )
}

fn check(user: &str, password: &Password) -> bool {
    user == "alice" && password.matches("wonderland")
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let cert = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()])?;
    let (cert_pem, key_pem) = (cert.cert.pem(), cert.key_pair.serialize_pem());

    // The SOAP endpoint as a tower Service. Its description names ssl-transport: it is
    // mounted behind TLS, which the application's server terminates.
    let soap = OrderService::server(
        check,
        ServerTls::from_pem(cert_pem.clone(), key_pem.clone()),
    )
    .into_service(Mount::BehindTls, orders)?;
    let app = Router::new()
        .route(
            "/health",
            get(|| async { Json(serde_json::json!({ "status": "ok" })) }),
        )
        .route_service("/orders", soap)
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::GATEWAY_TIMEOUT,
            Duration::from_secs(10),
        ));

    let tls = RustlsConfig::from_pem(cert_pem.clone().into(), key_pem.into()).await?;
    let handle: axum_server::Handle<std::net::SocketAddr> = axum_server::Handle::new();
    // TCP_NODELAY on every accepted connection, as wsbind's own server sets it: without
    // it, a reply written in two pieces waits for the client's delayed acknowledgement
    // (40 ms on Linux), and negotiations slow down as soon as a few clients connect.
    let acceptor = RustlsAcceptor::new(tls).acceptor(NoDelayAcceptor::new());
    let server = tokio::spawn(
        axum_server::bind("127.0.0.1:0".parse()?)
            .acceptor(acceptor)
            .handle(handle.clone())
            .serve(app.into_make_service()),
    );
    let addr = handle.listening().await.ok_or("the server did not start")?;
    println!(
        "axum on https://localhost:{}: /health (JSON), /orders (SOAP)",
        addr.port()
    );

    let client = OrderService::client(
        format!("https://localhost:{}/orders", addr.port()),
        UsernameCredential::new("alice", "wonderland"),
        ClientTls::trust_pem(cert_pem),
    );
    let t = Instant::now();
    let reply = client
        .call(
            "urn:example:orders/Submit",
            "<o:Submit xmlns:o=\"urn:example:orders\"/>",
        )
        .await?;
    println!(
        "negotiated and called through the router: {} [{:?}]",
        reply.body,
        t.elapsed()
    );

    // A slow call in flight, then a graceful shutdown: the call is answered first.
    let slow = tokio::spawn({
        let client = client.clone();
        async move {
            client
                .call(
                    "urn:example:orders/Submit",
                    "<o:Slow xmlns:o=\"urn:example:orders\"/>",
                )
                .await
        }
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    let t = Instant::now();
    handle.graceful_shutdown(Some(Duration::from_secs(5)));
    let answered = slow.await??;
    server.await??;
    println!(
        "graceful shutdown waited {:?} for the call in flight: {}",
        t.elapsed(),
        answered.body
    );
    Ok(())
}
