//! Response bytes, fed in fragments whose sizes come from the input, into the
//! client's ResponseReader: never panics, and the outcome of a complete
//! response does not depend on how it was split.
#![no_main]

use confpart::http::OperationKind;
use confpart::http::client::ResponseReader;
use libfuzzer_sys::fuzz_target;

fn read(data: &[u8], step: usize) -> Option<(u16, Vec<u8>)> {
    let mut buf = [0u8; 4096];
    let mut reader = ResponseReader::new(&mut buf);
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
    let _ = reader.outcome(OperationKind::Update);
    let _ = reader.outcome(OperationKind::List);
    Some((reader.head()?.status, reader.body()?.to_vec()))
}

fuzz_target!(|input: (u8, &[u8])| {
    let (step, data) = input;
    let whole = read(data, usize::MAX);
    let split = read(data, usize::from(step.max(1)));
    assert_eq!(whole, split, "the split changed the result");
});
