//! The typed handles over real HTTP(S) on loopback: a whole conversation, wrong
//! credentials, a server restart (in-memory contexts lost, clients recover; cookie
//! contexts survive), and a server behind a TLS proxy on plain HTTP.

use std::time::{Duration, Instant};
use wsbind::security::Part;
use wsbind::stores::CookieKeys;
use wsbind::transport::{Answer, Call, TransportError};
use wsbind::{ClientTls, Password, ServerTls, UsernameCredential};

mod common;
use common::Log;

#[wsbind::binding(file = "examples/bindings/quickstart.toml")]
struct Orders;

/// WS-SC 1.3, client entropy, a longer renewal interval.
#[wsbind::binding(
    channel(binding = "http", role = "both"),
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
struct Inventory;

struct Tls {
    cert: String,
    key: String,
}

fn tls() -> Tls {
    let c = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).expect("cert");
    Tls {
        cert: c.cert.pem(),
        key: c.key_pair.serialize_pem(),
    }
}

fn check(user: &str, pw: &Password) -> bool {
    user == "alice" && pw.matches("wonderland")
}

async fn echo(call: Call) -> Answer {
    // The default profile (MS-LWSSP) signs the Timestamp alone: the handler is told so.
    let signed = call.signed.as_ref().expect("signed by the context");
    assert_eq!(signed.covered, [Part::Timestamp]);
    assert!(signed.identifier.starts_with("urn:uuid:"));
    Answer::new(
        "urn:example:Echo",
        format!(
            r#"<e:Echo xmlns:e="urn:example" by="{}" action="{}"/>"#,
            call.identity.name,
            call.action.unwrap_or_default()
        ),
    )
}

#[tokio::test]
async fn a_conversation_over_https() {
    let t = tls();
    let running = Inventory::server(check, ServerTls::from_pem(t.cert.clone(), t.key))
        .serve("127.0.0.1:0", echo)
        .await
        .expect("serve");
    let client = Inventory::client(
        format!("https://localhost:{}/inv", running.local_addr().port()),
        UsernameCredential::new("alice", "wonderland"),
        ClientTls::trust_pem(t.cert),
    );
    for i in 0..5 {
        let reply = client
            .call(
                "urn:example:Get",
                &format!(r#"<e:Get xmlns:e="urn:example" n="{i}"/>"#),
            )
            .await
            .expect("call");
        assert_eq!(
            reply.body,
            r#"<e:Echo xmlns:e="urn:example" action="urn:example:Get" by="alice"></e:Echo>"#
        );
        assert_eq!(reply.action.as_deref(), Some("urn:example:Echo"));
    }
    let id = client.context_id().expect("a context");
    client.close().await.expect("close");
    assert!(client.context_id().is_none(), "{id} still open");
    running.shutdown().await;
}

/// A plain http URL for a description secured with ssl-transport is named as such
/// (it used to be called "not a valid http or https URL").
#[tokio::test]
async fn a_plain_http_endpoint_is_named_for_what_it_is() {
    let client = Inventory::client(
        "http://localhost:8080/inv",
        UsernameCredential::new("alice", "wonderland"),
        ClientTls::trust_pem(tls().cert),
    );
    let err = client
        .call("urn:example:Get", "<e:Get xmlns:e=\"urn:example\"/>")
        .await
        .expect_err("refused before connecting");
    assert!(matches!(err, TransportError::PlainHttp(_)), "{err}");
    assert!(err.to_string().contains("use https"), "{err}");
    let client = Inventory::client(
        "ftp://localhost/inv",
        UsernameCredential::new("alice", "wonderland"),
        ClientTls::trust_pem(tls().cert),
    );
    let err = client
        .call("urn:example:Get", "<e:Get/>")
        .await
        .expect_err("not http");
    assert!(matches!(err, TransportError::Endpoint(_)), "{err}");
}

#[tokio::test]
async fn wrong_credentials_fail_fast_with_a_clear_error() {
    // The refusal is logged once, with the peer's address and the user it named.
    let log = Log::default();
    let _logging = tracing::subscriber::set_default(log.subscriber());
    let t = tls();
    let running = Inventory::server(check, ServerTls::from_pem(t.cert.clone(), t.key))
        .serve("127.0.0.1:0", echo)
        .await
        .expect("serve");
    let client = Inventory::client(
        format!("https://localhost:{}/inv", running.local_addr().port()),
        UsernameCredential::new("alice", "guess"),
        ClientTls::trust_pem(t.cert.clone()),
    );
    let started = Instant::now();
    let err = client
        .call("urn:example:Get", "<e:Get xmlns:e=\"urn:example\"/>")
        .await
        .expect_err("refused");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "took {:?}",
        started.elapsed()
    );
    assert!(err.to_string().contains("FailedAuthentication"), "{err}");
    let refused = log.lines_with("message rejected");
    assert_eq!(refused.len(), 1, "{}", log.text());
    for what in [
        "peer=127.0.0.1:",
        "user=\"alice\"",
        "fault=\"FailedAuthentication\"",
    ] {
        assert!(refused[0].contains(what), "{what} in {}", refused[0]);
    }

    // A server certificate the client does not trust: a TLS error, not a hang.
    let other = tls();
    let client = Inventory::client(
        format!("https://localhost:{}/inv", running.local_addr().port()),
        UsernameCredential::new("alice", "wonderland"),
        ClientTls::trust_pem(other.cert),
    );
    let err = client
        .call("urn:example:Get", "<e:Get xmlns:e=\"urn:example\"/>")
        .await
        .expect_err("untrusted");
    assert!(matches!(err, TransportError::Connect { .. }), "{err}");
    assert!(err.is_connect() && !err.is_timeout(), "{err}");
    assert!(err.to_string().contains("certificate"), "{err}");
    // The cause is kept, not only its text.
    assert!(std::error::Error::source(&err).is_some(), "{err:?}");
    running.shutdown().await;

    // Nobody listening.
    let client = Inventory::client(
        "https://localhost:1/inv",
        UsernameCredential::new("alice", "wonderland"),
        ClientTls::trust_pem(t.cert),
    );
    let err = client
        .call("urn:example:Get", "<e:Get xmlns:e=\"urn:example\"/>")
        .await
        .expect_err("no server");
    assert!(matches!(err, TransportError::Connect { .. }), "{err}");
}

#[tokio::test]
async fn a_panic_inside_the_engine_does_not_take_the_server_down() {
    // The password validator runs inside the engine; a validator that panics (a bug
    // in the application's code) fails that one negotiation, and every later client
    // is still served: the engine's lock is never left poisoned.
    fn fragile(user: &str, pw: &Password) -> bool {
        assert_ne!(user, "boom", "the validator's own bug");
        check(user, pw)
    }
    let t = tls();
    let running = Inventory::server(fragile, ServerTls::from_pem(t.cert.clone(), t.key))
        .serve("127.0.0.1:0", echo)
        .await
        .expect("serve");
    let url = format!("https://localhost:{}/inv", running.local_addr().port());
    let boom = Inventory::client(
        url.clone(),
        UsernameCredential::new("boom", "x"),
        ClientTls::trust_pem(t.cert.clone()),
    );
    let err = boom
        .call("urn:example:Get", "<e:Get xmlns:e=\"urn:example\"/>")
        .await
        .expect_err("the panic fails this negotiation");
    assert!(err.to_string().contains("500"), "{err}");
    let alice = Inventory::client(
        url,
        UsernameCredential::new("alice", "wonderland"),
        ClientTls::trust_pem(t.cert),
    );
    for _ in 0..2 {
        alice
            .call("urn:example:Get", "<e:Get xmlns:e=\"urn:example\"/>")
            .await
            .expect("served after the panic");
    }
    running.shutdown().await;
}

/// Inventory's client side, checking revocation strictly: an unknown status (no CRL
/// for the certificate) is not ignored.
#[wsbind::binding(
    channel(binding = "http", role = "client"),
    security(
        binding(kind = "ssl-transport", cert_failures_to_ignore = []),
        binding(
            kind = "security-context",
            usage = "supporting",
            key_entropy_mode = "client-only",
            secure_conversation_version = "1.3",
            bootstrap(
                binding(kind = "ssl-transport", cert_failures_to_ignore = []),
                binding(kind = "username", usage = "supporting")
            ),
        ),
    )
)]
struct StrictRevocation;

/// Inventory's client side, not checking revocation at all.
#[wsbind::binding(
    channel(binding = "http", role = "client"),
    security(
        binding(kind = "ssl-transport", disable_cert_revocation_check = true),
        binding(
            kind = "security-context",
            usage = "supporting",
            key_entropy_mode = "client-only",
            secure_conversation_version = "1.3",
            bootstrap(
                binding(kind = "ssl-transport", disable_cert_revocation_check = true),
                binding(kind = "username", usage = "supporting")
            ),
        ),
    )
)]
struct NoRevocationCheck;

/// A CA, a server certificate for localhost it issued, and its CRL (revoking that
/// certificate when `revoked`).
fn ca_chain(revoked: bool) -> (Tls, String, String) {
    use rcgen::{
        date_time_ymd, BasicConstraints, CertificateParams, CertificateRevocationListParams, IsCa,
        KeyIdMethod, KeyPair, KeyUsagePurpose, RevokedCertParams, SerialNumber,
    };
    let ca_key = KeyPair::generate().expect("ca key");
    let mut ca = CertificateParams::new(Vec::new()).expect("ca params");
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let ca = ca.self_signed(&ca_key).expect("ca");
    let leaf_key = KeyPair::generate().expect("leaf key");
    let mut leaf = CertificateParams::new(vec!["localhost".to_owned()]).expect("leaf params");
    leaf.serial_number = Some(SerialNumber::from(42u64));
    let leaf = leaf.signed_by(&leaf_key, &ca, &ca_key).expect("leaf");
    let crl = CertificateRevocationListParams {
        this_update: date_time_ymd(2025, 1, 1),
        next_update: date_time_ymd(2035, 1, 1),
        crl_number: SerialNumber::from(1u64),
        issuing_distribution_point: None,
        revoked_certs: if revoked {
            vec![RevokedCertParams {
                serial_number: SerialNumber::from(42u64),
                revocation_time: date_time_ymd(2025, 6, 1),
                reason_code: None,
                invalidity_date: None,
            }]
        } else {
            Vec::new()
        },
        key_identifier_method: KeyIdMethod::Sha256,
    }
    .signed_by(&ca, &ca_key)
    .expect("crl");
    (
        Tls {
            cert: leaf.pem(),
            key: leaf_key.serialize_pem(),
        },
        ca.pem(),
        crl.pem().expect("crl pem"),
    )
}

/// Issue 12 item 14: revocation is checked against the CRLs the application gives, as
/// the description's ssl-transport says.
#[tokio::test]
async fn revoked_server_certificates_are_refused() {
    let (server, ca, crl) = ca_chain(true);
    let running = Inventory::server(check, ServerTls::from_pem(server.cert, server.key))
        .serve("127.0.0.1:0", echo)
        .await
        .expect("serve");
    let url = format!("https://localhost:{}/inv", running.local_addr().port());
    let get = "<e:Get xmlns:e=\"urn:example\"/>";
    let alice = || UsernameCredential::new("alice", "wonderland");
    // The default description checks against the CRL: the certificate is revoked.
    let client = Inventory::client(
        url.clone(),
        alice(),
        ClientTls::trust_pem(ca.clone()).with_crls_pem(crl.clone()),
    );
    let err = client
        .call("urn:example:Get", get)
        .await
        .expect_err("revoked");
    assert!(err.to_string().to_lowercase().contains("revoked"), "{err}");
    // Without a CRL its status is unknown: "revocation offline", ignored by default.
    let client = Inventory::client(url.clone(), alice(), ClientTls::trust_pem(ca.clone()));
    client
        .call("urn:example:Get", get)
        .await
        .expect("offline is ignored");
    // Not ignored: a clear refusal before any connection.
    let client = StrictRevocation::client(url.clone(), alice(), ClientTls::trust_pem(ca.clone()));
    let err = client
        .call("urn:example:Get", get)
        .await
        .expect_err("no CRL");
    assert!(err.to_string().contains("with_crls_pem"), "{err}");
    // disable-cert-revocation-check: the CRL is not consulted.
    let client = NoRevocationCheck::client(
        url.clone(),
        alice(),
        ClientTls::trust_pem(ca.clone()).with_crls_pem(crl),
    );
    client
        .call("urn:example:Get", get)
        .await
        .expect("not checked");
    running.shutdown().await;

    // A CRL that does not list the certificate: accepted even when strict.
    let (server, ca, crl) = ca_chain(false);
    let running = Inventory::server(check, ServerTls::from_pem(server.cert, server.key))
        .serve("127.0.0.1:0", echo)
        .await
        .expect("serve");
    let url = format!("https://localhost:{}/inv", running.local_addr().port());
    let client =
        StrictRevocation::client(url, alice(), ClientTls::trust_pem(ca).with_crls_pem(crl));
    client
        .call("urn:example:Get", get)
        .await
        .expect("not revoked");
    running.shutdown().await;
}

/// Issue 12 item 5: a slow password hash (as a validator should be) or a slow message
/// holds up nobody else: the engine locks only what it changes, and its work runs on
/// blocking threads, not on the async workers.
#[tokio::test]
async fn a_slow_validator_stalls_no_other_client() {
    fn slow(user: &str, pw: &Password) -> bool {
        if user == "slow" {
            std::thread::sleep(Duration::from_secs(2));
        }
        check(user, pw)
    }
    let t = tls();
    let running = Inventory::server(slow, ServerTls::from_pem(t.cert.clone(), t.key))
        .serve("127.0.0.1:0", echo)
        .await
        .expect("serve");
    let url = format!("https://localhost:{}/inv", running.local_addr().port());
    let get = "<e:Get xmlns:e=\"urn:example\"/>";
    let alice = Inventory::client(
        url.clone(),
        UsernameCredential::new("alice", "wonderland"),
        ClientTls::trust_pem(t.cert.clone()),
    );
    alice.connect().await.expect("alice's context");
    let slow_client = Inventory::client(
        url,
        UsernameCredential::new("slow", "wonderland"),
        ClientTls::trust_pem(t.cert),
    );
    let slow_call = tokio::spawn(async move { slow_client.call("urn:example:Get", get).await });
    tokio::time::sleep(Duration::from_millis(300)).await;
    let started = Instant::now();
    for _ in 0..3 {
        alice
            .call("urn:example:Get", get)
            .await
            .expect("alice served");
    }
    let took = started.elapsed();
    assert!(
        took < Duration::from_secs(1),
        "alice waited {took:?} behind a 2-second password check"
    );
    let slow_result = slow_call.await.expect("task");
    assert!(slow_result.is_err(), "slow is not a known user");
    running.shutdown().await;
}

#[tokio::test]
async fn clients_recover_when_a_server_restarts() {
    let t = tls();
    let running = Inventory::server(check, ServerTls::from_pem(t.cert.clone(), t.key.clone()))
        .serve("127.0.0.1:0", echo)
        .await
        .expect("serve");
    let addr = running.local_addr();
    let client = Inventory::client(
        format!("https://localhost:{}/inv", addr.port()),
        UsernameCredential::new("alice", "wonderland"),
        ClientTls::trust_pem(t.cert.clone()),
    );
    client
        .call("urn:example:Get", "<e:Get xmlns:e=\"urn:example\"/>")
        .await
        .expect("first");
    let first = client.context_id().expect("ctx");
    running.shutdown().await;

    // The same address, a new process's worth of memory: the context is gone.
    let running = Inventory::server(check, ServerTls::from_pem(t.cert.clone(), t.key))
        .serve(&addr.to_string(), echo)
        .await
        .expect("serve again");
    client
        .call("urn:example:Get", "<e:Get xmlns:e=\"urn:example\"/>")
        .await
        .expect("recovered");
    assert_ne!(client.context_id(), Some(first), "a new context");
    running.shutdown().await;
}

#[tokio::test]
async fn cookie_contexts_survive_a_restart_and_serve_a_farm() {
    let t = tls();
    let keys = || CookieKeys::new(7, [3u8; 32]);
    let a = Orders::server(check, ServerTls::from_pem(t.cert.clone(), t.key.clone()))
        .with_cookie_keys(keys())
        .serve("127.0.0.1:0", echo)
        .await
        .expect("a");
    let addr = a.local_addr();
    let client = Orders::client(
        format!("https://localhost:{}/orders", addr.port()),
        UsernameCredential::new("alice", "wonderland"),
        ClientTls::trust_pem(t.cert.clone()),
    );
    client
        .call("urn:example:Get", "<e:Get xmlns:e=\"urn:example\"/>")
        .await
        .expect("first");
    let id = client.context_id().expect("ctx");
    a.shutdown().await;
    let b = Orders::server(check, ServerTls::from_pem(t.cert.clone(), t.key))
        .with_cookie_keys(keys())
        .serve(&addr.to_string(), echo)
        .await
        .expect("b");
    client
        .call("urn:example:Get", "<e:Get xmlns:e=\"urn:example\"/>")
        .await
        .expect("served by b");
    assert_eq!(client.context_id(), Some(id), "the same context");
    b.shutdown().await;
}

/// TLS ends at a proxy in front of this server: plain HTTP, protection level none.
#[wsbind::binding(file = "examples/bindings/server-behind-tls-proxy.toml")]
struct BehindProxy;

/// Its clients use HTTPS to the proxy.
#[wsbind::binding(
    channel(binding = "http", role = "client"),
    security(
        binding(kind = "ssl-transport"),
        binding(
            kind = "security-context",
            usage = "supporting",
            secure_conversation_version = "1.3",
            key_entropy_mode = "server-only",
            bootstrap(
                binding(kind = "ssl-transport"),
                binding(kind = "username", usage = "supporting")
            ),
        ),
    )
)]
struct ProxyClient;

/// A TLS-terminating proxy: accepts TLS on a port of its own and forwards the plain
/// bytes to `backend`.
async fn tls_proxy(t: &Tls, backend: std::net::SocketAddr) -> std::net::SocketAddr {
    use rustls_pki_types::pem::PemObject;
    let chain = rustls_pki_types::CertificateDer::pem_slice_iter(t.cert.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .expect("chain");
    let key = rustls_pki_types::PrivateKeyDer::from_pem_slice(t.key.as_bytes()).expect("key");
    let config = rustls::ServerConfig::builder_with_provider(std::sync::Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("versions")
    .with_no_client_auth()
    .with_single_cert(chain, key)
    .expect("config");
    let acceptor = tokio_rustls::TlsAcceptor::from(std::sync::Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(mut front) = acceptor.accept(tcp).await else {
                    return;
                };
                let Ok(mut back) = tokio::net::TcpStream::connect(backend).await else {
                    return;
                };
                let _ = tokio::io::copy_bidirectional(&mut front, &mut back).await;
            });
        }
    });
    addr
}

#[tokio::test]
async fn a_server_behind_a_tls_proxy_speaks_plain_http() {
    let running = BehindProxy::server(check)
        .serve("127.0.0.1:0", echo)
        .await
        .expect("serve");
    let t = tls();
    let proxy = tls_proxy(&t, running.local_addr()).await;
    let client = ProxyClient::client(
        format!("https://localhost:{}/svc", proxy.port()),
        UsernameCredential::new("alice", "wonderland"),
        ClientTls::trust_pem(t.cert),
    );
    let reply = client
        .call("urn:example:Get", "<e:Get xmlns:e=\"urn:example\"/>")
        .await
        .expect("call through the proxy");
    assert!(reply.body.contains("by=\"alice\""), "{}", reply.body);
    client.close().await.expect("close");
    running.shutdown().await;
}

/// A description the compiler refuses (WSB0009): the channel unprotected (TLS ends at
/// a proxy) but the bootstrap naming ssl-transport. Built by hand, as plain data.
struct BootstrapWantsTls;

impl wsbind::Binding for BootstrapWantsTls {
    const NAME: &'static str = "BootstrapWantsTls";
    fn description() -> &'static wsbind::Description {
        static D: std::sync::OnceLock<wsbind::Description> = std::sync::OnceLock::new();
        D.get_or_init(|| {
            let mut d = <BehindProxy as wsbind::Binding>::description().clone();
            let context = d.security.context.as_mut().expect("a context");
            context.bootstrap.ssl = Some(wsbind::description::SslTransport {
                require_client_certificate: false,
                client_certificate: false,
                cert_failures_to_ignore: Default::default(),
                disable_cert_revocation_check: false,
            });
            d
        })
    }
}

#[tokio::test]
async fn a_bootstrap_with_ssl_transport_is_never_answered_over_plain_http() {
    // Without a certificate the server does not start...
    let mut credentials = wsbind::ServerCredentials::none();
    credentials.username = Some(std::sync::Arc::new(check));
    let refused = wsbind::Server::<BootstrapWantsTls>::new(credentials)
        .serve("127.0.0.1:0", echo)
        .await;
    assert!(
        matches!(&refused, Err(TransportError::Credentials(_))),
        "{refused:?}"
    );
    // ...and with one it speaks only HTTPS, where the bootstrap's password travels.
    let t = tls();
    let mut credentials = wsbind::ServerCredentials::none();
    credentials.username = Some(std::sync::Arc::new(check));
    credentials.tls = Some(ServerTls::from_pem(t.cert.clone(), t.key));
    let running = wsbind::Server::<BootstrapWantsTls>::new(credentials)
        .serve("127.0.0.1:0", echo)
        .await
        .expect("serve");
    let port = running.local_addr().port();
    let mut plain = tokio::net::TcpStream::connect(running.local_addr())
        .await
        .expect("connect");
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    plain
        .write_all(b"POST /svc HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\n\r\n")
        .await
        .expect("write");
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), plain.read_to_end(&mut answer)).await;
    assert!(
        !answer.starts_with(b"HTTP/"),
        "plain http was answered: {}",
        String::from_utf8_lossy(&answer)
    );
    let client = ProxyClient::client(
        format!("https://localhost:{port}/svc"),
        UsernameCredential::new("alice", "wonderland"),
        ClientTls::trust_pem(t.cert),
    );
    client
        .call("urn:example:Get", "<e:Get xmlns:e=\"urn:example\"/>")
        .await
        .expect("served over https");
    running.shutdown().await;
}

#[tokio::test]
async fn the_application_can_refuse_with_a_fault() {
    let t = tls();
    let running = Inventory::server(check, ServerTls::from_pem(t.cert.clone(), t.key))
        .serve("127.0.0.1:0", |call: Call| async move {
            if call.body.contains("Delete") {
                Answer::fault("deleting is not allowed for this user")
            } else {
                Answer::new("urn:example:Ok", "<e:Ok xmlns:e=\"urn:example\"/>")
            }
        })
        .await
        .expect("serve");
    let client = Inventory::client(
        format!("https://localhost:{}/inv", running.local_addr().port()),
        UsernameCredential::new("alice", "wonderland"),
        ClientTls::trust_pem(t.cert),
    );
    let err = client
        .call("urn:example:Delete", "<e:Delete xmlns:e=\"urn:example\"/>")
        .await
        .expect_err("refused by the application");
    assert!(
        err.to_string()
            .contains("deleting is not allowed for this user"),
        "{err}"
    );
    // The application's fault in one step.
    let fault = err.fault().expect("a fault");
    assert_eq!(fault.reason, "deleting is not allowed for this user");
    // The context is still good.
    client
        .call("urn:example:Get", "<e:Get xmlns:e=\"urn:example\"/>")
        .await
        .expect("a later call");
    running.shutdown().await;
}

/// HTTP basic authentication on every request, beside the security context.
#[wsbind::binding(
    channel(binding = "http", role = "server"),
    security(
        binding(kind = "ssl-transport"),
        binding(kind = "http-header-auth", scheme = "basic", basic_realm = "orders"),
        binding(
            kind = "security-context",
            usage = "supporting",
            secure_conversation_version = "1.3",
            key_entropy_mode = "combined",
            bootstrap(
                binding(kind = "ssl-transport"),
                binding(kind = "username", usage = "supporting")
            ),
        ),
    )
)]
struct BasicServer;

#[wsbind::binding(
    channel(binding = "http", role = "client"),
    security(
        binding(kind = "ssl-transport"),
        binding(kind = "http-header-auth", scheme = "basic"),
        binding(
            kind = "security-context",
            usage = "supporting",
            secure_conversation_version = "1.3",
            key_entropy_mode = "combined",
            bootstrap(
                binding(kind = "ssl-transport"),
                binding(kind = "username", usage = "supporting")
            ),
        ),
    )
)]
struct BasicClient;

/// The HTTP basic credentials of a gateway in front of every request.
fn gateway(user: &str, pw: &Password) -> bool {
    user == "gateway" && pw.matches("letmein")
}

#[tokio::test]
async fn http_basic_authentication_is_enforced() {
    let log = Log::default();
    let _logging = tracing::subscriber::set_default(log.subscriber());
    let t = tls();
    let running = BasicServer::server(check, gateway, ServerTls::from_pem(t.cert.clone(), t.key))
        .serve("127.0.0.1:0", echo)
        .await
        .expect("serve");
    let endpoint = format!("https://localhost:{}/orders", running.local_addr().port());
    let client = BasicClient::client(
        endpoint.clone(),
        UsernameCredential::new("alice", "wonderland"),
        UsernameCredential::new("gateway", "letmein"),
        ClientTls::trust_pem(t.cert.clone()),
    );
    let reply = client
        .call("urn:example:Get", "<e:Get xmlns:e=\"urn:example\"/>")
        .await
        .expect("call with basic credentials");
    // The identity the bootstrap authenticated reaches the handler.
    assert!(reply.body.contains("by=\"alice\""), "{}", reply.body);
    let wrong = BasicClient::client(
        endpoint,
        UsernameCredential::new("alice", "wonderland"),
        UsernameCredential::new("gateway", "guess"),
        ClientTls::trust_pem(t.cert),
    );
    let err = wrong
        .call("urn:example:Get", "<e:Get xmlns:e=\"urn:example\"/>")
        .await
        .expect_err("wrong basic credentials");
    assert!(matches!(err, TransportError::Unauthorized), "{err}");
    let refused = log.lines_with("HTTP basic authentication failed");
    assert!(!refused.is_empty(), "{}", log.text());
    for line in &refused {
        for what in ["peer=127.0.0.1:", "user=\"gateway\""] {
            assert!(line.contains(what), "{what} in {line}");
        }
    }
    running.shutdown().await;
}

/// SOAP 1.1 with WS-Addressing August 2004 end to end: the server answers in the
/// version of each request.
#[tokio::test]
async fn soap_1_1_with_august_2004_addressing() {
    use wsbind::wire::{Addressing, Soap};
    let t = tls();
    let running = Inventory::server(check, ServerTls::from_pem(t.cert.clone(), t.key))
        .serve("127.0.0.1:0", echo)
        .await
        .expect("serve");
    let client = Inventory::client(
        format!("https://localhost:{}/inv", running.local_addr().port()),
        UsernameCredential::new("alice", "wonderland"),
        ClientTls::trust_pem(t.cert),
    )
    .with_envelope(Soap::V11, Addressing::Aug2004);
    let reply = client
        .call("urn:example:Get", "<e:Get xmlns:e=\"urn:example\"/>")
        .await
        .expect("a SOAP 1.1 call");
    assert!(reply.body.contains("by=\"alice\""), "{}", reply.body);
    client.close().await.expect("close");
    running.shutdown().await;
}

/// `GET …?wsdl` (and WCF's `?singleWsdl`) answers with the WSDL the application gave;
/// without one, and for any other GET, the endpoint takes SOAP POSTs only.
#[tokio::test]
async fn the_wsdl_is_served_where_the_service_runs() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    async fn get(addr: std::net::SocketAddr, path: &str) -> String {
        let mut s = tokio::net::TcpStream::connect(addr).await.expect("connect");
        s.write_all(
            format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").as_bytes(),
        )
        .await
        .expect("request");
        let mut out = String::new();
        s.read_to_string(&mut out).await.expect("response");
        out
    }
    let wsdl = r#"<wsdl:definitions xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/" name="Orders"/>"#;
    let running = BehindProxy::server(check)
        .with_wsdl(wsdl)
        .serve("127.0.0.1:0", echo)
        .await
        .expect("serve");
    let addr = running.local_addr();
    for path in [
        "/orders?wsdl",
        "/orders?WSDL",
        "/orders?singleWsdl",
        "/orders?wsdl=wsdl0",
    ] {
        let answer = get(addr, path).await;
        assert!(answer.starts_with("HTTP/1.1 200"), "{path}: {answer}");
        assert!(
            answer.contains("content-type: text/xml"),
            "{path}: {answer}"
        );
        assert!(answer.ends_with(wsdl), "{path}: {answer}");
    }
    for path in ["/orders", "/orders?xsd=xsd0"] {
        let answer = get(addr, path).await;
        assert!(answer.starts_with("HTTP/1.1 405"), "{path}: {answer}");
    }
    running.shutdown().await;
    // No WSDL given: none served.
    let running = BehindProxy::server(check)
        .serve("127.0.0.1:0", echo)
        .await
        .expect("serve");
    let answer = get(running.local_addr(), "/orders?wsdl").await;
    assert!(answer.starts_with("HTTP/1.1 405"), "{answer}");
    running.shutdown().await;
}
