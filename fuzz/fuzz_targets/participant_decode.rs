//! JSON → Participant: never panics; whatever decodes re-encodes (to the
//! length `encoded_len` announces) and decodes to the same value, and the
//! re-encoding of that is byte for byte the same.
#![no_main]

use confpart::participant::Participant;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|doc: &[u8]| {
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
});
