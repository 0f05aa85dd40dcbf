//! `confpart serve --dialect telnyx --account UUID --token API_KEY` (the command's own
//! binary, on a loopback port) answering raw TeXML requests as Telnyx's SDKs send them:
//! paths under `/v2/texml` without `.json`, `Authorization: Bearer`, JSON (telnyx-python)
//! or form (telnyx-node) bodies, Telnyx's resource, page and error shapes.
#![allow(missing_docs, clippy::unwrap_used, clippy::indexing_slicing)]

mod common;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::Command;
use std::time::{Duration, Instant};

use common::Proc;
use serde_json::Value;

const ACCOUNT: &str = "61bf923e-5e4d-4595-a110-56190ea18a1b";
const KEY: &str = "KEY01892DFBA7A1B2C3D4E5F6_a1b2c3d4e5";

struct Served {
    _proc: Proc,
    addr: SocketAddr,
    conference: String,
    calls: Vec<String>,
}

fn serve() -> Served {
    let proc = Proc::spawn(
        Command::new(env!("CARGO_BIN_EXE_confpart"))
            .args(["--dialect", "telnyx", "serve", "--listen", "127.0.0.1:0"])
            .args(["--account", ACCOUNT, "--token", KEY, "--demo-conference"]),
    );
    let line = proc.wait_for("listening on http://", Duration::from_secs(20));
    let addr = line
        .rsplit("http://")
        .next()
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let lines = proc.lines.lock().unwrap().clone();
        let calls: Vec<String> = lines
            .iter()
            .filter_map(|l| l.strip_prefix("participant "))
            .map(str::to_owned)
            .collect();
        if calls.len() == 3 {
            let conference = lines
                .iter()
                .find_map(|l| l.strip_prefix("conference "))
                .unwrap()
                .to_owned();
            return Served {
                _proc: proc,
                addr,
                conference,
                calls,
            };
        }
        assert!(Instant::now() < deadline, "{}", proc.output());
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// One request on a fresh connection (`Connection: close`): status, head, JSON body.
fn exchange(
    addr: SocketAddr,
    method: &str,
    path: &str,
    auth: &str,
    body: Option<(&str, &str)>,
) -> (u16, String, Value) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: {auth}\r\nAccept: application/json\r\nConnection: close\r\n"
    );
    if let Some((ct, b)) = body {
        req.push_str(&format!(
            "Content-Type: {ct}\r\nContent-Length: {}\r\n\r\n{b}",
            b.len()
        ));
    } else {
        req.push_str("\r\n");
    }
    s.write_all(req.as_bytes()).unwrap();
    let mut all = String::new();
    s.read_to_string(&mut all).unwrap();
    let (head, body) = all.split_once("\r\n\r\n").unwrap();
    let status = head[9..12].parse().unwrap();
    let json = if body.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"))
    };
    (status, head.to_owned(), json)
}

#[test]
fn serve_answers_texml_requests_as_telnyx() {
    let s = serve();
    let bearer = format!("Bearer {KEY}");
    let base = format!(
        "/v2/texml/Accounts/{ACCOUNT}/Conferences/{}/Participants",
        s.conference
    );
    let agent = &s.calls[0];
    assert!(agent.starts_with("v3:"), "{agent}");

    // Fetch (the SDKs leave `:` unescaped).
    let (status, _, p) = exchange(s.addr, "GET", &format!("{base}/{agent}"), &bearer, None);
    assert_eq!(status, 200, "{p}");
    assert_eq!(p["api_version"], "v2/texml");
    assert_eq!(p["account_sid"], ACCOUNT);
    assert_eq!(p["call_sid"], agent.as_str());
    assert_eq!(p["status"], "connected");
    assert!(p["uri"].as_str().unwrap().ends_with(".json"));

    // Update by JSON (telnyx-python), then by form and label (telnyx-node).
    let (status, _, p) = exchange(
        s.addr,
        "POST",
        &format!("{base}/{agent}"),
        &bearer,
        Some(("application/json", r#"{"Muted": true}"#)),
    );
    assert_eq!((status, &p["muted"]), (200, &Value::Bool(true)), "{p}");
    let (status, _, p) = exchange(
        s.addr,
        "POST",
        &format!("{base}/customer"),
        &bearer,
        Some((
            "application/x-www-form-urlencoded",
            "Hold=true&HoldUrl=https%3A%2F%2Fm.example%2Fhold.mp3",
        )),
    );
    assert_eq!((status, &p["hold"]), (200, &Value::Bool(true)), "{p}");

    // List: Telnyx's page.
    let (status, _, page) = exchange(s.addr, "GET", &base, &bearer, None);
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["participants"].as_array().unwrap().len(), 3);
    assert!(page.get("previous_page_uri").is_none());
    assert!(
        page["first_page_uri"]
            .as_str()
            .unwrap()
            .starts_with(&format!("{base}.json?Page=0&PageSize="))
    );

    // Refusals: Basic to a Telnyx bridge, a wrong key; a deleted participant.
    let basic = "Basic YWNjb3VudDprZXk=";
    for auth in [basic, "Bearer wrong"] {
        let (status, head, e) = exchange(s.addr, "GET", &base, auth, None);
        assert_eq!(status, 401, "{e}");
        assert_eq!(e["errors"][0]["code"], "10009", "{e}");
        assert!(head.contains("WWW-Authenticate: Bearer"), "{head}");
    }
    let supervisor = &s.calls[2];
    let (status, _, body) = exchange(
        s.addr,
        "DELETE",
        &format!("{base}/{supervisor}"),
        &bearer,
        None,
    );
    assert_eq!((status, body), (204, Value::Null));
    let (status, _, e) = exchange(
        s.addr,
        "GET",
        &format!("{base}/{supervisor}"),
        &bearer,
        None,
    );
    assert_eq!(
        (status, &e["errors"][0]["code"]),
        (404, &Value::from("10005")),
        "{e}"
    );
}
