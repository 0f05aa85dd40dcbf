//! The conference set's operations (create, tick, update, list with its
//! page URIs, fetch, delete, notices) and the Create codec run without a
//! heap allocation. A binary of its own (`harness = false`), with the same
//! counting allocator as `zero_alloc`.
use std::alloc::System;
use std::hint::black_box;

use confpart::api::create::Create;
use confpart::api::path::Dialect;
use confpart::api::query::ListQuery;
use confpart::api::update::Update;
use confpart::bridge::{ConferenceRef, Conferences, Link, SequentialIds, Timing};
use confpart::wire::date::Timestamp;
use confpart::wire::ident::{AccountSid, ParticipantRef};
use confpart::wire::sink::{CountingSink, SliceSink};
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

fn allocations_in(f: impl FnOnce()) -> usize {
    let region = Region::new(GLOBAL);
    f();
    let stats = region.change();
    stats.allocations + stats.reallocations
}

fn main() {
    let n = allocations_in(|| {
        black_box(Vec::<u8>::with_capacity(black_box(16)));
    });
    assert_eq!(n, 1, "the counter sees allocations");

    // Inputs and buffers prepared outside the measured section.
    let mut set = Box::new(Conferences::<2, 8>::new(Dialect::Twilio, Timing::IMMEDIATE));
    let account = AccountSid::parse("ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa").unwrap();
    let label = ParticipantRef::parse("customer one").unwrap();
    let body = b"From=%2B15017122661&To=%2B15558675310&Label=customer+one&Muted=true&Beep=onExit&Region=ie1";
    let mut scratch = vec![0u8; body.len()];
    let mut out = vec![0u8; 1024];
    let t = |s: u64| Timestamp::from_unix(1_700_000_000 + s).unwrap();

    let n = allocations_in(|| {
        let mut ids = SequentialIds::new();
        let create = Create::decode(body, &mut scratch).unwrap().create;
        let created = set
            .create(
                &account,
                ConferenceRef::parse("room"),
                &create,
                t(0),
                &mut ids,
            )
            .unwrap();
        let n = create.encode_to_slice(&mut out).unwrap();
        assert_eq!(n, create.encoded_len());
        let other = Create::new("a", "b");
        set.create(
            &account,
            ConferenceRef::Sid(created.conference),
            &other,
            t(0),
            &mut ids,
        )
        .unwrap();
        set.tick(t(1));
        set.update(
            &account,
            &created.conference,
            &label,
            &Update::new().hold(true),
            t(2),
        )
        .unwrap();
        let q = ListQuery {
            page_size: Some(1),
            ..ListQuery::new()
        };
        let page = set.list(&account, &created.conference, &q, t(3)).unwrap();
        assert_eq!(page.members().count(), 1);
        for link in [Link::Current, Link::First, Link::Next, Link::Previous] {
            if let Some(uri) = page.uri(link) {
                let mut sink = SliceSink::new(&mut out);
                uri.write(&mut sink).unwrap();
                let mut count = CountingSink::default();
                uri.write(&mut count).unwrap();
                assert_eq!(count.count, sink.len());
            }
        }
        set.fetch(&account, &created.conference, &label, t(4))
            .unwrap();
        set.delete(&account, &created.conference, &label, t(5))
            .unwrap();
        while set.pop_notice().is_some() {}
        black_box(&set);
    });
    assert_eq!(n, 0, "the conference set allocated");
    println!("zero_alloc_set: the conference set ran without a heap allocation");
}
