//! What `confpart events` does: a receiver of conference status callbacks that checks each
//! one's signature and prints one line (or one JSON object) per event, the tool a developer
//! points a bridge (or the real service) at to watch what it sends.
//!
//! One connection at a time on a plain accept loop: the core's `RequestReader` frames each
//! request, `confpart::api::signature` checks it, `confpart::api::callback` decodes it. A
//! callback signed with another key (or not signed while `--token` is given) is answered
//! `403` and reported on stderr; one that is not a callback form, `400`. Each answer closes
//! the connection (`Connection: close`), so nothing is shared between requests.
//!
//! The URL a signature covers is the one the sender requested: `--public-url` (scheme and
//! authority, for a receiver behind a tunnel or proxy) or `http://` + `Host`, then the
//! request target (path and query). The validator also tries it with its port toggled, as
//! the SDKs do.
//!
//! Telnyx (`--public-key`, or `TELNYX_PUBLIC_KEY` with `--dialect telnyx`) signs no URL: the
//! Ed25519 signature in `telnyx-signature-ed25519` covers `telnyx-timestamp`, `|` and the
//! body (a `GET`'s query), and a timestamp more than 300 s from this machine's clock is
//! refused, as the Telnyx SDKs refuse it.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::time::Duration;

use confpart::api::callback::{Callback, DecodedCallback, Field};
use confpart::api::path::Dialect;
use confpart::api::signature::{
    self, Ed25519PublicKey, Scheme, SignatureError, TELNYX_SIGNATURE_HEADER,
    TELNYX_TIMESTAMP_HEADER,
};
use confpart::wire::date::RFC2822_LEN;
use confpart::wire::http::{Progress, RequestReader};

use crate::config::Secret;
use crate::error::Error;

/// Largest request the receiver reads (head and body): callbacks are a few hundred bytes.
pub const MAX_REQUEST_LEN: usize = 64 * 1024;
/// How long one connection may take to send its request.
pub const READ_TIMEOUT: Duration = Duration::from_secs(10);

/// How the receiver checks and prints.
#[derive(Debug, Clone)]
pub struct EventsOptions {
    /// The key callbacks are signed with (auth token, or SignalWire signing key); `None`:
    /// nothing is checked and every line says so.
    pub token: Option<Secret>,
    /// Whose signing rules and header apply.
    pub scheme: Scheme,
    /// Telnyx: the account's public key; callbacks are checked with it (Ed25519) instead of
    /// with `token`.
    pub public_key: Option<Ed25519PublicKey>,
    /// Scheme and authority the sender used (`https://hooks.example.com`); `None`:
    /// `http://` + the `Host` header.
    pub public_url: Option<String>,
    /// One JSON object per line instead of text.
    pub json: bool,
}

impl EventsOptions {
    /// Options for `dialect`'s scheme, printing text, checking with `token`.
    pub fn new(dialect: Dialect, token: Option<Secret>) -> Self {
        Self {
            token,
            scheme: Scheme::of(dialect),
            public_key: None,
            public_url: None,
            json: false,
        }
    }
}

/// `confpart events --listen ADDR`: binds and receives until killed.
pub fn run(listen: SocketAddr, opts: &EventsOptions, out: &mut dyn Write) -> Result<(), Error> {
    let listener = TcpListener::bind(listen).map_err(Error::Listen)?;
    let addr = listener.local_addr().map_err(Error::Listen)?;
    eprintln!("confpart events: listening on {addr}");
    serve(&listener, opts, out, &mut std::io::stderr(), None)
}

/// Receives on `listener`: `limit` requests (`None`: forever). Lines go to `out`, rejections
/// to `err`.
pub fn serve(
    listener: &TcpListener,
    opts: &EventsOptions,
    out: &mut dyn Write,
    err: &mut dyn Write,
    limit: Option<usize>,
) -> Result<(), Error> {
    let mut handled = 0;
    while limit.is_none_or(|l| handled < l) {
        let (stream, peer) = match listener.accept() {
            Ok(c) => c,
            Err(e) => {
                let _ = writeln!(err, "confpart events: accept: {e}");
                continue;
            }
        };
        handled += 1;
        if let Err(e) = connection(stream, peer, opts, out, err) {
            let _ = writeln!(err, "confpart events: {peer}: {e}");
        }
    }
    Ok(())
}

/// What became of one request.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Verdict {
    /// Printed; the status to answer.
    Printed,
    /// Refused: the status and the reason for stderr.
    Refused(u16, String),
}

fn connection(
    mut stream: TcpStream,
    peer: SocketAddr,
    opts: &EventsOptions,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> std::io::Result<()> {
    stream.set_read_timeout(Some(READ_TIMEOUT))?;
    stream.set_write_timeout(Some(READ_TIMEOUT))?;
    let mut chunk = [0u8; 4096];
    let mut buf = vec![0u8; MAX_REQUEST_LEN];
    let mut reader = RequestReader::new(&mut buf);
    loop {
        let n = stream.read(&mut chunk)?;
        let verdict = match reader.feed(chunk.get(..n).unwrap_or(&[])) {
            Ok(Progress::Partial) if n > 0 => continue,
            Ok(Progress::Partial) => Verdict::Refused(400, "the request ended early".into()),
            Err(e) => Verdict::Refused(400, format!("not an HTTP request: {e}")),
            Ok(Progress::Complete(m)) => {
                let target = match m.query() {
                    Some(q) => format!("{}?{q}", m.path()),
                    None => m.path().to_owned(),
                };
                let base = match &opts.public_url {
                    Some(b) => b.trim_end_matches('/').to_owned(),
                    None => format!(
                        "http://{}",
                        String::from_utf8_lossy(m.host().unwrap_or(b"localhost"))
                    ),
                };
                let url = format!("{base}{target}");
                let signature = opts
                    .scheme
                    .headers()
                    .iter()
                    .find_map(|h| m.header(h))
                    .map(|v| v.trim_ascii());
                let json_body = m
                    .content_type()
                    .is_some_and(|t| t.trim_ascii().starts_with(b"application/json"));
                let form = if m.method() == "GET" {
                    m.query().unwrap_or("").as_bytes()
                } else {
                    m.body()
                };
                let checked = match &opts.public_key {
                    Some(key) => check_telnyx(
                        key,
                        m.header(TELNYX_SIGNATURE_HEADER).map(<[u8]>::trim_ascii),
                        m.header(TELNYX_TIMESTAMP_HEADER).map(<[u8]>::trim_ascii),
                        form,
                    ),
                    None => check(opts, &url, m.method(), m.body(), json_body, signature),
                };
                match checked {
                    Err(reason) => Verdict::Refused(
                        403,
                        format!("rejected {} {target} from {peer}: {reason}", m.method()),
                    ),
                    Ok(_) if json_body => Verdict::Refused(
                        400,
                        format!(
                            "{} {target}: a JSON body is not a callback form",
                            m.method()
                        ),
                    ),
                    Ok(verified) => print(form, verified, opts.json, out).map_or_else(
                        |e| Verdict::Refused(400, format!("{} {target}: {e}", m.method())),
                        |()| Verdict::Printed,
                    ),
                }
            }
        };
        let status = match &verdict {
            Verdict::Printed => 200,
            Verdict::Refused(status, reason) => {
                writeln!(err, "confpart events: {reason}")?;
                *status
            }
        };
        let reason = match status {
            200 => "OK",
            403 => "Forbidden",
            _ => "Bad Request",
        };
        write!(
            stream,
            "HTTP/1.1 {status} {reason}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        )?;
        out.flush()?;
        return Ok(());
    }
}

/// `Ok(true)`: the signature is valid; `Ok(false)`: no token, nothing checked.
fn check(
    opts: &EventsOptions,
    url: &str,
    method: &str,
    body: &[u8],
    json_body: bool,
    signature: Option<&[u8]>,
) -> Result<bool, String> {
    let Some(token) = &opts.token else {
        return Ok(false);
    };
    let Some(signature) = signature else {
        return Err(format!("no {} header", opts.scheme.header()));
    };
    let key = token.expose().as_bytes();
    let result = if json_body {
        signature::validate_json(opts.scheme, key, url, body, signature)
    } else if method == "GET" {
        // The parameters are in the URL: they are signed as part of it.
        signature::validate(opts.scheme, key, url, b"", signature)
    } else {
        signature::validate(opts.scheme, key, url, body, signature)
    };
    result
        .map(|()| true)
        .map_err(|e: SignatureError| format!("{e} (URL {url})"))
}

/// Telnyx: `Ok(true)` when the Ed25519 signature over `"{timestamp}|{signed}"` is the
/// key's and the timestamp within 300 s of this machine's clock.
fn check_telnyx(
    key: &Ed25519PublicKey,
    signature: Option<&[u8]>,
    timestamp: Option<&[u8]>,
    signed: &[u8],
) -> Result<bool, String> {
    let signature = signature.ok_or_else(|| format!("no {TELNYX_SIGNATURE_HEADER} header"))?;
    let timestamp = timestamp.ok_or_else(|| format!("no {TELNYX_TIMESTAMP_HEADER} header"))?;
    signature::validate_telnyx(key, signature, timestamp, signed, crate::unix_now())
        .map(|()| true)
        .map_err(|e| e.to_string())
}

/// The Telnyx public key of `confpart events`: `--public-key`, else `TELNYX_PUBLIC_KEY` (as
/// the Telnyx SDKs read it) when the dialect is Telnyx; base64 of 32 bytes.
pub fn public_key(dialect: Dialect, flag: Option<&str>) -> Result<Option<Ed25519PublicKey>, Error> {
    let value = match flag {
        Some(v) => Some(v.to_owned()),
        None if dialect == Dialect::Telnyx => std::env::var("TELNYX_PUBLIC_KEY")
            .ok()
            .filter(|v| !v.is_empty()),
        None => None,
    };
    value
        .map(|v| {
            Ed25519PublicKey::from_base64(v.trim().as_bytes())
                .map_err(|e| Error::input(format_args!("the Telnyx public key: {e}")))
        })
        .transpose()
}

/// Decodes and prints one callback.
fn print(form: &[u8], verified: bool, json: bool, out: &mut dyn Write) -> Result<(), String> {
    let mut scratch = vec![0u8; form.len()];
    let decoded = Callback::decode(form, &mut scratch).map_err(|e| e.to_string())?;
    let line = if json {
        json_line(&decoded, verified)
    } else {
        text_line(&decoded, verified)
    };
    writeln!(out, "{line}").map_err(|e| e.to_string())
}

/// `#3 2026-... conference-end CF... name=... key=value ...`.
fn text_line(d: &DecodedCallback<'_>, verified: bool) -> String {
    let c = &d.callback;
    let mut date = [0u8; RFC2822_LEN];
    let mut line = format!(
        "#{} {} {} {} {:?}",
        c.sequence_number,
        c.timestamp.write_rfc2822(&mut date),
        c.event,
        c.conference_sid.as_str(),
        c.friendly_name
    );
    for (key, value) in fields(c) {
        line.push_str(&format!(" {key}={value}"));
    }
    if !d.ignored.is_empty() {
        line.push_str(&format!(" ignored={}", d.ignored.total()));
    }
    if !verified {
        line.push_str(" (signature not checked)");
    }
    line
}

fn json_line(d: &DecodedCallback<'_>, verified: bool) -> String {
    use serde_json::Value;
    let c = &d.callback;
    let mut date = [0u8; RFC2822_LEN];
    let mut v = serde_json::Map::new();
    v.insert("AccountSid".into(), c.account_sid.as_str().into());
    v.insert("ConferenceSid".into(), c.conference_sid.as_str().into());
    v.insert("FriendlyName".into(), c.friendly_name.into());
    v.insert("SequenceNumber".into(), c.sequence_number.into());
    v.insert(
        "Timestamp".into(),
        c.timestamp.write_rfc2822(&mut date).into(),
    );
    v.insert("StatusCallbackEvent".into(), c.event.as_str().into());
    for (key, value) in fields(c) {
        v.insert(key.into(), value.into());
    }
    v.insert("verified".into(), verified.into());
    let ignored = d.ignored.iter();
    v.insert(
        "ignored".into(),
        ignored
            .map(|k| Value::from(String::from_utf8_lossy(k).into_owned()))
            .collect::<Vec<_>>()
            .into(),
    );
    Value::Object(v).to_string()
}

/// The optional fields that are set, by wire name, in Twilio's order.
fn fields(c: &Callback<'_>) -> Vec<(&'static str, String)> {
    Field::ALL
        .into_iter()
        .filter_map(|f| Some((f.as_str(), c.optional_text(f)?.to_owned())))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use confpart::api::callback::Event;
    use confpart::wire::date::Timestamp;
    use confpart::wire::ident::{AccountSid, CallSid, ConferenceSid};

    fn body() -> Vec<u8> {
        let mut cb = Callback::new(
            AccountSid::parse("ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa").unwrap(),
            ConferenceSid::parse("CFaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa").unwrap(),
            "room 1",
            4,
            Timestamp::from_unix(1_765_000_000).unwrap(),
            Event::ParticipantHold,
        );
        cb.call_sid = Some(CallSid::parse("CAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa").unwrap());
        cb.hold = Some(true);
        let mut buf = vec![0u8; cb.encoded_len()];
        cb.encode_to_slice(&mut buf).unwrap();
        buf
    }

    /// Sends `request` to a receiver that handles one request; its status line, stdout and
    /// stderr.
    fn exchange(opts: &EventsOptions, request: Vec<u8>) -> (String, String, String) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let opts = opts.clone();
        let receiver = std::thread::spawn(move || {
            let (mut out, mut err) = (Vec::new(), Vec::new());
            serve(&listener, &opts, &mut out, &mut err, Some(1)).unwrap();
            (out, err)
        });
        let mut s = TcpStream::connect(addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        s.write_all(&request).unwrap();
        let mut answer = String::new();
        s.read_to_string(&mut answer).unwrap();
        let (out, err) = receiver.join().unwrap();
        (
            answer.lines().next().unwrap_or("").to_owned(),
            String::from_utf8(out).unwrap(),
            String::from_utf8(err).unwrap(),
        )
    }

    fn post(path: &str, sig_header: &str, sig: &str, body: &[u8]) -> Vec<u8> {
        let mut r = format!(
            "POST {path} HTTP/1.1\r\nHost: hooks.example\r\n{sig_header}: {sig}\r\n\
             Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n",
            body.len()
        )
        .into_bytes();
        r.extend_from_slice(body);
        r
    }

    #[test]
    fn a_signed_callback_is_printed_and_a_forged_one_refused() {
        let opts = EventsOptions::new(Dialect::Twilio, Some(Secret::new("token")));
        let body = body();
        let sig = signature::sign(
            Scheme::Twilio,
            b"token",
            "http://hooks.example/cb?x=1",
            &body,
        )
        .unwrap();
        let (status, out, err) = exchange(
            &opts,
            post("/cb?x=1", "X-Twilio-Signature", sig.as_str(), &body),
        );
        assert_eq!(status, "HTTP/1.1 200 OK");
        assert_eq!(
            out,
            "#4 Sat, 06 Dec 2025 05:46:40 +0000 participant-hold CFaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa \
             \"room 1\" CallSid=CAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa Hold=true\n"
        );
        assert_eq!(err, "");

        // The same signature over another body: the attack the check stops.
        let forged = String::from_utf8(body.clone())
            .unwrap()
            .replace("Hold=true", "Hold=false");
        let (status, out, err) = exchange(
            &opts,
            post(
                "/cb?x=1",
                "X-Twilio-Signature",
                sig.as_str(),
                forged.as_bytes(),
            ),
        );
        assert_eq!(status, "HTTP/1.1 403 Forbidden");
        assert_eq!(out, "");
        assert!(
            err.contains("rejected POST /cb?x=1") && err.contains("signature does not match"),
            "{err}"
        );

        // No signature at all.
        let (status, _, err) = exchange(&opts, post("/cb", "X-Other", "x", &body));
        assert_eq!(status, "HTTP/1.1 403 Forbidden");
        assert!(err.contains("no X-Twilio-Signature header"), "{err}");
    }

    fn telnyx_post(sig: &str, ts: &str, body: &[u8]) -> Vec<u8> {
        let mut r = format!(
            "POST /cb HTTP/1.1\r\nHost: hooks.example\r\ntelnyx-signature-ed25519: {sig}\r\n\
             telnyx-timestamp: {ts}\r\nContent-Type: application/x-www-form-urlencoded\r\n\
             Content-Length: {}\r\n\r\n",
            body.len()
        )
        .into_bytes();
        r.extend_from_slice(body);
        r
    }

    #[test]
    fn telnyx_signatures_are_checked_with_the_public_key() {
        use confpart::api::signature::{Ed25519Key, sign_telnyx};
        let key = Ed25519Key::from_seed(&[2; 32]);
        let b64 = String::from_utf8(key.public_key().to_base64().to_vec()).unwrap();
        let mut opts = EventsOptions::new(Dialect::Telnyx, None);
        opts.public_key = public_key(Dialect::Telnyx, Some(&b64)).unwrap();
        let body = body();
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let sig = sign_telnyx(&key, now, &body);
        let (status, out, err) =
            exchange(&opts, telnyx_post(sig.as_str(), &now.to_string(), &body));
        assert_eq!(status, "HTTP/1.1 200 OK", "{err}");
        assert!(
            out.starts_with("#4 ") && !out.contains("not checked"),
            "{out}"
        );

        // The attacks: another body, a replay from 10 minutes ago, another key, no header.
        let forged = String::from_utf8(body.clone())
            .unwrap()
            .replace("Hold=true", "Hold=false");
        let old = sign_telnyx(&key, now - 600, &body);
        let other = sign_telnyx(&Ed25519Key::from_seed(&[3; 32]), now, &body);
        for (request, why) in [
            (
                telnyx_post(sig.as_str(), &now.to_string(), forged.as_bytes()),
                "signature does not match",
            ),
            (
                telnyx_post(old.as_str(), &(now - 600).to_string(), &body),
                "more than 300 s from now",
            ),
            (
                telnyx_post(other.as_str(), &now.to_string(), &body),
                "signature does not match",
            ),
            (
                post("/cb", "X-Other", "x", &body),
                "no telnyx-signature-ed25519 header",
            ),
        ] {
            let (status, out, err) = exchange(&opts, request);
            assert_eq!(status, "HTTP/1.1 403 Forbidden");
            assert_eq!(out, "");
            assert!(err.contains(why), "{err}");
        }
        assert!(public_key(Dialect::Telnyx, Some("AAAA")).is_err());
    }

    #[test]
    fn signalwire_json_and_unchecked() {
        let mut opts = EventsOptions::new(Dialect::SignalWire, Some(Secret::new("PSKkey")));
        opts.json = true;
        opts.public_url = Some("https://public.example/".into());
        let body = body();
        let sig = signature::sign(
            Scheme::SignalWire,
            b"PSKkey",
            "https://public.example:443/cb",
            &body,
        )
        .unwrap();
        let (status, out, _) = exchange(
            &opts,
            post("/cb", "X-SignalWire-Signature", sig.as_str(), &body),
        );
        assert_eq!(status, "HTTP/1.1 200 OK");
        let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
        assert_eq!(v["StatusCallbackEvent"], "participant-hold");
        assert_eq!(v["SequenceNumber"], 4);
        assert_eq!(v["verified"], true);

        let unchecked = EventsOptions::new(Dialect::Twilio, None);
        let (status, out, _) = exchange(&unchecked, post("/cb", "X-Other", "x", &body));
        assert_eq!(status, "HTTP/1.1 200 OK");
        assert!(out.ends_with("(signature not checked)\n"), "{out}");

        let (status, _, err) = exchange(&unchecked, post("/cb", "X-Other", "x", b"Muted=maybe"));
        assert_eq!(status, "HTTP/1.1 400 Bad Request");
        assert!(err.contains("Muted"), "{err}");
    }
}
