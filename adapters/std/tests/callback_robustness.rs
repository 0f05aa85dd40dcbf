//! A slow or failing callback receiver never slows the bridge's answers (issue 20): the
//! std bridge (`confpart_std::bridge::start`, with its callback deliverer on) holds a
//! conference subscribed to every event whose callback URL is
//!
//! - `a_receiver_that_never_answers_*`: a loopback listener that accepts each connection
//!   and never reads nor answers until the test releases it;
//! - `a_receiver_answering_500_*`: one answering every request 500 at once (retried, then
//!   given up).
//!
//! [`UPDATES`] updates (mute / unmute, one callback each) go through one keep-alive
//! connection; every answer must arrive (each read bounded by a generous deadline) while
//! the receiver is still stuck or failing, and the deliverer's counters say what happened
//! to the callbacks: the stuck worker's queue fills and the rest are dropped, the 500s end
//! as failures after retries. Bounded in count (a few hundred requests) and in time (every
//! socket read and every wait has a deadline); loopback only. The answers' latencies are
//! printed (`-- --nocapture`), not asserted: speed is measured by benchmarks.
#![allow(missing_docs)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use confpart::bridge::{Limits, Timing};
use confpart_std::bridge::{BridgeConfig, Running, VecSink};
use confpart_std::config::{Dialect, Secret};
use confpart_std::delivery::{DeliveryConfig, DeliveryStats};
use confpart_std::server::{LogFormat, LogSink, MemoryLog, ServerOptions};
use confpart_std::transport::TransportConfig;

const AC: &str = "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const TOKEN: &str = "t0ken";
/// Updates sent through the bridge per test.
const UPDATES: usize = 200;
/// Callbacks a delivery worker holds before dropping (small, so the stuck case fills it).
const QUEUE: usize = 8;
/// The longest any one answer or wait may take before the test fails (a hang, not a
/// measurement).
const DEADLINE: Duration = Duration::from_secs(20);

fn basic() -> String {
    let mut s = Vec::new();
    confpart::client::Credentials::new(AC, TOKEN)
        .unwrap()
        .write_basic(&mut VecSink(&mut s))
        .unwrap();
    String::from_utf8(s).unwrap()
}

/// A loopback receiver: accepts connections until released, each handled by `serve`.
/// `release` stops it (and drops every connection it held).
struct Receiver {
    url: String,
    accepted: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
    thread: Option<thread::JoinHandle<()>>,
}

impl Receiver {
    /// `answer`: `None` holds each connection without reading or answering; `Some(s)`
    /// reads the request's head and answers `s`.
    fn start(answer: Option<u16>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let url = format!("http://{}/cb", listener.local_addr().unwrap());
        let accepted = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let (count, halt) = (Arc::clone(&accepted), Arc::clone(&stop));
        let thread = thread::spawn(move || {
            let mut held = Vec::new();
            let started = Instant::now();
            while !halt.load(Ordering::SeqCst) && started.elapsed() < 3 * DEADLINE {
                match listener.accept() {
                    Ok((mut s, _)) => {
                        count.fetch_add(1, Ordering::SeqCst);
                        s.set_nonblocking(false).unwrap();
                        match answer {
                            None => held.push(s),
                            Some(status) => {
                                s.set_read_timeout(Some(DEADLINE)).unwrap();
                                let mut got = Vec::new();
                                let mut buf = [0u8; 4096];
                                while !got.windows(4).any(|w| w == b"\r\n\r\n") {
                                    match s.read(&mut buf) {
                                        Ok(0) | Err(_) => break,
                                        Ok(n) => got.extend_from_slice(&buf[..n]),
                                    }
                                }
                                let _ = write!(
                                    s,
                                    "HTTP/1.1 {status} X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                                );
                            }
                        }
                    }
                    Err(_) => thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        Self {
            url,
            accepted,
            stop,
            thread: Some(thread),
        }
    }

    fn release(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            t.join().unwrap();
        }
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.release();
    }
}

/// A bridge whose callbacks go out with one worker, a queue of [`QUEUE`], short back-off
/// and `read_timeout` per attempt; its log (requests and the callbacks' warnings).
fn bridge(read_timeout: Duration) -> (Running, Arc<MemoryLog>) {
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
    let running = confpart_std::bridge::start(&config, options).unwrap();
    let mut delivery = DeliveryConfig::new(TransportConfig::new().unwrap());
    delivery.workers = 1;
    delivery.queue = QUEUE;
    delivery.policy.base = Duration::from_millis(5);
    delivery.policy.cap = Duration::from_millis(20);
    delivery.policy.max_attempts = 3;
    delivery.transport.timeouts.read = read_timeout;
    // As `confpart serve` does: the warnings go to the server's log.
    let events = LogFormat::Text.events(Arc::clone(&log) as Arc<dyn LogSink>);
    tracing::dispatcher::with_default(&events, || running.bridge.deliver_callbacks(delivery));
    (running, log)
}

/// Log lines containing `needle`.
fn logged(log: &MemoryLog, needle: &str) -> u64 {
    log.lines().iter().filter(|l| l.contains(needle)).count() as u64
}

/// One keep-alive client connection to the bridge.
struct Client {
    s: TcpStream,
    pending: Vec<u8>,
    auth: String,
}

impl Client {
    fn connect(addr: SocketAddr) -> Self {
        let s = TcpStream::connect(addr).unwrap();
        s.set_read_timeout(Some(DEADLINE)).unwrap();
        s.set_nodelay(true).unwrap();
        Self {
            s,
            pending: Vec::new(),
            auth: basic(),
        }
    }

    /// Sends a form POST to `path` (under the account's Conferences/) and returns the
    /// answer's status and body; panics when no whole answer comes within [`DEADLINE`].
    fn post(&mut self, path: &str, body: &str) -> (u16, String) {
        let request = format!(
            "POST /2010-04-01/Accounts/{AC}/Conferences/{path} HTTP/1.1\r\nHost: bridge\r\n\
             Authorization: {}\r\nContent-Type: application/x-www-form-urlencoded\r\n\
             Content-Length: {}\r\n\r\n{body}",
            self.auth,
            body.len()
        );
        self.s.write_all(request.as_bytes()).unwrap();
        let mut buf = [0u8; 8192];
        loop {
            if let Some(end) = self.pending.windows(4).position(|w| w == b"\r\n\r\n") {
                let head = String::from_utf8_lossy(&self.pending[..end + 4]).into_owned();
                let len = head
                    .lines()
                    .find_map(|l| {
                        let (k, v) = l.split_once(':')?;
                        k.eq_ignore_ascii_case("content-length")
                            .then(|| v.trim().parse::<usize>().ok())?
                    })
                    .unwrap_or(0);
                if self.pending.len() >= end + 4 + len {
                    let body =
                        String::from_utf8_lossy(&self.pending[end + 4..end + 4 + len]).into_owned();
                    self.pending.drain(..end + 4 + len);
                    return (head[9..12].parse().unwrap(), body);
                }
            }
            let n = self
                .s
                .read(&mut buf)
                .unwrap_or_else(|e| panic!("no answer to POST {path} within {DEADLINE:?}: {e}"));
            assert!(n > 0, "the bridge closed the connection");
            self.pending.extend_from_slice(&buf[..n]);
        }
    }
}

fn field(json: &str, key: &str) -> String {
    let v: serde_json::Value = serde_json::from_str(json).unwrap();
    v[key]
        .as_str()
        .unwrap_or_else(|| panic!("{key}: {v}"))
        .to_owned()
}

/// Creates a conference subscribed to every event at `hook`, then sends [`UPDATES`]
/// mute / unmute updates; every answer is a 200. Returns the answers' latencies.
fn updates_through_the_bridge(running: &Running, hook: &str) -> Vec<Duration> {
    let mut c = Client::connect(running.addr);
    let subscribe = format!(
        "ConferenceStatusCallback={}&ConferenceStatusCallbackEvent=start+end+join+leave+mute+hold+modify+speaker+announcement",
        hook.replace(':', "%3A").replace('/', "%2F")
    );
    let (status, created) = c.post(
        "room/Participants.json",
        &format!("From=%2B15005550006&To=%2B15005550001&{subscribe}"),
    );
    assert!(status < 300, "{status} {created}");
    let (cf, call) = (
        field(&created, "conference_sid"),
        field(&created, "call_sid"),
    );
    let mut latencies = Vec::with_capacity(UPDATES);
    for i in 0..UPDATES {
        let muted = if i % 2 == 0 { "true" } else { "false" };
        let started = Instant::now();
        let (status, body) = c.post(
            &format!("{cf}/Participants/{call}.json"),
            &format!("Muted={muted}"),
        );
        latencies.push(started.elapsed());
        assert_eq!(status, 200, "update {i}: {body}");
    }
    latencies
}

fn print_latencies(case: &str, mut latencies: Vec<Duration>) {
    latencies.sort();
    let at = |q: f64| latencies[((latencies.len() - 1) as f64 * q) as usize];
    println!(
        "{case}: {} updates answered, p50 {:?}, p99 {:?}, max {:?}",
        latencies.len(),
        at(0.5),
        at(0.99),
        at(1.0)
    );
}

/// Polls `f` until it holds or [`DEADLINE`] passes.
fn eventually(what: &str, f: impl Fn() -> bool) {
    let deadline = Instant::now() + DEADLINE;
    while !f() {
        assert!(Instant::now() < deadline, "{what}: not within {DEADLINE:?}");
        thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn a_receiver_that_never_answers_does_not_slow_the_answers() {
    let mut receiver = Receiver::start(None);
    // Each attempt waits for the stuck receiver far longer than the test runs.
    let (running, log) = bridge(Duration::from_secs(120));
    let latencies = updates_through_the_bridge(&running, &receiver.url);

    // Every answer arrived while the receiver still holds the first callback unanswered.
    eventually("the first callback reaches the receiver", || {
        receiver.accepted.load(Ordering::SeqCst) == 1
    });
    let stats = running.bridge.callback_stats().unwrap();
    // join + start + one per update: QUEUE waiting (and one in flight, once the worker
    // took it), the rest dropped; none delivered or given up yet.
    let callbacks = (UPDATES + 2) as u64;
    assert_eq!((stats.delivered, stats.failed, stats.retries), (0, 0, 0));
    let kept = callbacks - stats.dropped;
    assert!(
        (QUEUE as u64..=QUEUE as u64 + 1).contains(&kept),
        "{stats:?}"
    );
    assert_eq!(receiver.accepted.load(Ordering::SeqCst), 1);
    assert_eq!(logged(&log, "WARN callback dropped"), stats.dropped);
    print_latencies("receiver never answers", latencies);

    receiver.release();
    let stats = running
        .bridge
        .finish_callbacks(Duration::from_secs(5))
        .unwrap();
    assert_eq!(stats.delivered, 0, "{stats:?}");
    running.stop();
}

#[test]
fn a_receiver_answering_500_does_not_slow_the_answers() {
    let receiver = Receiver::start(Some(500));
    let (running, log) = bridge(DEADLINE);
    let latencies = updates_through_the_bridge(&running, &receiver.url);
    print_latencies("receiver answers 500", latencies);

    // Each callback is tried max_attempts (3) times, then given up; some were dropped
    // while the worker was busy retrying. All of them are accounted for.
    let callbacks = (UPDATES + 2) as u64;
    let settled = |s: DeliveryStats| s.failed + s.dropped == callbacks;
    let stats = Arc::new(Mutex::new(None));
    eventually("every callback failed or dropped", || {
        let s = running.bridge.callback_stats().unwrap();
        *stats.lock().unwrap() = Some(s);
        settled(s)
    });
    let stats = stats.lock().unwrap().unwrap();
    assert_eq!(stats.delivered, 0, "{stats:?}");
    assert!(stats.failed >= 1, "{stats:?}");
    assert_eq!(stats.retries, 2 * stats.failed, "{stats:?}");
    assert_eq!(
        receiver.accepted.load(Ordering::SeqCst) as u64,
        3 * stats.failed
    );
    assert_eq!(logged(&log, "WARN callback dropped"), stats.dropped);
    // Each failure is counted, then logged.
    eventually("every failure logged", || {
        logged(
            &log,
            "WARN callback not delivered: 3 attempts, the last: 500",
        ) == stats.failed
    });
    println!(
        "{}",
        log.lines().iter().find(|l| l.contains("WARN")).unwrap()
    );
    running.stop();
}
