//! Conference status callbacks from the bridge service, end to end in the core: the
//! issue-20 scenario (three participants subscribed to every event; mute, unmute, hold,
//! unhold, coach, announce, delete one, end the conference) sent as HTTP bytes to
//! `confpart::bridge::Service`, every notice turned into its callback by
//! `Service::callback`. The callbacks come in `SequenceNumber` order (1, 2, ... with no
//! gap) with the events and fields of the issue; `leave` and `end` carry their reasons;
//! each is signed so that the core validates it, and, when `CONFPART_PYTHON` /
//! `CONFPART_NODE` are set (`tests/interop/run`), so that the official SDKs'
//! `RequestValidator.validate` / `validateRequest` accept it and reject it with one
//! parameter altered.
//!
//! The same conference in the Telnyx dialect (its vocabulary: start end join leave),
//! driven through the bridge's conference set: the callbacks come numbered in order in
//! Telnyx's form (ISO 8601 `Timestamp`, `CallSidLegacy`, no participant state), signed
//! with the bridge's Ed25519 key at the adapter's clock; the core's validator, and the
//! Telnyx SDKs' verifiers when set up, accept each and refuse each altered.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use confpart::api::path::Dialect;
use confpart::bridge::{Account, SequentialIds, Service, Timing};
use confpart::wire::date::Timestamp;
use confpart::wire::http::{Progress, RequestReader};
use confpart::wire::ident::AccountSid;
use confpart::wire::sink::SliceSink;
use confpart_tests::callbacks::{Sent, check_scenario, run_scenario};

const ACCOUNT: &str = "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const TOKEN: &str = "token";
/// `ACaaa…:token`.
const BASIC: &str = "QUNhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYTp0b2tlbg==";
const HOOK: &str = "https://hooks.example.com/conference?site=1";

struct Bridge {
    service: Service<'static, 2, 4>,
    ids: SequentialIds,
    now: u64,
    /// Every callback sent: (URL, form body, signature header value).
    sent: Vec<(String, Vec<u8>, String)>,
}

impl Bridge {
    fn new() -> Self {
        let accounts: &'static [Account<'static>] = Box::leak(Box::new([Account::new(
            AccountSid::parse(ACCOUNT).unwrap(),
            TOKEN,
        )]));
        Self {
            service: Service::new(Dialect::Twilio, Timing::IMMEDIATE, accounts),
            ids: SequentialIds::new(),
            now: 1_765_000_000,
            sent: Vec::new(),
        }
    }

    /// Sends one request; the answer's JSON body (`Null` when none); then drains the
    /// notices into callbacks, as an adapter does after each request.
    fn send(&mut self, method: &str, path: &str, body: &str) -> serde_json::Value {
        self.now += 1;
        let now = Timestamp::from_unix(self.now).unwrap();
        let request = format!(
            "{method} /2010-04-01/Accounts/{ACCOUNT}/Conferences/{path} HTTP/1.1\r\nHost: bridge\r\n\
             Authorization: Basic {BASIC}\r\nContent-Type: application/x-www-form-urlencoded\r\n\
             Content-Length: {}\r\n\r\n{body}",
            body.len()
        );
        let mut rx = vec![0u8; 8192];
        let mut reader = RequestReader::new(&mut rx);
        let Ok(Progress::Complete(m)) = reader.feed(request.as_bytes()) else {
            panic!("incomplete request")
        };
        let mut scratch = vec![0u8; 4096];
        let mut tx = vec![0u8; 16 * 1024];
        let mut out = SliceSink::new(&mut tx);
        let handled = self
            .service
            .handle(&m, now, &mut self.ids, &mut scratch, &mut out)
            .unwrap();
        assert!(handled.status < 300, "{method} {path} {body}: {handled:?}");
        let text = String::from_utf8(out.written().to_vec()).unwrap();
        let json = text
            .split_once("\r\n\r\n")
            .map(|(_, b)| b)
            .filter(|b| !b.is_empty())
            .map_or(serde_json::Value::Null, |b| {
                serde_json::from_str(b).unwrap()
            });
        self.service.tick(now);
        self.drain();
        json
    }

    fn drain(&mut self) {
        let mut form = vec![0u8; 2048];
        while let Some(notice) = self.service.pop_notice() {
            if let Some(out) = self.service.callback(&notice, &mut form).unwrap() {
                assert_eq!(out.header, "X-Twilio-Signature");
                let sig = out.signature.unwrap();
                self.sent.push((
                    out.url.as_str().to_owned(),
                    form[..out.body_len].to_vec(),
                    sig.as_str().to_owned(),
                ));
            }
        }
    }
}

/// Runs the scenario; the callbacks sent, in order.
fn scenario() -> Vec<(String, Vec<u8>, String)> {
    let mut b = Bridge::new();
    run_scenario(
        "https%3A%2F%2Fhooks.example.com%2Fconference%3Fsite%3D1",
        |method, path, body| b.send(method, path, body),
    );
    b.sent
}

#[test]
fn callbacks_come_in_order_with_their_fields_and_signatures() {
    let sent = scenario();
    for (url, _, _) in &sent {
        assert_eq!(url, HOOK);
    }
    let sent: Vec<Sent<'_>> = sent
        .iter()
        .map(|(url, body, signature)| Sent {
            url,
            body,
            signature,
        })
        .collect();
    check_scenario(&sent, ACCOUNT, TOKEN);
}

fn interop_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("interop")
}

/// Asks an SDK script to validate each callback as sent and with one parameter altered.
fn sdk_accepts_each_and_rejects_altered(var: &str, script: &str) {
    let Some(program) = std::env::var(var).ok().filter(|v| !v.is_empty()) else {
        eprintln!("{var} is not set: skipped (tests/interop/run sets it)");
        return;
    };
    let sent = scenario();
    let mut input = String::new();
    for (url, body, sig) in &sent {
        let pairs: Vec<(String, String)> = form_pairs(body);
        let case = |pairs: &[(String, String)]| {
            serde_json::json!({"op": "validate", "key": TOKEN, "url": url, "pairs": pairs, "sig": sig})
                .to_string()
                + "\n"
        };
        input += &case(&pairs);
        let mut altered = pairs.clone();
        altered[3].1.push('0'); // SequenceNumber
        input += &case(&altered);
    }
    let answers = run_script(&program, script, input);
    assert_eq!(answers.len(), 2 * sent.len());
    for (i, pair) in answers.chunks(2).enumerate() {
        assert_eq!(pair, ["true", "false"], "callback {}", i + 1);
    }
}

/// Runs an SDK script with `input` on stdin (bounded in time); its answer lines.
fn run_script(program: &str, script: &str, input: String) -> Vec<String> {
    let mut child = Command::new(program)
        .arg(interop_dir().join(script))
        .current_dir(interop_dir())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let mut stdin = child.stdin.take().unwrap();
    std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || tx.send(child.wait_with_output()));
    let Ok(out) = rx.recv_timeout(std::time::Duration::from_secs(120)) else {
        let _ = Command::new("kill").arg(pid.to_string()).status();
        panic!("{script} did not finish in 120 s");
    };
    let out = out.unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}

/// The decoded pairs of a form body, in body order.
fn form_pairs(body: &[u8]) -> Vec<(String, String)> {
    let decode = |s: &str| {
        let s = s.replace('+', " ");
        let mut out = Vec::new();
        let b = s.as_bytes();
        let mut i = 0;
        while i < b.len() {
            if b[i] == b'%' {
                out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap());
                i += 3;
            } else {
                out.push(b[i]);
                i += 1;
            }
        }
        String::from_utf8(out).unwrap()
    };
    std::str::from_utf8(body)
        .unwrap()
        .split('&')
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap();
            (decode(k), decode(v))
        })
        .collect()
}

#[test]
fn python_sdk_validates_every_callback() {
    sdk_accepts_each_and_rejects_altered("CONFPART_PYTHON", "signature_sdk.py");
}

#[test]
fn node_sdk_validates_every_callback() {
    sdk_accepts_each_and_rejects_altered("CONFPART_NODE", "signature_sdk.js");
}

mod telnyx {
    use super::*;
    use confpart::api::callback::{Callback, Event, Subscriber, Subscription, Subscriptions};
    use confpart::api::create::Create;
    use confpart::api::fields::Method;
    use confpart::api::signature::{Ed25519Key, validate_telnyx};
    use confpart::api::update::Update;
    use confpart::bridge::{CallbackSignature, CallbackSigner, ConferenceRef, Conferences};
    use confpart::wire::ident::ParticipantRef;

    const ACCOUNT: &str = "f5586561-8ff0-4291-a51b-c7dfe4139ff9";
    const START: u64 = 1_796_630_400;

    /// The callbacks of: the agent's create (subscribing start end join leave, and
    /// EndConferenceOnExit), the customer's, the customer muted (Telnyx has no mute
    /// event), the customer deleted, the agent deleted (which ends the conference).
    /// Each as (form, signature header, timestamp header), signed at `now`.
    pub(super) fn scenario(key: &Ed25519Key, now: u64) -> Vec<(Vec<u8>, String, String)> {
        let mut set: Conferences<2, 4> = Conferences::new(Dialect::Telnyx, Timing::IMMEDIATE);
        let account = AccountSid::parse(ACCOUNT).unwrap();
        let mut ids = SequentialIds::new();
        let mut clock = START;
        let mut sent = Vec::new();
        let mut step = |set: &mut Conferences<2, 4>, sent: &mut Vec<_>| {
            clock += 1;
            set.tick(Timestamp::from_unix(clock).unwrap());
            let mut form = vec![0u8; 2048];
            while let Some(notice) = set.pop_notice() {
                let signer = CallbackSigner::Ed25519 { key, now };
                if let Some(out) = set.callback_with(&notice, &mut form, Some(signer)).unwrap() {
                    assert_eq!(out.header, "telnyx-signature-ed25519");
                    let Some(CallbackSignature::Telnyx(sig)) = out.signature else {
                        panic!("an Ed25519 signature")
                    };
                    sent.push((
                        form[..out.body_len].to_vec(),
                        sig.as_str().to_owned(),
                        sig.timestamp().to_string(),
                    ));
                }
            }
            Timestamp::from_unix(clock).unwrap()
        };
        let at = step(&mut set, &mut sent);
        let mut agent = Create::new("+15005550006", "sip:agent@example.com");
        agent.label = Some("agent");
        agent.end_conference_on_exit = Some(true);
        let made = set
            .create(&account, ConferenceRef::parse("room"), &agent, at, &mut ids)
            .unwrap();
        let events = [
            Subscription::Start,
            Subscription::End,
            Subscription::Join,
            Subscription::Leave,
        ]
        .into_iter()
        .fold(Subscriptions::EMPTY, Subscriptions::with);
        let hook = Subscriber {
            url: HOOK,
            method: Method::Post,
            events,
        };
        assert!(set.subscribe(&made.conference, &hook));
        let room = made.conference;
        let at = step(&mut set, &mut sent);
        let mut customer = Create::new("+15005550006", "+15558675310");
        customer.label = Some("customer");
        let customer = set
            .create(&account, ConferenceRef::Sid(room), &customer, at, &mut ids)
            .unwrap()
            .call;
        let at = step(&mut set, &mut sent);
        let mut mute = Update::new();
        mute.muted = Some(true);
        let who = |call| ParticipantRef::Call(call);
        set.update(&account, &room, &who(customer), &mute, at)
            .unwrap();
        let at = step(&mut set, &mut sent);
        set.delete(&account, &room, &who(customer), at).unwrap();
        let at = step(&mut set, &mut sent);
        set.delete(&account, &room, &who(made.call), at).unwrap();
        step(&mut set, &mut sent);
        sent
    }

    #[test]
    fn telnyx_callbacks_in_order_signed_with_ed25519() {
        let key = Ed25519Key::from_seed(&[0x21; 32]);
        let now = START + 100;
        let sent = scenario(&key, now);
        let mut events = Vec::new();
        for (i, (body, sig, ts)) in sent.iter().enumerate() {
            let public = key.public_key();
            assert_eq!(
                validate_telnyx(&public, sig.as_bytes(), ts.as_bytes(), body, now),
                Ok(())
            );
            let mut altered = body.clone();
            altered.extend_from_slice(b"&x=1");
            assert!(
                validate_telnyx(&public, sig.as_bytes(), ts.as_bytes(), &altered, now).is_err()
            );
            let text = std::str::from_utf8(body).unwrap();
            assert!(text.contains("&Timestamp=2026-12-0"), "ISO 8601: {text}");
            let mut scratch = vec![0u8; body.len()];
            let d = Callback::decode(body, &mut scratch).unwrap();
            assert!(d.ignored.is_empty());
            let c = d.callback;
            assert_eq!(c.sequence_number as usize, i + 1);
            assert_eq!(c.account_sid.as_str(), ACCOUNT);
            assert_eq!(c.friendly_name, "room");
            // The legacy UUID of the call id, as the resource shows it.
            assert_eq!(
                c.call_sid_legacy.map(|s| s.form()),
                c.call_sid.map(|_| confpart::wire::ident::SidForm::Uuid)
            );
            assert_eq!(c.event.is_participant(), c.call_sid.is_some());
            assert!(c.muted.is_none() && c.hold.is_none() && c.coaching.is_none());
            events.push((c.event, c.participant_label.map(str::to_owned)));
        }
        let label = |l: &str| Some(l.to_owned());
        assert_eq!(
            events,
            [
                (Event::ParticipantJoin, label("agent")),
                (Event::ConferenceStart, None),
                (Event::ParticipantJoin, label("customer")),
                (Event::ParticipantLeave, label("customer")),
                (Event::ParticipantLeave, label("agent")),
                (Event::ConferenceEnd, None),
            ]
        );
    }

    /// Each callback through an SDK's verifier (`op`), as sent and with its body altered.
    fn sdk_verifies_each(var: &str, script: &str, op: &str) {
        let Some(program) = std::env::var(var).ok().filter(|v| !v.is_empty()) else {
            eprintln!("{var} is not set: skipped (tests/interop/run sets it)");
            return;
        };
        let key = Ed25519Key::from_seed(&[0x21; 32]);
        let public = String::from_utf8(key.public_key().to_base64().to_vec()).unwrap();
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let sent = scenario(&key, now);
        let mut input = String::new();
        for (body, sig, ts) in &sent {
            let body = String::from_utf8(body.clone()).unwrap();
            for body in [
                body.clone(),
                body.replace("SequenceNumber=", "SequenceNumber=0"),
            ] {
                input += &(serde_json::json!({"op": op, "key": public, "body": body, "sig": sig, "ts": ts})
                    .to_string()
                    + "\n");
            }
        }
        let answers = super::run_script(&program, script, input);
        assert_eq!(answers.len(), 2 * sent.len());
        for (i, pair) in answers.chunks(2).enumerate() {
            assert_eq!(pair, ["true", "false"], "callback {}", i + 1);
        }
    }

    #[test]
    fn python_telnyx_sdk_verifies_every_callback() {
        sdk_verifies_each("CONFPART_PYTHON", "signature_sdk.py", "telnyx_unwrap");
    }

    #[test]
    fn node_telnyx_sdk_verifies_every_callback() {
        sdk_verifies_each("CONFPART_NODE", "signature_sdk.js", "telnyx_verify");
    }
}
