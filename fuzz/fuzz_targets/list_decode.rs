//! JSON → list page: never panics.
#![no_main]

use confpart::list::decode_page;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|doc: &[u8]| {
    let mut n = 0usize;
    let _ = decode_page(doc, |_| n += 1);
});
