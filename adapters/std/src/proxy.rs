//! HTTP proxies: which one a request goes through ([`ProxySettings`], from `--proxy` or the
//! environment), which hosts bypass it ([`NoProxy`]), and the bytes the proxy is sent
//! ([`connect_request`], [`absolute_form`]). [`crate::transport`] opens the connection
//! and reads the proxy's answer with the core's
//! [`ConnectReader`](confpart::wire::http::ConnectReader).
//!
//! - **Which proxy**: `--proxy URL` when given; otherwise, for an `https://` service,
//!   `https_proxy` then `HTTPS_PROXY`, then `all_proxy` / `ALL_PROXY`; for `http://`
//!   (loopback tests), `http_proxy` then `HTTP_PROXY` (the upper-case one is ignored when
//!   `REQUEST_METHOD` is set, as curl and Python's `urllib` do under CGI), then `all_proxy`.
//!   The lower-case name wins; an empty value is unset.
//! - **Proxy URL**: `[http://][user[:password]@]host[:port][/]`: the proxy is spoken to in
//!   plain HTTP (an `https://` or `socks5://` proxy is refused, not ignored); the port
//!   defaults to 1080 as in curl; user and password are percent-decoded and sent as
//!   `Proxy-Authorization: Basic`. Neither is ever shown: [`ProxyUrl`]'s `Display` and
//!   `Debug` print `http://***@host:port`.
//! - **`NO_PROXY`** (`no_proxy` wins; see [`NoProxy`]): curl's rules.
//! - **https through a proxy**: `CONNECT host:port`, then TLS to the service through the
//!   tunnel, the service's certificate checked as without a proxy (the proxy sees only
//!   ciphertext). **http through a proxy**: the request in absolute form
//!   (`POST http://127.0.0.1:8080/2010-04-01/... HTTP/1.1`).
//! - A proxy's refusal (`407`, `403`, `502`, ...) is a transport failure naming the proxy
//!   ([`crate::transport::FailureKind::ProxyRefused`], exit status 3).
//!
//! ```
//! use confpart_std::config::BaseUrl;
//! use confpart_std::proxy::{ProxySettings, ProxyUrl};
//!
//! let vars = [("HTTPS_PROXY", "http://alice:s3cret@proxy.corp:3128"), ("NO_PROXY", ".internal,10.0.0.0/8")];
//! let get = |name: &str| vars.iter().find(|(k, _)| *k == name).map(|(_, v)| v.to_string());
//! let settings = ProxySettings::from_lookup(get)?;
//! let proxy = settings.route(&BaseUrl::https("api.twilio.com")).unwrap();
//! assert_eq!(proxy.to_string(), "http://***@proxy.corp:3128");
//! assert!(!format!("{proxy:?}").contains("s3cret"));
//! assert!(settings.route(&BaseUrl::https("bridge.internal")).is_none());
//! assert!(settings.route(&BaseUrl::https("10.1.2.3")).is_none());
//! # Ok::<(), confpart_std::proxy::ProxyError>(())
//! ```

use std::fmt;
use std::net::IpAddr;

use confpart::client::Credentials;
use confpart::wire::sink::SliceSink;

use crate::config::{BaseUrl, Scheme, Secret, UrlError};

/// The port of a proxy URL that names none (curl's).
pub const DEFAULT_PROXY_PORT: u16 = 1080;

/// A proxy: host, port and optional Basic credentials. Shown as `http://***@host:port`.
#[derive(Clone, PartialEq, Eq)]
pub struct ProxyUrl {
    /// Host name or IP address (without brackets).
    pub host: String,
    /// TCP port.
    pub port: u16,
    /// `user` and `password` of the URL, percent-decoded.
    pub credentials: Option<(String, Secret)>,
}

impl ProxyUrl {
    /// Parses `[http://][user[:password]@]host[:port][/]`.
    ///
    /// ```
    /// use confpart_std::proxy::{ProxyUrl, ProxyUrlError};
    /// let p = ProxyUrl::parse("http://bob:p%40ss@[::1]:8080/")?;
    /// assert_eq!((p.host.as_str(), p.port), ("::1", 8080));
    /// assert_eq!(p.credentials.as_ref().map(|(u, s)| (u.as_str(), s.expose())), Some(("bob", "p@ss")));
    /// assert_eq!(ProxyUrl::parse("proxy:3128")?.to_string(), "http://proxy:3128");
    /// assert_eq!(ProxyUrl::parse("socks5://proxy:1080"), Err(ProxyUrlError::Scheme));
    /// # Ok::<(), ProxyUrlError>(())
    /// ```
    pub fn parse(url: &str) -> Result<Self, ProxyUrlError> {
        let url = url.trim();
        let rest = match url.split_once("://") {
            Some((scheme, rest)) if scheme.eq_ignore_ascii_case("http") => rest,
            Some(_) => return Err(ProxyUrlError::Scheme),
            None => url,
        };
        let rest = rest.strip_suffix('/').unwrap_or(rest);
        if rest.contains(['/', '?', '#']) {
            return Err(ProxyUrlError::Path);
        }
        let (userinfo, authority) = match rest.rsplit_once('@') {
            Some((u, a)) => (Some(u), a),
            None => (None, rest),
        };
        let credentials = match userinfo {
            None => None,
            Some(u) => {
                let (user, password) = u.split_once(':').unwrap_or((u, ""));
                let user = percent_decode(user).ok_or(ProxyUrlError::Credentials)?;
                let password = percent_decode(password).ok_or(ProxyUrlError::Credentials)?;
                // What Basic cannot carry (a ':' in the user, control characters).
                Credentials::new(&user, &password).map_err(|_| ProxyUrlError::Credentials)?;
                Some((user, Secret::new(password)))
            }
        };
        let (host, port) = split_host_port(authority)?;
        Ok(Self {
            host: host.to_ascii_lowercase(),
            port: port.unwrap_or(DEFAULT_PROXY_PORT),
            credentials,
        })
    }

    /// `host:port`, the IPv6 address bracketed.
    pub fn authority(&self) -> String {
        authority(&self.host, self.port)
    }

    /// The `Proxy-Authorization` value (`Basic ...`), when the URL has credentials.
    pub fn authorization(&self) -> Option<String> {
        let (user, password) = self.credentials.as_ref()?;
        let creds = Credentials::new(user, password.expose()).ok()?;
        let len = 6 + 4 * (user.len() + 1 + password.expose().len()).div_ceil(3);
        let mut buf = vec![0u8; len];
        let mut sink = SliceSink::new(&mut buf);
        creds.write_basic(&mut sink).ok()?;
        String::from_utf8(sink.written().to_vec()).ok()
    }
}

impl fmt::Display for ProxyUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let creds = if self.credentials.is_some() {
            "***@"
        } else {
            ""
        };
        write!(f, "http://{creds}{}", self.authority())
    }
}

impl fmt::Debug for ProxyUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ProxyUrl({self})")
    }
}

fn authority(host: &str, port: u16) -> String {
    if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

/// The URL's authority split as a base URL's is ([`crate::config`]), then its host checked:
/// an IP address or dot-separated labels (`_` allowed, as proxies' internal names have it).
fn split_host_port(authority: &str) -> Result<(&str, Option<u16>), ProxyUrlError> {
    let (host, port) = crate::config::split_host_port(authority).map_err(|e| match e {
        UrlError::Port => ProxyUrlError::Port,
        _ => ProxyUrlError::Host,
    })?;
    let valid = host.parse::<IpAddr>().is_ok()
        || (!host.is_empty()
            && host.split('.').all(|l| {
                !l.is_empty()
                    && l.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            }));
    if !valid {
        return Err(ProxyUrlError::Host);
    }
    Ok((host, port))
}

/// `%XX` decoding of a URL's user or password; `None` for a bad escape or non-UTF-8.
fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            let hex = std::str::from_utf8(hex).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// What is wrong with a proxy URL (never its credentials).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProxyUrlError {
    /// A scheme other than `http://` (no TLS or SOCKS proxies).
    Scheme,
    /// A path, query or fragment.
    Path,
    /// A user or password that is badly escaped or that Basic cannot carry.
    Credentials,
    /// An empty or malformed host.
    Host,
    /// A port that is not a number in `1..=65535`.
    Port,
}

impl fmt::Display for ProxyUrlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ProxyUrlError::Scheme => "only http:// proxies are supported (CONNECT for https)",
            ProxyUrlError::Path => "a proxy URL has no path, query or fragment",
            ProxyUrlError::Credentials => {
                "the proxy's user or password is badly %-escaped or holds ':' (user) or a control character"
            }
            ProxyUrlError::Host => "the proxy's host is empty or malformed",
            ProxyUrlError::Port => "the proxy's port must be a number from 1 to 65535",
        })
    }
}

impl std::error::Error for ProxyUrlError {}

/// A proxy setting that cannot be used: where it came from (`--proxy` or the variable's
/// name) and why. Never the value (it may hold a password).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProxyError {
    /// `--proxy`, `HTTPS_PROXY`, ...
    pub source: String,
    /// What is wrong.
    pub reason: ProxyUrlError,
}

impl fmt::Display for ProxyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.source, self.reason)
    }
}

impl std::error::Error for ProxyError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.reason)
    }
}

/// One `NO_PROXY` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Entry {
    /// A host name: itself and its subdomains (`example.com`, `.example.com`).
    Domain { name: String, port: Option<u16> },
    /// An address or network (`10.0.0.0/8`, `::1`).
    Network { addr: IpAddr, bits: u8 },
}

/// The hosts that do not use the proxy: curl's `NO_PROXY` rules.
///
/// - Entries are separated by commas and/or blanks; `*` alone bypasses every host.
/// - A name matches itself and every subdomain, any case: `example.com` and
///   `.example.com` both match `example.com` and `api.example.com`, not `notexample.com`;
///   trailing dots are ignored.
/// - An IP address matches that address; with `/bits` (CIDR) its network. IP entries
///   match only hosts given as IP addresses (no name is resolved to decide).
/// - `name:port` (an addition of Python's `requests`) matches that name on that port only.
///
/// ```
/// use confpart_std::proxy::NoProxy;
/// let n = NoProxy::parse("localhost, .corp.example 192.168.0.0/16,[::1],bridge:8443");
/// assert!(n.matches("api.corp.example", 443) && n.matches("corp.example", 443));
/// assert!(!n.matches("notcorp.example", 443));
/// assert!(n.matches("192.168.4.5", 443) && !n.matches("192.169.0.1", 443));
/// assert!(n.matches("::1", 8080));
/// assert!(n.matches("bridge", 8443) && !n.matches("bridge", 443));
/// assert!(NoProxy::parse("*").matches("anything", 1));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NoProxy {
    all: bool,
    entries: Vec<Entry>,
}

impl NoProxy {
    /// Parses a `NO_PROXY` value; entries that mean nothing (`/33`, `:x`) are skipped, as
    /// curl skips them.
    pub fn parse(value: &str) -> Self {
        let value = value.trim();
        if value == "*" {
            return Self {
                all: true,
                entries: Vec::new(),
            };
        }
        let entries = value
            .split([',', ' ', '\t'])
            .filter(|t| !t.is_empty())
            .filter_map(entry)
            .collect();
        Self {
            all: false,
            entries,
        }
    }

    /// Whether `host` (a name or an IP address without brackets) on `port` bypasses the
    /// proxy.
    pub fn matches(&self, host: &str, port: u16) -> bool {
        if self.all {
            return true;
        }
        let host = host.trim_end_matches('.');
        match host.parse::<IpAddr>() {
            Ok(ip) => self.entries.iter().any(|e| match e {
                Entry::Network { addr, bits } => in_network(ip, *addr, *bits),
                Entry::Domain { .. } => false,
            }),
            Err(_) => self.entries.iter().any(|e| match e {
                Entry::Domain { name, port: p } => {
                    p.is_none_or(|p| p == port)
                        && (host.eq_ignore_ascii_case(name)
                            || host.len() > name.len()
                                && host
                                    .get(host.len() - name.len()..)
                                    .is_some_and(|tail| tail.eq_ignore_ascii_case(name))
                                && host.as_bytes().get(host.len() - name.len() - 1) == Some(&b'.'))
                }
                Entry::Network { .. } => false,
            }),
        }
    }
}

fn entry(token: &str) -> Option<Entry> {
    let bare = token
        .strip_prefix('[')
        .and_then(|t| t.split_once(']'))
        .map_or(token, |(inside, _)| inside);
    let (addr, bits) = match bare.split_once('/') {
        Some((a, b)) => (a, Some(b)),
        None => (bare, None),
    };
    if let Ok(addr) = addr.parse::<IpAddr>() {
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let bits = match bits {
            None => max,
            Some(b) => b.parse::<u8>().ok().filter(|b| *b <= max)?,
        };
        return Some(Entry::Network { addr, bits });
    }
    let (name, port) = match token.rsplit_once(':') {
        Some((n, p)) => (n, Some(p.parse::<u16>().ok()?)),
        None => (token, None),
    };
    let name = name.trim_start_matches('.').trim_end_matches('.');
    (!name.is_empty()).then(|| Entry::Domain {
        name: name.to_owned(),
        port,
    })
}

fn in_network(ip: IpAddr, net: IpAddr, bits: u8) -> bool {
    let (a, b, width) = match (ip, net) {
        (IpAddr::V4(a), IpAddr::V4(b)) => (u128::from(a.to_bits()), u128::from(b.to_bits()), 32),
        (IpAddr::V6(a), IpAddr::V6(b)) => (a.to_bits(), b.to_bits(), 128),
        _ => return false,
    };
    let shift = width - u32::from(bits);
    if shift >= 128 {
        return true;
    }
    (a >> shift) == (b >> shift)
}

/// The proxies to use, and the hosts that bypass them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProxySettings {
    /// For `https://` services.
    pub https: Option<ProxyUrl>,
    /// For `http://` services (loopback tests).
    pub http: Option<ProxyUrl>,
    /// The hosts that go direct.
    pub no_proxy: NoProxy,
}

impl ProxySettings {
    /// No proxy at all.
    pub fn none() -> Self {
        Self::default()
    }

    /// The settings of the process environment, with `--proxy` (`explicit`) over them.
    pub fn from_env(explicit: Option<&str>) -> Result<Self, ProxyError> {
        let mut settings = Self::from_lookup(|name| std::env::var(name).ok())?;
        if let Some(url) = explicit {
            let proxy = ProxyUrl::parse(url).map_err(|reason| ProxyError {
                source: "--proxy".to_owned(),
                reason,
            })?;
            settings.https = Some(proxy.clone());
            settings.http = Some(proxy);
        }
        Ok(settings)
    }

    /// The settings the variables `get` returns describe (see the module docs).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, ProxyError> {
        let value = |name: &str| get(name).filter(|v| !v.trim().is_empty());
        let cgi = value("REQUEST_METHOD").is_some();
        let first = |names: &[&'static str]| -> Result<Option<ProxyUrl>, ProxyError> {
            for name in names {
                if cgi && *name == "HTTP_PROXY" {
                    continue;
                }
                if let Some(v) = value(name) {
                    return ProxyUrl::parse(&v).map(Some).map_err(|reason| ProxyError {
                        source: (*name).to_owned(),
                        reason,
                    });
                }
            }
            Ok(None)
        };
        Ok(Self {
            https: first(&["https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"])?,
            http: first(&["http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"])?,
            no_proxy: NoProxy::parse(
                &value("no_proxy")
                    .or_else(|| value("NO_PROXY"))
                    .unwrap_or_default(),
            ),
        })
    }

    /// The proxy a connection to `target` goes through, `None` to go direct.
    pub fn route(&self, target: &BaseUrl) -> Option<&ProxyUrl> {
        let proxy = match target.scheme {
            Scheme::Https => self.https.as_ref(),
            Scheme::Http => self.http.as_ref(),
        }?;
        (!self.no_proxy.matches(&target.host, target.port)).then_some(proxy)
    }
}

/// The `CONNECT` request that opens a tunnel to `target` through `proxy`.
///
/// ```
/// use confpart_std::config::BaseUrl;
/// use confpart_std::proxy::{connect_request, ProxyUrl};
/// let proxy = ProxyUrl::parse("http://u:p@proxy:3128")?;
/// let req = connect_request(&BaseUrl::https("api.twilio.com"), &proxy);
/// assert_eq!(req, b"CONNECT api.twilio.com:443 HTTP/1.1\r\nHost: api.twilio.com:443\r\n\
///     Proxy-Authorization: Basic dTpw\r\n\r\n");
/// # Ok::<(), confpart_std::proxy::ProxyUrlError>(())
/// ```
pub fn connect_request(target: &BaseUrl, proxy: &ProxyUrl) -> Vec<u8> {
    let authority = authority(&target.host, target.port);
    let mut req = format!("CONNECT {authority} HTTP/1.1\r\nHost: {authority}\r\n");
    if let Some(auth) = proxy.authorization() {
        req.push_str(&format!("Proxy-Authorization: {auth}\r\n"));
    }
    req.push_str("\r\n");
    req.into_bytes()
}

/// A request the core wrote in origin form (`POST /path HTTP/1.1`), in the absolute form
/// a proxy needs for plain HTTP (`POST http://host:port/path HTTP/1.1`), with the proxy's
/// `Proxy-Authorization` after the request line.
///
/// ```
/// use confpart_std::config::BaseUrl;
/// use confpart_std::proxy::{absolute_form, ProxyUrl};
/// let base = BaseUrl::parse("http://127.0.0.1:8080")?;
/// let proxy = ProxyUrl::parse("proxy:3128").unwrap();
/// let req = absolute_form(b"GET /x HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n", &base, &proxy);
/// assert_eq!(req, b"GET http://127.0.0.1:8080/x HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n");
/// # Ok::<(), confpart_std::config::UrlError>(())
/// ```
pub fn absolute_form(request: &[u8], target: &BaseUrl, proxy: &ProxyUrl) -> Vec<u8> {
    let Some(space) = request.iter().position(|&b| b == b' ') else {
        return request.to_vec();
    };
    let (method, rest) = request.split_at(space + 1);
    let mut out = Vec::with_capacity(request.len() + 64);
    out.extend_from_slice(method);
    out.extend_from_slice(format!("http://{}", authority(&target.host, target.port)).as_bytes());
    match (
        proxy.authorization(),
        rest.windows(2).position(|w| w == b"\r\n"),
    ) {
        (Some(auth), Some(eol)) => {
            let (line, headers) = rest.split_at(eol + 2);
            out.extend_from_slice(line);
            out.extend_from_slice(format!("Proxy-Authorization: {auth}\r\n").as_bytes());
            out.extend_from_slice(headers);
        }
        _ => out.extend_from_slice(rest),
    }
    out
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

    fn lookup(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        }
    }

    #[test]
    fn lower_case_wins_and_empty_is_unset() {
        let s = ProxySettings::from_lookup(lookup(&[
            ("https_proxy", "http://lower:1"),
            ("HTTPS_PROXY", "http://upper:2"),
            ("http_proxy", ""),
            ("HTTP_PROXY", "http://plain:3"),
            ("no_proxy", ""),
            ("NO_PROXY", "skip.me"),
        ]))
        .unwrap();
        assert_eq!(s.https.unwrap().host, "lower");
        assert_eq!(s.http.unwrap().port, 3);
        assert!(s.no_proxy.matches("skip.me", 443));
    }

    #[test]
    fn all_proxy_and_cgi() {
        let s = ProxySettings::from_lookup(lookup(&[
            ("ALL_PROXY", "http://every:9"),
            ("HTTP_PROXY", "http://attacker:1"),
            ("REQUEST_METHOD", "GET"),
        ]))
        .unwrap();
        assert_eq!(s.https.as_ref().unwrap().host, "every");
        // Under CGI, HTTP_PROXY is a request header (httpoxy), not a setting.
        assert_eq!(s.http.as_ref().unwrap().host, "every");
    }

    #[test]
    fn a_bad_variable_is_named_without_its_value() {
        let e = ProxySettings::from_lookup(lookup(&[("HTTPS_PROXY", "socks5://u:hunter2@x")]))
            .unwrap_err();
        assert_eq!(e.source, "HTTPS_PROXY");
        assert!(!format!("{e} {e:?}").contains("hunter2"));
        let e =
            ProxySettings::from_lookup(lookup(&[("https_proxy", "http://u:%zz@x")])).unwrap_err();
        assert_eq!(e.reason, ProxyUrlError::Credentials);
    }

    #[test]
    fn proxy_urls() {
        let p = ProxyUrl::parse("HTTP://Proxy.Corp:3128/").unwrap();
        assert_eq!(
            (p.host.as_str(), p.port, p.credentials.is_none()),
            ("proxy.corp", 3128, true)
        );
        assert_eq!(ProxyUrl::parse("proxy").unwrap().port, DEFAULT_PROXY_PORT);
        let p = ProxyUrl::parse("http://user%3Aname:pa%3Ass@p:1").unwrap_err();
        assert_eq!(p, ProxyUrlError::Credentials); // ':' in a Basic user
        let p = ProxyUrl::parse("http://us%40er:pa%3Ass@p:1").unwrap();
        assert_eq!(p.authorization().unwrap(), "Basic dXNAZXI6cGE6c3M=");
        assert_eq!(p.to_string(), "http://***@p:1");
        assert!(!format!("{p:?}").contains("pa:ss"));
        for (bad, e) in [
            ("https://p:1", ProxyUrlError::Scheme),
            ("http://p:1/path", ProxyUrlError::Path),
            ("http://p:0", ProxyUrlError::Port),
            ("http://p:x", ProxyUrlError::Port),
            ("http://:1", ProxyUrlError::Host),
            ("http://[::1:1", ProxyUrlError::Host),
        ] {
            assert_eq!(ProxyUrl::parse(bad), Err(e), "{bad}");
        }
    }

    #[test]
    fn no_proxy_like_curl() {
        let n = NoProxy::parse("example.com,, .other.org. ,10.0.0.0/8 ::1 fe80::/10, bad/99");
        for (host, hit) in [
            ("example.com", true),
            ("EXAMPLE.com.", true),
            ("www.example.com", true),
            ("notexample.com", false),
            ("example.com.evil", false),
            ("other.org", true),
            ("a.b.other.org", true),
            ("10.255.0.1", true),
            ("11.0.0.1", false),
            ("::1", true),
            ("fe80::1", true),
            ("::2", false),
            // IP entries match addresses, not names.
            ("localhost", false),
        ] {
            assert_eq!(n.matches(host, 443), hit, "{host}");
        }
        assert!(!NoProxy::parse("").matches("x", 1));
        assert!(!NoProxy::parse("* ,x").matches("y", 1));
        assert!(NoProxy::parse("0.0.0.0/0").matches("8.8.8.8", 1));
        assert!(!NoProxy::parse("0.0.0.0/0").matches("::1", 1));
    }

    #[test]
    fn routes() {
        let s = ProxySettings {
            https: Some(ProxyUrl::parse("p:1").unwrap()),
            http: None,
            no_proxy: NoProxy::parse("localhost"),
        };
        assert!(s.route(&BaseUrl::https("api.twilio.com")).is_some());
        assert!(s.route(&BaseUrl::https("localhost")).is_none());
        assert!(
            s.route(&BaseUrl::parse("http://127.0.0.1:1").unwrap())
                .is_none()
        );
    }

    #[test]
    fn connect_to_an_ipv6_target_is_bracketed() {
        let req = connect_request(
            &BaseUrl::parse("https://[2001:db8::1]:8443").unwrap(),
            &ProxyUrl::parse("p").unwrap(),
        );
        assert_eq!(
            req,
            b"CONNECT [2001:db8::1]:8443 HTTP/1.1\r\nHost: [2001:db8::1]:8443\r\n\r\n"
        );
        let abs = absolute_form(
            b"GET /x HTTP/1.1\r\nHost: h\r\n\r\n",
            &BaseUrl::parse("http://[::1]:8").unwrap(),
            &ProxyUrl::parse("http://a:b@p").unwrap(),
        );
        assert_eq!(
            abs,
            b"GET http://[::1]:8/x HTTP/1.1\r\nProxy-Authorization: Basic YTpi\r\nHost: h\r\n\r\n"
        );
    }
}
