//! Every `confpart` path runs without a single heap allocation: a counting
//! global allocator counts the allocations made while the measured section
//! runs. No test harness (`harness = false` in `Cargo.toml`): one thread, so
//! nothing else allocates during the section; inputs and buffers are
//! prepared before it.
use std::alloc::System;
use std::hint::black_box;

use confpart::api::error::ApiError;
use confpart::api::fields::Method;
use confpart::api::list::{decode_page, encode_page};
use confpart::api::operation::OperationKind;
use confpart::api::participant::Participant;
use confpart::api::path::{Dialect, Endpoint, ParticipantPath, PathStyle};
use confpart::api::query::ListQuery;
use confpart::api::update::{CoachTarget, Update};
use confpart::bridge;
use confpart::bridge::{BridgeError, check_basic, route};
use confpart::bridge::{Conference, Join, Lifecycle};
use confpart::client::ResponseReader;
use confpart::client::{Credentials, Operation, Outcome, Request};
use confpart::wire::date::{RFC2822_LEN, Timestamp};
use confpart::wire::http::{Connection, RequestReader};
use confpart::wire::ident::{AccountSid, CallSid, ConferenceSid, Label, ParticipantRef};
use confpart::wire::json;
use confpart::wire::sink::{CountingSink, SliceSink};
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

// The counting allocator (stats_alloc: no `unsafe` in this workspace).
#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// Allocations (and reallocations) while `f` runs. The test has no harness
/// (`harness = false`): this is the only thread, so every allocation the
/// counter sees comes from `f`.
fn allocations_in(f: impl FnOnce()) -> usize {
    let region = Region::new(GLOBAL);
    f();
    let stats = region.change();
    stats.allocations + stats.reallocations
}

fn main() {
    the_counter_sees_allocations();
    every_path_allocates_nothing();
    println!("zero_alloc: every confpart path ran without a heap allocation");
}

const AC: &str = "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const CF: &str = "CFaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const CA: &str = "CAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const CB: &str = "CAbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
const TOKEN: &str = "0123456789abcdef0123456789abcdef";
const PARTICIPANT: &[u8] = include_bytes!("../fixtures/twilio-create.json");
const HOLD: &[u8] = include_bytes!("../fixtures/twilio-update-hold.json");
const ERROR: &[u8] = include_bytes!("../fixtures/twilio-error-20404.json");
const PAGE: &[u8] = include_bytes!("../fixtures/twilio-list-page.json");

/// The counter itself works (otherwise "zero" proves nothing).
fn the_counter_sees_allocations() {
    let n = allocations_in(|| {
        black_box(Vec::<u8>::with_capacity(black_box(16)));
    });
    assert_eq!(n, 1);
}

fn every_path_allocates_nothing() {
    // Buffers and inputs are prepared outside the measured section.
    let mut out = vec![0u8; 8192];
    let mut wire = vec![0u8; 8192];
    let mut buf = vec![0u8; 8192];
    let mut form_scratch = vec![0u8; 1024];
    let conference = Box::new(Conference::<4>::new(
        AccountSid::parse(AC).unwrap(),
        ConferenceSid::parse(CF).unwrap(),
        Dialect::Twilio,
    ));
    let mut conference = conference;
    let mut checks = 0usize;

    let n = allocations_in(|| {
        let now = Timestamp::from_unix(1_700_000_000).unwrap();
        let account = AccountSid::parse(AC).unwrap();
        let conf_sid = ConferenceSid::parse(CF).unwrap();
        let ca = CallSid::parse(CA).unwrap();
        let cb = CallSid::parse(CB).unwrap();

        // Identifiers, paths, dates.
        let label = Label::new("front desk é").unwrap();
        let by_label = ParticipantPath {
            style: PathStyle::Laml,
            account,
            conference: conf_sid,
            participant: Some(ParticipantRef::Label(label)),
        };
        let n = by_label.encode_to_slice(&mut out).unwrap();
        let parsed = ParticipantPath::parse(core::str::from_utf8(&out[..n]).unwrap()).unwrap();
        checks += usize::from(parsed == by_label);
        let mut date = [0u8; RFC2822_LEN];
        let text = now.write_rfc2822(&mut date);
        checks += usize::from(Timestamp::parse(text.as_bytes()).unwrap() == now);

        // Update: build, validate, encode, decode.
        let update = Update::new()
            .muted(true)
            .hold(true)
            .hold_url("https://music.example.com/hold/ambient_loop.mp3?loop=true&volume=0.8")
            .hold_method(Method::Get)
            .announce_url("https://hooks.example.com/announce?lang=en-US")
            .announce_method(Method::Post)
            .wait_url("https://music.example.com/wait.xml")
            .wait_method(Method::Post)
            .coaching(true)
            .call_sid_to_coach(CoachTarget::Call(cb))
            .beep_on_exit(false)
            .end_conference_on_exit(false);
        update.validate(Dialect::Twilio).unwrap();
        let n = update.encode_to_slice(&mut out).unwrap();
        checks += usize::from(n == update.encoded_len());
        {
            let decoded = Update::decode(&out[..n], &mut form_scratch).unwrap();
            checks += usize::from(decoded.update == update);
        }

        // JSON: participant, error body, list page, helpers.
        let p = Participant::decode(PARTICIPANT).unwrap();
        let n = p.encode_to_slice(&mut out).unwrap();
        checks += usize::from(Participant::decode(&out[..n]).unwrap() == p);
        let e = ApiError::decode(ERROR).unwrap();
        let mut sink = SliceSink::new(&mut out);
        confpart::api::error::write_twilio(&mut sink, 20404, "not found", 404).unwrap();
        let n = sink.len();
        checks += usize::from(ApiError::decode(&out[..n]).unwrap().code == e.code);
        let mut count = 0;
        let meta = decode_page(PAGE, |_| count += 1).unwrap();
        let hold = Participant::decode(HOLD).unwrap();
        let mut sink = SliceSink::new(&mut out);
        encode_page(&mut sink, &meta, [&p, &hold]).unwrap();
        let mut again = 0;
        decode_page(sink.written(), |_| again += 1).unwrap();
        checks += usize::from(again == 2 && count > 0);
        json::validate(br#"{"a":[1,"\ud83d\ude00"]}"#).unwrap();
        checks += usize::from(json::unescape_into(r"caf\u00e9", &mut date).unwrap() == "café");

        // Client: request (every operation), response reader, outcome.
        let who = ParticipantRef::Call(ca);
        let credentials = Credentials::new(AC, TOKEN).unwrap();
        let query = ListQuery {
            muted: Some(true),
            page_size: Some(20),
            ..ListQuery::new()
        };
        for operation in [
            Operation::update(&who, update),
            Operation::fetch(&who),
            Operation::delete(&who),
            Operation::list(query),
            Operation::create(
                confpart::api::create::Create::new("+15005550006", "+15005550001").into(),
            ),
        ] {
            let req = Request::new(
                Endpoint::twilio(),
                credentials,
                account,
                conf_sid,
                operation,
            );
            let n = req.encode_to_slice(&mut wire).unwrap();
            checks += usize::from(req.encoded_len().unwrap() == n);

            // Bridge: read, route, authenticate, decode.
            let mut reader = RequestReader::new(&mut buf);
            let progress = reader.feed(&wire[..n]).unwrap();
            checks += usize::from(progress.is_complete());
            let head = reader.message().unwrap();
            let rt = route(head.method(), head.path()).unwrap();
            check_basic(head.authorization(), rt.path.account.as_str(), TOKEN).unwrap();
            checks += usize::from(head.header("user-agent").is_some());
            if operation.update_form().is_some() {
                let d = Update::decode(head.body(), &mut form_scratch).unwrap();
                checks += usize::from(d.update == update);
            }
            if let Some(q) = operation.list_query() {
                let mut qs = [0u8; 64];
                let got = ListQuery::decode(head.query().unwrap().as_bytes(), &mut qs).unwrap();
                checks += usize::from(got == *q);
            }
        }

        // State machine.
        conference
            .join(Join::new(ca).status(Lifecycle::Connected), now)
            .unwrap();
        conference
            .join(Join::new(cb).status(Lifecycle::Ringing), now)
            .unwrap();
        conference.start().unwrap();
        conference.step(&cb, Lifecycle::Connected, now).unwrap();
        let outcome = conference
            .apply(&ParticipantRef::Call(ca), &update, now)
            .unwrap();
        let rejected = conference
            .apply(&ParticipantRef::Call(ca), &Update::coach(ca), now)
            .unwrap_err();
        let resource = conference
            .resource(&outcome.state.call_sid, PathStyle::Twilio)
            .unwrap();

        // Bridge responses, read back by the client.
        let mut sink = SliceSink::new(&mut wire);
        bridge::write_participant(&mut sink, 200, &resource, Connection::KeepAlive).unwrap();
        let n = sink.len();
        let mut reader = ResponseReader::new(&mut buf, OperationKind::Update);
        reader.feed(&wire[..n]).unwrap();
        if let Outcome::Participant(got) = reader.message().unwrap().outcome().unwrap() {
            checks += usize::from(got == resource);
        }
        let mut sink = SliceSink::new(&mut wire);
        bridge::write_error(&mut sink, &rejected, Connection::Close).unwrap();
        let n = sink.len();
        let mut reader = ResponseReader::new(&mut buf, OperationKind::Update);
        reader.feed(&wire[..n]).unwrap();
        if let Outcome::Failure(f) = reader.finish().unwrap().outcome().unwrap() {
            checks += usize::from(f.status == rejected.answer().status);
        }
        let mut sink = SliceSink::new(&mut wire);
        let e = BridgeError::Unauthorized {
            reason: bridge::AuthFailure::Missing,
        };
        bridge::write_error(&mut sink, &e, Connection::Close).unwrap();
        bridge::write_no_content(&mut sink, Connection::KeepAlive).unwrap();
        let mut counting = CountingSink::default();
        bridge::write_continue(&mut counting).unwrap();
        checks += usize::from(counting.count > 0);
        black_box(&checks);
    });
    assert_eq!(n, 0, "heap allocations in confpart paths");
    assert_eq!(checks, 28, "every step ran and checked out");
}
