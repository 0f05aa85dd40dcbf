//! Firmware receiving a Telnyx conference status callback (issue 21): read
//! the request with the core's `RequestReader`, check its Ed25519 signature
//! (`telnyx-signature-ed25519` over `telnyx-timestamp`, `|` and the body)
//! with the account's public key and the timestamp within 300 s of the
//! phone's clock (`confpart::api::signature::validate_telnyx`: ed25519-dalek
//! without its tables), then decode the callback. Exits with success when
//! the signature holds and the callback says the agent joined (sequence 5).
#![no_std]
#![no_main]

use core::hint::black_box;

use confpart::api::callback::{Callback, Event};
use confpart::api::signature::{
    Ed25519PublicKey, TELNYX_SIGNATURE_HEADER, TELNYX_TIMESTAMP_HEADER, validate_telnyx,
};
use confpart::wire::http::{Progress, RequestReader};
use confpart_probes::exit;
use cortex_m_rt::entry;

/// The account's public key, base64 as Telnyx shows it.
const PUBLIC_KEY: &[u8] = b"DXVQdU4IAKXSN+71gmA1dmubPloVhoqUCrKJlYeI47A=";
/// The phone's clock when the callback arrives: 10 s after it was signed.
const NOW: u64 = 1_796_621_410;

/// A callback as a Telnyx bridge sends it, signed with the key of [`PUBLIC_KEY`].
static REQUEST: &[u8] = b"POST /conference-events HTTP/1.1\r\n\
Host: phone.local\r\n\
telnyx-signature-ed25519: bn6brOjzRHxkmh3Bksf5+lHmkvQ4bzQz6a1AAB4ReFY9PLvAAHneYFBCuK5/F74bme1Clat07jm7MTIPXFMLDA==\r\n\
telnyx-timestamp: 1796621400\r\n\
Content-Type: application/x-www-form-urlencoded\r\n\
Content-Length: 376\r\n\r\n\
AccountSid=f5586561-8ff0-4291-a51b-c7dfe4139ff9&CallSid=v3%3A9X2vxPDFY2RHSJ1EdMS0RHRksMTg7ldNxdjWbVr9zBjbGjGsSe-aiQ&CallSidLegacy=v3%3A9X2vxPDFY2RHSJ1EdMS0RHRksMTg7ldNxdjWbVr9zBjbGjGsSe-aiQ&ConferenceSid=2b4a8b8c-5f1e-4c3a-9d0e-1f2a3b4c5d6e&FriendlyName=front+desk&SequenceNumber=5&StatusCallbackEvent=participant-join&Timestamp=2026-12-07T05%3A30%3A00Z&ParticipantLabel=agent";

/// Request buffer: the callback's head and body fit.
const RX: usize = 1024;

#[entry]
fn main() -> ! {
    let mut rx = [0u8; RX];
    let mut scratch = [0u8; 128];
    let mut reader = RequestReader::new(&mut rx);
    let Ok(Progress::Complete(m)) = reader.feed(black_box(REQUEST)) else {
        exit(false)
    };
    let (Some(signature), Some(timestamp)) = (
        m.header(TELNYX_SIGNATURE_HEADER),
        m.header(TELNYX_TIMESTAMP_HEADER),
    ) else {
        exit(false)
    };
    let Ok(key) = Ed25519PublicKey::from_base64(black_box(PUBLIC_KEY)) else {
        exit(false)
    };
    if validate_telnyx(&key, signature, timestamp, m.body(), black_box(NOW)).is_err() {
        exit(false)
    }
    let Ok(decoded) = Callback::decode(m.body(), &mut scratch) else {
        exit(false)
    };
    let c = decoded.callback;
    exit(
        c.event == Event::ParticipantJoin
            && c.sequence_number == 5
            && c.call_sid_legacy == c.call_sid,
    )
}
