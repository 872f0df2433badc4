//! The replay cache: signature values seen inside their validity window.
//!
//! A message is identified by its signature value, an HMAC over what the profile signs:
//! an unchanged replay repeats it exactly. Under MS-LWSSP that is the Timestamp alone,
//! so two requests with the same Timestamp (and context) collide — the client makes
//! every request's `Created` later than the one before; under derived keys the Body and
//! addressing headers are signed too. Entries are kept until the message could no
//! longer be accepted anyway, in a bounded table: when the table is full of live
//! entries, new messages are refused rather than letting an attacker flush the cache
//! and replay.
//!
//! How long "could still be accepted" is, is the verifier's to say (its timestamp
//! checks): `min(Expires, Created + max latency) + skew`, never the sender's `Expires`
//! alone, so a client writing `Expires` in year 9999 pins nothing for longer than the
//! latency (see `security::verify`).
//!
//! So that one context cannot fill the table for every other, each context may hold
//! at most a quarter of it ([`ReplayCache::with_context_quota`] sets another share);
//! beyond that, that context's messages are refused until its own entries expire.

use std::cmp::Reverse;
use std::collections::hash_map::RandomState;
use std::collections::{BinaryHeap, HashMap};
use std::hash::BuildHasher;
use std::time::SystemTime;

/// Fingerprint size: the first 16 bytes of SHA-256 over the signature value.
type Fingerprint = [u8; 16];

/// Seen signature values, bounded, in total and per context.
#[derive(Debug)]
pub struct ReplayCache {
    capacity: usize,
    per_context: usize,
    seen: HashMap<Fingerprint, SystemTime>,
    /// (until, fingerprint, context slot), earliest first.
    by_expiry: BinaryHeap<Reverse<(SystemTime, Fingerprint, u64)>>,
    /// Live entries per context (a keyed hash of its identifier).
    by_context: HashMap<u64, usize>,
    hasher: RandomState,
}

/// A replay, a full cache, a context over its share, or a shared store out of reach.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReplayError {
    Replayed,
    Full(usize),
    /// The context already holds this many live entries, its share of the cache.
    ContextQuota(usize),
    /// A shared store (a farm's) could not answer: the message is refused (fail
    /// closed), with why.
    Unavailable(String),
}

impl ReplayCache {
    /// Default capacity: 1,000,000 live messages. An entry costs about 110 bytes (map
    /// slot and expiry heap: 102 measured with dhat at a million entries before the
    /// context slot, 8 bytes more per heap entry, was added), so a full cache holds
    /// about 110 MiB; memory grows only with use. With the default timing an entry
    /// lives at most 15 minutes (`Created` up to 5 minutes of skew ahead, 5 minutes of
    /// latency, 5 more of skew), so this covers a sustained ~1,100 messages per second,
    /// ~270 of them on one context; beyond that messages are refused (fail closed, as
    /// WCF's replay cache does) — raise it with `ServerEngine::with_replay_capacity`.
    pub const DEFAULT_CAPACITY: usize = 1_000_000;

    /// A cache holding at most `capacity` live entries, a quarter of them (at least
    /// one) per context.
    pub fn new(capacity: usize) -> Self {
        ReplayCache {
            capacity,
            per_context: (capacity / 4).max(1),
            seen: HashMap::new(),
            by_expiry: BinaryHeap::new(),
            by_context: HashMap::new(),
            hasher: RandomState::new(),
        }
    }

    /// At most `entries` live entries per context (at least one; the whole capacity
    /// turns the quota off).
    pub fn with_context_quota(mut self, entries: usize) -> Self {
        self.per_context = entries.max(1);
        self
    }

    /// Live entries.
    pub fn len(&self) -> usize {
        self.seen.len()
    }

    /// Whether no entry is live.
    pub fn is_empty(&self) -> bool {
        self.seen.is_empty()
    }

    /// When the first entry's window closes (`None`: the cache is empty).
    pub fn next_deadline(&self) -> Option<SystemTime> {
        self.by_expiry.peek().map(|Reverse((until, _, _))| *until)
    }

    /// Forgets entries whose window closed at or before `now`.
    pub fn purge(&mut self, now: SystemTime) {
        while let Some(Reverse((until, fp, context))) = self.by_expiry.peek().copied() {
            if until > now {
                break;
            }
            self.by_expiry.pop();
            self.seen.remove(&fp);
            if let Some(n) = self.by_context.get_mut(&context) {
                *n -= 1;
                if *n == 0 {
                    self.by_context.remove(&context);
                }
            }
        }
    }

    /// Records `signature`, made with the key of `context`, as seen until `until`;
    /// fails when it was already seen, when the cache is full, or when `context`
    /// holds its share of it.
    pub fn check_and_insert(
        &mut self,
        signature: &[u8],
        context: &str,
        until: SystemTime,
        now: SystemTime,
    ) -> Result<(), ReplayError> {
        let digest = ring::digest::digest(&ring::digest::SHA256, signature);
        let mut fp = [0u8; 16];
        fp.copy_from_slice(&digest.as_ref()[..16]);
        self.purge(now);
        if self.seen.contains_key(&fp) {
            return Err(ReplayError::Replayed);
        }
        let slot = self.hasher.hash_one(context);
        let held = self.by_context.get(&slot).copied().unwrap_or(0);
        if held >= self.per_context {
            return Err(ReplayError::ContextQuota(held));
        }
        if self.seen.len() >= self.capacity {
            return Err(ReplayError::Full(self.seen.len()));
        }
        self.seen.insert(fp, until);
        self.by_expiry.push(Reverse((until, fp, slot)));
        *self.by_context.entry(slot).or_default() += 1;
        Ok(())
    }
}

/// Where a verifier records the signatures it accepts: a cache it owns, or a server's
/// [`ReplayStore`] (whose lock, or network round trip, is taken for the check alone,
/// not for the verification before it).
pub trait SeenSignatures {
    /// As [`ReplayCache::check_and_insert`].
    fn check_and_insert(
        &mut self,
        signature: &[u8],
        context: &str,
        until: SystemTime,
        now: SystemTime,
    ) -> Result<(), ReplayError>;
}

impl SeenSignatures for ReplayCache {
    fn check_and_insert(
        &mut self,
        signature: &[u8],
        context: &str,
        until: SystemTime,
        now: SystemTime,
    ) -> Result<(), ReplayError> {
        ReplayCache::check_and_insert(self, signature, context, until, now)
    }
}

/// The replay cache of a server: its own ([`ReplayCache`] behind a lock, the default)
/// or one its farm shares (the HTTP driver's `RedisFarm`).
pub trait ReplayStore: Send + Sync {
    /// As [`ReplayCache::check_and_insert`].
    fn check_and_insert(
        &self,
        signature: &[u8],
        context: &str,
        until: SystemTime,
        now: SystemTime,
    ) -> Result<(), ReplayError>;
    /// Forgets what expired (a store that expires entries itself does nothing).
    fn purge(&self, _now: SystemTime) {}
    /// When something it holds is next due to expire, for a store that purges (`None`
    /// for one that expires entries itself).
    fn next_deadline(&self) -> Option<SystemTime> {
        None
    }
    /// Entries held, where the store knows (a server's own cache).
    fn held(&self) -> Option<usize> {
        None
    }
}

/// A server's own cache, behind a lock (taken over when poisoned: each change is one insert or
/// one purge step).
impl ReplayStore for std::sync::Mutex<ReplayCache> {
    fn check_and_insert(
        &self,
        signature: &[u8],
        context: &str,
        until: SystemTime,
        now: SystemTime,
    ) -> Result<(), ReplayError> {
        crate::lock(self).check_and_insert(signature, context, until, now)
    }
    fn next_deadline(&self) -> Option<SystemTime> {
        crate::lock(self).next_deadline()
    }
    fn held(&self) -> Option<usize> {
        Some(crate::lock(self).len())
    }
    fn purge(&self, now: SystemTime) {
        crate::lock(self).purge(now);
    }
}

impl SeenSignatures for &dyn ReplayStore {
    fn check_and_insert(
        &mut self,
        signature: &[u8],
        context: &str,
        until: SystemTime,
        now: SystemTime,
    ) -> Result<(), ReplayError> {
        ReplayStore::check_and_insert(*self, signature, context, until, now)
    }
}

impl From<ReplayError> for super::SecurityError {
    fn from(e: ReplayError) -> Self {
        match e {
            ReplayError::Replayed => super::SecurityError::Replay,
            ReplayError::Full(n) => super::SecurityError::ReplayCacheFull(n),
            ReplayError::ContextQuota(n) => super::SecurityError::ReplayQuota(n),
            ReplayError::Unavailable(why) => super::SecurityError::ReplayUnavailable(why),
        }
    }
}

impl Default for ReplayCache {
    fn default() -> Self {
        Self::new(Self::DEFAULT_CAPACITY)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn replays_are_caught_until_the_window_closes() {
        let t0 = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        let mut c = ReplayCache::new(2).with_context_quota(2);
        let until = t0 + Duration::from_secs(300);
        assert_eq!(c.check_and_insert(b"a", "x", until, t0), Ok(()));
        assert_eq!(
            c.check_and_insert(b"a", "x", until, t0 + Duration::from_secs(299)),
            Err(ReplayError::Replayed)
        );
        assert_eq!(c.check_and_insert(b"b", "y", until, t0), Ok(()));
        assert_eq!(
            c.check_and_insert(b"c", "z", until, t0),
            Err(ReplayError::Full(2))
        );
        // After the window both are forgotten and room is made.
        assert_eq!(
            c.check_and_insert(b"c", "x", until + Duration::from_secs(600), until),
            Ok(())
        );
        assert_eq!(c.len(), 1);
    }

    #[test]
    fn one_context_holds_at_most_its_share() {
        let t0 = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        let until = t0 + Duration::from_secs(300);
        let mut c = ReplayCache::new(8);
        for i in 0..2u8 {
            assert_eq!(c.check_and_insert(&[i], "greedy", until, t0), Ok(()));
        }
        assert_eq!(
            c.check_and_insert(&[9], "greedy", until, t0),
            Err(ReplayError::ContextQuota(2)),
            "a quarter of 8"
        );
        assert_eq!(c.check_and_insert(&[9], "other", until, t0), Ok(()));
        // Its share comes back as its entries expire.
        assert_eq!(
            c.check_and_insert(&[10], "greedy", until + Duration::from_secs(1), until),
            Ok(())
        );
    }
}
