//! Blocking client connections: plain TCP (loopback tests) or TLS by rustls, with timeouts,
//! and a keep-alive [`Pool`] of one connection.
//!
//! - **TLS**: rustls with the *ring* provider, TLS 1.2 and 1.3, server names checked against
//!   the platform's trust store by default ([`Trust::Platform`], see [`crate::trust`]: the
//!   bundled Mozilla roots where the platform has none, plus any private CA), or only
//!   against certificates the caller trusts explicitly ([`Trust::Certificates`], for tests
//!   and `--only-ca-file`). A TLS failure is [`FailureKind::Tls`]: there is never a
//!   fallback to plain TCP; plain HTTP is used only when the base URL says `http://` (which
//!   [`crate::config::BaseUrl`] allows to loopback addresses only).
//! - **Proxies** ([`TransportConfig::proxy`], see [`crate::proxy`]): to an `https://`
//!   service through an HTTP proxy, a `CONNECT` tunnel (the proxy's answer read by the
//!   core's [`ConnectReader`]) and then the same TLS handshake as without one; to an
//!   `http://` service, the request in absolute form. A proxy's refusal is
//!   [`FailureKind::ProxyRefused`], never a direct connection instead.
//! - **Timeouts** ([`Timeouts`]): connect 10 s per resolved address, read 30 s and write 30 s
//!   per socket operation (set as socket options, so a peer that trickles bytes is bounded
//!   by the client's own overall deadline, not by these). Name resolution uses the system
//!   resolver, which has its own timeouts.
//! - **Keep-alive**: [`Pool`] keeps one idle connection. Before reusing it, it checks the
//!   socket without blocking: a connection the server closed (end of stream, reset) or that
//!   holds unexpected bytes (a TLS `close_notify`, an unsolicited `408`) is dropped and a new
//!   one is opened; so is one idle for longer than [`TransportConfig::max_idle`].
//! - **Failures** ([`Failure`]) say at which [`Stage`] they happened and whether the request
//!   may have reached the service ([`Failure::possibly_applied`]): `false` only when no byte
//!   of it was handed to the socket. The client resends a possibly-applied request only if
//!   the operation is idempotent (see [`crate::retry`]).
//!
//! ```no_run
//! use std::io::Read;
//! use confpart_std::config::BaseUrl;
//! use confpart_std::transport::{Pool, TransportConfig};
//!
//! let base = BaseUrl::parse("https://api.twilio.com")?;
//! let mut pool = Pool::new(base, TransportConfig::new()?);
//! let mut conn = pool.take()?;
//! conn.send(b"GET / HTTP/1.1\r\nHost: api.twilio.com\r\n\r\n")?;
//! let mut buf = [0u8; 4096];
//! let n = conn.read_some(&mut buf)?; // feed these bytes to the core's response reader
//! pool.put_back(conn); // after a complete response that keeps the connection open
//! # let _ = n;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::sync::Arc;
use std::time::{Duration, Instant};

use confpart::wire::http::{ConnectReader, HttpError, MAX_BODY_LEN, MAX_HEAD_LEN, Progress};
use rustls::pki_types::{CertificateDer, ServerName};
use rustls::{ClientConfig, ClientConnection, RootCertStore, StreamOwned};

use crate::config::{BaseUrl, Scheme};
use crate::proxy::{ProxySettings, ProxyUrl, absolute_form, connect_request};
use crate::trust::{TrustError, TrustSettings};

/// Socket timeouts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// TCP connect, per resolved address (default 10 s).
    pub connect: Duration,
    /// One socket read, also during the TLS handshake (default 30 s).
    pub read: Duration,
    /// One socket write (default 30 s).
    pub write: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Self {
            connect: Duration::from_secs(10),
            read: Duration::from_secs(30),
            write: Duration::from_secs(30),
        }
    }
}

/// Which certificates a TLS server must chain to.
#[derive(Debug, Clone)]
pub enum Trust {
    /// The platform's trust store, or the bundled roots where it has none
    /// ([`crate::trust::add_platform_roots`]), and these certificates too (private CAs):
    /// the default, with none.
    Platform(Vec<CertificateDer<'static>>),
    /// The bundled Mozilla roots (`webpki-roots`) only.
    WebPkiRoots,
    /// Only these (a private CA, or a test's self-signed certificate).
    Certificates(Vec<CertificateDer<'static>>),
}

/// How connections are made.
#[derive(Debug, Clone)]
pub struct TransportConfig {
    /// Socket timeouts.
    pub timeouts: Timeouts,
    /// rustls client configuration (ring provider).
    pub tls: Arc<ClientConfig>,
    /// An idle connection older than this is not reused (default 30 s).
    pub max_idle: Duration,
    /// The HTTP proxies and the hosts that bypass them (default: none; see
    /// [`ProxySettings::from_env`]).
    pub proxy: ProxySettings,
}

impl TransportConfig {
    /// Default timeouts, the platform's trust store, no proxy.
    pub fn new() -> Result<Self, rustls::Error> {
        Self::with_trust(&Trust::Platform(Vec::new()))
    }

    /// Default timeouts, the given trust.
    pub fn with_trust(trust: &Trust) -> Result<Self, rustls::Error> {
        Ok(Self {
            timeouts: Timeouts::default(),
            tls: client_tls_config(trust)?,
            max_idle: Duration::from_secs(30),
            proxy: ProxySettings::none(),
        })
    }
}

/// A rustls client configuration on the ring provider with the given trust.
pub fn client_tls_config(trust: &Trust) -> Result<Arc<ClientConfig>, rustls::Error> {
    let mut roots = RootCertStore::empty();
    match trust {
        Trust::Platform(extra) => {
            crate::trust::add_platform_roots(&mut roots);
            for cert in extra {
                roots.add(cert.clone())?;
            }
        }
        Trust::WebPkiRoots => roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
        Trust::Certificates(certs) => {
            for cert in certs {
                roots.add(cert.clone())?;
            }
        }
    }
    let config =
        ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()?
            .with_root_certificates(roots)
            .with_no_client_auth();
    Ok(Arc::new(config))
}

impl Trust {
    /// What `settings` ask for: the platform's store plus the CA files, or only the files.
    ///
    /// ```
    /// use confpart_std::transport::Trust;
    /// use confpart_std::trust::TrustSettings;
    /// assert!(matches!(Trust::load(&TrustSettings::default()), Ok(Trust::Platform(extra)) if extra.is_empty()));
    /// ```
    pub fn load(settings: &TrustSettings) -> Result<Self, TrustError> {
        let extra = settings.certificates()?;
        Ok(if settings.only_ca_files {
            Trust::Certificates(extra)
        } else {
            Trust::Platform(extra)
        })
    }
}

/// Where a failure happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Stage {
    /// Resolving the host name.
    Resolve,
    /// Opening the TCP connection.
    Connect,
    /// Asking the proxy for a tunnel (`CONNECT`).
    Proxy,
    /// The TLS handshake.
    Handshake,
    /// Writing the request.
    Write,
    /// Reading the response.
    Read,
}

/// What went wrong.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum FailureKind {
    /// A connect, read or write timeout.
    Timeout,
    /// The TLS layer refused (certificate, protocol, alert). Never followed by plain TCP.
    Tls(rustls::Error),
    /// The peer closed the connection (end of stream or reset).
    Closed,
    /// The host name resolved to no address.
    NoAddress,
    /// Any other I/O error.
    Io(io::ErrorKind, String),
    /// The proxy answered `CONNECT` with this status (`407`: other proxy credentials
    /// needed; `403`: the proxy's policy; `502`, `503`, `504`: it could not reach the
    /// service).
    ProxyRefused {
        /// The status.
        status: u16,
        /// The reason phrase.
        reason: String,
    },
    /// The proxy's answer to `CONNECT` is not HTTP (the core's reader refused it).
    ProxyResponse(String),
}

/// A transport failure: where, what, and whether the request may have been applied.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    /// Where it happened.
    pub stage: Stage,
    /// What happened.
    pub kind: FailureKind,
    /// The connection had served a request before (a keep-alive reuse).
    pub reused: bool,
    /// Bytes of the request handed to the socket (or to TLS) before the failure.
    pub request_bytes_written: usize,
    /// The proxy the connection went through (its URL without credentials).
    pub proxy: Option<String>,
}

impl Failure {
    fn new(stage: Stage, kind: FailureKind) -> Self {
        Self {
            stage,
            kind,
            reused: false,
            request_bytes_written: 0,
            proxy: None,
        }
    }

    fn io(stage: Stage, err: &io::Error) -> Self {
        Self::new(stage, classify(err))
    }

    /// Whether the service may have received (and applied) the request: `false` only when
    /// no byte of it was written. Conservative: bytes handed to the kernel or to TLS count
    /// as written even if they never left the machine.
    pub fn possibly_applied(&self) -> bool {
        self.request_bytes_written > 0
    }

    /// A timeout of any stage.
    pub fn is_timeout(&self) -> bool {
        self.kind == FailureKind::Timeout
    }

    /// Whether asking again cannot help: a TLS refusal (a certificate does not change by
    /// asking again) or a proxy's `403` / `407` (its policy and credentials do not either).
    pub fn is_permanent(&self) -> bool {
        matches!(
            self.kind,
            FailureKind::Tls(_)
                | FailureKind::ProxyRefused {
                    status: 403 | 407,
                    ..
                }
        )
    }

    fn via(self, proxy: Option<&ProxyUrl>) -> Self {
        Self {
            proxy: proxy.map(ToString::to_string),
            ..self
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let stage = match self.stage {
            Stage::Resolve => "resolving the host",
            Stage::Connect => "connecting",
            Stage::Proxy => "opening the proxy tunnel",
            Stage::Handshake => "the TLS handshake",
            Stage::Write => "sending the request",
            Stage::Read => "reading the response",
        };
        match &self.kind {
            FailureKind::Timeout => write!(f, "timeout while {stage}"),
            FailureKind::Tls(e) => write!(f, "TLS error during {stage}: {e}"),
            FailureKind::Closed => write!(f, "connection closed by the peer while {stage}"),
            FailureKind::NoAddress => write!(f, "the host name resolved to no address"),
            FailureKind::Io(_, msg) => write!(f, "I/O error while {stage}: {msg}"),
            FailureKind::ProxyRefused { status, reason } => {
                let proxy = self.proxy.as_deref().unwrap_or("the proxy");
                write!(f, "the proxy {proxy} refused the tunnel: {status} {reason}")?;
                if *status == 407 {
                    f.write_str(
                        " (give credentials in the proxy URL: http://user:password@host:port)",
                    )?;
                }
                return Ok(());
            }
            FailureKind::ProxyResponse(e) => {
                write!(f, "the proxy's answer to CONNECT is not HTTP: {e}")
            }
        }?;
        if let Some(proxy) = &self.proxy {
            write!(f, " (through the proxy {proxy})")?;
        }
        Ok(())
    }
}

impl std::error::Error for Failure {}

/// Maps an I/O error (possibly wrapping a rustls error) onto a [`FailureKind`].
pub fn classify(err: &io::Error) -> FailureKind {
    if let Some(tls) = err
        .get_ref()
        .and_then(|e| e.downcast_ref::<rustls::Error>())
    {
        return FailureKind::Tls(tls.clone());
    }
    match err.kind() {
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => FailureKind::Timeout,
        io::ErrorKind::UnexpectedEof
        | io::ErrorKind::ConnectionReset
        | io::ErrorKind::ConnectionAborted
        | io::ErrorKind::BrokenPipe => FailureKind::Closed,
        kind => FailureKind::Io(kind, err.to_string()),
    }
}

/// A plain or TLS byte stream over TCP.
#[derive(Debug)]
pub enum Stream {
    /// Plain TCP.
    Plain(TcpStream),
    /// TLS over TCP.
    Tls(Box<StreamOwned<ClientConnection, TcpStream>>),
}

impl Stream {
    /// The TCP socket underneath.
    pub fn socket(&self) -> &TcpStream {
        match self {
            Stream::Plain(s) => s,
            Stream::Tls(s) => &s.sock,
        }
    }
}

impl Read for Stream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Stream::Plain(s) => s.read(buf),
            Stream::Tls(s) => s.read(buf),
        }
    }
}

impl Write for Stream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Stream::Plain(s) => s.write(buf),
            Stream::Tls(s) => s.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Stream::Plain(s) => s.flush(),
            Stream::Tls(s) => s.flush(),
        }
    }
}

/// One open connection.
#[derive(Debug)]
pub struct Connection {
    stream: Stream,
    /// A plain-HTTP connection to a proxy: requests are rewritten to absolute form.
    forward: Option<(BaseUrl, ProxyUrl)>,
    reused: bool,
    idle_since: Instant,
    /// Length of the last request [`Connection::send`] wrote.
    sent: usize,
}

impl Connection {
    /// Opens a connection to `base` (TLS for `https`), handshake included.
    pub fn open(base: &BaseUrl, config: &TransportConfig) -> Result<Self, Failure> {
        let proxy = config.proxy.route(base);
        let (host, port) = match proxy {
            Some(p) => (p.host.as_str(), p.port),
            None => (base.host.as_str(), base.port),
        };
        Self::open_via(base, host, port, proxy, config).map_err(|f| f.via(proxy))
    }

    fn open_via(
        base: &BaseUrl,
        host: &str,
        port: u16,
        proxy: Option<&ProxyUrl>,
        config: &TransportConfig,
    ) -> Result<Self, Failure> {
        let addrs: Vec<SocketAddr> = (host, port)
            .to_socket_addrs()
            .map_err(|e| Failure::new(Stage::Resolve, FailureKind::Io(e.kind(), e.to_string())))?
            .collect();
        let mut last = Failure::new(Stage::Resolve, FailureKind::NoAddress);
        let mut socket = None;
        for addr in addrs {
            match TcpStream::connect_timeout(&addr, config.timeouts.connect) {
                Ok(s) => {
                    socket = Some(s);
                    break;
                }
                Err(e) => last = Failure::io(Stage::Connect, &e),
            }
        }
        let mut socket = socket.ok_or(last)?;
        let setup = |e: io::Error| Failure::io(Stage::Connect, &e);
        socket
            .set_read_timeout(Some(config.timeouts.read))
            .map_err(setup)?;
        socket
            .set_write_timeout(Some(config.timeouts.write))
            .map_err(setup)?;
        socket.set_nodelay(true).map_err(setup)?;
        let mut forward = None;
        let stream = match (base.scheme, proxy) {
            (Scheme::Http, None) => Stream::Plain(socket),
            (Scheme::Http, Some(proxy)) => {
                forward = Some((base.clone(), proxy.clone()));
                Stream::Plain(socket)
            }
            (Scheme::Https, proxy) => {
                if let Some(proxy) = proxy {
                    tunnel(base, proxy, &mut socket)?;
                }
                Stream::Tls(Box::new(handshake(base, config, socket)?))
            }
        };
        Ok(Self {
            stream,
            forward,
            reused: false,
            idle_since: Instant::now(),
            sent: 0,
        })
    }

    /// Whether this connection served a request before.
    pub fn reused(&self) -> bool {
        self.reused
    }

    /// The byte stream (to read a response with `Read` directly).
    pub fn stream(&mut self) -> &mut Stream {
        &mut self.stream
    }

    /// Writes the whole request and flushes it; a failure records how much was written.
    pub fn send(&mut self, request: &[u8]) -> Result<(), Failure> {
        let rewritten;
        let request = match &self.forward {
            Some((base, proxy)) => {
                rewritten = absolute_form(request, base, proxy);
                &rewritten[..]
            }
            None => request,
        };
        let mut written = 0;
        self.sent = 0;
        let fail = |e: &io::Error, written| Failure {
            request_bytes_written: written,
            reused: self.reused,
            ..Failure::io(Stage::Write, e)
        };
        while let Some(rest) = request.get(written..).filter(|r| !r.is_empty()) {
            match self.stream.write(rest) {
                Ok(0) => return Err(fail(&io::ErrorKind::WriteZero.into(), written)),
                Ok(n) => written += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(fail(&e, written)),
            }
        }
        self.stream.flush().map_err(|e| fail(&e, written))?;
        self.sent = written;
        Ok(())
    }

    /// Reads some response bytes; `Ok(0)` is the end of the stream.
    pub fn read_some(&mut self, buf: &mut [u8]) -> Result<usize, Failure> {
        loop {
            match self.stream.read(buf) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    return Err(Failure {
                        reused: self.reused,
                        request_bytes_written: self.sent,
                        ..Failure::io(Stage::Read, &e)
                    });
                }
                Ok(n) => return Ok(n),
            }
        }
    }

    /// Whether an idle connection can carry another request: checked without blocking.
    /// A peer that closed, reset, or sent anything unasked makes it unusable.
    pub fn is_reusable(&self) -> bool {
        if let Stream::Tls(s) = &self.stream {
            // Plaintext the caller did not read, or a TLS close already seen.
            if s.conn.wants_write() {
                return false;
            }
        }
        let socket = self.stream.socket();
        if socket.set_nonblocking(true).is_err() {
            return false;
        }
        let mut probe = [0u8; 1];
        let alive =
            matches!(socket.peek(&mut probe), Err(e) if e.kind() == io::ErrorKind::WouldBlock);
        socket.set_nonblocking(false).is_ok() && alive
    }
}

impl Read for Connection {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.stream.read(buf)
    }
}

impl Write for Connection {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.stream.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.stream.flush()
    }
}

/// Asks the proxy for a tunnel to `base` and reads its answer with the core's reader.
/// A 2xx answer leaves the socket at the tunnel's first byte: the proxy sends nothing
/// more before the TLS client hello, so bytes after the head are a protocol error.
fn tunnel(base: &BaseUrl, proxy: &ProxyUrl, socket: &mut TcpStream) -> Result<(), Failure> {
    let fail = |e: &io::Error| Failure::io(Stage::Proxy, e);
    socket
        .write_all(&connect_request(base, proxy))
        .map_err(|e| fail(&e))?;
    let mut buf = vec![0u8; MAX_HEAD_LEN + MAX_BODY_LEN];
    let mut reader = ConnectReader::new(&mut buf);
    let mut chunk = [0u8; 4096];
    let bad = |e: &dyn fmt::Display| {
        Failure::new(Stage::Proxy, FailureKind::ProxyResponse(e.to_string()))
    };
    let (status, reason, extra) = loop {
        let n = match socket.read(&mut chunk) {
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(fail(&e)),
        };
        let progress = if n == 0 {
            match reader.finish() {
                Ok(m) => Progress::Complete(m),
                // Not a word: the proxy closed (or was never one).
                Err(HttpError::EofInHead { received: 0 }) => {
                    return Err(Failure::new(Stage::Proxy, FailureKind::Closed));
                }
                Err(e) => return Err(bad(&e)),
            }
        } else {
            reader
                .feed(chunk.get(..n).unwrap_or_default())
                .map_err(|e| bad(&e))?
        };
        if let Progress::Complete(m) = progress {
            let extra = n > 0 && m.consumed() < n;
            break (
                m.status(),
                String::from_utf8_lossy(m.reason()).into_owned(),
                extra,
            );
        }
    };
    if !(200..300).contains(&status) {
        return Err(Failure::new(
            Stage::Proxy,
            FailureKind::ProxyRefused { status, reason },
        ));
    }
    if extra {
        return Err(bad(&"bytes after the 2xx answer, before the TLS handshake"));
    }
    Ok(())
}

fn handshake(
    base: &BaseUrl,
    config: &TransportConfig,
    mut socket: TcpStream,
) -> Result<StreamOwned<ClientConnection, TcpStream>, Failure> {
    let tls_fail = |e: rustls::Error| Failure::new(Stage::Handshake, FailureKind::Tls(e));
    let name = ServerName::try_from(base.host.clone()).map_err(|_| {
        tls_fail(rustls::Error::General(format!(
            "invalid server name {:?}",
            base.host
        )))
    })?;
    let mut conn = ClientConnection::new(Arc::clone(&config.tls), name).map_err(tls_fail)?;
    while conn.is_handshaking() {
        if let Err(e) = conn.complete_io(&mut socket) {
            return Err(match classify(&e) {
                FailureKind::Closed if conn.is_handshaking() => {
                    Failure::new(Stage::Handshake, FailureKind::Closed)
                }
                kind => Failure::new(Stage::Handshake, kind),
            });
        }
    }
    Ok(StreamOwned::new(conn, socket))
}

/// A keep-alive pool of one connection to one base URL.
#[derive(Debug)]
pub struct Pool {
    base: BaseUrl,
    config: TransportConfig,
    idle: Option<Connection>,
}

impl Pool {
    /// An empty pool (nothing is opened until [`Pool::take`]).
    pub fn new(base: BaseUrl, config: TransportConfig) -> Self {
        Self {
            base,
            config,
            idle: None,
        }
    }

    /// Where this pool connects.
    pub fn base(&self) -> &BaseUrl {
        &self.base
    }

    /// The idle connection if it is still usable, else a new one.
    pub fn take(&mut self) -> Result<Connection, Failure> {
        let max_idle = self.config.max_idle;
        if let Some(mut conn) = self
            .idle
            .take()
            .filter(|c| c.idle_since.elapsed() <= max_idle && c.is_reusable())
        {
            conn.reused = true;
            return Ok(conn);
        }
        Connection::open(&self.base, &self.config)
    }

    /// Keeps `conn` for the next request. Call it only after a complete response whose
    /// connection stays open; otherwise drop the connection.
    pub fn put_back(&mut self, mut conn: Connection) {
        conn.idle_since = Instant::now();
        self.idle = Some(conn);
    }

    /// Whether an idle connection is held (it may still turn out closed on [`Pool::take`]).
    pub fn has_idle(&self) -> bool {
        self.idle.is_some()
    }

    /// Drops the idle connection.
    pub fn clear(&mut self) {
        self.idle = None;
    }
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
    use crate::testutil::{TestCert, TlsEchoServer};
    use crate::trust::certificates_from_pem;
    use std::net::TcpListener;
    use std::thread;

    fn base(scheme: Scheme, host: &str, port: u16) -> BaseUrl {
        BaseUrl {
            scheme,
            host: host.to_owned(),
            port,
        }
    }

    fn config_trusting(cert: &TestCert) -> TransportConfig {
        TransportConfig::with_trust(&Trust::Certificates(vec![cert.cert_der.clone()])).unwrap()
    }

    #[test]
    fn tls_with_an_explicitly_trusted_certificate_works() {
        let cert = TestCert::new(&["localhost", "127.0.0.1"]);
        let server = TlsEchoServer::start(&cert, 2);
        for host in ["127.0.0.1", "localhost"] {
            let mut conn = Connection::open(
                &base(Scheme::Https, host, server.port),
                &config_trusting(&cert),
            )
            .unwrap();
            conn.send(b"hello").unwrap();
            let mut buf = [0u8; 16];
            let n = conn.read_some(&mut buf).unwrap();
            assert_eq!(&buf[..n], b"hello");
        }
        server.join();
    }

    #[test]
    fn untrusted_certificate_is_a_tls_error_not_a_fallback() {
        let cert = TestCert::new(&["127.0.0.1"]);
        let other = TestCert::new(&["127.0.0.1"]);
        let server = TlsEchoServer::start(&cert, 2);
        let f = Connection::open(
            &base(Scheme::Https, "127.0.0.1", server.port),
            &config_trusting(&other),
        )
        .unwrap_err();
        assert_eq!(f.stage, Stage::Handshake);
        assert!(
            matches!(
                f.kind,
                FailureKind::Tls(rustls::Error::InvalidCertificate(_))
            ),
            "{f:?}"
        );
        assert!(!f.possibly_applied());
        // The bundled roots do not know a self-signed certificate either.
        let f = Connection::open(
            &base(Scheme::Https, "127.0.0.1", server.port),
            &TransportConfig::new().unwrap(),
        )
        .unwrap_err();
        assert!(matches!(f.kind, FailureKind::Tls(_)), "{f:?}");
        assert!(
            f.to_string()
                .starts_with("TLS error during the TLS handshake"),
            "{f}"
        );
        server.join();
    }

    #[test]
    fn wrong_name_is_a_tls_error() {
        let cert = TestCert::new(&["localhost"]);
        let server = TlsEchoServer::start(&cert, 1);
        let f = Connection::open(
            &base(Scheme::Https, "127.0.0.1", server.port),
            &config_trusting(&cert),
        )
        .unwrap_err();
        assert!(
            matches!(
                f.kind,
                FailureKind::Tls(rustls::Error::InvalidCertificate(_))
            ),
            "{f:?}"
        );
        server.join();
    }

    #[test]
    fn https_to_a_plain_server_is_not_downgraded() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let t = thread::spawn(move || {
            let (mut s, _) = listener.accept().unwrap();
            let mut buf = [0u8; 512];
            let _ = s.read(&mut buf);
            let _ = s.write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
        });
        let cert = TestCert::new(&["127.0.0.1"]);
        let f = Connection::open(
            &base(Scheme::Https, "127.0.0.1", port),
            &config_trusting(&cert),
        )
        .unwrap_err();
        assert_eq!(f.stage, Stage::Handshake);
        assert!(
            matches!(f.kind, FailureKind::Tls(_) | FailureKind::Closed),
            "{f:?}"
        );
        t.join().unwrap();
    }

    #[test]
    fn connect_refused_has_not_applied_anything() {
        let port = {
            let l = TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        let f = Connection::open(
            &base(Scheme::Http, "127.0.0.1", port),
            &TransportConfig::new().unwrap(),
        )
        .unwrap_err();
        assert_eq!(f.stage, Stage::Connect);
        assert!(!f.possibly_applied());
    }

    #[test]
    fn read_timeout_is_reported_as_timeout() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let t = thread::spawn(move || {
            let (s, _) = listener.accept().unwrap();
            thread::sleep(Duration::from_millis(600));
            drop(s);
        });
        let mut config = TransportConfig::new().unwrap();
        config.timeouts.read = Duration::from_millis(100);
        let mut conn = Connection::open(&base(Scheme::Http, "127.0.0.1", port), &config).unwrap();
        conn.send(b"GET / HTTP/1.1\r\n\r\n").unwrap();
        let f = conn.read_some(&mut [0u8; 8]).unwrap_err();
        assert_eq!(
            (f.stage, f.is_timeout(), f.possibly_applied()),
            (Stage::Read, true, true)
        );
        t.join().unwrap();
    }

    #[test]
    fn pool_reuses_a_live_connection_and_reopens_a_closed_one() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let (closed_tx, closed_rx) = std::sync::mpsc::channel();
        let t = thread::spawn(move || {
            // First connection: answer two requests, then close.
            let (mut s, _) = listener.accept().unwrap();
            for _ in 0..2 {
                let mut buf = [0u8; 4];
                s.read_exact(&mut buf).unwrap();
                s.write_all(&buf).unwrap();
            }
            drop(s);
            closed_tx.send(()).unwrap();
            // Second connection: one more.
            let (mut s, _) = listener.accept().unwrap();
            let mut buf = [0u8; 4];
            s.read_exact(&mut buf).unwrap();
            s.write_all(&buf).unwrap();
        });
        let mut pool = Pool::new(
            base(Scheme::Http, "127.0.0.1", port),
            TransportConfig::new().unwrap(),
        );
        let round = |pool: &mut Pool, msg: &[u8; 4]| {
            let mut conn = pool.take().unwrap();
            let reused = conn.reused();
            conn.send(msg).unwrap();
            let mut buf = [0u8; 4];
            conn.stream().read_exact(&mut buf).unwrap();
            assert_eq!(&buf, msg);
            pool.put_back(conn);
            reused
        };
        assert!(!round(&mut pool, b"one."));
        assert!(round(&mut pool, b"two."));
        closed_rx.recv().unwrap();
        // Give the FIN time to arrive, then the pool must notice and reconnect.
        let deadline = Instant::now() + Duration::from_secs(5);
        while pool.idle.as_ref().is_some_and(Connection::is_reusable) && Instant::now() < deadline {
            thread::sleep(Duration::from_millis(10));
        }
        assert!(!round(&mut pool, b"thr."));
        t.join().unwrap();
    }

    #[test]
    fn pool_does_not_reuse_after_max_idle() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let t = thread::spawn(move || {
            let a = listener.accept().unwrap();
            let b = listener.accept().unwrap();
            (a, b)
        });
        let mut config = TransportConfig::new().unwrap();
        config.max_idle = Duration::ZERO;
        let mut pool = Pool::new(base(Scheme::Http, "127.0.0.1", port), config);
        let conn = pool.take().unwrap();
        pool.put_back(conn);
        assert!(pool.has_idle());
        thread::sleep(Duration::from_millis(5));
        assert!(!pool.take().unwrap().reused());
        t.join().unwrap();
    }

    #[test]
    fn tls_pool_reuse_and_close_notify_detection() {
        let cert = TestCert::new(&["127.0.0.1"]);
        let server = TlsEchoServer::start(&cert, 2);
        let mut pool = Pool::new(
            base(Scheme::Https, "127.0.0.1", server.port),
            config_trusting(&cert),
        );
        let mut conn = pool.take().unwrap();
        conn.send(b"ping").unwrap();
        let mut buf = [0u8; 4];
        conn.stream().read_exact(&mut buf).unwrap();
        pool.put_back(conn);
        let conn = pool.take().unwrap();
        assert!(conn.reused());
        pool.put_back(conn);
        // The echo server closes a connection when sent "quit"; after that the idle check fails.
        let mut conn = pool.take().unwrap();
        conn.send(b"quit").unwrap();
        let deadline = Instant::now() + Duration::from_secs(5);
        while conn.is_reusable() && Instant::now() < deadline {
            thread::sleep(Duration::from_millis(10));
        }
        assert!(!conn.is_reusable());
        pool.put_back(conn);
        assert!(!pool.take().unwrap().reused());
        server.join();
    }

    /// A one-shot proxy: reads a request head, answers `answer`, keeps the socket a moment.
    fn one_shot_proxy(answer: &'static [u8]) -> (u16, thread::JoinHandle<String>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let t = thread::spawn(move || {
            let (mut s, _) = listener.accept().unwrap();
            let mut head = Vec::new();
            let mut byte = [0u8; 1];
            while !head.ends_with(b"\r\n\r\n") && s.read(&mut byte).unwrap() == 1 {
                head.push(byte[0]);
            }
            s.write_all(answer).unwrap();
            thread::sleep(Duration::from_millis(200));
            String::from_utf8(head).unwrap()
        });
        (port, t)
    }

    fn through(port: u16, userinfo: &str) -> TransportConfig {
        let mut config = TransportConfig::new().unwrap();
        config.proxy.https =
            Some(ProxyUrl::parse(&format!("http://{userinfo}127.0.0.1:{port}")).unwrap());
        config
    }

    #[test]
    fn proxy_refusals_and_bad_answers() {
        let target = base(Scheme::Https, "api.twilio.com", 443);
        let (port, t) = one_shot_proxy(
            b"HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n",
        );
        let f = Connection::open(&target, &through(port, "u:secret@")).unwrap_err();
        assert_eq!(f.stage, Stage::Proxy);
        assert!(f.is_permanent() && !f.possibly_applied());
        let text = f.to_string();
        assert!(
            text.contains(&format!("the proxy http://***@127.0.0.1:{port} refused the tunnel: 407 Proxy Authentication Required")),
            "{text}"
        );
        assert!(!format!("{text} {f:?}").contains("secret"));
        let head = t.join().unwrap();
        assert!(
            head.starts_with("CONNECT api.twilio.com:443 HTTP/1.1\r\n"),
            "{head}"
        );

        let (port, t) = one_shot_proxy(b"HTTP/1.1 502 Bad Gateway\r\n\r\n");
        let f = Connection::open(&target, &through(port, "")).unwrap_err();
        assert!(
            matches!(f.kind, FailureKind::ProxyRefused { status: 502, .. }) && !f.is_permanent(),
            "{f:?}"
        );
        t.join().unwrap();

        let (port, t) = one_shot_proxy(b"SSH-2.0-OpenSSH_9.6\r\n");
        let f = Connection::open(&target, &through(port, "")).unwrap_err();
        assert!(matches!(f.kind, FailureKind::ProxyResponse(_)), "{f:?}");
        t.join().unwrap();

        // Bytes after the 200, before any client hello: not a proxy to trust.
        let (port, t) = one_shot_proxy(b"HTTP/1.1 200 OK\r\n\r\n\x16\x03\x01");
        let f = Connection::open(&target, &through(port, "")).unwrap_err();
        assert!(matches!(f.kind, FailureKind::ProxyResponse(_)), "{f:?}");
        t.join().unwrap();
    }

    #[test]
    fn an_unreachable_proxy_is_named() {
        let port = {
            let l = TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        let f = Connection::open(
            &base(Scheme::Https, "api.twilio.com", 443),
            &through(port, "a:b@"),
        )
        .unwrap_err();
        assert_eq!(f.stage, Stage::Connect);
        assert!(
            f.to_string()
                .ends_with(&format!("(through the proxy http://***@127.0.0.1:{port})")),
            "{f}"
        );
    }

    #[test]
    fn pem_certificates() {
        let cert = TestCert::new(&["localhost"]);
        let certs = certificates_from_pem(cert.cert_pem.as_bytes()).unwrap();
        assert_eq!(certs, vec![cert.cert_der.clone()]);
        assert!(certificates_from_pem(b"").is_err());
    }
}
