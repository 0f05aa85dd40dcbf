//! Writing a message whose head announces its body's length
//! (`Content-Length`) in one pass over a buffer.

use crate::wire::sink::{
    BufLatch, CountingSink, Sink, WriteError, copy, decimal_len, u64_to_decimal,
};

/// A message whose head may announce the length of its body
/// (`Content-Length`): [`write_framed`] writes it.
pub(crate) trait Framed {
    /// What writing fails with: the sink's errors and the message's own
    /// checks (made by [`Framed::head`] before its first byte).
    type Error: From<WriteError>;
    /// Whether the head announces the body's length (between
    /// [`Framed::head`] and [`Framed::head_end`]).
    fn has_length(&self) -> bool {
        true
    }
    /// Checks the message, then writes the head up to the length's digits.
    fn head<S: Sink + ?Sized>(&self, sink: &mut S) -> Result<(), Self::Error>;
    /// The rest of the head, after the digits (up to the empty line).
    fn head_end<S: Sink + ?Sized>(&self, sink: &mut S) -> Result<(), WriteError>;
    /// The body.
    fn body<S: Sink + ?Sized>(&self, sink: &mut S) -> Result<(), WriteError>;
    /// Cheap bounds `(low, high)` on the body's length (no pass over the
    /// body). `(0, usize::MAX)` means "unknown": the body is counted.
    fn body_len_bounds(&self) -> (usize, usize) {
        (0, usize::MAX)
    }
}

/// What [`write_framed`] does for the length's digits.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Plan {
    /// No length in the head.
    None,
    /// Count the body first, then write its length.
    Count,
    /// The body was counted: write this length.
    Counted(usize),
    /// Reserve this many digits in the buffer, fill them in after the body.
    Reserve(usize),
}

/// Writes `message`: head, the body's length in decimal (if it has one),
/// the rest of the head, the body; bytes and errors are those of writing
/// in that order with the body counted first.
///
/// Over a buffer ([`Sink::buffer`]) the writers store into it through a
/// [`BufLatch`] (one check for a full buffer at the end, not one after
/// each write), and when the bounds on the body's length have the same
/// number of digits the body is not counted: those digits are reserved,
/// the rest is written, and the digits are filled in (one pass). When the
/// one pass fails (a full buffer; or wrong bounds, never: they are
/// tested), the message is written again from its start, counted, which
/// gives the counted write's result and bytes. Over any other sink the
/// body is counted first. One call site per writer, so that the optimizer
/// can inline each once.
pub(crate) fn write_framed<S: Sink + ?Sized, F: Framed + ?Sized>(
    sink: &mut S,
    message: &F,
) -> Result<(), F::Error> {
    match sink.buffer() {
        Some((buf, len)) => write_into(buf, len, message),
        None => {
            let counted = counted_body(message);
            message.head(sink)?;
            if let Some(n) = counted {
                sink.put_u64(n as u64)?;
            }
            message.head_end(sink)?;
            Ok(message.body(sink)?)
        }
    }
}

/// The body's length, counted, for a message whose head announces it.
fn counted_body<F: Framed + ?Sized>(message: &F) -> Option<usize> {
    if !message.has_length() {
        return None;
    }
    let mut count = CountingSink::default();
    // A counting sink never fails.
    let _ = message.body(&mut count);
    Some(count.count)
}

/// [`write_framed`] over `buf[*len..]`.
fn write_into<F: Framed + ?Sized>(
    buf: &mut [u8],
    len: &mut usize,
    message: &F,
) -> Result<(), F::Error> {
    let start = *len;
    let mut plan = if !message.has_length() {
        Plan::None
    } else {
        let (low, high) = message.body_len_bounds();
        let width = decimal_len(low);
        if width == decimal_len(high) {
            Plan::Reserve(width)
        } else {
            Plan::Count
        }
    };
    loop {
        // `Count`: a pass that only counts the body, with the same writers
        // (one call site for each part of the message, so that the
        // optimizer can inline each once).
        let counting = plan == Plan::Count;
        let mut out = if counting {
            BufLatch::counting()
        } else {
            BufLatch::new(buf, start)
        };
        let mut at = 0;
        let mut written = Ok(());
        if !counting {
            if let Err(e) = message.head(&mut out) {
                // A check of the message failed: a write that did not fit
                // before it came first.
                *len = out.len();
                out.result()?;
                return Err(e);
            }
            at = out.len();
            match plan {
                Plan::Counted(n) => {
                    let _ = out.put_u64(n as u64);
                }
                Plan::Reserve(width) => out.reserve(width),
                Plan::None | Plan::Count => {}
            }
            written = message.head_end(&mut out);
        }
        let body_start = out.len();
        let written = written
            .and_then(|()| message.body(&mut out))
            .and(out.result());
        let end = out.len();
        match plan {
            Plan::Count => {
                plan = Plan::Counted(end);
                continue;
            }
            Plan::Reserve(width) => {
                *len = end;
                let n = end.saturating_sub(body_start);
                if written.is_ok() && decimal_len(n) == width {
                    fill(buf, at, n);
                    return Ok(());
                }
                // Again from the start, counted.
                *len = start;
                plan = Plan::Count;
            }
            Plan::None | Plan::Counted(_) => {
                *len = end;
                return Ok(written?);
            }
        }
    }
}

/// Writes `n` in decimal at `buf[at..]` (where its digits were reserved).
fn fill(buf: &mut [u8], at: usize, n: usize) {
    let mut digits = [0u8; 20];
    let digits = u64_to_decimal(n as u64, &mut digits);
    if let Some(dst) = buf.get_mut(at..at + digits.len()) {
        copy(dst, digits);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::sink::SliceSink;

    /// A message with a body of `n` bytes and the given (possibly wrong)
    /// bounds on its length.
    struct Message {
        n: usize,
        bounds: (usize, usize),
    }

    impl Framed for Message {
        type Error = WriteError;
        fn head<S: Sink + ?Sized>(&self, sink: &mut S) -> Result<(), WriteError> {
            sink.put(b"H: ")
        }
        fn head_end<S: Sink + ?Sized>(&self, sink: &mut S) -> Result<(), WriteError> {
            sink.put(b"\r\n\r\n")
        }
        fn body<S: Sink + ?Sized>(&self, sink: &mut S) -> Result<(), WriteError> {
            (0..self.n).try_for_each(|_| sink.put(b"x"))
        }
        fn body_len_bounds(&self) -> (usize, usize) {
            self.bounds
        }
    }

    #[test]
    fn framed_is_exact_whatever_the_bounds() {
        for n in [0, 9, 10, 99, 100, 101, 999, 1000] {
            let want = std::format!("H: {n}\r\n\r\n{}", "x".repeat(n));
            for bounds in [
                (n, n),
                (0, usize::MAX),
                (n + 5, n + 7),
                (n / 10, n / 10),
                (10_000, 20_000),
            ] {
                let mut buf = [0u8; 1100];
                let mut sink = SliceSink::new(&mut buf);
                sink.put(b">").unwrap();
                write_framed(&mut sink, &Message { n, bounds }).unwrap();
                assert_eq!(&sink.written()[1..], want.as_bytes(), "{n} {bounds:?}");
                // Too small: the error and the bytes of a counted write.
                for size in [2, 4, 5, 6, want.len() - 1] {
                    let mut small = std::vec![0u8; size + 1];
                    let mut sink = SliceSink::new(&mut small);
                    sink.put(b">").unwrap();
                    let got = write_framed(&mut sink, &Message { n, bounds });
                    let mut model = std::vec![0u8; size + 1];
                    let mut two = SliceSink::new(&mut model);
                    two.put(b">").unwrap();
                    let want = two
                        .put(b"H: ")
                        .and_then(|()| two.put_u64(n as u64))
                        .and_then(|()| two.put(b"\r\n\r\n"))
                        .and_then(|()| (0..n).try_for_each(|_| two.put(b"x")));
                    assert_eq!(got, want, "{n} {bounds:?} {size}");
                    assert_eq!(sink.written(), two.written(), "{n} {bounds:?} {size}");
                }
            }
        }
    }
}
