//! A list of values in order, of fixed or growing capacity ([`Slots`]): what
//! a conference's participants are kept in. The core implements it for
//! `heapless::Vec<T, N>` (no heap); a host implements it for a growable
//! vector ([`crate::bridge::Table`] says which one a store uses).

use core::ops::DerefMut;

/// A list of values in order, of fixed or growing capacity.
///
/// ```
/// use confpart::bridge::Slots;
/// let mut v: heapless::Vec<u8, 2> = heapless::Vec::new();
/// assert!(Slots::try_push(&mut v, 1).is_ok());
/// assert!(Slots::try_push(&mut v, 2).is_ok());
/// assert_eq!(Slots::try_push(&mut v, 3), Err(3));
/// assert!(Slots::is_full(&v));
/// ```
pub trait Slots<T>: Default + DerefMut<Target = [T]> {
    /// Appends `value`, or gives it back when there is no room.
    fn try_push(&mut self, value: T) -> Result<(), T>;
    /// Keeps the values `keep` accepts, in order.
    fn retain<F: FnMut(&T) -> bool>(&mut self, keep: F);
    /// True when another push would fail.
    fn is_full(&self) -> bool;
    /// True when the final (not live) values among `len()` should be
    /// dropped now, `live` of them being live: a fixed list prunes when it
    /// is full (a final participant stays renderable as long as there is
    /// room); a growable one before the final ones outnumber the live ones,
    /// so that its memory follows the live participants.
    fn prune_due(&self, live: usize) -> bool {
        let _ = live;
        self.is_full()
    }
    /// Gives spare memory back (a growable list shrinks; a fixed one has
    /// nothing to give).
    fn release(&mut self) {}
}

impl<T, const N: usize> Slots<T> for heapless::Vec<T, N> {
    fn try_push(&mut self, value: T) -> Result<(), T> {
        self.push(value)
    }

    fn retain<F: FnMut(&T) -> bool>(&mut self, keep: F) {
        heapless::Vec::retain(self, keep);
    }

    fn is_full(&self) -> bool {
        heapless::Vec::is_full(self)
    }
}
