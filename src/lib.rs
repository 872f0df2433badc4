//! wsbind: WS-SecureConversation security bindings checked at compile time.
//!
//! Annotate a service type with `#[wsbind::binding(...)]` (inline) or
//! `#[wsbind::binding(file = "binding.toml")]`; the compiler rejects every invalid
//! description at `cargo build` time and generates a typed description plus
//! `client(...)`/`server(...)` constructors that ask for exactly the needed credentials.
#![forbid(unsafe_code)]

pub use wsbind_http::*;
pub use wsbind_macros::binding;
pub use wsbind_proto::*;

/// The HTTP driver crate (tokio, hyper, rustls: transports, typed handles, farm), whole.
pub use wsbind_http as http;
/// The protocol crate (sans-IO: the engine, message security, WS-Trust), whole.
pub use wsbind_proto as proto;

/// The README's Rust snippets, compiled (and the engine's run) as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
