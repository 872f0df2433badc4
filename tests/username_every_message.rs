//! A username on every message over HTTPS (WWSAPI's `http-ssl-username` template; WCF's
//! TransportWithMessageCredential with `UserName` and no security context): the typed
//! client sends each call with its username token, the typed server validates each and
//! hands the handler the user; a wrong password is a clear fault; nothing is negotiated.

use wsbind::engine::EngineError;
use wsbind::security::FaultCode;
use wsbind::transport::{Answer, Call, TransportError};
use wsbind::{ClientTls, Password, ServerTls, UsernameCredential};

/// The template, as `wsbind new --template http-ssl-username` writes it.
#[wsbind::binding(
    channel(binding = "http", role = "both"),
    security(
        binding(kind = "ssl-transport"),
        binding(kind = "username", usage = "supporting")
    )
)]
struct Orders;

/// WCF's basicHttpBinding with TransportWithMessageCredential and UserName: SOAP 1.1,
/// no WS-Addressing (the action travels in `SOAPAction`).
#[wsbind::binding(
    channel(
        binding = "http",
        role = "both",
        envelope_version = "soap-1.1",
        addressing_version = "transport"
    ),
    security(
        binding(kind = "ssl-transport"),
        binding(kind = "username", usage = "supporting")
    )
)]
struct BasicHttp;

fn check(user: &str, pw: &Password) -> bool {
    user == "alice" && pw.matches("wonderland")
}

async fn handler(call: Call) -> Answer {
    assert!(call.signed.is_none(), "no context signs a request here");
    Answer::new(
        "urn:example:orders/PayResponse",
        format!(
            r#"<m:Paid xmlns:m="urn:example:orders" by="{}"/>"#,
            call.identity.name
        ),
    )
}

#[tokio::test]
async fn calls_carry_the_username_and_a_wrong_password_is_refused() {
    let c = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).expect("cert");
    let (cert, key) = (c.cert.pem(), c.key_pair.serialize_pem());
    let running = Orders::server(check, ServerTls::from_pem(cert.clone(), key))
        .serve("127.0.0.1:0", handler)
        .await
        .expect("serve");
    let endpoint = format!("https://localhost:{}/orders", running.local_addr().port());
    let client = Orders::client(
        endpoint.clone(),
        UsernameCredential::new("alice", "wonderland"),
        ClientTls::trust_pem(cert.clone()),
    );
    for _ in 0..3 {
        let reply = client
            .call(
                "urn:example:orders/Pay",
                r#"<m:Pay xmlns:m="urn:example:orders">10</m:Pay>"#,
            )
            .await
            .expect("a reply");
        assert!(reply.body.contains(r#"by="alice""#), "{}", reply.body);
    }
    assert_eq!(client.context_id(), None, "no context");
    client
        .close()
        .await
        .expect("closing sends nothing and succeeds");

    let wrong = Orders::client(
        endpoint,
        UsernameCredential::new("alice", "looking-glass"),
        ClientTls::trust_pem(cert),
    );
    match wrong
        .call(
            "urn:example:orders/Pay",
            "<m:Pay xmlns:m=\"urn:example:orders\"/>",
        )
        .await
    {
        Err(TransportError::Engine(EngineError::Fault(f))) => {
            assert_eq!(f.code, Some(FaultCode::FailedAuthentication), "{f}")
        }
        other => panic!("{other:?}"),
    }
    running.shutdown().await;
}

#[tokio::test]
async fn without_ws_addressing_the_action_travels_in_http() {
    let c = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).expect("cert");
    let (cert, key) = (c.cert.pem(), c.key_pair.serialize_pem());
    let running = BasicHttp::server(check, ServerTls::from_pem(cert.clone(), key))
        .serve("127.0.0.1:0", |call: Call| async move {
            Answer::new(
                "urn:example:orders/PayResponse",
                format!(
                    r#"<m:Paid xmlns:m="urn:example:orders" by="{}" action="{}"/>"#,
                    call.identity.name,
                    call.action.unwrap_or_default()
                ),
            )
        })
        .await
        .expect("serve");
    let client = BasicHttp::client(
        format!("https://localhost:{}/orders", running.local_addr().port()),
        UsernameCredential::new("alice", "wonderland"),
        ClientTls::trust_pem(cert),
    );
    let reply = client
        .call(
            "urn:example:orders/Pay",
            r#"<m:Pay xmlns:m="urn:example:orders">10</m:Pay>"#,
        )
        .await
        .expect("a reply");
    assert!(reply.body.contains(r#"by="alice""#), "{}", reply.body);
    assert!(
        reply.body.contains(r#"action="urn:example:orders/Pay""#),
        "{}",
        reply.body
    );
    running.shutdown().await;
}
