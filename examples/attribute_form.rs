//! The attribute form of a binding — WS-SecureConversation 1.3, client entropy —
//! served and called over HTTPS on loopback. Everything the TOML form says can be said
//! inline; the compiler checks both the same way.
//!
//! Run: `cargo run --example attribute_form`.

use wsbind::transport::{Answer, Call};
use wsbind::{ClientTls, Password, ServerTls, UsernameCredential};

#[wsbind::binding(
    channel(binding = "http", role = "both"),
    security(
        algorithm_suite_name = "basic256-sha256",
        binding(kind = "ssl-transport"),
        binding(
            kind = "security-context",
            usage = "supporting",
            key_entropy_mode = "client-only",
            secure_conversation_version = "1.3",
            bootstrap(
                binding(kind = "ssl-transport"),
                binding(kind = "username", usage = "supporting")
            ),
        ),
    )
)]
struct Inventory;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let cert = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()])?;
    let cert_pem = cert.cert.pem();
    let running = Inventory::server(
        |user: &str, pw: &Password| user == "bob" && pw.matches("builder"),
        ServerTls::from_pem(cert_pem.clone(), cert.key_pair.serialize_pem()),
    )
    .serve("127.0.0.1:0", |call: Call| async move {
        let count = call.body.matches("<i:Sku").count();
        Answer::new(
            "urn:example:inventory/StockResponse",
            format!(r#"<i:Stock xmlns:i="urn:example:inventory" items="{count}"/>"#),
        )
    })
    .await?;
    let client = Inventory::client(
        format!(
            "https://localhost:{}/inventory",
            running.local_addr().port()
        ),
        UsernameCredential::new("bob", "builder"),
        ClientTls::trust_pem(cert_pem),
    );
    let reply = client
        .call(
            "urn:example:inventory/Stock",
            r#"<i:Stock xmlns:i="urn:example:inventory"><i:Sku>A-1</i:Sku><i:Sku>B-2</i:Sku></i:Stock>"#,
        )
        .await?;
    println!(
        "WS-SC 1.3 context {}: {}",
        client.context_id().unwrap_or_default(),
        reply.body
    );
    client.close().await?;
    running.shutdown().await;
    Ok(())
}
