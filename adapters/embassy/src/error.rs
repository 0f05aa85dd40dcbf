//! The one error type of the adapter, generic over the transport's error.

use core::fmt;

use confpart::client::ClientError;
use confpart::wire::http::HttpError;
use embedded_io::ErrorKind;

/// Everything that can go wrong in a round trip, connecting included.
///
/// `E` is the transport's own error (`<T as embedded_io_async::ErrorType>::Error`
/// for a connection over `T`), kept as the transport gave it in
/// [`Error::Read`] and [`Error::Write`]: `embassy_net::tcp::Error` over a
/// `&mut TcpSocket` (and from [`crate::net::connect`]),
/// `embedded_tls::TlsError` over a `net::TlsStream` (and from
/// `net::connect_tls`, feature `tls`). One side of an application (plain TCP, or
/// TLS) so meets one type, from connecting to reading the reply.
///
/// Every variant except [`Error::Request`] means the connection was
/// dropped (it is never reused).
///
/// `Error<E>` compares with `==` when `E` does; [`Error::kind`] compares
/// any two by the kind of the transport's error.
///
/// ```
/// use confpart_embassy::Error;
/// use embedded_io::ErrorKind;
///
/// // A transport whose error is only a kind (a tokio stream's is a
/// // `std::io::Error`, compared through `kind()`).
/// let e: Error<ErrorKind> = Error::Read(ErrorKind::ConnectionReset);
/// assert_eq!(e, Error::Read(ErrorKind::ConnectionReset));
/// assert_eq!(e.kind(), e);
/// assert!(!e.request_not_sent());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum Error<E> {
    /// The request is invalid or does not fit the tx buffer; nothing was
    /// written (the connection is given back in [`crate::Failed`]).
    Request(ClientError),
    /// The response could not be framed (cut short mid-head or mid-body,
    /// malformed, too large for rx) or does not decode (e.g. a 200 whose
    /// body is not a participant). [`ClientError::Service`] comes from
    /// [`crate::Reply::participant`] for a 4xx/5xx answer.
    Response(ClientError),
    /// Writing the request failed: the transport's error.
    Write(E),
    /// Writing the request failed: the transport took none of the bytes
    /// it was given (`write` returned 0, embedded-io's
    /// [`ErrorKind::WriteZero`]; there is no transport error to keep).
    WriteZero,
    /// Reading the response failed (or the check for unasked-for bytes
    /// before a request): the transport's error.
    Read(E),
    /// The server had closed the kept-alive connection before the request
    /// was sent (nothing of this attempt was written: safe to send on a new
    /// connection; when it was a retry, the earlier attempts were answered
    /// 429/503, which apply nothing).
    /// A close after the request is [`Error::Response`] with
    /// [`HttpError::EofInHead`] or [`HttpError::EofInBody`].
    Closed,
    /// Bytes arrived on a connection between two requests (a late or extra
    /// response): the connection was dropped before the request (or its
    /// retry after a 429/503, which applies nothing) was sent.
    Stale,
    /// The answer names another participant than the one asked for (a
    /// response that was meant for another request).
    Mismatch,
    /// The attempt's deadline ([`crate::Config::timeout`]) passed.
    Timeout,
    /// No complete response is held (internal; not expected).
    Incomplete,
    /// The host name did not resolve (embassy-net DNS).
    Dns,
    /// The TCP connection could not be opened.
    Connect,
    /// The TLS handshake failed (feature `tls`). A TLS record that fails
    /// after it, while a request is sent or its answer read, is
    /// [`Error::Write`] or [`Error::Read`] with the session's
    /// `embedded_tls::TlsError`.
    #[cfg(feature = "tls")]
    Tls(TlsFailure),
    /// The server's certificate chain or handshake signature was refused
    /// (feature `tls`): why, as [`crate::verify::verify_chain`] says.
    #[cfg(feature = "tls")]
    Certificate(crate::verify::VerifyError),
}

/// A TLS failure from `embedded-tls` (feature `tls`); two compare equal
/// when they are the same kind of failure (`embedded_tls::TlsError` has no
/// `PartialEq`).
///
/// ```
/// use confpart_embassy::TlsFailure;
/// use embedded_tls::TlsError;
///
/// assert_eq!(TlsFailure(TlsError::InvalidCertificate), TlsFailure(TlsError::InvalidCertificate));
/// assert_ne!(TlsFailure(TlsError::InvalidCertificate), TlsFailure(TlsError::Unimplemented));
/// ```
#[cfg(feature = "tls")]
#[derive(Debug, Clone, Copy)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct TlsFailure(pub embedded_tls::TlsError);

#[cfg(feature = "tls")]
impl PartialEq for TlsFailure {
    fn eq(&self, other: &Self) -> bool {
        core::mem::discriminant(&self.0) == core::mem::discriminant(&other.0)
    }
}

#[cfg(feature = "tls")]
impl Eq for TlsFailure {}

impl<E: fmt::Display> fmt::Display for Error<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Request(e) => write!(f, "request not sent: {e}"),
            Self::Response(e) => write!(f, "response: {e}"),
            Self::Write(e) => write!(f, "writing the request: {e}"),
            Self::WriteZero => f.write_str("writing the request: the transport took no byte"),
            Self::Read(e) => write!(f, "reading the response: {e}"),
            Self::Closed => f.write_str("the kept-alive connection was closed before the request"),
            Self::Stale => f.write_str("unasked-for bytes on the connection"),
            Self::Mismatch => f.write_str("the answer is about another participant"),
            Self::Timeout => f.write_str("timed out"),
            Self::Incomplete => f.write_str("no complete response"),
            Self::Dns => f.write_str("the host name did not resolve"),
            Self::Connect => f.write_str("could not connect"),
            #[cfg(feature = "tls")]
            Self::Tls(e) => write!(f, "TLS: {:?}", e.0),
            #[cfg(feature = "tls")]
            Self::Certificate(e) => write!(f, "server certificate refused: {e}"),
        }
    }
}

impl<E> Error<E> {
    /// True when the server cannot have applied the request, so sending it
    /// again on a new connection cannot apply it twice: nothing of it was
    /// written, or only attempts that were answered 429/503 (a retry found
    /// the connection closed or stale before it was written).
    ///
    /// ```
    /// use confpart_embassy::Error;
    /// use embedded_io::ErrorKind;
    ///
    /// assert!(Error::<ErrorKind>::Closed.request_not_sent());
    /// assert!(!Error::<ErrorKind>::Timeout.request_not_sent());
    /// ```
    pub const fn request_not_sent(&self) -> bool {
        matches!(
            self,
            Self::Request(_) | Self::Closed | Self::Stale | Self::Dns | Self::Connect
        )
    }
}

impl<E: embedded_io::Error> Error<E> {
    /// This error with the transport's error reduced to its
    /// [`ErrorKind`]: `Copy` and `==` whatever the transport (a
    /// `std::io::Error` or an `embedded_tls::TlsError` has no `PartialEq`).
    ///
    /// ```
    /// use confpart_embassy::Error;
    /// use embedded_io::ErrorKind;
    ///
    /// let e: Error<ErrorKind> = Error::Write(ErrorKind::BrokenPipe);
    /// assert_eq!(e.kind(), Error::Write(ErrorKind::BrokenPipe));
    /// assert_eq!(Error::<ErrorKind>::Timeout.kind(), Error::Timeout);
    /// ```
    pub fn kind(&self) -> Error<ErrorKind> {
        match self {
            Self::Write(e) => Error::Write(e.kind()),
            Self::Read(e) => Error::Read(e.kind()),
            Self::Request(e) => Error::Request(*e),
            Self::Response(e) => Error::Response(*e),
            Self::WriteZero => Error::WriteZero,
            Self::Closed => Error::Closed,
            Self::Stale => Error::Stale,
            Self::Mismatch => Error::Mismatch,
            Self::Timeout => Error::Timeout,
            Self::Incomplete => Error::Incomplete,
            Self::Dns => Error::Dns,
            Self::Connect => Error::Connect,
            #[cfg(feature = "tls")]
            Self::Tls(e) => Error::Tls(*e),
            #[cfg(feature = "tls")]
            Self::Certificate(e) => Error::Certificate(*e),
        }
    }
}

impl<E: core::error::Error + 'static> core::error::Error for Error<E> {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            Self::Request(e) | Self::Response(e) => Some(e),
            Self::Write(e) | Self::Read(e) => Some(e),
            #[cfg(feature = "tls")]
            Self::Tls(e) => Some(&e.0),
            #[cfg(feature = "tls")]
            Self::Certificate(e) => Some(e),
            _ => None,
        }
    }
}

impl<E> From<ClientError> for Error<E> {
    fn from(e: ClientError) -> Self {
        Self::Response(e)
    }
}

impl<E> From<HttpError> for Error<E> {
    fn from(e: HttpError) -> Self {
        Self::Response(ClientError::Http(e))
    }
}

impl<E> From<confpart::wire::ident::IdError> for Error<E> {
    fn from(e: confpart::wire::ident::IdError) -> Self {
        Self::Request(ClientError::Id(e))
    }
}
