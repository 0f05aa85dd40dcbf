//! Differential tests of the head parser against `httparse` 1.10 (which it
//! replaced; the comparison is `tests/src/head_oracle.rs`, shared with the
//! `http_head_differential` fuzz target):
//! - generated request and response heads, valid and invalid by
//!   construction (methods, targets, versions, status codes, reasons, header
//!   names, separators and values drawn from the edges of each character
//!   class), then mutated (bytes replaced, inserted, deleted);
//! - every byte value at every position of a realistic request head and of
//!   a realistic Twilio response head.
//!
//! Both parsers accept the same heads with the same parts and reject the
//! same heads with the same `HttpError`, modulo the rules only the core
//! applies (see the oracle's docs).
#[path = "../../tests/src/head_oracle.rs"]
mod head_oracle;

use head_oracle::{Verdict, compare};
use proptest::prelude::*;

/// A small deterministic generator for the layout choices.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn pick<'a>(&mut self, from: &[&'a [u8]]) -> &'a [u8] {
        from[self.below(from.len())]
    }
    fn chance(&mut self, one_in: usize) -> bool {
        self.below(one_in) == 0
    }
    /// From `valid` mostly, from `invalid` one time in twenty.
    fn pick2<'a>(&mut self, valid: &[&'a [u8]], invalid: &[&'a [u8]]) -> &'a [u8] {
        if self.chance(20) {
            self.pick(invalid)
        } else {
            self.pick(valid)
        }
    }
}

/// Bytes at the edges of the classes: token, VCHAR, SP/HTAB, controls,
/// DEL, obs-text, and the delimiters of the grammar.
const EDGES: &[u8] = &[
    b' ', b'\t', b':', b'\r', b'\n', 0, 0x01, 0x1f, 0x7f, 0x80, 0xc3, 0xa9, 0xff, b'#', b'?', b'/',
    b'"', b'(', b',', b';', b'@', b'[', b'{', b'!', b'~', b'|', b'`', b'^', b'_', b'-', b'.', b'a',
    b'Z', b'0', b'9', b'%', b'\'', b'\\',
];

/// A run of bytes: mostly from `alphabet`, sometimes any edge byte.
fn run(rng: &mut Rng, alphabet: &[u8], max: usize, out: &mut Vec<u8>) {
    for _ in 0..rng.below(max + 1) {
        if rng.chance(300) {
            out.push(EDGES[rng.below(EDGES.len())]);
        } else {
            out.push(alphabet[rng.below(alphabet.len())]);
        }
    }
}

const TOKEN: &[u8] = b"abcxyzABCXYZ0129!#$%&'*+-.^_`|~";
const VCHAR: &[u8] = b"abc XYZ 019 /?=&;,:\"()<>@[]{}\\\t~";
const PATH: &[u8] = b"abcXYZ019/-._~%!$&'()*+,;=:@?";

fn header(rng: &mut Rng, out: &mut Vec<u8>) {
    match rng.below(4) {
        0 => out.extend_from_slice(rng.pick(&[
            b"Content-Length",
            b"Transfer-Encoding",
            b"Connection",
            b"Host",
            b"Expect",
            b"Content-Type",
            b"Authorization",
            b"Retry-After",
        ])),
        _ => {
            if !rng.chance(30) {
                out.push(TOKEN[rng.below(TOKEN.len())]);
            }
            run(rng, TOKEN, 12, out);
        }
    }
    out.extend_from_slice(rng.pick2(
        &[b":", b": ", b":  ", b":\t", b": \t"],
        &[b" :", b"\t: ", b""],
    ));
    match rng.below(5) {
        0 => out.extend_from_slice(rng.pick(&[
            b"0",
            b"12",
            b"chunked",
            b"close",
            b"keep-alive",
            b"100-continue",
            b"",
        ])),
        1 => out.extend_from_slice(rng.pick2(
            &[b"caf\xc3\xa9", b"\x80\xff", b"a\tb", b"  ", b"\t"],
            &[b"x\x7fy", b"x\x00y", b"x\x1by"],
        )),
        _ => run(rng, VCHAR, 24, out),
    }
    if rng.chance(4) {
        out.extend_from_slice(rng.pick(&[b" ", b"\t", b" \t "]));
    }
    out.extend_from_slice(b"\r\n");
}

fn request_line(rng: &mut Rng, out: &mut Vec<u8>) {
    match rng.below(3) {
        0 => {
            out.push(TOKEN[rng.below(TOKEN.len())]);
            run(rng, TOKEN, 8, out);
        }
        _ => out.extend_from_slice(rng.pick2(
            &[
                b"GET",
                b"POST",
                b"DELETE",
                b"PUT",
                b"OPTIONS",
                b"get",
                b"M-SEARCH",
            ],
            &[b"G@T", b"", b"GE\tT", b"G\x80T"],
        )),
    }
    out.extend_from_slice(rng.pick2(&[b" "], &[b"  ", b"\t", b""]));
    match rng.below(3) {
        0 => {
            out.push(b'/');
            run(rng, PATH, 30, out);
        }
        1 => out.extend_from_slice(rng.pick2(
            &[
                b"/",
                b"/2010-04-01/Accounts/AC1/Conferences/CF1/Participants/CA1.json",
                b"/x?Muted=true&PageSize=2",
                b"/?",
                b"/a??b",
            ],
            &[
                b"/x#frag",
                b"*",
                b"http://evil.example/x",
                b"/caf\xc3\xa9",
                b"/a\x7f",
                b"",
                b"/a b",
            ],
        )),
        _ => {
            if !rng.chance(10) {
                out.push(b'/');
            }
            run(rng, PATH, 12, out);
        }
    }
    out.extend_from_slice(rng.pick2(&[b" "], &[b"  ", b"\t", b""]));
    out.extend_from_slice(rng.pick2(
        &[b"HTTP/1.1", b"HTTP/1.0"],
        &[
            b"HTTP/1.2",
            b"HTTP/2.0",
            b"http/1.1",
            b"HTTP/1.1 ",
            b"HTTP/1",
            b"HTTP/1.10",
            b"HTTP",
            b"",
        ],
    ));
    out.extend_from_slice(b"\r\n");
}

fn status_line(rng: &mut Rng, out: &mut Vec<u8>) {
    out.extend_from_slice(rng.pick2(
        &[b"HTTP/1.1", b"HTTP/1.0"],
        &[b"HTTP/1.2", b"HTTP/2", b"HTTP/1.1 ", b"http/1.1"],
    ));
    out.extend_from_slice(rng.pick2(&[b" "], &[b"  ", b"\t", b""]));
    out.extend_from_slice(rng.pick2(
        &[
            b"200", b"201", b"204", b"404", b"429", b"503", b"101", b"000", b"999",
        ],
        &[b"2000", b"20", b"2x0", b""],
    ));
    match rng.below(4) {
        0 => {}
        1 => {
            out.push(b' ');
            run(rng, VCHAR, 16, out);
        }
        _ => out.extend_from_slice(rng.pick2(
            &[
                b" OK",
                b" Not Found",
                b" ",
                b"  OK ",
                b" caf\xc3\xa9",
                b" \x80",
                b" a\tb",
            ],
            &[b" x\x7f", b" x\x01", b"OK", b"\tOK"],
        )),
    }
    out.extend_from_slice(b"\r\n");
}

/// A head (and maybe a body) of a request or a response.
fn message(seed: u64, response: bool) -> Vec<u8> {
    let mut rng = Rng(seed | 1);
    let mut out = Vec::new();
    if rng.chance(8) {
        out.extend_from_slice(b"\r\n");
    }
    if response && rng.chance(6) {
        out.extend_from_slice(rng.pick(&[
            b"HTTP/1.1 100 Continue\r\n\r\n",
            b"HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n",
        ]));
    }
    if response {
        status_line(&mut rng, &mut out);
    } else {
        request_line(&mut rng, &mut out);
    }
    for _ in 0..rng.below(8) {
        header(&mut rng, &mut out);
    }
    out.extend_from_slice(b"\r\n");
    // Mutations (half of the messages): bytes replaced, inserted or deleted.
    let mutations = if rng.chance(2) { 0 } else { 1 + rng.below(3) };
    for _ in 0..mutations {
        let at = rng.below(out.len());
        let b = if rng.chance(2) {
            EDGES[rng.below(EDGES.len())]
        } else {
            (rng.next() >> 8) as u8
        };
        match rng.below(3) {
            0 => out[at] = b,
            1 => out.insert(at, b),
            _ => {
                out.remove(at);
            }
        }
    }
    if rng.chance(4) {
        out.extend_from_slice(b"0123456789abcdef");
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4096))]

    #[test]
    fn requests_parse_as_httparse_parses_them(seed: u64) {
        compare(&message(seed, false), false);
    }

    #[test]
    fn responses_parse_as_httparse_parses_them(seed: u64) {
        compare(&message(seed, true), true);
    }

    #[test]
    fn arbitrary_bytes_parse_as_httparse_parses_them(
        head in proptest::collection::vec(proptest::sample::select(EDGES.to_vec()), 0..48),
        response: bool,
    ) {
        let mut data = if response { b"HTTP/1.1 200 OK\r\n".to_vec() } else { b"GET / HTTP/1.1\r\n".to_vec() };
        data.extend_from_slice(&head);
        data.extend_from_slice(b"\r\n\r\n");
        compare(&data, response);
        compare(&head, response);
    }
}

/// The generator reaches every verdict often enough to mean something.
#[test]
fn generated_heads_reach_every_verdict() {
    for response in [false, true] {
        let mut counts = std::collections::HashMap::new();
        for seed in 0..4000u64 {
            let v = compare(
                &message(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15), response),
                response,
            );
            *counts.entry(v).or_insert(0usize) += 1;
        }
        println!("response: {response}: {counts:?}");
        for v in [
            Verdict::Accepted,
            Verdict::AcceptedThenRefused,
            Verdict::Rejected,
            Verdict::Scanner,
        ] {
            let n = counts.get(&v).copied().unwrap_or(0);
            assert!(
                n >= 100,
                "{v:?}: {n} of 4000 (response: {response}): {counts:?}"
            );
        }
    }
}

/// Every byte value at every position of a realistic head.
#[test]
fn every_byte_at_every_position() {
    let request = b"POST /2010-04-01/Accounts/AC1/Conferences/CF1/Participants/CA1.json?x=1 HTTP/1.1\r\n\
Host: api.twilio.com\r\nAuthorization: Basic QUM6dG9rZW4=\r\nContent-Type: application/x-www-form-urlencoded\r\n\
Content-Length: 0\r\nX-Empty:\r\nX-Tab:\tv \t\r\n\r\n";
    let response = b"HTTP/1.1 200 OK\r\nDate: Tue, 26 Nov 2024 18:12:00 GMT\r\n\
Content-Type: application/json; charset=utf-8\r\nTwilio-Request-Id: RQ0123\r\n\
Access-Control-Allow-Headers: Accept, Authorization\r\nContent-Length: 2\r\nX-Empty: \r\n\r\n{}";
    for (msg, is_response) in [(&request[..], false), (&response[..], true)] {
        let mut counts = std::collections::HashMap::new();
        for at in 0..msg.len() {
            for b in 0..=255u8 {
                let mut m = msg.to_vec();
                m[at] = b;
                *counts.entry(compare(&m, is_response)).or_insert(0usize) += 1;
            }
        }
        assert!(
            counts.get(&Verdict::Rejected).copied().unwrap_or(0) > 1000,
            "{counts:?}"
        );
        assert!(
            counts.get(&Verdict::Accepted).copied().unwrap_or(0) > 1000,
            "{counts:?}"
        );
    }
}
