//! Baseline: the same runtime (cortex-m-rt, vector table, panic handler)
//! with no confpart code. `scripts/size-report` subtracts it to give the
//! flash a path costs on top of any firmware. Like every probe, it exits
//! through semihosting, so the exit code is part of the baseline too.
#![no_std]
#![no_main]

use confpart_probes::exit;
use cortex_m_rt::entry;

#[entry]
fn main() -> ! {
    exit(core::hint::black_box(true))
}
