//! Response bytes, fed in fragments whose sizes come from the input, into the
//! client's ResponseReader: never panics, and the outcome of a complete
//! response does not depend on how it was split.
#![no_main]

use confpart::http::{OperationKind, Progress, ResponseReader};
use libfuzzer_sys::fuzz_target;

fn read(data: &[u8], step: usize, kind: OperationKind) -> Option<(u16, Vec<u8>, usize)> {
    let mut buf = [0u8; 4096];
    let mut reader = ResponseReader::new(&mut buf, kind);
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
    let _ = message.outcome();
    let _ = message.participant();
    let _ = message.retry_after();
    Some((message.status(), message.body().to_vec(), taken))
}

fuzz_target!(|input: (u8, bool, &[u8])| {
    let (step, list, data) = input;
    let kind = if list {
        OperationKind::List
    } else {
        OperationKind::Update
    };
    let whole = read(data, usize::MAX, kind);
    let split = read(data, usize::from(step.max(1)), kind);
    assert_eq!(whole, split, "the split changed the result");
});
