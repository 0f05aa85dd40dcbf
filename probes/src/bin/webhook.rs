//! Firmware receiving a conference status callback (issue 20): read the
//! request with the core's `RequestReader`, check `X-Twilio-Signature`
//! against the account's auth token over the URL the phone is reached at
//! (`confpart::api::signature::validate`: HMAC-SHA1, the form's pairs sorted
//! without a buffer, the port toggled), then decode the callback
//! (`confpart::api::callback::Callback::decode`). Exits with success when
//! the signature holds and the callback says the agent was muted (sequence 5).
#![no_std]
#![no_main]

use core::hint::black_box;

use confpart::api::callback::{Callback, Event};
use confpart::api::signature::{Scheme, TWILIO_HEADER, validate};
use confpart::wire::http::{Progress, RequestReader};
use confpart_probes::{TOKEN, exit};
use cortex_m_rt::entry;

/// The URL the bridge was told to call (`ConferenceStatusCallback`).
const URL: &str = "http://phone.local/conference-events";

/// A callback as a bridge sends it, signed with [`TOKEN`].
static REQUEST: &[u8] = b"POST /conference-events HTTP/1.1\r\n\
Host: phone.local\r\n\
X-Twilio-Signature: xo5sANQ97x9DFiJVVYu8Knx0Xjc=\r\n\
Content-Type: application/x-www-form-urlencoded\r\n\
Content-Length: 379\r\n\r\n\
AccountSid=ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa&ConferenceSid=CFaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa&FriendlyName=front+desk&SequenceNumber=5&Timestamp=Sun%2C+07+Dec+2026+05%3A30%3A00+%2B0000&StatusCallbackEvent=participant-mute&CallSid=CAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa&Muted=true&Hold=false&Coaching=false&EndConferenceOnExit=false&StartConferenceOnEnter=true&ParticipantLabel=agent";

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
    let Some(signature) = m.header(TWILIO_HEADER) else {
        exit(false)
    };
    let key = black_box(TOKEN).as_bytes();
    if validate(Scheme::Twilio, key, black_box(URL), m.body(), signature).is_err() {
        exit(false)
    }
    let Ok(decoded) = Callback::decode(m.body(), &mut scratch) else {
        exit(false)
    };
    let c = decoded.callback;
    exit(c.event == Event::ParticipantMute && c.muted == Some(true) && c.sequence_number == 5)
}
