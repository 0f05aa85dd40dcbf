//! The body of every cargo-fuzz target (`fuzz/fuzz_targets/<name>.rs` is a
//! one-line call of the function of the same name), so that a stored input
//! replays byte for byte under plain `cargo test` (`tests/tests/fuzz_replay.rs`
//! runs every file of `fuzz/seeds/<name>/` and `fuzz/regressions/<name>/`).
//!
//! Every check takes the raw input bytes. A target that feeds its input in
//! fragments reads the fragment size from the first byte (the layout
//! `arbitrary` gives `(u8, &[u8])`, so older corpora keep their meaning).
//! A check panics on a finding: that is its job.
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use confpart::api_error::{ApiError, ErrorShape, twilio_len};
use confpart::date::{RFC2822_LEN, Timestamp};
use confpart::http::bridge::{check_basic, route};
use confpart::http::query::ListQuery;
use confpart::http::{OperationKind, Progress, RequestReader, ResponseReader};
use confpart::json::{JsonStr, validate};
use confpart::list::{decode_page, encode_page};
use confpart::participant::Participant;
use confpart::path::{Dialect, ParticipantPath};
use confpart::update::Update;
use confpart::write::SliceSink;
use serde_json::Value;

/// A fuzz check: never returns normally on a finding.
pub type Check = fn(&[u8]);

/// Every target, by its cargo-fuzz name.
pub const TARGETS: &[(&str, Check)] = &[
    ("api_error_decode", api_error_decode),
    ("date_parse", date_parse),
    ("http_request_read", http_request_read),
    ("http_response_read", http_response_read),
    ("list_decode", list_decode),
    ("list_query_decode", list_query_decode),
    ("participant_decode", participant_decode),
    ("participant_differential", participant_differential),
    ("path_parse", path_parse),
    ("update_decode", update_decode),
];

/// The check of the target `name`.
pub fn check(name: &str) -> Option<Check> {
    TARGETS.iter().find(|(n, _)| *n == name).map(|(_, c)| *c)
}

/// Splits `(step, data)`: the first byte is the fragment size (0 means 1),
/// the rest is the data.
fn step_and_data(input: &[u8]) -> (usize, &[u8]) {
    match input.split_first() {
        Some((&step, data)) => (usize::from(step.max(1)), data),
        None => (1, &[]),
    }
}

/// JSON → error body: never panics; a decoded Twilio-shaped body written back
/// with `write_twilio` decodes to the same code, message and status.
pub fn api_error_decode(doc: &[u8]) {
    let Ok(e) = ApiError::decode(doc) else {
        return;
    };
    let (Some(code), Some(status)) = (e.code, e.status) else {
        return;
    };
    if e.shape != ErrorShape::Twilio {
        return;
    }
    let message = e.message.map(|m| m.to_string()).unwrap_or_default();
    let mut out = vec![0u8; twilio_len(code, &message, status)];
    let n = ApiError::encode_twilio(code, &message, status, &mut out).expect("fits twilio_len");
    let back = ApiError::decode(&out[..n]).expect("re-encoded error decodes");
    assert_eq!((back.code, back.status), (Some(code), Some(status)));
    assert_eq!(back.message, e.message);
}

/// RFC 2822 date: never panics; what parses writes strictly and parses to
/// the same instant.
pub fn date_parse(data: &[u8]) {
    let Ok(t) = Timestamp::parse(data) else {
        return;
    };
    let mut buf = [0u8; RFC2822_LEN];
    let s = t.write_rfc2822(&mut buf);
    assert_eq!(Timestamp::parse(s.as_bytes()), Ok(t));
}

fn read_request(data: &[u8], step: usize) -> Option<(String, Vec<u8>, usize)> {
    let mut buf = [0u8; 4096];
    let mut reader = RequestReader::new(&mut buf);
    let mut rest = data;
    let mut taken = 0;
    let message = loop {
        if rest.is_empty() {
            break reader.finish().ok()?;
        }
        let n = step.min(rest.len());
        match reader.feed(&rest[..n]).ok()? {
            Progress::Complete(m) => {
                taken += m.consumed();
                break m;
            }
            Progress::Partial => {
                taken += n;
                rest = &rest[n..];
            }
        }
    };
    let _ = route(message.method(), message.path());
    let _ = check_basic(
        message.authorization(),
        "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        "token",
    );
    let _ = message.headers().count();
    let body = message.body().to_vec();
    let mut scratch = [0u8; 4096];
    let _ = Update::decode(&body, &mut scratch);
    Some((
        format!("{} {}", message.method(), message.path()),
        body,
        taken,
    ))
}

/// Request bytes (first byte: fragment size), fed in fragments into the
/// bridge's RequestReader, then routed, auth-checked and (for a form body)
/// decoded as an update: never panics, and the split never
/// changes the result.
pub fn http_request_read(input: &[u8]) {
    let (step, data) = step_and_data(input);
    let whole = read_request(data, usize::MAX);
    let split = read_request(data, step);
    assert_eq!(whole, split, "the split changed the result");
}

fn read_response(data: &[u8], step: usize, kind: OperationKind) -> Option<(u16, Vec<u8>, usize)> {
    let mut buf = [0u8; 4096];
    let mut reader = ResponseReader::new(&mut buf, kind);
    let mut rest = data;
    let mut taken = 0;
    let message = loop {
        if rest.is_empty() {
            break reader.finish().ok()?;
        }
        let n = step.min(rest.len());
        match reader.feed(&rest[..n]).ok()? {
            Progress::Complete(m) => {
                taken += m.consumed();
                break m;
            }
            Progress::Partial => {
                taken += n;
                rest = &rest[n..];
            }
        }
    };
    let _ = message.outcome();
    let _ = message.participant();
    let _ = message.retry_after();
    Some((message.status(), message.body().to_vec(), taken))
}

/// Response bytes (first byte: fragment size; second byte, bit 0: a list
/// response rather than an update's), fed in fragments into the client's
/// ResponseReader: never panics, and the outcome of a complete response does
/// not depend on how it was split.
pub fn http_response_read(input: &[u8]) {
    let (step, rest) = step_and_data(input);
    let (list, data) = match rest.split_first() {
        Some((&b, data)) => (b & 1 == 1, data),
        None => (false, rest),
    };
    let kind = if list {
        OperationKind::List
    } else {
        OperationKind::Update
    };
    let whole = read_response(data, usize::MAX, kind);
    let split = read_response(data, step, kind);
    assert_eq!(whole, split, "the split changed the result");
}

/// JSON → list page: never panics; a decoded page re-encodes and decodes to
/// the same metadata and participants.
pub fn list_decode(doc: &[u8]) {
    let mut people: Vec<Participant<'_>> = Vec::new();
    let Ok(meta) = decode_page(doc, |p| people.push(p)) else {
        return;
    };
    let mut out = vec![0u8; doc.len() * 2 + 4096];
    let mut sink = SliceSink::new(&mut out);
    encode_page(&mut sink, &meta, people.iter()).expect("re-encode fits");
    let written = sink.written();
    let mut again: Vec<Participant<'_>> = Vec::new();
    let meta2 = decode_page(written, |p| again.push(p)).expect("re-encoded page decodes");
    assert_eq!(meta2, meta);
    assert_eq!(again, people);
}

/// List query string → ListQuery: never panics; what decodes writes back
/// (to the length `encoded_len` announces) and decodes the same.
pub fn list_query_decode(data: &[u8]) {
    let mut scratch = [0u8; 1024];
    let Ok(q) = ListQuery::decode(data, &mut scratch) else {
        return;
    };
    let _ = q.validate();
    let mut out = [0u8; 4096];
    let mut sink = SliceSink::new(&mut out);
    q.encode(&mut sink).expect("query fits");
    let written = sink.written().to_vec();
    assert_eq!(written.len(), q.encoded_len());
    let mut scratch2 = [0u8; 1024];
    let again = ListQuery::decode(&written, &mut scratch2).expect("written query decodes");
    assert_eq!(again, q);
}

/// JSON → Participant: never panics; whatever decodes re-encodes (to the
/// length `encoded_len` announces) and decodes to the same value, and the
/// re-encoding of that is byte for byte the same.
pub fn participant_decode(doc: &[u8]) {
    let Ok(p) = Participant::decode(doc) else {
        return;
    };
    let mut out = vec![0u8; p.encoded_len()];
    let n = p
        .encode_to_slice(&mut out)
        .expect("re-encode fits encoded_len");
    assert_eq!(n, out.len());
    let back = Participant::decode(&out[..n]).expect("re-encoded JSON decodes");
    assert_eq!(back, p);
    let mut again = vec![0u8; n];
    let m = back.encode_to_slice(&mut again).expect("fits");
    assert_eq!(&again[..m], &out[..n]);
}

fn text(v: &Value, key: &str) -> Option<String> {
    v.get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

fn js(s: Option<JsonStr<'_>>) -> Option<String> {
    s.map(|s| s.to_string())
}

/// Differential: the core never accepts what serde_json's parser rejects
/// (it may reject more: depth, duplicate keys, values its fields cannot
/// hold), and on a participant it accepts, both agree on every field.
pub fn participant_differential(doc: &[u8]) {
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
    let date = |key| text(&v, key).map(|s| Timestamp::parse(s.as_bytes()).expect("date"));
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
}

/// Request path → ParticipantPath: never panics; what parses writes back and
/// parses the same.
pub fn path_parse(data: &[u8]) {
    let Ok(text) = core::str::from_utf8(data) else {
        return;
    };
    let Ok(path) = ParticipantPath::parse(text) else {
        return;
    };
    let mut buf = [0u8; ParticipantPath::MAX_LEN];
    let n = path.encode_to_slice(&mut buf).expect("path fits MAX_LEN");
    let again = core::str::from_utf8(&buf[..n]).expect("ASCII");
    assert_eq!(
        ParticipantPath::parse(again).expect("written path parses"),
        path
    );
}

/// Form body → Update: never panics; whatever decodes re-encodes and decodes
/// to the same value.
pub fn update_decode(body: &[u8]) {
    let mut scratch = [0u8; 4096];
    let Ok(decoded) = Update::decode(body, &mut scratch) else {
        return;
    };
    let _ = decoded.update.validate(Dialect::Twilio);
    let _ = decoded.update.validate(Dialect::SignalWire);
    let mut out = [0u8; 16384];
    let n = decoded
        .update
        .encode_to_slice(&mut out)
        .expect("re-encode fits");
    let mut scratch2 = [0u8; 16384];
    let again = Update::decode(&out[..n], &mut scratch2).expect("re-encoded body decodes");
    assert_eq!(again.update, decoded.update);
}
