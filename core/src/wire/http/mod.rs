//! Sans-IO HTTP/1.1 framing for both ends of the participant API.
//!
//! The adapters stay thin: they open a connection, write the bytes this module
//! produces, and feed the bytes they read back in until the [`Reader`] says
//! the message is complete. Every piece of HTTP knowledge lives here.
//!
//! It holds [`Reader`] (one incremental reader for requests and responses),
//! [`Message`], [`Progress`], [`HttpError`], [`HeaderField`], the limits, and
//! the writer of a head whose body length is filled in after the body. What
//! a message *means* (the client's [`crate::client::Request`] and the
//! bridge's router and [`crate::bridge::Service`]) is in the layers above.
//!
//! ## Data path
//!
//! ```text
//! client                                   bridge
//! ------                                   ------
//! Request::encode ─bytes─▶ RequestReader::feed ─▶ Progress::Complete(Message)
//!                           bridge::route(method, path) ─▶ Route
//!                           bridge::check_basic(Authorization)
//!                           Update::decode(body) / ListQuery::decode(query)
//! request.response_reader(buf)
//! ResponseReader::feed ◀──bytes── bridge::write_participant / write_error
//! Message::outcome() ─▶ Outcome (participant, created, deleted, page, failure)
//! ```
//!
//! The reader works on a caller buffer: the head is stored first, then the
//! body (de-chunked) right after it; the header fields are kept as offsets,
//! so [`Message::header`] does not parse again. [`Message::consumed`] says how
//! many bytes of the last input the message took, so bytes of a following
//! (pipelined) message are never swallowed. One byte at a time works; so does
//! everything at once, with the same result.
//!
//! A complete message borrows the reader. In a feed loop, break out with it
//! (this compiles: the borrow of a `Partial` round ends with that round):
//!
//! ```
//! use confpart::wire::http::{Progress, RequestReader};
//! let input: &[&[u8]] = &[b"GET /x HTTP/1.1\r\nHo", b"st: a\r\n\r\n"];
//! let mut buf = [0u8; 256];
//! let mut reader = RequestReader::new(&mut buf);
//! let mut pieces = input.iter();
//! let message = loop {
//!     let Some(piece) = pieces.next() else { return Err("closed early".into()) };
//!     if let Progress::Complete(m) = reader.feed(piece)? {
//!         break m;
//!     }
//! };
//! assert_eq!((message.method(), message.path()), ("GET", "/x"));
//! // Or feed first and take the message afterwards:
//! assert_eq!(reader.message().map(|m| m.header("host")), Some(Some(&b"a"[..])));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Strictness (request smuggling is impossible by construction)
//!
//! - Lines end with CRLF. A bare LF or a bare CR is rejected
//!   ([`HttpError::BareLf`], [`HttpError::BareCr`]), in the head and in chunk
//!   framing. Empty lines before the start line are skipped (RFC 9112 §2.2).
//! - obs-fold (a header line starting with SP/HTAB) is rejected.
//! - Whitespace before a header's colon, invalid names and values: rejected
//!   with the offending line's offset. Names are tokens; values and the
//!   reason phrase are HTAB, SP, VCHAR and obs-text; the start line is
//!   `method SP origin-form SP HTTP/1.x` or `HTTP/1.x SP 3DIGIT [SP reason]`
//!   (the grammar `httparse` 1.10 enforced, which the core's own parser
//!   replaced: see `core/tests/http_head_differential.rs`).
//! - `Content-Length` must be `1*DIGIT` (no sign, no hex, no list, no inner
//!   space), must appear once, and must not be combined with
//!   `Transfer-Encoding`.
//! - `Transfer-Encoding` must be exactly `chunked` (any case), once, and only
//!   in HTTP/1.1.
//! - Chunk sizes are hex without sign, checked for overflow; chunk extensions
//!   and trailers are tolerated (and discarded) within limits.
//! - A request without `Content-Length` or `chunked` has an empty body. A
//!   response without either is read until the connection closes
//!   ([`Reader::finish`]); 1xx, 204 and 304 have no body.
//!
//! ## Limits
//!
//! [`MAX_START_LINE_LEN`], [`MAX_HEADER_LINE_LEN`], [`MAX_HEADERS`],
//! [`MAX_HEAD_LEN`], [`MAX_BODY_LEN`], [`MAX_CHUNK_LINE_LEN`],
//! [`MAX_TRAILER_LEN`] and, always, the caller's buffer. Going past one is a
//! typed [`HttpError`], never a panic and never a truncation.
//!
//! ```
//! use confpart::wire::http::{MAX_BODY_LEN, MAX_HEADERS, MAX_HEAD_LEN};
//! // Real Twilio responses carry 20+ headers (CORS, HSTS, request ids).
//! assert!(MAX_HEADERS >= 32 && MAX_HEAD_LEN >= 8 * 1024 && MAX_BODY_LEN >= 64 * 1024);
//! ```

use core::fmt;

mod body;
mod frame;
mod head;
mod reader;

pub(crate) use frame::{Framed, write_framed};
pub(crate) use head::parse_decimal;

pub use body::{MAX_BODY_LEN, MAX_CHUNK_LINE_LEN, MAX_TRAILER_LEN};
pub use head::{MAX_HEAD_LEN, MAX_HEADER_LINE_LEN, MAX_HEADERS, MAX_START_LINE_LEN};
pub use reader::{
    ConnectKind, ConnectMessage, ConnectReader, Kind, Message, Reader, RequestKind, RequestMessage,
    RequestReader, ResponseKind,
};

/// Why a message could not be framed. Offsets are byte offsets in the
/// message as it was fed (counting skipped leading empty lines).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum HttpError {
    /// A LF not preceded by CR (bare LF line endings are rejected).
    BareLf {
        /// Byte offset of the LF.
        offset: usize,
    },
    /// A CR not followed by LF.
    BareCr {
        /// Byte offset of the CR.
        offset: usize,
    },
    /// A header line starting with SP or HTAB (obsolete line folding).
    ObsFold {
        /// Byte offset of the whitespace.
        offset: usize,
    },
    /// The request or status line is longer than [`MAX_START_LINE_LEN`].
    StartLineTooLong {
        /// The limit in bytes.
        limit: usize,
    },
    /// A header line is longer than [`MAX_HEADER_LINE_LEN`].
    HeaderLineTooLong {
        /// Byte offset of the line.
        offset: usize,
        /// The limit in bytes.
        limit: usize,
    },
    /// More than [`MAX_HEADERS`] header lines.
    TooManyHeaders {
        /// The limit.
        limit: usize,
    },
    /// The head does not fit in [`MAX_HEAD_LEN`] or in the buffer.
    HeadTooLarge {
        /// The effective limit in bytes.
        limit: usize,
    },
    /// The request or status line is malformed (method, target, version or
    /// status code).
    InvalidStartLine,
    /// A header name is malformed (e.g. whitespace before the colon, no colon).
    InvalidHeaderName {
        /// Byte offset of the header line.
        offset: usize,
    },
    /// A header value has a forbidden byte (a control character).
    InvalidHeaderValue {
        /// Byte offset of the header line.
        offset: usize,
    },
    /// The request target is not an origin-form path (`/...`), has a
    /// fragment, or has a byte outside printable ASCII (raw non-UTF-8 too).
    InvalidTarget {
        /// Byte offset of the offending byte in the message.
        offset: usize,
    },
    /// A header this crate reads appeared twice (`Content-Length`,
    /// `Transfer-Encoding`, `Host`, `Authorization`, `Expect`,
    /// `Content-Type`, `Retry-After`, `Twilio-Request-Id`).
    DuplicateHeader {
        /// The header name.
        name: &'static str,
        /// Byte offset of the second value.
        offset: usize,
    },
    /// `Content-Length` is not `1*DIGIT` or does not fit in 64 bits.
    InvalidContentLength {
        /// Byte offset of the value.
        offset: usize,
    },
    /// Both `Content-Length` and `Transfer-Encoding` are present.
    ContentLengthWithChunked {
        /// Byte offset of the `Transfer-Encoding` value.
        offset: usize,
    },
    /// `Transfer-Encoding` other than exactly `chunked`, or in HTTP/1.0.
    UnsupportedTransferEncoding {
        /// Byte offset of the value.
        offset: usize,
    },
    /// An `Expect` value other than `100-continue`.
    UnsupportedExpectation {
        /// Byte offset of the value.
        offset: usize,
    },
    /// A chunk-size line that is not `1*HEXDIG [BWS] [; ext] CRLF`.
    InvalidChunkSize {
        /// Byte offset of the offending byte.
        offset: usize,
    },
    /// A chunk size that does not fit in `usize`.
    ChunkSizeOverflow {
        /// Byte offset of the digit that overflowed.
        offset: usize,
    },
    /// Chunk data not followed by CRLF.
    InvalidChunkData {
        /// Byte offset where CRLF was expected.
        offset: usize,
    },
    /// A chunk-size line (with extensions) longer than [`MAX_CHUNK_LINE_LEN`].
    ChunkLineTooLong {
        /// Byte offset of the line.
        offset: usize,
        /// The limit in bytes.
        limit: usize,
    },
    /// Trailer fields longer than [`MAX_TRAILER_LEN`] in total.
    TrailerTooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// The body does not fit in the buffer (after the head) or in
    /// [`MAX_BODY_LEN`].
    BodyTooLarge {
        /// The declared `Content-Length`, when there is one.
        declared: Option<u64>,
        /// The room there was, in bytes.
        capacity: usize,
    },
    /// The connection ended before the head was complete (`received` is 0
    /// when no byte of a message arrived: a clean close between messages).
    EofInHead {
        /// Bytes of the message received.
        received: usize,
    },
    /// The connection ended before the body was complete.
    EofInBody {
        /// Body bytes received (decoded).
        received: usize,
        /// The declared `Content-Length`, when there is one.
        expected: Option<u64>,
    },
}

impl fmt::Display for HttpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::BareLf { offset } => write!(f, "bare LF (no CR) at byte {offset}"),
            Self::BareCr { offset } => write!(f, "CR not followed by LF at byte {offset}"),
            Self::ObsFold { offset } => write!(f, "obsolete line folding at byte {offset}"),
            Self::StartLineTooLong { limit } => {
                write!(f, "start line longer than {limit} bytes")
            }
            Self::HeaderLineTooLong { offset, limit } => {
                write!(f, "header line at byte {offset} longer than {limit} bytes")
            }
            Self::TooManyHeaders { limit } => write!(f, "more than {limit} header lines"),
            Self::HeadTooLarge { limit } => write!(f, "head larger than {limit} bytes"),
            Self::InvalidStartLine => f.write_str("malformed request or status line"),
            Self::InvalidHeaderName { offset } => {
                write!(f, "malformed header name in the line at byte {offset}")
            }
            Self::InvalidHeaderValue { offset } => {
                write!(
                    f,
                    "forbidden byte in the header value of the line at byte {offset}"
                )
            }
            Self::InvalidTarget { offset } => {
                write!(f, "invalid request target (byte {offset})")
            }
            Self::DuplicateHeader { name, offset } => {
                write!(f, "header {name} repeated at byte {offset}")
            }
            Self::InvalidContentLength { offset } => {
                write!(f, "invalid Content-Length value at byte {offset}")
            }
            Self::ContentLengthWithChunked { offset } => write!(
                f,
                "Content-Length together with Transfer-Encoding (at byte {offset})"
            ),
            Self::UnsupportedTransferEncoding { offset } => write!(
                f,
                "Transfer-Encoding at byte {offset} is not exactly 'chunked' over HTTP/1.1"
            ),
            Self::UnsupportedExpectation { offset } => {
                write!(f, "Expect value at byte {offset} is not 100-continue")
            }
            Self::InvalidChunkSize { offset } => write!(f, "invalid chunk size at byte {offset}"),
            Self::ChunkSizeOverflow { offset } => {
                write!(f, "chunk size overflows at byte {offset}")
            }
            Self::InvalidChunkData { offset } => {
                write!(f, "chunk data not followed by CRLF at byte {offset}")
            }
            Self::ChunkLineTooLong { offset, limit } => {
                write!(
                    f,
                    "chunk-size line at byte {offset} longer than {limit} bytes"
                )
            }
            Self::TrailerTooLarge { limit } => write!(f, "trailer larger than {limit} bytes"),
            Self::BodyTooLarge {
                declared: Some(n),
                capacity,
            } => write!(f, "body of {n} bytes does not fit in {capacity} bytes"),
            Self::BodyTooLarge {
                declared: None,
                capacity,
            } => write!(f, "body does not fit in {capacity} bytes"),
            Self::EofInHead { received } => {
                write!(f, "connection closed after {received} bytes of the head")
            }
            Self::EofInBody {
                received,
                expected: Some(n),
            } => write!(f, "connection closed after {received} of {n} body bytes"),
            Self::EofInBody {
                received,
                expected: None,
            } => write!(f, "connection closed after {received} body bytes"),
        }
    }
}

impl core::error::Error for HttpError {}

/// What one [`Reader::feed`] call gave: like `httparse::Status`, either
/// more input is needed (all of this input was taken), or the message is
/// complete.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Progress<T> {
    /// Not complete yet: feed more (every input byte was taken).
    Partial,
    /// Complete: the message ([`Message::consumed`] says how much of the
    /// last input it took; the rest belongs to the next message).
    Complete(T),
}

impl<T> Progress<T> {
    /// The complete value, if any.
    pub fn complete(self) -> Option<T> {
        match self {
            Self::Partial => None,
            Self::Complete(t) => Some(t),
        }
    }

    /// True for [`Progress::Complete`].
    pub const fn is_complete(&self) -> bool {
        matches!(self, Self::Complete(_))
    }
}

/// An extra header field of a request or a response (validated when
/// written: a writer fails with the field's index rather than write an
/// invalid or framing-related field).
///
/// ```
/// use confpart::wire::http::HeaderField;
/// let h = HeaderField::new("I-Twilio-Idempotency-Token", "f6b4c1");
/// assert!(h.is_valid());
/// assert!(!HeaderField::new("X", "a\r\nInjected: 1").is_valid());
/// assert!(!HeaderField::new("Content-Length", "1").is_valid());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct HeaderField<'a> {
    /// The name: a token (`A-Z a-z 0-9 !#$%&'*+-.^_`|~`).
    pub name: &'a str,
    /// The value: printable ASCII, space and tab only (no CR/LF).
    pub value: &'a str,
}

/// The token characters (RFC 9110 §5.6.2: `A-Z a-z 0-9
/// !#$%&'*+-.^_`|~`).
const fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric()
        || matches!(
            b,
            b'!' | b'#'
                | b'$'
                | b'%'
                | b'&'
                | b'\''
                | b'*'
                | b'+'
                | b'-'
                | b'.'
                | b'^'
                | b'_'
                | b'`'
                | b'|'
                | b'~'
        )
}

/// [`is_tchar`] of the 128 ASCII bytes, one bit each, in 32-bit words (a
/// 64-bit shift by a variable amount is a library call on 32-bit cores).
const TCHAR: [u32; 4] = tchar_words();

/// [`TCHAR`]'s words.
// Evaluated at compile time (only for the constant): an index out of
// bounds is a build error, never a run-time panic.
#[allow(clippy::indexing_slicing)]
const fn tchar_words() -> [u32; 4] {
    let mut words = [0u32; 4];
    let mut b = 0u8;
    while b < 128 {
        if is_tchar(b) {
            words[(b >> 5) as usize] |= 1 << (b & 31);
        }
        b += 1;
    }
    words
}

/// A token character (as [`is_tchar`], by a 128-bit map: header names are
/// checked byte by byte).
#[inline]
fn is_token(b: u8) -> bool {
    TCHAR
        .get(usize::from(b >> 5))
        .is_some_and(|w| (w >> (b & 31)) & 1 == 1)
}

impl<'a> HeaderField<'a> {
    /// A field (checked when written, or with [`HeaderField::is_valid`]).
    pub const fn new(name: &'a str, value: &'a str) -> Self {
        Self { name, value }
    }

    /// A token name, a value without control characters, and not one of the
    /// fields the writers own (`Host`, `Authorization`, `Content-Type`,
    /// `Content-Length`, `Connection`, `Transfer-Encoding`).
    pub fn is_valid(&self) -> bool {
        const OWN: [&str; 6] = [
            "content-type",
            "content-length",
            "connection",
            "transfer-encoding",
            "host",
            "authorization",
        ];
        !self.name.is_empty()
            && self.name.bytes().all(is_token)
            && self
                .value
                .bytes()
                .all(|b| b == b'\t' || (0x20..=0x7e).contains(&b))
            && !OWN.iter().any(|o| o.eq_ignore_ascii_case(self.name))
    }

    /// The index of the first invalid field of `fields`.
    pub(crate) fn first_invalid(fields: &[HeaderField<'_>]) -> Option<usize> {
        fields.iter().position(|h| !h.is_valid())
    }

    /// Writes `name: value\r\n` for each field.
    pub(crate) fn write_all<S: crate::wire::sink::Sink + ?Sized>(
        fields: &[HeaderField<'_>],
        sink: &mut S,
    ) -> Result<(), crate::wire::sink::WriteError> {
        for h in fields {
            sink.put_str(h.name)?;
            sink.put(b": ")?;
            sink.put_str(h.value)?;
            sink.put(b"\r\n")?;
        }
        Ok(())
    }
}

/// The `Connection` header a writer sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Connection {
    /// `Connection: keep-alive`: the connection is reused.
    #[default]
    KeepAlive,
    /// `Connection: close`: the connection ends after the response.
    Close,
}

impl Connection {
    /// The header value.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::KeepAlive => "keep-alive",
            Self::Close => "close",
        }
    }
}

/// The reason phrase this crate writes for `status` (empty when unknown:
/// the phrase is optional in HTTP/1.1).
pub const fn reason_phrase(status: u16) -> &'static str {
    match status {
        100 => "Continue",
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        413 => "Content Too Large",
        414 => "URI Too Long",
        417 => "Expectation Failed",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "",
    }
}
