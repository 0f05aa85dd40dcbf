//! Client path with the full outcome: like `client`, but the response goes
//! through `ResponseMessage::outcome`, which also links the error-body
//! decoders (Twilio and SignalWire shapes) and the `Retry-After` parser.
//! Inputs go through `black_box` so LTO cannot fold the work away.
#![no_std]
#![no_main]

use core::hint::black_box;

use confpart::api::operation::OperationKind;
use confpart::client::Outcome;
use confpart::client::ResponseReader;
use confpart_probes::{CLIENT_RX, CLIENT_TX, RESPONSE, exit, write_update_request};
use cortex_m_rt::entry;

fn round_trip(tx: &mut [u8; CLIENT_TX], rx: &mut [u8; CLIENT_RX]) -> Option<()> {
    write_update_request(tx)?;

    let mut reader = ResponseReader::new(rx, OperationKind::Update);
    reader.feed(black_box(RESPONSE)).ok()?;
    match reader.finish().ok()?.outcome().ok()? {
        Outcome::Participant(p) => {
            black_box(&p);
            (p.muted() == Some(true)).then_some(())
        }
        other => {
            black_box(&other);
            None
        }
    }
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
