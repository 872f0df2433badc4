//! The server's in-memory context store: bounded, with expiry, renewal (the previous
//! key kept for the rollover interval) and cancellation. No clock inside: every call
//! takes `now`.
//!
//! Memory: a live context is one `Context` (about 200 bytes on 64-bit targets) plus its
//! heap parts — the identifier (a 45-byte URN, kept once: the map is keyed by a hash
//! of it, not a second copy), the key (32 bytes), the identity's name — and the map's
//! slot. `examples/context_memory.rs` measures it with 100,000 contexts.

use crate::credentials::Identity;
use crate::keys::SecretKey;
use crate::wire::ScVersion;
use std::collections::HashMap;
use std::time::SystemTime;

/// An issued security context, as the server keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Context {
    pub version: ScVersion,
    pub identifier: String,
    /// The key generation (changes on each renewal).
    pub instance: Option<String>,
    pub key: SecretKey,
    /// The key before the last renewal: (key, accepted until, its instance).
    pub previous_key: Option<(SecretKey, SystemTime, Option<String>)>,
    pub created: SystemTime,
    pub expires: SystemTime,
    /// Who authenticated the bootstrap.
    pub identity: Identity,
    /// Issued but not yet used by any message (WWSAPI's "pending" contexts).
    pub pending: bool,
}

/// Why a context is not available.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum LookupError {
    #[error("unknown")]
    Unknown,
    #[error("expired")]
    Expired,
    #[error("cancelled")]
    Cancelled,
}

/// The store holds as many contexts as it may.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum StoreFull {
    #[error("the context store is full ({0} live contexts)")]
    Active(usize),
    #[error("{0} issued contexts are still unused")]
    Pending(usize),
}

/// Live contexts, and recently cancelled identifiers (so a cancelled context is
/// reported as such until it would have expired).
#[derive(Debug)]
pub struct ContextStore {
    capacity: usize,
    max_pending: usize,
    pending: usize,
    live: HashMap<u64, Context>,
    cancelled: HashMap<u64, SystemTime>,
    hasher: std::collections::hash_map::RandomState,
}

impl ContextStore {
    /// A store for at most `capacity` live contexts, of which at most `max_pending`
    /// were issued and not yet used.
    pub fn new(capacity: usize, max_pending: usize) -> Self {
        ContextStore {
            capacity,
            max_pending,
            pending: 0,
            live: HashMap::new(),
            cancelled: HashMap::new(),
            hasher: std::collections::hash_map::RandomState::new(),
        }
    }

    /// The map key: a keyed 64-bit hash of the identifier (the identifier itself is
    /// compared on lookup, so a collision is a miss, never a wrong context).
    fn slot(&self, identifier: &str) -> u64 {
        use std::hash::BuildHasher;
        self.hasher.hash_one(identifier)
    }

    /// Live contexts (including expired ones not yet purged).
    pub fn len(&self) -> usize {
        self.live.len()
    }

    /// Whether the store holds no context.
    pub fn is_empty(&self) -> bool {
        self.live.is_empty()
    }

    /// Forgets expired contexts and cancellations.
    pub fn purge(&mut self, now: SystemTime) {
        let mut expired_pending = 0;
        self.live.retain(|_, c| {
            let keep = c.expires > now;
            if !keep && c.pending {
                expired_pending += 1;
            }
            keep
        });
        self.pending -= expired_pending;
        self.cancelled.retain(|_, until| *until > now);
    }

    /// Contexts issued and not yet used.
    pub fn pending(&self) -> usize {
        self.pending
    }

    /// Records that a message used the context: it is no longer pending.
    pub fn mark_used(&mut self, identifier: &str) {
        let slot = self.slot(identifier);
        if let Some(c) = self.live.get_mut(&slot) {
            if c.pending && c.identifier == identifier {
                c.pending = false;
                self.pending -= 1;
            }
        }
    }

    /// Adds a context; when the store is full even after purging, refuses it (live
    /// contexts are never evicted).
    pub fn insert(&mut self, ctx: Context, now: SystemTime) -> Result<(), StoreFull> {
        if self.live.len() >= self.capacity || (ctx.pending && self.pending >= self.max_pending) {
            self.purge(now);
        }
        if self.live.len() >= self.capacity {
            return Err(StoreFull::Active(self.live.len()));
        }
        if ctx.pending && self.pending >= self.max_pending {
            return Err(StoreFull::Pending(self.pending));
        }
        let slot = self.slot(&ctx.identifier);
        if self.live.contains_key(&slot) {
            // A colliding or repeated identifier: refuse rather than replace.
            return Err(StoreFull::Active(self.live.len()));
        }
        if ctx.pending {
            self.pending += 1;
        }
        self.live.insert(slot, ctx);
        Ok(())
    }

    /// The live context `identifier`.
    pub fn get(&self, identifier: &str, now: SystemTime) -> Result<&Context, LookupError> {
        let slot = self.slot(identifier);
        match self.live.get(&slot) {
            Some(c) if c.identifier == identifier => {
                if c.expires > now {
                    Ok(c)
                } else {
                    Err(LookupError::Expired)
                }
            }
            _ if self.cancelled.get(&slot).is_some_and(|u| *u > now) => Err(LookupError::Cancelled),
            _ => Err(LookupError::Unknown),
        }
    }

    /// Renews a context: a new key and instance; the previous key stays usable until
    /// `rollover_until`.
    pub fn renew(
        &mut self,
        identifier: &str,
        key: SecretKey,
        instance: Option<String>,
        expires: SystemTime,
        rollover_until: SystemTime,
        now: SystemTime,
    ) -> Result<(), LookupError> {
        self.get(identifier, now)?;
        let slot = self.slot(identifier);
        let c = self.live.get_mut(&slot).ok_or(LookupError::Unknown)?;
        let old_key = std::mem::replace(&mut c.key, key);
        let old_instance = std::mem::replace(&mut c.instance, instance);
        c.previous_key = Some((old_key, rollover_until, old_instance));
        c.expires = expires;
        Ok(())
    }

    /// Cancels a context: it is refused from now on.
    pub fn cancel(&mut self, identifier: &str, now: SystemTime) {
        let slot = self.slot(identifier);
        if let Some(c) = self.live.remove(&slot) {
            if c.pending {
                self.pending -= 1;
            }
            if c.expires > now {
                self.cancelled.insert(slot, c.expires);
            }
        }
        if self.cancelled.len() > self.capacity {
            self.cancelled.retain(|_, until| *until > now);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn ctx(i: usize, t0: SystemTime) -> Context {
        Context {
            version: ScVersion::V1_3,
            identifier: format!("urn:uuid:00000000-0000-4000-8000-{i:012}"),
            instance: None,
            key: SecretKey::new(vec![i as u8; 32]),
            previous_key: None,
            created: t0,
            expires: t0 + Duration::from_secs(3600),
            identity: Identity {
                name: "alice".into(),
            },
            pending: false,
        }
    }

    #[test]
    fn pending_contexts_are_bounded_until_used() {
        let t0 = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        let mut s = ContextStore::new(10, 2);
        let pending = |i| Context {
            pending: true,
            ..ctx(i, t0)
        };
        s.insert(pending(1), t0).expect("room");
        s.insert(pending(2), t0).expect("room");
        assert_eq!(s.insert(pending(3), t0), Err(StoreFull::Pending(2)));
        s.mark_used(&ctx(1, t0).identifier);
        assert_eq!(s.pending(), 1);
        s.insert(pending(3), t0).expect("room once one was used");
        s.cancel(&ctx(2, t0).identifier, t0);
        assert_eq!(s.pending(), 1);
        s.purge(t0 + Duration::from_secs(3601));
        assert_eq!(s.pending(), 0);
    }

    #[test]
    fn capacity_expiry_cancel_renew() {
        let t0 = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        let mut s = ContextStore::new(2, 2);
        s.insert(ctx(1, t0), t0).expect("room");
        s.insert(ctx(2, t0), t0).expect("room");
        assert_eq!(s.insert(ctx(3, t0), t0), Err(StoreFull::Active(2)));
        let id1 = ctx(1, t0).identifier;
        assert!(s.get(&id1, t0).is_ok());
        assert_eq!(s.get("urn:other", t0).err(), Some(LookupError::Unknown));
        s.cancel(&id1, t0);
        assert_eq!(s.get(&id1, t0).err(), Some(LookupError::Cancelled));
        s.insert(ctx(3, t0), t0).expect("room after the cancel");
        let id2 = ctx(2, t0).identifier;
        let later = t0 + Duration::from_secs(100);
        s.renew(
            &id2,
            SecretKey::new(vec![9; 32]),
            Some("i2".into()),
            later + Duration::from_secs(3600),
            later + Duration::from_secs(300),
            later,
        )
        .expect("renew");
        let c = s.get(&id2, later).expect("live");
        assert_eq!(c.key, SecretKey::new(vec![9; 32]));
        assert_eq!(
            c.previous_key.as_ref().map(|p| p.0.clone()),
            Some(SecretKey::new(vec![2; 32]))
        );
        let end = t0 + Duration::from_secs(3601);
        assert_eq!(
            s.get(&ctx(3, t0).identifier, end).err(),
            Some(LookupError::Expired)
        );
        assert!(s.get(&id2, end).is_ok(), "renewed context lives on");
        s.insert(ctx(4, end), end)
            .expect("expired ones are purged to make room");
    }

    #[test]
    fn holds_a_hundred_thousand() {
        let t0 = SystemTime::UNIX_EPOCH;
        let mut s = ContextStore::new(100_000, 100_000);
        for i in 0..100_000 {
            s.insert(ctx(i, t0), t0).expect("room");
        }
        assert_eq!(s.len(), 100_000);
        assert!(s.get(&ctx(99_999, t0).identifier, t0).is_ok());
    }
}
