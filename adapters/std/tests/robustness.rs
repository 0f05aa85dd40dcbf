//! Faults and load against `confpart serve` (issue 12 §3): the command's own binary, run
//! as a child process on a loopback port, its log read back from its stderr (JSON lines).
//!
//! - `bad_clients_do_not_starve_a_good_one`: slow (a byte a second), silent, oversized,
//!   10 000 malformed in a row, 1 000 refused, and a never-reading client, while a
//!   well-formed keep-alive client is timed and a crowd of 1 000 keep-alive connections
//!   stays open, each updating a participant about once a second; the server's peak RSS
//!   is read from `/proc/<pid>/status`.
//! - `connections_past_the_cap_get_503`: `--max-connections` set low; the next
//!   connection gets a 503 with a Twilio body and `Connection: close`, is logged and
//!   counted, and a connection is served again once one closes.
//! - `concurrent_updates_match_a_sequential_model`: 16 clients × 1 000 random updates
//!   (coaching included) to 50 participants in two conferences, every participant shared
//!   by every client; the log's `seq` gives the order the bridge applied them, a model
//!   replays that order, and every answer and the final state must agree with it.
//! - `client_*`: the std client against a scripted server (stall, reset, garbage, 429,
//!   keep-alive closed on reuse).
//!
//! Every loop is bounded in count and in time. Figures (requests, RSS, p99) are printed
//! (`cargo test -p confpart-std --release --test robustness -- --nocapture`).
#![allow(missing_docs)]

mod common;

use std::collections::{BTreeMap, HashMap};
use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use common::Proc;
use confpart::api::create::Create;
use confpart::api::retry::RetryPolicy;
use confpart::api::update::Update;
use confpart::bridge::Timing;
use confpart_std::bridge::{BridgeConfig, VecSink};
use confpart_std::client::Client;
use confpart_std::config::{BaseUrl, Dialect, Scheme, Secret, Service};
use confpart_std::error::Error;
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
    confpart::client::Credentials::new(AC, TOKEN)
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

/// Peak resident set size of process `pid` (`VmHWM`), in KiB.
fn peak_rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
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

/// `confpart serve` (the binary) on a loopback port, with short timeouts and JSON log
/// lines; the demo conference's participants are labelled `agent`, `customer`,
/// `supervisor`.
struct Bridge {
    proc: Proc,
    addr: SocketAddr,
    conference: String,
    calls: Vec<String>,
}

impl Bridge {
    fn start(workers: usize) -> Self {
        let proc = Proc::spawn(
            Command::new(env!("CARGO_BIN_EXE_confpart"))
                .args(["serve", "--listen", "127.0.0.1:0", "--account", AC])
                .args([
                    "--token",
                    TOKEN,
                    "--demo-conference",
                    "--log-format",
                    "json",
                ])
                .args(["--workers", &workers.to_string()])
                .args(["--idle-timeout", "4s", "--header-timeout", "5s"])
                .args(["--request-timeout", "8s", "--write-timeout", "2s"]),
        );
        let line = proc.wait_for("listening on http://", Duration::from_secs(20));
        let addr = line
            .rsplit("http://")
            .next()
            .unwrap()
            .trim()
            .parse()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let lines = proc.lines.lock().unwrap().clone();
            let calls: Vec<String> = lines
                .iter()
                .filter_map(|l| l.strip_prefix("participant "))
                .map(str::to_owned)
                .collect();
            if calls.len() == 3 {
                let conference = lines
                    .iter()
                    .find_map(|l| l.strip_prefix("conference "))
                    .unwrap()
                    .to_owned();
                return Self {
                    proc,
                    addr,
                    conference,
                    calls,
                };
            }
            assert!(Instant::now() < deadline, "{}", proc.output());
            thread::sleep(Duration::from_millis(20));
        }
    }

    fn pid(&self) -> u32 {
        self.proc.child.id()
    }

    /// The server's JSON log lines so far.
    fn log(&self) -> Vec<Value> {
        self.proc
            .lines
            .lock()
            .unwrap()
            .iter()
            .filter(|l| l.starts_with('{'))
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
            .collect()
    }

    /// The log once `done` holds for it (lines are written just after each answer is
    /// sent), or after 10 s.
    fn log_when(&self, done: impl Fn(&[Value]) -> bool) -> Vec<Value> {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let log = self.log();
            if done(&log) || Instant::now() > deadline {
                return log;
            }
            thread::sleep(Duration::from_millis(20));
        }
    }
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

/// Keep-alive connections held open (and used) while the faults run.
const CROWD: usize = 1_000;

/// Malformed requests sent in a row, one connection each.
const MALFORMED: usize = 10_000;

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
    let bridge = Bridge::start(2);
    let (addr, cf) = (bridge.addr, bridge.conference.clone());
    let auth = basic();
    let stop = AtomicBool::new(false);
    let sent = AtomicUsize::new(0);
    let bad = AtomicUsize::new(0);
    let latencies = Mutex::new(Vec::new());
    let test_deadline = Instant::now() + Duration::from_secs(60);

    thread::scope(|scope| {
        // The well-formed client: fetch and update on one keep-alive connection, each
        // answered within 2 s, until the faults are done (at most 50 000 requests).
        let good = scope.spawn(|| {
            let mut s = connect(addr);
            let mut pending = Vec::new();
            let mut mine = Vec::new();
            for i in 0..50_000 {
                if stop.load(Ordering::SeqCst) || Instant::now() > test_deadline {
                    break;
                }
                let req = if i % 2 == 0 {
                    request("GET", &cf, "agent", "", &auth)
                } else {
                    let body = if i % 4 == 1 {
                        "Muted=true"
                    } else {
                        "Muted=false"
                    };
                    request("POST", &cf, "agent", body, &auth)
                };
                let t = Instant::now();
                s.write_all(&req).unwrap();
                let resp = read_response(&mut s, &mut pending).expect("good client answered");
                let took = t.elapsed();
                sent.fetch_add(1, Ordering::SeqCst);
                assert_eq!(resp.status, 200, "{resp:?}");
                assert!(took < Duration::from_secs(2), "good request took {took:?}");
                mine.push(took);
                // A client thinking between requests (the idle timeout is 4 s).
                thread::sleep(Duration::from_millis(2));
            }
            latencies.lock().unwrap().extend(mine);
        });

        // The crowd: CROWD keep-alive connections open at once, each sending an update
        // in turn (a sweep over all of them takes well under the 4 s idle timeout),
        // every one answered 200, until the faults are done.
        let crowd = scope.spawn(|| {
            let mut conns: Vec<(TcpStream, Vec<u8>)> =
                (0..CROWD).map(|_| (connect(addr), Vec::new())).collect();
            let mut sweeps = 0;
            let mut worst = Duration::ZERO;
            while sweeps < 200 && Instant::now() < test_deadline {
                let t = Instant::now();
                // Every connection's request first, then every answer: a sweep costs
                // about one round trip, not a thousand.
                for (i, (s, _)) in conns.iter_mut().enumerate() {
                    let body = if (i + sweeps) % 2 == 0 {
                        "Muted=true"
                    } else {
                        "Muted=false"
                    };
                    s.write_all(&request("POST", &cf, "customer", body, &auth))
                        .unwrap();
                }
                for (i, (s, pending)) in conns.iter_mut().enumerate() {
                    let resp = read_response(s, pending)
                        .unwrap_or_else(|| panic!("crowd #{i} closed in sweep {sweeps}"));
                    assert_eq!(resp.status, 200, "crowd #{i}: {resp:?}");
                }
                sweeps += 1;
                worst = worst.max(t.elapsed());
                sent.fetch_add(CROWD, Ordering::SeqCst);
                if stop.load(Ordering::SeqCst) && sweeps >= 2 {
                    break;
                }
                // Phones between updates: open, quiet, well inside the idle timeout.
                thread::sleep(Duration::from_millis(500));
            }
            (sweeps, worst)
        });

        // Slow clients: a valid request, one byte a second: cut off by the header
        // timeout (5 s) with a 408 and a Twilio body, then closed.
        let mut others = Vec::new();
        for _ in 0..2 {
            others.push(scope.spawn(|| {
                let mut s = connect(addr);
                let req = request("GET", &cf, "customer", "", &auth);
                let t = Instant::now();
                for b in req.iter().take(8) {
                    if s.write_all(&[*b]).is_err() {
                        break;
                    }
                    thread::sleep(Duration::from_secs(1));
                }
                sent.fetch_add(1, Ordering::SeqCst);
                bad.fetch_add(1, Ordering::SeqCst);
                let resp = read_response(&mut s, &mut Vec::new()).expect("a 408");
                assert_eq!(resp.status, 408, "{resp:?}");
                assert_eq!(resp.twilio_code(), 20001);
                assert!(resp.closes(), "{resp:?}");
                assert!(closed_within(&mut s, Duration::from_secs(2)));
                let took = t.elapsed();
                assert!(
                    (Duration::from_millis(4500)..Duration::from_secs(9)).contains(&took),
                    "{took:?}"
                );
            }));
        }
        // Silent clients: connect, never send: closed by the idle timeout (4 s).
        for _ in 0..2 {
            others.push(scope.spawn(|| {
                let mut s = connect(addr);
                let t = Instant::now();
                assert!(
                    closed_within(&mut s, Duration::from_secs(8)),
                    "never closed"
                );
                assert!(
                    t.elapsed() >= Duration::from_millis(3500),
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
            let one = request("GET", &cf, "customer", "", &auth);
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

        // 10 000 framing errors in a row, one connection each: 4xx + Twilio body + close.
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        let mut statuses = BTreeMap::new();
        for i in 0..MALFORMED {
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
                "POST /2010-04-01/Accounts/{AC}/Conferences/{cf}/Participants/agent.json HTTP/1.1\r\nHost: x\r\nAuthorization: {auth}\r\nTransfer-Encoding: chunked\r\n\r\n{:x}\r\n",
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
                let (req, status) = refused(i, &cf, "agent", &auth);
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
        let (sweeps, worst) = crowd.join().unwrap();
        eprintln!("crowd: {CROWD} connections open, {sweeps} sweeps, slowest {worst:?}");
        assert!(sweeps >= 2, "the crowd made {sweeps} sweeps");
    });

    let rss = peak_rss_kib(bridge.pid());
    let mut latencies = latencies.into_inner().unwrap();
    let served = latencies.len();
    let p99 = p99(&mut latencies);
    // Every malformed request was logged by the server with its 4xx/501.
    let log = bridge.log_when(|log| log.len() >= MALFORMED);
    let framing = log
        .iter()
        .filter(|l| l["method"] == "-" && l["status"].as_u64().is_some_and(|s| s >= 400))
        .count();
    assert!(framing >= MALFORMED, "{framing} framing errors logged");
    eprintln!(
        "faults: {} requests sent ({} bad inputs), good client served {served} with p99 {p99:?}, server peak RSS {rss} KiB",
        sent.load(Ordering::SeqCst),
        bad.load(Ordering::SeqCst),
    );
    assert!(
        served > 50,
        "the good client was served only {served} times"
    );
    assert!(rss > 0, "no VmHWM for the server");
    assert!(rss < 64 * 1024, "server peak RSS {rss} KiB");
}

/// `--max-connections` (here 20, in-process to read the counter): the 21st connection is
/// answered 503 / 20503 with a Twilio body and `Connection: close`, then closed, and is
/// logged and counted; once one closes, a new connection is served.
#[test]
fn connections_past_the_cap_get_503() {
    const CAP: usize = 20;
    let log = Arc::new(MemoryLog::default());
    let mut options = ServerOptions::new(([127, 0, 0, 1], 0).into());
    options.max_connections = CAP;
    options.log = Arc::clone(&log) as Arc<dyn LogSink>;
    let config = BridgeConfig {
        dialect: Dialect::Twilio,
        timing: Timing::IMMEDIATE,
        accounts: vec![(AC.to_owned(), Secret::new(TOKEN))],
        limits: confpart::bridge::Limits::TWILIO,
    };
    let running = confpart_std::bridge::start(&config, options).unwrap();
    let (cf, calls) = running
        .bridge
        .demo_conference(AC, "room", &["agent"])
        .unwrap();
    let auth = basic();
    let fetch = request("GET", &cf, &calls[0], "", &auth);
    let mut held: Vec<(TcpStream, Vec<u8>)> = (0..CAP)
        .map(|_| (connect(running.addr), Vec::new()))
        .collect();
    for (s, pending) in &mut held {
        s.write_all(&fetch).unwrap();
        assert_eq!(read_response(s, pending).unwrap().status, 200);
    }
    assert_eq!(running.stats.open(), CAP);
    for n in 1..=3 {
        let mut s = connect(running.addr);
        let _ = s.write_all(&fetch); // sent before the refusal: still answered
        let resp = read_response(&mut s, &mut Vec::new()).expect("a 503");
        assert_eq!(resp.status, 503, "{resp:?}");
        assert_eq!(resp.twilio_code(), 20503);
        assert!(resp.closes(), "{resp:?}");
        assert!(closed_within(&mut s, Duration::from_secs(2)));
        assert_eq!(running.stats.refused(), n);
    }
    // The held connections are still served; one closes, and a new one is served.
    for (s, pending) in &mut held {
        s.write_all(&fetch).unwrap();
        assert_eq!(read_response(s, pending).unwrap().status, 200);
    }
    drop(held.pop());
    let t = Instant::now();
    while running.stats.open() >= CAP {
        assert!(t.elapsed() < Duration::from_secs(5), "never closed");
        thread::sleep(Duration::from_millis(10));
    }
    let mut s = connect(running.addr);
    s.write_all(&fetch).unwrap();
    assert_eq!(read_response(&mut s, &mut Vec::new()).unwrap().status, 200);
    drop((s, held));
    running.stop();
    let busy = log
        .lines()
        .iter()
        .filter(|l| l.starts_with("- - 503 20503 ") && l.contains(" peer=127.0.0.1:"))
        .count();
    assert_eq!(busy, 3, "{:?}", log.lines());
}

// ---------------------------------------------------------------------------------------
// Concurrency
// ---------------------------------------------------------------------------------------

const CLIENTS: usize = 16;
const UPDATES: usize = 1_000;
/// Participants in all, in two conferences.
const PARTICIPANTS: usize = 50;
/// Participants `0..IN_FIRST` are in the demo conference, the rest in a second one.
const IN_FIRST: usize = 25;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct Model {
    muted: bool,
    hold: bool,
    coach: Option<usize>,
}

/// One update a client sent, and what it got.
#[derive(Debug)]
struct Sent {
    participant: usize,
    kind: Kind,
    status: u16,
    code: Option<u64>,
    body: Value,
}

/// The random updates (the form each sends is [`Kind::form`]).
#[derive(Debug, Clone, Copy)]
enum Kind {
    Mute(bool),
    Hold(bool),
    /// `Coaching=true&CallSidToCoach=` the participant.
    Coach(usize),
    /// `CallSidToCoach=` alone (implies coaching).
    CoachTarget(usize),
    /// `Muted=true&Coaching=true&CallSidToCoach=` (monitor).
    Monitor(usize),
    /// `Coaching=true` alone: keeps an existing target, refused without one.
    CoachingAlone,
    /// `Coaching=false`.
    StopCoaching,
    /// `Coaching=false&CallSidToCoach=`: refused (a target without coaching).
    Contradiction(usize),
    /// `Hold=false&Muted=false` (back in the room).
    Rejoin,
}

impl Kind {
    fn random(rng: &mut Rng) -> Self {
        let p = rng.below(PARTICIPANTS);
        match rng.below(20) {
            0..=3 => Kind::Mute(rng.below(2) == 0),
            4..=7 => Kind::Hold(rng.below(2) == 0),
            8..=10 => Kind::Coach(p),
            11 => Kind::CoachTarget(p),
            12 | 13 => Kind::Monitor(p),
            14 => Kind::CoachingAlone,
            15 | 16 => Kind::StopCoaching,
            17 => Kind::Contradiction(p),
            _ => Kind::Rejoin,
        }
    }

    fn form(self, calls: &[String]) -> String {
        match self {
            Kind::Mute(m) => format!("Muted={m}"),
            Kind::Hold(h) => format!("Hold={h}"),
            Kind::Coach(t) => format!("Coaching=true&CallSidToCoach={}", calls[t]),
            Kind::CoachTarget(t) => format!("CallSidToCoach={}", calls[t]),
            Kind::Monitor(t) => format!("Muted=true&Coaching=true&CallSidToCoach={}", calls[t]),
            Kind::CoachingAlone => "Coaching=true".to_owned(),
            Kind::StopCoaching => "Coaching=false".to_owned(),
            Kind::Contradiction(t) => format!("Coaching=false&CallSidToCoach={}", calls[t]),
            Kind::Rejoin => "Hold=false&Muted=false".to_owned(),
        }
    }

    /// The model's answer to this update of participant `p`: the new state, or the
    /// refusal's (status, code). The rules are the core's (`confpart::bridge` apply
    /// docs): form first (20001), then the coaching target: not itself (20001), in the
    /// same conference (16028), not on hold (16027). Every participant is connected.
    fn apply(self, p: usize, state: &[Model]) -> Result<Model, (u16, u64)> {
        let same_conference = |t: usize| (t < IN_FIRST) == (p < IN_FIRST);
        let coach = |t: usize| -> Result<usize, (u16, u64)> {
            if t == p {
                Err((400, 20001))
            } else if !same_conference(t) {
                Err((400, 16028))
            } else if state[t].hold {
                Err((400, 16027))
            } else {
                Ok(t)
            }
        };
        let mut next = state[p];
        match self {
            Kind::Mute(m) => next.muted = m,
            Kind::Hold(h) => next.hold = h,
            Kind::Coach(t) | Kind::CoachTarget(t) => next.coach = Some(coach(t)?),
            Kind::Monitor(t) => {
                next.coach = Some(coach(t)?);
                next.muted = true;
            }
            Kind::CoachingAlone => {
                if next.coach.is_none() {
                    return Err((400, 20001));
                }
            }
            Kind::StopCoaching => next.coach = None,
            Kind::Contradiction(_) => return Err((400, 20001)),
            Kind::Rejoin => {
                next.hold = false;
                next.muted = false;
            }
        }
        Ok(next)
    }
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

/// Adds participants to the demo conference and makes a second one, through the API;
/// returns the conference of each participant and their call SIDs, once every one is
/// connected.
fn fifty_participants(bridge: &Bridge, auth: &str) -> (Vec<String>, Vec<String>) {
    let mut s = connect(bridge.addr);
    let mut pending = Vec::new();
    let mut conferences = vec![bridge.conference.clone(); bridge.calls.len()];
    let mut calls = bridge.calls.clone();
    let mut second = "second-room".to_owned();
    for i in calls.len()..PARTICIPANTS {
        let cf = if i < IN_FIRST {
            bridge.conference.clone()
        } else {
            second.clone()
        };
        let body = format!("From=%2B15005550006&To=%2B1500555{i:04}&Label=p{i}");
        s.write_all(&request("POST", &cf, "", &body, auth)).unwrap();
        let resp = read_response(&mut s, &mut pending).unwrap();
        assert_eq!(resp.status, 201, "{resp:?}");
        let v = resp.json();
        let conference = v["conference_sid"].as_str().unwrap().to_owned();
        if i >= IN_FIRST {
            second.clone_from(&conference);
        }
        conferences.push(conference);
        calls.push(v["call_sid"].as_str().unwrap().to_owned());
    }
    // The bridge's tick (every 200 ms) connects them.
    let deadline = Instant::now() + Duration::from_secs(10);
    for (cf, call) in conferences.iter().zip(&calls) {
        loop {
            s.write_all(&request("GET", cf, call, "", auth)).unwrap();
            let resp = read_response(&mut s, &mut pending).unwrap();
            assert_eq!(resp.status, 200, "{resp:?}");
            if resp.json()["status"] == "connected" {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "{call} never connected: {resp:?}"
            );
            thread::sleep(Duration::from_millis(50));
        }
    }
    (conferences, calls)
}

/// Why the final state can be compared with a sequential model: every request that
/// reaches the bridge's service gets a sequence number, taken while the service is
/// locked (the log's `seq`), so sorting the log by `seq` gives the order the bridge
/// applied the updates. Each client sends on one keep-alive connection, one request at
/// a time, so its k-th log line (by `seq`, matched on the connection's address, the
/// log's `peer`) is its k-th update. The model replays every client's updates in `seq`
/// order; each answer must be the model's at that point (the state after it, or the
/// refusal's status and code), and the final fetch of every participant must equal the
/// model's end state: nothing lost, nothing applied twice, nothing refused except by the
/// rules.
#[test]
fn concurrent_updates_match_a_sequential_model() {
    let bridge = Bridge::start(CLIENTS + 2);
    let addr = bridge.addr;
    let auth = basic();
    let (conferences, calls) = fifty_participants(&bridge, &auth);
    let deadline = Instant::now() + Duration::from_secs(120);

    let results: Vec<(SocketAddr, Vec<Sent>, Vec<Duration>)> = thread::scope(|scope| {
        let handles: Vec<_> = (0..CLIENTS)
            .map(|c| {
                let (conferences, calls, auth) = (&conferences, &calls, &auth);
                scope.spawn(move || {
                    let mut rng = Rng(0x1234_5678 + c as u64 * 7919);
                    let mut s = connect(addr);
                    let local = s.local_addr().unwrap();
                    let mut pending = Vec::new();
                    let mut latencies = Vec::with_capacity(UPDATES);
                    let mut sent = Vec::with_capacity(UPDATES);
                    for n in 0..UPDATES {
                        assert!(Instant::now() < deadline, "client {c} out of time");
                        let p = rng.below(PARTICIPANTS);
                        let kind = Kind::random(&mut rng);
                        // Address by label (Twilio) now and then.
                        let who = if p >= 3 && rng.below(4) == 0 {
                            format!("p{p}")
                        } else {
                            calls[p].clone()
                        };
                        let req = request("POST", &conferences[p], &who, &kind.form(calls), auth);
                        let t = Instant::now();
                        s.write_all(&req).unwrap();
                        let resp = read_response(&mut s, &mut pending)
                            .unwrap_or_else(|| panic!("client {c}: no answer to #{n}"));
                        latencies.push(t.elapsed());
                        assert!(!resp.closes(), "client {c} #{n}: {resp:?}");
                        let body = resp.json();
                        let code = (resp.status != 200).then(|| resp.twilio_code());
                        sent.push(Sent {
                            participant: p,
                            kind,
                            status: resp.status,
                            code,
                            body,
                        });
                    }
                    (local, sent, latencies)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });

    // The bridge's order: each client's log lines, by seq.
    let peers: Vec<String> = results.iter().map(|r| r.0.to_string()).collect();
    let mine = |l: &Value| peers.iter().any(|p| l["peer"] == p.as_str());
    let log = bridge.log_when(|log| log.iter().filter(|l| mine(l)).count() >= CLIENTS * UPDATES);
    let mut by_peer: HashMap<String, Vec<(u64, u16, Option<u64>)>> = HashMap::new();
    for l in log.iter().filter(|l| mine(l)) {
        let peer = l["peer"].as_str().unwrap().to_owned();
        let seq = l["seq"].as_u64().unwrap_or_else(|| panic!("no seq: {l}"));
        let status = u16::try_from(l["status"].as_u64().unwrap()).unwrap();
        by_peer
            .entry(peer)
            .or_default()
            .push((seq, status, l["code"].as_u64()));
    }
    let mut order = Vec::with_capacity(CLIENTS * UPDATES);
    for (c, (local, sent, _)) in results.iter().enumerate() {
        let mut lines = by_peer.remove(&local.to_string()).unwrap_or_default();
        lines.sort_unstable();
        assert_eq!(lines.len(), UPDATES, "client {c}: log lines");
        for (k, ((seq, status, code), s)) in lines.iter().zip(sent).enumerate() {
            assert_eq!(
                (*status, *code),
                (s.status, s.code),
                "client {c} #{k}: log and answer differ"
            );
            order.push((*seq, c, k));
        }
    }
    order.sort_unstable();
    assert!(
        order.windows(2).all(|w| w[0].0 < w[1].0),
        "a seq used twice"
    );

    let mut model = [Model::default(); PARTICIPANTS];
    let mut refusals: BTreeMap<u64, usize> = BTreeMap::new();
    for &(seq, c, k) in &order {
        let s = &results[c].1[k];
        let ctx = format!(
            "seq {seq} client {c} #{k} p{} {}",
            s.participant,
            s.kind.form(&calls)
        );
        match s.kind.apply(s.participant, &model) {
            Ok(next) => {
                assert_eq!(s.status, 200, "{ctx}: {}", s.body);
                check_participant(&s.body, &next, &calls, &ctx);
                model[s.participant] = next;
            }
            Err((status, code)) => {
                assert_eq!(
                    (s.status, s.code),
                    (status, Some(code)),
                    "{ctx}: {}",
                    s.body
                );
                *refusals.entry(code).or_insert(0) += 1;
            }
        }
    }

    // The bridge's state: fetch every participant.
    let mut s = connect(addr);
    let mut pending = Vec::new();
    for (p, m) in model.iter().enumerate() {
        s.write_all(&request("GET", &conferences[p], &calls[p], "", &auth))
            .unwrap();
        let resp = read_response(&mut s, &mut pending).unwrap();
        assert_eq!(resp.status, 200, "{resp:?}");
        check_participant(&resp.json(), m, &calls, &format!("final p{p}"));
    }
    let rss = peak_rss_kib(bridge.pid());
    let mut latencies: Vec<Duration> = results.into_iter().flat_map(|r| r.2).collect();
    let p99 = p99(&mut latencies);
    eprintln!(
        "load: {} updates by {CLIENTS} clients to {PARTICIPANTS} participants, refused by the rules {refusals:?} (all as the model says), p99 {p99:?}, server peak RSS {rss} KiB",
        CLIENTS * UPDATES,
    );
    assert!(rss < 64 * 1024, "server peak RSS {rss} KiB");
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
