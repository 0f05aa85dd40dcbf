//! The participant state machine and the conference model: tell *before
//! sending* whether an update makes sense (firmware), and apply updates with
//! the answers the real services give (a bridge).
//!
//! Everything is driven by values the caller passes in: lifecycle steps,
//! updates, and the time (`now`) that becomes `date_updated`. No clock, no
//! I/O, no allocation: participants live in a `heapless::Vec` of capacity
//! `N` (a const generic of [`Conference`]).
//!
//! | module | holds |
//! |---|---|
//! | [`lifecycle`] | [`Lifecycle`] (`queued → connecting → ringing → connected → complete`, `failed`), [`LifecycleError`] |
//! | [`event`] | [`Event`]: the status callback events a change causes |
//! | [`model`] | [`Conference`], [`ConferenceStatus`], [`Member`], [`ParticipantState`], [`Join`], [`StepOutcome`], [`ConferenceError`]; rendering the [`crate::participant::Participant`] resource |
//! | [`apply`] | the update rules: [`Conference::apply`], [`Conference::check`], [`Applied`], [`Rejection`] (HTTP status and error code) |
//! | [`kick`] | removing a participant from any live state: [`Conference::kick`], [`KickOutcome`] |
//! | [`set`] | a bridge's conferences and the five operations sans HTTP: [`Conferences`], [`IdSource`], [`Timing`], [`Page`], [`Refusal`] |
//!
//! ## Design choices
//!
//! - **Coaching is a target.** A participant stores `coach_target:
//!   Option<CallSid>`; it coaches exactly when a target is set, so
//!   "coaching ⇔ a target is set" cannot break.
//! - **A target that leaves.** When a participant reaches `complete` or
//!   `failed`, every live participant coaching it stops coaching
//!   ([`StepOutcome::uncoached`], one `participant-modify` each). So the
//!   target of a live participant is always another live participant of the
//!   same conference.
//! - **A target that goes on hold** stays the target (the coach hears
//!   nothing meanwhile): a hold is temporary, and the services only check
//!   the hold when coaching is *asked for* (16027). Re-sending a coach update
//!   for a held target is rejected with 16027.
//! - **Final participants are frozen** (their fields stay as they were when
//!   they left, as the resource shows them) and stay stored until
//!   [`Conference::prune`] or until a join needs the slot; they are not
//!   addressable (404 / 20404).
//! - **Lifecycle steps go to the next state only** (or to `failed`); a
//!   participant may *join* in any non-final state (an inbound call joins
//!   `connected`).
//! - **Labels** are stored in `L` bytes per participant (const generic,
//!   default [`DEFAULT_LABEL_BYTES`] = 128: every ASCII label fits; `0`
//!   disables labels). A label that does not fit is refused on join
//!   ([`ConferenceError::LabelTooLong`]) rather than truncated. Labels are
//!   unique among live participants (16026) and address live participants
//!   only; the resource shows them in the Twilio dialect only.
//! - **Dialect per conference.** A conference answers as one service
//!   ([`crate::path::Dialect`]): it picks the error codes (10000, 16002) and
//!   the status texts (`in-progress`, `completed`).
//! - **Ending the conference** is the caller's decision ([`Conference::end`]);
//!   [`StepOutcome::ends_conference`] says when a participant with
//!   `end_conference_on_exit` left an in-progress conference.
//!
//! ```
//! use confpart::conference::{Conference, Join, Lifecycle, Rejection};
//! use confpart::date::Timestamp;
//! use confpart::ident::{AccountSid, CallSid, ConferenceSid, ParticipantRef};
//! use confpart::path::Dialect;
//! use confpart::update::Update;
//!
//! let now = Timestamp::from_unix(1_700_000_000).unwrap();
//! let mut conf: Conference<4> = Conference::new(
//!     AccountSid::parse("ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")?,
//!     ConferenceSid::parse("CFaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")?,
//!     Dialect::Twilio,
//! );
//! let a = CallSid::parse("CAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")?;
//! let b = CallSid::parse("CAbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb")?;
//! conf.join(Join::new(a).status(Lifecycle::Connected), now)?;
//! conf.join(Join::new(b).status(Lifecycle::Connected), now)?;
//! conf.apply(&ParticipantRef::Call(b), &Update::new().hold(true), now)?;
//! assert_eq!(
//!     conf.check(&ParticipantRef::Call(a), &Update::coach(b)),
//!     Err(Rejection::CoachTargetOnHold)
//! );
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod apply;
pub mod event;
pub mod kick;
pub mod lifecycle;
pub mod model;
pub mod set;

pub use apply::{Applied, Rejection};
pub use event::{Event, Events, MAX_EVENTS};
pub use kick::{KickOutcome, Left};
pub use lifecycle::{Lifecycle, LifecycleError};
pub use model::{
    Conference, ConferenceError, ConferenceStatus, DEFAULT_LABEL_BYTES, Join, Member,
    ParticipantState, StepOutcome, TWILIO_MAX_PARTICIPANTS,
};
pub use set::{
    ConferenceRef, Conferences, Created, DEFAULT_PAGE_SIZE, Direction, EVENT_QUEUE_CAPACITY,
    FRIENDLY_NAME_CAPACITY, Found, IdSource, Link, NameProblem, Notice, NoticeKind, Page,
    PageError, PageToken, PageUri, Refusal, SequentialIds, Timing,
};
