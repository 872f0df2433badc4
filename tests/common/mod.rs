//! Helpers shared by the facade's integration tests: the test user, a handler that
//! sleeps as its request says, a throwaway certificate.
#![allow(dead_code)]

use std::time::Duration;
use wsbind::transport::{Answer, Call};
use wsbind::Password;

/// The one user the test servers know.
pub fn check(user: &str, pw: &Password) -> bool {
    user == "alice" && pw.matches("wonderland")
}

/// Sleeps as many milliseconds as the request's `ms` attribute says (none: answers at
/// once), then answers `<e:Done by="…"/>`.
pub async fn sleepy(call: Call) -> Answer {
    let ms = call
        .body
        .split("ms=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    tokio::time::sleep(Duration::from_millis(ms)).await;
    Answer::new(
        "urn:example:Done",
        format!(
            "<e:Done xmlns:e=\"urn:example\" by=\"{}\"/>",
            call.identity.name
        ),
    )
}

/// A self-signed certificate for `localhost` and its key, PEM.
pub struct Tls {
    pub cert: String,
    pub key: String,
}

pub fn tls() -> Tls {
    let c = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).expect("cert");
    Tls {
        cert: c.cert.pem(),
        key: c.key_pair.serialize_pem(),
    }
}
