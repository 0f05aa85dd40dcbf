//! Differential tests of the core's webhook signatures (`confpart::api::signature`)
//! against the official Twilio SDKs (run by `tests/interop/run`; skipped when the
//! variables are not set):
//! - `CONFPART_PYTHON` (a virtualenv's python with the pinned `twilio`):
//!   `RequestValidator.compute_signature` signs as the core signs, the core accepts its
//!   signatures with the URL's port toggled, and `RequestValidator.validate` accepts the
//!   core's (`tests/interop/signature_sdk.py`);
//! - `CONFPART_NODE` (with `tests/interop/node_modules`): the same with
//!   `getExpectedTwilioSignature`, `validateRequest` and `validateRequestWithBody`
//!   (`tests/interop/signature_sdk.js`).
//!
//! The cases: seeded random forms with repeated names and values (some repeated
//! exactly), spaces as `+` and as `%20`, non-ASCII text; URLs with and without a
//! port and with a query; JSON bodies behind `bodySHA256`; and altered ones, which
//! both sides must reject.
//!
//! Telnyx's Ed25519 signatures, against the same scripts: the Python SDK's
//! `webhooks.unwrap` (telnyx[webhooks]: PyNaCl) and PyNaCl's `VerifyKey` directly, and
//! the Node SDK's `TelnyxWebhook.verify` (WebCrypto), accept the core's signatures of
//! callback forms and JSON bodies signed now, and refuse them with the body altered,
//! the timestamp altered, from another key, truncated, or signed 400 s ago; the core
//! accepts PyNaCl's signatures and refuses them over another body.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use confpart::api::callback::{Callback, Event};
use confpart::api::path::Dialect;
use confpart::api::signature::{self, Ed25519Key, Scheme, SignatureError};
use confpart::wire::date::Timestamp;
use confpart::wire::ident::{AccountSid, CallSid, ConferenceSid, SidForm};

const KEY: &str = "12345abcde";
const CASES: usize = 150;

fn tool(var: &str) -> Option<String> {
    match std::env::var(var) {
        Ok(v) if !v.is_empty() => Some(v),
        _ => {
            eprintln!("{var} is not set: skipped (tests/interop/run sets it)");
            None
        }
    }
}

fn interop_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("interop")
}

/// Runs `program script` with `input` on stdin; its stdout lines. Bounded in time.
fn run(program: &str, script: &str, input: String) -> Vec<String> {
    let mut child = Command::new(program)
        .arg(interop_dir().join(script))
        .current_dir(interop_dir())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start the SDK script");
    let pid = child.id();
    let mut stdin = child.stdin.take().unwrap();
    std::thread::spawn(move || {
        let _ = stdin.write_all(input.as_bytes());
    });
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    let Ok(out) = rx.recv_timeout(Duration::from_secs(120)) else {
        let _ = Command::new("kill").arg(pid.to_string()).status();
        panic!("{script} did not finish in 120 s");
    };
    let out = out.unwrap();
    assert!(out.status.success(), "{script} failed: {:?}", out.status);
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}

/// A small deterministic generator (xorshift64*), so a failure replays.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn text(&mut self, max: usize) -> String {
        // No astral characters: Node sorts names by UTF-16 unit, the core and Python
        // by code point, and the two orders differ only there.
        const CHARS: &[char] = &[
            'a', 'b', 'c', 'A', 'Z', '0', '9', '_', '-', '.', ' ', '+', '&', '=', '%', '/', ':',
            'é', 'ü', '中', '~', '*',
        ];
        (0..self.below(max + 1))
            .map(|_| CHARS[self.below(CHARS.len())])
            .collect()
    }
}

/// Form-encodes `pairs`; spaces as `+` or `%20` (`plus`), everything outside
/// `A-Za-z0-9-._*` escaped.
fn encode(pairs: &[(String, String)], plus: bool) -> Vec<u8> {
    let component = |s: &str, out: &mut Vec<u8>| {
        for &b in s.as_bytes() {
            match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'*' => out.push(b),
                b' ' if plus => out.push(b'+'),
                _ => out.extend_from_slice(format!("%{b:02X}").as_bytes()),
            }
        }
    };
    let mut out = Vec::new();
    for (i, (k, v)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push(b'&');
        }
        component(k, &mut out);
        out.push(b'=');
        component(v, &mut out);
    }
    out
}

struct Case {
    url: &'static str,
    /// The same URL with its port toggled.
    other: &'static str,
    pairs: Vec<(String, String)>,
    form: Vec<u8>,
}

const URLS: &[(&str, &str)] = &[
    (
        "https://hooks.example.com/conference",
        "https://hooks.example.com:443/conference",
    ),
    (
        "https://hooks.example.com/cb?site=1&x=a%20b",
        "https://hooks.example.com:443/cb?site=1&x=a%20b",
    ),
    (
        "http://bridge.example/events",
        "http://bridge.example:80/events",
    ),
];

fn cases() -> Vec<Case> {
    let mut rng = Rng(0x5eed_0000_2020);
    let mut out = Vec::new();
    for i in 0..CASES {
        let mut pairs: Vec<(String, String)> = Vec::new();
        for _ in 0..rng.below(8) {
            let name = if !pairs.is_empty() && rng.below(3) == 0 {
                // A repeated name, sometimes with a repeated value.
                let (n, v) = pairs[rng.below(pairs.len())].clone();
                if rng.below(2) == 0 {
                    pairs.push((n, v));
                    continue;
                }
                n
            } else {
                let mut n = rng.text(6);
                if n.is_empty() || n == "__proto__" {
                    n.push('k');
                }
                n
            };
            pairs.push((name, rng.text(10)));
        }
        let (url, other) = URLS[i % URLS.len()];
        let form = encode(&pairs, i % 2 == 0);
        out.push(Case {
            url,
            other,
            pairs,
            form,
        });
    }
    out
}

fn line(op: &str, url: &str, pairs: &[(String, String)], sig: Option<&str>) -> String {
    let mut v = serde_json::json!({"op": op, "key": KEY, "url": url, "pairs": pairs});
    if let Some(sig) = sig {
        v["sig"] = sig.into();
    }
    v.to_string() + "\n"
}

fn body_cases() -> Vec<(String, String)> {
    [
        r#"{"StatusCallbackEvent":"conference-end","SequenceNumber":9}"#,
        "{}",
        r#"{"a":"é ü"}"#,
    ]
    .iter()
    .map(|body| {
        let hash = signature::body_hash(body.as_bytes());
        let url = format!(
            "https://hooks.example.com/json?bodySHA256={}",
            std::str::from_utf8(&hash).unwrap()
        );
        (url, (*body).to_owned())
    })
    .collect()
}

/// Runs the differential checks against one SDK script.
fn differential(program: &str, script: &str) {
    let cases = cases();
    // The cases exercise what the SDKs sort and de-duplicate.
    let repeated = |c: &&Case| {
        let mut names: Vec<_> = c.pairs.iter().map(|p| &p.0).collect();
        names.sort();
        names.windows(2).any(|w| w[0] == w[1])
    };
    assert!(cases.iter().filter(repeated).count() > CASES / 4);
    let sign = |url: &str, form: &[u8]| {
        signature::sign(Scheme::Twilio, KEY.as_bytes(), url, form)
            .unwrap()
            .as_str()
            .to_owned()
    };
    // Batch 1: the SDK signs (URL without its port: Node's URL parser drops a
    // default port, so it cannot sign one); the SDK validates the core's
    // signatures with the port toggled; and with a value altered.
    let mut input = String::new();
    for c in &cases {
        input += &line("sign", c.url, &c.pairs, None);
        let core = sign(c.url, &c.form);
        input += &line("validate", c.other, &c.pairs, Some(&core));
        let mut altered = c.pairs.clone();
        altered.push(("Extra".into(), "1".into()));
        input += &line("validate", c.url, &altered, Some(&core));
    }
    for (url, body) in body_cases() {
        let core = sign(&url, b"");
        let mut v = serde_json::json!({"op": "validate_body", "key": KEY, "url": url, "body": body, "sig": core});
        input += &(v.to_string() + "\n");
        v["body"] = (body.clone() + " ").into();
        input += &(v.to_string() + "\n");
        input += &line("sign", &url, &[], None);
    }
    let mut answers = run(program, script, input).into_iter();
    let mut next = || answers.next().expect("one answer per case");
    for (i, c) in cases.iter().enumerate() {
        let sdk = next();
        assert_eq!(
            sdk,
            sign(c.url, &c.form),
            "case {i}: {:?} at {}",
            c.pairs,
            c.url
        );
        for url in [c.url, c.other] {
            assert_eq!(
                signature::validate(Scheme::Twilio, KEY.as_bytes(), url, &c.form, sdk.as_bytes()),
                Ok(()),
                "case {i}: the core rejects the SDK's signature at {url}"
            );
        }
        assert_eq!(
            next(),
            "true",
            "case {i}: the SDK rejects the core's signature at {}",
            c.other
        );
        assert_eq!(next(), "false", "case {i}: the SDK accepts an altered form");
    }
    for (url, body) in body_cases() {
        assert_eq!(
            next(),
            "true",
            "the SDK rejects the core's bodySHA256 signature for {body}"
        );
        assert_eq!(next(), "false", "the SDK accepts another body for {url}");
        let sdk = next();
        assert_eq!(
            signature::validate_json(
                Scheme::Twilio,
                KEY.as_bytes(),
                &url,
                body.as_bytes(),
                sdk.as_bytes()
            ),
            Ok(())
        );
        assert_eq!(
            signature::validate_json(Scheme::Twilio, KEY.as_bytes(), &url, b"{ }", sdk.as_bytes()),
            Err(SignatureError::BodyHashMismatch)
        );
    }
    assert!(answers.next().is_none(), "more answers than cases");
}

#[test]
fn python_sdk_and_core_agree() {
    let Some(python) = tool("CONFPART_PYTHON") else {
        return;
    };
    differential(&python, "signature_sdk.py");
}

#[test]
fn node_sdk_and_core_agree() {
    let Some(node) = tool("CONFPART_NODE") else {
        return;
    };
    differential(&node, "signature_sdk.js");
}

/// Telnyx callback forms (the bridge's encoding, each event) and JSON bodies.
fn telnyx_bodies() -> Vec<String> {
    let mut out = Vec::new();
    for (i, event) in [
        Event::ConferenceStart,
        Event::ParticipantJoin,
        Event::ParticipantLeave,
        Event::ConferenceEnd,
    ]
    .into_iter()
    .enumerate()
    {
        let mut cb = Callback::new(
            AccountSid::from_bits(7, SidForm::Uuid),
            ConferenceSid::from_bits(9, SidForm::Uuid),
            "room é & co",
            i as u32 + 1,
            Timestamp::from_unix(1_796_630_400 + i as u64).unwrap(),
            event,
        );
        if event.is_participant() {
            let call = CallSid::from_bits(11 + i as u128, SidForm::Telnyx);
            (cb.call_sid, cb.call_sid_legacy) = (Some(call), Some(call));
            cb.participant_label = Some("agent");
        }
        let mut buf = vec![0u8; cb.encoded_len_in(Dialect::Telnyx)];
        let mut sink = confpart::wire::sink::SliceSink::new(&mut buf);
        cb.encode_in(Dialect::Telnyx, &mut sink).unwrap();
        out.push(String::from_utf8(buf).unwrap());
    }
    out.push(r#"{"data":{"event_type":"call.hangup","payload":{"a":"é ü"}}}"#.to_owned());
    out.push(String::new());
    out
}

fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

fn b64(bytes: &[u8]) -> String {
    let mut sink = vec![0u8; bytes.len().div_ceil(3) * 4];
    // The workspace's base64 is a dev-dependency of the core only: encode by hand.
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (chunk, out) in bytes.chunks(3).zip(sink.chunks_mut(4)) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (j, o) in out.iter_mut().enumerate() {
            *o = if j <= chunk.len() {
                A[(n >> (18 - 6 * j) & 63) as usize]
            } else {
                b'='
            };
        }
    }
    String::from_utf8(sink).unwrap()
}

/// The Telnyx checks against one SDK's verifier (`op`), plus PyNaCl's own signing
/// and verifying when `nacl`.
fn telnyx_differential(program: &str, script: &str, op: &str, nacl: bool) {
    let key = Ed25519Key::from_seed(&[0x42; 32]);
    let public = String::from_utf8(key.public_key().to_base64().to_vec()).unwrap();
    let other = Ed25519Key::from_seed(&[0x43; 32]);
    let now = unix_now();
    let case = |op: &str, body: &str, sig: &str, ts: u64| {
        serde_json::json!({"op": op, "key": public, "body": body, "sig": sig, "ts": ts.to_string()})
            .to_string()
            + "\n"
    };
    let bodies = telnyx_bodies();
    // Per body, the expected answers in order.
    let mut input = String::new();
    let mut expected = Vec::new();
    for body in &bodies {
        let sig = signature::sign_telnyx(&key, now, body.as_bytes());
        let stale = signature::sign_telnyx(&key, now - 400, body.as_bytes());
        let theirs = signature::sign_telnyx(&other, now, body.as_bytes());
        let altered = body.clone() + "&Extra=1";
        for (body, sig, ts, ok, why) in [
            (
                body.as_str(),
                sig.as_str(),
                now,
                "true",
                "the core's signature",
            ),
            (&altered, sig.as_str(), now, "false", "an altered body"),
            (body, sig.as_str(), now + 1, "false", "an altered timestamp"),
            (
                body,
                stale.as_str(),
                now - 400,
                "false",
                "a signature 400 s old",
            ),
            (
                body,
                theirs.as_str(),
                now,
                "false",
                "another key's signature",
            ),
            (
                body,
                &sig.as_str()[..86],
                now,
                "false",
                "a truncated signature",
            ),
        ] {
            input += &case(op, body, sig, ts);
            expected.push((ok.to_owned(), format!("{op}: {why} over {body:?}")));
        }
        if nacl {
            input += &case("nacl_verify", body, sig.as_str(), now);
            expected.push((
                "true".into(),
                format!("PyNaCl: the core's signature over {body:?}"),
            ));
            input += &case("nacl_verify", &altered, sig.as_str(), now);
            expected.push(("false".into(), format!("PyNaCl: an altered body {body:?}")));
            let v = serde_json::json!({"op": "nacl_sign", "seed": b64(&[0x42; 32]), "body": body, "ts": now.to_string()});
            input += &(v.to_string() + "\n");
            expected.push((
                sig.as_str().to_owned(),
                format!("PyNaCl signs {body:?} as the core"),
            ));
        }
    }
    let answers = run(program, script, input);
    assert_eq!(answers.len(), expected.len(), "one answer per case");
    for (answer, (want, what)) in answers.iter().zip(&expected) {
        assert_eq!(answer, want, "{what}");
    }
    if nacl {
        // The core accepts PyNaCl's signatures (the answers equal the core's, checked
        // above) and refuses them over another body.
        for (body, sig) in bodies.iter().zip(answers.iter().skip(8).step_by(9)) {
            let ts = now.to_string();
            let public = key.public_key();
            assert_eq!(
                signature::validate_telnyx(
                    &public,
                    sig.as_bytes(),
                    ts.as_bytes(),
                    body.as_bytes(),
                    now
                ),
                Ok(())
            );
            assert_eq!(
                signature::validate_telnyx(&public, sig.as_bytes(), ts.as_bytes(), b"x", now),
                Err(SignatureError::Mismatch)
            );
        }
    }
}

#[test]
fn python_telnyx_sdk_and_core_agree() {
    let Some(python) = tool("CONFPART_PYTHON") else {
        return;
    };
    telnyx_differential(&python, "signature_sdk.py", "telnyx_unwrap", true);
}

#[test]
fn node_telnyx_sdk_and_core_agree() {
    let Some(node) = tool("CONFPART_NODE") else {
        return;
    };
    telnyx_differential(&node, "signature_sdk.js", "telnyx_verify", false);
}
