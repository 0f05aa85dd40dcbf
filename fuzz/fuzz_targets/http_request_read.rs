//! Request bytes, fed in fragments, into the bridge's RequestReader, then
//! routed, auth-checked and (for a form body) decoded: never panics, and the
//! split never changes the result.
#![no_main]

use confpart::http::bridge::{check_basic, route};
use confpart::http::{Progress, RequestReader};
use confpart::update::Update;
use libfuzzer_sys::fuzz_target;

fn read(data: &[u8], step: usize) -> Option<(String, Vec<u8>, usize)> {
    let mut buf = [0u8; 4096];
    let mut reader = RequestReader::new(&mut buf);
    let mut rest = data;
    let mut taken = 0;
    let message = loop {
        if rest.is_empty() {
            break reader.finish().ok()?;
        }
        let n = step.min(rest.len());
        match reader.feed(&rest[..n]).ok()? {
            Progress::Complete(m) => {
                taken += m.consumed();
                break m;
            }
            Progress::Partial => {
                taken += n;
                rest = &rest[n..];
            }
        }
    };
    let _ = route(message.method(), message.path());
    let _ = check_basic(
        message.authorization(),
        "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        "token",
    );
    let _ = message.headers().count();
    let body = message.body().to_vec();
    let mut scratch = [0u8; 4096];
    let _ = Update::decode(&body, &mut scratch);
    Some((
        format!("{} {}", message.method(), message.path()),
        body,
        taken,
    ))
}

fuzz_target!(|input: (u8, &[u8])| {
    let (step, data) = input;
    let whole = read(data, usize::MAX);
    let split = read(data, usize::from(step.max(1)));
    assert_eq!(whole, split, "the split changed the result");
});
