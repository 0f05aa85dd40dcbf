//! A load tool for a participant bridge on loopback, for what `wrk` cannot do: thousands of
//! phones each on its own keep-alive connection, most of them idle, some sending an Update
//! on a fixed schedule. Used by `scripts/bridge-bench`.
//!
//! ```text
//! phones setup --addr A --account AC --token T --count N [--per-conference K] --out FILE
//! phones run   --addr A --account AC --token T --participants FILE
//!              [--idle 9000] [--active 1000] [--interval 200ms] [--duration 20s]
//! ```
//!
//! `setup` creates `N` participants through the bridge's API, `K` a conference (default
//! 32), waits until each is connected, and writes `CONFERENCE_SID CALL_SID` lines to FILE.
//!
//! `run` opens `idle + active` connections; every connection first sends one Update (so
//! each one is known to be served), then the idle ones hold their connection silently and
//! the active ones send an Update (of participant `i mod N`, `Muted` flipping) every
//! `interval`, for `duration`. Latency is measured from each request's scheduled time (so
//! a stalled server is not hidden by a stalled client), and every answer must be `200`.
//! At the end every idle connection sends one more Update, to show it was still open.
//! Prints one summary line: `requests=… non200=… errors=… rps=… p50_ms=… p99_ms=…
//! max_ms=…`.
#![allow(missing_docs)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use base64::Engine as _;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::Semaphore;
use tokio::time::{Instant, MissedTickBehavior};

type Error = Box<dyn std::error::Error + Send + Sync>;

struct Opts {
    addr: SocketAddr,
    account: String,
    token: String,
    participants: String,
    count: usize,
    per_conference: usize,
    out: String,
    idle: usize,
    active: usize,
    interval: Duration,
    duration: Duration,
}

fn duration(v: &str) -> Result<Duration, Error> {
    if let Some(ms) = v.strip_suffix("ms") {
        Ok(Duration::from_millis(ms.parse()?))
    } else if let Some(s) = v.strip_suffix('s') {
        Ok(Duration::from_secs(s.parse()?))
    } else {
        Err(format!("{v}: a duration like 200ms or 20s").into())
    }
}

fn opts(args: &[String]) -> Result<Opts, Error> {
    let mut o = Opts {
        addr: "127.0.0.1:8080".parse()?,
        account: String::new(),
        token: String::new(),
        participants: String::new(),
        count: 0,
        per_conference: 32,
        out: String::new(),
        idle: 9_000,
        active: 1_000,
        interval: Duration::from_millis(200),
        duration: Duration::from_secs(20),
    };
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let v = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--addr" => o.addr = v.parse()?,
            "--account" => o.account.clone_from(v),
            "--token" => o.token.clone_from(v),
            "--participants" => o.participants.clone_from(v),
            "--count" => o.count = v.parse()?,
            "--per-conference" => o.per_conference = v.parse()?,
            "--out" => o.out.clone_from(v),
            "--idle" => o.idle = v.parse()?,
            "--active" => o.active = v.parse()?,
            "--interval" => o.interval = duration(v)?,
            "--duration" => o.duration = duration(v)?,
            _ => return Err(format!("unknown flag {flag}").into()),
        }
    }
    Ok(o)
}

/// One keep-alive connection with a little read buffer.
struct Conn {
    stream: TcpStream,
    buf: Vec<u8>,
}

impl Conn {
    async fn open(addr: SocketAddr) -> Result<Self, Error> {
        let stream = TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        Ok(Self {
            stream,
            buf: Vec::new(),
        })
    }

    /// Sends `req` and reads one response: its status and body.
    async fn call(&mut self, req: &[u8]) -> Result<(u16, Vec<u8>), Error> {
        self.stream.write_all(req).await?;
        let mut chunk = [0u8; 4096];
        loop {
            if let Some(end) = self.buf.windows(4).position(|w| w == b"\r\n\r\n") {
                let head = std::str::from_utf8(&self.buf[..end])?;
                let status: u16 = head.get(9..12).ok_or("short status line")?.parse()?;
                let len = head
                    .lines()
                    .find_map(|l| {
                        let (k, v) = l.split_once(':')?;
                        k.eq_ignore_ascii_case("content-length")
                            .then(|| v.trim().parse::<usize>().ok())?
                    })
                    .unwrap_or(0);
                if self.buf.len() >= end + 4 + len {
                    let body = self.buf[end + 4..end + 4 + len].to_vec();
                    self.buf.drain(..end + 4 + len);
                    return Ok((status, body));
                }
            }
            let n = self.stream.read(&mut chunk).await?;
            if n == 0 {
                return Err("closed by the server".into());
            }
            self.buf.extend_from_slice(&chunk[..n]);
        }
    }
}

fn basic(account: &str, token: &str) -> String {
    let creds = base64::engine::general_purpose::STANDARD.encode(format!("{account}:{token}"));
    format!("Basic {creds}")
}

fn post(path: &str, auth: &str, body: &str) -> Vec<u8> {
    format!(
        "POST {path} HTTP/1.1\r\nHost: bridge\r\nAuthorization: {auth}\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

fn get(path: &str, auth: &str) -> Vec<u8> {
    format!("GET {path} HTTP/1.1\r\nHost: bridge\r\nAuthorization: {auth}\r\n\r\n").into_bytes()
}

/// A JSON string field's value (enough for the bridge's flat answers).
fn field(body: &[u8], name: &str) -> Option<String> {
    let v: serde_json::Value = serde_json::from_slice(body).ok()?;
    v.get(name)?.as_str().map(str::to_owned)
}

async fn setup(o: &Opts, count: usize) -> Result<(), Error> {
    let auth = basic(&o.account, &o.token);
    let mut conn = Conn::open(o.addr).await?;
    let mut made: Vec<(String, String)> = Vec::with_capacity(count);
    let mut conference = String::new();
    for i in 0..count {
        if i % o.per_conference.max(1) == 0 {
            conference = format!("bench-{}", i / o.per_conference.max(1));
        }
        let path = format!(
            "/2010-04-01/Accounts/{}/Conferences/{conference}/Participants.json",
            o.account
        );
        let body = format!("From=%2B15005550006&To=%2B1500555{:04}", i % 10_000);
        let (status, answer) = conn.call(&post(&path, &auth, &body)).await?;
        if status != 201 {
            return Err(
                format!("create #{i}: {status} {}", String::from_utf8_lossy(&answer)).into(),
            );
        }
        let cf = field(&answer, "conference_sid").ok_or("no conference_sid")?;
        let ca = field(&answer, "call_sid").ok_or("no call_sid")?;
        conference.clone_from(&cf);
        made.push((cf, ca));
    }
    // The bridge's tick connects them.
    let deadline = Instant::now() + Duration::from_secs(30);
    for (cf, ca) in &made {
        let path = format!(
            "/2010-04-01/Accounts/{}/Conferences/{cf}/Participants/{ca}.json",
            o.account
        );
        loop {
            let (status, answer) = conn.call(&get(&path, &auth)).await?;
            if status == 200 && field(&answer, "status").as_deref() == Some("connected") {
                break;
            }
            if Instant::now() > deadline {
                return Err(format!("{ca} never connected").into());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    let lines: String = made.iter().map(|(cf, ca)| format!("{cf} {ca}\n")).collect();
    std::fs::write(&o.out, lines)?;
    println!("{} participants in {}", made.len(), o.out);
    Ok(())
}

/// What the active phones measured.
#[derive(Default)]
struct Tally {
    requests: AtomicU64,
    non200: AtomicU64,
    errors: AtomicU64,
}

async fn run(o: Opts) -> Result<(), Error> {
    let auth = basic(&o.account, &o.token);
    let targets: Vec<String> = std::fs::read_to_string(&o.participants)?
        .lines()
        .filter_map(|l| l.split_once(' '))
        .map(|(cf, ca)| {
            format!(
                "/2010-04-01/Accounts/{}/Conferences/{cf}/Participants/{ca}.json",
                o.account
            )
        })
        .collect();
    if targets.is_empty() {
        return Err("no participants".into());
    }
    let update = |i: usize, n: usize| -> Vec<u8> {
        let muted = if n.is_multiple_of(2) { "true" } else { "false" };
        post(
            &targets[i % targets.len()],
            &auth,
            &format!("Muted={muted}"),
        )
    };
    let tally = Arc::new(Tally::default());

    // Open every connection (at most 256 connecting at once), each served once.
    let started = Instant::now();
    let gate = Arc::new(Semaphore::new(256));
    let mut opening = Vec::with_capacity(o.idle + o.active);
    for i in 0..o.idle + o.active {
        let (gate, addr, req) = (Arc::clone(&gate), o.addr, update(i, 0));
        opening.push(tokio::spawn(async move {
            let _permit = gate.acquire_owned().await?;
            let mut c = Conn::open(addr).await?;
            let (status, body) = c.call(&req).await?;
            if status != 200 {
                return Err(
                    format!("first update: {status} {}", String::from_utf8_lossy(&body)).into(),
                );
            }
            Ok::<Conn, Error>(c)
        }));
    }
    let mut conns = Vec::with_capacity(opening.len());
    for h in opening {
        conns.push(h.await??);
    }
    let active: Vec<Conn> = conns.split_off(o.idle);
    let idle = conns;
    eprintln!(
        "{} connections open and served once in {:?}",
        idle.len() + active.len(),
        started.elapsed()
    );

    // The active phones: an Update every interval, starts spread over one interval.
    let t0 = Instant::now() + Duration::from_millis(100);
    let end = t0 + o.duration;
    let mut phones = Vec::with_capacity(active.len());
    for (i, mut c) in active.into_iter().enumerate() {
        let offset = o.interval.mul_f64(i as f64 / o.active.max(1) as f64);
        let reqs = [update(o.idle + i, 1), update(o.idle + i, 2)];
        let (tally, interval) = (Arc::clone(&tally), o.interval);
        phones.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            let mut tick = tokio::time::interval_at(t0 + offset, interval);
            tick.set_missed_tick_behavior(MissedTickBehavior::Burst);
            let mut n = 0usize;
            loop {
                let scheduled = tick.tick().await;
                if scheduled >= end {
                    break;
                }
                match c.call(&reqs[n % 2]).await {
                    Ok((200, _)) => {}
                    Ok(_) => {
                        tally.non200.fetch_add(1, Ordering::Relaxed);
                    }
                    Err(_) => {
                        tally.errors.fetch_add(1, Ordering::Relaxed);
                        break;
                    }
                }
                tally.requests.fetch_add(1, Ordering::Relaxed);
                lat.push(scheduled.elapsed());
                n += 1;
            }
            lat
        }));
    }
    let mut latencies = Vec::new();
    for p in phones {
        latencies.extend(p.await?);
    }
    let took = t0.elapsed();

    // Every idle connection is still open and served.
    let mut idle_ok = 0;
    let mut idle_failed = 0;
    let mut checks = Vec::with_capacity(idle.len());
    for (i, mut c) in idle.into_iter().enumerate() {
        let req = update(i, 1);
        checks.push(tokio::spawn(async move {
            matches!(c.call(&req).await, Ok((200, _)))
        }));
    }
    for c in checks {
        if c.await? {
            idle_ok += 1;
        } else {
            idle_failed += 1;
        }
    }

    latencies.sort_unstable();
    let pct = |p: usize| -> f64 {
        if latencies.is_empty() {
            return 0.0;
        }
        let i = (latencies.len() * p).div_ceil(100).saturating_sub(1);
        latencies[i].as_secs_f64() * 1e3
    };
    let requests = tally.requests.load(Ordering::Relaxed);
    println!(
        "phones: idle={} active={} interval={:?} duration={:?} requests={requests} non200={} errors={} idle_rechecked_ok={idle_ok} idle_failed={idle_failed} rps={:.0} p50_ms={:.2} p99_ms={:.2} max_ms={:.2}",
        o.idle,
        o.active,
        o.interval,
        o.duration,
        tally.non200.load(Ordering::Relaxed),
        tally.errors.load(Ordering::Relaxed),
        requests as f64 / took.as_secs_f64(),
        pct(50),
        pct(99),
        pct(100),
    );
    Ok(())
}

fn main() -> Result<(), Error> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (mode, rest) = args.split_first().ok_or("setup or run")?;
    let o = opts(rest)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    match mode.as_str() {
        "setup" => runtime.block_on(setup(&o, o.count)),
        "run" => runtime.block_on(run(o)),
        _ => Err(format!("{mode}: setup or run").into()),
    }
}
