//! Quickstart: a real server and a real client negotiating a WS-SecureConversation
//! context over HTTPS on loopback, exchanging protected messages, renewing the context,
//! rolling its key over and cancelling it — with a short transcript of each step.
//!
//! Copy this file and `examples/bindings/quickstart.toml`, edit the binding, and ship.
//! Run: `cargo run --example quickstart` (`RUST_LOG=wsbind_proto=info,wsbind_http=info` shows the
//! engine's and the transport's logs).

use std::time::{Duration, Instant};
use wsbind::transport::{Answer, Call};
use wsbind::{ClientTls, Password, ServerTls, UsernameCredential};

/// The order service; its security is described in the TOML file, checked when this
/// example compiles.
#[wsbind::binding(file = "examples/bindings/quickstart.toml")]
struct OrderService;

fn ms(since: Instant) -> String {
    format!("{:.1} ms", since.elapsed().as_secs_f64() * 1000.0)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();

    // A throwaway certificate for localhost (a real server loads its own PEM files).
    let cert = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()])?;
    let cert_pem = cert.cert.pem();
    let key_pem = cert.key_pair.serialize_pem();

    // The server: checks user names and passwords, answers each verified request
    // knowing who sent it.
    let server = OrderService::server(
        |user: &str, password: &Password| user == "alice" && password.matches("wonderland"),
        ServerTls::from_pem(cert_pem.clone(), key_pem),
    );
    let running = server
        .serve("127.0.0.1:0", |call: Call| async move {
            Answer::new(
                "urn:example:orders/SubmitResponse",
                format!(
                    r#"<o:Accepted xmlns:o="urn:example:orders" for="{}"/>"#,
                    call.identity.name
                ),
            )
        })
        .await?;
    let endpoint = format!("https://localhost:{}/orders", running.local_addr().port());

    // The client: the constructor asks for exactly the credentials the binding needs.
    let client = OrderService::client(
        endpoint.clone(),
        UsernameCredential::new("alice", "wonderland"),
        ClientTls::trust_pem(cert_pem),
    );

    let d = OrderService::DESCRIPTION;
    let ctx = d
        .security
        .context
        .as_ref()
        .ok_or("the binding has no security context")?;
    println!("server   listening on {endpoint} (HTTPS)");
    println!(
        "binding  WS-SecureConversation {}, {} entropy, {} suite, {}-bit keys, renewal every {:?}, rollover {:?}",
        ctx.secure_conversation_version,
        ctx.key_entropy_mode,
        d.security
            .protection
            .properties
            .algorithm_suite
            .name
            .map_or("explicit".to_owned(), |n| n.to_string()),
        ctx.key_size.unwrap_or(256),
        ctx.renewal_interval,
        ctx.rollover_interval,
    );
    let profile = wsbind::security::Profile::of(ctx.signature_profile);
    println!(
        "wire     {}: requests signed by {} over {:?}; replies {}",
        match ctx.signature_profile {
            wsbind::description::SignatureProfile::MsLwssp => "MS-LWSSP (WWSAPI's and WCF's)",
            wsbind::description::SignatureProfile::DerivedKeys => "wsbind's derived keys",
        },
        match profile.request.key {
            wsbind::security::KeyUse::Context => "the context's key",
            wsbind::security::KeyUse::Derived => "a key derived from the context's",
        },
        profile.request.covers,
        if profile.reply.signed() {
            "signed likewise"
        } else {
            "carry a Timestamp only (TLS protects the message)"
        },
    );

    let t = Instant::now();
    client.connect().await?;
    println!(
        "issue    RST -> RSTR: context {} [{}]",
        client.context_id().unwrap_or_default(),
        ms(t)
    );

    for i in 1..=3 {
        let t = Instant::now();
        let reply = client
            .call(
                "urn:example:orders/Submit",
                &format!(r#"<o:Submit xmlns:o="urn:example:orders"><o:Item qty="{i}">tea</o:Item></o:Submit>"#),
            )
            .await?;
        println!(
            "call {i}   protected request, verified reply {} [{}]",
            reply.body,
            ms(t)
        );
    }

    // The renewal interval is 3 s: the next call renews the key first (nine tenths of
    // the interval), and the server keeps the old key for the 2 s rollover.
    tokio::time::sleep(Duration::from_millis(2800)).await;
    let before = client.key_instance();
    let t = Instant::now();
    let reply = client
        .call(
            "urn:example:orders/Submit",
            r#"<o:Submit xmlns:o="urn:example:orders"><o:Item qty="4">coffee</o:Item></o:Submit>"#,
        )
        .await?;
    println!(
        "renew    new key instance {} (was {}); the server accepts the old key for the 2 s rollover; call 4 verified {} [{}]",
        client.key_instance().unwrap_or_default(),
        before.as_deref().unwrap_or("the first key"),
        reply.body,
        ms(t)
    );

    let t = Instant::now();
    client.close().await?;
    println!("cancel   RST/Cancel -> context cancelled [{}]", ms(t));

    running.shutdown().await;
    println!("server   stopped");
    Ok(())
}
