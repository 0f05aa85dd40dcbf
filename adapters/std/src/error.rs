//! The one error type of the adapter, [`Error`], and its exit-code mapping.
//!
//! | exit | what |
//! |---|---|
//! | 1 ([`crate::cli::exit::BAD_INPUT`]) | bad input (an identifier, a field, a file, the environment, a CA file, a proxy URL), or the service refused the request ([`Error::Service`]) |
//! | 3 ([`crate::cli::exit::TRANSPORT`]) | transport, TLS, proxy refusal or timeout ([`Error::Transport`]), a response that is not a valid answer ([`Error::Response`]), a listener that cannot bind |
//!
//! No variant carries a secret: [`crate::config::ConfigError`] names variables, never secret
//! values, and the request bytes (with `Authorization`) are never part of an error.

use std::fmt;
use std::path::PathBuf;

use confpart::api::retry::RetryAfter;

use crate::config::ConfigError;
use crate::proxy::ProxyError;
use crate::server::TlsSetupError;
use crate::transport::Failure;
use crate::trust::TrustError;

/// The exit statuses (the same numbers as [`crate::cli::exit`]).
const BAD_INPUT: u8 = 1;
const TRANSPORT: u8 = 3;

/// An error answer of the service (a 4xx or 5xx), owned.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ServiceError {
    /// The HTTP status.
    pub status: u16,
    /// The error code of the body (`20404`, `16027`, ...), when it has one.
    pub code: Option<u32>,
    /// The body's message, unescaped.
    pub message: Option<String>,
    /// The body's documentation link.
    pub more_info: Option<String>,
    /// `Retry-After` of a 429 or 503.
    #[serde(skip)]
    pub retry_after: Option<RetryAfter>,
}

impl fmt::Display for ServiceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the service answered {}", self.status)?;
        if let Some(code) = self.code {
            write!(f, " (error {code})")?;
        }
        if let Some(message) = &self.message {
            write!(f, ": {message}")?;
        }
        Ok(())
    }
}

/// Everything the adapter can fail with. [`Error::exit_code`] maps it onto the command's
/// exit statuses.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The environment does not describe a usable service.
    Config(ConfigError),
    /// Bad input: an identifier, a field value, a body to decode (the reason).
    Input(String),
    /// The core refused to write the request (a field not valid for the dialect, ...).
    Request(confpart::client::ClientError),
    /// The service answered with an error status.
    Service(ServiceError),
    /// The response is not a valid answer to the request (framing, status, body).
    Response(confpart::client::ClientError),
    /// Connect, TLS, write or read failed or timed out.
    Transport(Failure),
    /// `--tls-cert` / `--tls-key` unusable.
    Tls(TlsSetupError),
    /// A file could not be read.
    Read {
        /// Which file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The listener could not be set up (bind, threads).
    Listen(std::io::Error),
    /// A CA file (`--ca-file`, `CONFPART_CA_FILE`) is unusable.
    Trust(TrustError),
    /// A proxy setting (`--proxy`, `HTTPS_PROXY`, ...) is unusable.
    Proxy(ProxyError),
}

impl Error {
    /// The process exit status: 1 for bad input and refusals, 3 for transport problems.
    ///
    /// ```
    /// use confpart_std::error::Error;
    /// assert_eq!(Error::Input("bad".into()).exit_code(), 1);
    /// ```
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Transport(_) | Error::Response(_) | Error::Listen(_) => TRANSPORT,
            Error::Config(_)
            | Error::Input(_)
            | Error::Request(_)
            | Error::Service(_)
            | Error::Tls(_)
            | Error::Trust(_)
            | Error::Proxy(_)
            | Error::Read { .. } => BAD_INPUT,
        }
    }

    /// The service's error, if that is what this is.
    pub fn service(&self) -> Option<&ServiceError> {
        match self {
            Error::Service(e) => Some(e),
            _ => None,
        }
    }

    /// A bad-input error with this reason.
    pub fn input(reason: impl fmt::Display) -> Self {
        Error::Input(reason.to_string())
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Config(e) => write!(f, "{e}"),
            Error::Input(e) => f.write_str(e),
            Error::Request(e) => write!(f, "request: {e}"),
            Error::Service(e) => write!(f, "{e}"),
            Error::Response(e) => write!(f, "response: {e}"),
            Error::Transport(e) => write!(f, "{e}"),
            Error::Tls(e) => write!(f, "{e}"),
            Error::Read { path, source } => write!(f, "{}: {source}", path.display()),
            Error::Listen(e) => write!(f, "listening: {e}"),
            Error::Trust(e) => write!(f, "{e}"),
            Error::Proxy(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Config(e) => Some(e),
            Error::Request(e) | Error::Response(e) => Some(e),
            Error::Transport(e) => Some(e),
            Error::Tls(e) => Some(e),
            Error::Read { source, .. } => Some(source),
            Error::Listen(e) => Some(e),
            Error::Trust(e) => Some(e),
            Error::Proxy(e) => Some(e),
            Error::Input(_) | Error::Service(_) => None,
        }
    }
}

impl From<ConfigError> for Error {
    fn from(e: ConfigError) -> Self {
        Error::Config(e)
    }
}

impl From<Failure> for Error {
    fn from(e: Failure) -> Self {
        Error::Transport(e)
    }
}

impl From<TlsSetupError> for Error {
    fn from(e: TlsSetupError) -> Self {
        Error::Tls(e)
    }
}

impl From<confpart::wire::ident::IdError> for Error {
    fn from(e: confpart::wire::ident::IdError) -> Self {
        Error::input(e)
    }
}
