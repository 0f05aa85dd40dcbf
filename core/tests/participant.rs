//! Participant resource: fixtures, serde-json-core traps, round trips, bad input.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use confpart::date::Timestamp;
use confpart::ident::{AccountSid, CallSid, ConferenceSid, Label};
use confpart::json::JsonError;
use confpart::participant::{Participant, Status, StatusText};
use proptest::prelude::*;

const AC: &str = "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const CF: &str = "CFaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const CA: &str = "CAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

fn ts(s: &str) -> Timestamp {
    Timestamp::parse(s.as_bytes()).unwrap()
}

fn uri(s: &str) -> heapless::String<{ confpart::participant::URI_CAPACITY }> {
    heapless::String::try_from(s).unwrap()
}

#[test]
fn fixture_update_mute() {
    let p = Participant::decode(include_bytes!(
        "../../tests/fixtures/twilio-update-mute.json"
    ))
    .unwrap();
    let expected = Participant {
        account_sid: Some(AccountSid::parse(AC).unwrap()),
        call_sid: Some(CallSid::parse(CA).unwrap()),
        label: None,
        conference_sid: Some(ConferenceSid::parse(CF).unwrap()),
        date_created: Some(ts("Fri, 18 Feb 2011 21:07:19 +0000")),
        date_updated: Some(ts("Fri, 18 Feb 2011 21:07:19 +0000")),
        end_conference_on_exit: Some(false),
        muted: Some(true),
        hold: Some(false),
        status: Some(Status::Connected),
        start_conference_on_enter: Some(true),
        coaching: Some(false),
        call_sid_to_coach: None,
        queue_time: None,
        uri: Some(uri(&format!(
            "/2010-04-01/Accounts/{AC}/Conferences/{CF}/Participants/{CA}.json"
        ))),
    };
    assert_eq!(p, expected);
    assert_eq!(p.date_created.unwrap().unix(), 1_298_063_239);
}

#[test]
fn fixture_update_hold() {
    let p = Participant::decode(include_bytes!(
        "../../tests/fixtures/twilio-update-hold.json"
    ))
    .unwrap();
    assert_eq!(p.hold, Some(true));
    assert_eq!(p.muted, Some(false));
    assert_eq!(p.status, Some(Status::Connected));
}

#[test]
fn fixture_create_has_queue_time_string_and_label() {
    let p = Participant::decode(include_bytes!("../../tests/fixtures/twilio-create.json")).unwrap();
    assert_eq!(p.status, Some(Status::Queued));
    assert_eq!(p.queue_time.as_deref(), Some("1000"));
    assert_eq!(p.label, Some(Label::new("customer").unwrap()));
}

#[test]
fn fixtures_round_trip_through_encode() {
    for doc in [
        &include_bytes!("../../tests/fixtures/twilio-update-mute.json")[..],
        include_bytes!("../../tests/fixtures/twilio-update-hold.json"),
        include_bytes!("../../tests/fixtures/twilio-create.json"),
    ] {
        let p = Participant::decode(doc).unwrap();
        let mut buf = [0u8; 2048];
        let n = p.encode_to_slice(&mut buf).unwrap();
        assert_eq!(Participant::decode(&buf[..n]).unwrap(), p);
        // Strict dates and Twilio's field order on the way out.
        let text = std::str::from_utf8(&buf[..n]).unwrap();
        assert!(text.starts_with(r#"{"account_sid":"AC"#), "{text}");
        assert!(
            text.contains(r#""date_created":"Fri, 18 Feb 2011 21:07:19 +0000""#),
            "{text}"
        );
    }
}

#[test]
fn escapes_decode_to_the_right_characters() {
    // Python's json.dumps emits \u00e9 and the surrogate pair for emoji.
    let doc =
        br#"{"label": "a\"b\\c \u00e9 \ud83d\ude00", "uri": "\/x\t\u0041", "status": "connected"}"#;
    let p = Participant::decode(doc).unwrap();
    assert_eq!(p.label.unwrap().as_str(), "a\"b\\c é 😀");
    assert_eq!(p.uri.as_deref(), Some("/x\tA"));
}

#[test]
fn label_with_newline_is_rejected_as_invalid_label() {
    // A label may not hold control characters (it could not go into a path).
    let doc = br#"{"label": "a\nb"}"#;
    assert_eq!(
        Participant::decode(doc),
        Err(JsonError::InvalidField { field: "label" })
    );
}

#[test]
fn emoji_escapes_anywhere_are_fine() {
    // serde-json-core's from_slice_escaped rejects this whole document.
    let doc = br#"{"unknown": "\ud83d\ude00", "muted": true}"#;
    assert_eq!(Participant::decode(doc).unwrap().muted, Some(true));
}

#[test]
fn deep_nesting_in_unknown_field_is_rejected_before_serde() {
    let mut doc = br#"{"muted": true, "x": "#.to_vec();
    doc.extend(std::iter::repeat_n(b'[', 100_000));
    doc.extend(std::iter::repeat_n(b']', 100_000));
    doc.push(b'}');
    assert!(matches!(
        Participant::decode(&doc),
        Err(JsonError::TooDeep { .. })
    ));
}

#[test]
fn control_characters_and_garbage_scalars_are_rejected() {
    assert!(matches!(
        Participant::decode(b"{\"x\": \"a\x01b\", \"muted\": true}"),
        Err(JsonError::ControlCharacter { offset: 8 })
    ));
    assert!(matches!(
        Participant::decode(br#"{"x": tru, "muted": true}"#),
        Err(JsonError::UnexpectedByte { .. } | JsonError::UnexpectedEnd { .. })
    ));
    assert!(matches!(
        Participant::decode(br#"{"x": 01, "muted": true}"#),
        Err(JsonError::InvalidNumber { .. })
    ));
    assert!(matches!(
        Participant::decode(br#"{"x": "\ud83d", "muted": true}"#),
        Err(JsonError::LoneSurrogate { offset: 7 })
    ));
}

#[test]
fn nulls_missing_fields_and_extra_keys() {
    let p = Participant::decode(
        br#"{"label": null, "status": null, "extra": {"a": [1, 2.5e3, null]}}"#,
    )
    .unwrap();
    assert_eq!(p, Participant::default());
    assert_eq!(Participant::decode(b"{}").unwrap(), Participant::default());
}

#[test]
fn signalwire_shape_and_lenient_dates() {
    let doc = br#"{
        "account_sid": "b3877c40-da60-4998-90ad-b792e98472af",
        "call_sid": "b3877c40-da60-4998-90ad-b792e98472ca",
        "conference_sid": "b3877c40-da60-4998-90ad-b792e98472cf",
        "date_created": "Wed, 29 Sept 2021 21:07:19 +0000",
        "date_updated": "Wed, 29 Sep 2021 21:07:19 GMT",
        "end_conference_on_exit": false, "muted": false, "hold": false,
        "status": "in-progress", "start_conference_on_enter": true,
        "coaching": false, "call_sid_to_coach": null,
        "uri": "/api/laml/2010-04-01/Accounts/b3877c40-da60-4998-90ad-b792e98472af/Conferences/b3877c40-da60-4998-90ad-b792e98472cf/Participants/b3877c40-da60-4998-90ad-b792e98472ca.json"
    }"#;
    let p = Participant::decode(doc).unwrap();
    assert_eq!(p.status, Some(Status::InProgress));
    assert_eq!(p.label, None);
    assert_eq!(p.date_created, p.date_updated);
    assert_eq!(
        Participant::decode(br#"{"status": "completed"}"#)
            .unwrap()
            .status,
        Some(Status::Completed)
    );
}

#[test]
fn unknown_status_is_kept() {
    let p = Participant::decode(br#"{"status": "on-fire"}"#).unwrap();
    assert_eq!(
        p.status,
        Some(Status::Unknown(StatusText::new("on-fire").unwrap()))
    );
    assert_eq!(p.status.unwrap().as_str(), "on-fire");
    assert_eq!(
        Participant::decode(br#"{"status": "a-status-text-longer-than-the-capacity"}"#),
        Err(JsonError::TooLong {
            field: "status",
            max: confpart::participant::STATUS_CAPACITY
        })
    );
}

#[test]
fn wrong_types_and_bad_values_are_typed_errors() {
    assert!(matches!(
        Participant::decode(br#"{"muted": "true"}"#),
        Err(JsonError::Shape(_))
    ));
    assert!(matches!(
        Participant::decode(br#"{"queue_time": 1000}"#),
        Err(JsonError::Shape(_))
    ));
    assert!(matches!(
        Participant::decode(br#"{"muted": true, "muted": false}"#),
        Err(JsonError::Shape(_))
    ));
    assert!(matches!(
        Participant::decode(b"[]"),
        Err(JsonError::Shape(_))
    ));
    assert_eq!(
        Participant::decode(br#"{"call_sid": "CA123"}"#),
        Err(JsonError::InvalidField { field: "call_sid" })
    );
    assert_eq!(
        Participant::decode(br#"{"date_created": "yesterday"}"#),
        Err(JsonError::InvalidField {
            field: "date_created"
        })
    );
    let long_uri = format!(r#"{{"uri": "/{}"}}"#, "a".repeat(300));
    assert_eq!(
        Participant::decode(long_uri.as_bytes()),
        Err(JsonError::TooLong {
            field: "uri",
            max: confpart::participant::URI_CAPACITY
        })
    );
}

#[test]
fn small_buffer_is_an_error() {
    let p = Participant::decode(include_bytes!("../../tests/fixtures/twilio-create.json")).unwrap();
    let mut buf = [0u8; 64];
    assert!(p.encode_to_slice(&mut buf).is_err());
}

fn sid_hex() -> impl Strategy<Value = String> {
    "[0-9a-f]{32}"
}

prop_compose! {
    fn participant()(
        a in proptest::option::of(sid_hex()), c in proptest::option::of(sid_hex()),
        f in proptest::option::of(sid_hex()), t in proptest::option::of(sid_hex()),
        label in proptest::option::of("[^/\\x00-\\x1f\\x7f-\\u{9f}]{1,40}"),
        created in proptest::option::of(0u64..=Timestamp::MAX_UNIX),
        updated in proptest::option::of(0u64..=Timestamp::MAX_UNIX),
        bools in any::<[Option<bool>; 6]>(),
        status in proptest::option::of(prop_oneof![
            Just(Status::Queued), Just(Status::Connecting), Just(Status::Ringing),
            Just(Status::Connected), Just(Status::Complete), Just(Status::Failed),
            Just(Status::InProgress), Just(Status::Completed),
            "[a-z\"\\\\ é]{1,6}".prop_map(|s| Status::Unknown(StatusText::new(&s).unwrap())),
        ]),
        queue_time in proptest::option::of("[0-9]{1,20}"),
        uri in proptest::option::of(".{0,60}"),
    ) -> Participant {
        Participant {
            account_sid: a.map(|h| AccountSid::parse(&format!("AC{h}")).unwrap()),
            call_sid: c.map(|h| CallSid::parse(&format!("CA{h}")).unwrap()),
            label: label.and_then(|l| Label::new(&l).ok()),
            conference_sid: f.map(|h| ConferenceSid::parse(&format!("CF{h}")).unwrap()),
            date_created: created.map(|u| Timestamp::from_unix(u).unwrap()),
            date_updated: updated.map(|u| Timestamp::from_unix(u).unwrap()),
            end_conference_on_exit: bools[0], muted: bools[1], hold: bools[2],
            status,
            start_conference_on_enter: bools[3], coaching: bools[4],
            call_sid_to_coach: t.map(|h| CallSid::parse(&format!("CA{h}")).unwrap()),
            queue_time: queue_time.map(|q| heapless::String::try_from(q.as_str()).unwrap()),
            uri: uri.map(|u| heapless::String::try_from(u.as_str()).unwrap()),
        }
    }
}

proptest! {
    #[test]
    fn encode_decode_is_identity(p in participant()) {
        let mut buf = [0u8; 4096];
        let n = p.encode_to_slice(&mut buf).unwrap();
        prop_assert_eq!(Participant::decode(&buf[..n]).unwrap(), p);
    }

    #[test]
    fn arbitrary_bytes_never_panic(doc in any::<Vec<u8>>()) {
        let _ = Participant::decode(&doc);
    }

    #[test]
    fn json_like_bytes_never_panic(doc in r#"\{("[a-z_]{1,12}": ?(null|true|false|-?[0-9]{1,5}|"[^"]{0,12}"|\[\]|\{\}),? ?){0,6}\}"#) {
        let _ = Participant::decode(doc.as_bytes());
    }
}
