//! The conference events a change causes, named as Twilio's conference status
//! callbacks name them (spec §5).

use core::fmt;

/// Most events one Update can cause: mute/unmute, hold/unhold, modify,
/// announcement.
pub const MAX_EVENTS: usize = 4;

/// The events of one change, in a fixed order: join/leave, mute/unmute,
/// hold/unhold, modify, announcement.
pub type Events = heapless::Vec<Event, MAX_EVENTS>;

/// A conference status callback event caused by a change of a participant.
///
/// ```
/// use confpart::bridge::Event;
/// assert_eq!(Event::Modify.as_str(), "participant-modify");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum Event {
    /// `participant-join`: the participant reached `connected`.
    Join,
    /// `participant-leave`: a connected participant reached `complete` or `failed`.
    Leave,
    /// `participant-mute`: `muted` went from false to true.
    Mute,
    /// `participant-unmute`: `muted` went from true to false.
    Unmute,
    /// `participant-hold`: `hold` went from false to true.
    Hold,
    /// `participant-unhold`: `hold` went from true to false.
    Unhold,
    /// `participant-modify`: coaching changed (on, off, or another target),
    /// or `EndConferenceOnExit` or `BeepOnExit` changed.
    Modify,
    /// `announcement`: an announcement (`AnnounceUrl`) starts playing to the
    /// participant. The bridge later reports `announcement-end` or
    /// `announcement-fail`.
    Announcement,
}

impl Event {
    /// The callback event name, e.g. `"participant-hold"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Join => "participant-join",
            Self::Leave => "participant-leave",
            Self::Mute => "participant-mute",
            Self::Unmute => "participant-unmute",
            Self::Hold => "participant-hold",
            Self::Unhold => "participant-unhold",
            Self::Modify => "participant-modify",
            Self::Announcement => "announcement",
        }
    }
}

impl fmt::Display for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
