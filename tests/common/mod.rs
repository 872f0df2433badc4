//! Helpers shared by the facade's integration tests: the test user, a handler that
//! sleeps as its request says, a throwaway certificate, a log to read back.
#![allow(dead_code)]

use std::io::Write;
use std::sync::{Arc, Mutex};
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

/// Log lines, as the server wrote them: a `tracing_subscriber::fmt` writer.
#[derive(Clone, Default)]
pub struct Log(Arc<Mutex<Vec<u8>>>);

impl Write for Log {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("log").extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Log {
    /// A subscriber writing here, without colours.
    pub fn subscriber(&self) -> impl tracing::Subscriber + Send + Sync {
        let writer = self.clone();
        tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .finish()
    }

    /// Everything written so far.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().expect("log")).into_owned()
    }

    /// The lines that contain `what`.
    pub fn lines_with(&self, what: &str) -> Vec<String> {
        self.text()
            .lines()
            .filter(|l| l.contains(what))
            .map(str::to_owned)
            .collect()
    }
}
