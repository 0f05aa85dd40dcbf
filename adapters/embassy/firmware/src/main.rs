//! confpart-embassy on an emulated Cortex-M3 (`qemu-system-arm -machine
//! lm3s6965evb`, `thumbv7m-none-eabi`), on `embassy-executor`.
//!
//! A client task sends every recipe through `confpart_embassy::Client` to a
//! bridge task that answers with the core's bridge service
//! (`confpart::bridge::Service`: route, auth, form decode, the conference's
//! update rules, the participant writer), once as Twilio (Basic auth, `.json`
//! paths, `CA…` SIDs) and once as Telnyx (Bearer auth, `/v2/texml` paths, `v3:`
//! call ids, Telnyx's answers and error bodies); the two are
//! joined by an in-memory `embedded-io-async` pipe (two
//! `embassy_sync::pipe::Pipe`s). The client checks each decoded
//! participant, then the firmware reports each task's stack high-water mark
//! (stack painting) and exits through semihosting with the result. All
//! output is `defmt` (over semihosting), decoded on the host by
//! `defmt-print` (`scripts/qemu-selftest`).
#![no_std]
#![no_main]

mod stack;

use core::convert::Infallible;
use core::pin::pin;
use core::sync::atomic::{AtomicUsize, Ordering};

use confpart::api::create::Create;
use confpart::api::participant::{Participant, Status};
use confpart::api::path::{Dialect, Endpoint};
use confpart::api::update::Update;
use confpart::bridge;
use confpart::bridge::{Account, Service};
use confpart::bridge::{ConferenceRef, SequentialIds, Timing};
use confpart::client::{Credentials, Operation, Request};
use confpart::wire::date::Timestamp;
use confpart::wire::http::{Connection, HeaderField, Progress, RequestReader};
use confpart::wire::ident::{AccountSid, CallSid, ConferenceSid, ParticipantRef};
use confpart::wire::sink::SliceSink;
use confpart_embassy::{Client, Config, Connection as Link};
use defmt::{error, info};
use defmt_semihosting as _;
use embassy_executor::Spawner;
use embassy_sync::blocking_mutex::raw::CriticalSectionRawMutex;
use embassy_sync::pipe::Pipe;
use embassy_sync::signal::Signal;
use embassy_time::{Duration, Instant, MockDriver};
use embedded_io_async::{ErrorType, Read, Write};
use stack::Measured;

const AC: &str = "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const TOKEN: &str = "0123456789abcdef0123456789abcdef";
/// The Telnyx round's account and its API key (the Bearer token).
const TELNYX_ACCOUNT: &str = "61bf923e-5e4d-4595-a110-56190ea18a1b";
const TELNYX_KEY: &str = "KEY0123456789ABCDEF_firmware";

/// The rounds, in order: every recipe in each dialect.
const DIALECTS: [Dialect; 2] = [Dialect::Twilio, Dialect::Telnyx];
/// Exchanges per round: 8 recipes and the one retry after the 429.
const EXCHANGES: u32 = 9;

/// The account and secret of `dialect`'s round.
const fn account_of(dialect: Dialect) -> (&'static str, &'static str) {
    match dialect {
        Dialect::Telnyx => (TELNYX_ACCOUNT, TELNYX_KEY),
        _ => (AC, TOKEN),
    }
}

/// The client's buffers (what a desk phone would give it).
const CLIENT_RX: usize = 1024;
const CLIENT_TX: usize = 768;
/// Pipe capacity each way (a socket's buffer).
const PIPE: usize = 256;

static TO_BRIDGE: Pipe<CriticalSectionRawMutex, PIPE> = Pipe::new();
static TO_CLIENT: Pipe<CriticalSectionRawMutex, PIPE> = Pipe::new();

/// The conference the bridge set up, told to the client.
#[derive(Clone, Copy)]
struct Room {
    dialect: Dialect,
    conference: ConferenceSid,
    agent: CallSid,
    customer: CallSid,
}

static ROOM: Signal<CriticalSectionRawMutex, Room> = Signal::new();

static CLIENT_STACK: AtomicUsize = AtomicUsize::new(0);
static BRIDGE_STACK: AtomicUsize = AtomicUsize::new(0);

/// One end of the in-memory connection.
struct End {
    rx: &'static Pipe<CriticalSectionRawMutex, PIPE>,
    tx: &'static Pipe<CriticalSectionRawMutex, PIPE>,
}

impl ErrorType for End {
    type Error = Infallible;
}

impl Read for End {
    async fn read(&mut self, buf: &mut [u8]) -> Result<usize, Infallible> {
        Ok(self.rx.read(buf).await)
    }
}

impl Write for End {
    async fn write(&mut self, buf: &[u8]) -> Result<usize, Infallible> {
        Ok(self.tx.write(buf).await)
    }

    async fn flush(&mut self) -> Result<(), Infallible> {
        Ok(())
    }
}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    error!("embassy selftest: panic");
    semihosting::process::exit(1)
}

fn now() -> Option<Timestamp> {
    Timestamp::from_unix(1_700_000_000)
}

/// Each service's answer when busy: the bridge gives it to the first
/// request of each round.
const TOO_MANY: &[u8] = br#"{"code": 20429, "message": "Too Many Requests", "more_info": "https://www.twilio.com/docs/errors/20429", "status": 429}"#;
const TOO_MANY_TELNYX: &[u8] =
    br#"{"errors":[{"code":"10011","title":"Too many requests","detail":"Too Many Requests"}]}"#;

async fn bridge_main(mut end: End) -> Option<()> {
    for dialect in DIALECTS {
        serve_round(&mut end, dialect).await?;
    }
    Some(())
}

/// One round: the core's bridge service answering as `dialect`, with one
/// account and one conference ("room") of two participants (connected as
/// soon as the first request ticks it), for [`EXCHANGES`] requests.
async fn serve_round(end: &mut End, dialect: Dialect) -> Option<()> {
    let (ac, secret) = account_of(dialect);
    let account = AccountSid::parse(ac).ok()?;
    let accounts = [Account::new(account, secret)];
    let mut service: Service<'_, 1, 4> = Service::new(dialect, Timing::IMMEDIATE, &accounts);
    let mut ids = SequentialIds::new();
    let now = now()?;
    let set = service.conferences_mut();
    let agent = set
        .create(
            &account,
            ConferenceRef::parse("room"),
            &Create::new("+15550001", "+15550100"),
            now,
            &mut ids,
        )
        .ok()?;
    let customer = set
        .create(
            &account,
            ConferenceRef::Sid(agent.conference),
            &Create::new("+15550002", "+15550100"),
            now,
            &mut ids,
        )
        .ok()?;
    ROOM.signal(Room {
        dialect,
        conference: agent.conference,
        agent: agent.call,
        customer: customer.call,
    });
    let busy = match dialect {
        Dialect::Telnyx => TOO_MANY_TELNYX,
        _ => TOO_MANY,
    };
    let mut scratch = [0u8; 256];
    let mut rx = [0u8; 1024];
    let mut tx = [0u8; 1024];
    let mut chunk = [0u8; 128];
    let mut busy_once = false;
    for _ in 0..EXCHANGES {
        let mut reader = RequestReader::new(&mut rx);
        let mut sink = SliceSink::new(&mut tx);
        loop {
            let n = end.read(&mut chunk).await.ok()?;
            match reader.feed(chunk.get(..n)?) {
                Ok(Progress::Partial) => {}
                Ok(Progress::Complete(_)) if !busy_once => {
                    busy_once = true;
                    let retry = [HeaderField::new("Retry-After", "1")];
                    bridge::write_response(&mut sink, 429, busy, Connection::KeepAlive, &retry)
                        .ok()?;
                    break;
                }
                Ok(Progress::Complete(m)) => {
                    service
                        .handle(&m, now, &mut ids, &mut scratch, &mut sink)
                        .ok()?;
                    break;
                }
                Err(e) => {
                    Service::<1, 4>::reject_in(dialect, &e, &mut sink).ok()?;
                    break;
                }
            }
        }
        let n = sink.len();
        end.write_all(tx.get(..n)?).await.ok()?;
    }
    Some(())
}

#[embassy_executor::task]
async fn bridge_task(end: End) {
    let fut = pin!(bridge_main(end));
    info!(
        "embassy: bridge task future {=usize} B",
        core::mem::size_of_val(&*fut)
    );
    if Measured::new(fut, &BRIDGE_STACK).await.is_none() {
        error!("embassy: bridge stopped");
        semihosting::process::exit(1);
    }
}

type Check = fn(&Participant<'_>, &CallSid) -> bool;

async fn client_main(end: End) -> u32 {
    let mut rx = [0u8; CLIENT_RX];
    let mut tx = [0u8; CLIENT_TX];
    let mut client = Client::new(&mut rx, &mut tx, Config::DEFAULT);
    let mut link = Some(Link::new(end));
    let mut failed = 0;
    for (i, dialect) in DIALECTS.into_iter().enumerate() {
        failed += round(&mut client, &mut link, dialect, i == 0).await;
    }
    info!(
        "embassy selftest: {=u32} passed, {=u32} failed",
        (8 * DIALECTS.len() as u32).saturating_sub(failed),
        failed
    );
    failed
}

/// Every recipe in the dialect the bridge set its room up in; the failures.
async fn round(
    client: &mut Client<'_>,
    link: &mut Option<Link<End>>,
    dialect: Dialect,
    first: bool,
) -> u32 {
    let Room {
        dialect: room_dialect,
        conference,
        agent,
        customer,
    } = ROOM.wait().await;
    let (ac, secret) = account_of(dialect);
    let credentials = match dialect {
        Dialect::Telnyx => Credentials::bearer(secret),
        _ => Credentials::new(ac, secret),
    };
    let (Ok(account), Ok(credentials)) = (AccountSid::parse(ac), credentials) else {
        return 1;
    };
    if room_dialect != dialect {
        error!(
            "embassy: the bridge set up {}, not {}",
            room_dialect, dialect
        );
        return 1;
    }
    let endpoint = match dialect {
        Dialect::Telnyx => Endpoint::telnyx(),
        _ => Endpoint::twilio(),
    };
    let who = ParticipantRef::Call(agent);
    let recipes: [(&str, Update<'_>, Check); 8] = [
        ("update", Update::new().muted(true).hold(false), |p, _| {
            p.muted() == Some(true) && p.hold() == Some(false)
        }),
        ("coach", Update::coach(customer), |p, c| {
            p.coaching() == Some(true)
                && p.call_sid_to_coach() == Some(c)
                && p.muted() == Some(false)
        }),
        ("monitor", Update::monitor(customer), |p, c| {
            p.coaching() == Some(true)
                && p.call_sid_to_coach() == Some(c)
                && p.muted() == Some(true)
        }),
        ("barge", Update::barge(), |p, _| {
            p.coaching() == Some(false) && p.muted() == Some(false)
        }),
        ("mute", Update::mute(), |p, _| p.muted() == Some(true)),
        (
            "hold with music",
            Update::hold_with_music("https://music.example.com/hold.mp3"),
            |p, _| p.hold() == Some(true),
        ),
        ("unhold", Update::unhold(), |p, _| p.hold() == Some(false)),
        (
            "announce",
            Update::announce("https://hooks.example.com/announce.xml"),
            |p, _| p.status() == Some(Status::Connected),
        ),
    ];
    if first {
        // The size of one round trip's future (never polled: a stand-in
        // connection on the same pipes is moved in and dropped).
        let stand_in = Link::new(End {
            rx: &TO_CLIENT,
            tx: &TO_BRIDGE,
        });
        let probe = Request::new(
            endpoint,
            credentials,
            account,
            conference,
            Operation::update(&who, Update::mute()),
        );
        let send = client.send(stand_in, &probe);
        info!(
            "embassy: Client::send future {=usize} B",
            core::mem::size_of_val(&send)
        );
        drop(send);
    }
    let mut failed = 0;
    let before = link.as_ref().map_or(0, |l| l.exchanges());
    let started = Instant::now();
    for (name, update, check) in recipes {
        let Some(connection) = link.take() else {
            error!("embassy: {}: {=str}: no connection left", dialect, name);
            failed += 1;
            continue;
        };
        let request = Request::new(
            endpoint,
            credentials,
            account,
            conference,
            Operation::update(&who, update),
        );
        match client.send(connection, &request).await {
            Ok(mut reply) => {
                *link = reply.take_connection();
                // The bridge is busy once a round: the first request is
                // answered 429 with `Retry-After: 1`, waited for, and sent again.
                let expected = if name == "update" { 2 } else { 1 };
                if reply.attempts() != expected {
                    error!(
                        "embassy: {}: {=str}: {=u8} attempts",
                        dialect,
                        name,
                        reply.attempts()
                    );
                    failed += 1;
                } else if expected == 2 {
                    info!(
                        "embassy: {}: {=str}: 429 Retry-After: 1 waited for ({=u64} ms of mock time), sent again",
                        dialect,
                        name,
                        Instant::now().duration_since(started).as_millis()
                    );
                }
                match reply.participant() {
                    Ok(p) if p.call_sid() == Some(&agent) && check(&p, &customer) => info!(
                        "embassy: {}: {=str} ok (muted {}, hold {}, coaching {})",
                        dialect,
                        name,
                        p.muted(),
                        p.hold(),
                        p.coaching()
                    ),
                    Ok(p) => {
                        error!("embassy: {}: {=str}: unexpected {}", dialect, name, p);
                        failed += 1;
                    }
                    Err(e) => {
                        error!("embassy: {}: {=str}: {}", dialect, name, e);
                        failed += 1;
                    }
                }
            }
            Err(f) => {
                error!("embassy: {}: {=str}: {}", dialect, name, f.error);
                *link = f.connection;
                failed += 1;
            }
        }
    }
    let exchanges = link.as_ref().map_or(0, |l| l.exchanges()) - before;
    info!(
        "embassy: {}: {=u32} exchanges (8 recipes, 1 retry) on one kept-alive connection",
        dialect, exchanges
    );
    if exchanges != EXCHANGES {
        failed += 1;
    }
    failed
}

#[embassy_executor::task]
async fn client_task(end: End) {
    let fut = pin!(client_main(end));
    info!(
        "embassy: client task future {=usize} B (rx {=usize} B and tx {=usize} B inside)",
        core::mem::size_of_val(&*fut),
        CLIENT_RX,
        CLIENT_TX
    );
    let failed = Measured::new(fut, &CLIENT_STACK).await;
    info!(
        "embassy: stack high-water: client task {=usize} B, bridge task {=usize} B, main stack {=usize} B of {=usize} B",
        CLIENT_STACK.load(Ordering::Relaxed),
        BRIDGE_STACK.load(Ordering::Relaxed),
        stack::main_high_water(),
        stack::top() - stack::bottom()
    );
    semihosting::process::exit(if failed == 0 { 0 } else { 1 })
}

/// The board has no timer driver here: embassy-time's mock driver is
/// advanced 10 ms per turn of the executor (timeouts and `Retry-After`
/// waits run on this clock).
#[embassy_executor::task]
async fn clock_task() {
    loop {
        MockDriver::get().advance(Duration::from_millis(10));
        embassy_futures::yield_now().await;
    }
}

#[embassy_executor::main]
async fn main(spawner: Spawner) {
    stack::paint_all();
    info!("embassy: confpart-embassy selftest on embassy-executor (Cortex-M3, qemu)");
    let bridge = bridge_task(End {
        rx: &TO_BRIDGE,
        tx: &TO_CLIENT,
    });
    let client = client_task(End {
        rx: &TO_CLIENT,
        tx: &TO_BRIDGE,
    });
    match (bridge, client, clock_task()) {
        (Ok(bridge), Ok(client), Ok(clock)) => {
            spawner.spawn(bridge);
            spawner.spawn(client);
            spawner.spawn(clock);
        }
        _ => {
            error!("embassy: the tasks could not be spawned");
            semihosting::process::exit(1);
        }
    }
}
