//! The pull cursor every decoder reads its document with, and the number
//! check that decides overflow on the digits.

use super::escape::{EscErr, decode_escape};
use super::string::{Form, JsonStr};
use super::{JsonError, JsonErrorKind, MAX_DEPTH};
use crate::wire::scan::{HI, W, Word, below, eq, word};

/// Bit `i` of a key set: whether known key `i` was seen in an object.
pub(crate) type KeySet = u32;

/// An object key, as read by [`Cursor::key`].
pub(crate) struct Key<'a> {
    /// The key text: raw JSON contents, unescaped into `buf` if it had escapes.
    raw: &'a str,
    escaped: bool,
    /// Byte offset of the key's opening quote.
    pub(crate) offset: usize,
}

impl<'a> Key<'a> {
    /// The key as it is in the document: the raw string contents, escapes
    /// included (what a decoder reports for a key it ignored).
    #[cfg(feature = "json-body")]
    pub(crate) const fn raw(&self) -> &'a str {
        self.raw
    }

    /// The key's bytes, unescaped into `buf` when it had escapes (a key that
    /// does not fit cannot be one of ours: returns an impossible key).
    pub(crate) fn text<'b>(&'b self, buf: &'b mut [u8; 32]) -> &'b [u8] {
        if !self.escaped {
            return self.raw.as_bytes();
        }
        let key = JsonStr {
            raw: self.raw,
            form: Form::Escaped,
        };
        match key.chars_into(buf) {
            Some(s) => s.as_bytes(),
            None => b"\\",
        }
    }
}

/// A strict single-pass JSON reader: the caller pulls objects, keys and
/// values in document order; anything it does not want is skipped with
/// [`Cursor::skip_value`]. Every read checks the grammar as it goes.
pub(crate) struct Cursor<'a> {
    doc: &'a [u8],
    /// The longest valid UTF-8 prefix of `doc` (all of it, for a valid one).
    text: &'a str,
    /// Read position.
    pub(crate) pos: usize,
    /// Open containers (the document root counts as 1).
    depth: usize,
    /// All lane high bits when the document is not UTF-8 (then string scans
    /// stop at non-ASCII bytes to check them), else 0.
    high: Word,
}

/// Lanes of `w` that may stop a run of string text: `"`, `\\`, a byte below
/// 0x20 (and ` `, `!`), or (`high` = all lane high bits) a byte of 0x80 or
/// more. Only the lowest set lane counts (borrows may mark lanes above it);
/// the caller looks at that byte.
#[inline(always)]
fn string_stops(w: Word, high: Word) -> Word {
    // Bytes below 0x23: controls, and also ` `, `!` and `"` (a superset:
    // the byte-level match after a stop decides, a space only costs a stop).
    eq(w, b'\\') | below(w, 0x23) | (w & high)
}

/// `true`, `false` or `null`.
const fn literal_of(first: u8) -> &'static [u8] {
    match first {
        b't' => b"true",
        b'f' => b"false",
        _ => b"null",
    }
}

impl<'a> Cursor<'a> {
    /// Starts at the beginning of `doc` (checks its UTF-8 once).
    pub(crate) fn new(doc: &'a [u8]) -> Self {
        let text = match core::str::from_utf8(doc) {
            Ok(text) => text,
            Err(e) => doc
                .get(..e.valid_up_to())
                .and_then(|valid| core::str::from_utf8(valid).ok())
                .unwrap_or(""),
        };
        let high = if text.len() < doc.len() { HI } else { 0 };
        Self {
            doc,
            text,
            pos: 0,
            depth: 0,
            high,
        }
    }

    fn err(&self, kind: JsonErrorKind, offset: usize) -> JsonError {
        JsonError::new(kind, offset)
    }

    /// Skips whitespace.
    #[inline]
    pub(crate) fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.doc.get(self.pos) {
            self.pos += 1;
        }
    }

    /// Skips whitespace and returns the next byte.
    #[inline]
    pub(crate) fn peek(&mut self) -> Option<u8> {
        self.ws();
        self.doc.get(self.pos).copied()
    }

    /// The error for an unacceptable byte (or the end) at `i`.
    fn unexpected_at(&self, i: usize) -> JsonError {
        match self.doc.get(i) {
            None => self.err(JsonErrorKind::UnexpectedEnd, self.doc.len()),
            Some(&b) if b >= 0x80 && i >= self.text.len() => {
                self.err(JsonErrorKind::InvalidUtf8, self.text.len())
            }
            Some(&byte) => self.err(JsonErrorKind::UnexpectedByte { byte }, i),
        }
    }

    /// The error for what is at the read position.
    pub(crate) fn unexpected(&self) -> JsonError {
        self.unexpected_at(self.pos)
    }

    /// The error for a value of the wrong type at the read position: a syntax
    /// error if no value starts here at all.
    pub(crate) fn wrong_type(&self, expected: &'static str) -> JsonError {
        match self.doc.get(self.pos) {
            Some(b'{' | b'[' | b'"' | b't' | b'f' | b'n' | b'-' | b'0'..=b'9') => {
                self.err(JsonErrorKind::WrongType { expected }, self.pos)
            }
            _ => self.unexpected(),
        }
    }

    /// After the top-level value: only whitespace may follow.
    pub(crate) fn finish(&mut self) -> Result<(), JsonError> {
        self.ws();
        if self.pos < self.doc.len() {
            return Err(self.err(JsonErrorKind::TrailingData, self.pos));
        }
        Ok(())
    }

    /// Opens the container whose `{` or `[` is at the read position; returns
    /// false (and closes it) when it is empty.
    pub(crate) fn enter(&mut self) -> Result<bool, JsonError> {
        let close = match self.doc.get(self.pos) {
            Some(b'{') => b'}',
            _ => b']',
        };
        if self.depth >= MAX_DEPTH {
            return Err(self.err(JsonErrorKind::TooDeep, self.pos));
        }
        self.depth += 1;
        self.pos += 1;
        if self.peek() == Some(close) {
            self.pos += 1;
            self.depth -= 1;
            return Ok(false);
        }
        Ok(true)
    }

    /// After a member of the container closed by `close`: true if a `,`
    /// follows (another member), false if `close` does (consumed).
    pub(crate) fn more(&mut self, close: u8) -> Result<bool, JsonError> {
        // Usually the comma right after the value.
        if self.doc.get(self.pos) == Some(&b',') {
            self.pos += 1;
            return Ok(true);
        }
        match self.peek() {
            Some(b',') => {
                self.pos += 1;
                Ok(true)
            }
            Some(b) if b == close => {
                self.pos += 1;
                self.depth -= 1;
                Ok(false)
            }
            _ => Err(self.unexpected()),
        }
    }

    /// Reads `"key"` and the colon; leaves the position at the value.
    pub(crate) fn key(&mut self) -> Result<Key<'a>, JsonError> {
        if self.peek() != Some(b'"') {
            return Err(self.unexpected());
        }
        let offset = self.pos;
        let (raw, escaped) = self.string_raw()?;
        if self.peek() != Some(b':') {
            return Err(self.unexpected());
        }
        self.pos += 1;
        Ok(Key {
            raw,
            escaped,
            offset,
        })
    }

    /// Scans the string whose opening quote is at the read position; returns
    /// its raw contents and whether they hold an escape.
    #[inline]
    fn string_raw(&mut self) -> Result<(&'a str, bool), JsonError> {
        let start = self.pos + 1;
        let mut i = start;
        let mut escaped = false;
        // Non-ASCII bytes only need a look when the document is not UTF-8.
        let high = self.high;
        loop {
            // Skip plain text a word at a time (SWAR: lanes holding `"`,
            // `\`, a control character, or a high byte when it matters). A
            // word may run past the string: only the first stop counts.
            // Two words per step while they remain (long texts: URIs).
            while let Some((a, b)) = self
                .doc
                .get(i..i + 2 * W)
                .and_then(|two| two.split_at_checked(W))
            {
                if string_stops(word(a), high) | string_stops(word(b), high) != 0 {
                    break;
                }
                i += 2 * W;
            }
            while let Some(chunk) = self.doc.get(i..i + W) {
                let m = string_stops(word(chunk), high);
                if m != 0 {
                    i += (m.trailing_zeros() / 8) as usize;
                    break;
                }
                i += W;
            }
            match self.doc.get(i) {
                None => return Err(self.err(JsonErrorKind::UnexpectedEnd, self.doc.len())),
                Some(b'"') => break,
                Some(b'\\') => {
                    escaped = true;
                    i = match decode_escape(self.doc, i) {
                        Ok((_, next)) => next,
                        Err(EscErr::End) => {
                            return Err(self.err(JsonErrorKind::UnexpectedEnd, self.doc.len()));
                        }
                        Err(EscErr::Invalid(at)) => {
                            return Err(self.err(JsonErrorKind::InvalidEscape, at));
                        }
                        Err(EscErr::Lone(at)) => {
                            return Err(self.err(JsonErrorKind::LoneSurrogate, at));
                        }
                    }
                }
                Some(0..=0x1f) => return Err(self.err(JsonErrorKind::ControlCharacter, i)),
                Some(0x80..) if i >= self.text.len() => {
                    return Err(self.err(JsonErrorKind::InvalidUtf8, self.text.len()));
                }
                Some(_) => i += 1,
            }
        }
        self.pos = i + 1;
        // Both ends are ASCII quotes inside the valid prefix: char boundaries.
        let raw = self.text.get(start..i).unwrap_or("");
        Ok((raw, escaped))
    }

    /// Reads the string at the read position (its opening quote).
    pub(crate) fn string(&mut self) -> Result<JsonStr<'a>, JsonError> {
        let (raw, escaped) = self.string_raw()?;
        Ok(JsonStr {
            raw,
            form: if escaped { Form::Escaped } else { Form::Clean },
        })
    }

    /// Reads `true`, `false` or `null` at the read position.
    fn literal(&mut self) -> Result<u8, JsonError> {
        // Fast path: the whole literal in one 4-byte compare (+ `e`).
        if let Some(&[a, b, c, d]) = self.doc.get(self.pos..self.pos + 4) {
            let w = u32::from_le_bytes([a, b, c, d]);
            if w == u32::from_le_bytes(*b"true") || w == u32::from_le_bytes(*b"null") {
                self.pos += 4;
                return Ok(a);
            }
            if w == u32::from_le_bytes(*b"fals") && self.doc.get(self.pos + 4) == Some(&b'e') {
                self.pos += 5;
                return Ok(a);
            }
        }
        let first = self.doc.get(self.pos).copied().unwrap_or(b'n');
        for (k, c) in literal_of(first).iter().enumerate() {
            if self.doc.get(self.pos + k) != Some(c) {
                return Err(self.unexpected_at(self.pos + k));
            }
        }
        self.pos += literal_of(first).len();
        Ok(first)
    }

    fn skip_digits(&mut self) {
        while let Some(b'0'..=b'9') = self.doc.get(self.pos) {
            self.pos += 1;
        }
    }

    /// At least one digit, then any number.
    fn need_digits(&mut self) -> Result<(), JsonError> {
        match self.doc.get(self.pos) {
            Some(b'0'..=b'9') => {
                self.pos += 1;
                self.skip_digits();
                Ok(())
            }
            Some(_) => Err(self.err(JsonErrorKind::InvalidNumber, self.pos)),
            None => Err(self.err(JsonErrorKind::UnexpectedEnd, self.doc.len())),
        }
    }

    /// Scans the number at the read position; returns its bytes.
    fn number(&mut self) -> Result<&'a [u8], JsonError> {
        let start = self.pos;
        if self.doc.get(self.pos) == Some(&b'-') {
            self.pos += 1;
        }
        if self.doc.get(self.pos) == Some(&b'0') {
            self.pos += 1;
            if let Some(b'0'..=b'9') = self.doc.get(self.pos) {
                return Err(self.err(JsonErrorKind::InvalidNumber, self.pos));
            }
        } else {
            self.need_digits()?;
        }
        if self.doc.get(self.pos) == Some(&b'.') {
            self.pos += 1;
            self.need_digits()?;
        }
        if let Some(b'e' | b'E') = self.doc.get(self.pos) {
            self.pos += 1;
            if let Some(b'+' | b'-') = self.doc.get(self.pos) {
                self.pos += 1;
            }
            self.need_digits()?;
        }
        let digits = self.doc.get(start..self.pos).unwrap_or(&[]);
        // A number beyond the range of an f64 (`1e400`) is rejected, as the
        // usual parsers do; only long numbers or exponents can be.
        if (digits.len() > 15 || digits.iter().any(|&b| b == b'e' || b == b'E'))
            && beyond_f64(digits)
        {
            return Err(self.err(JsonErrorKind::OutOfRange, start));
        }
        Ok(digits)
    }

    /// Skips one value of any type (nested containers included), checking it.
    /// Iterative: one bit per open container, no recursion.
    pub(crate) fn skip_value(&mut self) -> Result<(), JsonError> {
        let base = self.depth;
        // Bit `d` set: the container at depth `d + 1` is an object.
        let mut objects: u32 = 0;
        'value: loop {
            match self.peek() {
                Some(open @ (b'[' | b'{')) => {
                    let is_obj = open == b'{';
                    if !self.enter()? {
                        // Empty: a complete value.
                    } else {
                        let bit = 1u32 << (self.depth - 1);
                        if is_obj {
                            objects |= bit;
                            self.key()?;
                        } else {
                            objects &= !bit;
                        }
                        continue 'value;
                    }
                }
                Some(b'"') => {
                    self.string_raw()?;
                }
                Some(b't' | b'f' | b'n') => {
                    self.literal()?;
                }
                Some(b'-' | b'0'..=b'9') => {
                    self.number()?;
                }
                _ => return Err(self.unexpected()),
            }
            // A value ended: close containers or move to the next member.
            while self.depth > base {
                let in_obj = objects & (1u32 << (self.depth - 1)) != 0;
                if self.more(if in_obj { b'}' } else { b']' })? {
                    if in_obj {
                        self.key()?;
                    }
                    continue 'value;
                }
            }
            return Ok(());
        }
    }

    // --- Typed readers for the field loops. -------------------------------

    /// A string or `null` (`None`).
    pub(crate) fn opt_str(&mut self) -> Result<Option<JsonStr<'a>>, JsonError> {
        match self.peek() {
            Some(b'"') => self.string().map(Some),
            Some(b'n') => self.literal().map(|_| None),
            _ => Err(self.wrong_type("a string or null")),
        }
    }

    /// `true`, `false` or `null` (`None`).
    pub(crate) fn opt_bool(&mut self) -> Result<Option<bool>, JsonError> {
        // Fast path: the literal as one 4-byte word (+ `e` for `false`).
        self.ws();
        let at = self.pos;
        if let Some(&[a, b, c, d]) = self.doc.get(at..at + 4) {
            match u32::from_le_bytes([a, b, c, d]) {
                w if w == u32::from_le_bytes(*b"true") => {
                    self.pos = at + 4;
                    return Ok(Some(true));
                }
                w if w == u32::from_le_bytes(*b"null") => {
                    self.pos = at + 4;
                    return Ok(None);
                }
                w if w == u32::from_le_bytes(*b"fals") && self.doc.get(at + 4) == Some(&b'e') => {
                    self.pos = at + 5;
                    return Ok(Some(false));
                }
                _ => {}
            }
        }
        match self.peek() {
            Some(b't' | b'f' | b'n') => self.literal().map(|b| match b {
                b't' => Some(true),
                b'f' => Some(false),
                _ => None,
            }),
            _ => Err(self.wrong_type("a boolean or null")),
        }
    }

    /// A non-negative integer up to `max`, or `null` (`None`).
    pub(crate) fn opt_uint(&mut self, max: u64) -> Result<Option<u64>, JsonError> {
        match self.peek() {
            Some(b'-' | b'0'..=b'9') => {
                let at = self.pos;
                let digits = self.number()?;
                let mut n: u64 = 0;
                for &d in digits {
                    n = match d {
                        b'0'..=b'9' => n
                            .checked_mul(10)
                            .and_then(|n| n.checked_add(u64::from(d - b'0')))
                            .filter(|&n| n <= max),
                        _ => None,
                    }
                    .ok_or(self.err(JsonErrorKind::OutOfRange, at))?;
                }
                Ok(Some(n))
            }
            Some(b'n') => self.literal().map(|_| None),
            _ => Err(self.wrong_type("an unsigned integer or null")),
        }
    }

    /// Reads the key at the read position if it is exactly `quoted` (the
    /// name in quotes, no escapes), with its colon; returns the key's offset.
    /// Otherwise leaves the position where it was (for [`Cursor::key`]).
    /// Decoders try the key they expect next (documents usually keep one
    /// order) before scanning.
    pub(crate) fn key_if(&mut self, quoted: &str) -> Result<Option<usize>, JsonError> {
        self.ws();
        let at = self.pos;
        let end = at + quoted.len();
        if !crate::wire::scan::same(self.doc.get(at..end).unwrap_or(&[]), quoted.as_bytes()) {
            return Ok(None);
        }
        // The colon, usually right after the key.
        self.pos = end;
        if self.doc.get(end) != Some(&b':') && self.peek() != Some(b':') {
            return Err(self.unexpected());
        }
        self.pos += 1;
        Ok(Some(at))
    }

    /// Fast path for a fixed-shape string value (a SID, a strict date): when
    /// the value at the read position is `"` + `len` bytes + `"` and `accept`
    /// takes those bytes, moves past the string and returns what `accept`
    /// made of them. Otherwise leaves the position where it was.
    ///
    /// `accept` must only take bytes that are plain string text (no `"`,
    /// `\\`, control or non-ASCII byte): then this reads exactly what
    /// [`Cursor::string`] would, without the scan.
    #[inline]
    pub(crate) fn fixed_str<T>(
        &mut self,
        len: usize,
        accept: impl FnOnce(&'a [u8]) -> Option<T>,
    ) -> Option<T> {
        self.ws();
        let at = self.pos;
        if self.doc.get(at) != Some(&b'"') || self.doc.get(at + 1 + len) != Some(&b'"') {
            return None;
        }
        let v = accept(self.doc.get(at + 1..at + 1 + len)?)?;
        self.pos = at + 2 + len;
        Some(v)
    }

    /// Records known key `index` in `seen`; a second time is
    /// [`JsonErrorKind::DuplicateKey`] at the key (at `offset`).
    pub(crate) fn once(
        seen: &mut KeySet,
        index: u32,
        offset: usize,
        field: &'static str,
    ) -> Result<(), JsonError> {
        let bit = 1 << index;
        if *seen & bit != 0 {
            return Err(JsonError::new(JsonErrorKind::DuplicateKey, offset).in_field(field));
        }
        *seen |= bit;
        Ok(())
    }
}

/// Checks that `doc` is exactly one strict RFC 8259 JSON value (surrounded by
/// optional whitespace), nested at most [`MAX_DEPTH`] deep.
///
/// The check is a single iterative pass (no recursion, constant stack) plus
/// one `core::str::from_utf8`. It rejects raw control characters in strings,
/// escapes other than `\" \\ \/ \b \f \n \r \t \uXXXX`, unpaired surrogate
/// escapes, invalid UTF-8, non-grammar numbers (`01`, `1.`, `+1`, `NaN`),
/// misspelled literals and trailing data. The first error in document order
/// is returned. (The decoders of this crate run the same checks while they
/// read: this is for documents kept undecoded, such as a list page.)
///
/// ```
/// use confpart::wire::json::{JsonError, JsonErrorKind, validate};
///
/// assert_eq!(validate(br#"{"a": [1, -2.5e3, true, null, "\ud83d\ude00"]}"#), Ok(()));
/// assert_eq!(validate(br#"{"x": 01}"#), Err(JsonError::new(JsonErrorKind::InvalidNumber, 7)));
/// assert_eq!(validate(b"[[[[[[[[[]]]]]]]]]"), Err(JsonError::new(JsonErrorKind::TooDeep, 8)));
/// ```
pub fn validate(doc: &[u8]) -> Result<(), JsonError> {
    let mut c = Cursor::new(doc);
    c.skip_value()?;
    c.finish()
}

/// The digits of the smallest magnitude that rounds to infinity as an
/// `f64` (2^1024 - 2^970, the midpoint between `f64::MAX` and 2^1024; a tie
/// rounds to even, which is 2^1024), trailing zeros removed. The value has
/// 309 integer digits.
const F64_OVERFLOW_DIGITS: &[u8] = b"179769313486231580793728971405303415079934132710037826936173778980444968292764750946649017977587207096330286416692887910946555547851940402630657488671505820681908902000708383676273854845817711531764475730270069855571366959622842914819860834936475292719074168444365510704342711559699508093042880177904174497792";
/// [`F64_OVERFLOW_DIGITS`] two digits a byte (digit `i` in the low nibble
/// of byte `i / 2` when `i` is even, in the high one when odd): 155 bytes of
/// flash instead of 309, the digits themselves only exist at compile time.
// Evaluated at compile time: an index out of bounds is a build error, never
// a run-time panic.
#[allow(clippy::indexing_slicing)]
const F64_OVERFLOW_NIBBLES: [u8; F64_OVERFLOW_DIGITS.len().div_ceil(2)] = {
    let mut t = [0u8; F64_OVERFLOW_DIGITS.len().div_ceil(2)];
    let mut i = 0;
    while i < F64_OVERFLOW_DIGITS.len() {
        t[i / 2] |= (F64_OVERFLOW_DIGITS[i] - b'0') << (4 * (i & 1));
        i += 1;
    }
    t
};
/// Integer digits of [`F64_OVERFLOW_DIGITS`].
const F64_OVERFLOW_POINT: i64 = 309;

/// True when the JSON number `digits` (already checked against the grammar)
/// rounds to infinity as an `f64`, as serde_json and the other usual parsers
/// reject it. Decided on the decimal digits alone: parsing floats would link
/// `core`'s float parser and its tables (about 17 KB of flash on a
/// Cortex-M, measured with `scripts/size-report`).
fn beyond_f64(digits: &[u8]) -> bool {
    let unsigned = digits.strip_prefix(b"-").unwrap_or(digits);
    // `e` or `E` (`| 0x20` maps only `E` onto `e` among the bytes of a
    // number: digits, `.`, `+`, `-`).
    let e = unsigned
        .iter()
        .position(|&b| b | 0x20 == b'e')
        .unwrap_or(unsigned.len());
    let (mantissa, exponent) = unsigned.split_at_checked(e).unwrap_or((unsigned, &[]));
    // The exponent, saturated far beyond where the answer changes.
    let mut exp: i64 = 0;
    let mut negative = false;
    for &b in exponent.get(1..).unwrap_or(&[]) {
        match b {
            b'-' => negative = true,
            b'+' => {}
            _ => exp = (exp * 10 + i64::from(b - b'0')).min(1 << 40),
        }
    }
    if negative {
        exp = -exp;
    }
    // The digits of the mantissa without its point: digit `k` is at `k`
    // before the point, at `k + 1` after it.
    let int_len = mantissa
        .iter()
        .position(|&b| b == b'.')
        .unwrap_or(mantissa.len());
    let count = mantissa.len() - usize::from(int_len < mantissa.len());
    let digit = |k: usize| {
        mantissa
            .get(k + usize::from(k >= int_len))
            .copied()
            .unwrap_or(b'0')
    };
    let leading = (0..count).take_while(|&k| digit(k) == b'0').count();
    if leading == count {
        return false; // zero
    }
    // value = 0.S x 10^point, S the significant digits.
    let point = (int_len as i64) - (leading as i64) + exp;
    if point != F64_OVERFLOW_POINT {
        return point > F64_OVERFLOW_POINT;
    }
    // Same magnitude: compare 0.S with 0.M digit by digit (missing digits
    // are zeros): overflow when S >= M.
    for i in 0..F64_OVERFLOW_DIGITS.len() {
        let m = b'0'
            + F64_OVERFLOW_NIBBLES
                .get(i / 2)
                .map_or(0, |p| (p >> (4 * (i & 1))) & 0xf);
        let k = leading + i;
        if k >= count {
            return false; // S is a prefix of M followed by zeros: S < M
        }
        let d = digit(k);
        if d != m {
            return d > m;
        }
    }
    true // S starts with all of M: S >= M
}

#[cfg(test)]
mod tests {
    use super::super::escape::*;
    use super::super::string::*;
    use super::super::*;

    #[test]
    fn beyond_f64_agrees_with_float_parsing() {
        use std::string::String;
        let m = core::str::from_utf8(F64_OVERFLOW_DIGITS).unwrap();
        let just_below = {
            // M - 1 as an integer: M ends in 2.
            let mut t = String::from(m);
            t.pop();
            t.push('1');
            t
        };
        let mut cases: std::vec::Vec<String> = [
            "0",
            "-0",
            "1e308",
            "1e309",
            "1.7976931348623157e308",
            "1.7976931348623158e308",
            "1.7976931348623159e308",
            "-1.7976931348623159e308",
            "0.0001e312",
            "0.001e312",
            "1e-400",
            "123456789012345678901234567890",
            "0e999999999999999999999",
            "10E+308",
            "1.797693134862315807937289714053e308",
            "1.797693134862315807937289714052e308",
            "179.76931348623158e306",
            "0.17976931348623158e309",
            "00.5e9999",
        ]
        .iter()
        .map(|c| String::from(*c))
        .collect();
        cases.push(String::from(m));
        cases.push(just_below);
        cases.push(std::format!("{m}0"));
        cases.push(std::format!("0.{m}e309"));
        for c in cases {
            let expected = !c.parse::<f64>().unwrap().is_finite();
            assert_eq!(beyond_f64(c.as_bytes()), expected, "{c}");
        }
    }

    proptest::proptest! {
        /// Numbers around the overflow bound: the digits of the bound,
        /// cut, nudged, with points, leading zeros and exponents.
        #[test]
        fn beyond_f64_agrees_with_float_parsing_near_the_bound(
            negative in proptest::prelude::any::<bool>(),
            zeros in 0usize..3,
            cut in 1usize..320,
            nudge in 0u8..10,
            point in proptest::option::of(0usize..320),
            exp in proptest::option::of(-320i32..320),
        ) {
            use std::string::String;
            let m = core::str::from_utf8(F64_OVERFLOW_DIGITS).unwrap();
            let mut digits: String = "0".repeat(zeros);
            digits.push_str(&m[..cut.min(m.len())]);
            digits.push(char::from(b'0' + nudge));
            if let Some(p) = point.filter(|&p| p > 0 && p < digits.len()) {
                digits.insert(p, '.');
            }
            let mut c = String::new();
            if negative {
                c.push('-');
            }
            c.push_str(&digits);
            if let Some(e) = exp {
                c.push_str(&std::format!("e{e}"));
            }
            let expected = !c.parse::<f64>().unwrap().is_finite();
            proptest::prop_assert_eq!(beyond_f64(c.as_bytes()), expected, "{}", c);
        }
    }

    extern crate std;

    use super::*;
    use crate::wire::sink::SliceSink;
    use proptest::prelude::*;
    use std::string::{String, ToString};

    #[test]
    fn accepts_valid_documents() {
        let docs = "0|-0| 1.5e+3 |-12.0E-7|\"\"|true|false|null|[]|{}| [ ] |{ }|[1,[2,{}],\"x\"]\
                    |\t\n\r{\"é\" : \"😀\"}\n|[[[[[[[[]]]]]]]]\
                    |{\"a\":{\"b\":[true,false,null]},\"c\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00\"}";
        for doc in docs.split('|') {
            assert_eq!(validate(doc.as_bytes()), Ok(()), "{doc}");
        }
    }

    #[test]
    fn each_syntax_error_with_offset() {
        use JsonErrorKind::*;
        let byte = |offset, byte| JsonError::new(UnexpectedByte { byte }, offset);
        let cases: &[(&[u8], JsonError)] = &[
            (b"", JsonError::new(UnexpectedEnd, 0)),
            (b"  ", JsonError::new(UnexpectedEnd, 2)),
            (b"{\"a\":", JsonError::new(UnexpectedEnd, 5)),
            (b"[1,", JsonError::new(UnexpectedEnd, 3)),
            (b"\"abc", JsonError::new(UnexpectedEnd, 4)),
            (b"\"\\", JsonError::new(UnexpectedEnd, 2)),
            (b"\"\\u12", JsonError::new(UnexpectedEnd, 5)),
            (b"[1.", JsonError::new(UnexpectedEnd, 3)),
            (b"tr", JsonError::new(UnexpectedEnd, 2)),
            (br#"{"x": tru}"#, byte(9, b'}')),
            (b"[1,]", byte(3, b']')),
            (b"{\"a\":1,}", byte(7, b'}')),
            (b"{\"a\" 1}", byte(5, b'1')),
            (b"{1:2}", byte(1, b'1')),
            (b"[1 2]", byte(3, b'2')),
            (b"[1}", byte(2, b'}')),
            (b"+1", byte(0, b'+')),
            (b"NaN", byte(0, b'N')),
            (b".5", byte(0, b'.')),
            (b"\x0c1", byte(0, 0x0c)),
            (b"[[[[[[[[[1]]]]]]]]]", JsonError::new(TooDeep, 8)),
            (b"\"a\x01\"", JsonError::new(ControlCharacter, 2)),
            (b"{\"x\": \"a\nb\"}", JsonError::new(ControlCharacter, 8)),
            (br#""\x""#, JsonError::new(InvalidEscape, 1)),
            (br#""\u12g4""#, JsonError::new(InvalidEscape, 1)),
            (br#""ab\ud83d\u12g4""#, JsonError::new(InvalidEscape, 9)),
            (br#"["\ud83d"]"#, JsonError::new(LoneSurrogate, 2)),
            (br#""\ud83dx""#, JsonError::new(LoneSurrogate, 1)),
            (br#""\ud83d\u0041""#, JsonError::new(LoneSurrogate, 1)),
            (br#""\ude00""#, JsonError::new(LoneSurrogate, 1)),
            (b"\"a\xff\"", JsonError::new(InvalidUtf8, 2)),
            (b"\"\xc3\"", JsonError::new(InvalidUtf8, 1)),
            (b"[\xe9]", JsonError::new(InvalidUtf8, 1)),
            (br#"{"x": 01}"#, JsonError::new(InvalidNumber, 7)),
            (br#"{"x": 1.}"#, JsonError::new(InvalidNumber, 8)),
            (b"-a", JsonError::new(InvalidNumber, 1)),
            (b"1e+x", JsonError::new(InvalidNumber, 3)),
            (b"{} {}", JsonError::new(TrailingData, 3)),
            (b"1 2", JsonError::new(TrailingData, 2)),
            (b"null\x00", JsonError::new(TrailingData, 4)),
        ];
        for (doc, want) in cases {
            assert_eq!(validate(doc), Err(*want), "{:?}", core::str::from_utf8(doc));
            assert!(want.is_syntax());
            assert_eq!(want.field, None);
        }
        assert!(!JsonError::new(InvalidValue, 3).in_field("sid").is_syntax());
    }

    #[test]
    fn too_deep_comes_first_and_uses_no_stack() {
        // Depth 9 followed by garbage and invalid UTF-8: TooDeep at the 9th `[`.
        assert_eq!(
            validate(b"[[[[[[[[[\x01 tru \xff"),
            Err(JsonError::new(JsonErrorKind::TooDeep, 8))
        );
        assert_eq!(
            validate(b"{\"a\":{\"b\":[{\"c\":[[[[{\"d\":1}]]]]}]}}"),
            Err(JsonError::new(JsonErrorKind::TooDeep, 20))
        );
        let deep = std::vec![b'['; 100_000];
        assert_eq!(
            validate(&deep),
            Err(JsonError::new(JsonErrorKind::TooDeep, 8))
        );
        let mut ok = std::vec![b'['; MAX_DEPTH];
        ok.extend(std::iter::repeat_n(b']', MAX_DEPTH));
        assert_eq!(validate(&ok), Ok(()));
        // Closing and reopening does not accumulate depth.
        let wide = "[".to_string() + &"[[[[[[[]]]]]]],".repeat(1000) + "1]";
        assert_eq!(validate(wide.as_bytes()), Ok(()));
    }

    #[test]
    fn unescape_cases() {
        let mut buf = [0u8; 32];
        assert_eq!(unescape_into(r#"\""#, &mut buf), Ok("\""));
        assert_eq!(unescape_into(r"\\", &mut buf), Ok("\\"));
        assert_eq!(unescape_into(r"\u00e9", &mut buf), Ok("é"));
        assert_eq!(unescape_into(r"\ud83d\ude00", &mut buf), Ok("😀"));
        assert_eq!(
            unescape_into(r"a\/\b\f\n\r\tz", &mut buf),
            Ok("a/\u{8}\u{c}\n\r\tz")
        );
        assert_eq!(unescape_into("", &mut buf), Ok(""));
        assert_eq!(unescape_into("plain é", &mut buf), Ok("plain é"));
        use UnescapeError::*;
        assert_eq!(
            unescape_into(r"ab\ud83d", &mut buf),
            Err(LoneSurrogate { offset: 2 })
        );
        assert_eq!(
            unescape_into(r"\ude00", &mut buf),
            Err(LoneSurrogate { offset: 0 })
        );
        assert_eq!(
            unescape_into(r"x\q", &mut buf),
            Err(InvalidEscape { offset: 1 })
        );
        assert_eq!(
            unescape_into("x\\", &mut buf),
            Err(InvalidEscape { offset: 1 })
        );
        assert_eq!(
            unescape_into(r"\u12", &mut buf),
            Err(InvalidEscape { offset: 0 })
        );
        assert_eq!(
            unescape_into(r"\ud83d\uzz00", &mut buf),
            Err(InvalidEscape { offset: 6 })
        );
        let mut small = [0u8; 3];
        assert_eq!(
            unescape_into(r"\ud83d\ude00", &mut small),
            Err(Overflow { capacity: 3 })
        );
        assert_eq!(
            unescape_into("abcd", &mut small),
            Err(Overflow { capacity: 3 })
        );
        assert_eq!(unescape_to_string::<4>(r"\ud83d\ude00").unwrap(), "😀");
        assert_eq!(
            unescape_to_string::<3>(r"\ud83d\ude00"),
            Err(Overflow { capacity: 3 })
        );
        assert_eq!(
            unescape_to_string::<8>(r"\x"),
            Err(InvalidEscape { offset: 0 })
        );
        let chars: std::vec::Vec<_> = unescaped_chars(r"a\u00e9\ud83d\ude00").collect();
        assert_eq!(chars, [Ok('a'), Ok('é'), Ok('😀')]);
        let chars: std::vec::Vec<_> = unescaped_chars(r"a\ud83db").collect();
        assert_eq!(chars, [Ok('a'), Err(LoneSurrogate { offset: 1 })]);
    }

    #[test]
    fn display_messages() {
        let e = JsonError::new(JsonErrorKind::UnexpectedByte { byte: b'x' }, 3);
        assert_eq!(e.to_string(), "unexpected byte 0x78 in JSON at offset 3");
        let e = JsonError::new(JsonErrorKind::InvalidValue, 9).in_field("label");
        assert_eq!(
            e.to_string(),
            "invalid value in JSON field `label` at offset 9"
        );
        let e = JsonError::new(JsonErrorKind::Missing, 1).in_field("call_sid");
        assert_eq!(
            e.to_string(),
            "JSON object ending at offset 1 has no `call_sid`"
        );
        // The innermost field wins.
        assert_eq!(e.in_field("participants").field, Some("call_sid"));
        let e = UnescapeError::Overflow { capacity: 4 };
        assert_eq!(e.to_string(), "unescaped string does not fit in 4 bytes");
    }

    #[test]
    fn write_string_escapes() {
        let mut buf = [0u8; 64];
        let mut sink = SliceSink::new(&mut buf);
        write_string(&mut sink, "\"\\\n\r\t\u{8}\u{c}\u{0}\u{1f}\u{7f}é😀/").unwrap();
        assert_eq!(
            sink.written(),
            "\"\\\"\\\\\\n\\r\\t\\b\\f\\u0000\\u001f\u{7f}é😀/\"".as_bytes()
        );
        let mut small = [0u8; 4];
        let mut sink = SliceSink::new(&mut small);
        assert!(write_string(&mut sink, "abcdef").is_err());
    }

    #[test]
    fn cursor_reads_fields_and_skips_the_rest() {
        let doc = br#" {"a": "x\u00e9", "b": [1, {"c": null}], "n": 42, "t": true} "#;
        let mut c = Cursor::new(doc);
        assert_eq!(c.peek(), Some(b'{'));
        assert!(c.enter().unwrap());
        let mut seen = 0;
        let mut got = (None, None, None);
        loop {
            let key = c.key().unwrap();
            let mut buf = [0u8; 32];
            match key.text(&mut buf) {
                b"a" => {
                    Cursor::once(&mut seen, 0, key.offset, "a").unwrap();
                    got.0 = c.opt_str().unwrap();
                }
                b"n" => got.1 = c.opt_uint(100).unwrap(),
                b"t" => got.2 = c.opt_bool().unwrap(),
                _ => c.skip_value().unwrap(),
            }
            if !c.more(b'}').unwrap() {
                break;
            }
        }
        c.finish().unwrap();
        assert!(got.0.unwrap().eq_str("xé"));
        assert_eq!((got.1, got.2), (Some(42), Some(true)));
        // Typed readers: wrong type, range.
        let mut c = Cursor::new(b"\"x\"");
        assert_eq!(
            c.opt_bool(),
            Err(JsonError::new(
                JsonErrorKind::WrongType {
                    expected: "a boolean or null"
                },
                0
            ))
        );
        for (doc, at) in [(&b"256"[..], 0), (b"-1", 0), (b"1.5", 0), (b"1e2", 0)] {
            assert_eq!(
                Cursor::new(doc).opt_uint(255),
                Err(JsonError::new(JsonErrorKind::OutOfRange, at))
            );
        }
        assert_eq!(Cursor::new(b"255").opt_uint(255), Ok(Some(255)));
        assert_eq!(Cursor::new(b"null").opt_uint(255), Ok(None));
        assert_eq!(
            Cursor::new(b"01").opt_uint(255),
            Err(JsonError::new(JsonErrorKind::InvalidNumber, 1))
        );
    }

    #[test]
    fn json_str_views() {
        let plain = JsonStr::text("a\"b\n");
        let esc = JsonStr::from_json(r#"a\"b\n"#).unwrap();
        assert_eq!(plain, esc);
        assert!(esc.eq_str("a\"b\n"));
        assert_eq!(esc.unescaped_len(), 4);
        assert_eq!(esc.to_string(), "a\"b\n");
        assert_eq!(std::format!("{esc:?}"), r#""a\"b\n""#);
        let mut small = [0u8; 3];
        assert_eq!(
            esc.unescape_into(&mut small),
            Err(UnescapeError::Overflow { capacity: 3 })
        );
        assert_eq!(
            plain.unescape_into(&mut small),
            Err(UnescapeError::Overflow { capacity: 3 })
        );
        let mut out = [0u8; 16];
        let mut sink = SliceSink::new(&mut out);
        plain.write_json(&mut sink).unwrap();
        esc.write_json(&mut sink).unwrap();
        assert_eq!(sink.written(), br#""a\"b\n""a\"b\n""#);
        assert!(JsonStr::from_json("\\ud83d").is_none());
        assert!(JsonStr::from_json("").unwrap().is_empty());
        let pair = JsonStr::from_json(r"\ud83d\ude00!").unwrap();
        assert!(pair.chars().eq("😀!".chars()));
        assert_ne!(pair, JsonStr::text("😀"));
    }

    fn roundtrip(s: &str) {
        let mut buf = std::vec![0u8; s.len() * 6 + 2];
        let mut sink = SliceSink::new(&mut buf);
        write_string(&mut sink, s).unwrap();
        let written = sink.written();
        assert_eq!(validate(written), Ok(()));
        let inner = core::str::from_utf8(&written[1..written.len() - 1]).unwrap();
        let mut out = std::vec![0u8; s.len()];
        assert_eq!(unescape_into(inner, &mut out), Ok(s));
        assert!(unescaped_chars(inner).eq(s.chars().map(Ok)));
    }

    proptest! {
        #[test]
        fn validate_never_panics(doc in proptest::collection::vec(any::<u8>(), 0..256)) {
            let _ = validate(&doc);
        }

        #[test]
        fn validate_never_panics_jsonish(doc in "[\\[\\]{}\",:0-9.eE+\\-tfnrulas\\\\ \u{1}é]{0,64}") {
            let _ = validate(doc.as_bytes());
        }

        #[test]
        fn write_then_validate_and_unescape(s in any::<String>(),
                                            t in "[\u{0}-\u{1f}\u{7f}\"\\\\/a-zé😀]*") {
            roundtrip(&s);
            roundtrip(&t);
        }

        #[test]
        fn chars_into_same_as_unescape_into(
            s in "[\u{0}-\u{1f}\"\\\\/a-zé😀\u{10000}-\u{10ffff}]{0,24}",
            size in 0usize..64,
        ) {
            // Any text, written as JSON, viewed: both unescapers agree on
            // the text and on whether it fits.
            let mut json = [0u8; 256];
            let mut sink = SliceSink::new(&mut json);
            write_string(&mut sink, &s).unwrap();
            let written = sink.written();
            let raw = core::str::from_utf8(&written[1..written.len() - 1]).unwrap();
            let view = JsonStr::from_json(raw).unwrap();
            let (mut a, mut b) = (std::vec![0u8; size], std::vec![0u8; size]);
            prop_assert_eq!(view.chars_into(&mut a), view.unescape_into(&mut b).ok());
        }

        #[test]
        fn unescape_never_panics(s in any::<String>(),
                                 t in "(\\\\|u|d|8|3|c|0|a|e|\"|n|x|é)*") {
            for raw in [s.as_str(), t.as_str()] {
                let mut buf = [0u8; 16];
                let _ = unescape_into(raw, &mut buf);
                let _ = unescape_to_string::<8>(raw);
                let _ = unescaped_chars(raw).count();
            }
        }
    }
}
