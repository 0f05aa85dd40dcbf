//! One incremental reader for both message kinds: the bridge reads requests,
//! the client reads responses. The framing engine ([`super::body`]) and the
//! head checks ([`super::head`]) are shared; only the start line differs.

use core::fmt;

use super::body::{BodyMode, Framer, HeadAction};
use super::head::{self, Collected, Fields, Span};
use super::{HttpError, Progress};
use crate::wire::scan;

mod sealed {
    pub trait Sealed {}
}

/// The kind of message a [`Reader`] reads: [`RequestKind`] (bridge) or
/// [`ResponseKind`] (client). Sealed.
pub trait Kind: sealed::Sealed + Copy + fmt::Debug {
    /// True for responses (a status line), false for requests.
    const RESPONSE: bool;
    /// True for the answer to `CONNECT` ([`ConnectKind`]): a 2xx head ends
    /// the message (RFC 9110 §9.3.6), whatever framing it names.
    const TUNNEL: bool = false;
}

/// Reading requests (the bridge side).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct RequestKind;

/// Reading a response (the client side), remembering `T`, what the request
/// was (the client layer keeps its operation there).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct ResponseKind<T> {
    request: T,
}

impl<T: Copy> ResponseKind<T> {
    /// What the request was.
    pub const fn request(&self) -> T {
        self.request
    }
}

/// Reading a proxy's answer to `CONNECT` (a client behind an HTTP proxy).
/// A 2xx answer is complete at the end of its head: the bytes after it are
/// the tunnel's ([`Message::consumed`] says where they start), and any
/// `Content-Length` or `Transfer-Encoding` it carries is ignored, as RFC
/// 9110 §9.3.6 requires. Any other status (`407`, `403`, `502`, ...) is
/// framed like every response, so its body can be read and the connection
/// closed.
///
/// ```
/// use confpart::wire::http::{ConnectReader, Progress};
///
/// let mut buf = [0u8; 256];
/// let mut reader = ConnectReader::new(&mut buf);
/// let input = b"HTTP/1.1 200 Connection established\r\nContent-Length: 9\r\n\r\n\x16\x03";
/// let Progress::Complete(answer) = reader.feed(input)? else { panic!() };
/// assert_eq!(answer.status(), 200);
/// assert_eq!(&input[answer.consumed()..], b"\x16\x03"); // the tunnel's first bytes
/// # Ok::<(), confpart::wire::http::HttpError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct ConnectKind;

/// Reads a proxy's answer to `CONNECT`: `ConnectReader::new(&mut buf)`.
pub type ConnectReader<'b> = Reader<'b, ConnectKind>;
/// A proxy's complete answer to `CONNECT`.
pub type ConnectMessage<'a> = Message<'a, ConnectKind>;

impl sealed::Sealed for RequestKind {}
impl<T> sealed::Sealed for ResponseKind<T> {}
impl sealed::Sealed for ConnectKind {}

impl Kind for ConnectKind {
    const RESPONSE: bool = true;
    const TUNNEL: bool = true;
}

impl Kind for RequestKind {
    const RESPONSE: bool = false;
}

impl<T: Copy + fmt::Debug> Kind for ResponseKind<T> {
    const RESPONSE: bool = true;
}

/// Reads requests: `RequestReader::new(&mut buf)`.
pub type RequestReader<'b> = Reader<'b, RequestKind>;
/// A complete request.
pub type RequestMessage<'a> = Message<'a, RequestKind>;

/// What the head said, as offsets into the head.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Info {
    pub version: u8,
    /// Request: the method.
    pub method: Span,
    /// Request: the path (before `?`).
    pub path: Span,
    /// Request: the query (after `?`).
    pub query: Option<Span>,
    /// Response: the status code.
    pub status: u16,
    /// Response: the reason phrase.
    pub reason: Span,
    /// Response: the body ends when the connection closes.
    pub until_close: bool,
    pub framing: Collected,
    pub fields: Fields,
}

/// Parses a complete request head into `info` (`clean`: the scanner saw no
/// forbidden control character in it).
fn parse_request(
    head: &[u8],
    skipped: usize,
    clean: bool,
    info: &mut Info,
) -> Result<BodyMode, HttpError> {
    let (line, from) = head::first_line(head);
    let start = head::request_line(line, skipped)?;
    head::parse_fields(head, from, skipped, clean, &mut info.fields)?;
    let framing = head::collect(head, &info.fields, start.version, skipped)?;
    let target = start.target;
    let (path, query) = match scan::byte(target.get(head), b'?') {
        Some(q) => (
            Span {
                start: target.start,
                end: target.start + q,
            },
            Some(Span {
                start: target.start + q + 1,
                end: target.end,
            }),
        ),
        None => (target, None),
    };
    info.version = start.version;
    info.method = start.method;
    info.path = path;
    info.query = query;
    info.framing = framing;
    Ok(if framing.chunked {
        BodyMode::Chunked
    } else {
        match framing.content_length {
            Some(n) => BodyMode::Length(n),
            None => BodyMode::Empty,
        }
    })
}

/// Parses a complete response head into `info` (`clean`: the scanner saw
/// no forbidden control character in it). Out of line: it runs once a
/// message, and inlined into the feeding loop it added its registers and
/// locals to the caller's.
#[inline(never)]
fn parse_response(
    head: &[u8],
    skipped: usize,
    clean: bool,
    info: &mut Info,
) -> Result<HeadAction, HttpError> {
    let (line, from) = head::first_line(head);
    let start = head::status_line(line, clean)?;
    head::parse_fields(head, from, skipped, clean, &mut info.fields)?;
    let version = start.version;
    let status = start.status;
    let framing = head::collect(head, &info.fields, version, skipped)?;
    let action = match status {
        100..=199 if status != 101 => HeadAction::Interim,
        100..=199 | 204 | 304 => HeadAction::Body(BodyMode::Empty),
        _ if framing.chunked => HeadAction::Body(BodyMode::Chunked),
        _ => match framing.content_length {
            Some(n) => HeadAction::Body(BodyMode::Length(n)),
            None => HeadAction::Body(BodyMode::UntilClose),
        },
    };
    info.version = version;
    info.status = status;
    info.reason = start.reason;
    info.until_close = action == HeadAction::Body(BodyMode::UntilClose);
    info.framing = framing;
    Ok(action)
}

/// The answer to `CONNECT` (`connect`): a 2xx ends at its head, the tunnel
/// starts right after it. Apart from [`parse_response`] so that a reader of
/// other responses (`K::TUNNEL` false, a constant) keeps that function's
/// code as it is: on firmware the client path's flash is fenced.
#[inline(always)]
fn tunnel(connect: bool, action: HeadAction, info: &mut Info) -> HeadAction {
    if connect && (200..300).contains(&info.status) {
        info.until_close = false;
        return HeadAction::Body(BodyMode::Empty);
    }
    action
}

/// Reads one message at a time, incrementally, into a caller buffer (the
/// head, then the de-chunked body right after it).
///
/// [`Reader::feed`] gives [`Progress::Partial`] until the message is
/// complete, then [`Progress::Complete`] with the [`Message`]. Any split of
/// the input (1 byte at a time too) gives the same result. After an error the
/// reader stays failed: answer it (bridge) or close the connection. To read
/// the next message of a keep-alive connection, [`Reader::reset`].
///
/// ```
/// use confpart::wire::http::{Progress, RequestReader};
///
/// let bytes = b"DELETE /x HTTP/1.1\r\nHost: a\r\n\r\nGET /y HTTP/1.1\r\n\r\n";
/// let mut buf = [0u8; 256];
/// let mut reader = RequestReader::new(&mut buf);
/// let Progress::Complete(first) = reader.feed(bytes)? else { panic!() };
/// assert_eq!(first.method(), "DELETE");
/// let used = first.consumed(); // the rest is the next (pipelined) request
/// reader.reset();
/// let Progress::Complete(second) = reader.feed(&bytes[used..])? else { panic!() };
/// assert_eq!(second.path(), "/y");
/// # Ok::<(), confpart::wire::http::HttpError>(())
/// ```
#[derive(Debug)]
pub struct Reader<'b, K: Kind> {
    framer: Framer<'b>,
    kind: K,
    info: Info,
    /// `info` describes the current message's head.
    ready: bool,
    /// Input bytes taken by the last `feed`.
    consumed: usize,
}

impl<'b> Reader<'b, RequestKind> {
    /// A request reader over `buf`, which must hold the head and the body.
    pub fn new(buf: &'b mut [u8]) -> Self {
        Self::with_kind(buf, RequestKind)
    }
}

impl<'b, T: Copy + fmt::Debug> Reader<'b, ResponseKind<T>> {
    /// A reader over `buf` (which must hold the head and the body) of the
    /// response to a request, remembering `request`, what it was
    /// ([`Message::request`]). [`crate::client::Request::response_reader`]
    /// makes one with the request's operation.
    pub fn new(buf: &'b mut [u8], request: T) -> Self {
        Self::with_kind(buf, ResponseKind { request })
    }
}

impl<'b> Reader<'b, ConnectKind> {
    /// A reader of a proxy's answer to `CONNECT` over `buf` (which must
    /// hold the head, and the body of a refusal).
    pub fn new(buf: &'b mut [u8]) -> Self {
        Self::with_kind(buf, ConnectKind)
    }
}

impl<'b, K: Kind> Reader<'b, K> {
    fn with_kind(buf: &'b mut [u8], kind: K) -> Self {
        Self {
            framer: Framer::new(buf),
            kind,
            info: Info::default(),
            ready: false,
            consumed: 0,
        }
    }

    /// Feeds bytes read from the connection. A response's interim (1xx)
    /// heads are skipped. `Partial` means every byte was taken;
    /// `Complete(message)` says how many with [`Message::consumed`].
    pub fn feed(&mut self, input: &[u8]) -> Result<Progress<Message<'_, K>>, HttpError> {
        let response = K::RESPONSE;
        let info = &mut self.info;
        let ready = &mut self.ready;
        let (consumed, complete) = self.framer.feed(input, |head, skipped, clean| {
            let action = if response {
                tunnel(K::TUNNEL, parse_response(head, skipped, clean, info)?, info)
            } else {
                HeadAction::Body(parse_request(head, skipped, clean, info)?)
            };
            *ready = action != HeadAction::Interim;
            Ok(action)
        })?;
        self.consumed = consumed;
        Ok(match self.message() {
            Some(m) if complete => Progress::Complete(m),
            _ => Progress::Partial,
        })
    }

    /// Tells the reader the connection was closed: completes a response body
    /// delimited by the close, or fails with what was missing
    /// ([`HttpError::EofInHead`] with `received: 0` is a clean close between
    /// messages).
    pub fn finish(&mut self) -> Result<Message<'_, K>, HttpError> {
        self.framer.finish()?;
        self.consumed = 0;
        self.message().ok_or(HttpError::EofInHead { received: 0 })
    }

    /// The complete message (`None` until then): for code that feeds in a
    /// loop and takes the message afterwards.
    pub fn message(&self) -> Option<Message<'_, K>> {
        if !(self.ready && self.framer.is_complete()) {
            return None;
        }
        Some(Message {
            kind: self.kind,
            head: self.framer.head(),
            body: self.framer.body(),
            info: &self.info,
            consumed: self.consumed,
        })
    }

    /// True once head and body are complete.
    pub fn is_complete(&self) -> bool {
        self.ready && self.framer.is_complete()
    }

    /// The length of the message's head (start line to the empty line, its
    /// CRLF included; empty lines before it and a response's interim heads
    /// not counted) once the reader has it, `None` before: e.g. a server's
    /// choice between its header timeout and its request timeout. The
    /// reader's own end-of-head scan, so an adapter needs none.
    ///
    /// ```
    /// use confpart::wire::http::RequestReader;
    ///
    /// let mut buf = [0u8; 256];
    /// let mut reader = RequestReader::new(&mut buf);
    /// reader.feed(b"POST /x HTTP/1.1\r\nContent-Length: 4\r\n")?;
    /// assert_eq!(reader.head_len(), None);
    /// reader.feed(b"\r\nab")?; // the head is complete, the body is not
    /// assert_eq!(reader.head_len(), Some(39));
    /// # Ok::<(), confpart::wire::http::HttpError>(())
    /// ```
    pub fn head_len(&self) -> Option<usize> {
        self.ready.then(|| self.framer.head().len())
    }

    /// True when the head is complete, asked for `Expect: 100-continue`, and
    /// the body has not arrived: answer
    /// [`write_continue`](crate::bridge::write_continue) now.
    pub fn expect_continue(&self) -> bool {
        self.ready && self.info.framing.expect_continue && !self.framer.is_complete()
    }

    /// Forgets the message to read the next one with the same buffer.
    pub fn reset(&mut self) {
        self.framer.reset();
        self.ready = false;
        self.consumed = 0;
    }
}

/// A complete message: its start line, header fields, and de-chunked body,
/// borrowed from the [`Reader`]'s buffer. `Copy`, small (a few pointers).
#[derive(Clone, Copy)]
pub struct Message<'a, K: Kind> {
    kind: K,
    head: &'a [u8],
    body: &'a [u8],
    info: &'a Info,
    consumed: usize,
}

impl<K: Kind> fmt::Debug for Message<'_, K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Message")
            .field("kind", &self.kind)
            .field("version_minor", &self.info.version)
            .field("head_len", &self.head.len())
            .field("body_len", &self.body.len())
            .field("consumed", &self.consumed)
            .finish()
    }
}

impl<'a, K: Kind> Message<'a, K> {
    /// What kind of message this is.
    pub fn kind(&self) -> K {
        self.kind
    }

    /// The minor version: 1 for HTTP/1.1, 0 for HTTP/1.0.
    pub fn version_minor(&self) -> u8 {
        self.info.version
    }

    /// The first header field called `name` (any case). The fields this
    /// crate reads (`Content-Length`, `Host`, `Authorization`, ...) appear
    /// at most once: a repeat is [`HttpError::DuplicateHeader`].
    pub fn header(&self, name: &str) -> Option<&'a [u8]> {
        self.info.fields.get(self.head, name)
    }

    /// Every header field, in order, as (name, value).
    pub fn headers(&self) -> impl Iterator<Item = (&'a [u8], &'a [u8])> + 'a {
        self.info.fields.iter(self.head)
    }

    /// The body (de-chunked; empty when there is none).
    pub fn body(&self) -> &'a [u8] {
        self.body
    }

    /// The bytes of the last input given to [`Reader::feed`] that this
    /// message took: the rest belongs to the next message.
    pub fn consumed(&self) -> usize {
        self.consumed
    }

    /// `Content-Type`.
    pub fn content_type(&self) -> Option<&'a [u8]> {
        self.header("content-type")
    }

    /// `Content-Length`.
    pub fn content_length(&self) -> Option<u64> {
        self.info.framing.content_length
    }

    /// `Transfer-Encoding: chunked`.
    pub fn chunked(&self) -> bool {
        self.info.framing.chunked
    }

    /// The first `Connection` header.
    pub fn connection(&self) -> Option<&'a [u8]> {
        self.header("connection")
    }

    /// Whether the connection may be reused after this message (HTTP/1.1
    /// without `close`, or HTTP/1.0 with `keep-alive`; never after a body
    /// delimited by the close).
    pub fn keep_alive(&self) -> bool {
        self.info.framing.keep_alive(self.info.version) && !self.info.until_close
    }
}

impl<'a> Message<'a, RequestKind> {
    fn text(&self, span: Span) -> &'a str {
        core::str::from_utf8(span.get(self.head)).unwrap_or("")
    }

    /// The method (case-sensitive).
    pub fn method(&self) -> &'a str {
        self.text(self.info.method)
    }

    /// The path (before `?`), still percent-encoded: printable ASCII only.
    pub fn path(&self) -> &'a str {
        self.text(self.info.path)
    }

    /// The query string (after `?`), if any.
    pub fn query(&self) -> Option<&'a str> {
        self.info.query.map(|s| self.text(s))
    }

    /// `Host`.
    pub fn host(&self) -> Option<&'a [u8]> {
        self.header("host")
    }

    /// `Authorization`.
    pub fn authorization(&self) -> Option<&'a [u8]> {
        self.header("authorization")
    }

    /// `Expect: 100-continue` was sent.
    pub fn expect_continue(&self) -> bool {
        self.info.framing.expect_continue
    }
}

impl<'a, T: Copy + fmt::Debug> Message<'a, ResponseKind<T>> {
    /// The status code.
    pub fn status(&self) -> u16 {
        self.info.status
    }

    /// The reason phrase.
    pub fn reason(&self) -> &'a [u8] {
        self.info.reason.get(self.head)
    }

    /// What the request was (as given to [`Reader::new`]).
    pub fn request(&self) -> T {
        self.kind.request
    }
}

impl<'a> Message<'a, ConnectKind> {
    /// The status code: 2xx opened the tunnel; `407` asks for (other)
    /// proxy credentials; anything else is the proxy's refusal.
    pub fn status(&self) -> u16 {
        self.info.status
    }

    /// The reason phrase.
    pub fn reason(&self) -> &'a [u8] {
        self.info.reason.get(self.head)
    }
}
