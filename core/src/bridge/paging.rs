//! Paging a list: which participants a page holds ([`Page`]), the page
//! tokens this bridge writes and reads ([`PageToken`]), and the page URIs
//! the list answer names ([`PageUri`]). The paging rules are
//! [`Conferences::list`]'s.
//!
//! [`Conferences::list`]: crate::bridge::Conferences::list

use super::model::{ConferenceIn, DEFAULT_LABEL_BYTES, Member};
use super::slots::Slots;
use crate::api::path::{Dialect, PathStyle};
use crate::api::query::ListQuery;
use crate::wire::ident::{AccountSid, CallSid, ConferenceSid, SidForm};
use crate::wire::sink::{CountingSink, Sink, WriteError};

/// `PageSize` when the list request gives none (Twilio's default).
pub const DEFAULT_PAGE_SIZE: u16 = 50;

/// What is wrong with a list request's paging.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum PageError {
    /// `PageSize` outside 1..=1000.
    PageSize {
        /// The value sent.
        value: u16,
    },
    /// `PageToken` is not one this bridge writes (`PA`/`PB` + a participant id).
    PageToken,
}

/// A list request's filters and paging, checked.
#[derive(Debug, Clone, Copy)]
pub(super) struct PageRequest {
    filter: Filter,
    page_size: u16,
    page: u32,
    token: Option<PageToken>,
}

impl PageRequest {
    /// The request's filters and `Page` (default 0), with its `PageSize`
    /// and `PageToken` once the caller checked them (it answers their
    /// refusals: [`PageError`]).
    pub(super) fn new(query: &ListQuery<'_>, page_size: u16, token: Option<PageToken>) -> Self {
        Self {
            filter: Filter {
                muted: query.muted,
                hold: query.hold,
                coaching: query.coaching,
            },
            page_size,
            page: query.page.unwrap_or(0),
            token,
        }
    }
}

/// The end (exclusive index) of a page of `size` listed members from `begin`.
fn nth_end(begin: usize, len: usize, size: usize, listed: &impl Fn(&usize) -> bool) -> usize {
    let mut taken = 0;
    let mut i = begin;
    while i < len && taken < size {
        if listed(&i) {
            taken += 1;
        }
        i += 1;
    }
    i
}

/// The list filters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
struct Filter {
    muted: Option<bool>,
    hold: Option<bool>,
    coaching: Option<bool>,
}

impl Filter {
    fn lists<const L: usize>(&self, m: &Member<L>) -> bool {
        let s = m.state();
        m.is_live()
            && self.muted.is_none_or(|v| v == s.muted)
            && self.hold.is_none_or(|v| v == s.hold)
            && self.coaching.is_none_or(|v| v == s.coaching())
    }
}

/// Which way a [`PageToken`] pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Direction {
    /// `PA`: the page after the named participant.
    After,
    /// `PB`: the page before the named participant.
    Before,
}

/// A `PageToken` as Twilio writes it for participants: `PA` (after) or `PB`
/// (before), then the participant's id: `CP` + the 32 hex digits of its call
/// SID (Twilio form), or its call UUID (SignalWire form).
///
/// ```
/// use confpart::bridge::{Direction, PageToken};
/// let t = PageToken::parse("PACPbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb").unwrap();
/// assert_eq!(t.direction, Direction::After);
/// assert_eq!(t.call.as_str(), "CAbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb");
/// let mut buf = [0u8; 40];
/// let mut sink = confpart::wire::sink::SliceSink::new(&mut buf);
/// t.write(&mut sink)?;
/// assert_eq!(sink.written(), b"PACPbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb");
/// # Ok::<(), confpart::wire::sink::WriteError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct PageToken {
    /// After or before.
    pub direction: Direction,
    /// The participant's call.
    pub call: CallSid,
}

impl PageToken {
    /// Parses a token this module writes; `None` for anything else.
    pub fn parse(s: &str) -> Option<Self> {
        let b = s.as_bytes();
        let direction = match b.get(..2)? {
            b"PA" => Direction::After,
            b"PB" => Direction::Before,
            _ => return None,
        };
        let rest = b.get(2..)?;
        // `CP` + 32 hex digits is a Twilio call; anything else (a UUID, a
        // Telnyx call-control id of any length) is the call SID itself.
        let call = if rest.len() == 34 && rest.starts_with(b"CP") {
            let (_, hex) = rest.split_at(2);
            let mut text = [0u8; 34];
            text.get_mut(..2)?.copy_from_slice(b"CA");
            text.get_mut(2..)?.copy_from_slice(hex);
            CallSid::parse_bytes(&text).ok()?
        } else {
            CallSid::parse_bytes(rest).ok()?
        };
        Some(Self { direction, call })
    }

    /// Writes the token (no escaping needed: it is alphanumeric and `-`).
    pub fn write<S: Sink + ?Sized>(&self, sink: &mut S) -> Result<(), WriteError> {
        sink.put_str(match self.direction {
            Direction::After => "PA",
            Direction::Before => "PB",
        })?;
        let call = self.call.as_bytes();
        match self.call.form() {
            SidForm::Twilio => {
                sink.put_str("CP")?;
                sink.put(call.get(2..).unwrap_or(&[]))
            }
            SidForm::Uuid | SidForm::Telnyx => sink.put(call),
        }
    }
}

/// Which URI of a list page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Link {
    /// `uri`: this page (as requested).
    Current,
    /// `first_page_uri`.
    First,
    /// `next_page_uri` (`null` on the last page).
    Next,
    /// `previous_page_uri` (`null` on page 0).
    Previous,
}

/// One page of a list ([`Conferences::list`]): its members (borrowed from
/// the set) and its meta values; the URIs are written on demand
/// ([`Page::uri`]).
///
/// [`Conferences::list`]: crate::bridge::Conferences::list
#[derive(Debug)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct PageIn<'s, M, const L: usize = DEFAULT_LABEL_BYTES> {
    conference: &'s ConferenceIn<M, L>,
    filter: Filter,
    begin: usize,
    end: usize,
    count: usize,
    page: u32,
    page_size: u16,
    has_next: bool,
    token: Option<PageToken>,
    first: Option<CallSid>,
    last: Option<CallSid>,
}

// By hand: a derive would ask the member storage to be `Copy` too.
impl<M, const L: usize> Clone for PageIn<'_, M, L> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<M, const L: usize> Copy for PageIn<'_, M, L> {}

/// A page of a fixed-capacity conference ([`crate::bridge::Conference`]).
pub type Page<'s, const N: usize, const L: usize = DEFAULT_LABEL_BYTES> =
    PageIn<'s, heapless::Vec<Member<L>, N>, L>;

impl<'s, M: Slots<Member<L>>, const L: usize> PageIn<'s, M, L> {
    /// The page `request` asks for among the live participants of
    /// `conference`, in join order. A token anchors the page on the
    /// participant it names (after or before it); a token naming a
    /// participant no longer stored falls back to `Page × PageSize`.
    pub(super) fn select(conference: &'s ConferenceIn<M, L>, request: PageRequest) -> Self {
        let PageRequest {
            filter,
            page_size,
            page,
            token,
        } = request;
        let members: &[Member<L>] = &conference.members;
        let size = usize::from(page_size);
        let listed = |i: &usize| members.get(*i).is_some_and(|m| filter.lists(m));
        let anchor = token.and_then(|t| {
            members
                .iter()
                .position(|m| *m.call_sid() == t.call)
                .map(|p| (t.direction, p))
        });
        // The page's members, as indices into `members`: `begin..end`.
        let (begin, end) = match anchor {
            Some((Direction::After, p)) => {
                let begin = (p + 1..members.len())
                    .find(|i| listed(i))
                    .unwrap_or(members.len());
                (begin, nth_end(begin, members.len(), size, &listed))
            }
            Some((Direction::Before, p)) => {
                let mut begin = p.min(members.len());
                let mut taken = 0;
                while taken < size && begin > 0 {
                    begin -= 1;
                    if listed(&begin) {
                        taken += 1;
                    }
                }
                let begin = (begin..p).find(|i| listed(i)).unwrap_or(p);
                (begin, p.min(members.len()))
            }
            None => {
                let skip = (page as usize).saturating_mul(size);
                let begin = (0..members.len())
                    .filter(|i| listed(i))
                    .nth(skip)
                    .unwrap_or(members.len());
                (begin, nth_end(begin, members.len(), size, &listed))
            }
        };
        let count = (begin..end).filter(|i| listed(i)).count();
        // An empty page has no participant for a next token to continue
        // after (a `PB…` token naming the first listed participant selects
        // nothing before it): it links back through `first`, not forward.
        let has_next = count > 0 && (end..members.len()).any(|i| listed(&i));
        let first = (begin..end)
            .find(|i| listed(i))
            .and_then(|i| members.get(i));
        let last = (begin..end)
            .rev()
            .find(|i| listed(i))
            .and_then(|i| members.get(i));
        Self {
            conference,
            filter,
            begin,
            end,
            count,
            page,
            page_size,
            has_next,
            token,
            first: first.map(|m| *m.call_sid()),
            last: last.map(|m| *m.call_sid()),
        }
    }

    /// The listed conference (to render each member's resource).
    pub const fn conference(&self) -> &'s ConferenceIn<M, L> {
        self.conference
    }

    /// The page's participants, in join order.
    pub fn members(&self) -> impl Iterator<Item = &'s Member<L>> + 's {
        let filter = self.filter;
        self.conference
            .members
            .get(self.begin..self.end)
            .unwrap_or(&[])
            .iter()
            .filter(move |m| filter.lists(m))
    }

    /// How many participants the page has.
    pub const fn len(&self) -> usize {
        self.count
    }

    /// True when the page has no participant.
    pub const fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// `page`: the page index.
    pub const fn page(&self) -> u32 {
        self.page
    }

    /// `page_size`.
    pub const fn page_size(&self) -> u16 {
        self.page_size
    }

    /// `start`: `page × page_size` (the index of the page's first participant).
    pub const fn start(&self) -> u64 {
        self.page as u64 * self.page_size as u64
    }

    /// `end`: the index of the page's last participant (inclusive); on an
    /// empty page it equals `start` (Twilio answers `"start": 0, "end": 0`
    /// for an empty first page).
    pub const fn end(&self) -> u64 {
        self.start() + self.count.saturating_sub(1) as u64
    }

    /// The URI `which`, or `None` where the page answers `null` (no next
    /// page; no previous page on page 0).
    pub fn uri(&self, which: Link) -> Option<PageUri> {
        let base = PageUri {
            dialect: self.conference.dialect(),
            account: *self.conference.account(),
            conference: *self.conference.sid(),
            filter: self.filter,
            page_size: self.page_size,
            page: self.page,
            token: None,
        };
        match which {
            Link::Current => Some(PageUri {
                token: self.token,
                ..base
            }),
            Link::First => Some(PageUri { page: 0, ..base }),
            Link::Next => self.has_next.then(|| PageUri {
                page: self.page.saturating_add(1),
                token: self.last.map(|call| PageToken {
                    direction: Direction::After,
                    call,
                }),
                ..base
            }),
            Link::Previous => (self.page > 0).then(|| PageUri {
                page: self.page - 1,
                token: self.first.map(|call| PageToken {
                    direction: Direction::Before,
                    call,
                }),
                ..base
            }),
        }
    }
}

/// A list page URI, written on demand.
///
/// Twilio's form (the fixtures'): `/2010-04-01/Accounts/{AC}/Conferences/{CF}/Participants.json?`
/// then the filters given (`Muted`, `Hold`, `Coaching`, in that order),
/// `PageSize`, `Page` and, for the next and previous pages and a page
/// reached with a token, `PageToken`. SignalWire's form:
/// `/api/laml/2010-04-01/Accounts/{project}/Conferences/{id}/Participants?`
/// then the filters, `Page`, `PageSize` (no `.json`, no token: its pages
/// are numbered). Telnyx's form (its SDKs' example):
/// `/v2/texml/Accounts/{account}/Conferences/{id}/Participants.json?` then
/// the filters, `Page`, `PageSize` and, as Twilio's, `PageToken` (a
/// Telnyx list answer has no `previous_page_uri`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct PageUri {
    dialect: Dialect,
    account: AccountSid,
    conference: ConferenceSid,
    filter: Filter,
    page_size: u16,
    page: u32,
    token: Option<PageToken>,
}

impl PageUri {
    /// Writes the URI.
    pub fn write<S: Sink + ?Sized>(&self, sink: &mut S) -> Result<(), WriteError> {
        let style = match self.dialect {
            Dialect::Twilio => PathStyle::Twilio,
            Dialect::SignalWire => PathStyle::Laml,
            Dialect::Telnyx => PathStyle::Texml,
        };
        sink.put_str(style.prefix())?;
        sink.put_str("/Accounts/")?;
        sink.put(self.account.as_bytes())?;
        sink.put_str("/Conferences/")?;
        sink.put(self.conference.as_bytes())?;
        sink.put_str(match self.dialect {
            Dialect::Twilio | Dialect::Telnyx => "/Participants.json?",
            Dialect::SignalWire => "/Participants?",
        })?;
        for (key, value) in [
            ("Muted=", self.filter.muted),
            ("Hold=", self.filter.hold),
            ("Coaching=", self.filter.coaching),
        ] {
            if let Some(v) = value {
                sink.put_str(key)?;
                sink.put_str(if v { "true&" } else { "false&" })?;
            }
        }
        let (page, size) = (u64::from(self.page), u64::from(self.page_size));
        let numbers = match self.dialect {
            Dialect::Twilio => [("PageSize=", size), ("&Page=", page)],
            Dialect::SignalWire | Dialect::Telnyx => [("Page=", page), ("&PageSize=", size)],
        };
        for (key, value) in numbers {
            sink.put_str(key)?;
            sink.put_u64(value)?;
        }
        // SignalWire's pages are numbered: no token.
        if self.dialect != Dialect::SignalWire
            && let Some(token) = &self.token
        {
            sink.put_str("&PageToken=")?;
            token.write(sink)?;
        }
        Ok(())
    }

    /// The URI's length in bytes.
    pub fn encoded_len(&self) -> usize {
        let mut sink = CountingSink::default();
        // A counting sink never fails.
        let _ = self.write(&mut sink);
        sink.count
    }
}
