//! Telnyx's conference status callbacks from end to end, the binaries on loopback:
//! `confpart serve --dialect telnyx --signing-key SEED` (its public key said at start) sends
//! the callbacks of a conference subscribed by its first create (`start end join leave`),
//! Ed25519-signed; `confpart events --dialect telnyx --public-key KEY` checks each and prints
//! one line per event, in `SequenceNumber` order. A receiver given another public key refuses
//! them all (403). Every child process is bounded in time and killed at the end.
#![allow(missing_docs)]

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Command;
use std::time::Duration;

use common::{Proc, free_port};

const ACCOUNT: &str = "61bf923e-5e4d-4595-a110-56190ea18a1b";
const KEY: &str = "KEY0123456789ABCDEF_callbacks";
/// The bridge's Ed25519 seed: 32 bytes of 7.
const SEED: &str = "BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=";
/// Another key's public key (RFC 8032 test 1).
const OTHER_PUBLIC: &str = "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=";

fn events(public_key: &str) -> (Proc, u16) {
    let port = free_port();
    let proc = Proc::spawn(
        Command::new(env!("CARGO_BIN_EXE_confpart"))
            .args(["--dialect", "telnyx", "events", "--listen"])
            .arg(format!("127.0.0.1:{port}"))
            .args(["--public-key", public_key]),
    );
    proc.wait_for("listening on", Duration::from_secs(20));
    (proc, port)
}

/// The bridge, and the public key it said it signs for.
fn serve() -> (Proc, u16, String) {
    let port = free_port();
    let proc = Proc::spawn(
        Command::new(env!("CARGO_BIN_EXE_confpart"))
            .args(["--dialect", "telnyx", "serve", "--listen"])
            .arg(format!("127.0.0.1:{port}"))
            .args(["--account", ACCOUNT, "--token", KEY, "--signing-key", SEED]),
    );
    // Said on stderr, `listening on` on stdout: read in either order.
    let said = proc.wait_for("public key", Duration::from_secs(20));
    if !proc.output().contains("listening on") {
        proc.wait_for("listening on", Duration::from_secs(20));
    }
    let public = said.rsplit(' ').next().unwrap_or_default().to_owned();
    (proc, port, public)
}

/// One request to the bridge (Bearer, form body); the answer's text.
fn send(port: u16, method: &str, path: &str, body: &str) -> String {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(
        s,
        "{method} /v2/texml/Accounts/{ACCOUNT}/Conferences/{path} HTTP/1.1\r\nHost: b\r\n\
         Authorization: Bearer {KEY}\r\nContent-Type: application/x-www-form-urlencoded\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut answer = String::new();
    s.read_to_string(&mut answer).unwrap();
    assert!(
        answer.starts_with("HTTP/1.1 2"),
        "{method} {path}: {answer}"
    );
    answer
}

fn field(answer: &str, key: &str) -> String {
    let at = answer.find(&format!("\"{key}\":\"")).unwrap() + key.len() + 4;
    answer[at..].split('"').next().unwrap().to_owned()
}

/// Creates two participants in a conference subscribed to `hook`, deletes them: join,
/// start, join, leave, leave, end.
fn scenario(port: u16, hook: u16) {
    let subscribe = format!(
        "ConferenceStatusCallback=http%3A%2F%2F127.0.0.1%3A{hook}%2Fcb\
         &ConferenceStatusCallbackEvent=start+end+join+leave"
    );
    let agent = send(
        port,
        "POST",
        "room/Participants",
        &format!("From=%2B15005550006&To=sip%3Aagent%40example.com&{subscribe}"),
    );
    let (room, agent) = (field(&agent, "conference_sid"), field(&agent, "call_sid"));
    let customer = send(
        port,
        "POST",
        &format!("{room}/Participants"),
        "From=%2B15005550006&To=%2B15558675310",
    );
    let customer = field(&customer, "call_sid");
    // The participants join on the bridge's next tick.
    std::thread::sleep(Duration::from_millis(1500));
    send(
        port,
        "DELETE",
        &format!("{room}/Participants/{customer}"),
        "",
    );
    send(port, "DELETE", &format!("{room}/Participants/{agent}"), "");
}

#[test]
fn serve_signs_and_events_checks_telnyx_callbacks() {
    let (bridge, port, public) = serve();
    assert_eq!(public.len(), 44, "{}", bridge.output());
    let (receiver, hook) = events(&public);
    scenario(port, hook);
    let last = receiver.wait_for("conference-end", Duration::from_secs(30));
    assert!(last.starts_with("#6 "), "{}", receiver.output());
    let lines: Vec<String> = receiver
        .output()
        .lines()
        .filter(|l| l.starts_with('#'))
        .map(str::to_owned)
        .collect();
    let events: Vec<&str> = lines
        .iter()
        .map(|l| l.split(' ').nth(7).unwrap_or_default())
        .collect();
    assert_eq!(
        events,
        [
            "participant-join",
            "conference-start",
            "participant-join",
            "participant-leave",
            "participant-leave",
            "conference-end"
        ],
        "{}",
        receiver.output()
    );
    for (i, line) in lines.iter().enumerate() {
        assert!(line.starts_with(&format!("#{} ", i + 1)), "{line}");
        assert!(!line.contains("not checked"), "{line}");
    }
    assert!(
        !receiver.output().contains("rejected"),
        "{}",
        receiver.output()
    );
    drop(bridge);
}

#[test]
fn a_receiver_with_another_key_refuses_them() {
    let (bridge, port, _) = serve();
    let (receiver, hook) = events(OTHER_PUBLIC);
    scenario(port, hook);
    let refused = receiver.wait_for("rejected", Duration::from_secs(30));
    assert!(refused.contains("signature does not match"), "{refused}");
    assert!(
        !receiver.output().lines().any(|l| l.starts_with('#')),
        "{}",
        receiver.output()
    );
    drop(bridge);
}
