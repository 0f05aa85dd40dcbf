//! List pages: fixtures, streaming decode, encode from an iterator, bad input.
use confpart::api::list::{PageMeta, decode_page, decode_page_into, encode_page};
use confpart::api::participant::{Participant, Status};
use confpart::wire::ident::CallSid;
use confpart::wire::json::{JsonError, JsonErrorKind, JsonStr};
use confpart::wire::sink::{SliceSink, WriteError};
use proptest::prelude::*;

const PAGE: &[u8] = include_bytes!("../../tests/fixtures/twilio-list-page.json");
const EMPTY: &[u8] = include_bytes!("../../tests/fixtures/twilio-list-empty.json");

#[test]
fn fixture_page() {
    let (meta, people) = decode_page_into::<4>(PAGE).unwrap();
    assert_eq!(
        (meta.page, meta.page_size, meta.start, meta.end),
        (0, 2, 0, 1)
    );
    assert_eq!(meta.previous_page_uri, None);
    assert!(
        meta.next_page_uri
            .unwrap()
            .raw()
            .ends_with("&Page=1&PageToken=PACPbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb")
    );
    assert_eq!(people.len(), 2);
    assert_eq!(people[0].coaching(), Some(true));
    assert_eq!(
        people[0].call_sid_to_coach(),
        Some(&CallSid::parse("CAbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb").unwrap())
    );
    assert_eq!(
        people[1].call_sid(),
        Some(&CallSid::parse("CAbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb").unwrap())
    );
    assert!(
        people
            .iter()
            .all(|p| p.status() == Some(Status::Connected) && p.muted() == Some(true))
    );
}

#[test]
fn fixture_empty_page() {
    let mut n = 0;
    let meta = decode_page(EMPTY, |_| n += 1).unwrap();
    assert_eq!(n, 0);
    assert_eq!((meta.page_size, meta.end), (50, 0));
    assert!(
        meta.uri
            .unwrap()
            .raw()
            .ends_with("?Hold=true&PageSize=50&Page=0")
    );
}

#[test]
fn page_larger_than_capacity_is_an_error_not_a_cut() {
    assert_eq!(
        decode_page_into::<1>(PAGE).map(|(_, v)| v.len()),
        Err(JsonError::new(JsonErrorKind::TooLong { max: 1 }, 788).in_field("participants"))
    );
}

#[test]
fn encode_round_trips_the_fixture() {
    let (meta, people) = decode_page_into::<4>(PAGE).unwrap();
    let mut out = [0u8; 4096];
    let mut sink = SliceSink::new(&mut out);
    encode_page(&mut sink, &meta, people.iter()).unwrap();
    let (meta2, people2) = decode_page_into::<4>(sink.written()).unwrap();
    assert_eq!(meta2, meta);
    assert_eq!(people2, people);
}

#[test]
fn encode_reports_small_buffers() {
    let (meta, people) = decode_page_into::<4>(PAGE).unwrap();
    for len in [0, 16, 100, 1000] {
        let mut small = vec![0u8; len];
        let mut sink = SliceSink::new(&mut small);
        assert!(matches!(
            encode_page(&mut sink, &meta, people.iter()),
            Err(WriteError::BufferFull { .. })
        ));
    }
}

const CA: &str = "CAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

#[test]
fn bad_pages() {
    use JsonErrorKind::*;
    let at = |kind, offset, field| Err(JsonError::new(kind, offset).in_field(field));
    assert_eq!(
        decode_page(br#"{"page": 0}"#, |_| {}),
        at(Missing, 10, "participants")
    );
    assert_eq!(
        decode_page(br#"{"participants": null}"#, |_| {}),
        at(Missing, 21, "participants")
    );
    assert_eq!(decode_page(b"{}", |_| {}), at(Missing, 1, "participants"));
    assert_eq!(
        decode_page(br#"{"participants": [{"call_sid": "nope"}]}"#, |_| {}),
        at(InvalidValue, 31, "call_sid")
    );
    // Every item must be a participant.
    assert_eq!(
        decode_page(br#"{"participants": [{"muted": true}]}"#, |_| {}),
        at(Missing, 32, "call_sid")
    );
    assert_eq!(
        decode_page(br#"{"participants": [1]}"#, |_| {}),
        at(
            WrongType {
                expected: "an object"
            },
            18,
            "participants"
        )
    );
    assert_eq!(
        decode_page(br#"{"participants": {}}"#, |_| {}),
        at(
            WrongType {
                expected: "an array or null"
            },
            17,
            "participants"
        )
    );
    assert_eq!(
        decode_page(br#"{"participants": [], "participants": []}"#, |_| {}),
        at(DuplicateKey, 21, "participants")
    );
    assert_eq!(
        decode_page(br#"{"participants": [], "page": 1, "page": 2}"#, |_| {}),
        at(DuplicateKey, 32, "page")
    );
    assert_eq!(
        decode_page(br#"{"participants": [], "page": -1}"#, |_| {}),
        at(OutOfRange, 29, "page")
    );
    assert_eq!(
        decode_page(br#"{"participants": [], "page": 4294967296}"#, |_| {}),
        at(OutOfRange, 29, "page")
    );
    assert_eq!(
        decode_page(br#"{"participants": [[[[[[[[[]]]]]]]]]}"#, |_| {}),
        at(
            WrongType {
                expected: "an object"
            },
            18,
            "participants"
        )
    );
    assert_eq!(
        decode_page(br#"{"participants": [{"x": [[[[[[[[]]]]]]]]}]}"#, |_| {}),
        at(TooDeep, 29, "participants")
    );
    // A syntax error inside an item's known field names that field.
    let doc = format!(r#"{{"participants": [{{"call_sid": "{CA}", "label": "a"}}]}}"#);
    assert_eq!(
        decode_page(doc.as_bytes(), |_| {}),
        at(ControlCharacter, 80, "label")
    );
    // Empty strings are absent, like null.
    let doc = br#"{"participants": [], "uri": "", "next_page_uri": null, "first_page_uri": "/a"}"#;
    let meta = decode_page(doc, |_| {}).unwrap();
    assert_eq!((meta.uri, meta.next_page_uri), (None, None));
    assert!(meta.first_page_uri.unwrap().eq_str("/a"));
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(doc in any::<Vec<u8>>()) {
        let _ = decode_page(&doc, |_| {});
    }

    #[test]
    fn encode_decode_is_identity(
        n in 0usize..6, page in any::<u32>(), size in 1u32..=1000, uri in proptest::option::of("[ -~]{0,60}"),
        muted in any::<Option<bool>>(),
    ) {
        let meta = PageMeta {
            page, page_size: size, start: page.saturating_mul(size), end: page.saturating_mul(size).saturating_add(n as u32),
            // `""` is absent (the empty-string rule).
            uri: uri.as_deref().filter(|u| !u.is_empty()).map(JsonStr::text),
            first_page_uri: None, next_page_uri: uri.as_deref().filter(|u| !u.is_empty()).map(JsonStr::text),
            previous_page_uri: None,
        };
        let ca = CallSid::parse(CA).unwrap();
        let people: Vec<Participant> = (0..n).map(|_| Participant::new().with_call_sid(ca).with_muted(muted)).collect();
        let mut out = vec![0u8; 8192];
        let mut sink = SliceSink::new(&mut out);
        encode_page(&mut sink, &meta, people.iter()).unwrap();
        let (meta2, people2) = decode_page_into::<8>(sink.written()).unwrap();
        prop_assert_eq!(meta2, meta);
        prop_assert_eq!(people2.as_slice(), people.as_slice());
    }
}
