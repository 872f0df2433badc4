//! The cancelled cookie contexts a server remembers. Cookie contexts need no shared
//! state to be *used* on any node of a farm, but a Cancel is known only where it is
//! remembered: with each node's own [`MemoryCancellations`] (the default), the node
//! that received it; with a shared [`CancelStore`] (the HTTP driver's Redis farm), every
//! node. A store that cannot answer fails closed: the message is refused.

use std::collections::hash_map::RandomState;
use std::collections::{BTreeSet, HashMap};
use std::hash::BuildHasher;
use std::sync::Mutex;
use std::time::SystemTime;

/// The cancelled cookie contexts a server remembers: its own ([`MemoryCancellations`],
/// the default) or its farm's (the HTTP driver's `RedisFarm`).
pub trait CancelStore: Send + Sync {
    /// Remembers `identifier`, cancelled by `identity`, until `until`.
    fn cancel(
        &self,
        identifier: &str,
        identity: &str,
        until: SystemTime,
        now: SystemTime,
    ) -> Result<(), String>;
    /// Whether `identifier` is cancelled at `now` (an error: the store cannot say).
    fn is_cancelled(&self, identifier: &str, now: SystemTime) -> Result<bool, String>;
    /// Forgets what expired (a store that expires entries itself does nothing).
    fn purge(&self, _now: SystemTime) {}
    /// Cancellations held, where the store knows (for `Debug`).
    fn held(&self) -> Option<usize> {
        None
    }
}

/// The most cancellations of cookie contexts a server remembers by itself (about 200
/// bytes each). When that many are remembered, a Cancel still succeeds when room can
/// be made fairly: a canceller holding a quarter of them replaces its own that would
/// be forgotten soonest; any other takes the place of the largest holder's soonest, if
/// that holder holds more than the canceller. Otherwise the Cancel is refused (the
/// client is told; its context stays usable until it expires) rather than forgetting a
/// cancellation of someone who holds no more than the canceller: to push out the
/// cancellation of a client holding `n`, one would need `capacity / (n + 1)` identities.
pub const COOKIE_CANCELLATIONS: usize = 100_000;

/// A server's own cancellations: bounded, in memory; every change is O(log n).
#[derive(Debug)]
pub struct MemoryCancellations {
    inner: Mutex<Cancellations>,
}

/// The tables behind [`MemoryCancellations`]. Identifiers and identities are kept as
/// keyed 64-bit hashes (a false match needs about 2^32 entries, far past the cap).
#[derive(Debug)]
struct Cancellations {
    capacity: usize,
    /// Context → (remembered until, who cancelled it).
    entries: HashMap<u64, (SystemTime, u64)>,
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
        let Some((until, owner)) = self.entries.remove(&slot) else {
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

    fn insert(&mut self, slot: u64, until: SystemTime, owner: u64) {
        let held = self.held_by(owner);
        self.entries.insert(slot, (until, owner));
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

impl CancelStore for MemoryCancellations {
    fn cancel(
        &self,
        identifier: &str,
        identity: &str,
        until: SystemTime,
        now: SystemTime,
    ) -> Result<(), String> {
        let mut t = self.tables();
        t.purge(now);
        let slot = t.hasher.hash_one(identifier);
        let owner = t.hasher.hash_one(identity);
        if let Some(&(old, _)) = t.entries.get(&slot) {
            // Cancelled again (a retried Cancel): remembered for the longer time.
            t.remove(slot);
            t.insert(slot, old.max(until), owner);
            return Ok(());
        }
        if t.entries.len() >= t.capacity {
            let own = t.held_by(owner);
            let share = (t.capacity / 4).max(1);
            let victim = if own >= share {
                t.soonest_of(owner)
            } else {
                match t.sizes.last() {
                    Some(&(largest, holder)) if largest > own + 1 => t.soonest_of(holder),
                    _ => None,
                }
            };
            match victim {
                Some(v) => t.remove(v),
                None => {
                    return Err(format!(
                        "it remembers {} cancellations, the most it may, and none can be \
                         forgotten for this one (no canceller holds more than this one)",
                        t.entries.len()
                    ))
                }
            }
        }
        t.insert(slot, until, owner);
        Ok(())
    }

    fn is_cancelled(&self, identifier: &str, now: SystemTime) -> Result<bool, String> {
        let t = self.tables();
        let slot = t.hasher.hash_one(identifier);
        Ok(t.entries.get(&slot).is_some_and(|(u, _)| *u > now))
    }

    fn purge(&self, now: SystemTime) {
        self.tables().purge(now);
    }

    fn held(&self) -> Option<usize> {
        Some(self.tables().entries.len())
    }
}
