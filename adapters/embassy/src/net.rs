//! embassy-net 0.9: resolve the host, connect a [`TcpSocket`], and
//! (feature `tls`) open a TLS 1.3 session on it with `embedded-tls`. The
//! socket and its buffers stay the caller's, so a connection that broke is
//! replaced by reconnecting the same socket; a connection in step is kept
//! for as many requests as the server allows.
//!
//! One error type per side: [`Error`]`<embassy_net::tcp::Error>` over plain
//! TCP ([`connect`], then [`crate::Client::send`] and the [`crate::Reply`]
//! on a `&mut TcpSocket`), `Error<embedded_tls::TlsError>` over TLS
//! (`connect_tls`, then the same on a `TlsStream`), so `?` carries any of
//! them to one caller.
//!
//! ```no_run
//! # async fn demo(stack: embassy_net::Stack<'_>, requests: &[confpart::client::Request<'_>]) -> Result<(), confpart_embassy::Error<embassy_net::tcp::Error>> {
//! use confpart_embassy::net::{Server, connect};
//! use confpart_embassy::{Client, Config, Connection};
//! use embassy_net::tcp::TcpSocket;
//!
//! let (mut socket_rx, mut socket_tx) = ([0u8; 1024], [0u8; 1024]);
//! let mut socket = TcpSocket::new(stack, &mut socket_rx, &mut socket_tx);
//! let (mut rx, mut tx) = ([0u8; 1024], [0u8; 768]);
//! let mut client = Client::new(&mut rx, &mut tx, Config::DEFAULT);
//! let server = Server::new("bridge.example.net", 80);
//!
//! let mut pending = requests.iter().peekable();
//! while pending.peek().is_some() {
//!     connect(stack, &mut socket, &server).await?; // aborts a previous connection
//!     let mut connection = Some(Connection::new(&mut socket));
//!     while let (Some(c), Some(request)) = (connection.take(), pending.peek()) {
//!         match client.send(c, request).await {
//!             Ok(mut reply) => {
//!                 connection = reply.take_connection(); // None: reconnect
//!                 let _participant = reply.participant()?;
//!                 pending.next();
//!             }
//!             // Not sent (an idle connection the server closed): resend on a new one.
//!             Err(failed) if failed.error.request_not_sent() => connection = failed.connection,
//!             Err(failed) => return Err(failed.error),
//!         }
//!     }
//! }
//! # Ok(()) }
//! ```

use embassy_net::dns::DnsQueryType;
use embassy_net::tcp::{Error as TcpError, State, TcpSocket};
use embassy_net::{IpAddress, IpEndpoint, Stack};
use embassy_time::{Duration, with_timeout};

use crate::Error;
use crate::log::{log_debug, log_warn};

/// Where the service (or a confpart bridge) listens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Server<'a> {
    /// Host name (resolved through the stack's DNS) or an IPv4 literal.
    pub host: &'a str,
    /// TCP port (443 for TLS, 80 for a plain bridge).
    pub port: u16,
    /// Deadline of DNS, TCP connect, and the TLS handshake, each.
    pub timeout: Duration,
    /// A fixed address to connect to instead of resolving `host` (which
    /// still names the server for TLS: SNI and the certificate check).
    pub address: Option<IpAddress>,
}

impl<'a> Server<'a> {
    /// `host:port`, 10 s deadline per step.
    pub const fn new(host: &'a str, port: u16) -> Self {
        Self {
            host,
            port,
            timeout: Duration::from_secs(10),
            address: None,
        }
    }

    /// The same server at a fixed address (no DNS query; `host` still
    /// names it for TLS).
    pub const fn at(self, address: IpAddress) -> Self {
        Self {
            address: Some(address),
            ..self
        }
    }

    /// Twilio's API: `api.twilio.com:443` (TLS). Its chains are RSA
    /// (DigiCert today) and may be RSA or ECDSA under Amazon's roots from
    /// 2027: verify them with the `rsa` feature and
    /// `verify::anchors::TWILIO`.
    pub const fn twilio() -> Server<'static> {
        Server::new(confpart::api::path::TWILIO_HOST, 443)
    }

    /// Telnyx's API: `api.telnyx.com:443` (TLS), for requests built with
    /// `Endpoint::telnyx()`. No anchors ship for it: give the roots its
    /// chain ends in (as its certificates show them) as a `&[TrustAnchor]`.
    ///
    /// ```
    /// use confpart_embassy::net::Server;
    /// assert_eq!((Server::telnyx().host, Server::telnyx().port), ("api.telnyx.com", 443));
    /// ```
    pub const fn telnyx() -> Server<'static> {
        Server::new(confpart::api::path::TELNYX_HOST, 443)
    }
}

/// An IPv4 literal, or the first A record of `host` ([`Error::Dns`] when
/// there is none, or no answer within `timeout`).
///
/// ```no_run
/// # async fn demo(stack: embassy_net::Stack<'_>) -> Result<(), confpart_embassy::Error<embassy_net::tcp::Error>> {
/// use confpart_embassy::Duration;
/// use confpart_embassy::net::resolve;
///
/// let address = resolve(stack, "api.twilio.com", Duration::from_secs(5)).await?;
/// # let _ = address;
/// # Ok(()) }
/// ```
pub async fn resolve(
    stack: Stack<'_>,
    host: &str,
    timeout: Duration,
) -> Result<IpAddress, Error<TcpError>> {
    lookup(stack, host, timeout).await
}

/// [`resolve`] for either side's error type (it holds no transport error).
async fn lookup<E>(stack: Stack<'_>, host: &str, timeout: Duration) -> Result<IpAddress, Error<E>> {
    if let Some(ip) = parse_ipv4(host) {
        return Ok(IpAddress::Ipv4(ip));
    }
    let answer = with_timeout(timeout, stack.dns_query(host, DnsQueryType::A))
        .await
        .map_err(|_| Error::Dns)?
        .map_err(|_| Error::Dns)?;
    answer.first().copied().ok_or(Error::Dns)
}

fn parse_ipv4(host: &str) -> Option<embassy_net::Ipv4Address> {
    let mut octets = [0u8; 4];
    let mut parts = host.split('.');
    for octet in &mut octets {
        let part = parts.next()?;
        if part.is_empty() || part.len() > 3 || !part.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        *octet = part.parse().ok()?;
    }
    parts
        .next()
        .is_none()
        .then(|| embassy_net::Ipv4Address::from(octets))
}

/// Connects `socket` to `server`: a socket that is not closed is aborted
/// first (never reused half-way), the host is resolved, the TCP handshake
/// runs under `server.timeout`. The error is the plain-TCP side's (that of
/// a [`crate::Connection`] over `&mut TcpSocket`); see the module docs for
/// an example.
pub async fn connect(
    stack: Stack<'_>,
    socket: &mut TcpSocket<'_>,
    server: &Server<'_>,
) -> Result<(), Error<TcpError>> {
    open(stack, socket, server).await
}

/// [`connect`] for either side's error type (it holds no transport error).
async fn open<E>(
    stack: Stack<'_>,
    socket: &mut TcpSocket<'_>,
    server: &Server<'_>,
) -> Result<(), Error<E>> {
    if socket.state() != State::Closed {
        socket.abort();
        // Let the stack send the reset and free the connection.
        let _ = with_timeout(server.timeout, socket.flush()).await;
    }
    let address = match server.address {
        Some(address) => address,
        None => lookup(stack, server.host, server.timeout).await?,
    };
    let endpoint = IpEndpoint::new(address, server.port);
    match with_timeout(server.timeout, socket.connect(endpoint)).await {
        Ok(Ok(())) => {
            log_debug!("confpart-embassy: connected to port {=u16}", server.port);
            Ok(())
        }
        _ => {
            log_warn!(
                "confpart-embassy: connect to port {=u16} failed",
                server.port
            );
            socket.abort();
            Err(Error::Connect)
        }
    }
}

#[cfg(feature = "tls")]
pub use tls::{TlsStream, TlsVerify, connect_tls, open_tls};

#[cfg(feature = "tls")]
mod tls {
    use embassy_net::Stack;
    use embassy_net::tcp::TcpSocket;
    use embassy_time::with_timeout;
    use embedded_tls::{
        Aes128GcmSha256, CryptoProvider, TlsConfig, TlsConnection, TlsContext, TlsError,
        TlsVerifier,
    };
    use rand_core::CryptoRngCore;

    use super::{Server, open};
    use crate::Error;
    use crate::verify::{TrustAnchor, Validity, Verifier};

    /// How the server's certificate is checked.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum TlsVerify<'a> {
        /// The chain verified by [`crate::verify`] (rustls-webpki): a path
        /// from the leaf to one of these anchors, every issuer a CA, the
        /// leaf for `Server::host` and `serverAuth`, validity as the
        /// [`Validity`] says (from a [`crate::verify::Clock`]), then the
        /// handshake signature with the leaf's key. Twilio:
        /// `TlsVerify::Anchors(verify::anchors::TWILIO, clock.validity())`.
        Anchors(&'a [TrustAnchor<'a>], Validity),
        /// **No verification at all**: anyone on the path can read and
        /// change the traffic, the auth token included. Only for a lab
        /// bridge on a trusted link; never for Twilio, SignalWire or Telnyx.
        DangerNoVerification,
    }

    /// The TLS 1.3 session on a borrowed socket (`Read + Write`: give it to
    /// [`crate::Connection::new`]).
    pub type TlsStream<'s, 'd> = TlsConnection<'s, &'s mut TcpSocket<'d>, Aes128GcmSha256>;

    struct Provider<'v, 'a, R> {
        rng: R,
        verifier: Option<&'v mut Verifier<'a>>,
    }

    impl<R: CryptoRngCore> CryptoProvider for Provider<'_, '_, R> {
        type CipherSuite = Aes128GcmSha256;
        type Signature = &'static [u8];

        fn rng(&mut self) -> impl CryptoRngCore {
            &mut self.rng
        }

        fn verifier(&mut self) -> Result<&mut impl TlsVerifier<Aes128GcmSha256>, TlsError> {
            // `Err` makes embedded-tls skip verification: only for
            // `DangerNoVerification`.
            self.verifier.as_deref_mut().ok_or(TlsError::Unimplemented)
        }
    }

    /// Runs the TLS 1.3 handshake (AES-128-GCM-SHA256, SNI and name check
    /// = `server_name`) on any connected `Read + Write` transport (an
    /// embassy-net socket, a tokio stream through `FromTokio`).
    ///
    /// `read_record` must hold a whole TLS record: 16 640 bytes for any
    /// server; `write_record` 16 640 too, or at least the largest request
    /// plus 29 bytes of record overhead (the handshake is written through
    /// the larger of the two). `rng` must be a cryptographic generator (a
    /// hardware RNG). The error is the TLS side's, that of a
    /// [`crate::Connection`] over the session: `Error<TlsError>`, with
    /// [`Error::Tls`] for a failed handshake.
    ///
    /// ```no_run
    /// # async fn demo<S>(transport: S, anchors: &[confpart_embassy::verify::TrustAnchor<'_>], now: confpart_embassy::verify::UnixTime, rng: impl rand_core::CryptoRngCore) -> Result<(), confpart_embassy::Error<embedded_tls::TlsError>>
    /// # where S: embedded_io_async::Read + embedded_io_async::Write {
    /// use confpart_embassy::Connection;
    /// use confpart_embassy::net::{TlsVerify, open_tls};
    /// use confpart_embassy::verify::Validity;
    ///
    /// let (mut read_record, mut write_record) = ([0u8; 16_640], [0u8; 16_640]);
    /// let session = open_tls(
    ///     transport,
    ///     &mut read_record,
    ///     &mut write_record,
    ///     "bridge.example.net",
    ///     TlsVerify::Anchors(anchors, Validity::At(now)),
    ///     rng,
    /// )
    /// .await?;
    /// let connection = Connection::new(session); // for Client::send
    /// # drop(connection);
    /// # Ok(()) }
    /// ```
    pub async fn open_tls<'s, S>(
        transport: S,
        read_record: &'s mut [u8],
        write_record: &'s mut [u8],
        server_name: &str,
        verify: TlsVerify<'_>,
        rng: impl CryptoRngCore,
    ) -> Result<TlsConnection<'s, S, Aes128GcmSha256>, Error<TlsError>>
    where
        S: embedded_io_async::Read + embedded_io_async::Write + 's,
    {
        let mut session = TlsConnection::new(transport, read_record, write_record);
        let config = TlsConfig::new().with_server_name(server_name);
        // RSA signatures are offered only when they can be verified.
        #[cfg(feature = "rsa")]
        let config = config.enable_rsa_signatures();
        let mut verifier = match verify {
            TlsVerify::Anchors(anchors, validity) => {
                Some(Verifier::new(anchors, server_name, validity))
            }
            TlsVerify::DangerNoVerification => None,
        };
        let provider = Provider {
            rng,
            verifier: verifier.as_mut(),
        };
        let opened = session.open(TlsContext::new(&config, provider)).await;
        if let Some(verifier) = &verifier {
            // A refused chain or signature is told as such, whatever error
            // embedded-tls made of it.
            if let Some(e) = verifier.refusal() {
                return Err(Error::Certificate(e));
            }
            // embedded-tls lets a handshake without CertificateVerify
            // through: the verifier must have seen the chain and the
            // signature before the session is handed out.
            if opened.is_ok() {
                verifier.finish().map_err(Error::Certificate)?;
            }
        }
        opened.map_err(|e| Error::Tls(crate::error::TlsFailure(e)))?;
        Ok(session)
    }

    /// Connects `socket` ([`super::connect`]), then [`open_tls`] with
    /// `server.host` as the name, the handshake under `server.timeout`
    /// ([`Error::Timeout`] when it passes). The error is the TLS side's
    /// (`Error<TlsError>`), as for [`open_tls`].
    ///
    /// ```no_run
    /// # async fn demo(stack: embassy_net::Stack<'_>, anchors: &[confpart_embassy::verify::TrustAnchor<'_>], now: confpart_embassy::verify::UnixTime, rng: impl rand_core::CryptoRngCore, request: &confpart::client::Request<'_>) -> Result<(), confpart_embassy::Error<embedded_tls::TlsError>> {
    /// use confpart_embassy::net::{Server, TlsVerify, connect_tls};
    /// use confpart_embassy::verify::Validity;
    /// use confpart_embassy::{Client, Config, Connection};
    /// use embassy_net::tcp::TcpSocket;
    ///
    /// let (mut socket_rx, mut socket_tx) = ([0u8; 1024], [0u8; 1024]);
    /// let mut socket = TcpSocket::new(stack, &mut socket_rx, &mut socket_tx);
    /// let (mut read_record, mut write_record) = ([0u8; 16_640], [0u8; 16_640]);
    /// let session = connect_tls(
    ///     stack,
    ///     &mut socket,
    ///     &mut read_record,
    ///     &mut write_record,
    ///     &Server::twilio(),
    ///     TlsVerify::Anchors(anchors, Validity::At(now)),
    ///     rng,
    /// )
    /// .await?;
    /// let (mut rx, mut tx) = ([0u8; 1024], [0u8; 768]);
    /// let mut client = Client::new(&mut rx, &mut tx, Config::DEFAULT);
    /// let reply = client.send(Connection::new(session), request).await?;
    /// let _participant = reply.participant()?;
    /// # Ok(()) }
    /// ```
    pub async fn connect_tls<'s, 'd>(
        stack: Stack<'_>,
        socket: &'s mut TcpSocket<'d>,
        read_record: &'s mut [u8],
        write_record: &'s mut [u8],
        server: &Server<'_>,
        verify: TlsVerify<'_>,
        rng: impl CryptoRngCore,
    ) -> Result<TlsStream<'s, 'd>, Error<TlsError>> {
        open(stack, socket, server).await?;
        let handshake = open_tls(socket, read_record, write_record, server.host, verify, rng);
        match with_timeout(server.timeout, handshake).await {
            Ok(result) => result,
            Err(_) => Err(Error::Timeout),
        }
    }
}
