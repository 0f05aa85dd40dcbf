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
            let end = self
                .rest
                .iter()
                .position(|&b| b == b'&')
                .unwrap_or(self.rest.len());
            let (pair, rest) = self.rest.split_at(end);
            let offset = self.offset;
            // Skip the '&' (absent at the end of the body).
            self.rest = rest.get(1..).unwrap_or(&[]);
            self.offset += end + 1;
            if pair.is_empty() {
                continue;
            }
            let (key, value, value_offset) = match pair.iter().position(|&b| b == b'=') {
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

/// True when decoding `raw` would change it (it has `%`, or `+` in form mode).
pub fn needs_decoding(raw: &[u8], space: Space) -> bool {
    raw.iter()
        .any(|&b| b == b'%' || (b == b'+' && space == Space::Plus))
}

/// Length of `raw` once decoded, or the first invalid escape.
pub fn decoded_len(raw: &[u8]) -> Result<usize, DecodeError> {
    let mut i = 0;
    let mut n = 0;
    while let Some(&b) = raw.get(i) {
        if b == b'%' {
            match (
                raw.get(i + 1).copied().and_then(hex_val),
                raw.get(i + 2).copied().and_then(hex_val),
            ) {
                (Some(_), Some(_)) => i += 3,
                _ => return Err(DecodeError::InvalidEscape { offset: i }),
            }
        } else {
            i += 1;
        }
        n += 1;
    }
    Ok(n)
}

/// Percent-decodes `raw` into `out`, returns the decoded length.
///
/// Invalid escapes (`%`, `%4`, `%zz`) are errors, never passed through.
/// The output is bytes: check UTF-8 afterwards where text is expected.
pub fn decode_component(raw: &[u8], out: &mut [u8], space: Space) -> Result<usize, DecodeError> {
    let mut i = 0;
    let mut n = 0;
    while let Some(&b) = raw.get(i) {
        let (byte, step) = match b {
            b'%' => match (
                raw.get(i + 1).copied().and_then(hex_val),
                raw.get(i + 2).copied().and_then(hex_val),
            ) {
                (Some(h), Some(l)) => ((h << 4) | l, 3),
                _ => return Err(DecodeError::InvalidEscape { offset: i }),
            },
            b'+' if space == Space::Plus => (b' ', 1),
            other => (other, 1),
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
    Ok(n)
}

/// True for bytes a form component keeps as they are (WHATWG's
/// `application/x-www-form-urlencoded` set: alphanumerics and `*-._`).
const fn is_form_safe(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'*' | b'-' | b'.' | b'_')
}

/// Writes `s` form-encoded: space as `+`, everything outside `A-Za-z0-9*-._`
/// as `%XX` (upper-case hex), as Python's `urlencode` and Go's `url.Values` do.
pub fn write_component<S: Sink + ?Sized>(sink: &mut S, s: &str) -> Result<(), WriteError> {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if is_form_safe(b) {
            continue;
        }
        sink.put(bytes.get(start..i).unwrap_or(&[]))?;
        if b == b' ' {
            sink.put(b"+")?;
        } else {
            let hi = HEX.get(usize::from(b >> 4)).copied().unwrap_or(b'0');
            let lo = HEX.get(usize::from(b & 0xf)).copied().unwrap_or(b'0');
            sink.put(&[b'%', hi, lo])?;
        }
        start = i + 1;
    }
    sink.put(bytes.get(start..).unwrap_or(&[]))
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
