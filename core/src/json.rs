//! Strict JSON pre-validation, string unescaping and string escaping.
//!
//! `serde-json-core` is lenient in ways that matter for untrusted input: it
//! has no nesting limit (it skips unknown values recursively), accepts raw
//! control characters and garbage scalars inside ignored fields, and its
//! escaping mode rejects UTF-16 surrogate pairs. Every document this crate
//! decodes therefore goes through three steps:
//!
//! 1. [`validate`]: a strict, iterative (non-recursive) RFC 8259 check with a
//!    nesting limit of [`MAX_DEPTH`];
//! 2. `serde_json_core::from_slice`, that maps the document onto structs whose
//!    string fields borrow the *raw* text between the quotes;
//! 3. [`unescape_into`] / [`unescape_to_string`] / [`unescaped_chars`], that
//!    turn that raw text into characters (surrogate pairs included).
//!
//! ```
//! use confpart::json::{unescape_to_string, validate, JsonError};
//!
//! #[derive(serde::Deserialize)]
//! struct Doc<'a> {
//!     name: &'a str,
//! }
//!
//! let doc = br#"{"name": "Caf\u00e9 \ud83d\ude00"}"#;
//! validate(doc)?;
//! let (parsed, _) = serde_json_core::from_slice::<Doc>(doc)?;
//! assert_eq!(parsed.name, r"Caf\u00e9 \ud83d\ude00"); // still raw
//! let name = unescape_to_string::<16>(parsed.name)
//!     .map_err(|_| JsonError::TooLong { field: "name", max: 16 })?;
//! assert_eq!(name, "Café 😀");
//! # Ok::<(), JsonError>(())
//! ```

use core::fmt;

use crate::write::{Sink, WriteError};

/// Maximum nesting depth of arrays/objects accepted in any document.
///
/// The document root counts as 1: `{"a":1}` has depth 1, `{"a":[{}]}` depth 3.
/// Participant resources and error bodies need 1, list pages 3; the margin
/// allows for unknown nested fields while bounding the work `serde-json-core`
/// does when it skips them recursively.
pub const MAX_DEPTH: usize = 8;

/// Why a JSON document was rejected.
///
/// The syntax variants are produced by [`validate`] and carry the byte
/// `offset` in the document where the problem was detected; errors are
/// reported at the first offset at which the document is known to be invalid.
/// The last three variants belong to the mapping stage of other modules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum JsonError {
    /// The document ended in the middle of a value (`offset` is its length).
    UnexpectedEnd {
        /// Byte offset (the document length).
        offset: usize,
    },
    /// A byte that the grammar does not allow here.
    UnexpectedByte {
        /// Byte offset of `byte`.
        offset: usize,
        /// The offending byte.
        byte: u8,
    },
    /// An array or object opened deeper than [`MAX_DEPTH`].
    TooDeep {
        /// Byte offset of the `[` or `{` that went too deep.
        offset: usize,
    },
    /// A raw control character (U+0000..=U+001F) inside a string.
    ControlCharacter {
        /// Byte offset of the control character.
        offset: usize,
    },
    /// A backslash escape that JSON does not define, or bad `\u` hex digits.
    InvalidEscape {
        /// Byte offset of the backslash.
        offset: usize,
    },
    /// A `\u` escape of a UTF-16 surrogate that is not part of a valid pair.
    LoneSurrogate {
        /// Byte offset of the backslash of the (first) surrogate escape.
        offset: usize,
    },
    /// The document is not valid UTF-8.
    InvalidUtf8 {
        /// Byte offset of the first invalid sequence.
        offset: usize,
    },
    /// A number does not follow the JSON grammar (leading zero, no digit after
    /// `-`, `.` or exponent).
    InvalidNumber {
        /// Byte offset of the byte where a digit was required or forbidden.
        offset: usize,
    },
    /// Something other than whitespace follows the top-level value.
    TrailingData {
        /// Byte offset of the first trailing byte.
        offset: usize,
    },
    /// serde-json-core rejected the (valid) document: wrong type, missing or
    /// duplicate field.
    Shape(serde_json_core::de::Error),
    /// A string field is longer than its capacity.
    TooLong {
        /// Name of the JSON field.
        field: &'static str,
        /// Capacity in bytes.
        max: usize,
    },
    /// A field's value is not acceptable (bad SID, bad date, unknown enum text...).
    InvalidField {
        /// Name of the JSON field.
        field: &'static str,
    },
}

impl JsonError {
    /// The byte offset of a syntax error, `None` for mapping-stage errors.
    pub fn offset(&self) -> Option<usize> {
        match *self {
            Self::UnexpectedEnd { offset }
            | Self::UnexpectedByte { offset, .. }
            | Self::TooDeep { offset }
            | Self::ControlCharacter { offset }
            | Self::InvalidEscape { offset }
            | Self::LoneSurrogate { offset }
            | Self::InvalidUtf8 { offset }
            | Self::InvalidNumber { offset }
            | Self::TrailingData { offset } => Some(offset),
            Self::Shape(_) | Self::TooLong { .. } | Self::InvalidField { .. } => None,
        }
    }
}

impl From<serde_json_core::de::Error> for JsonError {
    fn from(e: serde_json_core::de::Error) -> Self {
        Self::Shape(e)
    }
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnexpectedEnd { offset } => {
                write!(f, "JSON document ends unexpectedly at offset {offset}")
            }
            Self::UnexpectedByte { offset, byte } => {
                write!(f, "unexpected byte 0x{byte:02x} in JSON at offset {offset}")
            }
            Self::TooDeep { offset } => write!(
                f,
                "JSON nested deeper than {MAX_DEPTH} levels at offset {offset}"
            ),
            Self::ControlCharacter { offset } => {
                write!(f, "raw control character in JSON string at offset {offset}")
            }
            Self::InvalidEscape { offset } => {
                write!(f, "invalid escape in JSON string at offset {offset}")
            }
            Self::LoneSurrogate { offset } => {
                write!(f, "unpaired UTF-16 surrogate escape at offset {offset}")
            }
            Self::InvalidUtf8 { offset } => write!(f, "invalid UTF-8 in JSON at offset {offset}"),
            Self::InvalidNumber { offset } => write!(f, "invalid JSON number at offset {offset}"),
            Self::TrailingData { offset } => {
                write!(f, "trailing data after JSON value at offset {offset}")
            }
            Self::Shape(e) => write!(f, "JSON does not have the expected shape: {e}"),
            Self::TooLong { field, max } => {
                write!(f, "JSON field `{field}` is longer than {max} bytes")
            }
            Self::InvalidField { field } => write!(f, "JSON field `{field}` has an invalid value"),
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
// Validator.

fn skip_ws(doc: &[u8], mut i: usize) -> usize {
    while let Some(b' ' | b'\t' | b'\n' | b'\r') = doc.get(i) {
        i += 1;
    }
    i
}

/// The error for an unacceptable byte (or the end) at `i`.
fn unexpected(doc: &[u8], i: usize, utf8_bad: usize) -> JsonError {
    match doc.get(i) {
        None => JsonError::UnexpectedEnd { offset: doc.len() },
        Some(&b) if b >= 0x80 && i >= utf8_bad => JsonError::InvalidUtf8 { offset: utf8_bad },
        Some(&byte) => JsonError::UnexpectedByte { offset: i, byte },
    }
}

/// Scans a string whose opening quote is at `i - 1`; returns the offset past
/// the closing quote.
fn scan_string(doc: &[u8], mut i: usize, utf8_bad: usize) -> Result<usize, JsonError> {
    // Non-ASCII bytes only need a look when the document is not UTF-8.
    let high = utf8_bad < doc.len();
    loop {
        // Skip plain text eight bytes at a time.
        if let Some(rest) = doc.get(i..) {
            i += crate::scan::json_string_stop(rest, high).unwrap_or(rest.len());
        }
        match doc.get(i) {
            None => return Err(JsonError::UnexpectedEnd { offset: doc.len() }),
            Some(b'"') => return Ok(i + 1),
            Some(b'\\') => {
                i = match decode_escape(doc, i) {
                    Ok((_, next)) => next,
                    Err(EscErr::End) => return Err(JsonError::UnexpectedEnd { offset: doc.len() }),
                    Err(EscErr::Invalid(offset)) => {
                        return Err(JsonError::InvalidEscape { offset });
                    }
                    Err(EscErr::Lone(offset)) => return Err(JsonError::LoneSurrogate { offset }),
                }
            }
            Some(0..=0x1f) => return Err(JsonError::ControlCharacter { offset: i }),
            Some(0x80..) if i >= utf8_bad => {
                return Err(JsonError::InvalidUtf8 { offset: utf8_bad });
            }
            Some(_) => i += 1,
        }
    }
}

/// Scans an object key and its colon starting at `i`; returns the offset of
/// the value.
fn scan_key(doc: &[u8], i: usize, utf8_bad: usize) -> Result<usize, JsonError> {
    if doc.get(i) != Some(&b'"') {
        return Err(unexpected(doc, i, utf8_bad));
    }
    let i = skip_ws(doc, scan_string(doc, i + 1, utf8_bad)?);
    if doc.get(i) != Some(&b':') {
        return Err(unexpected(doc, i, utf8_bad));
    }
    Ok(skip_ws(doc, i + 1))
}

fn scan_literal(doc: &[u8], i: usize, lit: &[u8], utf8_bad: usize) -> Result<usize, JsonError> {
    for (k, c) in lit.iter().enumerate() {
        if doc.get(i + k) != Some(c) {
            return Err(unexpected(doc, i + k, utf8_bad));
        }
    }
    Ok(i + lit.len())
}

fn skip_digits(doc: &[u8], mut i: usize) -> usize {
    while let Some(b'0'..=b'9') = doc.get(i) {
        i += 1;
    }
    i
}

/// At least one digit at `i`, then any number.
fn need_digits(doc: &[u8], i: usize) -> Result<usize, JsonError> {
    match doc.get(i) {
        Some(b'0'..=b'9') => Ok(skip_digits(doc, i + 1)),
        Some(_) => Err(JsonError::InvalidNumber { offset: i }),
        None => Err(JsonError::UnexpectedEnd { offset: doc.len() }),
    }
}

fn scan_number(doc: &[u8], mut i: usize) -> Result<usize, JsonError> {
    if doc.get(i) == Some(&b'-') {
        i += 1;
    }
    if doc.get(i) == Some(&b'0') {
        i += 1;
        if let Some(b'0'..=b'9') = doc.get(i) {
            return Err(JsonError::InvalidNumber { offset: i });
        }
    } else {
        i = need_digits(doc, i)?;
    }
    if doc.get(i) == Some(&b'.') {
        i = need_digits(doc, i + 1)?;
    }
    if let Some(b'e' | b'E') = doc.get(i) {
        i += 1;
        if let Some(b'+' | b'-') = doc.get(i) {
            i += 1;
        }
        i = need_digits(doc, i)?;
    }
    Ok(i)
}

/// Checks that `doc` is exactly one strict RFC 8259 JSON value (surrounded by
/// optional whitespace), nested at most [`MAX_DEPTH`] deep.
///
/// The check is a single iterative pass (no recursion, constant stack) plus
/// one `core::str::from_utf8`. It rejects raw control characters in strings,
/// escapes other than `\" \\ \/ \b \f \n \r \t \uXXXX`, unpaired surrogate
/// escapes, invalid UTF-8, non-grammar numbers (`01`, `1.`, `+1`, `NaN`),
/// misspelled literals and trailing data. The first error in document order
/// is returned.
///
/// ```
/// use confpart::json::{validate, JsonError};
///
/// assert_eq!(validate(br#"{"a": [1, -2.5e3, true, null, "\ud83d\ude00"]}"#), Ok(()));
/// assert_eq!(validate(br#"{"x": 01}"#), Err(JsonError::InvalidNumber { offset: 7 }));
/// assert_eq!(validate(b"[[[[[[[[[]]]]]]]]]"), Err(JsonError::TooDeep { offset: 8 }));
/// ```
pub fn validate(doc: &[u8]) -> Result<(), JsonError> {
    let utf8_bad = match core::str::from_utf8(doc) {
        Ok(_) => doc.len(),
        Err(e) => e.valid_up_to(),
    };
    // `kinds[d]` is true when the container at depth `d + 1` is an object.
    let mut kinds = [false; MAX_DEPTH];
    let mut depth = 0usize;
    let mut i = skip_ws(doc, 0);
    'value: loop {
        // A value starts at `i`.
        match doc.get(i) {
            Some(&open @ (b'[' | b'{')) => {
                let is_obj = open == b'{';
                match kinds.get_mut(depth) {
                    Some(slot) => *slot = is_obj,
                    None => return Err(JsonError::TooDeep { offset: i }),
                }
                depth += 1;
                i = skip_ws(doc, i + 1);
                let close = if is_obj { b'}' } else { b']' };
                if doc.get(i) == Some(&close) {
                    depth -= 1;
                    i += 1;
                } else if is_obj {
                    i = scan_key(doc, i, utf8_bad)?;
                    continue 'value;
                } else {
                    continue 'value;
                }
            }
            Some(b'"') => i = scan_string(doc, i + 1, utf8_bad)?,
            Some(b't') => i = scan_literal(doc, i, b"true", utf8_bad)?,
            Some(b'f') => i = scan_literal(doc, i, b"false", utf8_bad)?,
            Some(b'n') => i = scan_literal(doc, i, b"null", utf8_bad)?,
            Some(b'-' | b'0'..=b'9') => i = scan_number(doc, i)?,
            _ => return Err(unexpected(doc, i, utf8_bad)),
        }
        // A value ended just before `i`: close containers or move to the next.
        loop {
            i = skip_ws(doc, i);
            let Some(&in_obj) = depth.checked_sub(1).and_then(|d| kinds.get(d)) else {
                return if i < doc.len() {
                    Err(JsonError::TrailingData { offset: i })
                } else {
                    Ok(())
                };
            };
            match doc.get(i) {
                Some(b',') => {
                    i = skip_ws(doc, i + 1);
                    if in_obj {
                        i = scan_key(doc, i, utf8_bad)?;
                    }
                    continue 'value;
                }
                Some(b']') if !in_obj => {}
                Some(b'}') if in_obj => {}
                _ => return Err(unexpected(doc, i, utf8_bad)),
            }
            depth -= 1;
            i += 1;
        }
    }
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
/// as `serde_json_core::from_slice` hands out) into `out`, handling
/// surrogate pairs. Never truncates: fails with
/// [`UnescapeError::Overflow`] when `out` is too small.
///
/// ```
/// use confpart::json::unescape_into;
///
/// let mut buf = [0u8; 16];
/// assert_eq!(unescape_into(r#"a\"b\\\u00e9\ud83d\ude00"#, &mut buf), Ok("a\"b\\é😀"));
/// ```
pub fn unescape_into<'b>(raw: &str, out: &'b mut [u8]) -> Result<&'b str, UnescapeError> {
    let capacity = out.len();
    let mut len = 0usize;
    for_each_piece(raw, |piece| {
        let mut utf8 = [0u8; 4];
        let bytes = match piece {
            Piece::Text(s) => s.as_bytes(),
            Piece::Char(c) => c.encode_utf8(&mut utf8).as_bytes(),
        };
        let dst = len
            .checked_add(bytes.len())
            .and_then(|end| out.get_mut(len..end))
            .ok_or(UnescapeError::Overflow { capacity })?;
        dst.copy_from_slice(bytes);
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
/// use confpart::json::{unescape_to_string, UnescapeError};
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
/// let (s, cut) = confpart::json::unescape_truncating::<4>(r#"abécd"#)?;
/// assert_eq!((s.as_str(), cut), ("abé", true));
/// # Ok::<(), confpart::json::UnescapeError>(())
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
/// use confpart::json::unescaped_chars;
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
/// use confpart::json::write_string;
/// use confpart::write::SliceSink;
///
/// let mut buf = [0u8; 32];
/// let mut sink = SliceSink::new(&mut buf);
/// write_string(&mut sink, "a\"b\\\n\u{1}é")?;
/// assert_eq!(sink.written(), r#""a\"b\\\n\u0001é""#.as_bytes());
/// # Ok::<(), confpart::write::WriteError>(())
/// ```
pub fn write_string<S: Sink + ?Sized>(sink: &mut S, s: &str) -> Result<(), WriteError> {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let b = s.as_bytes();
    sink.put(b"\"")?;
    let mut start = 0;
    for (i, &c) in b.iter().enumerate() {
        let short: &[u8] = match c {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0x08 => b"\\b",
            0x0c => b"\\f",
            0..=0x1f => b"",
            _ => continue,
        };
        if i > start {
            sink.put(b.get(start..i).unwrap_or(&[]))?;
        }
        start = i + 1;
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

#[cfg(test)]
mod tests {
    extern crate std;

    use super::*;
    use crate::write::SliceSink;
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
        use JsonError::*;
        let byte = |offset, byte| UnexpectedByte { offset, byte };
        let cases: &[(&[u8], JsonError)] = &[
            (b"", UnexpectedEnd { offset: 0 }),
            (b"  ", UnexpectedEnd { offset: 2 }),
            (b"{\"a\":", UnexpectedEnd { offset: 5 }),
            (b"[1,", UnexpectedEnd { offset: 3 }),
            (b"\"abc", UnexpectedEnd { offset: 4 }),
            (b"\"\\", UnexpectedEnd { offset: 2 }),
            (b"\"\\u12", UnexpectedEnd { offset: 5 }),
            (b"[1.", UnexpectedEnd { offset: 3 }),
            (b"tr", UnexpectedEnd { offset: 2 }),
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
            (b"[[[[[[[[[1]]]]]]]]]", TooDeep { offset: 8 }),
            (b"\"a\x01\"", ControlCharacter { offset: 2 }),
            (b"{\"x\": \"a\nb\"}", ControlCharacter { offset: 8 }),
            (br#""\x""#, InvalidEscape { offset: 1 }),
            (br#""\u12g4""#, InvalidEscape { offset: 1 }),
            (br#""ab\ud83d\u12g4""#, InvalidEscape { offset: 9 }),
            (br#"["\ud83d"]"#, LoneSurrogate { offset: 2 }),
            (br#""\ud83dx""#, LoneSurrogate { offset: 1 }),
            (br#""\ud83d\u0041""#, LoneSurrogate { offset: 1 }),
            (br#""\ude00""#, LoneSurrogate { offset: 1 }),
            (b"\"a\xff\"", InvalidUtf8 { offset: 2 }),
            (b"\"\xc3\"", InvalidUtf8 { offset: 1 }),
            (b"[\xe9]", InvalidUtf8 { offset: 1 }),
            (br#"{"x": 01}"#, InvalidNumber { offset: 7 }),
            (br#"{"x": 1.}"#, InvalidNumber { offset: 8 }),
            (b"-a", InvalidNumber { offset: 1 }),
            (b"1e+x", InvalidNumber { offset: 3 }),
            (b"{} {}", TrailingData { offset: 3 }),
            (b"1 2", TrailingData { offset: 2 }),
            (b"null\x00", TrailingData { offset: 4 }),
        ];
        for (doc, want) in cases {
            assert_eq!(validate(doc), Err(*want), "{:?}", core::str::from_utf8(doc));
            assert!(want.offset().is_some());
        }
        assert_eq!(JsonError::InvalidField { field: "sid" }.offset(), None);
    }

    #[test]
    fn too_deep_comes_first_and_uses_no_stack() {
        // Depth 9 followed by garbage and invalid UTF-8: TooDeep at the 9th `[`.
        assert_eq!(
            validate(b"[[[[[[[[[\x01 tru \xff"),
            Err(JsonError::TooDeep { offset: 8 })
        );
        assert_eq!(
            validate(b"{\"a\":{\"b\":[{\"c\":[[[[{\"d\":1}]]]]}]}}"),
            Err(JsonError::TooDeep { offset: 20 })
        );
        let deep = std::vec![b'['; 100_000];
        assert_eq!(validate(&deep), Err(JsonError::TooDeep { offset: 8 }));
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
        let e = JsonError::UnexpectedByte {
            offset: 3,
            byte: b'x',
        };
        assert_eq!(e.to_string(), "unexpected byte 0x78 in JSON at offset 3");
        let e = JsonError::TooLong {
            field: "label",
            max: 64,
        };
        assert_eq!(e.to_string(), "JSON field `label` is longer than 64 bytes");
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
    fn pipeline_with_serde_json_core() {
        #[derive(serde::Deserialize)]
        struct Participant<'a> {
            label: &'a str,
            muted: bool,
        }
        let doc = br#"{"label": "Ren\u00e9 \"\ud83d\ude00\" \\ ok", "extra": {"deep": [1, 2.5, null]}, "muted": true}"#;
        validate(doc).unwrap();
        let (p, _) = serde_json_core::from_slice::<Participant>(doc).unwrap();
        assert!(p.muted);
        assert_eq!(p.label, r#"Ren\u00e9 \"\ud83d\ude00\" \\ ok"#);
        let mut buf = [0u8; 64];
        assert_eq!(unescape_into(p.label, &mut buf), Ok("René \"😀\" \\ ok"));
        // A shape error maps to `JsonError::Shape`.
        let e: JsonError = serde_json_core::from_slice::<Participant>(b"{\"label\":\"x\"}")
            .map(|_| ())
            .unwrap_err()
            .into();
        assert!(matches!(e, JsonError::Shape(_)));
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
