//! The set of conferences and the five operations sans HTTP: the issue's
//! scenario on the model alone, the page URIs against the fixtures, the
//! capacity refusals, completion, accounts, events.
use confpart::api::create::Create;
use confpart::api::path::Dialect;
use confpart::api::query::ListQuery;
use confpart::api::update::Update;
use confpart::bridge::{
    ConferenceRef, ConferenceStatus, Conferences, EVENT_QUEUE_CAPACITY, Event, IdSource, Lifecycle,
    Link, Notice, NoticeKind, Page, Refusal, Rejection, SequentialIds, Timing,
};
use confpart::wire::date::Timestamp;
use confpart::wire::ident::{AccountSid, CallSid, ConferenceSid, IdError, ParticipantRef};
use confpart::wire::sink::SliceSink;

const AC: &str = "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const AC2: &str = "ACcccccccccccccccccccccccccccccccc";
const CF: &str = "CFaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

fn t(s: u64) -> Timestamp {
    Timestamp::from_unix(1_700_000_000 + s).unwrap()
}

fn account() -> AccountSid {
    AccountSid::parse(AC).unwrap()
}

fn by_label(l: &str) -> ParticipantRef {
    ParticipantRef::parse(l).unwrap()
}

fn uri<const N: usize, const L: usize>(page: &Page<'_, N, L>, which: Link) -> Option<String> {
    page.uri(which).map(|u| {
        let mut buf = vec![0u8; u.encoded_len()];
        let mut sink = SliceSink::new(&mut buf);
        u.write(&mut sink).unwrap();
        assert_eq!(sink.len(), buf.len());
        String::from_utf8(buf).unwrap()
    })
}

fn calls<const N: usize, const L: usize>(page: &Page<'_, N, L>) -> Vec<CallSid> {
    page.members().map(|m| *m.call_sid()).collect()
}

fn drain<const C: usize, const N: usize, const L: usize>(
    set: &mut Conferences<C, N, L>,
) -> Vec<Notice> {
    std::iter::from_fn(|| set.pop_notice()).collect()
}

fn answer(r: Refusal) -> (u16, u32) {
    (r.answer().status, r.answer().code)
}

/// Ids from a list (the fixtures' SIDs).
struct Fixed(Vec<&'static str>);

impl IdSource for Fixed {
    fn call_sid(&mut self, _: Dialect) -> Result<CallSid, IdError> {
        CallSid::parse(self.0.remove(0))
    }
    fn conference_sid(&mut self, _: Dialect) -> Result<ConferenceSid, IdError> {
        ConferenceSid::parse(self.0.remove(0))
    }
}

/// The issue's scenario, on the model alone.
#[test]
fn scenario() {
    let acc = account();
    let timing = Timing {
        to_connecting: 1,
        to_ringing: 1,
        to_connected: 2,
    };
    let mut set: Conferences<2, 8> = Conferences::new(Dialect::Twilio, timing);
    let mut ids = SequentialIds::new();

    // Create three participants, by friendly name; one label has a space.
    let a = set
        .create(
            &acc,
            ConferenceRef::parse("team room"),
            &Create::new("+15550001", "+15550002").label("customer one"),
            t(0),
            &mut ids,
        )
        .unwrap();
    assert!(a.new_conference);
    assert_eq!(a.queue_time_ms, 1000);
    let conf = a.conference;
    assert_eq!(conf.as_str(), "CF00000000000000000000000000000001");
    assert_eq!(set.friendly_name(&conf), Some("team room"));
    let b = set
        .create(
            &acc,
            ConferenceRef::parse("team room"),
            &Create::new("+15550001", "client:agent"),
            t(0),
            &mut ids,
        )
        .unwrap();
    assert_eq!((b.conference, b.new_conference), (conf, false));
    let c = set
        .create(
            &acc,
            ConferenceRef::Sid(conf),
            &Create::new("+15550001", "client:supervisor").label("sup"),
            t(0),
            &mut ids,
        )
        .unwrap();
    let (a, b, c) = (a.call, b.call, c.call);
    let state = |set: &mut Conferences<2, 8>, who: CallSid, now| {
        *set.fetch(&acc, &conf, &ParticipantRef::Call(who), now)
            .unwrap()
            .member
            .state()
    };
    assert_eq!(state(&mut set, a, t(0)).lifecycle, Lifecycle::Queued);
    assert_eq!(state(&mut set, a, t(1)).lifecycle, Lifecycle::Connecting);
    assert_eq!(state(&mut set, a, t(3)).lifecycle, Lifecycle::Ringing);
    // Hold needs a connected participant.
    let r = set
        .update(
            &acc,
            &conf,
            &by_label("customer one"),
            &Update::new().hold(true),
            t(3),
        )
        .unwrap_err();
    assert_eq!(answer(r), (400, 21220));
    assert!(drain(&mut set).is_empty());
    // Wait until connected (ticked late: the transitions keep their due time).
    set.tick(t(60));
    let s = state(&mut set, a, t(60));
    assert_eq!((s.lifecycle, s.date_updated), (Lifecycle::Connected, t(4)));
    let notices = drain(&mut set);
    let joins: Vec<_> = notices
        .iter()
        .filter_map(|n| match n.kind {
            NoticeKind::Participant {
                call,
                event: Event::Join,
            } => Some(call),
            _ => None,
        })
        .collect();
    assert_eq!(joins, [a, b, c]);
    assert_eq!(
        notices
            .iter()
            .filter(|n| n.kind == NoticeKind::ConferenceStart)
            .count(),
        1
    );
    assert_eq!(
        set.conference(&conf).unwrap().status(),
        ConferenceStatus::InProgress
    );

    // Mute.
    let found = set
        .update(
            &acc,
            &conf,
            &ParticipantRef::Call(a),
            &Update::mute(),
            t(61),
        )
        .unwrap();
    assert!(found.member.state().muted);
    // Hold by label, with a hold URL holding `?` and `&`.
    let found = set
        .update(
            &acc,
            &conf,
            &by_label("customer one"),
            &Update::hold_with_music("https://m.example/hold?a=1&b=2"),
            t(62),
        )
        .unwrap();
    assert!(found.member.state().hold);
    assert_eq!(found.member.call_sid(), &a);
    let events: Vec<_> = drain(&mut set).iter().map(|n| n.kind.name()).collect();
    assert_eq!(events, ["participant-mute", "participant-hold"]);
    // Coach a held target: 16027.
    let r = set
        .update(
            &acc,
            &conf,
            &ParticipantRef::Call(c),
            &Update::coach(a),
            t(63),
        )
        .unwrap_err();
    assert_eq!(answer(r), (400, 16027));
    // Monitor, then barge.
    let found = set
        .update(&acc, &conf, &by_label("sup"), &Update::monitor(b), t(64))
        .unwrap();
    assert_eq!(found.member.state().coach_target, Some(b));
    assert!(found.member.state().muted);
    let found = set
        .update(&acc, &conf, &by_label("sup"), &Update::barge(), t(65))
        .unwrap();
    assert_eq!(found.member.state().coach_target, None);
    assert!(!found.member.state().muted);
    // Coaching=true without a target: 400.
    let r = set
        .update(
            &acc,
            &conf,
            &ParticipantRef::Call(b),
            &Update::new().coaching(true),
            t(66),
        )
        .unwrap_err();
    assert_eq!(answer(r), (400, 20001));

    // List filtered by Muted=true.
    let q = ListQuery {
        muted: Some(true),
        ..ListQuery::new()
    };
    let page = set.list(&acc, &conf, &q, t(67)).unwrap();
    assert_eq!(calls(&page), [a]);
    assert_eq!((page.start(), page.end()), (0, 0));
    assert_eq!(
        uri(&page, Link::Current).unwrap(),
        "/2010-04-01/Accounts/ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/Conferences/CF00000000000000000000000000000001/Participants.json?Muted=true&PageSize=50&Page=0"
    );
    assert_eq!(uri(&page, Link::Next), None);
    assert_eq!(uri(&page, Link::Previous), None);

    // List with PageSize=2, following next_page_uri to the end.
    let mut q = ListQuery {
        page_size: Some(2),
        ..ListQuery::new()
    };
    let mut seen = Vec::new();
    let mut tokens = Vec::new();
    loop {
        let page = set.list(&acc, &conf, &q, t(68)).unwrap();
        seen.extend(calls(&page));
        assert_eq!(page.start(), u64::from(page.page()) * 2);
        let Some(next) = uri(&page, Link::Next) else {
            break;
        };
        let (_, query) = next.split_once('?').unwrap();
        let mut scratch = [0u8; 64];
        let decoded = ListQuery::decode(query.as_bytes(), &mut scratch).unwrap();
        q.page = decoded.page;
        let token = decoded.page_token.unwrap().to_string();
        q.page_token = Some(Box::leak(token.clone().into_boxed_str()));
        tokens.push(token);
    }
    assert_eq!(seen, [a, b, c]);
    assert_eq!(tokens, ["PACP00000000000000000000000000000003"]);

    // Delete by label, then the participant is gone: fetch and update 404.
    assert_eq!(
        set.delete(&acc, &conf, &by_label("customer one"), t(70)),
        Ok(a)
    );
    let r = set
        .fetch(&acc, &conf, &ParticipantRef::Call(a), t(71))
        .unwrap_err();
    assert_eq!(answer(r), (404, 20404));
    let r = set
        .update(
            &acc,
            &conf,
            &ParticipantRef::Call(a),
            &Update::unmute(),
            t(71),
        )
        .unwrap_err();
    assert_eq!(answer(r), (404, 20404));
    let r = set
        .delete(&acc, &conf, &by_label("customer one"), t(71))
        .unwrap_err();
    assert_eq!(answer(r), (404, 20404));
    // The label is free again.
    set.create(
        &acc,
        ConferenceRef::Sid(conf),
        &Create::new("a", "b").label("customer one"),
        t(72),
        &mut ids,
    )
    .unwrap();

    // Another account's conference does not exist.
    let other = AccountSid::parse(AC2).unwrap();
    let r = set
        .fetch(&other, &conf, &ParticipantRef::Call(b), t(73))
        .unwrap_err();
    assert_eq!(answer(r), (404, 20404));
    let r = set
        .list(&other, &conf, &ListQuery::new(), t(73))
        .unwrap_err();
    assert_eq!(answer(r), (404, 20404));
    let r = set
        .create(
            &other,
            ConferenceRef::Sid(conf),
            &Create::new("a", "b"),
            t(73),
            &mut ids,
        )
        .unwrap_err();
    assert_eq!(answer(r), (404, 20404));
    // ... but its own conference of the same friendly name is another one.
    let mine = set
        .create(
            &other,
            ConferenceRef::parse("team room"),
            &Create::new("a", "b"),
            t(73),
            &mut ids,
        )
        .unwrap();
    assert!(mine.new_conference);
    assert_ne!(mine.conference, conf);

    // Full set: two conferences are in progress or waiting.
    let r = set
        .create(
            &acc,
            ConferenceRef::parse("third"),
            &Create::new("a", "b"),
            t(74),
            &mut ids,
        )
        .unwrap_err();
    assert_eq!(r, Refusal::SetFull { capacity: 2 });
    assert_eq!(answer(r), (429, 20429));
}

#[test]
fn page_uris_match_the_fixtures() {
    let acc = account();
    let mut set: Conferences<1, 4> = Conferences::new(Dialect::Twilio, Timing::IMMEDIATE);
    let mut ids = Fixed(vec![
        "CAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        "CAbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
        "CAcccccccccccccccccccccccccccccccc",
    ]);
    let conf = ConferenceSid::parse(CF).unwrap();
    for _ in 0..3 {
        set.create(
            &acc,
            ConferenceRef::Sid(conf),
            &Create::new("a", "b").muted(true),
            t(0),
            &mut ids,
        )
        .unwrap();
    }
    let fixture = |name: &str, key: &str| -> Option<String> {
        let path = format!("{}/../tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(path).unwrap();
        let at = text.rfind(&format!("\"{key}\": ")).unwrap() + key.len() + 4;
        let rest = &text[at..];
        rest.strip_prefix('"')
            .map(|r| r[..r.find('"').unwrap()].to_string())
    };
    let number = |name: &str, key: &str| -> u64 {
        let path = format!("{}/../tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(path).unwrap();
        let at = text.rfind(&format!("\"{key}\": ")).unwrap() + key.len() + 4;
        text[at..]
            .split(|c: char| !c.is_ascii_digit())
            .next()
            .unwrap()
            .parse()
            .unwrap()
    };
    let q = ListQuery {
        muted: Some(true),
        page_size: Some(2),
        ..ListQuery::new()
    };
    let page = set.list(&acc, &conf, &q, t(1)).unwrap();
    let f = "twilio-list-page.json";
    assert_eq!(page.len(), 2);
    assert_eq!(uri(&page, Link::Current), fixture(f, "uri"));
    assert_eq!(uri(&page, Link::First), fixture(f, "first_page_uri"));
    assert_eq!(uri(&page, Link::Next), fixture(f, "next_page_uri"));
    assert_eq!(uri(&page, Link::Previous), fixture(f, "previous_page_uri"));
    assert_eq!(
        (
            u64::from(page.page()),
            u64::from(page.page_size()),
            page.start(),
            page.end()
        ),
        (
            number(f, "page"),
            number(f, "page_size"),
            number(f, "start"),
            number(f, "end")
        )
    );
    // Nobody is on hold: the empty page.
    let q = ListQuery {
        hold: Some(true),
        ..ListQuery::new()
    };
    let page = set.list(&acc, &conf, &q, t(1)).unwrap();
    let f = "twilio-list-empty.json";
    assert!(page.is_empty());
    assert_eq!(uri(&page, Link::Current), fixture(f, "uri"));
    assert_eq!(uri(&page, Link::First), fixture(f, "first_page_uri"));
    assert_eq!(uri(&page, Link::Next), None);
    assert_eq!(uri(&page, Link::Previous), None);
    assert_eq!(
        (u64::from(page.page_size()), page.start(), page.end()),
        (number(f, "page_size"), number(f, "start"), number(f, "end"))
    );

    // The second page, reached with the fixture's token, and its previous page.
    let q = ListQuery {
        muted: Some(true),
        page_size: Some(2),
        page: Some(1),
        page_token: Some("PACPbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"),
        ..ListQuery::new()
    };
    let page = set.list(&acc, &conf, &q, t(1)).unwrap();
    assert_eq!(
        calls(&page),
        [CallSid::parse("CAcccccccccccccccccccccccccccccccc").unwrap()]
    );
    assert_eq!((page.start(), page.end()), (2, 2));
    assert_eq!(uri(&page, Link::Next), None);
    let prev = uri(&page, Link::Previous).unwrap();
    assert!(prev.ends_with("Participants.json?Muted=true&PageSize=2&Page=0&PageToken=PBCPcccccccccccccccccccccccccccccccc"), "{prev}");
    assert!(
        uri(&page, Link::Current)
            .unwrap()
            .ends_with("&Page=1&PageToken=PACPbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb")
    );
    let q = ListQuery {
        page: Some(0),
        page_token: Some("PBCPcccccccccccccccccccccccccccccccc"),
        ..q
    };
    let page = set.list(&acc, &conf, &q, t(1)).unwrap();
    assert_eq!(page.len(), 2);
    assert_eq!(
        uri(&page, Link::Next),
        fixture("twilio-list-page.json", "next_page_uri")
    );

    // A participant leaving between two pages does not shift the next one.
    set.delete(
        &acc,
        &conf,
        &ParticipantRef::parse("CAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa").unwrap(),
        t(2),
    )
    .unwrap();
    let q = ListQuery {
        page_size: Some(2),
        page: Some(1),
        page_token: Some("PACPbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"),
        ..ListQuery::new()
    };
    let page = set.list(&acc, &conf, &q, t(2)).unwrap();
    assert_eq!(page.len(), 1);

    // Bad paging.
    for q in [
        ListQuery {
            page_size: Some(0),
            ..ListQuery::new()
        },
        ListQuery {
            page_size: Some(1001),
            ..ListQuery::new()
        },
        ListQuery {
            page_token: Some("XYZ"),
            ..ListQuery::new()
        },
    ] {
        let r = set.list(&acc, &conf, &q, t(2)).unwrap_err();
        assert_eq!(answer(r), (400, 20001));
    }
}

#[test]
fn signalwire_pages_use_the_laml_form() {
    let acc = AccountSid::parse("b3877c40-da60-4998-90ad-b792e98472af").unwrap();
    let mut set: Conferences<1, 4> = Conferences::new(Dialect::SignalWire, Timing::IMMEDIATE);
    let mut ids = SequentialIds::new();
    let mut conf = None;
    for _ in 0..3 {
        let c = set
            .create(
                &acc,
                ConferenceRef::parse("room"),
                &Create::new("a", "b"),
                t(0),
                &mut ids,
            )
            .unwrap();
        assert_eq!(c.call.form(), confpart::wire::ident::SidForm::Uuid);
        conf = Some(c.conference);
    }
    let conf = conf.unwrap();
    let q = ListQuery {
        muted: Some(false),
        page_size: Some(2),
        page: Some(1),
        ..ListQuery::new()
    };
    let page = set.list(&acc, &conf, &q, t(1)).unwrap();
    assert_eq!(page.len(), 1);
    let base = format!("/api/laml/2010-04-01/Accounts/{acc}/Conferences/{conf}/Participants");
    assert_eq!(
        uri(&page, Link::Current).unwrap(),
        format!("{base}?Muted=false&Page=1&PageSize=2")
    );
    assert_eq!(
        uri(&page, Link::Previous).unwrap(),
        format!("{base}?Muted=false&Page=0&PageSize=2")
    );
    assert_eq!(uri(&page, Link::Next), None);
    // Completed: an update answers SignalWire's 10000, a fetch 404.
    let all: Vec<_> = set
        .conference(&conf)
        .unwrap()
        .members()
        .map(|m| *m.call_sid())
        .collect();
    for call in &all {
        set.delete(&acc, &conf, &ParticipantRef::Call(*call), t(2))
            .unwrap();
    }
    let r = set
        .update(
            &acc,
            &conf,
            &ParticipantRef::Call(all[0]),
            &Update::mute(),
            t(3),
        )
        .unwrap_err();
    assert_eq!(answer(r), (400, 10000));
    let r = set
        .fetch(&acc, &conf, &ParticipantRef::Call(all[0]), t(3))
        .unwrap_err();
    assert_eq!(answer(r), (404, 20404));
}

#[test]
fn create_checks_run_before_anything_changes() {
    let acc = account();
    let mut set: Conferences<1, 2, 8> = Conferences::new(Dialect::Twilio, Timing::IMMEDIATE);
    let mut ids = SequentialIds::new();
    let room = ConferenceRef::parse("room");
    // A coaching target in a conference that does not exist yet: 16028.
    let target = CallSid::parse("CAbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb").unwrap();
    let r = set
        .create(
            &acc,
            room,
            &Create::new("a", "b").call_sid_to_coach(target),
            t(0),
            &mut ids,
        )
        .unwrap_err();
    assert_eq!(answer(r), (400, 16028));
    assert!(set.is_empty());
    // Labels: invalid (16024), too long for L = 8 bytes (16023).
    let r = set
        .create(
            &acc,
            room,
            &Create::new("a", "b").label("a/b"),
            t(0),
            &mut ids,
        )
        .unwrap_err();
    assert_eq!(answer(r), (400, 16024));
    let r = set
        .create(
            &acc,
            room,
            &Create::new("a", "b").label("123456789"),
            t(0),
            &mut ids,
        )
        .unwrap_err();
    assert_eq!(answer(r), (400, 16023));
    assert!(set.is_empty());
    assert_eq!(ids, SequentialIds::new(), "no id was drawn");
    // Bad friendly names.
    for name in ["", "a/b", &"x".repeat(129)] {
        let r = set
            .create(
                &acc,
                ConferenceRef::Name(name),
                &Create::new("a", "b"),
                t(0),
                &mut ids,
            )
            .unwrap_err();
        assert_eq!(answer(r), (400, 20001), "{name:?}");
    }
    let first = set
        .create(
            &acc,
            room,
            &Create::new("a", "b").label("x"),
            t(0),
            &mut ids,
        )
        .unwrap();
    // Label in use: 16026.
    let r = set
        .create(
            &acc,
            room,
            &Create::new("a", "b").label("x"),
            t(0),
            &mut ids,
        )
        .unwrap_err();
    assert_eq!(r, Refusal::LabelInUse);
    assert_eq!(answer(r), (400, 16026));
    // The target must be live in this conference and not on hold.
    set.tick(t(1));
    set.update(
        &acc,
        &first.conference,
        &by_label("x"),
        &Update::new().hold(true),
        t(1),
    )
    .unwrap();
    let r = set
        .create(
            &acc,
            room,
            &Create::new("a", "b")
                .coaching(true)
                .call_sid_to_coach(first.call),
            t(1),
            &mut ids,
        )
        .unwrap_err();
    assert_eq!(r, Refusal::Rejected(Rejection::CoachTargetOnHold));
    set.update(
        &acc,
        &first.conference,
        &by_label("x"),
        &Update::unhold(),
        t(1),
    )
    .unwrap();
    let coach = set
        .create(
            &acc,
            room,
            &Create::new("a", "b")
                .muted(true)
                .call_sid_to_coach(first.call),
            t(2),
            &mut ids,
        )
        .unwrap();
    let s = *set
        .fetch(
            &acc,
            &first.conference,
            &ParticipantRef::Call(coach.call),
            t(2),
        )
        .unwrap()
        .member
        .state();
    assert_eq!((s.coach_target, s.muted), (Some(first.call), true));
    // N = 2: the conference is full; C = 1: the set is full.
    let r = set
        .create(&acc, room, &Create::new("a", "b"), t(2), &mut ids)
        .unwrap_err();
    assert_eq!(
        (r, answer(r)),
        (Refusal::ConferenceFull { capacity: 2 }, (429, 20429))
    );
    let r = set
        .create(
            &acc,
            ConferenceRef::parse("other"),
            &Create::new("a", "b"),
            t(2),
            &mut ids,
        )
        .unwrap_err();
    assert_eq!(
        (r, answer(r)),
        (Refusal::SetFull { capacity: 1 }, (429, 20429))
    );
    // Deleting the coached participant clears the coaching (modify).
    drain(&mut set);
    set.delete(&acc, &first.conference, &by_label("x"), t(3))
        .unwrap();
    let kinds: Vec<_> = drain(&mut set)
        .iter()
        .map(|n| (n.kind.name(), n.kind))
        .collect();
    assert_eq!(
        kinds,
        [
            (
                "participant-leave",
                NoticeKind::Participant {
                    call: first.call,
                    event: Event::Leave
                }
            ),
            (
                "participant-modify",
                NoticeKind::Participant {
                    call: coach.call,
                    event: Event::Modify
                }
            ),
        ]
    );
    // The last one leaves: the conference completes and its slot is reused.
    set.delete(
        &acc,
        &first.conference,
        &ParticipantRef::Call(coach.call),
        t(4),
    )
    .unwrap();
    let kinds: Vec<_> = drain(&mut set).iter().map(|n| n.kind.name()).collect();
    assert_eq!(kinds, ["participant-leave", "conference-end"]);
    let r = set
        .create(
            &acc,
            ConferenceRef::Sid(first.conference),
            &Create::new("a", "b"),
            t(5),
            &mut ids,
        )
        .unwrap_err();
    assert_eq!(answer(r), (404, 20404));
    let again = set
        .create(&acc, room, &Create::new("a", "b"), t(5), &mut ids)
        .unwrap();
    assert!(again.new_conference);
    assert_eq!(set.len(), 1);
    assert!(set.conference(&first.conference).is_none());
}

#[test]
fn delete_from_every_live_state_and_end_conference_on_exit() {
    let acc = account();
    let timing = Timing {
        to_connecting: 10,
        to_ringing: 10,
        to_connected: 10,
    };
    let mut set: Conferences<1, 8> = Conferences::new(Dialect::Twilio, timing);
    let mut ids = SequentialIds::new();
    let room = ConferenceRef::parse("room");
    let host = set
        .create(
            &acc,
            room,
            &Create::new("a", "b").end_conference_on_exit(true),
            t(0),
            &mut ids,
        )
        .unwrap();
    let conf = host.conference;
    let mut made = Vec::new();
    for (i, expected) in [
        Lifecycle::Connected,
        Lifecycle::Ringing,
        Lifecycle::Connecting,
        Lifecycle::Queued,
    ]
    .into_iter()
    .enumerate()
    {
        let c = set
            .create(
                &acc,
                room,
                &Create::new("a", "b"),
                t(10 * i as u64),
                &mut ids,
            )
            .unwrap();
        made.push((c.call, expected));
    }
    set.tick(t(30));
    for (call, expected) in &made {
        let m = set.conference(&conf).unwrap().member(call).unwrap();
        assert_eq!(m.state().lifecycle, *expected);
    }
    // Kick the ringing one and the queued one.
    for (call, _) in [made[1], made[3]] {
        assert_eq!(
            set.delete(&acc, &conf, &ParticipantRef::Call(call), t(30)),
            Ok(call)
        );
    }
    drain(&mut set);
    // The host (end_conference_on_exit) leaves: everybody leaves.
    set.delete(&acc, &conf, &ParticipantRef::Call(host.call), t(31))
        .unwrap();
    let kinds: Vec<_> = drain(&mut set).iter().map(|n| n.kind.name()).collect();
    assert_eq!(
        kinds,
        ["participant-leave", "participant-leave", "conference-end"]
    );
    let c = set.conference(&conf).unwrap();
    assert_eq!(c.status(), ConferenceStatus::Completed);
    assert_eq!(c.live_count(), 0);
    let page = set.list(&acc, &conf, &ListQuery::new(), t(32)).unwrap();
    assert!(page.is_empty());
}

#[test]
fn notices_beyond_the_queue_are_counted() {
    let acc = account();
    let mut set: Conferences<1, 2> = Conferences::new(Dialect::Twilio, Timing::IMMEDIATE);
    let mut ids = SequentialIds::new();
    let c = set
        .create(
            &acc,
            ConferenceRef::parse("r"),
            &Create::new("a", "b"),
            t(0),
            &mut ids,
        )
        .unwrap();
    set.tick(t(0)); // join + conference-start
    for i in 0..EVENT_QUEUE_CAPACITY as u64 {
        let u = if i % 2 == 0 {
            Update::mute()
        } else {
            Update::unmute()
        };
        set.update(
            &acc,
            &c.conference,
            &ParticipantRef::Call(c.call),
            &u,
            t(1 + i),
        )
        .unwrap();
    }
    assert_eq!(set.pending_notices(), EVENT_QUEUE_CAPACITY);
    assert_eq!(set.lost_notices(), 2);
    assert_eq!(drain(&mut set).len(), EVENT_QUEUE_CAPACITY);
}

#[test]
fn sequential_ids_write_the_counter_as_before() {
    // A Twilio SID ends with the counter's 16 hex digits; a UUID's last
    // group holds its last 12, the rest stays 0 but the version (4) and
    // variant (8) digits.
    let mut ids = SequentialIds::starting_at(0xfedc_ba98_7654_3210);
    assert_eq!(
        ids.call_sid(Dialect::Twilio).unwrap().as_str(),
        "CA0000000000000000fedcba9876543210"
    );
    assert_eq!(
        ids.call_sid(Dialect::SignalWire).unwrap().as_str(),
        "00000000-0000-4000-8000-ba9876543211"
    );
    assert_eq!(
        ids.conference_sid(Dialect::Twilio).unwrap().as_str(),
        "CF0000000000000000fedcba9876543212"
    );
    let mut last = SequentialIds::starting_at(u64::MAX);
    assert_eq!(
        last.conference_sid(Dialect::SignalWire).unwrap().as_str(),
        "00000000-0000-4000-8000-ffffffffffff"
    );
    assert_eq!(
        last.call_sid(Dialect::Twilio).unwrap().as_str(),
        "CA00000000000000000000000000000000"
    );
}
