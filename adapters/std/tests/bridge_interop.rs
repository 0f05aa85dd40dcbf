//! `confpart serve` (the binary) against software nobody here wrote, and over TLS:
//!
//! - the official Twilio Python SDK (`CONFPART_PYTHON`: a virtualenv's python with the
//!   pinned `twilio`): the bridge-service scenario, every refusal a `TwilioRestException`
//!   with the right status and code (`tests/interop/python_sdk.py`);
//! - the official Twilio Node SDK (`CONFPART_NODE`, with `tests/interop/node_modules`):
//!   create, mute, hold by label, list with a filter, delete, a refused update
//!   (`tests/interop/node_sdk.js`);
//! - `prism proxy --errors` (`CONFPART_PRISM`) in front of the bridge with the Python
//!   scenario going through it: no violation but the [`ALLOWED_VIOLATIONS`];
//! - TLS with an rcgen certificate: trusted explicitly it works; untrusted it is a TLS error.
//!
//! The SDK and Prism tests are skipped (and say so) when their variable is not set;
//! `tests/interop/run` installs the tools and sets them. Loopback only; every child process
//! is bounded in time and killed at the end.
#![allow(missing_docs)]

mod common;

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use common::{Proc, free_port, openapi, run_bounded, tool};
use confpart_std::client::Client;
use confpart_std::config::{BaseUrl, Dialect, Scheme, Secret, Service};
use confpart_std::error::Error;
use confpart_std::transport::{FailureKind, TransportConfig, Trust};
use confpart_std::trust::certificates_from_pem;

const AC: &str = "AC11111111111111111111111111111111";
const TOKEN: &str = "interop-token-1";
const OTHER: &str = "AC22222222222222222222222222222222";
const OTHER_TOKEN: &str = "interop-token-2";

/// Violations `prism proxy` reports that the description itself causes, with why. Each is
/// a substring of Prism's `Violation:` line.
const ALLOWED_VIOLATIONS: [(&str, &str); 5] = [
    (
        "Unable to match the returned status code with those defined in the document",
        "the description declares only each operation's success status, no error response: \
         every refusal of the scenario (400 16027, 400 coaching without a target, 404 20404 \
         twice, 401 20003 twice) is reported (a warning: Prism passes the answer on). The test \
         checks there are exactly REFUSALS of them",
    ),
    (
        "response.body.uri Response body property uri must match format \"uri\"",
        "a list page's `uri` is a path relative to the API host (Twilio's own examples and \
         Prism's mock answer the same), but the description declares format: uri (absolute)",
    ),
    (
        "response.body.first_page_uri Response body property first_page_uri must match format \"uri\"",
        "same: relative path, declared absolute",
    ),
    (
        "response.body.next_page_uri Response body property next_page_uri must match format \"uri\"",
        "same: relative path, declared absolute",
    ),
    (
        "response.body.previous_page_uri Response body property previous_page_uri must match format \"uri\"",
        "same: relative path, declared absolute",
    ),
];

/// Refusals in the Python scenario (each one a status the description does not declare).
const REFUSALS: usize = 6;

fn interop_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/interop")
}

/// `confpart serve` on a free loopback port with two accounts; returns it and its port.
fn serve(extra: &[&str]) -> (Proc, u16) {
    let port = free_port();
    let proc = Proc::spawn(
        Command::new(env!("CARGO_BIN_EXE_confpart"))
            .args(["serve", "--listen"])
            .arg(format!("127.0.0.1:{port}"))
            .args([
                "--account",
                AC,
                "--token",
                TOKEN,
                "--account",
                OTHER,
                "--token",
            ])
            .arg(OTHER_TOKEN)
            .args(extra),
    );
    proc.wait_for("listening on", Duration::from_secs(20));
    (proc, port)
}

#[test]
fn python_sdk_scenario() {
    let Some(python) = tool("CONFPART_PYTHON") else {
        return;
    };
    let (bridge, port) = serve(&[]);
    let (ok, out) = run_bounded(
        Command::new(python)
            .arg(interop_dir().join("python_sdk.py"))
            .arg(format!("http://127.0.0.1:{port}"))
            .args([AC, TOKEN, OTHER, OTHER_TOKEN]),
        Duration::from_secs(120),
    );
    assert!(ok, "{out}\n--- bridge log:\n{}", bridge.output());
    assert!(out.contains("python sdk scenario: ok"), "{out}");
}

#[test]
fn node_sdk_scenario() {
    let Some(node) = tool("CONFPART_NODE") else {
        return;
    };
    let (bridge, port) = serve(&[]);
    let (ok, out) = run_bounded(
        Command::new(node)
            .arg(interop_dir().join("node_sdk.js"))
            .arg(format!("http://127.0.0.1:{port}"))
            .args([AC, TOKEN]),
        Duration::from_secs(120),
    );
    assert!(ok, "{out}\n--- bridge log:\n{}", bridge.output());
    assert!(out.contains("node sdk scenario: ok"), "{out}");
}

#[test]
fn python_sdk_through_prism_proxy() {
    let (Some(python), Some(prism)) = (tool("CONFPART_PYTHON"), tool("CONFPART_PRISM")) else {
        return;
    };
    let (bridge, port) = serve(&[]);
    let proxy_port = free_port();
    let proxy = Proc::spawn(
        Command::new(prism)
            .args(["proxy", "--errors", "-h", "127.0.0.1", "-p"])
            .arg(proxy_port.to_string())
            .arg(openapi())
            .arg(format!("http://127.0.0.1:{port}")),
    );
    proxy.wait_for("Prism is listening", Duration::from_secs(90));
    let (ok, out) = run_bounded(
        Command::new(python)
            .arg(interop_dir().join("python_sdk.py"))
            .arg(format!("http://127.0.0.1:{proxy_port}"))
            .args([AC, TOKEN, OTHER, OTHER_TOKEN, "prism"]),
        Duration::from_secs(180),
    );
    let log = proxy.output();
    assert!(
        ok,
        "{out}\n--- prism log:\n{log}\n--- bridge log:\n{}",
        bridge.output()
    );
    let unexpected: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("Violation:"))
        .filter(|l| !ALLOWED_VIOLATIONS.iter().any(|(v, _)| l.contains(v)))
        .collect();
    assert!(
        unexpected.is_empty(),
        "violations the description does not explain:\n{}",
        unexpected.join("\n")
    );
    let undeclared = log
        .lines()
        .filter(|l| l.contains(ALLOWED_VIOLATIONS[0].0))
        .count();
    assert_eq!(undeclared, REFUSALS, "{log}");
    // Every one of the relative-uri violations made Prism answer a list with its 500.
    assert!(out.contains("Prism: 500, uri format violation"), "{out}");
}

#[test]
fn tls_with_an_explicitly_trusted_certificate() {
    let dir = std::env::temp_dir().join(format!("confpart-tls-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let ck = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned()]).unwrap();
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    std::fs::write(&cert, ck.cert.pem()).unwrap();
    std::fs::write(&key, ck.signing_key.serialize_pem()).unwrap();
    let (bridge, port) = serve(&[
        "--demo-conference",
        "--tls-cert",
        cert.to_str().unwrap(),
        "--tls-key",
        key.to_str().unwrap(),
    ]);
    let conference = bridge.wait_for("conference ", Duration::from_secs(10));
    let conference = conference
        .trim_start_matches("conference ")
        .trim()
        .to_owned();
    let participant = bridge.wait_for("participant ", Duration::from_secs(10));
    let participant = participant
        .trim_start_matches("participant ")
        .trim()
        .to_owned();
    let service = Service {
        dialect: Dialect::Twilio,
        base: BaseUrl {
            scheme: Scheme::Https,
            host: "127.0.0.1".into(),
            port,
        },
        account: AC.into(),
        username: AC.into(),
        password: Secret::new(TOKEN),
    };
    let trusted = Trust::Certificates(certificates_from_pem(ck.cert.pem().as_bytes()).unwrap());
    let mut client = Client::with_transport(
        service.clone(),
        TransportConfig::with_trust(&trusted).unwrap(),
    );
    let p = client.fetch(&conference, &participant).unwrap();
    assert_eq!(p.call_sid.as_deref(), Some(participant.as_str()));
    assert_eq!(p.status.as_deref(), Some("connected"));

    // Another certificate, or the public roots: a TLS error, never a plain-text fallback.
    let other = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned()]).unwrap();
    let untrusted =
        Trust::Certificates(certificates_from_pem(other.cert.pem().as_bytes()).unwrap());
    for config in [
        TransportConfig::with_trust(&untrusted).unwrap(),
        TransportConfig::new().unwrap(),
    ] {
        let mut client = Client::with_transport(service.clone(), config);
        let e = client.fetch(&conference, &participant).unwrap_err();
        match &e {
            Error::Transport(f) => assert!(matches!(f.kind, FailureKind::Tls(_)), "{f:?}"),
            other => panic!("{other:?}"),
        }
        assert_eq!(e.exit_code(), 3);
    }
    let _ = std::fs::remove_dir_all(&dir);
}
