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
//! - **Capacity.** At most `C` conferences and `N` live participants per
//!   conference. When full, create answers [`Refusal::SetFull`] or
//!   [`Refusal::ConferenceFull`]: **429 / 20429**. Twilio answers 20429
//!   (Too Many Requests, the spec's table) when an account exceeds its
//!   concurrency limits, which is what a full bridge is: the request is
//!   valid and succeeds later, once calls end (SDKs retry 429 with
//!   back-off; a 503 would blame the service, a 400 the request). A live
//!   participant is never evicted: only completed conferences are reclaimed,
//!   the oldest first, when a new one needs the slot
//!   ([`Conferences::reclaim`] frees them all).
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
use super::model::{
    Conference, ConferenceError, ConferenceStatus, DEFAULT_LABEL_BYTES, Join, Member,
};
use super::notice::{Notice, NoticeKind, Notices};
use super::paging::{DEFAULT_PAGE_SIZE, Page, PageError, PageRequest, PageToken};
use super::refusal::{NameProblem, Refusal};
use super::timing::Timing;
use crate::api::create::{self, Create};
use crate::api::path::Dialect;
use crate::api::query::{ListQuery, PAGE_SIZE_MAX};
use crate::api::update::Update;
use crate::wire::date::Timestamp;
use crate::wire::ident::{AccountSid, CallSid, ConferenceSid, Label, ParticipantRef};

/// Bytes stored for a conference's friendly name.
pub const FRIENDLY_NAME_CAPACITY: usize = 128;

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
#[derive(Debug, Clone, Copy)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Found<'s, const N: usize, const L: usize = DEFAULT_LABEL_BYTES> {
    /// The participant's conference.
    pub conference: &'s Conference<N, L>,
    /// The participant.
    pub member: &'s Member<L>,
}

#[derive(Debug, Clone)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
struct Slot<const N: usize, const L: usize> {
    conference: Conference<N, L>,
    /// Empty when the conference was created by SID.
    name: heapless::String<FRIENDLY_NAME_CAPACITY>,
}

/// A bridge's conferences: up to `C` [`Conference`]s of up to `N` live
/// participants with `L` bytes of label each, their friendly names, the
/// lifecycle [`Timing`], and the event queue. See the [bridge docs](crate::bridge)
/// for the rules.
///
/// Memory: about `C × N × (100 + L)` bytes for the participants plus
/// [`EVENT_QUEUE_CAPACITY`](crate::bridge::EVENT_QUEUE_CAPACITY) notices of
/// about 96 bytes.
///
/// ```
/// use confpart::bridge::{Conferences, Timing};
/// use confpart::api::path::Dialect;
/// let set: Conferences<4, 8, 32> = Conferences::new(Dialect::Twilio, Timing::IMMEDIATE);
/// assert_eq!(set.len(), 0);
/// ```
#[derive(Debug, Clone)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Conferences<const C: usize, const N: usize, const L: usize = DEFAULT_LABEL_BYTES> {
    slots: heapless::Vec<Slot<N, L>, C>,
    dialect: Dialect,
    timing: Timing,
    notices: Notices,
}

impl<const C: usize, const N: usize, const L: usize> Conferences<C, N, L> {
    /// An empty set answering as `dialect`, moving created participants
    /// along with `timing`.
    pub const fn new(dialect: Dialect, timing: Timing) -> Self {
        Self {
            slots: heapless::Vec::new(),
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

    /// Stored conferences (in progress, not started, or completed and not
    /// reclaimed yet).
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    /// True when no conference is stored.
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// The stored conferences, oldest first.
    pub fn conferences(&self) -> impl Iterator<Item = &Conference<N, L>> + '_ {
        self.slots.iter().map(|s| &s.conference)
    }

    /// The stored conference with this SID (any account, any status).
    pub fn conference(&self, sid: &ConferenceSid) -> Option<&Conference<N, L>> {
        self.slots
            .iter()
            .find(|s| s.conference.sid() == sid)
            .map(|s| &s.conference)
    }

    /// The friendly name a conference was created with, if any.
    pub fn friendly_name(&self, sid: &ConferenceSid) -> Option<&str> {
        self.slots
            .iter()
            .find(|s| s.conference.sid() == sid)
            .map(|s| s.name.as_str())
            .filter(|n| !n.is_empty())
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
    pub fn participant(&self, sid: &ConferenceSid, call: &CallSid) -> Option<Found<'_, N, L>> {
        let conference = self.conference(sid)?;
        let member = conference.member(call)?;
        Some(Found { conference, member })
    }

    /// Removes the completed conferences; returns how many.
    pub fn reclaim(&mut self) -> usize {
        let before = self.slots.len();
        self.slots
            .retain(|s| s.conference.status() != ConferenceStatus::Completed);
        before.saturating_sub(self.slots.len())
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
    /// notices. Every operation runs it first.
    pub fn tick(&mut self, now: Timestamp) {
        let timing = self.timing;
        let notices = &mut self.notices;
        for slot in self
            .slots
            .iter_mut()
            .filter(|s| s.conference.status() != ConferenceStatus::Completed)
        {
            timing.advance(&mut slot.conference, now, notices);
        }
    }

    /// The index of the conference `sid` of `account` (404 otherwise).
    fn slot_index(&self, account: &AccountSid, sid: &ConferenceSid) -> Result<usize, Refusal> {
        self.slots
            .iter()
            .position(|s| s.conference.sid() == sid && s.conference.account() == account)
            .ok_or(Refusal::NotFound)
    }

    /// Looks up a live participant: 404 / 20404 when the conference is not
    /// this account's, is completed, or the participant is not live.
    fn live(
        &self,
        account: &AccountSid,
        sid: &ConferenceSid,
        who: &ParticipantRef,
    ) -> Result<Found<'_, N, L>, Refusal> {
        let slot = self
            .slots
            .get(self.slot_index(account, sid)?)
            .ok_or(Refusal::NotFound)?;
        let conference = &slot.conference;
        let member = conference
            .find(who)
            .filter(|m| m.is_live())
            .ok_or(Refusal::NotFound)?;
        Ok(Found { conference, member })
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
    ) -> Result<Found<'_, N, L>, Refusal> {
        self.tick(now);
        self.live(account, sid, who)
    }

    /// Update: applies `update` to `who` with [`Conference::apply`]'s rules
    /// and answers the participant. The events go to the notice queue.
    pub fn update(
        &mut self,
        account: &AccountSid,
        sid: &ConferenceSid,
        who: &ParticipantRef,
        update: &Update<'_>,
        now: Timestamp,
    ) -> Result<Found<'_, N, L>, Refusal> {
        self.tick(now);
        let index = self.slot_index(account, sid)?;
        let slot = self.slots.get_mut(index).ok_or(Refusal::NotFound)?;
        let outcome = slot.conference.apply(who, update, now)?;
        let call = outcome.state.call_sid;
        for event in outcome.events {
            self.notices.participant(*sid, now, call, event);
        }
        // As `live` by `ParticipantRef::Call(call)`, without building that
        // 528-byte value on the stack.
        let conference = &self.slots.get(index).ok_or(Refusal::NotFound)?.conference;
        let member = conference
            .member(&call)
            .filter(|m| m.is_live())
            .ok_or(Refusal::NotFound)?;
        Ok(Found { conference, member })
    }

    /// Delete ("kick"): removes the live participant `who` from any state
    /// ([`Conference::kick`]); answers its call SID. Pushes its
    /// `participant-leave` (when it was connected), a `participant-modify`
    /// per coach it loses, and, when the conference completes, the others'
    /// `participant-leave` and `conference-end`. A completed conference:
    /// 404 / 20404.
    pub fn delete(
        &mut self,
        account: &AccountSid,
        sid: &ConferenceSid,
        who: &ParticipantRef,
        now: Timestamp,
    ) -> Result<CallSid, Refusal> {
        self.tick(now);
        let index = self.slot_index(account, sid)?;
        let slot = self.slots.get_mut(index).ok_or(Refusal::NotFound)?;
        // Borrowed where it is returned: a `KickOutcome<N>` is large (440
        // bytes for N = 4), and each `map_err` / `?` on it would be one more
        // copy of it on the stack.
        let kicked = slot.conference.kick(who, now);
        let outcome = match &kicked {
            Ok(outcome) => outcome,
            Err(Rejection::ConferenceCompleted { .. }) => return Err(Refusal::NotFound),
            Err(r) => return Err(Refusal::from(*r)),
        };
        let call = outcome.state.call_sid;
        for &event in &outcome.events {
            self.notices.participant(*sid, now, call, event);
        }
        for &coach in &outcome.uncoached {
            self.notices.participant(*sid, now, coach, Event::Modify);
        }
        for left in outcome.also_left.iter().filter(|l| l.was_connected) {
            self.notices
                .participant(*sid, now, left.call_sid, Event::Leave);
        }
        if outcome.ended {
            self.notices.push(
                *sid,
                now,
                NoticeKind::ConferenceEnd {
                    ended_by: Some(call),
                },
            );
        }
        Ok(call)
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
    /// 5. room: `N` live participants (429 / 20429), `C` conferences none of
    ///    which is completed (429 / 20429);
    /// 6. new SIDs from `ids`, which must not be in use (500 / 20500).
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
        let existing = match conference {
            ConferenceRef::Sid(sid) => {
                match self.slots.iter().position(|s| *s.conference.sid() == sid) {
                    Some(i) => {
                        let conf = self
                            .slots
                            .get(i)
                            .map(|s| &s.conference)
                            .ok_or(Refusal::NotFound)?;
                        if conf.account() != account {
                            return Err(Refusal::NotFound);
                        }
                        if conf.status() == ConferenceStatus::Completed {
                            return Err(Refusal::Rejected(Rejection::ConferenceCompleted {
                                dialect: conf.dialect(),
                            }));
                        }
                        Some(i)
                    }
                    None => None,
                }
            }
            ConferenceRef::Name(name) => {
                check_name(name)?;
                self.slots.iter().position(|s| {
                    s.conference.account() == account
                        && s.conference.status() != ConferenceStatus::Completed
                        && s.name.as_str() == name
                })
            }
        };
        let target = create.coach_target();
        let label = create.label;
        if label.is_some_and(|l| l.len() > L) {
            return Err(Refusal::LabelTooLong { max_bytes: L });
        }
        match existing.and_then(|i| self.slots.get(i)) {
            Some(slot) => {
                let conf = &slot.conference;
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
                if conf.live_count() >= N {
                    return Err(Refusal::ConferenceFull { capacity: N });
                }
            }
            None => {
                if target.is_some() {
                    return Err(Refusal::Rejected(Rejection::CoachTargetNotInConference {
                        dialect,
                    }));
                }
                if N == 0 {
                    return Err(Refusal::ConferenceFull { capacity: N });
                }
                let reclaimable = self
                    .slots
                    .iter()
                    .any(|s| s.conference.status() == ConferenceStatus::Completed);
                if self.slots.is_full() && !reclaimable {
                    return Err(Refusal::SetFull { capacity: C });
                }
            }
        }
        // 6. New ids.
        let sid = match (existing, conference) {
            (Some(i), _) => *self
                .slots
                .get(i)
                .map(|s| s.conference.sid())
                .ok_or(Refusal::NotFound)?,
            (None, ConferenceRef::Sid(sid)) => sid,
            (None, ConferenceRef::Name(_)) => {
                let sid = ids.conference_sid(dialect).map_err(Refusal::IdSource)?;
                if self.slots.iter().any(|s| *s.conference.sid() == sid) {
                    return Err(Refusal::DuplicateId);
                }
                sid
            }
        };
        let call = ids.call_sid(dialect).map_err(Refusal::IdSource)?;
        if self
            .slots
            .iter()
            .flat_map(|s| s.conference.members())
            .any(|m| m.is_live() && *m.call_sid() == call)
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
        let index = match existing {
            Some(i) => i,
            None => {
                if self.slots.is_full() {
                    let mut reclaimed = false;
                    self.slots.retain(|s| {
                        let drop =
                            !reclaimed && s.conference.status() == ConferenceStatus::Completed;
                        reclaimed |= drop;
                        !drop
                    });
                }
                self.new_slot(*account, sid, conference)?
            }
        };
        let slot = self.slots.get_mut(index).ok_or(Refusal::NotFound)?;
        let conf = &mut slot.conference;
        let join = Join::new(call)
            .muted(create.muted.unwrap_or(false))
            .start_conference_on_enter(create.start_conference_on_enter.unwrap_or(true))
            .end_conference_on_exit(create.end_conference_on_exit.unwrap_or(false))
            .beep_on_exit(create.beep.is_none_or(|b| b.on_exit()));
        let joined = conf.join_labelled(join, label, now);
        if let Err(e) = joined {
            // Unreachable after the checks above; undo a new conference so
            // the create stays atomic.
            if existing.is_none() {
                self.slots.retain(|s| *s.conference.sid() != sid);
            }
            return Err(match e {
                ConferenceError::LabelInUse => Refusal::LabelInUse,
                ConferenceError::Full { capacity } => Refusal::ConferenceFull { capacity },
                ConferenceError::LabelTooLong { max_bytes } => Refusal::LabelTooLong { max_bytes },
                _ => Refusal::DuplicateId,
            });
        }
        if let Some(t) = target
            && let Some(m) = conf.members.iter_mut().find(|m| m.state.call_sid == call)
        {
            m.state.coach_target = Some(t);
        }
        Ok(Created {
            conference: sid,
            call,
            new_conference: existing.is_none(),
            queue_time_ms: self.timing.queue_time_ms(),
        })
    }

    /// Stores a new conference (the slot is free: `create` checked and
    /// reclaimed); its index. Out of line: the new slot is built on the
    /// stack before it is moved in (a [`Conference`] and its name, 768
    /// bytes for `Conferences<1, 4, 32>`), and only a create of a new
    /// conference needs that.
    #[inline(never)]
    fn new_slot(
        &mut self,
        account: AccountSid,
        sid: ConferenceSid,
        conference: ConferenceRef<'_>,
    ) -> Result<usize, Refusal> {
        let mut name = heapless::String::new();
        if let ConferenceRef::Name(n) = conference {
            name.push_str(n)
                .map_err(|_| Refusal::FriendlyName(NameProblem::TooLong))?;
        }
        self.slots
            .push(Slot {
                conference: Conference::new(account, sid, self.dialect),
                name,
            })
            .map_err(|_| Refusal::SetFull { capacity: C })?;
        Ok(self.slots.len().saturating_sub(1))
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
    ) -> Result<Page<'_, N, L>, Refusal> {
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
        let slot = self
            .slots
            .get(self.slot_index(account, sid)?)
            .ok_or(Refusal::NotFound)?;
        let request = PageRequest::new(query, page_size, token);
        Ok(Page::select(&slot.conference, request))
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
