//! RFC 2822 timestamps, as Twilio and SignalWire send them in `date_created`
//! and `date_updated` (`"Fri, 18 Feb 2011 21:07:19 +0000"`).
//!
//! [`Timestamp::parse`] is lenient (any zone offset, obsolete 2-digit years,
//! full month and weekday names); [`Timestamp::write_rfc2822`] always writes
//! the strict, fixed-width UTC form of [`RFC2822_LEN`] bytes.

use core::fmt;

/// Length in bytes of the strict form written by [`Timestamp::write_rfc2822`].
pub const RFC2822_LEN: usize = 31;

/// Seconds since the Unix epoch, UTC. Year range supported: 1970..=9999.
///
/// ```
/// use confpart::wire::date::{RFC2822_LEN, Timestamp};
///
/// let t = Timestamp::parse(b"Fri, 18 Feb 2011 22:07:19 +0100")?;
/// assert_eq!(t.unix(), 1_298_063_239);
/// assert_eq!(t.to_civil().hour, 21);
///
/// let mut buf = [0u8; RFC2822_LEN];
/// assert_eq!(t.write_rfc2822(&mut buf), "Fri, 18 Feb 2011 21:07:19 +0000");
/// # Ok::<(), confpart::wire::date::DateError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Timestamp(u64);

/// A broken-down UTC date and time, as returned by [`Timestamp::to_civil`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Civil {
    /// Year, 1970..=9999.
    pub year: u16,
    /// Month, 1 (January) ..= 12 (December).
    pub month: u8,
    /// Day of the month, 1..=31.
    pub day: u8,
    /// Hour, 0..=23.
    pub hour: u8,
    /// Minute, 0..=59.
    pub minute: u8,
    /// Second, 0..=59.
    pub second: u8,
    /// Day of the week, 0 (Monday) ..= 6 (Sunday).
    pub weekday: u8,
}

/// Which argument of [`Timestamp::from_civil`] was invalid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum CivilField {
    /// `month` was not in 1..=12.
    Month,
    /// `day` was 0 or past the end of the month.
    Day,
    /// `hour` was over 23.
    Hour,
    /// `minute` was over 59.
    Minute,
    /// `second` was over 59.
    Second,
}

/// Why a date could not be parsed or built. `offset` is the byte offset in
/// the input where the offending token starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum DateError {
    /// The input ended where another token was expected.
    UnexpectedEnd,
    /// The leading word is not a weekday name.
    BadWeekday {
        /// Where the word starts.
        offset: usize,
    },
    /// The weekday name is not followed by `,`.
    MissingComma {
        /// Where the comma was expected.
        offset: usize,
    },
    /// Two tokens are not separated by whitespace.
    MissingSpace {
        /// Where the whitespace was expected.
        offset: usize,
    },
    /// The day is not 1 or 2 digits, is 0, or is past the end of the month.
    BadDay {
        /// Where the day starts.
        offset: usize,
    },
    /// The month is not an English month name.
    BadMonth {
        /// Where the month starts.
        offset: usize,
    },
    /// The year is not 2 or 4 digits.
    BadYear {
        /// Where the year starts.
        offset: usize,
    },
    /// The hour is not 1 or 2 digits, or is over 23.
    BadHour {
        /// Where the hour starts.
        offset: usize,
    },
    /// The minute is missing (no `:`), not 2 digits, or over 59.
    BadMinute {
        /// Where the `:` or the minute was expected.
        offset: usize,
    },
    /// The second is not 2 digits or is over 60.
    BadSecond {
        /// Where the second starts.
        offset: usize,
    },
    /// The second is 60 (a leap second), which a Unix timestamp cannot hold.
    LeapSecond {
        /// Where the second starts.
        offset: usize,
    },
    /// The time is not followed by a zone.
    MissingZone {
        /// Where the zone was expected.
        offset: usize,
    },
    /// The zone is neither `±HHMM` (HH ≤ 23, MM ≤ 59) nor a known name.
    BadZone {
        /// Where the zone starts.
        offset: usize,
    },
    /// Something other than whitespace follows the zone.
    TrailingData {
        /// Where the extra data starts.
        offset: usize,
    },
    /// The instant, in UTC, is before 1970 or after 9999.
    OutOfRange,
    /// An argument of [`Timestamp::from_civil`] is out of range.
    InvalidCivil {
        /// The offending argument.
        field: CivilField,
    },
}

impl fmt::Display for DateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (what, offset) = match *self {
            Self::UnexpectedEnd => return f.write_str("date ends too early"),
            Self::OutOfRange => return f.write_str("date outside 1970..=9999 UTC"),
            Self::InvalidCivil { field } => {
                return write!(f, "invalid civil date field: {field:?}");
            }
            Self::BadWeekday { offset } => ("bad weekday name", offset),
            Self::MissingComma { offset } => ("expected ',' after weekday", offset),
            Self::MissingSpace { offset } => ("expected whitespace", offset),
            Self::BadDay { offset } => ("bad day of month", offset),
            Self::BadMonth { offset } => ("bad month name", offset),
            Self::BadYear { offset } => ("bad year", offset),
            Self::BadHour { offset } => ("bad hour", offset),
            Self::BadMinute { offset } => ("bad minute", offset),
            Self::BadSecond { offset } => ("bad second", offset),
            Self::LeapSecond { offset } => ("leap second not supported", offset),
            Self::MissingZone { offset } => ("missing time zone", offset),
            Self::BadZone { offset } => ("bad time zone", offset),
            Self::TrailingData { offset } => ("trailing data", offset),
        };
        write!(f, "{what} at byte {offset}")
    }
}

impl core::error::Error for DateError {}

const SECS_PER_DAY: u64 = 86_400;
/// Weekday names, Monday first, space-separated; the first three letters
/// of a name are its abbreviation.
const WEEKDAY_NAMES: &[u8] = b"Monday Tuesday Wednesday Thursday Friday Saturday Sunday";
/// Month names, January first, as [`WEEKDAY_NAMES`].
const MONTH_NAMES: &[u8] =
    b"January February March April May June July August September October November December";
/// Named zones (RFC 2822 §4.3), space-separated, and their offsets from UTC
/// in hours ([`ZONE_HOURS`]).
const ZONE_NAMES: &[u8] = b"GMT UT UTC Z EST EDT CST CDT MST MDT PST PDT";
const ZONE_HOURS: [i8; 12] = [0, 0, 0, 0, -5, -4, -6, -5, -7, -6, -8, -7];

/// The abbreviations of space-separated `names`, each as a little-endian
/// word (its three letters and a zero): the strict parser compares them
/// whole, the writer takes their letters.
// Evaluated at compile time (only for constants): an index out of bounds
// is a build error, never a run-time panic.
#[allow(clippy::indexing_slicing)]
const fn abbreviations<const N: usize>(names: &[u8]) -> [u32; N] {
    let mut out = [0u32; N];
    let mut n = 0;
    let mut i = 0;
    while n < N {
        out[n] = u32::from_le_bytes([names[i], names[i + 1], names[i + 2], 0]);
        n += 1;
        while i < names.len() && names[i] != b' ' {
            i += 1;
        }
        i += 1;
    }
    out
}

/// `Mon` … `Sun`, as words.
const WEEKDAY_ABBR: [u32; 7] = abbreviations(WEEKDAY_NAMES);
/// `Jan` … `Dec`, as words.
const MONTH_ABBR: [u32; 12] = abbreviations(MONTH_NAMES);

/// The 3-letter abbreviation of entry `i` of a table of them.
fn abbr(words: &[u32], i: usize) -> [u8; 3] {
    let [a, b, c, _] = words.get(i).copied().unwrap_or(0).to_le_bytes();
    [a, b, c]
}

/// Index of `word` among the space-separated `names`, in any case; with
/// `abbreviated`, a name's first three letters match it too.
fn find(word: &[u8], names: &[u8], abbreviated: bool) -> Option<usize> {
    names.split(|&b| b == b' ').position(|name| {
        word.eq_ignore_ascii_case(name)
            || (abbreviated && name.get(..3).is_some_and(|a| word.eq_ignore_ascii_case(a)))
    })
}

// Calendar arithmetic is in u32 (years <= 9999, days < 2^22): on 32-bit
// microcontrollers a u64 division pulls ~0.9 KB of compiler-builtins in.
fn is_leap(y: u32) -> bool {
    y.is_multiple_of(4) && (!y.is_multiple_of(100) || y.is_multiple_of(400))
}

fn days_in_month(y: u32, m: u32) -> u32 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 (Hinnant); requires `y >= 1970`, `m` in 1..=12.
const fn days_from_civil(y: u32, m: u32, d: u32) -> u32 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y / 400;
    let yoe = y - era * 400;
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// (year, month, day) from days since 1970-01-01 (Hinnant).
const fn civil_from_days(z: u32) -> (u32, u32, u32) {
    let z = z + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + if m <= 2 { 1 } else { 0 };
    (y, m, d)
}

/// Seconds since the epoch of a validated local date-time.
fn local_secs(y: u32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> u64 {
    u64::from(days_from_civil(y, mo, d)) * SECS_PER_DAY + u64::from(h * 3600 + mi * 60 + s)
}

/// A parsed local date and time, before its zone is applied.
struct Parsed {
    y: u32,
    mo: u32,
    d: u32,
    h: u32,
    mi: u32,
    sec: u32,
}

/// The instant of a parsed local time `t` in a zone `zone` seconds east of
/// UTC (UTC = local time - offset), checked as both parsers check it: years
/// 1970 to 9999, the day within its month (`day_at`: the day's offset),
/// nothing before the epoch.
fn utc(t: Parsed, zone: i32, day_at: usize) -> Result<Timestamp, DateError> {
    let Parsed {
        y,
        mo,
        d,
        h,
        mi,
        sec,
    } = t;
    if !(1970..=9999).contains(&y) {
        return Err(DateError::OutOfRange);
    }
    if d == 0 || d > days_in_month(y, mo) {
        return Err(DateError::BadDay { offset: day_at });
    }
    let local = local_secs(y, mo, d, h, mi, sec);
    let offset = u64::from(zone.unsigned_abs());
    if zone >= 0 {
        local.checked_sub(offset)
    } else {
        Some(local + offset) // local < 2^38: no overflow
    }
    .and_then(Timestamp::from_unix)
    .ok_or(DateError::OutOfRange)
}

/// The two decimal digits of `n < 100` (callers pass calendar fields).
fn two_digits(n: u8) -> [u8; 2] {
    let tens = n / 10;
    [b'0'.wrapping_add(tens), b'0'.wrapping_add(n - 10 * tens)]
}

/// Byte cursor over the input; every position it reports is an input offset.
struct Cursor<'a> {
    s: &'a [u8],
    i: usize,
}

impl<'a> Cursor<'a> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    /// Consumes the longest run of bytes matching `f`; returns its start and bytes.
    fn run(&mut self, f: fn(&u8) -> bool) -> (usize, &'a [u8]) {
        let start = self.i;
        let rest = self.s.get(start..).unwrap_or_default();
        let n = rest.iter().take_while(|b| f(b)).count();
        self.i = start.saturating_add(n);
        (start, rest.get(..n).unwrap_or_default())
    }

    fn ws(&mut self) -> usize {
        self.run(u8::is_ascii_whitespace).1.len()
    }

    /// Requires at least one whitespace byte, then skips the rest.
    fn sep(&mut self) -> Result<(), DateError> {
        let at = self.i;
        match self.ws() {
            _ if self.peek().is_none() => Err(DateError::UnexpectedEnd),
            0 => Err(DateError::MissingSpace { offset: at }),
            _ => Ok(()),
        }
    }

    /// A run of `min..=max` ASCII digits and its value.
    fn digits(
        &mut self,
        min: usize,
        max: usize,
        err: fn(usize) -> DateError,
    ) -> Result<(usize, u32), DateError> {
        if self.peek().is_none() {
            return Err(DateError::UnexpectedEnd);
        }
        let (at, d) = self.run(u8::is_ascii_digit);
        if d.len() < min || d.len() > max {
            return Err(err(at));
        }
        let v = d.iter().fold(0u32, |a, &b| {
            a.saturating_mul(10).saturating_add(u32::from(b & 0x0f))
        });
        Ok((at, v))
    }

    /// Consumes `b` if it is next; `UnexpectedEnd` at the end, `err` otherwise.
    fn byte(&mut self, b: u8, err: fn(usize) -> DateError) -> Result<(), DateError> {
        match self.peek() {
            None => Err(DateError::UnexpectedEnd),
            Some(c) if c == b => {
                self.i = self.i.saturating_add(1);
                Ok(())
            }
            Some(_) => Err(err(self.i)),
        }
    }

    /// The zone's offset from UTC in seconds (at most a day either way: an
    /// `i32`, no 64-bit arithmetic on 32-bit cores).
    fn zone(&mut self) -> Result<i32, DateError> {
        let at = self.i;
        let bad = DateError::BadZone { offset: at };
        let sign = match self.peek() {
            None => return Err(DateError::MissingZone { offset: at }),
            Some(b'+') => 1,
            Some(b'-') => -1,
            Some(_) => {
                let (_, w) = self.run(u8::is_ascii_alphabetic);
                return find(w, ZONE_NAMES, false)
                    .and_then(|i| ZONE_HOURS.get(i))
                    .map(|&h| i32::from(h) * 3600)
                    .ok_or(bad);
            }
        };
        self.i = self.i.saturating_add(1);
        let (_, hhmm) = self
            .digits(4, 4, |o| DateError::BadZone { offset: o })
            .map_err(|_| bad)?;
        let (hh, mm) = (hhmm / 100, hhmm % 100);
        if hh > 23 || mm > 59 {
            return Err(bad);
        }
        // `hh <= 23` and `mm <= 59`: the casts cannot lose data.
        Ok(sign * (hh as i32 * 3600 + mm as i32 * 60))
    }
}

impl Timestamp {
    /// 1970-01-01T00:00:00Z, the smallest instant.
    ///
    /// ```
    /// use confpart::wire::date::Timestamp;
    /// assert_eq!(Timestamp::EPOCH.unix(), 0);
    /// ```
    pub const EPOCH: Self = Self(0);

    /// The largest supported instant, 9999-12-31T23:59:59Z.
    pub const MAX_UNIX: u64 =
        days_from_civil(9999, 12, 31) as u64 * SECS_PER_DAY + SECS_PER_DAY - 1;

    /// Wraps seconds since the Unix epoch; `None` past [`Self::MAX_UNIX`].
    ///
    /// ```
    /// use confpart::wire::date::Timestamp;
    /// assert_eq!(Timestamp::from_unix(0).map(|t| t.to_civil().year), Some(1970));
    /// assert!(Timestamp::from_unix(Timestamp::MAX_UNIX + 1).is_none());
    /// ```
    pub const fn from_unix(secs: u64) -> Option<Self> {
        if secs <= Self::MAX_UNIX {
            Some(Self(secs))
        } else {
            None
        }
    }

    /// Seconds since the Unix epoch.
    pub const fn unix(self) -> u64 {
        self.0
    }

    /// Builds a timestamp from a UTC date and time.
    ///
    /// Years outside 1970..=9999 give [`DateError::OutOfRange`]; other bad
    /// fields give [`DateError::InvalidCivil`].
    ///
    /// ```
    /// use confpart::wire::date::{CivilField, DateError, Timestamp};
    /// assert_eq!(Timestamp::from_civil(2011, 2, 18, 21, 7, 19)?.unix(), 1_298_063_239);
    /// assert_eq!(
    ///     Timestamp::from_civil(2023, 2, 29, 0, 0, 0),
    ///     Err(DateError::InvalidCivil { field: CivilField::Day })
    /// );
    /// # Ok::<(), DateError>(())
    /// ```
    pub fn from_civil(
        year: u16,
        month: u8,
        day: u8,
        hour: u8,
        minute: u8,
        second: u8,
    ) -> Result<Self, DateError> {
        let (y, mo, d) = (u32::from(year), u32::from(month), u32::from(day));
        let bad = |field| Err(DateError::InvalidCivil { field });
        if !(1970..=9999).contains(&y) {
            return Err(DateError::OutOfRange);
        }
        if !(1..=12).contains(&mo) {
            return bad(CivilField::Month);
        }
        if d == 0 || d > days_in_month(y, mo) {
            return bad(CivilField::Day);
        }
        if hour > 23 {
            return bad(CivilField::Hour);
        }
        if minute > 59 {
            return bad(CivilField::Minute);
        }
        if second > 59 {
            return bad(CivilField::Second);
        }
        let (h, mi, s) = (u32::from(hour), u32::from(minute), u32::from(second));
        Ok(Self(local_secs(y, mo, d, h, mi, s)))
    }

    /// Breaks the timestamp down into UTC calendar fields.
    ///
    /// ```
    /// use confpart::wire::date::Timestamp;
    /// let c = Timestamp::from_civil(2024, 2, 29, 12, 0, 0)?.to_civil();
    /// assert_eq!((c.year, c.month, c.day, c.weekday), (2024, 2, 29, 3)); // Thursday
    /// # Ok::<(), confpart::wire::date::DateError>(())
    /// ```
    pub fn to_civil(self) -> Civil {
        // 86_400 = 128 * 675 and `self.0 <= MAX_UNIX < 2^38`, so the day
        // count comes from a u32 division (no u64 division on 32-bit cores).
        let days = u32::try_from(self.0 >> 7).unwrap_or(u32::MAX) / 675;
        let rem = u32::try_from(self.0 - u64::from(days) * SECS_PER_DAY).unwrap_or(0);
        let (y, m, d) = civil_from_days(days);
        Civil {
            year: u16::try_from(y).unwrap_or(u16::MAX),
            month: m as u8,
            day: d as u8,
            hour: (rem / 3600) as u8,
            minute: (rem / 60 % 60) as u8,
            second: (rem % 60) as u8,
            weekday: ((days + 3) % 7) as u8, // 1970-01-01 was a Thursday
        }
    }

    /// Parses an RFC 2822 date, leniently.
    ///
    /// Accepts surrounding whitespace, an optional (unchecked) weekday name
    /// followed by `,`, 3-letter or full English month names (and `Sept`),
    /// 4-digit or obsolete 2-digit years (`< 50` → 20xx, else 19xx), `HH:MM` or
    /// `HH:MM:SS`, and a required zone: `±HHMM`, `GMT`, `UT`, `UTC`, `Z` or the
    /// obsolete US zones (`EST` … `PDT`). The result is converted to UTC.
    ///
    /// ```
    /// use confpart::wire::date::{DateError, Timestamp};
    /// let a = Timestamp::parse(b"Thursday, 1 Sept 2011 10:00 GMT")?;
    /// let b = Timestamp::parse(b"01 Sep 11 11:00:00 +0100")?;
    /// assert_eq!(a, b);
    /// assert_eq!(
    ///     Timestamp::parse(b"18 Feb 2011 21:07:19"),
    ///     Err(DateError::MissingZone { offset: 20 })
    /// );
    /// # Ok::<(), DateError>(())
    /// ```
    pub fn parse(s: &[u8]) -> Result<Self, DateError> {
        use DateError as E;
        let mut p = Cursor { s, i: 0 };
        p.ws();
        if p.peek().is_some_and(|b| b.is_ascii_alphabetic()) {
            let (at, w) = p.run(u8::is_ascii_alphabetic);
            find(w, WEEKDAY_NAMES, true).ok_or(E::BadWeekday { offset: at })?;
            p.ws();
            p.byte(b',', |offset| E::MissingComma { offset })?;
            p.ws();
        }
        let (day_at, d) = p.digits(1, 2, |offset| E::BadDay { offset })?;
        p.sep()?;
        let (month_at, w) = p.run(u8::is_ascii_alphabetic);
        let mo = find(w, MONTH_NAMES, true)
            .or_else(|| w.eq_ignore_ascii_case(b"Sept").then_some(8))
            .ok_or(E::BadMonth { offset: month_at })?;
        let mo = u32::try_from(mo).unwrap_or(u32::MAX).saturating_add(1);
        p.sep()?;
        let (year_at, y) = p.digits(2, 4, |offset| E::BadYear { offset })?;
        let y = match p.i.saturating_sub(year_at) {
            2 if y < 50 => y.saturating_add(2000),
            2 => y.saturating_add(1900),
            4 => y,
            _ => return Err(E::BadYear { offset: year_at }),
        };
        p.sep()?;
        let (at, h) = p.digits(1, 2, |offset| E::BadHour { offset })?;
        if h > 23 {
            return Err(E::BadHour { offset: at });
        }
        p.byte(b':', |offset| E::BadMinute { offset })?;
        let (at, mi) = p.digits(2, 2, |offset| E::BadMinute { offset })?;
        if mi > 59 {
            return Err(E::BadMinute { offset: at });
        }
        let mut sec = 0;
        if p.peek() == Some(b':') {
            p.i = p.i.saturating_add(1);
            let (at, s) = p.digits(2, 2, |offset| E::BadSecond { offset })?;
            match s {
                60 => return Err(E::LeapSecond { offset: at }),
                61.. => return Err(E::BadSecond { offset: at }),
                _ => sec = s,
            }
        }
        p.ws();
        let zone = p.zone()?;
        p.ws();
        if p.peek().is_some() {
            return Err(E::TrailingData { offset: p.i });
        }
        utc(
            Parsed {
                y,
                mo,
                d,
                h,
                mi,
                sec,
            },
            zone,
            day_at,
        )
    }

    /// Writes the strict form, e.g. `"Fri, 01 Feb 2011 21:07:19 +0000"`, into
    /// `out` and returns it as a `&str` (no `core::fmt` involved).
    ///
    /// ```
    /// use confpart::wire::date::{RFC2822_LEN, Timestamp};
    /// let mut buf = [0u8; RFC2822_LEN];
    /// let t = Timestamp::from_unix(0).unwrap();
    /// assert_eq!(t.write_rfc2822(&mut buf), "Thu, 01 Jan 1970 00:00:00 +0000");
    /// ```
    pub fn write_rfc2822(self, out: &mut [u8; RFC2822_LEN]) -> &str {
        *out = self.rfc2822();
        core::str::from_utf8(out.as_slice()).unwrap_or_default()
    }

    /// The strict form as bytes (ASCII), for writers that need no `&str`.
    pub(crate) fn rfc2822(self) -> [u8; RFC2822_LEN] {
        let c = self.to_civil();
        let [w0, w1, w2] = abbr(&WEEKDAY_ABBR, usize::from(c.weekday));
        let [m0, m1, m2] = abbr(&MONTH_ABBR, usize::from(c.month).wrapping_sub(1));
        let [d0, d1] = two_digits(c.day);
        let [y0, y1] = two_digits((c.year / 100 % 100) as u8);
        let [y2, y3] = two_digits((c.year % 100) as u8);
        let [h0, h1] = two_digits(c.hour);
        let [n0, n1] = two_digits(c.minute);
        let [s0, s1] = two_digits(c.second);
        [
            w0, w1, w2, b',', b' ', d0, d1, b' ', m0, m1, m2, b' ', y0, y1, y2, y3, b' ', h0, h1,
            b':', n0, n1, b':', s0, s1, b' ', b'+', b'0', b'0', b'0', b'0',
        ]
    }
}

/// The strict form every service writes, `Fri, 18 Feb 2011 21:07:19 +0000`,
/// read at fixed positions, as seconds since the epoch; `None` for anything
/// else (then the lenient [`Timestamp::parse`] decides, with the same
/// result for this form). It only accepts plain ASCII (letters, digits,
/// ` ,:+`): a JSON reader may take it from the document in place.
pub(crate) fn strict_unix(b: &[u8]) -> Option<u64> {
    // Word-at-a-time (SWAR) on four overlapping 8-byte loads of the 31
    // bytes: the fixed punctuation by one masked compare per word, the
    // twelve digits in their lanes, pairs of digits combined in-lane.
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    const TEMPLATE: &[u8; RFC2822_LEN] = b"Mon, 00 Jan 0000 00:00:00 +0000";
    const fn w(b: &[u8], at: usize) -> u64 {
        match b.split_at_checked(at) {
            Some((_, rest)) => match rest.first_chunk::<8>() {
                Some(c) => u64::from_le_bytes(*c),
                None => 0,
            },
            None => 0,
        }
    }
    // Per word: where it starts, its fixed lanes, the template's bytes in
    // them, and its digit lanes.
    const fn word(at: usize, fixed: u64, digits: u64) -> (usize, u64, u64, u64) {
        (at, fixed, w(TEMPLATE, at) & fixed, digits)
    }
    const WORDS: [(usize, u64, u64, u64); 4] = [
        word(0, 0xff00_00ff_ff00_0000, 0x00ff_ff00_0000_0000),
        word(8, 0x0000_0000_ff00_0000, 0xffff_ffff_0000_0000),
        word(16, 0x00ff_0000_ff00_00ff, 0x0000_ffff_00ff_ff00),
        word(23, 0xffff_ffff_ffff_0000, 0x0000_0000_0000_ffff),
    ];
    let b: &[u8; RFC2822_LEN] = b.try_into().ok()?;
    // Each digit lane as its value (`c ^ b'0'` is 0..=9 only for a digit);
    // a lane of 10 or more (or with its high bit) is not a digit.
    let mut bad = 0;
    let mut pairs = [0u64; 4];
    for (pair, &(at, fixed, expect, digits)) in pairs.iter_mut().zip(&WORDS) {
        let v = w(b, at);
        let y = (v ^ (LO * u64::from(b'0'))) & digits;
        bad |= (v & fixed) ^ expect;
        bad |= (((y & !HI) + LO * 0x76) | y) & HI & digits;
        // Lane i becomes 10 * lane i + lane i + 1 (at most 99: no carry).
        *pair = y.wrapping_mul(10).wrapping_add(y >> 8);
    }
    if bad != 0 {
        return None;
    }
    let [p0, p1, p2, p3] = pairs;
    let lane = |p: u64, i: u32| (p >> (8 * i)) as u8;
    let [d0, d1, d2, _, _, _, _, _, m0, m1, m2, ..] = *b;
    let day = u32::from_le_bytes([d0, d1, d2, 0]);
    if !WEEKDAY_ABBR.contains(&day) {
        return None;
    }
    let m = u32::from_le_bytes([m0, m1, m2, 0]);
    let month = MONTH_ABBR.iter().position(|&x| x == m)?;
    let year = u16::from(lane(p1, 4)) * 100 + u16::from(lane(p1, 6));
    Timestamp::from_civil(
        year,
        month as u8 + 1,
        lane(p0, 5),
        lane(p2, 1),
        lane(p2, 4),
        lane(p3, 0),
    )
    .ok()
    .map(Timestamp::unix)
}

#[cfg(feature = "serde")]
impl serde::Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut buf = [0u8; RFC2822_LEN];
        serializer.serialize_str(self.write_rfc2822(&mut buf))
    }
}

#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for Timestamp {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Timestamp;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an RFC 2822 date")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Timestamp, E> {
                Timestamp::parse(v.as_bytes())
                    .map_err(|_| E::invalid_value(serde::de::Unexpected::Str(v), &self))
            }
            fn visit_borrowed_str<E: serde::de::Error>(self, v: &str) -> Result<Timestamp, E> {
                self.visit_str(v)
            }
        }
        deserializer.deserialize_str(Visitor)
    }
}

/// Length of the ISO 8601 form [`Timestamp::write_iso8601`] writes,
/// `2026-12-07T08:00:00Z`.
pub const ISO8601_LEN: usize = 20;

// ISO 8601 (the RFC 3339 profile): Telnyx's callback `Timestamp`.
impl Timestamp {
    /// Writes the UTC form `2026-12-07T08:00:00Z` into `out` and returns it.
    ///
    /// ```
    /// use confpart::wire::date::{ISO8601_LEN, Timestamp};
    /// let mut buf = [0u8; ISO8601_LEN];
    /// let t = Timestamp::from_civil(2026, 12, 7, 8, 0, 0)?;
    /// assert_eq!(t.write_iso8601(&mut buf), "2026-12-07T08:00:00Z");
    /// # Ok::<(), confpart::wire::date::DateError>(())
    /// ```
    pub fn write_iso8601(self, out: &mut [u8; ISO8601_LEN]) -> &str {
        let c = self.to_civil();
        let [y0, y1] = two_digits((c.year / 100 % 100) as u8);
        let [y2, y3] = two_digits((c.year % 100) as u8);
        let [m0, m1] = two_digits(c.month);
        let [d0, d1] = two_digits(c.day);
        let [h0, h1] = two_digits(c.hour);
        let [n0, n1] = two_digits(c.minute);
        let [s0, s1] = two_digits(c.second);
        *out = [
            y0, y1, y2, y3, b'-', m0, m1, b'-', d0, d1, b'T', h0, h1, b':', n0, n1, b':', s0, s1,
            b'Z',
        ];
        core::str::from_utf8(out.as_slice()).unwrap_or_default()
    }

    /// Parses an RFC 3339 date-time: `YYYY-MM-DDTHH:MM:SS` (`T` or `t`), an
    /// optional fraction of a second (dropped), and `Z` or `±HH:MM`; the
    /// result in UTC.
    ///
    /// ```
    /// use confpart::wire::date::{DateError, Timestamp};
    /// let a = Timestamp::parse_iso8601(b"2026-12-07T08:00:00Z")?;
    /// assert_eq!(a, Timestamp::parse_iso8601(b"2026-12-07T09:00:00.250+01:00")?);
    /// assert_eq!(a, Timestamp::from_civil(2026, 12, 7, 8, 0, 0)?);
    /// assert_eq!(Timestamp::parse_iso8601(b"2026-12-07T08:00:00"),
    ///     Err(DateError::UnexpectedEnd));
    /// assert_eq!(Timestamp::parse_iso8601(b"2026-13-07T08:00:00Z"),
    ///     Err(DateError::BadMonth { offset: 5 }));
    /// # Ok::<(), DateError>(())
    /// ```
    pub fn parse_iso8601(s: &[u8]) -> Result<Self, DateError> {
        use DateError as E;
        let mut p = Cursor { s, i: 0 };
        let (_, y) = p.digits(4, 4, |offset| E::BadYear { offset })?;
        p.byte(b'-', |offset| E::BadMonth { offset })?;
        let (month_at, mo) = p.digits(2, 2, |offset| E::BadMonth { offset })?;
        if !(1..=12).contains(&mo) {
            return Err(E::BadMonth { offset: month_at });
        }
        p.byte(b'-', |offset| E::BadDay { offset })?;
        let (day_at, d) = p.digits(2, 2, |offset| E::BadDay { offset })?;
        match p.peek() {
            Some(b'T' | b't') => p.i = p.i.saturating_add(1),
            None => return Err(E::UnexpectedEnd),
            Some(_) => return Err(E::BadHour { offset: p.i }),
        }
        let (at, h) = p.digits(2, 2, |offset| E::BadHour { offset })?;
        if h > 23 {
            return Err(E::BadHour { offset: at });
        }
        p.byte(b':', |offset| E::BadMinute { offset })?;
        let (at, mi) = p.digits(2, 2, |offset| E::BadMinute { offset })?;
        if mi > 59 {
            return Err(E::BadMinute { offset: at });
        }
        p.byte(b':', |offset| E::BadSecond { offset })?;
        let (at, sec) = p.digits(2, 2, |offset| E::BadSecond { offset })?;
        match sec {
            60 => return Err(E::LeapSecond { offset: at }),
            61.. => return Err(E::BadSecond { offset: at }),
            _ => {}
        }
        if p.peek() == Some(b'.') {
            p.i = p.i.saturating_add(1);
            p.digits(1, 9, |offset| E::BadSecond { offset })?;
        }
        let zone_at = p.i;
        let zone: i32 = match p.peek() {
            None => return Err(E::UnexpectedEnd),
            Some(b'Z' | b'z') => {
                p.i = p.i.saturating_add(1);
                0
            }
            Some(sign @ (b'+' | b'-')) => {
                p.i = p.i.saturating_add(1);
                let bad = |offset| E::BadZone { offset };
                let (_, hh) = p.digits(2, 2, bad)?;
                p.byte(b':', bad)?;
                let (_, mm) = p.digits(2, 2, bad)?;
                if hh > 23 || mm > 59 {
                    return Err(E::BadZone { offset: zone_at });
                }
                // `hh <= 23` and `mm <= 59`: the casts cannot lose data.
                let secs = hh as i32 * 3600 + mm as i32 * 60;
                if sign == b'-' { -secs } else { secs }
            }
            Some(_) => return Err(E::BadZone { offset: zone_at }),
        };
        if p.peek().is_some() {
            return Err(E::TrailingData { offset: p.i });
        }
        utc(
            Parsed {
                y,
                mo,
                d,
                h,
                mi,
                sec,
            },
            zone,
            day_at,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The lenient parser as it was before its tables were packed
    /// (issue 17): the model of which dates are accepted, and of every
    /// error and offset.
    mod model {
        use super::super::*;

        /// Weekday names, Monday first; the first three letters are the abbreviation.
        #[rustfmt::skip]
        const WEEKDAYS: [&[u8]; 7] =
            [b"Monday", b"Tuesday", b"Wednesday", b"Thursday", b"Friday", b"Saturday", b"Sunday"];
        /// Month names, January first; the first three letters are the abbreviation.
        #[rustfmt::skip]
        const MONTHS: [&[u8]; 12] = [
            b"January", b"February", b"March", b"April", b"May", b"June",
            b"July", b"August", b"September", b"October", b"November", b"December",
        ];
        /// Named zones and their offsets from UTC in minutes (RFC 2822 §4.3);
        /// `i16` minutes keep an entry at 12 bytes on a 32-bit target (16 with `i64`).
        #[rustfmt::skip]
        const ZONES: [(&[u8], i16); 12] = [
            (b"GMT", 0), (b"UT", 0), (b"UTC", 0), (b"Z", 0),
            (b"EST", -300), (b"EDT", -240), (b"CST", -360), (b"CDT", -300),
            (b"MST", -420), (b"MDT", -360), (b"PST", -480), (b"PDT", -420),
        ];

        /// Index of `word` in a name table, as full name or 3-letter abbreviation.
        fn lookup(word: &[u8], names: &[&[u8]]) -> Option<usize> {
            names.iter().position(|name| {
                word.eq_ignore_ascii_case(name)
                    || name
                        .first_chunk::<3>()
                        .is_some_and(|a| word.eq_ignore_ascii_case(a))
            })
        }

        /// The zone's offset from UTC in seconds.
        fn zone(p: &mut Cursor<'_>) -> Result<i64, DateError> {
            let at = p.i;
            let bad = DateError::BadZone { offset: at };
            let sign = match p.peek() {
                None => return Err(DateError::MissingZone { offset: at }),
                Some(b'+') => 1,
                Some(b'-') => -1,
                Some(_) => {
                    let (_, w) = p.run(u8::is_ascii_alphabetic);
                    return ZONES
                        .iter()
                        .find(|(name, _)| w.eq_ignore_ascii_case(name))
                        .map(|&(_, min)| i64::from(min) * 60)
                        .ok_or(bad);
                }
            };
            p.i = p.i.saturating_add(1);
            let (_, hhmm) = p
                .digits(4, 4, |o| DateError::BadZone { offset: o })
                .map_err(|_| bad)?;
            let (hh, mm) = (hhmm / 100, hhmm % 100);
            if hh > 23 || mm > 59 {
                return Err(bad);
            }
            Ok(sign * (hh as i64 * 3600 + mm as i64 * 60))
        }

        pub(super) fn parse(s: &[u8]) -> Result<Timestamp, DateError> {
            use DateError as E;
            let mut p = Cursor { s, i: 0 };
            p.ws();
            if p.peek().is_some_and(|b| b.is_ascii_alphabetic()) {
                let (at, w) = p.run(u8::is_ascii_alphabetic);
                lookup(w, &WEEKDAYS).ok_or(E::BadWeekday { offset: at })?;
                p.ws();
                p.byte(b',', |offset| E::MissingComma { offset })?;
                p.ws();
            }
            let (day_at, d) = p.digits(1, 2, |offset| E::BadDay { offset })?;
            p.sep()?;
            let (month_at, w) = p.run(u8::is_ascii_alphabetic);
            let mo = lookup(w, &MONTHS)
                .or_else(|| w.eq_ignore_ascii_case(b"Sept").then_some(8))
                .ok_or(E::BadMonth { offset: month_at })?;
            let mo = u32::try_from(mo).unwrap_or(u32::MAX).saturating_add(1);
            p.sep()?;
            let (year_at, y) = p.digits(2, 4, |offset| E::BadYear { offset })?;
            let y = match p.i.saturating_sub(year_at) {
                2 if y < 50 => y.saturating_add(2000),
                2 => y.saturating_add(1900),
                4 => y,
                _ => return Err(E::BadYear { offset: year_at }),
            };
            p.sep()?;
            let (at, h) = p.digits(1, 2, |offset| E::BadHour { offset })?;
            if h > 23 {
                return Err(E::BadHour { offset: at });
            }
            p.byte(b':', |offset| E::BadMinute { offset })?;
            let (at, mi) = p.digits(2, 2, |offset| E::BadMinute { offset })?;
            if mi > 59 {
                return Err(E::BadMinute { offset: at });
            }
            let mut sec = 0;
            if p.peek() == Some(b':') {
                p.i = p.i.saturating_add(1);
                let (at, s) = p.digits(2, 2, |offset| E::BadSecond { offset })?;
                match s {
                    60 => return Err(E::LeapSecond { offset: at }),
                    61.. => return Err(E::BadSecond { offset: at }),
                    _ => sec = s,
                }
            }
            p.ws();
            let zone = zone(&mut p)?;
            p.ws();
            if p.peek().is_some() {
                return Err(E::TrailingData { offset: p.i });
            }
            if !(1970..=9999).contains(&y) {
                return Err(E::OutOfRange);
            }
            if d == 0 || d > days_in_month(y, mo) {
                return Err(E::BadDay { offset: day_at });
            }
            let local = local_secs(y, mo, d, h, mi, sec) as i64; // < 2^38, fits
            u64::try_from(local.saturating_sub(zone))
                .ok()
                .and_then(Timestamp::from_unix)
                .ok_or(E::OutOfRange)
        }
    }

    fn p(s: &str) -> Result<u64, DateError> {
        Timestamp::parse(s.as_bytes()).map(Timestamp::unix)
    }

    const FEB18: u64 = 1_298_063_239; // Fri, 18 Feb 2011 21:07:19 +0000

    #[test]
    fn accepted_forms() {
        let sep1 = p("1 Sep 2011 00:00 GMT");
        for (s, want) in [
            ("Fri, 18 Feb 2011 21:07:19 +0000", Ok(FEB18)),
            ("18 Feb 2011 21:07:19 +0000", Ok(FEB18)),
            (
                "  fri ,18   FEBRUARY  2011\t21:07:19   -0000 \r\n",
                Ok(FEB18),
            ),
            ("Friday, 18 Feb 2011 21:07:19 GMT", Ok(FEB18)),
            ("Mon, 18 Feb 2011 21:07:19 UTC", Ok(FEB18)), // weekday unchecked
            ("18 Feb 2011 22:07:19 +0100", Ok(FEB18)),
            ("18 Feb 2011 16:37:19 -0430", Ok(FEB18)),
            ("18 Feb 2011 16:07:19 EST", Ok(FEB18)),
            ("18 Feb 11 21:07:19 Z", Ok(FEB18)),
            ("18 Feb 2011 21:07:19+0000", Ok(FEB18)),
            ("18 Feb 2011 21:07 ut", Ok(FEB18 - 19)),
            ("Thursday, 1 Sept 2011 00:00:00 +0000", sep1),
            ("1 september 2011 00:00 GMT", sep1),
            ("1 Jan 99 00:00 GMT", Ok(915_148_800)),
            ("1 Jan 1970 01:00 +0100", Ok(0)),
            ("31 Dec 9999 23:59:59 +0000", Ok(253_402_300_799)),
        ] {
            assert_eq!(p(s), want, "{s:?}");
        }
        assert_eq!(sep1, Ok(1_314_835_200));
        assert_eq!(Timestamp::MAX_UNIX, 253_402_300_799);
    }

    #[test]
    fn leap_years() {
        assert!(p("29 Feb 2024 00:00 GMT").is_ok());
        assert!(p("29 Feb 2000 00:00 GMT").is_ok());
        let bad_day = |offset| Err(DateError::BadDay { offset });
        assert_eq!(p("29 Feb 2023 00:00 GMT"), bad_day(0));
        assert_eq!(p("Sun, 29 Feb 2100 00:00 GMT"), bad_day(5));
        assert_eq!(p("31 Apr 2024 00:00 GMT"), bad_day(0));
        assert_eq!(p("29 Feb 1900 00:00 GMT"), Err(DateError::OutOfRange));
        let e = Err(DateError::InvalidCivil {
            field: CivilField::Day,
        });
        assert_eq!(Timestamp::from_civil(2023, 2, 29, 0, 0, 0), e);
        assert!(Timestamp::from_civil(2024, 2, 29, 0, 0, 0).is_ok());
    }

    #[test]
    fn errors() {
        use DateError::*;
        for (s, want) in [
            ("", UnexpectedEnd),
            ("  Fri,", UnexpectedEnd),
            ("18 Feb 2011 21:", UnexpectedEnd),
            ("Fry, 18 Feb 2011 21:07 GMT", BadWeekday { offset: 0 }),
            ("Fri 18 Feb 2011 21:07 GMT", MissingComma { offset: 4 }),
            ("18Feb 2011 21:07 GMT", MissingSpace { offset: 2 }),
            ("118 Feb 2011 21:07 GMT", BadDay { offset: 0 }),
            ("0 Feb 2011 21:07 GMT", BadDay { offset: 0 }),
            ("18 Fbr 2011 21:07 GMT", BadMonth { offset: 3 }),
            ("18 2011 21:07 GMT", BadMonth { offset: 3 }),
            ("18 Feb 201 21:07 GMT", BadYear { offset: 7 }),
            ("18 Feb 20111 21:07 GMT", BadYear { offset: 7 }),
            ("18 Feb 2011 24:07 GMT", BadHour { offset: 12 }),
            ("18 Feb 2011 x:07 GMT", BadHour { offset: 12 }),
            ("18 Feb 2011 21.07 GMT", BadMinute { offset: 14 }),
            ("18 Feb 2011 21:60 GMT", BadMinute { offset: 15 }),
            ("18 Feb 2011 21:7 GMT", BadMinute { offset: 15 }),
            ("18 Feb 2011 21:07:61 GMT", BadSecond { offset: 18 }),
            ("18 Feb 2011 21:07:1 GMT", BadSecond { offset: 18 }),
            ("18 Feb 2011 21:07:60 GMT", LeapSecond { offset: 18 }),
            ("18 Feb 2011 21:07:19  ", MissingZone { offset: 22 }),
            ("18 Feb 2011 21:07 +000", BadZone { offset: 18 }),
            ("18 Feb 2011 21:07 +", BadZone { offset: 18 }),
            ("18 Feb 2011 21:07 +0060", BadZone { offset: 18 }),
            ("18 Feb 2011 21:07 +2400", BadZone { offset: 18 }),
            ("18 Feb 2011 21:07 GMTX", BadZone { offset: 18 }),
            ("18 Feb 2011 21:07 ?", BadZone { offset: 18 }),
            ("18 Feb 2011 21:07 GMT (UTC)", TrailingData { offset: 22 }),
            ("1 Jan 1969 23:59 GMT", OutOfRange),
            ("1 Jan 69 23:59 GMT", OutOfRange),
            ("1 Jan 1970 00:59 +0100", OutOfRange),
            ("31 Dec 9999 23:59 -0100", OutOfRange),
        ] {
            assert_eq!(p(s), Err(want), "{s:?}");
        }
        let civ = |field| Err(InvalidCivil { field });
        let fc = Timestamp::from_civil;
        assert_eq!(fc(1969, 1, 1, 0, 0, 0), Err(OutOfRange));
        assert_eq!(fc(10000, 1, 1, 0, 0, 0), Err(OutOfRange));
        assert_eq!(fc(2000, 13, 1, 0, 0, 0), civ(CivilField::Month));
        assert_eq!(fc(2000, 1, 0, 0, 0, 0), civ(CivilField::Day));
        assert_eq!(fc(2000, 1, 1, 24, 0, 0), civ(CivilField::Hour));
        assert_eq!(fc(2000, 1, 1, 0, 60, 0), civ(CivilField::Minute));
        assert_eq!(fc(2000, 1, 1, 0, 0, 60), civ(CivilField::Second));
        assert_eq!(Timestamp::from_unix(Timestamp::MAX_UNIX + 1), None);
    }

    #[test]
    fn write_strict() {
        let mut buf = [0u8; RFC2822_LEN];
        let t = Timestamp::from_civil(2011, 2, 1, 21, 7, 9).unwrap();
        assert_eq!(t.write_rfc2822(&mut buf), "Tue, 01 Feb 2011 21:07:09 +0000");
        let t = Timestamp::from_unix(Timestamp::MAX_UNIX).unwrap();
        assert_eq!(t.write_rfc2822(&mut buf), "Fri, 31 Dec 9999 23:59:59 +0000");
    }

    #[cfg(feature = "serde")]
    #[test]
    fn serde_roundtrip() {
        let t = Timestamp::from_unix(FEB18).unwrap();
        let mut buf = [0u8; 64];
        let n = serde_json_core::to_slice(&t, &mut buf).unwrap();
        assert_eq!(&buf[..n], b"\"Fri, 18 Feb 2011 21:07:19 +0000\"");
        let (back, _) = serde_json_core::from_slice::<Timestamp>(&buf[..n]).unwrap();
        assert_eq!(back, t);
        assert!(serde_json_core::from_slice::<Timestamp>(b"\"18 Feb 2011\"").is_err());
    }

    proptest! {
        #[test]
        fn roundtrip(secs in 0..=Timestamp::MAX_UNIX) {
            let t = Timestamp::from_unix(secs).unwrap();
            let mut buf = [0u8; RFC2822_LEN];
            prop_assert_eq!(Timestamp::parse(t.write_rfc2822(&mut buf).as_bytes()), Ok(t));
            let c = t.to_civil();
            let back = Timestamp::from_civil(c.year, c.month, c.day, c.hour, c.minute, c.second);
            prop_assert_eq!(back, Ok(t));
        }

        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..48)) {
            let _ = Timestamp::parse(&bytes);
        }

        #[test]
        fn arbitrary_strings_never_panic(s in ".{0,48}") {
            let _ = Timestamp::parse(s.as_bytes());
        }

        #[test]
        fn same_as_the_model_near_valid(s in "[ \t]?((Mon|friday|THU|Tues|Xy|sat) ?,)? ?[0-9]{0,3} ?(Feb|sept|SEP|Septe|may|MAY|Qq|december)? ?[0-9]{0,5} [0-9]{0,3}:?[0-9]{0,3}(:[0-9]{0,3})? ?([-+][0-9]{0,5}|[A-Za-z]{0,4}) ?") {
            prop_assert_eq!(Timestamp::parse(s.as_bytes()), model::parse(s.as_bytes()), "{:?}", s);
        }

        #[test]
        fn same_as_the_model_for_zones(zone in "[A-Za-z]{0,4}|[-+][0-9]{0,5}") {
            let s = std::format!("Fri, 18 Feb 2011 21:07:19 {zone}");
            prop_assert_eq!(Timestamp::parse(s.as_bytes()), model::parse(s.as_bytes()), "{:?}", s);
        }

        #[test]
        fn same_as_the_model_for_names(day in "[A-Za-z]{0,10}", month in "[A-Za-z]{0,10}") {
            let s = std::format!("{day}, 1 {month} 2011 21:07 GMT");
            prop_assert_eq!(Timestamp::parse(s.as_bytes()), model::parse(s.as_bytes()), "{:?}", s);
        }

        #[test]
        fn same_as_the_model_any_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..40)) {
            prop_assert_eq!(Timestamp::parse(&bytes), model::parse(&bytes));
        }

        #[test]
        fn strict_same_as_lenient(secs in 0..=Timestamp::MAX_UNIX) {
            let t = Timestamp::from_unix(secs).unwrap();
            prop_assert_eq!(strict_unix(&t.rfc2822()), Some(secs));
        }

        #[test]
        fn iso8601_round_trips(secs in 0..=Timestamp::MAX_UNIX, bytes in proptest::collection::vec(any::<u8>(), 0..32)) {
            let t = Timestamp::from_unix(secs).unwrap();
            let mut buf = [0u8; super::ISO8601_LEN];
            let text = t.write_iso8601(&mut buf);
            prop_assert_eq!(Timestamp::parse_iso8601(text.as_bytes()), Ok(t));
            let _ = Timestamp::parse_iso8601(&bytes);
        }

        #[test]
        fn near_valid_never_panic(s in "[ ]?((Mon|friday|Xy) ?,)? ?[0-9]{0,3} ?(Feb|sept|Qq)? [0-9]{0,5} [0-9]{0,3}:?[0-9]{0,3}(:[0-9]{0,3})? ?[-+]?[0-9A-Z]{0,5} ?") {
            let _ = Timestamp::parse(s.as_bytes());
        }
    }
}
