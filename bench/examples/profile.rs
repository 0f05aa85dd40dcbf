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
use confpart_bench::full_std_update;
use confpart_bench::scenario::{self, BridgeBuffers};

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
            black_box(black_box(&req).write_to_slice(&mut buf).unwrap());
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
            .write_to_slice(&mut req)
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
}
