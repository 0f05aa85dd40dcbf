//! What a bridge answers a failure with: one [`ApiAnswer`] (HTTP status,
//! Twilio error code, message) for every error it can meet, so one writer
//! ([`crate::bridge::write_error`]) answers them all.
//!
//! | error | status | code |
//! |---|---|---|
//! | [`HttpError`] | 400; 413 body, 414 request line, 417 `Expect`, 431 header fields, 501 `Transfer-Encoding` | 20001 |
//! | [`BridgeError::NotFound`] | 404 | 20404 |
//! | [`BridgeError::MethodNotAllowed`] | 405 (+ `Allow`) | 20004 |
//! | [`BridgeError::Unauthorized`] | 401 (+ `WWW-Authenticate`) | 20003 |
//! | [`BridgeError::Query`], [`BridgeError::Form`], [`BridgeError::Id`] | 400 | 20001 |
//! | [`BridgeError::CreateForm`] | 400 | 20001; 16023 for a `Label` too long to store |
//! | [`Rejection`] | per the [rules](crate::bridge): 404/20404, 400/10000, 400/20001, 400/21220, 400/16028, 400/16002, 400/16027 | |
//! | [`ConferenceError`] | `LabelInUse` 400/16026, `LabelTooLong` 400/16023, `NotFound` and `Completed` 404/20404, `Lifecycle` 400/21220, the others 400/20001 | |
//! | writer errors ([`BridgeError::Write`], `InvalidStatus`, ...) | 500 | 20500 |
//! | [`BridgeError::UnsupportedMediaType`] (Telnyx only) | 415 | 20001 |
//!
//! These are Twilio's statuses and codes; a service answering as another
//! dialect sends that dialect's ([`crate::api::codes::for_dialect`]:
//! SignalWire's are the same, Telnyx's 401 / 10009, 404 / 10005, 422 /
//! 10015 for every 400, ...) in its error body
//! ([`crate::bridge::write_error_in`]).

use crate::api::codes;
use crate::wire::http::HttpError;

/// The answer to a failure: HTTP status, Twilio (or SignalWire) error code,
/// and the message of the error body.
///
/// ```
/// use confpart::bridge::ApiAnswer;
/// use confpart::wire::http::HttpError;
/// let a = HttpError::BodyTooLarge { declared: Some(9_999_999), capacity: 1024 }.answer();
/// assert_eq!((a.status, a.code), (413, 20001));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct ApiAnswer {
    /// The HTTP status.
    pub status: u16,
    /// The error code of the body.
    pub code: u32,
    /// The message of the body.
    pub message: &'static str,
    /// The methods of the `Allow` header (405 only).
    pub allow: Option<&'static str>,
}

impl ApiAnswer {
    /// An answer without an `Allow` header.
    pub const fn new(status: u16, code: u32, message: &'static str) -> Self {
        Self {
            status,
            code,
            message,
            allow: None,
        }
    }
}

/// Anything a bridge may answer with an error response. Each implementor
/// also has the same `answer()` as an inherent `const fn`.
///
/// ```
/// use confpart::bridge::Answer;
/// use confpart::bridge::Rejection;
/// fn status_of(e: &impl Answer) -> u16 {
///     e.answer().status
/// }
/// assert_eq!(status_of(&Rejection::CoachTargetOnHold), 400);
/// ```
pub trait Answer {
    /// The status, code and message to answer with.
    fn answer(&self) -> ApiAnswer;
}

impl HttpError {
    /// The answer to a request that could not be framed: 400, or 413 (body
    /// too large), 414 (request line), 417 (`Expect`), 431 (header fields),
    /// 501 (`Transfer-Encoding`); code 20001.
    pub const fn answer(&self) -> ApiAnswer {
        let (status, message) = match self {
            Self::BodyTooLarge { .. } => (413, "Request body too large"),
            Self::StartLineTooLong { .. } => (414, "Request line too long"),
            Self::UnsupportedExpectation { .. } => (417, "Expectation not supported"),
            Self::HeaderLineTooLong { .. }
            | Self::TooManyHeaders { .. }
            | Self::HeadTooLarge { .. } => (431, "Request header fields too large"),
            Self::UnsupportedTransferEncoding { .. } => (501, "Transfer-Encoding not supported"),
            _ => (400, "Bad request"),
        };
        ApiAnswer::new(status, codes::INVALID_PARAMETER, message)
    }
}

impl Answer for HttpError {
    fn answer(&self) -> ApiAnswer {
        Self::answer(self)
    }
}

impl<T: Answer + ?Sized> Answer for &T {
    fn answer(&self) -> ApiAnswer {
        (**self).answer()
    }
}
