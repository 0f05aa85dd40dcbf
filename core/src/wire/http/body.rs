//! The message body: limits, and the framing engine both readers share
//! (`Content-Length`, `chunked` with extensions and trailers, or until the
//! connection closes).
//!
//! The engine stores the head at the start of the caller's buffer and the
//! body (de-chunked) right after it, so a complete message is two slices of
//! one buffer and nothing is copied twice.

use super::HttpError;
use super::head::HeadScan;

/// Largest body, in bytes (decoded), whatever the buffer size.
pub const MAX_BODY_LEN: usize = 1024 * 1024;
/// Longest chunk-size line (size, whitespace and extensions), without CRLF.
pub const MAX_CHUNK_LINE_LEN: usize = 1024;
/// Largest trailer section (all trailer lines and their CRLFs).
pub const MAX_TRAILER_LEN: usize = 4096;

/// How the body of a message is delimited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BodyMode {
    /// No body (requests without framing headers, 1xx/204/304 responses).
    Empty,
    /// `Content-Length: n`.
    Length(u64),
    /// `Transfer-Encoding: chunked`.
    Chunked,
    /// A response without framing headers: until the connection closes.
    UntilClose,
}

/// What the head parser decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HeadAction {
    /// Read the body in this mode.
    Body(BodyMode),
    /// An interim (1xx) response: drop it and read the next head.
    Interim,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Chunk {
    /// In the hex digits (`digits`: at least one seen).
    Size { size: usize, digits: bool },
    /// Whitespace after the digits.
    SizeWs { size: usize },
    /// In a chunk extension.
    Ext { size: usize },
    /// After the CR of the chunk-size line.
    SizeLf { size: usize },
    /// In chunk data.
    Data { remaining: usize },
    /// After chunk data: CR expected.
    DataCr,
    /// After chunk data: LF expected.
    DataLf,
    /// At the start of a trailer line (or of the final empty line).
    TrailerStart,
    /// Inside a trailer line.
    TrailerLine,
    /// After a CR in the trailer section (`last`: the line was empty).
    TrailerLf { last: bool },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Body {
    Length {
        remaining: usize,
        declared: u64,
    },
    Chunked {
        state: Chunk,
        line: usize,
        trailer: usize,
    },
    UntilClose,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Head,
    Body(Body),
    Complete,
    Failed(HttpError),
}

const fn hex_digit(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// The framing engine behind both readers.
#[derive(Debug)]
pub(crate) struct Framer<'b> {
    buf: &'b mut [u8],
    /// Bytes stored in `buf` (head, then decoded body).
    len: usize,
    scan: HeadScan,
    /// Length of the head; 0 until it is complete.
    head_len: usize,
    /// Raw body bytes consumed (framing included), for offsets.
    raw: usize,
    phase: Phase,
}

impl<'b> Framer<'b> {
    pub fn new(buf: &'b mut [u8]) -> Self {
        Self {
            buf,
            len: 0,
            scan: HeadScan::default(),
            head_len: 0,
            raw: 0,
            phase: Phase::Head,
        }
    }

    /// Forgets the message; the buffer is reused for the next one.
    pub fn reset(&mut self) {
        self.len = 0;
        self.scan = HeadScan::default();
        self.head_len = 0;
        self.raw = 0;
        self.phase = Phase::Head;
    }

    /// The complete head (empty until then).
    pub fn head(&self) -> &[u8] {
        self.buf.get(..self.head_len).unwrap_or(&[])
    }

    /// The body received so far (de-chunked).
    pub fn body(&self) -> &[u8] {
        self.buf.get(self.head_len..self.len).unwrap_or(&[])
    }

    pub fn is_complete(&self) -> bool {
        self.phase == Phase::Complete
    }

    fn capacity(&self) -> usize {
        self.buf
            .len()
            .saturating_sub(self.head_len)
            .min(MAX_BODY_LEN)
    }

    fn body_offset(&self) -> usize {
        self.scan
            .skipped
            .saturating_add(self.head_len)
            .saturating_add(self.raw)
    }

    /// Feeds input; `parse_head` is called once per complete head with the
    /// head bytes, the skipped count and whether the head holds no control
    /// character but CR, LF and HTAB, and no DEL ([`HeadScan::ctl`]). Returns the input bytes taken and
    /// whether the message is complete.
    pub fn feed(
        &mut self,
        input: &[u8],
        mut parse_head: impl FnMut(&[u8], usize, bool) -> Result<HeadAction, HttpError>,
    ) -> Result<(usize, bool), HttpError> {
        if let Phase::Failed(e) = self.phase {
            return Err(e);
        }
        let mut consumed = 0;
        let result = loop {
            let rest = input.get(consumed..).unwrap_or(&[]);
            match self.phase {
                Phase::Failed(e) => break Err(e),
                Phase::Complete => break Ok(true),
                Phase::Head => match self.scan.scan(self.buf, &mut self.len, rest) {
                    Err(e) => break Err(e),
                    Ok((n, done)) => {
                        consumed += n;
                        if !done {
                            break Ok(false);
                        }
                        self.head_len = self.len;
                        let head = self.buf.get(..self.head_len).unwrap_or(&[]);
                        match parse_head(head, self.scan.skipped, !self.scan.ctl) {
                            Err(e) => break Err(e),
                            Ok(HeadAction::Interim) => {
                                let skipped = self.scan.skipped.saturating_add(self.head_len);
                                self.reset();
                                self.scan.skipped = skipped;
                            }
                            Ok(HeadAction::Body(mode)) => {
                                if let Err(e) = self.begin_body(mode) {
                                    break Err(e);
                                }
                            }
                        }
                    }
                },
                Phase::Body(body) => match self.feed_body(body, rest) {
                    Err(e) => break Err(e),
                    Ok((n, done)) => {
                        consumed += n;
                        break Ok(done);
                    }
                },
            }
        };
        match result {
            Ok(complete) => Ok((consumed, complete)),
            Err(e) => {
                self.phase = Phase::Failed(e);
                Err(e)
            }
        }
    }

    fn begin_body(&mut self, mode: BodyMode) -> Result<(), HttpError> {
        self.phase = match mode {
            BodyMode::Empty | BodyMode::Length(0) => Phase::Complete,
            BodyMode::Length(declared) => {
                let capacity = self.capacity();
                match usize::try_from(declared) {
                    Ok(n) if n <= capacity => Phase::Body(Body::Length {
                        remaining: n,
                        declared,
                    }),
                    _ => {
                        return Err(HttpError::BodyTooLarge {
                            declared: Some(declared),
                            capacity,
                        });
                    }
                }
            }
            BodyMode::Chunked => Phase::Body(Body::Chunked {
                state: Chunk::Size {
                    size: 0,
                    digits: false,
                },
                line: 0,
                trailer: 0,
            }),
            BodyMode::UntilClose => Phase::Body(Body::UntilClose),
        };
        Ok(())
    }

    /// Copies `bytes` to the end of the stored body (capacity checked by the caller).
    fn append(&mut self, bytes: &[u8]) -> Result<(), HttpError> {
        let end = self.len.saturating_add(bytes.len());
        let capacity = self.capacity();
        match self.buf.get_mut(self.len..end) {
            Some(dst) if end - self.head_len <= capacity => {
                crate::wire::sink::copy(dst, bytes);
                self.len = end;
                Ok(())
            }
            _ => Err(HttpError::BodyTooLarge {
                declared: None,
                capacity,
            }),
        }
    }

    fn feed_body(&mut self, body: Body, input: &[u8]) -> Result<(usize, bool), HttpError> {
        match body {
            Body::Length {
                remaining,
                declared,
            } => {
                let take = remaining.min(input.len());
                self.append(input.get(..take).unwrap_or(&[]))?;
                self.raw += take;
                let remaining = remaining - take;
                self.phase = if remaining == 0 {
                    Phase::Complete
                } else {
                    Phase::Body(Body::Length {
                        remaining,
                        declared,
                    })
                };
                Ok((take, remaining == 0))
            }
            Body::UntilClose => {
                self.append(input)?;
                self.raw += input.len();
                Ok((input.len(), false))
            }
            Body::Chunked {
                state,
                line,
                trailer,
            } => self.feed_chunked(state, line, trailer, input),
        }
    }

    fn feed_chunked(
        &mut self,
        mut state: Chunk,
        mut line: usize,
        mut trailer: usize,
        input: &[u8],
    ) -> Result<(usize, bool), HttpError> {
        let mut i = 0;
        while i < input.len() {
            if let Chunk::Data { remaining } = state {
                let take = remaining.min(input.len() - i);
                self.append(input.get(i..i + take).unwrap_or(&[]))?;
                i += take;
                self.raw += take;
                let remaining = remaining - take;
                state = if remaining == 0 {
                    Chunk::DataCr
                } else {
                    Chunk::Data { remaining }
                };
                continue;
            }
            let Some(&b) = input.get(i) else { break };
            let offset = self.body_offset();
            i += 1;
            self.raw += 1;
            state = match state {
                Chunk::Size { size, digits } => match hex_digit(b) {
                    Some(d) => Chunk::Size {
                        size: size
                            .checked_mul(16)
                            .and_then(|s| s.checked_add(usize::from(d)))
                            .ok_or(HttpError::ChunkSizeOverflow { offset })?,
                        digits: true,
                    },
                    None if !digits => return Err(HttpError::InvalidChunkSize { offset }),
                    None => match b {
                        b';' => Chunk::Ext { size },
                        b' ' | b'\t' => Chunk::SizeWs { size },
                        b'\r' => Chunk::SizeLf { size },
                        b'\n' => return Err(HttpError::BareLf { offset }),
                        _ => return Err(HttpError::InvalidChunkSize { offset }),
                    },
                },
                Chunk::SizeWs { size } => match b {
                    b' ' | b'\t' => Chunk::SizeWs { size },
                    b';' => Chunk::Ext { size },
                    b'\r' => Chunk::SizeLf { size },
                    b'\n' => return Err(HttpError::BareLf { offset }),
                    _ => return Err(HttpError::InvalidChunkSize { offset }),
                },
                Chunk::Ext { size } => match b {
                    b'\r' => Chunk::SizeLf { size },
                    b'\n' => return Err(HttpError::BareLf { offset }),
                    b'\t' | 0x20..=0x7e | 0x80..=0xff => Chunk::Ext { size },
                    _ => return Err(HttpError::InvalidChunkSize { offset }),
                },
                Chunk::SizeLf { size } => {
                    if b != b'\n' {
                        return Err(HttpError::BareCr {
                            offset: offset.saturating_sub(1),
                        });
                    }
                    if size == 0 {
                        Chunk::TrailerStart
                    } else {
                        let capacity = self.capacity();
                        let have = self.len - self.head_len;
                        if size > capacity.saturating_sub(have) {
                            return Err(HttpError::BodyTooLarge {
                                declared: None,
                                capacity,
                            });
                        }
                        Chunk::Data { remaining: size }
                    }
                }
                Chunk::Data { remaining } => Chunk::Data { remaining },
                Chunk::DataCr if b == b'\r' => Chunk::DataLf,
                Chunk::DataLf if b == b'\n' => {
                    line = 0;
                    Chunk::Size {
                        size: 0,
                        digits: false,
                    }
                }
                Chunk::DataCr | Chunk::DataLf => {
                    return Err(HttpError::InvalidChunkData { offset });
                }
                Chunk::TrailerStart => match b {
                    b'\r' => Chunk::TrailerLf { last: true },
                    b'\n' => return Err(HttpError::BareLf { offset }),
                    b' ' | b'\t' => return Err(HttpError::ObsFold { offset }),
                    _ => Chunk::TrailerLine,
                },
                Chunk::TrailerLine => match b {
                    b'\r' => Chunk::TrailerLf { last: false },
                    b'\n' => return Err(HttpError::BareLf { offset }),
                    _ => Chunk::TrailerLine,
                },
                Chunk::TrailerLf { last } => {
                    if b != b'\n' {
                        return Err(HttpError::BareCr {
                            offset: offset.saturating_sub(1),
                        });
                    }
                    if last {
                        self.phase = Phase::Complete;
                        return Ok((i, true));
                    }
                    Chunk::TrailerStart
                }
            };
            match state {
                Chunk::Size { .. } | Chunk::SizeWs { .. } | Chunk::Ext { .. } => {
                    line += 1;
                    if line > MAX_CHUNK_LINE_LEN {
                        return Err(HttpError::ChunkLineTooLong {
                            offset: offset.saturating_sub(line - 1),
                            limit: MAX_CHUNK_LINE_LEN,
                        });
                    }
                }
                Chunk::TrailerStart | Chunk::TrailerLine | Chunk::TrailerLf { .. } => {
                    trailer += 1;
                    if trailer > MAX_TRAILER_LEN {
                        return Err(HttpError::TrailerTooLarge {
                            limit: MAX_TRAILER_LEN,
                        });
                    }
                }
                _ => {}
            }
        }
        self.phase = Phase::Body(Body::Chunked {
            state,
            line,
            trailer,
        });
        Ok((input.len(), false))
    }

    /// The peer closed the connection: completes an until-close body, or
    /// says what was missing.
    pub fn finish(&mut self) -> Result<(), HttpError> {
        let result = match self.phase {
            Phase::Failed(e) => Err(e),
            Phase::Complete => Ok(()),
            Phase::Head => Err(HttpError::EofInHead { received: self.len }),
            Phase::Body(Body::UntilClose) => Ok(()),
            Phase::Body(Body::Length { declared, .. }) => Err(HttpError::EofInBody {
                received: self.len - self.head_len,
                expected: Some(declared),
            }),
            Phase::Body(Body::Chunked { .. }) => Err(HttpError::EofInBody {
                received: self.len - self.head_len,
                expected: None,
            }),
        };
        self.phase = match result {
            Ok(()) => Phase::Complete,
            Err(e) => Phase::Failed(e),
        };
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn framer_run(
        mode: BodyMode,
        input: &[u8],
        buf: &mut [u8],
    ) -> Result<((usize, bool), usize), HttpError> {
        let mut f = Framer::new(buf);
        let p = f.feed(input, |_, _, _| Ok(HeadAction::Body(mode)))?;
        Ok((p, f.body().len()))
    }

    #[test]
    fn chunked_with_extensions_and_trailers() {
        let msg = b"X\r\n\r\n3;name=val\r\nabc\r\n2 ; x\r\nde\r\n0\r\nA: b\r\n\r\nNEXT";
        let mut buf = [0u8; 64];
        let mut f = Framer::new(&mut buf);
        let (consumed, complete) = f
            .feed(msg, |_, _, _| Ok(HeadAction::Body(BodyMode::Chunked)))
            .unwrap();
        assert!(complete);
        assert_eq!(&msg[consumed..], b"NEXT");
        assert_eq!(f.body(), b"abcde");
    }

    #[test]
    fn chunk_errors() {
        let mut buf = [0u8; 64];
        let cases: [(&[u8], HttpError); 6] = [
            (
                b"X\r\n\r\n-1\r\n",
                HttpError::InvalidChunkSize { offset: 5 },
            ),
            (b"X\r\n\r\n\r\n", HttpError::InvalidChunkSize { offset: 5 }),
            (b"X\r\n\r\n1\nx", HttpError::BareLf { offset: 6 }),
            (
                b"X\r\n\r\n1\r\nxy",
                HttpError::InvalidChunkData { offset: 9 },
            ),
            (
                // The first hex digit past a `usize`: the 17th on 64-bit hosts, the 9th
                // on 32-bit targets.
                b"X\r\n\r\nFFFFFFFFFFFFFFFFF\r\n",
                HttpError::ChunkSizeOverflow {
                    offset: 5 + (usize::BITS / 4) as usize,
                },
            ),
            (
                b"X\r\n\r\n100\r\n",
                HttpError::BodyTooLarge {
                    declared: None,
                    capacity: 59,
                },
            ),
        ];
        for (input, want) in cases {
            assert_eq!(
                framer_run(BodyMode::Chunked, input, &mut buf),
                Err(want),
                "{input:?}"
            );
        }
    }
}
