//! Stateless "cookie" contexts: the server seals the context (identifier, instance,
//! key, lifetime, identity, generation) with AES-256-GCM into the SCT it issues, so any
//! server of a farm holding the same cookie keys can serve it without shared state.
//!
//! Format (hand-written, length-prefixed, to keep the sealed bytes small and the
//! parser strict — a general serializer would add a dependency and accept more):
//! `base64( 1 | key id | 96-bit nonce | AES-256-GCM(payload, aad = 1 | key id) )`,
//! payload: generation (1 byte), created and expires (ms since the Unix epoch, 8 bytes
//! each), then identifier, instance (empty = none), key and identity name, each with a
//! 2-byte length. Nonces are random (from the injected generator); with 96-bit random
//! nonces, rotate the key well before 2^32 cookies.
//!
//! A cookie is a bearer capability until its expiry: the server cannot take it back.
//! Cancellation and renewal therefore need the farm's own (bounded) list of cancelled
//! identifiers, and the old cookie of a renewed context keeps opening until it expires.

use crate::credentials::Identity;
use crate::keys::{Rng, SecretKey};
use crate::store::StoredContext;
use crate::wire::ScVersion;
use base64::Engine as _;
use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM};
use std::fmt;
use std::time::{Duration, SystemTime};
use zeroize::Zeroizing;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;
const FORMAT: u8 = 1;

pub use crate::security::verify::CookieError;
pub(crate) use crate::trust::MAX_COOKIE;

/// The AEAD keys that seal cookies: one current key, older ones still opened until
/// retired.
pub struct CookieKeys {
    current: u8,
    keys: Vec<(u8, LessSafeKey)>,
}

impl fmt::Debug for CookieKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CookieKeys")
            .field("current", &self.current)
            .field("ids", &self.keys.iter().map(|k| k.0).collect::<Vec<_>>())
            .finish()
    }
}

fn aead_key(key: &[u8; 32]) -> LessSafeKey {
    // AES-256-GCM takes exactly 32 bytes, which the array type guarantees.
    match UnboundKey::new(&AES_256_GCM, key) {
        Ok(k) => LessSafeKey::new(k),
        Err(_) => unreachable_key(),
    }
}

#[allow(clippy::panic)]
fn unreachable_key() -> ! {
    panic!("ring refused a 32-byte AES-256 key")
}

impl CookieKeys {
    /// Keys whose current (sealing) key is `key`, named `id`.
    pub fn new(id: u8, key: [u8; 32]) -> Self {
        CookieKeys {
            current: id,
            keys: vec![(id, aead_key(&key))],
        }
    }

    /// Seals new cookies with `key` from now on; cookies of the other keys still open.
    /// Reusing the id of a key still held replaces that key: its cookies stop opening.
    pub fn rotate(&mut self, id: u8, key: [u8; 32]) {
        self.keys.retain(|(i, _)| *i != id);
        self.keys.push((id, aead_key(&key)));
        self.current = id;
    }

    /// Stops opening cookies sealed with key `id` (not the current key).
    pub fn retire(&mut self, id: u8) {
        if id != self.current {
            self.keys.retain(|(i, _)| *i != id);
        }
    }

    fn key(&self, id: u8) -> Option<&LessSafeKey> {
        self.keys.iter().find(|(i, _)| *i == id).map(|(_, k)| k)
    }

    /// Seals a context into a cookie (its previous key and pending flag are not kept).
    ///
    /// A field over 65,535 bytes is cut, which can only happen with a cookie far over
    /// [`MAX_COOKIE`]: such a cookie never opens.
    pub fn seal(&self, ctx: &StoredContext, rng: &mut dyn Rng) -> String {
        self.seal_payload(encode(ctx), rng)
    }

    fn seal_payload(&self, mut payload: Zeroizing<Vec<u8>>, rng: &mut dyn Rng) -> String {
        let mut nonce = [0u8; 12];
        rng.fill(&mut nonce);
        let header = [FORMAT, self.current];
        let mut out = Vec::with_capacity(2 + 12 + payload.len() + 16);
        out.extend_from_slice(&header);
        out.extend_from_slice(&nonce);
        let sealed = self.key(self.current).map(|k| {
            k.seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(header),
                &mut *payload,
            )
        });
        // The current key is always held (rotate adds it, retire keeps it), and GCM
        // sealing fails only for inputs beyond 64 GiB.
        if let Some(Ok(())) = sealed {
            out.extend_from_slice(&payload);
        }
        B64.encode(out)
    }

    /// Opens a cookie, checking it was not changed and has not expired.
    pub fn open(&self, cookie: &str, now: SystemTime) -> Result<StoredContext, CookieError> {
        self.open_within(cookie, now, Duration::ZERO)
    }

    /// As [`open`](Self::open), accepting a context that expired less than `grace`
    /// ago (a Renew within the renewal grace: the time a `RenewNeeded` fault gives a
    /// client to renew an expired context).
    pub fn open_within(
        &self,
        cookie: &str,
        now: SystemTime,
        grace: Duration,
    ) -> Result<StoredContext, CookieError> {
        let ctx = self.open_sealed(cookie)?;
        if ctx.expires + grace <= now {
            return Err(CookieError::Expired);
        }
        Ok(ctx)
    }

    /// Opens a cookie, checking only that this server sealed it and nobody changed it
    /// (not whether its context has expired: the caller says what that means).
    pub fn open_sealed(&self, cookie: &str) -> Result<StoredContext, CookieError> {
        if cookie.len() > MAX_COOKIE {
            return Err(CookieError::TooLong);
        }
        let mut bytes = Zeroizing::new(
            B64.decode(cookie.trim().as_bytes())
                .map_err(|_| CookieError::NotBase64)?,
        );
        if bytes.len() < 2 + 12 + 16 || bytes[0] != FORMAT {
            return Err(CookieError::Malformed);
        }
        let header = [bytes[0], bytes[1]];
        let key = self
            .key(header[1])
            .ok_or(CookieError::UnknownKey(header[1]))?;
        let mut nonce = [0u8; 12];
        nonce.copy_from_slice(&bytes[2..14]);
        let plain = key
            .open_in_place(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(header),
                &mut bytes[14..],
            )
            .map_err(|_| CookieError::Tampered)?;
        decode(plain).ok_or(CookieError::Malformed)
    }
}

/// The payload (see the module documentation), in a buffer zeroed when dropped.
fn encode(ctx: &StoredContext) -> Zeroizing<Vec<u8>> {
    let mut payload = Zeroizing::new(Vec::with_capacity(160));
    payload.push(match ctx.version {
        ScVersion::Feb2005 => 0,
        ScVersion::V1_3 => 1,
    });
    payload.extend_from_slice(&millis(ctx.created).to_be_bytes());
    payload.extend_from_slice(&millis(ctx.expires).to_be_bytes());
    for field in [
        ctx.identifier.as_bytes(),
        ctx.instance.as_deref().unwrap_or("").as_bytes(),
        ctx.key.as_bytes(),
        ctx.identity.name.as_bytes(),
    ] {
        let len = field.len().min(u16::MAX as usize);
        payload.extend_from_slice(&(len as u16).to_be_bytes());
        payload.extend_from_slice(&field[..len]);
    }
    payload
}

fn millis(t: SystemTime) -> u64 {
    t.duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis().min(u64::MAX as u128) as u64)
}

fn decode(p: &[u8]) -> Option<StoredContext> {
    let mut r = p;
    let mut take = |n: usize| -> Option<&[u8]> {
        let (a, b) = (r.get(..n)?, r.get(n..)?);
        r = b;
        Some(a)
    };
    let version = match take(1)?[0] {
        0 => ScVersion::Feb2005,
        1 => ScVersion::V1_3,
        _ => return None,
    };
    let time = |b: &[u8]| -> Option<SystemTime> {
        let ms = u64::from_be_bytes(b.try_into().ok()?);
        SystemTime::UNIX_EPOCH.checked_add(Duration::from_millis(ms))
    };
    let created = time(take(8)?)?;
    let expires = time(take(8)?)?;
    let mut field = || -> Option<Vec<u8>> {
        let len = u16::from_be_bytes(take(2)?.try_into().ok()?) as usize;
        Some(take(len)?.to_vec())
    };
    let identifier = String::from_utf8(field()?).ok()?;
    let instance = String::from_utf8(field()?).ok()?;
    let key = SecretKey::new(field()?);
    let name = String::from_utf8(field()?).ok()?;
    if !r.is_empty()
        || identifier.is_empty()
        || expires <= created
        || crate::keys::key_bytes(key.len() as u64 * 8).is_err()
    {
        return None;
    }
    Some(StoredContext {
        version,
        identifier,
        instance: (!instance.is_empty()).then_some(instance),
        key,
        previous_key: None,
        created,
        expires,
        identity: Identity { name },
        pending: false,
        // Not kept: a cookie context has no state on the server, and no idle timeout.
        last_used: created,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::SeededRng;

    fn ctx(t0: SystemTime) -> StoredContext {
        StoredContext {
            version: ScVersion::V1_3,
            identifier: "urn:uuid:6f1a2b3c-4d5e-4f60-8172-839405a6b7c8".into(),
            instance: Some("urn:uuid:1".into()),
            key: SecretKey::new(vec![5; 32]),
            previous_key: None,
            created: t0,
            expires: t0 + Duration::from_secs(3600),
            identity: Identity {
                name: "alice".into(),
            },
            pending: false,
            last_used: t0,
        }
    }

    #[test]
    fn seal_open_rotate_retire() {
        let t0 = SystemTime::UNIX_EPOCH + Duration::from_secs(1_795_000_000);
        let mut rng = SeededRng::new(1);
        let mut keys = CookieKeys::new(1, [1; 32]);
        let c1 = keys.seal(&ctx(t0), &mut rng);
        assert_eq!(keys.open(&c1, t0), Ok(ctx(t0)));
        keys.rotate(2, [2; 32]);
        let c2 = keys.seal(&ctx(t0), &mut rng);
        assert_eq!(keys.open(&c1, t0), Ok(ctx(t0)), "old key still opens");
        assert_eq!(keys.open(&c2, t0), Ok(ctx(t0)));
        keys.retire(1);
        assert_eq!(keys.open(&c1, t0), Err(CookieError::UnknownKey(1)));
        assert_eq!(
            keys.open(&c2, t0 + Duration::from_secs(3600)),
            Err(CookieError::Expired)
        );
        assert_eq!(
            CookieKeys::new(2, [9; 32]).open(&c2, t0),
            Err(CookieError::Tampered)
        );
    }

    #[test]
    fn payloads_are_read_strictly() {
        let t0 = SystemTime::UNIX_EPOCH + Duration::from_secs(1_795_000_000);
        let keys = CookieKeys::new(1, [1; 32]);
        let mut rng = SeededRng::new(3);
        let mut trailing = encode(&ctx(t0));
        trailing.push(0);
        let c = keys.seal_payload(trailing, &mut rng);
        assert_eq!(keys.open(&c, t0), Err(CookieError::Malformed));
        for bad in [
            StoredContext {
                key: SecretKey::new(vec![1; 8]),
                ..ctx(t0)
            },
            StoredContext {
                identifier: String::new(),
                ..ctx(t0)
            },
            StoredContext {
                created: t0 + Duration::from_secs(7200),
                ..ctx(t0)
            },
        ] {
            let c = keys.seal(&bad, &mut rng);
            assert_eq!(keys.open(&c, t0), Err(CookieError::Malformed));
        }
        let mut wrong_version = encode(&ctx(t0));
        wrong_version[0] = 7;
        let c = keys.seal_payload(wrong_version, &mut rng);
        assert_eq!(keys.open(&c, t0), Err(CookieError::Malformed));
    }

    #[test]
    fn every_tampered_byte_is_refused() {
        let t0 = SystemTime::UNIX_EPOCH + Duration::from_secs(1_795_000_000);
        let keys = CookieKeys::new(1, [1; 32]);
        let c = keys.seal(&ctx(t0), &mut SeededRng::new(2));
        let raw = B64.decode(c.as_bytes()).expect("b64");
        for i in 0..raw.len() {
            let mut t = raw.clone();
            t[i] ^= 0x40;
            assert!(keys.open(&B64.encode(&t), t0).is_err(), "byte {i}");
        }
        for cut in 0..raw.len() {
            assert!(
                keys.open(&B64.encode(&raw[..cut]), t0).is_err(),
                "cut {cut}"
            );
        }
        assert_eq!(keys.open(&"A".repeat(5000), t0), Err(CookieError::TooLong));
        assert_eq!(keys.open("not base64!", t0), Err(CookieError::NotBase64));
    }
}
