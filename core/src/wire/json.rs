//! The crate's JSON engine: one strict, single-pass reader, string
//! unescaping, string escaping, and [`JsonStr`], a view of a string in a
//! document.
//!
//! Every decoder of this crate ([`crate::api::participant`], [`crate::api::error`],
//! [`crate::api::list`]) reads its document with the same pull cursor, in one
//! pass that both checks RFC 8259 and captures the known fields:
//! - the grammar exactly: no raw control characters in strings, only the
//!   escapes `\" \\ \/ \b \f \n \r \t \uXXXX`, no unpaired surrogate escape,
//!   valid UTF-8, numbers as the grammar has them (`01`, `1.`, `+1`, `NaN`
//!   are errors), no trailing data;
//! - nesting at most [`MAX_DEPTH`] levels, even inside unknown fields, which
//!   are skipped with an explicit stack (no recursion, constant stack);
//! - a known field given twice is an error (unknown ones may repeat).
//!
//! Strings are not copied: a decoded value borrows the document as a
//! [`JsonStr`], still escaped, and unescapes lazily ([`JsonStr::chars`],
//! [`JsonStr::eq_str`], [`JsonStr::unescape_into`]).
//!
//! Every [`JsonError`] carries the byte offset where the document was found
//! wrong and, when that is inside the value of a known field, the field.
//!
//! ```
//! use confpart::wire::json::{JsonError, JsonErrorKind, validate};
//!
//! assert_eq!(validate(br#"{"name": "Caf\u00e9 \ud83d\ude00"}"#), Ok(()));
//! let e = validate(br#"{"x": 01}"#).unwrap_err();
//! assert_eq!((e.kind, e.offset), (JsonErrorKind::InvalidNumber, 7));
//! ```

use core::fmt;

use crate::wire::sink::{Sink, WriteError, copy, utf8};

/// Maximum nesting depth of arrays/objects accepted in any document.
///
/// The document root counts as 1: `{"a":1}` has depth 1, `{"a":[{}]}` depth 3.
/// Participant resources and error bodies need 1 (2 for SignalWire's
/// `errors`), list pages 3; the margin allows for unknown nested fields.
pub const MAX_DEPTH: usize = 8;

// The skipper keeps one bit per level in a `u32`.
const _: () = assert!(MAX_DEPTH <= 32);

/// What is wrong in a JSON document (see [`JsonError`] for where).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum JsonErrorKind {
    /// The document ended in the middle of a value (the offset is its length).
    UnexpectedEnd,
    /// A byte that the grammar does not allow here.
    UnexpectedByte {
        /// The offending byte.
        byte: u8,
    },
    /// An array or object opened deeper than [`MAX_DEPTH`] (at its `[`/`{`).
    TooDeep,
    /// A raw control character (U+0000..=U+001F) inside a string.
    ControlCharacter,
    /// A backslash escape that JSON does not define, or bad `\u` hex digits
    /// (at the backslash).
    InvalidEscape,
    /// A `\u` escape of a UTF-16 surrogate that is not part of a valid pair
    /// (at the backslash of the first escape).
    LoneSurrogate,
    /// The document is not valid UTF-8 (at the first invalid sequence).
    InvalidUtf8,
    /// A number does not follow the JSON grammar (leading zero, no digit after
    /// `-`, `.` or exponent), at the byte where a digit was required or
    /// forbidden.
    InvalidNumber,
    /// Something other than whitespace follows the top-level value.
    TrailingData,
    /// A value of the wrong JSON type for its field (at the value).
    WrongType {
        /// What the field accepts, e.g. `"a string or null"`.
        expected: &'static str,
    },
    /// A known field appears twice in one object (at the second key).
    DuplicateKey,
    /// A string the field cannot hold: a bad SID, date, label or code (at
    /// the string's opening quote).
    InvalidValue,
    /// A number outside the field's range: negative, fractional, exponent,
    /// or too large (at the number); or, anywhere, a number beyond the range
    /// of an `f64` (`1e400`).
    OutOfRange,
    /// More items than the caller's capacity (never cut).
    TooLong {
        /// The capacity.
        max: usize,
    },
    /// A body lacks the field that identifies its kind (at the closing `}`
    /// of the object); [`JsonError::field`] names what was expected.
    Missing,
}

/// Why a JSON document was rejected: what, where (byte offset in the
/// document), and in which known field (if inside one).
///
/// For syntax errors inside an unknown field, `field` is the innermost known
/// field that encloses it (e.g. `participants` in a list page), or `None`.
///
/// ```
/// use confpart::wire::json::{JsonError, JsonErrorKind};
/// use confpart::api::participant::Participant;
///
/// let e = Participant::decode(br#"{"call_sid": "CA1", "muted": 1}"#).unwrap_err();
/// assert_eq!(e, JsonError::new(JsonErrorKind::InvalidValue, 13).in_field("call_sid"));
/// assert_eq!(e.to_string(), "invalid value in JSON field `call_sid` at offset 13");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub struct JsonError {
    /// What is wrong.
    pub kind: JsonErrorKind,
    /// Byte offset in the document.
    pub offset: usize,
    /// The known field the error is in (or that is missing).
    pub field: Option<&'static str>,
}

impl JsonError {
    /// An error of `kind` at `offset`, in no field.
    pub const fn new(kind: JsonErrorKind, offset: usize) -> Self {
        Self {
            kind,
            offset,
            field: None,
        }
    }

    /// The same error, in `field` unless it already names a (more inner) one.
    #[must_use]
    pub const fn in_field(mut self, field: &'static str) -> Self {
        if self.field.is_none() {
            self.field = Some(field);
        }
        self
    }

    /// The byte offset of the error in the document.
    pub const fn offset(&self) -> usize {
        self.offset
    }

    /// True for errors of the JSON grammar, nesting or encoding (the document
    /// is not acceptable JSON); false for a valid document of the wrong shape.
    pub const fn is_syntax(&self) -> bool {
        use JsonErrorKind as K;
        matches!(
            self.kind,
            K::UnexpectedEnd
                | K::UnexpectedByte { .. }
                | K::TooDeep
                | K::ControlCharacter
                | K::InvalidEscape
                | K::LoneSurrogate
                | K::InvalidUtf8
                | K::InvalidNumber
                | K::TrailingData
        )
    }
}

impl fmt::Display for JsonErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnexpectedEnd => f.write_str("JSON document ends unexpectedly"),
            Self::UnexpectedByte { byte } => write!(f, "unexpected byte 0x{byte:02x} in JSON"),
            Self::TooDeep => write!(f, "JSON nested deeper than {MAX_DEPTH} levels"),
            Self::ControlCharacter => f.write_str("raw control character in JSON string"),
            Self::InvalidEscape => f.write_str("invalid escape in JSON string"),
            Self::LoneSurrogate => f.write_str("unpaired UTF-16 surrogate escape"),
            Self::InvalidUtf8 => f.write_str("invalid UTF-8 in JSON"),
            Self::InvalidNumber => f.write_str("invalid JSON number"),
            Self::TrailingData => f.write_str("trailing data after JSON value"),
            Self::WrongType { expected } => write!(f, "wrong JSON type (expected {expected})"),
            Self::DuplicateKey => f.write_str("duplicate JSON key"),
            Self::InvalidValue => f.write_str("invalid value"),
            Self::OutOfRange => f.write_str("number out of range"),
            Self::TooLong { max } => write!(f, "more than {max} items"),
            Self::Missing => f.write_str("missing"),
        }
    }
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.kind, self.field) {
            (JsonErrorKind::Missing, Some(field)) => write!(
                f,
                "JSON object ending at offset {} has no `{field}`",
                self.offset
            ),
            (kind, Some(field)) => {
                write!(
                    f,
                    "{kind} in JSON field `{field}` at offset {}",
                    self.offset
                )
            }
            (kind, None) => write!(f, "{kind} at offset {}", self.offset),
        }
    }
}

impl core::error::Error for JsonError {}

/// Why a raw JSON string could not be unescaped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum UnescapeError {
    /// An escape JSON does not define, bad `\u` hex digits, or a trailing `\`.
    InvalidEscape {
        /// Byte offset of the backslash in the raw string.
        offset: usize,
    },
    /// A `\u` surrogate escape that is not part of a valid pair.
    LoneSurrogate {
        /// Byte offset of the backslash in the raw string.
        offset: usize,
    },
    /// The unescaped text does not fit the output.
    Overflow {
        /// Capacity of the output in bytes.
        capacity: usize,
    },
}

impl fmt::Display for UnescapeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidEscape { offset } => {
                write!(f, "invalid escape in JSON string at offset {offset}")
            }
            Self::LoneSurrogate { offset } => {
                write!(f, "unpaired UTF-16 surrogate escape at offset {offset}")
            }
            Self::Overflow { capacity } => {
                write!(f, "unescaped string does not fit in {capacity} bytes")
            }
        }
    }
}

impl core::error::Error for UnescapeError {}

// ---------------------------------------------------------------------------
// Escape decoding shared by the validator and the unescaper.

/// Failure of [`decode_escape`], with absolute offsets.
enum EscErr {
    Invalid(usize),
    Lone(usize),
    End,
}

/// Reads four hex digits at `at`.
fn hex4(b: &[u8], at: usize) -> Result<u32, Option<()>> {
    let mut v = 0u32;
    for k in 0..4 {
        let d = match b.get(at + k) {
            None => return Err(None),
            Some(&c) => match c {
                b'0'..=b'9' => c - b'0',
                b'a'..=b'f' => c - b'a' + 10,
                b'A'..=b'F' => c - b'A' + 10,
                _ => return Err(Some(())),
            },
        };
        v = (v << 4) | u32::from(d);
    }
    Ok(v)
}

/// Decodes the escape whose backslash is at `i`; returns the char and the
/// offset just past the escape (a surrogate pair is one escape).
fn decode_escape(b: &[u8], i: usize) -> Result<(char, usize), EscErr> {
    let simple = |c| Ok((c, i + 2));
    match b.get(i + 1) {
        None => Err(EscErr::End),
        Some(b'"') => simple('"'),
        Some(b'\\') => simple('\\'),
        Some(b'/') => simple('/'),
        Some(b'b') => simple('\u{8}'),
        Some(b'f') => simple('\u{c}'),
        Some(b'n') => simple('\n'),
        Some(b'r') => simple('\r'),
        Some(b't') => simple('\t'),
        Some(b'u') => {
            let bad = |e: Option<()>, at| e.map_or(EscErr::End, |()| EscErr::Invalid(at));
            let hi = hex4(b, i + 2).map_err(|e| bad(e, i))?;
            let (code, next) = match hi {
                0xD800..=0xDBFF => {
                    if b.get(i + 6) != Some(&b'\\') || b.get(i + 7) != Some(&b'u') {
                        return Err(EscErr::Lone(i));
                    }
                    let lo = hex4(b, i + 8).map_err(|e| bad(e, i + 6))?;
                    if !(0xDC00..=0xDFFF).contains(&lo) {
                        return Err(EscErr::Lone(i));
                    }
                    (0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00), i + 12)
                }
                _ => (hi, i + 6),
            };
            // `None` only for a lone low surrogate (0xDC00..=0xDFFF).
            char::from_u32(code)
                .map(|c| (c, next))
                .ok_or(EscErr::Lone(i))
        }
        Some(_) => Err(EscErr::Invalid(i)),
    }
}

// ---------------------------------------------------------------------------
// The pull cursor.

/// Bit `i` of a key set: whether known key `i` was seen in an object.
pub(crate) type KeySet = u32;

/// An object key, as read by [`Cursor::key`].
pub(crate) struct Key<'a> {
    /// The key text: raw JSON contents, unescaped into `buf` if it had escapes.
    raw: &'a str,
    escaped: bool,
    /// Byte offset of the key's opening quote.
    pub(crate) offset: usize,
}

impl Key<'_> {
    /// The key's bytes, unescaped into `buf` when it had escapes (a key that
    /// does not fit cannot be one of ours: returns an impossible key).
    pub(crate) fn text<'b>(&'b self, buf: &'b mut [u8; 32]) -> &'b [u8] {
        if !self.escaped {
            return self.raw.as_bytes();
        }
        match unescape_into(self.raw, buf) {
            Ok(s) => s.as_bytes(),
            Err(_) => b"\\",
        }
    }
}

/// A strict single-pass JSON reader: the caller pulls objects, keys and
/// values in document order; anything it does not want is skipped with
/// [`Cursor::skip_value`]. Every read checks the grammar as it goes.
pub(crate) struct Cursor<'a> {
    doc: &'a [u8],
    /// The longest valid UTF-8 prefix of `doc` (all of it, for a valid one).
    text: &'a str,
    /// Read position.
    pub(crate) pos: usize,
    /// Open containers (the document root counts as 1).
    depth: usize,
    /// All lane high bits when the document is not UTF-8 (then string scans
    /// stop at non-ASCII bytes to check them), else 0.
    high: u64,
}

/// Lanes of `w` that may stop a run of string text: `"`, `\\`, a byte below
/// 0x20 (and ` `, `!`), or (`high` = all lane high bits) a byte of 0x80 or
/// more. Only the lowest set lane counts (borrows may mark lanes above it);
/// the caller looks at that byte.
#[inline(always)]
fn string_stops(w: u64, high: u64) -> u64 {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    let eq = |b: u8| {
        let x = w ^ (LO * b as u64);
        x.wrapping_sub(LO) & !x & HI
    };
    // Bytes below 0x23: controls, and also ` `, `!` and `"` (a superset:
    // the byte-level match after a stop decides, a space only costs a stop).
    let below_23 = w.wrapping_sub(LO * 0x23) & !w & HI;
    eq(b'\\') | below_23 | (w & high)
}

/// `true`, `false` or `null`.
const fn literal_of(first: u8) -> &'static [u8] {
    match first {
        b't' => b"true",
        b'f' => b"false",
        _ => b"null",
    }
}

impl<'a> Cursor<'a> {
    /// Starts at the beginning of `doc` (checks its UTF-8 once).
    pub(crate) fn new(doc: &'a [u8]) -> Self {
        let text = match core::str::from_utf8(doc) {
            Ok(text) => text,
            Err(e) => doc
                .get(..e.valid_up_to())
                .and_then(|valid| core::str::from_utf8(valid).ok())
                .unwrap_or(""),
        };
        let high = if text.len() < doc.len() {
            0x8080_8080_8080_8080
        } else {
            0
        };
        Self {
            doc,
            text,
            pos: 0,
            depth: 0,
            high,
        }
    }

    fn err(&self, kind: JsonErrorKind, offset: usize) -> JsonError {
        JsonError::new(kind, offset)
    }

    /// Skips whitespace.
    #[inline]
    pub(crate) fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.doc.get(self.pos) {
            self.pos += 1;
        }
    }

    /// Skips whitespace and returns the next byte.
    #[inline]
    pub(crate) fn peek(&mut self) -> Option<u8> {
        self.ws();
        self.doc.get(self.pos).copied()
    }

    /// The error for an unacceptable byte (or the end) at `i`.
    fn unexpected_at(&self, i: usize) -> JsonError {
        match self.doc.get(i) {
            None => self.err(JsonErrorKind::UnexpectedEnd, self.doc.len()),
            Some(&b) if b >= 0x80 && i >= self.text.len() => {
                self.err(JsonErrorKind::InvalidUtf8, self.text.len())
            }
            Some(&byte) => self.err(JsonErrorKind::UnexpectedByte { byte }, i),
        }
    }

    /// The error for what is at the read position.
    pub(crate) fn unexpected(&self) -> JsonError {
        self.unexpected_at(self.pos)
    }

    /// The error for a value of the wrong type at the read position: a syntax
    /// error if no value starts here at all.
    pub(crate) fn wrong_type(&self, expected: &'static str) -> JsonError {
        match self.doc.get(self.pos) {
            Some(b'{' | b'[' | b'"' | b't' | b'f' | b'n' | b'-' | b'0'..=b'9') => {
                self.err(JsonErrorKind::WrongType { expected }, self.pos)
            }
            _ => self.unexpected(),
        }
    }

    /// After the top-level value: only whitespace may follow.
    pub(crate) fn finish(&mut self) -> Result<(), JsonError> {
        self.ws();
        if self.pos < self.doc.len() {
            return Err(self.err(JsonErrorKind::TrailingData, self.pos));
        }
        Ok(())
    }

    /// Opens the container whose `{` or `[` is at the read position; returns
    /// false (and closes it) when it is empty.
    pub(crate) fn enter(&mut self) -> Result<bool, JsonError> {
        let close = match self.doc.get(self.pos) {
            Some(b'{') => b'}',
            _ => b']',
        };
        if self.depth >= MAX_DEPTH {
            return Err(self.err(JsonErrorKind::TooDeep, self.pos));
        }
        self.depth += 1;
        self.pos += 1;
        if self.peek() == Some(close) {
            self.pos += 1;
            self.depth -= 1;
            return Ok(false);
        }
        Ok(true)
    }

    /// After a member of the container closed by `close`: true if a `,`
    /// follows (another member), false if `close` does (consumed).
    pub(crate) fn more(&mut self, close: u8) -> Result<bool, JsonError> {
        // Usually the comma right after the value.
        if self.doc.get(self.pos) == Some(&b',') {
            self.pos += 1;
            return Ok(true);
        }
        match self.peek() {
            Some(b',') => {
                self.pos += 1;
                Ok(true)
            }
            Some(b) if b == close => {
                self.pos += 1;
                self.depth -= 1;
                Ok(false)
            }
            _ => Err(self.unexpected()),
        }
    }

    /// Reads `"key"` and the colon; leaves the position at the value.
    pub(crate) fn key(&mut self) -> Result<Key<'a>, JsonError> {
        if self.peek() != Some(b'"') {
            return Err(self.unexpected());
        }
        let offset = self.pos;
        let (raw, escaped) = self.string_raw()?;
        if self.peek() != Some(b':') {
            return Err(self.unexpected());
        }
        self.pos += 1;
        Ok(Key {
            raw,
            escaped,
            offset,
        })
    }

    /// Scans the string whose opening quote is at the read position; returns
    /// its raw contents and whether they hold an escape.
    #[inline]
    fn string_raw(&mut self) -> Result<(&'a str, bool), JsonError> {
        let start = self.pos + 1;
        let mut i = start;
        let mut escaped = false;
        // Non-ASCII bytes only need a look when the document is not UTF-8.
        let high = self.high;
        loop {
            // Skip plain text eight bytes at a time (SWAR: lanes holding `"`,
            // `\`, a control character, or a high byte when it matters). A
            // word may run past the string: only the first stop counts.
            // Two words per step while 16 bytes remain (long texts: URIs).
            while let Some(
                &[
                    a0,
                    a1,
                    a2,
                    a3,
                    a4,
                    a5,
                    a6,
                    a7,
                    b0,
                    b1,
                    b2,
                    b3,
                    b4,
                    b5,
                    b6,
                    b7,
                ],
            ) = self.doc.get(i..i + 16)
            {
                let a = string_stops(u64::from_le_bytes([a0, a1, a2, a3, a4, a5, a6, a7]), high);
                let b = string_stops(u64::from_le_bytes([b0, b1, b2, b3, b4, b5, b6, b7]), high);
                if a | b != 0 {
                    break;
                }
                i += 16;
            }
            while let Some(word) = self
                .doc
                .get(i..i + 8)
                .and_then(|w| <[u8; 8]>::try_from(w).ok())
            {
                let m = string_stops(u64::from_le_bytes(word), high);
                if m != 0 {
                    i += (m.trailing_zeros() / 8) as usize;
                    break;
                }
                i += 8;
            }
            match self.doc.get(i) {
                None => return Err(self.err(JsonErrorKind::UnexpectedEnd, self.doc.len())),
                Some(b'"') => break,
                Some(b'\\') => {
                    escaped = true;
                    i = match decode_escape(self.doc, i) {
                        Ok((_, next)) => next,
                        Err(EscErr::End) => {
                            return Err(self.err(JsonErrorKind::UnexpectedEnd, self.doc.len()));
                        }
                        Err(EscErr::Invalid(at)) => {
                            return Err(self.err(JsonErrorKind::InvalidEscape, at));
                        }
                        Err(EscErr::Lone(at)) => {
                            return Err(self.err(JsonErrorKind::LoneSurrogate, at));
                        }
                    }
                }
                Some(0..=0x1f) => return Err(self.err(JsonErrorKind::ControlCharacter, i)),
                Some(0x80..) if i >= self.text.len() => {
                    return Err(self.err(JsonErrorKind::InvalidUtf8, self.text.len()));
                }
                Some(_) => i += 1,
            }
        }
        self.pos = i + 1;
        // Both ends are ASCII quotes inside the valid prefix: char boundaries.
        let raw = self.text.get(start..i).unwrap_or("");
        Ok((raw, escaped))
    }

    /// Reads the string at the read position (its opening quote).
    pub(crate) fn string(&mut self) -> Result<JsonStr<'a>, JsonError> {
        let (raw, escaped) = self.string_raw()?;
        Ok(JsonStr {
            raw,
            form: if escaped { Form::Escaped } else { Form::Clean },
        })
    }

    /// Reads `true`, `false` or `null` at the read position.
    fn literal(&mut self) -> Result<u8, JsonError> {
        // Fast path: the whole literal in one 4-byte compare (+ `e`).
        if let Some(&[a, b, c, d]) = self.doc.get(self.pos..self.pos + 4) {
            let w = u32::from_le_bytes([a, b, c, d]);
            if w == u32::from_le_bytes(*b"true") || w == u32::from_le_bytes(*b"null") {
                self.pos += 4;
                return Ok(a);
            }
            if w == u32::from_le_bytes(*b"fals") && self.doc.get(self.pos + 4) == Some(&b'e') {
                self.pos += 5;
                return Ok(a);
            }
        }
        let first = self.doc.get(self.pos).copied().unwrap_or(b'n');
        for (k, c) in literal_of(first).iter().enumerate() {
            if self.doc.get(self.pos + k) != Some(c) {
                return Err(self.unexpected_at(self.pos + k));
            }
        }
        self.pos += literal_of(first).len();
        Ok(first)
    }

    fn skip_digits(&mut self) {
        while let Some(b'0'..=b'9') = self.doc.get(self.pos) {
            self.pos += 1;
        }
    }

    /// At least one digit, then any number.
    fn need_digits(&mut self) -> Result<(), JsonError> {
        match self.doc.get(self.pos) {
            Some(b'0'..=b'9') => {
                self.pos += 1;
                self.skip_digits();
                Ok(())
            }
            Some(_) => Err(self.err(JsonErrorKind::InvalidNumber, self.pos)),
            None => Err(self.err(JsonErrorKind::UnexpectedEnd, self.doc.len())),
        }
    }

    /// Scans the number at the read position; returns its bytes.
    fn number(&mut self) -> Result<&'a [u8], JsonError> {
        let start = self.pos;
        if self.doc.get(self.pos) == Some(&b'-') {
            self.pos += 1;
        }
        if self.doc.get(self.pos) == Some(&b'0') {
            self.pos += 1;
            if let Some(b'0'..=b'9') = self.doc.get(self.pos) {
                return Err(self.err(JsonErrorKind::InvalidNumber, self.pos));
            }
        } else {
            self.need_digits()?;
        }
        if self.doc.get(self.pos) == Some(&b'.') {
            self.pos += 1;
            self.need_digits()?;
        }
        if let Some(b'e' | b'E') = self.doc.get(self.pos) {
            self.pos += 1;
            if let Some(b'+' | b'-') = self.doc.get(self.pos) {
                self.pos += 1;
            }
            self.need_digits()?;
        }
        let digits = self.doc.get(start..self.pos).unwrap_or(&[]);
        // A number beyond the range of an f64 (`1e400`) is rejected, as the
        // usual parsers do; only long numbers or exponents can be.
        if (digits.len() > 15 || digits.iter().any(|&b| b == b'e' || b == b'E'))
            && beyond_f64(digits)
        {
            return Err(self.err(JsonErrorKind::OutOfRange, start));
        }
        Ok(digits)
    }

    /// Skips one value of any type (nested containers included), checking it.
    /// Iterative: one bit per open container, no recursion.
    pub(crate) fn skip_value(&mut self) -> Result<(), JsonError> {
        let base = self.depth;
        // Bit `d` set: the container at depth `d + 1` is an object.
        let mut objects: u32 = 0;
        'value: loop {
            match self.peek() {
                Some(open @ (b'[' | b'{')) => {
                    let is_obj = open == b'{';
                    if !self.enter()? {
                        // Empty: a complete value.
                    } else {
                        let bit = 1u32 << (self.depth - 1);
                        if is_obj {
                            objects |= bit;
                            self.key()?;
                        } else {
                            objects &= !bit;
                        }
                        continue 'value;
                    }
                }
                Some(b'"') => {
                    self.string_raw()?;
                }
                Some(b't' | b'f' | b'n') => {
                    self.literal()?;
                }
                Some(b'-' | b'0'..=b'9') => {
                    self.number()?;
                }
                _ => return Err(self.unexpected()),
            }
            // A value ended: close containers or move to the next member.
            while self.depth > base {
                let in_obj = objects & (1u32 << (self.depth - 1)) != 0;
                if self.more(if in_obj { b'}' } else { b']' })? {
                    if in_obj {
                        self.key()?;
                    }
                    continue 'value;
                }
            }
            return Ok(());
        }
    }

    // --- Typed readers for the field loops. -------------------------------

    /// A string or `null` (`None`).
    pub(crate) fn opt_str(&mut self) -> Result<Option<JsonStr<'a>>, JsonError> {
        match self.peek() {
            Some(b'"') => self.string().map(Some),
            Some(b'n') => self.literal().map(|_| None),
            _ => Err(self.wrong_type("a string or null")),
        }
    }

    /// `true`, `false` or `null` (`None`).
    pub(crate) fn opt_bool(&mut self) -> Result<Option<bool>, JsonError> {
        // Fast path: the literal as one 4-byte word (+ `e` for `false`).
        self.ws();
        let at = self.pos;
        if let Some(&[a, b, c, d]) = self.doc.get(at..at + 4) {
            match u32::from_le_bytes([a, b, c, d]) {
                w if w == u32::from_le_bytes(*b"true") => {
                    self.pos = at + 4;
                    return Ok(Some(true));
                }
                w if w == u32::from_le_bytes(*b"null") => {
                    self.pos = at + 4;
                    return Ok(None);
                }
                w if w == u32::from_le_bytes(*b"fals") && self.doc.get(at + 4) == Some(&b'e') => {
                    self.pos = at + 5;
                    return Ok(Some(false));
                }
                _ => {}
            }
        }
        match self.peek() {
            Some(b't' | b'f' | b'n') => self.literal().map(|b| match b {
                b't' => Some(true),
                b'f' => Some(false),
                _ => None,
            }),
            _ => Err(self.wrong_type("a boolean or null")),
        }
    }

    /// A non-negative integer up to `max`, or `null` (`None`).
    pub(crate) fn opt_uint(&mut self, max: u64) -> Result<Option<u64>, JsonError> {
        match self.peek() {
            Some(b'-' | b'0'..=b'9') => {
                let at = self.pos;
                let digits = self.number()?;
                let mut n: u64 = 0;
                for &d in digits {
                    n = match d {
                        b'0'..=b'9' => n
                            .checked_mul(10)
                            .and_then(|n| n.checked_add(u64::from(d - b'0')))
                            .filter(|&n| n <= max),
                        _ => None,
                    }
                    .ok_or(self.err(JsonErrorKind::OutOfRange, at))?;
                }
                Ok(Some(n))
            }
            Some(b'n') => self.literal().map(|_| None),
            _ => Err(self.wrong_type("an unsigned integer or null")),
        }
    }

    /// Reads the key at the read position if it is exactly `quoted` (the
    /// name in quotes, no escapes), with its colon; returns the key's offset.
    /// Otherwise leaves the position where it was (for [`Cursor::key`]).
    /// Decoders try the key they expect next (documents usually keep one
    /// order) before scanning.
    pub(crate) fn key_if(&mut self, quoted: &str) -> Result<Option<usize>, JsonError> {
        self.ws();
        let at = self.pos;
        let end = at + quoted.len();
        if !crate::wire::scan::same(self.doc.get(at..end).unwrap_or(&[]), quoted.as_bytes()) {
            return Ok(None);
        }
        // The colon, usually right after the key.
        self.pos = end;
        if self.doc.get(end) != Some(&b':') && self.peek() != Some(b':') {
            return Err(self.unexpected());
        }
        self.pos += 1;
        Ok(Some(at))
    }

    /// Fast path for a fixed-shape string value (a SID, a strict date): when
    /// the value at the read position is `"` + `len` bytes + `"` and `accept`
    /// takes those bytes, moves past the string and returns what `accept`
    /// made of them. Otherwise leaves the position where it was.
    ///
    /// `accept` must only take bytes that are plain string text (no `"`,
    /// `\\`, control or non-ASCII byte): then this reads exactly what
    /// [`Cursor::string`] would, without the scan.
    #[inline]
    pub(crate) fn fixed_str<T>(
        &mut self,
        len: usize,
        accept: impl FnOnce(&'a [u8]) -> Option<T>,
    ) -> Option<T> {
        self.ws();
        let at = self.pos;
        if self.doc.get(at) != Some(&b'"') || self.doc.get(at + 1 + len) != Some(&b'"') {
            return None;
        }
        let v = accept(self.doc.get(at + 1..at + 1 + len)?)?;
        self.pos = at + 2 + len;
        Some(v)
    }

    /// Records known key `index` in `seen`; a second time is
    /// [`JsonErrorKind::DuplicateKey`] at the key (at `offset`).
    pub(crate) fn once(
        seen: &mut KeySet,
        index: u32,
        offset: usize,
        field: &'static str,
    ) -> Result<(), JsonError> {
        let bit = 1 << index;
        if *seen & bit != 0 {
            return Err(JsonError::new(JsonErrorKind::DuplicateKey, offset).in_field(field));
        }
        *seen |= bit;
        Ok(())
    }
}

/// Checks that `doc` is exactly one strict RFC 8259 JSON value (surrounded by
/// optional whitespace), nested at most [`MAX_DEPTH`] deep.
///
/// The check is a single iterative pass (no recursion, constant stack) plus
/// one `core::str::from_utf8`. It rejects raw control characters in strings,
/// escapes other than `\" \\ \/ \b \f \n \r \t \uXXXX`, unpaired surrogate
/// escapes, invalid UTF-8, non-grammar numbers (`01`, `1.`, `+1`, `NaN`),
/// misspelled literals and trailing data. The first error in document order
/// is returned. (The decoders of this crate run the same checks while they
/// read: this is for documents kept undecoded, such as a list page.)
///
/// ```
/// use confpart::wire::json::{JsonError, JsonErrorKind, validate};
///
/// assert_eq!(validate(br#"{"a": [1, -2.5e3, true, null, "\ud83d\ude00"]}"#), Ok(()));
/// assert_eq!(validate(br#"{"x": 01}"#), Err(JsonError::new(JsonErrorKind::InvalidNumber, 7)));
/// assert_eq!(validate(b"[[[[[[[[[]]]]]]]]]"), Err(JsonError::new(JsonErrorKind::TooDeep, 8)));
/// ```
pub fn validate(doc: &[u8]) -> Result<(), JsonError> {
    let mut c = Cursor::new(doc);
    c.skip_value()?;
    c.finish()
}

// ---------------------------------------------------------------------------
// Unescaping.

fn unescape_err(e: EscErr, backslash: usize) -> UnescapeError {
    match e {
        EscErr::Invalid(offset) => UnescapeError::InvalidEscape { offset },
        EscErr::Lone(offset) => UnescapeError::LoneSurrogate { offset },
        EscErr::End => UnescapeError::InvalidEscape { offset: backslash },
    }
}

/// A piece of unescaped text: a run copied as is, or one escape.
enum Piece<'a> {
    Text(&'a str),
    Char(char),
}

/// Calls `f` for each run of unescaped text and for each escape of `raw`.
fn for_each_piece(
    raw: &str,
    mut f: impl FnMut(Piece<'_>) -> Result<(), UnescapeError>,
) -> Result<(), UnescapeError> {
    let b = raw.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let run_end = b
            .get(i..)
            .and_then(|rest| rest.iter().position(|&c| c == b'\\'))
            .map_or(b.len(), |p| i + p);
        if run_end > i {
            // Runs end at a `\` or at the end, both char boundaries.
            f(Piece::Text(raw.get(i..run_end).unwrap_or("")))?;
        }
        if run_end >= b.len() {
            break;
        }
        let (c, next) = decode_escape(b, run_end).map_err(|e| unescape_err(e, run_end))?;
        f(Piece::Char(c))?;
        i = next;
    }
    Ok(())
}

/// Unescapes the raw contents of a JSON string (what is between the quotes,
/// as [`JsonStr::raw`] gives) into `out`, handling
/// surrogate pairs. Never truncates: fails with
/// [`UnescapeError::Overflow`] when `out` is too small.
///
/// ```
/// use confpart::wire::json::unescape_into;
///
/// let mut buf = [0u8; 16];
/// assert_eq!(unescape_into(r#"a\"b\\\u00e9\ud83d\ude00"#, &mut buf), Ok("a\"b\\é😀"));
/// ```
pub fn unescape_into<'b>(raw: &str, out: &'b mut [u8]) -> Result<&'b str, UnescapeError> {
    let capacity = out.len();
    let mut len = 0usize;
    for_each_piece(raw, |piece| {
        let encoded;
        let bytes = match piece {
            Piece::Text(s) => s.as_bytes(),
            Piece::Char(c) => {
                encoded = utf8(c);
                encoded.0.get(..encoded.1).unwrap_or(&[])
            }
        };
        let dst = len
            .checked_add(bytes.len())
            .and_then(|end| out.get_mut(len..end))
            .ok_or(UnescapeError::Overflow { capacity })?;
        copy(dst, bytes);
        len += bytes.len();
        Ok(())
    })?;
    // Only whole `&str` runs and encoded chars were copied: always UTF-8.
    core::str::from_utf8(out.get(..len).unwrap_or(&[]))
        .map_err(|_| UnescapeError::InvalidEscape { offset: 0 })
}

/// Unescapes the raw contents of a JSON string into a `heapless::String<N>`.
/// Never truncates: fails with [`UnescapeError::Overflow`] when it does not fit.
///
/// ```
/// use confpart::wire::json::{UnescapeError, unescape_to_string};
///
/// assert_eq!(unescape_to_string::<8>(r"tab\there").unwrap(), "tab\there");
/// assert_eq!(unescape_to_string::<4>("12345"), Err(UnescapeError::Overflow { capacity: 4 }));
/// ```
pub fn unescape_to_string<const N: usize>(raw: &str) -> Result<heapless::String<N>, UnescapeError> {
    let mut s = heapless::String::<N>::new();
    unescape_to_view(raw, s.as_mut_view(), false)?;
    Ok(s)
}

/// Like [`unescape_to_string`], but keeps what fits (cut at a character
/// boundary) instead of failing; returns the string and whether it was cut.
/// For texts that are only shown (error messages), never for identifiers.
///
/// ```
/// let (s, cut) = confpart::wire::json::unescape_truncating::<4>(r#"abécd"#)?;
/// assert_eq!((s.as_str(), cut), ("abé", true));
/// # Ok::<(), confpart::wire::json::UnescapeError>(())
/// ```
pub fn unescape_truncating<const N: usize>(
    raw: &str,
) -> Result<(heapless::String<N>, bool), UnescapeError> {
    let mut s = heapless::String::<N>::new();
    let cut = unescape_to_view(raw, s.as_mut_view(), true)?;
    Ok((s, cut))
}

/// The capacity-independent part of the `unescape_*` functions: one copy of
/// the code for every `N` (flash matters more than a call here). With
/// `truncate`, stops at the first character that does not fit and returns
/// `Ok(true)`; otherwise that is [`UnescapeError::Overflow`].
fn unescape_to_view(
    raw: &str,
    s: &mut heapless::string::StringView,
    truncate: bool,
) -> Result<bool, UnescapeError> {
    let capacity = s.capacity();
    let mut cut = false;
    let result = for_each_piece(raw, |piece| {
        let fits = match piece {
            Piece::Text(t) => {
                s.push_str(t).is_ok()
                    || (truncate && {
                        for c in t.chars() {
                            if s.push(c).is_err() {
                                break;
                            }
                        }
                        false
                    })
            }
            Piece::Char(c) => s.push(c).is_ok(),
        };
        if fits {
            Ok(())
        } else {
            cut = true;
            Err(UnescapeError::Overflow { capacity })
        }
    });
    match result {
        Err(UnescapeError::Overflow { .. }) if truncate && cut => Ok(true),
        Err(e) => Err(e),
        Ok(()) => Ok(false),
    }
}

/// Iterator over the characters of a raw JSON string, see [`unescaped_chars`].
#[derive(Debug, Clone)]
pub struct UnescapedChars<'a> {
    raw: &'a str,
    pos: usize,
}

impl Iterator for UnescapedChars<'_> {
    type Item = Result<char, UnescapeError>;

    fn next(&mut self) -> Option<Self::Item> {
        let b = self.raw.as_bytes();
        if b.get(self.pos) == Some(&b'\\') {
            return Some(match decode_escape(b, self.pos) {
                Ok((c, next)) => {
                    self.pos = next;
                    Ok(c)
                }
                Err(e) => {
                    let err = unescape_err(e, self.pos);
                    self.pos = b.len(); // fused after an error
                    Err(err)
                }
            });
        }
        let c = self.raw.get(self.pos..)?.chars().next()?;
        self.pos += c.len_utf8();
        Some(Ok(c))
    }
}

impl core::iter::FusedIterator for UnescapedChars<'_> {}

/// Iterates over the characters of the raw contents of a JSON string, for
/// comparing or validating without a buffer. After an error it ends.
///
/// ```
/// use confpart::wire::json::unescaped_chars;
///
/// assert!(unescaped_chars(r"caf\u00e9").eq("café".chars().map(Ok)));
/// assert!(unescaped_chars(r"\ud83d!").any(|c| c.is_err()));
/// ```
pub fn unescaped_chars(raw: &str) -> UnescapedChars<'_> {
    UnescapedChars { raw, pos: 0 }
}

// ---------------------------------------------------------------------------
// Escaping.

/// Writes `s` as a JSON string literal (with quotes), escaping `"`, `\\` and
/// control characters (`\n \r \t \b \f`, others as `\u00XX`); non-ASCII is
/// kept as UTF-8. Runs of plain bytes are written with one `put` each.
///
/// ```
/// use confpart::wire::json::write_string;
/// use confpart::wire::sink::SliceSink;
///
/// let mut buf = [0u8; 32];
/// let mut sink = SliceSink::new(&mut buf);
/// write_string(&mut sink, "a\"b\\\n\u{1}é")?;
/// assert_eq!(sink.written(), r#""a\"b\\\n\u0001é""#.as_bytes());
/// # Ok::<(), confpart::wire::sink::WriteError>(())
/// ```
pub fn write_string<S: Sink + ?Sized>(sink: &mut S, s: &str) -> Result<(), WriteError> {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let b = s.as_bytes();
    sink.put(b"\"")?;
    let mut start = 0;
    // Skip plain bytes eight at a time to the next byte to escape.
    while let Some(i) = b
        .get(start..)
        .and_then(|rest| crate::wire::scan::json_string_stop(rest, false))
        .map(|p| start + p)
    {
        let Some(&c) = b.get(i) else { break };
        if i > start {
            sink.put(b.get(start..i).unwrap_or(&[]))?;
        }
        start = i + 1;
        let short: &[u8] = match c {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0x08 => b"\\b",
            0x0c => b"\\f",
            _ => b"",
        };
        if short.is_empty() {
            let hex = |n: u8| HEX.get(usize::from(n & 0xf)).copied().unwrap_or(b'0');
            sink.put(&[b'\\', b'u', b'0', b'0', hex(c >> 4), hex(c)])?;
        } else {
            sink.put(short)?;
        }
    }
    match b.get(start..) {
        Some(rest) if !rest.is_empty() => sink.put(rest)?,
        _ => {}
    }
    sink.put(b"\"")
}

// ---------------------------------------------------------------------------
// String views.

/// How the text of a [`JsonStr`] is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
enum Form {
    /// Plain text given by a program: written escaped.
    Text,
    /// From a document, without any escape: the text itself, and already
    /// valid JSON string contents.
    Clean,
    /// From a document, with escapes (validated): unescaped when read.
    Escaped,
}

/// A string view: either the contents of a JSON string in a document (still
/// escaped, validated by the decoder) or plain text to be written escaped.
///
/// Nothing is copied; reading unescapes on the fly. Two `JsonStr`s compare
/// equal when their characters are equal, however they are stored.
///
/// ```
/// use confpart::wire::json::JsonStr;
/// use confpart::api::participant::Participant;
///
/// let doc = br#"{"call_sid": "CAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "label": "Ren\u00e9 \ud83d\ude00"}"#;
/// let p = Participant::decode(doc)?;
/// let label = p.label().unwrap();
/// assert_eq!(label.raw(), r"Ren\u00e9 \ud83d\ude00");
/// assert!(label.eq_str("René 😀"));
/// assert_eq!(label.chars().count(), 6);
/// let mut buf = [0u8; 16];
/// assert_eq!(label.unescape_into(&mut buf), Ok("René 😀"));
/// assert_eq!(label, JsonStr::from("René 😀"));
/// # Ok::<(), confpart::wire::json::JsonError>(())
/// ```
#[derive(Clone, Copy)]
pub struct JsonStr<'a> {
    raw: &'a str,
    form: Form,
}

impl<'a> JsonStr<'a> {
    /// A view of plain text (not escaped; it is escaped when written).
    pub const fn text(s: &'a str) -> Self {
        Self {
            raw: s,
            form: Form::Text,
        }
    }

    /// A view of the raw contents of a JSON string (what is between the
    /// quotes, escapes included), checked: `None` if they hold a raw `"`, a
    /// control character or an invalid escape.
    ///
    /// ```
    /// use confpart::wire::json::JsonStr;
    ///
    /// assert!(JsonStr::from_json(r"a\tb").unwrap().eq_str("a\tb"));
    /// assert!(JsonStr::from_json(r#"a"b"#).is_none());
    /// ```
    pub fn from_json(raw: &'a str) -> Option<Self> {
        let b = raw.as_bytes();
        let mut escaped = false;
        let mut i = 0;
        while let Some(&c) = b.get(i) {
            match c {
                b'"' | 0..=0x1f => return None,
                b'\\' => {
                    escaped = true;
                    i = decode_escape(b, i).ok()?.1;
                }
                _ => i += 1,
            }
        }
        Some(Self {
            raw,
            form: if escaped { Form::Escaped } else { Form::Clean },
        })
    }

    /// The text as stored: the raw JSON contents (escapes included) for a
    /// string read from a document, the text itself for [`JsonStr::text`].
    pub const fn raw(&self) -> &'a str {
        self.raw
    }

    /// The text without a copy, when no unescaping is needed (plain text, or
    /// a JSON string without escapes).
    ///
    /// ```
    /// use confpart::wire::json::JsonStr;
    ///
    /// assert_eq!(JsonStr::from_json("abc").unwrap().as_plain(), Some("abc"));
    /// assert_eq!(JsonStr::from_json(r"a\nc").unwrap().as_plain(), None);
    /// ```
    pub const fn as_plain(&self) -> Option<&'a str> {
        match self.form {
            Form::Escaped => None,
            Form::Text | Form::Clean => Some(self.raw),
        }
    }

    /// True for the empty string.
    pub const fn is_empty(&self) -> bool {
        self.raw.is_empty()
    }

    /// The characters, unescaped (surrogate pairs included).
    pub fn chars(&self) -> Chars<'a> {
        Chars {
            raw: self.raw,
            pos: 0,
            escaped: matches!(self.form, Form::Escaped),
        }
    }

    /// Length of the unescaped text in UTF-8 bytes.
    pub fn unescaped_len(&self) -> usize {
        match self.form {
            Form::Escaped => self.chars().map(char::len_utf8).sum(),
            Form::Text | Form::Clean => self.raw.len(),
        }
    }

    /// Compares the unescaped text with `s`, without a buffer.
    pub fn eq_str(&self, s: &str) -> bool {
        match self.form {
            Form::Escaped => self.chars().eq(s.chars()),
            Form::Text | Form::Clean => self.raw == s,
        }
    }

    /// Unescapes into `out`; fails with [`UnescapeError::Overflow`] (never
    /// truncates) when it does not fit.
    pub fn unescape_into<'b>(&self, out: &'b mut [u8]) -> Result<&'b str, UnescapeError> {
        match self.form {
            Form::Escaped => unescape_into(self.raw, out),
            Form::Text | Form::Clean => {
                let capacity = out.len();
                let dst = out
                    .get_mut(..self.raw.len())
                    .ok_or(UnescapeError::Overflow { capacity })?;
                copy(dst, self.raw.as_bytes());
                core::str::from_utf8(dst).map_err(|_| UnescapeError::InvalidEscape { offset: 0 })
            }
        }
    }

    /// Bounds on the length [`JsonStr::write_json`] writes: exact for JSON
    /// contents; plain text takes one to six bytes (`\u00XX`) per byte.
    pub(crate) fn json_len_bounds(&self) -> (usize, usize) {
        let n = self.raw.len();
        match self.form {
            Form::Text => (n.saturating_add(2), n.saturating_mul(6).saturating_add(2)),
            Form::Clean | Form::Escaped => (n.saturating_add(2), n.saturating_add(2)),
        }
    }

    /// Writes the string as a JSON string literal (quotes included): JSON
    /// contents as they are, plain text escaped with [`write_string`].
    pub fn write_json<S: Sink + ?Sized>(&self, sink: &mut S) -> Result<(), WriteError> {
        match self.form {
            Form::Text => write_string(sink, self.raw),
            Form::Clean | Form::Escaped => {
                sink.put(b"\"")?;
                sink.put(self.raw.as_bytes())?;
                sink.put(b"\"")
            }
        }
    }
}

impl<'a> JsonStr<'a> {
    /// The text and a 2-bit code of its form (for compact storage).
    pub(crate) const fn pack(self) -> (&'a str, u8) {
        let code = match self.form {
            Form::Text => 0,
            Form::Clean => 1,
            Form::Escaped => 2,
        };
        (self.raw, code)
    }

    /// The inverse of [`JsonStr::pack`].
    pub(crate) const fn unpack(raw: &'a str, code: u8) -> Self {
        let form = match code & 3 {
            0 => Form::Text,
            1 => Form::Clean,
            _ => Form::Escaped,
        };
        Self { raw, form }
    }
}

impl<'a> From<&'a str> for JsonStr<'a> {
    fn from(s: &'a str) -> Self {
        Self::text(s)
    }
}

impl PartialEq for JsonStr<'_> {
    fn eq(&self, other: &Self) -> bool {
        match other.form {
            Form::Escaped => match self.form {
                Form::Escaped if self.raw == other.raw => true,
                _ => self.chars().eq(other.chars()),
            },
            Form::Text | Form::Clean => self.eq_str(other.raw),
        }
    }
}

impl Eq for JsonStr<'_> {}

impl PartialEq<str> for JsonStr<'_> {
    fn eq(&self, other: &str) -> bool {
        self.eq_str(other)
    }
}

impl PartialEq<&str> for JsonStr<'_> {
    fn eq(&self, other: &&str) -> bool {
        self.eq_str(other)
    }
}

impl fmt::Display for JsonStr<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.as_plain() {
            Some(s) => f.write_str(s),
            None => self.chars().try_for_each(|c| fmt::Write::write_char(f, c)),
        }
    }
}

impl fmt::Debug for JsonStr<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("\"")?;
        for c in self.chars() {
            for e in c.escape_debug() {
                fmt::Write::write_char(f, e)?;
            }
        }
        f.write_str("\"")
    }
}

#[cfg(feature = "defmt")]
impl defmt::Format for JsonStr<'_> {
    fn format(&self, f: defmt::Formatter<'_>) {
        defmt::write!(f, "{=str}", self.raw)
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for JsonStr<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.as_plain() {
            Some(text) => s.serialize_str(text),
            None => s.collect_str(self),
        }
    }
}

/// The characters of a [`JsonStr`], see [`JsonStr::chars`].
#[derive(Debug, Clone)]
pub struct Chars<'a> {
    raw: &'a str,
    pos: usize,
    escaped: bool,
}

impl Iterator for Chars<'_> {
    type Item = char;

    fn next(&mut self) -> Option<char> {
        let b = self.raw.as_bytes();
        if self.escaped && b.get(self.pos) == Some(&b'\\') {
            // Validated when the view was made; an invalid escape ends the text.
            return match decode_escape(b, self.pos) {
                Ok((c, next)) => {
                    self.pos = next;
                    Some(c)
                }
                Err(_) => {
                    self.pos = b.len();
                    None
                }
            };
        }
        let c = self.raw.get(self.pos..)?.chars().next()?;
        self.pos += c.len_utf8();
        Some(c)
    }
}

impl core::iter::FusedIterator for Chars<'_> {}

/// The digits of the smallest magnitude that rounds to infinity as an
/// `f64` (2^1024 - 2^970, the midpoint between `f64::MAX` and 2^1024; a tie
/// rounds to even, which is 2^1024), trailing zeros removed. The value has
/// 309 integer digits.
const F64_OVERFLOW_DIGITS: &[u8] = b"179769313486231580793728971405303415079934132710037826936173778980444968292764750946649017977587207096330286416692887910946555547851940402630657488671505820681908902000708383676273854845817711531764475730270069855571366959622842914819860834936475292719074168444365510704342711559699508093042880177904174497792";
/// [`F64_OVERFLOW_DIGITS`] two digits a byte (digit `i` in the low nibble
/// of byte `i / 2` when `i` is even, in the high one when odd): 155 bytes of
/// flash instead of 309, the digits themselves only exist at compile time.
// Evaluated at compile time: an index out of bounds is a build error, never
// a run-time panic.
#[allow(clippy::indexing_slicing)]
const F64_OVERFLOW_NIBBLES: [u8; F64_OVERFLOW_DIGITS.len().div_ceil(2)] = {
    let mut t = [0u8; F64_OVERFLOW_DIGITS.len().div_ceil(2)];
    let mut i = 0;
    while i < F64_OVERFLOW_DIGITS.len() {
        t[i / 2] |= (F64_OVERFLOW_DIGITS[i] - b'0') << (4 * (i & 1));
        i += 1;
    }
    t
};
/// Integer digits of [`F64_OVERFLOW_DIGITS`].
const F64_OVERFLOW_POINT: i64 = 309;

/// True when the JSON number `digits` (already checked against the grammar)
/// rounds to infinity as an `f64`, as serde_json and the other usual parsers
/// reject it. Decided on the decimal digits alone: parsing floats would link
/// `core`'s float parser and its tables (about 17 KB of flash on a
/// Cortex-M, measured with `scripts/size-report`).
fn beyond_f64(digits: &[u8]) -> bool {
    let unsigned = digits.strip_prefix(b"-").unwrap_or(digits);
    let (mantissa, exponent) = match unsigned.iter().position(|&b| b == b'e' || b == b'E') {
        Some(i) => (
            unsigned.get(..i).unwrap_or(&[]),
            unsigned.get(i + 1..).unwrap_or(&[]),
        ),
        None => (unsigned, &[][..]),
    };
    let (int, frac) = match mantissa.iter().position(|&b| b == b'.') {
        Some(i) => (
            mantissa.get(..i).unwrap_or(&[]),
            mantissa.get(i + 1..).unwrap_or(&[]),
        ),
        None => (mantissa, &[][..]),
    };
    // The exponent, saturated far beyond where the answer changes.
    let (negative, exp_digits) = match exponent.split_first() {
        Some((b'-', rest)) => (true, rest),
        Some((b'+', rest)) => (false, rest),
        _ => (false, exponent),
    };
    let mut exp: i64 = 0;
    for &d in exp_digits {
        exp = (exp * 10 + i64::from(d - b'0')).min(1 << 40);
    }
    if negative {
        exp = -exp;
    }
    // The significant digits: leading zeros of int + frac skipped.
    let all = int.iter().chain(frac.iter());
    let leading = all.clone().take_while(|&&b| b == b'0').count();
    if leading == int.len() + frac.len() {
        return false; // zero
    }
    // value = 0.S x 10^point, S the significant digits.
    let point = (int.len() as i64) - (leading as i64) + exp;
    if point != F64_OVERFLOW_POINT {
        return point > F64_OVERFLOW_POINT;
    }
    // Same magnitude: compare 0.S with 0.M digit by digit (missing digits
    // are zeros): overflow when S >= M.
    let mut significant = all.skip(leading);
    for i in 0..F64_OVERFLOW_DIGITS.len() {
        let m = b'0'
            + F64_OVERFLOW_NIBBLES
                .get(i / 2)
                .map_or(0, |p| (p >> (4 * (i & 1))) & 0xf);
        match significant.next() {
            Some(&d) if d > m => return true,
            Some(&d) if d < m => return false,
            Some(_) => {}
            None => return false, // S is a prefix of M followed by zeros: S < M
        }
    }
    true // S starts with all of M: S >= M
}

#[cfg(test)]
mod tests {
    #[test]
    fn beyond_f64_agrees_with_float_parsing() {
        use std::string::String;
        let m = core::str::from_utf8(F64_OVERFLOW_DIGITS).unwrap();
        let just_below = {
            // M - 1 as an integer: M ends in 2.
            let mut t = String::from(m);
            t.pop();
            t.push('1');
            t
        };
        let mut cases: std::vec::Vec<String> = [
            "0",
            "-0",
            "1e308",
            "1e309",
            "1.7976931348623157e308",
            "1.7976931348623158e308",
            "1.7976931348623159e308",
            "-1.7976931348623159e308",
            "0.0001e312",
            "0.001e312",
            "1e-400",
            "123456789012345678901234567890",
            "0e999999999999999999999",
            "10E+308",
            "1.797693134862315807937289714053e308",
            "1.797693134862315807937289714052e308",
            "179.76931348623158e306",
            "0.17976931348623158e309",
            "00.5e9999",
        ]
        .iter()
        .map(|c| String::from(*c))
        .collect();
        cases.push(String::from(m));
        cases.push(just_below);
        cases.push(std::format!("{m}0"));
        cases.push(std::format!("0.{m}e309"));
        for c in cases {
            let expected = !c.parse::<f64>().unwrap().is_finite();
            assert_eq!(beyond_f64(c.as_bytes()), expected, "{c}");
        }
    }

    extern crate std;

    use super::*;
    use crate::wire::sink::SliceSink;
    use proptest::prelude::*;
    use std::string::{String, ToString};

    #[test]
    fn accepts_valid_documents() {
        let docs = "0|-0| 1.5e+3 |-12.0E-7|\"\"|true|false|null|[]|{}| [ ] |{ }|[1,[2,{}],\"x\"]\
                    |\t\n\r{\"é\" : \"😀\"}\n|[[[[[[[[]]]]]]]]\
                    |{\"a\":{\"b\":[true,false,null]},\"c\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00\"}";
        for doc in docs.split('|') {
            assert_eq!(validate(doc.as_bytes()), Ok(()), "{doc}");
        }
    }

    #[test]
    fn each_syntax_error_with_offset() {
        use JsonErrorKind::*;
        let byte = |offset, byte| JsonError::new(UnexpectedByte { byte }, offset);
        let cases: &[(&[u8], JsonError)] = &[
            (b"", JsonError::new(UnexpectedEnd, 0)),
            (b"  ", JsonError::new(UnexpectedEnd, 2)),
            (b"{\"a\":", JsonError::new(UnexpectedEnd, 5)),
            (b"[1,", JsonError::new(UnexpectedEnd, 3)),
            (b"\"abc", JsonError::new(UnexpectedEnd, 4)),
            (b"\"\\", JsonError::new(UnexpectedEnd, 2)),
            (b"\"\\u12", JsonError::new(UnexpectedEnd, 5)),
            (b"[1.", JsonError::new(UnexpectedEnd, 3)),
            (b"tr", JsonError::new(UnexpectedEnd, 2)),
            (br#"{"x": tru}"#, byte(9, b'}')),
            (b"[1,]", byte(3, b']')),
            (b"{\"a\":1,}", byte(7, b'}')),
            (b"{\"a\" 1}", byte(5, b'1')),
            (b"{1:2}", byte(1, b'1')),
            (b"[1 2]", byte(3, b'2')),
            (b"[1}", byte(2, b'}')),
            (b"+1", byte(0, b'+')),
            (b"NaN", byte(0, b'N')),
            (b".5", byte(0, b'.')),
            (b"\x0c1", byte(0, 0x0c)),
            (b"[[[[[[[[[1]]]]]]]]]", JsonError::new(TooDeep, 8)),
            (b"\"a\x01\"", JsonError::new(ControlCharacter, 2)),
            (b"{\"x\": \"a\nb\"}", JsonError::new(ControlCharacter, 8)),
            (br#""\x""#, JsonError::new(InvalidEscape, 1)),
            (br#""\u12g4""#, JsonError::new(InvalidEscape, 1)),
            (br#""ab\ud83d\u12g4""#, JsonError::new(InvalidEscape, 9)),
            (br#"["\ud83d"]"#, JsonError::new(LoneSurrogate, 2)),
            (br#""\ud83dx""#, JsonError::new(LoneSurrogate, 1)),
            (br#""\ud83d\u0041""#, JsonError::new(LoneSurrogate, 1)),
            (br#""\ude00""#, JsonError::new(LoneSurrogate, 1)),
            (b"\"a\xff\"", JsonError::new(InvalidUtf8, 2)),
            (b"\"\xc3\"", JsonError::new(InvalidUtf8, 1)),
            (b"[\xe9]", JsonError::new(InvalidUtf8, 1)),
            (br#"{"x": 01}"#, JsonError::new(InvalidNumber, 7)),
            (br#"{"x": 1.}"#, JsonError::new(InvalidNumber, 8)),
            (b"-a", JsonError::new(InvalidNumber, 1)),
            (b"1e+x", JsonError::new(InvalidNumber, 3)),
            (b"{} {}", JsonError::new(TrailingData, 3)),
            (b"1 2", JsonError::new(TrailingData, 2)),
            (b"null\x00", JsonError::new(TrailingData, 4)),
        ];
        for (doc, want) in cases {
            assert_eq!(validate(doc), Err(*want), "{:?}", core::str::from_utf8(doc));
            assert!(want.is_syntax());
            assert_eq!(want.field, None);
        }
        assert!(!JsonError::new(InvalidValue, 3).in_field("sid").is_syntax());
    }

    #[test]
    fn too_deep_comes_first_and_uses_no_stack() {
        // Depth 9 followed by garbage and invalid UTF-8: TooDeep at the 9th `[`.
        assert_eq!(
            validate(b"[[[[[[[[[\x01 tru \xff"),
            Err(JsonError::new(JsonErrorKind::TooDeep, 8))
        );
        assert_eq!(
            validate(b"{\"a\":{\"b\":[{\"c\":[[[[{\"d\":1}]]]]}]}}"),
            Err(JsonError::new(JsonErrorKind::TooDeep, 20))
        );
        let deep = std::vec![b'['; 100_000];
        assert_eq!(
            validate(&deep),
            Err(JsonError::new(JsonErrorKind::TooDeep, 8))
        );
        let mut ok = std::vec![b'['; MAX_DEPTH];
        ok.extend(std::iter::repeat_n(b']', MAX_DEPTH));
        assert_eq!(validate(&ok), Ok(()));
        // Closing and reopening does not accumulate depth.
        let wide = "[".to_string() + &"[[[[[[[]]]]]]],".repeat(1000) + "1]";
        assert_eq!(validate(wide.as_bytes()), Ok(()));
    }

    #[test]
    fn unescape_cases() {
        let mut buf = [0u8; 32];
        assert_eq!(unescape_into(r#"\""#, &mut buf), Ok("\""));
        assert_eq!(unescape_into(r"\\", &mut buf), Ok("\\"));
        assert_eq!(unescape_into(r"\u00e9", &mut buf), Ok("é"));
        assert_eq!(unescape_into(r"\ud83d\ude00", &mut buf), Ok("😀"));
        assert_eq!(
            unescape_into(r"a\/\b\f\n\r\tz", &mut buf),
            Ok("a/\u{8}\u{c}\n\r\tz")
        );
        assert_eq!(unescape_into("", &mut buf), Ok(""));
        assert_eq!(unescape_into("plain é", &mut buf), Ok("plain é"));
        use UnescapeError::*;
        assert_eq!(
            unescape_into(r"ab\ud83d", &mut buf),
            Err(LoneSurrogate { offset: 2 })
        );
        assert_eq!(
            unescape_into(r"\ude00", &mut buf),
            Err(LoneSurrogate { offset: 0 })
        );
        assert_eq!(
            unescape_into(r"x\q", &mut buf),
            Err(InvalidEscape { offset: 1 })
        );
        assert_eq!(
            unescape_into("x\\", &mut buf),
            Err(InvalidEscape { offset: 1 })
        );
        assert_eq!(
            unescape_into(r"\u12", &mut buf),
            Err(InvalidEscape { offset: 0 })
        );
        assert_eq!(
            unescape_into(r"\ud83d\uzz00", &mut buf),
            Err(InvalidEscape { offset: 6 })
        );
        let mut small = [0u8; 3];
        assert_eq!(
            unescape_into(r"\ud83d\ude00", &mut small),
            Err(Overflow { capacity: 3 })
        );
        assert_eq!(
            unescape_into("abcd", &mut small),
            Err(Overflow { capacity: 3 })
        );
        assert_eq!(unescape_to_string::<4>(r"\ud83d\ude00").unwrap(), "😀");
        assert_eq!(
            unescape_to_string::<3>(r"\ud83d\ude00"),
            Err(Overflow { capacity: 3 })
        );
        assert_eq!(
            unescape_to_string::<8>(r"\x"),
            Err(InvalidEscape { offset: 0 })
        );
        let chars: std::vec::Vec<_> = unescaped_chars(r"a\u00e9\ud83d\ude00").collect();
        assert_eq!(chars, [Ok('a'), Ok('é'), Ok('😀')]);
        let chars: std::vec::Vec<_> = unescaped_chars(r"a\ud83db").collect();
        assert_eq!(chars, [Ok('a'), Err(LoneSurrogate { offset: 1 })]);
    }

    #[test]
    fn display_messages() {
        let e = JsonError::new(JsonErrorKind::UnexpectedByte { byte: b'x' }, 3);
        assert_eq!(e.to_string(), "unexpected byte 0x78 in JSON at offset 3");
        let e = JsonError::new(JsonErrorKind::InvalidValue, 9).in_field("label");
        assert_eq!(
            e.to_string(),
            "invalid value in JSON field `label` at offset 9"
        );
        let e = JsonError::new(JsonErrorKind::Missing, 1).in_field("call_sid");
        assert_eq!(
            e.to_string(),
            "JSON object ending at offset 1 has no `call_sid`"
        );
        // The innermost field wins.
        assert_eq!(e.in_field("participants").field, Some("call_sid"));
        let e = UnescapeError::Overflow { capacity: 4 };
        assert_eq!(e.to_string(), "unescaped string does not fit in 4 bytes");
    }

    #[test]
    fn write_string_escapes() {
        let mut buf = [0u8; 64];
        let mut sink = SliceSink::new(&mut buf);
        write_string(&mut sink, "\"\\\n\r\t\u{8}\u{c}\u{0}\u{1f}\u{7f}é😀/").unwrap();
        assert_eq!(
            sink.written(),
            "\"\\\"\\\\\\n\\r\\t\\b\\f\\u0000\\u001f\u{7f}é😀/\"".as_bytes()
        );
        let mut small = [0u8; 4];
        let mut sink = SliceSink::new(&mut small);
        assert!(write_string(&mut sink, "abcdef").is_err());
    }

    #[test]
    fn cursor_reads_fields_and_skips_the_rest() {
        let doc = br#" {"a": "x\u00e9", "b": [1, {"c": null}], "n": 42, "t": true} "#;
        let mut c = Cursor::new(doc);
        assert_eq!(c.peek(), Some(b'{'));
        assert!(c.enter().unwrap());
        let mut seen = 0;
        let mut got = (None, None, None);
        loop {
            let key = c.key().unwrap();
            let mut buf = [0u8; 32];
            match key.text(&mut buf) {
                b"a" => {
                    Cursor::once(&mut seen, 0, key.offset, "a").unwrap();
                    got.0 = c.opt_str().unwrap();
                }
                b"n" => got.1 = c.opt_uint(100).unwrap(),
                b"t" => got.2 = c.opt_bool().unwrap(),
                _ => c.skip_value().unwrap(),
            }
            if !c.more(b'}').unwrap() {
                break;
            }
        }
        c.finish().unwrap();
        assert!(got.0.unwrap().eq_str("xé"));
        assert_eq!((got.1, got.2), (Some(42), Some(true)));
        // Typed readers: wrong type, range.
        let mut c = Cursor::new(b"\"x\"");
        assert_eq!(
            c.opt_bool(),
            Err(JsonError::new(
                JsonErrorKind::WrongType {
                    expected: "a boolean or null"
                },
                0
            ))
        );
        for (doc, at) in [(&b"256"[..], 0), (b"-1", 0), (b"1.5", 0), (b"1e2", 0)] {
            assert_eq!(
                Cursor::new(doc).opt_uint(255),
                Err(JsonError::new(JsonErrorKind::OutOfRange, at))
            );
        }
        assert_eq!(Cursor::new(b"255").opt_uint(255), Ok(Some(255)));
        assert_eq!(Cursor::new(b"null").opt_uint(255), Ok(None));
        assert_eq!(
            Cursor::new(b"01").opt_uint(255),
            Err(JsonError::new(JsonErrorKind::InvalidNumber, 1))
        );
    }

    #[test]
    fn json_str_views() {
        let plain = JsonStr::text("a\"b\n");
        let esc = JsonStr::from_json(r#"a\"b\n"#).unwrap();
        assert_eq!(plain, esc);
        assert!(esc.eq_str("a\"b\n"));
        assert_eq!(esc.unescaped_len(), 4);
        assert_eq!(esc.to_string(), "a\"b\n");
        assert_eq!(std::format!("{esc:?}"), r#""a\"b\n""#);
        let mut small = [0u8; 3];
        assert_eq!(
            esc.unescape_into(&mut small),
            Err(UnescapeError::Overflow { capacity: 3 })
        );
        assert_eq!(
            plain.unescape_into(&mut small),
            Err(UnescapeError::Overflow { capacity: 3 })
        );
        let mut out = [0u8; 16];
        let mut sink = SliceSink::new(&mut out);
        plain.write_json(&mut sink).unwrap();
        esc.write_json(&mut sink).unwrap();
        assert_eq!(sink.written(), br#""a\"b\n""a\"b\n""#);
        assert!(JsonStr::from_json("\\ud83d").is_none());
        assert!(JsonStr::from_json("").unwrap().is_empty());
        let pair = JsonStr::from_json(r"\ud83d\ude00!").unwrap();
        assert!(pair.chars().eq("😀!".chars()));
        assert_ne!(pair, JsonStr::text("😀"));
    }

    fn roundtrip(s: &str) {
        let mut buf = std::vec![0u8; s.len() * 6 + 2];
        let mut sink = SliceSink::new(&mut buf);
        write_string(&mut sink, s).unwrap();
        let written = sink.written();
        assert_eq!(validate(written), Ok(()));
        let inner = core::str::from_utf8(&written[1..written.len() - 1]).unwrap();
        let mut out = std::vec![0u8; s.len()];
        assert_eq!(unescape_into(inner, &mut out), Ok(s));
        assert!(unescaped_chars(inner).eq(s.chars().map(Ok)));
    }

    proptest! {
        #[test]
        fn validate_never_panics(doc in proptest::collection::vec(any::<u8>(), 0..256)) {
            let _ = validate(&doc);
        }

        #[test]
        fn validate_never_panics_jsonish(doc in "[\\[\\]{}\",:0-9.eE+\\-tfnrulas\\\\ \u{1}é]{0,64}") {
            let _ = validate(doc.as_bytes());
        }

        #[test]
        fn write_then_validate_and_unescape(s in any::<String>(),
                                            t in "[\u{0}-\u{1f}\u{7f}\"\\\\/a-zé😀]*") {
            roundtrip(&s);
            roundtrip(&t);
        }

        #[test]
        fn unescape_never_panics(s in any::<String>(),
                                 t in "(\\\\|u|d|8|3|c|0|a|e|\"|n|x|é)*") {
            for raw in [s.as_str(), t.as_str()] {
                let mut buf = [0u8; 16];
                let _ = unescape_into(raw, &mut buf);
                let _ = unescape_to_string::<8>(raw);
                let _ = unescaped_chars(raw).count();
            }
        }
    }
}
