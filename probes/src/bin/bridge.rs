//! Bridge path through the service: read a request, then
//! `Service::handle` routes it, checks Basic auth against the configured
//! account, decodes the form, applies it to the conference of the set and
//! writes the participant response. The request is a constant (kept opaque
//! by `black_box`); the probe handles it once and exits with success when
//! the answer is a 200 with the participant on hold and coaching.
#![no_std]
#![no_main]

use core::hint::black_box;

use confpart::api::create::Create;
use confpart::api::path::Dialect;
use confpart::bridge::{Account, Service};
use confpart::bridge::{ConferenceRef, IdSource, Timing};
use confpart::wire::date::Timestamp;
use confpart::wire::http::{Progress, RequestReader};
use confpart::wire::ident::{AccountSid, CallSid, ConferenceSid, IdError};
use confpart::wire::sink::SliceSink;
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

/// The bridge: one conference of up to 4 participants, labels of 32 bytes.
type Bridge<'a> = Service<'a, 1, 4, BRIDGE_LABEL>;

struct Buffers {
    rx: &'static mut [u8; BRIDGE_RX],
    scratch: &'static mut [u8; BRIDGE_SCRATCH],
    tx: &'static mut [u8; BRIDGE_TX],
}

/// Hands out the two call SIDs the request names (a real bridge draws them
/// from its RNG).
struct Calls(usize);

impl IdSource for Calls {
    fn call_sid(&mut self, _: Dialect) -> Result<CallSid, IdError> {
        self.0 += 1;
        CallSid::parse(black_box(if self.0 == 1 { CA } else { CB }))
    }

    fn conference_sid(&mut self, _: Dialect) -> Result<ConferenceSid, IdError> {
        ConferenceSid::parse(black_box(CF))
    }
}

fn handle(service: &mut Bridge<'_>, b: &mut Buffers, now: Timestamp) -> Option<usize> {
    let mut reader = RequestReader::new(b.rx);
    let Progress::Complete(request) = reader.feed(black_box(REQUEST)).ok()? else {
        return None;
    };
    let mut sink = SliceSink::new(b.tx);
    let handled = service
        .handle(&request, now, &mut Calls(2), b.scratch, &mut sink)
        .ok()?;
    (handled.status == 200).then_some(sink.len())
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
    // The service's state (its conferences and the notice queue: the
    // static is 6 464 bytes on thumbv7em) is a static too, as a firmware keeps
    // it (a `static`, a `StaticCell`, a task future): on the stack it was
    // most of `main`'s frame. A `Vec` of one, not an `Option`: empty, it
    // is all zeros and stays in `.bss` (`None` would put 6.5 KB in
    // `.data`, i.e. in flash too).
    static mut ACCOUNTS: heapless::Vec<Account<'static>, 1> = heapless::Vec::new();
    static mut SERVICE: heapless::Vec<Bridge<'static>, 1> = heapless::Vec::new();
    let b = &mut Buffers {
        rx: RX,
        scratch: SCRATCH,
        tx: TX,
    };
    let now = Timestamp::from_unix(black_box(1_700_000_000)).unwrap_or_else(|| halt());
    let account = AccountSid::parse(black_box(AC)).unwrap_or_else(|_| halt());
    if ACCOUNTS
        .push(Account::new(account, black_box(TOKEN)))
        .is_err()
    {
        halt();
    }
    let accounts: &'static [Account<'static>] = ACCOUNTS;
    if !install(SERVICE, accounts) {
        halt();
    }
    let Some(service) = SERVICE.first_mut() else {
        halt()
    };
    // Two participants, created and connected (the next tick connects them).
    let conference =
        ConferenceRef::Sid(ConferenceSid::parse(black_box(CF)).unwrap_or_else(|_| halt()));
    let mut ids = Calls(0);
    for _ in 0..2 {
        let create = Create::new(black_box("+15005550006"), black_box("+15005550001"));
        if service
            .conferences_mut()
            .create(&account, conference, &create, now, &mut ids)
            .is_err()
        {
            halt();
        }
    }
    let written = black_box(handle(service, b, now));
    exit(written.is_some_and(|n| {
        b.tx.get(..n).is_some_and(|r| {
            r.starts_with(b"HTTP/1.1 200 OK\r\n")
                && contains(r, b"\"hold\":true")
                && contains(
                    r,
                    b"\"call_sid_to_coach\":\"CAbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\"",
                )
        })
    }))
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn halt() -> ! {
    loop {
        core::hint::spin_loop();
    }
}

/// Builds the service into its static slot. A function of its own: inlined
/// into `main`, with the rest of the probe, the service (7 KB) was built on
/// `main`'s stack and then moved into the slot (a 7 328-byte `main` frame);
/// here it is built in place.
#[inline(never)]
fn install(
    slot: &mut heapless::Vec<Bridge<'static>, 1>,
    accounts: &'static [Account<'static>],
) -> bool {
    slot.push(Bridge::new(Dialect::Twilio, Timing::IMMEDIATE, accounts))
        .is_ok()
}
