//! The error codes the services put in an error body (`code`), by name.
//! Twilio's codes unless marked SignalWire; the statuses they go with are in
//! the wire contract and in [`crate::bridge::Answer`]'s table.
//!
//! ```
//! use confpart::api::codes;
//! assert_eq!(codes::NOT_FOUND, 20404);
//! ```

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
