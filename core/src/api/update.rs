//! The Update request: its 12 fields, a builder, the recipes, validation,
//! and the `application/x-www-form-urlencoded` codec for both ends.
//!
//! Client side: build an [`Update`], [`Update::validate`] it for a
//! [`Dialect`], then [`Update::encode`] it. Bridge side:
//! [`Update::decode`] a body as any real client sends it.
//!
//! ```
//! use confpart::wire::ident::CallSid;
//! use confpart::api::path::Dialect;
//! use confpart::api::fields::Method;
//! use confpart::api::update::Update;
//!
//! let coach = CallSid::parse("CAbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb")?;
//! let update = Update::monitor(coach);
//! update.validate(Dialect::Twilio)?;
//! let mut buf = [0u8; 128];
//! let n = update.encode_to_slice(&mut buf)?;
//! assert_eq!(
//!     &buf[..n],
//!     &b"Muted=true&Coaching=true&CallSidToCoach=CAbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"[..]
//! );
//!
//! // The bridge decodes what Python (`+`) or Node (`%20`) sent, in any order.
//! let body = b"HoldUrl=http%3A%2F%2Fmusic.example%2Fhold+me.mp3&Hold=True&Beep=false";
//! let mut scratch = [0u8; 64];
//! let decoded = Update::decode(body, &mut scratch)?;
//! assert_eq!(decoded.update.hold, Some(true));
//! assert_eq!(decoded.update.hold_url, Some("http://music.example/hold me.mp3"));
//! assert_eq!(decoded.ignored.iter().next(), Some(&b"Beep"[..]));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use core::fmt;

#[cfg(feature = "json-body")]
use crate::api::fields::JsonValue;
use crate::api::fields::{
    self, FieldValue, IgnoredKeys, Method, Scratch, URL_MAX_LEN, UrlProblem, check_url, setters,
};
use crate::api::path::Dialect;
use crate::wire::ident::{CallSid, SID_CAPACITY};
use crate::wire::sink::{CountingSink, Sink, SliceSink, WriteError};

/// Longest key that can match a known field once decoded.
const KEY_BUF_LEN: usize = 24;

/// The form fields of the Update request, in the order they are encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum Field {
    /// `Muted`
    Muted,
    /// `Hold`
    Hold,
    /// `HoldUrl`
    HoldUrl,
    /// `HoldMethod`
    HoldMethod,
    /// `AnnounceUrl`
    AnnounceUrl,
    /// `AnnounceMethod`
    AnnounceMethod,
    /// `WaitUrl`
    WaitUrl,
    /// `WaitMethod`
    WaitMethod,
    /// `Coaching`
    Coaching,
    /// `CallSidToCoach`
    CallSidToCoach,
    /// `BeepOnExit` (Twilio only)
    BeepOnExit,
    /// `EndConferenceOnExit` (Twilio only)
    EndConferenceOnExit,
}

impl Field {
    /// All fields, in encoding order.
    pub const ALL: [Field; 12] = [
        Self::Muted,
        Self::Hold,
        Self::HoldUrl,
        Self::HoldMethod,
        Self::AnnounceUrl,
        Self::AnnounceMethod,
        Self::WaitUrl,
        Self::WaitMethod,
        Self::Coaching,
        Self::CallSidToCoach,
        Self::BeepOnExit,
        Self::EndConferenceOnExit,
    ];

    /// The form key, e.g. `"CallSidToCoach"`.
    pub const fn key(self) -> &'static str {
        match self {
            Self::Muted => "Muted",
            Self::Hold => "Hold",
            Self::HoldUrl => "HoldUrl",
            Self::HoldMethod => "HoldMethod",
            Self::AnnounceUrl => "AnnounceUrl",
            Self::AnnounceMethod => "AnnounceMethod",
            Self::WaitUrl => "WaitUrl",
            Self::WaitMethod => "WaitMethod",
            Self::Coaching => "Coaching",
            Self::CallSidToCoach => "CallSidToCoach",
            Self::BeepOnExit => "BeepOnExit",
            Self::EndConferenceOnExit => "EndConferenceOnExit",
        }
    }

    /// The field with this exact (case-sensitive) key.
    pub fn from_key(key: &[u8]) -> Option<Self> {
        // The twelve keys differ in (length, first byte): one candidate,
        // then one comparison of a few words against constants.
        Some(match (key.len(), key.first()) {
            (5, Some(b'M')) if same_key(key, b"Muted") => Self::Muted,
            (4, Some(b'H')) if same_key(key, b"Hold") => Self::Hold,
            (7, Some(b'H')) if same_key(key, b"HoldUrl") => Self::HoldUrl,
            (10, Some(b'H')) if same_key(key, b"HoldMethod") => Self::HoldMethod,
            (11, Some(b'A')) if same_key(key, b"AnnounceUrl") => Self::AnnounceUrl,
            (14, Some(b'A')) if same_key(key, b"AnnounceMethod") => Self::AnnounceMethod,
            (7, Some(b'W')) if same_key(key, b"WaitUrl") => Self::WaitUrl,
            (10, Some(b'W')) if same_key(key, b"WaitMethod") => Self::WaitMethod,
            (8, Some(b'C')) if same_key(key, b"Coaching") => Self::Coaching,
            (14, Some(b'C')) if same_key(key, b"CallSidToCoach") => Self::CallSidToCoach,
            (10, Some(b'B')) if same_key(key, b"BeepOnExit") => Self::BeepOnExit,
            (19, Some(b'E')) if same_key(key, b"EndConferenceOnExit") => Self::EndConferenceOnExit,
            _ => return None,
        })
    }

    /// True for the fields SignalWire does not document.
    pub const fn twilio_only(self) -> bool {
        matches!(self, Self::BeepOnExit | Self::EndConferenceOnExit)
    }

    /// Whether `dialect`'s API has this field: Twilio all twelve, SignalWire
    /// all but the [Twilio-only](Field::twilio_only) ones, Telnyx all but
    /// `WaitMethod` (its SDKs' update parameters and API reference have
    /// none).
    ///
    /// ```
    /// use confpart::api::path::Dialect;
    /// use confpart::api::update::Field;
    /// assert!(Field::WaitMethod.in_dialect(Dialect::Twilio));
    /// assert!(!Field::WaitMethod.in_dialect(Dialect::Telnyx));
    /// assert!(Field::BeepOnExit.in_dialect(Dialect::Telnyx));
    /// assert!(!Field::BeepOnExit.in_dialect(Dialect::SignalWire));
    /// ```
    pub const fn in_dialect(self, dialect: Dialect) -> bool {
        match dialect {
            Dialect::Twilio => true,
            Dialect::SignalWire => !self.twilio_only(),
            Dialect::Telnyx => !matches!(self, Self::WaitMethod),
        }
    }

    const fn bit(self) -> u16 {
        1 << (self as u16)
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

/// The `CallSidToCoach` value: a call, or empty (as one SDK sends on barge).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum CoachTarget {
    /// `CallSidToCoach=` (empty): clears the coaching target.
    Clear,
    /// `CallSidToCoach={sid}`.
    Call(CallSid),
}

/// An Update Conference Participant request. Every field is optional; only
/// the fields that are `Some` are sent.
///
/// Setters of the same name as the fields make it a builder:
///
/// ```
/// use confpart::api::fields::Method;
/// use confpart::api::update::Update;
///
/// let u = Update::new()
///     .hold(true)
///     .hold_url("https://music.example/hold.mp3")
///     .hold_method(Method::Get)
///     .end_conference_on_exit(false);
/// assert_eq!(u.hold, Some(true));
/// assert_eq!(u.encoded_len(), "Hold=true&HoldUrl=https%3A%2F%2Fmusic.example%2Fhold.mp3&HoldMethod=GET&EndConferenceOnExit=false".len());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Update<'a> {
    /// `Muted`: true mutes, false unmutes.
    pub muted: Option<bool>,
    /// `Hold`: true takes the participant out of the mix and plays `HoldUrl`.
    pub hold: Option<bool>,
    /// `HoldUrl`: hold music (audio file or TwiML).
    pub hold_url: Option<&'a str>,
    /// `HoldMethod` (service default: `GET`).
    pub hold_method: Option<Method>,
    /// `AnnounceUrl`: an announcement played to this participant only.
    pub announce_url: Option<&'a str>,
    /// `AnnounceMethod` (service default: `POST`).
    pub announce_method: Option<Method>,
    /// `WaitUrl`: music while the conference has not started; empty = silence.
    pub wait_url: Option<&'a str>,
    /// `WaitMethod` (service default: `POST`).
    pub wait_method: Option<Method>,
    /// `Coaching`: whether this participant coaches `CallSidToCoach`.
    pub coaching: Option<bool>,
    /// `CallSidToCoach`: the coached participant.
    pub call_sid_to_coach: Option<CoachTarget>,
    /// `BeepOnExit` (Twilio only).
    pub beep_on_exit: Option<bool>,
    /// `EndConferenceOnExit` (Twilio only).
    pub end_conference_on_exit: Option<bool>,
}

/// Why an [`Update`] is not acceptable for a dialect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum ValidationError {
    /// `Coaching=true` without a `CallSidToCoach` (or with an empty one).
    CoachingWithoutTarget,
    /// `Coaching=false` together with a `CallSidToCoach` SID.
    CoachTargetWithoutCoaching,
    /// A URL field is not an absolute http(s) URL without control characters.
    InvalidUrl {
        /// The field.
        field: Field,
        /// What is wrong.
        problem: UrlProblem,
    },
    /// A Twilio-only field (`BeepOnExit`, `EndConferenceOnExit`) sent to SignalWire.
    TwilioOnlyField {
        /// The field.
        field: Field,
    },
    /// A SID of another dialect's form (UUID to Twilio, `CA…` to SignalWire
    /// or Telnyx).
    SidForm {
        /// The field.
        field: Field,
    },
    /// A field the dialect's API does not have (Telnyx: `WaitMethod`; for
    /// SignalWire's missing fields, [`ValidationError::TwilioOnlyField`]).
    NotInDialect {
        /// The field.
        field: Field,
        /// The dialect it was to be sent to.
        dialect: Dialect,
    },
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::CoachingWithoutTarget => f.write_str("Coaching=true requires CallSidToCoach"),
            Self::CoachTargetWithoutCoaching => {
                f.write_str("CallSidToCoach is set but Coaching=false")
            }
            Self::InvalidUrl { field, problem } => match problem {
                UrlProblem::NotAbsoluteHttp => {
                    write!(f, "{field} is not an absolute http(s) URL")
                }
                UrlProblem::Character { offset } => write!(
                    f,
                    "{field} has a control character or whitespace at byte {offset}"
                ),
                UrlProblem::TooLong => write!(f, "{field} is longer than {URL_MAX_LEN} bytes"),
            },
            Self::TwilioOnlyField { field } => {
                write!(f, "{field} is a Twilio-only field, not sent to SignalWire")
            }
            Self::SidForm { field } => write!(f, "{field} has a SID of another dialect's form"),
            Self::NotInDialect { field, dialect } => {
                write!(f, "{field} is not a field of the {dialect} API, not sent")
            }
        }
    }
}

impl core::error::Error for ValidationError {}

/// Why a form body could not be decoded into an [`Update`] (the form
/// error shared with [`Create`](crate::api::create::Create), over Update's
/// fields). Offsets are byte offsets in the body.
pub type FormError = fields::FormError<Field>;

/// A decoded form body: the update and the keys that were ignored.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct DecodedUpdate<'a> {
    /// The fields that were present.
    pub update: Update<'a>,
    /// Unknown keys (accepted and ignored, as Twilio does).
    pub ignored: IgnoredKeys<'a>,
}

impl<'a> Update<'a> {
    /// An update with no field set (valid: it changes nothing).
    pub const fn new() -> Self {
        Self {
            muted: None,
            hold: None,
            hold_url: None,
            hold_method: None,
            announce_url: None,
            announce_method: None,
            wait_url: None,
            wait_method: None,
            coaching: None,
            call_sid_to_coach: None,
            beep_on_exit: None,
            end_conference_on_exit: None,
        }
    }

    setters! {
        /// Sets `Muted`.
        muted: bool;
        /// Sets `Hold`.
        hold: bool;
        /// Sets `HoldUrl`.
        hold_url: &'a str;
        /// Sets `HoldMethod`.
        hold_method: Method;
        /// Sets `AnnounceUrl`.
        announce_url: &'a str;
        /// Sets `AnnounceMethod`.
        announce_method: Method;
        /// Sets `WaitUrl` (empty = silence).
        wait_url: &'a str;
        /// Sets `WaitMethod`.
        wait_method: Method;
        /// Sets `Coaching`.
        coaching: bool;
        /// Sets `CallSidToCoach`.
        call_sid_to_coach: CoachTarget;
        /// Sets `BeepOnExit` (Twilio only).
        beep_on_exit: bool;
        /// Sets `EndConferenceOnExit` (Twilio only).
        end_conference_on_exit: bool;
    }

    /// Recipe "mute": `Muted=true`.
    pub const fn mute() -> Self {
        Self::new().muted(true)
    }

    /// Recipe "unmute": `Muted=false`.
    pub const fn unmute() -> Self {
        Self::new().muted(false)
    }

    /// Recipe "hold with music": `Hold=true&HoldUrl={url}`.
    pub const fn hold_with_music(url: &'a str) -> Self {
        Self::new().hold(true).hold_url(url)
    }

    /// Recipe "unhold": `Hold=false`.
    pub const fn unhold() -> Self {
        Self::new().hold(false)
    }

    /// Recipe "coach" (whisper): `Muted=false&Coaching=true&CallSidToCoach={target}`.
    pub const fn coach(target: CallSid) -> Self {
        Self::new()
            .muted(false)
            .coaching(true)
            .call_sid_to_coach(CoachTarget::Call(target))
    }

    /// Recipe "monitor" (silent listener): `Muted=true&Coaching=true&CallSidToCoach={target}`.
    pub const fn monitor(target: CallSid) -> Self {
        Self::new()
            .muted(true)
            .coaching(true)
            .call_sid_to_coach(CoachTarget::Call(target))
    }

    /// Recipe "barge": `Muted=false&Coaching=false`.
    pub const fn barge() -> Self {
        Self::new().muted(false).coaching(false)
    }

    /// Recipe "announce": `AnnounceUrl={url}`.
    pub const fn announce(url: &'a str) -> Self {
        Self::new().announce_url(url)
    }

    /// True when no field is set.
    pub fn is_empty(&self) -> bool {
        self.fields().next().is_none()
    }

    /// The fields that are set, in encoding order.
    pub fn fields(&self) -> impl Iterator<Item = Field> + '_ {
        Field::ALL.into_iter().filter(|f| self.is_set(*f))
    }

    /// True when `field` is set.
    pub const fn is_set(&self, field: Field) -> bool {
        match field {
            Field::Muted => self.muted.is_some(),
            Field::Hold => self.hold.is_some(),
            Field::HoldUrl => self.hold_url.is_some(),
            Field::HoldMethod => self.hold_method.is_some(),
            Field::AnnounceUrl => self.announce_url.is_some(),
            Field::AnnounceMethod => self.announce_method.is_some(),
            Field::WaitUrl => self.wait_url.is_some(),
            Field::WaitMethod => self.wait_method.is_some(),
            Field::Coaching => self.coaching.is_some(),
            Field::CallSidToCoach => self.call_sid_to_coach.is_some(),
            Field::BeepOnExit => self.beep_on_exit.is_some(),
            Field::EndConferenceOnExit => self.end_conference_on_exit.is_some(),
        }
    }

    /// Checks the documented rules for `dialect`:
    /// - `Coaching=true` needs a `CallSidToCoach` SID; `Coaching=false` must not name one;
    /// - URLs are absolute `http(s)` URLs of at most [`URL_MAX_LEN`] bytes,
    ///   without control characters or whitespace (`WaitUrl` may be empty: silence);
    /// - methods are `GET`/`POST` (guaranteed by [`Method`]);
    /// - SignalWire: no `BeepOnExit` / `EndConferenceOnExit`, UUID SIDs; Twilio: `CA…` SIDs;
    ///   Telnyx: no `WaitMethod`, call-control ids (`v3:…`) or UUIDs
    ///   ([`Field::in_dialect`], [`Dialect::accepts_call_form`]).
    pub fn validate(&self, dialect: Dialect) -> Result<(), ValidationError> {
        match (self.coaching, self.call_sid_to_coach) {
            (Some(true), None | Some(CoachTarget::Clear)) => {
                return Err(ValidationError::CoachingWithoutTarget);
            }
            (Some(false), Some(CoachTarget::Call(_))) => {
                return Err(ValidationError::CoachTargetWithoutCoaching);
            }
            _ => {}
        }
        for (field, url) in [
            (Field::HoldUrl, self.hold_url),
            (Field::AnnounceUrl, self.announce_url),
            (Field::WaitUrl, self.wait_url),
        ] {
            match url {
                Some("") if field == Field::WaitUrl => {}
                Some(url) => check_url(url)
                    .map_err(|problem| ValidationError::InvalidUrl { field, problem })?,
                None => {}
            }
        }
        if let Some(CoachTarget::Call(sid)) = self.call_sid_to_coach
            && !dialect.accepts_call_form(sid.form())
        {
            return Err(ValidationError::SidForm {
                field: Field::CallSidToCoach,
            });
        }
        if let Some(field) = self.fields().find(|f| !f.in_dialect(dialect)) {
            return Err(match dialect {
                Dialect::SignalWire => ValidationError::TwilioOnlyField { field },
                _ => ValidationError::NotInDialect { field, dialect },
            });
        }
        Ok(())
    }

    /// Writes the form body: the set fields in [`Field::ALL`] order, booleans
    /// lowercase, values form-encoded (space as `+`). Encodes what it is given:
    /// call [`Update::validate`] first.
    pub fn encode<S: Sink + ?Sized>(&self, sink: &mut S) -> Result<(), WriteError> {
        // Straight-line, one `put` for `&Key=` and one per plain value: the
        // same code computes `encoded_len` through a `CountingSink`.
        let mut w = FormWriter { sink, first: true };
        w.boolean(b"&Muted=", self.muted)?;
        w.boolean(b"&Hold=", self.hold)?;
        w.url(b"&HoldUrl=", self.hold_url)?;
        w.method(b"&HoldMethod=", self.hold_method)?;
        w.url(b"&AnnounceUrl=", self.announce_url)?;
        w.method(b"&AnnounceMethod=", self.announce_method)?;
        w.url(b"&WaitUrl=", self.wait_url)?;
        w.method(b"&WaitMethod=", self.wait_method)?;
        w.boolean(b"&Coaching=", self.coaching)?;
        if let Some(target) = &self.call_sid_to_coach {
            let sink = w.key(b"&CallSidToCoach=")?;
            if let CoachTarget::Call(sid) = target {
                sink.put(sid.as_bytes())?;
            }
        }
        w.boolean(b"&BeepOnExit=", self.beep_on_exit)?;
        w.boolean(b"&EndConferenceOnExit=", self.end_conference_on_exit)
    }

    /// The longest form body [`Update::encode`] writes for an update whose
    /// URLs have at most `url` bytes: every field set, the longer value of
    /// each boolean and method, a UUID coach target, every URL byte but the
    /// scheme's letters encoded as `%XX`. (A bridge decoding what a confpart
    /// client sends needs no more form scratch than this.)
    pub const fn max_encoded_len(url: usize) -> usize {
        // A valid URL starts with `http://` or `https://` and has a host: at
        // least 8 bytes. The scheme's letters stay as they are and any other
        // byte may become `%XX`, so `http` gives the longest: 3 * url - 2 * 4.
        let url = if url >= "http://x".len() {
            3 * url - 2 * "http".len()
        } else {
            0
        };
        let boolean = "false".len();
        let method = "POST".len();
        "Muted=".len()
            + boolean
            + "&Hold=".len()
            + boolean
            + "&HoldUrl=".len()
            + url
            + "&HoldMethod=".len()
            + method
            + "&AnnounceUrl=".len()
            + url
            + "&AnnounceMethod=".len()
            + method
            + "&WaitUrl=".len()
            + url
            + "&WaitMethod=".len()
            + method
            + "&Coaching=".len()
            + boolean
            + "&CallSidToCoach=".len()
            + SID_CAPACITY
            + "&BeepOnExit=".len()
            + boolean
            + "&EndConferenceOnExit=".len()
            + boolean
    }

    /// Bounds `(low, high)` on [`Update::encoded_len`] without a pass over
    /// the URLs: exact for the keys, booleans, methods and the coach target;
    /// a URL byte is written as one to three bytes. (The request writer
    /// knows the `Content-Length`'s digit count from them when both bounds
    /// have as many.)
    ///
    /// ```
    /// use confpart::api::update::Update;
    /// let u = Update::hold_with_music("https://m.example/a b.mp3");
    /// let (low, high) = u.encoded_len_bounds();
    /// assert!(low <= u.encoded_len() && u.encoded_len() <= high);
    /// assert_eq!(Update::mute().encoded_len_bounds(), (10, 10));
    /// ```
    pub fn encoded_len_bounds(&self) -> (usize, usize) {
        // Each set field adds `&Key=` and its value; the first has no `&`.
        let pair = |key: &str, value: usize| key.len() + 2 + value;
        let boolean = |key: &str, v: Option<bool>| match v {
            Some(true) => pair(key, 4),
            Some(false) => pair(key, 5),
            None => 0,
        };
        let method = |key: &str, m: Option<Method>| m.map_or(0, |m| pair(key, m.as_str().len()));
        let url = |key: &str, u: Option<&str>| u.map_or((0, 0), |u| (pair(key, 0), u.len()));
        let coach = match &self.call_sid_to_coach {
            Some(CoachTarget::Call(sid)) => pair("CallSidToCoach", sid.as_bytes().len()),
            Some(CoachTarget::Clear) => pair("CallSidToCoach", 0),
            None => 0,
        };
        let (hold_key, hold) = url("HoldUrl", self.hold_url);
        let (announce_key, announce) = url("AnnounceUrl", self.announce_url);
        let (wait_key, wait) = url("WaitUrl", self.wait_url);
        let exact = boolean("Muted", self.muted)
            + boolean("Hold", self.hold)
            + hold_key
            + method("HoldMethod", self.hold_method)
            + announce_key
            + method("AnnounceMethod", self.announce_method)
            + wait_key
            + method("WaitMethod", self.wait_method)
            + boolean("Coaching", self.coaching)
            + coach
            + boolean("BeepOnExit", self.beep_on_exit)
            + boolean("EndConferenceOnExit", self.end_conference_on_exit);
        let exact = exact.saturating_sub(1);
        let urls = hold.saturating_add(announce).saturating_add(wait);
        (
            exact.saturating_add(urls),
            exact.saturating_add(urls.saturating_mul(3)),
        )
    }

    /// Encodes into `buf`; returns the body length.
    pub fn encode_to_slice(&self, buf: &mut [u8]) -> Result<usize, WriteError> {
        let mut sink = SliceSink::new(buf);
        self.encode(&mut sink)?;
        Ok(sink.len())
    }

    /// Length of the encoded body (for `Content-Length`), without writing it:
    /// [`Update::encode`] into a [`CountingSink`].
    pub fn encoded_len(&self) -> usize {
        let mut count = CountingSink::default();
        // Counting never fails.
        let _ = self.encode(&mut count);
        count.count
    }

    /// Decodes a form body as real clients send it: `+` or `%20` for space,
    /// any key order, booleans and methods in any case, unknown keys ignored
    /// (and reported), duplicate known keys rejected, invalid escapes and
    /// invalid UTF-8 rejected, over-long values rejected (never truncated).
    ///
    /// Values without escapes borrow from `body`; the others are decoded into
    /// `scratch`. A scratch buffer as long as the body always suffices.
    pub fn decode(body: &'a [u8], scratch: &'a mut [u8]) -> Result<DecodedUpdate<'a>, FormError> {
        let mut out = DecodedUpdate {
            update: Update::new(),
            ignored: IgnoredKeys::default(),
        };
        let mut seen: u16 = 0;
        let mut scratch = Scratch { rest: scratch };
        // One walk over the body: each search runs on the rest of the body
        // (whole words, no short tails), the key up to `=` or `&`, the value
        // up to `&` noting on the way whether it has `%` or `+`.
        let mut offset = 0;
        while let Some(rest) = body.get(offset..).filter(|r| !r.is_empty()) {
            let key_len = crate::wire::scan::byte2(rest, b'=', b'&').unwrap_or(rest.len());
            let (key, after_key) = rest.split_at_checked(key_len).unwrap_or((rest, &[]));
            let value_offset = offset + key_len + usize::from(after_key.first() == Some(&b'='));
            let (value, plain) = match after_key.split_first() {
                Some((b'=', tail)) => match crate::wire::scan::byte3(tail, b'&', b'%', b'+') {
                    None => (tail, true),
                    Some(i) if tail.get(i) == Some(&b'&') => (tail.get(..i).unwrap_or(&[]), true),
                    Some(i) => {
                        let end = tail
                            .get(i..)
                            .and_then(|t| crate::wire::scan::byte(t, b'&'))
                            .map_or(tail.len(), |e| i + e);
                        (tail.get(..end).unwrap_or(&[]), false)
                    }
                },
                // No `=`: an empty value (`&` or the end follows the key).
                _ => (&[][..], true),
            };
            let pair_offset = offset;
            // Past the value and its `&`.
            offset = value_offset + value.len() + 1;
            if key.is_empty() && value_offset == pair_offset {
                // An empty pair (`a=1&&b=2`).
                continue;
            }
            let Some(field) =
                fields::form_key::<_, KEY_BUF_LEN>(key, pair_offset, Field::from_key)?
            else {
                out.ignored.push(key);
                continue;
            };
            if seen & field.bit() != 0 {
                return Err(FormError::DuplicateKey {
                    field,
                    offset: pair_offset,
                });
            }
            seen |= field.bit();
            let u = &mut out.update;
            let value = FieldValue {
                raw: value,
                plain,
                offset: value_offset,
                field,
            };
            match field {
                Field::Muted => u.muted = Some(value.boolean()?),
                Field::Hold => u.hold = Some(value.boolean()?),
                Field::Coaching => u.coaching = Some(value.boolean()?),
                Field::BeepOnExit => u.beep_on_exit = Some(value.boolean()?),
                Field::EndConferenceOnExit => u.end_conference_on_exit = Some(value.boolean()?),
                Field::HoldMethod => u.hold_method = Some(value.method()?),
                Field::AnnounceMethod => u.announce_method = Some(value.method()?),
                Field::WaitMethod => u.wait_method = Some(value.method()?),
                Field::HoldUrl => u.hold_url = Some(value.text(&mut scratch, URL_MAX_LEN)?),
                Field::AnnounceUrl => u.announce_url = Some(value.text(&mut scratch, URL_MAX_LEN)?),
                Field::WaitUrl => u.wait_url = Some(value.text(&mut scratch, URL_MAX_LEN)?),
                Field::CallSidToCoach => {
                    u.call_sid_to_coach = Some(
                        value
                            .call_sid()?
                            .map_or(CoachTarget::Clear, CoachTarget::Call),
                    );
                }
            }
        }
        Ok(out)
    }

    /// Decodes a JSON body as the Python and Go SDKs send it
    /// (`{"Muted": true, "HoldUrl": "..."}`), with the outputs and rules of
    /// [`Update::decode`]: the same PascalCase keys (escapes in a key are
    /// decoded before matching), JSON booleans (or the strings `"true"` /
    /// `"false"` in any case), methods as strings in any case, `null` as
    /// absent, unknown keys ignored (their values checked and skipped) and
    /// reported as sent, duplicate known keys rejected, over-long values
    /// rejected (never truncated). The body must be one strict JSON object
    /// (the crate's JSON engine, [`crate::wire::json`]); anything else is a
    /// [`FormError::Json`](crate::api::fields::FormError::Json) with its
    /// byte offset. A value of the wrong JSON type is the field's error
    /// ([`FormError::InvalidBool`](crate::api::fields::FormError::InvalidBool),
    /// ...) at the value's offset.
    ///
    /// Strings without escapes borrow from `body`; the others are unescaped
    /// into `scratch`. A scratch buffer as long as the body always suffices.
    ///
    /// ```
    /// use confpart::api::update::{Field, FormError, Update};
    ///
    /// let body = br#"{"Hold": true, "HoldUrl": "http:\/\/music.example\/hold me.mp3", "Beep": false}"#;
    /// let mut scratch = [0u8; 64];
    /// let decoded = Update::decode_json(body, &mut scratch)?;
    /// assert_eq!(decoded.update, Update::hold_with_music("http://music.example/hold me.mp3"));
    /// assert_eq!(decoded.ignored.iter().next(), Some(&b"Beep"[..]));
    ///
    /// let e = Update::decode_json(br#"{"Muted": 1}"#, &mut [0u8; 16]).unwrap_err();
    /// assert_eq!(e, FormError::InvalidBool { field: Field::Muted, offset: 10 });
    /// # Ok::<(), FormError>(())
    /// ```
    ///
    /// Needs the `json-body` feature (a bridge without it answers a JSON
    /// body 415).
    #[cfg(feature = "json-body")]
    pub fn decode_json(
        body: &'a [u8],
        scratch: &'a mut [u8],
    ) -> Result<DecodedUpdate<'a>, FormError> {
        let mut update = Update::new();
        let mut ignored = IgnoredKeys::default();
        let mut seen: u16 = 0;
        let mut scratch = Scratch { rest: scratch };
        fields::json_members(body, &mut ignored, |c, field: Field, key_offset| {
            if seen & field.bit() != 0 {
                return Err(FormError::DuplicateKey {
                    field,
                    offset: key_offset,
                });
            }
            seen |= field.bit();
            let mut v = JsonValue::new(c, field);
            let u = &mut update;
            match field {
                Field::Muted => u.muted = v.boolean()?,
                Field::Hold => u.hold = v.boolean()?,
                Field::Coaching => u.coaching = v.boolean()?,
                Field::BeepOnExit => u.beep_on_exit = v.boolean()?,
                Field::EndConferenceOnExit => u.end_conference_on_exit = v.boolean()?,
                Field::HoldMethod => u.hold_method = v.method()?,
                Field::AnnounceMethod => u.announce_method = v.method()?,
                Field::WaitMethod => u.wait_method = v.method()?,
                Field::HoldUrl => u.hold_url = v.text(&mut scratch, URL_MAX_LEN)?,
                Field::AnnounceUrl => u.announce_url = v.text(&mut scratch, URL_MAX_LEN)?,
                Field::WaitUrl => u.wait_url = v.text(&mut scratch, URL_MAX_LEN)?,
                Field::CallSidToCoach => {
                    u.call_sid_to_coach = v
                        .call_sid()?
                        .map(|sid| sid.map_or(CoachTarget::Clear, CoachTarget::Call));
                }
            }
            Ok(())
        })?;
        Ok(DecodedUpdate { update, ignored })
    }
}

/// Writes the pairs of a form body, `&` between them.
struct FormWriter<'s, S: ?Sized> {
    sink: &'s mut S,
    first: bool,
}

impl<S: Sink + ?Sized> FormWriter<'_, S> {
    /// Writes `&Key=` (`Key=` for the first pair) and returns the sink for the value.
    #[inline(always)]
    fn key(&mut self, amp_key_eq: &'static [u8]) -> Result<&mut S, WriteError> {
        let prefix = if self.first {
            amp_key_eq.get(1..).unwrap_or(&[])
        } else {
            amp_key_eq
        };
        self.first = false;
        self.sink.put(prefix)?;
        Ok(self.sink)
    }

    #[inline(always)]
    fn boolean(&mut self, amp_key_eq: &'static [u8], v: Option<bool>) -> Result<(), WriteError> {
        match v {
            Some(v) => self
                .key(amp_key_eq)?
                .put(if v { b"true" } else { b"false" }),
            None => Ok(()),
        }
    }

    #[inline(always)]
    fn method(&mut self, amp_key_eq: &'static [u8], m: Option<Method>) -> Result<(), WriteError> {
        match m {
            Some(m) => self.key(amp_key_eq)?.put_str(m.as_str()),
            None => Ok(()),
        }
    }

    #[inline(always)]
    fn url(&mut self, amp_key_eq: &'static [u8], url: Option<&str>) -> Result<(), WriteError> {
        match url {
            Some(url) => self.key(amp_key_eq)?.put_form_component(url),
            None => Ok(()),
        }
    }
}

/// `key == lit` for keys of equal length, 4 to 24 bytes, compared as two or
/// three overlapping words (`lit` is a constant: its words are immediates).
#[inline(always)]
fn same_key(key: &[u8], lit: &'static [u8]) -> bool {
    let n = lit.len();
    if n >= 8 {
        let w = |s: &[u8], i: usize| {
            s.get(i..i + 8)
                .and_then(|x| <[u8; 8]>::try_from(x).ok())
                .map(u64::from_ne_bytes)
        };
        let mid = (n - 8) / 2;
        w(key, 0) == w(lit, 0) && w(key, mid) == w(lit, mid) && w(key, n - 8) == w(lit, n - 8)
    } else {
        let w = |s: &[u8], i: usize| {
            s.get(i..i + 4)
                .and_then(|x| <[u8; 4]>::try_from(x).ok())
                .map(u32::from_ne_bytes)
        };
        n >= 4 && w(key, 0) == w(lit, 0) && w(key, n - 4) == w(lit, n - 4)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    /// The character check as written before the word-at-a-time skip.
    fn naive_offset(url: &str) -> Option<usize> {
        url.char_indices()
            .find(|&(_, c)| c.is_control() || crate::api::fields::is_unicode_white_space(c))
            .map(|(i, _)| i)
    }

    proptest! {
        #[test]
        fn url_character_check_agrees_with_chars(
            url in "(https://)?[a-z/?=&%.\\x{0}-\\x{20}\\x{7f}-\\x{a0}\\x{2000}-\\x{2030}\\x{3000}é€]{0,40}"
        ) {
            let ours = match crate::api::fields::check_url(&url) {
                Err(crate::api::fields::UrlProblem::Character { offset }) => Some(offset),
                _ => None,
            };
            prop_assert_eq!(ours, naive_offset(&url));
        }
    }

    /// The whole check as written before the one-word scheme test.
    fn check_url_model(url: &str) -> Result<(), crate::api::fields::UrlProblem> {
        use crate::api::fields::UrlProblem;
        if url.len() > crate::api::fields::URL_MAX_LEN {
            return Err(UrlProblem::TooLong);
        }
        if let Some(offset) = naive_offset(url) {
            return Err(UrlProblem::Character { offset });
        }
        let bytes = url.as_bytes();
        let rest = if bytes.len() >= 8 && bytes[..8].eq_ignore_ascii_case(b"https://") {
            Some(&bytes[8..])
        } else if bytes.len() >= 7 && bytes[..7].eq_ignore_ascii_case(b"http://") {
            Some(&bytes[7..])
        } else {
            None
        };
        match rest {
            Some([b, ..]) if !matches!(b, b'/' | b'?' | b'#') => Ok(()),
            _ => Err(UrlProblem::NotAbsoluteHttp),
        }
    }

    proptest! {
        #[test]
        fn url_check_agrees_with_the_model(
            url in "([hH][tT][tT][pP][sS]?:?/?/?|[hH\\x{8}\\x{48}\\x{68}:/\\x{1a}\\x{f}\\x{c8}])?[a-zA-Z/?#=&%.:\\x{0}-\\x{20}\\x{7f}-\\x{a0}é]{0,12}"
        ) {
            prop_assert_eq!(crate::api::fields::check_url(&url), check_url_model(&url));
        }
    }

    #[test]
    fn white_space_matches_char_is_whitespace() {
        for c in (0..=0x10ffff).filter_map(char::from_u32) {
            assert_eq!(
                crate::api::fields::is_unicode_white_space(c),
                c.is_whitespace(),
                "{c:?}"
            );
        }
    }
}
