//! The client's readers of what a server sends: the response to an Issue, and a reply
//! (or fault) to a request. Neither panics; a refused Issue response leaves the client
//! awaiting it, still.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wsbind_fuzz::{awaiting_issue, new_awaiting, pair, t0};

fuzz_target!(|data: &[u8]| {
    {
        let mut a = awaiting_issue()
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let (client, negotiation) = &mut *a;
        match client.handle_response(negotiation, data, t0()) {
            // The genuine response (the seeds hold it): the same client, anew.
            Ok(_) => *a = new_awaiting(),
            Err(_) => assert!(
                !client.is_ready(),
                "a refused response established a context"
            ),
        }
    }
    let mut p = pair()
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let p = &mut *p;
    let _ = p.client.verify_reply(data, &p.request_id, t0());
});
