//! Stack painting: the free stack is filled with a pattern, and the
//! deepest word that no longer holds it is the high-water mark.
//!
//! The embassy tasks of a thread-mode executor share the main stack, so a
//! task's own use is measured around each of its polls ([`Measured`]):
//! before the poll, the window below the current stack pointer is painted;
//! after it, the window is scanned. The painting and scanning loops are
//! inlined and use no stack of their own below the pointer they read.
//!
//! This is the only `unsafe` of the firmware (raw writes and reads of the
//! free stack; `firmware-tls` shares this file and adds its UART registers
//! and heap); the libraries they link (`confpart`, `confpart-embassy`)
//! forbid `unsafe`.

use core::future::Future;
use core::pin::Pin;
use core::sync::atomic::{AtomicUsize, Ordering};
use core::task::{Context, Poll};

const PAINT: u32 = 0xC5C5_C5C5;
/// Words left alone just below the stack pointer that is read.
const MARGIN: usize = 64;
/// How far below a task's poll the painting reaches.
const WINDOW: usize = 48 * 1024;

unsafe extern "C" {
    /// cortex-m-rt: the end of `.bss` (the lowest address of the stack).
    static __sheap: u32;
    /// cortex-m-rt: the initial stack pointer (the top of RAM).
    static _stack_start: u32;
}

/// The lowest address the stack may reach.
pub fn bottom() -> usize {
    (&raw const __sheap) as usize
}

/// The initial stack pointer.
pub fn top() -> usize {
    (&raw const _stack_start) as usize
}

#[inline(always)]
fn sp() -> usize {
    cortex_m::register::msp::read() as usize
}

#[inline(always)]
fn paint(from: usize, to: usize) {
    let mut at = from & !3;
    while at + 4 <= to {
        // SAFETY: `[from, to)` lies between the end of `.bss` and the
        // current stack pointer minus a margin: memory no live frame uses,
        // word-aligned; no interrupt handler runs in this firmware.
        unsafe { (at as *mut u32).write_volatile(PAINT) };
        at += 4;
    }
}

#[inline(always)]
fn deepest(from: usize, to: usize) -> usize {
    let mut at = from & !3;
    while at + 4 <= to {
        // SAFETY: as in `paint`: aligned RAM addresses of the stack region.
        if unsafe { (at as *const u32).read_volatile() } != PAINT {
            return at;
        }
        at += 4;
    }
    to
}

/// Paints the whole free stack (call once, first thing in `main`).
#[inline(always)]
pub fn paint_all() {
    paint(bottom(), sp() - MARGIN);
}

/// The main stack's high-water mark in bytes (since [`paint_all`]).
pub fn main_high_water() -> usize {
    top() - deepest(bottom(), top())
}

/// A future whose polls are measured: the deepest stack use of one poll,
/// below the poller's frame, goes into `high_water`.
pub struct Measured<'a, F> {
    fut: Pin<&'a mut F>,
    high_water: &'a AtomicUsize,
}

impl<'a, F: Future> Measured<'a, F> {
    /// Measures `fut` into `high_water`.
    pub fn new(fut: Pin<&'a mut F>, high_water: &'a AtomicUsize) -> Self {
        Self { fut, high_water }
    }
}

impl<F: Future> Future for Measured<'_, F> {
    type Output = F::Output;

    #[inline(always)]
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let sp = sp() - MARGIN;
        let low = sp.saturating_sub(WINDOW).max(bottom());
        paint(low, sp);
        let result = self.fut.as_mut().poll(cx);
        let used = sp - deepest(low, sp) + MARGIN;
        self.high_water.fetch_max(used, Ordering::Relaxed);
        result
    }
}
