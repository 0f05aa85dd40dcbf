//! Delivery of conference status callbacks, off the request path: the bridge hands each
//! callback the core built ([`confpart::bridge::Service::callback`]: the form, its URL,
//! method and signature) to [`Deliverer::submit`], which never blocks; worker threads send
//! it with the client's transport ([`crate::transport`]) and retry as the core decides.
//!
//! - **Never on a request's path**: `submit` puts the callback in a bounded queue
//!   ([`DeliveryConfig::queue`] per worker) with `try_send`; a full queue drops it, counts it
//!   ([`DeliveryStats::dropped`]) and logs a warning. An answer to an Update never waits for
//!   a receiver.
//! - **Each conference's order kept**: a conference's callbacks always go to the same worker
//!   (by its SID), which sends them one after the other, each to the end (delivered or given
//!   up) before the next.
//! - **Retries**: no answer (connect failure, reset, timeout) or a 5xx is tried again
//!   ([`confpart::bridge::Outgoing::retryable`]) after the back-off of
//!   [`DeliveryConfig::policy`] ([`confpart::api::retry::RetryPolicy::backoff`], jittered),
//!   within its attempts and total time; any other non-2xx answer is the receiver's refusal
//!   and final. Both end in [`DeliveryStats::failed`] and a warning.
//! - **Bytes only**: the core writes the request ([`confpart::bridge::Outgoing::write_request`])
//!   and frames the answer (`confpart::wire::http::Reader`); this module connects, sends,
//!   reads and waits.
//!
//! - **Logged where the caller logs**: the warnings (drops, failures) go to the `tracing`
//!   dispatcher that was the default when [`Deliverer::start`] was called (`confpart
//!   serve`: its log, [`crate::server::LogFormat::events`]), from the workers and from
//!   `submit` alike.
//! - **Shutdown bounded**: [`Deliverer::finish_within`] gives what is queued or in flight a
//!   bounded time (no retry after it began), then leaves the rest.
//!
//! - **Telnyx signatures fresh**: with [`DeliveryConfig::signing_key`] (a Telnyx bridge's
//!   Ed25519 key), a Telnyx bridge's callbacks are drained unsigned and signed by the worker
//!   before each attempt, with the clock of that moment
//!   ([`confpart::bridge::Outgoing::sign_telnyx_at`]): a receiver refuses a
//!   `telnyx-timestamp` more than 300 s old, and a callback may wait in the queue and
//!   between retries. A callback given to [`Deliverer::submit`] with a Telnyx signature is
//!   signed again the same way.
//!
//! Plain `http://` receivers are reached on loopback only, as every client connection of
//! this crate ([`crate::config::BaseUrl`]); others need `https://`.

use std::hash::{Hash, Hasher};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use confpart::api::path::Dialect;
use confpart::api::retry::RetryPolicy;
use confpart::api::signature::Ed25519Key;
use confpart::bridge::{CallbackSignature, Notice, Outgoing, ServiceIn, Table};
use confpart::wire::http::{Progress, Reader, ResponseKind};
use confpart::wire::sink::{CountingSink, SliceSink};
use tracing::Dispatch;

use crate::config::BaseUrl;
use crate::transport::{Connection, TransportConfig};
use crate::unix_now;

/// Largest answer read from a receiver (head and body); only its status is used.
pub const MAX_ANSWER_LEN: usize = 16 * 1024;
/// Largest callback form [`drain`] writes: the longest fields (labels, friendly names,
/// announcement URLs within the core's bounds) fit.
pub const MAX_CALLBACK_LEN: usize = 8 * 1024;

/// How callbacks are delivered.
#[derive(Debug, Clone)]
pub struct DeliveryConfig {
    /// Worker threads (each sends one callback at a time; default 2).
    pub workers: usize,
    /// Callbacks waiting per worker before new ones are dropped (default 256).
    pub queue: usize,
    /// Attempts, back-off and total time per callback (default: 5 attempts within 60 s,
    /// back-off from 500 ms doubling up to 8 s, jittered).
    pub policy: RetryPolicy,
    /// Connections: timeouts, TLS trust.
    pub transport: TransportConfig,
    /// A Telnyx bridge's Ed25519 key: callbacks are signed with it (`telnyx-signature-ed25519`,
    /// `telnyx-timestamp`) instead of with the account's secret. `None` (default): HMAC with
    /// the account's secret (Twilio, SignalWire).
    pub signing_key: Option<Ed25519Key>,
}

impl DeliveryConfig {
    /// The defaults over `transport`.
    pub fn new(transport: TransportConfig) -> Self {
        Self {
            workers: 2,
            queue: 256,
            policy: RetryPolicy {
                max_attempts: 5,
                max_total: Duration::from_secs(60),
                base: Duration::from_millis(500),
                cap: Duration::from_secs(8),
                ..RetryPolicy::DEFAULT
            },
            transport,
            signing_key: None,
        }
    }
}

/// What happened to the callbacks submitted so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DeliveryStats {
    /// Answered with a 2xx.
    pub delivered: u64,
    /// Not queued: the worker's queue was full.
    pub dropped: u64,
    /// Given up: refused (non-2xx, non-5xx), out of attempts or time, or an unusable URL.
    pub failed: u64,
    /// Attempts after the first.
    pub retries: u64,
}

#[derive(Debug, Default)]
struct Counters {
    delivered: AtomicU64,
    dropped: AtomicU64,
    failed: AtomicU64,
    retries: AtomicU64,
    /// Set by [`Deliverer::finish_within`]: no more retries or back-off waits.
    closing: AtomicBool,
}

impl Counters {
    fn add(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }
}

struct Job {
    outgoing: Outgoing,
    form: Vec<u8>,
    /// Signed by the worker with the Ed25519 key before each attempt (a Telnyx bridge
    /// with [`DeliveryConfig::signing_key`]).
    sign: bool,
}

/// The delivery workers and their queues. Dropping it (or [`Deliverer::finish`]) lets the
/// workers finish what is queued.
#[derive(Debug)]
pub struct Deliverer {
    queues: Vec<SyncSender<Job>>,
    workers: Vec<JoinHandle<()>>,
    counters: Arc<Counters>,
    /// Where the warnings go (the default dispatcher when started).
    log: Dispatch,
    /// [`DeliveryConfig::signing_key`].
    signing_key: Option<Ed25519Key>,
}

impl Deliverer {
    /// Starts the workers. Their warnings, and `submit`'s, go to the current default
    /// `tracing` dispatcher (see the module docs).
    pub fn start(config: DeliveryConfig) -> Self {
        let log = tracing::dispatcher::get_default(Dispatch::clone);
        let counters = Arc::new(Counters::default());
        let (mut queues, mut workers) = (Vec::new(), Vec::new());
        for i in 0..config.workers.max(1) {
            let (tx, rx) = sync_channel(config.queue.max(1));
            let (policy, transport) = (config.policy.clone(), config.transport.clone());
            let key = config.signing_key.clone();
            let counters = Arc::clone(&counters);
            let dispatch = log.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("callbacks-{i}"))
                .spawn(move || {
                    tracing::dispatcher::with_default(&dispatch, || {
                        worker(&rx, &policy, &transport, key.as_ref(), &counters);
                    });
                });
            match spawned {
                Ok(handle) => {
                    queues.push(tx);
                    workers.push(handle);
                }
                Err(e) => tracing::dispatcher::with_default(&log, || {
                    tracing::error!("callback worker {i} not started: {e}");
                }),
            }
        }
        Self {
            queues,
            workers,
            counters,
            log,
            signing_key: config.signing_key,
        }
    }

    /// Queues a callback (the form is `form`: the first `outgoing.body_len` bytes the core
    /// wrote). Never blocks: `false` when it was dropped (counted and logged).
    pub fn submit(&self, outgoing: Outgoing, form: &[u8]) -> bool {
        let sign = matches!(outgoing.signature, Some(CallbackSignature::Telnyx(_)));
        self.enqueue(outgoing, form, sign)
    }

    /// [`Deliverer::submit`], signed by the worker at each attempt when `sign` and a
    /// signing key is set.
    fn enqueue(&self, outgoing: Outgoing, form: &[u8], sign: bool) -> bool {
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        outgoing.conference.as_str().hash(&mut hasher);
        let n = self.queues.len().max(1);
        let index = usize::try_from(hasher.finish() % n as u64).unwrap_or(0);
        let Some(queue) = self.queues.get(index) else {
            Counters::add(&self.counters.dropped);
            return false;
        };
        let (conference, sequence, event) = (
            outgoing.conference,
            outgoing.sequence_number,
            outgoing.event,
        );
        let job = Job {
            outgoing,
            form: form.to_vec(),
            sign,
        };
        match queue.try_send(job) {
            Ok(()) => true,
            Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) => {
                Counters::add(&self.counters.dropped);
                tracing::dispatcher::with_default(&self.log, || {
                    tracing::warn!(
                        conference = conference.as_str(),
                        sequence,
                        event = event.as_str(),
                        "callback dropped: the delivery queue is full"
                    );
                });
                false
            }
        }
    }

    /// The counts so far.
    pub fn stats(&self) -> DeliveryStats {
        let c = &self.counters;
        DeliveryStats {
            delivered: c.delivered.load(Ordering::Relaxed),
            dropped: c.dropped.load(Ordering::Relaxed),
            failed: c.failed.load(Ordering::Relaxed),
            retries: c.retries.load(Ordering::Relaxed),
        }
    }

    /// Closes the queues and waits for the workers to deliver (or give up on) what was
    /// queued, retries included; the final counts.
    pub fn finish(mut self) -> DeliveryStats {
        self.queues.clear();
        for worker in self.workers.drain(..) {
            let _ = worker.join();
        }
        self.stats()
    }

    /// Closes the queues and gives the workers `limit` to send what is queued or in
    /// flight, each callback once more at most (no retry, no back-off wait from now on);
    /// workers still busy after it are left to end on their own (their callbacks count
    /// as neither delivered nor failed). The counts at that point.
    pub fn finish_within(mut self, limit: Duration) -> DeliveryStats {
        self.counters.closing.store(true, Ordering::SeqCst);
        self.queues.clear();
        let deadline = Instant::now() + limit;
        while self.workers.iter().any(|w| !w.is_finished()) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        let busy = self.workers.iter().filter(|w| !w.is_finished()).count();
        for worker in self.workers.drain(..) {
            if worker.is_finished() {
                let _ = worker.join();
            }
        }
        if busy > 0 {
            tracing::dispatcher::with_default(&self.log, || {
                tracing::warn!(
                    busy,
                    "callback workers still sending after {limit:?}: their callbacks are abandoned"
                );
            });
        }
        self.stats()
    }

    fn failed(&self) {
        Counters::add(&self.counters.failed);
    }
}

/// Drains `service`'s notices, in the order the changes were applied, and submits the
/// callback each one makes ([`confpart::bridge::ServiceIn::callback`]) to `deliverer`;
/// returns the notices (for the log). Call it under the service's lock, after every
/// handled request and every tick, so the callbacks are numbered and queued in the order
/// the state changed. Without a deliverer the notices are only returned. A caller that
/// drains often keeps one form buffer: [`drain_into`].
pub fn drain<T: Table<L>, const L: usize>(
    service: &mut ServiceIn<'_, T, L>,
    deliverer: Option<&Deliverer>,
) -> Vec<Notice> {
    let mut notices = Vec::new();
    drain_into(service, deliverer, &mut Vec::new(), |n| notices.push(n));
    notices
}

/// [`drain`] with the caller's form buffer (grown to [`MAX_CALLBACK_LEN`] when the first
/// callback is written, then reused: nothing is allocated while there is no notice) and
/// each notice handed to `each` instead of collected.
pub fn drain_into<T: Table<L>, const L: usize>(
    service: &mut ServiceIn<'_, T, L>,
    deliverer: Option<&Deliverer>,
    form: &mut Vec<u8>,
    mut each: impl FnMut(Notice),
) {
    while let Some(notice) = service.pop_notice() {
        if let Some(deliverer) = deliverer {
            if form.len() < MAX_CALLBACK_LEN {
                form.resize(MAX_CALLBACK_LEN, 0);
            }
            // With an Ed25519 key the callback goes out unsigned from here: a Telnyx
            // signature covers the moment it is sent, so the worker signs it at each
            // attempt (and a service of another dialect sends it unsigned).
            let sign = deliverer.signing_key.is_some();
            let made = if sign {
                service.conferences_mut().callback_with(&notice, form, None)
            } else {
                service.callback(&notice, form)
            };
            match made {
                Ok(Some(outgoing)) => {
                    let len = outgoing.body_len;
                    let sign = sign && service.conferences_mut().dialect() == Dialect::Telnyx;
                    deliverer.enqueue(outgoing, form.get(..len).unwrap_or(&[]), sign);
                }
                Ok(None) => {}
                Err(_) => {
                    deliverer.failed();
                    tracing::dispatcher::with_default(&deliverer.log, || {
                        tracing::error!(
                            conference = notice.conference.as_str(),
                            "callback longer than {MAX_CALLBACK_LEN} bytes: not sent"
                        );
                    });
                }
            }
        }
        each(notice);
    }
}

fn worker(
    queue: &Receiver<Job>,
    policy: &RetryPolicy,
    transport: &TransportConfig,
    key: Option<&Ed25519Key>,
    counters: &Counters,
) {
    let mut rng = crate::retry::Rng::new();
    for job in queue {
        deliver(&job, policy, transport, key, counters, &mut rng);
    }
}

/// The request that delivers `o`, sized first, then written: the exact bytes, one
/// allocation.
fn request_bytes(o: &Outgoing, form: &[u8]) -> Option<Vec<u8>> {
    let mut size = CountingSink::default();
    let mut request = Vec::new();
    o.write_request(form, &mut size).ok()?;
    request.resize(size.count, 0);
    o.write_request(form, &mut SliceSink::new(&mut request))
        .ok()?;
    Some(request)
}

fn deliver(
    job: &Job,
    policy: &RetryPolicy,
    transport: &TransportConfig,
    key: Option<&Ed25519Key>,
    counters: &Counters,
    rng: &mut crate::retry::Rng,
) {
    let o = &job.outgoing;
    // A Telnyx signature covers the moment it is sent: made at each attempt.
    let signer = key.filter(|_| job.sign);
    let write = || match signer {
        Some(key) => {
            let mut signed = o.clone();
            signed.sign_telnyx_at(key, unix_now(), &job.form);
            request_bytes(&signed, &job.form)
        }
        None => request_bytes(o, &job.form),
    };
    let give_up = |why: &str| {
        Counters::add(&counters.failed);
        tracing::warn!(
            url = o.url.as_str(),
            conference = o.conference.as_str(),
            sequence = o.sequence_number,
            event = o.event.as_str(),
            "callback not delivered: {why}"
        );
    };
    let base = match BaseUrl::parse(o.origin()) {
        Ok(base) => base,
        Err(e) => return give_up(&format!("the URL cannot be reached ({e})")),
    };
    let Some(mut request) = write() else {
        return give_up("the request could not be written");
    };
    let started = Instant::now();
    let mut attempts = 0;
    loop {
        attempts += 1;
        if attempts > 1 && signer.is_some() {
            match write() {
                Some(fresh) => request = fresh,
                None => return give_up("the request could not be written"),
            }
        }
        let status = attempt(&base, transport, &request);
        match status {
            Some(200..=299) => {
                Counters::add(&counters.delivered);
                tracing::debug!(
                    url = o.url.as_str(),
                    sequence = o.sequence_number,
                    event = o.event.as_str(),
                    attempts,
                    "callback delivered"
                );
                return;
            }
            s if !Outgoing::retryable(s) => {
                return give_up(&format!("the receiver answered {}", s.unwrap_or(0)));
            }
            _ => {}
        }
        let closing = counters.closing.load(Ordering::SeqCst);
        let wait = match policy.next_wait(attempts, started.elapsed(), None, rng) {
            Ok(wait) if !closing => wait,
            _ => {
                let last = status.map_or_else(|| "no answer".to_owned(), |s| s.to_string());
                let why = if closing { ", shutting down" } else { "" };
                return give_up(&format!("{attempts} attempts, the last: {last}{why}"));
            }
        };
        Counters::add(&counters.retries);
        std::thread::sleep(wait);
    }
}

/// One attempt: the answer's status, or `None` when there was none.
fn attempt(base: &BaseUrl, transport: &TransportConfig, request: &[u8]) -> Option<u16> {
    // A new connection for each attempt: a receiver is not called often enough to keep one.
    let mut conn = Connection::open(base, transport).ok()?;
    conn.send(request).ok()?;
    let mut buf = vec![0u8; MAX_ANSWER_LEN];
    let mut reader = Reader::<ResponseKind<()>>::new(&mut buf, ());
    let mut chunk = [0u8; 4096];
    loop {
        let n = conn.read_some(&mut chunk).ok()?;
        if n == 0 {
            return reader.finish().ok().map(|m| m.status());
        }
        match reader.feed(chunk.get(..n)?) {
            Ok(Progress::Complete(m)) => return Some(m.status()),
            Ok(Progress::Partial) => {}
            Err(_) => return None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};
    use std::net::TcpListener;
    use std::sync::Mutex;

    use confpart::api::callback::Event;
    use confpart::api::fields::Method;
    use confpart::wire::ident::ConferenceSid;

    fn outgoing(url: &str, sequence: u32) -> Outgoing {
        Outgoing {
            url: heapless::String::try_from(url).unwrap(),
            method: Method::Post,
            body_len: 3,
            header: "X-Twilio-Signature",
            signature: None,
            conference: ConferenceSid::parse("CFaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa").unwrap(),
            sequence_number: sequence,
            event: Event::ParticipantMute,
        }
    }

    fn fast(workers: usize, queue: usize) -> DeliveryConfig {
        let mut c = DeliveryConfig::new(TransportConfig::new().unwrap());
        c.workers = workers;
        c.queue = queue;
        c.policy.base = Duration::from_millis(10);
        c.policy.cap = Duration::from_millis(20);
        c.policy.max_attempts = 3;
        c.transport.timeouts.read = Duration::from_secs(5);
        c
    }

    /// A receiver answering each request with the next status of `script` (then 200),
    /// recording the request bodies in order. Bounded: stops after `count` requests.
    fn receiver(script: Vec<u16>, count: usize) -> (String, std::thread::JoinHandle<Vec<String>>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/cb", listener.local_addr().unwrap());
        let handle = std::thread::spawn(move || {
            let mut bodies = Vec::new();
            let mut script = script.into_iter();
            for _ in 0..count {
                let (mut s, _) = listener.accept().unwrap();
                s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
                let mut got = Vec::new();
                let mut chunk = [0u8; 1024];
                while !String::from_utf8_lossy(&got).contains("\r\n\r\n")
                    || !got.ends_with(b"=1") && !got.ends_with(b"=2") && !got.ends_with(b"=3")
                {
                    let n = s.read(&mut chunk).unwrap();
                    if n == 0 {
                        break;
                    }
                    got.extend_from_slice(&chunk[..n]);
                }
                let text = String::from_utf8(got).unwrap();
                bodies.push(text.rsplit("\r\n").next().unwrap().to_owned());
                let status = script.next().unwrap_or(200);
                write!(
                    s,
                    "HTTP/1.1 {status} X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                )
                .unwrap();
            }
            bodies
        });
        (url, handle)
    }

    #[test]
    fn retries_5xx_in_order_and_gives_up_on_a_refusal() {
        // 1: 503 then 200 (one retry); 2: 200; 3: 403 (final).
        let (url, received) = receiver(vec![503, 200, 200, 403], 4);
        let d = Deliverer::start(fast(2, 8));
        for seq in 1..=3 {
            assert!(d.submit(outgoing(&url, seq), format!("n={seq}").as_bytes()));
        }
        let stats = d.finish();
        assert_eq!(
            stats,
            DeliveryStats {
                delivered: 2,
                dropped: 0,
                failed: 1,
                retries: 1
            }
        );
        assert_eq!(received.join().unwrap(), ["n=1", "n=1", "n=2", "n=3"]);
    }

    #[test]
    fn a_stuck_receiver_never_blocks_submit() {
        // A receiver that accepts and never answers: the worker waits on it, the queue
        // (1) fills, later callbacks are dropped at once.
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/cb", listener.local_addr().unwrap());
        let held = Arc::new(Mutex::new(Vec::new()));
        let keep = Arc::clone(&held);
        let acceptor = std::thread::spawn(move || {
            for _ in 0..1 {
                let (s, _) = listener.accept().unwrap();
                keep.lock().unwrap().push(s);
            }
        });
        let mut config = fast(1, 1);
        config.transport.timeouts.read = Duration::from_millis(300);
        config.policy.max_attempts = 1;
        let d = Deliverer::start(config);
        let started = Instant::now();
        let accepted: Vec<bool> = (1..=20)
            .map(|seq| d.submit(outgoing(&url, seq), b"n=1"))
            .collect();
        assert!(
            started.elapsed() < Duration::from_millis(250),
            "submit waited"
        );
        assert!(accepted[0] && accepted.iter().filter(|a| !**a).count() >= 18);
        acceptor.join().unwrap();
        let stats = d.finish();
        assert!(stats.dropped >= 18 && stats.delivered == 0, "{stats:?}");
    }

    #[test]
    fn finish_within_leaves_a_stuck_receiver_behind() {
        // The worker waits on a receiver that never answers (read timeout 60 s); shutdown
        // gives it 100 ms, then returns without it.
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/cb", listener.local_addr().unwrap());
        let mut config = fast(1, 4);
        config.transport.timeouts.read = Duration::from_secs(60);
        let d = Deliverer::start(config);
        assert!(d.submit(outgoing(&url, 1), b"n=1"));
        assert!(d.submit(outgoing(&url, 2), b"n=2"));
        let (held, _) = listener.accept().unwrap();
        let started = Instant::now();
        let stats = d.finish_within(Duration::from_millis(100));
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "waited for the receiver"
        );
        assert_eq!((stats.delivered, stats.dropped), (0, 0));
        drop(held);
    }

    #[test]
    fn telnyx_callbacks_are_signed_again_when_sent() {
        use confpart::api::signature::{self, TELNYX_SIGNATURE_HEADER, TELNYX_TIMESTAMP_HEADER};
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/cb", listener.local_addr().unwrap());
        let receiver = std::thread::spawn(move || {
            let (mut s, _) = listener.accept().unwrap();
            s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
            let mut got = Vec::new();
            let mut chunk = [0u8; 1024];
            while !got.ends_with(b"n=1") {
                let n = s.read(&mut chunk).unwrap();
                if n == 0 {
                    break;
                }
                got.extend_from_slice(&chunk[..n]);
            }
            write!(s, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n").unwrap();
            String::from_utf8(got).unwrap()
        });
        let key = Ed25519Key::from_seed(&[9; 32]);
        let mut config = fast(1, 4);
        config.signing_key = Some(key.clone());
        let d = Deliverer::start(config);
        // Signed 1000 s ago (a long wait in the queue): a receiver would refuse it as it is.
        let mut o = outgoing(&url, 1);
        let stale = unix_now() - 1000;
        o.sign_telnyx_at(&key, stale, b"n=1");
        assert!(d.submit(o, b"n=1"));
        assert_eq!(d.finish().delivered, 1);
        let request = receiver.join().unwrap();
        let header = |name: &str| {
            request
                .lines()
                .find_map(|l| l.strip_prefix(&format!("{name}: ")))
                .unwrap()
                .to_owned()
        };
        let ts = header(TELNYX_TIMESTAMP_HEADER);
        assert!(ts.parse::<u64>().unwrap() >= stale + 1000, "{request}");
        let sig = header(TELNYX_SIGNATURE_HEADER);
        signature::validate_telnyx(
            &key.public_key(),
            sig.as_bytes(),
            ts.as_bytes(),
            b"n=1",
            unix_now(),
        )
        .unwrap();
    }

    #[test]
    fn an_unreachable_url_is_a_failure_not_a_hang() {
        let d = Deliverer::start(fast(1, 4));
        assert!(d.submit(outgoing("http://public.example/cb", 1), b"n=1"));
        let stats = d.finish();
        assert_eq!((stats.failed, stats.delivered), (1, 0));
    }
}
