//! Client path, as issue #5 defines it: encode a full Update request, read
//! the response head and decode the participant of a 200. (`client_full`
//! adds the error bodies and `Retry-After` of `ResponseReader::outcome`.)
//! Inputs go through `black_box` so LTO cannot fold the work away.
#![no_std]
#![no_main]

use core::hint::black_box;

use confpart::api::operation::OperationKind;
use confpart::api::participant::Participant;
use confpart::client::ResponseReader;
use confpart_probes::{CLIENT_RX, CLIENT_TX, RESPONSE, exit, write_update_request};
use cortex_m_rt::entry;

fn round_trip(tx: &mut [u8; CLIENT_TX], rx: &mut [u8; CLIENT_RX]) -> Option<()> {
    write_update_request(tx)?;

    let mut reader = ResponseReader::new(rx, OperationKind::Update);
    reader.feed(black_box(RESPONSE)).ok()?;
    let response = reader.finish().ok()?;
    if response.status() != 200 {
        return None;
    }
    let participant = Participant::decode(response.body()).ok()?;
    black_box(&participant);
    (participant.muted() == Some(true)).then_some(())
}

#[entry]
fn main() -> ! {
    // The buffers are statics (`.bss`): cortex-m-rt hands `static mut`s
    // declared in the entry function over as `&'static mut` (no `unsafe`),
    // so the stack report shows the code's frames, and the size report reads
    // the buffers' sizes from the binary.
    static mut TX: [u8; CLIENT_TX] = [0; CLIENT_TX];
    static mut RX: [u8; CLIENT_RX] = [0; CLIENT_RX];
    let (tx, rx) = (TX, RX);
    exit(round_trip(tx, rx).is_some())
}
