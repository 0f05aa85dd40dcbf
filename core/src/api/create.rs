//! The Create Participant request (`POST .../Participants.json`): its
//! fields, a builder, validation, and the `application/x-www-form-urlencoded`
//! codec for both ends.
//!
//! The keys are those of Twilio's `CreateParticipant` request body
//! (`twilio_api_v2010`): `From` and `To` are required, everything else is
//! optional. This module models the keys a conference bridge acts on
//! ([`Field::ALL`]); every other key (`Record`-related callbacks, machine
//! detection, SIP credentials, `Hold`, which create does not take, ...) is
//! accepted, ignored and reported ([`IgnoredKeys`]), as Twilio ignores keys it
//! does not know.
//!
//! ```
//! use confpart::api::create::{Beep, Create, Field};
//! use confpart::api::path::Dialect;
//!
//! // Client side: build, validate, encode.
//! let create = Create::new("+15017122661", "+15558675310")
//!     .label("customer one")
//!     .muted(true)
//!     .beep(Beep::OnExit);
//! create.validate(Dialect::Twilio)?;
//! let mut buf = [0u8; 128];
//! let n = create.encode_to_slice(&mut buf)?;
//! assert_eq!(
//!     &buf[..n],
//!     &b"From=%2B15017122661&To=%2B15558675310&Label=customer+one&Muted=true&Beep=onExit"[..]
//! );
//! assert_eq!(create.encoded_len(), n);
//!
//! // Bridge side: decode what an SDK sent (any order, `+` or `%20`).
//! let body = b"To=%2B15558675310&From=%2B15017122661&Label=customer%20one&Muted=True&Region=ie1";
//! let mut scratch = [0u8; 64];
//! let decoded = Create::decode(body, &mut scratch)?;
//! assert_eq!(decoded.create.label, Some("customer one"));
//! assert_eq!(decoded.create.muted, Some(true));
//! assert_eq!(decoded.ignored.iter().next(), Some(&b"Region"[..]));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use core::fmt;

use crate::api::codes;
#[cfg(feature = "json-body")]
use crate::api::fields::JsonValue;
use crate::api::fields::{
    self, FieldValue, IgnoredKeys, Method, Scratch, URL_MAX_LEN, UrlProblem, setters,
};
use crate::api::path::Dialect;
use crate::wire::form::{self, Space};
use crate::wire::ident::{CallSid, IdError, LABEL_CAPACITY, Label};
#[cfg(feature = "json-body")]
use crate::wire::json::JsonStr;
use crate::wire::sink::{CountingSink, Sink, SliceSink, WriteError};

/// Longest `From` / `To` value accepted (bytes, decoded): E.164 numbers,
/// `client:` identifiers and SIP addresses all fit.
pub const ENDPOINT_MAX_LEN: usize = 256;
/// Smallest `Timeout` Twilio accepts (seconds).
pub const TIMEOUT_MIN: u32 = 5;
/// Largest `Timeout` Twilio accepts (seconds).
pub const TIMEOUT_MAX: u32 = 600;
/// Largest `Timeout` Telnyx accepts (seconds; "an integer between 5 and
/// 120" in its SDKs' create parameters).
pub const TELNYX_TIMEOUT_MAX: u32 = 120;
/// Longest key that can match a known field once decoded.
const KEY_BUF_LEN: usize = 24;

/// The form fields of the Create request this crate models, in the order
/// they are encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum Field {
    /// `From` (required)
    From,
    /// `To` (required)
    To,
    /// `Label`
    Label,
    /// `Muted`
    Muted,
    /// `Coaching`
    Coaching,
    /// `CallSidToCoach`
    CallSidToCoach,
    /// `StartConferenceOnEnter`
    StartConferenceOnEnter,
    /// `EndConferenceOnExit`
    EndConferenceOnExit,
    /// `Beep`
    Beep,
    /// `WaitUrl`
    WaitUrl,
    /// `WaitMethod`
    WaitMethod,
    /// `StatusCallback`
    StatusCallback,
    /// `StatusCallbackMethod`
    StatusCallbackMethod,
    /// `StatusCallbackEvent` (may be repeated, values may be space-separated)
    StatusCallbackEvent,
    /// `Timeout`
    Timeout,
    /// `EarlyMedia`
    EarlyMedia,
    /// `Record`
    Record,
}

impl Field {
    /// All fields, in encoding order.
    pub const ALL: [Field; 17] = [
        Self::From,
        Self::To,
        Self::Label,
        Self::Muted,
        Self::Coaching,
        Self::CallSidToCoach,
        Self::StartConferenceOnEnter,
        Self::EndConferenceOnExit,
        Self::Beep,
        Self::WaitUrl,
        Self::WaitMethod,
        Self::StatusCallback,
        Self::StatusCallbackMethod,
        Self::StatusCallbackEvent,
        Self::Timeout,
        Self::EarlyMedia,
        Self::Record,
    ];

    /// The form key, e.g. `"StartConferenceOnEnter"`.
    ///
    /// ```
    /// use confpart::api::create::Field;
    /// assert_eq!(Field::CallSidToCoach.key(), "CallSidToCoach");
    /// ```
    pub const fn key(self) -> &'static str {
        match self {
            Self::From => "From",
            Self::To => "To",
            Self::Label => "Label",
            Self::Muted => "Muted",
            Self::Coaching => "Coaching",
            Self::CallSidToCoach => "CallSidToCoach",
            Self::StartConferenceOnEnter => "StartConferenceOnEnter",
            Self::EndConferenceOnExit => "EndConferenceOnExit",
            Self::Beep => "Beep",
            Self::WaitUrl => "WaitUrl",
            Self::WaitMethod => "WaitMethod",
            Self::StatusCallback => "StatusCallback",
            Self::StatusCallbackMethod => "StatusCallbackMethod",
            Self::StatusCallbackEvent => "StatusCallbackEvent",
            Self::Timeout => "Timeout",
            Self::EarlyMedia => "EarlyMedia",
            Self::Record => "Record",
        }
    }

    /// The field with this exact (case-sensitive) key.
    ///
    /// ```
    /// use confpart::api::create::Field;
    /// assert_eq!(Field::from_key(b"To"), Some(Field::To));
    /// assert_eq!(Field::from_key(b"Hold"), None);
    /// ```
    pub fn from_key(key: &[u8]) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.key().as_bytes() == key)
    }

    /// Whether `dialect`'s API has this field: Twilio and SignalWire all of
    /// them, Telnyx all but `WaitMethod` (its SDKs' create parameters have
    /// none).
    ///
    /// ```
    /// use confpart::api::create::Field;
    /// use confpart::api::path::Dialect;
    /// assert!(!Field::WaitMethod.in_dialect(Dialect::Telnyx));
    /// assert!(Field::Timeout.in_dialect(Dialect::Telnyx));
    /// ```
    pub const fn in_dialect(self, dialect: Dialect) -> bool {
        !matches!((dialect, self), (Dialect::Telnyx, Self::WaitMethod))
    }

    const fn bit(self) -> u32 {
        1 << (self as u32)
    }
}

#[cfg(feature = "json-body")]
impl fields::BodyField for Field {
    fn key(self) -> &'static str {
        Field::key(self)
    }

    fn from_key(key: &[u8]) -> Option<Self> {
        Field::from_key(key)
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// The `Beep` value: when the conference hears a beep for this participant.
///
/// ```
/// use confpart::api::create::Beep;
/// assert_eq!(Beep::parse(b"onexit"), Some(Beep::OnExit));
/// assert!(Beep::OnExit.on_exit() && !Beep::OnExit.on_enter());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Beep {
    /// `true`: on enter and on exit (the default).
    True,
    /// `false`: never.
    False,
    /// `onEnter`: when the participant joins only.
    OnEnter,
    /// `onExit`: when the participant leaves only.
    OnExit,
}

impl Beep {
    /// The wire value: `true`, `false`, `onEnter`, `onExit`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::True => "true",
            Self::False => "false",
            Self::OnEnter => "onEnter",
            Self::OnExit => "onExit",
        }
    }

    /// Parses a wire value, case-insensitively.
    pub fn parse(s: &[u8]) -> Option<Self> {
        [Self::True, Self::False, Self::OnEnter, Self::OnExit]
            .into_iter()
            .find(|b| b.as_str().as_bytes().eq_ignore_ascii_case(s))
    }

    /// True when the conference beeps as the participant joins.
    pub const fn on_enter(self) -> bool {
        matches!(self, Self::True | Self::OnEnter)
    }

    /// True when the conference beeps as the participant leaves.
    pub const fn on_exit(self) -> bool {
        matches!(self, Self::True | Self::OnExit)
    }
}

/// A call progress event of `StatusCallbackEvent`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum CallEvent {
    /// `initiated`
    Initiated,
    /// `ringing`
    Ringing,
    /// `answered`
    Answered,
    /// `completed`
    Completed,
}

impl CallEvent {
    /// All events, in encoding order.
    pub const ALL: [CallEvent; 4] = [
        Self::Initiated,
        Self::Ringing,
        Self::Answered,
        Self::Completed,
    ];

    /// The wire value, e.g. `"answered"`.
    ///
    /// ```
    /// use confpart::api::create::CallEvent;
    /// assert_eq!(CallEvent::Answered.as_str(), "answered");
    /// ```
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Initiated => "initiated",
            Self::Ringing => "ringing",
            Self::Answered => "answered",
            Self::Completed => "completed",
        }
    }

    const fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

/// A set of [`CallEvent`]s (the value of `StatusCallbackEvent`).
///
/// ```
/// use confpart::api::create::{CallEvent, CallEvents};
/// let events = CallEvents::EMPTY.with(CallEvent::Ringing).with(CallEvent::Completed);
/// assert!(events.contains(CallEvent::Ringing));
/// assert_eq!(events.iter().count(), 2);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct CallEvents(u8);

impl CallEvents {
    /// No event.
    pub const EMPTY: Self = Self(0);

    /// The set with `event` added.
    #[must_use]
    pub const fn with(self, event: CallEvent) -> Self {
        Self(self.0 | event.bit())
    }

    /// True when `event` is in the set.
    pub const fn contains(self, event: CallEvent) -> bool {
        self.0 & event.bit() != 0
    }

    /// True when the set is empty.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The events, in [`CallEvent::ALL`] order.
    pub fn iter(self) -> impl Iterator<Item = CallEvent> {
        CallEvent::ALL
            .into_iter()
            .filter(move |e| self.contains(*e))
    }
}

/// A Create Participant request. `From` and `To` are required; only the
/// optional fields that are `Some` are sent.
///
/// ```
/// use confpart::api::create::Create;
/// use confpart::wire::ident::CallSid;
/// use confpart::api::path::Dialect;
///
/// let agent = CallSid::parse("CAbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb")?;
/// let c = Create::new("client:alice", "client:bob").coaching(true).call_sid_to_coach(agent);
/// c.validate(Dialect::Twilio)?;
/// assert_eq!(c.coach_target(), Some(agent));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Create<'a> {
    /// `From`: the caller ID (number, client identifier, SIP user).
    pub from: &'a str,
    /// `To`: who is called (number, SIP address, client).
    pub to: &'a str,
    /// `Label`: a name to address the participant by (Twilio rules, see [`Label`]).
    pub label: Option<&'a str>,
    /// `Muted` (default false).
    pub muted: Option<bool>,
    /// `Coaching` (default false, unless `CallSidToCoach` is given).
    pub coaching: Option<bool>,
    /// `CallSidToCoach`: the coached participant. An empty value decodes as absent.
    pub call_sid_to_coach: Option<CallSid>,
    /// `StartConferenceOnEnter` (default true).
    pub start_conference_on_enter: Option<bool>,
    /// `EndConferenceOnExit` (default false).
    pub end_conference_on_exit: Option<bool>,
    /// `Beep` (default `true`).
    pub beep: Option<Beep>,
    /// `WaitUrl`: music until the conference starts; empty = silence.
    pub wait_url: Option<&'a str>,
    /// `WaitMethod` (default `POST`).
    pub wait_method: Option<Method>,
    /// `StatusCallback`: where call progress events go.
    pub status_callback: Option<&'a str>,
    /// `StatusCallbackMethod` (default `POST`).
    pub status_callback_method: Option<Method>,
    /// `StatusCallbackEvent`: which call progress events are sent.
    pub status_callback_event: Option<CallEvents>,
    /// `Timeout`: seconds to ring, [`TIMEOUT_MIN`]..=[`TIMEOUT_MAX`].
    pub timeout: Option<u32>,
    /// `EarlyMedia` (default true).
    pub early_media: Option<bool>,
    /// `Record` (default false).
    pub record: Option<bool>,
}

/// Why a [`Create`] is not acceptable for a dialect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum ValidationError {
    /// `From` or `To` is empty.
    Empty {
        /// The field.
        field: Field,
    },
    /// The label breaks Twilio's label rules (see [`Label::check`]).
    Label(IdError),
    /// `Coaching=true` without `CallSidToCoach`.
    CoachingWithoutTarget,
    /// `Coaching=false` together with a `CallSidToCoach`.
    CoachTargetWithoutCoaching,
    /// A URL field is not an absolute http(s) URL without control characters.
    InvalidUrl {
        /// The field.
        field: Field,
        /// What is wrong.
        problem: UrlProblem,
    },
    /// A SID of another dialect's form (UUID to Twilio, `CA…` to SignalWire
    /// or Telnyx).
    SidForm {
        /// The field.
        field: Field,
    },
    /// A field the dialect's API does not have (Telnyx: `WaitMethod`).
    NotInDialect {
        /// The field.
        field: Field,
        /// The dialect it was to be sent to.
        dialect: Dialect,
    },
    /// A number outside its documented range.
    OutOfRange {
        /// The field.
        field: Field,
        /// The value sent.
        value: u32,
        /// Smallest allowed.
        min: u32,
        /// Largest allowed.
        max: u32,
    },
}

impl ValidationError {
    /// The HTTP status a bridge answers with (always 400).
    pub const fn http_status(&self) -> u16 {
        400
    }

    /// The error code a bridge answers with: 16023 for a label that is too
    /// long, 16024 for any other invalid label (`/`, looks like a call SID,
    /// control characters, empty, `.`/`..`), 20001 otherwise.
    ///
    /// ```
    /// use confpart::api::create::{Create, ValidationError};
    /// use confpart::api::path::Dialect;
    /// let e = Create::new("a", "b").label("a/b").validate(Dialect::Twilio).unwrap_err();
    /// assert_eq!((e.http_status(), e.code()), (400, 16024));
    /// ```
    pub const fn code(&self) -> u32 {
        match self {
            Self::Label(IdError::LabelTooLong { .. }) => codes::LABEL_TOO_LONG,
            Self::Label(_) => codes::LABEL_INVALID,
            _ => codes::INVALID_PARAMETER,
        }
    }
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty { field } => write!(f, "{field} is required and must not be empty"),
            Self::Label(e) => write!(f, "Label: {e}"),
            Self::CoachingWithoutTarget => f.write_str("Coaching=true requires CallSidToCoach"),
            Self::CoachTargetWithoutCoaching => {
                f.write_str("CallSidToCoach is set but Coaching=false")
            }
            Self::InvalidUrl { field, problem } => match problem {
                UrlProblem::Character { offset } => write!(
                    f,
                    "{field} has a control character or whitespace at byte {offset}"
                ),
                UrlProblem::TooLong => write!(f, "{field} is longer than {URL_MAX_LEN} bytes"),
                _ => write!(f, "{field} is not an absolute http(s) URL"),
            },
            Self::SidForm { field } => write!(f, "{field} has a SID of another dialect's form"),
            Self::NotInDialect { field, dialect } => {
                write!(f, "{field} is not a field of the {dialect} API, not sent")
            }
            Self::OutOfRange {
                field,
                value,
                min,
                max,
            } => write!(f, "{field} is {value}, outside {min}..={max}"),
        }
    }
}

impl core::error::Error for ValidationError {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            Self::Label(e) => Some(e),
            _ => None,
        }
    }
}

/// Why a form body could not be decoded into a [`Create`] (the form error
/// shared with [`Update`](crate::api::update::Update), over Create's fields).
/// Offsets are byte offsets in the body.
pub type FormError = fields::FormError<Field>;

/// Create's answer to a form error.
impl fields::FormError<Field> {
    /// The HTTP status a bridge answers with (always 400).
    pub const fn http_status(&self) -> u16 {
        400
    }

    /// The error code a bridge answers with: 16023 for a `Label` longer than
    /// can be stored (it is longer than 128 characters), 20001 otherwise.
    ///
    /// ```
    /// use confpart::api::create::{Create, FormError};
    /// let mut scratch = [0u8; 8];
    /// let e = Create::decode(b"From=a", &mut scratch).unwrap_err();
    /// assert_eq!((e.http_status(), e.code()), (400, 20001));
    /// ```
    pub const fn code(&self) -> u32 {
        match self {
            Self::TooLong {
                field: Field::Label,
                ..
            } => codes::LABEL_TOO_LONG,
            _ => codes::INVALID_PARAMETER,
        }
    }
}

/// A decoded form body: the request and the keys that were ignored.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct DecodedCreate<'a> {
    /// The fields that were present.
    pub create: Create<'a>,
    /// Unknown keys (accepted and ignored, as Twilio does).
    pub ignored: IgnoredKeys<'a>,
}

impl<'a> Create<'a> {
    /// A request with the two required fields and nothing else.
    pub const fn new(from: &'a str, to: &'a str) -> Self {
        Self {
            from,
            to,
            label: None,
            muted: None,
            coaching: None,
            call_sid_to_coach: None,
            start_conference_on_enter: None,
            end_conference_on_exit: None,
            beep: None,
            wait_url: None,
            wait_method: None,
            status_callback: None,
            status_callback_method: None,
            status_callback_event: None,
            timeout: None,
            early_media: None,
            record: None,
        }
    }

    setters! {
        /// Sets `Label`.
        label: &'a str;
        /// Sets `Muted`.
        muted: bool;
        /// Sets `Coaching`.
        coaching: bool;
        /// Sets `CallSidToCoach`.
        call_sid_to_coach: CallSid;
        /// Sets `StartConferenceOnEnter`.
        start_conference_on_enter: bool;
        /// Sets `EndConferenceOnExit`.
        end_conference_on_exit: bool;
        /// Sets `Beep`.
        beep: Beep;
        /// Sets `WaitUrl` (empty = silence).
        wait_url: &'a str;
        /// Sets `WaitMethod`.
        wait_method: Method;
        /// Sets `StatusCallback`.
        status_callback: &'a str;
        /// Sets `StatusCallbackMethod`.
        status_callback_method: Method;
        /// Sets `StatusCallbackEvent`.
        status_callback_event: CallEvents;
        /// Sets `Timeout` (seconds).
        timeout: u32;
        /// Sets `EarlyMedia`.
        early_media: bool;
        /// Sets `Record`.
        record: bool;
    }

    /// The participant it will coach: `CallSidToCoach`, unless
    /// `Coaching=false` (a target alone implies coaching, Twilio's rule).
    pub fn coach_target(&self) -> Option<CallSid> {
        match self.coaching {
            Some(false) => None,
            _ => self.call_sid_to_coach,
        }
    }

    /// True when `field` is set (`From` and `To` always are).
    pub const fn is_set(&self, field: Field) -> bool {
        match field {
            Field::From | Field::To => true,
            Field::Label => self.label.is_some(),
            Field::Muted => self.muted.is_some(),
            Field::Coaching => self.coaching.is_some(),
            Field::CallSidToCoach => self.call_sid_to_coach.is_some(),
            Field::StartConferenceOnEnter => self.start_conference_on_enter.is_some(),
            Field::EndConferenceOnExit => self.end_conference_on_exit.is_some(),
            Field::Beep => self.beep.is_some(),
            Field::WaitUrl => self.wait_url.is_some(),
            Field::WaitMethod => self.wait_method.is_some(),
            Field::StatusCallback => self.status_callback.is_some(),
            Field::StatusCallbackMethod => self.status_callback_method.is_some(),
            Field::StatusCallbackEvent => self.status_callback_event.is_some(),
            Field::Timeout => self.timeout.is_some(),
            Field::EarlyMedia => self.early_media.is_some(),
            Field::Record => self.record.is_some(),
        }
    }

    /// The fields that are set, in encoding order.
    pub fn fields(&self) -> impl Iterator<Item = Field> + '_ {
        Field::ALL.into_iter().filter(|f| self.is_set(*f))
    }

    /// Checks the documented rules for `dialect`, in this order:
    /// - `From` and `To` are not empty;
    /// - `Label` follows [`Label::check`] (≤ 128 characters, no `/` nor
    ///   control characters, not `.`/`..`, not a call SID);
    /// - `Coaching=true` needs `CallSidToCoach`; `Coaching=false` must not
    ///   name one; the SID has the dialect's form (`CA…` / UUID);
    /// - `WaitUrl` (may be empty) and `StatusCallback` are absolute http(s)
    ///   URLs of at most [`URL_MAX_LEN`] bytes without control characters or
    ///   whitespace;
    /// - `Timeout` is within [`TIMEOUT_MIN`]..=[`TIMEOUT_MAX`]
    ///   (Telnyx: ..=[`TELNYX_TIMEOUT_MAX`]);
    /// - every field is one of the dialect's ([`Field::in_dialect`]: Telnyx
    ///   has no `WaitMethod`).
    pub fn validate(&self, dialect: Dialect) -> Result<(), ValidationError> {
        for (field, value) in [(Field::From, self.from), (Field::To, self.to)] {
            if value.is_empty() {
                return Err(ValidationError::Empty { field });
            }
        }
        if let Some(label) = self.label {
            Label::check(label).map_err(ValidationError::Label)?;
            // In Telnyx a `v3:…` reference is a call id: such a label could
            // not be addressed.
            if dialect == Dialect::Telnyx && CallSid::parse(label).is_ok() {
                return Err(ValidationError::Label(IdError::LabelLooksLikeCallSid));
            }
        }
        match (self.coaching, self.call_sid_to_coach) {
            (Some(true), None) => return Err(ValidationError::CoachingWithoutTarget),
            (Some(false), Some(_)) => return Err(ValidationError::CoachTargetWithoutCoaching),
            _ => {}
        }
        if let Some(sid) = self.call_sid_to_coach
            && !dialect.accepts_call_form(sid.form())
        {
            return Err(ValidationError::SidForm {
                field: Field::CallSidToCoach,
            });
        }
        for (field, url) in [
            (Field::WaitUrl, self.wait_url),
            (Field::StatusCallback, self.status_callback),
        ] {
            if let Some(url) = url {
                check_url(field, url)?;
            }
        }
        let max = match dialect {
            Dialect::Telnyx => TELNYX_TIMEOUT_MAX,
            Dialect::Twilio | Dialect::SignalWire => TIMEOUT_MAX,
        };
        if let Some(value) = self.timeout
            && !(TIMEOUT_MIN..=max).contains(&value)
        {
            return Err(ValidationError::OutOfRange {
                field: Field::Timeout,
                value,
                min: TIMEOUT_MIN,
                max,
            });
        }
        if let Some(field) = self.fields().find(|f| !f.in_dialect(dialect)) {
            return Err(ValidationError::NotInDialect { field, dialect });
        }
        Ok(())
    }

    /// Writes the form body: `From`, `To`, then the set fields in
    /// [`Field::ALL`] order; booleans lowercase; one `StatusCallbackEvent`
    /// pair per event (as the helper libraries send a list; an empty set is
    /// one empty pair); values form-encoded (space as `+`). Encodes what it
    /// is given: call [`Create::validate`] first. (Telnyx:
    /// [`Create::encode_for`].)
    pub fn encode<S: Sink + ?Sized>(&self, sink: &mut S) -> Result<(), WriteError> {
        self.encode_for(Dialect::Twilio, sink)
    }

    /// [`Create::encode`] as `dialect`'s API documents the body: for
    /// Telnyx, `StatusCallbackEvent` is one value with the events separated
    /// by spaces (`StatusCallbackEvent=ringing+completed`, its SDKs' string
    /// parameter), not one pair per event.
    ///
    /// ```
    /// use confpart::api::create::{CallEvent, CallEvents, Create};
    /// use confpart::api::path::Dialect;
    ///
    /// let events = CallEvents::EMPTY.with(CallEvent::Ringing).with(CallEvent::Completed);
    /// let c = Create::new("a", "b").status_callback_event(events);
    /// let mut buf = [0u8; 96];
    /// let mut sink = confpart::wire::sink::SliceSink::new(&mut buf);
    /// c.encode_for(Dialect::Telnyx, &mut sink)?;
    /// assert_eq!(sink.written(), b"From=a&To=b&StatusCallbackEvent=ringing+completed");
    /// # Ok::<(), confpart::wire::sink::WriteError>(())
    /// ```
    pub fn encode_for<S: Sink + ?Sized>(
        &self,
        dialect: Dialect,
        sink: &mut S,
    ) -> Result<(), WriteError> {
        let one_value = dialect == Dialect::Telnyx;
        let mut first = true;
        let mut key = |sink: &mut S, field: Field| -> Result<(), WriteError> {
            if !first {
                sink.put(b"&")?;
            }
            first = false;
            sink.put_str(field.key())?;
            sink.put(b"=")
        };
        for field in self.fields() {
            match field {
                Field::StatusCallbackEvent => {
                    let events = self.status_callback_event.unwrap_or_default();
                    if events.is_empty() || one_value {
                        key(sink, field)?;
                    }
                    for (i, event) in events.iter().enumerate() {
                        if !one_value {
                            key(sink, field)?;
                        } else if i > 0 {
                            sink.put(b"+")?;
                        }
                        sink.put_str(event.as_str())?;
                    }
                }
                _ => {
                    key(sink, field)?;
                    self.put_value(sink, field)?;
                }
            }
        }
        Ok(())
    }

    fn put_value<S: Sink + ?Sized>(&self, sink: &mut S, field: Field) -> Result<(), WriteError> {
        let text = |sink: &mut S, v: Option<&str>| sink.put_form_component(v.unwrap_or(""));
        let boolean = |sink: &mut S, v: Option<bool>| {
            sink.put(if v == Some(true) { b"true" } else { b"false" })
        };
        let method = |sink: &mut S, m: Option<Method>| sink.put_str(m.map_or("", Method::as_str));
        match field {
            Field::From => sink.put_form_component(self.from),
            Field::To => sink.put_form_component(self.to),
            Field::Label => text(sink, self.label),
            Field::WaitUrl => text(sink, self.wait_url),
            Field::StatusCallback => text(sink, self.status_callback),
            Field::Muted => boolean(sink, self.muted),
            Field::Coaching => boolean(sink, self.coaching),
            Field::StartConferenceOnEnter => boolean(sink, self.start_conference_on_enter),
            Field::EndConferenceOnExit => boolean(sink, self.end_conference_on_exit),
            Field::EarlyMedia => boolean(sink, self.early_media),
            Field::Record => boolean(sink, self.record),
            Field::WaitMethod => method(sink, self.wait_method),
            Field::StatusCallbackMethod => method(sink, self.status_callback_method),
            Field::Beep => sink.put_str(self.beep.map_or("", Beep::as_str)),
            Field::CallSidToCoach => match &self.call_sid_to_coach {
                Some(sid) => sink.put(sid.as_bytes()),
                None => Ok(()),
            },
            Field::Timeout => match self.timeout {
                Some(t) => sink.put_u64(u64::from(t)),
                None => Ok(()),
            },
            // Written by `encode` (one pair per event).
            Field::StatusCallbackEvent => Ok(()),
        }
    }

    /// Encodes into `buf`; returns the body length.
    pub fn encode_to_slice(&self, buf: &mut [u8]) -> Result<usize, WriteError> {
        let mut sink = SliceSink::new(buf);
        self.encode(&mut sink)?;
        Ok(sink.len())
    }

    /// Length of the encoded body (for `Content-Length`), without writing it.
    pub fn encoded_len(&self) -> usize {
        let mut sink = CountingSink::default();
        // A counting sink never fails.
        let _ = self.encode(&mut sink);
        sink.count
    }

    /// Decodes a form body as real clients send it: `+` or `%20` for space,
    /// any key order, booleans, methods, `Beep` and events in any case,
    /// unknown keys ignored (and reported), duplicate known keys rejected
    /// (except `StatusCallbackEvent`, whose values add up; each value may
    /// also hold several events separated by spaces), invalid escapes and
    /// invalid UTF-8 rejected, over-long values rejected (never truncated),
    /// `From` and `To` required. An empty `CallSidToCoach` is absent.
    ///
    /// Values without escapes borrow from `body`; the others are decoded into
    /// `scratch`. A scratch buffer as long as the body always suffices.
    pub fn decode(body: &'a [u8], scratch: &'a mut [u8]) -> Result<DecodedCreate<'a>, FormError> {
        let mut create = Create::new("", "");
        let mut ignored = IgnoredKeys::default();
        let mut seen: u32 = 0;
        let mut scratch = Scratch { rest: scratch };
        for pair in form::pairs(body) {
            let Some(field) =
                fields::form_key::<_, KEY_BUF_LEN>(pair.key, pair.offset, Field::from_key)?
            else {
                ignored.push(pair.key);
                continue;
            };
            if seen & field.bit() != 0 && field != Field::StatusCallbackEvent {
                return Err(FormError::DuplicateKey {
                    field,
                    offset: pair.offset,
                });
            }
            seen |= field.bit();
            let value = Value {
                raw: pair.value,
                plain: !form::needs_decoding(pair.value, Space::Plus),
                offset: pair.value_offset,
                field,
            };
            let c = &mut create;
            match field {
                Field::From => c.from = value.text(&mut scratch, ENDPOINT_MAX_LEN)?,
                Field::To => c.to = value.text(&mut scratch, ENDPOINT_MAX_LEN)?,
                Field::Label => c.label = Some(value.text(&mut scratch, LABEL_CAPACITY)?),
                Field::WaitUrl => c.wait_url = Some(value.text(&mut scratch, URL_MAX_LEN)?),
                Field::StatusCallback => {
                    c.status_callback = Some(value.text(&mut scratch, URL_MAX_LEN)?);
                }
                Field::Muted => c.muted = Some(value.boolean()?),
                Field::Coaching => c.coaching = Some(value.boolean()?),
                Field::StartConferenceOnEnter => {
                    c.start_conference_on_enter = Some(value.boolean()?);
                }
                Field::EndConferenceOnExit => c.end_conference_on_exit = Some(value.boolean()?),
                Field::EarlyMedia => c.early_media = Some(value.boolean()?),
                Field::Record => c.record = Some(value.boolean()?),
                Field::WaitMethod => c.wait_method = Some(value.method()?),
                Field::StatusCallbackMethod => c.status_callback_method = Some(value.method()?),
                Field::Beep => c.beep = Some(beep(&value)?),
                Field::CallSidToCoach => c.call_sid_to_coach = value.call_sid()?,
                Field::Timeout => c.timeout = Some(number(&value)?),
                Field::StatusCallbackEvent => {
                    let events = events(&value)?;
                    c.status_callback_event = Some(CallEvents(
                        c.status_callback_event.unwrap_or_default().0 | events.0,
                    ));
                }
            }
        }
        for field in [Field::From, Field::To] {
            if seen & field.bit() == 0 {
                return Err(FormError::Missing { field });
            }
        }
        Ok(DecodedCreate { create, ignored })
    }
}

impl<'a> Create<'a> {
    /// Decodes a JSON body as the Python and Go SDKs send it
    /// (`{"From": "+1...", "To": "+1...", "Muted": true}`), with the outputs
    /// and rules of [`Create::decode`]: the same PascalCase keys (escapes in
    /// a key are decoded before matching), JSON booleans (or the strings
    /// `"true"` / `"false"`, any case), `Beep` as a boolean or one of its
    /// strings, `Timeout` as a number or a string of digits,
    /// `StatusCallbackEvent` as a string (events separated by spaces) or an
    /// array of such strings, `null` as absent, unknown keys ignored (their
    /// values checked and skipped) and reported as sent, duplicate known keys
    /// rejected, over-long values rejected (never truncated), `From` and `To`
    /// required. An empty `CallSidToCoach` is absent. The body must be one
    /// strict JSON object; anything else is a
    /// [`FormError::Json`](crate::api::fields::FormError::Json) with its byte
    /// offset.
    ///
    /// Strings without escapes borrow from `body`; the others are unescaped
    /// into `scratch`. A scratch buffer as long as the body always suffices.
    ///
    /// ```
    /// use confpart::api::create::{Beep, CallEvent, Create, Field, FormError};
    ///
    /// let body = br#"{"From": "+15017122661", "To": "+15558675310", "Beep": "onExit",
    ///   "Timeout": 30, "StatusCallbackEvent": "ringing completed", "Trim": "do-not-trim"}"#;
    /// let mut scratch = [0u8; 64];
    /// let d = Create::decode_json(body, &mut scratch)?;
    /// assert_eq!((d.create.from, d.create.beep, d.create.timeout), ("+15017122661", Some(Beep::OnExit), Some(30)));
    /// assert!(d.create.status_callback_event.unwrap().contains(CallEvent::Completed));
    /// assert_eq!(d.ignored.iter().next(), Some(&b"Trim"[..]));
    ///
    /// let e = Create::decode_json(br#"{"To": "+15558675310"}"#, &mut [0u8; 16]).unwrap_err();
    /// assert_eq!(e, FormError::Missing { field: Field::From });
    /// # Ok::<(), FormError>(())
    /// ```
    ///
    /// Needs the `json-body` feature (a bridge without it answers a JSON
    /// body 415).
    #[cfg(feature = "json-body")]
    pub fn decode_json(
        body: &'a [u8],
        scratch: &'a mut [u8],
    ) -> Result<DecodedCreate<'a>, FormError> {
        let mut create = Create::new("", "");
        let mut ignored = IgnoredKeys::default();
        let mut seen: u32 = 0;
        let mut scratch = Scratch { rest: scratch };
        fields::json_members(body, &mut ignored, |c, field: Field, key_offset| {
            if seen & field.bit() != 0 {
                return Err(FormError::DuplicateKey {
                    field,
                    offset: key_offset,
                });
            }
            let mut v = JsonValue::new(c, field);
            let c = &mut create;
            match field {
                Field::From | Field::To => {
                    let Some(text) = v.text(&mut scratch, ENDPOINT_MAX_LEN)? else {
                        // `null`: absent, as if not sent (then missing).
                        return Ok(());
                    };
                    if field == Field::From {
                        c.from = text;
                    } else {
                        c.to = text;
                    }
                }
                Field::Label => c.label = v.text(&mut scratch, LABEL_CAPACITY)?,
                Field::WaitUrl => c.wait_url = v.text(&mut scratch, URL_MAX_LEN)?,
                Field::StatusCallback => c.status_callback = v.text(&mut scratch, URL_MAX_LEN)?,
                Field::Muted => c.muted = v.boolean()?,
                Field::Coaching => c.coaching = v.boolean()?,
                Field::StartConferenceOnEnter => c.start_conference_on_enter = v.boolean()?,
                Field::EndConferenceOnExit => c.end_conference_on_exit = v.boolean()?,
                Field::EarlyMedia => c.early_media = v.boolean()?,
                Field::Record => c.record = v.boolean()?,
                Field::WaitMethod => c.wait_method = v.method()?,
                Field::StatusCallbackMethod => c.status_callback_method = v.method()?,
                Field::Beep => c.beep = json_beep(&mut v)?,
                Field::CallSidToCoach => c.call_sid_to_coach = v.call_sid()?.flatten(),
                Field::Timeout => c.timeout = v.uint(u32::MAX)?,
                Field::StatusCallbackEvent => c.status_callback_event = json_events(&mut v)?,
            }
            seen |= field.bit();
            Ok(())
        })?;
        for field in [Field::From, Field::To] {
            if seen & field.bit() == 0 {
                return Err(FormError::Missing { field });
            }
        }
        Ok(DecodedCreate { create, ignored })
    }
}

/// `Beep` in JSON: a boolean, or one of its strings (any case).
#[cfg(feature = "json-body")]
fn json_beep(v: &mut JsonValue<'_, '_, Field>) -> Result<Option<Beep>, FormError> {
    let invalid = v.invalid();
    match v.cursor().peek() {
        Some(b't' | b'f') => match v.boolean() {
            Ok(b) => Ok(b.map(|b| if b { Beep::True } else { Beep::False })),
            Err(FormError::InvalidBool { .. }) => Err(invalid),
            Err(e) => Err(e),
        },
        _ => v.word::<_, 7>(Beep::parse, invalid),
    }
}

/// `StatusCallbackEvent` in JSON: a string of events separated by spaces,
/// or an array of such strings.
#[cfg(feature = "json-body")]
fn json_events(v: &mut JsonValue<'_, '_, Field>) -> Result<Option<CallEvents>, FormError> {
    let invalid = v.invalid();
    let mut events = CallEvents::EMPTY;
    let present = v.strings(|s| {
        events = CallEvents(events.0 | event_words(s, invalid)?.0);
        Ok(())
    })?;
    Ok(present.then_some(events))
}

/// The events of one string value (separated by spaces).
#[cfg(feature = "json-body")]
fn event_words(s: JsonStr<'_>, invalid: FormError) -> Result<CallEvents, FormError> {
    let mut buf = [0u8; EVENTS_MAX_LEN];
    JsonValue::<Field>::small(s, &mut buf)
        .and_then(parse_events)
        .ok_or(invalid)
}

/// The URL rules of [`fields::check_url`]; an empty URL is refused, except
/// in `WaitUrl` (as on an Update).
fn check_url(field: Field, url: &str) -> Result<(), ValidationError> {
    if url.is_empty() {
        return match field {
            Field::WaitUrl => Ok(()),
            _ => Err(ValidationError::InvalidUrl {
                field,
                problem: UrlProblem::NotAbsoluteHttp,
            }),
        };
    }
    fields::check_url(url).map_err(|problem| ValidationError::InvalidUrl { field, problem })
}

/// Create's own readings of a value (the shared ones are on
/// [`FieldValue`]).
type Value<'a> = FieldValue<'a, Field>;

fn beep(v: &Value<'_>) -> Result<Beep, FormError> {
    let mut buf = [0u8; 7];
    v.small(&mut buf)?
        .and_then(Beep::parse)
        .ok_or_else(|| v.invalid())
}

fn number(v: &Value<'_>) -> Result<u32, FormError> {
    let mut buf = [0u8; 10];
    v.small(&mut buf)?
        .and_then(fields::parse_u32)
        .ok_or_else(|| v.invalid())
}

fn events(v: &Value<'_>) -> Result<CallEvents, FormError> {
    let mut buf = [0u8; EVENTS_MAX_LEN];
    v.small(&mut buf)?
        .and_then(parse_events)
        .ok_or_else(|| v.invalid())
}

/// The longest `StatusCallbackEvent` text read: "initiated ringing answered
/// completed" and separators fit.
const EVENTS_MAX_LEN: usize = 64;

/// Call events separated by spaces, in any case (`None`: a word that is not
/// one).
fn parse_events(text: &[u8]) -> Option<CallEvents> {
    let mut events = CallEvents::EMPTY;
    for word in text.split(|&b| b == b' ').filter(|w| !w.is_empty()) {
        let event = CallEvent::ALL
            .into_iter()
            .find(|e| e.as_str().as_bytes().eq_ignore_ascii_case(word))?;
        events = events.with(event);
    }
    Some(events)
}
