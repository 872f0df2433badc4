//! Writes the messages of one conversation with the fuzz targets' own engines (the same
//! seeded randomness, so the context, its key and the request's signature are those the
//! targets hold) into `DIR/server_engine` and `DIR/client_readers`: seeds that reach
//! the deepest checks, made at run time rather than kept in the repository.
//!
//! `cargo run --example seeds -- DIR`

use std::fs;
use std::path::Path;
use wsbind_fuzz::{awaiting_issue, pair, t0};
use wsbind_proto::engine::Incoming;

fn main() {
    let dir = std::env::args().nth(1).expect("usage: seeds DIR");
    let write = |target: &str, name: &str, text: &str| {
        let d = Path::new(&dir).join(target);
        fs::create_dir_all(&d).expect("the corpus directory");
        fs::write(d.join(name), text).expect("a seed");
    };
    let issue = awaiting_issue()
        .lock()
        .expect("client")
        .1
        .request
        .bytes
        .clone();
    write("server_engine", "issue.xml", &issue);
    let mut p = pair().lock().expect("pair");
    let p = &mut *p;
    // The Issue response a server gives (for another client's entropy: the shape).
    if let Incoming::Negotiated { bytes, .. } = p.server.handle(issue.as_bytes(), None, t0()) {
        write("client_readers", "issued.xml", &bytes);
    }
    let request = p
        .client
        .protect(
            "urn:example:orders/Ping",
            "<m:Ping xmlns:m=\"urn:m\">hi</m:Ping>",
            t0(),
        )
        .expect("protect");
    write("server_engine", "request.xml", &request.bytes);
    let username_request = wsbind_fuzz::username_pair()
        .lock()
        .expect("username pair")
        .1
        .protect(
            "urn:example:orders/Ping",
            "<m:Ping xmlns:m=\"urn:m\">hi</m:Ping>",
            t0(),
        )
        .expect("protect");
    write("server_engine", "username-request.xml", &username_request.bytes);
    write(
        "server_engine",
        "kerberos-issue.xml",
        &wsbind_fuzz::kerberos_issue(),
    );
    match p.server.handle(request.bytes.as_bytes(), None, t0()) {
        Incoming::Request(r) => {
            let reply = p
                .server
                .reply(
                    &r,
                    "urn:example:orders/Pong",
                    "<m:Pong xmlns:m=\"urn:m\"/>",
                    t0(),
                )
                .expect("reply");
            write("client_readers", "reply.xml", &reply);
        }
        other => panic!("the seed request was refused: {other:?}"),
    }
    if let Incoming::Rejected { bytes, .. } = p.server.handle(request.bytes.as_bytes(), None, t0())
    {
        write("client_readers", "fault.xml", &bytes);
    }
    let close = p.client.close(t0()).expect("close");
    if let Some(cancel) = close {
        write("server_engine", "cancel.xml", &cancel.request.bytes);
    }
}
