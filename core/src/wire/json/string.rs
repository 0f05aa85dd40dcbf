//! [`JsonStr`]: a string of a document, borrowed and still escaped.

use core::fmt;

use super::UnescapeError;
use super::escape::{decode_escape, unescape_into, write_string};
use crate::wire::sink::{Sink, WriteError, copy, utf8};

/// How the text of a [`JsonStr`] is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub(super) enum Form {
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
    pub(super) raw: &'a str,
    pub(super) form: Form,
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

    /// The unescaped text in `out`, a character at a time; `None` when it
    /// does not fit. The decoders' unescaper for their short fields (keys,
    /// SIDs, dates: local buffers, so what is left in one after a failure is
    /// never seen), on the character iterator they use anyway.
    pub(crate) fn chars_into<'b>(&self, out: &'b mut [u8]) -> Option<&'b str> {
        let mut len = 0;
        for c in self.chars() {
            let (bytes, n) = utf8(c);
            copy(out.get_mut(len..len + n)?, bytes.get(..n)?);
            len += n;
        }
        core::str::from_utf8(out.get(..len)?).ok()
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
