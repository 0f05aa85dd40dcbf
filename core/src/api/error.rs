//! Error bodies: Twilio's `{code, message, more_info, status[, details]}` and
//! SignalWire's two `errors` shapes. Decode all three (as views of the
//! document); write Twilio's.
//!
//! A body is an error body when it has a Twilio `code` or `message`, or a
//! SignalWire `errors` array; anything else (`{}`, `{"foo": 1}`, a
//! participant) is [`JsonErrorKind::Missing`] `code, message or errors`.
//! Empty strings follow the crate-wide rule: `""` is treated like `null`
//! (an empty `message` is no message).
//!
//! ```
//! use confpart::api::error::{ApiError, ErrorShape};
//!
//! let e = ApiError::decode(br#"{"code": 20404, "message": "Not found", "more_info": "https://www.twilio.com/docs/errors/20404", "status": 404}"#)?;
//! assert_eq!((e.code, e.status, e.shape), (Some(20404), Some(404), ErrorShape::Twilio));
//!
//! let sw = ApiError::decode(br#"{"errors": [{"code": "30010", "message": "Bad", "more_info": "x"}]}"#)?;
//! assert_eq!(sw.code, Some(30010));
//! assert!(sw.message.unwrap().eq_str("Bad"));
//!
//! let mut buf = [0u8; 160];
//! let n = ApiError::encode_twilio(20404, "Not found", 404, &mut buf).unwrap();
//! assert_eq!(ApiError::decode(&buf[..n])?, e);
//! # Ok::<(), confpart::wire::json::JsonError>(())
//! ```

use crate::wire::json::{self, Cursor, JsonError, JsonErrorKind, JsonStr, KeySet};
use crate::wire::sink::{CountingSink, Sink, SliceSink, WriteError};

/// Which of the three error shapes a body had.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum ErrorShape {
    /// `{"code": 20404, "message": ..., "more_info": ..., "status": 404}`
    #[cfg_attr(feature = "serde", serde(rename = "twilio"))]
    Twilio,
    /// SignalWire `{"errors": [{"code": "30010", "message": ..., "more_info": ...}]}`
    #[cfg_attr(feature = "serde", serde(rename = "signalwire_coded"))]
    SignalWireCoded,
    /// SignalWire 422 `{"errors": ["message", ...]}`
    #[cfg_attr(feature = "serde", serde(rename = "signalwire_messages"))]
    SignalWireMessages,
}

/// A decoded error body, borrowing the document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ApiError<'a> {
    /// The error code (SignalWire's string codes are parsed as numbers).
    pub code: Option<u32>,
    /// The message (of the first entry, for SignalWire), still escaped:
    /// any length, never cut.
    pub message: Option<JsonStr<'a>>,
    /// The documentation link.
    pub more_info: Option<JsonStr<'a>>,
    /// The HTTP status in the body (Twilio shape only).
    pub status: Option<u16>,
    /// Which shape the body had.
    pub shape: ErrorShape,
    /// SignalWire: how many entries the `errors` array had (the first is
    /// decoded); 1 for Twilio's shape.
    pub error_count: usize,
}

const CODE: u32 = 0;
const MESSAGE: u32 = 1;
const MORE_INFO: u32 = 2;
const STATUS: u32 = 3;
const ERRORS: u32 = 4;

/// What the `errors` array held.
struct Errors<'a> {
    shape: ErrorShape,
    code: Option<u32>,
    message: Option<JsonStr<'a>>,
    more_info: Option<JsonStr<'a>>,
    count: usize,
}

/// A string field, `""` as absent.
fn text<'a>(c: &mut Cursor<'a>) -> Result<Option<JsonStr<'a>>, JsonError> {
    Ok(c.opt_str()?.filter(|s| !s.is_empty()))
}

/// SignalWire's string code: digits only.
fn sw_code(c: &mut Cursor<'_>) -> Result<Option<u32>, JsonError> {
    c.ws();
    let at = c.pos;
    let Some(s) = text(c)? else { return Ok(None) };
    let invalid = JsonError::new(JsonErrorKind::InvalidValue, at);
    let mut n: u32 = 0;
    let mut buf = [0u8; 10];
    let digits = s.unescape_into(&mut buf).map_err(|_| invalid)?;
    for d in digits.bytes() {
        if !d.is_ascii_digit() {
            return Err(invalid);
        }
        n = n
            .checked_mul(10)
            .and_then(|n| n.checked_add(u32::from(d - b'0')))
            .ok_or(invalid)?;
    }
    Ok(Some(n))
}

/// Reads `errors`: an array whose first entry is an object (coded shape) or
/// a string (messages shape); the other entries are counted and skipped.
fn errors<'a>(c: &mut Cursor<'a>) -> Result<Option<Errors<'a>>, JsonError> {
    match c.peek() {
        Some(b'[') => {}
        Some(b'n') => return c.opt_str().map(|_| None),
        _ => return Err(c.wrong_type("an array or null")),
    }
    let mut out = Errors {
        shape: ErrorShape::SignalWireCoded,
        code: None,
        message: None,
        more_info: None,
        count: 0,
    };
    if !c.enter()? {
        return Ok(Some(out));
    }
    match c.peek() {
        Some(b'"') => {
            out.shape = ErrorShape::SignalWireMessages;
            out.message = text(c)?;
        }
        Some(b'{') => {
            let mut seen: KeySet = 0;
            if c.enter()? {
                loop {
                    let key = c.key()?;
                    let mut buf = [0u8; 32];
                    let (index, name) = match key.text(&mut buf) {
                        b"code" => (CODE, "code"),
                        b"message" => (MESSAGE, "message"),
                        b"more_info" => (MORE_INFO, "more_info"),
                        _ => {
                            c.skip_value()?;
                            if !c.more(b'}')? {
                                break;
                            }
                            continue;
                        }
                    };
                    let mut read = |c: &mut Cursor<'a>, out: &mut Errors<'a>| {
                        Cursor::once(&mut seen, index, key.offset, name)?;
                        match index {
                            CODE => out.code = sw_code(c)?,
                            MESSAGE => out.message = text(c)?,
                            _ => out.more_info = text(c)?,
                        }
                        Ok::<(), JsonError>(())
                    };
                    read(c, &mut out).map_err(|e| e.in_field(name))?;
                    if !c.more(b'}')? {
                        break;
                    }
                }
            }
        }
        _ => return Err(c.wrong_type("an object or a string")),
    }
    out.count = 1;
    while c.more(b']')? {
        c.skip_value()?;
        out.count += 1;
    }
    Ok(Some(out))
}

impl<'a> ApiError<'a> {
    /// Decodes any of the three shapes, in one strict pass (see
    /// [`crate::wire::json`]); a body with none of `code`, `message` and `errors`
    /// is [`JsonErrorKind::Missing`].
    // Out of line: the error path's locals in a frame of their own, not in
    // the caller's (which also holds the participant of the success path).
    #[inline(never)]
    pub fn decode(doc: &'a [u8]) -> Result<Self, JsonError> {
        let mut c = Cursor::new(doc);
        if c.peek() != Some(b'{') {
            return Err(c.wrong_type("an object"));
        }
        let mut seen: KeySet = 0;
        let mut e = Self {
            code: None,
            message: None,
            more_info: None,
            status: None,
            shape: ErrorShape::Twilio,
            error_count: 1,
        };
        let mut sw = None;
        if c.enter()? {
            loop {
                let key = c.key()?;
                let mut buf = [0u8; 32];
                let (index, name) = match key.text(&mut buf) {
                    b"code" => (CODE, "code"),
                    b"message" => (MESSAGE, "message"),
                    b"more_info" => (MORE_INFO, "more_info"),
                    b"status" => (STATUS, "status"),
                    b"errors" => (ERRORS, "errors"),
                    _ => {
                        c.skip_value()?;
                        if !c.more(b'}')? {
                            break;
                        }
                        continue;
                    }
                };
                let mut read = |c: &mut Cursor<'a>| {
                    Cursor::once(&mut seen, index, key.offset, name)?;
                    match index {
                        CODE => e.code = c.opt_uint(u64::from(u32::MAX))?.map(|n| n as u32),
                        MESSAGE => e.message = text(c)?,
                        MORE_INFO => e.more_info = text(c)?,
                        STATUS => e.status = c.opt_uint(u64::from(u16::MAX))?.map(|n| n as u16),
                        _ => sw = errors(c)?,
                    }
                    Ok::<(), JsonError>(())
                };
                read(&mut c).map_err(|err| err.in_field(name))?;
                if !c.more(b'}')? {
                    break;
                }
            }
        }
        let end = c.pos.saturating_sub(1);
        c.finish()?;
        let twilio = e.code.is_some() || e.message.is_some();
        match sw {
            Some(sw) if !twilio => Ok(Self {
                code: sw.code,
                message: sw.message,
                more_info: sw.more_info,
                status: None,
                shape: sw.shape,
                error_count: sw.count,
            }),
            _ if twilio => Ok(e),
            _ => {
                Err(JsonError::new(JsonErrorKind::Missing, end).in_field("code, message or errors"))
            }
        }
    }

    /// Writes Twilio's shape into `buf` ([`write_twilio`]); returns the length.
    pub fn encode_twilio(
        code: u32,
        message: &str,
        status: u16,
        buf: &mut [u8],
    ) -> Result<usize, WriteError> {
        let mut sink = SliceSink::new(buf);
        write_twilio(&mut sink, code, message, status)?;
        Ok(sink.len())
    }
}

/// Writes Twilio's error shape, `{"code":…,"message":…,"more_info":…,"status":…}`,
/// with `more_info` = `https://www.twilio.com/docs/errors/{code}`.
///
/// ```
/// use confpart::api::error::{twilio_len, write_twilio};
/// use confpart::wire::sink::SliceSink;
///
/// let mut buf = [0u8; 128];
/// let mut sink = SliceSink::new(&mut buf);
/// write_twilio(&mut sink, 20404, "Not \"found\"", 404)?;
/// assert_eq!(
///     sink.written(),
///     br#"{"code":20404,"message":"Not \"found\"","more_info":"https://www.twilio.com/docs/errors/20404","status":404}"#
/// );
/// assert_eq!(sink.len(), twilio_len(20404, "Not \"found\"", 404));
/// # Ok::<(), confpart::wire::sink::WriteError>(())
/// ```
pub fn write_twilio<S: Sink + ?Sized>(
    sink: &mut S,
    code: u32,
    message: &str,
    status: u16,
) -> Result<(), WriteError> {
    sink.put(b"{\"code\":")?;
    sink.put_u64(u64::from(code))?;
    sink.put(b",\"message\":")?;
    json::write_string(sink, message)?;
    sink.put(b",\"more_info\":\"https://www.twilio.com/docs/errors/")?;
    sink.put_u64(u64::from(code))?;
    sink.put(b"\",\"status\":")?;
    sink.put_u64(u64::from(status))?;
    sink.put(b"}")
}

/// The length of [`write_twilio`]'s output.
pub fn twilio_len(code: u32, message: &str, status: u16) -> usize {
    let mut count = CountingSink::default();
    // A CountingSink never fails.
    let _ = write_twilio(&mut count, code, message, status);
    count.count
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signalwire_messages_shape() {
        let e = ApiError::decode(br#"{"errors": ["Name is required", "second"]}"#).unwrap();
        assert_eq!(e.shape, ErrorShape::SignalWireMessages);
        assert!(e.message.unwrap().eq_str("Name is required"));
        assert_eq!(e.error_count, 2);
        assert_eq!(e.code, None);
    }

    #[test]
    fn long_message_is_kept_whole() {
        let mut doc = std::vec::Vec::from(&br#"{"code": 1, "message": ""#[..]);
        doc.extend(core::iter::repeat_n(b'x', 5000));
        doc.extend(br#""}"#);
        let e = ApiError::decode(&doc).unwrap();
        assert_eq!(e.message.unwrap().raw().len(), 5000);
    }

    #[test]
    fn bad_bodies_are_typed_errors() {
        use JsonErrorKind::*;
        let at = |kind, offset, field| JsonError::new(kind, offset).in_field(field);
        assert_eq!(
            ApiError::decode(b"{\"errors\": [1]}"),
            Err(at(
                WrongType {
                    expected: "an object or a string"
                },
                12,
                "errors"
            ))
        );
        assert_eq!(
            ApiError::decode(b"<html>"),
            Err(JsonError::new(UnexpectedByte { byte: b'<' }, 0))
        );
        assert_eq!(
            ApiError::decode(br#"{"errors": [{"code": "abc"}]}"#),
            Err(at(InvalidValue, 21, "code"))
        );
        assert_eq!(
            ApiError::decode(br#"{"code": "20404"}"#),
            Err(at(
                WrongType {
                    expected: "an unsigned integer or null"
                },
                9,
                "code"
            ))
        );
    }
}
