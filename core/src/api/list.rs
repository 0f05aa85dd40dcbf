//! Participant list pages: `{"participants": [...], "page": 0, ...}`, in
//! Twilio's and SignalWire's shape and in Telnyx's (the same keys in
//! another order, without `previous_page_uri`; its participants in Telnyx's
//! resource shape): one decoder reads all of them, [`encode_page_for`]
//! writes each dialect's.
//!
//! Decoding streams: each participant is handed to a callback as soon as it
//! is read, as a view of the document ([`Participant`]), so a page of any
//! length needs memory for one participant only ([`decode_page_into`]
//! collects into a `heapless::Vec` when that is more convenient). A page is a
//! page when it has a `participants` array (`null` or absent is
//! [`JsonErrorKind::Missing`]); every item must be a participant (with a
//! `call_sid`). Paging numbers are 0 when absent or `null`; URIs follow the
//! crate-wide empty-string rule (`""` is absent, like `null`).
//!
//! Encoding takes an iterator and writes each participant straight into the
//! sink, so the page is never held in memory.
//!
//! ```
//! use confpart::api::list::{PageMeta, decode_page, encode_page};
//! use confpart::api::participant::Participant;
//! use confpart::wire::sink::SliceSink;
//!
//! let doc = br#"{"participants": [{"call_sid": "CAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "muted": true},
//!                                  {"call_sid": "CAbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", "muted": false}],
//!               "page": 0, "page_size": 2, "start": 0, "end": 1,
//!               "uri": "/x.json", "first_page_uri": "/x.json",
//!               "next_page_uri": null, "previous_page_uri": null}"#;
//! let mut muted = 0;
//! let meta = decode_page(doc, |p| muted += usize::from(p.muted() == Some(true)))?;
//! assert_eq!((meta.page_size, meta.end, muted), (2, 1, 1));
//!
//! let mut out = [0u8; 1024];
//! let mut sink = SliceSink::new(&mut out);
//! let people = [Participant::decode(br#"{"call_sid": "CAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}"#)?];
//! encode_page(&mut sink, &meta, people.iter()).unwrap();
//! let mut n = 0;
//! assert_eq!(decode_page(sink.written(), |_| n += 1)?, meta);
//! assert_eq!(n, 1);
//! # Ok::<(), confpart::wire::json::JsonError>(())
//! ```

use crate::api::participant::{Participant, Reply};
use crate::api::path::Dialect;
use crate::wire::json::{Cursor, JsonError, JsonErrorKind, JsonStr, KeySet};
use crate::wire::sink::{Sink, WriteError};

/// Everything of a list page except the participants (URIs borrow the
/// document).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct PageMeta<'a> {
    /// `page`: the page index, from 0.
    pub page: u32,
    /// `page_size`: participants per page (1..=1000).
    pub page_size: u32,
    /// `start`: index of the first participant of this page.
    pub start: u32,
    /// `end`: index of the last participant of this page (inclusive).
    pub end: u32,
    /// `uri`: this page.
    pub uri: Option<JsonStr<'a>>,
    /// `first_page_uri`
    pub first_page_uri: Option<JsonStr<'a>>,
    /// `next_page_uri` (`null` on the last page).
    pub next_page_uri: Option<JsonStr<'a>>,
    /// `previous_page_uri` (`null` on the first page; Telnyx's pages have
    /// none: always `None` there, Telnyx's `next_page_uri` carries the
    /// `PageToken` to follow).
    pub previous_page_uri: Option<JsonStr<'a>>,
}

const KEYS: [&str; 9] = [
    "participants",
    "page",
    "page_size",
    "start",
    "end",
    "uri",
    "first_page_uri",
    "next_page_uri",
    "previous_page_uri",
];

/// Decodes a list page, calling `each` with every participant in order.
///
/// Missing paging fields are 0 / `None`; `participants` is required.
pub fn decode_page<'a, F: FnMut(Participant<'a>)>(
    doc: &'a [u8],
    mut each: F,
) -> Result<PageMeta<'a>, JsonError> {
    decode_page_at(doc, |p, _| {
        each(p);
        Ok(())
    })
}

/// [`decode_page`] with the offset of each participant; `each` may stop
/// the decoding with an error.
fn decode_page_at<'a, F: FnMut(Participant<'a>, usize) -> Result<(), JsonError>>(
    doc: &'a [u8],
    mut each: F,
) -> Result<PageMeta<'a>, JsonError> {
    let mut c = Cursor::new(doc);
    if c.peek() != Some(b'{') {
        return Err(c.wrong_type("an object"));
    }
    let mut meta = PageMeta::default();
    let mut seen: KeySet = 0;
    let mut saw_participants = false;
    if c.enter()? {
        loop {
            let key = c.key()?;
            let mut buf = [0u8; 32];
            let text = key.text(&mut buf);
            let Some(index) = KEYS.iter().position(|k| k.as_bytes() == text) else {
                c.skip_value()?;
                if !c.more(b'}')? {
                    break;
                }
                continue;
            };
            let name = KEYS.get(index).copied().unwrap_or("");
            let mut read = |c: &mut Cursor<'a>| {
                Cursor::once(&mut seen, index as u32, key.offset, name)?;
                let uint = |c: &mut Cursor<'a>| {
                    c.opt_uint(u64::from(u32::MAX))
                        .map(|n| n.map_or(0, |n| n as u32))
                };
                let uri = |c: &mut Cursor<'a>| c.opt_str().map(|s| s.filter(|s| !s.is_empty()));
                match index {
                    0 => {
                        match c.peek() {
                            Some(b'[') => {}
                            Some(b'n') => return c.opt_str().map(|_| ()),
                            _ => return Err(c.wrong_type("an array or null")),
                        }
                        saw_participants = true;
                        if c.enter()? {
                            loop {
                                c.ws();
                                let at = c.pos;
                                each(Participant::read(c)?, at)?;
                                if !c.more(b']')? {
                                    break;
                                }
                            }
                        }
                    }
                    1 => meta.page = uint(c)?,
                    2 => meta.page_size = uint(c)?,
                    3 => meta.start = uint(c)?,
                    4 => meta.end = uint(c)?,
                    5 => meta.uri = uri(c)?,
                    6 => meta.first_page_uri = uri(c)?,
                    7 => meta.next_page_uri = uri(c)?,
                    _ => meta.previous_page_uri = uri(c)?,
                }
                Ok(())
            };
            read(&mut c).map_err(|e| e.in_field(name))?;
            if !c.more(b'}')? {
                break;
            }
        }
    }
    let end = c.pos.saturating_sub(1);
    c.finish()?;
    if !saw_participants {
        return Err(JsonError::new(JsonErrorKind::Missing, end).in_field("participants"));
    }
    Ok(meta)
}

/// Decodes a list page into a `heapless::Vec` of at most `N` participants;
/// a longer page is [`JsonErrorKind::TooLong`] at the first participant that
/// does not fit (never cut).
pub fn decode_page_into<'a, const N: usize>(
    doc: &'a [u8],
) -> Result<(PageMeta<'a>, heapless::Vec<Participant<'a>, N>), JsonError> {
    let mut out = heapless::Vec::new();
    let meta = decode_page_at(doc, |p, at| {
        out.push(p).map_err(|_| {
            JsonError::new(JsonErrorKind::TooLong { max: N }, at).in_field("participants")
        })
    })?;
    Ok((meta, out))
}

/// Writes a list page: the participants from `participants`, each encoded
/// straight into `sink`, then the paging fields in Twilio's order.
pub fn encode_page<'p, 'a: 'p, S, I>(
    sink: &mut S,
    meta: &PageMeta<'_>,
    participants: I,
) -> Result<(), WriteError>
where
    S: Sink + ?Sized,
    I: IntoIterator<Item = &'p Participant<'a>>,
{
    write_participants(sink, Dialect::Twilio, participants)?;
    write_links(
        sink,
        [
            ("first_page_uri", &meta.first_page_uri),
            ("next_page_uri", &meta.next_page_uri),
            ("previous_page_uri", &meta.previous_page_uri),
            ("uri", &meta.uri),
        ],
    )?;
    write_numbers(sink, meta)?;
    sink.put(b"}")
}

/// Writes a list page as `dialect`'s service answers it, each participant
/// encoded with [`Participant::encode_for`] (`Reply::Resource`) straight
/// into `sink`:
///
/// - Twilio and SignalWire: [`encode_page`]'s bytes;
/// - Telnyx: `{"participants":[...],"page":…,"page_size":…,"start":…,
///   "end":…,"uri":…,"first_page_uri":…,"next_page_uri":…}` (Telnyx's
///   order; no `previous_page_uri`, whatever `meta` holds; an absent URI is
///   `null`, as on Telnyx's last page).
///
/// ```
/// use confpart::api::list::{PageMeta, decode_page, encode_page_for};
/// use confpart::api::participant::Participant;
/// use confpart::api::path::Dialect;
/// use confpart::wire::json::JsonStr;
/// use confpart::wire::sink::SliceSink;
///
/// let meta = PageMeta {
///     page_size: 20,
///     uri: Some(JsonStr::text("/v2/texml/Accounts/a/Conferences/c/Participants.json?Page=0&PageSize=20")),
///     previous_page_uri: Some(JsonStr::text("/not/written")),
///     ..PageMeta::default()
/// };
/// let people = [Participant::decode(br#"{"call_sid": "v3:abc", "muted": true}"#)?];
/// let mut out = [0u8; 512];
/// let mut sink = SliceSink::new(&mut out);
/// encode_page_for(&mut sink, Dialect::Telnyx, &meta, people.iter()).unwrap();
/// let json = core::str::from_utf8(sink.written()).unwrap();
/// assert!(json.starts_with(r#"{"participants":[{"api_version":"v2/texml","call_sid":"v3:abc","muted":true}],"page":0,"page_size":20,"start":0,"end":0,"uri":"/v2/texml/"#));
/// assert!(json.ends_with(r#","first_page_uri":null,"next_page_uri":null}"#));
/// let mut n = 0;
/// let back = decode_page(sink.written(), |_| n += 1)?;
/// assert_eq!((back.page_size, back.previous_page_uri, n), (20, None, 1));
/// # Ok::<(), confpart::wire::json::JsonError>(())
/// ```
pub fn encode_page_for<'p, 'a: 'p, S, I>(
    sink: &mut S,
    dialect: Dialect,
    meta: &PageMeta<'_>,
    participants: I,
) -> Result<(), WriteError>
where
    S: Sink + ?Sized,
    I: IntoIterator<Item = &'p Participant<'a>>,
{
    if dialect != Dialect::Telnyx {
        return encode_page(sink, meta, participants);
    }
    write_participants(sink, dialect, participants)?;
    write_numbers(sink, meta)?;
    write_links(
        sink,
        [
            ("uri", &meta.uri),
            ("first_page_uri", &meta.first_page_uri),
            ("next_page_uri", &meta.next_page_uri),
        ],
    )?;
    sink.put(b"}")
}

/// `{"participants":[…]`: each participant as `dialect`'s resource
/// ([`Participant::encode_for`]), straight into `sink`.
fn write_participants<'p, 'a: 'p, S, I>(
    sink: &mut S,
    dialect: Dialect,
    participants: I,
) -> Result<(), WriteError>
where
    S: Sink + ?Sized,
    I: IntoIterator<Item = &'p Participant<'a>>,
{
    sink.put(b"{\"participants\":[")?;
    for (i, p) in participants.into_iter().enumerate() {
        if i > 0 {
            sink.put(b",")?;
        }
        p.encode_for(dialect, Reply::Resource, sink)?;
    }
    sink.put(b"]")
}

/// The page's numbers, each as `,"key":n`, in the order both shapes share.
fn write_numbers<S: Sink + ?Sized>(sink: &mut S, meta: &PageMeta<'_>) -> Result<(), WriteError> {
    for (key, value) in [
        ("page", meta.page),
        ("page_size", meta.page_size),
        ("start", meta.start),
        ("end", meta.end),
    ] {
        sink.put(b",\"")?;
        sink.put_str(key)?;
        sink.put(b"\":")?;
        sink.put_u64(u64::from(value))?;
    }
    Ok(())
}

/// The page's links in the given order, each as `,"key":"…"` or `null`.
fn write_links<S: Sink + ?Sized, const N: usize>(
    sink: &mut S,
    links: [(&str, &Option<JsonStr<'_>>); N],
) -> Result<(), WriteError> {
    for (key, value) in links {
        sink.put(b",\"")?;
        sink.put_str(key)?;
        sink.put(b"\":")?;
        match value {
            Some(s) => s.write_json(sink)?,
            None => sink.put(b"null")?,
        }
    }
    Ok(())
}
