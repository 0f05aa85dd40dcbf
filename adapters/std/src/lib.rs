//! `confpart-std`: the host adapter of `confpart`.
//!
//! Std-only infrastructure that moves the bytes the `confpart` core writes and reads:
//!
//! | module | what |
//! |---|---|
//! | [`config`] | service endpoints and credentials from the environment ([`config::Service`]), [`config::Secret`] |
//! | [`retry`] | random bits for the retry jitter ([`retry::Rng`]); the retry rules are the core's `confpart::api::retry` |
//! | [`trust`] | which CAs a TLS server must chain to: the platform's store (bundled roots as fallback), `--ca-file`, `CONFPART_CA_FILE` |
//! | [`proxy`] | HTTP proxies: `--proxy`, `HTTPS_PROXY` / `HTTP_PROXY` / `NO_PROXY`, the `CONNECT` request |
//! | [`transport`] | blocking TCP / TLS (rustls) connections with timeouts and a keep-alive pool of one ([`transport::Pool`]) |
//! | [`server`] | an event-driven (tokio) TCP / TLS server: a task per connection, a connection cap, timeouts, graceful shutdown and a request log (`tracing`), around a sans-IO [`server::Handler`] |
//! | [`bridge`] | the core's bridge service behind [`server`] |
//! | [`client`] | the blocking client: five operations, retries, list paging ([`client::Client`]) |
//! | [`error`] | the one error type [`error::Error`] and its exit codes |
//! | [`commands`] | what each command does: flags to core values, the client, the printout |
//! | [`serve`] | what `confpart serve` does: flags to the bridge and server settings, the run |
//! | [`delivery`] | conference status callbacks sent off the request path: bounded queues, per-conference order, retries ([`delivery::Deliverer`]) |
//! | [`events`] | what `confpart events` does: receive status callbacks, check their signatures, print them |
//! | [`demo`] | what `confpart demo` does: a bridge in-process, every recipe through the client |
//! | [`cli`] | the `confpart` command's argument tree (clap) |
//! | [`app`] | the `confpart` command's dispatcher: a parsed [`cli::Cli`] to its command |
//!
//! The client is blocking (threads); the bridge server runs on tokio (a task per
//! connection, thousands of phones): see `ARCHITECTURE.md`, "Host adapter", and [`server`].
#![forbid(unsafe_code)]
// Shipped code never panics on input: no unwrap, expect, panicking index or panic!
// (unit tests may: `clippy.toml`).
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

pub mod app;
pub mod bridge;
pub mod cli;
pub mod client;
pub mod commands;
pub mod config;
pub mod delivery;
pub mod demo;
pub mod error;
pub mod events;
pub mod proxy;
pub mod retry;
pub mod serve;
pub mod server;
pub mod store;
pub mod transport;
pub mod trust;

#[cfg(test)]
mod testutil;

/// The system clock in Unix seconds (0 before 1970): the one reading of the wall clock
/// that the bridge, its callbacks and `confpart events` share.
pub(crate) fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}
