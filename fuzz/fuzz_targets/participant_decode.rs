//! JSON → Participant: never panics; whatever decodes re-encodes and decodes to the same value.
#![no_main]

use confpart::participant::Participant;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|doc: &[u8]| {
    let Ok(p) = Participant::decode(doc) else {
        return;
    };
    let mut out = [0u8; 8192];
    let n = p.encode_to_slice(&mut out).expect("re-encode fits");
    assert_eq!(
        Participant::decode(&out[..n]).expect("re-encoded JSON decodes"),
        p
    );
});
