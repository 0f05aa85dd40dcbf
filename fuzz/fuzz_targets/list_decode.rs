//! JSON → list page: never panics; a decoded page re-encodes and decodes to
//! the same metadata and participants.
#![no_main]

use confpart::list::{decode_page, encode_page};
use confpart::participant::Participant;
use confpart::write::SliceSink;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|doc: &[u8]| {
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
});
