//! What the `confpart` commands do once parsed: building the core's values from the flags,
//! calling the [`Client`], printing the result (text, or JSON with `--json`).
//!
//! `decode` always prints JSON (the service's snake_case names); `encode` prints the exact
//! request bytes, with the `Authorization` credentials replaced by `<redacted>` (`Basic
//! <redacted>`, Telnyx's `Bearer <redacted>`) unless `--show-auth` is given.
//!
//! Participants, list pages and error bodies are printed as JSON by the core's `serde`
//! feature, from the core's views of the answer (one serialization, the core's); only the
//! decoded update form, which the core does not serialize, is put together here.

use std::io::{Read, Write};
use std::path::Path;

use confpart::api::create::{Beep, Create};
use confpart::api::fields::Method;
use confpart::api::query::ListQuery;
use confpart::api::update::CoachTarget;
use confpart::api::update::Update;
use confpart::client::Operation;
use confpart::wire::ident::{CallSid, ParticipantRef};

use crate::cli::{CreateArgs, DecodeKind, GlobalArgs, ListArgs, MethodArg, Recipe, UpdateFields};
use crate::client::{Client, PageView, Participant};
use crate::config::{Dialect, Service};
use crate::error::{Error, ServiceError};
use crate::transport::{TransportConfig, Trust};

/// What `encode` prints in place of the credentials, after the scheme (`Basic`, `Bearer`).
pub const REDACTED: &str = "<redacted>";

fn method(m: Option<MethodArg>) -> Option<Method> {
    m.map(|m| match m {
        MethodArg::Get => Method::Get,
        MethodArg::Post => Method::Post,
    })
}

fn coach_target(s: &str) -> Result<CallSid, Error> {
    CallSid::parse(s).map_err(|e| Error::input(format_args!("--call-sid-to-coach: {e}")))
}

/// The client the global flags describe: the service of the environment, reached as the
/// network flags say.
fn client(g: &GlobalArgs) -> Result<Client, Error> {
    Client::with_network(Service::from_env(&g.overrides())?, &g.network.network())
}

/// The [`Update`] the flags describe: the `--recipe` first, then every explicit flag over it.
pub fn update_from(f: &UpdateFields) -> Result<Update<'_>, Error> {
    let target = || match &f.call_sid_to_coach {
        Some(s) => coach_target(s),
        None => Err(Error::input("this recipe needs --call-sid-to-coach")),
    };
    let mut u = match f.recipe {
        None => Update::new(),
        Some(Recipe::Mute) => Update::mute(),
        Some(Recipe::Unmute) => Update::unmute(),
        Some(Recipe::Hold) => match &f.hold_url {
            Some(url) => Update::hold_with_music(url),
            None => Update::new().hold(true),
        },
        Some(Recipe::Unhold) => Update::unhold(),
        Some(Recipe::Coach) => Update::coach(target()?),
        Some(Recipe::Monitor) => Update::monitor(target()?),
        Some(Recipe::Barge) => Update::barge(),
        Some(Recipe::Announce) => match &f.announce_url {
            Some(url) => Update::announce(url),
            None => return Err(Error::input("--recipe announce needs --announce-url")),
        },
    };
    u.muted = f.muted.or(u.muted);
    u.hold = f.hold.or(u.hold);
    u.hold_url = f.hold_url.as_deref().or(u.hold_url);
    u.hold_method = method(f.hold_method).or(u.hold_method);
    u.announce_url = f.announce_url.as_deref().or(u.announce_url);
    u.announce_method = method(f.announce_method).or(u.announce_method);
    u.wait_url = f.wait_url.as_deref().or(u.wait_url);
    u.wait_method = method(f.wait_method).or(u.wait_method);
    u.coaching = f.coaching.or(u.coaching);
    if let Some(s) = &f.call_sid_to_coach {
        u.call_sid_to_coach = Some(if s.is_empty() {
            CoachTarget::Clear
        } else {
            CoachTarget::Call(coach_target(s)?)
        });
    }
    u.beep_on_exit = f.beep_on_exit.or(u.beep_on_exit);
    u.end_conference_on_exit = f.end_conference_on_exit.or(u.end_conference_on_exit);
    Ok(u)
}

/// The [`Create`] the flags describe.
pub fn create_from(a: &CreateArgs) -> Result<Create<'_>, Error> {
    let mut c = Create::new(&a.from, &a.to);
    c.label = a.label.as_deref();
    c.muted = a.muted;
    c.coaching = a.coaching;
    c.call_sid_to_coach = a
        .call_sid_to_coach
        .as_deref()
        .map(coach_target)
        .transpose()?;
    c.start_conference_on_enter = a.start_conference_on_enter;
    c.end_conference_on_exit = a.end_conference_on_exit;
    // `--beep-on-exit false` keeps the beep on entering only.
    c.beep = a
        .beep_on_exit
        .map(|b| if b { Beep::True } else { Beep::OnEnter });
    c.wait_url = a.wait_url.as_deref();
    c.wait_method = method(a.wait_method);
    Ok(c)
}

/// The list query the flags describe.
pub fn list_query(a: &ListArgs) -> ListQuery<'static> {
    ListQuery {
        muted: a.muted,
        hold: a.hold,
        coaching: a.coaching,
        page_size: a.page_size,
        ..ListQuery::new()
    }
}

fn json_line<T: serde::Serialize + ?Sized>(out: &mut dyn Write, value: &T) -> Result<(), Error> {
    let text = json(value)?;
    writeln!(out, "{text}").map_err(write_error)
}

fn json<T: serde::Serialize + ?Sized>(value: &T) -> Result<String, Error> {
    serde_json::to_string(value).map_err(Error::input)
}

/// [`json`] with every object's keys in alphabetical order (through a `serde_json::Value`),
/// the order `decode error` and `list --all --json` have always printed.
fn json_sorted<T: serde::Serialize + ?Sized>(value: &T) -> Result<String, Error> {
    json(&serde_json::to_value(value).map_err(Error::input)?)
}

fn write_error(e: std::io::Error) -> Error {
    Error::Read {
        path: "<stdout>".into(),
        source: e,
    }
}

fn flag(name: &str, v: Option<bool>) -> String {
    v.map_or_else(String::new, |v| format!(" {name}={v}"))
}

/// One line for a participant: SID, label, status and the flags that are known.
pub fn participant_line(p: &Participant) -> String {
    let mut line = p.call_sid.clone().unwrap_or_else(|| "-".to_owned());
    if let Some(label) = &p.label {
        line.push_str(&format!(" label={label:?}"));
    }
    if let Some(status) = &p.status {
        line.push_str(&format!(" status={status}"));
    }
    line.push_str(&flag("muted", p.muted));
    line.push_str(&flag("hold", p.hold));
    line.push_str(&flag("coaching", p.coaching));
    if let Some(c) = &p.call_sid_to_coach {
        line.push_str(&format!(" coaching_sid={c}"));
    }
    line
}

/// The line printed for the participant `operation` answers with: its JSON (the core's
/// serialization of the view) or [`participant_line`].
fn participant_output(
    client: &mut Client,
    conference: &str,
    operation: Operation<'_>,
    as_json: bool,
) -> Result<String, Error> {
    client.with_participant(conference, operation, |p| {
        if as_json {
            json(p)
        } else {
            Ok(participant_line(&Participant::from(p)))
        }
    })?
}

/// `confpart update`.
pub fn update(
    g: &GlobalArgs,
    conference: &str,
    participant: &str,
    f: &UpdateFields,
    out: &mut dyn Write,
) -> Result<(), Error> {
    let u = update_from(f)?;
    let mut client = client(g)?;
    let who = ParticipantRef::parse(participant)?;
    let line = participant_output(&mut client, conference, Operation::update(&who, u), g.json)?;
    writeln!(out, "{line}").map_err(write_error)
}

/// `confpart fetch`.
pub fn fetch(
    g: &GlobalArgs,
    conference: &str,
    participant: &str,
    out: &mut dyn Write,
) -> Result<(), Error> {
    let mut client = client(g)?;
    let who = ParticipantRef::parse(participant)?;
    let line = participant_output(&mut client, conference, Operation::fetch(&who), g.json)?;
    writeln!(out, "{line}").map_err(write_error)
}

/// `confpart delete`.
pub fn delete(
    g: &GlobalArgs,
    conference: &str,
    participant: &str,
    out: &mut dyn Write,
) -> Result<(), Error> {
    let mut client = client(g)?;
    client.delete(conference, participant)?;
    if g.json {
        json_line(out, &serde_json::json!({ "deleted": participant }))
    } else {
        writeln!(out, "deleted {participant}").map_err(write_error)
    }
}

/// `confpart create`.
pub fn create(g: &GlobalArgs, a: &CreateArgs, out: &mut dyn Write) -> Result<(), Error> {
    let c = create_from(a)?;
    let service = Service::from_env(&g.overrides())?;
    if service.dialect == Dialect::SignalWire && g.base_url.is_none() {
        return Err(Error::input(
            "create: SignalWire's compatibility API has no participant create (it lists, \
             fetches, updates and deletes participants); dial a call whose cXML is \
             <Dial><Conference> instead, or give --base-url of a bridge that has it",
        ));
    }
    let mut client = Client::with_network(service, &g.network.network())?;
    let line = participant_output(
        &mut client,
        &a.conference,
        Operation::create(c.into()),
        g.json,
    )?;
    writeln!(out, "{line}").map_err(write_error)
}

/// The participants of every page, as `list --all --json` prints them.
#[derive(serde::Serialize)]
struct AllParticipants<'a> {
    participants: Vec<confpart::api::participant::Participant<'a>>,
}

/// `confpart list`: one page, or every page with `--all`.
pub fn list(g: &GlobalArgs, a: &ListArgs, out: &mut dyn Write) -> Result<(), Error> {
    let mut client = client(g)?;
    let query = list_query(a);
    if a.all {
        let docs = client
            .pages(&a.conference, query)
            .collect::<Result<Vec<_>, _>>()?;
        let mut participants = Vec::new();
        for doc in &docs {
            participants.extend(PageView::decode(doc).map_err(Error::input)?.participants);
        }
        if g.json {
            let text = json_sorted(&AllParticipants { participants })?;
            return writeln!(out, "{text}").map_err(write_error);
        }
        for p in &participants {
            writeln!(out, "{}", participant_line(&Participant::from(p))).map_err(write_error)?;
        }
        return Ok(());
    }
    let text = client.with_page(&a.conference, &query, |page| {
        if g.json {
            return json(page);
        }
        let mut text = String::new();
        for p in &page.participants {
            text.push_str(&participant_line(&Participant::from(p)));
            text.push('\n');
        }
        if let Some(next) = page.meta.next_page_uri {
            text.push_str(&format!("next page: {next}\n"));
        }
        Ok(text)
    })??;
    if g.json {
        writeln!(out, "{text}")
    } else {
        write!(out, "{text}")
    }
    .map_err(write_error)
}

/// Replaces the credentials of the `Authorization` header of request bytes (what follows
/// the scheme and its space: `Basic <redacted>`, `Bearer <redacted>`).
pub fn redact_authorization(request: &[u8]) -> Vec<u8> {
    const NAME: &[u8] = b"\r\nAuthorization: ";
    let Some(start) = request.windows(NAME.len()).position(|w| w == NAME) else {
        return request.to_vec();
    };
    let value = start + NAME.len();
    let end = request
        .get(value..)
        .and_then(|rest| rest.windows(2).position(|w| w == b"\r\n"))
        .map_or(request.len(), |n| value + n);
    // The scheme stays (it says which credentials were sent); a value without one is
    // redacted whole.
    let credentials = request
        .get(value..end)
        .and_then(|v| v.iter().position(|&b| b == b' '))
        .map_or(value, |space| value + space + 1);
    let mut out = request.get(..credentials).unwrap_or_default().to_vec();
    out.extend_from_slice(REDACTED.as_bytes());
    out.extend_from_slice(request.get(end..).unwrap_or_default());
    out
}

/// `confpart encode update|create`: the request bytes on `out`.
pub fn encode(
    g: &GlobalArgs,
    conference: &str,
    operation: Operation<'_>,
    show_auth: bool,
    out: &mut dyn Write,
) -> Result<(), Error> {
    // Nothing is sent: the bundled roots spare reading the platform's trust store.
    let transport = TransportConfig::with_trust(&Trust::WebPkiRoots)
        .map_err(|e| Error::input(format_args!("TLS configuration: {e}")))?;
    let client = Client::with_transport(Service::from_env(&g.overrides())?, transport);
    let bytes = client.encode(conference, operation)?;
    let bytes = if show_auth {
        bytes
    } else {
        redact_authorization(&bytes)
    };
    out.write_all(&bytes).map_err(write_error)?;
    out.flush().map_err(write_error)
}

/// `confpart encode update`.
pub fn encode_update(
    g: &GlobalArgs,
    conference: &str,
    participant: &str,
    f: &UpdateFields,
    show_auth: bool,
    out: &mut dyn Write,
) -> Result<(), Error> {
    let u = update_from(f)?;
    let who = ParticipantRef::parse(participant)?;
    encode(g, conference, Operation::update(&who, u), show_auth, out)
}

/// Reads a file, or standard input for `-`.
pub fn read_input(path: &Path) -> Result<Vec<u8>, Error> {
    let mut bytes = Vec::new();
    let result = if path.as_os_str() == "-" {
        std::io::stdin().read_to_end(&mut bytes).map(|_| ())
    } else {
        std::fs::File::open(path).and_then(|mut f| f.read_to_end(&mut bytes).map(|_| ()))
    };
    result.map_err(|source| Error::Read {
        path: path.to_owned(),
        source,
    })?;
    Ok(bytes)
}

/// The JSON `decode` prints for `bytes` of the given kind (one line; fields in the
/// service's order).
pub fn decode_json(kind: DecodeKind, bytes: &[u8]) -> Result<String, Error> {
    match kind {
        DecodeKind::Participant => {
            json(&confpart::api::participant::Participant::decode(bytes).map_err(Error::input)?)
        }
        DecodeKind::List => json(&PageView::decode(bytes).map_err(Error::input)?),
        DecodeKind::Error => {
            json_sorted(&confpart::api::error::ApiError::decode(bytes).map_err(Error::input)?)
        }
        DecodeKind::Form => {
            let mut scratch = vec![0u8; bytes.len()];
            // A body that starts with `{` is the JSON an SDK sends (Telnyx's Python and Go).
            let d = if bytes.trim_ascii_start().starts_with(b"{") {
                Update::decode_json(bytes, &mut scratch)
            } else {
                Update::decode(bytes, &mut scratch)
            }
            .map_err(Error::input)?;
            json(&update_json(&d.update, d.ignored.iter()))
        }
    }
}

fn update_json<'k>(u: &Update<'_>, ignored: impl Iterator<Item = &'k [u8]>) -> serde_json::Value {
    let mut m = serde_json::Map::new();
    let mut put = |k: &str, v: serde_json::Value| {
        m.insert(k.to_owned(), v);
    };
    let method = |m: Method| serde_json::Value::from(m.as_str());
    if let Some(v) = u.muted {
        put("muted", v.into());
    }
    if let Some(v) = u.hold {
        put("hold", v.into());
    }
    if let Some(v) = u.hold_url {
        put("hold_url", v.into());
    }
    if let Some(v) = u.hold_method {
        put("hold_method", method(v));
    }
    if let Some(v) = u.announce_url {
        put("announce_url", v.into());
    }
    if let Some(v) = u.announce_method {
        put("announce_method", method(v));
    }
    if let Some(v) = u.wait_url {
        put("wait_url", v.into());
    }
    if let Some(v) = u.wait_method {
        put("wait_method", method(v));
    }
    if let Some(v) = u.coaching {
        put("coaching", v.into());
    }
    if let Some(v) = u.call_sid_to_coach {
        put(
            "call_sid_to_coach",
            match v {
                CoachTarget::Clear => "".into(),
                CoachTarget::Call(sid) => sid.as_str().into(),
            },
        );
    }
    if let Some(v) = u.beep_on_exit {
        put("beep_on_exit", v.into());
    }
    if let Some(v) = u.end_conference_on_exit {
        put("end_conference_on_exit", v.into());
    }
    let ignored: Vec<serde_json::Value> = ignored
        .map(|k| String::from_utf8_lossy(k).into_owned().into())
        .collect();
    if !ignored.is_empty() {
        put("ignored_keys", ignored.into());
    }
    serde_json::Value::Object(m)
}

/// `confpart decode KIND [FILE|-]`.
pub fn decode(kind: DecodeKind, input: &Path, out: &mut dyn Write) -> Result<(), Error> {
    let bytes = read_input(input)?;
    let text = decode_json(kind, &bytes)?;
    writeln!(out, "{text}").map_err(write_error)
}

/// A one-line description of a service error (for the demo and text output).
pub fn service_error_line(e: &ServiceError) -> String {
    let mut s = format!("{}", e.status);
    if let Some(code) = e.code {
        s.push_str(&format!(" code {code}"));
    }
    if let Some(m) = &e.message {
        s.push_str(&format!(": {m}"));
    }
    s
}

#[cfg(test)]
mod tests {
    #![allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::panic
    )]
    use super::*;

    #[test]
    fn recipes_then_flags() {
        let f = UpdateFields {
            recipe: Some(Recipe::Monitor),
            call_sid_to_coach: Some("CAbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb".into()),
            muted: Some(false),
            ..UpdateFields::default()
        };
        let u = update_from(&f).unwrap();
        assert_eq!((u.muted, u.coaching), (Some(false), Some(true)));
        let f = UpdateFields {
            recipe: Some(Recipe::Coach),
            ..UpdateFields::default()
        };
        assert_eq!(update_from(&f).unwrap_err().exit_code(), 1);
        let f = UpdateFields {
            recipe: Some(Recipe::Hold),
            hold_url: Some("https://m.example/a.mp3".into()),
            ..UpdateFields::default()
        };
        let u = update_from(&f).unwrap();
        assert_eq!(
            (u.hold, u.hold_url),
            (Some(true), Some("https://m.example/a.mp3"))
        );
    }

    #[test]
    fn redaction_keeps_everything_else() {
        let r = b"POST / HTTP/1.1\r\nHost: h\r\nAuthorization: Basic QUM6dA==\r\nAccept: x\r\n\r\nMuted=true";
        let red = redact_authorization(r);
        assert_eq!(
            red,
            b"POST / HTTP/1.1\r\nHost: h\r\nAuthorization: Basic <redacted>\r\nAccept: x\r\n\r\nMuted=true"
        );
        let r = b"GET /v2/texml/x HTTP/1.1\r\nAuthorization: Bearer KEY01_secret\r\n\r\n";
        assert_eq!(
            redact_authorization(r),
            b"GET /v2/texml/x HTTP/1.1\r\nAuthorization: Bearer <redacted>\r\n\r\n"
        );
        // No scheme: all of it.
        let r = b"GET / HTTP/1.1\r\nAuthorization: secret\r\n\r\n";
        assert_eq!(
            redact_authorization(r),
            b"GET / HTTP/1.1\r\nAuthorization: <redacted>\r\n\r\n"
        );
    }

    #[test]
    fn decode_kinds() {
        let p = decode_json(
            DecodeKind::Participant,
            br#"{"call_sid": "CAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "label": "a\u0020b", "muted": true}"#,
        )
        .unwrap();
        assert!(p.starts_with(r#"{"account_sid":null,"call_sid":"CAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","label":"a b""#), "{p}");
        let e = decode_json(DecodeKind::Error, br#"{"errors": ["bad"]}"#).unwrap();
        assert!(e.contains(r#""shape":"signalwire_messages""#), "{e}");
        let f = decode_json(DecodeKind::Form, b"Hold=true&HoldUrl=a+b&X=1").unwrap();
        assert_eq!(f, r#"{"hold":true,"hold_url":"a b","ignored_keys":["X"]}"#);
        let bad = decode_json(DecodeKind::List, b"{}").unwrap_err();
        assert_eq!(bad.exit_code(), 1);
        assert!(decode_json(DecodeKind::Form, b"Muted=maybe").is_err());
        let j = decode_json(
            DecodeKind::Form,
            br#" {"Hold": true, "HoldUrl": "a b", "X": 1}"#,
        );
        assert_eq!(
            j.unwrap(),
            r#"{"hold":true,"hold_url":"a b","ignored_keys":["X"]}"#
        );
        assert!(decode_json(DecodeKind::Form, br#"{"Muted": 1}"#).is_err());
    }
}
