//! The issue-9 bridge scenario, written once against a [`Wire`] (bytes in,
//! bytes out) and run twice: on the service alone (`core/tests/service.rs`)
//! and through real HTTP on loopback (`tests/tests/bridge_loopback.rs`,
//! which includes this file). Requests are written with the core's client
//! [`Request`] (raw bytes only where the client refuses to write them: an
//! invalid form, an unknown path, another method); answers are read with
//! the core's `ResponseReader`.
#![allow(dead_code)]

use confpart::api::create::Create;
use confpart::api::error::ApiError;
use confpart::api::list::decode_page;
use confpart::api::operation::OperationKind;
use confpart::api::participant::{Participant, Status};
use confpart::api::path::{Dialect, Endpoint, PathStyle};
use confpart::api::query::ListQuery;
use confpart::api::update::Update;
use confpart::bridge::Account;
use confpart::client::ResponseReader;
use confpart::client::{Credentials, Operation, Request};
use confpart::wire::http::{Connection, HeaderField, Progress};
use confpart::wire::ident::{AccountSid, CallSid, ConferenceSid, ParticipantRef};

pub const AC: &str = "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
pub const AC_OTHER: &str = "ACbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
pub const CF: &str = "CFaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
pub const TOKEN: &str = "auth token";
pub const OTHER_TOKEN: &str = "other token";
pub const KEY_SID: &str = "SKcccccccccccccccccccccccccccccccc";
pub const KEY_SECRET: &str = "key secret";
/// A hold URL whose query holds `?` and `&`.
pub const HOLD_URL: &str = "https://music.example.com/hold.mp3?loop=true&volume=5";

/// The accounts the scenario's bridge serves: `AC` by token and by API
/// key, `AC_OTHER` by its own token.
pub fn accounts() -> [Account<'static>; 3] {
    let ac = AccountSid::parse(AC).unwrap();
    [
        Account::new(ac, TOKEN),
        Account::api_key(ac, KEY_SID, KEY_SECRET),
        Account::new(AccountSid::parse(AC_OTHER).unwrap(), OTHER_TOKEN),
    ]
}

/// One response, read with the core's `ResponseReader`.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub keep_alive: bool,
}

impl Reply {
    /// Reads a response for `kind` from the chunks `next` returns (`None`:
    /// the peer closed).
    pub fn read(kind: OperationKind, mut next: impl FnMut() -> Option<Vec<u8>>) -> Reply {
        let mut buf = vec![0u8; 256 * 1024];
        let mut reader = ResponseReader::new(&mut buf, kind);
        loop {
            let message = match next() {
                Some(chunk) => match reader.feed(&chunk).unwrap() {
                    Progress::Complete(m) => {
                        assert_eq!(m.consumed(), chunk.len(), "bytes after the response");
                        m
                    }
                    Progress::Partial => continue,
                },
                None => reader.finish().unwrap(),
            };
            return Reply {
                status: message.status(),
                headers: message
                    .headers()
                    .map(|(n, v)| {
                        (
                            String::from_utf8(n.to_vec()).unwrap(),
                            String::from_utf8(v.to_vec()).unwrap(),
                        )
                    })
                    .collect(),
                body: message.body().to_vec(),
                keep_alive: message.keep_alive(),
            };
        }
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn text(&self) -> &str {
        std::str::from_utf8(&self.body).unwrap()
    }

    /// The participant of a 200/201.
    pub fn participant(&self) -> Participant<'_> {
        assert!(
            matches!(self.status, 200 | 201),
            "{} {}",
            self.status,
            self.text()
        );
        assert_eq!(
            self.header("content-type"),
            Some("application/json; charset=utf-8")
        );
        Participant::decode(&self.body).unwrap()
    }

    /// The error code of a 4xx/5xx.
    pub fn code(&self) -> Option<u32> {
        ApiError::decode(&self.body).ok().and_then(|e| e.code)
    }

    /// Asserts an error answer.
    pub fn assert_error(&self, status: u16, code: u32) {
        assert_eq!(
            (self.status, self.code()),
            (status, Some(code)),
            "{}",
            self.text()
        );
    }

    /// The call SIDs of a list page and its `next_page_uri`.
    pub fn page(&self) -> (Vec<CallSid>, Option<String>) {
        assert_eq!(self.status, 200, "{}", self.text());
        let mut calls = Vec::new();
        let meta = decode_page(&self.body, |p| calls.push(*p.call_sid().unwrap())).unwrap();
        (calls, meta.next_page_uri.map(|u| u.to_string()))
    }
}

/// Moves bytes to a bridge and back.
pub trait Wire {
    /// Sends one request; returns the answer read for `kind`.
    fn exchange(&mut self, request: &[u8], kind: OperationKind) -> Reply;
    /// Lets `millis` milliseconds pass (a virtual clock, or a sleep).
    fn wait(&mut self, millis: u64);
}

/// Writes a request with the core's client.
pub fn request_bytes(
    user: &str,
    secret: &str,
    account: &str,
    conference: ConferenceSid,
    operation: Operation<'_>,
    connection: Connection,
    headers: &[HeaderField<'_>],
) -> Vec<u8> {
    let request = Request::new(
        Endpoint::custom(Dialect::Twilio, "127.0.0.1", PathStyle::Twilio).unwrap(),
        Credentials::new(user, secret).unwrap(),
        AccountSid::parse(account).unwrap(),
        conference,
        operation,
    )
    .with_connection(connection)
    .with_headers(headers);
    let mut out = vec![0u8; request.encoded_len().unwrap()];
    let n = request.encode_to_slice(&mut out).unwrap();
    assert_eq!(n, out.len());
    out
}

/// Sends `operation` as account `AC` with its token, keep-alive.
pub fn send(wire: &mut impl Wire, conference: ConferenceSid, operation: Operation<'_>) -> Reply {
    let kind = operation.kind();
    let bytes = request_bytes(
        AC,
        TOKEN,
        AC,
        conference,
        operation,
        Connection::KeepAlive,
        &[],
    );
    let reply = wire.exchange(&bytes, kind);
    assert!(reply.keep_alive);
    reply
}

/// Sends raw request bytes (what the client refuses to write).
pub fn raw(wire: &mut impl Wire, head: &str, body: &str) -> Reply {
    // base64("ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa:auth token")
    let auth = "QUNhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYTphdXRoIHRva2Vu";
    let bytes = format!(
        "{head} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Basic {auth}\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    wire.exchange(bytes.as_bytes(), OperationKind::Update)
}

fn base() -> String {
    format!("/2010-04-01/Accounts/{AC}/Conferences/{CF}/Participants")
}

/// The issue-9 scenario. `queue_ms` is the `queue_time` the bridge's timing
/// gives a create.
pub fn scenario(wire: &mut impl Wire, queue_ms: u64) {
    let cf = ConferenceSid::parse(CF).unwrap();
    let queue_time = queue_ms.to_string();

    // Create three participants (one labelled "front desk"): 201, queued.
    let mut calls = Vec::new();
    for label in [None, Some("front desk"), None] {
        let mut create = Create::new("+15005550006", "+15005550001");
        if let Some(l) = label {
            create = create.label(l);
        }
        let reply = send(wire, cf, Operation::create(create.into()));
        assert_eq!(reply.status, 201, "{}", reply.text());
        let p = reply.participant();
        assert_eq!(p.status(), Some(Status::Queued));
        assert_eq!(p.queue_time().unwrap(), queue_time.as_str());
        assert_eq!(p.conference_sid(), Some(&cf));
        assert_eq!(p.label().map(|l| l.to_string()).as_deref(), label);
        calls.push(*p.call_sid().unwrap());
    }
    let [a, b, c] = [calls[0], calls[1], calls[2]];
    let (ra, rb, rc) = (
        ParticipantRef::Call(a),
        ParticipantRef::parse("front desk").unwrap(),
        ParticipantRef::Call(c),
    );

    // Tick until connected.
    let mut tries = 0;
    for who in [&ra, &rb, &rc] {
        loop {
            let reply = send(wire, cf, Operation::fetch(who));
            if reply.participant().status() == Some(Status::Connected) {
                break;
            }
            tries += 1;
            assert!(tries < 100, "never connected");
            wire.wait(100);
        }
    }

    // Mute.
    let p = send(wire, cf, Operation::update(&ra, Update::mute()));
    assert_eq!(p.participant().muted(), Some(true));

    // Hold by label, with a HoldUrl holding `?` and `&`.
    let hold = Update::hold_with_music(HOLD_URL);
    let bytes = request_bytes(
        AC,
        TOKEN,
        AC,
        cf,
        Operation::update(&rb, hold),
        Connection::KeepAlive,
        &[],
    );
    let text = String::from_utf8_lossy(&bytes).into_owned();
    assert!(text.starts_with(&format!("POST {}/front%20desk.json ", base())));
    assert!(text.ends_with(
        "HoldUrl=https%3A%2F%2Fmusic.example.com%2Fhold.mp3%3Floop%3Dtrue%26volume%3D5"
    ));
    let reply = wire.exchange(&bytes, OperationKind::Update);
    let p = reply.participant();
    assert_eq!((p.hold(), p.call_sid()), (Some(true), Some(&b)));
    assert_eq!(p.label().unwrap(), "front desk");

    // Coach a held target: 16027.
    send(wire, cf, Operation::update(&rc, Update::coach(b))).assert_error(400, 16027);

    // Monitor, then barge.
    let reply = send(wire, cf, Operation::update(&rc, Update::monitor(a)));
    let p = reply.participant();
    assert_eq!(
        (p.coaching(), p.muted(), p.call_sid_to_coach()),
        (Some(true), Some(true), Some(&a))
    );
    let reply = send(wire, cf, Operation::update(&rc, Update::barge()));
    let p = reply.participant();
    assert_eq!(
        (p.coaching(), p.muted(), p.call_sid_to_coach()),
        (Some(false), Some(false), None)
    );

    // Coaching=true without a target (the client refuses to write it).
    raw(wire, &format!("POST {}/{a}.json", base()), "Coaching=true").assert_error(400, 20001);

    // List filtered by Muted=true: only `a`.
    let muted = ListQuery {
        muted: Some(true),
        ..ListQuery::new()
    };
    let reply = send(wire, cf, Operation::list(muted));
    assert_eq!(reply.page(), (vec![a], None));
    let text = reply.text();
    let order = [
        "{\"participants\":[{",
        "],\"first_page_uri\":",
        ",\"next_page_uri\":null",
        ",\"previous_page_uri\":null",
        ",\"uri\":",
        ",\"page\":0",
        ",\"page_size\":50",
        ",\"start\":0",
        ",\"end\":0}",
    ];
    let mut at = 0;
    for key in order {
        at += text[at..]
            .find(key)
            .unwrap_or_else(|| panic!("{key} in {text}"));
    }
    assert!(text.ends_with(",\"end\":0}"), "{text}");
    assert!(text.contains(&format!(
        "\"uri\":\"{}.json?Muted=true&PageSize=50&Page=0\"",
        base()
    )));

    // PageSize=2, following next_page_uri to the end.
    let mut query = ListQuery {
        page_size: Some(2),
        ..ListQuery::new()
    };
    let mut seen = Vec::new();
    let mut pages = 0;
    let mut next_uri: String;
    loop {
        let reply = send(wire, cf, Operation::list(query));
        pages += 1;
        let (page, next) = reply.page();
        assert!(page.len() <= 2);
        seen.extend(page);
        let Some(next) = next else { break };
        next_uri = next;
        let (path, q) = next_uri.split_once('?').unwrap();
        assert_eq!(path, format!("{}.json", base()));
        let scratch = Box::leak(vec![0u8; q.len()].into_boxed_slice());
        query = ListQuery::decode(q.as_bytes(), scratch).unwrap();
        assert!(query.page_token.is_some());
    }
    assert_eq!((seen, pages), (vec![a, b, c], 2));

    // Another credential of the same account (API key) works.
    let bytes = request_bytes(
        KEY_SID,
        KEY_SECRET,
        AC,
        cf,
        Operation::fetch(&rb),
        Connection::KeepAlive,
        &[],
    );
    assert_eq!(
        wire.exchange(&bytes, OperationKind::Fetch)
            .participant()
            .call_sid(),
        Some(&b)
    );

    // Delete, then update after delete: 20404.
    let reply = send(wire, cf, Operation::delete(&rc));
    assert_eq!((reply.status, reply.body.len()), (204, 0));
    send(wire, cf, Operation::update(&rc, Update::mute())).assert_error(404, 20404);

    // A wrong token: 401 / 20003 + WWW-Authenticate.
    let bytes = request_bytes(
        AC,
        "wrong",
        AC,
        cf,
        Operation::fetch(&ra),
        Connection::KeepAlive,
        &[],
    );
    let reply = wire.exchange(&bytes, OperationKind::Fetch);
    reply.assert_error(401, 20003);
    assert_eq!(
        reply.header("www-authenticate"),
        Some("Basic realm=\"Twilio API\"")
    );

    // Another account's path with this account's credentials: 401 / 20003;
    // that account's own credentials see no such conference: 404 / 20404;
    // an account that is not configured: 401 / 20003.
    for (user, secret, account, status, code) in [
        (AC, TOKEN, AC_OTHER, 401, 20003),
        (AC_OTHER, OTHER_TOKEN, AC_OTHER, 404, 20404),
        (AC, TOKEN, "ACdddddddddddddddddddddddddddddddd", 401, 20003),
    ] {
        let bytes = request_bytes(
            user,
            secret,
            account,
            cf,
            Operation::fetch(&ra),
            Connection::KeepAlive,
            &[],
        );
        wire.exchange(&bytes, OperationKind::Fetch)
            .assert_error(status, code);
    }

    // An unknown path, another method, a bad form.
    raw(wire, "GET /favicon.ico", "").assert_error(404, 20404);
    let reply = raw(wire, &format!("PUT {}/{a}.json", base()), "");
    reply.assert_error(405, 20004);
    assert_eq!(reply.header("allow"), Some("GET, POST, DELETE"));
    raw(wire, &format!("POST {}/{a}.json", base()), "Muted=maybe").assert_error(400, 20001);

    // Create by friendly name (percent-decoded), twice: one new conference.
    let path = format!("POST /2010-04-01/Accounts/{AC}/Conferences/My%20Room/Participants.json");
    let form = "From=%2B15005550006&To=%2B15005550002&Label=host";
    let first = raw(wire, &path, form);
    assert_eq!(first.status, 201, "{}", first.text());
    let room = *first.participant().conference_sid().unwrap();
    assert_ne!(room, cf);
    assert_eq!(first.participant().status(), Some(Status::Queued));
    let second = raw(wire, &path, "From=a&To=b");
    assert_eq!(second.participant().conference_sid(), Some(&room));
    // The same label again in that room: 16026.
    raw(wire, &path, form).assert_error(400, 16026);
    let reply = send(
        wire,
        room,
        Operation::list(ListQuery {
            page_size: Some(5),
            ..ListQuery::new()
        }),
    );
    assert_eq!(reply.page().0.len(), 2);

    // Connection: close is answered with close.
    let bytes = request_bytes(
        AC,
        TOKEN,
        AC,
        cf,
        Operation::fetch(&ra),
        Connection::Close,
        &[],
    );
    let reply = wire.exchange(&bytes, OperationKind::Fetch);
    assert_eq!(reply.header("connection"), Some("close"));
    assert!(!reply.keep_alive);
    assert_eq!(reply.participant().call_sid(), Some(&a));
}
