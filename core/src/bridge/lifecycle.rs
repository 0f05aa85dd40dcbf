//! A participant's lifecycle: `queued → connecting → ringing → connected →
//! complete`, and `failed` from any non-final state.
//!
//! The steps are the ones the spec infers from the status list (§5). A
//! step goes to the *next* state only (no skipping; a participant that never
//! rang, such as an inbound call that dialled into the conference, simply
//! *joins* in the state it is in, see [`super::Join`]), or to
//! [`Lifecycle::Failed`] from any non-final state. [`Lifecycle::Complete`]
//! and [`Lifecycle::Failed`] are final: no step leaves them. A step to the
//! state a participant is already in is illegal too (it is not a step).
//!
//! SignalWire's `in-progress` and `completed` are the same states as Twilio's
//! `connected` and `complete`; [`Lifecycle::from_status`] and
//! [`Lifecycle::status`] map them per [`Dialect`].
//!
//! ```
//! use confpart::bridge::{Lifecycle, LifecycleError};
//! use confpart::api::participant::Status;
//! use confpart::api::path::Dialect;
//!
//! assert_eq!(Lifecycle::Ringing.step(Lifecycle::Connected), Ok(Lifecycle::Connected));
//! assert_eq!(Lifecycle::Ringing.step(Lifecycle::Failed), Ok(Lifecycle::Failed));
//! assert_eq!(
//!     Lifecycle::Queued.step(Lifecycle::Connected),
//!     Err(LifecycleError::Illegal { from: Lifecycle::Queued, to: Lifecycle::Connected })
//! );
//! assert_eq!(
//!     Lifecycle::Complete.step(Lifecycle::Failed),
//!     Err(LifecycleError::Final { state: Lifecycle::Complete })
//! );
//! assert_eq!(Lifecycle::from_status(Status::InProgress), Some(Lifecycle::Connected));
//! assert_eq!(Lifecycle::Complete.status(Dialect::SignalWire), Status::Completed);
//! ```

use core::fmt;

use crate::api::participant::Status;
use crate::api::path::Dialect;

/// Where a participant is in its call's life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Lifecycle {
    /// Created, its call not placed yet (`queued`).
    Queued,
    /// The call is being placed (`connecting`).
    Connecting,
    /// The callee's phone rings (`ringing`).
    Ringing,
    /// In the conference (Twilio `connected`, SignalWire `in-progress`).
    Connected,
    /// Left the conference; final (Twilio `complete`, SignalWire `completed`).
    Complete,
    /// The call failed; final (`failed`).
    Failed,
}

impl Lifecycle {
    /// All states, in lifecycle order (`Failed` last).
    pub const ALL: [Lifecycle; 6] = [
        Self::Queued,
        Self::Connecting,
        Self::Ringing,
        Self::Connected,
        Self::Complete,
        Self::Failed,
    ];

    /// True for `complete` and `failed`, which no step leaves.
    pub const fn is_final(self) -> bool {
        matches!(self, Self::Complete | Self::Failed)
    }

    /// True for the states in which a participant exists and can be
    /// addressed (every non-final state).
    pub const fn is_live(self) -> bool {
        !self.is_final()
    }

    /// The state a normal step leads to (`None` from a final state).
    pub const fn next(self) -> Option<Lifecycle> {
        match self {
            Self::Queued => Some(Self::Connecting),
            Self::Connecting => Some(Self::Ringing),
            Self::Ringing => Some(Self::Connected),
            Self::Connected => Some(Self::Complete),
            Self::Complete | Self::Failed => None,
        }
    }

    /// True when `self → to` is a legal step.
    pub fn can_step(self, to: Lifecycle) -> bool {
        self.step(to).is_ok()
    }

    /// The state after the step `self → to`, or why that step is illegal.
    pub fn step(self, to: Lifecycle) -> Result<Lifecycle, LifecycleError> {
        if self.is_final() {
            return Err(LifecycleError::Final { state: self });
        }
        if to == Self::Failed || self.next() == Some(to) {
            Ok(to)
        } else {
            Err(LifecycleError::Illegal { from: self, to })
        }
    }

    /// The lifecycle state a wire status stands for, in any dialect
    /// (`in-progress` is `Connected`, `completed` is `Complete`); `None` for
    /// an unknown status text.
    pub fn from_status(status: Status) -> Option<Lifecycle> {
        match status {
            Status::Queued => Some(Self::Queued),
            Status::Connecting => Some(Self::Connecting),
            Status::Ringing => Some(Self::Ringing),
            Status::Connected | Status::InProgress => Some(Self::Connected),
            Status::Complete | Status::Completed => Some(Self::Complete),
            Status::Failed => Some(Self::Failed),
            _ => None,
        }
    }

    /// The wire status for `dialect`: Twilio's six texts; SignalWire's
    /// `in-progress` / `completed` for `Connected` / `Complete` (the other
    /// states keep Twilio's texts, SignalWire documents none for them);
    /// Telnyx's three, `connecting` (queued, connecting, ringing),
    /// `connected` and `completed` (complete or failed).
    pub const fn status(self, dialect: Dialect) -> Status {
        match (self, dialect) {
            (Self::Queued | Self::Connecting | Self::Ringing, Dialect::Telnyx) => {
                Status::Connecting
            }
            (Self::Connected, Dialect::Telnyx) => Status::Connected,
            (Self::Complete | Self::Failed, Dialect::Telnyx) => Status::Completed,
            (Self::Queued, _) => Status::Queued,
            (Self::Connecting, _) => Status::Connecting,
            (Self::Ringing, _) => Status::Ringing,
            (Self::Connected, Dialect::Twilio) => Status::Connected,
            (Self::Connected, Dialect::SignalWire) => Status::InProgress,
            (Self::Complete, Dialect::Twilio) => Status::Complete,
            (Self::Complete, Dialect::SignalWire) => Status::Completed,
            (Self::Failed, _) => Status::Failed,
        }
    }
}

impl fmt::Display for Lifecycle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.status(Dialect::Twilio).as_str())
    }
}

/// Why a lifecycle step is illegal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum LifecycleError {
    /// The participant is `complete` or `failed`: no step leaves a final state.
    Final {
        /// The final state.
        state: Lifecycle,
    },
    /// Not the next state, not `failed`.
    Illegal {
        /// The current state.
        from: Lifecycle,
        /// The requested state.
        to: Lifecycle,
    },
}

impl fmt::Display for LifecycleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Final { state } => write!(f, "participant is {state}, a final state"),
            Self::Illegal { from, to } => write!(f, "illegal lifecycle step {from} -> {to}"),
        }
    }
}

impl core::error::Error for LifecycleError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn step_table() {
        use Lifecycle::*;
        let legal = [
            (Queued, Connecting),
            (Connecting, Ringing),
            (Ringing, Connected),
            (Connected, Complete),
            (Queued, Failed),
            (Connecting, Failed),
            (Ringing, Failed),
            (Connected, Failed),
        ];
        for from in Lifecycle::ALL {
            for to in Lifecycle::ALL {
                let expected = legal.contains(&(from, to));
                assert_eq!(from.can_step(to), expected, "{from} -> {to}");
                if from.is_final() {
                    assert_eq!(from.step(to), Err(LifecycleError::Final { state: from }));
                }
            }
        }
    }

    #[test]
    fn status_round_trip_per_dialect() {
        for dialect in [Dialect::Twilio, Dialect::SignalWire] {
            for state in Lifecycle::ALL {
                assert_eq!(Lifecycle::from_status(state.status(dialect)), Some(state));
            }
        }
        assert_eq!(
            Lifecycle::Connected.status(Dialect::Twilio),
            Status::Connected
        );
        assert_eq!(
            Lifecycle::Connected.status(Dialect::SignalWire),
            Status::InProgress
        );
        let unknown = Status::parse("weird").unwrap();
        assert_eq!(Lifecycle::from_status(unknown), None);
    }
}
