//! The bridge: the core's [`confpart::bridge::Service`] behind [`crate::server`].
//!
//! Each connection's [`Session`] feeds its unconsumed input to a core `RequestReader`
//! (afresh each time: the server keeps the bytes until a request is complete, so no
//! reader state outlives a call); a complete request goes to `Service::handle`, which
//! routes, authenticates, decodes, applies and writes the whole response; bytes the reader
//! rejects are answered by `Service::reject` and the connection is closed.
//! `Expect: 100-continue` is answered with `bridge::write_continue` as soon as the reader
//! says the head asked for it. A background thread ticks the service once every
//! [`TICK_INTERVAL`] (the lifecycle: queued → connecting → ringing → connected) and logs
//! the notices its ticks produce.
//!
//! Conference status callbacks ([`Bridge::deliver_callbacks`], on in `confpart serve`):
//! after each handled request and each tick, still under the service's lock, the notices
//! are drained ([`delivery::drain_into`]) and each subscribed one is signed and queued on
//! the [`Deliverer`], which never blocks; its workers send them. An answer never waits
//! for a callback; a full queue drops it (counted, [`Bridge::callback_stats`], and
//! logged).
//!
//! During shutdown a request in flight is answered as the service writes it (its
//! `Connection` header follows the request) and the connection is closed after it.
//!
//! The service sits behind one mutex: a request is read (parsed and framed by the core's
//! `RequestReader`) before it is taken, and holds it only while the core applies the
//! request and writes its answer into memory (microseconds), never while bytes move.
//! The request buffer is the server worker thread's, lent for one call (`BUFFERS`).

use std::cell::RefCell;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread;
use std::time::Duration;

use confpart::api::codes;
use confpart::api::create::Create;
use confpart::bridge;
use confpart::bridge::{Account, ApiAnswer, Limits};
use confpart::bridge::{ConferenceRef, IdSource, Timing};
use confpart::wire::date::Timestamp;
use confpart::wire::http::MAX_HEAD_LEN;
use confpart::wire::http::{Connection, Progress, RequestReader};
use confpart::wire::ident::IdError;
use confpart::wire::ident::{AccountSid, CallSid, ConferenceSid};
use confpart::wire::sink::{Sink, WriteError};

use crate::config::{Dialect, Secret};
use crate::delivery::{self, Deliverer, DeliveryConfig, DeliveryStats};
use crate::error::Error;
use crate::server::{
    self, Abort, Handler, LogSink, RequestLog, Server, ServerOptions, ServerStats, Session,
    ShutdownHandle, Step,
};
use crate::store::HeapService;

/// Live participants per conference by default (Twilio's limit).
pub const DEFAULT_MAX_PARTICIPANTS_PER_CONFERENCE: usize = Limits::TWILIO.per_conference;
/// Live participants in all conferences together by default.
pub const DEFAULT_MAX_PARTICIPANTS: usize = Limits::TWILIO.participants;
/// The bridge's service type: any number of conferences, memory that grows with the live
/// participants ([`crate::store`]); the caps are [`BridgeConfig::limits`].
pub type BridgeService = HeapService<'static>;
/// The largest request body read (an update or create form is a few hundred bytes).
pub const MAX_REQUEST_BODY: usize = 64 * 1024;
/// How often the background thread ticks the service.
pub const TICK_INTERVAL: Duration = Duration::from_millis(200);
/// How long callbacks queued or in flight at shutdown are given (no retry after it began).
pub const CALLBACK_SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// The current time as the core's timestamp.
pub fn now() -> Timestamp {
    Timestamp::from_unix(crate::unix_now()).unwrap_or(LATEST)
}

/// The last time the core can represent (a clock past it reads as it).
const LATEST: Timestamp = match Timestamp::from_unix(Timestamp::MAX_UNIX) {
    Some(t) => t,
    None => unreachable!(),
};

/// Random SIDs in the dialect's form (`CA`/`CF` + 32 hex digits, UUIDs for SignalWire, a
/// UUID conference and a `v3:` call-control call id for Telnyx):
/// 128 bits from [`fastrand`] (seeded at random), written by the core
/// (`CallSid::from_bits`). Unique enough for a bridge, not secret.
#[derive(Debug, Clone)]
pub struct RandomIds(fastrand::Rng);

impl RandomIds {
    /// A generator seeded at random.
    pub fn new() -> Self {
        Self(fastrand::Rng::new())
    }
}

impl Default for RandomIds {
    fn default() -> Self {
        Self::new()
    }
}

impl IdSource for RandomIds {
    fn call_sid(&mut self, dialect: Dialect) -> Result<CallSid, IdError> {
        Ok(CallSid::from_bits(self.0.u128(..), dialect.call_sid_form()))
    }

    fn conference_sid(&mut self, dialect: Dialect) -> Result<ConferenceSid, IdError> {
        Ok(ConferenceSid::from_bits(
            self.0.u128(..),
            dialect.sid_form(),
        ))
    }
}

/// A [`Sink`] appending to a `Vec`.
#[derive(Debug)]
pub struct VecSink<'v>(pub &'v mut Vec<u8>);

impl Sink for VecSink<'_> {
    fn put(&mut self, bytes: &[u8]) -> Result<(), WriteError> {
        self.0.extend_from_slice(bytes);
        Ok(())
    }
}

/// What a bridge answers as, whom it accepts, and how many participants it holds.
#[derive(Debug, Clone)]
pub struct BridgeConfig {
    /// Twilio, SignalWire or Telnyx answers.
    pub dialect: Dialect,
    /// Lifecycle delays.
    pub timing: Timing,
    /// `(account SID, auth token)` pairs.
    pub accounts: Vec<(String, Secret)>,
    /// Live participants per conference and in the whole bridge; a create past either is
    /// answered 429 / 20429 (`Limits::TWILIO` by default: 250 and 100 000).
    pub limits: Limits,
}

struct Shared {
    service: Mutex<Box<BridgeService>>,
    ids: Mutex<RandomIds>,
    /// Requests that reached the service, counted under its lock ([`RequestLog::seq`]).
    handled: AtomicU64,
    /// Taken inside the service's lock (never the other way round) when draining, so
    /// uncontended on the request path; alone for the counts and at start and finish.
    callbacks: Mutex<Callbacks>,
}

/// The callback deliverer, when on, and the one buffer callback forms are written into.
#[derive(Default)]
struct Callbacks {
    deliverer: Option<Deliverer>,
    form: Vec<u8>,
}

impl Shared {
    fn service(&self) -> MutexGuard<'_, Box<BridgeService>> {
        // A worker that panicked mid-request cannot leave the core inconsistent (the core's
        // operations change nothing when they refuse): keep serving.
        self.service
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// The bridge's [`Handler`]: cheap to clone, shared by every worker and the tick thread.
#[derive(Clone)]
pub struct Bridge {
    shared: Arc<Shared>,
    dialect: confpart::api::path::Dialect,
}

impl std::fmt::Debug for Bridge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Bridge")
            .field("dialect", &self.dialect)
            .finish_non_exhaustive()
    }
}

impl Bridge {
    /// A bridge for `config`. The accounts live as long as the process (the core's service
    /// borrows them; a bridge is made once per process, so they are leaked on purpose).
    pub fn new(config: &BridgeConfig) -> Result<Self, Error> {
        let mut accounts = Vec::with_capacity(config.accounts.len());
        for (sid, token) in &config.accounts {
            let sid = AccountSid::parse(sid)
                .map_err(|e| Error::input(format_args!("--account {sid}: {e}")))?;
            let token: &'static str = Box::leak(token.expose().to_owned().into_boxed_str());
            accounts.push(Account::new(sid, token));
        }
        let accounts: &'static [Account<'static>] = Box::leak(accounts.into_boxed_slice());
        let dialect = config.dialect;
        let service = Box::new(BridgeService::with_limits(
            dialect,
            config.timing,
            accounts,
            config.limits,
        ));
        Ok(Self {
            shared: Arc::new(Shared {
                service: Mutex::new(service),
                ids: Mutex::new(RandomIds::new()),
                handled: AtomicU64::new(0),
                callbacks: Mutex::new(Callbacks::default()),
            }),
            dialect,
        })
    }

    /// Advances the lifecycle to now and queues the callbacks it causes; returns the
    /// notices it produced as `(event, conference SID)`.
    pub fn tick(&self) -> Vec<(&'static str, String)> {
        let mut service = self.shared.service();
        service.tick(now());
        let mut notices = Vec::new();
        self.drain(&mut service, |n| {
            notices.push((n.kind.name(), n.conference.as_str().to_owned()));
        });
        notices
    }

    /// Sends the conference status callbacks of every change from now on with a
    /// [`Deliverer`] made from `config` (its warnings go to the current default `tracing`
    /// dispatcher). A deliverer already running is kept.
    pub fn deliver_callbacks(&self, config: DeliveryConfig) {
        let mut callbacks = self.callbacks();
        if callbacks.deliverer.is_none() {
            callbacks.deliverer = Some(Deliverer::start(config));
        }
    }

    /// The callbacks delivered, dropped and failed so far; `None` when callbacks are not
    /// sent.
    pub fn callback_stats(&self) -> Option<DeliveryStats> {
        self.callbacks().deliverer.as_ref().map(Deliverer::stats)
    }

    /// Stops sending callbacks: what is queued or in flight gets `limit`
    /// ([`Deliverer::finish_within`]); the final counts (`None` when they were not sent).
    pub fn finish_callbacks(&self, limit: Duration) -> Option<DeliveryStats> {
        let deliverer = self.callbacks().deliverer.take();
        deliverer.map(|d| d.finish_within(limit))
    }

    fn callbacks(&self) -> MutexGuard<'_, Callbacks> {
        self.shared
            .callbacks
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Drains `service`'s notices (its lock held by the caller) into callbacks, in order;
    /// `each` sees every notice.
    fn drain(&self, service: &mut BridgeService, each: impl FnMut(bridge::Notice)) {
        let mut callbacks = self.callbacks();
        let Callbacks { deliverer, form } = &mut *callbacks;
        delivery::drain_into(service, deliverer.as_ref(), form, each);
    }

    /// Creates a conference named `name` with one participant per entry of `labels` (the
    /// labels are set on Twilio only), ticks until they are connected, and returns the
    /// conference SID and the participants' call SIDs.
    pub fn demo_conference(
        &self,
        account: &str,
        name: &str,
        labels: &[&str],
    ) -> Result<(String, Vec<String>), Error> {
        let account = AccountSid::parse(account)?;
        let mut calls = Vec::with_capacity(labels.len());
        let mut conference = None;
        {
            let mut service = self.shared.service();
            let mut ids = self
                .shared
                .ids
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            for label in labels {
                let create = Create::new("+15005550006", "+15005550001");
                // SignalWire's participants have no label; Twilio's and Telnyx's do.
                let create = match self.dialect {
                    confpart::api::path::Dialect::Twilio | confpart::api::path::Dialect::Telnyx => {
                        create.label(label)
                    }
                    confpart::api::path::Dialect::SignalWire => create,
                };
                let where_ = match &conference {
                    Some(sid) => ConferenceRef::Sid(*sid),
                    None => ConferenceRef::Name(name),
                };
                let created = service
                    .conferences_mut()
                    .create(&account, where_, &create, now(), &mut *ids)
                    .map_err(|r| {
                        let a = r.answer();
                        Error::input(format_args!(
                            "demo conference: {} {} {}",
                            a.status, a.code, a.message
                        ))
                    })?;
                conference = Some(created.conference);
                calls.push(created.call.as_str().to_owned());
            }
            service.tick(now());
        }
        let conference = conference
            .map(|c| c.as_str().to_owned())
            .ok_or_else(|| Error::input("demo conference: no participant"))?;
        Ok((conference, calls))
    }

    /// Starts the tick thread; it ends when `stop` is set. Notices go to `log` when given.
    pub fn spawn_ticker(
        &self,
        stop: Arc<AtomicBool>,
        log: Option<Arc<dyn LogSink>>,
    ) -> std::io::Result<thread::JoinHandle<()>> {
        let bridge = self.clone();
        thread::Builder::new()
            .name("confpart-tick".to_owned())
            .spawn(move || {
                while !stop.load(Ordering::SeqCst) {
                    for (event, conference) in bridge.tick() {
                        if let Some(log) = &log {
                            log.line(&format!("event {event} {conference}"));
                        }
                    }
                    thread::sleep(TICK_INTERVAL);
                }
            })
    }
}

thread_local! {
    /// The request buffer (head and body limits) and the service's scratch space, one per
    /// server worker thread: a request is read and answered within one call, so no
    /// connection holds a request-sized buffer of its own.
    static BUFFERS: RefCell<(Box<[u8]>, Vec<u8>)> =
        RefCell::new((vec![0u8; MAX_HEAD_LEN + MAX_REQUEST_BODY].into_boxed_slice(), Vec::new()));
}

/// One connection's state: a few bytes (the request buffer is the worker thread's).
#[derive(Debug)]
pub struct BridgeSession {
    bridge: Bridge,
    continued: bool,
}

impl Handler for Bridge {
    type Session = BridgeSession;

    fn session(&self, _peer: SocketAddr) -> BridgeSession {
        BridgeSession {
            bridge: self.clone(),
            continued: false,
        }
    }

    fn busy(&self, out: &mut Vec<u8>) -> Option<RequestLog> {
        refuse(self.dialect, &ApiAnswer::BUSY, out)
    }
}

impl Session for BridgeSession {
    fn on_input(&mut self, input: &[u8], closing: bool, out: &mut Vec<u8>) -> Step {
        BUFFERS.with_borrow_mut(|(buf, scratch)| self.read(buf, scratch, input, closing, out))
    }

    fn on_abort(&mut self, reason: Abort, out: &mut Vec<u8>) -> Option<RequestLog> {
        let answer = match reason {
            Abort::HeaderTimeout | Abort::RequestTimeout => ApiAnswer::TIMEOUT,
            Abort::TooLarge => ApiAnswer::TOO_LARGE,
            _ => return None,
        };
        refuse(self.bridge.dialect, &answer, out)
    }
}

/// Writes a server's own refusal in the bridge's dialect; its log line.
fn refuse(
    dialect: confpart::api::path::Dialect,
    answer: &ApiAnswer,
    out: &mut Vec<u8>,
) -> Option<RequestLog> {
    let (status, code) =
        bridge::write_error_in(&mut VecSink(out), dialect, answer, Connection::Close)
            .unwrap_or((answer.status, answer.code));
    Some(RequestLog::new("-", "-", status).with_code(code))
}

impl BridgeSession {
    /// Reads the request in `input` with `buf` and answers it: parsed before the service
    /// is locked, and the lock held only while the core applies and writes the answer.
    fn read(
        &mut self,
        buf: &mut [u8],
        scratch: &mut Vec<u8>,
        input: &[u8],
        closing: bool,
        out: &mut Vec<u8>,
    ) -> Step {
        let mut reader = RequestReader::new(buf);
        let progress = reader.feed(input);
        let message = match progress {
            Err(e) => {
                out.clear();
                let handled = BridgeService::reject_in(self.bridge.dialect, &e, &mut VecSink(out));
                let (status, code) = handled.map_or((400, codes::INVALID_PARAMETER), |h| {
                    (h.status, h.code.unwrap_or(codes::INVALID_PARAMETER))
                });
                return Step::Done {
                    consumed: input.len(),
                    keep_alive: false,
                    log: RequestLog::new("-", "-", status).with_code(code),
                };
            }
            Ok(Progress::Partial) => {
                if reader.expect_continue() && !self.continued {
                    self.continued = true;
                    let _ = bridge::write_continue(&mut VecSink(out));
                }
                return Step::NeedMore {
                    consumed: 0,
                    // Only decides which timeout applies (header or request).
                    head_complete: reader.head_len().is_some(),
                };
            }
            Ok(Progress::Complete(m)) => m,
        };
        self.continued = false;
        let need = message
            .body()
            .len()
            .max(message.query().map_or(0, str::len));
        scratch.clear();
        scratch.resize(need, 0);
        out.reserve(2048);
        let now = now();
        let (handled, seq) = {
            let mut service = self.bridge.shared.service();
            let mut ids = self
                .bridge
                .shared
                .ids
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            // Taken while the service is locked: the order the state changed in.
            let seq = self.bridge.shared.handled.fetch_add(1, Ordering::SeqCst) + 1;
            let handled = service.handle(&message, now, &mut *ids, scratch, &mut VecSink(out));
            // Queued, never sent here: the answer does not wait for a callback.
            self.bridge.drain(&mut service, |_| {});
            (handled, seq)
        };
        let log = RequestLog::new(message.method(), message.path(), 0).with_seq(seq);
        match handled {
            Ok(h) => Step::Done {
                consumed: message.consumed(),
                keep_alive: h.keep_alive && !closing,
                log: RequestLog {
                    status: h.status,
                    code: h.code,
                    ..log
                },
            },
            Err(_) => Step::Done {
                consumed: input.len(),
                keep_alive: false,
                log: RequestLog { status: 500, ..log },
            },
        }
    }
}

/// A running bridge (in this process): its address, and how to stop it.
#[derive(Debug)]
pub struct Running {
    /// The address it listens on.
    pub addr: SocketAddr,
    /// The bridge (to create demo conferences, tick).
    pub bridge: Bridge,
    /// The server's counters (open, refused connections).
    pub stats: Arc<ServerStats>,
    shutdown: ShutdownHandle,
    stop_tick: Arc<AtomicBool>,
    server: Option<thread::JoinHandle<std::io::Result<()>>>,
    ticker: Option<thread::JoinHandle<()>>,
}

impl Running {
    /// Stops the server (requests in flight finish) and the tick thread.
    pub fn stop(mut self) {
        self.halt();
    }

    fn halt(&mut self) {
        self.shutdown.shutdown();
        self.stop_tick.store(true, Ordering::SeqCst);
        if let Some(t) = self.server.take() {
            let _ = t.join();
        }
        if let Some(t) = self.ticker.take() {
            let _ = t.join();
        }
        self.bridge.finish_callbacks(CALLBACK_SHUTDOWN_GRACE);
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.halt();
    }
}

/// Binds and starts a bridge on background threads (the demo, tests).
pub fn start(config: &BridgeConfig, options: ServerOptions) -> Result<Running, Error> {
    let bridge = Bridge::new(config)?;
    let server = Server::bind(options, bridge.clone()).map_err(Error::Listen)?;
    let addr = server.local_addr();
    let shutdown = server.shutdown_handle();
    let stats = server.stats();
    let stop_tick = Arc::new(AtomicBool::new(false));
    let ticker = bridge
        .spawn_ticker(Arc::clone(&stop_tick), None)
        .map_err(Error::Listen)?;
    let server = thread::Builder::new()
        .name("confpart-accept".to_owned())
        .spawn(move || server.run())
        .map_err(Error::Listen)?;
    Ok(Running {
        addr,
        bridge,
        stats,
        shutdown,
        stop_tick,
        server: Some(server),
        ticker: Some(ticker),
    })
}

/// `confpart serve`: runs in the foreground until SIGINT / SIGTERM. `on_ready` is called
/// with the bridge and its address once it listens (to print, or to create the demo
/// conference). With `callbacks`, conference status callbacks are sent
/// ([`Bridge::deliver_callbacks`]; their warnings go to the server's log, in its format)
/// and given [`CALLBACK_SHUTDOWN_GRACE`] at shutdown.
pub fn serve(
    config: &BridgeConfig,
    options: ServerOptions,
    callbacks: Option<DeliveryConfig>,
    on_ready: impl FnOnce(&Bridge, SocketAddr) -> Result<(), Error>,
) -> Result<(), Error> {
    let bridge = Bridge::new(config)?;
    let log = Arc::clone(&options.log);
    let events = options.log_format.events(Arc::clone(&log));
    if let Some(callbacks) = callbacks {
        tracing::dispatcher::with_default(&events, || bridge.deliver_callbacks(callbacks));
    }
    let server = Server::bind(options, bridge.clone()).map_err(Error::Listen)?;
    let handle = server.shutdown_handle();
    server::shutdown_on_signals(handle.clone()).map_err(Error::Listen)?;
    let stop_tick = Arc::new(AtomicBool::new(false));
    let ticker = bridge
        .spawn_ticker(Arc::clone(&stop_tick), Some(Arc::clone(&log)))
        .map_err(Error::Listen)?;
    let ready = on_ready(&bridge, server.local_addr());
    if ready.is_err() {
        handle.shutdown();
    }
    let result = server.run().map_err(Error::Listen);
    stop_tick.store(true, Ordering::SeqCst);
    let _ = ticker.join();
    if let Some(stats) = bridge.finish_callbacks(CALLBACK_SHUTDOWN_GRACE) {
        tracing::dispatcher::with_default(&events, || {
            tracing::info!(
                delivered = stats.delivered,
                dropped = stats.dropped,
                failed = stats.failed,
                retries = stats.retries,
                "callbacks"
            );
        });
    }
    log.flush(); // the tick's last notices, the callbacks' warnings
    ready.and(result)
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
    use crate::server::MemoryLog;
    use std::io::{Read, Write};
    use std::net::TcpStream;

    const AC: &str = "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    const TOKEN: &str = "t0ken";

    fn running() -> (Running, Arc<MemoryLog>, String, Vec<String>) {
        let log = Arc::new(MemoryLog::default());
        let mut options = ServerOptions::new(([127, 0, 0, 1], 0).into());
        options.workers = 2;
        options.log = Arc::clone(&log) as Arc<dyn LogSink>;
        let config = BridgeConfig {
            dialect: Dialect::Twilio,
            timing: Timing::IMMEDIATE,
            accounts: vec![(AC.to_owned(), Secret::new(TOKEN))],
            limits: Limits::TWILIO,
        };
        let r = start(&config, options).unwrap();
        let (cf, calls) = r.bridge.demo_conference(AC, "room", &["a", "b"]).unwrap();
        (r, log, cf, calls)
    }

    fn auth() -> String {
        // base64("ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa:t0ken")
        let mut s = Vec::new();
        confpart::client::Credentials::new(AC, TOKEN)
            .unwrap()
            .write_basic(&mut VecSink(&mut s))
            .unwrap();
        String::from_utf8(s).unwrap()
    }

    fn read_until(s: &mut TcpStream, needle: &str) -> String {
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let mut got = Vec::new();
        let mut buf = [0u8; 4096];
        while !String::from_utf8_lossy(&got).contains(needle) {
            let n = s.read(&mut buf).unwrap();
            assert!(n > 0, "closed; got {}", String::from_utf8_lossy(&got));
            got.extend_from_slice(&buf[..n]);
        }
        String::from_utf8_lossy(&got).into_owned()
    }

    #[test]
    fn expect_100_continue_then_the_answer() {
        let (r, log, cf, calls) = running();
        let mut s = TcpStream::connect(r.addr).unwrap();
        let body = "Muted=true";
        let head = format!(
            "POST /2010-04-01/Accounts/{AC}/Conferences/{cf}/Participants/{}.json HTTP/1.1\r\nHost: x\r\nAuthorization: {}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nExpect: 100-continue\r\n\r\n",
            calls[0],
            auth(),
            body.len()
        );
        s.write_all(head.as_bytes()).unwrap();
        let interim = read_until(&mut s, "\r\n\r\n");
        assert_eq!(interim, "HTTP/1.1 100 Continue\r\n\r\n");
        s.write_all(body.as_bytes()).unwrap();
        let answer = read_until(&mut s, ".json\"}");
        assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"), "{answer}");
        assert!(answer.contains("\"muted\":true"), "{answer}");
        r.stop();
        let lines = log.lines();
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with("POST /2010-04-01/") && l.contains(" 200 - ")),
            "{lines:?}"
        );
        assert!(!lines.iter().any(|l| l.contains(TOKEN)));
    }

    #[test]
    fn pipelined_requests_and_a_refusal_with_its_code() {
        let (r, log, cf, calls) = running();
        let mut s = TcpStream::connect(r.addr).unwrap();
        let get = |who: &str| {
            format!(
                "GET /2010-04-01/Accounts/{AC}/Conferences/{cf}/Participants/{who}.json HTTP/1.1\r\nHost: x\r\nAuthorization: {}\r\n\r\n",
                auth()
            )
        };
        let two = format!(
            "{}{}",
            get(&calls[0]),
            get("CAbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb")
        );
        s.write_all(two.as_bytes()).unwrap();
        let both = read_until(&mut s, "20404");
        assert!(both.starts_with("HTTP/1.1 200 OK\r\n"), "{both}");
        assert!(both.contains("HTTP/1.1 404 Not Found\r\n"), "{both}");
        r.stop();
        assert!(
            log.lines().iter().any(|l| l.contains(" 404 20404 ")),
            "{:?}",
            log.lines()
        );
    }

    #[test]
    fn malformed_bytes_are_rejected_and_the_connection_closed() {
        let (r, _log, _cf, _calls) = running();
        let mut s = TcpStream::connect(r.addr).unwrap();
        s.write_all(b"GET /x HTTP/1.1\nHost: x\n\n").unwrap();
        let mut all = String::new();
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        s.read_to_string(&mut all).unwrap();
        assert!(all.starts_with("HTTP/1.1 400 "), "{all}");
        r.stop();
    }

    #[test]
    fn random_ids_have_the_dialects_forms() {
        let mut ids = RandomIds::new();
        let a = ids.call_sid(confpart::api::path::Dialect::Twilio).unwrap();
        let b = ids.call_sid(confpart::api::path::Dialect::Twilio).unwrap();
        assert_ne!(a, b);
        assert!(a.as_str().starts_with("CA"));
        let u = ids
            .conference_sid(confpart::api::path::Dialect::SignalWire)
            .unwrap();
        assert_eq!(u.form(), confpart::wire::ident::SidForm::Uuid);
    }
}
