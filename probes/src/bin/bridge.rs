//! Bridge path: read a request, route it, check Basic auth, decode the form,
//! apply it to the conference state machine, write the participant
//! response. The request is a constant (kept opaque by `black_box`); the
//! probe handles it once and exits with success when the answer is a 200.
#![no_std]
#![no_main]

use core::hint::black_box;

use confpart::conference::{Conference, Join, Lifecycle};
use confpart::date::Timestamp;
use confpart::http::bridge::{self, check_basic, route};
use confpart::http::{Connection, Progress, RequestReader};
use confpart::ident::{AccountSid, CallSid, ConferenceSid};
use confpart::path::Dialect;
use confpart::update::Update;
use confpart::write::SliceSink;
use confpart_probes::{
    AC, BRIDGE_LABEL, BRIDGE_RX, BRIDGE_SCRATCH, BRIDGE_TX, CA, CB, CF, TOKEN, exit,
};
use cortex_m_rt::entry;

/// A full 12-field update as a client sends it.
static REQUEST: &[u8] = b"POST /2010-04-01/Accounts/ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/Conferences/CFaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/Participants/CAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.json HTTP/1.1\r\n\
Host: api.twilio.com\r\n\
Authorization: Basic QUNhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYTowMTIzNDU2Nzg5YWJjZGVmMDEyMzQ1Njc4OWFiY2RlZg==\r\n\
Content-Type: application/x-www-form-urlencoded\r\n\
Content-Length: 321\r\n\
Connection: keep-alive\r\n\r\n\
Muted=true&Hold=true&HoldUrl=https%3A%2F%2Fmusic.example.com%2Fhold.mp3%3Floop%3Dtrue&HoldMethod=GET&AnnounceUrl=https%3A%2F%2Fhooks.example.com%2Fannounce%3Flang%3Den-US&AnnounceMethod=POST&WaitUrl=https%3A%2F%2Fmusic.example.com%2Fwait.xml&WaitMethod=POST&Coaching=true&CallSidToCoach=CAbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

struct Buffers {
    rx: &'static mut [u8; BRIDGE_RX],
    scratch: &'static mut [u8; BRIDGE_SCRATCH],
    tx: &'static mut [u8; BRIDGE_TX],
}

fn handle(
    conf: &mut Conference<4, BRIDGE_LABEL>,
    b: &mut Buffers,
    now: Timestamp,
) -> Option<usize> {
    let mut reader = RequestReader::new(b.rx);
    let Progress::Complete(head) = reader.feed(black_box(REQUEST)).ok()? else {
        return None;
    };
    let rt = route(head.method(), head.path()).ok()?;
    if rt.path.account != *conf.account() || rt.path.conference != *conf.sid() {
        return None;
    }
    check_basic(
        head.authorization(),
        rt.path.account.as_str(),
        black_box(TOKEN),
    )
    .ok()?;
    let decoded = Update::decode(head.body(), b.scratch).ok()?;
    let who = rt.path.participant.as_ref()?;
    let outcome = conf.apply(who, &decoded.update, now).ok()?;
    let p = conf.resource(&outcome.state.call_sid, rt.path.style)?;
    let mut sink = SliceSink::new(b.tx);
    bridge::write_participant(&mut sink, 200, &p, Connection::KeepAlive).ok()?;
    Some(sink.len())
}

#[entry]
fn main() -> ! {
    // The buffers are a static (`.bss`): cortex-m-rt hands `static mut`s
    // declared in the entry function over as `&'static mut` (no `unsafe`),
    // so the stack report shows the code's frames, and the size report reads
    // the buffers' sizes from the binary.
    static mut RX: [u8; BRIDGE_RX] = [0; BRIDGE_RX];
    static mut SCRATCH: [u8; BRIDGE_SCRATCH] = [0; BRIDGE_SCRATCH];
    static mut TX: [u8; BRIDGE_TX] = [0; BRIDGE_TX];
    let b = &mut Buffers {
        rx: RX,
        scratch: SCRATCH,
        tx: TX,
    };
    let now = Timestamp::from_unix(black_box(1_700_000_000)).unwrap_or_else(|| halt());
    let mut conf = Conference::<4, BRIDGE_LABEL>::new(
        AccountSid::parse(black_box(AC)).unwrap_or_else(|_| halt()),
        ConferenceSid::parse(black_box(CF)).unwrap_or_else(|_| halt()),
        Dialect::Twilio,
    );
    for call in [CA, CB] {
        let sid = CallSid::parse(black_box(call)).unwrap_or_else(|_| halt());
        let _ = conf.join(Join::new(sid).status(Lifecycle::Connected), now);
    }
    let _ = conf.start();
    let written = black_box(handle(&mut conf, b, now));
    exit(written.is_some_and(|n| {
        b.tx.get(..n)
            .is_some_and(|r| r.starts_with(b"HTTP/1.1 200 OK\r\n"))
    }))
}

fn halt() -> ! {
    loop {
        core::hint::spin_loop();
    }
}
