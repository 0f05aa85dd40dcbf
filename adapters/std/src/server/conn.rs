//! One connection, one task: reads with the deadline that applies now (idle, header or
//! request), feeds the [`Session`], writes what it answers, logs each request, and closes
//! on a timeout, the peer's end or shutdown.
//!
//! # Memory per connection
//!
//! A connection holds its task, its socket (and with TLS, rustls's state) and two small
//! vectors: the unconsumed input (shrunk to [`IDLE_KEEP`] bytes when a request is done)
//! and nothing for the output. Bytes are read into a buffer of the worker thread
//! ([`READ_CHUNK`] bytes, borrowed only inside one poll, never across an `await`) and only
//! what arrived is copied to the connection; a session writes its answer into the worker
//! thread's output buffer, written from there at once (copied out only when the socket
//! does not take it all). So an idle keep-alive connection
//! holds no request-sized buffer, and the bridge's request buffer (head and body limits)
//! is the worker thread's too (see `crate::bridge`).

use std::cell::RefCell;
use std::future::poll_fn;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::Poll;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::TcpStream;
use tokio::sync::watch;
use tokio::time::{Instant, timeout, timeout_at};

use super::handler::{Abort, Handler, Session, Step};
use super::log::{Logger, RequestLog};
use super::options::ServerOptions;

/// Bytes read from a socket at a time (one buffer per worker thread).
const READ_CHUNK: usize = 16 * 1024;
/// Input capacity a connection keeps between requests (a typical request fits, so a
/// keep-alive client's next request costs no allocation; a larger one is given back).
pub(super) const IDLE_KEEP: usize = 512;
/// Output capacity a worker thread keeps between answers.
const OUT_KEEP: usize = 64 * 1024;
/// How long closing waits for a TLS `close_notify` (or a TCP FIN) to be written.
const CLOSE_WAIT: Duration = Duration::from_millis(500);

thread_local! {
    static CHUNK: RefCell<Box<[u8]>> = RefCell::new(vec![0u8; READ_CHUNK].into_boxed_slice());
    static OUT: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// What every connection's task shares.
pub(super) struct Shared<H: Handler> {
    pub options: ServerOptions,
    pub handler: H,
    pub logger: Logger,
    pub tls: Option<tokio_rustls::TlsAcceptor>,
}

/// Serves one accepted socket (TLS handshake first when configured) until it closes.
pub(super) async fn run<H: Handler>(
    socket: TcpStream,
    peer: SocketAddr,
    shared: Arc<Shared<H>>,
    mut shutdown: watch::Receiver<bool>,
) {
    let _ = socket.set_nodelay(true);
    let mut session = shared.handler.session(peer);
    let c = Conn {
        peer,
        options: &shared.options,
        logger: &shared.logger,
    };
    match &shared.tls {
        None => {
            let _ = c.serve(socket, &mut session, &mut shutdown).await;
        }
        // Boxed: rustls's state is kilobytes, and a task's future is as large as its
        // largest state, so inline it would grow every plain connection too.
        Some(acceptor) => {
            Box::pin(async {
                // A client that never completes its handshake is an idle one.
                let deadline = Instant::now() + shared.options.idle_timeout;
                if let Ok(Ok(tls)) = timeout_at(deadline, acceptor.accept(socket)).await {
                    let _ = c.serve(tls, &mut session, &mut shutdown).await;
                }
            })
            .await;
        }
    }
}

/// One connection's fixed context.
struct Conn<'a> {
    peer: SocketAddr,
    options: &'a ServerOptions,
    logger: &'a Logger,
}

impl Conn<'_> {
    async fn serve<IO, S>(
        &self,
        mut io: IO,
        session: &mut S,
        shutdown: &mut watch::Receiver<bool>,
    ) -> io::Result<()>
    where
        IO: AsyncRead + AsyncWrite + Unpin,
        S: Session,
    {
        let options = self.options;
        let mut input: Vec<u8> = Vec::new();
        // Start of the current request (its first byte), and whether its head is complete.
        let mut request: Option<(Instant, bool)> = None;
        let mut idle_since = Instant::now();

        let result = loop {
            // Here `input` holds bytes the session has not seen (or none): after a read,
            // or after a request that left pipelined bytes.
            if !input.is_empty() {
                let started = *request.get_or_insert_with(|| (Instant::now(), false));
                let closing = *shutdown.borrow();
                // The answer is written from the worker thread's buffer at once, within this
                // poll; only what the socket does not take now is copied out for the wait.
                let (step, written) = poll_fn(|cx| {
                    Poll::Ready(OUT.with_borrow_mut(|out| {
                        out.clear();
                        let step = session.on_input(&input, closing, out);
                        let written = write_now(&mut io, out, cx);
                        if out.capacity() > OUT_KEEP {
                            *out = Vec::new();
                        }
                        (step, written)
                    }))
                })
                .await;
                let sent = match written {
                    Ok(None) => Ok(()),
                    Ok(Some(rest)) => send(&mut io, &rest, options.write_timeout).await,
                    Err(e) => Err(e),
                };
                if let Err(e) = sent {
                    break Err(e);
                }
                match step {
                    Step::NeedMore {
                        consumed,
                        head_complete,
                    } => {
                        input.drain(..consumed.min(input.len()));
                        request = Some((started.0, started.1 || head_complete));
                    }
                    Step::Done {
                        consumed,
                        keep_alive,
                        log,
                    } => {
                        input.drain(..consumed.min(input.len()));
                        if input.is_empty() && input.capacity() > IDLE_KEEP {
                            input = Vec::new();
                        }
                        // One clock read for both (it is per request).
                        let now = Instant::now();
                        self.log(log, now.saturating_duration_since(started.0));
                        request = None;
                        idle_since = now;
                        if !keep_alive || closing {
                            break Ok(());
                        }
                        continue; // a pipelined request may follow
                    }
                }
            }
            if input.len() > options.max_buffered {
                break self.abort(&mut io, session, Abort::TooLarge, request).await;
            }
            let (deadline, on_timeout) = match request {
                None => (idle_since + options.idle_timeout, None),
                Some((start, false)) => {
                    (start + options.header_timeout, Some(Abort::HeaderTimeout))
                }
                Some((start, true)) => {
                    (start + options.request_timeout, Some(Abort::RequestTimeout))
                }
            };
            let read = if request.is_none() {
                // Between requests a shutdown closes the connection at once.
                if *shutdown.borrow() {
                    break Ok(());
                }
                tokio::select! {
                    r = timeout_at(deadline, read_some(&mut io, &mut input)) => r,
                    _ = shutdown.wait_for(|s| *s) => break Ok(()),
                }
            } else {
                timeout_at(deadline, read_some(&mut io, &mut input)).await
            };
            match read {
                Err(_elapsed) => {
                    break match on_timeout {
                        Some(reason) => self.abort(&mut io, session, reason, request).await,
                        None => Ok(()), // idle timeout
                    };
                }
                Ok(Ok(n)) if n > 0 => {
                    if request.is_none() {
                        request = Some((Instant::now(), false));
                    }
                }
                // The end of the stream, or a hard error (a reset).
                Ok(end) => {
                    break match (request, end) {
                        (Some(_), _) => {
                            self.abort(&mut io, session, Abort::PeerClosed, request)
                                .await
                        }
                        (None, Err(e)) => Err(e),
                        (None, Ok(_)) => Ok(()),
                    };
                }
            }
        };
        // Send our FIN (TLS: close_notify first); the socket closes when `io` drops.
        let _ = timeout(CLOSE_WAIT, io.shutdown()).await;
        result
    }

    fn log(&self, log: RequestLog, duration: Duration) {
        let log = RequestLog {
            peer: Some(self.peer),
            ..log
        };
        self.logger.request(&log, duration);
    }

    /// Ends the request in progress: the session's last words (not to a peer that is
    /// gone), and its log line.
    async fn abort<IO: AsyncWrite + Unpin, S: Session>(
        &self,
        io: &mut IO,
        session: &mut S,
        reason: Abort,
        request: Option<(Instant, bool)>,
    ) -> io::Result<()> {
        let mut out = Vec::new();
        let log = session.on_abort(reason, &mut out);
        if !out.is_empty() && reason != Abort::PeerClosed {
            let _ = send(io, &out, self.options.write_timeout).await;
        }
        if let Some(log) = log {
            let duration = request.map_or(Duration::ZERO, |(start, _)| start.elapsed());
            self.log(log, duration);
        }
        Ok(())
    }
}

/// Reads what is there (waiting for at least one byte) into the worker thread's buffer
/// and appends it to `input`; `Ok(0)` at the end of the stream.
async fn read_some<R: AsyncRead + Unpin>(io: &mut R, input: &mut Vec<u8>) -> io::Result<usize> {
    poll_fn(|cx| {
        CHUNK.with_borrow_mut(|chunk| {
            let mut buf = ReadBuf::new(chunk);
            match Pin::new(&mut *io).poll_read(cx, &mut buf) {
                Poll::Ready(Ok(())) => {
                    let got = buf.filled();
                    input.extend_from_slice(got);
                    Poll::Ready(Ok(got.len()))
                }
                Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
                Poll::Pending => Poll::Pending,
            }
        })
    })
    .await
}

/// Writes what `io` takes of `bytes` now (no waiting): `None` when nothing is left to do,
/// or what remains to be sent (copied; with TLS, the flush of what was written) with
/// [`send`].
fn write_now<W: AsyncWrite + Unpin>(
    io: &mut W,
    bytes: &[u8],
    cx: &mut std::task::Context<'_>,
) -> io::Result<Option<Vec<u8>>> {
    if bytes.is_empty() {
        return Ok(None);
    }
    let mut done = 0;
    while let Some(rest) = bytes.get(done..).filter(|r| !r.is_empty()) {
        match Pin::new(&mut *io).poll_write(cx, rest) {
            Poll::Ready(Ok(0)) => return Err(io::ErrorKind::WriteZero.into()),
            Poll::Ready(Ok(n)) => done += n,
            Poll::Ready(Err(e)) => return Err(e),
            Poll::Pending => return Ok(Some(rest.to_vec())),
        }
    }
    match Pin::new(&mut *io).poll_flush(cx) {
        Poll::Ready(Ok(())) => Ok(None),
        Poll::Ready(Err(e)) => Err(e),
        Poll::Pending => Ok(Some(Vec::new())),
    }
}

/// Writes all of `bytes` within `limit` (a client that does not read is cut off).
pub(super) async fn send<W: AsyncWrite + Unpin>(
    io: &mut W,
    bytes: &[u8],
    limit: Duration,
) -> io::Result<()> {
    let write = async {
        io.write_all(bytes).await?;
        io.flush().await
    };
    match timeout(limit, write).await {
        Ok(r) => r,
        Err(_) => Err(io::Error::new(io::ErrorKind::TimedOut, "write timeout")),
    }
}
