//! The server's settings (in a file of their own: the accept loop and each connection
//! read them, and neither depends on the other through them).

use std::fmt;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use super::log::{LogFormat, LogSink, StderrLog};

/// Server settings. [`ServerOptions::new`] gives the documented defaults.
#[derive(Clone)]
pub struct ServerOptions {
    /// Address to listen on.
    pub listen: SocketAddr,
    /// The runtime's worker threads, which run every connection's task (default: the
    /// machine's available cores).
    pub workers: usize,
    /// Open connections at most; past it a new connection gets [`Handler::busy`](super::Handler::busy)'s
    /// bytes and is closed (default 10 000).
    pub max_connections: usize,
    /// Connections the kernel holds before they are accepted (the listen backlog, default
    /// 1024; the kernel caps it at `net.core.somaxconn`).
    pub backlog: u32,
    /// See the [server docs](super) (default 15 s).
    pub idle_timeout: Duration,
    /// See the [server docs](super) (default 10 s).
    pub header_timeout: Duration,
    /// See the [server docs](super) (default 30 s).
    pub request_timeout: Duration,
    /// Writing one response, or a last answer, to a client that does not read (default 10 s).
    pub write_timeout: Duration,
    /// Unconsumed input held per connection before [`Abort::TooLarge`](super::Abort::TooLarge) (default 1 MiB;
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
            workers: std::thread::available_parallelism().map_or(1, usize::from),
            max_connections: 10_000,
            backlog: 1024,
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
            .field("max_connections", &self.max_connections)
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
