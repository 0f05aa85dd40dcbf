//! Helpers shared by the `http_*` integration tests.
#![allow(dead_code)]

use confpart::wire::http::{HttpError, Kind, Message, Progress, Reader};

pub const AC: &str = "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
pub const CF: &str = "CFaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
pub const CA: &str = "CAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
pub const CB: &str = "CAbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
pub const UUID: &str = "9d3d58a8-9a8e-4b8e-a1e3-d3c4e5f6a7b8";

/// What one feed did, in numbers (for assertions).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fed {
    pub consumed: usize,
    pub complete: bool,
}

/// Short-hands over the reader for the tests.
pub trait ReaderExt<'b, K: Kind> {
    /// `feed`, as (consumed, complete): a `Partial` took all the input.
    fn fed(&mut self, input: &[u8]) -> Result<Fed, HttpError>;
    /// The complete message's body.
    fn body(&self) -> Option<&[u8]>;
    /// The complete message.
    fn msg(&self) -> Option<Message<'_, K>>;
}

impl<'b, K: Kind> ReaderExt<'b, K> for Reader<'b, K> {
    fn fed(&mut self, input: &[u8]) -> Result<Fed, HttpError> {
        Ok(match self.feed(input)? {
            Progress::Partial => Fed {
                consumed: input.len(),
                complete: false,
            },
            Progress::Complete(m) => Fed {
                consumed: m.consumed(),
                complete: true,
            },
        })
    }
    fn body(&self) -> Option<&[u8]> {
        self.message().map(|m| m.body())
    }
    fn msg(&self) -> Option<Message<'_, K>> {
        self.message()
    }
}

/// Feeds `pieces` in order; returns the total consumed once complete (or
/// after the last piece).
pub fn feed_pieces<K: Kind>(
    r: &mut Reader<'_, K>,
    pieces: &[&[u8]],
) -> Result<(usize, bool), HttpError> {
    let mut total = 0;
    for piece in pieces {
        match r.feed(piece)? {
            Progress::Complete(m) => return Ok((total + m.consumed(), true)),
            Progress::Partial => total += piece.len(),
        }
    }
    Ok((total, false))
}

/// Calls `run` with `msg` whole, split at every point (2 pieces), and in
/// 1-byte, 2-byte and 7-byte fragments.
pub fn for_every_split(msg: &[u8], mut run: impl FnMut(&[&[u8]])) {
    run(&[msg]);
    for k in 0..=msg.len() {
        let (a, b) = msg.split_at(k);
        run(&[a, b]);
    }
    for n in [1, 2, 7] {
        let pieces: Vec<&[u8]> = msg.chunks(n).collect();
        run(&pieces);
    }
}

/// A realistic Twilio response head: ~20 headers (CORS, HSTS, request id,
/// CDN), framed by `Content-Length` or `chunked`.
pub fn twilio_response(status_line: &str, body: &[u8], chunked: bool) -> Vec<u8> {
    let mut m = Vec::new();
    m.extend_from_slice(status_line.as_bytes());
    m.extend_from_slice(b"\r\n");
    let headers: &[&str] = &[
        "Date: Tue, 26 Nov 2024 18:12:00 GMT",
        "Content-Type: application/json; charset=utf-8",
        "Connection: keep-alive",
        "Twilio-Concurrent-Requests: 1",
        "Twilio-Request-Id: RQ0123456789abcdef0123456789abcdef",
        "Twilio-Request-Duration: 0.046",
        "X-Home-Region: us1",
        "X-API-Domain: api.twilio.com",
        "Strict-Transport-Security: max-age=31536000",
        "Access-Control-Allow-Origin: *",
        "Access-Control-Allow-Headers: Accept, Authorization, Content-Type, If-Match, If-Modified-Since, If-None-Match, If-Unmodified-Since, Idempotency-Key",
        "Access-Control-Allow-Methods: GET, POST, DELETE, OPTIONS",
        "Access-Control-Expose-Headers: ETag",
        "Access-Control-Allow-Credentials: true",
        "X-Powered-By: AT-5000",
        "X-Shenanigans: none",
        "Vary: Origin",
        "X-Cache: Miss from cloudfront",
        "Via: 1.1 0123456789abcdef.cloudfront.net (CloudFront)",
        "X-Amz-Cf-Pop: FRA56-P1",
        "X-Amz-Cf-Id: AbCdEfGhIjKlMnOpQrStUvWxYz0123456789==",
    ];
    for h in headers {
        m.extend_from_slice(h.as_bytes());
        m.extend_from_slice(b"\r\n");
    }
    if chunked {
        m.extend_from_slice(b"Transfer-Encoding: chunked\r\n\r\n");
        m.extend_from_slice(&chunk(body, 100));
    } else {
        m.extend_from_slice(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes());
        m.extend_from_slice(body);
    }
    m
}

/// Chunked coding of `body` in pieces of `size`, with an extension on the
/// first chunk and a trailer.
pub fn chunk(body: &[u8], size: usize) -> Vec<u8> {
    let mut m = Vec::new();
    for (i, c) in body.chunks(size.max(1)).enumerate() {
        if i == 0 {
            m.extend_from_slice(format!("{:X};ext=\"v\"\r\n", c.len()).as_bytes());
        } else {
            m.extend_from_slice(format!("{:x}\r\n", c.len()).as_bytes());
        }
        m.extend_from_slice(c);
        m.extend_from_slice(b"\r\n");
    }
    m.extend_from_slice(b"0\r\nX-Trailer: done\r\n\r\n");
    m
}

/// The participant base path.
pub fn base_path() -> String {
    format!("/2010-04-01/Accounts/{AC}/Conferences/{CF}/Participants")
}
