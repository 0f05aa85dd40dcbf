//! Error bodies: Twilio's `{code, message, more_info, status[, details]}`,
//! SignalWire's two `errors` shapes and Telnyx's `errors` shape
//! (`{code, title, detail, source, meta}` entries). Decode all four (as
//! views of the document); write each dialect's own ([`write_body`]).
//!
//! A body is an error body when it has a Twilio `code` or `message`, or an
//! `errors` array; anything else (`{}`, `{"foo": 1}`, a
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
//! let tx = ApiError::decode(br#"{"errors": [{"code": "10015", "title": "Bad Request",
//!     "detail": "Muted must be a boolean", "source": {"pointer": "/Muted"},
//!     "meta": {"url": "https://developers.telnyx.com/docs/overview/errors/10015"}}]}"#)?;
//! assert_eq!((tx.code, tx.shape), (Some(10015), ErrorShape::Telnyx));
//! assert!(tx.message.unwrap().eq_str("Muted must be a boolean"));
//! assert!(tx.title.unwrap().eq_str("Bad Request"));
//! assert!(tx.source.unwrap().eq_str("/Muted"));
//! let bare = ApiError::decode(br#"{"errors": [{"detail": "Resource not found"}]}"#)?;
//! assert_eq!((bare.code, bare.shape), (None, ErrorShape::Telnyx));
//!
//! let mut buf = [0u8; 160];
//! let n = ApiError::encode_twilio(20404, "Not found", 404, &mut buf).unwrap();
//! assert_eq!(ApiError::decode(&buf[..n])?, e);
//! # Ok::<(), confpart::wire::json::JsonError>(())
//! ```

use crate::api::codes;
use crate::api::path::Dialect;
use crate::wire::json::{self, Cursor, JsonError, JsonErrorKind, JsonStr, KeySet};
use crate::wire::sink::{CountingSink, Sink, SliceSink, WriteError};

/// Which of the four error shapes a body had.
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
    /// Telnyx `{"errors": [{"code": "10005", "title": ..., "detail": ...,
    /// "source": {"pointer": ...}, "meta": {"url": ...}}]}` (`code` may be
    /// absent): an entry with `title`, `detail`, `source` or `meta` and
    /// neither `message` nor `more_info`.
    #[cfg_attr(feature = "serde", serde(rename = "telnyx"))]
    Telnyx,
}

/// A decoded error body, borrowing the document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ApiError<'a> {
    /// The error code (SignalWire's and Telnyx's string codes are parsed as
    /// numbers).
    pub code: Option<u32>,
    /// The message (of the first entry, for SignalWire and Telnyx), still
    /// escaped: any length, never cut. Telnyx: its `detail`, or its `title`
    /// when there is no `detail`.
    pub message: Option<JsonStr<'a>>,
    /// The documentation link (Telnyx: `meta.url`).
    pub more_info: Option<JsonStr<'a>>,
    /// The HTTP status in the body (Twilio shape only).
    pub status: Option<u16>,
    /// Which shape the body had.
    pub shape: ErrorShape,
    /// SignalWire and Telnyx: how many entries the `errors` array had (the
    /// first is decoded); 1 for Twilio's shape.
    pub error_count: usize,
    /// Telnyx: the first entry's `title` (the code's name, such as
    /// `Resource not found`); `None` in the other shapes.
    pub title: Option<JsonStr<'a>>,
    /// Telnyx: the first entry's `source.pointer` (a JSON pointer to the
    /// refused parameter, `/Muted`); `None` in the other shapes (and for
    /// Telnyx's `source.parameter`, which names a query parameter: this API's
    /// requests have none a service refuses).
    pub source: Option<JsonStr<'a>>,
}

/// The members of a body read (Twilio's, then the `errors` array), by index.
const BODY: [&str; 5] = ["code", "message", "more_info", "status", "errors"];
const CODE: usize = 0;
const MESSAGE: usize = 1;
const MORE_INFO: usize = 2;
const STATUS: usize = 3;

/// What the `errors` array held.
struct Errors<'a> {
    shape: ErrorShape,
    code: Option<u32>,
    message: Option<JsonStr<'a>>,
    more_info: Option<JsonStr<'a>>,
    title: Option<JsonStr<'a>>,
    source: Option<JsonStr<'a>>,
    count: usize,
}

/// The members of an `errors` entry read (SignalWire's, then Telnyx's), by
/// index: a search in this table rather than a `match` on the byte strings
/// keeps the error path small on a microcontroller.
const ENTRY: [&str; 7] = [
    "code",
    "message",
    "more_info",
    "title",
    "detail",
    "source",
    "meta",
];
const E_MESSAGE: usize = 1;
const E_MORE_INFO: usize = 2;
const E_TITLE: usize = 3;
const E_DETAIL: usize = 4;
const E_SOURCE: usize = 5;
const E_META: usize = 6;

/// A string field, `""` as absent.
fn text<'a>(c: &mut Cursor<'a>) -> Result<Option<JsonStr<'a>>, JsonError> {
    Ok(c.opt_str()?.filter(|s| !s.is_empty()))
}

/// SignalWire's and Telnyx's string code: digits only.
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

/// Reads the object whose `{` is at the cursor: each member named in
/// `keys` (at most once) is handed to `read` with its index, and an error in
/// it names the member; the others are skipped. Returns which keys were
/// seen. One loop for the three levels of the shapes (the body, an `errors`
/// entry, Telnyx's `source` and `meta`), called through `dyn`: one copy of
/// it in a firmware image rather than one per level.
fn members<'a>(
    c: &mut Cursor<'a>,
    keys: &[&'static str],
    read: &mut dyn FnMut(&mut Cursor<'a>, usize) -> Result<(), JsonError>,
) -> Result<KeySet, JsonError> {
    let mut seen: KeySet = 0;
    if c.enter()? {
        loop {
            let key = c.key()?;
            let mut buf = [0u8; 32];
            let name = key.text(&mut buf);
            match keys.iter().position(|k| k.as_bytes() == name) {
                Some(i) => {
                    let field = keys.get(i).copied().unwrap_or("");
                    Cursor::once(&mut seen, i as u32, key.offset, field)?;
                    read(c, i).map_err(|e| e.in_field(field))?;
                }
                None => c.skip_value()?,
            }
            if !c.more(b'}')? {
                break;
            }
        }
    }
    Ok(seen)
}

/// Reads a small object (or `null`), Telnyx's `source` or `meta`: the
/// value of its member `wanted` (at most once, a string or `null`); other
/// members are skipped.
fn nested<'a>(c: &mut Cursor<'a>, wanted: &'static str) -> Result<Option<JsonStr<'a>>, JsonError> {
    match c.peek() {
        Some(b'{') => {}
        Some(b'n') => return c.opt_str().map(|_| None),
        _ => return Err(c.wrong_type("an object or null")),
    }
    let mut found = None;
    members(c, &[wanted], &mut |c, _| {
        found = text(c)?;
        Ok(())
    })?;
    Ok(found)
}

/// Reads `errors`: an array whose first entry is an object (coded shape:
/// SignalWire's or Telnyx's) or a string (messages shape); the other
/// entries are counted and skipped.
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
        title: None,
        source: None,
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
            // The texts of the members, by `ENTRY` index (`source` and
            // `meta`: their pointer and url); `code` is read as a number.
            let mut texts: [Option<JsonStr<'a>>; ENTRY.len()] = [None; ENTRY.len()];
            let seen = members(c, &ENTRY, &mut |c, i| {
                let v = match i {
                    0 => {
                        out.code = sw_code(c)?;
                        return Ok(());
                    }
                    E_SOURCE => nested(c, "pointer")?,
                    E_META => nested(c, "url")?,
                    _ => text(c)?,
                };
                if let Some(slot) = texts.get_mut(i) {
                    *slot = v;
                }
                Ok(())
            })?;
            let at = |i: usize| texts.get(i).copied().flatten();
            let signalwire = seen & ((1 << E_MESSAGE) | (1 << E_MORE_INFO)) != 0;
            let telnyx = seen >> E_TITLE != 0;
            if telnyx && !signalwire {
                out.shape = ErrorShape::Telnyx;
                out.message = at(E_DETAIL).or(at(E_TITLE));
                out.title = at(E_TITLE);
                out.source = at(E_SOURCE);
                // Telnyx's link: `meta.url`.
                out.more_info = at(E_META);
            } else {
                out.message = at(E_MESSAGE);
                out.more_info = at(E_MORE_INFO);
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
    /// Decodes any of the four shapes, in one strict pass (see
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
        let mut e = Self {
            code: None,
            message: None,
            more_info: None,
            status: None,
            shape: ErrorShape::Twilio,
            error_count: 1,
            title: None,
            source: None,
        };
        let mut sw = None;
        members(&mut c, &BODY, &mut |c, i| {
            match i {
                CODE => e.code = c.opt_uint(u64::from(u32::MAX))?.map(|n| n as u32),
                MESSAGE => e.message = text(c)?,
                MORE_INFO => e.more_info = text(c)?,
                STATUS => e.status = c.opt_uint(u64::from(u16::MAX))?.map(|n| n as u16),
                _ => sw = errors(c)?,
            }
            Ok(())
        })?;
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
                title: sw.title,
                source: sw.source,
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

/// Where SignalWire's error codes are documented; `more_info` is this and
/// `#{code}` (the form SignalWire's own REST errors link with, such as
/// `https://developer.signalwire.com/rest/overview/error-codes/#not_routable`).
pub const SIGNALWIRE_MORE_INFO: &str =
    "https://developer.signalwire.com/rest/compatibility-api/overview/error-codes/#";

/// Where Telnyx's error codes are documented; `meta.url` is this and the code.
pub const TELNYX_MORE_INFO: &str = "https://developers.telnyx.com/docs/overview/errors/";

/// Writes an error body in the shape `dialect`'s service uses, for a
/// refusal already in that dialect's terms (status and code: see
/// [`crate::api::codes::for_dialect`]):
///
/// - Twilio: [`write_twilio`]'s `{"code":…,"message":…,"more_info":…,"status":…}`;
/// - SignalWire: its coded shape,
///   `{"errors":[{"code":"…","message":"…","more_info":"…"}]}` (the code as
///   a string, `more_info` = [`SIGNALWIRE_MORE_INFO`] + code; no status);
/// - Telnyx: `{"errors":[{"code":"…","title":"…","detail":"…","meta":{"url":"…"}}]}`
///   (the code as a string, `title` = [`crate::api::codes::telnyx_title`],
///   `detail` = `message`, `meta.url` = [`TELNYX_MORE_INFO`] + code; no
///   status, no `source`: the refusals here do not name a parameter in a
///   field of their own).
///
/// ```
/// use confpart::api::error::{ApiError, ErrorShape, body_len, write_body};
/// use confpart::api::path::Dialect;
/// use confpart::wire::sink::SliceSink;
///
/// let mut buf = [0u8; 256];
/// let mut sink = SliceSink::new(&mut buf);
/// write_body(&mut sink, Dialect::Telnyx, 10005, "No such participant", 404)?;
/// assert_eq!(
///     sink.written(),
///     br#"{"errors":[{"code":"10005","title":"Resource not found","detail":"No such participant","meta":{"url":"https://developers.telnyx.com/docs/overview/errors/10005"}}]}"#
/// );
/// assert_eq!(sink.len(), body_len(Dialect::Telnyx, 10005, "No such participant", 404));
/// let e = ApiError::decode(sink.written()).unwrap();
/// assert_eq!((e.code, e.shape), (Some(10005), ErrorShape::Telnyx));
/// assert!(e.message.unwrap().eq_str("No such participant"));
/// # Ok::<(), confpart::wire::sink::WriteError>(())
/// ```
pub fn write_body<S: Sink + ?Sized>(
    sink: &mut S,
    dialect: Dialect,
    code: u32,
    message: &str,
    status: u16,
) -> Result<(), WriteError> {
    match dialect {
        Dialect::Twilio => write_twilio(sink, code, message, status),
        Dialect::SignalWire => {
            sink.put(b"{\"errors\":[{\"code\":\"")?;
            sink.put_u64(u64::from(code))?;
            sink.put(b"\",\"message\":")?;
            json::write_string(sink, message)?;
            sink.put(b",\"more_info\":\"")?;
            sink.put_str(SIGNALWIRE_MORE_INFO)?;
            sink.put_u64(u64::from(code))?;
            sink.put(b"\"}]}")
        }
        Dialect::Telnyx => {
            sink.put(b"{\"errors\":[{\"code\":\"")?;
            sink.put_u64(u64::from(code))?;
            // The titles are plain ASCII without quotes or backslashes.
            sink.put(b"\",\"title\":\"")?;
            sink.put_str(codes::telnyx_title(code))?;
            sink.put(b"\",\"detail\":")?;
            json::write_string(sink, message)?;
            sink.put(b",\"meta\":{\"url\":\"")?;
            sink.put_str(TELNYX_MORE_INFO)?;
            sink.put_u64(u64::from(code))?;
            sink.put(b"\"}}]}")
        }
    }
}

/// The length of [`write_body`]'s output.
///
/// ```
/// use confpart::api::error::{body_len, twilio_len};
/// use confpart::api::path::Dialect;
/// assert_eq!(body_len(Dialect::Twilio, 20404, "x", 404), twilio_len(20404, "x", 404));
/// ```
pub fn body_len(dialect: Dialect, code: u32, message: &str, status: u16) -> usize {
    let mut count = CountingSink::default();
    // A CountingSink never fails.
    let _ = write_body(&mut count, dialect, code, message, status);
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
