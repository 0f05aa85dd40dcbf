//! Participant resource: fixtures, serde-json-core traps, round trips, bad input.
use confpart::api::participant::{Participant, Status};
use confpart::api::path::PathStyle;
use confpart::wire::date::Timestamp;
use confpart::wire::ident::{AccountSid, CallSid, ConferenceSid, Label};
use confpart::wire::json::{JsonError, JsonErrorKind, JsonStr};
use proptest::prelude::*;

const AC: &str = "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const CF: &str = "CFaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const CA: &str = "CAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

fn ts(s: &str) -> Timestamp {
    Timestamp::parse(s.as_bytes()).unwrap()
}

fn at(
    kind: JsonErrorKind,
    offset: usize,
    field: &'static str,
) -> Result<Participant<'static>, JsonError> {
    Err(JsonError::new(kind, offset).in_field(field))
}

#[test]
fn fixture_update_mute() {
    let p = Participant::decode(include_bytes!(
        "../../tests/fixtures/twilio-update-mute.json"
    ))
    .unwrap();
    let uri = format!("/2010-04-01/Accounts/{AC}/Conferences/{CF}/Participants/{CA}.json");
    let expected = Participant::new()
        .with_account_sid(AccountSid::parse(AC).unwrap())
        .with_call_sid(CallSid::parse(CA).unwrap())
        .with_conference_sid(ConferenceSid::parse(CF).unwrap())
        .with_date_created(ts("Fri, 18 Feb 2011 21:07:19 +0000"))
        .with_date_updated(ts("Fri, 18 Feb 2011 21:07:19 +0000"))
        .with_end_conference_on_exit(false)
        .with_muted(true)
        .with_hold(false)
        .with_status(Status::Connected)
        .with_start_conference_on_enter(true)
        .with_coaching(false)
        .with_uri(uri.as_str());
    assert_eq!(p.label(), None);
    assert_eq!(p.call_sid_to_coach(), None);
    assert_eq!(p.queue_time(), None);
    // The same uri, derived from the SIDs.
    assert_eq!(p, expected.with_derived_uri(PathStyle::Twilio));
    assert_eq!(p, expected);
    assert_eq!(p.date_created().unwrap().unix(), 1_298_063_239);
}

#[test]
fn fixture_update_hold() {
    let p = Participant::decode(include_bytes!(
        "../../tests/fixtures/twilio-update-hold.json"
    ))
    .unwrap();
    assert_eq!(p.hold(), Some(true));
    assert_eq!(p.muted(), Some(false));
    assert_eq!(p.status(), Some(Status::Connected));
}

#[test]
fn fixture_create_has_queue_time_string_and_label() {
    let p = Participant::decode(include_bytes!("../../tests/fixtures/twilio-create.json")).unwrap();
    assert_eq!(p.status(), Some(Status::Queued));
    assert!(p.queue_time().unwrap().eq_str("1000"));
    assert_eq!(
        p.label().unwrap(),
        JsonStr::text(Label::new("customer").unwrap().as_str())
    );
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
        assert_eq!(n, p.encoded_len());
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
    let doc = br#"{"call_sid": "CAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "label": "a\"b\\c \u00e9 \ud83d\ude00", "uri": "\/x\t\u0041", "status": "connected"}"#;
    let p = Participant::decode(doc).unwrap();
    assert!(p.label().unwrap().eq_str("a\"b\\c é 😀"));
    assert_eq!(p.uri().unwrap().to_string(), "/x\tA");
    let mut buf = [0u8; 8];
    assert_eq!(p.uri().unwrap().unescape_into(&mut buf), Ok("/x\tA"));
}

#[test]
fn label_with_newline_is_rejected_as_invalid_label() {
    // A label may not hold control characters (it could not go into a path).
    let doc = br#"{"label": "a\nb", "call_sid": "CAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}"#;
    assert_eq!(
        Participant::decode(doc),
        at(JsonErrorKind::InvalidValue, 10, "label")
    );
    // Every label rule, on unescaped characters too.
    for bad in [
        r"a\/b",
        r"a/b",
        r"\u002e",
        "..",
        r"CA\u0061aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    ] {
        let doc = format!(r#"{{"call_sid": "{CA}", "label": "{bad}"}}"#);
        assert_eq!(
            Participant::decode(doc.as_bytes()),
            at(JsonErrorKind::InvalidValue, 60, "label"),
            "{bad}"
        );
    }
    let long = format!(
        r#"{{"call_sid": "{CA}", "label": "{}"}}"#,
        r"\u00e9".repeat(129)
    );
    assert_eq!(
        Participant::decode(long.as_bytes()),
        at(JsonErrorKind::InvalidValue, 60, "label")
    );
    let ok = format!(
        r#"{{"call_sid": "{CA}", "label": "{}"}}"#,
        r"\u00e9".repeat(128)
    );
    assert_eq!(
        Participant::decode(ok.as_bytes())
            .unwrap()
            .label()
            .unwrap()
            .chars()
            .count(),
        128
    );
}

#[test]
fn emoji_escapes_anywhere_are_fine() {
    // serde-json-core's from_slice_escaped rejects this whole document.
    let doc = br#"{"unknown": "\ud83d\ude00", "muted": true, "call_sid": "CAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}"#;
    assert_eq!(Participant::decode(doc).unwrap().muted(), Some(true));
}

#[test]
fn deep_nesting_in_unknown_field_is_rejected() {
    let mut doc = br#"{"muted": true, "x": "#.to_vec();
    doc.extend(std::iter::repeat_n(b'[', 100_000));
    doc.extend(std::iter::repeat_n(b']', 100_000));
    doc.push(b'}');
    assert_eq!(
        Participant::decode(&doc),
        Err(JsonError::new(JsonErrorKind::TooDeep, 28))
    );
    // A known field is never a container: the wrong type is seen first.
    assert_eq!(
        Participant::decode(br#"{"muted": [[[[[[[[[]]]]]]]]]}"#),
        at(
            JsonErrorKind::WrongType {
                expected: "a boolean or null"
            },
            10,
            "muted"
        )
    );
}

#[test]
fn control_characters_and_garbage_scalars_are_rejected() {
    use JsonErrorKind::*;
    assert_eq!(
        Participant::decode(b"{\"x\": \"a\x01b\", \"muted\": true}"),
        Err(JsonError::new(ControlCharacter, 8))
    );
    assert_eq!(
        Participant::decode(br#"{"x": tru, "muted": true}"#),
        Err(JsonError::new(UnexpectedByte { byte: b',' }, 9))
    );
    assert_eq!(
        Participant::decode(br#"{"x": 01, "muted": true}"#),
        Err(JsonError::new(InvalidNumber, 7))
    );
    assert_eq!(
        Participant::decode(br#"{"x": "\ud83d", "muted": true}"#),
        Err(JsonError::new(LoneSurrogate, 7))
    );
    assert_eq!(
        Participant::decode(br#"{"label": "\ud83d", "muted": true}"#),
        at(LoneSurrogate, 11, "label")
    );
    assert_eq!(
        Participant::decode(b"{\"uri\": \"\xff\"}"),
        at(InvalidUtf8, 9, "uri")
    );
}

#[test]
fn nulls_missing_fields_and_extra_keys() {
    let p = Participant::decode(
        br#"{"label": null, "status": null, "extra": {"a": [1, 2.5e3, null]}, "call_sid": "CAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}"#,
    )
    .unwrap();
    let only_sid = Participant::new().with_call_sid(CallSid::parse(CA).unwrap());
    assert_eq!(p, only_sid);
    assert_eq!(
        Participant::decode(br#"{"call_sid": "CAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}"#).unwrap(),
        only_sid
    );
}

#[test]
fn other_bodies_are_not_participants() {
    use JsonErrorKind::*;
    assert_eq!(Participant::decode(b"{}"), at(Missing, 1, "call_sid"));
    assert_eq!(
        Participant::decode(br#"{"muted": true, "call_sid": null}"#),
        at(Missing, 32, "call_sid")
    );
    assert_eq!(
        Participant::decode(br#"{"code": 20404, "message": "Not found"}"#),
        at(Missing, 38, "call_sid")
    );
    assert_eq!(
        Participant::decode(br#"{"participants": [], "page": 0}"#),
        at(Missing, 30, "call_sid")
    );
}

#[test]
fn empty_strings_are_absent_in_every_field() {
    let doc = format!(
        r#"{{"call_sid": "{CA}", "account_sid": "", "conference_sid": "", "call_sid_to_coach": "",
            "label": "", "date_created": "", "date_updated": "", "status": "", "queue_time": "", "uri": ""}}"#
    );
    let p = Participant::decode(doc.as_bytes()).unwrap();
    assert_eq!(
        p,
        Participant::new().with_call_sid(CallSid::parse(CA).unwrap())
    );
    assert_eq!(p.status_text(), None);
    // `""` for call_sid is a missing call_sid.
    assert_eq!(
        Participant::decode(br#"{"call_sid": ""}"#),
        at(JsonErrorKind::Missing, 15, "call_sid")
    );
    // The builder follows the same rule.
    let built = Participant::new()
        .with_label("")
        .with_queue_time("")
        .with_uri("")
        .with_status_text("");
    assert_eq!(
        (
            built.label(),
            built.queue_time(),
            built.uri(),
            built.status()
        ),
        (None, None, None, None)
    );
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
    assert_eq!(p.status(), Some(Status::InProgress));
    assert_eq!(p.label(), None);
    assert_eq!(p.date_created(), p.date_updated());
    // The LaML uri is the one derived from the SIDs.
    assert_eq!(p, p.with_derived_uri(PathStyle::Laml));
    assert_ne!(p, p.with_derived_uri(PathStyle::Twilio));
    assert_eq!(
        Participant::decode(format!(r#"{{"call_sid": "{CA}", "status": "completed"}}"#).as_bytes())
            .unwrap()
            .status(),
        Some(Status::Completed)
    );
    // Escaped dates and SIDs are unescaped first.
    let doc = br#"{"call_sid": "C\u0041aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "date_created": "Fri, 18 Feb 2011 21:07:19 \u002b0000"}"#;
    let p = Participant::decode(doc).unwrap();
    assert_eq!(p.call_sid().unwrap().as_str(), CA);
    assert_eq!(
        p.date_created(),
        Some(ts("Fri, 18 Feb 2011 21:07:19 +0000"))
    );
}

#[test]
fn unknown_status_is_kept() {
    let doc = |status: &str| format!(r#"{{"call_sid": "{CA}", "status": "{status}"}}"#);
    let d = doc("on-fire");
    let p = Participant::decode(d.as_bytes()).unwrap();
    assert_eq!(p.status(), Some(Status::Unknown));
    assert!(p.status_text().unwrap().eq_str("on-fire"));
    // Any length, raw.
    let long = "a-status-text-longer-than-the-old-capacity-".repeat(20);
    let d = doc(&long);
    let p = Participant::decode(d.as_bytes()).unwrap();
    assert_eq!(p.status(), Some(Status::Unknown));
    assert_eq!(p.status_text().unwrap().raw(), long);
    // Escaped known values are known; escaped unknown ones are kept escaped.
    let d = doc(r"c\u006fnnected");
    assert_eq!(
        Participant::decode(d.as_bytes()).unwrap().status(),
        Some(Status::Connected)
    );
    let d = doc(r"n\u00e9w");
    let p = Participant::decode(d.as_bytes()).unwrap();
    assert_eq!(p.status_text().unwrap().raw(), r"n\u00e9w");
    assert!(p.status_text().unwrap().eq_str("néw"));
    // And written back as they came.
    let mut buf = [0u8; 2048];
    let n = p.encode_to_slice(&mut buf).unwrap();
    assert!(
        std::str::from_utf8(&buf[..n])
            .unwrap()
            .contains(r#""status":"n\u00e9w""#)
    );
    assert_eq!(Participant::decode(&buf[..n]).unwrap(), p);
}

#[test]
fn wrong_types_and_bad_values_are_typed_errors() {
    use JsonErrorKind::*;
    let with = |rest: &str| format!(r#"{{"call_sid": "{CA}", {rest}}}"#);
    let decode = |d: &str| Participant::decode(d.as_bytes()).map(|_| ());
    let err = |kind, offset, field| Err(JsonError::new(kind, offset).in_field(field));
    let boolean = WrongType {
        expected: "a boolean or null",
    };
    let string = WrongType {
        expected: "a string or null",
    };
    assert_eq!(
        decode(&with(r#""muted": "true""#)),
        err(boolean, 60, "muted")
    );
    assert_eq!(
        decode(&with(r#""queue_time": 1000"#)),
        err(string, 65, "queue_time")
    );
    assert_eq!(
        decode(&with(r#""muted": true, "muted": false"#)),
        err(DuplicateKey, 66, "muted")
    );
    assert_eq!(
        decode(&with(r#""call_sid": "CAbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb""#)),
        err(DuplicateKey, 51, "call_sid")
    );
    // Unknown keys may repeat (as serde_json accepts).
    assert_eq!(decode(&with(r#""x": 1, "x": 2"#)), Ok(()));
    // Escaped keys are the same keys.
    assert_eq!(
        decode(&with(r#""muted": true, "m\u0075ted": false"#)),
        err(DuplicateKey, 66, "muted")
    );
    assert_eq!(
        Participant::decode(b"[]"),
        Err(JsonError::new(
            WrongType {
                expected: "an object"
            },
            0
        ))
    );
    assert_eq!(
        decode(r#"{"call_sid": "CA123"}"#),
        err(InvalidValue, 13, "call_sid")
    );
    assert_eq!(
        decode(&with(r#""date_created": "yesterday""#)),
        err(InvalidValue, 67, "date_created")
    );
    assert_eq!(
        decode(&with(r#""account_sid": 5"#)),
        err(string, 66, "account_sid")
    );
    // Texts have no capacity any more: a long uri is kept whole.
    let long_uri = with(&format!(r#""uri": "/{}""#, "a".repeat(3000)));
    let p = Participant::decode(long_uri.as_bytes()).unwrap();
    assert_eq!(p.uri().unwrap().raw().len(), 3001);
}

#[test]
fn fits_in_400_bytes() {
    // Four SIDs of `SID_CAPACITY` (64: a Telnyx call-control id) and seven
    // borrowed strings (Telnyx's `call_sid_legacy`,
    // `coaching_call_sid_legacy` and `api_version` among them, 16 bytes
    // each here, 8 on a 32-bit firmware target): a view a firmware client
    // keeps on its stack.
    assert!(std::mem::size_of::<Participant<'_>>() <= 400);
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

/// Owned values a participant view is built from.
#[derive(Debug, Clone)]
struct Spec {
    a: Option<AccountSid>,
    c: CallSid,
    f: Option<ConferenceSid>,
    t: Option<CallSid>,
    label: Option<String>,
    created: Option<Timestamp>,
    updated: Option<Timestamp>,
    bools: [Option<bool>; 5],
    status: Option<Status>,
    unknown_status: Option<String>,
    queue_time: Option<String>,
    uri: Option<String>,
    derived: Option<PathStyle>,
}

impl Spec {
    fn build(&self) -> Participant<'_> {
        let mut p = Participant::new()
            .with_account_sid(self.a)
            .with_call_sid(self.c)
            .with_conference_sid(self.f)
            .with_call_sid_to_coach(self.t)
            .with_date_created(self.created)
            .with_date_updated(self.updated)
            .with_end_conference_on_exit(self.bools[0])
            .with_muted(self.bools[1])
            .with_hold(self.bools[2])
            .with_start_conference_on_enter(self.bools[3])
            .with_coaching(self.bools[4])
            .with_status(self.status);
        if let Some(text) = &self.unknown_status {
            p = p.with_status_text(text.as_str());
        }
        if let Some(l) = &self.label {
            p = p.with_label(l.as_str());
        }
        if let Some(q) = &self.queue_time {
            p = p.with_queue_time(q.as_str());
        }
        if let Some(u) = &self.uri {
            p = p.with_uri(u.as_str());
        }
        if let Some(style) = self.derived {
            p = p.with_derived_uri(style);
        }
        p
    }
}

prop_compose! {
    fn spec()(
        a in proptest::option::of(sid_hex()), c in sid_hex(),
        f in proptest::option::of(sid_hex()), t in proptest::option::of(sid_hex()),
        label in proptest::option::of("[^/\\x00-\\x1f\\x7f-\\u{9f}]{1,40}"),
        created in proptest::option::of(0u64..=Timestamp::MAX_UNIX),
        updated in proptest::option::of(0u64..=Timestamp::MAX_UNIX),
        bools in any::<[Option<bool>; 5]>(),
        status in proptest::option::of(prop_oneof![
            Just(Status::Queued), Just(Status::Connecting), Just(Status::Ringing),
            Just(Status::Connected), Just(Status::Complete), Just(Status::Failed),
            Just(Status::InProgress), Just(Status::Completed),
        ]),
        unknown_status in proptest::option::of("[a-z\"\\\\ é\u{1}😀]{1,40}"),
        queue_time in proptest::option::of("[0-9]{1,20}"),
        uri in proptest::option::of(".{0,60}"),
        derived in proptest::option::of(prop_oneof![Just(PathStyle::Twilio), Just(PathStyle::Laml)]),
    ) -> Spec {
        Spec {
            a: a.map(|h| AccountSid::parse(&format!("AC{h}")).unwrap()),
            c: CallSid::parse(&format!("CA{c}")).unwrap(),
            label: label.filter(|l| Label::check(l).is_ok()),
            f: f.map(|h| ConferenceSid::parse(&format!("CF{h}")).unwrap()),
            created: created.map(|u| Timestamp::from_unix(u).unwrap()),
            updated: updated.map(|u| Timestamp::from_unix(u).unwrap()),
            bools,
            status,
            unknown_status: unknown_status.filter(|s| Status::parse(s) == Some(Status::Unknown)),
            t: t.map(|h| CallSid::parse(&format!("CA{h}")).unwrap()),
            queue_time,
            uri,
            derived,
        }
    }
}

proptest! {
    #[test]
    fn encode_decode_is_identity(spec in spec()) {
        let p = spec.build();
        let mut buf = [0u8; 4096];
        let n = p.encode_to_slice(&mut buf).unwrap();
        prop_assert_eq!(n, p.encoded_len());
        let back = Participant::decode(&buf[..n]).unwrap();
        prop_assert_eq!(back, p);
        // Bounds of a decoded view (JSON contents, exact) and of a built one.
        prop_assert_eq!(back.encoded_len_bounds(), (n, n));
        let (low, high) = p.encoded_len_bounds();
        prop_assert!(low <= n && n <= high);
        // Every field, one by one (and a decoded view re-encodes byte for byte).
        prop_assert_eq!(back.account_sid(), spec.a.as_ref());
        prop_assert_eq!(back.call_sid(), Some(&spec.c));
        prop_assert_eq!(back.conference_sid(), spec.f.as_ref());
        prop_assert_eq!(back.call_sid_to_coach(), spec.t.as_ref());
        prop_assert_eq!(back.date_created(), spec.created);
        prop_assert_eq!(back.date_updated(), spec.updated);
        prop_assert_eq!(back.muted(), spec.bools[1]);
        prop_assert_eq!(back.coaching(), spec.bools[4]);
        prop_assert_eq!(back.label().map(|l| l.to_string()), spec.label.clone());
        prop_assert_eq!(back.queue_time().map(|l| l.to_string()), spec.queue_time.clone());
        let want_status = spec.unknown_status.clone().or(spec.status.map(|s| s.as_str().to_string()));
        prop_assert_eq!(back.status_text().map(|s| s.to_string()), want_status);
        let mut again = [0u8; 4096];
        let m = back.encode_to_slice(&mut again).unwrap();
        prop_assert_eq!(&again[..m], &buf[..n]);
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

#[cfg(feature = "serde")]
#[test]
fn serde_feature_serializes_like_encode() {
    let doc = br#"{"call_sid": "CAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "label": "Ren\u00e9", "status": "on-\u00e9", "date_created": "Fri, 18 Feb 2011 21:07:19 +0000"}"#;
    let decoded = Participant::decode(doc).unwrap();
    let built = decoded
        .with_account_sid(AccountSid::parse(AC).unwrap())
        .with_conference_sid(ConferenceSid::parse(CF).unwrap())
        .with_derived_uri(PathStyle::Laml);
    for p in [decoded, built] {
        let via_serde = serde_json::to_value(p).unwrap();
        let mut buf = [0u8; 2048];
        let n = p.encode_to_slice(&mut buf).unwrap();
        let via_encode: serde_json::Value = serde_json::from_slice(&buf[..n]).unwrap();
        assert_eq!(via_serde, via_encode);
    }
}

/// A sink over a buffer that does not offer it ([`Sink::buffer`] is `None`):
/// the answer writer counts the JSON first, then writes, as it did before
/// the one-pass path. The oracle of the test below.
struct TwoPass<'a>(confpart::wire::sink::SliceSink<'a>);

impl confpart::wire::sink::Sink for TwoPass<'_> {
    fn put(&mut self, bytes: &[u8]) -> Result<(), confpart::wire::sink::WriteError> {
        self.0.put(bytes)
    }
}

proptest! {
    /// The participant answer written in one pass into a `SliceSink` (the
    /// `Content-Length` filled in after the JSON) is the two-pass answer
    /// (JSON counted first), at every buffer size, errors included.
    #[test]
    fn answer_one_pass_equals_two_pass(
        spec in spec(),
        status in prop_oneof![Just(200u16), Just(201), Just(204), Just(99), Just(404)],
        close in any::<bool>(),
        cap in any::<proptest::sample::Index>(),
        pad in 0usize..3000,
    ) {
        use confpart::bridge::write_participant;
        use confpart::wire::http::Connection;
        use confpart::wire::sink::SliceSink;

        let p = spec.build();
        let (low, high) = p.encoded_len_bounds();
        prop_assert!(low <= p.encoded_len() && p.encoded_len() <= high, "{} {} {}", low, p.encoded_len(), high);
        let connection = if close { Connection::Close } else { Connection::KeepAlive };
        let mut want = vec![0u8; 8192];
        let mut two = TwoPass(SliceSink::new(&mut want));
        let want_result = write_participant(&mut two, status, &p, connection);
        let want_len = two.0.len();
        let mut got = vec![0u8; 8192];
        let mut one = SliceSink::new(&mut got);
        prop_assert_eq!(write_participant(&mut one, status, &p, connection), want_result);
        prop_assert_eq!(one.written(), &want[..want_len]);
        if want_result.is_ok() {
            let text = String::from_utf8(want[..want_len].to_vec()).unwrap();
            let (head, body) = text.split_once("\r\n\r\n").unwrap();
            let line = head.lines().find(|l| l.starts_with("Content-Length: ")).unwrap();
            prop_assert_eq!(line["Content-Length: ".len()..].parse::<usize>().unwrap(), body.len());
            prop_assert_eq!(body.len(), p.encoded_len());
        }
        let size = cap.index(want_len + 1);
        for size in [size, want_len, want_len + 1, want_len + 9, want_len + pad] {
            let mut a = vec![0u8; size];
            let mut b = vec![0u8; size];
            let mut two = TwoPass(SliceSink::new(&mut a));
            let mut one = SliceSink::new(&mut b);
            prop_assert_eq!(
                write_participant(&mut one, status, &p, connection),
                write_participant(&mut two, status, &p, connection)
            );
            prop_assert_eq!(one.written(), two.0.written());
        }
    }
}

proptest! {
    /// A label given with every character escaped (`\uXXXX`, surrogate
    /// pairs for the others) is accepted exactly when the text is a valid
    /// label (or empty: no label).
    #[test]
    fn escaped_labels_follow_the_label_rules(
        s in "\\.{1,3}|CA[0-9a-fA-F]{30,34}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[a-z/é😀\\x00-\\x1f\\x7f. ]{0,40}|.{0,140}"
    ) {
        let escaped: String = s.encode_utf16().map(|u| format!("\\u{u:04x}")).collect();
        let doc = format!(r#"{{"call_sid": "{CA}", "label": "{escaped}"}}"#);
        let decoded = Participant::decode(doc.as_bytes());
        prop_assert_eq!(decoded.is_ok(), s.is_empty() || Label::check(&s).is_ok(), "{:?}", s);
    }
}

// --- Telnyx TeXML. ------------------------------------------------------

mod telnyx {
    use super::*;
    use confpart::api::participant::{Reply, TELNYX_API_VERSION};
    use confpart::api::path::Dialect;
    use confpart::wire::sink::SliceSink;
    use serde_json::Value;

    const TX_AC: &str = "61bf923e-5e4d-4595-a110-56190ea18a1b";
    const TX_CF: &str = "6dc6cc1a-1ba1-4351-86b8-4c22c95cd98f";
    const TX_CA: &str = "v3:9X2vxPDFOr0qjPUjm2avpRlexwBDHbBk3wAhMM2qDqpDRtbpxtvT-aiQ";
    const TX_CA2: &str = "v3:MdI91X4lWFEs7IgbBEOT9M4AigoY08M0WWZFISt1Yw2axZ_IiE4pqg";
    const RESOURCE: &[u8] = include_bytes!("../../tests/fixtures/telnyx-participant.json");
    const CREATED: &[u8] = include_bytes!("../../tests/fixtures/telnyx-create.json");

    fn write(p: &Participant<'_>, dialect: Dialect, reply: Reply) -> Vec<u8> {
        let mut buf = vec![0u8; 8192];
        let mut sink = SliceSink::new(&mut buf);
        p.encode_for(dialect, reply, &mut sink).unwrap();
        let out = sink.written().to_vec();
        assert_eq!(out.len(), p.encoded_len_for(dialect, reply));
        let (low, high) = p.encoded_len_bounds_for(dialect, reply);
        assert!(low <= out.len() && out.len() <= high);
        out
    }

    /// The document without its `null` members (Telnyx's encoding omits
    /// absent fields).
    fn without_nulls(v: Value) -> Value {
        match v {
            Value::Object(m) => {
                Value::Object(m.into_iter().filter(|(_, v)| !v.is_null()).collect())
            }
            other => other,
        }
    }

    /// What a Telnyx answer keeps of `p` ([`Participant::encode_for`]'s rules).
    fn projected<'a>(p: &Participant<'a>, reply: Reply) -> Participant<'a> {
        let mut q = p
            .with_label("")
            .with_start_conference_on_enter(None)
            .with_queue_time("");
        if p.api_version().is_none() {
            q = q.with_api_version(TELNYX_API_VERSION);
        }
        if reply == Reply::Created {
            q = q
                .with_api_version("")
                .with_call_sid_legacy("")
                .with_coaching_call_sid_legacy("")
                .with_date_created(None)
                .with_date_updated(None);
        }
        q
    }

    #[test]
    fn fixture_resource() {
        let p = Participant::decode(RESOURCE).unwrap();
        let expected = Participant::new()
            .with_account_sid(AccountSid::parse(TX_AC).unwrap())
            .with_api_version("v2/texml")
            .with_call_sid(CallSid::parse(TX_CA).unwrap())
            .with_call_sid_legacy("ef3d9cd4-0b6c-11ee-a3dd-02420a0f6868")
            .with_coaching(false)
            .with_conference_sid(ConferenceSid::parse(TX_CF).unwrap())
            .with_date_created(ts("Thu, 15 Jun 2023 09:56:45 +0000"))
            .with_date_updated(ts("Thu, 15 Jun 2023 09:57:02 +0000"))
            .with_end_conference_on_exit(false)
            .with_hold(false)
            .with_muted(true)
            .with_status(Status::Connected)
            .with_derived_uri(PathStyle::Texml);
        assert_eq!(p, expected);
        assert_eq!(p.coaching_call_sid(), None);
        assert_eq!(p.coaching_call_sid_legacy(), None);
        assert_eq!(p.label(), None);
        assert_eq!(
            p.uri().unwrap().raw(),
            format!("/v2/texml/Accounts/{TX_AC}/Conferences/{TX_CF}/Participants/{TX_CA}.json")
        );
    }

    #[test]
    fn fixture_create_answer() {
        let p = Participant::decode(CREATED).unwrap();
        assert_eq!(p.call_sid().unwrap().as_str(), TX_CA2);
        assert_eq!(p.status(), Some(Status::Connecting));
        assert_eq!(
            (p.muted(), p.hold(), p.coaching()),
            (Some(false), Some(false), Some(false))
        );
        assert_eq!(
            (p.api_version(), p.date_created(), p.call_sid_legacy()),
            (None, None, None)
        );
        assert!(
            p.uri()
                .unwrap()
                .raw()
                .ends_with(&format!("/Participants/{TX_CA2}.json"))
        );
    }

    #[test]
    fn every_status_of_telnyx_is_known() {
        for (text, status) in [
            ("connecting", Status::Connecting),
            ("connected", Status::Connected),
            ("completed", Status::Completed),
        ] {
            let doc = format!(r#"{{"call_sid": "{TX_CA}", "status": "{text}"}}"#);
            assert_eq!(
                Participant::decode(doc.as_bytes()).unwrap().status(),
                Some(status)
            );
        }
    }

    /// Differential against serde_json: the fixtures re-encoded in
    /// Telnyx's shape are the fixtures (same members and values, `null`
    /// members omitted), in the fixtures' key order.
    #[test]
    fn fixtures_reencode_as_themselves() {
        for (doc, reply) in [(RESOURCE, Reply::Resource), (CREATED, Reply::Created)] {
            let p = Participant::decode(doc).unwrap();
            let out = write(&p, Dialect::Telnyx, reply);
            let want = without_nulls(serde_json::from_slice(doc).unwrap());
            let got: Value = serde_json::from_slice(&out).unwrap();
            assert_eq!(got, want);
            let want_order: Vec<&String> = want.as_object().unwrap().keys().collect();
            let text = std::str::from_utf8(&out).unwrap();
            let positions: Vec<usize> = want_order
                .iter()
                .map(|k| text.find(&format!("\"{k}\":")).unwrap())
                .collect();
            assert!(positions.windows(2).all(|w| w[0] < w[1]), "{text}");
        }
    }

    #[test]
    fn created_answer_is_the_smaller_shape() {
        let p = Participant::decode(RESOURCE)
            .unwrap()
            .with_label("desk")
            .with_queue_time("12")
            .with_start_conference_on_enter(true)
            .with_coaching(true)
            .with_call_sid_to_coach(CallSid::parse(TX_CA2).unwrap())
            .with_coaching_call_sid_legacy("legacy-2");
        let created: Value =
            serde_json::from_slice(&write(&p, Dialect::Telnyx, Reply::Created)).unwrap();
        let keys: Vec<&str> = created
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let mut want = vec![
            "account_sid",
            "call_sid",
            "coaching",
            "coaching_call_sid",
            "conference_sid",
            "end_conference_on_exit",
            "hold",
            "muted",
            "status",
            "uri",
        ];
        want.sort_unstable();
        assert_eq!(keys, want);
        assert_eq!(created["coaching_call_sid"], TX_CA2);
        let resource: Value =
            serde_json::from_slice(&write(&p, Dialect::Telnyx, Reply::Resource)).unwrap();
        let keys: Vec<&str> = resource
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let mut want = vec![
            "account_sid",
            "api_version",
            "call_sid",
            "call_sid_legacy",
            "coaching",
            "coaching_call_sid",
            "coaching_call_sid_legacy",
            "conference_sid",
            "date_created",
            "date_updated",
            "end_conference_on_exit",
            "hold",
            "muted",
            "status",
            "uri",
        ];
        want.sort_unstable();
        assert_eq!(keys, want);
        assert_eq!(resource["coaching_call_sid_legacy"], "legacy-2");
    }

    #[test]
    fn unset_fields_are_omitted_and_an_empty_participant_is_an_empty_object() {
        let empty = Participant::new();
        assert_eq!(write(&empty, Dialect::Telnyx, Reply::Created), b"{}");
        assert_eq!(
            write(&empty, Dialect::Telnyx, Reply::Resource),
            br#"{"api_version":"v2/texml"}"#
        );
        // A derived uri without its SIDs is no uri.
        let p = Participant::new()
            .with_muted(false)
            .with_derived_uri(PathStyle::Texml);
        assert_eq!(
            write(&p, Dialect::Telnyx, Reply::Created),
            br#"{"muted":false}"#
        );
        // Texts are escaped, an unknown status is kept.
        let p = Participant::new()
            .with_call_sid_legacy("a\"b")
            .with_status_text("on-\u{e9}");
        assert_eq!(
            write(&p, Dialect::Telnyx, Reply::Resource),
            "{\"api_version\":\"v2/texml\",\"call_sid_legacy\":\"a\\\"b\",\"status\":\"on-\u{e9}\"}".as_bytes()
        );
    }

    #[test]
    fn twilio_and_signalwire_keep_their_bytes() {
        let p = Participant::decode(RESOURCE).unwrap();
        for dialect in [Dialect::Twilio, Dialect::SignalWire] {
            for reply in [Reply::Resource, Reply::Created] {
                let mut buf = vec![0u8; 4096];
                let n = p.encode_to_slice(&mut buf).unwrap();
                assert_eq!(write(&p, dialect, reply), &buf[..n]);
                assert_eq!(
                    p.encoded_len_bounds_for(dialect, reply),
                    p.encoded_len_bounds()
                );
            }
        }
    }

    #[test]
    fn the_coach_target_has_two_names_and_is_one_field() {
        let doc = format!(
            r#"{{"call_sid": "{TX_CA}", "coaching_call_sid": "{TX_CA2}", "coaching_call_sid_legacy": "x"}}"#
        );
        let p = Participant::decode(doc.as_bytes()).unwrap();
        assert_eq!(p.call_sid_to_coach().unwrap().as_str(), TX_CA2);
        assert!(p.coaching_call_sid_legacy().unwrap().eq_str("x"));
        // Both names in one document: the field twice.
        let doc = format!(
            r#"{{"call_sid": "{TX_CA}", "call_sid_to_coach": "{TX_CA2}", "coaching_call_sid": "{TX_CA2}"}}"#
        );
        let e = Participant::decode(doc.as_bytes()).unwrap_err();
        assert_eq!(
            (e.kind, e.field),
            (JsonErrorKind::DuplicateKey, Some("coaching_call_sid"))
        );
        // Telnyx's texts are checked as JSON strings.
        let doc = format!(r#"{{"call_sid": "{TX_CA}", "api_version": 2}}"#);
        let e = Participant::decode(doc.as_bytes()).unwrap_err();
        assert_eq!(e.field, Some("api_version"));
        let doc =
            format!(r#"{{"call_sid": "{TX_CA}", "call_sid_legacy": "a", "call_sid_legacy": "b"}}"#);
        let e = Participant::decode(doc.as_bytes()).unwrap_err();
        assert_eq!(
            (e.kind, e.field),
            (JsonErrorKind::DuplicateKey, Some("call_sid_legacy"))
        );
        // A bad coach target is a typed error under Telnyx's name.
        let doc = format!(r#"{{"call_sid": "{TX_CA}", "coaching_call_sid": "nope"}}"#);
        let e = Participant::decode(doc.as_bytes()).unwrap_err();
        assert_eq!(
            (e.kind, e.field),
            (JsonErrorKind::InvalidValue, Some("coaching_call_sid"))
        );
    }

    #[test]
    fn the_longest_derived_uri_compares_equal_to_its_text() {
        // `/api/laml/2010-04-01`, Twilio account and conference SIDs and a
        // 64-byte call-control id: 194 bytes.
        let call = format!("v3:{}", "a".repeat(61));
        let p = Participant::new()
            .with_account_sid(AccountSid::parse(AC).unwrap())
            .with_conference_sid(ConferenceSid::parse(CF).unwrap())
            .with_call_sid(CallSid::parse(&call).unwrap())
            .with_derived_uri(PathStyle::Laml);
        let mut buf = [0u8; 1024];
        let n = p.encode_to_slice(&mut buf).unwrap();
        let back = Participant::decode(&buf[..n]).unwrap();
        assert_eq!(back.uri().unwrap().raw().len(), 194);
        assert_eq!(back, p);
        assert_ne!(back.with_uri("/other.json"), p);
    }

    #[test]
    fn small_buffer_is_an_error_in_telnyx_shape_too() {
        let p = Participant::decode(RESOURCE).unwrap();
        let n = p.encoded_len_for(Dialect::Telnyx, Reply::Resource);
        for size in [0, 1, n / 2, n - 1] {
            let mut buf = vec![0u8; size];
            let mut sink = SliceSink::new(&mut buf);
            assert!(
                p.encode_for(Dialect::Telnyx, Reply::Resource, &mut sink)
                    .is_err()
            );
        }
    }

    prop_compose! {
        fn telnyx_spec()(
            spec in spec(),
            call in proptest::option::of("v3:[A-Za-z0-9_-]{1,61}"),
            coach in proptest::option::of("v3:[A-Za-z0-9_-]{1,61}"),
            legacy in proptest::option::of("[a-zA-Z0-9\"\\\\é😀\u{1} -]{1,40}"),
            coach_legacy in proptest::option::of("[a-zA-Z0-9\"\\\\é😀\u{1} -]{1,40}"),
            api_version in proptest::option::of("[a-z0-9/\"]{1,12}"),
            texml in any::<bool>(),
        ) -> (Spec, Option<String>, Option<String>, Option<String>, Option<String>, Option<String>, bool) {
            (spec, call, coach, legacy, coach_legacy, api_version, texml)
        }
    }

    proptest! {
        /// Telnyx's shapes: what is written is JSON serde_json reads with the
        /// participant's values (the differential), decodes back to the
        /// participant as Telnyx keeps it, and re-encodes byte for byte;
        /// the announced length is the written one.
        #[test]
        fn telnyx_encode_decode_round_trip(
            (spec, call, coach, legacy, coach_legacy, api_version, texml) in telnyx_spec(),
            created in any::<bool>(),
        ) {
            let reply = if created { Reply::Created } else { Reply::Resource };
            let mut p = spec.build();
            if let Some(c) = &call {
                p = p.with_call_sid(CallSid::parse(c).unwrap());
            }
            if let Some(c) = &coach {
                p = p.with_call_sid_to_coach(CallSid::parse(c).unwrap());
            }
            if let Some(l) = &legacy {
                p = p.with_call_sid_legacy(l.as_str());
            }
            if let Some(l) = &coach_legacy {
                p = p.with_coaching_call_sid_legacy(l.as_str());
            }
            if let Some(v) = &api_version {
                p = p.with_api_version(v.as_str());
            }
            if texml {
                p = p.with_derived_uri(PathStyle::Texml);
            }
            let out = write(&p, Dialect::Telnyx, reply);
            let back = Participant::decode(&out).unwrap();
            prop_assert_eq!(back, projected(&p, reply));
            prop_assert_eq!(write(&back, Dialect::Telnyx, reply), out.clone());
            // The oracle: serde_json reads the same values.
            let v: Value = serde_json::from_slice(&out).unwrap();
            let s = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_owned);
            prop_assert_eq!(s("call_sid"), p.call_sid().map(|c| c.as_str().to_owned()));
            prop_assert_eq!(s("coaching_call_sid"), p.call_sid_to_coach().map(|c| c.as_str().to_owned()));
            prop_assert_eq!(v.get("muted").and_then(Value::as_bool), p.muted());
            prop_assert_eq!(v.get("hold").and_then(Value::as_bool), p.hold());
            prop_assert_eq!(s("status"), p.status_text().map(|t| t.to_string()));
            for absent in ["label", "queue_time", "start_conference_on_enter", "call_sid_to_coach"] {
                prop_assert!(v.get(absent).is_none());
            }
            prop_assert!(v.as_object().unwrap().values().all(|m| !m.is_null()));
            if reply == Reply::Resource {
                prop_assert_eq!(s("call_sid_legacy"), legacy.clone());
                prop_assert_eq!(s("coaching_call_sid_legacy"), coach_legacy.clone());
                prop_assert_eq!(s("api_version"), Some(api_version.clone().unwrap_or_else(|| TELNYX_API_VERSION.to_owned())));
                let date = |k: &str| s(k).map(|d| ts(&d));
                prop_assert_eq!(date("date_created"), p.date_created());
            } else {
                for absent in ["api_version", "call_sid_legacy", "coaching_call_sid_legacy", "date_created", "date_updated"] {
                    prop_assert!(v.get(absent).is_none());
                }
            }
            if texml && p.account_sid().is_some() && p.conference_sid().is_some() {
                let uri = s("uri").unwrap();
                prop_assert!(uri.starts_with("/v2/texml/Accounts/") && uri.ends_with(".json"), "{}", uri);
            }
        }

        /// Twilio and SignalWire answers are today's bytes, whatever the reply.
        #[test]
        fn other_dialects_are_encode(spec in spec(), created in any::<bool>()) {
            let p = spec.build();
            let reply = if created { Reply::Created } else { Reply::Resource };
            let mut buf = vec![0u8; 4096];
            let n = p.encode_to_slice(&mut buf).unwrap();
            for dialect in [Dialect::Twilio, Dialect::SignalWire] {
                prop_assert_eq!(write(&p, dialect, reply), &buf[..n]);
            }
        }
    }
}

#[cfg(feature = "serde")]
#[test]
fn serde_feature_keeps_telnyx_texts() {
    let p = Participant::decode(include_bytes!(
        "../../tests/fixtures/telnyx-participant.json"
    ))
    .unwrap();
    let v = serde_json::to_value(p).unwrap();
    assert_eq!(v["api_version"], "v2/texml");
    assert_eq!(v["call_sid_legacy"], "ef3d9cd4-0b6c-11ee-a3dd-02420a0f6868");
    assert!(v.get("coaching_call_sid_legacy").is_none());
    assert_eq!(v["muted"], true);
}
