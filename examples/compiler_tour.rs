//! A tour of the binding compiler: two descriptions checked at compile time (one from a
//! TOML file, one inline), their typed descriptions and constructors, and a broken
//! description loaded at run time to show the diagnostics a user gets.

use wsbind::{Binding, ClientTls, Description, ServerTls, UsernameCredential};

/// Clients and servers of the order service, described in a TOML file.
#[wsbind::binding(file = "examples/bindings/order-service.toml")]
struct OrderService;

/// A client-only description, inline: WS-SC 1.3, client entropy.
#[wsbind::binding(
    channel(binding = "http", role = "client"),
    security(
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
struct InventoryClient;

fn show<B: Binding>() {
    let d = B::description();
    let ctx = d
        .security
        .context
        .as_ref()
        .expect("both examples use a security context");
    println!(
        "{}: role {}, secure conversation {}, entropy {}, key size {}, renew every {}, bootstrap: ssl={} username={}",
        B::NAME,
        d.role,
        ctx.secure_conversation_version,
        ctx.key_entropy_mode,
        ctx.key_size.map_or("decided by the issuer".to_owned(), |k| format!("{k} bits")),
        humantime_like(ctx.renewal_interval),
        ctx.bootstrap.ssl.is_some(),
        ctx.bootstrap.username,
    );
}

fn humantime_like(d: std::time::Duration) -> String {
    let s = d.as_secs();
    if s % 3600 == 0 {
        format!("{}h", s / 3600)
    } else if s % 60 == 0 {
        format!("{}m", s / 60)
    } else {
        format!("{s}s")
    }
}

fn main() {
    println!("== descriptions checked at compile time ==");
    show::<OrderService>();
    show::<InventoryClient>();

    // The constructors take exactly the credentials the description needs.
    let client = OrderService::client(
        "https://localhost:8443/orders",
        UsernameCredential::new("alice", "wonderland"),
        ClientTls::trust_pem(b"-----BEGIN CERTIFICATE-----\n...".to_vec()),
    );
    let server = OrderService::server(
        |user: &str, pw: &wsbind::Password| user == "alice" && pw.matches("wonderland"),
        ServerTls::from_pem(Vec::new(), Vec::new()),
    );
    println!(
        "client for {} with {:?}",
        client.endpoint(),
        client.credentials().username
    );
    println!("server credentials: {:?}", server.credentials());
    let _inventory = InventoryClient::client(
        "https://localhost:8443/inventory",
        UsernameCredential::new("bob", "builder"),
        ClientTls::trust_pem(Vec::new()),
    );

    println!("\n== a broken description, loaded at run time with the same rules ==");
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/bindings/broken.toml");
    match Description::from_toml_file(path) {
        Ok(_) => println!("unexpectedly valid"),
        Err(e) => println!("{e}"),
    }
}
