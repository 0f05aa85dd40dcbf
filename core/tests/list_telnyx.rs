//! List pages in Telnyx's shape: the fixture, the per-dialect writer (key
//! order, today's bytes for the others), round trips and a serde_json
//! differential.
use confpart::api::list::{PageMeta, decode_page, decode_page_into, encode_page, encode_page_for};
use confpart::api::participant::{Participant, Reply, Status, TELNYX_API_VERSION};
use confpart::api::path::Dialect;
use confpart::wire::ident::CallSid;
use confpart::wire::json::JsonStr;
use confpart::wire::sink::SliceSink;
use proptest::prelude::*;
use serde_json::Value;

const PAGE: &[u8] = include_bytes!("../../tests/fixtures/telnyx-list-page.json");
const CA1: &str = "v3:9X2vxPDFOr0qjPUjm2avpRlexwBDHbBk3wAhMM2qDqpDRtbpxtvT-aiQ";
const CA2: &str = "v3:MdI91X4lWFEs7IgbBEOT9M4AigoY08M0WWZFISt1Yw2axZ_IiE4pqg";

fn written<'p, 'a: 'p>(
    dialect: Dialect,
    meta: &PageMeta<'_>,
    people: impl IntoIterator<Item = &'p Participant<'a>>,
) -> Vec<u8> {
    let mut buf = vec![0u8; 1 << 16];
    let mut sink = SliceSink::new(&mut buf);
    encode_page_for(&mut sink, dialect, meta, people).unwrap();
    sink.written().to_vec()
}

#[test]
fn fixture_page() {
    let (meta, people) = decode_page_into::<4>(PAGE).unwrap();
    assert_eq!(
        (meta.page, meta.page_size, meta.start, meta.end),
        (0, 2, 0, 1)
    );
    assert_eq!(meta.previous_page_uri, None);
    let next = meta.next_page_uri.unwrap().raw();
    assert!(next.starts_with("/v2/texml/Accounts/"), "{next}");
    assert!(next.ends_with("/Participants.json?Page=1&PageSize=2&PageToken=MTY4AjgyNDkwNzIxMQ"));
    assert_eq!(people.len(), 2);
    assert_eq!(people[0].call_sid().unwrap().as_str(), CA1);
    assert_eq!(people[0].hold(), Some(true));
    assert_eq!(people[1].coaching(), Some(true));
    assert_eq!(
        people[1].coaching_call_sid(),
        Some(&CallSid::parse(CA1).unwrap())
    );
    assert!(
        people[1]
            .coaching_call_sid_legacy()
            .unwrap()
            .eq_str("ef3d9cd4-0b6c-11ee-a3dd-02420a0f6868")
    );
    assert!(people.iter().all(|p| {
        p.status() == Some(Status::Connected)
            && p.api_version()
                .is_some_and(|v| v.eq_str(TELNYX_API_VERSION))
    }));
    assert_eq!(people[1].call_sid().unwrap().as_str(), CA2);
}

/// Differential against serde_json: the fixture re-encoded in Telnyx's
/// shape is the fixture (nulls of the participants omitted, the page's
/// own `null`s kept), in the fixture's key order.
#[test]
fn fixture_reencodes_as_itself() {
    let (meta, people) = decode_page_into::<4>(PAGE).unwrap();
    let out = written(Dialect::Telnyx, &meta, people.iter());
    let mut want: Value = serde_json::from_slice(PAGE).unwrap();
    for p in want["participants"].as_array_mut().unwrap() {
        p.as_object_mut().unwrap().retain(|_, v| !v.is_null());
    }
    assert_eq!(serde_json::from_slice::<Value>(&out).unwrap(), want);
    let text = std::str::from_utf8(&out).unwrap();
    let tail = &text[text.rfind(']').unwrap()..];
    let keys = [
        "page",
        "page_size",
        "start",
        "end",
        "uri",
        "first_page_uri",
        "next_page_uri",
    ];
    let at: Vec<usize> = keys
        .iter()
        .map(|k| tail.find(&format!("\"{k}\":")).unwrap())
        .collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "{tail}");
    assert!(!text.contains("previous_page_uri"));
}

#[test]
fn other_dialects_keep_todays_bytes() {
    let (meta, people) = decode_page_into::<4>(PAGE).unwrap();
    let mut buf = vec![0u8; 1 << 16];
    let mut sink = SliceSink::new(&mut buf);
    encode_page(&mut sink, &meta, people.iter()).unwrap();
    let today = sink.written().to_vec();
    for dialect in [Dialect::Twilio, Dialect::SignalWire] {
        assert_eq!(written(dialect, &meta, people.iter()), today);
    }
}

#[test]
fn empty_page_and_small_buffers() {
    let meta = PageMeta {
        page_size: 20,
        ..PageMeta::default()
    };
    assert_eq!(
        written(Dialect::Telnyx, &meta, []),
        br#"{"participants":[],"page":0,"page_size":20,"start":0,"end":0,"uri":null,"first_page_uri":null,"next_page_uri":null}"#
    );
    let (meta, people) = decode_page_into::<4>(PAGE).unwrap();
    let n = written(Dialect::Telnyx, &meta, people.iter()).len();
    for size in [0, 1, n / 2, n - 1] {
        let mut buf = vec![0u8; size];
        let mut sink = SliceSink::new(&mut buf);
        assert!(encode_page_for(&mut sink, Dialect::Telnyx, &meta, people.iter()).is_err());
    }
}

prop_compose! {
    fn page()(
        numbers in any::<[u32; 4]>(),
        uris in any::<[Option<u16>; 4]>(),
        calls in proptest::collection::vec(("[A-Za-z0-9_-]{1,61}", any::<Option<bool>>(), proptest::option::of("[a-z\"é]{1,9}")), 0..6),
    ) -> ([u32; 4], [Option<String>; 4], Vec<(String, Option<bool>, Option<String>)>) {
        let uri = |u: Option<u16>| u.map(|n| format!("/v2/texml/x.json?Page={n}&PageToken=\"{n}\""));
        (numbers, uris.map(uri), calls.into_iter().map(|(c, m, l)| (format!("v3:{c}"), m, l)).collect())
    }
}

proptest! {
    /// A page written in Telnyx's shape is read by serde_json with the same
    /// numbers, URIs and participants (the oracle) and decodes back to the
    /// same metadata (without `previous_page_uri`) and participants (as
    /// Telnyx keeps them).
    #[test]
    fn telnyx_pages_round_trip((numbers, uris, calls) in page()) {
        let meta = PageMeta {
            page: numbers[0],
            page_size: numbers[1],
            start: numbers[2],
            end: numbers[3],
            uri: uris[0].as_deref().map(JsonStr::text),
            first_page_uri: uris[1].as_deref().map(JsonStr::text),
            next_page_uri: uris[2].as_deref().map(JsonStr::text),
            previous_page_uri: uris[3].as_deref().map(JsonStr::text),
        };
        let people: Vec<Participant<'_>> = calls
            .iter()
            .map(|(c, muted, legacy)| {
                let p = Participant::new()
                    .with_call_sid(CallSid::parse(c).unwrap())
                    .with_muted(*muted)
                    .with_label("dropped");
                match legacy {
                    Some(l) => p.with_call_sid_legacy(l.as_str()),
                    None => p,
                }
            })
            .collect();
        let out = written(Dialect::Telnyx, &meta, people.iter());
        let v: Value = serde_json::from_slice(&out).unwrap();
        prop_assert_eq!(v["page"].as_u64(), Some(u64::from(numbers[0])));
        prop_assert_eq!(v["end"].as_u64(), Some(u64::from(numbers[3])));
        prop_assert_eq!(v["next_page_uri"].as_str().map(str::to_owned), uris[2].clone());
        prop_assert!(v.get("previous_page_uri").is_none());
        let items = v["participants"].as_array().unwrap();
        prop_assert_eq!(items.len(), calls.len());
        for (item, (c, muted, legacy)) in items.iter().zip(&calls) {
            prop_assert_eq!(item["call_sid"].as_str(), Some(c.as_str()));
            prop_assert_eq!(item.get("muted").and_then(Value::as_bool), *muted);
            prop_assert_eq!(item.get("call_sid_legacy").and_then(Value::as_str).map(str::to_owned), legacy.clone());
            prop_assert!(item.get("label").is_none());
        }
        let mut back = Vec::new();
        let meta2 = decode_page(&out, |p| back.push(p)).unwrap();
        prop_assert_eq!(meta2, PageMeta { previous_page_uri: None, ..meta });
        let want: Vec<Participant<'_>> = people
            .iter()
            .map(|p| p.with_label("").with_api_version(TELNYX_API_VERSION))
            .collect();
        prop_assert_eq!(&back, &want);
        // Each item is the participant's own Telnyx resource.
        let mut at = 0;
        for p in &people {
            let n = p.encoded_len_for(Dialect::Telnyx, Reply::Resource);
            let mut one = vec![0u8; n];
            let mut sink = SliceSink::new(&mut one);
            p.encode_for(Dialect::Telnyx, Reply::Resource, &mut sink).unwrap();
            let found = out[at..].windows(n).position(|w| w == one.as_slice());
            prop_assert!(found.is_some());
            at += found.unwrap() + n;
        }
    }
}
