//! Conferences at Twilio's sizes on the host: one conference of 250, 1 000 conferences of
//! 10, created, updated and listed through the core's service over the host's table and
//! through `confpart serve`'s bridge on loopback; both caps answer 429 / 20429; a
//! completed conference's memory is given back; the table's memory follows the live
//! participants, not the caps.
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use confpart::api::create::Create;
use confpart::api::path::Dialect;
use confpart::api::query::ListQuery;
use confpart::api::update::Update;
use confpart::bridge::{ConferenceRef, Limits, Refusal, SequentialIds, Timing};
use confpart::wire::date::Timestamp;
use confpart::wire::ident::{AccountSid, ParticipantRef};
use confpart_std::bridge::{BridgeConfig, BridgeService, VecSink, start};
use confpart_std::config::Secret;
use confpart_std::server::ServerOptions;
use confpart_std::store::KEEP_COMPLETED;
use serde_json::Value;

const AC: &str = "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const TOKEN: &str = "t0ken";

fn t0() -> Timestamp {
    Timestamp::from_unix(1_700_000_000).unwrap()
}

fn account() -> AccountSid {
    AccountSid::parse(AC).unwrap()
}

fn service(limits: Limits) -> Box<BridgeService> {
    Box::new(BridgeService::with_limits(
        Dialect::Twilio,
        Timing::IMMEDIATE,
        &[],
        limits,
    ))
}

/// `conferences` conferences of `each` participants, created, muted one by one, and listed
/// (every page) through the core's store over the host's table.
fn fill(
    service: &mut BridgeService,
    ids: &mut SequentialIds,
    prefix: &str,
    conferences: usize,
    each: usize,
) {
    let set = service.conferences_mut();
    let a = account();
    let before = set.live_participants();
    let mut made = Vec::new();
    for c in 0..conferences {
        let name = format!("{prefix} {c}");
        let mut sid = None;
        for p in 0..each {
            let label = format!("p{p}");
            let create = Create::new("+15005550006", "+15005550001").label(&label);
            let place = sid.map_or(ConferenceRef::Name(&name), ConferenceRef::Sid);
            let created = set.create(&a, place, &create, t0(), ids).unwrap();
            sid = Some(created.conference);
        }
        made.push(sid.unwrap());
    }
    assert_eq!(set.live_participants(), before + conferences * each);
    for sid in &made {
        for p in 0..each {
            let who = ParticipantRef::parse(&format!("p{p}")).unwrap();
            let found = set.update(&a, sid, &who, &Update::mute(), t0()).unwrap();
            assert!(found.member.state().muted);
        }
        let mut seen = 0;
        let mut page = 0;
        loop {
            let q = ListQuery {
                page: Some(page),
                ..ListQuery::new()
            };
            let listed = set.list(&a, sid, &q, t0()).unwrap();
            assert!(listed.members().all(|m| m.state().muted));
            seen += listed.len();
            if listed.uri(confpart::bridge::Link::Next).is_none() {
                break;
            }
            page += 1;
        }
        assert_eq!(seen, each);
    }
}

#[test]
fn one_conference_of_250_and_1000_conferences_of_10_through_the_core_service() {
    let mut s = service(Limits::TWILIO);
    let mut ids = SequentialIds::new();
    fill(&mut s, &mut ids, "big", 1, 250);
    fill(&mut s, &mut ids, "room", 1000, 10);
    assert_eq!(s.conferences().len(), 1001);
    assert_eq!(s.conferences().live_participants(), 10_250);
}

#[test]
fn both_caps_answer_429_20429_and_say_which() {
    let a = account();
    let mut ids = SequentialIds::new();
    let mut s = service(Limits {
        per_conference: 3,
        participants: 5,
    });
    let set = s.conferences_mut();
    let create = Create::new("+15005550006", "+15005550001");
    for _ in 0..3 {
        set.create(&a, ConferenceRef::Name("one"), &create, t0(), &mut ids)
            .unwrap();
    }
    let full = set
        .create(&a, ConferenceRef::Name("one"), &create, t0(), &mut ids)
        .unwrap_err();
    assert_eq!(full, Refusal::ConferenceFull { capacity: 3 });
    let answer = full.answer();
    assert_eq!((answer.status, answer.code), (429, 20429));
    assert!(answer.message.contains("this conference"), "{answer:?}");
    for _ in 0..2 {
        set.create(&a, ConferenceRef::Name("two"), &create, t0(), &mut ids)
            .unwrap();
    }
    let full = set
        .create(&a, ConferenceRef::Name("three"), &create, t0(), &mut ids)
        .unwrap_err();
    assert_eq!(full, Refusal::BridgeFull { capacity: 5 });
    let answer = full.answer();
    assert_eq!((answer.status, answer.code), (429, 20429));
    assert!(answer.message.contains("this bridge"), "{answer:?}");
    // A participant leaves: there is room again.
    let two = set.conferences().find(|c| c.live_count() == 2).unwrap();
    let two = *two.sid();
    let who = ParticipantRef::Call(
        *set.conference(&two)
            .unwrap()
            .members()
            .next()
            .unwrap()
            .call_sid(),
    );
    set.delete(&a, &two, &who, t0()).unwrap();
    set.create(&a, ConferenceRef::Name("three"), &create, t0(), &mut ids)
        .unwrap();
}

#[test]
fn memory_follows_the_live_participants_not_the_caps() {
    let bytes = |limits: Limits, conferences: usize, each: usize| {
        let mut s = service(limits);
        fill(&mut s, &mut SequentialIds::new(), "room", conferences, each);
        s.conferences().table().allocated_bytes()
    };
    let small = bytes(Limits::TWILIO, 10, 10);
    let capped_higher = bytes(
        Limits {
            per_conference: 250,
            participants: 10_000_000,
        },
        10,
        10,
    );
    assert_eq!(small, capped_higher, "the cap must not allocate");
    let ten_times = bytes(Limits::TWILIO, 100, 10);
    // Ten times the live participants: about ten times the bytes (the maps grow by
    // doubling, so within a factor of two either way).
    assert!(
        ten_times > small * 5 && ten_times < small * 20,
        "{small} B for 100 participants, {ten_times} B for 1 000"
    );
    let per_participant = ten_times / 1000;
    let member = size_of::<confpart::bridge::Member>();
    assert!(
        per_participant < 3 * member,
        "{per_participant} B per live participant (a member is {member} B)"
    );
    println!(
        "host: {per_participant} B allocated per live participant (member {member} B), 1 000 in 100 conferences of 10"
    );
    let big = bytes(Limits::TWILIO, 1, 250) / 250;
    assert!(big < 2 * member, "{big} B per participant at 250");
    println!("host: {big} B allocated per live participant in one conference of 250");
}

#[test]
fn a_completed_conference_gives_its_memory_back_and_its_name_is_reused() {
    let a = account();
    let mut ids = SequentialIds::new();
    let mut s = service(Limits {
        per_conference: 250,
        participants: 250,
    });
    fill(&mut s, &mut ids, "room", 1, 250);
    let set = s.conferences_mut();
    let full = set.table().allocated_bytes();
    let sid = *set.conferences().next().unwrap().sid();
    let create = Create::new("+15005550006", "+15005550001");
    assert_eq!(
        set.create(&a, ConferenceRef::Name("other"), &create, t0(), &mut ids),
        Err(Refusal::BridgeFull { capacity: 250 })
    );
    for p in 0..250 {
        let who = ParticipantRef::parse(&format!("p{p}")).unwrap();
        set.delete(&a, &sid, &who, t0()).unwrap();
    }
    assert_eq!(set.live_participants(), 0);
    // Completed: its SID answers as completed, its name makes a new conference.
    let again = set
        .create(&a, ConferenceRef::Name("room 0"), &create, t0(), &mut ids)
        .unwrap();
    // Its participants are held until the table's next insert (the callbacks of the
    // change that completed it are built from them): after that create.
    let done = set.table().allocated_bytes();
    assert!(done < full / 10, "{done} B after, {full} B at 250");
    assert!(again.new_conference);
    assert_ne!(again.conference, sid);
    // Past KEEP_COMPLETED completed conferences, the oldest is reclaimed.
    for c in 0..=KEEP_COMPLETED {
        let name = format!("short {c}");
        let created = set
            .create(&a, ConferenceRef::Name(&name), &create, t0(), &mut ids)
            .unwrap();
        set.delete(
            &a,
            &created.conference,
            &ParticipantRef::Call(created.call),
            t0(),
        )
        .unwrap();
    }
    assert!(
        set.conference(&sid).is_none(),
        "the oldest completed was reclaimed"
    );
    assert!(set.len() <= KEEP_COMPLETED + 1);
}

fn basic() -> String {
    let mut s = Vec::new();
    confpart::client::Credentials::new(AC, TOKEN)
        .unwrap()
        .write_basic(&mut VecSink(&mut s))
        .unwrap();
    String::from_utf8(s).unwrap()
}

/// One keep-alive connection to the bridge.
struct Conn {
    s: TcpStream,
    auth: String,
    pending: Vec<u8>,
}

impl Conn {
    fn call(&mut self, method: &str, path: &str, body: &str) -> (u16, Value) {
        let head = format!(
            "{method} /2010-04-01/Accounts/{AC}/Conferences/{path} HTTP/1.1\r\nHost: x\r\nAuthorization: {}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
            self.auth,
            body.len()
        );
        self.s.write_all(head.as_bytes()).unwrap();
        loop {
            if let Some(end) = self.pending.windows(4).position(|w| w == b"\r\n\r\n") {
                let head = String::from_utf8_lossy(&self.pending[..end]).to_lowercase();
                let len: usize = head
                    .lines()
                    .find_map(|l| l.strip_prefix("content-length: "))
                    .map_or(0, |v| v.trim().parse().unwrap());
                if self.pending.len() >= end + 4 + len {
                    let status = head[9..12].parse().unwrap();
                    let body: Vec<u8> = self.pending.drain(..end + 4 + len).skip(end + 4).collect();
                    let json = if body.is_empty() {
                        Value::Null
                    } else {
                        serde_json::from_slice(&body).unwrap()
                    };
                    return (status, json);
                }
            }
            let mut buf = [0u8; 65536];
            let n = self.s.read(&mut buf).unwrap();
            assert!(n > 0, "closed");
            self.pending.extend_from_slice(&buf[..n]);
        }
    }
}

#[test]
fn the_bridge_serves_250_in_a_conference_and_1000_conferences_of_10() {
    let config = BridgeConfig {
        dialect: confpart_std::config::Dialect::Twilio,
        timing: Timing::IMMEDIATE,
        accounts: vec![(AC.to_owned(), Secret::new(TOKEN))],
        limits: Limits {
            per_conference: 250,
            participants: 250 + 10_000,
        },
    };
    let mut options = ServerOptions::new(([127, 0, 0, 1], 0).into());
    options.workers = 2;
    let running = start(&config, options).unwrap();
    let s = TcpStream::connect(running.addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut c = Conn {
        s,
        auth: basic(),
        pending: Vec::new(),
    };
    let form = |label: &str| format!("From=%2B15005550006&To=%2B15005550001&Label={label}");

    // One conference of 250, and the 251st is refused with the per-conference cap.
    let (status, first) = c.call("POST", "big/Participants.json", &form("p0"));
    assert_eq!(status, 201, "{first}");
    let cf = first["conference_sid"].as_str().unwrap().to_owned();
    for p in 1..250 {
        let (status, body) = c.call(
            "POST",
            &format!("{cf}/Participants.json"),
            &form(&format!("p{p}")),
        );
        assert_eq!(status, 201, "{body}");
    }
    let (status, body) = c.call("POST", &format!("{cf}/Participants.json"), &form("p250"));
    assert_eq!(
        (status, body["code"].as_u64()),
        (429, Some(20429)),
        "{body}"
    );
    for p in 0..250 {
        let (status, body) = c.call(
            "POST",
            &format!("{cf}/Participants/p{p}.json"),
            "Muted=true",
        );
        assert_eq!(
            (status, body["muted"].as_bool()),
            (200, Some(true)),
            "{body}"
        );
    }
    // Twilio's paging: 50 by default, next_page_uri until the last page.
    let mut uri = Some(format!("{cf}/Participants.json"));
    let mut pages = 0;
    let mut seen = 0;
    while let Some(u) = uri {
        let (status, page) = c.call("GET", &u, "");
        assert_eq!(status, 200, "{page}");
        assert_eq!(page["page_size"].as_u64(), Some(50));
        seen += page["participants"].as_array().unwrap().len();
        pages += 1;
        uri = page["next_page_uri"]
            .as_str()
            .map(|n| n.split_once("/Conferences/").unwrap().1.to_owned());
    }
    assert_eq!((pages, seen), (5, 250));
    let (status, page) = c.call("GET", &format!("{cf}/Participants.json?PageSize=1000"), "");
    assert_eq!(status, 200);
    assert_eq!(page["participants"].as_array().unwrap().len(), 250);
    assert!(page["next_page_uri"].is_null());

    // 1 000 conferences of 10.
    let mut sids = Vec::new();
    for r in 0..1000 {
        let (status, body) = c.call("POST", &format!("room{r}/Participants.json"), &form("p0"));
        assert_eq!(status, 201, "{body}");
        let sid = body["conference_sid"].as_str().unwrap().to_owned();
        for p in 1..10 {
            let (status, body) = c.call(
                "POST",
                &format!("{sid}/Participants.json"),
                &form(&format!("p{p}")),
            );
            assert_eq!(status, 201, "{body}");
        }
        sids.push(sid);
    }
    // The bridge-wide cap is reached: any create is refused, saying so.
    let (status, body) = c.call("POST", "one-more/Participants.json", &form("x"));
    assert_eq!(
        (status, body["code"].as_u64()),
        (429, Some(20429)),
        "{body}"
    );
    assert!(
        body["message"].as_str().unwrap().contains("bridge"),
        "{body}"
    );
    for sid in &sids {
        let (status, body) = c.call("POST", &format!("{sid}/Participants/p9.json"), "Hold=true");
        assert_eq!(
            (status, body["hold"].as_bool()),
            (200, Some(true)),
            "{body}"
        );
        let (status, page) = c.call("GET", &format!("{sid}/Participants.json?Hold=true"), "");
        assert_eq!(status, 200);
        assert_eq!(page["participants"].as_array().unwrap().len(), 1);
    }
    running.stop();
}

#[test]
fn serve_shows_the_caps_and_their_defaults() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_confpart"))
        .args(["serve", "--help"])
        .env_clear()
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&out.stdout).into_owned();
    let flag = |name: &str| {
        let at = help
            .find(name)
            .unwrap_or_else(|| panic!("{name} in {help}"));
        let rest = &help[at..];
        let default = rest.find("[default: ").unwrap();
        rest[default + 10..].split(']').next().unwrap().to_owned()
    };
    assert_eq!(flag("--max-participants-per-conference <N>"), "250");
    assert_eq!(flag("--max-participants <N>"), "100000");
    let zero = std::process::Command::new(env!("CARGO_BIN_EXE_confpart"))
        .args(["serve", "--max-participants", "0"])
        .env_clear()
        .output()
        .unwrap();
    assert_eq!(zero.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&zero.stderr).contains("whole number from 1"));
}
