//! Webhook signatures: `X-Twilio-Signature` and `X-SignalWire-Signature`
//! (HMAC-SHA1), and Telnyx's `telnyx-signature-ed25519` (Ed25519), signed by
//! a bridge and checked by whoever receives a callback.
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
//! [`Scheme::Telnyx`] is another kind of signature: Ed25519 over
//! `"{timestamp}|{body}"` (the body as sent, whatever its type; the URL is
//! not signed), the signature in base64 in [`TELNYX_SIGNATURE_HEADER`] and
//! the Unix time in seconds in [`TELNYX_TIMESTAMP_HEADER`]; a receiver checks
//! it with the account's public key (32 bytes, shown in base64) and refuses
//! a timestamp more than [`TELNYX_TOLERANCE_SECS`] away from its clock, as
//! the Telnyx SDKs' `webhooks.unwrap` do. Signing and checking need the
//! crate feature `ed25519` (`Ed25519Key`, `Ed25519PublicKey`,
//! `validate_telnyx`); the message is fed in pieces, never copied. The
//! HMAC functions ([`sign`], [`validate`], [`validate_json`]) refuse the
//! Telnyx scheme ([`SignatureError::NotHmac`]).
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
use crate::wire::sink::{Sink, SliceSink, WriteError};

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
/// Telnyx's signature header (base64 of a 64-byte Ed25519 signature).
pub const TELNYX_SIGNATURE_HEADER: &str = "telnyx-signature-ed25519";
/// Telnyx's timestamp header: the Unix time (seconds) the signature covers.
pub const TELNYX_TIMESTAMP_HEADER: &str = "telnyx-timestamp";
/// How far (seconds, either way) a Telnyx timestamp may be from the
/// receiver's clock: the SDKs' 300.
pub const TELNYX_TOLERANCE_SECS: u64 = 300;
/// Length of an Ed25519 signature (bytes).
pub const ED25519_SIGNATURE_LEN: usize = 64;
/// Length of an Ed25519 key: a private key's seed, or a public key (bytes).
pub const ED25519_KEY_LEN: usize = 32;
/// Length of the base64 of an Ed25519 signature: the value of
/// [`TELNYX_SIGNATURE_HEADER`].
pub const ED25519_SIGNATURE_B64_LEN: usize = 88;
/// Length of the base64 of an Ed25519 key (how Telnyx shows a public key).
pub const ED25519_KEY_B64_LEN: usize = 44;
/// Most digits of a timestamp header (a `u64`).
pub const TIMESTAMP_MAX_DIGITS: usize = 20;

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
    /// Telnyx: Ed25519 over `"{timestamp}|{body}"` (`sign_telnyx`,
    /// `validate_telnyx`).
    Telnyx,
}

impl Scheme {
    /// The scheme of a service.
    ///
    /// ```
    /// use confpart::api::{path::Dialect, signature::Scheme};
    /// assert_eq!(Scheme::of(Dialect::SignalWire), Scheme::SignalWire);
    /// assert_eq!(Scheme::of(Dialect::Telnyx), Scheme::Telnyx);
    /// ```
    pub const fn of(dialect: Dialect) -> Self {
        match dialect {
            Dialect::Twilio => Self::Twilio,
            Dialect::SignalWire => Self::SignalWire,
            Dialect::Telnyx => Self::Telnyx,
        }
    }

    /// True for the HMAC-SHA1 schemes ([`sign`], [`validate`]).
    ///
    /// ```
    /// use confpart::api::signature::Scheme;
    /// assert!(Scheme::Twilio.is_hmac() && !Scheme::Telnyx.is_hmac());
    /// ```
    pub const fn is_hmac(self) -> bool {
        !matches!(self, Self::Telnyx)
    }

    /// The header a sender writes the signature in.
    ///
    /// ```
    /// use confpart::api::signature::Scheme;
    /// assert_eq!(Scheme::Twilio.header(), "X-Twilio-Signature");
    /// assert_eq!(Scheme::SignalWire.header(), "X-SignalWire-Signature");
    /// assert_eq!(Scheme::Telnyx.header(), "telnyx-signature-ed25519");
    /// ```
    pub const fn header(self) -> &'static str {
        match self {
            Self::Twilio => TWILIO_HEADER,
            Self::SignalWire => SIGNALWIRE_HEADER,
            Self::Telnyx => TELNYX_SIGNATURE_HEADER,
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
            Self::Telnyx => &[TELNYX_SIGNATURE_HEADER],
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
    /// An HMAC function was given [`Scheme::Telnyx`], which signs with
    /// Ed25519 (`sign_telnyx`, `validate_telnyx`).
    NotHmac,
    /// The timestamp header is not 1 to [`TIMESTAMP_MAX_DIGITS`] ASCII
    /// digits of a `u64`.
    InvalidTimestamp,
    /// The timestamp is more than [`TELNYX_TOLERANCE_SECS`] away from the
    /// receiver's clock: a replay, or a clock that is wrong.
    StaleTimestamp {
        /// The signed timestamp (Unix seconds).
        timestamp: u64,
        /// The receiver's clock (Unix seconds).
        now: u64,
    },
    /// A signature or a key that is not canonical padded base64.
    InvalidBase64,
    /// A signature or a key of the wrong length once decoded.
    WrongLength {
        /// The length it must have ([`ED25519_SIGNATURE_LEN`] or [`ED25519_KEY_LEN`]).
        expected: usize,
        /// The decoded length.
        found: usize,
    },
    /// A public key that is not a point of the curve, or one of small order
    /// (it would accept forged signatures).
    InvalidKey,
}

impl fmt::Display for SignatureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooManyParams { max } => write!(f, "more than {max} form parameters to sign"),
            Self::InvalidEscape { offset } => write!(f, "invalid percent-escape at byte {offset}"),
            Self::Mismatch => f.write_str("signature does not match"),
            Self::NoBodyHash => f.write_str("the URL has no bodySHA256 parameter"),
            Self::BodyHashMismatch => f.write_str("the body does not match bodySHA256"),
            Self::NotHmac => f.write_str("the Telnyx scheme signs with Ed25519, not HMAC"),
            Self::InvalidTimestamp => f.write_str("the timestamp is not a number of seconds"),
            Self::StaleTimestamp { timestamp, now } => write!(
                f,
                "timestamp {timestamp} is more than {TELNYX_TOLERANCE_SECS} s from now ({now})"
            ),
            Self::InvalidBase64 => f.write_str("not canonical base64"),
            Self::WrongLength { expected, found } => {
                write!(f, "{found} bytes where {expected} are expected")
            }
            Self::InvalidKey => f.write_str("not a usable Ed25519 public key"),
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
    hmac_only(scheme)?;
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
    hmac_only(scheme)?;
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
    hmac_only(scheme)?;
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

/// The two header values of a Telnyx signature, as a bridge sends them with
/// a callback (`sign_telnyx`): the base64 signature and the timestamp it
/// covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct TelnyxSignature {
    signature: [u8; ED25519_SIGNATURE_B64_LEN],
    timestamp: u64,
}

impl TelnyxSignature {
    /// The value of [`TELNYX_SIGNATURE_HEADER`] (base64).
    pub fn as_str(&self) -> &str {
        core::str::from_utf8(&self.signature).unwrap_or_default()
    }

    /// The value of [`TELNYX_SIGNATURE_HEADER`] as bytes.
    pub const fn as_bytes(&self) -> &[u8; ED25519_SIGNATURE_B64_LEN] {
        &self.signature
    }

    /// The value of [`TELNYX_TIMESTAMP_HEADER`]: Unix seconds.
    pub const fn timestamp(&self) -> u64 {
        self.timestamp
    }

    /// Writes both header lines:
    /// `telnyx-signature-ed25519: {base64}\r\ntelnyx-timestamp: {seconds}\r\n`.
    pub fn write_headers<S: Sink + ?Sized>(&self, sink: &mut S) -> Result<(), WriteError> {
        sink.put_str(TELNYX_SIGNATURE_HEADER)?;
        sink.put(b": ")?;
        sink.put(&self.signature)?;
        sink.put(b"\r\n")?;
        sink.put_str(TELNYX_TIMESTAMP_HEADER)?;
        sink.put(b": ")?;
        sink.put_u64(self.timestamp)?;
        sink.put(b"\r\n")
    }
}

/// An Ed25519 private key: what a bridge signs its Telnyx callbacks with.
/// Made from its 32-byte seed (RFC 8032's private key; PyNaCl's
/// `SigningKey(seed)`). `Debug` (and `defmt`) print `***`; the key is
/// zeroed when dropped.
///
/// ```
/// use confpart::api::signature::{Ed25519Key, sign_telnyx, validate_telnyx};
///
/// let key = Ed25519Key::from_seed(&[7; 32]);
/// // Subscribers configure the public key, in base64 as Telnyx shows it.
/// let public = key.public_key();
/// let body = b"AccountSid=a&StatusCallbackEvent=participant-join";
/// let now = 1_796_630_400;
/// let sig = sign_telnyx(&key, now, body);
/// let ts = sig.timestamp().to_string();
/// validate_telnyx(&public, sig.as_bytes(), ts.as_bytes(), body, now + 10)?;
/// assert_eq!(format!("{key:?}"), "Ed25519Key(***)");
/// # Ok::<(), confpart::api::signature::SignatureError>(())
/// ```
#[cfg(feature = "ed25519")]
#[derive(Clone)]
pub struct Ed25519Key(ed25519_dalek::SigningKey);

#[cfg(feature = "ed25519")]
impl Ed25519Key {
    /// The key of a 32-byte seed.
    pub fn from_seed(seed: &[u8; ED25519_KEY_LEN]) -> Self {
        Self(ed25519_dalek::SigningKey::from_bytes(seed))
    }

    /// The key of a seed in base64 (44 bytes, padded).
    ///
    /// ```
    /// use confpart::api::signature::{Ed25519Key, SignatureError};
    /// let key = Ed25519Key::from_base64(b"BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=")?;
    /// assert_eq!(key.public_key(), Ed25519Key::from_seed(&[7; 32]).public_key());
    /// assert_eq!(Ed25519Key::from_base64(b"BwcH").err(),
    ///     Some(SignatureError::WrongLength { expected: 32, found: 3 }));
    /// # Ok::<(), SignatureError>(())
    /// ```
    pub fn from_base64(seed: &[u8]) -> Result<Self, SignatureError> {
        decode_exact::<ED25519_KEY_LEN, { ED25519_KEY_LEN + 2 }>(seed).map(|s| Self::from_seed(&s))
    }

    /// The public key a receiver checks the signatures with.
    pub fn public_key(&self) -> Ed25519PublicKey {
        Ed25519PublicKey(self.0.verifying_key())
    }

    /// Signs the concatenation of `parts` (pure Ed25519, RFC 8032): the
    /// message is hashed twice, piece by piece, never copied.
    fn sign_parts(&self, parts: &[&[u8]]) -> [u8; ED25519_SIGNATURE_LEN] {
        use sha2::{Digest, Sha512};
        let expanded = ed25519_dalek::hazmat::ExpandedSecretKey::from(self.0.as_bytes());
        let signed = ed25519_dalek::hazmat::raw_sign_byupdate::<Sha512, _>(
            &expanded,
            |digest| {
                for part in parts {
                    digest.update(part);
                }
                Ok(())
            },
            &self.0.verifying_key(),
        );
        // The update above never fails, and nothing else in the signing can.
        signed.map_or([0; ED25519_SIGNATURE_LEN], |s| s.to_bytes())
    }
}

#[cfg(feature = "ed25519")]
impl fmt::Debug for Ed25519Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Ed25519Key(***)")
    }
}

#[cfg(all(feature = "ed25519", feature = "defmt"))]
impl defmt::Format for Ed25519Key {
    fn format(&self, f: defmt::Formatter<'_>) {
        defmt::write!(f, "Ed25519Key(***)")
    }
}

/// An Ed25519 public key: what a receiver checks Telnyx callbacks with
/// (Telnyx shows the account's in base64).
///
/// ```
/// use confpart::api::signature::{Ed25519PublicKey, SignatureError};
/// // RFC 8032, test 1.
/// let b64 = b"11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=";
/// let key = Ed25519PublicKey::from_base64(b64)?;
/// assert_eq!(&key.to_base64(), b64);
/// assert_eq!(key.to_bytes()[0], 0xd7);
/// // Not base64, or not 32 bytes: refused.
/// assert_eq!(Ed25519PublicKey::from_base64(b"11qY AYKx").err(), Some(SignatureError::InvalidBase64));
/// assert!(matches!(Ed25519PublicKey::from_base64(b"11qYAYKx"), Err(SignatureError::WrongLength { .. })));
/// // The identity point would accept forgeries.
/// let mut identity = [0u8; 32];
/// identity[0] = 1;
/// assert_eq!(Ed25519PublicKey::from_bytes(&identity), Err(SignatureError::InvalidKey));
/// # Ok::<(), SignatureError>(())
/// ```
#[cfg(feature = "ed25519")]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ed25519PublicKey(ed25519_dalek::VerifyingKey);

#[cfg(feature = "ed25519")]
impl Ed25519PublicKey {
    /// The key of 32 bytes; [`SignatureError::InvalidKey`] when they are not
    /// a point of the curve or a point of small order.
    pub fn from_bytes(bytes: &[u8; ED25519_KEY_LEN]) -> Result<Self, SignatureError> {
        match ed25519_dalek::VerifyingKey::from_bytes(bytes) {
            Ok(key) if !key.is_weak() => Ok(Self(key)),
            _ => Err(SignatureError::InvalidKey),
        }
    }

    /// The key in base64, as Telnyx shows it.
    pub fn from_base64(b64: &[u8]) -> Result<Self, SignatureError> {
        Self::from_bytes(&decode_exact::<ED25519_KEY_LEN, { ED25519_KEY_LEN + 2 }>(
            b64,
        )?)
    }

    /// The 32 bytes.
    pub fn to_bytes(&self) -> [u8; ED25519_KEY_LEN] {
        self.0.to_bytes()
    }

    /// The base64 (ASCII), as a subscriber configures it.
    pub fn to_base64(&self) -> [u8; ED25519_KEY_B64_LEN] {
        let mut out = [0u8; ED25519_KEY_B64_LEN];
        // 32 bytes are 44 base64 bytes: the sink holds them exactly.
        let _ = crate::wire::base64::encode(&mut SliceSink::new(&mut out), &[self.0.as_bytes()]);
        out
    }

    /// Checks a signature over the concatenation of `parts`.
    fn verify_parts(
        &self,
        signature: &[u8; ED25519_SIGNATURE_LEN],
        parts: &[&[u8]],
    ) -> Result<(), SignatureError> {
        let signature = ed25519_dalek::Signature::from_bytes(signature);
        let mut verifier = self
            .0
            .verify_stream(&signature)
            .map_err(|_| SignatureError::Mismatch)?;
        for part in parts {
            verifier.update(part);
        }
        verifier
            .finalize_and_verify()
            .map_err(|_| SignatureError::Mismatch)
    }
}

#[cfg(all(feature = "ed25519", feature = "defmt"))]
impl defmt::Format for Ed25519PublicKey {
    fn format(&self, f: defmt::Formatter<'_>) {
        defmt::write!(f, "Ed25519PublicKey({=[u8]})", self.0.as_bytes().as_slice())
    }
}

/// Signs a Telnyx callback: Ed25519 over `"{timestamp}|{body}"`, where
/// `timestamp` is the sender's clock (Unix seconds) when it sends. Put
/// [`TelnyxSignature::write_headers`] in the request.
///
/// ```
/// use confpart::api::signature::{Ed25519Key, sign_telnyx};
/// let sig = sign_telnyx(&Ed25519Key::from_seed(&[1; 32]), 1_796_630_400, b"a=1");
/// assert_eq!((sig.as_str().len(), sig.timestamp()), (88, 1_796_630_400));
/// ```
#[cfg(feature = "ed25519")]
pub fn sign_telnyx(key: &Ed25519Key, timestamp: u64, body: &[u8]) -> TelnyxSignature {
    let mut digits = [0u8; TIMESTAMP_MAX_DIGITS];
    let ts = crate::wire::sink::u64_to_decimal(timestamp, &mut digits);
    let raw = key.sign_parts(&[ts, b"|", body]);
    let mut signature = [0u8; ED25519_SIGNATURE_B64_LEN];
    // 64 bytes are 88 base64 bytes: the sink holds them exactly.
    let _ = crate::wire::base64::encode(&mut SliceSink::new(&mut signature), &[&raw]);
    TelnyxSignature {
        signature,
        timestamp,
    }
}

/// Checks a Telnyx callback as the SDKs' `webhooks.unwrap` do: `timestamp`
/// (the [`TELNYX_TIMESTAMP_HEADER`] value: ASCII digits) within
/// [`TELNYX_TOLERANCE_SECS`] of `now` (the receiver's clock, Unix seconds),
/// then `signature` (the [`TELNYX_SIGNATURE_HEADER`] value: canonical base64
/// of 64 bytes) over `"{timestamp}|{body}"` with `key`. The checks in that
/// order, each with its error.
///
/// ```
/// use confpart::api::signature::{Ed25519Key, SignatureError, sign_telnyx, validate_telnyx};
/// let key = Ed25519Key::from_seed(&[9; 32]);
/// let public = key.public_key();
/// let sig = sign_telnyx(&key, 1_000_000, b"Muted=true");
/// validate_telnyx(&public, sig.as_bytes(), b"1000000", b"Muted=true", 1_000_300)?;
/// // Another body, another timestamp, too late: refused.
/// assert_eq!(validate_telnyx(&public, sig.as_bytes(), b"1000000", b"Muted=false", 1_000_000),
///     Err(SignatureError::Mismatch));
/// assert_eq!(validate_telnyx(&public, sig.as_bytes(), b"1000001", b"Muted=true", 1_000_000),
///     Err(SignatureError::Mismatch));
/// assert_eq!(validate_telnyx(&public, sig.as_bytes(), b"1000000", b"Muted=true", 1_000_301),
///     Err(SignatureError::StaleTimestamp { timestamp: 1_000_000, now: 1_000_301 }));
/// # Ok::<(), SignatureError>(())
/// ```
#[cfg(feature = "ed25519")]
pub fn validate_telnyx(
    key: &Ed25519PublicKey,
    signature: &[u8],
    timestamp: &[u8],
    body: &[u8],
    now: u64,
) -> Result<(), SignatureError> {
    let ts = parse_timestamp(timestamp)?;
    if ts.abs_diff(now) > TELNYX_TOLERANCE_SECS {
        return Err(SignatureError::StaleTimestamp { timestamp: ts, now });
    }
    let raw = decode_exact::<ED25519_SIGNATURE_LEN, { ED25519_SIGNATURE_LEN + 2 }>(signature)?;
    key.verify_parts(&raw, &[timestamp, b"|", body])
}

#[cfg(feature = "ed25519")]
/// A timestamp header: 1 to [`TIMESTAMP_MAX_DIGITS`] ASCII digits of a `u64`
/// (no sign, no space: the Node SDK's rule; the signed bytes are these).
fn parse_timestamp(value: &[u8]) -> Result<u64, SignatureError> {
    // Its own loop, not `wire::http::parse_decimal`: calling that one here
    // cost the `webhook_telnyx` probe 384 bytes of flash (SIZE.md).
    if value.is_empty() || value.len() > TIMESTAMP_MAX_DIGITS {
        return Err(SignatureError::InvalidTimestamp);
    }
    value
        .iter()
        .try_fold(0u64, |n, &b| {
            if b.is_ascii_digit() {
                n.checked_mul(10)?.checked_add(u64::from(b - b'0'))
            } else {
                None
            }
        })
        .ok_or(SignatureError::InvalidTimestamp)
}

#[cfg(feature = "ed25519")]
/// Decodes canonical base64 of exactly `N` bytes (`M` = `N + 2`, room to
/// see a longer value's length).
fn decode_exact<const N: usize, const M: usize>(b64: &[u8]) -> Result<[u8; N], SignatureError> {
    use crate::wire::base64::DecodeError;
    let mut buf = [0u8; M];
    match crate::wire::base64::decode(b64, &mut buf) {
        Ok(found) if found == N => buf
            .get(..N)
            .and_then(|b| <[u8; N]>::try_from(b).ok())
            .ok_or(SignatureError::WrongLength { expected: N, found }),
        Ok(found) => Err(SignatureError::WrongLength { expected: N, found }),
        Err(DecodeError::Invalid) => Err(SignatureError::InvalidBase64),
        // Valid so far and longer than `M`: its length from the input's.
        Err(DecodeError::OutputFull) => {
            let padding = b64.iter().rev().take_while(|&&b| b == b'=').count();
            Err(SignatureError::WrongLength {
                expected: N,
                found: (b64.len() / 4 * 3).saturating_sub(padding),
            })
        }
    }
}

const fn hmac_only(scheme: Scheme) -> Result<(), SignatureError> {
    if scheme.is_hmac() {
        Ok(())
    } else {
        Err(SignatureError::NotHmac)
    }
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
        // Never signed as a form (`hmac_only`): no order of its own.
        Scheme::Telnyx => Ordering::Equal,
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
            Scheme::Telnyx => unreachable!(),
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

    #[test]
    fn hmac_functions_refuse_the_telnyx_scheme() {
        assert_eq!(
            sign(Scheme::Telnyx, b"k", "http://h/", b"a=1"),
            Err(SignatureError::NotHmac)
        );
        assert_eq!(
            validate(Scheme::Telnyx, b"k", "http://h/", b"a=1", b"x"),
            Err(SignatureError::NotHmac)
        );
        assert_eq!(
            validate_json(Scheme::Telnyx, b"k", "http://h/?bodySHA256=x", b"{}", b"x"),
            Err(SignatureError::NotHmac)
        );
    }

    #[cfg(feature = "ed25519")]
    mod telnyx {
        use super::super::*;
        use proptest::prelude::*;
        use std::{string::ToString, vec::Vec};

        fn hex<const N: usize>(s: &str) -> [u8; N] {
            let mut out = [0u8; N];
            for (i, o) in out.iter_mut().enumerate() {
                *o = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap();
            }
            out
        }

        /// RFC 8032 section 7.1, tests 1 to 3: seed, public key, message, signature.
        const RFC8032: [(&str, &str, &[u8], &str); 3] = [
            (
                "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
                "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
                b"",
                "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
            ),
            (
                "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
                "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
                &[0x72],
                "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
            ),
            (
                "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
                "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025",
                &[0xaf, 0x82],
                "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a",
            ),
        ];

        #[test]
        fn rfc8032_vectors() {
            for (seed, public, message, signature) in RFC8032 {
                let key = Ed25519Key::from_seed(&hex::<32>(seed));
                assert_eq!(key.public_key().to_bytes(), hex::<32>(public));
                let expected = hex::<64>(signature);
                // Whole, and split at every byte: the same signature.
                assert_eq!(key.sign_parts(&[message]), expected);
                for at in 0..=message.len() {
                    let (a, b) = message.split_at(at);
                    assert_eq!(key.sign_parts(&[a, b]), expected);
                    assert_eq!(key.public_key().verify_parts(&expected, &[a, b]), Ok(()));
                }
                let mut bad = expected;
                bad[0] ^= 1;
                assert_eq!(
                    key.public_key().verify_parts(&bad, &[message]),
                    Err(SignatureError::Mismatch)
                );
            }
        }

        /// Ed25519 of `"{ts}|{body}"` through the dependency's one-shot API:
        /// what the SDKs compute (PyNaCl `VerifyKey.verify`, WebCrypto).
        fn reference(seed: &[u8; 32], ts: u64, body: &[u8]) -> Vec<u8> {
            use base64::Engine;
            use ed25519_dalek::Signer;
            let mut message = ts.to_string().into_bytes();
            message.push(b'|');
            message.extend_from_slice(body);
            let sig = ed25519_dalek::SigningKey::from_bytes(seed).sign(&message);
            base64::engine::general_purpose::STANDARD
                .encode(sig.to_bytes())
                .into_bytes()
        }

        const NOW: u64 = 1_796_630_400;

        #[test]
        fn the_attacks_are_refused() {
            let key = Ed25519Key::from_seed(&[3; 32]);
            let public = key.public_key();
            let body = b"StatusCallbackEvent=participant-mute&Muted=true";
            let sig = sign_telnyx(&key, NOW, body);
            let ts = NOW.to_string();
            let ok = |sig: &[u8], ts: &[u8], body: &[u8], now| {
                validate_telnyx(&public, sig, ts, body, now)
            };
            assert_eq!(ok(sig.as_bytes(), ts.as_bytes(), body, NOW), Ok(()));
            // The edges of the window are in it.
            assert_eq!(ok(sig.as_bytes(), ts.as_bytes(), body, NOW - 300), Ok(()));
            assert_eq!(ok(sig.as_bytes(), ts.as_bytes(), body, NOW + 300), Ok(()));
            // Altered body.
            assert_eq!(
                ok(
                    sig.as_bytes(),
                    ts.as_bytes(),
                    b"StatusCallbackEvent=participant-mute&Muted=false",
                    NOW
                ),
                Err(SignatureError::Mismatch)
            );
            // Altered timestamp (still within the window).
            let later = (NOW + 1).to_string();
            assert_eq!(
                ok(sig.as_bytes(), later.as_bytes(), body, NOW),
                Err(SignatureError::Mismatch)
            );
            // The same digits with a leading zero are other signed bytes.
            let padded = std::format!("0{NOW}");
            assert_eq!(
                ok(sig.as_bytes(), padded.as_bytes(), body, NOW),
                Err(SignatureError::Mismatch)
            );
            // Replay outside the window, either way.
            for now in [NOW + 301, NOW - 301] {
                assert_eq!(
                    ok(sig.as_bytes(), ts.as_bytes(), body, now),
                    Err(SignatureError::StaleTimestamp {
                        timestamp: NOW,
                        now
                    })
                );
            }
            // Another key's signature.
            let other = sign_telnyx(&Ed25519Key::from_seed(&[4; 32]), NOW, body);
            assert_eq!(
                ok(other.as_bytes(), ts.as_bytes(), body, NOW),
                Err(SignatureError::Mismatch)
            );
            // Truncated base64 (not a multiple of 4), a whole quad less (wrong length),
            // bytes outside the alphabet, an empty header.
            assert_eq!(
                ok(&sig.as_bytes()[..87], ts.as_bytes(), body, NOW),
                Err(SignatureError::InvalidBase64)
            );
            assert_eq!(
                ok(&sig.as_bytes()[4..], ts.as_bytes(), body, NOW),
                Err(SignatureError::WrongLength {
                    expected: 64,
                    found: 61
                })
            );
            let mut long = sig.as_bytes().to_vec();
            long.splice(0..0, *b"AAAA");
            assert_eq!(
                ok(&long, ts.as_bytes(), body, NOW),
                Err(SignatureError::WrongLength {
                    expected: 64,
                    found: 67
                })
            );
            let mut bad = *sig.as_bytes();
            bad[10] = b'-';
            assert_eq!(
                ok(&bad, ts.as_bytes(), body, NOW),
                Err(SignatureError::InvalidBase64)
            );
            assert_eq!(
                ok(b"", ts.as_bytes(), body, NOW),
                Err(SignatureError::WrongLength {
                    expected: 64,
                    found: 0
                })
            );
            // Timestamps that are not digits.
            for ts in [
                &b""[..],
                b"+1796630400",
                b" 1796630400",
                b"1796630400.0",
                b"-5",
                b"123456789012345678901",
            ] {
                assert_eq!(
                    ok(sig.as_bytes(), ts, body, NOW),
                    Err(SignatureError::InvalidTimestamp),
                    "{ts:?}"
                );
            }
            assert_eq!(
                ok(sig.as_bytes(), b"18446744073709551616", body, NOW),
                Err(SignatureError::InvalidTimestamp)
            );
        }

        #[test]
        fn headers_and_keys() {
            let key = Ed25519Key::from_seed(&[5; 32]);
            let sig = sign_telnyx(&key, 42, b"x");
            let mut buf = [0u8; 256];
            let mut sink = SliceSink::new(&mut buf);
            sig.write_headers(&mut sink).unwrap();
            let text = core::str::from_utf8(sink.written()).unwrap();
            assert_eq!(
                text,
                std::format!(
                    "telnyx-signature-ed25519: {}\r\ntelnyx-timestamp: 42\r\n",
                    sig.as_str()
                )
            );
            let public = key.public_key();
            assert_eq!(
                Ed25519PublicKey::from_base64(&public.to_base64()),
                Ok(public)
            );
            assert_eq!(std::format!("{key:?}"), "Ed25519Key(***)");
        }

        proptest! {
            #[test]
            fn signs_as_the_reference_and_round_trips(
                seed in any::<[u8; 32]>(),
                ts in any::<u64>(),
                body in any::<Vec<u8>>(),
            ) {
                let key = Ed25519Key::from_seed(&seed);
                let sig = sign_telnyx(&key, ts, &body);
                prop_assert_eq!(&sig.as_bytes()[..], &reference(&seed, ts, &body)[..]);
                let digits = ts.to_string();
                prop_assert_eq!(
                    validate_telnyx(&key.public_key(), sig.as_bytes(), digits.as_bytes(), &body, ts),
                    Ok(())
                );
            }

            #[test]
            fn any_flipped_bit_is_refused(
                seed in any::<[u8; 32]>(),
                body in proptest::collection::vec(any::<u8>(), 1..64),
                at in any::<prop::sample::Index>(),
                bit in 0u8..8,
            ) {
                let key = Ed25519Key::from_seed(&seed);
                let sig = sign_telnyx(&key, NOW, &body);
                let mut altered = body.clone();
                let i = at.index(altered.len());
                altered[i] ^= 1 << bit;
                let ts = NOW.to_string();
                prop_assert_eq!(
                    validate_telnyx(&key.public_key(), sig.as_bytes(), ts.as_bytes(), &altered, NOW),
                    Err(SignatureError::Mismatch)
                );
            }

            #[test]
            fn validate_telnyx_never_panics(
                sig in any::<Vec<u8>>(),
                ts in any::<Vec<u8>>(),
                body in any::<Vec<u8>>(),
                now in any::<u64>(),
            ) {
                let public = Ed25519Key::from_seed(&[1; 32]).public_key();
                let _ = validate_telnyx(&public, &sig, &ts, &body, now);
                let _ = Ed25519PublicKey::from_base64(&sig);
            }
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
