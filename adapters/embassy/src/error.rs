//! The one error type of the adapter.

use core::fmt;

use confpart::client::ClientError;
use confpart::wire::http::HttpError;
use embedded_io::ErrorKind;

/// Everything that can go wrong in a round trip, connecting included.
///
/// Every variant except [`Error::Request`] means the connection was
/// dropped (it is never reused).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum Error {
    /// The request is invalid or does not fit the tx buffer; nothing was
    /// written (the connection is given back in [`crate::Failed`]).
    Request(ClientError),
    /// The response could not be framed (cut short mid-head or mid-body,
    /// malformed, too large for rx) or does not decode (e.g. a 200 whose
    /// body is not a participant). [`ClientError::Service`] comes from
    /// [`crate::Reply::participant`] for a 4xx/5xx answer.
    Response(ClientError),
    /// Writing the request failed.
    Write(ErrorKind),
    /// Reading the response failed.
    Read(ErrorKind),
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
    /// The TLS handshake or a TLS record failed (feature `tls`).
    #[cfg(feature = "tls")]
    Tls(TlsFailure),
}

/// A TLS failure from `embedded-tls` (feature `tls`); two compare equal
/// when they are the same kind of failure.
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

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Request(e) => write!(f, "request not sent: {e}"),
            Self::Response(e) => write!(f, "response: {e}"),
            Self::Write(k) => write!(f, "writing the request: {k:?}"),
            Self::Read(k) => write!(f, "reading the response: {k:?}"),
            Self::Closed => f.write_str("the kept-alive connection was closed before the request"),
            Self::Stale => f.write_str("unasked-for bytes on the connection"),
            Self::Mismatch => f.write_str("the answer is about another participant"),
            Self::Timeout => f.write_str("timed out"),
            Self::Incomplete => f.write_str("no complete response"),
            Self::Dns => f.write_str("the host name did not resolve"),
            Self::Connect => f.write_str("could not connect"),
            #[cfg(feature = "tls")]
            Self::Tls(e) => write!(f, "TLS: {:?}", e.0),
        }
    }
}

impl Error {
    /// True when the server cannot have applied the request, so sending it
    /// again on a new connection cannot apply it twice: nothing of it was
    /// written, or only attempts that were answered 429/503 (a retry found
    /// the connection closed or stale before it was written).
    pub const fn request_not_sent(&self) -> bool {
        matches!(
            self,
            Self::Request(_) | Self::Closed | Self::Stale | Self::Dns | Self::Connect
        )
    }
}

impl core::error::Error for Error {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            Self::Request(e) | Self::Response(e) => Some(e),
            _ => None,
        }
    }
}

impl From<ClientError> for Error {
    fn from(e: ClientError) -> Self {
        Self::Response(e)
    }
}

impl From<HttpError> for Error {
    fn from(e: HttpError) -> Self {
        Self::Response(ClientError::Http(e))
    }
}

impl From<confpart::wire::ident::IdError> for Error {
    fn from(e: confpart::wire::ident::IdError) -> Self {
        Self::Request(ClientError::Id(e))
    }
}
