//! The server's in-memory context store: bounded, with expiry, renewal (the previous
//! key kept for the rollover interval) and cancellation. No clock inside: every call
//! takes `now`.
//!
//! # Memory per live context (64-bit targets)
//! - the map slot: a `u64` key (a keyed hash of the identifier, so the identifier is
//!   held once, in the context) plus the [`StoredContext`] value (at most 216 bytes, checked
//!   by a test) plus hashbrown's control byte; the table is kept between 7/16 and 7/8
//!   full, so a slot costs about 240 to 480 bytes per context depending on where the
//!   count sits between two power-of-two resizes;
//! - heap parts, one allocation each, sized exactly (strings are shrunk on insert): the
//!   identifier (`urn:uuid:…`, 45 bytes), the key (32 bytes), the identity's name, and
//!   after a renewal the new instance (45) and the previous key (32).
//!
//! Heap bytes requested per context, measured once with dhat (user name `alice`, 32-byte
//! keys): 355 fresh and 432 renewed at 100,000 contexts; 538 and 615 at 60,000, just
//! after a resize (the worst point). The allocator adds some 8–16 bytes to each of the
//! three to five allocations: under 700 bytes in the worst case, within the 1 KiB goal.
//! A cancellation remembered until the context's expiry costs about 50 bytes more (a map
//! entry and a queue entry); at most as many are kept as the store's capacity. Each
//! context also has an entry of 24 bytes in the deadline heap (which makes a purge cost
//! only what is due), and an unused one 24 more in the issue order; each identity one
//! small entry. These came after the dhat figures above; with them,
//! `cargo run --release -p wsbind-proto --example context_memory` measures 419 bytes
//! per context at 100,000 unused contexts of one identity.
//!
//! # Lock-outs
//! - An issued context that no message uses is *pending*; it is dropped after
//!   [`DEFAULT_PENDING_LIFE`] (2 minutes, as WCF drops an unused session), so unused
//!   Issue requests hold their slots briefly, not for the context's lifetime.
//! - Once a table (the live contexts, or the unused ones) is three quarters full, an
//!   identity holding a quarter of it or more gets no more room there
//!   ([`ContextStore::with_identity_share`] sets another share): its new unused
//!   context replaces its own oldest unused one (nobody else's is touched), and a new
//!   context beyond its live share is refused. One identity alone can so take three
//!   quarters of the store, never all of it: the last quarter stays for the others,
//!   and a server whose clients share one service account is not held back below
//!   that. At the caps themselves a new context is refused, not made room for by
//!   dropping another's (WWSAPI's rule).

use crate::credentials::Identity;
use crate::keys::SecretKey;
use crate::wire::ScVersion;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, VecDeque};
use std::time::{Duration, SystemTime};

/// An issued security context, as the server keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredContext {
    /// The WS-SC generation it was issued in; messages of the other one do not use it.
    pub version: ScVersion,
    /// The context identifier (`c:Identifier`).
    pub identifier: String,
    /// The key generation (changes on each renewal).
    pub instance: Option<String>,
    /// The current key.
    pub key: SecretKey,
    /// The key before the last renewal: (key, accepted until, its instance).
    pub previous_key: Option<(SecretKey, SystemTime, Option<String>)>,
    /// When it was issued.
    pub created: SystemTime,
    /// When it ends (moved on by a renewal).
    pub expires: SystemTime,
    /// Who authenticated the bootstrap.
    pub identity: Identity,
    /// Issued but not yet used by any message (WWSAPI's "pending" contexts).
    pub pending: bool,
    /// When a message last used it (its issue, before that): with an idle timeout, a
    /// context unused for that long is dropped.
    pub last_used: SystemTime,
}

/// How long an issued context may stay unused before the store drops it: 2 minutes,
/// as WCF drops an unused security session.
pub const DEFAULT_PENDING_LIFE: Duration = Duration::from_secs(120);

/// How long a used context may go without a message before the store drops it, unless
/// [`ServerEngine::with_idle_timeout`](crate::engine::ServerEngine::with_idle_timeout)
/// says otherwise: 2 minutes, WCF's default
/// inactivity timeout for a secure conversation (`LocalServiceSecuritySettings.
/// InactivityTimeout`). WWSAPI has none: its contexts live until they expire
/// (`with_idle_timeout(None)`). The client is answered `BadContextToken`, as WCF
/// answers it, and a wsbind client negotiates a new context and sends again.
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(120);

/// One identity's contexts.
#[derive(Debug, Default, Clone, Copy)]
struct Holding {
    live: usize,
    pending: usize,
}

/// Why a context is not available.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub(crate) enum LookupError {
    /// Never issued, purged after its expiry, or its cancellation forgotten; also a key
    /// instance the context never had.
    #[error("unknown")]
    Unknown,
    /// Past its expiry (not yet purged), or an old key instance past its rollover.
    #[error("expired")]
    Expired,
    /// Cancelled, and its expiry has not come yet.
    #[error("cancelled")]
    Cancelled,
}

/// The store holds as many contexts as it may.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum StoreFull {
    /// As many live contexts as the capacity (also returned, with the same count, for
    /// an identifier the store already holds — never the case for identifiers drawn
    /// from [`crate::keys::uuid_urn`]).
    #[error("the context store is full ({0} live contexts)")]
    Active(usize),
    /// As many pending contexts as allowed.
    #[error("{0} issued contexts are still unused")]
    Pending(usize),
    /// The identity holds its share of a store three quarters full.
    #[error("`{identity}` holds {held} contexts, its share of a store three quarters full")]
    Identity { identity: String, held: usize },
}

/// Live contexts, and recently cancelled identifiers (so a cancelled context is
/// reported as such until it would have expired).
#[derive(Debug)]
pub(crate) struct ContextStore {
    capacity: usize,
    max_pending: usize,
    pending: usize,
    /// How long an issued context may stay unused.
    pending_life: Duration,
    /// Each identity's share of the capacity and of `max_pending`, as a divisor.
    share: usize,
    /// Live and pending contexts per identity name.
    holdings: HashMap<String, Holding>,
    /// Pending contexts in the order they were issued (slot, created); entries whose
    /// context was used or dropped are skipped and trimmed lazily.
    pending_order: VecDeque<(u64, SystemTime)>,
    /// When each context is due to leave (earliest first; see `purge`).
    deadlines: BinaryHeap<Reverse<(SystemTime, u64)>>,
    /// When the cancellations were last swept.
    last_sweep: SystemTime,
    live: HashMap<u64, StoredContext>,
    /// Cancelled slots and the expiry of their context.
    cancelled: HashMap<u64, SystemTime>,
    /// The same, in the order of cancellation: when more than `capacity` are
    /// remembered, the oldest cancellation is forgotten first (the context is then
    /// reported `Unknown`: still refused).
    cancel_order: VecDeque<(u64, SystemTime)>,
    hasher: std::collections::hash_map::RandomState,
    /// How long after its expiry a context may still be renewed.
    renew_grace: Duration,
    /// How long a used context may go without a message.
    idle: Option<Duration>,
}

impl ContextStore {
    /// A store for at most `capacity` live contexts, of which at most `max_pending`
    /// were issued and not yet used.
    pub(crate) fn new(capacity: usize, max_pending: usize) -> Self {
        ContextStore {
            capacity,
            max_pending,
            pending: 0,
            pending_life: DEFAULT_PENDING_LIFE,
            share: 4,
            holdings: HashMap::new(),
            pending_order: VecDeque::new(),
            deadlines: BinaryHeap::new(),
            last_sweep: SystemTime::UNIX_EPOCH,
            live: HashMap::new(),
            cancelled: HashMap::new(),
            cancel_order: VecDeque::new(),
            hasher: std::collections::hash_map::RandomState::new(),
            renew_grace: Duration::ZERO,
            idle: None,
        }
    }

    /// Drops a used context that no message used for `idle` (`None`, the default
    /// here: contexts live until they expire, as in WWSAPI; the engine sets
    /// [`DEFAULT_IDLE_TIMEOUT`]).
    pub(crate) fn with_idle_timeout(mut self, idle: Option<Duration>) -> Self {
        self.idle = idle;
        self
    }

    /// Keeps an expired context for `grace` more, during which a Renew signed with its
    /// last key revives it ([`key_or_refusal`](Self::key_or_refusal) with the grace); every other
    /// message is refused with [`LookupError::Expired`] from its expiry on. This is
    /// what a `RenewNeeded` fault promises the client.
    pub(crate) fn with_renew_grace(mut self, grace: Duration) -> Self {
        self.renew_grace = grace;
        self
    }

    /// Drops contexts that no message used within `life` of their issue.
    pub(crate) fn with_pending_life(mut self, life: Duration) -> Self {
        self.pending_life = life;
        self
    }

    /// Each identity may hold `1/divisor` of the live and of the pending contexts
    /// once the store is three quarters full (4 by default; 1 turns the share off).
    pub(crate) fn with_identity_share(mut self, divisor: usize) -> Self {
        self.share = divisor.max(1);
        self
    }

    /// Whether an identity holding `held` of `total` in a table of `cap` is over its
    /// share: only once the table is three quarters full.
    fn over_share(&self, held: usize, total: usize, cap: usize) -> bool {
        self.share > 1 && held >= (cap / self.share).max(1) && total >= cap - cap / 4
    }

    /// Removes a context from every table (not from the cancellations).
    fn forget(&mut self, slot: u64) -> Option<StoredContext> {
        let c = self.live.remove(&slot)?;
        if c.pending {
            self.pending -= 1;
        }
        if let Some(h) = self.holdings.get_mut(&c.identity.name) {
            h.live -= 1;
            if c.pending {
                h.pending -= 1;
            }
            if h.live == 0 {
                self.holdings.remove(&c.identity.name);
            }
        }
        Some(c)
    }

    /// Whether `c` went unused too long at `now`: pending past its short life, or used
    /// and then idle past the idle timeout.
    fn unused_too_long(&self, c: &StoredContext, now: SystemTime) -> bool {
        if c.pending {
            c.created + self.pending_life <= now
        } else {
            self.idle.is_some_and(|idle| c.last_used + idle <= now)
        }
    }

    /// The map key: a keyed 64-bit hash of the identifier (the identifier itself is
    /// compared on lookup, so a collision is a miss, never a wrong context).
    fn slot(&self, identifier: &str) -> u64 {
        use std::hash::BuildHasher;
        self.hasher.hash_one(identifier)
    }

    /// Live contexts (including expired ones not yet purged).
    pub(crate) fn len(&self) -> usize {
        self.live.len()
    }

    /// Cancellations remembered (at most the capacity).
    pub(crate) fn cancelled(&self) -> usize {
        self.cancelled.len()
    }

    /// When a context is next due to be looked at by [`purge`](Self::purge): it expires,
    /// or stays unused past its short life (`None`: the store is empty). It may be
    /// early, never late: a deadline that moved is found moved then.
    pub(crate) fn next_deadline(&self) -> Option<SystemTime> {
        self.deadlines.peek().map(|Reverse((due, _))| *due)
    }

    /// Forgets expired contexts and cancellations.
    pub(crate) fn purge(&mut self, now: SystemTime) {
        // Only what is due: each context has one entry in the deadline heap, moved on
        // (pushed again) when its deadline moved (a renewal, or a first use).
        while let Some(Reverse((due, slot))) = self.deadlines.peek().copied() {
            if due > now {
                break;
            }
            self.deadlines.pop();
            let Some(c) = self.live.get(&slot) else {
                continue;
            };
            let deadline = self.deadline(c);
            if deadline <= now {
                self.forget(slot);
            } else {
                self.deadlines.push(Reverse((deadline, slot)));
            }
        }
        self.trim_pending_order();
        // The cancellations are swept at most once per second of the caller's clock (a
        // sweep visits them all; a stale one is harmless: lookups compare its time).
        if now >= self.last_sweep + Duration::from_secs(1) || now < self.last_sweep {
            self.last_sweep = now;
            self.cancelled.retain(|_, until| *until > now);
            let cancelled = &self.cancelled;
            self.cancel_order
                .retain(|(slot, until)| cancelled.get(slot) == Some(until));
        }
    }

    /// When `c` leaves the store: its expiry plus the renewal grace, or sooner while
    /// it is unused.
    fn deadline(&self, c: &StoredContext) -> SystemTime {
        let end = c.expires + self.renew_grace;
        if c.pending {
            end.min(c.created + self.pending_life)
        } else {
            self.idle.map_or(end, |idle| end.min(c.last_used + idle))
        }
    }

    /// Drops entries of the issue order whose context is no longer pending from its
    /// front (the rest are skipped when met).
    fn trim_pending_order(&mut self) {
        while let Some(&(slot, created)) = self.pending_order.front() {
            if self
                .live
                .get(&slot)
                .is_some_and(|c| c.pending && c.created == created)
            {
                break;
            }
            self.pending_order.pop_front();
        }
    }

    /// Contexts issued and not yet used.
    pub(crate) fn pending(&self) -> usize {
        self.pending
    }

    /// Records that a message used the context at `now`: it is no longer pending, and
    /// its idle time starts again.
    pub(crate) fn mark_used(&mut self, identifier: &str, now: SystemTime) {
        let slot = self.slot(identifier);
        if let Some(c) = self.live.get_mut(&slot) {
            if c.identifier == identifier {
                c.last_used = c.last_used.max(now);
            }
            if c.pending && c.identifier == identifier {
                c.pending = false;
                self.pending -= 1;
                if let Some(h) = self.holdings.get_mut(&c.identity.name) {
                    h.pending -= 1;
                }
            }
        }
    }

    /// Adds a context; when the store is full even after purging, refuses it (live
    /// contexts are never evicted).
    pub(crate) fn insert(
        &mut self,
        mut ctx: StoredContext,
        now: SystemTime,
    ) -> Result<(), StoreFull> {
        self.purge(now);
        let held = self
            .holdings
            .get(&ctx.identity.name)
            .copied()
            .unwrap_or_default();
        if ctx.pending && self.over_share(held.pending, self.pending, self.max_pending) {
            // Over its share of unused contexts: its own oldest unused one goes.
            self.drop_oldest_pending_of(&ctx.identity.name);
        }
        let held = self
            .holdings
            .get(&ctx.identity.name)
            .copied()
            .unwrap_or_default();
        if self.over_share(held.live, self.live.len(), self.capacity) {
            return Err(StoreFull::Identity {
                identity: ctx.identity.name.clone(),
                held: held.live,
            });
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
        let h = self.holdings.entry(ctx.identity.name.clone()).or_default();
        h.live += 1;
        if ctx.pending {
            h.pending += 1;
            self.pending += 1;
            self.pending_order.push_back((slot, ctx.created));
        }
        ctx.identifier.shrink_to_fit();
        ctx.identity.name.shrink_to_fit();
        if let Some(i) = &mut ctx.instance {
            i.shrink_to_fit();
        }
        self.deadlines.push(Reverse((self.deadline(&ctx), slot)));
        self.live.insert(slot, ctx);
        Ok(())
    }

    /// Drops the oldest pending context of `identity` (trimming stale entries from the
    /// front of the issue order on the way).
    fn drop_oldest_pending_of(&mut self, identity: &str) {
        let still_pending = |s: &Self, (slot, created): (u64, SystemTime)| {
            s.live
                .get(&slot)
                .is_some_and(|c| c.pending && c.created == created)
        };
        self.trim_pending_order();
        let found = self.pending_order.iter().position(|&(slot, created)| {
            still_pending(self, (slot, created))
                && self
                    .live
                    .get(&slot)
                    .is_some_and(|c| c.identity.name == identity)
        });
        if let Some(i) = found {
            if let Some((slot, _)) = self.pending_order.remove(i) {
                self.forget(slot);
            }
        }
    }

    /// The live context `identifier`.
    pub(crate) fn get(
        &self,
        identifier: &str,
        now: SystemTime,
    ) -> Result<&StoredContext, LookupError> {
        self.lookup(identifier, now, Duration::ZERO)
    }

    /// The context `identifier` if it expired less than `grace` ago or is live.
    fn lookup(
        &self,
        identifier: &str,
        now: SystemTime,
        grace: Duration,
    ) -> Result<&StoredContext, LookupError> {
        let c = self.find(identifier, now)?;
        if c.expires + grace > now {
            Ok(c)
        } else {
            Err(LookupError::Expired)
        }
    }

    /// The context `identifier` if the store holds it, expired or not.
    fn find(&self, identifier: &str, now: SystemTime) -> Result<&StoredContext, LookupError> {
        let slot = self.slot(identifier);
        match self.live.get(&slot) {
            // Unused for too long: dropped (purged at the next occasion).
            Some(c) if c.identifier == identifier && self.unused_too_long(c, now) => {
                Err(LookupError::Unknown)
            }
            Some(c) if c.identifier == identifier => Ok(c),
            _ if self.cancelled.get(&slot).is_some_and(|u| *u > now) => Err(LookupError::Cancelled),
            _ => Err(LookupError::Unknown),
        }
    }

    /// The live context `identifier` and the key a message naming key `instance` is
    /// verified with: the current key when `instance` is the current one; the previous
    /// key when it names the instance before the last renewal and the rollover has not
    /// ended (after it: [`LookupError::Expired`]); any other instance is
    /// [`LookupError::Unknown`]. (The engine calls [`key_or_refusal`](Self::key_or_refusal),
    /// which reports the refusal only after the message proved it holds the key.)
    #[cfg(test)]
    pub(crate) fn key(
        &self,
        identifier: &str,
        instance: Option<&str>,
        now: SystemTime,
    ) -> Result<(&StoredContext, &SecretKey), LookupError> {
        match self.key_or_refusal(identifier, instance, now, Duration::ZERO)? {
            (c, key, None) => Ok((c, key)),
            (_, _, Some(refusal)) => Err(refusal),
        }
    }

    /// The one rule behind [`key`](Self::key) and the Renew lookup, which passes the
    /// renewal grace (`grace`: how long after its expiry
    /// the context still answers). A context whose key is known comes back with it
    /// even when it may no longer be used (expired, or a previous key past the
    /// rollover): the refusal is the third element, for the caller to report once the
    /// message proved it holds that key.
    pub(crate) fn key_or_refusal(
        &self,
        identifier: &str,
        instance: Option<&str>,
        now: SystemTime,
        grace: Duration,
    ) -> Result<(&StoredContext, &SecretKey, Option<LookupError>), LookupError> {
        let c = self.find(identifier, now)?;
        let expired = (c.expires + grace <= now).then_some(LookupError::Expired);
        if instance == c.instance.as_deref() {
            return Ok((c, &c.key, expired));
        }
        match &c.previous_key {
            Some((key, until, old)) if instance == old.as_deref() => {
                let rolled_over = (now >= *until).then_some(LookupError::Expired);
                Ok((c, key, expired.or(rolled_over)))
            }
            _ => Err(LookupError::Unknown),
        }
    }

    /// Renews a context (live, or expired less than the renewal grace ago): a new key
    /// and instance; the previous key stays usable until `rollover_until`.
    pub(crate) fn renew(
        &mut self,
        identifier: &str,
        key: SecretKey,
        mut instance: Option<String>,
        expires: SystemTime,
        rollover_until: SystemTime,
        now: SystemTime,
    ) -> Result<(), LookupError> {
        self.lookup(identifier, now, self.renew_grace)?;
        let slot = self.slot(identifier);
        let c = self.live.get_mut(&slot).ok_or(LookupError::Unknown)?;
        if let Some(i) = &mut instance {
            i.shrink_to_fit();
        }
        let old_key = std::mem::replace(&mut c.key, key);
        let old_instance = std::mem::replace(&mut c.instance, instance);
        c.previous_key = Some((old_key, rollover_until, old_instance));
        c.expires = expires;
        Ok(())
    }

    /// Cancels a context: it is refused from now on, reported
    /// [`LookupError::Cancelled`] until its expiry (or until more than `capacity`
    /// later cancellations push it out), then [`LookupError::Unknown`].
    pub(crate) fn cancel(&mut self, identifier: &str, now: SystemTime) {
        let slot = self.slot(identifier);
        match self.live.get(&slot) {
            Some(c) if c.identifier == identifier => {}
            _ => return,
        }
        let Some(c) = self.forget(slot) else {
            return;
        };
        let until = c.expires + self.renew_grace;
        if until > now {
            self.cancelled.insert(slot, until);
            self.cancel_order.push_back((slot, until));
        }
        // Forget the oldest cancellations: expired ones first in the common case of one
        // context lifetime, any when there are too many.
        while let Some(&(old, until)) = self.cancel_order.front() {
            if until > now && self.cancelled.len() <= self.capacity {
                break;
            }
            self.cancel_order.pop_front();
            if self.cancelled.get(&old) == Some(&until) {
                self.cancelled.remove(&old);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn ctx(i: usize, t0: SystemTime) -> StoredContext {
        StoredContext {
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
            last_used: t0,
        }
    }

    #[test]
    fn pending_contexts_are_bounded_until_used() {
        let t0 = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        let mut s = ContextStore::new(10, 2).with_identity_share(1);
        let pending = |i| StoredContext {
            pending: true,
            ..ctx(i, t0)
        };
        s.insert(pending(1), t0).expect("room");
        s.insert(pending(2), t0).expect("room");
        assert_eq!(s.insert(pending(3), t0), Err(StoreFull::Pending(2)));
        s.mark_used(&ctx(1, t0).identifier, t0);
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
        let mut s = ContextStore::new(2, 2).with_identity_share(1);
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
    fn key_follows_the_instance_and_the_rollover() {
        let t0 = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        let mut s = ContextStore::new(4, 4);
        let id = ctx(1, t0).identifier;
        s.insert(ctx(1, t0), t0).expect("room");
        let (_, k) = s.key(&id, None, t0).expect("current key");
        assert_eq!(k, &SecretKey::new(vec![1; 32]));
        assert_eq!(s.key(&id, Some("i1"), t0).err(), Some(LookupError::Unknown));
        let t1 = t0 + Duration::from_secs(60);
        s.renew(
            &id,
            SecretKey::new(vec![2; 32]),
            Some("i1".into()),
            t1 + Duration::from_secs(3600),
            t1 + Duration::from_secs(30),
            t1,
        )
        .expect("renew");
        assert_eq!(
            s.key(&id, Some("i1"), t1).expect("new").1.as_bytes(),
            &[2; 32]
        );
        assert_eq!(s.key(&id, None, t1).expect("old").1.as_bytes(), &[1; 32]);
        let t2 = t1 + Duration::from_secs(30);
        assert_eq!(s.key(&id, None, t2).err(), Some(LookupError::Expired));
        assert!(s.key(&id, Some("i1"), t2).is_ok());
        assert_eq!(s.key(&id, Some("i0"), t2).err(), Some(LookupError::Unknown));
        s.cancel(&id, t2);
        assert_eq!(
            s.key(&id, Some("i1"), t2).err(),
            Some(LookupError::Cancelled)
        );
        let end = t1 + Duration::from_secs(3600);
        assert_eq!(
            s.key(&id, Some("i1"), end).err(),
            Some(LookupError::Unknown)
        );
    }

    #[test]
    fn remembered_cancellations_are_bounded() {
        let t0 = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        let mut s = ContextStore::new(3, 3);
        for i in 0..10 {
            s.insert(ctx(i, t0), t0).expect("room");
            s.cancel(&ctx(i, t0).identifier, t0);
            assert!(s.cancelled() <= 3);
        }
        assert_eq!(s.cancelled(), 3);
        assert_eq!(
            s.get(&ctx(9, t0).identifier, t0).err(),
            Some(LookupError::Cancelled)
        );
        assert_eq!(
            s.get(&ctx(0, t0).identifier, t0).err(),
            Some(LookupError::Unknown),
            "the oldest cancellation is forgotten, the context still refused"
        );
        s.cancel("urn:never-issued", t0);
        assert_eq!(s.cancelled(), 3);
        s.purge(t0 + Duration::from_secs(3600));
        assert_eq!(s.cancelled(), 0);
        assert!(s.cancel_order.is_empty());
    }

    fn of(name: &str, i: usize, t0: SystemTime, pending: bool) -> StoredContext {
        StoredContext {
            identity: Identity { name: name.into() },
            pending,
            ..ctx(i, t0)
        }
    }

    #[test]
    fn unused_contexts_are_dropped_after_their_short_life() {
        let t0 = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        let mut s = ContextStore::new(10, 10);
        s.insert(of("alice", 1, t0, true), t0).expect("room");
        s.insert(of("alice", 2, t0, true), t0).expect("room");
        s.mark_used(&ctx(2, t0).identifier, t0);
        let later = t0 + DEFAULT_PENDING_LIFE;
        assert_eq!(
            s.get(&ctx(1, t0).identifier, later).err(),
            Some(LookupError::Unknown),
            "never used: dropped"
        );
        assert!(s.get(&ctx(2, t0).identifier, later).is_ok(), "used: kept");
        s.purge(later);
        assert_eq!((s.len(), s.pending()), (1, 0));
        assert!(s.pending_order.is_empty());
    }

    #[test]
    fn one_identity_cannot_take_the_store() {
        let t0 = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        // 8 live, 8 pending: a share is 2 once 6 are taken.
        let mut s = ContextStore::new(8, 8);
        // Alone, one identity fills three quarters...
        for i in 0..6 {
            s.insert(of("mallory", i, t0, false), t0).expect("room");
        }
        // ...and no more: the rest is for the others.
        assert_eq!(
            s.insert(of("mallory", 6, t0, false), t0),
            Err(StoreFull::Identity {
                identity: "mallory".into(),
                held: 6
            })
        );
        s.insert(of("alice", 7, t0, false), t0)
            .expect("alice still gets one");
        s.insert(of("bob", 8, t0, false), t0).expect("bob too");
        assert_eq!(
            s.insert(of("carol", 9, t0, false), t0),
            Err(StoreFull::Active(8))
        );
    }

    #[test]
    fn unused_contexts_over_a_share_push_out_their_own_kind_only() {
        let t0 = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        let mut s = ContextStore::new(100, 8);
        s.insert(of("alice", 0, t0, true), t0)
            .expect("alice's pending context");
        for i in 1..=20 {
            let at = t0 + Duration::from_secs(i as u64);
            s.insert(of("mallory", i, at, true), at)
                .expect("mallory's newest replaces mallory's oldest");
        }
        assert!(s.pending() <= 8, "{}", s.pending());
        let now = t0 + Duration::from_secs(21);
        assert!(
            s.get(&ctx(0, t0).identifier, now).is_ok(),
            "alice's unused context was not touched"
        );
        assert!(
            s.get(&ctx(20, t0).identifier, now).is_ok(),
            "mallory's newest"
        );
        assert_eq!(
            s.get(&ctx(1, t0).identifier, now).err(),
            Some(LookupError::Unknown),
            "mallory's oldest went"
        );
        // Alice can still negotiate.
        s.insert(of("alice", 30, now, true), now)
            .expect("room for alice");
    }

    #[test]
    fn a_context_is_small() {
        // The figure the module documentation's estimate starts from.
        assert!(std::mem::size_of::<StoredContext>() <= 216);
    }

    #[test]
    fn holds_a_hundred_thousand() {
        let t0 = SystemTime::UNIX_EPOCH;
        let mut s = ContextStore::new(100_000, 100_000).with_identity_share(1);
        for i in 0..100_000 {
            s.insert(ctx(i, t0), t0).expect("room");
        }
        assert_eq!(s.len(), 100_000);
        assert!(s.get(&ctx(99_999, t0).identifier, t0).is_ok());
    }
}
