//! A bridge's set of conferences and the five participant operations on it,
//! sans HTTP: [`Conferences::create`], [`Conferences::fetch`],
//! [`Conferences::update`], [`Conferences::delete`], [`Conferences::list`],
//! plus the lifecycle clock [`Conferences::tick`] and the event queue
//! ([`Conferences::pop_notice`]).
//!
//! Every operation takes `now` and first runs [`Conferences::tick`]; it
//! either answers values or a [`Refusal`] that carries the HTTP status and
//! error code of the spec's table for the conference's dialect. A refused
//! operation changes nothing (the tick it ran first may have).
//!
//! ## Rules
//!
//! - **Conferences are created by the first create** naming them. The
//!   conference slot of the path ([`ConferenceRef`]) is a SID or a friendly
//!   name. A friendly name with no conference in progress (or not started)
//!   in that account creates one, with a SID from the caller's [`IdSource`];
//!   an unknown SID creates a conference with that SID. The answer always
//!   names the SID.
//! - **Completion.** A conference completes when its last live participant
//!   is deleted, or when a participant with `end_conference_on_exit` is
//!   deleted while it is in progress (every other participant leaves).
//!   Then its participants answer 404 / 20404 (an update in a completed
//!   SignalWire conference answers 400 / 10000, [`Rejection`]'s rule);
//!   create by its SID answers the same; its friendly name is free again.
//! - **Capacity.** At most [`Limits::per_conference`] live participants in
//!   a conference and [`Limits::participants`] in all of them (the user's
//!   caps, never more than the [`Table`] holds: a [`FixedTable`] holds `C`
//!   conferences of `N`). When full, create answers
//!   [`Refusal::ConferenceFull`], [`Refusal::BridgeFull`] or, when a fixed
//!   table has no free slot, [`Refusal::SetFull`]: **429 / 20429**, the
//!   message saying which. Twilio answers 20429
//!   (Too Many Requests, the spec's table) when an account exceeds its
//!   concurrency limits, which is what a full bridge is: the request is
//!   valid and succeeds later, once calls end (SDKs retry 429 with
//!   back-off; a 503 would blame the service, a 400 the request). A live
//!   participant is never evicted: only completed conferences are reclaimed,
//!   the oldest first, when a new one needs the slot or the table keeps
//!   enough of them ([`ConferencesIn::reclaim`] frees them all).
//! - **Accounts.** Each conference records its account. An operation that
//!   names a conference of another account answers 404 / 20404, as if it
//!   did not exist: Twilio does not reveal other accounts' resources (one
//!   set serves every configured account). The HTTP layer answers before
//!   calling this one: bad credentials are 401 / 20003, and so is a path
//!   whose account is not the authenticated one (the credentials do not
//!   grant that account: Twilio's 20003 "Authenticate"); it then passes
//!   the authenticated account, which this layer compares with the
//!   conference's.
//! - **Lifecycle and `queue_time`**: [`Timing`]'s rules (`timing.rs`).
//! - **Events** ([`Notice`]) go into a queue the adapter drains
//!   ([`Conferences::pop_notice`]); its rules are in `notice.rs`.
//!
//! ```
//! use confpart::bridge::{ConferenceRef, Conferences, SequentialIds, Timing};
//! use confpart::api::create::Create;
//! use confpart::wire::date::Timestamp;
//! use confpart::api::query::ListQuery;
//! use confpart::wire::ident::{AccountSid, ParticipantRef};
//! use confpart::api::path::Dialect;
//! use confpart::api::update::Update;
//!
//! let account = AccountSid::parse("ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")?;
//! let t0 = Timestamp::from_unix(1_700_000_000).unwrap();
//! let mut set: Conferences<2, 4> = Conferences::new(Dialect::Twilio, Timing::IMMEDIATE);
//! let mut ids = SequentialIds::new();
//!
//! let created = set.create(&account, ConferenceRef::parse("standup"), &Create::new("+1500", "+1555").label("alice"), t0, &mut ids)?;
//! assert_eq!(created.queue_time_ms, 0);
//! let alice = ParticipantRef::parse("alice")?;
//! set.update(&account, &created.conference, &alice, &Update::mute(), t0)?;
//! let page = set.list(&account, &created.conference, &ListQuery { muted: Some(true), ..ListQuery::new() }, t0)?;
//! assert_eq!(page.len(), 1);
//! set.delete(&account, &created.conference, &alice, t0)?;
//! let gone = set.fetch(&account, &created.conference, &alice, t0).unwrap_err();
//! assert_eq!((gone.answer().status, gone.answer().code), (404, 20404));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use super::apply::Rejection;
use super::event::Event;
use super::ids::IdSource;
use super::kick::Fallout;
use super::lifecycle::Lifecycle;
use super::model::{ConferenceError, ConferenceIn, DEFAULT_LABEL_BYTES, Join, Member};
use super::notice::{Notice, NoticeKind, Notices};
use super::paging::{DEFAULT_PAGE_SIZE, PageError, PageIn, PageRequest, PageToken};
use super::refusal::{NameProblem, Refusal};
use super::slots::Slots;
use super::storage::{Entry, FRIENDLY_NAME_CAPACITY, FixedTable, Limits, Table};
use super::subscription::ConferenceCallback;
use super::timing::Timing;
use crate::api::callback::Subscriber;
use crate::api::create::{self, Create};
use crate::api::path::Dialect;
use crate::api::query::{ListQuery, PAGE_SIZE_MAX};
use crate::api::update::Update;
use crate::wire::date::Timestamp;
use crate::wire::ident::{AccountSid, CallSid, ConferenceSid, Label, ParticipantRef};

/// The conference slot of a create path: a conference SID, or a friendly
/// name (Twilio accepts both for create).
///
/// ```
/// use confpart::bridge::ConferenceRef;
/// assert!(matches!(ConferenceRef::parse("CFaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"), ConferenceRef::Sid(_)));
/// assert_eq!(ConferenceRef::parse("team standup"), ConferenceRef::Name("team standup"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum ConferenceRef<'a> {
    /// A conference SID.
    Sid(ConferenceSid),
    /// A friendly name (decoded from the path).
    Name(&'a str),
}

impl<'a> ConferenceRef<'a> {
    /// A SID when `s` parses as a conference SID, a friendly name otherwise.
    pub fn parse(s: &'a str) -> Self {
        ConferenceSid::parse(s).map_or(Self::Name(s), Self::Sid)
    }
}

/// What a successful create gives back. Render the answer (201, `status:
/// queued`, `queue_time` as a string of [`Created::queue_time_ms`]) from
/// [`Conferences::participant`], which does not tick.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Created {
    /// The conference (new or existing): the SID the answer names.
    pub conference: ConferenceSid,
    /// The new participant's call SID.
    pub call: CallSid,
    /// The conference was created by this request.
    pub new_conference: bool,
    /// The resource's `queue_time` in milliseconds ([`Timing::queue_time_ms`]).
    pub queue_time_ms: u64,
}

/// A live participant found by an operation, with its conference (to render
/// the resource: `found.conference.resource(found.member.call_sid(), style)`).
#[derive(Debug)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct FoundIn<'s, M, const L: usize = DEFAULT_LABEL_BYTES> {
    /// The participant's conference.
    pub conference: &'s ConferenceIn<M, L>,
    /// The participant.
    pub member: &'s Member<L>,
}

// By hand: a derive would ask the member storage to be `Copy` too.
impl<M, const L: usize> Clone for FoundIn<'_, M, L> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<M, const L: usize> Copy for FoundIn<'_, M, L> {}

/// A participant found in a fixed-capacity store ([`Conferences`]).
pub type Found<'s, const N: usize, const L: usize = DEFAULT_LABEL_BYTES> =
    FoundIn<'s, heapless::Vec<Member<L>, N>, L>;

/// A bridge's conferences kept in the table `T` (labels of `L` bytes): the
/// friendly names, the caps ([`Limits`]), the lifecycle [`Timing`], and the
/// event queue. See the [bridge docs](crate::bridge) for the rules.
///
/// The rules are written once, here; the memory is the user's choice
/// ([`Table`]): the firmware's [`Conferences`] (a [`FixedTable`], no heap),
/// or a host's table that grows with the live participants.
///
/// No operation scans every stored conference or participant: a
/// conference is found through the table (by SID, by friendly name), a
/// participant within its conference, and the lifecycle clock only visits
/// the conferences that have a participant not connected yet.
#[derive(Debug, Clone)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct ConferencesIn<T: Table<L>, const L: usize = DEFAULT_LABEL_BYTES> {
    table: T,
    /// Conferences with a live participant not connected yet, in the order
    /// they got one (each once: [`Entry`]'s flag).
    pending: T::Sids,
    limits: Limits,
    /// Live participants in all conferences.
    live: usize,
    dialect: Dialect,
    timing: Timing,
    notices: Notices,
}

/// A bridge's conferences in fixed memory: up to `C` [`Conference`]s of up
/// to `N` live participants with `L` bytes of label each (a
/// [`FixedTable`]).
///
/// Memory: about `C × N × (100 + L)` bytes for the participants plus
/// [`EVENT_QUEUE_CAPACITY`](crate::bridge::EVENT_QUEUE_CAPACITY) notices of
/// about 96 bytes.
///
/// [`Conference`]: crate::bridge::Conference
///
/// ```
/// use confpart::bridge::{Conferences, Timing};
/// use confpart::api::path::Dialect;
/// let set: Conferences<4, 8, 32> = Conferences::new(Dialect::Twilio, Timing::IMMEDIATE);
/// assert_eq!(set.len(), 0);
/// ```
pub type Conferences<const C: usize, const N: usize, const L: usize = DEFAULT_LABEL_BYTES> =
    ConferencesIn<FixedTable<C, N, L>, L>;

impl<T: Table<L>, const L: usize> ConferencesIn<T, L> {
    /// An empty set answering as `dialect`, moving created participants
    /// along with `timing`, with the caps the table holds ([`Table::LIMITS`]).
    pub fn new(dialect: Dialect, timing: Timing) -> Self {
        Self::with_limits(dialect, timing, T::LIMITS)
    }

    /// [`ConferencesIn::new`] with caps of the user's (never more than the
    /// table holds).
    ///
    /// ```
    /// use confpart::bridge::{Conferences, Limits, Timing};
    /// use confpart::api::path::Dialect;
    /// let limits = Limits { per_conference: 2, participants: 3 };
    /// let set: Conferences<4, 8> = Conferences::with_limits(Dialect::Twilio, Timing::IMMEDIATE, limits);
    /// assert_eq!(set.limits(), limits);
    /// ```
    pub fn with_limits(dialect: Dialect, timing: Timing, limits: Limits) -> Self {
        Self {
            table: T::default(),
            pending: T::Sids::default(),
            limits: limits.min(T::LIMITS),
            live: 0,
            dialect,
            timing,
            notices: Notices::new(),
        }
    }

    /// The dialect new conferences answer in.
    pub const fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// The lifecycle delays.
    pub const fn timing(&self) -> Timing {
        self.timing
    }

    /// The caps this set enforces.
    pub const fn limits(&self) -> Limits {
        self.limits
    }

    /// Live participants in all conferences.
    pub const fn live_participants(&self) -> usize {
        self.live
    }

    /// The table the conferences are kept in (to measure it).
    pub const fn table(&self) -> &T {
        &self.table
    }

    /// Stored conferences (in progress, not started, or completed and not
    /// reclaimed yet).
    pub fn len(&self) -> usize {
        self.table.len()
    }

    /// True when no conference is stored.
    pub fn is_empty(&self) -> bool {
        self.table.is_empty()
    }

    /// The stored conferences (a fixed table: oldest first).
    pub fn conferences(&self) -> impl Iterator<Item = &ConferenceIn<T::Members, L>> + '_ {
        self.table.entries().map(Entry::conference)
    }

    /// The stored conference with this SID (any account, any status).
    pub fn conference(&self, sid: &ConferenceSid) -> Option<&ConferenceIn<T::Members, L>> {
        self.table.get(sid).map(Entry::conference)
    }

    /// The friendly name a conference was created with, if any.
    pub fn friendly_name(&self, sid: &ConferenceSid) -> Option<&str> {
        self.table.get(sid).and_then(Entry::name)
    }

    /// The status-callback subscription the conference `sid` recorded, if
    /// any ([`ConferencesIn::subscribe`]).
    pub fn subscription(&self, sid: &ConferenceSid) -> Option<&ConferenceCallback> {
        self.table.get(sid).and_then(|e| e.callback.as_ref())
    }

    pub(super) fn subscription_mut(
        &mut self,
        sid: &ConferenceSid,
    ) -> Option<&mut ConferenceCallback> {
        self.table.get_mut(sid).and_then(|e| e.callback.as_mut())
    }

    /// Records `subscriber` as the conference `sid`'s callback subscription
    /// (its first participant's `ConferenceStatusCallback*`); `false` when
    /// the conference is not stored, already has one (the first wins), or
    /// the URL is longer than
    /// [`CALLBACK_URL_CAPACITY`](crate::bridge::CALLBACK_URL_CAPACITY).
    pub fn subscribe(&mut self, sid: &ConferenceSid, subscriber: &Subscriber<'_>) -> bool {
        match self.table.get_mut(sid) {
            Some(entry) if entry.callback.is_none() => {
                entry.callback = ConferenceCallback::new(subscriber);
                entry.callback.is_some()
            }
            _ => false,
        }
    }

    /// A stored participant (live or not) of the conference `sid`, without
    /// ticking: render the create answer with it, so that it shows the
    /// participant as created (`queued`) even with [`Timing::IMMEDIATE`].
    ///
    /// ```
    /// use confpart::bridge::{ConferenceRef, Conferences, Lifecycle, SequentialIds, Timing};
    /// use confpart::api::create::Create;
    /// use confpart::wire::date::Timestamp;
    /// use confpart::wire::ident::AccountSid;
    /// use confpart::api::path::Dialect;
    ///
    /// let mut set: Conferences<1, 2> = Conferences::new(Dialect::Twilio, Timing::IMMEDIATE);
    /// let account = AccountSid::parse("ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")?;
    /// let now = Timestamp::from_unix(1_700_000_000).unwrap();
    /// let c = set.create(&account, ConferenceRef::parse("r"), &Create::new("a", "b"), now, &mut SequentialIds::new())?;
    /// let found = set.participant(&c.conference, &c.call).unwrap();
    /// assert_eq!(found.member.state().lifecycle, Lifecycle::Queued);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn participant(
        &self,
        sid: &ConferenceSid,
        call: &CallSid,
    ) -> Option<FoundIn<'_, T::Members, L>> {
        let conference = self.conference(sid)?;
        let member = conference.member(call)?;
        Some(FoundIn { conference, member })
    }

    /// Removes the completed conferences; returns how many.
    pub fn reclaim(&mut self) -> usize {
        let mut n = 0usize;
        while self.table.reclaim_oldest() {
            n = n.saturating_add(1);
        }
        n
    }

    /// The oldest notice not delivered yet.
    pub fn pop_notice(&mut self) -> Option<Notice> {
        self.notices.pop()
    }

    /// Notices waiting in the queue.
    pub fn pending_notices(&self) -> usize {
        self.notices.pending()
    }

    /// Notices that did not fit in the queue since the set was made (never
    /// silently dropped: counted here).
    pub const fn lost_notices(&self) -> u32 {
        self.notices.lost()
    }

    /// Moves created participants along their lifecycle up to `now`
    /// ([`Timing`]); pushes `participant-join` and `conference-start`
    /// notices. Every operation runs it first. It visits only the
    /// conferences with a participant not connected yet.
    pub fn tick(&mut self, now: Timestamp) {
        if self.pending.is_empty() {
            return;
        }
        let timing = self.timing;
        let mut done = false;
        for sid in self.pending.iter() {
            let Some(entry) = self.table.get_mut(sid) else {
                done = true;
                continue;
            };
            if !entry.is_completed() {
                timing.advance(&mut entry.conference, now, &mut self.notices);
            }
            let waiting = !entry.is_completed()
                && entry
                    .conference
                    .members()
                    .any(|m| m.is_live() && m.state().lifecycle != Lifecycle::Connected);
            if !waiting {
                entry.pending = false;
                done = true;
            }
        }
        if done {
            let table = &self.table;
            self.pending
                .retain(|sid| table.get(sid).is_some_and(|e| e.pending));
        }
    }

    /// The conference `sid` of `account` (404 otherwise).
    fn entry(
        &self,
        account: &AccountSid,
        sid: &ConferenceSid,
    ) -> Result<&Entry<T::Members, L>, Refusal> {
        self.table
            .get(sid)
            .filter(|e| e.conference.account() == account)
            .ok_or(Refusal::NotFound)
    }

    /// The conference `sid` of `account` in `table`, to change it (404
    /// otherwise). Over the table alone, so that the notice queue can be
    /// borrowed beside it.
    fn entry_in<'t>(
        table: &'t mut T,
        account: &AccountSid,
        sid: &ConferenceSid,
    ) -> Result<&'t mut Entry<T::Members, L>, Refusal> {
        table
            .get_mut(sid)
            .filter(|e| e.conference.account() == account)
            .ok_or(Refusal::NotFound)
    }

    /// Looks up a live participant: 404 / 20404 when the conference is not
    /// this account's, is completed, or the participant is not live.
    fn live(
        &self,
        account: &AccountSid,
        sid: &ConferenceSid,
        who: &ParticipantRef,
    ) -> Result<FoundIn<'_, T::Members, L>, Refusal> {
        let conference = &self.entry(account, sid)?.conference;
        let member = conference
            .find(who)
            .filter(|m| m.is_live())
            .ok_or(Refusal::NotFound)?;
        Ok(FoundIn { conference, member })
    }

    /// Fetch: the live participant `who` (call SID or label) of the
    /// conference `sid`, at `now`. A participant that left, a completed
    /// conference, or another account's conference: 404 / 20404.
    pub fn fetch(
        &mut self,
        account: &AccountSid,
        sid: &ConferenceSid,
        who: &ParticipantRef,
        now: Timestamp,
    ) -> Result<FoundIn<'_, T::Members, L>, Refusal> {
        self.tick(now);
        self.live(account, sid, who)
    }

    /// Update: applies `update` to `who` with [`ConferenceIn::apply`]'s rules
    /// and answers the participant. The events go to the notice queue.
    pub fn update(
        &mut self,
        account: &AccountSid,
        sid: &ConferenceSid,
        who: &ParticipantRef,
        update: &Update<'_>,
        now: Timestamp,
    ) -> Result<FoundIn<'_, T::Members, L>, Refusal> {
        self.tick(now);
        let entry = Self::entry_in(&mut self.table, account, sid)?;
        let (index, outcome) = entry.conference.apply_at(who, update, now)?;
        let call = outcome.state.call_sid;
        for event in outcome.events {
            self.notices.participant(*sid, now, call, event);
        }
        // The member `apply` changed, by its index: no second search of the
        // table or of the conference, no 528-byte `ParticipantRef` on the
        // stack.
        let entry: &Entry<T::Members, L> = entry;
        let conference = &entry.conference;
        let member = conference
            .members
            .get(index)
            .filter(|m| m.is_live())
            .ok_or(Refusal::NotFound)?;
        Ok(FoundIn { conference, member })
    }

    /// Delete ("kick"): removes the live participant `who` from any state
    /// ([`ConferenceIn::kick_into`]); answers its call SID. Pushes its
    /// `participant-leave` (when it was connected), a `participant-modify`
    /// per coach it loses, and, when the conference completes, the others'
    /// `participant-leave` and `conference-end`; the completed conference
    /// may then be reclaimed. A completed conference: 404 / 20404.
    pub fn delete(
        &mut self,
        account: &AccountSid,
        sid: &ConferenceSid,
        who: &ParticipantRef,
        now: Timestamp,
    ) -> Result<CallSid, Refusal> {
        self.tick(now);
        let entry = Self::entry_in(&mut self.table, account, sid)?;
        let notices = &mut self.notices;
        let mut left = 0usize;
        let kicked = entry.conference.kick_into(who, now, |f| match f {
            Fallout::Event { call, event } => notices.participant(*sid, now, call, event),
            Fallout::Uncoached(coach) => notices.participant(*sid, now, coach, Event::Modify),
            Fallout::AlsoLeft(l) => {
                left = left.saturating_add(1);
                if l.was_connected {
                    notices.participant(*sid, now, l.call_sid, Event::Leave);
                }
            }
        });
        let kicked = match kicked {
            Ok(k) => k,
            Err(Rejection::ConferenceCompleted { .. }) => return Err(Refusal::NotFound),
            Err(r) => return Err(Refusal::from(r)),
        };
        self.live = self.live.saturating_sub(left.saturating_add(1));
        if kicked.ended {
            self.notices.push(
                *sid,
                now,
                NoticeKind::ConferenceEnd {
                    ended_by: Some(kicked.state.call_sid),
                },
            );
            self.table.completed(sid);
        }
        Ok(kicked.state.call_sid)
    }

    /// Create: adds a participant to the conference `conference` (SID or
    /// friendly name) of `account`, creating the conference if needed.
    /// Atomic: every check runs before anything changes, in this order:
    ///
    /// 1. [`Create::validate`] for the set's dialect (labels: 16023 / 16024;
    ///    others 20001);
    /// 2. the conference: another account's SID is 404 / 20404, a completed
    ///    one answers as [`Rejection::ConferenceCompleted`]; a friendly name
    ///    is checked ([`NameProblem`]);
    /// 3. the label: longer than `L` bytes (16023), in use among the live
    ///    participants (16026);
    /// 4. the coaching target: a live participant of this conference
    ///    (16028 / SignalWire 16002), not on hold (16027);
    /// 5. room (429 / 20429): [`Limits::per_conference`] live participants
    ///    in this conference ([`Refusal::ConferenceFull`]),
    ///    [`Limits::participants`] live in the bridge
    ///    ([`Refusal::BridgeFull`]), a table full of conferences none of
    ///    which is completed ([`Refusal::SetFull`]);
    /// 6. new SIDs from `ids`, which must not be in use in the table (a
    ///    conference SID) or among the conference's live participants (a
    ///    call SID): 500 / 20500.
    ///
    /// The participant starts `queued` at `now` with the request's `Muted`,
    /// `StartConferenceOnEnter` (default true), `EndConferenceOnExit`
    /// (default false), `Beep` (beeps on exit unless `false` / `onEnter`)
    /// and coaching target.
    pub fn create(
        &mut self,
        account: &AccountSid,
        conference: ConferenceRef<'_>,
        create: &Create<'_>,
        now: Timestamp,
        ids: &mut impl IdSource,
    ) -> Result<Created, Refusal> {
        self.tick(now);
        let dialect = self.dialect;
        create.validate(dialect).map_err(Refusal::InvalidCreate)?;
        // 2. Which conference.
        let existing: Option<ConferenceSid> = match conference {
            ConferenceRef::Sid(sid) => match self.table.get(&sid) {
                Some(e) => {
                    if e.conference.account() != account {
                        return Err(Refusal::NotFound);
                    }
                    if e.is_completed() {
                        return Err(Refusal::Rejected(Rejection::ConferenceCompleted {
                            dialect: e.conference.dialect(),
                        }));
                    }
                    Some(sid)
                }
                None => None,
            },
            ConferenceRef::Name(name) => {
                check_name(name)?;
                self.table.named(account, name)
            }
        };
        let target = create.coach_target();
        let label = create.label;
        if label.is_some_and(|l| l.len() > L) {
            return Err(Refusal::LabelTooLong { max_bytes: L });
        }
        match existing.and_then(|sid| self.table.get(&sid)) {
            Some(entry) => {
                let conf = &entry.conference;
                // 3. The label.
                if let Some(l) = label
                    && conf.members().any(|m| m.is_live() && m.label() == Some(l))
                {
                    return Err(Refusal::LabelInUse);
                }
                // 4. The coaching target.
                if let Some(t) = target {
                    let coached = conf
                        .members()
                        .find(|m| m.is_live() && *m.call_sid() == t)
                        .ok_or(Refusal::Rejected(Rejection::CoachTargetNotInConference {
                            dialect,
                        }))?;
                    if coached.state().hold {
                        return Err(Refusal::Rejected(Rejection::CoachTargetOnHold));
                    }
                }
                // 5. Room.
                let live = conf.live_count();
                if live >= self.limits.per_conference
                    || (conf.members.is_full() && live >= conf.members.len())
                {
                    return Err(Refusal::ConferenceFull {
                        capacity: self.limits.per_conference,
                    });
                }
                if self.live >= self.limits.participants {
                    return Err(Refusal::BridgeFull {
                        capacity: self.limits.participants,
                    });
                }
            }
            None => {
                if target.is_some() {
                    return Err(Refusal::Rejected(Rejection::CoachTargetNotInConference {
                        dialect,
                    }));
                }
                if self.limits.per_conference == 0 {
                    return Err(Refusal::ConferenceFull {
                        capacity: self.limits.per_conference,
                    });
                }
                if self.table.is_full() && !self.table.has_completed() {
                    return Err(Refusal::SetFull {
                        capacity: self.table.len(),
                    });
                }
                if self.live >= self.limits.participants {
                    return Err(Refusal::BridgeFull {
                        capacity: self.limits.participants,
                    });
                }
            }
        }
        // 6. A new conference SID.
        let sid = match (existing, conference) {
            (Some(sid), _) => sid,
            (None, ConferenceRef::Sid(sid)) => sid,
            (None, ConferenceRef::Name(_)) => {
                let sid = ids.conference_sid(dialect).map_err(Refusal::IdSource)?;
                if self.table.get(&sid).is_some() {
                    return Err(Refusal::DuplicateId);
                }
                sid
            }
        };
        // 6. A new call SID, not live in this conference.
        let call = ids.call_sid(dialect).map_err(Refusal::IdSource)?;
        if existing
            .and_then(|sid| self.table.get(&sid))
            .is_some_and(|e| {
                e.conference
                    .members()
                    .any(|m| m.is_live() && *m.call_sid() == call)
            })
        {
            return Err(Refusal::DuplicateId);
        }
        // Checked, not copied into a `Label` (520 bytes on the stack): the
        // member stores its own copy of the text.
        if let Some(l) = label {
            Label::check(l)
                .map_err(|e| Refusal::InvalidCreate(create::ValidationError::Label(e)))?;
        }
        // Checks done: from here on the create succeeds.
        if existing.is_none() {
            if self.table.is_full() {
                self.table.reclaim_oldest();
            }
            self.new_entry(*account, sid, conference)?;
        }
        let join = Join::new(call)
            .muted(create.muted.unwrap_or(false))
            .start_conference_on_enter(create.start_conference_on_enter.unwrap_or(true))
            .end_conference_on_exit(create.end_conference_on_exit.unwrap_or(false))
            .beep_on_exit(create.beep.is_none_or(|b| b.on_exit()));
        let entry = self.table.get_mut(&sid).ok_or(Refusal::NotFound)?;
        let joined = entry.conference.join_labelled(join, label, now);
        if let Err(e) = joined {
            // Unreachable after the checks above; undo a new conference so
            // the create stays atomic.
            if existing.is_none() {
                self.table.remove(&sid);
            }
            return Err(match e {
                ConferenceError::LabelInUse => Refusal::LabelInUse,
                ConferenceError::Full { capacity } => Refusal::ConferenceFull { capacity },
                ConferenceError::LabelTooLong { max_bytes } => Refusal::LabelTooLong { max_bytes },
                _ => Refusal::DuplicateId,
            });
        }
        if let Some(t) = target
            && let Some(m) = entry
                .conference
                .members
                .iter_mut()
                .rev()
                .find(|m| m.state.call_sid == call)
        {
            m.state.coach_target = Some(t);
        }
        if !entry.pending {
            entry.pending = true;
            if self.pending.try_push(sid).is_err() {
                // The list holds every stored conference: unreachable; the
                // flag stays off so the next create lists it again.
                entry.pending = false;
            }
        }
        self.live = self.live.saturating_add(1);
        Ok(Created {
            conference: sid,
            call,
            new_conference: existing.is_none(),
            queue_time_ms: self.timing.queue_time_ms(),
        })
    }

    /// Stores a new conference (the table has room: `create` checked and
    /// reclaimed). Out of line: the new entry is built on the stack before
    /// it is moved in (a conference and its name, 768 bytes for
    /// `Conferences<1, 4, 32>`), and only a create of a new conference
    /// needs that.
    #[inline(never)]
    fn new_entry(
        &mut self,
        account: AccountSid,
        sid: ConferenceSid,
        conference: ConferenceRef<'_>,
    ) -> Result<(), Refusal> {
        let name = match conference {
            ConferenceRef::Name(n) => n,
            ConferenceRef::Sid(_) => "",
        };
        let entry = Entry::new(account, sid, self.dialect, name)
            .ok_or(Refusal::FriendlyName(NameProblem::TooLong))?;
        let capacity = self.table.len();
        if self.table.insert(entry) {
            Ok(())
        } else {
            Err(Refusal::SetFull { capacity })
        }
    }

    /// List: one page of the live participants of the conference `sid`, in
    /// join order, that match every filter given (`Muted`, `Hold`,
    /// `Coaching` compare with the participant's field).
    ///
    /// Paging: `PageSize` 1..=1000 (default [`DEFAULT_PAGE_SIZE`]), `Page`
    /// (default 0), `PageToken`. A token this set wrote (`PA…` = after that
    /// participant, `PB…` = the page before it) continues from the
    /// participant it names, so a participant leaving between two requests
    /// does not shift the next page; a token naming a participant no longer
    /// stored falls back to `Page × PageSize`. A completed conference lists
    /// nobody (200, empty page); another account's or an unknown
    /// conference is 404 / 20404.
    pub fn list(
        &mut self,
        account: &AccountSid,
        sid: &ConferenceSid,
        query: &ListQuery<'_>,
        now: Timestamp,
    ) -> Result<PageIn<'_, T::Members, L>, Refusal> {
        self.tick(now);
        // The paging is checked before the conference is looked up, so a bad
        // `PageSize` or `PageToken` is 400 even for an unknown conference.
        // The checks are written here rather than returned by one paging
        // function: a `Result` of the checked request is one more copy of it
        // on `Service::list`'s stack (64 bytes on thumbv7em).
        let page_size = query.page_size.unwrap_or(DEFAULT_PAGE_SIZE);
        if page_size == 0 || page_size > PAGE_SIZE_MAX {
            return Err(Refusal::InvalidPage(PageError::PageSize {
                value: page_size,
            }));
        }
        let token = match query.page_token {
            Some(t) => Some(PageToken::parse(t).ok_or(Refusal::InvalidPage(PageError::PageToken))?),
            None => None,
        };
        let entry = self.entry(account, sid)?;
        let request = PageRequest::new(query, page_size, token);
        Ok(PageIn::select(&entry.conference, request))
    }
}

/// Checks a friendly name: not empty, at most [`FRIENDLY_NAME_CAPACITY`]
/// bytes, no `/` nor control characters.
fn check_name(name: &str) -> Result<(), Refusal> {
    if name.is_empty() {
        return Err(Refusal::FriendlyName(NameProblem::Empty));
    }
    if name.len() > FRIENDLY_NAME_CAPACITY {
        return Err(Refusal::FriendlyName(NameProblem::TooLong));
    }
    if let Some((offset, _)) = name
        .char_indices()
        .find(|&(_, c)| c == '/' || c.is_control())
    {
        return Err(Refusal::FriendlyName(NameProblem::Character { offset }));
    }
    Ok(())
}
