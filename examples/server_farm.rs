//! A server farm without shared state: servers issue *cookie* contexts — the context
//! sealed with AES-256-GCM into the token itself, under keys every instance holds — so
//! any instance serves any client. Here instance A negotiates with the client and is
//! then replaced by instance B on the same address (a rolling restart, or a load
//! balancer's next pick); the client goes on with the same context.
//!
//! Run: `cargo run --example server_farm`.

use wsbind::stores::CookieKeys;
use wsbind::transport::{Answer, Call};
use wsbind::{ClientTls, Password, ServerTls, UsernameCredential};

#[wsbind::binding(file = "examples/bindings/order-service.toml")]
struct OrderService;

fn check(user: &str, pw: &Password) -> bool {
    user == "alice" && pw.matches("wonderland")
}

async fn answer(name: &'static str, call: Call) -> Answer {
    Answer::new(
        "urn:example:orders/SubmitResponse",
        format!(
            r#"<o:Accepted xmlns:o="urn:example:orders" by="{name}" for="{}"/>"#,
            call.identity.name
        ),
    )
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let cert = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()])?;
    let (cert_pem, key_pem) = (cert.cert.pem(), cert.key_pair.serialize_pem());
    // The farm's cookie key: in production, from a secret store, rotated with
    // `CookieKeys::rotate` (old cookies still open until `retire`).
    let farm_key = [0x5a; 32];

    let a = OrderService::server(
        check,
        ServerTls::from_pem(cert_pem.clone(), key_pem.clone()),
    )
    .with_cookie_keys(CookieKeys::new(1, farm_key))
    .serve("127.0.0.1:0", |call| answer("instance A", call))
    .await?;
    let addr = a.local_addr();
    let client = OrderService::client(
        format!("https://localhost:{}/orders", addr.port()),
        UsernameCredential::new("alice", "wonderland"),
        ClientTls::trust_pem(cert_pem),
    );
    let body = r#"<o:Submit xmlns:o="urn:example:orders"><o:Item>tea</o:Item></o:Submit>"#;
    let reply = client.call("urn:example:orders/Submit", body).await?;
    let context = client.context_id().unwrap_or_default();
    println!("context {context} negotiated; {}", reply.body);

    a.shutdown().await;
    println!("instance A stopped; instance B starts on {addr} with the same cookie key");
    let b = OrderService::server(check, ServerTls::from_pem(cert.cert.pem(), key_pem))
        .with_cookie_keys(CookieKeys::new(1, farm_key))
        .serve(&addr.to_string(), |call| answer("instance B", call))
        .await?;
    let reply = client.call("urn:example:orders/Submit", body).await?;
    println!(
        "same context {}: {}",
        client.context_id().unwrap_or_default(),
        reply.body
    );
    assert_eq!(client.context_id(), Some(context));
    client.close().await?;
    b.shutdown().await;
    Ok(())
}
