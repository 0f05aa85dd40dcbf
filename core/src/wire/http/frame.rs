//! Writing a message whose head announces its body's length
//! (`Content-Length`) in one pass over a buffer.

use crate::wire::sink::{CountingSink, Sink, WriteError, copy, decimal_len, u64_to_decimal};

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
    /// Reserve this many digits in the buffer, fill them in after the body.
    Reserve(usize),
}

/// Writes `message`: head, the body's length in decimal (if it has one),
/// the rest of the head, the body; bytes and errors are those of writing
/// in that order with the body counted first.
///
/// When the bounds on the body's length have the same number of digits
/// and the sink is a buffer ([`Sink::buffer`]), the body is not counted:
/// those digits are reserved, the rest is written, and the digits are
/// filled in (one pass). Otherwise the body is counted first. When the one
/// pass fails (a full buffer; or wrong bounds, never: they are tested), the
/// message is written again from its start, counted, which gives the
/// counted write's result and bytes. One call site per writer, so that
/// the optimizer can inline each once.
pub(crate) fn write_framed<S: Sink + ?Sized, F: Framed + ?Sized>(
    sink: &mut S,
    message: &F,
) -> Result<(), F::Error> {
    let start = sink.buffer().map(|(_, len)| *len);
    let mut plan = if !message.has_length() {
        Plan::None
    } else {
        let (low, high) = message.body_len_bounds();
        let width = decimal_len(low);
        if start.is_some() && width == decimal_len(high) {
            Plan::Reserve(width)
        } else {
            Plan::Count
        }
    };
    loop {
        let counted = if plan == Plan::Count {
            let mut count = CountingSink::default();
            // A counting sink never fails.
            let _ = message.body(&mut count);
            count.count
        } else {
            0
        };
        message.head(sink)?;
        let at = sink.buffer().map_or(0, |(_, len)| *len);
        let mut body_start = 0;
        let written = match plan {
            Plan::None => Ok(()),
            Plan::Count => sink.put_u64(counted as u64),
            Plan::Reserve(width) => reserve(sink, width),
        }
        .and_then(|()| message.head_end(sink))
        .and_then(|()| {
            body_start = sink.buffer().map_or(0, |(_, len)| *len);
            message.body(sink)
        });
        if let Plan::Reserve(width) = plan {
            let n = sink
                .buffer()
                .map_or(0, |(_, len)| len.saturating_sub(body_start));
            if written.is_ok() && decimal_len(n) == width {
                fill(sink, at, n);
                return Ok(());
            }
            // Again from the start, counted.
            if let (Some(start), Some((_, len))) = (start, sink.buffer()) {
                *len = start;
            }
            plan = Plan::Count;
            continue;
        }
        return Ok(written?);
    }
}

/// Reserves `width` bytes at the end of a buffer sink, failing as a `put`
/// of that many bytes would.
fn reserve<S: Sink + ?Sized>(sink: &mut S, width: usize) -> Result<(), WriteError> {
    let Some((buf, len)) = sink.buffer() else {
        return Ok(());
    };
    match len.checked_add(width) {
        Some(end) if end <= buf.len() => {
            *len = end;
            Ok(())
        }
        _ => Err(WriteError::BufferFull {
            offset: *len,
            needed: width,
        }),
    }
}

/// Writes `n` in decimal at `at` of a buffer sink (where its digits were
/// reserved).
fn fill<S: Sink + ?Sized>(sink: &mut S, at: usize, n: usize) {
    let mut digits = [0u8; 20];
    let digits = u64_to_decimal(n as u64, &mut digits);
    if let Some(dst) = sink
        .buffer()
        .and_then(|(buf, _)| buf.get_mut(at..at + digits.len()))
    {
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
