//! Request bytes, fed in fragments, into the bridge's RequestReader, then
//! routed, auth-checked and (for a form body) decoded: never panics, and the
//! split never changes the result.
#![no_main]

use confpart::http::bridge::{RequestReader, check_basic, route};
use confpart::update::Update;
use libfuzzer_sys::fuzz_target;

fn read(data: &[u8], step: usize) -> Option<(String, Vec<u8>)> {
    let mut buf = [0u8; 4096];
    let mut reader = RequestReader::new(&mut buf);
    let mut rest = data;
    while !rest.is_empty() {
        let n = step.min(rest.len());
        let progress = reader.feed(&rest[..n]).ok()?;
        rest = &rest[progress.consumed..];
        if progress.complete {
            break;
        }
        if progress.consumed == 0 {
            return None;
        }
    }
    if !reader.is_complete() {
        reader.finish().ok()?;
    }
    let head = reader.head()?;
    let _ = route(head.method, head.path);
    let _ = check_basic(
        head.authorization,
        "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        "token",
    );
    let body = reader.body()?.to_vec();
    let mut scratch = [0u8; 4096];
    let _ = Update::decode(&body, &mut scratch);
    Some((format!("{} {}", head.method, head.path), body))
}

fuzz_target!(|input: (u8, &[u8])| {
    let (step, data) = input;
    let whole = read(data, usize::MAX);
    let split = read(data, usize::from(step.max(1)));
    assert_eq!(whole, split, "the split changed the result");
});
