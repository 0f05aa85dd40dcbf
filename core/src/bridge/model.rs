//! The conference model: a conference, its status, and the participants it
//! stores; joining, lifecycle steps, ending, and rendering a stored
//! participant as the [`Participant`] resource.

use core::fmt;

use super::event::{Event, Events};
use super::ids::legacy_call_sid;
use super::lifecycle::{Lifecycle, LifecycleError};
use super::slots::Slots;
use crate::api::codes;
use crate::api::participant::Participant;
use crate::api::path::{Dialect, PathStyle};
use crate::bridge::ApiAnswer;
use crate::wire::date::Timestamp;
use crate::wire::ident::{
    AccountSid, CallSid, ConferenceSid, LABEL_MAX_CHARS, Label, ParticipantRef, SidForm,
};

/// Most participants a Twilio conference holds.
pub const TWILIO_MAX_PARTICIPANTS: usize = 250;

/// Default label storage of a [`Conference`], in bytes: every ASCII label
/// of up to [`LABEL_MAX_CHARS`] characters fits (a label with non-ASCII
/// characters may need up to [`crate::wire::ident::LABEL_CAPACITY`] bytes).
pub const DEFAULT_LABEL_BYTES: usize = LABEL_MAX_CHARS;

/// A conference's own status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum ConferenceStatus {
    /// Created, not started yet (Twilio `init`): participants wait (`WaitUrl`).
    #[default]
    NotStarted,
    /// Started (`in-progress`).
    InProgress,
    /// Ended (`completed`); final.
    Completed,
}

impl ConferenceStatus {
    /// The conference resource's status text: `init`, `in-progress`, `completed`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::NotStarted => "init",
            Self::InProgress => "in-progress",
            Self::Completed => "completed",
        }
    }
}

impl fmt::Display for ConferenceStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The state of one participant, without its label (`Copy`, small).
///
/// `coaching` is not stored on its own: a participant coaches exactly when
/// it has a [`ParticipantState::coach_target`] ([`ParticipantState::coaching`]),
/// so "coaching ⇔ a target is set" holds by construction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct ParticipantState {
    /// The participant's call.
    pub call_sid: CallSid,
    /// Where the call is in its lifecycle.
    pub lifecycle: Lifecycle,
    /// Muted.
    pub muted: bool,
    /// On hold (out of the mix). Only a connected participant is put on hold.
    pub hold: bool,
    /// The participant it coaches, if it coaches.
    pub coach_target: Option<CallSid>,
    /// End the conference when this participant leaves.
    pub end_conference_on_exit: bool,
    /// Start the conference when this participant joins (set on join only).
    pub start_conference_on_enter: bool,
    /// Beep to the conference when this participant leaves (Twilio).
    pub beep_on_exit: bool,
    /// When it joined the conference model.
    pub date_created: Timestamp,
    /// When it last changed.
    pub date_updated: Timestamp,
}

impl ParticipantState {
    /// True when the participant coaches someone (⇔ a target is set).
    pub const fn coaching(&self) -> bool {
        self.coach_target.is_some()
    }
}

/// A stored participant: its state and its label, kept in `L` bytes
/// (the label is needed for addressing by label and for its uniqueness).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Member<const L: usize = DEFAULT_LABEL_BYTES> {
    pub(super) state: ParticipantState,
    /// Empty when the participant has no label (a label is never empty).
    pub(super) label: heapless::String<L>,
}

impl<const L: usize> Member<L> {
    /// The participant's state.
    pub const fn state(&self) -> &ParticipantState {
        &self.state
    }

    /// The participant's label, if it has one.
    pub fn label(&self) -> Option<&str> {
        Some(self.label.as_str()).filter(|l| !l.is_empty())
    }

    /// The participant's call SID.
    pub const fn call_sid(&self) -> &CallSid {
        &self.state.call_sid
    }

    /// True unless `complete` or `failed`.
    pub const fn is_live(&self) -> bool {
        self.state.lifecycle.is_live()
    }
}

/// A participant to add with [`Conference::join`].
///
/// `Join::new(call)` is a participant created by the Participants API
/// (`queued`, unmuted, starts the conference, does not end it, beeps on
/// exit); an inbound call that dialled in joins `.status(Lifecycle::Connected)`.
/// Coaching is set afterwards with an Update (it may be set while queued).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Join<'a> {
    /// The participant's call.
    pub call_sid: CallSid,
    /// Its label (Twilio), unique among the live participants.
    pub label: Option<&'a Label>,
    /// Its lifecycle state on joining (not final).
    pub status: Lifecycle,
    /// Muted on joining.
    pub muted: bool,
    /// `StartConferenceOnEnter` (Twilio default: true).
    pub start_conference_on_enter: bool,
    /// `EndConferenceOnExit` (default: false).
    pub end_conference_on_exit: bool,
    /// `BeepOnExit` (default: true).
    pub beep_on_exit: bool,
}

impl<'a> Join<'a> {
    /// A queued participant with the services' defaults.
    pub const fn new(call_sid: CallSid) -> Self {
        Self {
            call_sid,
            label: None,
            status: Lifecycle::Queued,
            muted: false,
            start_conference_on_enter: true,
            end_conference_on_exit: false,
            beep_on_exit: true,
        }
    }

    /// Sets the label.
    #[must_use]
    pub const fn label(mut self, label: &'a Label) -> Self {
        self.label = Some(label);
        self
    }

    /// Sets the lifecycle state on joining.
    #[must_use]
    pub const fn status(mut self, status: Lifecycle) -> Self {
        self.status = status;
        self
    }

    /// Sets `muted`.
    #[must_use]
    pub const fn muted(mut self, muted: bool) -> Self {
        self.muted = muted;
        self
    }

    /// Sets `start_conference_on_enter`.
    #[must_use]
    pub const fn start_conference_on_enter(mut self, value: bool) -> Self {
        self.start_conference_on_enter = value;
        self
    }

    /// Sets `end_conference_on_exit`.
    #[must_use]
    pub const fn end_conference_on_exit(mut self, value: bool) -> Self {
        self.end_conference_on_exit = value;
        self
    }

    /// Sets `beep_on_exit`.
    #[must_use]
    pub const fn beep_on_exit(mut self, value: bool) -> Self {
        self.beep_on_exit = value;
        self
    }
}

/// What a lifecycle step ([`Conference::step`]) did.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct StepOutcome<const N: usize> {
    /// The participant's new state.
    pub state: ParticipantState,
    /// `participant-join` on reaching `connected`; `participant-leave` when a
    /// connected participant reaches a final state; nothing otherwise.
    pub events: Events,
    /// The participants that coached the one that left: their coaching was
    /// cleared (each is a `participant-modify`).
    pub uncoached: heapless::Vec<CallSid, N>,
    /// The participant that left had `end_conference_on_exit` and the
    /// conference is in progress: the caller should [`Conference::end`] it.
    pub ends_conference: bool,
}

/// Why a conference-level operation (join, step, start, end) was refused.
/// Nothing changes when one is returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum ConferenceError {
    /// The conference is completed: nobody joins, it does not start again.
    Completed,
    /// The conference is already in progress (`start` twice).
    AlreadyStarted,
    /// No room: `capacity` participants are live (final ones are pruned first).
    Full {
        /// The conference's capacity `N`.
        capacity: usize,
    },
    /// A live participant with this call SID is already in the conference.
    AlreadyPresent,
    /// Another live participant has this label (Twilio 16026).
    LabelInUse,
    /// The label needs more bytes than this conference stores (`L`).
    LabelTooLong {
        /// The label storage `L`, in bytes.
        max_bytes: usize,
    },
    /// No participant with this call SID.
    NotFound,
    /// The lifecycle step (or the join state) is illegal.
    Lifecycle(LifecycleError),
}

impl fmt::Display for ConferenceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Completed => f.write_str("conference is completed"),
            Self::AlreadyStarted => f.write_str("conference is already in progress"),
            Self::Full { capacity } => {
                write!(f, "conference is full ({capacity} live participants)")
            }
            Self::AlreadyPresent => f.write_str("participant is already in the conference"),
            Self::LabelInUse => f.write_str("label is already in use in this conference"),
            Self::LabelTooLong { max_bytes } => {
                write!(f, "label is longer than the {max_bytes} bytes stored")
            }
            Self::NotFound => f.write_str("participant not found"),
            Self::Lifecycle(e) => fmt::Display::fmt(e, f),
        }
    }
}

impl ConferenceError {
    /// The HTTP status, error code and message a bridge answers a create
    /// (join), fetch or lifecycle step with: 16026 (label in use), 16023
    /// (label too long), 20404 (not found, conference completed), 21220 (an
    /// illegal lifecycle step); 20001 (bad request) where the services
    /// document no code (full, already present, already started).
    ///
    /// ```
    /// use confpart::bridge::ConferenceError;
    /// let a = ConferenceError::LabelInUse.answer();
    /// assert_eq!((a.status, a.code), (400, 16026));
    /// ```
    pub const fn answer(&self) -> ApiAnswer {
        let (status, code, message) = match self {
            Self::Completed => (404, codes::NOT_FOUND, "The conference is completed"),
            Self::AlreadyStarted => (
                400,
                codes::INVALID_PARAMETER,
                "The conference is already in progress",
            ),
            Self::Full { .. } => (400, codes::INVALID_PARAMETER, "The conference is full"),
            Self::AlreadyPresent => (
                400,
                codes::INVALID_PARAMETER,
                "The participant is already in the conference",
            ),
            Self::LabelInUse => (
                400,
                codes::LABEL_IN_USE,
                "The label is already in use in this conference",
            ),
            Self::LabelTooLong { .. } => (400, codes::LABEL_TOO_LONG, "The label is too long"),
            Self::NotFound => (
                404,
                codes::NOT_FOUND,
                "The requested resource was not found",
            ),
            Self::Lifecycle(_) => (
                400,
                codes::INVALID_CALL_STATE,
                "Call is not in a state that allows this operation",
            ),
        };
        ApiAnswer::new(status, code, message)
    }
}

impl core::error::Error for ConferenceError {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            Self::Lifecycle(e) => Some(e),
            _ => None,
        }
    }
}

impl From<LifecycleError> for ConferenceError {
    fn from(e: LifecycleError) -> Self {
        Self::Lifecycle(e)
    }
}

/// A conference and its participants, as a bridge keeps it (or as firmware
/// mirrors it to check updates before sending them).
///
/// - `N`: how many participants it stores, live or final (Twilio allows up to
///   [`TWILIO_MAX_PARTICIPANTS`]). Final participants stay (their resource can
///   still be rendered) until [`Conference::prune`], or until a join needs
///   their slot.
/// - `L`: label storage per participant in bytes ([`DEFAULT_LABEL_BYTES`]);
///   use `0` where labels are not used. A stored participant takes about
///   `100 + L` bytes (232 with the default `L` on a 64-bit host, so a
///   `Conference<250>` is about 58 KB).
///
/// The conference is driven only by what the caller passes in: lifecycle
/// steps, updates, and the time (`now`) that becomes `date_updated`.
///
/// ```
/// use confpart::bridge::{Conference, Event, Join, Lifecycle};
/// use confpart::wire::date::Timestamp;
/// use confpart::wire::ident::{AccountSid, CallSid, ConferenceSid, ParticipantRef};
/// use confpart::api::path::{Dialect, PathStyle};
/// use confpart::api::update::Update;
///
/// let t0 = Timestamp::from_unix(1_700_000_000).unwrap();
/// let mut conf: Conference<8> = Conference::new(
///     AccountSid::parse("ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")?,
///     ConferenceSid::parse("CFaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")?,
///     Dialect::Twilio,
/// );
/// let agent = CallSid::parse("CAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")?;
/// let customer = CallSid::parse("CAbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb")?;
/// conf.join(Join::new(customer).status(Lifecycle::Connected), t0)?;
/// conf.join(Join::new(agent), t0)?; // queued
///
/// // Hold needs a connected participant: firmware greys the button out.
/// let who = ParticipantRef::Call(agent);
/// let answer = conf.check(&who, &Update::new().hold(true)).unwrap_err().answer();
/// assert_eq!((answer.status, answer.code), (400, 21220));
///
/// // Monitoring may be set up before the agent's call connects.
/// let t1 = Timestamp::from_unix(1_700_000_005).unwrap();
/// let outcome = conf.apply(&who, &Update::monitor(customer), t1).unwrap();
/// assert_eq!(outcome.events.as_slice(), &[Event::Mute, Event::Modify]);
/// assert_eq!(outcome.state.coach_target, Some(customer));
///
/// let resource = conf.resource(&agent, PathStyle::Twilio).unwrap();
/// assert_eq!(resource.coaching(), Some(true));
/// assert_eq!(resource.date_updated(), Some(t1));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct ConferenceIn<M, const L: usize = DEFAULT_LABEL_BYTES> {
    pub(super) account: AccountSid,
    pub(super) sid: ConferenceSid,
    pub(super) dialect: Dialect,
    pub(super) status: ConferenceStatus,
    pub(super) members: M,
}

/// A conference of up to `N` participants stored inline (no heap): the
/// firmware's [`ConferenceIn`], and every fixed-capacity store's.
pub type Conference<const N: usize, const L: usize = DEFAULT_LABEL_BYTES> =
    ConferenceIn<heapless::Vec<Member<L>, N>, L>;

/// What one lifecycle step did to the participant itself
/// ([`ConferenceIn::step_into`]; the participants it uncoached went to the
/// caller one by one).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Stepped {
    /// The participant's new state.
    pub state: ParticipantState,
    /// As [`StepOutcome::events`].
    pub events: Events,
    /// As [`StepOutcome::ends_conference`].
    pub ends_conference: bool,
}

impl<M: Slots<Member<L>>, const L: usize> ConferenceIn<M, L> {
    /// An empty conference, not started.
    pub fn new(account: AccountSid, sid: ConferenceSid, dialect: Dialect) -> Self {
        Self {
            account,
            sid,
            dialect,
            status: ConferenceStatus::NotStarted,
            members: M::default(),
        }
    }

    /// The account (or SignalWire project).
    pub const fn account(&self) -> &AccountSid {
        &self.account
    }

    /// The conference SID.
    pub const fn sid(&self) -> &ConferenceSid {
        &self.sid
    }

    /// The service whose answers this conference gives.
    pub const fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// The conference's status.
    pub const fn status(&self) -> ConferenceStatus {
        self.status
    }

    /// The stored participants (live and final), in join order.
    pub fn members(&self) -> impl Iterator<Item = &Member<L>> + '_ {
        self.members.iter()
    }

    /// Where the participants are kept (to measure it).
    pub const fn storage(&self) -> &M {
        &self.members
    }

    /// The number of live participants.
    pub fn live_count(&self) -> usize {
        self.members.iter().filter(|m| m.is_live()).count()
    }

    /// The stored participant with this call SID (live or final).
    pub fn member(&self, call: &CallSid) -> Option<&Member<L>> {
        self.members.iter().find(|m| m.state.call_sid == *call)
    }

    /// The participant a path addresses: by call SID (live or final), or by
    /// label (live participants only, labels are unique among those). A
    /// Telnyx conference also knows a call by its legacy UUID (the
    /// `call_sid_legacy` its answers show); in the other dialects a
    /// `v<digit>:…` reference, a Telnyx call-id form they never give out,
    /// is the label it spells (`v1:lobby`).
    pub fn find(&self, who: &ParticipantRef) -> Option<&Member<L>> {
        self.position(who).and_then(|i| self.members.get(i))
    }

    pub(super) fn position(&self, who: &ParticipantRef) -> Option<usize> {
        match who {
            ParticipantRef::Call(call) => {
                let found = self.members.iter().position(|m| m.state.call_sid == *call);
                if found.is_some() {
                    return found;
                }
                // Only after a miss: the lookup by SID stays one comparison
                // per member.
                match (self.dialect, call.form()) {
                    (Dialect::Telnyx, SidForm::Uuid) => self
                        .members
                        .iter()
                        .position(|m| legacy_call_sid(&m.state.call_sid) == Some(*call)),
                    (Dialect::Twilio | Dialect::SignalWire, SidForm::Telnyx) => self
                        .members
                        .iter()
                        .position(|m| m.is_live() && m.label.as_str() == call.as_str()),
                    _ => None,
                }
            }
            ParticipantRef::Label(label) => self
                .members
                .iter()
                .position(|m| m.is_live() && m.label.as_str() == label.as_str()),
        }
    }

    /// Starts the conference (`init` → `in-progress`).
    pub fn start(&mut self) -> Result<(), ConferenceError> {
        match self.status {
            ConferenceStatus::NotStarted => {
                self.status = ConferenceStatus::InProgress;
                Ok(())
            }
            ConferenceStatus::InProgress => Err(ConferenceError::AlreadyStarted),
            ConferenceStatus::Completed => Err(ConferenceError::Completed),
        }
    }

    /// Ends the conference (from either non-final status): every live
    /// participant becomes `complete` at `now`. Their coaching is kept as it
    /// was (final participants are frozen). Returns how many left.
    pub fn end(&mut self, now: Timestamp) -> Result<usize, ConferenceError> {
        if self.status == ConferenceStatus::Completed {
            return Err(ConferenceError::Completed);
        }
        self.status = ConferenceStatus::Completed;
        let mut left = 0usize;
        for m in self.members.iter_mut().filter(|m| m.is_live()) {
            m.state.lifecycle = Lifecycle::Complete;
            m.state.date_updated = now;
            left = left.saturating_add(1);
        }
        Ok(left)
    }

    /// Adds a participant, created at `now`.
    ///
    /// Refused when the conference is completed, the state is final, a live
    /// participant has the same call SID (`AlreadyPresent`) or label
    /// (`LabelInUse`, 16026), the label does not fit in `L` bytes, or `N`
    /// participants are live. A final participant with the same call SID is
    /// replaced; when the conference is full, final participants are pruned.
    pub fn join(
        &mut self,
        join: Join<'_>,
        now: Timestamp,
    ) -> Result<ParticipantState, ConferenceError> {
        self.join_labelled(join, join.label.map(Label::as_str), now)
    }

    /// [`Conference::join`] with the label as text (`join.label` is not
    /// read): a create checks its label ([`Label::check`]) without copying
    /// it into a [`Label`] first.
    pub(super) fn join_labelled(
        &mut self,
        join: Join<'_>,
        label_text: Option<&str>,
        now: Timestamp,
    ) -> Result<ParticipantState, ConferenceError> {
        if self.status == ConferenceStatus::Completed {
            return Err(ConferenceError::Completed);
        }
        if join.status.is_final() {
            return Err(LifecycleError::Final { state: join.status }.into());
        }
        if self
            .members
            .iter()
            .any(|m| m.is_live() && m.state.call_sid == join.call_sid)
        {
            return Err(ConferenceError::AlreadyPresent);
        }
        let mut label = heapless::String::<L>::new();
        if let Some(l) = label_text {
            if self
                .members
                .iter()
                .any(|m| m.is_live() && m.label.as_str() == l)
            {
                return Err(ConferenceError::LabelInUse);
            }
            label
                .push_str(l)
                .map_err(|_| ConferenceError::LabelTooLong { max_bytes: L })?;
        }
        let live = self.live_count();
        if self.members.is_full() && live >= self.members.len() {
            return Err(ConferenceError::Full {
                capacity: self.members.len(),
            });
        }
        // Checks done: from here on the join succeeds.
        self.members.retain(|m| m.state.call_sid != join.call_sid);
        if self.members.prune_due(live) {
            self.prune();
        }
        let state = ParticipantState {
            call_sid: join.call_sid,
            lifecycle: join.status,
            muted: join.muted,
            hold: false,
            coach_target: None,
            end_conference_on_exit: join.end_conference_on_exit,
            start_conference_on_enter: join.start_conference_on_enter,
            beep_on_exit: join.beep_on_exit,
            date_created: now,
            date_updated: now,
        };
        let capacity = self.members.len();
        self.members
            .try_push(Member { state, label })
            .map_err(|_| ConferenceError::Full { capacity })?;
        Ok(state)
    }

    /// [`Conference::step`] for any storage: each participant that stops
    /// coaching (its target reached a final state) goes to `uncoached`, in
    /// join order.
    pub fn step_into(
        &mut self,
        call: &CallSid,
        to: Lifecycle,
        now: Timestamp,
        mut uncoached: impl FnMut(CallSid),
    ) -> Result<Stepped, ConferenceError> {
        let in_progress = self.status == ConferenceStatus::InProgress;
        let member = self
            .members
            .iter_mut()
            .find(|m| m.state.call_sid == *call)
            .ok_or(ConferenceError::NotFound)?;
        let from = member.state.lifecycle;
        member.state.lifecycle = from.step(to)?;
        member.state.date_updated = now;
        let state = member.state;

        let mut events = Events::new();
        if to == Lifecycle::Connected {
            let _ = events.push(Event::Join);
        } else if from == Lifecycle::Connected && to.is_final() {
            let _ = events.push(Event::Leave);
        }
        if to.is_final() {
            for m in self
                .members
                .iter_mut()
                .filter(|m| m.is_live() && m.state.coach_target == Some(*call))
            {
                m.state.coach_target = None;
                m.state.date_updated = now;
                uncoached(m.state.call_sid);
            }
        }
        Ok(Stepped {
            state,
            events,
            ends_conference: in_progress && to.is_final() && state.end_conference_on_exit,
        })
    }

    /// Removes the final participants; returns how many.
    pub fn prune(&mut self) -> usize {
        let before = self.members.len();
        self.members.retain(|m| m.is_live());
        before.saturating_sub(self.members.len())
    }

    /// The participant resource of a stored participant (live or final), as
    /// this conference's dialect answers it: `status` per dialect (`connected`
    /// / `in-progress`, ...), `label` in the Twilio dialect only, `uri` built
    /// from the ids in `style` (always with the call SID), `queue_time` none.
    /// Telnyx's `*_legacy` ids are not stored: the service adds them as it
    /// writes ([`crate::bridge::Service::handle`]).
    pub fn resource(&self, call: &CallSid, style: PathStyle) -> Option<Participant<'_>> {
        let member = self.member(call)?;
        let s = &member.state;
        let label = match self.dialect {
            Dialect::Twilio => member.label().filter(|l| Label::check(l).is_ok()),
            Dialect::SignalWire | Dialect::Telnyx => None,
        };
        let p = Participant::new()
            .with_account_sid(self.account)
            .with_call_sid(s.call_sid)
            .with_conference_sid(self.sid)
            .with_date_created(s.date_created)
            .with_date_updated(s.date_updated)
            .with_end_conference_on_exit(s.end_conference_on_exit)
            .with_muted(s.muted)
            .with_hold(s.hold)
            .with_status(s.lifecycle.status(self.dialect))
            .with_start_conference_on_enter(s.start_conference_on_enter)
            .with_coaching(s.coaching())
            .with_call_sid_to_coach(s.coach_target)
            .with_derived_uri(style);
        Some(match label {
            Some(label) => p.with_label(label),
            None => p,
        })
    }
}

impl<const N: usize, const L: usize> Conference<N, L> {
    /// Moves a participant one lifecycle step (see [`Lifecycle::step`]) at
    /// `now`.
    ///
    /// When it reaches a final state, every live participant that coached it
    /// stops coaching (its target would no longer be in the conference); they
    /// are listed in [`StepOutcome::uncoached`]. The participant's own fields
    /// (muted, hold, coaching) are kept as they were: a final participant is
    /// frozen.
    pub fn step(
        &mut self,
        call: &CallSid,
        to: Lifecycle,
        now: Timestamp,
    ) -> Result<StepOutcome<N>, ConferenceError> {
        let mut uncoached = heapless::Vec::new();
        let stepped = self.step_into(call, to, now, |c| {
            // At most N members: it always fits.
            let _ = uncoached.push(c);
        })?;
        Ok(StepOutcome {
            state: stepped.state,
            events: stepped.events,
            uncoached,
            ends_conference: stepped.ends_conference,
        })
    }
}

impl crate::bridge::Answer for ConferenceError {
    fn answer(&self) -> ApiAnswer {
        Self::answer(self)
    }
}
