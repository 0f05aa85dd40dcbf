//! The query string of the list operation: filters `Muted`, `Hold`,
//! `Coaching` and paging `PageSize` (1..=[`PAGE_SIZE_MAX`]), `Page`,
//! `PageToken`. Written by the client, decoded by the bridge, and read from
//! a page's `next_page_uri` to ask for the next page
//! ([`ListQuery::from_page_uri`]): Twilio's, SignalWire's and Telnyx's pages
//! all carry `Page`, `PageSize` and `PageToken` there (Telnyx has no
//! `previous_page_uri`, and no filters: [`ListQuery::validate_for`]).
//!
//! ```
//! use confpart::api::query::ListQuery;
//! use confpart::wire::sink::SliceSink;
//!
//! let q = ListQuery { hold: Some(true), page_size: Some(50), page: Some(0), ..ListQuery::new() };
//! let mut buf = [0u8; 64];
//! let mut sink = SliceSink::new(&mut buf);
//! q.encode(&mut sink).unwrap();
//! assert_eq!(q.encoded_len(), sink.len());
//! assert_eq!(sink.written(), b"Hold=true&PageSize=50&Page=0");
//!
//! let mut scratch = [0u8; 16];
//! assert_eq!(ListQuery::decode(b"Hold=True&PageSize=50&Page=0", &mut scratch)?, q);
//! # Ok::<(), confpart::api::query::QueryError>(())
//! ```

use core::fmt;

use crate::api::path::Dialect;
use crate::wire::form::{self, Space};
use crate::wire::sink::{Sink, WriteError};

/// Largest `PageSize` the services accept.
pub const PAGE_SIZE_MAX: u16 = 1000;
/// Longest `PageToken` accepted (bytes, decoded).
pub const PAGE_TOKEN_MAX_LEN: usize = 256;

/// Why a list query is invalid. Offsets are byte offsets in the query string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum QueryError {
    /// `PageSize` outside 1..=[`PAGE_SIZE_MAX`] (or not a number).
    PageSize {
        /// Byte offset of the value (0 when checking a typed query).
        offset: usize,
    },
    /// `Page` is not a decimal number that fits in `u32`.
    Page {
        /// Byte offset of the value.
        offset: usize,
    },
    /// A filter that is not `true`/`false` (any case).
    InvalidBool {
        /// The key.
        key: &'static str,
        /// Byte offset of the value.
        offset: usize,
    },
    /// A known key given twice.
    DuplicateKey {
        /// The key.
        key: &'static str,
        /// Byte offset of the second occurrence.
        offset: usize,
    },
    /// A `%` not followed by two hex digits.
    InvalidEscape {
        /// Byte offset of the `%`.
        offset: usize,
    },
    /// `PageToken` longer than [`PAGE_TOKEN_MAX_LEN`], or not UTF-8.
    PageToken {
        /// Byte offset of the value (0 when checking a typed query).
        offset: usize,
    },
    /// The scratch buffer for the decoded `PageToken` is too small.
    ScratchFull {
        /// Bytes needed.
        needed: usize,
    },
    /// A filter the dialect's list does not take (Telnyx's list has no
    /// `Muted`, `Hold` or `Coaching`: it would answer every participant).
    NotInDialect {
        /// The key.
        key: &'static str,
        /// The dialect.
        dialect: Dialect,
    },
}

impl fmt::Display for QueryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::PageSize { offset } => {
                write!(f, "PageSize at byte {offset} is not in 1..={PAGE_SIZE_MAX}")
            }
            Self::Page { offset } => write!(f, "Page at byte {offset} is not a number"),
            Self::InvalidBool { key, offset } => {
                write!(f, "{key} at byte {offset} is not true or false")
            }
            Self::DuplicateKey { key, offset } => {
                write!(f, "{key} given twice (again at byte {offset})")
            }
            Self::InvalidEscape { offset } => write!(f, "invalid percent-escape at byte {offset}"),
            Self::PageToken { offset } => write!(
                f,
                "PageToken at byte {offset} is longer than {PAGE_TOKEN_MAX_LEN} bytes or not UTF-8"
            ),
            Self::ScratchFull { needed } => {
                write!(f, "scratch buffer too small ({needed} bytes needed)")
            }
            Self::NotInDialect { key, dialect } => {
                write!(f, "the {dialect} API does not filter lists by {key}")
            }
        }
    }
}

impl core::error::Error for QueryError {}

impl QueryError {
    /// The same error with its offset moved by `by` bytes (a query read
    /// inside a longer string).
    const fn shifted(self, by: usize) -> Self {
        match self {
            Self::PageSize { offset } => Self::PageSize {
                offset: offset + by,
            },
            Self::Page { offset } => Self::Page {
                offset: offset + by,
            },
            Self::InvalidBool { key, offset } => Self::InvalidBool {
                key,
                offset: offset + by,
            },
            Self::DuplicateKey { key, offset } => Self::DuplicateKey {
                key,
                offset: offset + by,
            },
            Self::InvalidEscape { offset } => Self::InvalidEscape {
                offset: offset + by,
            },
            Self::PageToken { offset } => Self::PageToken {
                offset: offset + by,
            },
            other @ (Self::ScratchFull { .. } | Self::NotInDialect { .. }) => other,
        }
    }
}

/// Filters and paging of the list operation (all optional).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct ListQuery<'a> {
    /// `Muted`: only muted (true) or unmuted (false) participants.
    pub muted: Option<bool>,
    /// `Hold`: only held (true) or not held (false) participants.
    pub hold: Option<bool>,
    /// `Coaching`: only coaching (true) or not coaching (false) participants.
    pub coaching: Option<bool>,
    /// `PageSize`: 1..=[`PAGE_SIZE_MAX`] (service default 50).
    pub page_size: Option<u16>,
    /// `Page`: the page index.
    pub page: Option<u32>,
    /// `PageToken`: the opaque paging token (decoded text).
    pub page_token: Option<&'a str>,
}

const KEYS: [&str; 6] = ["Muted", "Hold", "Coaching", "PageSize", "Page", "PageToken"];

impl<'a> ListQuery<'a> {
    /// No filters, no paging.
    pub const fn new() -> Self {
        Self {
            muted: None,
            hold: None,
            coaching: None,
            page_size: None,
            page: None,
            page_token: None,
        }
    }

    /// True when nothing is set (no `?` is written).
    pub fn is_empty(&self) -> bool {
        *self == Self::new()
    }

    /// Checks `PageSize` and the `PageToken` length.
    pub fn validate(&self) -> Result<(), QueryError> {
        if let Some(size) = self.page_size
            && (size == 0 || size > PAGE_SIZE_MAX)
        {
            return Err(QueryError::PageSize { offset: 0 });
        }
        if self
            .page_token
            .is_some_and(|t| t.len() > PAGE_TOKEN_MAX_LEN)
        {
            return Err(QueryError::PageToken { offset: 0 });
        }
        Ok(())
    }

    /// The filters by key, in the order they are encoded.
    fn filters(&self) -> [(&'static str, Option<bool>); 3] {
        [
            ("Muted", self.muted),
            ("Hold", self.hold),
            ("Coaching", self.coaching),
        ]
    }

    /// [`ListQuery::validate`], and the filters `dialect`'s list takes:
    /// Telnyx's takes none (only paging), so a filter is refused rather
    /// than silently answered with every participant.
    ///
    /// ```
    /// use confpart::api::path::Dialect;
    /// use confpart::api::query::{ListQuery, QueryError};
    /// let muted = ListQuery { muted: Some(true), ..ListQuery::new() };
    /// assert_eq!(muted.validate_for(Dialect::Twilio), Ok(()));
    /// assert_eq!(
    ///     muted.validate_for(Dialect::Telnyx),
    ///     Err(QueryError::NotInDialect { key: "Muted", dialect: Dialect::Telnyx })
    /// );
    /// ```
    pub fn validate_for(&self, dialect: Dialect) -> Result<(), QueryError> {
        self.validate()?;
        if dialect == Dialect::Telnyx
            && let Some((key, _)) = self.filters().into_iter().find(|(_, v)| v.is_some())
        {
            return Err(QueryError::NotInDialect { key, dialect });
        }
        Ok(())
    }

    /// The query of the next (or any) page from a page's `next_page_uri`
    /// (its JSON string already unescaped): what follows the `?` up to a
    /// `#`, decoded by [`ListQuery::decode`] (error offsets are in `uri`).
    /// Only the query is taken, never the path or a host: a page cannot
    /// send the client to another conference or server. A URI without `?`
    /// gives an empty query.
    ///
    /// ```
    /// use confpart::api::query::ListQuery;
    /// // Telnyx's shape (its SDK's example): the path has `.json`, the
    /// // query has the page, its size and an opaque token.
    /// let uri = b"/v2/texml/Accounts/a/Conferences/c/Participants.json?Page=1&PageSize=1&PageToken=MTY4ODY0NzA0NQ%3D%3D";
    /// let mut scratch = [0u8; 32];
    /// let q = ListQuery::from_page_uri(uri, &mut scratch)?;
    /// assert_eq!((q.page, q.page_size, q.page_token), (Some(1), Some(1), Some("MTY4ODY0NzA0NQ==")));
    /// # Ok::<(), confpart::api::query::QueryError>(())
    /// ```
    pub fn from_page_uri(uri: &'a [u8], scratch: &'a mut [u8]) -> Result<Self, QueryError> {
        let Some(start) = crate::wire::scan::byte(uri, b'?').map(|q| q + 1) else {
            return Ok(Self::new());
        };
        let rest = uri.get(start..).unwrap_or(&[]);
        let query = rest
            .get(..crate::wire::scan::byte(rest, b'#').unwrap_or(rest.len()))
            .unwrap_or(&[]);
        Self::decode(query, scratch).map_err(|e| e.shifted(start))
    }

    /// Writes the query string without the leading `?`, keys in the order
    /// `Muted Hold Coaching PageSize Page PageToken`. Call
    /// [`ListQuery::validate`] first.
    pub fn encode<S: Sink + ?Sized>(&self, sink: &mut S) -> Result<(), WriteError> {
        let mut first = true;
        let mut key = |sink: &mut S, k: &str| -> Result<(), WriteError> {
            if !first {
                sink.put(b"&")?;
            }
            first = false;
            sink.put_str(k)?;
            sink.put(b"=")
        };
        for (k, v) in self.filters() {
            if let Some(v) = v {
                key(sink, k)?;
                sink.put_str(if v { "true" } else { "false" })?;
            }
        }
        if let Some(n) = self.page_size {
            key(sink, "PageSize")?;
            sink.put_u64(u64::from(n))?;
        }
        if let Some(n) = self.page {
            key(sink, "Page")?;
            sink.put_u64(u64::from(n))?;
        }
        if let Some(t) = self.page_token {
            key(sink, "PageToken")?;
            sink.put_form_component(t)?;
        }
        Ok(())
    }

    /// The length [`ListQuery::encode`] writes (counted).
    pub fn encoded_len(&self) -> usize {
        let mut sink = crate::wire::sink::CountingSink::default();
        // A counting sink never fails.
        let _ = self.encode(&mut sink);
        sink.count
    }

    /// Decodes a query string (without `?`) as any client sends it: keys
    /// exact, booleans in any case, `+` or `%20` for space, unknown keys
    /// ignored, known keys at most once. A decoded `PageToken` is written
    /// into `scratch` ([`PAGE_TOKEN_MAX_LEN`] bytes always suffice).
    pub fn decode(query: &'a [u8], scratch: &'a mut [u8]) -> Result<Self, QueryError> {
        let mut out = Self::new();
        let mut seen = [false; KEYS.len()];
        let mut scratch = Some(scratch);
        for pair in form::pairs(query) {
            let mut key_buf = [0u8; 16];
            let key = match form::decode_component(pair.key, &mut key_buf, Space::Plus) {
                Ok(n) => key_buf.get(..n).unwrap_or(&[]),
                Err(form::DecodeError::OutputFull { .. }) => continue,
                Err(form::DecodeError::InvalidEscape { offset }) => {
                    return Err(QueryError::InvalidEscape {
                        offset: pair.offset + offset,
                    });
                }
            };
            let Some(index) = KEYS.iter().position(|k| k.as_bytes() == key) else {
                continue;
            };
            let name = KEYS.get(index).copied().unwrap_or("");
            let at = pair.value_offset;
            match seen.get_mut(index) {
                Some(true) => {
                    return Err(QueryError::DuplicateKey {
                        key: name,
                        offset: pair.offset,
                    });
                }
                Some(s) => *s = true,
                None => {}
            }
            let v = pair.value;
            match index {
                0..=2 => {
                    let b = if v.eq_ignore_ascii_case(b"true") {
                        true
                    } else if v.eq_ignore_ascii_case(b"false") {
                        false
                    } else {
                        return Err(QueryError::InvalidBool {
                            key: name,
                            offset: at,
                        });
                    };
                    match index {
                        0 => out.muted = Some(b),
                        1 => out.hold = Some(b),
                        _ => out.coaching = Some(b),
                    }
                }
                3 => {
                    let n = crate::wire::http::parse_decimal(v)
                        .and_then(|n| u16::try_from(n).ok())
                        .filter(|n| (1..=PAGE_SIZE_MAX).contains(n))
                        .ok_or(QueryError::PageSize { offset: at })?;
                    out.page_size = Some(n);
                }
                4 => {
                    let n = crate::wire::http::parse_decimal(v)
                        .and_then(|n| u32::try_from(n).ok())
                        .ok_or(QueryError::Page { offset: at })?;
                    out.page = Some(n);
                }
                _ => {
                    let buf = scratch.take().unwrap_or(&mut []);
                    let n = form::decode_component(v, buf, Space::Plus).map_err(|e| match e {
                        form::DecodeError::InvalidEscape { offset } => QueryError::InvalidEscape {
                            offset: at + offset,
                        },
                        form::DecodeError::OutputFull { needed } if needed > PAGE_TOKEN_MAX_LEN => {
                            QueryError::PageToken { offset: at }
                        }
                        form::DecodeError::OutputFull { needed } => {
                            QueryError::ScratchFull { needed }
                        }
                    })?;
                    if n > PAGE_TOKEN_MAX_LEN {
                        return Err(QueryError::PageToken { offset: at });
                    }
                    let (token, _) = buf.split_at(n.min(buf.len()));
                    let token = core::str::from_utf8(token)
                        .map_err(|_| QueryError::PageToken { offset: at })?;
                    out.page_token = Some(token);
                }
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors() {
        let mut s = [0u8; 8];
        assert_eq!(
            ListQuery::decode(b"PageSize=0", &mut s),
            Err(QueryError::PageSize { offset: 9 })
        );
        assert_eq!(
            ListQuery::decode(b"PageSize=1001", &mut s),
            Err(QueryError::PageSize { offset: 9 })
        );
        assert_eq!(
            ListQuery::decode(b"Muted=yes", &mut s),
            Err(QueryError::InvalidBool {
                key: "Muted",
                offset: 6
            })
        );
        assert_eq!(
            ListQuery::decode(b"Hold=true&Hold=false", &mut s),
            Err(QueryError::DuplicateKey {
                key: "Hold",
                offset: 10
            })
        );
        assert_eq!(
            ListQuery::decode(b"PageToken=%zz", &mut s),
            Err(QueryError::InvalidEscape { offset: 10 })
        );
        assert_eq!(
            ListQuery::decode(b"PageToken=abcdefghij", &mut s),
            Err(QueryError::ScratchFull { needed: 10 })
        );
        assert_eq!(
            ListQuery::decode(b"Page=-1", &mut s),
            Err(QueryError::Page { offset: 5 })
        );
        assert!(ListQuery::decode(b"Other=1&&", &mut s).unwrap().is_empty());
        assert_eq!(
            ListQuery {
                page_size: Some(0),
                ..ListQuery::new()
            }
            .validate(),
            Err(QueryError::PageSize { offset: 0 })
        );
    }
}
