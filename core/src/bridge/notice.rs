//! The status-callback events a bridge's operations cause ([`Notice`]), and
//! the queue that holds them until the adapter delivers them.
//!
//! The queue holds [`EVENT_QUEUE_CAPACITY`] notices; the adapter drains it
//! ([`Conferences::pop_notice`]). Operations never wait for it: when it is
//! full, newer notices are counted, not stored
//! ([`Conferences::lost_notices`]), so a loss is always visible; the
//! participants' state stays exact (an adapter that lost notices can list
//! the conference again).
//!
//! [`Conferences::pop_notice`]: crate::bridge::Conferences::pop_notice
//! [`Conferences::lost_notices`]: crate::bridge::Conferences::lost_notices

use super::event::Event;
use crate::wire::date::Timestamp;
use crate::wire::ident::{CallSid, ConferenceSid};

/// Notices the event queue holds before it counts them as lost.
pub const EVENT_QUEUE_CAPACITY: usize = 64;

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
    ConferenceEnd {
        /// The participant whose removal ended it (`CallSidEndingConference`).
        ended_by: Option<CallSid>,
    },
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
            Self::ConferenceEnd { .. } => "conference-end",
        }
    }
}

/// The event queue and the count of notices it could not hold.
#[derive(Debug, Clone)]
pub(super) struct Notices {
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

// The accessors are `#[inline]`: at opt-level "z" they are otherwise called
// out of line from the set's methods, which costs flash on firmware.
impl Notices {
    /// An empty queue, nothing lost.
    #[inline]
    pub(super) const fn new() -> Self {
        Self {
            queue: heapless::Deque::new(),
            lost: 0,
        }
    }

    /// Queues a notice, or counts it as lost when the queue is full.
    pub(super) fn push(&mut self, conference: ConferenceSid, at: Timestamp, kind: NoticeKind) {
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

    /// Queues a participant event.
    pub(super) fn participant(
        &mut self,
        conference: ConferenceSid,
        at: Timestamp,
        call: CallSid,
        event: Event,
    ) {
        self.push(conference, at, NoticeKind::Participant { call, event });
    }

    /// The oldest notice, taken off the queue.
    #[inline]
    pub(super) fn pop(&mut self) -> Option<Notice> {
        self.queue.pop_front()
    }

    /// Notices waiting.
    #[inline]
    pub(super) fn pending(&self) -> usize {
        self.queue.len()
    }

    /// Notices that did not fit.
    #[inline]
    pub(super) const fn lost(&self) -> u32 {
        self.lost
    }
}
