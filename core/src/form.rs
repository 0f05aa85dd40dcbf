//! `application/x-www-form-urlencoded` primitives and percent-decoding.
//!
//! The typed Update codec lives in [`crate::update`]; this module only knows
//! bytes: splitting a body into pairs, percent-decoding a component (`+` or
//! `%20` for space), and writing an encoded component.
//!
//! ```
//! use confpart::form::{decode_component, pairs, Space};
//!
//! let body = b"Muted=true&HoldUrl=http%3A%2F%2Fa.example%2Fx+y";
//! let mut it = pairs(body);
//! let p = it.next().unwrap();
//! assert_eq!((p.key, p.value), (&b"Muted"[..], &b"true"[..]));
//! let p = it.next().unwrap();
//! let mut out = [0u8; 32];
//! let n = decode_component(p.value, &mut out, Space::Plus).unwrap();
//! assert_eq!(&out[..n], b"http://a.example/x y");
//! ```

use core::fmt;

use crate::write::{Sink, WriteError};

/// Why a percent-encoded component could not be decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum DecodeError {
    /// `%` not followed by two hex digits, at this offset of the component.
    InvalidEscape {
        /// Offset of the `%` within the component.
        offset: usize,
    },
    /// The output buffer is too small for the decoded component.
    OutputFull {
        /// Bytes the decoded component needs.
        needed: usize,
    },
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidEscape { offset } => write!(f, "invalid percent-escape at byte {offset}"),
            Self::OutputFull { needed } => {
                write!(f, "decoded component needs {needed} bytes of buffer")
            }
        }
    }
}

impl core::error::Error for DecodeError {}

/// How `+` is read when decoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Space {
    /// Form bodies and query strings: `+` is a space.
    Plus,
    /// Paths: `+` is a literal plus.
    Literal,
}

/// One `key=value` pair of a form body, still encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Pair<'a> {
    /// The encoded key.
    pub key: &'a [u8],
    /// The encoded value (empty when the pair has no `=`).
    pub value: &'a [u8],
    /// Byte offset of the key in the body.
    pub offset: usize,
    /// Byte offset of the value in the body.
    pub value_offset: usize,
}

/// Iterator over the pairs of a form body; empty pairs (`a=1&&b=2`) are skipped.
#[derive(Debug, Clone)]
pub struct Pairs<'a> {
    rest: &'a [u8],
    offset: usize,
}

/// Splits a form body (or query string) into its pairs.
pub fn pairs(body: &[u8]) -> Pairs<'_> {
    Pairs {
        rest: body,
        offset: 0,
    }
}

impl<'a> Iterator for Pairs<'a> {
    type Item = Pair<'a>;

    fn next(&mut self) -> Option<Pair<'a>> {
        while !self.rest.is_empty() {
            let end = crate::scan::byte(self.rest, b'&').unwrap_or(self.rest.len());
            let (pair, rest) = self.rest.split_at_checked(end).unwrap_or((self.rest, &[]));
            let offset = self.offset;
            // Skip the '&' (absent at the end of the body).
            self.rest = rest.get(1..).unwrap_or(&[]);
            self.offset += end + 1;
            if pair.is_empty() {
                continue;
            }
            let (key, value, value_offset) = match crate::scan::byte(pair, b'=') {
                Some(eq) => (
                    pair.get(..eq).unwrap_or(&[]),
                    pair.get(eq + 1..).unwrap_or(&[]),
                    offset + eq + 1,
                ),
                None => (pair, &[][..], offset + pair.len()),
            };
            return Some(Pair {
                key,
                value,
                offset,
                value_offset,
            });
        }
        None
    }
}

const fn hex_val(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Value of each hex digit; `NOT_HEX` for every other byte.
// Evaluated at compile time: an index out of bounds is a build error, never
// a run-time panic.
#[allow(clippy::indexing_slicing)]
const HEX_VALUE: [u8; 256] = {
    let mut t = [NOT_HEX; 256];
    let mut b = 0;
    while b < 256 {
        if let Some(v) = hex_val(b as u8) {
            t[b] = v;
        }
        b += 1;
    }
    t
};
const NOT_HEX: u8 = 0x10;

/// Offset of the first byte decoding changes: `%`, or `+` in form mode.
fn next_special(raw: &[u8], space: Space) -> Option<usize> {
    match space {
        Space::Plus => crate::scan::byte2(raw, b'%', b'+'),
        Space::Literal => crate::scan::byte(raw, b'%'),
    }
}

/// True when decoding `raw` would change it (it has `%`, or `+` in form mode).
pub fn needs_decoding(raw: &[u8], space: Space) -> bool {
    next_special(raw, space).is_some()
}

/// The byte of the escape whose `%` is at `i`.
#[inline(always)]
fn escape_at(raw: &[u8], i: usize) -> Result<u8, DecodeError> {
    let digit = |j: usize| {
        raw.get(j)
            .and_then(|&b| HEX_VALUE.get(usize::from(b)))
            .copied()
            .unwrap_or(NOT_HEX)
    };
    let (h, l) = (digit(i + 1), digit(i + 2));
    if (h | l) & NOT_HEX == 0 {
        Ok((h << 4) | l)
    } else {
        Err(DecodeError::InvalidEscape { offset: i })
    }
}

/// Length of `raw` once decoded, or the first invalid escape.
pub fn decoded_len(raw: &[u8]) -> Result<usize, DecodeError> {
    let mut i = 0;
    let mut escapes = 0;
    while let Some(p) = raw.get(i..).and_then(|rest| crate::scan::byte(rest, b'%')) {
        escape_at(raw, i + p)?;
        escapes += 1;
        i += p + 3;
    }
    Ok(raw.len() - 2 * escapes)
}

/// Percent-decodes `raw` into `out`, returns the decoded length.
///
/// Invalid escapes (`%`, `%4`, `%zz`) are errors, never passed through.
/// The output is bytes: check UTF-8 afterwards where text is expected.
/// Runs without escapes are copied in bulk.
pub fn decode_component(raw: &[u8], out: &mut [u8], space: Space) -> Result<usize, DecodeError> {
    let mut i = 0;
    let mut n = 0;
    loop {
        let rest = raw.get(i..).unwrap_or(&[]);
        let run = next_special(rest, space).unwrap_or(rest.len());
        let src = rest.get(..run).unwrap_or(&[]);
        match out.get_mut(n..n + run) {
            Some(dst) => crate::write::copy(dst, src),
            None => {
                return Err(DecodeError::OutputFull {
                    needed: decoded_len(raw)?,
                });
            }
        }
        n += run;
        i += run;
        let Some(&b) = raw.get(i) else {
            return Ok(n);
        };
        let (byte, step) = if b == b'%' {
            (escape_at(raw, i)?, 3)
        } else {
            (b' ', 1)
        };
        match out.get_mut(n) {
            Some(slot) => *slot = byte,
            None => {
                return Err(DecodeError::OutputFull {
                    needed: decoded_len(raw)?,
                });
            }
        }
        n += 1;
        i += step;
    }
}

/// True for bytes a form component keeps as they are (WHATWG's
/// `application/x-www-form-urlencoded` set: alphanumerics and `*-._`).
const fn is_form_safe(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'*' | b'-' | b'.' | b'_')
}

/// `is_form_safe` as a table: one load per byte in the run scan. ASCII
/// only (128 entries, not 256): a byte from 128 up falls outside, and the
/// lookup's `None` already says "not safe".
// Evaluated at compile time: an index out of bounds is a build error, never
// a run-time panic.
#[allow(clippy::indexing_slicing)]
const SAFE: [bool; 128] = {
    let mut t = [false; 128];
    let mut b = 0;
    while b < 128 {
        t[b] = is_form_safe(b as u8);
        b += 1;
    }
    t
};

/// Length of the run of bytes at the start of `s` that encoding keeps.
#[inline(always)]
fn safe_run(s: &[u8]) -> usize {
    s.iter()
        .position(|&b| !SAFE.get(usize::from(b)).copied().unwrap_or(false))
        .unwrap_or(s.len())
}

/// Length of `s` once written by [`write_component`]: one byte for each
/// byte it keeps and for a space (`+`), three for each `%XX`. (A
/// [`CountingSink`](crate::write::CountingSink) counts form components with
/// this; a proptest checks it against what `write_component` writes.)
pub fn encoded_len(s: &str) -> usize {
    let escaped = s
        .bytes()
        .filter(|&b| b != b' ' && !SAFE.get(usize::from(b)).copied().unwrap_or(false))
        .count();
    s.len() + 2 * escaped
}

/// Writes `s` form-encoded: space as `+`, everything outside `A-Za-z0-9*-._`
/// as `%XX` (upper-case hex), as Python's `urlencode` and Go's `url.Values` do.
///
/// Runs of kept bytes go to the sink in one `put` each (URLs are mostly
/// such runs), each other byte as `+` or a 3-byte `%XX`. Its length is
/// [`encoded_len`].
#[inline]
pub fn write_component<S: Sink + ?Sized>(sink: &mut S, s: &str) -> Result<(), WriteError> {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let hex = |v: u8| HEX.get(usize::from(v & 0xf)).copied().unwrap_or(b'0');
    let mut rest = s.as_bytes();
    loop {
        let run = safe_run(rest);
        let (plain, tail) = rest.split_at_checked(run).unwrap_or((rest, &[]));
        if !plain.is_empty() {
            sink.put(plain)?;
        }
        let Some((&b, tail)) = tail.split_first() else {
            return Ok(());
        };
        if b == b' ' {
            sink.put(b"+")?;
        } else {
            sink.put(&[b'%', hex(b >> 4), hex(b)])?;
        }
        rest = tail;
    }
}

/// Unknown keys a decoded form body remembers (the total count is always exact).
pub const IGNORED_KEYS_CAPACITY: usize = 8;

/// Keys of a decoded form body (an Update or a Create) that are not fields
/// of its request (e.g. SignalWire's `Beep` on an update), as sent (still
/// percent-encoded). The first [`IGNORED_KEYS_CAPACITY`] are kept;
/// [`IgnoredKeys::total`] counts all.
///
/// ```
/// use confpart::create::Create;
/// let mut scratch = [0u8; 8];
/// let d = Create::decode(b"From=a&To=b&Hold=true", &mut scratch)?;
/// assert_eq!((d.ignored.total(), d.ignored.is_empty()), (1, false));
/// assert_eq!(d.ignored.iter().next(), Some(&b"Hold"[..]));
/// # Ok::<(), confpart::create::FormError>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct IgnoredKeys<'a> {
    keys: heapless::Vec<&'a [u8], IGNORED_KEYS_CAPACITY>,
    total: usize,
}

impl<'a> IgnoredKeys<'a> {
    /// The kept keys, in body order.
    pub fn iter(&self) -> impl Iterator<Item = &'a [u8]> + '_ {
        self.keys.iter().copied()
    }

    /// How many unknown keys the body had (may exceed the kept ones).
    pub const fn total(&self) -> usize {
        self.total
    }

    /// True when every key was known.
    pub const fn is_empty(&self) -> bool {
        self.total == 0
    }

    /// Counts `key`, and keeps it while there is room.
    pub(crate) fn push(&mut self, key: &'a [u8]) {
        self.total = self.total.saturating_add(1);
        // Past the capacity only the count grows: `total` says so.
        let _ = self.keys.push(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::write::SliceSink;
    use proptest::prelude::*;
    use std::{string::String, vec, vec::Vec};

    #[test]
    fn pairs_split_and_skip_empty() {
        let v: Vec<_> = pairs(b"&a=1&&b&c=&=d&")
            .map(|p| (p.key, p.value, p.offset))
            .collect();
        assert_eq!(
            v,
            vec![
                (&b"a"[..], &b"1"[..], 1),
                (&b"b"[..], &b""[..], 6),
                (&b"c"[..], &b""[..], 8),
                (&b""[..], &b"d"[..], 11),
            ]
        );
    }

    #[test]
    fn decode_plus_and_percent() {
        let mut out = [0u8; 16];
        let n = decode_component(b"a+b%20c%2b", &mut out, Space::Plus).unwrap();
        assert_eq!(&out[..n], b"a b c+");
        let n = decode_component(b"a+b", &mut out, Space::Literal).unwrap();
        assert_eq!(&out[..n], b"a+b");
    }

    #[test]
    fn invalid_escapes_are_errors() {
        let mut out = [0u8; 16];
        for (raw, offset) in [(&b"%"[..], 0), (b"ab%4", 2), (b"%zz", 0), (b"x%g0", 1)] {
            assert_eq!(
                decode_component(raw, &mut out, Space::Plus),
                Err(DecodeError::InvalidEscape { offset })
            );
        }
    }

    #[test]
    fn small_output_is_an_error_not_a_truncation() {
        let mut out = [0u8; 2];
        assert_eq!(
            decode_component(b"abc%41", &mut out, Space::Plus),
            Err(DecodeError::OutputFull { needed: 4 })
        );
    }

    #[test]
    fn encode_like_python() {
        let mut buf = [0u8; 64];
        let mut s = SliceSink::new(&mut buf);
        write_component(&mut s, "http://x.example/a b?c=é").unwrap();
        assert_eq!(s.written(), b"http%3A%2F%2Fx.example%2Fa+b%3Fc%3D%C3%A9");
    }

    proptest! {
        #[test]
        fn encode_decode_round_trip(text in any::<String>()) {
            let mut buf = vec![0u8; text.len() * 3];
            let mut s = SliceSink::new(&mut buf);
            write_component(&mut s, &text).unwrap();
            let enc = s.written().to_vec();
            prop_assert_eq!(encoded_len(&text), enc.len());
            prop_assert!(enc.iter().all(|b| !matches!(b, b'&' | b'=' | b' ' | b'%') || *b == b'%'));
            let mut out = vec![0u8; text.len()];
            let n = decode_component(&enc, &mut out, Space::Plus).unwrap();
            prop_assert_eq!(&out[..n], text.as_bytes());
        }

        #[test]
        fn decode_never_panics(raw in any::<Vec<u8>>(), cap in 0usize..64) {
            let mut out = vec![0u8; cap];
            match decode_component(&raw, &mut out, Space::Plus) {
                Ok(n) => prop_assert!(n <= cap),
                Err(DecodeError::OutputFull { needed }) => prop_assert!(needed > cap),
                Err(_) => {}
            }
            let _ = pairs(&raw).count();
        }
    }
}

/// Why a form body could not be decoded into a typed request: the error of
/// [`Update::decode`](crate::update::Update::decode)
/// ([`update::FormError`](crate::update::FormError)) and of
/// [`Create::decode`](crate::create::Create::decode)
/// ([`create::FormError`](crate::create::FormError)), over each request's
/// field type `F`. Offsets are byte offsets in the body. Each decoder uses the
/// variants its fields can cause (an Update has no required field, so never
/// [`FormError::Missing`]; [`FormError::InvalidValue`] is for Create's
/// `Beep`, `StatusCallbackEvent` and `Timeout`).
///
/// ```
/// use confpart::update::{Field, FormError, Update};
/// let mut scratch = [0u8; 16];
/// let e = Update::decode(b"Hold=true&Muted=maybe", &mut scratch).unwrap_err();
/// assert_eq!(e, FormError::InvalidBool { field: Field::Muted, offset: 16 });
/// assert_eq!(e.to_string(), "Muted: value at byte 16 is not true or false");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum FormError<F> {
    /// A `%` not followed by two hex digits.
    InvalidEscape {
        /// The field, when the escape was in a known field's value.
        field: Option<F>,
        /// Byte offset of the `%`.
        offset: usize,
    },
    /// A value that is not UTF-8 once decoded.
    InvalidUtf8 {
        /// The field.
        field: F,
        /// Byte offset of the value.
        offset: usize,
    },
    /// A known key that appears twice (Create's `StatusCallbackEvent` may
    /// repeat).
    DuplicateKey {
        /// The field.
        field: F,
        /// Byte offset of the second occurrence.
        offset: usize,
    },
    /// A required field (Create's `From`, `To`) is missing.
    Missing {
        /// The field.
        field: F,
    },
    /// A boolean field whose value is not `true`/`false` (any case).
    InvalidBool {
        /// The field.
        field: F,
        /// Byte offset of the value.
        offset: usize,
    },
    /// A method field whose value is not `GET`/`POST` (any case).
    InvalidMethod {
        /// The field.
        field: F,
        /// Byte offset of the value.
        offset: usize,
    },
    /// A value that is not one of the field's values (Create's `Beep`:
    /// `true`, `false`, `onEnter`, `onExit`; `StatusCallbackEvent`:
    /// `initiated`, `ringing`, `answered`, `completed`, any case; `Timeout`:
    /// decimal digits that fit a `u32`).
    InvalidValue {
        /// The field.
        field: F,
        /// Byte offset of the value.
        offset: usize,
    },
    /// `CallSidToCoach` that is neither empty nor a call SID.
    InvalidCallSid {
        /// The field.
        field: F,
        /// Why the SID is invalid.
        error: crate::ident::IdError,
        /// Byte offset of the value.
        offset: usize,
    },
    /// A value longer than the field allows (never truncated).
    TooLong {
        /// The field.
        field: F,
        /// The field's limit in bytes.
        max: usize,
    },
    /// The scratch buffer given to the decoder is too small.
    ScratchFull {
        /// The field being decoded.
        field: F,
        /// Bytes that field needed.
        needed: usize,
    },
}

impl<F: fmt::Display> fmt::Display for FormError<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidEscape {
                field: Some(field),
                offset,
            } => write!(f, "{field}: invalid percent-escape at byte {offset}"),
            Self::InvalidEscape {
                field: None,
                offset,
            } => write!(f, "invalid percent-escape in a key at byte {offset}"),
            Self::InvalidUtf8 { field, offset } => {
                write!(f, "{field}: value at byte {offset} is not UTF-8")
            }
            Self::DuplicateKey { field, offset } => {
                write!(f, "{field} appears twice (again at byte {offset})")
            }
            Self::Missing { field } => write!(f, "{field} is required"),
            Self::InvalidBool { field, offset } => {
                write!(f, "{field}: value at byte {offset} is not true or false")
            }
            Self::InvalidMethod { field, offset } => {
                write!(f, "{field}: value at byte {offset} is not GET or POST")
            }
            Self::InvalidValue { field, offset } => {
                write!(f, "{field}: value at byte {offset} is not allowed")
            }
            Self::InvalidCallSid {
                field,
                error,
                offset,
            } => write!(f, "{field}: value at byte {offset}: {error}"),
            Self::TooLong { field, max } => write!(f, "{field} is longer than {max} bytes"),
            Self::ScratchFull { field, needed } => write!(
                f,
                "{field}: scratch buffer too small ({needed} bytes needed)"
            ),
        }
    }
}

impl<F: fmt::Debug + fmt::Display> core::error::Error for FormError<F> {}

/// ASCII-case-insensitive equality with `lower`, a lowercase word of at most
/// eight letters: `x | 0x20` equals a lowercase letter exactly when `x` is
/// that letter in either case, so the comparison is one OR and one compare.
#[inline(always)]
pub(crate) fn eq_letters(v: &[u8], lower: &[u8]) -> bool {
    let word = |s: &[u8]| {
        let mut w = [0u8; 8];
        crate::write::copy(&mut w, s);
        u64::from_le_bytes(w)
    };
    // Only the lanes of the word's length: padding stays 0 on both sides.
    let mask = u64::MAX
        .checked_shr(8 * (8 - lower.len().min(8)) as u32)
        .unwrap_or(0);
    v.len() == lower.len() && (word(v) | (0x2020_2020_2020_2020 & mask)) == word(lower)
}

/// The not-yet-used part of a decoder's scratch buffer.
pub(crate) struct Scratch<'a> {
    pub(crate) rest: &'a mut [u8],
}

/// One known field's raw value in a form body, with the typed readings the
/// Update and Create decoders share.
pub(crate) struct FieldValue<'a, F> {
    pub(crate) raw: &'a [u8],
    /// `raw` has no `%` and no `+`: it is its own decoding.
    pub(crate) plain: bool,
    /// Byte offset of the value in the body.
    pub(crate) offset: usize,
    pub(crate) field: F,
}

impl<'a, F: Copy> FieldValue<'a, F> {
    pub(crate) fn invalid_escape(&self, at: usize) -> FormError<F> {
        FormError::InvalidEscape {
            field: Some(self.field),
            offset: self.offset + at,
        }
    }

    /// [`FormError::InvalidValue`] for this value.
    pub(crate) fn invalid(&self) -> FormError<F> {
        FormError::InvalidValue {
            field: self.field,
            offset: self.offset,
        }
    }

    fn decoded_len(&self) -> Result<usize, FormError<F>> {
        decoded_len(self.raw).map_err(|e| match e {
            DecodeError::InvalidEscape { offset } | DecodeError::OutputFull { needed: offset } => {
                self.invalid_escape(offset)
            }
        })
    }

    /// A short value, decoded into `buf` when it has escapes (`None`: longer
    /// than `buf`). Plain values, nearly all of them, are used where they are.
    pub(crate) fn small<'b>(&self, buf: &'b mut [u8]) -> Result<Option<&'b [u8]>, FormError<F>>
    where
        'a: 'b,
    {
        if self.plain {
            return Ok((self.raw.len() <= buf.len()).then_some(self.raw));
        }
        match decode_component(self.raw, buf, Space::Plus) {
            Ok(n) => Ok(buf.get(..n)),
            Err(DecodeError::OutputFull { .. }) => Ok(None),
            Err(DecodeError::InvalidEscape { offset }) => Err(self.invalid_escape(offset)),
        }
    }

    pub(crate) fn boolean(&self) -> Result<bool, FormError<F>> {
        let mut buf = [0u8; 5];
        match self.small(&mut buf)? {
            Some(v) if eq_letters(v, b"true") => Ok(true),
            Some(v) if eq_letters(v, b"false") => Ok(false),
            _ => Err(FormError::InvalidBool {
                field: self.field,
                offset: self.offset,
            }),
        }
    }

    pub(crate) fn method(&self) -> Result<crate::update::Method, FormError<F>> {
        let mut buf = [0u8; 4];
        let method = self.small(&mut buf)?.and_then(crate::update::Method::parse);
        method.ok_or(FormError::InvalidMethod {
            field: self.field,
            offset: self.offset,
        })
    }

    /// A `CallSidToCoach` value: `None` when empty.
    pub(crate) fn call_sid(&self) -> Result<Option<crate::ident::CallSid>, FormError<F>> {
        use crate::ident::{CallSid, IdError, IdKind, SID_CAPACITY};
        let mut buf = [0u8; SID_CAPACITY];
        let invalid = |error| FormError::InvalidCallSid {
            field: self.field,
            error,
            offset: self.offset,
        };
        match self.small(&mut buf)? {
            Some([]) => Ok(None),
            Some(v) => CallSid::parse_bytes(v).map(Some).map_err(invalid),
            None => Err(invalid(IdError::Length {
                kind: IdKind::Call,
                len: self.decoded_len()?,
            })),
        }
    }

    /// A text value of at most `max` bytes once decoded (never truncated):
    /// a plain value borrows from the body, the others are decoded straight
    /// into `scratch` in one pass (the length is only computed again on the
    /// error path).
    pub(crate) fn text(
        &self,
        scratch: &mut Scratch<'a>,
        max: usize,
    ) -> Result<&'a str, FormError<F>> {
        let too_long = FormError::TooLong {
            field: self.field,
            max,
        };
        let bytes: &'a [u8] = if !self.plain {
            let buf = core::mem::take(&mut scratch.rest);
            match decode_component(self.raw, buf, Space::Plus) {
                Ok(len) if len > max => return Err(too_long),
                Ok(len) => match buf.split_at_mut_checked(len) {
                    Some((used, rest)) => {
                        scratch.rest = rest;
                        used
                    }
                    // Not reached: `len` is what was written into `buf`.
                    None => return Err(too_long),
                },
                Err(DecodeError::InvalidEscape { offset }) => {
                    return Err(self.invalid_escape(offset));
                }
                Err(DecodeError::OutputFull { needed }) => {
                    return Err(if needed > max {
                        too_long
                    } else {
                        FormError::ScratchFull {
                            field: self.field,
                            needed,
                        }
                    });
                }
            }
        } else if self.raw.len() > max {
            return Err(too_long);
        } else {
            self.raw
        };
        core::str::from_utf8(bytes).map_err(|_| FormError::InvalidUtf8 {
            field: self.field,
            offset: self.offset,
        })
    }
}
