//! A conference's callback subscription, recorded from its first
//! participant's create and kept in its table entry
//! ([`crate::bridge::Entry`]): the URL, the method, the events asked for and
//! the `SequenceNumber` count.

use super::event::Event as BridgeEvent;
use super::notice::{Notice, NoticeKind};
use crate::api::callback::{Event, Subscriber, Subscriptions};
use crate::api::fields::Method;
use crate::wire::ident::CallSid;

/// Longest callback URL a conference records (bytes). A longer one is not
/// recorded and is counted ([`crate::bridge::Service::unrecorded_callbacks`]).
pub const CALLBACK_URL_CAPACITY: usize = 512;

/// The callback settings a conference recorded from its first
/// participant's create: URL, method, the events asked for, and the last
/// `SequenceNumber` given. It lives in the conference's table entry, so it
/// is freed with the conference.
///
/// ```
/// use confpart::api::callback::{Subscriber, Subscriptions};
/// use confpart::api::fields::Method;
/// use confpart::bridge::ConferenceCallback;
///
/// let s = Subscriber { url: "https://h.example/cb", method: Method::Post, events: Subscriptions::DEFAULT };
/// let recorded = ConferenceCallback::new(&s).unwrap();
/// assert_eq!(recorded.url(), "https://h.example/cb");
/// assert_eq!(recorded.sequence_number(), 0);
/// ```
#[derive(Debug, Clone)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct ConferenceCallback {
    url: heapless::String<CALLBACK_URL_CAPACITY>,
    method: Method,
    events: Subscriptions,
    /// The last `SequenceNumber` given.
    sequence: u32,
    ended: bool,
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

impl ConferenceCallback {
    /// `subscriber`'s settings; `None` when its URL is longer than
    /// [`CALLBACK_URL_CAPACITY`].
    pub fn new(subscriber: &Subscriber<'_>) -> Option<Self> {
        let mut url = heapless::String::new();
        url.push_str(subscriber.url).ok()?;
        Some(Self {
            url,
            method: subscriber.method,
            events: subscriber.events,
            sequence: 0,
            ended: false,
        })
    }

    /// The URL the conference's callbacks go to.
    pub fn url(&self) -> &str {
        self.url.as_str()
    }

    /// The last `SequenceNumber` given (0: none yet).
    pub const fn sequence_number(&self) -> u32 {
        self.sequence
    }

    /// The callback `notice` (of this conference) makes, if the subscriber
    /// asked for its event: numbered with the conference's next
    /// `SequenceNumber`. Give it the notices in queue order; nothing after
    /// `conference-end`.
    pub(super) fn route(&mut self, notice: &Notice) -> Option<Routed<'_>> {
        if self.ended {
            return None;
        }
        let mut ended_by = None;
        let event = match notice.kind {
            NoticeKind::ConferenceStart => Event::ConferenceStart,
            NoticeKind::ConferenceEnd { ended_by: by } => {
                self.ended = true;
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
        if !self.events.covers(event) {
            return None;
        }
        self.sequence = self.sequence.saturating_add(1);
        Some(Routed {
            url: self.url.as_str(),
            method: self.method,
            sequence_number: self.sequence,
            event,
            ended_by,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::date::Timestamp;
    use crate::wire::ident::ConferenceSid;

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
        let a = CallSid::parse("CAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa").unwrap();
        let b = CallSid::parse("CAbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb").unwrap();
        let events = Subscriptions::DEFAULT
            .with(crate::api::callback::Subscription::Mute)
            .with(crate::api::callback::Subscription::Leave);
        let s = Subscriber {
            url: "https://h.example/cb",
            method: Method::Get,
            events,
        };
        let mut cb = ConferenceCallback::new(&s).unwrap();
        let p = |call, event| NoticeKind::Participant { call, event };
        let mut got = std::vec::Vec::new();
        for n in [
            notice(room, NoticeKind::ConferenceStart),
            notice(room, p(a, BridgeEvent::Join)),
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
        // Nothing after conference-end.
        assert_eq!(cb.sequence_number(), 5);
    }

    #[test]
    fn too_long_is_not_recorded() {
        let long = "h".repeat(CALLBACK_URL_CAPACITY + 1);
        let s = Subscriber {
            url: &long,
            method: Method::Post,
            events: Subscriptions::DEFAULT,
        };
        assert!(ConferenceCallback::new(&s).is_none());
    }
}
