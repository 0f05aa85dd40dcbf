//! The client against a fault-injecting transport and scripted servers:
//! each fault gives the right error or retry, a broken connection is never
//! handed back, and the client works for the next request where that makes
//! sense.
mod common;

use std::time::Instant;

use common::{
    Bridge, Buffers, Room, config, connect, participant_response, read_request, request, scripted,
    too_many,
};
use confpart::api::retry::RetryAfter;
use confpart::api::update::Update;
use confpart::client::{ClientError, Operation, Outcome};
use confpart::wire::http::HttpError;
use confpart::wire::ident::ParticipantRef;
use confpart_embassy::{Config, Connection, Duration, Error};
use embedded_io::ErrorKind;
use embedded_io_async::{ErrorType, Read, Write};
use tokio::io::AsyncWriteExt;

/// A transport that moves at most `max_read` / `max_write` bytes per call
/// and fails the write after `fail_write_after` bytes.
struct Faulty<T> {
    inner: T,
    max_read: usize,
    max_write: usize,
    fail_write_after: Option<usize>,
    written: usize,
}

impl<T> Faulty<T> {
    fn new(inner: T) -> Self {
        Self {
            inner,
            max_read: usize::MAX,
            max_write: usize::MAX,
            fail_write_after: None,
            written: 0,
        }
    }
    fn bytewise(inner: T) -> Self {
        Self {
            max_read: 1,
            max_write: 1,
            ..Self::new(inner)
        }
    }
}

impl<T: ErrorType> ErrorType for Faulty<T> {
    type Error = ErrorKind;
}

impl<T: Read> Read for Faulty<T> {
    async fn read(&mut self, buf: &mut [u8]) -> Result<usize, ErrorKind> {
        let n = buf.len().min(self.max_read);
        self.inner
            .read(&mut buf[..n])
            .await
            .map_err(|e| embedded_io::Error::kind(&e))
    }
}

impl<T: Write> Write for Faulty<T> {
    async fn write(&mut self, buf: &[u8]) -> Result<usize, ErrorKind> {
        if self
            .fail_write_after
            .is_some_and(|limit| self.written >= limit)
        {
            return Err(ErrorKind::BrokenPipe);
        }
        let n = buf.len().min(self.max_write);
        let n = self
            .inner
            .write(&buf[..n])
            .await
            .map_err(|e| embedded_io::Error::kind(&e))?;
        self.written += n;
        Ok(n)
    }
    async fn flush(&mut self) -> Result<(), ErrorKind> {
        self.inner
            .flush()
            .await
            .map_err(|e| embedded_io::Error::kind(&e))
    }
}

fn mute<'a>(room: &Room, who: &'a ParticipantRef) -> confpart::client::Request<'a> {
    request(room, Operation::update(who, Update::mute()))
}

/// The client still works on a fresh connection to the real bridge.
async fn works_afterwards(client: &mut confpart_embassy::Client<'_>) {
    let (bridge, room) = Bridge::new();
    let who = ParticipantRef::Call(room.agent);
    let reply = client
        .send(Connection::new(connect(&bridge)), &mute(&room, &who))
        .await
        .unwrap();
    assert_eq!(reply.participant().unwrap().muted(), Some(true));
    assert!(reply.reusable());
}

#[tokio::test]
async fn one_byte_reads_and_writes() {
    let (bridge, room) = Bridge::new();
    let mut buffers = Buffers::new();
    let mut client = buffers.client(config());
    let who = ParticipantRef::Call(room.agent);
    let mut conn = Connection::new(Faulty::bytewise(connect(&bridge)));
    for update in [
        Update::coach(room.customer),
        Update::monitor(room.customer),
        Update::barge(),
        Update::mute(),
        Update::hold_with_music("https://music.example.com/hold.mp3"),
        Update::announce("https://hooks.example.com/a.xml"),
    ] {
        let req = request(&room, Operation::update(&who, update));
        let mut reply = client.send(conn, &req).await.unwrap();
        assert_eq!(reply.participant().unwrap().call_sid(), Some(&room.agent));
        conn = reply.take_connection().unwrap();
    }
    assert_eq!(conn.exchanges(), 6);
}

/// The error, by kind (the tokio stream's `std::io::Error` has no `==`).
async fn cut_short(bytes: &'static [u8]) -> Error<ErrorKind> {
    let (_, room) = Bridge::new();
    let who = ParticipantRef::Call(room.agent);
    let stream = scripted(move |mut server| async move {
        read_request(&mut server).await.unwrap();
        server.write_all(bytes).await.unwrap();
        drop(server); // closed
    });
    let mut buffers = Buffers::new();
    let mut client = buffers.client(config());
    let failed = client
        .send(Connection::new(stream), &mute(&room, &who))
        .await
        .unwrap_err();
    assert!(failed.connection.is_none());
    works_afterwards(&mut client).await;
    failed.error.kind()
}

#[tokio::test]
async fn closed_mid_head() {
    let e = cut_short(b"HTTP/1.1 200 OK\r\nContent-Type: applica").await;
    assert!(
        matches!(e, Error::Response(ClientError::Http(HttpError::EofInHead { received })) if received > 0),
        "{e:?}"
    );
}

#[tokio::test]
async fn closed_mid_body() {
    let e = cut_short(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 65\r\n\r\n{\"call_sid\": \"CA",
    )
    .await;
    assert_eq!(
        e,
        Error::Response(ClientError::Http(HttpError::EofInBody {
            received: 16,
            expected: Some(65)
        }))
    );
}

#[tokio::test]
async fn closed_before_any_byte() {
    assert_eq!(
        cut_short(b"").await,
        Error::Response(ClientError::Http(HttpError::EofInHead { received: 0 }))
    );
}

#[tokio::test]
async fn a_garbled_response() {
    let e = cut_short(b"HTTP/1.1 200 OK\nContent-Length: 2\n\n{}").await;
    assert!(
        matches!(
            e,
            Error::Response(ClientError::Http(HttpError::BareLf { .. }))
        ),
        "{e:?}"
    );
}

#[tokio::test]
async fn a_write_error() {
    let (bridge, room) = Bridge::new();
    let who = ParticipantRef::Call(room.agent);
    let mut transport = Faulty::new(connect(&bridge));
    transport.max_write = 16;
    transport.fail_write_after = Some(32);
    let mut buffers = Buffers::new();
    let mut client = buffers.client(config());
    let failed = client
        .send(Connection::new(transport), &mute(&room, &who))
        .await
        .unwrap_err();
    assert_eq!(failed.error, Error::Write(ErrorKind::BrokenPipe));
    assert!(failed.connection.is_none());
    works_afterwards(&mut client).await;
}

#[tokio::test]
async fn a_server_that_never_answers() {
    let (_, room) = Bridge::new();
    let who = ParticipantRef::Call(room.agent);
    let stream = scripted(|mut server| async move {
        read_request(&mut server).await.unwrap();
        tokio::time::sleep(std::time::Duration::from_secs(30)).await;
        drop(server);
    });
    let mut buffers = Buffers::new();
    let mut client = buffers.client(Config {
        timeout: Duration::from_millis(300),
        ..Config::DEFAULT
    });
    let start = Instant::now();
    let failed = client
        .send(Connection::new(stream), &mute(&room, &who))
        .await
        .unwrap_err();
    let took = start.elapsed();
    assert_eq!(failed.error.kind(), Error::Timeout);
    assert!(failed.connection.is_none());
    assert!(took >= std::time::Duration::from_millis(300), "{took:?}");
    assert!(took < std::time::Duration::from_secs(5), "{took:?}");
    works_afterwards(&mut client).await;
}

#[tokio::test]
async fn a_429_with_retry_after_1_is_retried_on_the_same_connection() {
    let (_, room) = Bridge::new();
    let who = ParticipantRef::Call(room.agent);
    let agent = room.agent;
    let (tx, rx) = tokio::sync::oneshot::channel();
    let stream = scripted(move |mut server| async move {
        let first = read_request(&mut server).await.unwrap();
        let at = Instant::now();
        server.write_all(&too_many("1", false)).await.unwrap();
        let second = read_request(&mut server).await.unwrap();
        let waited = at.elapsed();
        server
            .write_all(&participant_response(agent.as_str(), true, false))
            .await
            .unwrap();
        let _ = tx.send((first == second, waited));
        let _ = read_request(&mut server).await;
    });
    let mut buffers = Buffers::new();
    let mut client = buffers.client(config());
    let mut reply = client
        .send(Connection::new(stream), &mute(&room, &who))
        .await
        .unwrap();
    assert_eq!(reply.attempts(), 2);
    assert_eq!(reply.participant().unwrap().muted(), Some(true));
    let conn = reply.take_connection().expect("still in step");
    assert_eq!(conn.exchanges(), 2);
    let (same, waited) = rx.await.unwrap();
    assert!(same, "the retry resends the same request");
    assert!(waited >= std::time::Duration::from_secs(1), "{waited:?}");
}

#[tokio::test]
async fn a_429_that_closes_is_returned_not_retried() {
    let (_, room) = Bridge::new();
    let who = ParticipantRef::Call(room.agent);
    let stream = scripted(|mut server| async move {
        read_request(&mut server).await.unwrap();
        server.write_all(&too_many("1", true)).await.unwrap();
    });
    let mut buffers = Buffers::new();
    let mut client = buffers.client(config());
    let reply = client
        .send(Connection::new(stream), &mute(&room, &who))
        .await
        .unwrap();
    assert_eq!(reply.attempts(), 1);
    assert!(!reply.reusable());
    match reply.outcome().unwrap() {
        Outcome::Failure(f) => {
            assert_eq!(f.status, 429);
            assert_eq!(f.retry_after, Some(RetryAfter::Seconds(1)));
            assert_eq!(f.error.and_then(|e| e.code), Some(20429));
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn retries_are_bounded() {
    let (_, room) = Bridge::new();
    let who = ParticipantRef::Call(room.agent);
    let stream = scripted(|mut server| async move {
        while read_request(&mut server).await.is_some() {
            server.write_all(&too_many("0", false)).await.unwrap();
        }
    });
    let mut buffers = Buffers::new();
    let mut client = buffers.client(Config {
        max_attempts: 3,
        ..config()
    });
    let reply = client
        .send(Connection::new(stream), &mute(&room, &who))
        .await
        .unwrap();
    assert_eq!(reply.attempts(), 3);
    assert_eq!(reply.status(), 429);
    assert!(reply.reusable());
}

#[tokio::test]
async fn a_retry_after_beyond_the_limit_is_not_waited_for() {
    let (_, room) = Bridge::new();
    let who = ParticipantRef::Call(room.agent);
    let stream = scripted(|mut server| async move {
        read_request(&mut server).await.unwrap();
        server.write_all(&too_many("3600", false)).await.unwrap();
        let _ = read_request(&mut server).await;
    });
    let mut buffers = Buffers::new();
    let mut client = buffers.client(config());
    let start = Instant::now();
    let reply = client
        .send(Connection::new(stream), &mute(&room, &who))
        .await
        .unwrap();
    assert_eq!((reply.attempts(), reply.status()), (1, 429));
    assert!(start.elapsed() < std::time::Duration::from_secs(2));
}

#[tokio::test]
async fn a_pipelined_extra_response_in_the_same_read_drops_the_connection() {
    let (_, room) = Bridge::new();
    let who = ParticipantRef::Call(room.agent);
    let agent = room.agent;
    let stream = scripted(move |mut server| async move {
        read_request(&mut server).await.unwrap();
        let mut two = participant_response(agent.as_str(), true, false);
        two.extend(participant_response(agent.as_str(), false, false));
        server.write_all(&two).await.unwrap();
        let _ = read_request(&mut server).await;
    });
    let mut buffers = Buffers::new();
    let mut client = buffers.client(config());
    let reply = client
        .send(Connection::new(stream), &mute(&room, &who))
        .await
        .unwrap();
    // The first response is the answer; the connection is not handed back.
    assert_eq!(reply.participant().unwrap().muted(), Some(true));
    assert!(!reply.reusable());
    drop(reply);
    works_afterwards(&mut client).await;
}

#[tokio::test]
async fn a_pipelined_extra_response_left_in_the_stream_is_never_read_as_the_next_answer() {
    let (_, room) = Bridge::new();
    let who = ParticipantRef::Call(room.agent);
    let agent = room.agent;
    let (tx, rx) = tokio::sync::oneshot::channel();
    let stream = scripted(move |mut server| async move {
        read_request(&mut server).await.unwrap();
        let mut two = participant_response(agent.as_str(), true, false);
        two.extend(participant_response(agent.as_str(), false, false));
        server.write_all(&two).await.unwrap();
        // Did a second request arrive?
        let _ = tx.send(read_request(&mut server).await.is_some());
    });
    let mut buffers = Buffers::new();
    let mut client = buffers.client(config());
    // One byte per read: the reader stops at the end of the first
    // response, the second stays in the stream.
    let mut reply = client
        .send(
            Connection::new(Faulty::bytewise(stream)),
            &mute(&room, &who),
        )
        .await
        .unwrap();
    assert_eq!(reply.participant().unwrap().muted(), Some(true));
    let conn = reply.take_connection().expect("looked in step");
    drop(reply);
    let unmute = request(&room, Operation::update(&who, Update::unmute()));
    let failed = client.send(conn, &unmute).await.unwrap_err();
    assert_eq!(failed.error, Error::Stale);
    assert!(failed.connection.is_none());
    assert!(!rx.await.unwrap(), "the request was not sent");
    works_afterwards(&mut client).await;
}

#[tokio::test]
async fn an_idle_connection_the_server_closed_is_detected_before_sending() {
    let (_, room) = Bridge::new();
    let who = ParticipantRef::Call(room.agent);
    let agent = room.agent;
    let stream = scripted(move |mut server| async move {
        read_request(&mut server).await.unwrap();
        server
            .write_all(&participant_response(agent.as_str(), true, false))
            .await
            .unwrap();
        drop(server); // closes the idle keep-alive connection
    });
    let mut buffers = Buffers::new();
    let mut client = buffers.client(config());
    let mut reply = client
        .send(Connection::new(stream), &mute(&room, &who))
        .await
        .unwrap();
    let conn = reply.take_connection().unwrap();
    drop(reply);
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    let failed = client.send(conn, &mute(&room, &who)).await.unwrap_err();
    assert_eq!(failed.error.kind(), Error::Closed);
    assert!(failed.error.request_not_sent());
}

#[tokio::test]
async fn an_answer_about_another_participant_is_refused() {
    let (_, room) = Bridge::new();
    let who = ParticipantRef::Call(room.agent);
    let other = room.customer;
    let stream = scripted(move |mut server| async move {
        read_request(&mut server).await.unwrap();
        server
            .write_all(&participant_response(other.as_str(), true, false))
            .await
            .unwrap();
        let _ = read_request(&mut server).await;
    });
    let mut buffers = Buffers::new();
    let mut client = buffers.client(config());
    let failed = client
        .send(Connection::new(stream), &mute(&room, &who))
        .await
        .unwrap_err();
    assert_eq!(failed.error.kind(), Error::Mismatch);
    assert!(failed.connection.is_none());
}

#[tokio::test]
async fn a_200_that_is_not_a_participant_drops_the_connection() {
    let e =
        cut_short(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 4\r\n\r\n<h1>")
            .await;
    assert_eq!(e, Error::Response(ClientError::ContentType { status: 200 }));
}

/// RFC 9112 §9.6: after a request that says `Connection: close` the client
/// sends nothing more on the connection, even when the server answers
/// keep-alive (found by the `embassy_client` fuzz target).
#[tokio::test]
async fn a_request_that_says_close_is_the_last_on_its_connection() {
    let (_, room) = Bridge::new();
    let who = ParticipantRef::Call(room.agent);
    let agent = room.agent;
    let (tx, rx) = tokio::sync::oneshot::channel();
    let stream = scripted(move |mut server| async move {
        read_request(&mut server).await.unwrap();
        // A 429 to retry at once, on a connection the answer keeps...
        server.write_all(&too_many("0", false)).await.unwrap();
        // ...but no second request may come.
        let _ = tx.send(read_request(&mut server).await.is_some());
    });
    let mut buffers = Buffers::new();
    let mut client = buffers.client(config());
    let close = mute(&room, &who).with_connection(confpart::wire::http::Connection::Close);
    let reply = client.send(Connection::new(stream), &close).await.unwrap();
    assert_eq!((reply.attempts(), reply.status()), (1, 429));
    assert!(!reply.reusable());
    drop(reply);
    assert!(
        !rx.await.unwrap(),
        "a request followed the one that said close"
    );

    // A 200 that keeps the connection: not handed back either.
    let stream = scripted(move |mut server| async move {
        read_request(&mut server).await.unwrap();
        server
            .write_all(&participant_response(agent.as_str(), true, false))
            .await
            .unwrap();
        let _ = read_request(&mut server).await;
    });
    let mut client = buffers.client(config());
    let reply = client.send(Connection::new(stream), &close).await.unwrap();
    assert_eq!(reply.participant().unwrap().muted(), Some(true));
    assert!(!reply.reusable());
}
