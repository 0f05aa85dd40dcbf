//! Log lines through `defmt` with the `defmt` feature; nothing without it.

#[cfg(feature = "defmt")]
macro_rules! debug {
    ($($t:tt)*) => { defmt::debug!($($t)*) };
}

#[cfg(not(feature = "defmt"))]
macro_rules! debug {
    ($fmt:literal $(, $arg:expr)* $(,)?) => {{ $( let _ = &$arg; )* }};
}

#[cfg(feature = "defmt")]
macro_rules! log_warn {
    ($($t:tt)*) => { defmt::warn!($($t)*) };
}

#[cfg(not(feature = "defmt"))]
macro_rules! log_warn {
    ($fmt:literal $(, $arg:expr)* $(,)?) => {{ $( let _ = &$arg; )* }};
}

pub(crate) use {debug as log_debug, log_warn};
