//! Bridge (server) side: the incremental request reader, the router, the
//! Basic auth check, and the response writer.
//!
//! ```
//! use confpart::http::bridge::{self, RequestReader};
//! use confpart::http::{Connection, OperationKind};
//! use confpart::update::Update;
//! use confpart::write::SliceSink;
//!
//! let request = b"POST /2010-04-01/Accounts/ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/Conferences/CFaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/Participants/front%20desk.json HTTP/1.1\r\n\
//!     Host: 127.0.0.1\r\nAuthorization: Basic QUNhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYTp0b2tlbg==\r\n\
//!     Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 10\r\n\r\nMuted=true";
//! let mut buf = [0u8; 1024];
//! let mut reader = RequestReader::new(&mut buf);
//! assert!(reader.feed(request)?.complete);
//! let head = reader.head().unwrap();
//! let route = bridge::route(head.method, head.path)?;
//! assert_eq!(route.operation, OperationKind::Update);
//! assert_eq!(route.path.participant.as_ref().unwrap().as_str(), "front desk");
//! bridge::check_basic(head.authorization, route.path.account.as_str(), "token")?;
//! let mut scratch = [0u8; 64];
//! let update = Update::decode(reader.body().unwrap(), &mut scratch)?.update;
//! assert_eq!(update.muted, Some(true));
//!
//! let mut out = [0u8; 256];
//! let mut sink = SliceSink::new(&mut out);
//! bridge::write_no_content(&mut sink, Connection::KeepAlive)?;
//! assert_eq!(sink.written(), b"HTTP/1.1 204 No Content\r\nConnection: keep-alive\r\n\r\n");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use core::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use super::body::{BodyMode, Framer, HeadAction};
use super::head::{self, Collected, MAX_HEADERS, Span};
use super::query::QueryError;
use super::{Connection, HttpError, OperationKind, Progress, reason_phrase};
use crate::api_error::ApiError;
use crate::participant::Participant;
use crate::path::{ParticipantPath, PathError};
use crate::update::FormError;
use crate::write::{CountingSink, Sink, WriteError};

/// Longest decoded Basic credentials (`username:token`) accepted.
pub const MAX_CREDENTIALS_LEN: usize = 256;
/// The realm a bridge names in `WWW-Authenticate` by default.
pub const DEFAULT_REALM: &str = "Twilio API";
/// A scratch buffer this large always holds the JSON of a participant or of
/// an error body written by this module.
pub const RESPONSE_SCRATCH_LEN: usize = 4096;

/// Why Basic authentication failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum AuthFailure {
    /// No `Authorization` header.
    Missing,
    /// A scheme other than `Basic`.
    NotBasic,
    /// The credentials are not valid base64.
    InvalidBase64,
    /// The decoded credentials are longer than [`MAX_CREDENTIALS_LEN`].
    TooLong,
    /// No `:` between username and token.
    MissingColon,
    /// Wrong username or token.
    Mismatch,
}

/// Why the bridge rejects a request, or could not write a response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum BridgeError {
    /// The request is not well framed (400, 413, 431, ...).
    Http(HttpError),
    /// The path is not a participant resource (404, code 20404).
    NotFound {
        /// What is wrong with the path.
        error: PathError,
    },
    /// The method is not allowed on this path (405, code 20004).
    MethodNotAllowed {
        /// The methods that are (the `Allow` header).
        allow: &'static str,
    },
    /// Basic authentication failed (401, code 20003).
    Unauthorized {
        /// Why.
        reason: AuthFailure,
    },
    /// The list query is invalid (400, code 20001).
    Query(QueryError),
    /// The form body is invalid (400, code 20001).
    Form(FormError),
    /// A status outside 100..=599 given to a writer.
    InvalidStatus {
        /// The status.
        status: u16,
    },
    /// A body given with a status that has none (1xx, 204, 304).
    BodyNotAllowed {
        /// The status.
        status: u16,
    },
    /// An extra header with an invalid name or value, or one the writer
    /// writes itself (`Content-Type`, `Content-Length`, `Connection`,
    /// `Transfer-Encoding`).
    InvalidHeader {
        /// Index in the extra headers.
        index: usize,
    },
    /// The sink failed or is full (or the scratch buffer is too small).
    Write(WriteError),
}

impl BridgeError {
    /// The HTTP status to answer with.
    pub const fn status(&self) -> u16 {
        match self {
            Self::Http(e) => e.status(),
            Self::NotFound { .. } => 404,
            Self::MethodNotAllowed { .. } => 405,
            Self::Unauthorized { .. } => 401,
            Self::Query(_) | Self::Form(_) => 400,
            Self::InvalidStatus { .. }
            | Self::BodyNotAllowed { .. }
            | Self::InvalidHeader { .. }
            | Self::Write(_) => 500,
        }
    }

    /// The Twilio error code for the body.
    pub const fn code(&self) -> u32 {
        match self {
            Self::NotFound { .. } => 20404,
            Self::MethodNotAllowed { .. } => 20004,
            Self::Unauthorized { .. } => 20003,
            Self::InvalidStatus { .. }
            | Self::BodyNotAllowed { .. }
            | Self::InvalidHeader { .. }
            | Self::Write(_) => 20500,
            _ => 20001,
        }
    }

    /// The message for the body.
    pub const fn message(&self) -> &'static str {
        match self {
            Self::Http(HttpError::BodyTooLarge { .. }) => "Request body too large",
            Self::Http(_) => "Bad request",
            Self::NotFound { .. } => "The requested resource was not found",
            Self::MethodNotAllowed { .. } => "Method not allowed",
            Self::Unauthorized { .. } => "Authenticate",
            Self::Query(_) => "Invalid query parameter",
            Self::Form(_) => "Invalid form parameter",
            _ => "Internal server error",
        }
    }
}

impl fmt::Display for BridgeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Http(e) => write!(f, "request framing: {e}"),
            Self::NotFound { error } => write!(f, "no such resource: {error}"),
            Self::MethodNotAllowed { allow } => write!(f, "method not allowed (allowed: {allow})"),
            Self::Unauthorized { reason } => write!(f, "authentication failed: {reason:?}"),
            Self::Query(e) => write!(f, "query: {e}"),
            Self::Form(e) => write!(f, "form body: {e}"),
            Self::InvalidStatus { status } => write!(f, "invalid status {status}"),
            Self::BodyNotAllowed { status } => write!(f, "status {status} has no body"),
            Self::InvalidHeader { index } => write!(f, "extra header {index} is invalid"),
            Self::Write(e) => write!(f, "writing the response: {e}"),
        }
    }
}

impl core::error::Error for BridgeError {}

impl From<WriteError> for BridgeError {
    fn from(e: WriteError) -> Self {
        Self::Write(e)
    }
}

impl From<HttpError> for BridgeError {
    fn from(e: HttpError) -> Self {
        Self::Http(e)
    }
}

impl From<QueryError> for BridgeError {
    fn from(e: QueryError) -> Self {
        Self::Query(e)
    }
}

impl From<FormError> for BridgeError {
    fn from(e: FormError) -> Self {
        Self::Form(e)
    }
}

#[derive(Debug, Clone, Copy)]
struct RequestInfo {
    version: u8,
    method: Span,
    path: Span,
    query: Option<Span>,
    headers: Collected,
}

/// The head of a request, as read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct RequestHead<'a> {
    /// The method (case-sensitive).
    pub method: &'a str,
    /// The path (before `?`), still percent-encoded: printable ASCII only.
    pub path: &'a str,
    /// The query string (after `?`), if any.
    pub query: Option<&'a str>,
    /// The minor version: 1 for HTTP/1.1, 0 for HTTP/1.0.
    pub version_minor: u8,
    /// `Host`.
    pub host: Option<&'a [u8]>,
    /// `Content-Type`.
    pub content_type: Option<&'a [u8]>,
    /// `Content-Length`.
    pub content_length: Option<u64>,
    /// `Transfer-Encoding: chunked`.
    pub chunked: bool,
    /// `Authorization`.
    pub authorization: Option<&'a [u8]>,
    /// `Expect: 100-continue` was sent: answer [`write_continue`] before
    /// reading the body.
    pub expect_continue: bool,
    /// Whether the connection may be reused after the response.
    pub keep_alive: bool,
}

fn parse_request_head(head: &[u8], skipped: usize) -> Result<(RequestInfo, BodyMode), HttpError> {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut r = httparse::Request::new(&mut headers);
    let locate = || {
        head::locate_error(head, skipped, |prefix| {
            let mut h = [httparse::EMPTY_HEADER; MAX_HEADERS];
            httparse::Request::new(&mut h).parse(prefix).map(|_| ())
        })
    };
    // Raw bytes outside printable ASCII in the target: reject before
    // httparse (which would accept UTF-8 there).
    if let Some(line_end) = head.iter().position(|&b| b == b'\r') {
        let line = head.get(..line_end).unwrap_or(&[]);
        let mut parts = line.splitn(3, |&b| b == b' ');
        let _method = parts.next();
        if let Some(target) = parts.next() {
            let start = Span::of(head, target).start;
            if let Some(i) = target
                .iter()
                .position(|&b| !(0x21..=0x7e).contains(&b) || b == b'#')
            {
                return Err(HttpError::InvalidTarget {
                    offset: skipped + start + i,
                });
            }
            if target.first() != Some(&b'/') {
                return Err(HttpError::InvalidTarget {
                    offset: skipped + start,
                });
            }
        }
    }
    match r.parse(head) {
        Ok(httparse::Status::Complete(_)) => {}
        Ok(httparse::Status::Partial) => return Err(HttpError::InvalidStartLine),
        Err(_) => return Err(locate()),
    }
    let version = r.version.unwrap_or(1);
    let method = Span::of(head, r.method.unwrap_or("").as_bytes());
    let target = r.path.unwrap_or("").as_bytes();
    let (path, query) = match target.iter().position(|&b| b == b'?') {
        Some(q) => (
            target.get(..q).unwrap_or(&[]),
            Some(Span::of(head, target.get(q + 1..).unwrap_or(&[]))),
        ),
        None => (target, None),
    };
    let path = Span::of(head, path);
    let headers = head::collect(head, r.headers, version, skipped)?;
    let mode = if headers.chunked {
        BodyMode::Chunked
    } else {
        match headers.content_length {
            Some(n) => BodyMode::Length(n),
            None => BodyMode::Empty,
        }
    };
    Ok((
        RequestInfo {
            version,
            method,
            path,
            query,
            headers,
        },
        mode,
    ))
}

/// Reads a request incrementally into a caller buffer (head, then the
/// de-chunked body). See the [module docs](self) for an example.
#[derive(Debug)]
pub struct RequestReader<'b> {
    framer: Framer<'b>,
    info: Option<RequestInfo>,
}

impl<'b> RequestReader<'b> {
    /// A reader over `buf`, which must hold the head and the body.
    pub fn new(buf: &'b mut [u8]) -> Self {
        Self {
            framer: Framer::new(buf),
            info: None,
        }
    }

    /// Feeds bytes read from the connection. Once [`Self::head`] is `Some`
    /// with `expect_continue`, answer [`write_continue`] before waiting for
    /// the body. After an error the reader stays failed: answer
    /// [`write_rejection`] with [`BridgeError::Http`] and close.
    pub fn feed(&mut self, input: &[u8]) -> Result<Progress, HttpError> {
        let info = &mut self.info;
        self.framer.feed(input, |head, skipped| {
            let (i, mode) = parse_request_head(head, skipped)?;
            *info = Some(i);
            Ok(HeadAction::Body(mode))
        })
    }

    /// Tells the reader the connection was closed; fails with what was
    /// missing (`EofInHead { received: 0 }` is a clean close).
    pub fn finish(&mut self) -> Result<(), HttpError> {
        self.framer.finish()
    }

    /// Forgets the request to read the next one with the same buffer.
    pub fn reset(&mut self) {
        self.framer.reset();
        self.info = None;
    }

    /// True once head and body are complete.
    pub fn is_complete(&self) -> bool {
        self.framer.is_complete()
    }

    /// The head, once it is complete (before the body is).
    pub fn head(&self) -> Option<RequestHead<'_>> {
        let info = self.info.as_ref()?;
        if !self.framer.head_complete() {
            return None;
        }
        let head = self.framer.head();
        let h = &info.headers;
        let text = |s: Span| core::str::from_utf8(s.get(head)).unwrap_or("");
        let get = |s: Option<Span>| s.map(|s| s.get(head));
        Some(RequestHead {
            method: text(info.method),
            path: text(info.path),
            query: info.query.map(text),
            version_minor: info.version,
            host: get(h.host),
            content_type: get(h.content_type),
            content_length: h.content_length,
            chunked: h.chunked,
            authorization: get(h.authorization),
            expect_continue: h.expect_continue,
            keep_alive: h.keep_alive(info.version),
        })
    }

    /// The first header called `name` (any case), for headers not in
    /// [`RequestHead`].
    pub fn header(&self, name: &str) -> Option<&[u8]> {
        if !self.framer.head_complete() {
            return None;
        }
        let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
        let mut r = httparse::Request::new(&mut headers);
        r.parse(self.framer.head()).ok()?;
        r.headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(name))
            .map(|h| h.value)
    }

    /// The body, once the request is complete.
    pub fn body(&self) -> Option<&[u8]> {
        self.is_complete().then(|| self.framer.body())
    }
}

/// A routed request: the operation and the resource it is on.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Route {
    /// What to do.
    pub operation: OperationKind,
    /// On which resource (participant percent-decoded; `None` for the
    /// collection).
    pub path: ParticipantPath,
}

/// Methods allowed on one participant.
pub const ALLOW_PARTICIPANT: &str = "GET, POST, DELETE";
/// Methods allowed on the collection.
pub const ALLOW_COLLECTION: &str = "GET, POST";

/// Maps a method and a path (without the query) to an operation: both
/// dialects' prefixes, with or without `.json`, participant by SID or by
/// label. An unknown path is [`BridgeError::NotFound`] (with the reason:
/// `%2F`, `..`, invalid UTF-8, ...); a known path with another method is
/// [`BridgeError::MethodNotAllowed`].
///
/// ```
/// use confpart::http::bridge::{route, BridgeError};
/// use confpart::http::OperationKind;
/// let base = "/2010-04-01/Accounts/ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/Conferences/CFaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/Participants";
/// assert_eq!(route("GET", base)?.operation, OperationKind::List);
/// assert_eq!(route("DELETE", &format!("{base}/front%20desk"))?.operation, OperationKind::Delete);
/// assert_eq!(route("PUT", base), Err(BridgeError::MethodNotAllowed { allow: "GET, POST" }));
/// assert!(matches!(route("GET", "/favicon.ico"), Err(BridgeError::NotFound { .. })));
/// # Ok::<(), BridgeError>(())
/// ```
pub fn route(method: &str, path: &str) -> Result<Route, BridgeError> {
    let path = ParticipantPath::parse(path).map_err(|error| BridgeError::NotFound { error })?;
    let operation = match (path.participant.is_some(), method) {
        (true, "POST") => OperationKind::Update,
        (true, "GET") => OperationKind::Fetch,
        (true, "DELETE") => OperationKind::Delete,
        (false, "GET") => OperationKind::List,
        (false, "POST") => OperationKind::Create,
        (true, _) => {
            return Err(BridgeError::MethodNotAllowed {
                allow: ALLOW_PARTICIPANT,
            });
        }
        (false, _) => {
            return Err(BridgeError::MethodNotAllowed {
                allow: ALLOW_COLLECTION,
            });
        }
    };
    Ok(Route { operation, path })
}

/// Compares two byte strings in time that depends only on the longer
/// length: every byte is XOR-accumulated, with no early exit, and a length
/// mismatch does not skip the content comparison.
///
/// ```
/// use confpart::http::bridge::constant_time_eq;
/// assert!(constant_time_eq(b"token", b"token"));
/// assert!(!constant_time_eq(b"token", b"tokex"));
/// assert!(!constant_time_eq(b"token", b"token\0"));
/// ```
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    let n = a.len().max(b.len());
    let mut diff: u8 = 0;
    for i in 0..n {
        let x = a.get(i).copied().unwrap_or(0);
        let y = b.get(i).copied().unwrap_or(0);
        diff |= x ^ y;
    }
    let diff = core::hint::black_box(diff);
    (usize::from(diff) | (a.len() ^ b.len())) == 0
}

/// Checks an `Authorization: Basic` value against the expected username
/// (the account SID or project id) and token. Both are compared in constant
/// time; every failure is [`BridgeError::Unauthorized`] with the reason
/// (answer it with [`write_rejection`]: 401, code 20003, `WWW-Authenticate`).
///
/// ```
/// use confpart::http::bridge::{check_basic, AuthFailure, BridgeError};
/// // "user:pass"
/// assert!(check_basic(Some(b"Basic dXNlcjpwYXNz"), "user", "pass").is_ok());
/// assert_eq!(
///     check_basic(Some(b"Basic dXNlcjpwYXNz"), "user", "other"),
///     Err(BridgeError::Unauthorized { reason: AuthFailure::Mismatch })
/// );
/// ```
pub fn check_basic(
    authorization: Option<&[u8]>,
    username: &str,
    token: &str,
) -> Result<(), BridgeError> {
    let fail = |reason| BridgeError::Unauthorized { reason };
    let value = authorization
        .ok_or(fail(AuthFailure::Missing))?
        .trim_ascii();
    let space = value
        .iter()
        .position(|&b| b == b' ')
        .ok_or(fail(AuthFailure::NotBasic))?;
    let (scheme, rest) = value.split_at(space);
    if !scheme.eq_ignore_ascii_case(b"basic") {
        return Err(fail(AuthFailure::NotBasic));
    }
    let encoded = rest.trim_ascii();
    if encoded.len() > MAX_CREDENTIALS_LEN.div_ceil(3) * 4 {
        return Err(fail(AuthFailure::TooLong));
    }
    let mut buf = [0u8; MAX_CREDENTIALS_LEN];
    let n = STANDARD
        .decode_slice(encoded, &mut buf)
        .map_err(|e| match e {
            base64::DecodeSliceError::OutputSliceTooSmall => fail(AuthFailure::TooLong),
            base64::DecodeSliceError::DecodeError(_) => fail(AuthFailure::InvalidBase64),
        })?;
    let creds = buf.get(..n).unwrap_or(&[]);
    let colon = creds
        .iter()
        .position(|&b| b == b':')
        .ok_or(fail(AuthFailure::MissingColon))?;
    let (user, rest) = creds.split_at(colon);
    let pass = rest.get(1..).unwrap_or(&[]);
    // Non-short-circuit `&`: both comparisons always run.
    let ok = constant_time_eq(user, username.as_bytes()) & constant_time_eq(pass, token.as_bytes());
    if ok {
        Ok(())
    } else {
        Err(fail(AuthFailure::Mismatch))
    }
}

/// An extra response header (validated when written).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct HeaderField<'a> {
    /// The name: a token (`A-Z a-z 0-9 !#$%&'*+-.^_`|~`).
    pub name: &'a str,
    /// The value: printable ASCII, space and tab only (no CR/LF).
    pub value: &'a str,
}

const fn is_token(b: u8) -> bool {
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

impl HeaderField<'_> {
    fn is_valid(&self) -> bool {
        const OWN: [&str; 4] = [
            "content-type",
            "content-length",
            "connection",
            "transfer-encoding",
        ];
        !self.name.is_empty()
            && self.name.bytes().all(is_token)
            && self
                .value
                .bytes()
                .all(|b| b == b'\t' || (0x20..=0x7e).contains(&b))
            && !OWN.iter().any(|o| o.eq_ignore_ascii_case(self.name))
    }
}

/// Writes `HTTP/1.1 100 Continue` (the answer to `Expect: 100-continue`).
pub fn write_continue<S: Sink + ?Sized>(sink: &mut S) -> Result<(), BridgeError> {
    sink.put(b"HTTP/1.1 100 Continue\r\n\r\n")?;
    Ok(())
}

/// Writes a response in one pass: status line, `Content-Type:
/// application/json; charset=utf-8` and `Content-Length` (unless the status
/// has no body: 1xx, 204, 304), the `extra` headers, `Connection`, and the
/// JSON `body` (already encoded).
pub fn write_response<S: Sink + ?Sized>(
    sink: &mut S,
    status: u16,
    body: &[u8],
    connection: Connection,
    extra: &[HeaderField<'_>],
) -> Result<(), BridgeError> {
    write_head(sink, status, body.len(), connection, extra)?;
    sink.put(body)?;
    Ok(())
}

/// The head of [`write_response`], for a body of `body_len` bytes.
fn write_head<S: Sink + ?Sized>(
    sink: &mut S,
    status: u16,
    body_len: usize,
    connection: Connection,
    extra: &[HeaderField<'_>],
) -> Result<(), BridgeError> {
    if !(100..=599).contains(&status) {
        return Err(BridgeError::InvalidStatus { status });
    }
    let bodyless = status < 200 || status == 204 || status == 304;
    if bodyless && body_len != 0 {
        return Err(BridgeError::BodyNotAllowed { status });
    }
    if let Some(index) = extra.iter().position(|h| !h.is_valid()) {
        return Err(BridgeError::InvalidHeader { index });
    }
    sink.put(b"HTTP/1.1 ")?;
    sink.put_u64(u64::from(status))?;
    sink.put(b" ")?;
    sink.put_str(reason_phrase(status))?;
    sink.put(b"\r\n")?;
    if !bodyless {
        sink.put(b"Content-Type: application/json; charset=utf-8\r\nContent-Length: ")?;
        sink.put_u64(body_len as u64)?;
        sink.put(b"\r\n")?;
    }
    for h in extra {
        sink.put_str(h.name)?;
        sink.put(b": ")?;
        sink.put_str(h.value)?;
        sink.put(b"\r\n")?;
    }
    sink.put(b"Connection: ")?;
    sink.put_str(connection.as_str())?;
    sink.put(b"\r\n\r\n")?;
    Ok(())
}

/// Writes `204 No Content` (the answer to delete).
pub fn write_no_content<S: Sink + ?Sized>(
    sink: &mut S,
    connection: Connection,
) -> Result<(), BridgeError> {
    write_response(sink, 204, b"", connection, &[])
}

/// Writes a participant answer (200 to update/fetch, 201 to create): the
/// head with `Content-Length` = [`Participant::encoded_len`], then the JSON
/// encoded straight into `sink` (no scratch buffer).
pub fn write_participant<S: Sink + ?Sized>(
    sink: &mut S,
    status: u16,
    participant: &Participant<'_>,
    connection: Connection,
) -> Result<(), BridgeError> {
    write_head(sink, status, participant.encoded_len(), connection, &[])?;
    participant.encode(sink)?;
    Ok(())
}

/// Writes a Twilio-shaped error answer (`{code, message, more_info,
/// status}`); the JSON is encoded into `scratch` first.
pub fn write_api_error<S: Sink + ?Sized>(
    sink: &mut S,
    status: u16,
    code: u32,
    message: &str,
    scratch: &mut [u8],
    connection: Connection,
    extra: &[HeaderField<'_>],
) -> Result<(), BridgeError> {
    let n = ApiError::encode_twilio(code, message, status, scratch)?;
    write_response(
        sink,
        status,
        scratch.get(..n).unwrap_or(&[]),
        connection,
        extra,
    )
}

/// Writes the answer to a rejected request: its status, the Twilio error
/// body, and `WWW-Authenticate: Basic realm="{realm}"` (401) or `Allow`
/// (405). `realm` must be printable ASCII without `"` or `\`.
///
/// ```
/// use confpart::http::bridge::{write_rejection, AuthFailure, BridgeError, DEFAULT_REALM};
/// use confpart::http::Connection;
/// use confpart::write::SliceSink;
///
/// let mut out = [0u8; 512];
/// let mut scratch = [0u8; 256];
/// let mut sink = SliceSink::new(&mut out);
/// let e = BridgeError::Unauthorized { reason: AuthFailure::Missing };
/// write_rejection(&mut sink, &e, DEFAULT_REALM, &mut scratch, Connection::Close)?;
/// let text = core::str::from_utf8(sink.written()).unwrap();
/// assert!(text.starts_with("HTTP/1.1 401 Unauthorized\r\n"));
/// assert!(text.contains("\r\nWWW-Authenticate: Basic realm=\"Twilio API\"\r\n"));
/// assert!(text.ends_with("\"code\":20003,\"message\":\"Authenticate\",\"more_info\":\"https://www.twilio.com/docs/errors/20003\",\"status\":401}"));
/// # Ok::<(), BridgeError>(())
/// ```
pub fn write_rejection<S: Sink + ?Sized>(
    sink: &mut S,
    error: &BridgeError,
    realm: &str,
    scratch: &mut [u8],
    connection: Connection,
) -> Result<(), BridgeError> {
    let status = error.status();
    let mut challenge = [0u8; 128];
    let holder: [HeaderField<'_>; 1];
    let extra: &[HeaderField<'_>] = match error {
        BridgeError::Unauthorized { .. } => {
            let mut s = crate::write::SliceSink::new(&mut challenge);
            if realm.bytes().any(|b| b == b'"' || b == b'\\') {
                return Err(BridgeError::InvalidHeader { index: 0 });
            }
            s.put(b"Basic realm=\"")?;
            s.put_str(realm)?;
            s.put(b"\"")?;
            let value = core::str::from_utf8(s.into_written()).unwrap_or("");
            holder = [HeaderField {
                name: "WWW-Authenticate",
                value,
            }];
            &holder
        }
        BridgeError::MethodNotAllowed { allow } => {
            holder = [HeaderField {
                name: "Allow",
                value: allow,
            }];
            &holder
        }
        _ => &[],
    };
    write_api_error(
        sink,
        status,
        error.code(),
        error.message(),
        scratch,
        connection,
        extra,
    )
}

/// The length [`write_response`] would produce, to size a buffer.
pub fn response_len(
    status: u16,
    body: &[u8],
    connection: Connection,
    extra: &[HeaderField<'_>],
) -> Result<usize, BridgeError> {
    let mut sink = CountingSink::default();
    write_response(&mut sink, status, body, connection, extra)?;
    Ok(sink.count)
}
