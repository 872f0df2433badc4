//! Cancel safety of the typed client: a `connect`, `call` or `close` future dropped at any
//! await point leaves the client usable, and the next call negotiates again when it must.
//!
//! The client talks HTTPS to a TLS-terminating proxy written here, which reads the plain
//! HTTP behind it message by message and can stall one step of the conversation — the
//! TLS handshake; an Issue, Renew, Cancel or application request before the server sees it
//! (the request held); or after the server answered it (the answer held). The test drops
//! the client's future while the step is stalled, as `tokio::time::timeout`, `select!` or a
//! cancelled axum handler would, then calls normally.

use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::sync::Notify;
use wsbind::transport::{Answer, Call};
use wsbind::{ClientTls, Password, UsernameCredential};

/// TLS ends at the proxy: plain HTTP to the server, protection level none.
#[wsbind::binding(
    channel(binding = "http", role = "server"),
    security(
        transport_protection_level = "none",
        binding(
            kind = "security-context",
            usage = "supporting",
            secure_conversation_version = "1.3",
            key_entropy_mode = "combined",
            support_renew = true,
            bootstrap(
                transport_protection_level = "none",
                binding(kind = "username", usage = "supporting")
            ),
        ),
    )
)]
struct Backend;

/// Its clients use HTTPS to the proxy, and renew the context every second.
#[wsbind::binding(
    channel(binding = "http", role = "client"),
    security(
        binding(kind = "ssl-transport"),
        binding(
            kind = "security-context",
            usage = "supporting",
            secure_conversation_version = "1.3",
            key_entropy_mode = "combined",
            support_renew = true,
            renewal_interval = "1s",
            rollover_interval = "500ms",
            bootstrap(
                binding(kind = "ssl-transport"),
                binding(kind = "username", usage = "supporting")
            ),
        ),
    )
)]
struct Frontend;

fn check(user: &str, pw: &Password) -> bool {
    user == "alice" && pw.matches("wonderland")
}

async fn echo(call: Call) -> Answer {
    Answer::new(
        "urn:example:Echo",
        format!(
            r#"<e:Echo xmlns:e="urn:example" by="{}"/>"#,
            call.identity.name
        ),
    )
}

/// A step of the conversation the proxy can stall.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    /// The TLS handshake of a new connection.
    Handshake,
    Issue,
    Renew,
    Cancel,
    Application,
}

/// Where the proxy holds a message step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Hold {
    /// The request never reaches the server.
    Request,
    /// The server answered; the answer never reaches the client.
    Answer,
}

#[derive(Default)]
struct Gate {
    armed: Mutex<Option<(Step, Hold)>>,
    /// Signalled when the armed step is being held.
    reached: Notify,
    /// Signalled by the test when the held connection may be cut.
    cut: Notify,
}

struct Proxy {
    gate: Arc<Gate>,
    port: u16,
}

impl Proxy {
    async fn start(cert: &str, key: &str, backend: std::net::SocketAddr) -> Proxy {
        use rustls_pki_types::pem::PemObject;
        let chain = rustls_pki_types::CertificateDer::pem_slice_iter(cert.as_bytes())
            .collect::<Result<Vec<_>, _>>()
            .expect("chain");
        let key = rustls_pki_types::PrivateKeyDer::from_pem_slice(key.as_bytes()).expect("key");
        let config = rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .expect("config");
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let gate = Arc::new(Gate::default());
        let g = gate.clone();
        tokio::spawn(async move {
            while let Ok((tcp, _)) = listener.accept().await {
                let acceptor = acceptor.clone();
                let gate = g.clone();
                tokio::spawn(async move {
                    if gate.take(Step::Handshake, None) {
                        gate.hold().await;
                        return;
                    }
                    let Ok(front) = acceptor.accept(tcp).await else {
                        return;
                    };
                    let Ok(back) = tokio::net::TcpStream::connect(backend).await else {
                        return;
                    };
                    relay(front, back, &gate).await;
                });
            }
        });
        Proxy { gate, port }
    }

    fn endpoint(&self) -> String {
        format!("https://localhost:{}/svc", self.port)
    }

    /// Runs `fut` until the proxy holds `step` at `hold`, then drops it and cuts the
    /// held connection.
    async fn cut<F: std::future::Future>(&self, step: Step, hold: Hold, fut: F)
    where
        F::Output: std::fmt::Debug,
    {
        *self.gate.armed.lock().expect("gate") = Some((step, hold));
        let reached = self.gate.reached.notified();
        tokio::select! {
            out = fut => panic!("{step:?} ({hold:?}) was never reached: {out:?}"),
            () = reached => {}
        }
        // The future is dropped: let the proxy drop the connection it held.
        self.gate.cut.notify_one();
    }
}

impl Gate {
    /// Whether `step` (at `hold`, for message steps) is the armed one; disarms it.
    fn take(&self, step: Step, hold: Option<Hold>) -> bool {
        let mut armed = self.armed.lock().expect("gate");
        match *armed {
            Some((s, h)) if s == step && (step == Step::Handshake || Some(h) == hold) => {
                *armed = None;
                true
            }
            _ => false,
        }
    }

    async fn hold(&self) {
        let cut = self.cut.notified();
        self.reached.notify_one();
        cut.await;
    }
}

/// One HTTP/1.1 message with a Content-Length body: its head and body, or `None` at
/// the end of the stream.
async fn read_message<R: tokio::io::AsyncBufRead + Unpin>(r: &mut R) -> Option<(String, Vec<u8>)> {
    let mut head = String::new();
    loop {
        let mut line = String::new();
        if r.read_line(&mut line).await.ok()? == 0 {
            return None;
        }
        head.push_str(&line);
        if line == "\r\n" {
            break;
        }
    }
    let length = head
        .lines()
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse::<usize>().ok())?
        })
        .unwrap_or(0);
    let mut body = vec![0; length];
    r.read_exact(&mut body).await.ok()?;
    Some((head, body))
}

/// The step a request is, from its SOAP 1.2 action (in the Content-Type).
fn step_of(head: &str) -> Step {
    let action = head.split("action=\"").nth(1).unwrap_or("");
    let action = action.split('"').next().unwrap_or("");
    if action.ends_with("/RST/SCT/Renew") {
        Step::Renew
    } else if action.ends_with("/RST/SCT/Cancel") {
        Step::Cancel
    } else if action.ends_with("/RST/SCT") {
        Step::Issue
    } else {
        Step::Application
    }
}

async fn relay<F, B>(front: F, back: B, gate: &Gate)
where
    F: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
    B: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    let (front_r, mut front_w) = tokio::io::split(front);
    let (back_r, mut back_w) = tokio::io::split(back);
    let mut front_r = BufReader::new(front_r);
    let mut back_r = BufReader::new(back_r);
    while let Some((head, body)) = read_message(&mut front_r).await {
        let step = step_of(&head);
        if gate.take(step, Some(Hold::Request)) {
            return gate.hold().await;
        }
        if back_w.write_all(head.as_bytes()).await.is_err()
            || back_w.write_all(&body).await.is_err()
        {
            return;
        }
        let Some((head, body)) = read_message(&mut back_r).await else {
            return;
        };
        if gate.take(step, Some(Hold::Answer)) {
            return gate.hold().await;
        }
        if front_w.write_all(head.as_bytes()).await.is_err()
            || front_w.write_all(&body).await.is_err()
            || front_w.flush().await.is_err()
        {
            return;
        }
    }
}

const GET: &str = r#"<e:Get xmlns:e="urn:example"/>"#;

async fn call_ok(client: &wsbind::Client<Frontend>, what: &str) {
    let reply = tokio::time::timeout(Duration::from_secs(10), client.call("urn:example:Get", GET))
        .await
        .unwrap_or_else(|_| panic!("{what}: the call hangs"))
        .unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(
        reply.body.contains(r#"by="alice""#),
        "{what}: {}",
        reply.body
    );
}

struct Setup {
    proxy: Proxy,
    cert: String,
    _running: wsbind::transport::server::Running,
}

async fn setup() -> Setup {
    let running = Backend::server(check)
        .serve("127.0.0.1:0", echo)
        .await
        .expect("serve");
    let c = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).expect("cert");
    let (cert, key) = (c.cert.pem(), c.key_pair.serialize_pem());
    let proxy = Proxy::start(&cert, &key, running.local_addr()).await;
    Setup {
        proxy,
        cert,
        _running: running,
    }
}

impl Setup {
    fn client(&self) -> wsbind::Client<Frontend> {
        Frontend::client(
            self.proxy.endpoint(),
            UsernameCredential::new("alice", "wonderland"),
            ClientTls::trust_pem(self.cert.clone()),
        )
    }
}

/// The first negotiation, cut in `connect` and in `call`: before the server sees the
/// Issue, after it issued a context the client never learns of, and in the TLS handshake.
#[tokio::test]
async fn a_cut_negotiation_is_negotiated_again() {
    let s = setup().await;
    for (step, hold) in [
        (Step::Handshake, Hold::Request),
        (Step::Issue, Hold::Request),
        (Step::Issue, Hold::Answer),
    ] {
        let what = format!("connect cut at {step:?} ({hold:?})");
        let client = s.client();
        s.proxy.cut(step, hold, client.connect()).await;
        assert!(client.context_id().is_none(), "{what}: half a context");
        call_ok(&client, &what).await;

        let what = format!("call cut at {step:?} ({hold:?})");
        let client = s.client();
        s.proxy
            .cut(step, hold, client.call("urn:example:Get", GET))
            .await;
        call_ok(&client, &what).await;

        // connect after a cut negotiation establishes a context (it did not before:
        // it returned Ok(()) and the next call failed).
        let what = format!("connect after a connect cut at {step:?} ({hold:?})");
        let client = s.client();
        s.proxy.cut(step, hold, client.connect()).await;
        client.connect().await.expect(&what);
        assert!(client.context_id().is_some(), "{what}: no context");
        call_ok(&client, &what).await;
    }
}

/// An application request cut before or after the server answered it: the context
/// stays, and the next call uses it.
#[tokio::test]
async fn a_cut_call_leaves_the_context_usable() {
    let s = setup().await;
    let client = s.client();
    client.connect().await.expect("connect");
    let id = client.context_id().expect("a context");
    for hold in [Hold::Request, Hold::Answer] {
        s.proxy
            .cut(Step::Application, hold, client.call("urn:example:Get", GET))
            .await;
        call_ok(&client, &format!("call cut at its request ({hold:?})")).await;
    }
    assert_eq!(client.context_id(), Some(id), "the same context");
}

/// A renewal cut short: the next call renews (the key changes), and every call is
/// answered meanwhile.
#[tokio::test]
async fn a_cut_renewal_is_renewed_again() {
    let s = setup().await;
    let client = s.client();
    for hold in [Hold::Request, Hold::Answer] {
        let what = format!("renewal cut ({hold:?})");
        client.connect().await.expect("connect");
        let before = (client.context_id(), client.key_instance());
        // Past nine tenths of the renewal interval: the next call renews first.
        tokio::time::sleep(Duration::from_millis(950)).await;
        s.proxy
            .cut(Step::Renew, hold, client.call("urn:example:Get", GET))
            .await;
        call_ok(&client, &what).await;
        assert_ne!(
            (client.context_id(), client.key_instance()),
            before,
            "{what}: the next call did not renew"
        );
    }
}

/// `close` cut short: the client is still usable (the server may have cancelled the
/// context: the next call negotiates a new one), and a later `close` closes.
#[tokio::test]
async fn a_cut_close_leaves_the_client_usable() {
    let s = setup().await;
    for hold in [Hold::Request, Hold::Answer] {
        let what = format!("close cut ({hold:?})");
        let client = s.client();
        client.connect().await.expect("connect");
        s.proxy.cut(Step::Cancel, hold, client.close()).await;
        call_ok(&client, &what).await;
        client.close().await.expect(&what);
        assert!(client.context_id().is_none(), "{what}: still open");
    }
}
