//! The participant resource (JSON), as answered by Update, Fetch and Create.
//!
//! [`Participant`] is a view: decoding borrows the document. SIDs, booleans,
//! the status and the dates are parsed while the document is read (one pass,
//! see [`crate::wire::json`]); the texts (`label`, `queue_time`, `uri`, an unknown
//! `status`, Telnyx's `call_sid_legacy`, `coaching_call_sid_legacy` and
//! `api_version`) stay escaped slices of the document, as [`JsonStr`]s that
//! unescape on demand. The whole value is at most 400 bytes (on a 64-bit
//! host; a text slice is half as large on a 32-bit microcontroller).
//!
//! One decoder reads the three services' resources: Twilio's and
//! SignalWire's keys, and Telnyx's (`api_version`, `call_sid_legacy`,
//! `coaching_call_sid` — Telnyx's name of `call_sid_to_coach`, the same
//! field —, `coaching_call_sid_legacy`; statuses `connecting`, `connected`,
//! `completed`).
//!
//! Decoding is strict about JSON and lenient about content:
//! - the document must be RFC 8259 JSON (no raw control characters, no
//!   garbage scalars, no lone surrogates, nesting at most
//!   [`crate::wire::json::MAX_DEPTH`], even inside unknown fields);
//! - it must be an object with a `call_sid`: that is what makes a body a
//!   participant (a list page, an error body or `{}` is
//!   [`JsonErrorKind::Missing`] `call_sid`);
//! - every other field may be absent or `null`; unknown fields are skipped;
//!   field order does not matter; a known field given twice is an error;
//! - dates are RFC 2822, parsed leniently ([`crate::wire::date`]);
//! - a `label` must be a valid [`crate::wire::ident::Label`] (checked on the
//!   unescaped characters);
//! - a `status` outside the known values is kept, raw, at any length:
//!   [`Status::Unknown`] and [`Participant::status_text`].
//!
//! **Empty strings**: one rule for every string field: `""` is treated
//! exactly like `null`, the field is absent (`call_sid: ""` is therefore a
//! missing `call_sid`; `status: ""` is no status; `label: ""` no label).
//!
//! Encoding writes Twilio's shape and order, every field present (`null` when
//! absent), dates in strict RFC 2822, by hand on [`crate::wire::json::write_string`]
//! (texts read from a document are copied as they are, already escaped);
//! [`Participant::encode_for`] writes each dialect's answer (Telnyx's
//! resource and create answer: its keys, absent fields omitted).
//!
//! ```
//! use confpart::api::participant::{Participant, Status};
//!
//! let json = br#"{"call_sid": "CAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "label": "Ren\u00e9",
//!                 "muted": true, "status": "connected", "extra": {"x": [1, 2]}}"#;
//! let p = Participant::decode(json)?;
//! assert!(p.label().unwrap().eq_str("René"));
//! assert_eq!(p.status(), Some(Status::Connected));
//! assert_eq!(p.hold(), None);
//!
//! let mut buf = [0u8; 1024];
//! let n = p.encode_to_slice(&mut buf).unwrap();
//! assert_eq!(n, p.encoded_len());
//! assert_eq!(Participant::decode(&buf[..n])?, p);
//! # Ok::<(), confpart::wire::json::JsonError>(())
//! ```
//!
//! A participant to *send* (a bridge rendering its model) is built from
//! values; texts are plain `&str` (escaped when written) and the `uri` can
//! be derived from the SIDs when it is written:
//!
//! ```
//! use confpart::wire::ident::{AccountSid, CallSid, ConferenceSid};
//! use confpart::api::participant::{Participant, Status};
//! use confpart::api::path::PathStyle;
//!
//! let p = Participant::new()
//!     .with_account_sid(AccountSid::parse("ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")?)
//!     .with_conference_sid(ConferenceSid::parse("CFaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")?)
//!     .with_call_sid(CallSid::parse("CAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")?)
//!     .with_label("front \"desk\"")
//!     .with_muted(true)
//!     .with_status(Status::Connected)
//!     .with_derived_uri(PathStyle::Twilio);
//! let mut buf = [0u8; 1024];
//! let n = p.encode_to_slice(&mut buf).unwrap();
//! let back = Participant::decode(&buf[..n]).unwrap();
//! assert!(back.label().unwrap().eq_str("front \"desk\""));
//! assert!(back.uri().unwrap().raw().ends_with("/Participants/CAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.json"));
//! assert_eq!(back, p);
//! # Ok::<(), confpart::wire::ident::IdError>(())
//! ```

use core::fmt;

use crate::api::path::{Dialect, PathStyle};
use crate::wire::date::{self, RFC2822_LEN, Timestamp};
use crate::wire::ident::{
    AccountSid, CallSid, ConferenceSid, IdKind, LABEL_MAX_CHARS, Label, RawSid, SID_CAPACITY,
    TWILIO_SID_LEN, parse_raw,
};
use crate::wire::json::{Cursor, JsonError, JsonErrorKind, JsonStr, KeySet};
use crate::wire::sink::{CountingSink, Sink, SliceSink, WriteError};

/// A participant's status: Twilio's six values, SignalWire's two (Telnyx's
/// three are among them: `connecting`, `connected`, `completed`), or an
/// unknown text (kept by the participant: [`Participant::status_text`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum Status {
    /// `queued` (Twilio; a created participant before its call is placed).
    Queued,
    /// `connecting` (Twilio; Telnyx: not yet in the conference).
    Connecting,
    /// `ringing` (Twilio).
    Ringing,
    /// `connected` (Twilio, Telnyx).
    Connected,
    /// `complete` (Twilio, and older SignalWire examples).
    Complete,
    /// `failed` (Twilio).
    Failed,
    /// `in-progress` (SignalWire: in the conference).
    InProgress,
    /// `completed` (SignalWire and Telnyx: left).
    Completed,
    /// Any other text; the participant keeps it ([`Participant::status_text`]).
    Unknown,
}

impl Status {
    pub(crate) const KNOWN: [Self; 8] = [
        Self::Queued,
        Self::Connecting,
        Self::Ringing,
        Self::Connected,
        Self::Complete,
        Self::Failed,
        Self::InProgress,
        Self::Completed,
    ];

    /// Length of the longest known status text (`in-progress`).
    // Evaluated at compile time: an index out of bounds is a build error,
    // never a run-time panic.
    #[allow(clippy::indexing_slicing)]
    pub(crate) const MAX_KNOWN_LEN: usize = {
        let mut max = 0;
        let mut i = 0;
        while i < Self::KNOWN.len() {
            let n = Self::KNOWN[i].as_str().len();
            if n > max {
                max = n;
            }
            i += 1;
        }
        max
    };

    /// Parses a status text (exact, lowercase as the services send it):
    /// `None` for the empty text (no status), [`Status::Unknown`] for any
    /// other unknown text.
    ///
    /// ```
    /// use confpart::api::participant::Status;
    ///
    /// assert_eq!(Status::parse("in-progress"), Some(Status::InProgress));
    /// assert_eq!(Status::parse("on-fire"), Some(Status::Unknown));
    /// assert_eq!(Status::parse(""), None);
    /// ```
    pub fn parse(s: &str) -> Option<Self> {
        if s.is_empty() {
            return None;
        }
        Some(
            Self::KNOWN
                .into_iter()
                .find(|k| k.as_str() == s)
                .unwrap_or(Self::Unknown),
        )
    }

    /// The status of a text view (no copy).
    fn of(text: JsonStr<'_>) -> Self {
        match text.as_plain() {
            Some(s) => Self::parse(s).unwrap_or(Self::Unknown),
            None => Self::KNOWN
                .into_iter()
                .find(|k| text.eq_str(k.as_str()))
                .unwrap_or(Self::Unknown),
        }
    }

    /// The wire text; `"unknown"` for [`Status::Unknown`] (whose real text a
    /// decoded participant keeps: [`Participant::status_text`]).
    pub const fn as_str(&self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Connecting => "connecting",
            Self::Ringing => "ringing",
            Self::Connected => "connected",
            Self::Complete => "complete",
            Self::Failed => "failed",
            Self::InProgress => "in-progress",
            Self::Completed => "completed",
            Self::Unknown => "unknown",
        }
    }

    /// True for the states a participant never leaves (`complete`,
    /// `completed`, `failed`).
    pub const fn is_final(&self) -> bool {
        matches!(self, Self::Complete | Self::Completed | Self::Failed)
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for Status {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// How a participant's `uri` is given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
enum UriSource {
    /// Stored text (or absent) in `Participant::uri`.
    Stored,
    /// Written from the SIDs when encoded, in this style.
    Derived(PathStyle),
}

/// Which answer a participant is encoded as ([`Participant::encode_for`]):
/// Telnyx's create answer is smaller than its resource; Twilio's and
/// SignalWire's are the same.
///
/// ```
/// use confpart::api::participant::Reply;
/// assert_eq!(Reply::default(), Reply::Resource);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Reply {
    /// The participant resource (fetch, update, the items of a list page).
    #[default]
    Resource,
    /// The answer to a create.
    Created,
}

/// The members of an object being written: `{` before the first, `,`
/// before the others (Telnyx's answers omit absent fields).
struct Members {
    first: bool,
}

impl Members {
    /// Writes the separator and `"name":`.
    fn key<S: Sink + ?Sized>(&mut self, sink: &mut S, name: &[u8]) -> Result<(), WriteError> {
        sink.put(if self.first { b"{\"" } else { b",\"" })?;
        self.first = false;
        sink.put(name)?;
        sink.put(b"\":")
    }
}

fn put_sid<S: Sink + ?Sized>(sink: &mut S, sid: Option<&[u8]>) -> Result<(), WriteError> {
    match sid {
        Some(s) => {
            sink.put(b"\"")?;
            sink.put(s)?;
            sink.put(b"\"")
        }
        None => sink.put(b"null"),
    }
}

fn put_text<S: Sink + ?Sized>(sink: &mut S, s: Option<JsonStr<'_>>) -> Result<(), WriteError> {
    match s {
        Some(s) => s.write_json(sink),
        None => sink.put(b"null"),
    }
}

fn put_date<S: Sink + ?Sized>(sink: &mut S, slot: u64) -> Result<(), WriteError> {
    match date_of(slot) {
        Some(t) => {
            // The date between its quotes, one `put`.
            let mut quoted = [b'"'; RFC2822_LEN + 2];
            if let Some(dst) = quoted.get_mut(1..=RFC2822_LEN) {
                crate::wire::sink::copy(dst, &t.rfc2822());
            }
            sink.put(&quoted)
        }
        None => sink.put(b"null"),
    }
}

// One constant-length `put` per branch: a buffer sink stores it with a few
// moves, no `memcpy` call.
fn put_flag<S: Sink + ?Sized>(sink: &mut S, v: Option<bool>) -> Result<(), WriteError> {
    match v {
        Some(true) => sink.put(b"true"),
        Some(false) => sink.put(b"false"),
        None => sink.put(b"null"),
    }
}

/// The optional booleans, packed: bit `i` present, bit `8 + i` value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
struct Flags(u16);

const END_CONFERENCE_ON_EXIT: u16 = 0;
const MUTED: u16 = 1;
const HOLD: u16 = 2;
const START_CONFERENCE_ON_ENTER: u16 = 3;
const COACHING: u16 = 4;

impl Flags {
    const fn get(self, i: u16) -> Option<bool> {
        if self.0 & (1 << i) == 0 {
            None
        } else {
            Some(self.0 & (1 << (8 + i)) != 0)
        }
    }

    const fn set(self, i: u16, v: Option<bool>) -> Self {
        let cleared = self.0 & !((1 << i) | (1 << (8 + i)));
        Self(match v {
            None => cleared,
            Some(false) => cleared | (1 << i),
            Some(true) => cleared | (1 << i) | (1 << (8 + i)),
        })
    }
}

const LABEL: usize = 0;
const QUEUE_TIME: usize = 1;
const URI: usize = 2;
const STATUS_TEXT: usize = 3;
const CALL_SID_LEGACY: usize = 4;
const COACHING_CALL_SID_LEGACY: usize = 5;
const API_VERSION: usize = 6;
/// How many text slots a participant has.
const TEXTS: usize = 7;

/// Telnyx's `api_version` in every TeXML answer.
pub const TELNYX_API_VERSION: &str = "v2/texml";

/// A date slot: `u64::MAX` for none (no valid timestamp is that large).
const NO_DATE: u64 = u64::MAX;

fn date_of(slot: u64) -> Option<Timestamp> {
    if slot == NO_DATE {
        None
    } else {
        Timestamp::from_unix(slot)
    }
}

/// The participant resource: a view of a decoded document, or a participant
/// built to be encoded. All 15 fields of the wire contract; each may be
/// absent (`None`) except `call_sid` in a decoded one.
///
/// At most 256 bytes by value (`Copy`): SIDs inline, texts as slices.
#[derive(Clone, Copy)]
pub struct Participant<'a> {
    account_sid: Option<AccountSid>,
    call_sid: Option<CallSid>,
    conference_sid: Option<ConferenceSid>,
    call_sid_to_coach: Option<CallSid>,
    date_created: u64,
    date_updated: u64,
    /// `label`, `queue_time`, `uri`, an unknown status text and Telnyx's
    /// `call_sid_legacy`, `coaching_call_sid_legacy` and `api_version`;
    /// their forms are packed in `forms` (2 bits each) to keep the value
    /// small.
    texts: [Option<&'a str>; TEXTS],
    forms: u16,
    flags: Flags,
    status: Option<Status>,
    uri_source: UriSource,
}

impl Default for Participant<'_> {
    fn default() -> Self {
        Self::new()
    }
}

/// The known keys, in Twilio's order (the order [`Participant::encode`] writes).
#[derive(Clone, Copy)]
enum Field {
    AccountSid,
    CallSid,
    Label,
    ConferenceSid,
    DateCreated,
    DateUpdated,
    EndConferenceOnExit,
    Muted,
    Hold,
    Status,
    StartConferenceOnEnter,
    Coaching,
    CallSidToCoach,
    QueueTime,
    Uri,
    // Telnyx's own keys, after Twilio's (the fast path of the decoder
    // expects Twilio's order; Telnyx's keys are found by name).
    ApiVersion,
    CallSidLegacy,
    /// Telnyx's name of the coach target (`call_sid_to_coach`): the same
    /// field, so a document with both has it twice.
    CoachingCallSid,
    CoachingCallSidLegacy,
}

impl Field {
    const ALL: [Self; 19] = [
        Self::AccountSid,
        Self::CallSid,
        Self::Label,
        Self::ConferenceSid,
        Self::DateCreated,
        Self::DateUpdated,
        Self::EndConferenceOnExit,
        Self::Muted,
        Self::Hold,
        Self::Status,
        Self::StartConferenceOnEnter,
        Self::Coaching,
        Self::CallSidToCoach,
        Self::QueueTime,
        Self::Uri,
        Self::ApiVersion,
        Self::CallSidLegacy,
        Self::CoachingCallSid,
        Self::CoachingCallSidLegacy,
    ];

    /// The field named `key`. A search over the names [`Field::quoted`]
    /// already keeps (the decoder's fallback when a key is not the one
    /// expected next): a `match` on the fifteen (Twilio's) byte strings compiled to
    /// about 1.1 KB of length switches and compares on a Cortex-M.
    fn of(key: &[u8]) -> Option<Self> {
        Self::ALL
            .iter()
            .copied()
            .find(|f| f.name().as_bytes() == key)
    }

    /// The name in quotes, as a document has it.
    const fn quoted(self) -> &'static str {
        macro_rules! q {
            ($($v:ident => $n:literal),* $(,)?) => {
                match self { $(Self::$v => concat!("\"", $n, "\""),)* }
            };
        }
        q!(
            AccountSid => "account_sid",
            CallSid => "call_sid",
            Label => "label",
            ConferenceSid => "conference_sid",
            DateCreated => "date_created",
            DateUpdated => "date_updated",
            EndConferenceOnExit => "end_conference_on_exit",
            Muted => "muted",
            Hold => "hold",
            Status => "status",
            StartConferenceOnEnter => "start_conference_on_enter",
            Coaching => "coaching",
            CallSidToCoach => "call_sid_to_coach",
            QueueTime => "queue_time",
            Uri => "uri",
            ApiVersion => "api_version",
            CallSidLegacy => "call_sid_legacy",
            CoachingCallSid => "coaching_call_sid",
            CoachingCallSidLegacy => "coaching_call_sid_legacy",
        )
    }

    /// The name (for errors): [`Field::quoted`] without its quotes.
    fn name(self) -> &'static str {
        let q = self.quoted();
        q.get(1..q.len() - 1).unwrap_or("")
    }
}

/// A string field's value: `None` for `null` and for `""` (the empty-string
/// rule), with its offset for errors. Inlined into its callers (see
/// `Participant::read_field`).
#[inline(always)]
fn text_value<'a>(c: &mut Cursor<'a>) -> Result<(Option<JsonStr<'a>>, usize), JsonError> {
    c.ws();
    let at = c.pos;
    let s = c.opt_str()?;
    Ok((s.filter(|s| !s.is_empty()), at))
}

/// A string field's bytes, unescaped into `buf` when the text has escapes,
/// and its offset; `None` for `null` and `""`; an escaped text that does
/// not fit `buf` is [`JsonErrorKind::InvalidValue`] at the string (the
/// fields read this way are short: a SID, a date). One copy of the slow
/// path of [`sid_value`] and [`date_value`].
fn text_bytes<'a: 'b, 'b>(
    c: &mut Cursor<'a>,
    buf: &'b mut [u8],
) -> Result<Option<(&'b [u8], usize)>, JsonError> {
    let (text, at) = text_value(c)?;
    let Some(text) = text else { return Ok(None) };
    let bytes = match text.as_plain() {
        Some(s) => s.as_bytes(),
        None => text
            .chars_into(buf)
            .ok_or(JsonError::new(JsonErrorKind::InvalidValue, at))?
            .as_bytes(),
    };
    Ok(Some((bytes, at)))
}

/// Parses a SID field (escapes allowed: a SID is ASCII, at most
/// [`SID_CAPACITY`] bytes once unescaped).
fn sid_value(c: &mut Cursor<'_>, kind: IdKind) -> Result<Option<RawSid>, JsonError> {
    // A valid SID is plain ASCII (letters, hex digits, `-`): read in place.
    if let Some(sid) = c.fixed_str(TWILIO_SID_LEN, |b| parse_raw(b, kind).ok()) {
        return Ok(Some(sid));
    }
    let mut buf = [0u8; SID_CAPACITY];
    let Some((bytes, at)) = text_bytes(c, &mut buf)? else {
        return Ok(None);
    };
    parse_raw(bytes, kind)
        .map(Some)
        .map_err(|_| JsonError::new(JsonErrorKind::InvalidValue, at))
}

fn date_value(c: &mut Cursor<'_>) -> Result<u64, JsonError> {
    // The strict form is plain ASCII (letters, digits, ` ,:+`): read in place.
    if let Some(t) = c.fixed_str(RFC2822_LEN, date::strict_unix) {
        return Ok(t);
    }
    let mut buf = [0u8; 64];
    let Some((bytes, at)) = text_bytes(c, &mut buf)? else {
        return Ok(NO_DATE);
    };
    Timestamp::parse(bytes)
        .map(Timestamp::unix)
        .map_err(|_| JsonError::new(JsonErrorKind::InvalidValue, at))
}

/// [`Label::check`] on the characters of a view, without a copy.
fn label_ok(text: JsonStr<'_>) -> bool {
    if let Some(s) = text.as_plain() {
        return Label::check(s).is_ok();
    }
    // Escaped: the same rules, on the characters. The rules on the whole
    // text (`.`, `..`, a call SID) only concern short ASCII texts: those
    // are kept, a byte a character, to be checked at the end.
    let mut chars = 0usize;
    let mut head = [0u8; SID_CAPACITY];
    let mut len = 0usize;
    let mut ascii = true;
    for c in text.chars() {
        chars += 1;
        if c == '/' || c.is_control() || chars > LABEL_MAX_CHARS {
            return false;
        }
        if let (true, Some(slot)) = (c.is_ascii(), head.get_mut(len)) {
            *slot = c as u8; // ASCII: the cast is exact
        }
        ascii &= c.is_ascii();
        len += 1;
    }
    match head.get(..len).filter(|_| ascii).map(core::str::from_utf8) {
        Some(Ok(short)) => Label::check(short).is_ok(),
        _ => chars > 0,
    }
}

impl<'a> Participant<'a> {
    /// A participant with every field absent (to build one to encode).
    pub const fn new() -> Self {
        Self {
            account_sid: None,
            call_sid: None,
            conference_sid: None,
            call_sid_to_coach: None,
            date_created: NO_DATE,
            date_updated: NO_DATE,
            texts: [None; TEXTS],
            forms: 0,
            flags: Flags(0),
            status: None,
            uri_source: UriSource::Stored,
        }
    }

    /// Decodes a participant JSON document (see the module docs for how
    /// strict this is), borrowing it.
    pub fn decode(doc: &'a [u8]) -> Result<Self, JsonError> {
        // The value goes straight into the result (no re-wrap by `?`).
        Self::read_at(&mut Cursor::new(doc), true)
    }

    /// Reads one participant object at the cursor (also used for the items
    /// of a list page).
    pub(crate) fn read(c: &mut Cursor<'a>) -> Result<Self, JsonError> {
        Self::read_at(c, false)
    }

    /// [`Participant::read`]; `whole`: the object is the whole document
    /// (only white space may follow).
    #[inline]
    fn read_at(c: &mut Cursor<'a>, whole: bool) -> Result<Self, JsonError> {
        if c.peek() != Some(b'{') {
            return Err(c.wrong_type("an object"));
        }
        let mut p = Self::new();
        let mut seen: KeySet = 0;
        if c.enter()? {
            // The field expected next: Twilio writes them in one order.
            let mut next = 0usize;
            loop {
                let expected = Field::ALL.get(next).copied();
                let found = match expected {
                    Some(field) => c.key_if(field.quoted())?.map(|at| (field, at)),
                    None => None,
                };
                let found = match found {
                    Some(hit) => Some(hit),
                    None => {
                        let key = c.key()?;
                        let mut buf = [0u8; 32];
                        Field::of(key.text(&mut buf)).map(|field| (field, key.offset))
                    }
                };
                match found {
                    None => c.skip_value()?,
                    Some((field, at)) => {
                        next = field as usize + 1;
                        p.read_field(c, field, at, &mut seen)
                            .map_err(|e| e.in_field(field.name()))?;
                    }
                }
                if !c.more(b'}')? {
                    break;
                }
            }
        }
        if p.call_sid.is_none() {
            return Err(
                JsonError::new(JsonErrorKind::Missing, c.pos.saturating_sub(1))
                    .in_field("call_sid"),
            );
        }
        if whole {
            c.finish()?;
        }
        Ok(p)
    }

    fn read_field(
        &mut self,
        c: &mut Cursor<'a>,
        field: Field,
        key_offset: usize,
        seen: &mut KeySet,
    ) -> Result<(), JsonError> {
        // A second time is a duplicate (the caller names the field).
        let bit = 1 << field as u32;
        if *seen & bit != 0 {
            return Err(JsonError::new(JsonErrorKind::DuplicateKey, key_offset));
        }
        *seen |= bit;
        match field {
            // One non-generic read for the four SIDs (one copy of the code).
            Field::AccountSid | Field::CallSid | Field::ConferenceSid => {
                self.read_sid(c, field)?;
            }
            // The coach target has two names (Twilio's, Telnyx's): both in
            // one document is the field twice.
            Field::CallSidToCoach | Field::CoachingCallSid => {
                let both =
                    (1 << Field::CallSidToCoach as u32) | (1 << Field::CoachingCallSid as u32);
                if *seen & both == both {
                    return Err(JsonError::new(JsonErrorKind::DuplicateKey, key_offset));
                }
                self.read_sid(c, field)?;
            }
            Field::DateCreated => self.date_created = date_value(c)?,
            Field::DateUpdated => self.date_updated = date_value(c)?,
            // One read for the texts: one call site, inlined (a call per
            // text field cost the decoder about 40 instructions each,
            // `scripts/irops participant_decode`; a copy per field, flash).
            Field::Label
            | Field::Status
            | Field::QueueTime
            | Field::Uri
            | Field::ApiVersion
            | Field::CallSidLegacy
            | Field::CoachingCallSidLegacy => {
                let (text, at) = text_value(c)?;
                let i = match field {
                    Field::Label => {
                        if text.is_some_and(|t| !label_ok(t)) {
                            return Err(JsonError::new(JsonErrorKind::InvalidValue, at));
                        }
                        LABEL
                    }
                    Field::Status => {
                        self.status = text.map(Status::of);
                        let unknown = text.filter(|_| self.status == Some(Status::Unknown));
                        self.set_text(STATUS_TEXT, unknown);
                        return Ok(());
                    }
                    Field::QueueTime => QUEUE_TIME,
                    Field::Uri => URI,
                    Field::ApiVersion => API_VERSION,
                    Field::CallSidLegacy => CALL_SID_LEGACY,
                    _ => COACHING_CALL_SID_LEGACY,
                };
                self.set_text(i, text);
            }
            // One read for the five booleans (one copy of the code).
            Field::EndConferenceOnExit
            | Field::Muted
            | Field::Hold
            | Field::StartConferenceOnEnter
            | Field::Coaching => {
                let i = match field {
                    Field::EndConferenceOnExit => END_CONFERENCE_ON_EXIT,
                    Field::Muted => MUTED,
                    Field::Hold => HOLD,
                    Field::StartConferenceOnEnter => START_CONFERENCE_ON_ENTER,
                    _ => COACHING,
                };
                self.set_flag(i, c.opt_bool()?);
            }
        }
        Ok(())
    }

    /// Reads the SID of `field` (one of the four SID fields) and stores it.
    /// Out of line: inlined into the key loop, the optimizer copied the
    /// read, the moves of the SID and the store once per kind.
    #[inline(never)]
    fn read_sid(&mut self, c: &mut Cursor<'a>, field: Field) -> Result<(), JsonError> {
        let kind = match field {
            Field::AccountSid => IdKind::Account,
            Field::ConferenceSid => IdKind::Conference,
            _ => IdKind::Call,
        };
        let raw = sid_value(c, kind)?;
        match field {
            Field::AccountSid => self.account_sid = raw.map(AccountSid::from_raw),
            Field::ConferenceSid => self.conference_sid = raw.map(ConferenceSid::from_raw),
            Field::CallSid => self.call_sid = raw.map(CallSid::from_raw),
            _ => self.call_sid_to_coach = raw.map(CallSid::from_raw),
        }
        Ok(())
    }

    fn text(&self, i: usize) -> Option<JsonStr<'a>> {
        let raw = self.texts.get(i).copied().flatten()?;
        let code = (self.forms >> (2 * i)) & 3;
        Some(JsonStr::unpack(raw, code as u8))
    }

    fn set_text(&mut self, i: usize, v: Option<JsonStr<'a>>) {
        let (raw, code) = match v {
            Some(s) => {
                let (raw, code) = s.pack();
                (Some(raw), code)
            }
            None => (None, 0),
        };
        if let Some(slot) = self.texts.get_mut(i) {
            *slot = raw;
        }
        self.forms = (self.forms & !(3 << (2 * i))) | (u16::from(code) << (2 * i));
    }

    fn set_flag(&mut self, i: u16, v: Option<bool>) {
        self.flags = self.flags.set(i, v);
    }

    // --- Accessors. -------------------------------------------------------

    /// `account_sid`
    pub const fn account_sid(&self) -> Option<&AccountSid> {
        self.account_sid.as_ref()
    }
    /// `call_sid` (always present in a decoded participant)
    pub const fn call_sid(&self) -> Option<&CallSid> {
        self.call_sid.as_ref()
    }
    /// `label` (Twilio only), a valid [`Label`] once unescaped.
    pub fn label(&self) -> Option<JsonStr<'a>> {
        self.text(LABEL)
    }
    /// `conference_sid`
    pub const fn conference_sid(&self) -> Option<&ConferenceSid> {
        self.conference_sid.as_ref()
    }
    /// `date_created`
    pub fn date_created(&self) -> Option<Timestamp> {
        date_of(self.date_created)
    }
    /// `date_updated`
    pub fn date_updated(&self) -> Option<Timestamp> {
        date_of(self.date_updated)
    }
    /// `end_conference_on_exit`
    pub const fn end_conference_on_exit(&self) -> Option<bool> {
        self.flags.get(END_CONFERENCE_ON_EXIT)
    }
    /// `muted`
    pub const fn muted(&self) -> Option<bool> {
        self.flags.get(MUTED)
    }
    /// `hold`
    pub const fn hold(&self) -> Option<bool> {
        self.flags.get(HOLD)
    }
    /// `status`
    pub const fn status(&self) -> Option<Status> {
        self.status
    }
    /// The `status` text: the raw text of an unknown status (any length),
    /// the wire text of a known one.
    pub fn status_text(&self) -> Option<JsonStr<'a>> {
        match self.status? {
            Status::Unknown => self.text(STATUS_TEXT),
            known => Some(JsonStr::text(known.as_str())),
        }
    }
    /// `start_conference_on_enter`
    pub const fn start_conference_on_enter(&self) -> Option<bool> {
        self.flags.get(START_CONFERENCE_ON_ENTER)
    }
    /// `coaching`
    pub const fn coaching(&self) -> Option<bool> {
        self.flags.get(COACHING)
    }
    /// `call_sid_to_coach`
    pub const fn call_sid_to_coach(&self) -> Option<&CallSid> {
        self.call_sid_to_coach.as_ref()
    }
    /// `queue_time` (a string on the wire, Twilio create only)
    pub fn queue_time(&self) -> Option<JsonStr<'a>> {
        self.text(QUEUE_TIME)
    }
    /// `uri` as stored (decoded, or set with [`Participant::with_uri`]);
    /// `None` for a uri derived at encode time ([`Participant::uri_style`]).
    pub fn uri(&self) -> Option<JsonStr<'a>> {
        self.text(URI)
    }
    /// The path style of a uri derived from the SIDs when encoded
    /// ([`Participant::with_derived_uri`]).
    pub const fn uri_style(&self) -> Option<PathStyle> {
        match self.uri_source {
            UriSource::Derived(style) => Some(style),
            UriSource::Stored => None,
        }
    }
    /// Telnyx's `coaching_call_sid`: the call being coached, the same field
    /// as [`Participant::call_sid_to_coach`] (Telnyx's name for it).
    ///
    /// ```
    /// use confpart::api::participant::Participant;
    /// let p = Participant::decode(br#"{"call_sid": "v3:abc", "coaching": true, "coaching_call_sid": "v3:def"}"#)?;
    /// assert_eq!(p.coaching_call_sid().unwrap().as_str(), "v3:def");
    /// assert_eq!(p.coaching_call_sid(), p.call_sid_to_coach());
    /// # Ok::<(), confpart::wire::json::JsonError>(())
    /// ```
    pub const fn coaching_call_sid(&self) -> Option<&CallSid> {
        self.call_sid_to_coach.as_ref()
    }
    /// Telnyx's `call_sid_legacy`: another identifier of this participant's
    /// call, kept as text (any form, any length).
    ///
    /// ```
    /// use confpart::api::participant::Participant;
    /// let p = Participant::decode(br#"{"call_sid": "v3:abc", "call_sid_legacy": "CAaaaa"}"#)?;
    /// assert!(p.call_sid_legacy().unwrap().eq_str("CAaaaa"));
    /// # Ok::<(), confpart::wire::json::JsonError>(())
    /// ```
    pub fn call_sid_legacy(&self) -> Option<JsonStr<'a>> {
        self.text(CALL_SID_LEGACY)
    }
    /// Telnyx's `coaching_call_sid_legacy`: another identifier of the
    /// coached call, kept as text.
    ///
    /// ```
    /// use confpart::api::participant::Participant;
    /// let p = Participant::decode(br#"{"call_sid": "v3:abc", "coaching_call_sid_legacy": null}"#)?;
    /// assert_eq!(p.coaching_call_sid_legacy(), None);
    /// # Ok::<(), confpart::wire::json::JsonError>(())
    /// ```
    pub fn coaching_call_sid_legacy(&self) -> Option<JsonStr<'a>> {
        self.text(COACHING_CALL_SID_LEGACY)
    }
    /// Telnyx's `api_version` as stored (decoded or set); Telnyx sends
    /// [`TELNYX_API_VERSION`].
    ///
    /// ```
    /// use confpart::api::participant::{Participant, TELNYX_API_VERSION};
    /// let p = Participant::decode(br#"{"call_sid": "v3:abc", "api_version": "v2/texml"}"#)?;
    /// assert!(p.api_version().unwrap().eq_str(TELNYX_API_VERSION));
    /// # Ok::<(), confpart::wire::json::JsonError>(())
    /// ```
    pub fn api_version(&self) -> Option<JsonStr<'a>> {
        self.text(API_VERSION)
    }

    // --- Builder. ---------------------------------------------------------

    /// Sets `account_sid`.
    #[must_use]
    pub fn with_account_sid(mut self, v: impl Into<Option<AccountSid>>) -> Self {
        self.account_sid = v.into();
        self
    }
    /// Sets `call_sid`.
    #[must_use]
    pub fn with_call_sid(mut self, v: impl Into<Option<CallSid>>) -> Self {
        self.call_sid = v.into();
        self
    }
    /// Sets `label`: plain text (escaped when written) or a [`JsonStr`]. It
    /// is not checked here: check untrusted text with [`Label::check`].
    #[must_use]
    pub fn with_label(mut self, v: impl Into<JsonStr<'a>>) -> Self {
        self.set_text(LABEL, Some(v.into()).filter(|s| !s.is_empty()));
        self
    }
    /// Sets `conference_sid`.
    #[must_use]
    pub fn with_conference_sid(mut self, v: impl Into<Option<ConferenceSid>>) -> Self {
        self.conference_sid = v.into();
        self
    }
    /// Sets `date_created`.
    #[must_use]
    pub fn with_date_created(mut self, v: impl Into<Option<Timestamp>>) -> Self {
        self.date_created = v.into().map_or(NO_DATE, Timestamp::unix);
        self
    }
    /// Sets `date_updated`.
    #[must_use]
    pub fn with_date_updated(mut self, v: impl Into<Option<Timestamp>>) -> Self {
        self.date_updated = v.into().map_or(NO_DATE, Timestamp::unix);
        self
    }
    /// Sets `end_conference_on_exit`.
    #[must_use]
    pub fn with_end_conference_on_exit(mut self, v: impl Into<Option<bool>>) -> Self {
        self.set_flag(END_CONFERENCE_ON_EXIT, v.into());
        self
    }
    /// Sets `muted`.
    #[must_use]
    pub fn with_muted(mut self, v: impl Into<Option<bool>>) -> Self {
        self.set_flag(MUTED, v.into());
        self
    }
    /// Sets `hold`.
    #[must_use]
    pub fn with_hold(mut self, v: impl Into<Option<bool>>) -> Self {
        self.set_flag(HOLD, v.into());
        self
    }
    /// Sets a known `status` ([`Status::Unknown`] has no text: it clears
    /// the status; use [`Participant::with_status_text`]).
    #[must_use]
    pub fn with_status(mut self, v: impl Into<Option<Status>>) -> Self {
        self.status = v.into().filter(|s| *s != Status::Unknown);
        self.set_text(STATUS_TEXT, None);
        self
    }
    /// Sets `status` from its text: a known value is parsed, any other text
    /// is kept as [`Status::Unknown`]; `""` clears it.
    #[must_use]
    pub fn with_status_text(mut self, v: impl Into<JsonStr<'a>>) -> Self {
        let text = v.into();
        self.status = Some(Status::of(text)).filter(|_| !text.is_empty());
        let unknown = Some(text).filter(|_| self.status == Some(Status::Unknown));
        self.set_text(STATUS_TEXT, unknown);
        self
    }
    /// Sets `start_conference_on_enter`.
    #[must_use]
    pub fn with_start_conference_on_enter(mut self, v: impl Into<Option<bool>>) -> Self {
        self.set_flag(START_CONFERENCE_ON_ENTER, v.into());
        self
    }
    /// Sets `coaching`.
    #[must_use]
    pub fn with_coaching(mut self, v: impl Into<Option<bool>>) -> Self {
        self.set_flag(COACHING, v.into());
        self
    }
    /// Sets `call_sid_to_coach`.
    #[must_use]
    pub fn with_call_sid_to_coach(mut self, v: impl Into<Option<CallSid>>) -> Self {
        self.call_sid_to_coach = v.into();
        self
    }
    /// Sets Telnyx's `call_sid_legacy` (plain text or a [`JsonStr`]; `""`
    /// clears it). A bridge decides the value; Telnyx's encoding omits the
    /// key when it is not set.
    ///
    /// ```
    /// use confpart::api::participant::Participant;
    /// let p = Participant::new().with_call_sid_legacy("CAaaaa");
    /// assert!(p.call_sid_legacy().unwrap().eq_str("CAaaaa"));
    /// ```
    #[must_use]
    pub fn with_call_sid_legacy(mut self, v: impl Into<JsonStr<'a>>) -> Self {
        self.set_text(CALL_SID_LEGACY, Some(v.into()).filter(|s| !s.is_empty()));
        self
    }
    /// Sets Telnyx's `coaching_call_sid_legacy` (`""` clears it).
    ///
    /// ```
    /// use confpart::api::participant::Participant;
    /// let p = Participant::new().with_coaching_call_sid_legacy("");
    /// assert_eq!(p.coaching_call_sid_legacy(), None);
    /// ```
    #[must_use]
    pub fn with_coaching_call_sid_legacy(mut self, v: impl Into<JsonStr<'a>>) -> Self {
        self.set_text(
            COACHING_CALL_SID_LEGACY,
            Some(v.into()).filter(|s| !s.is_empty()),
        );
        self
    }
    /// Sets Telnyx's `api_version` (`""` clears it; Telnyx's encoding then
    /// writes [`TELNYX_API_VERSION`]).
    ///
    /// ```
    /// use confpart::api::participant::Participant;
    /// let p = Participant::new().with_api_version("v2/texml");
    /// assert!(p.api_version().unwrap().eq_str("v2/texml"));
    /// ```
    #[must_use]
    pub fn with_api_version(mut self, v: impl Into<JsonStr<'a>>) -> Self {
        self.set_text(API_VERSION, Some(v.into()).filter(|s| !s.is_empty()));
        self
    }
    /// Sets `queue_time` (plain text or a [`JsonStr`]; `""` clears it).
    #[must_use]
    pub fn with_queue_time(mut self, v: impl Into<JsonStr<'a>>) -> Self {
        self.set_text(QUEUE_TIME, Some(v.into()).filter(|s| !s.is_empty()));
        self
    }
    /// Sets a stored `uri` (plain text or a [`JsonStr`]; `""` clears it).
    #[must_use]
    pub fn with_uri(mut self, v: impl Into<JsonStr<'a>>) -> Self {
        self.set_text(URI, Some(v.into()).filter(|s| !s.is_empty()));
        self.uri_source = UriSource::Stored;
        self
    }
    /// Derives `uri` from the account, conference and call SIDs when encoded
    /// (the path of [`crate::api::path::ParticipantPath`] by call SID, with
    /// `.json`); written as `null` if one of them is missing.
    #[must_use]
    pub fn with_derived_uri(mut self, style: PathStyle) -> Self {
        self.set_text(URI, None);
        self.uri_source = UriSource::Derived(style);
        self
    }

    // --- Encoding. --------------------------------------------------------

    /// Writes the derived uri, if the SIDs are there.
    fn write_derived_uri<S: Sink + ?Sized>(
        &self,
        style: PathStyle,
        sink: &mut S,
    ) -> Result<bool, WriteError> {
        let (Some(ac), Some(cf), Some(ca)) =
            (&self.account_sid, &self.conference_sid, &self.call_sid)
        else {
            return Ok(false);
        };
        sink.put_str(style.prefix())?;
        sink.put(b"/Accounts/")?;
        sink.put(ac.as_bytes())?;
        sink.put(b"/Conferences/")?;
        sink.put(cf.as_bytes())?;
        sink.put(b"/Participants/")?;
        sink.put(ca.as_bytes())?;
        sink.put(b".json")?;
        Ok(true)
    }

    /// Writes the participant as JSON (Twilio's field order, `null` for
    /// absent fields).
    pub fn encode<S: Sink + ?Sized>(&self, sink: &mut S) -> Result<(), WriteError> {
        use put_date as date;
        use put_flag as flag;
        use put_sid as sid;
        use put_text as text;
        sink.put(b"{\"account_sid\":")?;
        sid(sink, self.account_sid.as_ref().map(AccountSid::as_bytes))?;
        sink.put(b",\"call_sid\":")?;
        sid(sink, self.call_sid.as_ref().map(CallSid::as_bytes))?;
        sink.put(b",\"label\":")?;
        text(sink, self.label())?;
        sink.put(b",\"conference_sid\":")?;
        sid(
            sink,
            self.conference_sid.as_ref().map(ConferenceSid::as_bytes),
        )?;
        sink.put(b",\"date_created\":")?;
        date(sink, self.date_created)?;
        sink.put(b",\"date_updated\":")?;
        date(sink, self.date_updated)?;
        sink.put(b",\"end_conference_on_exit\":")?;
        flag(sink, self.end_conference_on_exit())?;
        sink.put(b",\"muted\":")?;
        flag(sink, self.muted())?;
        sink.put(b",\"hold\":")?;
        flag(sink, self.hold())?;
        sink.put(b",\"status\":")?;
        match self.status {
            // A known status is lowercase letters and `-`: nothing to escape.
            Some(known) if known != Status::Unknown => {
                sink.put(b"\"")?;
                sink.put_str(known.as_str())?;
                sink.put(b"\"")?;
            }
            _ => text(sink, self.status_text())?,
        }
        sink.put(b",\"start_conference_on_enter\":")?;
        flag(sink, self.start_conference_on_enter())?;
        sink.put(b",\"coaching\":")?;
        flag(sink, self.coaching())?;
        sink.put(b",\"call_sid_to_coach\":")?;
        sid(sink, self.call_sid_to_coach.as_ref().map(CallSid::as_bytes))?;
        sink.put(b",\"queue_time\":")?;
        text(sink, self.queue_time())?;
        sink.put(b",\"uri\":")?;
        if !self.write_uri_value(sink)? {
            sink.put(b"null")?;
        }
        sink.put(b"}")
    }

    /// Whether the participant has a uri to write (stored, or derived with
    /// its three SIDs there).
    fn has_uri(&self) -> bool {
        match self.uri_source {
            UriSource::Stored => self.uri().is_some(),
            UriSource::Derived(_) => {
                self.account_sid.is_some()
                    && self.conference_sid.is_some()
                    && self.call_sid.is_some()
            }
        }
    }

    /// Writes the uri as a JSON string if there is one ([`Participant::has_uri`]).
    fn write_uri_value<S: Sink + ?Sized>(&self, sink: &mut S) -> Result<bool, WriteError> {
        if !self.has_uri() {
            return Ok(false);
        }
        match (self.uri_source, self.uri()) {
            (UriSource::Derived(style), _) => {
                sink.put(b"\"")?;
                self.write_derived_uri(style, sink)?;
                sink.put(b"\"")?;
            }
            (UriSource::Stored, Some(uri)) => uri.write_json(sink)?,
            (UriSource::Stored, None) => return Ok(false),
        }
        Ok(true)
    }

    /// Writes the participant as `dialect`'s service answers it:
    ///
    /// - Twilio and SignalWire: [`Participant::encode`] (`reply` makes no
    ///   difference: their create answer is the resource);
    /// - Telnyx, [`Reply::Resource`] (fetch, update, list items):
    ///   `account_sid`, `api_version` (stored, else [`TELNYX_API_VERSION`]),
    ///   `call_sid`, `call_sid_legacy`, `coaching`, `coaching_call_sid` (the
    ///   coach target), `coaching_call_sid_legacy`, `conference_sid`,
    ///   `date_created`, `date_updated`, `end_conference_on_exit`, `hold`,
    ///   `muted`, `status`, `uri`, in that order (the order of Telnyx's
    ///   SDK types);
    /// - Telnyx, [`Reply::Created`]: `account_sid`, `call_sid`, `coaching`,
    ///   `coaching_call_sid`, `conference_sid`, `end_conference_on_exit`,
    ///   `hold`, `muted`, `status`, `uri`.
    ///
    /// Telnyx's answers never carry `label`, `start_conference_on_enter`,
    /// `queue_time` or `call_sid_to_coach`, and **omit** a field that is not
    /// set rather than writing `null`: the SDKs' types declare every field
    /// optional (`Optional[str] = None` in Python, `field?: string` in
    /// Node, where `null` is not a `string`), so an absent key is what both
    /// accept. A status is written as set (the bridge maps its lifecycle to
    /// Telnyx's `connecting`, `connected`, `completed`); a derived uri of
    /// [`PathStyle::Texml`] is `/v2/texml/.../Participants/{call}.json`.
    ///
    /// ```
    /// use confpart::api::participant::{Participant, Reply, Status};
    /// use confpart::api::path::{Dialect, PathStyle};
    /// use confpart::wire::ident::{AccountSid, CallSid, ConferenceSid};
    /// use confpart::wire::sink::SliceSink;
    ///
    /// let p = Participant::new()
    ///     .with_account_sid(AccountSid::parse("61bf923e-5e4d-4595-a110-56190ea18a1b")?)
    ///     .with_conference_sid(ConferenceSid::parse("6dc6cc1a-1ba1-4351-86b8-4c22c95cd98f")?)
    ///     .with_call_sid(CallSid::parse("v3:9X2vxPDFY2RHSJ1EdMS0RHRksMTg3RmlQbHBEc0MxYjZ3bVNBOTN3")?)
    ///     .with_label("not in telnyx")
    ///     .with_muted(true)
    ///     .with_status(Status::Connected)
    ///     .with_derived_uri(PathStyle::Texml);
    /// let mut buf = [0u8; 512];
    /// let mut sink = SliceSink::new(&mut buf);
    /// p.encode_for(Dialect::Telnyx, Reply::Created, &mut sink).unwrap();
    /// let json = core::str::from_utf8(sink.written()).unwrap();
    /// assert!(json.starts_with(r#"{"account_sid":"61bf923e-5e4d-4595-a110-56190ea18a1b","call_sid":"v3:"#));
    /// assert!(json.ends_with(r#"/Participants/v3:9X2vxPDFY2RHSJ1EdMS0RHRksMTg3RmlQbHBEc0MxYjZ3bVNBOTN3.json"}"#));
    /// assert!(!json.contains("label") && !json.contains("api_version"));
    /// assert_eq!(json.len(), p.encoded_len_for(Dialect::Telnyx, Reply::Created));
    /// let back = Participant::decode(sink.written()).unwrap();
    /// assert_eq!((back.muted(), back.status()), (Some(true), Some(Status::Connected)));
    /// # Ok::<(), confpart::wire::ident::IdError>(())
    /// ```
    pub fn encode_for<S: Sink + ?Sized>(
        &self,
        dialect: Dialect,
        reply: Reply,
        sink: &mut S,
    ) -> Result<(), WriteError> {
        match dialect {
            Dialect::Twilio | Dialect::SignalWire => self.encode(sink),
            Dialect::Telnyx => self.encode_telnyx(reply, sink),
        }
    }

    /// Telnyx's resource or create answer ([`Participant::encode_for`]).
    fn encode_telnyx<S: Sink + ?Sized>(
        &self,
        reply: Reply,
        sink: &mut S,
    ) -> Result<(), WriteError> {
        let full = reply == Reply::Resource;
        let mut m = Members { first: true };
        if let Some(sid) = &self.account_sid {
            m.key(sink, b"account_sid")?;
            put_sid(sink, Some(sid.as_bytes()))?;
        }
        if full {
            m.key(sink, b"api_version")?;
            match self.api_version() {
                Some(v) => v.write_json(sink)?,
                None => {
                    sink.put(b"\"")?;
                    sink.put_str(TELNYX_API_VERSION)?;
                    sink.put(b"\"")?;
                }
            }
        }
        if let Some(sid) = &self.call_sid {
            m.key(sink, b"call_sid")?;
            put_sid(sink, Some(sid.as_bytes()))?;
        }
        if let (true, Some(v)) = (full, self.call_sid_legacy()) {
            m.key(sink, b"call_sid_legacy")?;
            v.write_json(sink)?;
        }
        if let Some(v) = self.coaching() {
            m.key(sink, b"coaching")?;
            put_flag(sink, Some(v))?;
        }
        if let Some(sid) = &self.call_sid_to_coach {
            m.key(sink, b"coaching_call_sid")?;
            put_sid(sink, Some(sid.as_bytes()))?;
        }
        if let (true, Some(v)) = (full, self.coaching_call_sid_legacy()) {
            m.key(sink, b"coaching_call_sid_legacy")?;
            v.write_json(sink)?;
        }
        if let Some(sid) = &self.conference_sid {
            m.key(sink, b"conference_sid")?;
            put_sid(sink, Some(sid.as_bytes()))?;
        }
        if full {
            for (key, slot) in [
                (&b"date_created"[..], self.date_created),
                (&b"date_updated"[..], self.date_updated),
            ] {
                if slot != NO_DATE {
                    m.key(sink, key)?;
                    put_date(sink, slot)?;
                }
            }
        }
        for (key, v) in [
            (
                &b"end_conference_on_exit"[..],
                self.end_conference_on_exit(),
            ),
            (&b"hold"[..], self.hold()),
            (&b"muted"[..], self.muted()),
        ] {
            if v.is_some() {
                m.key(sink, key)?;
                put_flag(sink, v)?;
            }
        }
        if let Some(status) = self.status_text() {
            m.key(sink, b"status")?;
            status.write_json(sink)?;
        }
        if self.has_uri() {
            m.key(sink, b"uri")?;
            self.write_uri_value(sink)?;
        }
        if m.first {
            sink.put(b"{")?;
        }
        sink.put(b"}")
    }

    /// The length of [`Participant::encode_for`]'s output.
    ///
    /// ```
    /// use confpart::api::participant::{Participant, Reply};
    /// use confpart::api::path::Dialect;
    /// let p = Participant::new().with_muted(true);
    /// assert_eq!(p.encoded_len_for(Dialect::Twilio, Reply::Resource), p.encoded_len());
    /// assert_eq!(
    ///     p.encoded_len_for(Dialect::Telnyx, Reply::Created),
    ///     r#"{"muted":true}"#.len()
    /// );
    /// ```
    pub fn encoded_len_for(&self, dialect: Dialect, reply: Reply) -> usize {
        let mut count = CountingSink::default();
        // A CountingSink never fails.
        let _ = self.encode_for(dialect, reply, &mut count);
        count.count
    }

    /// Bounds `(low, high)` on [`Participant::encoded_len_for`]: Twilio's
    /// and SignalWire's are [`Participant::encoded_len_bounds`]'s; Telnyx's
    /// are exact (the answer is counted).
    ///
    /// ```
    /// use confpart::api::participant::{Participant, Reply};
    /// use confpart::api::path::Dialect;
    /// let p = Participant::new().with_label("a\"b");
    /// let n = p.encoded_len_for(Dialect::Telnyx, Reply::Resource);
    /// assert_eq!(p.encoded_len_bounds_for(Dialect::Telnyx, Reply::Resource), (n, n));
    /// ```
    pub fn encoded_len_bounds_for(&self, dialect: Dialect, reply: Reply) -> (usize, usize) {
        match dialect {
            Dialect::Twilio | Dialect::SignalWire => self.encoded_len_bounds(),
            Dialect::Telnyx => {
                let n = self.encoded_len_for(dialect, reply);
                (n, n)
            }
        }
    }

    /// Bounds `(low, high)` on [`Participant::encoded_len`] without writing
    /// anything: exact but for plain texts (built with `&str`), whose bytes
    /// may be escaped. (The bridge's answer writer knows the
    /// `Content-Length`'s digit count from them when both bounds have as
    /// many.)
    pub fn encoded_len_bounds(&self) -> (usize, usize) {
        const NULL: usize = "null".len();
        const KEYS: usize = "{\"account_sid\":".len()
            + ",\"call_sid\":".len()
            + ",\"label\":".len()
            + ",\"conference_sid\":".len()
            + ",\"date_created\":".len()
            + ",\"date_updated\":".len()
            + ",\"end_conference_on_exit\":".len()
            + ",\"muted\":".len()
            + ",\"hold\":".len()
            + ",\"status\":".len()
            + ",\"start_conference_on_enter\":".len()
            + ",\"coaching\":".len()
            + ",\"call_sid_to_coach\":".len()
            + ",\"queue_time\":".len()
            + ",\"uri\":".len()
            + "}".len();
        let sid = |s: Option<&[u8]>| s.map_or(NULL, |s| s.len() + 2);
        let text = |s: Option<JsonStr<'_>>| s.map_or((NULL, NULL), |s| s.json_len_bounds());
        let date = |slot: u64| {
            if date_of(slot).is_some() {
                RFC2822_LEN + 2
            } else {
                NULL
            }
        };
        let flag = |v: Option<bool>| if v == Some(false) { 5 } else { 4 };
        let exact = KEYS
            + sid(self.account_sid.as_ref().map(AccountSid::as_bytes))
            + sid(self.call_sid.as_ref().map(CallSid::as_bytes))
            + sid(self.conference_sid.as_ref().map(ConferenceSid::as_bytes))
            + sid(self.call_sid_to_coach.as_ref().map(CallSid::as_bytes))
            + date(self.date_created)
            + date(self.date_updated)
            + flag(self.end_conference_on_exit())
            + flag(self.muted())
            + flag(self.hold())
            + flag(self.start_conference_on_enter())
            + flag(self.coaching());
        let (mut low, mut high) = (exact, exact);
        let mut add = |(l, h): (usize, usize)| {
            low = low.saturating_add(l);
            high = high.saturating_add(h);
        };
        add(text(self.label()));
        add(text(self.queue_time()));
        match self.status {
            Some(known) if known != Status::Unknown => {
                let n = known.as_str().len() + 2;
                add((n, n));
            }
            _ => add(text(self.status_text())),
        }
        match self.uri_source {
            UriSource::Stored => add(text(self.uri())),
            UriSource::Derived(style) => {
                let n = match (&self.account_sid, &self.conference_sid, &self.call_sid) {
                    (Some(ac), Some(cf), Some(ca)) => {
                        style.prefix().len()
                            + "/Accounts/".len()
                            + ac.as_bytes().len()
                            + "/Conferences/".len()
                            + cf.as_bytes().len()
                            + "/Participants/".len()
                            + ca.as_bytes().len()
                            + ".json".len()
                            + 2
                    }
                    _ => NULL,
                };
                add((n, n));
            }
        }
        (low, high)
    }

    /// The length of [`Participant::encode`]'s output.
    pub fn encoded_len(&self) -> usize {
        let mut count = CountingSink::default();
        // A CountingSink never fails.
        let _ = self.encode(&mut count);
        count.count
    }

    /// Encodes the participant as JSON into `buf`; returns the length.
    pub fn encode_to_slice(&self, buf: &mut [u8]) -> Result<usize, WriteError> {
        let mut sink = SliceSink::new(buf);
        self.encode(&mut sink)?;
        Ok(sink.len())
    }

    /// Whether the two uris are the same text (a derived one is rendered).
    fn same_uri(&self, other: &Self) -> bool {
        // The longest derived uri: a prefix (at most 32 bytes), three SIDs
        // of the longest form and the fixed segments.
        const MAX: usize =
            32 + 3 * SID_CAPACITY + "/Accounts//Conferences//Participants/.json".len();
        const _: () = assert!(
            PathStyle::Twilio.prefix().len() <= 32
                && PathStyle::Laml.prefix().len() <= 32
                && PathStyle::Texml.prefix().len() <= 32
        );
        fn render<'b>(p: &Participant<'_>, buf: &'b mut [u8; MAX]) -> Option<JsonStr<'b>> {
            match p.uri_source {
                UriSource::Stored => None,
                UriSource::Derived(style) => {
                    let mut sink = SliceSink::new(buf);
                    match p.write_derived_uri(style, &mut sink) {
                        Ok(true) => {
                            let written = sink.into_written();
                            core::str::from_utf8(written).ok().map(JsonStr::text)
                        }
                        _ => None,
                    }
                }
            }
        }
        let (mut a, mut b) = ([0u8; MAX], [0u8; MAX]);
        let left = render(self, &mut a).or(self.uri());
        let right = render(other, &mut b).or(other.uri());
        left == right
    }
}

impl PartialEq for Participant<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.account_sid == other.account_sid
            && self.call_sid == other.call_sid
            && self.conference_sid == other.conference_sid
            && self.call_sid_to_coach == other.call_sid_to_coach
            && self.date_created == other.date_created
            && self.date_updated == other.date_updated
            && self.flags == other.flags
            && self.status == other.status
            && self.text(STATUS_TEXT) == other.text(STATUS_TEXT)
            && self.label() == other.label()
            && self.queue_time() == other.queue_time()
            && self.call_sid_legacy() == other.call_sid_legacy()
            && self.coaching_call_sid_legacy() == other.coaching_call_sid_legacy()
            && self.api_version() == other.api_version()
            && self.same_uri(other)
    }
}

impl Eq for Participant<'_> {}

impl fmt::Debug for Participant<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Participant");
        d.field("account_sid", &self.account_sid)
            .field("call_sid", &self.call_sid)
            .field("label", &self.label())
            .field("conference_sid", &self.conference_sid)
            .field("date_created", &self.date_created())
            .field("date_updated", &self.date_updated())
            .field("end_conference_on_exit", &self.end_conference_on_exit())
            .field("muted", &self.muted())
            .field("hold", &self.hold())
            .field("status", &self.status_text())
            .field(
                "start_conference_on_enter",
                &self.start_conference_on_enter(),
            )
            .field("coaching", &self.coaching())
            .field("call_sid_to_coach", &self.call_sid_to_coach)
            .field("queue_time", &self.queue_time())
            .field("call_sid_legacy", &self.call_sid_legacy())
            .field("coaching_call_sid_legacy", &self.coaching_call_sid_legacy())
            .field("api_version", &self.api_version());
        match self.uri_source {
            UriSource::Stored => d.field("uri", &self.uri()),
            UriSource::Derived(style) => d.field("uri", &style),
        };
        d.finish()
    }
}

#[cfg(feature = "defmt")]
impl defmt::Format for Participant<'_> {
    fn format(&self, f: defmt::Formatter<'_>) {
        defmt::write!(
            f,
            "Participant {{ call_sid: {}, status: {}, muted: {}, hold: {}, coaching: {}, label: {} }}",
            self.call_sid,
            self.status_text(),
            self.muted(),
            self.hold(),
            self.coaching(),
            self.label()
        )
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for Participant<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        /// The derived uri, written through `Display`.
        struct Derived<'p, 'a>(&'p Participant<'a>, PathStyle);
        impl fmt::Display for Derived<'_, '_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                struct W<'f, 'g>(&'f mut fmt::Formatter<'g>);
                impl Sink for W<'_, '_> {
                    fn put(&mut self, bytes: &[u8]) -> Result<(), WriteError> {
                        let s = core::str::from_utf8(bytes).map_err(|_| WriteError::WriteZero)?;
                        self.0.write_str(s).map_err(|_| WriteError::WriteZero)
                    }
                }
                self.0
                    .write_derived_uri(self.1, &mut W(f))
                    .map(|_| ())
                    .map_err(|_| fmt::Error)
            }
        }
        // Telnyx's own texts follow Twilio's fields when they are set (a
        // participant of the other dialects serializes as `encode` writes it).
        let telnyx = [
            ("call_sid_legacy", self.call_sid_legacy()),
            ("coaching_call_sid_legacy", self.coaching_call_sid_legacy()),
            ("api_version", self.api_version()),
        ];
        let extra = telnyx.iter().filter(|(_, v)| v.is_some()).count();
        let mut st = s.serialize_struct("Participant", 15 + extra)?;
        st.serialize_field("account_sid", &self.account_sid)?;
        st.serialize_field("call_sid", &self.call_sid)?;
        st.serialize_field("label", &self.label())?;
        st.serialize_field("conference_sid", &self.conference_sid)?;
        st.serialize_field("date_created", &self.date_created())?;
        st.serialize_field("date_updated", &self.date_updated())?;
        st.serialize_field("end_conference_on_exit", &self.end_conference_on_exit())?;
        st.serialize_field("muted", &self.muted())?;
        st.serialize_field("hold", &self.hold())?;
        st.serialize_field("status", &self.status_text())?;
        st.serialize_field(
            "start_conference_on_enter",
            &self.start_conference_on_enter(),
        )?;
        st.serialize_field("coaching", &self.coaching())?;
        st.serialize_field("call_sid_to_coach", &self.call_sid_to_coach)?;
        st.serialize_field("queue_time", &self.queue_time())?;
        match self.uri_source {
            UriSource::Stored => st.serialize_field("uri", &self.uri())?,
            UriSource::Derived(style) => {
                struct Str<'p, 'a>(Derived<'p, 'a>);
                impl serde::Serialize for Str<'_, '_> {
                    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                        s.collect_str(&self.0)
                    }
                }
                let all = self.account_sid.is_some()
                    && self.conference_sid.is_some()
                    && self.call_sid.is_some();
                st.serialize_field("uri", &Some(Str(Derived(self, style))).filter(|_| all))?;
            }
        }
        for (key, value) in telnyx {
            match value {
                Some(v) => st.serialize_field(key, &v)?,
                None => st.skip_field(key)?,
            }
        }
        st.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_statuses_need_no_json_escape() {
        // `encode` writes them between quotes as they are.
        for s in Status::KNOWN {
            assert!(
                s.as_str()
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b == b'-')
            );
        }
    }

    #[test]
    fn flags_pack() {
        let mut f = Flags::default();
        for i in 0..5 {
            assert_eq!(f.get(i), None);
            f = f.set(i, Some(i % 2 == 0));
        }
        for i in 0..5 {
            assert_eq!(f.get(i), Some(i % 2 == 0));
        }
        assert_eq!(f.set(1, None).get(1), None);
    }
}
