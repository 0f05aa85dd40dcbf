//! confpart against the std baselines, side by side in one run.
//!
//! `cargo bench -p confpart-bench`; `BENCHMARKS.md` holds the table.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

use std::hint::black_box;

use confpart::ident::CallSid;
use confpart::participant::Participant;
use confpart::update::{CoachTarget, Method, Update};
use confpart_bench::{StdParticipant, StdUpdate, full_std_update};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

const PARTICIPANT: &[u8] = include_bytes!("../../tests/fixtures/twilio-create.json");

fn full_update() -> Update<'static> {
    Update::new()
        .muted(true)
        .hold(true)
        .hold_url("https://music.example.com/hold/ambient loop.mp3")
        .hold_method(Method::Get)
        .announce_url("https://hooks.example.com/announce?lang=en-US")
        .announce_method(Method::Post)
        .wait_url("https://music.example.com/wait.xml")
        .wait_method(Method::Post)
        .coaching(true)
        .call_sid_to_coach(CoachTarget::Call(
            CallSid::parse("CAbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb").unwrap(),
        ))
        .beep_on_exit(false)
        .end_conference_on_exit(false)
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
    let u = full_update();
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

criterion_group!(
    benches,
    participant_decode,
    participant_encode,
    form_decode,
    form_encode
);
criterion_main!(benches);
