//! The answers a bridge's server writes without a request to route: a
//! connection it has no room for, a request that did not arrive in time, a
//! request larger than it reads. Each is an [`ApiAnswer`] with a Twilio
//! error body, written with [`crate::bridge::write_error`] and
//! `Connection: close`, as the adapters' servers (threads or sockets) need
//! them alike.
//!
//! ```
//! use confpart::bridge::{self, ApiAnswer};
//! use confpart::wire::http::Connection;
//! use confpart::wire::sink::SliceSink;
//!
//! let mut out = [0u8; 512];
//! let mut sink = SliceSink::new(&mut out);
//! bridge::write_error(&mut sink, &ApiAnswer::BUSY, Connection::Close)?;
//! let text = core::str::from_utf8(sink.written()).unwrap();
//! assert!(text.starts_with("HTTP/1.1 503 Service Unavailable\r\n"));
//! assert!(text.contains("\"code\":20503,"));
//! # Ok::<(), confpart::bridge::BridgeError>(())
//! ```

use super::answer::ApiAnswer;
use crate::api::codes;

impl ApiAnswer {
    /// 503 / 20503: a connection refused at once because every worker (or
    /// socket) is busy.
    ///
    /// ```
    /// use confpart::bridge::ApiAnswer;
    /// assert_eq!((ApiAnswer::BUSY.status, ApiAnswer::BUSY.code), (503, 20503));
    /// ```
    pub const BUSY: Self = Self::new(
        503,
        codes::SERVICE_UNAVAILABLE,
        "Service unavailable: every worker is busy",
    );

    /// 408 / 20001: the request's head, or the whole request, did not
    /// arrive in time.
    ///
    /// ```
    /// use confpart::bridge::ApiAnswer;
    /// assert_eq!((ApiAnswer::TIMEOUT.status, ApiAnswer::TIMEOUT.code), (408, 20001));
    /// ```
    pub const TIMEOUT: Self = Self::new(408, codes::INVALID_PARAMETER, "Request timeout");

    /// 413 / 20001: the request is larger than the server reads (the
    /// framing's own limits answer with [`crate::wire::http::HttpError`]'s
    /// answer instead).
    ///
    /// ```
    /// use confpart::bridge::ApiAnswer;
    /// assert_eq!((ApiAnswer::TOO_LARGE.status, ApiAnswer::TOO_LARGE.code), (413, 20001));
    /// ```
    pub const TOO_LARGE: Self = Self::new(413, codes::INVALID_PARAMETER, "Request too large");
}
