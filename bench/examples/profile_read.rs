//! The reader's share of the bridge round trip, for `valgrind --tool=callgrind`:
//! the bridge's request framed by `RequestReader::feed` alone (head scan, head
//! parse, body), N times.
//!
//! `cargo build --release -p confpart-bench --example profile_read`
//! `valgrind --tool=callgrind target/release/examples/profile_read 10000`
//!
//! A separate binary: a second call site of `RequestReader::feed` in the
//! `profile` example changes how the bridge round trip is inlined there (by
//! ~500 instructions per operation), which would move its figure.
#![allow(missing_docs)]

use std::hint::black_box;

use confpart::wire::http::{Progress, RequestReader};
use confpart_bench::scenario::{self, BridgeBuffers};

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .map_or(10_000, |s| s.parse().unwrap());
    let path = scenario::path();
    let mut req = [0u8; 2048];
    let len = scenario::request(&path, scenario::full_update())
        .encode_to_slice(&mut req)
        .unwrap();
    let mut bufs = Box::new(BridgeBuffers::default());
    for _ in 0..n {
        let mut reader = RequestReader::new(&mut bufs.request);
        let Ok(Progress::Complete(m)) = reader.feed(black_box(&req[..len])) else {
            panic!("incomplete");
        };
        black_box(m.body().len());
    }
}
