//! confpart against the std baselines, side by side in one run.
//!
//! `cargo bench -p confpart-bench`; `BENCHMARKS.md` holds the table.
#![allow(missing_docs)]

use std::hint::black_box;

use confpart::api::participant::Participant;
use confpart::api::update::Update;
use confpart::wire::date::Timestamp;
use confpart_bench::scenario::{self, BridgeBuffers};
use confpart_bench::{
    AC, CA, CB, CF, StdBridge, StdParticipant, StdUpdate, TOKEN, full_std_update, std_request,
};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use serde::Deserialize;

const PARTICIPANT: &[u8] = include_bytes!("../../tests/fixtures/twilio-create.json");

/// The participant as serde-json-core sees it inside `Participant::decode`
/// (strings borrowed and still escaped): serde-json-core alone, without the
/// validator, unescaping, SID/date parsing.
#[derive(Deserialize, Default)]
#[serde(default)]
#[allow(dead_code)]
struct RawParticipant<'a> {
    account_sid: Option<&'a str>,
    call_sid: Option<&'a str>,
    label: Option<&'a str>,
    conference_sid: Option<&'a str>,
    date_created: Option<&'a str>,
    date_updated: Option<&'a str>,
    end_conference_on_exit: Option<bool>,
    muted: Option<bool>,
    hold: Option<bool>,
    status: Option<&'a str>,
    start_conference_on_enter: Option<bool>,
    coaching: Option<bool>,
    call_sid_to_coach: Option<&'a str>,
    queue_time: Option<&'a str>,
    uri: Option<&'a str>,
}

fn request_encode(c: &mut Criterion) {
    let path = scenario::path();
    let req = scenario::request(&path, scenario::full_update());
    let su = full_std_update();
    let mut buf = [0u8; 2048];
    let n = req.encode_to_slice(&mut buf).unwrap();
    let std_len = std_request(&su, AC, CF, CA, TOKEN).len();
    assert_eq!(n, std_len, "both requests must have the same size");
    let mut g = c.benchmark_group("request_encode");
    g.throughput(Throughput::Bytes(n as u64));
    g.bench_function("confpart", |b| {
        b.iter(|| black_box(&req).encode_to_slice(&mut buf).unwrap())
    });
    g.bench_function("format_urlencoded_base64", |b| {
        b.iter(|| std_request(black_box(&su), AC, CF, CA, TOKEN))
    });
    g.finish();
}

fn participant_decode(c: &mut Criterion) {
    let mut g = c.benchmark_group("participant_decode");
    g.throughput(Throughput::Bytes(PARTICIPANT.len() as u64));
    g.bench_function("confpart", |b| {
        b.iter(|| Participant::decode(black_box(PARTICIPANT)).unwrap())
    });
    g.bench_function("serde_json_owned", |b| {
        b.iter(|| serde_json::from_slice::<StdParticipant>(black_box(PARTICIPANT)).unwrap())
    });
    // The parts of confpart's decode, to see where the time goes.
    g.bench_function("part_json_validate", |b| {
        b.iter(|| confpart::wire::json::validate(black_box(PARTICIPANT)).unwrap())
    });
    g.bench_function("part_serde_json_core_raw", |b| {
        b.iter(|| {
            serde_json_core::from_slice::<RawParticipant<'_>>(black_box(PARTICIPANT)).unwrap()
        })
    });
    g.finish();
}

fn participant_encode(c: &mut Criterion) {
    let p = Participant::decode(PARTICIPANT).unwrap();
    let sp: StdParticipant = serde_json::from_slice(PARTICIPANT).unwrap();
    let mut buf = [0u8; 2048];
    let n = p.encode_to_slice(&mut buf).unwrap();
    let mut g = c.benchmark_group("participant_encode");
    g.throughput(Throughput::Bytes(n as u64));
    g.bench_function("confpart", |b| {
        b.iter(|| black_box(&p).encode_to_slice(&mut buf).unwrap())
    });
    g.bench_function("serde_json_to_vec", |b| {
        b.iter(|| serde_json::to_vec(black_box(&sp)).unwrap())
    });
    g.finish();
}

fn form_decode(c: &mut Criterion) {
    let body = serde_urlencoded::to_string(full_std_update()).unwrap();
    let body = body.as_bytes();
    let mut g = c.benchmark_group("form_decode");
    g.throughput(Throughput::Bytes(body.len() as u64));
    g.bench_function("confpart", |b| {
        let mut scratch = [0u8; 512];
        b.iter(|| {
            let d = Update::decode(black_box(body), &mut scratch).unwrap();
            black_box(d.update.muted);
        })
    });
    g.bench_function("serde_urlencoded_owned", |b| {
        b.iter(|| serde_urlencoded::from_bytes::<StdUpdate>(black_box(body)).unwrap())
    });
    g.finish();
}

fn form_encode(c: &mut Criterion) {
    let u = scenario::full_update();
    let su = full_std_update();
    let mut buf = [0u8; 512];
    let mut g = c.benchmark_group("form_encode");
    g.throughput(Throughput::Bytes(u.encoded_len() as u64));
    g.bench_function("confpart", |b| {
        b.iter(|| black_box(&u).encode_to_slice(&mut buf).unwrap())
    });
    g.bench_function("serde_urlencoded_to_string", |b| {
        b.iter(|| serde_urlencoded::to_string(black_box(&su)).unwrap())
    });
    g.finish();
}

fn bridge_roundtrip(c: &mut Criterion) {
    let path = scenario::path();
    let mut req = [0u8; 2048];
    let n = scenario::request(&path, scenario::full_update())
        .encode_to_slice(&mut req)
        .unwrap();
    let req = &req[..n];
    let now = Timestamp::from_unix(1_700_000_100).unwrap();

    let mut conf = scenario::conference();
    let mut bufs = Box::new(BridgeBuffers::default());
    let mut out = [0u8; 2048];
    let m = scenario::bridge(&mut conf, &mut bufs, req, &mut out, now).unwrap();

    let mut std_bridge = StdBridge {
        account: AC.into(),
        conference: CF.into(),
        token: TOKEN.into(),
        ..StdBridge::default()
    };
    for call in [CA, CB] {
        let mut p: StdParticipant = serde_json::from_slice(PARTICIPANT).unwrap();
        p.call_sid = Some(call.into());
        std_bridge.participants.insert(call.into(), p);
    }
    let now_text = "Tue, 14 Nov 2023 22:15:00 +0000";
    std_bridge.handle(req, now_text).expect("std bridge");

    let mut g = c.benchmark_group("bridge_roundtrip");
    g.throughput(Throughput::Bytes((n + m) as u64));
    g.bench_function("confpart", |b| {
        b.iter(|| scenario::bridge(&mut conf, &mut bufs, black_box(req), &mut out, now).unwrap())
    });
    g.bench_function("httparse_urlencoded_serde_json", |b| {
        b.iter(|| std_bridge.handle(black_box(req), now_text).unwrap())
    });
    g.finish();
}

criterion_group!(
    benches,
    request_encode,
    participant_decode,
    form_decode,
    participant_encode,
    form_encode,
    bridge_roundtrip
);
criterion_main!(benches);
