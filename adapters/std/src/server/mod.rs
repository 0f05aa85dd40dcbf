//! The generic part of `confpart serve`: a TCP (optionally TLS) listener on a tokio
//! runtime, one task per connection with keep-alive, pipelining and idle, header, request
//! and write timeouts, a cap on open connections, graceful shutdown and one log line per
//! request. What a request *means* is a caller-supplied [`Handler`]: the server only moves
//! bytes, and its sessions are sans-IO (the bridge's run the core's `RequestReader` and
//! `Service`; there is no second HTTP parser here).
//!
//! # Tasks, not threads
//!
//! A multi-thread tokio runtime with [`ServerOptions::workers`] threads (default: the
//! available cores) runs the accept loop and one task per connection. A connection costs
//! its task, its socket and a few hundred bytes of input between requests: the read
//! buffer and the answer buffer belong to the worker thread and are lent to a connection
//! only while it is being served (see `conn`), so thousands of idle keep-alive phones cost
//! a few MiB. A [`Session`] runs synchronously inside its task (the core is sans-IO and
//! answers in microseconds), so a slow or silent client costs a task and never holds a
//! thread.
//!
//! # Capacity
//!
//! At most [`ServerOptions::max_connections`] connections are open (default 10 000). A
//! connection accepted past it gets [`Handler::busy`]'s bytes (the bridge writes a `503`
//! with its dialect's error body and `Connection: close`), its log line, and is closed; it is
//! counted in [`ServerStats::refused`]. Connections not yet accepted wait in the OS listen
//! backlog ([`ServerOptions::backlog`]).
//!
//! # Timeouts (a slow or silent client cannot hold anything but its task)
//!
//! - **idle** ([`ServerOptions::idle_timeout`], default 15 s): no byte of a next request
//!   arrived (also a new connection that sends nothing, TLS handshake included): close.
//! - **header** ([`ServerOptions::header_timeout`], default 10 s): from a request's first
//!   byte until the handler reports its head complete ([`Step::NeedMore::head_complete`]); a
//!   deadline for the whole head, so a client trickling one byte a second is cut off.
//! - **request** ([`ServerOptions::request_timeout`], default 30 s): from the first byte
//!   until the response, body included.
//! - **write** ([`ServerOptions::write_timeout`], default 10 s): writing one response; a
//!   client that does not read its answers is closed.
//!
//! On a header or request timeout the handler may write a last response
//! ([`Session::on_abort`], e.g. `408`), then the connection is closed.
//!
//! # Shutdown
//!
//! [`ShutdownHandle::shutdown`] (or SIGINT / SIGTERM through [`shutdown_on_signals`]) stops
//! the accept loop; idle connections are closed; a request in flight is finished (within its
//! timeouts) and answered with `closing = true`, so the handler adds `Connection: close`;
//! then [`Server::run`] returns once every connection has ended. A second signal exits at
//! once.
//!
//! # Logs
//!
//! One line per request on stderr (buffered, out within [`LOG_FLUSH_EVERY`]; or a
//! [`LogSink`]): method, path, status, error code,
//! duration, peer and sequence number, as text or JSON ([`LogFormat`]), through `tracing`
//! and `tracing-subscriber`'s formatters. The line is built from [`RequestLog`] alone,
//! which has no field for headers or bodies, so a credential cannot reach it.
//!
//! # Files
//!
//! Every item is named `confpart_std::server::Item`; the files are private.
//!
//! | file | holds |
//! |---|---|
//! | `mod` | [`Server`] (runtime, listener, accept loop, connection cap), [`ServerStats`], [`ShutdownHandle`], [`shutdown_on_signals`] |
//! | `options` | [`ServerOptions`], the settings the accept loop and each connection read |
//! | `handler` | the protocol boundary, bytes in and bytes out: [`Handler`], [`Session`], [`Step`], [`Abort`] |
//! | `conn` | one connection's task: plain or TLS stream, deadlines, feeding the session, aborts |
//! | `tls` | [`tls_config_from_pem`], [`TlsSetupError`] |
//! | `log` | [`RequestLog`], [`LogFormat`], [`LogSink`], [`StderrLog`], [`MemoryLog`]: the request log through `tracing` |
//!
//! ```no_run
//! use confpart_std::server::{Handler, RequestLog, Server, ServerOptions, Session, Step};
//!
//! /// Answers each line with the same line.
//! struct Echo;
//! struct EchoSession;
//!
//! impl Handler for Echo {
//!     type Session = EchoSession;
//!     fn session(&self, _peer: std::net::SocketAddr) -> EchoSession {
//!         EchoSession
//!     }
//! }
//!
//! impl Session for EchoSession {
//!     fn on_input(&mut self, input: &[u8], _closing: bool, out: &mut Vec<u8>) -> Step {
//!         match input.iter().position(|&b| b == b'\n') {
//!             None => Step::NeedMore { consumed: 0, head_complete: false },
//!             Some(end) => {
//!                 out.extend_from_slice(&input[..=end]);
//!                 Step::Done { consumed: end + 1, keep_alive: true, log: RequestLog::new("ECHO", "/", 200) }
//!             }
//!         }
//!     }
//! }
//!
//! let server = Server::bind(ServerOptions::new("127.0.0.1:0".parse()?), Echo)?;
//! println!("listening on {}", server.local_addr());
//! server.run()?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::thread;
use std::time::Duration;

use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::runtime::Runtime;
use tokio::sync::{mpsc, watch};

mod conn;
mod handler;
mod log;
mod options;
mod tls;

pub use handler::{Abort, Handler, Session, Step};
pub use log::{
    LOG_FLUSH_EVERY, LOG_PATH_MAX, LogFormat, LogSink, MemoryLog, RequestLog, STDERR_BATCH,
    StderrLog,
};
pub use options::ServerOptions;
pub use tls::{TlsSetupError, tls_config_from_pem};

use log::Logger;

/// Refusals being written at once; past it a refused connection is closed unanswered
/// (still counted), so a flood of connections cannot grow the refusals' tasks.
const MAX_REFUSING: usize = 1024;
/// How long a refusal may take (TLS handshake and the busy bytes).
const REFUSE_WITHIN: Duration = Duration::from_secs(1);

/// Stops a running [`Server`]. Cheap to clone; usable from any thread.
#[derive(Debug, Clone)]
pub struct ShutdownHandle {
    flag: Arc<watch::Sender<bool>>,
}

impl ShutdownHandle {
    /// Stops accepting, lets requests in flight finish, then [`Server::run`] returns.
    pub fn shutdown(&self) {
        self.flag.send_replace(true);
    }

    /// Whether shutdown was asked for.
    pub fn is_shutting_down(&self) -> bool {
        *self.flag.borrow()
    }
}

/// What a server has done so far, read while it runs ([`Server::stats`]).
#[derive(Debug, Default)]
pub struct ServerStats {
    open: AtomicUsize,
    accepted: AtomicU64,
    refused: AtomicU64,
    refusing: AtomicUsize,
}

impl ServerStats {
    /// Connections open now (accepted and not yet closed; refusals not included).
    pub fn open(&self) -> usize {
        self.open.load(Ordering::SeqCst)
    }

    /// Connections accepted and served since the start.
    pub fn accepted(&self) -> u64 {
        self.accepted.load(Ordering::SeqCst)
    }

    /// Connections refused because [`ServerOptions::max_connections`] were open.
    pub fn refused(&self) -> u64 {
        self.refused.load(Ordering::SeqCst)
    }
}

/// Calls [`ShutdownHandle::shutdown`] on the first SIGINT or SIGTERM (from a thread of its
/// own, so the handler may do anything); a second one exits the process at once with
/// status 130. Unix only: elsewhere the process ends on the platform's default.
///
/// Why `signal-hook`: it registers exactly SIGINT and SIGTERM (ctrlc's `termination`
/// feature adds SIGHUP, and only one handler can ever be set), its iterator delivers
/// signals to an ordinary thread, and it needs no `unsafe` here.
#[cfg(unix)]
pub fn shutdown_on_signals(handle: ShutdownHandle) -> io::Result<()> {
    use signal_hook::consts::{SIGINT, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGINT, SIGTERM])?;
    thread::Builder::new()
        .name("confpart-signals".to_owned())
        .spawn(move || {
            let mut seen = 0;
            for _ in signals.forever() {
                seen += 1;
                if seen == 1 {
                    handle.shutdown();
                } else {
                    std::process::exit(130);
                }
            }
        })?;
    Ok(())
}

/// Does nothing off Unix (see the Unix version).
#[cfg(not(unix))]
pub fn shutdown_on_signals(handle: ShutdownHandle) -> io::Result<()> {
    let _ = handle;
    Ok(())
}

/// A bound, not yet running server: its runtime (the worker threads are started) and
/// its listener.
pub struct Server<H: Handler> {
    runtime: Runtime,
    listener: TcpListener,
    shared: Arc<conn::Shared<H>>,
    flag: Arc<watch::Sender<bool>>,
    stats: Arc<ServerStats>,
    local: SocketAddr,
}

impl<H: Handler> fmt::Debug for Server<H> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Server")
            .field("local", &self.local)
            .field("options", &self.shared.options)
            .finish_non_exhaustive()
    }
}

impl<H: Handler> Server<H> {
    /// Starts the runtime and binds the listener (`port 0` picks a free port: see
    /// [`Server::local_addr`]).
    pub fn bind(options: ServerOptions, handler: H) -> io::Result<Self> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(options.workers.max(1))
            .thread_name("confpart-worker")
            .enable_io()
            .enable_time()
            .build()?;
        let listener = {
            let _entered = runtime.enter();
            let socket = match options.listen {
                SocketAddr::V4(_) => TcpSocket::new_v4()?,
                SocketAddr::V6(_) => TcpSocket::new_v6()?,
            };
            socket.set_reuseaddr(true)?;
            socket.bind(options.listen)?;
            socket.listen(options.backlog.max(1))?
        };
        let local = listener.local_addr()?;
        let logger = Logger::new(options.log_format, Arc::clone(&options.log));
        let tls = options
            .tls
            .as_ref()
            .map(|c| tokio_rustls::TlsAcceptor::from(Arc::clone(c)));
        Ok(Self {
            runtime,
            listener,
            shared: Arc::new(conn::Shared {
                options,
                handler,
                logger,
                tls,
            }),
            flag: Arc::new(watch::Sender::new(false)),
            stats: Arc::new(ServerStats::default()),
            local,
        })
    }

    /// The address actually bound.
    pub fn local_addr(&self) -> SocketAddr {
        self.local
    }

    /// A handle that stops [`Server::run`].
    pub fn shutdown_handle(&self) -> ShutdownHandle {
        ShutdownHandle {
            flag: Arc::clone(&self.flag),
        }
    }

    /// The server's counters (open, accepted, refused connections), live.
    pub fn stats(&self) -> Arc<ServerStats> {
        Arc::clone(&self.stats)
    }

    /// Serves until shut down; returns when every connection has ended.
    pub fn run(self) -> io::Result<()> {
        let Self {
            runtime,
            listener,
            shared,
            flag,
            stats,
            ..
        } = self;
        runtime.block_on(accept_loop(listener, shared, flag, stats))
    }
}

/// Held by each connection's task: counts it open until it ends, and keeps the
/// accept loop's "all done" channel open.
struct Open {
    stats: Arc<ServerStats>,
    _done: mpsc::Sender<()>,
}

impl Drop for Open {
    fn drop(&mut self) {
        self.stats.open.fetch_sub(1, Ordering::SeqCst);
    }
}

async fn accept_loop<H: Handler>(
    listener: TcpListener,
    shared: Arc<conn::Shared<H>>,
    flag: Arc<watch::Sender<bool>>,
    stats: Arc<ServerStats>,
) -> io::Result<()> {
    let mut shutdown = flag.subscribe();
    // Every connection holds a sender; `recv` ends once the last one is dropped.
    let (done, mut all_done) = mpsc::channel::<()>(1);
    // A buffering log sink's lines go out while the server is quiet too.
    let flusher = {
        let shared = Arc::clone(&shared);
        tokio::spawn(async move {
            let mut every = tokio::time::interval(LOG_FLUSH_EVERY);
            loop {
                every.tick().await;
                shared.logger.flush();
            }
        })
    };
    let result = loop {
        let accepted = tokio::select! {
            biased;
            _ = shutdown.wait_for(|s| *s) => break Ok(()),
            a = listener.accept() => a,
        };
        let (socket, peer) = match accepted {
            Ok(a) => a,
            // Per-connection errors (reset before accept, out of descriptors): go on.
            Err(e) if is_transient_accept_error(&e) => {
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            }
            Err(e) => break Err(e),
        };
        if stats.open.load(Ordering::SeqCst) >= shared.options.max_connections {
            refuse(socket, peer, &shared, &stats);
            continue;
        }
        stats.open.fetch_add(1, Ordering::SeqCst);
        stats.accepted.fetch_add(1, Ordering::SeqCst);
        let open = Open {
            stats: Arc::clone(&stats),
            _done: done.clone(),
        };
        let (shared, shutdown) = (Arc::clone(&shared), shutdown.clone());
        tokio::spawn(async move {
            let _open = open;
            conn::run(socket, peer, shared, shutdown).await;
        });
    };
    drop(listener);
    drop(done);
    let _ = all_done.recv().await;
    flusher.abort();
    shared.logger.flush();
    result
}

/// Answers a connection past the cap with the handler's busy bytes (TLS: after the
/// handshake), logs and counts it, and closes it; in a task of its own, bounded by
/// [`REFUSE_WITHIN`] and [`MAX_REFUSING`].
fn refuse<H: Handler>(
    socket: TcpStream,
    peer: SocketAddr,
    shared: &Arc<conn::Shared<H>>,
    stats: &Arc<ServerStats>,
) {
    stats.refused.fetch_add(1, Ordering::SeqCst);
    let mut out = Vec::new();
    if let Some(log) = shared.handler.busy(&mut out) {
        let log = RequestLog {
            peer: Some(peer),
            ..log
        };
        shared.logger.request(&log, Duration::ZERO);
    }
    if out.is_empty() || stats.refusing.load(Ordering::SeqCst) >= MAX_REFUSING {
        return; // closed as it drops
    }
    stats.refusing.fetch_add(1, Ordering::SeqCst);
    let (shared, stats) = (Arc::clone(shared), Arc::clone(stats));
    tokio::spawn(async move {
        let answer = async {
            match &shared.tls {
                None => say_and_close(socket, &out).await,
                Some(acceptor) => {
                    if let Ok(tls) = acceptor.accept(socket).await {
                        say_and_close(tls, &out).await;
                    }
                }
            }
        };
        let _ = tokio::time::timeout(REFUSE_WITHIN, answer).await;
        stats.refusing.fetch_sub(1, Ordering::SeqCst);
    });
}

/// Writes `out`, ends our side, and reads (discarding) until the peer closes, so the
/// answer is not lost to a reset caused by its unread request.
async fn say_and_close<IO>(mut io: IO, out: &[u8])
where
    IO: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    if conn::send(&mut io, out, REFUSE_WITHIN).await.is_err() {
        return;
    }
    let _ = io.shutdown().await;
    let mut sink = [0u8; 256];
    while let Ok(n) = io.read(&mut sink).await {
        if n == 0 {
            break;
        }
    }
}

fn is_transient_accept_error(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::Interrupted
            | io::ErrorKind::WouldBlock
    ) || e
        .raw_os_error()
        .is_some_and(|code| code == 23 || code == 24) // ENFILE, EMFILE
}

#[cfg(test)]
mod tests;
