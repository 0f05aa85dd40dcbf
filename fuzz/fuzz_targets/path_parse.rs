//! Request path → ParticipantPath: never panics; what parses writes back and parses the same.
#![no_main]

use confpart::path::ParticipantPath;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
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
});
