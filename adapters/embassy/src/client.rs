//! The transport-generic client: [`Client`], [`Connection`], [`Reply`],
//! [`Failed`] and [`Config`].

use core::fmt;

use confpart::api::participant::Participant;
use confpart::api::retry::{Attempt, Decision, RetryPolicy};
use confpart::client::{Failure, Outcome, Request, ResponseReader};
use confpart::wire::ident::ParticipantRef;
use embassy_time::{Duration, Timer, with_timeout};
use embedded_io_async::{ErrorType, Read, Write};

use crate::Error;
use crate::log::{log_debug, log_warn};

/// The client's settings. [`Config::DEFAULT`]: 10 s per attempt, 3
/// attempts, `Retry-After` honoured up to 30 s, 1 s back-off when the
/// service names no time.
///
/// Which answers are retried and how long to wait is the core's rule
/// ([`confpart::api::retry::RetryPolicy::decide`]: `429` and `503`, the
/// `Retry-After` up to a limit, else a back-off) with these settings; the
/// client adds what only it knows: a retry goes out on the same
/// connection, so only while that connection stays in step.
///
/// ```
/// use confpart_embassy::{Config, Duration};
///
/// let patient = Config { max_attempts: 5, ..Config::DEFAULT };
/// assert_eq!(patient.backoff, Duration::from_secs(1));
/// assert_eq!(Config::default(), Config::DEFAULT);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Config {
    /// The deadline of one attempt: writing the request and reading the
    /// whole response. When it passes the connection is dropped
    /// ([`Error::Timeout`]).
    pub timeout: Duration,
    /// Attempts in all, the first one included (at least 1). Only the
    /// answers the core's rule retries (`429` and `503`) are sent again, on
    /// the same connection, and only while it stays open (a
    /// `Connection: close` answer, or a request that said
    /// `Connection: close`, ends the retries: the caller reconnects).
    pub max_attempts: u8,
    /// A `Retry-After` longer than this is not waited for: the 429/503 is
    /// returned as it is.
    pub max_retry_after: Duration,
    /// The wait before a retry when the answer has no `Retry-After` in
    /// seconds (none, or an HTTP-date: firmware has no wall clock here).
    /// Fixed: no growth, no jitter.
    pub backoff: Duration,
}

impl Config {
    /// 10 s per attempt, 3 attempts, `Retry-After` up to 30 s, 1 s back-off.
    pub const DEFAULT: Self = Self {
        timeout: Duration::from_secs(10),
        max_attempts: 3,
        max_retry_after: Duration::from_secs(30),
        backoff: Duration::from_secs(1),
    };
}

impl Default for Config {
    fn default() -> Self {
        Self::DEFAULT
    }
}

impl Config {
    /// The core's retry policy with these settings: a fixed `backoff`
    /// (constant, no jitter: firmware need not have an RNG). No time budget
    /// beyond the attempts' (each has its `timeout`).
    fn retry_policy(&self) -> RetryPolicy {
        let backoff = core::time::Duration::from(self.backoff);
        RetryPolicy {
            max_attempts: u32::from(self.max_attempts.max(1)),
            max_total: core::time::Duration::MAX,
            base: backoff,
            cap: backoff,
            factor: 1,
            max_retry_after: self.max_retry_after.into(),
            retry_not_found: false,
            jitter: false,
        }
    }
}

/// A connection that is known to be in step with the server: every request
/// written on it was answered by exactly one complete response, and no
/// unasked-for byte was seen.
///
/// It is *moved* into [`Client::send`] and handed back only when it can
/// carry the next request ([`Reply::take_connection`],
/// [`Failed::connection`]). After a timeout, a write or read error, a
/// response that does not frame or decode, an extra (pipelined) response
/// or `Connection: close`, the transport is dropped inside the client:
/// there is no value left to send the next request on, so a stale answer can
/// never be read as the answer to it. (Pass the transport itself, not a
/// `&mut` to it, to get that guarantee from the compiler; the embassy-net
/// layer, which lends a `&mut TcpSocket`, aborts the socket itself.)
pub struct Connection<T> {
    io: T,
    exchanges: u32,
}

impl<T> fmt::Debug for Connection<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Connection")
            .field("exchanges", &self.exchanges)
            .finish_non_exhaustive()
    }
}

impl<T: Read + Write> Connection<T> {
    /// A fresh connection (just opened: nothing written, nothing read).
    pub const fn new(io: T) -> Self {
        Self { io, exchanges: 0 }
    }
}

impl<T> Connection<T> {
    /// How many requests were answered on it.
    pub const fn exchanges(&self) -> u32 {
        self.exchanges
    }

    /// The transport, to close it gracefully (e.g. a TLS `close_notify`).
    pub fn into_inner(self) -> T {
        self.io
    }
}

/// A request that got no usable answer: why, and the connection when it is
/// still in step (only when nothing of the request was written, e.g. the
/// request did not fit in the tx buffer).
pub struct Failed<T: ErrorType> {
    /// What went wrong (with the transport's own error when its I/O failed).
    pub error: Error<T::Error>,
    /// The connection, when it can carry another request.
    pub connection: Option<Connection<T>>,
}

impl<T: ErrorType> fmt::Debug for Failed<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Failed")
            .field("error", &self.error)
            .field("connection", &self.connection)
            .finish()
    }
}

impl<T: ErrorType> From<Failed<T>> for Error<T::Error> {
    fn from(f: Failed<T>) -> Self {
        f.error
    }
}

impl<T: ErrorType> Failed<T> {
    fn dropped(error: Error<T::Error>) -> Self {
        Self {
            error,
            connection: None,
        }
    }
}

/// The answer to a request: the complete response, held in the client's rx
/// buffer, already checked to decode ([`Reply::outcome`] is a view into
/// it), and the connection if it can carry the next request.
pub struct Reply<'c, T> {
    reader: ResponseReader<'c>,
    connection: Option<Connection<T>>,
    attempts: u8,
}

impl<T> fmt::Debug for Reply<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Reply")
            .field("status", &self.status())
            .field("attempts", &self.attempts)
            .field("connection", &self.connection)
            .finish()
    }
}

impl<'c, T> Reply<'c, T> {
    /// The HTTP status.
    pub fn status(&self) -> u16 {
        self.reader.message().map_or(0, |m| m.status())
    }

    /// The whole response (headers such as `Twilio-Request-Id`).
    pub fn message(&self) -> Option<confpart::client::ResponseMessage<'_>> {
        self.reader.message()
    }

    /// How many attempts it took (more than 1 after a 429/503).
    pub const fn attempts(&self) -> u8 {
        self.attempts
    }

    /// True when the connection came back (keep-alive, in step).
    pub const fn reusable(&self) -> bool {
        self.connection.is_some()
    }

    /// The connection for the next request; `None` when it was closed
    /// (`Connection: close` in the request or the answer, a body delimited
    /// by the close, an extra response in the stream): open a new one.
    pub fn take_connection(&mut self) -> Option<Connection<T>> {
        self.connection.take()
    }
}

// The errors are the connection's type (`Error<T::Error>`) although they
// hold no transport error: one error type from connecting to the reply.
impl<T: ErrorType> Reply<'_, T> {
    /// The decoded answer: the participant, `Deleted`, the page, or the
    /// service's error ([`Outcome::Failure`], a 429/503 after the retries
    /// too). A view into the rx buffer.
    pub fn outcome(&self) -> Result<Outcome<'_>, Error<T::Error>> {
        let message = self.reader.message().ok_or(Error::Incomplete)?;
        Ok(message.outcome()?)
    }

    /// The participant of a 200 (update, fetch) or 201 (create); the
    /// service's error as [`Error::Response`] with
    /// [`confpart::client::ClientError::Service`] (status, code, `Retry-After`).
    pub fn participant(&self) -> Result<Participant<'_>, Error<T::Error>> {
        let message = self.reader.message().ok_or(Error::Incomplete)?;
        Ok(message.participant()?)
    }
}

/// The async client: caller-owned buffers, one request at a time.
///
/// - `tx` holds one encoded request, head and body (768 bytes covers
///   every recipe: coach is 543 bytes on Twilio with a 32-character
///   token; 1 KiB a 12-field update with three URLs; a request that does
///   not fit is refused before a byte is written), and is reused as the
///   read staging buffer while the response arrives (no third buffer).
/// - `rx` holds one response, head and body (1 KiB for a participant
///   with Twilio's ~20 headers; 2 KiB leaves room for a list page or a
///   proxy's error page).
///
/// A round trip needs `tx + rx` plus the `send` future's own state (592
/// bytes on thumbv7m); over plain TCP add the socket buffers, over TLS the
/// `embedded-tls` record buffers (see the crate docs for the totals).
pub struct Client<'b> {
    rx: &'b mut [u8],
    tx: &'b mut [u8],
    config: Config,
}

impl fmt::Debug for Client<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("rx", &self.rx.len())
            .field("tx", &self.tx.len())
            .field("config", &self.config)
            .finish()
    }
}

/// What one attempt gave, before the reply is handed out.
enum Step {
    /// The answer to return (`true`: the connection stays in step).
    Done(bool),
    /// A 429/503 on a connection that stays open: wait, then resend.
    Retry(Duration),
}

impl<'b> Client<'b> {
    /// A client over `rx` (responses) and `tx` (requests, then read
    /// staging).
    pub const fn new(rx: &'b mut [u8], tx: &'b mut [u8], config: Config) -> Self {
        Self { rx, tx, config }
    }

    /// The settings.
    pub const fn config(&self) -> &Config {
        &self.config
    }

    /// Sends `request` on `connection` and reads the answer, retrying a
    /// 429/503 as [`Config`] says. `Ok` when a complete response to the
    /// request arrived and decodes (a 4xx/5xx is `Ok` too: see
    /// [`Reply::outcome`]); `Err` otherwise, with the connection only if
    /// nothing was written.
    ///
    /// Before a request goes out on a connection that already carried one,
    /// the client checks that no byte is waiting on it (a late or extra
    /// response, or the server's close of an idle connection): such a
    /// connection is dropped with [`Error::Stale`] or [`Error::Closed`] and
    /// the request is not sent (safe to resend on a new connection). The
    /// check polls `read` once and cancels it; the reads of an embassy-net
    /// `TcpSocket`, a tokio stream and `embedded-tls` are cancel-safe.
    pub async fn send<'c, T: Read + Write>(
        &'c mut self,
        mut connection: Connection<T>,
        request: &Request<'_>,
    ) -> Result<Reply<'c, T>, Failed<T>> {
        let config = self.config;
        let tx = &mut *self.tx;
        let mut reader = request.response_reader(&mut *self.rx);
        let mut attempt: u8 = 1;
        // Nothing is written before the request encodes: a request that
        // does not fit gives the connection back.
        let mut len = match request.encode_to_slice(tx) {
            Ok(n) => n,
            Err(e) => {
                return Err(Failed {
                    error: Error::Request(e),
                    connection: Some(connection),
                });
            }
        };
        loop {
            if connection.exchanges > 0 {
                stale_check(&mut connection.io)
                    .await
                    .map_err(Failed::dropped)?;
            }
            // The results below are matched as temporaries, not bound to
            // names: the transport's error type is generic (it may need
            // dropping), so a named result would be kept alive across the
            // retry's wait, in the future's state (40 bytes each on
            // thumbv7m).
            let keep = match with_timeout(
                config.timeout,
                exchange(&mut connection.io, len, tx, &mut reader),
            )
            .await
            {
                Err(_) => {
                    log_warn!("confpart-embassy: attempt {=u8} timed out", attempt);
                    return Err(Failed::dropped(Error::Timeout));
                }
                Ok(Err(error)) => {
                    log_warn!("confpart-embassy: attempt {=u8} failed", attempt);
                    return Err(Failed::dropped(error));
                }
                // A request that said `Connection: close` is the last one on
                // its connection (RFC 9112 §9.6), whatever the answer says:
                // no retry on it, and it is not handed back.
                Ok(Ok(keep)) => {
                    keep && request.connection == confpart::wire::http::Connection::KeepAlive
                }
            };
            connection.exchanges = connection.exchanges.saturating_add(1);
            let delay = match decide(&reader, request, keep, attempt, &config) {
                Err(error) => return Err(Failed::dropped(error)),
                Ok(Step::Done(keep)) => {
                    log_debug!(
                        "confpart-embassy: {=u16} after {=u8} attempt(s), reusable: {=bool}",
                        reader.message().map_or(0, |m| m.status()),
                        attempt,
                        keep
                    );
                    return Ok(Reply {
                        reader,
                        connection: keep.then_some(connection),
                        attempts: attempt,
                    });
                }
                Ok(Step::Retry(delay)) => delay,
            };
            log_debug!(
                "confpart-embassy: retry {=u8} in {=u64} ms",
                attempt,
                delay.as_millis()
            );
            Timer::after(delay).await;
            reader.reset();
            attempt = attempt.saturating_add(1);
            // The staging use of `tx` overwrote the request.
            len = request
                .encode_to_slice(tx)
                .map_err(|e| Failed::dropped(Error::Request(e)))?;
        }
    }
}

/// Fails when a byte (or the end of the stream) is already waiting on a
/// connection between two requests.
async fn stale_check<T: Read>(io: &mut T) -> Result<(), Error<T::Error>> {
    let mut probe = [0u8; 1];
    match with_timeout(Duration::from_ticks(0), io.read(&mut probe)).await {
        Err(_) => Ok(()), // nothing waiting: in step
        Ok(Ok(0)) => Err(Error::Closed),
        Ok(Ok(_)) => Err(Error::Stale),
        Ok(Err(e)) => Err(Error::Read(e)),
    }
}

/// Writes the request in `tx[..n]` and reads the response into `reader`.
/// `Ok(true)` when the connection stays in step after it.
async fn exchange<T: Read + Write>(
    io: &mut T,
    n: usize,
    tx: &mut [u8],
    reader: &mut ResponseReader<'_>,
) -> Result<bool, Error<T::Error>> {
    let mut out = tx.get(..n).ok_or(Error::Incomplete)?;
    while !out.is_empty() {
        match io.write(out).await {
            Ok(0) => return Err(Error::WriteZero),
            Ok(k) => out = out.get(k..).unwrap_or_default(),
            Err(e) => return Err(Error::Write(e)),
        }
    }
    io.flush().await.map_err(Error::Write)?;
    loop {
        let got = io.read(tx).await.map_err(Error::Read)?;
        if got == 0 {
            // A body delimited by the close completes here; anything else
            // is a response cut short.
            reader.finish().map_err(Error::from)?;
            return Ok(false);
        }
        let input = tx.get(..got).unwrap_or_default();
        if let confpart::wire::http::Progress::Complete(m) = reader.feed(input)? {
            // Bytes after the response: an answer nobody asked for yet.
            let extra = m.consumed() < got;
            if extra {
                log_warn!(
                    "confpart-embassy: {=usize} extra bytes after the response",
                    got - m.consumed()
                );
            }
            return Ok(m.keep_alive() && !extra);
        }
    }
}

/// Checks the complete response (decodes, names the participant that was
/// asked for) and decides whether to retry it: by the core's rule
/// ([`Config::retry_policy`]), and only when the connection stays in step
/// (`keep`), as the retry is written on it. `attempt` counts from 1.
fn decide<E>(
    reader: &ResponseReader<'_>,
    request: &Request<'_>,
    keep: bool,
    attempt: u8,
    config: &Config,
) -> Result<Step, Error<E>> {
    let message = reader.message().ok_or(Error::Incomplete)?;
    let outcome = message.outcome()?;
    match outcome {
        Outcome::Participant(p) => {
            if let Some(ParticipantRef::Call(asked)) = request.operation.participant()
                && p.call_sid().is_some_and(|c| c != asked)
            {
                return Err(Error::Mismatch);
            }
            Ok(Step::Done(keep))
        }
        Outcome::Failure(Failure {
            status,
            error,
            retry_after,
        }) if keep => {
            let answered = Attempt::Status {
                status,
                code: error.and_then(|e| e.code),
                retry_after,
            };
            // No time spent counts against a budget (there is none), and no
            // wall clock: a `Retry-After` date counts as none; the policy draws no bits.
            let decision = config.retry_policy().decide(
                request.operation.kind(),
                u32::from(attempt),
                core::time::Duration::ZERO,
                None,
                &answered,
                &mut || 0,
            );
            Ok(match decision {
                Decision::Retry { after } => {
                    Step::Retry(Duration::try_from(after).unwrap_or(Duration::MAX))
                }
                Decision::Stop(_) => Step::Done(keep),
            })
        }
        _ => Ok(Step::Done(keep)),
    }
}
