//! One connection, served by one worker thread with a blocking socket: reads with the
//! deadline that applies now (idle, header or request), feeds the [`Session`], writes what
//! it answers, logs each request, and closes on a timeout, the peer's end or shutdown.

use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use rustls::{ServerConnection, StreamOwned};

use super::handler::{Abort, Session, Step};
use super::log::{Logger, RequestLog};
use super::options::ServerOptions;

/// How long an idle read waits before looking at the shutdown flag again.
const IDLE_POLL: Duration = Duration::from_millis(100);
/// Bytes read from a socket at a time.
const READ_CHUNK: usize = 8 * 1024;

/// A server-side plain or TLS stream.
enum Conn {
    Plain(TcpStream),
    Tls(Box<StreamOwned<ServerConnection, TcpStream>>),
}

impl Conn {
    fn socket(&self) -> &TcpStream {
        match self {
            Conn::Plain(s) => s,
            Conn::Tls(s) => &s.sock,
        }
    }

    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Conn::Plain(s) => s.read(buf),
            Conn::Tls(s) => s.read(buf),
        }
    }

    fn send(&mut self, bytes: &[u8]) -> io::Result<()> {
        match self {
            Conn::Plain(s) => s.write_all(bytes).and_then(|()| s.flush()),
            Conn::Tls(s) => s.write_all(bytes).and_then(|()| s.flush()),
        }
    }

    fn close(mut self) {
        if let Conn::Tls(s) = &mut self {
            s.conn.send_close_notify();
            let _ = s.flush();
        }
        let _ = self.socket().shutdown(Shutdown::Both);
    }
}

/// Serves one connection until it closes, times out, or the server shuts down.
pub(super) fn serve<S: Session>(
    socket: TcpStream,
    peer: SocketAddr,
    options: &ServerOptions,
    session: &mut S,
    flag: &AtomicBool,
    logger: &Logger,
) -> io::Result<()> {
    socket.set_nodelay(true)?;
    socket.set_write_timeout(Some(options.write_timeout))?;
    let mut conn = match &options.tls {
        None => Conn::Plain(socket),
        Some(tls) => {
            let tls = ServerConnection::new(Arc::clone(tls)).map_err(io::Error::other)?;
            Conn::Tls(Box::new(StreamOwned::new(tls, socket)))
        }
    };
    let mut input: Vec<u8> = Vec::new();
    let mut out: Vec<u8> = Vec::new();
    let mut chunk = vec![0u8; READ_CHUNK];
    // Start of the current request (its first byte), and whether its head is complete.
    let mut request: Option<(Instant, bool)> = None;
    let mut idle_since = Instant::now();
    let mut fresh = false; // input holds bytes the session has not seen

    let result = loop {
        if fresh && !input.is_empty() {
            fresh = false;
            let started = *request.get_or_insert((Instant::now(), false));
            let closing = flag.load(Ordering::SeqCst);
            let step = session.on_input(&input, closing, &mut out);
            if !out.is_empty() {
                if let Err(e) = conn.send(&out) {
                    break Err(e);
                }
                out.clear();
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
                    let log = RequestLog {
                        peer: Some(peer),
                        ..log
                    };
                    logger.request(&log, started.0.elapsed());
                    request = None;
                    idle_since = Instant::now();
                    if !keep_alive || closing {
                        break Ok(());
                    }
                    fresh = true; // a pipelined request may follow
                    continue;
                }
            }
        }
        if input.len() > options.max_buffered {
            break abort(&mut conn, session, Abort::TooLarge, request, peer, logger);
        }
        // Wait for more bytes, at most until the deadline that applies now.
        let now = Instant::now();
        let (deadline, on_timeout) = match request {
            None => (idle_since + options.idle_timeout, None),
            Some((start, false)) => (start + options.header_timeout, Some(Abort::HeaderTimeout)),
            Some((start, true)) => (start + options.request_timeout, Some(Abort::RequestTimeout)),
        };
        if request.is_none() && flag.load(Ordering::SeqCst) && now > idle_since + IDLE_POLL {
            break Ok(()); // shutting down: close an idle connection
        }
        let Some(left) = deadline
            .checked_duration_since(now)
            .filter(|d| !d.is_zero())
        else {
            break match on_timeout {
                Some(reason) => abort(&mut conn, session, reason, request, peer, logger),
                None => Ok(()), // idle timeout
            };
        };
        let wait = if request.is_none() {
            left.min(IDLE_POLL)
        } else {
            left
        };
        if let Err(e) = conn.socket().set_read_timeout(Some(wait)) {
            break Err(e);
        }
        match conn.read(&mut chunk) {
            Ok(n) if n > 0 => {
                input.extend_from_slice(chunk.get(..n).unwrap_or_default());
                if request.is_none() {
                    request = Some((Instant::now(), false));
                }
                fresh = true;
            }
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock
                        | io::ErrorKind::TimedOut
                        | io::ErrorKind::Interrupted
                ) => {}
            // The end of the stream, or a hard error (a reset).
            end => {
                break match (request, end) {
                    (Some(_), _) => {
                        abort(&mut conn, session, Abort::PeerClosed, request, peer, logger)
                    }
                    (None, Err(e)) => Err(e),
                    (None, Ok(_)) => Ok(()),
                };
            }
        }
    };
    conn.close();
    result
}

/// Ends the request in progress: the session's last words (not to a peer that is gone),
/// and its log line.
fn abort<S: Session>(
    conn: &mut Conn,
    session: &mut S,
    reason: Abort,
    request: Option<(Instant, bool)>,
    peer: SocketAddr,
    logger: &Logger,
) -> io::Result<()> {
    let mut out = Vec::new();
    let log = session.on_abort(reason, &mut out);
    if !out.is_empty() && reason != Abort::PeerClosed {
        let _ = conn.send(&out);
    }
    if let Some(log) = log {
        let log = RequestLog {
            peer: Some(peer),
            ..log
        };
        let duration = request.map_or(Duration::ZERO, |(start, _)| start.elapsed());
        logger.request(&log, duration);
    }
    Ok(())
}
