//! Hashing as canonicalization goes: HMAC and digest contexts as C14N outputs, so an
//! element is signed or digested as it is written, never buffered.

use crate::xml::c14n::Output;

/// HMAC as a C14N output, so `SignedInfo` can be signed as it is canonicalized.
pub(crate) struct HmacOutput(pub ring::hmac::Context);

impl Output for HmacOutput {
    fn write(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }
}

/// A digest as a C14N output, so an element is digested as it is canonicalized.
pub(crate) struct DigestOutput(pub ring::digest::Context);

impl Output for DigestOutput {
    fn write(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }
}
