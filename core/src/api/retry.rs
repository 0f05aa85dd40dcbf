//! When to send a request again, and after how long: [`RetryPolicy::decide`],
//! with the service's `Retry-After` ([`RetryAfter`]).
//!
//! Pure functions over values: the caller reports what happened to an
//! attempt ([`Attempt`]), the time spent so far and, if it has a wall clock,
//! the current time; the policy answers [`Decision::Retry`] with a delay or
//! [`Decision::Stop`] with a reason. Nothing here sleeps, reads a clock or
//! draws randomness of its own: the jitter's bits come from the caller's
//! [`Jitter`] source, so tests are exact and firmware picks its own RNG.
//!
//! Rules:
//! - **Statuses** `429` and `503` ([`is_busy`]) are retried: the service did
//!   not apply the request, so this holds for every operation, `Create`
//!   included. With [`RetryPolicy::retry_not_found`], a `404` (code
//!   [`codes::NOT_FOUND`], Telnyx's [`codes::TELNYX_NOT_FOUND`], or no code) is retried too for the operations on
//!   one participant ([`OperationKind::addresses_participant`]): a
//!   participant created moments ago may not be addressable yet (eventual
//!   consistency).
//! - **`Retry-After`** ([`RetryAfter`], seconds or a date) is honoured as
//!   given, up to [`RetryPolicy::max_retry_after`]; a longer one stops the
//!   retries rather than being shortened (the service asked for it). A date
//!   without a clock to compare it with counts as no `Retry-After`.
//! - Otherwise **exponential backoff with jitter**: the `n`-th retry (`n`
//!   from 0) waits a uniformly drawn time in `[e/2, e]` where
//!   `e = min(cap, base × factorⁿ)` ("equal jitter": never zero unless `e`
//!   is, never more than `cap`).
//! - **Transport failures** ([`Attempt::Transport`]) are retried only when
//!   the request cannot have been applied (nothing of it reached the peer)
//!   or the operation is idempotent ([`OperationKind::is_idempotent`]).
//! - **Bounds**: at most [`RetryPolicy::max_attempts`] attempts in all (the
//!   first one included), and a retry is only scheduled if
//!   `elapsed + delay ≤ max_total`.
//!
//! ```
//! use core::time::Duration;
//! use confpart::api::operation::OperationKind;
//! use confpart::api::retry::{Attempt, Decision, RetryAfter, RetryPolicy, StopReason};
//!
//! let policy = RetryPolicy::DEFAULT;
//! let mut bits = || 7u64; // the caller's RNG: any `FnMut() -> u64` is a `Jitter`
//! let busy = Attempt::Status { status: 429, code: Some(20429), retry_after: Some(RetryAfter::Seconds(2)) };
//! let d = policy.decide(OperationKind::Update, 1, Duration::ZERO, None, &busy, &mut bits);
//! assert_eq!(d, Decision::Retry { after: Duration::from_secs(2) });
//!
//! // A create whose connection broke after the request went out is not resent.
//! let broken = Attempt::Transport { possibly_applied: true };
//! let d = policy.decide(OperationKind::Create, 1, Duration::ZERO, None, &broken, &mut bits);
//! assert_eq!(d, Decision::Stop(StopReason::NotIdempotent));
//! ```

use core::fmt;
use core::time::Duration;

use crate::api::codes;
use crate::api::operation::OperationKind;
use crate::wire::date::Timestamp;
use crate::wire::http;

/// Whether `status` says the service is busy (`429 Too Many Requests`,
/// `503 Service Unavailable`): it did not apply the request, a retry may
/// succeed, and a `Retry-After` on it is meant for the client.
///
/// ```
/// use confpart::api::retry::is_busy;
/// assert!(is_busy(429) && is_busy(503));
/// assert!(!is_busy(500) && !is_busy(404));
/// ```
pub const fn is_busy(status: u16) -> bool {
    matches!(status, 429 | 503)
}

/// When to retry, from `Retry-After`.
///
/// ```
/// use confpart::api::retry::RetryAfter;
/// use confpart::wire::date::Timestamp;
///
/// let at = RetryAfter::parse(b"Sun, 06 Nov 1994 08:49:37 GMT");
/// assert_eq!(at, Timestamp::from_unix(784_111_777).map(RetryAfter::At));
/// assert_eq!(RetryAfter::parse(b"120"), Some(RetryAfter::Seconds(120)));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum RetryAfter {
    /// After this many seconds (delta-seconds; huge values saturate).
    Seconds(u32),
    /// At this time (an HTTP-date; the core has no clock to make it
    /// relative: [`RetryAfter::delay`] takes the caller's).
    At(Timestamp),
}

impl RetryAfter {
    /// Parses delta-seconds or an HTTP-date (IMF-fixdate, and the lenient
    /// RFC 2822 forms [`Timestamp::parse`] accepts). `None` if neither.
    ///
    /// ```
    /// use confpart::api::retry::RetryAfter;
    /// assert_eq!(RetryAfter::parse(b"120"), Some(RetryAfter::Seconds(120)));
    /// assert_eq!(RetryAfter::parse(b"99999999999"), Some(RetryAfter::Seconds(u32::MAX)));
    /// let Some(RetryAfter::At(t)) = RetryAfter::parse(b"Sun, 06 Nov 1994 08:49:37 GMT") else { panic!() };
    /// assert_eq!(t.unix(), 784_111_777);
    /// assert_eq!(RetryAfter::parse(b"soon"), None);
    /// ```
    pub fn parse(value: &[u8]) -> Option<Self> {
        let value = value.trim_ascii();
        if !value.is_empty() && value.iter().all(u8::is_ascii_digit) {
            let n = http::parse_decimal(value).unwrap_or(u64::MAX);
            return Some(Self::Seconds(u32::try_from(n).unwrap_or(u32::MAX)));
        }
        Timestamp::parse(value).ok().map(Self::At)
    }

    /// The wait it asks for, given the current time if the caller has a
    /// wall clock: a date in the past means now; a date without a clock is
    /// `None` (the wait is unknown).
    ///
    /// ```
    /// use core::time::Duration;
    /// use confpart::api::retry::RetryAfter;
    /// use confpart::wire::date::Timestamp;
    ///
    /// let now = Timestamp::from_unix(1_000);
    /// assert_eq!(RetryAfter::Seconds(3).delay(None), Some(Duration::from_secs(3)));
    /// let at = RetryAfter::At(Timestamp::from_unix(1_005).unwrap());
    /// assert_eq!(at.delay(now), Some(Duration::from_secs(5)));
    /// assert_eq!(at.delay(Timestamp::from_unix(2_000)), Some(Duration::ZERO));
    /// assert_eq!(at.delay(None), None);
    /// ```
    pub fn delay(self, now: Option<Timestamp>) -> Option<Duration> {
        match (self, now) {
            (Self::Seconds(s), _) => Some(Duration::from_secs(u64::from(s))),
            (Self::At(at), Some(now)) => {
                Some(Duration::from_secs(at.unix().saturating_sub(now.unix())))
            }
            (Self::At(_), None) => None,
        }
    }
}

/// What happened to one attempt.
///
/// ```
/// use confpart::api::retry::{Attempt, RetryAfter};
/// let busy = Attempt::Status { status: 503, code: None, retry_after: Some(RetryAfter::Seconds(1)) };
/// let lost = Attempt::Transport { possibly_applied: false };
/// assert_ne!(busy, lost);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Attempt {
    /// The service answered with a status (and maybe an error code and
    /// `Retry-After`).
    Status {
        /// HTTP status.
        status: u16,
        /// The error body's `code`, if any.
        code: Option<u32>,
        /// The `Retry-After` header, if any.
        retry_after: Option<RetryAfter>,
    },
    /// No complete answer: connect, TLS, write or read failed, or timed out.
    Transport {
        /// `false` only when nothing of the request reached the peer (so
        /// the service cannot have applied it).
        possibly_applied: bool,
    },
}

/// The policy's answer.
///
/// ```
/// use core::time::Duration;
/// use confpart::api::retry::{Decision, StopReason};
/// let go = Decision::Retry { after: Duration::from_millis(250) };
/// assert_ne!(go, Decision::Stop(StopReason::Attempts));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Decision {
    /// Send the request again after this delay.
    Retry {
        /// How long to wait first.
        after: Duration,
    },
    /// Report the last attempt's result to the caller.
    Stop(StopReason),
}

/// Why no further attempt is made.
///
/// ```
/// use confpart::api::retry::StopReason;
/// assert_eq!(StopReason::Attempts.to_string(), "no attempts left");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum StopReason {
    /// The attempt succeeded, or failed in a way a retry cannot fix.
    NotRetryable,
    /// A transport failure after the request may have been applied, on an
    /// operation that is not idempotent.
    NotIdempotent,
    /// [`RetryPolicy::max_attempts`] reached.
    Attempts,
    /// The next delay would end past [`RetryPolicy::max_total`].
    TotalTime,
    /// `Retry-After` asks for more than [`RetryPolicy::max_retry_after`].
    RetryAfterTooLong,
}

impl fmt::Display for StopReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            StopReason::NotRetryable => "not retryable",
            StopReason::NotIdempotent => "the request may have been applied and is not idempotent",
            StopReason::Attempts => "no attempts left",
            StopReason::TotalTime => "the retry time budget is spent",
            StopReason::RetryAfterTooLong => "Retry-After asks for a longer wait than allowed",
        })
    }
}

/// A source of uniformly distributed bits for the backoff's jitter. The
/// core has no RNG of its own: the adapter supplies one (any
/// `FnMut() -> u64` closure is a `Jitter`). Not for anything secret.
///
/// ```
/// use confpart::api::retry::Jitter;
///
/// struct Counter(u64);
/// impl Jitter for Counter {
///     fn next_u64(&mut self) -> u64 {
///         self.0 += 1;
///         self.0
///     }
/// }
/// assert_eq!(Counter(0).next_u64(), 1);
/// let mut fixed = || 42u64;
/// assert_eq!(fixed.next_u64(), 42);
/// ```
pub trait Jitter {
    /// A uniformly distributed 64-bit value.
    fn next_u64(&mut self) -> u64;
}

impl<F: FnMut() -> u64> Jitter for F {
    fn next_u64(&mut self) -> u64 {
        self()
    }
}

/// The retry configuration; [`RetryPolicy::DEFAULT`] (also `Default`) has
/// the values in each field's doc.
///
/// ```
/// use core::time::Duration;
/// use confpart::api::retry::RetryPolicy;
///
/// let patient = RetryPolicy { max_attempts: 6, retry_not_found: true, ..RetryPolicy::DEFAULT };
/// assert_eq!(patient.base, Duration::from_millis(250));
/// assert_eq!(RetryPolicy::default(), RetryPolicy::DEFAULT);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct RetryPolicy {
    /// Attempts in all, the first included (default 4; 1 disables retries).
    pub max_attempts: u32,
    /// No retry is scheduled to start later than this after the first
    /// attempt began (default 30 s).
    pub max_total: Duration,
    /// First backoff step (default 250 ms).
    pub base: Duration,
    /// Largest backoff step (default 8 s).
    pub cap: Duration,
    /// Growth of the backoff per retry (default 2).
    pub factor: u32,
    /// Longest `Retry-After` honoured; a longer one stops (default 60 s).
    pub max_retry_after: Duration,
    /// Retry 404 / [`codes::NOT_FOUND`] (Telnyx: [`codes::TELNYX_NOT_FOUND`]) on the
    /// operations on one participant (default off).
    pub retry_not_found: bool,
    /// Draw each back-off in `[ceiling/2, ceiling]` from the caller's bits
    /// (equal jitter, default on); off, the back-off is the ceiling itself
    /// (a fixed wait needs no random bits, e.g. on firmware without an RNG).
    pub jitter: bool,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self::DEFAULT
    }
}

impl RetryPolicy {
    /// 4 attempts within 30 s; backoff from 250 ms doubling up to 8 s;
    /// `Retry-After` up to 60 s; no 404 retries.
    pub const DEFAULT: Self = Self {
        max_attempts: 4,
        max_total: Duration::from_secs(30),
        base: Duration::from_millis(250),
        cap: Duration::from_secs(8),
        factor: 2,
        max_retry_after: Duration::from_secs(60),
        retry_not_found: false,
        jitter: true,
    };

    /// A policy that never retries (one attempt).
    ///
    /// ```
    /// use confpart::api::retry::RetryPolicy;
    /// assert_eq!(RetryPolicy::never().max_attempts, 1);
    /// ```
    pub const fn never() -> Self {
        Self {
            max_attempts: 1,
            ..Self::DEFAULT
        }
    }

    /// Whether this attempt's result is of a kind worth retrying for
    /// `operation`, before any bound is considered.
    ///
    /// ```
    /// use confpart::api::operation::OperationKind;
    /// use confpart::api::retry::{Attempt, RetryPolicy, StopReason};
    ///
    /// let p = RetryPolicy::DEFAULT;
    /// let gone = Attempt::Status { status: 404, code: Some(20404), retry_after: None };
    /// assert_eq!(p.is_retryable(OperationKind::Fetch, &gone), Err(StopReason::NotRetryable));
    /// let p = RetryPolicy { retry_not_found: true, ..p };
    /// assert_eq!(p.is_retryable(OperationKind::Fetch, &gone), Ok(()));
    /// ```
    pub fn is_retryable(
        &self,
        operation: OperationKind,
        attempt: &Attempt,
    ) -> Result<(), StopReason> {
        match *attempt {
            Attempt::Status { status, .. } if is_busy(status) => Ok(()),
            Attempt::Status {
                status: 404, code, ..
            } if self.retry_not_found
                && operation.addresses_participant()
                && code.is_none_or(|c| c == codes::NOT_FOUND || c == codes::TELNYX_NOT_FOUND) =>
            {
                Ok(())
            }
            Attempt::Status { .. } => Err(StopReason::NotRetryable),
            Attempt::Transport { possibly_applied }
                if possibly_applied && !operation.is_idempotent() =>
            {
                Err(StopReason::NotIdempotent)
            }
            Attempt::Transport { .. } => Ok(()),
        }
    }

    /// The backoff before retry number `retry` (0 for the first retry),
    /// before jitter: `min(cap, base × factor^retry)`, without overflow.
    ///
    /// ```
    /// use core::time::Duration;
    /// use confpart::api::retry::RetryPolicy;
    /// let p = RetryPolicy::DEFAULT;
    /// assert_eq!(p.backoff_ceiling(2), Duration::from_secs(1));
    /// assert_eq!(p.backoff_ceiling(40), p.cap);
    /// ```
    pub fn backoff_ceiling(&self, retry: u32) -> Duration {
        let mut d = self.base.min(self.cap);
        for _ in 0..retry {
            let next = d.checked_mul(self.factor).unwrap_or(self.cap).min(self.cap);
            // At the cap, or a factor of 0 or 1 (or a zero base): nothing
            // changes any more, so the remaining steps need not run.
            if next == d || next == self.cap {
                return next;
            }
            d = next;
        }
        d
    }

    /// A jittered backoff for retry number `retry`: uniform in
    /// `[ceiling/2, ceiling]` ([`RetryPolicy::backoff_ceiling`]).
    ///
    /// ```
    /// use core::time::Duration;
    /// use confpart::api::retry::RetryPolicy;
    /// let p = RetryPolicy::DEFAULT;
    /// assert_eq!(p.backoff(0, &mut || 0), Duration::from_millis(125));
    /// let d = p.backoff(0, &mut || u64::MAX);
    /// assert!(d >= Duration::from_millis(125) && d <= Duration::from_millis(250));
    /// let fixed = RetryPolicy { jitter: false, ..p };
    /// assert_eq!(fixed.backoff(0, &mut || u64::MAX), Duration::from_millis(250));
    /// ```
    pub fn backoff(&self, retry: u32, jitter: &mut impl Jitter) -> Duration {
        let ceiling = self.backoff_ceiling(retry);
        if !self.jitter {
            return ceiling;
        }
        let half = ceiling / 2;
        let span = ceiling.saturating_sub(half).as_nanos();
        let span = u64::try_from(span).unwrap_or(u64::MAX);
        let extra = if span == 0 {
            0
        } else {
            jitter.next_u64() % span.saturating_add(1)
        };
        half.saturating_add(Duration::from_nanos(extra))
    }

    /// What to do after attempt number `attempts` (1 for the first) ended
    /// with `attempt`.
    ///
    /// `elapsed` is the time since the first attempt started; `now` the
    /// current time if the caller has a wall clock (for `Retry-After`
    /// dates; without one, a date counts as no `Retry-After`).
    ///
    /// ```
    /// use core::time::Duration;
    /// use confpart::api::operation::OperationKind;
    /// use confpart::api::retry::{Attempt, Decision, RetryPolicy, StopReason};
    ///
    /// let p = RetryPolicy::DEFAULT;
    /// let busy = Attempt::Status { status: 503, code: None, retry_after: None };
    /// let d = p.decide(OperationKind::List, 1, Duration::ZERO, None, &busy, &mut || 0);
    /// assert_eq!(d, Decision::Retry { after: Duration::from_millis(125) });
    /// let d = p.decide(OperationKind::List, 4, Duration::ZERO, None, &busy, &mut || 0);
    /// assert_eq!(d, Decision::Stop(StopReason::Attempts));
    /// ```
    pub fn decide(
        &self,
        operation: OperationKind,
        attempts: u32,
        elapsed: Duration,
        now: Option<Timestamp>,
        attempt: &Attempt,
        jitter: &mut impl Jitter,
    ) -> Decision {
        if let Err(reason) = self.is_retryable(operation, attempt) {
            return Decision::Stop(reason);
        }
        let asked = match attempt {
            Attempt::Status {
                retry_after: Some(ra),
                ..
            } => ra.delay(now),
            _ => None,
        };
        match self.next_wait(attempts, elapsed, asked, jitter) {
            Ok(after) => Decision::Retry { after },
            Err(reason) => Decision::Stop(reason),
        }
    }

    /// The policy's bounds on a retry the caller's own rule allows (as
    /// [`RetryPolicy::decide`] applies them after its rule): after attempt
    /// number `attempts` (1 for the first) and `elapsed` since the first
    /// began, the wait before the next attempt, which is `asked` (a
    /// `Retry-After` delay) or the backoff, or why there is none (no
    /// attempts left, a `Retry-After` past its bound, past the total time).
    /// A status callback's delivery uses it with its own rule (no answer or
    /// a 5xx is tried again).
    ///
    /// ```
    /// use core::time::Duration;
    /// use confpart::api::retry::{RetryPolicy, StopReason};
    ///
    /// let p = RetryPolicy::DEFAULT;
    /// assert_eq!(p.next_wait(1, Duration::ZERO, None, &mut || 0), Ok(Duration::from_millis(125)));
    /// assert_eq!(p.next_wait(4, Duration::ZERO, None, &mut || 0), Err(StopReason::Attempts));
    /// assert_eq!(p.next_wait(1, p.max_total, None, &mut || 0), Err(StopReason::TotalTime));
    /// ```
    pub fn next_wait(
        &self,
        attempts: u32,
        elapsed: Duration,
        asked: Option<Duration>,
        jitter: &mut impl Jitter,
    ) -> Result<Duration, StopReason> {
        if attempts >= self.max_attempts {
            return Err(StopReason::Attempts);
        }
        let after = match asked {
            Some(d) if d > self.max_retry_after => return Err(StopReason::RetryAfterTooLong),
            Some(d) => d,
            None => self.backoff(attempts.saturating_sub(1), jitter),
        };
        match elapsed.checked_add(after) {
            Some(end) if end <= self.max_total => Ok(after),
            _ => Err(StopReason::TotalTime),
        }
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use std::vec::Vec;

    use super::*;
    use proptest::prelude::*;

    /// Marsaglia's xorshift64: deterministic bits for a seed (the core has
    /// no RNG; the adapters bring theirs).
    fn bits(seed: u64) -> impl FnMut() -> u64 {
        let mut x = if seed == 0 {
            0x9E37_79B9_7F4A_7C15
        } else {
            seed
        };
        move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        }
    }

    fn unix(secs: u64) -> Option<Timestamp> {
        Timestamp::from_unix(secs)
    }

    fn at(secs: u64) -> RetryAfter {
        RetryAfter::At(Timestamp::from_unix(secs).unwrap())
    }

    fn status(status: u16, code: Option<u32>) -> Attempt {
        Attempt::Status {
            status,
            code,
            retry_after: None,
        }
    }

    fn decide(p: &RetryPolicy, op: OperationKind, attempts: u32, a: Attempt) -> Decision {
        p.decide(op, attempts, Duration::ZERO, unix(1_000), &a, &mut bits(42))
    }

    #[test]
    fn idempotency_table() {
        let yes: Vec<_> = OperationKind::ALL
            .into_iter()
            .filter(|o| o.is_idempotent())
            .collect();
        assert_eq!(
            yes,
            [
                OperationKind::Update,
                OperationKind::Fetch,
                OperationKind::List,
                OperationKind::Delete
            ]
        );
    }

    #[test]
    fn which_statuses_retry() {
        let p = RetryPolicy::default();
        for op in OperationKind::ALL {
            assert!(matches!(
                decide(&p, op, 1, status(429, Some(codes::TOO_MANY_REQUESTS))),
                Decision::Retry { .. }
            ));
            assert!(matches!(
                decide(&p, op, 1, status(503, None)),
                Decision::Retry { .. }
            ));
            for s in [200, 201, 204, 400, 401, 404, 405, 500, 502] {
                assert_eq!(
                    decide(&p, op, 1, status(s, None)),
                    Decision::Stop(StopReason::NotRetryable),
                    "{s}"
                );
            }
        }
    }

    #[test]
    fn not_found_is_opt_in_and_only_for_one_participant() {
        let p = RetryPolicy {
            retry_not_found: true,
            ..RetryPolicy::default()
        };
        let not_found = Some(codes::NOT_FOUND);
        assert!(matches!(
            decide(&p, OperationKind::Update, 1, status(404, not_found)),
            Decision::Retry { .. }
        ));
        assert!(matches!(
            decide(&p, OperationKind::Fetch, 1, status(404, None)),
            Decision::Retry { .. }
        ));
        // Telnyx's not-found code, as its error body carries it.
        assert!(matches!(
            decide(
                &p,
                OperationKind::Fetch,
                1,
                status(404, Some(codes::TELNYX_NOT_FOUND))
            ),
            Decision::Retry { .. }
        ));
        assert_eq!(
            decide(
                &RetryPolicy::DEFAULT,
                OperationKind::Fetch,
                1,
                status(404, Some(codes::TELNYX_NOT_FOUND))
            ),
            Decision::Stop(StopReason::NotRetryable)
        );
        assert!(matches!(
            decide(&p, OperationKind::Delete, 1, status(404, not_found)),
            Decision::Retry { .. }
        ));
        assert_eq!(
            decide(
                &p,
                OperationKind::Update,
                1,
                status(404, Some(codes::INVALID_PARAMETER))
            ),
            Decision::Stop(StopReason::NotRetryable)
        );
        assert_eq!(
            decide(&p, OperationKind::List, 1, status(404, not_found)),
            Decision::Stop(StopReason::NotRetryable)
        );
        assert_eq!(
            decide(&p, OperationKind::Create, 1, status(404, not_found)),
            Decision::Stop(StopReason::NotRetryable)
        );
        let off = RetryPolicy::default();
        assert_eq!(
            decide(&off, OperationKind::Update, 1, status(404, not_found)),
            Decision::Stop(StopReason::NotRetryable)
        );
    }

    #[test]
    fn transport_failures_resend_only_when_safe() {
        let p = RetryPolicy::default();
        let unsent = Attempt::Transport {
            possibly_applied: false,
        };
        let sent = Attempt::Transport {
            possibly_applied: true,
        };
        for op in OperationKind::ALL {
            assert!(
                matches!(decide(&p, op, 1, unsent), Decision::Retry { .. }),
                "{op:?}"
            );
            let d = decide(&p, op, 1, sent);
            if op.is_idempotent() {
                assert!(matches!(d, Decision::Retry { .. }), "{op:?}");
            } else {
                assert_eq!(d, Decision::Stop(StopReason::NotIdempotent));
            }
        }
    }

    #[test]
    fn retry_after_seconds_and_dates() {
        let p = RetryPolicy::default();
        let ra = |r| Attempt::Status {
            status: 503,
            code: None,
            retry_after: Some(r),
        };
        assert_eq!(
            decide(&p, OperationKind::Fetch, 1, ra(RetryAfter::Seconds(3))),
            Decision::Retry {
                after: Duration::from_secs(3)
            }
        );
        // now = 1000 in `decide`
        assert_eq!(
            decide(&p, OperationKind::Fetch, 1, ra(at(1_005))),
            Decision::Retry {
                after: Duration::from_secs(5)
            }
        );
        assert_eq!(
            decide(&p, OperationKind::Fetch, 1, ra(at(10))),
            Decision::Retry {
                after: Duration::ZERO
            }
        );
        assert_eq!(
            decide(&p, OperationKind::Fetch, 1, ra(RetryAfter::Seconds(61))),
            Decision::Stop(StopReason::RetryAfterTooLong)
        );
        // Within max_retry_after but past the total budget.
        assert_eq!(
            decide(&p, OperationKind::Fetch, 1, ra(RetryAfter::Seconds(31))),
            Decision::Stop(StopReason::TotalTime)
        );
    }

    #[test]
    fn a_date_without_a_clock_is_backoff() {
        let p = RetryPolicy::default();
        let a = Attempt::Status {
            status: 503,
            code: None,
            retry_after: Some(at(5_000)),
        };
        let d = p.decide(OperationKind::Fetch, 1, Duration::ZERO, None, &a, &mut || 0);
        assert_eq!(
            d,
            Decision::Retry {
                after: p.backoff_ceiling(0) / 2
            }
        );
    }

    #[test]
    fn attempts_and_total_bound() {
        let p = RetryPolicy::default();
        assert!(matches!(
            decide(&p, OperationKind::List, 3, status(429, None)),
            Decision::Retry { .. }
        ));
        assert_eq!(
            decide(&p, OperationKind::List, 4, status(429, None)),
            Decision::Stop(StopReason::Attempts)
        );
        assert_eq!(
            decide(
                &RetryPolicy::never(),
                OperationKind::List,
                1,
                status(429, None)
            ),
            Decision::Stop(StopReason::Attempts)
        );
        let d = p.decide(
            OperationKind::List,
            1,
            Duration::from_secs(30),
            unix(0),
            &status(429, None),
            &mut bits(1),
        );
        assert_eq!(d, Decision::Stop(StopReason::TotalTime));
    }

    #[test]
    fn backoff_grows_to_the_cap() {
        let p = RetryPolicy::default();
        let ceilings: Vec<u128> = (0..8).map(|n| p.backoff_ceiling(n).as_millis()).collect();
        assert_eq!(ceilings, [250, 500, 1000, 2000, 4000, 8000, 8000, 8000]);
        assert_eq!(p.backoff_ceiling(u32::MAX), p.cap);
        let huge = RetryPolicy {
            factor: u32::MAX,
            base: Duration::MAX,
            cap: Duration::MAX,
            ..p.clone()
        };
        assert_eq!(huge.backoff_ceiling(5), Duration::MAX);
        // A factor of 1 or 0, or a zero base, ends the loop at once.
        for (factor, base, want) in [(1, 250, 250), (0, 250, 0), (2, 0, 0)] {
            let flat = RetryPolicy {
                factor,
                base: Duration::from_millis(base),
                ..p.clone()
            };
            assert_eq!(flat.backoff_ceiling(u32::MAX), Duration::from_millis(want));
        }
    }

    #[test]
    fn jitter_is_deterministic_for_the_same_bits() {
        let p = RetryPolicy::default();
        let a: Vec<_> = (0..5).map(|n| p.backoff(n, &mut bits(9))).collect();
        let b: Vec<_> = (0..5).map(|n| p.backoff(n, &mut bits(9))).collect();
        assert_eq!(a, b);
        assert_ne!(bits(0)(), 0);
    }

    #[test]
    fn retry_after_parse() {
        assert_eq!(RetryAfter::parse(b" 7 "), Some(RetryAfter::Seconds(7)));
        assert_eq!(RetryAfter::parse(b""), None);
        assert_eq!(RetryAfter::parse(b"-1"), None);
        assert_eq!(
            RetryAfter::parse(b"18446744073709551616"),
            Some(RetryAfter::Seconds(u32::MAX))
        );
    }

    fn policy() -> impl Strategy<Value = RetryPolicy> {
        (
            1u32..10,
            0u64..120_000,
            0u64..10_000,
            0u64..60_000,
            1u32..10,
            0u64..120,
            any::<bool>(),
            any::<bool>(),
        )
            .prop_map(|(max_attempts, total, base, cap, factor, ra, nf, jitter)| {
                RetryPolicy {
                    max_attempts,
                    max_total: Duration::from_millis(total),
                    base: Duration::from_millis(base),
                    cap: Duration::from_millis(cap),
                    factor,
                    max_retry_after: Duration::from_secs(ra),
                    retry_not_found: nf,
                    jitter,
                }
            })
    }

    fn attempt() -> impl Strategy<Value = Attempt> {
        let ra = prop_oneof![
            Just(None),
            (0u32..200).prop_map(|s| Some(RetryAfter::Seconds(s))),
            (0u64..2_000).prop_map(|t| Some(at(t))),
        ];
        prop_oneof![
            (
                prop_oneof![Just(429u16), Just(503), Just(404), 100u16..600],
                proptest::option::of(prop_oneof![Just(codes::NOT_FOUND), 0u32..99_999]),
                ra
            )
                .prop_map(|(status, code, retry_after)| Attempt::Status {
                    status,
                    code,
                    retry_after
                }),
            any::<bool>().prop_map(|possibly_applied| Attempt::Transport { possibly_applied }),
        ]
    }

    fn operation() -> impl Strategy<Value = OperationKind> {
        prop::sample::select(OperationKind::ALL.to_vec())
    }

    proptest! {
        #[test]
        fn backoff_never_exceeds_the_cap(p in policy(), retry in 0u32..100, seed in any::<u64>()) {
            let d = p.backoff(retry, &mut bits(seed));
            prop_assert!(d <= p.cap);
            prop_assert!(d <= p.backoff_ceiling(retry));
            prop_assert!(d >= p.backoff_ceiling(retry) / 2);
        }

        #[test]
        fn every_delay_respects_the_bounds(
            p in policy(), op in operation(), a in attempt(), attempts in 1u32..12,
            elapsed in 0u64..150_000, now in 0u64..1_000, seed in any::<u64>(),
        ) {
            let elapsed = Duration::from_millis(elapsed);
            let d = p.decide(op, attempts, elapsed, unix(now), &a, &mut bits(seed));
            if let Decision::Retry { after } = d {
                prop_assert!(attempts < p.max_attempts);
                prop_assert!(elapsed + after <= p.max_total);
                prop_assert!(after <= p.cap.max(p.max_retry_after));
                if let Attempt::Transport { possibly_applied: true } = a {
                    prop_assert!(op.is_idempotent());
                }
            }
        }

        #[test]
        fn a_whole_retry_loop_stays_within_budget(p in policy(), op in operation(), a in attempt(), seed in any::<u64>()) {
            // Every attempt fails the same way; the sum of the scheduled delays is bounded.
            let mut rng = bits(seed);
            let mut elapsed = Duration::ZERO;
            let mut attempts = 1;
            while let Decision::Retry { after } = p.decide(op, attempts, elapsed, unix(0), &a, &mut rng) {
                elapsed += after;
                attempts += 1;
            }
            prop_assert!(elapsed <= p.max_total);
            prop_assert!(attempts <= p.max_attempts.max(1));
        }
    }
}
