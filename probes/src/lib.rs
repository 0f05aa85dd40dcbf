//! Shared bits of the probes: the panic handler (a hand-written loop, so no
//! panic crate and no formatting machinery are linked in) and the inputs.
#![no_std]

/// Halts on panic. confpart has no panicking paths; this only satisfies
/// the linker.
#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    loop {
        core::hint::spin_loop();
    }
}

/// Account SID of the probes.
pub const AC: &str = "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
/// Conference SID.
pub const CF: &str = "CFaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
/// The participant.
pub const CA: &str = "CAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
/// The coached participant.
pub const CB: &str = "CAbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
/// The auth token.
pub const TOKEN: &str = "0123456789abcdef0123456789abcdef";

/// Twilio's answer to an Update (read until the connection closes).
pub static RESPONSE: &[u8] = concat!(
    "HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=utf-8\r\nConnection: close\r\n\r\n",
    include_str!("../../tests/fixtures/twilio-update-mute.json")
)
.as_bytes();

/// Request buffer of the client (the full 12-field update fits).
pub const CLIENT_TX: usize = 768;
/// Response buffer of the client (head + participant body).
pub const CLIENT_RX: usize = 1024;
/// Request buffer of the bridge (head + form body).
pub const BRIDGE_RX: usize = 1024;
/// Decoded-form scratch of the bridge.
pub const BRIDGE_SCRATCH: usize = 256;
/// Response buffer of the bridge (head + participant body).
pub const BRIDGE_TX: usize = 1024;
/// JSON scratch of the bridge's response writer.
pub const BRIDGE_JSON: usize = 896;
