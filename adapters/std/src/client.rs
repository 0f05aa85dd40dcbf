//! The blocking client: the five operations on the participant resource over
//! [`crate::transport::Pool`], with the retries of the core's [`RetryPolicy`].
//!
//! Every byte sent is written by the core's [`confpart::client::Request`] and every byte received is
//! framed and decoded by the core's `ResponseReader` and views; this module only moves them,
//! sleeps between attempts, and copies the answer out of the receive buffer into owned
//! values ([`Participant`], [`Page`], [`ServiceError`]), JSON strings unescaped.
//!
//! - **Connection**: one keep-alive connection ([`crate::transport::Pool`]), reopened when the
//!   service closed it; a response read until the connection closed, or followed by bytes
//!   nobody asked for, is not reused.
//! - **Retries** (the core's [`RetryPolicy`], default 4 attempts within 30 s, jitter from
//!   [`crate::retry::Rng`]): `429` and `503` honouring `Retry-After`, else jittered
//!   exponential backoff; a transport failure is retried unless the request may have been
//!   applied and is not idempotent (only Create is not), but a TLS failure or a proxy's
//!   `403` / `407` is never retried (this adapter's rule: a certificate or a proxy's policy
//!   does not change by asking again); opt-in 404 retries
//!   ([`RetryPolicy::retry_not_found`]).
//! - **Network** ([`Network`]): the platform's trust store plus private CAs, proxies from
//!   the environment or given, timeouts, as the `confpart` command's flags set them.
//! - **Lists**: [`Client::list`] is an iterator over every participant, following
//!   `next_page_uri` (whose query the core decodes).
//!
//! ```no_run
//! use confpart::api::update::Update;
//! use confpart_std::client::Client;
//! use confpart_std::config::Overrides;
//!
//! let mut client = Client::from_env(&Overrides::default())?;
//! let p = client.update("CFaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "alice", &Update::mute())?;
//! assert_eq!(p.muted, Some(true));
//! for p in client.list("CFaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", confpart::api::query::ListQuery::new()) {
//!     println!("{}", p?.call_sid.unwrap_or_default());
//! }
//! # Ok::<(), confpart_std::error::Error>(())
//! ```

use std::collections::VecDeque;
use std::thread;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use confpart::api::create::Create;
use confpart::api::list::PageMeta;
use confpart::api::operation::OperationKind;
use confpart::api::path::{Dialect, Endpoint, PathStyle};
use confpart::api::query::ListQuery;
use confpart::api::retry::{Attempt, Decision, RetryPolicy};
use confpart::api::update::Update;
use confpart::client::Failure as CoreFailure;
use confpart::client::{ClientError, Credentials, Operation, Outcome, Request, ResponseMessage};
use confpart::wire::date::Timestamp;
use confpart::wire::http::{HeaderField, Progress, RequestReader};
use confpart::wire::http::{HttpError, MAX_BODY_LEN, MAX_HEAD_LEN};
use confpart::wire::ident::{AccountSid, ConferenceSid, ParticipantRef};

use crate::config::{Overrides, Service};
use crate::error::{Error, ServiceError};
use crate::proxy::ProxySettings;
use crate::retry::Rng;
use crate::transport::{Failure, FailureKind, Pool, Stage, TransportConfig, Trust};
use crate::trust::TrustSettings;

/// Bytes read from the socket at a time.
const READ_CHUNK: usize = 16 * 1024;

/// A participant resource, owned (strings unescaped; dates as the RFC 2822 text the
/// service uses). Field names are the service's. Its JSON is the core's
/// (`serde_json::to_string` of the [`confpart::api::participant::Participant`] view, as
/// [`crate::commands`] prints it), so this type has none of its own.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Participant {
    /// `account_sid`
    pub account_sid: Option<String>,
    /// `call_sid`
    pub call_sid: Option<String>,
    /// `label`
    pub label: Option<String>,
    /// `conference_sid`
    pub conference_sid: Option<String>,
    /// `date_created` (RFC 2822, GMT)
    pub date_created: Option<String>,
    /// `date_updated` (RFC 2822, GMT)
    pub date_updated: Option<String>,
    /// `end_conference_on_exit`
    pub end_conference_on_exit: Option<bool>,
    /// `muted`
    pub muted: Option<bool>,
    /// `hold`
    pub hold: Option<bool>,
    /// `status` (`queued`, `connected`, `complete`, ...; an unknown one as sent)
    pub status: Option<String>,
    /// `start_conference_on_enter`
    pub start_conference_on_enter: Option<bool>,
    /// `coaching`
    pub coaching: Option<bool>,
    /// `call_sid_to_coach`
    pub call_sid_to_coach: Option<String>,
    /// `queue_time` (a string on the wire; create only)
    pub queue_time: Option<String>,
    /// `uri`
    pub uri: Option<String>,
}

fn date(t: Option<confpart::wire::date::Timestamp>) -> Option<String> {
    t.map(|t| {
        let mut buf = [0u8; confpart::wire::date::RFC2822_LEN];
        t.write_rfc2822(&mut buf).to_owned()
    })
}

impl From<&confpart::api::participant::Participant<'_>> for Participant {
    fn from(p: &confpart::api::participant::Participant<'_>) -> Self {
        Self {
            account_sid: p.account_sid().map(|s| s.as_str().to_owned()),
            call_sid: p.call_sid().map(|s| s.as_str().to_owned()),
            label: p.label().map(|s| s.to_string()),
            conference_sid: p.conference_sid().map(|s| s.as_str().to_owned()),
            date_created: date(p.date_created()),
            date_updated: date(p.date_updated()),
            end_conference_on_exit: p.end_conference_on_exit(),
            muted: p.muted(),
            hold: p.hold(),
            status: p.status_text().map(|s| s.to_string()),
            start_conference_on_enter: p.start_conference_on_enter(),
            coaching: p.coaching(),
            call_sid_to_coach: p.call_sid_to_coach().map(|s| s.as_str().to_owned()),
            queue_time: p.queue_time().map(|s| s.to_string()),
            uri: p.uri().map(|s| s.to_string()),
        }
    }
}

/// One list page, owned (its JSON: [`PageView`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Page {
    /// `participants`
    pub participants: Vec<Participant>,
    /// `page`
    pub page: u32,
    /// `page_size`
    pub page_size: u32,
    /// `start`
    pub start: u32,
    /// `end`
    pub end: u32,
    /// `uri`
    pub uri: Option<String>,
    /// `first_page_uri`
    pub first_page_uri: Option<String>,
    /// `next_page_uri` (`None` on the last page)
    pub next_page_uri: Option<String>,
    /// `previous_page_uri`
    pub previous_page_uri: Option<String>,
}

impl Page {
    /// Decodes a page document with the core's list decoder.
    pub fn decode(doc: &[u8]) -> Result<Self, confpart::wire::json::JsonError> {
        Ok(Self::from(&PageView::decode(doc)?))
    }
}

/// A list page as the core decodes it: views into the document, serialized by the core's
/// `serde` feature (the participants first, then the page's metadata, with the service's
/// names).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PageView<'a> {
    /// `participants`
    pub participants: Vec<confpart::api::participant::Participant<'a>>,
    /// `page`, `page_size`, `start`, `end` and the page URIs.
    #[serde(flatten)]
    pub meta: PageMeta<'a>,
}

impl<'a> PageView<'a> {
    /// Decodes a page document with the core's list decoder.
    pub fn decode(doc: &'a [u8]) -> Result<Self, confpart::wire::json::JsonError> {
        let mut participants = Vec::new();
        let meta = confpart::api::list::decode_page(doc, |p| participants.push(p))?;
        Ok(Self { participants, meta })
    }
}

impl From<&PageView<'_>> for Page {
    fn from(view: &PageView<'_>) -> Self {
        let meta = &view.meta;
        let s = |v: Option<confpart::wire::json::JsonStr<'_>>| v.map(|v| v.to_string());
        Self {
            participants: view.participants.iter().map(Participant::from).collect(),
            page: meta.page,
            page_size: meta.page_size,
            start: meta.start,
            end: meta.end,
            uri: s(meta.uri),
            first_page_uri: s(meta.first_page_uri),
            next_page_uri: s(meta.next_page_uri),
            previous_page_uri: s(meta.previous_page_uri),
        }
    }
}

impl ServiceError {
    fn from_core(f: &CoreFailure<'_>) -> Self {
        Self {
            status: f.status,
            code: f.error.and_then(|e| e.code),
            message: f.error.and_then(|e| e.message).map(|m| m.to_string()),
            more_info: f.error.and_then(|e| e.more_info).map(|m| m.to_string()),
            retry_after: f.retry_after,
        }
    }
}

/// How the client reaches the service: trust, proxy, timeouts and retries, each `None` or
/// empty for the library's default (what the `confpart` command's network flags set).
///
/// ```
/// use std::time::Duration;
/// use confpart_std::client::Network;
/// use confpart_std::transport::Timeouts;
///
/// let network = Network { connect_timeout: Some(Duration::from_secs(2)), retries: Some(0), ..Network::default() };
/// assert_eq!(network.retry_policy().max_attempts, 1);
/// let config = network.transport()?;
/// assert_eq!(config.timeouts.connect, Duration::from_secs(2));
/// assert_eq!(config.timeouts.read, Timeouts::default().read);
/// # Ok::<(), confpart_std::error::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Network {
    /// CA files to trust besides the platform's store (`--ca-file`); `CONFPART_CA_FILE`
    /// is added to them.
    pub ca_files: Vec<std::path::PathBuf>,
    /// Trust only the CA files (`--only-ca-file`).
    pub only_ca_files: bool,
    /// The proxy for every request (`--proxy`), over the environment's.
    pub proxy: Option<crate::config::Secret>,
    /// TCP connect timeout per address (default [`crate::transport::Timeouts::default`]'s).
    pub connect_timeout: Option<std::time::Duration>,
    /// Read and write timeout per socket operation (default [`crate::transport::Timeouts::default`]'s).
    pub timeout: Option<std::time::Duration>,
    /// Retries after the first attempt (default: [`RetryPolicy::DEFAULT`]'s attempts
    /// less one).
    pub retries: Option<u32>,
    /// Retry 404 / 20404 on one participant (the race after a create).
    pub retry_not_found: bool,
}

impl Network {
    /// The transport these settings describe (reading `CONFPART_CA_FILE` and the proxy
    /// variables).
    pub fn transport(&self) -> Result<TransportConfig, Error> {
        let settings = TrustSettings::with_env(self.ca_files.clone(), self.only_ca_files);
        let trust = Trust::load(&settings).map_err(Error::Trust)?;
        let mut config = TransportConfig::with_trust(&trust)
            .map_err(|e| Error::input(format_args!("TLS configuration: {e}")))?;
        config.proxy =
            ProxySettings::from_env(self.proxy.as_ref().map(crate::config::Secret::expose))
                .map_err(Error::Proxy)?;
        if let Some(t) = self.connect_timeout {
            config.timeouts.connect = t;
        }
        if let Some(t) = self.timeout {
            config.timeouts.read = t;
            config.timeouts.write = t;
        }
        Ok(config)
    }

    /// The retry policy these settings describe.
    pub fn retry_policy(&self) -> RetryPolicy {
        let mut policy = RetryPolicy::default();
        if let Some(n) = self.retries {
            policy.max_attempts = n.saturating_add(1);
        }
        policy.retry_not_found = self.retry_not_found;
        policy
    }
}

/// What one request did on the wire (for the demo's printout): the request line, the form
/// body, the final status. Never the headers (they hold the credentials).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Exchange {
    /// `POST /2010-04-01/... HTTP/1.1`
    pub request_line: String,
    /// The form body (empty for GET and DELETE).
    pub body: String,
    /// The status of the last attempt's answer (0 when none came).
    pub status: u16,
    /// Attempts made (1 without retries).
    pub attempts: u32,
}

/// The blocking client of one service (see the module docs). `Debug` shows the service
/// (its secret as `***`) and the policy, not the buffers.
pub struct Client {
    service: Service,
    host: String,
    style: PathStyle,
    pool: Pool,
    policy: RetryPolicy,
    rng: Rng,
    headers: Vec<(String, String)>,
    rx: Vec<u8>,
    last: Exchange,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("service", &self.service)
            .field("style", &self.style)
            .field("policy", &self.policy)
            .field("headers", &self.headers)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A client for `service` with the default transport (the platform's trust store,
    /// default timeouts, no proxy).
    pub fn new(service: Service) -> Result<Self, Error> {
        let config = TransportConfig::new()
            .map_err(|e| Error::input(format_args!("TLS configuration: {e}")))?;
        Ok(Self::with_transport(service, config))
    }

    /// The service described by the environment and the overrides (see [`crate::config`]),
    /// reached as the environment says: `CONFPART_CA_FILE`, the proxy variables.
    pub fn from_env(overrides: &Overrides) -> Result<Self, Error> {
        Self::with_network(Service::from_env(overrides)?, &Network::default())
    }

    /// A client for `service` reached as `network` says (the environment's CA file and
    /// proxies included), with its retry settings.
    pub fn with_network(service: Service, network: &Network) -> Result<Self, Error> {
        let mut client = Self::with_transport(service, network.transport()?);
        client.set_retry_policy(network.retry_policy());
        Ok(client)
    }

    /// A client for `service` over connections made as `config` says.
    pub fn with_transport(service: Service, config: TransportConfig) -> Self {
        let host = service.base.host_header();
        let pool = Pool::new(service.base.clone(), config);
        Self {
            style: service.dialect.style(),
            service,
            host,
            pool,
            policy: RetryPolicy::default(),
            rng: Rng::new(),
            headers: Vec::new(),
            rx: vec![0u8; MAX_HEAD_LEN + MAX_BODY_LEN],
            last: Exchange::default(),
        }
    }

    /// Replaces the retry policy.
    pub fn set_retry_policy(&mut self, policy: RetryPolicy) {
        self.policy = policy;
    }

    /// The retry policy.
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.policy
    }

    /// Uses SignalWire's documented LaML path prefix (`/api/laml/2010-04-01`); `false`
    /// goes back to the dialect's own paths (`/2010-04-01`, Telnyx's `/v2/texml`).
    pub fn set_laml_paths(&mut self, laml: bool) {
        self.style = if laml {
            PathStyle::Laml
        } else {
            self.service.dialect.style()
        };
    }

    /// Extra header fields sent with every request (e.g. `Prefer: example=...` for a mock);
    /// the core checks them when it writes the request.
    pub fn set_headers(&mut self, headers: Vec<(String, String)>) {
        self.headers = headers;
    }

    /// The service this client talks to.
    pub fn service(&self) -> &Service {
        &self.service
    }

    /// What the last request did on the wire.
    pub fn last_exchange(&self) -> &Exchange {
        &self.last
    }

    /// Updates a participant (`participant`: a call SID or a label).
    pub fn update(
        &mut self,
        conference: &str,
        participant: &str,
        update: &Update<'_>,
    ) -> Result<Participant, Error> {
        let who = ParticipantRef::parse(participant)?;
        self.participant_call(conference, Operation::update(&who, *update))
    }

    /// Fetches a participant.
    pub fn fetch(&mut self, conference: &str, participant: &str) -> Result<Participant, Error> {
        let who = ParticipantRef::parse(participant)?;
        self.participant_call(conference, Operation::fetch(&who))
    }

    /// Removes a participant from its conference.
    pub fn delete(&mut self, conference: &str, participant: &str) -> Result<(), Error> {
        let who = ParticipantRef::parse(participant)?;
        self.call(
            conference,
            Operation::delete(&who),
            |outcome| match outcome {
                Outcome::Deleted => Ok(()),
                other => Err(unexpected(&other)),
            },
        )
    }

    /// Adds a participant (dials out).
    pub fn create(&mut self, conference: &str, create: &Create<'_>) -> Result<Participant, Error> {
        self.participant_call(conference, Operation::create((*create).into()))
    }

    /// One list page.
    pub fn list_page(&mut self, conference: &str, query: &ListQuery<'_>) -> Result<Page, Error> {
        self.with_page(conference, query, |page| Page::from(page))
    }

    /// One list page, handed to `f` as the core's views into the receive buffer.
    pub fn with_page<T>(
        &mut self,
        conference: &str,
        query: &ListQuery<'_>,
        mut f: impl FnMut(&PageView<'_>) -> T,
    ) -> Result<T, Error> {
        self.call(
            conference,
            Operation::list(*query),
            |outcome| match outcome {
                Outcome::Page(doc) => PageView::decode(doc)
                    .map(|page| f(&page))
                    .map_err(page_error),
                other => Err(unexpected(&other)),
            },
        )
    }

    /// Every participant matching `query`, page after page (following `next_page_uri`).
    pub fn list<'c>(&'c mut self, conference: &str, query: ListQuery<'_>) -> ListIter<'c> {
        ListIter {
            pages: self.pages(conference, query),
            buffered: VecDeque::new(),
        }
    }

    /// Every page document matching `query` (the bytes of each 200 answer, checked by the
    /// core's list decoder), following `next_page_uri`; [`PageView::decode`] reads one.
    pub fn pages<'c>(&'c mut self, conference: &str, query: ListQuery<'_>) -> Pages<'c> {
        Pages {
            client: self,
            conference: conference.to_owned(),
            next: Some(OwnedQuery::from(&query)),
        }
    }

    fn participant_call(
        &mut self,
        conference: &str,
        operation: Operation<'_>,
    ) -> Result<Participant, Error> {
        self.with_participant(conference, operation, |p| Participant::from(p))
    }

    /// Sends `operation` (an update, fetch or create) and hands the participant of the
    /// answer to `f` as the core's view into the receive buffer (e.g. to serialize it with
    /// the core's `serde` feature without an owned copy).
    pub fn with_participant<T>(
        &mut self,
        conference: &str,
        operation: Operation<'_>,
        mut f: impl FnMut(&confpart::api::participant::Participant<'_>) -> T,
    ) -> Result<T, Error> {
        self.call(conference, operation, |outcome| match outcome {
            Outcome::Participant(p) | Outcome::Created(p) => Ok(f(&p)),
            other => Err(unexpected(&other)),
        })
    }

    /// The exact request bytes for `operation` (what [`Client::call`] sends),
    /// `Authorization` included: the caller must not log them.
    pub fn encode(&self, conference: &str, operation: Operation<'_>) -> Result<Vec<u8>, Error> {
        let account = AccountSid::parse(&self.service.account)?;
        let conference = ConferenceSid::parse(conference)?;
        let dialect = self.service.dialect;
        let endpoint = Endpoint::custom(dialect, &self.host, self.style)
            .map_err(|e| Error::Request(e.into()))?;
        let credentials = match dialect {
            Dialect::Telnyx => Credentials::bearer(self.service.password.expose()),
            Dialect::Twilio | Dialect::SignalWire => {
                Credentials::new(&self.service.username, self.service.password.expose())
            }
        }
        .map_err(Error::Request)?;
        let headers: Vec<HeaderField<'_>> = self
            .headers
            .iter()
            .map(|(n, v)| HeaderField::new(n, v))
            .collect();
        let request = Request::new(endpoint, credentials, account, conference, operation)
            .with_headers(&headers);
        let len = request.encoded_len().map_err(Error::Request)?;
        let mut tx = vec![0u8; len];
        let n = request.encode_to_slice(&mut tx).map_err(Error::Request)?;
        tx.truncate(n);
        Ok(tx)
    }

    /// Sends `operation` (with retries) and hands the core's reading of the answer to `ok`;
    /// an error status is [`Error::Service`].
    pub fn call<T>(
        &mut self,
        conference: &str,
        operation: Operation<'_>,
        mut ok: impl FnMut(Outcome<'_>) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let tx = self.encode(conference, operation)?;
        let kind = operation.kind();
        let (request_line, body) = split_request(&tx);
        self.last = Exchange {
            request_line,
            body,
            status: 0,
            attempts: 0,
        };
        let started = Instant::now();
        loop {
            self.last.attempts += 1;
            let result = exchange(
                &mut self.pool,
                &mut self.rx,
                kind,
                &tx,
                &mut self.last,
                &mut ok,
            );
            let attempt = match &result {
                Ok(_) => return result,
                Err(Error::Service(s)) => Attempt::Status {
                    status: s.status,
                    code: s.code,
                    retry_after: s.retry_after,
                },
                // A certificate, a protocol refusal or a proxy's policy does not change by
                // asking again.
                Err(Error::Transport(f)) if f.is_permanent() => return result,
                Err(Error::Transport(f)) => Attempt::Transport {
                    possibly_applied: f.possibly_applied(),
                },
                Err(_) => return result,
            };
            match self.policy.decide(
                kind,
                self.last.attempts,
                started.elapsed(),
                now(),
                &attempt,
                &mut self.rng,
            ) {
                Decision::Retry { after } => thread::sleep(after),
                Decision::Stop(_) => return result,
            }
        }
    }
}

/// The wall clock as the core's time (for `Retry-After` dates); `None` before 1970 or past
/// what the core represents.
fn now() -> Option<Timestamp> {
    let secs = SystemTime::now().duration_since(UNIX_EPOCH).ok()?.as_secs();
    Timestamp::from_unix(secs)
}

/// A 200 list answer whose page does not decode.
fn page_error(error: confpart::wire::json::JsonError) -> Error {
    Error::Response(ClientError::Body { status: 200, error })
}

fn unexpected(outcome: &Outcome<'_>) -> Error {
    let (status, operation) = match outcome {
        Outcome::Participant(_) | Outcome::Page(_) => (200, OperationKind::Fetch),
        Outcome::Created(_) => (201, OperationKind::Create),
        Outcome::Deleted => (204, OperationKind::Delete),
        Outcome::Failure(f) => (f.status, OperationKind::Fetch),
    };
    Error::Response(ClientError::UnexpectedStatus { status, operation })
}

/// The request line and the body of request bytes the core wrote (for [`Exchange`]), the
/// body as the core's reader frames it.
fn split_request(tx: &[u8]) -> (String, String) {
    let line_end = tx.windows(2).position(|w| w == b"\r\n").unwrap_or(tx.len());
    let mut buf = vec![0u8; tx.len()];
    let mut reader = RequestReader::new(&mut buf);
    let body = match reader.feed(tx) {
        Ok(Progress::Complete(m)) => String::from_utf8_lossy(m.body()).into_owned(),
        _ => String::new(),
    };
    (
        String::from_utf8_lossy(tx.get(..line_end).unwrap_or_default()).into_owned(),
        body,
    )
}

/// One attempt: send, read the answer with the core's reader, keep the connection when the
/// answer allows it, interpret.
fn exchange<T>(
    pool: &mut Pool,
    rx: &mut [u8],
    kind: OperationKind,
    tx: &[u8],
    last: &mut Exchange,
    ok: &mut impl FnMut(Outcome<'_>) -> Result<T, Error>,
) -> Result<T, Error> {
    let mut conn = pool.take()?;
    conn.send(tx)?;
    let mut reader = confpart::client::ResponseReader::new(rx, kind);
    let mut chunk = vec![0u8; READ_CHUNK];
    let mut reusable = true;
    let mut eof = false;
    loop {
        let n = conn.read_some(&mut chunk)?;
        if n == 0 {
            eof = true;
            break;
        }
        match reader.feed(chunk.get(..n).unwrap_or_default()) {
            Ok(Progress::Partial) => {}
            Ok(Progress::Complete(m)) => {
                // Bytes past the answer: the connection is out of step, do not reuse it.
                reusable = m.consumed() == n && m.keep_alive();
                break;
            }
            Err(e) => return Err(Error::Response(e.into())),
        }
    }
    // The connection ended before a whole answer: the request may have been applied.
    let closed = Error::Transport(Failure {
        stage: Stage::Read,
        kind: FailureKind::Closed,
        reused: conn.reused(),
        request_bytes_written: tx.len(),
        proxy: None,
    });
    let message: ResponseMessage<'_> = if eof {
        match reader.finish() {
            Ok(m) => m,
            Err(HttpError::EofInHead { .. } | HttpError::EofInBody { .. }) => return Err(closed),
            Err(e) => return Err(Error::Response(e.into())),
        }
    } else {
        match reader.message() {
            Some(m) => m,
            None => return Err(closed),
        }
    };
    last.status = message.status();
    if !eof && reusable {
        pool.put_back(conn);
    }
    match message.outcome().map_err(Error::Response)? {
        Outcome::Failure(f) => Err(Error::Service(ServiceError::from_core(&f))),
        outcome => ok(outcome),
    }
}

/// A list query with owned strings (the iterator outlives the caller's query).
#[derive(Debug, Clone, Default)]
struct OwnedQuery {
    muted: Option<bool>,
    hold: Option<bool>,
    coaching: Option<bool>,
    page_size: Option<u16>,
    page: Option<u32>,
    page_token: Option<String>,
}

impl From<&ListQuery<'_>> for OwnedQuery {
    fn from(q: &ListQuery<'_>) -> Self {
        Self {
            muted: q.muted,
            hold: q.hold,
            coaching: q.coaching,
            page_size: q.page_size,
            page: q.page,
            page_token: q.page_token.map(str::to_owned),
        }
    }
}

impl OwnedQuery {
    fn as_query(&self) -> ListQuery<'_> {
        ListQuery {
            muted: self.muted,
            hold: self.hold,
            coaching: self.coaching,
            page_size: self.page_size,
            page: self.page,
            page_token: self.page_token.as_deref(),
        }
    }

    /// The query of a `next_page_uri`, read by the core ([`ListQuery::from_page_uri`]).
    fn from_uri(uri: &str) -> Result<Self, Error> {
        let mut scratch = vec![0u8; uri.len()];
        let q = ListQuery::from_page_uri(uri.as_bytes(), &mut scratch)
            .map_err(|e| Error::Response(e.into()))?;
        Ok(Self::from(&q))
    }
}

/// Every page document of a list, page after page: see [`Client::pages`].
#[derive(Debug)]
pub struct Pages<'c> {
    client: &'c mut Client,
    conference: String,
    next: Option<OwnedQuery>,
}

impl Iterator for Pages<'_> {
    type Item = Result<Vec<u8>, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        let query = self.next.take()?;
        let page = self.client.call(
            &self.conference,
            Operation::list(query.as_query()),
            |outcome| match outcome {
                Outcome::Page(doc) => {
                    let page = PageView::decode(doc).map_err(page_error)?;
                    let next = page
                        .meta
                        .next_page_uri
                        .map(|uri| OwnedQuery::from_uri(&uri.to_string()))
                        .transpose()?;
                    Ok((doc.to_vec(), next))
                }
                other => Err(unexpected(&other)),
            },
        );
        Some(page.map(|(doc, next)| {
            self.next = next;
            doc
        }))
    }
}

/// Every participant of a list, page after page: see [`Client::list`].
#[derive(Debug)]
pub struct ListIter<'c> {
    pages: Pages<'c>,
    buffered: VecDeque<Participant>,
}

impl Iterator for ListIter<'_> {
    type Item = Result<Participant, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(p) = self.buffered.pop_front() {
                return Some(Ok(p));
            }
            let page = self
                .pages
                .next()?
                .and_then(|doc| Page::decode(&doc).map_err(page_error));
            match page {
                Ok(page) => self.buffered.extend(page.participants),
                Err(e) => return Some(Err(e)),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::panic
    )]
    use super::*;
    use crate::config::{BaseUrl, Scheme, Secret};
    use std::io::{Read, Write};
    use std::net::{TcpListener, TcpStream};
    use std::sync::mpsc;
    use std::time::Duration;

    const AC: &str = "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    const CF: &str = "CFaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    const CA: &str = "CAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

    /// What the scripted server does with one request.
    enum Reply {
        Send(&'static str),
        Close,
    }

    fn participant_response(muted: bool) -> String {
        let body = format!(r#"{{"call_sid": "{CA}", "label": "al\u0069ce", "muted": {muted}}}"#);
        format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        )
    }

    fn read_request(s: &mut TcpStream) -> Option<String> {
        let mut got = Vec::new();
        let mut buf = [0u8; 4096];
        loop {
            if let Some(end) = got.windows(4).position(|w| w == b"\r\n\r\n") {
                let head = String::from_utf8_lossy(&got[..end]).to_string();
                let len = head
                    .lines()
                    .find_map(|l| l.strip_prefix("Content-Length: "))
                    .map_or(0, |v| v.parse::<usize>().unwrap());
                if got.len() >= end + 4 + len {
                    return Some(String::from_utf8_lossy(&got).into_owned());
                }
            }
            let n = s.read(&mut buf).ok()?;
            if n == 0 {
                return None;
            }
            got.extend_from_slice(&buf[..n]);
        }
    }

    /// Serves `script` in order (one connection after another as needed); reports each
    /// request and whether it came on a new connection.
    fn scripted(script: Vec<Reply>) -> (u16, mpsc::Receiver<(String, bool)>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut script = script.into_iter();
            'conns: loop {
                let Ok((mut s, _)) = listener.accept() else {
                    return;
                };
                s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
                let mut fresh = true;
                loop {
                    let Some(req) = read_request(&mut s) else {
                        continue 'conns;
                    };
                    let _ = tx.send((req, fresh));
                    fresh = false;
                    match script.next() {
                        Some(Reply::Send(r)) => s.write_all(r.as_bytes()).unwrap(),
                        Some(Reply::Close) => continue 'conns,
                        None => return,
                    }
                }
            }
        });
        (port, rx)
    }

    fn client(port: u16) -> Client {
        let service = Service {
            dialect: confpart::api::path::Dialect::Twilio,
            base: BaseUrl {
                scheme: Scheme::Http,
                host: "127.0.0.1".into(),
                port,
            },
            account: AC.into(),
            username: AC.into(),
            password: Secret::new("token"),
        };
        let mut c = Client::with_transport(service, TransportConfig::new().unwrap());
        c.set_retry_policy(RetryPolicy {
            base: Duration::from_millis(1),
            ..RetryPolicy::default()
        });
        c
    }

    fn leak(s: String) -> &'static str {
        Box::leak(s.into_boxed_str())
    }

    #[test]
    fn update_reuses_the_connection_and_unescapes() {
        let ok = leak(participant_response(true));
        let (port, rx) = scripted(vec![Reply::Send(ok), Reply::Send(ok)]);
        let mut c = client(port);
        let p = c.update(CF, "alice", &Update::mute()).unwrap();
        assert_eq!(p.muted, Some(true));
        assert_eq!(p.label.as_deref(), Some("alice"));
        let (req, fresh) = rx.recv().unwrap();
        assert!(fresh);
        assert!(req.starts_with(&format!(
            "POST /2010-04-01/Accounts/{AC}/Conferences/{CF}/Participants/alice.json HTTP/1.1\r\n"
        )));
        assert!(req.ends_with("\r\n\r\nMuted=true"));
        assert_eq!(c.last_exchange().body, "Muted=true");
        assert_eq!(c.last_exchange().status, 200);
        c.fetch(CF, CA).unwrap();
        let (req, fresh) = rx.recv().unwrap();
        assert!(!fresh, "keep-alive reused");
        assert!(req.starts_with("GET "));
    }

    #[test]
    fn busy_is_retried_after_retry_after() {
        let busy = "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 0\r\nContent-Type: application/json\r\nContent-Length: 47\r\n\r\n{\"code\": 20429, \"message\": \"slow\", \"status\": 429}";
        let busy = leak(busy.replace("47", &(busy.len() - busy.find("{").unwrap()).to_string()));
        let (port, _rx) = scripted(vec![
            Reply::Send(busy),
            Reply::Send(leak(participant_response(false))),
        ]);
        let mut c = client(port);
        let p = c.update(CF, CA, &Update::unmute()).unwrap();
        assert_eq!(p.muted, Some(false));
        assert_eq!(c.last_exchange().attempts, 2);
    }

    #[test]
    fn refusal_is_a_service_error_with_exit_1() {
        let body = r#"{"code": 20404, "message": "Not found", "more_info": "https://www.twilio.com/docs/errors/20404", "status": 404}"#;
        let r = leak(format!(
            "HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        ));
        let (port, _rx) = scripted(vec![Reply::Send(r)]);
        let mut c = client(port);
        let e = c.delete(CF, CA).unwrap_err();
        let s = e.service().unwrap();
        assert_eq!((s.status, s.code), (404, Some(20404)));
        assert_eq!(s.message.as_deref(), Some("Not found"));
        assert_eq!(e.exit_code(), 1);
        assert_eq!(c.last_exchange().attempts, 1);
    }

    #[test]
    fn broken_connection_resends_update_but_not_create() {
        let (port, rx) = scripted(vec![
            Reply::Close,
            Reply::Send(leak(participant_response(true))),
        ]);
        let mut c = client(port);
        c.update(CF, CA, &Update::mute()).unwrap();
        assert_eq!(c.last_exchange().attempts, 2);
        drop(rx);
        let (port, _rx) = scripted(vec![
            Reply::Close,
            Reply::Send(leak(participant_response(true))),
        ]);
        let mut c = client(port);
        let e = c
            .create(CF, &Create::new("+15550001111", "+15550002222"))
            .unwrap_err();
        assert!(matches!(e, Error::Transport(_)), "{e:?}");
        assert_eq!(e.exit_code(), 3);
        assert_eq!(c.last_exchange().attempts, 1);
    }

    #[test]
    fn list_follows_next_page_uri() {
        let page = |n: u32, next: &str| {
            let body = format!(
                r#"{{"participants": [{{"call_sid": "CA{n:032x}"}}], "page": {n}, "page_size": 1, "start": {n}, "end": {n}, "next_page_uri": {next}}}"#
            );
            leak(format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
                body.len()
            ))
        };
        let next = format!(
            "\"/2010-04-01/Accounts/{AC}/Conferences/{CF}/Participants.json?Muted=true&PageSize=1&Page=1&PageToken=PA1\""
        );
        let (port, rx) = scripted(vec![
            Reply::Send(page(0, &next)),
            Reply::Send(page(1, "null")),
        ]);
        let mut c = client(port);
        let q = ListQuery {
            muted: Some(true),
            page_size: Some(1),
            ..ListQuery::new()
        };
        let all: Vec<_> = c
            .list(CF, q)
            .map(|p| p.unwrap().call_sid.unwrap())
            .collect();
        assert_eq!(all, [format!("CA{:032x}", 0), format!("CA{:032x}", 1)]);
        let _ = rx.recv().unwrap();
        let (second, _) = rx.recv().unwrap();
        assert!(
            second.starts_with(&format!("GET /2010-04-01/Accounts/{AC}/Conferences/{CF}/Participants.json?Muted=true&PageSize=1&Page=1&PageToken=PA1 ")),
            "{second}"
        );
    }

    #[test]
    fn encode_is_what_is_sent_and_create_is_validated() {
        let c = client(1);
        assert!(!format!("{c:?}").contains("token"), "{c:?}");
        let who = ParticipantRef::parse("front desk").unwrap();
        let tx = c
            .encode(CF, Operation::update(&who, Update::mute()))
            .unwrap();
        let text = String::from_utf8(tx).unwrap();
        assert!(
            text.contains("/Participants/front%20desk.json HTTP/1.1\r\n"),
            "{text}"
        );
        assert!(text.contains("\r\nAuthorization: Basic "));
        let e = c
            .encode(CF, Operation::create(Create::new("", "x").into()))
            .unwrap_err();
        assert_eq!(e.exit_code(), 1);
        assert!(matches!(
            c.encode("nope", Operation::fetch(&who)),
            Err(Error::Input(_))
        ));
    }

    const TX_ACCOUNT: &str = "61bf923e-5e4d-4595-a110-56190ea18a1b";
    const TX_CONFERENCE: &str = "6dc6cc1a-1ba1-4351-86b8-4c22c95cd98f";
    const TX_CALL: &str = "v3:9X2vxPDFOr0qjPUjm2avpRlexwBDHbBk3wAhMM2qDqpDRtbpxtvT-aiQ";
    const TX_KEY: &str = "KEY0184F1C3A2B64C2E9F0B8E_secret";

    fn telnyx_client(port: u16) -> Client {
        let service = Service {
            dialect: confpart::api::path::Dialect::Telnyx,
            base: BaseUrl {
                scheme: Scheme::Http,
                host: "127.0.0.1".into(),
                port,
            },
            account: TX_ACCOUNT.into(),
            username: String::new(),
            password: Secret::new(TX_KEY),
        };
        let mut c = Client::with_transport(service, TransportConfig::new().unwrap());
        c.set_retry_policy(RetryPolicy {
            base: Duration::from_millis(1),
            ..RetryPolicy::default()
        });
        c
    }

    /// An answer as Telnyx's API sends one.
    fn telnyx_answer(status: &str, body: &str) -> &'static str {
        leak(format!(
            "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        ))
    }

    #[test]
    fn telnyx_requests_answers_and_paging() {
        let participant = include_str!("../../../tests/fixtures/telnyx-participant.json");
        let not_found = include_str!("../../../tests/fixtures/telnyx-error-10005.json");
        let page = |n: u32, next: &str| {
            format!(
                r#"{{"participants": [{{"account_sid": "{TX_ACCOUNT}", "call_sid": "v3:call{n}", "conference_sid": "{TX_CONFERENCE}", "muted": false, "hold": false, "status": "connected"}}], "page": {n}, "page_size": 1, "start": {n}, "end": {n}, "uri": "/v2/texml/x", "first_page_uri": "/v2/texml/x?Page=0&PageSize=1", "next_page_uri": {next}}}"#
            )
        };
        let next = format!(
            "\"/v2/texml/Accounts/{TX_ACCOUNT}/Conferences/{TX_CONFERENCE}/Participants.json?Page=1&PageSize=1&PageToken=MTY4ODY0\""
        );
        let (port, rx) = scripted(vec![
            Reply::Send(telnyx_answer("200 OK", participant)),
            Reply::Send(telnyx_answer("404 Not Found", not_found)),
            Reply::Send(telnyx_answer("200 OK", &page(0, &next))),
            Reply::Send(telnyx_answer("200 OK", &page(1, "null"))),
            Reply::Send("HTTP/1.1 204 No Content\r\n\r\n"),
        ]);
        let mut c = telnyx_client(port);
        // Update: Bearer key, /v2/texml, no .json, the call id's colon as is, form body.
        let p = c.update(TX_CONFERENCE, TX_CALL, &Update::mute()).unwrap();
        assert_eq!(p.muted, Some(true));
        assert_eq!(p.call_sid.as_deref(), Some(TX_CALL));
        let (req, _) = rx.recv().unwrap();
        assert!(
            req.starts_with(&format!(
                "POST /v2/texml/Accounts/{TX_ACCOUNT}/Conferences/{TX_CONFERENCE}/Participants/{TX_CALL} HTTP/1.1\r\n"
            )),
            "{req}"
        );
        assert!(
            req.contains(&format!("\r\nAuthorization: Bearer {TX_KEY}\r\n")),
            "{req}"
        );
        assert!(req.ends_with("\r\n\r\nMuted=true"), "{req}");
        // A refusal: Telnyx's string code is the error's code.
        let e = c.fetch(TX_CONFERENCE, TX_CALL).unwrap_err();
        let s = e.service().unwrap();
        assert_eq!((s.status, s.code), (404, Some(10005)));
        assert_eq!(e.exit_code(), 1);
        let _ = rx.recv().unwrap();
        // A list follows next_page_uri's Page, PageSize and PageToken.
        let all: Vec<_> = c
            .list(TX_CONFERENCE, ListQuery::new())
            .map(|p| p.unwrap().call_sid.unwrap())
            .collect();
        assert_eq!(all, ["v3:call0", "v3:call1"]);
        let (first, _) = rx.recv().unwrap();
        assert!(
            first.starts_with(&format!(
                "GET /v2/texml/Accounts/{TX_ACCOUNT}/Conferences/{TX_CONFERENCE}/Participants HTTP/1.1\r\n"
            )),
            "{first}"
        );
        let (second, _) = rx.recv().unwrap();
        assert!(
            second.starts_with(&format!(
                "GET /v2/texml/Accounts/{TX_ACCOUNT}/Conferences/{TX_CONFERENCE}/Participants?PageSize=1&Page=1&PageToken=MTY4ODY0 HTTP/1.1\r\n"
            )),
            "{second}"
        );
        c.delete(TX_CONFERENCE, TX_CALL).unwrap();
        let (req, _) = rx.recv().unwrap();
        assert!(req.starts_with("DELETE /v2/texml/"), "{req}");
        // Nothing of the key in the client's Debug.
        assert!(!format!("{c:?}").contains("secret"), "{c:?}");
    }

    #[test]
    fn telnyx_refusals_before_sending() {
        let c = telnyx_client(1);
        let who = ParticipantRef::parse(TX_CALL).unwrap();
        let wait = Update::new()
            .wait_url("")
            .wait_method(confpart::api::fields::Method::Get);
        let e = c
            .encode(TX_CONFERENCE, Operation::update(&who, wait))
            .unwrap_err();
        assert_eq!(e.exit_code(), 1);
        assert!(e.to_string().contains("WaitMethod"), "{e}");
        let muted = ListQuery {
            muted: Some(true),
            ..ListQuery::new()
        };
        let e = c.encode(TX_CONFERENCE, Operation::list(muted)).unwrap_err();
        assert!(e.to_string().contains("Muted"), "{e}");
    }
}
