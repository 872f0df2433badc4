//! What the fuzz targets share: engines in the state where inputs reach deep (a server
//! holding a live context, a client awaiting its Issue response, a client with a
//! context), made once per process with a fixed clock and seeded randomness.

#[path = "../../proto/tests/common/mod.rs"]
mod common;

use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, SystemTime};
use wsbind_proto::engine::{ClientEngine, Incoming, Negotiation, ServerEngine};
use wsbind_proto::keys::SeededRng;
use wsbind_proto::{Password, PasswordValidator, UsernameCredential};

/// The fixed clock every target runs at.
pub fn t0() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_795_000_000)
}

fn client(seed: u64) -> ClientEngine {
    ClientEngine::new(
        common::combined_config("client"),
        "https://orders.example/svc",
        Some(UsernameCredential::new("alice", "s3cret")),
        Box::new(SeededRng::new(seed)),
    )
    .expect("client")
}

fn new_server() -> ServerEngine {
    let validator: Arc<dyn PasswordValidator> =
        Arc::new(|u: &str, p: &Password| u == "alice" && p.matches("s3cret"));
    ServerEngine::new(
        common::combined_config("server"),
        Some(validator),
        Box::new(SeededRng::new(9)),
    )
    .expect("server")
    .with_identity_share(1)
}

/// The description of a username on every message (no context).
const USERNAME_EVERY_MESSAGE: &str = r#"
[channel]
binding = "http"
[[security.binding]]
kind = "ssl-transport"
[[security.binding]]
kind = "username"
usage = "supporting"
"#;

fn username_config() -> wsbind_proto::engine::Config {
    use wsbind_proto::FromToml;
    let d = wsbind_proto::Description::from_toml_str(USERNAME_EVERY_MESSAGE).expect("valid");
    wsbind_proto::engine::Config::from_description(&d, None).expect("config")
}

/// A server whose context is bootstrapped by Kerberos (a fake acceptor that takes only
/// the one genuine AP-REQ), made once.
pub fn kerberos_server() -> &'static ServerEngine {
    static SERVER: OnceLock<ServerEngine> = OnceLock::new();
    SERVER.get_or_init(|| {
        use wsbind_proto::FromToml;
        let d = wsbind_proto::Description::from_toml_str(common::KERBEROS_BOOTSTRAP)
            .expect("valid");
        let config = wsbind_proto::engine::Config::from_description(&d, None).expect("config");
        ServerEngine::new(config, None, Box::new(SeededRng::new(13)))
            .expect("server")
            .with_kerberos(Arc::new(common::OneTicketAcceptor))
    })
}

/// An Issue request carrying the genuine AP-REQ, for [`kerberos_server`] (a seed).
pub fn kerberos_issue() -> String {
    use wsbind_proto::FromToml;
    let d = wsbind_proto::Description::from_toml_str(common::KERBEROS_BOOTSTRAP).expect("valid");
    let config = wsbind_proto::engine::Config::from_description(&d, None).expect("config");
    let mut client = ClientEngine::new(
        config,
        "https://orders.example/svc",
        None,
        Box::new(SeededRng::new(14)),
    )
    .expect("client")
    .with_kerberos(Arc::new(common::OneTicket));
    let issue = client.poll(t0()).expect("poll").expect("an Issue");
    issue.request.bytes
}

/// A server and a client with a username on every message (no context), made once.
pub fn username_pair() -> &'static Mutex<(ServerEngine, ClientEngine)> {
    static PAIR: OnceLock<Mutex<(ServerEngine, ClientEngine)>> = OnceLock::new();
    PAIR.get_or_init(|| {
        let validator: Arc<dyn PasswordValidator> =
            Arc::new(|u: &str, p: &Password| u == "alice" && p.matches("s3cret"));
        let server = ServerEngine::new(username_config(), Some(validator), Box::new(SeededRng::new(11)))
            .expect("server");
        let client = ClientEngine::new(
            username_config(),
            "https://orders.example/svc",
            Some(UsernameCredential::new("alice", "s3cret")),
            Box::new(SeededRng::new(12)),
        )
        .expect("client");
        Mutex::new((server, client))
    })
}

/// A server and a client that negotiated a context with it.
pub struct Pair {
    pub server: ServerEngine,
    pub client: ClientEngine,
    /// The MessageID of a request the client sent, which a reply relates to.
    pub request_id: String,
}

/// The server (with alice's live context) and alice's client, made once.
pub fn pair() -> &'static Mutex<Pair> {
    static PAIR: OnceLock<Mutex<Pair>> = OnceLock::new();
    PAIR.get_or_init(|| {
        let server = new_server();
        let mut client = client(2);
        let negotiation = client.poll(t0()).expect("poll").expect("an Issue");
        let Incoming::Negotiated { bytes, .. } =
            server.handle(negotiation.request.bytes.as_bytes(), None, t0())
        else {
            panic!("not issued")
        };
        client
            .handle_response(&negotiation, bytes.as_bytes(), t0())
            .expect("established");
        let request = client
            .protect(
                "urn:example:orders/Ping",
                "<m:Ping xmlns:m=\"urn:m\">hi</m:Ping>",
                t0(),
            )
            .expect("protect");
        Mutex::new(Pair {
            server,
            client,
            request_id: request.message_id,
        })
    })
}

/// A client awaiting the response to its Issue, and that Issue.
pub fn awaiting_issue() -> &'static Mutex<(ClientEngine, Negotiation)> {
    static AWAITING: OnceLock<Mutex<(ClientEngine, Negotiation)>> = OnceLock::new();
    AWAITING.get_or_init(|| Mutex::new(new_awaiting()))
}

/// A client (always the same: seeded) that just sent its Issue, and that Issue.
pub fn new_awaiting() -> (ClientEngine, Negotiation) {
    let mut c = client(3);
    let negotiation = c.poll(t0()).expect("poll").expect("an Issue");
    (c, negotiation)
}
