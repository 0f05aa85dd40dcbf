//! Client side: request writer bytes, response reader (fixtures in real-looking
//! Twilio responses, every split), outcomes, framing errors, arbitrary input.
mod http_support;

use confpart::api::create::Create;
use confpart::api::error::ErrorShape;
use confpart::api::operation::OperationKind;
use confpart::api::participant::{Participant, Status};
use confpart::api::path::{Dialect, Endpoint, PathError, PathStyle};
use confpart::api::query::{ListQuery, QueryError};
use confpart::api::retry::RetryAfter;
use confpart::api::update::{Field, Update, ValidationError};
use confpart::client::ResponseReader;
use confpart::client::{ClientError, Credentials, Operation, Outcome, Request};
use confpart::wire::date::Timestamp;
use confpart::wire::http as body;
use confpart::wire::http::{self as head, Connection, HeaderField, HttpError};
use confpart::wire::ident::{AccountSid, CallSid, ConferenceSid, ParticipantRef};
use confpart::wire::sink::{IoSink, WriteError};
use http_support::*;
use proptest::prelude::*;

const MUTE: &[u8] = include_bytes!("../../tests/fixtures/twilio-update-mute.json");
const HOLD: &[u8] = include_bytes!("../../tests/fixtures/twilio-update-hold.json");
const CREATE: &[u8] = include_bytes!("../../tests/fixtures/twilio-create.json");
const E20003: &[u8] = include_bytes!("../../tests/fixtures/twilio-error-20003.json");
const E20404: &[u8] = include_bytes!("../../tests/fixtures/twilio-error-20404.json");
const LIST: &[u8] = include_bytes!("../../tests/fixtures/twilio-list-page.json");
const LIST_EMPTY: &[u8] = include_bytes!("../../tests/fixtures/twilio-list-empty.json");

fn req<'a>(op: Operation<'a>, conn: Connection) -> Request<'a> {
    Request::new(
        Endpoint::twilio(),
        Credentials::new(AC, "token").unwrap(),
        AccountSid::parse(AC).unwrap(),
        ConferenceSid::parse(CF).unwrap(),
        op,
    )
    .with_connection(conn)
}

fn write(op: Operation<'_>, conn: Connection) -> String {
    let req = req(op, conn);
    let mut buf = vec![0u8; 8192];
    let n = req.encode_to_slice(&mut buf).unwrap();
    assert_eq!(req.encoded_len().unwrap(), n);
    String::from_utf8(buf[..n].to_vec()).unwrap()
}

fn ua() -> String {
    format!(
        "confpart/{} ({}-{})",
        env!("CARGO_PKG_VERSION"),
        std::env::consts::ARCH,
        std::env::consts::OS
    )
}

// base64("ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa:token")
const AUTH: &str = "QUNhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYTp0b2tlbg==";

#[test]
fn update_request_bytes() {
    let who = ParticipantRef::parse(CA).unwrap();
    let text = write(
        Operation::update(&who, Update::mute()),
        Connection::KeepAlive,
    );
    assert_eq!(
        text,
        format!(
            "POST {}/{CA}.json HTTP/1.1\r\nHost: api.twilio.com\r\nAuthorization: Basic {AUTH}\r\n\
             User-Agent: {}\r\nAccept: application/json\r\n\
             Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 10\r\n\
             Connection: keep-alive\r\n\r\nMuted=true",
            base_path(),
            ua()
        )
    );
    assert!(ua().starts_with("confpart/0."));
}

#[test]
fn fetch_delete_list_create_bytes() {
    let who = ParticipantRef::parse("front desk").unwrap();
    let fetch = write(Operation::fetch(&who), Connection::Close);
    assert!(fetch.starts_with(&format!(
        "GET {}/front%20desk.json HTTP/1.1\r\n",
        base_path()
    )));
    assert!(fetch.ends_with("Accept: application/json\r\nConnection: close\r\n\r\n"));
    assert!(!fetch.contains("Content-Length"));

    let delete = write(Operation::delete(&who), Connection::KeepAlive);
    assert!(delete.starts_with("DELETE /2010-04-01/"));
    assert!(!delete.contains("Content-Type"));

    let q = ListQuery {
        muted: Some(false),
        hold: Some(true),
        coaching: Some(true),
        page_size: Some(1000),
        page: Some(3),
        page_token: Some("PA x/y"),
    };
    let list = write(Operation::list(q), Connection::KeepAlive);
    assert!(list.starts_with(&format!(
        "GET {}.json?Muted=false&Hold=true&Coaching=true&PageSize=1000&Page=3&PageToken=PA+x%2Fy HTTP/1.1\r\n",
        base_path()
    )));
    let plain = write(Operation::list(ListQuery::new()), Connection::KeepAlive);
    assert!(plain.starts_with(&format!("GET {}.json HTTP/1.1\r\n", base_path())));

    let create = write(
        Operation::create(Create::new("+15005550006", "+15005550001").into()),
        Connection::KeepAlive,
    );
    assert!(create.starts_with(&format!("POST {}.json HTTP/1.1\r\n", base_path())));
    assert!(create.ends_with(
        "Content-Length: 37\r\nConnection: keep-alive\r\n\r\nFrom=%2B15005550006&To=%2B15005550001"
    ));
}

#[test]
fn create_is_typed_validated_and_takes_extra_headers() {
    // Typed fields, encoded by the request (issue 9 item 7).
    let create = Create::new("+15005550006", "client:agent")
        .label("front desk")
        .muted(true);
    let headers = [
        HeaderField::new("Prefer", "respond-async"),
        HeaderField::new("I-Twilio-Idempotency-Token", "7f1c9a"),
    ];
    let request =
        req(Operation::create(create.into()), Connection::KeepAlive).with_headers(&headers);
    let mut buf = vec![0u8; 1024];
    let n = request.encode_to_slice(&mut buf).unwrap();
    assert_eq!(request.encoded_len().unwrap(), n);
    let text = std::str::from_utf8(&buf[..n]).unwrap();
    let body = "From=%2B15005550006&To=client%3Aagent&Label=front+desk&Muted=true";
    assert!(text.starts_with(&format!("POST {}.json HTTP/1.1\r\n", base_path())));
    assert!(text.ends_with(&format!(
        "Content-Length: {}\r\nPrefer: respond-async\r\nI-Twilio-Idempotency-Token: 7f1c9a\r\n\
         Connection: keep-alive\r\n\r\n{body}",
        body.len()
    )));

    // Validated for the endpoint's dialect before a byte is written.
    let bad = Create::new("+15005550006", "+15005550001").label(CA);
    let mut sink = confpart::wire::sink::SliceSink::new(&mut buf);
    let e = req(Operation::create(bad.into()), Connection::KeepAlive)
        .encode(&mut sink)
        .unwrap_err();
    assert!(matches!(
        e,
        ClientError::InvalidCreate(confpart::api::create::ValidationError::Label(_))
    ));
    assert_eq!(sink.len(), 0);
    let coaching = Create::new("a", "b").coaching(true);
    assert_eq!(
        req(Operation::create(coaching.into()), Connection::KeepAlive).encoded_len(),
        Err(ClientError::InvalidCreate(
            confpart::api::create::ValidationError::CoachingWithoutTarget
        ))
    );

    // A header the request writes itself, or one with CR/LF, is refused.
    let smuggle = [HeaderField::new("Prefer", "x\r\nHost: evil")];
    let e = req(
        Operation::create(Create::new("a", "b").into()),
        Connection::KeepAlive,
    )
    .with_headers(&smuggle)
    .encoded_len();
    assert_eq!(e, Err(ClientError::InvalidHeader { index: 0 }));
}

#[test]
fn signalwire_host_and_laml_path() {
    let who = ParticipantRef::Call(CallSid::parse(UUID).unwrap());
    for (endpoint, prefix) in [
        (
            Endpoint::signalwire("example").unwrap().laml(),
            "/api/laml/2010-04-01",
        ),
        (Endpoint::signalwire("example").unwrap(), "/2010-04-01"),
    ] {
        let req = Request::new(
            endpoint,
            Credentials::new(UUID, "PTxxxx").unwrap(),
            AccountSid::parse(UUID).unwrap(),
            ConferenceSid::parse(UUID).unwrap(),
            Operation::fetch(&who),
        );
        let mut buf = [0u8; 1024];
        let n = req.encode_to_slice(&mut buf).unwrap();
        let text = std::str::from_utf8(&buf[..n]).unwrap();
        assert!(text.starts_with(&format!("GET {prefix}/Accounts/9d3d58a8-")));
        assert!(text.contains("\r\nHost: example.signalwire.com\r\n"));
    }
    assert_eq!(
        Endpoint::signalwire("ex ample"),
        Err(PathError::InvalidHost { offset: 2 })
    );
    assert_eq!(
        Endpoint::custom(Dialect::Twilio, "a\r\nX: y", PathStyle::Twilio),
        Err(PathError::InvalidHost { offset: 1 })
    );
}

#[test]
fn endpoint_dialect_validates_the_update() {
    let uuid_who = ParticipantRef::Call(CallSid::parse(UUID).unwrap());
    let sw = |op| {
        Request::new(
            Endpoint::signalwire("example").unwrap(),
            Credentials::new(UUID, "PTxxxx").unwrap(),
            AccountSid::parse(UUID).unwrap(),
            ConferenceSid::parse(UUID).unwrap(),
            op,
        )
    };
    let mut buf = [0u8; 1024];
    for (update, field) in [
        (Update::new().beep_on_exit(true), Field::BeepOnExit),
        (
            Update::mute().end_conference_on_exit(true),
            Field::EndConferenceOnExit,
        ),
    ] {
        let r = sw(Operation::update(&uuid_who, update));
        assert_eq!(
            r.encode_to_slice(&mut buf),
            Err(ClientError::Invalid(ValidationError::TwilioOnlyField {
                field
            }))
        );
        assert_eq!(
            r.encoded_len(),
            Err(ClientError::Invalid(ValidationError::TwilioOnlyField {
                field
            }))
        );
        // The same update is fine for Twilio.
        let who = ParticipantRef::parse(CA).unwrap();
        assert!(
            req(Operation::update(&who, update), Connection::Close)
                .encode_to_slice(&mut buf)
                .is_ok()
        );
    }
    // A Twilio-form SID to coach, sent to SignalWire.
    let coach = Update::coach(CallSid::parse(CB).unwrap());
    assert_eq!(
        sw(Operation::update(&uuid_who, coach)).encode_to_slice(&mut buf),
        Err(ClientError::Invalid(ValidationError::SidForm {
            field: Field::CallSidToCoach
        }))
    );
    // A custom endpoint validates for its dialect.
    let local = Endpoint::custom(Dialect::SignalWire, "127.0.0.1:8080", PathStyle::Laml).unwrap();
    let r = Request {
        endpoint: local,
        ..sw(Operation::update(
            &uuid_who,
            Update::new().beep_on_exit(false),
        ))
    };
    assert!(matches!(
        r.encode_to_slice(&mut buf),
        Err(ClientError::Invalid(_))
    ));
    assert_eq!(r.operation_kind(), OperationKind::Update);
    // Coaching without a target is invalid everywhere.
    let who = ParticipantRef::parse(CA).unwrap();
    assert_eq!(
        req(
            Operation::update(&who, Update::new().coaching(true)),
            Connection::Close
        )
        .encode_to_slice(&mut buf),
        Err(ClientError::Invalid(ValidationError::CoachingWithoutTarget))
    );
}

#[test]
fn extra_request_headers() {
    let who = ParticipantRef::parse(CA).unwrap();
    let headers = [
        HeaderField::new("I-Twilio-Idempotency-Token", "abc-123"),
        HeaderField::new("Prefer", "respond-async"),
    ];
    let r = req(Operation::update(&who, Update::mute()), Connection::Close).with_headers(&headers);
    let mut buf = [0u8; 1024];
    let n = r.encode_to_slice(&mut buf).unwrap();
    assert_eq!(r.encoded_len().unwrap(), n);
    let text = std::str::from_utf8(&buf[..n]).unwrap();
    assert!(text.contains(
        "Content-Length: 10\r\nI-Twilio-Idempotency-Token: abc-123\r\nPrefer: respond-async\r\nConnection: close\r\n\r\nMuted=true"
    ));
    for bad in [
        HeaderField::new("X", "a\r\nInjected: 1"),
        HeaderField::new("X Y", "a"),
        HeaderField::new("", "a"),
        HeaderField::new("Host", "evil"),
        HeaderField::new("authorization", "Basic x"),
        HeaderField::new("Content-Length", "1"),
    ] {
        let headers = [HeaderField::new("Ok", "1"), bad];
        let r = req(Operation::fetch(&who), Connection::Close).with_headers(&headers);
        let mut buf = [0u8; 1024];
        assert_eq!(
            r.encode_to_slice(&mut buf),
            Err(ClientError::InvalidHeader { index: 1 })
        );
        assert!(buf.iter().all(|&b| b == 0), "nothing written");
    }
}

#[test]
fn request_errors() {
    let who = ParticipantRef::parse(CA).unwrap();
    let creds = Credentials::new(AC, "t").unwrap();
    let mk = |operation| {
        Request::new(
            Endpoint::twilio(),
            creds,
            AccountSid::parse(AC).unwrap(),
            ConferenceSid::parse(CF).unwrap(),
            operation,
        )
    };
    let mut buf = [0u8; 2048];
    for size in [0, 1001] {
        let q = ListQuery {
            page_size: Some(size),
            ..ListQuery::new()
        };
        assert_eq!(
            mk(Operation::list(q)).encode_to_slice(&mut buf),
            Err(ClientError::Query(QueryError::PageSize { offset: 0 }))
        );
    }
    let long = "x".repeat(300);
    let q = ListQuery {
        page_token: Some(&long),
        ..ListQuery::new()
    };
    assert_eq!(
        mk(Operation::list(q)).encode_to_slice(&mut buf),
        Err(ClientError::Query(QueryError::PageToken { offset: 0 }))
    );
    assert!(matches!(
        mk(Operation::fetch(&who)).encode_to_slice(&mut buf[..50]),
        Err(ClientError::Write(WriteError::BufferFull { .. }))
    ));
    assert_eq!(
        Credentials::new("a\r\nb", "x"),
        Err(ClientError::Username { offset: 1 })
    );
    assert_eq!(
        Credentials::new("a", "x\ny"),
        Err(ClientError::Password { offset: 1 })
    );
    // The password is not shown in debug output.
    assert!(!format!("{creds:?}").contains("\"t\""));
}

#[test]
fn client_error_conversions_and_sources() {
    use std::error::Error as _;
    let cases: Vec<ClientError> = vec![
        WriteError::WriteZero.into(),
        HttpError::BareLf { offset: 3 }.into(),
        ValidationError::CoachingWithoutTarget.into(),
        AccountSid::parse("nope").unwrap_err().into(),
        PathError::Prefix.into(),
        QueryError::Page { offset: 1 }.into(),
        Participant::decode(b"[").unwrap_err().into(),
    ];
    for e in &cases {
        assert!(e.source().is_some(), "{e:?}");
        assert!(!e.to_string().is_empty());
    }
    assert!(matches!(
        cases[1],
        ClientError::Http(HttpError::BareLf { offset: 3 })
    ));
    assert!(ClientError::Username { offset: 0 }.source().is_none());
}

#[test]
fn request_into_embedded_io_writer() {
    let who = ParticipantRef::parse(CA).unwrap();
    let req = Request {
        endpoint: Endpoint::custom(Dialect::Twilio, "127.0.0.1:8080", PathStyle::Twilio).unwrap(),
        ..req(
            Operation::update(
                &who,
                Update::hold_with_music("https://m.example/a+b.mp3?x=1&y"),
            ),
            Connection::KeepAlive,
        )
    };
    let mut out = [0u8; 1024];
    let n = req.encoded_len().unwrap();
    {
        let mut sink = IoSink(&mut out[..]);
        req.encode(&mut sink).unwrap();
    }
    let mut expected = [0u8; 1024];
    assert_eq!(req.encode_to_slice(&mut expected).unwrap(), n);
    assert_eq!(&out[..n], &expected[..n]);
    assert!(
        std::str::from_utf8(&out[..n])
            .unwrap()
            .ends_with("Hold=true&HoldUrl=https%3A%2F%2Fm.example%2Fa%2Bb.mp3%3Fx%3D1%26y")
    );
}

#[test]
fn basic_auth_long_credentials_stream_correctly() {
    // Longer than the 48-byte internal chunk, and not a multiple of 3.
    for len in [0, 1, 2, 3, 46, 47, 48, 49, 100, 200] {
        let token = "k".repeat(len);
        let c = Credentials::new(AC, &token).unwrap();
        let mut buf = [0u8; 512];
        let mut sink = confpart::wire::sink::SliceSink::new(&mut buf);
        c.write_basic(&mut sink).unwrap();
        let written = sink.written();
        assert!(written.starts_with(b"Basic "));
        // Check by decoding on the bridge side.
        confpart::bridge::check_basic(Some(written), AC, &token).unwrap();
    }
}

/// Feeds `msg` in every split and runs `check` on each complete reader.
fn with_every_split(msg: &[u8], kind: OperationKind, mut check: impl FnMut(&ResponseReader<'_>)) {
    for_every_split(msg, |pieces| {
        let mut buf = vec![0u8; 8192];
        let mut r = ResponseReader::new(&mut buf, kind);
        let (consumed, complete) = feed_pieces(&mut r, pieces).unwrap();
        assert!(complete);
        assert_eq!(consumed, msg.len());
        check(&r);
    });
}

fn decoded(fixture: &[u8]) -> Participant<'_> {
    Participant::decode(fixture).unwrap()
}

#[test]
fn fixtures_in_twilio_responses_every_split() {
    for chunked in [false, true] {
        for (fixture, kind) in [(MUTE, OperationKind::Update), (HOLD, OperationKind::Fetch)] {
            let msg = twilio_response("HTTP/1.1 200 OK", fixture, chunked);
            let want = decoded(fixture);
            with_every_split(&msg, kind, |r| {
                let head = r.msg().unwrap();
                assert_eq!(head.status(), 200);
                assert_eq!(head.chunked(), chunked);
                assert_eq!(
                    head.request_id(),
                    Some(&b"RQ0123456789abcdef0123456789abcdef"[..])
                );
                assert!(head.keep_alive());
                assert_eq!(r.msg().unwrap().header("x-home-region"), Some(&b"us1"[..]));
                assert_eq!(r.body().unwrap(), fixture);
                assert_eq!(
                    r.msg().unwrap().outcome().unwrap(),
                    Outcome::Participant(want)
                );
                assert_eq!(r.msg().unwrap().participant().unwrap(), want);
            });
        }
        let msg = twilio_response("HTTP/1.1 201 Created", CREATE, chunked);
        with_every_split(&msg, OperationKind::Create, |r| {
            match r.msg().unwrap().outcome().unwrap() {
                Outcome::Created(p) => {
                    assert_eq!(p.status(), Some(Status::Queued));
                    assert!(p.queue_time().is_some_and(|q| q.eq_str("1000")));
                }
                other => panic!("{other:?}"),
            }
        });
        for list in [LIST, LIST_EMPTY] {
            let msg = twilio_response("HTTP/1.1 200 OK", list, chunked);
            with_every_split(&msg, OperationKind::List, |r| {
                assert_eq!(r.msg().unwrap().outcome().unwrap(), Outcome::Page(list));
            });
        }
    }
}

#[test]
fn error_fixtures() {
    for chunked in [false, true] {
        let msg = twilio_response("HTTP/1.1 404 Not Found", E20404, chunked);
        with_every_split(&msg, OperationKind::Update, |r| {
            match r.msg().unwrap().outcome().unwrap() {
                Outcome::Failure(f) => {
                    assert_eq!(f.status, 404);
                    let e = f.error.unwrap();
                    assert_eq!(
                        (e.code, e.status, e.shape),
                        (Some(20404), Some(404), ErrorShape::Twilio)
                    );
                    assert_eq!(f.retry_after, None);
                }
                other => panic!("{other:?}"),
            }
        });
        let msg = twilio_response("HTTP/1.1 401 Unauthorized", E20003, chunked);
        let mut buf = vec![0u8; 4096];
        let mut r = ResponseReader::new(&mut buf, OperationKind::Update);
        assert!(r.fed(&msg).unwrap().complete);
        let Outcome::Failure(f) = r.msg().unwrap().outcome().unwrap() else {
            panic!()
        };
        assert_eq!(f.error.unwrap().code, Some(20003));
    }
}

#[test]
fn signalwire_error_shapes() {
    let body = br#"{"errors":[{"code":"10000","message":"Conference completed","more_info":"x"}]}"#;
    let msg = twilio_response("HTTP/1.1 400 Bad Request", body, false);
    let mut buf = vec![0u8; 4096];
    let mut r = ResponseReader::new(&mut buf, OperationKind::Update);
    r.fed(&msg).unwrap();
    let Outcome::Failure(f) = r.msg().unwrap().outcome().unwrap() else {
        panic!()
    };
    let e = f.error.unwrap();
    assert_eq!(
        (e.code, e.shape),
        (Some(10000), ErrorShape::SignalWireCoded)
    );

    let body = br#"{"errors":["Invalid HoldUrl"]}"#;
    let msg = twilio_response("HTTP/1.1 422 Unprocessable Entity", body, true);
    let mut buf = vec![0u8; 4096];
    let mut r = ResponseReader::new(&mut buf, OperationKind::Update);
    r.fed(&msg).unwrap();
    let Outcome::Failure(f) = r.msg().unwrap().outcome().unwrap() else {
        panic!()
    };
    assert_eq!(f.status, 422);
    assert_eq!(f.error.unwrap().shape, ErrorShape::SignalWireMessages);
}

#[test]
fn retry_after_on_429_and_503() {
    let body = br#"{"code": 20429, "message": "Too Many Requests", "more_info": "https://www.twilio.com/docs/errors/20429", "status": 429}"#;
    let cases: [(&str, &str, Option<RetryAfter>); 5] = [
        (
            "429 Too Many Requests",
            "Retry-After: 2\r\n",
            Some(RetryAfter::Seconds(2)),
        ),
        (
            "503 Service Unavailable",
            "Retry-After: Sun, 06 Nov 1994 08:49:37 GMT\r\n",
            Some(RetryAfter::At(
                Timestamp::parse(b"Sun, 06 Nov 1994 08:49:37 GMT").unwrap(),
            )),
        ),
        (
            "429 Too Many Requests",
            "Retry-After: 99999999999999999999999\r\n",
            Some(RetryAfter::Seconds(u32::MAX)),
        ),
        ("429 Too Many Requests", "Retry-After: soon\r\n", None),
        ("500 Internal Server Error", "Retry-After: 5\r\n", None),
    ];
    for (status, header, want) in cases {
        let msg = format!(
            "HTTP/1.1 {status}\r\nContent-Type: application/json\r\n{header}Content-Length: {}\r\n\r\n",
            body.len()
        );
        let mut msg = msg.into_bytes();
        msg.extend_from_slice(body);
        let mut buf = vec![0u8; 4096];
        let mut r = ResponseReader::new(&mut buf, OperationKind::Update);
        assert!(r.fed(&msg).unwrap().complete);
        let Outcome::Failure(f) = r.msg().unwrap().outcome().unwrap() else {
            panic!()
        };
        assert_eq!(f.retry_after, want, "{status} {header}");
        assert_eq!(f.error.unwrap().code, Some(20429));
        let m = r.msg().unwrap();
        assert_eq!(
            m.participant(),
            Err(ClientError::Service {
                status: m.status(),
                code: Some(20429),
                retry_after: want
            })
        );
    }
}

#[test]
fn delete_204_and_non_json_error_pages() {
    let msg =
        b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\nTwilio-Request-Id: RQ1\r\n\r\nHTTP/1.1 ";
    let mut buf = [0u8; 512];
    let mut r = ResponseReader::new(&mut buf, OperationKind::Delete);
    let p = r.fed(msg).unwrap();
    assert!(p.complete);
    assert_eq!(&msg[p.consumed..], b"HTTP/1.1 ");
    assert_eq!(r.msg().unwrap().outcome().unwrap(), Outcome::Deleted);
    assert_eq!(r.msg().unwrap().request_id(), Some(&b"RQ1"[..]));
    let mut buf = [0u8; 512];
    let mut r = ResponseReader::new(&mut buf, OperationKind::Update);
    r.fed(msg).unwrap();
    assert_eq!(
        r.msg().unwrap().outcome(),
        Err(ClientError::UnexpectedStatus {
            status: 204,
            operation: OperationKind::Update
        })
    );

    let msg =
        b"HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/html\r\nContent-Length: 6\r\n\r\n<html>";
    let mut buf = [0u8; 512];
    let mut r = ResponseReader::new(&mut buf, OperationKind::Update);
    r.fed(msg).unwrap();
    assert_eq!(
        r.msg().unwrap().outcome().unwrap(),
        Outcome::Failure(confpart::client::Failure {
            status: 502,
            error: None,
            retry_after: None
        })
    );
}

#[test]
fn outcome_errors() {
    let mut buf = [0u8; 512];
    let mut r = ResponseReader::new(&mut buf, OperationKind::Fetch);
    r.fed(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n{}")
        .unwrap();
    assert_eq!(r.body(), None);
    assert!(r.msg().is_none(), "no message before the body is complete");

    let mut buf = [0u8; 512];
    let mut r = ResponseReader::new(&mut buf, OperationKind::Fetch);
    r.fed(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\n{}")
        .unwrap();
    assert_eq!(
        r.msg().unwrap().outcome(),
        Err(ClientError::ContentType { status: 200 })
    );

    let mut buf = [0u8; 512];
    let mut r = ResponseReader::new(&mut buf, OperationKind::Fetch);
    r.fed(b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n{x}")
        .unwrap();
    assert!(matches!(
        r.msg().unwrap().outcome(),
        Err(ClientError::Body { status: 200, .. })
    ));

    let mut buf = [0u8; 512];
    let mut r = ResponseReader::new(&mut buf, OperationKind::Fetch);
    r.fed(b"HTTP/1.1 302 Found\r\nLocation: /x\r\nContent-Length: 0\r\n\r\n")
        .unwrap();
    assert_eq!(
        r.msg().unwrap().outcome(),
        Err(ClientError::UnexpectedStatus {
            status: 302,
            operation: OperationKind::Fetch
        })
    );
}

#[test]
fn interim_100_continue_is_skipped() {
    let msg = b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n";
    for_every_split(msg, |pieces| {
        let mut buf = [0u8; 256];
        let mut r = ResponseReader::new(&mut buf, OperationKind::Update);
        let (n, complete) = feed_pieces(&mut r, pieces).unwrap();
        assert!(complete);
        assert_eq!(n, msg.len());
        assert_eq!(r.msg().unwrap().status(), 204);
    });
}

#[test]
fn body_until_close_and_http10() {
    let msg = b"HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n{\"call_sid\":\"CAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\",\"muted\":true}";
    let mut buf = [0u8; 256];
    let mut r = ResponseReader::new(&mut buf, OperationKind::Fetch);
    let p = r.fed(msg).unwrap();
    assert!(!p.complete);
    assert_eq!(p.consumed, msg.len());
    assert!(r.msg().is_none());
    assert!(
        !r.finish().unwrap().keep_alive(),
        "the body ended with the close"
    );
    assert!(r.is_complete());
    assert!(matches!(
        r.msg().unwrap().outcome().unwrap(),
        Outcome::Participant(p) if p.muted() == Some(true)
    ));
    // HTTP/1.0 keep-alive must be asked for; 1.1 `close` turns it off.
    let mut buf = [0u8; 256];
    let mut r = ResponseReader::new(&mut buf, OperationKind::Fetch);
    r.fed(b"HTTP/1.0 204 No Content\r\nConnection: Keep-Alive\r\n\r\n")
        .unwrap();
    assert!(r.msg().unwrap().keep_alive());
    let mut buf = [0u8; 256];
    let mut r = ResponseReader::new(&mut buf, OperationKind::Fetch);
    r.fed(b"HTTP/1.1 204 No Content\r\nConnection: upgrade, close\r\n\r\n")
        .unwrap();
    assert!(!r.msg().unwrap().keep_alive());
}

#[test]
fn keep_alive_reuse_with_reset() {
    let one = twilio_response("HTTP/1.1 200 OK", MUTE, true);
    let two = twilio_response("HTTP/1.1 200 OK", HOLD, false);
    let mut stream = one.clone();
    stream.extend_from_slice(&two);
    let mut buf = vec![0u8; 8192];
    let mut r = ResponseReader::new(&mut buf, OperationKind::Update);
    let p = r.fed(&stream).unwrap();
    assert!(p.complete);
    assert_eq!(p.consumed, one.len());
    assert_eq!(r.body().unwrap(), MUTE);
    r.reset();
    let p = r.fed(&stream[one.len()..]).unwrap();
    assert!(p.complete);
    assert_eq!(r.body().unwrap(), HOLD);
}

fn response_error(msg: &[u8], buf_len: usize) -> HttpError {
    let mut buf = vec![0u8; buf_len];
    let mut r = ResponseReader::new(&mut buf, OperationKind::Update);
    let e = r.fed(msg).unwrap_err();
    // The reader stays failed.
    assert_eq!(r.fed(b"more"), Err(e));
    e
}

#[test]
fn response_framing_errors() {
    assert_eq!(
        response_error(b"HTTP/1.1 200 OK\nContent-Length: 0\n\n", 256),
        HttpError::BareLf { offset: 15 }
    );
    assert_eq!(
        response_error(b"HTTP/1.1 200 OK\r\nA: b\rC: d\r\n\r\n", 256),
        HttpError::BareCr { offset: 21 }
    );
    assert_eq!(
        response_error(b"HTTP/1.1 200 OK\r\nA: b\r\n  folded\r\n\r\n", 256),
        HttpError::ObsFold { offset: 23 }
    );
    assert_eq!(
        response_error(b"HTTP/1.1 200 OK\r\nContent-Length : 0\r\n\r\n", 256),
        HttpError::InvalidHeaderName { offset: 17 }
    );
    assert_eq!(
        response_error(b"HTTP/1.1 200 OK\r\nA: 1\r\nB: x\0y\r\n\r\n", 256),
        HttpError::InvalidHeaderValue { offset: 23 }
    );
    assert_eq!(
        response_error(b"HTTP/1.1 2000 OK\r\n\r\n", 256),
        HttpError::InvalidStartLine
    );
    assert_eq!(
        response_error(b"HTTP/2.0 200 OK\r\n\r\n", 256),
        HttpError::InvalidStartLine
    );
    assert_eq!(
        response_error(
            b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\n{}",
            256
        ),
        HttpError::DuplicateHeader {
            name: "Content-Length",
            offset: 52
        }
    );
    assert_eq!(
        response_error(
            b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n",
            256
        ),
        HttpError::ContentLengthWithChunked { offset: 55 }
    );
    for bad in ["+5", "5 5", "0x5", "-1", "5,5", "", "99999999999999999999"] {
        let msg = format!("HTTP/1.1 200 OK\r\nContent-Length: {bad}\r\n\r\n");
        assert_eq!(
            response_error(msg.as_bytes(), 256),
            HttpError::InvalidContentLength { offset: 33 },
            "{bad:?}"
        );
    }
    for bad in [
        "gzip",
        "gzip, chunked",
        "chunked, chunked",
        "identity",
        "chunkedx",
    ] {
        let msg = format!("HTTP/1.1 200 OK\r\nTransfer-Encoding: {bad}\r\n\r\n");
        assert_eq!(
            response_error(msg.as_bytes(), 256),
            HttpError::UnsupportedTransferEncoding { offset: 36 },
            "{bad:?}"
        );
    }
    assert_eq!(
        response_error(
            b"HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
            256
        ),
        HttpError::UnsupportedTransferEncoding { offset: 36 }
    );
    assert_eq!(
        response_error(
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
            256
        ),
        HttpError::DuplicateHeader {
            name: "Transfer-Encoding",
            offset: 64
        }
    );
    assert_eq!(
        response_error(b"HTTP/1.1 200 OK\r\nContent-Length: 300\r\n\r\n", 256),
        HttpError::BodyTooLarge {
            declared: Some(300),
            capacity: 256 - 40
        }
    );
    assert_eq!(
        response_error(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n", 30),
        HttpError::HeadTooLarge { limit: 30 }
    );
}

#[test]
fn chunk_errors() {
    let head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
    let at = head.len();
    let cases: Vec<(String, HttpError)> = vec![
        (
            format!("{head}-5\r\n"),
            HttpError::InvalidChunkSize { offset: at },
        ),
        (
            format!("{head}0x5\r\n"),
            HttpError::InvalidChunkSize { offset: at + 1 },
        ),
        (
            format!("{head}+5\r\n"),
            HttpError::InvalidChunkSize { offset: at },
        ),
        (
            format!("{head}{}\r\n", "f".repeat(17)),
            HttpError::ChunkSizeOverflow { offset: at + 16 },
        ),
        (
            format!("{head}3\r\nabcd"),
            HttpError::InvalidChunkData { offset: at + 6 },
        ),
        (
            format!("{head}3\nabc"),
            HttpError::BareLf { offset: at + 1 },
        ),
        (
            format!("{head}3\r\nabc\r\n0\r\n\n"),
            HttpError::BareLf { offset: at + 11 },
        ),
        (
            format!("{head}3 x\r\n"),
            HttpError::InvalidChunkSize { offset: at + 2 },
        ),
        (
            format!("{head}3;a\0\r\n"),
            HttpError::InvalidChunkSize { offset: at + 3 },
        ),
        (
            format!("{head}3;{}\r\n", "e".repeat(2000)),
            HttpError::ChunkLineTooLong {
                offset: at,
                limit: body::MAX_CHUNK_LINE_LEN,
            },
        ),
        (
            format!("{head}0\r\n{}", "X-T: aaaaaaaaaa\r\n".repeat(300)),
            HttpError::TrailerTooLarge {
                limit: body::MAX_TRAILER_LEN,
            },
        ),
        (
            format!("{head}0\r\nX: y\r\n folded\r\n"),
            HttpError::ObsFold { offset: at + 9 },
        ),
    ];
    for (msg, want) in cases {
        assert_eq!(response_error(msg.as_bytes(), 8192), want, "{msg:?}");
    }
    // Chunked body larger than the buffer.
    let msg = format!("{head}100\r\n{}", "a".repeat(256));
    assert_eq!(
        response_error(msg.as_bytes(), 300),
        HttpError::BodyTooLarge {
            declared: None,
            capacity: 300 - at
        }
    );
}

#[test]
fn truncated_responses_fail_on_finish() {
    let full = twilio_response("HTTP/1.1 200 OK", MUTE, false);
    let head_len = full.len() - MUTE.len();
    for cut in [0, 1, 10, head_len - 1] {
        let mut buf = vec![0u8; 4096];
        let mut r = ResponseReader::new(&mut buf, OperationKind::Update);
        assert!(!r.fed(&full[..cut]).unwrap().complete);
        assert_eq!(
            r.finish().map(|_| ()),
            Err(HttpError::EofInHead { received: cut })
        );
    }
    let mut buf = vec![0u8; 4096];
    let mut r = ResponseReader::new(&mut buf, OperationKind::Update);
    r.fed(&full[..head_len + 7]).unwrap();
    assert_eq!(
        r.finish().map(|_| ()),
        Err(HttpError::EofInBody {
            received: 7,
            expected: Some(MUTE.len() as u64)
        })
    );
    assert!(r.msg().is_none());

    let full = twilio_response("HTTP/1.1 200 OK", MUTE, true);
    let mut buf = vec![0u8; 4096];
    let mut r = ResponseReader::new(&mut buf, OperationKind::Update);
    r.fed(&full[..full.len() - 2]).unwrap();
    assert_eq!(
        r.finish().map(|_| ()),
        Err(HttpError::EofInBody {
            received: MUTE.len(),
            expected: None
        })
    );
}

#[test]
fn head_limits() {
    // Start line too long.
    let msg = format!(
        "HTTP/1.1 200 {}\r\n\r\n",
        "O".repeat(head::MAX_START_LINE_LEN)
    );
    assert_eq!(
        response_error(msg.as_bytes(), 32 * 1024),
        HttpError::StartLineTooLong {
            limit: head::MAX_START_LINE_LEN
        }
    );
    // Header line too long.
    let msg = format!(
        "HTTP/1.1 200 OK\r\nX: {}\r\n\r\n",
        "a".repeat(head::MAX_HEADER_LINE_LEN)
    );
    assert_eq!(
        response_error(msg.as_bytes(), 32 * 1024),
        HttpError::HeaderLineTooLong {
            offset: 17,
            limit: head::MAX_HEADER_LINE_LEN
        }
    );
    // Exactly MAX_HEADERS is fine, one more is not.
    let ok: String = (0..head::MAX_HEADERS)
        .map(|i| format!("X-{i}: v\r\n"))
        .collect();
    let mut buf = vec![0u8; 4096];
    let mut r = ResponseReader::new(&mut buf, OperationKind::Update);
    assert!(
        r.fed(format!("HTTP/1.1 204 No Content\r\n{ok}\r\n").as_bytes())
            .unwrap()
            .complete
    );
    assert_eq!(
        response_error(
            format!("HTTP/1.1 204 No Content\r\n{ok}X-last: v\r\n\r\n").as_bytes(),
            4096
        ),
        HttpError::TooManyHeaders {
            limit: head::MAX_HEADERS
        }
    );
    // Whole head over MAX_HEAD_LEN even with a big buffer.
    let big: String = (0..6)
        .map(|i| format!("X-{i}: {}\r\n", "v".repeat(3000)))
        .collect();
    assert_eq!(
        response_error(
            format!("HTTP/1.1 204 No Content\r\n{big}\r\n").as_bytes(),
            64 * 1024
        ),
        HttpError::HeadTooLarge {
            limit: head::MAX_HEAD_LEN
        }
    );
    // Body over MAX_BODY_LEN even with a big buffer.
    let n = body::MAX_BODY_LEN + 1;
    assert_eq!(
        response_error(
            format!("HTTP/1.1 200 OK\r\nContent-Length: {n}\r\n\r\n").as_bytes(),
            2 * 1024 * 1024
        ),
        HttpError::BodyTooLarge {
            declared: Some(n as u64),
            capacity: body::MAX_BODY_LEN
        }
    );
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(data in proptest::collection::vec(any::<u8>(), 0..600), cut in 0usize..600, size in 16usize..1024) {
        let mut buf = vec![0u8; size];
        let mut r = ResponseReader::new(&mut buf, OperationKind::Fetch);
        let cut = cut.min(data.len());
        let mut total = 0;
        for piece in [&data[..cut], &data[cut..]] {
            match r.fed(piece) {
                Ok(p) => {
                    prop_assert!(p.consumed <= piece.len());
                    total += p.consumed;
                    if p.complete {
                        prop_assert!(r.body().is_some());
                        let _ = r.msg().unwrap().outcome();
                        let _ = r.msg().unwrap().participant();
                        break;
                    }
                }
                Err(_) => break,
            }
        }
        prop_assert!(total <= data.len());
        let _ = r.finish().map(|_| ());
        let _ = r.msg();
    }

    #[test]
    fn arbitrary_bytes_after_valid_head(tail in proptest::collection::vec(any::<u8>(), 0..400), chunked in any::<bool>()) {
        let mut msg = if chunked {
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec()
        } else {
            b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n".to_vec()
        };
        msg.extend_from_slice(&tail);
        let mut buf = vec![0u8; 512];
        let mut r = ResponseReader::new(&mut buf, OperationKind::Fetch);
        for b in msg.chunks(3) {
            match r.fed(b) {
                Ok(p) if p.complete => break,
                Ok(_) => {}
                Err(_) => break,
            }
        }
        if let Some(m) = r.msg() {
            let _ = m.outcome();
        }
    }

    #[test]
    fn random_fragmentation_of_real_responses(sizes in proptest::collection::vec(1usize..64, 1..200), chunked in any::<bool>(), which in 0usize..4) {
        let fixture = [MUTE, HOLD, CREATE, LIST][which];
        let msg = twilio_response("HTTP/1.1 200 OK", fixture, chunked);
        let mut pieces = Vec::new();
        let mut at = 0;
        for s in sizes.iter().cycle() {
            if at >= msg.len() { break; }
            let end = (at + s).min(msg.len());
            pieces.push(&msg[at..end]);
            at = end;
        }
        let mut buf = vec![0u8; 8192];
        let mut r = ResponseReader::new(&mut buf, OperationKind::Update);
        let (n, complete) = feed_pieces(&mut r, &pieces).unwrap();
        prop_assert!(complete);
        prop_assert_eq!(n, msg.len());
        prop_assert_eq!(r.body().unwrap(), fixture);
    }
}
