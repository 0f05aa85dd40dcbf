//! Where to send requests and with which credentials: [`Service`], read from the environment.
//!
//! The variables are those of the official helper libraries:
//!
//! | dialect | variables | host |
//! |---|---|---|
//! | Twilio | `TWILIO_ACCOUNT_SID` + `TWILIO_AUTH_TOKEN`, or `TWILIO_API_KEY` + `TWILIO_API_SECRET` (the account SID is still needed: it is in the path); optional `TWILIO_REGION`, `TWILIO_EDGE` | [`TWILIO_HOST`](confpart::api::path::TWILIO_HOST), or see below |
//! | SignalWire | `SIGNALWIRE_PROJECT_ID` + `SIGNALWIRE_API_TOKEN` + `SIGNALWIRE_SPACE_URL` | `{space}.signalwire.com`, or the full host given |
//! | Telnyx | `TELNYX_API_KEY` (sent as `Authorization: Bearer`) + `TELNYX_ACCOUNT_SID`; optional `TELNYX_BASE_URL` | [`TELNYX_HOST`], or the base URL's host |
//!
//! **Telnyx**: `TELNYX_API_KEY` and `TELNYX_BASE_URL` are read as the Telnyx SDKs read them
//! (the base URL is the SDKs' API root, `https://api.telnyx.com/v2`: a `/v2` path is
//! accepted and dropped, since the requests' `/v2/texml/...` paths start with it; any other
//! path is refused). The TeXML account id (a UUID, in every path) has no SDK variable (the
//! SDKs take it as an argument): this module reads `TELNYX_ACCOUNT_SID`, its own name.
//!
//! **Region and edge** make the host as the official SDKs make it (twilio-python's
//! `ClientBase.get_hostname`; twilio-node and twilio-go do the same): the core's
//! [`TwilioHost::new`] holds the rule and its table. An empty region or edge counts as
//! unset, as in the SDKs. Credentials must not be empty.
//!
//! **SIDs** are checked by the core's parsers ([`AccountSid::parse`], [`ApiKeySid::parse`]);
//! a refused value carries the core's error ([`Reason::Sid`]).
//!
//! **Which dialect**: the caller's choice (`--dialect`) wins; without one, SignalWire is chosen
//! when `SIGNALWIRE_PROJECT_ID` is set and `TWILIO_ACCOUNT_SID` is not, Telnyx when
//! `TELNYX_API_KEY` is set and neither of them is, Twilio otherwise.
//! When both credential sets are complete for Twilio, the API key is used (it can be revoked
//! on its own, so it is the one Twilio recommends).
//!
//! **Base URL**: an explicit base URL ([`Overrides::base_url`], `--base-url`) replaces the
//! host of the dialect: `https://host[:port]` for anything, `http://` only to a loopback
//! address (`127.0.0.0/8`, `::1`, `localhost`) for tests; no path, query or user part
//! (for Telnyx, a `/v2` path, as its SDKs' base URL has, is accepted and dropped).
//!
//! Secrets are held in [`Secret`], which never shows its value in `Debug`, `Display` or an
//! error: a [`ConfigError`] names the variable, never its value when the variable is secret.
//!
//! ```
//! use std::collections::HashMap;
//! use confpart_std::config::{Dialect, Overrides, Service};
//!
//! let env: HashMap<String, String> = [
//!     ("TWILIO_ACCOUNT_SID", "AC0123456789abcdef0123456789abcdef"),
//!     ("TWILIO_AUTH_TOKEN", "s3cr3t"),
//!     ("TWILIO_EDGE", "dublin"),
//! ]
//! .into_iter()
//! .map(|(k, v)| (k.to_owned(), v.to_owned()))
//! .collect();
//! let service = Service::from_map(&env, &Overrides::default())?;
//! assert_eq!(service.dialect, Dialect::Twilio);
//! assert_eq!(service.base.host, "api.dublin.us1.twilio.com");
//! assert_eq!(service.base.port, 443);
//! assert_eq!(service.username, "AC0123456789abcdef0123456789abcdef");
//! assert_eq!(format!("{:?}", service.password), "***");
//! # Ok::<(), confpart_std::config::ConfigError>(())
//! ```

use std::collections::HashMap;
use std::fmt;
use std::net::IpAddr;

use confpart::api::path::{PathError, SIGNALWIRE_HOST_SUFFIX, TELNYX_HOST, TwilioHost};
use confpart::wire::ident::{AccountSid, ApiKeySid, IdError, IdKind, SidForm};

/// `TWILIO_ACCOUNT_SID`
pub const TWILIO_ACCOUNT_SID: &str = "TWILIO_ACCOUNT_SID";
/// `TWILIO_AUTH_TOKEN`
pub const TWILIO_AUTH_TOKEN: &str = "TWILIO_AUTH_TOKEN";
/// `TWILIO_API_KEY`
pub const TWILIO_API_KEY: &str = "TWILIO_API_KEY";
/// `TWILIO_API_SECRET`
pub const TWILIO_API_SECRET: &str = "TWILIO_API_SECRET";
/// `TWILIO_REGION`
pub const TWILIO_REGION: &str = "TWILIO_REGION";
/// `TWILIO_EDGE`
pub const TWILIO_EDGE: &str = "TWILIO_EDGE";
/// `SIGNALWIRE_PROJECT_ID`
pub const SIGNALWIRE_PROJECT_ID: &str = "SIGNALWIRE_PROJECT_ID";
/// `SIGNALWIRE_API_TOKEN`
pub const SIGNALWIRE_API_TOKEN: &str = "SIGNALWIRE_API_TOKEN";
/// `SIGNALWIRE_SPACE_URL`
pub const SIGNALWIRE_SPACE_URL: &str = "SIGNALWIRE_SPACE_URL";
/// `TELNYX_API_KEY`: the Bearer API key (the Telnyx SDKs' variable).
pub const TELNYX_API_KEY: &str = "TELNYX_API_KEY";
/// `TELNYX_BASE_URL`: the API root, `https://api.telnyx.com/v2` by default (the Telnyx
/// SDKs' variable).
pub const TELNYX_BASE_URL: &str = "TELNYX_BASE_URL";
/// `TELNYX_ACCOUNT_SID`: the TeXML account id, a UUID. This crate's own name: the Telnyx
/// SDKs have no variable for it (they take it as an argument).
pub const TELNYX_ACCOUNT_SID: &str = "TELNYX_ACCOUNT_SID";

/// Every variable this module reads (what [`Service::from_env`] looks at).
pub const VARIABLES: [&str; 12] = [
    TWILIO_ACCOUNT_SID,
    TWILIO_AUTH_TOKEN,
    TWILIO_API_KEY,
    TWILIO_API_SECRET,
    TWILIO_REGION,
    TWILIO_EDGE,
    SIGNALWIRE_PROJECT_ID,
    SIGNALWIRE_API_TOKEN,
    SIGNALWIRE_SPACE_URL,
    TELNYX_API_KEY,
    TELNYX_BASE_URL,
    TELNYX_ACCOUNT_SID,
];

/// A credential: its value is never shown by `Debug` or `Display` (both print `***`).
///
/// ```
/// use confpart_std::config::Secret;
/// let token = Secret::new("hunter2");
/// assert_eq!(format!("{token} {token:?}"), "*** ***");
/// assert_eq!(token.expose(), "hunter2");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The value, for the one place that needs it (the `Authorization` header).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// Which service's conventions to follow: the core's own type.
pub use confpart::api::path::Dialect;

/// `http` or `https`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scheme {
    /// Plain HTTP (loopback only).
    Http,
    /// HTTP over TLS.
    Https,
}

impl Scheme {
    /// The port used when the URL names none.
    pub fn default_port(self) -> u16 {
        match self {
            Scheme::Http => 80,
            Scheme::Https => 443,
        }
    }
}

/// Where to connect: scheme, host and port (no path).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct BaseUrl {
    /// `http` (loopback only) or `https`.
    pub scheme: Scheme,
    /// Host name or IP address, without brackets (`::1`, not `[::1]`).
    pub host: String,
    /// TCP port.
    pub port: u16,
}

impl BaseUrl {
    /// `https://{host}` on port 443.
    pub fn https(host: impl Into<String>) -> Self {
        Self {
            scheme: Scheme::Https,
            host: host.into(),
            port: 443,
        }
    }

    /// [`BaseUrl::parse`] of a Telnyx API root as its SDKs take it (`TELNYX_BASE_URL`,
    /// default `https://api.telnyx.com/v2`): a `/v2` or `/v2/` path is dropped (the
    /// requests' paths start with it); any other path is [`UrlError::TelnyxPath`].
    ///
    /// ```
    /// use confpart_std::config::{BaseUrl, UrlError};
    /// let url = BaseUrl::parse_telnyx("http://127.0.0.1:8080/v2")?;
    /// assert_eq!((url.host.as_str(), url.port), ("127.0.0.1", 8080));
    /// assert_eq!(BaseUrl::parse_telnyx("https://api.telnyx.com/v1"), Err(UrlError::TelnyxPath));
    /// # Ok::<(), UrlError>(())
    /// ```
    pub fn parse_telnyx(url: &str) -> Result<Self, UrlError> {
        let root = url.strip_suffix('/').unwrap_or(url);
        let root = root.strip_suffix("/v2").unwrap_or(root);
        Self::parse(root).map_err(|e| match e {
            UrlError::Path => UrlError::TelnyxPath,
            e => e,
        })
    }

    /// Parses `https://host[:port][/]` or `http://loopback[:port][/]`.
    ///
    /// ```
    /// use confpart_std::config::{BaseUrl, Scheme};
    /// let url = BaseUrl::parse("http://127.0.0.1:8080")?;
    /// assert_eq!((url.scheme, url.host.as_str(), url.port), (Scheme::Http, "127.0.0.1", 8080));
    /// assert!(BaseUrl::parse("http://api.twilio.com").is_err()); // plain HTTP off loopback
    /// # Ok::<(), confpart_std::config::UrlError>(())
    /// ```
    pub fn parse(url: &str) -> Result<Self, UrlError> {
        let (scheme, rest) = if let Some(rest) = strip_prefix_ci(url, "https://") {
            (Scheme::Https, rest)
        } else if let Some(rest) = strip_prefix_ci(url, "http://") {
            (Scheme::Http, rest)
        } else {
            return Err(UrlError::Scheme);
        };
        let authority = rest.strip_suffix('/').unwrap_or(rest);
        if authority.contains(['/', '?', '#']) {
            return Err(UrlError::Path);
        }
        if authority.contains('@') {
            return Err(UrlError::UserInfo);
        }
        let (host, port) = split_host_port(authority)?;
        let port = match port {
            Some(p) => p,
            None => scheme.default_port(),
        };
        if host.parse::<IpAddr>().is_err() && !is_dns_name(host) {
            return Err(UrlError::Host);
        }
        if scheme == Scheme::Http && !is_loopback(host) {
            return Err(UrlError::PlainOffLoopback);
        }
        Ok(Self {
            scheme,
            host: host.to_ascii_lowercase(),
            port,
        })
    }

    /// The value of a `Host` header: the host, bracketed if IPv6, with the port unless default.
    pub fn host_header(&self) -> String {
        let host = if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        if self.port == self.scheme.default_port() {
            host
        } else {
            format!("{host}:{}", self.port)
        }
    }
}

impl fmt::Display for BaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scheme = match self.scheme {
            Scheme::Http => "http",
            Scheme::Https => "https",
        };
        write!(f, "{scheme}://{}", self.host_header())
    }
}

fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    if head.eq_ignore_ascii_case(prefix) {
        s.get(prefix.len()..)
    } else {
        None
    }
}

/// `host[:port]` or `[v6]:port` into its host and port (1..=65535); the host is not empty.
pub(crate) fn split_host_port(authority: &str) -> Result<(&str, Option<u16>), UrlError> {
    let (host, port) = if let Some(rest) = authority.strip_prefix('[') {
        let (host, after) = rest.split_once(']').ok_or(UrlError::Host)?;
        if host.parse::<std::net::Ipv6Addr>().is_err() {
            return Err(UrlError::Host);
        }
        match after {
            "" => (host, None),
            _ => (host, Some(after.strip_prefix(':').ok_or(UrlError::Port)?)),
        }
    } else {
        match authority.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        }
    };
    let port = match port {
        None => None,
        Some(p) => match p.parse::<u16>() {
            Ok(n) if n != 0 && p.bytes().all(|b| b.is_ascii_digit()) => Some(n),
            _ => return Err(UrlError::Port),
        },
    };
    if host.is_empty() {
        return Err(UrlError::Host);
    }
    Ok((host, port))
}

/// `127.0.0.0/8`, `::1` or `localhost`.
pub fn is_loopback(host: &str) -> bool {
    match host.parse::<IpAddr>() {
        Ok(ip) => ip.is_loopback(),
        Err(_) => host.eq_ignore_ascii_case("localhost"),
    }
}

/// Letters, digits and `-` in dot-separated labels of 1..=63 characters, 253 at most in all.
fn is_dns_name(host: &str) -> bool {
    !host.is_empty() && host.len() <= 253 && host.split('.').all(is_dns_label)
}

fn is_dns_label(label: &str) -> bool {
    (1..=63).contains(&label.len())
        && label
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && !label.starts_with('-')
        && !label.ends_with('-')
}

/// What is wrong with a base URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum UrlError {
    /// Neither `https://` nor `http://`.
    Scheme,
    /// A path, query or fragment after the host (only a trailing `/` is allowed).
    Path,
    /// A `user@` part (credentials come from the environment, not the URL).
    UserInfo,
    /// An empty or malformed host.
    Host,
    /// A port that is not a number in `1..=65535`.
    Port,
    /// `http://` to a host that is not loopback (TLS is required off this machine).
    PlainOffLoopback,
    /// A Telnyx base URL whose path is neither empty nor `/v2` (the requests' paths are
    /// `/v2/texml/...`: another root cannot be honoured).
    TelnyxPath,
}

impl fmt::Display for UrlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            UrlError::Scheme => {
                "the URL must start with https:// (or http:// to a loopback address)"
            }
            UrlError::Path => "the URL must not have a path, query or fragment",
            UrlError::UserInfo => "the URL must not carry credentials",
            UrlError::Host => "the URL's host is empty or malformed",
            UrlError::Port => "the URL's port must be a number from 1 to 65535",
            UrlError::PlainOffLoopback => {
                "plain http:// is allowed to a loopback address only (127.0.0.0/8, ::1, localhost)"
            }
            UrlError::TelnyxPath => {
                "the URL's path must be /v2 (Telnyx's API root) or nothing; no query or fragment"
            }
        })
    }
}

impl std::error::Error for UrlError {}

/// What the caller decided explicitly (command-line flags), applied over the environment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Overrides {
    /// `--dialect`: which service; `None` lets the environment decide (see the module docs).
    pub dialect: Option<Dialect>,
    /// `--base-url`: replaces the dialect's host.
    pub base_url: Option<String>,
}

/// A service to talk to: dialect, base URL and credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Service {
    /// Twilio, SignalWire or Telnyx.
    pub dialect: Dialect,
    /// Scheme, host and port.
    pub base: BaseUrl,
    /// The account in the path: `AC…` SID (Twilio), project ID (SignalWire), TeXML account
    /// id (Telnyx).
    pub account: String,
    /// The Basic auth user: account SID, API key SID (`SK…`) or project ID; empty for
    /// Telnyx (a Bearer key has no user).
    pub username: String,
    /// The Basic auth password: auth token, API secret or API token; for Telnyx, the API
    /// key sent as `Authorization: Bearer`.
    pub password: Secret,
}

impl Service {
    /// Reads the process environment (see the module docs).
    pub fn from_env(overrides: &Overrides) -> Result<Self, ConfigError> {
        let vars: HashMap<String, String> = VARIABLES
            .iter()
            .filter_map(|name| std::env::var(name).ok().map(|v| ((*name).to_owned(), v)))
            .collect();
        Self::from_map(&vars, overrides)
    }

    /// Reads the variables from `vars` (testable form of [`Service::from_env`]).
    pub fn from_map(
        vars: &HashMap<String, String>,
        overrides: &Overrides,
    ) -> Result<Self, ConfigError> {
        let get = |name: &'static str| vars.get(name).map(String::as_str);
        let dialect = overrides.dialect.unwrap_or_else(|| {
            let twilio = get(TWILIO_ACCOUNT_SID).is_some();
            let signalwire = get(SIGNALWIRE_PROJECT_ID).is_some();
            if signalwire && !twilio {
                Dialect::SignalWire
            } else if get(TELNYX_API_KEY).is_some() && !twilio && !signalwire {
                Dialect::Telnyx
            } else {
                Dialect::Twilio
            }
        });
        let parse = match dialect {
            Dialect::Telnyx => BaseUrl::parse_telnyx,
            Dialect::Twilio | Dialect::SignalWire => BaseUrl::parse,
        };
        let base = match &overrides.base_url {
            Some(url) => Some(parse(url).map_err(|reason| ConfigError::BaseUrl { reason })?),
            None => None,
        };
        match dialect {
            Dialect::Twilio => twilio(&get, base),
            Dialect::SignalWire => signalwire(&get, base),
            Dialect::Telnyx => telnyx(&get, base),
        }
    }
}

fn required<'a>(
    get: &impl Fn(&'static str) -> Option<&'a str>,
    name: &'static str,
) -> Result<&'a str, ConfigError> {
    match get(name) {
        None => Err(ConfigError::Missing { var: name }),
        Some(v) if v.trim().is_empty() => Err(ConfigError::Empty { var: name }),
        Some(v) => Ok(v.trim()),
    }
}

fn optional<'a>(
    get: &impl Fn(&'static str) -> Option<&'a str>,
    name: &'static str,
) -> Option<&'a str> {
    get(name).map(str::trim).filter(|v| !v.is_empty())
}

fn twilio<'a>(
    get: &impl Fn(&'static str) -> Option<&'a str>,
    base: Option<BaseUrl>,
) -> Result<Service, ConfigError> {
    let account = required(get, TWILIO_ACCOUNT_SID)?;
    check_sid(
        AccountSid::parse(account).map(|sid| sid.form()),
        (AccountSid::KIND, SidForm::Twilio),
        TWILIO_ACCOUNT_SID,
        Some(account),
    )?;
    let key = optional(get, TWILIO_API_KEY);
    let (username, password) = match key {
        Some(key) => {
            // Not shown in an error, in case a secret was put there by mistake.
            check_sid(
                ApiKeySid::parse(key).map(|sid| sid.form()),
                (ApiKeySid::KIND, SidForm::Twilio),
                TWILIO_API_KEY,
                None,
            )?;
            (key, required(get, TWILIO_API_SECRET)?)
        }
        None if optional(get, TWILIO_API_SECRET).is_some() && get(TWILIO_AUTH_TOKEN).is_none() => {
            return Err(ConfigError::Missing {
                var: TWILIO_API_KEY,
            });
        }
        None => (account, required(get, TWILIO_AUTH_TOKEN)?),
    };
    let base = match base {
        Some(base) => base,
        None => BaseUrl::https(twilio_host(
            optional(get, TWILIO_REGION),
            optional(get, TWILIO_EDGE),
        )?),
    };
    Ok(Service {
        dialect: Dialect::Twilio,
        base,
        account: account.to_owned(),
        username: username.to_owned(),
        password: Secret::new(password),
    })
}

/// The Twilio API host for a region and an edge: the core's [`TwilioHost::new`], with its
/// refusal naming the variable.
///
/// ```
/// use confpart_std::config::twilio_host;
/// assert_eq!(twilio_host(None, None)?, "api.twilio.com");
/// assert_eq!(twilio_host(Some("au1"), None)?, "api.au1.twilio.com");
/// assert_eq!(twilio_host(None, Some("sydney"))?, "api.sydney.us1.twilio.com");
/// assert_eq!(twilio_host(Some("au1"), Some("sydney"))?, "api.sydney.au1.twilio.com");
/// # Ok::<(), confpart_std::config::ConfigError>(())
/// ```
pub fn twilio_host(region: Option<&str>, edge: Option<&str>) -> Result<String, ConfigError> {
    match TwilioHost::new(region, edge) {
        Ok(host) => Ok(host.as_str().to_owned()),
        Err(e) => {
            let (var, value) = match e {
                PathError::InvalidEdge { .. } => (TWILIO_EDGE, edge),
                _ => (TWILIO_REGION, region),
            };
            Err(ConfigError::Invalid {
                var,
                value: value.map(str::to_owned),
                reason: Reason::Host(e),
            })
        }
    }
}

fn signalwire<'a>(
    get: &impl Fn(&'static str) -> Option<&'a str>,
    base: Option<BaseUrl>,
) -> Result<Service, ConfigError> {
    let project = required(get, SIGNALWIRE_PROJECT_ID)?;
    check_sid(
        AccountSid::parse(project).map(|sid| sid.form()),
        (AccountSid::KIND, SidForm::Uuid),
        SIGNALWIRE_PROJECT_ID,
        Some(project),
    )?;
    let token = required(get, SIGNALWIRE_API_TOKEN)?;
    let base = match base {
        Some(base) => base,
        None => BaseUrl::https(signalwire_host(required(get, SIGNALWIRE_SPACE_URL)?)?),
    };
    Ok(Service {
        dialect: Dialect::SignalWire,
        base,
        account: project.to_owned(),
        username: project.to_owned(),
        password: Secret::new(token),
    })
}

fn telnyx<'a>(
    get: &impl Fn(&'static str) -> Option<&'a str>,
    base: Option<BaseUrl>,
) -> Result<Service, ConfigError> {
    let key = required(get, TELNYX_API_KEY)?;
    // The core's check of a Bearer key; the value is not shown: it is the secret.
    confpart::client::Credentials::bearer(key).map_err(|_| ConfigError::Invalid {
        var: TELNYX_API_KEY,
        value: None,
        reason: Reason::ApiKey,
    })?;
    let account = required(get, TELNYX_ACCOUNT_SID)?;
    check_sid(
        AccountSid::parse(account).map(|sid| sid.form()),
        (AccountSid::KIND, SidForm::Uuid),
        TELNYX_ACCOUNT_SID,
        Some(account),
    )?;
    let base = match (base, optional(get, TELNYX_BASE_URL)) {
        (Some(base), _) => base,
        (None, Some(url)) => BaseUrl::parse_telnyx(url).map_err(|e| ConfigError::Invalid {
            var: TELNYX_BASE_URL,
            value: Some(url.to_owned()),
            reason: Reason::Url(e),
        })?,
        (None, None) => BaseUrl::https(TELNYX_HOST),
    };
    Ok(Service {
        dialect: Dialect::Telnyx,
        base,
        account: account.to_owned(),
        username: String::new(),
        password: Secret::new(key),
    })
}

/// The SignalWire host for `SIGNALWIRE_SPACE_URL`: a bare space name gets `.signalwire.com`;
/// a value with a dot is a full host; an `https://` prefix and a trailing `/` are dropped.
///
/// ```
/// use confpart_std::config::signalwire_host;
/// assert_eq!(signalwire_host("example")?, "example.signalwire.com");
/// assert_eq!(signalwire_host("https://example.signalwire.com/")?, "example.signalwire.com");
/// # Ok::<(), confpart_std::config::ConfigError>(())
/// ```
pub fn signalwire_host(space: &str) -> Result<String, ConfigError> {
    let trimmed = strip_prefix_ci(space, "https://").unwrap_or(space);
    let trimmed = trimmed.strip_suffix('/').unwrap_or(trimmed);
    let invalid = |reason| ConfigError::Invalid {
        var: SIGNALWIRE_SPACE_URL,
        value: Some(space.to_owned()),
        reason,
    };
    if strip_prefix_ci(trimmed, "http://").is_some() {
        return Err(invalid(Reason::PlainHttp));
    }
    if !is_dns_name(trimmed) {
        return Err(invalid(Reason::Space));
    }
    let host = trimmed.to_ascii_lowercase();
    Ok(if host.contains('.') {
        host
    } else {
        format!("{host}{SIGNALWIRE_HOST_SUFFIX}")
    })
}

/// Refuses a SID of `kind` the core's parser refused (`parsed`), or one not in the `form` the
/// dialect uses; `shown` is the value an error may show (`None` for a variable that may hold a secret).
fn check_sid(
    parsed: Result<SidForm, IdError>,
    (kind, form): (IdKind, SidForm),
    var: &'static str,
    shown: Option<&str>,
) -> Result<(), ConfigError> {
    let error = match parsed {
        Ok(f) if f == form => return Ok(()),
        Ok(_) => None,
        Err(e) => Some(e),
    };
    Err(ConfigError::Invalid {
        var,
        value: shown.map(str::to_owned),
        reason: Reason::Sid { kind, form, error },
    })
}

/// What is wrong with a variable's value; where the core checks it, the core's own error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Reason {
    /// Not a SID of `kind` in `form` (Twilio: prefix and 32 hex digits; SignalWire: a
    /// UUID): `error` is what the core's parser refused, `None` for a valid SID of the other
    /// form.
    Sid {
        /// Which identifier the variable holds.
        kind: IdKind,
        /// The form the dialect uses.
        form: SidForm,
        /// The core's refusal, if it refused.
        error: Option<IdError>,
    },
    /// A region or edge that is not a DNS label ([`TwilioHost::new`]'s refusal).
    Host(PathError),
    /// A SignalWire space URL with `http://`.
    PlainHttp,
    /// A SignalWire space URL that is neither a space name nor a host name.
    Space,
    /// A base URL variable (`TELNYX_BASE_URL`) that is not a usable URL.
    Url(UrlError),
    /// An API key with a byte that is not visible ASCII (a space, a control character,
    /// non-ASCII): it could not be sent as one `Bearer` token.
    ApiKey,
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::Sid {
                kind,
                form: SidForm::Twilio,
                ..
            } => write!(f, "must be {} followed by 32 hex digits", kind.prefix()),
            Reason::Sid {
                form: SidForm::Uuid,
                ..
            } => f.write_str("must be a UUID (8-4-4-4-12 hex digits)"),
            Reason::Sid {
                form: SidForm::Telnyx,
                ..
            } => f.write_str("must be a Telnyx call-control id (v3: and base64url characters)"),
            Reason::Host(_) => f.write_str("must be a DNS label (letters, digits, '-')"),
            Reason::PlainHttp => f.write_str("SignalWire is reached over https only"),
            Reason::Space => f.write_str("must be a space name or a host name"),
            Reason::Url(e) => e.fmt(f),
            Reason::ApiKey => f.write_str("must be visible ASCII (no spaces or line breaks)"),
        }
    }
}

/// Why the environment does not describe a usable service. Each variant names the variable;
/// a secret's value is never included.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConfigError {
    /// A required variable is not set.
    Missing {
        /// Its name.
        var: &'static str,
    },
    /// A required variable is set but empty.
    Empty {
        /// Its name.
        var: &'static str,
    },
    /// A variable's value is malformed.
    Invalid {
        /// Its name.
        var: &'static str,
        /// The value, only for variables that are not secret (SIDs, region, edge, space).
        value: Option<String>,
        /// What was expected.
        reason: Reason,
    },
    /// The explicit base URL is malformed.
    BaseUrl {
        /// What is wrong.
        reason: UrlError,
    },
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::Missing { var } => write!(f, "{var} is not set"),
            ConfigError::Empty { var } => write!(f, "{var} is empty"),
            ConfigError::Invalid {
                var,
                value: Some(v),
                reason,
            } => write!(f, "{var}={v:?}: {reason}"),
            ConfigError::Invalid {
                var,
                value: None,
                reason,
            } => write!(f, "{var}: {reason}"),
            ConfigError::BaseUrl { reason } => write!(f, "--base-url: {reason}"),
        }
    }
}

impl std::error::Error for ConfigError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ConfigError::BaseUrl { reason } => Some(reason),
            ConfigError::Invalid {
                reason: Reason::Sid {
                    error: Some(error), ..
                },
                ..
            } => Some(error),
            ConfigError::Invalid {
                reason: Reason::Host(error),
                ..
            } => Some(error),
            ConfigError::Invalid {
                reason: Reason::Url(error),
                ..
            } => Some(error),
            _ => None,
        }
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

    const AC: &str = "AC0123456789abcdef0123456789abcdef";
    const SK: &str = "SK0123456789abcdef0123456789abcdef";
    const PROJECT: &str = "b3877c40-da60-4998-90ad-b792e98472af";

    fn env(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn load(pairs: &[(&str, &str)]) -> Result<Service, ConfigError> {
        Service::from_map(&env(pairs), &Overrides::default())
    }

    #[test]
    fn twilio_auth_token() {
        let s = load(&[(TWILIO_ACCOUNT_SID, AC), (TWILIO_AUTH_TOKEN, "tok")]).unwrap();
        assert_eq!(s.dialect, Dialect::Twilio);
        assert_eq!(s.base, BaseUrl::https("api.twilio.com"));
        assert_eq!(
            (s.account.as_str(), s.username.as_str(), s.password.expose()),
            (AC, AC, "tok")
        );
    }

    #[test]
    fn twilio_api_key_keeps_account_in_path() {
        let s = load(&[
            (TWILIO_ACCOUNT_SID, AC),
            (TWILIO_API_KEY, SK),
            (TWILIO_API_SECRET, "sec"),
            (TWILIO_AUTH_TOKEN, "tok"),
        ])
        .unwrap();
        assert_eq!(
            (s.account.as_str(), s.username.as_str(), s.password.expose()),
            (AC, SK, "sec")
        );
    }

    #[test]
    fn twilio_api_key_needs_secret_and_account() {
        assert_eq!(
            load(&[(TWILIO_ACCOUNT_SID, AC), (TWILIO_API_KEY, SK)]),
            Err(ConfigError::Missing {
                var: TWILIO_API_SECRET
            })
        );
        assert_eq!(
            load(&[(TWILIO_API_KEY, SK), (TWILIO_API_SECRET, "sec")]),
            Err(ConfigError::Missing {
                var: TWILIO_ACCOUNT_SID
            })
        );
        assert_eq!(
            load(&[(TWILIO_ACCOUNT_SID, AC), (TWILIO_API_SECRET, "sec")]),
            Err(ConfigError::Missing {
                var: TWILIO_API_KEY
            })
        );
    }

    #[test]
    fn twilio_missing_or_empty() {
        assert_eq!(
            load(&[]),
            Err(ConfigError::Missing {
                var: TWILIO_ACCOUNT_SID
            })
        );
        assert_eq!(
            load(&[(TWILIO_ACCOUNT_SID, AC)]),
            Err(ConfigError::Missing {
                var: TWILIO_AUTH_TOKEN
            })
        );
        assert_eq!(
            load(&[(TWILIO_ACCOUNT_SID, AC), (TWILIO_AUTH_TOKEN, " ")]),
            Err(ConfigError::Empty {
                var: TWILIO_AUTH_TOKEN
            })
        );
    }

    #[test]
    fn twilio_bad_sids() {
        let e = load(&[(TWILIO_ACCOUNT_SID, "ACxyz"), (TWILIO_AUTH_TOKEN, "t")]).unwrap_err();
        assert!(
            matches!(
                e,
                ConfigError::Invalid {
                    var: TWILIO_ACCOUNT_SID,
                    ..
                }
            ),
            "{e}"
        );
        let e = load(&[
            (TWILIO_ACCOUNT_SID, AC),
            (TWILIO_API_KEY, AC),
            (TWILIO_API_SECRET, "s"),
        ])
        .unwrap_err();
        assert!(
            matches!(
                e,
                ConfigError::Invalid {
                    var: TWILIO_API_KEY,
                    ..
                }
            ),
            "{e}"
        );
    }

    #[test]
    fn sid_refusals_carry_the_cores_errors() {
        use std::error::Error as _;
        let e = load(&[(TWILIO_ACCOUNT_SID, "ACxyz"), (TWILIO_AUTH_TOKEN, "t")]).unwrap_err();
        assert_eq!(
            e,
            ConfigError::Invalid {
                var: TWILIO_ACCOUNT_SID,
                value: Some("ACxyz".into()),
                reason: Reason::Sid {
                    kind: IdKind::Account,
                    form: SidForm::Twilio,
                    error: Some(IdError::Length {
                        kind: IdKind::Account,
                        len: 5
                    }),
                },
            }
        );
        assert_eq!(
            e.to_string(),
            "TWILIO_ACCOUNT_SID=\"ACxyz\": must be AC followed by 32 hex digits"
        );
        assert!(e.source().is_some());
        // A valid SID of the other dialect's form is refused too.
        let e = load(&[(TWILIO_ACCOUNT_SID, PROJECT), (TWILIO_AUTH_TOKEN, "t")]).unwrap_err();
        assert!(matches!(
            e,
            ConfigError::Invalid {
                reason: Reason::Sid { error: None, .. },
                ..
            }
        ));
        let e = load(&[
            (SIGNALWIRE_PROJECT_ID, AC),
            (SIGNALWIRE_API_TOKEN, "t"),
            (SIGNALWIRE_SPACE_URL, "example"),
        ])
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            format!("SIGNALWIRE_PROJECT_ID=\"{AC}\": must be a UUID (8-4-4-4-12 hex digits)")
        );
        let e = load(&[
            (TWILIO_ACCOUNT_SID, AC),
            (TWILIO_API_KEY, AC),
            (TWILIO_API_SECRET, "s"),
        ])
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "TWILIO_API_KEY: must be SK followed by 32 hex digits"
        );
        let e = twilio_host(Some("ie1"), Some("a.b")).unwrap_err();
        assert_eq!(
            e,
            ConfigError::Invalid {
                var: TWILIO_EDGE,
                value: Some("a.b".into()),
                reason: Reason::Host(PathError::InvalidEdge { offset: 1 }),
            }
        );
        assert_eq!(
            e.to_string(),
            "TWILIO_EDGE=\"a.b\": must be a DNS label (letters, digits, '-')"
        );
    }

    #[test]
    fn region_and_edge_like_twilio_python() {
        let host = |pairs: &[(&str, &str)]| {
            let mut all = vec![(TWILIO_ACCOUNT_SID, AC), (TWILIO_AUTH_TOKEN, "t")];
            all.extend_from_slice(pairs);
            load(&all).map(|s| s.base.host)
        };
        assert_eq!(host(&[]).unwrap(), "api.twilio.com");
        assert_eq!(
            host(&[(TWILIO_REGION, "ie1")]).unwrap(),
            "api.ie1.twilio.com"
        );
        assert_eq!(
            host(&[(TWILIO_EDGE, "dublin")]).unwrap(),
            "api.dublin.us1.twilio.com"
        );
        assert_eq!(
            host(&[(TWILIO_EDGE, "dublin"), (TWILIO_REGION, "ie1")]).unwrap(),
            "api.dublin.ie1.twilio.com"
        );
        assert_eq!(
            host(&[(TWILIO_EDGE, ""), (TWILIO_REGION, "")]).unwrap(),
            "api.twilio.com"
        );
        assert!(matches!(
            host(&[(TWILIO_EDGE, "a.b")]),
            Err(ConfigError::Invalid {
                var: TWILIO_EDGE,
                ..
            })
        ));
    }

    #[test]
    fn signalwire_chosen_by_environment() {
        let s = load(&[
            (SIGNALWIRE_PROJECT_ID, PROJECT),
            (SIGNALWIRE_API_TOKEN, "PTtok"),
            (SIGNALWIRE_SPACE_URL, "example"),
        ])
        .unwrap();
        assert_eq!(s.dialect, Dialect::SignalWire);
        assert_eq!(s.base, BaseUrl::https("example.signalwire.com"));
        assert_eq!(
            (s.account.as_str(), s.username.as_str(), s.password.expose()),
            (PROJECT, PROJECT, "PTtok")
        );
    }

    #[test]
    fn signalwire_full_host_and_errors() {
        assert_eq!(
            signalwire_host("example.signalwire.com").unwrap(),
            "example.signalwire.com"
        );
        assert_eq!(
            signalwire_host("HTTPS://Example.SignalWire.com/").unwrap(),
            "example.signalwire.com"
        );
        assert!(signalwire_host("http://example.signalwire.com").is_err());
        assert!(signalwire_host("exa mple").is_err());
        let mut vars = env(&[
            (SIGNALWIRE_PROJECT_ID, PROJECT),
            (SIGNALWIRE_API_TOKEN, "t"),
        ]);
        let sw = Overrides {
            dialect: Some(Dialect::SignalWire),
            base_url: None,
        };
        assert_eq!(
            Service::from_map(&vars, &sw),
            Err(ConfigError::Missing {
                var: SIGNALWIRE_SPACE_URL
            })
        );
        vars.insert(SIGNALWIRE_PROJECT_ID.into(), "not-a-uuid".into());
        assert!(matches!(
            Service::from_map(&vars, &sw),
            Err(ConfigError::Invalid {
                var: SIGNALWIRE_PROJECT_ID,
                ..
            })
        ));
    }

    #[test]
    fn explicit_dialect_wins() {
        let vars = env(&[
            (TWILIO_ACCOUNT_SID, AC),
            (TWILIO_AUTH_TOKEN, "t"),
            (SIGNALWIRE_PROJECT_ID, PROJECT),
        ]);
        assert_eq!(
            Service::from_map(&vars, &Overrides::default())
                .unwrap()
                .dialect,
            Dialect::Twilio
        );
        let sw = Overrides {
            dialect: Some(Dialect::SignalWire),
            base_url: None,
        };
        assert_eq!(
            Service::from_map(&vars, &sw),
            Err(ConfigError::Missing {
                var: SIGNALWIRE_API_TOKEN
            })
        );
    }

    #[test]
    fn base_url_overrides_host() {
        let vars = env(&[
            (TWILIO_ACCOUNT_SID, AC),
            (TWILIO_AUTH_TOKEN, "t"),
            (TWILIO_REGION, "ie1"),
        ]);
        let o = Overrides {
            dialect: None,
            base_url: Some("http://127.0.0.1:4010".into()),
        };
        let s = Service::from_map(&vars, &o).unwrap();
        assert_eq!(
            s.base,
            BaseUrl {
                scheme: Scheme::Http,
                host: "127.0.0.1".into(),
                port: 4010
            }
        );
        let o = Overrides {
            dialect: None,
            base_url: Some("http://example.com".into()),
        };
        assert_eq!(
            Service::from_map(&vars, &o),
            Err(ConfigError::BaseUrl {
                reason: UrlError::PlainOffLoopback
            })
        );
    }

    const TX_ACCOUNT: &str = "2f5a4b3c-1d2e-4f60-8a9b-0c1d2e3f4a5b";
    const TX_KEY: &str = "KEY0184F1C3A2B64C2E9F0B8E1234567890_AbCdEf";

    #[test]
    fn telnyx_as_its_sdks_read_the_environment() {
        let s = load(&[(TELNYX_API_KEY, TX_KEY), (TELNYX_ACCOUNT_SID, TX_ACCOUNT)]).unwrap();
        assert_eq!(s.dialect, Dialect::Telnyx);
        assert_eq!(s.base, BaseUrl::https("api.telnyx.com"));
        assert_eq!((s.account.as_str(), s.username.as_str()), (TX_ACCOUNT, ""));
        assert_eq!(s.password.expose(), TX_KEY);
        assert!(!format!("{s:?}").contains(TX_KEY));
        // The SDKs' base URL (their API root ends in /v2), also to a local bridge.
        for (url, base) in [
            (
                "https://api.telnyx.com/v2",
                BaseUrl::https("api.telnyx.com"),
            ),
            (
                "https://api.telnyx.com/v2/",
                BaseUrl::https("api.telnyx.com"),
            ),
            ("https://eu.example.com", BaseUrl::https("eu.example.com")),
            (
                "http://127.0.0.1:8080/v2",
                BaseUrl {
                    scheme: Scheme::Http,
                    host: "127.0.0.1".into(),
                    port: 8080,
                },
            ),
        ] {
            let s = load(&[
                (TELNYX_API_KEY, TX_KEY),
                (TELNYX_ACCOUNT_SID, TX_ACCOUNT),
                (TELNYX_BASE_URL, url),
            ])
            .unwrap();
            assert_eq!(s.base, base, "{url}");
        }
        // Refusals name the variable; the key is never shown.
        let with = |pairs: &[(&str, &str)]| {
            let mut all = vec![(TELNYX_API_KEY, TX_KEY), (TELNYX_ACCOUNT_SID, TX_ACCOUNT)];
            all.retain(|(k, _)| pairs.iter().all(|(p, _)| p != k));
            all.extend_from_slice(pairs);
            load(&all).unwrap_err()
        };
        for (url, reason) in [
            ("http://api.telnyx.com/v2", UrlError::PlainOffLoopback),
            ("https://api.telnyx.com/v1", UrlError::TelnyxPath),
            ("https://api.telnyx.com/v2/texml", UrlError::TelnyxPath),
            ("https://api.telnyx.com/v2?x=1", UrlError::TelnyxPath),
        ] {
            let e = with(&[(TELNYX_BASE_URL, url)]);
            assert_eq!(
                e,
                ConfigError::Invalid {
                    var: TELNYX_BASE_URL,
                    value: Some(url.into()),
                    reason: Reason::Url(reason)
                }
            );
            assert!(e.to_string().starts_with("TELNYX_BASE_URL="), "{e}");
        }
        let telnyx = Overrides {
            dialect: Some(Dialect::Telnyx),
            base_url: None,
        };
        assert_eq!(
            Service::from_map(&env(&[(TELNYX_API_KEY, TX_KEY)]), &telnyx),
            Err(ConfigError::Missing {
                var: TELNYX_ACCOUNT_SID
            })
        );
        assert_eq!(
            Service::from_map(&env(&[(TELNYX_ACCOUNT_SID, TX_ACCOUNT)]), &telnyx),
            Err(ConfigError::Missing {
                var: TELNYX_API_KEY
            })
        );
        let e = with(&[(TELNYX_ACCOUNT_SID, AC)]);
        assert!(
            matches!(
                e,
                ConfigError::Invalid {
                    var: TELNYX_ACCOUNT_SID,
                    reason: Reason::Sid {
                        form: SidForm::Uuid,
                        ..
                    },
                    ..
                }
            ),
            "{e:?}"
        );
        let e = with(&[(TELNYX_API_KEY, "KEY secret")]);
        assert_eq!(
            e,
            ConfigError::Invalid {
                var: TELNYX_API_KEY,
                value: None,
                reason: Reason::ApiKey
            }
        );
        assert!(!e.to_string().contains("secret"), "{e}");
        assert_eq!(
            with(&[(TELNYX_API_KEY, " ")]),
            ConfigError::Empty {
                var: TELNYX_API_KEY
            }
        );
    }

    #[test]
    fn telnyx_chosen_only_without_the_others() {
        let dialect = |pairs: &[(&str, &str)]| {
            Service::from_map(&env(pairs), &Overrides::default()).map(|s| s.dialect)
        };
        let telnyx = [(TELNYX_API_KEY, TX_KEY), (TELNYX_ACCOUNT_SID, TX_ACCOUNT)];
        assert_eq!(dialect(&telnyx), Ok(Dialect::Telnyx));
        let mut both = telnyx.to_vec();
        both.extend([(TWILIO_ACCOUNT_SID, AC), (TWILIO_AUTH_TOKEN, "t")]);
        assert_eq!(dialect(&both), Ok(Dialect::Twilio));
        // --base-url takes the SDKs' /v2 root for telnyx only.
        let o = |dialect| Overrides {
            dialect: Some(dialect),
            base_url: Some("http://127.0.0.1:9/v2".into()),
        };
        assert_eq!(
            Service::from_map(&env(&both), &o(Dialect::Telnyx))
                .unwrap()
                .base
                .port,
            9
        );
        assert_eq!(
            Service::from_map(&env(&both), &o(Dialect::Twilio)),
            Err(ConfigError::BaseUrl {
                reason: UrlError::Path
            })
        );
    }

    #[test]
    fn base_url_parsing() {
        let ok = |s: &str| BaseUrl::parse(s).unwrap();
        assert_eq!(
            ok("https://api.twilio.com/"),
            BaseUrl::https("api.twilio.com")
        );
        assert_eq!(ok("https://example.com:8443").port, 8443);
        assert_eq!(ok("http://localhost").port, 80);
        assert_eq!(ok("http://127.3.2.1:9").host, "127.3.2.1");
        let v6 = ok("http://[::1]:8080");
        assert_eq!((v6.host.as_str(), v6.port), ("::1", 8080));
        assert_eq!(v6.host_header(), "[::1]:8080");
        assert_eq!(v6.to_string(), "http://[::1]:8080");
        assert_eq!(ok("https://api.twilio.com").host_header(), "api.twilio.com");
        let err = |s: &str| BaseUrl::parse(s).unwrap_err();
        assert_eq!(err("ftp://x"), UrlError::Scheme);
        assert_eq!(err("api.twilio.com"), UrlError::Scheme);
        assert_eq!(err("https://x/y"), UrlError::Path);
        assert_eq!(err("https://x?y"), UrlError::Path);
        assert_eq!(err("https://u:p@x"), UrlError::UserInfo);
        assert_eq!(err("https://:80"), UrlError::Host);
        assert_eq!(err("https://x:0"), UrlError::Port);
        assert_eq!(err("https://x:+80"), UrlError::Port);
        assert_eq!(err("https://x:99999"), UrlError::Port);
        assert_eq!(err("https://[::1"), UrlError::Host);
        assert_eq!(err("https://bad_host"), UrlError::Host);
        assert_eq!(err("http://10.0.0.1"), UrlError::PlainOffLoopback);
        assert_eq!(err("http://[::2]"), UrlError::PlainOffLoopback);
    }

    #[test]
    fn secrets_never_shown() {
        let token = "super-secret-token-value";
        let s = load(&[(TWILIO_ACCOUNT_SID, AC), (TWILIO_AUTH_TOKEN, token)]).unwrap();
        assert!(!format!("{s:?}").contains(token));
        assert!(format!("{s:?}").contains("password: ***"));
        assert_eq!(s.password.to_string(), "***");
        // Errors about secret variables never carry their value.
        let e = load(&[
            (TWILIO_ACCOUNT_SID, AC),
            (TWILIO_API_KEY, token),
            (TWILIO_API_SECRET, token),
        ])
        .unwrap_err();
        assert!(matches!(
            e,
            ConfigError::Invalid {
                var: TWILIO_API_KEY,
                value: None,
                ..
            }
        ));
        assert!(!format!("{e:?} {e}").contains(token));
        let e = load(&[(TWILIO_ACCOUNT_SID, AC), (TWILIO_AUTH_TOKEN, "")]).unwrap_err();
        assert_eq!(e.to_string(), "TWILIO_AUTH_TOKEN is empty");
    }
}
