//! Applying an [`Update`] to a participant of a [`Conference`]: the rules,
//! the [`Applied`] result (new state and events) and the [`Rejection`] (the
//! HTTP status and error code a bridge answers with: [`Rejection::answer`]).
//!
//! The rules, checked in this order (the first that fails answers):
//!
//! 1. **Existence.** A completed conference answers 404 / 20404 (Twilio) or
//!    400 / 10000 (SignalWire). A participant that is not stored, or is
//!    `complete` / `failed`, answers 404 / 20404 (a label addresses live
//!    participants only).
//! 2. **Form.** An update that fails [`Update::validate`] for the
//!    conference's dialect answers 400 / 20001 — except `Coaching=true`
//!    without `CallSidToCoach` by a participant that already coaches: it keeps
//!    its existing target.
//! 3. **Connected only.** `Hold=true` and `AnnounceUrl` need a `connected`
//!    participant (400 / 21220). Fields that take effect on join (`Muted`,
//!    `Coaching`/`CallSidToCoach`, `EndConferenceOnExit`, `BeepOnExit`,
//!    `WaitUrl`/`WaitMethod`) may be set while queued, connecting or ringing;
//!    so may `Hold=false`, `HoldUrl`, `HoldMethod` and `AnnounceMethod`,
//!    which change nothing there.
//! 4. **Coaching.** `CallSidToCoach={sid}` (with `Coaching=true`, or alone:
//!    Twilio's rule, it implies coaching) names a target that must not be the
//!    participant itself (400 / 20001, no documented code), must be a live
//!    participant of the same conference (400 / 16028; SignalWire 16002), and
//!    must not be on hold (400 / 16027). `Coaching=false` clears the target;
//!    so does an empty `CallSidToCoach` (barge as one SDK sends it).
//! 5. **EndConferenceOnExit on hold.** `EndConferenceOnExit` sent while the
//!    participant is on hold (before the update), and not released by
//!    `Hold=false` in the same update, is ignored as Twilio does; the outcome
//!    says so ([`Applied::end_conference_on_exit_ignored`]) when the value
//!    asked for differs from the kept one.
//!
//! Then the update is applied. Events are exactly the differences
//! (`participant-mute`/`-unmute`, `-hold`/`-unhold`, `-modify` when the
//! coaching target, `EndConferenceOnExit` or `BeepOnExit` changes), plus `announcement` when `AnnounceUrl` is set (an
//! action, not a state change). An update that changes nothing is
//! accepted with no events and does not touch `date_updated`, so applying the
//! same update twice gives the same state. URLs and methods are not stored
//! (the resource has no field for them): the bridge plays them from the
//! update it applied.

use core::fmt;

use super::event::{Event, Events};
use super::lifecycle::Lifecycle;
use super::model::{ConferenceIn, ConferenceStatus, Member, ParticipantState};
use super::slots::Slots;
use crate::api::codes;
use crate::api::path::Dialect;
use crate::api::update::{CoachTarget, Field, Update, ValidationError};
use crate::bridge::ApiAnswer;
use crate::wire::date::Timestamp;
use crate::wire::ident::{CallSid, ParticipantRef};

/// What an accepted Update does (or would do, for [`ConferenceIn::check`]).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Applied {
    /// The participant's state after the update.
    pub state: ParticipantState,
    /// The events the update causes, in [`Events`] order.
    pub events: Events,
    /// True when the state changed (and `date_updated` moved to `now`).
    pub changed: bool,
    /// `EndConferenceOnExit` asked for a different value while the participant
    /// is on hold: it was ignored (Twilio answers 200 and keeps the old value).
    pub end_conference_on_exit_ignored: bool,
}

/// Why a bridge refuses an Update, with the answer it gives
/// ([`Rejection::answer`]; `bridge::write_error` writes it).
///
/// ```
/// use confpart::bridge::Rejection;
/// use confpart::api::path::Dialect;
///
/// let a = Rejection::ConferenceCompleted { dialect: Dialect::SignalWire }.answer();
/// assert_eq!((a.status, a.code), (400, 10000));
/// let a = Rejection::CoachTargetOnHold.answer();
/// assert_eq!((a.status, a.code), (400, 16027));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum Rejection {
    /// The conference is completed: 404 / 20404 (Twilio), 400 / 10000 (SignalWire).
    ConferenceCompleted {
        /// The conference's dialect (decides the answer).
        dialect: Dialect,
    },
    /// No such participant, or it is `complete` / `failed`: 404 / 20404.
    NotFound,
    /// The update fails [`Update::validate`]: 400 / 20001.
    Invalid(ValidationError),
    /// `Hold=true` or `AnnounceUrl` for a participant that is not
    /// connected: 400 / 21220.
    NotConnected {
        /// The field that needs a connected participant.
        field: Field,
        /// The participant's state.
        state: Lifecycle,
    },
    /// `CallSidToCoach` names the participant itself: 400 / 20001.
    CoachSelf,
    /// `CallSidToCoach` names no live participant of this conference:
    /// 400 / 16028 (Twilio), 400 / 16002 (SignalWire).
    CoachTargetNotInConference {
        /// The conference's dialect (decides the code).
        dialect: Dialect,
    },
    /// The participant to coach is on hold: 400 / 16027.
    CoachTargetOnHold,
}

impl Rejection {
    /// The HTTP status, error code and message to answer with.
    pub const fn answer(&self) -> ApiAnswer {
        let (status, code, message) = match self {
            // Telnyx returns no participant of a completed conference: a
            // 404 (its 10005, as every 404: `codes::for_dialect`).
            Self::ConferenceCompleted {
                dialect: Dialect::Twilio | Dialect::Telnyx,
            } => (404, codes::NOT_FOUND, "The conference is completed"),
            Self::ConferenceCompleted {
                dialect: Dialect::SignalWire,
            } => (
                400,
                codes::SIGNALWIRE_CONFERENCE_COMPLETED,
                "The conference is completed",
            ),
            Self::NotFound => (
                404,
                codes::NOT_FOUND,
                "The requested resource was not found",
            ),
            Self::Invalid(_) => (400, codes::INVALID_PARAMETER, "Invalid request parameters"),
            Self::NotConnected { .. } => (
                400,
                codes::INVALID_CALL_STATE,
                "Call is not in a state that allows this operation",
            ),
            Self::CoachSelf => (
                400,
                codes::INVALID_PARAMETER,
                "A participant cannot coach itself",
            ),
            Self::CoachTargetNotInConference { dialect } => (
                400,
                match dialect {
                    // Telnyx has no code of its own for it: Twilio's, which
                    // `codes::for_dialect` answers as a 422 / 10015.
                    Dialect::Twilio | Dialect::Telnyx => codes::COACH_TARGET_NOT_IN_CONFERENCE,
                    Dialect::SignalWire => codes::SIGNALWIRE_COACH_TARGET_NOT_IN_CONFERENCE,
                },
                "The participant to coach is not in this conference",
            ),
            Self::CoachTargetOnHold => (
                400,
                codes::COACH_TARGET_ON_HOLD,
                "The participant to coach is on hold",
            ),
        };
        ApiAnswer::new(status, code, message)
    }
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let a = self.answer();
        match self {
            Self::Invalid(e) => write!(f, "{} ({}): {e}", a.code, a.status),
            Self::NotConnected { field, state } => write!(
                f,
                "{} ({}): {field} needs a connected participant; it is {state}",
                a.code, a.status
            ),
            _ => write!(f, "{} ({}): {}", a.code, a.status, a.message),
        }
    }
}

impl core::error::Error for Rejection {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            Self::Invalid(e) => Some(e),
            _ => None,
        }
    }
}

impl<M: Slots<Member<L>>, const L: usize> ConferenceIn<M, L> {
    /// Would this update be accepted? The outcome it would have, without
    /// changing anything (`date_updated` is not advanced: there is no `now`).
    /// For firmware to grey out a button before sending.
    pub fn check(&self, who: &ParticipantRef, update: &Update<'_>) -> Result<Applied, Rejection> {
        self.plan(who, update).map(|(_, outcome)| outcome)
    }

    /// Applies `update` to the participant `who` at `now`, or rejects it (and
    /// changes nothing). See the module docs for the rules.
    pub fn apply(
        &mut self,
        who: &ParticipantRef,
        update: &Update<'_>,
        now: Timestamp,
    ) -> Result<Applied, Rejection> {
        self.apply_at(who, update, now).map(|(_, outcome)| outcome)
    }

    /// [`ConferenceIn::apply`], and where the participant is stored (the
    /// store answers it without a second search of the conference).
    pub(super) fn apply_at(
        &mut self,
        who: &ParticipantRef,
        update: &Update<'_>,
        now: Timestamp,
    ) -> Result<(usize, Applied), Rejection> {
        let (index, mut outcome) = self.plan(who, update)?;
        if outcome.changed {
            outcome.state.date_updated = now;
        }
        let member = self.members.get_mut(index).ok_or(Rejection::NotFound)?;
        member.state = outcome.state;
        Ok((index, outcome))
    }

    /// The rules: where the participant is stored and what the update does.
    fn plan(
        &self,
        who: &ParticipantRef,
        update: &Update<'_>,
    ) -> Result<(usize, Applied), Rejection> {
        let dialect = self.dialect;
        // Rule 1: the conference and the participant exist.
        if self.status == ConferenceStatus::Completed {
            return Err(Rejection::ConferenceCompleted { dialect });
        }
        let index = self.position(who).ok_or(Rejection::NotFound)?;
        let before = self
            .members
            .get(index)
            .map(|m| m.state)
            .ok_or(Rejection::NotFound)?;
        if before.lifecycle.is_final() {
            return Err(Rejection::NotFound);
        }
        // Rule 2: the form is valid for the dialect.
        match update.validate(dialect) {
            Ok(()) => {}
            // `Coaching=true` alone keeps an existing target; the rest of the
            // form must still be valid (validate stops at its first error).
            Err(ValidationError::CoachingWithoutTarget)
                if update.call_sid_to_coach.is_none() && before.coaching() =>
            {
                let rest = Update {
                    coaching: None,
                    ..*update
                };
                rest.validate(dialect).map_err(Rejection::Invalid)?;
            }
            Err(e) => return Err(Rejection::Invalid(e)),
        }
        // Rule 3: hold and announcements need a connected participant.
        if before.lifecycle != Lifecycle::Connected {
            let field = if update.hold == Some(true) {
                Some(Field::Hold)
            } else if update.announce_url.is_some() {
                Some(Field::AnnounceUrl)
            } else {
                None
            };
            if let Some(field) = field {
                return Err(Rejection::NotConnected {
                    field,
                    state: before.lifecycle,
                });
            }
        }
        // Rule 4: coaching and its target.
        let coach_target = match (update.coaching, update.call_sid_to_coach) {
            (_, Some(CoachTarget::Call(target))) => {
                self.check_target(&before.call_sid, &target)?;
                Some(target)
            }
            (Some(false), _) | (_, Some(CoachTarget::Clear)) => None,
            // No target given: keep the existing one (validation made sure a
            // participant that asks for coaching has one).
            (Some(true) | None, None) => before.coach_target,
        };
        // Rule 5: EndConferenceOnExit is ignored while on hold.
        let held = before.hold && update.hold != Some(false);
        let mut end_conference_on_exit = before.end_conference_on_exit;
        let mut end_conference_on_exit_ignored = false;
        if let Some(value) = update.end_conference_on_exit {
            if held {
                end_conference_on_exit_ignored = value != before.end_conference_on_exit;
            } else {
                end_conference_on_exit = value;
            }
        }

        let after = ParticipantState {
            muted: update.muted.unwrap_or(before.muted),
            hold: update.hold.unwrap_or(before.hold),
            coach_target,
            end_conference_on_exit,
            beep_on_exit: update.beep_on_exit.unwrap_or(before.beep_on_exit),
            ..before
        };
        let mut events = Events::new();
        // At most four pushes into a vector of MAX_EVENTS = 4: none fails.
        if after.muted != before.muted {
            let _ = events.push(if after.muted {
                Event::Mute
            } else {
                Event::Unmute
            });
        }
        if after.hold != before.hold {
            let _ = events.push(if after.hold {
                Event::Hold
            } else {
                Event::Unhold
            });
        }
        // `participant-modify`: Coaching, EndConferenceOnExit or BeepOnExit
        // changed. (Twilio counts a WaitUrl change too; the bridge does not
        // store WaitUrl, so it cannot tell a change from the same URL again,
        // and an update applied twice must cause no event the second time.)
        if after.coach_target != before.coach_target
            || after.end_conference_on_exit != before.end_conference_on_exit
            || after.beep_on_exit != before.beep_on_exit
        {
            let _ = events.push(Event::Modify);
        }
        if update.announce_url.is_some() {
            let _ = events.push(Event::Announcement);
        }
        Ok((
            index,
            Applied {
                state: after,
                events,
                changed: after != before,
                end_conference_on_exit_ignored,
            },
        ))
    }

    /// Rule 4: the coaching target is another live, not held participant.
    fn check_target(&self, coach: &CallSid, target: &CallSid) -> Result<(), Rejection> {
        if target == coach {
            return Err(Rejection::CoachSelf);
        }
        let target = self
            .members
            .iter()
            .find(|m| m.is_live() && m.state.call_sid == *target)
            .ok_or(Rejection::CoachTargetNotInConference {
                dialect: self.dialect,
            })?;
        if target.state.hold {
            return Err(Rejection::CoachTargetOnHold);
        }
        Ok(())
    }
}

impl crate::bridge::Answer for Rejection {
    fn answer(&self) -> ApiAnswer {
        Self::answer(self)
    }
}
