//! Why an operation on a bridge's conferences was refused ([`Refusal`]),
//! and the answer a bridge gives for each refusal.

use core::fmt;

use super::answer::{Answer, ApiAnswer};
use super::apply::Rejection;
use super::paging::PageError;
use crate::api::codes;
use crate::api::create;
use crate::wire::ident::IdError;

/// Why a friendly name is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum NameProblem {
    /// Empty.
    Empty,
    /// Longer than [`FRIENDLY_NAME_CAPACITY`](crate::bridge::FRIENDLY_NAME_CAPACITY) bytes.
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
    /// The conference's cap of live participants is reached (`N`, or
    /// [`Limits::per_conference`](crate::bridge::Limits::per_conference)): 429 / 20429.
    ConferenceFull {
        /// `N`.
        capacity: usize,
    },
    /// The bridge's cap of live participants (all conferences together) is
    /// reached: 429 / 20429.
    BridgeFull {
        /// The cap ([`Limits::participants`](crate::bridge::Limits::participants)).
        capacity: usize,
    },
    /// `C` conferences are stored and none is completed: 429 / 20429.
    SetFull {
        /// `C`.
        capacity: usize,
    },
    /// The [`IdSource`](crate::bridge::IdSource) gave a SID that is in use: 500 / 20500.
    DuplicateId,
    /// The [`IdSource`](crate::bridge::IdSource) failed: 500 / 20500.
    IdSource(IdError),
    /// The list paging is invalid: 400 / 20001.
    InvalidPage(PageError),
}

impl Refusal {
    /// The HTTP status, error code and message to answer with (the same
    /// vocabulary as every other failure a bridge answers: [`Answer`]).
    pub const fn answer(&self) -> ApiAnswer {
        let (status, code, message) = match self {
            Self::Rejected(r) => return r.answer(),
            Self::NotFound => (
                404,
                codes::NOT_FOUND,
                "The requested resource was not found",
            ),
            Self::InvalidCreate(e) => (
                400,
                e.code(),
                match e {
                    create::ValidationError::Label(_) => "Invalid label",
                    _ => "Invalid request parameters",
                },
            ),
            Self::LabelInUse => (
                400,
                codes::LABEL_IN_USE,
                "The label is already in use in this conference",
            ),
            Self::LabelTooLong { .. } => (400, codes::LABEL_TOO_LONG, "Invalid label"),
            Self::FriendlyName(_) => (
                400,
                codes::INVALID_PARAMETER,
                "Invalid conference friendly name",
            ),
            Self::InvalidPage(_) => (400, codes::INVALID_PARAMETER, "Invalid paging parameters"),
            Self::ConferenceFull { .. } => (
                429,
                codes::TOO_MANY_REQUESTS,
                "Too many participants in this conference",
            ),
            Self::BridgeFull { .. } => (
                429,
                codes::TOO_MANY_REQUESTS,
                "Too many participants in this bridge",
            ),
            Self::SetFull { .. } => (
                429,
                codes::TOO_MANY_REQUESTS,
                "Too many conferences in progress",
            ),
            Self::DuplicateId | Self::IdSource(_) => (
                500,
                codes::INTERNAL_ERROR,
                "Internal error: no new identifier",
            ),
        };
        ApiAnswer::new(status, code, message)
    }
}

impl Answer for Refusal {
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
