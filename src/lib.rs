//! wsbind: WS-SecureConversation security bindings checked at compile time.
#![forbid(unsafe_code)]

pub use wsbind_runtime as runtime;
