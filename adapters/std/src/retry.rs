//! The std side of retrying: random bits for the backoff's jitter ([`Rng`]).
//!
//! The rules themselves (which answers and failures are retried, `Retry-After`, backoff,
//! bounds, idempotency) are the core's [`confpart::api::retry::RetryPolicy`]: they are the
//! same for every adapter. The core draws no randomness of its own; this module supplies it
//! from [`fastrand`].
//!
//! ```
//! use std::time::Duration;
//! use confpart::api::operation::OperationKind;
//! use confpart::api::retry::{Attempt, Decision, RetryPolicy};
//! use confpart_std::retry::Rng;
//!
//! let busy = Attempt::Status { status: 503, code: None, retry_after: None };
//! let d = RetryPolicy::default().decide(OperationKind::Fetch, 1, Duration::ZERO, None, &busy, &mut Rng::new());
//! let Decision::Retry { after } = d else { panic!("{d:?}") };
//! assert!(after >= Duration::from_millis(125) && after <= Duration::from_millis(250));
//! ```

use confpart::api::retry::Jitter;

/// A small, fast, non-cryptographic generator ([`fastrand::Rng`], wyrand): jitter and
/// bridge ids, never anything secret. Seed it ([`Rng::with_seed`]) for a repeatable
/// sequence.
///
/// ```
/// use confpart::api::retry::Jitter;
/// use confpart_std::retry::Rng;
/// let (mut a, mut b) = (Rng::with_seed(1), Rng::with_seed(1));
/// assert_eq!(a.next_u64(), b.next_u64());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rng(fastrand::Rng);

impl Rng {
    /// A generator with a random seed (for production use).
    pub fn new() -> Self {
        Self(fastrand::Rng::new())
    }

    /// A generator that yields the same sequence for the same seed (for tests).
    pub fn with_seed(seed: u64) -> Self {
        Self(fastrand::Rng::with_seed(seed))
    }
}

impl Default for Rng {
    fn default() -> Self {
        Self::new()
    }
}

impl Jitter for Rng {
    fn next_u64(&mut self) -> u64 {
        self.0.u64(..)
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
    use confpart::api::retry::RetryPolicy;

    #[test]
    fn jitter_is_deterministic_for_a_seed() {
        let p = RetryPolicy::default();
        let a: Vec<_> = (0..5)
            .map(|n| p.backoff(n, &mut Rng::with_seed(9)))
            .collect();
        let b: Vec<_> = (0..5)
            .map(|n| p.backoff(n, &mut Rng::with_seed(9)))
            .collect();
        assert_eq!(a, b);
        let mut rng = Rng::with_seed(0);
        assert_ne!(rng.next_u64(), 0);
    }
}
