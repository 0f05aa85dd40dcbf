//! Conference status callbacks from end to end on loopback: the core's bridge service
//! (a conference subscribed to every event by its first participant's create) turns each
//! notice into a signed callback, `confpart_std::delivery` sends them, and the
//! `confpart events` receiver checks every signature and prints one line per event, in
//! `SequenceNumber` order. A receiver with another token refuses them all (403), which the
//! delivery counts as failures, not retries.

use std::net::TcpListener;
use std::time::Duration;

use confpart::api::path::Dialect;
use confpart::bridge::{Account, SequentialIds, Service, Timing};
use confpart::wire::date::Timestamp;
use confpart::wire::http::{Progress, RequestReader};
use confpart::wire::ident::AccountSid;
use confpart::wire::sink::SliceSink;
use confpart_std::config::Secret;
use confpart_std::delivery::{Deliverer, DeliveryConfig, DeliveryStats};
use confpart_std::events::{EventsOptions, serve};
use confpart_std::transport::TransportConfig;

const ACCOUNT: &str = "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
/// `ACaaa…:token`.
const BASIC: &str = "QUNhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYTp0b2tlbg==";

/// Runs a small scenario on a bridge whose conference subscribes `hook`; submits every
/// callback to `deliverer`; how many were submitted.
fn scenario(hook: &str, deliverer: &Deliverer) -> usize {
    let accounts = [Account::new(AccountSid::parse(ACCOUNT).unwrap(), "token")];
    let mut service: Service<'_, 2, 4> =
        Service::new(Dialect::Twilio, Timing::IMMEDIATE, &accounts);
    let mut ids = SequentialIds::new();
    let mut now = 1_765_000_000;
    let encoded_hook: String = hook
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect();
    let mut submitted = 0;
    let mut send = |service: &mut Service<'_, 2, 4>, method: &str, path: &str, body: &str| {
        now += 1;
        let at = Timestamp::from_unix(now).unwrap();
        let request = format!(
            "{method} /2010-04-01/Accounts/{ACCOUNT}/Conferences/{path} HTTP/1.1\r\nHost: b\r\n\
             Authorization: Basic {BASIC}\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        let mut rx = vec![0u8; 4096];
        let mut reader = RequestReader::new(&mut rx);
        let Ok(Progress::Complete(m)) = reader.feed(request.as_bytes()) else {
            panic!("incomplete")
        };
        let (mut scratch, mut tx) = (vec![0u8; 2048], vec![0u8; 8192]);
        let mut out = SliceSink::new(&mut tx);
        let handled = service
            .handle(&m, at, &mut ids, &mut scratch, &mut out)
            .unwrap();
        assert!(handled.status < 300, "{method} {path}: {handled:?}");
        let text = String::from_utf8(out.written().to_vec()).unwrap();
        service.tick(at);
        let before = deliverer.stats();
        let drained = confpart_std::delivery::drain(service, Some(deliverer));
        assert!(!drained.is_empty() || method == "DELETE");
        assert_eq!(deliverer.stats().dropped, before.dropped);
        submitted += drained.len();
        text
    };
    let created = send(
        &mut service,
        "POST",
        "room/Participants.json",
        &format!(
            "From=a&To=b&Label=agent&ConferenceStatusCallback={encoded_hook}\
             &ConferenceStatusCallbackEvent=start+end+join+leave+mute+hold+modify+speaker+announcement"
        ),
    );
    let sid = |key: &str| {
        let at = created.find(&format!("\"{key}\":\"")).unwrap() + key.len() + 4;
        created[at..at + 34].to_owned()
    };
    let (room, agent) = (sid("conference_sid"), sid("call_sid"));
    send(
        &mut service,
        "POST",
        &format!("{room}/Participants.json"),
        "From=a&To=c&Label=customer",
    );
    send(
        &mut service,
        "POST",
        &format!("{room}/Participants/{agent}.json"),
        "Muted=true",
    );
    send(
        &mut service,
        "POST",
        &format!("{room}/Participants/{agent}.json"),
        "Muted=false",
    );
    send(
        &mut service,
        "POST",
        &format!("{room}/Participants/{agent}.json"),
        "EndConferenceOnExit=true",
    );
    send(
        &mut service,
        "DELETE",
        &format!("{room}/Participants/{agent}.json"),
        "",
    );
    submitted
}

fn delivery() -> DeliveryConfig {
    let mut c = DeliveryConfig::new(TransportConfig::new().unwrap());
    c.workers = 2;
    c.policy.base = Duration::from_millis(10);
    c.policy.cap = Duration::from_millis(50);
    c
}

/// `confpart events` on `listener` with the key `token`, until `expected` callbacks came:
/// what it printed (stdout, stderr).
fn receive(
    listener: TcpListener,
    token: &'static str,
    expected: usize,
) -> std::thread::JoinHandle<(String, String)> {
    std::thread::spawn(move || {
        let opts = EventsOptions::new(Dialect::Twilio, Some(Secret::new(token)));
        let (mut out, mut err) = (Vec::new(), Vec::new());
        serve(&listener, &opts, &mut out, &mut err, Some(expected)).unwrap();
        (
            String::from_utf8(out).unwrap(),
            String::from_utf8(err).unwrap(),
        )
    })
}

#[test]
fn every_callback_arrives_signed_and_in_order() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let hook = format!("http://{}/events?site=1", listener.local_addr().unwrap());
    // join agent, start, join customer, mute, unmute, modify (EndConferenceOnExit), leave
    // agent, leave customer, end.
    const EXPECTED: usize = 9;
    let receiver = receive(listener, "token", EXPECTED);
    let deliverer = Deliverer::start(delivery());
    assert_eq!(scenario(&hook, &deliverer), EXPECTED);
    let stats = deliverer.finish();
    let (out, err) = receiver.join().unwrap();
    assert_eq!(err, "", "no callback refused");
    assert_eq!(
        stats,
        DeliveryStats {
            delivered: EXPECTED as u64,
            ..DeliveryStats::default()
        }
    );
    let events: Vec<(String, String)> = out
        .lines()
        .map(|l| {
            let mut words = l.split(' ');
            let seq = words.next().unwrap().to_owned();
            // "#n Day, dd Mon yyyy hh:mm:ss +0000 event ..."
            (seq, words.nth(6).unwrap().to_owned())
        })
        .collect();
    let expected: Vec<(String, String)> = [
        "participant-join",
        "conference-start",
        "participant-join",
        "participant-mute",
        "participant-unmute",
        "participant-modify",
        "participant-leave",
        "participant-leave",
        "conference-end",
    ]
    .iter()
    .enumerate()
    .map(|(i, e)| (format!("#{}", i + 1), (*e).to_owned()))
    .collect();
    assert_eq!(events, expected, "{out}");
    assert!(out.contains("ReasonParticipantLeft=participant_updated_via_api"));
    assert!(out.contains("ReasonConferenceEnded=participant-with-end-conference-on-exit-kicked"));
    assert!(!out.contains("signature not checked"));
}

#[test]
fn a_receiver_with_another_token_refuses_every_callback() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let hook = format!("http://{}/events", listener.local_addr().unwrap());
    const EXPECTED: usize = 9;
    let receiver = receive(listener, "another token", EXPECTED);
    let deliverer = Deliverer::start(delivery());
    assert_eq!(scenario(&hook, &deliverer), EXPECTED);
    let stats = deliverer.finish();
    let (out, err) = receiver.join().unwrap();
    assert_eq!(out, "");
    assert_eq!(
        err.lines()
            .filter(|l| l.contains("signature does not match"))
            .count(),
        EXPECTED
    );
    assert_eq!(
        (stats.failed, stats.retries, stats.delivered),
        (EXPECTED as u64, 0, 0)
    );
}
