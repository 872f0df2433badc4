//! The replay cache: signature values seen inside their validity window.
//!
//! A message is identified by its signature value (an HMAC over the timestamp and the
//! signed parts: two different messages collide with negligible probability, and an
//! unchanged replay repeats it exactly). Entries are kept until the message could no
//! longer be accepted anyway (its expiry plus the clock skew), in a bounded table: when
//! the table is full of live entries, new messages are refused rather than letting an
//! attacker flush the cache and replay.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::time::SystemTime;

/// Fingerprint size: the first 16 bytes of SHA-256 over the signature value.
type Fingerprint = [u8; 16];

/// Seen signature values, bounded.
#[derive(Debug)]
pub struct ReplayCache {
    capacity: usize,
    seen: HashMap<Fingerprint, SystemTime>,
    by_expiry: BinaryHeap<Reverse<(SystemTime, Fingerprint)>>,
}

/// A replay, or a full cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplayError {
    Replayed,
    Full(usize),
}

impl ReplayCache {
    /// Default capacity: 1,000,000 live messages. An entry costs about 100 bytes (map
    /// slot and expiry heap; 102 measured with dhat at a million entries), so a full
    /// cache holds about 100 MiB; memory grows only with use. With the default timing an entry lives 10 minutes (a 5-minute
    /// timestamp plus 5 minutes of skew), so this covers a sustained ~1,600 messages
    /// per second; beyond that messages are refused (fail closed, as WCF's replay
    /// cache does) — raise it with `ServerEngine::with_replay_capacity`.
    pub const DEFAULT_CAPACITY: usize = 1_000_000;

    /// A cache holding at most `capacity` live entries.
    pub fn new(capacity: usize) -> Self {
        ReplayCache {
            capacity,
            seen: HashMap::new(),
            by_expiry: BinaryHeap::new(),
        }
    }

    /// Live entries.
    pub fn len(&self) -> usize {
        self.seen.len()
    }

    /// Whether no entry is live.
    pub fn is_empty(&self) -> bool {
        self.seen.is_empty()
    }

    /// Forgets entries whose window closed at or before `now`.
    pub fn purge(&mut self, now: SystemTime) {
        while let Some(Reverse((until, fp))) = self.by_expiry.peek().copied() {
            if until > now {
                break;
            }
            self.by_expiry.pop();
            self.seen.remove(&fp);
        }
    }

    /// Records `signature` as seen until `until`; fails when it was already seen.
    pub fn check_and_insert(
        &mut self,
        signature: &[u8],
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
        self.seen.insert(fp, until);
        self.by_expiry.push(Reverse((until, fp)));
        Ok(())
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
        let mut c = ReplayCache::new(2);
        let until = t0 + Duration::from_secs(300);
        assert_eq!(c.check_and_insert(b"a", until, t0), Ok(()));
        assert_eq!(
            c.check_and_insert(b"a", until, t0 + Duration::from_secs(299)),
            Err(ReplayError::Replayed)
        );
        assert_eq!(c.check_and_insert(b"b", until, t0), Ok(()));
        assert_eq!(
            c.check_and_insert(b"c", until, t0),
            Err(ReplayError::Full(2))
        );
        // After the window both are forgotten and room is made.
        assert_eq!(
            c.check_and_insert(b"c", until + Duration::from_secs(600), until),
            Ok(())
        );
        assert_eq!(c.len(), 1);
    }
}
