//! The `confpart` command in real networks (issue 22), all on loopback and independent of
//! the machine's trust store and network:
//!
//! - a private CA made here (rcgen): `confpart serve --tls-cert` reached with `--ca-file`,
//!   `CONFPART_CA_FILE` or `SSL_CERT_FILE`, refused without them (exit 3, `UnknownIssuer`)
//!   and with `--only-ca-file` of another CA; unusable CA files named (exit 1);
//! - a CONNECT proxy written here: `HTTPS_PROXY` and `--proxy` send the request through it
//!   with the right authority and `Proxy-Authorization`, `NO_PROXY` bypasses it, its `407`
//!   is a clear error with exit 3 (never retried), its `502` is retried `--retries` times;
//!   plain HTTP goes to it in absolute form;
//! - `--timeout`, `--retries` and `--retry-not-found` change what a scripted server sees.
mod common;

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use common::Proc;
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, IsCa, Issuer, KeyPair,
};

const AC: &str = "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const CF: &str = "CFaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const CA_SID: &str = "CAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const TOKEN: &str = "s3cr3t-token";
const PROXY_PASSWORD: &str = "pr0xy-p@ss";
/// A name no resolver knows (RFC 6761): reachable only through the test proxy, which
/// takes it for 127.0.0.1.
const UNRESOLVABLE: &str = "bridge.invalid";

/// A directory of its own for each test, removed when dropped.
struct Scratch(PathBuf);

impl std::ops::Deref for Scratch {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn scratch(name: &str) -> Scratch {
    let dir = std::env::temp_dir().join(format!("confpart-net-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    Scratch(dir)
}

/// A private CA and a leaf for `localhost` / `127.0.0.1` it signed: `ca.pem`,
/// `chain.pem` (leaf then CA) and `leaf.key` in `dir`.
fn private_ca(dir: &Path) -> PathBuf {
    let ca_key = KeyPair::generate().unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    // A name of its own: two CAs of one name would be told apart by signature only.
    ca_params.distinguished_name = DistinguishedName::new();
    ca_params.distinguished_name.push(
        DnType::CommonName,
        format!("confpart test CA {}", dir.display()),
    );
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca_cert = ca_params.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca_params, ca_key);
    let leaf_key = KeyPair::generate().unwrap();
    let names = vec![
        "localhost".to_owned(),
        "127.0.0.1".to_owned(),
        UNRESOLVABLE.to_owned(),
    ];
    let leaf = CertificateParams::new(names)
        .unwrap()
        .signed_by(&leaf_key, &issuer)
        .unwrap();
    std::fs::write(dir.join("ca.pem"), ca_cert.pem()).unwrap();
    std::fs::write(dir.join("chain.pem"), leaf.pem() + &ca_cert.pem()).unwrap();
    std::fs::write(dir.join("leaf.key"), leaf_key.serialize_pem()).unwrap();
    dir.join("ca.pem")
}

/// `confpart serve` over TLS with the private CA's leaf and a demo conference: its port,
/// the conference and one participant.
struct TlsBridge {
    _proc: Proc,
    port: u16,
    conference: String,
    participant: String,
}

fn tls_bridge(dir: &Path) -> TlsBridge {
    let proc = Proc::spawn(
        Command::new(env!("CARGO_BIN_EXE_confpart"))
            .env_clear()
            .args([
                "serve",
                "--listen",
                "127.0.0.1:0",
                "--account",
                AC,
                "--token",
                TOKEN,
            ])
            .args(["--demo-conference", "--tls-cert"])
            .arg(dir.join("chain.pem"))
            .arg("--tls-key")
            .arg(dir.join("leaf.key")),
    );
    let line = proc.wait_for("listening on https://", Duration::from_secs(20));
    let port = line.rsplit(':').next().unwrap().trim().parse().unwrap();
    let conference = proc.wait_for("conference ", Duration::from_secs(10));
    let participant = proc.wait_for("participant ", Duration::from_secs(10));
    TlsBridge {
        _proc: proc,
        port,
        conference: conference
            .trim_start_matches("conference ")
            .trim()
            .to_owned(),
        participant: participant
            .trim_start_matches("participant ")
            .trim()
            .to_owned(),
    }
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Runs the command with only the Twilio credentials and `env` in its environment (no
/// proxy, no CA variable of the machine's); killed after 60 s.
fn confpart(args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_confpart"))
        .args(args)
        .env_clear()
        .env("TWILIO_ACCOUNT_SID", AC)
        .env("TWILIO_AUTH_TOKEN", TOKEN)
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
        }
        thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn fetch_args<'a>(base: &'a str, bridge: &'a TlsBridge) -> Vec<&'a str> {
    vec![
        "--base-url",
        base,
        "fetch",
        "--conference",
        &bridge.conference,
        "--participant",
        &bridge.participant,
    ]
}

#[test]
fn a_private_ca_is_trusted_by_flag_or_variable_and_only_then() {
    let dir = scratch("ca");
    let ca = private_ca(&dir);
    let ca = ca.to_str().unwrap();
    let bridge = tls_bridge(&dir);
    let base = format!("https://localhost:{}", bridge.port);
    let fetch = fetch_args(&base, &bridge);
    let with = |extra: &[&str], env: &[(&str, &str)]| {
        let mut args: Vec<&str> = extra.to_vec();
        args.extend(&fetch);
        confpart(&args, env)
    };

    for (how, run) in [
        ("--ca-file", with(&["--ca-file", ca], &[])),
        ("CONFPART_CA_FILE", with(&[], &[("CONFPART_CA_FILE", ca)])),
        ("SSL_CERT_FILE", with(&[], &[("SSL_CERT_FILE", ca)])),
        (
            "--only-ca-file",
            with(&["--only-ca-file", "--ca-file", ca], &[]),
        ),
    ] {
        assert_eq!(run.code, 0, "{how}: {}", run.stderr);
        assert!(
            run.stdout.starts_with(&bridge.participant),
            "{how}: {}",
            run.stdout
        );
    }

    // Neither: the platform's store (whatever it holds) does not know this CA.
    let run = with(&[], &[]);
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(run.stderr.contains("UnknownIssuer"), "{}", run.stderr);
    assert!(
        run.stderr.contains("TLS error during the TLS handshake"),
        "{}",
        run.stderr
    );

    // Only another CA: refused too, the platform's store not consulted.
    let other = scratch("ca-other");
    let other_ca = private_ca(&other);
    let run = with(
        &["--only-ca-file", "--ca-file", other_ca.to_str().unwrap()],
        &[("SSL_CERT_FILE", ca)],
    );
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(run.stderr.contains("UnknownIssuer"), "{}", run.stderr);
}

#[test]
fn unusable_ca_files_are_named() {
    let dir = scratch("bad-ca");
    let garbage = dir.join("garbage.pem");
    std::fs::write(
        &garbage,
        "-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n",
    )
    .unwrap();
    let key_only = dir.join("key.pem");
    std::fs::write(&key_only, KeyPair::generate().unwrap().serialize_pem()).unwrap();
    // Base64 that is not a certificate.
    let not_der = dir.join("not-der.pem");
    std::fs::write(
        &not_der,
        "-----BEGIN CERTIFICATE-----\naGVsbG8gd29ybGQ=\n-----END CERTIFICATE-----\n",
    )
    .unwrap();
    let missing = dir.join("missing.pem");
    for file in [&garbage, &key_only, &not_der, &missing] {
        let file = file.to_str().unwrap();
        let run = confpart(
            &[
                "--ca-file",
                file,
                "--base-url",
                "https://127.0.0.1:1",
                "fetch",
                "--conference",
                CF,
                "--participant",
                CA_SID,
            ],
            &[],
        );
        assert_eq!(run.code, 1, "{file}: {}", run.stderr);
        assert!(run.stderr.contains(file), "{file}: {}", run.stderr);
    }
    let run = confpart(
        &[
            "--only-ca-file",
            "fetch",
            "--conference",
            CF,
            "--participant",
            CA_SID,
        ],
        &[],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("--only-ca-file needs a --ca-file"),
        "{}",
        run.stderr
    );
}

// ---------------------------------------------------------------------------------------
// A CONNECT proxy
// ---------------------------------------------------------------------------------------

/// What the test proxy does with each request.
#[derive(Clone, Copy)]
enum ProxyMode {
    /// Open the tunnel (`CONNECT`) and relay bytes both ways.
    Tunnel,
    /// Answer every request with this status and close.
    Refuse(u16),
    /// Answer a plain (absolute-form) request with a participant.
    Answer,
}

/// A loopback proxy on its own thread; the heads of the requests it got.
struct TestProxy {
    port: u16,
    heads: Arc<Mutex<Vec<String>>>,
}

impl TestProxy {
    fn start(mode: ProxyMode) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let heads = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&heads);
        thread::spawn(move || {
            for client in listener.incoming().take(16) {
                let Ok(client) = client else { continue };
                let log = Arc::clone(&log);
                thread::spawn(move || proxy_one(client, mode, &log));
            }
        });
        Self { port, heads }
    }

    fn heads(&self) -> Vec<String> {
        self.heads.lock().unwrap().clone()
    }

    fn url(&self, userinfo: &str) -> String {
        format!("http://{userinfo}127.0.0.1:{}", self.port)
    }
}

/// Reads a request head byte by byte (nothing past it).
fn read_head(s: &mut TcpStream) -> Option<String> {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if s.read(&mut byte).ok()? == 0 {
            return None;
        }
        head.push(byte[0]);
    }
    Some(String::from_utf8_lossy(&head).into_owned())
}

fn proxy_one(mut client: TcpStream, mode: ProxyMode, log: &Mutex<Vec<String>>) {
    client
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let Some(head) = read_head(&mut client) else {
        return;
    };
    log.lock().unwrap().push(head.clone());
    match mode {
        ProxyMode::Refuse(status) => {
            let _ = write!(
                client,
                "HTTP/1.1 {status} Refused\r\nProxy-Authenticate: Basic realm=\"test\"\r\nContent-Length: 6\r\n\r\nno way"
            );
        }
        ProxyMode::Answer => {
            let body =
                format!(r#"{{"call_sid": "{CA_SID}", "conference_sid": "{CF}", "muted": true}}"#);
            let _ = write!(
                client,
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
        ProxyMode::Tunnel => {
            let authority = head
                .split_whitespace()
                .nth(1)
                .unwrap_or_default()
                .replace(UNRESOLVABLE, "127.0.0.1");
            let Ok(upstream) = TcpStream::connect(authority) else {
                let _ = client.write_all(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n");
                return;
            };
            client
                .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
                .unwrap();
            client.set_read_timeout(None).unwrap();
            let (mut c2, mut u2) = (client.try_clone().unwrap(), upstream.try_clone().unwrap());
            let (mut c1, mut u1) = (client, upstream);
            let up = thread::spawn(move || {
                let _ = std::io::copy(&mut c1, &mut u1);
                let _ = u1.shutdown(Shutdown::Write);
            });
            let _ = std::io::copy(&mut u2, &mut c2);
            let _ = c2.shutdown(Shutdown::Write);
            let _ = up.join();
        }
    }
}

fn basic(user: &str, password: &str) -> String {
    // The expected value, computed apart from the code under test.
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let input = format!("{user}:{password}").into_bytes();
    let mut out = String::new();
    for chunk in input.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    format!("Basic {out}")
}

#[test]
fn https_goes_through_the_proxy_unless_no_proxy_says_otherwise() {
    let dir = scratch("proxy");
    let ca = private_ca(&dir);
    let ca = ca.to_str().unwrap();
    let bridge = tls_bridge(&dir);
    let base = format!("https://localhost:{}", bridge.port);
    let mut args = vec!["--ca-file", ca];
    args.extend(fetch_args(&base, &bridge));

    // HTTPS_PROXY with credentials (the password %-escaped in the URL).
    let proxy = TestProxy::start(ProxyMode::Tunnel);
    let url = proxy.url("alice:pr0xy-p%40ss@");
    let run = confpart(&args, &[("HTTPS_PROXY", &url)]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.starts_with(&bridge.participant),
        "{}",
        run.stdout
    );
    let heads = proxy.heads();
    assert_eq!(heads.len(), 1, "{heads:?}");
    let authority = format!("localhost:{}", bridge.port);
    assert!(
        heads[0].starts_with(&format!("CONNECT {authority} HTTP/1.1\r\n")),
        "{}",
        heads[0]
    );
    assert!(
        heads[0].contains(&format!("\r\nHost: {authority}\r\n")),
        "{}",
        heads[0]
    );
    assert!(
        heads[0].contains(&format!(
            "\r\nProxy-Authorization: {}\r\n",
            basic("alice", PROXY_PASSWORD)
        )),
        "{}",
        heads[0]
    );
    // The service's credentials never go to the proxy in the clear.
    assert!(
        !heads[0].contains("Authorization: Basic QUNh"),
        "{}",
        heads[0]
    );

    // Where only the proxy leads: the client never resolves the service's name itself.
    let proxy = TestProxy::start(ProxyMode::Tunnel);
    let hidden = format!("https://{UNRESOLVABLE}:{}", bridge.port);
    let mut hidden_args = vec!["--ca-file", ca];
    hidden_args.extend(fetch_args(&hidden, &bridge));
    let run = confpart(&hidden_args, &[("HTTPS_PROXY", &proxy.url(""))]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        proxy.heads()[0].starts_with(&format!(
            "CONNECT {UNRESOLVABLE}:{} HTTP/1.1\r\n",
            bridge.port
        )),
        "{:?}",
        proxy.heads()
    );

    // Lower case, and --proxy over the environment's (a dead one).
    let proxy = TestProxy::start(ProxyMode::Tunnel);
    let mut with_flag = vec!["--proxy", &url];
    let url = proxy.url("");
    with_flag[1] = &url;
    with_flag.extend(&args);
    let run = confpart(&with_flag, &[("https_proxy", "http://127.0.0.1:1")]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(proxy.heads().len(), 1);
    assert!(
        !proxy.heads()[0].contains("Proxy-Authorization"),
        "{}",
        proxy.heads()[0]
    );

    // NO_PROXY: the host, a domain suffix, or `*` bypass the proxy.
    for no_proxy in ["localhost", ".localhost", "example.com, localhost", "*"] {
        let proxy = TestProxy::start(ProxyMode::Tunnel);
        let run = confpart(
            &args,
            &[("HTTPS_PROXY", &proxy.url("")), ("NO_PROXY", no_proxy)],
        );
        assert_eq!(run.code, 0, "{no_proxy}: {}", run.stderr);
        assert!(proxy.heads().is_empty(), "{no_proxy}: {:?}", proxy.heads());
    }
    // One that does not match: through the proxy.
    let proxy = TestProxy::start(ProxyMode::Tunnel);
    let run = confpart(
        &args,
        &[
            ("HTTPS_PROXY", &proxy.url("")),
            ("no_proxy", "notlocalhost,127.0.0.1"),
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(proxy.heads().len(), 1);
}

#[test]
fn a_proxy_refusal_is_a_clear_error_with_exit_3() {
    let proxy = TestProxy::start(ProxyMode::Refuse(407));
    let url = proxy.url("alice:pr0xy-p%40ss@");
    let run = confpart(
        &["fetch", "--conference", CF, "--participant", CA_SID],
        &[("HTTPS_PROXY", &url)],
    );
    assert_eq!(run.code, 3, "{}", run.stderr);
    let expected = format!(
        "the proxy http://***@127.0.0.1:{} refused the tunnel: 407 Refused",
        proxy.port
    );
    assert!(run.stderr.contains(&expected), "{}", run.stderr);
    assert!(
        !run.stderr.contains(PROXY_PASSWORD) && !run.stderr.contains("pr0xy"),
        "{}",
        run.stderr
    );
    // Other credentials are needed: asking again cannot help.
    assert_eq!(proxy.heads().len(), 1, "{:?}", proxy.heads());
    assert!(proxy.heads()[0].starts_with("CONNECT api.twilio.com:443 HTTP/1.1\r\n"));

    // A 502 may pass: retried as a transport failure, --retries times.
    let proxy = TestProxy::start(ProxyMode::Refuse(502));
    let run = confpart(
        &[
            "--retries",
            "2",
            "fetch",
            "--conference",
            CF,
            "--participant",
            CA_SID,
        ],
        &[("HTTPS_PROXY", &proxy.url(""))],
    );
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(
        run.stderr.contains("refused the tunnel: 502"),
        "{}",
        run.stderr
    );
    assert_eq!(proxy.heads().len(), 3, "{:?}", proxy.heads());

    // A malformed proxy URL is named by its variable, its password not shown.
    let run = confpart(
        &["fetch", "--conference", CF, "--participant", CA_SID],
        &[("HTTPS_PROXY", "socks5://bob:hunter2@127.0.0.1:1")],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("HTTPS_PROXY: only http:// proxies"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("hunter2"), "{}", run.stderr);
}

#[test]
fn plain_http_goes_to_the_proxy_in_absolute_form() {
    let proxy = TestProxy::start(ProxyMode::Answer);
    let service = common::free_port();
    let base = format!("http://127.0.0.1:{service}");
    let run = confpart(
        &[
            "--base-url",
            &base,
            "fetch",
            "--conference",
            CF,
            "--participant",
            CA_SID,
        ],
        &[("HTTP_PROXY", &proxy.url("bob:s%3Acret@"))],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.starts_with(CA_SID), "{}", run.stdout);
    let heads = proxy.heads();
    assert!(
        heads[0].starts_with(&format!(
            "GET http://127.0.0.1:{service}/2010-04-01/Accounts/{AC}/Conferences/{CF}/Participants/{CA_SID}.json HTTP/1.1\r\nProxy-Authorization: {}\r\n",
            basic("bob", "s:cret")
        )),
        "{}",
        heads[0]
    );
}

// ---------------------------------------------------------------------------------------
// Timeouts and retries against a scripted server
// ---------------------------------------------------------------------------------------

fn participant_reply() -> String {
    let body = format!(r#"{{"call_sid": "{CA_SID}", "conference_sid": "{CF}", "muted": true}}"#);
    format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
}

fn error_reply(status: u16, code: u32) -> String {
    let body = format!(r#"{{"code": {code}, "message": "scripted", "status": {status}}}"#);
    format!(
        "HTTP/1.1 {status} Scripted\r\nRetry-After: 0\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
}

/// A plain loopback server: the n-th request gets `script[n]` (the last repeats; `None`:
/// never answer); every request line is logged. Runs for 30 s at most.
fn scripted(script: Vec<Option<String>>) -> (u16, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&seen);
    thread::spawn(move || {
        let mut n = 0;
        for s in listener.incoming().take(16) {
            let Ok(mut s) = s else { continue };
            s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
            while let Some(head) = read_head(&mut s) {
                log.lock()
                    .unwrap()
                    .push(head.lines().next().unwrap_or("").to_owned());
                let reply = script[n.min(script.len() - 1)].clone();
                n += 1;
                match reply {
                    Some(r) => {
                        let _ = s.write_all(r.as_bytes());
                    }
                    None => {
                        // Hold the connection until the client gives up.
                        let _ = s.read(&mut [0u8; 1]);
                        break;
                    }
                }
            }
        }
    });
    (port, seen)
}

fn fetch_from(port: u16, flags: &[&str]) -> Run {
    let base = format!("http://127.0.0.1:{port}");
    let mut args = flags.to_vec();
    args.extend([
        "--base-url",
        &base,
        "fetch",
        "--conference",
        CF,
        "--participant",
        CA_SID,
    ]);
    confpart(&args, &[])
}

#[test]
fn timeout_flag_bounds_a_silent_service() {
    let (port, seen) = scripted(vec![None]);
    let run = fetch_from(port, &["--timeout", "200ms", "--retries", "0"]);
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(
        run.stderr.contains("timeout while reading the response"),
        "{}",
        run.stderr
    );
    assert_eq!(seen.lock().unwrap().len(), 1);
    // With retries, a fetch (idempotent) is asked again after each timeout.
    let (port, seen) = scripted(vec![None, None, Some(participant_reply())]);
    let run = fetch_from(port, &["--timeout", "200ms", "--retries", "2"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(seen.lock().unwrap().len(), 3);
}

#[test]
fn retries_flag_sets_the_attempts() {
    for (retries, attempts) in [("0", 1), ("1", 2), ("3", 4)] {
        let (port, seen) = scripted(vec![Some(error_reply(503, 20503))]);
        let run = fetch_from(port, &["--retries", retries]);
        assert_eq!(run.code, 1, "{}", run.stderr);
        assert!(run.stderr.contains("503"), "{}", run.stderr);
        assert_eq!(seen.lock().unwrap().len(), attempts, "--retries {retries}");
    }
}

#[test]
fn retry_not_found_rides_out_the_race_after_a_create() {
    let script = vec![Some(error_reply(404, 20404)), Some(participant_reply())];
    let (port, seen) = scripted(script.clone());
    let run = fetch_from(port, &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("20404"), "{}", run.stderr);
    assert_eq!(seen.lock().unwrap().len(), 1);
    let (port, seen) = scripted(script);
    let run = fetch_from(port, &["--retry-not-found"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.starts_with(CA_SID), "{}", run.stdout);
    assert_eq!(seen.lock().unwrap().len(), 2);
}

#[test]
fn create_says_signalwire_has_none() {
    let run = confpart(
        &[
            "--dialect",
            "signalwire",
            "create",
            "--conference",
            "b3877c40-da60-4998-90ad-b792e98472cf",
            "--from",
            "+15550001111",
            "--to",
            "+15550002222",
        ],
        &[
            (
                "SIGNALWIRE_PROJECT_ID",
                "b3877c40-da60-4998-90ad-b792e98472af",
            ),
            ("SIGNALWIRE_API_TOKEN", "PTtok"),
            ("SIGNALWIRE_SPACE_URL", "example"),
        ],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("SignalWire's compatibility API has no participant create"),
        "{}",
        run.stderr
    );
}
