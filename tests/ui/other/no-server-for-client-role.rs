// A client-only description generates no server constructor.
#[wsbind::binding(
    channel(binding = "http", role = "client"),
    security(
        binding(kind = "ssl-transport"),
        binding(
            kind = "security-context",
            usage = "supporting",
            bootstrap(binding(kind = "ssl-transport"), binding(kind = "username", usage = "supporting")),
        ),
    )
)]
struct OrderClient;

fn main() {
    let _server = OrderClient::server(wsbind::ServerTls::from_pem(Vec::new(), Vec::new()));
}
