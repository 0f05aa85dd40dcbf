//! Identifiers: account, conference and call SIDs, participant labels.
//!
//! Every identifier is validated when it is constructed, so a value of these
//! types can be written into a request line or a JSON document without
//! further checks: none of them can carry CR, LF, NUL, `?`, `#` or `/`
//! (labels may carry `?` and `#`, which [`ParticipantRef::write_path_segment`]
//! percent-encodes).
//!
//! Three SID forms exist:
//! - Twilio: a two-letter prefix (`AC`, `CF`, `CA`, `SK`) and 32 hex digits (34 bytes);
//! - SignalWire (and Telnyx accounts and conferences): a UUID `8-4-4-4-12` of hex
//!   digits (36 bytes);
//! - Telnyx call-control ids, for call SIDs only: `v` and a version digit, `:`, then
//!   base64url characters (`v3:9X2vxPDF…-aiQ`), at most [`TELNYX_CALL_ID_MAX_LEN`] bytes.
//!
//! A new SID is made from 128 bits (`CallSid::from_bits`): the core never
//! invents randomness, the caller brings it.
//!
//! ```
//! use confpart::wire::ident::{CallSid, ParticipantRef, SidForm};
//!
//! let twilio = CallSid::parse("CAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")?;
//! assert_eq!(twilio.form(), SidForm::Twilio);
//! let sw = CallSid::parse("9d3d58a8-9a8e-4b8e-a1e3-d3c4e5f6a7b8")?;
//! assert_eq!(sw.form(), SidForm::Uuid);
//! let telnyx = CallSid::parse("v3:9X2vxPDFY2RHSJ1EdMS0RHRksMTg2gAbDJyr6kyDlpFGq3kGsj5-aiQ")?;
//! assert_eq!(telnyx.form(), SidForm::Telnyx);
//!
//! // A participant can be addressed by label: percent-encoded in the path.
//! let who = ParticipantRef::parse("front desk")?;
//! let mut buf = [0u8; 32];
//! let mut sink = confpart::wire::sink::SliceSink::new(&mut buf);
//! who.write_path_segment(&mut sink).unwrap();
//! assert_eq!(sink.written(), b"front%20desk");
//! # Ok::<(), confpart::wire::ident::IdError>(())
//! ```

use core::fmt;

use crate::wire::sink::{Sink, WriteError};

/// Length of a Twilio SID: two prefix letters and 32 hex digits.
pub const TWILIO_SID_LEN: usize = 34;
/// Length of a SignalWire UUID identifier (`8-4-4-4-12`).
pub const UUID_LEN: usize = 36;
/// Longest Telnyx call-control id accepted: `v3:` and 61 base64url
/// characters. Real ids seen in Telnyx's documentation and SDK examples have
/// 59 bytes; the capacity leaves room without making every SID larger than
/// one 64-byte block.
pub const TELNYX_CALL_ID_MAX_LEN: usize = 64;
/// Bytes reserved for any SID (the longest form: a Telnyx call-control id).
pub const SID_CAPACITY: usize = TELNYX_CALL_ID_MAX_LEN;
/// Maximum length of a label, in characters (Twilio's limit).
pub const LABEL_MAX_CHARS: usize = 128;
/// Bytes reserved for a label: [`LABEL_MAX_CHARS`] characters of up to 4 UTF-8 bytes.
pub const LABEL_CAPACITY: usize = LABEL_MAX_CHARS * 4;

/// Which identifier an [`IdError`] is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum IdKind {
    /// An account SID (`AC…`) or SignalWire project id.
    Account,
    /// A conference SID (`CF…`).
    Conference,
    /// A call SID (`CA…`).
    Call,
    /// A participant label.
    Label,
    /// An API key SID (`SK…`): the Basic auth user of an API key.
    ApiKey,
}

impl IdKind {
    /// The two letters a Twilio-form SID of this kind starts with (`AC`,
    /// `CF`, `CA`, `SK`); empty for a label.
    ///
    /// ```
    /// use confpart::wire::ident::IdKind;
    /// assert_eq!(IdKind::Account.prefix(), "AC");
    /// assert_eq!(IdKind::ApiKey.prefix(), "SK");
    /// ```
    pub const fn prefix(self) -> &'static str {
        match self {
            Self::Account => "AC",
            Self::Conference => "CF",
            Self::Call => "CA",
            Self::Label => "",
            Self::ApiKey => "SK",
        }
    }

    /// A short English name, as used in messages.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Account => "account SID",
            Self::Conference => "conference SID",
            Self::Call => "call SID",
            Self::Label => "label",
            Self::ApiKey => "API key SID",
        }
    }
}

/// Why a string is not a valid identifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum IdError {
    /// The SID has neither 34 (Twilio) nor 36 (UUID) bytes (nor, for a call
    /// SID starting `v<digit>:`, 4 to [`TELNYX_CALL_ID_MAX_LEN`]).
    Length {
        /// Which identifier.
        kind: IdKind,
        /// Its length in bytes.
        len: usize,
    },
    /// A 34-byte SID that does not start with the expected two letters.
    Prefix {
        /// Which identifier (and so which prefix was expected).
        kind: IdKind,
    },
    /// A byte that is not a hex digit (or a misplaced `-` in a UUID).
    Character {
        /// Which identifier.
        kind: IdKind,
        /// Byte offset of the offending byte.
        offset: usize,
    },
    /// An empty label.
    LabelEmpty,
    /// A label longer than [`LABEL_MAX_CHARS`] characters.
    LabelTooLong {
        /// Its length in characters.
        chars: usize,
    },
    /// A label with `/`, a control character (CR, LF, NUL, …) or DEL.
    LabelCharacter {
        /// Byte offset of the offending character.
        offset: usize,
    },
    /// A label that is a valid call SID (it would be ambiguous in a path).
    LabelLooksLikeCallSid,
    /// A label that is `.` or `..` (a dot-segment in a path).
    LabelDotSegment,
}

impl fmt::Display for IdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Length { kind, len } => write!(
                f,
                "{} has {len} bytes; expected {TWILIO_SID_LEN} (Twilio) or {UUID_LEN} (UUID)",
                kind.name()
            ),
            Self::Prefix { kind } => {
                write!(f, "{} does not start with {}", kind.name(), kind.prefix())
            }
            Self::Character { kind, offset } => {
                write!(
                    f,
                    "{} has an invalid character at byte {offset}",
                    kind.name()
                )
            }
            Self::LabelEmpty => f.write_str("label is empty"),
            Self::LabelTooLong { chars } => write!(
                f,
                "label has {chars} characters; at most {LABEL_MAX_CHARS} are allowed"
            ),
            Self::LabelCharacter { offset } => {
                write!(f, "label has '/' or a control character at byte {offset}")
            }
            Self::LabelLooksLikeCallSid => f.write_str("label must not look like a call SID"),
            Self::LabelDotSegment => f.write_str("label must not be '.' or '..'"),
        }
    }
}

impl core::error::Error for IdError {}

/// Which of the SID forms an identifier has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum SidForm {
    /// Twilio: prefix + 32 hex digits.
    Twilio,
    /// SignalWire, and Telnyx accounts and conferences: UUID `8-4-4-4-12`.
    Uuid,
    /// A Telnyx call-control id (call SIDs only): `v<digit>:` and 1 to
    /// [`TELNYX_CALL_ID_MAX_LEN`]` - 3` base64url characters (`A-Z a-z 0-9 - _`).
    Telnyx,
}

/// Bytes before a Telnyx call-control id's base64url text (`v3:`).
const TELNYX_CALL_ID_PREFIX_LEN: usize = 3;

/// Checks `s` as a Telnyx call-control id (`v<digit>:` + base64url).
fn check_telnyx_call_id(s: &[u8]) -> Result<SidForm, IdError> {
    let kind = IdKind::Call;
    if s.len() <= TELNYX_CALL_ID_PREFIX_LEN || s.len() > TELNYX_CALL_ID_MAX_LEN {
        return Err(IdError::Length { kind, len: s.len() });
    }
    let text = s.get(TELNYX_CALL_ID_PREFIX_LEN..).unwrap_or(&[]);
    match text
        .iter()
        .position(|&b| !(b.is_ascii_alphanumeric() || b == b'-' || b == b'_'))
    {
        Some(i) => Err(IdError::Character {
            kind,
            offset: i + TELNYX_CALL_ID_PREFIX_LEN,
        }),
        None => Ok(SidForm::Telnyx),
    }
}

/// Whether `s` starts as a Telnyx call-control id does (`v<digit>:`).
fn telnyx_shaped(s: &[u8]) -> bool {
    matches!(s, [b'v', d, b':', ..] if d.is_ascii_digit())
}

/// The length of a SID of `form` whose stored bytes are `bytes` (zero-padded).
fn sid_len(bytes: &[u8; SID_CAPACITY], form: SidForm) -> usize {
    match form {
        SidForm::Twilio => TWILIO_SID_LEN,
        SidForm::Uuid => UUID_LEN,
        SidForm::Telnyx => bytes.iter().position(|&b| b == 0).unwrap_or(SID_CAPACITY),
    }
}

/// Checks `s` as a SID of `kind`; returns its form.
fn check_sid(s: &[u8], kind: IdKind) -> Result<SidForm, IdError> {
    if kind == IdKind::Call && telnyx_shaped(s) {
        return check_telnyx_call_id(s);
    }
    match s.len() {
        TWILIO_SID_LEN => {
            let (prefix, hex) = s.split_at(2);
            if prefix != kind.prefix().as_bytes() {
                return Err(IdError::Prefix { kind });
            }
            // Eight bytes per step; the offset only on failure.
            if crate::wire::scan::all_hex(hex) {
                return Ok(SidForm::Twilio);
            }
            match hex.iter().position(|b| !b.is_ascii_hexdigit()) {
                Some(i) => Err(IdError::Character {
                    kind,
                    offset: i + 2,
                }),
                None => Ok(SidForm::Twilio),
            }
        }
        UUID_LEN => {
            for (i, &b) in s.iter().enumerate() {
                let ok = if matches!(i, 8 | 13 | 18 | 23) {
                    b == b'-'
                } else {
                    b.is_ascii_hexdigit()
                };
                if !ok {
                    return Err(IdError::Character { kind, offset: i });
                }
            }
            Ok(SidForm::Uuid)
        }
        len => Err(IdError::Length { kind, len }),
    }
}

/// Whether two SIDs' bytes are equal: every byte compared, no early exit, which the
/// compiler turns into a few vector instructions inline (an array's `==` calls `memcmp`).
#[inline]
fn same_bytes(a: &[u8; SID_CAPACITY], b: &[u8; SID_CAPACITY]) -> bool {
    a.iter().zip(b).fold(0u8, |diff, (x, y)| diff | (x ^ y)) == 0
}

/// A SID validated for some kind, before it becomes its typed value.
#[derive(Clone, Copy)]
pub(crate) struct RawSid {
    bytes: [u8; SID_CAPACITY],
    form: SidForm,
}

/// Validates `s` as a SID of `kind` and stores it inline.
pub(crate) fn parse_raw(s: &[u8], kind: IdKind) -> Result<RawSid, IdError> {
    let form = check_sid(s, kind)?;
    let mut bytes = [0u8; SID_CAPACITY];
    if let Some(dst) = bytes.get_mut(..s.len()) {
        crate::wire::sink::copy(dst, s);
    }
    Ok(RawSid { bytes, form })
}

/// A SID of `kind` in `form` from 128 bits: Twilio's prefix and the bits
/// as 32 hex digits, most significant first; or a UUID of those 32 digits
/// whose version digit is `4` and variant digit `8` (with random bits, a
/// random UUID: RFC 9562, version 4).
fn raw_from_bits(bits: u128, form: SidForm, kind: IdKind) -> RawSid {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut bytes = [0u8; SID_CAPACITY];
    let form = match form {
        SidForm::Telnyx if kind == IdKind::Call => return telnyx_from_bits(bits),
        // Only call SIDs have a Telnyx form; Telnyx's other ids are UUIDs.
        SidForm::Telnyx => SidForm::Uuid,
        other => other,
    };
    let (prefix, len) = match form {
        SidForm::Twilio => (kind.prefix().as_bytes(), TWILIO_SID_LEN),
        SidForm::Uuid | SidForm::Telnyx => (&[][..], UUID_LEN),
    };
    crate::wire::sink::copy(&mut bytes, prefix);
    let text = bytes.get_mut(prefix.len()..len).unwrap_or(&mut []);
    let mut shift = u128::BITS;
    for (i, slot) in text.iter_mut().enumerate() {
        *slot = if form == SidForm::Uuid && matches!(i, 8 | 13 | 18 | 23) {
            b'-'
        } else {
            shift = shift.saturating_sub(4);
            let nibble = (bits >> shift) & 0xf;
            HEX.get(nibble as usize).copied().unwrap_or(b'0')
        };
    }
    if form == SidForm::Uuid {
        for (at, digit) in [(14, b'4'), (19, b'8')] {
            if let Some(b) = bytes.get_mut(at) {
                *b = digit;
            }
        }
    }
    RawSid { bytes, form }
}

/// base64url's alphabet (RFC 4648 §5), in which a minted Telnyx call id
/// writes its bits.
const B64URL: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
/// Characters of the 128 bits of a minted Telnyx call id.
const TELNYX_BITS_CHARS: usize = 22;

/// The 128 bits a Telnyx call id made by `CallSid::from_bits(bits,
/// SidForm::Telnyx)` carries (`v3:` and exactly 22 base64url characters,
/// the last one's low 4 bits zero); `None` for any other id.
pub(crate) fn telnyx_bits(id: &[u8]) -> Option<u128> {
    let text = id.strip_prefix(b"v3:")?;
    let (last, head) = text.split_last()?;
    if text.len() != TELNYX_BITS_CHARS {
        return None;
    }
    let six = |c: u8| B64URL.iter().position(|&a| a == c).map(|v| v as u128);
    let mut bits: u128 = 0;
    for &c in head {
        bits = (bits << 6) | six(c)?;
    }
    let last = six(*last)?;
    // The last character carries 2 bits in its top; the rest must be 0.
    if last & 0xf != 0 {
        return None;
    }
    Some((bits << 2) | (last >> 4))
}

/// A Telnyx call-control id from 128 bits: `v3:` and the bits as 22
/// base64url characters (6 bits each, most significant first; the last
/// character carries the final 2 bits, shifted up).
fn telnyx_from_bits(bits: u128) -> RawSid {
    let mut bytes = [0u8; SID_CAPACITY];
    crate::wire::sink::copy(&mut bytes, b"v3:");
    let text = bytes
        .get_mut(TELNYX_CALL_ID_PREFIX_LEN..TELNYX_CALL_ID_PREFIX_LEN + TELNYX_BITS_CHARS)
        .unwrap_or(&mut []);
    for (i, slot) in text.iter_mut().enumerate() {
        let six = match 122u32.checked_sub(6 * i as u32) {
            Some(shift) => (bits >> shift) & 0x3f,
            None => (bits & 0x3) << 4,
        };
        *slot = B64URL.get(six as usize).copied().unwrap_or(b'A');
    }
    RawSid {
        bytes,
        form: SidForm::Telnyx,
    }
}

macro_rules! sid_type {
    ($(#[$doc:meta])* $name:ident, $kind:expr, $example:literal) => {
        $(#[$doc])*
        ///
        /// Stored inline ([`SID_CAPACITY`] bytes), `Copy`, validated on construction.
        ///
        /// ```
        #[doc = concat!("use confpart::wire::ident::", stringify!($name), ";")]
        #[doc = concat!("let sid = ", stringify!($name), "::parse(\"", $example, "\")?;")]
        #[doc = concat!("assert_eq!(sid.as_str(), \"", $example, "\");")]
        #[doc = concat!("assert!(", stringify!($name), "::parse(\"XX\").is_err());")]
        /// # Ok::<(), confpart::wire::ident::IdError>(())
        /// ```
        #[derive(Clone, Copy)]
        pub struct $name {
            bytes: [u8; SID_CAPACITY],
            form: SidForm,
        }

        // Equality without a `memcmp` call: a participant is found by comparing its call
        // SID with each of its conference's (up to 250), and a call per comparison was
        // the bridge's largest user-space cost (`perf`, BENCHMARKS.md "issue 19").
        impl PartialEq for $name {
            #[inline]
            fn eq(&self, other: &Self) -> bool {
                self.form == other.form && same_bytes(&self.bytes, &other.bytes)
            }
        }

        impl Eq for $name {}

        // As derived: consistent with `eq` (same bytes and form).
        impl core::hash::Hash for $name {
            fn hash<H: core::hash::Hasher>(&self, state: &mut H) {
                self.bytes.hash(state);
                self.form.hash(state);
            }
        }

        impl $name {
            /// Which identifier this type holds.
            pub const KIND: IdKind = $kind;

            /// Validates `s` as a Twilio SID (prefix + 32 hex digits) or a UUID
            /// (a call SID may also be a Telnyx call-control id, `v3:…`).
            pub fn parse(s: &str) -> Result<Self, IdError> {
                Self::parse_bytes(s.as_bytes())
            }

            /// Like [`Self::parse`], from bytes.
            pub fn parse_bytes(s: &[u8]) -> Result<Self, IdError> {
                parse_raw(s, $kind).map(Self::from_raw)
            }

            /// A new SID of this kind in `form`, from 128 bits (random bits
            /// make a random SID): Twilio's prefix and the bits as 32 hex
            /// digits, most significant first; or a UUID of those digits
            /// with the version digit `4` and the variant digit `8` (a
            /// random UUID, version 4, when the bits are random). A call SID in
            /// [`SidForm::Telnyx`] is `v3:` and the bits as 22 base64url
            /// characters; the other kinds have no Telnyx form and are UUIDs.
            ///
            /// ```
            #[doc = concat!("use confpart::wire::ident::{", stringify!($name), ", SidForm};")]
            #[doc = concat!("let twilio = ", stringify!($name), "::from_bits(0x2a, SidForm::Twilio);")]
            /// assert!(twilio.as_str().ends_with("0000000000000000000000000000002a"));
            #[doc = concat!("let uuid = ", stringify!($name), "::from_bits(u128::MAX, SidForm::Uuid);")]
            /// assert_eq!(uuid.as_str(), "ffffffff-ffff-4fff-8fff-ffffffffffff");
            #[doc = concat!("assert_eq!(", stringify!($name), "::parse(uuid.as_str()), Ok(uuid));")]
            /// ```
            pub fn from_bits(bits: u128, form: SidForm) -> Self {
                Self::from_raw(raw_from_bits(bits, form, $kind))
            }

            /// The SID [`parse_raw`] validated for this kind (the JSON
            /// decoder reads every kind with one non-generic function).
            pub(crate) const fn from_raw(RawSid { bytes, form }: RawSid) -> Self {
                Self { bytes, form }
            }

            /// The SID text.
            pub fn as_str(&self) -> &str {
                let len = sid_len(&self.bytes, self.form);
                // Validated ASCII on construction: neither call can fail.
                let bytes = self.bytes.get(..len).unwrap_or(&[]);
                core::str::from_utf8(bytes).unwrap_or("")
            }

            /// The SID bytes (ASCII), without the UTF-8 check of [`Self::as_str`].
            // Not every kind is written as bytes: an API key SID only goes
            // into the Basic credentials, as text.
            #[allow(dead_code)]
            pub(crate) fn as_bytes(&self) -> &[u8] {
                let len = sid_len(&self.bytes, self.form);
                self.bytes.get(..len).unwrap_or(&[])
            }

            /// Twilio, UUID or (call SIDs only) Telnyx form.
            pub const fn form(&self) -> SidForm {
                self.form
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($name), self.as_str())
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        #[cfg(feature = "defmt")]
        impl defmt::Format for $name {
            fn format(&self, f: defmt::Formatter<'_>) {
                defmt::write!(f, "{}", self.as_str())
            }
        }

        impl core::str::FromStr for $name {
            type Err = IdError;
            fn from_str(s: &str) -> Result<Self, IdError> {
                Self::parse(s)
            }
        }

        impl TryFrom<&str> for $name {
            type Error = IdError;
            fn try_from(s: &str) -> Result<Self, IdError> {
                Self::parse(s)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                self.as_str()
            }
        }

        #[cfg(feature = "serde")]
        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }
    };
}

sid_type!(
    /// An account SID (`AC` + 32 hex) or a SignalWire project id (UUID).
    AccountSid,
    IdKind::Account,
    "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
);
sid_type!(
    /// A conference SID (`CF` + 32 hex) or a SignalWire conference UUID.
    ConferenceSid,
    IdKind::Conference,
    "CFaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
);
sid_type!(
    /// A call SID (`CA` + 32 hex) or a SignalWire call UUID.
    CallSid,
    IdKind::Call,
    "CAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
);
sid_type!(
    /// An API key SID (`SK` + 32 hex): the Basic auth user of a Twilio API
    /// key, whose secret is the password (the path still names the account).
    ApiKeySid,
    IdKind::ApiKey,
    "SKaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
);

/// A participant label: 1 to [`LABEL_MAX_CHARS`] characters, no `/`, no
/// control characters, not `.`/`..`, and not something that parses as a
/// [`CallSid`]. Unique per conference (the bridge checks that).
///
/// ```
/// use confpart::wire::ident::{IdError, Label};
///
/// assert_eq!(Label::new("customer")?.as_str(), "customer");
/// assert_eq!(Label::new("a/b"), Err(IdError::LabelCharacter { offset: 1 }));
/// assert_eq!(
///     Label::new("CAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"),
///     Err(IdError::LabelLooksLikeCallSid)
/// );
/// # Ok::<(), IdError>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Label(heapless::String<LABEL_CAPACITY>);

impl Label {
    /// Validates and copies `s`.
    pub fn new(s: &str) -> Result<Self, IdError> {
        Self::check(s)?;
        let mut out = heapless::String::new();
        // `check` bounded the length to LABEL_CAPACITY bytes, so this fits.
        // (Unreachable: `check` passed; no character count needed here.)
        out.push_str(s).map_err(|_| IdError::LabelTooLong {
            chars: LABEL_MAX_CHARS + 1,
        })?;
        Ok(Self(out))
    }

    /// Validates `s` as a label without copying it.
    pub fn check(s: &str) -> Result<(), IdError> {
        if s.is_empty() {
            return Err(IdError::LabelEmpty);
        }
        // Printable ASCII without `/` (the usual label): one byte per char,
        // none a control; otherwise the chars one by one.
        let plain = s.bytes().all(|b| (0x20..0x7f).contains(&b) && b != b'/');
        let mut chars = s.len();
        if !plain {
            chars = 0;
            for (offset, c) in s.char_indices() {
                chars += 1;
                if c == '/' || c.is_control() {
                    return Err(IdError::LabelCharacter { offset });
                }
            }
        }
        if chars > LABEL_MAX_CHARS {
            return Err(IdError::LabelTooLong { chars });
        }
        if s == "." || s == ".." {
            return Err(IdError::LabelDotSegment);
        }
        // Twilio's and SignalWire's call SIDs; a Telnyx-shaped label
        // (`v1:lobby`) is refused only where Telnyx ids are call SIDs
        // (`Create::validate` for Telnyx).
        if CallSid::parse(s).is_ok_and(|sid| sid.form() != SidForm::Telnyx) {
            return Err(IdError::LabelLooksLikeCallSid);
        }
        Ok(())
    }

    /// The label text.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

impl fmt::Debug for Label {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Label({:?})", self.as_str())
    }
}

impl fmt::Display for Label {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(feature = "defmt")]
impl defmt::Format for Label {
    fn format(&self, f: defmt::Formatter<'_>) {
        defmt::write!(f, "{}", self.as_str())
    }
}

impl core::str::FromStr for Label {
    type Err = IdError;
    fn from_str(s: &str) -> Result<Self, IdError> {
        Self::new(s)
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for Label {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// Bytes left as they are in a path segment: RFC 3986 unreserved.
const fn unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

/// `%XX` (upper-case hex, as `percent-encoding` writes it) for `b`.
const fn percent(b: u8) -> [u8; 3] {
    const fn hex(n: u8) -> u8 {
        if n < 10 { b'0' + n } else { b'A' + n - 10 }
    }
    [b'%', hex(b >> 4), hex(b & 0xf)]
}

/// The `{CallSid}` slot of a participant path: a call SID or a label.
///
/// The label variant is large ([`LABEL_CAPACITY`] bytes): there is no heap to
/// box it into, and a reference is short-lived.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[allow(clippy::large_enum_variant)]
pub enum ParticipantRef {
    /// Addressed by call SID.
    Call(CallSid),
    /// Addressed by label (Twilio).
    Label(Label),
}

impl ParticipantRef {
    /// A call SID if `s` parses as one, a label otherwise.
    pub fn parse(s: &str) -> Result<Self, IdError> {
        match CallSid::parse(s) {
            Ok(sid) => Ok(Self::Call(sid)),
            Err(_) => Label::new(s).map(Self::Label),
        }
    }

    /// The SID or label text (not encoded).
    pub fn as_str(&self) -> &str {
        match self {
            Self::Call(sid) => sid.as_str(),
            Self::Label(label) => label.as_str(),
        }
    }

    /// Writes the value as a path segment, percent-encoding every byte
    /// outside RFC 3986's unreserved set (space becomes `%20`).
    pub fn write_path_segment<S: Sink + ?Sized>(&self, sink: &mut S) -> Result<(), WriteError> {
        match self {
            Self::Call(sid) => sink.put(sid.as_bytes()),
            // By hand, not `percent_encoding::utf8_percent_encode`: its
            // iterator kept a panicking `split_at` in the client path
            // (`core::panicking::panic_fmt` linked, thumbv7em). Runs of
            // unreserved bytes are written whole; the crate is the oracle
            // of a test below.
            Self::Label(label) => {
                let mut rest = label.as_str().as_bytes();
                loop {
                    let run = rest
                        .iter()
                        .position(|&b| !unreserved(b))
                        .unwrap_or(rest.len());
                    let (plain, tail) = rest.split_at_checked(run).unwrap_or((rest, &[]));
                    if !plain.is_empty() {
                        sink.put(plain)?;
                    }
                    let Some((&b, tail)) = tail.split_first() else {
                        return Ok(());
                    };
                    sink.put(&percent(b))?;
                    rest = tail;
                }
            }
        }
    }
}

impl From<CallSid> for ParticipantRef {
    fn from(sid: CallSid) -> Self {
        Self::Call(sid)
    }
}

impl From<Label> for ParticipantRef {
    fn from(label: Label) -> Self {
        Self::Label(label)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::sink::SliceSink;
    use proptest::prelude::*;
    use std::{format, string::String, vec::Vec};

    const TELNYX_CALL: &str = "v3:9X2vxPDFY2RHSJ1EdMS0RHRksMTg2gAbDJyr6kyDlpFGq3kGsj5-aiQ";

    #[test]
    fn telnyx_call_ids() {
        let sid = CallSid::parse(TELNYX_CALL).unwrap();
        assert_eq!((sid.as_str(), sid.form()), (TELNYX_CALL, SidForm::Telnyx));
        let longest = id_of_len(TELNYX_CALL_ID_MAX_LEN);
        assert_eq!(CallSid::parse(&longest).unwrap().as_str(), longest);
        let too_long = id_of_len(TELNYX_CALL_ID_MAX_LEN + 1);
        assert_eq!(
            CallSid::parse(&too_long),
            Err(IdError::Length {
                kind: IdKind::Call,
                len: TELNYX_CALL_ID_MAX_LEN + 1
            })
        );
        assert_eq!(
            CallSid::parse("v3:"),
            Err(IdError::Length {
                kind: IdKind::Call,
                len: 3
            })
        );
        assert_eq!(
            CallSid::parse("v3:ab/c"),
            Err(IdError::Character {
                kind: IdKind::Call,
                offset: 5
            })
        );
        // Only call SIDs have the Telnyx form.
        assert!(AccountSid::parse(TELNYX_CALL).is_err());
        assert!(ConferenceSid::parse(TELNYX_CALL).is_err());
        // A Twilio label may be shaped like one (Telnyx's create refuses it).
        assert!(Label::new(TELNYX_CALL).is_ok());
        assert_eq!(
            Label::new("CAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"),
            Err(IdError::LabelLooksLikeCallSid)
        );
        // Equality sees the length (the tail is zero-padded).
        assert_ne!(
            CallSid::parse("v3:ab").unwrap(),
            CallSid::parse("v3:abc").unwrap()
        );
    }

    fn id_of_len(len: usize) -> std::string::String {
        let mut s = std::string::String::from("v3:");
        while s.len() < len {
            s.push('x');
        }
        s
    }

    #[test]
    fn telnyx_ids_from_bits() {
        let sid = CallSid::from_bits(u128::MAX, SidForm::Telnyx);
        assert_eq!(sid.as_str(), "v3:_____________________w");
        assert_eq!(CallSid::parse(sid.as_str()), Ok(sid));
        let zero = CallSid::from_bits(0, SidForm::Telnyx);
        assert_eq!(zero.as_str(), "v3:AAAAAAAAAAAAAAAAAAAAAA");
        let one = CallSid::from_bits(1, SidForm::Telnyx);
        assert_eq!(one.as_str(), "v3:AAAAAAAAAAAAAAAAAAAAAQ");
        // The other kinds have no Telnyx form: a UUID.
        assert_eq!(
            ConferenceSid::from_bits(0, SidForm::Telnyx).form(),
            SidForm::Uuid
        );
    }

    const CA: &str = "CAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

    #[test]
    fn twilio_and_uuid_forms() {
        assert_eq!(CallSid::parse(CA).unwrap().form(), SidForm::Twilio);
        assert_eq!(
            AccountSid::parse("ACAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA00")
                .unwrap()
                .form(),
            SidForm::Twilio
        );
        let uuid = "9d3d58a8-9a8e-4b8e-a1e3-d3c4e5f6a7b8";
        let sid = ConferenceSid::parse(uuid).unwrap();
        assert_eq!(sid.form(), SidForm::Uuid);
        assert_eq!(sid.as_str(), uuid);
    }

    #[test]
    fn sid_errors_name_kind_and_offset() {
        assert_eq!(
            CallSid::parse("CA123"),
            Err(IdError::Length {
                kind: IdKind::Call,
                len: 5
            })
        );
        assert_eq!(
            CallSid::parse("CFaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"),
            Err(IdError::Prefix { kind: IdKind::Call })
        );
        assert_eq!(
            AccountSid::parse("ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r"),
            Err(IdError::Character {
                kind: IdKind::Account,
                offset: 33
            })
        );
        assert_eq!(
            CallSid::parse("9d3d58a8+9a8e-4b8e-a1e3-d3c4e5f6a7b8"),
            Err(IdError::Character {
                kind: IdKind::Call,
                offset: 8
            })
        );
        assert_eq!(
            CallSid::parse("9d3d58a8-9a8e-4b8e-a1e3-d3c4e5f6a7/8"),
            Err(IdError::Character {
                kind: IdKind::Call,
                offset: 34
            })
        );
    }

    #[test]
    fn sids_from_bits_in_both_forms() {
        let bits = 0x0123_4567_89ab_cdef_fedc_ba98_7654_3210;
        assert_eq!(
            CallSid::from_bits(bits, SidForm::Twilio).as_str(),
            "CA0123456789abcdeffedcba9876543210"
        );
        assert_eq!(
            ConferenceSid::from_bits(bits, SidForm::Twilio).as_str(),
            "CF0123456789abcdeffedcba9876543210"
        );
        assert_eq!(
            ApiKeySid::from_bits(0, SidForm::Twilio).as_str(),
            "SK00000000000000000000000000000000"
        );
        // The version and variant digits replace the bits' digits 12 and 16.
        assert_eq!(
            CallSid::from_bits(bits, SidForm::Uuid).as_str(),
            "01234567-89ab-4def-8edc-ba9876543210"
        );
        assert_eq!(
            AccountSid::from_bits(0, SidForm::Uuid).as_str(),
            "00000000-0000-4000-8000-000000000000"
        );
        assert_eq!(
            ApiKeySid::parse("ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"),
            Err(IdError::Prefix {
                kind: IdKind::ApiKey
            })
        );
    }

    #[test]
    fn label_rules() {
        assert_eq!(Label::new(""), Err(IdError::LabelEmpty));
        assert_eq!(
            Label::new("a\r\nHost: x"),
            Err(IdError::LabelCharacter { offset: 1 })
        );
        assert_eq!(
            Label::new("a\0"),
            Err(IdError::LabelCharacter { offset: 1 })
        );
        assert_eq!(Label::new(".."), Err(IdError::LabelDotSegment));
        assert_eq!(Label::new(CA), Err(IdError::LabelLooksLikeCallSid));
        assert_eq!(
            Label::new("9d3d58a8-9a8e-4b8e-a1e3-d3c4e5f6a7b8"),
            Err(IdError::LabelLooksLikeCallSid)
        );
        let long: heapless::String<300> = core::iter::repeat_n('é', 129).collect();
        assert_eq!(Label::new(&long), Err(IdError::LabelTooLong { chars: 129 }));
        let max: heapless::String<600> = core::iter::repeat_n('😀', 128).collect();
        assert_eq!(Label::new(&max).unwrap().as_str(), max.as_str());
    }

    #[test]
    fn label_path_segment_is_percent_encoded() {
        let r = ParticipantRef::parse("a?b#c d%é").unwrap();
        let mut buf = [0u8; 64];
        let mut s = SliceSink::new(&mut buf);
        r.write_path_segment(&mut s).unwrap();
        assert_eq!(s.written(), b"a%3Fb%23c%20d%25%C3%A9");
        assert!(matches!(
            ParticipantRef::parse(CA).unwrap(),
            ParticipantRef::Call(_)
        ));
    }

    proptest! {
        #[test]
        fn path_segment_same_as_percent_encoding(s in "\\PC{0,40}") {
            if let Ok(label) = Label::new(&s) {
                let mut buf = [0u8; 1024];
                let mut sink = SliceSink::new(&mut buf);
                ParticipantRef::Label(label).write_path_segment(&mut sink).unwrap();
                const SET: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
                    .remove(b'-')
                    .remove(b'.')
                    .remove(b'_')
                    .remove(b'~');
                let want: String = percent_encoding::utf8_percent_encode(&s, SET).collect();
                prop_assert_eq!(sink.written(), want.as_bytes());
            }
        }

        #[test]
        fn sid_parse_never_panics(s in any::<Vec<u8>>()) {
            let _ = CallSid::parse_bytes(&s);
            let _ = AccountSid::parse_bytes(&s);
        }

        #[test]
        fn label_segment_never_injects(s in any::<String>()) {
            if let Ok(r) = ParticipantRef::parse(&s) {
                let mut buf = [0u8; 4096];
                let mut sink = SliceSink::new(&mut buf);
                r.write_path_segment(&mut sink).unwrap();
                prop_assert!(!sink.written().iter().any(|b| matches!(b, b'/' | b'?' | b'#' | b'\r' | b'\n' | 0 | b' ')));
            }
        }

        #[test]
        fn sids_from_bits_parse_back(bits in any::<u128>(), uuid in any::<bool>()) {
            let form = if uuid { SidForm::Uuid } else { SidForm::Twilio };
            let sid = CallSid::from_bits(bits, form);
            prop_assert_eq!(sid.form(), form);
            prop_assert_eq!(CallSid::parse(sid.as_str()), Ok(sid));
            if !uuid {
                prop_assert_eq!(sid.as_str(), format!("CA{bits:032x}"));
            }
        }

        #[test]
        fn twilio_sids_round_trip(hex in "[0-9a-f]{32}") {
            let s = format!("CA{hex}");
            let sid = CallSid::parse(&s).unwrap();
            prop_assert_eq!(sid.as_str(), s.as_str());
        }
    }
}
