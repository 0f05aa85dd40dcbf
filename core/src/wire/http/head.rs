//! The message head: limits, the incremental scanner that finds its end, the
//! parser of its lines, and the semantics of the headers both ends read
//! (framing, `Connection`).
//!
//! The scanner checks line endings (CRLF only), obs-fold and the line and
//! count limits as the head arrives (runs of plain bytes eight at a step,
//! every other byte by the byte rules), so a hostile peer can not make a
//! reader buffer more than [`MAX_HEAD_LEN`] bytes. The complete head is
//! then parsed in one pass over its lines ([`request_line`],
//! [`status_line`], [`parse_fields`]), and the headers that decide the
//! framing are checked strictly (see the [module docs](super)). Every header
//! field is kept as offsets into the head ([`Fields`]), so a lookup by name
//! does not parse again.
//!
//! The line grammar is `httparse` 1.10's (its character classes, its
//! tolerance of a status line without a reason phrase);
//! `core/tests/http_head_differential.rs` and the `http_head_differential`
//! fuzz target compare the two. The core parses heads itself because it is
//! smaller on a microcontroller, leaves no `core::panicking` branch on the
//! client path, names the bad line without parsing again, and reads a
//! response in fewer instructions (the measurements are in SIZE.md, round 4,
//! and BENCHMARKS.md).

use super::{HttpError, is_token};
use crate::wire::scan;

/// Longest request line or status line, in bytes without CRLF. A participant
/// path with the longest label ([`crate::api::path::ParticipantPath::MAX_LEN`]) and
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
    /// A control character other than CR, LF and HTAB, or DEL, was stored:
    /// only then does the parser check field values and the reason phrase
    /// byte by byte (the scanner's runs end at every control byte anyway).
    pub ctl: bool,
}

impl HeadScan {
    /// Appends `input` to `buf[*len..]` until the head is complete.
    /// Returns the input bytes taken and whether the head is complete (then
    /// `buf[..*len]` is the head, final CRLF CRLF included).
    ///
    /// Runs of bytes that can neither end a line nor break a limit are
    /// found eight bytes a step (`scan::ctl_stop`: up to the next control
    /// character or DEL, bounded by the room left in the buffer and in the
    /// line) and copied at once; every other byte (a control character, the
    /// first byte of a header line, a byte at a limit) goes through
    /// [`HeadScan::step`], the byte-by-byte rules.
    pub fn scan(
        &mut self,
        buf: &mut [u8],
        len: &mut usize,
        input: &[u8],
    ) -> Result<(usize, bool), HttpError> {
        let limit = buf.len().min(MAX_HEAD_LEN);
        let mut i = 0;
        while let Some(rest) = input.get(i..).filter(|r| !r.is_empty()) {
            let p = *len;
            if !self.prev_cr && (p != self.line_start || self.lines == 0) {
                let max_line = if self.lines == 0 {
                    MAX_START_LINE_LEN
                } else {
                    MAX_HEADER_LINE_LEN
                };
                let line_room = max_line.saturating_sub(p.saturating_sub(self.line_start));
                let window = rest.len().min(limit.saturating_sub(p)).min(line_room);
                let run = rest.get(..window).unwrap_or(&[]);
                let k = scan::ctl_stop(run).unwrap_or(window);
                if k > 0 {
                    let (Some(dst), Some(src)) = (buf.get_mut(p..p + k), run.get(..k)) else {
                        return Err(HttpError::HeadTooLarge { limit });
                    };
                    crate::wire::sink::copy(dst, src);
                    *len = p + k;
                    i += k;
                    continue;
                }
            }
            let Some(&b) = rest.first() else { break };
            i += 1;
            if self.step(buf, len, limit, b)? {
                return Ok((i, true));
            }
        }
        Ok((input.len(), false))
    }

    /// One byte of the head, by the rules: stored (or `HeadTooLarge`), CRLF
    /// ends a line (an empty line before the start line is dropped, the
    /// first one after it ends the head: `Ok(true)`), bare CR / LF,
    /// obs-fold, and the line and count limits; a forbidden control byte
    /// sets [`HeadScan::ctl`].
    fn step(
        &mut self,
        buf: &mut [u8],
        len: &mut usize,
        limit: usize,
        b: u8,
    ) -> Result<bool, HttpError> {
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
                    return Ok(false);
                }
                return Ok(true);
            }
            self.lines += 1;
            if self.lines > MAX_HEADERS + 1 {
                return Err(HttpError::TooManyHeaders { limit: MAX_HEADERS });
            }
            self.line_start = p + 1;
            return Ok(false);
        }
        match b {
            b'\n' => return Err(HttpError::BareLf { offset }),
            b'\r' => {
                self.prev_cr = true;
                return Ok(false);
            }
            b' ' | b'\t' if p == self.line_start && self.lines > 0 => {
                return Err(HttpError::ObsFold { offset });
            }
            _ => self.ctl |= scan::field_forbidden(b),
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
        Ok(false)
    }
}

/// The request line: offsets of the method and the request-target in the
/// head, and the minor version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RequestLine {
    pub method: Span,
    pub target: Span,
    pub version: u8,
}

/// The status line: the minor version, the status code and the offsets of
/// the reason phrase in the head.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct StatusLine {
    pub version: u8,
    pub status: u16,
    pub reason: Span,
}

/// The first line of a complete head (without its CRLF) and where the
/// header lines start.
pub(crate) fn first_line(head: &[u8]) -> (&[u8], usize) {
    match scan::byte(head, b'\r') {
        Some(cr) => (head.get(..cr).unwrap_or(&[]), cr.saturating_add(2)),
        None => (head, head.len()),
    }
}

/// `HTTP/1.0` or `HTTP/1.1`, exactly: the minor version.
fn version(v: &[u8]) -> Option<u8> {
    match v {
        b"HTTP/1.1" => Some(1),
        b"HTTP/1.0" => Some(0),
        _ => None,
    }
}

/// `method SP request-target SP HTTP-version` (RFC 9112 §3), `line` being
/// the first line of the head without its CRLF.
///
/// The target is checked first, whatever the method: an origin-form path
/// (`/...`) of printable ASCII without a fragment, else
/// [`HttpError::InvalidTarget`] at the offending byte (or at the target's
/// start when it does not begin with `/`). Then the method must be a token
/// and the version `HTTP/1.0` or `HTTP/1.1` followed by the end of the line,
/// with exactly one SP between the parts, else
/// [`HttpError::InvalidStartLine`].
pub(crate) fn request_line(line: &[u8], skipped: usize) -> Result<RequestLine, HttpError> {
    let Some(sp) = scan::byte(line, b' ') else {
        return Err(HttpError::InvalidStartLine);
    };
    let method = line.get(..sp).unwrap_or(&[]);
    let from = sp + 1;
    let rest = line.get(from..).unwrap_or(&[]);
    let stop = scan::target_stop(rest);
    let (target_len, after) = match stop {
        // The target ends at the next SP.
        Some(i) if rest.get(i) == Some(&b' ') => (i, Some(i + 1)),
        Some(i) => {
            return Err(HttpError::InvalidTarget {
                offset: skipped.saturating_add(from + i),
            });
        }
        None => (rest.len(), None),
    };
    if rest.first() != Some(&b'/') {
        return Err(HttpError::InvalidTarget {
            offset: skipped.saturating_add(from),
        });
    }
    if method.is_empty() || !method.iter().all(|&b| is_token(b)) {
        return Err(HttpError::InvalidStartLine);
    }
    let version = after
        .and_then(|v| rest.get(v..))
        .and_then(version)
        .ok_or(HttpError::InvalidStartLine)?;
    Ok(RequestLine {
        method: Span { start: 0, end: sp },
        target: Span {
            start: from,
            end: from + target_len,
        },
        version,
    })
}

/// `HTTP-version SP 3DIGIT [SP reason-phrase]` (RFC 9112 §4; a line that
/// ends right after the code is accepted, as `httparse` did), `line` being
/// the first line of the head without its CRLF. The reason phrase is HTAB,
/// SP, VCHAR and obs-text (checked byte by byte unless the head is `clean`:
/// its scan saw no other byte). Anything else is
/// [`HttpError::InvalidStartLine`].
pub(crate) fn status_line(line: &[u8], clean: bool) -> Result<StatusLine, HttpError> {
    let (v, rest) = line
        .split_at_checked(8)
        .ok_or(HttpError::InvalidStartLine)?;
    let version = version(v).ok_or(HttpError::InvalidStartLine)?;
    let [b' ', d0, d1, d2, tail @ ..] = rest else {
        return Err(HttpError::InvalidStartLine);
    };
    if !(d0.is_ascii_digit() && d1.is_ascii_digit() && d2.is_ascii_digit()) {
        return Err(HttpError::InvalidStartLine);
    }
    let status = u16::from(d0 - b'0') * 100 + u16::from(d1 - b'0') * 10 + u16::from(d2 - b'0');
    let reason = match tail {
        [] => Span::default(),
        [b' ', reason @ ..] if clean || scan::field_stop(reason).is_none() => Span {
            start: 13,
            end: line.len(),
        },
        _ => return Err(HttpError::InvalidStartLine),
    };
    Ok(StatusLine {
        version,
        status,
        reason,
    })
}

/// One header line, `rest` being the head from the line's start (`at` in
/// the head): a token name, `:`, optional white space, a value of HTAB, SP,
/// VCHAR and obs-text up to the CR; the value's trailing white space is not
/// part of it. Returns the field and the line's length (without CRLF).
/// In a `clean` head (its scan saw no forbidden byte) the value ends at the
/// CR; otherwise its bytes are checked up to the CR.
fn header_line(
    rest: &[u8],
    at: usize,
    skipped: usize,
    clean: bool,
) -> Result<(FieldSpan, usize), HttpError> {
    let name_len = rest
        .iter()
        .position(|&b| !is_token(b))
        .unwrap_or(rest.len());
    if name_len == 0 || rest.get(name_len) != Some(&b':') {
        return Err(HttpError::InvalidHeaderName {
            offset: skipped.saturating_add(at),
        });
    }
    let v = name_len + 1;
    let after = rest.get(v..).unwrap_or(&[]);
    // The first byte a value may not hold is the line's CR, or a
    // forbidden one before it.
    let stop = if clean {
        scan::byte(after, b'\r')
    } else {
        scan::field_stop(after)
    };
    let (Some(len), Some(b'\r')) = (stop, stop.and_then(|i| after.get(i))) else {
        return Err(HttpError::InvalidHeaderValue {
            offset: skipped.saturating_add(at),
        });
    };
    let value = after.get(..len).unwrap_or(&[]);
    let lead = value
        .iter()
        .position(|&b| b != b' ' && b != b'\t')
        .unwrap_or(len);
    let end = value
        .iter()
        .rposition(|&b| b != b' ' && b != b'\t')
        .map_or(lead, |i| i + 1);
    let v = at + v;
    Ok((
        FieldSpan {
            name: span16(Span {
                start: at,
                end: at + name_len,
            }),
            value: span16(Span {
                start: v + lead,
                end: v + end,
            }),
        },
        name_len + 1 + len,
    ))
}

/// Parses the header lines of a complete head, from `from` (after the
/// start line) to the empty line, into `fields`. The first malformed line
/// is [`HttpError::InvalidHeaderName`] or [`HttpError::InvalidHeaderValue`]
/// with the line's offset.
pub(crate) fn parse_fields(
    head: &[u8],
    from: usize,
    skipped: usize,
    clean: bool,
    fields: &mut Fields,
) -> Result<(), HttpError> {
    fields.len = 0;
    let mut at = from;
    let mut slots = fields.spans.iter_mut();
    loop {
        let rest = head.get(at..).unwrap_or(&[]);
        // The scanner ended every line with CRLF and the head with an empty
        // line.
        if matches!(rest.first(), None | Some(b'\r')) {
            return Ok(());
        }
        let slot = slots
            .next()
            .ok_or(HttpError::TooManyHeaders { limit: MAX_HEADERS })?;
        let (field, len) = header_line(rest, at, skipped, clean)?;
        *slot = field;
        fields.len = fields.len.saturating_add(1);
        at += len + 2;
    }
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

/// The headers that may appear once (the ones this crate reads), as errors
/// name them; a field name matches one case-insensitively (one spelling
/// each: a lowercase copy for the compare cost about 160 bytes of flash).
const SINGLE: [&str; 8] = [
    "Content-Length",
    "Transfer-Encoding",
    "Content-Type",
    "Retry-After",
    "Twilio-Request-Id",
    "Host",
    "Authorization",
    "Expect",
];
/// Indices in [`SINGLE`] of the fields [`collect`] reads.
const CONTENT_LENGTH: usize = 0;
const TRANSFER_ENCODING: usize = 1;
const EXPECT: usize = 7;

/// Checks the header fields of a parsed head that may appear once, and
/// decides the framing. `head` is the buffer the fields point into.
pub(crate) fn collect(
    head: &[u8],
    fields: &Fields,
    version_minor: u8,
    skipped: usize,
) -> Result<Collected, HttpError> {
    let mut c = Collected::default();
    let mut transfer_encoding: Option<Span> = None;
    let mut seen = 0u8;
    let spans = fields.spans.get(..usize::from(fields.len)).unwrap_or(&[]);
    for f in spans {
        let name = get16(head, f.name);
        let value = get16(head, f.value);
        let at = skipped.saturating_add(usize::from(f.value.0));
        let single = SINGLE
            .iter()
            .position(|n| name.eq_ignore_ascii_case(n.as_bytes()));
        if let Some(i) = single {
            let bit = 1u8 << i;
            if seen & bit != 0 {
                let name = SINGLE.get(i).copied().unwrap_or("");
                return Err(HttpError::DuplicateHeader { name, offset: at });
            }
            seen |= bit;
        }
        match single {
            Some(CONTENT_LENGTH) => {
                let n =
                    parse_decimal(value).ok_or(HttpError::InvalidContentLength { offset: at })?;
                c.content_length = Some(n);
            }
            Some(TRANSFER_ENCODING) => {
                transfer_encoding = Some(Span {
                    start: usize::from(f.value.0),
                    end: usize::from(f.value.1),
                });
            }
            Some(EXPECT) => {
                if !value.eq_ignore_ascii_case(b"100-continue") {
                    return Err(HttpError::UnsupportedExpectation { offset: at });
                }
                c.expect_continue = true;
            }
            Some(_) => {}
            None => {
                if name.eq_ignore_ascii_case(b"connection") {
                    for token in value.split(|&b| b == b',') {
                        let token = token.trim_ascii();
                        c.close |= token.eq_ignore_ascii_case(b"close");
                        c.keep_alive_token |= token.eq_ignore_ascii_case(b"keep-alive");
                    }
                }
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
    use proptest::prelude::*;
    use std::vec;
    use std::vec::Vec;

    impl HeadScan {
        /// The scanner as it was before the run fast path: every byte by the
        /// rules (the reference of `fast_path_is_the_byte_loop`).
        /// Appends `input` to `buf[*len..]` until the head is complete.
        /// Returns the input bytes taken and whether the head is complete (then
        /// `buf[..*len]` is the head, final CRLF CRLF included).
        fn scan_bytewise(
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

    /// A scanner entry point (the fast one or the reference).
    type ScanFn =
        fn(&mut HeadScan, &mut [u8], &mut usize, &[u8]) -> Result<(usize, bool), HttpError>;

    /// What a scan gave: every result, the head, skipped, lines, ctl.
    type Scanned = (
        Vec<Result<(usize, bool), HttpError>>,
        Vec<u8>,
        usize,
        usize,
        bool,
    );

    /// Feeds `data` in pieces of the sizes `steps` (cycled) to `scan`, as
    /// the framer does, until an error, the end of the head or of the data:
    /// every result, the head and the state.
    fn feed(scan: ScanFn, data: &[u8], cap: usize, steps: &[usize]) -> Scanned {
        let mut buf = vec![0u8; cap];
        let mut len = 0;
        let mut s = HeadScan::default();
        let mut out = Vec::new();
        let mut at = 0;
        for &step in steps.iter().cycle() {
            if at >= data.len() {
                break;
            }
            let piece = &data[at..(at + step.max(1)).min(data.len())];
            let r = scan(&mut s, &mut buf, &mut len, piece);
            out.push(r);
            match r {
                Ok((n, false)) => at += n,
                _ => break,
            }
        }
        (out, buf[..len].to_vec(), s.skipped, s.lines, s.ctl)
    }

    fn piece() -> impl Strategy<Value = Vec<u8>> {
        prop_oneof![
            4 => proptest::sample::select(vec![
                &b"\r\n"[..], b"\r", b"\n", b" ", b"\t", b"a", b":", b"\r\n\r\n", b"\x00", b"\x7f", b"\x1f",
                b"GET / HTTP/1.1\r\n", b"HTTP/1.1 200 OK\r\n", b"Host: x\r\n", b"\x80",
            ]).prop_map(<[u8]>::to_vec),
            1 => (0usize..20, prop_oneof![Just(0usize), Just(4080usize)], any::<bool>())
                .prop_map(|(n, base, start)| {
                    let mut v = if start { Vec::new() } else { b"X: ".to_vec() };
                    v.resize(v.len() + base + n, b'a');
                    v
                }),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2048))]

        /// The run fast path gives the same results, head and state as the
        /// byte-by-byte rules, at any split and buffer size.
        #[test]
        fn fast_path_is_the_byte_loop(
            pieces in proptest::collection::vec(piece(), 0..48),
            cap in prop_oneof![Just(MAX_HEAD_LEN + 64), 0usize..600, 4090usize..4200],
            steps in proptest::collection::vec(1usize..40, 1..4),
            whole: bool,
        ) {
            let data = pieces.concat();
            let steps = if whole { vec![usize::MAX] } else { steps };
            let (results, head, skipped, lines, ctl) = feed(HeadScan::scan, &data, cap, &steps);
            let reference = feed(HeadScan::scan_bytewise, &data, cap, &steps);
            prop_assert_eq!((&results, &head, skipped, lines), (&reference.0, &reference.1, reference.2, reference.3));
            // Unless it failed, the flag says whether the stored bytes hold
            // a forbidden control byte.
            if results.last().is_none_or(Result::is_ok) {
                let forbidden = |c: u8| scan::field_forbidden(c) && c != b'\r' && c != b'\n';
                prop_assert_eq!(ctl, head.iter().any(|&c| forbidden(c)));
            }
        }
    }

    #[test]
    fn token_map_is_the_token_class() {
        for b in 0..=255u8 {
            assert_eq!(is_token(b), super::super::is_tchar(b), "{b:#x}");
        }
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
