//! Comparison: the client round trip with reqwless 0.14 (no TLS) and
//! serde-json-core, as a firmware engineer would write it without confpart:
//! the form body formatted with `core::fmt` and `percent-encoding`, the
//! request and response through reqwless's `Request` / `Response` over an
//! in-memory `embedded-io-async` connection, the participant mapped by
//! serde-json-core. No validation of ids, URLs, nesting depth, escapes or
//! dates. Runs once under qemu (polled by a no-op waker: the connection is
//! never pending) and exits with the result.
#![no_std]
#![no_main]

use core::hint::black_box;
use core::pin::pin;
use core::task::{Context, Poll, Waker};

use confpart_probes::cmp;
use confpart_probes::{AC, CLIENT_RX, CLIENT_TX, RESPONSE, TOKEN, exit};
use cortex_m_rt::entry;
use reqwless::headers::ContentType;
use reqwless::request::{Method, Request, RequestBuilder};
use reqwless::response::Response;

/// The path of the update (a firmware would format it too; kept constant).
const PATH: &str = "/2010-04-01/Accounts/ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/Conferences/CFaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/Participants/CAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.json";

/// The connection: writes go into the tx buffer, reads come from the canned
/// response.
struct Conn<'a> {
    tx: &'a mut [u8],
    written: usize,
    rx: &'a [u8],
}

impl embedded_io::ErrorType for Conn<'_> {
    type Error = embedded_io::ErrorKind;
}

impl embedded_io_async::Write for Conn<'_> {
    async fn write(&mut self, buf: &[u8]) -> Result<usize, Self::Error> {
        let end = self.written + buf.len();
        self.tx
            .get_mut(self.written..end)
            .ok_or(embedded_io::ErrorKind::OutOfMemory)?
            .copy_from_slice(buf);
        self.written = end;
        Ok(buf.len())
    }

    async fn flush(&mut self) -> Result<(), Self::Error> {
        Ok(())
    }
}

impl embedded_io_async::Read for Conn<'_> {
    async fn read(&mut self, buf: &mut [u8]) -> Result<usize, Self::Error> {
        let n = buf.len().min(self.rx.len());
        let (now, later) = self.rx.split_at(n);
        buf.get_mut(..n)
            .ok_or(embedded_io::ErrorKind::Other)?
            .copy_from_slice(now);
        self.rx = later;
        Ok(n)
    }
}

impl reqwless::TryBufRead for Conn<'_> {}

async fn round_trip(tx: &mut [u8], rx: &mut [u8]) -> Option<bool> {
    let mut body_bytes = [0u8; 512];
    let len = cmp::write_form(&mut body_bytes)?;
    let form = body_bytes.get(..len)?;
    let mut conn = Conn {
        tx,
        written: 0,
        rx: black_box(RESPONSE),
    };
    let request = Request::post(black_box(PATH))
        .host("api.twilio.com")
        .basic_auth(black_box(AC), black_box(TOKEN))
        .headers(&[("Content-Type", "application/x-www-form-urlencoded")])
        .accept(ContentType::ApplicationJson)
        .body(form)
        .build();
    // What reqwless's `HttpResource::send` does with a known-length body.
    request.write_header(&mut conn).await.ok()?;
    embedded_io_async::Write::write_all(&mut conn, form)
        .await
        .ok()?;
    black_box(conn.tx.get(..conn.written)?);
    let response = Response::read(&mut conn, Method::POST, rx).await.ok()?;
    if response.status.0 != 200 {
        return None;
    }
    let body = response.body().read_to_end().await.ok()?;
    let (p, _) = serde_json_core::from_slice::<cmp::Participant<'_>>(body).ok()?;
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
    let mut future = pin!(round_trip(tx, rx));
    let mut cx = Context::from_waker(Waker::noop());
    let ok = loop {
        if let Poll::Ready(result) = future.as_mut().poll(&mut cx) {
            break result == Some(true);
        }
    };
    exit(ok)
}
