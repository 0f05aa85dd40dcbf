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
//! - **Lifecycle.** A created participant is `queued`, then moves to
//!   `connecting`, `ringing` and `connected` after the delays of [`Timing`]
//!   (counted from its creation; each transition is dated at the moment it
//!   was due, so the result does not depend on how often `tick` runs).
//!   Reaching `connected` is a `participant-join`; the conference starts
//!   (`conference-start`) when a participant with
//!   `start_conference_on_enter` connects.
//! - **queue_time** of a create is [`Timing::queue_time_ms`]: the
//!   milliseconds the participant will wait in `queued` before its call is
//!   placed (Twilio: "the wait time in milliseconds before participant's
//!   call is placed"), i.e. `to_connecting` × 1000; written as a string.
//! - **Events** ([`Notice`]) go into a queue of [`EVENT_QUEUE_CAPACITY`]
//!   that the adapter drains ([`Conferences::pop_notice`]). Operations never
//!   wait for it: when it is full, newer notices are counted, not stored
//!   ([`Conferences::lost_notices`]), so a loss is always visible; the
//!   participants' state stays exact (an adapter that lost notices can list
//!   the conference again).
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

use core::fmt;

use crate::bridge::ApiAnswer;

use super::apply::Rejection;
use super::event::Event;
use super::lifecycle::Lifecycle;
use super::model::{Conference, ConferenceStatus, DEFAULT_LABEL_BYTES, Join, Member};
use crate::api::create::{self, Create};
use crate::api::path::{Dialect, PathStyle};
use crate::api::query::{ListQuery, PAGE_SIZE_MAX};
use crate::api::update::Update;
use crate::wire::date::Timestamp;
use crate::wire::ident::{AccountSid, CallSid, ConferenceSid, IdError, Label, ParticipantRef};
use crate::wire::sink::{CountingSink, Sink, WriteError};

/// Bytes stored for a conference's friendly name.
pub const FRIENDLY_NAME_CAPACITY: usize = 128;
/// Notices the event queue holds before it counts them as lost.
pub const EVENT_QUEUE_CAPACITY: usize = 64;
/// `PageSize` when the list request gives none (Twilio's default).
pub const DEFAULT_PAGE_SIZE: u16 = 50;

/// Where a bridge gets new SIDs: the core never invents randomness.
///
/// Twilio-form SIDs (`CA…`, `CF…` + 32 hex digits) for [`Dialect::Twilio`],
/// UUIDs for [`Dialect::SignalWire`]. A SID already in use is refused
/// ([`Refusal::DuplicateId`]), never overwritten; an id source that fails
/// (its text is not a SID) is refused as [`Refusal::IdSource`].
///
/// ```
/// use confpart::bridge::{IdSource, SequentialIds};
/// use confpart::wire::ident::SidForm;
/// use confpart::api::path::Dialect;
///
/// let mut ids = SequentialIds::new();
/// assert_eq!(ids.call_sid(Dialect::Twilio)?.as_str(), "CA00000000000000000000000000000001");
/// assert_eq!(ids.conference_sid(Dialect::SignalWire)?.form(), SidForm::Uuid);
/// # Ok::<(), confpart::wire::ident::IdError>(())
/// ```
pub trait IdSource {
    /// A new call SID in `dialect`'s form.
    fn call_sid(&mut self, dialect: Dialect) -> Result<CallSid, IdError>;
    /// A new conference SID in `dialect`'s form.
    fn conference_sid(&mut self, dialect: Dialect) -> Result<ConferenceSid, IdError>;
}

/// A deterministic [`IdSource`] for tests and demos: one counter, starting
/// at 1, written as the SID's last hex digits (`CA000…001`,
/// `00000000-0000-4000-8000-000000000001`).
///
/// ```
/// use confpart::bridge::{IdSource, SequentialIds};
/// use confpart::api::path::Dialect;
///
/// let mut ids = SequentialIds::starting_at(0x2a);
/// assert_eq!(ids.conference_sid(Dialect::Twilio)?.as_str(), "CF0000000000000000000000000000002a");
/// assert_eq!(ids.call_sid(Dialect::SignalWire)?.as_str(), "00000000-0000-4000-8000-00000000002b");
/// # Ok::<(), confpart::wire::ident::IdError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct SequentialIds {
    next: u64,
}

impl Default for SequentialIds {
    fn default() -> Self {
        Self::new()
    }
}

impl SequentialIds {
    /// A counter starting at 1.
    pub const fn new() -> Self {
        Self { next: 1 }
    }

    /// A counter starting at `first`.
    pub const fn starting_at(first: u64) -> Self {
        Self { next: first }
    }

    /// The SID text of the next value: `prefix` + 32 hex digits, or a UUID.
    fn next_text(&mut self, prefix: &[u8; 2], dialect: Dialect) -> ([u8; 36], usize) {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let n = self.next;
        self.next = self.next.wrapping_add(1);
        let mut out = [b'0'; 36];
        let len = match dialect {
            Dialect::Twilio => {
                if let Some(p) = out.get_mut(..2) {
                    p.copy_from_slice(prefix);
                }
                34
            }
            Dialect::SignalWire => {
                for i in [8, 13, 18, 23] {
                    if let Some(b) = out.get_mut(i) {
                        *b = b'-';
                    }
                }
                if let Some(b) = out.get_mut(14) {
                    *b = b'4';
                }
                if let Some(b) = out.get_mut(19) {
                    *b = b'8';
                }
                36
            }
        };
        // The counter's 16 hex digits end the SID (12 of them for a UUID,
        // whose last group has 12 digits).
        let digits = if dialect == Dialect::Twilio { 16 } else { 12 };
        for i in 0..digits {
            let nibble = (n >> (4 * i)) & 0xf;
            if let Some(b) = out.get_mut(len - 1 - i) {
                *b = HEX.get(nibble as usize).copied().unwrap_or(b'0');
            }
        }
        (out, len)
    }
}

impl IdSource for SequentialIds {
    fn call_sid(&mut self, dialect: Dialect) -> Result<CallSid, IdError> {
        let (text, len) = self.next_text(b"CA", dialect);
        CallSid::parse_bytes(text.get(..len).unwrap_or(&[]))
    }

    fn conference_sid(&mut self, dialect: Dialect) -> Result<ConferenceSid, IdError> {
        let (text, len) = self.next_text(b"CF", dialect);
        ConferenceSid::parse_bytes(text.get(..len).unwrap_or(&[]))
    }
}

/// How long a created participant spends in each state before the next,
/// in seconds (the clock is the `now` the caller passes in).
///
/// ```
/// use confpart::bridge::Timing;
/// let t = Timing { to_connecting: 1, to_ringing: 2, to_connected: 3 };
/// assert_eq!(t.queue_time_ms(), 1000);
/// assert_eq!(Timing::IMMEDIATE.queue_time_ms(), 0);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Timing {
    /// Seconds `queued` before `connecting` (the create's `queue_time`).
    pub to_connecting: u32,
    /// Seconds `connecting` before `ringing`.
    pub to_ringing: u32,
    /// Seconds `ringing` before `connected`.
    pub to_connected: u32,
}

impl Timing {
    /// No delay: a participant created at `now` is `queued` in the create's
    /// answer and `connected` at the next tick (even at the same `now`).
    pub const IMMEDIATE: Self = Self {
        to_connecting: 0,
        to_ringing: 0,
        to_connected: 0,
    };

    /// The create's `queue_time`: milliseconds spent `queued`.
    pub const fn queue_time_ms(&self) -> u64 {
        self.to_connecting as u64 * 1000
    }

    /// The state a participant created `elapsed` seconds ago is in, and the
    /// second (after its creation) it entered that state.
    pub const fn state_after(&self, elapsed: u64) -> (Lifecycle, u64) {
        let connecting = self.to_connecting as u64;
        let ringing = connecting + self.to_ringing as u64;
        let connected = ringing + self.to_connected as u64;
        if elapsed >= connected {
            (Lifecycle::Connected, connected)
        } else if elapsed >= ringing {
            (Lifecycle::Ringing, ringing)
        } else if elapsed >= connecting {
            (Lifecycle::Connecting, connecting)
        } else {
            (Lifecycle::Queued, 0)
        }
    }
}

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

/// What a notice is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum NoticeKind {
    /// A participant event (`participant-join`, `-leave`, `-mute`, ...).
    Participant {
        /// The participant's call.
        call: CallSid,
        /// The event.
        event: Event,
    },
    /// `conference-start`: the conference is in progress.
    ConferenceStart,
    /// `conference-end`: the conference completed.
    ConferenceEnd,
}

/// A status-callback event for the adapter to deliver (no I/O in the core).
///
/// ```
/// use confpart::bridge::{Event, NoticeKind};
/// let kind = NoticeKind::ConferenceStart;
/// assert_eq!(kind.name(), "conference-start");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Notice {
    /// The conference.
    pub conference: ConferenceSid,
    /// When it happened.
    pub at: Timestamp,
    /// What happened.
    pub kind: NoticeKind,
}

impl NoticeKind {
    /// The callback's `StatusCallbackEvent` name, e.g. `participant-join`.
    pub const fn name(&self) -> &'static str {
        match self {
            Self::Participant { event, .. } => event.as_str(),
            Self::ConferenceStart => "conference-start",
            Self::ConferenceEnd => "conference-end",
        }
    }
}

/// What is wrong with a list request's paging.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum PageError {
    /// `PageSize` outside 1..=1000.
    PageSize {
        /// The value sent.
        value: u16,
    },
    /// `PageToken` is not one this bridge writes (`PA`/`PB` + a participant id).
    PageToken,
}

/// Why a friendly name is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum NameProblem {
    /// Empty.
    Empty,
    /// Longer than [`FRIENDLY_NAME_CAPACITY`] bytes.
    TooLong,
    /// A `/` or a control character at this byte offset.
    Character {
        /// Byte offset.
        offset: usize,
    },
}

/// Why an operation on the set was refused, with the answer a bridge gives
/// ([`Refusal::answer`]: the HTTP status, error code and message).
/// Nothing changed when one is returned.
///
/// ```
/// use confpart::bridge::{Refusal, Rejection};
/// assert_eq!((Refusal::NotFound.answer().status, Refusal::NotFound.answer().code), (404, 20404));
/// let r = Refusal::SetFull { capacity: 8 };
/// assert_eq!((r.answer().status, r.answer().code), (429, 20429));
/// let r = Refusal::Rejected(Rejection::CoachTargetOnHold);
/// assert_eq!((r.answer().status, r.answer().code), (400, 16027));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum Refusal {
    /// No such conference in this account, or no such live participant:
    /// 404 / 20404.
    NotFound,
    /// A participant rule refused it (update rules, coaching target,
    /// completed conference): the [`Rejection`]'s answer.
    Rejected(Rejection),
    /// The create request breaks a rule: 400 / 16023, 16024 (labels) or
    /// 20001 ([`create::ValidationError::code`]).
    InvalidCreate(create::ValidationError),
    /// Another live participant of the conference has this label: 400 / 16026.
    LabelInUse,
    /// The label needs more bytes than the set stores per participant (`L`):
    /// 400 / 16023 (as a label that is too long).
    LabelTooLong {
        /// The label storage `L`, in bytes.
        max_bytes: usize,
    },
    /// The friendly name in the conference slot is not acceptable: 400 / 20001.
    FriendlyName(NameProblem),
    /// `N` participants of this conference are live: 429 / 20429.
    ConferenceFull {
        /// `N`.
        capacity: usize,
    },
    /// `C` conferences are stored and none is completed: 429 / 20429.
    SetFull {
        /// `C`.
        capacity: usize,
    },
    /// The [`IdSource`] gave a SID that is in use: 500 / 20500.
    DuplicateId,
    /// The [`IdSource`] failed: 500 / 20500.
    IdSource(IdError),
    /// The list paging is invalid: 400 / 20001.
    InvalidPage(PageError),
}

impl Refusal {
    /// The HTTP status, error code and message to answer with (the same
    /// vocabulary as every other failure a bridge answers:
    /// [`crate::bridge::Answer`]).
    pub const fn answer(&self) -> ApiAnswer {
        let (status, code, message) = match self {
            Self::Rejected(r) => return r.answer(),
            Self::NotFound => (404, 20404, "The requested resource was not found"),
            Self::InvalidCreate(e) => (
                400,
                e.code(),
                match e {
                    create::ValidationError::Label(_) => "Invalid label",
                    _ => "Invalid request parameters",
                },
            ),
            Self::LabelInUse => (400, 16026, "The label is already in use in this conference"),
            Self::LabelTooLong { .. } => (400, 16023, "Invalid label"),
            Self::FriendlyName(_) => (400, 20001, "Invalid conference friendly name"),
            Self::InvalidPage(_) => (400, 20001, "Invalid paging parameters"),
            Self::ConferenceFull { .. } => (429, 20429, "Too many participants in this conference"),
            Self::SetFull { .. } => (429, 20429, "Too many conferences in progress"),
            Self::DuplicateId | Self::IdSource(_) => {
                (500, 20500, "Internal error: no new identifier")
            }
        };
        ApiAnswer::new(status, code, message)
    }
}

impl crate::bridge::Answer for Refusal {
    fn answer(&self) -> ApiAnswer {
        Refusal::answer(self)
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Rejected(r) => fmt::Display::fmt(r, f),
            Self::InvalidCreate(e) => {
                let a = self.answer();
                write!(f, "{} ({}): {e}", a.code, a.status)
            }
            _ => {
                let a = self.answer();
                write!(f, "{} ({}): {}", a.code, a.status, a.message)
            }
        }
    }
}

impl core::error::Error for Refusal {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            Self::Rejected(r) => Some(r),
            Self::InvalidCreate(e) => Some(e),
            Self::IdSource(e) => Some(e),
            _ => None,
        }
    }
}

impl From<Rejection> for Refusal {
    fn from(r: Rejection) -> Self {
        match r {
            Rejection::NotFound => Self::NotFound,
            r => Self::Rejected(r),
        }
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

/// The event queue and the count of notices it could not hold.
#[derive(Debug, Clone)]
struct Notices {
    queue: heapless::Deque<Notice, EVENT_QUEUE_CAPACITY>,
    lost: u32,
}

// heapless's `Deque` has no `defmt::Format`: log the counts.
#[cfg(feature = "defmt")]
impl defmt::Format for Notices {
    fn format(&self, f: defmt::Formatter<'_>) {
        defmt::write!(
            f,
            "Notices {{ pending: {=usize}, lost: {=u32} }}",
            self.queue.len(),
            self.lost
        );
    }
}

impl Notices {
    fn push(&mut self, conference: ConferenceSid, at: Timestamp, kind: NoticeKind) {
        if self
            .queue
            .push_back(Notice {
                conference,
                at,
                kind,
            })
            .is_err()
        {
            self.lost = self.lost.saturating_add(1);
        }
    }

    fn participant(
        &mut self,
        conference: ConferenceSid,
        at: Timestamp,
        call: CallSid,
        event: Event,
    ) {
        self.push(conference, at, NoticeKind::Participant { call, event });
    }
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
/// [`EVENT_QUEUE_CAPACITY`] notices of about 96 bytes.
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
            notices: Notices {
                queue: heapless::Deque::new(),
                lost: 0,
            },
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
        self.notices.queue.pop_front()
    }

    /// Notices waiting in the queue.
    pub fn pending_notices(&self) -> usize {
        self.notices.queue.len()
    }

    /// Notices that did not fit in the queue since the set was made (never
    /// silently dropped: counted here).
    pub const fn lost_notices(&self) -> u32 {
        self.notices.lost
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
            let conf = &mut slot.conference;
            let sid = *conf.sid();
            for i in 0..conf.members.len() {
                let Some(state) = conf.members.get(i).map(|m| m.state) else {
                    continue;
                };
                if !state.lifecycle.is_live() || state.lifecycle == Lifecycle::Connected {
                    continue;
                }
                let created = state.date_created.unix();
                let elapsed = now.unix().saturating_sub(created);
                let (target, since) = timing.state_after(elapsed);
                // Never before the participant's last change (an update
                // while it was queued).
                let at = Timestamp::from_unix(created.saturating_add(since))
                    .unwrap_or(now)
                    .max(state.date_updated);
                let mut current = state.lifecycle;
                while current != target {
                    let Some(next) = current.next() else { break };
                    if conf.step(&state.call_sid, next, at).is_err() {
                        break;
                    }
                    current = next;
                }
                if current == Lifecycle::Connected && state.lifecycle != Lifecycle::Connected {
                    notices.participant(sid, at, state.call_sid, Event::Join);
                    if state.start_conference_on_enter && conf.start().is_ok() {
                        notices.push(sid, at, NoticeKind::ConferenceStart);
                    }
                }
            }
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
        // Borrowed where it was returned: a `KickOutcome<N>` is large (440
        // bytes for N = 4), and each `map_err` / `?` was one more copy of it
        // on the stack.
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
            self.notices.push(*sid, now, NoticeKind::ConferenceEnd);
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
                super::model::ConferenceError::LabelInUse => Refusal::LabelInUse,
                super::model::ConferenceError::Full { capacity } => {
                    Refusal::ConferenceFull { capacity }
                }
                super::model::ConferenceError::LabelTooLong { max_bytes } => {
                    Refusal::LabelTooLong { max_bytes }
                }
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
        let filter = Filter {
            muted: query.muted,
            hold: query.hold,
            coaching: query.coaching,
        };
        let conference = &slot.conference;
        let members = &conference.members;
        let size = usize::from(page_size);
        let page = query.page.unwrap_or(0);
        let listed = |i: &usize| members.get(*i).is_some_and(|m| filter.lists(m));
        let anchor = token.and_then(|t| {
            members
                .iter()
                .position(|m| *m.call_sid() == t.call)
                .map(|p| (t.direction, p))
        });
        // The page's members, as indices into `members`: `begin..end`.
        let (begin, end) = match anchor {
            Some((Direction::After, p)) => {
                let begin = (p + 1..members.len())
                    .find(|i| listed(i))
                    .unwrap_or(members.len());
                (begin, nth_end(begin, members.len(), size, &listed))
            }
            Some((Direction::Before, p)) => {
                let mut begin = p.min(members.len());
                let mut taken = 0;
                while taken < size && begin > 0 {
                    begin -= 1;
                    if listed(&begin) {
                        taken += 1;
                    }
                }
                let begin = (begin..p).find(|i| listed(i)).unwrap_or(p);
                (begin, p.min(members.len()))
            }
            None => {
                let skip = (page as usize).saturating_mul(size);
                let begin = (0..members.len())
                    .filter(|i| listed(i))
                    .nth(skip)
                    .unwrap_or(members.len());
                (begin, nth_end(begin, members.len(), size, &listed))
            }
        };
        let count = (begin..end).filter(|i| listed(i)).count();
        let has_next = (end..members.len()).any(|i| listed(&i));
        let first = (begin..end)
            .find(|i| listed(i))
            .and_then(|i| members.get(i));
        let last = (begin..end)
            .rev()
            .find(|i| listed(i))
            .and_then(|i| members.get(i));
        Ok(Page {
            conference,
            filter,
            begin,
            end,
            count,
            page,
            page_size,
            has_next,
            token,
            first: first.map(|m| *m.call_sid()),
            last: last.map(|m| *m.call_sid()),
        })
    }
}

/// The end (exclusive index) of a page of `size` listed members from `begin`.
fn nth_end(begin: usize, len: usize, size: usize, listed: &impl Fn(&usize) -> bool) -> usize {
    let mut taken = 0;
    let mut i = begin;
    while i < len && taken < size {
        if listed(&i) {
            taken += 1;
        }
        i += 1;
    }
    i
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

/// The list filters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
struct Filter {
    muted: Option<bool>,
    hold: Option<bool>,
    coaching: Option<bool>,
}

impl Filter {
    fn lists<const L: usize>(&self, m: &Member<L>) -> bool {
        let s = m.state();
        m.is_live()
            && self.muted.is_none_or(|v| v == s.muted)
            && self.hold.is_none_or(|v| v == s.hold)
            && self.coaching.is_none_or(|v| v == s.coaching())
    }
}

/// Which way a [`PageToken`] pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Direction {
    /// `PA`: the page after the named participant.
    After,
    /// `PB`: the page before the named participant.
    Before,
}

/// A `PageToken` as Twilio writes it for participants: `PA` (after) or `PB`
/// (before), then the participant's id: `CP` + the 32 hex digits of its call
/// SID (Twilio form), or its call UUID (SignalWire form).
///
/// ```
/// use confpart::bridge::{Direction, PageToken};
/// let t = PageToken::parse("PACPbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb").unwrap();
/// assert_eq!(t.direction, Direction::After);
/// assert_eq!(t.call.as_str(), "CAbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb");
/// let mut buf = [0u8; 40];
/// let mut sink = confpart::wire::sink::SliceSink::new(&mut buf);
/// t.write(&mut sink)?;
/// assert_eq!(sink.written(), b"PACPbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb");
/// # Ok::<(), confpart::wire::sink::WriteError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct PageToken {
    /// After or before.
    pub direction: Direction,
    /// The participant's call.
    pub call: CallSid,
}

impl PageToken {
    /// Parses a token this module writes; `None` for anything else.
    pub fn parse(s: &str) -> Option<Self> {
        let b = s.as_bytes();
        let direction = match b.get(..2)? {
            b"PA" => Direction::After,
            b"PB" => Direction::Before,
            _ => return None,
        };
        let rest = b.get(2..)?;
        let call = if rest.len() == 34 {
            let (prefix, hex) = rest.split_at(2);
            if prefix != b"CP" {
                return None;
            }
            let mut text = [0u8; 34];
            text.get_mut(..2)?.copy_from_slice(b"CA");
            text.get_mut(2..)?.copy_from_slice(hex);
            CallSid::parse_bytes(&text).ok()?
        } else {
            CallSid::parse_bytes(rest).ok()?
        };
        Some(Self { direction, call })
    }

    /// Writes the token (no escaping needed: it is alphanumeric and `-`).
    pub fn write<S: Sink + ?Sized>(&self, sink: &mut S) -> Result<(), WriteError> {
        sink.put_str(match self.direction {
            Direction::After => "PA",
            Direction::Before => "PB",
        })?;
        let call = self.call.as_bytes();
        match self.call.form() {
            crate::wire::ident::SidForm::Twilio => {
                sink.put_str("CP")?;
                sink.put(call.get(2..).unwrap_or(&[]))
            }
            crate::wire::ident::SidForm::Uuid => sink.put(call),
        }
    }
}

/// Which URI of a list page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Link {
    /// `uri`: this page (as requested).
    Current,
    /// `first_page_uri`.
    First,
    /// `next_page_uri` (`null` on the last page).
    Next,
    /// `previous_page_uri` (`null` on page 0).
    Previous,
}

/// One page of a list ([`Conferences::list`]): its members (borrowed from
/// the set) and its meta values; the URIs are written on demand
/// ([`Page::uri`]).
#[derive(Debug, Clone, Copy)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Page<'s, const N: usize, const L: usize = DEFAULT_LABEL_BYTES> {
    conference: &'s Conference<N, L>,
    filter: Filter,
    begin: usize,
    end: usize,
    count: usize,
    page: u32,
    page_size: u16,
    has_next: bool,
    token: Option<PageToken>,
    first: Option<CallSid>,
    last: Option<CallSid>,
}

impl<'s, const N: usize, const L: usize> Page<'s, N, L> {
    /// The listed conference (to render each member's resource).
    pub const fn conference(&self) -> &'s Conference<N, L> {
        self.conference
    }

    /// The page's participants, in join order.
    pub fn members(&self) -> impl Iterator<Item = &'s Member<L>> + 's {
        let filter = self.filter;
        self.conference
            .members
            .get(self.begin..self.end)
            .unwrap_or(&[])
            .iter()
            .filter(move |m| filter.lists(m))
    }

    /// How many participants the page has.
    pub const fn len(&self) -> usize {
        self.count
    }

    /// True when the page has no participant.
    pub const fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// `page`: the page index.
    pub const fn page(&self) -> u32 {
        self.page
    }

    /// `page_size`.
    pub const fn page_size(&self) -> u16 {
        self.page_size
    }

    /// `start`: `page × page_size` (the index of the page's first participant).
    pub const fn start(&self) -> u64 {
        self.page as u64 * self.page_size as u64
    }

    /// `end`: the index of the page's last participant (inclusive); on an
    /// empty page it equals `start` (Twilio answers `"start": 0, "end": 0`
    /// for an empty first page).
    pub const fn end(&self) -> u64 {
        self.start() + self.count.saturating_sub(1) as u64
    }

    /// The URI `which`, or `None` where the page answers `null` (no next
    /// page; no previous page on page 0).
    pub fn uri(&self, which: Link) -> Option<PageUri> {
        let base = PageUri {
            dialect: self.conference.dialect(),
            account: *self.conference.account(),
            conference: *self.conference.sid(),
            filter: self.filter,
            page_size: self.page_size,
            page: self.page,
            token: None,
        };
        match which {
            Link::Current => Some(PageUri {
                token: self.token,
                ..base
            }),
            Link::First => Some(PageUri { page: 0, ..base }),
            Link::Next => self.has_next.then(|| PageUri {
                page: self.page.saturating_add(1),
                token: self.last.map(|call| PageToken {
                    direction: Direction::After,
                    call,
                }),
                ..base
            }),
            Link::Previous => (self.page > 0).then(|| PageUri {
                page: self.page - 1,
                token: self.first.map(|call| PageToken {
                    direction: Direction::Before,
                    call,
                }),
                ..base
            }),
        }
    }
}

/// A list page URI, written on demand.
///
/// Twilio's form (the fixtures'): `/2010-04-01/Accounts/{AC}/Conferences/{CF}/Participants.json?`
/// then the filters given (`Muted`, `Hold`, `Coaching`, in that order),
/// `PageSize`, `Page` and, for the next and previous pages and a page
/// reached with a token, `PageToken`. SignalWire's form:
/// `/api/laml/2010-04-01/Accounts/{project}/Conferences/{id}/Participants?`
/// then the filters, `Page`, `PageSize` (no `.json`, no token: its pages
/// are numbered).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct PageUri {
    dialect: Dialect,
    account: AccountSid,
    conference: ConferenceSid,
    filter: Filter,
    page_size: u16,
    page: u32,
    token: Option<PageToken>,
}

impl PageUri {
    /// Writes the URI.
    pub fn write<S: Sink + ?Sized>(&self, sink: &mut S) -> Result<(), WriteError> {
        let style = match self.dialect {
            Dialect::Twilio => PathStyle::Twilio,
            Dialect::SignalWire => PathStyle::Laml,
        };
        sink.put_str(style.prefix())?;
        sink.put_str("/Accounts/")?;
        sink.put(self.account.as_bytes())?;
        sink.put_str("/Conferences/")?;
        sink.put(self.conference.as_bytes())?;
        sink.put_str(match self.dialect {
            Dialect::Twilio => "/Participants.json?",
            Dialect::SignalWire => "/Participants?",
        })?;
        for (key, value) in [
            ("Muted=", self.filter.muted),
            ("Hold=", self.filter.hold),
            ("Coaching=", self.filter.coaching),
        ] {
            if let Some(v) = value {
                sink.put_str(key)?;
                sink.put_str(if v { "true&" } else { "false&" })?;
            }
        }
        match self.dialect {
            Dialect::Twilio => {
                sink.put_str("PageSize=")?;
                sink.put_u64(u64::from(self.page_size))?;
                sink.put_str("&Page=")?;
                sink.put_u64(u64::from(self.page))?;
                if let Some(token) = &self.token {
                    sink.put_str("&PageToken=")?;
                    token.write(sink)?;
                }
            }
            Dialect::SignalWire => {
                sink.put_str("Page=")?;
                sink.put_u64(u64::from(self.page))?;
                sink.put_str("&PageSize=")?;
                sink.put_u64(u64::from(self.page_size))?;
            }
        }
        Ok(())
    }

    /// The URI's length in bytes.
    pub fn encoded_len(&self) -> usize {
        let mut sink = CountingSink::default();
        // A counting sink never fails.
        let _ = self.write(&mut sink);
        sink.count
    }
}
