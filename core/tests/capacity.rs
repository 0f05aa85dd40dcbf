//! The store at Twilio's sizes in fixed memory: a conference of 250 paged as Twilio pages
//! it, both caps (per conference, live participants in the bridge) answering 429 / 20429,
//! and a completed conference's slot reused.
use confpart::api::create::Create;
use confpart::api::path::Dialect;
use confpart::api::query::ListQuery;
use confpart::bridge::{
    ConferenceRef, Conferences, Limits, Link, Page, Refusal, SequentialIds, Timing,
};
use confpart::wire::date::Timestamp;
use confpart::wire::ident::{AccountSid, CallSid, ParticipantRef};
use confpart::wire::sink::SliceSink;

const AC: &str = "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

fn t0() -> Timestamp {
    Timestamp::from_unix(1_700_000_000).unwrap()
}

fn uri<const N: usize, const L: usize>(page: &Page<'_, N, L>, which: Link) -> Option<String> {
    page.uri(which).map(|u| {
        let mut buf = vec![0u8; u.encoded_len()];
        let mut sink = SliceSink::new(&mut buf);
        u.write(&mut sink).unwrap();
        String::from_utf8(buf).unwrap()
    })
}

#[test]
fn a_conference_of_250_pages_as_twilio_pages_it() {
    let a = AccountSid::parse(AC).unwrap();
    let mut ids = SequentialIds::new();
    let mut set: Box<Conferences<2, 250>> =
        Box::new(Conferences::new(Dialect::Twilio, Timing::IMMEDIATE));
    let create = Create::new("+15005550006", "+15005550001");
    let mut calls = Vec::new();
    let mut sid = None;
    for _ in 0..250 {
        let place = sid.map_or(ConferenceRef::Name("big"), ConferenceRef::Sid);
        let c = set.create(&a, place, &create, t0(), &mut ids).unwrap();
        sid = Some(c.conference);
        calls.push(c.call);
    }
    let sid = sid.unwrap();
    assert_eq!(
        set.create(&a, ConferenceRef::Sid(sid), &create, t0(), &mut ids),
        Err(Refusal::ConferenceFull { capacity: 250 })
    );
    // Default PageSize 50: five pages by number, the last without a next page.
    let mut listed: Vec<CallSid> = Vec::new();
    for page in 0..5 {
        let q = ListQuery {
            page: Some(page),
            ..ListQuery::new()
        };
        let p = set.list(&a, &sid, &q, t0()).unwrap();
        assert_eq!((p.page_size(), p.len()), (50, 50));
        assert_eq!(p.start(), u64::from(page) * 50);
        assert_eq!(uri(&p, Link::Next).is_some(), page < 4, "page {page}");
        listed.extend(p.members().map(|m| *m.call_sid()));
    }
    assert_eq!(listed, calls);
    // Following next_page_uri's PageToken gives the same pages.
    let mut token: Option<String> = None;
    let mut followed: Vec<CallSid> = Vec::new();
    loop {
        let q = ListQuery {
            page_size: Some(100),
            page_token: token.as_deref(),
            page: Some(u32::try_from(followed.len() / 100).unwrap()),
            ..ListQuery::new()
        };
        let p = set.list(&a, &sid, &q, t0()).unwrap();
        followed.extend(p.members().map(|m| *m.call_sid()));
        let Some(next) = uri(&p, Link::Next) else {
            break;
        };
        let t = next.split("PageToken=").nth(1).unwrap();
        token = Some(t.split('&').next().unwrap().to_owned());
    }
    assert_eq!(followed, calls);
    // PageSize up to 1000: all of them at once; past it: 400.
    let q = ListQuery {
        page_size: Some(1000),
        ..ListQuery::new()
    };
    assert_eq!(set.list(&a, &sid, &q, t0()).unwrap().len(), 250);
    let q = ListQuery {
        page_size: Some(1001),
        ..ListQuery::new()
    };
    let e = set.list(&a, &sid, &q, t0()).unwrap_err().answer();
    assert_eq!((e.status, e.code), (400, 20001));
}

#[test]
fn the_bridge_cap_and_a_completed_conferences_slot() {
    let a = AccountSid::parse(AC).unwrap();
    let mut ids = SequentialIds::new();
    let limits = Limits {
        per_conference: 4,
        participants: 3,
    };
    let mut set: Conferences<2, 4> =
        Conferences::with_limits(Dialect::Twilio, Timing::IMMEDIATE, limits);
    let create = Create::new("+15005550006", "+15005550001");
    let first = set
        .create(&a, ConferenceRef::Name("one"), &create, t0(), &mut ids)
        .unwrap();
    set.create(&a, ConferenceRef::Name("one"), &create, t0(), &mut ids)
        .unwrap();
    set.create(&a, ConferenceRef::Name("two"), &create, t0(), &mut ids)
        .unwrap();
    let full = set
        .create(&a, ConferenceRef::Name("one"), &create, t0(), &mut ids)
        .unwrap_err();
    assert_eq!(full, Refusal::BridgeFull { capacity: 3 });
    assert_eq!((full.answer().status, full.answer().code), (429, 20429));
    // Both slots taken, none completed: a third conference is refused.
    let mut roomy: Conferences<2, 4> = Conferences::new(Dialect::Twilio, Timing::IMMEDIATE);
    let only = roomy
        .create(&a, ConferenceRef::Name("x"), &create, t0(), &mut ids)
        .unwrap();
    roomy
        .create(&a, ConferenceRef::Name("y"), &create, t0(), &mut ids)
        .unwrap();
    assert_eq!(
        roomy.create(&a, ConferenceRef::Name("z"), &create, t0(), &mut ids),
        Err(Refusal::SetFull { capacity: 2 })
    );
    // `x` completes (its last participant leaves): its slot is reused.
    roomy
        .delete(&a, &only.conference, &ParticipantRef::Call(only.call), t0())
        .unwrap();
    let z = roomy
        .create(&a, ConferenceRef::Name("z"), &create, t0(), &mut ids)
        .unwrap();
    assert_eq!(roomy.len(), 2);
    assert!(roomy.conference(&only.conference).is_none());
    assert!(roomy.conference(&z.conference).is_some());
    // In the capped set, a participant leaving makes room again.
    set.delete(
        &a,
        &first.conference,
        &ParticipantRef::Call(first.call),
        t0(),
    )
    .unwrap();
    assert_eq!(set.live_participants(), 2);
    set.create(&a, ConferenceRef::Name("one"), &create, t0(), &mut ids)
        .unwrap();
}
