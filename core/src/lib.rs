//! # confpart
//!
//! A `#![no_std]`, allocation-free, panic-free codec and bridge service for the
//! *Conference Participant* calls (update, create, fetch, list, delete) of the
//! Twilio Programmable Voice API and of SignalWire's Twilio-compatible
//! ("LaML") API.
//!
//! The crate is *sans-IO*: every function takes bytes (or typed values) and
//! returns bytes (or typed values). Moving those bytes over a socket is the job
//! of the adapter crates (`confpart-std`, `confpart-embassy`).
//!
//! ## Layers
//!
//! The crate reads bottom-up in four modules; a file uses only its own layer
//! and those below, and no two files import each other in a cycle
//! (`scripts/layers.py` checks both):
//!
//! | layer | module | holds |
//! |---|---|---|
//! | 3 | [`client`], [`bridge`] | the two sides (neither uses the other): the client's [`client::Request`] and the reading of its answer; the bridge's conferences, router and [`bridge::Service`] |
//! | 2 | [`api`] | the participant API, the same for both sides: endpoints and paths, the five operations, the Update and Create forms, the participant resource, error bodies and codes, list pages and their query |
//! | 1 | [`wire`] | bytes and wire formats: the byte sink, form-urlencoded bytes, the JSON engine, RFC 2822 dates, SIDs and labels, HTTP/1.1 framing |
//!
//! **One path per public item.** An item is named by the file that defines
//! it: `confpart::<layer>::<file>::Item` (`confpart::api::update::Update`,
//! `confpart::wire::ident::CallSid`). [`client`], [`bridge`],
//! [`wire::http`] and [`wire::json`] are each one namespace over private
//! files (`confpart::client::Request`, `confpart::bridge::Service`,
//! `confpart::wire::http::RequestReader`). Nothing is re-exported at the root.
//!
//! ## The two flows
//!
//! Each flow has one error type: [`client::ClientError`] or
//! [`bridge::BridgeError`]; every lower-layer error converts into it, so `?`
//! works throughout.
//!
//! **Firmware client:** coach a participant on Twilio, read the answer
//! (in whatever pieces the socket gives).
//!
//! ```
//! use confpart::api::{path::Endpoint, update::Update};
//! use confpart::client::{ClientError, Credentials, Operation, Request};
//! use confpart::wire::http::Progress;
//! use confpart::wire::ident::{AccountSid, CallSid, ConferenceSid, ParticipantRef};
//! # let reply = concat!("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 84\r\n\r\n",
//! #     r#"{"call_sid": "CAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "coaching": true, "muted": false}"#).as_bytes();
//! # let mut socket = reply.chunks(7);
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
//! let mut tx = [0u8; 768];
//! let n = request.encode_to_slice(&mut tx)?; // send tx[..n]
//!
//! let mut rx = [0u8; 2048];
//! let mut reader = request.response_reader(&mut rx);
//! let response = loop {
//!     match socket.next() {
//!         Some(bytes) => if let Progress::Complete(m) = reader.feed(bytes)? { break m },
//!         None => break reader.finish()?, // the server closed the connection
//!     }
//! };
//! let participant = response.participant()?; // a 4xx/5xx is ClientError::Service
//! assert_eq!(participant.coaching(), Some(true));
//! # assert!(tx[..n].ends_with(b"Muted=false&Coaching=true&CallSidToCoach=CAbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"));
//! # Ok::<(), ClientError>(())
//! ```
//!
//! **Bridge:** a [`bridge::Service`] owns the conferences and the configured
//! [`bridge::Account`]s and answers each complete request with a complete response
//! (create, fetch, update, delete, list; Basic auth against the path's
//! account; every refusal with its status and code). The adapter reads,
//! hands over, and writes:
//!
//! ```
//! use confpart::api::path::Dialect;
//! use confpart::bridge::{Account, SequentialIds, Service, Timing};
//! use confpart::wire::{date::Timestamp, ident::AccountSid, sink::SliceSink};
//! use confpart::wire::http::{Progress, RequestReader};
//! # let request: &[u8] = b"POST /2010-04-01/Accounts/ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/Conferences/CFaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/Participants.json HTTP/1.1\r\nHost: x\r\n\
//! #     Authorization: Basic QUNhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYTphdXRoIHRva2Vu\r\nContent-Length: 35\r\n\r\n\
//! #     From=%2B15005550006&To=%2B15005550001";
//! # let mut socket = request.chunks(16);
//! # let now = Timestamp::from_unix(1_700_000_000).unwrap();
//!
//! let accounts = [Account::new(AccountSid::parse("ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")?, "auth token")];
//! let mut service: Service<'_, 4, 16> = Service::new(Dialect::Twilio, Timing::IMMEDIATE, &accounts);
//! let mut ids = SequentialIds::new(); // or your RNG behind `IdSource`
//! let (mut rx, mut scratch, mut tx) = ([0u8; 2048], [0u8; 1024], [0u8; 4096]);
//! let mut reader = RequestReader::new(&mut rx);
//! let mut out = SliceSink::new(&mut tx);
//! let handled = loop {
//!     let Some(bytes) = socket.next() else { return Ok(()) }; // closed
//!     match reader.feed(bytes) {
//!         Ok(Progress::Partial) => continue,
//!         Ok(Progress::Complete(m)) => break service.handle(&m, now, &mut ids, &mut scratch, &mut out)?,
//!         Err(e) => break Service::<4, 16>::reject(&e, &mut out)?, // then close
//!     }
//! };
//! // send out.written(); keep the connection when handled.keep_alive
//! assert_eq!((handled.status, handled.keep_alive), (201, true));
//! while let Some(_notice) = service.pop_notice() { /* deliver the status callbacks */ }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The same by hand, on one [`bridge::Conference`]: read a request, route it, check
//! Basic auth, decode the form, apply it to the conference, answer — every
//! failure (framing, 404, 401, a bad form, a [`bridge::Rejection`] by the update
//! rules) goes through one error type and one writer.
//!
//! ```
//! use confpart::api::update::Update;
//! use confpart::bridge::{self, BridgeError, Conference, ConferenceError};
//! use confpart::wire::http::{Connection, Progress, RequestReader};
//! use confpart::wire::{date::Timestamp, sink::{Sink, SliceSink}};
//! # use confpart::api::path::Dialect;
//! # use confpart::bridge::{Join, Lifecycle};
//! # use confpart::wire::ident::{AccountSid, CallSid, ConferenceSid};
//! # let mut conf: Conference<8> = Conference::new(
//! #     AccountSid::parse("ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")?,
//! #     ConferenceSid::parse("CFaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")?, Dialect::Twilio);
//! # let now = Timestamp::from_unix(1_700_000_000).ok_or(ConferenceError::NotFound)?;
//! # for sid in ["CAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "CAbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"] {
//! #     conf.join(Join::new(CallSid::parse(sid)?).status(Lifecycle::Connected), now)?;
//! # }
//! # let token = "auth token";
//! # let request = b"POST /2010-04-01/Accounts/ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/Conferences/CFaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/Participants/CAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.json HTTP/1.1\r\nHost: x\r\n\
//! #     Authorization: Basic QUNhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYTphdXRoIHRva2Vu\r\nContent-Length: 74\r\n\r\n\
//! #     Muted=true&Coaching=true&CallSidToCoach=CAbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
//!
//! fn answer<const N: usize>(
//!     conf: &mut Conference<N>,
//!     token: &str,
//!     request: &[u8], // or fed piece by piece: Progress::Partial asks for more
//!     out: &mut impl Sink,
//!     now: Timestamp,
//! ) -> Result<(), BridgeError> {
//!     let mut rx = [0u8; 1024];
//!     let mut reader = RequestReader::new(&mut rx);
//!     let Progress::Complete(m) = reader.feed(request)? else { return Ok(()) };
//!     let route = bridge::route(m.method(), m.path())?;
//!     bridge::check_basic(m.authorization(), route.path.account.as_str(), token)?;
//!     let mut scratch = [0u8; 256];
//!     let update = Update::decode(m.body(), &mut scratch)?.update;
//!     let applied = conf.apply(route.participant()?, &update, now)?; // a Rejection too
//!     let resource = conf.resource(&applied.state.call_sid, route.path.style);
//!     let participant = resource.ok_or(ConferenceError::NotFound)?;
//!     bridge::write_participant(out, 200, &participant, Connection::KeepAlive)
//! }
//!
//! let mut tx = [0u8; 1024];
//! let mut sink = SliceSink::new(&mut tx);
//! if let Err(e) = answer(&mut conf, token, request, &mut sink, now) {
//!     sink = SliceSink::new(&mut tx); // drop a partial answer
//!     bridge::write_error(&mut sink, &e, Connection::Close)?; // status, code, WWW-Authenticate / Allow
//! }
//! assert!(sink.written().starts_with(b"HTTP/1.1 200 OK\r\n"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
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

#[cfg(test)]
extern crate std;

pub mod api;
pub mod bridge;
pub mod client;
pub mod wire;
