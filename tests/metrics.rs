//! What the server counts through the `metrics` facade (feature `metrics`): negotiations
//! by event, verified calls, refusals by the fault sent, and the contexts held. A
//! recorder of the test's own is installed for the whole process (this binary holds one
//! test).

use metrics_util::debugging::{DebugValue, DebuggingRecorder};
use wsbind::transport::{Answer, Call};
use wsbind::{ClientTls, Password, ServerTls, UsernameCredential};

#[wsbind::binding(file = "examples/bindings/quickstart.toml")]
struct Orders;

fn check(user: &str, pw: &Password) -> bool {
    user == "alice" && pw.matches("wonderland")
}

#[tokio::test]
async fn the_server_counts_what_it_does() {
    let recorder = DebuggingRecorder::new();
    let snapshotter = recorder.snapshotter();
    recorder
        .install()
        .expect("the only recorder of this process");

    let c = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).expect("cert");
    let cert = c.cert.pem();
    let running = Orders::server(
        check,
        ServerTls::from_pem(cert.clone(), c.key_pair.serialize_pem()),
    )
    .serve("127.0.0.1:0", |_call: Call| async {
        Answer::new("urn:example:Ok", "<e:Ok xmlns:e=\"urn:example\"/>")
    })
    .await
    .expect("serve");
    let endpoint = format!("https://localhost:{}/orders", running.local_addr().port());
    let client = Orders::client(
        endpoint.clone(),
        UsernameCredential::new("alice", "wonderland"),
        ClientTls::trust_pem(cert.clone()),
    );
    for _ in 0..3 {
        client
            .call("urn:example:Get", "<e:Get xmlns:e=\"urn:example\"/>")
            .await
            .expect("call");
    }
    assert_eq!(running.stats().live_contexts, 1);
    let wrong = Orders::client(
        endpoint,
        UsernameCredential::new("alice", "guess"),
        ClientTls::trust_pem(cert),
    );
    wrong.connect().await.expect_err("wrong password");
    client.close().await.expect("close");

    // One snapshot: taking one resets what it read.
    let snapshot = snapshotter.snapshot().into_vec();
    let counted = |name: &str, label: Option<(&str, &str)>| -> u64 {
        snapshot
            .iter()
            .filter(|(key, _, _, _)| {
                key.key().name() == name
                    && label.is_none_or(|(k, v)| {
                        key.key().labels().any(|l| l.key() == k && l.value() == v)
                    })
            })
            .map(|(_, _, _, value)| match value {
                DebugValue::Counter(n) => *n,
                DebugValue::Gauge(g) => g.into_inner() as u64,
                DebugValue::Histogram(h) => h.len() as u64,
            })
            .sum()
    };
    assert_eq!(
        counted("wsbind_negotiations_total", Some(("event", "issued"))),
        1
    );
    assert_eq!(
        counted("wsbind_negotiations_total", Some(("event", "cancelled"))),
        1
    );
    assert_eq!(counted("wsbind_calls_total", None), 3);
    assert_eq!(
        counted(
            "wsbind_refusals_total",
            Some(("reason", "FailedAuthentication"))
        ),
        1
    );
    assert_eq!(
        counted("wsbind_live_contexts", None),
        0,
        "the cancelled one is gone"
    );
    running.shutdown().await;
}
