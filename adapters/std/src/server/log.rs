//! The request log: one [`tracing`] event per request, written as one line by
//! `tracing-subscriber`'s formatters ([`LogFormat`]) to a [`LogSink`].
//!
//! Each server has a subscriber of its own (a [`Dispatch`] built from
//! [`super::ServerOptions::log_format`] and [`super::ServerOptions::log`]) rather than the
//! process's global one: two servers in one process (the demo, tests) keep their lines
//! apart, and the `confpart` command installs no global subscriber. The event carries the
//! fields of [`RequestLog`] only, which has none for headers or bodies, so a credential
//! cannot reach a line.
//!
//! | field | value |
//! |---|---|
//! | `method` | the request method, at most 16 bytes (`-` when unknown) |
//! | `path` | the request target, at most [`LOG_PATH_MAX`] bytes, longer ones end with `...` (`-` when unknown) |
//! | `status` | the response status |
//! | `code` | the error code of an error response (absent otherwise) |
//! | `duration_ms` | from the request's first byte to its answer, in milliseconds (µs precision) |
//! | `peer` | the client's address, when known |
//! | `seq` | the handler's sequence number ([`RequestLog::seq`]), when it has one |

use std::fmt::{self, Write as _};
use std::io::{self, Write};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tracing::Dispatch;
use tracing::field::{Field, Visit};
use tracing_subscriber::field::RecordFields;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::fmt::format::{FormatFields, Writer};

/// One request as logged. Holds no header or body: nothing secret can be logged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestLog {
    /// The request method (`-` when unknown).
    pub method: String,
    /// The request target, path and query (`-` when unknown).
    pub path: String,
    /// The response status.
    pub status: u16,
    /// The error code of an error response (`20404`, `16027`, ...).
    pub code: Option<u32>,
    /// The client's address (set by the server).
    pub peer: Option<SocketAddr>,
    /// The order in which the handler processed the request, when it has one (the bridge
    /// counts every request that reaches its service, from 1, under the lock that
    /// serializes them). Lines are written after each answer is sent, so their order
    /// can differ from the order in which the state changed; `seq` gives the latter.
    pub seq: Option<u64>,
}

impl RequestLog {
    /// A log entry without an error code.
    pub fn new(method: impl Into<String>, path: impl Into<String>, status: u16) -> Self {
        Self {
            method: method.into(),
            path: path.into(),
            status,
            code: None,
            peer: None,
            seq: None,
        }
    }

    /// Adds an error code.
    pub fn with_code(mut self, code: u32) -> Self {
        self.code = Some(code);
        self
    }

    /// Adds the handler's sequence number ([`RequestLog::seq`]).
    pub fn with_seq(mut self, seq: u64) -> Self {
        self.seq = Some(seq);
        self
    }
}

/// `--log-format`: which `tracing-subscriber` formatter writes the lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum LogFormat {
    /// `POST /2010-04-01/... 400 16027 1.234ms peer=127.0.0.1:50312 seq=17`: the fields in
    /// a fixed order, `-` for an unknown code, `peer=` and `seq=` only when known. Spaces,
    /// control characters and non-ASCII bytes are escaped (`%20`, `\x0a`), so a line is
    /// always one line of printable ASCII.
    #[default]
    Text,
    /// `{"method":"POST","path":"/2010-04-01/...","status":400,"code":16027,"duration_ms":1.234,"peer":"127.0.0.1:50312","seq":17}`:
    /// `tracing-subscriber`'s JSON formatter with the event's fields at the top level
    /// (`code`, `peer` and `seq` only when known).
    Json,
}

/// Longest path written to a log line (longer ones end with `...`).
pub const LOG_PATH_MAX: usize = 512;

/// Longest method written to a log line.
const LOG_METHOD_MAX: usize = 16;

impl LogFormat {
    /// The log line for `entry` (no trailing newline), as a server with this format
    /// writes it.
    ///
    /// ```
    /// use std::time::Duration;
    /// use confpart_std::server::{LogFormat, RequestLog};
    /// let json = |line: &str| serde_json::from_str::<serde_json::Value>(line);
    /// let entry = RequestLog::new("POST", "/x", 400).with_code(16027);
    /// let d = Duration::from_micros(1500);
    /// assert_eq!(LogFormat::Text.line(&entry, d), "POST /x 400 16027 1.500ms");
    /// assert_eq!(
    ///     json(&LogFormat::Json.line(&entry, d))?,
    ///     json(r#"{"method":"POST","path":"/x","status":400,"code":16027,"duration_ms":1.500}"#)?
    /// );
    /// let mut entry = entry.with_seq(17);
    /// entry.peer = Some(([127, 0, 0, 1], 50312).into());
    /// assert_eq!(
    ///     LogFormat::Text.line(&entry, d),
    ///     "POST /x 400 16027 1.500ms peer=127.0.0.1:50312 seq=17"
    /// );
    /// assert_eq!(
    ///     LogFormat::Json.line(&entry, d),
    ///     r#"{"method":"POST","path":"/x","status":400,"code":16027,"duration_ms":1.5,"peer":"127.0.0.1:50312","seq":17}"#
    /// );
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub fn line(self, entry: &RequestLog, duration: Duration) -> String {
        let lines = Arc::new(MemoryLog::default());
        Logger::new(self, Arc::clone(&lines) as Arc<dyn LogSink>).request(entry, duration);
        lines.lines().concat()
    }

    /// A `tracing` dispatcher for a server's other events (the warnings of callback
    /// delivery, [`crate::delivery`]) writing to `sink` in this format: `WARN message
    /// field=value ...` or a JSON object with `level` and the fields at the top level;
    /// `INFO` and above.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use confpart_std::server::{LogFormat, LogSink, MemoryLog};
    /// let lines = Arc::new(MemoryLog::default());
    /// let log = LogFormat::Json.events(Arc::clone(&lines) as Arc<dyn LogSink>);
    /// tracing::dispatcher::with_default(&log, || {
    ///     tracing::warn!(sequence = 3, "callback not delivered");
    ///     tracing::debug!("not shown");
    /// });
    /// let line: serde_json::Value = serde_json::from_str(&lines.lines()[0])?;
    /// assert_eq!((&line["level"], &line["sequence"]), (&"WARN".into(), &3.into()));
    /// assert_eq!(lines.lines().len(), 1);
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub fn events(self, sink: Arc<dyn LogSink>) -> Dispatch {
        let builder = tracing_subscriber::fmt()
            .with_writer(SinkWriter(sink))
            .with_max_level(tracing::Level::INFO)
            .without_time()
            .with_target(false);
        match self {
            LogFormat::Text => Dispatch::new(builder.finish()),
            LogFormat::Json => Dispatch::new(
                builder
                    .json()
                    .flatten_event(true)
                    .with_current_span(false)
                    .with_span_list(false)
                    .finish(),
            ),
        }
    }
}

/// Where log lines go.
pub trait LogSink: Send + Sync {
    /// Writes one line (without its newline).
    fn line(&self, line: &str);

    /// Returns once every line given so far is written (a sink that writes at once has
    /// nothing to do: the default).
    fn flush(&self) {}
}

/// Log lines to stderr, buffered: a line is appended to a process-wide buffer (a
/// short lock, no system call), which is written out when it holds [`STDERR_BATCH`]
/// bytes, on [`LogSink::flush`], and by a running server every [`LOG_FLUSH_EVERY`]. So
/// under load lines reach stderr in batches instead of one `write` per request with the
/// stderr lock held (measured with `scripts/bridge-bench`: that cost a fifth of the
/// throughput at 64 connections), and a quiet server's lines are out within a tenth of a
/// second. Batches are written in the order their lines were given.
#[derive(Debug, Clone, Copy, Default)]
pub struct StderrLog;

/// Buffered log bytes written out at once.
pub const STDERR_BATCH: usize = 32 * 1024;

/// How often a running server flushes its log sink.
pub const LOG_FLUSH_EVERY: Duration = Duration::from_millis(100);

static STDERR_BUFFER: Mutex<Vec<u8>> = Mutex::new(Vec::new());

impl StderrLog {
    fn write_out() {
        // Taken under the stderr lock, so batches are written in the order they filled.
        let mut err = io::stderr().lock();
        let bytes = std::mem::take(
            &mut *STDERR_BUFFER
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        );
        if !bytes.is_empty() {
            let _ = err.write_all(&bytes);
        }
    }
}

impl LogSink for StderrLog {
    fn line(&self, line: &str) {
        let full = {
            let mut buf = STDERR_BUFFER
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            buf.extend_from_slice(line.as_bytes());
            buf.push(b'\n');
            buf.len() >= STDERR_BATCH
        };
        if full {
            Self::write_out();
        }
    }

    fn flush(&self) {
        Self::write_out();
    }
}

/// Log lines kept in memory (tests).
#[derive(Debug, Default)]
pub struct MemoryLog(Mutex<Vec<String>>);

impl MemoryLog {
    /// The lines so far.
    pub fn lines(&self) -> Vec<String> {
        self.0.lock().map(|l| l.clone()).unwrap_or_default()
    }
}

impl LogSink for MemoryLog {
    fn line(&self, line: &str) {
        if let Ok(mut l) = self.0.lock() {
            l.push(line.to_owned());
        }
    }
}

/// A server's request log: its own `tracing` subscriber, writing to its sink (flushed
/// when the server ends).
pub(super) struct Logger {
    dispatch: Dispatch,
    sink: Arc<dyn LogSink>,
}

impl fmt::Debug for Logger {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Logger").finish_non_exhaustive()
    }
}

impl Drop for Logger {
    fn drop(&mut self) {
        self.sink.flush();
    }
}

impl Logger {
    /// A subscriber writing `format` lines to `sink`: no timestamp, level or target (the
    /// line is the request), no ANSI colours (the `ansi` feature is off).
    pub(super) fn new(format: LogFormat, sink: Arc<dyn LogSink>) -> Self {
        let builder = tracing_subscriber::fmt()
            .with_writer(SinkWriter(Arc::clone(&sink)))
            .without_time()
            .with_level(false)
            .with_target(false);
        let dispatch = match format {
            LogFormat::Text => Dispatch::new(builder.fmt_fields(TextFields).finish()),
            LogFormat::Json => Dispatch::new(
                builder
                    .json()
                    .flatten_event(true)
                    .with_current_span(false)
                    .with_span_list(false)
                    .finish(),
            ),
        };
        Self { dispatch, sink }
    }

    /// Writes out what the sink buffers.
    pub(super) fn flush(&self) {
        self.sink.flush();
    }

    /// Logs one request that took `duration`.
    pub(super) fn request(&self, entry: &RequestLog, duration: Duration) {
        tracing::dispatcher::with_default(&self.dispatch, || {
            tracing::info!(
                method = %Shown(&entry.method, LOG_METHOD_MAX),
                path = %Shown(&entry.path, LOG_PATH_MAX),
                status = entry.status,
                code = entry.code,
                duration_ms = (duration.as_secs_f64() * 1e6).round() / 1000.0,
                peer = entry.peer.map(tracing::field::display),
                seq = entry.seq,
            );
        });
    }
}

/// A string cut to at most `.1` bytes (on a character boundary, then `...`); `-` when
/// empty, so a text line always has its positional fields.
struct Shown<'a>(&'a str, usize);

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Shown(s, max) = *self;
        if s.is_empty() {
            return f.write_str("-");
        }
        let mut end = max.min(s.len());
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        f.write_str(s.get(..end).unwrap_or_default())?;
        if end < s.len() {
            f.write_str("...")?;
        }
        Ok(())
    }
}

/// The text format's fields: `method path status code durationms` by position, then
/// any other field as ` name=value` (`peer`, `seq`). tracing-subscriber's own field
/// formatter writes every field as `name=value`; the positional line is what `--help`
/// and earlier versions show, so scripts reading it keep working.
struct TextFields;

impl<'w> FormatFields<'w> for TextFields {
    fn format_fields<R: RecordFields>(&self, mut writer: Writer<'w>, fields: R) -> fmt::Result {
        TEXT_LINE.with_borrow_mut(|line| {
            line.clear();
            fields.record(&mut *line);
            write!(
                writer,
                "{} {} {} {} {:.3}ms{}",
                printable(&line.method),
                printable(&line.path),
                Number(line.status),
                Number(line.code),
                line.duration_ms,
                line.rest
            )
        })
    }
}

thread_local! {
    /// The fields of the event being formatted, reused: a line costs no allocation once its
    /// strings have grown to a request's sizes (the log runs per request).
    static TEXT_LINE: std::cell::RefCell<TextLine> = std::cell::RefCell::default();
}

/// A number, or `-` when absent.
struct Number(Option<u64>);

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(n) => fmt::Display::fmt(&n, f),
            None => f.write_str("-"),
        }
    }
}

/// The fields of one event, gathered for [`TextFields`].
#[derive(Default)]
struct TextLine {
    method: String,
    path: String,
    status: Option<u64>,
    code: Option<u64>,
    duration_ms: f64,
    /// ` name=value` for every other field, in the event's order.
    rest: String,
    /// One other field's value before it is escaped into `rest`.
    value: String,
}

impl TextLine {
    fn clear(&mut self) {
        self.method.clear();
        self.path.clear();
        self.status = None;
        self.code = None;
        self.duration_ms = 0.0;
        self.rest.clear();
        self.value.clear();
    }
}

impl Visit for TextLine {
    fn record_u64(&mut self, field: &Field, value: u64) {
        match field.name() {
            "status" => self.status = Some(value),
            "code" => self.code = Some(value),
            _ => self.record_debug(field, &value),
        }
    }

    fn record_f64(&mut self, field: &Field, value: f64) {
        match field.name() {
            "duration_ms" => self.duration_ms = value,
            _ => self.record_debug(field, &value),
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        match field.name() {
            "method" => {
                self.method.clear();
                let _ = write!(self.method, "{value:?}");
            }
            "path" => {
                self.path.clear();
                let _ = write!(self.path, "{value:?}");
            }
            name => {
                self.value.clear();
                let _ = write!(self.value, "{value:?}");
                let _ = write!(self.rest, " {name}={}", printable(&self.value));
            }
        }
    }
}

/// `s` with spaces, control characters and non-ASCII bytes escaped (`%20`, `\xNN`); `-`
/// when empty. Borrowed when nothing needs escaping (nearly every line: it runs per
/// request).
fn printable(s: &str) -> std::borrow::Cow<'_, str> {
    if s.is_empty() {
        return "-".into();
    }
    if s.bytes().all(|b| matches!(b, 0x21..=0x7e)) {
        return s.into();
    }
    let mut out = String::with_capacity(s.len() + 8);
    for b in s.bytes() {
        match b {
            b' ' => out.push_str("%20"),
            0x21..=0x7e => out.push(char::from(b)),
            _ => {
                let _ = write!(out, "\\x{b:02x}");
            }
        }
    }
    out.into()
}

/// Hands each formatted line to a [`LogSink`] (tracing-subscriber writes bytes).
struct SinkWriter(Arc<dyn LogSink>);

impl<'a> MakeWriter<'a> for SinkWriter {
    type Writer = LineWriter<'a>;

    fn make_writer(&'a self) -> LineWriter<'a> {
        LineWriter {
            sink: &*self.0,
            buf: Vec::new(),
        }
    }
}

/// Collects one event's bytes; each complete line goes to the sink without its newline.
struct LineWriter<'a> {
    sink: &'a dyn LogSink,
    buf: Vec<u8>,
}

impl LineWriter<'_> {
    fn emit(&mut self, line: &[u8]) {
        self.sink.line(&String::from_utf8_lossy(line));
    }
}

impl Write for LineWriter<'_> {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        // A formatter writes an event's whole line at once: handed on without a copy.
        if self.buf.is_empty()
            && let Some((b'\n', line)) = bytes.split_last()
            && !line.contains(&b'\n')
        {
            self.sink.line(&String::from_utf8_lossy(line));
            return Ok(bytes.len());
        }
        self.buf.extend_from_slice(bytes);
        let sink = self.sink;
        let mut start = 0;
        while let Some(rest) = self.buf.get(start..)
            && let Some(end) = rest.iter().position(|&b| b == b'\n')
        {
            sink.line(&String::from_utf8_lossy(
                rest.get(..end).unwrap_or_default(),
            ));
            start += end + 1;
        }
        self.buf.drain(..start);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Drop for LineWriter<'_> {
    fn drop(&mut self) {
        // A formatter always ends its line; this only catches one that did not.
        if !self.buf.is_empty() {
            let rest = std::mem::take(&mut self.buf);
            self.emit(&rest);
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;
    use serde_json::{Value, json};

    #[test]
    fn log_lines_escape_and_cut() {
        let d = Duration::from_millis(2);
        let entry = RequestLog::new("GET", "/a b\n\"c\"\u{e9}", 404).with_code(20404);
        assert_eq!(
            LogFormat::Text.line(&entry, d),
            "GET /a%20b\\x0a\"c\"\\xc3\\xa9 404 20404 2.000ms"
        );
        // serde_json escapes the JSON line: the control character as `\n`, the
        // non-ASCII character kept as UTF-8; still one line.
        let line = LogFormat::Json.line(&entry, d);
        assert!(!line.contains('\n'), "{line}");
        assert_eq!(
            serde_json::from_str::<Value>(&line).unwrap(),
            json!({"method":"GET","path":"/a b\n\"c\"\u{e9}","status":404,"code":20404,"duration_ms":2.0})
        );
        let long = RequestLog::new("GET", "/".repeat(600), 200);
        let text = LogFormat::Text.line(&long, d);
        assert!(
            text.contains(&format!("{}... 200 - ", "/".repeat(LOG_PATH_MAX))),
            "{text}"
        );
        assert_eq!(
            LogFormat::Text.line(&RequestLog::new("", "", 400), d),
            "- - 400 - 2.000ms"
        );
    }

    #[test]
    fn cuts_fall_on_character_boundaries() {
        let entry = RequestLog::new("GET", format!("/{}", "\u{e9}".repeat(LOG_PATH_MAX)), 200);
        let line = LogFormat::Json.line(&entry, Duration::ZERO);
        let path = serde_json::from_str::<Value>(&line).unwrap()["path"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(path.ends_with("\u{e9}..."), "{path}");
        assert!(path.len() <= LOG_PATH_MAX + 3, "{}", path.len());
    }

    #[test]
    fn json_lines_leave_out_what_is_unknown() {
        let line = LogFormat::Json.line(&RequestLog::new("", "", 400), Duration::ZERO);
        assert_eq!(
            line,
            r#"{"method":"-","path":"-","status":400,"duration_ms":0.0}"#
        );
    }
}
