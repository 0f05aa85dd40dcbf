//! Client path, as issue #5 defines it: encode a full Update request, read
//! the response head and decode the participant of a 200. (`client_full`
//! adds the error bodies and `Retry-After` of `ResponseReader::outcome`.) Inputs go through `black_box` so LTO cannot fold
//! the work away.
#![no_std]
#![no_main]

use core::hint::black_box;

use confpart::http::Connection;
use confpart::http::client::{Credentials, Operation, Request, ResponseReader};
use confpart::ident::{AccountSid, CallSid, ConferenceSid, ParticipantRef};
use confpart::participant::Participant;
use confpart::path::{Dialect, Host, ParticipantPath, PathStyle};
use confpart::update::{CoachTarget, Method, Update};
use confpart_probes::{AC, CA, CB, CF, CLIENT_RX, CLIENT_TX, RESPONSE, TOKEN};
use cortex_m_rt::entry;

fn round_trip(tx: &mut [u8; CLIENT_TX], rx: &mut [u8; CLIENT_RX]) -> Option<()> {
    let path = ParticipantPath {
        style: PathStyle::Twilio,
        account: AccountSid::parse(black_box(AC)).ok()?,
        conference: ConferenceSid::parse(black_box(CF)).ok()?,
        participant: Some(ParticipantRef::Call(CallSid::parse(black_box(CA)).ok()?)),
    };
    let update = Update::new()
        .muted(black_box(true))
        .hold(black_box(true))
        .hold_url(black_box("https://music.example.com/hold.mp3?loop=true"))
        .hold_method(Method::Get)
        .announce_url(black_box("https://hooks.example.com/announce?lang=en-US"))
        .announce_method(Method::Post)
        .wait_url(black_box("https://music.example.com/wait.xml"))
        .wait_method(Method::Post)
        .coaching(true)
        .call_sid_to_coach(CoachTarget::Call(CallSid::parse(black_box(CB)).ok()?))
        .beep_on_exit(false)
        .end_conference_on_exit(false);
    update.validate(Dialect::Twilio).ok()?;
    let req = Request {
        host: Host::Twilio,
        credentials: Credentials::new(black_box(AC), black_box(TOKEN)).ok()?,
        path: &path,
        operation: Operation::Update(update),
        connection: Connection::Close,
    };
    let n = req.write_to_slice(tx).ok()?;
    black_box(tx.get(..n)?);

    let mut reader = ResponseReader::new(rx);
    reader.feed(black_box(RESPONSE)).ok()?;
    reader.finish().ok()?;
    let head = reader.head()?;
    if head.status != 200 {
        return None;
    }
    let participant = Participant::decode(reader.body()?).ok()?;
    black_box(&participant);
    Some(())
}

#[entry]
fn main() -> ! {
    let mut tx = [0u8; CLIENT_TX];
    let mut rx = [0u8; CLIENT_RX];
    loop {
        black_box(round_trip(&mut tx, &mut rx));
    }
}
