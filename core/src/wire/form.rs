//! `application/x-www-form-urlencoded` primitives and percent-decoding.
//!
//! The typed Update codec lives in [`crate::api::update`]; this module only knows
//! bytes: splitting a body into pairs, percent-decoding a component (`+` or
//! `%20` for space), and writing an encoded component.
//!
//! ```
//! use confpart::wire::form::{Space, decode_component, pairs};
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

use crate::wire::sink::{Sink, WriteError};

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
            let end = crate::wire::scan::byte(self.rest, b'&').unwrap_or(self.rest.len());
            let (pair, rest) = self.rest.split_at_checked(end).unwrap_or((self.rest, &[]));
            let offset = self.offset;
            // Skip the '&' (absent at the end of the body).
            self.rest = rest.get(1..).unwrap_or(&[]);
            self.offset += end + 1;
            if pair.is_empty() {
                continue;
            }
            let (key, value, value_offset) = match crate::wire::scan::byte(pair, b'=') {
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
        Space::Plus => crate::wire::scan::byte2(raw, b'%', b'+'),
        Space::Literal => crate::wire::scan::byte(raw, b'%'),
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

/// The decoded bytes of a component whose escapes [`decoded_len`] has
/// already accepted (an escape it would reject reads as `0`), one at a time:
/// for code that compares or hashes decoded components without a buffer
/// (the webhook signatures of `api::signature` sort a form's pairs this way).
pub(crate) fn decoded_bytes(raw: &[u8], space: Space) -> impl Iterator<Item = u8> + '_ {
    let mut i = 0;
    core::iter::from_fn(move || {
        let b = *raw.get(i)?;
        let (byte, step) = match b {
            b'%' => (escape_at(raw, i).unwrap_or(0), 3),
            b'+' if space == Space::Plus => (b' ', 1),
            _ => (b, 1),
        };
        i += step;
        Some(byte)
    })
}

/// Length of `raw` once decoded, or the first invalid escape.
pub fn decoded_len(raw: &[u8]) -> Result<usize, DecodeError> {
    let mut i = 0;
    let mut escapes = 0;
    while let Some(p) = raw
        .get(i..)
        .and_then(|rest| crate::wire::scan::byte(rest, b'%'))
    {
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
            Some(dst) => crate::wire::sink::copy(dst, src),
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

/// Length of `s` once written by [`write_component`]: one byte for each
/// byte it keeps and for a space (`+`), three for each `%XX`. (A
/// [`CountingSink`](crate::wire::sink::CountingSink) counts form components with
/// this; a proptest checks it against what `write_component` writes.)
pub fn encoded_len(s: &str) -> usize {
    crate::wire::scan::form_encoded_len(s)
}

/// Writes `s` form-encoded: space as `+`, everything outside `A-Za-z0-9*-._`
/// as `%XX` (upper-case hex), as Python's `urlencode` and Go's `url.Values` do.
/// Its length is [`encoded_len`]. The same as [`Sink::put_form_component`].
#[inline]
pub fn write_component<S: Sink + ?Sized>(sink: &mut S, s: &str) -> Result<(), WriteError> {
    sink.put_form_component(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::sink::SliceSink;
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
