//! Error bodies: Twilio's `{code, message, more_info, status[, details]}` and
//! SignalWire's two `errors` shapes. Decode all three; encode Twilio's.
//!
//! ```
//! use confpart::api_error::{ApiError, ErrorShape};
//!
//! let e = ApiError::decode(br#"{"code": 20404, "message": "Not found", "more_info": "https://www.twilio.com/docs/errors/20404", "status": 404}"#)?;
//! assert_eq!((e.code, e.status, e.shape), (Some(20404), Some(404), ErrorShape::Twilio));
//!
//! let sw = ApiError::decode(br#"{"errors": [{"code": "30010", "message": "Bad", "more_info": "x"}]}"#)?;
//! assert_eq!((sw.code, sw.message.as_str()), (Some(30010), "Bad"));
//!
//! let mut buf = [0u8; 160];
//! let n = ApiError::encode_twilio(20404, "Not found", 404, &mut buf).unwrap();
//! assert_eq!(ApiError::decode(&buf[..n])?, e);
//! # Ok::<(), confpart::json::JsonError>(())
//! ```

use core::fmt;
use core::marker::PhantomData;

use serde::de::{IgnoredAny, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};

use crate::json::{self, JsonError};
use crate::participant::{text, to_slice};
use crate::write::{WriteError, u64_to_decimal};

/// Bytes kept of an error `message` (longer ones are cut at a character
/// boundary and flagged in [`ApiError::message_truncated`]).
pub const MESSAGE_CAPACITY: usize = 512;
/// Bytes kept of `more_info` (a URL; longer ones are an error).
pub const MORE_INFO_CAPACITY: usize = 160;

/// Which of the three error shapes a body had.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum ErrorShape {
    /// `{"code": 20404, "message": ..., "more_info": ..., "status": 404}`
    Twilio,
    /// SignalWire `{"errors": [{"code": "30010", "message": ..., "more_info": ...}]}`
    SignalWireCoded,
    /// SignalWire 422 `{"errors": ["message", ...]}`
    SignalWireMessages,
}

/// A decoded error body.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct ApiError {
    /// The error code (SignalWire's string codes are parsed as numbers).
    pub code: Option<u32>,
    /// The message, unescaped (possibly cut: see `message_truncated`).
    pub message: heapless::String<MESSAGE_CAPACITY>,
    /// True when `message` was longer than [`MESSAGE_CAPACITY`] and was cut.
    pub message_truncated: bool,
    /// The documentation link.
    pub more_info: Option<heapless::String<MORE_INFO_CAPACITY>>,
    /// The HTTP status in the body (Twilio shape only).
    pub status: Option<u16>,
    /// Which shape the body had.
    pub shape: ErrorShape,
    /// SignalWire: how many entries the `errors` array had (the first is decoded).
    pub error_count: usize,
}

/// Twilio's shape and SignalWire's coded shape in one struct: one serde
/// pass for both (flash matters on the client path).
#[derive(Deserialize, Default)]
#[serde(default)]
struct RawError<'a> {
    code: Option<u32>,
    #[serde(borrow)]
    message: Option<&'a str>,
    #[serde(borrow)]
    more_info: Option<&'a str>,
    status: Option<u16>,
    #[serde(borrow)]
    errors: Option<FirstOf<RawSwItem<'a>>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawSwItem<'a> {
    #[serde(borrow)]
    code: Option<&'a str>,
    #[serde(borrow)]
    message: Option<&'a str>,
    #[serde(borrow)]
    more_info: Option<&'a str>,
}

/// SignalWire's 422 shape: `{"errors": ["message", ...]}`.
#[derive(Deserialize)]
struct RawSwMessages<'a> {
    #[serde(borrow)]
    errors: FirstOf<&'a str>,
}

/// The first element of a JSON array, and the array's length.
struct FirstOf<T> {
    first: Option<T>,
    count: usize,
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for FirstOf<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = FirstOf<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an array")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let first = seq.next_element::<T>()?;
                let mut count = usize::from(first.is_some());
                while seq.next_element::<IgnoredAny>()?.is_some() {
                    count += 1;
                }
                Ok(FirstOf { first, count })
            }
        }
        d.deserialize_seq(V(PhantomData))
    }
}

/// Unescapes `raw`, keeping what fits at a character boundary.
fn message(raw: Option<&str>) -> Result<(heapless::String<MESSAGE_CAPACITY>, bool), JsonError> {
    match raw {
        None => Ok((heapless::String::new(), false)),
        Some(raw) => {
            json::unescape_truncating(raw).map_err(|_| JsonError::InvalidField { field: "message" })
        }
    }
}

fn more_info(raw: Option<&str>) -> Result<Option<heapless::String<MORE_INFO_CAPACITY>>, JsonError> {
    raw.map(|raw| text(raw, "more_info")).transpose()
}

#[derive(Serialize)]
struct TwilioOut<'a> {
    code: u32,
    message: &'a str,
    more_info: &'a str,
    status: u16,
}

impl ApiError {
    /// Decodes any of the three shapes (JSON validated strictly first).
    pub fn decode(doc: &[u8]) -> Result<Self, JsonError> {
        json::validate(doc)?;
        let raw = match serde_json_core::from_slice::<RawError<'_>>(doc) {
            Ok((raw, _)) => raw,
            // `errors` holds strings, not objects: SignalWire's 422 shape.
            Err(first) => {
                let Ok((sw, _)) = serde_json_core::from_slice::<RawSwMessages<'_>>(doc) else {
                    return Err(first.into());
                };
                let (message, message_truncated) = message(sw.errors.first)?;
                return Ok(Self {
                    code: None,
                    message,
                    message_truncated,
                    more_info: None,
                    status: None,
                    shape: ErrorShape::SignalWireMessages,
                    error_count: sw.errors.count,
                });
            }
        };
        let twilio = raw.code.is_some() || raw.message.is_some() || raw.status.is_some();
        match raw.errors {
            Some(errors) if !twilio => {
                let item = errors.first.unwrap_or_default();
                let code = match item.code {
                    None => None,
                    Some(c) => Some(
                        c.parse::<u32>()
                            .map_err(|_| JsonError::InvalidField { field: "code" })?,
                    ),
                };
                let (message, message_truncated) = message(item.message)?;
                Ok(Self {
                    code,
                    message,
                    message_truncated,
                    more_info: more_info(item.more_info)?,
                    status: None,
                    shape: ErrorShape::SignalWireCoded,
                    error_count: errors.count,
                })
            }
            _ => {
                let (message, message_truncated) = message(raw.message)?;
                Ok(Self {
                    code: raw.code,
                    message,
                    message_truncated,
                    more_info: more_info(raw.more_info)?,
                    status: raw.status,
                    shape: ErrorShape::Twilio,
                    error_count: 1,
                })
            }
        }
    }

    /// Writes Twilio's shape, with `more_info` =
    /// `https://www.twilio.com/docs/errors/{code}`; returns the length.
    pub fn encode_twilio(
        code: u32,
        message: &str,
        status: u16,
        buf: &mut [u8],
    ) -> Result<usize, WriteError> {
        const BASE: &[u8] = b"https://www.twilio.com/docs/errors/";
        let mut link = [0u8; BASE.len() + 20];
        let mut digits = [0u8; 20];
        let digits = u64_to_decimal(u64::from(code), &mut digits);
        let (base, rest) = link.split_at_mut(BASE.len());
        base.copy_from_slice(BASE);
        let len = BASE.len() + digits.len();
        if let Some(dst) = rest.get_mut(..digits.len()) {
            dst.copy_from_slice(digits);
        }
        let more_info = core::str::from_utf8(link.get(..len).unwrap_or(&[])).unwrap_or("");
        to_slice(
            &TwilioOut {
                code,
                message,
                more_info,
                status,
            },
            buf,
        )
    }
}

// (wt-http stand-ins for the JSON worktree's hand-written writers, same
// signatures: `write_twilio` / `twilio_len` per the shared contract.)

/// Writes an error body in Twilio's shape, `{"code":..,"message":..,
/// "more_info":"https://www.twilio.com/docs/errors/{code}","status":..}`,
/// straight into `sink`.
///
/// ```
/// use confpart::api_error::{twilio_len, write_twilio};
/// use confpart::write::SliceSink;
/// let mut buf = [0u8; 128];
/// let mut sink = SliceSink::new(&mut buf);
/// write_twilio(&mut sink, 20404, "Not found", 404)?;
/// assert_eq!(sink.written(), br#"{"code":20404,"message":"Not found","more_info":"https://www.twilio.com/docs/errors/20404","status":404}"#);
/// assert_eq!(twilio_len(20404, "Not found", 404), sink.len());
/// # Ok::<(), confpart::write::WriteError>(())
/// ```
pub fn write_twilio<S: crate::write::Sink + ?Sized>(
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

/// The length [`write_twilio`] writes.
pub fn twilio_len(code: u32, message: &str, status: u16) -> usize {
    let mut sink = crate::write::CountingSink::default();
    // A counting sink never fails.
    let _ = write_twilio(&mut sink, code, message, status);
    sink.count
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signalwire_messages_shape() {
        let e = ApiError::decode(br#"{"errors": ["Name is required", "second"]}"#).unwrap();
        assert_eq!(e.shape, ErrorShape::SignalWireMessages);
        assert_eq!(e.message.as_str(), "Name is required");
        assert_eq!(e.error_count, 2);
        assert_eq!(e.code, None);
    }

    #[test]
    fn long_message_is_cut_and_flagged() {
        let mut doc = std::vec::Vec::from(&br#"{"code": 1, "message": ""#[..]);
        doc.extend(core::iter::repeat_n(b'x', MESSAGE_CAPACITY + 10));
        doc.extend(br#""}"#);
        let e = ApiError::decode(&doc).unwrap();
        assert!(e.message_truncated);
        assert_eq!(e.message.len(), MESSAGE_CAPACITY);
    }

    #[test]
    fn bad_bodies_are_typed_errors() {
        assert!(matches!(
            ApiError::decode(b"{\"errors\": [1]}"),
            Err(JsonError::Shape(_))
        ));
        assert!(matches!(
            ApiError::decode(b"<html>"),
            Err(JsonError::UnexpectedByte { offset: 0, .. })
        ));
        assert_eq!(
            ApiError::decode(br#"{"errors": [{"code": "abc"}]}"#),
            Err(JsonError::InvalidField { field: "code" })
        );
        assert!(matches!(
            ApiError::decode(br#"{"code": "20404"}"#),
            Err(JsonError::Shape(_))
        ));
    }
}
