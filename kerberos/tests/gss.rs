//! The initiator and the acceptor against a real KDC (MIT's, started by the test): the
//! AP-REQ, the session key both sides agree on, and each refusal a service must make.

mod support;

use support::{kdc, ALICE, ALICE_PASSWORD, REALM, SERVICE};
use wsbind_kerberos::{Acceptor, Initiator, KerberosAcceptor, KerberosError, KerberosInitiator};

#[test]
fn an_ap_req_from_a_keytab_is_accepted_and_both_sides_hold_one_key() {
    let kdc = kdc();
    let client = Initiator::from_keytab(ALICE, &kdc.alice_keytab, SERVICE).expect("initiator");
    let service = Acceptor::from_keytab(&kdc.service_keytab).expect("acceptor");
    let ticket = client.ap_req().expect("an AP-REQ");
    // RFC 4121's framing: [APPLICATION 0], then the Kerberos V5 mechanism's OID.
    assert_eq!(ticket.token[0], 0x60);
    assert!(ticket
        .token
        .windows(9)
        .any(|w| w == b"\x2a\x86\x48\x86\xf7\x12\x01\x02\x02"));
    let accepted = service.accept(&ticket.token).expect("accepted");
    assert_eq!(accepted.identity.name, format!("{ALICE}@{REALM}"));
    assert_eq!(accepted.service, format!("{SERVICE}@{REALM}"));
    assert!(accepted.key.ct_eq(&ticket.key));
    // AES-256: the KDC's first encryption type.
    assert_eq!(ticket.key.len(), 32);
}

#[test]
fn a_password_gets_tickets_too() {
    kdc();
    let client = Initiator::with_password(ALICE, ALICE_PASSWORD, SERVICE).expect("initiator");
    let service = Acceptor::for_principal(SERVICE, &kdc().service_keytab).expect("acceptor");
    let ticket = client.ap_req().expect("an AP-REQ");
    assert!(service
        .accept(&ticket.token)
        .expect("accepted")
        .key
        .ct_eq(&ticket.key));
}

#[test]
fn a_wrong_password_fails_when_the_initiator_is_made() {
    kdc();
    let e = Initiator::with_password(ALICE, "not her password", SERVICE).expect_err("refused");
    assert!(
        matches!(
            e,
            KerberosError::Credentials { .. } | KerberosError::Ticket { .. }
        ),
        "{e}"
    );
    assert!(e.to_string().contains("alice"), "{e}");
}

#[test]
fn an_unknown_service_fails_when_the_initiator_is_made() {
    let kdc = kdc();
    let e = Initiator::from_keytab(ALICE, &kdc.alice_keytab, "HTTP/nowhere").expect_err("refused");
    assert!(matches!(e, KerberosError::Ticket { .. }), "{e}");
    assert!(e.to_string().contains("HTTP/nowhere"), "{e}");
}

#[test]
fn a_replayed_ap_req_is_refused() {
    let kdc = kdc();
    let client = Initiator::from_keytab(ALICE, &kdc.alice_keytab, SERVICE).expect("initiator");
    let service = Acceptor::from_keytab(&kdc.service_keytab).expect("acceptor");
    let ticket = client.ap_req().expect("an AP-REQ");
    service.accept(&ticket.token).expect("accepted once");
    let e = service.accept(&ticket.token).expect_err("a replay");
    eprintln!("replayed: {e}");
    assert!(e.0.contains("replay"), "{e}");
}

#[test]
fn a_wrong_keytab_refuses_the_ticket() {
    let kdc = kdc();
    let client = Initiator::from_keytab(ALICE, &kdc.alice_keytab, SERVICE).expect("initiator");
    let service = Acceptor::from_keytab(kdc.wrong_service_keytab()).expect("acceptor");
    let ticket = client.ap_req().expect("an AP-REQ");
    let e = service.accept(&ticket.token).expect_err("refused");
    assert!(e.0.contains("AP-REQ refused"), "{e}");
}

#[test]
fn an_expired_ticket_is_refused() {
    let kdc = kdc();
    // The KDC issues HTTP/shortlived tickets for one second, and the test's krb5.conf
    // allows two seconds of clock skew: four seconds on, the ticket has expired.
    let client =
        Initiator::from_keytab(ALICE, &kdc.alice_keytab, "HTTP/shortlived").expect("initiator");
    let service = Acceptor::from_keytab(&kdc.service_keytab).expect("acceptor");
    let ticket = client.ap_req().expect("an AP-REQ");
    std::thread::sleep(std::time::Duration::from_secs(4));
    let e = service.accept(&ticket.token).expect_err("expired");
    eprintln!("expired: {e}");
    assert!(e.0.contains("expired") || e.0.contains("skew"), "{e}");
}

#[test]
fn garbage_is_refused_without_a_panic() {
    let kdc = kdc();
    let service = Acceptor::from_keytab(&kdc.service_keytab).expect("acceptor");
    for bytes in [
        &b""[..],
        b"\x60",
        b"\x60\x82\xff\xff",
        &[0u8; 64][..],
        b"not a token",
    ] {
        assert!(service.accept(bytes).is_err());
    }
}

#[test]
fn a_ticket_cache_filled_by_kinit_serves_too() {
    let kdc = kdc();
    let cache = format!("FILE:{}/kinit.ccache", kdc.dir.display());
    let out = std::process::Command::new("kinit")
        .args(["-k", "-t"])
        .arg(&kdc.alice_keytab)
        .args(["-c", &cache, ALICE])
        .env("KRB5_CONFIG", kdc.dir.join("krb5.conf"))
        .output()
        .expect("kinit runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let client = Initiator::from_cache(&cache, SERVICE).expect("initiator");
    assert_eq!(client.spn(), SERVICE);
    let service = Acceptor::from_keytab(&kdc.service_keytab).expect("acceptor");
    let accepted = service
        .accept(&client.ap_req().expect("AP-REQ").token)
        .expect("accepted");
    assert_eq!(accepted.identity.name, format!("{ALICE}@{REALM}"));
    // An empty cache: no credentials, said when the initiator is made.
    let e = Initiator::from_cache(&format!("FILE:{}/empty.ccache", kdc.dir.display()), SERVICE)
        .expect_err("no tickets");
    assert!(e.to_string().contains("empty.ccache"), "{e}");
}
