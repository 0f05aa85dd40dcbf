//! Where a bridge keeps its conferences: the store's rules are written once
//! ([`ConferencesIn`](crate::bridge::ConferencesIn)), the memory they live in
//! is chosen by the user of the core.
//!
//! - [`Slots`]: a list of values in order (a conference's participants, the
//!   conferences waiting for the lifecycle clock). The core implements it
//!   for `heapless::Vec<T, N>` (fixed capacity, no heap); a host implements
//!   it for a growable vector.
//! - [`Table`]: the conferences, found by SID and by friendly name, and the
//!   completed ones reclaimed oldest first. The core gives [`FixedTable`]
//!   (`C` conferences of `N` participants inline, linear look-ups: the
//!   firmware's few conferences); a host gives a table indexed by hash maps
//!   whose memory grows with what is live (`confpart-std`'s `HeapTable`).
//! - [`Limits`]: the caps the store enforces whatever the memory (Twilio's
//!   250 participants per conference, a bridge-wide total of live
//!   participants).
//!
//! ```
//! use confpart::bridge::{FixedTable, Limits, Table};
//! use confpart::bridge::DEFAULT_LABEL_BYTES;
//! type Small = FixedTable<2, 4, DEFAULT_LABEL_BYTES>;
//! assert_eq!(<Small as Table<DEFAULT_LABEL_BYTES>>::LIMITS, Limits { per_conference: 4, participants: 8 });
//! ```

use core::fmt;

use super::model::{ConferenceIn, ConferenceStatus, Member};
use super::slots::Slots;
use crate::wire::ident::{AccountSid, ConferenceSid};

/// Bytes stored for a conference's friendly name.
pub const FRIENDLY_NAME_CAPACITY: usize = 128;

/// The caps a store enforces: live participants per conference, and live
/// participants in the whole bridge. Past either, a create answers 429 /
/// 20429 ([`Refusal::ConferenceFull`](crate::bridge::Refusal::ConferenceFull),
/// [`Refusal::BridgeFull`](crate::bridge::Refusal::BridgeFull)).
///
/// ```
/// use confpart::bridge::Limits;
/// assert_eq!(Limits::TWILIO.per_conference, 250);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Limits {
    /// Live participants in one conference.
    pub per_conference: usize,
    /// Live participants in all conferences together.
    pub participants: usize,
}

impl Limits {
    /// Twilio's sizes: 250 participants per conference
    /// ([`TWILIO_MAX_PARTICIPANTS`](crate::bridge::TWILIO_MAX_PARTICIPANTS)),
    /// 100 000 live participants in the bridge.
    pub const TWILIO: Self = Self {
        per_conference: super::model::TWILIO_MAX_PARTICIPANTS,
        participants: 100_000,
    };

    /// The smaller of each cap.
    #[must_use]
    pub const fn min(self, other: Self) -> Self {
        Self {
            per_conference: if self.per_conference < other.per_conference {
                self.per_conference
            } else {
                other.per_conference
            },
            participants: if self.participants < other.participants {
                self.participants
            } else {
                other.participants
            },
        }
    }
}

/// A stored conference: the conference and the friendly name it was
/// created with (empty when created by SID). A [`Table`] holds these.
///
/// ```
/// use confpart::bridge::{Entry, Member};
/// use confpart::api::path::Dialect;
/// use confpart::wire::ident::{AccountSid, ConferenceSid};
/// let e: Entry<heapless::Vec<Member<8>, 2>, 8> = Entry::new(
///     AccountSid::parse("ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")?,
///     ConferenceSid::parse("CFaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")?,
///     Dialect::Twilio,
///     "room",
/// ).unwrap();
/// assert_eq!(e.name(), Some("room"));
/// # Ok::<(), confpart::wire::ident::IdError>(())
/// ```
#[derive(Debug, Clone)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Entry<M, const L: usize> {
    pub(super) conference: ConferenceIn<M, L>,
    /// Empty when the conference was created by SID.
    pub(super) name: heapless::String<FRIENDLY_NAME_CAPACITY>,
    /// Listed in the store's pending list (participants not connected yet).
    pub(super) pending: bool,
}

impl<M: Slots<Member<L>>, const L: usize> Entry<M, L> {
    /// A new, empty conference named `name` (`""`: created by SID); `None`
    /// when the name is longer than
    /// [`FRIENDLY_NAME_CAPACITY`](crate::bridge::FRIENDLY_NAME_CAPACITY).
    pub fn new(
        account: AccountSid,
        sid: ConferenceSid,
        dialect: crate::api::path::Dialect,
        name: &str,
    ) -> Option<Self> {
        let mut stored = heapless::String::new();
        stored.push_str(name).ok()?;
        Some(Self {
            conference: ConferenceIn::new(account, sid, dialect),
            name: stored,
            pending: false,
        })
    }

    /// The conference.
    pub const fn conference(&self) -> &ConferenceIn<M, L> {
        &self.conference
    }

    /// The friendly name it was created with, if any.
    pub fn name(&self) -> Option<&str> {
        Some(self.name.as_str()).filter(|n| !n.is_empty())
    }

    /// The conference's SID.
    pub const fn sid(&self) -> &ConferenceSid {
        self.conference.sid()
    }

    /// True once the conference is completed.
    pub fn is_completed(&self) -> bool {
        self.conference.status() == ConferenceStatus::Completed
    }

    /// Drops the participants of a completed conference (they are final and
    /// no longer addressable) and gives their memory back.
    pub fn release_members(&mut self) {
        if self.is_completed() {
            self.conference.prune();
            self.conference.members.release();
        }
    }
}

/// Where the store keeps its conferences. Implementations only keep and
/// find entries; every rule (who may join, when a conference completes,
/// the caps) is the store's.
pub trait Table<const L: usize>: Default + fmt::Debug {
    /// A conference's participants.
    type Members: Slots<Member<L>> + fmt::Debug + Clone;
    /// A list of conference SIDs (the conferences the lifecycle clock still
    /// has to move along).
    type Sids: Slots<ConferenceSid> + fmt::Debug + Clone;
    /// The caps this memory can hold (a store may be given smaller ones).
    const LIMITS: Limits;
    /// Stored conferences, completed ones included.
    fn len(&self) -> usize;
    /// True when no conference is stored.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// The conference with this SID (any account, any status).
    fn get(&self, sid: &ConferenceSid) -> Option<&Entry<Self::Members, L>>;
    /// The conference with this SID, to change it.
    fn get_mut(&mut self, sid: &ConferenceSid) -> Option<&mut Entry<Self::Members, L>>;
    /// The conference of `account` named `name` that is not completed.
    fn named(&self, account: &AccountSid, name: &str) -> Option<ConferenceSid>;
    /// True when another conference fits only after a completed one is
    /// reclaimed.
    fn is_full(&self) -> bool;
    /// Stores a new conference (its SID is not stored yet); false, storing
    /// nothing, when there is no room.
    fn insert(&mut self, entry: Entry<Self::Members, L>) -> bool;
    /// Removes a conference; false when it was not stored. (Dropped in
    /// place, not returned: an entry of a fixed table is its whole
    /// participant array, and a returned one would sit on the caller's
    /// stack.)
    fn remove(&mut self, sid: &ConferenceSid) -> bool;
    /// The conference `sid` has just completed: its name is free again, and
    /// it may be reclaimed from now on.
    fn completed(&mut self, sid: &ConferenceSid);
    /// True when a completed conference is stored (one may be reclaimed).
    fn has_completed(&self) -> bool;
    /// Removes the oldest completed conference; false when there is none.
    fn reclaim_oldest(&mut self) -> bool;
    /// The stored conferences (a fixed table: oldest first).
    fn entries(&self) -> impl Iterator<Item = &Entry<Self::Members, L>> + '_;
}

/// The firmware's table: up to `C` conferences of up to `N` live
/// participants (labels of `L` bytes), inline, no heap. Look-ups scan the
/// `C` entries (a desk phone's bridge holds a handful of conferences).
///
/// ```
/// use confpart::bridge::{FixedTable, Table};
/// let t: FixedTable<2, 4, 8> = FixedTable::default();
/// assert!(Table::<8>::is_empty(&t));
/// ```
#[derive(Debug, Clone)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct FixedTable<const C: usize, const N: usize, const L: usize> {
    entries: heapless::Vec<Entry<heapless::Vec<Member<L>, N>, L>, C>,
}

impl<const C: usize, const N: usize, const L: usize> Default for FixedTable<C, N, L> {
    fn default() -> Self {
        Self {
            entries: heapless::Vec::new(),
        }
    }
}

impl<const C: usize, const N: usize, const L: usize> Table<L> for FixedTable<C, N, L> {
    type Members = heapless::Vec<Member<L>, N>;
    type Sids = heapless::Vec<ConferenceSid, C>;
    const LIMITS: Limits = Limits {
        per_conference: N,
        participants: C.saturating_mul(N),
    };

    fn len(&self) -> usize {
        self.entries.len()
    }

    fn get(&self, sid: &ConferenceSid) -> Option<&Entry<Self::Members, L>> {
        self.entries.iter().find(|e| e.sid() == sid)
    }

    fn get_mut(&mut self, sid: &ConferenceSid) -> Option<&mut Entry<Self::Members, L>> {
        self.entries.iter_mut().find(|e| e.sid() == sid)
    }

    fn named(&self, account: &AccountSid, name: &str) -> Option<ConferenceSid> {
        self.entries
            .iter()
            .find(|e| {
                e.conference.account() == account && !e.is_completed() && e.name.as_str() == name
            })
            .map(|e| *e.sid())
    }

    fn is_full(&self) -> bool {
        self.entries.is_full()
    }

    fn insert(&mut self, entry: Entry<Self::Members, L>) -> bool {
        self.entries.push(entry).is_ok()
    }

    fn remove(&mut self, sid: &ConferenceSid) -> bool {
        let before = self.entries.len();
        self.entries.retain(|e| e.sid() != sid);
        self.entries.len() < before
    }

    fn completed(&mut self, _sid: &ConferenceSid) {}

    fn has_completed(&self) -> bool {
        self.entries.iter().any(Entry::is_completed)
    }

    fn reclaim_oldest(&mut self) -> bool {
        // `retain`, not `remove(i)`: the entry is dropped in place rather
        // than moved out onto the stack.
        let mut reclaimed = false;
        self.entries.retain(|e| {
            let drop = !reclaimed && e.is_completed();
            reclaimed |= drop;
            !drop
        });
        reclaimed
    }

    fn entries(&self) -> impl Iterator<Item = &Entry<Self::Members, L>> + '_ {
        self.entries.iter()
    }
}
