//! The lifecycle clock: how long a created participant spends in each state
//! ([`Timing`]), and moving participants along at a given `now`.
//!
//! - **Lifecycle.** A created participant is `queued`, then moves to
//!   `connecting`, `ringing` and `connected` after the delays of [`Timing`]
//!   (counted from its creation; each transition is dated at the moment it
//!   was due, so the result does not depend on how often
//!   [`Conferences::tick`] runs). Reaching `connected` is a
//!   `participant-join`; the conference starts (`conference-start`) when a
//!   participant with `start_conference_on_enter` connects.
//! - **queue_time** of a create is [`Timing::queue_time_ms`]: the
//!   milliseconds the participant will wait in `queued` before its call is
//!   placed (Twilio: "the wait time in milliseconds before participant's
//!   call is placed"), i.e. `to_connecting` × 1000; written as a string.
//!
//! [`Conferences::tick`]: crate::bridge::Conferences::tick

use super::event::Event;
use super::lifecycle::Lifecycle;
use super::model::{ConferenceIn, Member};
use super::notice::{NoticeKind, Notices};
use super::slots::Slots;
use crate::wire::date::Timestamp;

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

    /// Moves the live participants of `conf` that are not connected yet to
    /// the state `now` puts them in; queues a `participant-join` for each
    /// that connects, and `conference-start` when it starts the conference.
    pub(super) fn advance<M: Slots<Member<L>>, const L: usize>(
        &self,
        conf: &mut ConferenceIn<M, L>,
        now: Timestamp,
        notices: &mut Notices,
    ) {
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
            let (target, since) = self.state_after(elapsed);
            // Never before the participant's last change (an update
            // while it was queued).
            let at = Timestamp::from_unix(created.saturating_add(since))
                .unwrap_or(now)
                .max(state.date_updated);
            let mut current = state.lifecycle;
            while current != target {
                let Some(next) = current.next() else { break };
                // A step towards `connected` uncoaches nobody.
                if conf.step_into(&state.call_sid, next, at, |_| {}).is_err() {
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
