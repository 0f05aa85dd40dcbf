//! The bridge answering as Telnyx's TeXML API, bytes in → bytes out: the
//! five operations on `/v2/texml/...` paths (with and without `.json`, a
//! `v3:` call id raw or `%3A`-encoded), Bearer auth and its refusals, JSON
//! and form bodies giving the same answer, 415 for other bodies, Telnyx's
//! list pages followed to the end, Telnyx's error bodies; and SignalWire's
//! error shape (its answers are no longer Twilio-shaped).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use confpart::api::path::Dialect;
use confpart::bridge::{Account, Handled, SequentialIds, Service, Timing};
use confpart::wire::date::Timestamp;
use confpart::wire::http::{Progress, RequestReader};
use confpart::wire::ident::AccountSid;
use confpart::wire::sink::SliceSink;
use serde_json::Value;

const ACCOUNT: &str = "7e1e7e1e-7e1e-4e1e-8e1e-7e1e7e1e7e1e";
const KEY: &str = "KEY0192837465abcdef_telnyx";
const SW_PROJECT: &str = "d0d0d0d0-d0d0-4d0d-8d0d-d0d0d0d0d0d0";
const TW_ACCOUNT: &str = "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const T0: u64 = 1_700_000_000;

type Bridge = Service<'static, 4, 16>;

struct Tx {
    service: Bridge,
    ids: SequentialIds,
}

/// One answer: status, head, body as JSON (`Null` when empty), what
/// `handle` said.
struct Answer {
    status: u16,
    head: String,
    body: Value,
    handled: Handled,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().find_map(|l| {
            let (n, v) = l.split_once(':')?;
            n.eq_ignore_ascii_case(name).then(|| v.trim())
        })
    }

    /// Telnyx's error body: `{"errors":[{"code":"…", …}]}`; its code.
    fn telnyx_code(&self) -> u32 {
        let errors = self.body["errors"].as_array().expect("an errors list");
        assert_eq!(errors.len(), 1, "{}", self.body);
        errors[0]["code"]
            .as_str()
            .expect("a string code")
            .parse()
            .unwrap()
    }
}

impl Tx {
    fn new(dialect: Dialect, account: &str, secret: &'static str) -> Self {
        let accounts: &'static [Account<'static>] = Box::leak(Box::new([Account::new(
            AccountSid::parse(account).unwrap(),
            secret,
        )]));
        Tx {
            service: Service::new(dialect, Timing::IMMEDIATE, accounts),
            ids: SequentialIds::new(),
        }
    }

    fn telnyx() -> Self {
        Self::new(Dialect::Telnyx, ACCOUNT, KEY)
    }

    fn send(&mut self, request: &[u8]) -> Answer {
        let mut rx = vec![0u8; 16 * 1024];
        let mut reader = RequestReader::new(&mut rx);
        let mut tx = vec![0u8; 64 * 1024];
        let mut out = SliceSink::new(&mut tx);
        let now = Timestamp::from_unix(T0).unwrap();
        let handled = match reader.feed(request) {
            Ok(Progress::Complete(m)) => {
                let mut scratch = vec![0u8; m.body().len().max(m.query().map_or(0, str::len))];
                self.service
                    .handle(&m, now, &mut self.ids, &mut scratch, &mut out)
                    .unwrap()
            }
            Ok(Progress::Partial) => panic!("incomplete request"),
            Err(e) => Bridge::reject_in(Dialect::Telnyx, &e, &mut out).unwrap(),
        };
        let text = String::from_utf8(out.written().to_vec()).unwrap();
        let (head, body) = text.split_once("\r\n\r\n").unwrap();
        let status = head[9..12].parse().unwrap();
        assert_eq!(status, handled.status);
        let body = if body.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"))
        };
        if let Some(len) = head
            .lines()
            .find_map(|l| l.strip_prefix("Content-Length: "))
        {
            assert_eq!(len.parse::<usize>().unwrap(), text.len() - head.len() - 4);
        }
        Answer {
            status,
            head: head.to_owned(),
            body,
            handled,
        }
    }

    /// A request with `Authorization: Bearer KEY` (or `auth` when given).
    fn request(
        &mut self,
        method: &str,
        path: &str,
        content_type: Option<&str>,
        body: &str,
        auth: Option<&str>,
    ) -> Answer {
        let auth = auth.map_or_else(|| format!("Bearer {KEY}"), str::to_owned);
        let mut head = format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n");
        if !auth.is_empty() {
            head.push_str(&format!("Authorization: {auth}\r\n"));
        }
        if let Some(ct) = content_type {
            head.push_str(&format!("Content-Type: {ct}\r\n"));
        }
        if method == "POST" {
            head.push_str(&format!("Content-Length: {}\r\n", body.len()));
        }
        head.push_str("\r\n");
        head.push_str(body);
        self.send(head.as_bytes())
    }

    fn get(&mut self, path: &str) -> Answer {
        self.request("GET", path, None, "", None)
    }

    fn form(&mut self, path: &str, body: &str) -> Answer {
        self.request(
            "POST",
            path,
            Some("application/x-www-form-urlencoded"),
            body,
            None,
        )
    }

    fn json(&mut self, path: &str, body: &str) -> Answer {
        self.request("POST", path, Some("application/json"), body, None)
    }

    /// Creates a participant in the conference named `room` (or by SID);
    /// returns (conference, call).
    fn create(&mut self, conference: &str, label: &str) -> (String, String) {
        let a = self.form(
            &collection(conference),
            &format!("From=%2B15005550006&To=%2B15005550001&Label={label}"),
        );
        assert_eq!(a.status, 201, "{}", a.body);
        (
            a.body["conference_sid"].as_str().unwrap().to_owned(),
            a.body["call_sid"].as_str().unwrap().to_owned(),
        )
    }
}

fn collection(conference: &str) -> String {
    format!("/v2/texml/Accounts/{ACCOUNT}/Conferences/{conference}/Participants")
}

fn one(conference: &str, who: &str) -> String {
    format!("{}/{who}", collection(conference))
}

// Sends JSON bodies (telnyx-python's).
#[cfg(feature = "json-body")]
#[test]
fn every_operation_in_telnyx_shapes() {
    let mut tx = Tx::telnyx();
    // Create (form, as telnyx-node sends): 201, Telnyx's create answer.
    let a = tx.form(
        &collection("room"),
        "From=%2B15005550006&To=%2B15005550001&Label=agent&Muted=true",
    );
    assert_eq!(a.status, 201, "{}", a.body);
    assert_eq!(a.handled.code, None);
    let cf = a.body["conference_sid"].as_str().unwrap().to_owned();
    let call = a.body["call_sid"].as_str().unwrap().to_owned();
    assert!(call.starts_with("v3:"), "{call}");
    assert_eq!(a.body["account_sid"], ACCOUNT);
    assert_eq!(a.body["muted"], true);
    assert_eq!(a.body["status"], "connecting");
    assert!(a.body.get("label").is_none(), "{}", a.body);
    assert!(a.body.get("queue_time").is_none(), "{}", a.body);
    assert!(a.body.get("api_version").is_none(), "{}", a.body);
    let uri = a.body["uri"].as_str().unwrap();
    assert!(
        uri.starts_with(&format!(
            "/v2/texml/Accounts/{ACCOUNT}/Conferences/{cf}/Participants/"
        )) && uri.ends_with(".json"),
        "{uri}"
    );

    // Fetch, by the call id raw and %3A-encoded, with and without .json.
    let encoded = call.replace(':', "%3A");
    for path in [
        one(&cf, &call),
        one(&cf, &encoded),
        format!("{}.json", one(&cf, &call)),
    ] {
        let a = tx.get(&path);
        assert_eq!(a.status, 200, "{path}: {}", a.body);
        assert_eq!(a.body["call_sid"], call.as_str());
        assert_eq!(a.body["api_version"], "v2/texml");
        assert_eq!(a.body["status"], "connected");
        assert!(a.body["call_sid_legacy"].as_str().unwrap().len() == 36);
        assert!(a.body["date_created"].as_str().unwrap().ends_with("+0000"));
        assert!(a.body.get("label").is_none());
        assert!(a.body.get("start_conference_on_enter").is_none());
    }
    // By label too (the SDKs' `call_sid_or_participant_label`).
    assert_eq!(tx.get(&one(&cf, "agent")).body["call_sid"], call.as_str());

    // Update (JSON, as telnyx-python sends): 200 + the resource.
    let a = tx.json(
        &one(&cf, &call),
        r#"{"Muted": false, "Hold": true, "HoldUrl": "https://m.example/hold.mp3"}"#,
    );
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(
        (&a.body["muted"], &a.body["hold"]),
        (&false.into(), &true.into())
    );

    // List: Telnyx's page.
    let a = tx.get(&collection(&cf));
    assert_eq!(a.status, 200, "{}", a.body);
    let keys: Vec<&str> = a
        .body
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    for key in [
        "participants",
        "page",
        "page_size",
        "start",
        "end",
        "uri",
        "first_page_uri",
        "next_page_uri",
    ] {
        assert!(keys.contains(&key), "{key}: {keys:?}");
    }
    assert!(!keys.contains(&"previous_page_uri"), "{keys:?}");
    assert_eq!(a.body["participants"][0]["call_sid"], call.as_str());
    assert_eq!(a.body["participants"][0]["api_version"], "v2/texml");
    assert_eq!(
        a.body["first_page_uri"],
        format!(
            "/v2/texml/Accounts/{ACCOUNT}/Conferences/{cf}/Participants.json?Page=0&PageSize=50"
        )
    );
    assert_eq!(a.body["next_page_uri"], Value::Null);

    // Delete: 204, no body; then 404 with Telnyx's code.
    let a = tx.request("DELETE", &one(&cf, &encoded), None, "", None);
    assert_eq!((a.status, &a.body), (204, &Value::Null));
    let a = tx.get(&one(&cf, &call));
    assert_eq!((a.status, a.telnyx_code()), (404, 10005));
    assert_eq!(a.handled.code, Some(10005));
}

// Sends JSON bodies (telnyx-python's).
#[cfg(feature = "json-body")]
#[test]
fn coaching_and_legacy_ids() {
    let mut tx = Tx::telnyx();
    let (cf, coach) = tx.create("room", "coach");
    let (_, target) = tx.create(&cf, "target");
    let a = tx.json(
        &one(&cf, &coach),
        &format!(r#"{{"Coaching": true, "CallSidToCoach": "{target}"}}"#),
    );
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(a.body["coaching"], true);
    assert_eq!(a.body["coaching_call_sid"], target.as_str());
    assert!(a.body.get("call_sid_to_coach").is_none());
    // The legacy ids are the UUIDs of the minted bits: SequentialIds'
    // counter (conference 1, calls 2 and 3).
    assert_eq!(
        a.body["call_sid_legacy"],
        "00000000-0000-4000-8000-000000000002"
    );
    assert_eq!(
        a.body["coaching_call_sid_legacy"],
        "00000000-0000-4000-8000-000000000003"
    );
    // The list shows the same resource.
    let page = tx.get(&collection(&cf)).body;
    assert_eq!(page["participants"][0], a.body);
}

#[test]
fn bearer_refusals() {
    let mut tx = Tx::telnyx();
    let (cf, call) = tx.create("room", "a");
    let path = one(&cf, &call);
    let basic = "Basic N2UxZTdlMWUtN2UxZS00ZTFlLThlMWUtN2UxZTdlMWU3ZTFlOktFWTAxOTI4Mzc0NjVhYmNkZWZfdGVsbnl4";
    for auth in [
        "",                                   // missing
        "Bearer KEY0192837465abcdef_telnyY",  // wrong key
        "Bearer",                             // no key
        "Bearer KEY0192837465abcdef_telnyx0", // longer
        basic,                                // Basic "account:key" to a Telnyx bridge
    ] {
        let a = tx.request("GET", &path, None, "", Some(auth));
        assert_eq!(a.status, 401, "{auth}: {}", a.body);
        assert_eq!(a.telnyx_code(), 10009, "{auth}");
        assert_eq!(
            a.header("WWW-Authenticate"),
            Some("Bearer realm=\"Telnyx API\"")
        );
    }
    // Another account's path: the same 401.
    let other = collection(&cf).replace(ACCOUNT, "00000000-0000-4000-8000-000000000009");
    let a = tx.request("GET", &other, None, "", None);
    assert_eq!((a.status, a.telnyx_code()), (401, 10009));
    // The scheme is case-insensitive.
    let a = tx.request("GET", &path, None, "", Some(&format!("bearer {KEY}")));
    assert_eq!(a.status, 200);
}

// Sends JSON bodies (telnyx-python's).
#[cfg(feature = "json-body")]
#[test]
fn json_and_form_bodies_give_the_same_answer() {
    let updates = [
        ("Muted=true&Hold=false", r#"{"Muted": true, "Hold": false}"#),
        (
            "Hold=true&HoldUrl=https%3A%2F%2Fm.example%2Fa.mp3&HoldMethod=GET",
            r#"{"Hold": true, "HoldUrl": "https://m.example/a.mp3", "HoldMethod": "GET"}"#,
        ),
        (
            "Coaching=true&CallSidToCoach=TARGET",
            r#"{"Coaching": true, "CallSidToCoach": "TARGET"}"#,
        ),
        ("Muted=maybe", r#"{"Muted": "maybe"}"#),
    ];
    for (form, json) in updates {
        let mut answers = Vec::new();
        for as_json in [false, true] {
            let mut tx = Tx::telnyx();
            let (cf, coach) = tx.create("room", "coach");
            let (_, target) = tx.create(&cf, "target");
            let body = if as_json { json } else { form };
            let body = body.replace("TARGET", &target);
            let a = if as_json {
                tx.json(&one(&cf, &coach), &body)
            } else {
                tx.form(&one(&cf, &coach), &body)
            };
            answers.push((a.status, a.body));
        }
        assert_eq!(answers[0], answers[1], "{form}");
    }
    // Create by JSON: the same participant as by form.
    let mut by_form = Tx::telnyx();
    let f = by_form.form(
        &collection("room"),
        "From=a&To=b&Muted=true&EndConferenceOnExit=true",
    );
    let mut by_json = Tx::telnyx();
    let j = by_json.json(
        &collection("room"),
        r#"{"From": "a", "To": "b", "Muted": true, "EndConferenceOnExit": true}"#,
    );
    assert_eq!((f.status, &f.body), (j.status, &j.body));
    assert_eq!(f.status, 201);
}

// Sends JSON bodies (telnyx-python's).
#[cfg(feature = "json-body")]
#[test]
fn other_bodies_are_415_and_bad_json_422() {
    let mut tx = Tx::telnyx();
    let (cf, call) = tx.create("room", "a");
    let a = tx.request(
        "POST",
        &one(&cf, &call),
        Some("text/plain"),
        "Muted=true",
        None,
    );
    assert_eq!((a.status, a.telnyx_code()), (415, 10015));
    let a = tx.json(&one(&cf, &call), "Muted=true");
    assert_eq!((a.status, a.telnyx_code()), (422, 10015));
    // `application/json; charset=utf-8` is JSON; no Content-Type is a form.
    let a = tx.request(
        "POST",
        &one(&cf, &call),
        Some("Application/JSON; charset=utf-8"),
        r#"{"Muted":true}"#,
        None,
    );
    assert_eq!((a.status, &a.body["muted"]), (200, &true.into()));
    let a = tx.request("POST", &one(&cf, &call), None, "Muted=false", None);
    assert_eq!((a.status, &a.body["muted"]), (200, &false.into()));
    // A Twilio bridge reads every body as a form, as it always has.
    let mut tw = Tx::new(
        Dialect::Twilio,
        "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        "token",
    );
    let auth = "Basic QUNhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYTp0b2tlbg==";
    let a = tw.request(
        "POST",
        "/2010-04-01/Accounts/ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/Conferences/room/Participants.json",
        Some("text/plain"),
        "From=a&To=b",
        Some(auth),
    );
    assert_eq!(a.status, 201, "{}", a.body);
}

#[cfg(not(feature = "json-body"))]
#[test]
fn json_bodies_are_415_without_the_feature() {
    let mut tx = Tx::telnyx();
    let (cf, call) = tx.create("room", "a");
    let a = tx.json(&one(&cf, &call), r#"{"Muted":true}"#);
    assert_eq!((a.status, a.telnyx_code()), (415, 10015));
    assert_eq!(a.handled.status, 415);
    // The form still works.
    let a = tx.form(&one(&cf, &call), "Muted=true");
    assert_eq!((a.status, &a.body["muted"]), (200, &true.into()));
}

#[test]
fn refusals_carry_telnyx_codes() {
    let mut tx = Tx::telnyx();
    let (cf, coach) = tx.create("room", "coach");
    let (_, target) = tx.create(&cf, "target");
    // On hold, then coached: Twilio's 400 / 16027 is Telnyx's 422 / 10015.
    assert_eq!(tx.form(&one(&cf, &target), "Hold=true").status, 200);
    let a = tx.form(
        &one(&cf, &coach),
        &format!("Coaching=true&CallSidToCoach={target}"),
    );
    assert_eq!((a.status, a.telnyx_code()), (422, 10015));
    // A label in use.
    let a = tx.form(&collection(&cf), "From=a&To=b&Label=coach");
    assert_eq!((a.status, a.telnyx_code()), (422, 10015));
    // Unknown path: 404 / 10005; a method not allowed: 405 with Allow.
    let a = tx.get("/v2/texml/Accounts/x/Calls");
    assert_eq!((a.status, a.telnyx_code()), (404, 10005));
    let a = tx.request("PUT", &collection(&cf), None, "", None);
    assert_eq!((a.status, a.telnyx_code()), (405, 10015));
    assert_eq!(a.header("Allow"), Some("GET, POST"));
    // Unframeable bytes: Telnyx's body too.
    let a = tx.send(b"GET /v2 HTTP/1.1\nHost: x\n\n");
    assert_eq!((a.status, a.telnyx_code()), (422, 10015));
}

#[test]
fn list_pages_follow_to_the_end() {
    let mut tx = Tx::telnyx();
    let (cf, first) = tx.create("room", "p0");
    let mut calls = vec![first];
    for i in 1..7 {
        calls.push(tx.create(&cf, &format!("p{i}")).1);
    }
    let mut seen = Vec::new();
    let mut uri = format!("{}?PageSize=3", collection(&cf));
    let mut pages = 0;
    loop {
        let a = tx.get(&uri);
        assert_eq!(a.status, 200, "{uri}: {}", a.body);
        assert!(a.body.get("previous_page_uri").is_none());
        assert_eq!(a.body["page"], pages);
        assert_eq!(a.body["page_size"], 3);
        for p in a.body["participants"].as_array().unwrap() {
            seen.push(p["call_sid"].as_str().unwrap().to_owned());
        }
        pages += 1;
        match a.body["next_page_uri"].as_str() {
            Some(next) => {
                let prefix = format!(
                    "/v2/texml/Accounts/{ACCOUNT}/Conferences/{cf}/Participants.json?Page={pages}&PageSize=3&PageToken=PA"
                );
                assert!(next.starts_with(&prefix), "{next}");
                uri = next.to_owned();
            }
            None => break,
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(seen, calls);
}

#[test]
fn signalwire_errors_are_signalwire_shaped() {
    let mut sw = Tx::new(Dialect::SignalWire, SW_PROJECT, "token");
    // "d0d0…:token"
    let auth = format!(
        "Basic {}",
        base64_encode(format!("{SW_PROJECT}:token").as_bytes())
    );
    let path = format!(
        "/api/laml/2010-04-01/Accounts/{SW_PROJECT}/Conferences/00000000-0000-4000-8000-00000000000f/Participants/00000000-0000-4000-8000-00000000000e"
    );
    let a = sw.request("GET", &path, None, "", Some(&auth));
    assert_eq!(a.status, 404);
    let errors = a.body["errors"]
        .as_array()
        .expect("SignalWire's errors list");
    assert_eq!(errors[0]["code"], "20404", "{}", a.body);
    assert!(a.body.get("more_info").is_none());
    let a = sw.request("GET", &path, None, "", None);
    assert_eq!(a.status, 401);
    assert_eq!(a.body["errors"][0]["code"], "20003");
    assert_eq!(
        a.header("WWW-Authenticate"),
        Some("Basic realm=\"Twilio API\"")
    );
}

#[test]
fn each_service_answers_its_own_paths_only() {
    let mut tx = Tx::telnyx();
    let (cf, call) = tx.create("room", "a");
    let twilio_shaped =
        format!("/2010-04-01/Accounts/{ACCOUNT}/Conferences/{cf}/Participants/{call}.json");
    let a = tx.get(&twilio_shaped);
    assert_eq!((a.status, a.telnyx_code()), (404, 10005), "{}", a.body);
    assert_eq!(tx.get(&one(&cf, &call)).status, 200);
    let mut tw = Tx::new(Dialect::Twilio, TW_ACCOUNT, "token");
    let auth = format!(
        "Basic {}",
        base64_encode(format!("{TW_ACCOUNT}:token").as_bytes())
    );
    let a = tw.request(
        "POST",
        &format!("/v2/texml/Accounts/{TW_ACCOUNT}/Conferences/room/Participants"),
        Some("application/x-www-form-urlencoded"),
        "From=%2B15005550006&To=%2B15005550001",
        Some(&auth),
    );
    assert_eq!(
        (a.status, &a.body["code"]),
        (404, &20404.into()),
        "{}",
        a.body
    );
}

// telnyx-python sends the create, and so the conference's subscription, as JSON.
#[cfg(feature = "json-body")]
#[test]
fn a_json_create_subscribes_the_conference() {
    let mut tx = Tx::telnyx();
    let a = tx.json(
        &collection("room"),
        r#"{"From": "+15005550006", "To": "+15005550001",
            "ConferenceStatusCallback": "https://hooks.example/conf",
            "ConferenceStatusCallbackEvent": "join leave"}"#,
    );
    assert_eq!(a.status, 201, "{}", a.body);
    let cf =
        confpart::wire::ident::ConferenceSid::parse(a.body["conference_sid"].as_str().unwrap())
            .unwrap();
    let sub = tx
        .service
        .conferences()
        .subscription(&cf)
        .expect("subscribed");
    assert_eq!(sub.url(), "https://hooks.example/conf");
    assert_eq!(tx.service.unrecorded_callbacks(), 0);
    // A word Telnyx does not offer is refused with the create.
    let a = tx.json(
        &collection("other room"),
        r#"{"From": "+15005550006", "To": "+15005550001",
            "ConferenceStatusCallback": "https://hooks.example/conf",
            "ConferenceStatusCallbackEvent": ["join", "modify"]}"#,
    );
    assert_eq!((a.status, a.telnyx_code()), (422, 10015), "{}", a.body);
}

#[test]
fn a_call_by_its_legacy_uuid_and_labels_shaped_like_call_ids() {
    // Telnyx: the legacy UUID an answer shows addresses the same call.
    let mut tx = Tx::telnyx();
    let (cf, call) = tx.create("room", "a");
    let fetched = tx.get(&one(&cf, &call));
    let legacy = fetched.body["call_sid_legacy"].as_str().unwrap().to_owned();
    let by_legacy = tx.form(&one(&cf, &legacy), "Muted=true");
    assert_eq!(by_legacy.status, 200, "{}", by_legacy.body);
    assert_eq!(by_legacy.body["call_sid"], call.as_str());
    // Telnyx: a label that is a call id could not be addressed: refused.
    let a = tx.form(
        &collection(&cf),
        "From=%2B15005550006&To=%2B15005550001&Label=v3%3Alobby",
    );
    assert_eq!((a.status, a.telnyx_code()), (422, 10015), "{}", a.body);
    // Twilio: `v1:lobby` is a label like any other, created and addressed.
    let mut tw = Tx::new(Dialect::Twilio, TW_ACCOUNT, "token");
    let auth = format!(
        "Basic {}",
        base64_encode(format!("{TW_ACCOUNT}:token").as_bytes())
    );
    let prefix = format!("/2010-04-01/Accounts/{TW_ACCOUNT}/Conferences");
    let created = tw.request(
        "POST",
        &format!("{prefix}/room/Participants.json"),
        Some("application/x-www-form-urlencoded"),
        "From=%2B15005550006&To=%2B15005550001&Label=v1%3Alobby",
        Some(&auth),
    );
    assert_eq!(created.status, 201, "{}", created.body);
    let cf = created.body["conference_sid"].as_str().unwrap();
    for path in ["v1:lobby", "v1%3Alobby"] {
        let a = tw.request(
            "POST",
            &format!("{prefix}/{cf}/Participants/{path}.json"),
            Some("application/x-www-form-urlencoded"),
            "Muted=true",
            Some(&auth),
        );
        assert_eq!(a.status, 200, "{path}: {}", a.body);
        assert_eq!(a.body["label"], "v1:lobby");
        assert_eq!(a.body["call_sid"], created.body["call_sid"]);
    }
}

#[test]
fn telnyx_lists_take_no_filters() {
    let mut tx = Tx::telnyx();
    let (cf, _) = tx.create("room", "a");
    let a = tx.get(&format!("{}?Muted=true", collection(&cf)));
    assert_eq!((a.status, a.telnyx_code()), (422, 10015), "{}", a.body);
    let a = tx.get(&format!("{}?PageSize=1", collection(&cf)));
    assert_eq!(a.status, 200, "{}", a.body);
}

fn base64_encode(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}
