//! `confpart-std`: the host adapter of `confpart`.
//!
//! Std-only infrastructure that moves the bytes the `confpart` core writes and reads:
//!
//! | module | what |
//! |---|---|
//! | [`config`] | service endpoints and credentials from the environment ([`config::Service`]), [`config::Secret`] |
//! | [`retry`] | random bits for the retry jitter and the bridge's ids ([`retry::Rng`]); the retry rules are the core's `confpart::api::retry` |
//! | [`transport`] | blocking TCP / TLS (rustls) connections with timeouts and a keep-alive pool of one ([`transport::Pool`]) |
//! | [`server`] | a threaded TCP / TLS server with bounded workers, timeouts and graceful shutdown, around a [`server::Handler`] |
//! | [`client`] | the blocking client: five operations, retries, list paging ([`client::Client`]) |
//! | [`error`] | the one error type [`Error`] and its exit codes |
//! | [`commands`] | what each command does: flags to core values, the client, the printout |
//! | [`cli`] | the `confpart` command's argument tree (clap) |
//!
//! Threads, not an async runtime: see `ARCHITECTURE.md`, "Host adapter", and [`server`].
#![forbid(unsafe_code)]

pub use error::{Error, ServiceError};

pub mod bridge;
pub mod cli;
pub mod client;
pub mod commands;
pub mod config;
pub mod demo;
pub mod error;
pub mod retry;
pub mod server;
pub mod transport;

#[cfg(test)]
mod testutil;
