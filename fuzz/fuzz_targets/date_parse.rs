//! RFC 2822 date: never panics; what parses writes strictly and parses to the same instant.
#![no_main]

use confpart::date::{RFC2822_LEN, Timestamp};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(t) = Timestamp::parse(data) else {
        return;
    };
    let mut buf = [0u8; RFC2822_LEN];
    let s = t.write_rfc2822(&mut buf);
    assert_eq!(Timestamp::parse(s.as_bytes()), Ok(t));
});
