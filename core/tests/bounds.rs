//! The compile-time buffer bounds (`Request::max_update_len`,
//! `bridge::max_participant_answer_len`) hold for every input within them,
//! and are close to the worst real case (they are what the probes size
//! their buffers with).
use confpart::api::fields::Method;
use confpart::api::path::{Dialect, Endpoint, PathStyle};
use confpart::api::update::{CoachTarget, Update};
use confpart::bridge::{Conference, Join, Lifecycle};
use confpart::bridge::{max_participant_answer_len, write_participant};
use confpart::client::{Credentials, Operation, Request, UpdateBounds};
use confpart::wire::date::Timestamp;
use confpart::wire::http::Connection;
use confpart::wire::ident::{
    AccountSid, CallSid, ConferenceSid, Label, ParticipantRef, SID_CAPACITY,
};
use confpart::wire::sink::SliceSink;
use proptest::prelude::*;

const AC: &str = "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const CF: &str = "CFaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const CA: &str = "CAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const CB: &str = "CAbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
const TOKEN: &str = "0123456789abcdef0123456789abcdef";

fn full_update<'a>(hold: &'a str, announce: &'a str, wait: &'a str) -> Update<'a> {
    Update::new()
        .muted(false)
        .hold(false)
        .hold_url(hold)
        .hold_method(Method::Post)
        .announce_url(announce)
        .announce_method(Method::Post)
        .wait_url(wait)
        .wait_method(Method::Post)
        .coaching(true)
        .call_sid_to_coach(CoachTarget::Call(CallSid::parse(CB).unwrap()))
        .beep_on_exit(false)
        .end_conference_on_exit(false)
}

fn request_len(who: &ParticipantRef, update: Update<'_>, conn: Connection) -> usize {
    Request::new(
        Endpoint::twilio(),
        Credentials::new(AC, TOKEN).unwrap(),
        AccountSid::parse(AC).unwrap(),
        ConferenceSid::parse(CF).unwrap(),
        Operation::update(who, update),
    )
    .with_connection(conn)
    .encoded_len()
    .unwrap()
}

#[test]
fn worst_twilio_update_is_within_the_bound_and_close() {
    // Every URL byte after `http` needs `%XX`.
    let url = format!("http://{}", ":".repeat(60));
    let url = &url[..64];
    let max = Request::max_update_len(UpdateBounds::twilio(64));
    let who = ParticipantRef::Call(CallSid::parse(CA).unwrap());
    let n = request_len(&who, full_update(url, url, url), Connection::KeepAlive);
    assert!(n <= max, "{n} > {max}");
    // The slack is the LaML prefix (9 bytes), two 36-byte UUIDs where
    // Twilio's SIDs have 34 (account and conference in the path), two
    // 64-byte Telnyx call-control ids (the path's call, the coach target)
    // and `Coaching=true` (coaching needs it) against `false`: nothing else.
    assert_eq!(
        max - n,
        "/api/laml".len() + 2 * 2 + 2 * (SID_CAPACITY - 34) + 1,
        "{n} vs {max}"
    );
}

proptest! {
    #[test]
    fn any_update_within_the_bounds_fits(
        urls in proptest::collection::vec("https?://[a-z]{1,8}(/[!-~]{0,40})?", 3),
        label in proptest::option::of("[a-zA-Z0-9 \"\\\\é€?#%&]{1,20}"),
        muted: bool,
        close: bool,
    ) {
        let who = match &label {
            Some(l) => match Label::new(l) {
                Ok(label) => ParticipantRef::Label(label),
                Err(_) => ParticipantRef::Call(CallSid::parse(CA).unwrap()),
            },
            None => ParticipantRef::Call(CallSid::parse(CA).unwrap()),
        };
        let longest = urls.iter().map(String::len).max().unwrap();
        let bounds = UpdateBounds {
            label: label.as_ref().map_or(0, String::len),
            ..UpdateBounds::twilio(longest)
        };
        let update = full_update(&urls[0], &urls[1], &urls[2]).muted(muted);
        let conn = if close { Connection::Close } else { Connection::KeepAlive };
        let n = request_len(&who, update, conn);
        prop_assert!(n <= Request::max_update_len(bounds));
    }

    #[test]
    fn any_participant_answer_within_the_bound_fits(
        label in "[a-zA-Z0-9 \"\\\\é€?#%&]{1,40}",
        muted: bool,
        laml: bool,
        status in 0usize..3,
    ) {
        let label = match Label::new(&label) {
            Ok(l) => l,
            Err(_) => Label::new("x").unwrap(),
        };
        let now = Timestamp::from_unix(1_700_000_000).unwrap();
        let mut conf = Conference::<4>::new(
            AccountSid::parse(AC).unwrap(),
            ConferenceSid::parse(CF).unwrap(),
            Dialect::Twilio,
        );
        let ca = CallSid::parse(CA).unwrap();
        let lifecycle = [Lifecycle::Queued, Lifecycle::Connecting, Lifecycle::Connected][status];
        conf.join(Join::new(ca).label(&label).status(lifecycle).muted(muted), now).unwrap();
        let style = if laml { PathStyle::Laml } else { PathStyle::Twilio };
        let p = conf.resource(&ca, style).unwrap();
        let mut buf = vec![0u8; 4096];
        for status in [200, 201] {
            let mut sink = SliceSink::new(&mut buf);
            write_participant(&mut sink, status, &p, Connection::KeepAlive).unwrap();
            prop_assert!(sink.len() <= max_participant_answer_len(label.as_str().len()));
        }
    }
}

#[test]
fn worst_participant_answer_is_close_to_the_bound() {
    let label = Label::new(&"\"".repeat(32)).unwrap();
    let now = Timestamp::from_unix(1_700_000_000).unwrap();
    let mut conf = Conference::<4>::new(
        AccountSid::parse(AC).unwrap(),
        ConferenceSid::parse(CF).unwrap(),
        Dialect::Twilio,
    );
    let ca = CallSid::parse(CA).unwrap();
    conf.join(
        Join::new(ca).label(&label).status(Lifecycle::Connecting),
        now,
    )
    .unwrap();
    let p = conf.resource(&ca, PathStyle::Laml).unwrap();
    let mut buf = [0u8; 2048];
    let mut sink = SliceSink::new(&mut buf);
    write_participant(&mut sink, 201, &p, Connection::KeepAlive).unwrap();
    let max = max_participant_answer_len(32);
    assert!(sink.len() <= max);
    // Slack: Twilio SIDs (34 bytes) where the bound has UUIDs (36) or
    // Telnyx call-control ids (64): the account and conference SIDs and the
    // uri's; the call SID and the uri's call; `connecting` (10) against
    // `in-progress` (11); `call_sid_to_coach` and the unset flags `null`
    // against `false`.
    assert!(
        max - sink.len() <= 4 * 2 + 2 * (SID_CAPACITY - 34) + 1 + 2 + SID_CAPACITY + 4 * 5,
        "{} vs {max}",
        sink.len()
    );
}

#[test]
fn telnyx_participant_answers_are_within_the_bound() {
    use confpart::api::participant::Reply;
    use confpart::bridge::write_participant_in;
    let now = Timestamp::from_unix(1_700_000_000).unwrap();
    let longest = format!("v3:{}", "x".repeat(SID_CAPACITY - 3));
    let minted = |n| CallSid::from_bits(n, confpart::wire::ident::SidForm::Telnyx);
    let account = AccountSid::parse("7e1e7e1e-7e1e-4e1e-8e1e-7e1e7e1e7e1e").unwrap();
    let conference = ConferenceSid::parse("00000000-0000-4000-8000-000000000001").unwrap();
    let mut largest = 0;
    for (coach, target) in [
        (minted(1), minted(u128::MAX)),
        (CallSid::parse(&longest).unwrap(), minted(2)),
        (minted(3), CallSid::parse(&longest).unwrap()),
    ] {
        let mut conf = Conference::<4>::new(account, conference, Dialect::Telnyx);
        conf.join(Join::new(target).status(Lifecycle::Connected), now)
            .unwrap();
        conf.join(Join::new(coach).status(Lifecycle::Connected), now)
            .unwrap();
        conf.apply(
            &confpart::wire::ident::ParticipantRef::Call(coach),
            &confpart::api::update::Update::coach(target),
            now,
        )
        .unwrap();
        let uuid = "00000000-0000-4000-8000-000000000001";
        let p = conf
            .resource(&coach, PathStyle::Texml)
            .unwrap()
            .with_call_sid_legacy(uuid)
            .with_coaching_call_sid_legacy(uuid);
        for (status, reply) in [(200, Reply::Resource), (201, Reply::Created)] {
            let mut buf = vec![0u8; 4096];
            let mut sink = SliceSink::new(&mut buf);
            write_participant_in(
                &mut sink,
                status,
                &p,
                Dialect::Telnyx,
                reply,
                Connection::KeepAlive,
            )
            .unwrap();
            assert!(
                sink.len() <= max_participant_answer_len(0),
                "{}",
                sink.len()
            );
            largest = largest.max(sink.len());
        }
    }
    // Telnyx's longest answer (both legacy UUIDs, 64-byte call ids) is
    // shorter than Twilio's longest (a label slot, `call_sid_to_coach`,
    // `start_conference_on_enter`, `queue_time`): the bound is Twilio's, and
    // its closeness is `worst_participant_answer_is_close_to_the_bound`'s.
    assert!(largest < max_participant_answer_len(0), "{largest}");
}
