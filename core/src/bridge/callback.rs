//! Conference status callbacks on the bridge: the callback each drained
//! [`Notice`] makes for its conference's subscription
//! ([`crate::bridge::ConferenceCallback`]).
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

use super::notice::{Notice, NoticeKind};
use super::storage::Table;
use super::store::ConferencesIn;
use super::subscription::{CALLBACK_URL_CAPACITY, Routed};
use crate::api::callback::{Callback, EndReason, Event, LEFT_VIA_API};
use crate::api::fields::Method;
use crate::api::path::Dialect;
use crate::api::signature::{self, Scheme, Signature};
use crate::wire::ident::ConferenceSid;
use crate::wire::sink::{Sink, SliceSink, WriteError};

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
pub(super) fn outgoing<T: Table<L>, const L: usize>(
    set: &mut ConferencesIn<T, L>,
    notice: &Notice,
    key: Option<&[u8]>,
    dialect: Dialect,
    body: &mut [u8],
) -> Result<Option<Outgoing>, WriteError> {
    let Some(routed) = set
        .subscription_mut(&notice.conference)
        .and_then(|s| s.route(notice))
    else {
        return Ok(None);
    };
    let mut url = heapless::String::<CALLBACK_URL_CAPACITY>::new();
    // Both hold `CALLBACK_URL_CAPACITY` bytes.
    let _ = url.push_str(routed.url);
    let Routed {
        method,
        sequence_number,
        event,
        ended_by,
        ..
    } = routed;
    let Some(conference) = set.conference(&notice.conference) else {
        return Ok(None);
    };
    let mut cb = Callback::new(
        *conference.account(),
        notice.conference,
        set.friendly_name(&notice.conference).unwrap_or(""),
        sequence_number,
        notice.at,
        event,
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
        if event == Event::ParticipantLeave {
            // Participants leave this bridge only when deleted through the API.
            cb.participant_call_status = Some("completed");
            cb.reason_participant_left = Some(LEFT_VIA_API);
        }
    }
    if let Some(call) = ended_by {
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
    let signature = match (key, method) {
        (None, _) => None,
        (Some(key), Method::Get) => Some(signature::sign_query(key, &url, form)),
        // A callback has fewer pairs than the signing bound and no bad escape.
        (Some(key), Method::Post) => signature::sign(scheme, key, &url, form).ok(),
    };
    Ok(Some(Outgoing {
        url,
        method,
        body_len: form.len(),
        header: scheme.header(),
        signature,
        conference: notice.conference,
        sequence_number,
        event,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
