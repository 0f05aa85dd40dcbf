//! Standard (padded) base64, hand-written: a streaming encoder for the
//! client's `Authorization: Basic` header and a strict decoder for the
//! bridge's check of it. One small implementation for both ends: smaller on
//! a microcontroller than a general base64 engine (no tables beyond the
//! 64-byte alphabet), and tested against the `base64` crate.

use crate::wire::sink::{Sink, WriteError, copy};

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Why [`decode`] failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DecodeError {
    /// Not canonical padded base64: a length that is not a multiple of 4, a
    /// byte outside the alphabet, misplaced padding, or non-zero trailing bits.
    Invalid,
    /// The decoded bytes do not fit in the output.
    OutputFull,
}

/// Streams the base64 of the concatenation of `parts`: the input is staged
/// 48 bytes at a time (a whole number of 3-byte groups) and each stage is
/// written as one 64-byte `put`.
pub(crate) fn encode<S: Sink + ?Sized>(sink: &mut S, parts: &[&[u8]]) -> Result<(), WriteError> {
    let mut stage = [0u8; 48];
    let mut n = 0;
    for &part in parts {
        let mut part = part;
        while let Some((head, rest)) = part.split_at_checked(part.len().min(stage.len() - n)) {
            if head.is_empty() {
                break;
            }
            if let Some(dst) = stage.get_mut(n..n + head.len()) {
                copy(dst, head);
            }
            n += head.len();
            part = rest;
            if n == stage.len() {
                encode_stage(sink, &stage)?;
                n = 0;
            }
        }
    }
    encode_stage(sink, stage.get(..n).unwrap_or(&[]))
}

/// Writes the base64 of at most 48 bytes, padded when the length is not a
/// multiple of 3 (only the last stage can be).
fn encode_stage<S: Sink + ?Sized>(sink: &mut S, input: &[u8]) -> Result<(), WriteError> {
    let sextet = |v: u32, shift: u32| {
        ALPHABET
            .get(((v >> shift) & 63) as usize)
            .copied()
            .unwrap_or(b'=')
    };
    let mut out = [0u8; 64];
    let mut groups = input.chunks_exact(3);
    let mut o = 0;
    for (group, dst) in groups.by_ref().zip(out.chunks_exact_mut(4)) {
        let [a, b, c] = <[u8; 3]>::try_from(group).unwrap_or([0; 3]);
        let g = (u32::from(a) << 16) | (u32::from(b) << 8) | u32::from(c);
        copy(
            dst,
            &[sextet(g, 18), sextet(g, 12), sextet(g, 6), sextet(g, 0)],
        );
        o += 4;
    }
    let tail = match *groups.remainder() {
        [a] => {
            let g = u32::from(a) << 16;
            Some([sextet(g, 18), sextet(g, 12), b'=', b'='])
        }
        [a, b] => {
            let g = (u32::from(a) << 16) | (u32::from(b) << 8);
            Some([sextet(g, 18), sextet(g, 12), sextet(g, 6), b'='])
        }
        _ => None,
    };
    if let Some(tail) = tail
        && let Some(dst) = out.get_mut(o..o + 4)
    {
        copy(dst, &tail);
        o += 4;
    }
    sink.put(out.get(..o).unwrap_or(&[]))
}

/// The value of one alphabet byte.
const fn value(b: u8) -> Option<u32> {
    match b {
        b'A'..=b'Z' => Some((b - b'A') as u32),
        b'a'..=b'z' => Some((b - b'a') as u32 + 26),
        b'0'..=b'9' => Some((b - b'0') as u32 + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    }
}

/// Marks a byte outside the alphabet in [`VALUES`] (any of the top two bits).
const NOT_BASE64: u8 = 0xff;

/// [`value`] as a table: a whole quad is looked up and checked with one test.
// Evaluated at compile time: an index out of bounds is a build error, never
// a run-time panic.
#[allow(clippy::indexing_slicing)]
const VALUES: [u8; 256] = {
    let mut t = [NOT_BASE64; 256];
    let mut b = 0;
    while b < 256 {
        if let Some(v) = value(b as u8) {
            t[b] = v as u8;
        }
        b += 1;
    }
    t
};

/// The 24 bits of a quad without padding, or `None` if a byte is outside
/// the alphabet.
#[inline(always)]
fn quad_bits([a, b, c, d]: [u8; 4]) -> Option<u32> {
    let v = |x: u8| u32::from(VALUES.get(usize::from(x)).copied().unwrap_or(NOT_BASE64));
    let (a, b, c, d) = (v(a), v(b), v(c), v(d));
    if (a | b | c | d) & 0xc0 != 0 {
        return None;
    }
    Some((a << 18) | (b << 12) | (c << 6) | d)
}

/// Decodes canonical padded base64 (what the `base64` crate's `STANDARD`
/// engine accepts) into `out`; returns the decoded length. Quad by quad, the
/// first bad quad decides the error: `Invalid`, or `OutputFull` if it is
/// valid but does not fit.
pub(crate) fn decode(input: &[u8], out: &mut [u8]) -> Result<usize, DecodeError> {
    if !input.len().is_multiple_of(4) {
        return Err(DecodeError::Invalid);
    }
    // Every quad but the last has no padding.
    let (body, last) = input.split_at(input.len().saturating_sub(4));
    let mut n = 0;
    for quad in body.chunks_exact(4) {
        let quad = quad.first_chunk::<4>().copied().unwrap_or([b'='; 4]);
        let v = quad_bits(quad).ok_or(DecodeError::Invalid)?;
        match out.get_mut(n..n + 3) {
            Some([x, y, z]) => (*x, *y, *z) = ((v >> 16) as u8, (v >> 8) as u8, v as u8),
            _ => return Err(DecodeError::OutputFull),
        }
        n += 3;
    }
    let Ok(quad) = <[u8; 4]>::try_from(last) else {
        // No quad at all.
        return Ok(n);
    };
    let pad = match quad {
        [.., b'=', b'=', b'='] => return Err(DecodeError::Invalid),
        [.., b'=', b'='] => 2,
        [.., b'='] => 1,
        _ => 0,
    };
    // The padding decodes as zero bits; anything else must be in the alphabet.
    let bits = match pad {
        2 => [quad[0], quad[1], b'A', b'A'],
        1 => [quad[0], quad[1], quad[2], b'A'],
        _ => quad,
    };
    let v = quad_bits(bits).ok_or(DecodeError::Invalid)?;
    // Canonical: the bits after the last decoded byte are zero.
    let trailing = match pad {
        1 => v & 0xff,
        2 => v & 0xffff,
        _ => 0,
    };
    if trailing != 0 {
        return Err(DecodeError::Invalid);
    }
    let bytes = [(v >> 16) as u8, (v >> 8) as u8, v as u8];
    let take = 3 - pad;
    let dst = out.get_mut(n..n + take).ok_or(DecodeError::OutputFull)?;
    copy(dst, bytes.get(..take).unwrap_or(&[]));
    Ok(n + take)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::sink::SliceSink;
    use ::base64::Engine as _;
    use ::base64::engine::general_purpose::STANDARD;
    use proptest::prelude::*;
    use std::vec;
    use std::vec::Vec;

    #[test]
    fn known_values() {
        let mut buf = [0u8; 16];
        assert_eq!(decode(b"dXNlcjpwYXNz", &mut buf), Ok(9));
        assert_eq!(&buf[..9], b"user:pass");
        assert_eq!(decode(b"", &mut buf), Ok(0));
        for bad in [
            &b"A"[..],
            b"AA=",
            b"A===",
            b"AB==",
            b"AAB=",
            b"AA==AA==",
            b"!!!!",
        ] {
            assert_eq!(decode(bad, &mut buf), Err(DecodeError::Invalid), "{bad:?}");
        }
        assert_eq!(decode(b"QUFB", &mut [0u8; 2]), Err(DecodeError::OutputFull));
    }

    /// The decoder before the table lookup, kept as a model of the errors
    /// (which one wins, `Invalid` or `OutputFull`, quad by quad).
    fn decode_model(input: &[u8], out: &mut [u8]) -> Result<usize, DecodeError> {
        if !input.len().is_multiple_of(4) {
            return Err(DecodeError::Invalid);
        }
        let quads = input.len() / 4;
        let mut n = 0;
        for (qi, quad) in input.chunks_exact(4).enumerate() {
            let pad = if qi + 1 == quads {
                quad.iter().rev().take_while(|&&b| b == b'=').count()
            } else {
                0
            };
            if pad > 2 {
                return Err(DecodeError::Invalid);
            }
            let mut v = 0u32;
            for (i, &b) in quad.iter().enumerate() {
                let s = if i >= 4 - pad {
                    0
                } else {
                    value(b).ok_or(DecodeError::Invalid)?
                };
                v = (v << 6) | s;
            }
            let trailing = match pad {
                1 => v & 0xff,
                2 => v & 0xffff,
                _ => 0,
            };
            if trailing != 0 {
                return Err(DecodeError::Invalid);
            }
            let bytes = [(v >> 16) as u8, (v >> 8) as u8, v as u8];
            let take = 3 - pad;
            let dst = out.get_mut(n..n + take).ok_or(DecodeError::OutputFull)?;
            dst.copy_from_slice(&bytes[..take]);
            n += take;
        }
        Ok(n)
    }

    proptest! {
        #[test]
        fn decode_same_as_the_model(
            text in "[A-Za-z0-9+/=!]{0,40}",
            cap in 0usize..32,
        ) {
            let (mut a, mut b) = (vec![0u8; cap], vec![0u8; cap]);
            let ours = decode(text.as_bytes(), &mut a);
            prop_assert_eq!(ours, decode_model(text.as_bytes(), &mut b));
            if let Ok(n) = ours {
                prop_assert_eq!(&a[..n], &b[..n]);
            }
        }

        #[test]
        fn encode_same_as_the_base64_crate(a in proptest::collection::vec(any::<u8>(), 0..100),
                                           b in proptest::collection::vec(any::<u8>(), 0..100)) {
            // Lengths around the 48-byte stage (0..=200 joined) included.
            let mut buf = vec![0u8; 300];
            let mut sink = SliceSink::new(&mut buf);
            encode(&mut sink, &[&a, b":", &b]).unwrap();
            let mut joined = a.clone();
            joined.push(b':');
            joined.extend_from_slice(&b);
            let expected = STANDARD.encode(&joined);
            prop_assert_eq!(sink.written(), expected.as_bytes());
        }

        #[test]
        fn decode_round_trips(data in proptest::collection::vec(any::<u8>(), 0..200)) {
            let text = STANDARD.encode(&data);
            let mut out = vec![0u8; 200];
            let n = decode(text.as_bytes(), &mut out).unwrap();
            prop_assert_eq!(&out[..n], &data[..]);
        }

        #[test]
        fn decode_agrees_with_the_base64_crate(
            text in "([A-Za-z0-9+/]{4}){0,3}([A-Za-z0-9+/]{2}(==|[A-Za-z0-9+/]=|[A-Za-z0-9+/]{2}|=)|[A-Za-z0-9+/=!]{0,6})"
        ) {
            let mut out = vec![0u8; 64];
            let ours = decode(text.as_bytes(), &mut out).map(|n| out[..n].to_vec()).ok();
            let theirs: Option<Vec<u8>> = STANDARD.decode(text.as_bytes()).ok();
            prop_assert_eq!(ours, theirs);
        }

        #[test]
        fn decode_arbitrary_bytes_agrees(bytes in proptest::collection::vec(any::<u8>(), 0..40)) {
            let mut out = vec![0u8; 64];
            let ours = decode(&bytes, &mut out).map(|n| out[..n].to_vec()).ok();
            prop_assert_eq!(ours, STANDARD.decode(&bytes).ok());
        }
    }
}
