//! Where a bridge gets new SIDs ([`IdSource`]), and a deterministic source
//! for tests and demos ([`SequentialIds`]).

use crate::api::path::Dialect;
use crate::wire::ident::{CallSid, ConferenceSid, IdError, SidForm};

/// Where a bridge gets new SIDs: the core never invents randomness.
///
/// Twilio-form SIDs (`CA…`, `CF…` + 32 hex digits) for [`Dialect::Twilio`],
/// UUIDs for [`Dialect::SignalWire`]. A SID already in use is refused
/// ([`Refusal::DuplicateId`]), never overwritten; an id source that fails
/// (its text is not a SID) is refused as [`Refusal::IdSource`].
///
/// [`Refusal::DuplicateId`]: crate::bridge::Refusal::DuplicateId
/// [`Refusal::IdSource`]: crate::bridge::Refusal::IdSource
///
/// ```
/// use confpart::bridge::{IdSource, SequentialIds};
/// use confpart::wire::ident::SidForm;
/// use confpart::api::path::Dialect;
///
/// let mut ids = SequentialIds::new();
/// assert_eq!(ids.call_sid(Dialect::Twilio)?.as_str(), "CA00000000000000000000000000000001");
/// assert_eq!(ids.conference_sid(Dialect::SignalWire)?.form(), SidForm::Uuid);
/// # Ok::<(), confpart::wire::ident::IdError>(())
/// ```
pub trait IdSource {
    /// A new call SID in `dialect`'s form.
    fn call_sid(&mut self, dialect: Dialect) -> Result<CallSid, IdError>;
    /// A new conference SID in `dialect`'s form.
    fn conference_sid(&mut self, dialect: Dialect) -> Result<ConferenceSid, IdError>;
}

/// A deterministic [`IdSource`] for tests and demos: one counter, starting
/// at 1, written as the SID's last hex digits (`CA000…001`,
/// `00000000-0000-4000-8000-000000000001`).
///
/// ```
/// use confpart::bridge::{IdSource, SequentialIds};
/// use confpart::api::path::Dialect;
///
/// let mut ids = SequentialIds::starting_at(0x2a);
/// assert_eq!(ids.conference_sid(Dialect::Twilio)?.as_str(), "CF0000000000000000000000000000002a");
/// assert_eq!(ids.call_sid(Dialect::SignalWire)?.as_str(), "00000000-0000-4000-8000-00000000002b");
/// # Ok::<(), confpart::wire::ident::IdError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct SequentialIds {
    next: u64,
}

impl Default for SequentialIds {
    fn default() -> Self {
        Self::new()
    }
}

impl SequentialIds {
    /// A counter starting at 1.
    pub const fn new() -> Self {
        Self { next: 1 }
    }

    /// A counter starting at `first`.
    pub const fn starting_at(first: u64) -> Self {
        Self { next: first }
    }

    /// The next value's bits and the form `dialect` gives SIDs. A UUID
    /// shows the counter's last 12 hex digits (its last group), so only
    /// they are kept.
    fn next_bits(&mut self, form: SidForm) -> u128 {
        const UUID_COUNTER_BITS: u64 = (1 << 48) - 1;
        let n = self.next;
        self.next = self.next.wrapping_add(1);
        let bits = match form {
            SidForm::Twilio | SidForm::Telnyx => n,
            SidForm::Uuid => n & UUID_COUNTER_BITS,
        };
        u128::from(bits)
    }
}

impl IdSource for SequentialIds {
    fn call_sid(&mut self, dialect: Dialect) -> Result<CallSid, IdError> {
        let form = dialect.call_sid_form();
        Ok(CallSid::from_bits(self.next_bits(form), form))
    }

    fn conference_sid(&mut self, dialect: Dialect) -> Result<ConferenceSid, IdError> {
        let form = dialect.sid_form();
        Ok(ConferenceSid::from_bits(self.next_bits(form), form))
    }
}
