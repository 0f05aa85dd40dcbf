//! Random operation sequences on [`Conferences`] against a small reference
//! model written here: every answer's status and error code, every
//! participant field (state, flags, coaching, label, dates) and every list
//! page must agree.
use confpart::api::create::Create;
use confpart::api::path::Dialect;
use confpart::api::query::ListQuery;
use confpart::api::update::Update;
use confpart::bridge::{ConferenceRef, Conferences, Lifecycle, SequentialIds, Timing};
use confpart::wire::date::Timestamp;
use confpart::wire::ident::{AccountSid, CallSid, ConferenceSid, ParticipantRef};
use proptest::prelude::*;

const C: usize = 2;
const N: usize = 4;
const TIMING: Timing = Timing {
    to_connecting: 1,
    to_ringing: 1,
    to_connected: 1,
};
const ACCOUNTS: [&str; 2] = [
    "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    "ACbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
];
const FIXED_SIDS: [&str; 2] = [
    "CFeeeeeeeeeeeeeeeeeeeeeeeeeeeeee01",
    "CFeeeeeeeeeeeeeeeeeeeeeeeeeeeeee02",
];
const NAMES: [&str; 2] = ["room a", "room b"];
const LABELS: [&str; 3] = ["l 0", "l1", "l%2"];

/// Which conference an operation names.
#[derive(Debug, Clone, Copy)]
enum ConfPick {
    Name(usize),
    Fixed(usize),
    /// The n-th most recently created conference (any account, any status).
    Known(usize),
    /// The conference of the participant the operation names (the most
    /// recent conference for a label, or for create and list).
    OfWho,
}

/// Which participant an operation names.
#[derive(Debug, Clone, Copy)]
enum Who {
    /// The n-th most recently created participant (by call SID).
    Call(usize),
    Label(usize),
}

#[derive(Debug, Clone, Copy)]
enum Change {
    Mute(bool),
    Hold(bool),
    Coach(Who, bool),
    Barge,
    CoachingAlone,
    EndOnExit(bool),
}

#[derive(Debug, Clone)]
enum Op {
    Wait(u64),
    Create {
        account: usize,
        conf: ConfPick,
        label: Option<usize>,
        muted: bool,
        end_on_exit: bool,
        start_on_enter: bool,
        coach: Option<Who>,
    },
    Fetch(usize, ConfPick, Who),
    Update(usize, ConfPick, Who, Change),
    Delete(usize, ConfPick, Who),
    List {
        account: usize,
        conf: ConfPick,
        filters: [Option<bool>; 3],
        page_size: u16,
        page: u32,
    },
}

fn conf_pick() -> impl Strategy<Value = ConfPick> {
    prop_oneof![
        1 => (0..NAMES.len()).prop_map(ConfPick::Name),
        1 => (0..FIXED_SIDS.len()).prop_map(ConfPick::Fixed),
        1 => (0..4usize).prop_map(ConfPick::Known),
        3 => Just(ConfPick::OfWho),
    ]
}

fn who() -> impl Strategy<Value = Who> {
    prop_oneof![
        (0..6usize).prop_map(Who::Call),
        (0..LABELS.len()).prop_map(Who::Label),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    let change = prop_oneof![
        2 => any::<bool>().prop_map(Change::Mute),
        3 => prop_oneof![3 => Just(true), 1 => Just(false)].prop_map(Change::Hold),
        3 => ((0..3usize).prop_map(Who::Call), any::<bool>()).prop_map(|(w, m)| Change::Coach(w, m)),
        1 => Just(Change::Barge),
        1 => Just(Change::CoachingAlone),
        1 => any::<bool>().prop_map(Change::EndOnExit),
    ];
    let account = prop_oneof![9 => Just(0usize), 1 => Just(1usize)];
    prop_oneof![
        2 => (0..3u64).prop_map(Op::Wait),
        4 => (
            account.clone(),
            conf_pick(),
            proptest::option::of(0..LABELS.len()),
            any::<bool>(),
            prop_oneof![3 => Just(false), 1 => Just(true)],
            prop_oneof![3 => Just(true), 1 => Just(false)],
            proptest::option::weighted(0.2, who()),
        )
            .prop_map(|(account, conf, label, muted, end_on_exit, start_on_enter, coach)| Op::Create {
                account,
                conf,
                label,
                muted,
                end_on_exit,
                start_on_enter,
                coach,
            }),
        2 => (account.clone(), conf_pick(), who()).prop_map(|(a, c, w)| Op::Fetch(a, c, w)),
        6 => (account.clone(), conf_pick(), who(), change).prop_map(|(a, c, w, ch)| Op::Update(a, c, w, ch)),
        1 => (account.clone(), conf_pick(), who()).prop_map(|(a, c, w)| Op::Delete(a, c, w)),
        2 => (
            account,
            conf_pick(),
            proptest::array::uniform3(proptest::option::of(any::<bool>())),
            1..4u16,
            0..3u32,
        )
            .prop_map(|(account, conf, filters, page_size, page)| Op::List {
                account,
                conf,
                filters,
                page_size,
                page,
            }),
    ]
}

// ---------------------------------------------------------------------------
// The reference model.

#[derive(Debug, Clone, PartialEq)]
struct P {
    call: CallSid,
    label: Option<&'static str>,
    lifecycle: Lifecycle,
    left: bool,
    muted: bool,
    hold: bool,
    coach: Option<CallSid>,
    end_on_exit: bool,
    start_on_enter: bool,
    created: u64,
    updated: u64,
}

#[derive(Debug, Clone)]
struct Conf {
    sid: ConferenceSid,
    account: usize,
    name: Option<&'static str>,
    started: bool,
    completed: bool,
    members: Vec<P>,
}

#[derive(Debug, Default)]
struct Model {
    confs: Vec<Conf>,
    ids: u64,
    /// Every call created, in order (what `Who::Call` picks from).
    calls: Vec<CallSid>,
    /// Every conference created, in order (what `ConfPick::Known` picks from).
    known: Vec<ConferenceSid>,
}

type Answer<T> = Result<T, (u16, u32)>;

const NOT_FOUND: (u16, u32) = (404, 20404);

fn sequential(prefix: &str, n: u64) -> String {
    format!("{prefix}{n:032x}")
}

impl Model {
    fn tick(&mut self, now: u64) {
        for conf in self.confs.iter_mut().filter(|c| !c.completed) {
            for p in conf.members.iter_mut().filter(|p| !p.left) {
                let elapsed = now.saturating_sub(p.created);
                let (state, due) = match elapsed {
                    0 => (Lifecycle::Queued, 0),
                    1 => (Lifecycle::Connecting, 1),
                    2 => (Lifecycle::Ringing, 2),
                    _ => (Lifecycle::Connected, 3),
                };
                if state != p.lifecycle {
                    p.lifecycle = state;
                    p.updated = (p.created + due).max(p.updated);
                    if state == Lifecycle::Connected && p.start_on_enter {
                        conf.started = true;
                    }
                }
            }
        }
    }

    fn conf_sid(&self, pick: ConfPick) -> Option<ConferenceSid> {
        match pick {
            ConfPick::Name(_) => None,
            ConfPick::Fixed(i) => Some(ConferenceSid::parse(FIXED_SIDS[i]).unwrap()),
            // Recent conferences first: they are more likely in progress.
            ConfPick::Known(i) => self.known.iter().rev().nth(i).copied(),
            ConfPick::OfWho => self.known.last().copied(),
        }
    }

    /// The conference `pick` names for an operation on `who`.
    fn conf_for(&self, pick: ConfPick, who: Who) -> Option<ConferenceSid> {
        match (pick, self.call(who)) {
            (ConfPick::OfWho, Some(ParticipantRef::Call(call))) => self
                .confs
                .iter()
                .find(|c| c.members.iter().any(|p| p.call == call))
                .map(|c| c.sid),
            _ => self.conf_sid(pick),
        }
    }

    fn call(&self, who: Who) -> Option<ParticipantRef> {
        match who {
            // Recent calls first: they are more likely live.
            Who::Call(i) => self
                .calls
                .iter()
                .rev()
                .nth(i)
                .map(|c| ParticipantRef::Call(*c)),
            Who::Label(i) => Some(ParticipantRef::parse(LABELS[i]).unwrap()),
        }
    }

    fn conf_index(&self, account: usize, sid: &ConferenceSid) -> Answer<usize> {
        self.confs
            .iter()
            .position(|c| c.sid == *sid && c.account == account)
            .ok_or(NOT_FOUND)
    }

    fn member(conf: &Conf, who: &ParticipantRef) -> Option<usize> {
        conf.members.iter().position(|p| {
            !p.left
                && match who {
                    ParticipantRef::Call(c) => p.call == *c,
                    ParticipantRef::Label(l) => p.label == Some(l.as_str()),
                }
        })
    }

    fn live(&self, account: usize, sid: &ConferenceSid, who: &ParticipantRef) -> Answer<P> {
        let conf = &self.confs[self.conf_index(account, sid)?];
        Self::member(conf, who)
            .map(|i| conf.members[i].clone())
            .ok_or(NOT_FOUND)
    }

    #[allow(clippy::too_many_arguments)]
    fn create(
        &mut self,
        account: usize,
        pick: ConfPick,
        label: Option<&'static str>,
        muted: bool,
        end_on_exit: bool,
        start_on_enter: bool,
        coach: Option<CallSid>,
        now: u64,
    ) -> Answer<(ConferenceSid, CallSid)> {
        let existing = match (pick, self.conf_sid(pick)) {
            (ConfPick::Name(n), _) => self
                .confs
                .iter()
                .position(|c| c.account == account && !c.completed && c.name == Some(NAMES[n])),
            (_, Some(sid)) => match self.confs.iter().position(|c| c.sid == sid) {
                Some(i) if self.confs[i].account != account => return Err(NOT_FOUND),
                Some(i) if self.confs[i].completed => return Err(NOT_FOUND),
                found => found,
            },
            (_, None) => unreachable!(),
        };
        match existing {
            Some(i) => {
                let conf = &self.confs[i];
                if label.is_some() && conf.members.iter().any(|p| !p.left && p.label == label) {
                    return Err((400, 16026));
                }
                if let Some(t) = coach {
                    let target = conf
                        .members
                        .iter()
                        .find(|p| !p.left && p.call == t)
                        .ok_or((400, 16028))?;
                    if target.hold {
                        return Err((400, 16027));
                    }
                }
                if conf.members.iter().filter(|p| !p.left).count() >= N {
                    return Err((429, 20429));
                }
            }
            None => {
                if coach.is_some() {
                    return Err((400, 16028));
                }
                if self.confs.len() >= C && !self.confs.iter().any(|c| c.completed) {
                    return Err((429, 20429));
                }
            }
        }
        let index = match existing {
            Some(i) => i,
            None => {
                let sid = match pick {
                    ConfPick::Name(_) => {
                        self.ids += 1;
                        ConferenceSid::parse(&sequential("CF", self.ids)).unwrap()
                    }
                    _ => self.conf_sid(pick).unwrap(),
                };
                if self.confs.len() >= C {
                    let oldest = self.confs.iter().position(|c| c.completed).unwrap();
                    self.confs.remove(oldest);
                }
                self.confs.push(Conf {
                    sid,
                    account,
                    name: match pick {
                        ConfPick::Name(n) => Some(NAMES[n]),
                        _ => None,
                    },
                    started: false,
                    completed: false,
                    members: Vec::new(),
                });
                self.known.push(sid);
                self.confs.len() - 1
            }
        };
        self.ids += 1;
        let call = CallSid::parse(&sequential("CA", self.ids)).unwrap();
        self.calls.push(call);
        let conf = &mut self.confs[index];
        conf.members.push(P {
            call,
            label,
            lifecycle: Lifecycle::Queued,
            left: false,
            muted,
            hold: false,
            coach,
            end_on_exit,
            start_on_enter,
            created: now,
            updated: now,
        });
        Ok((conf.sid, call))
    }

    fn update(
        &mut self,
        account: usize,
        sid: &ConferenceSid,
        who: &ParticipantRef,
        change: Change,
        target: Option<CallSid>,
        now: u64,
    ) -> Answer<P> {
        let ci = self.conf_index(account, sid)?;
        let conf = &mut self.confs[ci];
        if conf.completed {
            return Err(NOT_FOUND);
        }
        let i = Self::member(conf, who).ok_or(NOT_FOUND)?;
        let before = conf.members[i].clone();
        let mut after = before.clone();
        match change {
            Change::Mute(m) => after.muted = m,
            Change::Hold(true) if before.lifecycle != Lifecycle::Connected => {
                return Err((400, 21220));
            }
            Change::Hold(h) => after.hold = h,
            Change::Coach(_, muted) => {
                let t = target.unwrap();
                if t == before.call {
                    return Err((400, 20001));
                }
                let target = conf
                    .members
                    .iter()
                    .find(|p| !p.left && p.call == t)
                    .ok_or((400, 16028))?;
                if target.hold {
                    return Err((400, 16027));
                }
                after.muted = muted;
                after.coach = Some(t);
            }
            Change::Barge => {
                after.muted = false;
                after.coach = None;
            }
            Change::CoachingAlone => {
                if before.coach.is_none() {
                    return Err((400, 20001));
                }
            }
            Change::EndOnExit(v) => {
                if !before.hold {
                    after.end_on_exit = v;
                }
            }
        }
        if after != before {
            after.updated = now;
        }
        conf.members[i] = after.clone();
        Ok(after)
    }

    fn delete(
        &mut self,
        account: usize,
        sid: &ConferenceSid,
        who: &ParticipantRef,
        now: u64,
    ) -> Answer<CallSid> {
        let ci = self.conf_index(account, sid)?;
        let conf = &mut self.confs[ci];
        if conf.completed {
            return Err(NOT_FOUND);
        }
        let i = Self::member(conf, who).ok_or(NOT_FOUND)?;
        let gone = conf.members[i].call;
        conf.members[i].left = true;
        conf.members[i].lifecycle = Lifecycle::Complete;
        conf.members[i].updated = now;
        for p in conf
            .members
            .iter_mut()
            .filter(|p| !p.left && p.coach == Some(gone))
        {
            p.coach = None;
            p.updated = now;
        }
        let ends =
            (conf.members[i].end_on_exit && conf.started) || conf.members.iter().all(|p| p.left);
        if ends {
            conf.completed = true;
            for p in conf.members.iter_mut().filter(|p| !p.left) {
                p.left = true;
                p.lifecycle = Lifecycle::Complete;
                p.updated = now;
            }
        }
        Ok(gone)
    }

    /// (calls on the page, start, end, has next)
    fn list(
        &self,
        account: usize,
        sid: &ConferenceSid,
        filters: [Option<bool>; 3],
        size: u16,
        page: u32,
    ) -> Answer<(Vec<CallSid>, u64, u64, bool)> {
        let conf = &self.confs[self.conf_index(account, sid)?];
        let listed: Vec<_> = conf
            .members
            .iter()
            .filter(|p| {
                !p.left
                    && filters[0].is_none_or(|v| v == p.muted)
                    && filters[1].is_none_or(|v| v == p.hold)
                    && filters[2].is_none_or(|v| v == p.coach.is_some())
            })
            .map(|p| p.call)
            .collect();
        let start = u64::from(page) * u64::from(size);
        let items: Vec<_> = listed
            .iter()
            .skip(start as usize)
            .take(usize::from(size))
            .copied()
            .collect();
        let end = start + (items.len() as u64).saturating_sub(1);
        let has_next = !items.is_empty() && listed.len() > start as usize + items.len();
        Ok((items, start, end, has_next))
    }
}

fn fields(m: &confpart::bridge::Member) -> P {
    let s = m.state();
    P {
        call: s.call_sid,
        label: m
            .label()
            .map(|l| *LABELS.iter().find(|x| **x == l).unwrap()),
        lifecycle: s.lifecycle,
        left: !m.is_live(),
        muted: s.muted,
        hold: s.hold,
        coach: s.coach_target,
        end_on_exit: s.end_conference_on_exit,
        start_on_enter: s.start_conference_on_enter,
        created: s.date_created.unix() - T0,
        updated: s.date_updated.unix() - T0,
    }
}

const T0: u64 = 1_700_000_000;

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn set_agrees_with_the_model(ops in proptest::collection::vec(op(), 1..80)) {
        let mut set: Conferences<C, N> = Conferences::new(Dialect::Twilio, TIMING);
        let mut ids = SequentialIds::new();
        let mut model = Model::default();
        let mut now = 0u64;
        let accounts = ACCOUNTS.map(|a| AccountSid::parse(a).unwrap());
        let at = |s: u64| Timestamp::from_unix(T0 + s).unwrap();
        let code = |r: confpart::bridge::Refusal| (r.answer().status, r.answer().code);
        for (step, op) in ops.into_iter().enumerate() {
            model.tick(now);
            match op {
                Op::Wait(dt) => now += dt,
                Op::Create { account, conf, label, muted, end_on_exit, start_on_enter, coach } => {
                    let label = label.map(|l| LABELS[l]);
                    let coach = coach.and_then(|w| match w {
                        Who::Call(i) => model.calls.iter().rev().nth(i).copied(),
                        Who::Label(_) => None,
                    });
                    let slot = match conf {
                        ConfPick::Name(n) => Some(ConferenceRef::Name(NAMES[n])),
                        _ => model.conf_sid(conf).map(ConferenceRef::Sid),
                    };
                    let Some(slot) = slot else { continue };
                    let mut req = Create::new("+1500", "+1555").muted(muted)
                        .end_conference_on_exit(end_on_exit)
                        .start_conference_on_enter(start_on_enter);
                    req.label = label;
                    req.call_sid_to_coach = coach;
                    let got = set
                        .create(&accounts[account], slot, &req, at(now), &mut ids)
                        .map(|c| (c.conference, c.call))
                        .map_err(code);
                    let want = model.create(account, conf, label, muted, end_on_exit, start_on_enter, coach, now);
                    prop_assert_eq!(got, want, "step {}", step);
                }
                Op::Fetch(account, conf, who) => {
                    let (Some(sid), Some(who)) = (model.conf_for(conf, who), model.call(who)) else { continue };
                    let got = set.fetch(&accounts[account], &sid, &who, at(now)).map(|f| fields(f.member)).map_err(code);
                    let want = model.live(account, &sid, &who);
                    prop_assert_eq!(got, want, "step {}", step);
                }
                Op::Update(account, conf, who, change) => {
                    let (Some(sid), Some(who)) = (model.conf_for(conf, who), model.call(who)) else { continue };
                    let target = match change {
                        Change::Coach(t, _) => match model.call(t) {
                            Some(ParticipantRef::Call(c)) => Some(c),
                            _ => continue,
                        },
                        _ => None,
                    };
                    let update = match change {
                        Change::Mute(m) => Update::new().muted(m),
                        Change::Hold(h) => Update::new().hold(h),
                        Change::Coach(_, true) => Update::monitor(target.unwrap()),
                        Change::Coach(_, false) => Update::coach(target.unwrap()),
                        Change::Barge => Update::barge(),
                        Change::CoachingAlone => Update::new().coaching(true),
                        Change::EndOnExit(v) => Update::new().end_conference_on_exit(v),
                    };
                    let got = set.update(&accounts[account], &sid, &who, &update, at(now)).map(|f| fields(f.member)).map_err(code);
                    let want = model.update(account, &sid, &who, change, target, now);
                    prop_assert_eq!(got, want, "step {}", step);
                }
                Op::Delete(account, conf, who) => {
                    let (Some(sid), Some(who)) = (model.conf_for(conf, who), model.call(who)) else { continue };
                    let got = set.delete(&accounts[account], &sid, &who, at(now)).map_err(code);
                    let want = model.delete(account, &sid, &who, now);
                    prop_assert_eq!(got, want, "step {}", step);
                }
                Op::List { account, conf, filters, page_size, page } => {
                    let Some(sid) = model.conf_sid(conf) else { continue };
                    let q = ListQuery {
                        muted: filters[0],
                        hold: filters[1],
                        coaching: filters[2],
                        page_size: Some(page_size),
                        page: Some(page),
                        page_token: None,
                    };
                    let got = set.list(&accounts[account], &sid, &q, at(now)).map(|p| {
                        (p.members().map(|m| *m.call_sid()).collect::<Vec<_>>(), p.start(), p.end(), p.uri(confpart::bridge::Link::Next).is_some())
                    }).map_err(code);
                    let want = model.list(account, &sid, filters, page_size, page);
                    prop_assert_eq!(got, want, "step {}", step);
                }
            }
            // Every stored participant agrees, field by field.
            model.tick(now);
            set.tick(at(now));
            for conf in &model.confs {
                let real = set.conference(&conf.sid).unwrap();
                prop_assert_eq!(real.status() == confpart::bridge::ConferenceStatus::Completed, conf.completed);
                for p in &conf.members {
                    if let Some(m) = real.member(&p.call) {
                        prop_assert_eq!(&fields(m), p, "step {}", step);
                    } else {
                        // Only participants that left may be pruned.
                        prop_assert!(p.left);
                    }
                }
            }
            prop_assert_eq!(set.len(), model.confs.len());
            // The bridge-wide count the total cap is checked against.
            prop_assert_eq!(set.live_participants(), set.conferences().map(|c| c.live_count()).sum::<usize>());
        }
    }
}
