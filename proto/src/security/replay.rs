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
//! So that one client cannot fill the table for every other, each *owner* may hold at
//! most a quarter of it ([`ReplayCache::with_owner_share`] sets another share); beyond
//! that, the owner's messages are refused until its own entries expire. A server's
//! owner is the identity that negotiated the signing context (contexts cost an
//! authenticated client nothing, so a per-context share bounds nothing); a receiver
//! that knows no identity (the CLI) charges the context itself.

use std::cmp::Reverse;
use std::collections::hash_map::RandomState;
use std::collections::{BinaryHeap, HashMap};
use std::hash::BuildHasher;
use std::time::SystemTime;

/// Fingerprint size: the first 16 bytes of SHA-256 over the signature value.
type Fingerprint = [u8; 16];

/// Seen signature values, bounded, in total and per owner.
#[derive(Debug)]
pub struct ReplayCache {
    capacity: usize,
    per_owner: usize,
    seen: HashMap<Fingerprint, SystemTime>,
    /// (until, fingerprint, owner slot), earliest first.
    by_expiry: BinaryHeap<Reverse<(SystemTime, Fingerprint, u64)>>,
    /// Live entries per owner (a keyed hash of its name).
    by_owner: HashMap<u64, usize>,
    hasher: RandomState,
}

/// A replay, a full cache, an owner over its share, or a shared store out of reach.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReplayError {
    Replayed,
    Full(usize),
    /// The owner (the identity behind the signing context) already holds this many
    /// live entries, its share of the cache.
    OwnerQuota(usize),
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
    /// ~270 of them from one identity; beyond that messages are refused (fail closed, as
    /// WCF's replay cache does) — raise it with `ServerEngine::with_replay_capacity`.
    pub const DEFAULT_CAPACITY: usize = 1_000_000;

    /// A cache holding at most `capacity` live entries, a quarter of them (at least
    /// one) per owner.
    pub fn new(capacity: usize) -> Self {
        ReplayCache {
            capacity,
            per_owner: (capacity / 4).max(1),
            seen: HashMap::new(),
            by_expiry: BinaryHeap::new(),
            by_owner: HashMap::new(),
            hasher: RandomState::new(),
        }
    }

    /// Each owner may hold `1/divisor` of the capacity (at least one entry; 4 by
    /// default; 1 turns the share off, for a service whose every client signs in with
    /// one account).
    pub fn with_owner_share(mut self, divisor: usize) -> Self {
        self.per_owner = (self.capacity / divisor.max(1)).max(1);
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
        while let Some(Reverse((until, fp, owner))) = self.by_expiry.peek().copied() {
            if until > now {
                break;
            }
            self.by_expiry.pop();
            self.seen.remove(&fp);
            if let Some(n) = self.by_owner.get_mut(&owner) {
                *n -= 1;
                if *n == 0 {
                    self.by_owner.remove(&owner);
                }
            }
        }
    }

    /// Records `signature`, charged to `owner` (the identity behind the signing
    /// context, or the context itself), as seen until `until`; fails when it was
    /// already seen, when the cache is full, or when `owner` holds its share of it.
    pub fn check_and_insert(
        &mut self,
        signature: &[u8],
        owner: &str,
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
        if self.seen.len() >= self.capacity {
            return Err(ReplayError::Full(self.seen.len()));
        }
        let slot = self.hasher.hash_one(owner);
        let held = self.by_owner.get(&slot).copied().unwrap_or(0);
        if held >= self.per_owner {
            return Err(ReplayError::OwnerQuota(held));
        }
        self.seen.insert(fp, until);
        self.by_expiry.push(Reverse((until, fp, slot)));
        *self.by_owner.entry(slot).or_default() += 1;
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
        owner: &str,
        until: SystemTime,
        now: SystemTime,
    ) -> Result<(), ReplayError>;
}

impl SeenSignatures for ReplayCache {
    fn check_and_insert(
        &mut self,
        signature: &[u8],
        owner: &str,
        until: SystemTime,
        now: SystemTime,
    ) -> Result<(), ReplayError> {
        ReplayCache::check_and_insert(self, signature, owner, until, now)
    }
}

/// The replay cache of a server: its own ([`ReplayCache`] behind a lock, the default)
/// or one its farm shares (the HTTP driver's `RedisFarm`).
pub trait ReplayStore: Send + Sync {
    /// As [`ReplayCache::check_and_insert`].
    fn check_and_insert(
        &self,
        signature: &[u8],
        owner: &str,
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
        owner: &str,
        until: SystemTime,
        now: SystemTime,
    ) -> Result<(), ReplayError> {
        crate::lock(self).check_and_insert(signature, owner, until, now)
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
        owner: &str,
        until: SystemTime,
        now: SystemTime,
    ) -> Result<(), ReplayError> {
        ReplayStore::check_and_insert(*self, signature, owner, until, now)
    }
}

impl From<ReplayError> for super::SecurityError {
    fn from(e: ReplayError) -> Self {
        match e {
            ReplayError::Replayed => super::SecurityError::Replay,
            ReplayError::Full(n) => super::SecurityError::ReplayCacheFull(n),
            ReplayError::OwnerQuota(n) => super::SecurityError::ReplayQuota(n),
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
        let mut c = ReplayCache::new(2).with_owner_share(1);
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
    fn one_owner_holds_at_most_its_share() {
        let t0 = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        let until = t0 + Duration::from_secs(300);
        let mut c = ReplayCache::new(8);
        for i in 0..2u8 {
            assert_eq!(c.check_and_insert(&[i], "greedy", until, t0), Ok(()));
        }
        assert_eq!(
            c.check_and_insert(&[9], "greedy", until, t0),
            Err(ReplayError::OwnerQuota(2)),
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
