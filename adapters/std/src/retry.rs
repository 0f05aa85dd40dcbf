//! When to send a request again, and after how long: [`RetryPolicy::decide`].
//!
//! Pure functions over values: the client reports what happened to an attempt
//! ([`Attempt`]), the time spent so far and the current unix time; the policy answers
//! [`Decision::Retry`] with a delay or [`Decision::Stop`] with a reason. Nothing here sleeps,
//! reads a clock or draws randomness of its own: jitter comes from a caller-supplied
//! [`Jitter`] source ([`XorShift64`] is a tiny deterministic one), so tests are exact.
//!
//! Rules:
//! - **Statuses** `429` and `503` are retried (the service did not apply the request, so this
//!   holds for every operation, `Create` included). With [`RetryPolicy::retry_not_found`],
//!   a `404` (code `20404` or no code) is retried too for `Update`, `Fetch` and `Delete`: a
//!   participant created moments ago may not be addressable yet (eventual consistency).
//! - **`Retry-After`** ([`RetryAfter`], seconds or an absolute unix time; the core parses
//!   the header) is honoured as given, up to [`RetryPolicy::max_retry_after`]; a longer one
//!   stops the retries rather than being shortened.
//! - Otherwise **exponential backoff with jitter**: the `n`-th retry (`n` from 0) waits a
//!   uniformly drawn time in `[e/2, e]` where `e = min(cap, base × factorⁿ)` ("equal
//!   jitter": never zero, never more than `cap`).
//! - **Transport failures** ([`Attempt::Transport`]) are retried only when the request
//!   cannot have been applied (nothing of it reached the peer) or the operation is
//!   idempotent ([`is_idempotent`]: `Update`, `Fetch`, `List`, `Delete`; not `Create`).
//! - **Bounds**: at most [`RetryPolicy::max_attempts`] attempts in all (the first one
//!   included), and a retry is only scheduled if `elapsed + delay ≤ max_total`.
//!
//! ```
//! use std::time::Duration;
//! use confpart_std::retry::{Attempt, Decision, Operation, RetryAfter, RetryPolicy, XorShift64};
//!
//! let policy = RetryPolicy::default();
//! let mut rng = XorShift64::new(7);
//! let busy = Attempt::Status { status: 429, code: Some(20429), retry_after: Some(RetryAfter::Seconds(2)) };
//! let d = policy.decide(Operation::Update, 1, Duration::ZERO, 0, &busy, &mut rng);
//! assert_eq!(d, Decision::Retry { after: Duration::from_secs(2) });
//!
//! // A create whose connection broke after the request went out is not resent.
//! let broken = Attempt::Transport { possibly_applied: true };
//! let d = policy.decide(Operation::Create, 1, Duration::ZERO, 0, &broken, &mut rng);
//! assert!(matches!(d, Decision::Stop(_)));
//! ```

use std::fmt;
use std::time::Duration;

/// The five operations on the participant resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Operation {
    /// `POST …/Participants.json`
    Create,
    /// `POST …/Participants/{id}.json`
    Update,
    /// `GET …/Participants/{id}.json`
    Fetch,
    /// `GET …/Participants.json`
    List,
    /// `DELETE …/Participants/{id}.json`
    Delete,
}

impl Operation {
    /// All five, for tests and tables.
    pub const ALL: [Operation; 5] = [
        Operation::Create,
        Operation::Update,
        Operation::Fetch,
        Operation::List,
        Operation::Delete,
    ];

    /// Whether the operation addresses one participant (`Update`, `Fetch`, `Delete`).
    pub fn addresses_participant(self) -> bool {
        matches!(
            self,
            Operation::Update | Operation::Fetch | Operation::Delete
        )
    }
}

/// Whether sending the request twice has the same effect as sending it once.
///
/// An Update sets fields to given values, so repeating it is harmless; Fetch and List read;
/// a second Delete finds nothing (404) but changes nothing more. A second Create would
/// dial a second call.
///
/// ```
/// use confpart_std::retry::{is_idempotent, Operation};
/// assert!(is_idempotent(Operation::Update));
/// assert!(!is_idempotent(Operation::Create));
/// ```
pub fn is_idempotent(operation: Operation) -> bool {
    !matches!(operation, Operation::Create)
}

/// A parsed `Retry-After` (the lead maps the core's value onto this).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RetryAfter {
    /// `Retry-After: 120`
    Seconds(u64),
    /// `Retry-After: Fri, 31 Dec 1999 23:59:59 GMT`, as seconds since the unix epoch.
    At(u64),
}

impl RetryAfter {
    /// The wait it asks for, given the current unix time (a date in the past means now).
    pub fn delay(self, now_unix: u64) -> Duration {
        match self {
            RetryAfter::Seconds(s) => Duration::from_secs(s),
            RetryAfter::At(t) => Duration::from_secs(t.saturating_sub(now_unix)),
        }
    }
}

/// What happened to one attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attempt {
    /// The service answered with a status (and maybe an error code and `Retry-After`).
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
        /// `false` only when nothing of the request reached the peer (see
        /// `transport::Failure::possibly_applied`).
        possibly_applied: bool,
    },
}

/// The policy's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum StopReason {
    /// The attempt succeeded, or failed in a way a retry cannot fix.
    NotRetryable,
    /// A transport failure after the request may have been applied, on a non-idempotent
    /// operation.
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

/// A source of randomness for jitter.
pub trait Jitter {
    /// A uniformly distributed 64-bit value.
    fn next_u64(&mut self) -> u64;
}

/// Marsaglia's xorshift64: tiny, deterministic for a seed, good enough for jitter
/// (not for anything secret).
///
/// ```
/// use confpart_std::retry::{Jitter, XorShift64};
/// let (mut a, mut b) = (XorShift64::new(1), XorShift64::new(1));
/// assert_eq!(a.next_u64(), b.next_u64());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XorShift64(u64);

impl XorShift64 {
    /// Seeds the generator (a zero seed, which xorshift cannot use, is replaced).
    pub fn new(seed: u64) -> Self {
        Self(if seed == 0 {
            0x9E37_79B9_7F4A_7C15
        } else {
            seed
        })
    }

    /// Seeded from the clock and the process id (for production use).
    pub fn from_time() -> Self {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0);
        Self::new(nanos ^ (u64::from(std::process::id()) << 32))
    }
}

impl Jitter for XorShift64 {
    fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
}

/// The retry configuration. `Default` gives the values in each field's doc.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included (default 4; 1 disables retries).
    pub max_attempts: u32,
    /// No retry is scheduled to start later than this after the first attempt began
    /// (default 30 s).
    pub max_total: Duration,
    /// First backoff step (default 250 ms).
    pub base: Duration,
    /// Largest backoff step (default 8 s).
    pub cap: Duration,
    /// Growth of the backoff per retry (default 2).
    pub factor: u32,
    /// Longest `Retry-After` honoured; a longer one stops (default 60 s).
    pub max_retry_after: Duration,
    /// Retry 404 / 20404 on `Update`, `Fetch`, `Delete` (default off).
    pub retry_not_found: bool,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 4,
            max_total: Duration::from_secs(30),
            base: Duration::from_millis(250),
            cap: Duration::from_secs(8),
            factor: 2,
            max_retry_after: Duration::from_secs(60),
            retry_not_found: false,
        }
    }
}

/// The statuses that are always retried.
pub const RETRY_STATUSES: [u16; 2] = [429, 503];

/// Twilio's "resource not found" code.
pub const NOT_FOUND_CODE: u32 = 20404;

impl RetryPolicy {
    /// A policy that never retries.
    pub fn never() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// Whether this attempt's result is of a kind worth retrying for `operation`,
    /// before any bound is considered.
    pub fn is_retryable(&self, operation: Operation, attempt: &Attempt) -> Result<(), StopReason> {
        match *attempt {
            Attempt::Status { status, .. } if RETRY_STATUSES.contains(&status) => Ok(()),
            Attempt::Status {
                status: 404, code, ..
            } if self.retry_not_found
                && operation.addresses_participant()
                && code.is_none_or(|c| c == NOT_FOUND_CODE) =>
            {
                Ok(())
            }
            Attempt::Status { .. } => Err(StopReason::NotRetryable),
            Attempt::Transport { possibly_applied }
                if possibly_applied && !is_idempotent(operation) =>
            {
                Err(StopReason::NotIdempotent)
            }
            Attempt::Transport { .. } => Ok(()),
        }
    }

    /// The backoff before retry number `retry` (0 for the first retry), before jitter:
    /// `min(cap, base × factor^retry)`, without overflow.
    pub fn backoff_ceiling(&self, retry: u32) -> Duration {
        let mut d = self.base.min(self.cap);
        for _ in 0..retry {
            d = d.checked_mul(self.factor).unwrap_or(self.cap).min(self.cap);
            if d == self.cap {
                break;
            }
        }
        d
    }

    /// A jittered backoff for retry number `retry`: uniform in `[ceiling/2, ceiling]`.
    pub fn backoff(&self, retry: u32, rng: &mut impl Jitter) -> Duration {
        let ceiling = self.backoff_ceiling(retry);
        let half = ceiling / 2;
        let span = (ceiling - half).as_nanos();
        let span = u64::try_from(span).unwrap_or(u64::MAX);
        let extra = if span == 0 {
            0
        } else {
            rng.next_u64() % (span.saturating_add(1)).max(1)
        };
        half + Duration::from_nanos(extra)
    }

    /// What to do after attempt number `attempts` (1 for the first) ended with `attempt`.
    ///
    /// `elapsed` is the time since the first attempt started; `now_unix` the current unix
    /// time in seconds (for `Retry-After` dates).
    pub fn decide(
        &self,
        operation: Operation,
        attempts: u32,
        elapsed: Duration,
        now_unix: u64,
        attempt: &Attempt,
        rng: &mut impl Jitter,
    ) -> Decision {
        if let Err(reason) = self.is_retryable(operation, attempt) {
            return Decision::Stop(reason);
        }
        if attempts >= self.max_attempts {
            return Decision::Stop(StopReason::Attempts);
        }
        let retry_after = match attempt {
            Attempt::Status { retry_after, .. } => *retry_after,
            Attempt::Transport { .. } => None,
        };
        let after = match retry_after {
            Some(ra) => {
                let d = ra.delay(now_unix);
                if d > self.max_retry_after {
                    return Decision::Stop(StopReason::RetryAfterTooLong);
                }
                d
            }
            None => self.backoff(attempts.saturating_sub(1), rng),
        };
        match elapsed.checked_add(after) {
            Some(end) if end <= self.max_total => Decision::Retry { after },
            _ => Decision::Stop(StopReason::TotalTime),
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
    use proptest::prelude::*;

    fn status(status: u16, code: Option<u32>) -> Attempt {
        Attempt::Status {
            status,
            code,
            retry_after: None,
        }
    }

    fn decide(p: &RetryPolicy, op: Operation, attempts: u32, a: Attempt) -> Decision {
        p.decide(
            op,
            attempts,
            Duration::ZERO,
            1_000,
            &a,
            &mut XorShift64::new(42),
        )
    }

    #[test]
    fn idempotency_table() {
        let yes: Vec<_> = Operation::ALL
            .into_iter()
            .filter(|o| is_idempotent(*o))
            .collect();
        assert_eq!(
            yes,
            [
                Operation::Update,
                Operation::Fetch,
                Operation::List,
                Operation::Delete
            ]
        );
    }

    #[test]
    fn which_statuses_retry() {
        let p = RetryPolicy::default();
        for op in Operation::ALL {
            assert!(matches!(
                decide(&p, op, 1, status(429, Some(20429))),
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
        assert!(matches!(
            decide(&p, Operation::Update, 1, status(404, Some(20404))),
            Decision::Retry { .. }
        ));
        assert!(matches!(
            decide(&p, Operation::Fetch, 1, status(404, None)),
            Decision::Retry { .. }
        ));
        assert!(matches!(
            decide(&p, Operation::Delete, 1, status(404, Some(20404))),
            Decision::Retry { .. }
        ));
        assert_eq!(
            decide(&p, Operation::Update, 1, status(404, Some(20001))),
            Decision::Stop(StopReason::NotRetryable)
        );
        assert_eq!(
            decide(&p, Operation::List, 1, status(404, Some(20404))),
            Decision::Stop(StopReason::NotRetryable)
        );
        assert_eq!(
            decide(&p, Operation::Create, 1, status(404, Some(20404))),
            Decision::Stop(StopReason::NotRetryable)
        );
        let off = RetryPolicy::default();
        assert_eq!(
            decide(&off, Operation::Update, 1, status(404, Some(20404))),
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
        for op in Operation::ALL {
            assert!(
                matches!(decide(&p, op, 1, unsent), Decision::Retry { .. }),
                "{op:?}"
            );
            let d = decide(&p, op, 1, sent);
            if is_idempotent(op) {
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
            decide(&p, Operation::Fetch, 1, ra(RetryAfter::Seconds(3))),
            Decision::Retry {
                after: Duration::from_secs(3)
            }
        );
        // now_unix = 1000 in `decide`
        assert_eq!(
            decide(&p, Operation::Fetch, 1, ra(RetryAfter::At(1_005))),
            Decision::Retry {
                after: Duration::from_secs(5)
            }
        );
        assert_eq!(
            decide(&p, Operation::Fetch, 1, ra(RetryAfter::At(10))),
            Decision::Retry {
                after: Duration::ZERO
            }
        );
        assert_eq!(
            decide(&p, Operation::Fetch, 1, ra(RetryAfter::Seconds(61))),
            Decision::Stop(StopReason::RetryAfterTooLong)
        );
        // Within max_retry_after but past the total budget.
        assert_eq!(
            decide(&p, Operation::Fetch, 1, ra(RetryAfter::Seconds(31))),
            Decision::Stop(StopReason::TotalTime)
        );
    }

    #[test]
    fn attempts_and_total_bound() {
        let p = RetryPolicy::default();
        assert!(matches!(
            decide(&p, Operation::List, 3, status(429, None)),
            Decision::Retry { .. }
        ));
        assert_eq!(
            decide(&p, Operation::List, 4, status(429, None)),
            Decision::Stop(StopReason::Attempts)
        );
        assert_eq!(
            decide(&RetryPolicy::never(), Operation::List, 1, status(429, None)),
            Decision::Stop(StopReason::Attempts)
        );
        let d = p.decide(
            Operation::List,
            1,
            Duration::from_secs(30),
            0,
            &status(429, None),
            &mut XorShift64::new(1),
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
            ..p
        };
        assert_eq!(huge.backoff_ceiling(5), Duration::MAX);
    }

    #[test]
    fn jitter_is_deterministic_for_a_seed() {
        let p = RetryPolicy::default();
        let a: Vec<_> = (0..5)
            .map(|n| p.backoff(n, &mut XorShift64::new(9)))
            .collect();
        let b: Vec<_> = (0..5)
            .map(|n| p.backoff(n, &mut XorShift64::new(9)))
            .collect();
        assert_eq!(a, b);
        let mut rng = XorShift64::new(0);
        assert_ne!(rng.next_u64(), 0);
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
        )
            .prop_map(
                |(max_attempts, total, base, cap, factor, ra, nf)| RetryPolicy {
                    max_attempts,
                    max_total: Duration::from_millis(total),
                    base: Duration::from_millis(base),
                    cap: Duration::from_millis(cap),
                    factor,
                    max_retry_after: Duration::from_secs(ra),
                    retry_not_found: nf,
                },
            )
    }

    fn attempt() -> impl Strategy<Value = Attempt> {
        let ra = prop_oneof![
            Just(None),
            (0u64..200).prop_map(|s| Some(RetryAfter::Seconds(s))),
            (0u64..2_000).prop_map(|t| Some(RetryAfter::At(t))),
        ];
        prop_oneof![
            (
                prop_oneof![Just(429u16), Just(503), Just(404), 100u16..600],
                proptest::option::of(prop_oneof![Just(20404u32), 0u32..99_999]),
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

    fn operation() -> impl Strategy<Value = Operation> {
        prop::sample::select(Operation::ALL.to_vec())
    }

    proptest! {
        #[test]
        fn backoff_never_exceeds_the_cap(p in policy(), retry in 0u32..100, seed in any::<u64>()) {
            let d = p.backoff(retry, &mut XorShift64::new(seed));
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
            let d = p.decide(op, attempts, elapsed, now, &a, &mut XorShift64::new(seed));
            if let Decision::Retry { after } = d {
                prop_assert!(attempts < p.max_attempts);
                prop_assert!(elapsed + after <= p.max_total);
                prop_assert!(after <= p.cap.max(p.max_retry_after));
                if let Attempt::Transport { possibly_applied: true } = a {
                    prop_assert!(is_idempotent(op));
                }
            }
        }

        #[test]
        fn a_whole_retry_loop_stays_within_budget(p in policy(), op in operation(), a in attempt(), seed in any::<u64>()) {
            // Every attempt fails the same way; the sum of the scheduled delays is bounded.
            let mut rng = XorShift64::new(seed);
            let mut elapsed = Duration::ZERO;
            let mut attempts = 1;
            while let Decision::Retry { after } = p.decide(op, attempts, elapsed, 0, &a, &mut rng) {
                elapsed += after;
                attempts += 1;
            }
            prop_assert!(elapsed <= p.max_total);
            prop_assert!(attempts <= p.max_attempts.max(1));
        }
    }
}
