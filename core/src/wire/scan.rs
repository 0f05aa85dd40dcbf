//! Word-at-a-time byte searches (SWAR, no `unsafe`): the hot loops of the
//! codecs look for a few delimiter bytes in long runs of plain text, a
//! machine word of bytes per step instead of one.
//!
//! Each mask has the high bit set in every byte lane that matches, plus
//! possibly false positives *above* a true match (borrow propagation), so
//! only the lowest set bit is meaningful, which is all a search needs.

/// The word the searches use: the machine's, 8 bytes on 64-bit hosts, 4 on
/// 32-bit microcontrollers (where a `u64` takes two registers and two
/// instructions for each operation: twice the code for the same bytes).
pub(crate) type Word = usize;
/// Bytes in a [`Word`].
pub(crate) const W: usize = core::mem::size_of::<Word>();
/// `0x0101…01`: one in every byte lane.
pub(crate) const LO: Word = Word::MAX / 0xff;
/// `0x8080…80`: the high bit of every byte lane.
pub(crate) const HI: Word = LO << 7;

/// The word of `chunk`'s [`W`] bytes, little-endian (0 if it is shorter).
#[inline(always)]
pub(crate) fn word(chunk: &[u8]) -> Word {
    Word::from_le_bytes(<[u8; W]>::try_from(chunk).unwrap_or([0; W]))
}

/// Lanes equal to `b`.
#[inline(always)]
pub(crate) const fn eq(w: Word, b: u8) -> Word {
    let x = w ^ (LO * b as Word);
    x.wrapping_sub(LO) & !x & HI
}

/// Lanes strictly below `n` (`n <= 0x80`).
#[inline(always)]
pub(crate) const fn below(w: Word, n: u8) -> Word {
    w.wrapping_sub(LO * n as Word) & !w & HI
}

/// Position of the first byte of `hay` that `lanes` (word test) and `hit`
/// (byte test, the same predicate) select.
#[inline(always)]
fn find(hay: &[u8], lanes: impl Fn(Word) -> Word, hit: impl Fn(u8) -> bool) -> Option<usize> {
    let mut chunks = hay.chunks_exact(W);
    let mut base = 0;
    for chunk in chunks.by_ref() {
        let m = lanes(word(chunk));
        if m != 0 {
            return Some(base + (m.trailing_zeros() / 8) as usize);
        }
        base += W;
    }
    chunks
        .remainder()
        .iter()
        .position(|&b| hit(b))
        .map(|p| base + p)
}

/// First `b` in `hay`.
#[inline]
pub(crate) fn byte(hay: &[u8], b: u8) -> Option<usize> {
    find(hay, |w| eq(w, b), |c| c == b)
}

/// First `a` or `b` in `hay`.
#[inline]
pub(crate) fn byte2(hay: &[u8], a: u8, b: u8) -> Option<usize> {
    find(hay, |w| eq(w, a) | eq(w, b), |c| c == a || c == b)
}

/// First `a`, `b` or `c` in `hay`.
#[inline]
pub(crate) fn byte3(hay: &[u8], a: u8, b: u8, c: u8) -> Option<usize> {
    find(
        hay,
        |w| eq(w, a) | eq(w, b) | eq(w, c),
        |x| x == a || x == b || x == c,
    )
}

/// First byte that ends a run of plain JSON string text: `"`, `\`, a control
/// character, or (with `high`) a non-ASCII byte.
#[inline]
pub(crate) fn json_string_stop(hay: &[u8], high: bool) -> Option<usize> {
    let hi = if high { HI } else { 0 };
    find(
        hay,
        |w| eq(w, b'"') | eq(w, b'\\') | below(w, 0x20) | (w & hi),
        |c| c == b'"' || c == b'\\' || c < 0x20 || (high && c >= 0x80),
    )
}

/// First byte of a URL that needs a closer look: a control character or
/// space (`<= 0x20`), DEL, or a non-ASCII byte (a possible Unicode control
/// or white-space character).
#[inline]
pub(crate) fn url_stop(hay: &[u8]) -> Option<usize> {
    find(
        hay,
        |w| below(w, 0x21) | eq(w, 0x7f) | (w & HI),
        |c| c <= 0x20 || c >= 0x7f,
    )
}

/// First byte of a request target that ends it or is not allowed in it:
/// anything outside printable ASCII (`0x21..=0x7e`; SP ends the target)
/// or `#` (a fragment).
#[inline]
pub(crate) fn target_stop(hay: &[u8]) -> Option<usize> {
    find(
        hay,
        |w| below(w, 0x21) | eq(w, 0x7f) | (w & HI) | eq(w, b'#'),
        |c| c <= 0x20 || c >= 0x7f || c == b'#',
    )
}

/// First control character or DEL (`< 0x20` or `0x7f`): where the head
/// scanner's run of plain bytes ends (CR, LF, HTAB and the forbidden
/// controls all need a closer look).
#[inline]
pub(crate) fn ctl_stop(hay: &[u8]) -> Option<usize> {
    find(
        hay,
        |w| below(w, 0x20) | eq(w, 0x7f),
        |c| c < 0x20 || c == 0x7f,
    )
}

/// Whether `c` may not appear in a header field value or a reason phrase
/// (RFC 9110 §5.5, RFC 9112 §4): a control character other than HTAB, or
/// DEL. SP, VCHAR and obs-text (`0x80..=0xff`) may.
#[inline]
pub(crate) const fn field_forbidden(c: u8) -> bool {
    (c < 0x20 && c != b'\t') || c == 0x7f
}

/// First byte of `hay` that [`field_forbidden`] refuses, byte by byte: only
/// run on a head whose scan saw such a byte (see `HeadScan::ctl`).
#[inline]
pub(crate) fn field_stop(hay: &[u8]) -> Option<usize> {
    hay.iter().position(|&c| field_forbidden(c))
}

/// `a == b`, a word per step (short keys and fixed tokens: no `memcmp`
/// call). The last word of a run of a word or more overlaps the previous
/// one.
#[inline]
pub(crate) fn same(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    if n < W {
        if n < 4 {
            return a == b;
        }
        let w4 = |s: &[u8], at: usize| {
            u32::from_le_bytes(
                s.get(at..at + 4)
                    .and_then(|c| <[u8; 4]>::try_from(c).ok())
                    .unwrap_or([0; 4]),
            )
        };
        return w4(a, 0) == w4(b, 0) && w4(a, n - 4) == w4(b, n - 4);
    }
    let mut at = 0;
    while at + W < n {
        if word(a.get(at..at + W).unwrap_or(&[])) != word(b.get(at..at + W).unwrap_or(&[])) {
            return false;
        }
        at += W;
    }
    word(a.get(n - W..).unwrap_or(&[])) == word(b.get(n - W..).unwrap_or(&[]))
}

/// Lanes (high bit) of `w` holding an ASCII hex digit (`0-9`, `a-f`, `A-F`).
#[inline(always)]
const fn hex_lanes(w: Word) -> Word {
    // Lanes below 0x80 only: adding up to 0x50 cannot carry into the next.
    let ascii = !w & HI;
    let v = w & !HI;
    let digit = v.wrapping_add(LO * (0x80 - 0x30)) & !v.wrapping_add(LO * (0x80 - 0x3a));
    let l = v | (LO * 0x20);
    let alpha = l.wrapping_add(LO * (0x80 - 0x61)) & !l.wrapping_add(LO * (0x80 - 0x67));
    (digit | alpha) & ascii & HI
}

/// Whether every byte of `s` is an ASCII hex digit, a word at a time.
#[inline]
pub(crate) fn all_hex(s: &[u8]) -> bool {
    // Lanes accumulated over the words, one test at the end (a SID's 32
    // hex digits are four or eight words).
    let mut chunks = s.chunks_exact(W);
    let mut all = HI;
    for chunk in chunks.by_ref() {
        all &= hex_lanes(word(chunk));
    }
    all == HI && chunks.remainder().iter().all(u8::is_ascii_hexdigit)
}

/// ASCII-case-insensitive equality with `lower`, a lowercase word of at most
/// eight letters: `x | 0x20` equals a lowercase letter exactly when `x` is
/// that letter in either case, so the comparison is one OR and one compare.
#[inline(always)]
pub(crate) fn eq_letters(v: &[u8], lower: &[u8]) -> bool {
    let word = |s: &[u8]| {
        let mut w = [0u8; 8];
        for (d, b) in w.iter_mut().zip(s) {
            *d = *b;
        }
        u64::from_le_bytes(w)
    };
    // Only the lanes of the word's length: padding stays 0 on both sides.
    let mask = u64::MAX
        .checked_shr(8 * (8 - lower.len().min(8)) as u32)
        .unwrap_or(0);
    v.len() == lower.len() && (word(v) | (0x2020_2020_2020_2020 & mask)) == word(lower)
}

/// True for bytes a form component keeps as they are (WHATWG's
/// `application/x-www-form-urlencoded` set: alphanumerics and `*-._`).
const fn is_form_safe(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'*' | b'-' | b'.' | b'_')
}

/// `is_form_safe` as a table: one load per byte in the run scan. ASCII
/// only (128 entries, not 256): a byte from 128 up falls outside, and the
/// lookup's `None` already says "not safe".
// Evaluated at compile time: an index out of bounds is a build error, never
// a run-time panic.
#[allow(clippy::indexing_slicing)]
const SAFE: [bool; 128] = {
    let mut t = [false; 128];
    let mut b = 0;
    while b < 128 {
        t[b] = is_form_safe(b as u8);
        b += 1;
    }
    t
};

/// Length of the run of bytes at the start of `s` that encoding keeps.
#[inline(always)]
pub(crate) fn form_safe_run(s: &[u8]) -> usize {
    s.iter()
        .position(|&b| !SAFE.get(usize::from(b)).copied().unwrap_or(false))
        .unwrap_or(s.len())
}

/// Length of `s` form-encoded: one byte for each byte kept and for a space
/// (`+`), three for each `%XX`.
pub(crate) fn form_encoded_len(s: &str) -> usize {
    let escaped = s
        .bytes()
        .filter(|&b| b != b' ' && !SAFE.get(usize::from(b)).copied().unwrap_or(false))
        .count();
    s.len() + 2 * escaped
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn same_as_position(hay in proptest::collection::vec(any::<u8>(), 0..40), a: u8, b: u8, high: bool) {
            prop_assert_eq!(byte(&hay, a), hay.iter().position(|&c| c == a));
            prop_assert_eq!(byte2(&hay, a, b), hay.iter().position(|&c| c == a || c == b));
            prop_assert_eq!(byte3(&hay, a, b, 0x25), hay.iter().position(|&c| c == a || c == b || c == 0x25));
            prop_assert_eq!(all_hex(&hay), hay.iter().all(u8::is_ascii_hexdigit));
            prop_assert_eq!(same(&hay, &hay), true);
            let mut other = hay.clone();
            if let Some(last) = other.last_mut() { *last ^= a | 1; }
            prop_assert_eq!(same(&hay, &other), hay == other);
            prop_assert_eq!(same(&hay[..hay.len() / 2], &other[..hay.len() / 2]), hay[..hay.len() / 2] == other[..hay.len() / 2]);
            prop_assert_eq!(url_stop(&hay), hay.iter().position(|&c| c <= 0x20 || c >= 0x7f));
            prop_assert_eq!(target_stop(&hay), hay.iter().position(|&c| c <= 0x20 || c >= 0x7f || c == b'#'));
            prop_assert_eq!(ctl_stop(&hay), hay.iter().position(|&c| c < 0x20 || c == 0x7f));
            prop_assert_eq!(
                json_string_stop(&hay, high),
                hay.iter().position(|&c| c == b'"' || c == b'\\' || c < 0x20 || (high && c >= 0x80))
            );
        }
    }

    #[test]
    fn stops_every_byte_after_every_byte() {
        // Each byte value in each lane, after each other value in the lane
        // below (where a borrow or carry would come from).
        for b in 0..=255u8 {
            for prev in 0..=255u8 {
                for at in 1..8 {
                    let mut s = *b"abcdefgh";
                    s[at - 1] = prev;
                    s[at] = b;
                    let ctl = |c: u8| c < 0x20 || c == 0x7f;
                    let target = |c: u8| c <= 0x20 || c >= 0x7f || c == b'#';
                    assert_eq!(ctl_stop(&s), s.iter().position(|&c| ctl(c)), "{s:?}");
                    assert_eq!(target_stop(&s), s.iter().position(|&c| target(c)), "{s:?}");
                }
            }
        }
    }

    #[test]
    fn hex_every_byte() {
        for b in 0..=255u8 {
            for at in 0..8 {
                let mut s = *b"0123abcF";
                s[at] = b;
                assert_eq!(
                    all_hex(&s),
                    s.iter().all(u8::is_ascii_hexdigit),
                    "{b:#x} at {at}"
                );
            }
        }
    }
}
