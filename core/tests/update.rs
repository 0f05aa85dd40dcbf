//! Update request: recipes, validation rules, and the form codec both ways.
use confpart::api::fields::{Method, URL_MAX_LEN, UrlProblem};
use confpart::api::path::Dialect;
use confpart::api::update::{CoachTarget, Field, FormError, Update, ValidationError};
use confpart::wire::ident::{CallSid, IdError, IdKind};
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
    assert_eq!(kept.len(), confpart::api::fields::IGNORED_KEYS_CAPACITY);
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
        let (low, high) = u.encoded_len_bounds();
        prop_assert!(low <= body.len() && body.len() <= high, "{} {} {}", low, body.len(), high);
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
    use confpart::wire::sink::{IoSink, WriteError};
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

/// The decoder as it was before the single-pass rewrite, on the public
/// primitives (`form::pairs`, `decode_component`), kept as a model: the
/// fast decoder must give the same update, the same ignored keys and the
/// same error (variant, field, offset) on every input.
type Model = (Update<'static>, Vec<&'static [u8]>, usize);

fn model_decode(body: &'static [u8], scratch_len: usize) -> Result<Model, FormError> {
    use confpart::wire::form::{self, DecodeError, Space};
    let mut scratch: &'static mut [u8] = Box::leak(vec![0u8; scratch_len].into_boxed_slice());
    let mut u = Update::new();
    let mut ignored = Vec::new();
    let mut seen = Vec::new();
    for pair in form::pairs(body) {
        let mut kb = [0u8; 24];
        let key: &[u8] = match form::decode_component(pair.key, &mut kb, Space::Plus) {
            Ok(n) => &kb[..n],
            Err(DecodeError::OutputFull { .. }) => &[],
            Err(DecodeError::InvalidEscape { offset }) => {
                return Err(FormError::InvalidEscape {
                    field: None,
                    offset: pair.offset + offset,
                });
            }
            Err(e) => unreachable!("{e:?}"),
        };
        let Some(field) = Field::ALL.into_iter().find(|f| f.key().as_bytes() == key) else {
            ignored.push(pair.key);
            continue;
        };
        if seen.contains(&field) {
            return Err(FormError::DuplicateKey {
                field,
                offset: pair.offset,
            });
        }
        seen.push(field);
        let at = pair.value_offset;
        let esc = |o: usize| FormError::InvalidEscape {
            field: Some(field),
            offset: at + o,
        };
        let small = |cap: usize| -> Result<Option<Vec<u8>>, FormError> {
            let mut buf = vec![0u8; cap];
            match form::decode_component(pair.value, &mut buf, Space::Plus) {
                Ok(n) => Ok(Some(buf[..n].to_vec())),
                Err(DecodeError::OutputFull { .. }) => Ok(None),
                Err(DecodeError::InvalidEscape { offset }) => Err(esc(offset)),
                Err(e) => unreachable!("{e:?}"),
            }
        };
        let boolean = || -> Result<bool, FormError> {
            match small(5)? {
                Some(v) if v.eq_ignore_ascii_case(b"true") => Ok(true),
                Some(v) if v.eq_ignore_ascii_case(b"false") => Ok(false),
                _ => Err(FormError::InvalidBool { field, offset: at }),
            }
        };
        let method = || -> Result<Method, FormError> {
            small(4)?
                .and_then(|v| Method::parse(&v))
                .ok_or(FormError::InvalidMethod { field, offset: at })
        };
        match field {
            Field::Muted => u.muted = Some(boolean()?),
            Field::Hold => u.hold = Some(boolean()?),
            Field::Coaching => u.coaching = Some(boolean()?),
            Field::BeepOnExit => u.beep_on_exit = Some(boolean()?),
            Field::EndConferenceOnExit => u.end_conference_on_exit = Some(boolean()?),
            Field::HoldMethod => u.hold_method = Some(method()?),
            Field::AnnounceMethod => u.announce_method = Some(method()?),
            Field::WaitMethod => u.wait_method = Some(method()?),
            Field::CallSidToCoach => {
                let invalid = |error| FormError::InvalidCallSid {
                    field,
                    error,
                    offset: at,
                };
                u.call_sid_to_coach = Some(match small(confpart::wire::ident::SID_CAPACITY)? {
                    Some(v) if v.is_empty() => CoachTarget::Clear,
                    Some(v) => CoachTarget::Call(CallSid::parse_bytes(&v).map_err(invalid)?),
                    None => {
                        return Err(invalid(IdError::Length {
                            kind: IdKind::Call,
                            len: form::decoded_len(pair.value).unwrap(),
                        }));
                    }
                });
            }
            Field::HoldUrl | Field::AnnounceUrl | Field::WaitUrl => {
                let too_long = FormError::TooLong {
                    field,
                    max: URL_MAX_LEN,
                };
                let bytes: &'static [u8] = if !form::needs_decoding(pair.value, Space::Plus) {
                    if pair.value.len() > URL_MAX_LEN {
                        return Err(too_long);
                    }
                    pair.value
                } else {
                    let buf = std::mem::take(&mut scratch);
                    match form::decode_component(pair.value, buf, Space::Plus) {
                        Ok(len) if len > URL_MAX_LEN => return Err(too_long),
                        Ok(len) => {
                            let (used, rest) = buf.split_at_mut(len);
                            scratch = rest;
                            used
                        }
                        Err(DecodeError::InvalidEscape { offset }) => return Err(esc(offset)),
                        Err(DecodeError::OutputFull { needed }) if needed > URL_MAX_LEN => {
                            return Err(too_long);
                        }
                        Err(DecodeError::OutputFull { needed }) => {
                            return Err(FormError::ScratchFull { field, needed });
                        }
                        Err(e) => unreachable!("{e:?}"),
                    }
                };
                let s = std::str::from_utf8(bytes)
                    .map_err(|_| FormError::InvalidUtf8 { field, offset: at })?;
                match field {
                    Field::HoldUrl => u.hold_url = Some(s),
                    Field::AnnounceUrl => u.announce_url = Some(s),
                    _ => u.wait_url = Some(s),
                }
            }
            _ => unreachable!("{field:?}"),
        }
    }
    let total = ignored.len();
    Ok((u, ignored, total))
}

/// Bodies of the shapes real (and broken) clients send: known keys (some
/// percent-encoded), unknown keys, empty pairs, pairs without `=`, values
/// with `+`, `%20`, bad escapes, invalid UTF-8, other cases, long runs.
fn form_body() -> impl Strategy<Value = String> {
    let key = prop_oneof![
        4 => proptest::sample::select(Field::ALL.map(Field::key).to_vec()).prop_map(String::from),
        1 => Just("Mute%64".to_string()),
        1 => Just("Hold%55rl".to_string()),
        1 => Just("Beep".to_string()),
        1 => "[A-Za-z%+]{0,30}",
    ];
    let value = prop_oneof![
        Just("true".to_string()),
        Just("False".to_string()),
        Just("TRUE".to_string()),
        Just("gEt".to_string()),
        Just("POST".to_string()),
        Just("p%4fst".to_string()),
        Just("tru%65".to_string()),
        Just(CB.to_string()),
        Just("CA%62bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb".to_string()),
        Just("https%3A%2F%2Fa.example%2Fx+y%20z".to_string()),
        Just("https://a.example/%C3%A9".to_string()),
        Just("https://a.example/%C3%28".to_string()),
        Just("%zz".to_string()),
        Just("%4".to_string()),
        Just("".to_string()),
        "[a-zA-Z0-9%+:/.=_-]{0,70}",
        "[a-z]{2040,2060}",
    ];
    let pair = prop_oneof![
        6 => (key.clone(), value).prop_map(|(k, v)| format!("{k}={v}")),
        1 => key,
        1 => Just(String::new()),
    ];
    proptest::collection::vec(pair, 0..10).prop_map(|p| p.join("&"))
}

proptest! {
    #[test]
    fn decode_agrees_with_the_model(body in form_body(), cap in prop_oneof![Just(usize::MAX), 0usize..200]) {
        let body: &'static [u8] = Box::leak(body.into_bytes().into_boxed_slice());
        let cap = cap.min(body.len());
        let mut scratch = vec![0u8; cap];
        let fast = Update::decode(body, &mut scratch)
            .map(|d| (d.update, d.ignored.iter().collect::<Vec<_>>(), d.ignored.total()));
        let model = model_decode(body, cap);
        match (&fast, &model) {
            (Ok((fu, fi, ft)), Ok((mu, mi, mt))) => {
                prop_assert_eq!(fu, mu);
                prop_assert_eq!(fi, &mi[..mi.len().min(confpart::api::fields::IGNORED_KEYS_CAPACITY)]);
                prop_assert_eq!(ft, mt);
            }
            _ => prop_assert_eq!(fast.map(|_| ()), model.map(|_| ())),
        }
    }

    /// serde_urlencoded as an oracle: whatever the core accepts, every known
    /// field holds what serde_urlencoded decodes for that key.
    #[test]
    fn accepted_bodies_agree_with_serde_urlencoded(body in form_body()) {
        let mut scratch = vec![0u8; body.len()];
        let Ok(d) = Update::decode(body.as_bytes(), &mut scratch) else { return Ok(()); };
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(&body).unwrap();
        let oracle = |f: Field| pairs.iter().find(|(k, _)| k == f.key()).map(|(_, v)| v.as_str());
        let u = d.update;
        let b = |v: Option<bool>| v.map(|v| v.to_string());
        let m = |v: Option<Method>| v.map(|v| v.as_str().to_string());
        let low = |f: Field| oracle(f).map(str::to_ascii_lowercase);
        let up = |f: Field| oracle(f).map(str::to_ascii_uppercase);
        prop_assert_eq!(b(u.muted), low(Field::Muted));
        prop_assert_eq!(b(u.hold), low(Field::Hold));
        prop_assert_eq!(b(u.coaching), low(Field::Coaching));
        prop_assert_eq!(b(u.beep_on_exit), low(Field::BeepOnExit));
        prop_assert_eq!(b(u.end_conference_on_exit), low(Field::EndConferenceOnExit));
        prop_assert_eq!(m(u.hold_method), up(Field::HoldMethod));
        prop_assert_eq!(m(u.announce_method), up(Field::AnnounceMethod));
        prop_assert_eq!(m(u.wait_method), up(Field::WaitMethod));
        prop_assert_eq!(u.hold_url, oracle(Field::HoldUrl));
        prop_assert_eq!(u.announce_url, oracle(Field::AnnounceUrl));
        prop_assert_eq!(u.wait_url, oracle(Field::WaitUrl));
        let sid = u.call_sid_to_coach.map(|t| match t {
            CoachTarget::Clear => String::new(),
            CoachTarget::Call(s) => s.as_str().to_string(),
        });
        prop_assert_eq!(sid, oracle(Field::CallSidToCoach).map(String::from));
        let unknown = pairs.iter().filter(|(k, _)| Field::ALL.iter().all(|f| f.key() != k)).count();
        prop_assert_eq!(d.ignored.total(), unknown);
    }
}

/// A sink over a buffer that does not offer it ([`Sink::buffer`] is `None`):
/// the request and answer writers count the body first, then write, as
/// they did before the one-pass path. The oracle of the tests below.
struct TwoPass<'a>(confpart::wire::sink::SliceSink<'a>);

impl confpart::wire::sink::Sink for TwoPass<'_> {
    fn put(&mut self, bytes: &[u8]) -> Result<(), confpart::wire::sink::WriteError> {
        self.0.put(bytes)
    }
}

fn participant_ref() -> impl Strategy<Value = confpart::wire::ident::ParticipantRef> {
    use confpart::wire::ident::ParticipantRef;
    prop_oneof![
        Just(ParticipantRef::parse("CAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa").unwrap()),
        Just(ParticipantRef::parse(UUID).unwrap()),
        "[^/\\x00-\\x1f\\x7f]{1,40}".prop_filter_map("a label", |l| ParticipantRef::parse(&l).ok()),
    ]
}

prop_compose! {
    /// Updates that pass validation (for Twilio): URLs with bytes to escape.
    fn valid_update()(
        u in update(),
        urls in proptest::array::uniform3(proptest::option::of("https?://[a-z]{1,10}\\.example/[!-~é😀]{0,60}")),
        coach in proptest::option::of("[0-9a-f]{32}"),
    ) -> Update<'static> {
        let [hold_url, announce_url, wait_url] = urls.map(|u| u.map(leak));
        let call_sid_to_coach = coach.map(|h| CoachTarget::Call(CallSid::parse(&format!("CA{h}")).unwrap()));
        Update {
            hold_url, announce_url, wait_url,
            coaching: call_sid_to_coach.map(|_| true),
            call_sid_to_coach,
            ..u
        }
    }
}

proptest! {
    /// The one-pass request writer (a `SliceSink`: the `Content-Length`
    /// digits filled in after the body) writes the bytes of the two-pass
    /// writer (body counted first), and fails the same way, with the same
    /// bytes written before the failure, at every buffer size.
    #[test]
    fn request_one_pass_equals_two_pass(
        u in prop_oneof![update(), valid_update(), valid_update()],
        who in participant_ref(),
        signalwire in any::<bool>(),
        close in any::<bool>(),
        extra in proptest::collection::vec(("[A-Za-z-]{1,12}", "[ -~]{0,20}"), 0..3),
        create in proptest::option::of(("\\+1[0-9]{10}", "[a-z é&=%+]{1,30}")),
        cap in any::<proptest::sample::Index>(),
        pad in 0usize..3000,
    ) {
        use confpart::api::create::Create;
        use confpart::client::{Credentials, Operation, Request};
        use confpart::wire::http::{Connection, HeaderField};
        use confpart::wire::ident::{AccountSid, ConferenceSid};
        use confpart::api::path::Endpoint;
        use confpart::wire::sink::{Sink, SliceSink};

        let (account, endpoint) = if signalwire {
            (AccountSid::parse(UUID).unwrap(), Endpoint::signalwire("example").unwrap())
        } else {
            (AccountSid::parse("ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa").unwrap(), Endpoint::twilio())
        };
        let conference = if signalwire {
            ConferenceSid::parse(UUID).unwrap()
        } else {
            ConferenceSid::parse("CFaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa").unwrap()
        };
        let extra: Vec<HeaderField<'_>> =
            extra.iter().map(|(n, v)| HeaderField::new(n, v)).collect();
        let operation = match &create {
            Some((from, label)) => Operation::create(Create::new(from, "+15005550001").label(label).into()),
            None => Operation::update(&who, u),
        };
        let request = Request::new(endpoint, Credentials::new(account.as_str(), "token").unwrap(), account, conference, operation)
            .with_connection(if close { Connection::Close } else { Connection::KeepAlive })
            .with_headers(&extra);

        let mut want = vec![0u8; 8192];
        let mut two = TwoPass(SliceSink::new(&mut want));
        let want_result = request.encode(&mut two);
        let want_len = two.0.len();
        let mut got = vec![0u8; 8192];
        let mut one = SliceSink::new(&mut got);
        prop_assert!(one.buffer().is_some());
        prop_assert_eq!(request.encode(&mut one), want_result);
        prop_assert_eq!(one.written(), &want[..want_len]);
        prop_assert_eq!(request.encoded_len().map(|_| ()), want_result);
        let Ok(()) = want_result else { return Ok(()) };
        prop_assert_eq!(request.encoded_len(), Ok(want_len));
        prop_assert_eq!(request.encode_to_slice(&mut got), Ok(want_len));

        // The Content-Length is the body's length (independently of the oracle).
        let text = String::from_utf8(want[..want_len].to_vec()).unwrap();
        let (head, body) = text.split_once("\r\n\r\n").unwrap();
        if let Some(line) = head.lines().find(|l| l.starts_with("Content-Length: ")) {
            prop_assert_eq!(line["Content-Length: ".len()..].parse::<usize>().unwrap(), body.len());
        }

        // Every buffer size: too small (the same error, the same bytes
        // before it), exact, larger (the digits' room and the gap).
        let size = cap.index(want_len + 1);
        for size in [size, want_len, want_len + 1, want_len + 9, want_len + pad] {
            let mut a = vec![0u8; size];
            let mut b = vec![0u8; size];
            let mut two = TwoPass(SliceSink::new(&mut a));
            let mut one = SliceSink::new(&mut b);
            prop_assert_eq!(request.encode(&mut one), request.encode(&mut two));
            prop_assert_eq!(one.written(), two.0.written());
        }
    }
}
