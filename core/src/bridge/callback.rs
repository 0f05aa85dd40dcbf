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
//! A Twilio or SignalWire bridge signs with the conference's account's
//! secret (HMAC, [`crate::bridge::Service::callback`]); a Telnyx bridge
//! signs with its Ed25519 key and the caller's clock
//! ([`ConferencesIn::callback_with`], [`CallbackSigner`]; crate
//! feature `ed25519`).
//!
//! [`Subscriber`]: crate::api::callback::Subscriber

use super::ids::legacy_call_sid;
use super::notice::{Notice, NoticeKind};
use super::storage::Table;
use super::store::ConferencesIn;
use super::subscription::{CALLBACK_URL_CAPACITY, Routed};
use crate::api::callback::{Callback, EndReason, Event, LEFT_VIA_API};
use crate::api::fields::Method;
use crate::api::path::Dialect;
#[cfg(feature = "ed25519")]
use crate::api::signature::Ed25519Key;
use crate::api::signature::{self, Scheme, Signature, TelnyxSignature};
use crate::wire::ident::ConferenceSid;
use crate::wire::sink::{Sink, SliceSink, WriteError};

/// What a bridge signs a callback with ([`ConferencesIn::callback_with`]).
#[derive(Debug, Clone, Copy)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum CallbackSigner<'k> {
    /// HMAC-SHA1 with this key (Twilio: the auth token; SignalWire: the
    /// signing key), for a Twilio or SignalWire service.
    Hmac(&'k [u8]),
    /// Ed25519 with this key over `"{now}|{form}"`, for a Telnyx service.
    #[cfg(feature = "ed25519")]
    Ed25519 {
        /// The bridge's private key (subscribers check with its public key).
        key: &'k Ed25519Key,
        /// The caller's clock, Unix seconds: the `telnyx-timestamp`.
        now: u64,
    },
}

/// The signature of a callback: the header(s) it goes out with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum CallbackSignature {
    /// Twilio or SignalWire: HMAC-SHA1 in [`Scheme::header`].
    Hmac(Signature),
    /// Telnyx: `telnyx-signature-ed25519` and `telnyx-timestamp`.
    Telnyx(TelnyxSignature),
}

impl CallbackSignature {
    /// The value of the signature header.
    ///
    /// ```
    /// use confpart::api::signature::{Scheme, sign};
    /// use confpart::bridge::CallbackSignature;
    /// let sig = CallbackSignature::Hmac(sign(Scheme::Twilio, b"k", "https://h/", b"")?);
    /// assert_eq!(sig.as_bytes().len(), 28);
    /// # Ok::<(), confpart::api::signature::SignatureError>(())
    /// ```
    pub fn as_bytes(&self) -> &[u8] {
        match self {
            Self::Hmac(s) => s.as_bytes(),
            Self::Telnyx(s) => s.as_bytes(),
        }
    }

    /// The value of the signature header as text (it is base64).
    pub fn as_str(&self) -> &str {
        match self {
            Self::Hmac(s) => s.as_str(),
            Self::Telnyx(s) => s.as_str(),
        }
    }

    /// Writes the header lines: `{header}: {value}\r\n` for an HMAC, both
    /// Telnyx headers for an Ed25519 signature.
    pub fn write_headers<S: Sink + ?Sized>(
        &self,
        header: &str,
        sink: &mut S,
    ) -> Result<(), WriteError> {
        match self {
            Self::Hmac(s) => {
                sink.put_str(header)?;
                sink.put(b": ")?;
                sink.put(s.as_bytes())?;
                sink.put(b"\r\n")
            }
            Self::Telnyx(s) => s.write_headers(sink),
        }
    }
}

/// A callback ready to send: the form body is in the buffer given to
/// [`crate::bridge::Service::callback`] (`body_len` bytes).
///
/// `POST`: send the body to `url` (`Content-Type:
/// application/x-www-form-urlencoded`). `GET`: send no body; the request
/// URL is `url`, then `?` (`&` when `url` has a query), then the body. Either
/// way put `signature` in the `header` header (Telnyx: its two headers,
/// [`CallbackSignature::write_headers`]; a `GET`'s signature covers the
/// form it carries in the query).
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
    /// The signature; `None` when the service has no key to sign with.
    pub signature: Option<CallbackSignature>,
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
            signature.write_headers(self.header, sink)?;
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

    /// Signs the callback again with `key` at `now` (Unix seconds): a Telnyx
    /// signature is good for [`signature::TELNYX_TOLERANCE_SECS`] only, so
    /// an adapter that sends a callback later than it was made (a queue, a
    /// retry) signs it again before each attempt. `form` is the callback's
    /// form, as for [`Outgoing::write_request`].
    ///
    /// ```
    /// # use confpart::bridge::Outgoing;
    /// # use confpart::api::signature::Ed25519Key;
    /// # fn f(out: &mut Outgoing, key: &Ed25519Key, form: &[u8]) {
    /// out.sign_telnyx_at(key, 1_796_630_400, form);
    /// # }
    /// ```
    #[cfg(feature = "ed25519")]
    pub fn sign_telnyx_at(&mut self, key: &Ed25519Key, now: u64, form: &[u8]) {
        self.signature = Some(CallbackSignature::Telnyx(signature::sign_telnyx(
            key, now, form,
        )));
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

impl<T: Table<L>, const L: usize> ConferencesIn<T, L> {
    /// [`crate::bridge::Service::callback`] signed with `signer` (`None`:
    /// not signed): the way a Telnyx bridge signs, with its Ed25519 key and
    /// its clock (`service.conferences_mut().callback_with(...)`). A signer
    /// of another dialect's kind (an HMAC key for a Telnyx service, an
    /// Ed25519 key for a Twilio one) signs nothing.
    ///
    /// ```
    /// # #[cfg(feature = "ed25519")]
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use confpart::api::callback::{Callback, Event, Subscriber, Subscription, Subscriptions};
    /// use confpart::api::{create::Create, fields::Method, path::Dialect};
    /// use confpart::api::signature::{Ed25519Key, validate_telnyx};
    /// use confpart::bridge::{CallbackSigner, ConferenceRef, Conferences, SequentialIds, Timing};
    /// use confpart::wire::{date::Timestamp, ident::{AccountSid, SidForm}};
    ///
    /// let mut set: Conferences<1, 2> = Conferences::new(Dialect::Telnyx, Timing::IMMEDIATE);
    /// let account = AccountSid::parse("f5586561-8ff0-4291-a51b-c7dfe4139ff9")?;
    /// let at = Timestamp::from_unix(1_796_630_400).unwrap();
    /// let created = set.create(&account, ConferenceRef::parse("room"),
    ///     &Create::new("+15550001", "+15550002"), at, &mut SequentialIds::new())?;
    /// let events = Subscriptions::EMPTY.with(Subscription::Join);
    /// set.subscribe(&created.conference, &Subscriber { url: "https://h.example/cb", method: Method::Post, events });
    /// set.tick(at); // Timing::IMMEDIATE: joined
    ///
    /// let key = Ed25519Key::from_seed(&[7; 32]);
    /// let now = at.unix() + 2; // the adapter's clock when it sends
    /// let (mut form, mut sent) = ([0u8; 2048], Vec::new());
    /// while let Some(notice) = set.pop_notice() {
    ///     let signer = CallbackSigner::Ed25519 { key: &key, now };
    ///     if let Some(out) = set.callback_with(&notice, &mut form, Some(signer))? {
    ///         let body = &form[..out.body_len];
    ///         let sig = out.signature.unwrap();
    ///         // What a subscriber does with the bridge's public key.
    ///         let ts = now.to_string();
    ///         validate_telnyx(&key.public_key(), sig.as_bytes(), ts.as_bytes(), body, now)?;
    ///         let mut scratch = [0u8; 512];
    ///         let cb = Callback::decode(body, &mut scratch)?.callback;
    ///         // The legacy UUID the participant resource shows too.
    ///         assert_eq!(cb.call_sid_legacy.map(|s| s.form()), Some(SidForm::Uuid));
    ///         sent.push((cb.sequence_number, cb.event));
    ///     }
    /// }
    /// assert_eq!(sent, [(1, Event::ParticipantJoin)]);
    /// # Ok(())
    /// # }
    /// # #[cfg(not(feature = "ed25519"))]
    /// # fn main() {}
    /// ```
    pub fn callback_with(
        &mut self,
        notice: &Notice,
        body: &mut [u8],
        signer: Option<CallbackSigner<'_>>,
    ) -> Result<Option<Outgoing>, WriteError> {
        outgoing(self, notice, signer, body)
    }
}

/// Builds the callback `notice` makes (see [`ConferenceCallback::route`])
/// from the conference as it is now: the form, in the set's dialect, into
/// `body`, signed by `signer`.
fn outgoing<T: Table<L>, const L: usize>(
    set: &mut ConferencesIn<T, L>,
    notice: &Notice,
    signer: Option<CallbackSigner<'_>>,
    body: &mut [u8],
) -> Result<Option<Outgoing>, WriteError> {
    let dialect = set.dialect();
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
        if dialect == Dialect::Telnyx {
            // The UUID the participant resource shows as `call_sid_legacy`.
            // Telnyx's callbacks carry its own keys only; the state of a
            // participant is not among them.
            cb.call_sid_legacy = legacy_call_sid(&call);
        } else {
            cb.muted = Some(state.muted);
            cb.hold = Some(state.hold);
            cb.coaching = Some(state.coaching());
            cb.end_conference_on_exit = Some(state.end_conference_on_exit);
            cb.start_conference_on_enter = Some(state.start_conference_on_enter);
        }
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
    cb.encode_in(dialect, &mut sink)?;
    let form = sink.written();
    let scheme = Scheme::of(dialect);
    let signature = match (signer, method) {
        (None, _) => None,
        (Some(CallbackSigner::Hmac(_)), _) if !scheme.is_hmac() => None,
        (Some(CallbackSigner::Hmac(key)), Method::Get) => Some(CallbackSignature::Hmac(
            signature::sign_query(key, &url, form),
        )),
        // A callback has fewer pairs than the signing bound and no bad escape.
        (Some(CallbackSigner::Hmac(key)), Method::Post) => signature::sign(scheme, key, &url, form)
            .ok()
            .map(CallbackSignature::Hmac),
        #[cfg(feature = "ed25519")]
        (Some(CallbackSigner::Ed25519 { .. }), _) if scheme.is_hmac() => None,
        #[cfg(feature = "ed25519")]
        (Some(CallbackSigner::Ed25519 { key, now }), _) => Some(CallbackSignature::Telnyx(
            signature::sign_telnyx(key, now, form),
        )),
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
            signature: crate::api::signature::sign(Scheme::Twilio, b"k", url, b"a=1")
                .ok()
                .map(CallbackSignature::Hmac),
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
