//! The CMSDK APB UART of the MPS2 boards (ARM DDI 0479C, 4.5), polled:
//! `embedded-io-async` Read and Write for the TLS session to run on. QEMU
//! connects each UART to a character device (`-serial tcp:HOST:PORT`).
//!
//! The waits spin on the status register without yielding: the firmware
//! has one connection at a time, and the mock clock of embassy-time must
//! not run ahead while the host is computing its answer.

use core::convert::Infallible;

use embedded_io_async::{ErrorType, Read, Write};

/// Data register (one byte each way).
const DATA: usize = 0x00;
/// State: bit 0 TX buffer full, bit 1 RX buffer full.
const STATE: usize = 0x04;
/// Control: bit 0 TX enable, bit 1 RX enable.
const CTRL: usize = 0x08;
/// Baud rate divisor (QEMU refuses to move bytes below 16).
const BAUDDIV: usize = 0x10;

const TX_FULL: u32 = 1 << 0;
const RX_FULL: u32 = 1 << 1;

/// UART0..UART4 of the AN385/AN386 (QEMU's `-serial` order).
pub const UART_BASES: [usize; 5] = [
    0x4000_4000,
    0x4000_5000,
    0x4000_6000,
    0x4000_7000,
    0x4000_9000,
];

/// One UART, enabled both ways.
pub struct Uart {
    base: usize,
}

impl Uart {
    /// Enables the UART at `base` (one of [`UART_BASES`]).
    pub fn new(base: usize) -> Self {
        let uart = Self { base };
        // 25 MHz / 115 200 baud; QEMU moves bytes at its own pace anyway.
        uart.write_reg(BAUDDIV, 217);
        uart.write_reg(CTRL, 0b11);
        uart
    }

    fn read_reg(&self, offset: usize) -> u32 {
        // SAFETY: a CMSDK UART register of the board's memory map: aligned,
        // device memory, no other owner (one `Uart` per base).
        unsafe { ((self.base + offset) as *const u32).read_volatile() }
    }

    fn write_reg(&self, offset: usize, value: u32) {
        // SAFETY: as in `read_reg`.
        unsafe { ((self.base + offset) as *mut u32).write_volatile(value) }
    }
}

impl ErrorType for Uart {
    type Error = Infallible;
}

impl Read for Uart {
    /// Waits for a first byte, then takes what else is already there.
    async fn read(&mut self, buf: &mut [u8]) -> Result<usize, Infallible> {
        let mut n = 0;
        for slot in buf.iter_mut() {
            if n == 0 {
                while self.read_reg(STATE) & RX_FULL == 0 {}
            } else if self.read_reg(STATE) & RX_FULL == 0 {
                // Give the host a moment to refill before returning short.
                let mut spins = 0;
                while self.read_reg(STATE) & RX_FULL == 0 && spins < 2_000 {
                    spins += 1;
                }
                if spins == 2_000 {
                    break;
                }
            }
            *slot = self.read_reg(DATA) as u8;
            n += 1;
        }
        Ok(n)
    }
}

impl Write for Uart {
    async fn write(&mut self, buf: &[u8]) -> Result<usize, Infallible> {
        for &byte in buf {
            while self.read_reg(STATE) & TX_FULL != 0 {}
            self.write_reg(DATA, u32::from(byte));
        }
        Ok(buf.len())
    }

    async fn flush(&mut self) -> Result<(), Infallible> {
        while self.read_reg(STATE) & TX_FULL != 0 {}
        Ok(())
    }
}
