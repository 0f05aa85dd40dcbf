//! The server side of the `embassy_client` check: a scripted transport
//! (`embedded_io_async::{Read, Write}`) that plays the fuzz input's
//! responses, one script segment per exchange, and records what the client
//! did; and a poll-bounded executor.
//!
//! Nothing here ever waits during an exchange: a read returns bytes, the
//! end of the stream (`Ok(0)`) or an error at once. Only the stale check
//! between two exchanges can see `Pending` (nothing waiting): that read
//! stays pending, and the client's 0-tick timeout drops it. (embassy-time's
//! `Timer` is pending on its first poll even when it is already due, so
//! `with_timeout` of 0 ticks polls the read twice before it times out: a
//! read pending only once would be ready on the second poll.)

use std::cell::RefCell;
use std::future::Future;
use std::pin::pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use embedded_io::ErrorKind;
use embedded_io_async::{ErrorType, Read, Write};

/// A fault injected into one exchange (positions are taken modulo the
/// request length, or the response length plus one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Fault {
    /// No fault.
    None,
    /// `write` fails (`BrokenPipe`) once this many request bytes of the
    /// attempt are written.
    WriteError(usize),
    /// `write` returns `Ok(0)` once this many request bytes are written.
    WriteZero(usize),
    /// `flush` fails (`BrokenPipe`).
    FlushError,
    /// `read` fails (`ConnectionReset`) once this many response bytes were
    /// delivered.
    ReadError(usize),
}

/// What the stale check after an exchange finds once every byte of the
/// segment was delivered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Gap {
    /// Nothing waiting: the read stays `Pending`.
    Nothing,
    /// The server closed the connection: `Ok(0)`.
    Eof,
    /// A stray byte (`H`, as of a late response).
    Stray,
    /// The read fails (`ConnectionReset`).
    Error,
}

/// The script of one exchange.
#[derive(Debug, Clone, Copy)]
pub(super) struct Segment<'a> {
    /// What the server sends after the request.
    pub response: &'a [u8],
    /// The fault of the exchange.
    pub fault: Fault,
    /// What the stale check after it finds.
    pub gap: Gap,
    /// Where the response ends when the whole segment is fed in one piece
    /// to a standalone reader (`None`: it does not complete without the end
    /// of the stream, or does not frame). A read once that many bytes were
    /// delivered is the stale check: the client has its answer.
    pub end: Option<usize>,
}

const NO_SEGMENT: Segment<'static> = Segment {
    response: &[],
    fault: Fault::None,
    gap: Gap::Nothing,
    end: None,
};

/// How the I/O of an exchange failed or ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Ended {
    /// A read returned `Ok(0)` (the segment was exhausted).
    Eof,
    /// The scripted read error.
    ReadError,
    /// The scripted write error.
    WriteError,
    /// The scripted `Ok(0)` write.
    WriteZero,
    /// The scripted flush error.
    FlushError,
}

/// What the stale check after an exchange saw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum GapSeen {
    /// `Pending`: nothing waiting.
    Pending,
    /// Bytes: the rest of the segment after the response, or a stray byte.
    Bytes,
    /// `Ok(0)`.
    Eof,
    /// A read error.
    Error,
}

/// What the transport saw of one exchange (one attempt).
#[derive(Debug, Clone, Default)]
pub(super) struct Seen {
    /// The connection (1 for the first one).
    pub connection: usize,
    /// The script segment that answered it.
    pub segment: usize,
    /// Every byte written.
    pub written: Vec<u8>,
    /// `flush` succeeded.
    pub flushed: bool,
    /// Response bytes delivered to the exchange's reads (not the stale
    /// check's).
    pub delivered: usize,
    /// How the exchange's I/O failed or ended, if it did.
    pub ended: Option<Ended>,
    /// What the stale check after it saw, if one ran.
    pub gap: Option<GapSeen>,
}

/// The script and the record, shared by the harness and the transports.
#[derive(Debug)]
pub(super) struct Wire<'a> {
    segments: Vec<Segment<'a>>,
    next: usize,
    /// Every exchange, in order, over all connections.
    pub log: Vec<Seen>,
    /// The current connection (the transports of older ones were dropped).
    pub connection: usize,
    /// The current connection returned an error, the end of the stream or a
    /// stale byte: the client must not use it again.
    dead: bool,
    /// Read sizes, in turn (0: as much as the buffer takes).
    chunks: [u8; 4],
    reads: usize,
    /// The most a `write` takes (0: all).
    write_max: usize,
    /// The length of the request being sent (write faults are taken modulo).
    pub request_len: usize,
}

enum ReadStep {
    Ready(Result<usize, ErrorKind>),
    /// Nothing waiting (the stale check only).
    Wait,
}

impl<'a> Wire<'a> {
    pub(super) fn new(segments: Vec<Segment<'a>>, chunks: [u8; 4], write_max: u8) -> Self {
        Self {
            segments,
            next: 0,
            log: Vec::new(),
            connection: 0,
            dead: false,
            chunks,
            reads: 0,
            write_max: if write_max == 0 {
                usize::MAX
            } else {
                usize::from(write_max)
            },
            request_len: 0,
        }
    }

    /// The script of segment `i` (an empty one past the end).
    pub(super) fn segment(&self, i: usize) -> Segment<'a> {
        self.segments.get(i).copied().unwrap_or(NO_SEGMENT)
    }

    fn check_live(&self, connection: usize, what: &str) {
        assert_eq!(
            connection, self.connection,
            "{what} on a dropped connection"
        );
        assert!(
            !self.dead,
            "the client {what} on a connection that returned an error, the end of the stream or a stale byte"
        );
    }

    fn read(&mut self, connection: usize, buf: &mut [u8]) -> ReadStep {
        self.check_live(connection, "read");
        if buf.is_empty() {
            return ReadStep::Ready(Ok(0));
        }
        let chunk = match self.chunks[self.reads % self.chunks.len()] {
            0 => usize::MAX,
            c => usize::from(c),
        };
        let seen = current(&mut self.log, connection, "read");
        let seg = self
            .segments
            .get(seen.segment)
            .copied()
            .unwrap_or(NO_SEGMENT);
        let response = seg.response;
        if seg.end.is_some_and(|end| seen.delivered >= end) {
            // The client has its answer: this is the stale check (its bytes
            // are not counted as delivered: they are not the answer's).
            let (gap, result) = if seen.delivered < response.len() {
                let n = buf.len().min(response.len() - seen.delivered);
                buf[..n].copy_from_slice(&response[seen.delivered..seen.delivered + n]);
                (GapSeen::Bytes, Ok(n))
            } else {
                match seg.gap {
                    Gap::Nothing => {
                        seen.gap = Some(GapSeen::Pending);
                        return ReadStep::Wait;
                    }
                    Gap::Eof => (GapSeen::Eof, Ok(0)),
                    Gap::Stray => {
                        buf[0] = b'H';
                        (GapSeen::Bytes, Ok(1))
                    }
                    Gap::Error => (GapSeen::Error, Err(ErrorKind::ConnectionReset)),
                }
            };
            seen.gap = Some(gap);
            self.dead = true;
            return ReadStep::Ready(result);
        }
        let fail_at = match seg.fault {
            Fault::ReadError(at) => Some(at % (response.len() + 1)),
            _ => None,
        };
        if fail_at == Some(seen.delivered) {
            seen.ended = Some(Ended::ReadError);
            self.dead = true;
            return ReadStep::Ready(Err(ErrorKind::ConnectionReset));
        }
        let left = response.len() - seen.delivered;
        if left == 0 {
            seen.ended = Some(Ended::Eof);
            self.dead = true;
            return ReadStep::Ready(Ok(0));
        }
        let room = fail_at.map_or(usize::MAX, |at| at - seen.delivered);
        let n = buf.len().min(left).min(chunk).min(room);
        buf[..n].copy_from_slice(&response[seen.delivered..seen.delivered + n]);
        seen.delivered += n;
        self.reads += 1;
        ReadStep::Ready(Ok(n))
    }

    fn write(&mut self, connection: usize, buf: &[u8]) -> Result<usize, ErrorKind> {
        self.check_live(connection, "wrote");
        if buf.is_empty() {
            return Ok(0);
        }
        let previous = self.log.last().filter(|s| s.connection == connection);
        // A write after the answer was read is the next attempt.
        if previous.is_none_or(|s| s.delivered > 0 || s.ended.is_some() || s.gap.is_some()) {
            if let Some(p) = previous {
                assert_eq!(
                    p.gap,
                    Some(GapSeen::Pending),
                    "a request was written on a used connection without a stale check that found it idle"
                );
            }
            self.log.push(Seen {
                connection,
                segment: self.next,
                ..Seen::default()
            });
            self.next += 1;
        }
        let request_len = self.request_len.max(1);
        let write_max = self.write_max;
        let seen = current(&mut self.log, connection, "wrote");
        let fault = self
            .segments
            .get(seen.segment)
            .map_or(Fault::None, |s| s.fault);
        let fail_at = match fault {
            Fault::WriteError(at) | Fault::WriteZero(at) => Some(at % request_len),
            _ => None,
        };
        if fail_at == Some(seen.written.len()) {
            self.dead = true;
            return if let Fault::WriteZero(_) = fault {
                seen.ended = Some(Ended::WriteZero);
                Ok(0)
            } else {
                seen.ended = Some(Ended::WriteError);
                Err(ErrorKind::BrokenPipe)
            };
        }
        let room = fail_at.map_or(usize::MAX, |at| at.saturating_sub(seen.written.len()));
        let n = buf.len().min(write_max).min(room);
        seen.written.extend_from_slice(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self, connection: usize) -> Result<(), ErrorKind> {
        self.check_live(connection, "flushed");
        let seen = current(&mut self.log, connection, "flushed");
        let fault = self
            .segments
            .get(seen.segment)
            .map_or(Fault::None, |s| s.fault);
        if fault == Fault::FlushError {
            seen.ended = Some(Ended::FlushError);
            self.dead = true;
            return Err(ErrorKind::BrokenPipe);
        }
        seen.flushed = true;
        Ok(())
    }
}

/// The current exchange of `connection`.
fn current<'l>(log: &'l mut [Seen], connection: usize, what: &str) -> &'l mut Seen {
    match log.last_mut() {
        Some(s) if s.connection == connection => s,
        _ => panic!("the client {what} before writing a request"),
    }
}

/// One connection's client side of the wire.
pub(super) struct Transport<'a> {
    wire: Rc<RefCell<Wire<'a>>>,
    connection: usize,
}

impl<'a> Transport<'a> {
    /// Opens the next connection (the previous one is over).
    pub(super) fn connect(wire: &Rc<RefCell<Wire<'a>>>) -> Self {
        let mut w = wire.borrow_mut();
        w.connection += 1;
        w.dead = false;
        Self {
            wire: Rc::clone(wire),
            connection: w.connection,
        }
    }
}

impl ErrorType for Transport<'_> {
    type Error = ErrorKind;
}

impl Read for Transport<'_> {
    async fn read(&mut self, buf: &mut [u8]) -> Result<usize, ErrorKind> {
        let step = self.wire.borrow_mut().read(self.connection, buf);
        match step {
            ReadStep::Ready(result) => result,
            // Cancelled by the stale check's timeout.
            ReadStep::Wait => std::future::pending().await,
        }
    }
}

impl Write for Transport<'_> {
    async fn write(&mut self, buf: &[u8]) -> Result<usize, ErrorKind> {
        self.wire.borrow_mut().write(self.connection, buf)
    }

    async fn flush(&mut self) -> Result<(), ErrorKind> {
        self.wire.borrow_mut().flush(self.connection)
    }
}

/// Polls `future` with a no-op waker until it is ready, at most `polls`
/// times (`None` then): a busy-poll executor that cannot hang.
pub(super) fn block_on<F: Future>(future: F, polls: usize) -> Option<F::Output> {
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    for _ in 0..polls {
        if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return Some(out);
        }
    }
    None
}
