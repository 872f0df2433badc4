// Forgetting a credential the description needs is a type error: a username bootstrap
// over SSL needs both the username credential and the TLS trust.
#[wsbind::binding(
    channel(binding = "http", role = "client"),
    security(
        binding(kind = "ssl-transport"),
        binding(
            kind = "security-context",
            usage = "supporting",
            bootstrap(binding(kind = "ssl-transport"), binding(kind = "username", usage = "supporting")),
        ),
    ),
)]
struct OrderClient;

fn main() {
    let _client = OrderClient::client("https://localhost/orders", wsbind::UsernameCredential::new("alice", "secret"));
}
