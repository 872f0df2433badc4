//! The wsbind runtime: the typed security description the compiler generates, and the
//! sans-IO WS-SecureConversation engine that executes it.
#![forbid(unsafe_code)]

pub mod cookie;
pub mod credentials;
pub mod engine;
pub mod envelope;
pub mod handles;
pub mod keys;
pub mod security;
pub mod store;
#[cfg(feature = "http")]
pub mod transport;
pub mod trust;
pub mod wire;

/// The XML layer (the `wsbind-xml` crate): the bounded DOM and exclusive C14N.
pub use wsbind_xml as xml;

/// The typed security description (defined by the compiler, which generates it).
pub use wsbind_compiler::description;
pub use wsbind_compiler::description::Description;
pub use wsbind_compiler::LoadError;

pub use credentials::{
    ClientCredentials, ClientTls, Identity, Password, PasswordValidator, Rejected,
    ServerCredentials, ServerTls, UsernameCredential,
};
pub use handles::{Binding, Client, Server};
