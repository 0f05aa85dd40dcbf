//! A proxy's answer to `CONNECT` ([`ConnectReader`]): a 2xx ends at its head
//! whatever framing it names, the tunnel's bytes are left to the caller, and
//! a refusal is framed like any response; the same for every split.
use confpart::wire::http::{ConnectReader, HttpError, Progress};
use proptest::prelude::*;

/// Feeds `input` in pieces of `step` bytes; the status and how many bytes of
/// `input` the answer took, or the error.
fn read(input: &[u8], step: usize) -> Result<Option<(u16, usize)>, HttpError> {
    let mut buf = [0u8; 1024];
    let mut reader = ConnectReader::new(&mut buf);
    let mut at = 0;
    for piece in input.chunks(step.max(1)) {
        if let Progress::Complete(m) = reader.feed(piece)? {
            return Ok(Some((m.status(), at + m.consumed())));
        }
        at += piece.len();
    }
    Ok(None)
}

const TLS: &[u8] = b"\x16\x03\x03\x00\x02hi";

#[test]
fn established_ends_at_the_head_even_with_a_length_or_chunked() {
    for head in [
        &b"HTTP/1.1 200 Connection established\r\n\r\n"[..],
        b"HTTP/1.0 200 OK\r\nProxy-Agent: x\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n",
        b"HTTP/1.1 204 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
    ] {
        let input = [head, TLS].concat();
        let status = if head.starts_with(b"HTTP/1.1 204") {
            204
        } else {
            200
        };
        assert_eq!(read(&input, input.len()), Ok(Some((status, head.len()))));
    }
}

#[test]
fn a_refusal_is_framed_like_any_response() {
    let head = b"HTTP/1.1 407 Proxy Authentication Required\r\n\
        Proxy-Authenticate: Basic realm=\"corp\"\r\nContent-Length: 5\r\n\r\n";
    let input = [&head[..], b"deny!"].concat();
    // Not complete before its body.
    assert_eq!(read(&input[..head.len()], 7), Ok(None));
    assert_eq!(read(&input, 3), Ok(Some((407, input.len()))));
    let mut buf = [0u8; 256];
    let mut reader = ConnectReader::new(&mut buf);
    let Progress::Complete(m) = reader.feed(&input).unwrap() else {
        panic!()
    };
    assert_eq!(m.reason(), b"Proxy Authentication Required");
    assert_eq!(
        m.header("proxy-authenticate"),
        Some(&b"Basic realm=\"corp\""[..])
    );
    assert_eq!(m.body(), b"deny!");
    // A refusal without a length ends with the connection.
    let mut buf = [0u8; 256];
    let mut reader = ConnectReader::new(&mut buf);
    reader
        .feed(b"HTTP/1.1 502 Bad Gateway\r\n\r\nupstream down")
        .unwrap();
    assert_eq!(
        reader.finish().map(|m| (m.status(), m.body().len())),
        Ok((502, 13))
    );
}

#[test]
fn interim_answers_are_skipped_and_bad_heads_refused() {
    let input = b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n\r\n";
    assert_eq!(read(input, 1), Ok(Some((200, input.len()))));
    assert!(matches!(
        read(b"HTTP/1.1 200 OK\n\n", 100),
        Err(HttpError::BareLf { .. })
    ));
    assert!(read(b"SSH-2.0-OpenSSH\r\n\r\n", 100).is_err());
}

proptest! {
    #[test]
    fn every_split_reads_the_same(step in 1usize..64, status in prop::sample::select(vec![200u16, 403, 407, 502])) {
        let head = format!("HTTP/1.1 {status} X\r\nContent-Length: 3\r\n\r\n");
        let input = [head.as_bytes(), b"abc", TLS].concat();
        let expected = if status == 200 { head.len() } else { head.len() + 3 };
        prop_assert_eq!(read(&input, step), Ok(Some((status, expected))));
    }
}
