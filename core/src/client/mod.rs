//! Client side: the request writer ([`Request`]), and what a response means
//! for the request it answers ([`Outcome`]); one error type,
//! [`ClientError`], for all of it.
//!
//! ```
//! use confpart::client::{ClientError, Credentials, Operation, Outcome, Request};
//! use confpart::wire::http::Progress;
//! use confpart::wire::ident::{AccountSid, ConferenceSid, ParticipantRef};
//! use confpart::api::path::Endpoint;
//! use confpart::api::update::Update;
//!
//! let account = AccountSid::parse("ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")?;
//! let conference = ConferenceSid::parse("CFaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")?;
//! let who = ParticipantRef::parse("CAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")?;
//! let request = Request::new(
//!     Endpoint::twilio(),
//!     Credentials::new(account.as_str(), "token")?,
//!     account,
//!     conference,
//!     Operation::update(&who, Update::mute()),
//! );
//! let mut out = [0u8; 512];
//! let n = request.encode_to_slice(&mut out)?;
//! assert!(out[..n].starts_with(b"POST /2010-04-01/Accounts/AC"));
//! assert!(out[..n].ends_with(b"\r\n\r\nMuted=true"));
//!
//! // Feed the answer in whatever pieces the socket returns.
//! let response = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 65\r\n\r\n{\"call_sid\": \"CAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\", \"muted\": true}";
//! let mut buf = [0u8; 2048];
//! let mut reader = request.response_reader(&mut buf);
//! assert!(matches!(reader.feed(&response[..10])?, Progress::Partial));
//! let Progress::Complete(message) = reader.feed(&response[10..])? else { unreachable!() };
//! match message.outcome()? {
//!     Outcome::Participant(p) => assert_eq!(p.muted(), Some(true)),
//!     other => panic!("{other:?}"),
//! }
//! # Ok::<(), ClientError>(())
//! ```

use core::fmt;

use crate::api::create::Create;
use crate::api::error::ApiError;
use crate::api::operation::OperationKind;
use crate::api::participant::Participant;
use crate::api::path::{self, Dialect, Endpoint, PathError};
use crate::api::query::{ListQuery, QueryError};
use crate::api::retry::{RetryAfter, is_busy};
use crate::api::update::{Update, ValidationError};
use crate::wire::http::{self, Connection, HeaderField, HttpError, Message, Reader, ResponseKind};
use crate::wire::ident::{AccountSid, ConferenceSid, IdError, ParticipantRef, TWILIO_SID_LEN};
use crate::wire::json::{self, JsonError};
use crate::wire::sink::{CountingSink, Sink, SliceSink, WriteError, decimal_len};

/// Reads the response to a request: `request.response_reader(&mut buf)`.
pub type ResponseReader<'b> = Reader<'b, ResponseKind<OperationKind>>;
/// A complete response to one operation.
pub type ResponseMessage<'a> = Message<'a, ResponseKind<OperationKind>>;

/// `confpart/{version}`: the product part of the `User-Agent`.
pub(crate) const USER_AGENT_PRODUCT: &str = concat!("confpart/", env!("CARGO_PKG_VERSION"));

/// The target architecture named in the `User-Agent`.
pub(crate) const TARGET_ARCH: &str = if cfg!(target_arch = "x86_64") {
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
pub(crate) const TARGET_OS: &str = if cfg!(target_os = "linux") {
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

/// The header lines after `Authorization`'s value, all known at compile
/// time: `User-Agent` and `Accept`, written by one `put` (seven before).
const AGENT_AND_ACCEPT: &[&str] = &[
    "\r\nUser-Agent: ",
    USER_AGENT_PRODUCT,
    " (",
    TARGET_ARCH,
    "-",
    TARGET_OS,
    ")\r\nAccept: application/json\r\n",
];

/// Total length of `parts`.
// Evaluated at compile time: an index out of bounds is a build error, never
// a run-time panic.
#[allow(clippy::indexing_slicing)]
const fn total_len(parts: &[&str]) -> usize {
    let mut n = 0;
    let mut i = 0;
    while i < parts.len() {
        n += parts[i].len();
        i += 1;
    }
    n
}

/// `parts` one after the other.
// Evaluated at compile time (only for constants): an index out of bounds
// is a build error, never a run-time panic.
#[allow(clippy::indexing_slicing)]
const fn concat<const N: usize>(parts: &[&str]) -> [u8; N] {
    let mut out = [0u8; N];
    let mut at = 0;
    let mut i = 0;
    while i < parts.len() {
        let bytes = parts[i].as_bytes();
        let mut j = 0;
        while j < bytes.len() {
            out[at] = bytes[j];
            at += 1;
            j += 1;
        }
        i += 1;
    }
    out
}

/// [`AGENT_AND_ACCEPT`] as one byte string.
const AGENT_AND_ACCEPT_BYTES: [u8; total_len(AGENT_AND_ACCEPT)] = concat(AGENT_AND_ACCEPT);

/// Everything that can go wrong on the client side: building the request,
/// framing the response, and what the service answered. Every lower-layer
/// error converts into it (`?` works throughout a client).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum ClientError {
    /// The sink failed or is full.
    Write(WriteError),
    /// The response could not be framed.
    Http(HttpError),
    /// The update is not valid for the endpoint's dialect (e.g.
    /// `BeepOnExit` to SignalWire).
    Invalid(ValidationError),
    /// The create request is not valid for the endpoint's dialect (e.g. a
    /// label that looks like a call SID, `Coaching` without a target).
    InvalidCreate(crate::api::create::ValidationError),
    /// An identifier did not parse.
    Id(IdError),
    /// A host or path is invalid.
    Path(PathError),
    /// The list query is invalid.
    Query(QueryError),
    /// A JSON document did not decode.
    Json(JsonError),
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
    /// A Bearer API key with a byte that is not visible ASCII (a space, a
    /// control character, non-ASCII), at this byte offset; an empty key is
    /// offset 0.
    ApiKey {
        /// Byte offset in the key.
        offset: usize,
    },
    /// Credentials of the wrong scheme for the endpoint's dialect: Telnyx
    /// takes a Bearer API key ([`Credentials::bearer`]), Twilio and
    /// SignalWire Basic credentials ([`Credentials::new`]).
    AuthScheme {
        /// The endpoint's dialect.
        dialect: Dialect,
    },
    /// An extra request header is invalid (see [`HeaderField::is_valid`]).
    InvalidHeader {
        /// Index in the extra headers.
        index: usize,
    },
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
    /// The service answered with an error (4xx/5xx); from
    /// [`ResponseMessage::participant`] (use [`ResponseMessage::outcome`]
    /// for the whole error body).
    Service {
        /// The HTTP status.
        status: u16,
        /// The error code of the body, when it has one.
        code: Option<u32>,
        /// For 429 and 503: when to retry, if the response said so.
        retry_after: Option<RetryAfter>,
    },
}

impl fmt::Display for ClientError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Write(e) => write!(f, "writing the request: {e}"),
            Self::Http(e) => write!(f, "response framing: {e}"),
            Self::Invalid(e) => write!(f, "update not valid for the endpoint: {e}"),
            Self::InvalidCreate(e) => write!(f, "create not valid for the endpoint: {e}"),
            Self::Id(e) => write!(f, "identifier: {e}"),
            Self::Path(e) => write!(f, "path: {e}"),
            Self::Query(e) => write!(f, "list query: {e}"),
            Self::Json(e) => write!(f, "JSON: {e}"),
            Self::Username { offset } => {
                write!(
                    f,
                    "username has ':' or a control character at byte {offset}"
                )
            }
            Self::Password { offset } => {
                write!(f, "password has a control character at byte {offset}")
            }
            Self::ApiKey { offset } => {
                write!(
                    f,
                    "API key is empty or has a byte that is not visible ASCII at byte {offset}"
                )
            }
            Self::AuthScheme {
                dialect: Dialect::Telnyx,
            } => f.write_str("telnyx takes a Bearer API key, not Basic credentials"),
            Self::AuthScheme { dialect } => {
                write!(f, "{dialect} takes Basic credentials, not a Bearer API key")
            }
            Self::InvalidHeader { index } => write!(f, "extra header {index} is invalid"),
            Self::UnexpectedStatus { status, operation } => {
                write!(f, "unexpected status {status} for {operation:?}")
            }
            Self::ContentType { status } => {
                write!(f, "{status} response body is not application/json")
            }
            Self::Body { status, error } => write!(f, "{status} response body: {error}"),
            Self::Service {
                status,
                code: Some(code),
                ..
            } => write!(f, "the service answered {status} (error {code})"),
            Self::Service { status, .. } => write!(f, "the service answered {status}"),
        }
    }
}

impl core::error::Error for ClientError {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            Self::Write(e) => Some(e),
            Self::Http(e) => Some(e),
            Self::Invalid(e) => Some(e),
            Self::InvalidCreate(e) => Some(e),
            Self::Id(e) => Some(e),
            Self::Path(e) => Some(e),
            Self::Query(e) => Some(e),
            Self::Json(e) | Self::Body { error: e, .. } => Some(e),
            _ => None,
        }
    }
}

macro_rules! client_from {
    ($($t:ty => $v:ident),* $(,)?) => {$(
        impl From<$t> for ClientError {
            fn from(e: $t) -> Self {
                Self::$v(e)
            }
        }
    )*};
}

client_from!(
    WriteError => Write,
    HttpError => Http,
    ValidationError => Invalid,
    crate::api::create::ValidationError => InvalidCreate,
    IdError => Id,
    PathError => Path,
    QueryError => Query,
    JsonError => Json,
);

/// The credentials of the `Authorization` header: HTTP Basic (account SID,
/// or API key SID, or SignalWire project id, and auth token: Twilio,
/// SignalWire) or a Bearer API key (Telnyx). The secret (password, key) is
/// never printed: `Debug` and `defmt` redact it.
///
/// ```
/// use confpart::client::{ClientError, Credentials};
/// assert!(Credentials::new("ACxxx", "secret:with:colons").is_ok());
/// assert_eq!(Credentials::new("a:b", "x").err(), Some(ClientError::Username { offset: 1 }));
///
/// let key = Credentials::bearer("KEY0123_abc")?;
/// assert!(key.is_bearer());
/// assert_eq!(format!("{key:?}"), r#"Credentials { bearer: "<redacted>" }"#);
/// assert_eq!(Credentials::bearer("KEY 1").err(), Some(ClientError::ApiKey { offset: 3 }));
/// assert_eq!(Credentials::bearer("").err(), Some(ClientError::ApiKey { offset: 0 }));
/// # Ok::<(), ClientError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Credentials<'a> {
    /// Basic: the username; Bearer: empty.
    username: &'a str,
    /// Basic: the password; Bearer: the API key.
    password: &'a str,
    bearer: bool,
}

impl fmt::Debug for Credentials<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.bearer {
            return f
                .debug_struct("Credentials")
                .field("bearer", &"<redacted>")
                .finish();
        }
        f.debug_struct("Credentials")
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .finish()
    }
}

#[cfg(feature = "defmt")]
impl defmt::Format for Credentials<'_> {
    fn format(&self, f: defmt::Formatter<'_>) {
        if self.bearer {
            defmt::write!(f, "Credentials(Bearer <redacted>)")
        } else {
            defmt::write!(f, "Credentials({=str}, <redacted>)", self.username)
        }
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
        Ok(Self {
            username,
            password,
            bearer: false,
        })
    }

    /// A Bearer API key (Telnyx's `Authorization: Bearer <API key>`),
    /// checked: visible ASCII only, as a header value token needs (a space
    /// or a line break could not be sent as one token).
    pub fn bearer(api_key: &'a str) -> Result<Self, ClientError> {
        if let Some(offset) = api_key.bytes().position(|b| !b.is_ascii_graphic()) {
            return Err(ClientError::ApiKey { offset });
        }
        if api_key.is_empty() {
            return Err(ClientError::ApiKey { offset: 0 });
        }
        Ok(Self {
            username: "",
            password: api_key,
            bearer: true,
        })
    }

    /// The username (empty for a Bearer key).
    pub const fn username(&self) -> &'a str {
        self.username
    }

    /// True for a Bearer API key, false for Basic credentials.
    pub const fn is_bearer(&self) -> bool {
        self.bearer
    }

    /// Writes the `Authorization` header value: `Basic base64(username:password)`
    /// or `Bearer <API key>`.
    ///
    /// ```
    /// use confpart::client::Credentials;
    /// use confpart::wire::sink::SliceSink;
    ///
    /// let mut buf = [0u8; 32];
    /// let mut sink = SliceSink::new(&mut buf);
    /// Credentials::bearer("KEY01")?.write_authorization(&mut sink)?;
    /// assert_eq!(sink.written(), b"Bearer KEY01");
    /// let mut sink = SliceSink::new(&mut buf);
    /// Credentials::new("a", "b")?.write_authorization(&mut sink)?;
    /// assert_eq!(sink.written(), b"Basic YTpi");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn write_authorization<S: Sink + ?Sized>(&self, sink: &mut S) -> Result<(), WriteError> {
        if self.bearer {
            sink.put(b"Bearer ")?;
            return sink.put_str(self.password);
        }
        self.write_basic(sink)
    }

    /// Writes `Basic base64(username:password)` (the header value; for a
    /// Bearer key, `Basic base64(:key)`: use
    /// [`Credentials::write_authorization`]).
    pub fn write_basic<S: Sink + ?Sized>(&self, sink: &mut S) -> Result<(), WriteError> {
        sink.put(b"Basic ")?;
        crate::wire::base64::encode(
            sink,
            &[self.username.as_bytes(), b":", self.password.as_bytes()],
        )
    }
}

/// What a request does, with its arguments: one of the five operations
/// ([`OperationKind`], the one enum of them) and what it needs (the
/// participant, the update's form, the list query, the create's fields).
/// Built by one constructor per operation.
///
/// ```
/// use confpart::api::operation::OperationKind;
/// use confpart::api::update::Update;
/// use confpart::client::Operation;
/// use confpart::wire::ident::ParticipantRef;
///
/// let who = ParticipantRef::parse("front desk")?;
/// let op = Operation::update(&who, Update::mute());
/// assert_eq!((op.kind(), op.participant()), (OperationKind::Update, Some(&who)));
/// assert_eq!(op.update_form().and_then(|u| u.muted), Some(true));
/// # Ok::<(), confpart::wire::ident::IdError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Operation<'a>(Args<'a>);

/// The arguments of each operation (private: [`Operation`]'s constructors
/// build it, so the public API has one enum of operations).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
enum Args<'a> {
    Update(&'a ParticipantRef, Update<'a>),
    Fetch(&'a ParticipantRef),
    Delete(&'a ParticipantRef),
    List(ListQuery<'a>),
    Create(CreateBody<'a>),
}

impl<'a> Operation<'a> {
    /// `POST` the form body of an update to a participant (validated for the
    /// endpoint's dialect when written).
    pub const fn update(participant: &'a ParticipantRef, update: Update<'a>) -> Self {
        Self(Args::Update(participant, update))
    }

    /// `GET` one participant.
    pub const fn fetch(participant: &'a ParticipantRef) -> Self {
        Self(Args::Fetch(participant))
    }

    /// `DELETE` one participant (kick).
    pub const fn delete(participant: &'a ParticipantRef) -> Self {
        Self(Args::Delete(participant))
    }

    /// `GET` the collection, with filters and paging.
    pub const fn list(query: ListQuery<'a>) -> Self {
        Self(Args::List(query))
    }

    /// `POST` a create to the collection (validated for the endpoint's
    /// dialect when written): `Operation::create(create.into())`.
    pub const fn create(body: CreateBody<'a>) -> Self {
        Self(Args::Create(body))
    }

    /// The kind of operation (the response is read as its answer).
    pub const fn kind(&self) -> OperationKind {
        match self.0 {
            Args::Update(..) => OperationKind::Update,
            Args::Fetch(_) => OperationKind::Fetch,
            Args::Delete(_) => OperationKind::Delete,
            Args::List(_) => OperationKind::List,
            Args::Create(_) => OperationKind::Create,
        }
    }

    /// The participant, for the operations on one.
    pub const fn participant(&self) -> Option<&'a ParticipantRef> {
        match self.0 {
            Args::Update(p, _) | Args::Fetch(p) | Args::Delete(p) => Some(p),
            Args::List(_) | Args::Create(_) => None,
        }
    }

    /// The update's form, for an update.
    pub const fn update_form(&self) -> Option<&Update<'a>> {
        match &self.0 {
            Args::Update(_, u) => Some(u),
            _ => None,
        }
    }

    /// The list query, for a list.
    pub const fn list_query(&self) -> Option<&ListQuery<'a>> {
        match &self.0 {
            Args::List(q) => Some(q),
            _ => None,
        }
    }

    /// The create's fields, for a create.
    pub const fn create_body(&self) -> Option<&CreateBody<'a>> {
        match &self.0 {
            Args::Create(c) => Some(c),
            _ => None,
        }
    }
}

/// The typed fields of a create request ([`Create`]), as an
/// [`Operation::create`] carries them: built with `From<Create>` or
/// [`CreateBody::new`].
///
/// It also carries how to check and write them, so a firmware that never
/// builds a create does not link the create codec (about 4 KB of flash on
/// Cortex-M) into its request writer.
///
/// ```
/// use confpart::api::create::Create;
/// use confpart::client::{CreateBody, Operation};
///
/// let op = Operation::create(Create::new("+15005550006", "+15005550001").label("desk").into());
/// let Some(body) = op.create_body() else { unreachable!() };
/// assert_eq!(body.create().label, Some("desk"));
/// assert_eq!(*body, CreateBody::new(Create::new("+15005550006", "+15005550001").label("desk")));
/// ```
#[derive(Clone, Copy)]
pub struct CreateBody<'a> {
    create: Create<'a>,
    validate: fn(&Create<'_>, Dialect) -> Result<(), crate::api::create::ValidationError>,
    encode: fn(&Create<'_>, Dialect, &mut dyn Sink) -> Result<(), WriteError>,
}

impl<'a> CreateBody<'a> {
    /// Wraps the fields of a create.
    pub const fn new(create: Create<'a>) -> Self {
        Self {
            create,
            validate: |c, dialect| c.validate(dialect),
            encode: |c, dialect, sink| c.encode_for(dialect, sink),
        }
    }

    /// The fields.
    pub const fn create(&self) -> &Create<'a> {
        &self.create
    }
}

impl<'a> From<Create<'a>> for CreateBody<'a> {
    fn from(create: Create<'a>) -> Self {
        Self::new(create)
    }
}

impl PartialEq for CreateBody<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.create == other.create
    }
}

impl Eq for CreateBody<'_> {}

impl fmt::Debug for CreateBody<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.create, f)
    }
}

#[cfg(feature = "defmt")]
impl defmt::Format for CreateBody<'_> {
    fn format(&self, f: defmt::Formatter<'_>) {
        defmt::Format::format(&self.create, f)
    }
}

/// A request to write: where it goes ([`Endpoint`]), as whom, on which
/// conference, what it does, and (optionally) extra header fields such as
/// `I-Twilio-Idempotency-Token`.
///
/// The participant is borrowed (a label is up to 512 bytes: it is not copied
/// into the request).
///
/// ```
/// use confpart::client::{ClientError, Credentials, Operation, Request};
/// use confpart::wire::http::HeaderField;
/// use confpart::wire::ident::{AccountSid, ConferenceSid, ParticipantRef};
/// use confpart::api::path::Endpoint;
/// use confpart::api::update::{Field, Update, ValidationError};
///
/// let account = AccountSid::parse("9d3d58a8-9a8e-4b8e-a1e3-d3c4e5f6a7b8")?;
/// let conference = ConferenceSid::parse("9d3d58a8-9a8e-4b8e-a1e3-d3c4e5f6a7b9")?;
/// let who = ParticipantRef::parse("front desk")?;
/// let beep = Update::new().beep_on_exit(false);
/// let request = Request::new(
///     Endpoint::signalwire("example")?,
///     Credentials::new(account.as_str(), "token")?,
///     account,
///     conference,
///     Operation::update(&who, beep),
/// );
/// // BeepOnExit is Twilio-only: nothing is written.
/// assert_eq!(
///     request.encode_to_slice(&mut [0u8; 512]),
///     Err(ClientError::Invalid(ValidationError::TwilioOnlyField { field: Field::BeepOnExit }))
/// );
/// let token = [HeaderField::new("I-Twilio-Idempotency-Token", "7f1c")];
/// let request = Request { operation: Operation::update(&who, Update::mute()), ..request }
///     .with_headers(&token);
/// let mut out = [0u8; 512];
/// let n = request.encode_to_slice(&mut out)?;
/// assert!(out[..n].windows(32).any(|w| w == b"I-Twilio-Idempotency-Token: 7f1c"));
/// # Ok::<(), ClientError>(())
/// ```
#[derive(Debug, Clone, Copy)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Request<'a> {
    /// The service, host and path style.
    pub endpoint: Endpoint<'a>,
    /// The `Authorization` credentials (Basic; Bearer for Telnyx).
    pub credentials: Credentials<'a>,
    /// The account (or SignalWire project) in the path.
    pub account: AccountSid,
    /// The conference.
    pub conference: ConferenceSid,
    /// What to do (and to which participant).
    pub operation: Operation<'a>,
    /// `Connection: keep-alive` (the default) or `close`.
    pub connection: Connection,
    /// Extra header fields, written after the standard ones.
    pub headers: &'a [HeaderField<'a>],
}

/// A validated request as [`write_framed`](http::write_framed)
/// writes it: the form body of an update or a create after its
/// `Content-Length`, the other operations without a body.
struct Framing<'r, 'a>(&'r Request<'a>);

impl http::Framed for Framing<'_, '_> {
    type Error = WriteError;

    fn has_length(&self) -> bool {
        matches!(self.0.operation.0, Args::Update(..) | Args::Create(_))
    }

    fn head<S: Sink + ?Sized>(&self, sink: &mut S) -> Result<(), WriteError> {
        self.0.write_start(sink)?;
        if self.has_length() {
            sink.put(b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: ")?;
        }
        Ok(())
    }

    fn head_end<S: Sink + ?Sized>(&self, sink: &mut S) -> Result<(), WriteError> {
        if self.has_length() {
            sink.put(b"\r\n")?;
        }
        self.0.write_end(sink)
    }

    fn body_len_bounds(&self) -> (usize, usize) {
        match &self.0.operation.0 {
            Args::Update(_, u) => u.encoded_len_bounds(),
            _ => (0, usize::MAX),
        }
    }

    fn body<S: Sink + ?Sized>(&self, sink: &mut S) -> Result<(), WriteError> {
        match &self.0.operation.0 {
            Args::Update(_, u) => u.encode(sink),
            Args::Create(c) => {
                let mut sink = sink;
                (c.encode)(&c.create, self.0.endpoint.dialect(), &mut sink)
            }
            _ => Ok(()),
        }
    }
}

/// Bounds on the variable parts of an Update request, for
/// [`Request::max_update_len`]: what a firmware knows about its inputs when
/// it sizes its transmit buffer at compile time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct UpdateBounds {
    /// Longest host name (with port), e.g. 14 for `api.twilio.com`.
    pub host: usize,
    /// Longest `username` plus `password` (Twilio: 34 + 32), or longest
    /// Bearer API key (its `Bearer ` line is never longer than a Basic one
    /// of as many bytes).
    pub credentials: usize,
    /// Longest participant label in the path (0: the participant is always
    /// a call SID).
    pub label: usize,
    /// Longest `HoldUrl`, `AnnounceUrl` or `WaitUrl`
    /// (at most [`URL_MAX_LEN`](crate::api::fields::URL_MAX_LEN)).
    pub url: usize,
}

impl UpdateBounds {
    /// Twilio's host and credential lengths (account SID and a 32-byte auth
    /// token), a call SID as participant, URLs of at most `url` bytes.
    pub const fn twilio(url: usize) -> Self {
        Self {
            host: crate::api::path::TWILIO_HOST.len(),
            credentials: TWILIO_SID_LEN + 32,
            label: 0,
            url,
        }
    }
}

impl<'a> Request<'a> {
    /// An upper bound on the length of any Update request (head and body,
    /// no extra header fields) within `bounds`, for sizing a transmit buffer
    /// at compile time: [`Request::encoded_len`] never exceeds it (tested).
    /// It takes the longest of everything the bounds leave open: the LaML
    /// path with UUIDs, `keep-alive`, every update field set.
    ///
    /// ```
    /// use confpart::client::{Request, UpdateBounds};
    ///
    /// const TX: usize = Request::max_update_len(UpdateBounds::twilio(64));
    /// let mut tx = [0u8; TX];
    /// # let _ = &mut tx;
    /// ```
    pub const fn max_update_len(bounds: UpdateBounds) -> usize {
        let body = Update::max_encoded_len(bounds.url);
        "POST ".len()
            + path::max_path_len(bounds.label)
            + " HTTP/1.1\r\nHost: ".len()
            + bounds.host
            + "\r\nAuthorization: Basic ".len()
            + 4 * (bounds.credentials + 1).div_ceil(3)
            + "\r\nUser-Agent: ".len()
            + USER_AGENT_PRODUCT.len()
            + " (".len()
            + TARGET_ARCH.len()
            + "-".len()
            + TARGET_OS.len()
            + ")\r\nAccept: application/json\r\n".len()
            + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: ".len()
            + decimal_len(body)
            + "\r\n".len()
            + "Connection: keep-alive\r\n\r\n".len()
            + body
    }

    /// A request with `Connection: keep-alive` and no extra header.
    pub const fn new(
        endpoint: Endpoint<'a>,
        credentials: Credentials<'a>,
        account: AccountSid,
        conference: ConferenceSid,
        operation: Operation<'a>,
    ) -> Self {
        Self {
            endpoint,
            credentials,
            account,
            conference,
            operation,
            connection: Connection::KeepAlive,
            headers: &[],
        }
    }

    /// The same request with this `Connection` header.
    pub const fn with_connection(self, connection: Connection) -> Self {
        Self { connection, ..self }
    }

    /// The same request with extra header fields (e.g. `Prefer`,
    /// `I-Twilio-Idempotency-Token`), validated when written.
    pub const fn with_headers(self, headers: &'a [HeaderField<'a>]) -> Self {
        Self { headers, ..self }
    }

    /// Checks the credentials' scheme, the update or create against the
    /// endpoint's dialect, the list query, and the extra headers.
    pub fn validate(&self) -> Result<(), ClientError> {
        let dialect = self.endpoint.dialect();
        if self.credentials.is_bearer() != (dialect == Dialect::Telnyx) {
            return Err(ClientError::AuthScheme { dialect });
        }
        match &self.operation.0 {
            Args::Update(_, u) => u.validate(dialect)?,
            Args::List(q) => q.validate_for(dialect)?,
            Args::Create(c) => (c.validate)(&c.create, dialect)?,
            _ => {}
        }
        if let Some(index) = HeaderField::first_invalid(self.headers) {
            return Err(ClientError::InvalidHeader { index });
        }
        Ok(())
    }

    /// Validates, then writes the whole request (head and body) without
    /// `core::fmt`. Over a buffer ([`Sink::buffer`]) in one pass: the
    /// `Content-Length` digits are reserved (their count from
    /// [`Update::encoded_len_bounds`]) and filled in after the body; over
    /// any other sink, for a create (no bounds), or when the bounds
    /// straddle a power of ten, the body is counted first. The bytes are
    /// the same.
    pub fn encode<S: Sink + ?Sized>(&self, sink: &mut S) -> Result<(), ClientError> {
        self.validate()?;
        http::write_framed(sink, &Framing(self))?;
        Ok(())
    }

    /// The request line and the header fields every request has, up to
    /// `Accept`.
    fn write_start<S: Sink + ?Sized>(&self, sink: &mut S) -> Result<(), WriteError> {
        let kind = self.operation.kind();
        sink.put_str(kind.method())?;
        sink.put(b" ")?;
        path::write_path(
            sink,
            self.endpoint.style(),
            &self.account,
            &self.conference,
            self.operation.participant(),
        )?;
        if let Args::List(q) = &self.operation.0
            && !q.is_empty()
        {
            sink.put(b"?")?;
            q.encode(sink)?;
        }
        sink.put(b" HTTP/1.1\r\nHost: ")?;
        self.endpoint.host().encode(sink)?;
        sink.put(b"\r\nAuthorization: ")?;
        self.credentials.write_authorization(sink)?;
        sink.put(&AGENT_AND_ACCEPT_BYTES)
    }

    /// The extra header fields, `Connection` and the empty line.
    fn write_end<S: Sink + ?Sized>(&self, sink: &mut S) -> Result<(), WriteError> {
        HeaderField::write_all(self.headers, sink)?;
        // The whole line and the empty one in one `put`.
        sink.put(match self.connection {
            Connection::KeepAlive => b"Connection: keep-alive\r\n\r\n",
            Connection::Close => b"Connection: close\r\n\r\n",
        })
    }

    /// Writes into `buf`; returns the length.
    pub fn encode_to_slice(&self, buf: &mut [u8]) -> Result<usize, ClientError> {
        let mut sink = SliceSink::new(buf);
        self.encode(&mut sink)?;
        Ok(sink.len())
    }

    /// The length [`Request::encode`] produces (to size a buffer).
    pub fn encoded_len(&self) -> Result<usize, ClientError> {
        let mut sink = CountingSink::default();
        self.encode(&mut sink)?;
        Ok(sink.count)
    }

    /// The kind of operation.
    pub const fn operation_kind(&self) -> OperationKind {
        self.operation.kind()
    }

    /// A reader for the response to this request, over `buf` (head and
    /// body must fit).
    pub fn response_reader<'b>(&self, buf: &'b mut [u8]) -> ResponseReader<'b> {
        ResponseReader::new(buf, self.operation.kind())
    }
}

/// An error response (4xx/5xx).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Failure<'a> {
    /// The HTTP status.
    pub status: u16,
    /// The decoded error body (Twilio's, SignalWire's or Telnyx's shape); `None` when the
    /// body is empty or not an error document (e.g. a proxy's HTML page).
    pub error: Option<ApiError<'a>>,
    /// For 429 and 503: when to retry, if the response said so.
    pub retry_after: Option<RetryAfter>,
}

/// What a complete response means for the operation it answers.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Outcome<'a> {
    /// 200 to update or fetch: the participant (a view into the response).
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

impl<'a> ResponseMessage<'a> {
    /// The operation this response answers.
    pub fn operation(&self) -> OperationKind {
        self.request()
    }

    /// `Twilio-Request-Id`.
    pub fn request_id(&self) -> Option<&'a [u8]> {
        self.header("twilio-request-id")
    }

    /// `Retry-After`, parsed (any status).
    pub fn retry_after(&self) -> Option<RetryAfter> {
        self.header("retry-after").and_then(RetryAfter::parse)
    }

    /// Interprets the response as the answer to the operation it was read
    /// for: the success value, or the service's error ([`Outcome::Failure`]).
    pub fn outcome(&self) -> Result<Outcome<'a>, ClientError> {
        let status = self.status();
        let operation = self.operation();
        let body = self.body();
        let json_type = |ct: Option<&[u8]>| {
            ct.is_none_or(|ct| {
                ct.get(..16)
                    .is_some_and(|p| p.eq_ignore_ascii_case(b"application/json"))
            })
        };
        let success = operation.success_status();
        if status == success && status != 204 && !json_type(self.content_type()) {
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
                retry_after: self.failure_retry_after(),
            })),
            _ => Err(ClientError::UnexpectedStatus { status, operation }),
        }
    }

    fn failure_retry_after(&self) -> Option<RetryAfter> {
        if is_busy(self.status()) {
            self.retry_after()
        } else {
            None
        }
    }

    /// The participant of a 200 (update, fetch) or 201 (create); a service
    /// error is [`ClientError::Service`] (status, code, `Retry-After`).
    pub fn participant(&self) -> Result<Participant<'a>, ClientError> {
        let status = self.status();
        let operation = self.operation();
        match status {
            400..=599 => Err(ClientError::Service {
                status,
                code: ApiError::decode(self.body()).ok().and_then(|e| e.code),
                retry_after: self.failure_retry_after(),
            }),
            _ => match self.outcome()? {
                Outcome::Participant(p) | Outcome::Created(p) => Ok(p),
                _ => Err(ClientError::UnexpectedStatus { status, operation }),
            },
        }
    }
}
