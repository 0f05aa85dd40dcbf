//! The bridge service answers every operation — create (by SID and by
//! friendly name), fetch, update, list, delete, and its refusals (401, 404,
//! 405, 400, a framing error) — without a heap allocation. A binary of its
//! own (`harness = false`), with the same counting allocator as `zero_alloc`.
use std::alloc::System;
use std::hint::black_box;

use confpart::api::path::Dialect;
use confpart::bridge::{Account, Service};
use confpart::bridge::{SequentialIds, Timing};
use confpart::wire::date::Timestamp;
use confpart::wire::http::{HttpError, Progress, RequestReader};
use confpart::wire::ident::AccountSid;
use confpart::wire::sink::SliceSink;
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

fn allocations_in(f: impl FnOnce()) -> usize {
    let region = Region::new(GLOBAL);
    f();
    let stats = region.change();
    stats.allocations + stats.reallocations
}

const AC: &str = "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const CF: &str = "CFaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
// base64("ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa:auth token")
const AUTH: &str = "QUNhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYTphdXRoIHRva2Vu";

fn request(method: &str, rest: &str, body: &str, auth: &str) -> Vec<u8> {
    request_in(CF, method, rest, body, auth)
}

fn request_in(conference: &str, method: &str, rest: &str, body: &str, auth: &str) -> Vec<u8> {
    format!(
        "{method} /2010-04-01/Accounts/{AC}/Conferences/{conference}/Participants{rest} HTTP/1.1\r\n\
         Host: x\r\nAuthorization: Basic {auth}\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

fn main() {
    let n = allocations_in(|| {
        black_box(Vec::<u8>::with_capacity(black_box(16)));
    });
    assert_eq!(n, 1, "the counter sees allocations");

    // Inputs and buffers prepared outside the measured section.
    let accounts = [Account::new(AccountSid::parse(AC).unwrap(), "auth token")];
    let mut service = Box::new(Service::<'_, 2, 8>::new(
        Dialect::Twilio,
        Timing::IMMEDIATE,
        &accounts,
    ));
    let requests = [
        (
            request(
                "POST",
                ".json",
                "From=%2B1500&To=%2B1555&Label=front+desk",
                AUTH,
            ),
            201,
        ),
        (
            request_in("My%20Room", "POST", ".json", "From=a&To=b", AUTH),
            201,
        ),
        (request("POST", ".json", "From=a&To=b", AUTH), 201),
        (request("GET", "/front%20desk.json", "", AUTH), 200),
        (
            request(
                "POST",
                "/front%20desk.json",
                "Hold=true&HoldUrl=https%3A%2F%2Fm.example.com%2Fh%3Fa%3D1%26b",
                AUTH,
            ),
            200,
        ),
        (request("GET", ".json?Hold=false&PageSize=1", "", AUTH), 200),
        (
            request("POST", "/front%20desk.json", "Muted=maybe", AUTH),
            400,
        ),
        (request("GET", "/front%20desk.json", "", "eDp5"), 401),
        (request("PUT", "/front%20desk.json", "", AUTH), 405),
        (request("DELETE", "/front%20desk.json", "", AUTH), 204),
        (request("GET", "/front%20desk.json", "", AUTH), 404),
    ];
    let mut rx = vec![0u8; 4096];
    let mut scratch = vec![0u8; 1024];
    let mut tx = vec![0u8; 16 * 1024];
    let now = Timestamp::from_unix(1_700_000_000).unwrap();

    let mut statuses = [0u16; 11];
    let n = allocations_in(|| {
        let mut ids = SequentialIds::new();
        for (i, (bytes, _)) in requests.iter().enumerate() {
            let mut reader = RequestReader::new(&mut rx);
            let Ok(Progress::Complete(m)) = reader.feed(bytes) else {
                panic!("request {i} did not frame");
            };
            let mut out = SliceSink::new(&mut tx);
            let handled = service
                .handle(&m, now, &mut ids, &mut scratch, &mut out)
                .unwrap();
            statuses[i] = handled.status;
        }
        let mut out = SliceSink::new(&mut tx);
        let rejected = Service::<'_, 2, 8>::reject(&HttpError::InvalidStartLine, &mut out);
        black_box(rejected.unwrap());
        while service.pop_notice().is_some() {}
        black_box(&service);
    });
    let expected: Vec<u16> = requests.iter().map(|(_, s)| *s).collect();
    assert_eq!(statuses.to_vec(), expected);
    assert_eq!(n, 0, "the service allocated");
    println!(
        "zero_alloc_service: the bridge service answered every operation without a heap allocation"
    );
}
