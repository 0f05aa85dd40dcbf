//! Client side in the Telnyx dialect: the request bytes of every operation
//! (Bearer key, `/v2/texml` paths without `.json`, form bodies), the
//! validation refusals before anything is sent, the key never printed, and
//! Telnyx's answers read through the client (error codes as strings, 204
//! to delete, paging by `next_page_uri`).
mod http_support;

use confpart::api::create::{self, CallEvent, CallEvents, Create, TELNYX_TIMEOUT_MAX};
use confpart::api::fields::Method;
use confpart::api::operation::OperationKind;
use confpart::api::path::{Dialect, Endpoint, PathStyle};
use confpart::api::query::{ListQuery, QueryError};
use confpart::api::retry::{Attempt, RetryPolicy};
use confpart::api::update::{CoachTarget, Field, Update, ValidationError};
use confpart::client::{ClientError, Credentials, Operation, Outcome, Request};
use confpart::wire::http::{Connection, Progress};
use confpart::wire::ident::{AccountSid, CallSid, ConferenceSid, ParticipantRef};
use http_support::UUID;

const ACCOUNT: &str = "2f5a4b3c-1d2e-4f60-8a9b-0c1d2e3f4a5b";
const CONFERENCE: &str = "8e7d6c5b-4a39-4281-9f0e-d1c2b3a4f5e6";
/// A call-control id as Telnyx gives them (`v3:` + base64url).
const CALL: &str = "v3:9X2vxPDFY2RHSJ1EdMS0RHRksMTg3ZBtGQ-aiQ";
const COACHED: &str = "v3:AAAAbbbbCCCCddddEEEEffff0123456789_-xyzw";
const KEY: &str = "KEY0184F1C3A2B64C2E9F0B8E1234567890_AbCdEfGhIjKlMnOp";

fn ua() -> String {
    format!(
        "confpart/{} ({}-{})",
        env!("CARGO_PKG_VERSION"),
        std::env::consts::ARCH,
        std::env::consts::OS
    )
}

fn request(op: Operation<'_>) -> Request<'_> {
    Request::new(
        Endpoint::telnyx(),
        Credentials::bearer(KEY).unwrap(),
        AccountSid::parse(ACCOUNT).unwrap(),
        ConferenceSid::parse(CONFERENCE).unwrap(),
        op,
    )
    .with_connection(Connection::Close)
}

fn write(op: Operation<'_>) -> String {
    let req = request(op);
    let mut buf = vec![0u8; 8192];
    let n = req.encode_to_slice(&mut buf).unwrap();
    assert_eq!(req.encoded_len().unwrap(), n);
    String::from_utf8(buf[..n].to_vec()).unwrap()
}

fn head(method: &str, path: &str) -> String {
    format!(
        "{method} /v2/texml/Accounts/{ACCOUNT}/Conferences/{CONFERENCE}/Participants{path} HTTP/1.1\r\n\
         Host: api.telnyx.com\r\nAuthorization: Bearer {KEY}\r\nUser-Agent: {}\r\nAccept: application/json\r\n",
        ua()
    )
}

fn with_form(head: String, body: &str) -> String {
    format!(
        "{head}Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n{body}",
        body.len()
    )
}

fn bare(head: String) -> String {
    format!("{head}Connection: close\r\n\r\n")
}

#[test]
fn every_operation_as_telnyx_receives_it() {
    let call = ParticipantRef::parse(CALL).unwrap();
    let coached = CallSid::parse(COACHED).unwrap();
    // Update: POST, the call-control id's `:` as is (as both SDKs send it).
    assert_eq!(
        write(Operation::update(&call, Update::monitor(coached))),
        with_form(
            head("POST", &format!("/{CALL}")),
            &format!("Muted=true&Coaching=true&CallSidToCoach={COACHED}")
        )
    );
    assert_eq!(
        write(Operation::update(
            &call,
            Update::hold_with_music("https://music.example/hold.mp3?x=1").hold_method(Method::Get)
        )),
        with_form(
            head("POST", &format!("/{CALL}")),
            "Hold=true&HoldUrl=https%3A%2F%2Fmusic.example%2Fhold.mp3%3Fx%3D1&HoldMethod=GET"
        )
    );
    // The fields Telnyx has and SignalWire has not go out.
    assert_eq!(
        write(Operation::update(
            &call,
            Update::new()
                .beep_on_exit(false)
                .end_conference_on_exit(true)
        )),
        with_form(
            head("POST", &format!("/{CALL}")),
            "BeepOnExit=false&EndConferenceOnExit=true"
        )
    );
    // A label addresses a participant too (percent-encoded as a segment).
    let label = ParticipantRef::parse("front desk").unwrap();
    assert_eq!(
        write(Operation::update(&label, Update::mute())),
        with_form(head("POST", "/front%20desk"), "Muted=true")
    );
    assert_eq!(
        write(Operation::fetch(&call)),
        bare(head("GET", &format!("/{CALL}")))
    );
    assert_eq!(
        write(Operation::delete(&call)),
        bare(head("DELETE", &format!("/{CALL}")))
    );
    // List: no `.json`; paging as Telnyx's `next_page_uri` has it.
    assert_eq!(
        write(Operation::list(ListQuery::new())),
        bare(head("GET", ""))
    );
    let next = ListQuery {
        page: Some(1),
        page_size: Some(20),
        page_token: Some("MTY4ODY0NzA0NQ=="),
        ..ListQuery::new()
    };
    assert_eq!(
        write(Operation::list(next)),
        bare(head(
            "GET",
            "?PageSize=20&Page=1&PageToken=MTY4ODY0NzA0NQ%3D%3D"
        ))
    );
    // Create: POST on the collection; StatusCallbackEvent as one value
    // (Telnyx's string parameter, events separated by spaces).
    let events = CallEvents::EMPTY
        .with(CallEvent::Answered)
        .with(CallEvent::Completed);
    let c = Create::new("+15017122661", "sip:bob@example.com")
        .label("agent 7")
        .muted(false)
        .status_callback("https://cb.example/status")
        .status_callback_event(events)
        .timeout(TELNYX_TIMEOUT_MAX);
    assert_eq!(
        write(Operation::create(c.into())),
        with_form(
            head("POST", ""),
            "From=%2B15017122661&To=sip%3Abob%40example.com&Label=agent+7&Muted=false\
             &StatusCallback=https%3A%2F%2Fcb.example%2Fstatus&StatusCallbackEvent=answered+completed&Timeout=120"
        )
    );
    assert_eq!(Endpoint::telnyx().style(), PathStyle::Texml);
}

#[test]
fn refused_before_anything_is_sent() {
    let call = ParticipantRef::parse(CALL).unwrap();
    let refuse = |op: Operation<'_>| {
        let req = request(op);
        let e = req.encode_to_slice(&mut [0u8; 4096]).unwrap_err();
        assert_eq!(req.encoded_len().unwrap_err(), e);
        e
    };
    // WaitMethod: Telnyx's update has no such parameter.
    assert_eq!(
        refuse(Operation::update(
            &call,
            Update::new().wait_url("").wait_method(Method::Get)
        )),
        ClientError::Invalid(ValidationError::NotInDialect {
            field: Field::WaitMethod,
            dialect: Dialect::Telnyx
        })
    );
    // A Twilio call SID is no Telnyx call (a UUID or a call-control id is).
    let twilio_call = CallSid::parse(http_support::CB).unwrap();
    assert_eq!(
        refuse(Operation::update(&call, Update::coach(twilio_call))),
        ClientError::Invalid(ValidationError::SidForm {
            field: Field::CallSidToCoach
        })
    );
    let uuid_call = CallSid::parse(UUID).unwrap();
    assert!(
        request(Operation::update(&call, Update::coach(uuid_call)))
            .validate()
            .is_ok()
    );
    // Create: no WaitMethod, Timeout up to 120, coach targets of Telnyx's forms.
    let c = Create::new("a", "b");
    assert_eq!(
        refuse(Operation::create(c.wait_method(Method::Post).into())),
        ClientError::InvalidCreate(create::ValidationError::NotInDialect {
            field: create::Field::WaitMethod,
            dialect: Dialect::Telnyx
        })
    );
    assert_eq!(
        refuse(Operation::create(c.timeout(121).into())),
        ClientError::InvalidCreate(create::ValidationError::OutOfRange {
            field: create::Field::Timeout,
            value: 121,
            min: 5,
            max: 120
        })
    );
    assert!(c.timeout(121).validate(Dialect::Twilio).is_ok());
    assert_eq!(
        refuse(Operation::create(
            c.coaching(true).call_sid_to_coach(twilio_call).into()
        )),
        ClientError::InvalidCreate(create::ValidationError::SidForm {
            field: create::Field::CallSidToCoach
        })
    );
    // List filters: Telnyx's list has none.
    assert_eq!(
        refuse(Operation::list(ListQuery {
            hold: Some(true),
            ..ListQuery::new()
        })),
        ClientError::Query(QueryError::NotInDialect {
            key: "Hold",
            dialect: Dialect::Telnyx
        })
    );
    // Credentials of the other scheme.
    let basic = Request {
        credentials: Credentials::new(ACCOUNT, "token").unwrap(),
        ..request(Operation::fetch(&call))
    };
    assert_eq!(
        basic.encode_to_slice(&mut [0u8; 1024]),
        Err(ClientError::AuthScheme {
            dialect: Dialect::Telnyx
        })
    );
    let bearer_to_twilio = Request {
        endpoint: Endpoint::twilio(),
        ..request(Operation::fetch(&call))
    };
    assert_eq!(
        bearer_to_twilio.validate(),
        Err(ClientError::AuthScheme {
            dialect: Dialect::Twilio
        })
    );
    assert_eq!(
        ClientError::AuthScheme {
            dialect: Dialect::Telnyx
        }
        .to_string(),
        "telnyx takes a Bearer API key, not Basic credentials"
    );
    assert_eq!(
        ValidationError::NotInDialect {
            field: Field::WaitMethod,
            dialect: Dialect::Telnyx
        }
        .to_string(),
        "WaitMethod is not a field of the telnyx API, not sent"
    );
}

#[test]
fn the_key_is_never_printed() {
    let key = Credentials::bearer(KEY).unwrap();
    let call = ParticipantRef::parse(CALL).unwrap();
    let req = request(Operation::fetch(&call));
    for text in [
        format!("{key:?}"),
        format!("{key:#?}"),
        format!("{req:?}"),
        format!("{req:#?}"),
    ] {
        assert!(!text.contains(KEY), "{text}");
        assert!(!text.contains("KEY0184"), "{text}");
        assert!(text.contains("<redacted>"), "{text}");
    }
    // Only visible ASCII: a space, a line break or a non-ASCII byte could
    // not be one header token (and a CR LF would inject a header).
    for (bad, at) in [
        ("KEY 1", 3),
        ("KEY\r\nX-Evil: 1", 3),
        ("KEYé", 3),
        ("\tKEY", 0),
    ] {
        assert_eq!(
            Credentials::bearer(bad).err(),
            Some(ClientError::ApiKey { offset: at }),
            "{bad:?}"
        );
    }
    assert!(key.is_bearer() && key.username().is_empty());
    assert!(!Credentials::new("a", "b").unwrap().is_bearer());
}

/// A response as Telnyx's API sends one.
fn response(status: &str, body: &str) -> Vec<u8> {
    let mut out = format!("HTTP/1.1 {status}\r\nContent-Type: application/json\r\n");
    if body.is_empty() {
        out.push_str("\r\n");
    } else {
        out.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
    }
    out.into_bytes()
}

fn outcome_code(kind: OperationKind, status: &str, body: &str) -> (u16, Option<u32>) {
    let call = ParticipantRef::parse(CALL).unwrap();
    let op = match kind {
        OperationKind::Fetch => Operation::fetch(&call),
        OperationKind::Delete => Operation::delete(&call),
        _ => Operation::update(&call, Update::mute()),
    };
    let req = request(op);
    let mut buf = [0u8; 4096];
    let mut reader = req.response_reader(&mut buf);
    let bytes = response(status, body);
    let Ok(Progress::Complete(message)) = reader.feed(&bytes) else {
        panic!("incomplete")
    };
    match message.outcome().unwrap() {
        Outcome::Failure(f) => {
            // The same code reaches `participant()`'s error.
            assert_eq!(
                message.participant().unwrap_err(),
                ClientError::Service {
                    status: f.status,
                    code: f.error.as_ref().and_then(|e| e.code),
                    retry_after: None
                }
            );
            (f.status, f.error.and_then(|e| e.code))
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn telnyx_errors_reach_the_caller_with_their_code() {
    let not_found = r#"{"errors":[{"code":"10005","title":"Resource not found","detail":"The requested resource or URL could not be found.","source":{"pointer":"/"},"meta":{"url":"https://developers.telnyx.com/docs/overview/errors/10005"}}]}"#;
    assert_eq!(
        outcome_code(OperationKind::Fetch, "404 Not Found", not_found),
        (404, Some(10005))
    );
    let auth = r#"{"errors":[{"code":"10009","title":"Authentication failed","detail":"The API key is not valid."}]}"#;
    assert_eq!(
        outcome_code(OperationKind::Update, "401 Unauthorized", auth),
        (401, Some(10009))
    );
    let bad = r#"{"errors":[{"code":"10015","title":"Bad Request","detail":"Muted must be a boolean","source":{"pointer":"/Muted"}}]}"#;
    assert_eq!(
        outcome_code(OperationKind::Update, "422 Unprocessable Entity", bad),
        (422, Some(10015))
    );
    // The opt-in not-found retry treats Telnyx's 10005 as Twilio's 20404.
    let policy = RetryPolicy {
        retry_not_found: true,
        ..RetryPolicy::DEFAULT
    };
    let gone = Attempt::Status {
        status: 404,
        code: Some(10005),
        retry_after: None,
    };
    assert_eq!(policy.is_retryable(OperationKind::Fetch, &gone), Ok(()));
    let refused = Attempt::Status {
        status: 404,
        code: Some(10015),
        retry_after: None,
    };
    assert!(policy.is_retryable(OperationKind::Fetch, &refused).is_err());
}

#[test]
fn delete_answers_204() {
    let call = ParticipantRef::parse(CALL).unwrap();
    let req = request(Operation::delete(&call));
    let mut buf = [0u8; 512];
    let mut reader = req.response_reader(&mut buf);
    let Ok(Progress::Complete(message)) = reader.feed(b"HTTP/1.1 204 No Content\r\n\r\n") else {
        panic!("incomplete")
    };
    assert_eq!(message.outcome(), Ok(Outcome::Deleted));
}

#[test]
fn next_page_from_telnyx_next_page_uri() {
    let uri = format!(
        "/v2/texml/Accounts/{ACCOUNT}/Conferences/{CONFERENCE}/Participants.json?Page=1&PageSize=1&PageToken=MTY4ODY0NzA0NQ%3D%3D"
    );
    let mut scratch = [0u8; 64];
    let q = ListQuery::from_page_uri(uri.as_bytes(), &mut scratch).unwrap();
    assert_eq!(
        q,
        ListQuery {
            page: Some(1),
            page_size: Some(1),
            page_token: Some("MTY4ODY0NzA0NQ=="),
            ..ListQuery::new()
        }
    );
    // The next request carries exactly that paging, on our own path.
    assert_eq!(
        write(Operation::list(q)),
        bare(head(
            "GET",
            "?PageSize=1&Page=1&PageToken=MTY4ODY0NzA0NQ%3D%3D"
        ))
    );
    // Offsets of errors are in the URI.
    let bad = b"/x/Participants?Page=1&PageSize=0";
    assert_eq!(
        ListQuery::from_page_uri(bad, &mut scratch),
        Err(QueryError::PageSize { offset: 32 })
    );
    // A fragment is not part of the query; no query is an empty one.
    assert_eq!(
        ListQuery::from_page_uri(b"/p?Page=2#PageSize=0", &mut scratch)
            .unwrap()
            .page,
        Some(2)
    );
    assert!(
        ListQuery::from_page_uri(b"/p", &mut scratch)
            .unwrap()
            .is_empty()
    );
}

#[test]
fn coach_target_forms_in_the_body() {
    // A coach target is written as given (`v3:` ids keep their colon in a
    // form value: `:` is percent-encoded by the form encoder only if it must).
    let call = ParticipantRef::parse(CALL).unwrap();
    let coached = CallSid::parse(COACHED).unwrap();
    let u = Update::coach(coached);
    assert_eq!(u.call_sid_to_coach, Some(CoachTarget::Call(coached)));
    let text = write(Operation::update(&call, u));
    assert!(
        text.ends_with(&format!(
            "Muted=false&Coaching=true&CallSidToCoach={COACHED}"
        )),
        "{text}"
    );
}

#[test]
fn max_update_len_bounds_telnyx_requests() {
    use confpart::client::UpdateBounds;
    let url_len = 64;
    let bounds = UpdateBounds {
        host: confpart::api::path::TELNYX_HOST.len(),
        credentials: KEY.len(),
        label: 0,
        url: url_len,
    };
    // The longest call-control id, every field Telnyx takes, URLs of the
    // bound's length with bytes that need escaping.
    let call = ParticipantRef::parse(&format!("v3:{}", "A".repeat(61))).unwrap();
    let escaped = "https://m.example/".to_string() + &"%".repeat(url_len - 18);
    let coached = CallSid::parse(&format!("v3:{}", "b".repeat(61))).unwrap();
    let u = Update::new()
        .muted(false)
        .hold(false)
        .hold_url(&escaped)
        .hold_method(Method::Post)
        .announce_url(&escaped)
        .announce_method(Method::Post)
        .wait_url(&escaped)
        .coaching(true)
        .call_sid_to_coach(CoachTarget::Call(coached))
        .beep_on_exit(false)
        .end_conference_on_exit(false);
    let req = Request {
        connection: Connection::KeepAlive,
        ..request(Operation::update(&call, u))
    };
    let n = req.encoded_len().unwrap();
    assert!(n <= Request::max_update_len(bounds), "{n}");
}

const TX_PARTICIPANT: &str = include_str!("../../tests/fixtures/telnyx-participant.json");
const TX_CREATE: &str = include_str!("../../tests/fixtures/telnyx-create.json");
const TX_PAGE: &str = include_str!("../../tests/fixtures/telnyx-list-page.json");
const TX_10005: &str = include_str!("../../tests/fixtures/telnyx-error-10005.json");
const TX_10004: &str = include_str!("../../tests/fixtures/telnyx-error-10004.json");
const TX_401: &str = include_str!("../../tests/fixtures/telnyx-error-401.json");
const TX_422: &str = include_str!("../../tests/fixtures/telnyx-error-422.json");
const TX_NO_CODE: &str = include_str!("../../tests/fixtures/telnyx-error-no-code.json");

/// Reads `bytes` as the answer to `op`, fed in two pieces at every split.
fn answer<T>(op: Operation<'_>, bytes: &[u8], read: impl Fn(Outcome<'_>) -> T) -> T {
    let req = request(op);
    let mut results = Vec::new();
    for split in [1, bytes.len() / 2, bytes.len() - 1] {
        let mut buf = [0u8; 8192];
        let mut reader = req.response_reader(&mut buf);
        assert!(matches!(
            reader.feed(&bytes[..split]),
            Ok(Progress::Partial)
        ));
        let Ok(Progress::Complete(message)) = reader.feed(&bytes[split..]) else {
            panic!("incomplete at {split}")
        };
        results.push(read(message.outcome().unwrap()));
    }
    results.pop().unwrap()
}

#[test]
fn telnyx_fixtures_through_the_client() {
    let call = ParticipantRef::parse(CALL).unwrap();
    let ok = response("200 OK", TX_PARTICIPANT);
    let (muted, sid) = answer(Operation::update(&call, Update::mute()), &ok, |o| match o {
        Outcome::Participant(p) => (p.muted(), p.call_sid().map(|s| s.as_str().to_owned())),
        other => panic!("{other:?}"),
    });
    assert_eq!(muted, Some(true));
    assert_eq!(
        sid.as_deref(),
        Some("v3:9X2vxPDFOr0qjPUjm2avpRlexwBDHbBk3wAhMM2qDqpDRtbpxtvT-aiQ")
    );
    let created = response("201 Created", TX_CREATE);
    let status = answer(
        Operation::create(Create::new("+1", "+2").into()),
        &created,
        |o| match o {
            Outcome::Created(p) => p.status(),
            other => panic!("{other:?}"),
        },
    );
    assert!(status.is_some());
    // A page: validated, then read by the list decoder; its next_page_uri
    // gives the next request's query.
    let page = response("200 OK", TX_PAGE);
    let next = answer(Operation::list(ListQuery::new()), &page, |o| match o {
        Outcome::Page(doc) => {
            let mut count = 0;
            let meta = confpart::api::list::decode_page(doc, |_| count += 1).unwrap();
            assert!(count > 0);
            meta.next_page_uri.map(|u| u.chars().collect::<String>())
        }
        other => panic!("{other:?}"),
    });
    let next = next.unwrap();
    let mut scratch = [0u8; 64];
    let q = ListQuery::from_page_uri(next.as_bytes(), &mut scratch).unwrap();
    assert_eq!(
        (q.page, q.page_size, q.page_token),
        (Some(1), Some(2), Some("MTY4AjgyNDkwNzIxMQ"))
    );
    assert!(request(Operation::list(q)).validate().is_ok());
    // Errors: the code Telnyx sends as a string is the failure's code.
    for (status, body, code) in [
        ("404 Not Found", TX_10005, Some(10005)),
        ("422 Unprocessable Entity", TX_10004, Some(10004)),
        ("401 Unauthorized", TX_401, Some(10009)),
        ("422 Unprocessable Entity", TX_422, Some(10015)),
        ("404 Not Found", TX_NO_CODE, None),
    ] {
        let bytes = response(status, body);
        let got = answer(Operation::fetch(&call), &bytes, |o| match o {
            Outcome::Failure(f) => (f.status, f.error.and_then(|e| e.code)),
            other => panic!("{other:?}"),
        });
        assert_eq!(got, (status[..3].parse().unwrap(), code), "{body}");
    }
}
