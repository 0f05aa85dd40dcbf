//! The byte sink every encoder of this crate writes into.
//!
//! Encoders take `&mut impl Sink`. Two sinks are provided:
//! - [`SliceSink`], a cursor over a caller buffer, that fails with
//!   [`WriteError::BufferFull`] instead of truncating;
//! - [`IoSink`], that forwards to any [`embedded_io::Write`].
//!
//! ```
//! use confpart::wire::sink::{Sink, SliceSink};
//!
//! let mut buf = [0u8; 8];
//! let mut sink = SliceSink::new(&mut buf);
//! sink.put(b"abc")?;
//! sink.put_u64(42)?;
//! assert_eq!(sink.written(), b"abc42");
//! assert!(sink.put(b"too long").is_err());
//! # Ok::<(), confpart::wire::sink::WriteError>(())
//! ```

use core::fmt;

/// Why an encoder could not write its output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum WriteError {
    /// The caller buffer is too small: a write of `needed` bytes did not fit
    /// at byte offset `offset` (nothing is truncated silently). Where the
    /// exact size is unknown (serde-json-core output), `offset` is the buffer
    /// length and `needed` is 1: "at least one more byte".
    BufferFull {
        /// Bytes written before the failing write.
        offset: usize,
        /// Length of the write that did not fit.
        needed: usize,
    },
    /// The underlying [`embedded_io::Write`] failed.
    Io(embedded_io::ErrorKind),
    /// The writer accepted zero bytes (end of stream).
    WriteZero,
}

impl fmt::Display for WriteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::BufferFull { offset, needed } => write!(
                f,
                "output buffer full: {needed} more bytes did not fit at offset {offset}"
            ),
            Self::Io(kind) => write!(f, "I/O error while writing: {kind:?}"),
            Self::WriteZero => f.write_str("writer accepted zero bytes"),
        }
    }
}

impl core::error::Error for WriteError {}

/// Something bytes can be written into.
pub trait Sink {
    /// Appends all of `bytes`, or fails without a partial promise.
    fn put(&mut self, bytes: &[u8]) -> Result<(), WriteError>;

    /// Appends a string.
    fn put_str(&mut self, s: &str) -> Result<(), WriteError> {
        self.put(s.as_bytes())
    }

    /// Appends the decimal representation of `n` (no `core::fmt`).
    fn put_u64(&mut self, n: u64) -> Result<(), WriteError> {
        let mut digits = [0u8; 20];
        let s = u64_to_decimal(n, &mut digits);
        self.put(s)
    }

    /// Appends `s` form-encoded ([`form::write_component`](crate::wire::form::write_component)).
    /// [`CountingSink`] overrides it with [`form::encoded_len`](crate::wire::form::encoded_len),
    /// a sum of per-byte widths, so that sizing a body does not run the
    /// writer.
    fn put_form_component(&mut self, s: &str) -> Result<(), WriteError> {
        const HEX: &[u8; 16] = b"0123456789ABCDEF";
        let hex = |v: u8| HEX.get(usize::from(v & 0xf)).copied().unwrap_or(b'0');
        let mut rest = s.as_bytes();
        loop {
            let run = crate::wire::scan::form_safe_run(rest);
            let (plain, tail) = rest.split_at_checked(run).unwrap_or((rest, &[]));
            if !plain.is_empty() {
                self.put(plain)?;
            }
            let Some((&b, tail)) = tail.split_first() else {
                return Ok(());
            };
            if b == b' ' {
                self.put(b"+")?;
            } else {
                self.put(&[b'%', hex(b >> 4), hex(b)])?;
            }
            rest = tail;
        }
    }

    /// For a sink over a buffer: the whole buffer and the number of its
    /// bytes written so far (the output is `buf[..*len]`); `None`, the
    /// default, for a sink that cannot go back over what it wrote.
    ///
    /// The writers of this crate that announce a length before the bytes it
    /// counts (`Content-Length`) use it to write in one pass: they reserve
    /// the digits (their count known from cheap bounds on the body), write
    /// the rest, then fill the digits in. They write the whole message
    /// through the buffer (bytes stored at `buf[*len..]`, then `*len`
    /// advanced: for a sink that returns `Some`, that must be what a `put`
    /// of them does), with one check for a full buffer at the end. Over a
    /// sink without a buffer they count the body first (with a
    /// [`CountingSink`]), then write. The output is the same bytes either
    /// way. [`SliceSink`] returns its buffer; an implementation must keep
    /// `*len <= buf.len()` and may be asked to move `*len` back to a value
    /// it had. Returning `Some` is a promise that `buf[..*len]` stays where
    /// it is until the writer returns: a sink that flushes or drains its
    /// buffer when it fills up must return `None` (the reserved digits are
    /// filled in at the offset recorded before the body was written).
    ///
    /// ```
    /// use confpart::wire::sink::{Sink, SliceSink};
    ///
    /// let mut buf = [0u8; 8];
    /// let mut sink = SliceSink::new(&mut buf);
    /// sink.put(b"ab")?;
    /// let (whole, len) = sink.buffer().unwrap();
    /// assert_eq!((whole.len(), *len), (8, 2));
    /// # Ok::<(), confpart::wire::sink::WriteError>(())
    /// ```
    fn buffer(&mut self) -> Option<(&mut [u8], &mut usize)> {
        None
    }
}

impl<S: Sink + ?Sized> Sink for &mut S {
    fn put(&mut self, bytes: &[u8]) -> Result<(), WriteError> {
        (**self).put(bytes)
    }

    fn put_form_component(&mut self, s: &str) -> Result<(), WriteError> {
        (**self).put_form_component(s)
    }

    fn buffer(&mut self) -> Option<(&mut [u8], &mut usize)> {
        (**self).buffer()
    }
}

/// Number of decimal digits of `n` (what [`Sink::put_u64`] writes).
pub const fn decimal_len(n: usize) -> usize {
    // Powers of ten by multiplication (no division).
    let mut digits = 1;
    let mut power: usize = 10;
    while n >= power {
        digits += 1;
        power = match power.checked_mul(10) {
            Some(p) => p,
            None => return digits,
        };
    }
    digits
}

/// `dst = src` over the shorter of the two (callers pass equal lengths):
/// unlike `copy_from_slice`, no length-mismatch panic branch is left for the
/// optimizer to prove away (the core is panic-free; LLVM still emits one
/// `memcpy`).
#[inline]
pub(crate) fn copy(dst: &mut [u8], src: &[u8]) {
    for (d, s) in dst.iter_mut().zip(src) {
        *d = *s;
    }
}

/// The UTF-8 bytes of `c` and their count, without `char::encode_utf8`
/// (which panics on a short buffer, a branch LTO kept in the client path).
#[inline]
pub(crate) fn utf8(c: char) -> ([u8; 4], usize) {
    let u = c as u32;
    let cont = |shift: u32| 0x80 | ((u >> shift) & 0x3f) as u8;
    match c.len_utf8() {
        1 => ([u as u8, 0, 0, 0], 1),
        2 => ([0xc0 | (u >> 6) as u8, cont(0), 0, 0], 2),
        3 => ([0xe0 | (u >> 12) as u8, cont(6), cont(0), 0], 3),
        _ => ([0xf0 | (u >> 18) as u8, cont(12), cont(6), cont(0)], 4),
    }
}

/// Writes the decimal digits of `n` into the end of `buf` and returns them.
pub fn u64_to_decimal(mut n: u64, buf: &mut [u8; 20]) -> &[u8] {
    let mut start = buf.len();
    loop {
        start -= 1;
        let (q, r) = div10(n);
        if let Some(slot) = buf.get_mut(start) {
            *slot = b'0' + r;
        }
        n = q;
        if n == 0 || start == 0 {
            break;
        }
    }
    buf.get(start..).unwrap_or(&[])
}

/// `(n / 10, n % 10)` with 32-bit operations only: long division in 16-bit
/// digits. A `u64` division would link ~0.9 KB of compiler-builtins into
/// firmware for 32-bit cores (and a 64-bit shift by a variable amount a
/// library call: the digits come from the two halves by constant shifts).
fn div10(n: u64) -> (u64, u8) {
    if let Ok(small) = u32::try_from(n) {
        // `small % 10 < 10`: the cast cannot lose data.
        return (u64::from(small / 10), (small % 10) as u8);
    }
    let (hi, lo) = ((n >> 32) as u32, n as u32);
    let mut q = [0u32; 4];
    let mut r = 0u32;
    for (q, digit) in q
        .iter_mut()
        .zip([hi >> 16, hi & 0xffff, lo >> 16, lo & 0xffff])
    {
        // `r < 10`, so `cur < 10 * 2^16`: fits a u32, and `cur / 10 < 2^16`.
        let cur = (r << 16) | digit;
        *q = cur / 10;
        r = cur % 10;
    }
    let [q3, q2, q1, q0] = q;
    let q = (u64::from((q3 << 16) | q2) << 32) | u64::from((q1 << 16) | q0);
    (q, r as u8)
}

/// A cursor over a caller-provided byte buffer.
#[derive(Debug)]
pub struct SliceSink<'a> {
    buf: &'a mut [u8],
    len: usize,
}

impl<'a> SliceSink<'a> {
    /// Starts writing at the beginning of `buf`.
    pub fn new(buf: &'a mut [u8]) -> Self {
        Self { buf, len: 0 }
    }

    /// Number of bytes written so far.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when nothing has been written.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The bytes written so far.
    pub fn written(&self) -> &[u8] {
        self.buf.get(..self.len).unwrap_or(&[])
    }

    /// Gives back the written part of the buffer with the buffer's lifetime.
    pub fn into_written(self) -> &'a mut [u8] {
        let len = self.len;
        self.buf.get_mut(..len).unwrap_or(&mut [])
    }
}

impl Sink for SliceSink<'_> {
    #[inline]
    fn put(&mut self, bytes: &[u8]) -> Result<(), WriteError> {
        let end = self.len.checked_add(bytes.len());
        match end.and_then(|end| self.buf.get_mut(self.len..end)) {
            Some(dst) => {
                copy(dst, bytes);
                self.len += bytes.len();
                Ok(())
            }
            None => Err(WriteError::BufferFull {
                offset: self.len,
                needed: bytes.len(),
            }),
        }
    }

    fn buffer(&mut self) -> Option<(&mut [u8], &mut usize)> {
        Some((&mut *self.buf, &mut self.len))
    }
}

/// [`BufLatch`]'s `needed` while every write fitted (a write of a slice is
/// at most `isize::MAX` bytes long).
const OPEN: usize = usize::MAX;
/// [`BufLatch`]'s `needed` when it only counts ([`BufLatch::counting`]).
const COUNT: usize = usize::MAX - 1;

/// Writes into a sink's buffer ([`Sink::buffer`]) and keeps the first
/// error: every write returns `Ok`, so a writer's `?` after each write is
/// known to pass and compiles to nothing; the writer asks
/// [`BufLatch::result`] once at the end. From the first write that does not
/// fit on, nothing more is stored: the buffer holds exactly what a writer
/// stopping at that `?` would have left, and the error is the one
/// [`SliceSink::put`] gives.
pub(crate) struct BufLatch<'b> {
    /// The buffer; cut where the first write that did not fit started
    /// (then its length is that write's offset).
    buf: &'b mut [u8],
    len: usize,
    /// The length of the first write that did not fit; [`OPEN`] while
    /// every write fitted, [`COUNT`] for a counting latch.
    needed: usize,
}

impl<'b> BufLatch<'b> {
    /// Writes at `buf[len..]`.
    pub(crate) fn new(buf: &'b mut [u8], len: usize) -> Self {
        Self {
            buf,
            len,
            needed: OPEN,
        }
    }

    /// A latch that stores nothing and counts the bytes written (as
    /// [`CountingSink`] does, with the writers' code for a buffer: a
    /// message's body is counted by the same code that writes it).
    pub(crate) fn counting() -> BufLatch<'static> {
        BufLatch {
            buf: &mut [],
            len: 0,
            needed: COUNT,
        }
    }

    /// Bytes of the buffer written (or counted) so far.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// The first write that did not fit, if one did not.
    pub(crate) fn result(&self) -> Result<(), WriteError> {
        if self.needed >= COUNT {
            return Ok(());
        }
        Err(WriteError::BufferFull {
            offset: self.buf.len(),
            needed: self.needed,
        })
    }

    /// Stores `bytes` at the end, as [`SliceSink::put`] does. Bare metal
    /// keeps one copy of it (flash); a hosted build inlines it at every
    /// write, as the optimizer did with `SliceSink::put` (speed).
    #[cfg_attr(target_os = "none", inline)]
    #[cfg_attr(not(target_os = "none"), inline(always))]
    fn store(&mut self, bytes: &[u8]) {
        let at = self.len;
        match at
            .checked_add(bytes.len())
            .and_then(|end| self.buf.get_mut(at..end))
        {
            Some(dst) => {
                copy(dst, bytes);
                self.len = at + bytes.len();
            }
            None => self.full(at, bytes.len()),
        }
    }

    /// Reserves `width` bytes at the end (filled in later), failing as a
    /// write of that many bytes would.
    pub(crate) fn reserve(&mut self, width: usize) {
        let at = self.len;
        match at.checked_add(width).filter(|&end| end <= self.buf.len()) {
            Some(end) => self.len = end,
            None => self.full(at, width),
        }
    }

    /// A write of `needed` bytes at `offset` did not fit: the first such
    /// error is kept, and the buffer is cut where it stopped, so that no
    /// later write (shorter ones included) stores anything.
    #[cold]
    fn full(&mut self, offset: usize, needed: usize) {
        // Counting: every write but an empty one lands here (no buffer).
        if self.needed == COUNT {
            self.len = self.len.saturating_add(needed);
            return;
        }
        if self.needed == OPEN {
            self.needed = needed;
        }
        let buf = core::mem::take(&mut self.buf);
        self.buf = buf.get_mut(..offset).unwrap_or_default();
    }
}

impl Sink for BufLatch<'_> {
    #[inline(always)]
    fn put(&mut self, bytes: &[u8]) -> Result<(), WriteError> {
        self.store(bytes);
        Ok(())
    }

    fn buffer(&mut self) -> Option<(&mut [u8], &mut usize)> {
        Some((&mut *self.buf, &mut self.len))
    }
}

/// Counts bytes without storing them (to size a buffer or a `Content-Length`).
#[derive(Debug, Default, Clone, Copy)]
pub struct CountingSink {
    /// Bytes "written" so far.
    pub count: usize,
}

impl Sink for CountingSink {
    #[inline(always)]
    fn put(&mut self, bytes: &[u8]) -> Result<(), WriteError> {
        self.count = self.count.saturating_add(bytes.len());
        Ok(())
    }

    #[inline(always)]
    fn put_form_component(&mut self, s: &str) -> Result<(), WriteError> {
        self.count = self
            .count
            .saturating_add(crate::wire::scan::form_encoded_len(s));
        Ok(())
    }
}

/// Adapts any [`embedded_io::Write`] into a [`Sink`].
///
/// Every `put` calls `write_all`; wrap unbuffered transports in a buffer.
#[derive(Debug)]
pub struct IoSink<W>(pub W);

impl<W: embedded_io::Write> Sink for IoSink<W> {
    fn put(&mut self, mut bytes: &[u8]) -> Result<(), WriteError> {
        use embedded_io::Error as _;
        while !bytes.is_empty() {
            match self.0.write(bytes) {
                Ok(0) => return Err(WriteError::WriteZero),
                Ok(n) => bytes = bytes.get(n..).unwrap_or(&[]),
                Err(e) => return Err(WriteError::Io(e.kind())),
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_same_as_encode_utf8_for_every_char() {
        for c in (0..=0x10_ffff).filter_map(char::from_u32) {
            let mut want = [0u8; 4];
            let want = c.encode_utf8(&mut want).as_bytes();
            let (got, n) = utf8(c);
            assert_eq!(&got[..n], want, "{c:?}");
        }
        let mut dst = [0u8; 3];
        copy(&mut dst, b"abc");
        assert_eq!(&dst, b"abc");
    }

    #[test]
    fn decimal() {
        let mut b = [0u8; 20];
        assert_eq!(u64_to_decimal(0, &mut b), b"0");
        assert_eq!(u64_to_decimal(1234567890, &mut b), b"1234567890");
        assert_eq!(u64_to_decimal(u64::MAX, &mut b), b"18446744073709551615");
    }

    #[test]
    fn decimal_len_counts_the_digits() {
        let mut b = [0u8; 20];
        for n in [
            0,
            1,
            9,
            10,
            99,
            100,
            101,
            999,
            1000,
            65_535,
            usize::MAX / 10,
            usize::MAX,
        ] {
            assert_eq!(
                decimal_len(n),
                u64_to_decimal(n as u64, &mut b).len(),
                "{n}"
            );
        }
        for n in (0..100_000).step_by(7) {
            assert_eq!(
                decimal_len(n),
                u64_to_decimal(n as u64, &mut b).len(),
                "{n}"
            );
        }
    }

    #[test]
    fn div10_matches_u64_division() {
        for n in [
            0,
            9,
            10,
            99,
            u64::from(u32::MAX),
            u64::from(u32::MAX) + 1,
            1 << 48,
            u64::MAX,
            12_345_678_901_234_567_890,
        ] {
            assert_eq!(div10(n), (n / 10, (n % 10) as u8), "{n}");
        }
    }

    proptest::proptest! {
        #[test]
        fn div10_any(n in proptest::prelude::any::<u64>()) {
            proptest::prop_assert_eq!(div10(n), (n / 10, (n % 10) as u8));
        }
    }

    #[test]
    fn slice_sink_never_truncates() {
        let mut buf = [0u8; 4];
        let mut s = SliceSink::new(&mut buf);
        s.put(b"ab").unwrap();
        assert_eq!(
            s.put(b"cde"),
            Err(WriteError::BufferFull {
                offset: 2,
                needed: 3
            })
        );
        assert_eq!(s.written(), b"ab");
    }

    #[test]
    fn buf_latch_keeps_the_first_error_and_stores_nothing_after_it() {
        let mut buf = [0u8; 6];
        let mut out = BufLatch::new(&mut buf, 1);
        out.put(b"ab").unwrap();
        // Neither a write that does not fit nor any later one is stored;
        // every write returns `Ok`, the first failure is the result.
        out.put(b"cdef").unwrap();
        out.put(b"g").unwrap();
        out.reserve(1);
        out.put(b"").unwrap();
        assert_eq!(out.len(), 3);
        assert_eq!(
            out.result(),
            Err(WriteError::BufferFull {
                offset: 3,
                needed: 4
            })
        );
        assert_eq!(&buf, b"\0ab\0\0\0");
        // The same writes through a `SliceSink`, stopping at the failure.
        let mut model = [0u8; 6];
        let mut sink = SliceSink::new(&mut model);
        sink.put(b"\0").unwrap();
        sink.put(b"ab").unwrap();
        assert_eq!(
            sink.put(b"cdef"),
            Err(WriteError::BufferFull {
                offset: 3,
                needed: 4
            })
        );
        assert_eq!(model, buf);
    }

    #[test]
    fn io_sink_writes_through() {
        let mut out = [0u8; 8];
        {
            let mut s = IoSink(&mut out[..]);
            s.put(b"hi").unwrap();
            s.put_u64(7).unwrap();
        }
        assert_eq!(&out[..3], b"hi7");
        let mut tiny = [0u8; 1];
        let mut s = IoSink(&mut tiny[..]);
        assert!(matches!(
            s.put(b"xy"),
            Err(WriteError::Io(embedded_io::ErrorKind::WriteZero) | WriteError::WriteZero)
        ));
    }
}
