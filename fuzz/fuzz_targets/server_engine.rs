//! The server engine on anything a peer can send, with a live context so that requests
//! reach signature verification. It never panics; whatever it accepts was signed with
//! the context's key (the fuzzer cannot forge an HMAC: an accepted request is a replay
//! of the seed's shape refused as such, or genuine). The same input also goes to a
//! server with a username on every message (no context): what it accepts carries
//! alice's password. And to a server whose context is bootstrapped by Kerberos: its
//! acceptor sees whatever bytes a BinarySecurityToken carries, and what it issues a
//! context for carried the genuine AP-REQ and its signature.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wsbind_fuzz::{kerberos_server, pair, t0, username_pair};
use wsbind_proto::engine::Incoming;

fuzz_target!(|data: &[u8]| {
    let p = pair()
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let _ = p.server.handle(data, None, t0());
    drop(p);
    let u = username_pair()
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Incoming::Request(r) = u.0.handle(data, None, t0()) {
        assert_eq!(r.identity.name, "alice");
        assert!(r.signed().is_none());
    }
    drop(u);
    if let Incoming::Negotiated { event, .. } = kerberos_server().handle(data, None, t0()) {
        assert!(
            matches!(&event, wsbind_proto::engine::ServerEvent::Issued { identity, .. } if identity.name == "alice@EXAMPLE.COM"),
            "{event:?}"
        );
    }
});
