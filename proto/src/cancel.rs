//! How cookie contexts end early: the cancellations and renewals a server remembers.
//! Cookie contexts need no shared state to be *used* on any node of a farm, but a
//! Cancel, or a Renew that retires the old key (cookie) after the rollover, is known
//! only where it is remembered: with each node's own [`MemoryCancellations`] (the
//! default), the node that received it; with a shared [`CancelStore`] (the HTTP
//! driver's Redis farm), every node. A store that cannot answer fails closed: the
//! message is refused.
//!
//! A renewed context's old cookie is still a valid seal until the old expiry: without
//! the record of the renewal it would stay usable for that long, not for the rollover
//! interval the description gives.

use std::collections::hash_map::RandomState;
use std::collections::{BTreeSet, HashMap};
use std::hash::BuildHasher;
use std::sync::Mutex;
use std::time::SystemTime;

/// How a cookie context ended before its cookie expired.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Ended {
    /// Cancelled.
    Cancelled,
    /// Renewed, and the message's key is the one replaced, past the rollover.
    RolledOver,
    /// Renewed, and the message's key is neither the new one nor the one replaced.
    Superseded,
}

/// The cancelled and renewed cookie contexts a server remembers: its own
/// ([`MemoryCancellations`], the default) or its farm's (the HTTP driver's
/// `RedisFarm`).
pub trait CancelStore: Send + Sync {
    /// Remembers `identifier`, cancelled by `identity`, until `until`.
    fn cancel(
        &self,
        identifier: &str,
        identity: &str,
        until: SystemTime,
        now: SystemTime,
    ) -> Result<(), String>;
    /// Remembers that `identity` renewed `identifier`: its key is now `instance`, the
    /// key `previous` stays usable until `rollover_until`, any older one is not.
    /// Kept until `until` (when the replaced cookie expires anyway). A cancellation
    /// stays a cancellation.
    #[allow(clippy::too_many_arguments)]
    fn renewed(
        &self,
        identifier: &str,
        identity: &str,
        instance: Option<&str>,
        previous: Option<&str>,
        rollover_until: SystemTime,
        until: SystemTime,
        now: SystemTime,
    ) -> Result<(), String>;
    /// Whether a message naming `identifier` and its key `instance` comes after the
    /// context ended for that key (an error: the store cannot say).
    fn ended(
        &self,
        identifier: &str,
        instance: Option<&str>,
        now: SystemTime,
    ) -> Result<Option<Ended>, String>;
    /// Forgets what expired (a store that expires entries itself does nothing).
    fn purge(&self, _now: SystemTime) {}
    /// Records held, where the store knows (for `Debug`).
    fn held(&self) -> Option<usize> {
        None
    }
}

/// What is remembered of a context.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mark {
    Cancelled,
    /// Keyed hashes of the instances.
    Renewed {
        current: u64,
        previous: u64,
        rollover_until: SystemTime,
    },
}

/// The most cancellations and renewals of cookie contexts a server remembers by
/// itself (about 200 bytes each; a renewal is kept only until the replaced cookie
/// expires). When that many are remembered, a Cancel or Renew still succeeds when room can
/// be made fairly: a canceller holding a quarter of them replaces its own that would
/// be forgotten soonest; any other takes the place of the largest holder's soonest, if
/// that holder holds more than the canceller. Otherwise the Cancel is refused (the
/// client is told; its context stays usable until it expires) rather than forgetting a
/// cancellation of someone who holds no more than the canceller: to push out the
/// cancellation of a client holding `n`, one would need `capacity / (n + 1)` identities.
pub const COOKIE_CANCELLATIONS: usize = 100_000;

/// A server's own cancellations and renewals: bounded, in memory; every change is
/// O(log n).
#[derive(Debug)]
pub struct MemoryCancellations {
    inner: Mutex<Cancellations>,
}

/// The tables behind [`MemoryCancellations`]. Identifiers and identities are kept as
/// keyed 64-bit hashes (a false match needs about 2^32 entries, far past the cap).
#[derive(Debug)]
struct Cancellations {
    capacity: usize,
    /// Context → (remembered until, who cancelled or renewed it, what happened).
    entries: HashMap<u64, (SystemTime, u64, Mark)>,
    /// Every entry, soonest forgotten first.
    by_expiry: BTreeSet<(SystemTime, u64)>,
    /// Each canceller's entries, soonest forgotten first.
    by_owner: HashMap<u64, BTreeSet<(SystemTime, u64)>>,
    /// (entries held, canceller): the largest holder last.
    sizes: BTreeSet<(usize, u64)>,
    hasher: RandomState,
}

impl Cancellations {
    fn held_by(&self, owner: u64) -> usize {
        self.by_owner.get(&owner).map_or(0, BTreeSet::len)
    }

    fn resize(&mut self, owner: u64, from: usize, to: usize) {
        if from > 0 {
            self.sizes.remove(&(from, owner));
        }
        if to > 0 {
            self.sizes.insert((to, owner));
        }
    }

    fn remove(&mut self, slot: u64) {
        let Some((until, owner, _)) = self.entries.remove(&slot) else {
            return;
        };
        self.by_expiry.remove(&(until, slot));
        let held = self.held_by(owner);
        if let Some(own) = self.by_owner.get_mut(&owner) {
            own.remove(&(until, slot));
            if own.is_empty() {
                self.by_owner.remove(&owner);
            }
        }
        self.resize(owner, held, held - 1);
    }

    fn insert(&mut self, slot: u64, until: SystemTime, owner: u64, mark: Mark) {
        let held = self.held_by(owner);
        self.entries.insert(slot, (until, owner, mark));
        self.by_expiry.insert((until, slot));
        self.by_owner
            .entry(owner)
            .or_default()
            .insert((until, slot));
        self.resize(owner, held, held + 1);
    }

    fn purge(&mut self, now: SystemTime) {
        while let Some(&(until, slot)) = self.by_expiry.first() {
            if until > now {
                break;
            }
            self.remove(slot);
        }
    }

    /// The soonest forgotten entry of `owner`.
    fn soonest_of(&self, owner: u64) -> Option<u64> {
        self.by_owner.get(&owner)?.first().map(|&(_, slot)| slot)
    }
}

impl MemoryCancellations {
    /// At most `capacity` cancellations (at least one).
    pub fn new(capacity: usize) -> Self {
        MemoryCancellations {
            inner: Mutex::new(Cancellations {
                capacity: capacity.max(1),
                entries: HashMap::new(),
                by_expiry: BTreeSet::new(),
                by_owner: HashMap::new(),
                sizes: BTreeSet::new(),
                hasher: RandomState::new(),
            }),
        }
    }

    fn tables(&self) -> std::sync::MutexGuard<'_, Cancellations> {
        crate::lock(&self.inner)
    }
}

impl Default for MemoryCancellations {
    fn default() -> Self {
        Self::new(COOKIE_CANCELLATIONS)
    }
}

impl Cancellations {
    /// Remembers `mark` for `identifier`, making room fairly when full (see
    /// [`COOKIE_CANCELLATIONS`]). A cancellation is never replaced by a renewal.
    fn remember(
        &mut self,
        identifier: &str,
        identity: &str,
        mark: impl FnOnce(&RandomState) -> Mark,
        until: SystemTime,
        now: SystemTime,
    ) -> Result<(), String> {
        self.purge(now);
        let slot = self.hasher.hash_one(identifier);
        let owner = self.hasher.hash_one(identity);
        let mark = mark(&self.hasher);
        if let Some(&(old_until, _, old)) = self.entries.get(&slot) {
            // Cancelled or renewed again: remembered for the longer time.
            let mark = if old == Mark::Cancelled { old } else { mark };
            self.remove(slot);
            self.insert(slot, old_until.max(until), owner, mark);
            return Ok(());
        }
        if self.entries.len() >= self.capacity {
            let own = self.held_by(owner);
            let share = (self.capacity / 4).max(1);
            let victim = if own >= share {
                self.soonest_of(owner)
            } else {
                match self.sizes.last() {
                    Some(&(largest, holder)) if largest > own + 1 => self.soonest_of(holder),
                    _ => None,
                }
            };
            match victim {
                Some(v) => self.remove(v),
                None => {
                    return Err(format!(
                        "it remembers {} cancellations and renewals, the most it may, and \
                         none can be forgotten for this one (no one holds more than this \
                         client)",
                        self.entries.len()
                    ))
                }
            }
        }
        self.insert(slot, until, owner, mark);
        Ok(())
    }
}

impl CancelStore for MemoryCancellations {
    fn cancel(
        &self,
        identifier: &str,
        identity: &str,
        until: SystemTime,
        now: SystemTime,
    ) -> Result<(), String> {
        self.tables()
            .remember(identifier, identity, |_| Mark::Cancelled, until, now)
    }

    fn renewed(
        &self,
        identifier: &str,
        identity: &str,
        instance: Option<&str>,
        previous: Option<&str>,
        rollover_until: SystemTime,
        until: SystemTime,
        now: SystemTime,
    ) -> Result<(), String> {
        let mark = |h: &RandomState| Mark::Renewed {
            current: h.hash_one(instance),
            previous: h.hash_one(previous),
            rollover_until,
        };
        self.tables()
            .remember(identifier, identity, mark, until, now)
    }

    fn ended(
        &self,
        identifier: &str,
        instance: Option<&str>,
        now: SystemTime,
    ) -> Result<Option<Ended>, String> {
        let t = self.tables();
        let slot = t.hasher.hash_one(identifier);
        Ok(match t.entries.get(&slot) {
            Some(&(until, _, mark)) if until > now => {
                ended_by(mark, t.hasher.hash_one(instance), now)
            }
            _ => None,
        })
    }

    fn purge(&self, now: SystemTime) {
        self.tables().purge(now);
    }

    fn held(&self) -> Option<usize> {
        Some(self.tables().entries.len())
    }
}

/// What `mark` says of a message signed with the key whose hash is `instance`.
fn ended_by(mark: Mark, instance: u64, now: SystemTime) -> Option<Ended> {
    match mark {
        Mark::Cancelled => Some(Ended::Cancelled),
        Mark::Renewed {
            current,
            previous,
            rollover_until,
        } => after_renewal(
            instance == current,
            instance == previous,
            now >= rollover_until,
        ),
    }
}

/// The rule of a renewed context, for every store: the new key is in use; the one it
/// replaced until the rollover ends; any older one no longer.
pub fn after_renewal(is_current: bool, is_previous: bool, rolled_over: bool) -> Option<Ended> {
    if is_current {
        None
    } else if is_previous {
        rolled_over.then_some(Ended::RolledOver)
    } else {
        Some(Ended::Superseded)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn a_renewal_retires_the_replaced_key_after_the_rollover_and_older_ones_at_once() {
        let t0 = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        let at = |s| t0 + Duration::from_secs(s);
        let store = MemoryCancellations::new(8);
        let until = at(3600);
        assert_eq!(store.ended("ctx", None, t0), Ok(None));
        // First renewal: no instance → i1.
        store
            .renewed("ctx", "alice", Some("i1"), None, at(300), until, t0)
            .expect("room");
        assert_eq!(store.ended("ctx", Some("i1"), at(1)), Ok(None));
        assert_eq!(store.ended("ctx", None, at(299)), Ok(None));
        assert_eq!(
            store.ended("ctx", None, at(300)),
            Ok(Some(Ended::RolledOver))
        );
        // Second: i1 → i2. The first key is now neither: refused at once.
        store
            .renewed(
                "ctx",
                "alice",
                Some("i2"),
                Some("i1"),
                at(400),
                until,
                at(100),
            )
            .expect("room");
        assert_eq!(
            store.ended("ctx", None, at(101)),
            Ok(Some(Ended::Superseded))
        );
        assert_eq!(store.ended("ctx", Some("i1"), at(101)), Ok(None));
        assert_eq!(store.ended("ctx", Some("i2"), at(101)), Ok(None));
        // A cancellation wins, and a later renewal does not undo it.
        store.cancel("ctx", "alice", until, at(102)).expect("room");
        store
            .renewed(
                "ctx",
                "alice",
                Some("i3"),
                Some("i2"),
                at(500),
                until,
                at(103),
            )
            .expect("room");
        assert_eq!(
            store.ended("ctx", Some("i3"), at(104)),
            Ok(Some(Ended::Cancelled))
        );
        // Everything is forgotten when the replaced cookie would have expired anyway.
        assert_eq!(store.ended("ctx", Some("i2"), until), Ok(None));
        store.purge(until);
        assert_eq!(store.held(), Some(0));
    }
}
