//! The heap RSA verification allocates from (RustCrypto `rsa` keeps its
//! big integers in `Vec`s): an `embedded-alloc` first-fit heap of
//! [`HEAP_BYTES`] in `.bss`, wrapped to record its high-water mark.

use core::alloc::{GlobalAlloc, Layout};
use core::sync::atomic::{AtomicUsize, Ordering};

use embedded_alloc::LlffHeap;

/// The heap's size: the measured peak of an RSA-2048 chain (11 608 B),
/// rounded up; an all-RSA-4096 chain peaks at 22 360 B (SIZE.md).
pub const HEAP_BYTES: usize = 12 * 1024;

pub struct Counting {
    heap: LlffHeap,
    in_use: AtomicUsize,
    peak: AtomicUsize,
}

#[global_allocator]
pub static HEAP: Counting = Counting {
    heap: LlffHeap::empty(),
    in_use: AtomicUsize::new(0),
    peak: AtomicUsize::new(0),
};

/// Gives the heap its memory (once, first thing in `main`).
pub fn init() {
    use core::mem::MaybeUninit;
    static mut MEMORY: [MaybeUninit<u8>; HEAP_BYTES] = [MaybeUninit::uninit(); HEAP_BYTES];
    // SAFETY: called once, before any allocation; MEMORY is used by nothing else.
    unsafe { HEAP.heap.init((&raw mut MEMORY) as usize, HEAP_BYTES) }
}

/// Bytes allocated at the peak since the last [`reset_peak`].
pub fn peak() -> usize {
    HEAP.peak.load(Ordering::Relaxed)
}

/// Bytes allocated now.
pub fn in_use() -> usize {
    HEAP.in_use.load(Ordering::Relaxed)
}

/// Starts a new peak measurement.
pub fn reset_peak() {
    HEAP.peak.store(in_use(), Ordering::Relaxed);
}

// SAFETY: forwards to LlffHeap, which upholds GlobalAlloc's contract; the
// counters only observe.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract, forwarded.
        let ptr = unsafe { self.heap.alloc(layout) };
        if !ptr.is_null() {
            let now = self.in_use.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            self.peak.fetch_max(now, Ordering::Relaxed);
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller's contract, forwarded.
        unsafe { self.heap.dealloc(ptr, layout) };
        self.in_use.fetch_sub(layout.size(), Ordering::Relaxed);
    }
}
