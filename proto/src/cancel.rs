//! The cancelled cookie contexts a server remembers. Cookie contexts need no shared
//! state to be *used* on any node of a farm, but a Cancel is known only where it is
//! remembered: with each node's own [`MemoryCancellations`] (the default), the node
//! that received it; with a shared [`CancelStore`] (the HTTP driver's Redis farm), every
//! node. A store that cannot answer fails closed: the message is refused.

use std::collections::HashMap;
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

/// The most cancellations of cookie contexts a server remembers by itself (about 100
/// bytes each). When that many are remembered, a new Cancel still succeeds: the
/// cancellation that would be forgotten soonest goes — the canceller's own when it
/// already holds a quarter of them, so that one client cancelling many contexts only
/// ever makes room among its own — and that context is usable again until it expires.
pub const COOKIE_CANCELLATIONS: usize = 100_000;

/// A server's own cancellations: bounded, in memory.
#[derive(Debug)]
pub struct MemoryCancellations {
    /// Identifier → (remembered until, who cancelled it).
    cancelled: Mutex<HashMap<String, (SystemTime, String)>>,
    capacity: usize,
}

impl MemoryCancellations {
    /// At most `capacity` cancellations (at least one).
    pub fn new(capacity: usize) -> Self {
        MemoryCancellations {
            cancelled: Mutex::new(HashMap::new()),
            capacity: capacity.max(1),
        }
    }

    fn map(&self) -> std::sync::MutexGuard<'_, HashMap<String, (SystemTime, String)>> {
        crate::lock(&self.cancelled)
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
        let mut cancelled = self.map();
        cancelled.retain(|_, (u, _)| *u > now);
        if cancelled.len() >= self.capacity && !cancelled.contains_key(identifier) {
            let own = cancelled
                .values()
                .filter(|(_, who)| who == identity)
                .count();
            let mine_only = own >= (self.capacity / 4).max(1);
            let soonest = cancelled
                .iter()
                .filter(|(_, (_, who))| !mine_only || who == identity)
                .min_by_key(|(_, (u, _))| *u)
                .map(|(id, _)| id.clone());
            if let Some(id) = soonest {
                cancelled.remove(&id);
            }
        }
        cancelled.insert(identifier.to_owned(), (until, identity.to_owned()));
        Ok(())
    }

    fn is_cancelled(&self, identifier: &str, now: SystemTime) -> Result<bool, String> {
        Ok(self.map().get(identifier).is_some_and(|(u, _)| *u > now))
    }

    fn purge(&self, now: SystemTime) {
        self.map().retain(|_, (u, _)| *u > now);
    }

    fn held(&self) -> Option<usize> {
        Some(self.map().len())
    }
}
