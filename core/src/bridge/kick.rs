//! Removing a participant ("kick", the API's `DELETE`): from any live state,
//! with everything its leaving causes.
//!
//! [`Conference::kick`] ends the participant's call whatever state it is in
//! (queued, connecting, ringing or connected: a call that is not connected
//! yet is cancelled), unlike a lifecycle [`Conference::step`], which only
//! follows the call's progress. Then, in this order:
//!
//! 1. the participant is `complete` (at `now`), its fields frozen;
//!    `participant-leave` when it was connected;
//! 2. every live participant coaching it stops coaching
//!    ([`KickOutcome::uncoached`], one `participant-modify` each);
//! 3. the conference completes ([`KickOutcome::ended`]) when nobody live is
//!    left, or when the participant had `end_conference_on_exit` and the
//!    conference was in progress: every other live participant becomes
//!    `complete` too ([`KickOutcome::also_left`]).

use super::apply::Rejection;
use super::event::{Event, Events};
use super::lifecycle::Lifecycle;
use super::model::{Conference, ConferenceIn, ConferenceStatus, Member, ParticipantState};
use super::slots::Slots;
use crate::wire::date::Timestamp;
use crate::wire::ident::{CallSid, ParticipantRef};

/// A participant that left because the conference ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Left {
    /// Its call.
    pub call_sid: CallSid,
    /// It was connected (so it causes a `participant-leave`).
    pub was_connected: bool,
}

/// What [`Conference::kick`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct KickOutcome<const N: usize> {
    /// The removed participant's final state (`complete`).
    pub state: ParticipantState,
    /// `participant-leave` when it was connected; nothing otherwise.
    pub events: Events,
    /// The live participants that coached it: their coaching was cleared
    /// (each is a `participant-modify`).
    pub uncoached: heapless::Vec<CallSid, N>,
    /// The conference completed because of this removal.
    pub ended: bool,
    /// The other participants that left because the conference completed.
    pub also_left: heapless::Vec<Left, N>,
}

/// What a kick causes beyond the participant itself, in the order it
/// happens ([`ConferenceIn::kick_into`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Fallout {
    /// The removed participant's own event (`participant-leave` when it was
    /// connected), before anything else.
    Event {
        /// The removed participant.
        call: CallSid,
        /// Its event.
        event: Event,
    },
    /// A live participant coached the one removed: its coaching was cleared.
    Uncoached(CallSid),
    /// The conference completed: this other participant left.
    AlsoLeft(Left),
}

/// What [`ConferenceIn::kick_into`] did to the participant itself.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Kicked {
    /// As [`KickOutcome::state`].
    pub state: ParticipantState,
    /// As [`KickOutcome::events`].
    pub events: Events,
    /// As [`KickOutcome::ended`].
    pub ended: bool,
}

impl<M: Slots<Member<L>>, const L: usize> ConferenceIn<M, L> {
    /// [`Conference::kick`] for any storage: what the removal causes goes to
    /// `fallout` as it happens (the uncoached first, then, when the
    /// conference completes, the others that left), so no list of up to a
    /// whole conference is built.
    pub fn kick_into(
        &mut self,
        who: &ParticipantRef,
        now: Timestamp,
        mut fallout: impl FnMut(Fallout),
    ) -> Result<Kicked, Rejection> {
        if self.status == ConferenceStatus::Completed {
            return Err(Rejection::ConferenceCompleted {
                dialect: self.dialect,
            });
        }
        let index = self.position(who).ok_or(Rejection::NotFound)?;
        let member = self.members.get_mut(index).ok_or(Rejection::NotFound)?;
        if !member.is_live() {
            return Err(Rejection::NotFound);
        }
        let was_connected = member.state.lifecycle == Lifecycle::Connected;
        member.state.lifecycle = Lifecycle::Complete;
        member.state.date_updated = now;
        let state = member.state;

        let mut events = Events::new();
        if was_connected {
            // One push into an empty vector: it fits.
            let _ = events.push(Event::Leave);
            fallout(Fallout::Event {
                call: state.call_sid,
                event: Event::Leave,
            });
        }
        let mut live = 0usize;
        for m in self.members.iter_mut().filter(|m| m.is_live()) {
            live = live.saturating_add(1);
            if m.state.coach_target == Some(state.call_sid) {
                m.state.coach_target = None;
                m.state.date_updated = now;
                fallout(Fallout::Uncoached(m.state.call_sid));
            }
        }
        let ends = (state.end_conference_on_exit && self.status == ConferenceStatus::InProgress)
            || live == 0;
        if ends {
            self.status = ConferenceStatus::Completed;
            for m in self.members.iter_mut().filter(|m| m.is_live()) {
                let left = Left {
                    call_sid: m.state.call_sid,
                    was_connected: m.state.lifecycle == Lifecycle::Connected,
                };
                m.state.lifecycle = Lifecycle::Complete;
                m.state.date_updated = now;
                fallout(Fallout::AlsoLeft(left));
            }
        }
        Ok(Kicked {
            state,
            events,
            ended: ends,
        })
    }
}

impl<const N: usize, const L: usize> Conference<N, L> {
    /// Removes a live participant (by call SID or label) at `now`: see the
    /// [bridge docs](crate::bridge) for what follows.
    ///
    /// Refused, changing nothing, when the conference is completed
    /// ([`Rejection::ConferenceCompleted`]) or the participant is not stored
    /// or not live ([`Rejection::NotFound`], 404 / 20404).
    ///
    /// ```
    /// use confpart::bridge::{Conference, ConferenceStatus, Join, Lifecycle};
    /// use confpart::wire::date::Timestamp;
    /// use confpart::wire::ident::{AccountSid, CallSid, ConferenceSid, ParticipantRef};
    /// use confpart::api::path::Dialect;
    ///
    /// let now = Timestamp::from_unix(1_700_000_000).unwrap();
    /// let mut conf: Conference<4> = Conference::new(
    ///     AccountSid::parse("ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")?,
    ///     ConferenceSid::parse("CFaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")?,
    ///     Dialect::Twilio,
    /// );
    /// let a = CallSid::parse("CAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")?;
    /// conf.join(Join::new(a), now)?; // queued: a lifecycle step could not end it
    /// let out = conf.kick(&ParticipantRef::Call(a), now)?;
    /// assert_eq!(out.state.lifecycle, Lifecycle::Complete);
    /// assert!(out.ended); // the last one left
    /// assert_eq!(conf.status(), ConferenceStatus::Completed);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn kick(
        &mut self,
        who: &ParticipantRef,
        now: Timestamp,
    ) -> Result<KickOutcome<N>, Rejection> {
        let mut uncoached = heapless::Vec::new();
        let mut also_left = heapless::Vec::new();
        // At most N members: both lists always fit.
        let kicked = self.kick_into(who, now, |f| match f {
            Fallout::Uncoached(c) => {
                let _ = uncoached.push(c);
            }
            Fallout::AlsoLeft(l) => {
                let _ = also_left.push(l);
            }
            Fallout::Event { .. } => {}
        })?;
        let Kicked {
            state,
            events,
            ended: ends,
        } = kicked;
        Ok(KickOutcome {
            state,
            events,
            uncoached,
            ended: ends,
            also_left,
        })
    }
}
