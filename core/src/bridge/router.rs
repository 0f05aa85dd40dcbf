//! Routing a request to an operation, the Basic auth check, and the
//! response writers; [`BridgeError`], the one error of the bridge flow.

use core::fmt;

use super::answer::{Answer, ApiAnswer};
use crate::api::codes;
use crate::api::error as api_error;
use crate::api::operation::OperationKind;
use crate::api::participant::Status;
use crate::api::participant::{Participant, Reply};
use crate::api::path::{Dialect, ParticipantPath, PathError};
use crate::api::query::QueryError;
use crate::api::update::FormError;
use crate::bridge::{ConferenceError, Rejection};
use crate::wire::date::RFC2822_LEN;
use crate::wire::http::{Connection, HeaderField, HttpError, reason_phrase};
use crate::wire::http::{Framed, write_framed};
use crate::wire::ident::{IdError, ParticipantRef};
use crate::wire::ident::{SID_CAPACITY, UUID_LEN};
use crate::wire::sink::{CountingSink, Sink, WriteError, decimal_len};

/// Longest decoded Basic credentials (`username:token`) accepted.
pub const MAX_CREDENTIALS_LEN: usize = 256;
/// The realm a bridge names in `WWW-Authenticate`.
pub const DEFAULT_REALM: &str = "Twilio API";
/// The `WWW-Authenticate` value of a 401 (Twilio, SignalWire: Basic).
const CHALLENGE: &str = "Basic realm=\"Twilio API\"";
/// The `WWW-Authenticate` value of a Telnyx 401: its API keys are Bearer tokens.
const BEARER_CHALLENGE: &str = "Bearer realm=\"Telnyx API\"";
/// Longest Bearer token accepted (Telnyx API keys are under 100 bytes).
pub const MAX_BEARER_LEN: usize = 256;

/// Why authentication (Basic, or Bearer for Telnyx) failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum AuthFailure {
    /// No `Authorization` header.
    Missing,
    /// A scheme other than `Basic` (Twilio, SignalWire).
    NotBasic,
    /// A scheme other than `Bearer` (Telnyx; `Basic` included).
    NotBearer,
    /// The credentials are not valid base64.
    InvalidBase64,
    /// The decoded credentials are longer than [`MAX_CREDENTIALS_LEN`]
    /// (a Bearer token longer than [`MAX_BEARER_LEN`]).
    TooLong,
    /// No `:` between username and token.
    MissingColon,
    /// Wrong username or token.
    Mismatch,
}

/// Everything a bridge can meet while answering a request: framing, routing,
/// authentication, the form or query, the conference's rules, and writing
/// the response. Every lower-layer error converts into it (`?` works
/// throughout a handler), and [`BridgeError::answer`] gives the HTTP status,
/// error code and message; [`write_error`] writes that answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum BridgeError {
    /// The request is not well framed (400, 413, 414, 417, 431, 501).
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
    /// The create form body is invalid (400, code 20001; 16023 for a label
    /// longer than can be stored: [`crate::api::create::FormError::code`]).
    CreateForm(crate::api::create::FormError),
    /// An identifier is invalid (400, code 20001).
    Id(IdError),
    /// A POST body that is neither a form nor (to a Telnyx bridge) JSON
    /// (415, code 20001; Telnyx's 10015).
    UnsupportedMediaType,
    /// The conference refused the update (its answer: [`Rejection::answer`]).
    Rejected(Rejection),
    /// The conference refused a join, step or lookup
    /// ([`ConferenceError::answer`]).
    Conference(ConferenceError),
    /// A set of conferences refused an operation
    /// ([`crate::bridge::Refusal::answer`]).
    Refused(crate::bridge::Refusal),
    /// A status outside 100..=599 given to a writer (500).
    InvalidStatus {
        /// The status.
        status: u16,
    },
    /// A body given with a status that has none (1xx, 204, 304) (500).
    BodyNotAllowed {
        /// The status.
        status: u16,
    },
    /// An extra header with an invalid name or value, or one the writer
    /// writes itself (`Content-Type`, `Content-Length`, `Connection`,
    /// `Transfer-Encoding`, ...) (500).
    InvalidHeader {
        /// Index in the extra headers.
        index: usize,
    },
    /// The sink failed or is full (500).
    Write(WriteError),
}

impl BridgeError {
    /// The HTTP status, error code and message to answer with (see the
    /// table in [`crate::bridge::Answer`]'s module).
    ///
    /// ```
    /// use confpart::bridge::{AuthFailure, BridgeError};
    /// let a = BridgeError::Unauthorized { reason: AuthFailure::Missing }.answer();
    /// assert_eq!((a.status, a.code, a.message), (401, 20003, "Authenticate"));
    /// ```
    pub const fn answer(&self) -> ApiAnswer {
        match self {
            Self::Http(e) => e.answer(),
            Self::NotFound { .. } => ApiAnswer::new(
                404,
                codes::NOT_FOUND,
                "The requested resource was not found",
            ),
            Self::MethodNotAllowed { allow } => ApiAnswer {
                status: 405,
                code: codes::METHOD_NOT_ALLOWED,
                message: "Method not allowed",
                allow: Some(allow),
            },
            Self::Unauthorized { .. } => {
                ApiAnswer::new(401, codes::AUTHENTICATION_FAILED, "Authenticate")
            }
            Self::Query(_) => {
                ApiAnswer::new(400, codes::INVALID_PARAMETER, "Invalid query parameter")
            }
            Self::Form(_) => {
                ApiAnswer::new(400, codes::INVALID_PARAMETER, "Invalid form parameter")
            }
            Self::CreateForm(e) => {
                ApiAnswer::new(e.http_status(), e.code(), "Invalid form parameter")
            }
            Self::Id(_) => ApiAnswer::new(400, codes::INVALID_PARAMETER, "Invalid identifier"),
            Self::UnsupportedMediaType => ApiAnswer::new(
                415,
                codes::INVALID_PARAMETER,
                "Unsupported Content-Type: send application/x-www-form-urlencoded or application/json",
            ),
            Self::Rejected(r) => r.answer(),
            Self::Conference(e) => e.answer(),
            Self::Refused(e) => e.answer(),
            Self::InvalidStatus { .. }
            | Self::BodyNotAllowed { .. }
            | Self::InvalidHeader { .. }
            | Self::Write(_) => ApiAnswer::new(500, codes::INTERNAL_ERROR, "Internal server error"),
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
            Self::CreateForm(e) => write!(f, "create form body: {e}"),
            Self::Id(e) => write!(f, "identifier: {e}"),
            Self::UnsupportedMediaType => f.write_str("unsupported Content-Type"),
            Self::Rejected(r) => write!(f, "update rejected: {r}"),
            Self::Conference(e) => write!(f, "conference: {e}"),
            Self::Refused(e) => write!(f, "refused: {e}"),
            Self::InvalidStatus { status } => write!(f, "invalid status {status}"),
            Self::BodyNotAllowed { status } => write!(f, "status {status} has no body"),
            Self::InvalidHeader { index } => write!(f, "extra header {index} is invalid"),
            Self::Write(e) => write!(f, "writing the response: {e}"),
        }
    }
}

impl core::error::Error for BridgeError {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            Self::Http(e) => Some(e),
            Self::NotFound { error } => Some(error),
            Self::Query(e) => Some(e),
            Self::Form(e) => Some(e),
            Self::CreateForm(e) => Some(e),
            Self::Id(e) => Some(e),
            Self::Rejected(e) => Some(e),
            Self::Conference(e) => Some(e),
            Self::Refused(e) => Some(e),
            Self::Write(e) => Some(e),
            _ => None,
        }
    }
}

macro_rules! bridge_from {
    ($($t:ty => $v:ident),* $(,)?) => {$(
        impl From<$t> for BridgeError {
            fn from(e: $t) -> Self {
                Self::$v(e)
            }
        }
    )*};
}

bridge_from!(
    WriteError => Write,
    HttpError => Http,
    QueryError => Query,
    FormError => Form,
    crate::api::create::FormError => CreateForm,
    IdError => Id,
    Rejection => Rejected,
    ConferenceError => Conference,
    crate::bridge::Refusal => Refused,
);

impl From<PathError> for BridgeError {
    fn from(error: PathError) -> Self {
        Self::NotFound { error }
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

impl Route {
    /// The participant the route addresses; on the collection path (list,
    /// create) that is [`BridgeError::MethodNotAllowed`] with the
    /// collection's methods.
    pub fn participant(&self) -> Result<&ParticipantRef, BridgeError> {
        self.path
            .participant
            .as_ref()
            .ok_or(BridgeError::MethodNotAllowed {
                allow: ALLOW_COLLECTION,
            })
    }
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
/// use confpart::bridge::{BridgeError, route};
/// use confpart::api::operation::OperationKind;
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
/// use confpart::bridge::constant_time_eq;
/// assert!(constant_time_eq(b"token", b"token"));
/// assert!(!constant_time_eq(b"token", b"tokex"));
/// assert!(!constant_time_eq(b"token", b"token\0"));
/// ```
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    let common = a.len().min(b.len());
    let (a_head, a_tail) = a.split_at_checked(common).unwrap_or((a, &[]));
    let (b_head, b_tail) = b.split_at_checked(common).unwrap_or((b, &[]));
    let mut diff: u8 = 0;
    for (x, y) in a_head.iter().zip(b_head) {
        diff |= x ^ y;
    }
    // The longer one's tail is compared with zeros (one tail is empty).
    for x in a_tail.iter().chain(b_tail) {
        diff |= x;
    }
    let diff = core::hint::black_box(diff);
    (usize::from(diff) | (a.len() ^ b.len())) == 0
}

/// Checks an `Authorization: Basic` value against the expected username
/// (the account SID or project id) and token. Both are compared in constant
/// time; every failure is [`BridgeError::Unauthorized`] with the reason
/// (answer it with [`write_error`]: 401, code 20003, `WWW-Authenticate`).
///
/// ```
/// use confpart::bridge::{AuthFailure, BridgeError, check_basic};
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
    let encoded = credentials_of(authorization, b"basic", AuthFailure::NotBasic)?;
    if encoded.len() > MAX_CREDENTIALS_LEN.div_ceil(3) * 4 {
        return Err(fail(AuthFailure::TooLong));
    }
    let mut buf = [0u8; MAX_CREDENTIALS_LEN];
    let n = crate::wire::base64::decode(encoded, &mut buf).map_err(|e| match e {
        crate::wire::base64::DecodeError::OutputFull => fail(AuthFailure::TooLong),
        crate::wire::base64::DecodeError::Invalid => fail(AuthFailure::InvalidBase64),
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

/// The credentials of an `Authorization` value in `scheme` (lower case,
/// matched in any case), trimmed: [`AuthFailure::Missing`] without the
/// header, `wrong` for another scheme or none.
fn credentials_of<'v>(
    authorization: Option<&'v [u8]>,
    scheme: &[u8],
    wrong: AuthFailure,
) -> Result<&'v [u8], BridgeError> {
    let fail = |reason| BridgeError::Unauthorized { reason };
    let value = authorization
        .ok_or(fail(AuthFailure::Missing))?
        .trim_ascii();
    let space = value.iter().position(|&b| b == b' ').ok_or(fail(wrong))?;
    let (sent, rest) = value.split_at(space);
    if !sent.eq_ignore_ascii_case(scheme) {
        return Err(fail(wrong));
    }
    Ok(rest.trim_ascii())
}

/// Checks an `Authorization: Bearer` value (Telnyx: the API key) against
/// `token`, compared in constant time. Every failure is
/// [`BridgeError::Unauthorized`] with the reason; `Basic` credentials sent
/// to a Telnyx bridge are [`AuthFailure::NotBearer`] (answer it with
/// [`write_error_in`]: 401, Telnyx's code 10009, `WWW-Authenticate: Bearer`).
///
/// ```
/// use confpart::bridge::{AuthFailure, BridgeError, check_bearer};
/// assert!(check_bearer(Some(b"Bearer KEY0123"), "KEY0123").is_ok());
/// assert!(check_bearer(Some(b"bearer  KEY0123 "), "KEY0123").is_ok());
/// assert_eq!(
///     check_bearer(Some(b"Bearer KEY0124"), "KEY0123"),
///     Err(BridgeError::Unauthorized { reason: AuthFailure::Mismatch })
/// );
/// assert_eq!(
///     check_bearer(Some(b"Basic dXNlcjpwYXNz"), "KEY0123"),
///     Err(BridgeError::Unauthorized { reason: AuthFailure::NotBearer })
/// );
/// ```
pub fn check_bearer(authorization: Option<&[u8]>, token: &str) -> Result<(), BridgeError> {
    let fail = |reason| BridgeError::Unauthorized { reason };
    let sent = credentials_of(authorization, b"bearer", AuthFailure::NotBearer)?;
    if sent.len() > MAX_BEARER_LEN {
        return Err(fail(AuthFailure::TooLong));
    }
    if constant_time_eq(sent, token.as_bytes()) {
        Ok(())
    } else {
        Err(fail(AuthFailure::Mismatch))
    }
}

/// Writes `HTTP/1.1 100 Continue` (the answer to `Expect: 100-continue`,
/// see [`crate::wire::http::Reader::expect_continue`]).
pub fn write_continue<S: Sink + ?Sized>(sink: &mut S) -> Result<(), BridgeError> {
    sink.put(b"HTTP/1.1 100 Continue\r\n\r\n")?;
    Ok(())
}

/// Checks a response head: the status, a body only where the status has
/// one, the `extra` headers. Returns whether the status is bodyless (1xx,
/// 204, 304).
fn check_head(status: u16, has_body: bool, extra: &[HeaderField<'_>]) -> Result<bool, BridgeError> {
    if !(100..=599).contains(&status) {
        return Err(BridgeError::InvalidStatus { status });
    }
    let bodyless = status < 200 || status == 204 || status == 304;
    if bodyless && has_body {
        return Err(BridgeError::BodyNotAllowed { status });
    }
    if let Some(index) = HeaderField::first_invalid(extra) {
        return Err(BridgeError::InvalidHeader { index });
    }
    Ok(bodyless)
}

/// The status line.
fn write_status_line<S: Sink + ?Sized>(sink: &mut S, status: u16) -> Result<(), WriteError> {
    // The participant answers' statuses as one constant `put`.
    match status {
        200 => return sink.put(b"HTTP/1.1 200 OK\r\n"),
        201 => return sink.put(b"HTTP/1.1 201 Created\r\n"),
        _ => {}
    }
    sink.put(b"HTTP/1.1 ")?;
    sink.put_u64(u64::from(status))?;
    sink.put(b" ")?;
    sink.put_str(reason_phrase(status))?;
    sink.put(b"\r\n")
}

/// `Content-Type` and the name of `Content-Length`: its digits follow.
const JSON_LENGTH: &[u8] = b"Content-Type: application/json; charset=utf-8\r\nContent-Length: ";

/// The end of a head: the `extra` headers, `Connection`, the empty line.
fn write_head_end<S: Sink + ?Sized>(
    sink: &mut S,
    connection: Connection,
    extra: &[HeaderField<'_>],
) -> Result<(), WriteError> {
    HeaderField::write_all(extra, sink)?;
    sink.put(b"Connection: ")?;
    sink.put_str(connection.as_str())?;
    sink.put(b"\r\n\r\n")
}

/// Checks, then writes a response head: status line, `Content-Type:
/// application/json; charset=utf-8` and `Content-Length: {body_len}`
/// (unless the status has no body: 1xx, 204, 304), the `extra` headers and
/// `Connection`. Nothing is written when a check fails.
pub(crate) fn write_head<S: Sink + ?Sized>(
    sink: &mut S,
    status: u16,
    body_len: usize,
    connection: Connection,
    extra: &[HeaderField<'_>],
) -> Result<(), BridgeError> {
    let bodyless = check_head(status, body_len != 0, extra)?;
    write_status_line(sink, status)?;
    if !bodyless {
        sink.put(JSON_LENGTH)?;
        sink.put_u64(body_len as u64)?;
        sink.put(b"\r\n")?;
    }
    write_head_end(sink, connection, extra)?;
    Ok(())
}

/// A JSON document that is never empty (a participant, a list page).
pub(crate) trait JsonBody {
    /// Writes the document.
    fn write<S: Sink + ?Sized>(&self, sink: &mut S) -> Result<(), WriteError>;
    /// Cheap bounds on its length ([`Framed::body_len_bounds`]).
    fn len_bounds(&self) -> (usize, usize) {
        (0, usize::MAX)
    }
}

impl JsonBody for Participant<'_> {
    fn write<S: Sink + ?Sized>(&self, sink: &mut S) -> Result<(), WriteError> {
        self.encode(sink)
    }

    fn len_bounds(&self) -> (usize, usize) {
        self.encoded_len_bounds()
    }
}

/// A response with a JSON body, as [`write_framed`] writes it: the same
/// bytes as [`write_head`] with the body's length, then the body.
struct JsonAnswer<'b, B: ?Sized> {
    status: u16,
    connection: Connection,
    body: &'b B,
}

impl<B: JsonBody + ?Sized> Framed for JsonAnswer<'_, B> {
    type Error = BridgeError;

    fn head<S: Sink + ?Sized>(&self, sink: &mut S) -> Result<(), BridgeError> {
        // The body is never empty: a bodyless status is refused.
        check_head(self.status, true, &[])?;
        write_status_line(sink, self.status)?;
        sink.put(JSON_LENGTH)?;
        Ok(())
    }

    fn head_end<S: Sink + ?Sized>(&self, sink: &mut S) -> Result<(), WriteError> {
        sink.put(b"\r\n")?;
        write_head_end(sink, self.connection, &[])
    }

    fn body<S: Sink + ?Sized>(&self, sink: &mut S) -> Result<(), WriteError> {
        self.body.write(sink)
    }

    fn body_len_bounds(&self) -> (usize, usize) {
        self.body.len_bounds()
    }
}

/// Writes a 200 or 201 answer with a JSON body that is never empty: its
/// `Content-Length` is filled in after the body over a buffer (one pass,
/// [`Sink::buffer`]) when the body's bounds give its digit count, counted
/// first otherwise and over any other sink (no scratch buffer either way).
pub(crate) fn write_json<S: Sink + ?Sized, B: JsonBody + ?Sized>(
    sink: &mut S,
    status: u16,
    body: &B,
    connection: Connection,
) -> Result<(), BridgeError> {
    write_framed(
        sink,
        &JsonAnswer {
            status,
            connection,
            body,
        },
    )
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

/// Writes `204 No Content` (the answer to delete).
pub fn write_no_content<S: Sink + ?Sized>(
    sink: &mut S,
    connection: Connection,
) -> Result<(), BridgeError> {
    write_response(sink, 204, b"", connection, &[])
}

/// An upper bound on the length of the answer [`write_participant`] (or
/// [`write_participant_in`], any dialect) writes (status 200 or 201, head
/// and JSON) for a participant built by
/// [`Conference::resource`](crate::bridge::Conference::resource) whose
/// label has at most `label_bytes` bytes, for sizing a transmit buffer at
/// compile time (tested against both writers). It takes the longest
/// of everything: `201 Created`, `keep-alive`, UUIDs, the longest status,
/// every flag `false`, the LaML `uri`, a label of `"` and `\` only (a label
/// has no control characters, so no byte escapes to more than two); and
/// the larger of Twilio's document and Telnyx's (no label, but
/// `api_version`, the `*_legacy` UUIDs and `coaching_call_sid`).
///
/// ```
/// use confpart::bridge::max_participant_answer_len;
///
/// const TX: usize = max_participant_answer_len(32);
/// let mut tx = [0u8; TX];
/// # let _ = &mut tx;
/// ```
pub const fn max_participant_answer_len(label_bytes: usize) -> usize {
    let sid = 2 + UUID_LEN;
    // A call SID may be a Telnyx call-control id, the longest form.
    let call = 2 + SID_CAPACITY;
    let date = 2 + RFC2822_LEN;
    let flag = "false".len();
    let label = if 2 + 2 * label_bytes > "null".len() {
        2 + 2 * label_bytes
    } else {
        "null".len()
    };
    let status = 2 + Status::MAX_KNOWN_LEN;
    let uri = 2 + ParticipantPath::max_len(0);
    let twilio = "{\"account_sid\":".len()
        + sid
        + ",\"call_sid\":".len()
        + call
        + ",\"label\":".len()
        + label
        + ",\"conference_sid\":".len()
        + sid
        + ",\"date_created\":".len()
        + date
        + ",\"date_updated\":".len()
        + date
        + ",\"end_conference_on_exit\":".len()
        + flag
        + ",\"muted\":".len()
        + flag
        + ",\"hold\":".len()
        + flag
        + ",\"status\":".len()
        + status
        + ",\"start_conference_on_enter\":".len()
        + flag
        + ",\"coaching\":".len()
        + flag
        + ",\"call_sid_to_coach\":".len()
        + call
        + ",\"queue_time\":".len()
        + "null".len()
        + ",\"uri\":".len()
        + uri
        + "}".len();
    let telnyx = "{\"account_sid\":".len()
        + sid
        + ",\"api_version\":\"v2/texml\"".len()
        + ",\"call_sid\":".len()
        + call
        + ",\"call_sid_legacy\":".len()
        + sid
        + ",\"coaching\":".len()
        + flag
        + ",\"coaching_call_sid\":".len()
        + call
        + ",\"coaching_call_sid_legacy\":".len()
        + sid
        + ",\"conference_sid\":".len()
        + sid
        + ",\"date_created\":".len()
        + date
        + ",\"date_updated\":".len()
        + date
        + ",\"end_conference_on_exit\":".len()
        + flag
        + ",\"hold\":".len()
        + flag
        + ",\"muted\":".len()
        + flag
        + ",\"status\":".len()
        + status
        + ",\"uri\":".len()
        + uri
        + "}".len();
    let body = if twilio > telnyx { twilio } else { telnyx };
    "HTTP/1.1 201 Created\r\n".len()
        + "Content-Type: application/json; charset=utf-8\r\nContent-Length: ".len()
        + decimal_len(body)
        + "\r\nConnection: keep-alive\r\n\r\n".len()
        + body
}

/// Writes a participant answer (200 to update/fetch, 201 to create) in
/// Twilio's shape (SignalWire's is the same): the
/// head and the JSON go straight into the sink (no scratch buffer). Over a
/// buffer ([`Sink::buffer`], e.g. [`SliceSink`](crate::wire::sink::SliceSink))
/// in one pass, the `Content-Length` filled in after the JSON; over any
/// other sink the JSON's length is counted first. The bytes are the same.
pub fn write_participant<S: Sink + ?Sized>(
    sink: &mut S,
    status: u16,
    participant: &Participant,
    connection: Connection,
) -> Result<(), BridgeError> {
    write_json(sink, status, participant, connection)
}

/// [`write_participant`] in `dialect`'s shape: Telnyx's resource
/// ([`Reply::Resource`]: fetch, update) or its smaller create answer
/// ([`Reply::Created`]); Twilio's and SignalWire's document otherwise.
///
/// ```
/// use confpart::api::participant::{Participant, Reply};
/// use confpart::api::path::{Dialect, PathStyle};
/// use confpart::bridge::write_participant_in;
/// use confpart::wire::http::Connection;
/// use confpart::wire::ident::{AccountSid, CallSid, ConferenceSid};
/// use confpart::wire::sink::SliceSink;
///
/// let p = Participant::new()
///     .with_account_sid(AccountSid::parse("7e1e7e1e-7e1e-4e1e-8e1e-7e1e7e1e7e1e")?)
///     .with_conference_sid(ConferenceSid::parse("00000000-0000-4000-8000-000000000001")?)
///     .with_call_sid(CallSid::parse("v3:AAAAAAAAAAAAAAAAAAAAAQ")?)
///     .with_derived_uri(PathStyle::Texml);
/// let mut out = [0u8; 1024];
/// let mut sink = SliceSink::new(&mut out);
/// write_participant_in(&mut sink, 200, &p, Dialect::Telnyx, Reply::Resource, Connection::KeepAlive)?;
/// let text = core::str::from_utf8(sink.written()).unwrap();
/// assert!(text.starts_with("HTTP/1.1 200 OK\r\n"));
/// assert!(text.contains("\"api_version\":\"v2/texml\""));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn write_participant_in<S: Sink + ?Sized>(
    sink: &mut S,
    status: u16,
    participant: &Participant,
    dialect: Dialect,
    reply: Reply,
    connection: Connection,
) -> Result<(), BridgeError> {
    let body = InDialect {
        participant,
        dialect,
        reply,
    };
    write_json(sink, status, &body, connection)
}

/// A participant in a dialect's shape, as a response body.
struct InDialect<'p, 'a> {
    participant: &'p Participant<'a>,
    dialect: Dialect,
    reply: Reply,
}

impl JsonBody for InDialect<'_, '_> {
    fn write<S: Sink + ?Sized>(&self, sink: &mut S) -> Result<(), WriteError> {
        self.participant.encode_for(self.dialect, self.reply, sink)
    }

    fn len_bounds(&self) -> (usize, usize) {
        self.participant
            .encoded_len_bounds_for(self.dialect, self.reply)
    }
}

/// Writes the answer to any failure — a [`BridgeError`], a conference
/// [`Rejection`] or [`ConferenceError`], an [`HttpError`], or an
/// [`ApiAnswer`] of your own — in Twilio's dialect ([`write_error_in`]
/// with [`Dialect::Twilio`]): its status, the error body
/// (`{code, message, more_info, status}`), and `WWW-Authenticate: Basic
/// realm="Twilio API"` (401) or `Allow` (405). No scratch buffer: the body's
/// length is counted first.
///
/// ```
/// use confpart::bridge::{AuthFailure, BridgeError, write_error};
/// use confpart::wire::http::Connection;
/// use confpart::bridge::Rejection;
/// use confpart::wire::sink::SliceSink;
///
/// let mut out = [0u8; 512];
/// let mut sink = SliceSink::new(&mut out);
/// let e = BridgeError::Unauthorized { reason: AuthFailure::Missing };
/// write_error(&mut sink, &e, Connection::Close)?;
/// let text = core::str::from_utf8(sink.written()).unwrap();
/// assert!(text.starts_with("HTTP/1.1 401 Unauthorized\r\n"));
/// assert!(text.contains("\r\nWWW-Authenticate: Basic realm=\"Twilio API\"\r\n"));
/// assert!(text.ends_with("\"code\":20003,\"message\":\"Authenticate\",\"more_info\":\"https://www.twilio.com/docs/errors/20003\",\"status\":401}"));
///
/// let mut sink = SliceSink::new(&mut out);
/// write_error(&mut sink, &Rejection::CoachTargetOnHold, Connection::KeepAlive)?;
/// assert!(sink.written().starts_with(b"HTTP/1.1 400 Bad Request\r\n"));
/// # Ok::<(), BridgeError>(())
/// ```
pub fn write_error<S: Sink + ?Sized, E: Answer + ?Sized>(
    sink: &mut S,
    error: &E,
    connection: Connection,
) -> Result<(), BridgeError> {
    write_error_in(sink, Dialect::Twilio, error, connection).map(|_| ())
}

/// Writes the answer to any failure in `dialect`: the answer's status and
/// code as that service gives them ([`codes::for_dialect`]: Telnyx's
/// 401 / 10009, 404 / 10005, 422 / 10015, ...), the dialect's error body
/// ([`api_error::write_body`]: Twilio's object, SignalWire's `errors` list,
/// Telnyx's `errors` list with string codes), and `WWW-Authenticate`
/// (`Basic realm="Twilio API"`; `Bearer realm="Telnyx API"` for Telnyx) on a
/// 401 or `Allow` on a 405. Returns the status and code written (for a log
/// line). No scratch buffer: the body's length is counted first.
///
/// ```
/// use confpart::api::path::Dialect;
/// use confpart::bridge::{AuthFailure, BridgeError, write_error_in};
/// use confpart::wire::http::Connection;
/// use confpart::wire::sink::SliceSink;
///
/// let mut out = [0u8; 512];
/// let mut sink = SliceSink::new(&mut out);
/// let e = BridgeError::Unauthorized { reason: AuthFailure::NotBearer };
/// assert_eq!(write_error_in(&mut sink, Dialect::Telnyx, &e, Connection::Close)?, (401, 10009));
/// let text = core::str::from_utf8(sink.written()).unwrap();
/// assert!(text.starts_with("HTTP/1.1 401 Unauthorized\r\n"));
/// assert!(text.contains("\r\nWWW-Authenticate: Bearer realm=\"Telnyx API\"\r\n"));
/// assert!(text.contains("{\"errors\":[{\"code\":\"10009\""));
/// # Ok::<(), BridgeError>(())
/// ```
pub fn write_error_in<S: Sink + ?Sized, E: Answer + ?Sized>(
    sink: &mut S,
    dialect: Dialect,
    error: &E,
    connection: Connection,
) -> Result<(u16, u32), BridgeError> {
    let a = error.answer();
    let (status, code) = codes::for_dialect(a.code, a.status, dialect);
    let holder: [HeaderField<'_>; 1];
    let extra: &[HeaderField<'_>] = match (a.status, a.allow) {
        (401, _) => {
            holder = [HeaderField::new(
                "WWW-Authenticate",
                match dialect {
                    Dialect::Telnyx => BEARER_CHALLENGE,
                    Dialect::Twilio | Dialect::SignalWire => CHALLENGE,
                },
            )];
            &holder
        }
        (_, Some(allow)) => {
            holder = [HeaderField::new("Allow", allow)];
            &holder
        }
        _ => &[],
    };
    let len = api_error::body_len(dialect, code, a.message, status);
    write_head(sink, status, len, connection, extra)?;
    api_error::write_body(sink, dialect, code, a.message, status)?;
    Ok((status, code))
}

impl Answer for ApiAnswer {
    fn answer(&self) -> ApiAnswer {
        *self
    }
}

impl crate::bridge::Answer for BridgeError {
    fn answer(&self) -> ApiAnswer {
        Self::answer(self)
    }
}
