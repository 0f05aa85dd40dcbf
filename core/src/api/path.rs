//! Endpoints (dialect, host and path style together), and resource paths:
//! writing a path, and parsing one back.
//!
//! | dialect | host | path prefix |
//! |---|---|---|
//! | Twilio | [`TWILIO_HOST`], or a region's and edge's ([`TwilioHost`]) | `/2010-04-01` |
//! | SignalWire | `{space}.signalwire.com` | `/api/laml/2010-04-01` (documented) or `/2010-04-01` (what its SDKs send) |
//! | Telnyx (TeXML) | [`TELNYX_HOST`] | `/v2/texml`, and no `.json` after the path |
//!
//! A client picks an [`Endpoint`] ([`Endpoint::twilio`],
//! [`Endpoint::twilio_at`], [`Endpoint::signalwire`], [`Endpoint::telnyx`],
//! [`Endpoint::custom`]),
//! which keeps the three consistent; [`ParticipantPath`] is what a bridge
//! parses.
//!
//! ```
//! use confpart::wire::ident::{AccountSid, ConferenceSid, ParticipantRef};
//! use confpart::api::path::{ParticipantPath, PathStyle};
//!
//! let path = ParticipantPath {
//!     style: PathStyle::Twilio,
//!     account: AccountSid::parse("ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")?,
//!     conference: ConferenceSid::parse("CFaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")?,
//!     participant: Some(ParticipantRef::parse("front desk")?),
//! };
//! let mut buf = [0u8; 160];
//! let n = path.encode_to_slice(&mut buf).unwrap();
//! let text = core::str::from_utf8(&buf[..n]).unwrap();
//! assert!(text.ends_with("/Participants/front%20desk.json"));
//! assert_eq!(ParticipantPath::parse(text).unwrap(), path);
//! # Ok::<(), confpart::wire::ident::IdError>(())
//! ```

use core::fmt;

use crate::wire::form::{self, Space};
use crate::wire::ident::{
    AccountSid, CallSid, ConferenceSid, IdError, LABEL_CAPACITY, ParticipantRef, SID_CAPACITY,
    SidForm, UUID_LEN,
};
use crate::wire::sink::{Sink, SliceSink, WriteError};

/// Which service a request is for; decides the host and the fields allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Dialect {
    /// Twilio Programmable Voice.
    #[default]
    Twilio,
    /// SignalWire's Twilio-compatible (LaML / cXML) API.
    SignalWire,
    /// Telnyx's Twilio-compatible TeXML API (`/v2/texml`, Bearer API keys).
    Telnyx,
}

impl Dialect {
    /// Every dialect, in the order a command line lists them.
    pub const ALL: [Self; 3] = [Self::Twilio, Self::SignalWire, Self::Telnyx];

    /// The form of the account and conference SIDs this service gives out:
    /// `XX` + 32 hex digits (Twilio) or a UUID (SignalWire, Telnyx).
    ///
    /// ```
    /// use confpart::api::path::Dialect;
    /// use confpart::wire::ident::SidForm;
    /// assert_eq!(Dialect::Twilio.sid_form(), SidForm::Twilio);
    /// assert_eq!(Dialect::SignalWire.sid_form(), SidForm::Uuid);
    /// assert_eq!(Dialect::Telnyx.sid_form(), SidForm::Uuid);
    /// ```
    pub const fn sid_form(self) -> SidForm {
        match self {
            Self::Twilio => SidForm::Twilio,
            Self::SignalWire | Self::Telnyx => SidForm::Uuid,
        }
    }

    /// The form of the call SIDs this service gives out: as
    /// [`Dialect::sid_form`], except Telnyx's call-control ids (`v3:…`).
    ///
    /// ```
    /// use confpart::api::path::Dialect;
    /// use confpart::wire::ident::SidForm;
    /// assert_eq!(Dialect::Telnyx.call_sid_form(), SidForm::Telnyx);
    /// assert_eq!(Dialect::SignalWire.call_sid_form(), SidForm::Uuid);
    /// ```
    pub const fn call_sid_form(self) -> SidForm {
        match self {
            Self::Telnyx => SidForm::Telnyx,
            other => other.sid_form(),
        }
    }

    /// Whether a call SID of `form` is one this service gives out (a Telnyx
    /// bridge also knows a call by its legacy UUID).
    ///
    /// ```
    /// use confpart::api::path::Dialect;
    /// use confpart::wire::ident::SidForm;
    /// assert!(Dialect::Telnyx.accepts_call_form(SidForm::Uuid));
    /// assert!(!Dialect::Twilio.accepts_call_form(SidForm::Telnyx));
    /// ```
    pub const fn accepts_call_form(self, form: SidForm) -> bool {
        matches!(
            (self, form),
            (Self::Twilio, SidForm::Twilio)
                | (Self::SignalWire, SidForm::Uuid)
                | (Self::Telnyx, SidForm::Telnyx | SidForm::Uuid)
        )
    }

    /// `twilio`, `signalwire` or `telnyx` (the name on a command line or in
    /// a config).
    ///
    /// ```
    /// use confpart::api::path::Dialect;
    /// assert_eq!(Dialect::SignalWire.as_str(), "signalwire");
    /// assert_eq!(Dialect::Twilio.to_string(), "twilio");
    /// assert_eq!(Dialect::Telnyx.as_str(), "telnyx");
    /// ```
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Twilio => "twilio",
            Self::SignalWire => "signalwire",
            Self::Telnyx => "telnyx",
        }
    }

    /// The path style this service's own clients send: Twilio-shaped for
    /// Twilio and SignalWire, `/v2/texml` for Telnyx.
    pub const fn style(self) -> PathStyle {
        match self {
            Self::Twilio | Self::SignalWire => PathStyle::Twilio,
            Self::Telnyx => PathStyle::Texml,
        }
    }
}

impl fmt::Display for Dialect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which path shape to write (Twilio and SignalWire accept
/// [`PathStyle::Twilio`]; Telnyx has its own).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum PathStyle {
    /// `/2010-04-01/Accounts/...` (Twilio, and SignalWire's SDKs).
    #[default]
    Twilio,
    /// `/api/laml/2010-04-01/Accounts/...` (SignalWire's documented form).
    Laml,
    /// `/v2/texml/Accounts/...` without `.json` (Telnyx's TeXML; the `uri`
    /// in its answers still ends in `.json`).
    Texml,
}

impl PathStyle {
    /// The path prefix before `/Accounts/`.
    ///
    /// ```
    /// use confpart::api::path::PathStyle;
    /// assert_eq!(PathStyle::Laml.prefix(), "/api/laml/2010-04-01");
    /// ```
    pub const fn prefix(self) -> &'static str {
        match self {
            Self::Twilio => TWILIO_PREFIX,
            Self::Laml => LAML_PREFIX,
            Self::Texml => TEXML_PREFIX,
        }
    }

    /// Whether request paths of this style end in `.json` (Telnyx's do not).
    ///
    /// ```
    /// use confpart::api::path::PathStyle;
    /// assert!(PathStyle::Twilio.json_suffix());
    /// assert!(!PathStyle::Texml.json_suffix());
    /// ```
    pub const fn json_suffix(self) -> bool {
        !matches!(self, Self::Texml)
    }

    /// The style whose prefix and the `/` after it start `path`, and where
    /// the rest begins (`None`: neither): the one reading of the prefix
    /// the path parsers and the bridge use.
    pub(crate) fn split(path: &[u8]) -> Option<(Self, usize)> {
        if path.starts_with(LAML_PREFIX_SLASH.as_bytes()) {
            Some((Self::Laml, LAML_PREFIX_SLASH.len()))
        } else if path.starts_with(TEXML_PREFIX_SLASH.as_bytes()) {
            Some((Self::Texml, TEXML_PREFIX_SLASH.len()))
        } else if path.starts_with(TWILIO_PREFIX_SLASH.as_bytes()) {
            Some((Self::Twilio, TWILIO_PREFIX_SLASH.len()))
        } else {
            None
        }
    }
}

// The prefixes as a parsed path starts (with the `/` before `Accounts`),
// and as `PathStyle::prefix` gives them (without it).
const TWILIO_PREFIX_SLASH: &str = "/2010-04-01/";
const LAML_PREFIX_SLASH: &str = "/api/laml/2010-04-01/";
const TEXML_PREFIX_SLASH: &str = "/v2/texml/";
const TWILIO_PREFIX: &str = without_slash(TWILIO_PREFIX_SLASH);
const LAML_PREFIX: &str = without_slash(LAML_PREFIX_SLASH);
const TEXML_PREFIX: &str = without_slash(TEXML_PREFIX_SLASH);

/// `prefix` without its final `/` (evaluated at compile time).
const fn without_slash(prefix: &'static str) -> &'static str {
    match prefix.as_bytes().split_last() {
        Some((b'/', _)) => prefix.split_at(prefix.len() - 1).0,
        _ => prefix,
    }
}

/// Maximum length of a SignalWire space name (a DNS label).
pub const SPACE_MAX_LEN: usize = 63;

/// Twilio's API host when no region and no edge are chosen.
///
/// ```
/// use confpart::api::path::{Host, TWILIO_HOST};
/// assert_eq!(Host::Twilio.as_parts(), (TWILIO_HOST, ""));
/// ```
pub const TWILIO_HOST: &str = "api.twilio.com";

/// The region an edge without a region implies, as the official SDKs imply
/// it (twilio-python's `ClientBase.get_hostname`; twilio-node and
/// twilio-go alike).
///
/// ```
/// use confpart::api::path::{TWILIO_DEFAULT_REGION, TwilioHost};
/// let host = TwilioHost::new(None, Some("dublin"))?;
/// assert!(host.as_str().ends_with(&format!(".{TWILIO_DEFAULT_REGION}.twilio.com")));
/// # Ok::<(), confpart::api::path::PathError>(())
/// ```
pub const TWILIO_DEFAULT_REGION: &str = "us1";

/// What a SignalWire space name is completed with to make its host.
///
/// ```
/// use confpart::api::path::{Host, SIGNALWIRE_HOST_SUFFIX};
/// assert_eq!(Host::signalwire("example")?.as_parts(), ("example", SIGNALWIRE_HOST_SUFFIX));
/// # Ok::<(), confpart::api::path::PathError>(())
/// ```
pub const SIGNALWIRE_HOST_SUFFIX: &str = ".signalwire.com";

/// Telnyx's API host.
///
/// ```
/// use confpart::api::path::{Host, TELNYX_HOST};
/// assert_eq!(Host::Telnyx.as_parts(), (TELNYX_HOST, ""));
/// ```
pub const TELNYX_HOST: &str = "api.telnyx.com";

/// Longest Twilio region or edge name (a DNS label).
///
/// ```
/// use confpart::api::path::{REGION_EDGE_MAX_LEN, TwilioHost};
/// let long = "a".repeat(REGION_EDGE_MAX_LEN + 1);
/// assert!(TwilioHost::new(Some(&long), None).is_err());
/// ```
pub const REGION_EDGE_MAX_LEN: usize = 63;

/// The parts of a regional Twilio host around its edge and region:
/// `api` `.{edge}` `.{region}` `.twilio.com`.
const TWILIO_PRODUCT: &str = "api";
const TWILIO_DOMAIN: &str = ".twilio.com";

/// Bytes a [`TwilioHost`] holds: `api.{edge}.{region}.twilio.com` with both
/// names [`REGION_EDGE_MAX_LEN`] long, so every valid pair fits.
///
/// ```
/// use confpart::api::path::{REGION_EDGE_MAX_LEN, TWILIO_HOST_CAPACITY, TwilioHost};
/// let longest = "a".repeat(REGION_EDGE_MAX_LEN);
/// let host = TwilioHost::new(Some(&longest), Some(&longest))?;
/// assert_eq!(host.as_str().len(), TWILIO_HOST_CAPACITY);
/// # Ok::<(), confpart::api::path::PathError>(())
/// ```
pub const TWILIO_HOST_CAPACITY: usize =
    TWILIO_PRODUCT.len() + 2 * (1 + REGION_EDGE_MAX_LEN) + TWILIO_DOMAIN.len();

/// Why a host or path is not acceptable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum PathError {
    /// The path does not start with `/2010-04-01/`, `/api/laml/2010-04-01/`
    /// or `/v2/texml/`.
    Prefix,
    /// A fixed segment is missing or different (`Accounts`, `Conferences`, `Participants`).
    Segment {
        /// The segment that was expected.
        expected: &'static str,
        /// Byte offset in the path where it was expected.
        offset: usize,
    },
    /// An identifier segment is invalid.
    Id {
        /// What was wrong with it.
        error: IdError,
        /// Byte offset of the segment in the path.
        offset: usize,
    },
    /// A `%` not followed by two hex digits.
    InvalidEscape {
        /// Byte offset of the `%` in the path.
        offset: usize,
    },
    /// `%2F` (an encoded `/`) in a segment.
    EncodedSlash {
        /// Byte offset of the segment in the path.
        offset: usize,
    },
    /// A `.` or `..` segment, or an empty segment (`//`).
    DotOrEmptySegment {
        /// Byte offset of the segment in the path.
        offset: usize,
    },
    /// A segment that is not UTF-8 once decoded.
    InvalidUtf8 {
        /// Byte offset of the segment in the path.
        offset: usize,
    },
    /// Bytes after the participant segment.
    TrailingData {
        /// Byte offset of the first extra byte.
        offset: usize,
    },
    /// A host (or SignalWire space) with a character outside `a-z 0-9 - .` (and `:port`).
    InvalidHost {
        /// Byte offset of the offending byte.
        offset: usize,
    },
    /// A decoded segment longer than the buffer given for it
    /// ([`ParticipantPath::parse_named`]).
    SegmentTooLong {
        /// Byte offset of the segment in the path.
        offset: usize,
        /// The buffer's length.
        max: usize,
    },
    /// A Twilio region that is not a DNS label: letters, digits and `-`
    /// (not first or last), at most [`REGION_EDGE_MAX_LEN`] bytes
    /// ([`TwilioHost::new`]).
    InvalidRegion {
        /// Byte offset of the offending byte in the region.
        offset: usize,
    },
    /// A Twilio edge that is not a DNS label (as for
    /// [`PathError::InvalidRegion`]).
    InvalidEdge {
        /// Byte offset of the offending byte in the edge.
        offset: usize,
    },
}

impl fmt::Display for PathError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Prefix => f.write_str(
                "path does not start with /2010-04-01/, /api/laml/2010-04-01/ or /v2/texml/",
            ),
            Self::Segment { expected, offset } => {
                write!(f, "expected path segment '{expected}' at byte {offset}")
            }
            Self::Id { error, offset } => write!(f, "path segment at byte {offset}: {error}"),
            Self::InvalidEscape { offset } => write!(f, "invalid percent-escape at byte {offset}"),
            Self::EncodedSlash { offset } => {
                write!(f, "encoded '/' in the segment at byte {offset}")
            }
            Self::DotOrEmptySegment { offset } => {
                write!(f, "dot or empty segment at byte {offset}")
            }
            Self::InvalidUtf8 { offset } => {
                write!(f, "segment at byte {offset} is not UTF-8 once decoded")
            }
            Self::TrailingData { offset } => write!(f, "unexpected data at byte {offset}"),
            Self::InvalidHost { offset } => write!(f, "invalid host character at byte {offset}"),
            Self::SegmentTooLong { offset, max } => {
                write!(
                    f,
                    "segment at byte {offset} is longer than {max} bytes decoded"
                )
            }
            Self::InvalidRegion { offset } => write!(
                f,
                "region is not a DNS label (letters, digits, '-'): byte {offset}"
            ),
            Self::InvalidEdge { offset } => write!(
                f,
                "edge is not a DNS label (letters, digits, '-'): byte {offset}"
            ),
        }
    }
}

impl core::error::Error for PathError {}

/// The host a request goes to (the `Host` header and the TLS server name).
///
/// ```
/// use confpart::api::path::Host;
///
/// assert_eq!(Host::Twilio.as_parts(), ("api.twilio.com", ""));
/// let sw = Host::signalwire("example")?;
/// assert_eq!(sw.as_parts(), ("example", ".signalwire.com"));
/// assert!(Host::custom("127.0.0.1:8080").is_ok());
/// assert!(Host::custom("a\r\nX: y").is_err());
/// # Ok::<(), confpart::api::path::PathError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Host<'a> {
    /// [`TWILIO_HOST`] (`api.twilio.com`).
    Twilio,
    /// `{space}.signalwire.com`.
    SignalWire {
        /// The space name (validated DNS label).
        space: &'a str,
    },
    /// [`TELNYX_HOST`] (`api.telnyx.com`).
    Telnyx,
    /// Any other host, e.g. a local bridge `127.0.0.1:8080` (validated).
    Custom(&'a str),
}

impl<'a> Host<'a> {
    /// A SignalWire space host; `space` must be a DNS label (`a-z0-9-`, 1..=63).
    pub fn signalwire(space: &'a str) -> Result<Self, PathError> {
        let bad = space
            .bytes()
            .position(|b| !(b.is_ascii_alphanumeric() || b == b'-'));
        match bad {
            Some(offset) => Err(PathError::InvalidHost { offset }),
            None if space.is_empty() || space.len() > SPACE_MAX_LEN => {
                Err(PathError::InvalidHost {
                    offset: space.len().min(SPACE_MAX_LEN),
                })
            }
            None => Ok(Self::SignalWire { space }),
        }
    }

    /// Any host name or address, with an optional `:port`; letters, digits,
    /// `-`, `.`, `:`, `[` and `]` only (so no header injection is possible).
    pub fn custom(host: &'a str) -> Result<Self, PathError> {
        let bad = host.bytes().position(|b| {
            !(b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b':' | b'[' | b']'))
        });
        match bad {
            Some(offset) => Err(PathError::InvalidHost { offset }),
            None if host.is_empty() => Err(PathError::InvalidHost { offset: 0 }),
            None => Ok(Self::Custom(host)),
        }
    }

    /// The host as two parts to write one after the other (no formatting).
    pub fn as_parts(&self) -> (&'a str, &'static str) {
        match *self {
            Self::Twilio => (TWILIO_HOST, ""),
            Self::SignalWire { space } => (space, SIGNALWIRE_HOST_SUFFIX),
            Self::Telnyx => (TELNYX_HOST, ""),
            Self::Custom(host) => (host, ""),
        }
    }

    /// Writes the full host name.
    pub fn encode<S: Sink + ?Sized>(&self, sink: &mut S) -> Result<(), WriteError> {
        let (a, b) = self.as_parts();
        sink.put_str(a)?;
        sink.put_str(b)
    }
}

/// Where requests go and how they are shaped: the service (dialect, which
/// decides the fields allowed), the host, and the path style. Built so that
/// the three stay consistent.
///
/// ```
/// use confpart::api::path::{Dialect, Endpoint, PathStyle};
///
/// let twilio = Endpoint::twilio();
/// assert_eq!((twilio.dialect(), twilio.style()), (Dialect::Twilio, PathStyle::Twilio));
/// // SignalWire's SDKs send the Twilio-shaped path to the space host...
/// let sw = Endpoint::signalwire("example")?;
/// assert_eq!(sw.host().as_parts(), ("example", ".signalwire.com"));
/// assert_eq!(sw.style(), PathStyle::Twilio);
/// // ...and its documentation shows the LaML prefix.
/// assert_eq!(sw.laml().style(), PathStyle::Laml);
/// // A local bridge that answers as Twilio.
/// let local = Endpoint::custom(Dialect::Twilio, "127.0.0.1:8080", PathStyle::Twilio)?;
/// assert_eq!(local.host().as_parts(), ("127.0.0.1:8080", ""));
/// assert!(Endpoint::signalwire("bad space").is_err());
/// # Ok::<(), confpart::api::path::PathError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Endpoint<'a> {
    dialect: Dialect,
    host: Host<'a>,
    style: PathStyle,
}

impl<'a> Endpoint<'a> {
    /// Twilio: `api.twilio.com`, `/2010-04-01/...`.
    pub const fn twilio() -> Self {
        Self {
            dialect: Dialect::Twilio,
            host: Host::Twilio,
            style: PathStyle::Twilio,
        }
    }

    /// Twilio in a region and through an edge: `host` is made by
    /// [`TwilioHost::new`]; `/2010-04-01/...`.
    ///
    /// ```
    /// use confpart::api::path::{Endpoint, Host, TwilioHost};
    ///
    /// let host = TwilioHost::new(Some("au1"), Some("sydney"))?;
    /// let endpoint = Endpoint::twilio_at(&host);
    /// assert_eq!(endpoint.host().as_parts(), ("api.sydney.au1.twilio.com", ""));
    /// // Neither: the same endpoint as `Endpoint::twilio()`.
    /// assert_eq!(Endpoint::twilio_at(&TwilioHost::new(None, None)?), Endpoint::twilio());
    /// # Ok::<(), confpart::api::path::PathError>(())
    /// ```
    pub fn twilio_at(host: &'a TwilioHost) -> Self {
        Self {
            dialect: Dialect::Twilio,
            host: host.host(),
            style: PathStyle::Twilio,
        }
    }

    /// SignalWire: `{space}.signalwire.com`, with the Twilio-shaped path its
    /// SDKs send ([`Endpoint::laml`] for the documented LaML prefix). `space`
    /// must be a DNS label (`a-z0-9-`, 1..=63).
    pub fn signalwire(space: &'a str) -> Result<Self, PathError> {
        Ok(Self {
            dialect: Dialect::SignalWire,
            host: Host::signalwire(space)?,
            style: PathStyle::Twilio,
        })
    }

    /// Telnyx TeXML: `api.telnyx.com`, `/v2/texml/...` without `.json`.
    ///
    /// ```
    /// use confpart::api::path::{Dialect, Endpoint, PathStyle};
    /// let telnyx = Endpoint::telnyx();
    /// assert_eq!(telnyx.host().as_parts(), ("api.telnyx.com", ""));
    /// assert_eq!((telnyx.dialect(), telnyx.style()), (Dialect::Telnyx, PathStyle::Texml));
    /// ```
    pub const fn telnyx() -> Self {
        Self {
            dialect: Dialect::Telnyx,
            host: Host::Telnyx,
            style: PathStyle::Texml,
        }
    }

    /// Any host (a local bridge, a proxy) answering as `dialect`, with the
    /// path `style`. The host is checked as [`Host::custom`] checks it.
    pub fn custom(dialect: Dialect, host: &'a str, style: PathStyle) -> Result<Self, PathError> {
        Ok(Self {
            dialect,
            host: Host::custom(host)?,
            style,
        })
    }

    /// The same endpoint with the LaML path prefix (`/api/laml/2010-04-01`).
    pub const fn laml(self) -> Self {
        Self {
            style: PathStyle::Laml,
            ..self
        }
    }

    /// The service: decides the fields an update may carry.
    pub const fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// The host (the `Host` header and the TLS server name).
    pub const fn host(&self) -> Host<'a> {
        self.host
    }

    /// The path style.
    pub const fn style(&self) -> PathStyle {
        self.style
    }
}

/// Twilio's API host for a region and an edge, built as the official SDKs
/// build it (twilio-python's `ClientBase.get_hostname`; twilio-node and
/// twilio-go alike): [`TWILIO_HOST`] with neither; otherwise
/// `api.{edge}.{region}.twilio.com` without the missing piece, except that an
/// edge without a region takes the region [`TWILIO_DEFAULT_REGION`].
///
/// | region | edge | host |
/// |---|---|---|
/// | – | – | `api.twilio.com` |
/// | `ie1` | – | `api.ie1.twilio.com` |
/// | – | `dublin` | `api.dublin.us1.twilio.com` |
/// | `ie1` | `dublin` | `api.dublin.ie1.twilio.com` |
///
/// An empty name counts as unset, as in the SDKs. A name must be a DNS label
/// (letters, digits and `-`, not first or last, at most
/// [`REGION_EDGE_MAX_LEN`] bytes) and is written in lower case. Held inline
/// in [`TWILIO_HOST_CAPACITY`] bytes, which every valid pair fits.
///
/// ```
/// use confpart::api::path::{PathError, TwilioHost};
///
/// assert_eq!(TwilioHost::new(None, None)?.as_str(), "api.twilio.com");
/// assert_eq!(TwilioHost::new(Some("ie1"), None)?.as_str(), "api.ie1.twilio.com");
/// assert_eq!(TwilioHost::new(None, Some("dublin"))?.as_str(), "api.dublin.us1.twilio.com");
/// assert_eq!(TwilioHost::new(Some("IE1"), Some("dublin"))?.as_str(), "api.dublin.ie1.twilio.com");
/// assert_eq!(TwilioHost::new(Some(""), Some(""))?.as_str(), "api.twilio.com");
/// assert_eq!(TwilioHost::new(None, Some("a.b")), Err(PathError::InvalidEdge { offset: 1 }));
/// assert_eq!(TwilioHost::new(Some("-ie1"), None), Err(PathError::InvalidRegion { offset: 0 }));
/// # Ok::<(), PathError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct TwilioHost(heapless::String<TWILIO_HOST_CAPACITY>);

impl TwilioHost {
    /// The host for `region` and `edge` (see the type's table); a name that
    /// is not a DNS label is [`PathError::InvalidRegion`] or
    /// [`PathError::InvalidEdge`].
    pub fn new(region: Option<&str>, edge: Option<&str>) -> Result<Self, PathError> {
        let region = region.filter(|r| !r.is_empty());
        let edge = edge.filter(|e| !e.is_empty());
        if let Some(offset) = region.and_then(dns_label_error) {
            return Err(PathError::InvalidRegion { offset });
        }
        if let Some(offset) = edge.and_then(dns_label_error) {
            return Err(PathError::InvalidEdge { offset });
        }
        let region = region.or(edge.map(|_| TWILIO_DEFAULT_REGION));
        let mut host = heapless::String::new();
        let fits = match (edge, region) {
            (None, None) => host.push_str(TWILIO_HOST).is_ok(),
            _ => {
                let mut fits = host.push_str(TWILIO_PRODUCT).is_ok();
                for name in [edge, region].into_iter().flatten() {
                    fits = fits && host.push('.').is_ok() && host.push_str(name).is_ok();
                }
                fits && host.push_str(TWILIO_DOMAIN).is_ok()
            }
        };
        // Unreachable: the capacity holds two names of the longest length
        // checked above; a longer name is refused there, never cut here.
        if !fits {
            return Err(PathError::InvalidRegion {
                offset: REGION_EDGE_MAX_LEN,
            });
        }
        host.make_ascii_lowercase();
        Ok(Self(host))
    }

    /// The host name.
    ///
    /// ```
    /// use confpart::api::path::TwilioHost;
    /// assert_eq!(TwilioHost::new(Some("au1"), None)?.as_str(), "api.au1.twilio.com");
    /// # Ok::<(), confpart::api::path::PathError>(())
    /// ```
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    /// As a [`Host`]: [`Host::Twilio`] when neither a region nor an edge
    /// was chosen, the regional name otherwise.
    ///
    /// ```
    /// use confpart::api::path::{Host, TwilioHost};
    /// assert_eq!(TwilioHost::new(None, None)?.host(), Host::Twilio);
    /// assert_eq!(TwilioHost::new(Some("ie1"), None)?.host(), Host::Custom("api.ie1.twilio.com"));
    /// # Ok::<(), confpart::api::path::PathError>(())
    /// ```
    pub fn host(&self) -> Host<'_> {
        if self.as_str() == TWILIO_HOST {
            Host::Twilio
        } else {
            // Letters, digits, `-` and `.` only: what `Host::custom` accepts.
            Host::Custom(self.as_str())
        }
    }
}

/// The offset of the first byte that keeps `name` (not empty) from being a
/// DNS label: letters, digits and `-`, not first or last, at most
/// [`REGION_EDGE_MAX_LEN`] bytes.
fn dns_label_error(name: &str) -> Option<usize> {
    let bytes = name.as_bytes();
    if bytes.len() > REGION_EDGE_MAX_LEN {
        return Some(REGION_EDGE_MAX_LEN);
    }
    if let Some(bad) = bytes
        .iter()
        .position(|&b| !(b.is_ascii_alphanumeric() || b == b'-'))
    {
        return Some(bad);
    }
    if bytes.first() == Some(&b'-') {
        return Some(0);
    }
    if bytes.last() == Some(&b'-') {
        return Some(bytes.len().saturating_sub(1));
    }
    None
}

/// Writes a participant path (with `.json`, but in [`PathStyle::Texml`]):
/// the collection when `participant` is `None`.
pub(crate) fn write_path<S: Sink + ?Sized>(
    sink: &mut S,
    style: PathStyle,
    account: &AccountSid,
    conference: &ConferenceSid,
    participant: Option<&ParticipantRef>,
) -> Result<(), WriteError> {
    sink.put_str(style.prefix())?;
    sink.put_str("/Accounts/")?;
    sink.put(account.as_bytes())?;
    sink.put_str("/Conferences/")?;
    sink.put(conference.as_bytes())?;
    match participant {
        Some(p) => {
            sink.put_str("/Participants/")?;
            p.write_path_segment(sink)?;
        }
        None => sink.put_str("/Participants")?,
    }
    if style.json_suffix() {
        sink.put_str(".json")?;
    }
    Ok(())
}

/// Longest path [`write_path`] writes for a participant that is a call SID
/// or a label of at most `label_bytes` bytes: LaML prefix, UUIDs, every
/// label byte encoded as `%XX` (or the longest call SID, a Telnyx one).
pub(crate) const fn max_path_len(label_bytes: usize) -> usize {
    let segment = if 3 * label_bytes > SID_CAPACITY {
        3 * label_bytes
    } else {
        SID_CAPACITY
    };
    LAML_PREFIX.len()
        + "/Accounts/".len()
        + UUID_LEN
        + "/Conferences/".len()
        + UUID_LEN
        + "/Participants/".len()
        + segment
        + ".json".len()
}

/// The path of the participants collection (`participant: None`) or of one
/// participant.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct ParticipantPath {
    /// Twilio-shaped, LaML-shaped (SignalWire) or TeXML-shaped (Telnyx).
    pub style: PathStyle,
    /// The account (or SignalWire project).
    pub account: AccountSid,
    /// The conference.
    pub conference: ConferenceSid,
    /// One participant, or `None` for the collection (list / create).
    pub participant: Option<ParticipantRef>,
}

impl ParticipantPath {
    /// Longest path this crate writes: LaML prefix, two UUIDs and a label of
    /// [`LABEL_CAPACITY`] bytes, each encoded as `%XX`.
    pub const MAX_LEN: usize = max_path_len(LABEL_CAPACITY);

    /// Longest path for a participant that is a call SID or a label of at
    /// most `label_bytes` bytes (0: always a call SID).
    pub const fn max_len(label_bytes: usize) -> usize {
        max_path_len(label_bytes)
    }

    /// Writes the path, with the `.json` suffix unless the style is
    /// [`PathStyle::Texml`].
    pub fn encode<S: Sink + ?Sized>(&self, sink: &mut S) -> Result<(), WriteError> {
        write_path(
            sink,
            self.style,
            &self.account,
            &self.conference,
            self.participant.as_ref(),
        )
    }

    /// Writes the path into `buf`; returns its length.
    pub fn encode_to_slice(&self, buf: &mut [u8]) -> Result<usize, WriteError> {
        let mut sink = SliceSink::new(buf);
        self.encode(&mut sink)?;
        Ok(sink.len())
    }

    /// The length [`ParticipantPath::encode`] writes (counted).
    pub fn encoded_len(&self) -> usize {
        let mut sink = crate::wire::sink::CountingSink::default();
        // A counting sink never fails.
        let _ = self.encode(&mut sink);
        sink.count
    }

    /// Parses a request path (without the query string), with or without
    /// `.json`, in any style. The participant segment is percent-decoded:
    /// a call SID, or a label (`%2F`, `.`/`..`, invalid escapes and non-UTF-8
    /// are rejected).
    pub fn parse(path: &str) -> Result<Self, PathError> {
        let bytes = path.as_bytes();
        let (style, pos) = PathStyle::split(bytes).ok_or(PathError::Prefix)?;
        let mut segments = Segments { path: bytes, pos };

        segments.expect_segment("Accounts")?;
        let (seg, off) = segments.next_segment()?;
        let account =
            AccountSid::parse_bytes(seg).map_err(|error| PathError::Id { error, offset: off })?;
        segments.expect_segment("Conferences")?;
        let (seg, off) = segments.next_segment()?;
        let conference = ConferenceSid::parse_bytes(seg)
            .map_err(|error| PathError::Id { error, offset: off })?;

        let (seg, off) = segments.next_segment()?;
        let is_last = segments.at_end();
        let participants_seg = if is_last {
            seg.strip_suffix(b".json").unwrap_or(seg)
        } else {
            seg
        };
        if participants_seg != b"Participants" {
            return Err(PathError::Segment {
                expected: "Participants",
                offset: off,
            });
        }
        if is_last {
            return Ok(Self {
                style,
                account,
                conference,
                participant: None,
            });
        }
        let (seg, off) = segments.next_segment()?;
        if !segments.at_end() {
            return Err(PathError::TrailingData {
                offset: segments.pos,
            });
        }
        let seg = seg.strip_suffix(b".json").unwrap_or(seg);
        let participant = parse_participant_segment(seg, off)?;
        Ok(Self {
            style,
            account,
            conference,
            participant: Some(participant),
        })
    }

    /// Parses the participants collection path (with or without `.json`,
    /// either style) whose conference slot is any segment: a SID or a
    /// friendly name, percent-decoded into `name` (`+` is kept literally,
    /// as in any path). A decoded `/`, `.`/`..`, invalid escapes, invalid
    /// UTF-8 and a path naming one participant are refused; so is a name
    /// longer than `name` ([`PathError::SegmentTooLong`]).
    ///
    /// ```
    /// use confpart::api::path::{ParticipantPath, PathError, PathStyle};
    ///
    /// let mut name = [0u8; 128];
    /// let p = ParticipantPath::parse_named(
    ///     "/2010-04-01/Accounts/ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/Conferences/My%20Room/Participants.json",
    ///     &mut name,
    /// )?;
    /// assert_eq!((p.style, p.conference), (PathStyle::Twilio, "My Room"));
    /// let mut name = [0u8; 128];
    /// assert!(matches!(
    ///     ParticipantPath::parse_named("/2010-04-01/Accounts/ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/Conferences/a%2Fb/Participants", &mut name),
    ///     Err(PathError::EncodedSlash { .. })
    /// ));
    /// # Ok::<(), PathError>(())
    /// ```
    pub fn parse_named<'n>(
        path: &str,
        name: &'n mut [u8],
    ) -> Result<NamedCollectionPath<'n>, PathError> {
        let bytes = path.as_bytes();
        let (style, pos) = PathStyle::split(bytes).ok_or(PathError::Prefix)?;
        let mut segments = Segments { path: bytes, pos };
        segments.expect_segment("Accounts")?;
        let (seg, off) = segments.next_segment()?;
        let account =
            AccountSid::parse_bytes(seg).map_err(|error| PathError::Id { error, offset: off })?;
        segments.expect_segment("Conferences")?;
        let (raw, name_off) = segments.next_segment()?;
        let (seg, off) = segments.next_segment()?;
        if !segments.at_end() {
            return Err(PathError::TrailingData {
                offset: segments.pos,
            });
        }
        if seg.strip_suffix(b".json").unwrap_or(seg) != b"Participants" {
            return Err(PathError::Segment {
                expected: "Participants",
                offset: off,
            });
        }
        let max = name.len();
        let n = match form::decode_component(raw, name, Space::Literal) {
            Ok(n) => n,
            Err(form::DecodeError::InvalidEscape { offset: at }) => {
                return Err(PathError::InvalidEscape {
                    offset: name_off + at,
                });
            }
            Err(form::DecodeError::OutputFull { .. }) => {
                return Err(PathError::SegmentTooLong {
                    offset: name_off,
                    max,
                });
            }
        };
        let name: &'n [u8] = name;
        let decoded = name.get(..n).unwrap_or(&[]);
        if decoded.contains(&b'/') {
            return Err(PathError::EncodedSlash { offset: name_off });
        }
        let text = core::str::from_utf8(decoded)
            .map_err(|_| PathError::InvalidUtf8 { offset: name_off })?;
        if text.is_empty() || text == "." || text == ".." {
            return Err(PathError::DotOrEmptySegment { offset: name_off });
        }
        Ok(NamedCollectionPath {
            style,
            account,
            conference: text,
        })
    }
}

/// The collection path of a create whose conference slot may hold a
/// friendly name instead of a SID (Twilio accepts either there):
/// [`ParticipantPath::parse_named`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct NamedCollectionPath<'n> {
    /// Twilio-shaped, LaML-shaped (SignalWire) or TeXML-shaped (Telnyx).
    pub style: PathStyle,
    /// The account (or SignalWire project).
    pub account: AccountSid,
    /// The conference slot, percent-decoded (`My%20Room` is `My Room`; `+`
    /// stays `+`): a conference SID or a friendly name
    /// (`confpart::bridge::ConferenceRef::parse` tells them apart).
    pub conference: &'n str,
}

/// Decodes and classifies the `{CallSid}` slot of a path.
fn parse_participant_segment(seg: &[u8], offset: usize) -> Result<ParticipantRef, PathError> {
    match CallSid::parse_bytes(seg) {
        Ok(sid) => Ok(ParticipantRef::Call(sid)),
        Err(_) => parse_label_segment(seg, offset),
    }
}

/// The `{CallSid}` slot as a label: percent-decoded, checked, copied.
/// Out of line: its decode buffer and the [`Label`](crate::wire::ident::Label) it builds (512 +
/// 520 bytes) would otherwise sit in the frame of every path parse,
/// call SIDs included (the bridge's stack on a microcontroller).
#[inline(never)]
fn parse_label_segment(seg: &[u8], offset: usize) -> Result<ParticipantRef, PathError> {
    let mut buf = [0u8; LABEL_CAPACITY];
    let n = match form::decode_component(seg, &mut buf, Space::Literal) {
        Ok(n) => n,
        Err(form::DecodeError::InvalidEscape { offset: at }) => {
            return Err(PathError::InvalidEscape {
                offset: offset + at,
            });
        }
        Err(form::DecodeError::OutputFull { .. }) => {
            // Longer than any label can be: report it as too long.
            let chars = core::str::from_utf8(seg).map_or(seg.len(), |s| s.chars().count());
            return Err(PathError::Id {
                error: IdError::LabelTooLong { chars },
                offset,
            });
        }
    };
    let decoded = buf.get(..n).unwrap_or(&[]);
    if decoded.contains(&b'/') {
        return Err(PathError::EncodedSlash { offset });
    }
    let text = core::str::from_utf8(decoded).map_err(|_| PathError::InvalidUtf8 { offset })?;
    if text == "." || text == ".." {
        return Err(PathError::DotOrEmptySegment { offset });
    }
    // A call SID with escapes (`v3%3A…`: a client that encodes `:`) is a call.
    ParticipantRef::parse(text).map_err(|error| PathError::Id { error, offset })
}

struct Segments<'a> {
    path: &'a [u8],
    pos: usize,
}

impl<'a> Segments<'a> {
    fn at_end(&self) -> bool {
        self.pos >= self.path.len()
    }

    /// The next segment and its offset; `pos` moves past the following `/`.
    fn next_segment(&mut self) -> Result<(&'a [u8], usize), PathError> {
        let start = self.pos;
        let rest = self.path.get(start..).unwrap_or(&[]);
        let len = crate::wire::scan::byte(rest, b'/').unwrap_or(rest.len());
        let seg = rest.get(..len).unwrap_or(&[]);
        if seg.is_empty() || seg == b"." || seg == b".." {
            return Err(PathError::DotOrEmptySegment { offset: start });
        }
        self.pos = start + len + 1;
        if len == rest.len() {
            self.pos = self.path.len();
        } else if self.pos >= self.path.len() {
            // A trailing '/' leaves an empty segment.
            return Err(PathError::DotOrEmptySegment { offset: self.pos });
        }
        Ok((seg, start))
    }

    fn expect_segment(&mut self, name: &'static str) -> Result<(), PathError> {
        let offset = self.pos;
        match self.next_segment() {
            Ok((seg, _)) if seg == name.as_bytes() => Ok(()),
            _ => Err(PathError::Segment {
                expected: name,
                offset,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::{format, string::String};

    const AC: &str = "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    const CF: &str = "CFaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    const CA: &str = "CAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    const UUID: &str = "9d3d58a8-9a8e-4b8e-a1e3-d3c4e5f6a7b8";

    const TELNYX_CALL: &str = "v3:9X2vxPDFY2RHSJ1EdMS0RHRksMTg2gAbDJyr6kyDlpFGq3kGsj5-aiQ";

    #[test]
    fn texml_path_has_no_json_and_keeps_the_colon() {
        let text =
            format!("/v2/texml/Accounts/{UUID}/Conferences/{UUID}/Participants/{TELNYX_CALL}");
        let p = ParticipantPath::parse(&text).unwrap();
        assert_eq!(p.style, PathStyle::Texml);
        assert_eq!(
            p.participant,
            Some(ParticipantRef::Call(CallSid::parse(TELNYX_CALL).unwrap()))
        );
        assert_eq!(write(&p), text);
        // A client that escapes the colon names the same call; `.json` is
        // accepted too.
        let escaped = text.replace("v3:", "v3%3A") + ".json";
        assert_eq!(ParticipantPath::parse(&escaped).unwrap(), p);
        let list = ParticipantPath {
            participant: None,
            ..p
        };
        assert_eq!(
            write(&list),
            format!("/v2/texml/Accounts/{UUID}/Conferences/{UUID}/Participants")
        );
        assert!(
            ParticipantPath::MAX_LEN
                >= write(&ParticipantPath {
                    participant: Some(ParticipantRef::Call(
                        CallSid::parse(&format!("v3:{}", "x".repeat(61))).unwrap()
                    )),
                    ..list
                })
                .len()
        );
    }

    fn write(p: &ParticipantPath) -> String {
        let mut buf = [0u8; ParticipantPath::MAX_LEN];
        let n = p.encode_to_slice(&mut buf).unwrap();
        assert_eq!(p.encoded_len(), n);
        String::from_utf8(buf[..n].to_vec()).unwrap()
    }

    #[test]
    fn twilio_path() {
        let p = ParticipantPath::parse(&format!(
            "/2010-04-01/Accounts/{AC}/Conferences/{CF}/Participants/{CA}.json"
        ))
        .unwrap();
        assert_eq!(p.style, PathStyle::Twilio);
        assert_eq!(
            p.participant,
            Some(ParticipantRef::Call(CallSid::parse(CA).unwrap()))
        );
        assert_eq!(
            write(&p),
            format!("/2010-04-01/Accounts/{AC}/Conferences/{CF}/Participants/{CA}.json")
        );
    }

    #[test]
    fn laml_path_without_json_and_collection() {
        let p = ParticipantPath::parse(&format!(
            "/api/laml/2010-04-01/Accounts/{UUID}/Conferences/{UUID}/Participants/{UUID}"
        ))
        .unwrap();
        assert_eq!(p.style, PathStyle::Laml);
        assert!(matches!(p.participant, Some(ParticipantRef::Call(_))));
        let list = ParticipantPath::parse(&format!(
            "/2010-04-01/Accounts/{AC}/Conferences/{CF}/Participants.json"
        ))
        .unwrap();
        assert_eq!(list.participant, None);
        let list = ParticipantPath::parse(&format!(
            "/2010-04-01/Accounts/{AC}/Conferences/{CF}/Participants"
        ))
        .unwrap();
        assert_eq!(list.participant, None);
    }

    #[test]
    fn labels_are_decoded() {
        let base = format!("/2010-04-01/Accounts/{AC}/Conferences/{CF}/Participants/");
        let p = ParticipantPath::parse(&format!("{base}front%20desk%C3%A9.json")).unwrap();
        assert_eq!(p.participant.unwrap().as_str(), "front deské");
        let at = base.len();
        assert_eq!(
            ParticipantPath::parse(&format!("{base}a%2Fb.json")),
            Err(PathError::EncodedSlash { offset: at })
        );
        assert_eq!(
            ParticipantPath::parse(&format!("{base}a%2fb")),
            Err(PathError::EncodedSlash { offset: at })
        );
        assert_eq!(
            ParticipantPath::parse(&format!("{base}%2E%2E")),
            Err(PathError::DotOrEmptySegment { offset: at })
        );
        assert_eq!(
            ParticipantPath::parse(&format!("{base}..")),
            Err(PathError::DotOrEmptySegment { offset: at })
        );
        assert_eq!(
            ParticipantPath::parse(&format!("{base}a%zz")),
            Err(PathError::InvalidEscape { offset: at + 1 })
        );
        assert_eq!(
            ParticipantPath::parse(&format!("{base}%FF")),
            Err(PathError::InvalidUtf8 { offset: at })
        );
        assert_eq!(
            ParticipantPath::parse(&format!("{base}a%0Db")),
            Err(PathError::Id {
                error: IdError::LabelCharacter { offset: 1 },
                offset: at
            })
        );
        assert_eq!(
            ParticipantPath::parse(&format!("{base}x/y")),
            Err(PathError::TrailingData { offset: at + 2 })
        );
    }

    #[test]
    fn structure_errors() {
        assert_eq!(
            ParticipantPath::parse("/2011-01-01/Accounts"),
            Err(PathError::Prefix)
        );
        assert_eq!(
            ParticipantPath::parse("/2010-04-01/Account/x"),
            Err(PathError::Segment {
                expected: "Accounts",
                offset: 12
            })
        );
        assert!(matches!(
            ParticipantPath::parse(&format!(
                "/2010-04-01/Accounts/{CF}/Conferences/{CF}/Participants"
            )),
            Err(PathError::Id { offset: 21, .. })
        ));
        assert_eq!(
            ParticipantPath::parse(&format!("/2010-04-01/Accounts/{AC}//Conferences")),
            Err(PathError::Segment {
                expected: "Conferences",
                offset: 56
            })
        );
        assert_eq!(
            ParticipantPath::parse("/2010-04-01/Accounts//Conferences"),
            Err(PathError::DotOrEmptySegment { offset: 21 })
        );
        assert_eq!(
            ParticipantPath::parse(&format!(
                "/2010-04-01/Accounts/{AC}/Conferences/{CF}/Participants/"
            )),
            Err(PathError::DotOrEmptySegment { offset: 116 })
        );
    }

    #[test]
    fn named_collection() {
        let mut buf = [0u8; 16];
        let named = |p: &str, buf: &mut [u8; 16]| -> Result<(PathStyle, String), PathError> {
            ParticipantPath::parse_named(p, buf).map(|n| (n.style, String::from(n.conference)))
        };
        let base = format!("/2010-04-01/Accounts/{AC}/Conferences/");
        assert_eq!(
            named(&format!("{base}My%20Room/Participants.json"), &mut buf),
            Ok((PathStyle::Twilio, String::from("My Room")))
        );
        assert_eq!(
            named(&format!("/api/laml{base}a+b/Participants"), &mut buf),
            Ok((PathStyle::Laml, String::from("a+b")))
        );
        assert_eq!(
            named(&format!("{base}{CF}/Participants"), &mut [0u8; 16]),
            Err(PathError::SegmentTooLong {
                offset: base.len(),
                max: 16
            })
        );
        let at = base.len();
        assert_eq!(
            named(&format!("{base}%2E%2E/Participants"), &mut buf),
            Err(PathError::DotOrEmptySegment { offset: at })
        );
        assert_eq!(
            named(&format!("{base}%FF/Participants"), &mut buf),
            Err(PathError::InvalidUtf8 { offset: at })
        );
        assert_eq!(
            named(&format!("{base}a%2/Participants"), &mut buf),
            Err(PathError::InvalidEscape { offset: at + 1 })
        );
        assert!(matches!(
            named(&format!("{base}room/Participants/{CA}"), &mut buf),
            Err(PathError::TrailingData { .. })
        ));
        assert!(matches!(
            named(&format!("{base}room/People"), &mut buf),
            Err(PathError::Segment {
                expected: "Participants",
                ..
            })
        ));
    }

    #[test]
    fn twilio_hosts_as_twilio_python_builds_them() {
        let host = |region, edge| TwilioHost::new(region, edge).map(|h| String::from(h.as_str()));
        for (region, edge, want) in [
            (None, None, "api.twilio.com"),
            (Some("ie1"), None, "api.ie1.twilio.com"),
            (None, Some("dublin"), "api.dublin.us1.twilio.com"),
            (Some("ie1"), Some("dublin"), "api.dublin.ie1.twilio.com"),
            (Some(""), Some(""), "api.twilio.com"),
            (Some(""), Some("Sydney"), "api.sydney.us1.twilio.com"),
            (Some("AU1"), Some(""), "api.au1.twilio.com"),
        ] {
            assert_eq!(
                host(region, edge).as_deref(),
                Ok(want),
                "{region:?} {edge:?}"
            );
        }
        assert_eq!(TwilioHost::new(None, None).unwrap().host(), Host::Twilio);
        assert_eq!(TWILIO_HOST, "api.twilio.com");
        let long = "a".repeat(REGION_EDGE_MAX_LEN);
        let longest = TwilioHost::new(Some(&long), Some(&long)).unwrap();
        assert_eq!(longest.as_str().len(), TWILIO_HOST_CAPACITY);
        assert!(Host::custom(longest.as_str()).is_ok());
    }

    #[test]
    fn twilio_host_names_must_be_dns_labels() {
        let too_long = "a".repeat(REGION_EDGE_MAX_LEN + 1);
        for (region, edge, want) in [
            (Some("a.b"), None, PathError::InvalidRegion { offset: 1 }),
            (None, Some("a.b"), PathError::InvalidEdge { offset: 1 }),
            (
                Some("ie1"),
                Some("-x"),
                PathError::InvalidEdge { offset: 0 },
            ),
            (Some("ie1-"), None, PathError::InvalidRegion { offset: 3 }),
            (
                Some("i e"),
                Some("a"),
                PathError::InvalidRegion { offset: 1 },
            ),
            (Some("\r\n"), None, PathError::InvalidRegion { offset: 0 }),
            (
                Some(too_long.as_str()),
                None,
                PathError::InvalidRegion {
                    offset: REGION_EDGE_MAX_LEN,
                },
            ),
            (
                None,
                Some(too_long.as_str()),
                PathError::InvalidEdge {
                    offset: REGION_EDGE_MAX_LEN,
                },
            ),
        ] {
            assert_eq!(
                TwilioHost::new(region, edge),
                Err(want),
                "{region:?} {edge:?}"
            );
        }
    }

    proptest! {
        #[test]
        fn parse_never_panics(s in any::<String>()) {
            let _ = ParticipantPath::parse(&s);
        }

        #[test]
        fn write_parse_round_trip(label in "[^/\\x00-\\x1f\\x7f]{1,40}", laml in any::<bool>()) {
            let Ok(r) = ParticipantRef::parse(&label) else { return Ok(()) };
            let p = ParticipantPath {
                style: if laml { PathStyle::Laml } else { PathStyle::Twilio },
                account: AccountSid::parse(AC).unwrap(),
                conference: ConferenceSid::parse(CF).unwrap(),
                participant: Some(r),
            };
            let text = write(&p);
            prop_assert!(text.len() <= ParticipantPath::MAX_LEN);
            prop_assert_eq!(ParticipantPath::parse(&text), Ok(p));
        }
    }
}
