//! Conference status callbacks: the form a bridge (or Twilio, or SignalWire)
//! sends to the `ConferenceStatusCallback` URL given when a conference's first
//! participant was created, one per event; and the subscription that chose
//! the events (`ConferenceStatusCallbackEvent`).
//!
//! A bridge builds a [`Callback`] and [`encodes`](Callback::encode) it (then
//! signs the body with [`crate::api::signature`]); a receiver checks the
//! signature and [`decodes`](Callback::decode) it. Unknown keys are reported
//! ([`IgnoredKeys`]), as the Update decoder does, so a receiver keeps working
//! when the service adds a field.
//!
//! ```
//! use confpart::api::callback::{Callback, Event};
//! use confpart::wire::date::Timestamp;
//! use confpart::wire::ident::{AccountSid, CallSid, ConferenceSid};
//!
//! let mut cb = Callback::new(
//!     AccountSid::parse("ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")?,
//!     ConferenceSid::parse("CFaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")?,
//!     "room 1",
//!     3,
//!     Timestamp::from_civil(2026, 12, 7, 5, 30, 0)?,
//!     Event::ParticipantMute,
//! );
//! cb.call_sid = Some(CallSid::parse("CAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")?);
//! cb.muted = Some(true);
//! let mut body = [0u8; 512];
//! let n = cb.encode_to_slice(&mut body)?;
//! assert!(body[..n].starts_with(b"AccountSid=ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa&ConferenceSid="));
//!
//! let mut scratch = [0u8; 64];
//! let decoded = Callback::decode(&body[..n], &mut scratch)?;
//! assert_eq!(decoded.callback, cb);
//! assert!(decoded.ignored.is_empty());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## On a firmware
//!
//! A desk phone told the bridge to call `http://phone.local/conference-events`
//! checks each callback before it trusts it, with stack buffers only: the
//! core's request reader frames it, [`crate::api::signature::validate`]
//! checks `X-Twilio-Signature` with the account's auth token, and the
//! callback decodes into borrowed values.
//!
//! ```
//! use confpart::api::callback::{Callback, Event};
//! use confpart::api::signature::{Scheme, TWILIO_HEADER, validate};
//! use confpart::wire::http::{Progress, RequestReader};
//!
//! const URL: &str = "http://phone.local/conference-events";
//! const AUTH_TOKEN: &[u8] = b"0123456789abcdef0123456789abcdef";
//! // What arrived on the socket (in one piece here; `feed` takes any split).
//! let received: &[u8] = b"POST /conference-events HTTP/1.1\r\nHost: phone.local\r\n\
//!     X-Twilio-Signature: xo5sANQ97x9DFiJVVYu8Knx0Xjc=\r\n\
//!     Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 379\r\n\r\n\
//!     AccountSid=ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa&ConferenceSid=CFaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa&FriendlyName=front+desk&SequenceNumber=5&Timestamp=Sun%2C+07+Dec+2026+05%3A30%3A00+%2B0000&StatusCallbackEvent=participant-mute&CallSid=CAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa&Muted=true&Hold=false&Coaching=false&EndConferenceOnExit=false&StartConferenceOnEnter=true&ParticipantLabel=agent";
//!
//! let mut rx = [0u8; 1024];
//! let mut reader = RequestReader::new(&mut rx);
//! let Progress::Complete(request) = reader.feed(received)? else { unreachable!() };
//! let signature = request.header(TWILIO_HEADER).unwrap_or(b"");
//! // A forged or altered callback stops here (answer 403).
//! validate(Scheme::Twilio, AUTH_TOKEN, URL, request.body(), signature)?;
//!
//! let mut scratch = [0u8; 128];
//! let callback = Callback::decode(request.body(), &mut scratch)?.callback;
//! assert_eq!(callback.event, Event::ParticipantMute);
//! assert_eq!((callback.sequence_number, callback.muted), (5, Some(true)));
//! assert_eq!(callback.participant_label, Some("agent"));
//! assert_eq!(callback.friendly_name, "front desk");
//!
//! // The same bytes with one value changed are refused.
//! let mut forged = [0u8; 1024];
//! let forged = &mut forged[..received.len()];
//! forged.copy_from_slice(received);
//! let at = received.windows(10).position(|w| w == b"Muted=true").unwrap();
//! forged[at + 6..at + 10].copy_from_slice(b"TRUE");
//! let mut rx2 = [0u8; 1024];
//! let mut reader = RequestReader::new(&mut rx2);
//! let Progress::Complete(request) = reader.feed(forged)? else { unreachable!() };
//! assert!(validate(Scheme::Twilio, AUTH_TOKEN, URL, request.body(), signature).is_err());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use core::fmt;

use crate::api::fields::{self, FieldValue, IgnoredKeys, Method, Scratch, URL_MAX_LEN};
use crate::api::path::Dialect;
use crate::wire::date::Timestamp;
use crate::wire::form::{self, Space};
use crate::wire::ident::{AccountSid, CallSid, ConferenceSid, LABEL_CAPACITY, SID_CAPACITY};
use crate::wire::sink::{CountingSink, Sink, SliceSink, WriteError};

/// Longest `FriendlyName` (bytes, decoded); Twilio allows 128 characters.
pub const FRIENDLY_NAME_MAX_LEN: usize = 512;
/// Longest free-text value (`Reason`, `ReasonParticipantLeft`,
/// `ParticipantCallStatus`, `ReasonAnnouncementFailed`), bytes decoded.
pub const TEXT_MAX_LEN: usize = 256;
/// Longest key that can match a known field once decoded.
const KEY_BUF_LEN: usize = 40;

/// The error of [`Callback::decode`] and [`Subscriber::from_create`].
pub type FormError = fields::FormError<Field>;

/// A `StatusCallbackEvent` of a conference status callback.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Event {
    /// `conference-start`
    ConferenceStart,
    /// `conference-end`
    ConferenceEnd,
    /// `participant-join`
    ParticipantJoin,
    /// `participant-leave`
    ParticipantLeave,
    /// `participant-mute`
    ParticipantMute,
    /// `participant-unmute`
    ParticipantUnmute,
    /// `participant-hold`
    ParticipantHold,
    /// `participant-unhold`
    ParticipantUnhold,
    /// `participant-modify` (Coaching, EndConferenceOnExit, BeepOnExit or
    /// WaitUrl changed)
    ParticipantModify,
    /// `participant-speech-start`
    ParticipantSpeechStart,
    /// `participant-speech-stop`
    ParticipantSpeechStop,
    /// `announcement-end`
    AnnouncementEnd,
    /// `announcement-fail`
    AnnouncementFail,
}

impl Event {
    /// Every event.
    pub const ALL: [Event; 13] = [
        Self::ConferenceStart,
        Self::ConferenceEnd,
        Self::ParticipantJoin,
        Self::ParticipantLeave,
        Self::ParticipantMute,
        Self::ParticipantUnmute,
        Self::ParticipantHold,
        Self::ParticipantUnhold,
        Self::ParticipantModify,
        Self::ParticipantSpeechStart,
        Self::ParticipantSpeechStop,
        Self::AnnouncementEnd,
        Self::AnnouncementFail,
    ];

    /// The wire value.
    ///
    /// ```
    /// use confpart::api::callback::Event;
    /// assert_eq!(Event::ParticipantUnhold.as_str(), "participant-unhold");
    /// ```
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::ConferenceStart => "conference-start",
            Self::ConferenceEnd => "conference-end",
            Self::ParticipantJoin => "participant-join",
            Self::ParticipantLeave => "participant-leave",
            Self::ParticipantMute => "participant-mute",
            Self::ParticipantUnmute => "participant-unmute",
            Self::ParticipantHold => "participant-hold",
            Self::ParticipantUnhold => "participant-unhold",
            Self::ParticipantModify => "participant-modify",
            Self::ParticipantSpeechStart => "participant-speech-start",
            Self::ParticipantSpeechStop => "participant-speech-stop",
            Self::AnnouncementEnd => "announcement-end",
            Self::AnnouncementFail => "announcement-fail",
        }
    }

    /// The event a wire value names (exact case, as the services send it).
    ///
    /// ```
    /// use confpart::api::callback::Event;
    /// assert_eq!(Event::parse(b"conference-end"), Some(Event::ConferenceEnd));
    /// assert_eq!(Event::parse(b"end"), None);
    /// ```
    pub fn parse(s: &[u8]) -> Option<Self> {
        Self::ALL.into_iter().find(|e| e.as_str().as_bytes() == s)
    }

    /// The subscription word that asks for this event.
    ///
    /// ```
    /// use confpart::api::callback::{Event, Subscription};
    /// assert_eq!(Event::ParticipantUnmute.subscription(), Subscription::Mute);
    /// ```
    pub const fn subscription(self) -> Subscription {
        match self {
            Self::ConferenceStart => Subscription::Start,
            Self::ConferenceEnd => Subscription::End,
            Self::ParticipantJoin => Subscription::Join,
            Self::ParticipantLeave => Subscription::Leave,
            Self::ParticipantMute | Self::ParticipantUnmute => Subscription::Mute,
            Self::ParticipantHold | Self::ParticipantUnhold => Subscription::Hold,
            Self::ParticipantModify => Subscription::Modify,
            Self::ParticipantSpeechStart | Self::ParticipantSpeechStop => Subscription::Speaker,
            Self::AnnouncementEnd | Self::AnnouncementFail => Subscription::Announcement,
        }
    }

    /// True for the events about one participant (they carry `CallSid` and
    /// the participant's state).
    ///
    /// ```
    /// use confpart::api::callback::Event;
    /// assert!(Event::ParticipantHold.is_participant());
    /// assert!(!Event::ConferenceEnd.is_participant());
    /// ```
    pub const fn is_participant(self) -> bool {
        !matches!(
            self,
            Self::ConferenceStart
                | Self::ConferenceEnd
                | Self::AnnouncementEnd
                | Self::AnnouncementFail
        )
    }
}

impl fmt::Display for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A word of `ConferenceStatusCallbackEvent`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Subscription {
    /// `start`: conference-start
    Start,
    /// `end`: conference-end
    End,
    /// `join`: participant-join
    Join,
    /// `leave`: participant-leave
    Leave,
    /// `mute`: participant-mute, participant-unmute
    Mute,
    /// `hold`: participant-hold, participant-unhold
    Hold,
    /// `modify`: participant-modify (Twilio only)
    Modify,
    /// `speaker`: participant-speech-start, participant-speech-stop
    Speaker,
    /// `announcement`: announcement-end, announcement-fail (Twilio only)
    Announcement,
}

impl Subscription {
    /// Every word.
    pub const ALL: [Subscription; 9] = [
        Self::Start,
        Self::End,
        Self::Join,
        Self::Leave,
        Self::Mute,
        Self::Hold,
        Self::Modify,
        Self::Speaker,
        Self::Announcement,
    ];

    /// The word.
    ///
    /// ```
    /// use confpart::api::callback::Subscription;
    /// assert_eq!(Subscription::Speaker.as_str(), "speaker");
    /// ```
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Start => "start",
            Self::End => "end",
            Self::Join => "join",
            Self::Leave => "leave",
            Self::Mute => "mute",
            Self::Hold => "hold",
            Self::Modify => "modify",
            Self::Speaker => "speaker",
            Self::Announcement => "announcement",
        }
    }

    /// True when `dialect`'s vocabulary has the word (SignalWire: start end
    /// join leave mute hold speaker; Telnyx: start end join leave).
    ///
    /// ```
    /// use confpart::api::{callback::Subscription, path::Dialect};
    /// assert!(Subscription::Modify.offered_by(Dialect::Twilio));
    /// assert!(!Subscription::Modify.offered_by(Dialect::SignalWire));
    /// assert!(Subscription::Leave.offered_by(Dialect::Telnyx));
    /// assert!(!Subscription::Mute.offered_by(Dialect::Telnyx));
    /// ```
    pub const fn offered_by(self, dialect: Dialect) -> bool {
        match dialect {
            Dialect::Twilio => true,
            Dialect::SignalWire => !matches!(self, Self::Modify | Self::Announcement),
            Dialect::Telnyx => matches!(self, Self::Start | Self::End | Self::Join | Self::Leave),
        }
    }

    const fn bit(self) -> u16 {
        1 << (self as u16)
    }
}

/// A word of a subscription that the service does not offer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct UnknownWord {
    /// Byte offset of the word in the decoded value.
    pub offset: usize,
}

impl fmt::Display for UnknownWord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown subscription word at byte {}", self.offset)
    }
}

impl core::error::Error for UnknownWord {}

/// The events a callback URL asked for: a set of [`Subscription`]s.
///
/// ```
/// use confpart::api::callback::{Event, Subscription, Subscriptions};
/// use confpart::api::path::Dialect;
/// let s = Subscriptions::parse(b"join leave  mute", Dialect::SignalWire)?;
/// assert!(s.covers(Event::ParticipantUnmute));
/// assert!(!s.covers(Event::ConferenceStart));
/// assert_eq!(Subscriptions::default(), Subscriptions::DEFAULT);
/// assert!(Subscriptions::parse(b"modify", Dialect::SignalWire).is_err());
/// # Ok::<(), confpart::api::callback::UnknownWord>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Subscriptions(u16);

impl Default for Subscriptions {
    fn default() -> Self {
        Self::DEFAULT
    }
}

impl Subscriptions {
    /// No event.
    pub const EMPTY: Self = Self(0);
    /// What a Twilio or SignalWire conference gets without
    /// `ConferenceStatusCallbackEvent`: `start end`.
    pub const DEFAULT: Self = Self::EMPTY
        .with(Subscription::Start)
        .with(Subscription::End);

    /// What a conference of `dialect` gets without
    /// `ConferenceStatusCallbackEvent`: [`Self::DEFAULT`]; Telnyx sends
    /// nothing by default (its SDKs' documentation of the parameter).
    ///
    /// ```
    /// use confpart::api::{callback::Subscriptions, path::Dialect};
    /// assert_eq!(Subscriptions::default_for(Dialect::SignalWire), Subscriptions::DEFAULT);
    /// assert!(Subscriptions::default_for(Dialect::Telnyx).is_empty());
    /// ```
    pub const fn default_for(dialect: Dialect) -> Self {
        match dialect {
            Dialect::Twilio | Dialect::SignalWire => Self::DEFAULT,
            Dialect::Telnyx => Self::EMPTY,
        }
    }

    /// The set with `word` added.
    #[must_use]
    pub const fn with(self, word: Subscription) -> Self {
        Self(self.0 | word.bit())
    }

    /// The union of two sets.
    #[must_use]
    pub const fn union(self, other: Self) -> Self {
        Self(self.0 | other.0)
    }

    /// True when `word` is in the set.
    pub const fn contains(self, word: Subscription) -> bool {
        self.0 & word.bit() != 0
    }

    /// True when the set asks for `event`.
    pub const fn covers(self, event: Event) -> bool {
        self.contains(event.subscription())
    }

    /// True when the set is empty.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The words, in [`Subscription::ALL`] order.
    pub fn iter(self) -> impl Iterator<Item = Subscription> {
        Subscription::ALL
            .into_iter()
            .filter(move |w| self.contains(*w))
    }

    /// Parses a decoded value: words separated by spaces (any number), each
    /// one `dialect` offers, in any case. An empty value is the empty set.
    pub fn parse(value: &[u8], dialect: Dialect) -> Result<Self, UnknownWord> {
        let mut set = Self::EMPTY;
        let mut offset = 0;
        for word in value.split(|&b| b == b' ') {
            if !word.is_empty() {
                let found = Subscription::ALL.into_iter().find(|w| {
                    w.offered_by(dialect) && word.eq_ignore_ascii_case(w.as_str().as_bytes())
                });
                set = set.with(found.ok_or(UnknownWord { offset })?);
            }
            offset += word.len() + 1;
        }
        Ok(set)
    }

    /// Writes the words separated by spaces (decoded form).
    pub fn write<S: Sink + ?Sized>(self, sink: &mut S) -> Result<(), WriteError> {
        for (i, word) in self.iter().enumerate() {
            if i > 0 {
                sink.put(b" ")?;
            }
            sink.put_str(word.as_str())?;
        }
        Ok(())
    }
}

/// `ReasonConferenceEnded` of a `conference-end` callback.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum EndReason {
    /// `last-participant-left`
    LastParticipantLeft,
    /// `participant-with-end-conference-on-exit-left`
    EndConferenceOnExitLeft,
    /// `last-participant-kicked`
    LastParticipantKicked,
    /// `participant-with-end-conference-on-exit-kicked`
    EndConferenceOnExitKicked,
    /// `conference-ended-via-api`
    EndedViaApi,
}

impl EndReason {
    /// Every reason.
    pub const ALL: [EndReason; 5] = [
        Self::LastParticipantLeft,
        Self::EndConferenceOnExitLeft,
        Self::LastParticipantKicked,
        Self::EndConferenceOnExitKicked,
        Self::EndedViaApi,
    ];

    /// The wire value.
    ///
    /// ```
    /// use confpart::api::callback::EndReason;
    /// assert_eq!(EndReason::EndedViaApi.as_str(), "conference-ended-via-api");
    /// ```
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::LastParticipantLeft => "last-participant-left",
            Self::EndConferenceOnExitLeft => "participant-with-end-conference-on-exit-left",
            Self::LastParticipantKicked => "last-participant-kicked",
            Self::EndConferenceOnExitKicked => "participant-with-end-conference-on-exit-kicked",
            Self::EndedViaApi => "conference-ended-via-api",
        }
    }

    /// The reason a wire value names.
    pub fn parse(s: &[u8]) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str().as_bytes() == s)
    }
}

/// `ReasonParticipantLeft` when a participant was removed through the API.
pub const LEFT_VIA_API: &str = "participant_updated_via_api";
/// `ReasonParticipantLeft` when the participant hung up.
pub const LEFT_HUNG_UP: &str = "participant_hung_up";

/// A key of a conference status callback.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[allow(missing_docs)] // Each variant is the key of the same name.
pub enum Field {
    AccountSid,
    ConferenceSid,
    FriendlyName,
    SequenceNumber,
    Timestamp,
    StatusCallbackEvent,
    CallSid,
    Muted,
    Hold,
    Coaching,
    EndConferenceOnExit,
    StartConferenceOnEnter,
    ParticipantLabel,
    ParticipantCallStatus,
    ReasonParticipantLeft,
    CallSidEndingConference,
    ParticipantLabelEndingConference,
    ReasonConferenceEnded,
    Reason,
    AnnounceUrl,
    ReasonAnnouncementFailed,
    /// Telnyx: the same as `CallSid`.
    CallSidLegacy,
    /// Telnyx: the connection (TeXML application) of the call.
    ConnectionId,
    /// Telnyx: the type of the calling party (`customer`, ...).
    CallingPartyType,
    /// Telnyx: the caller.
    From,
    /// Telnyx: the caller's SIP URI.
    FromSipUri,
    /// Telnyx: who was called.
    To,
    /// Telnyx: the called SIP URI.
    ToSipUri,
    /// A create's `ConferenceStatusCallback` ([`Subscriber::from_create`]).
    ConferenceStatusCallback,
    /// A create's `ConferenceStatusCallbackMethod`.
    ConferenceStatusCallbackMethod,
    /// A create's `ConferenceStatusCallbackEvent`.
    ConferenceStatusCallbackEvent,
}

impl Field {
    /// The keys of a callback, in Twilio's encoding order.
    pub const ALL: [Field; 28] = [
        Self::AccountSid,
        Self::ConferenceSid,
        Self::FriendlyName,
        Self::SequenceNumber,
        Self::Timestamp,
        Self::StatusCallbackEvent,
        Self::CallSid,
        Self::Muted,
        Self::Hold,
        Self::Coaching,
        Self::EndConferenceOnExit,
        Self::StartConferenceOnEnter,
        Self::ParticipantLabel,
        Self::ParticipantCallStatus,
        Self::ReasonParticipantLeft,
        Self::CallSidEndingConference,
        Self::ParticipantLabelEndingConference,
        Self::ReasonConferenceEnded,
        Self::Reason,
        Self::AnnounceUrl,
        Self::ReasonAnnouncementFailed,
        Self::CallSidLegacy,
        Self::ConnectionId,
        Self::CallingPartyType,
        Self::From,
        Self::FromSipUri,
        Self::To,
        Self::ToSipUri,
    ];

    /// The keys of a callback in Telnyx's encoding order: its documented
    /// keys as its webhook reference lists them, then the others.
    pub const TELNYX_ORDER: [Field; 28] = [
        Self::AccountSid,
        Self::CallSid,
        Self::CallSidLegacy,
        Self::ConferenceSid,
        Self::ConnectionId,
        Self::FriendlyName,
        Self::SequenceNumber,
        Self::StatusCallbackEvent,
        Self::Timestamp,
        Self::CallingPartyType,
        Self::From,
        Self::FromSipUri,
        Self::ParticipantLabel,
        Self::To,
        Self::ToSipUri,
        Self::Muted,
        Self::Hold,
        Self::Coaching,
        Self::EndConferenceOnExit,
        Self::StartConferenceOnEnter,
        Self::ParticipantCallStatus,
        Self::ReasonParticipantLeft,
        Self::CallSidEndingConference,
        Self::ParticipantLabelEndingConference,
        Self::ReasonConferenceEnded,
        Self::Reason,
        Self::AnnounceUrl,
        Self::ReasonAnnouncementFailed,
    ];

    /// The keys in `dialect`'s encoding order.
    pub const fn order(dialect: Dialect) -> &'static [Field; 28] {
        match dialect {
            Dialect::Twilio | Dialect::SignalWire => &Self::ALL,
            Dialect::Telnyx => &Self::TELNYX_ORDER,
        }
    }

    /// The form key.
    ///
    /// ```
    /// use confpart::api::callback::Field;
    /// assert_eq!(Field::SequenceNumber.as_str(), "SequenceNumber");
    /// ```
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::AccountSid => "AccountSid",
            Self::ConferenceSid => "ConferenceSid",
            Self::FriendlyName => "FriendlyName",
            Self::SequenceNumber => "SequenceNumber",
            Self::Timestamp => "Timestamp",
            Self::StatusCallbackEvent => "StatusCallbackEvent",
            Self::CallSid => "CallSid",
            Self::Muted => "Muted",
            Self::Hold => "Hold",
            Self::Coaching => "Coaching",
            Self::EndConferenceOnExit => "EndConferenceOnExit",
            Self::StartConferenceOnEnter => "StartConferenceOnEnter",
            Self::ParticipantLabel => "ParticipantLabel",
            Self::ParticipantCallStatus => "ParticipantCallStatus",
            Self::ReasonParticipantLeft => "ReasonParticipantLeft",
            Self::CallSidEndingConference => "CallSidEndingConference",
            Self::ParticipantLabelEndingConference => "ParticipantLabelEndingConference",
            Self::ReasonConferenceEnded => "ReasonConferenceEnded",
            Self::Reason => "Reason",
            Self::AnnounceUrl => "AnnounceUrl",
            Self::ReasonAnnouncementFailed => "ReasonAnnouncementFailed",
            Self::CallSidLegacy => "CallSidLegacy",
            Self::ConnectionId => "ConnectionId",
            Self::CallingPartyType => "CallingPartyType",
            Self::From => "From",
            Self::FromSipUri => "FromSipUri",
            Self::To => "To",
            Self::ToSipUri => "ToSipUri",
            Self::ConferenceStatusCallback => "ConferenceStatusCallback",
            Self::ConferenceStatusCallbackMethod => "ConferenceStatusCallbackMethod",
            Self::ConferenceStatusCallbackEvent => "ConferenceStatusCallbackEvent",
        }
    }

    const fn bit(self) -> u32 {
        1 << (self as u32)
    }

    fn of_key(key: &[u8], offset: usize, known: &[Field]) -> Result<Option<Self>, FormError> {
        fields::form_key::<_, KEY_BUF_LEN>(key, offset, |k| {
            known.iter().copied().find(|f| f.as_str().as_bytes() == k)
        })
    }
}

/// The keys of a create that subscribe its conference ([`Subscriber`]).
const SUBSCRIBER_KEYS: [Field; 3] = [
    Field::ConferenceStatusCallback,
    Field::ConferenceStatusCallbackMethod,
    Field::ConferenceStatusCallbackEvent,
];

// Every key has a bit in the decoder's `seen: u32`.
const _: () = assert!((Field::ConferenceStatusCallbackEvent as u32) < u32::BITS);

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One conference status callback. The first six fields are on every
/// event; the others are `Some` on the events that carry them (a bridge sets
/// them, see each field; a decoder takes whatever the body has).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Callback<'a> {
    /// `AccountSid`
    pub account_sid: AccountSid,
    /// `ConferenceSid`
    pub conference_sid: ConferenceSid,
    /// `FriendlyName`: the conference's name.
    pub friendly_name: &'a str,
    /// `SequenceNumber`: 1, 2, ... per conference, in the order of the events.
    pub sequence_number: u32,
    /// `Timestamp` (RFC 2822; Telnyx: ISO 8601).
    pub timestamp: Timestamp,
    /// `StatusCallbackEvent`
    pub event: Event,
    /// `CallSid` (participant events).
    pub call_sid: Option<CallSid>,
    /// `Muted` (participant events).
    pub muted: Option<bool>,
    /// `Hold` (participant events).
    pub hold: Option<bool>,
    /// `Coaching` (participant events).
    pub coaching: Option<bool>,
    /// `EndConferenceOnExit` (participant events).
    pub end_conference_on_exit: Option<bool>,
    /// `StartConferenceOnEnter` (participant events).
    pub start_conference_on_enter: Option<bool>,
    /// `ParticipantLabel` (participant events of a labelled participant).
    pub participant_label: Option<&'a str>,
    /// `ParticipantCallStatus` (`participant-leave`, e.g. `completed`).
    pub participant_call_status: Option<&'a str>,
    /// `ReasonParticipantLeft` (`participant-leave`: [`LEFT_VIA_API`],
    /// [`LEFT_HUNG_UP`], ...).
    pub reason_participant_left: Option<&'a str>,
    /// `CallSidEndingConference` (`conference-end`).
    pub call_sid_ending_conference: Option<CallSid>,
    /// `ParticipantLabelEndingConference` (`conference-end`).
    pub participant_label_ending_conference: Option<&'a str>,
    /// `ReasonConferenceEnded` (`conference-end`).
    pub reason_conference_ended: Option<EndReason>,
    /// `Reason` (`conference-end`: a sentence).
    pub reason: Option<&'a str>,
    /// `AnnounceUrl` (announcement events).
    pub announce_url: Option<&'a str>,
    /// `ReasonAnnouncementFailed` (`announcement-fail`).
    pub reason_announcement_failed: Option<&'a str>,
    /// `CallSidLegacy` (Telnyx participant events): another id of the call.
    /// Telnyx's examples repeat `CallSid`; this crate's bridge sends the
    /// UUID its participant answers show as `call_sid_legacy`.
    pub call_sid_legacy: Option<CallSid>,
    /// `ConnectionId` (Telnyx).
    pub connection_id: Option<&'a str>,
    /// `CallingPartyType` (Telnyx, when known).
    pub calling_party_type: Option<&'a str>,
    /// `From` (Telnyx, when known).
    pub from: Option<&'a str>,
    /// `FromSipUri` (Telnyx, when known).
    pub from_sip_uri: Option<&'a str>,
    /// `To` (Telnyx, when known).
    pub to: Option<&'a str>,
    /// `ToSipUri` (Telnyx, when known).
    pub to_sip_uri: Option<&'a str>,
}

/// A decoded callback and the keys it had that are not callback fields.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct DecodedCallback<'a> {
    /// The callback.
    pub callback: Callback<'a>,
    /// Unknown keys, in body order.
    pub ignored: IgnoredKeys<'a>,
}

impl<'a> Callback<'a> {
    /// A callback with the fields every event has; the others absent.
    pub const fn new(
        account_sid: AccountSid,
        conference_sid: ConferenceSid,
        friendly_name: &'a str,
        sequence_number: u32,
        timestamp: Timestamp,
        event: Event,
    ) -> Self {
        Self {
            account_sid,
            conference_sid,
            friendly_name,
            sequence_number,
            timestamp,
            event,
            call_sid: None,
            muted: None,
            hold: None,
            coaching: None,
            end_conference_on_exit: None,
            start_conference_on_enter: None,
            participant_label: None,
            participant_call_status: None,
            reason_participant_left: None,
            call_sid_ending_conference: None,
            participant_label_ending_conference: None,
            reason_conference_ended: None,
            reason: None,
            announce_url: None,
            reason_announcement_failed: None,
            call_sid_legacy: None,
            connection_id: None,
            calling_party_type: None,
            from: None,
            from_sip_uri: None,
            to: None,
            to_sip_uri: None,
        }
    }

    /// Writes the form body as Twilio and SignalWire send it: the fields
    /// that are set, in [`Field::ALL`] order, booleans lowercase, the
    /// timestamp in RFC 2822 ([`Callback::encode_in`] with
    /// [`Dialect::Twilio`]).
    pub fn encode<S: Sink + ?Sized>(&self, sink: &mut S) -> Result<(), WriteError> {
        self.encode_in(Dialect::Twilio, sink)
    }

    /// Writes the form body as `dialect` sends it: the fields that are set,
    /// in [`Field::order`], booleans lowercase, the timestamp in RFC 2822
    /// (Telnyx: ISO 8601, `2026-12-07T08:00:00Z`).
    ///
    /// ```
    /// use confpart::api::callback::{Callback, Event};
    /// use confpart::api::path::Dialect;
    /// use confpart::wire::{date::Timestamp, ident::{AccountSid, CallSid, ConferenceSid}};
    ///
    /// let mut cb = Callback::new(
    ///     AccountSid::parse("f5586561-8ff0-4291-a51b-c7dfe4139ff9")?,
    ///     ConferenceSid::parse("2b4a8b8c-5f1e-4c3a-9d0e-1f2a3b4c5d6e")?,
    ///     "room",
    ///     2,
    ///     Timestamp::from_civil(2026, 12, 7, 8, 0, 0)?,
    ///     Event::ParticipantJoin,
    /// );
    /// let call = CallSid::parse("v3:9X2vxPDFY2RHSJ1EdMS0RHRksMTg7ldNxdjWbVr9zBjbGjGsSe-aiQ")?;
    /// (cb.call_sid, cb.call_sid_legacy) = (Some(call), Some(call));
    /// let mut body = [0u8; 512];
    /// let mut sink = confpart::wire::sink::SliceSink::new(&mut body);
    /// cb.encode_in(Dialect::Telnyx, &mut sink)?;
    /// let text = core::str::from_utf8(sink.written())?;
    /// assert!(text.starts_with("AccountSid=f5586561-8ff0-4291-a51b-c7dfe4139ff9&CallSid=v3%3A9X2v"));
    /// assert!(text.ends_with("&SequenceNumber=2&StatusCallbackEvent=participant-join&Timestamp=2026-12-07T08%3A00%3A00Z"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn encode_in<S: Sink + ?Sized>(
        &self,
        dialect: Dialect,
        sink: &mut S,
    ) -> Result<(), WriteError> {
        let mut rfc2822 = [0u8; crate::wire::date::RFC2822_LEN];
        let mut iso = [0u8; crate::wire::date::ISO8601_LEN];
        let timestamp = match dialect {
            Dialect::Twilio | Dialect::SignalWire => self.timestamp.write_rfc2822(&mut rfc2822),
            Dialect::Telnyx => self.timestamp.write_iso8601(&mut iso),
        };
        let mut first = true;
        for &field in Field::order(dialect) {
            let Some(value) = self.value(field, timestamp) else {
                continue;
            };
            if !first {
                sink.put(b"&")?;
            }
            first = false;
            sink.put_str(field.as_str())?;
            sink.put(b"=")?;
            match value {
                Value::Text(text) => sink.put_form_component(text)?,
                Value::Number(n) => sink.put_u64(u64::from(n))?,
            }
        }
        Ok(())
    }

    /// The text of an optional field, as the form carries it, if set:
    /// `true` / `false` for a flag. `None` for the six fields every callback
    /// has (read them from their own members) and for the subscription keys
    /// of a create.
    ///
    /// ```
    /// use confpart::api::callback::{Callback, Event, Field};
    /// use confpart::wire::{date::Timestamp, ident::{AccountSid, ConferenceSid}};
    /// let mut cb = Callback::new(
    ///     AccountSid::parse("ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")?,
    ///     ConferenceSid::parse("CFaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")?,
    ///     "room",
    ///     1,
    ///     Timestamp::from_unix(0).unwrap(),
    ///     Event::ParticipantMute,
    /// );
    /// cb.muted = Some(true);
    /// assert_eq!(cb.optional_text(Field::Muted), Some("true"));
    /// assert_eq!(cb.optional_text(Field::Hold), None);
    /// assert_eq!(cb.optional_text(Field::FriendlyName), None);
    /// # Ok::<(), confpart::wire::ident::IdError>(())
    /// ```
    pub fn optional_text(&self, field: Field) -> Option<&str> {
        match field {
            Field::AccountSid
            | Field::ConferenceSid
            | Field::FriendlyName
            | Field::SequenceNumber
            | Field::Timestamp
            | Field::StatusCallbackEvent => None,
            _ => match self.value(field, "")? {
                Value::Text(text) => Some(text),
                Value::Number(_) => None,
            },
        }
    }

    /// The value of `field`, if set (`timestamp`: the written timestamp).
    fn value<'s>(&'s self, field: Field, timestamp: &'s str) -> Option<Value<'s>> {
        let boolean = |v: Option<bool>| v.map(|v| Value::Text(if v { "true" } else { "false" }));
        let text = |v: Option<&'s str>| v.map(Value::Text);
        match field {
            Field::AccountSid => Some(Value::Text(self.account_sid.as_str())),
            Field::ConferenceSid => Some(Value::Text(self.conference_sid.as_str())),
            Field::FriendlyName => Some(Value::Text(self.friendly_name)),
            Field::SequenceNumber => Some(Value::Number(self.sequence_number)),
            Field::Timestamp => Some(Value::Text(timestamp)),
            Field::StatusCallbackEvent => Some(Value::Text(self.event.as_str())),
            Field::CallSid => text(self.call_sid.as_ref().map(|s| s.as_str())),
            Field::Muted => boolean(self.muted),
            Field::Hold => boolean(self.hold),
            Field::Coaching => boolean(self.coaching),
            Field::EndConferenceOnExit => boolean(self.end_conference_on_exit),
            Field::StartConferenceOnEnter => boolean(self.start_conference_on_enter),
            Field::ParticipantLabel => text(self.participant_label),
            Field::ParticipantCallStatus => text(self.participant_call_status),
            Field::ReasonParticipantLeft => text(self.reason_participant_left),
            Field::CallSidEndingConference => {
                text(self.call_sid_ending_conference.as_ref().map(|s| s.as_str()))
            }
            Field::ParticipantLabelEndingConference => {
                text(self.participant_label_ending_conference)
            }
            Field::ReasonConferenceEnded => {
                text(self.reason_conference_ended.map(EndReason::as_str))
            }
            Field::Reason => text(self.reason),
            Field::AnnounceUrl => text(self.announce_url),
            Field::ReasonAnnouncementFailed => text(self.reason_announcement_failed),
            Field::CallSidLegacy => text(self.call_sid_legacy.as_ref().map(|s| s.as_str())),
            Field::ConnectionId => text(self.connection_id),
            Field::CallingPartyType => text(self.calling_party_type),
            Field::From => text(self.from),
            Field::FromSipUri => text(self.from_sip_uri),
            Field::To => text(self.to),
            Field::ToSipUri => text(self.to_sip_uri),
            Field::ConferenceStatusCallback
            | Field::ConferenceStatusCallbackMethod
            | Field::ConferenceStatusCallbackEvent => None,
        }
    }

    /// Encodes into `buf` as Twilio does ([`Callback::encode`]); returns the
    /// body length.
    pub fn encode_to_slice(&self, buf: &mut [u8]) -> Result<usize, WriteError> {
        let mut sink = SliceSink::new(buf);
        self.encode(&mut sink)?;
        Ok(sink.len())
    }

    /// Length of the body [`Callback::encode`] writes, without writing it.
    pub fn encoded_len(&self) -> usize {
        self.encoded_len_in(Dialect::Twilio)
    }

    /// Length of the body [`Callback::encode_in`] writes for `dialect`.
    pub fn encoded_len_in(&self, dialect: Dialect) -> usize {
        let mut count = CountingSink::default();
        // Counting never fails.
        let _ = self.encode_in(dialect, &mut count);
        count.count
    }

    /// Decodes a callback body as Twilio, SignalWire, Telnyx or a bridge
    /// sends it: any key order, `+` or `%20` for space, booleans in any
    /// case, unknown keys ignored and reported, duplicate keys rejected, the
    /// six fields of every event required, the timestamp in RFC 2822 or ISO
    /// 8601. SIDs of any form (Twilio's, a UUID, a Telnyx call-control id).
    ///
    /// Values without escapes borrow from `body`; the others are decoded
    /// into `scratch` (as long as the body always suffices).
    pub fn decode(body: &'a [u8], scratch: &'a mut [u8]) -> Result<DecodedCallback<'a>, FormError> {
        let mut scratch = Scratch { rest: scratch };
        let mut ignored = IgnoredKeys::default();
        let mut seen: u32 = 0;
        let mut account_sid = None;
        let mut conference_sid = None;
        let mut friendly_name = None;
        let mut sequence_number = None;
        let mut timestamp = None;
        let mut event = None;
        let mut cb = Callback::new(
            AccountSid::from_bits(0, crate::wire::ident::SidForm::Twilio),
            ConferenceSid::from_bits(0, crate::wire::ident::SidForm::Twilio),
            "",
            0,
            Timestamp::EPOCH,
            Event::ConferenceStart,
        );
        for pair in form::pairs(body) {
            let Some(field) = Field::of_key(pair.key, pair.offset, &Field::ALL)? else {
                ignored.push(pair.key);
                continue;
            };
            if seen & field.bit() != 0 {
                return Err(FormError::DuplicateKey {
                    field,
                    offset: pair.offset,
                });
            }
            seen |= field.bit();
            let value = FieldValue {
                raw: pair.value,
                plain: !form::needs_decoding(pair.value, Space::Plus),
                offset: pair.value_offset,
                field,
            };
            match field {
                Field::AccountSid => account_sid = Some(sid(&value, AccountSid::parse_bytes)?),
                Field::ConferenceSid => {
                    conference_sid = Some(sid(&value, ConferenceSid::parse_bytes)?);
                }
                Field::CallSid => cb.call_sid = Some(sid(&value, CallSid::parse_bytes)?),
                Field::CallSidEndingConference => {
                    cb.call_sid_ending_conference = Some(sid(&value, CallSid::parse_bytes)?);
                }
                Field::FriendlyName => {
                    friendly_name = Some(value.text(&mut scratch, FRIENDLY_NAME_MAX_LEN)?);
                }
                Field::SequenceNumber => {
                    let mut buf = [0u8; 10];
                    let n = value
                        .small(&mut buf)?
                        .and_then(fields::parse_u32)
                        .ok_or_else(|| value.invalid())?;
                    sequence_number = Some(n);
                }
                Field::Timestamp => {
                    let t = value.text(&mut scratch, TEXT_MAX_LEN)?.as_bytes();
                    let parsed = Timestamp::parse(t).or_else(|_| Timestamp::parse_iso8601(t));
                    timestamp = Some(parsed.map_err(|_| value.invalid())?);
                }
                Field::StatusCallbackEvent => {
                    let mut buf = [0u8; 24];
                    let e = value.small(&mut buf)?.and_then(Event::parse);
                    event = Some(e.ok_or_else(|| value.invalid())?);
                }
                Field::Muted => cb.muted = Some(value.boolean()?),
                Field::Hold => cb.hold = Some(value.boolean()?),
                Field::Coaching => cb.coaching = Some(value.boolean()?),
                Field::EndConferenceOnExit => cb.end_conference_on_exit = Some(value.boolean()?),
                Field::StartConferenceOnEnter => {
                    cb.start_conference_on_enter = Some(value.boolean()?);
                }
                Field::ParticipantLabel => {
                    cb.participant_label = Some(value.text(&mut scratch, LABEL_CAPACITY)?);
                }
                Field::ParticipantLabelEndingConference => {
                    cb.participant_label_ending_conference =
                        Some(value.text(&mut scratch, LABEL_CAPACITY)?);
                }
                Field::ParticipantCallStatus => {
                    cb.participant_call_status = Some(value.text(&mut scratch, TEXT_MAX_LEN)?);
                }
                Field::ReasonParticipantLeft => {
                    cb.reason_participant_left = Some(value.text(&mut scratch, TEXT_MAX_LEN)?);
                }
                Field::ReasonConferenceEnded => {
                    let mut buf = [0u8; 48];
                    let r = value.small(&mut buf)?.and_then(EndReason::parse);
                    cb.reason_conference_ended = Some(r.ok_or_else(|| value.invalid())?);
                }
                Field::Reason => cb.reason = Some(value.text(&mut scratch, TEXT_MAX_LEN)?),
                Field::AnnounceUrl => {
                    cb.announce_url = Some(value.text(&mut scratch, URL_MAX_LEN)?);
                }
                Field::ReasonAnnouncementFailed => {
                    cb.reason_announcement_failed = Some(value.text(&mut scratch, TEXT_MAX_LEN)?);
                }
                Field::CallSidLegacy => {
                    cb.call_sid_legacy = Some(sid(&value, CallSid::parse_bytes)?)
                }
                Field::ConnectionId => {
                    cb.connection_id = Some(value.text(&mut scratch, TEXT_MAX_LEN)?);
                }
                Field::CallingPartyType => {
                    cb.calling_party_type = Some(value.text(&mut scratch, TEXT_MAX_LEN)?);
                }
                Field::From => cb.from = Some(value.text(&mut scratch, URL_MAX_LEN)?),
                Field::FromSipUri => cb.from_sip_uri = Some(value.text(&mut scratch, URL_MAX_LEN)?),
                Field::To => cb.to = Some(value.text(&mut scratch, URL_MAX_LEN)?),
                Field::ToSipUri => cb.to_sip_uri = Some(value.text(&mut scratch, URL_MAX_LEN)?),
                // Not in `Field::ALL`: never matched here.
                Field::ConferenceStatusCallback
                | Field::ConferenceStatusCallbackMethod
                | Field::ConferenceStatusCallbackEvent => ignored.push(pair.key),
            }
        }
        let missing = |field| FormError::Missing { field };
        cb.account_sid = account_sid.ok_or(missing(Field::AccountSid))?;
        cb.conference_sid = conference_sid.ok_or(missing(Field::ConferenceSid))?;
        cb.friendly_name = friendly_name.ok_or(missing(Field::FriendlyName))?;
        cb.sequence_number = sequence_number.ok_or(missing(Field::SequenceNumber))?;
        cb.timestamp = timestamp.ok_or(missing(Field::Timestamp))?;
        cb.event = event.ok_or(missing(Field::StatusCallbackEvent))?;
        Ok(DecodedCallback {
            callback: cb,
            ignored,
        })
    }
}

/// A field's value as [`Callback::encode_in`] writes it.
#[derive(Clone, Copy)]
enum Value<'a> {
    /// Form-encoded.
    Text(&'a str),
    /// Decimal.
    Number(u32),
}

fn sid<T, F: Copy>(
    value: &FieldValue<'_, F>,
    parse: fn(&[u8]) -> Result<T, crate::wire::ident::IdError>,
) -> Result<T, fields::FormError<F>> {
    let mut buf = [0u8; SID_CAPACITY];
    let raw = value.small(&mut buf)?.ok_or_else(|| value.invalid())?;
    parse(raw).map_err(|_| value.invalid())
}

/// Where a conference's status callbacks go: its first participant's
/// `ConferenceStatusCallback`, `ConferenceStatusCallbackMethod` and
/// `ConferenceStatusCallbackEvent` (the Create decoder ignores these keys;
/// a bridge reads them here from the same body).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Subscriber<'a> {
    /// The callback URL (absolute http or https).
    pub url: &'a str,
    /// `POST` (default) or `GET`.
    pub method: Method,
    /// The events asked for ([`Subscriptions::default_for`] the dialect when
    /// the key is absent; the words of repeated keys are joined).
    pub events: Subscriptions,
}

impl<'a> Subscriber<'a> {
    /// Reads the subscription of a Create Participant body; `None` when it
    /// has no `ConferenceStatusCallback`. Words outside `dialect`'s
    /// vocabulary are [`FormError::InvalidValue`].
    ///
    /// ```
    /// use confpart::api::callback::{Event, Subscriber};
    /// use confpart::api::{fields::Method, path::Dialect};
    /// let body = b"From=a&To=b&ConferenceStatusCallback=https%3A%2F%2Fh.example%2Fcb\
    ///     &ConferenceStatusCallbackEvent=join+leave&ConferenceStatusCallbackEvent=mute";
    /// let mut scratch = [0u8; 64];
    /// let s = Subscriber::from_create(body, &mut scratch, Dialect::Twilio)?.unwrap();
    /// assert_eq!((s.url, s.method), ("https://h.example/cb", Method::Post));
    /// assert!(s.events.covers(Event::ParticipantUnmute));
    /// assert!(!s.events.covers(Event::ConferenceStart));
    /// # Ok::<(), confpart::api::callback::FormError>(())
    /// ```
    pub fn from_create(
        body: &'a [u8],
        scratch: &'a mut [u8],
        dialect: Dialect,
    ) -> Result<Option<Self>, FormError> {
        let mut scratch = Scratch { rest: scratch };
        let (mut url, mut method, mut events) = (None, None, None::<Subscriptions>);
        for pair in form::pairs(body) {
            let Some(field) = Field::of_key(pair.key, pair.offset, &SUBSCRIBER_KEYS)? else {
                continue;
            };
            let value = FieldValue {
                raw: pair.value,
                plain: !form::needs_decoding(pair.value, Space::Plus),
                offset: pair.value_offset,
                field,
            };
            let duplicate = FormError::DuplicateKey {
                field,
                offset: pair.offset,
            };
            match field {
                Field::ConferenceStatusCallback if url.is_none() => {
                    let u = value.text(&mut scratch, URL_MAX_LEN)?;
                    fields::check_url(u).map_err(|_| value.invalid())?;
                    url = Some(u);
                }
                Field::ConferenceStatusCallbackMethod if method.is_none() => {
                    method = Some(value.method()?);
                }
                Field::ConferenceStatusCallbackEvent => {
                    let words = value.text(&mut scratch, TEXT_MAX_LEN)?;
                    let set = Subscriptions::parse(words.as_bytes(), dialect)
                        .map_err(|_| value.invalid())?;
                    events = Some(events.unwrap_or(Subscriptions::EMPTY).union(set));
                }
                _ => return Err(duplicate),
            }
        }
        Ok(url.map(|url| Subscriber {
            url,
            method: method.unwrap_or(Method::Post),
            events: events.unwrap_or(Subscriptions::default_for(dialect)),
        }))
    }

    /// [`Subscriber::from_create`] for a JSON create body (telnyx-python's:
    /// `{"ConferenceStatusCallback": "https://…", "ConferenceStatusCallbackEvent":
    /// "join leave", …}`; the events also as an array of such strings). The
    /// other keys are skipped. Needs the `json-body` feature.
    ///
    /// ```
    /// use confpart::api::callback::{Event, Subscriber};
    /// use confpart::api::{fields::Method, path::Dialect};
    /// let body = br#"{"From": "a", "ConferenceStatusCallback": "https:\/\/h.example\/cb",
    ///     "ConferenceStatusCallbackMethod": "GET", "ConferenceStatusCallbackEvent": ["join", "start end"]}"#;
    /// let mut scratch = [0u8; 64];
    /// let s = Subscriber::from_create_json(body, &mut scratch, Dialect::Telnyx)?.unwrap();
    /// assert_eq!((s.url, s.method), ("https://h.example/cb", Method::Get));
    /// assert!(s.events.covers(Event::ParticipantJoin) && s.events.covers(Event::ConferenceEnd));
    /// assert!(!s.events.covers(Event::ParticipantLeave));
    /// # Ok::<(), confpart::api::callback::FormError>(())
    /// ```
    #[cfg(feature = "json-body")]
    pub fn from_create_json(
        body: &'a [u8],
        scratch: &'a mut [u8],
        dialect: Dialect,
    ) -> Result<Option<Self>, FormError> {
        let mut scratch = Scratch { rest: scratch };
        let (mut url, mut method, mut events) = (None, None, None::<Subscriptions>);
        let mut ignored = IgnoredKeys::default();
        fields::json_members(body, &mut ignored, |c, field: Field, key_offset| {
            let mut v = fields::JsonValue::new(c, field);
            let duplicate = FormError::DuplicateKey {
                field,
                offset: key_offset,
            };
            match field {
                Field::ConferenceStatusCallback if url.is_none() => {
                    let u = v.text(&mut scratch, URL_MAX_LEN)?;
                    if let Some(u) = u {
                        fields::check_url(u).map_err(|_| v.invalid())?;
                    }
                    url = u;
                }
                Field::ConferenceStatusCallbackMethod if method.is_none() => {
                    method = v.method()?;
                }
                Field::ConferenceStatusCallbackEvent if events.is_none() => {
                    events = json_subscriptions(&mut v, dialect)?;
                }
                _ => return Err(duplicate),
            }
            Ok(())
        })?;
        Ok(url.map(|url| Subscriber {
            url,
            method: method.unwrap_or(Method::Post),
            events: events.unwrap_or(Subscriptions::default_for(dialect)),
        }))
    }
}

/// `ConferenceStatusCallbackEvent` in JSON: a string of words, or an array
/// of such strings (`None`: `null`), each at most [`TEXT_MAX_LEN`] bytes
/// once unescaped.
#[cfg(feature = "json-body")]
fn json_subscriptions(
    v: &mut fields::JsonValue<'_, '_, Field>,
    dialect: Dialect,
) -> Result<Option<Subscriptions>, FormError> {
    let (invalid, field) = (v.invalid(), v.field);
    let mut set = Subscriptions::EMPTY;
    let present = v.strings(|s| {
        let mut buf = [0u8; TEXT_MAX_LEN];
        let text = fields::JsonValue::<Field>::small(s, &mut buf).ok_or(FormError::TooLong {
            field,
            max: TEXT_MAX_LEN,
        })?;
        set = set.union(Subscriptions::parse(text, dialect).map_err(|_| invalid)?);
        Ok(())
    })?;
    Ok(present.then_some(set))
}

/// The subscription keys of a create body, for [`fields::json_members`]:
/// every other key of the create is skipped.
#[cfg(feature = "json-body")]
impl fields::BodyField for Field {
    fn key(self) -> &'static str {
        self.as_str()
    }

    fn from_key(key: &[u8]) -> Option<Self> {
        SUBSCRIBER_KEYS
            .into_iter()
            .find(|f| f.as_str().as_bytes() == key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::{string::String, vec, vec::Vec};

    fn sample() -> Callback<'static> {
        let mut cb = Callback::new(
            AccountSid::parse("ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa").unwrap(),
            ConferenceSid::parse("CFaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa").unwrap(),
            "room & co",
            7,
            Timestamp::from_unix(1_765_000_000).unwrap(),
            Event::ConferenceEnd,
        );
        cb.call_sid_ending_conference =
            Some(CallSid::parse("CAbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb").unwrap());
        cb.participant_label_ending_conference = Some("agent é");
        cb.reason_conference_ended = Some(EndReason::EndConferenceOnExitLeft);
        cb.reason = Some("Participant agent with EndConferenceOnExit left");
        cb
    }

    #[test]
    fn round_trip_and_length() {
        let cb = sample();
        let mut buf = [0u8; 1024];
        let n = cb.encode_to_slice(&mut buf).unwrap();
        assert_eq!(n, cb.encoded_len());
        let body = &buf[..n];
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body).unwrap();
        assert!(pairs.contains(&("Timestamp".into(), "Sat, 06 Dec 2025 05:46:40 +0000".into())));
        assert!(pairs.contains(&(
            "ReasonConferenceEnded".into(),
            "participant-with-end-conference-on-exit-left".into()
        )));
        let mut scratch = vec![0u8; n];
        assert_eq!(Callback::decode(body, &mut scratch).unwrap().callback, cb);
    }

    #[test]
    fn decode_reports_unknown_and_rejects_bad() {
        let body = b"AccountSid=ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa&ConferenceSid=CFaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\
&FriendlyName=r&SequenceNumber=1&Timestamp=Sun%2C+07+Dec+2026+05%3A30%3A00+%2B0000\
&StatusCallbackEvent=conference-start&ApiVersion=2010-04-01";
        let mut scratch = [0u8; 256];
        let d = Callback::decode(body, &mut scratch).unwrap();
        assert_eq!(
            d.ignored.iter().collect::<Vec<_>>(),
            vec![&b"ApiVersion"[..]]
        );
        assert_eq!(d.callback.event, Event::ConferenceStart);
        let mut scratch = [0u8; 256];
        assert_eq!(
            Callback::decode(b"SequenceNumber=1", &mut scratch),
            Err(FormError::Missing {
                field: Field::AccountSid
            })
        );
        let mut scratch = [0u8; 256];
        assert_eq!(
            Callback::decode(b"SequenceNumber=x1", &mut scratch),
            Err(FormError::InvalidValue {
                field: Field::SequenceNumber,
                offset: 15
            })
        );
        let mut scratch = [0u8; 256];
        assert_eq!(
            Callback::decode(b"Muted=true&Muted=true", &mut scratch),
            Err(FormError::DuplicateKey {
                field: Field::Muted,
                offset: 11
            })
        );
    }

    /// The participant-join example of Telnyx's webhook reference, as a
    /// form (its documented content type), with a UUID conference.
    const TELNYX_JOIN: &[u8] = b"AccountSid=f5586561-8ff0-4291-a51b-c7dfe4139ff9\
&CallSid=v3%3A9X2vxPDFY2RHSJ1EdMS0RHRksMTg7ldNxdjWbVr9zBjbGjGsSe-aiQ\
&CallSidLegacy=v3:9X2vxPDFY2RHSJ1EdMS0RHRksMTg7ldNxdjWbVr9zBjbGjGsSe-aiQ\
&ConferenceSid=2b4a8b8c-5f1e-4c3a-9d0e-1f2a3b4c5d6e&ConnectionId=1234567890\
&FriendlyName=MyConference&SequenceNumber=2&StatusCallbackEvent=participant-join\
&Timestamp=2024-01-15T10%3A31%3A00Z&CallingPartyType=customer&From=%2B35319605860\
&FromSipUri=sip%3Auser%40example.com&ParticipantLabel=participant-1&To=%2B13129457420\
&ToSipUri=sip%3Aconference%40example.com";

    #[test]
    fn decodes_telnyx_and_encodes_in_its_order() {
        let mut scratch = [0u8; 512];
        let d = Callback::decode(TELNYX_JOIN, &mut scratch).unwrap();
        assert!(d.ignored.is_empty());
        let cb = d.callback;
        let call =
            CallSid::parse("v3:9X2vxPDFY2RHSJ1EdMS0RHRksMTg7ldNxdjWbVr9zBjbGjGsSe-aiQ").unwrap();
        assert_eq!((cb.call_sid, cb.call_sid_legacy), (Some(call), Some(call)));
        assert_eq!(cb.event, Event::ParticipantJoin);
        assert_eq!(cb.sequence_number, 2);
        assert_eq!(
            cb.timestamp,
            Timestamp::from_civil(2024, 1, 15, 10, 31, 0).unwrap()
        );
        assert_eq!(
            (cb.connection_id, cb.calling_party_type, cb.from, cb.to),
            (
                Some("1234567890"),
                Some("customer"),
                Some("+35319605860"),
                Some("+13129457420")
            )
        );
        assert_eq!(
            (cb.from_sip_uri, cb.to_sip_uri, cb.participant_label),
            (
                Some("sip:user@example.com"),
                Some("sip:conference@example.com"),
                Some("participant-1")
            )
        );
        // Encoded as Telnyx: its keys in its order, the same values.
        let mut buf = [0u8; 1024];
        let mut sink = SliceSink::new(&mut buf);
        cb.encode_in(Dialect::Telnyx, &mut sink).unwrap();
        let n = sink.len();
        assert_eq!(n, cb.encoded_len_in(Dialect::Telnyx));
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&buf[..n]).unwrap();
        let expected: Vec<(String, String)> = serde_urlencoded::from_bytes(TELNYX_JOIN).unwrap();
        assert_eq!(pairs, expected);
    }

    #[test]
    fn telnyx_subscriptions() {
        assert_eq!(
            Subscriptions::parse(b"start end join leave", Dialect::Telnyx)
                .map(|s| s.iter().count()),
            Ok(4)
        );
        for word in [
            &b"mute"[..],
            b"hold",
            b"speaker",
            b"modify",
            b"announcement",
        ] {
            assert!(Subscriptions::parse(word, Dialect::Telnyx).is_err());
        }
        let mut scratch = [0u8; 64];
        let s = Subscriber::from_create(
            b"ConferenceStatusCallback=https%3A%2F%2Fh.example%2Fcb",
            &mut scratch,
            Dialect::Telnyx,
        )
        .unwrap()
        .unwrap();
        assert!(s.events.is_empty());
    }

    #[test]
    fn subscription_words() {
        assert_eq!(
            Subscriptions::parse(b"", Dialect::Twilio),
            Ok(Subscriptions::EMPTY)
        );
        assert_eq!(
            Subscriptions::parse(b"start bogus", Dialect::Twilio),
            Err(UnknownWord { offset: 6 })
        );
        let all = Subscriptions::parse(
            b"start end join leave mute hold modify speaker announcement",
            Dialect::Twilio,
        )
        .unwrap();
        assert!(Event::ALL.iter().all(|e| all.covers(*e)));
        assert!(Subscriptions::parse(b"announcement", Dialect::SignalWire).is_err());
        let mut buf = [0u8; 64];
        let mut sink = SliceSink::new(&mut buf);
        all.write(&mut sink).unwrap();
        assert_eq!(
            Subscriptions::parse(sink.written(), Dialect::Twilio),
            Ok(all)
        );
    }

    proptest! {
        #[test]
        fn decode_never_panics(body in any::<Vec<u8>>(), cap in 0usize..256) {
            let mut scratch = vec![0u8; cap];
            let _ = Callback::decode(&body, &mut scratch);
            let mut scratch = vec![0u8; cap];
            let _ = Subscriber::from_create(&body, &mut scratch, Dialect::Twilio);
        }

        #[test]
        fn any_callback_round_trips(
            name in "[ -~é]{0,20}",
            seq in any::<u32>(),
            secs in 0u64..4_000_000_000,
            event in 0usize..13,
            muted in any::<Option<bool>>(),
            label in proptest::option::of("[ -~]{1,20}"),
            reason in proptest::option::of(0usize..5),
        ) {
            let mut cb = sample();
            cb.friendly_name = &name;
            cb.sequence_number = seq;
            cb.timestamp = Timestamp::from_unix(secs).unwrap();
            cb.event = Event::ALL[event];
            cb.muted = muted;
            cb.participant_label = label.as_deref();
            cb.reason_conference_ended = reason.map(|r| EndReason::ALL[r]);
            let mut buf = vec![0u8; cb.encoded_len()];
            let n = cb.encode_to_slice(&mut buf).unwrap();
            let mut scratch = vec![0u8; n];
            prop_assert_eq!(Callback::decode(&buf[..n], &mut scratch).unwrap().callback, cb);
            // Telnyx's form, its fields set too.
            let call = CallSid::from_bits(u128::from(seq), crate::wire::ident::SidForm::Telnyx);
            cb.call_sid = Some(call);
            cb.call_sid_legacy = Some(call);
            cb.connection_id = label.as_deref();
            cb.from = Some(&name);
            let mut buf = vec![0u8; cb.encoded_len_in(Dialect::Telnyx)];
            let mut sink = SliceSink::new(&mut buf);
            cb.encode_in(Dialect::Telnyx, &mut sink).unwrap();
            let n = sink.len();
            let mut scratch = vec![0u8; n];
            prop_assert_eq!(Callback::decode(&buf[..n], &mut scratch).unwrap().callback, cb);
        }
    }
}
