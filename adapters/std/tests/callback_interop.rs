//! The conference status callbacks `confpart serve` (the binary) sends, as a receiver gets
//! them (issue 20): a loopback receiver records each request (method, target, `Host`, the
//! signature header, the raw form body); the scenario goes to the bridge as raw HTTP:
//! three participants, the first subscribed to every event (`ConferenceStatusCallbackEvent
//! = start end join leave mute hold modify speaker announcement`), mute, unmute, hold,
//! unhold, coach, announce, delete one, end the conference (the agent, made
//! `EndConferenceOnExit`, removed).
//!
//! - Always: the callbacks arrive in `SequenceNumber` order (1, 2, ... no gap), with the
//!   events and fields of the issue; `leave` and `end` carry their reasons; each is a POST
//!   whose `X-Twilio-Signature` the core's validator accepts for the URL the receiver
//!   sees (`http://` + `Host` + target).
//! - With `CONFPART_PYTHON` / `CONFPART_NODE` (`tests/interop/run`): the official Twilio
//!   Python SDK's `RequestValidator.validate` and the Node SDK's `validateRequest`
//!   (`tests/interop/signature_sdk.py` / `.js`, op `validate_form`: the raw body parsed
//!   as Flask / Express do) accept every callback as received, and reject it with any
//!   one of its parameters altered, and with the URL altered. Skipped (and said) without
//!   them.
//!
//! Loopback only; the bridge and the SDK processes are bounded in time and killed.
#![allow(missing_docs)]

mod common;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use common::{Proc, tool};
use confpart_std::bridge::VecSink;
use confpart_tests::callbacks::{Sent, check_scenario, run_scenario};

const AC: &str = "AC0123456789abcdef0123456789abcdef";
const TOKEN: &str = "callback-interop-token";
/// Callbacks the scenario causes.
const CALLBACKS: usize = 15;
/// Any single wait (an answer, the callbacks, an SDK run) longer than this is a hang.
const DEADLINE: Duration = Duration::from_secs(30);

/// One callback as the receiver got it.
#[derive(Debug, Clone)]
struct Received {
    method: String,
    /// `http://` + `Host` + the request target: the URL a receiver validates against.
    url: String,
    signature: Option<String>,
    body: String,
}

/// A loopback receiver recording every request, answering each 200.
struct Receiver {
    url: String,
    got: Arc<Mutex<Vec<Received>>>,
    stop: Arc<AtomicBool>,
    thread: Option<thread::JoinHandle<()>>,
}

impl Receiver {
    fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        // A query in the URL, as receivers often have: it is signed too.
        let url = format!(
            "http://{}/conference/events?site=1",
            listener.local_addr().unwrap()
        );
        let got = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (record, halt) = (Arc::clone(&got), Arc::clone(&stop));
        let thread = thread::spawn(move || {
            let started = Instant::now();
            while !halt.load(Ordering::SeqCst) && started.elapsed() < 4 * DEADLINE {
                match listener.accept() {
                    Ok((s, _)) => {
                        s.set_nonblocking(false).unwrap();
                        if let Some(r) = receive(s) {
                            record.lock().unwrap().push(r);
                        }
                    }
                    Err(_) => thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        Self {
            url,
            got,
            stop,
            thread: Some(thread),
        }
    }

    /// The callbacks once `n` arrived (or after [`DEADLINE`]).
    fn wait_for(&self, n: usize) -> Vec<Received> {
        let deadline = Instant::now() + DEADLINE;
        loop {
            let got = self.got.lock().unwrap().clone();
            if got.len() >= n || Instant::now() > deadline {
                return got;
            }
            thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Reads one request (head, `Content-Length` body) and answers 200.
fn receive(mut s: TcpStream) -> Option<Received> {
    s.set_read_timeout(Some(DEADLINE)).unwrap();
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    let (head, len) = loop {
        if let Some(end) = got.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8(got[..end].to_vec()).ok()?;
            got.drain(..end + 4);
            let len = header(&head, "content-length").map_or(0, |v| v.parse().unwrap());
            break (head, len);
        }
        let n = s.read(&mut buf).ok()?;
        if n == 0 {
            return None;
        }
        got.extend_from_slice(&buf[..n]);
    };
    while got.len() < len {
        let n = s.read(&mut buf).ok()?;
        if n == 0 {
            return None;
        }
        got.extend_from_slice(&buf[..n]);
    }
    s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        .ok()?;
    let mut line = head.lines().next()?.split(' ');
    let (method, target) = (line.next()?.to_owned(), line.next()?);
    Some(Received {
        method,
        url: format!("http://{}{target}", header(&head, "host")?),
        signature: header(&head, "x-twilio-signature").map(str::to_owned),
        body: String::from_utf8(got).ok()?,
    })
}

fn header<'h>(head: &'h str, name: &str) -> Option<&'h str> {
    head.lines().skip(1).find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.trim().eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

/// `confpart serve` on a loopback port (any free one) with the test's account.
fn serve() -> (Proc, SocketAddr) {
    let proc = Proc::spawn(
        Command::new(env!("CARGO_BIN_EXE_confpart"))
            .args(["serve", "--listen", "127.0.0.1:0"])
            .args(["--account", AC, "--token", TOKEN]),
    );
    let line = proc.wait_for("listening on http://", DEADLINE);
    let addr = line
        .rsplit("http://")
        .next()
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    (proc, addr)
}

/// One keep-alive connection to the bridge.
struct Client {
    s: TcpStream,
    pending: Vec<u8>,
    auth: String,
}

impl Client {
    fn connect(addr: SocketAddr) -> Self {
        let s = TcpStream::connect(addr).unwrap();
        s.set_read_timeout(Some(DEADLINE)).unwrap();
        let mut auth = Vec::new();
        confpart::client::Credentials::new(AC, TOKEN)
            .unwrap()
            .write_basic(&mut VecSink(&mut auth))
            .unwrap();
        Self {
            s,
            pending: Vec::new(),
            auth: String::from_utf8(auth).unwrap(),
        }
    }

    /// Sends one request under the account's `Conferences/`; the answer's JSON body
    /// (`Null` for none). Panics unless it is a 2xx.
    fn send(&mut self, method: &str, path: &str, body: &str) -> serde_json::Value {
        let request = format!(
            "{method} /2010-04-01/Accounts/{AC}/Conferences/{path} HTTP/1.1\r\nHost: bridge\r\n\
             Authorization: {}\r\nContent-Type: application/x-www-form-urlencoded\r\n\
             Content-Length: {}\r\n\r\n{body}",
            self.auth,
            body.len()
        );
        self.s.write_all(request.as_bytes()).unwrap();
        let mut buf = [0u8; 8192];
        loop {
            if let Some(end) = self.pending.windows(4).position(|w| w == b"\r\n\r\n") {
                let head = String::from_utf8_lossy(&self.pending[..end]).into_owned();
                let len = header(&head, "content-length").map_or(0, |v| v.parse().unwrap());
                if self.pending.len() >= end + 4 + len {
                    let body = self.pending[end + 4..end + 4 + len].to_vec();
                    self.pending.drain(..end + 4 + len);
                    let status: u16 = head[9..12].parse().unwrap();
                    let text = String::from_utf8_lossy(&body);
                    assert!(status < 300, "{method} {path} {body:?}: {head}\n{text}");
                    return if body.is_empty() {
                        serde_json::Value::Null
                    } else {
                        serde_json::from_slice(&body).unwrap()
                    };
                }
            }
            let n = self.s.read(&mut buf).unwrap();
            assert!(n > 0, "the bridge closed the connection");
            self.pending.extend_from_slice(&buf[..n]);
        }
    }
}

fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Runs the issue's scenario through `confpart serve`; the callbacks as received, in
/// arrival order.
fn scenario() -> Vec<Received> {
    let receiver = Receiver::start();
    let (bridge, addr) = serve();
    let mut b = Client::connect(addr);
    run_scenario(&encode(&receiver.url), |method, path, body| {
        b.send(method, path, body)
    });
    let got = receiver.wait_for(CALLBACKS);
    assert_eq!(
        got.len(),
        CALLBACKS,
        "{got:#?}\n--- bridge log:\n{}",
        bridge.output()
    );
    for r in &got {
        assert_eq!(r.method, "POST");
        assert_eq!(r.url, receiver.url, "the URL signed is the one subscribed");
    }
    got
}

#[test]
fn callbacks_arrive_in_order_signed_with_the_issues_fields() {
    let got = scenario();
    for r in &got {
        // Timestamp is RFC 2822, e.g. "Sun, 07 Dec 2026 06:50:00 +0000".
        let ts = form_value(&r.body, "Timestamp").unwrap();
        assert!(ts.ends_with(" +0000") && ts.contains(", "), "{ts}");
    }
    let sent: Vec<Sent<'_>> = got
        .iter()
        .map(|r| Sent {
            url: &r.url,
            body: r.body.as_bytes(),
            signature: r.signature.as_deref().expect("X-Twilio-Signature"),
        })
        .collect();
    check_scenario(&sent, AC, TOKEN);
}

/// A form value, decoded (`+` and `%XX`).
fn form_value(body: &str, key: &str) -> Option<String> {
    body.split('&').find_map(|p| {
        let (k, v) = p.split_once('=')?;
        (k == key).then(|| {
            let v = v.replace('+', " ");
            let mut out = Vec::new();
            let b = v.as_bytes();
            let mut i = 0;
            while i < b.len() {
                if b[i] == b'%' {
                    out.push(u8::from_str_radix(&v[i + 1..i + 3], 16).unwrap());
                    i += 3;
                } else {
                    out.push(b[i]);
                    i += 1;
                }
            }
            String::from_utf8(out).unwrap()
        })
    })
}

fn interop_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/interop")
}

/// The cases for one callback: as received (valid), then each parameter's value altered
/// in turn, then the URL altered (each invalid).
fn cases(r: &Received) -> Vec<(serde_json::Value, bool)> {
    let sig = r.signature.clone().unwrap();
    let case = |url: &str, form: &str| serde_json::json!({"op": "validate_form", "key": TOKEN, "url": url, "form": form, "sig": sig});
    let mut out = vec![(case(&r.url, &r.body), true)];
    let pairs: Vec<&str> = r.body.split('&').collect();
    for k in 0..pairs.len() {
        let mut altered = pairs.clone();
        let changed = format!("{}x", pairs[k]);
        altered[k] = &changed;
        out.push((case(&r.url, &altered.join("&")), false));
    }
    out.push((case(&r.url.replace("site=1", "site=2"), &r.body), false));
    out
}

/// Hands every callback (as received, and altered) to an SDK script; each answer must
/// be the expected one.
fn sdk_accepts_each_and_rejects_altered(var: &str, script: &str) {
    let Some(program) = tool(var) else {
        return;
    };
    let got = scenario();
    let all: Vec<(usize, serde_json::Value, bool)> = got
        .iter()
        .enumerate()
        .flat_map(|(i, r)| cases(r).into_iter().map(move |(c, ok)| (i + 1, c, ok)))
        .collect();
    let input: String = all.iter().map(|(_, c, _)| format!("{c}\n")).collect();
    let mut child = Command::new(program)
        .arg(interop_dir().join(script))
        .current_dir(interop_dir())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = thread::spawn(move || stdin.write_all(input.as_bytes()));
    let child = Arc::new(Mutex::new(child));
    let (tx, rx) = std::sync::mpsc::channel();
    let waited = Arc::clone(&child);
    thread::spawn(move || {
        let mut out = String::new();
        let mut err = String::new();
        let (mut stdout, mut stderr) = {
            let mut c = waited.lock().unwrap();
            (c.stdout.take().unwrap(), c.stderr.take().unwrap())
        };
        let _ = stdout.read_to_string(&mut out);
        let _ = stderr.read_to_string(&mut err);
        let _ = tx.send((out, err));
    });
    let Ok((out, err)) = rx.recv_timeout(4 * DEADLINE) else {
        let _ = child.lock().unwrap().kill();
        panic!("{script} did not finish within {:?}", 4 * DEADLINE);
    };
    writer.join().unwrap().unwrap();
    let status = child.lock().unwrap().wait().unwrap();
    assert!(status.success(), "{script}: {status}\n{err}");
    let answers: Vec<&str> = out.lines().collect();
    assert_eq!(answers.len(), all.len(), "{err}");
    for ((callback, case, ok), answer) in all.iter().zip(answers) {
        let expected = if *ok { "true" } else { "false" };
        assert_eq!(answer, expected, "callback {callback}: {case}");
    }
    let rejected = all.iter().filter(|(_, _, ok)| !ok).count();
    println!(
        "{script}: {} callbacks accepted, {rejected} altered ones rejected",
        got.len()
    );
}

#[test]
fn python_sdk_validates_every_callback_serve_sends() {
    sdk_accepts_each_and_rejects_altered("CONFPART_PYTHON", "signature_sdk.py");
}

#[test]
fn node_sdk_validates_every_callback_serve_sends() {
    sdk_accepts_each_and_rejects_altered("CONFPART_NODE", "signature_sdk.js");
}
