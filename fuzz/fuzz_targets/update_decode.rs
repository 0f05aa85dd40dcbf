//! Form body → Update: never panics; whatever decodes re-encodes and decodes to the same value.
#![no_main]

use confpart::path::Dialect;
use confpart::update::Update;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|body: &[u8]| {
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
});
