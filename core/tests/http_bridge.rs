//! Bridge side: request reader (every split, Expect, pipelining), framing
//! errors and limits, router, Basic auth, response writer, arbitrary input.
mod http_support;

use confpart::api::operation::OperationKind;
use confpart::api::path::{PathError, PathStyle};
use confpart::api::query::{ListQuery, QueryError};
use confpart::api::update::Update;
use confpart::bridge;
use confpart::bridge::{
    ALLOW_COLLECTION, ALLOW_PARTICIPANT, AuthFailure, BridgeError, check_basic, constant_time_eq,
    route,
};
use confpart::wire::http::{self as head, Connection, HeaderField, HttpError, RequestReader};
use confpart::wire::ident::IdError;
use confpart::wire::sink::{SliceSink, WriteError};
use http_support::*;
use proptest::prelude::*;

const AUTH: &str = "QUNhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYTp0b2tlbg==";

fn post(path: &str, body: &str) -> Vec<u8> {
    format!(
        "POST {path} HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nAuthorization: Basic {AUTH}\r\n\
         User-Agent: twilio-python/9.4.1 (Linux x86_64) Python/3.12.3\r\nAccept-Charset: utf-8\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nAccept: application/json\r\n\
         Content-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

fn request_error(msg: &[u8], buf_len: usize) -> HttpError {
    let mut buf = vec![0u8; buf_len];
    let mut r = RequestReader::new(&mut buf);
    let e = r.fed(msg).unwrap_err();
    assert_eq!(r.fed(b"x"), Err(e), "the reader stays failed");
    e
}

#[test]
fn real_python_request_every_split() {
    let path = format!("{}/{CA}.json", base_path());
    let msg = post(
        &path,
        "Hold=true&HoldUrl=http%3A%2F%2Fm.example%2Fhold+me.mp3",
    );
    for_every_split(&msg, |pieces| {
        let mut buf = vec![0u8; 2048];
        let mut r = RequestReader::new(&mut buf);
        let (n, complete) = feed_pieces(&mut r, pieces).unwrap();
        assert!(complete);
        assert_eq!(n, msg.len());
        let h = r.msg().unwrap();
        assert_eq!(h.method(), "POST");
        assert_eq!(h.path(), path);
        assert_eq!(h.query(), None);
        assert_eq!(h.host(), Some(&b"127.0.0.1:8080"[..]));
        assert!(h.keep_alive());
        assert!(!h.expect_continue());
        assert_eq!(
            r.msg().unwrap().header("accept-charset"),
            Some(&b"utf-8"[..])
        );
        let rt = route(h.method(), h.path()).unwrap();
        assert_eq!(rt.operation, OperationKind::Update);
        check_basic(h.authorization(), rt.path.account.as_str(), "token").unwrap();
        let mut scratch = [0u8; 128];
        let u = Update::decode(r.body().unwrap(), &mut scratch)
            .unwrap()
            .update;
        assert_eq!(u.hold, Some(true));
        assert_eq!(u.hold_url, Some("http://m.example/hold me.mp3"));
    });
}

#[test]
fn chunked_request_every_split() {
    let body = "Muted=true&Coaching=true&CallSidToCoach=CAbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
    let mut msg = format!(
        "POST {}/{CA} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n",
        base_path()
    )
    .into_bytes();
    msg.extend_from_slice(&chunk(body.as_bytes(), 7));
    for_every_split(&msg, |pieces| {
        let mut buf = vec![0u8; 1024];
        let mut r = RequestReader::new(&mut buf);
        let (n, complete) = feed_pieces(&mut r, pieces).unwrap();
        assert!(complete);
        assert_eq!(n, msg.len());
        assert!(r.msg().unwrap().chunked());
        assert_eq!(r.body().unwrap(), body.as_bytes());
    });
}

#[test]
fn expect_100_continue() {
    let head = format!(
        "POST {}/{CA}.json HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 10\r\n\r\n",
        base_path()
    );
    let mut buf = [0u8; 1024];
    let mut r = RequestReader::new(&mut buf);
    assert!(!r.expect_continue());
    let p = r.fed(head.as_bytes()).unwrap();
    assert!(!p.complete);
    assert!(r.expect_continue(), "head complete, body awaited");
    let mut out = [0u8; 64];
    let mut sink = SliceSink::new(&mut out);
    bridge::write_continue(&mut sink).unwrap();
    assert_eq!(sink.written(), b"HTTP/1.1 100 Continue\r\n\r\n");
    assert!(r.fed(b"Muted=true").unwrap().complete);
    assert_eq!(r.body(), Some(&b"Muted=true"[..]));
    assert!(!r.expect_continue(), "the body arrived");
    assert!(r.msg().unwrap().expect_continue());

    let bad = format!(
        "POST {}/{CA}.json HTTP/1.1\r\nExpect: 200-ok\r\n\r\n",
        base_path()
    );
    let e = request_error(bad.as_bytes(), 1024);
    assert!(matches!(e, HttpError::UnsupportedExpectation { .. }));
    assert_eq!(e.answer().status, 417);
}

#[test]
fn pipelined_requests_and_leading_crlf() {
    let one = format!("GET {}/{CA}.json HTTP/1.1\r\nHost: x\r\n\r\n", base_path());
    let two = format!(
        "DELETE {}/{CA}.json HTTP/1.1\r\nHost: x\r\n\r\n",
        base_path()
    );
    let stream = format!("{one}\r\n{two}");
    let mut buf = [0u8; 1024];
    let mut r = RequestReader::new(&mut buf);
    let p = r.fed(stream.as_bytes()).unwrap();
    assert!(p.complete);
    assert_eq!(p.consumed, one.len());
    assert_eq!(r.msg().unwrap().method(), "GET");
    assert_eq!(r.body(), Some(&b""[..]));
    r.reset();
    let p = r.fed(&stream.as_bytes()[one.len()..]).unwrap();
    assert!(p.complete);
    assert_eq!(r.msg().unwrap().method(), "DELETE");
    // A clean close between messages.
    r.reset();
    assert_eq!(
        r.finish().map(|_| ()),
        Err(HttpError::EofInHead { received: 0 })
    );
}

#[test]
fn request_framing_errors() {
    let p = format!("{}/{CA}.json", base_path());
    let start = format!("POST {p} HTTP/1.1\r\n");
    let at = start.len();
    let cases: Vec<(String, HttpError)> = vec![
        (
            format!("POST {p} HTTP/1.1\nHost: x\n\n"),
            HttpError::BareLf { offset: at - 2 },
        ),
        (
            format!("{start}Host: x\r\n folded\r\n\r\n"),
            HttpError::ObsFold { offset: at + 9 },
        ),
        (
            format!("{start}Host : x\r\n\r\n"),
            HttpError::InvalidHeaderName { offset: at },
        ),
        (
            format!("{start}Host: x\r\nBad\r\n\r\n"),
            HttpError::InvalidHeaderName { offset: at + 9 },
        ),
        (
            format!("{start}Content-Length: 1\r\nContent-Length: 2\r\n\r\n"),
            HttpError::DuplicateHeader {
                name: "Content-Length",
                offset: at + 35,
            },
        ),
        (
            format!("{start}Content-Length: 1\r\nContent-Length: 1\r\n\r\n"),
            HttpError::DuplicateHeader {
                name: "Content-Length",
                offset: at + 35,
            },
        ),
        (
            format!("{start}Transfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n"),
            HttpError::ContentLengthWithChunked { offset: at + 19 },
        ),
        (
            format!("{start}Transfer-Encoding: gzip, chunked\r\n\r\n"),
            HttpError::UnsupportedTransferEncoding { offset: at + 19 },
        ),
        (
            format!("POST {p} HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n"),
            HttpError::UnsupportedTransferEncoding { offset: at + 19 },
        ),
        (
            format!("{start}Content-Length: +5\r\n\r\n"),
            HttpError::InvalidContentLength { offset: at + 16 },
        ),
        (
            format!("{start}Content-Length: 0x5\r\n\r\n"),
            HttpError::InvalidContentLength { offset: at + 16 },
        ),
        (
            format!("{start}Content-Length: 5 5\r\n\r\n"),
            HttpError::InvalidContentLength { offset: at + 16 },
        ),
        (
            format!("{start}Host: a\r\nHost: b\r\n\r\n"),
            HttpError::DuplicateHeader {
                name: "Host",
                offset: at + 15,
            },
        ),
        (
            format!("{start}Authorization: Basic a\r\nAuthorization: Basic b\r\n\r\n"),
            HttpError::DuplicateHeader {
                name: "Authorization",
                offset: at + 39,
            },
        ),
        (
            "GET http://evil.example/x HTTP/1.1\r\n\r\n".into(),
            HttpError::InvalidTarget { offset: 4 },
        ),
        (
            "OPTIONS * HTTP/1.1\r\n\r\n".into(),
            HttpError::InvalidTarget { offset: 8 },
        ),
        (
            format!("GET {p}#frag HTTP/1.1\r\n\r\n"),
            HttpError::InvalidTarget {
                offset: 4 + p.len(),
            },
        ),
        (
            "GET /caf\u{e9} HTTP/1.1\r\n\r\n".into(),
            HttpError::InvalidTarget { offset: 8 },
        ),
        (
            format!("GET  {p} HTTP/1.1\r\n\r\n"),
            HttpError::InvalidTarget { offset: 4 },
        ),
        (
            format!("G@T {p} HTTP/1.1\r\n\r\n"),
            HttpError::InvalidStartLine,
        ),
        (
            format!("GET {p} HTTP/1.1 extra\r\n\r\n"),
            HttpError::InvalidStartLine,
        ),
    ];
    for (msg, want) in cases {
        assert_eq!(request_error(msg.as_bytes(), 4096), want, "{msg:?}");
    }
    // Raw non-UTF-8 bytes in the target.
    let mut raw = b"GET /2010-04-01/\xff\xfe HTTP/1.1\r\n\r\n".to_vec();
    assert_eq!(
        request_error(&raw, 256),
        HttpError::InvalidTarget { offset: 16 }
    );
    // Percent-encoded non-UTF-8 passes framing and is refused by the router.
    raw.clear();
    raw.extend_from_slice(format!("GET {}/%FF%FE HTTP/1.1\r\n\r\n", base_path()).as_bytes());
    let mut buf = [0u8; 256];
    let mut r = RequestReader::new(&mut buf);
    assert!(r.fed(&raw).unwrap().complete);
    let h = r.msg().unwrap();
    assert_eq!(
        route(h.method(), h.path()),
        Err(BridgeError::NotFound {
            error: PathError::InvalidUtf8 {
                offset: base_path().len() + 1
            }
        })
    );
}

#[test]
fn request_limits() {
    let long = format!(
        "GET /{} HTTP/1.1\r\n\r\n",
        "a".repeat(head::MAX_START_LINE_LEN)
    );
    let e = request_error(long.as_bytes(), 64 * 1024);
    assert_eq!(
        e,
        HttpError::StartLineTooLong {
            limit: head::MAX_START_LINE_LEN
        }
    );
    assert_eq!(e.answer().status, 414);
    let many: String = (0..=head::MAX_HEADERS)
        .map(|i| format!("X-{i}: v\r\n"))
        .collect();
    let e = request_error(format!("GET / HTTP/1.1\r\n{many}\r\n").as_bytes(), 4096);
    assert_eq!(
        e,
        HttpError::TooManyHeaders {
            limit: head::MAX_HEADERS
        }
    );
    assert_eq!(e.answer().status, 431);
    let e = request_error(b"POST / HTTP/1.1\r\nContent-Length: 100\r\n\r\n", 80);
    assert_eq!(
        e,
        HttpError::BodyTooLarge {
            declared: Some(100),
            capacity: 80 - 40
        }
    );
    assert_eq!(e.answer().status, 413);
    assert_eq!(
        request_error(&[b'G'; 100], 50),
        HttpError::HeadTooLarge { limit: 50 }
    );
}

#[test]
fn truncated_requests() {
    let msg = post(&format!("{}/{CA}.json", base_path()), "Muted=true");
    let mut buf = [0u8; 2048];
    let mut r = RequestReader::new(&mut buf);
    r.fed(&msg[..msg.len() - 3]).unwrap();
    assert_eq!(
        r.finish().map(|_| ()),
        Err(HttpError::EofInBody {
            received: 7,
            expected: Some(10)
        })
    );
    assert_eq!(r.body(), None);
    let mut buf = [0u8; 2048];
    let mut r = RequestReader::new(&mut buf);
    r.fed(&msg[..20]).unwrap();
    assert!(r.msg().is_none());
    assert_eq!(
        r.finish().map(|_| ()),
        Err(HttpError::EofInHead { received: 20 })
    );
}

#[test]
fn router() {
    let base = base_path();
    let cases = [
        ("POST", format!("{base}/{CA}.json"), OperationKind::Update),
        ("GET", format!("{base}/{CA}"), OperationKind::Fetch),
        ("DELETE", format!("{base}/{CA}.json"), OperationKind::Delete),
        ("GET", format!("{base}.json"), OperationKind::List),
        ("POST", base.clone(), OperationKind::Create),
        (
            "POST",
            format!("/api/laml/2010-04-01/Accounts/{UUID}/Conferences/{UUID}/Participants/{UUID}"),
            OperationKind::Update,
        ),
    ];
    for (m, p, op) in cases {
        assert_eq!(route(m, &p).unwrap().operation, op, "{m} {p}");
    }
    let laml = route(
        "GET",
        &format!("/api/laml/2010-04-01/Accounts/{UUID}/Conferences/{UUID}/Participants.json"),
    )
    .unwrap();
    assert_eq!(laml.path.style, PathStyle::Laml);
    assert_eq!(laml.path.participant, None);
    let label = route("GET", &format!("{base}/Ren%C3%A9%20%2B%3F")).unwrap();
    assert_eq!(label.path.participant.unwrap().as_str(), "René +?");

    assert_eq!(
        route("PUT", &format!("{base}/{CA}.json")),
        Err(BridgeError::MethodNotAllowed {
            allow: ALLOW_PARTICIPANT
        })
    );
    assert_eq!(
        route("DELETE", &base),
        Err(BridgeError::MethodNotAllowed {
            allow: ALLOW_COLLECTION
        })
    );
    assert_eq!(route("get", &base).unwrap_err().answer().status, 405);
    let at = base.len() + 1;
    assert_eq!(
        route("GET", &format!("{base}/a%2Fb")),
        Err(BridgeError::NotFound {
            error: PathError::EncodedSlash { offset: at }
        })
    );
    assert_eq!(
        route("GET", &format!("{base}/..")),
        Err(BridgeError::NotFound {
            error: PathError::DotOrEmptySegment { offset: at }
        })
    );
    assert_eq!(
        route("GET", &format!("{base}/%FF.json")),
        Err(BridgeError::NotFound {
            error: PathError::InvalidUtf8 { offset: at }
        })
    );
    assert_eq!(
        route(
            "GET",
            &format!("/2010-04-01/Accounts/{AC}/Conferences/../Participants")
        ),
        Err(BridgeError::NotFound {
            error: PathError::DotOrEmptySegment { offset: 68 }
        })
    );
    assert_eq!(
        route(
            "GET",
            &format!("/2010-04-01/Accounts/{AC}/Conferences/CF1/Participants")
        ),
        Err(BridgeError::NotFound {
            error: PathError::Id {
                error: IdError::Length {
                    kind: confpart::wire::ident::IdKind::Conference,
                    len: 3
                },
                offset: 68
            }
        })
    );
    let nf = route("GET", "/").unwrap_err();
    assert_eq!((nf.answer().status, nf.answer().code), (404, 20404));
}

#[test]
fn list_query_from_request() {
    let msg = format!(
        "GET {}.json?Muted=True&PageSize=20&PageToken=PA+abc%2F1&Unknown=1 HTTP/1.1\r\nHost: x\r\n\r\n",
        base_path()
    );
    let mut buf = [0u8; 1024];
    let mut r = RequestReader::new(&mut buf);
    assert!(r.fed(msg.as_bytes()).unwrap().complete);
    let h = r.msg().unwrap();
    assert_eq!(
        route(h.method(), h.path()).unwrap().operation,
        OperationKind::List
    );
    let mut scratch = [0u8; 64];
    let q = ListQuery::decode(h.query().unwrap().as_bytes(), &mut scratch).unwrap();
    assert_eq!(
        q,
        ListQuery {
            muted: Some(true),
            page_size: Some(20),
            page_token: Some("PA abc/1"),
            ..ListQuery::new()
        }
    );
    let mut scratch = [0u8; 64];
    let e: BridgeError = ListQuery::decode(b"PageSize=5000", &mut scratch)
        .unwrap_err()
        .into();
    assert_eq!(e, BridgeError::Query(QueryError::PageSize { offset: 9 }));
    assert_eq!((e.answer().status, e.answer().code), (400, 20001));
}

#[test]
fn basic_auth() {
    let ok = format!("Basic {AUTH}");
    check_basic(Some(ok.as_bytes()), AC, "token").unwrap();
    check_basic(Some(format!("basic  {AUTH} ").as_bytes()), AC, "token").unwrap();
    let fail = |v: Option<&[u8]>, user: &str, token: &str| match check_basic(v, user, token) {
        Err(BridgeError::Unauthorized { reason }) => reason,
        other => panic!("{other:?}"),
    };
    assert_eq!(fail(None, AC, "token"), AuthFailure::Missing);
    assert_eq!(
        fail(Some(b"Bearer abc"), AC, "token"),
        AuthFailure::NotBasic
    );
    assert_eq!(fail(Some(b"Basic"), AC, "token"), AuthFailure::NotBasic);
    assert_eq!(
        fail(Some(b"Basic !!!!"), AC, "token"),
        AuthFailure::InvalidBase64
    );
    assert_eq!(
        fail(Some(b"Basic dXNlcg=="), "user", "x"),
        AuthFailure::MissingColon
    );
    let long = format!("Basic {}", "QUFB".repeat(200));
    assert_eq!(
        fail(Some(long.as_bytes()), AC, "token"),
        AuthFailure::TooLong
    );
    assert_eq!(
        fail(Some(ok.as_bytes()), AC, "tokem"),
        AuthFailure::Mismatch
    );
    assert_eq!(fail(Some(ok.as_bytes()), AC, "toke"), AuthFailure::Mismatch);
    assert_eq!(
        fail(Some(ok.as_bytes()), AC, "token\0"),
        AuthFailure::Mismatch
    );
    assert_eq!(
        fail(Some(ok.as_bytes()), CF, "token"),
        AuthFailure::Mismatch
    );
    assert_eq!(fail(Some(ok.as_bytes()), AC, ""), AuthFailure::Mismatch);

    assert!(constant_time_eq(b"", b""));
    assert!(!constant_time_eq(b"", b"a"));
    assert!(!constant_time_eq(b"abc", b"ab"));
}

#[test]
fn response_writer() {
    let p = confpart::api::participant::Participant::decode(include_bytes!(
        "../../tests/fixtures/twilio-update-mute.json"
    ))
    .unwrap();
    let mut out = vec![0u8; 4096];
    let mut sink = SliceSink::new(&mut out);
    bridge::write_participant(&mut sink, 200, &p, Connection::KeepAlive).unwrap();
    let text = std::str::from_utf8(sink.written()).unwrap();
    let json_len = p.encode_to_slice(&mut [0u8; 4096]).unwrap();
    assert!(text.starts_with(&format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: {json_len}\r\nConnection: keep-alive\r\n\r\n{{"
    )));

    let mut out = [0u8; 512];
    let mut sink = SliceSink::new(&mut out);
    bridge::write_response(
        &mut sink,
        429,
        b"{}",
        Connection::Close,
        &[HeaderField {
            name: "Retry-After",
            value: "5",
        }],
    )
    .unwrap();
    assert_eq!(
        sink.written(),
        b"HTTP/1.1 429 Too Many Requests\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: 2\r\nRetry-After: 5\r\nConnection: close\r\n\r\n{}"
    );
    assert_eq!(
        bridge::response_len(
            429,
            b"{}",
            Connection::Close,
            &[HeaderField {
                name: "Retry-After",
                value: "5"
            }]
        )
        .unwrap(),
        sink.len()
    );

    let mut out = [0u8; 512];
    let mut sink = SliceSink::new(&mut out);
    let e = route("PATCH", &format!("{}/{CA}", base_path())).unwrap_err();
    bridge::write_error(&mut sink, &e, Connection::KeepAlive).unwrap();
    let text = std::str::from_utf8(sink.written()).unwrap();
    assert!(text.starts_with("HTTP/1.1 405 Method Not Allowed\r\n"));
    assert!(text.contains("\r\nAllow: GET, POST, DELETE\r\n"));
    assert!(text.contains("\"code\":20004"));

    // Bad input to the writer.
    let mut out = [0u8; 512];
    let mut sink = SliceSink::new(&mut out);
    let w = |sink: &mut SliceSink<'_>, status, body: &[u8], extra: &[HeaderField<'_>]| {
        bridge::write_response(sink, status, body, Connection::KeepAlive, extra)
    };
    assert_eq!(
        w(&mut sink, 99, b"", &[]),
        Err(BridgeError::InvalidStatus { status: 99 })
    );
    assert_eq!(
        w(&mut sink, 600, b"", &[]),
        Err(BridgeError::InvalidStatus { status: 600 })
    );
    assert_eq!(
        w(&mut sink, 204, b"{}", &[]),
        Err(BridgeError::BodyNotAllowed { status: 204 })
    );
    for bad in [
        HeaderField {
            name: "X",
            value: "a\r\nInjected: 1",
        },
        HeaderField {
            name: "X Y",
            value: "a",
        },
        HeaderField {
            name: "",
            value: "a",
        },
        HeaderField {
            name: "content-length",
            value: "1",
        },
        HeaderField {
            name: "Connection",
            value: "close",
        },
    ] {
        assert_eq!(
            w(
                &mut sink,
                200,
                b"{}",
                &[
                    HeaderField {
                        name: "Ok",
                        value: "1"
                    },
                    bad
                ]
            ),
            Err(BridgeError::InvalidHeader { index: 1 })
        );
    }
    assert!(sink.is_empty(), "nothing is written on a validation error");
    let mut tiny = [0u8; 8];
    let mut sink = SliceSink::new(&mut tiny);
    assert!(matches!(
        w(&mut sink, 200, b"{}", &[]),
        Err(BridgeError::Write(WriteError::BufferFull { .. }))
    ));
    // The error writer needs no scratch buffer: a sink too small for the
    // answer fails with BufferFull, never a truncated response.
    let mut small = [0u8; 64];
    assert!(matches!(
        bridge::write_error(
            &mut SliceSink::new(&mut small),
            &BridgeError::Unauthorized {
                reason: AuthFailure::Missing
            },
            Connection::Close
        ),
        Err(BridgeError::Write(WriteError::BufferFull { .. }))
    ));
}

#[test]
fn http_errors_become_responses() {
    let e = request_error(b"GET / HTTP/1.1\r\nContent-Length: x\r\n\r\n", 256);
    let be = BridgeError::from(e);
    assert_eq!((be.answer().status, be.answer().code), (400, 20001));
    let mut out = [0u8; 512];
    let mut sink = SliceSink::new(&mut out);
    bridge::write_error(&mut sink, &be, Connection::Close).unwrap();
    assert!(sink.written().starts_with(b"HTTP/1.1 400 Bad Request\r\n"));
    assert_eq!(
        BridgeError::from(HttpError::UnsupportedTransferEncoding { offset: 0 })
            .answer()
            .status,
        501
    );
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(data in proptest::collection::vec(any::<u8>(), 0..600), cut in 0usize..600, size in 16usize..1024) {
        let mut buf = vec![0u8; size];
        let mut r = RequestReader::new(&mut buf);
        let cut = cut.min(data.len());
        let mut total = 0;
        for piece in [&data[..cut], &data[cut..]] {
            match r.fed(piece) {
                Ok(p) => {
                    prop_assert!(p.consumed <= piece.len());
                    total += p.consumed;
                    if p.complete {
                        let h = r.msg().unwrap();
                        let _ = route(h.method(), h.path());
                        let _ = check_basic(h.authorization(), AC, "token");
                        break;
                    }
                }
                Err(e) => { let _ = BridgeError::from(e).answer().status; break; }
            }
        }
        prop_assert!(total <= data.len());
        let _ = r.finish().map(|_| ());
    }

    #[test]
    fn printable_requests_never_panic(line in "[ -~]{0,80}", headers in proptest::collection::vec("[ -~]{0,40}", 0..6), body in "[ -~\r\n]{0,60}") {
        let mut msg = line.into_bytes();
        msg.extend_from_slice(b"\r\n");
        for h in headers {
            msg.extend_from_slice(h.as_bytes());
            msg.extend_from_slice(b"\r\n");
        }
        msg.extend_from_slice(b"\r\n");
        msg.extend_from_slice(body.as_bytes());
        let mut buf = vec![0u8; 1024];
        let mut r = RequestReader::new(&mut buf);
        if let Ok(p) = r.fed(&msg) {
            prop_assert!(p.consumed <= msg.len());
            if let Some(h) = r.msg() {
                let _ = route(h.method(), h.path());
            }
        }
    }

    #[test]
    fn constant_time_eq_is_eq(
        a in proptest::collection::vec(0u8..4, 0..40),
        b in proptest::collection::vec(0u8..4, 0..40),
        prefix in any::<bool>(),
    ) {
        // Short alphabets and shared prefixes: equal, prefix and zero-tail cases.
        let b = if prefix { [&a[..], &b[..]].concat() } else { b };
        prop_assert_eq!(bridge::constant_time_eq(&a, &b), a == b);
        prop_assert_eq!(bridge::constant_time_eq(&b, &a), a == b);
        prop_assert!(bridge::constant_time_eq(&a, &a));
    }

    #[test]
    fn arbitrary_authorization_never_panics(v in proptest::collection::vec(any::<u8>(), 0..400)) {
        let _ = check_basic(Some(&v), AC, "token");
        let mut with_scheme = b"Basic ".to_vec();
        with_scheme.extend_from_slice(&v);
        let _ = check_basic(Some(&with_scheme), AC, "token");
    }
}

/// Every error a bridge can meet has an exact answer (status, code), and
/// `write_error` writes it with the right extra header.
#[test]
fn every_error_has_an_answer() {
    use confpart::api::path::Dialect;
    use confpart::api::update::{Field, FormError, ValidationError};
    use confpart::bridge::{Answer, ApiAnswer};
    use confpart::bridge::{ConferenceError, Lifecycle, LifecycleError, Rejection};

    let http: Vec<(HttpError, u16)> = vec![
        (HttpError::BareLf { offset: 1 }, 400),
        (HttpError::BareCr { offset: 1 }, 400),
        (HttpError::ObsFold { offset: 1 }, 400),
        (HttpError::StartLineTooLong { limit: 1 }, 414),
        (
            HttpError::HeaderLineTooLong {
                offset: 1,
                limit: 1,
            },
            431,
        ),
        (HttpError::TooManyHeaders { limit: 1 }, 431),
        (HttpError::HeadTooLarge { limit: 1 }, 431),
        (HttpError::InvalidStartLine, 400),
        (HttpError::InvalidHeaderName { offset: 1 }, 400),
        (HttpError::InvalidHeaderValue { offset: 1 }, 400),
        (HttpError::InvalidTarget { offset: 1 }, 400),
        (
            HttpError::DuplicateHeader {
                name: "Host",
                offset: 1,
            },
            400,
        ),
        (HttpError::InvalidContentLength { offset: 1 }, 400),
        (HttpError::ContentLengthWithChunked { offset: 1 }, 400),
        (HttpError::UnsupportedTransferEncoding { offset: 1 }, 501),
        (HttpError::UnsupportedExpectation { offset: 1 }, 417),
        (HttpError::InvalidChunkSize { offset: 1 }, 400),
        (HttpError::ChunkSizeOverflow { offset: 1 }, 400),
        (HttpError::InvalidChunkData { offset: 1 }, 400),
        (
            HttpError::ChunkLineTooLong {
                offset: 1,
                limit: 1,
            },
            400,
        ),
        (HttpError::TrailerTooLarge { limit: 1 }, 400),
        (
            HttpError::BodyTooLarge {
                declared: None,
                capacity: 1,
            },
            413,
        ),
        (HttpError::EofInHead { received: 1 }, 400),
        (
            HttpError::EofInBody {
                received: 1,
                expected: None,
            },
            400,
        ),
    ];
    let mut cases: Vec<(BridgeError, u16, u32)> = http
        .into_iter()
        .map(|(e, status)| (BridgeError::from(e), status, 20001))
        .collect();
    let rejections = [
        (
            Rejection::ConferenceCompleted {
                dialect: Dialect::Twilio,
            },
            404,
            20404,
        ),
        (
            Rejection::ConferenceCompleted {
                dialect: Dialect::SignalWire,
            },
            400,
            10000,
        ),
        (Rejection::NotFound, 404, 20404),
        (
            Rejection::Invalid(ValidationError::CoachingWithoutTarget),
            400,
            20001,
        ),
        (
            Rejection::NotConnected {
                field: Field::Hold,
                state: Lifecycle::Ringing,
            },
            400,
            21220,
        ),
        (Rejection::CoachSelf, 400, 20001),
        (
            Rejection::CoachTargetNotInConference {
                dialect: Dialect::Twilio,
            },
            400,
            16028,
        ),
        (
            Rejection::CoachTargetNotInConference {
                dialect: Dialect::SignalWire,
            },
            400,
            16002,
        ),
        (Rejection::CoachTargetOnHold, 400, 16027),
    ];
    for (r, status, code) in rejections {
        assert_eq!(
            (r.answer().status, r.answer().code),
            (status, code),
            "{r:?}"
        );
        cases.push((r.into(), status, code));
    }
    let conference = [
        (ConferenceError::Completed, 404, 20404),
        (ConferenceError::AlreadyStarted, 400, 20001),
        (ConferenceError::Full { capacity: 4 }, 400, 20001),
        (ConferenceError::AlreadyPresent, 400, 20001),
        (ConferenceError::LabelInUse, 400, 16026),
        (ConferenceError::LabelTooLong { max_bytes: 8 }, 400, 16023),
        (ConferenceError::NotFound, 404, 20404),
        (
            ConferenceError::Lifecycle(LifecycleError::Final {
                state: Lifecycle::Complete,
            }),
            400,
            21220,
        ),
    ];
    for (e, status, code) in conference {
        assert_eq!(
            (e.answer().status, e.answer().code),
            (status, code),
            "{e:?}"
        );
        cases.push((e.into(), status, code));
    }
    cases.extend([
        (BridgeError::from(PathError::Prefix), 404, 20404),
        (
            BridgeError::MethodNotAllowed {
                allow: ALLOW_PARTICIPANT,
            },
            405,
            20004,
        ),
        (
            BridgeError::Unauthorized {
                reason: AuthFailure::Mismatch,
            },
            401,
            20003,
        ),
        (QueryError::Page { offset: 0 }.into(), 400, 20001),
        (
            FormError::InvalidEscape {
                field: None,
                offset: 0,
            }
            .into(),
            400,
            20001,
        ),
        (
            confpart::wire::ident::CallSid::parse("x")
                .unwrap_err()
                .into(),
            400,
            20001,
        ),
        (BridgeError::InvalidStatus { status: 1 }, 500, 20500),
        (BridgeError::BodyNotAllowed { status: 204 }, 500, 20500),
        (BridgeError::InvalidHeader { index: 0 }, 500, 20500),
        (WriteError::WriteZero.into(), 500, 20500),
    ]);
    for (e, status, code) in cases {
        let a: ApiAnswer = Answer::answer(&e);
        assert_eq!((a.status, a.code), (status, code), "{e:?}");
        assert!(!a.message.is_empty());
        assert_eq!(a.allow.is_some(), status == 405, "{e:?}");
        // One writer answers every failure; the client reads it back.
        let mut out = [0u8; 1024];
        let mut sink = SliceSink::new(&mut out);
        bridge::write_error(&mut sink, &e, Connection::Close).unwrap();
        let n = sink.len();
        let mut buf = [0u8; 1024];
        let mut r = confpart::client::ResponseReader::new(&mut buf, OperationKind::Update);
        let m = r.feed(&out[..n]).unwrap().complete().unwrap();
        assert_eq!(m.status(), status);
        assert_eq!(m.consumed(), n);
        assert_eq!(
            m.header("www-authenticate").is_some(),
            status == 401,
            "{e:?}"
        );
        assert_eq!(m.header("allow").is_some(), status == 405, "{e:?}");
        let api = confpart::api::error::ApiError::decode(m.body()).unwrap();
        assert_eq!((api.code, api.status), (Some(code), Some(status)));
        assert!(api.message.is_some_and(|m| m.eq_str(a.message)));
        assert!(!e.to_string().is_empty());
    }
}

/// Each lower-layer error converts into `BridgeError` and is its source.
#[test]
fn bridge_error_sources() {
    use confpart::bridge::Rejection;
    use std::error::Error as _;
    let e = BridgeError::from(Rejection::CoachSelf);
    assert_eq!(e, BridgeError::Rejected(Rejection::CoachSelf));
    assert!(e.source().is_some());
    assert!(
        BridgeError::from(HttpError::InvalidStartLine)
            .source()
            .is_some()
    );
    assert!(BridgeError::from(PathError::Prefix).source().is_some());
    assert!(
        BridgeError::MethodNotAllowed { allow: "GET" }
            .source()
            .is_none()
    );
}

/// The participant answer is written without a scratch buffer: its length
/// is counted first and matches what is written.
#[test]
fn participant_answer_length_is_exact() {
    let p = confpart::api::participant::Participant::decode(include_bytes!(
        "../../tests/fixtures/twilio-update-hold.json"
    ))
    .unwrap();
    let mut out = vec![0u8; 4096];
    let mut sink = SliceSink::new(&mut out);
    bridge::write_participant(&mut sink, 200, &p, Connection::Close).unwrap();
    let n = sink.len();
    let mut buf = vec![0u8; 4096];
    let mut r = confpart::client::ResponseReader::new(&mut buf, OperationKind::Fetch);
    let m = r.feed(&out[..n]).unwrap().complete().unwrap();
    assert_eq!(m.content_length(), Some(p.encoded_len() as u64));
    assert_eq!(m.participant().unwrap(), p);
    // Too small a sink: BufferFull, never a truncated answer.
    for cut in [10, n - 1] {
        assert!(matches!(
            bridge::write_participant(
                &mut SliceSink::new(&mut out[..cut]),
                200,
                &p,
                Connection::Close
            ),
            Err(BridgeError::Write(WriteError::BufferFull { .. }))
        ));
    }
}
