//! JSON request bodies (`Update::decode_json`, `Create::decode_json`), as the
//! Telnyx Python and Go SDKs send them: the same requests as the form
//! decoders give, and a differential against serde_json.
use confpart::api::create::{self, Beep, CallEvent, CallEvents, Create};
use confpart::api::fields::{FormError as GenericFormError, Method, URL_MAX_LEN};
use confpart::api::update::{CoachTarget, Field, FormError, Update};
use confpart::wire::ident::{CallSid, IdError, IdKind};
use confpart::wire::json::JsonErrorKind;
use proptest::prelude::*;
use serde_json::{Map, Value, json};

const CB: &str = "CAbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
const V3: &str = "v3:9X2vxPDFY2RHSJ1EdMS0RHRksMTg3ZBtGQ-aiQ";

fn dec(body: &[u8]) -> Result<Update<'_>, FormError> {
    let scratch = Box::leak(vec![0u8; body.len()].into_boxed_slice());
    Update::decode_json(body, scratch).map(|d| d.update)
}

fn dec_create(body: &[u8]) -> Result<Create<'_>, create::FormError> {
    let scratch = Box::leak(vec![0u8; body.len()].into_boxed_slice());
    Create::decode_json(body, scratch).map(|d| d.create)
}

fn json_err<F>(e: GenericFormError<F>) -> (JsonErrorKind, usize, Option<&'static str>) {
    match e {
        GenericFormError::Json { error } => (error.kind, error.offset, error.field),
        _ => panic!("not a JSON error"),
    }
}

#[test]
fn what_the_python_sdk_sends() {
    // telnyx-python: `json.dumps` of the aliased params (", " and ": ").
    let body = format!(
        r#"{{"Muted": true, "Hold": false, "HoldUrl": "https://m.example/hold.mp3", "HoldMethod": "GET", "AnnounceUrl": "https://a.example/say", "AnnounceMethod": "POST", "WaitUrl": "", "BeepOnExit": false, "EndConferenceOnExit": true, "Coaching": true, "CallSidToCoach": "{V3}"}}"#
    );
    let u = dec(body.as_bytes()).unwrap();
    let sid = CallSid::parse(V3).unwrap();
    assert_eq!(
        u,
        Update::new()
            .muted(true)
            .hold(false)
            .hold_url("https://m.example/hold.mp3")
            .hold_method(Method::Get)
            .announce_url("https://a.example/say")
            .announce_method(Method::Post)
            .wait_url("")
            .beep_on_exit(false)
            .end_conference_on_exit(true)
            .coaching(true)
            .call_sid_to_coach(CoachTarget::Call(sid))
    );
    // Compact, escapes, strings for booleans, nulls, white space around.
    let u = dec(
        br#" {"Muted":"False","HoldUrl":"https:\/\/m.example\/a\u0020b\u00e9","HoldMethod":"post","Hold":null,"CallSidToCoach":""}
"#,
    )
    .unwrap();
    assert_eq!(
        u,
        Update::new()
            .muted(false)
            .hold_url("https://m.example/a bé")
            .hold_method(Method::Post)
            .call_sid_to_coach(CoachTarget::Clear)
    );
    assert_eq!(dec(b"{}").unwrap(), Update::new());
}

#[test]
fn unknown_keys_are_skipped_checked_and_reported_raw() {
    let body =
        br#"{"Beep": {"a": [1, 2.5e3, null]}, "Mut\u0065d": true, "X\u0041": "y", "Muted ": 1}"#;
    let mut scratch = [0u8; 64];
    let d = Update::decode_json(body, &mut scratch).unwrap();
    // An escaped known key is the known key.
    assert_eq!(d.update, Update::mute());
    let ignored: Vec<_> = d.ignored.iter().collect();
    assert_eq!(ignored, [&b"Beep"[..], br"X\u0041", b"Muted "]);
    // Skipped values are still checked.
    let e = Update::decode_json(br#"{"Beep": [01]}"#, &mut [0u8; 8]).unwrap_err();
    assert_eq!(json_err(e), (JsonErrorKind::InvalidNumber, 11, None));
}

#[test]
fn errors_name_the_field_and_offset() {
    let e = |body: &[u8]| dec(body).unwrap_err();
    assert_eq!(
        e(br#"{"Muted": 1}"#),
        FormError::InvalidBool {
            field: Field::Muted,
            offset: 10
        }
    );
    assert_eq!(
        e(br#"{"Muted": "yes"}"#),
        FormError::InvalidBool {
            field: Field::Muted,
            offset: 10
        }
    );
    assert_eq!(
        e(br#"{"HoldMethod": "PUT"}"#),
        FormError::InvalidMethod {
            field: Field::HoldMethod,
            offset: 15
        }
    );
    assert_eq!(
        e(br#"{"HoldMethod": true}"#),
        FormError::InvalidMethod {
            field: Field::HoldMethod,
            offset: 15
        }
    );
    assert_eq!(
        e(br#"{"HoldUrl": 5}"#),
        FormError::InvalidValue {
            field: Field::HoldUrl,
            offset: 12
        }
    );
    assert_eq!(
        e(br#"{"Muted": true, "Hold": true, "Muted": false}"#),
        FormError::DuplicateKey {
            field: Field::Muted,
            offset: 30
        }
    );
    assert_eq!(
        e(br#"{"CallSidToCoach": "CA1"}"#),
        FormError::InvalidCallSid {
            field: Field::CallSidToCoach,
            error: IdError::Length {
                kind: IdKind::Call,
                len: 3
            },
            offset: 19
        }
    );
    let long = format!(r#"{{"CallSidToCoach": "{}"}}"#, "a".repeat(100));
    assert_eq!(
        e(long.as_bytes()),
        FormError::InvalidCallSid {
            field: Field::CallSidToCoach,
            error: IdError::Length {
                kind: IdKind::Call,
                len: 100
            },
            offset: 19
        }
    );
    // Syntax: inside a known field's value, the field is named.
    assert_eq!(
        json_err(e(br#"{"HoldUrl": "a\qb"}"#)),
        (JsonErrorKind::InvalidEscape, 14, Some("HoldUrl"))
    );
    assert_eq!(
        json_err(e(br#"{"Muted": tru}"#)),
        (
            JsonErrorKind::UnexpectedByte { byte: b'}' },
            13,
            Some("Muted")
        )
    );
    assert_eq!(
        json_err(e(br#"{"Muted": true,}"#)),
        (JsonErrorKind::UnexpectedByte { byte: b'}' }, 15, None)
    );
    assert_eq!(
        json_err(e(br#"{"Muted": true} x"#)),
        (JsonErrorKind::TrailingData, 16, None)
    );
    assert_eq!(
        json_err(e(b"Muted=true")),
        (JsonErrorKind::UnexpectedByte { byte: b'M' }, 0, None)
    );
    assert_eq!(
        json_err(e(br#"["Muted"]"#)),
        (
            JsonErrorKind::WrongType {
                expected: "an object"
            },
            0,
            None
        )
    );
    assert_eq!(json_err(e(b"")), (JsonErrorKind::UnexpectedEnd, 0, None));
    assert_eq!(
        json_err(e(b"{\"Muted\": true, \"\xff\": 1}")),
        (JsonErrorKind::InvalidUtf8, 17, None)
    );
    assert_eq!(
        e(br#"{"Muted": "x"}"#).to_string(),
        "Muted: value at byte 10 is not true or false"
    );
    assert_eq!(
        e(br#"{"Muted": true,}"#).to_string(),
        "JSON body: unexpected byte 0x7d in JSON at offset 15"
    );
}

#[test]
fn over_long_values_are_refused_not_truncated() {
    let at_max = format!(
        r#"{{"HoldUrl": "https://{}"}}"#,
        "a".repeat(URL_MAX_LEN - 8)
    );
    assert_eq!(
        dec(at_max.as_bytes()).unwrap().hold_url.unwrap().len(),
        URL_MAX_LEN
    );
    let over = format!(
        r#"{{"HoldUrl": "https://{}"}}"#,
        "a".repeat(URL_MAX_LEN - 7)
    );
    assert_eq!(
        dec(over.as_bytes()).unwrap_err(),
        FormError::TooLong {
            field: Field::HoldUrl,
            max: URL_MAX_LEN
        }
    );
    // Escaped: judged on the unescaped length.
    let escaped = format!(
        r#"{{"HoldUrl": "https:\/\/{}"}}"#,
        "a".repeat(URL_MAX_LEN - 8)
    );
    assert_eq!(
        dec(escaped.as_bytes()).unwrap().hold_url.unwrap().len(),
        URL_MAX_LEN
    );
    // A scratch too small for an escaped value says how much it needed.
    let mut scratch = [0u8; 4];
    assert_eq!(
        Update::decode_json(br#"{"HoldUrl": "http:\/\/x"}"#, &mut scratch).unwrap_err(),
        FormError::ScratchFull {
            field: Field::HoldUrl,
            needed: 8
        }
    );
}

#[test]
fn create_as_sdks_send_it() {
    let body = format!(
        r#"{{"From": "+15017122661", "To": "sip:bob@example.com", "Label": "Ren\u00e9", "Muted": true, "Coaching": "true", "CallSidToCoach": "{CB}", "StartConferenceOnEnter": false, "EndConferenceOnExit": true, "Beep": false, "WaitUrl": "", "StatusCallback": "https://cb.example/s", "StatusCallbackMethod": "GET", "StatusCallbackEvent": ["initiated", "ringing answered"], "Timeout": 120, "EarlyMedia": false, "Record": true, "TimeLimit": 3600, "CustomHeaders": [{{"name": "X-A", "value": "b"}}]}}"#
    );
    let mut scratch = vec![0u8; body.len()];
    let d = Create::decode_json(body.as_bytes(), &mut scratch).unwrap();
    let c = d.create;
    assert_eq!(
        (c.from, c.to, c.label),
        ("+15017122661", "sip:bob@example.com", Some("René"))
    );
    assert_eq!((c.muted, c.coaching), (Some(true), Some(true)));
    assert_eq!(c.call_sid_to_coach, Some(CallSid::parse(CB).unwrap()));
    assert_eq!(c.beep, Some(Beep::False));
    assert_eq!(
        c.status_callback_event,
        Some(
            CallEvents::EMPTY
                .with(CallEvent::Initiated)
                .with(CallEvent::Ringing)
                .with(CallEvent::Answered)
        )
    );
    assert_eq!(c.timeout, Some(120));
    assert_eq!(c.status_callback_method, Some(Method::Get));
    assert_eq!(
        d.ignored.iter().collect::<Vec<_>>(),
        [&b"TimeLimit"[..], b"CustomHeaders"]
    );

    let e = |body: &[u8]| dec_create(body).unwrap_err();
    use confpart::api::create::Field as C;
    assert_eq!(
        e(br#"{"From": "a", "To": null}"#),
        create::FormError::Missing { field: C::To }
    );
    assert_eq!(
        e(br#"{"From": "a", "To": "b", "Beep": "sometimes"}"#),
        create::FormError::InvalidValue {
            field: C::Beep,
            offset: 33
        }
    );
    assert_eq!(
        dec_create(br#"{"From": "a", "To": "b", "Beep": "ONENTER", "Timeout": "30"}"#)
            .unwrap()
            .beep,
        Some(Beep::OnEnter)
    );
    for bad in [r#""-1""#, "-1", "1.5", "4294967296", r#""""#, "true"] {
        let body = format!(r#"{{"From": "a", "To": "b", "Timeout": {bad}}}"#);
        assert_eq!(
            e(body.as_bytes()),
            create::FormError::InvalidValue {
                field: C::Timeout,
                offset: 36
            },
            "{bad}"
        );
    }
    assert_eq!(
        e(br#"{"From": "a", "To": "b", "StatusCallbackEvent": ["ringing", 1]}"#),
        create::FormError::InvalidValue {
            field: C::StatusCallbackEvent,
            offset: 48
        }
    );
    assert_eq!(
        e(br#"{"From": "a", "To": "b", "From": "c"}"#),
        create::FormError::DuplicateKey {
            field: C::From,
            offset: 25
        }
    );
    let label = format!(
        r#"{{"From": "a", "To": "b", "Label": "{}"}}"#,
        "x".repeat(600)
    );
    assert!(matches!(
        e(label.as_bytes()),
        create::FormError::TooLong {
            field: C::Label,
            ..
        }
    ));
}

// --- Property tests. -----------------------------------------------------

fn method() -> impl Strategy<Value = Method> {
    prop_oneof![Just(Method::Get), Just(Method::Post)]
}

fn target() -> impl Strategy<Value = CoachTarget> {
    prop_oneof![
        Just(CoachTarget::Clear),
        "[0-9a-f]{32}".prop_map(|h| CoachTarget::Call(CallSid::parse(&format!("CA{h}")).unwrap())),
        Just(CoachTarget::Call(CallSid::parse(V3).unwrap())),
    ]
}

fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

prop_compose! {
    fn update()(
        muted in any::<Option<bool>>(), hold in any::<Option<bool>>(),
        hold_url in proptest::option::of("\\PC{0,40}|[\"\\\\/\\x00-\\x1f\u{7f}-\u{a0}é😀]{0,10}"),
        hold_method in proptest::option::of(method()),
        announce_url in proptest::option::of(".{0,40}"), announce_method in proptest::option::of(method()),
        wait_url in proptest::option::of(".{0,40}"), wait_method in proptest::option::of(method()),
        coaching in any::<Option<bool>>(), call_sid_to_coach in proptest::option::of(target()),
        beep_on_exit in any::<Option<bool>>(), end_conference_on_exit in any::<Option<bool>>(),
    ) -> Update<'static> {
        Update {
            muted, hold, hold_url: hold_url.map(leak), hold_method,
            announce_url: announce_url.map(leak), announce_method,
            wait_url: wait_url.map(leak), wait_method, coaching, call_sid_to_coach,
            beep_on_exit, end_conference_on_exit,
        }
    }
}

/// The JSON object an SDK would send for `u` (booleans as JSON booleans or,
/// with `strings`, as strings).
fn to_json(u: &Update<'_>, strings: bool) -> Map<String, Value> {
    let mut m = Map::new();
    let b = |v: bool| {
        if strings {
            json!(v.to_string())
        } else {
            json!(v)
        }
    };
    for field in u.fields() {
        let v = match field {
            Field::Muted => b(u.muted.unwrap()),
            Field::Hold => b(u.hold.unwrap()),
            Field::Coaching => b(u.coaching.unwrap()),
            Field::BeepOnExit => b(u.beep_on_exit.unwrap()),
            Field::EndConferenceOnExit => b(u.end_conference_on_exit.unwrap()),
            Field::HoldUrl => json!(u.hold_url.unwrap()),
            Field::AnnounceUrl => json!(u.announce_url.unwrap()),
            Field::WaitUrl => json!(u.wait_url.unwrap()),
            Field::HoldMethod => json!(u.hold_method.unwrap().as_str()),
            Field::AnnounceMethod => json!(u.announce_method.unwrap().as_str()),
            Field::WaitMethod => json!(u.wait_method.unwrap().as_str()),
            Field::CallSidToCoach => match u.call_sid_to_coach.unwrap() {
                CoachTarget::Clear => json!(""),
                CoachTarget::Call(sid) => json!(sid.as_str()),
            },
            _ => unreachable!(),
        };
        m.insert(field.key().to_string(), v);
    }
    m
}

proptest! {
    /// The same update sent as form (Node) and as JSON (Python, Go) decodes
    /// to the same `Update`, with serde_json's escaping, compact or pretty.
    #[test]
    fn json_and_form_decode_to_the_same_update(
        u in update(), strings in any::<bool>(), pretty in any::<bool>(), ascii in any::<bool>(),
    ) {
        let mut form = vec![0u8; 8192];
        let n = u.encode_to_slice(&mut form).unwrap();
        let mut s1 = vec![0u8; n];
        let from_form = Update::decode(&form[..n], &mut s1).unwrap();

        let value = Value::Object(to_json(&u, strings));
        let mut body = if pretty {
            serde_json::to_vec_pretty(&value).unwrap()
        } else {
            serde_json::to_vec(&value).unwrap()
        };
        if ascii {
            // As Python's `json.dumps` (ensure_ascii): every non-ASCII
            // character as `\uXXXX` (surrogate pairs beyond the BMP).
            let text = String::from_utf8(body).unwrap();
            let mut out = String::new();
            for c in text.chars() {
                if c.is_ascii() {
                    out.push(c);
                } else {
                    let mut units = [0u16; 2];
                    for unit in c.encode_utf16(&mut units) {
                        out.push_str(&format!("\\u{unit:04x}"));
                    }
                }
            }
            body = out.into_bytes();
        }
        let mut s2 = vec![0u8; body.len()];
        let from_json = Update::decode_json(&body, &mut s2).unwrap();
        prop_assert_eq!(from_json.update, u);
        prop_assert_eq!(from_json.update, from_form.update);
        prop_assert!(from_json.ignored.is_empty());
    }

    #[test]
    fn decode_json_never_panics(body in any::<Vec<u8>>(), cap in 0usize..128) {
        let mut scratch = vec![0u8; cap];
        let _ = Update::decode_json(&body, &mut scratch);
        let _ = Create::decode_json(&body, &mut scratch);
    }
}

/// An object's members in document order, duplicates kept (what a
/// `serde_json::Value` map would merge).
struct Members(Vec<(String, Value)>);

impl<'de> serde::Deserialize<'de> for Members {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Members;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut a: A,
            ) -> Result<Members, A::Error> {
                let mut v = Vec::new();
                while let Some(member) = a.next_entry::<String, Value>()? {
                    v.push(member);
                }
                Ok(Members(v))
            }
        }
        d.deserialize_map(V)
    }
}

/// What the decoder must make of a document serde_json accepted: the
/// update and the ignored-key count, or the variant and field of the first
/// error in document order.
fn model(members: &[(String, Value)]) -> Result<(Update<'static>, usize), (String, Field)> {
    let mut u = Update::new();
    let mut ignored = 0;
    let mut seen = Vec::new();
    fn err<T>(kind: &str, f: Field) -> Result<T, (String, Field)> {
        Err((kind.to_string(), f))
    }
    for (key, value) in members {
        let Some(f) = Field::from_key(key.as_bytes()) else {
            ignored += 1;
            continue;
        };
        if seen.contains(&f) {
            return err("DuplicateKey", f);
        }
        seen.push(f);
        if value.is_null() {
            continue;
        }
        let boolean = || match value {
            Value::Bool(b) => Ok(*b),
            Value::String(s) if s.eq_ignore_ascii_case("true") => Ok(true),
            Value::String(s) if s.eq_ignore_ascii_case("false") => Ok(false),
            _ => err("InvalidBool", f),
        };
        let method = || match value.as_str().and_then(|s| Method::parse(s.as_bytes())) {
            Some(m) => Ok(m),
            None => err("InvalidMethod", f),
        };
        let text = || match value {
            Value::String(s) if s.len() > URL_MAX_LEN => err("TooLong", f),
            Value::String(s) => Ok(leak(s.clone())),
            _ => err("InvalidValue", f),
        };
        match f {
            Field::Muted => u.muted = Some(boolean()?),
            Field::Hold => u.hold = Some(boolean()?),
            Field::Coaching => u.coaching = Some(boolean()?),
            Field::BeepOnExit => u.beep_on_exit = Some(boolean()?),
            Field::EndConferenceOnExit => u.end_conference_on_exit = Some(boolean()?),
            Field::HoldMethod => u.hold_method = Some(method()?),
            Field::AnnounceMethod => u.announce_method = Some(method()?),
            Field::WaitMethod => u.wait_method = Some(method()?),
            Field::HoldUrl => u.hold_url = Some(text()?),
            Field::AnnounceUrl => u.announce_url = Some(text()?),
            Field::WaitUrl => u.wait_url = Some(text()?),
            Field::CallSidToCoach => {
                u.call_sid_to_coach = Some(match value {
                    Value::String(s) if s.is_empty() => CoachTarget::Clear,
                    Value::String(s) => match CallSid::parse(s) {
                        Ok(sid) => CoachTarget::Call(sid),
                        Err(_) => return err("InvalidCallSid", f),
                    },
                    _ => return err("InvalidValue", f),
                });
            }
            _ => unreachable!(),
        }
    }
    Ok((u, ignored))
}

fn variant(e: &FormError) -> (String, Option<Field>) {
    let name = format!("{e:?}");
    let name = name.split([' ', '{', '(']).next().unwrap_or("").to_string();
    let field = match *e {
        FormError::InvalidBool { field, .. }
        | FormError::InvalidMethod { field, .. }
        | FormError::InvalidValue { field, .. }
        | FormError::InvalidCallSid { field, .. }
        | FormError::DuplicateKey { field, .. }
        | FormError::TooLong { field, .. } => Some(field),
        _ => None,
    };
    (name, field)
}

/// JSON-like documents: objects of known and unknown keys (some escaped)
/// with values of every type, strings with escapes (some invalid), nested
/// values, stray bytes, white space.
fn json_body() -> impl Strategy<Value = String> {
    let key = prop_oneof![
        30 => proptest::sample::select(Field::ALL.map(Field::key).to_vec()).prop_map(|k| format!("\"{k}\"")),
        4 => Just(r#""Mut\u0065d""#.to_string()),
        4 => Just(r#""Beep""#.to_string()),
        4 => "\"[A-Za-z0-9]{0,12}\"",
        1 => "\"[A-Za-z\\\\u0-9]{0,12}\"",
        1 => "[A-Za-z\"]{0,4}",
    ];
    let valid = prop_oneof![
        Just("true".to_string()),
        Just("false".to_string()),
        Just("null".to_string()),
        Just(r#""TRUE""#.to_string()),
        Just(r#""get""#.to_string()),
        Just(r#""POST""#.to_string()),
        Just(format!("\"{CB}\"")),
        Just(format!("\"{V3}\"")),
        Just(r#""CA\u0062bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb""#.to_string()),
        Just(r#""""#.to_string()),
        Just(r#""https:\/\/a.example\/x y\u00e9\ud83d\ude00""#.to_string()),
        Just("[1, {\"a\": [true, null]}, \"x\"]".to_string()),
        Just("{\"a\": {\"b\": {\"c\": {\"d\": {\"e\": {\"f\": {\"g\": 1}}}}}}}".to_string()),
        Just("-0.5e+3".to_string()),
        "-?[0-9]{1,5}",
        "\"[a-zA-Z0-9 :/.]{0,30}\"",
        "\"[a-z]{2040,2060}\"",
    ];
    let invalid = prop_oneof![
        Just("tru".to_string()),
        Just(r#""\ud83d""#.to_string()),
        Just(r#""a\qb""#.to_string()),
        Just("\"a\u{1}b\"".to_string()),
        Just("01".to_string()),
        Just("1e400".to_string()),
        "\"[a-zA-Z0-9 :/.\\\\]{0,30}\"",
    ];
    let value = prop_oneof![40 => valid, 1 => invalid];
    let ws = prop_oneof![Just(""), Just(" "), Just("\n\t ")];
    let member =
        (key, ws.clone(), value, ws.clone()).prop_map(|(k, w1, v, w2)| format!("{k}{w1}:{w2}{v}"));
    (
        proptest::collection::vec(member, 0..8),
        ws.clone(),
        ws,
        any::<u8>(),
    )
        .prop_map(|(members, open, close, tail)| {
            let mut body = format!("{{{open}{}{close}}}", members.join(", "));
            match tail {
                0..=3 => body.push(']'),
                4..=7 => body.insert(0, '['),
                8..=11 => {
                    body.pop();
                }
                12..=15 => body.insert(body.len() - 1, ','),
                _ => {}
            }
            body
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2048))]
    /// serde_json is the oracle of the grammar (a document it refuses, ours
    /// refuses) and, on the documents it accepts, `model` of the meaning.
    #[test]
    fn decode_json_agrees_with_serde_json(body in json_body()) {
        let ours = dec(body.as_bytes());
        match serde_json::from_slice::<Value>(body.as_bytes()) {
            Err(_) => prop_assert!(ours.is_err(), "serde_json refused {body:?}: {ours:?}"),
            Ok(Value::Object(_)) => {
                let members = serde_json::from_str::<Members>(&body).unwrap();
                let mut scratch = vec![0u8; body.len()];
                let ours = Update::decode_json(body.as_bytes(), &mut scratch)
                    .map(|d| (d.update, d.ignored.total()))
                    .map_err(|e| variant(&e));
                let model = model(&members.0).map_err(|(k, f)| (k, Some(f)));
                prop_assert_eq!(ours, model, "{}", body);
            }
            Ok(_) => prop_assert!(
                matches!(ours, Err(FormError::Json { error }) if matches!(error.kind, JsonErrorKind::WrongType { .. })),
                "{body:?}: {ours:?}"
            ),
        }
    }
}

fn opt<T: std::fmt::Debug + Clone>(
    s: impl Strategy<Value = T>,
) -> impl Strategy<Value = Option<T>> {
    proptest::option::of(s)
}

proptest! {
    /// A create sent as form (Node) and as JSON (Python, Go: booleans,
    /// `Timeout` a number, `StatusCallbackEvent` a string or an array)
    /// decodes to the same `Create`.
    #[test]
    fn create_json_and_form_decode_alike(
        from in "\\PC{1,30}",
        to in "\\PC{1,30}",
        label in opt("\\PC{1,20}"),
        bools in proptest::array::uniform7(opt(any::<bool>())),
        target in opt("[0-9a-f]{32}"),
        beep in opt(prop_oneof![Just(Beep::True), Just(Beep::False), Just(Beep::OnEnter), Just(Beep::OnExit)]),
        wait_url in opt("\\PC{0,30}"),
        wait_method in opt(method()),
        events in opt(0u8..16),
        events_as_array in any::<bool>(),
        timeout in opt(any::<u32>()),
    ) {
        let target = target.map(|hex| format!("CA{hex}"));
        let mut c = Create::new(&from, &to);
        c.label = label.as_deref();
        c.muted = bools[0];
        c.coaching = bools[1];
        c.start_conference_on_enter = bools[2];
        c.end_conference_on_exit = bools[3];
        c.early_media = bools[4];
        c.record = bools[5];
        c.call_sid_to_coach = target.as_deref().map(|t| CallSid::parse(t).unwrap());
        c.beep = beep;
        c.wait_url = wait_url.as_deref();
        c.wait_method = wait_method;
        c.status_callback_event = events.map(|bits| {
            CallEvent::ALL
                .into_iter()
                .enumerate()
                .filter(|(i, _)| bits & (1 << i) != 0)
                .fold(CallEvents::EMPTY, |s, (_, e)| s.with(e))
        });
        c.timeout = timeout;

        let mut form = vec![0u8; c.encoded_len()];
        let n = c.encode_to_slice(&mut form).unwrap();
        let mut s1 = vec![0u8; n];
        let from_form = Create::decode(&form[..n], &mut s1).unwrap().create;

        let mut m = Map::new();
        m.insert("From".into(), json!(from));
        m.insert("To".into(), json!(to));
        let mut put = |k: &str, v: Option<Value>| {
            if let Some(v) = v {
                m.insert(k.into(), v);
            }
        };
        put("Label", c.label.map(|v| json!(v)));
        for (k, v) in [
            ("Muted", c.muted),
            ("Coaching", c.coaching),
            ("StartConferenceOnEnter", c.start_conference_on_enter),
            ("EndConferenceOnExit", c.end_conference_on_exit),
            ("EarlyMedia", c.early_media),
            ("Record", c.record),
        ] {
            put(k, v.map(|v| json!(v)));
        }
        put("CallSidToCoach", target.as_deref().map(|v| json!(v)));
        put("Beep", c.beep.map(|b| match b {
            Beep::True => json!(true),
            Beep::False => json!(false),
            b => json!(b.as_str()),
        }));
        put("WaitUrl", c.wait_url.map(|v| json!(v)));
        put("WaitMethod", c.wait_method.map(|v| json!(v.as_str())));
        put("StatusCallbackEvent", c.status_callback_event.map(|e| {
            let names: Vec<&str> = e.iter().map(CallEvent::as_str).collect();
            if events_as_array { json!(names) } else { json!(names.join(" ")) }
        }));
        put("Timeout", c.timeout.map(|v| json!(v)));
        let body = serde_json::to_vec(&Value::Object(m)).unwrap();
        let mut s2 = vec![0u8; body.len()];
        let from_json = Create::decode_json(&body, &mut s2).unwrap();
        prop_assert_eq!(from_json.create, c);
        prop_assert_eq!(from_json.create, from_form);
        prop_assert!(from_json.ignored.is_empty());
    }
}
