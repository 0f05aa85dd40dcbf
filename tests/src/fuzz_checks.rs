//! The body of every cargo-fuzz target (`fuzz/fuzz_targets/<name>.rs` is a
//! one-line call of the function of the same name), so that a stored input
//! replays byte for byte under plain `cargo test` (`tests/tests/fuzz_replay.rs`
//! runs every file of `fuzz/seeds/<name>/` and `fuzz/regressions/<name>/`).
//!
//! Every check takes the raw input bytes. A target that feeds its input in
//! fragments reads the fragment size from the first byte (the layout
//! `arbitrary` gives `(u8, &[u8])`, so older corpora keep their meaning).
//! `embassy_client` has a layout of its own (control bytes, then one server
//! script per exchange: see [`embassy_client`]); its scripted transport and
//! executor are in the `scripted` module.
//! A check panics on a finding: that is its job.
use confpart::api::codes::telnyx_title;
use confpart::api::create::Create;
use confpart::api::error::{ApiError, ErrorShape, body_len, twilio_len, write_body};
use confpart::api::list::{PageMeta, decode_page, encode_page, encode_page_for};
use confpart::api::operation::OperationKind;
use confpart::api::participant::{Participant, Reply, TELNYX_API_VERSION};
use confpart::api::path::{Dialect, ParticipantPath};
use confpart::api::query::ListQuery;
use confpart::api::update::Update;
use confpart::bridge::{Account, Handled, Service};
use confpart::bridge::{
    ConferenceRef, Conferences, DEFAULT_PAGE_SIZE, Link, SequentialIds, Timing,
};
use confpart::bridge::{check_basic, route};
use confpart::client::ResponseReader;
use confpart::wire::date::{RFC2822_LEN, Timestamp};
use confpart::wire::http::{
    ConnectReader, HttpError, Kind, Message, Progress, Reader, RequestReader,
};
use confpart::wire::ident::{AccountSid, CallSid, ParticipantRef};
use confpart::wire::json::{JsonStr, validate};
use confpart::wire::sink::SliceSink;
use serde_json::Value;

mod scripted;
use crate::head_oracle;

/// A fuzz check: never returns normally on a finding.
pub type Check = fn(&[u8]);

/// Every target, by its cargo-fuzz name.
pub const TARGETS: &[(&str, Check)] = &[
    ("api_error_decode", api_error_decode),
    ("callback_decode", callback_decode),
    ("cert_chain", cert_chain),
    ("conference_list", conference_list),
    ("connect_read", connect_read),
    ("create_decode", create_decode),
    ("date_parse", date_parse),
    ("embassy_client", embassy_client),
    ("http_head_differential", http_head_differential),
    ("http_request_read", http_request_read),
    ("http_response_read", http_response_read),
    ("list_decode", list_decode),
    ("list_query_decode", list_query_decode),
    ("participant_decode", participant_decode),
    ("participant_differential", participant_differential),
    ("path_parse", path_parse),
    ("service", service),
    ("signature_validate", signature_validate),
    ("telnyx_signature", telnyx_signature),
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
/// with `write_twilio` decodes to the same code, message and status; any
/// decoded body with a code, written back in each dialect's shape
/// (`write_body`, to the length `body_len` announces), decodes in that shape
/// to the same code and message (Telnyx: the title when the message is
/// empty).
pub fn api_error_decode(doc: &[u8]) {
    let Ok(e) = ApiError::decode(doc) else {
        return;
    };
    let Some(code) = e.code else {
        return;
    };
    let message = e.message.map(|m| m.to_string()).unwrap_or_default();
    let status = e.status.unwrap_or(400);
    for (dialect, shape) in [
        (Dialect::Twilio, ErrorShape::Twilio),
        (Dialect::SignalWire, ErrorShape::SignalWireCoded),
        (Dialect::Telnyx, ErrorShape::Telnyx),
    ] {
        let mut out = vec![0u8; body_len(dialect, code, &message, status)];
        let mut sink = SliceSink::new(&mut out);
        write_body(&mut sink, dialect, code, &message, status).expect("fits body_len");
        assert_eq!(sink.len(), out.len());
        let back = ApiError::decode(&out).expect("re-encoded error decodes");
        assert_eq!((back.code, back.shape), (Some(code), shape));
        match (dialect, e.message) {
            (Dialect::Telnyx, None) => {
                assert!(back.message.expect("a title").eq_str(telnyx_title(code)));
            }
            _ => assert_eq!(back.message, e.message),
        }
    }
    let Some(status) = e.status else {
        return;
    };
    if e.shape != ErrorShape::Twilio {
        return;
    }
    let mut out = vec![0u8; twilio_len(code, &message, status)];
    let n = ApiError::encode_twilio(code, &message, status, &mut out).expect("fits twilio_len");
    let back = ApiError::decode(&out[..n]).expect("re-encoded error decodes");
    assert_eq!((back.code, back.status), (Some(code), Some(status)));
    assert_eq!(back.message, e.message);
}

/// RFC 2822 date: never panics; what parses writes strictly and parses to
/// the same instant.
pub fn date_parse(data: &[u8]) {
    // ISO 8601 (Telnyx's callback Timestamp): what parses writes back and parses alike.
    if let Ok(t) = Timestamp::parse_iso8601(data) {
        let mut buf = [0u8; confpart::wire::date::ISO8601_LEN];
        let s = t.write_iso8601(&mut buf);
        assert_eq!(Timestamp::parse_iso8601(s.as_bytes()), Ok(t));
    }
    let Ok(t) = Timestamp::parse(data) else {
        return;
    };
    let mut buf = [0u8; RFC2822_LEN];
    let s = t.write_rfc2822(&mut buf);
    assert_eq!(Timestamp::parse(s.as_bytes()), Ok(t));
}

/// Feeds `data` to `reader` `step` bytes at a time, then `finish`es it at
/// the end of the input: the message and the input bytes it took (`None`
/// on any error).
fn feed_in_steps<'r, K: Kind>(
    reader: &'r mut Reader<'_, K>,
    data: &[u8],
    step: usize,
) -> Option<(Message<'r, K>, usize)> {
    let mut rest = data;
    let mut taken = 0;
    loop {
        if rest.is_empty() {
            reader.finish().ok()?;
            break;
        }
        let n = step.min(rest.len());
        match reader.feed(&rest[..n]).ok()? {
            Progress::Complete(m) => {
                taken += m.consumed();
                break;
            }
            Progress::Partial => {
                taken += n;
                rest = &rest[n..];
            }
        }
    }
    // The complete message again, borrowed for `'r` (a borrow returned from
    // inside the loop would outlive the loop's next `feed`).
    Some((reader.message()?, taken))
}

fn read_request(data: &[u8], step: usize) -> Option<(String, Vec<u8>, usize)> {
    let mut buf = [0u8; 4096];
    let mut reader = RequestReader::new(&mut buf);
    let (message, taken) = feed_in_steps(&mut reader, data, step)?;
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
    let mut scratch = [0u8; 4096];
    let _ = Create::decode(&body, &mut scratch);
    Some((
        format!("{} {}", message.method(), message.path()),
        body,
        taken,
    ))
}

/// Request bytes (first byte: fragment size), fed in fragments into the
/// bridge's RequestReader, then routed, auth-checked and (for a form body)
/// decoded as an update and as a create: never panics, the split never
/// changes the result, and the head parses as `httparse` parses it
/// ([`head_oracle::compare`]).
pub fn http_request_read(input: &[u8]) {
    let (step, data) = step_and_data(input);
    head_oracle::compare(data, false);
    let whole = read_request(data, usize::MAX);
    let split = read_request(data, step);
    assert_eq!(whole, split, "the split changed the result");
}

fn read_response(data: &[u8], step: usize, kind: OperationKind) -> Option<(u16, Vec<u8>, usize)> {
    let mut buf = [0u8; 4096];
    let mut reader = ResponseReader::new(&mut buf, kind);
    let (message, taken) = feed_in_steps(&mut reader, data, step)?;
    let _ = message.outcome();
    let _ = message.participant();
    let _ = message.retry_after();
    Some((message.status(), message.body().to_vec(), taken))
}

/// Response bytes (first byte: fragment size; second byte, bit 0: a list
/// response rather than an update's), fed in fragments into the client's
/// ResponseReader: never panics, the outcome of a complete response does
/// not depend on how it was split, and the head parses as `httparse` parses
/// it ([`head_oracle::compare`]).
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
    head_oracle::compare(data, true);
    let whole = read_response(data, usize::MAX, kind);
    let split = read_response(data, step, kind);
    assert_eq!(whole, split, "the split changed the result");
}

/// Differential of the head parser against `httparse` (the oracle, see
/// [`head_oracle`]): the first byte's bit 0 picks a response (1) or a
/// request (0), the rest is the message. Both accept the same heads with the
/// same parts and reject the same heads with the same error, modulo the
/// rules only the core applies.
pub fn http_head_differential(input: &[u8]) {
    let (response, data) = match input.split_first() {
        Some((&b, data)) => (b & 1 == 1, data),
        None => (false, input),
    };
    head_oracle::compare(data, response);
}

/// JSON → list page: never panics; a decoded page re-encodes and decodes to
/// the same metadata and participants (as Twilio's shape keeps them);
/// re-encoded in Telnyx's shape it
/// decodes to the same metadata but `previous_page_uri` and to the
/// participants as Telnyx's resource keeps them.
pub fn list_decode(doc: &[u8]) {
    let mut people: Vec<Participant<'_>> = Vec::new();
    let Ok(meta) = decode_page(doc, |p| people.push(p)) else {
        return;
    };
    let mut out = vec![0u8; doc.len() * 2 + 4096 + people.len() * 64];
    let mut sink = SliceSink::new(&mut out);
    encode_page(&mut sink, &meta, people.iter()).expect("re-encode fits");
    let written = sink.written();
    let mut again: Vec<Participant<'_>> = Vec::new();
    let meta2 = decode_page(written, |p| again.push(p)).expect("re-encoded page decodes");
    assert_eq!(meta2, meta);
    let kept: Vec<Participant<'_>> = people.iter().map(twilio_view).collect();
    assert_eq!(again, kept);

    let mut telnyx = vec![0u8; doc.len() * 2 + 4096 + people.len() * 64];
    let mut sink = SliceSink::new(&mut telnyx);
    encode_page_for(&mut sink, Dialect::Telnyx, &meta, people.iter()).expect("Telnyx page fits");
    let written = sink.written();
    let mut again: Vec<Participant<'_>> = Vec::new();
    let meta3 = decode_page(written, |p| again.push(p)).expect("Telnyx page decodes");
    let want = PageMeta {
        previous_page_uri: None,
        ..meta
    };
    assert_eq!(meta3, want);
    let kept: Vec<Participant<'_>> = people
        .iter()
        .map(|p| telnyx_view(p, Reply::Resource))
        .collect();
    assert_eq!(again, kept);
}

/// What Twilio's (and SignalWire's) shape keeps of `p`: all but Telnyx's
/// own `call_sid_legacy`, `coaching_call_sid_legacy` and `api_version`.
fn twilio_view<'a>(p: &Participant<'a>) -> Participant<'a> {
    p.with_call_sid_legacy("")
        .with_coaching_call_sid_legacy("")
        .with_api_version("")
}

/// What Telnyx's answer `reply` keeps of `p` (`Participant::encode_for`'s
/// rules): no label, `start_conference_on_enter` or `queue_time`; an
/// `api_version` in a resource; no legacy ids, `api_version` or dates in a
/// create answer.
fn telnyx_view<'a>(p: &Participant<'a>, reply: Reply) -> Participant<'a> {
    let q = p
        .with_label("")
        .with_start_conference_on_enter(None)
        .with_queue_time("");
    match reply {
        Reply::Resource if p.api_version().is_none() => q.with_api_version(TELNYX_API_VERSION),
        Reply::Resource => q,
        Reply::Created => q
            .with_api_version("")
            .with_call_sid_legacy("")
            .with_coaching_call_sid_legacy("")
            .with_date_created(None)
            .with_date_updated(None),
    }
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
/// length `encoded_len` announces) and decodes to the same value (but
/// Telnyx's own fields, which Twilio's shape has not), and the re-encoding
/// of that is byte for byte the same; the same in Telnyx's two answers.
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
    assert_eq!(back, twilio_view(&p));
    let mut again = vec![0u8; n];
    let m = back.encode_to_slice(&mut again).expect("fits");
    assert_eq!(&again[..m], &out[..n]);
    // Telnyx's two answers: to the announced length, decoding to what the
    // answer keeps, re-encoding byte for byte.
    for reply in [Reply::Resource, Reply::Created] {
        let mut out = vec![0u8; p.encoded_len_for(Dialect::Telnyx, reply)];
        let mut sink = SliceSink::new(&mut out);
        p.encode_for(Dialect::Telnyx, reply, &mut sink)
            .expect("fits encoded_len_for");
        assert_eq!(sink.len(), out.len());
        let back = Participant::decode(&out).expect("Telnyx answer decodes");
        assert_eq!(back, telnyx_view(&p, reply));
        let mut again = vec![0u8; out.len()];
        let mut sink = SliceSink::new(&mut again);
        back.encode_for(Dialect::Telnyx, reply, &mut sink)
            .expect("fits");
        assert_eq!(sink.written(), &out[..]);
    }
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
    if let (Ok(p), Ok(v)) = (participant, reference) {
        assert_same_fields(&p, &v);
    }
}

/// Panics unless a decoded participant and serde_json's reading of the same
/// document agree on every field (an empty string counts as absent).
pub fn assert_same_fields(p: &Participant<'_>, v: &Value) {
    let sid = |key| text(v, key);
    assert_eq!(
        p.account_sid().map(|s| s.as_str().to_owned()),
        sid("account_sid")
    );
    assert_eq!(p.call_sid().map(|s| s.as_str().to_owned()), sid("call_sid"));
    assert_eq!(
        p.conference_sid().map(|s| s.as_str().to_owned()),
        sid("conference_sid")
    );
    // The coach target has two names (Twilio's and Telnyx's); a document
    // the core accepts has at most one of them.
    assert_eq!(
        p.call_sid_to_coach().map(|s| s.as_str().to_owned()),
        sid("call_sid_to_coach").or(sid("coaching_call_sid"))
    );
    let date = |key| text(v, key).map(|s| Timestamp::parse(s.as_bytes()).expect("date"));
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
    assert_eq!(js(p.label()), text(v, "label"));
    assert_eq!(js(p.status_text()), text(v, "status"));
    assert_eq!(js(p.queue_time()), text(v, "queue_time"));
    assert_eq!(js(p.uri()), text(v, "uri"));
    assert_eq!(js(p.call_sid_legacy()), text(v, "call_sid_legacy"));
    assert_eq!(
        js(p.coaching_call_sid_legacy()),
        text(v, "coaching_call_sid_legacy")
    );
    assert_eq!(js(p.api_version()), text(v, "api_version"));
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
/// to the same value. The same bytes as a JSON body ([`update_decode_json`]).
pub fn update_decode(body: &[u8]) {
    update_decode_json(body);
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

/// JSON body → Update (`Update::decode_json`, what Telnyx's Python and Go
/// SDKs send): never panics, a scratch as long as the body suffices; what
/// decodes validates in every dialect without panicking, and re-encoded as
/// a form body decodes to the same update (the two decoders agree).
pub fn update_decode_json(body: &[u8]) {
    let mut scratch = vec![0u8; body.len()];
    let decoded = match Update::decode_json(body, &mut scratch) {
        Ok(d) => d,
        Err(e) => {
            assert!(
                !matches!(e, confpart::api::update::FormError::ScratchFull { .. }),
                "a scratch as long as the body must suffice: {e:?}"
            );
            return;
        }
    };
    for dialect in Dialect::ALL {
        let _ = decoded.update.validate(dialect);
    }
    let mut out = vec![0u8; decoded.update.encoded_len()];
    let n = decoded
        .update
        .encode_to_slice(&mut out)
        .expect("fits encoded_len");
    let mut scratch2 = vec![0u8; n];
    let again = Update::decode(&out[..n], &mut scratch2).expect("re-encoded form decodes");
    assert_eq!(again.update, decoded.update);
}

/// JSON body → Create (`Create::decode_json`) and its conference
/// subscription (`Subscriber::from_create_json`): never panic, a scratch as
/// long as the body suffices; what decodes, re-encoded as a form body,
/// decodes to the same create with the same verdicts in every dialect.
pub fn create_decode_json(body: &[u8]) {
    // The conference's subscription read from the same JSON body: never
    // panics, a scratch as long as the body suffices, a URL it keeps is one.
    for dialect in Dialect::ALL {
        let mut scratch = vec![0u8; body.len()];
        match confpart::api::callback::Subscriber::from_create_json(body, &mut scratch, dialect) {
            Ok(Some(s)) => assert!(
                s.url
                    .get(..4)
                    .is_some_and(|p| p.eq_ignore_ascii_case("http")),
                "{s:?}"
            ),
            Ok(None) => {}
            Err(e) => assert!(
                !matches!(e, confpart::api::callback::FormError::ScratchFull { .. }),
                "a scratch as long as the body must suffice: {e:?}"
            ),
        }
    }
    let mut scratch = vec![0u8; body.len()];
    let decoded = match Create::decode_json(body, &mut scratch) {
        Ok(d) => d,
        Err(e) => {
            assert!(
                !matches!(e, confpart::api::create::FormError::ScratchFull { .. }),
                "a scratch as long as the body must suffice: {e:?}"
            );
            return;
        }
    };
    let create = decoded.create;
    let mut out = vec![0u8; create.encoded_len()];
    let n = create.encode_to_slice(&mut out).expect("fits encoded_len");
    let mut scratch2 = vec![0u8; n];
    let again = Create::decode(&out[..n], &mut scratch2).expect("re-encoded form decodes");
    assert_eq!(again.create, create);
    for dialect in Dialect::ALL {
        assert_eq!(again.create.validate(dialect), create.validate(dialect));
    }
}

/// Form body → Create: never panics (a scratch buffer as long as the body
/// suffices, as documented); whatever decodes re-encodes to the length
/// `encoded_len` announces, decodes to the same value, and its re-encoding
/// is byte for byte the same; validation never panics and does not depend on
/// the ignored keys. The same bytes as a JSON body ([`create_decode_json`]).
pub fn create_decode(body: &[u8]) {
    create_decode_json(body);
    let mut scratch = vec![0u8; body.len()];
    let decoded = match Create::decode(body, &mut scratch) {
        Ok(d) => d,
        Err(e) => {
            assert!(
                !matches!(e, confpart::api::create::FormError::ScratchFull { .. }),
                "a scratch as long as the body must suffice: {e:?}"
            );
            return;
        }
    };
    let create = decoded.create;
    assert!(decoded.ignored.iter().count() <= decoded.ignored.total());
    let verdicts = [
        create.validate(Dialect::Twilio),
        create.validate(Dialect::SignalWire),
    ];
    let len = create.encoded_len();
    let mut out = vec![0u8; len];
    let n = create.encode_to_slice(&mut out).expect("fits encoded_len");
    assert_eq!(n, len);
    let mut scratch2 = vec![0u8; n];
    let again = Create::decode(&out, &mut scratch2).expect("re-encoded body decodes");
    assert_eq!(again.create, create);
    assert_eq!(again.ignored.total(), 0);
    assert_eq!(
        [
            again.create.validate(Dialect::Twilio),
            again.create.validate(Dialect::SignalWire)
        ],
        verdicts
    );
    let mut out2 = vec![0u8; n];
    let m = again
        .create
        .encode_to_slice(&mut out2)
        .expect("fits the same length");
    assert_eq!(&out2[..m], &out[..]);
}

/// One listed participant, as the model has it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Listed {
    call: CallSid,
    muted: bool,
    hold: bool,
    coaching: bool,
}

/// A page, owned: its participants and the query of each link.
struct OwnedPage {
    calls: Vec<CallSid>,
    next: Option<Vec<u8>>,
    previous: Option<Vec<u8>>,
    current: Vec<u8>,
}

/// The query string of a page URI (after `?`).
fn link_query<const N: usize>(
    page: &confpart::bridge::Page<'_, N>,
    which: Link,
) -> Option<Vec<u8>> {
    let uri = page.uri(which)?;
    let mut buf = vec![0u8; uri.encoded_len()];
    let mut sink = SliceSink::new(&mut buf);
    uri.write(&mut sink).expect("fits encoded_len");
    let written = sink.written();
    let at = written
        .iter()
        .position(|&b| b == b'?')
        .expect("a list URI has a query");
    Some(written[at + 1..].to_vec())
}

const LIST_N: usize = 16;

fn list_page(
    set: &mut Conferences<1, LIST_N>,
    account: &AccountSid,
    sid: &confpart::wire::ident::ConferenceSid,
    query: &[u8],
    now: Timestamp,
) -> Option<OwnedPage> {
    let mut scratch = [0u8; 256];
    let q = ListQuery::decode(query, &mut scratch).ok()?;
    let page = set.list(account, sid, &q, now).ok()?;
    assert_eq!(page.len(), page.members().count());
    assert!(page.len() <= usize::from(page.page_size()));
    assert!(page.start() <= page.end());
    for m in page.members() {
        let s = m.state();
        assert!(m.is_live());
        assert!(q.muted.is_none_or(|v| v == s.muted), "filter Muted");
        assert!(q.hold.is_none_or(|v| v == s.hold), "filter Hold");
        assert!(
            q.coaching.is_none_or(|v| v == s.coaching()),
            "filter Coaching"
        );
    }
    Some(OwnedPage {
        calls: page.members().map(|m| *m.call_sid()).collect(),
        next: link_query(&page, Link::Next),
        previous: link_query(&page, Link::Previous),
        current: link_query(&page, Link::Current).expect("current page URI"),
    })
}

/// The list operation on a model conference: byte 0 picks the dialect (bit
/// 7) and the number of participants (the rest, modulo 17), the next bytes
/// their flags (bit 0 muted, bit 1 on hold, bit 2 coaching the first one);
/// the rest is the query string. Never panics; a page lists only live
/// participants that pass every filter, in join order, at most `PageSize`;
/// its URIs list the same page again (current), and following `next`
/// from the first page lists every matching participant exactly once, in
/// order; `previous` of a non-empty page lists the participants just before
/// it.
pub fn conference_list(input: &[u8]) {
    let Some((&head, rest)) = input.split_first() else {
        return;
    };
    let dialect = if head & 0x80 != 0 {
        Dialect::SignalWire
    } else {
        Dialect::Twilio
    };
    let n = usize::from(head & 0x7f) % (LIST_N + 1);
    let (flags, query) = rest.split_at(n.min(rest.len()));
    let account = AccountSid::parse("ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa").expect("account");
    let now = Timestamp::from_unix(1_700_000_000).expect("time");
    let mut set: Conferences<1, LIST_N> = Conferences::new(dialect, Timing::IMMEDIATE);
    let mut ids = SequentialIds::new();
    let mut conference = None;
    let mut first: Option<CallSid> = None;
    for &f in flags {
        let mut create = Create::new("+15005550006", "+15558675310");
        if f & 4 != 0
            && let Some(target) = first
        {
            create = create.coaching(true).call_sid_to_coach(target);
        }
        let where_ = conference.map_or(ConferenceRef::Name("room"), ConferenceRef::Sid);
        let Ok(created) = set.create(&account, where_, &create, now, &mut ids) else {
            continue;
        };
        conference = Some(created.conference);
        first.get_or_insert(created.call);
        let update = Update::new().muted(f & 1 != 0).hold(f & 2 != 0);
        let who = ParticipantRef::Call(created.call);
        let _ = set.update(&account, &created.conference, &who, &update, now);
    }
    let Some(sid) = conference else {
        return;
    };
    let Some(page) = list_page(&mut set, &account, &sid, query, now) else {
        return;
    };
    // Every live participant that passes the filters, in join order.
    let mut scratch = [0u8; 256];
    let q = ListQuery::decode(query, &mut scratch).expect("decoded once");
    let all: Vec<Listed> = set
        .conference(&sid)
        .expect("listed")
        .members()
        .filter(|m| m.is_live())
        .map(|m| Listed {
            call: *m.call_sid(),
            muted: m.state().muted,
            hold: m.state().hold,
            coaching: m.state().coaching(),
        })
        .filter(|l| {
            q.muted.is_none_or(|v| v == l.muted)
                && q.hold.is_none_or(|v| v == l.hold)
                && q.coaching.is_none_or(|v| v == l.coaching)
        })
        .collect();
    let position = |call: &CallSid| all.iter().position(|l| l.call == *call);
    // The page is a run of consecutive matching participants.
    if let Some(start) = page.calls.first().map(|c| position(c).expect("listed")) {
        let run: Vec<CallSid> = all
            .iter()
            .skip(start)
            .take(page.calls.len())
            .map(|l| l.call)
            .collect();
        assert_eq!(page.calls, run, "a page is a run of matching participants");
    }
    if q.page_token.is_none() {
        let size = usize::from(q.page_size.unwrap_or(DEFAULT_PAGE_SIZE));
        let skip = (q.page.unwrap_or(0) as usize).saturating_mul(size);
        let expected: Vec<CallSid> = all.iter().skip(skip).take(size).map(|l| l.call).collect();
        assert_eq!(page.calls, expected, "numbered page");
    }
    // The current URI lists the same page.
    let again = list_page(&mut set, &account, &sid, &page.current, now).expect("current URI lists");
    assert_eq!(again.calls, page.calls, "current URI");
    // Previous: the participants just before this page.
    if let (Some(prev), Some(start)) = (&page.previous, page.calls.first().and_then(position))
        && dialect == Dialect::Twilio
    {
        let before = list_page(&mut set, &account, &sid, prev, now).expect("previous URI lists");
        let size = usize::from(q.page_size.unwrap_or(DEFAULT_PAGE_SIZE));
        let expected: Vec<CallSid> = all[start.saturating_sub(size)..start]
            .iter()
            .map(|l| l.call)
            .collect();
        assert_eq!(before.calls, expected, "previous page");
    }
    // Next, from wherever this page is, walks the rest exactly once.
    let mut seen = page.calls.clone();
    let mut next = page.next.clone();
    let mut hops = 0;
    while let Some(link) = next {
        hops += 1;
        assert!(hops <= LIST_N + 1, "next links loop");
        let p = list_page(&mut set, &account, &sid, &link, now).expect("next URI lists");
        assert!(!p.calls.is_empty(), "a next link leads to an empty page");
        seen.extend(p.calls);
        next = p.next;
    }
    if let Some(start) = seen.first().and_then(position) {
        let tail: Vec<CallSid> = all[start..].iter().map(|l| l.call).collect();
        assert_eq!(seen, tail, "next links walk the rest once, in order");
    }
}

/// The account the `service` target's bridge serves.
const SERVICE_AC: &str = "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
/// Its auth token.
const SERVICE_TOKEN: &str = "auth token";
/// The `service` target's request buffer: small, so that too-large heads and
/// bodies are reached.
const SERVICE_RX: usize = 2048;

/// A growing `Sink`.
struct VecSink<'v>(&'v mut Vec<u8>);

impl confpart::wire::sink::Sink for VecSink<'_> {
    fn put(&mut self, bytes: &[u8]) -> Result<(), confpart::wire::sink::WriteError> {
        self.0.extend_from_slice(bytes);
        Ok(())
    }
}

/// The model's invariants: live participants within capacity, labels
/// unique among the live participants of each conference.
fn service_invariants<const C: usize, const N: usize, const L: usize>(
    service: &Service<'_, C, N, L>,
) {
    for conference in service.conferences().conferences() {
        assert!(
            conference.live_count() <= N,
            "more live participants than N"
        );
        let mut labels: Vec<&str> = conference
            .members()
            .filter(|m| m.is_live())
            .filter_map(|m| m.label())
            .collect();
        let live = labels.len();
        labels.sort_unstable();
        labels.dedup();
        assert_eq!(labels.len(), live, "a label is used twice among the live");
    }
}

/// Checks one response the service wrote for `handled`: it reads back
/// completely with the client's reader, with the same status, the same
/// `Connection`, and an error body that decodes to the same code.
fn check_response(bytes: &[u8], handled: &Handled) {
    let mut buf = vec![0u8; bytes.len() + 16];
    let mut reader = ResponseReader::new(&mut buf, OperationKind::Fetch);
    let message = match reader.feed(bytes) {
        Ok(Progress::Complete(m)) => m,
        other => panic!(
            "the response does not read back ({other:?}): {:?}",
            String::from_utf8_lossy(bytes)
        ),
    };
    assert_eq!(message.consumed(), bytes.len(), "the response is longer");
    assert_eq!(message.status(), handled.status, "status line vs Handled");
    assert_eq!(
        message.keep_alive(),
        handled.keep_alive,
        "Connection vs Handled"
    );
    match handled.code {
        Some(code) => {
            assert!(handled.status >= 400, "a code on a success");
            let e = ApiError::decode(message.body()).expect("an error body decodes");
            assert_eq!(e.code, Some(code), "the body's code vs Handled");
            assert_eq!(e.status, Some(handled.status), "the body's status");
        }
        None => assert!(handled.status < 300, "an error without its code"),
    }
}

/// Feeds `data` in fragments of `step` bytes to a bridge service; returns
/// every byte it wrote and what it answered.
fn serve(data: &[u8], step: usize) -> (Vec<u8>, Vec<Handled>) {
    let account = AccountSid::parse(SERVICE_AC).unwrap();
    let accounts = [Account::new(account, SERVICE_TOKEN)];
    let mut service: Box<Service<'_, 2, 4, 32>> =
        Box::new(Service::new(Dialect::Twilio, Timing::IMMEDIATE, &accounts));
    let mut ids = SequentialIds::new();
    let now = Timestamp::from_unix(1_700_000_000).unwrap();
    service
        .conferences_mut()
        .create(
            &account,
            ConferenceRef::Name("room"),
            &Create::new("+15005550006", "+15005550001").label("desk"),
            now,
            &mut ids,
        )
        .unwrap();
    service.tick(now);
    service_invariants(&service);

    let mut rx = vec![0u8; SERVICE_RX];
    let mut reader = RequestReader::new(&mut rx);
    let mut out = Vec::new();
    let mut answers = Vec::new();
    let mut rest = data;
    'feed: while !rest.is_empty() {
        let n = step.min(rest.len());
        let mut fragment = &rest[..n];
        rest = &rest[n..];
        while !fragment.is_empty() {
            let start = out.len();
            let handled = match reader.feed(fragment) {
                Ok(Progress::Partial) => break,
                Ok(Progress::Complete(m)) => {
                    fragment = &fragment[m.consumed()..];
                    let mut scratch = vec![0u8; m.body().len().max(m.query().map_or(0, str::len))];
                    service
                        .handle(&m, now, &mut ids, &mut scratch, &mut VecSink(&mut out))
                        .expect("a Vec never fails")
                }
                Err(e) => {
                    let h = Service::<2, 4, 32>::reject(&e, &mut VecSink(&mut out))
                        .expect("a Vec never fails");
                    assert!(!h.keep_alive, "a framing error keeps the connection");
                    // 4xx, except 501 for a transfer coding it does not
                    // implement (RFC 9112 §6.1).
                    let unsupported = matches!(e, HttpError::UnsupportedTransferEncoding { .. });
                    assert!(
                        (400..500).contains(&h.status) || (unsupported && h.status == 501),
                        "a framing error answered {}: {e:?}",
                        h.status
                    );
                    h
                }
            };
            check_response(&out[start..], &handled);
            service_invariants(&service);
            answers.push(handled);
            if !handled.keep_alive {
                break 'feed;
            }
            reader.reset();
        }
    }
    (out, answers)
}

/// Request bytes (first byte: fragment size) fed in fragments to a bridge
/// service (`Service<2, 4, 32>`, one account, one conference with one
/// participant): never panics; every response reads back with the client's
/// reader and agrees with what `handle` / `reject` returned; nothing is
/// answered after a `Connection: close`; the model's invariants hold after
/// every request; the answers do not depend on the split.
pub fn service(input: &[u8]) {
    let (step, data) = step_and_data(input);
    let whole = serve(data, usize::MAX);
    let split = serve(data, step);
    assert_eq!(whole.1, split.1, "the split changed the answers");
    assert_eq!(whole.0, split.0, "the split changed the response bytes");
}

/// Separates the exchanges' scripts in an `embassy_client` input.
pub const EMBASSY_SEPARATOR: &[u8] = b"~~~~";
/// The control bytes at the start of an `embassy_client` input.
const EMBASSY_CONTROL: usize = 9;
/// The head of each exchange's script (fault, fault position, gap).
const EMBASSY_SEGMENT_HEAD: usize = 4;
/// The client's buffers (and the standalone reader's).
const EMBASSY_RX: usize = 2048;
const EMBASSY_TX: usize = 1024;
/// A send takes a few polls (each 0-tick timer is pending once); more is a
/// hang.
const EMBASSY_POLLS: usize = 64;
const EMBASSY_CF: &str = "CFaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const EMBASSY_CA: &str = "CAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

/// `data` split at every `sep`.
fn split_on<'d>(data: &'d [u8], sep: &[u8]) -> Vec<&'d [u8]> {
    let mut parts = Vec::new();
    let mut rest = data;
    while let Some(i) = rest.windows(sep.len()).position(|w| w == sep) {
        parts.push(&rest[..i]);
        rest = &rest[i + sep.len()..];
    }
    parts.push(rest);
    parts
}

/// One exchange's script: `[fault, at_lo, at_hi, gap]` then the response.
fn embassy_segment(seg: &[u8]) -> scripted::Segment<'_> {
    use scripted::{Fault, Gap};
    let h = |i: usize| seg.get(i).copied().unwrap_or(0);
    let response = seg.get(EMBASSY_SEGMENT_HEAD..).unwrap_or_default();
    let at = usize::from(u16::from_le_bytes([h(1), h(2)]));
    let fault = match h(0) % 8 {
        1 => Fault::WriteError(at),
        2 => Fault::WriteZero(at),
        3 => Fault::FlushError,
        4 => Fault::ReadError(at),
        _ => Fault::None,
    };
    let gap = match h(3) % 4 {
        0 => Gap::Nothing,
        1 => Gap::Eof,
        2 => Gap::Stray,
        _ => Gap::Error,
    };
    // Framing does not depend on the operation.
    let mut buf = vec![0u8; EMBASSY_RX];
    let mut reader = ResponseReader::new(&mut buf, OperationKind::Fetch);
    let end = match reader.feed(response) {
        Ok(Progress::Complete(m)) => Some(m.consumed()),
        _ => None,
    };
    scripted::Segment {
        response,
        fault,
        gap,
        end,
    }
}

/// The standalone reader's answer for `response` fed in one piece, then the
/// end of the stream if it asks for more; `true` when it completed without
/// the end of the stream.
fn read_whole<'r>(
    reader: &'r mut ResponseReader<'_>,
    response: &[u8],
) -> Result<(confpart::client::ResponseMessage<'r>, bool), HttpError> {
    let by_feed = reader.feed(response)?.is_complete();
    if !by_feed {
        reader.finish()?;
    }
    let reader: &'r ResponseReader<'_> = reader;
    Ok((reader.message().expect("a complete response"), by_feed))
}

/// A 429/503 the client retries at once (`max_retry_after` and `backoff`
/// are 0: a `Retry-After` of more than 0 s is returned as it is).
fn retry_now(outcome: &confpart::client::Outcome<'_>) -> bool {
    use confpart::api::retry::RetryAfter;
    use confpart::client::Failure;
    match outcome {
        confpart::client::Outcome::Failure(Failure {
            status: 429 | 503,
            retry_after,
            ..
        }) => !matches!(retry_after, Some(RetryAfter::Seconds(s)) if *s > 0),
        _ => false,
    }
}

/// The answer names another call than the one the request addressed.
fn names_another(
    outcome: &confpart::client::Outcome<'_>,
    request: &confpart::client::Request<'_>,
) -> bool {
    match (outcome, request.operation.participant()) {
        (confpart::client::Outcome::Participant(p), Some(ParticipantRef::Call(asked))) => {
            p.call_sid().is_some_and(|c| c != asked)
        }
        _ => false,
    }
}

/// The connection stays in step after the answer of exchange `seen`: the
/// request asked for keep-alive, the response (read in one piece) completes
/// without the end of the stream and keeps the connection, and the
/// transport delivered exactly its bytes.
fn in_step(
    wire: &scripted::Wire<'_>,
    seen: &scripted::Seen,
    request: &confpart::client::Request<'_>,
) -> bool {
    let seg = wire.segment(seen.segment);
    if request.connection != confpart::wire::http::Connection::KeepAlive
        || seen.ended.is_some()
        || seg.end != Some(seen.delivered)
    {
        return false;
    }
    let mut buf = vec![0u8; EMBASSY_RX];
    let mut reader = request.response_reader(&mut buf);
    matches!(reader.feed(seg.response), Ok(Progress::Complete(m)) if m.keep_alive())
}

/// Exchange `seen` was answered by a 429/503 the client may retry at once on
/// the same connection.
fn retryable(
    wire: &scripted::Wire<'_>,
    seen: &scripted::Seen,
    request: &confpart::client::Request<'_>,
) -> bool {
    if !in_step(wire, seen, request) {
        return false;
    }
    let mut buf = vec![0u8; EMBASSY_RX];
    let mut reader = request.response_reader(&mut buf);
    matches!(reader.feed(wire.segment(seen.segment).response), Ok(Progress::Complete(m)) if m.outcome().is_ok_and(|o| retry_now(&o)))
}

/// The error the client must give for what its stale check saw.
fn stale_error(gap: scripted::GapSeen) -> confpart_embassy::Error<embedded_io::ErrorKind> {
    use confpart_embassy::Error;
    match gap {
        scripted::GapSeen::Bytes => Error::Stale,
        scripted::GapSeen::Eof => Error::Closed,
        scripted::GapSeen::Error => Error::Read(embedded_io::ErrorKind::ConnectionReset),
        scripted::GapSeen::Pending => {
            panic!("the stale check found the connection idle, yet no request followed")
        }
    }
}

type EmbassyConnection<'a> = confpart_embassy::Connection<scripted::Transport<'a>>;
type EmbassyResult<'c, 'a> = Result<
    confpart_embassy::Reply<'c, scripted::Transport<'a>>,
    confpart_embassy::Failed<scripted::Transport<'a>>,
>;

/// Checks one `send` against what the transport saw (the exchanges from
/// `before` on); returns the connection the client handed back.
fn check_send<'a>(
    wire: &scripted::Wire<'a>,
    before: usize,
    request: &confpart::client::Request<'_>,
    encoded: &[u8],
    max_attempts: u8,
    result: EmbassyResult<'_, 'a>,
) -> Option<EmbassyConnection<'a>> {
    use confpart_embassy::Error;
    use scripted::Ended;
    let connection = wire.connection;
    let started = &wire.log[before..];
    let on_connection = wire
        .log
        .iter()
        .filter(|s| s.connection == connection)
        .count();
    assert!(started.iter().all(|s| s.connection == connection));
    assert!(
        started.len() <= usize::from(max_attempts),
        "{} attempts, at most {max_attempts} allowed",
        started.len()
    );
    let written: usize = started.iter().map(|s| s.written.len()).sum();
    if let Err(failed) = &result {
        assert!(
            failed.connection.is_none() || written == 0,
            "a connection handed back after {written} request bytes were written: {failed:?}"
        );
    }
    // Every attempt but the last wrote the whole request, byte for byte, and
    // was answered by a 429/503 that allows a retry now, the connection
    // staying in step (so a create is never resent after anything else).
    if let Some((last, earlier)) = started.split_last() {
        for s in earlier {
            assert_eq!(
                s.written, encoded,
                "an attempt's bytes are not the request's"
            );
            assert!(s.flushed, "an attempt was not flushed");
            assert!(
                retryable(wire, s, request),
                "resent after an answer that is not a 429/503 to retry now: {s:?}"
            );
        }
        assert!(
            encoded.starts_with(&last.written),
            "the last attempt's bytes are not a prefix of the request"
        );
    }
    // What the client must answer, from what the transport saw.
    let expected = match started.last() {
        None => {
            // Nothing written: only a failed stale check (a used connection).
            let previous = wire.log[..before]
                .iter()
                .rev()
                .find(|s| s.connection == connection);
            match previous.and_then(|p| p.gap) {
                Some(gap) => Err(stale_error(gap)),
                None => panic!("nothing was written and no stale check failed: {result:?}"),
            }
        }
        Some(last) => match (last.gap, last.ended) {
            (Some(gap), _) => {
                // The stale check before a retry failed.
                assert!(
                    retryable(wire, last, request) && started.len() < usize::from(max_attempts),
                    "a stale check after an answer that is not retried: {last:?}"
                );
                Err(stale_error(gap))
            }
            (None, Some(Ended::WriteError | Ended::FlushError)) => {
                Err(Error::Write(embedded_io::ErrorKind::BrokenPipe))
            }
            (None, Some(Ended::WriteZero)) => Err(Error::WriteZero),
            (None, Some(Ended::ReadError)) => {
                Err(Error::Read(embedded_io::ErrorKind::ConnectionReset))
            }
            (None, None | Some(Ended::Eof)) => Ok(last),
        },
    };
    let last = match expected {
        Err(error) => {
            let failed = match result {
                Err(failed) => failed,
                Ok(reply) => panic!("expected {error:?}, got {reply:?}"),
            };
            assert_eq!(failed.error, error, "the error");
            assert!(
                failed.connection.is_none(),
                "a failed connection handed back"
            );
            return None;
        }
        Ok(last) => last,
    };
    // The answer: the client must agree with a standalone reader fed the
    // whole segment in one piece.
    let seg = wire.segment(last.segment);
    let mut buf = vec![0u8; EMBASSY_RX];
    let mut reader = request.response_reader(&mut buf);
    let (message, by_feed) = match read_whole(&mut reader, seg.response) {
        Ok(m) => m,
        Err(e) => {
            let failed = result.expect_err("Ok for a response the reader refuses");
            assert_eq!(failed.error, Error::Response(e.into()), "the framing error");
            assert!(failed.connection.is_none());
            return None;
        }
    };
    if by_feed {
        assert!(
            last.ended.is_none() && seg.end.is_some_and(|end| last.delivered >= end),
            "the client stopped reading before the response was complete, or read past it: {last:?}"
        );
    } else {
        assert_eq!(
            last.ended,
            Some(Ended::Eof),
            "the body ends with the stream"
        );
    }
    let outcome = match message.outcome() {
        Ok(o) => o,
        Err(e) => {
            let failed = result.expect_err("Ok for a response that does not decode");
            assert_eq!(failed.error, Error::Response(e), "the decoding error");
            assert!(failed.connection.is_none());
            return None;
        }
    };
    if names_another(&outcome, request) {
        let failed = result.expect_err("Ok for an answer about another participant");
        assert_eq!(failed.error, Error::Mismatch);
        assert!(failed.connection.is_none());
        return None;
    }
    let mut reply = match result {
        Ok(reply) => reply,
        Err(failed) => panic!("{failed:?} for a complete answer ({})", message.status()),
    };
    assert_eq!(reply.status(), message.status(), "the status");
    assert_eq!(reply.outcome(), Ok(outcome.clone()), "the outcome");
    assert_eq!(reply.message().map(|m| m.body()), Some(message.body()));
    assert_eq!(usize::from(reply.attempts()), started.len(), "attempts");
    let keep = by_feed && in_step(wire, last, request);
    assert_eq!(
        reply.reusable(),
        keep,
        "handed back (keep-alive response, request keep-alive, nothing extra, nothing missing: {keep}): {last:?}"
    );
    assert!(
        !(keep && retry_now(&outcome) && started.len() < usize::from(max_attempts)),
        "a 429/503 to retry now returned with attempts left"
    );
    let handed = reply.take_connection();
    if let Some(c) = &handed {
        assert_eq!(c.exchanges() as usize, on_connection, "exchanges()");
    }
    handed
}

/// The embassy client (`confpart-embassy`) over a scripted transport that
/// plays the server from the input: never panics, never hangs, and every
/// `send` agrees with what the transport saw.
///
/// Input layout: 9 control bytes (missing ones are 0), then one script per
/// exchange (attempt), the scripts separated by [`EMBASSY_SEPARATOR`]
/// (`~~~~`):
///
/// - byte 0: bits 0–1 the number of sends (`% 3 + 1`), bits 2–3
///   `max_attempts` (`% 3 + 1`), bit 4 the participant is the label `desk`
///   (else the call `CAaa…`), bit 5 the requests say `Connection: close`;
/// - bytes 1–3: the operation of send 1, 2, 3 (`% 5`: update `Muted=true`,
///   fetch, delete, list `PageSize=2`, create with a label);
/// - byte 4: the most a `write` takes (0: all);
/// - bytes 5–8: read sizes, used in turn (0: as much as the buffer takes);
/// - each script: `fault, at_lo, at_hi, gap`, then the response bytes.
///   `fault % 8`: 1 `write` fails at request byte `at % len`, 2 `write`
///   returns `Ok(0)` there, 3 `flush` fails, 4 `read` fails at response
///   byte `at % (len + 1)`, else none. `gap % 4` is what the stale check
///   after the exchange finds once the whole script was delivered: 0
///   nothing (`Pending`), 1 the end of the stream, 2 a stray byte, 3 a read
///   error. A script that is exhausted reads as the end of the stream; the
///   exchanges past the last script get none.
///
/// Each `send` gets the next connection the client handed back, or a new
/// one. The client runs with `max_retry_after` and `backoff` of 0 (a 429/503
/// with `Retry-After: 0`, none or a date is retried at once; a longer one is
/// returned), on a poll-bounded executor and the embassy-time std driver.
///
/// Checked for every send:
/// - it finishes within a few polls (a read is never pending during an
///   exchange);
/// - at most `max_attempts` attempts, each the encoded request byte for
///   byte (the last one a prefix when a write failed), flushed; a request
///   (a create too) is resent only after a complete 429/503 to retry now
///   on a connection in step;
/// - a failure hands the connection back only if nothing was written;
/// - a stale check that sees bytes, the end of the stream or an error gives
///   `Stale`, `Closed` or `Read`, and nothing is written after it; a write
///   follows only a stale check that found nothing (the transport asserts
///   it), and no I/O follows an error or the end of the stream;
/// - a write, flush or read fault gives `Write`/`Read` with the transport's
///   error, a write of 0 bytes `WriteZero`;
/// - otherwise the result is what a standalone `ResponseReader` says of the
///   whole script fed in one piece (so the chunking does not matter): the
///   same framing or decoding error, `Mismatch` for a participant with
///   another call SID, or `Ok` with the same status, outcome and body;
/// - the connection comes back exactly when it is in step: the request and
///   the response keep the connection (a request that said
///   `Connection: close` must not be followed by another one, RFC 9112
///   §9.6), the response did not end with the stream, and the transport
///   delivered its bytes, nothing more; `exchanges()` counts the answered
///   attempts.
pub fn embassy_client(input: &[u8]) {
    use confpart::client::Operation;
    use confpart_embassy::{Client, Config, Connection, Duration};
    use scripted::{Transport, Wire, block_on};
    use std::cell::RefCell;
    use std::rc::Rc;

    let (control, rest) = input.split_at(EMBASSY_CONTROL.min(input.len()));
    let c = |i: usize| control.get(i).copied().unwrap_or(0);
    let sends = usize::from(c(0) & 3) % 3 + 1;
    let max_attempts = ((c(0) >> 2) & 3) % 3 + 1;
    let by_label = c(0) & 0x10 != 0;
    let header = if c(0) & 0x20 != 0 {
        confpart::wire::http::Connection::Close
    } else {
        confpart::wire::http::Connection::KeepAlive
    };
    let segments = if rest.is_empty() {
        Vec::new()
    } else {
        split_on(rest, EMBASSY_SEPARATOR)
            .into_iter()
            .map(embassy_segment)
            .collect()
    };
    let wire = Rc::new(RefCell::new(Wire::new(
        segments,
        [c(5), c(6), c(7), c(8)],
        c(4),
    )));

    let account = AccountSid::parse(SERVICE_AC).unwrap();
    let conference = confpart::wire::ident::ConferenceSid::parse(EMBASSY_CF).unwrap();
    let who = if by_label {
        ParticipantRef::parse("desk").unwrap()
    } else {
        ParticipantRef::Call(CallSid::parse(EMBASSY_CA).unwrap())
    };
    let credentials = confpart::client::Credentials::new(SERVICE_AC, SERVICE_TOKEN).unwrap();
    let operation = |b: u8| match b % 5 {
        0 => Operation::update(&who, Update::mute()),
        1 => Operation::fetch(&who),
        2 => Operation::delete(&who),
        3 => Operation::list(ListQuery {
            page_size: Some(2),
            ..ListQuery::new()
        }),
        _ => Operation::create(
            Create::new("+15005550006", "+15005550001")
                .label("desk")
                .into(),
        ),
    };
    let config = Config {
        timeout: Duration::from_secs(10),
        max_attempts,
        max_retry_after: Duration::from_ticks(0),
        backoff: Duration::from_ticks(0),
    };
    let mut rx = vec![0u8; EMBASSY_RX];
    let mut tx = vec![0u8; EMBASSY_TX];
    let mut client = Client::new(&mut rx, &mut tx, config);
    let mut connection = None;
    for send in 0..sends {
        let request = confpart::client::Request::new(
            confpart::api::path::Endpoint::twilio(),
            credentials,
            account,
            conference,
            operation(c(1 + send)),
        )
        .with_connection(header);
        let mut encoded = vec![0u8; EMBASSY_TX];
        let n = request
            .encode_to_slice(&mut encoded)
            .expect("the request fits tx");
        encoded.truncate(n);
        wire.borrow_mut().request_len = n;
        let conn = connection
            .take()
            .unwrap_or_else(|| Connection::new(Transport::connect(&wire)));
        let before = wire.borrow().log.len();
        let result = block_on(client.send(conn, &request), EMBASSY_POLLS)
            .unwrap_or_else(|| panic!("send {send} did not finish in {EMBASSY_POLLS} polls"));
        connection = check_send(
            &wire.borrow(),
            before,
            &request,
            &encoded,
            max_attempts,
            result,
        );
    }
}

/// A conference status callback body: decoding never panics and never needs
/// more scratch than the body; a decoded callback re-encodes to a body that
/// decodes to the same callback, with [`Callback::encoded_len`](confpart::api::callback::Callback::encoded_len) bytes. The
/// same body read as a create's subscription never panics.
pub fn callback_decode(body: &[u8]) {
    use confpart::api::callback::{Callback, FormError, Subscriber};
    for dialect in Dialect::ALL {
        let mut scratch = vec![0u8; body.len()];
        let _ = Subscriber::from_create(body, &mut scratch, dialect);
    }
    let mut scratch = vec![0u8; body.len()];
    let decoded = match Callback::decode(body, &mut scratch) {
        Ok(d) => d,
        Err(e) => {
            assert!(
                !matches!(e, FormError::ScratchFull { .. }),
                "a scratch as long as the body must suffice: {e:?}"
            );
            return;
        }
    };
    assert!(decoded.ignored.iter().count() <= decoded.ignored.total());
    let cb = decoded.callback;
    let len = cb.encoded_len();
    let mut out = vec![0u8; len];
    assert_eq!(cb.encode_to_slice(&mut out), Ok(len));
    let mut scratch2 = vec![0u8; len];
    let again = Callback::decode(&out, &mut scratch2).expect("a re-encoded callback decodes");
    assert_eq!(again.callback, cb);
    assert!(again.ignored.is_empty());
    // In Telnyx's form (its key order, an ISO 8601 timestamp) too.
    let len = cb.encoded_len_in(Dialect::Telnyx);
    let mut out = vec![0u8; len];
    let mut sink = SliceSink::new(&mut out);
    assert_eq!(cb.encode_in(Dialect::Telnyx, &mut sink), Ok(()));
    assert_eq!(sink.len(), len);
    let mut scratch3 = vec![0u8; len];
    let again = Callback::decode(&out, &mut scratch3).expect("a Telnyx callback decodes");
    assert_eq!(again.callback, cb);
}

/// Telnyx's Ed25519 webhook signatures: the first two bytes say how long the
/// signature header and the timestamp header are (modulo what is left); the
/// rest is the body. Whatever the bytes, checking them never panics (nor does
/// reading the signature as a public key); the body signed with a fixed key at
/// the timestamp (its digits, else 0) validates at that time, not 301 s
/// later, and not with one byte of the body changed.
pub fn telnyx_signature(input: &[u8]) {
    use confpart::api::signature::{
        Ed25519Key, Ed25519PublicKey, SignatureError, sign_telnyx, validate_telnyx,
    };
    let (a, b, rest) = match input {
        [a, b, rest @ ..] => (usize::from(*a), usize::from(*b), rest),
        _ => return,
    };
    let (sig, rest) = rest.split_at(a % (rest.len() + 1));
    let (ts, body) = rest.split_at(b % (rest.len() + 1));
    let key = Ed25519Key::from_seed(&[0x5a; 32]);
    let public = key.public_key();
    let _ = Ed25519PublicKey::from_base64(sig);
    let now = std::str::from_utf8(ts)
        .ok()
        .and_then(|t| t.parse::<u64>().ok())
        .unwrap_or(0);
    let _ = validate_telnyx(&public, sig, ts, body, now);
    let signed = sign_telnyx(&key, now, body);
    let digits = now.to_string();
    assert_eq!(
        validate_telnyx(&public, signed.as_bytes(), digits.as_bytes(), body, now),
        Ok(())
    );
    assert!(matches!(
        validate_telnyx(
            &public,
            signed.as_bytes(),
            digits.as_bytes(),
            body,
            now.saturating_add(301)
        ),
        Err(SignatureError::StaleTimestamp { .. })
    ));
    if let Some(first) = body.first() {
        let mut altered = body.to_vec();
        altered[0] = first.wrapping_add(1);
        assert_eq!(
            validate_telnyx(&public, signed.as_bytes(), digits.as_bytes(), &altered, now),
            Err(SignatureError::Mismatch)
        );
    }
}

/// Webhook signatures: the first byte picks the scheme (bit 0) and where the
/// URL ends in the rest (the other bits, modulo its length); the remainder is
/// the form. Whatever the bytes, nothing panics; a form that signs validates
/// with its signature, under the URL and under the URL with its port toggled
/// (`:443`/`:80` added when it has none); the same signature with one byte
/// changed is rejected; and a JSON check never panics.
pub fn signature_validate(input: &[u8]) {
    use confpart::api::signature::{Scheme, SignatureError, sign, validate, validate_json};
    let Some((&control, rest)) = input.split_first() else {
        return;
    };
    let scheme = if control & 1 == 0 {
        Scheme::Twilio
    } else {
        Scheme::SignalWire
    };
    let split = usize::from(control >> 1) % (rest.len() + 1);
    let (url, form) = rest.split_at(split);
    let url = String::from_utf8_lossy(url);
    let key = b"fuzz key";
    let _ = validate(scheme, key, &url, form, rest);
    let _ = validate_json(scheme, key, &url, form, rest);
    let Ok(sig) = sign(scheme, key, &url, form) else {
        return;
    };
    assert_eq!(validate(scheme, key, &url, form, sig.as_bytes()), Ok(()));
    if let Some((scheme_part, after)) = url.split_once("://") {
        let host_len = after.find(['/', '?', '#']).unwrap_or(after.len());
        let (authority, tail) = after.split_at(host_len);
        let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
        let has_port = host
            .rsplit_once(':')
            .is_some_and(|(_, p)| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
        if !has_port {
            let port = if scheme_part.eq_ignore_ascii_case("https") {
                ":443"
            } else {
                ":80"
            };
            let with_port = format!("{scheme_part}://{authority}{port}{tail}");
            assert_eq!(
                validate(scheme, key, &with_port, form, sig.as_bytes()),
                Ok(())
            );
        }
    }
    let mut bad = *sig.as_bytes();
    bad[usize::from(control) % bad.len()] ^= 1;
    assert!(matches!(
        validate(scheme, key, &url, form, &bad),
        Err(SignatureError::Mismatch)
    ));
}

fn read_connect(data: &[u8], step: usize) -> Option<(u16, Vec<u8>, usize)> {
    let mut buf = [0u8; 4096];
    let mut reader = ConnectReader::new(&mut buf);
    let (message, taken) = feed_in_steps(&mut reader, data, step)?;
    Some((message.status(), message.body().to_vec(), taken))
}

/// A proxy's answer to `CONNECT` (first byte: fragment size), fed in
/// fragments into the core's `ConnectReader`: never panics, the split never
/// changes the result, a 2xx answer has no body (the bytes after its head
/// are the tunnel's), and the head parses as `httparse` parses it
/// ([`head_oracle::compare`]).
pub fn connect_read(input: &[u8]) {
    let (step, data) = step_and_data(input);
    head_oracle::compare(data, true);
    let whole = read_connect(data, usize::MAX);
    let split = read_connect(data, step);
    assert_eq!(whole, split, "the split changed the result");
    if let Some((status, body, _)) = whole {
        assert!(
            !(200..300).contains(&status) || body.is_empty(),
            "a 2xx CONNECT answer ends at its head"
        );
    }
}

/// The firmware's certificate verifier (`confpart_embassy::verify`) on
/// arbitrary input: a chain of up to `MAX_CHAIN` certificates (each a
/// 2-byte big-endian length, then that many bytes), a host chosen by the
/// first byte, the time from the next eight, the anchors the built-in
/// Twilio set plus the chain's last certificate taken as a root. Whatever
/// the bytes, it returns a `VerifyError` or `Ok` (never panics, never
/// loops), and the trust-anchor parser takes any bytes.
pub fn cert_chain(data: &[u8]) {
    use confpart_embassy::verify::{
        MAX_CHAIN, TrustAnchor, UnixTime, Validity, anchor_from_cert, anchors, verify_chain,
    };
    const HOSTS: [&str; 4] = [
        "api.twilio.com",
        "api.twilio.test",
        "a.b.example",
        "192.0.2.1",
    ];
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let Some((time, mut rest)) = rest.split_first_chunk::<8>() else {
        return;
    };
    let host = HOSTS[usize::from(pick) % HOSTS.len()];
    let validity = if pick & 0x80 != 0 {
        Validity::UncheckedNoClock
    } else {
        Validity::At(UnixTime::since_unix_epoch(core::time::Duration::from_secs(
            u64::from_be_bytes(*time) % 8_000_000_000,
        )))
    };
    let mut certs: Vec<&[u8]> = Vec::new();
    while let Some((len, tail)) = rest.split_first_chunk::<2>() {
        let len = usize::from(u16::from_be_bytes(*len)).min(tail.len());
        let (cert, tail) = tail.split_at(len);
        certs.push(cert);
        rest = tail;
        if certs.len() > MAX_CHAIN {
            break;
        }
    }
    let mut trusted: Vec<TrustAnchor<'_>> = anchors::TWILIO.to_vec();
    if let Some(root) = certs.last().and_then(|der| anchor_from_cert(der).ok()) {
        trusted.push(root);
    }
    let _ = verify_chain(&certs, host, &trusted, validity);
}
