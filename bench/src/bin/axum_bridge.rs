//! The throughput peer of `confpart serve`: the participant bridge a Rust user would write
//! without confpart, with axum (hyper underneath), `serde_urlencoded` for the form,
//! `serde_json` for the answer and a `Mutex<HashMap>` of participants. It applies the same
//! Update rules as the core's bridge (booleans, http(s) URLs, `GET`/`POST` methods, a call
//! SID to coach, coaching needs a target that is another participant of the same conference
//! and not on hold) and answers the same participant JSON and Twilio error bodies.
//! `scripts/bridge-bench` runs it beside `confpart serve` under the same load.
//!
//! ```text
//! axum_bridge --listen 127.0.0.1:8081 --account AC… --token T --participants FILE [--workers N]
//! ```
//!
//! `FILE` holds one participant a line, `CONFERENCE_SID CALL_SID` (the load tool `phones
//! setup` writes it from the confpart bridge's own participants, so both serve the same
//! set).
#![allow(missing_docs)]

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use base64::Engine as _;
use serde::{Deserialize, Serialize};

/// A participant, as the JSON answer shows it.
#[derive(Debug, Clone, Serialize)]
struct Participant {
    account_sid: String,
    call_sid: String,
    label: Option<String>,
    conference_sid: String,
    date_created: String,
    date_updated: String,
    end_conference_on_exit: bool,
    muted: bool,
    hold: bool,
    status: &'static str,
    start_conference_on_enter: bool,
    coaching: bool,
    call_sid_to_coach: Option<String>,
    queue_time: Option<String>,
    uri: String,
    #[serde(skip)]
    hold_url: Option<String>,
    #[serde(skip)]
    announce_url: Option<String>,
    #[serde(skip)]
    wait_url: Option<String>,
    #[serde(skip)]
    beep_on_exit: bool,
}

/// The Update form: every field optional, unknown keys ignored (as Twilio does).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct UpdateForm {
    muted: Option<String>,
    hold: Option<String>,
    hold_url: Option<String>,
    hold_method: Option<String>,
    announce_url: Option<String>,
    announce_method: Option<String>,
    wait_url: Option<String>,
    wait_method: Option<String>,
    coaching: Option<String>,
    call_sid_to_coach: Option<String>,
    beep_on_exit: Option<String>,
    end_conference_on_exit: Option<String>,
}

#[derive(Serialize)]
struct TwilioError {
    code: u32,
    message: &'static str,
    more_info: String,
    status: u16,
}

fn error(status: StatusCode, code: u32, message: &'static str) -> Response {
    let body = TwilioError {
        code,
        message,
        more_info: format!("https://www.twilio.com/docs/errors/{code}"),
        status: status.as_u16(),
    };
    let json = serde_json::to_vec(&body).unwrap_or_default();
    (
        status,
        [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
        json,
    )
        .into_response()
}

struct App {
    account: String,
    token: String,
    participants: Mutex<HashMap<String, Participant>>,
}

fn parse_bool(v: &str) -> Option<bool> {
    if v.eq_ignore_ascii_case("true") {
        Some(true)
    } else if v.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

fn valid_url(v: &str) -> bool {
    let lower = v.get(..8).map(str::to_ascii_lowercase).unwrap_or_default();
    let rest = if lower.starts_with("https://") {
        &v[8..]
    } else if lower.starts_with("http://") {
        &v[7..]
    } else {
        return false;
    };
    !rest.is_empty() && !rest.starts_with('/') && v.bytes().all(|b| b > 0x20 && b != 0x7f)
}

fn valid_method(v: &str) -> bool {
    v.eq_ignore_ascii_case("GET") || v.eq_ignore_ascii_case("POST")
}

fn valid_call_sid(v: &str) -> bool {
    v.len() == 34 && v.starts_with("CA") && v[2..].bytes().all(|b| b.is_ascii_hexdigit())
}

fn now_rfc2822() -> String {
    httpdate::fmt_http_date(SystemTime::now()).replace(" GMT", " +0000")
}

/// The form's fields checked and typed; `None` for an invalid one (400 / 20001).
struct Checked {
    muted: Option<bool>,
    hold: Option<bool>,
    coaching: Option<bool>,
    target: Option<String>,
    beep_on_exit: Option<bool>,
    end_conference_on_exit: Option<bool>,
}

fn check(form: &UpdateForm) -> Option<Checked> {
    let boolean = |v: &Option<String>| -> Option<Option<bool>> {
        match v {
            None => Some(None),
            Some(v) => parse_bool(v).map(Some),
        }
    };
    for url in [&form.hold_url, &form.announce_url].into_iter().flatten() {
        if !valid_url(url) {
            return None;
        }
    }
    if let Some(url) = &form.wait_url
        && !url.is_empty()
        && !valid_url(url)
    {
        return None;
    }
    for method in [&form.hold_method, &form.announce_method, &form.wait_method]
        .into_iter()
        .flatten()
    {
        if !valid_method(method) {
            return None;
        }
    }
    let target = match form.call_sid_to_coach.as_deref() {
        None | Some("") => None,
        Some(sid) if valid_call_sid(sid) => Some(sid.to_owned()),
        Some(_) => return None,
    };
    Some(Checked {
        muted: boolean(&form.muted)?,
        hold: boolean(&form.hold)?,
        coaching: boolean(&form.coaching)?,
        target,
        beep_on_exit: boolean(&form.beep_on_exit)?,
        end_conference_on_exit: boolean(&form.end_conference_on_exit)?,
    })
}

fn authorized(app: &App, headers: &HeaderMap) -> bool {
    let Some(encoded) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.as_bytes().strip_prefix(b"Basic "))
    else {
        return false;
    };
    let Ok(decoded) = base64::engine::general_purpose::STANDARD.decode(encoded) else {
        return false;
    };
    let Ok(creds) = String::from_utf8(decoded) else {
        return false;
    };
    matches!(creds.split_once(':'), Some((u, p)) if u == app.account && p == app.token)
}

async fn update(
    State(app): State<Arc<App>>,
    Path((account, conference, who)): Path<(String, String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if !authorized(&app, &headers) || account != app.account {
        return error(
            StatusCode::UNAUTHORIZED,
            20003,
            "Authentication Error - invalid username",
        );
    }
    let Some(call) = who.strip_suffix(".json") else {
        return error(
            StatusCode::NOT_FOUND,
            20404,
            "The requested resource was not found",
        );
    };
    let Ok(form) = serde_urlencoded::from_bytes::<UpdateForm>(&body) else {
        return error(StatusCode::BAD_REQUEST, 20001, "Invalid form parameter");
    };
    let Some(u) = check(&form) else {
        return error(StatusCode::BAD_REQUEST, 20001, "Invalid form parameter");
    };
    let mut participants = app
        .participants
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let Some(p) = participants
        .get(call)
        .filter(|p| p.conference_sid == conference)
    else {
        return error(
            StatusCode::NOT_FOUND,
            20404,
            "The requested resource was not found",
        );
    };
    let coaching = match (u.coaching, &u.target) {
        (Some(false), Some(_)) => {
            return error(StatusCode::BAD_REQUEST, 20001, "Invalid request parameters");
        }
        (Some(false), None) => false,
        (_, Some(_)) => true,
        (Some(true), None) if p.call_sid_to_coach.is_none() => {
            return error(StatusCode::BAD_REQUEST, 20001, "Invalid request parameters");
        }
        (Some(true), None) => true,
        (None, None) => p.coaching,
    };
    if let Some(target) = &u.target {
        if target == call {
            return error(StatusCode::BAD_REQUEST, 20001, "Invalid request parameters");
        }
        match participants.get(target.as_str()) {
            Some(t) if t.conference_sid != conference => {
                return error(
                    StatusCode::BAD_REQUEST,
                    16028,
                    "The participant to coach is not in this conference",
                );
            }
            None => {
                return error(
                    StatusCode::BAD_REQUEST,
                    16028,
                    "The participant to coach is not in this conference",
                );
            }
            Some(t) if t.hold => {
                return error(
                    StatusCode::BAD_REQUEST,
                    16027,
                    "The participant to coach is on hold",
                );
            }
            Some(_) => {}
        }
    }
    let Some(p) = participants.get_mut(call) else {
        return error(
            StatusCode::NOT_FOUND,
            20404,
            "The requested resource was not found",
        );
    };
    if let Some(v) = u.muted {
        p.muted = v;
    }
    if let Some(v) = u.hold {
        p.hold = v;
    }
    if let Some(v) = u.beep_on_exit {
        p.beep_on_exit = v;
    }
    if let Some(v) = u.end_conference_on_exit {
        p.end_conference_on_exit = v;
    }
    p.hold_url = form.hold_url.or(p.hold_url.take());
    p.announce_url = form.announce_url.or(p.announce_url.take());
    p.wait_url = form.wait_url.or(p.wait_url.take());
    p.coaching = coaching;
    p.call_sid_to_coach = if coaching {
        u.target.or(p.call_sid_to_coach.take())
    } else {
        None
    };
    p.date_updated = now_rfc2822();
    let json = serde_json::to_vec(&*p).unwrap_or_default();
    drop(participants);
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
        json,
    )
        .into_response()
}

struct Args {
    listen: SocketAddr,
    account: String,
    token: String,
    participants: String,
    workers: Option<usize>,
}

fn args() -> Result<Args, String> {
    let mut listen = None;
    let mut account = None;
    let mut token = None;
    let mut participants = None;
    let mut workers = None;
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().ok_or(format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--listen" => listen = Some(value.parse().map_err(|e| format!("--listen: {e}"))?),
            "--account" => account = Some(value),
            "--token" => token = Some(value),
            "--participants" => participants = Some(value),
            "--workers" => workers = Some(value.parse().map_err(|e| format!("--workers: {e}"))?),
            _ => return Err(format!("unknown flag {flag}")),
        }
    }
    Ok(Args {
        listen: listen.ok_or("--listen is required")?,
        account: account.ok_or("--account is required")?,
        token: token.ok_or("--token is required")?,
        participants: participants.ok_or("--participants is required")?,
        workers,
    })
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = args()?;
    let now = now_rfc2822();
    let mut participants = HashMap::new();
    for line in std::fs::read_to_string(&args.participants)?.lines() {
        let Some((cf, ca)) = line.split_once(' ') else {
            continue;
        };
        participants.insert(
            ca.to_owned(),
            Participant {
                account_sid: args.account.clone(),
                call_sid: ca.to_owned(),
                label: None,
                conference_sid: cf.to_owned(),
                date_created: now.clone(),
                date_updated: now.clone(),
                end_conference_on_exit: false,
                muted: false,
                hold: false,
                status: "connected",
                start_conference_on_enter: true,
                coaching: false,
                call_sid_to_coach: None,
                queue_time: None,
                uri: format!(
                    "/2010-04-01/Accounts/{}/Conferences/{cf}/Participants/{ca}.json",
                    args.account
                ),
                hold_url: None,
                announce_url: None,
                wait_url: None,
                beep_on_exit: false,
            },
        );
    }
    let app = Arc::new(App {
        account: args.account,
        token: args.token,
        participants: Mutex::new(participants),
    });
    let router = Router::new()
        .route(
            "/2010-04-01/Accounts/{account}/Conferences/{conference}/Participants/{who}",
            post(update),
        )
        .with_state(app);
    let mut runtime = tokio::runtime::Builder::new_multi_thread();
    if let Some(n) = args.workers {
        runtime.worker_threads(n);
    }
    runtime.enable_all().build()?.block_on(async move {
        use axum::serve::{Listener as _, ListenerExt as _};
        let listener = tokio::net::TcpListener::bind(args.listen)
            .await?
            .tap_io(|tcp| {
                let _ = tcp.set_nodelay(true);
            });
        println!("listening on http://{}", listener.local_addr()?);
        axum::serve(listener, router).await
    })?;
    Ok(())
}
