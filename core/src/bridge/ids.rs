//! Where a bridge gets new SIDs ([`IdSource`]), and a deterministic source
//! for tests and demos ([`SequentialIds`]).

use crate::api::participant::Participant;
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

    /// The next value's bits for a SID of `form`. A UUID shows the
    /// counter's last 12 hex digits (its last group), so only they are
    /// kept.
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

/// The `call_sid_legacy` a Telnyx answer shows for `call`: the UUID of the
/// 128 bits a minted call-control id carries (`v3:` + 22 base64url
/// characters, [`CallSid::from_bits`] with [`SidForm::Telnyx`]), written as
/// [`SidForm::Uuid`] writes bits (version 4, variant digits set). Telnyx's
/// legacy ids are the call's UUID; a bridge has no other, and the same call
/// always shows the same one. `None` for any other id (a call-control id
/// not minted that way, a Twilio SID, a UUID).
pub(super) fn legacy_call_sid(call: &CallSid) -> Option<CallSid> {
    if call.form() != SidForm::Telnyx {
        return None;
    }
    let bits = crate::wire::ident::telnyx_bits(call.as_bytes())?;
    Some(CallSid::from_bits(bits, SidForm::Uuid))
}

/// Telnyx's `call_sid_legacy` and `coaching_call_sid_legacy` of a
/// participant about to be written ([`legacy_call_sid`] of its call and of
/// its coach target), held while the participant borrows them.
pub(super) struct Legacy {
    call: Option<CallSid>,
    coach: Option<CallSid>,
}

impl Legacy {
    /// The legacy ids of `p`'s call and coach target.
    pub(super) fn of(p: &Participant<'_>) -> Self {
        Self {
            call: p.call_sid().and_then(legacy_call_sid),
            coach: p.call_sid_to_coach().and_then(legacy_call_sid),
        }
    }

    /// `p` with the ids set (those that exist).
    pub(super) fn add<'p>(&'p self, p: Participant<'p>) -> Participant<'p> {
        let p = match &self.call {
            Some(c) => p.with_call_sid_legacy(c.as_str()),
            None => p,
        };
        match &self.coach {
            Some(c) => p.with_coaching_call_sid_legacy(c.as_str()),
            None => p,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legacy_ids_are_the_uuids_of_the_minted_bits() {
        for bits in [
            0,
            1,
            0x2a,
            u128::MAX,
            0x0123_4567_89ab_cdef_0123_4567_89ab_cdef,
        ] {
            let call = CallSid::from_bits(bits, SidForm::Telnyx);
            assert_eq!(
                legacy_call_sid(&call),
                Some(CallSid::from_bits(bits, SidForm::Uuid)),
                "{}",
                call.as_str()
            );
        }
        for other in [
            "CAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            "00000000-0000-4000-8000-000000000001",
            "v3:short",
            "v3:AAAAAAAAAAAAAAAAAAAAAB",
        ] {
            let call = CallSid::parse(other).unwrap();
            assert_eq!(legacy_call_sid(&call), None, "{other}");
        }
    }
}
