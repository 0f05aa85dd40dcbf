//! Differential: the core never accepts what serde_json's parser rejects
//! (it may reject more: depth, duplicate keys, values its fields cannot
//! hold), and on a participant it accepts, both agree on every field.
#![no_main]

use confpart::api_error::ApiError;
use confpart::json::{JsonStr, validate};
use confpart::list::decode_page;
use confpart::participant::Participant;
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fn text(v: &Value, key: &str) -> Option<String> {
    v.get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

fn js(s: Option<JsonStr<'_>>) -> Option<String> {
    s.map(|s| s.to_string())
}

fuzz_target!(|doc: &[u8]| {
    let reference = serde_json::from_slice::<Value>(doc);
    let accepted = [
        validate(doc).is_ok(),
        ApiError::decode(doc).is_ok(),
        decode_page(doc, |_| {}).is_ok(),
    ];
    let participant = Participant::decode(doc);
    if reference.is_err() {
        assert!(
            !accepted.iter().any(|&a| a) && participant.is_err(),
            "accepted what serde_json rejects"
        );
        return;
    }
    let (Ok(p), Ok(v)) = (participant, reference) else {
        return;
    };
    let sid = |key| text(&v, key);
    assert_eq!(
        p.account_sid().map(|s| s.as_str().to_owned()),
        sid("account_sid")
    );
    assert_eq!(p.call_sid().map(|s| s.as_str().to_owned()), sid("call_sid"));
    assert_eq!(
        p.conference_sid().map(|s| s.as_str().to_owned()),
        sid("conference_sid")
    );
    assert_eq!(
        p.call_sid_to_coach().map(|s| s.as_str().to_owned()),
        sid("call_sid_to_coach")
    );
    let date =
        |key| text(&v, key).map(|s| confpart::date::Timestamp::parse(s.as_bytes()).expect("date"));
    assert_eq!(p.date_created(), date("date_created"));
    assert_eq!(p.date_updated(), date("date_updated"));
    let flag = |key| v.get(key).and_then(Value::as_bool);
    assert_eq!(p.end_conference_on_exit(), flag("end_conference_on_exit"));
    assert_eq!(p.muted(), flag("muted"));
    assert_eq!(p.hold(), flag("hold"));
    assert_eq!(
        p.start_conference_on_enter(),
        flag("start_conference_on_enter")
    );
    assert_eq!(p.coaching(), flag("coaching"));
    assert_eq!(js(p.label()), text(&v, "label"));
    assert_eq!(js(p.status_text()), text(&v, "status"));
    assert_eq!(js(p.queue_time()), text(&v, "queue_time"));
    assert_eq!(js(p.uri()), text(&v, "uri"));
});
