//! wsbind: WS-SecureConversation security bindings checked at compile time.
//!
//! Annotate a service type with `#[wsbind::binding(...)]` (inline) or
//! `#[wsbind::binding(file = "binding.toml")]`; the compiler rejects every invalid
//! description at `cargo build` time and generates a typed description plus
//! `client(...)`/`server(...)` constructors that ask for exactly the needed credentials.
#![forbid(unsafe_code)]

pub use wsbind_macros::binding;
pub use wsbind_runtime::*;

/// The runtime crate, whole.
pub use wsbind_runtime as runtime;

/// The README's Rust snippets, compiled (and the engine's run) as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
