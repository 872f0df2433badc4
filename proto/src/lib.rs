//! The wsbind protocol crate: the sans-IO WS-SecureConversation engine that executes
//! the typed security description the compiler generates — WS-Trust negotiation,
//! message protection and verification, the server's context stores — with no I/O:
//! it takes bytes and a clock and returns bytes and events (as quinn-proto and rustls
//! do). The HTTP driver (`wsbind-http`) moves those bytes over the network.
#![forbid(unsafe_code)]
#![warn(unreachable_pub)]

// The modules are laid out in layers that import only downward: text and wire names;
// the SOAP envelope (read and write); WS-Trust and message security; the stores; the
// engine. Four are implementation only (`envelope`, `store`, `cookie`, `cancel`): what
// of them a user needs is re-exported below or in [`stores`].
mod cancel;
mod cookie;
pub mod credentials;
pub mod engine;
mod envelope;
mod hash;
pub mod keys;
pub mod security;
mod store;
mod text;
pub mod trust;
pub mod wire;

pub use envelope::{format_time, parse_time, Framing, Headers, TimeError, WrittenEnvelope};

/// What a server keeps between messages and how a farm of servers shares it: the
/// stores' traits (implemented by `wsbind-http`'s Redis farm), the in-memory stores, and
/// the keys that seal stateless cookie contexts.
pub mod stores {
    pub use crate::cancel::{
        after_renewal, CancelStore, Ended, MemoryCancellations, COOKIE_CANCELLATIONS,
    };
    pub use crate::cookie::{CookieError, CookieKeys};
    pub use crate::security::{ReplayCache, ReplayError, ReplayStore, SeenSignatures};
    pub use crate::store::{StoredContext, DEFAULT_IDLE_TIMEOUT, DEFAULT_PENDING_LIFE};
}

/// The XML layer (the `wsbind-xml` crate): the bounded DOM and exclusive C14N.
pub use wsbind_xml as xml;

/// `Description::from_toml_str` / `from_toml_file`: loading a description from TOML at
/// run time, with the compiler's rules (feature `toml`, which links the compiler).
#[cfg(feature = "toml")]
pub use wsbind_compiler::{FromToml, LoadError};
/// The typed security description (the `wsbind-description` crate): the compiler
/// produces it, the runtime executes it.
pub use wsbind_description as description;
pub use wsbind_description::Description;

pub use credentials::{
    ClientCredentials, ClientTls, Identity, KerberosAccepted, KerberosAcceptor, KerberosInitiator,
    KerberosTicket, Password, PasswordValidator, Rejected, ServerCredentials, ServerTls,
    TlsIdentity, UsernameCredential,
};

/// Locks `m`, taking over a lock a panic left poisoned. Every lock of the runtime
/// guards state that each change leaves whole (one insert, one removal, one counter,
/// one connection), so what a panicking holder left behind is still usable, and one
/// panic must not turn every later message into an error.
pub(crate) fn lock<T: ?Sized>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}
