//! One client shared by many tasks (reqwest's `Client` shape): clones share one security
//! context. 50 tasks calling at once make one negotiation on the server, every reply is
//! verified, none of the requests is refused as a replay of another, and the renewals
//! that fall due while calls are in flight happen once each without stopping them.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use wsbind::transport::{Answer, Call};
use wsbind::{ClientTls, Password, ServerTls, UsernameCredential};

/// WS-SC 1.3, renewed every second.
#[wsbind::binding(
    channel(binding = "http", role = "both"),
    security(
        binding(kind = "ssl-transport"),
        binding(
            kind = "security-context",
            usage = "supporting",
            key_entropy_mode = "combined",
            secure_conversation_version = "1.3",
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
struct Orders;

fn assert_shareable<T: Clone + Send + Sync + 'static>() {}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_tasks_share_one_context() {
    assert_shareable::<wsbind::Client<Orders>>();
    let c = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).expect("cert");
    let (cert, key) = (c.cert.pem(), c.key_pair.serialize_pem());
    // The bootstrap's password is checked once per negotiation (Issue); renewals are
    // signed with the context and need none.
    let negotiations = Arc::new(AtomicUsize::new(0));
    let counted = negotiations.clone();
    let check = move |user: &str, pw: &Password| {
        counted.fetch_add(1, Ordering::SeqCst);
        user == "alice" && pw.matches("wonderland")
    };
    let running = Orders::server(check, ServerTls::from_pem(cert.clone(), key))
        .serve("127.0.0.1:0", |call: Call| async move {
            Answer::new(
                "urn:example:Echo",
                format!("<e:Echo xmlns:e=\"urn:example\">{}</e:Echo>", call.body),
            )
        })
        .await
        .expect("serve");
    let client = Orders::client(
        format!("https://localhost:{}/orders", running.local_addr().port()),
        UsernameCredential::new("alice", "wonderland"),
        ClientTls::trust_pem(cert),
    );

    let started = Instant::now();
    let mut tasks = Vec::new();
    for t in 0..50 {
        let client = client.clone();
        tasks.push(tokio::spawn(async move {
            let mut instances = Vec::new();
            let mut n = 0;
            // Calls for 2.5 s: the context is renewed twice meanwhile (at nine tenths of
            // each second).
            while started.elapsed() < Duration::from_millis(2500) {
                let body = format!("<e:Get xmlns:e=\"urn:example\" task=\"{t}\" n=\"{n}\"/>");
                let reply = client
                    .call("urn:example:Get", &body)
                    .await
                    .unwrap_or_else(|e| panic!("task {t}, call {n}: {e}"));
                assert!(
                    reply.body.contains(&format!("n=\"{n}\" task=\"{t}\"")),
                    "task {t} got another's reply: {}",
                    reply.body
                );
                instances.push(client.key_instance());
                n += 1;
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            (n, instances)
        }));
    }
    let mut calls = 0;
    let mut keys = std::collections::BTreeSet::new();
    for task in tasks {
        let (n, instances) = task.await.expect("task");
        calls += n;
        keys.extend(instances);
    }
    assert!(calls >= 500, "only {calls} calls");
    assert_eq!(
        negotiations.load(Ordering::SeqCst),
        1,
        "one negotiation for all 50 tasks"
    );
    // Replies were verified with the first key and with renewed ones (the renewals
    // happened while calls were in flight, and none failed).
    assert!(keys.len() >= 2, "no renewal in 2.5 s: {keys:?}");
    client.close().await.expect("close");
    assert!(client.context_id().is_none());
    running.shutdown().await;
}
