//! Webhook signatures: `X-Twilio-Signature` and `X-SignalWire-Signature`,
//! signed by a bridge and checked by whoever receives a callback.
//!
//! The signature is `base64(HMAC-SHA1(key, URL + name₁ + value₁ + name₂ +
//! value₂ ...))` over the form's decoded pairs, names in sorted order:
//!
//! - [`Scheme::Twilio`] (twilio-python `RequestValidator.compute_signature`,
//!   twilio-node `getExpectedTwilioSignature`): the key is the account's auth
//!   token; each name's values are sorted and de-duplicated.
//! - [`Scheme::SignalWire`] (`@signalwire/compatibility-api`'s
//!   `getExpectedTwilioSignature`): the key is the project's signing key; a
//!   name's values keep their order in the body and are not de-duplicated. The
//!   header is [`SIGNALWIRE_HEADER`]; [`TWILIO_HEADER`] is read as an alias.
//!
//! A validator accepts the URL with and without its port, as both SDKs do
//! (their validators try both because the service's own signing is not
//! consistent): a URL with a port is also tried without it, a URL without one
//! also with the scheme's default port (`:443` for `https`, `:80` otherwise).
//! A JSON body is not signed as parameters: the URL carries `bodySHA256`, the
//! hex SHA-256 of the body, and the parameters are empty
//! ([`validate_json`]). Tags are compared in constant time
//! ([`hmac::Mac::verify_slice`], [`subtle`]).
//!
//! Nothing is collected: the pairs are read where they are in the body, in
//! sorted order by repeated passes that each select the next smallest pair
//! (quadratic in the number of pairs, bounded by [`SIGNATURE_PARAMS_MAX`]),
//! and decoded byte by byte into the HMAC.
//!
//! ```
//! use confpart::api::signature::{Scheme, sign, validate};
//!
//! let url = "https://hooks.example.com/conference?site=1";
//! let body = b"StatusCallbackEvent=participant-mute&Muted=true&FriendlyName=room+1";
//! let sig = sign(Scheme::Twilio, b"auth token", url, body)?;
//! // A receiver (firmware, a host) checks it before trusting the callback.
//! validate(Scheme::Twilio, b"auth token", url, body, sig.as_bytes())?;
//! // Twilio may have signed the URL with its default port: also accepted.
//! validate(Scheme::Twilio, b"auth token", "https://hooks.example.com:443/conference?site=1",
//!     body, sig.as_bytes())?;
//! // Another value, another key or another URL: rejected.
//! assert!(validate(Scheme::Twilio, b"auth token", url, b"Muted=false", sig.as_bytes()).is_err());
//! assert!(validate(Scheme::Twilio, b"other", url, body, sig.as_bytes()).is_err());
//! # Ok::<(), confpart::api::signature::SignatureError>(())
//! ```

use core::cmp::Ordering;
use core::fmt;

use hmac::{Hmac, Mac};
use sha1::Sha1;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::api::path::Dialect;
use crate::wire::form::{self, Pair, Space};
use crate::wire::sink::SliceSink;

/// Most pairs a signed form may have: sorting without a buffer reads the
/// body once per pair, so the work grows with the square of this bound.
/// A conference callback has at most 20; Twilio's other webhooks about 40.
pub const SIGNATURE_PARAMS_MAX: usize = 64;
/// Length of a signature header value: base64 of a 20-byte HMAC-SHA1.
pub const SIGNATURE_LEN: usize = 28;
/// Length of `bodySHA256`: the hex SHA-256 of a JSON body.
pub const BODY_HASH_LEN: usize = 64;
/// The Twilio header (SignalWire's alias).
pub const TWILIO_HEADER: &str = "X-Twilio-Signature";
/// The SignalWire header.
pub const SIGNALWIRE_HEADER: &str = "X-SignalWire-Signature";
/// The query parameter that carries a JSON body's hash.
pub const BODY_HASH_PARAM: &str = "bodySHA256";

const TAG_LEN: usize = 20;

type HmacSha1 = Hmac<Sha1>;

/// Whose signing rules apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Scheme {
    /// Twilio: a name's values sorted and de-duplicated.
    Twilio,
    /// SignalWire: a name's values in body order, repeats kept.
    SignalWire,
}

impl Scheme {
    /// The scheme of a service.
    ///
    /// ```
    /// use confpart::api::{path::Dialect, signature::Scheme};
    /// assert_eq!(Scheme::of(Dialect::SignalWire), Scheme::SignalWire);
    /// ```
    pub const fn of(dialect: Dialect) -> Self {
        match dialect {
            Dialect::Twilio => Self::Twilio,
            Dialect::SignalWire => Self::SignalWire,
            // Placeholder until the Ed25519 scheme lands (issue 21).
            Dialect::Telnyx => Self::Twilio,
        }
    }

    /// The header a sender writes the signature in.
    ///
    /// ```
    /// use confpart::api::signature::Scheme;
    /// assert_eq!(Scheme::Twilio.header(), "X-Twilio-Signature");
    /// assert_eq!(Scheme::SignalWire.header(), "X-SignalWire-Signature");
    /// ```
    pub const fn header(self) -> &'static str {
        match self {
            Self::Twilio => TWILIO_HEADER,
            Self::SignalWire => SIGNALWIRE_HEADER,
        }
    }

    /// The headers a receiver reads the signature from, first match wins
    /// (SignalWire's SDK falls back to `X-Twilio-Signature`).
    ///
    /// ```
    /// use confpart::api::signature::Scheme;
    /// assert_eq!(Scheme::SignalWire.headers(), &["X-SignalWire-Signature", "X-Twilio-Signature"]);
    /// ```
    pub const fn headers(self) -> &'static [&'static str] {
        match self {
            Self::Twilio => &[TWILIO_HEADER],
            Self::SignalWire => &[SIGNALWIRE_HEADER, TWILIO_HEADER],
        }
    }
}

/// Why a form could not be signed, or a signature was not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum SignatureError {
    /// The form has more pairs than [`SIGNATURE_PARAMS_MAX`].
    TooManyParams {
        /// The bound.
        max: usize,
    },
    /// A `%` not followed by two hex digits in the form, at this byte offset.
    InvalidEscape {
        /// Byte offset of the `%` in the body.
        offset: usize,
    },
    /// The signature does not match the URL, the form and the key.
    Mismatch,
    /// A JSON body's URL has no `bodySHA256` parameter.
    NoBodyHash,
    /// The body's SHA-256 is not the URL's `bodySHA256`.
    BodyHashMismatch,
}

impl fmt::Display for SignatureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooManyParams { max } => write!(f, "more than {max} form parameters to sign"),
            Self::InvalidEscape { offset } => write!(f, "invalid percent-escape at byte {offset}"),
            Self::Mismatch => f.write_str("signature does not match"),
            Self::NoBodyHash => f.write_str("the URL has no bodySHA256 parameter"),
            Self::BodyHashMismatch => f.write_str("the body does not match bodySHA256"),
        }
    }
}

impl core::error::Error for SignatureError {}

/// A signature header value: base64, [`SIGNATURE_LEN`] bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Signature([u8; SIGNATURE_LEN]);

impl Signature {
    /// The header value.
    ///
    /// ```
    /// use confpart::api::signature::{Scheme, sign};
    /// let sig = sign(Scheme::Twilio, b"12345", "https://mycompany.com/myapp.php?foo=1&bar=2",
    ///     b"CallSid=CA1234567890ABCDE&Caller=%2B12349013030&Digits=1234&From=%2B12349013030&To=%2B18005551212")?;
    /// // The example of Twilio's security documentation.
    /// assert_eq!(sig.as_str(), "0/KCTR6DLpKmkAf8muzZqo1nDgQ=");
    /// # Ok::<(), confpart::api::signature::SignatureError>(())
    /// ```
    pub fn as_str(&self) -> &str {
        core::str::from_utf8(&self.0).unwrap_or_default()
    }

    /// The header value as bytes.
    pub const fn as_bytes(&self) -> &[u8; SIGNATURE_LEN] {
        &self.0
    }
}

/// Signs a form body (`application/x-www-form-urlencoded`, as sent) for
/// `url`, the URL exactly as the request goes to it (with its query). A
/// bridge puts the result in [`Scheme::header`].
///
/// An empty body signs the URL alone (a `GET` callback carries its
/// parameters in the URL, so `url` has them and `form` is empty).
pub fn sign(
    scheme: Scheme,
    key: &[u8],
    url: &str,
    form: &[u8],
) -> Result<Signature, SignatureError> {
    let plain = check_form(form)?;
    let mut mac = new_mac(key);
    mac.update(url.as_bytes());
    feed_params(scheme, form, plain, &mut |bytes| mac.update(bytes));
    Ok(encode_tag(&mac.finalize().into_bytes().into()))
}

/// Signs a `GET` webhook: its parameters are `query` (form-encoded) after
/// `url` (`?`, or `&` when `url` has a query already), and the signed string
/// is that whole URL with no form parameters, as a receiver reading the
/// request line checks it with [`validate`] and an empty form.
///
/// ```
/// use confpart::api::signature::{Scheme, sign, sign_query, validate};
/// let sig = sign_query(b"k", "https://h.example/cb", b"SequenceNumber=1");
/// assert_eq!(sig, sign(Scheme::Twilio, b"k", "https://h.example/cb?SequenceNumber=1", b"")?);
/// validate(Scheme::Twilio, b"k", "https://h.example/cb?SequenceNumber=1", b"", sig.as_bytes())?;
/// # Ok::<(), confpart::api::signature::SignatureError>(())
/// ```
/// The schemes differ only in the order of form parameters: a `GET` has
/// none, so this serves both.
pub fn sign_query(key: &[u8], url: &str, query: &[u8]) -> Signature {
    let mut mac = new_mac(key);
    mac.update(url.as_bytes());
    mac.update(if url.contains('?') { b"&" } else { b"?" });
    mac.update(query);
    encode_tag(&mac.finalize().into_bytes().into())
}

/// Checks `signature` (the header value) against the URL the request was
/// sent to, its form body and the key: accepted with the URL as given or
/// with its port toggled (see the module docs).
///
/// ```
/// use confpart::api::signature::{Scheme, SignatureError, sign, validate};
/// // SignalWire keeps repeated values in body order.
/// let body = b"a=2&a=1";
/// let sig = sign(Scheme::SignalWire, b"PSK_x", "http://bridge.local/cb", body)?;
/// validate(Scheme::SignalWire, b"PSK_x", "http://bridge.local:80/cb", body, sig.as_bytes())?;
/// assert_eq!(
///     validate(Scheme::SignalWire, b"PSK_x", "http://bridge.local/cb", b"a=1&a=2", sig.as_bytes()),
///     Err(SignatureError::Mismatch)
/// );
/// # Ok::<(), SignatureError>(())
/// ```
pub fn validate(
    scheme: Scheme,
    key: &[u8],
    url: &str,
    form: &[u8],
    signature: &[u8],
) -> Result<(), SignatureError> {
    let plain = check_form(form)?;
    let (a, b) = url_variants(url);
    let (mut with, mut without) = (new_mac(key), new_mac(key));
    for part in a.iter() {
        with.update(part.as_bytes());
    }
    for part in b.iter() {
        without.update(part.as_bytes());
    }
    feed_params(scheme, form, plain, &mut |bytes| {
        with.update(bytes);
        without.update(bytes);
    });
    let mut tag = [0u8; TAG_LEN + 2];
    let tag = match crate::wire::base64::decode(signature, &mut tag) {
        Ok(TAG_LEN) => tag.get(..TAG_LEN).unwrap_or(&[]),
        _ => return Err(SignatureError::Mismatch),
    };
    // Both are checked (`|`, not `||`): the time does not say which matched.
    if with.verify_slice(tag).is_ok() | without.verify_slice(tag).is_ok() {
        Ok(())
    } else {
        Err(SignatureError::Mismatch)
    }
}

/// The hex SHA-256 of a JSON body: the value of `bodySHA256` in the URL a
/// JSON webhook is sent to.
///
/// ```
/// use confpart::api::signature::body_hash;
/// assert_eq!(
///     &body_hash(b"{}"),
///     b"44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"
/// );
/// ```
pub fn body_hash(body: &[u8]) -> [u8; BODY_HASH_LEN] {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let digest: [u8; 32] = Sha256::digest(body).into();
    let mut out = [0u8; BODY_HASH_LEN];
    for (pair, byte) in out.chunks_exact_mut(2).zip(digest) {
        let hi = HEX.get(usize::from(byte >> 4)).copied().unwrap_or(b'0');
        let lo = HEX.get(usize::from(byte & 15)).copied().unwrap_or(b'0');
        pair.copy_from_slice(&[hi, lo]);
    }
    out
}

/// Checks a webhook with a JSON body: the URL's `bodySHA256` must be the
/// body's hash ([`body_hash`], compared in constant time), and the signature
/// is over the URL alone (the parameters are empty).
///
/// ```
/// use confpart::api::signature::{Scheme, SignatureError, body_hash, sign, validate_json};
/// let body = br#"{"event":"conference-end"}"#;
/// let hash = body_hash(body);
/// let mut url = String::from("https://hooks.example.com/cb?bodySHA256=");
/// url.push_str(core::str::from_utf8(&hash).unwrap());
/// let sig = sign(Scheme::Twilio, b"token", &url, b"")?;
/// validate_json(Scheme::Twilio, b"token", &url, body, sig.as_bytes())?;
/// assert_eq!(
///     validate_json(Scheme::Twilio, b"token", &url, b"{}", sig.as_bytes()),
///     Err(SignatureError::BodyHashMismatch)
/// );
/// # Ok::<(), SignatureError>(())
/// ```
pub fn validate_json(
    scheme: Scheme,
    key: &[u8],
    url: &str,
    body: &[u8],
    signature: &[u8],
) -> Result<(), SignatureError> {
    let query = url
        .split_once('?')
        .map_or("", |(_, q)| q.split_once('#').map_or(q, |(q, _)| q));
    let given = form::pairs(query.as_bytes())
        .find(|p| p.key == BODY_HASH_PARAM.as_bytes())
        .ok_or(SignatureError::NoBodyHash)?;
    let hash_ok = body_hash(body).as_slice().ct_eq(given.value);
    let signature_ok = validate(scheme, key, url, b"", signature);
    if !bool::from(hash_ok) {
        return Err(SignatureError::BodyHashMismatch);
    }
    signature_ok
}

fn new_mac(key: &[u8]) -> HmacSha1 {
    // HMAC takes keys of any length: this never falls back.
    HmacSha1::new_from_slice(key).unwrap_or_else(|_| HmacSha1::new(&Default::default()))
}

fn encode_tag(tag: &[u8; TAG_LEN]) -> Signature {
    let mut out = [0u8; SIGNATURE_LEN];
    let mut sink = SliceSink::new(&mut out);
    // 20 bytes are 28 base64 bytes: the sink holds them exactly.
    let _ = crate::wire::base64::encode(&mut sink, &[tag]);
    Signature(out)
}

/// Which components of a form are their own decoding (no `%`, no `+`): bit
/// `i` of the first word for pair `i`'s name, of the second for its value.
/// 64 bits hold the [`SIGNATURE_PARAMS_MAX`] pairs.
#[derive(Clone, Copy)]
struct Plain([u64; 2]);

impl Plain {
    fn get(self, index: usize, value: bool) -> bool {
        let [names, values] = self.0;
        let word = if value { values } else { names };
        index < 64 && word & (1 << index) != 0
    }
}

const _: () = assert!(SIGNATURE_PARAMS_MAX <= 64);

/// Counts the pairs (at most [`SIGNATURE_PARAMS_MAX`]) and checks every
/// escape, so the passes that sort and hash read only valid components;
/// notes which components need no decoding (compared as they are).
fn check_form(form: &[u8]) -> Result<Plain, SignatureError> {
    let (mut names, mut values) = (0u64, 0u64);
    for (index, pair) in form::pairs(form).enumerate() {
        if index >= SIGNATURE_PARAMS_MAX {
            return Err(SignatureError::TooManyParams {
                max: SIGNATURE_PARAMS_MAX,
            });
        }
        for (word, raw, at) in [
            (&mut names, pair.key, pair.offset),
            (&mut values, pair.value, pair.value_offset),
        ] {
            if !form::needs_decoding(raw, Space::Plus) {
                *word |= 1 << index;
            } else if let Err(form::DecodeError::InvalidEscape { offset }) = form::decoded_len(raw)
            {
                return Err(SignatureError::InvalidEscape {
                    offset: at + offset,
                });
            }
        }
    }
    Ok(Plain([names, values]))
}

/// Compares two components by their decoded bytes; two plain ones as they are.
fn cmp_decoded(a: &[u8], a_plain: bool, b: &[u8], b_plain: bool) -> Ordering {
    if a_plain && b_plain {
        return a.cmp(b);
    }
    form::decoded_bytes(a, Space::Plus).cmp(form::decoded_bytes(b, Space::Plus))
}

/// A pair and its place among the form's pairs.
#[derive(Clone, Copy)]
struct Item<'a> {
    pair: Pair<'a>,
    index: usize,
}

/// The signing order of two pairs: by decoded name, then by decoded value
/// (Twilio; equal pairs are one) or by place in the body (SignalWire).
fn order(scheme: Scheme, plain: Plain, a: &Item<'_>, b: &Item<'_>) -> Ordering {
    let (i, j) = (a.index, b.index);
    cmp_decoded(
        a.pair.key,
        plain.get(i, false),
        b.pair.key,
        plain.get(j, false),
    )
    .then_with(|| match scheme {
        Scheme::Twilio => cmp_decoded(
            a.pair.value,
            plain.get(i, true),
            b.pair.value,
            plain.get(j, true),
        ),
        Scheme::SignalWire => i.cmp(&j),
    })
}

/// Feeds `name + value` of each pair, decoded, in signing order: each pass
/// over the body selects the smallest pair after the last one fed.
fn feed_params(scheme: Scheme, form: &[u8], plain: Plain, feed: &mut dyn FnMut(&[u8])) {
    let mut last: Option<Item<'_>> = None;
    loop {
        let mut next: Option<Item<'_>> = None;
        for (index, pair) in form::pairs(form).enumerate() {
            let item = Item { pair, index };
            let after_last = last
                .as_ref()
                .is_none_or(|l| order(scheme, plain, &item, l) == Ordering::Greater);
            if after_last
                && next
                    .as_ref()
                    .is_none_or(|n| order(scheme, plain, &item, n) == Ordering::Less)
            {
                next = Some(item);
            }
        }
        let Some(item) = next else { return };
        feed_decoded(item.pair.key, feed);
        feed_decoded(item.pair.value, feed);
        last = Some(item);
    }
}

fn feed_decoded(raw: &[u8], feed: &mut dyn FnMut(&[u8])) {
    if !form::needs_decoding(raw, Space::Plus) {
        feed(raw);
        return;
    }
    let mut chunk = [0u8; 64];
    let mut n = 0;
    for byte in form::decoded_bytes(raw, Space::Plus) {
        if let Some(slot) = chunk.get_mut(n) {
            *slot = byte;
            n += 1;
        }
        if n == chunk.len() {
            feed(&chunk);
            n = 0;
        }
    }
    feed(chunk.get(..n).unwrap_or(&[]));
}

/// Up to three pieces of a URL, hashed in turn.
type UrlParts<'a> = [&'a str; 3];

/// The two URLs a validator tries: as given, and with the port toggled (a
/// port removed, or the scheme's default port added after the host), as
/// twilio-python's `add_port` / `remove_port` build them. A URL without
/// `://` has no variant: both are the URL.
fn url_variants(url: &str) -> (UrlParts<'_>, UrlParts<'_>) {
    let as_given = [url, "", ""];
    let Some((scheme, rest)) = url.split_once("://") else {
        return (as_given, as_given);
    };
    let host_start = scheme.len() + 3;
    let authority_len = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let host_end = host_start + authority_len;
    let authority = rest.get(..authority_len).unwrap_or("");
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let port = host
        .rsplit_once(':')
        .map(|(_, p)| p)
        .filter(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    let toggled = match port {
        Some(p) => [
            url.get(..host_end - p.len() - 1).unwrap_or(url),
            url.get(host_end..).unwrap_or(""),
            "",
        ],
        None => [
            url.get(..host_end).unwrap_or(url),
            if scheme.eq_ignore_ascii_case("https") {
                ":443"
            } else {
                ":80"
            },
            url.get(host_end..).unwrap_or(""),
        ],
    };
    (as_given, toggled)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::{format, string::String, vec::Vec};

    fn joined(parts: UrlParts<'_>) -> String {
        parts.concat()
    }

    #[test]
    fn url_variants_toggle_the_port() {
        for (url, other) in [
            ("https://a.example/x?y=1", "https://a.example:443/x?y=1"),
            ("http://a.example/x", "http://a.example:80/x"),
            ("https://a.example:443/x", "https://a.example/x"),
            ("http://a.example:8080", "http://a.example"),
            ("https://a.example?q=:1", "https://a.example:443?q=:1"),
            ("https://u:p@a.example/x", "https://u:p@a.example:443/x"),
            ("https://[::1]:8443/x", "https://[::1]/x"),
            ("https://[::1]/x", "https://[::1]:443/x"),
        ] {
            let (a, b) = url_variants(url);
            assert_eq!(
                (joined(a), joined(b)),
                (String::from(url), String::from(other))
            );
        }
        let (a, b) = url_variants("relative/x");
        assert_eq!(joined(a), joined(b));
    }

    /// The reference: the SDKs' algorithm on decoded, collected pairs.
    fn reference(scheme: Scheme, key: &[u8], url: &str, form: &[u8]) -> String {
        use base64::Engine;
        let mut pairs: Vec<(Vec<u8>, Vec<u8>)> =
            serde_urlencoded::from_bytes::<Vec<(String, String)>>(form)
                .unwrap()
                .into_iter()
                .map(|(k, v)| (k.into_bytes(), v.into_bytes()))
                .collect();
        match scheme {
            Scheme::Twilio => {
                pairs.sort();
                pairs.dedup();
            }
            Scheme::SignalWire => pairs.sort_by(|a, b| a.0.cmp(&b.0)),
        }
        let mut mac = HmacSha1::new_from_slice(key).unwrap();
        mac.update(url.as_bytes());
        for (k, v) in pairs {
            mac.update(&k);
            mac.update(&v);
        }
        base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
    }

    fn encode_form(pairs: &[(String, String)]) -> Vec<u8> {
        serde_urlencoded::to_string(pairs).unwrap().into_bytes()
    }

    #[test]
    fn repeated_values() {
        let url = "https://h.example/cb";
        let form = b"b=2&a=z&b=1&b=2";
        let tw = sign(Scheme::Twilio, b"k", url, form).unwrap();
        assert_eq!(tw.as_str(), reference(Scheme::Twilio, b"k", url, form));
        // Twilio: b1 b2 (sorted, one b2); SignalWire: b2 b1 b2.
        let mut mac = HmacSha1::new_from_slice(b"k").unwrap();
        mac.update(b"https://h.example/cbazb2b1b2");
        assert_eq!(
            sign(Scheme::SignalWire, b"k", url, form).unwrap(),
            encode_tag(&mac.finalize().into_bytes().into())
        );
    }

    #[test]
    fn bounds_and_escapes_are_errors() {
        let mut form = Vec::new();
        for i in 0..=SIGNATURE_PARAMS_MAX {
            form.extend_from_slice(format!("k{i}=v&").as_bytes());
        }
        assert_eq!(
            sign(Scheme::Twilio, b"k", "http://h/", &form),
            Err(SignatureError::TooManyParams {
                max: SIGNATURE_PARAMS_MAX
            })
        );
        assert_eq!(
            validate(Scheme::Twilio, b"k", "http://h/", b"a=1&b%zz=2", b"x"),
            Err(SignatureError::InvalidEscape { offset: 5 })
        );
        assert_eq!(
            sign(Scheme::Twilio, b"k", "http://h/", b"a=%4"),
            Err(SignatureError::InvalidEscape { offset: 2 })
        );
    }

    #[test]
    fn malformed_signatures_are_mismatches() {
        let sig = sign(Scheme::Twilio, b"k", "http://h/", b"a=1").unwrap();
        for bad in [
            &b""[..],
            b"====",
            &sig.as_bytes()[..27],
            b"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        ] {
            assert_eq!(
                validate(Scheme::Twilio, b"k", "http://h/", b"a=1", bad),
                Err(SignatureError::Mismatch)
            );
        }
    }

    fn params() -> impl Strategy<Value = Vec<(String, String)>> {
        proptest::collection::vec(("[a-zA-Z]{1,3}|[ -~é]{0,3}", "[ -~é]{0,4}"), 0..8)
    }

    proptest! {
        #[test]
        fn signs_as_the_sdks_do(pairs in params(), key in "[ -~]{0,40}", port in any::<bool>()) {
            let form = encode_form(&pairs);
            let url = if port { "https://h.example:443/cb?x=1" } else { "https://h.example/cb?x=1" };
            for scheme in [Scheme::Twilio, Scheme::SignalWire] {
                let sig = sign(scheme, key.as_bytes(), url, &form).unwrap();
                prop_assert_eq!(sig.as_str(), reference(scheme, key.as_bytes(), url, &form));
                prop_assert_eq!(validate(scheme, key.as_bytes(), url, &form, sig.as_bytes()), Ok(()));
                let other = if port { "https://h.example/cb?x=1" } else { "https://h.example:443/cb?x=1" };
                prop_assert_eq!(validate(scheme, key.as_bytes(), other, &form, sig.as_bytes()), Ok(()));
            }
        }

        #[test]
        fn any_change_is_rejected(
            pairs in params().prop_filter("some pair", |p| !p.is_empty()),
            key in "[ -~]{1,40}",
            which in 0usize..4,
            at in any::<prop::sample::Index>(),
            extra in "[a-z]{1,2}",
        ) {
            let url = "https://h.example/cb";
            for scheme in [Scheme::Twilio, Scheme::SignalWire] {
                let form = encode_form(&pairs);
                let sig = sign(scheme, key.as_bytes(), url, &form).unwrap();
                let mut changed = pairs.clone();
                let i = at.index(changed.len());
                let (mut key2, mut url2) = (key.clone(), String::from(url));
                match which {
                    0 => url2.push_str(&extra),
                    1 => key2.push_str(&extra),
                    2 => changed[i].0.push_str(&extra),
                    _ => changed[i].1.push_str(&extra),
                }
                let form2 = encode_form(&changed);
                // A change that leaves the signed string the same is no change
                // (a Twilio duplicate turned into another duplicate).
                if reference(scheme, key2.as_bytes(), &url2, &form2) == sig.as_str() {
                    continue;
                }
                prop_assert_eq!(
                    validate(scheme, key2.as_bytes(), &url2, &form2, sig.as_bytes()),
                    Err(SignatureError::Mismatch)
                );
            }
        }

        #[test]
        fn validate_never_panics(form in any::<Vec<u8>>(), url in any::<String>(), sig in any::<Vec<u8>>()) {
            let _ = validate(Scheme::Twilio, b"k", &url, &form, &sig);
            let _ = validate_json(Scheme::SignalWire, b"k", &url, &form, &sig);
        }
    }
}
