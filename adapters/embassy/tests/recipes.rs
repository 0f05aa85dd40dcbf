//! Every recipe and all five operations, end to end: confpart-embassy's
//! client over tokio (`embedded-io-adapters`' `FromTokio`) against a bridge
//! task answering with the core's bridge service, on one kept-alive
//! connection.
mod common;

use common::{Bridge, Buffers, Connected, config, connect, request};
use confpart::api::create::Create;
use confpart::api::list::decode_page;
use confpart::api::participant::Status;
use confpart::api::update::Update;
use confpart::client::{Operation, Outcome};
use confpart::wire::ident::ParticipantRef;
use confpart_embassy::Connection;

#[tokio::test]
async fn every_recipe_and_operation_on_one_connection() {
    let (bridge, room) = Bridge::new();
    let mut buffers = Buffers::new();
    let mut client = buffers.client(config());
    let mut conn: Connected = Connection::new(connect(&bridge));
    let agent = ParticipantRef::Call(room.agent);
    let customer = room.customer;

    // The recipes, each checked on the decoded participant.
    type Check =
        fn(&confpart::api::participant::Participant<'_>, &confpart::wire::ident::CallSid) -> bool;
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
    for (name, update, check) in recipes {
        let req = request(&room, Operation::update(&agent, update));
        let mut reply = client.send(conn, &req).await.unwrap();
        let p = reply.participant().unwrap();
        assert_eq!(p.call_sid(), Some(&room.agent), "{name}");
        assert!(check(&p, &customer), "{name}: {p:?}");
        assert_eq!(reply.attempts(), 1);
        conn = reply.take_connection().expect("kept alive");
    }
    assert_eq!(conn.exchanges(), 8);

    // Fetch.
    let req = request(&room, Operation::fetch(&agent));
    let mut reply = client.send(conn, &req).await.unwrap();
    assert_eq!(reply.participant().unwrap().muted(), Some(true));
    conn = reply.take_connection().unwrap();

    // Create (a third participant in the same conference).
    let req = request(
        &room,
        Operation::create(Create::new("+15550003", "+15550100").into()),
    );
    let mut reply = client.send(conn, &req).await.unwrap();
    assert_eq!(reply.status(), 201);
    let Outcome::Created(p) = reply.outcome().unwrap() else {
        panic!("not created")
    };
    let third = *p.call_sid().unwrap();
    conn = reply.take_connection().unwrap();

    // List: three participants.
    let req = request(&room, Operation::list(Default::default()));
    let mut reply = client.send(conn, &req).await.unwrap();
    let Outcome::Page(doc) = reply.outcome().unwrap() else {
        panic!("not a page")
    };
    let mut listed = Vec::new();
    decode_page(doc, |p| listed.push(*p.call_sid().unwrap())).unwrap();
    assert_eq!(listed.len(), 3, "{listed:?}");
    assert!(listed.contains(&third));
    conn = reply.take_connection().unwrap();

    // Delete the third, then a second delete is the service's 404.
    let gone = ParticipantRef::Call(third);
    let req = request(&room, Operation::delete(&gone));
    let mut reply = client.send(conn, &req).await.unwrap();
    assert_eq!(reply.outcome().unwrap(), Outcome::Deleted);
    conn = reply.take_connection().unwrap();
    let mut reply = client.send(conn, &req).await.unwrap();
    match reply.outcome().unwrap() {
        Outcome::Failure(f) => {
            assert_eq!(f.status, 404);
            assert_eq!(f.error.and_then(|e| e.code), Some(20404));
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        reply.participant(),
        Err(confpart_embassy::Error::Response(
            confpart::client::ClientError::Service { status: 404, .. }
        ))
    ));
    conn = reply.take_connection().unwrap();
    assert_eq!(conn.exchanges(), 13);
    assert_eq!(bridge.lock().unwrap().requests, 13);
}

#[tokio::test]
async fn a_request_that_does_not_fit_gives_the_connection_back() {
    let (bridge, room) = Bridge::new();
    let (mut rx, mut tx) = ([0u8; 1024], [0u8; 64]);
    let mut client = confpart_embassy::Client::new(&mut rx, &mut tx, config());
    let conn = Connection::new(connect(&bridge));
    let agent = ParticipantRef::Call(room.agent);
    let req = request(&room, Operation::update(&agent, Update::mute()));
    let failed = client.send(conn, &req).await.unwrap_err();
    assert!(matches!(
        failed.error,
        confpart_embassy::Error::Request(confpart::client::ClientError::Write(_))
    ));
    let conn = failed.connection.expect("nothing was written");
    assert_eq!(bridge.lock().unwrap().requests, 0);

    // The same connection carries the next request (with room for it).
    let mut buffers = Buffers::new();
    let mut client = buffers.client(config());
    let reply = client.send(conn, &req).await.unwrap();
    assert_eq!(reply.participant().unwrap().muted(), Some(true));
}
