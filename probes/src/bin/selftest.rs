//! Runs the core on an emulated Cortex-M (`qemu-system-arm -machine
//! lm3s6965evb`, built for `thumbv7m-none-eabi`): the recipes encode to the
//! documented bytes, every shared fixture decodes, and a full client →
//! bridge → client round trip works in memory. Reports over semihosting and
//! exits with the result (`scripts/qemu-selftest`).
#![no_std]
#![no_main]

use confpart::api::error::ApiError;
use confpart::api::list::decode_page;
use confpart::api::participant::{Participant, Status};
use confpart::api::path::{Dialect, Endpoint};
use confpart::api::update::Update;
use confpart::bridge;
use confpart::bridge::{Conference, Join, Lifecycle};
use confpart::bridge::{check_basic, route};
use confpart::client::{Credentials, Operation, Outcome, Request};
use confpart::wire::date::Timestamp;
use confpart::wire::http::{Connection, Progress, RequestReader};
use confpart::wire::ident::{AccountSid, CallSid, ConferenceSid, ParticipantRef};
use confpart::wire::sink::SliceSink;
use confpart_probes::{AC, CA, CB, CF, TOKEN};
use cortex_m_rt::entry;
use cortex_m_semihosting::{debug, hprintln};

fn check(name: &str, ok: bool, failures: &mut u32) {
    if ok {
        hprintln!("ok   {}", name);
    } else {
        hprintln!("FAIL {}", name);
        *failures += 1;
    }
}

fn encodes_to(update: Update<'_>, expected: &[u8]) -> bool {
    let mut buf = [0u8; 160];
    matches!(update.encode_to_slice(&mut buf), Ok(n) if buf.get(..n) == Some(expected))
}

fn recipes() -> bool {
    let Ok(cb) = CallSid::parse(CB) else {
        return false;
    };
    encodes_to(Update::mute(), b"Muted=true")
        && encodes_to(Update::unhold(), b"Hold=false")
        && encodes_to(Update::barge(), b"Muted=false&Coaching=false")
        && encodes_to(
            Update::monitor(cb),
            b"Muted=true&Coaching=true&CallSidToCoach=CAbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
        )
        && encodes_to(
            Update::hold_with_music("http://m.example/a b.mp3"),
            b"Hold=true&HoldUrl=http%3A%2F%2Fm.example%2Fa+b.mp3",
        )
}

fn fixtures() -> bool {
    let mute = Participant::decode(include_bytes!(
        "../../../tests/fixtures/twilio-update-mute.json"
    ));
    let create = Participant::decode(include_bytes!("../../../tests/fixtures/twilio-create.json"));
    let error = ApiError::decode(include_bytes!(
        "../../../tests/fixtures/twilio-error-20404.json"
    ));
    let mut listed = 0;
    let page = decode_page(
        include_bytes!("../../../tests/fixtures/twilio-list-page.json"),
        |_| listed += 1,
    );
    matches!(&mute, Ok(p) if p.muted() == Some(true) && p.status() == Some(Status::Connected)
        && p.date_created().map(Timestamp::unix) == Some(1_298_063_239))
        && matches!(&create, Ok(p) if p.queue_time().is_some_and(|q| q.eq_str("1000")))
        && matches!(&error, Ok(e) if e.code == Some(20404) && e.status == Some(404))
        && page.is_ok()
        && listed == 2
}

/// Client writes an Update, the bridge applies it and answers, the client
/// reads the answer: all in memory, through the same code as on the wire.
fn round_trip() -> Option<bool> {
    let account = AccountSid::parse(AC).ok()?;
    let conference = ConferenceSid::parse(CF).ok()?;
    let (a, b) = (CallSid::parse(CA).ok()?, CallSid::parse(CB).ok()?);
    let now = Timestamp::from_unix(1_700_000_000)?;
    let mut conf = Conference::<4>::new(account, conference, Dialect::Twilio);
    conf.join(Join::new(a).status(Lifecycle::Connected), now)
        .ok()?;
    conf.join(Join::new(b).status(Lifecycle::Connected), now)
        .ok()?;
    conf.start().ok()?;

    let who = ParticipantRef::Call(a);
    let request = Request::new(
        Endpoint::twilio(),
        Credentials::new(AC, TOKEN).ok()?,
        account,
        conference,
        Operation::update(&who, Update::monitor(b)),
    );
    let mut wire = [0u8; 768];
    let n = request.encode_to_slice(&mut wire).ok()?;

    let mut rx = [0u8; 1024];
    let mut reader = RequestReader::new(&mut rx);
    let Progress::Complete(head) = reader.feed(wire.get(..n)?).ok()? else {
        return None;
    };
    let rt = route(head.method(), head.path()).ok()?;
    check_basic(head.authorization(), rt.path.account.as_str(), TOKEN).ok()?;
    let mut scratch = [0u8; 256];
    let decoded = Update::decode(head.body(), &mut scratch).ok()?;
    let outcome = conf
        .apply(rt.path.participant.as_ref()?, &decoded.update, now)
        .ok()?;
    let resource = conf.resource(&outcome.state.call_sid, rt.path.style)?;
    let mut answer = [0u8; 1024];
    let mut sink = SliceSink::new(&mut answer);
    bridge::write_participant(&mut sink, 200, &resource, Connection::KeepAlive).ok()?;
    let len = sink.len();

    let mut rx = [0u8; 1024];
    let mut reader = request.response_reader(&mut rx);
    // One byte at a time, as a slow UART would deliver it.
    for byte in answer.get(..len)?.chunks(1) {
        reader.feed(byte).ok()?;
    }
    match reader.message()?.outcome().ok()? {
        Outcome::Participant(p) => Some(
            p.muted() == Some(true)
                && p.coaching() == Some(true)
                && p.call_sid_to_coach() == Some(&b),
        ),
        _ => Some(false),
    }
}

#[entry]
fn main() -> ! {
    let mut failures = 0;
    check(
        "recipes encode to the documented bytes",
        recipes(),
        &mut failures,
    );
    check("shared fixtures decode", fixtures(), &mut failures);
    check(
        "client -> bridge -> client round trip (monitor)",
        round_trip() == Some(true),
        &mut failures,
    );
    if failures == 0 {
        hprintln!("qemu selftest: 3 passed, 0 failed");
        debug::exit(debug::EXIT_SUCCESS);
    } else {
        hprintln!(
            "qemu selftest: {} passed, {} failed",
            3 - failures,
            failures
        );
        debug::exit(debug::EXIT_FAILURE);
    }
    loop {
        core::hint::spin_loop();
    }
}
