//! confpart-embassy over verified TLS 1.3 on an emulated Cortex-M4
//! (`qemu-system-arm -machine mps2-an386`, `thumbv7em-none-eabihf`), on
//! `embassy-executor`.
//!
//! Three of the board's CMSDK UARTs are connected by QEMU to host TCP
//! sockets where `confpart serve --tls-cert/--tls-key` answers
//! (`scripts/qemu-selftest`): UART0 to a server with an RSA-2048 chain
//! (root → intermediate → leaf, DigiCert-shaped), UART1 to one with an
//! ECDSA P-256 chain, UART2 to one whose certificate for the service's name
//! was signed by another leaf (the forged chain). On each, the firmware
//! runs the TLS 1.3 handshake with `confpart_embassy::verify` (both roots
//! as trust anchors, the host's clock through semihosting as the RTC); on
//! the first two it sends an Update and reads the participant back; the
//! third must be refused with `VerifyError::IssuerNotCa`. It reports the
//! heap and stack high-water marks of each round trip and exits through
//! semihosting with the result. Output is `defmt` over semihosting.
//!
//! The conference and participant SIDs come from the host as semihosting
//! arguments (`confpart serve --demo-conference` makes them at random).
#![no_std]
#![no_main]

#[cfg(feature = "rsa")]
mod heap;
#[cfg(not(feature = "rsa"))]
mod heap {
    //! No RSA, no heap.
    pub const HEAP_BYTES: usize = 0;
    pub fn init() {}
    pub fn reset_peak() {}
    pub fn peak() -> usize {
        0
    }
}
#[path = "../../firmware/src/stack.rs"]
mod stack;
mod uart;

use core::pin::pin;
use core::sync::atomic::{AtomicUsize, Ordering};

use confpart::api::path::{Dialect, Endpoint, PathStyle};
use confpart::api::update::Update;
use confpart::client::{Credentials, Operation, Request};
use confpart::wire::ident::{AccountSid, CallSid, ConferenceSid, ParticipantRef};
use confpart_embassy::net::{TlsVerify, open_tls};
use confpart_embassy::verify::{Clock, TrustAnchor, UnixClock, VerifyError, anchor_from_cert};
use confpart_embassy::{Client, Config, Connection, Error};
use defmt::{error, info};
use defmt_semihosting as _;
use embassy_executor::Spawner;
use embassy_time::{Duration, MockDriver};
use rand_core::SeedableRng;
use stack::Measured;
use uart::{UART_BASES, Uart};

const AC: &str = "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const TOKEN: &str = "0123456789abcdef0123456789abcdef";
/// The name on the test certificates (SNI, SAN check, Host header).
const HOST: &str = "api.twilio.test";

/// The TLS record buffers: a whole record in (any server may send 16 KiB
/// records); out, the largest request plus record overhead (embedded-tls
/// writes the handshake through the larger of the two).
const READ_RECORD: usize = 16_640;
const WRITE_RECORD: usize = 1_024;
/// The client's buffers (what a desk phone would give it).
const CLIENT_RX: usize = 1024;
const CLIENT_TX: usize = 768;

/// The roots the test chains end in (`pki/`), the firmware's anchors.
static RSA_ROOT: &[u8] = include_bytes!("../pki/rsa-root.der");
static ECDSA_ROOT: &[u8] = include_bytes!("../pki/ecdsa-root.der");

static STACK: AtomicUsize = AtomicUsize::new(0);

#[panic_handler]
fn panic(info: &core::panic::PanicInfo<'_>) -> ! {
    error!("tls selftest: panic: {}", defmt::Display2Format(info));
    semihosting::process::exit(1)
}

/// What one server is expected to do.
#[derive(Clone, Copy, PartialEq, Eq, defmt::Format)]
enum Expect {
    /// The handshake verifies; an Update comes back with the participant.
    RoundTrip,
    /// The chain is refused with this error.
    Refused(VerifyError),
    /// The handshake fails before the chain is seen (no signature scheme
    /// in common).
    HandshakeFails,
}

struct Target {
    conference: ConferenceSid,
    agent: CallSid,
}

/// One TLS session on `uart`: handshake, then (for a round trip) one Update.
async fn session(
    uart: Uart,
    anchors: &[TrustAnchor<'_>],
    target: &Target,
    rng: &mut rand_chacha::ChaCha20Rng,
) -> Result<(), Error<embedded_tls::TlsError>> {
    let mut read_record = [0u8; READ_RECORD];
    let mut write_record = [0u8; WRITE_RECORD];
    // The host's clock through semihosting stands in for an RTC.
    let now = semihosting::sys::arm_compat::sys_time().unwrap_or(0) as u64;
    let verify = TlsVerify::Anchors(anchors, UnixClock(now).validity());
    let tls = open_tls(uart, &mut read_record, &mut write_record, HOST, verify, rng).await?;
    info!("tls: handshake verified");

    let (Ok(account), Ok(credentials)) = (AccountSid::parse(AC), Credentials::new(AC, TOKEN))
    else {
        return Err(Error::Incomplete);
    };
    let Ok(endpoint) = Endpoint::custom(Dialect::Twilio, HOST, PathStyle::Twilio) else {
        return Err(Error::Incomplete);
    };
    let who = ParticipantRef::Call(target.agent);
    let request = Request::new(
        endpoint,
        credentials,
        account,
        target.conference,
        Operation::update(&who, Update::mute()),
    );
    let mut rx = [0u8; CLIENT_RX];
    let mut tx = [0u8; CLIENT_TX];
    let mut client = Client::new(&mut rx, &mut tx, Config::DEFAULT);
    let reply = client
        .send(Connection::new(tls), &request)
        .await
        .map_err(|f| f.error)?;
    let participant = reply.participant()?;
    if participant.call_sid() == Some(&target.agent) && participant.muted() == Some(true) {
        info!("tls: Update answered: {}", participant);
        Ok(())
    } else {
        error!("tls: unexpected participant {}", participant);
        Err(Error::Mismatch)
    }
}

async fn selftest() -> u32 {
    // Each server made its own demo conference: a conference SID and an
    // agent SID per server, in UART order.
    let mut targets: [Option<Target>; 3] = [None, None, None];
    let args = semihosting::experimental::env::args::<512>();
    if let Err(e) = &args {
        error!("args: {}", defmt::Debug2Format(e));
    }
    if let Ok(args) = args {
        let mut it = (&args).skip(1);
        for slot in &mut targets {
            if let (Some(Ok(c)), Some(Ok(a))) = (it.next(), it.next())
                && let (Ok(conference), Ok(agent)) = (ConferenceSid::parse(c), CallSid::parse(a))
            {
                *slot = Some(Target { conference, agent });
            }
        }
    }
    let (Ok(rsa_root), Ok(ecdsa_root)) = (anchor_from_cert(RSA_ROOT), anchor_from_cert(ECDSA_ROOT))
    else {
        error!("tls selftest: the built-in roots do not parse");
        return 1;
    };
    let anchors = [rsa_root, ecdsa_root];
    // Entropy from the host (a product seeds from its TRNG).
    let mut seed = [0u8; 32];
    if semihosting::experimental::random::fill_bytes(&mut seed).is_err() {
        error!("tls selftest: no entropy from the host");
        return 1;
    }
    let mut rng = rand_chacha::ChaCha20Rng::from_seed(seed);

    let scenarios = [
        #[cfg(feature = "rsa")]
        ("RSA-2048 chain", Expect::RoundTrip),
        // Without RSA no RSA scheme is offered: the server has none to sign with.
        #[cfg(not(feature = "rsa"))]
        ("RSA-2048 chain", Expect::HandshakeFails),
        ("ECDSA P-256 chain", Expect::RoundTrip),
        (
            "forged chain (leaf signed by a leaf)",
            Expect::Refused(VerifyError::IssuerNotCa),
        ),
    ];
    let mut failed = 0;
    for (i, (name, expect)) in scenarios.into_iter().enumerate() {
        let (Some(&base), Some(Some(target))) = (UART_BASES.get(i), targets.get(i)) else {
            error!(
                "tls selftest: give a conference and an agent SID per server as semihosting arguments"
            );
            return 1;
        };
        heap::reset_peak();
        STACK.store(0, Ordering::Relaxed);
        let fut = pin!(session(Uart::new(base), &anchors, target, &mut rng));
        let future_bytes = core::mem::size_of_val(&*fut);
        let result = Measured::new(fut, &STACK).await;
        let got = match result {
            Ok(()) => Expect::RoundTrip,
            Err(Error::Certificate(e)) => Expect::Refused(e),
            Err(Error::Tls(e)) if expect == Expect::HandshakeFails => {
                info!("tls: {=str}: {}", name, e);
                Expect::HandshakeFails
            }
            Err(e) => {
                error!("tls: {=str}: {}", name, e);
                failed += 1;
                continue;
            }
        };
        if got == expect {
            info!(
                "tls: {=str}: {} as expected; heap peak {=usize} B (of {=usize} B), stack high-water {=usize} B, session future {=usize} B",
                name,
                got,
                heap::peak(),
                heap::HEAP_BYTES,
                STACK.load(Ordering::Relaxed),
                future_bytes
            );
        } else {
            error!("tls: {=str}: {} instead of {}", name, got, expect);
            failed += 1;
        }
    }
    info!(
        "tls selftest: {=u32} passed, {=u32} failed",
        (scenarios.len() as u32).saturating_sub(failed),
        failed
    );
    failed
}

#[embassy_executor::task]
async fn selftest_task() {
    let failed = selftest().await;
    info!(
        "tls: main stack high-water {=usize} B of {=usize} B",
        stack::main_high_water(),
        stack::top() - stack::bottom()
    );
    semihosting::process::exit(if failed == 0 { 0 } else { 1 })
}

/// No timer driver on the emulated board: embassy-time's mock driver
/// advances 1 ms per turn of the executor (the UART waits do not yield, so
/// time stands still while the host answers).
#[embassy_executor::task]
async fn clock_task() {
    loop {
        MockDriver::get().advance(Duration::from_millis(1));
        embassy_futures::yield_now().await;
    }
}

#[embassy_executor::main]
async fn main(spawner: Spawner) {
    stack::paint_all();
    heap::init();
    info!("tls: confpart-embassy verified TLS 1.3 selftest (Cortex-M4, qemu mps2-an386)");
    match (selftest_task(), clock_task()) {
        (Ok(selftest), Ok(clock)) => {
            spawner.spawn(selftest);
            spawner.spawn(clock);
        }
        _ => {
            error!("tls: the tasks could not be spawned");
            semihosting::process::exit(1);
        }
    }
}
