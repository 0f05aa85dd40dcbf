//! `httparse` as the oracle of the core's HTTP head parser (which replaced
//! it): one comparison shared by the differential proptest
//! (`core/tests/http_head_differential.rs` includes this file) and the
//! `http_head_differential` fuzz target.
//!
//! The oracle is the pipeline the core ran before, rebuilt on `httparse`
//! 1.10: the core's own request-target check (printable ASCII, no `#`, an
//! origin-form `/`), then `Request::parse` / `Response::parse`, and a failure
//! mapped to the first bad line by parsing growing prefixes. The core
//! applies more rules than `httparse`; the comparison knows which:
//!
//! - the scanner's (bare CR/LF, obs-fold, line, count and size limits, an
//!   incomplete head): the core rejects before any parsing, so no claim on
//!   the head's grammar — except that a head the core finds incomplete is
//!   incomplete for `httparse` too;
//! - the framing checks on parsed headers (duplicates, `Content-Length`,
//!   `Transfer-Encoding`, `Expect`) and every body error: the head was
//!   accepted, so `httparse` must accept it.
//!
//! Everything else must agree exactly: a head the core accepts is accepted
//! by `httparse` with the same method, target, version, status, reason and
//! header names and values (the reason of a status line with obs-text is
//! `""` for `httparse`, whose reason is a `&str`; the core keeps the bytes),
//! and a grammar error is the same `HttpError`, offsets included.
use confpart::client::ResponseReader;
use confpart::wire::http::{
    HttpError, Kind, MAX_HEAD_LEN, MAX_HEADERS, Message, Progress, RequestReader,
};

/// A parsed head, as both parsers can say it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Head {
    /// Request: the method.
    pub method: String,
    /// Request: the request-target (path and query).
    pub target: String,
    /// The minor version.
    pub version: u8,
    /// Response: the status code.
    pub status: u16,
    /// Response: the reason phrase.
    pub reason: Vec<u8>,
    /// The header fields, in order.
    pub headers: Vec<(Vec<u8>, Vec<u8>)>,
}

/// What the comparison saw (for the tests' statistics).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Verdict {
    /// Both accepted the head, with the same parts.
    Accepted,
    /// Both accepted the head; the core then refused its framing headers
    /// or body.
    AcceptedThenRefused,
    /// Both rejected the head with the same error.
    Rejected,
    /// The core's scanner refused the bytes before any parsing.
    Scanner,
    /// Neither found a complete head.
    Incomplete,
}

/// The oracle over a whole input: each head (its range in the input and
/// the oracle's result) up to the first error or the first final head, and
/// whether the input ended before a head was complete.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Expected {
    heads: Vec<(usize, usize, Result<Head, HttpError>)>,
    incomplete: bool,
}

impl Expected {
    /// The last head's result, when it is not an interim one.
    fn last(&self) -> Option<&Result<Head, HttpError>> {
        if self.incomplete {
            return None;
        }
        self.heads.last().map(|(_, _, r)| r)
    }

    /// Every head up to the one containing byte `offset` (all of them for
    /// `None`) was accepted.
    fn accepted_up_to(&self, offset: Option<usize>) -> bool {
        for (start, end, r) in &self.heads {
            if r.is_err() {
                return false;
            }
            if offset.is_some_and(|o| (*start..*end).contains(&o)) {
                return true;
            }
        }
        offset.is_none() && !self.incomplete
    }
}

/// Maps an `httparse` failure on a complete head to the offending line, as
/// the core did: the first prefix (ending at a line end) that fails ends
/// with the bad line.
fn locate(
    head: &[u8],
    skipped: usize,
    parse: impl Fn(&[u8]) -> Result<(), httparse::Error>,
) -> HttpError {
    let mut line_start = 0;
    let mut i = 0;
    while let Some(cr) = head[i..].windows(2).position(|w| w == b"\r\n") {
        let end = i + cr + 2;
        if let Err(e) = parse(&head[..end]) {
            let offset = skipped + line_start;
            return match e {
                _ if line_start == 0 => HttpError::InvalidStartLine,
                httparse::Error::HeaderName => HttpError::InvalidHeaderName { offset },
                httparse::Error::HeaderValue => HttpError::InvalidHeaderValue { offset },
                httparse::Error::TooManyHeaders => HttpError::TooManyHeaders { limit: MAX_HEADERS },
                httparse::Error::NewLine => HttpError::BareLf { offset },
                _ => HttpError::InvalidStartLine,
            };
        }
        line_start = end;
        i = end;
    }
    HttpError::InvalidStartLine
}

/// The core's request-target check, as it ran before `httparse`.
fn target_check(head: &[u8], skipped: usize) -> Option<HttpError> {
    let line_end = head.iter().position(|&b| b == b'\r')?;
    let line = &head[..line_end];
    let mut parts = line.splitn(3, |&b| b == b' ');
    let _method = parts.next();
    let target = parts.next()?;
    let start = target.as_ptr() as usize - head.as_ptr() as usize;
    if let Some(i) = target
        .iter()
        .position(|&b| !(0x21..=0x7e).contains(&b) || b == b'#')
    {
        return Some(HttpError::InvalidTarget {
            offset: skipped + start + i,
        });
    }
    (target.first() != Some(&b'/')).then_some(HttpError::InvalidTarget {
        offset: skipped + start,
    })
}

fn headers_of(h: &[httparse::Header<'_>]) -> Vec<(Vec<u8>, Vec<u8>)> {
    h.iter()
        .map(|h| (h.name.as_bytes().to_vec(), h.value.to_vec()))
        .collect()
}

/// One complete head (`head`, final empty line included) by the oracle.
fn oracle_head(head: &[u8], skipped: usize, response: bool) -> Result<Head, HttpError> {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    if response {
        let mut r = httparse::Response::new(&mut headers);
        return match r.parse(head) {
            Ok(httparse::Status::Complete(_)) => Ok(Head {
                version: r.version.unwrap(),
                status: r.code.unwrap(),
                reason: r.reason.unwrap().as_bytes().to_vec(),
                headers: headers_of(r.headers),
                ..Head::default()
            }),
            Ok(httparse::Status::Partial) => Err(HttpError::InvalidStartLine),
            Err(_) => Err(locate(head, skipped, |p| {
                let mut h = [httparse::EMPTY_HEADER; MAX_HEADERS];
                httparse::Response::new(&mut h).parse(p).map(|_| ())
            })),
        };
    }
    if let Some(e) = target_check(head, skipped) {
        return Err(e);
    }
    let mut r = httparse::Request::new(&mut headers);
    match r.parse(head) {
        Ok(httparse::Status::Complete(_)) => Ok(Head {
            method: r.method.unwrap().into(),
            target: r.path.unwrap().into(),
            version: r.version.unwrap(),
            headers: headers_of(r.headers),
            ..Head::default()
        }),
        Ok(httparse::Status::Partial) => Err(HttpError::InvalidStartLine),
        Err(_) => Err(locate(head, skipped, |p| {
            let mut h = [httparse::EMPTY_HEADER; MAX_HEADERS];
            httparse::Request::new(&mut h).parse(p).map(|_| ())
        })),
    }
}

/// The oracle over a whole input: empty lines before a head skipped, and
/// (responses) interim 1xx heads other than 101 dropped, as the reader does.
fn oracle(data: &[u8], response: bool) -> Expected {
    let mut heads = Vec::new();
    let mut at = 0;
    loop {
        while data[at..].starts_with(b"\r\n") {
            at += 2;
        }
        let Some(end) = data[at..].windows(4).position(|w| w == b"\r\n\r\n") else {
            return Expected {
                heads,
                incomplete: true,
            };
        };
        let head = &data[at..at + end + 4];
        let r = oracle_head(head, at, response);
        let interim =
            matches!(&r, Ok(h) if response && (100..=199).contains(&h.status) && h.status != 101);
        heads.push((at, at + head.len(), r));
        if !interim {
            return Expected {
                heads,
                incomplete: false,
            };
        }
        at += head.len();
    }
}

fn head_of<K: Kind>(m: &Message<'_, K>) -> Vec<(Vec<u8>, Vec<u8>)> {
    m.headers().map(|(n, v)| (n.to_vec(), v.to_vec())).collect()
}

/// The core's reader over `data` (all of it at once, then the close).
fn core(data: &[u8], response: bool) -> Result<Head, HttpError> {
    // Room for the longest head and a body: the limits are the core's own.
    let mut buf = vec![0u8; MAX_HEAD_LEN + 4096];
    if response {
        let mut r = ResponseReader::new(&mut buf, confpart::api::operation::OperationKind::Update);
        let m = match r.feed(data)? {
            Progress::Complete(m) => m,
            Progress::Partial => r.finish()?,
        };
        return Ok(Head {
            version: m.version_minor(),
            status: m.status(),
            reason: m.reason().to_vec(),
            headers: head_of(&m),
            ..Head::default()
        });
    }
    let mut r = RequestReader::new(&mut buf);
    let m = match r.feed(data)? {
        Progress::Complete(m) => m,
        Progress::Partial => r.finish()?,
    };
    let target = match m.query() {
        Some(q) => format!("{}?{q}", m.path()),
        None => m.path().to_string(),
    };
    Ok(Head {
        method: m.method().into(),
        target,
        version: m.version_minor(),
        headers: head_of(&m),
        ..Head::default()
    })
}

/// Reader (`Reader<K>`) and oracle over the same input: panics when they
/// disagree (see the module docs for what must agree).
pub fn compare(data: &[u8], response: bool) -> Verdict {
    let expected = oracle(data, response);
    let got = core(data, response);
    match got {
        Ok(mut head) => {
            let Some(Ok(want)) = expected.last() else {
                panic!("the core accepted {data:?} as {head:?}, httparse: {expected:?}");
            };
            // httparse keeps a reason with obs-text as "" (its reason is a
            // `&str`); the core keeps the bytes.
            if want.reason.is_empty() && head.reason.iter().any(|&b| b >= 0x80) {
                head.reason.clear();
            }
            assert_eq!(
                &head, want,
                "the core and httparse parsed {data:?} differently"
            );
            assert!(expected.accepted_up_to(None), "{data:?}: {expected:?}");
            Verdict::Accepted
        }
        Err(e) => match e {
            HttpError::InvalidStartLine
            | HttpError::InvalidHeaderName { .. }
            | HttpError::InvalidHeaderValue { .. }
            | HttpError::InvalidTarget { .. } => {
                assert_eq!(
                    expected.last(),
                    Some(&Err(e)),
                    "the core and httparse rejected {data:?} differently: {expected:?}"
                );
                Verdict::Rejected
            }
            HttpError::DuplicateHeader { offset, .. }
            | HttpError::InvalidContentLength { offset }
            | HttpError::ContentLengthWithChunked { offset }
            | HttpError::UnsupportedTransferEncoding { offset }
            | HttpError::UnsupportedExpectation { offset } => {
                assert!(
                    expected.accepted_up_to(Some(offset)),
                    "the core accepted the head of {data:?} ({e:?} after it), httparse: {expected:?}"
                );
                Verdict::AcceptedThenRefused
            }
            HttpError::InvalidChunkSize { .. }
            | HttpError::ChunkSizeOverflow { .. }
            | HttpError::InvalidChunkData { .. }
            | HttpError::ChunkLineTooLong { .. }
            | HttpError::TrailerTooLarge { .. }
            | HttpError::BodyTooLarge { .. }
            | HttpError::EofInBody { .. } => {
                assert!(
                    matches!(expected.last(), Some(Ok(_))) && expected.accepted_up_to(None),
                    "the core accepted the head of {data:?} ({e:?} after it), httparse: {expected:?}"
                );
                Verdict::AcceptedThenRefused
            }
            HttpError::EofInHead { .. } => {
                assert!(
                    expected.incomplete && expected.heads.iter().all(|(_, _, r)| r.is_ok()),
                    "the core found {data:?} incomplete, httparse: {expected:?}"
                );
                Verdict::Incomplete
            }
            _ => Verdict::Scanner,
        },
    }
}
