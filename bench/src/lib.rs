//! The std baselines the benchmarks compare `confpart` against: what a std
//! Rust user would write without it (owned `String`s, `serde_json`,
//! `serde_urlencoded`, `format!`).

use serde::{Deserialize, Serialize};

/// The participant resource as a std user would model it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct StdParticipant {
    /// `account_sid`
    pub account_sid: Option<String>,
    /// `call_sid`
    pub call_sid: Option<String>,
    /// `label`
    pub label: Option<String>,
    /// `conference_sid`
    pub conference_sid: Option<String>,
    /// `date_created`
    pub date_created: Option<String>,
    /// `date_updated`
    pub date_updated: Option<String>,
    /// `end_conference_on_exit`
    pub end_conference_on_exit: Option<bool>,
    /// `muted`
    pub muted: Option<bool>,
    /// `hold`
    pub hold: Option<bool>,
    /// `status`
    pub status: Option<String>,
    /// `start_conference_on_enter`
    pub start_conference_on_enter: Option<bool>,
    /// `coaching`
    pub coaching: Option<bool>,
    /// `call_sid_to_coach`
    pub call_sid_to_coach: Option<String>,
    /// `queue_time`
    pub queue_time: Option<String>,
    /// `uri`
    pub uri: Option<String>,
}

/// The Update form as a std user would model it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct StdUpdate {
    /// `Muted`
    #[serde(skip_serializing_if = "Option::is_none")]
    pub muted: Option<bool>,
    /// `Hold`
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hold: Option<bool>,
    /// `HoldUrl`
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hold_url: Option<String>,
    /// `HoldMethod`
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hold_method: Option<String>,
    /// `AnnounceUrl`
    #[serde(skip_serializing_if = "Option::is_none")]
    pub announce_url: Option<String>,
    /// `AnnounceMethod`
    #[serde(skip_serializing_if = "Option::is_none")]
    pub announce_method: Option<String>,
    /// `WaitUrl`
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wait_url: Option<String>,
    /// `WaitMethod`
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wait_method: Option<String>,
    /// `Coaching`
    #[serde(skip_serializing_if = "Option::is_none")]
    pub coaching: Option<bool>,
    /// `CallSidToCoach`
    #[serde(skip_serializing_if = "Option::is_none")]
    pub call_sid_to_coach: Option<String>,
    /// `BeepOnExit`
    #[serde(skip_serializing_if = "Option::is_none")]
    pub beep_on_exit: Option<bool>,
    /// `EndConferenceOnExit`
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_conference_on_exit: Option<bool>,
}

/// A full 12-field update, as the benchmarks send it.
pub fn full_std_update() -> StdUpdate {
    StdUpdate {
        muted: Some(true),
        hold: Some(true),
        hold_url: Some(
            "https://music.example.com/hold/ambient_loop.mp3?loop=true&volume=0.8".into(),
        ),
        hold_method: Some("GET".into()),
        announce_url: Some("https://hooks.example.com/announce?lang=en-US".into()),
        announce_method: Some("POST".into()),
        wait_url: Some("https://music.example.com/wait.xml".into()),
        wait_method: Some("POST".into()),
        coaching: Some(true),
        call_sid_to_coach: Some("CAbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb".into()),
        beep_on_exit: Some(false),
        end_conference_on_exit: Some(false),
    }
}

/// Account SID of the benchmark scenario.
pub const AC: &str = "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
/// Conference SID of the benchmark scenario.
pub const CF: &str = "CFaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
/// The updated participant.
pub const CA: &str = "CAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
/// The coached participant.
pub const CB: &str = "CAbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
/// The auth token of the scenario.
pub const TOKEN: &str = "0123456789abcdef0123456789abcdef";

/// The `User-Agent` the std baseline sends (same length as confpart's).
pub const STD_USER_AGENT: &str = "confpart/0.1.0 (x86_64-linux)";

/// What a std user writes to send the update: `format!` head,
/// `serde_urlencoded` body, `base64` credentials, all into one `String`.
pub fn std_request(update: &StdUpdate, ac: &str, cf: &str, call: &str, token: &str) -> String {
    use base64::Engine as _;
    let body = serde_urlencoded::to_string(update).unwrap_or_default();
    let auth = base64::engine::general_purpose::STANDARD.encode(format!("{ac}:{token}"));
    let mut s = format!(
        "POST /2010-04-01/Accounts/{ac}/Conferences/{cf}/Participants/{call}.json HTTP/1.1\r\n\
         Host: api.twilio.com\r\n\
         Authorization: Basic {auth}\r\n\
         User-Agent: {STD_USER_AGENT}\r\n\
         Accept: application/json\r\n\
         Content-Type: application/x-www-form-urlencoded\r\n\
         Content-Length: {}\r\n\
         Connection: keep-alive\r\n\r\n",
        body.len()
    );
    s.push_str(&body);
    s
}

/// The bridge's state as a std user would keep it.
#[derive(Debug, Clone, Default)]
pub struct StdBridge {
    /// Account SID expected in the path and the credentials.
    pub account: String,
    /// Conference SID expected in the path.
    pub conference: String,
    /// Auth token.
    pub token: String,
    /// Participants by call SID.
    pub participants: std::collections::HashMap<String, StdParticipant>,
}

/// Why the std bridge refused a request (the baseline only needs a reason).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StdBridgeError {
    /// Not a complete, parseable HTTP request.
    Http,
    /// Not a participant path of this conference.
    NotFound,
    /// Not POST.
    Method,
    /// Credentials missing or wrong.
    Unauthorized,
    /// Body not a valid update form.
    Form,
}

impl StdBridge {
    /// One request → one response, written the std way: `httparse`,
    /// `split('/')`, `base64` + `String`, `serde_urlencoded` into owned
    /// strings, a `HashMap` of owned participants, `serde_json::to_vec` and
    /// a `format!` head.
    pub fn handle(&mut self, req: &[u8], now: &str) -> Result<Vec<u8>, StdBridgeError> {
        use base64::Engine as _;
        let mut headers = [httparse::EMPTY_HEADER; 32];
        let mut r = httparse::Request::new(&mut headers);
        let head_len = match r.parse(req) {
            Ok(httparse::Status::Complete(n)) => n,
            _ => return Err(StdBridgeError::Http),
        };
        let mut content_length = 0usize;
        let mut auth: Option<&[u8]> = None;
        for h in r.headers.iter() {
            if h.name.eq_ignore_ascii_case("content-length") {
                content_length = std::str::from_utf8(h.value)
                    .ok()
                    .and_then(|v| v.parse().ok())
                    .ok_or(StdBridgeError::Http)?;
            } else if h.name.eq_ignore_ascii_case("authorization") {
                auth = Some(h.value);
            }
        }
        let body = req
            .get(head_len..head_len + content_length)
            .ok_or(StdBridgeError::Http)?;
        let path = r.path.ok_or(StdBridgeError::Http)?;
        let segs: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        let call = match segs.as_slice() {
            [
                "2010-04-01",
                "Accounts",
                ac,
                "Conferences",
                cf,
                "Participants",
                who,
            ] if *ac == self.account && *cf == self.conference => {
                who.strip_suffix(".json").ok_or(StdBridgeError::NotFound)?
            }
            _ => return Err(StdBridgeError::NotFound),
        };
        if r.method != Some("POST") {
            return Err(StdBridgeError::Method);
        }
        let encoded = auth
            .and_then(|a| a.strip_prefix(b"Basic "))
            .ok_or(StdBridgeError::Unauthorized)?;
        let creds = base64::engine::general_purpose::STANDARD
            .decode(encoded)
            .ok()
            .and_then(|d| String::from_utf8(d).ok())
            .ok_or(StdBridgeError::Unauthorized)?;
        match creds.split_once(':') {
            Some((u, p)) if u == self.account && p == self.token => {}
            _ => return Err(StdBridgeError::Unauthorized),
        }
        let update: StdUpdate =
            serde_urlencoded::from_bytes(body).map_err(|_| StdBridgeError::Form)?;
        let p = self
            .participants
            .get_mut(call)
            .ok_or(StdBridgeError::NotFound)?;
        let before = p.clone();
        if let Some(v) = update.muted {
            p.muted = Some(v);
        }
        if let Some(v) = update.hold {
            p.hold = Some(v);
        }
        if let Some(v) = update.coaching {
            p.coaching = Some(v);
        }
        if let Some(v) = update.call_sid_to_coach {
            p.call_sid_to_coach = Some(v);
        }
        if let Some(v) = update.end_conference_on_exit {
            p.end_conference_on_exit = Some(v);
        }
        if *p != before {
            p.date_updated = Some(now.to_string());
        }
        let json = serde_json::to_vec(&*p).map_err(|_| StdBridgeError::Http)?;
        let mut out = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=utf-8\r\n\
             Content-Length: {}\r\nConnection: keep-alive\r\n\r\n",
            json.len()
        )
        .into_bytes();
        out.extend_from_slice(&json);
        Ok(out)
    }
}

/// A realistic Twilio answer: the status line, the ~20 headers Twilio
/// sends (CORS, HSTS, request id, CDN), `Content-Length` and `body`.
pub fn twilio_response(body: &[u8]) -> Vec<u8> {
    let mut m = b"HTTP/1.1 200 OK\r\n".to_vec();
    for h in [
        "Date: Tue, 26 Nov 2024 18:12:00 GMT",
        "Content-Type: application/json; charset=utf-8",
        "Connection: keep-alive",
        "Twilio-Concurrent-Requests: 1",
        "Twilio-Request-Id: RQ0123456789abcdef0123456789abcdef",
        "Twilio-Request-Duration: 0.046",
        "X-Home-Region: us1",
        "X-API-Domain: api.twilio.com",
        "Strict-Transport-Security: max-age=31536000",
        "Access-Control-Allow-Origin: *",
        "Access-Control-Allow-Headers: Accept, Authorization, Content-Type, If-Match, If-Modified-Since, If-None-Match, If-Unmodified-Since, Idempotency-Key",
        "Access-Control-Allow-Methods: GET, POST, DELETE, OPTIONS",
        "Access-Control-Expose-Headers: ETag",
        "Access-Control-Allow-Credentials: true",
        "X-Powered-By: AT-5000",
        "X-Shenanigans: none",
        "Vary: Origin",
        "X-Cache: Miss from cloudfront",
        "Via: 1.1 0123456789abcdef.cloudfront.net (CloudFront)",
        "X-Amz-Cf-Pop: FRA56-P1",
        "X-Amz-Cf-Id: AbCdEfGhIjKlMnOpQrStUvWxYz0123456789==",
    ] {
        m.extend_from_slice(h.as_bytes());
        m.extend_from_slice(b"\r\n");
    }
    m.extend_from_slice(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes());
    m.extend_from_slice(body);
    m
}

/// Reads a response the std way: `httparse` for the head, the
/// `Content-Length` value parsed from a `str`, the body sliced out.
pub fn std_response_read(resp: &[u8]) -> Option<(u16, &[u8])> {
    let mut headers = [httparse::EMPTY_HEADER; 32];
    let mut r = httparse::Response::new(&mut headers);
    let head_len = match r.parse(resp) {
        Ok(httparse::Status::Complete(n)) => n,
        _ => return None,
    };
    let mut len = 0usize;
    for h in r.headers.iter() {
        if h.name.eq_ignore_ascii_case("content-length") {
            len = std::str::from_utf8(h.value).ok()?.parse().ok()?;
        }
    }
    Some((r.code?, resp.get(head_len..head_len + len)?))
}

/// The confpart side of the scenarios, shared by the benchmarks and the
/// profiling example (`cargo run --release -p confpart-bench --example profile`).
pub mod scenario {
    use confpart::api::fields::Method;
    use confpart::api::operation::OperationKind;
    use confpart::api::path::{Dialect, Endpoint, ParticipantPath, PathStyle};
    use confpart::api::update::{CoachTarget, Update};
    use confpart::bridge;
    use confpart::bridge::{Conference, Join, Lifecycle};
    use confpart::bridge::{check_basic, route};
    use confpart::client::ResponseReader;
    use confpart::client::{Credentials, Operation, Request};
    use confpart::wire::date::Timestamp;
    use confpart::wire::http::{Connection, Progress, RequestReader};
    use confpart::wire::ident::{AccountSid, CallSid, ConferenceSid, ParticipantRef};
    use confpart::wire::sink::SliceSink;

    use super::{AC, CA, CB, CF, TOKEN};

    /// The full 12-field update (the same values as [`super::full_std_update`]).
    pub fn full_update() -> Update<'static> {
        Update::new()
            .muted(true)
            .hold(true)
            .hold_url("https://music.example.com/hold/ambient_loop.mp3?loop=true&volume=0.8")
            .hold_method(Method::Get)
            .announce_url("https://hooks.example.com/announce?lang=en-US")
            .announce_method(Method::Post)
            .wait_url("https://music.example.com/wait.xml")
            .wait_method(Method::Post)
            .coaching(true)
            .call_sid_to_coach(CoachTarget::Call(
                CallSid::parse(CB).unwrap_or_else(|_| unreachable!()),
            ))
            .beep_on_exit(false)
            .end_conference_on_exit(false)
    }

    /// The participant path of the update.
    pub fn path() -> ParticipantPath {
        ParticipantPath {
            style: PathStyle::Twilio,
            account: AccountSid::parse(AC).unwrap_or_else(|_| unreachable!()),
            conference: ConferenceSid::parse(CF).unwrap_or_else(|_| unreachable!()),
            participant: Some(ParticipantRef::Call(
                CallSid::parse(CA).unwrap_or_else(|_| unreachable!()),
            )),
        }
    }

    /// The whole Update request (head and form body) the client writes.
    pub fn request<'a>(path: &'a ParticipantPath, update: Update<'a>) -> Request<'a> {
        let who = path.participant.as_ref().unwrap_or_else(|| unreachable!());
        Request::new(
            Endpoint::twilio(),
            Credentials::new(AC, TOKEN).unwrap_or_else(|_| unreachable!()),
            path.account,
            path.conference,
            Operation::update(who, update),
        )
    }

    /// A Twilio conference with two connected participants (`CA`, `CB`).
    pub fn conference() -> Conference<4> {
        let now = Timestamp::from_unix(1_700_000_000).unwrap_or_else(|| unreachable!());
        let mut c = Conference::new(
            AccountSid::parse(AC).unwrap_or_else(|_| unreachable!()),
            ConferenceSid::parse(CF).unwrap_or_else(|_| unreachable!()),
            Dialect::Twilio,
        );
        for call in [CA, CB] {
            let sid = CallSid::parse(call).unwrap_or_else(|_| unreachable!());
            let _ = c.join(Join::new(sid).status(Lifecycle::Connected), now);
        }
        let _ = c.start();
        c
    }

    /// Buffers of the bridge (reused between requests).
    pub struct BridgeBuffers {
        /// Request head and body.
        pub request: [u8; 2048],
        /// Decoded form values that had escapes.
        pub scratch: [u8; 512],
    }

    impl Default for BridgeBuffers {
        fn default() -> Self {
            Self {
                request: [0; 2048],
                scratch: [0; 512],
            }
        }
    }

    /// The bridge round trip: read the request, route, check Basic auth,
    /// decode the form, apply it, write the participant response into
    /// `out`. On a refusal, the step that refused (the benchmark only sends
    /// good requests).
    pub fn bridge(
        conf: &mut Conference<4>,
        bufs: &mut BridgeBuffers,
        req: &[u8],
        out: &mut [u8],
        now: Timestamp,
    ) -> Result<usize, &'static str> {
        let mut reader = RequestReader::new(&mut bufs.request);
        let Progress::Complete(head) = reader.feed(req).map_err(|_| "framing")? else {
            return Err("incomplete");
        };
        let rt = route(head.method(), head.path()).map_err(|_| "route")?;
        if rt.path.account != *conf.account() || rt.path.conference != *conf.sid() {
            return Err("conference");
        }
        check_basic(head.authorization(), rt.path.account.as_str(), TOKEN).map_err(|_| "auth")?;
        let decoded = Update::decode(head.body(), &mut bufs.scratch).map_err(|_| "form")?;
        let who = rt.path.participant.as_ref().ok_or("collection")?;
        let outcome = conf.apply(who, &decoded.update, now).map_err(|_| "apply")?;
        let p = conf
            .resource(&outcome.state.call_sid, rt.path.style)
            .ok_or("resource")?;
        let mut sink = SliceSink::new(out);
        bridge::write_participant(&mut sink, 200, &p, Connection::KeepAlive)
            .map_err(|_| "write")?;
        Ok(sink.len())
    }

    /// The client's read of a response: `ResponseReader` over `resp` (head
    /// and body at once) into `buf`; the status and the body length.
    pub fn response_read(buf: &mut [u8], resp: &[u8]) -> Result<(u16, usize), &'static str> {
        let mut reader = ResponseReader::new(buf, OperationKind::Update);
        let Progress::Complete(m) = reader.feed(resp).map_err(|_| "framing")? else {
            return Err("incomplete");
        };
        Ok((m.status(), m.body().len()))
    }
}
