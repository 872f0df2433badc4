//! Apache CXF as the live peer of the Kerberos-bootstrapped security context, both
//! ways, against MIT's KDC (started by the test): the description is exported
//! (`wsbind export`) as the WSDL CXF loads unchanged — a SecureConversationToken whose
//! bootstrap is TLS with an endorsing `KerberosToken` (`WssGssKerberosV5ApReqToken11`),
//! the shape WCF exports for Kerberos over transport — and CXF's side logs in from a
//! keytab through the JDK's Kerberos (JAAS), WSS4J making or validating the AP-REQ.

#[path = "../../tests/cxf_peer/mod.rs"]
mod cxf_peer;
mod support;

use cxf_peer::*;
use support::{kdc, KerberosService, ALICE, REALM, SERVICE};
use wsbind::transport::{Answer, Call};
use wsbind::{ClientTls, ServerTls};
use wsbind_kerberos::{Acceptor, Initiator};

/// The template, exported as the WSDL of `Echo` at `address`.
fn kerberos_wsdl(dir: &std::path::Path, address: &str) -> String {
    let template = wsbind_compiler::templates::find("http-ssl-kerberos-apreq-security-context")
        .expect("template");
    let (path, policy) = exported_wsdl(
        dir,
        "kerberos.wsdl",
        template.text,
        &KerberosService::DESCRIPTION.security,
        address,
    );
    assert!(policy.contains("WssGssKerberosV5ApReqToken11"), "{policy}");
    path
}

/// The peer's options for one Kerberos principal.
fn kerberos_args(principal: &str, keytab: &std::path::Path) -> Vec<String> {
    let kdc = kdc();
    vec![
        "--krb5-conf".into(),
        kdc.dir.join("krb5.conf").display().to_string(),
        "--kerberos-principal".into(),
        principal.into(),
        "--kerberos-keytab".into(),
        keytab.display().to_string(),
        "--kerberos-spn".into(),
        format!("{SERVICE}@{REALM}"),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wsbind_client_cxf_service() {
    let _one = serial().await;
    let kdc = kdc();
    let dir = workdir("kerberos_wsbind_client_cxf_service");
    let t = tls(&dir);
    let wsdl = kerberos_wsdl(&dir, "https://localhost/echo");
    let mut extra = vec![
        "--wsdl".to_owned(),
        wsdl,
        "--service".into(),
        format!("{{{NS}}}Echo"),
        "--port-name".into(),
        format!("{{{NS}}}Echo_port"),
    ];
    extra.extend(kerberos_args(
        &format!("{SERVICE}@{REALM}"),
        &kdc.service_keytab,
    ));
    let extra: Vec<&str> = extra.iter().map(String::as_str).collect();
    let service = CxfService::start(&dir, &t, true, true, "alice:wonderland", &extra);
    let client = KerberosService::client(
        service.endpoint.clone(),
        Initiator::from_keytab(ALICE, &kdc.alice_keytab, SERVICE).expect("initiator"),
        ClientTls::trust_pem(t.cert_pem.clone()),
    );
    for i in 0..3 {
        let body = format!(r#"<e:Echo xmlns:e="{NS}">hello {i}</e:Echo>"#);
        let reply = match client.call(ACTION, &body).await {
            Ok(r) => r,
            Err(e) => panic!(
                "call {i}: {e}\n{}\nstderr:\n{}",
                messages(&service.log),
                tail(&dir.join("cxf-service.stderr"))
            ),
        };
        assert!(reply.body.contains(&format!("hello {i}")), "{}", reply.body);
    }
    // One negotiation, carrying the AP-REQ; then the calls under the context.
    let received = actions(&service.log, "service-in");
    assert_eq!(
        received.iter().filter(|a| a.contains("RST/SCT")).count(),
        1,
        "{received:?}"
    );
    let rst = log_files(&service.log, "service-in")
        .first()
        .map(|p| std::fs::read_to_string(p).expect("read"))
        .expect("the RST");
    assert!(rst.contains("#GSS_Kerberosv5_AP_REQ"), "{rst}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cxf_client_wsbind_service() {
    let _one = serial().await;
    let kdc = kdc();
    let dir = workdir("kerberos_cxf_client_wsbind_service");
    let t = tls(&dir);
    let running = KerberosService::server(
        Acceptor::from_keytab(&kdc.service_keytab).expect("acceptor"),
        ServerTls::from_pem(t.cert_pem.clone(), t.key_pem.clone()),
    )
    .serve("127.0.0.1:0", |call: Call| async move {
        assert!(call.signed.is_some(), "signed by the context");
        Answer::new(
            "urn:wsbind:interop/EchoResponse",
            format!(
                r#"<e:EchoResponse xmlns:e="{NS}" by="{}">{}</e:EchoResponse>"#,
                call.identity.name,
                call.body.replace('&', "&amp;").replace('<', "&lt;")
            ),
        )
    })
    .await
    .expect("serve");
    let endpoint = format!("https://localhost:{}/echo", running.local_addr().port());
    let wsdl = kerberos_wsdl(&dir, &endpoint);
    let extra = kerberos_args(&format!("{ALICE}@{REALM}"), &kdc.alice_keytab);
    let extra: Vec<&str> = extra.iter().map(String::as_str).collect();
    let replies = cxf_echo_client(&dir, &endpoint, &t.cert, true, &wsdl, 3, &extra).await;
    for (i, reply) in replies.iter().enumerate() {
        assert!(
            reply.contains(&format!("hello {i}"))
                && reply.contains(&format!("by=\"{ALICE}@{REALM}\"")),
            "{reply}"
        );
    }
    running.shutdown().await;
}
