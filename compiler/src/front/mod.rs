//! Front-ends: each turns its syntax into the neutral tree (`tree.rs`), keeping locations.

#[cfg(feature = "tokens")]
pub mod attr;
pub mod toml;
