//! The bridge service on its own, bytes in → bytes out: the issue-9
//! scenario (shared with the loopback test of the tests crate), the
//! service's own rules (auth, friendly names, framing errors, keep-alive),
//! and a proptest: random operation sequences sent as HTTP bytes agree
//! with calling `Conferences` directly (status, code, every participant
//! field, list pages).
mod service_support;

use confpart::api::create::Create;
use confpart::api::operation::OperationKind;
use confpart::api::path::{Dialect, PathStyle};
use confpart::api::query::ListQuery;
use confpart::api::update::Update;
use confpart::bridge::{Account, Handled, Service};
use confpart::bridge::{ConferenceRef, Conferences, Refusal, SequentialIds, Timing};
use confpart::client::Operation;
use confpart::wire::date::Timestamp;
use confpart::wire::http::{Connection, HttpError, Progress, RequestReader};
use confpart::wire::ident::{AccountSid, CallSid, ConferenceSid, ParticipantRef};
use confpart::wire::sink::SliceSink;
use proptest::prelude::*;
use service_support::*;

const T0: u64 = 1_700_000_000;
const TIMING: Timing = Timing {
    to_connecting: 1,
    to_ringing: 1,
    to_connected: 1,
};

type Bridge = Service<'static, 4, 8>;

/// The service alone: a virtual clock, requests fed in two pieces.
struct Direct {
    service: Bridge,
    ids: SequentialIds,
    millis: u64,
    last: Option<Handled>,
}

impl Direct {
    fn new(timing: Timing) -> Self {
        let accounts: &'static [Account<'static>] = Box::leak(Box::new(accounts()));
        Direct {
            service: Service::new(Dialect::Twilio, timing, accounts),
            ids: SequentialIds::new(),
            millis: 0,
            last: None,
        }
    }

    fn now(&self) -> Timestamp {
        Timestamp::from_unix(T0 + self.millis / 1000).unwrap()
    }

    /// The response bytes (and what `handle` said) for `request`.
    fn answer(&mut self, request: &[u8]) -> (Handled, Vec<u8>) {
        let mut rx = vec![0u8; 16 * 1024];
        let mut reader = RequestReader::new(&mut rx);
        let (first, rest) = request.split_at(request.len() / 2);
        assert!(matches!(reader.feed(first), Ok(Progress::Partial)));
        let now = self.now();
        let mut tx = vec![0u8; 64 * 1024];
        let mut out = SliceSink::new(&mut tx);
        let handled = match reader.feed(rest) {
            Ok(Progress::Complete(m)) => {
                assert_eq!(m.consumed(), rest.len());
                let mut scratch = vec![0u8; m.body().len().max(m.query().map_or(0, str::len))];
                self.service
                    .handle(&m, now, &mut self.ids, &mut scratch, &mut out)
                    .unwrap()
            }
            Ok(Progress::Partial) => panic!("incomplete request"),
            Err(e) => Bridge::reject(&e, &mut out).unwrap(),
        };
        let bytes = out.written().to_vec();
        (handled, bytes)
    }
}

impl Wire for Direct {
    fn exchange(&mut self, request: &[u8], kind: OperationKind) -> Reply {
        let (handled, bytes) = self.answer(request);
        // Read back in 7-byte pieces.
        let mut chunks = bytes
            .chunks(7)
            .map(<[u8]>::to_vec)
            .collect::<Vec<_>>()
            .into_iter();
        let reply = Reply::read(kind, || chunks.next());
        assert_eq!(handled.status, reply.status);
        assert_eq!(handled.keep_alive, reply.keep_alive);
        assert_eq!(
            handled.code,
            (reply.status >= 400).then(|| reply.code().unwrap())
        );
        self.last = Some(handled);
        reply
    }

    fn wait(&mut self, millis: u64) {
        self.millis += millis;
    }
}

#[test]
fn scenario_on_the_service_alone() {
    let mut wire = Direct::new(TIMING);
    scenario(&mut wire, 1000);
    // Events were queued for the adapter: joins, mute, hold, ...
    let mut names = Vec::new();
    while let Some(n) = wire.service.pop_notice() {
        names.push(n.kind.name());
    }
    for expected in [
        "participant-join",
        "conference-start",
        "participant-mute",
        "participant-hold",
        "participant-modify",
        "participant-unmute",
    ] {
        assert!(
            names.contains(&expected),
            "{expected} missing from {names:?}"
        );
    }
}

#[test]
fn scenario_with_immediate_timing() {
    let mut wire = Direct::new(Timing::IMMEDIATE);
    scenario(&mut wire, 0);
}

fn create_bytes(conference: &str, body: &str, auth: &str) -> Vec<u8> {
    format!(
        "POST /2010-04-01/Accounts/{AC}/Conferences/{conference}/Participants.json HTTP/1.1\r\n\
         Host: x\r\nAuthorization: Basic {auth}\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

// base64("ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa:auth token")
const AUTH: &str = "QUNhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYTphdXRoIHRva2Vu";

#[test]
fn friendly_names() {
    let mut wire = Direct::new(Timing::IMMEDIATE);
    let kind = OperationKind::Create;
    // `+` stays literal in a path; `%2B` is a `+` too.
    let a = Reply::read(kind, {
        let mut once = Some(wire.answer(&create_bytes("a+b", "From=x&To=y", AUTH)).1);
        move || once.take()
    });
    let b = Reply::read(kind, {
        let mut once = Some(wire.answer(&create_bytes("a%2Bb", "From=x&To=y", AUTH)).1);
        move || once.take()
    });
    assert_eq!(
        a.participant().conference_sid(),
        b.participant().conference_sid()
    );
    let sid = *a.participant().conference_sid().unwrap();
    assert_eq!(wire.service.conferences().friendly_name(&sid), Some("a+b"));
    // A name of 129 bytes: 400 / 20001, after auth.
    let long = "n".repeat(129);
    let (h, _) = wire.answer(&create_bytes(&long, "From=x&To=y", AUTH));
    assert_eq!((h.status, h.code), (400, Some(20001)));
    let (h, _) = wire.answer(&create_bytes(&long, "From=x&To=y", "eDp5"));
    assert_eq!((h.status, h.code), (401, Some(20003)));
    // A control character in the name: 400 / 20001; `%2F`: 404.
    let (h, _) = wire.answer(&create_bytes("a%0Ab", "From=x&To=y", AUTH));
    assert_eq!((h.status, h.code), (400, Some(20001)));
    let (h, _) = wire.answer(&create_bytes("a%2Fb", "From=x&To=y", AUTH));
    assert_eq!((h.status, h.code), (404, Some(20404)));
    // Only a create may name a conference: a list by name is 404.
    let list = format!(
        "GET /2010-04-01/Accounts/{AC}/Conferences/a+b/Participants.json HTTP/1.1\r\n\
         Host: x\r\nAuthorization: Basic {AUTH}\r\n\r\n"
    );
    let (h, _) = wire.answer(list.as_bytes());
    assert_eq!((h.status, h.code), (404, Some(20404)));
    // A create form without To: 400 / 20001.
    let (h, _) = wire.answer(&create_bytes("room", "From=x", AUTH));
    assert_eq!((h.status, h.code), (400, Some(20001)));
}

#[test]
fn authentication_rules() {
    let mut wire = Direct::new(Timing::IMMEDIATE);
    let fetch = |auth: &str| {
        format!(
            "GET /2010-04-01/Accounts/{AC}/Conferences/{CF}/Participants/x.json HTTP/1.1\r\n\
             Host: x\r\n{auth}\r\n"
        )
        .into_bytes()
    };
    for auth in [
        "",
        "Authorization: Bearer abc\r\n",
        "Authorization: Basic !!!\r\n",
        // "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa:other token" (AC_OTHER's token)
        "Authorization: Basic QUNhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYTpvdGhlciB0b2tlbg==\r\n",
        // "SKcccccccccccccccccccccccccccccccc:auth token" (key with the token)
        "Authorization: Basic U0tjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjYzphdXRoIHRva2Vu\r\n",
    ] {
        let (h, bytes) = wire.answer(&fetch(auth));
        assert_eq!((h.status, h.code), (401, Some(20003)), "{auth}");
        let text = String::from_utf8(bytes).unwrap();
        assert!(text.contains("\r\nWWW-Authenticate: Basic realm=\"Twilio API\"\r\n"));
    }
    // The right token: past auth (no such conference yet).
    let (h, _) = wire.answer(&fetch(&format!("Authorization: Basic {AUTH}\r\n")));
    assert_eq!((h.status, h.code), (404, Some(20404)));
    // Debug never shows a secret.
    let shown = format!("{:?}", wire.service);
    assert!(!shown.contains(TOKEN) && !shown.contains(KEY_SECRET) && shown.contains("***"));
}

#[test]
fn framing_errors_and_connection() {
    // A body larger than the reader's buffer: the adapter asks `reject`.
    let mut tx = [0u8; 512];
    let mut out = SliceSink::new(&mut tx);
    let h = Bridge::reject(
        &HttpError::BodyTooLarge {
            declared: Some(1 << 30),
            capacity: 4096,
        },
        &mut out,
    )
    .unwrap();
    assert_eq!((h.status, h.code, h.keep_alive), (413, Some(20001), false));
    assert!(out.written().starts_with(b"HTTP/1.1 413 "));
    assert!(
        out.written()
            .windows(19)
            .any(|w| w == b"Connection: close\r\n")
    );

    // HTTP/1.0 without keep-alive: answered with close.
    let mut wire = Direct::new(Timing::IMMEDIATE);
    let (h, bytes) = wire.answer(b"GET /nope HTTP/1.0\r\n\r\n");
    assert_eq!((h.status, h.keep_alive), (404, false));
    assert!(
        String::from_utf8(bytes)
            .unwrap()
            .contains("Connection: close\r\n")
    );

    // An output buffer that is too small: Err, for the adapter to close.
    let request = create_bytes(CF, "From=x&To=y", AUTH);
    let mut rx = [0u8; 1024];
    let mut reader = RequestReader::new(&mut rx);
    let Ok(Progress::Complete(m)) = reader.feed(&request) else {
        panic!()
    };
    let mut small = [0u8; 64];
    let mut out = SliceSink::new(&mut small);
    let mut scratch = [0u8; 64];
    let now = Timestamp::from_unix(T0).unwrap();
    assert!(
        wire.service
            .handle(&m, now, &mut SequentialIds::new(), &mut scratch, &mut out)
            .is_err()
    );
}

#[test]
fn a_full_set_answers_429() {
    let accounts: &'static [Account<'static>] = Box::leak(Box::new(accounts()));
    let mut wire = Direct {
        service: Service::new(Dialect::Twilio, Timing::IMMEDIATE, accounts),
        ids: SequentialIds::new(),
        millis: 0,
        last: None,
    };
    for i in 0..4 {
        let (h, _) = wire.answer(&create_bytes(&format!("room{i}"), "From=x&To=y", AUTH));
        assert_eq!(h.status, 201);
    }
    let (h, _) = wire.answer(&create_bytes("room4", "From=x&To=y", AUTH));
    assert_eq!((h.status, h.code), (429, Some(20429)));
}

// --- Differential proptest: HTTP bytes vs Conferences directly. ---------

#[derive(Debug, Clone)]
enum Op {
    Create {
        label: Option<u8>,
        muted: bool,
        room: u8,
    },
    Update {
        who: Who,
        update: u8,
        target: u8,
    },
    Fetch {
        who: Who,
    },
    Delete {
        who: Who,
    },
    List {
        muted: Option<bool>,
        page_size: u16,
        page: u32,
    },
    Wait {
        secs: u8,
    },
}

#[derive(Debug, Clone, Copy)]
enum Who {
    /// The n-th created call (or an unknown SID when out of range).
    Call(u8),
    /// The label `p{n}`.
    Label(u8),
}

fn who() -> impl Strategy<Value = Who> {
    prop_oneof![(0u8..8).prop_map(Who::Call), (0u8..4).prop_map(Who::Label)]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (proptest::option::of(0u8..4), any::<bool>(), 0u8..2)
            .prop_map(|(label, muted, room)| Op::Create { label, muted, room }),
        4 => (who(), 0u8..7, 0u8..8).prop_map(|(who, update, target)| Op::Update { who, update, target }),
        1 => who().prop_map(|who| Op::Fetch { who }),
        1 => who().prop_map(|who| Op::Delete { who }),
        2 => (proptest::option::of(any::<bool>()), 1u16..4, 0u32..3)
            .prop_map(|(muted, page_size, page)| Op::List { muted, page_size, page }),
        1 => (0u8..3).prop_map(|secs| Op::Wait { secs }),
    ]
}

fn sid(n: u8) -> ConferenceSid {
    ConferenceSid::parse(&format!("CF{:032x}", 0xf0 + u32::from(n))).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn http_agrees_with_the_set(ops in proptest::collection::vec(op(), 1..40)) {
        let account = AccountSid::parse(AC).unwrap();
        let mut wire = Direct::new(TIMING);
        let mut set: Conferences<4, 8> = Conferences::new(Dialect::Twilio, TIMING);
        let mut ids = SequentialIds::new();
        let mut calls: Vec<CallSid> = Vec::new();
        let mut secs = 0u64;
        for op in ops {
            let now = Timestamp::from_unix(T0 + secs).unwrap();
            let who_ref = |w: Who, calls: &[CallSid]| match w {
                Who::Call(i) => ParticipantRef::Call(
                    calls.get(usize::from(i)).copied()
                        .unwrap_or(CallSid::parse("CAeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee").unwrap()),
                ),
                Who::Label(i) => ParticipantRef::parse(&format!("p{i}")).unwrap(),
            };
            match op {
                Op::Wait { secs: s } => {
                    secs += u64::from(s);
                    wire.wait(u64::from(s) * 1000);
                }
                Op::Create { label, muted, room } => {
                    let label_text = label.map(|l| format!("p{l}"));
                    let mut create = Create::new("+15005550006", "+15005550001").muted(muted);
                    if let Some(l) = &label_text {
                        create = create.label(l);
                    }
                    let conf = sid(room);
                    let reply = send(&mut wire, conf, Operation::create(create.into()));
                    let direct = set.create(&account, ConferenceRef::Sid(conf), &create, now, &mut ids);
                    match direct {
                        Ok(created) => {
                            calls.push(created.call);
                            let found = set.participant(&created.conference, &created.call).unwrap();
                            let qt = created.queue_time_ms.to_string();
                            let p = found.conference.resource(&created.call, PathStyle::Twilio).unwrap()
                                .with_queue_time(qt.as_str());
                            prop_assert_eq!(reply.status, 201);
                            prop_assert_eq!(reply.text(), encode(&p));
                        }
                        Err(r) => check_refusal(&reply, &r)?,
                    }
                }
                Op::Update { who, update, target } => {
                    let r = who_ref(who, &calls);
                    let t = calls.get(usize::from(target)).copied()
                        .unwrap_or(CallSid::parse("CAeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee").unwrap());
                    let u = match update {
                        0 => Update::mute(),
                        1 => Update::unmute(),
                        2 => Update::hold_with_music("https://m.example.com/a?b=c&d"),
                        3 => Update::unhold(),
                        4 => Update::coach(t),
                        5 => Update::monitor(t),
                        _ => Update::barge(),
                    };
                    for room in 0..2 {
                        let reply = send(&mut wire, sid(room), Operation::update(&r, u));
                        match set.update(&account, &sid(room), &r, &u, now) {
                            Ok(found) => {
                                let p = found.conference.resource(found.member.call_sid(), PathStyle::Twilio).unwrap();
                                prop_assert_eq!(reply.status, 200);
                                prop_assert_eq!(reply.text(), encode(&p));
                            }
                            Err(e) => check_refusal(&reply, &e)?,
                        }
                    }
                }
                Op::Fetch { who } => {
                    let r = who_ref(who, &calls);
                    for room in 0..2 {
                        let reply = send(&mut wire, sid(room), Operation::fetch(&r));
                        match set.fetch(&account, &sid(room), &r, now) {
                            Ok(found) => {
                                let p = found.conference.resource(found.member.call_sid(), PathStyle::Twilio).unwrap();
                                prop_assert_eq!(reply.status, 200);
                                prop_assert_eq!(reply.text(), encode(&p));
                            }
                            Err(e) => check_refusal(&reply, &e)?,
                        }
                    }
                }
                Op::Delete { who } => {
                    let r = who_ref(who, &calls);
                    for room in 0..2 {
                        let reply = send(&mut wire, sid(room), Operation::delete(&r));
                        match set.delete(&account, &sid(room), &r, now) {
                            Ok(_) => prop_assert_eq!(reply.status, 204),
                            Err(e) => check_refusal(&reply, &e)?,
                        }
                    }
                }
                Op::List { muted, page_size, page } => {
                    let q = ListQuery { muted, page_size: Some(page_size), page: Some(page), ..ListQuery::new() };
                    for room in 0..2 {
                        let reply = send(&mut wire, sid(room), Operation::list(q));
                        match set.list(&account, &sid(room), &q, now) {
                            Ok(page) => {
                                let members: Vec<CallSid> = page.members().map(|m| *m.call_sid()).collect();
                                prop_assert_eq!(reply.page().0, members);
                                let mut uri = String::new();
                                if let Some(u) = page.uri(confpart::bridge::Link::Next) {
                                    let mut buf = vec![0u8; u.encoded_len()];
                                    let mut s = SliceSink::new(&mut buf);
                                    u.write(&mut s).unwrap();
                                    uri = String::from_utf8(buf).unwrap();
                                }
                                prop_assert_eq!(reply.page().1.unwrap_or_default(), uri);
                            }
                            Err(e) => check_refusal(&reply, &e)?,
                        }
                    }
                }
            }
        }
        // The notices agree too.
        loop {
            let (a, b) = (wire.service.pop_notice(), set.pop_notice());
            prop_assert_eq!(a, b);
            if a.is_none() { break; }
        }
    }
}

fn encode(p: &confpart::api::participant::Participant<'_>) -> String {
    let mut buf = vec![0u8; p.encoded_len()];
    p.encode_to_slice(&mut buf).unwrap();
    String::from_utf8(buf).unwrap()
}

fn check_refusal(reply: &Reply, refusal: &Refusal) -> Result<(), TestCaseError> {
    let a = refusal.answer();
    prop_assert_eq!(
        (reply.status, reply.code()),
        (a.status, Some(a.code)),
        "{}",
        reply.text()
    );
    Ok(())
}

#[test]
fn connection_header_follows_the_request() {
    let mut wire = Direct::new(Timing::IMMEDIATE);
    let cf = ConferenceSid::parse(CF).unwrap();
    let bytes = request_bytes(
        AC,
        TOKEN,
        AC,
        cf,
        Operation::create(Create::new("a", "b").into()),
        Connection::Close,
        &[],
    );
    let (h, out) = wire.answer(&bytes);
    assert_eq!((h.status, h.keep_alive), (201, false));
    assert!(
        String::from_utf8(out)
            .unwrap()
            .contains("\r\nConnection: close\r\n")
    );
}
