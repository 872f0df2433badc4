//! TLS client certificates (issue 20 item 2): a server whose description requires them
//! (`require-client-certificate = true`) verifies each client's chain against the roots
//! it was given, and the certificate's subject is the client's identity; a client
//! without a certificate, or with one from another CA, does not get through the
//! handshake; a server given no roots for them does not start.

use wsbind::transport::{Answer, Call};
use wsbind::{ClientTls, ServerTls};

/// The service: TLS alone, a client certificate required (WCF's Transport security
/// with `clientCredentialType="Certificate"`).
#[wsbind::binding(
    channel(binding = "http", role = "server"),
    security(binding(kind = "ssl-transport", require_client_certificate = true))
)]
struct CertService;

/// Its clients: TLS alone (the certificate is a credential, given to `ClientTls`).
#[wsbind::binding(
    channel(binding = "http", role = "client"),
    security(binding(kind = "ssl-transport"))
)]
struct CertClient;

/// A security context whose bootstrap is authenticated by the client certificate alone
/// (WSB0047 counts it): it compiles for the server.
#[wsbind::binding(
    channel(binding = "http", role = "server"),
    security(
        binding(kind = "ssl-transport"),
        binding(
            kind = "security-context",
            usage = "supporting",
            bootstrap(binding(kind = "ssl-transport", require_client_certificate = true)),
        ),
    )
)]
struct CertBootstrappedContext;

/// Its clients: the certificate they present authenticates the bootstrap
/// (`wsbind-client-certificate`, so `client(...)` takes it).
#[wsbind::binding(
    channel(binding = "http", role = "client"),
    security(
        binding(kind = "ssl-transport"),
        binding(
            kind = "security-context",
            usage = "supporting",
            bootstrap(binding(kind = "ssl-transport", wsbind_client_certificate = true)),
        ),
    )
)]
struct CertContextClient;

struct Pki {
    ca_pem: String,
    server_cert: String,
    server_key: String,
    client_cert: String,
    client_key: String,
}

/// A CA; a server certificate for localhost and a client certificate for `CN=alice,
/// O=Example` it issued.
fn pki() -> Pki {
    use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair, KeyUsagePurpose};
    let ca_key = KeyPair::generate().expect("ca key");
    let mut ca = CertificateParams::new(Vec::new()).expect("ca params");
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign];
    ca.distinguished_name
        .push(DnType::CommonName, "wsbind test CA");
    let ca = ca.self_signed(&ca_key).expect("ca");
    let server_key = KeyPair::generate().expect("server key");
    let server = CertificateParams::new(vec!["localhost".to_owned()])
        .expect("server params")
        .signed_by(&server_key, &ca, &ca_key)
        .expect("server");
    let client_key = KeyPair::generate().expect("client key");
    let mut client = CertificateParams::new(Vec::new()).expect("client params");
    client.distinguished_name.push(DnType::CommonName, "alice");
    client
        .distinguished_name
        .push(DnType::OrganizationName, "Example");
    let client = client.signed_by(&client_key, &ca, &ca_key).expect("client");
    Pki {
        ca_pem: ca.pem(),
        server_cert: server.pem(),
        server_key: server_key.serialize_pem(),
        client_cert: client.pem(),
        client_key: client_key.serialize_pem(),
    }
}

async fn whoami(call: Call) -> Answer {
    assert!(call.signed.is_none());
    Answer::new(
        "urn:example:WhoAmIResponse",
        format!(
            r#"<e:You xmlns:e="urn:example">{}</e:You>"#,
            call.identity.name
        ),
    )
}

const BODY: &str = r#"<e:WhoAmI xmlns:e="urn:example"/>"#;

#[tokio::test]
async fn the_client_certificate_is_required_verified_and_names_the_client() {
    let p = pki();
    let running = CertService::server(
        ServerTls::from_pem(p.server_cert.clone(), p.server_key.clone())
            .require_client_certificates(p.ca_pem.clone()),
    )
    .serve("127.0.0.1:0", whoami)
    .await
    .expect("serve");
    let endpoint = format!("https://localhost:{}/who", running.local_addr().port());

    let client = CertClient::client(
        endpoint.clone(),
        ClientTls::trust_pem(p.ca_pem.clone())
            .with_client_certificate(p.client_cert.clone(), p.client_key.clone()),
    );
    let reply = client
        .call("urn:example:WhoAmI", BODY)
        .await
        .expect("a reply");
    assert!(reply.body.contains("CN=alice"), "{}", reply.body);
    assert!(reply.body.contains("O=Example"), "{}", reply.body);

    // No certificate: the handshake fails, and the client says it could not connect.
    let anonymous = CertClient::client(endpoint.clone(), ClientTls::trust_pem(p.ca_pem.clone()));
    let e = anonymous
        .call("urn:example:WhoAmI", BODY)
        .await
        .expect_err("refused");
    eprintln!("without a certificate: {e}");
    assert!(e.is_connect(), "{e:?}");

    // A certificate from another CA: refused the same way.
    let other = pki();
    let stranger = CertClient::client(
        endpoint,
        ClientTls::trust_pem(p.ca_pem.clone())
            .with_client_certificate(other.client_cert, other.client_key),
    );
    assert!(stranger.call("urn:example:WhoAmI", BODY).await.is_err());
    running.shutdown().await;
}

#[tokio::test]
async fn a_server_requiring_client_certificates_needs_their_roots() {
    let p = pki();
    let e = CertService::server(ServerTls::from_pem(p.server_cert, p.server_key))
        .serve("127.0.0.1:0", whoami)
        .await
        .expect_err("no roots for client certificates");
    assert!(e.to_string().contains("require_client_certificates"), "{e}");
    // The certificate-bootstrapped context's description compiles and asks for the same.
    assert!(CertBootstrappedContext::DESCRIPTION
        .security
        .needs_client_certificate());
}

/// A security context bootstrapped by the client certificate alone: negotiated over the
/// certificate-authenticated TLS connection, the context stands for the certificate's
/// subject, and every call through it reaches the handler as that identity.
#[tokio::test]
async fn a_context_bootstrapped_by_the_client_certificate() {
    let p = pki();
    let running = CertBootstrappedContext::server(
        ServerTls::from_pem(p.server_cert.clone(), p.server_key.clone())
            .require_client_certificates(p.ca_pem.clone()),
    )
    .serve("127.0.0.1:0", |call: Call| async move {
        assert!(call.signed.is_some(), "signed by the context");
        Answer::new(
            "urn:example:WhoAmIResponse",
            format!(
                r#"<e:You xmlns:e="urn:example">{}</e:You>"#,
                call.identity.name
            ),
        )
    })
    .await
    .expect("serve");
    let client = CertContextClient::client(
        format!("https://localhost:{}/who", running.local_addr().port()),
        ClientTls::trust_pem(p.ca_pem.clone()),
        wsbind::TlsIdentity::from_pem(p.client_cert.clone(), p.client_key.clone()),
    );
    for _ in 0..3 {
        let reply = client
            .call("urn:example:WhoAmI", BODY)
            .await
            .expect("a reply");
        assert!(reply.body.contains("CN=alice"), "{}", reply.body);
    }
    assert!(client.context_id().is_some(), "a context was negotiated");
    client.close().await.expect("cancelled");
    running.shutdown().await;
}
