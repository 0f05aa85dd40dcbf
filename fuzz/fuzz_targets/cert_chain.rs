//! See `confpart_tests::fuzz_checks::cert_chain` (replayed on stable by tests/tests/fuzz_replay.rs).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| confpart_tests::fuzz_checks::cert_chain(data));
