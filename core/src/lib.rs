//! # confpart
//!
//! A `#![no_std]`, allocation-free, panic-free codec for the *Update Conference
//! Participant* call of the Twilio Programmable Voice API and of SignalWire's
//! Twilio-compatible ("LaML") API.
//!
//! The crate is *sans-IO*: every function takes bytes (or typed values) and
//! returns bytes (or typed values). Moving those bytes over a socket is the job
//! of the adapter crates (`confpart-std`, `confpart-embassy`).
//!
//! ## Modules
//!
//! | module | holds |
//! |---|---|
//! | [`ident`] | account / conference / call SIDs, participant labels |
//! | [`path`] | dialects, hosts, resource paths (write and parse) |
//! | [`mod@write`] | the byte [`write::Sink`] every encoder writes into |
//! | [`form`] | `application/x-www-form-urlencoded` primitives |
//! | [`update`] | the Update request: fields, builder, recipes, validation, codec |
//! | [`date`] | RFC 2822 timestamps |
//! | [`json`] | strict JSON pre-validation and string unescaping |
//! | [`participant`] | the participant resource (JSON) |
//! | [`api_error`] | Twilio and SignalWire error bodies |
//! | [`list`] | participant list pages |
//! | [`conference`] | participant lifecycle, conference model, applying updates with the services' answers |
//! | [`http`] | sans-IO HTTP/1.1 framing: client request/response, bridge request/response |
//!
//! ## Example
//!
//! ```
//! use confpart::update::Update;
//!
//! let mut buf = [0u8; 64];
//! let n = Update::mute().encode_to_slice(&mut buf)?;
//! assert_eq!(&buf[..n], b"Muted=true");
//! # Ok::<(), confpart::write::WriteError>(())
//! ```
#![no_std]
#![forbid(unsafe_code)]
#![cfg_attr(
    test,
    allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::panic
    )
)]

#[cfg(test)]
extern crate std;

pub mod api_error;
mod base64;
pub mod conference;
pub mod date;
pub mod form;
pub mod http;
pub mod ident;
pub mod json;
pub mod list;
pub mod participant;
pub mod path;
mod scan;
pub mod update;
pub mod write;
