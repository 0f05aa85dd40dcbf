//! See `confpart_tests::fuzz_checks::telnyx_signature` (replayed on stable by tests/tests/fuzz_replay.rs).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| confpart_tests::fuzz_checks::telnyx_signature(data));
