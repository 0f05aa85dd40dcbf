//! The host's conference table: the core's store rules
//! ([`confpart::bridge::ConferencesIn`]) over memory that grows with the live
//! participants, not with the configured caps.
//!
//! - A conference's participants are a [`Grow`] (a `Vec`): a conference of 3
//!   costs 3 participants, one of 250 costs 250. Final participants are
//!   pruned before they outnumber the live ones, and a completed
//!   conference's participants are dropped at the table's next insert (or
//!   once [`HOLD_COMPLETED_MEMBERS`] newer conferences completed): not at
//!   once, because the callbacks of the change that completed it
//!   (`participant-leave`, `conference-end`) are built from them after the
//!   change ([`confpart::bridge::ServiceIn::callback`]; the bridge drains
//!   them right after each request and tick).
//! - Conferences are found by SID and by friendly name through hash maps
//!   ([`HeapTable`]): a look-up costs the same with 10 conferences or
//!   10 000. The map by SID hashes with [`foldhash`] (seeded per process): its
//!   keys are SIDs the bridge drew at random, so a client cannot choose keys that
//!   collide, and SipHash's cost was ~1 000 instructions an update (`scripts/irops
//!   host_service_100k`). The names, which clients choose, keep std's keyed SipHash.
//! - A completed conference is kept (its SID answers as completed, not as
//!   unknown) until [`KEEP_COMPLETED`] newer ones completed; then the
//!   oldest is reclaimed.

use std::collections::{HashMap, VecDeque};
use std::ops::{Deref, DerefMut};

use confpart::bridge::{DEFAULT_LABEL_BYTES, Entry, Limits, Member, ServiceIn, Slots, Table};
use confpart::wire::ident::{AccountSid, ConferenceSid};

/// The hasher of the map by conference SID (see the module's documentation).
type SidHasher = foldhash::fast::RandomState;

/// Completed conferences kept (each without its participants, a few hundred
/// bytes) before the oldest is reclaimed.
pub const KEEP_COMPLETED: usize = 1024;

/// Completed conferences whose participants are kept until the next insert
/// (see the module docs): one change completes one conference, so a few
/// suffice.
pub const HOLD_COMPLETED_MEMBERS: usize = 4;

/// The host's bridge service: the core's service over a [`HeapTable`].
pub type HeapService<'a, const L: usize = DEFAULT_LABEL_BYTES> = ServiceIn<'a, HeapTable<L>, L>;

/// A growable list (a `Vec`) for the core's [`Slots`].
///
/// ```
/// use confpart::bridge::Slots;
/// use confpart_std::store::Grow;
/// let mut g: Grow<u8> = Grow::default();
/// assert!(g.try_push(1).is_ok());
/// assert!(!Slots::is_full(&g));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grow<T>(Vec<T>);

impl<T> Default for Grow<T> {
    fn default() -> Self {
        Self(Vec::new())
    }
}

impl<T> Grow<T> {
    /// Values the list holds room for (its allocation).
    pub fn capacity(&self) -> usize {
        self.0.capacity()
    }
}

impl<T> Deref for Grow<T> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        &self.0
    }
}

impl<T> DerefMut for Grow<T> {
    fn deref_mut(&mut self) -> &mut [T] {
        &mut self.0
    }
}

impl<T> Slots<T> for Grow<T> {
    fn try_push(&mut self, value: T) -> Result<(), T> {
        self.0.push(value);
        Ok(())
    }

    fn retain<F: FnMut(&T) -> bool>(&mut self, keep: F) {
        self.0.retain(keep);
    }

    fn is_full(&self) -> bool {
        false
    }

    /// Before the final values outnumber the live ones (plus a few, so a
    /// small conference does not prune on every join).
    fn prune_due(&self, live: usize) -> bool {
        self.0.len() >= live.saturating_mul(2).saturating_add(8)
    }

    fn release(&mut self) {
        if self.0.capacity() > self.0.len().saturating_mul(2).saturating_add(8) {
            self.0.shrink_to_fit();
        }
    }
}

/// The host's [`Table`]: conferences in a hash map by SID, friendly names in
/// another, completed conferences reclaimed oldest first past
/// [`KEEP_COMPLETED`]. It holds any number of conferences: the caps are the
/// store's [`Limits`], given by the user.
#[derive(Debug, Clone, Default)]
pub struct HeapTable<const L: usize = DEFAULT_LABEL_BYTES> {
    entries: HashMap<ConferenceSid, Entry<Grow<Member<L>>, L>, SidHasher>,
    /// Per account, the friendly names of the conferences not completed (nested, so that a
    /// look-up by `&str` allocates nothing).
    names: HashMap<AccountSid, HashMap<Box<str>, ConferenceSid>>,
    /// Completed conferences, oldest first.
    completed: VecDeque<ConferenceSid>,
    /// Completed conferences whose participants are still held, oldest first.
    holding: VecDeque<ConferenceSid>,
}

impl<const L: usize> HeapTable<L> {
    /// Bytes this table has allocated on the heap, as far as its own
    /// collections say (their capacities times their element sizes; the
    /// allocator's overhead not counted): the measure that must follow the
    /// live participants.
    pub fn allocated_bytes(&self) -> usize {
        let entry = size_of::<(ConferenceSid, Entry<Grow<Member<L>>, L>)>() + 1;
        let account = size_of::<(AccountSid, HashMap<Box<str>, ConferenceSid>)>() + 1;
        let name = size_of::<(Box<str>, ConferenceSid)>() + 1;
        let members: usize = self
            .entries
            .values()
            .map(|e| e.conference().storage().capacity() * size_of::<Member<L>>())
            .sum();
        let names: usize = self
            .names
            .values()
            .map(|m| m.capacity() * name + m.keys().map(|n| n.len()).sum::<usize>())
            .sum();
        self.entries.capacity() * entry
            + members
            + self.names.capacity() * account
            + names
            + (self.completed.capacity() + self.holding.capacity()) * size_of::<ConferenceSid>()
    }

    /// Drops the held participants of completed conferences, all but `keep`.
    fn release_held(&mut self, keep: usize) {
        while self.holding.len() > keep {
            if let Some(sid) = self.holding.pop_front()
                && let Some(e) = self.entries.get_mut(&sid)
            {
                e.release_members();
            }
        }
    }

    fn forget_name(&mut self, sid: &ConferenceSid) {
        if let Some(e) = self.entries.get(sid)
            && let Some(name) = e.name()
            && let Some(names) = self.names.get_mut(e.conference().account())
        {
            if names.get(name) == Some(sid) {
                names.remove(name);
            }
            if names.is_empty() {
                self.names.remove(e.conference().account());
            }
        }
    }

    /// Gives memory back once the map is mostly empty (after a peak).
    fn shrink(&mut self) {
        if self.entries.capacity() > 64 && self.entries.len() < self.entries.capacity() / 4 {
            self.entries.shrink_to(self.entries.len() * 2);
            for names in self.names.values_mut() {
                names.shrink_to(names.len() * 2);
            }
        }
    }
}

impl<const L: usize> Table<L> for HeapTable<L> {
    type Members = Grow<Member<L>>;
    type Sids = Grow<ConferenceSid>;
    const LIMITS: Limits = Limits {
        per_conference: usize::MAX,
        participants: usize::MAX,
    };

    fn len(&self) -> usize {
        self.entries.len()
    }

    fn get(&self, sid: &ConferenceSid) -> Option<&Entry<Self::Members, L>> {
        self.entries.get(sid)
    }

    fn get_mut(&mut self, sid: &ConferenceSid) -> Option<&mut Entry<Self::Members, L>> {
        self.entries.get_mut(sid)
    }

    fn named(&self, account: &AccountSid, name: &str) -> Option<ConferenceSid> {
        self.names.get(account)?.get(name).copied()
    }

    fn is_full(&self) -> bool {
        false
    }

    fn insert(&mut self, entry: Entry<Self::Members, L>) -> bool {
        self.release_held(0);
        let sid = *entry.sid();
        if let Some(name) = entry.name() {
            self.names
                .entry(*entry.conference().account())
                .or_default()
                .insert(Box::from(name), sid);
        }
        self.entries.insert(sid, entry);
        true
    }

    fn remove(&mut self, sid: &ConferenceSid) -> bool {
        self.forget_name(sid);
        self.completed.retain(|c| c != sid);
        self.holding.retain(|c| c != sid);
        let removed = self.entries.remove(sid).is_some();
        self.shrink();
        removed
    }

    fn completed(&mut self, sid: &ConferenceSid) {
        self.forget_name(sid);
        if self.entries.contains_key(sid) {
            self.holding.push_back(*sid);
            self.release_held(HOLD_COMPLETED_MEMBERS);
            self.completed.push_back(*sid);
        }
        while self.completed.len() > KEEP_COMPLETED {
            self.reclaim_oldest();
        }
    }

    fn has_completed(&self) -> bool {
        !self.completed.is_empty()
    }

    fn reclaim_oldest(&mut self) -> bool {
        while let Some(sid) = self.completed.pop_front() {
            self.holding.retain(|c| *c != sid);
            if self.entries.remove(&sid).is_some() {
                self.shrink();
                return true;
            }
        }
        false
    }

    fn entries(&self) -> impl Iterator<Item = &Entry<Self::Members, L>> + '_ {
        self.entries.values()
    }
}
