//! The message head: limits, the incremental scanner that finds its end, and
//! the semantics of the headers both ends read (framing, `Connection`).
//!
//! The scanner checks line endings (CRLF only), obs-fold and the line and
//! count limits byte by byte as the head arrives, so a hostile peer can not
//! make a reader buffer more than [`MAX_HEAD_LEN`] bytes. The complete head is
//! then parsed by `httparse`, and the headers that decide the framing are
//! checked strictly (see the [module docs](super)). Every header field is
//! kept as offsets into the head ([`Fields`]), so a lookup by name does not
//! parse again.

use super::HttpError;

/// Longest request line or status line, in bytes without CRLF. A participant
/// path with the longest label ([`crate::path::ParticipantPath::MAX_LEN`]) and
/// a list query fit with room to spare.
pub const MAX_START_LINE_LEN: usize = 4096;
/// Longest header line (`name: value`), in bytes without CRLF.
pub const MAX_HEADER_LINE_LEN: usize = 4096;
/// Most header lines in one head (Twilio sends 20+).
pub const MAX_HEADERS: usize = 32;
/// Largest head (start line, headers and the final empty line), in bytes.
/// The caller's buffer may lower this further.
pub const MAX_HEAD_LEN: usize = 16 * 1024;

/// A byte range of the reader's buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub(crate) struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    /// The bytes of this span in `buf` (empty if out of range).
    pub fn get(self, buf: &[u8]) -> &[u8] {
        buf.get(self.start..self.end).unwrap_or(&[])
    }

    /// Where `part` (a sub-slice of `base`) lies in `base`.
    pub fn of(base: &[u8], part: &[u8]) -> Self {
        // Address arithmetic only (no dereference): safe and exact for a
        // sub-slice; anything else yields an empty span.
        let start = (part.as_ptr() as usize).saturating_sub(base.as_ptr() as usize);
        let end = start.saturating_add(part.len());
        if end <= base.len() {
            Self { start, end }
        } else {
            Self::default()
        }
    }
}

/// Incremental head scanner.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct HeadScan {
    /// Buffer index where the current line starts.
    line_start: usize,
    /// Lines completed (the start line counts).
    lines: usize,
    /// The previous byte was CR.
    prev_cr: bool,
    /// Bytes dropped before the head: empty leading lines and interim (1xx)
    /// responses. Added to buffer indices to give message offsets.
    pub skipped: usize,
}

impl HeadScan {
    /// Appends `input` to `buf[*len..]` until the head is complete.
    /// Returns the input bytes taken and whether the head is complete (then
    /// `buf[..*len]` is the head, final CRLF CRLF included).
    pub fn scan(
        &mut self,
        buf: &mut [u8],
        len: &mut usize,
        input: &[u8],
    ) -> Result<(usize, bool), HttpError> {
        let limit = buf.len().min(MAX_HEAD_LEN);
        for (i, &b) in input.iter().enumerate() {
            let p = *len;
            let offset = self.skipped.saturating_add(p);
            match buf.get_mut(p) {
                Some(slot) if p < limit => *slot = b,
                _ => return Err(HttpError::HeadTooLarge { limit }),
            }
            *len = p + 1;
            if self.prev_cr {
                self.prev_cr = false;
                if b != b'\n' {
                    return Err(HttpError::BareCr {
                        offset: offset.saturating_sub(1),
                    });
                }
                // `p - 1` is the CR, so the line is `line_start..p - 1`.
                if p.saturating_sub(1) == self.line_start {
                    if self.lines == 0 {
                        // An empty line before the start line: skip it.
                        self.skipped = self.skipped.saturating_add(2);
                        *len = 0;
                        self.line_start = 0;
                        continue;
                    }
                    return Ok((i + 1, true));
                }
                self.lines += 1;
                if self.lines > MAX_HEADERS + 1 {
                    return Err(HttpError::TooManyHeaders { limit: MAX_HEADERS });
                }
                self.line_start = p + 1;
                continue;
            }
            match b {
                b'\n' => return Err(HttpError::BareLf { offset }),
                b'\r' => {
                    self.prev_cr = true;
                    continue;
                }
                b' ' | b'\t' if p == self.line_start && self.lines > 0 => {
                    return Err(HttpError::ObsFold { offset });
                }
                _ => {}
            }
            let line_len = p + 1 - self.line_start;
            if self.lines == 0 {
                if line_len > MAX_START_LINE_LEN {
                    return Err(HttpError::StartLineTooLong {
                        limit: MAX_START_LINE_LEN,
                    });
                }
            } else if line_len > MAX_HEADER_LINE_LEN {
                return Err(HttpError::HeaderLineTooLong {
                    offset: self.skipped.saturating_add(self.line_start),
                    limit: MAX_HEADER_LINE_LEN,
                });
            }
        }
        Ok((input.len(), false))
    }
}

/// Maps an `httparse` failure on a complete head to the offending line:
/// `parse` is run on growing prefixes that end at a line boundary; the first
/// one that fails ends with the bad line.
pub(crate) fn locate_error(
    head: &[u8],
    skipped: usize,
    parse: impl Fn(&[u8]) -> Result<(), httparse::Error>,
) -> HttpError {
    let mut line_start = 0;
    let mut i = 0;
    while let Some(rest) = head.get(i..) {
        let Some(cr) = rest.windows(2).position(|w| w == b"\r\n") else {
            break;
        };
        let end = i + cr + 2;
        if let Err(e) = parse(head.get(..end).unwrap_or(&[])) {
            let offset = skipped.saturating_add(line_start);
            return match e {
                _ if line_start == 0 => HttpError::InvalidStartLine,
                httparse::Error::HeaderName => HttpError::InvalidHeaderName { offset },
                httparse::Error::HeaderValue => HttpError::InvalidHeaderValue { offset },
                httparse::Error::TooManyHeaders => HttpError::TooManyHeaders { limit: MAX_HEADERS },
                httparse::Error::NewLine => HttpError::BareLf { offset },
                _ => HttpError::InvalidStartLine,
            };
        }
        line_start = end;
        i = end;
    }
    HttpError::InvalidStartLine
}

/// Parses `1*DIGIT` into a `u64` (no sign, no space, no hex; overflow fails).
pub(crate) fn parse_decimal(v: &[u8]) -> Option<u64> {
    if v.is_empty() {
        return None;
    }
    v.iter().try_fold(0u64, |acc, &b| {
        if b.is_ascii_digit() {
            acc.checked_mul(10)?.checked_add(u64::from(b - b'0'))
        } else {
            None
        }
    })
}

/// One header field: offsets of its name and value in the head (the head
/// is at most [`MAX_HEAD_LEN`] bytes, so `u16` suffices).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct FieldSpan {
    name: (u16, u16),
    value: (u16, u16),
}

fn span16(s: Span) -> (u16, u16) {
    (
        u16::try_from(s.start).unwrap_or(u16::MAX),
        u16::try_from(s.end).unwrap_or(u16::MAX),
    )
}

fn get16(head: &[u8], (start, end): (u16, u16)) -> &[u8] {
    head.get(usize::from(start)..usize::from(end))
        .unwrap_or(&[])
}

/// The header fields of a head, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Fields {
    spans: [FieldSpan; MAX_HEADERS],
    len: u8,
}

impl Default for Fields {
    fn default() -> Self {
        Self {
            spans: [FieldSpan::default(); MAX_HEADERS],
            len: 0,
        }
    }
}

impl Fields {
    /// The fields, as (name, value) in `head`.
    pub fn iter<'h>(&'h self, head: &'h [u8]) -> impl Iterator<Item = (&'h [u8], &'h [u8])> + 'h {
        self.spans
            .get(..usize::from(self.len))
            .unwrap_or(&[])
            .iter()
            .map(move |f| (get16(head, f.name), get16(head, f.value)))
    }

    /// The first field called `name` (any case).
    pub fn get<'h>(&self, head: &'h [u8], name: &str) -> Option<&'h [u8]> {
        self.spans
            .get(..usize::from(self.len))
            .unwrap_or(&[])
            .iter()
            .find(|f| get16(head, f.name).eq_ignore_ascii_case(name.as_bytes()))
            .map(|f| get16(head, f.value))
    }
}

/// What the headers say about framing and the connection.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub(crate) struct Collected {
    pub content_length: Option<u64>,
    pub chunked: bool,
    pub expect_continue: bool,
    /// A `close` token in any `Connection` header.
    pub close: bool,
    /// A `keep-alive` token in any `Connection` header.
    pub keep_alive_token: bool,
}

impl Collected {
    /// Whether the connection stays open after this message.
    pub fn keep_alive(&self, version_minor: u8) -> bool {
        !self.close && (version_minor >= 1 || self.keep_alive_token)
    }
}

/// The headers that may appear once (the ones this crate reads).
const SINGLE: [(&[u8], &str); 8] = [
    (b"content-length", "Content-Length"),
    (b"transfer-encoding", "Transfer-Encoding"),
    (b"content-type", "Content-Type"),
    (b"retry-after", "Retry-After"),
    (b"twilio-request-id", "Twilio-Request-Id"),
    (b"host", "Host"),
    (b"authorization", "Authorization"),
    (b"expect", "Expect"),
];

/// Stores every header field of a parsed head in `fields`, checks the ones
/// that may appear once, and decides the framing. `head` is the buffer the
/// header slices point into.
pub(crate) fn collect(
    head: &[u8],
    headers: &[httparse::Header<'_>],
    version_minor: u8,
    skipped: usize,
    fields: &mut Fields,
) -> Result<Collected, HttpError> {
    let mut c = Collected::default();
    let mut transfer_encoding: Option<Span> = None;
    let mut seen = 0u8;
    fields.len = 0;
    for (slot, h) in fields.spans.iter_mut().zip(headers) {
        let span = Span::of(head, h.value);
        *slot = FieldSpan {
            name: span16(Span::of(head, h.name.as_bytes())),
            value: span16(span),
        };
        fields.len = fields.len.saturating_add(1);
        let at = skipped.saturating_add(span.start);
        let name = h.name.as_bytes();
        if let Some(i) = SINGLE
            .iter()
            .position(|(n, _)| name.eq_ignore_ascii_case(n))
        {
            let bit = 1u8 << i;
            if seen & bit != 0 {
                let name = SINGLE.get(i).map_or("", |(_, n)| n);
                return Err(HttpError::DuplicateHeader { name, offset: at });
            }
            seen |= bit;
        }
        if name.eq_ignore_ascii_case(b"content-length") {
            let n = parse_decimal(h.value).ok_or(HttpError::InvalidContentLength { offset: at })?;
            c.content_length = Some(n);
        } else if name.eq_ignore_ascii_case(b"transfer-encoding") {
            transfer_encoding = Some(span);
        } else if name.eq_ignore_ascii_case(b"expect") {
            if !h.value.eq_ignore_ascii_case(b"100-continue") {
                return Err(HttpError::UnsupportedExpectation { offset: at });
            }
            c.expect_continue = true;
        } else if name.eq_ignore_ascii_case(b"connection") {
            for token in h.value.split(|&b| b == b',') {
                let token = token.trim_ascii();
                c.close |= token.eq_ignore_ascii_case(b"close");
                c.keep_alive_token |= token.eq_ignore_ascii_case(b"keep-alive");
            }
        }
    }
    if let Some(te) = transfer_encoding {
        let at = skipped.saturating_add(te.start);
        if version_minor == 0 || !te.get(head).eq_ignore_ascii_case(b"chunked") {
            return Err(HttpError::UnsupportedTransferEncoding { offset: at });
        }
        if c.content_length.is_some() {
            return Err(HttpError::ContentLengthWithChunked { offset: at });
        }
        c.chunked = true;
    }
    Ok(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_is_strict() {
        assert_eq!(parse_decimal(b"0"), Some(0));
        assert_eq!(parse_decimal(b"0042"), Some(42));
        assert_eq!(parse_decimal(b"18446744073709551615"), Some(u64::MAX));
        for bad in [
            &b""[..],
            b"+5",
            b"-5",
            b"5 5",
            b"0x5",
            b"5,5",
            b"18446744073709551616",
        ] {
            assert_eq!(parse_decimal(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn span_of_sub_slice() {
        let base = b"hello world";
        let part = &base[6..];
        assert_eq!(Span::of(base, part), Span { start: 6, end: 11 });
        assert_eq!(Span::of(base, part).get(base), b"world");
        assert_eq!(Span::of(base, b"elsewhere"), Span::default());
    }

    #[test]
    fn scanner_limits() {
        let mut buf = [0u8; 64];
        let mut len = 0;
        let mut s = HeadScan::default();
        assert_eq!(
            s.scan(&mut buf, &mut len, b"GET / HTTP/1.1\n"),
            Err(HttpError::BareLf { offset: 14 })
        );
        let mut len = 0;
        let mut s = HeadScan::default();
        assert_eq!(
            s.scan(&mut buf, &mut len, b"\r\n\r\nGET / HTTP/1.1\r\n\r\nX"),
            Ok((22, true))
        );
        assert_eq!(s.skipped, 4);
        assert_eq!(&buf[..len], b"GET / HTTP/1.1\r\n\r\n");
    }
}
