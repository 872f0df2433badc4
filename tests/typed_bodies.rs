//! Typed bodies (feature `serde`): the client sends a Rust value and reads the reply as
//! one (`call_xml`), the handler reads the request as one (`Call::body_as`) and answers
//! with one (`Answer::xml`); an application fault carries its `<detail>`, which the
//! client reads back whole; and the raw forms stay available.

use serde::{Deserialize, Serialize};
use wsbind::transport::{Answer, Call, TransportError};
use wsbind::{ClientTls, Password, ServerTls, UsernameCredential};

#[wsbind::binding(file = "examples/bindings/quickstart.toml")]
struct Orders;

fn check(user: &str, pw: &Password) -> bool {
    user == "alice" && pw.matches("wonderland")
}

/// `<o:Submit xmlns:o="urn:example:orders"><o:Item qty="2">tea</o:Item>…</o:Submit>`
#[derive(Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename = "o:Submit")]
struct Submit {
    #[serde(rename = "@xmlns:o")]
    ns: String,
    // Written with its prefix; read by its local name (quick-xml's reader matches
    // local names).
    #[serde(rename(serialize = "o:Item", deserialize = "Item"), default)]
    items: Vec<Item>,
}

#[derive(Debug, Serialize, Deserialize, PartialEq)]
struct Item {
    #[serde(rename = "@qty")]
    qty: u32,
    #[serde(rename = "$text")]
    name: String,
}

#[derive(Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename = "o:Accepted")]
struct Accepted {
    #[serde(rename = "@xmlns:o")]
    ns: String,
    #[serde(rename = "@by")]
    by: String,
    #[serde(rename = "@count")]
    count: usize,
}

const NS: &str = "urn:example:orders";

async fn handler(call: Call) -> Answer {
    let submit: Submit = match call.body_as() {
        Ok(s) => s,
        Err(e) => return Answer::fault(format!("not an order: {e}")),
    };
    if submit.items.iter().any(|i| i.qty == 0) {
        return Answer::fault("an item without a quantity").with_detail(format!(
            "<o:Rejected xmlns:o=\"{NS}\"><o:Item>{}</o:Item><o:Why>quantity 0</o:Why></o:Rejected>",
            submit.items.iter().find(|i| i.qty == 0).map_or("", |i| &i.name)
        ));
    }
    Answer::xml(
        "urn:example:orders/SubmitResponse",
        &Accepted {
            ns: NS.to_owned(),
            by: call.identity.name.clone(),
            count: submit.items.len(),
        },
    )
    .unwrap_or_else(|e| Answer::fault(e.to_string()))
}

#[tokio::test]
async fn typed_bodies_both_ways_and_fault_details() {
    let c = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).expect("cert");
    let cert = c.cert.pem();
    let running = Orders::server(
        check,
        ServerTls::from_pem(cert.clone(), c.key_pair.serialize_pem()),
    )
    .serve("127.0.0.1:0", handler)
    .await
    .expect("serve");
    let client = Orders::client(
        format!("https://localhost:{}/orders", running.local_addr().port()),
        UsernameCredential::new("alice", "wonderland"),
        ClientTls::trust_pem(cert),
    );
    let order = Submit {
        ns: NS.to_owned(),
        items: vec![
            Item {
                qty: 2,
                name: "tea".into(),
            },
            Item {
                qty: 1,
                name: "cake & cream".into(),
            },
        ],
    };
    let accepted: Accepted = client
        .call_xml("urn:example:orders/Submit", &order)
        .await
        .expect("a typed call");
    assert_eq!(
        accepted,
        Accepted {
            ns: NS.to_owned(),
            by: "alice".into(),
            count: 2
        }
    );

    // A fault with a detail: the client reads the detail whole.
    let bad = Submit {
        ns: NS.to_owned(),
        items: vec![Item {
            qty: 0,
            name: "water".into(),
        }],
    };
    let err = client
        .call_xml::<_, Accepted>("urn:example:orders/Submit", &bad)
        .await
        .expect_err("refused");
    let fault = err.fault().expect("a fault");
    assert_eq!(fault.reason, "an item without a quantity");
    let detail = fault.detail.as_deref().expect("a detail");
    assert_eq!(
        detail,
        format!(
            "<o:Rejected xmlns:o=\"{NS}\"><o:Item>water</o:Item><o:Why>quantity 0</o:Why></o:Rejected>"
        )
    );

    // A reply that is not the type asked for is a body error, not a panic.
    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Invoice {
        #[serde(rename = "@total")]
        total: u64,
    }
    let wrong = client
        .call_xml::<_, Invoice>("urn:example:orders/Submit", &order)
        .await
        .expect_err("an Accepted has no total");
    assert!(matches!(wrong, TransportError::Body(_)), "{wrong}");
    // The raw form is still there.
    let raw = client
        .call("urn:example:orders/Submit", &quick_xml_free(&order))
        .await
        .expect("a raw call");
    assert!(raw.body.contains("count=\"2\""), "{}", raw.body);
    running.shutdown().await;
}

/// The order written by hand, as a client without serde would.
fn quick_xml_free(order: &Submit) -> String {
    let items: String = order
        .items
        .iter()
        .map(|i| {
            format!(
                "<o:Item qty=\"{}\">{}</o:Item>",
                i.qty,
                i.name.replace('&', "&amp;")
            )
        })
        .collect();
    format!("<o:Submit xmlns:o=\"{NS}\">{items}</o:Submit>")
}

/// The application's own SOAP headers, both ways: the client sends a tenant header, the
/// handler reads it and answers with a trace header, the client reads that back. A
/// header that asks to be understood (`mustUnderstand`) stays refused: nothing here
/// understands it.
#[tokio::test]
async fn application_headers_both_ways() {
    let c = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).expect("cert");
    let cert = c.cert.pem();
    let running = Orders::server(
        check,
        ServerTls::from_pem(cert.clone(), c.key_pair.serialize_pem()),
    )
    .serve("127.0.0.1:0", |call: Call| async move {
        let answer = Answer::new("urn:example:Ok", "<e:Ok xmlns:e=\"urn:example\"/>")
            .with_header("<h:Trace xmlns:h=\"urn:example:h\">t-42</h:Trace>");
        // The tenant the client sent, echoed.
        match call.headers.iter().find(|h| h.contains("Tenant")) {
            Some(tenant) => answer.with_header(tenant.clone()),
            None => answer,
        }
    })
    .await
    .expect("serve");
    let client = Orders::client(
        format!("https://localhost:{}/orders", running.local_addr().port()),
        UsernameCredential::new("alice", "wonderland"),
        ClientTls::trust_pem(cert),
    );
    let reply = client
        .call_with_headers(
            "urn:example:Get",
            vec!["<h:Tenant xmlns:h=\"urn:example:h\">acme</h:Tenant>".to_owned()],
            "<e:Get xmlns:e=\"urn:example\"/>",
        )
        .await
        .expect("a call with a header");
    assert_eq!(
        reply.headers,
        [
            "<h:Trace xmlns:h=\"urn:example:h\">t-42</h:Trace>",
            "<h:Tenant xmlns:h=\"urn:example:h\">acme</h:Tenant>"
        ]
    );
    // A plain call carries none: the handler saw no tenant.
    let plain = client
        .call("urn:example:Get", "<e:Get xmlns:e=\"urn:example\"/>")
        .await
        .expect("a plain call");
    assert_eq!(
        plain.headers,
        ["<h:Trace xmlns:h=\"urn:example:h\">t-42</h:Trace>"]
    );
    // mustUnderstand: refused by the server, not handed to the handler.
    let err = client
        .call_with_headers(
            "urn:example:Get",
            vec!["<h:Must xmlns:h=\"urn:example:h\" xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\" s:mustUnderstand=\"true\">x</h:Must>".to_owned()],
            "<e:Get xmlns:e=\"urn:example\"/>",
        )
        .await
        .expect_err("not understood");
    assert!(err.fault().is_some(), "{err}");
    running.shutdown().await;
}
