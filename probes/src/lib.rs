//! Shared bits of the probes: the panic handler (a hand-written loop, so no
//! panic crate and no formatting machinery are linked in) and the inputs.
#![no_std]

use core::hint::black_box;

use confpart::api::fields::Method;
use confpart::api::path::Endpoint;
use confpart::api::update::{CoachTarget, Update};
use confpart::bridge::max_participant_answer_len;
use confpart::client::{Credentials, Operation, Request, UpdateBounds};
use confpart::wire::http::Connection;
use confpart::wire::ident::{AccountSid, CallSid, ConferenceSid, ParticipantRef};

/// Halts on panic. confpart has no panicking paths; this only satisfies
/// the linker.
#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    loop {
        core::hint::spin_loop();
    }
}

/// Account SID of the probes.
pub const AC: &str = "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
/// Conference SID.
pub const CF: &str = "CFaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
/// The participant.
pub const CA: &str = "CAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
/// The coached participant.
pub const CB: &str = "CAbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
/// The auth token.
pub const TOKEN: &str = "0123456789abcdef0123456789abcdef";

/// Twilio's answer to an Update (read until the connection closes).
pub const RESPONSE: &[u8] = concat!(
    "HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=utf-8\r\nConnection: close\r\n\r\n",
    include_str!("../../tests/fixtures/twilio-update-mute.json")
)
.as_bytes();

/// The URLs of the probes' update.
pub const HOLD_URL: &str = "https://music.example.com/hold.mp3?loop=true";
/// `AnnounceUrl`.
pub const ANNOUNCE_URL: &str = "https://hooks.example.com/announce?lang=en-US";
/// `WaitUrl`.
pub const WAIT_URL: &str = "https://music.example.com/wait.xml";

const fn max(a: usize, b: usize) -> usize {
    if a > b { a } else { b }
}

/// Longest URL of the probes' update: the bound the buffers are derived from.
pub const URL_BYTES: usize = max(HOLD_URL.len(), max(ANNOUNCE_URL.len(), WAIT_URL.len()));

/// Request buffer of the client: the core's bound for any Update to Twilio
/// with URLs of at most [`URL_BYTES`] bytes.
pub const CLIENT_TX: usize = Request::max_update_len(UpdateBounds::twilio(URL_BYTES));
/// Response buffer of the client: the fixture answer (head and participant
/// body, an input of the probe) rounded up to a multiple of 64 bytes.
pub const CLIENT_RX: usize = RESPONSE.len().next_multiple_of(64);
/// Request buffer of the bridge: the longest request the client side can
/// send it (the same bound as [`CLIENT_TX`]).
pub const BRIDGE_RX: usize = CLIENT_TX;
/// Decoded-form scratch of the bridge: as long as the longest form body
/// such a request carries (always enough, per `Update::decode`).
pub const BRIDGE_SCRATCH: usize = Update::max_encoded_len(URL_BYTES);
/// Label capacity of the bridge probe's conference (its participants have
/// no label; the bound covers any label it could store).
pub const BRIDGE_LABEL: usize = 32;
/// Response buffer of the bridge: the core's bound for a participant answer
/// with a label of at most [`BRIDGE_LABEL`] bytes.
pub const BRIDGE_TX: usize = max_participant_answer_len(BRIDGE_LABEL);

/// The client's first half: build and validate a full 12-field Update and
/// write the whole request into `tx`; returns its length. Inputs go through
/// `black_box` so LTO cannot fold the work away.
pub fn write_update_request(tx: &mut [u8; CLIENT_TX]) -> Option<usize> {
    let who = ParticipantRef::Call(CallSid::parse(black_box(CA)).ok()?);
    let update = Update::new()
        .muted(black_box(true))
        .hold(black_box(true))
        .hold_url(black_box(HOLD_URL))
        .hold_method(Method::Get)
        .announce_url(black_box(ANNOUNCE_URL))
        .announce_method(Method::Post)
        .wait_url(black_box(WAIT_URL))
        .wait_method(Method::Post)
        .coaching(true)
        .call_sid_to_coach(CoachTarget::Call(CallSid::parse(black_box(CB)).ok()?))
        .beep_on_exit(false)
        .end_conference_on_exit(false);
    // Validated for the endpoint's dialect when written.
    let req = Request::new(
        Endpoint::twilio(),
        Credentials::new(black_box(AC), black_box(TOKEN)).ok()?,
        AccountSid::parse(black_box(AC)).ok()?,
        ConferenceSid::parse(black_box(CF)).ok()?,
        Operation::update(&who, update),
    )
    .with_connection(Connection::Close);
    let n = req.encode_to_slice(tx).ok()?;
    black_box(tx.get(..n)?);
    Some(n)
}

/// Ends a probe run: exits qemu through semihosting with success or failure
/// (`scripts/size-report` runs every probe and fails when one fails). On a
/// board without a debugger attached this would halt; the probes only run
/// under qemu.
pub fn exit(ok: bool) -> ! {
    use cortex_m_semihosting::debug::{EXIT_FAILURE, EXIT_SUCCESS, exit};
    exit(if ok { EXIT_SUCCESS } else { EXIT_FAILURE });
    loop {
        core::hint::spin_loop();
    }
}

/// The inputs of the comparison probes (`cmp_reqwless`, `cmp_handwritten`):
/// the same full 12-field update as [`write_update_request`], and the
/// participant struct a serde-json-core user would declare.
pub mod cmp {
    pub use super::{ANNOUNCE_URL, HOLD_URL, WAIT_URL};

    /// The participant resource as serde-json-core maps it: borrowed,
    /// still-escaped strings, no validation of ids, dates or escapes.
    #[derive(serde::Deserialize)]
    #[allow(dead_code, missing_docs)]
    pub struct Participant<'a> {
        pub account_sid: Option<&'a str>,
        pub call_sid: Option<&'a str>,
        pub label: Option<&'a str>,
        pub conference_sid: Option<&'a str>,
        pub date_created: Option<&'a str>,
        pub date_updated: Option<&'a str>,
        pub end_conference_on_exit: Option<bool>,
        pub muted: Option<bool>,
        pub hold: Option<bool>,
        pub status: Option<&'a str>,
        pub start_conference_on_enter: Option<bool>,
        pub coaching: Option<bool>,
        pub call_sid_to_coach: Option<&'a str>,
        pub queue_time: Option<&'a str>,
        pub uri: Option<&'a str>,
    }

    /// Form encoding as the comparisons do it: everything but the
    /// unreserved characters.
    pub const FORM: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~');

    /// A `core::fmt::Write` over a byte slice (what the comparisons format
    /// their requests into).
    pub struct Buf<'a> {
        /// The buffer.
        pub bytes: &'a mut [u8],
        /// Bytes written.
        pub len: usize,
    }

    impl core::fmt::Write for Buf<'_> {
        fn write_str(&mut self, s: &str) -> core::fmt::Result {
            let end = self.len + s.len();
            self.bytes
                .get_mut(self.len..end)
                .ok_or(core::fmt::Error)?
                .copy_from_slice(s.as_bytes());
            self.len = end;
            Ok(())
        }
    }

    /// The full 12-field update's form body, formatted with `core::fmt` and
    /// escaped by `percent-encoding` as the comparisons do it; returns its
    /// length. Inputs go through `black_box`.
    pub fn write_form(out: &mut [u8]) -> Option<usize> {
        use core::fmt::Write as _;
        use core::hint::black_box;
        use percent_encoding::utf8_percent_encode;
        let mut body = Buf { bytes: out, len: 0 };
        write!(
            body,
            "Muted={}&Hold={}&HoldUrl={}&HoldMethod=GET&AnnounceUrl={}&AnnounceMethod=POST&WaitUrl={}&WaitMethod=POST&Coaching=true&CallSidToCoach={}&BeepOnExit=false&EndConferenceOnExit=false",
            black_box(true),
            black_box(true),
            utf8_percent_encode(black_box(HOLD_URL), FORM),
            utf8_percent_encode(black_box(ANNOUNCE_URL), FORM),
            utf8_percent_encode(black_box(WAIT_URL), FORM),
            black_box(super::CB),
        )
        .ok()?;
        Some(body.len)
    }

    /// What the probes check of the decoded answer to the mute fixture.
    pub fn answer_ok(p: &Participant<'_>) -> bool {
        p.muted == Some(true) && p.status == Some("connected") && p.call_sid.is_some()
    }
}
