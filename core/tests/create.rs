//! The Create Participant request: builder, validation, encode, decode.
use confpart::api::create::{
    Beep, CallEvent, CallEvents, Create, Field, FormError, TIMEOUT_MAX, ValidationError,
};
use confpart::api::fields::{Method, UrlProblem};
use confpart::api::path::Dialect;
use confpart::wire::ident::{CallSid, IdError, IdKind};
use proptest::prelude::*;

const CA: &str = "CAbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

fn decode(body: &[u8]) -> Result<Create<'_>, FormError> {
    // Leak a scratch buffer per call: tests only.
    let scratch = Box::leak(vec![0u8; body.len()].into_boxed_slice());
    Create::decode(body, scratch).map(|d| d.create)
}

fn encode(c: &Create<'_>) -> Vec<u8> {
    let mut buf = vec![0u8; c.encoded_len()];
    let n = c.encode_to_slice(&mut buf).unwrap();
    assert_eq!(n, buf.len());
    buf
}

#[test]
fn encodes_every_field_in_order() {
    let c = Create::new("+15017122661", "sip:bob@example.com")
        .label("agent 1")
        .muted(false)
        .coaching(true)
        .call_sid_to_coach(CallSid::parse(CA).unwrap())
        .start_conference_on_enter(true)
        .end_conference_on_exit(false)
        .beep(Beep::OnEnter)
        .wait_url("")
        .wait_method(Method::Get)
        .status_callback("https://cb.example/s?x=1&y=2")
        .status_callback_method(Method::Post)
        .status_callback_event(
            CallEvents::EMPTY
                .with(CallEvent::Completed)
                .with(CallEvent::Initiated),
        )
        .timeout(30)
        .early_media(true)
        .record(false);
    c.validate(Dialect::Twilio).unwrap();
    let body = encode(&c);
    assert_eq!(
        String::from_utf8(body.clone()).unwrap(),
        "From=%2B15017122661&To=sip%3Abob%40example.com&Label=agent+1&Muted=false\
         &Coaching=true&CallSidToCoach=CAbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\
         &StartConferenceOnEnter=true&EndConferenceOnExit=false&Beep=onEnter&WaitUrl=\
         &WaitMethod=GET&StatusCallback=https%3A%2F%2Fcb.example%2Fs%3Fx%3D1%26y%3D2\
         &StatusCallbackMethod=POST&StatusCallbackEvent=initiated\
         &StatusCallbackEvent=completed&Timeout=30&EarlyMedia=true&Record=false"
    );
    assert_eq!(decode(&body).unwrap(), c);
    assert_eq!(c.fields().count(), Field::ALL.len());
}

#[test]
fn decodes_what_sdks_send() {
    // Go: alphabetical, `+`; Node: `%20`, user's `True`.
    let body =
        b"Beep=OnExit&From=%2B1500&Label=a%20b&Muted=True&StatusCallbackEvent=ringing+answered\
&StatusCallbackEvent=completed&Timeout=600&To=%2B1555&Hold=true&Region=ie1";
    let mut scratch = [0u8; 64];
    let d = Create::decode(body, &mut scratch).unwrap();
    let c = d.create;
    assert_eq!((c.from, c.to, c.label), ("+1500", "+1555", Some("a b")));
    assert_eq!(c.muted, Some(true));
    assert_eq!(c.beep, Some(Beep::OnExit));
    assert_eq!(c.timeout, Some(TIMEOUT_MAX));
    let events: Vec<_> = c.status_callback_event.unwrap().iter().collect();
    assert_eq!(
        events,
        [
            CallEvent::Ringing,
            CallEvent::Answered,
            CallEvent::Completed
        ]
    );
    let ignored: Vec<_> = d.ignored.iter().collect();
    assert_eq!(ignored, [&b"Hold"[..], b"Region"]);
    assert_eq!(d.ignored.total(), 2);
    c.validate(Dialect::Twilio).unwrap();
}

#[test]
fn required_fields() {
    assert_eq!(
        decode(b"To=x"),
        Err(FormError::Missing { field: Field::From })
    );
    assert_eq!(
        decode(b"From=x&Muted=true"),
        Err(FormError::Missing { field: Field::To })
    );
    let c = decode(b"From=&To=b").unwrap();
    assert_eq!(
        c.validate(Dialect::Twilio),
        Err(ValidationError::Empty { field: Field::From })
    );
}

#[test]
fn decode_errors_name_the_field_and_offset() {
    let cases: &[(&[u8], FormError)] = &[
        (
            b"From=a&To=b&From=c",
            FormError::DuplicateKey {
                field: Field::From,
                offset: 12,
            },
        ),
        (
            b"From=a%4&To=b",
            FormError::InvalidEscape {
                field: Some(Field::From),
                offset: 6,
            },
        ),
        (
            b"Fr%zz=a",
            FormError::InvalidEscape {
                field: None,
                offset: 2,
            },
        ),
        (
            b"From=a&To=%FF",
            FormError::InvalidUtf8 {
                field: Field::To,
                offset: 10,
            },
        ),
        (
            b"From=a&To=b&Muted=yes",
            FormError::InvalidBool {
                field: Field::Muted,
                offset: 18,
            },
        ),
        (
            b"From=a&To=b&Beep=sometimes",
            FormError::InvalidValue {
                field: Field::Beep,
                offset: 17,
            },
        ),
        (
            b"From=a&To=b&WaitMethod=PUT",
            FormError::InvalidMethod {
                field: Field::WaitMethod,
                offset: 23,
            },
        ),
        (
            b"From=a&To=b&Timeout=-5",
            FormError::InvalidValue {
                field: Field::Timeout,
                offset: 20,
            },
        ),
        (
            b"From=a&To=b&Timeout=99999999999",
            FormError::InvalidValue {
                field: Field::Timeout,
                offset: 20,
            },
        ),
        (
            b"From=a&To=b&StatusCallbackEvent=initiated+hangup",
            FormError::InvalidValue {
                field: Field::StatusCallbackEvent,
                offset: 32,
            },
        ),
        (
            b"From=a&To=b&CallSidToCoach=CA12",
            FormError::InvalidCallSid {
                field: Field::CallSidToCoach,
                error: IdError::Length {
                    kind: IdKind::Call,
                    len: 4,
                },
                offset: 27,
            },
        ),
    ];
    for (body, expected) in cases {
        assert_eq!(
            decode(body),
            Err(*expected),
            "{}",
            String::from_utf8_lossy(body)
        );
    }
}

#[test]
fn over_long_values_are_errors_not_truncations() {
    let long = "x".repeat(257);
    let body = format!("From={long}&To=b");
    assert_eq!(
        decode(body.as_bytes()),
        Err(FormError::TooLong {
            field: Field::From,
            max: 256
        })
    );
    let label = "é".repeat(300); // 600 bytes > LABEL_CAPACITY
    let body = format!("From=a&To=b&Label={label}");
    let e = decode(body.as_bytes()).unwrap_err();
    assert_eq!(
        e,
        FormError::TooLong {
            field: Field::Label,
            max: 512
        }
    );
    assert_eq!((e.http_status(), e.code()), (400, 16023));
    // Escaped and too long for the scratch buffer, but within the limit.
    let mut scratch = [0u8; 2];
    assert_eq!(
        Create::decode(b"From=a%20b&To=c", &mut scratch),
        Err(FormError::ScratchFull {
            field: Field::From,
            needed: 3
        })
    );
}

#[test]
fn validation_rules_and_codes() {
    let base = Create::new("a", "b");
    let long = "x".repeat(129);
    let cases = [
        (base.label("a/b"), 16024),
        (base.label(&long), 16023),
        (base.label(CA), 16024),
        (base.label(".."), 16024),
        (base.coaching(true), 20001),
        (
            base.coaching(false)
                .call_sid_to_coach(CallSid::parse(CA).unwrap()),
            20001,
        ),
        (base.timeout(4), 20001),
        (base.status_callback("ftp://x"), 20001),
        (base.status_callback(""), 20001),
        (base.wait_url("http://a b"), 20001),
    ];
    for (create, code) in cases {
        let e = create.validate(Dialect::Twilio).unwrap_err();
        assert_eq!((e.http_status(), e.code()), (400, code), "{e}");
    }
    assert_eq!(
        base.status_callback("http://a\tb")
            .validate(Dialect::Twilio),
        Err(ValidationError::InvalidUrl {
            field: Field::StatusCallback,
            problem: UrlProblem::Character { offset: 8 }
        })
    );
    // The SID form follows the dialect.
    let twilio_target = base.call_sid_to_coach(CallSid::parse(CA).unwrap());
    assert_eq!(twilio_target.validate(Dialect::Twilio), Ok(()));
    assert_eq!(twilio_target.coach_target(), CallSid::parse(CA).ok());
    assert_eq!(
        twilio_target.validate(Dialect::SignalWire),
        Err(ValidationError::SidForm {
            field: Field::CallSidToCoach
        })
    );
    // An empty CallSidToCoach is absent; an empty WaitUrl is silence.
    let c = decode(b"From=a&To=b&CallSidToCoach=&WaitUrl=").unwrap();
    assert_eq!((c.call_sid_to_coach, c.wait_url), (None, Some("")));
    assert_eq!(c.validate(Dialect::Twilio), Ok(()));
}

#[test]
fn empty_event_set_round_trips() {
    let c = Create::new("a", "b").status_callback_event(CallEvents::EMPTY);
    assert_eq!(encode(&c), b"From=a&To=b&StatusCallbackEvent=");
    assert_eq!(decode(&encode(&c)).unwrap(), c);
}

fn opt<T: std::fmt::Debug + Clone>(
    s: impl Strategy<Value = T>,
) -> impl Strategy<Value = Option<T>> {
    proptest::option::of(s)
}

fn method() -> impl Strategy<Value = Method> {
    prop_oneof![Just(Method::Get), Just(Method::Post)]
}

proptest! {
    #[test]
    fn encode_decode_is_identity(
        from in "\\PC{0,40}",
        to in "\\PC{0,40}",
        label in opt("\\PC{1,20}"),
        bools in proptest::array::uniform7(opt(any::<bool>())),
        target in opt("[0-9a-f]{32}"),
        beep in opt(prop_oneof![Just(Beep::True), Just(Beep::False), Just(Beep::OnEnter), Just(Beep::OnExit)]),
        wait_url in opt("\\PC{0,40}"),
        status_callback in opt("\\PC{0,40}"),
        wait_method in opt(method()),
        status_callback_method in opt(method()),
        events in opt(0u8..16),
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
        c.status_callback = status_callback.as_deref();
        c.wait_method = wait_method;
        c.status_callback_method = status_callback_method;
        c.status_callback_event = events.map(|bits| {
            CallEvent::ALL
                .into_iter()
                .enumerate()
                .filter(|(i, _)| bits & (1 << i) != 0)
                .fold(CallEvents::EMPTY, |s, (_, e)| s.with(e))
        });
        c.timeout = timeout;
        let body = encode(&c);
        prop_assert_eq!(body.len(), c.encoded_len());
        let mut scratch = vec![0u8; body.len()];
        let d = Create::decode(&body, &mut scratch).unwrap();
        prop_assert_eq!(d.create, c);
        prop_assert!(d.ignored.is_empty());
    }

    #[test]
    fn arbitrary_bytes_give_ok_or_a_typed_error(body in proptest::collection::vec(any::<u8>(), 0..200), cap in 0usize..64) {
        let mut scratch = vec![0u8; cap];
        match Create::decode(&body, &mut scratch) {
            Ok(d) => {
                let _ = d.create.validate(Dialect::Twilio);
                let _ = d.create.encoded_len();
            }
            Err(e) => prop_assert!(!e.to_string().is_empty()),
        }
    }

    #[test]
    fn form_like_bodies_decode_or_fail_typed(
        pairs in proptest::collection::vec(
            (prop_oneof![
                Just("From".to_string()), Just("To".to_string()), Just("Muted".to_string()),
                Just("Beep".to_string()), Just("Timeout".to_string()), Just("Label".to_string()),
                Just("StatusCallbackEvent".to_string()), "[A-Za-z%+]{0,6}"
            ], "[a-zA-Z0-9%+ ]{0,12}"),
            0..8),
    ) {
        let body = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&");
        let mut scratch = vec![0u8; body.len()];
        if let Err(e) = Create::decode(body.as_bytes(), &mut scratch) {
            prop_assert!(matches!(e.code(), 20001 | 16023));
        }
    }
}
