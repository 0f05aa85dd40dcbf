//! Baseline: the same runtime (cortex-m-rt, vector table, panic handler)
//! with no confpart code. `scripts/size-report` subtracts it to give the
//! flash a path costs on top of any firmware.
#![no_std]
#![no_main]

use confpart_probes as _;
use cortex_m_rt::entry;

#[entry]
fn main() -> ! {
    let mut x = 0u32;
    loop {
        x = core::hint::black_box(x.wrapping_add(1));
    }
}
