//! Helpers shared by the runtime's integration tests (and the mutation bench): where the
//! shared vectors and peer scripts are, hex, running a peer, and the engine
//! configuration of the common fixture.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

/// `../shared` beside the repository.
pub fn shared() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared")
}

/// A file under `../shared/vectors`.
pub fn vectors(rel: &str) -> PathBuf {
    shared().join("vectors").join(rel)
}

/// A peer script under `../shared/peers`.
pub fn peer(rel: &str) -> PathBuf {
    shared().join("peers").join(rel)
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn unhex(s: &str) -> Vec<u8> {
    assert!(s.len() % 2 == 0, "odd hex length");
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex digit"))
        .collect()
}

/// Runs a peer script with arguments and optional stdin; panics with its stderr when it
/// cannot be started at all.
pub fn run_peer(script: &str, args: &[&str], stdin: Option<&[u8]>) -> Output {
    use std::io::Write;
    let mut child = Command::new(peer(script))
        .args(args)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start peer {script}: {e}"));
    if let Some(input) = stdin {
        let mut pipe = child.stdin.take().expect("piped stdin");
        pipe.write_all(input).expect("write to peer");
    }
    child.wait_with_output().expect("peer output")
}

/// The engine configuration of `tests/fixtures/combined-1.3.toml` (WS-SC 1.3, combined
/// entropy, a username bootstrap over SSL, Basic256) for `role`.
pub fn combined_config(role: &str) -> wsbind_proto::engine::Config {
    use wsbind_compiler::FromToml;
    let text = include_str!("../fixtures/combined-1.3.toml")
        .replace("role = \"both\"", &format!("role = \"{role}\""));
    let d = wsbind_proto::Description::from_toml_str(&text).expect("description");
    wsbind_proto::engine::Config::from_description(&d, None).expect("config")
}

/// A security context bootstrapped by a Kerberos AP-REQ over TLS (both roles).
pub const KERBEROS_BOOTSTRAP: &str = "[channel]\nbinding = \"http\"\n[[security.binding]]\nkind = \"ssl-transport\"\n[[security.binding]]\nkind = \"security-context\"\n[security.binding.bootstrap]\n[[security.binding.bootstrap.binding]]\nkind = \"ssl-transport\"\n[[security.binding.bootstrap.binding]]\nkind = \"kerberos-apreq\"\n";

/// The one AP-REQ of the mutation bench's and the fuzzer's Kerberos server (what a KDC would have issued), and its
/// session key.
pub const AP_REQ: &[u8] = b"\x60\x82\x02\xca\x06\x09\x2a\x86\x48\x86\xf7\x12\x01\x02\x02 an AP-REQ";
pub const SESSION_KEY: &[u8] = b"a Kerberos session key, 32 bytes";

pub struct OneTicket;

impl wsbind_proto::KerberosInitiator for OneTicket {
    fn ap_req(&self) -> Result<wsbind_proto::KerberosTicket, wsbind_proto::Rejected> {
        Ok(wsbind_proto::KerberosTicket {
            token: AP_REQ.to_vec(),
            key: wsbind_proto::keys::SecretKey::from_slice(SESSION_KEY),
        })
    }
}

/// Accepts the genuine AP-REQ (every time: the mutations are not replays of it), and
/// whatever else reaches it is refused as a real acceptor refuses garbage.
pub struct OneTicketAcceptor;

impl wsbind_proto::KerberosAcceptor for OneTicketAcceptor {
    fn accept(
        &self,
        ap_req: &[u8],
    ) -> Result<wsbind_proto::KerberosAccepted, wsbind_proto::Rejected> {
        if ap_req != AP_REQ {
            return Err(wsbind_proto::Rejected("not the ticket".into()));
        }
        Ok(wsbind_proto::KerberosAccepted {
            identity: wsbind_proto::Identity {
                name: "alice@EXAMPLE.COM".into(),
            },
            service: "HTTP/orders.example@EXAMPLE.COM".into(),
            key: wsbind_proto::keys::SecretKey::from_slice(SESSION_KEY),
        })
    }
}
