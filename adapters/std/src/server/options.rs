//! The server's settings (in a file of their own: the accept loop, the pool and each
//! connection read them, and none of those depends on another through them).

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
    /// Worker threads: connections served at once (default 8).
    pub workers: usize,
    /// Accepted connections waiting for a worker (default 32).
    pub backlog: usize,
    /// See the [server docs](super) (default 15 s).
    pub idle_timeout: Duration,
    /// See the [server docs](super) (default 10 s).
    pub header_timeout: Duration,
    /// See the [server docs](super) (default 30 s).
    pub request_timeout: Duration,
    /// One socket write (default 10 s).
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
