//! Key material: secret keys, injected randomness, P_SHA1, computed keys (WS-Trust key
//! entropy) and derived keys (WS-SecureConversation `DerivedKeyToken`).
//!
//! P_SHA1 is written here on ring's HMAC-SHA1: it is the TLS 1.0 `P_hash` construction,
//! which no maintained crate exposes on its own (ring keeps its TLS PRF private).

use ring::hmac;
use std::fmt;
use zeroize::Zeroizing;

/// The label a derived key token uses when it names none.
pub const DEFAULT_LABEL: &[u8] = b"WS-SecureConversationWS-SecureConversation";

/// Derived key length when a token names none (WS-SC: 32 bytes).
pub const DEFAULT_DERIVED_LENGTH: usize = 32;

/// The most P_SHA1 output (offset + length) wsbind computes for one key. A hostile
/// `DerivedKeyToken` with a huge `Offset` or `Generation` would otherwise cost unbounded
/// HMAC work; real peers derive keys of 16–64 bytes at small offsets.
pub const MAX_P_SHA1_OUTPUT: usize = 4096;

/// The longest `DerivedKeyToken` Label wsbind hashes. The label is part of P_SHA1's seed,
/// hashed once per 20 bytes of output, so an unbounded one costs unbounded work before the
/// signature is checked; peers send the 42-byte default
/// (`WS-SecureConversationWS-SecureConversation`) or none.
pub const MAX_LABEL_BYTES: usize = 128;

/// Smallest and largest symmetric keys (bits) wsbind accepts anywhere (the
/// description's contract with the compiler, which refuses less: WSB0040).
pub use crate::description::{MAX_KEY_BITS, MIN_KEY_BITS};

/// A problem with key material.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// Offset plus length exceed [`MAX_P_SHA1_OUTPUT`].
    #[error("a derived key of {length} bytes at offset {offset} is beyond the {max}-byte limit")]
    TooLong {
        offset: u64,
        length: u64,
        max: usize,
    },
    /// A zero-length key was asked for.
    #[error("a key of zero length was requested")]
    Empty,
    /// A key size outside what wsbind accepts, or not a whole number of bytes.
    #[error("a key size of {bits} bits is not accepted (a multiple of 8 from {MIN_KEY_BITS} to {MAX_KEY_BITS})")]
    BadKeySize { bits: u64 },
    /// Entropy shorter than the key it must produce.
    #[error("{what} entropy has {got} bytes; the key needs {need}")]
    ShortEntropy {
        what: &'static str,
        got: usize,
        need: usize,
    },
}

/// Secret key bytes: zeroed when dropped, never printed, compared in constant time
/// (`==` is [`ct_eq`](SecretKey::ct_eq)).
#[derive(Clone)]
pub struct SecretKey(Zeroizing<Vec<u8>>);

impl SecretKey {
    /// Wraps key bytes.
    pub fn new(bytes: Vec<u8>) -> Self {
        SecretKey(Zeroizing::new(bytes))
    }
    /// Copies key bytes.
    pub fn from_slice(bytes: &[u8]) -> Self {
        Self::new(bytes.to_vec())
    }
    /// Fresh random key bytes.
    pub fn random(rng: &mut dyn Rng, len: usize) -> Self {
        let mut bytes = vec![0; len];
        rng.fill(&mut bytes);
        Self::new(bytes)
    }
    /// The key bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
    /// Length in bytes.
    pub fn len(&self) -> usize {
        self.0.len()
    }
    /// Whether the key has no bytes.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    /// Constant-time equality.
    pub fn ct_eq(&self, other: &SecretKey) -> bool {
        use subtle::ConstantTimeEq;
        self.0.len() == other.0.len() && bool::from(self.0.as_slice().ct_eq(other.0.as_slice()))
    }
}

impl PartialEq for SecretKey {
    fn eq(&self, other: &Self) -> bool {
        self.ct_eq(other)
    }
}

impl Eq for SecretKey {}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SecretKey(<{} bytes, redacted>)", self.0.len())
    }
}

/// Randomness, injected so that tests are deterministic.
pub trait Rng: Send {
    /// Fills `buf` with random bytes.
    fn fill(&mut self, buf: &mut [u8]);
}

/// The operating system's secure randomness (ring's `SystemRandom`).
#[derive(Debug)]
pub struct SystemRng(ring::rand::SystemRandom);

impl SystemRng {
    /// A handle on the system's randomness.
    pub fn new() -> Self {
        SystemRng(ring::rand::SystemRandom::new())
    }
}

impl Default for SystemRng {
    fn default() -> Self {
        Self::new()
    }
}

impl Rng for SystemRng {
    fn fill(&mut self, buf: &mut [u8]) {
        use ring::rand::SecureRandom;
        // ring fails only when the OS has no randomness source at all; continuing
        // with predictable keys would be worse than stopping.
        #[allow(clippy::expect_used)]
        self.0
            .fill(buf)
            .expect("the operating system's random number generator failed");
    }
}

/// A deterministic generator for tests and simulations: HMAC-SHA256 in counter mode
/// over a seed. Never use it for real keys.
#[derive(Debug, Clone)]
pub struct SeededRng {
    key: hmac::Key,
    counter: u64,
}

impl SeededRng {
    /// A generator whose output is fixed by `seed`.
    pub fn new(seed: u64) -> Self {
        let mut s = [0u8; 32];
        s[..8].copy_from_slice(&seed.to_be_bytes());
        SeededRng {
            key: hmac::Key::new(hmac::HMAC_SHA256, &s),
            counter: 0,
        }
    }
}

impl Rng for SeededRng {
    fn fill(&mut self, buf: &mut [u8]) {
        for chunk in buf.chunks_mut(32) {
            self.counter += 1;
            let block = hmac::sign(&self.key, &self.counter.to_be_bytes());
            chunk.copy_from_slice(&block.as_ref()[..chunk.len()]);
        }
    }
}

/// A random (version 4) UUID as a URN, `urn:uuid:…`: context identifiers and message
/// ids.
pub fn uuid_urn(rng: &mut dyn Rng) -> String {
    let mut b = [0u8; 16];
    rng.fill(&mut b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(45);
    out.push_str("urn:uuid:");
    for (i, x) in b.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            out.push('-');
        }
        out.push(char::from(HEX[usize::from(x >> 4)]));
        out.push(char::from(HEX[usize::from(x & 0x0f)]));
    }
    out
}

/// P_SHA1(secret, seed): `length` bytes of output starting at byte `offset`.
///
/// A(0) = seed, A(i) = HMAC-SHA1(secret, A(i-1)); output = HMAC(secret, A(1) ‖ seed) ‖
/// HMAC(secret, A(2) ‖ seed) ‖ …
pub fn p_sha1(
    secret: &[u8],
    seed: &[u8],
    offset: usize,
    length: usize,
) -> Result<SecretKey, KeyError> {
    if length == 0 {
        return Err(KeyError::Empty);
    }
    let end = offset
        .checked_add(length)
        .filter(|end| *end <= MAX_P_SHA1_OUTPUT)
        .ok_or(KeyError::TooLong {
            offset: offset as u64,
            length: length as u64,
            max: MAX_P_SHA1_OUTPUT,
        })?;
    // Keyed once; each HMAC starts from a copy.
    let key = crate::hash::Hmac::sha1(secret);
    let sign = |parts: &[&[u8]]| {
        let mut m = key.clone();
        for p in parts {
            m.update(p);
        }
        m.finish()
    };
    let mut out = Zeroizing::new(Vec::with_capacity(end + 20));
    let mut a = sign(&[seed]);
    loop {
        out.extend_from_slice(sign(&[a.as_ref(), seed]).as_ref());
        if out.len() >= end {
            break;
        }
        a = sign(&[a.as_ref()]);
    }
    Ok(SecretKey::new(out[offset..end].to_vec()))
}

/// Checks a key size in bits and returns it in bytes.
pub fn key_bytes(bits: u64) -> Result<usize, KeyError> {
    if bits % 8 != 0 || bits < u64::from(MIN_KEY_BITS) || bits > u64::from(MAX_KEY_BITS) {
        return Err(KeyError::BadKeySize { bits });
    }
    Ok((bits / 8) as usize)
}

/// The computed key of combined entropy (WS-Trust `CK/PSHA1`): P_SHA1 with the
/// requestor's entropy as the secret and the issuer's entropy as the seed, `key_bits`
/// long.
pub fn computed_key(
    requestor_entropy: &[u8],
    issuer_entropy: &[u8],
    key_bits: u64,
) -> Result<SecretKey, KeyError> {
    let len = key_bytes(key_bits)?;
    p_sha1(requestor_entropy, issuer_entropy, 0, len)
}

/// Where a derived key starts: an explicit `Offset`, or `Generation` × length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Position {
    Offset(u64),
    Generation(u64),
}

/// The parameters of a `DerivedKeyToken`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Derivation {
    /// `None`: [`DEFAULT_LABEL`].
    pub label: Option<Vec<u8>>,
    pub nonce: Vec<u8>,
    pub position: Position,
    pub length: usize,
}

impl Derivation {
    /// The derived key: P_SHA1(secret = context key, seed = label ‖ nonce) at the
    /// token's position.
    pub fn derive(&self, context_key: &SecretKey) -> Result<SecretKey, KeyError> {
        let too_long = KeyError::TooLong {
            offset: match self.position {
                Position::Offset(o) => o,
                Position::Generation(g) => g.saturating_mul(self.length as u64),
            },
            length: self.length as u64,
            max: MAX_P_SHA1_OUTPUT,
        };
        let offset = match self.position {
            Position::Offset(o) => o,
            Position::Generation(g) => g
                .checked_mul(self.length as u64)
                .ok_or_else(|| too_long.clone())?,
        };
        let offset = usize::try_from(offset)
            .ok()
            .filter(|o| *o <= MAX_P_SHA1_OUTPUT)
            .ok_or(too_long)?;
        let label = self.label.as_deref().unwrap_or(DEFAULT_LABEL);
        let mut seed = Vec::with_capacity(label.len() + self.nonce.len());
        seed.extend_from_slice(label);
        seed.extend_from_slice(&self.nonce);
        p_sha1(context_key.as_bytes(), &seed, offset, self.length)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn p_sha1_matches_rfc_2246_construction_lengths() {
        let a = p_sha1(b"k", b"s", 0, 45).expect("in bounds");
        let b = p_sha1(b"k", b"s", 5, 40).expect("in bounds");
        assert_eq!(&a.as_bytes()[5..], b.as_bytes());
    }

    #[test]
    fn bounds_are_errors_not_panics() {
        assert_eq!(p_sha1(b"k", b"s", 0, 0), Err(KeyError::Empty));
        assert!(matches!(
            p_sha1(b"k", b"s", usize::MAX, 2),
            Err(KeyError::TooLong { .. })
        ));
        let d = Derivation {
            label: None,
            nonce: vec![1; 16],
            position: Position::Generation(u64::MAX),
            length: 32,
        };
        assert!(matches!(
            d.derive(&SecretKey::from_slice(&[0; 32])),
            Err(KeyError::TooLong { .. })
        ));
        assert!(matches!(key_bytes(100), Err(KeyError::BadKeySize { .. })));
        assert!(matches!(key_bytes(64), Err(KeyError::BadKeySize { .. })));
        assert_eq!(key_bytes(256), Ok(32));
    }

    #[test]
    fn generation_is_generation_times_length() {
        let key = SecretKey::from_slice(&[7; 32]);
        let g = Derivation {
            label: None,
            nonce: vec![1; 16],
            position: Position::Generation(2),
            length: 24,
        };
        let o = Derivation {
            position: Position::Offset(48),
            ..g.clone()
        };
        assert_eq!(g.derive(&key), o.derive(&key));
    }

    #[test]
    fn secrets_do_not_print() {
        let k = SecretKey::from_slice(b"supersecret");
        assert_eq!(format!("{k:?}"), "SecretKey(<11 bytes, redacted>)");
    }

    #[test]
    fn seeded_rng_is_deterministic() {
        let (mut a, mut b) = (SeededRng::new(1), SeededRng::new(1));
        let (mut x, mut y) = ([0u8; 40], [0u8; 40]);
        a.fill(&mut x);
        b.fill(&mut y);
        assert_eq!(x, y);
        let mut z = [0u8; 40];
        SeededRng::new(2).fill(&mut z);
        assert_ne!(x, z);
    }
}
