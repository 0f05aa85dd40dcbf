//! Conference status callbacks on the bridge: who asked for which events
//! ([`Callbacks`]), and the callback each drained [`Notice`] makes.
//!
//! A conference's subscription is its first participant's
//! `ConferenceStatusCallback*` ([`Subscriber`]), recorded when the create
//! that made the conference succeeds; later creates do not change it. The
//! adapter drains the notice queue in the order the changes were applied
//! ([`crate::bridge::Service::pop_notice`]) and asks
//! [`crate::bridge::Service::callback`] for each one's callback: the events
//! the subscriber asked for are numbered `SequenceNumber` 1, 2, ... per
//! conference in that order, written as a form body, and signed.
//!
//! [`Subscriber`]: crate::api::callback::Subscriber

use super::event::Event as BridgeEvent;
use super::notice::{Notice, NoticeKind};
use super::store::Conferences;
use crate::api::callback::{Callback, EndReason, Event, LEFT_VIA_API, Subscriber, Subscriptions};
use crate::api::fields::Method;
use crate::api::path::Dialect;
use crate::api::signature::{self, Scheme, Signature};
use crate::wire::ident::{CallSid, ConferenceSid};
use crate::wire::sink::{Sink, SliceSink, WriteError};

/// Longest callback URL a conference records (bytes). A longer one is not
/// recorded and is counted ([`Callbacks::unrecorded`]).
pub const CALLBACK_URL_CAPACITY: usize = 512;

#[derive(Debug, Clone)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
struct Entry {
    conference: ConferenceSid,
    url: heapless::String<CALLBACK_URL_CAPACITY>,
    method: Method,
    events: Subscriptions,
    /// The last `SequenceNumber` given.
    sequence: u32,
    ended: bool,
}

/// The subscriptions of up to `C` conferences (as many as the bridge
/// holds): URL, method, events and the last `SequenceNumber`.
///
/// ```
/// use confpart::api::callback::{Subscriber, Subscriptions};
/// use confpart::api::fields::Method;
/// use confpart::bridge::Callbacks;
/// use confpart::wire::ident::ConferenceSid;
///
/// let mut callbacks: Callbacks<2> = Callbacks::new();
/// let room = ConferenceSid::parse("CFaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")?;
/// let s = Subscriber { url: "https://h.example/cb", method: Method::Post, events: Subscriptions::DEFAULT };
/// assert!(callbacks.record(room, &s));
/// assert!(!callbacks.record(room, &s)); // the first subscription wins
/// assert_eq!(callbacks.url(&room), Some("https://h.example/cb"));
/// # Ok::<(), confpart::wire::ident::IdError>(())
/// ```
#[derive(Debug, Clone)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Callbacks<const C: usize> {
    entries: heapless::Vec<Entry, C>,
    unrecorded: u32,
}

impl<const C: usize> Default for Callbacks<C> {
    fn default() -> Self {
        Self::new()
    }
}

/// The callback a notice makes: where it goes and what it says, before the
/// fields that are read from the conference.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub(super) struct Routed<'a> {
    pub(super) url: &'a str,
    pub(super) method: Method,
    pub(super) sequence_number: u32,
    pub(super) event: Event,
    /// `conference-end` after a kick: who ended it.
    pub(super) ended_by: Option<CallSid>,
}

impl<const C: usize> Callbacks<C> {
    /// No subscription.
    pub const fn new() -> Self {
        Self {
            entries: heapless::Vec::new(),
            unrecorded: 0,
        }
    }

    /// Records `conference`'s subscription; `false` when it already has one
    /// (the first wins), or when it cannot be stored (a URL longer than
    /// [`CALLBACK_URL_CAPACITY`], or `C` live subscriptions: both counted).
    pub fn record(&mut self, conference: ConferenceSid, subscriber: &Subscriber<'_>) -> bool {
        self.entries.retain(|e| !e.ended);
        if self.entries.iter().any(|e| e.conference == conference) {
            return false;
        }
        let mut url = heapless::String::new();
        let stored = url.push_str(subscriber.url).is_ok()
            && self
                .entries
                .push(Entry {
                    conference,
                    url,
                    method: subscriber.method,
                    events: subscriber.events,
                    sequence: 0,
                    ended: false,
                })
                .is_ok();
        if !stored {
            self.unrecorded = self.unrecorded.saturating_add(1);
        }
        stored
    }

    /// The URL `conference`'s callbacks go to.
    pub fn url(&self, conference: &ConferenceSid) -> Option<&str> {
        self.entries
            .iter()
            .find(|e| e.conference == *conference && !e.ended)
            .map(|e| e.url.as_str())
    }

    /// Forgets the subscriptions of conferences `live` says are gone (an
    /// adapter that never asked for their `conference-end` callback).
    pub(super) fn retain_live(&mut self, live: impl Fn(&ConferenceSid) -> bool) {
        self.entries.retain(|e| !e.ended && live(&e.conference));
    }

    /// Counts a subscription that could not be read.
    pub(super) fn count_unrecorded(&mut self) {
        self.unrecorded = self.unrecorded.saturating_add(1);
    }

    /// Subscriptions that could not be stored or read since the set was made.
    pub const fn unrecorded(&self) -> u32 {
        self.unrecorded
    }

    /// The callback `notice` makes, if its conference has a subscriber that
    /// asked for its event: numbered with the conference's next
    /// `SequenceNumber`. Give it the notices in queue order.
    pub(super) fn route(&mut self, notice: &Notice) -> Option<Routed<'_>> {
        let entry = self
            .entries
            .iter_mut()
            .find(|e| e.conference == notice.conference && !e.ended)?;
        let mut ended_by = None;
        let event = match notice.kind {
            NoticeKind::ConferenceStart => Event::ConferenceStart,
            NoticeKind::ConferenceEnd { ended_by: by } => {
                entry.ended = true;
                ended_by = by;
                Event::ConferenceEnd
            }
            NoticeKind::Participant { event, .. } => match event {
                BridgeEvent::Join => Event::ParticipantJoin,
                BridgeEvent::Leave => Event::ParticipantLeave,
                BridgeEvent::Mute => Event::ParticipantMute,
                BridgeEvent::Unmute => Event::ParticipantUnmute,
                BridgeEvent::Hold => Event::ParticipantHold,
                BridgeEvent::Unhold => Event::ParticipantUnhold,
                BridgeEvent::Modify => Event::ParticipantModify,
                // The bridge plays nothing: the announcement is over as
                // soon as it starts.
                BridgeEvent::Announcement => Event::AnnouncementEnd,
            },
        };
        if !entry.events.covers(event) {
            return None;
        }
        entry.sequence = entry.sequence.saturating_add(1);
        Some(Routed {
            url: entry.url.as_str(),
            method: entry.method,
            sequence_number: entry.sequence,
            event,
            ended_by,
        })
    }
}

/// A callback ready to send: the form body is in the buffer given to
/// [`crate::bridge::Service::callback`] (`body_len` bytes).
///
/// `POST`: send the body to `url` (`Content-Type:
/// application/x-www-form-urlencoded`). `GET`: send no body; the request
/// URL is `url`, then `?` (`&` when `url` has a query), then the body. Either
/// way put `signature` in the `header` header.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Outgoing {
    /// The subscriber's URL.
    pub url: heapless::String<CALLBACK_URL_CAPACITY>,
    /// `POST` or `GET`.
    pub method: Method,
    /// Length of the form body written.
    pub body_len: usize,
    /// The signature header's name ([`Scheme::header`]).
    pub header: &'static str,
    /// Its value; `None` when the account has no configured secret.
    pub signature: Option<Signature>,
    /// The conference.
    pub conference: ConferenceSid,
    /// The callback's `SequenceNumber`.
    pub sequence_number: u32,
    /// The callback's `StatusCallbackEvent`.
    pub event: Event,
}

impl Outgoing {
    /// The URL's scheme and authority (`https://hooks.example.com:8443`):
    /// where to connect.
    ///
    /// ```
    /// # use confpart::bridge::Outgoing;
    /// # fn f(out: &Outgoing) {
    /// let origin = out.origin(); // e.g. "https://hooks.example.com"
    /// # let _ = origin; }
    /// ```
    pub fn origin(&self) -> &str {
        let (origin, _) = split_url(&self.url);
        origin
    }

    /// Writes the HTTP/1.1 request that delivers the callback whose form
    /// (`body_len` bytes of the buffer given to
    /// [`crate::bridge::Service::callback`]) is `form`: `POST` with the form
    /// as its body, or `GET` with the form appended to the URL's query; the
    /// `Host` of the URL, the signature header, `Connection: close`.
    pub fn write_request<S: Sink + ?Sized>(
        &self,
        form: &[u8],
        sink: &mut S,
    ) -> Result<(), WriteError> {
        let (origin, target) = split_url(&self.url);
        let host = origin
            .split_once("://")
            .map_or(origin, |(_, a)| a.rsplit_once('@').map_or(a, |(_, h)| h));
        let target = if target.is_empty() { "/" } else { target };
        sink.put_str(self.method.as_str())?;
        sink.put(b" ")?;
        sink.put_str(target)?;
        if self.method == Method::Get {
            sink.put(if target.contains('?') { b"&" } else { b"?" })?;
            sink.put(form)?;
        }
        sink.put(b" HTTP/1.1\r\nHost: ")?;
        sink.put_str(host)?;
        sink.put(b"\r\nUser-Agent: confpart\r\n")?;
        if let Some(signature) = &self.signature {
            sink.put_str(self.header)?;
            sink.put(b": ")?;
            sink.put(signature.as_bytes())?;
            sink.put(b"\r\n")?;
        }
        if self.method == Method::Post {
            sink.put(b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: ")?;
            sink.put_u64(form.len() as u64)?;
            sink.put(b"\r\n")?;
        }
        sink.put(b"Connection: close\r\n\r\n")?;
        if self.method == Method::Post {
            sink.put(form)?;
        }
        Ok(())
    }

    /// Whether a delivery is tried again after it ended with `status`
    /// (`None`: no answer: the connection failed, was reset or timed out):
    /// yes for no answer and for a 5xx; a 2xx is delivered, any other
    /// status is the receiver's refusal and final.
    ///
    /// ```
    /// use confpart::bridge::Outgoing;
    /// assert!(Outgoing::retryable(None) && Outgoing::retryable(Some(503)));
    /// assert!(!Outgoing::retryable(Some(200)) && !Outgoing::retryable(Some(403)));
    /// ```
    pub const fn retryable(status: Option<u16>) -> bool {
        match status {
            None => true,
            Some(s) => s >= 500,
        }
    }
}

/// An absolute URL split into its origin (scheme and authority) and the
/// request target (path and query; the fragment dropped).
fn split_url(url: &str) -> (&str, &str) {
    let url = url.split_once('#').map_or(url, |(u, _)| u);
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    let rest = url.get(after_scheme..).unwrap_or("");
    let end = after_scheme + rest.find(['/', '?']).unwrap_or(rest.len());
    (url.get(..end).unwrap_or(url), url.get(end..).unwrap_or(""))
}

/// Builds the callback `notice` makes (see [`Callbacks::route`]) from the
/// conference as it is now: the form into `body`, signed with `key`.
pub(super) fn outgoing<const C: usize, const N: usize, const L: usize>(
    callbacks: &mut Callbacks<C>,
    set: &Conferences<C, N, L>,
    notice: &Notice,
    key: Option<&[u8]>,
    dialect: Dialect,
    body: &mut [u8],
) -> Result<Option<Outgoing>, WriteError> {
    let Some(routed) = callbacks.route(notice) else {
        return Ok(None);
    };
    let Some(conference) = set.conference(&notice.conference) else {
        return Ok(None);
    };
    let mut cb = Callback::new(
        *conference.account(),
        notice.conference,
        set.friendly_name(&notice.conference).unwrap_or(""),
        routed.sequence_number,
        notice.at,
        routed.event,
    );
    if let NoticeKind::Participant { call, .. } = notice.kind
        && let Some(member) = conference.member(&call)
    {
        let state = member.state();
        cb.call_sid = Some(call);
        cb.muted = Some(state.muted);
        cb.hold = Some(state.hold);
        cb.coaching = Some(state.coaching());
        cb.end_conference_on_exit = Some(state.end_conference_on_exit);
        cb.start_conference_on_enter = Some(state.start_conference_on_enter);
        cb.participant_label = member.label();
        if routed.event == Event::ParticipantLeave {
            // Participants leave this bridge only when deleted through the API.
            cb.participant_call_status = Some("completed");
            cb.reason_participant_left = Some(LEFT_VIA_API);
        }
    }
    if let Some(call) = routed.ended_by {
        let member = conference.member(&call);
        // Removing a participant with EndConferenceOnExit ends the
        // conference for everyone; removing any other ends it only when it
        // was the last.
        let reason = if member.is_some_and(|m| m.state().end_conference_on_exit) {
            EndReason::EndConferenceOnExitKicked
        } else {
            EndReason::LastParticipantKicked
        };
        cb.call_sid_ending_conference = Some(call);
        cb.participant_label_ending_conference = member.and_then(|m| m.label());
        cb.reason_conference_ended = Some(reason);
        cb.reason = Some(match reason {
            EndReason::EndConferenceOnExitKicked => {
                "Participant with EndConferenceOnExit removed via API"
            }
            _ => "Last participant removed via API",
        });
    }
    let mut sink = SliceSink::new(body);
    cb.encode(&mut sink)?;
    let form = sink.written();
    let scheme = Scheme::of(dialect);
    let signature = match (key, routed.method) {
        (None, _) => None,
        (Some(key), Method::Get) => Some(signature::sign_query(key, routed.url, form)),
        // A callback has fewer pairs than the signing bound and no bad escape.
        (Some(key), Method::Post) => signature::sign(scheme, key, routed.url, form).ok(),
    };
    let mut url = heapless::String::new();
    // Both hold `CALLBACK_URL_CAPACITY` bytes.
    let _ = url.push_str(routed.url);
    Ok(Some(Outgoing {
        url,
        method: routed.method,
        body_len: form.len(),
        header: scheme.header(),
        signature,
        conference: notice.conference,
        sequence_number: routed.sequence_number,
        event: routed.event,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::date::Timestamp;

    fn notice(conference: ConferenceSid, kind: NoticeKind) -> Notice {
        Notice {
            conference,
            at: Timestamp::EPOCH,
            kind,
        }
    }

    #[test]
    fn numbers_only_what_was_asked_for_in_order() {
        let room = ConferenceSid::parse("CFaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa").unwrap();
        let other = ConferenceSid::parse("CFbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb").unwrap();
        let a = CallSid::parse("CAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa").unwrap();
        let b = CallSid::parse("CAbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb").unwrap();
        let mut cb: Callbacks<2> = Callbacks::new();
        let events = Subscriptions::DEFAULT
            .with(crate::api::callback::Subscription::Mute)
            .with(crate::api::callback::Subscription::Leave);
        let s = Subscriber {
            url: "https://h.example/cb",
            method: Method::Get,
            events,
        };
        assert!(cb.record(room, &s));
        let p = |call, event| NoticeKind::Participant { call, event };
        let mut got = std::vec::Vec::new();
        for n in [
            notice(room, NoticeKind::ConferenceStart),
            notice(room, p(a, BridgeEvent::Join)),
            notice(other, p(a, BridgeEvent::Mute)),
            notice(room, p(a, BridgeEvent::Mute)),
            notice(room, p(a, BridgeEvent::Hold)),
            notice(room, p(a, BridgeEvent::Leave)),
            notice(room, p(b, BridgeEvent::Leave)),
            notice(room, NoticeKind::ConferenceEnd { ended_by: Some(a) }),
            notice(room, p(b, BridgeEvent::Mute)),
        ] {
            if let Some(r) = cb.route(&n) {
                got.push((r.sequence_number, r.event, r.ended_by, r.method));
            }
        }
        assert_eq!(
            got,
            [
                (1, Event::ConferenceStart, None, Method::Get),
                (2, Event::ParticipantMute, None, Method::Get),
                (3, Event::ParticipantLeave, None, Method::Get),
                (4, Event::ParticipantLeave, None, Method::Get),
                (5, Event::ConferenceEnd, Some(a), Method::Get),
            ]
        );
        // An ended conference's subscription is gone; its slot is reused.
        assert_eq!(cb.url(&room), None);
        assert!(cb.record(other, &s));
        assert!(cb.record(room, &s));
    }

    #[test]
    fn requests_post_and_get() {
        let out = |url: &str, method| Outgoing {
            url: heapless::String::try_from(url).unwrap(),
            method,
            body_len: 3,
            header: "X-Twilio-Signature",
            signature: crate::api::signature::sign(Scheme::Twilio, b"k", url, b"a=1").ok(),
            conference: ConferenceSid::parse("CFaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa").unwrap(),
            sequence_number: 1,
            event: Event::ConferenceStart,
        };
        let mut buf = [0u8; 512];
        let o = out("https://u@h.example:8443/cb?x=1#frag", Method::Post);
        let mut sink = SliceSink::new(&mut buf);
        o.write_request(b"a=1", &mut sink).unwrap();
        let text = core::str::from_utf8(sink.written()).unwrap();
        assert_eq!(o.origin(), "https://u@h.example:8443");
        assert!(
            text.starts_with("POST /cb?x=1 HTTP/1.1\r\nHost: h.example:8443\r\n"),
            "{text}"
        );
        assert!(text.contains("\r\nX-Twilio-Signature: "));
        assert!(
            text.ends_with("Content-Length: 3\r\nConnection: close\r\n\r\na=1"),
            "{text}"
        );
        let o = out("http://h.example", Method::Get);
        let mut sink = SliceSink::new(&mut buf);
        o.write_request(b"a=1", &mut sink).unwrap();
        let text = core::str::from_utf8(sink.written()).unwrap();
        assert!(
            text.starts_with("GET /?a=1 HTTP/1.1\r\nHost: h.example\r\n"),
            "{text}"
        );
        assert!(text.ends_with("Connection: close\r\n\r\n"), "{text}");
    }

    #[test]
    fn gone_conferences_free_their_slot() {
        let a = ConferenceSid::parse("CFaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa").unwrap();
        let b = ConferenceSid::parse("CFbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb").unwrap();
        let s = Subscriber {
            url: "https://h.example/cb",
            method: Method::Post,
            events: Subscriptions::DEFAULT,
        };
        let mut cb: Callbacks<1> = Callbacks::new();
        assert!(cb.record(a, &s));
        assert!(!cb.record(b, &s));
        cb.retain_live(|sid| *sid != a);
        assert!(cb.record(b, &s));
        assert_eq!(cb.unrecorded(), 1);
    }

    #[test]
    fn too_long_is_counted() {
        let room = ConferenceSid::parse("CFaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa").unwrap();
        let long = "h".repeat(CALLBACK_URL_CAPACITY + 1);
        let mut cb: Callbacks<1> = Callbacks::new();
        let s = Subscriber {
            url: &long,
            method: Method::Post,
            events: Subscriptions::DEFAULT,
        };
        assert!(!cb.record(room, &s));
        assert_eq!(cb.unrecorded(), 1);
    }
}
