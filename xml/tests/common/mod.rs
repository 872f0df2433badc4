//! Helpers shared by the XML layer's integration tests: where the shared vectors and
//! peer scripts are, and hex.
#![allow(dead_code)]

use std::path::PathBuf;

/// A file under `../shared/vectors` (the repository's sibling).
pub fn vectors(rel: &str) -> PathBuf {
    shared("vectors", rel)
}

/// A peer script under `../shared/peers`.
pub fn peer(rel: &str) -> PathBuf {
    shared("peers", rel)
}

fn shared(dir: &str, rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared")
        .join(dir)
        .join(rel)
}

/// Bytes from lowercase or uppercase hex (test data only: panics on bad input).
pub fn unhex(s: &str) -> Vec<u8> {
    assert!(s.len() % 2 == 0, "odd hex length");
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex digit"))
        .collect()
}
