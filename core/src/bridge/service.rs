//! The bridge service: a set of conferences ([`Conferences`]) and the
//! configured accounts behind one call, [`Service::handle`], that answers a
//! complete request with a complete response. An adapter only moves bytes:
//! it feeds a [`crate::wire::http::RequestReader`], hands the message to the
//! service, and writes what the service wrote.
//!
//! What `handle` does, in order; nothing is written before the last step,
//! so an error never follows a partial success answer:
//!
//! 1. [`Conferences::tick`] at `now` (created participants move along);
//! 2. route ([`bridge::route`]): 404 / 20404 for an unknown path, 405 /
//!    20004 (+ `Allow`) for another method. A create (`POST` on the
//!    collection) may name the conference by friendly name instead of SID
//!    (`.../Conferences/My%20Room/Participants.json`, percent-decoded:
//!    [`ParticipantPath::parse_named`]); every other operation needs the
//!    SID;
//! 3. Basic auth ([`bridge::check_basic`], constant time) against every
//!    configured [`Account`] whose SID is the path's account: one of them
//!    must accept the credentials. A path naming an account that is not
//!    configured, or wrong credentials: 401 / 20003 + `WWW-Authenticate`.
//!    A service answering as [`Dialect::Telnyx`] takes `Authorization:
//!    Bearer <API key>` instead, the account's secret being its API key
//!    ([`bridge::check_bearer`]; `Basic` is refused: 401 / 10009,
//!    `WWW-Authenticate: Bearer`);
//! 4. decode the form ([`Update::decode`], [`Create::decode`]) or the query
//!    ([`ListQuery::decode`]) into `scratch`: 400 / 20001 (16023 for a
//!    create label that cannot be stored). Telnyx's bodies are JSON
//!    (`Content-Type: application/json`: [`Update::decode_json`],
//!    [`Create::decode_json`]; telnyx-python) or forms (telnyx-node, or no
//!    `Content-Type`); any other type is 415, Telnyx's 10015 (a JSON
//!    create's `ConferenceStatusCallback*` subscribes its conference as a
//!    form's does: `Subscriber::from_create_json`). Twilio and SignalWire
//!    read every body as a form;
//! 5. the operation on the set ([`Conferences::update`], `fetch`, `delete`,
//!    `list`, `create`): a [`Refusal`] answers with its status and code;
//! 6. the answer: 200 + participant (update, fetch), 204 (delete), 200 +
//!    page (list: `participants`, then `first_page_uri`, `next_page_uri`,
//!    `previous_page_uri`, `uri`, `page`, `page_size`, `start`, `end`, the
//!    fixtures' order), 201 + participant (create: `status: queued`,
//!    `queue_time` a string of [`crate::bridge::Created::queue_time_ms`]).
//!    As Telnyx: its resource ([`Reply::Resource`], with the `*_legacy`
//!    UUIDs of the calls' bits), its smaller create answer
//!    ([`Reply::Created`], 201 as Twilio's: the SDKs take any 2xx), its page
//!    (`uri`, `first_page_uri`, `next_page_uri` with `Page`, `PageSize`,
//!    `PageToken`; no `previous_page_uri`).
//!    Bodies are written straight into the sink; a participant's
//!    `Content-Length` is filled in after it over a buffer (counted first
//!    over other sinks), a list page's is counted first (it has no cheap
//!    length bounds);
//!    `Connection` follows the request
//!    ([`RequestMessage::keep_alive`]).
//!
//! Every refusal goes through [`bridge::write_error_in`], in the service's
//! dialect (SignalWire's and Telnyx's `errors` bodies). `Expect:
//! 100-continue` stays with the adapter ([`bridge::write_continue`]).
//!
//! ```
//! use confpart::bridge::{SequentialIds, Timing};
//! use confpart::bridge::{Account, Service};
//! use confpart::wire::http::{Progress, RequestReader};
//! use confpart::wire::ident::AccountSid;
//! use confpart::api::path::Dialect;
//! use confpart::wire::sink::SliceSink;
//! use confpart::wire::date::Timestamp;
//!
//! let accounts = [Account::new(AccountSid::parse("ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")?, "token")];
//! let mut service: Service<'_, 2, 4> = Service::new(Dialect::Twilio, Timing::IMMEDIATE, &accounts);
//! let mut ids = SequentialIds::new();
//! let now = Timestamp::from_unix(1_700_000_000).unwrap();
//!
//! // "ACaaa…:token"
//! let request = b"POST /2010-04-01/Accounts/ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/Conferences/My%20Room/Participants.json HTTP/1.1\r\n\
//!     Host: bridge\r\nAuthorization: Basic QUNhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYTp0b2tlbg==\r\n\
//!     Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 35\r\n\r\n\
//!     From=%2B15005550006&To=%2B15005550001";
//! let mut rx = [0u8; 1024];
//! let mut reader = RequestReader::new(&mut rx);
//! let Progress::Complete(message) = reader.feed(request)? else { unreachable!() };
//! let mut scratch = [0u8; 64];
//! let mut tx = [0u8; 1024];
//! let mut out = SliceSink::new(&mut tx);
//! let handled = service.handle(&message, now, &mut ids, &mut scratch, &mut out)?;
//! assert_eq!((handled.status, handled.code, handled.keep_alive), (201, None, true));
//! let text = core::str::from_utf8(out.written())?;
//! assert!(text.starts_with("HTTP/1.1 201 Created\r\n"));
//! assert!(text.contains(r#""status":"queued""#) && text.contains(r#""queue_time":"0""#));
//! assert!(text.contains(r#""conference_sid":"CF00000000000000000000000000000001""#));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use core::fmt;

use super::answer::Answer;
use super::callback::{CallbackSigner, Outgoing};
use super::ids::Legacy;
use super::router::{self as bridge, AuthFailure, BridgeError};
use crate::api::callback::Subscriber;
use crate::api::create::Create;
use crate::api::operation::OperationKind;
use crate::api::participant::{Participant, Reply};
use crate::api::path::{Dialect, ParticipantPath, PathError, PathStyle};
use crate::api::query::ListQuery;
use crate::api::update::Update;
use crate::bridge::{
    ConferenceRef, ConferencesIn, DEFAULT_LABEL_BYTES, FRIENDLY_NAME_CAPACITY, FixedTable, FoundIn,
    IdSource, Limits, Link, Member, NameProblem, Notice, PageIn, Refusal, Slots, Table, Timing,
};
use crate::wire::date::Timestamp;
use crate::wire::http::{Connection, HttpError, RequestMessage};
use crate::wire::ident::{AccountSid, ConferenceSid, ParticipantRef};
use crate::wire::sink::{Sink, WriteError};

/// One configured account: its SID (the path's `Accounts/{sid}`) and the
/// Basic credentials that grant it. `Debug` (and `defmt`) print the secret
/// as `***`.
///
/// ```
/// use confpart::bridge::Account;
/// use confpart::wire::ident::AccountSid;
///
/// let sid = AccountSid::parse("ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")?;
/// let by_token = Account::new(sid, "auth token");
/// assert_eq!(by_token.username(), "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
/// let by_key = Account::api_key(sid, "SKbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", "key secret");
/// assert_eq!(by_key.username(), "SKbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb");
/// assert_eq!(by_key.sid(), &sid);
/// assert!(!format!("{by_key:?}").contains("key secret"));
/// # Ok::<(), confpart::wire::ident::IdError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Account<'a> {
    sid: AccountSid,
    /// `None`: the username is the SID.
    key_sid: Option<&'a str>,
    secret: &'a str,
}

impl<'a> Account<'a> {
    /// Basic auth user = the account SID, password = the auth token. For a
    /// service answering as Telnyx, `auth_token` is the account's API key,
    /// sent as `Authorization: Bearer` ([`crate::bridge::check_bearer`]).
    pub const fn new(sid: AccountSid, auth_token: &'a str) -> Self {
        Self {
            sid,
            key_sid: None,
            secret: auth_token,
        }
    }

    /// Basic auth user = an API key SID (`SK…`), password = its secret; the
    /// path names `sid`.
    pub const fn api_key(sid: AccountSid, key_sid: &'a str, secret: &'a str) -> Self {
        Self {
            sid,
            key_sid: Some(key_sid),
            secret,
        }
    }

    /// The account the path names.
    pub const fn sid(&self) -> &AccountSid {
        &self.sid
    }

    /// The Basic auth username: the account SID, or the API key SID.
    pub fn username(&self) -> &str {
        match self.key_sid {
            Some(key) => key,
            None => self.sid.as_str(),
        }
    }
}

impl fmt::Debug for Account<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Account")
            .field("sid", &self.sid)
            .field("username", &self.username())
            .field("secret", &"***")
            .finish()
    }
}

#[cfg(feature = "defmt")]
impl defmt::Format for Account<'_> {
    fn format(&self, f: defmt::Formatter<'_>) {
        defmt::write!(
            f,
            "Account {{ sid: {}, username: {=str}, secret: *** }}",
            self.sid,
            self.username()
        )
    }
}

/// What [`Service::handle`] (or [`Service::reject`]) answered: for the
/// adapter's log line and its connection handling.
///
/// ```
/// use confpart::bridge::Handled;
/// let h = Handled { status: 404, code: Some(20404), keep_alive: true };
/// assert!(h.keep_alive);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Handled {
    /// The HTTP status written.
    pub status: u16,
    /// The error code of an error answer (`None` for a success).
    pub code: Option<u32>,
    /// The answer said `Connection: keep-alive`: read the next request on
    /// this connection (otherwise close it).
    pub keep_alive: bool,
}

/// A conference bridge: conferences kept in the table `T` (labels of `L`
/// bytes; [`ConferencesIn`]) and the accounts it serves. See the
/// [bridge docs](crate::bridge). The firmware's is [`Service`]; a host
/// supplies a table that grows with the live participants.
#[derive(Debug)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct ServiceIn<'a, T: Table<L>, const L: usize = DEFAULT_LABEL_BYTES> {
    set: ConferencesIn<T, L>,
    accounts: &'a [Account<'a>],
    /// Subscriptions on create that could not be read or stored.
    unrecorded: u32,
}

/// A conference bridge in fixed memory: `C` conferences of `N` live
/// participants (labels of `L` bytes) and the accounts it serves.
///
/// ```
/// use confpart::bridge::Timing;
/// use confpart::bridge::{Account, Service};
/// use confpart::wire::ident::AccountSid;
/// use confpart::api::path::Dialect;
///
/// let accounts = [Account::new(AccountSid::parse("ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")?, "token")];
/// let service: Service<'_, 4, 8> = Service::new(Dialect::Twilio, Timing::IMMEDIATE, &accounts);
/// assert!(service.conferences().is_empty());
/// # Ok::<(), confpart::wire::ident::IdError>(())
/// ```
pub type Service<'a, const C: usize, const N: usize, const L: usize = DEFAULT_LABEL_BYTES> =
    ServiceIn<'a, FixedTable<C, N, L>, L>;

/// Where a routed request goes. The participant is borrowed from the
/// [`bridge::Route`] that `answer` keeps in its frame: a
/// [`ParticipantRef`] is 528 bytes (its label variant), and a copy per
/// layer added one to the bridge's stack each.
struct Target<'r, 'n> {
    operation: OperationKind,
    style: PathStyle,
    account: AccountSid,
    /// `Err` for a friendly name too long to store (answered after auth).
    conference: Result<ConferenceRef<'n>, Refusal>,
    participant: Option<&'r ParticipantRef>,
}

/// What every operation's answer needs besides its own inputs.
struct Call<'r, 'm> {
    m: &'r RequestMessage<'m>,
    account: AccountSid,
    style: PathStyle,
    dialect: Dialect,
    now: Timestamp,
    connection: Connection,
}

impl<'a, T: Table<L>, const L: usize> ServiceIn<'a, T, L> {
    /// A service with no conference yet, answering as `dialect`, moving
    /// created participants along with `timing`, serving `accounts`, with
    /// the caps the table holds.
    pub fn new(dialect: Dialect, timing: Timing, accounts: &'a [Account<'a>]) -> Self {
        Self::with_limits(dialect, timing, accounts, T::LIMITS)
    }

    /// [`ServiceIn::new`] with caps of the user's ([`ConferencesIn::with_limits`]).
    pub fn with_limits(
        dialect: Dialect,
        timing: Timing,
        accounts: &'a [Account<'a>],
        limits: Limits,
    ) -> Self {
        Self {
            set: ConferencesIn::with_limits(dialect, timing, limits),
            accounts,
            unrecorded: 0,
        }
    }

    /// The conferences.
    pub const fn conferences(&self) -> &ConferencesIn<T, L> {
        &self.set
    }

    /// The conferences, to change them directly (a test, an admin command).
    pub const fn conferences_mut(&mut self) -> &mut ConferencesIn<T, L> {
        &mut self.set
    }

    /// The configured accounts.
    pub const fn accounts(&self) -> &'a [Account<'a>] {
        self.accounts
    }

    /// Moves created participants along their lifecycle up to `now`
    /// ([`ConferencesIn::tick`]; [`ServiceIn::handle`] runs it too).
    pub fn tick(&mut self, now: Timestamp) {
        self.set.tick(now);
    }

    /// The oldest status-callback notice not delivered yet.
    pub fn pop_notice(&mut self) -> Option<Notice> {
        self.set.pop_notice()
    }

    /// The conference status callback a drained notice makes, if its
    /// conference's first participant subscribed to its event
    /// ([`ConferencesIn::subscription`]): the form body is written into `body` and signed with
    /// the conference's account's secret (its auth token; for an account
    /// configured by API key, the key's secret). A Telnyx service's callbacks
    /// come back unsigned: they are signed with an Ed25519 key
    /// ([`ConferencesIn::callback_with`]). Give it every notice, in
    /// [`Service::pop_notice`] order: that order numbers the callbacks.
    /// `Err` when `body` is too small
    /// ([`crate::api::callback::Callback::encoded_len`]; 2 KiB always
    /// suffices for labels and names within the bridge's capacities).
    ///
    /// ```
    /// use confpart::bridge::{Account, SequentialIds, Service, Timing};
    /// use confpart::api::{callback::Callback, path::Dialect, signature::{Scheme, validate}};
    /// use confpart::wire::{date::Timestamp, http::{Progress, RequestReader}, ident::AccountSid, sink::SliceSink};
    ///
    /// let accounts = [Account::new(AccountSid::parse("ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")?, "token")];
    /// let mut service: Service<'_, 2, 4> = Service::new(Dialect::Twilio, Timing::IMMEDIATE, &accounts);
    /// let body = "From=a&To=b&ConferenceStatusCallback=https%3A%2F%2Fh.example%2Fcb&ConferenceStatusCallbackEvent=start+join";
    /// let request = format!("POST /2010-04-01/Accounts/ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/Conferences/room/Participants.json HTTP/1.1\r\n\
    ///     Host: b\r\nAuthorization: Basic QUNhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYTp0b2tlbg==\r\n\
    ///     Content-Length: {}\r\n\r\n{body}", body.len());
    /// let mut rx = [0u8; 1024];
    /// let mut reader = RequestReader::new(&mut rx);
    /// let Progress::Complete(message) = reader.feed(request.as_bytes())? else { unreachable!() };
    /// let (mut scratch, mut tx) = ([0u8; 256], [0u8; 1024]);
    /// let now = Timestamp::from_unix(1_700_000_000).unwrap();
    /// service.handle(&message, now, &mut SequentialIds::new(), &mut scratch, &mut SliceSink::new(&mut tx))?;
    /// service.tick(now); // Timing::IMMEDIATE: joined, started
    ///
    /// let mut sent = Vec::new();
    /// let mut form = [0u8; 2048];
    /// while let Some(notice) = service.pop_notice() {
    ///     if let Some(out) = service.callback(&notice, &mut form)? {
    ///         let body = &form[..out.body_len];
    ///         let sig = out.signature.unwrap();
    ///         validate(Scheme::Twilio, b"token", &out.url, body, sig.as_bytes())?;
    ///         let mut scratch = [0u8; 512];
    ///         let cb = Callback::decode(body, &mut scratch)?.callback;
    ///         sent.push((cb.sequence_number, cb.event.as_str()));
    ///     }
    /// }
    /// assert_eq!(sent, [(1, "participant-join"), (2, "conference-start")]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn callback(
        &mut self,
        notice: &Notice,
        body: &mut [u8],
    ) -> Result<Option<Outgoing>, WriteError> {
        let account = self
            .set
            .conference(&notice.conference)
            .map(|c| *c.account());
        // An auth token before an API key's secret, as Twilio signs with the token.
        let accounts = self.accounts;
        let key = accounts
            .iter()
            .filter(|a| Some(a.sid) == account)
            .min_by_key(|a| a.key_sid.is_some())
            .map(|a| a.secret.as_bytes());
        self.set
            .callback_with(notice, body, key.map(CallbackSigner::Hmac))
    }

    /// Subscriptions (`ConferenceStatusCallback*` on a conference's first
    /// create) that could not be read or stored since the service was made:
    /// those conferences send no callback.
    pub const fn unrecorded_callbacks(&self) -> u32 {
        self.unrecorded
    }

    /// Answers one complete request (route, Basic auth against the path's
    /// account, or Bearer for Telnyx, decode, the operation, the answer):
    /// writes the whole response (status line, headers, body) into `out`.
    /// Every refusal is answered with its status and code, in the service's
    /// dialect ([`bridge::write_error_in`]).
    /// `scratch` receives decoded form/query values:
    /// `scratch.len() >= request.body().len().max(query len)` always
    /// suffices. `Err` only when `out` fails (then part of a response may
    /// have been written: close the connection).
    pub fn handle<S: Sink + ?Sized>(
        &mut self,
        request: &RequestMessage<'_>,
        now: Timestamp,
        ids: &mut impl IdSource,
        scratch: &mut [u8],
        out: &mut S,
    ) -> Result<Handled, WriteError> {
        let connection = if request.keep_alive() {
            Connection::KeepAlive
        } else {
            Connection::Close
        };
        self.set.tick(now);
        let mut name = [0u8; FRIENDLY_NAME_CAPACITY];
        match self.answer(request, now, ids, scratch, &mut name, out, connection) {
            Ok(status) => Ok(Handled {
                status,
                code: None,
                keep_alive: connection == Connection::KeepAlive,
            }),
            // The sink failed (possibly mid-answer): nothing more to write.
            Err(BridgeError::Write(e)) => Err(e),
            // Every other error is found before the first byte is written.
            Err(e) => write_refusal(out, self.set.dialect(), &e, connection),
        }
    }

    /// The answer to bytes the reader rejected ([`HttpError`]): its status
    /// and code ([`HttpError::answer`]) in Twilio's dialect, `Connection:
    /// close` ([`ServiceIn::reject_in`] for another dialect).
    ///
    /// ```
    /// use confpart::bridge::Service;
    /// use confpart::wire::http::HttpError;
    /// use confpart::wire::sink::SliceSink;
    ///
    /// let mut tx = [0u8; 512];
    /// let mut out = SliceSink::new(&mut tx);
    /// let error = HttpError::BodyTooLarge { declared: Some(1 << 20), capacity: 1024 };
    /// let handled = Service::<2, 4>::reject(&error, &mut out)?;
    /// assert_eq!((handled.status, handled.code, handled.keep_alive), (413, Some(20001), false));
    /// # Ok::<(), confpart::wire::sink::WriteError>(())
    /// ```
    pub fn reject<S: Sink + ?Sized>(error: &HttpError, out: &mut S) -> Result<Handled, WriteError> {
        Self::reject_in(Dialect::Twilio, error, out)
    }

    /// [`ServiceIn::reject`] in `dialect` (the service's:
    /// [`ConferencesIn::dialect`]): its status, code and error body.
    ///
    /// ```
    /// use confpart::api::path::Dialect;
    /// use confpart::bridge::Service;
    /// use confpart::wire::http::HttpError;
    /// use confpart::wire::sink::SliceSink;
    ///
    /// let mut tx = [0u8; 512];
    /// let mut out = SliceSink::new(&mut tx);
    /// let handled = Service::<2, 4>::reject_in(Dialect::Telnyx, &HttpError::InvalidStartLine, &mut out)?;
    /// assert_eq!(handled.code, Some(10015));
    /// assert!(out.written().ends_with(b"]}"));
    /// # Ok::<(), confpart::wire::sink::WriteError>(())
    /// ```
    pub fn reject_in<S: Sink + ?Sized>(
        dialect: Dialect,
        error: &HttpError,
        out: &mut S,
    ) -> Result<Handled, WriteError> {
        write_refusal(out, dialect, error, Connection::Close)
    }

    /// Routes, authenticates, runs the operation and writes the success
    /// answer; any error is returned before a byte is written, except
    /// [`BridgeError::Write`].
    ///
    /// Each operation is a function of its own, kept out of line: their
    /// decoded forms, participant views and the create's new conference
    /// would otherwise all sit in this one frame (over 5 KiB on
    /// thumbv7em), while a request only ever needs one of them.
    #[allow(clippy::too_many_arguments)]
    fn answer<S: Sink + ?Sized>(
        &mut self,
        m: &RequestMessage<'_>,
        now: Timestamp,
        ids: &mut impl IdSource,
        scratch: &mut [u8],
        name: &mut [u8],
        out: &mut S,
        connection: Connection,
    ) -> Result<u16, BridgeError> {
        let routed = route(m);
        let target = target(m, &routed, name)?;
        // A service answers its own paths only: Telnyx's under `/v2/texml`,
        // Twilio's and SignalWire's under `/2010-04-01` or the LaML prefix.
        if (target.style == PathStyle::Texml) != (self.set.dialect() == Dialect::Telnyx) {
            return Err(BridgeError::NotFound {
                error: PathError::Prefix,
            });
        }
        self.authenticate(m.authorization(), &target.account)?;
        let call = Call {
            m,
            account: target.account,
            style: target.style,
            dialect: self.set.dialect(),
            now,
            connection,
        };
        let conference = target.conference?;
        if target.operation == OperationKind::Create {
            return self.create(&call, conference, ids, scratch, out);
        }
        // Only a create may name the conference (routing makes sure).
        let ConferenceRef::Sid(sid) = conference else {
            return Err(BridgeError::Refused(Refusal::NotFound));
        };
        if target.operation == OperationKind::List {
            return self.list(&call, &sid, scratch, out);
        }
        let who = target.participant.ok_or(BridgeError::MethodNotAllowed {
            allow: bridge::ALLOW_COLLECTION,
        })?;
        match target.operation {
            OperationKind::Update => self.update(&call, &sid, who, scratch, out),
            OperationKind::Fetch => self.fetch(&call, &sid, who, out),
            _ => self.delete(&call, &sid, who, out),
        }
    }

    /// Update: decode the form, apply it, 200 + the participant.
    #[inline(never)]
    fn update<S: Sink + ?Sized>(
        &mut self,
        call: &Call<'_, '_>,
        sid: &ConferenceSid,
        who: &ParticipantRef,
        scratch: &mut [u8],
        out: &mut S,
    ) -> Result<u16, BridgeError> {
        let update = match body_kind(call.m, call.dialect)? {
            BodyKind::Form => Update::decode(call.m.body(), scratch)?,
            #[cfg(feature = "json-body")]
            BodyKind::Json => Update::decode_json(call.m.body(), scratch)?,
        }
        .update;
        let found = self
            .set
            .update(&call.account, sid, who, &update, call.now)?;
        write_found(out, &found, call)
    }

    /// Fetch: 200 + the participant.
    #[inline(never)]
    fn fetch<S: Sink + ?Sized>(
        &mut self,
        call: &Call<'_, '_>,
        sid: &ConferenceSid,
        who: &ParticipantRef,
        out: &mut S,
    ) -> Result<u16, BridgeError> {
        let found = self.set.fetch(&call.account, sid, who, call.now)?;
        write_found(out, &found, call)
    }

    /// Delete: 204.
    #[inline(never)]
    fn delete<S: Sink + ?Sized>(
        &mut self,
        call: &Call<'_, '_>,
        sid: &ConferenceSid,
        who: &ParticipantRef,
        out: &mut S,
    ) -> Result<u16, BridgeError> {
        self.set.delete(&call.account, sid, who, call.now)?;
        bridge::write_no_content(out, call.connection)?;
        Ok(204)
    }

    /// List: decode the query, 200 + the page.
    #[inline(never)]
    fn list<S: Sink + ?Sized>(
        &mut self,
        call: &Call<'_, '_>,
        sid: &ConferenceSid,
        scratch: &mut [u8],
        out: &mut S,
    ) -> Result<u16, BridgeError> {
        let query = call.m.query().unwrap_or("").as_bytes();
        let query = ListQuery::decode(query, scratch)?;
        // Telnyx's list takes no filters: one is refused (422 / 10015), as
        // the client refuses to send it, rather than answered unfiltered.
        query.validate_for(call.dialect)?;
        let page = self.set.list(&call.account, sid, &query, call.now)?;
        write_page(out, &page, call.style, call.connection)?;
        Ok(200)
    }

    /// Create: decode the form, create, 201 + the participant as created.
    #[inline(never)]
    fn create<S: Sink + ?Sized>(
        &mut self,
        call: &Call<'_, '_>,
        conference: ConferenceRef<'_>,
        ids: &mut impl IdSource,
        scratch: &mut [u8],
        out: &mut S,
    ) -> Result<u16, BridgeError> {
        let kind = body_kind(call.m, call.dialect)?;
        let create = match kind {
            BodyKind::Form => Create::decode(call.m.body(), scratch)?,
            #[cfg(feature = "json-body")]
            BodyKind::Json => Create::decode_json(call.m.body(), scratch)?,
        }
        .create;
        let created = self
            .set
            .create(&call.account, conference, &create, call.now, ids)?;
        if created.new_conference {
            // The first participant's ConferenceStatusCallback*, read into
            // the scratch the create's values no longer need. One the
            // create decoder let through but that is not a subscription (a
            // relative URL, an unknown word) is counted, not recorded.
            let (body, dialect) = (call.m.body(), self.set.dialect());
            let subscriber = match kind {
                BodyKind::Form => Subscriber::from_create(body, scratch, dialect),
                #[cfg(feature = "json-body")]
                BodyKind::Json => Subscriber::from_create_json(body, scratch, dialect),
            };
            match subscriber {
                Ok(Some(subscriber)) => {
                    if !self.set.subscribe(&created.conference, &subscriber) {
                        self.unrecorded = self.unrecorded.saturating_add(1);
                    }
                }
                Ok(None) => {}
                Err(_) => self.unrecorded = self.unrecorded.saturating_add(1),
            }
        }
        let found = self
            .set
            .participant(&created.conference, &created.call)
            .ok_or(Refusal::NotFound)?;
        let mut digits = [0u8; 20];
        let queue_time = decimal(created.queue_time_ms, &mut digits);
        let p = found
            .conference
            .resource(&created.call, call.style)
            .ok_or(Refusal::NotFound)?
            .with_queue_time(queue_time);
        // Telnyx's create answer has no legacy ids (Reply::Created).
        // 201 as Twilio answers (OperationKind::Create's success status);
        // Telnyx's SDKs take any 2xx.
        bridge::write_participant_in(out, 201, &p, call.dialect, Reply::Created, call.connection)?;
        Ok(201)
    }

    /// Authentication against every configured account whose SID is
    /// `account` (all of them are checked, no early exit): Basic (username,
    /// secret) for Twilio and SignalWire, Bearer (the secret is the API key)
    /// for Telnyx. 401 when none accepts, or none is configured.
    fn authenticate(
        &self,
        authorization: Option<&[u8]>,
        account: &AccountSid,
    ) -> Result<(), BridgeError> {
        let dialect = self.set.dialect();
        let check = |a: Option<&Account<'_>>| match (dialect, a) {
            (Dialect::Telnyx, Some(a)) => bridge::check_bearer(authorization, a.secret),
            (Dialect::Telnyx, None) => bridge::check_bearer(authorization, ""),
            (_, Some(a)) => bridge::check_basic(authorization, a.username(), a.secret),
            (_, None) => bridge::check_basic(authorization, "", ""),
        };
        let mismatch = BridgeError::Unauthorized {
            reason: AuthFailure::Mismatch,
        };
        let mut result = Err(mismatch);
        let mut configured = false;
        for a in self.accounts.iter().filter(|a| a.sid == *account) {
            configured = true;
            let checked = check(Some(a));
            if checked.is_ok() || result.is_err() {
                result = result.or(checked);
            }
        }
        if !configured {
            // Not configured: the same 401, with what the header lacks if
            // anything (missing, another scheme, malformed).
            return match check(None) {
                Err(e) if e != mismatch => Err(e),
                _ => Err(mismatch),
            };
        }
        result
    }
}

/// How a POST body is encoded, from its `Content-Type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BodyKind {
    Form,
    #[cfg(feature = "json-body")]
    Json,
}

/// The body's encoding: a form for Twilio and SignalWire whatever the
/// header says (their APIs take forms only, and a bridge has always read
/// every body as one); for Telnyx, `application/json` (telnyx-python,
/// telnyx-go) or a form (`application/x-www-form-urlencoded`, telnyx-node;
/// also no `Content-Type` at all), anything else 415
/// ([`BridgeError::UnsupportedMediaType`]); JSON is 415 too without the
/// `json-body` feature.
#[inline]
fn body_kind(m: &RequestMessage<'_>, dialect: Dialect) -> Result<BodyKind, BridgeError> {
    if dialect != Dialect::Telnyx {
        return Ok(BodyKind::Form);
    }
    let Some(value) = m.content_type() else {
        return Ok(BodyKind::Form);
    };
    let media = value
        .split(|&b| b == b';')
        .next()
        .unwrap_or(&[])
        .trim_ascii();
    #[cfg(feature = "json-body")]
    if media.eq_ignore_ascii_case(b"application/json") {
        return Ok(BodyKind::Json);
    }
    if media.eq_ignore_ascii_case(b"application/x-www-form-urlencoded") {
        Ok(BodyKind::Form)
    } else {
        Err(BridgeError::UnsupportedMediaType)
    }
}

/// [`bridge::route`], out of line: the path parse's intermediate values
/// (the participant, the path, each a 500-odd-byte move) stay in its own
/// frame, which is gone before the operation runs; only the [`bridge::Route`]
/// it returns stays in `answer`'s.
#[inline(never)]
fn route(m: &RequestMessage<'_>) -> Result<bridge::Route, BridgeError> {
    bridge::route(m.method(), m.path())
}

/// Routes the request: a participant path or the collection by SID
/// ([`bridge::route`], its result `routed`), or a create on the collection
/// named by friendly name ([`ParticipantPath::parse_named`]).
fn target<'r, 'n>(
    m: &RequestMessage<'_>,
    routed: &'r Result<bridge::Route, BridgeError>,
    name: &'n mut [u8],
) -> Result<Target<'r, 'n>, BridgeError> {
    match routed {
        Ok(r) => Ok(Target {
            operation: r.operation,
            style: r.path.style,
            account: r.path.account,
            conference: Ok(ConferenceRef::Sid(r.path.conference)),
            participant: r.path.participant.as_ref(),
        }),
        Err(BridgeError::NotFound { error }) if m.method() == "POST" => {
            let error = *error;
            let (style, account, conference) = match ParticipantPath::parse_named(m.path(), name) {
                Ok(p) => (p.style, p.account, Ok(ConferenceRef::parse(p.conference))),
                Err(PathError::SegmentTooLong { .. }) => {
                    // The account is valid (parsed before the name): the
                    // too-long name is answered after auth.
                    let account = parse_account(m.path()).ok_or(BridgeError::NotFound { error })?;
                    (
                        account.0,
                        account.1,
                        Err(Refusal::FriendlyName(NameProblem::TooLong)),
                    )
                }
                Err(_) => return Err(BridgeError::NotFound { error }),
            };
            Ok(Target {
                operation: OperationKind::Create,
                style,
                account,
                conference,
                participant: None,
            })
        }
        Err(e) => Err(*e),
    }
}

/// Writes a found participant: 200 (update, fetch).
fn write_found<S: Sink + ?Sized, M: Slots<Member<L>>, const L: usize>(
    out: &mut S,
    found: &FoundIn<'_, M, L>,
    call: &Call<'_, '_>,
) -> Result<u16, BridgeError> {
    let p = found
        .conference
        .resource(found.member.call_sid(), call.style)
        .ok_or(Refusal::NotFound)?;
    if call.dialect == Dialect::Telnyx {
        return write_telnyx_resource(out, &p, call);
    }
    // Written where it was built: a participant is a few hundred bytes,
    // and moving it cost Twilio's answer a copy.
    bridge::write_participant_in(out, 200, &p, call.dialect, Reply::Resource, call.connection)?;
    Ok(200)
}

/// Telnyx's resource, with the legacy ids: 200.
#[inline(never)]
fn write_telnyx_resource<S: Sink + ?Sized>(
    out: &mut S,
    p: &Participant<'_>,
    call: &Call<'_, '_>,
) -> Result<u16, BridgeError> {
    let legacy = Legacy::of(p);
    let p = legacy.add(*p);
    bridge::write_participant_in(
        out,
        200,
        &p,
        Dialect::Telnyx,
        Reply::Resource,
        call.connection,
    )?;
    Ok(200)
}

/// The style and account of a collection path whose name did not fit.
fn parse_account(path: &str) -> Option<(PathStyle, AccountSid)> {
    let (style, at) = PathStyle::split(path.as_bytes())?;
    let rest = path.get(at..)?.strip_prefix("Accounts/")?;
    let sid = rest.split('/').next()?;
    AccountSid::parse(sid).ok().map(|a| (style, a))
}

/// Writes an error answer in `dialect` and says what was answered (the
/// dialect's status and code).
fn write_refusal<S: Sink + ?Sized, E: Answer + ?Sized>(
    out: &mut S,
    dialect: Dialect,
    error: &E,
    connection: Connection,
) -> Result<Handled, WriteError> {
    match bridge::write_error_in(out, dialect, error, connection) {
        Ok((status, code)) => Ok(Handled {
            status,
            code: Some(code),
            keep_alive: connection == Connection::KeepAlive,
        }),
        Err(BridgeError::Write(e)) => Err(e),
        // write_error's statuses and headers are always valid; were one
        // not, nothing was written and the connection must close.
        Err(_) => Err(WriteError::WriteZero),
    }
}

/// `n` in decimal, written into `buf`.
fn decimal(n: u64, buf: &mut [u8; 20]) -> &str {
    let mut sink = crate::wire::sink::SliceSink::new(buf);
    // 20 digits hold any u64.
    let _ = sink.put_u64(n);
    let len = sink.len();
    buf.get(..len)
        .and_then(|d| core::str::from_utf8(d).ok())
        .unwrap_or("0")
}

/// Writes a 200 list page: the head and the body straight into the sink.
/// A page has no cheap length bounds ([`bridge::JsonBody`]'s default), so
/// its length is always counted first (the page is encoded twice).
fn write_page<S: Sink + ?Sized, M: Slots<Member<L>>, const L: usize>(
    out: &mut S,
    page: &PageIn<'_, M, L>,
    style: PathStyle,
    connection: Connection,
) -> Result<(), BridgeError> {
    bridge::write_json(out, 200, &PageBody { page, style }, connection)
}

/// A list page as a response body.
struct PageBody<'p, 'c, M, const L: usize> {
    page: &'p PageIn<'c, M, L>,
    style: PathStyle,
}

impl<M: Slots<Member<L>>, const L: usize> bridge::JsonBody for PageBody<'_, '_, M, L> {
    fn write<S: Sink + ?Sized>(&self, sink: &mut S) -> Result<(), WriteError> {
        encode_page(sink, self.page, self.style)
    }
}

/// The page document, in the fixtures' key order (Telnyx's: its keys, no
/// `previous_page_uri`, each participant in its resource shape). Out of
/// line, in a frame of its own: it runs twice (the page is counted, then
/// written), and inlined into the list operation it made that frame larger
/// than the two apart.
#[inline(never)]
fn encode_page<S: Sink + ?Sized, M: Slots<Member<L>>, const L: usize>(
    sink: &mut S,
    page: &PageIn<'_, M, L>,
    style: PathStyle,
) -> Result<(), WriteError> {
    sink.put(b"{\"participants\":[")?;
    let conference = page.conference();
    let dialect = conference.dialect();
    let mut first = true;
    for member in page.members() {
        let Some(p) = conference.resource(member.call_sid(), style) else {
            continue;
        };
        if !first {
            sink.put(b",")?;
        }
        first = false;
        match dialect {
            Dialect::Telnyx => {
                let legacy = Legacy::of(&p);
                legacy.add(p).encode_for(dialect, Reply::Resource, sink)?;
            }
            Dialect::Twilio | Dialect::SignalWire => p.encode(sink)?,
        }
    }
    sink.put(b"]")?;
    if dialect == Dialect::Telnyx {
        write_numbers(sink, page)?;
        return write_links(
            sink,
            page,
            &[
                ("uri", Link::Current),
                ("first_page_uri", Link::First),
                ("next_page_uri", Link::Next),
            ],
        )
        .and_then(|()| sink.put(b"}"));
    }
    write_links(
        sink,
        page,
        &[
            ("first_page_uri", Link::First),
            ("next_page_uri", Link::Next),
            ("previous_page_uri", Link::Previous),
            ("uri", Link::Current),
        ],
    )?;
    write_numbers(sink, page)?;
    sink.put(b"}")
}

/// `,"key":"uri"` (or `null`) for each link.
fn write_links<S: Sink + ?Sized, M: Slots<Member<L>>, const L: usize>(
    sink: &mut S,
    page: &PageIn<'_, M, L>,
    links: &[(&str, Link)],
) -> Result<(), WriteError> {
    for &(key, link) in links {
        sink.put(b",\"")?;
        sink.put_str(key)?;
        sink.put(b"\":")?;
        match page.uri(link) {
            // A page URI is path and query characters only: no escaping.
            Some(uri) => {
                sink.put(b"\"")?;
                uri.write(sink)?;
                sink.put(b"\"")?;
            }
            None => sink.put(b"null")?,
        }
    }
    Ok(())
}

/// `,"page":…,"page_size":…,"start":…,"end":…`.
fn write_numbers<S: Sink + ?Sized, M: Slots<Member<L>>, const L: usize>(
    sink: &mut S,
    page: &PageIn<'_, M, L>,
) -> Result<(), WriteError> {
    for (key, value) in [
        ("page", u64::from(page.page())),
        ("page_size", u64::from(page.page_size())),
        ("start", page.start()),
        ("end", page.end()),
    ] {
        sink.put(b",\"")?;
        sink.put_str(key)?;
        sink.put(b"\":")?;
        sink.put_u64(value)?;
    }
    Ok(())
}
