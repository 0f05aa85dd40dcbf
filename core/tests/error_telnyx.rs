//! Error bodies in Telnyx's shape (fixtures, every variant of the shape),
//! each dialect's writer (exact bytes, round trips, a serde_json
//! differential) and the per-dialect status and code table.
use confpart::api::codes::{self, telnyx_title};
use confpart::api::error::{
    ApiError, ErrorShape, SIGNALWIRE_MORE_INFO, TELNYX_MORE_INFO, body_len, write_body,
    write_twilio,
};
use confpart::api::path::Dialect;
use confpart::wire::json::{JsonError, JsonErrorKind};
use confpart::wire::sink::SliceSink;
use proptest::prelude::*;
use serde_json::{Value, json};

fn decoded(doc: &[u8]) -> ApiError<'_> {
    ApiError::decode(doc).unwrap()
}

fn s(v: Option<confpart::wire::json::JsonStr<'_>>) -> Option<String> {
    v.map(|v| v.to_string())
}

#[test]
fn fixtures() {
    let url = |code: u32| Some(format!("{TELNYX_MORE_INFO}{code}"));
    for (doc, code, title, detail, source) in [
        (
            &include_bytes!("../../tests/fixtures/telnyx-error-10005.json")[..],
            10005,
            "Resource not found",
            "The requested resource or URL could not be found.",
            None,
        ),
        (
            &include_bytes!("../../tests/fixtures/telnyx-error-422.json")[..],
            10015,
            "Bad Request",
            "The request failed because it was not well-formed.",
            Some("/Muted"),
        ),
        (
            &include_bytes!("../../tests/fixtures/telnyx-error-10004.json")[..],
            10004,
            "Missing required parameter",
            "A required parameter was missing.",
            Some("/To"),
        ),
        (
            &include_bytes!("../../tests/fixtures/telnyx-error-401.json")[..],
            10009,
            "Authentication failed",
            "The required authentication headers were either invalid or not included in the request.",
            None,
        ),
    ] {
        let e = decoded(doc);
        assert_eq!(
            (e.shape, e.code, e.status),
            (ErrorShape::Telnyx, Some(code), None)
        );
        assert_eq!(s(e.title).as_deref(), Some(title));
        assert_eq!(s(e.message).as_deref(), Some(detail));
        assert_eq!(s(e.source).as_deref(), source);
        assert_eq!(s(e.more_info), url(code));
        assert_eq!(e.error_count, 1);
        // The title is the one this crate writes for the code.
        assert_eq!(telnyx_title(code), title);
    }
    let e = decoded(include_bytes!(
        "../../tests/fixtures/telnyx-error-no-code.json"
    ));
    assert_eq!((e.shape, e.code, e.title), (ErrorShape::Telnyx, None, None));
    assert_eq!(s(e.message).as_deref(), Some("Resource not found"));
}

#[test]
fn variants_of_the_shape() {
    // No detail: the title is the message.
    let e = decoded(br#"{"errors":[{"code":"10010","title":"Authorization failed"}]}"#);
    assert_eq!(e.shape, ErrorShape::Telnyx);
    assert_eq!(s(e.message).as_deref(), Some("Authorization failed"));
    // Only `source.pointer` is kept (`parameter` names a query parameter);
    // nulls and unknown members.
    let e = decoded(
        br#"{"errors":[{"code":null,"detail":"d","source":{"parameter":"To","x":[1]},"meta":null,"extra":{}},{"detail":"2"}],"meta":{"a":1}}"#,
    );
    assert_eq!((e.code, e.more_info, e.error_count), (None, None, 2));
    assert_eq!(s(e.source), None);
    // The pointer, whatever else `source` holds.
    let e = decoded(br#"{"errors":[{"source":{"parameter":"p","pointer":"/P"}}]}"#);
    assert_eq!(
        (e.shape, s(e.source).as_deref()),
        (ErrorShape::Telnyx, Some("/P"))
    );
    // Escapes are kept as views and unescape on demand.
    let e = decoded(br#"{"errors":[{"detail":"caf\u00e9 \"x\""}]}"#);
    assert!(e.message.unwrap().eq_str("café \"x\""));
    // SignalWire's members make it SignalWire's shape (Telnyx's `title` is
    // then not reported).
    let e = decoded(br#"{"errors":[{"code":"10000","message":"m","title":"t"}]}"#);
    assert_eq!((e.shape, e.title), (ErrorShape::SignalWireCoded, None));
    assert!(e.message.unwrap().eq_str("m"));
    // A code alone stays SignalWire's coded shape.
    assert_eq!(
        decoded(br#"{"errors":[{"code":"10005"}]}"#).shape,
        ErrorShape::SignalWireCoded
    );
    // Twilio's body is unchanged.
    let e = decoded(br#"{"code":20404,"message":"m","more_info":"u","status":404}"#);
    assert_eq!(
        (e.shape, e.title, e.source),
        (ErrorShape::Twilio, None, None)
    );
}

#[test]
fn bad_telnyx_bodies_are_typed_errors() {
    use JsonErrorKind::*;
    // The innermost member is named (`url` of `meta`, `pointer` of `source`).
    let at = |kind, offset, field| Err(JsonError::new(kind, offset).in_field(field));
    assert_eq!(
        ApiError::decode(br#"{"errors":[{"source":"/Muted"}]}"#),
        at(
            WrongType {
                expected: "an object or null"
            },
            21,
            "source"
        )
    );
    assert_eq!(
        ApiError::decode(br#"{"errors":[{"meta":{"url":1}}]}"#),
        at(
            WrongType {
                expected: "a string or null"
            },
            26,
            "url"
        )
    );
    assert_eq!(
        ApiError::decode(br#"{"errors":[{"title":"a","title":"b"}]}"#),
        at(DuplicateKey, 24, "title")
    );
    assert_eq!(
        ApiError::decode(br#"{"errors":[{"source":{"pointer":"a","pointer":"b"}}]}"#),
        at(DuplicateKey, 36, "pointer")
    );
    assert_eq!(
        ApiError::decode(br#"{"errors":[{"code":"10x05","detail":"d"}]}"#),
        at(InvalidValue, 19, "code")
    );
    // Nesting inside Telnyx's members counts against the depth limit.
    let deep = format!(
        r#"{{"errors":[{{"meta":{{"x":{}1{}}}}}]}}"#,
        "[".repeat(200),
        "]".repeat(200)
    );
    assert_eq!(ApiError::decode(deep.as_bytes()).unwrap_err().kind, TooDeep);
}

fn written(dialect: Dialect, code: u32, message: &str, status: u16) -> Vec<u8> {
    let mut buf = vec![0u8; 4096];
    let mut sink = SliceSink::new(&mut buf);
    write_body(&mut sink, dialect, code, message, status).unwrap();
    let out = sink.written().to_vec();
    assert_eq!(out.len(), body_len(dialect, code, message, status));
    out
}

#[test]
fn each_dialect_writes_its_shape() {
    let mut twilio = vec![0u8; 256];
    let mut sink = SliceSink::new(&mut twilio);
    write_twilio(&mut sink, 20404, "Gone \"x\"", 404).unwrap();
    let n = sink.len();
    assert_eq!(
        written(Dialect::Twilio, 20404, "Gone \"x\"", 404),
        &twilio[..n]
    );
    assert_eq!(
        written(Dialect::SignalWire, 20404, "Gone \"x\"", 404),
        br#"{"errors":[{"code":"20404","message":"Gone \"x\"","more_info":"https://developer.signalwire.com/rest/compatibility-api/overview/error-codes/#20404"}]}"#
    );
    assert_eq!(
        written(Dialect::Telnyx, 10015, "Muted must be true or false", 422),
        br#"{"errors":[{"code":"10015","title":"Bad Request","detail":"Muted must be true or false","meta":{"url":"https://developers.telnyx.com/docs/overview/errors/10015"}}]}"#
    );
    // Each decodes back in its own shape.
    for (dialect, shape) in [
        (Dialect::Twilio, ErrorShape::Twilio),
        (Dialect::SignalWire, ErrorShape::SignalWireCoded),
        (Dialect::Telnyx, ErrorShape::Telnyx),
    ] {
        let out = written(dialect, 10005, "é", 404);
        let e = ApiError::decode(&out).unwrap();
        assert_eq!((e.shape, e.code), (shape, Some(10005)));
        assert!(e.message.unwrap().eq_str("é"));
    }
}

#[test]
fn small_buffers_are_errors() {
    for dialect in Dialect::ALL {
        let n = body_len(dialect, 10005, "message", 404);
        for size in [0, 1, n / 2, n - 1] {
            let mut buf = vec![0u8; size];
            let mut sink = SliceSink::new(&mut buf);
            assert!(write_body(&mut sink, dialect, 10005, "message", 404).is_err());
        }
    }
}

#[test]
fn status_and_code_per_dialect() {
    use codes::*;
    for (code, status) in [
        (INVALID_PARAMETER, 400),
        (AUTHENTICATION_FAILED, 401),
        (METHOD_NOT_ALLOWED, 405),
        (NOT_FOUND, 404),
        (TOO_MANY_REQUESTS, 429),
        (INTERNAL_ERROR, 500),
        (SERVICE_UNAVAILABLE, 503),
        (LABEL_IN_USE, 400),
        (SIGNALWIRE_CONFERENCE_COMPLETED, 400),
    ] {
        assert_eq!(for_dialect(code, status, Dialect::Twilio), (status, code));
        assert_eq!(
            for_dialect(code, status, Dialect::SignalWire),
            (status, code)
        );
    }
    let telnyx = |code, status| for_dialect(code, status, Dialect::Telnyx);
    assert_eq!(telnyx(INVALID_PARAMETER, 400), (422, TELNYX_BAD_REQUEST));
    assert_eq!(telnyx(INVALID_CALL_STATE, 400), (422, TELNYX_BAD_REQUEST));
    assert_eq!(telnyx(COACH_TARGET_ON_HOLD, 400), (422, TELNYX_BAD_REQUEST));
    assert_eq!(
        telnyx(AUTHENTICATION_FAILED, 401),
        (401, TELNYX_AUTHENTICATION_FAILED)
    );
    assert_eq!(telnyx(20403, 403), (403, TELNYX_AUTHORIZATION_FAILED));
    assert_eq!(telnyx(NOT_FOUND, 404), (404, TELNYX_NOT_FOUND));
    assert_eq!(
        telnyx(TOO_MANY_REQUESTS, 429),
        (429, TELNYX_TOO_MANY_REQUESTS)
    );
    assert_eq!(telnyx(INTERNAL_ERROR, 500), (500, TELNYX_UNEXPECTED_ERROR));
    assert_eq!(
        telnyx(SERVICE_UNAVAILABLE, 503),
        (503, TELNYX_UNEXPECTED_ERROR)
    );
    assert_eq!(telnyx(METHOD_NOT_ALLOWED, 405), (405, TELNYX_BAD_REQUEST));
    // Every code it gives has a title of its own.
    for status in [400, 401, 403, 404, 405, 429, 500, 503] {
        assert_ne!(telnyx_title(telnyx(1, status).1), "Error", "{status}");
    }
    assert_eq!(
        telnyx_title(TELNYX_MISSING_PARAMETER),
        "Missing required parameter"
    );
}

/// What serde_json reads in a written body: the shape's members with
/// their values (the differential's expectation).
fn expected(dialect: Dialect, code: u32, message: &str, status: u16) -> Value {
    match dialect {
        Dialect::Twilio => json!({
            "code": code, "message": message,
            "more_info": format!("https://www.twilio.com/docs/errors/{code}"), "status": status,
        }),
        Dialect::SignalWire => json!({"errors": [{
            "code": code.to_string(), "message": message,
            "more_info": format!("{SIGNALWIRE_MORE_INFO}{code}"),
        }]}),
        Dialect::Telnyx => json!({"errors": [{
            "code": code.to_string(), "title": telnyx_title(code), "detail": message,
            "meta": {"url": format!("{TELNYX_MORE_INFO}{code}")},
        }]}),
    }
}

proptest! {
    /// Every dialect's body, for any code, message and status: serde_json
    /// reads exactly the expected members (the oracle), the core decodes
    /// the same code and message in the dialect's shape, and the announced
    /// length is the written one.
    #[test]
    fn written_bodies_agree_with_serde_json(
        dialect in prop_oneof![Just(Dialect::Twilio), Just(Dialect::SignalWire), Just(Dialect::Telnyx)],
        code in prop_oneof![Just(10005u32), Just(10015), Just(20404), any::<u32>()],
        message in "[a-zA-Z \"\\\\/é😀\u{1}-\u{1f}\u{7f}]{0,60}",
        status in any::<u16>(),
    ) {
        let out = written(dialect, code, &message, status);
        let v: Value = serde_json::from_slice(&out).unwrap();
        prop_assert_eq!(&v, &expected(dialect, code, &message, status));
        let e = ApiError::decode(&out).unwrap();
        prop_assert_eq!(e.code, Some(code));
        let want = if message.is_empty() && dialect == Dialect::Telnyx {
            Some(telnyx_title(code).to_owned())
        } else {
            Some(message.clone()).filter(|m| !m.is_empty())
        };
        prop_assert_eq!(s(e.message), want);
        prop_assert_eq!(e.status, Some(status).filter(|_| dialect == Dialect::Twilio));
    }

    /// Telnyx bodies as serde_json writes them (any key order, any
    /// members): the core reads the same values as serde_json.
    #[test]
    fn telnyx_bodies_from_serde_json_decode_alike(
        code in proptest::option::of(0u32..100_000),
        title in proptest::option::of("[a-zA-Z \"é]{1,20}"),
        detail in proptest::option::of("[a-zA-Z \"\\\\é\u{1}]{1,40}"),
        pointer in proptest::option::of("/[A-Za-z]{1,12}"),
        url in proptest::option::of("https://[a-z./0-9]{1,30}"),
        extra in proptest::option::of(any::<i32>()),
        more in 0usize..3,
    ) {
        let mut entry = serde_json::Map::new();
        if let Some(c) = code { entry.insert("code".into(), json!(c.to_string())); }
        if let Some(t) = &title { entry.insert("title".into(), json!(t)); }
        if let Some(d) = &detail { entry.insert("detail".into(), json!(d)); }
        if let Some(p) = &pointer { entry.insert("source".into(), json!({"pointer": p})); }
        if let Some(u) = &url { entry.insert("meta".into(), json!({"url": u})); }
        if let Some(x) = extra { entry.insert("extra".into(), json!(x)); }
        let telnyx = title.is_some() || detail.is_some() || pointer.is_some() || url.is_some();
        let mut errors = vec![Value::Object(entry)];
        errors.extend((0..more).map(|i| json!({"detail": i.to_string()})));
        let doc = serde_json::to_vec(&json!({"errors": errors})).unwrap();
        let e = ApiError::decode(&doc).unwrap();
        prop_assert_eq!(e.shape, if telnyx { ErrorShape::Telnyx } else { ErrorShape::SignalWireCoded });
        prop_assert_eq!(e.code, code);
        prop_assert_eq!(e.error_count, 1 + more);
        prop_assert_eq!(s(e.more_info), url);
        if telnyx {
            prop_assert_eq!(s(e.message), detail.or(title.clone()));
            prop_assert_eq!(s(e.title), title);
            prop_assert_eq!(s(e.source), pointer);
        }
    }
}
