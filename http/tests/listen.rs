//! `transport::server::bind`: the listener a server is given when it is handed an
//! address (with a backlog of `LISTEN_BACKLOG`, not tokio's 128).

use wsbind_http::transport::server::{bind, LISTEN_BACKLOG};
use wsbind_http::transport::TransportError;

#[tokio::test]
async fn binds_and_says_which_address_it_could_not_take() {
    const { assert!(LISTEN_BACKLOG >= 1024) };
    let first = bind("127.0.0.1:0").await.expect("a free port");
    let addr = first.local_addr().expect("bound").to_string();
    assert_ne!(first.local_addr().expect("bound").port(), 0);
    // The port is taken while the first listener lives.
    match bind(&addr).await {
        Err(e @ TransportError::Listen { .. }) => {
            let text = e.to_string();
            assert!(text.contains(&addr), "{text}");
        }
        other => panic!("a second listener on {addr}: {other:?}"),
    }
    // A name that is no socket address at all.
    assert!(matches!(
        bind("not an address").await,
        Err(TransportError::Listen { .. })
    ));
    // And connections reach it.
    let connect = tokio::net::TcpStream::connect(&addr);
    let (accepted, connected) = tokio::join!(first.accept(), connect);
    accepted.expect("accepted");
    connected.expect("connected");
}
