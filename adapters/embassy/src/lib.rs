//! # confpart-embassy
//!
//! The firmware adapter of `confpart`: an async client for the Twilio /
//! SignalWire *Update Conference Participant* API over any
//! [`embedded_io_async`] stream (an embassy-net `TcpSocket`, an
//! `embedded-tls` session, a tokio stream through `embedded-io-adapters`),
//! with caller-owned buffers, timeouts through `embassy-time`, bounded
//! retries of 429/503, and connections that are never reused after a
//! failure. `#![no_std]`, no allocator, no `unsafe`.
//!
//! ```no_run
//! # async fn demo<T: embedded_io_async::Read + embedded_io_async::Write>(socket: T) -> Result<(), confpart_embassy::Error<T::Error>> {
//! use confpart::wire::ident::{AccountSid, CallSid, ConferenceSid};
//! use confpart::client::Credentials;
//! use confpart::api::path::Endpoint;
//! use confpart::client::{Operation, Request};
//! use confpart::wire::ident::ParticipantRef;
//! use confpart::api::update::Update;
//! use confpart_embassy::{Client, Config, Connection};
//!
//! let account = AccountSid::parse("ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")?;
//! let agent = ParticipantRef::parse("CAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")?;
//! let customer = CallSid::parse("CAbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb")?;
//! let request = Request::new(
//!     Endpoint::twilio(),
//!     Credentials::new(account.as_str(), "auth token")?,
//!     account,
//!     ConferenceSid::parse("CFaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")?,
//!     Operation::update(&agent, Update::coach(customer)),
//! );
//! let (mut rx, mut tx) = ([0u8; 1024], [0u8; 768]);
//! let mut client = Client::new(&mut rx, &mut tx, Config::DEFAULT);
//! let mut reply = client.send(Connection::new(socket), &request).await?;
//! let next = reply.take_connection(); // Some while keep-alive and in step
//! let participant = reply.participant()?; // a view into rx
//! assert_eq!(participant.coaching(), Some(true));
//! # drop(next);
//! # Ok(()) }
//! ```
//!
//! ## Connections
//!
//! A [`Connection`] is moved into [`Client::send`] and comes back only when
//! it is in step with the server ([`Reply::take_connection`]). After a
//! timeout, a transport error, a response that is cut short, does not
//! frame or does not decode, a response naming another participant, extra
//! bytes after the response, or `Connection: close`, the transport is
//! dropped: no value is left to send the next request on, so a stale
//! response can never be read as the answer to it.
//!
//! ## Errors
//!
//! [`Error<E>`](Error) is the one error type, from connecting to the reply:
//! `E` is the transport's error, kept as it was given when a read or a write
//! fails (`embassy_net::tcp::Error` over a `TcpSocket`,
//! `embedded_tls::TlsError` over TLS). [`Error::kind`] reduces it to
//! `Error<embedded_io::ErrorKind>`, which compares with `==` whatever the
//! transport.
//!
//! ## RAM for one round trip
//!
//! | part | plain TCP | TLS 1.3 (`tls`, `rsa`), measured on a Cortex-M4 |
//! |---|---|---|
//! | client `tx` (request; reused to stage reads) | 768 B | 768 B |
//! | client `rx` (one response) | 1 024 B | 1 024 B |
//! | `Client::send` future (measured on thumbv7m by the firmware) | 592 B | 592 B |
//! | `TcpSocket` rx + tx buffers (embassy-net) | 2 × 1 024 B | 2 × 1 024 B (a UART in the selftest) |
//! | `embedded-tls` record buffers (read + write) | — | 16 640 + 1 024 B (write: the largest request + 29) |
//! | the whole TLS session future (records, `verify::Verifier` with its 4 KiB leaf copy, client buffers, key schedule) | — | 24 016 B |
//! | heap peak while verifying (RSA-2048 chain; 0 for ECDSA) | — | 11 608 B (a 12 KiB heap) |
//! | stack high-water (painted) | 2.3 KiB | 12.3 KiB |
//! | **total** | **≈ 6.5 KiB** | **47.1 KiB** with an RSA-2048 chain, 35.0 KiB with ECDSA (+ socket buffers) |
//!
//! The client buffers are the caller's: `Client::new(&mut rx, &mut tx, ..)`;
//! a [`confpart::client::Request`] that does not fit `tx` is refused before a byte
//! is written ([`Error::Request`], connection given back). The firmware in
//! `adapters/embassy/firmware` measures its task stacks under qemu.
//!
//! ## Features
//!
//! - `tls`: `net::connect_tls`, `net::TlsVerify` and `net::TlsStream`, through
//!   `embedded-tls` (TLS 1.3 only), and `verify`: the server's chain checked
//!   by `rustls-webpki` against several trust anchors (built-in Twilio sets
//!   or your own), every issuer a CA, the host name, the validity dates
//!   against a clock you supply, ECDSA P-256/P-384 signatures. No
//!   verification only through the loudly named
//!   `TlsVerify::DangerNoVerification`.
//! - `rsa`: RSA PKCS#1 v1.5 / PSS 2048-4096-bit signatures too (RustCrypto
//!   `rsa`, which allocates: the firmware provides a global allocator, a
//!   bounded heap used only during the handshake; SIZE.md gives its peak).
//!
//! ## TLS to Twilio: the two lines
//!
//! ```no_run
//! # async fn demo(stack: embassy_net::Stack<'_>, socket: &mut embassy_net::tcp::TcpSocket<'_>, rng: impl rand_core::CryptoRngCore, rtc_unix_seconds: u64) -> Result<(), confpart_embassy::Error<embedded_tls::TlsError>> {
//! # let (mut read_record, mut write_record) = ([0u8; 16_640], [0u8; 1_024]);
//! use confpart_embassy::net::{Server, TlsVerify, connect_tls};
//! use confpart_embassy::verify::{Clock, UnixClock, anchors};
//! // Anchors: DigiCert (today) and Amazon Trust Services (from 26 January 2027)
//! // in one set; the clock: seconds since 1970 from an RTC or SNTP.
//! let verify = TlsVerify::Anchors(anchors::TWILIO, UnixClock(rtc_unix_seconds).validity());
//! let session = connect_tls(stack, socket, &mut read_record, &mut write_record, &Server::twilio(), verify, rng).await?;
//! # drop(session); Ok(()) }
//! ```
//!
//! Without a clock, `verify::ValidityUncheckedNoClock.validity()` (or
//! `Validity::UncheckedNoClock`) checks everything but the dates, and logs
//! a warning on every handshake saying so.
//! - `defmt`: log lines through `defmt` (the application provides the
//!   global logger; this crate never defines one), and `defmt::Format` on
//!   the public types.
#![no_std]
#![forbid(unsafe_code)]
// Shipped code never panics on input: no unwrap, expect, panicking index or panic!
// (unit tests may: `clippy.toml`).
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod client;
mod error;
mod log;
pub mod net;
#[cfg(feature = "tls")]
pub mod verify;

pub use client::{Client, Config, Connection, Failed, Reply};
pub use error::Error;
#[cfg(feature = "tls")]
pub use error::TlsFailure;

/// The core crate this adapter speaks for (requests, outcomes, views).
pub use confpart;
/// The time types of [`Config`].
pub use embassy_time::Duration;
