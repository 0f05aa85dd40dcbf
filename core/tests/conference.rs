//! Conference model and participant state machine: one test per rule with the
//! exact answer, the recipes from every allowed starting state, and
//! proptest state-machine runs checking the invariants after every step.
use std::collections::HashMap;

use confpart::api::error::ApiError;
use confpart::api::participant::{Participant, Status};
use confpart::api::path::{Dialect, PathStyle};
use confpart::api::update::{CoachTarget, Field, Update, ValidationError};
use confpart::bridge::{
    Conference, ConferenceError, ConferenceStatus, Event, Join, Lifecycle, LifecycleError,
    ParticipantState, Rejection,
};
use confpart::wire::date::Timestamp;
use confpart::wire::ident::{AccountSid, CallSid, ConferenceSid, Label, ParticipantRef};
use proptest::prelude::*;

const MUSIC: &str = "https://music.example/hold.mp3";
const ANNOUNCE: &str = "https://music.example/announce.mp3";

fn sid(c: char) -> CallSid {
    CallSid::parse(&format!("CA{}", c.to_string().repeat(32))).unwrap()
}

fn uuid(c: char) -> CallSid {
    let h = c.to_string();
    CallSid::parse(&format!(
        "{}-{}-{}-{}-{}",
        h.repeat(8),
        h.repeat(4),
        h.repeat(4),
        h.repeat(4),
        h.repeat(12)
    ))
    .unwrap()
}

fn t(secs: u64) -> Timestamp {
    Timestamp::from_unix(1_700_000_000 + secs).unwrap()
}

fn call(c: CallSid) -> ParticipantRef {
    ParticipantRef::Call(c)
}

fn twilio<const N: usize>() -> Conference<N> {
    Conference::new(
        AccountSid::parse("ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa").unwrap(),
        ConferenceSid::parse("CFaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa").unwrap(),
        Dialect::Twilio,
    )
}

fn signalwire<const N: usize>() -> Conference<N> {
    Conference::new(
        AccountSid::parse("11111111-2222-3333-4444-555555555555").unwrap(),
        ConferenceSid::parse("66666666-7777-8888-9999-000000000000").unwrap(),
        Dialect::SignalWire,
    )
}

/// A, B connected; C queued; D connected with label "front desk".
fn room() -> Conference<8> {
    let mut c = twilio::<8>();
    c.start().unwrap();
    let label = Label::new("front desk").unwrap();
    c.join(Join::new(sid('a')).status(Lifecycle::Connected), t(0))
        .unwrap();
    c.join(Join::new(sid('b')).status(Lifecycle::Connected), t(0))
        .unwrap();
    c.join(Join::new(sid('c')), t(0)).unwrap();
    c.join(
        Join::new(sid('d'))
            .status(Lifecycle::Connected)
            .label(&label),
        t(0),
    )
    .unwrap();
    c
}

fn state(c: &Conference<8>, s: CallSid) -> ParticipantState {
    *c.member(&s).unwrap().state()
}

fn answer(r: Rejection) -> (u16, u32) {
    let a = r.answer();
    (a.status, a.code)
}

// ---------------------------------------------------------------- rule 1

#[test]
fn rule1_absent_participant_is_404() {
    let mut c = room();
    let r = c.apply(&call(sid('e')), &Update::mute(), t(1)).unwrap_err();
    assert_eq!(r, Rejection::NotFound);
    assert_eq!(answer(r), (404, 20404));
    let nobody = ParticipantRef::parse("nobody").unwrap();
    assert_eq!(c.check(&nobody, &Update::mute()), Err(Rejection::NotFound));
}

#[test]
fn rule1_final_participants_are_404() {
    let mut c = room();
    c.step(&sid('a'), Lifecycle::Complete, t(1)).unwrap();
    c.step(&sid('c'), Lifecycle::Failed, t(1)).unwrap();
    c.step(&sid('d'), Lifecycle::Complete, t(1)).unwrap();
    for s in [sid('a'), sid('c'), sid('d')] {
        let r = c.apply(&call(s), &Update::new(), t(2)).unwrap_err();
        assert_eq!(answer(r), (404, 20404));
    }
    // A label addresses live participants only.
    let label = ParticipantRef::parse("front desk").unwrap();
    assert_eq!(c.check(&label, &Update::mute()), Err(Rejection::NotFound));
}

#[test]
fn rule1_completed_conference_per_dialect() {
    let mut c = room();
    c.end(t(1)).unwrap();
    let r = c.apply(&call(sid('a')), &Update::mute(), t(2)).unwrap_err();
    assert_eq!(
        r,
        Rejection::ConferenceCompleted {
            dialect: Dialect::Twilio
        }
    );
    assert_eq!(answer(r), (404, 20404));

    let mut sw = signalwire::<4>();
    sw.join(Join::new(uuid('a')).status(Lifecycle::Connected), t(0))
        .unwrap();
    sw.end(t(1)).unwrap();
    let r = sw
        .apply(&call(uuid('a')), &Update::mute(), t(2))
        .unwrap_err();
    assert_eq!(answer(r), (400, 10000));
    // Even for a participant that never existed: the conference answers first.
    assert_eq!(
        answer(sw.check(&call(uuid('e')), &Update::mute()).unwrap_err()),
        (400, 10000)
    );
}

#[test]
fn label_addresses_the_participant() {
    let mut c = room();
    let label = ParticipantRef::parse("front desk").unwrap();
    let o = c.apply(&label, &Update::mute(), t(1)).unwrap();
    assert_eq!(o.state.call_sid, sid('d'));
    assert!(state(&c, sid('d')).muted);
}

// ---------------------------------------------------------------- form validation

#[test]
fn invalid_updates_are_400_20001() {
    let mut c = room();
    let a = call(sid('a'));
    let cases = [
        (
            Update::new().coaching(true),
            ValidationError::CoachingWithoutTarget,
        ),
        (
            Update::new()
                .coaching(false)
                .call_sid_to_coach(CoachTarget::Call(sid('b'))),
            ValidationError::CoachTargetWithoutCoaching,
        ),
        (
            Update::new()
                .coaching(true)
                .call_sid_to_coach(CoachTarget::Clear),
            ValidationError::CoachingWithoutTarget,
        ),
        (
            Update::coach(uuid('b')),
            ValidationError::SidForm {
                field: Field::CallSidToCoach,
            },
        ),
    ];
    for (u, e) in cases {
        let r = c.apply(&a, &u, t(1)).unwrap_err();
        assert_eq!(r, Rejection::Invalid(e));
        assert_eq!(answer(r), (400, 20001));
    }
    let r = c.apply(&a, &Update::hold_with_music("ftp://x"), t(1));
    assert!(matches!(
        r,
        Err(Rejection::Invalid(ValidationError::InvalidUrl { .. }))
    ));

    let mut sw = signalwire::<4>();
    sw.join(Join::new(uuid('a')).status(Lifecycle::Connected), t(0))
        .unwrap();
    let r = sw
        .apply(
            &call(uuid('a')),
            &Update::new().end_conference_on_exit(true),
            t(1),
        )
        .unwrap_err();
    assert_eq!(
        r,
        Rejection::Invalid(ValidationError::TwilioOnlyField {
            field: Field::EndConferenceOnExit
        })
    );
    assert_eq!(answer(r), (400, 20001));
}

// ---------------------------------------------------------------- rule 2

#[test]
fn rule2_coaching_true_alone_keeps_an_existing_target() {
    let mut c = room();
    let a = call(sid('a'));
    c.apply(&a, &Update::coach(sid('b')), t(1)).unwrap();
    let o = c.apply(&a, &Update::new().coaching(true), t(2)).unwrap();
    assert!(o.events.is_empty());
    assert!(!o.changed);
    assert_eq!(o.state.coach_target, Some(sid('b')));
    assert_eq!(o.state.date_updated, t(1));
}

#[test]
fn rule2_coaching_true_alone_still_validates_the_rest() {
    let mut c = room();
    let a = call(sid('a'));
    c.apply(&a, &Update::coach(sid('b')), t(1)).unwrap();
    let r = c
        .apply(&a, &Update::new().coaching(true).hold_url("ftp://x"), t(2))
        .unwrap_err();
    assert!(matches!(
        r,
        Rejection::Invalid(ValidationError::InvalidUrl {
            field: Field::HoldUrl,
            ..
        })
    ));
    assert_eq!(answer(r), (400, 20001));
}

#[test]
fn rule2_target_not_in_conference_per_dialect() {
    let mut c = room();
    let r = c
        .apply(&call(sid('a')), &Update::coach(sid('e')), t(1))
        .unwrap_err();
    assert_eq!(answer(r), (400, 16028));
    // A participant that left is no longer in the conference.
    c.step(&sid('b'), Lifecycle::Complete, t(1)).unwrap();
    let r = c
        .apply(&call(sid('a')), &Update::monitor(sid('b')), t(2))
        .unwrap_err();
    assert_eq!(answer(r), (400, 16028));

    let mut sw = signalwire::<4>();
    sw.join(Join::new(uuid('a')).status(Lifecycle::Connected), t(0))
        .unwrap();
    let r = sw
        .apply(&call(uuid('a')), &Update::coach(uuid('e')), t(1))
        .unwrap_err();
    assert_eq!(
        r,
        Rejection::CoachTargetNotInConference {
            dialect: Dialect::SignalWire
        }
    );
    assert_eq!(answer(r), (400, 16002));
}

#[test]
fn rule2_target_on_hold_is_16027() {
    let mut c = room();
    c.apply(&call(sid('b')), &Update::hold_with_music(MUSIC), t(1))
        .unwrap();
    let r = c
        .apply(&call(sid('a')), &Update::coach(sid('b')), t(2))
        .unwrap_err();
    assert_eq!(r, Rejection::CoachTargetOnHold);
    assert_eq!(answer(r), (400, 16027));
}

#[test]
fn rule2_target_is_not_the_participant_itself() {
    let mut c = room();
    let r = c
        .apply(&call(sid('a')), &Update::coach(sid('a')), t(1))
        .unwrap_err();
    assert_eq!(r, Rejection::CoachSelf);
    assert_eq!(answer(r), (400, 20001));
}

#[test]
fn rule2_call_sid_to_coach_alone_implies_coaching() {
    let mut c = room();
    let u = Update::new().call_sid_to_coach(CoachTarget::Call(sid('b')));
    let o = c.apply(&call(sid('a')), &u, t(1)).unwrap();
    assert_eq!(o.events.as_slice(), &[Event::Modify]);
    assert!(o.state.coaching());
    let p = c.resource(&sid('a'), PathStyle::Twilio).unwrap();
    assert_eq!(p.coaching(), Some(true));
    assert_eq!(p.call_sid_to_coach(), Some(&sid('b')));
}

#[test]
fn rule2_coaching_false_and_empty_target_clear_it() {
    for clear in [
        Update::new().coaching(false),
        Update::new().call_sid_to_coach(CoachTarget::Clear),
        Update::barge(),
        Update::barge().call_sid_to_coach(CoachTarget::Clear),
    ] {
        let mut c = room();
        c.apply(&call(sid('a')), &Update::coach(sid('b')), t(1))
            .unwrap();
        let o = c.apply(&call(sid('a')), &clear, t(2)).unwrap();
        assert_eq!(o.events.as_slice(), &[Event::Modify], "{clear:?}");
        assert_eq!(o.state.coach_target, None);
        let p = c.resource(&sid('a'), PathStyle::Twilio).unwrap();
        assert_eq!((p.coaching(), p.call_sid_to_coach()), (Some(false), None));
    }
}

#[test]
fn rule2_switching_target_is_a_modify() {
    let mut c = room();
    c.apply(&call(sid('a')), &Update::coach(sid('b')), t(1))
        .unwrap();
    let o = c
        .apply(&call(sid('a')), &Update::coach(sid('d')), t(2))
        .unwrap();
    assert_eq!(o.events.as_slice(), &[Event::Modify]);
    assert_eq!(o.state.coach_target, Some(sid('d')));
}

#[test]
fn rule2_coaching_a_not_yet_connected_participant_is_allowed() {
    let mut c = room();
    let o = c
        .apply(&call(sid('a')), &Update::coach(sid('c')), t(1))
        .unwrap();
    assert_eq!(o.state.coach_target, Some(sid('c')));
}

// ---------------------------------------------------------------- rule 3

#[test]
fn rule3_hold_and_announce_need_connected() {
    let mut c = room();
    for (step, state) in [
        (None, Lifecycle::Queued),
        (Some(Lifecycle::Connecting), Lifecycle::Connecting),
        (Some(Lifecycle::Ringing), Lifecycle::Ringing),
    ] {
        if let Some(to) = step {
            c.step(&sid('c'), to, t(1)).unwrap();
        }
        let who = call(sid('c'));
        let r = c
            .apply(&who, &Update::hold_with_music(MUSIC), t(2))
            .unwrap_err();
        assert_eq!(
            r,
            Rejection::NotConnected {
                field: Field::Hold,
                state
            }
        );
        assert_eq!(answer(r), (400, 21220));
        let r = c
            .apply(&who, &Update::announce(ANNOUNCE), t(2))
            .unwrap_err();
        assert_eq!(
            r,
            Rejection::NotConnected {
                field: Field::AnnounceUrl,
                state
            }
        );
        assert_eq!(answer(r), (400, 21220));
    }
}

#[test]
fn rule3_join_time_fields_may_be_set_before_connected() {
    let mut c = room();
    let who = call(sid('c'));
    let u = Update::monitor(sid('a'))
        .end_conference_on_exit(true)
        .beep_on_exit(false)
        .wait_url("")
        .wait_method(confpart::api::fields::Method::Get)
        .hold(false)
        .hold_url(MUSIC);
    let o = c.apply(&who, &u, t(1)).unwrap();
    assert_eq!(o.events.as_slice(), &[Event::Mute, Event::Modify]);
    let s = o.state;
    assert_eq!(s.lifecycle, Lifecycle::Queued);
    assert!(s.muted && s.end_conference_on_exit && !s.beep_on_exit && !s.hold);
    assert_eq!(s.date_updated, t(1));
}

#[test]
fn rule3_hold_and_announce_on_connected() {
    let mut c = room();
    let who = call(sid('a'));
    let o = c
        .apply(&who, &Update::hold_with_music(MUSIC), t(1))
        .unwrap();
    assert_eq!(o.events.as_slice(), &[Event::Hold]);
    let o = c.apply(&who, &Update::unhold(), t(2)).unwrap();
    assert_eq!(o.events.as_slice(), &[Event::Unhold]);
    let o = c.apply(&who, &Update::announce(ANNOUNCE), t(3)).unwrap();
    assert_eq!(o.events.as_slice(), &[Event::Announcement]);
    assert!(!o.changed);
    assert_eq!(o.state.date_updated, t(2));
}

// ---------------------------------------------------------------- rule 4

#[test]
fn rule4_end_conference_on_exit_on_hold_is_ignored_and_reported() {
    let mut c = room();
    let who = call(sid('a'));
    c.apply(&who, &Update::new().hold(true), t(1)).unwrap();
    let o = c
        .apply(&who, &Update::new().end_conference_on_exit(true), t(2))
        .unwrap();
    assert!(o.end_conference_on_exit_ignored);
    assert!(!o.state.end_conference_on_exit);
    assert!(!o.changed && o.events.is_empty());
    // Same value as kept: nothing was dropped, nothing to warn about.
    let o = c
        .apply(&who, &Update::new().end_conference_on_exit(false), t(3))
        .unwrap();
    assert!(!o.end_conference_on_exit_ignored);
    // Other fields of the same update still apply.
    let o = c
        .apply(
            &who,
            &Update::new().end_conference_on_exit(true).muted(true),
            t(4),
        )
        .unwrap();
    assert!(o.end_conference_on_exit_ignored && o.state.muted);
    assert!(!o.state.end_conference_on_exit);
}

#[test]
fn rule4_released_in_the_same_update_applies() {
    let mut c = room();
    let who = call(sid('a'));
    c.apply(&who, &Update::new().hold(true), t(1)).unwrap();
    let o = c
        .apply(&who, &Update::unhold().end_conference_on_exit(true), t(2))
        .unwrap();
    assert!(!o.end_conference_on_exit_ignored);
    assert!(o.state.end_conference_on_exit && !o.state.hold);
    assert_eq!(o.events.as_slice(), &[Event::Unhold, Event::Modify]);
}

#[test]
fn rule4_put_on_hold_in_the_same_update_applies() {
    let mut c = room();
    let who = call(sid('a'));
    let o = c
        .apply(
            &who,
            &Update::new().hold(true).end_conference_on_exit(true),
            t(1),
        )
        .unwrap();
    assert!(!o.end_conference_on_exit_ignored);
    assert!(o.state.end_conference_on_exit && o.state.hold);
}

// ---------------------------------------------------------------- rule 5

#[test]
fn rule5_empty_and_restating_updates_change_nothing() {
    let mut c = room();
    let before = c.clone();
    let o = c.apply(&call(sid('a')), &Update::new(), t(5)).unwrap();
    assert!(!o.changed && o.events.is_empty());
    assert_eq!(c, before);
    let o = c
        .apply(
            &call(sid('a')),
            &Update::unmute().hold(false).coaching(false),
            t(6),
        )
        .unwrap();
    assert!(!o.changed && o.events.is_empty());
    assert_eq!(c, before);
}

#[test]
fn rule5_applying_twice_gives_the_same_state() {
    let updates = [
        Update::mute(),
        Update::hold_with_music(MUSIC).end_conference_on_exit(true),
        Update::monitor(sid('b')),
        Update::coach(sid('d')).beep_on_exit(false),
        Update::barge(),
        Update::new().hold(true).muted(true),
    ];
    for u in updates {
        let mut c = room();
        let first = c.apply(&call(sid('a')), &u, t(1)).unwrap();
        let after_first = c.clone();
        let second = c.apply(&call(sid('a')), &u, t(2)).unwrap();
        assert_eq!(c, after_first, "{u:?}");
        assert!(second.events.is_empty(), "{u:?}");
        assert!(!second.changed);
        assert_eq!(first.state, second.state);
    }
}

// ---------------------------------------------------------------- rule 6

/// Every start state of A where an update is allowed: lifecycle (non-final),
/// hold (connected only), muted, coaching (none, B, D).
fn start_states() -> Vec<Conference<8>> {
    let mut out = Vec::new();
    for lifecycle in [
        Lifecycle::Queued,
        Lifecycle::Connecting,
        Lifecycle::Ringing,
        Lifecycle::Connected,
    ] {
        for hold in [false, true] {
            if hold && lifecycle != Lifecycle::Connected {
                continue;
            }
            for muted in [false, true] {
                for target in [None, Some(sid('b')), Some(sid('d'))] {
                    let mut c = twilio::<8>();
                    c.join(Join::new(sid('a')).status(lifecycle), t(0)).unwrap();
                    for s in ['b', 'd'] {
                        c.join(Join::new(sid(s)).status(Lifecycle::Connected), t(0))
                            .unwrap();
                    }
                    let mut u = Update::new().muted(muted).hold(hold);
                    if let Some(target) = target {
                        u = u.call_sid_to_coach(CoachTarget::Call(target));
                    }
                    c.apply(&call(sid('a')), &u, t(1)).unwrap();
                    out.push(c);
                }
            }
        }
    }
    out
}

#[test]
fn rule6_recipes_from_every_allowed_start_state() {
    let starts = start_states();
    assert_eq!(starts.len(), 4 * 2 * 3 + 2 * 3);
    for start in starts {
        let before = state(&start, sid('a'));
        for (recipe, muted, target) in [
            (Update::monitor(sid('b')), true, Some(sid('b'))),
            (Update::coach(sid('b')), false, Some(sid('b'))),
            (Update::barge(), false, None),
            (
                Update::barge().call_sid_to_coach(CoachTarget::Clear),
                false,
                None,
            ),
        ] {
            let mut c = start.clone();
            let o = c.apply(&call(sid('a')), &recipe, t(2)).unwrap();
            let s = o.state;
            assert_eq!(
                (s.muted, s.coach_target),
                (muted, target),
                "{before:?} {recipe:?}"
            );
            // Nothing else moves.
            assert_eq!((s.hold, s.lifecycle), (before.hold, before.lifecycle));
            let mut expected = Vec::new();
            if muted != before.muted {
                expected.push(if muted { Event::Mute } else { Event::Unmute });
            }
            if target != before.coach_target {
                expected.push(Event::Modify);
            }
            assert_eq!(o.events.as_slice(), expected.as_slice());
            assert_eq!(o.changed, s != before);
        }
    }
}

#[test]
fn rule6_recipes_where_not_allowed() {
    let mut c = room();
    c.apply(&call(sid('b')), &Update::new().hold(true), t(1))
        .unwrap();
    let a = call(sid('a'));
    assert_eq!(
        c.check(&a, &Update::monitor(sid('b'))),
        Err(Rejection::CoachTargetOnHold)
    );
    assert_eq!(
        c.check(&a, &Update::coach(sid('b'))),
        Err(Rejection::CoachTargetOnHold)
    );
    // Barge needs no target: always allowed on a live participant.
    assert!(c.check(&a, &Update::barge()).is_ok());
}

// ---------------------------------------------------------------- coaching vs. lifecycle

#[test]
fn a_target_that_leaves_clears_its_coaches() {
    let mut c = room();
    c.apply(&call(sid('a')), &Update::monitor(sid('b')), t(1))
        .unwrap();
    c.apply(&call(sid('d')), &Update::coach(sid('b')), t(1))
        .unwrap();
    c.apply(&call(sid('c')), &Update::coach(sid('a')), t(1))
        .unwrap();
    let o = c.step(&sid('b'), Lifecycle::Complete, t(2)).unwrap();
    assert_eq!(o.events.as_slice(), &[Event::Leave]);
    assert_eq!(o.uncoached.as_slice(), &[sid('a'), sid('d')]);
    for s in [sid('a'), sid('d')] {
        let st = state(&c, s);
        assert_eq!((st.coach_target, st.date_updated), (None, t(2)));
        assert!(st.muted || s == sid('d'));
    }
    assert_eq!(state(&c, sid('c')).coach_target, Some(sid('a')));
}

#[test]
fn a_target_that_goes_on_hold_stays_the_target() {
    let mut c = room();
    c.apply(&call(sid('a')), &Update::coach(sid('b')), t(1))
        .unwrap();
    c.apply(&call(sid('b')), &Update::new().hold(true), t(2))
        .unwrap();
    assert_eq!(state(&c, sid('a')).coach_target, Some(sid('b')));
    // Asking again is checked again.
    assert_eq!(
        c.check(&call(sid('a')), &Update::coach(sid('b'))),
        Err(Rejection::CoachTargetOnHold)
    );
    // But other updates of the coach still go through.
    assert!(c.check(&call(sid('a')), &Update::mute()).is_ok());
}

// ---------------------------------------------------------------- lifecycle and conference

#[test]
fn lifecycle_steps_and_events() {
    let mut c = twilio::<2>();
    let a = sid('a');
    c.join(Join::new(a), t(0)).unwrap();
    assert!(
        c.step(&a, Lifecycle::Connecting, t(1))
            .unwrap()
            .events
            .is_empty()
    );
    assert_eq!(
        c.step(&a, Lifecycle::Connected, t(1)),
        Err(ConferenceError::Lifecycle(LifecycleError::Illegal {
            from: Lifecycle::Connecting,
            to: Lifecycle::Connected
        }))
    );
    c.step(&a, Lifecycle::Ringing, t(2)).unwrap();
    let o = c.step(&a, Lifecycle::Connected, t(3)).unwrap();
    assert_eq!(o.events.as_slice(), &[Event::Join]);
    assert_eq!(o.state.date_updated, t(3));
    let o = c.step(&a, Lifecycle::Complete, t(4)).unwrap();
    assert_eq!(o.events.as_slice(), &[Event::Leave]);
    assert!(!o.ends_conference);
    assert_eq!(
        c.step(&a, Lifecycle::Failed, t(5)),
        Err(ConferenceError::Lifecycle(LifecycleError::Final {
            state: Lifecycle::Complete
        }))
    );
    assert_eq!(
        c.step(&sid('e'), Lifecycle::Failed, t(5)),
        Err(ConferenceError::NotFound)
    );
    // Failing before joining is not a leave.
    c.join(Join::new(sid('b')), t(6)).unwrap();
    let o = c.step(&sid('b'), Lifecycle::Failed, t(7)).unwrap();
    assert!(o.events.is_empty());
}

#[test]
fn end_conference_on_exit_is_reported_on_leave() {
    let mut c = room();
    c.apply(
        &call(sid('a')),
        &Update::new().end_conference_on_exit(true),
        t(1),
    )
    .unwrap();
    let o = c.step(&sid('a'), Lifecycle::Complete, t(2)).unwrap();
    assert!(o.ends_conference);
    assert_eq!(c.end(t(2)), Ok(3));
    assert_eq!(c.status(), ConferenceStatus::Completed);
    assert!(c.members().all(|m| !m.is_live()));
    assert_eq!(c.end(t(3)), Err(ConferenceError::Completed));
    assert_eq!(c.start(), Err(ConferenceError::Completed));
    assert_eq!(
        c.join(Join::new(sid('e')), t(3)),
        Err(ConferenceError::Completed)
    );
}

#[test]
fn conference_status_steps() {
    let mut c = twilio::<2>();
    assert_eq!(c.status(), ConferenceStatus::NotStarted);
    assert_eq!(c.status().as_str(), "init");
    c.start().unwrap();
    assert_eq!(c.start(), Err(ConferenceError::AlreadyStarted));
    assert_eq!(c.status().as_str(), "in-progress");
}

#[test]
fn join_rules() {
    let mut c = twilio::<2>();
    let desk = Label::new("desk").unwrap();
    c.join(Join::new(sid('a')).label(&desk), t(0)).unwrap();
    assert_eq!(
        c.join(Join::new(sid('a')), t(0)),
        Err(ConferenceError::AlreadyPresent)
    );
    assert_eq!(
        c.join(Join::new(sid('b')).label(&desk), t(0)),
        Err(ConferenceError::LabelInUse)
    );
    assert_eq!(
        c.join(Join::new(sid('b')).status(Lifecycle::Complete), t(0)),
        Err(ConferenceError::Lifecycle(LifecycleError::Final {
            state: Lifecycle::Complete
        }))
    );
    c.join(Join::new(sid('b')), t(0)).unwrap();
    let before = c.clone();
    assert_eq!(
        c.join(Join::new(sid('c')), t(0)),
        Err(ConferenceError::Full { capacity: 2 })
    );
    assert_eq!(c, before);
    // A final participant's slot and label are free again.
    c.step(&sid('a'), Lifecycle::Failed, t(1)).unwrap();
    c.join(Join::new(sid('c')).label(&desk), t(2)).unwrap();
    assert!(c.member(&sid('a')).is_none());
    assert_eq!(c.live_count(), 2);
    // Rejoin of a call whose participant left replaces it.
    c.step(&sid('b'), Lifecycle::Failed, t(3)).unwrap();
    let s = c
        .join(Join::new(sid('b')).status(Lifecycle::Connected), t(4))
        .unwrap();
    assert_eq!((s.lifecycle, s.date_created), (Lifecycle::Connected, t(4)));
    assert_eq!(c.members().count(), 2);
}

#[test]
fn label_storage_is_bounded() {
    let mut small: Conference<2, 8> = Conference::new(
        AccountSid::parse("ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa").unwrap(),
        ConferenceSid::parse("CFaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa").unwrap(),
        Dialect::Twilio,
    );
    let long = Label::new("ninechars").unwrap();
    assert_eq!(
        small.join(Join::new(sid('a')).label(&long), t(0)),
        Err(ConferenceError::LabelTooLong { max_bytes: 8 })
    );
    let fits = Label::new("eight ch").unwrap();
    small.join(Join::new(sid('a')).label(&fits), t(0)).unwrap();
    assert_eq!(small.member(&sid('a')).unwrap().label(), Some("eight ch"));
    // A default conference stores a 128-character ASCII label.
    let max = Label::new(&"x".repeat(128)).unwrap();
    let mut c = twilio::<1>();
    c.join(Join::new(sid('a')).label(&max), t(0)).unwrap();
}

#[test]
fn stored_participants_are_small() {
    use confpart::bridge::Member;
    // Two call SIDs (the participant's, the coach target) of 64 bytes each
    // (a Telnyx call-control id is the longest form), two timestamps, flags.
    assert!(std::mem::size_of::<Member<0>>() <= 192);
    assert!(std::mem::size_of::<Member>() <= 192 + 128);
}

#[test]
fn conference_errors_map_to_documented_answers() {
    let pair = |e: ConferenceError| {
        let a = e.answer();
        (a.status, a.code)
    };
    assert_eq!(pair(ConferenceError::LabelInUse), (400, 16026));
    assert_eq!(
        pair(ConferenceError::LabelTooLong { max_bytes: 8 }),
        (400, 16023)
    );
    assert_eq!(pair(ConferenceError::NotFound), (404, 20404));
    // Every error has an answer now (20001 where no code is documented).
    assert_eq!(pair(ConferenceError::Full { capacity: 2 }), (400, 20001));
}

#[test]
fn prune_removes_final_participants() {
    let mut c = room();
    c.step(&sid('a'), Lifecycle::Complete, t(1)).unwrap();
    c.step(&sid('c'), Lifecycle::Failed, t(1)).unwrap();
    assert_eq!(c.prune(), 2);
    assert_eq!(c.members().count(), 2);
    assert_eq!(c.prune(), 0);
}

// ---------------------------------------------------------------- check vs. apply

#[test]
fn check_does_not_mutate_and_predicts_apply() {
    let mut c = room();
    let before = c.clone();
    let u = Update::monitor(sid('b'));
    let predicted = c.check(&call(sid('a')), &u).unwrap();
    assert_eq!(c, before);
    let applied = c.apply(&call(sid('a')), &u, t(9)).unwrap();
    assert_eq!(predicted.events, applied.events);
    assert_eq!(
        ParticipantState {
            date_updated: t(9),
            ..predicted.state
        },
        applied.state
    );
}

// ---------------------------------------------------------------- rendering

#[test]
fn resource_twilio() {
    let mut c = room();
    c.apply(&call(sid('d')), &Update::monitor(sid('a')), t(3))
        .unwrap();
    let p = c.resource(&sid('d'), PathStyle::Twilio).unwrap();
    assert_eq!(p.status(), Some(Status::Connected));
    assert_eq!(p.label().map(|l| l.raw()), Some("front desk"));
    assert_eq!(p.muted(), Some(true));
    assert_eq!(p.hold(), Some(false));
    assert_eq!(p.coaching(), Some(true));
    assert_eq!(p.call_sid_to_coach(), Some(&sid('a')));
    assert_eq!(p.date_created(), Some(t(0)));
    assert_eq!(p.date_updated(), Some(t(3)));
    assert_eq!(p.start_conference_on_enter(), Some(true));
    assert_eq!(p.end_conference_on_exit(), Some(false));
    assert_eq!(p.queue_time(), None);
    assert_eq!(
        {
            // The uri is derived from the SIDs when the resource is written.
            let mut buf = [0u8; 2048];
            let n = p.encode_to_slice(&mut buf).unwrap();
            let back = confpart::api::participant::Participant::decode(&buf[..n]).unwrap();
            assert_eq!(back, p);
            back.uri().map(|u| u.raw().to_owned())
        }
        .as_deref(),
        Some(
            "/2010-04-01/Accounts/ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/Conferences/CFaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/Participants/CAdddddddddddddddddddddddddddddddd.json"
        )
    );
    let mut buf = [0u8; 1024];
    let n = p.encode_to_slice(&mut buf).unwrap();
    assert_eq!(Participant::decode(&buf[..n]).unwrap(), p);

    c.step(&sid('d'), Lifecycle::Complete, t(4)).unwrap();
    let p = c.resource(&sid('d'), PathStyle::Twilio).unwrap();
    assert_eq!(p.status(), Some(Status::Complete));
    assert!(c.resource(&sid('e'), PathStyle::Twilio).is_none());
}

#[test]
fn resource_signalwire() {
    let mut c = signalwire::<2>();
    let label = Label::new("desk").unwrap();
    c.join(
        Join::new(uuid('a'))
            .status(Lifecycle::Connected)
            .label(&label),
        t(0),
    )
    .unwrap();
    let p = c.resource(&uuid('a'), PathStyle::Laml).unwrap();
    assert_eq!(p.status(), Some(Status::InProgress));
    assert_eq!(p.label(), None);
    assert_eq!(
        {
            // The uri is derived from the SIDs when the resource is written.
            let mut buf = [0u8; 2048];
            let n = p.encode_to_slice(&mut buf).unwrap();
            let back = confpart::api::participant::Participant::decode(&buf[..n]).unwrap();
            assert_eq!(back, p);
            back.uri().map(|u| u.raw().to_owned())
        }
        .as_deref(),
        Some(
            "/api/laml/2010-04-01/Accounts/11111111-2222-3333-4444-555555555555/Conferences/66666666-7777-8888-9999-000000000000/Participants/aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa.json"
        )
    );
    c.step(&uuid('a'), Lifecycle::Complete, t(1)).unwrap();
    let p = c.resource(&uuid('a'), PathStyle::Laml).unwrap();
    assert_eq!(p.status(), Some(Status::Completed));
}

#[test]
fn rejection_body_and_display() {
    let r = Rejection::NotConnected {
        field: Field::Hold,
        state: Lifecycle::Ringing,
    };
    let mut buf = [0u8; 256];
    let mut sink = confpart::wire::sink::SliceSink::new(&mut buf);
    let a = r.answer();
    confpart::api::error::write_twilio(&mut sink, a.code, a.message, a.status).unwrap();
    let e = ApiError::decode(sink.written()).unwrap();
    assert_eq!((e.code, e.status), (Some(21220), Some(400)));
    assert_eq!(
        r.to_string(),
        "21220 (400): Hold needs a connected participant; it is ringing"
    );
    assert_eq!(
        Rejection::CoachTargetOnHold.to_string(),
        "16027 (400): The participant to coach is on hold"
    );
    assert!(ConferenceError::LabelInUse.to_string().contains("label"));
}

// ---------------------------------------------------------------- state machine (proptest)

const CAP: usize = 4;
type Conf = Conference<CAP, 16>;

/// Participants 0..4 may join; 4 never does (an outsider for CallSidToCoach).
const PEOPLE: usize = 5;

thread_local! {
    static DIALECT: std::cell::Cell<Dialect> = const { std::cell::Cell::new(Dialect::Twilio) };
}

/// Participant `i` in the dialect of the running state machine.
fn person(i: usize) -> CallSid {
    let c = ['a', 'b', 'c', 'd', 'e'][i % PEOPLE];
    match DIALECT.with(std::cell::Cell::get) {
        Dialect::Twilio => sid(c),
        Dialect::SignalWire => uuid(c),
        Dialect::Telnyx => CallSid::parse(&format!("v3:{}", c.to_string().repeat(40))).unwrap(),
    }
}

#[derive(Debug, Clone)]
enum Op {
    Join {
        who: usize,
        status: Lifecycle,
        label: Option<usize>,
    },
    Step {
        who: usize,
        to: Lifecycle,
    },
    Apply {
        who: usize,
        by_label: bool,
        update: Upd,
    },
    Start,
    End,
    Prune,
}

/// An Update without borrowed data (generated).
#[derive(Debug, Clone, Copy)]
struct Upd {
    muted: Option<bool>,
    hold: Option<bool>,
    coaching: Option<bool>,
    target: Option<Option<usize>>,
    announce: bool,
    end_conference_on_exit: Option<bool>,
    beep_on_exit: Option<bool>,
    wait: bool,
}

impl Upd {
    fn update(&self) -> Update<'static> {
        Update {
            muted: self.muted,
            hold: self.hold,
            hold_url: self.hold.filter(|h| *h).map(|_| MUSIC),
            coaching: self.coaching,
            call_sid_to_coach: self.target.map(|t| match t {
                None => CoachTarget::Clear,
                Some(i) => CoachTarget::Call(person(i)),
            }),
            announce_url: self.announce.then_some(ANNOUNCE),
            end_conference_on_exit: self.end_conference_on_exit,
            beep_on_exit: self.beep_on_exit,
            wait_url: self.wait.then_some(""),
            ..Update::new()
        }
    }
}

fn lifecycle() -> impl Strategy<Value = Lifecycle> {
    prop::sample::select(Lifecycle::ALL.to_vec())
}

fn upd() -> impl Strategy<Value = Upd> {
    (
        any::<Option<bool>>(),
        any::<Option<bool>>(),
        any::<Option<bool>>(),
        prop::option::of(prop::option::of(0..PEOPLE)),
        prop::bool::weighted(0.2),
        any::<Option<bool>>(),
        any::<Option<bool>>(),
        prop::bool::weighted(0.1),
    )
        .prop_map(
            |(muted, hold, coaching, target, announce, eoe, beep, wait)| Upd {
                muted,
                hold,
                coaching,
                target,
                announce,
                end_conference_on_exit: eoe,
                beep_on_exit: beep,
                wait,
            },
        )
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (0..CAP, lifecycle(), prop::option::of(0..2usize))
            .prop_map(|(who, status, label)| Op::Join { who, status, label }),
        3 => (0..PEOPLE, lifecycle()).prop_map(|(who, to)| Op::Step { who, to }),
        8 => (0..PEOPLE, prop::bool::weighted(0.1), upd())
            .prop_map(|(who, by_label, update)| Op::Apply { who, by_label, update }),
        1 => Just(Op::Start),
        1 => Just(Op::End),
        1 => Just(Op::Prune),
    ]
}

fn labels() -> [Label; 2] {
    [Label::new("desk").unwrap(), Label::new("agent").unwrap()]
}

fn invariants(c: &Conf, frozen: &mut HashMap<CallSid, ParticipantState>) {
    let live: Vec<_> = c.members().filter(|m| m.is_live()).collect();
    assert!(live.len() <= CAP);
    for m in &live {
        let s = m.state();
        // A target is always another live participant of this conference.
        if let Some(target) = s.coach_target {
            assert_ne!(target, s.call_sid, "coaches itself");
            assert!(
                live.iter().any(|o| *o.call_sid() == target),
                "target {target} of {} is not live",
                s.call_sid
            );
        }
        // Only a connected participant is on hold.
        assert!(!s.hold || s.lifecycle == Lifecycle::Connected);
        // Labels are unique among live participants.
        if let Some(l) = m.label() {
            assert_eq!(live.iter().filter(|o| o.label() == Some(l)).count(), 1);
        }
    }
    // Coaching ⇔ a target is set, as the resource shows it.
    for m in c.members() {
        let p = c.resource(m.call_sid(), PathStyle::Twilio).unwrap();
        assert_eq!(p.coaching(), Some(p.call_sid_to_coach().is_some()));
        assert_eq!(
            Lifecycle::from_status(p.status().unwrap()),
            Some(m.state().lifecycle)
        );
    }
    // Final states absorb: a final participant never changes while stored.
    frozen.retain(|call, _| c.member(call).is_some_and(|m| !m.is_live()));
    for m in c.members().filter(|m| !m.is_live()) {
        let s = *m.state();
        let old = *frozen.entry(s.call_sid).or_insert(s);
        assert_eq!(old, s, "a final participant changed");
    }
    if c.status() == ConferenceStatus::Completed {
        assert!(c.members().all(|m| !m.is_live()));
    }
}

fn check_apply_outcome(
    before: &Conf,
    after: &Conf,
    who: CallSid,
    u: &Update<'_>,
    o: &confpart::bridge::Applied,
    now: Timestamp,
) {
    let b = *before.member(&who).unwrap().state();
    let a = *after.member(&who).unwrap().state();
    assert_eq!(o.state, a);
    assert_eq!(o.changed, a != b);
    assert_eq!(a.date_updated, if o.changed { now } else { b.date_updated });
    // No event without a change (announcement: exactly when asked for).
    let mut expected = Vec::new();
    if a.muted != b.muted {
        expected.push(if a.muted { Event::Mute } else { Event::Unmute });
    }
    if a.hold != b.hold {
        expected.push(if a.hold { Event::Hold } else { Event::Unhold });
    }
    if a.coach_target != b.coach_target
        || a.end_conference_on_exit != b.end_conference_on_exit
        || a.beep_on_exit != b.beep_on_exit
    {
        expected.push(Event::Modify);
    }
    if u.announce_url.is_some() {
        expected.push(Event::Announcement);
    }
    assert_eq!(o.events.as_slice(), expected.as_slice());
    // Only the addressed participant changes.
    for m in before.members().filter(|m| *m.call_sid() != who) {
        assert_eq!(Some(m), after.member(m.call_sid()));
    }
    // EndConferenceOnExit is ignored exactly while held and not released.
    if let Some(v) = u.end_conference_on_exit {
        let held = b.hold && u.hold != Some(false);
        assert_eq!(
            o.end_conference_on_exit_ignored,
            held && v != b.end_conference_on_exit
        );
        assert_eq!(
            a.end_conference_on_exit,
            if held { b.end_conference_on_exit } else { v }
        );
    }
}

fn run(ops: Vec<Op>, dialect: Dialect) {
    DIALECT.with(|d| d.set(dialect));
    let (account, conference) = match dialect {
        Dialect::Twilio => (
            "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            "CFaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        ),
        Dialect::SignalWire | Dialect::Telnyx => (
            "11111111-2222-3333-4444-555555555555",
            "66666666-7777-8888-9999-000000000000",
        ),
    };
    let mut c: Conf = Conference::new(
        AccountSid::parse(account).unwrap(),
        ConferenceSid::parse(conference).unwrap(),
        dialect,
    );
    let labels = labels();
    let mut frozen = HashMap::new();
    for (n, op) in ops.into_iter().enumerate() {
        let now = t(n as u64 + 1);
        let before = c.clone();
        match op {
            Op::Join { who, status, label } => {
                let mut j = Join::new(person(who)).status(status);
                if let Some(l) = label {
                    j = j.label(&labels[l]);
                }
                match c.join(j, now) {
                    Ok(s) => assert_eq!(s.lifecycle, status),
                    Err(_) => assert_eq!(c, before),
                }
            }
            Op::Step { who, to } => match c.step(&person(who), to, now) {
                Ok(o) => {
                    assert_eq!(o.state.lifecycle, to);
                    for coach in &o.uncoached {
                        assert_eq!(
                            before.member(coach).unwrap().state().coach_target,
                            Some(person(who))
                        );
                        assert_eq!(c.member(coach).unwrap().state().coach_target, None);
                    }
                }
                Err(_) => assert_eq!(c, before),
            },
            Op::Apply {
                who,
                by_label,
                update,
            } => {
                let u = update.update();
                let r = match before.member(&person(who)).and_then(|m| m.label()) {
                    Some(l) if by_label => ParticipantRef::parse(l).unwrap(),
                    _ => call(person(who)),
                };
                let predicted = c.check(&r, &u);
                assert_eq!(c, before, "check mutated");
                match c.apply(&r, &u, now) {
                    Ok(o) => {
                        let p = predicted.expect("check rejected what apply accepted");
                        assert_eq!(p.events, o.events);
                        assert_eq!(
                            p.end_conference_on_exit_ignored,
                            o.end_conference_on_exit_ignored
                        );
                        check_apply_outcome(&before, &c, o.state.call_sid, &u, &o, now);
                        // Applying the same update again: same state, no change events.
                        let after_first = c.clone();
                        let again = c.apply(&r, &u, t(10_000)).expect("second apply rejected");
                        assert_eq!(c, after_first);
                        assert!(!again.changed);
                        assert!(again.events.iter().all(|e| *e == Event::Announcement));
                    }
                    Err(e) => {
                        assert_eq!(predicted, Err(e));
                        assert_eq!(c, before, "a rejection changed the conference");
                        assert!(matches!(e.answer().status, 400 | 404));
                    }
                }
            }
            Op::Start => {
                if c.start().is_err() {
                    assert_eq!(c, before);
                }
            }
            Op::End => {
                if c.end(now).is_err() {
                    assert_eq!(c, before);
                }
            }
            Op::Prune => {
                let removed = c.prune();
                assert_eq!(c.members().count() + removed, before.members().count());
            }
        }
        invariants(&c, &mut frozen);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn state_machine_invariants(ops in prop::collection::vec(op(), 1..60)) {
        run(ops, Dialect::Twilio);
    }

    /// The same in the SignalWire dialect (UUIDs; its Twilio-only fields are rejected).
    #[test]
    fn state_machine_invariants_signalwire(ops in prop::collection::vec(op(), 1..60)) {
        run(ops, Dialect::SignalWire);
    }

    /// Mostly updates on a conference where everyone has joined connected.
    #[test]
    fn updates_on_a_full_room(updates in prop::collection::vec((0..PEOPLE, upd()), 1..40)) {
        let mut ops: Vec<Op> = (0..CAP)
            .map(|who| Op::Join { who, status: Lifecycle::Connected, label: (who < 2).then_some(who) })
            .collect();
        ops.push(Op::Start);
        ops.extend(updates.into_iter().map(|(who, update)| Op::Apply { who, by_label: false, update }));
        run(ops, Dialect::Twilio);
    }
}
