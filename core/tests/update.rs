//! Update request: recipes, validation rules, and the form codec both ways.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use confpart::ident::{CallSid, IdError, IdKind};
use confpart::path::Dialect;
use confpart::update::{
    CoachTarget, Field, FormError, Method, URL_MAX_LEN, Update, UrlProblem, ValidationError,
};
use proptest::prelude::*;

const CB: &str = "CAbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
const UUID: &str = "9d3d58a8-9a8e-4b8e-a1e3-d3c4e5f6a7b8";

fn enc(u: &Update<'_>) -> String {
    let mut buf = vec![0u8; 8192];
    let n = u.encode_to_slice(&mut buf).unwrap();
    assert_eq!(n, u.encoded_len());
    String::from_utf8(buf[..n].to_vec()).unwrap()
}

fn dec(body: &str) -> Result<Update<'static>, FormError> {
    let body: &'static [u8] = Box::leak(body.as_bytes().to_vec().into_boxed_slice());
    let scratch: &'static mut [u8] = Box::leak(vec![0u8; body.len()].into_boxed_slice());
    Update::decode(body, scratch).map(|d| d.update)
}

#[test]
fn recipes_encode_as_documented() {
    let cb = CallSid::parse(CB).unwrap();
    assert_eq!(enc(&Update::new()), "");
    assert_eq!(enc(&Update::mute()), "Muted=true");
    assert_eq!(enc(&Update::unmute()), "Muted=false");
    assert_eq!(enc(&Update::unhold()), "Hold=false");
    assert_eq!(
        enc(&Update::hold_with_music(
            "http://twimlets.com/holdmusic?Bucket=com.twilio.music.ambient"
        )),
        "Hold=true&HoldUrl=http%3A%2F%2Ftwimlets.com%2Fholdmusic%3FBucket%3Dcom.twilio.music.ambient"
    );
    assert_eq!(
        enc(&Update::coach(cb)),
        format!("Muted=false&Coaching=true&CallSidToCoach={CB}")
    );
    assert_eq!(
        enc(&Update::monitor(cb)),
        format!("Muted=true&Coaching=true&CallSidToCoach={CB}")
    );
    assert_eq!(enc(&Update::barge()), "Muted=false&Coaching=false");
    assert_eq!(
        enc(&Update::barge().call_sid_to_coach(CoachTarget::Clear)),
        "Muted=false&Coaching=false&CallSidToCoach="
    );
    assert_eq!(
        enc(&Update::announce("https://a.example/say hi.xml")),
        "AnnounceUrl=https%3A%2F%2Fa.example%2Fsay+hi.xml"
    );
    for u in [
        Update::mute(),
        Update::unmute(),
        Update::unhold(),
        Update::hold_with_music("http://m.example/x.mp3"),
        Update::coach(cb),
        Update::monitor(cb),
        Update::barge(),
        Update::announce("https://a.example/x"),
    ] {
        assert_eq!(u.validate(Dialect::Twilio), Ok(()), "{u:?}");
    }
}

#[test]
fn all_twelve_fields_in_order() {
    let u = Update::new()
        .muted(true)
        .hold(false)
        .hold_url("http://h.example/")
        .hold_method(Method::Get)
        .announce_url("http://a.example/")
        .announce_method(Method::Post)
        .wait_url("")
        .wait_method(Method::Post)
        .coaching(true)
        .call_sid_to_coach(CoachTarget::Call(CallSid::parse(CB).unwrap()))
        .beep_on_exit(false)
        .end_conference_on_exit(true);
    assert_eq!(u.fields().count(), 12);
    let body = enc(&u);
    let keys: Vec<&str> = body
        .split('&')
        .map(|p| p.split('=').next().unwrap())
        .collect();
    let expected: Vec<&str> = Field::ALL.iter().map(|f| f.key()).collect();
    assert_eq!(keys, expected);
    assert_eq!(dec(&body).unwrap(), u);
    assert_eq!(u.validate(Dialect::Twilio), Ok(()));
}

#[test]
fn validation_rules() {
    use ValidationError as E;
    let cb = CallSid::parse(CB).unwrap();
    assert_eq!(
        Update::new().coaching(true).validate(Dialect::Twilio),
        Err(E::CoachingWithoutTarget)
    );
    assert_eq!(
        Update::new()
            .coaching(true)
            .call_sid_to_coach(CoachTarget::Clear)
            .validate(Dialect::Twilio),
        Err(E::CoachingWithoutTarget)
    );
    assert_eq!(
        Update::new()
            .coaching(false)
            .call_sid_to_coach(CoachTarget::Call(cb))
            .validate(Dialect::Twilio),
        Err(E::CoachTargetWithoutCoaching)
    );
    // CallSidToCoach alone implies coaching (Twilio's rule): valid.
    assert_eq!(
        Update::new()
            .call_sid_to_coach(CoachTarget::Call(cb))
            .validate(Dialect::Twilio),
        Ok(())
    );
    let bad_url = |url: &'static str, problem| {
        assert_eq!(
            Update::hold_with_music(url).validate(Dialect::Twilio),
            Err(E::InvalidUrl {
                field: Field::HoldUrl,
                problem
            }),
            "{url:?}"
        );
    };
    bad_url("ftp://x.example/", UrlProblem::NotAbsoluteHttp);
    bad_url("/relative.mp3", UrlProblem::NotAbsoluteHttp);
    bad_url("http://", UrlProblem::NotAbsoluteHttp);
    bad_url("http:///path", UrlProblem::NotAbsoluteHttp);
    bad_url("", UrlProblem::NotAbsoluteHttp);
    bad_url(
        "http://x.example/\r\nHost: evil",
        UrlProblem::Character { offset: 17 },
    );
    bad_url("http://x.example/a b", UrlProblem::Character { offset: 18 });
    bad_url(
        "http://x.example/\u{85}",
        UrlProblem::Character { offset: 17 },
    );
    let long: &'static str =
        Box::leak(format!("http://x.example/{}", "a".repeat(URL_MAX_LEN)).into_boxed_str());
    bad_url(long, UrlProblem::TooLong);
    assert_eq!(
        Update::hold_with_music("HTTPS://X.example").validate(Dialect::Twilio),
        Ok(())
    );
    assert_eq!(Update::new().wait_url("").validate(Dialect::Twilio), Ok(()));
    assert_eq!(
        Update::new().announce_url("").validate(Dialect::Twilio),
        Err(E::InvalidUrl {
            field: Field::AnnounceUrl,
            problem: UrlProblem::NotAbsoluteHttp
        })
    );
    // Dialect rules.
    assert_eq!(
        Update::mute()
            .end_conference_on_exit(true)
            .validate(Dialect::SignalWire),
        Err(E::TwilioOnlyField {
            field: Field::EndConferenceOnExit
        })
    );
    assert_eq!(
        Update::new()
            .beep_on_exit(true)
            .validate(Dialect::SignalWire),
        Err(E::TwilioOnlyField {
            field: Field::BeepOnExit
        })
    );
    assert_eq!(
        Update::coach(cb).validate(Dialect::SignalWire),
        Err(E::SidForm {
            field: Field::CallSidToCoach
        })
    );
    let sw = CallSid::parse(UUID).unwrap();
    assert_eq!(Update::coach(sw).validate(Dialect::SignalWire), Ok(()));
    assert_eq!(
        Update::coach(sw).validate(Dialect::Twilio),
        Err(E::SidForm {
            field: Field::CallSidToCoach
        })
    );
}

#[test]
fn decode_as_real_clients_send() {
    // Python: insertion order, '+' for space, ':' and '/' encoded.
    let py =
        dec("Hold=true&HoldUrl=http%3A%2F%2Fm.example%2Fhold+music.mp3&HoldMethod=GET").unwrap();
    // Node: %20 for space, user-typed 'True'.
    let node =
        dec("Hold=True&HoldUrl=http%3A%2F%2Fm.example%2Fhold%20music.mp3&HoldMethod=get").unwrap();
    // Go: alphabetical keys.
    let go =
        dec("Hold=TRUE&HoldMethod=GET&HoldUrl=http%3A%2F%2Fm.example%2Fhold+music.mp3").unwrap();
    let expected =
        Update::hold_with_music("http://m.example/hold music.mp3").hold_method(Method::Get);
    assert_eq!(py, expected);
    assert_eq!(node, expected);
    assert_eq!(go, expected);
    // Unescaped URLs borrow from the body.
    assert_eq!(
        dec("AnnounceUrl=http://a.example/x").unwrap().announce_url,
        Some("http://a.example/x")
    );
    assert_eq!(
        dec("CallSidToCoach=&Coaching=false&Muted=false").unwrap(),
        Update::barge().call_sid_to_coach(CoachTarget::Clear)
    );
    assert_eq!(dec("").unwrap(), Update::new());
    assert_eq!(dec("&&").unwrap(), Update::new());
}

#[test]
fn unknown_keys_are_ignored_and_reported() {
    let body = b"Muted=true&Beep=false&X%41=1&a&b&c&d&e&f&g&h";
    let mut scratch = [0u8; 64];
    let d = Update::decode(body, &mut scratch).unwrap();
    assert_eq!(d.update, Update::mute());
    assert_eq!(d.ignored.total(), 10);
    let kept: Vec<&[u8]> = d.ignored.iter().collect();
    assert_eq!(kept.len(), confpart::update::IGNORED_KEYS_CAPACITY);
    assert_eq!(kept[0], b"Beep");
    assert_eq!(kept[1], b"X%41");
    // Keys are case-sensitive: 'muted' is not 'Muted'.
    let mut scratch2 = [0u8; 16];
    let d = Update::decode(b"muted=true", &mut scratch2).unwrap();
    assert!(d.update.is_empty());
    assert_eq!(d.ignored.total(), 1);
}

#[test]
fn bad_input_gives_the_specific_error() {
    use FormError as E;
    assert_eq!(
        dec("Muted=true&Muted=false"),
        Err(E::DuplicateKey {
            field: Field::Muted,
            offset: 11
        })
    );
    assert_eq!(
        dec("Muted=yes"),
        Err(E::InvalidBool {
            field: Field::Muted,
            offset: 6
        })
    );
    assert_eq!(
        dec("Hold="),
        Err(E::InvalidBool {
            field: Field::Hold,
            offset: 5
        })
    );
    assert_eq!(
        dec("Hold=truetrue"),
        Err(E::InvalidBool {
            field: Field::Hold,
            offset: 5
        })
    );
    assert_eq!(
        dec("WaitMethod=PUT"),
        Err(E::InvalidMethod {
            field: Field::WaitMethod,
            offset: 11
        })
    );
    assert_eq!(
        dec("HoldUrl=http%3A%2F%2Fx%zz"),
        Err(E::InvalidEscape {
            field: Some(Field::HoldUrl),
            offset: 22
        })
    );
    assert_eq!(
        dec("Mu%7ted=true"),
        Err(E::InvalidEscape {
            field: None,
            offset: 2
        })
    );
    assert_eq!(
        dec("Muted=%7"),
        Err(E::InvalidEscape {
            field: Some(Field::Muted),
            offset: 6
        })
    );
    assert_eq!(
        dec("AnnounceUrl=http%3A%2F%2F%FF"),
        Err(E::InvalidUtf8 {
            field: Field::AnnounceUrl,
            offset: 12
        })
    );
    assert_eq!(
        dec("CallSidToCoach=CA123"),
        Err(E::InvalidCallSid {
            field: Field::CallSidToCoach,
            error: IdError::Length {
                kind: IdKind::Call,
                len: 5
            },
            offset: 15
        })
    );
    assert_eq!(
        dec(&format!("CallSidToCoach={}", "a".repeat(100))),
        Err(E::InvalidCallSid {
            field: Field::CallSidToCoach,
            error: IdError::Length {
                kind: IdKind::Call,
                len: 100
            },
            offset: 15
        })
    );
    let long = format!("WaitUrl=http://x/{}", "a".repeat(URL_MAX_LEN));
    assert_eq!(
        dec(&long),
        Err(E::TooLong {
            field: Field::WaitUrl,
            max: URL_MAX_LEN
        })
    );
    // A scratch buffer too small is reported, not truncated.
    let mut tiny = [0u8; 4];
    assert_eq!(
        Update::decode(b"HoldUrl=http%3A%2F%2Fx", &mut tiny).map(|d| d.update),
        Err(E::ScratchFull {
            field: Field::HoldUrl,
            needed: 8
        })
    );
}

fn method() -> impl Strategy<Value = Method> {
    prop_oneof![Just(Method::Get), Just(Method::Post)]
}

fn target() -> impl Strategy<Value = CoachTarget> {
    prop_oneof![
        Just(CoachTarget::Clear),
        "[0-9a-f]{32}".prop_map(|h| CoachTarget::Call(CallSid::parse(&format!("CA{h}")).unwrap())),
        Just(CoachTarget::Call(CallSid::parse(UUID).unwrap())),
    ]
}

fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

prop_compose! {
    fn update()(
        muted in any::<Option<bool>>(), hold in any::<Option<bool>>(),
        hold_url in proptest::option::of(".{0,80}"), hold_method in proptest::option::of(method()),
        announce_url in proptest::option::of(".{0,80}"), announce_method in proptest::option::of(method()),
        wait_url in proptest::option::of(".{0,80}"), wait_method in proptest::option::of(method()),
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

proptest! {
    #[test]
    fn encode_decode_is_identity(u in update()) {
        let body = enc(&u);
        let mut scratch = vec![0u8; body.len()];
        let d = Update::decode(body.as_bytes(), &mut scratch).unwrap();
        prop_assert_eq!(d.update, u);
        prop_assert!(d.ignored.is_empty());
    }

    #[test]
    fn decode_never_panics(body in any::<Vec<u8>>(), cap in 0usize..128) {
        let mut scratch = vec![0u8; cap];
        let _ = Update::decode(&body, &mut scratch);
    }

    #[test]
    fn decode_form_like_never_panics(body in "([A-Za-z%+]{0,16}=[A-Za-z0-9%+:/.]{0,40}&?){0,8}") {
        let mut scratch = vec![0u8; body.len()];
        let _ = Update::decode(body.as_bytes(), &mut scratch);
    }

    #[test]
    fn validate_never_panics(u in update(), sw in any::<bool>()) {
        let _ = u.validate(if sw { Dialect::SignalWire } else { Dialect::Twilio });
    }
}

#[test]
fn encode_into_an_embedded_io_writer() {
    use confpart::write::{IoSink, WriteError};
    let u = Update::hold_with_music("http://m.example/a b.mp3");
    let mut out = [0u8; 64];
    let expected = enc(&u);
    {
        let mut sink = IoSink(&mut out[..]);
        u.encode(&mut sink).unwrap();
    }
    assert_eq!(&out[..expected.len()], expected.as_bytes());
    // A writer that fills up is an error, not a silent cut.
    let mut small = [0u8; 8];
    let mut sink = IoSink(&mut small[..]);
    assert!(matches!(
        u.encode(&mut sink),
        Err(WriteError::Io(_) | WriteError::WriteZero)
    ));
}

#[test]
fn from_key_matches_exactly_the_twelve_keys() {
    for field in Field::ALL {
        let key = field.key().as_bytes();
        assert_eq!(Field::from_key(key), Some(field));
        // Every one-byte change, a longer and a shorter key: no match.
        for i in 0..key.len() {
            for b in [b'x', key[i] ^ 0x20, key[i].wrapping_add(1), 0, 0xff] {
                if b == key[i] {
                    continue;
                }
                let mut k = key.to_vec();
                k[i] = b;
                assert_eq!(
                    Field::from_key(&k),
                    None,
                    "{:?}",
                    String::from_utf8_lossy(&k)
                );
            }
        }
        assert_eq!(Field::from_key(&key[..key.len() - 1]), None);
        assert_eq!(Field::from_key(&[key, b"x"].concat()), None);
    }
    assert_eq!(Field::from_key(b""), None);
}
