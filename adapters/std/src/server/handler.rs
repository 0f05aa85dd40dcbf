//! The protocol boundary: a [`Handler`] makes one [`Session`] per connection, and a session
//! turns input bytes into output bytes and a [`Step`]. Nothing here knows about sockets,
//! tasks or deadlines: the server drives them, the bridge (or a test's line protocol)
//! implements them.

use std::net::SocketAddr;

use super::log::RequestLog;

/// Produces one [`Session`] per connection. Shared by every connection's task.
pub trait Handler: Send + Sync + 'static {
    /// Per-connection state (the core's request reader, a `100 Continue` already sent, ...).
    type Session: Session + Send + 'static;

    /// A new connection from `peer`.
    fn session(&self, peer: SocketAddr) -> Self::Session;

    /// Bytes written to a connection refused because
    /// [`ServerOptions::max_connections`](super::ServerOptions::max_connections) are open
    /// (e.g. a `503` with `Connection: close`), and the log entry for it, if any. Default:
    /// nothing (the refusal is still counted, [`super::ServerStats::refused`]).
    fn busy(&self, out: &mut Vec<u8>) -> Option<RequestLog> {
        let _ = out;
        None
    }
}

/// One connection's protocol state: bytes in, bytes out.
pub trait Session {
    /// Called with the connection's unconsumed input (never empty): the rest of what
    /// earlier calls did not consume followed by what arrived since. It may hold several
    /// pipelined requests or part of one; it handles at most one request per call.
    ///
    /// Bytes appended to `out` are written to the peer after the call, whatever the step
    /// (so an interim `HTTP/1.1 100 Continue` can be sent with [`Step::NeedMore`]).
    /// `closing` is true when the server will close the connection after this request
    /// (shutdown): the response should say `Connection: close`.
    fn on_input(&mut self, input: &[u8], closing: bool, out: &mut Vec<u8>) -> Step;

    /// The request in progress will not complete (`reason`); `out` may receive a last
    /// response (e.g. `408`), written before the connection is closed. The returned log
    /// entry, if any, is logged. Default: nothing.
    fn on_abort(&mut self, reason: Abort, out: &mut Vec<u8>) -> Option<RequestLog> {
        let _ = (reason, out);
        None
    }
}

/// What a [`Session`] made of its input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// The request is not complete yet: wait for more bytes.
    NeedMore {
        /// Bytes of the input taken into the session's own state (the server drops them);
        /// `0` to see them again, with more, next time.
        consumed: usize,
        /// The request's head is complete: from now on the request timeout applies
        /// instead of the header timeout.
        head_complete: bool,
    },
    /// One request was answered (its response is in `out`).
    Done {
        /// Bytes of the input this request used; the rest is the next request.
        consumed: usize,
        /// Keep the connection open for another request.
        keep_alive: bool,
        /// What to log for this request.
        log: RequestLog,
    },
}

/// Why a request was abandoned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Abort {
    /// The head did not arrive within the header timeout.
    HeaderTimeout,
    /// The request did not complete within the request timeout.
    RequestTimeout,
    /// More than [`super::ServerOptions::max_buffered`] unconsumed bytes.
    TooLarge,
    /// The peer closed (or reset) the connection in the middle of a request.
    PeerClosed,
}
