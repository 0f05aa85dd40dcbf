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

mod cursor;
mod escape;
mod string;

pub use cursor::validate;
pub(crate) use cursor::{Cursor, KeySet};
pub use escape::{
    UnescapedChars, unescape_into, unescape_to_string, unescape_truncating, unescaped_chars,
    write_string,
};
pub use string::{Chars, JsonStr};
