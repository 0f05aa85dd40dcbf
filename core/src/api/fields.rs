//! The typed reading of form fields that the Update and Create decoders
//! share: field values read as booleans, methods, SIDs and bounded text, the
//! keys a request did not know, the callback URL rules, and the builder
//! setters. Below it, [`crate::wire::form`] only knows bytes.

use core::fmt;

use crate::wire::form::{DecodeError, Space, decode_component, decoded_len};
use crate::wire::ident::{CallSid, IdError, IdKind, SID_CAPACITY};
use crate::wire::json::JsonError;
#[cfg(feature = "json-body")]
use crate::wire::json::{Cursor, JsonErrorKind, JsonStr};
use crate::wire::scan::eq_letters;

/// Longest URL accepted in a URL field (`HoldUrl`, `AnnounceUrl`, `WaitUrl`,
/// Create's callback URLs; bytes, decoded).
pub const URL_MAX_LEN: usize = 2048;

/// The HTTP method a callback URL is fetched with (only `GET` and `POST`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Method {
    /// `GET`
    Get,
    /// `POST`
    Post,
}

impl Method {
    /// `"GET"` or `"POST"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Get => "GET",
            Self::Post => "POST",
        }
    }

    /// Parses `GET` / `POST`, case-insensitively.
    ///
    /// ```
    /// use confpart::api::fields::Method;
    /// assert_eq!(Method::parse(b"post"), Some(Method::Post));
    /// assert_eq!(Method::parse(b"PUT"), None);
    /// ```
    #[inline]
    pub fn parse(s: &[u8]) -> Option<Self> {
        if eq_letters(s, b"get") {
            Some(Self::Get)
        } else if eq_letters(s, b"post") {
            Some(Self::Post)
        } else {
            None
        }
    }
}

/// What is wrong with a URL field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum UrlProblem {
    /// Not `http://host...` or `https://host...`.
    NotAbsoluteHttp,
    /// A control character or whitespace at this byte offset.
    Character {
        /// Byte offset in the URL.
        offset: usize,
    },
    /// Longer than [`URL_MAX_LEN`].
    TooLong,
}

/// Exactly `char::is_whitespace` (Unicode `White_Space`), without the
/// 256-byte lookup table it links into firmware.
pub(crate) const fn is_unicode_white_space(c: char) -> bool {
    matches!(
        c,
        '\t'..='\r'
            | ' '
            | '\u{85}'
            | '\u{a0}'
            | '\u{1680}'
            | '\u{2000}'..='\u{200a}'
            | '\u{2028}'
            | '\u{2029}'
            | '\u{202f}'
            | '\u{205f}'
            | '\u{3000}'
    )
}

/// Checks an absolute http(s) URL: scheme, non-empty authority, no control
/// characters or whitespace, at most [`URL_MAX_LEN`] bytes.
pub(crate) fn check_url(url: &str) -> Result<(), UrlProblem> {
    if url.len() > URL_MAX_LEN {
        return Err(UrlProblem::TooLong);
    }
    // Plain ASCII is skipped eight bytes at a time; from the first byte that
    // may be a control or white-space character (a non-ASCII byte starts a
    // character, since everything before it is ASCII), chars are checked.
    let start = crate::wire::scan::url_stop(url.as_bytes()).unwrap_or(url.len());
    if let Some(offset) = url.get(start..).and_then(|rest| {
        rest.char_indices()
            .find(|&(_, c)| c.is_control() || is_unicode_white_space(c))
            .map(|(i, _)| start + i)
    }) {
        return Err(UrlProblem::Character { offset });
    }
    // The scheme, case-insensitively, as one word: `b | 0x20` is a given
    // lowercase letter, `:` or `/` only for that letter in either case, that
    // punctuation, or a control character (refused above). Shorter than 8
    // bytes, neither `https://` nor `http://` has a host.
    let bytes = url.as_bytes();
    let word = bytes
        .first_chunk::<8>()
        .map_or(0, |w| u64::from_le_bytes(*w) | 0x2020_2020_2020_2020);
    const HTTPS: u64 = u64::from_le_bytes(*b"https://");
    const HTTP: u64 = u64::from_le_bytes(*b"http://\0");
    const SEVEN: u64 = 0x00ff_ffff_ffff_ffff;
    let rest = if word == HTTPS {
        bytes.get(8..)
    } else if word & SEVEN == HTTP {
        bytes.get(7..)
    } else {
        None
    };
    match rest {
        Some(rest)
            if rest
                .first()
                .is_some_and(|&b| !matches!(b, b'/' | b'?' | b'#')) =>
        {
            Ok(())
        }
        _ => Err(UrlProblem::NotAbsoluteHttp),
    }
}

/// Unknown keys a decoded form body remembers (the total count is always exact).
pub const IGNORED_KEYS_CAPACITY: usize = 8;

/// Keys of a decoded form body (an Update or a Create) that are not fields
/// of its request (e.g. SignalWire's `Beep` on an update), as sent (still
/// percent-encoded). The first [`IGNORED_KEYS_CAPACITY`] are kept;
/// [`IgnoredKeys::total`] counts all.
///
/// ```
/// use confpart::api::create::Create;
/// let mut scratch = [0u8; 8];
/// let d = Create::decode(b"From=a&To=b&Hold=true", &mut scratch)?;
/// assert_eq!((d.ignored.total(), d.ignored.is_empty()), (1, false));
/// assert_eq!(d.ignored.iter().next(), Some(&b"Hold"[..]));
/// # Ok::<(), confpart::api::create::FormError>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct IgnoredKeys<'a> {
    keys: heapless::Vec<&'a [u8], IGNORED_KEYS_CAPACITY>,
    total: usize,
}

impl<'a> IgnoredKeys<'a> {
    /// The kept keys, in body order.
    pub fn iter(&self) -> impl Iterator<Item = &'a [u8]> + '_ {
        self.keys.iter().copied()
    }

    /// How many unknown keys the body had (may exceed the kept ones).
    pub const fn total(&self) -> usize {
        self.total
    }

    /// True when every key was known.
    pub const fn is_empty(&self) -> bool {
        self.total == 0
    }

    /// Counts `key`, and keeps it while there is room.
    pub(crate) fn push(&mut self, key: &'a [u8]) {
        self.total = self.total.saturating_add(1);
        // Past the capacity only the count grows: `total` says so.
        let _ = self.keys.push(key);
    }
}

/// Why a form body could not be decoded into a typed request: the error of
/// [`Update::decode`](crate::api::update::Update::decode)
/// ([`update::FormError`](crate::api::update::FormError)) and of
/// [`Create::decode`](crate::api::create::Create::decode)
/// ([`create::FormError`](crate::api::create::FormError)), over each request's
/// field type `F`. Offsets are byte offsets in the body. Each decoder uses the
/// variants its fields can cause (an Update has no required field, so never
/// [`FormError::Missing`]; [`FormError::InvalidValue`] is for Create's
/// `Beep`, `StatusCallbackEvent` and `Timeout`).
///
/// ```
/// use confpart::api::update::{Field, FormError, Update};
/// let mut scratch = [0u8; 16];
/// let e = Update::decode(b"Hold=true&Muted=maybe", &mut scratch).unwrap_err();
/// assert_eq!(e, FormError::InvalidBool { field: Field::Muted, offset: 16 });
/// assert_eq!(e.to_string(), "Muted: value at byte 16 is not true or false");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum FormError<F> {
    /// A `%` not followed by two hex digits.
    InvalidEscape {
        /// The field, when the escape was in a known field's value.
        field: Option<F>,
        /// Byte offset of the `%`.
        offset: usize,
    },
    /// A value that is not UTF-8 once decoded.
    InvalidUtf8 {
        /// The field.
        field: F,
        /// Byte offset of the value.
        offset: usize,
    },
    /// A known key that appears twice (Create's `StatusCallbackEvent` may
    /// repeat).
    DuplicateKey {
        /// The field.
        field: F,
        /// Byte offset of the second occurrence.
        offset: usize,
    },
    /// A required field (Create's `From`, `To`) is missing.
    Missing {
        /// The field.
        field: F,
    },
    /// A boolean field whose value is not `true`/`false` (any case).
    InvalidBool {
        /// The field.
        field: F,
        /// Byte offset of the value.
        offset: usize,
    },
    /// A method field whose value is not `GET`/`POST` (any case).
    InvalidMethod {
        /// The field.
        field: F,
        /// Byte offset of the value.
        offset: usize,
    },
    /// A value that is not one of the field's values (Create's `Beep`:
    /// `true`, `false`, `onEnter`, `onExit`; `StatusCallbackEvent`:
    /// `initiated`, `ringing`, `answered`, `completed`, any case; `Timeout`:
    /// decimal digits that fit a `u32`).
    InvalidValue {
        /// The field.
        field: F,
        /// Byte offset of the value.
        offset: usize,
    },
    /// `CallSidToCoach` that is neither empty nor a call SID.
    InvalidCallSid {
        /// The field.
        field: F,
        /// Why the SID is invalid.
        error: crate::wire::ident::IdError,
        /// Byte offset of the value.
        offset: usize,
    },
    /// A value longer than the field allows (never truncated).
    TooLong {
        /// The field.
        field: F,
        /// The field's limit in bytes.
        max: usize,
    },
    /// The scratch buffer given to the decoder is too small.
    ScratchFull {
        /// The field being decoded.
        field: F,
        /// Bytes that field needed.
        needed: usize,
    },
    /// A JSON body (`decode_json`) that is not one strict JSON object: a
    /// syntax error, nesting too deep, a top-level value other than an
    /// object. The error has the byte offset and, inside a known field's
    /// value, the field's key. (A well-formed value of the wrong type for a
    /// field is reported as that field's form error, e.g.
    /// [`FormError::InvalidBool`].)
    Json {
        /// What is wrong, and where.
        error: JsonError,
    },
}

impl<F: fmt::Display> fmt::Display for FormError<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidEscape {
                field: Some(field),
                offset,
            } => write!(f, "{field}: invalid percent-escape at byte {offset}"),
            Self::InvalidEscape {
                field: None,
                offset,
            } => write!(f, "invalid percent-escape in a key at byte {offset}"),
            Self::InvalidUtf8 { field, offset } => {
                write!(f, "{field}: value at byte {offset} is not UTF-8")
            }
            Self::DuplicateKey { field, offset } => {
                write!(f, "{field} appears twice (again at byte {offset})")
            }
            Self::Missing { field } => write!(f, "{field} is required"),
            Self::InvalidBool { field, offset } => {
                write!(f, "{field}: value at byte {offset} is not true or false")
            }
            Self::InvalidMethod { field, offset } => {
                write!(f, "{field}: value at byte {offset} is not GET or POST")
            }
            Self::InvalidValue { field, offset } => {
                write!(f, "{field}: value at byte {offset} is not allowed")
            }
            Self::InvalidCallSid {
                field,
                error,
                offset,
            } => write!(f, "{field}: value at byte {offset}: {error}"),
            Self::TooLong { field, max } => write!(f, "{field} is longer than {max} bytes"),
            Self::ScratchFull { field, needed } => write!(
                f,
                "{field}: scratch buffer too small ({needed} bytes needed)"
            ),
            Self::Json { error } => write!(f, "JSON body: {error}"),
        }
    }
}

impl<F: fmt::Debug + fmt::Display> core::error::Error for FormError<F> {}

/// The not-yet-used part of a decoder's scratch buffer.
pub(crate) struct Scratch<'a> {
    pub(crate) rest: &'a mut [u8],
}

/// One known field's raw value in a form body, with the typed readings the
/// Update and Create decoders share.
pub(crate) struct FieldValue<'a, F> {
    pub(crate) raw: &'a [u8],
    /// `raw` has no `%` and no `+`: it is its own decoding.
    pub(crate) plain: bool,
    /// Byte offset of the value in the body.
    pub(crate) offset: usize,
    pub(crate) field: F,
}

impl<'a, F: Copy> FieldValue<'a, F> {
    pub(crate) fn invalid_escape(&self, at: usize) -> FormError<F> {
        FormError::InvalidEscape {
            field: Some(self.field),
            offset: self.offset + at,
        }
    }

    /// [`FormError::InvalidValue`] for this value.
    pub(crate) fn invalid(&self) -> FormError<F> {
        FormError::InvalidValue {
            field: self.field,
            offset: self.offset,
        }
    }

    fn decoded_len(&self) -> Result<usize, FormError<F>> {
        decoded_len(self.raw).map_err(|e| match e {
            DecodeError::InvalidEscape { offset } | DecodeError::OutputFull { needed: offset } => {
                self.invalid_escape(offset)
            }
        })
    }

    /// A short value, decoded into `buf` when it has escapes (`None`: longer
    /// than `buf`). Plain values, nearly all of them, are used where they are.
    pub(crate) fn small<'b>(&self, buf: &'b mut [u8]) -> Result<Option<&'b [u8]>, FormError<F>>
    where
        'a: 'b,
    {
        if self.plain {
            return Ok((self.raw.len() <= buf.len()).then_some(self.raw));
        }
        match decode_component(self.raw, buf, Space::Plus) {
            Ok(n) => Ok(buf.get(..n)),
            Err(DecodeError::OutputFull { .. }) => Ok(None),
            Err(DecodeError::InvalidEscape { offset }) => Err(self.invalid_escape(offset)),
        }
    }

    pub(crate) fn boolean(&self) -> Result<bool, FormError<F>> {
        let mut buf = [0u8; 5];
        match self.small(&mut buf)? {
            Some(v) if eq_letters(v, b"true") => Ok(true),
            Some(v) if eq_letters(v, b"false") => Ok(false),
            _ => Err(FormError::InvalidBool {
                field: self.field,
                offset: self.offset,
            }),
        }
    }

    pub(crate) fn method(&self) -> Result<Method, FormError<F>> {
        let mut buf = [0u8; 4];
        let method = self.small(&mut buf)?.and_then(Method::parse);
        method.ok_or(FormError::InvalidMethod {
            field: self.field,
            offset: self.offset,
        })
    }

    /// A `CallSidToCoach` value: `None` when empty.
    pub(crate) fn call_sid(&self) -> Result<Option<CallSid>, FormError<F>> {
        let mut buf = [0u8; SID_CAPACITY];
        let invalid = |error| FormError::InvalidCallSid {
            field: self.field,
            error,
            offset: self.offset,
        };
        match self.small(&mut buf)? {
            Some([]) => Ok(None),
            Some(v) => CallSid::parse_bytes(v).map(Some).map_err(invalid),
            None => Err(invalid(IdError::Length {
                kind: IdKind::Call,
                len: self.decoded_len()?,
            })),
        }
    }

    /// A text value of at most `max` bytes once decoded (never truncated):
    /// a plain value borrows from the body, the others are decoded straight
    /// into `scratch` in one pass (the length is only computed again on the
    /// error path).
    pub(crate) fn text(
        &self,
        scratch: &mut Scratch<'a>,
        max: usize,
    ) -> Result<&'a str, FormError<F>> {
        let too_long = FormError::TooLong {
            field: self.field,
            max,
        };
        let bytes: &'a [u8] = if !self.plain {
            let buf = core::mem::take(&mut scratch.rest);
            match decode_component(self.raw, buf, Space::Plus) {
                Ok(len) if len > max => return Err(too_long),
                Ok(len) => match buf.split_at_mut_checked(len) {
                    Some((used, rest)) => {
                        scratch.rest = rest;
                        used
                    }
                    // Not reached: `len` is what was written into `buf`.
                    None => return Err(too_long),
                },
                Err(DecodeError::InvalidEscape { offset }) => {
                    return Err(self.invalid_escape(offset));
                }
                Err(DecodeError::OutputFull { needed }) => {
                    return Err(if needed > max {
                        too_long
                    } else {
                        FormError::ScratchFull {
                            field: self.field,
                            needed,
                        }
                    });
                }
            }
        } else if self.raw.len() > max {
            return Err(too_long);
        } else {
            self.raw
        };
        core::str::from_utf8(bytes).map_err(|_| FormError::InvalidUtf8 {
            field: self.field,
            offset: self.offset,
        })
    }
}

/// The field type of a body read by [`json_members`] (Update's or Create's
/// `Field`, and the callback `Field` for a create's subscription keys): its
/// key, and the field a key names.
#[cfg(feature = "json-body")]
pub(crate) trait BodyField: Copy {
    /// The key, e.g. `"Muted"`.
    fn key(self) -> &'static str;
    /// The field with this exact (case-sensitive) key.
    fn from_key(key: &[u8]) -> Option<Self>;
}

/// Walks the members of a JSON body that must be one object: each known
/// key (escapes decoded before matching) goes to `member` with the cursor
/// at its value and the byte offset of the key; each unknown key is noted
/// in `ignored` (raw, as sent) and its value skipped, checked. Then only
/// white space may follow the object.
#[cfg(feature = "json-body")]
pub(crate) fn json_members<'a, F: BodyField>(
    body: &'a [u8],
    ignored: &mut IgnoredKeys<'a>,
    mut member: impl FnMut(&mut Cursor<'a>, F, usize) -> Result<(), FormError<F>>,
) -> Result<(), FormError<F>> {
    let json = |error| FormError::Json { error };
    let mut c = Cursor::new(body);
    if c.peek() != Some(b'{') {
        return Err(json(c.wrong_type("an object")));
    }
    if c.enter().map_err(json)? {
        loop {
            let key = c.key().map_err(json)?;
            let mut buf = [0u8; 32];
            match F::from_key(key.text(&mut buf)) {
                Some(field) => member(&mut c, field, key.offset)?,
                None => {
                    ignored.push(key.raw().as_bytes());
                    c.skip_value().map_err(json)?;
                }
            }
            if !c.more(b'}').map_err(json)? {
                break;
            }
        }
    }
    c.finish().map_err(json)
}

/// One known field's value in a JSON body, at the cursor, with the typed
/// readings the Update and Create decoders share. `null` reads as absent
/// (`None`), as the SDKs mean it; a value of a JSON type the field cannot
/// have is the field's form error at the value's offset.
#[cfg(feature = "json-body")]
pub(crate) struct JsonValue<'c, 'a, F> {
    c: &'c mut Cursor<'a>,
    pub(crate) field: F,
    /// Byte offset of the value in the body.
    pub(crate) offset: usize,
}

#[cfg(feature = "json-body")]
impl<'c, 'a, F: BodyField> JsonValue<'c, 'a, F> {
    /// The value of `field`, at the cursor.
    pub(crate) fn new(c: &'c mut Cursor<'a>, field: F) -> Self {
        c.ws();
        let offset = c.pos;
        Self { c, field, offset }
    }

    /// A JSON error inside this field's value.
    pub(crate) fn syntax(&self, error: JsonError) -> FormError<F> {
        FormError::Json {
            error: error.in_field(self.field.key()),
        }
    }

    /// [`FormError::InvalidValue`] for this value.
    pub(crate) fn invalid(&self) -> FormError<F> {
        FormError::InvalidValue {
            field: self.field,
            offset: self.offset,
        }
    }

    /// Consumes a `null`: true when the value is one.
    pub(crate) fn null(&mut self) -> Result<bool, FormError<F>> {
        if self.c.peek() != Some(b'n') {
            return Ok(false);
        }
        self.c.opt_bool().map_err(|e| self.syntax(e))?;
        Ok(true)
    }

    /// The string at the cursor, consumed (`None`: not a string; nothing
    /// consumed).
    pub(crate) fn string(&mut self) -> Result<Option<JsonStr<'a>>, FormError<F>> {
        if self.c.peek() != Some(b'"') {
            return Ok(None);
        }
        self.c.string().map(Some).map_err(|e| self.syntax(e))
    }

    /// A string, or an array of strings (a list of words either way, as
    /// the SDKs send `…Event` values): `each` gets every string in order.
    /// `false` for `null`; any other JSON type, or a non-string item, is
    /// [`FormError::InvalidValue`].
    pub(crate) fn strings(
        &mut self,
        mut each: impl FnMut(JsonStr<'a>) -> Result<(), FormError<F>>,
    ) -> Result<bool, FormError<F>> {
        if self.null()? {
            return Ok(false);
        }
        if let Some(s) = self.string()? {
            each(s)?;
            return Ok(true);
        }
        if self.c.peek() != Some(b'[') {
            return Err(self.invalid());
        }
        if self.c.enter().map_err(|e| self.syntax(e))? {
            loop {
                let s = self.string()?.ok_or(self.invalid())?;
                each(s)?;
                if !self.c.more(b']').map_err(|e| self.syntax(e))? {
                    break;
                }
            }
        }
        Ok(true)
    }

    /// A string value, unescaped into `buf` when it has escapes (`None`:
    /// longer than `buf`).
    pub(crate) fn small<'b>(s: JsonStr<'a>, buf: &'b mut [u8]) -> Option<&'b [u8]>
    where
        'a: 'b,
    {
        match s.as_plain() {
            Some(plain) => (plain.len() <= buf.len()).then_some(plain.as_bytes()),
            None => s.unescape_into(buf).ok().map(str::as_bytes),
        }
    }

    /// A boolean: `true`/`false`, or the strings `"true"`/`"false"` in any
    /// case (as a form value).
    pub(crate) fn boolean(&mut self) -> Result<Option<bool>, FormError<F>> {
        let invalid = FormError::InvalidBool {
            field: self.field,
            offset: self.offset,
        };
        match self.c.peek() {
            Some(b't' | b'f' | b'n') => self.c.opt_bool().map_err(|e| self.syntax(e)),
            Some(b'"') => {
                let s = self.string()?.ok_or(invalid)?;
                let mut buf = [0u8; 5];
                match Self::small(s, &mut buf) {
                    Some(v) if eq_letters(v, b"true") => Ok(Some(true)),
                    Some(v) if eq_letters(v, b"false") => Ok(Some(false)),
                    _ => Err(invalid),
                }
            }
            _ => Err(invalid),
        }
    }

    /// A short string read by `parse` (`None` from it: invalid); `err` for
    /// any other JSON type or a string longer than `N` bytes.
    pub(crate) fn word<T, const N: usize>(
        &mut self,
        parse: impl FnOnce(&[u8]) -> Option<T>,
        err: FormError<F>,
    ) -> Result<Option<T>, FormError<F>> {
        if self.null()? {
            return Ok(None);
        }
        let s = self.string()?.ok_or(err)?;
        let mut buf = [0u8; N];
        Self::small(s, &mut buf)
            .and_then(parse)
            .map(Some)
            .ok_or(err)
    }

    /// `"GET"` / `"POST"`, any case.
    pub(crate) fn method(&mut self) -> Result<Option<Method>, FormError<F>> {
        let err = FormError::InvalidMethod {
            field: self.field,
            offset: self.offset,
        };
        self.word::<_, 4>(Method::parse, err)
    }

    /// A `CallSidToCoach` value: `Some(None)` when empty; a JSON type other
    /// than a string is [`FormError::InvalidValue`].
    pub(crate) fn call_sid(&mut self) -> Result<Option<Option<CallSid>>, FormError<F>> {
        if self.null()? {
            return Ok(None);
        }
        let (field, offset) = (self.field, self.offset);
        let invalid = |error| FormError::InvalidCallSid {
            field,
            error,
            offset,
        };
        let Some(s) = self.string()? else {
            return Err(self.invalid());
        };
        let mut buf = [0u8; SID_CAPACITY];
        match Self::small(s, &mut buf) {
            Some([]) => Ok(Some(None)),
            Some(v) => CallSid::parse_bytes(v)
                .map(|sid| Some(Some(sid)))
                .map_err(invalid),
            None => Err(invalid(IdError::Length {
                kind: IdKind::Call,
                len: s.unescaped_len(),
            })),
        }
    }

    /// A text value of at most `max` bytes once unescaped (never
    /// truncated): a string without escapes borrows from the body, the
    /// others are unescaped into `scratch`. Any other JSON type is
    /// [`FormError::InvalidValue`].
    pub(crate) fn text(
        &mut self,
        scratch: &mut Scratch<'a>,
        max: usize,
    ) -> Result<Option<&'a str>, FormError<F>> {
        if self.null()? {
            return Ok(None);
        }
        let s = self.string()?.ok_or(self.invalid())?;
        let too_long = FormError::TooLong {
            field: self.field,
            max,
        };
        if let Some(plain) = s.as_plain() {
            return if plain.len() > max {
                Err(too_long)
            } else {
                Ok(Some(plain))
            };
        }
        let needed = s.unescaped_len();
        if needed > max {
            return Err(too_long);
        }
        let buf = core::mem::take(&mut scratch.rest);
        let Some((used, rest)) = buf.split_at_mut_checked(needed) else {
            return Err(FormError::ScratchFull {
                field: self.field,
                needed,
            });
        };
        scratch.rest = rest;
        // The document was validated as it was read: its escapes are valid
        // and `used` holds exactly `needed` bytes.
        s.unescape_into(used)
            .map(Some)
            .map_err(|_| self.syntax(JsonError::new(JsonErrorKind::InvalidEscape, self.offset)))
    }

    /// A non-negative integer of at most `max`: a JSON number, or a string
    /// of decimal digits (as a form value). Anything else is
    /// [`FormError::InvalidValue`].
    pub(crate) fn uint(&mut self, max: u32) -> Result<Option<u32>, FormError<F>> {
        match self.c.peek() {
            Some(b'-' | b'0'..=b'9') => match self.c.opt_uint(u64::from(max)) {
                Ok(n) => Ok(n.and_then(|n| u32::try_from(n).ok())),
                Err(e) if e.kind == JsonErrorKind::OutOfRange => Err(self.invalid()),
                Err(e) => Err(self.syntax(e)),
            },
            _ => {
                let invalid = self.invalid();
                self.word::<_, 10>(|d| parse_u32(d).filter(|&n| n <= max), invalid)
            }
        }
    }

    /// The cursor, for a reading of its own (an array of values).
    pub(crate) fn cursor(&mut self) -> &mut Cursor<'a> {
        self.c
    }
}

/// The field a raw form key names (`None`: unknown), found by `find`.
/// Known keys are plain, so they are matched where they are; only a key
/// that matches nothing is checked for escapes and decoded, into `N` bytes
/// (a longer key is longer than any known one: unknown). An invalid escape
/// in any key is an error at its offset (`offset`: the key's in the body).
pub(crate) fn form_key<F, const N: usize>(
    key: &[u8],
    offset: usize,
    find: impl Fn(&[u8]) -> Option<F>,
) -> Result<Option<F>, FormError<F>> {
    if let Some(field) = find(key) {
        return Ok(Some(field));
    }
    if !crate::wire::form::needs_decoding(key, Space::Plus) {
        return Ok(None);
    }
    let mut buf = [0u8; N];
    match decode_component(key, &mut buf, Space::Plus) {
        Ok(n) => Ok(buf.get(..n).and_then(find)),
        Err(DecodeError::OutputFull { .. }) => Ok(None),
        Err(DecodeError::InvalidEscape { offset: at }) => Err(FormError::InvalidEscape {
            field: None,
            offset: offset + at,
        }),
    }
}

/// Decimal digits that fit a `u32` (`None`: empty, another byte, overflow).
pub(crate) fn parse_u32(digits: &[u8]) -> Option<u32> {
    crate::wire::http::parse_decimal(digits).and_then(|n| u32::try_from(n).ok())
}

/// Builder setters: `name(value)` sets the optional field `name`.
macro_rules! setters {
    ($($(#[$doc:meta])* $name:ident: $ty:ty;)*) => {
        $(
            $(#[$doc])*
            #[must_use]
            pub const fn $name(mut self, value: $ty) -> Self {
                self.$name = Some(value);
                self
            }
        )*
    };
}
pub(crate) use setters;
