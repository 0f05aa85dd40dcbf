//! The error codes the services put in an error body (`code`), by name.
//! Twilio's codes unless marked SignalWire or Telnyx; the statuses they go
//! with are in the wire contract and in [`crate::bridge::Answer`]'s table.
//! [`for_dialect`] turns a Twilio refusal into the one a dialect sends.
//!
//! ```
//! use confpart::api::codes;
//! assert_eq!(codes::NOT_FOUND, 20404);
//! ```

use crate::api::path::Dialect;

/// 400: a parameter is missing or not valid (also any request that cannot be framed).
pub const INVALID_PARAMETER: u32 = 20001;
/// 401: authentication failed (`WWW-Authenticate` goes with it).
pub const AUTHENTICATION_FAILED: u32 = 20003;
/// 405: the method is not allowed on the resource (`Allow` goes with it).
pub const METHOD_NOT_ALLOWED: u32 = 20004;
/// 404: the resource was not found (a participant that left included).
pub const NOT_FOUND: u32 = 20404;
/// 429: too many requests (a full conference or bridge too).
pub const TOO_MANY_REQUESTS: u32 = 20429;
/// 500: the server failed to write its answer.
pub const INTERNAL_ERROR: u32 = 20500;
/// 503: the service is unavailable (busy).
pub const SERVICE_UNAVAILABLE: u32 = 20503;
/// 400: the call is not in a state that allows the operation.
pub const INVALID_CALL_STATE: u32 = 21220;
/// 400: the label is too long.
pub const LABEL_TOO_LONG: u32 = 16023;
/// 400: the label is not valid (looks like a call SID, contains `/`).
pub const LABEL_INVALID: u32 = 16024;
/// 400: the label is already in use in this conference.
pub const LABEL_IN_USE: u32 = 16026;
/// 400: the participant to coach is on hold.
pub const COACH_TARGET_ON_HOLD: u32 = 16027;
/// 400: the participant to coach is not in this conference.
pub const COACH_TARGET_NOT_IN_CONFERENCE: u32 = 16028;
/// SignalWire, 400: the participant to coach is not in the conference.
pub const SIGNALWIRE_COACH_TARGET_NOT_IN_CONFERENCE: u32 = 16002;
/// SignalWire, 400: an update of a participant in a completed conference.
pub const SIGNALWIRE_CONFERENCE_COMPLETED: u32 = 10000;

/// Telnyx, 422: a required parameter is missing (`Missing required parameter`).
pub const TELNYX_MISSING_PARAMETER: u32 = 10004;
/// Telnyx, 404: the resource or URL was not found (`Resource not found`).
pub const TELNYX_NOT_FOUND: u32 = 10005;
/// Telnyx, 500: an unexpected error (`Unexpected error`).
pub const TELNYX_UNEXPECTED_ERROR: u32 = 10007;
/// Telnyx, 401: the authentication header is missing or not valid
/// (`Authentication failed`).
pub const TELNYX_AUTHENTICATION_FAILED: u32 = 10009;
/// Telnyx, 403: not allowed on this resource (`Authorization failed`).
pub const TELNYX_AUTHORIZATION_FAILED: u32 = 10010;
/// Telnyx, 429: too many requests (`Too many requests`).
pub const TELNYX_TOO_MANY_REQUESTS: u32 = 10011;
/// Telnyx, 422 (and any other refusal without a code of its own): the
/// request is not well-formed or not valid (`Bad Request`).
pub const TELNYX_BAD_REQUEST: u32 = 10015;

/// Telnyx's `title` for one of its codes (as in Telnyx's error code
/// reference, developers.telnyx.com "API error codes"); `"Error"` for a code
/// this crate never sends.
///
/// ```
/// use confpart::api::codes::{self, telnyx_title};
/// assert_eq!(telnyx_title(codes::TELNYX_NOT_FOUND), "Resource not found");
/// assert_eq!(telnyx_title(1), "Error");
/// ```
pub const fn telnyx_title(code: u32) -> &'static str {
    match code {
        TELNYX_MISSING_PARAMETER => "Missing required parameter",
        TELNYX_NOT_FOUND => "Resource not found",
        TELNYX_UNEXPECTED_ERROR => "Unexpected error",
        TELNYX_AUTHENTICATION_FAILED => "Authentication failed",
        TELNYX_AUTHORIZATION_FAILED => "Authorization failed",
        TELNYX_TOO_MANY_REQUESTS => "Too many requests",
        TELNYX_BAD_REQUEST => "Bad Request",
        _ => "Error",
    }
}

/// The status and code a bridge answering as `dialect` sends for one of
/// this crate's (Twilio) `(code, status)` refusals: `(status, code)`.
///
/// - Twilio and SignalWire: unchanged (SignalWire's compatibility API uses
///   Twilio's codes and statuses; its own codes are already given by name).
/// - Telnyx, by status, because Telnyx's codes are coarser than Twilio's
///   and its SDKs raise by status: 401 → 10009, 403 → 10010, 404 → 10005,
///   every 400 (a bad parameter, a label, a call state, a coach target) →
///   **422** 10015 (Telnyx answers validation failures with 422, where its
///   SDKs raise `UnprocessableEntityError`), 429 → 429 10011 (Telnyx's
///   `Too many requests`, so the SDKs' `RateLimitError` carries a code of
///   the same family), 5xx → the same status with 10007. Any other status
///   (405 for instance) keeps its status with 10015.
///
/// A missing parameter has no Twilio code of its own here
/// ([`INVALID_PARAMETER`] covers it), so it maps to 10015 too; a bridge that
/// knows a parameter is missing answers 422 [`TELNYX_MISSING_PARAMETER`]
/// itself.
///
/// ```
/// use confpart::api::codes::{self, for_dialect};
/// use confpart::api::path::Dialect;
///
/// assert_eq!(for_dialect(codes::NOT_FOUND, 404, Dialect::Telnyx), (404, codes::TELNYX_NOT_FOUND));
/// assert_eq!(for_dialect(codes::LABEL_IN_USE, 400, Dialect::Telnyx), (422, codes::TELNYX_BAD_REQUEST));
/// assert_eq!(for_dialect(codes::LABEL_IN_USE, 400, Dialect::SignalWire), (400, codes::LABEL_IN_USE));
/// ```
pub const fn for_dialect(code: u32, status: u16, dialect: Dialect) -> (u16, u32) {
    match dialect {
        Dialect::Twilio | Dialect::SignalWire => (status, code),
        Dialect::Telnyx => match status {
            400 | 422 => (422, TELNYX_BAD_REQUEST),
            401 => (401, TELNYX_AUTHENTICATION_FAILED),
            403 => (403, TELNYX_AUTHORIZATION_FAILED),
            404 => (404, TELNYX_NOT_FOUND),
            429 => (429, TELNYX_TOO_MANY_REQUESTS),
            500..=599 => (status, TELNYX_UNEXPECTED_ERROR),
            _ => (status, TELNYX_BAD_REQUEST),
        },
    }
}
