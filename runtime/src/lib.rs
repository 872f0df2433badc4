//! The wsbind runtime: the typed security description the compiler generates, and the
//! sans-IO WS-SecureConversation engine that executes it.
#![forbid(unsafe_code)]

pub mod keys;
pub mod xml;
