//! The participant resource (JSON), as answered by Update, Fetch and Create.
//!
//! Decoding is strict about JSON and lenient about content:
//! - the document must be RFC 8259 JSON ([`crate::json::validate`] runs first:
//!   no raw control characters, no garbage scalars, no lone surrogates,
//!   nesting at most [`crate::json::MAX_DEPTH`], even inside unknown fields);
//! - every field may be absent or `null`; unknown fields are skipped; field
//!   order does not matter; a duplicate known field is an error;
//! - strings are unescaped fully (`\"`, `\\`, `\u00e9`, surrogate pairs);
//! - dates are RFC 2822, parsed leniently ([`crate::date`]);
//! - an unknown `status` text is kept as [`Status::Unknown`].
//!
//! Encoding writes Twilio's shape, every field present (`null` when `None`),
//! dates in strict RFC 2822.
//!
//! ```
//! use confpart::participant::{Participant, Status};
//!
//! let json = br#"{"call_sid": "CAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "label": "Ren\u00e9",
//!                 "muted": true, "status": "connected", "extra": {"x": [1, 2]}}"#;
//! let p = Participant::decode(json)?;
//! assert_eq!(p.label.as_ref().map(|l| l.as_str()), Some("René"));
//! assert_eq!(p.status, Some(Status::Connected));
//! assert_eq!(p.hold, None);
//!
//! let mut buf = [0u8; 1024];
//! let n = p.encode_to_slice(&mut buf).unwrap();
//! assert_eq!(Participant::decode(&buf[..n])?, p);
//! # Ok::<(), confpart::json::JsonError>(())
//! ```

use core::fmt;

use serde::{Deserialize, Serialize};

use crate::date::Timestamp;
use crate::ident::{AccountSid, CallSid, ConferenceSid, IdError, Label, SID_CAPACITY};
use crate::json::{self, JsonError, UnescapeError};
use crate::write::WriteError;

/// Bytes reserved for the `uri` field.
pub const URI_CAPACITY: usize = 256;
/// Bytes reserved for the `queue_time` field (a number of milliseconds, as a string).
pub const QUEUE_TIME_CAPACITY: usize = 20;
/// Bytes reserved for a status text this crate does not know.
pub const STATUS_CAPACITY: usize = 24;

/// A status text outside the known values, kept verbatim (inline, `Copy`).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct StatusText {
    bytes: [u8; STATUS_CAPACITY],
    len: u8,
}

impl StatusText {
    /// Copies `s`; `None` if longer than [`STATUS_CAPACITY`].
    pub fn new(s: &str) -> Option<Self> {
        let mut bytes = [0u8; STATUS_CAPACITY];
        bytes.get_mut(..s.len())?.copy_from_slice(s.as_bytes());
        Some(Self {
            bytes,
            len: u8::try_from(s.len()).ok()?,
        })
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        let bytes = self.bytes.get(..usize::from(self.len)).unwrap_or(&[]);
        core::str::from_utf8(bytes).unwrap_or("")
    }
}

impl fmt::Debug for StatusText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

#[cfg(feature = "defmt")]
impl defmt::Format for StatusText {
    fn format(&self, f: defmt::Formatter<'_>) {
        defmt::write!(f, "{}", self.as_str())
    }
}

/// A participant's status: Twilio's six values, SignalWire's two, or an
/// unknown text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum Status {
    /// `queued` (Twilio; a created participant before its call is placed).
    Queued,
    /// `connecting` (Twilio).
    Connecting,
    /// `ringing` (Twilio).
    Ringing,
    /// `connected` (Twilio).
    Connected,
    /// `complete` (Twilio, and older SignalWire examples).
    Complete,
    /// `failed` (Twilio).
    Failed,
    /// `in-progress` (SignalWire: in the conference).
    InProgress,
    /// `completed` (SignalWire: left).
    Completed,
    /// Any other text, kept as sent.
    Unknown(StatusText),
}

impl Status {
    /// Parses a status text (exact, lowercase as the services send it).
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "queued" => Self::Queued,
            "connecting" => Self::Connecting,
            "ringing" => Self::Ringing,
            "connected" => Self::Connected,
            "complete" => Self::Complete,
            "failed" => Self::Failed,
            "in-progress" => Self::InProgress,
            "completed" => Self::Completed,
            other => Self::Unknown(StatusText::new(other)?),
        })
    }

    /// The wire text.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Queued => "queued",
            Self::Connecting => "connecting",
            Self::Ringing => "ringing",
            Self::Connected => "connected",
            Self::Complete => "complete",
            Self::Failed => "failed",
            Self::InProgress => "in-progress",
            Self::Completed => "completed",
            Self::Unknown(text) => text.as_str(),
        }
    }

    /// True for the states a participant never leaves (`complete`,
    /// `completed`, `failed`).
    pub const fn is_final(&self) -> bool {
        matches!(self, Self::Complete | Self::Completed | Self::Failed)
    }
}

impl Serialize for Status {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// The participant resource. All 15 fields of the wire contract; each may
/// be absent or `null` on the wire, hence `Option`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Participant {
    /// `account_sid`
    pub account_sid: Option<AccountSid>,
    /// `call_sid`
    pub call_sid: Option<CallSid>,
    /// `label` (Twilio only)
    pub label: Option<Label>,
    /// `conference_sid`
    pub conference_sid: Option<ConferenceSid>,
    /// `date_created`
    pub date_created: Option<Timestamp>,
    /// `date_updated`
    pub date_updated: Option<Timestamp>,
    /// `end_conference_on_exit`
    pub end_conference_on_exit: Option<bool>,
    /// `muted`
    pub muted: Option<bool>,
    /// `hold`
    pub hold: Option<bool>,
    /// `status`
    pub status: Option<Status>,
    /// `start_conference_on_enter`
    pub start_conference_on_enter: Option<bool>,
    /// `coaching`
    pub coaching: Option<bool>,
    /// `call_sid_to_coach`
    pub call_sid_to_coach: Option<CallSid>,
    /// `queue_time` (a string on the wire, Twilio create only)
    pub queue_time: Option<heapless::String<QUEUE_TIME_CAPACITY>>,
    /// `uri`: the resource path, with `.json`
    pub uri: Option<heapless::String<URI_CAPACITY>>,
}

/// The participant as serde-json-core sees it: strings still escaped.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct RawParticipant<'a> {
    #[serde(borrow)]
    account_sid: Option<&'a str>,
    #[serde(borrow)]
    call_sid: Option<&'a str>,
    #[serde(borrow)]
    label: Option<&'a str>,
    #[serde(borrow)]
    conference_sid: Option<&'a str>,
    #[serde(borrow)]
    date_created: Option<&'a str>,
    #[serde(borrow)]
    date_updated: Option<&'a str>,
    end_conference_on_exit: Option<bool>,
    muted: Option<bool>,
    hold: Option<bool>,
    #[serde(borrow)]
    status: Option<&'a str>,
    start_conference_on_enter: Option<bool>,
    coaching: Option<bool>,
    #[serde(borrow)]
    call_sid_to_coach: Option<&'a str>,
    #[serde(borrow)]
    queue_time: Option<&'a str>,
    #[serde(borrow)]
    uri: Option<&'a str>,
}

/// Unescapes a raw JSON string field into a fixed-capacity string.
pub(crate) fn text<const N: usize>(
    raw: &str,
    field: &'static str,
) -> Result<heapless::String<N>, JsonError> {
    json::unescape_to_string::<N>(raw).map_err(|e| match e {
        UnescapeError::Overflow { .. } => JsonError::TooLong { field, max: N },
        _ => JsonError::InvalidField { field },
    })
}

fn sid<T>(
    raw: Option<&str>,
    field: &'static str,
    parse: fn(&[u8]) -> Result<T, IdError>,
) -> Result<Option<T>, JsonError> {
    let invalid = JsonError::InvalidField { field };
    let unescaped: heapless::String<SID_CAPACITY>;
    let bytes = match raw {
        None | Some("") => return Ok(None),
        // No escape: parse the raw text where it is.
        Some(raw) if !raw.contains('\\') => raw.as_bytes(),
        Some(raw) => {
            unescaped = text(raw, field).map_err(|_| invalid)?;
            unescaped.as_bytes()
        }
    };
    parse(bytes).map(Some).map_err(|_| invalid)
}

fn date(raw: Option<&str>, field: &'static str) -> Result<Option<Timestamp>, JsonError> {
    match raw {
        None => Ok(None),
        Some(raw) => {
            // RFC 2822 dates are ASCII: an escape means garbage.
            Timestamp::parse(raw.as_bytes())
                .map(Some)
                .map_err(|_| JsonError::InvalidField { field })
        }
    }
}

impl RawParticipant<'_> {
    pub(crate) fn into_participant(self) -> Result<Participant, JsonError> {
        let status = match self.status {
            None => None,
            Some(raw) => {
                let s = text::<STATUS_CAPACITY>(raw, "status")?;
                Some(Status::parse(&s).ok_or(JsonError::TooLong {
                    field: "status",
                    max: STATUS_CAPACITY,
                })?)
            }
        };
        let label = match self.label {
            None => None,
            // No escape: validate and copy the raw text once.
            Some(raw) if !raw.contains('\\') => {
                if raw.len() > crate::ident::LABEL_CAPACITY {
                    return Err(JsonError::TooLong {
                        field: "label",
                        max: crate::ident::LABEL_CAPACITY,
                    });
                }
                Some(Label::new(raw).map_err(|_| JsonError::InvalidField { field: "label" })?)
            }
            Some(raw) => {
                let s = text::<{ crate::ident::LABEL_CAPACITY }>(raw, "label")?;
                Some(Label::new(&s).map_err(|_| JsonError::InvalidField { field: "label" })?)
            }
        };
        Ok(Participant {
            account_sid: sid(self.account_sid, "account_sid", AccountSid::parse_bytes)?,
            call_sid: sid(self.call_sid, "call_sid", CallSid::parse_bytes)?,
            label,
            conference_sid: sid(
                self.conference_sid,
                "conference_sid",
                ConferenceSid::parse_bytes,
            )?,
            date_created: date(self.date_created, "date_created")?,
            date_updated: date(self.date_updated, "date_updated")?,
            end_conference_on_exit: self.end_conference_on_exit,
            muted: self.muted,
            hold: self.hold,
            status,
            start_conference_on_enter: self.start_conference_on_enter,
            coaching: self.coaching,
            call_sid_to_coach: sid(
                self.call_sid_to_coach,
                "call_sid_to_coach",
                CallSid::parse_bytes,
            )?,
            queue_time: self
                .queue_time
                .map(|raw| text(raw, "queue_time"))
                .transpose()?,
            uri: self.uri.map(|raw| text(raw, "uri")).transpose()?,
        })
    }
}

impl Participant {
    /// Decodes a participant JSON document (see the module docs for how
    /// strict this is).
    pub fn decode(doc: &[u8]) -> Result<Self, JsonError> {
        json::validate(doc)?;
        let (raw, _) = serde_json_core::from_slice::<RawParticipant<'_>>(doc)?;
        raw.into_participant()
    }

    /// Encodes the participant as JSON into `buf`; returns the length.
    pub fn encode_to_slice(&self, buf: &mut [u8]) -> Result<usize, WriteError> {
        let mut sink = crate::write::SliceSink::new(buf);
        self.encode(&mut sink)?;
        Ok(sink.len())
    }

    // (wt-http stand-in for the JSON worktree's encoder: the same bytes as
    // the serde encoder, written straight into a sink.)
    /// Writes the participant as JSON (every field, `null` when absent).
    pub fn encode<S: crate::write::Sink + ?Sized>(&self, sink: &mut S) -> Result<(), WriteError> {
        fn text<S: crate::write::Sink + ?Sized>(
            sink: &mut S,
            key: &[u8],
            value: Option<&str>,
        ) -> Result<(), WriteError> {
            sink.put(key)?;
            match value {
                Some(v) => json::write_string(sink, v),
                None => sink.put(b"null"),
            }
        }
        fn flag<S: crate::write::Sink + ?Sized>(
            sink: &mut S,
            key: &[u8],
            value: Option<bool>,
        ) -> Result<(), WriteError> {
            sink.put(key)?;
            sink.put(match value {
                Some(true) => b"true",
                Some(false) => b"false",
                None => b"null",
            })
        }
        fn date<S: crate::write::Sink + ?Sized>(
            sink: &mut S,
            key: &[u8],
            value: Option<Timestamp>,
        ) -> Result<(), WriteError> {
            let mut buf = [0u8; crate::date::RFC2822_LEN];
            text(sink, key, value.map(|t| t.write_rfc2822(&mut buf)))
        }
        text(
            sink,
            b"{\"account_sid\":",
            self.account_sid.as_ref().map(|s| s.as_str()),
        )?;
        text(
            sink,
            b",\"call_sid\":",
            self.call_sid.as_ref().map(|s| s.as_str()),
        )?;
        text(
            sink,
            b",\"label\":",
            self.label.as_ref().map(|s| s.as_str()),
        )?;
        text(
            sink,
            b",\"conference_sid\":",
            self.conference_sid.as_ref().map(|s| s.as_str()),
        )?;
        date(sink, b",\"date_created\":", self.date_created)?;
        date(sink, b",\"date_updated\":", self.date_updated)?;
        flag(
            sink,
            b",\"end_conference_on_exit\":",
            self.end_conference_on_exit,
        )?;
        flag(sink, b",\"muted\":", self.muted)?;
        flag(sink, b",\"hold\":", self.hold)?;
        text(
            sink,
            b",\"status\":",
            self.status.as_ref().map(|s| s.as_str()),
        )?;
        flag(
            sink,
            b",\"start_conference_on_enter\":",
            self.start_conference_on_enter,
        )?;
        flag(sink, b",\"coaching\":", self.coaching)?;
        text(
            sink,
            b",\"call_sid_to_coach\":",
            self.call_sid_to_coach.as_ref().map(|s| s.as_str()),
        )?;
        text(sink, b",\"queue_time\":", self.queue_time.as_deref())?;
        text(sink, b",\"uri\":", self.uri.as_deref())?;
        sink.put(b"}")
    }

    /// The length [`Participant::encode`] writes (counted, not stored).
    pub fn encoded_len(&self) -> usize {
        let mut sink = crate::write::CountingSink::default();
        // A counting sink never fails.
        let _ = self.encode(&mut sink);
        sink.count
    }
}

/// Serializes `value` with serde-json-core into `buf`, mapping its error.
pub(crate) fn to_slice<T: Serialize>(value: &T, buf: &mut [u8]) -> Result<usize, WriteError> {
    let len = buf.len();
    serde_json_core::to_slice(value, buf).map_err(|_| WriteError::BufferFull {
        offset: len,
        needed: 1,
    })
}
