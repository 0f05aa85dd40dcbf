//! Runs one confpart path many times, for `valgrind --tool=callgrind`:
//!
//! `cargo build --release -p confpart-bench --example profile`
//! `valgrind --tool=callgrind target/release/examples/profile form_decode 10000`
#![allow(missing_docs)]

use std::hint::black_box;

use confpart::api::operation::OperationKind;
use confpart::api::participant::Participant;
use confpart::api::update::Update;
use confpart::client::ResponseReader;
use confpart::wire::date::Timestamp;
use confpart::wire::http::Progress;
use confpart_bench::scenario::{self, BridgeBuffers};
use confpart_bench::{
    AC, CA, CB, CF, StdBridge, StdParticipant, StdUpdate, TOKEN, full_std_update, std_request,
    std_response_read, twilio_response,
};

const PARTICIPANT: &[u8] = include_bytes!("../../tests/fixtures/twilio-create.json");
const MUTED: &[u8] = include_bytes!("../../tests/fixtures/twilio-update-mute.json");

fn main() {
    let mut args = std::env::args().skip(1);
    let what = args.next().unwrap_or_else(|| "all".into());
    let n: usize = args.next().map_or(10_000, |s| s.parse().unwrap());
    let all = what == "all";
    if all || what == "request_encode" {
        let path = scenario::path();
        let req = scenario::request(&path, scenario::full_update());
        let mut buf = [0u8; 2048];
        for _ in 0..n {
            black_box(black_box(&req).encode_to_slice(&mut buf).unwrap());
        }
    }
    if all || what == "participant_decode" {
        for _ in 0..n {
            black_box(Participant::decode(black_box(PARTICIPANT)).unwrap());
        }
    }
    if all || what == "participant_encode" {
        let p = Participant::decode(PARTICIPANT).unwrap();
        let mut buf = [0u8; 2048];
        for _ in 0..n {
            black_box(black_box(&p).encode_to_slice(&mut buf).unwrap());
        }
    }
    if all || what == "form_decode" {
        let body = serde_urlencoded::to_string(full_std_update()).unwrap();
        let mut scratch = [0u8; 512];
        for _ in 0..n {
            let d = Update::decode(black_box(body.as_bytes()), &mut scratch).unwrap();
            black_box(d.update.muted);
        }
    }
    if all || what == "bridge_roundtrip" {
        let req = update_request();
        let now = Timestamp::from_unix(1_700_000_100).unwrap();
        let mut conf = scenario::conference();
        let mut bufs = Box::new(BridgeBuffers::default());
        let mut out = [0u8; 2048];
        for _ in 0..n {
            black_box(
                scenario::bridge(&mut conf, &mut bufs, black_box(&req), &mut out, now).unwrap(),
            );
        }
    }
    if all || what == "service_roundtrip" {
        // The same request through the whole service (`Service::handle`:
        // tick, route, auth against the configured account, decode, the
        // set's update, the answer), as a bridge adapter calls it.
        use confpart::api::create::Create;
        use confpart::api::path::Dialect;
        use confpart::bridge::{Account, Service};
        use confpart::bridge::{ConferenceRef, Timing};
        use confpart::wire::ident::{AccountSid, ConferenceSid};
        let req = update_request();
        let now = Timestamp::from_unix(1_700_000_100).unwrap();
        let account = AccountSid::parse(AC).unwrap();
        let accounts = [Account::new(account, TOKEN)];
        let mut service: Box<Service<'_, 1, 4>> =
            Box::new(Service::new(Dialect::Twilio, Timing::IMMEDIATE, &accounts));
        let mut ids = Ids::new(1, 2);
        let conference = ConferenceRef::Sid(ConferenceSid::parse(CF).unwrap());
        for _ in 0..2 {
            let create = Create::new("+15005550006", "+15005550001");
            service
                .conferences_mut()
                .create(&account, conference, &create, now, &mut ids)
                .unwrap();
        }
        handle_updates(&mut service, &mut ids, &req, now, n);
    }
    if all || what == "service_full_250" {
        // `service_roundtrip` in a full conference of Twilio's size: 250
        // live participants, the one updated joined last (a participant is
        // found by a scan of its own conference, never of the bridge; the
        // coaching target, the first, by another).
        use confpart::api::create::Create;
        use confpart::api::path::Dialect;
        use confpart::bridge::{Account, Service};
        use confpart::bridge::{ConferenceRef, Timing};
        use confpart::wire::ident::{AccountSid, ConferenceSid};
        const FULL: usize = 250;
        let req = update_request();
        let now = Timestamp::from_unix(1_700_000_100).unwrap();
        let account = AccountSid::parse(AC).unwrap();
        let accounts = [Account::new(account, TOKEN)];
        let mut service: Box<Service<'_, 1, FULL>> =
            Box::new(Service::new(Dialect::Twilio, Timing::IMMEDIATE, &accounts));
        // The update coaches CB: the first to join.
        let mut ids = Ids::new(FULL as u128, 1);
        let conference = ConferenceRef::Sid(ConferenceSid::parse(CF).unwrap());
        for _ in 0..FULL {
            let create = Create::new("+15005550006", "+15005550001");
            service
                .conferences_mut()
                .create(&account, conference, &create, now, &mut ids)
                .unwrap();
        }
        handle_updates(&mut service, &mut ids, &req, now, n);
    }
    if all || what == "host_service_100k" {
        // `service_roundtrip` in the host bridge's service
        // (`confpart_std::store::HeapService`) holding Twilio-sized load:
        // 10 000 conferences of 10, 100 000 live participants. The same
        // instructions as with 2 participants, give or take the hash: no
        // request scans the bridge.
        use confpart::api::create::Create;
        use confpart::api::path::Dialect;
        use confpart::bridge::{Account, ConferenceRef, Limits, Timing};
        use confpart::wire::ident::{AccountSid, ConferenceSid, SidForm};
        use confpart_std::store::HeapService;
        let req = update_request();
        let now = Timestamp::from_unix(1_700_000_100).unwrap();
        let account = AccountSid::parse(AC).unwrap();
        let accounts = [Account::new(account, TOKEN)];
        let mut service: HeapService<'_> = HeapService::with_limits(
            Dialect::Twilio,
            Timing::IMMEDIATE,
            &accounts,
            Limits::TWILIO,
        );
        let mut ids = Ids::new(1, 2);
        let create = Create::new("+15005550006", "+15005550001");
        for c in 0..10_000u128 {
            let sid = if c == 0 {
                ConferenceSid::parse(CF).unwrap()
            } else {
                ConferenceSid::from_bits(c, SidForm::Twilio)
            };
            for _ in 0..10 {
                service
                    .conferences_mut()
                    .create(&account, ConferenceRef::Sid(sid), &create, now, &mut ids)
                    .unwrap();
            }
        }
        assert_eq!(service.conferences().live_participants(), 100_000);
        handle_updates(&mut service, &mut ids, &req, now, n);
    }
    if all || what == "service_telnyx" {
        // `service_roundtrip` as Telnyx: the same update (less WaitMethod,
        // which Telnyx lacks) as telnyx-python sends it: a JSON body, a
        // Bearer key, `v3:` call ids; the answer is Telnyx's resource with
        // its legacy ids.
        use confpart::api::create::Create;
        use confpart::api::path::Dialect;
        use confpart::bridge::{Account, ConferenceRef, SequentialIds, Service, Timing};
        use confpart::wire::ident::{AccountSid, CallSid, SidForm};
        const ACCOUNT: &str = "61bf923e-5e4d-4595-a110-56190ea18a1b";
        let now = Timestamp::from_unix(1_700_000_100).unwrap();
        let account = AccountSid::parse(ACCOUNT).unwrap();
        let accounts = [Account::new(account, TOKEN)];
        let mut service: Box<Service<'_, 1, 4>> =
            Box::new(Service::new(Dialect::Telnyx, Timing::IMMEDIATE, &accounts));
        let mut ids = SequentialIds::new();
        let create = Create::new("+15005550006", "+15005550001");
        let first = service
            .conferences_mut()
            .create(
                &account,
                ConferenceRef::Name("room"),
                &create,
                now,
                &mut ids,
            )
            .unwrap();
        let conference = ConferenceRef::Sid(first.conference);
        service
            .conferences_mut()
            .create(&account, conference, &create, now, &mut ids)
            .unwrap();
        service.tick(now);
        let call = CallSid::from_bits(2, SidForm::Telnyx);
        let target = CallSid::from_bits(3, SidForm::Telnyx);
        let body = format!(
            r#"{{"Muted":true,"Hold":true,"HoldUrl":"https://music.example.com/hold/ambient_loop.mp3?loop=true&volume=0.8","HoldMethod":"GET","AnnounceUrl":"https://hooks.example.com/announce?lang=en-US","AnnounceMethod":"POST","WaitUrl":"https://music.example.com/wait.xml","Coaching":true,"CallSidToCoach":"{}","BeepOnExit":false,"EndConferenceOnExit":false}}"#,
            target.as_str()
        );
        let req = format!(
            "POST /v2/texml/Accounts/{ACCOUNT}/Conferences/{}/Participants/{} HTTP/1.1\r\nHost: api.telnyx.com\r\nAuthorization: Bearer {TOKEN}\r\nContent-Type: application/json\r\nAccept: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            first.conference.as_str(),
            call.as_str(),
            body.len()
        );
        handle_updates(&mut service, &mut ids, req.as_bytes(), now, n);
    }
    if all || what == "response_read" {
        let resp = twilio_response(MUTED);
        let mut buf = [0u8; 4096];
        for _ in 0..n {
            black_box(scenario::response_read(&mut buf, black_box(&resp)).unwrap());
        }
    }
    if all || what == "response_participant" {
        let resp = twilio_response(MUTED);
        let mut buf = [0u8; 4096];
        for _ in 0..n {
            let mut reader = ResponseReader::new(&mut buf, OperationKind::Update);
            let Progress::Complete(m) = reader.feed(black_box(&resp)).unwrap() else {
                panic!("incomplete");
            };
            let p = Participant::decode(m.body()).unwrap();
            black_box(p.muted());
        }
    }
    // The std baselines, for instruction counts side by side.
    if all || what == "std_request_encode" {
        let su = full_std_update();
        for _ in 0..n {
            black_box(std_request(black_box(&su), AC, CF, CA, TOKEN));
        }
    }
    if all || what == "std_participant_decode" {
        for _ in 0..n {
            black_box(serde_json::from_slice::<StdParticipant>(black_box(PARTICIPANT)).unwrap());
        }
    }
    if all || what == "std_participant_encode" {
        let sp: StdParticipant = serde_json::from_slice(PARTICIPANT).unwrap();
        for _ in 0..n {
            black_box(serde_json::to_vec(black_box(&sp)).unwrap());
        }
    }
    if all || what == "std_form_decode" {
        let body = serde_urlencoded::to_string(full_std_update()).unwrap();
        for _ in 0..n {
            black_box(
                serde_urlencoded::from_bytes::<StdUpdate>(black_box(body.as_bytes())).unwrap(),
            );
        }
    }
    if all || what == "std_response_read" {
        let resp = twilio_response(MUTED);
        for _ in 0..n {
            black_box(std_response_read(black_box(&resp)).unwrap());
        }
    }
    if all || what == "std_bridge_roundtrip" {
        let req = update_request();
        let mut b = StdBridge {
            account: AC.into(),
            conference: CF.into(),
            token: TOKEN.into(),
            ..StdBridge::default()
        };
        for call in [CA, CB] {
            let mut p: StdParticipant = serde_json::from_slice(PARTICIPANT).unwrap();
            p.call_sid = Some(call.into());
            b.participants.insert(call.into(), p);
        }
        for _ in 0..n {
            black_box(
                b.handle(black_box(&req), "Tue, 14 Nov 2023 22:15:00 +0000")
                    .unwrap(),
            );
        }
    }
}

/// The full update as the Twilio SDKs send it, framed: the request of the bridge and
/// `service_*` cases.
fn update_request() -> Vec<u8> {
    let path = scenario::path();
    let mut req = [0u8; 2048];
    let len = scenario::request(&path, scenario::full_update())
        .encode_to_slice(&mut req)
        .unwrap();
    req[..len].to_vec()
}

/// The ids the `service_*` cases' creates mint: [`CA`] (the updated participant) and
/// [`CB`] (its coaching target) at the given turns, counted from 1, the others numbered;
/// every conference is [`CF`].
struct Ids {
    minted: u128,
    updated_at: u128,
    coached_at: u128,
}

impl Ids {
    fn new(updated_at: u128, coached_at: u128) -> Self {
        Self {
            minted: 0,
            updated_at,
            coached_at,
        }
    }
}

impl confpart::bridge::IdSource for Ids {
    fn call_sid(
        &mut self,
        _: confpart::api::path::Dialect,
    ) -> Result<confpart::wire::ident::CallSid, confpart::wire::ident::IdError> {
        use confpart::wire::ident::{CallSid, SidForm};
        self.minted += 1;
        match self.minted {
            n if n == self.updated_at => CallSid::parse(CA),
            n if n == self.coached_at => CallSid::parse(CB),
            n => Ok(CallSid::from_bits(n, SidForm::Twilio)),
        }
    }

    fn conference_sid(
        &mut self,
        _: confpart::api::path::Dialect,
    ) -> Result<confpart::wire::ident::ConferenceSid, confpart::wire::ident::IdError> {
        confpart::wire::ident::ConferenceSid::parse(CF)
    }
}

/// The measured part of the `service_*` cases: `n` times, the request read by the core's
/// reader and answered by `service` (200 expected).
fn handle_updates<T: confpart::bridge::Table<L>, const L: usize>(
    service: &mut confpart::bridge::ServiceIn<'_, T, L>,
    ids: &mut impl confpart::bridge::IdSource,
    req: &[u8],
    now: Timestamp,
    n: usize,
) {
    let mut bufs = Box::new(BridgeBuffers::default());
    let mut out = [0u8; 2048];
    for _ in 0..n {
        let mut reader = confpart::wire::http::RequestReader::new(&mut bufs.request);
        let Progress::Complete(m) = reader.feed(black_box(req)).unwrap() else {
            panic!("incomplete");
        };
        let mut sink = confpart::wire::sink::SliceSink::new(&mut out);
        let handled = service
            .handle(&m, now, ids, &mut bufs.scratch, &mut sink)
            .unwrap();
        assert_eq!(handled.status, 200);
        black_box(sink.len());
    }
}
