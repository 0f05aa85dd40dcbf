//! The bridge: a set of conferences answering the five operations, with
//! the answers the real services give.
//!
//! Layer 3 (bridge side). It uses the API layer ([`crate::api`]) and the wire
//! layer ([`crate::wire`]) and nothing of the client. Its files are private;
//! every item is named `confpart::bridge::Item`.
//!
//! | file | holds |
//! |---|---|
//! | `lifecycle` | [`Lifecycle`] (`queued → connecting → ringing → connected → complete`, `failed`), [`LifecycleError`] |
//! | `event` | [`Event`]: the status callback events a change causes |
//! | `answer` | [`Answer`] (status, code, message of any refusal), [`ApiAnswer`] |
//! | `ready` | the answers a server writes without a request to route: [`ApiAnswer::BUSY`], [`ApiAnswer::TIMEOUT`], [`ApiAnswer::TOO_LARGE`] |
//! | `model` | [`Conference`], [`ConferenceStatus`], [`Member`], [`ParticipantState`], [`Join`], [`StepOutcome`], [`ConferenceError`]; rendering the participant resource |
//! | `apply` | the update rules: [`Conference::apply`], [`Conference::check`], [`Applied`], [`Rejection`] |
//! | `kick` | removing a participant from any live state: [`Conference::kick`], [`KickOutcome`] |
//! | `ids` | where new SIDs come from: [`IdSource`], [`SequentialIds`] |
//! | `notice` | the status-callback events for the adapter: [`Notice`], [`NoticeKind`], the queue ([`EVENT_QUEUE_CAPACITY`]) |
//! | `subscription` | a conference's status-callback subscription, kept in its table entry: [`ConferenceCallback`], [`CALLBACK_URL_CAPACITY`] |
//! | `callback` | conference status callbacks: the signed callback a notice makes ([`Outgoing`], [`Service::callback`]) |
//! | `timing` | the lifecycle clock: [`Timing`], moving created participants along |
//! | `paging` | list pages: [`Page`], [`PageToken`], [`Direction`], [`PageUri`], [`Link`], [`PageError`] |
//! | `refusal` | why an operation on the conferences was refused: [`Refusal`], [`NameProblem`] |
//! | `slots` | a list of fixed or growing capacity: [`Slots`] (a conference's participants) |
//! | `storage` | where the conferences are kept, chosen by the user of the core: [`Table`], [`FixedTable`], [`Entry`], [`Limits`], [`FRIENDLY_NAME_CAPACITY`] |
//! | `store` | a bridge's conferences and the five operations sans HTTP: [`ConferencesIn`] ([`Conferences`] in fixed memory), [`ConferenceRef`], [`Created`], [`FoundIn`] |
//! | `router` | [`route`], [`check_basic`] / [`check_bearer`] (Telnyx), the response writers ([`write_error_in`] for every [`Answer`] in a dialect's shape, [`write_participant_in`]), [`BridgeError`] |
//! | `service` | [`Service`]: conferences + accounts, one request in, one response out |
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
//!   [`ConferenceIn::prune`], or until a join prunes them ([`Slots::prune_due`]:
//!   a fixed list when it is full, a growing one before they outnumber the
//!   live ones); they are not addressable (404 / 20404).
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
//!   ([`crate::api::path::Dialect`]): it picks the error codes (10000, 16002;
//!   Telnyx's through [`crate::api::codes::for_dialect`]), the status texts
//!   (`in-progress`, `completed`; Telnyx's `connecting`, `connected`,
//!   `completed`) and the shapes of the resource, the list page and the
//!   error body.
//! - **Ending the conference** is the caller's decision ([`Conference::end`]);
//!   [`StepOutcome::ends_conference`] says when a participant with
//!   `end_conference_on_exit` left an in-progress conference.
//!
//! ```
//! use confpart::bridge::{Conference, Join, Lifecycle, Rejection};
//! use confpart::wire::date::Timestamp;
//! use confpart::wire::ident::{AccountSid, CallSid, ConferenceSid, ParticipantRef};
//! use confpart::api::path::Dialect;
//! use confpart::api::update::Update;
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

//!
//! ## By hand
//!
//! ```
//! use confpart::bridge;
//! use confpart::bridge::BridgeError;
//! use confpart::wire::http::{Connection, Progress, RequestReader};
//! use confpart::api::operation::OperationKind;
//! use confpart::api::update::Update;
//! use confpart::wire::sink::SliceSink;
//!
//! let request = b"POST /2010-04-01/Accounts/ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/Conferences/CFaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/Participants/front%20desk.json HTTP/1.1\r\n\
//!     Host: 127.0.0.1\r\nAuthorization: Basic QUNhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYTp0b2tlbg==\r\n\
//!     Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 10\r\n\r\nMuted=true";
//! let mut buf = [0u8; 1024];
//! let mut reader = RequestReader::new(&mut buf);
//! let Progress::Complete(m) = reader.feed(request)? else { unreachable!() };
//! let route = bridge::route(m.method(), m.path())?;
//! assert_eq!(route.operation, OperationKind::Update);
//! assert_eq!(route.path.participant.as_ref().map(|p| p.as_str()), Some("front desk"));
//! bridge::check_basic(m.authorization(), route.path.account.as_str(), "token")?;
//! let mut scratch = [0u8; 64];
//! let update = Update::decode(m.body(), &mut scratch)?.update;
//! assert_eq!(update.muted, Some(true));
//!
//! let mut out = [0u8; 256];
//! let mut sink = SliceSink::new(&mut out);
//! bridge::write_no_content(&mut sink, Connection::KeepAlive)?;
//! assert_eq!(sink.written(), b"HTTP/1.1 204 No Content\r\nConnection: keep-alive\r\n\r\n");
//! # Ok::<(), BridgeError>(())
//! ```

mod answer;
mod apply;
mod callback;
mod event;
mod ids;
mod kick;
mod lifecycle;
mod model;
mod notice;
mod paging;
mod ready;
mod refusal;
mod router;
mod service;
mod slots;
mod storage;
mod store;
mod subscription;
mod timing;

pub use answer::{Answer, ApiAnswer};
pub use apply::{Applied, Rejection};
pub use callback::{CallbackSignature, CallbackSigner, Outgoing};
pub use event::{Event, Events, MAX_EVENTS};
pub use ids::{IdSource, SequentialIds};
pub use kick::{Fallout, KickOutcome, Kicked, Left};
pub use lifecycle::{Lifecycle, LifecycleError};
pub use model::{
    Conference, ConferenceError, ConferenceIn, ConferenceStatus, DEFAULT_LABEL_BYTES, Join, Member,
    ParticipantState, StepOutcome, Stepped, TWILIO_MAX_PARTICIPANTS,
};
pub use notice::{EVENT_QUEUE_CAPACITY, Notice, NoticeKind};
pub use paging::{DEFAULT_PAGE_SIZE, Direction, Link, Page, PageError, PageIn, PageToken, PageUri};
pub use refusal::{NameProblem, Refusal};
pub use router::{
    ALLOW_COLLECTION, ALLOW_PARTICIPANT, AuthFailure, BridgeError, DEFAULT_REALM, MAX_BEARER_LEN,
    MAX_CREDENTIALS_LEN, Route, check_basic, check_bearer, constant_time_eq,
    max_participant_answer_len, response_len, route, write_continue, write_error, write_error_in,
    write_no_content, write_participant, write_participant_in, write_response,
};
pub use service::{Account, Handled, Service, ServiceIn};
pub use slots::Slots;
pub use storage::{Entry, FRIENDLY_NAME_CAPACITY, FixedTable, Limits, Table};
pub use store::{ConferenceRef, Conferences, ConferencesIn, Created, Found, FoundIn};
pub use subscription::{CALLBACK_URL_CAPACITY, ConferenceCallback};
pub use timing::Timing;
