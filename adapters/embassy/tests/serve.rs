//! The generic client against `confpart serve` (the host adapter's threaded
//! bridge server, started in-process on a loopback port) over a real tokio
//! `TcpStream` through `FromTokio`: every recipe on one kept-alive
//! connection, then a refused update (16027).
use confpart::api::path::PathStyle;
use confpart::api::path::{Dialect, Endpoint};
use confpart::api::update::Update;
use confpart::bridge::Timing;
use confpart::client::{ClientError, Credentials, Operation, Request};
use confpart::wire::ident::{AccountSid, CallSid, ConferenceSid, ParticipantRef};
use confpart_embassy::{Client, Config, Connection, Duration, Error};
use confpart_std::bridge::{BridgeConfig, start};
use confpart_std::config::Secret;
use confpart_std::server::ServerOptions;
use embedded_io_adapters::tokio_1::FromTokio;

const AC: &str = "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const TOKEN: &str = "0123456789abcdef0123456789abcdef";

#[tokio::test]
async fn every_recipe_against_confpart_serve() {
    let config = BridgeConfig {
        dialect: confpart::api::path::Dialect::Twilio,
        timing: Timing::IMMEDIATE,
        accounts: vec![(AC.to_owned(), Secret::new(TOKEN))],
        limits: confpart::bridge::Limits::TWILIO,
    };
    let running = start(&config, ServerOptions::new(([127, 0, 0, 1], 0).into())).unwrap();
    let (conference, calls) = running
        .bridge
        .demo_conference(AC, "room", &["agent", "customer"])
        .unwrap();
    let conference = ConferenceSid::parse(&conference).unwrap();
    let agent_sid = CallSid::parse(&calls[0]).unwrap();
    let agent = ParticipantRef::Call(agent_sid);
    let customer = CallSid::parse(&calls[1]).unwrap();
    let host = running.addr.to_string();
    let endpoint = Endpoint::custom(Dialect::Twilio, &host, PathStyle::Twilio).unwrap();
    let request = |operation| {
        Request::new(
            endpoint,
            Credentials::new(AC, TOKEN).unwrap(),
            AccountSid::parse(AC).unwrap(),
            conference,
            operation,
        )
    };

    let (mut rx, mut tx) = ([0u8; 4096], [0u8; 1024]);
    let mut client = Client::new(
        &mut rx,
        &mut tx,
        Config {
            timeout: Duration::from_millis(5_000),
            ..Config::DEFAULT
        },
    );
    let stream = tokio::net::TcpStream::connect(running.addr).await.unwrap();
    let mut conn = Connection::new(FromTokio::new(stream));
    let recipes: [(&str, Update<'_>); 8] = [
        ("update", Update::new().muted(true).hold(false)),
        ("coach", Update::coach(customer)),
        ("monitor", Update::monitor(customer)),
        ("barge", Update::barge()),
        ("mute", Update::mute()),
        (
            "hold with music",
            Update::hold_with_music("https://music.example.com/hold.mp3"),
        ),
        ("unhold", Update::unhold()),
        (
            "announce",
            Update::announce("https://hooks.example.com/announce.xml"),
        ),
    ];
    for (name, update) in recipes {
        let expected = update;
        let mut reply = client
            .send(conn, &request(Operation::update(&agent, update)))
            .await
            .unwrap();
        let p = reply.participant().unwrap();
        assert_eq!(p.call_sid(), Some(&agent_sid), "{name}");
        if let Some(muted) = expected.muted {
            assert_eq!(p.muted(), Some(muted), "{name}");
        }
        if let Some(hold) = expected.hold {
            assert_eq!(p.hold(), Some(hold), "{name}");
        }
        if let Some(coaching) = expected.coaching {
            assert_eq!(p.coaching(), Some(coaching), "{name}");
        }
        conn = reply.take_connection().expect("kept alive");
    }
    assert_eq!(conn.exchanges(), 8);

    // The customer on hold: coaching it is refused with the service's 16027.
    let held = ParticipantRef::Call(customer);
    let mut reply = client
        .send(
            conn,
            &request(Operation::update(&held, Update::new().hold(true))),
        )
        .await
        .unwrap();
    assert_eq!(reply.participant().unwrap().hold(), Some(true));
    conn = reply.take_connection().unwrap();
    let reply = client
        .send(
            conn,
            &request(Operation::update(&agent, Update::coach(customer))),
        )
        .await
        .unwrap();
    assert!(matches!(
        reply.participant(),
        Err(Error::Response(ClientError::Service {
            status: 400,
            code: Some(16027),
            ..
        }))
    ));
    drop(reply);
    running.stop();
}
