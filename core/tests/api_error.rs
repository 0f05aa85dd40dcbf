//! Error bodies: the shared fixtures and every shape.
use confpart::api::error::{ApiError, ErrorShape, twilio_len};
use confpart::wire::json::{JsonError, JsonErrorKind};
use proptest::prelude::*;

#[test]
fn fixture_20003() {
    let e = ApiError::decode(include_bytes!(
        "../../tests/fixtures/twilio-error-20003.json"
    ))
    .unwrap();
    assert_eq!(e.code, Some(20003));
    assert_eq!(e.status, Some(401));
    assert!(
        e.message
            .unwrap()
            .eq_str("Authentication Error - invalid username")
    );
    assert_eq!(
        e.more_info.map(|m| m.raw()),
        Some("https://www.twilio.com/docs/errors/20003")
    );
    assert_eq!(e.shape, ErrorShape::Twilio);
}

#[test]
fn fixture_20404() {
    let e = ApiError::decode(include_bytes!(
        "../../tests/fixtures/twilio-error-20404.json"
    ))
    .unwrap();
    assert_eq!((e.code, e.status), (Some(20404), Some(404)));
    assert!(
        e.message
            .unwrap()
            .raw()
            .starts_with("The requested resource /2010-04-01/Accounts/")
    );
}

#[test]
fn twilio_shape_with_details_object() {
    let e = ApiError::decode(br#"{"code": 21220, "message": "Call not in progress", "more_info": "https://www.twilio.com/docs/errors/21220", "status": 400, "details": {"a": {"b": [1]}}}"#).unwrap();
    assert_eq!((e.code, e.status), (Some(21220), Some(400)));
}

#[test]
fn signalwire_coded_shape() {
    let e = ApiError::decode(br#"{"errors":[{"code":"30010","message":"Conference not found","more_info":"https://developer.signalwire.com"},{"code":"1","message":"x"}]}"#).unwrap();
    assert_eq!(e.shape, ErrorShape::SignalWireCoded);
    assert_eq!(e.code, Some(30010));
    assert!(e.message.unwrap().eq_str("Conference not found"));
    assert_eq!(e.error_count, 2);
    assert_eq!(e.status, None);
}

#[test]
fn encode_decodes_back_for_every_code_of_the_spec() {
    for (code, status) in [
        (20001, 400),
        (20003, 401),
        (20004, 405),
        (20404, 404),
        (20429, 429),
        (21220, 400),
        (16027, 400),
        (16028, 400),
    ] {
        let mut buf = [0u8; 256];
        let n =
            ApiError::encode_twilio(code, "Msg with \"quotes\" and é", status, &mut buf).unwrap();
        let e = ApiError::decode(&buf[..n]).unwrap();
        assert_eq!((e.code, e.status), (Some(code), Some(status)));
        assert!(e.message.unwrap().eq_str("Msg with \"quotes\" and é"));
        assert_eq!(
            e.more_info.unwrap().raw(),
            format!("https://www.twilio.com/docs/errors/{code}")
        );
        assert_eq!(n, twilio_len(code, "Msg with \"quotes\" and é", status));
    }
    let mut small = [0u8; 20];
    assert!(ApiError::encode_twilio(20404, "x", 404, &mut small).is_err());
}

#[test]
fn other_bodies_are_not_errors() {
    use JsonErrorKind::*;
    let missing = |offset| Err(JsonError::new(Missing, offset).in_field("code, message or errors"));
    assert_eq!(ApiError::decode(br#"{"foo":1}"#), missing(8));
    assert_eq!(ApiError::decode(b"{}"), missing(1));
    assert_eq!(ApiError::decode(br#"{"status": 404}"#), missing(14));
    assert_eq!(
        ApiError::decode(br#"{"message": "", "code": null}"#),
        missing(28)
    );
    assert_eq!(ApiError::decode(br#"{"errors": null}"#), missing(15));
    assert_eq!(
        ApiError::decode(b"[]"),
        Err(JsonError::new(
            WrongType {
                expected: "an object"
            },
            0
        ))
    );
    // A code alone, a message alone, an empty errors array are error bodies.
    assert_eq!(
        ApiError::decode(br#"{"code": 20001}"#).unwrap().code,
        Some(20001)
    );
    assert!(
        ApiError::decode(br#"{"message": "x"}"#)
            .unwrap()
            .message
            .is_some()
    );
    let e = ApiError::decode(br#"{"errors": []}"#).unwrap();
    assert_eq!((e.shape, e.error_count), (ErrorShape::SignalWireCoded, 0));
    // Empty strings are absent.
    let e = ApiError::decode(br#"{"code": 1, "message": "", "more_info": ""}"#).unwrap();
    assert_eq!((e.message, e.more_info), (None, None));
    let e = ApiError::decode(br#"{"errors": [{"code": "", "message": "m"}]}"#).unwrap();
    assert_eq!(e.code, None);
    // Errors name the field and the offset.
    assert_eq!(
        ApiError::decode(br#"{"code": 1, "status": 70000}"#),
        Err(JsonError::new(OutOfRange, 22).in_field("status"))
    );
    assert_eq!(
        ApiError::decode(br#"{"code": 1, "code": 2}"#),
        Err(JsonError::new(DuplicateKey, 12).in_field("code"))
    );
    assert_eq!(
        ApiError::decode(br#"{"code": 1, "message": "a\x"}"#),
        Err(JsonError::new(InvalidEscape, 25).in_field("message"))
    );
    assert_eq!(
        ApiError::decode(br#"{"errors": [{"code": "99999999999"}]}"#),
        Err(JsonError::new(InvalidValue, 21).in_field("code"))
    );
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(doc in any::<Vec<u8>>()) {
        let _ = ApiError::decode(&doc);
    }

    #[test]
    fn round_trip(code in any::<u32>(), status in any::<u16>(), message in ".{0,100}") {
        let mut buf = [0u8; 1024];
        let n = ApiError::encode_twilio(code, &message, status, &mut buf).unwrap();
        let e = ApiError::decode(&buf[..n]).unwrap();
        prop_assert_eq!(e.code, Some(code));
        prop_assert_eq!(e.status, Some(status));
        // `""` is no message (the empty-string rule).
        prop_assert_eq!(e.message.map(|m| m.to_string()), Some(message.clone()).filter(|m| !m.is_empty()));
        prop_assert_eq!(n, twilio_len(code, &message, status));
    }
}
