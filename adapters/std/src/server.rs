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
//! duration, as text or JSON ([`LogFormat`]). The line is built from [`RequestLog`] alone,
//! which has no field for headers or bodies, so a credential cannot reach it.
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

use std::fmt::{self, Write as _};
use std::io::{self, Read, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, TrySendError};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::{ServerConnection, StreamOwned};

/// How long an idle read waits before looking at the shutdown flag again.
const IDLE_POLL: Duration = Duration::from_millis(100);
/// Bytes read from a socket at a time.
const READ_CHUNK: usize = 8 * 1024;

/// Produces one [`Session`] per connection. Shared by every worker thread.
pub trait Handler: Send + Sync + 'static {
    /// Per-connection state (the core's request reader, a `100 Continue` already sent, ...).
    type Session: Session;

    /// A new connection from `peer`.
    fn session(&self, peer: SocketAddr) -> Self::Session;

    /// Bytes written to a connection refused because every worker is busy and the queue
    /// is full (e.g. a `503` with `Connection: close`). Default: nothing.
    fn busy(&self, out: &mut Vec<u8>) {
        let _ = out;
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
    /// More than [`ServerOptions::max_buffered`] unconsumed bytes.
    TooLarge,
    /// The peer closed (or reset) the connection in the middle of a request.
    PeerClosed,
}

/// One request as logged. Holds no header or body: nothing secret can be logged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestLog {
    /// The request method (`-` when unknown).
    pub method: String,
    /// The request target, path and query (`-` when unknown).
    pub path: String,
    /// The response status.
    pub status: u16,
    /// The error code of an error response (`20404`, `16027`, ...).
    pub code: Option<u32>,
    /// The client's address (set by the server).
    pub peer: Option<SocketAddr>,
    /// The order in which the handler processed the request, when it has one (the bridge
    /// counts every request that reaches its service, from 1, under the lock that
    /// serializes them). Lines are written after each answer is sent, so their order
    /// can differ from the order in which the state changed; `seq` gives the latter.
    pub seq: Option<u64>,
}

impl RequestLog {
    /// A log entry without an error code.
    pub fn new(method: impl Into<String>, path: impl Into<String>, status: u16) -> Self {
        Self {
            method: method.into(),
            path: path.into(),
            status,
            code: None,
            peer: None,
            seq: None,
        }
    }

    /// Adds an error code.
    pub fn with_code(mut self, code: u32) -> Self {
        self.code = Some(code);
        self
    }

    /// Adds the handler's sequence number ([`RequestLog::seq`]).
    pub fn with_seq(mut self, seq: u64) -> Self {
        self.seq = Some(seq);
        self
    }
}

/// `--log-format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum LogFormat {
    /// `POST /2010-04-01/... 400 16027 1.234ms peer=127.0.0.1:50312 seq=17` (`peer=` and
    /// `seq=` only when known)
    #[default]
    Text,
    /// `{"method":"POST","path":"/2010-04-01/...","status":400,"code":16027,"duration_ms":1.234,"peer":"127.0.0.1:50312","seq":17}`
    /// (`peer` and `seq` only when known)
    Json,
}

/// Longest path written to a log line (longer ones end with `...`).
pub const LOG_PATH_MAX: usize = 512;

impl LogFormat {
    /// The log line for `entry` (no trailing newline). Control characters and non-ASCII
    /// bytes of the path are escaped, so a line is always one line.
    ///
    /// ```
    /// use std::time::Duration;
    /// use confpart_std::server::{LogFormat, RequestLog};
    /// let entry = RequestLog::new("POST", "/x", 400).with_code(16027);
    /// let d = Duration::from_micros(1500);
    /// assert_eq!(LogFormat::Text.line(&entry, d), "POST /x 400 16027 1.500ms");
    /// assert_eq!(
    ///     LogFormat::Json.line(&entry, d),
    ///     r#"{"method":"POST","path":"/x","status":400,"code":16027,"duration_ms":1.500}"#
    /// );
    /// let mut entry = entry.with_seq(17);
    /// entry.peer = Some(([127, 0, 0, 1], 50312).into());
    /// assert_eq!(
    ///     LogFormat::Text.line(&entry, d),
    ///     "POST /x 400 16027 1.500ms peer=127.0.0.1:50312 seq=17"
    /// );
    /// assert_eq!(
    ///     LogFormat::Json.line(&entry, d),
    ///     r#"{"method":"POST","path":"/x","status":400,"code":16027,"duration_ms":1.500,"peer":"127.0.0.1:50312","seq":17}"#
    /// );
    /// ```
    pub fn line(self, entry: &RequestLog, duration: Duration) -> String {
        let ms = duration.as_secs_f64() * 1000.0;
        let mut line = String::new();
        match self {
            LogFormat::Text => {
                let code = entry.code.map_or_else(|| "-".to_owned(), |c| c.to_string());
                let _ = write!(
                    line,
                    "{} {} {} {code} {ms:.3}ms",
                    printable(&entry.method, 16, false),
                    printable(&entry.path, LOG_PATH_MAX, false),
                    entry.status
                );
                if let Some(peer) = entry.peer {
                    let _ = write!(line, " peer={peer}");
                }
                if let Some(seq) = entry.seq {
                    let _ = write!(line, " seq={seq}");
                }
            }
            LogFormat::Json => {
                let code = entry
                    .code
                    .map_or_else(|| "null".to_owned(), |c| c.to_string());
                let _ = write!(
                    line,
                    r#"{{"method":"{}","path":"{}","status":{},"code":{code},"duration_ms":{ms:.3}"#,
                    printable(&entry.method, 16, true),
                    printable(&entry.path, LOG_PATH_MAX, true),
                    entry.status
                );
                if let Some(peer) = entry.peer {
                    let _ = write!(line, r#","peer":"{peer}""#);
                }
                if let Some(seq) = entry.seq {
                    let _ = write!(line, r#","seq":{seq}"#);
                }
                line.push('}');
            }
        }
        line
    }
}

/// `s` cut to `max` bytes, with control characters, non-ASCII, spaces (text) and `"`/`\`
/// (JSON) escaped.
fn printable(s: &str, max: usize, json: bool) -> String {
    let mut out = String::new();
    for (i, b) in s.bytes().enumerate() {
        if i >= max {
            out.push_str("...");
            break;
        }
        match b {
            b'"' | b'\\' if json => {
                out.push('\\');
                out.push(char::from(b));
            }
            b' ' if !json => out.push_str("%20"),
            0x21..=0x7e | b' ' => out.push(char::from(b)),
            _ if json => {
                let _ = write!(out, "\\u{b:04x}");
            }
            _ => {
                let _ = write!(out, "\\x{b:02x}");
            }
        }
    }
    if out.is_empty() { "-".to_owned() } else { out }
}

/// Where log lines go.
pub trait LogSink: Send + Sync {
    /// Writes one line (without its newline).
    fn line(&self, line: &str);
}

/// Log lines to stderr.
#[derive(Debug, Clone, Copy, Default)]
pub struct StderrLog;

impl LogSink for StderrLog {
    fn line(&self, line: &str) {
        let mut err = io::stderr().lock();
        let _ = writeln!(err, "{line}");
    }
}

/// Log lines kept in memory (tests).
#[derive(Debug, Default)]
pub struct MemoryLog(Mutex<Vec<String>>);

impl MemoryLog {
    /// The lines so far.
    pub fn lines(&self) -> Vec<String> {
        self.0.lock().map(|l| l.clone()).unwrap_or_default()
    }
}

impl LogSink for MemoryLog {
    fn line(&self, line: &str) {
        if let Ok(mut l) = self.0.lock() {
            l.push(line.to_owned());
        }
    }
}

/// Server settings. [`ServerOptions::new`] gives the documented defaults.
#[derive(Clone)]
pub struct ServerOptions {
    /// Address to listen on.
    pub listen: SocketAddr,
    /// Worker threads: connections served at once (default 8).
    pub workers: usize,
    /// Accepted connections waiting for a worker (default 32).
    pub backlog: usize,
    /// See the module docs (default 15 s).
    pub idle_timeout: Duration,
    /// See the module docs (default 10 s).
    pub header_timeout: Duration,
    /// See the module docs (default 30 s).
    pub request_timeout: Duration,
    /// One socket write (default 10 s).
    pub write_timeout: Duration,
    /// Unconsumed input held per connection before [`Abort::TooLarge`] (default 1 MiB;
    /// the core's own limits are much smaller).
    pub max_buffered: usize,
    /// TLS (`--tls-cert`, `--tls-key`); plain TCP when `None`.
    pub tls: Option<Arc<rustls::ServerConfig>>,
    /// Log line format.
    pub log_format: LogFormat,
    /// Where log lines go (default stderr).
    pub log: Arc<dyn LogSink>,
}

impl ServerOptions {
    /// Defaults, listening on `listen`.
    pub fn new(listen: SocketAddr) -> Self {
        Self {
            listen,
            workers: 8,
            backlog: 32,
            idle_timeout: Duration::from_secs(15),
            header_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            write_timeout: Duration::from_secs(10),
            max_buffered: 1024 * 1024,
            tls: None,
            log_format: LogFormat::Text,
            log: Arc::new(StderrLog),
        }
    }
}

impl fmt::Debug for ServerOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServerOptions")
            .field("listen", &self.listen)
            .field("workers", &self.workers)
            .field("backlog", &self.backlog)
            .field("idle_timeout", &self.idle_timeout)
            .field("header_timeout", &self.header_timeout)
            .field("request_timeout", &self.request_timeout)
            .field("write_timeout", &self.write_timeout)
            .field("max_buffered", &self.max_buffered)
            .field("tls", &self.tls.is_some())
            .field("log_format", &self.log_format)
            .finish_non_exhaustive()
    }
}

/// A TLS server configuration (ring provider) from a PEM certificate chain and a PEM
/// private key (PKCS#8, PKCS#1 or SEC1).
pub fn tls_config_from_pem(
    cert_pem: &[u8],
    key_pem: &[u8],
) -> Result<Arc<rustls::ServerConfig>, TlsSetupError> {
    let certs = CertificateDer::pem_slice_iter(cert_pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| TlsSetupError::Certificate(e.to_string()))?;
    if certs.is_empty() {
        return Err(TlsSetupError::Certificate(
            "no CERTIFICATE block".to_owned(),
        ));
    }
    let key =
        PrivateKeyDer::from_pem_slice(key_pem).map_err(|e| TlsSetupError::Key(e.to_string()))?;
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(TlsSetupError::Rustls)?
    .with_no_client_auth()
    .with_single_cert(certs, key)
    .map_err(TlsSetupError::Rustls)?;
    Ok(Arc::new(config))
}

/// Why TLS could not be set up from the PEM files.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum TlsSetupError {
    /// The certificate file holds no usable certificate.
    Certificate(String),
    /// The key file holds no usable private key (its content is never shown).
    Key(String),
    /// rustls refused the pair (e.g. the key does not match).
    Rustls(rustls::Error),
}

impl fmt::Display for TlsSetupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TlsSetupError::Certificate(e) => write!(f, "--tls-cert: {e}"),
            TlsSetupError::Key(e) => write!(f, "--tls-key: {e}"),
            TlsSetupError::Rustls(e) => write!(f, "TLS setup: {e}"),
        }
    }
}

impl std::error::Error for TlsSetupError {}

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
        let workers = self.options.workers.max(1);
        let limit = workers.saturating_add(self.options.backlog);
        // Connections accepted and not yet finished (queued or being served).
        let outstanding = Arc::new(AtomicUsize::new(0));
        let (tx, rx) = mpsc::sync_channel::<(TcpStream, SocketAddr)>(limit);
        let rx = Arc::new(Mutex::new(rx));
        let options = Arc::new(self.options);
        let mut threads = Vec::with_capacity(workers);
        for i in 0..workers {
            let (rx, options, handler, flag, outstanding) = (
                Arc::clone(&rx),
                Arc::clone(&options),
                Arc::clone(&self.handler),
                Arc::clone(&self.flag),
                Arc::clone(&outstanding),
            );
            threads.push(
                thread::Builder::new()
                    .name(format!("confpart-worker-{i}"))
                    .spawn(move || worker(&rx, &options, &*handler, &flag, &outstanding))?,
            );
        }
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
            if outstanding.load(Ordering::SeqCst) >= limit {
                refuse(socket, &*self.handler, options.write_timeout);
                continue;
            }
            outstanding.fetch_add(1, Ordering::SeqCst);
            match tx.try_send((socket, peer)) {
                Ok(()) => {}
                Err(TrySendError::Full((socket, _))) => {
                    outstanding.fetch_sub(1, Ordering::SeqCst);
                    refuse(socket, &*self.handler, options.write_timeout);
                }
                Err(TrySendError::Disconnected(_)) => break,
            }
        }
        self.flag.store(true, Ordering::SeqCst);
        drop(tx);
        for t in threads {
            let _ = t.join();
        }
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

fn refuse<H: Handler>(mut socket: TcpStream, handler: &H, write_timeout: Duration) {
    let mut out = Vec::new();
    handler.busy(&mut out);
    if !out.is_empty() {
        let _ = socket.set_write_timeout(Some(write_timeout.min(Duration::from_secs(1))));
        let _ = socket.write_all(&out);
    }
    let _ = socket.shutdown(Shutdown::Both);
}

fn worker<H: Handler>(
    rx: &Mutex<Receiver<(TcpStream, SocketAddr)>>,
    options: &ServerOptions,
    handler: &H,
    flag: &AtomicBool,
    outstanding: &AtomicUsize,
) {
    loop {
        let next = match rx.lock() {
            Ok(rx) => rx.recv(),
            Err(_) => return,
        };
        let Ok((socket, peer)) = next else { return };
        let mut session = handler.session(peer);
        let _ = serve(socket, peer, options, &mut session, flag);
        outstanding.fetch_sub(1, Ordering::SeqCst);
    }
}

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
fn serve<S: Session>(
    socket: TcpStream,
    peer: SocketAddr,
    options: &ServerOptions,
    session: &mut S,
    flag: &AtomicBool,
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
                    options
                        .log
                        .line(&options.log_format.line(&log, started.0.elapsed()));
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
            break abort(&mut conn, session, Abort::TooLarge, options, request, peer);
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
                Some(reason) => abort(&mut conn, session, reason, options, request, peer),
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
                    (Some(_), _) => abort(
                        &mut conn,
                        session,
                        Abort::PeerClosed,
                        options,
                        request,
                        peer,
                    ),
                    (None, Err(e)) => Err(e),
                    (None, Ok(_)) => Ok(()),
                };
            }
        }
    };
    conn.close();
    result
}

fn abort<S: Session>(
    conn: &mut Conn,
    session: &mut S,
    reason: Abort,
    options: &ServerOptions,
    request: Option<(Instant, bool)>,
    peer: SocketAddr,
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
        options.log.line(&options.log_format.line(&log, duration));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::panic
    )]
    use super::*;
    use crate::config::{BaseUrl, Scheme};
    use crate::testutil::TestCert;
    use crate::transport::{Connection, TransportConfig, Trust};
    use std::io::{BufRead, BufReader};
    use std::sync::mpsc::RecvTimeoutError;

    /// A line protocol: each `\n`-terminated line is a request, answered `echo:<line>`.
    /// `close` answers and closes; `sleep` answers after 400 ms; a line starting with `E`
    /// gets `continue\n` as soon as the `E` is seen (like `100 Continue`).
    struct Echo;

    struct EchoSession {
        continued: bool,
    }

    impl Handler for Echo {
        type Session = EchoSession;
        fn session(&self, _peer: SocketAddr) -> EchoSession {
            EchoSession { continued: false }
        }
        fn busy(&self, out: &mut Vec<u8>) {
            out.extend_from_slice(b"busy\n");
        }
    }

    impl Session for EchoSession {
        fn on_input(&mut self, input: &[u8], closing: bool, out: &mut Vec<u8>) -> Step {
            let Some(end) = input.iter().position(|&b| b == b'\n') else {
                if input.first() == Some(&b'E') && !self.continued {
                    self.continued = true;
                    out.extend_from_slice(b"continue\n");
                }
                return Step::NeedMore {
                    consumed: 0,
                    head_complete: false,
                };
            };
            self.continued = false;
            let line = String::from_utf8_lossy(&input[..end]).into_owned();
            if line == "sleep" {
                thread::sleep(Duration::from_millis(400));
            }
            let _ = writeln!(
                out,
                "echo:{line}{}",
                if closing { " (closing)" } else { "" }
            );
            Step::Done {
                consumed: end + 1,
                keep_alive: line != "close",
                log: RequestLog::new("LINE", format!("/{line}"), 200),
            }
        }

        fn on_abort(&mut self, reason: Abort, out: &mut Vec<u8>) -> Option<RequestLog> {
            out.extend_from_slice(b"timeout\n");
            Some(RequestLog::new("-", "-", 408).with_code(match reason {
                Abort::HeaderTimeout => 1,
                Abort::RequestTimeout => 2,
                Abort::TooLarge => 3,
                Abort::PeerClosed => 4,
            }))
        }
    }

    struct Running {
        addr: SocketAddr,
        handle: ShutdownHandle,
        log: Arc<MemoryLog>,
        done: mpsc::Receiver<io::Result<()>>,
    }

    impl Running {
        fn stop(self) -> Arc<MemoryLog> {
            self.handle.shutdown();
            match self.done.recv_timeout(Duration::from_secs(10)) {
                Ok(r) => r.unwrap(),
                Err(RecvTimeoutError::Timeout) => panic!("server did not stop"),
                Err(e) => panic!("{e}"),
            }
            self.log
        }
    }

    fn start(configure: impl FnOnce(&mut ServerOptions)) -> Running {
        let log = Arc::new(MemoryLog::default());
        let mut options = ServerOptions::new("127.0.0.1:0".parse().unwrap());
        options.log = log.clone();
        options.workers = 2;
        configure(&mut options);
        let server = Server::bind(options, Echo).unwrap();
        let addr = server.local_addr();
        let handle = server.shutdown_handle();
        let (tx, done) = mpsc::channel();
        thread::spawn(move || tx.send(server.run()));
        Running {
            addr,
            handle,
            log,
            done,
        }
    }

    fn client(addr: SocketAddr) -> (TcpStream, BufReader<TcpStream>) {
        let s = TcpStream::connect(addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let r = BufReader::new(s.try_clone().unwrap());
        (s, r)
    }

    fn line(r: &mut BufReader<TcpStream>) -> String {
        let mut l = String::new();
        r.read_line(&mut l).unwrap();
        l
    }

    #[test]
    fn keep_alive_and_pipelining() {
        let srv = start(|_| {});
        let (mut s, mut r) = client(srv.addr);
        s.write_all(b"one\n").unwrap();
        assert_eq!(line(&mut r), "echo:one\n");
        s.write_all(b"two\nthree\n").unwrap(); // pipelined
        assert_eq!(line(&mut r), "echo:two\n");
        assert_eq!(line(&mut r), "echo:three\n");
        s.write_all(b"close\n").unwrap();
        assert_eq!(line(&mut r), "echo:close\n");
        assert_eq!(line(&mut r), ""); // closed by the server
        let log = srv.stop();
        let lines = log.lines();
        assert_eq!(lines.len(), 4);
        assert!(lines[0].starts_with("LINE /one 200 - "), "{}", lines[0]);
    }

    #[test]
    fn interim_output_is_flushed_before_the_request_completes() {
        let srv = start(|_| {});
        let (mut s, mut r) = client(srv.addr);
        s.write_all(b"E").unwrap();
        assert_eq!(line(&mut r), "continue\n");
        s.write_all(b"xpect\n").unwrap();
        assert_eq!(line(&mut r), "echo:Expect\n");
        srv.stop();
    }

    #[test]
    fn idle_timeout_closes() {
        let srv = start(|o| o.idle_timeout = Duration::from_millis(300));
        let (mut s, mut r) = client(srv.addr);
        s.write_all(b"hi\n").unwrap();
        assert_eq!(line(&mut r), "echo:hi\n");
        let t = Instant::now();
        assert_eq!(line(&mut r), "");
        assert!(t.elapsed() < Duration::from_secs(3));
        srv.stop();
    }

    #[test]
    fn slow_client_is_cut_off_and_does_not_block_others() {
        let srv = start(|o| {
            o.workers = 1;
            o.header_timeout = Duration::from_millis(600);
        });
        let (mut slow, mut slow_r) = client(srv.addr);
        let trickle = thread::spawn(move || {
            // One byte every 200 ms, never a newline: a worker would be held forever.
            for b in b"abcdefghijklmnopqrstuvwxyz" {
                if slow.write_all(&[*b]).is_err() {
                    break;
                }
                thread::sleep(Duration::from_millis(200));
            }
        });
        thread::sleep(Duration::from_millis(100));
        let t = Instant::now();
        let (mut fast, mut fast_r) = client(srv.addr);
        fast.write_all(b"fast\n").unwrap();
        assert_eq!(line(&mut fast_r), "echo:fast\n");
        assert!(t.elapsed() < Duration::from_secs(3), "{:?}", t.elapsed());
        assert_eq!(line(&mut slow_r), "timeout\n");
        trickle.join().unwrap();
        let log = srv.stop();
        assert!(
            log.lines().iter().any(|l| l.starts_with("- - 408 1 ")),
            "{:?}",
            log.lines()
        );
    }

    #[test]
    fn silent_client_is_closed_by_the_idle_timeout() {
        let srv = start(|o| {
            o.workers = 1;
            o.idle_timeout = Duration::from_millis(300);
        });
        let (_silent, mut silent_r) = client(srv.addr);
        assert_eq!(line(&mut silent_r), "");
        let (mut s, mut r) = client(srv.addr);
        s.write_all(b"next\n").unwrap();
        assert_eq!(line(&mut r), "echo:next\n");
        srv.stop();
    }

    #[test]
    fn full_queue_refuses_with_busy() {
        let srv = start(|o| {
            o.workers = 1;
            o.backlog = 0;
        });
        let (mut held, mut held_r) = client(srv.addr);
        held.write_all(b"a\n").unwrap();
        assert_eq!(line(&mut held_r), "echo:a\n"); // the only worker now serves `held`
        let (_refused, mut refused_r) = client(srv.addr);
        assert_eq!(line(&mut refused_r), "busy\n");
        assert_eq!(line(&mut refused_r), "");
        drop(held);
        srv.stop();
    }

    #[test]
    fn shutdown_lets_an_in_flight_request_finish() {
        let srv = start(|_| {});
        let (mut s, mut r) = client(srv.addr);
        s.write_all(b"sleep\n").unwrap();
        thread::sleep(Duration::from_millis(100)); // the worker is inside the handler now
        let (_idle, mut idle_r) = client(srv.addr);
        let t = Instant::now();
        let log = srv.stop();
        // `run` returned only after the response was written.
        assert_eq!(line(&mut r), "echo:sleep\n");
        assert_eq!(line(&mut r), "");
        assert_eq!(line(&mut idle_r), "");
        assert!(t.elapsed() < Duration::from_secs(5));
        assert_eq!(log.lines().len(), 1);
    }

    #[test]
    fn a_request_arriving_during_shutdown_is_answered_as_closing() {
        let srv = start(|_| {});
        let (mut s, mut r) = client(srv.addr);
        s.write_all(b"sleep\nsecond\n").unwrap(); // the second is read while shutting down
        thread::sleep(Duration::from_millis(100));
        srv.stop();
        assert_eq!(line(&mut r), "echo:sleep\n");
        assert_eq!(line(&mut r), "echo:second (closing)\n");
        assert_eq!(line(&mut r), "");
    }

    #[test]
    fn too_much_unconsumed_input_is_aborted() {
        let srv = start(|o| o.max_buffered = 64);
        let (mut s, mut r) = client(srv.addr);
        s.write_all(&[b'x'; 200]).unwrap();
        assert_eq!(line(&mut r), "timeout\n");
        let log = srv.stop();
        assert!(
            log.lines().iter().any(|l| l.starts_with("- - 408 3 ")),
            "{:?}",
            log.lines()
        );
    }

    #[test]
    fn tls_from_pem() {
        let cert = TestCert::new(&["127.0.0.1"]);
        let tls = tls_config_from_pem(cert.cert_pem.as_bytes(), cert.key_pem.as_bytes()).unwrap();
        let srv = start(|o| o.tls = Some(tls));
        let base = BaseUrl {
            scheme: Scheme::Https,
            host: "127.0.0.1".into(),
            port: srv.addr.port(),
        };
        let config =
            TransportConfig::with_trust(&Trust::Certificates(vec![cert.cert_der.clone()])).unwrap();
        let mut conn = Connection::open(&base, &config).unwrap();
        conn.send(b"secure\n").unwrap();
        let mut r = BufReader::new(conn.stream());
        let mut l = String::new();
        r.read_line(&mut l).unwrap();
        assert_eq!(l, "echo:secure\n");
        // An untrusting client fails the handshake; the server goes on.
        let other = TestCert::new(&["127.0.0.1"]);
        let config =
            TransportConfig::with_trust(&Trust::Certificates(vec![other.cert_der])).unwrap();
        assert!(Connection::open(&base, &config).is_err());
        srv.stop();
    }

    #[test]
    fn tls_setup_errors_name_the_file() {
        let cert = TestCert::new(&["localhost"]);
        let e = tls_config_from_pem(b"", cert.key_pem.as_bytes()).unwrap_err();
        assert!(e.to_string().starts_with("--tls-cert"), "{e}");
        let e = tls_config_from_pem(cert.cert_pem.as_bytes(), b"nope").unwrap_err();
        assert!(e.to_string().starts_with("--tls-key"), "{e}");
        let other = TestCert::new(&["localhost"]);
        let e =
            tls_config_from_pem(cert.cert_pem.as_bytes(), other.key_pem.as_bytes()).unwrap_err();
        assert!(matches!(e, TlsSetupError::Rustls(_)), "{e}");
    }

    #[test]
    fn log_lines_escape_and_cut() {
        let d = Duration::from_millis(2);
        let entry = RequestLog::new("GET", "/a b\n\"c\"\u{e9}", 404).with_code(20404);
        assert_eq!(
            LogFormat::Text.line(&entry, d),
            "GET /a%20b\\x0a\"c\"\\xc3\\xa9 404 20404 2.000ms"
        );
        assert_eq!(
            LogFormat::Json.line(&entry, d),
            r#"{"method":"GET","path":"/a b\u000a\"c\"\u00c3\u00a9","status":404,"code":20404,"duration_ms":2.000}"#
        );
        let long = RequestLog::new("GET", "/".repeat(600), 200);
        let text = LogFormat::Text.line(&long, d);
        assert!(
            text.contains(&format!("{}... 200 - ", "/".repeat(LOG_PATH_MAX))),
            "{text}"
        );
        assert_eq!(
            LogFormat::Text.line(&RequestLog::new("", "", 400), d),
            "- - 400 - 2.000ms"
        );
    }
}
