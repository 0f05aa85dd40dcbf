//! JSON → error body: never panics.
#![no_main]

use confpart::api_error::ApiError;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|doc: &[u8]| {
    let _ = ApiError::decode(doc);
});
