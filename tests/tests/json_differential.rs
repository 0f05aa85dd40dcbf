//! Differential tests against serde_json (the reference parser; the field
//! comparison is the `participant_differential` fuzz check's own):
//! - valid participant documents generated from values (random whitespace,
//!   key order, escapes including `\uXXXX` and surrogate pairs, unknown
//!   fields nested up to the depth limit): the core and serde_json agree on
//!   every field;
//! - arbitrary bytes and mutated valid documents: the core never accepts a
//!   document serde_json rejects (it may reject more: depth, duplicate keys,
//!   values its fields cannot hold).
use confpart::api::error::ApiError;
use confpart::api::list::decode_page;
use confpart::api::participant::Participant;
use confpart::wire::date::Timestamp;
use confpart::wire::json::{MAX_DEPTH, validate};
use confpart_tests::fuzz_checks::assert_same_fields;
use proptest::prelude::*;
use serde_json::Value;

/// A small deterministic generator for layout choices.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

fn ws(rng: &mut Rng, out: &mut String) {
    for _ in 0..rng.below(3) {
        out.push([' ', '\n', '\t', '\r'][rng.below(4) as usize]);
    }
}

/// A JSON string literal of `s`, each character escaped or not at random.
fn string(rng: &mut Rng, s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        let must = c == '"' || c == '\\' || (c as u32) < 0x20;
        if must || rng.below(4) == 0 {
            match rng.below(3) {
                0 if c == '"' => out.push_str("\\\""),
                0 if c == '\\' => out.push_str("\\\\"),
                0 if c == '/' => out.push_str("\\/"),
                0 if c == '\n' => out.push_str("\\n"),
                _ => {
                    let mut units = [0u16; 2];
                    for u in c.encode_utf16(&mut units) {
                        if rng.below(2) == 0 {
                            out.push_str(&format!("\\u{u:04x}"));
                        } else {
                            out.push_str(&format!("\\u{u:04X}"));
                        }
                    }
                }
            }
        } else {
            out.push(c);
        }
    }
    out.push('"');
}

/// An unknown value nested `depth` more levels at most (an empty `{}`
/// counts as a level: at depth 0 only scalars).
fn unknown(rng: &mut Rng, depth: usize, out: &mut String) {
    match rng.below(if depth == 0 { 3 } else { 6 }) {
        0 => out.push_str(["null", "true", "false"][rng.below(3) as usize]),
        1 => out.push_str(["0", "-12.5e3", "1E+2", "3.25", "-0"][rng.below(5) as usize]),
        2 => string(rng, "x😀é\"\\/\u{1}", out),
        3 => out.push_str("{}"),
        4 => {
            out.push('[');
            for i in 0..rng.below(3) {
                if i > 0 {
                    out.push(',');
                }
                ws(rng, out);
                unknown(rng, depth - 1, out);
                ws(rng, out);
            }
            out.push(']');
        }
        _ => {
            out.push('{');
            for i in 0..rng.below(3) {
                if i > 0 {
                    out.push(',');
                }
                string(rng, &format!("k{i}"), out);
                out.push(':');
                ws(rng, out);
                unknown(rng, depth - 1, out);
            }
            out.push('}');
        }
    }
}

#[derive(Debug, Clone)]
enum V {
    Null,
    Bool(bool),
    Str(String),
}

prop_compose! {
    fn field_values()(
        sids in proptest::collection::vec(proptest::option::of("[0-9a-f]{32}"), 4),
        uuid in "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
        use_uuid in any::<bool>(),
        label in proptest::option::of("[a-zA-Z0-9 é😀\"\\\\?#\u{10000}-\u{10ffff}]{1,30}"),
        dates in proptest::collection::vec(proptest::option::of(0u64..=Timestamp::MAX_UNIX), 2),
        lenient in any::<bool>(),
        bools in proptest::collection::vec(proptest::option::of(any::<bool>()), 5),
        status in proptest::option::of(prop_oneof![
            Just("connected".to_string()), Just("in-progress".to_string()),
            "[a-z\\- é😀\"\\\\/\u{1}]{1,40}",
        ]),
        queue_time in proptest::option::of("[0-9]{0,6}"),
        uri in proptest::option::of("[ -~é😀\u{7f}\u{1}]{0,80}"),
        explicit_null in any::<bool>(),
    ) -> Vec<(&'static str, V)> {
        let mut f = Vec::new();
        let v = |s: Option<String>| s.map_or(V::Null, V::Str);
        let sid = |prefix: &str, h: &Option<String>| h.as_ref().map(|h| format!("{prefix}{h}"));
        f.push(("account_sid", v(sid("AC", &sids[0]))));
        // call_sid identifies a participant: always there.
        f.push(("call_sid", V::Str(if use_uuid { uuid.clone() } else {
            format!("CA{}", sids[1].clone().unwrap_or_else(|| "a".repeat(32)))
        })));
        f.push(("conference_sid", v(sid("CF", &sids[2]))));
        f.push(("call_sid_to_coach", v(sid("CA", &sids[3]))));
        f.push(("label", v(label.filter(|l| confpart::wire::ident::Label::check(l).is_ok()))));
        for (name, d) in [("date_created", dates[0]), ("date_updated", dates[1])] {
            let text = d.map(|u| {
                let mut buf = [0u8; confpart::wire::date::RFC2822_LEN];
                let s = Timestamp::from_unix(u).unwrap().write_rfc2822(&mut buf).to_string();
                if lenient { s.replace(" +0000", " GMT") } else { s }
            });
            f.push((name, v(text)));
        }
        for (name, b) in ["end_conference_on_exit", "muted", "hold", "start_conference_on_enter", "coaching"]
            .into_iter()
            .zip(bools)
        {
            f.push((name, b.map_or(V::Null, V::Bool)));
        }
        f.push(("status", v(status)));
        f.push(("queue_time", v(queue_time)));
        f.push(("uri", v(uri)));
        if !explicit_null {
            f.retain(|(_, v)| !matches!(v, V::Null));
        }
        f
    }
}

/// Writes the fields (shuffled, with unknown ones) as a JSON object.
fn document(fields: &[(&'static str, V)], seed: u64) -> String {
    let mut rng = Rng(seed | 1);
    let mut order: Vec<usize> = (0..fields.len()).collect();
    if rng.below(2) == 0 {
        for i in (1..order.len()).rev() {
            order.swap(i, rng.below(i as u64 + 1) as usize);
        }
    }
    let mut out = String::new();
    ws(&mut rng, &mut out);
    out.push('{');
    let mut first = true;
    let member = |out: &mut String, rng: &mut Rng, first: &mut bool| {
        if !*first {
            out.push(',');
        }
        *first = false;
        ws(rng, out);
    };
    for &i in &order {
        if rng.below(4) == 0 {
            member(&mut out, &mut rng, &mut first);
            let name = format!("extra_{}", rng.below(1000));
            string(&mut rng, &name, &mut out);
            out.push(':');
            ws(&mut rng, &mut out);
            unknown(&mut rng, MAX_DEPTH - 1, &mut out);
        }
        let (name, value) = &fields[i];
        member(&mut out, &mut rng, &mut first);
        string(&mut rng, name, &mut out);
        ws(&mut rng, &mut out);
        out.push(':');
        ws(&mut rng, &mut out);
        match value {
            V::Null => out.push_str("null"),
            V::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            V::Str(s) => string(&mut rng, s, &mut out),
        }
        ws(&mut rng, &mut out);
    }
    out.push('}');
    ws(&mut rng, &mut out);
    out
}

/// serde_json's view of a string field under the crate's rule (`""` and
/// `null` are absent).
/// The core decodes a valid document, agrees with serde_json on every field,
/// and what it encodes back reads the same in both.
fn agree(doc: &str) -> Result<(), TestCaseError> {
    let v: Value = serde_json::from_str(doc).unwrap();
    let p = Participant::decode(doc.as_bytes())
        .map_err(|e| TestCaseError::fail(format!("core rejected a valid document: {e}\n{doc}")))?;
    assert_same_fields(&p, &v);
    // Round trip through the encoder, and serde_json reads that too.
    let mut buf = vec![0u8; p.encoded_len()];
    let n = p.encode_to_slice(&mut buf).unwrap();
    let again = Participant::decode(&buf[..n]).unwrap();
    prop_assert_eq!(&again, &p);
    let back: Value = serde_json::from_slice(&buf[..n]).unwrap();
    assert_same_fields(&again, &back);
    Ok(())
}

/// The core accepts only what serde_json's parser accepts.
fn never_more_lenient(doc: &[u8]) -> Result<(), TestCaseError> {
    let reference = serde_json::from_slice::<Value>(doc).is_ok();
    for (what, accepted) in [
        ("validate", validate(doc).is_ok()),
        ("participant", Participant::decode(doc).is_ok()),
        ("error", ApiError::decode(doc).is_ok()),
        ("page", decode_page(doc, |_| {}).is_ok()),
    ] {
        prop_assert!(
            !accepted || reference,
            "{} accepted what serde_json rejects: {:?}",
            what,
            String::from_utf8_lossy(doc)
        );
    }
    // And validate() is the grammar: on shallow documents, exactly serde_json's.
    if doc.iter().filter(|&&b| b == b'[' || b == b'{').count() <= MAX_DEPTH {
        prop_assert_eq!(
            validate(doc).is_ok(),
            reference,
            "{:?}",
            String::from_utf8_lossy(doc)
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn core_and_serde_json_agree_on_every_field(fields in field_values(), seed in any::<u64>()) {
        let doc = document(&fields, seed);
        if std::env::var_os("SHOW_DOC").is_some() { eprintln!("{doc}"); }
        agree(&doc)?;
        never_more_lenient(doc.as_bytes())?;
    }

    #[test]
    fn arbitrary_bytes(doc in proptest::collection::vec(any::<u8>(), 0..64)) {
        never_more_lenient(&doc)?;
    }

    #[test]
    fn json_like_bytes(doc in r#"[\[\]{}",:0-9.eE+\-tfnrulas\\ \u{1}é]{0,40}"#) {
        never_more_lenient(doc.as_bytes())?;
    }

    #[test]
    fn mutated_valid_documents(
        fields in field_values(),
        seed in any::<u64>(),
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..3), 1..4),
    ) {
        let mut doc = document(&fields, seed).into_bytes();
        for (at, byte, kind) in edits {
            if doc.is_empty() {
                break;
            }
            let i = at.index(doc.len());
            match kind {
                0 => doc[i] = byte,
                1 => doc.insert(i, byte),
                _ => {
                    doc.remove(i);
                }
            }
        }
        never_more_lenient(&doc)?;
    }
}

#[test]
fn serde_json_core_oracle_agrees_on_the_fixtures() {
    // serde-json-core (the engine this crate used before) still maps the
    // fixtures to the same fields.
    #[derive(serde::Deserialize)]
    struct Raw<'a> {
        call_sid: &'a str,
        muted: bool,
        status: &'a str,
    }
    for doc in [
        &include_bytes!("../fixtures/twilio-update-mute.json")[..],
        include_bytes!("../fixtures/twilio-update-hold.json"),
        include_bytes!("../fixtures/twilio-create.json"),
    ] {
        let (raw, _) = serde_json_core::from_slice::<Raw<'_>>(doc).unwrap();
        let p = Participant::decode(doc).unwrap();
        assert_eq!(p.call_sid().unwrap().as_str(), raw.call_sid);
        assert_eq!(p.muted(), Some(raw.muted));
        assert!(p.status_text().unwrap().eq_str(raw.status));
    }
}
