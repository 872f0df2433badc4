// Attribute form: SSL + security context, WS-SC 1.3, server-only entropy, username bootstrap.
#![deny(warnings)]

#[wsbind::binding(
    channel(binding = "http", role = "client"),
    security(
        binding(kind = "ssl-transport"),
        binding(
            kind = "security-context",
            usage = "supporting",
            key_entropy_mode = "server-only",
            secure_conversation_version = "1.3",
            key_size = 256,
            renewal_interval = "2h",
            rollover_interval = "10m",
            bootstrap(binding(kind = "ssl-transport"), binding(kind = "username", usage = "supporting")),
        ),
    ),
)]
struct Client;

const CONTEXT: Option<wsbind::description::SecurityContext> = Client::DESCRIPTION.security.context;

fn main() {
    let ctx = CONTEXT.expect("context");
    assert_eq!(ctx.secure_conversation_version, wsbind::description::ScVersion::V1_3);
    assert_eq!(ctx.key_entropy_mode, wsbind::description::KeyEntropyMode::ServerOnly);
    assert_eq!(ctx.renewal_interval, std::time::Duration::from_secs(7200));
    assert_eq!(ctx.rollover_interval, std::time::Duration::from_secs(600));
    let _c = Client::client("https://localhost/", wsbind::UsernameCredential::new("u", "p"), wsbind::ClientTls::trust_pem(Vec::new()));
}
