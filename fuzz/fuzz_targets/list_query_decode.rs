//! List query string → ListQuery: never panics; what decodes writes back and decodes the same.
#![no_main]

use confpart::http::query::ListQuery;
use confpart::write::SliceSink;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut scratch = [0u8; 1024];
    let Ok(q) = ListQuery::decode(data, &mut scratch) else {
        return;
    };
    let _ = q.validate();
    let mut out = [0u8; 4096];
    let mut sink = SliceSink::new(&mut out);
    q.encode(&mut sink).expect("query fits");
    let written = sink.written().to_vec();
    let mut scratch2 = [0u8; 1024];
    let again = ListQuery::decode(&written, &mut scratch2).expect("written query decodes");
    assert_eq!(again, q);
});
