//! Comparison: the client round trip written by hand, as a firmware engineer
//! would without confpart: the request formatted with `core::fmt` (form
//! escaping by `percent-encoding`, credentials by the `base64` crate), the
//! response head parsed by `httparse`, the participant mapped by
//! serde-json-core. No validation of ids, URLs, nesting depth, escapes or
//! dates. Runs once under qemu and exits with the result.
#![no_std]
#![no_main]

use core::fmt::Write as _;
use core::hint::black_box;

use base64::Engine as _;
use confpart_probes::cmp::{self, Buf};
use confpart_probes::{AC, CA, CF, CLIENT_RX, CLIENT_TX, RESPONSE, TOKEN, exit};
use cortex_m_rt::entry;

fn write_request(tx: &mut [u8]) -> Option<usize> {
    let mut body_bytes = [0u8; 512];
    let body_len = cmp::write_form(&mut body_bytes)?;
    let mut cred = [0u8; 128];
    let mut c = Buf {
        bytes: &mut cred,
        len: 0,
    };
    write!(c, "{}:{}", black_box(AC), black_box(TOKEN)).ok()?;
    let cred_len = c.len;
    let mut auth = [0u8; 176];
    let n = base64::engine::general_purpose::STANDARD
        .encode_slice(cred.get(..cred_len)?, &mut auth)
        .ok()?;
    let auth = core::str::from_utf8(auth.get(..n)?).ok()?;
    let mut out = Buf { bytes: tx, len: 0 };
    write!(
        out,
        "POST /2010-04-01/Accounts/{}/Conferences/{}/Participants/{}.json HTTP/1.1\r\nHost: api.twilio.com\r\nAuthorization: Basic {}\r\nAccept: application/json\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        black_box(AC),
        black_box(CF),
        black_box(CA),
        auth,
        body_len,
    )
    .ok()?;
    out.write_str(core::str::from_utf8(body_bytes.get(..body_len)?).ok()?)
        .ok()?;
    black_box(out.bytes.get(..out.len)?);
    Some(out.len)
}

fn round_trip(tx: &mut [u8; CLIENT_TX], rx: &mut [u8; CLIENT_RX]) -> Option<bool> {
    write_request(tx)?;
    // The socket: the whole answer arrives into `rx`.
    let response = black_box(RESPONSE);
    rx.get_mut(..response.len())?.copy_from_slice(response);
    let rx = rx.get(..response.len())?;
    let mut headers = [httparse::EMPTY_HEADER; 16];
    let mut head = httparse::Response::new(&mut headers);
    let httparse::Status::Complete(body_start) = head.parse(rx).ok()? else {
        return None;
    };
    if head.code != Some(200) {
        return None;
    }
    let (p, _) = serde_json_core::from_slice::<cmp::Participant<'_>>(rx.get(body_start..)?).ok()?;
    Some(cmp::answer_ok(&p))
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
    exit(round_trip(tx, rx) == Some(true))
}
