//! The Kerberos-bootstrapped security context end to end over HTTPS, against MIT's KDC
//! (started by the test): the generated `client(...)` takes a `wsbind_kerberos::Initiator`,
//! `server(...)` a `wsbind_kerberos::Acceptor`; the context negotiated with the AP-REQ
//! stands for the client principal in every call. And the refusals a client sees: a
//! service with the wrong keytab, a client whose tickets are for another service.

mod support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use support::{kdc, KerberosService, ALICE, REALM, SERVICE};
use wsbind::transport::{Answer, Call};
use wsbind::{ClientTls, ServerTls};
use wsbind::{KerberosInitiator, KerberosTicket, Rejected};
use wsbind_kerberos::{Acceptor, Initiator};

/// An initiator that counts the AP-REQs it makes.
struct Counting {
    inner: Initiator,
    made: Arc<AtomicUsize>,
}

impl KerberosInitiator for Counting {
    fn ap_req(&self) -> Result<KerberosTicket, Rejected> {
        self.made.fetch_add(1, Ordering::SeqCst);
        self.inner.ap_req()
    }
}

const BODY: &str = r#"<e:WhoAmI xmlns:e="urn:example"/>"#;

async fn whoami(call: Call) -> Answer {
    assert!(call.signed.is_some(), "signed by the context");
    Answer::new(
        "urn:example:WhoAmIResponse",
        format!(
            r#"<e:You xmlns:e="urn:example">{}</e:You>"#,
            call.identity.name
        ),
    )
}

/// The service on loopback with the keys of `keytab`: it runs, its endpoint, the
/// certificate its clients trust.
async fn serve(keytab: &std::path::Path) -> (wsbind::transport::server::Running, String, String) {
    let c = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).expect("cert");
    let cert = c.cert.pem();
    let running = KerberosService::server(
        Acceptor::from_keytab(keytab).expect("acceptor"),
        ServerTls::from_pem(cert.clone(), c.key_pair.serialize_pem()),
    )
    .serve("127.0.0.1:0", whoami)
    .await
    .expect("serve");
    let endpoint = format!("https://localhost:{}/who", running.local_addr().port());
    (running, endpoint, cert)
}

#[tokio::test]
async fn a_context_bootstrapped_by_kerberos_over_https() {
    let kdc = kdc();
    let (running, endpoint, cert) = serve(&kdc.service_keytab).await;
    let initiator = Counting {
        inner: Initiator::from_keytab(ALICE, &kdc.alice_keytab, SERVICE).expect("initiator"),
        made: Arc::new(AtomicUsize::new(0)),
    };
    let made = initiator.made.clone();
    let client = KerberosService::client(endpoint.clone(), initiator, ClientTls::trust_pem(cert));
    // Calls from several tasks at once share one negotiation.
    let calls = (0..4).map(|_| {
        let client = client.clone();
        tokio::spawn(async move { client.call("urn:example:WhoAmI", BODY).await })
    });
    for call in calls {
        let reply = call.await.expect("join").expect("a reply");
        assert!(
            reply.body.contains(&format!("{ALICE}@{REALM}")),
            "{}",
            reply.body
        );
    }
    assert!(client.context_id().is_some());
    // One negotiation, one AP-REQ: none is made and thrown away.
    assert_eq!(made.load(Ordering::SeqCst), 1);
    client.close().await.expect("cancelled");
    running.shutdown().await;
}

#[tokio::test]
async fn a_service_with_the_wrong_keytab_fails_authentication() {
    let kdc = kdc();
    let (running, endpoint, cert) = serve(&kdc.wrong_service_keytab()).await;
    let client = KerberosService::client(
        endpoint.clone(),
        Initiator::from_keytab(ALICE, &kdc.alice_keytab, SERVICE).expect("initiator"),
        ClientTls::trust_pem(cert),
    );
    let e = client
        .call("urn:example:WhoAmI", BODY)
        .await
        .expect_err("refused");
    eprintln!("with the wrong keytab: {e}");
    assert!(e.to_string().contains("FailedAuthentication"), "{e}");
    running.shutdown().await;
}

/// Hands out the AP-REQs it was given, in turn (the last one again when they run out).
struct Canned(std::sync::Mutex<Vec<KerberosTicket>>);

impl KerberosInitiator for Canned {
    fn ap_req(&self) -> Result<KerberosTicket, Rejected> {
        let mut tickets = self.0.lock().expect("lock");
        if tickets.len() > 1 {
            return Ok(tickets.remove(0));
        }
        Ok(KerberosTicket {
            token: tickets[0].token.clone(),
            key: tickets[0].key.clone(),
        })
    }
}

/// An AP-REQ whose ticket expired, and one sent a second time: each refused by the
/// service over HTTPS, the client told its credentials were rejected.
#[tokio::test]
async fn an_expired_ticket_and_a_replayed_ap_req_are_refused() {
    let kdc = kdc();
    let (running, endpoint, cert) = serve(&kdc.service_keytab).await;
    let refused = |e: wsbind::transport::TransportError| {
        eprintln!("refused: {e}");
        assert!(e.to_string().contains("FailedAuthentication"), "{e}");
    };

    // HTTP/shortlived's tickets last one second; the test's realm allows two seconds of
    // clock skew.
    let short =
        Initiator::from_keytab(ALICE, &kdc.alice_keytab, "HTTP/shortlived").expect("initiator");
    let stale = short.ap_req().expect("an AP-REQ");
    tokio::time::sleep(std::time::Duration::from_secs(4)).await;
    let client = KerberosService::client(
        endpoint.clone(),
        Canned(std::sync::Mutex::new(vec![stale])),
        ClientTls::trust_pem(cert.clone()),
    );
    refused(
        client
            .call("urn:example:WhoAmI", BODY)
            .await
            .expect_err("expired"),
    );

    // One AP-REQ, twice: the first negotiation succeeds, the second is a replay.
    let fresh = Initiator::from_keytab(ALICE, &kdc.alice_keytab, SERVICE)
        .expect("initiator")
        .ap_req()
        .expect("an AP-REQ");
    let copy = |t: &KerberosTicket| KerberosTicket {
        token: t.token.clone(),
        key: t.key.clone(),
    };
    let first = KerberosService::client(
        endpoint.clone(),
        Canned(std::sync::Mutex::new(vec![copy(&fresh)])),
        ClientTls::trust_pem(cert.clone()),
    );
    first
        .call("urn:example:WhoAmI", BODY)
        .await
        .expect("the first use");
    let second = KerberosService::client(
        endpoint,
        Canned(std::sync::Mutex::new(vec![fresh])),
        ClientTls::trust_pem(cert),
    );
    refused(
        second
            .call("urn:example:WhoAmI", BODY)
            .await
            .expect_err("a replay"),
    );
    running.shutdown().await;
}
