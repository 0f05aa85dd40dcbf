//! Escapes: decoding `\uXXXX` and the other escapes (shared by the
//! validator and the unescaper), unescaping a string, and writing one.

use super::UnescapeError;
use crate::wire::sink::{Sink, WriteError, copy, utf8};

/// Failure of [`decode_escape`], with absolute offsets.
pub(super) enum EscErr {
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
pub(super) fn decode_escape(b: &[u8], i: usize) -> Result<(char, usize), EscErr> {
    /// The one-letter escapes and the characters they stand for.
    const LETTERS: &[u8; 8] = b"\"\\/bfnrt";
    const CHARS: &[u8; 8] = b"\"\\/\x08\x0c\n\r\t";
    match b.get(i + 1) {
        None => Err(EscErr::End),
        Some(&e) if e != b'u' => match LETTERS.iter().position(|&l| l == e) {
            Some(k) => Ok((char::from(CHARS.get(k).copied().unwrap_or(0)), i + 2)),
            None => Err(EscErr::Invalid(i)),
        },
        Some(_) => {
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
    }
}

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
/// as [`JsonStr::raw`](super::JsonStr::raw) gives) into `out`, handling
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
