//! Runs one confpart path many times, for `valgrind --tool=callgrind`:
//!
//! `cargo build --release -p confpart-bench --example profile`
//! `valgrind --tool=callgrind target/release/examples/profile form_decode 10000`
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

use std::hint::black_box;

use confpart::date::Timestamp;
use confpart::participant::Participant;
use confpart::update::Update;
use confpart_bench::scenario::{self, BridgeBuffers};
use confpart_bench::{
    AC, CA, CB, CF, StdBridge, StdParticipant, StdUpdate, TOKEN, full_std_update, std_request,
};

const PARTICIPANT: &[u8] = include_bytes!("../../tests/fixtures/twilio-create.json");

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
        let path = scenario::path();
        let mut req = [0u8; 2048];
        let len = scenario::request(&path, scenario::full_update())
            .encode_to_slice(&mut req)
            .unwrap();
        let now = Timestamp::from_unix(1_700_000_100).unwrap();
        let mut conf = scenario::conference();
        let mut bufs = Box::new(BridgeBuffers::default());
        let mut out = [0u8; 2048];
        for _ in 0..n {
            black_box(
                scenario::bridge(&mut conf, &mut bufs, black_box(&req[..len]), &mut out, now)
                    .unwrap(),
            );
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
    if all || what == "std_bridge_roundtrip" {
        let path = scenario::path();
        let mut req = [0u8; 2048];
        let len = scenario::request(&path, scenario::full_update())
            .encode_to_slice(&mut req)
            .unwrap();
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
                b.handle(black_box(&req[..len]), "Tue, 14 Nov 2023 22:15:00 +0000")
                    .unwrap(),
            );
        }
    }
}
