//! wsbind over HTTP and HTTPS: the driver of the sans-IO protocol crate
//! (`wsbind-proto`) on tokio, hyper and rustls. It moves bytes and time and holds no
//! protocol policy of its own; the typed [`Client`] and [`Server`] handles the compiler's
//! constructors return are the way in. With the `redis` feature, `farm::RedisFarm`
//! shares a farm's replay cache and cancellations in Redis.
#![forbid(unsafe_code)]

#[cfg(feature = "redis")]
pub mod farm;
pub mod handles;
mod metrics;
pub mod transport;

pub use handles::{Binding, Client, Server};
