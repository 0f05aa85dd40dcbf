//! Writer → reader round trips for every operation, in both directions:
//! client request → bridge reader/router/auth/body decoders, and bridge
//! response writer → client reader/outcome; every split point.
mod http_support;

use confpart::api::operation::OperationKind;
use confpart::api::participant::Participant;
use confpart::api::path::{Dialect, Endpoint, ParticipantPath, PathError, PathStyle};
use confpart::api::query::ListQuery;
use confpart::api::retry::RetryAfter;
use confpart::api::update::Update;
use confpart::bridge;
use confpart::bridge::ApiAnswer;
use confpart::bridge::{AuthFailure, BridgeError, check_basic, route};
use confpart::bridge::{ConferenceError, Rejection};
use confpart::client::ResponseReader;
use confpart::client::{Credentials, Failure, Operation, Outcome, Request};
use confpart::wire::http::{Connection, HeaderField, RequestReader};
use confpart::wire::ident::{AccountSid, CallSid, ConferenceSid, ParticipantRef};
use confpart::wire::sink::SliceSink;
use http_support::*;
use proptest::prelude::*;

const MUTE: &[u8] = include_bytes!("../../tests/fixtures/twilio-update-mute.json");
const CREATE: &[u8] = include_bytes!("../../tests/fixtures/twilio-create.json");
const LIST: &[u8] = include_bytes!("../../tests/fixtures/twilio-list-page.json");

fn path(style: PathStyle, participant: Option<&str>) -> ParticipantPath {
    let (ac, cf) = match style {
        PathStyle::Twilio => (AC, CF),
        PathStyle::Laml | PathStyle::Texml => (UUID, UUID),
    };
    ParticipantPath {
        style,
        account: AccountSid::parse(ac).unwrap(),
        conference: ConferenceSid::parse(cf).unwrap(),
        participant: participant.map(|p| ParticipantRef::parse(p).unwrap()),
    }
}

/// The request for `operation` on the conference of `p`, to a local bridge
/// with `p`'s path style.
fn request<'a>(p: &'a ParticipantPath, operation: Operation<'a>, conn: Connection) -> Request<'a> {
    let endpoint = Endpoint::custom(Dialect::Twilio, "127.0.0.1:8080", p.style).unwrap();
    Request::new(endpoint, creds(p), p.account, p.conference, operation).with_connection(conn)
}

/// Client writes, bridge reads at every split; `check` sees each result.
fn client_to_bridge(
    req: &Request<'_>,
    expected: &ParticipantPath,
    mut check: impl FnMut(&RequestReader<'_>),
) {
    let mut out = vec![0u8; 8192];
    let n = req.encode_to_slice(&mut out).unwrap();
    let msg = &out[..n];
    for_every_split(msg, |pieces| {
        let mut buf = vec![0u8; 8192];
        let mut r = RequestReader::new(&mut buf);
        let (consumed, complete) = feed_pieces(&mut r, pieces).unwrap();
        assert!(complete);
        assert_eq!(consumed, msg.len());
        let h = r.message().unwrap();
        let rt = route(h.method(), h.path()).unwrap();
        assert_eq!(rt.operation, req.operation.kind());
        assert_eq!(&rt.path, expected);
        check_basic(h.authorization(), rt.path.account.as_str(), "secret token").unwrap();
        assert_eq!(
            check_basic(h.authorization(), rt.path.account.as_str(), "other"),
            Err(BridgeError::Unauthorized {
                reason: AuthFailure::Mismatch
            })
        );
        assert_eq!(h.keep_alive(), req.connection == Connection::KeepAlive);
        check(&r);
    });
}

fn creds(p: &ParticipantPath) -> Credentials<'_> {
    Credentials::new(p.account.as_str(), "secret token").unwrap()
}

#[test]
fn every_operation_client_to_bridge() {
    for style in [PathStyle::Twilio, PathStyle::Laml] {
        for who in [CA, "front desk-é?#%+"] {
            let who = if style == PathStyle::Laml && who == CA {
                UUID
            } else {
                who
            };
            let one = path(style, Some(who));
            let updates = [
                Update::mute(),
                Update::new(),
                Update::hold_with_music("https://m.example/a+b.mp3?x=1&y=2"),
                Update::monitor(CallSid::parse(CB).unwrap()),
                Update::barge(),
                Update::announce("http://a.example/say"),
            ];
            for (i, u) in updates.into_iter().enumerate() {
                let conn = if i % 2 == 0 {
                    Connection::KeepAlive
                } else {
                    Connection::Close
                };
                let who = one.participant.as_ref().unwrap();
                let req = request(&one, Operation::update(who, u), conn);
                client_to_bridge(&req, &one, |r| {
                    let mut scratch = [0u8; 256];
                    let d = Update::decode(r.body().unwrap(), &mut scratch).unwrap();
                    assert_eq!(d.update, u);
                    assert!(d.ignored.is_empty());
                });
            }
            let who = one.participant.as_ref().unwrap();
            for op in [Operation::fetch(who), Operation::delete(who)] {
                let req = request(&one, op, Connection::KeepAlive);
                client_to_bridge(&req, &one, |r| assert_eq!(r.body(), Some(&b""[..])));
            }
        }
        let all = path(style, None);
        let queries = [
            ListQuery::new(),
            ListQuery {
                muted: Some(true),
                hold: Some(false),
                coaching: Some(true),
                page_size: Some(1),
                page: Some(u32::MAX),
                page_token: Some("PA+/= x"),
            },
        ];
        for q in queries {
            let req = request(&all, Operation::list(q), Connection::KeepAlive);
            client_to_bridge(&req, &all, |r| {
                let query = r.message().unwrap().query().unwrap_or("");
                let mut scratch = [0u8; 64];
                assert_eq!(
                    ListQuery::decode(query.as_bytes(), &mut scratch).unwrap(),
                    q
                );
            });
        }
        let form = b"From=%2B15005550006&To=%2B15005550001&Label=customer";
        let create =
            confpart::api::create::Create::new("+15005550006", "+15005550001").label("customer");
        let req = request(
            &all,
            Operation::create(create.into()),
            Connection::KeepAlive,
        );
        client_to_bridge(&req, &all, |r| assert_eq!(r.body(), Some(&form[..])));
    }
}

/// Bridge writes with `write`, client reads at every split.
fn bridge_to_client(
    kind: OperationKind,
    write: impl Fn(&mut SliceSink<'_>),
    mut check: impl FnMut(&ResponseReader<'_>, Outcome<'_>),
) {
    let mut out = vec![0u8; 8192];
    let mut sink = SliceSink::new(&mut out);
    write(&mut sink);
    let msg = sink.written().to_vec();
    for_every_split(&msg, |pieces| {
        let mut buf = vec![0u8; 8192];
        let mut r = ResponseReader::new(&mut buf, kind);
        let (consumed, complete) = feed_pieces(&mut r, pieces).unwrap();
        assert!(complete);
        assert_eq!(consumed, msg.len());
        let outcome = r.message().unwrap().outcome().unwrap();
        check(&r, outcome);
    });
}

#[test]
fn every_outcome_bridge_to_client() {
    let p = Participant::decode(MUTE).unwrap();
    let created = Participant::decode(CREATE).unwrap();
    for kind in [OperationKind::Update, OperationKind::Fetch] {
        bridge_to_client(
            kind,
            |s| bridge::write_participant(s, 200, &p, Connection::KeepAlive).unwrap(),
            |r, o| {
                assert!(r.message().unwrap().keep_alive());
                assert_eq!(o, Outcome::Participant(p));
            },
        );
    }
    bridge_to_client(
        OperationKind::Create,
        |s| bridge::write_participant(s, 201, &created, Connection::Close).unwrap(),
        |r, o| {
            assert!(!r.message().unwrap().keep_alive());
            assert_eq!(o, Outcome::Created(created));
        },
    );
    bridge_to_client(
        OperationKind::Delete,
        |s| bridge::write_no_content(s, Connection::KeepAlive).unwrap(),
        |_, o| assert_eq!(o, Outcome::Deleted),
    );
    bridge_to_client(
        OperationKind::List,
        |s| bridge::write_response(s, 200, LIST, Connection::KeepAlive, &[]).unwrap(),
        |_, o| assert_eq!(o, Outcome::Page(LIST)),
    );

    let rejections = [
        (
            BridgeError::NotFound {
                error: PathError::Prefix,
            },
            404,
            20404,
        ),
        (
            BridgeError::Unauthorized {
                reason: AuthFailure::Missing,
            },
            401,
            20003,
        ),
        (
            BridgeError::MethodNotAllowed {
                allow: bridge::ALLOW_COLLECTION,
            },
            405,
            20004,
        ),
        (
            BridgeError::Http(confpart::wire::http::HttpError::BareLf { offset: 3 }),
            400,
            20001,
        ),
    ];
    let more = [
        (BridgeError::from(Rejection::CoachTargetOnHold), 400, 16027),
        (
            BridgeError::from(Rejection::ConferenceCompleted {
                dialect: Dialect::SignalWire,
            }),
            400,
            10000,
        ),
        (BridgeError::from(ConferenceError::LabelInUse), 400, 16026),
    ];
    for (e, status, code) in rejections.into_iter().chain(more) {
        bridge_to_client(
            OperationKind::Update,
            |s| bridge::write_error(s, &e, Connection::KeepAlive).unwrap(),
            |r, o| {
                let Outcome::Failure(Failure {
                    status: st,
                    error: Some(api),
                    retry_after: None,
                }) = o
                else {
                    panic!("{o:?}")
                };
                assert_eq!(
                    (st, api.code, api.status),
                    (status, Some(code), Some(status))
                );
                if status == 401 {
                    assert_eq!(
                        r.message().unwrap().header("WWW-Authenticate"),
                        Some(&b"Basic realm=\"Twilio API\""[..])
                    );
                }
                if status == 405 {
                    assert_eq!(
                        r.message().unwrap().header("allow"),
                        Some(&b"GET, POST"[..])
                    );
                }
            },
        );
    }
    bridge_to_client(
        OperationKind::Fetch,
        |s| {
            // An answer of the bridge's own, with an extra header.
            let a = ApiAnswer::new(429, 20429, "Too Many Requests");
            let mut body = [0u8; 256];
            let mut b = SliceSink::new(&mut body);
            confpart::api::error::write_twilio(&mut b, a.code, a.message, a.status).unwrap();
            let retry = [HeaderField::new("Retry-After", "30")];
            bridge::write_response(s, a.status, b.written(), Connection::KeepAlive, &retry).unwrap()
        },
        |_, o| {
            let Outcome::Failure(f) = o else { panic!() };
            assert_eq!(f.retry_after, Some(RetryAfter::Seconds(30)));
            assert!(
                f.error
                    .unwrap()
                    .message
                    .is_some_and(|m| m.eq_str("Too Many Requests"))
            );
        },
    );
}

proptest! {
    #[test]
    fn random_labels_and_queries_round_trip(
        label in "[^/\\x00-\\x1f\\x7f]{1,40}",
        muted in any::<Option<bool>>(),
        page_size in proptest::option::of(1u16..=1000),
        page in any::<Option<u32>>(),
        token in proptest::option::of("[ -~]{0,40}"),
        laml in any::<bool>(),
    ) {
        let Ok(who) = ParticipantRef::parse(&label) else { return Ok(()) };
        let style = if laml { PathStyle::Laml } else { PathStyle::Twilio };
        let mut one = path(style, None);
        one.participant = Some(who.clone());
        let all = path(style, None);
        let user = one.account.as_str().to_owned();
        let req = request(&one, Operation::fetch(&who), Connection::KeepAlive);
        let mut out = vec![0u8; 8192];
        let n = req.encode_to_slice(&mut out).unwrap();
        let mut buf = vec![0u8; 8192];
        let mut r = RequestReader::new(&mut buf);
        let h = r.feed(&out[..n]).unwrap().complete().unwrap();
        prop_assert_eq!(h.consumed(), n);
        let rt = route(h.method(), h.path()).unwrap();
        prop_assert_eq!(&rt.path, &one);

        let q = ListQuery { muted, page_size, page, page_token: token.as_deref(), ..ListQuery::new() };
        let req = request(&all, Operation::list(q), Connection::Close);
        let n = req.encode_to_slice(&mut out).unwrap();
        let mut buf = vec![0u8; 8192];
        let mut r = RequestReader::new(&mut buf);
        let h = r.feed(&out[..n]).unwrap().complete().unwrap();
        prop_assert_eq!(route(h.method(), h.path()).unwrap().operation, OperationKind::List);
        let mut scratch = [0u8; 256];
        prop_assert_eq!(ListQuery::decode(h.query().unwrap_or("").as_bytes(), &mut scratch).unwrap(), q);
        check_basic(h.authorization(), &user, "secret token").unwrap();
    }
}
