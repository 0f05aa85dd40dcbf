//! Participant list pages: `{"participants": [...], "page": 0, ...}`.
//!
//! Decoding streams: each participant is handed to a callback as soon as it
//! is decoded, so a page of any length needs memory for one participant
//! only ([`decode_page_into`] collects into a `heapless::Vec` when that is
//! more convenient). Encoding takes an iterator and writes each participant
//! through a small scratch buffer, so the page is never held in memory.
//!
//! ```
//! use confpart::list::{PageMeta, decode_page, encode_page};
//! use confpart::participant::Participant;
//! use confpart::write::SliceSink;
//!
//! let doc = br#"{"participants": [{"muted": true}, {"muted": false}],
//!               "page": 0, "page_size": 2, "start": 0, "end": 1,
//!               "uri": "/x.json", "first_page_uri": "/x.json",
//!               "next_page_uri": null, "previous_page_uri": null}"#;
//! let mut muted = 0;
//! let meta = decode_page(doc, |p| muted += usize::from(p.muted == Some(true)))?;
//! assert_eq!((meta.page_size, meta.end, muted), (2, 1, 1));
//!
//! let mut out = [0u8; 512];
//! let mut scratch = [0u8; 512];
//! let mut sink = SliceSink::new(&mut out);
//! let people = [Participant::default()];
//! encode_page(&mut sink, &meta, people.iter(), &mut scratch).unwrap();
//! let mut n = 0;
//! assert_eq!(decode_page(sink.written(), |_| n += 1)?, meta);
//! assert_eq!(n, 1);
//! # Ok::<(), confpart::json::JsonError>(())
//! ```

use core::fmt;

use serde::Deserializer;
use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};

use crate::json::{self, JsonError};
use crate::participant::{Participant, RawParticipant, to_slice};
use crate::write::{Sink, WriteError};

/// Bytes reserved for each of the page's URIs (they carry the query string).
pub const PAGE_URI_CAPACITY: usize = 384;

/// A page URI.
pub type PageUri = heapless::String<PAGE_URI_CAPACITY>;

/// Everything of a list page except the participants.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct PageMeta {
    /// `page`: the page index, from 0.
    pub page: u32,
    /// `page_size`: participants per page (1..=1000).
    pub page_size: u32,
    /// `start`: index of the first participant of this page.
    pub start: u32,
    /// `end`: index of the last participant of this page (inclusive).
    pub end: u32,
    /// `uri`: this page.
    pub uri: Option<PageUri>,
    /// `first_page_uri`
    pub first_page_uri: Option<PageUri>,
    /// `next_page_uri` (`null` on the last page).
    pub next_page_uri: Option<PageUri>,
    /// `previous_page_uri` (`null` on the first page).
    pub previous_page_uri: Option<PageUri>,
}

/// Decodes a list page, calling `each` with every participant in order.
///
/// Missing paging fields are 0 / `None`; `participants` is required.
pub fn decode_page<F: FnMut(Participant)>(doc: &[u8], each: F) -> Result<PageMeta, JsonError> {
    json::validate(doc)?;
    let mut state = State {
        each,
        error: None,
        saw_participants: false,
    };
    let mut de = serde_json_core::de::Deserializer::new(doc, None);
    let result = PageSeed(&mut state).deserialize(&mut de);
    if let Some(error) = state.error {
        return Err(error);
    }
    let raw = result?;
    de.end()?;
    if !state.saw_participants {
        return Err(JsonError::InvalidField {
            field: "participants",
        });
    }
    raw.into_meta()
}

/// Decodes a list page into a `heapless::Vec` of at most `N` participants;
/// a longer page is [`JsonError::TooLong`] (never cut).
pub fn decode_page_into<const N: usize>(
    doc: &[u8],
) -> Result<(PageMeta, heapless::Vec<Participant, N>), JsonError> {
    let mut out = heapless::Vec::new();
    let mut overflow = false;
    let meta = decode_page(doc, |p| overflow |= out.push(p).is_err())?;
    if overflow {
        return Err(JsonError::TooLong {
            field: "participants",
            max: N,
        });
    }
    Ok((meta, out))
}

/// Writes a list page: the participants from `participants`, each encoded
/// through `scratch` (which must hold one encoded participant, ~1 KiB is
/// plenty), then the paging fields in Twilio's order.
pub fn encode_page<'p, S, I>(
    sink: &mut S,
    meta: &PageMeta,
    participants: I,
    scratch: &mut [u8],
) -> Result<(), WriteError>
where
    S: Sink + ?Sized,
    I: IntoIterator<Item = &'p Participant>,
{
    sink.put(b"{\"participants\":[")?;
    for (i, p) in participants.into_iter().enumerate() {
        if i > 0 {
            sink.put(b",")?;
        }
        let n = to_slice(p, scratch)?;
        sink.put(scratch.get(..n).unwrap_or(&[]))?;
    }
    sink.put(b"]")?;
    for (key, value) in [
        ("first_page_uri", &meta.first_page_uri),
        ("next_page_uri", &meta.next_page_uri),
        ("previous_page_uri", &meta.previous_page_uri),
        ("uri", &meta.uri),
    ] {
        sink.put(b",\"")?;
        sink.put_str(key)?;
        sink.put(b"\":")?;
        match value {
            Some(s) => json::write_string(sink, s)?,
            None => sink.put(b"null")?,
        }
    }
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
    sink.put(b"}")
}

struct State<F> {
    each: F,
    error: Option<JsonError>,
    saw_participants: bool,
}

#[derive(Default)]
struct RawMeta<'a> {
    page: Option<u32>,
    page_size: Option<u32>,
    start: Option<u32>,
    end: Option<u32>,
    uri: Option<&'a str>,
    first_page_uri: Option<&'a str>,
    next_page_uri: Option<&'a str>,
    previous_page_uri: Option<&'a str>,
}

fn uri(raw: Option<&str>, field: &'static str) -> Result<Option<PageUri>, JsonError> {
    raw.map(|raw| crate::participant::text(raw, field))
        .transpose()
}

impl RawMeta<'_> {
    fn into_meta(self) -> Result<PageMeta, JsonError> {
        Ok(PageMeta {
            page: self.page.unwrap_or(0),
            page_size: self.page_size.unwrap_or(0),
            start: self.start.unwrap_or(0),
            end: self.end.unwrap_or(0),
            uri: uri(self.uri, "uri")?,
            first_page_uri: uri(self.first_page_uri, "first_page_uri")?,
            next_page_uri: uri(self.next_page_uri, "next_page_uri")?,
            previous_page_uri: uri(self.previous_page_uri, "previous_page_uri")?,
        })
    }
}

struct PageSeed<'s, F>(&'s mut State<F>);

/// Sets `slot`, rejecting a second occurrence of the key.
fn once<'de, A: MapAccess<'de>, T: serde::Deserialize<'de>>(
    map: &mut A,
    slot: &mut Option<T>,
    seen: &mut bool,
) -> Result<(), A::Error> {
    if core::mem::replace(seen, true) {
        return Err(serde::de::Error::custom("duplicate field"));
    }
    *slot = map.next_value()?;
    Ok(())
}

impl<'de, F: FnMut(Participant)> DeserializeSeed<'de> for PageSeed<'_, F> {
    type Value = RawMeta<'de>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de, F: FnMut(Participant)> Visitor<'de> for PageSeed<'_, F> {
    type Value = RawMeta<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a participant list page")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut raw = RawMeta::default();
        let mut seen = [false; 8];
        while let Some(key) = map.next_key::<&'de str>()? {
            let [s0, s1, s2, s3, s4, s5, s6, s7] = &mut seen;
            match key {
                "participants" => {
                    if core::mem::replace(&mut self.0.saw_participants, true) {
                        return Err(serde::de::Error::custom("duplicate field"));
                    }
                    map.next_value_seed(ParticipantsSeed(&mut *self.0))?;
                }
                "page" => once(&mut map, &mut raw.page, s0)?,
                "page_size" => once(&mut map, &mut raw.page_size, s1)?,
                "start" => once(&mut map, &mut raw.start, s2)?,
                "end" => once(&mut map, &mut raw.end, s3)?,
                "uri" => once(&mut map, &mut raw.uri, s4)?,
                "first_page_uri" => once(&mut map, &mut raw.first_page_uri, s5)?,
                "next_page_uri" => once(&mut map, &mut raw.next_page_uri, s6)?,
                "previous_page_uri" => once(&mut map, &mut raw.previous_page_uri, s7)?,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(raw)
    }
}

struct ParticipantsSeed<'s, F>(&'s mut State<F>);

impl<'de, F: FnMut(Participant)> DeserializeSeed<'de> for ParticipantsSeed<'_, F> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de, F: FnMut(Participant)> Visitor<'de> for ParticipantsSeed<'_, F> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of participants")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(raw) = seq.next_element::<RawParticipant<'de>>()? {
            match raw.into_participant() {
                Ok(p) => (self.0.each)(p),
                Err(e) => {
                    self.0.error = Some(e);
                    return Err(serde::de::Error::custom("invalid participant"));
                }
            }
        }
        Ok(())
    }
}
