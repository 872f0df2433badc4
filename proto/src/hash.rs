//! The hashes, in one place: digests and HMACs, as values and as C14N outputs (so that
//! an element is signed or digested as it is canonicalized, never buffered).
//! [`crate::security`]'s algorithms choose among them.
//!
//! SHA-1 — MS-LWSSP's digest and signature, and P_SHA1 — comes from RustCrypto's `sha1`
//! and `hmac`, which use the processor's SHA extensions where it has them: ring's SHA-1
//! is portable code, three to four times slower, and SHA-1 is a tenth of a handshake.
//! SHA-256 comes from ring, whose SHA-256 has those extensions.

use crate::xml::c14n::Output;
use hmac::{KeyInit, Mac as _};
use sha1::Digest as _;

/// A digest or an HMAC: at most 32 bytes (SHA-256).
#[derive(Clone, Copy)]
pub(crate) struct Hash {
    bytes: [u8; 32],
    len: usize,
}

impl Hash {
    fn new(value: &[u8]) -> Self {
        let mut bytes = [0; 32];
        let len = value.len().min(32);
        bytes[..len].copy_from_slice(&value[..len]);
        Hash { bytes, len }
    }
}

impl AsRef<[u8]> for Hash {
    fn as_ref(&self) -> &[u8] {
        &self.bytes[..self.len]
    }
}

/// A digest being computed.
pub(crate) enum Hasher {
    Sha1(sha1::Sha1),
    Ring(ring::digest::Context),
}

impl Hasher {
    pub(crate) fn sha1() -> Self {
        Hasher::Sha1(sha1::Sha1::new())
    }

    pub(crate) fn sha256() -> Self {
        Hasher::Ring(ring::digest::Context::new(&ring::digest::SHA256))
    }

    pub(crate) fn update(&mut self, bytes: &[u8]) {
        match self {
            Hasher::Sha1(h) => h.update(bytes),
            Hasher::Ring(h) => h.update(bytes),
        }
    }

    pub(crate) fn finish(self) -> Hash {
        match self {
            Hasher::Sha1(h) => Hash::new(&h.finalize()),
            Hasher::Ring(h) => Hash::new(h.finish().as_ref()),
        }
    }
}

impl Output for Hasher {
    fn write(&mut self, bytes: &[u8]) {
        self.update(bytes);
    }
}

/// An HMAC being computed. Cloning one keyed once is how P_SHA1 signs block after
/// block with one key.
#[derive(Clone)]
pub(crate) enum Hmac {
    Sha1(hmac::Hmac<sha1::Sha1>),
    Ring(ring::hmac::Context),
}

impl Hmac {
    pub(crate) fn sha1(key: &[u8]) -> Self {
        match hmac::Hmac::<sha1::Sha1>::new_from_slice(key) {
            Ok(mac) => Hmac::Sha1(mac),
            // (HMAC takes keys of any length: this is never reached. Were it, ring's
            // SHA-1 computes the same value.)
            Err(_) => Self::ring(ring::hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, key),
        }
    }

    pub(crate) fn sha256(key: &[u8]) -> Self {
        Self::ring(ring::hmac::HMAC_SHA256, key)
    }

    fn ring(alg: ring::hmac::Algorithm, key: &[u8]) -> Self {
        Hmac::Ring(ring::hmac::Context::with_key(&ring::hmac::Key::new(
            alg, key,
        )))
    }

    pub(crate) fn update(&mut self, bytes: &[u8]) {
        match self {
            Hmac::Sha1(m) => m.update(bytes),
            Hmac::Ring(m) => m.update(bytes),
        }
    }

    pub(crate) fn finish(self) -> Hash {
        match self {
            Hmac::Sha1(m) => Hash::new(&m.finalize().into_bytes()),
            Hmac::Ring(m) => Hash::new(m.sign().as_ref()),
        }
    }
}

impl Output for Hmac {
    fn write(&mut self, bytes: &[u8]) {
        self.update(bytes);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The two implementations agree (RFC 2202's and FIPS 180's values are checked by
    /// the crates themselves; this checks the wiring, keys longer than a block among
    /// them).
    #[test]
    fn agrees_with_ring() {
        for key_len in [0, 1, 20, 64, 65, 200] {
            let key: Vec<u8> = (0..key_len).map(|i| i as u8).collect();
            for data_len in [0, 3, 55, 56, 64, 1000] {
                let data: Vec<u8> = (0..data_len).map(|i| (i * 7) as u8).collect();
                let mut ours = Hmac::sha1(&key);
                ours.update(&data);
                let ours = ours.finish();
                let ring = ring::hmac::sign(
                    &ring::hmac::Key::new(ring::hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, &key),
                    &data,
                );
                assert_eq!(ours.as_ref(), ring.as_ref());
                let mut d = Hasher::sha1();
                d.update(&data);
                let d = d.finish();
                let r = ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, &data);
                assert_eq!(d.as_ref(), r.as_ref());
                let mut d = Hasher::sha256();
                d.update(&data);
                let r = ring::digest::digest(&ring::digest::SHA256, &data);
                assert_eq!(d.finish().as_ref(), r.as_ref());
            }
        }
    }
}
