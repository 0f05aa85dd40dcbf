//! The generic part of `confpart serve`: a TCP (optionally TLS) listener, a bounded pool of
//! worker threads, per-connection keep-alive with idle, header and request timeouts,
//! graceful shutdown and one log line per request. What a request *means* is a
//! caller-supplied [`Handler`]: the server only moves bytes.
//!
//! # Threads, not async
//!
//! One accept thread and `workers` worker threads, each serving one connection at a time
//! with blocking sockets. The bridge serves a handful of clients (SDKs, the demo, tests);
//! the core is sans-IO and synchronous, so a thread per in-flight connection keeps the code
//! straight-line, adds no runtime dependency (tokio would be most of the binary) and keeps
//! every timeout an explicit socket option or deadline. The cost, a worker held per open
//! connection, is bounded by the timeouts below and by the fixed worker count.
//!
//! # Capacity
//!
//! Accepted connections wait in a queue of [`ServerOptions::backlog`] entries for a free
//! worker. When `workers + backlog` connections are already open (served or queued), a new
//! connection is answered
//! with [`Handler::busy`]'s bytes (the bridge writes a `503`) and closed at once; connections
//! the accept thread has not yet accepted wait in the OS listen backlog.
//!
//! # Timeouts (a slow or silent client cannot hold a worker)
//!
//! - **idle** ([`ServerOptions::idle_timeout`], default 15 s): no byte of a next request
//!   arrived (also a new connection that sends nothing, TLS handshake included): close.
//! - **header** ([`ServerOptions::header_timeout`], default 10 s): from a request's first
//!   byte until the handler reports its head complete ([`Step::NeedMore::head_complete`]); a
//!   deadline for the whole head, so a client trickling one byte a second is cut off.
//! - **request** ([`ServerOptions::request_timeout`], default 30 s): from the first byte
//!   until the response, body included.
//!
//! Each socket read waits at most until the current deadline (and at most 100 ms while idle,
//! to notice a shutdown). On a header or request timeout the handler may write a last
//! response ([`Session::on_abort`], e.g. `408`), then the connection is closed.
//!
//! # Shutdown
//!
//! [`ShutdownHandle::shutdown`] (or SIGINT / SIGTERM through [`shutdown_on_signals`]) stops
//! the accept loop; idle connections are closed; a request in flight is finished (within its
//! timeouts) and answered with `closing = true`, so the handler adds `Connection: close`;
//! then [`Server::run`] returns once every worker has ended. A second signal exits at once.
//!
//! # Logs
//!
//! One line per request on stderr (or a [`LogSink`]): method, path, status, error code,
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
//! | `mod` | [`Server`] (listener, accept loop), [`ShutdownHandle`], [`shutdown_on_signals`] |
//! | `options` | [`ServerOptions`], the settings the accept loop, the pool and each connection read |
//! | `handler` | the protocol boundary, bytes in and bytes out: [`Handler`], [`Session`], [`Step`], [`Abort`] |
//! | `pool` | the worker threads, the queue in front of them, the busy refusal |
//! | `conn` | one connection: plain or TLS stream, deadlines, feeding the session, aborts |
//! | `tls` | [`tls_config_from_pem`], [`TlsSetupError`] |
//! | `log` | [`RequestLog`], [`LogFormat`], [`LogSink`], [`StderrLog`], [`MemoryLog`]: the request log through `tracing` |
//!
//! An event-driven server can replace `mod`'s accept loop, `pool` and `conn` and keep the
//! rest: options, sessions, TLS configuration and the request log know nothing of threads.
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
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::Duration;

mod conn;
mod handler;
mod log;
mod options;
mod pool;
mod tls;

pub use handler::{Abort, Handler, Session, Step};
pub use log::{LOG_PATH_MAX, LogFormat, LogSink, MemoryLog, RequestLog, StderrLog};
pub use options::ServerOptions;
pub use tls::{TlsSetupError, tls_config_from_pem};

use log::Logger;
use pool::{Offer, Pool};

/// Stops a running [`Server`]. Cheap to clone; usable from any thread.
#[derive(Debug, Clone)]
pub struct ShutdownHandle {
    flag: Arc<AtomicBool>,
    wake: SocketAddr,
}

impl ShutdownHandle {
    /// Stops accepting, lets requests in flight finish, then [`Server::run`] returns.
    pub fn shutdown(&self) {
        if !self.flag.swap(true, Ordering::SeqCst) {
            // Wake the accept loop with a connection of our own.
            let _ = TcpStream::connect_timeout(&self.wake, Duration::from_secs(1));
        }
    }

    /// Whether shutdown was asked for.
    pub fn is_shutting_down(&self) -> bool {
        self.flag.load(Ordering::SeqCst)
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

/// A bound, not yet running server.
pub struct Server<H: Handler> {
    listener: TcpListener,
    options: ServerOptions,
    handler: Arc<H>,
    flag: Arc<AtomicBool>,
    local: SocketAddr,
}

impl<H: Handler> fmt::Debug for Server<H> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Server")
            .field("local", &self.local)
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl<H: Handler> Server<H> {
    /// Binds the listener (`port 0` picks a free port: see [`Server::local_addr`]).
    pub fn bind(options: ServerOptions, handler: H) -> io::Result<Self> {
        let listener = TcpListener::bind(options.listen)?;
        let local = listener.local_addr()?;
        Ok(Self {
            listener,
            options,
            handler: Arc::new(handler),
            flag: Arc::new(AtomicBool::new(false)),
            local,
        })
    }

    /// The address actually bound.
    pub fn local_addr(&self) -> SocketAddr {
        self.local
    }

    /// A handle that stops [`Server::run`].
    pub fn shutdown_handle(&self) -> ShutdownHandle {
        let ip = match self.local.ip() {
            IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
            IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
            ip => ip,
        };
        ShutdownHandle {
            flag: Arc::clone(&self.flag),
            wake: SocketAddr::new(ip, self.local.port()),
        }
    }

    /// Serves until shut down; returns when every worker has finished.
    pub fn run(self) -> io::Result<()> {
        let logger = Arc::new(Logger::new(
            self.options.log_format,
            Arc::clone(&self.options.log),
        ));
        let pool = Pool::start(
            Arc::new(self.options),
            Arc::clone(&self.handler),
            Arc::clone(&self.flag),
            logger,
        )?;
        let mut result = Ok(());
        for incoming in self.listener.incoming() {
            if self.flag.load(Ordering::SeqCst) {
                break;
            }
            let socket = match incoming {
                Ok(s) => s,
                // Per-connection errors (reset before accept, out of descriptors): go on.
                Err(e) if is_transient_accept_error(&e) => {
                    thread::sleep(Duration::from_millis(10));
                    continue;
                }
                Err(e) => {
                    result = Err(e);
                    break;
                }
            };
            let peer = socket.peer_addr().unwrap_or(self.local);
            match pool.offer(socket, peer) {
                Offer::Taken => {}
                Offer::Closed => break,
            }
        }
        self.flag.store(true, Ordering::SeqCst);
        pool.join();
        result
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
