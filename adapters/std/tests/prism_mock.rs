//! `prism mock` on Twilio's OpenAPI description (`../shared/openapi`), with the confpart
//! client: every recipe, create, fetch, list and delete pass Prism's request validation
//! (no 422), and every named example response (`Prefer: example=...`) decodes.
//!
//! Needs `CONFPART_PRISM` (the `prism` binary; `tests/interop/run` installs it with
//! `npm ci`); skipped without it.
#![allow(missing_docs)]

mod common;

use std::process::Command;
use std::time::Duration;

use common::{Proc, free_port, openapi, tool};
use confpart::api::create::Create;
use confpart::api::query::ListQuery;
use confpart::api::retry::RetryPolicy;
use confpart::api::update::Update;
use confpart::wire::ident::CallSid;
use confpart_std::client::Client;
use confpart_std::config::{BaseUrl, Dialect, Scheme, Secret, Service};
use confpart_std::error::Error;
use confpart_std::transport::TransportConfig;

const AC: &str = "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const CF: &str = "CFaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const CA: &str = "CAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const CB: &str = "CAbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

fn start() -> Option<(Proc, u16)> {
    let prism = tool("CONFPART_PRISM")?;
    let port = free_port();
    let proc = Proc::spawn(
        Command::new(prism)
            .args(["mock", "-h", "127.0.0.1", "-p"])
            .arg(port.to_string())
            .arg(openapi()),
    );
    proc.wait_for("Prism is listening", Duration::from_secs(90));
    Some((proc, port))
}

fn client(port: u16, prefer: Option<&str>) -> Client {
    let service = Service {
        dialect: Dialect::Twilio,
        base: BaseUrl {
            scheme: Scheme::Http,
            host: "127.0.0.1".into(),
            port,
        },
        account: AC.into(),
        username: AC.into(),
        password: Secret::new("token"),
    };
    let mut c = Client::with_transport(service, TransportConfig::new().unwrap());
    c.set_retry_policy(RetryPolicy::never());
    if let Some(p) = prefer {
        c.set_headers(vec![("Prefer".into(), p.into())]);
    }
    c
}

fn ok<T>(what: &str, r: Result<T, Error>) -> T {
    r.unwrap_or_else(|e| panic!("{what}: {e} ({e:?})"))
}

#[test]
fn every_operation_passes_prism_request_validation() {
    let Some((prism, port)) = start() else { return };
    let mut c = client(port, None);
    let coached = CallSid::parse(CB).unwrap();
    let recipes: [(&str, Update<'_>); 8] = [
        (
            "update",
            Update::new().muted(false).end_conference_on_exit(true),
        ),
        ("coach", Update::coach(coached)),
        ("monitor", Update::monitor(coached)),
        ("barge", Update::barge()),
        ("mute", Update::mute()),
        (
            "hold with music",
            Update::hold_with_music("https://example.com/hold.mp3"),
        ),
        ("unhold", Update::unhold()),
        (
            "announce",
            Update::announce("https://example.com/announce.xml"),
        ),
    ];
    for (name, update) in recipes {
        ok(name, c.update(CF, CA, &update));
        ok(name, c.update(CF, "front desk", &update));
    }
    ok(
        "create",
        c.create(
            CF,
            &Create::new("+15005550006", "+15005550001")
                .label("expert")
                .muted(true),
        ),
    );
    ok("fetch", c.fetch(CF, CA));
    ok(
        "list",
        c.list_page(
            CF,
            &ListQuery {
                muted: Some(true),
                page_size: Some(20),
                ..ListQuery::new()
            },
        ),
    );
    ok("delete", c.delete(CF, CA));
    let out = prism.output();
    // Prism's start-up lines ([CLI]) list example URLs with random SIDs, which may hold
    // "422" by chance: only the lines about the requests are searched.
    let refused = out
        .lines()
        .filter(|l| !l.contains("[CLI]"))
        .any(|l| l.contains("422"));
    assert!(!refused, "Prism refused a request:\n{out}");
    assert!(
        !out.contains("[VALIDATOR] ✖  error     Request"),
        "request violations:\n{out}"
    );
}

#[test]
fn every_named_example_decodes() {
    let Some((_prism, port)) = start() else {
        return;
    };
    for example in ["fetch", "fetchByLabel"] {
        let p = ok(
            example,
            client(port, Some(&format!("example={example}"))).fetch(CF, CA),
        );
        assert!(p.call_sid.is_some(), "{example}: {p:?}");
    }
    for example in [
        "muteParticipant",
        "muteParticipantByLabel",
        "holdParticipantWithMusic",
        "announceToParticipant",
        "modifyParticipant",
        "modifyParticipantByLabel",
    ] {
        let p = ok(
            example,
            client(port, Some(&format!("example={example}"))).update(CF, CA, &Update::mute()),
        );
        assert!(p.call_sid.is_some(), "{example}: {p:?}");
    }
    for example in [
        "createWithSid",
        "createWithFriendlyName",
        "createWithSidAsCoach",
        "createWithNonE164Number",
        "createWithFriendlyNameJitterBufferSize",
        "createWithFriendlyNameByoc",
        "createWithFriendlyNameCallerId",
        "createWithFriendlyNameReason",
        "createWithFriendlyNameRecordingTrack",
        "createWithFromToClient",
        "createWithFromToSip",
        "createWithFromToTwimlapp",
    ] {
        let p = ok(
            example,
            client(port, Some(&format!("example={example}")))
                .create(CF, &Create::new("+15005550006", "+15005550001")),
        );
        assert_eq!(p.status.as_deref(), Some("queued"), "{example}: {p:?}");
    }
    for example in ["readEmpty", "readFull", "readNext", "readPrevious"] {
        let page = ok(
            example,
            client(port, Some(&format!("example={example}"))).list_page(CF, &ListQuery::new()),
        );
        assert_eq!(
            page.participants.is_empty(),
            example == "readEmpty",
            "{example}: {page:?}"
        );
    }
}
