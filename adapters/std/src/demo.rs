//! `confpart demo`: the README's main job. Starts the bridge on a loopback port in this
//! process, creates a conference of three connected participants (agent, customer,
//! supervisor), then sends through the [`Client`] every recipe of the source document
//! (update, coach, monitor, barge, mute, hold with music) plus announce, create, fetch,
//! list and delete, printing for each the request line, the form body, the status and the
//! decoded participant, and two refused updates with their codes (16027: the participant
//! to coach is on hold; 20404: a participant that was deleted).
//!
//! Every step states what it expects; the demo fails (exit 1) if the bridge answers
//! anything else.

use std::io::Write;
use std::sync::Arc;

use confpart::api::codes;
use confpart::api::create::Create;
use confpart::api::fields::Method;
use confpart::api::query::ListQuery;
use confpart::api::retry::RetryPolicy;
use confpart::api::update::Update;
use confpart::wire::ident::CallSid;

use crate::bridge::{self, BridgeConfig};
use crate::client::{Client, Participant};
use crate::commands::{participant_line, service_error_line};
use crate::config::{BaseUrl, Dialect, Scheme, Secret, Service};
use crate::error::Error;
use crate::server::{MemoryLog, ServerOptions};
use crate::transport::{TransportConfig, Trust};

/// The demo's Twilio account.
pub const TWILIO_ACCOUNT: &str = "ACd0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0";
/// The demo's SignalWire project.
pub const SIGNALWIRE_PROJECT: &str = "d0d0d0d0-d0d0-4d0d-8d0d-d0d0d0d0d0d0";
/// The demo's Telnyx account (its API key is [`TOKEN`]).
pub const TELNYX_ACCOUNT: &str = "7e1e7e1e-7e1e-4e1e-8e1e-7e1e7e1e7e1e";
/// The demo's auth token (a loopback bridge of this process only).
pub const TOKEN: &str = "demo-auth-token";

/// What a step expects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    Ok,
    Refused(u32),
}

struct Demo<'o> {
    client: Client,
    conference: String,
    out: &'o mut dyn Write,
    failures: Vec<String>,
}

impl Demo<'_> {
    fn say(&mut self, line: &str) -> Result<(), Error> {
        writeln!(self.out, "{line}").map_err(|e| Error::input(format_args!("stdout: {e}")))
    }

    /// Prints one exchange and checks it against `expect`.
    fn report<T>(
        &mut self,
        title: &str,
        expect: Expect,
        result: Result<T, Error>,
        show: impl Fn(&T) -> String,
    ) -> Result<Option<T>, Error> {
        let x = self.client.last_exchange().clone();
        self.say(&format!("\n== {title}"))?;
        self.say(&format!("   {}", x.request_line))?;
        if !x.body.is_empty() {
            self.say(&format!("   {}", x.body))?;
        }
        let (line, got) = match &result {
            Ok(v) => (format!("-> {} {}", x.status, show(v)), Expect::Ok),
            Err(Error::Service(e)) => (
                format!("-> refused: {}", service_error_line(e)),
                Expect::Refused(e.code.unwrap_or(0)),
            ),
            Err(e) => return Err(Error::input(format_args!("{title}: {e}"))),
        };
        self.say(&format!("   {line}"))?;
        if got != expect {
            self.failures
                .push(format!("{title}: expected {expect:?}, got {got:?}"));
        }
        Ok(result.ok())
    }

    fn update(
        &mut self,
        title: &str,
        who: &str,
        update: Update<'_>,
        expect: Expect,
    ) -> Result<Option<Participant>, Error> {
        let conference = self.conference.clone();
        let result = self.client.update(&conference, who, &update);
        self.report(title, expect, result, participant_line)
    }
}

/// The code `dialect` refuses with where Twilio answers `code` with `status` (Telnyx's
/// are coarser: 10015, 10005, ...).
fn refused(dialect: Dialect, code: u32, status: u16) -> u32 {
    codes::for_dialect(code, status, dialect).1
}

/// Runs the demo for `dialect`, printing on `out`.
pub fn run(dialect: Dialect, out: &mut dyn Write) -> Result<(), Error> {
    let account = match dialect {
        Dialect::Twilio => TWILIO_ACCOUNT,
        Dialect::SignalWire => SIGNALWIRE_PROJECT,
        Dialect::Telnyx => TELNYX_ACCOUNT,
    };
    let config = BridgeConfig {
        dialect,
        timing: confpart::bridge::Timing::IMMEDIATE,
        accounts: vec![(account.to_owned(), Secret::new(TOKEN))],
        limits: confpart::bridge::Limits::TWILIO,
    };
    let mut options = ServerOptions::new(([127, 0, 0, 1], 0).into());
    options.workers = 2;
    options.log = Arc::new(MemoryLog::default());
    let running = bridge::start(&config, options)?;
    let labels = ["agent", "customer", "supervisor"];
    let (conference, calls) = running.bridge.demo_conference(account, "demo", &labels)?;
    let [agent, customer, supervisor] =
        [0, 1, 2].map(|i| calls.get(i).cloned().unwrap_or_default());

    let service = Service {
        dialect,
        base: BaseUrl {
            scheme: Scheme::Http,
            host: "127.0.0.1".to_owned(),
            port: running.addr.port(),
        },
        account: account.to_owned(),
        // A Telnyx key is a Bearer token: no user.
        username: match dialect {
            Dialect::Telnyx => String::new(),
            Dialect::Twilio | Dialect::SignalWire => account.to_owned(),
        },
        password: Secret::new(TOKEN),
    };
    // Plain http on loopback: no trust store is read.
    let config = TransportConfig::with_trust(&Trust::WebPkiRoots)
        .map_err(|e| Error::input(format_args!("TLS configuration: {e}")))?;
    let mut client = Client::with_transport(service, config);
    client.set_retry_policy(RetryPolicy::never());

    writeln!(
        out,
        "confpart demo ({dialect}): a bridge on http://{} with conference {conference}\n  agent {agent}\n  customer {customer}\n  supervisor {supervisor}",
        running.addr
    )
    .map_err(|e| Error::input(format_args!("stdout: {e}")))?;

    let mut demo = Demo {
        client,
        conference: conference.clone(),
        out,
        failures: Vec::new(),
    };
    let agent_sid = CallSid::parse(&agent)?;
    let customer_sid = CallSid::parse(&customer)?;
    // Twilio and Telnyx address a participant by label too; SignalWire by SID only.
    let by_label = |label: &'static str, sid: &str| match dialect {
        Dialect::Twilio | Dialect::Telnyx => label.to_owned(),
        Dialect::SignalWire => sid.to_owned(),
    };

    // Telnyx takes no WaitMethod (its client refuses it before sending).
    let first = Update::new().muted(false).hold(false);
    let first = match dialect {
        Dialect::Twilio | Dialect::SignalWire => first.wait_method(Method::Get),
        Dialect::Telnyx => first,
    };
    demo.update(
        "update a participant (any subset of the fields)",
        &agent,
        first,
        Expect::Ok,
    )?;
    demo.update(
        "coach (whisper): the supervisor coaches the agent",
        &supervisor,
        Update::coach(agent_sid),
        Expect::Ok,
    )?;
    demo.update(
        "monitor: the supervisor listens silently",
        &supervisor,
        Update::monitor(agent_sid),
        Expect::Ok,
    )?;
    demo.update(
        "barge: the supervisor joins the call",
        &supervisor,
        Update::barge(),
        Expect::Ok,
    )?;
    demo.update("mute the customer", &customer, Update::mute(), Expect::Ok)?;
    demo.update(
        "hold with music (the customer, by label on Twilio and Telnyx)",
        &by_label("customer", &customer),
        Update::hold_with_music("https://api.twilio.com/cowbell.mp3"),
        Expect::Ok,
    )?;
    demo.update(
        "refused: coach a participant who is on hold",
        &supervisor,
        Update::coach(customer_sid),
        Expect::Refused(refused(dialect, codes::COACH_TARGET_ON_HOLD, 400)),
    )?;
    demo.update(
        "announce to the agent",
        &agent,
        Update::announce("https://example.com/announcement.xml"),
        Expect::Ok,
    )?;

    let create = Create::new("+15005550006", "+15005550009").muted(true);
    let create = match dialect {
        Dialect::Twilio | Dialect::Telnyx => create.label("expert"),
        Dialect::SignalWire => create,
    };
    let result = demo.client.create(&conference, &create);
    let created = demo.report(
        "create: dial an expert in",
        Expect::Ok,
        result,
        participant_line,
    )?;
    let expert = created.and_then(|p| p.call_sid).unwrap_or_default();
    running.bridge.tick();

    let result = demo.client.fetch(&conference, &expert);
    demo.report(
        "fetch the expert (connected since the last tick)",
        Expect::Ok,
        result,
        participant_line,
    )?;
    let result = demo.client.list_page(&conference, &ListQuery::new());
    demo.report("list the conference", Expect::Ok, result, |page| {
        let lines: Vec<String> = page
            .participants
            .iter()
            .map(|p| format!("\n        {}", participant_line(p)))
            .collect();
        format!("{} participants{}", page.participants.len(), lines.concat())
    })?;
    let result = demo.client.delete(&conference, &expert);
    demo.report("delete the expert", Expect::Ok, result, |()| {
        "deleted".to_owned()
    })?;
    demo.update(
        "refused: update the deleted participant",
        &expert,
        Update::unmute(),
        Expect::Refused(refused(dialect, codes::NOT_FOUND, 404)),
    )?;

    running.stop();
    if demo.failures.is_empty() {
        demo.say("\nevery step answered as expected")?;
        Ok(())
    } else {
        Err(Error::input(format_args!(
            "the demo went wrong: {}",
            demo.failures.join("; ")
        )))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn the_demo_runs_for_telnyx() {
        let mut out = Vec::new();
        run(Dialect::Telnyx, &mut out).unwrap_or_else(|e| panic!("telnyx: {e}"));
        let text = String::from_utf8(out).unwrap();
        for needle in [
            "POST /v2/texml/Accounts/7e1e7e1e-7e1e-4e1e-8e1e-7e1e7e1e7e1e/Conferences/",
            "Muted=false&Coaching=true&CallSidToCoach=v3:",
            "Hold=true&HoldUrl=",
            "refused: 422 code 10015",
            "-> 201 ",
            "-> 204 deleted",
            "refused: 404 code 10005",
            "every step answered as expected",
        ] {
            assert!(text.contains(needle), "telnyx: {needle}\n{text}");
        }
        assert!(!text.contains("WaitMethod"), "{text}");
        assert!(!text.contains(TOKEN), "the token is never printed");
    }

    #[test]
    fn the_demo_runs_for_both_dialects() {
        for dialect in [Dialect::Twilio, Dialect::SignalWire] {
            let mut out = Vec::new();
            run(dialect, &mut out).unwrap_or_else(|e| panic!("{dialect}: {e}"));
            let text = String::from_utf8(out).unwrap();
            for needle in [
                "Muted=false&Coaching=true&CallSidToCoach=",
                "Hold=true&HoldUrl=",
                "refused: 400 code 16027",
                "-> 201 ",
                "-> 204 deleted",
                "refused: 404 code 20404",
                "every step answered as expected",
            ] {
                assert!(text.contains(needle), "{dialect}: {needle}\n{text}");
            }
            assert!(!text.contains(TOKEN), "the token is never printed");
        }
    }
}
