//! Client side: the request writer, the incremental response reader, and the
//! interpretation of a response as an [`Outcome`].
//!
//! ```
//! use confpart::http::client::{Credentials, Operation, Outcome, Request, ResponseReader};
//! use confpart::http::{Connection, OperationKind};
//! use confpart::ident::{AccountSid, ConferenceSid, ParticipantRef};
//! use confpart::path::{Host, ParticipantPath, PathStyle};
//! use confpart::update::Update;
//!
//! let account = AccountSid::parse("ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")?;
//! let path = ParticipantPath {
//!     style: PathStyle::Twilio,
//!     account,
//!     conference: ConferenceSid::parse("CFaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")?,
//!     participant: Some(ParticipantRef::parse("CAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")?),
//! };
//! let request = Request {
//!     host: Host::Twilio,
//!     credentials: Credentials::new(account.as_str(), "token")?,
//!     path: &path,
//!     operation: Operation::Update(Update::mute()),
//!     connection: Connection::KeepAlive,
//! };
//! let mut out = [0u8; 512];
//! let n = request.write_to_slice(&mut out)?;
//! assert!(out[..n].starts_with(b"POST /2010-04-01/Accounts/AC"));
//! assert!(out[..n].ends_with(b"\r\n\r\nMuted=true"));
//!
//! // Feed the answer in whatever pieces the socket returns.
//! let response = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 65\r\n\r\n{\"muted\": true, \"call_sid\": \"CAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}";
//! let mut buf = [0u8; 2048];
//! let mut reader = ResponseReader::new(&mut buf);
//! let first = reader.feed(&response[..10])?;
//! assert!(!first.complete);
//! let rest = reader.feed(&response[first.consumed..])?;
//! assert!(rest.complete);
//! match reader.outcome(OperationKind::Update)? {
//!     Outcome::Participant(p) => assert_eq!(p.muted(), Some(true)),
//!     other => panic!("{other:?}"),
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use core::fmt;

use super::body::{BodyMode, Framer, HeadAction};
use super::head::{self, Collected, MAX_HEADERS, Span};
use super::query::{ListQuery, QueryError};
use super::{Connection, HttpError, OperationKind, Progress};
use crate::api_error::ApiError;
use crate::date::Timestamp;
use crate::json::{self, JsonError};
use crate::participant::Participant;
use crate::path::{Host, ParticipantPath};
use crate::update::Update;
use crate::write::{CountingSink, Sink, SliceSink, WriteError};

/// `confpart/{version}`: the product part of the `User-Agent`.
pub const USER_AGENT_PRODUCT: &str = concat!("confpart/", env!("CARGO_PKG_VERSION"));

/// The target architecture named in the `User-Agent`.
pub const TARGET_ARCH: &str = if cfg!(target_arch = "x86_64") {
    "x86_64"
} else if cfg!(target_arch = "aarch64") {
    "aarch64"
} else if cfg!(target_arch = "arm") {
    "arm"
} else if cfg!(target_arch = "riscv32") {
    "riscv32"
} else if cfg!(target_arch = "riscv64") {
    "riscv64"
} else if cfg!(target_arch = "x86") {
    "x86"
} else if cfg!(target_arch = "xtensa") {
    "xtensa"
} else if cfg!(target_arch = "wasm32") {
    "wasm32"
} else {
    "unknown"
};

/// The target operating system named in the `User-Agent` (`none` on bare metal).
pub const TARGET_OS: &str = if cfg!(target_os = "linux") {
    "linux"
} else if cfg!(target_os = "macos") {
    "macos"
} else if cfg!(target_os = "windows") {
    "windows"
} else if cfg!(target_os = "none") {
    "none"
} else {
    "other"
};

/// Why a request could not be written, or a response not interpreted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum ClientError {
    /// The sink failed or is full.
    Write(WriteError),
    /// A username with `:` or a control character, at this byte offset.
    Username {
        /// Byte offset in the username.
        offset: usize,
    },
    /// A password with a control character, at this byte offset.
    Password {
        /// Byte offset in the password.
        offset: usize,
    },
    /// The path has a participant and the operation is on the collection, or
    /// the other way round.
    PathMismatch {
        /// The operation.
        operation: OperationKind,
    },
    /// The list query is invalid.
    Query(QueryError),
    /// [`ResponseReader::outcome`] was called before the response was complete.
    Incomplete,
    /// A status that the operation does not answer with (e.g. 3xx, or 200 to
    /// a delete).
    UnexpectedStatus {
        /// The HTTP status.
        status: u16,
        /// The operation the response was for.
        operation: OperationKind,
    },
    /// A success body whose `Content-Type` is not `application/json`.
    ContentType {
        /// The HTTP status.
        status: u16,
    },
    /// A success body that does not decode.
    Body {
        /// The HTTP status.
        status: u16,
        /// What was wrong with the JSON.
        error: JsonError,
    },
}

impl fmt::Display for ClientError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Write(e) => write!(f, "writing the request: {e}"),
            Self::Username { offset } => {
                write!(
                    f,
                    "username has ':' or a control character at byte {offset}"
                )
            }
            Self::Password { offset } => {
                write!(f, "password has a control character at byte {offset}")
            }
            Self::PathMismatch { operation } => write!(
                f,
                "{operation:?} needs {} path",
                if operation.on_collection() {
                    "the collection"
                } else {
                    "a participant"
                }
            ),
            Self::Query(e) => write!(f, "list query: {e}"),
            Self::Incomplete => f.write_str("the response is not complete"),
            Self::UnexpectedStatus { status, operation } => {
                write!(f, "unexpected status {status} for {operation:?}")
            }
            Self::ContentType { status } => {
                write!(f, "{status} response body is not application/json")
            }
            Self::Body { status, error } => write!(f, "{status} response body: {error}"),
        }
    }
}

impl core::error::Error for ClientError {}

impl From<WriteError> for ClientError {
    fn from(e: WriteError) -> Self {
        Self::Write(e)
    }
}

/// HTTP Basic credentials: account SID (or API key SID, or SignalWire
/// project id) and auth token.
///
/// ```
/// use confpart::http::client::{ClientError, Credentials};
/// assert!(Credentials::new("ACxxx", "secret:with:colons").is_ok());
/// assert_eq!(Credentials::new("a:b", "x").err(), Some(ClientError::Username { offset: 1 }));
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Credentials<'a> {
    username: &'a str,
    password: &'a str,
}

impl fmt::Debug for Credentials<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .finish()
    }
}

#[cfg(feature = "defmt")]
impl defmt::Format for Credentials<'_> {
    fn format(&self, f: defmt::Formatter<'_>) {
        defmt::write!(f, "Credentials({=str}, <redacted>)", self.username)
    }
}

impl<'a> Credentials<'a> {
    /// Checks the username (no `:`, no control character) and the password
    /// (no control character).
    pub fn new(username: &'a str, password: &'a str) -> Result<Self, ClientError> {
        if let Some(offset) = username
            .bytes()
            .position(|b| b == b':' || b.is_ascii_control())
        {
            return Err(ClientError::Username { offset });
        }
        if let Some(offset) = password.bytes().position(|b| b.is_ascii_control()) {
            return Err(ClientError::Password { offset });
        }
        Ok(Self { username, password })
    }

    /// The username.
    pub const fn username(&self) -> &'a str {
        self.username
    }

    /// Writes `Basic base64(username:password)` (the header value).
    pub fn write_basic<S: Sink + ?Sized>(&self, sink: &mut S) -> Result<(), WriteError> {
        sink.put(b"Basic ")?;
        put_base64(
            sink,
            &[self.username.as_bytes(), b":", self.password.as_bytes()],
        )
    }
}

/// Streams the standard (padded) base64 of the concatenation of `parts`:
/// three input bytes make four output bytes, staged and written 64 at a time
/// (no allocation, no table beyond the 64-byte alphabet: smaller than a
/// general base64 engine on a microcontroller, and faster here).
fn put_base64<S: Sink + ?Sized>(sink: &mut S, parts: &[&[u8]]) -> Result<(), WriteError> {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let sextet = |v: u32, shift: u32| {
        ALPHABET
            .get(((v >> shift) & 63) as usize)
            .copied()
            .unwrap_or(b'=')
    };
    let mut out = [0u8; 64];
    let mut n = 0;
    let mut group = 0u32;
    let mut len = 0;
    for &b in parts.iter().flat_map(|p| p.iter()) {
        group = (group << 8) | u32::from(b);
        len += 1;
        if len == 3 {
            if let Some(dst) = out.get_mut(n..n + 4) {
                dst.copy_from_slice(&[
                    sextet(group, 18),
                    sextet(group, 12),
                    sextet(group, 6),
                    sextet(group, 0),
                ]);
            }
            n += 4;
            group = 0;
            len = 0;
            if n == out.len() {
                sink.put(&out)?;
                n = 0;
            }
        }
    }
    sink.put(out.get(..n).unwrap_or(&[]))?;
    match len {
        1 => {
            let g = group << 16;
            sink.put(&[sextet(g, 18), sextet(g, 12), b'=', b'='])
        }
        2 => {
            let g = group << 8;
            sink.put(&[sextet(g, 18), sextet(g, 12), sextet(g, 6), b'='])
        }
        _ => Ok(()),
    }
}

/// What a request does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Operation<'a> {
    /// `POST` the form body of an update to a participant (validate the
    /// update first: [`Update::validate`]).
    Update(Update<'a>),
    /// `GET` one participant.
    Fetch,
    /// `DELETE` one participant (kick).
    Delete,
    /// `GET` the collection, with filters and paging.
    List(ListQuery<'a>),
    /// `POST` to the collection (Twilio create): an already form-encoded
    /// body (`From=...&To=...`).
    Create(&'a [u8]),
}

impl Operation<'_> {
    /// The kind of operation (to interpret the response with).
    pub const fn kind(&self) -> OperationKind {
        match self {
            Self::Update(_) => OperationKind::Update,
            Self::Fetch => OperationKind::Fetch,
            Self::Delete => OperationKind::Delete,
            Self::List(_) => OperationKind::List,
            Self::Create(_) => OperationKind::Create,
        }
    }
}

/// A request to write: everything that goes into the head and body.
#[derive(Debug, Clone, Copy)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Request<'a> {
    /// The `Host` header.
    pub host: Host<'a>,
    /// The `Authorization: Basic` credentials.
    pub credentials: Credentials<'a>,
    /// The resource: with a participant for update, fetch and delete;
    /// without one for list and create.
    pub path: &'a ParticipantPath,
    /// What to do.
    pub operation: Operation<'a>,
    /// `Connection: keep-alive` or `close`.
    pub connection: Connection,
}

impl Request<'_> {
    /// Checks the path against the operation, and the list query.
    pub fn validate(&self) -> Result<(), ClientError> {
        let kind = self.operation.kind();
        if kind.on_collection() != self.path.participant.is_none() {
            return Err(ClientError::PathMismatch { operation: kind });
        }
        if let Operation::List(q) = &self.operation {
            q.validate().map_err(ClientError::Query)?;
        }
        Ok(())
    }

    /// Validates, then writes the whole request (head and body) in one pass,
    /// without `core::fmt`.
    pub fn write<S: Sink + ?Sized>(&self, sink: &mut S) -> Result<(), ClientError> {
        self.validate()?;
        let kind = self.operation.kind();
        sink.put_str(kind.method())?;
        sink.put(b" ")?;
        self.path.write(sink)?;
        if let Operation::List(q) = &self.operation
            && !q.is_empty()
        {
            sink.put(b"?")?;
            q.write(sink)?;
        }
        sink.put(b" HTTP/1.1\r\nHost: ")?;
        self.host.write(sink)?;
        sink.put(b"\r\nAuthorization: ")?;
        self.credentials.write_basic(sink)?;
        sink.put(b"\r\nUser-Agent: ")?;
        sink.put_str(USER_AGENT_PRODUCT)?;
        sink.put(b" (")?;
        sink.put_str(TARGET_ARCH)?;
        sink.put(b"-")?;
        sink.put_str(TARGET_OS)?;
        sink.put(b")\r\nAccept: application/json\r\n")?;
        let body_len = match &self.operation {
            Operation::Update(u) => Some(u.encoded_len()),
            Operation::Create(body) => Some(body.len()),
            _ => None,
        };
        if let Some(n) = body_len {
            sink.put(b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: ")?;
            sink.put_u64(n as u64)?;
            sink.put(b"\r\n")?;
        }
        sink.put(b"Connection: ")?;
        sink.put_str(self.connection.as_str())?;
        sink.put(b"\r\n\r\n")?;
        match &self.operation {
            Operation::Update(u) => u.encode(sink)?,
            Operation::Create(body) => sink.put(body)?,
            _ => {}
        }
        Ok(())
    }

    /// Writes into `buf`; returns the length.
    pub fn write_to_slice(&self, buf: &mut [u8]) -> Result<usize, ClientError> {
        let mut sink = SliceSink::new(buf);
        self.write(&mut sink)?;
        Ok(sink.len())
    }

    /// The length [`Request::write`] produces (to size a buffer).
    pub fn encoded_len(&self) -> Result<usize, ClientError> {
        let mut sink = CountingSink::default();
        self.write(&mut sink)?;
        Ok(sink.count)
    }
}

/// When to retry, from `Retry-After`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum RetryAfter {
    /// After this many seconds (delta-seconds; huge values saturate).
    Seconds(u32),
    /// At this time (an HTTP-date; core has no clock to make it relative).
    At(Timestamp),
}

impl RetryAfter {
    /// Parses delta-seconds or an HTTP-date (IMF-fixdate, and the lenient
    /// RFC 2822 forms [`Timestamp::parse`] accepts). `None` if neither.
    ///
    /// ```
    /// use confpart::http::client::RetryAfter;
    /// assert_eq!(RetryAfter::parse(b"120"), Some(RetryAfter::Seconds(120)));
    /// let Some(RetryAfter::At(t)) = RetryAfter::parse(b"Sun, 06 Nov 1994 08:49:37 GMT") else { panic!() };
    /// assert_eq!(t.unix(), 784_111_777);
    /// assert_eq!(RetryAfter::parse(b"soon"), None);
    /// ```
    pub fn parse(value: &[u8]) -> Option<Self> {
        let value = value.trim_ascii();
        if !value.is_empty() && value.iter().all(u8::is_ascii_digit) {
            let n = head::parse_decimal(value).unwrap_or(u64::MAX);
            return Some(Self::Seconds(u32::try_from(n).unwrap_or(u32::MAX)));
        }
        Timestamp::parse(value).ok().map(Self::At)
    }
}

/// An error response (4xx/5xx).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Failure<'a> {
    /// The HTTP status.
    pub status: u16,
    /// The decoded error body (Twilio or SignalWire shape); `None` when the
    /// body is empty or not an error document (e.g. a proxy's HTML page).
    pub error: Option<ApiError<'a>>,
    /// For 429 and 503: when to retry, if the response said so.
    pub retry_after: Option<RetryAfter>,
}

/// What a complete response means for the operation it answers.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[allow(clippy::large_enum_variant)]
pub enum Outcome<'a> {
    /// 200 to update or fetch: the participant.
    Participant(Participant<'a>),
    /// 201 to create: the new participant.
    Created(Participant<'a>),
    /// 204 to delete.
    Deleted,
    /// 200 to list: the page document (validated JSON, not yet decoded).
    Page(&'a [u8]),
    /// 4xx or 5xx.
    Failure(Failure<'a>),
}

#[derive(Debug, Clone, Copy)]
struct ResponseInfo {
    version: u8,
    status: u16,
    reason: Span,
    headers: Collected,
}

/// The head of a response, as read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct ResponseHead<'a> {
    /// The minor version: 1 for HTTP/1.1, 0 for HTTP/1.0.
    pub version_minor: u8,
    /// The status code.
    pub status: u16,
    /// The reason phrase.
    pub reason: &'a [u8],
    /// `Content-Type`.
    pub content_type: Option<&'a [u8]>,
    /// `Content-Length`.
    pub content_length: Option<u64>,
    /// `Transfer-Encoding: chunked`.
    pub chunked: bool,
    /// `Retry-After`.
    pub retry_after: Option<&'a [u8]>,
    /// `Twilio-Request-Id`.
    pub request_id: Option<&'a [u8]>,
    /// The first `Connection` header.
    pub connection: Option<&'a [u8]>,
    /// Whether the connection may be reused after this response.
    pub keep_alive: bool,
}

/// Reads a response incrementally into a caller buffer (head, then the
/// de-chunked body). See the [module docs](self) for an example.
#[derive(Debug)]
pub struct ResponseReader<'b> {
    framer: Framer<'b>,
    info: Option<ResponseInfo>,
}

fn parse_response_head(
    head: &[u8],
    skipped: usize,
) -> Result<(ResponseInfo, HeadAction), HttpError> {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut r = httparse::Response::new(&mut headers);
    match r.parse(head) {
        Ok(httparse::Status::Complete(_)) => {}
        Ok(httparse::Status::Partial) => return Err(HttpError::InvalidStartLine),
        Err(_) => {
            return Err(head::locate_error(head, skipped, |prefix| {
                let mut h = [httparse::EMPTY_HEADER; MAX_HEADERS];
                httparse::Response::new(&mut h).parse(prefix).map(|_| ())
            }));
        }
    }
    let version = r.version.unwrap_or(1);
    let status = r.code.unwrap_or(0);
    let reason = Span::of(head, r.reason.unwrap_or("").as_bytes());
    let headers = head::collect(head, r.headers, version, skipped)?;
    let action = match status {
        100..=199 if status != 101 => HeadAction::Interim,
        100..=199 | 204 | 304 => HeadAction::Body(BodyMode::Empty),
        _ if headers.chunked => HeadAction::Body(BodyMode::Chunked),
        _ => match headers.content_length {
            Some(n) => HeadAction::Body(BodyMode::Length(n)),
            None => HeadAction::Body(BodyMode::UntilClose),
        },
    };
    Ok((
        ResponseInfo {
            version,
            status,
            reason,
            headers,
        },
        action,
    ))
}

impl<'b> ResponseReader<'b> {
    /// A reader over `buf`, which must hold the head and the body.
    pub fn new(buf: &'b mut [u8]) -> Self {
        Self {
            framer: Framer::new(buf),
            info: None,
        }
    }

    /// Feeds bytes read from the connection. Interim (1xx) responses are
    /// skipped. After an error the reader stays failed (the connection must
    /// be closed).
    pub fn feed(&mut self, input: &[u8]) -> Result<Progress, HttpError> {
        let info = &mut self.info;
        self.framer.feed(input, |head, skipped| {
            let (i, action) = parse_response_head(head, skipped)?;
            *info = match action {
                HeadAction::Interim => None,
                HeadAction::Body(_) => Some(i),
            };
            Ok(action)
        })
    }

    /// Tells the reader the connection was closed: completes a body that is
    /// delimited by the close, or fails with what was missing.
    pub fn finish(&mut self) -> Result<(), HttpError> {
        self.framer.finish()
    }

    /// Forgets the response to read the next one with the same buffer.
    pub fn reset(&mut self) {
        self.framer.reset();
        self.info = None;
    }

    /// True once head and body are complete.
    pub fn is_complete(&self) -> bool {
        self.framer.is_complete()
    }

    /// The head, once it is complete (before the body is).
    pub fn head(&self) -> Option<ResponseHead<'_>> {
        let info = self.info.as_ref()?;
        if !self.framer.head_complete() {
            return None;
        }
        let head = self.framer.head();
        let h = &info.headers;
        let get = |s: Option<Span>| s.map(|s| s.get(head));
        Some(ResponseHead {
            version_minor: info.version,
            status: info.status,
            reason: info.reason.get(head),
            content_type: get(h.content_type),
            content_length: h.content_length,
            chunked: h.chunked,
            retry_after: get(h.retry_after),
            request_id: get(h.request_id),
            connection: get(h.connection),
            keep_alive: h.keep_alive(info.version) && !self.until_close(),
        })
    }

    /// The body ends when the connection closes (no framing headers).
    fn until_close(&self) -> bool {
        self.info.as_ref().is_some_and(|i| {
            !matches!(i.status, 100..=199 | 204 | 304)
                && !i.headers.chunked
                && i.headers.content_length.is_none()
        })
    }

    /// The first header called `name` (any case), for headers not in
    /// [`ResponseHead`].
    pub fn header(&self, name: &str) -> Option<&[u8]> {
        if !self.framer.head_complete() {
            return None;
        }
        let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
        let mut r = httparse::Response::new(&mut headers);
        r.parse(self.framer.head()).ok()?;
        r.headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(name))
            .map(|h| h.value)
    }

    /// The body, once the response is complete.
    pub fn body(&self) -> Option<&[u8]> {
        self.is_complete().then(|| self.framer.body())
    }

    /// Interprets the complete response as the answer to `operation`.
    pub fn outcome(&self, operation: OperationKind) -> Result<Outcome<'_>, ClientError> {
        let (Some(head), Some(body)) = (self.head(), self.body()) else {
            return Err(ClientError::Incomplete);
        };
        let status = head.status;
        let json_type = |ct: Option<&[u8]>| {
            ct.is_none_or(|ct| {
                ct.get(..16)
                    .is_some_and(|p| p.eq_ignore_ascii_case(b"application/json"))
            })
        };
        let success = operation.success_status();
        if status == success && status != 204 && !json_type(head.content_type) {
            return Err(ClientError::ContentType { status });
        }
        let body_err = |error| ClientError::Body { status, error };
        match status {
            _ if status == success => match operation {
                OperationKind::Delete => Ok(Outcome::Deleted),
                OperationKind::List => {
                    json::validate(body).map_err(body_err)?;
                    Ok(Outcome::Page(body))
                }
                OperationKind::Create => Participant::decode(body)
                    .map(Outcome::Created)
                    .map_err(body_err),
                OperationKind::Update | OperationKind::Fetch => Participant::decode(body)
                    .map(Outcome::Participant)
                    .map_err(body_err),
            },
            400..=599 => Ok(Outcome::Failure(Failure {
                status,
                error: ApiError::decode(body).ok(),
                retry_after: if matches!(status, 429 | 503) {
                    head.retry_after.and_then(RetryAfter::parse)
                } else {
                    None
                },
            })),
            _ => Err(ClientError::UnexpectedStatus { status, operation }),
        }
    }
}

#[cfg(test)]
mod base64_tests {
    use super::*;
    use crate::write::SliceSink;
    use base64::Engine as _;
    use proptest::prelude::*;
    use std::vec;

    proptest! {
        #[test]
        fn same_as_the_base64_crate(a in proptest::collection::vec(any::<u8>(), 0..100),
                                    b in proptest::collection::vec(any::<u8>(), 0..100)) {
            let mut buf = vec![0u8; 300];
            let mut sink = SliceSink::new(&mut buf);
            put_base64(&mut sink, &[&a, b":", &b]).unwrap();
            let mut joined = a.clone();
            joined.push(b':');
            joined.extend_from_slice(&b);
            let mut expected = vec![0u8; 300];
            let m = base64::engine::general_purpose::STANDARD
                .encode_slice(&joined, &mut expected)
                .unwrap();
            prop_assert_eq!(sink.written(), &expected[..m]);
        }
    }
}
