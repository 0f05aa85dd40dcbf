//! Faults and load against `confpart serve` (issue 12 §3), in process, loopback only.
//!
//! - `bad_clients_do_not_starve_a_good_one`: slow, silent, oversized, malformed and
//!   never-reading clients while a well-formed keep-alive client is timed.
//! - `concurrent_updates_match_a_sequential_model`: 8 clients × 250 updates to 20
//!   participants; every answer and the final state against a model.
//! - `client_*`: the std client against a scripted server (stall, reset, garbage, 429,
//!   keep-alive closed on reuse).
//!
//! Every loop is bounded in count and in time. Figures (requests, RSS, p99) are printed
//! (`cargo test -p confpart-std --test robustness -- --nocapture`).
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use confpart::Update;
use confpart::conference::Timing;
use confpart::create::Create;
use confpart_std::Error;
use confpart_std::bridge::{BridgeConfig, Running, VecSink, start};
use confpart_std::client::Client;
use confpart_std::config::{BaseUrl, Dialect, Scheme, Secret, Service};
use confpart_std::retry::RetryPolicy;
use confpart_std::server::{LogSink, MemoryLog, ServerOptions};
use confpart_std::transport::TransportConfig;
use serde_json::Value;

const AC: &str = "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const TOKEN: &str = "t0ken";

// ---------------------------------------------------------------------------------------
// Raw HTTP helpers
// ---------------------------------------------------------------------------------------

/// A small deterministic generator (xorshift64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn basic() -> String {
    let mut s = Vec::new();
    confpart::Credentials::new(AC, TOKEN)
        .unwrap()
        .write_basic(&mut VecSink(&mut s))
        .unwrap();
    String::from_utf8(s).unwrap()
}

/// A request on a participant (`who` = call SID or label) or the collection (`who` = "").
fn request(method: &str, cf: &str, who: &str, body: &str, auth: &str) -> Vec<u8> {
    let rest = if who.is_empty() {
        ".json".to_owned()
    } else {
        format!("/{who}.json")
    };
    let form = if body.is_empty() {
        ""
    } else {
        "Content-Type: application/x-www-form-urlencoded\r\n"
    };
    format!(
        "{method} /2010-04-01/Accounts/{AC}/Conferences/{cf}/Participants{rest} HTTP/1.1\r\n\
         Host: bridge\r\nAuthorization: {auth}\r\n{form}Content-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

struct Resp {
    status: u16,
    head: String,
    body: Vec<u8>,
}

impl std::fmt::Debug for Resp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}{}", self.head, String::from_utf8_lossy(&self.body))
    }
}

impl Resp {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&self.body)))
    }

    fn closes(&self) -> bool {
        self.head
            .to_ascii_lowercase()
            .contains("\r\nconnection: close")
    }

    /// A Twilio error body whose status is the response's; its code.
    fn twilio_code(&self) -> u64 {
        let v = self.json();
        assert_eq!(v["status"].as_u64(), Some(u64::from(self.status)), "{v}");
        assert!(v["message"].is_string(), "{v}");
        assert!(v["more_info"].is_string(), "{v}");
        v["code"].as_u64().unwrap_or_else(|| panic!("no code: {v}"))
    }
}

/// Reads one response (framed by `Content-Length`; none on 204); `pending` keeps bytes
/// read past it. `None` on a close before a whole response.
fn read_response(s: &mut TcpStream, pending: &mut Vec<u8>) -> Option<Resp> {
    let mut buf = [0u8; 8192];
    loop {
        if let Some(end) = pending.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&pending[..end + 4]).into_owned();
            let status: u16 = head.get(9..12)?.parse().ok()?;
            let len = head
                .lines()
                .find_map(|l| {
                    let (k, v) = l.split_once(':')?;
                    k.eq_ignore_ascii_case("content-length")
                        .then(|| v.trim().parse::<usize>().ok())?
                })
                .unwrap_or(0);
            if status == 100 {
                pending.drain(..end + 4);
                continue;
            }
            if pending.len() >= end + 4 + len {
                let body = pending[end + 4..end + 4 + len].to_vec();
                pending.drain(..end + 4 + len);
                return Some(Resp { status, head, body });
            }
        }
        match s.read(&mut buf) {
            Ok(0) | Err(_) => return None,
            Ok(n) => pending.extend_from_slice(&buf[..n]),
        }
    }
}

/// True when the peer closes within `within` (end of stream or reset), after any bytes.
fn closed_within(s: &mut TcpStream, within: Duration) -> bool {
    let deadline = Instant::now() + within;
    let mut buf = [0u8; 8192];
    while Instant::now() < deadline {
        s.set_read_timeout(Some(Duration::from_millis(200)))
            .unwrap();
        match s.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => {}
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            Err(_) => return true,
        }
    }
    false
}

fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

fn p99(latencies: &mut [Duration]) -> Duration {
    latencies.sort_unstable();
    if latencies.is_empty() {
        return Duration::ZERO;
    }
    latencies[(latencies.len() * 99).div_ceil(100).saturating_sub(1)]
}

fn bridge(workers: usize, labels: &[&str]) -> (Running, String, Vec<String>) {
    let mut options = ServerOptions::new(([127, 0, 0, 1], 0).into());
    options.workers = workers;
    options.idle_timeout = Duration::from_secs(2);
    options.header_timeout = Duration::from_secs(2);
    options.request_timeout = Duration::from_secs(4);
    options.write_timeout = Duration::from_secs(2);
    options.log = Arc::new(MemoryLog::default()) as Arc<dyn LogSink>;
    let config = BridgeConfig {
        dialect: Dialect::Twilio,
        timing: Timing::IMMEDIATE,
        accounts: vec![(AC.to_owned(), Secret::new(TOKEN))],
    };
    let r = start(&config, options).unwrap();
    let (cf, calls) = r.bridge.demo_conference(AC, "room", labels).unwrap();
    (r, cf, calls)
}

fn connect(addr: SocketAddr) -> TcpStream {
    let s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    s.set_write_timeout(Some(Duration::from_secs(5))).unwrap();
    s
}

// ---------------------------------------------------------------------------------------
// Faults
// ---------------------------------------------------------------------------------------

/// Framing-level garbage: each is answered with a 4xx (501 for an unknown transfer coding)
/// and a Twilio error body, and the connection is closed.
fn malformed(i: usize, rng: &mut Rng, auth: &str) -> Vec<u8> {
    match i % 12 {
        0 => b"GET /x HTTP/1.1\nHost: x\n\n".to_vec(),
        1 => {
            // Random bytes without CR/LF, then the end of a head.
            let n = 1 + rng.below(200);
            let mut v: Vec<u8> = (0..n)
                .map(|_| match rng.next() as u8 {
                    b'\r' | b'\n' => b'x',
                    b => b,
                })
                .collect();
            v.extend_from_slice(b"\r\n\r\n");
            v
        }
        2 => b"GET / HTTP/9.9\r\nHost: x\r\n\r\n".to_vec(),
        3 => b"GET / HTTP/1.1\r\nHost x\r\n\r\n".to_vec(),
        4 => b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n".to_vec(),
        5 => b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd"
            .to_vec(),
        6 => b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n".to_vec(),
        7 => b"GET / HTTP/1.1\r\nHo st: x\r\n\r\n".to_vec(),
        8 => format!("GET /{} HTTP/1.1\r\nHost: x\r\n\r\n", "a".repeat(9000)).into_bytes(),
        9 => {
            let mut v = b"GET / HTTP/1.1\r\n".to_vec();
            for k in 0..400 {
                v.extend_from_slice(format!("X-{k}: {}\r\n", "v".repeat(20)).as_bytes());
            }
            v.extend_from_slice(b"\r\n");
            v
        }
        10 => b"GET / HTTP/1.1\r\nHost: \0x\r\n\r\n".to_vec(),
        _ => {
            // A valid request whose declared body is over the limit (64 KiB).
            let mut v = request("POST", "CF", "x", "", auth);
            let at = v
                .windows(17)
                .position(|w| w == b"Content-Length: 0")
                .unwrap();
            v.splice(at..at + 17, b"Content-Length: 100000".iter().copied());
            v
        }
    }
}

/// Requests that keep their framing but are refused (auth, path, method, form, query):
/// 4xx with a Twilio body, the connection stays open.
fn refused(i: usize, cf: &str, who: &str, auth: &str) -> (Vec<u8>, u16) {
    match i % 7 {
        0 => (request("GET", cf, who, "", "Basic eDp5"), 401),
        1 => (request("GET", cf, "CAbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", "", auth), 404),
        2 => (request("PUT", cf, who, "", auth), 405),
        3 => (request("POST", cf, who, "Muted=maybe", auth), 400),
        4 => (request("POST", cf, who, "Hold=true&HoldUrl=%zz", auth), 400),
        5 => (
            format!(
                "GET /2010-04-01/Accounts/{AC}/Conferences/{cf}/Participants.json?PageSize=abc HTTP/1.1\r\nHost: x\r\nAuthorization: {auth}\r\n\r\n"
            )
            .into_bytes(),
            400,
        ),
        _ => (request("GET", "CFnope", who, "", auth), 404),
    }
}

#[test]
fn bad_clients_do_not_starve_a_good_one() {
    let (r, cf, _calls) = bridge(8, &["a", "b"]);
    let addr = r.addr;
    let auth = basic();
    let stop = AtomicBool::new(false);
    let sent = AtomicUsize::new(0);
    let bad = AtomicUsize::new(0);
    let latencies = Mutex::new(Vec::new());
    let test_deadline = Instant::now() + Duration::from_secs(25);

    thread::scope(|scope| {
        // The well-formed client: fetch and update on one keep-alive connection, each
        // answered within 2 s, until the faults are done (at most 20 000 requests).
        let good = scope.spawn(|| {
            let mut s = connect(addr);
            let mut pending = Vec::new();
            let mut mine = Vec::new();
            for i in 0..20_000 {
                if stop.load(Ordering::SeqCst) || Instant::now() > test_deadline {
                    break;
                }
                let req = if i % 2 == 0 {
                    request("GET", &cf, "a", "", &auth)
                } else {
                    let body = if i % 4 == 1 {
                        "Muted=true"
                    } else {
                        "Muted=false"
                    };
                    request("POST", &cf, "a", body, &auth)
                };
                let t = Instant::now();
                s.write_all(&req).unwrap();
                let resp = read_response(&mut s, &mut pending).expect("good client answered");
                let took = t.elapsed();
                sent.fetch_add(1, Ordering::SeqCst);
                assert_eq!(resp.status, 200, "{resp:?}");
                assert!(took < Duration::from_secs(2), "good request took {took:?}");
                mine.push(took);
                // A client thinking between requests (the idle timeout is 2 s).
                thread::sleep(Duration::from_millis(2));
            }
            latencies.lock().unwrap().extend(mine);
        });

        // Slow clients: a valid request, one byte every 100 ms: cut off by the header
        // timeout (2 s) with a 408 and a Twilio body.
        let mut others = Vec::new();
        for _ in 0..2 {
            others.push(scope.spawn(|| {
                let mut s = connect(addr);
                let req = request("GET", &cf, "b", "", &auth);
                let t = Instant::now();
                for b in req.iter().take(60) {
                    if s.write_all(&[*b]).is_err() {
                        break;
                    }
                    thread::sleep(Duration::from_millis(100));
                    if t.elapsed() > Duration::from_secs(3) {
                        break;
                    }
                }
                sent.fetch_add(1, Ordering::SeqCst);
                bad.fetch_add(1, Ordering::SeqCst);
                let resp = read_response(&mut s, &mut Vec::new()).expect("a 408");
                assert_eq!(resp.status, 408, "{resp:?}");
                assert_eq!(resp.twilio_code(), 20001);
                assert!(closed_within(&mut s, Duration::from_secs(2)));
                assert!(t.elapsed() < Duration::from_secs(5), "{:?}", t.elapsed());
            }));
        }
        // Silent clients: connect, never send: closed by the idle timeout.
        for _ in 0..2 {
            others.push(scope.spawn(|| {
                let mut s = connect(addr);
                let t = Instant::now();
                assert!(
                    closed_within(&mut s, Duration::from_secs(5)),
                    "never closed"
                );
                assert!(
                    t.elapsed() >= Duration::from_millis(1500),
                    "{:?}",
                    t.elapsed()
                );
                bad.fetch_add(1, Ordering::SeqCst);
            }));
        }
        // A client that never reads: 3 000 pipelined fetches (~3 MB of answers); the
        // server's write times out (2 s) and it closes the connection.
        others.push(scope.spawn(|| {
            let mut s = connect(addr);
            s.set_write_timeout(Some(Duration::from_secs(3))).unwrap();
            let one = request("GET", &cf, "b", "", &auth);
            let mut n = 0;
            for _ in 0..3_000 {
                if s.write_all(&one).is_err() {
                    break;
                }
                n += 1;
            }
            sent.fetch_add(n, Ordering::SeqCst);
            thread::sleep(Duration::from_secs(3));
            // Drain what was buffered: the stream ends (closed by the server).
            assert!(
                closed_within(&mut s, Duration::from_secs(5)),
                "never closed"
            );
        }));

        // 2 000 framing errors, one connection each: 4xx + Twilio body + close.
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        let mut statuses = std::collections::BTreeMap::new();
        for i in 0..2_000 {
            let mut s = connect(addr);
            let req = malformed(i, &mut rng, &auth);
            // The server may answer and close before taking all of it (a head too large).
            let _ = s.write_all(&req);
            sent.fetch_add(1, Ordering::SeqCst);
            bad.fetch_add(1, Ordering::SeqCst);
            let resp = read_response(&mut s, &mut Vec::new())
                .unwrap_or_else(|| panic!("no answer to malformed #{i}"));
            let te = i % 12 == 6;
            assert!(
                (400..500).contains(&resp.status) || (te && resp.status == 501),
                "#{i}: {resp:?}"
            );
            resp.twilio_code();
            assert!(resp.closes(), "#{i}: {resp:?}");
            assert!(closed_within(&mut s, Duration::from_secs(2)), "#{i} open");
            *statuses.entry(resp.status).or_insert(0) += 1;
        }
        eprintln!("malformed answers by status: {statuses:?}");
        // A body over the limit, actually sent (chunked): 413, close.
        {
            let mut s = connect(addr);
            let head = format!(
                "POST /2010-04-01/Accounts/{AC}/Conferences/{cf}/Participants/a.json HTTP/1.1\r\nHost: x\r\nAuthorization: {auth}\r\nTransfer-Encoding: chunked\r\n\r\n{:x}\r\n",
                100_000
            );
            let _ = s.write_all(head.as_bytes());
            let _ = s.write_all(&vec![b'a'; 100_000]);
            sent.fetch_add(1, Ordering::SeqCst);
            bad.fetch_add(1, Ordering::SeqCst);
            let resp = read_response(&mut s, &mut Vec::new()).expect("a 413");
            assert_eq!(resp.status, 413, "{resp:?}");
            resp.twilio_code();
            assert!(closed_within(&mut s, Duration::from_secs(2)));
        }
        // 1 000 refused requests on one keep-alive connection: 4xx + Twilio body, and
        // the connection stays open.
        {
            let mut s = connect(addr);
            let mut pending = Vec::new();
            for i in 0..1_000 {
                let (req, status) = refused(i, &cf, "a", &auth);
                s.write_all(&req).unwrap();
                sent.fetch_add(1, Ordering::SeqCst);
                bad.fetch_add(1, Ordering::SeqCst);
                let resp = read_response(&mut s, &mut pending).expect("an answer");
                assert_eq!(resp.status, status, "#{i}: {resp:?}");
                resp.twilio_code();
                assert!(!resp.closes(), "#{i}: {resp:?}");
            }
        }

        for t in others {
            t.join().unwrap();
        }
        stop.store(true, Ordering::SeqCst);
        good.join().unwrap();
    });

    let mut latencies = latencies.into_inner().unwrap();
    let served = latencies.len();
    let p99 = p99(&mut latencies);
    eprintln!(
        "faults: {} requests sent ({} bad inputs), good client served {served} with p99 {p99:?}, peak RSS {} KiB",
        sent.load(Ordering::SeqCst),
        bad.load(Ordering::SeqCst),
        peak_rss_kib()
    );
    assert!(
        served > 50,
        "the good client was served only {served} times"
    );
    r.stop();
}

// ---------------------------------------------------------------------------------------
// Concurrency
// ---------------------------------------------------------------------------------------

const CLIENTS: usize = 8;
const UPDATES: usize = 250;
/// Participants 0..16 are owned two per client (`i` and `i + 8`); 16..20 are only ever
/// coaching targets (nobody updates them), shared by every client.
const PARTICIPANTS: usize = 20;
const OWNED: usize = 16;

/// One client's end: its participants' model states, its latencies, its 16027 refusals.
type ClientRun = (Vec<(usize, Model)>, Vec<Duration>, usize);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct Model {
    muted: bool,
    hold: bool,
    coach: Option<usize>,
}

fn check_participant(v: &Value, m: &Model, calls: &[String], ctx: &str) {
    assert_eq!(v["muted"].as_bool(), Some(m.muted), "{ctx}: muted {v}");
    assert_eq!(v["hold"].as_bool(), Some(m.hold), "{ctx}: hold {v}");
    assert_eq!(
        v["coaching"].as_bool(),
        Some(m.coach.is_some()),
        "{ctx}: coaching {v}"
    );
    let target = m.coach.map(|t| calls[t].as_str());
    assert_eq!(
        v["call_sid_to_coach"].as_str(),
        target,
        "{ctx}: call_sid_to_coach {v}"
    );
}

/// Why the final state can be compared with a sequential model without knowing the
/// global order: the only rule that reads another participant's state is the coaching
/// target's hold (16027; every participant is connected and live, so 16028 / 21220 never
/// apply). Each client owns its participants (nobody else updates them) and coaches
/// either its own other participant or one of the four shared targets, which are never
/// updated (never on hold). So every update reads and writes only state its own client
/// changes, each client has one request in flight on its keep-alive connection (the
/// bridge applies a connection's requests in order), and the order the bridge applied
/// the updates, restricted to what any rule can observe, is each client's send order.
/// The model runs that order; every answer (200 with the state, or 16027) is compared
/// with it as it arrives, and the final fetch of all 20 participants with its end state.
#[test]
fn concurrent_updates_match_a_sequential_model() {
    let labels: Vec<String> = (0..PARTICIPANTS).map(|i| format!("p{i}")).collect();
    let labels: Vec<&str> = labels.iter().map(String::as_str).collect();
    let (r, cf, calls) = bridge(CLIENTS + 2, &labels);
    let addr = r.addr;
    let auth = basic();
    let deadline = Instant::now() + Duration::from_secs(20);

    let results: Vec<ClientRun> = thread::scope(|scope| {
        let handles: Vec<_> = (0..CLIENTS)
            .map(|c| {
                let (cf, calls, auth) = (&cf, &calls, &auth);
                scope.spawn(move || {
                    let owned = [c, c + CLIENTS];
                    let mut model = [Model::default(); 2];
                    let mut rng = Rng(0x1234_5678 + c as u64 * 7919);
                    let mut s = connect(addr);
                    let mut pending = Vec::new();
                    let mut latencies = Vec::new();
                    let mut refused = 0;
                    for n in 0..UPDATES {
                        assert!(Instant::now() < deadline, "client {c} out of time");
                        let k = rng.below(2);
                        let p = owned[k];
                        let mut next = model[k];
                        let mut expect_refusal = false;
                        let body = match rng.below(6) {
                            0 => {
                                next.muted = true;
                                "Muted=true".to_owned()
                            }
                            1 => {
                                next.muted = false;
                                "Muted=false".to_owned()
                            }
                            2 => {
                                next.hold = true;
                                "Hold=true".to_owned()
                            }
                            3 => {
                                next.hold = false;
                                "Hold=false".to_owned()
                            }
                            4 => {
                                // Coach the other owned participant, or a shared target.
                                let (t, held) = match rng.below(3) {
                                    0 => (owned[1 - k], model[1 - k].hold),
                                    _ => (OWNED + rng.below(PARTICIPANTS - OWNED), false),
                                };
                                if held {
                                    expect_refusal = true;
                                } else {
                                    next.coach = Some(t);
                                }
                                format!("Coaching=true&CallSidToCoach={}", calls[t])
                            }
                            _ => {
                                next.coach = None;
                                "Coaching=false".to_owned()
                            }
                        };
                        let req = request("POST", cf, &calls[p], &body, auth);
                        let t = Instant::now();
                        s.write_all(&req).unwrap();
                        let resp = read_response(&mut s, &mut pending)
                            .unwrap_or_else(|| panic!("client {c}: no answer to #{n}"));
                        latencies.push(t.elapsed());
                        let ctx = format!("client {c} update #{n} p{p} {body}");
                        if expect_refusal {
                            assert_eq!(resp.status, 400, "{ctx}: {resp:?}");
                            assert_eq!(resp.twilio_code(), 16027, "{ctx}");
                            refused += 1;
                        } else {
                            assert_eq!(resp.status, 200, "{ctx}: {resp:?}");
                            check_participant(&resp.json(), &next, calls, &ctx);
                            model[k] = next;
                        }
                    }
                    (
                        vec![(owned[0], model[0]), (owned[1], model[1])],
                        latencies,
                        refused,
                    )
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });

    let mut expected = [Model::default(); PARTICIPANTS];
    let mut latencies = Vec::new();
    let mut refused = 0;
    for (models, l, n) in results {
        for (p, m) in models {
            expected[p] = m;
        }
        latencies.extend(l);
        refused += n;
    }
    assert_eq!(
        latencies.len(),
        CLIENTS * UPDATES,
        "an update without answer"
    );
    // The bridge's state: fetch every participant.
    let mut s = connect(addr);
    let mut pending = Vec::new();
    for (p, m) in expected.iter().enumerate() {
        s.write_all(&request("GET", &cf, &calls[p], "", &auth))
            .unwrap();
        let resp = read_response(&mut s, &mut pending).unwrap();
        assert_eq!(resp.status, 200, "{resp:?}");
        check_participant(&resp.json(), m, &calls, &format!("final p{p}"));
    }
    let p99 = p99(&mut latencies);
    eprintln!(
        "load: {} updates by {CLIENTS} clients ({refused} refused 16027 as the model says), p99 {p99:?}, peak RSS {} KiB",
        CLIENTS * UPDATES,
        peak_rss_kib()
    );
    r.stop();
}

// ---------------------------------------------------------------------------------------
// The std client against a scripted server
// ---------------------------------------------------------------------------------------

const CF: &str = "CFaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const CA: &str = "CAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

/// What the scripted server does with the n-th request (counted over all connections).
#[derive(Clone, Copy, Debug)]
enum Reply {
    /// Answer and keep the connection.
    Send(&'static str),
    /// Answer, then close.
    SendClose(&'static str),
    /// Never answer; keep the connection until the client drops it (at most 5 s).
    Stall,
    /// Read a few bytes and close with unread input (a reset).
    Reset,
    /// Read the request and close without answering.
    Close,
}

fn ok_participant(status: u16) -> &'static str {
    let body = format!(r#"{{"call_sid": "{CA}", "conference_sid": "{CF}", "muted": true}}"#);
    let reason = if status == 201 { "Created" } else { "OK" };
    Box::leak(
        format!(
            "HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        )
        .into_boxed_str(),
    )
}

fn too_many() -> &'static str {
    let body = r#"{"code": 20429, "message": "Slow down", "more_info": "https://www.twilio.com/docs/errors/20429", "status": 429}"#;
    Box::leak(
        format!(
            "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 1\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        )
        .into_boxed_str(),
    )
}

/// Reads one request's head and body (Content-Length); `None` on close.
fn read_request(s: &mut TcpStream) -> Option<String> {
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        if let Some(end) = got.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&got[..end]).into_owned();
            let len = head
                .lines()
                .find_map(|l| l.strip_prefix("Content-Length: "))
                .map_or(0, |v| v.trim().parse::<usize>().unwrap_or(0));
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

/// A scripted server: the n-th request gets `script[n]` (the last entry repeats). Returns
/// the port and the request lines received, in order. Ends within 15 s.
fn scripted(script: Vec<Reply>) -> (u16, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&seen);
    thread::spawn(move || {
        let end = Instant::now() + Duration::from_secs(15);
        let mut n = 0;
        while Instant::now() < end {
            let mut s = match listener.accept() {
                Ok((s, _)) => s,
                Err(_) => {
                    thread::sleep(Duration::from_millis(5));
                    continue;
                }
            };
            s.set_nonblocking(false).unwrap();
            s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
            loop {
                let reply = script[n.min(script.len() - 1)];
                if let Reply::Reset = reply {
                    let mut first = [0u8; 16];
                    if s.read(&mut first).unwrap_or(0) > 0 {
                        log.lock()
                            .unwrap()
                            .push(String::from_utf8_lossy(&first).into());
                        n += 1;
                    }
                    // Unread input left: the kernel answers the close with a reset.
                    thread::sleep(Duration::from_millis(20));
                    break;
                }
                let Some(req) = read_request(&mut s) else {
                    break;
                };
                log.lock()
                    .unwrap()
                    .push(req.lines().next().unwrap_or("").to_owned());
                n += 1;
                match reply {
                    Reply::Send(r) => {
                        let _ = s.write_all(r.as_bytes());
                    }
                    Reply::SendClose(r) => {
                        let _ = s.write_all(r.as_bytes());
                        let _ = s.shutdown(Shutdown::Both);
                        break;
                    }
                    Reply::Stall => {
                        let _ = closed_within(&mut s, Duration::from_secs(5));
                        break;
                    }
                    Reply::Close | Reply::Reset => break,
                }
            }
        }
    });
    (port, seen)
}

fn client(port: u16) -> Client {
    let service = Service {
        dialect: Dialect::Twilio,
        base: BaseUrl {
            scheme: Scheme::Http,
            host: "127.0.0.1".into(),
            port,
        },
        account: AC.into(),
        username: AC.into(),
        password: Secret::new(TOKEN),
    };
    let mut config = TransportConfig::new().unwrap();
    config.timeouts.read = Duration::from_millis(500);
    config.timeouts.connect = Duration::from_secs(2);
    let mut c = Client::with_transport(service, config);
    c.set_retry_policy(RetryPolicy {
        max_attempts: 3,
        max_total: Duration::from_secs(5),
        base: Duration::from_millis(10),
        cap: Duration::from_millis(100),
        ..RetryPolicy::default()
    });
    c
}

fn creates(seen: &Mutex<Vec<String>>) -> usize {
    seen.lock()
        .unwrap()
        .iter()
        .filter(|l| l.starts_with("POST") && l.contains("/Participants.json"))
        .count()
}

fn create() -> Create<'static> {
    Create::new("+15005550006", "+15005550001")
}

#[test]
fn client_stalled_server_times_out_and_create_is_sent_once() {
    let (port, seen) = scripted(vec![Reply::Stall]);
    let mut c = client(port);
    let t = Instant::now();
    let e = c.fetch(CF, CA).unwrap_err();
    assert!(matches!(&e, Error::Transport(f) if f.is_timeout()), "{e:?}");
    assert!(t.elapsed() < Duration::from_secs(4), "{:?}", t.elapsed());
    let fetches = seen.lock().unwrap().len();
    assert!((1..=3).contains(&fetches), "{fetches} fetches");

    let t = Instant::now();
    let e = c.create(CF, &create()).unwrap_err();
    assert!(matches!(&e, Error::Transport(f) if f.is_timeout()), "{e:?}");
    assert!(t.elapsed() < Duration::from_secs(2), "{:?}", t.elapsed());
    assert_eq!(creates(&seen), 1, "{:?}", seen.lock().unwrap());
}

#[test]
fn client_reset_retries_an_update_but_not_a_create() {
    let (port, seen) = scripted(vec![Reply::Reset, Reply::Send(ok_participant(200))]);
    let mut c = client(port);
    let p = c.update(CF, CA, &Update::mute()).unwrap();
    assert_eq!(p.muted, Some(true));
    assert_eq!(seen.lock().unwrap().len(), 2);

    let (port, seen) = scripted(vec![Reply::Reset, Reply::Send(ok_participant(201))]);
    let mut c = client(port);
    let t = Instant::now();
    let e = c.create(CF, &create()).unwrap_err();
    assert!(matches!(e, Error::Transport(_)), "{e:?}");
    assert!(t.elapsed() < Duration::from_secs(2), "{:?}", t.elapsed());
    thread::sleep(Duration::from_millis(100));
    assert_eq!(seen.lock().unwrap().len(), 1, "{:?}", seen.lock().unwrap());
}

#[test]
fn client_garbage_is_a_response_error() {
    for garbage in [
        "garbage\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: zz\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n{\"a\":",
    ] {
        let (port, seen) = scripted(vec![Reply::SendClose(garbage)]);
        let mut c = client(port);
        let t = Instant::now();
        let e = c.create(CF, &create()).unwrap_err();
        assert!(
            matches!(e, Error::Response(_) | Error::Transport(_)),
            "{garbage:?}: {e:?}"
        );
        assert!(t.elapsed() < Duration::from_secs(2), "{:?}", t.elapsed());
        thread::sleep(Duration::from_millis(50));
        assert_eq!(creates(&seen), 1, "{garbage:?}");
    }
}

#[test]
fn client_429_waits_retry_after() {
    let (port, seen) = scripted(vec![
        Reply::Send(too_many()),
        Reply::Send(ok_participant(200)),
    ]);
    let mut c = client(port);
    let t = Instant::now();
    let p = c.update(CF, CA, &Update::mute()).unwrap();
    let took = t.elapsed();
    assert_eq!(p.muted, Some(true));
    assert!(
        (Duration::from_millis(950)..Duration::from_secs(3)).contains(&took),
        "{took:?}"
    );
    assert_eq!(seen.lock().unwrap().len(), 2);
    assert_eq!(c.last_exchange().attempts, 2);
}

#[test]
fn client_keep_alive_closed_on_reuse() {
    // The server reads the second request and closes without answering: the update is
    // sent again on a new connection.
    let ok = ok_participant(200);
    let (port, seen) = scripted(vec![Reply::Send(ok), Reply::Close, Reply::Send(ok)]);
    let mut c = client(port);
    c.update(CF, CA, &Update::mute()).unwrap();
    c.update(CF, CA, &Update::unmute()).unwrap();
    assert_eq!(seen.lock().unwrap().len(), 3);

    // The same for a create: it may have been applied, so it is not sent again.
    let (port, seen) = scripted(vec![Reply::Send(ok), Reply::Close, Reply::Send(ok)]);
    let mut c = client(port);
    c.fetch(CF, CA).unwrap();
    let t = Instant::now();
    let e = c.create(CF, &create()).unwrap_err();
    assert!(matches!(e, Error::Transport(_)), "{e:?}");
    assert!(t.elapsed() < Duration::from_secs(2), "{:?}", t.elapsed());
    thread::sleep(Duration::from_millis(100));
    assert_eq!(creates(&seen), 1, "{:?}", seen.lock().unwrap());

    // The server closed right after answering (before the reuse): the pool notices and
    // the create goes once, on a new connection.
    let created = ok_participant(201);
    let (port, seen) = scripted(vec![Reply::SendClose(ok), Reply::Send(created)]);
    let mut c = client(port);
    c.fetch(CF, CA).unwrap();
    thread::sleep(Duration::from_millis(50));
    c.create(CF, &create()).unwrap();
    assert_eq!(creates(&seen), 1, "{:?}", seen.lock().unwrap());
}
