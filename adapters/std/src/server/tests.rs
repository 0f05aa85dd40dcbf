//! The server as a whole, with a line protocol for a handler: keep-alive, pipelining,
//! interim output, the three timeouts, the busy refusal, shutdown, TLS.
use std::io::{self, BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread;
use std::time::{Duration, Instant};

use super::*;
use crate::config::{BaseUrl, Scheme};
use crate::testutil::TestCert;
use crate::transport::{Connection, TransportConfig, Trust};

/// A line protocol: each `\n`-terminated line is a request, answered `echo:<line>`.
/// `close` answers and closes; `sleep` answers after 400 ms; a line starting with `E`
/// gets `continue\n` as soon as the `E` is seen (like `100 Continue`); a line starting
/// with `H` has its head complete as soon as the `H` is seen (the request timeout
/// applies from then on, not the header timeout).
struct Echo;

struct EchoSession {
    continued: bool,
}

impl Handler for Echo {
    type Session = EchoSession;
    fn session(&self, _peer: SocketAddr) -> EchoSession {
        EchoSession { continued: false }
    }
    fn busy(&self, out: &mut Vec<u8>) -> Option<RequestLog> {
        out.extend_from_slice(b"busy\n");
        Some(RequestLog::new("-", "-", 503))
    }
}

impl Session for EchoSession {
    fn on_input(&mut self, input: &[u8], closing: bool, out: &mut Vec<u8>) -> Step {
        let Some(end) = input.iter().position(|&b| b == b'\n') else {
            if input.first() == Some(&b'E') && !self.continued {
                self.continued = true;
                out.extend_from_slice(b"continue\n");
            }
            return Step::NeedMore {
                consumed: 0,
                // A line starting with `H` has its "head" once the `H` is in.
                head_complete: input.first() == Some(&b'H'),
            };
        };
        self.continued = false;
        let line = String::from_utf8_lossy(&input[..end]).into_owned();
        if line == "sleep" {
            thread::sleep(Duration::from_millis(400));
        }
        let _ = writeln!(
            out,
            "echo:{line}{}",
            if closing { " (closing)" } else { "" }
        );
        Step::Done {
            consumed: end + 1,
            keep_alive: line != "close",
            log: RequestLog::new("LINE", format!("/{line}"), 200),
        }
    }

    fn on_abort(&mut self, reason: Abort, out: &mut Vec<u8>) -> Option<RequestLog> {
        out.extend_from_slice(b"timeout\n");
        Some(RequestLog::new("-", "-", 408).with_code(match reason {
            Abort::HeaderTimeout => 1,
            Abort::RequestTimeout => 2,
            Abort::TooLarge => 3,
            Abort::PeerClosed => 4,
        }))
    }
}

struct Running {
    addr: SocketAddr,
    handle: ShutdownHandle,
    stats: Arc<ServerStats>,
    log: Arc<MemoryLog>,
    done: mpsc::Receiver<io::Result<()>>,
}

impl Running {
    fn stop(self) -> Arc<MemoryLog> {
        self.handle.shutdown();
        match self.done.recv_timeout(Duration::from_secs(10)) {
            Ok(r) => r.unwrap(),
            Err(RecvTimeoutError::Timeout) => panic!("server did not stop"),
            Err(e) => panic!("{e}"),
        }
        self.log
    }
}

fn start(configure: impl FnOnce(&mut ServerOptions)) -> Running {
    let log = Arc::new(MemoryLog::default());
    let mut options = ServerOptions::new("127.0.0.1:0".parse().unwrap());
    options.log = log.clone();
    options.workers = 2;
    configure(&mut options);
    let server = Server::bind(options, Echo).unwrap();
    let addr = server.local_addr();
    let handle = server.shutdown_handle();
    let stats = server.stats();
    let (tx, done) = mpsc::channel();
    thread::spawn(move || tx.send(server.run()));
    Running {
        addr,
        handle,
        stats,
        log,
        done,
    }
}

fn client(addr: SocketAddr) -> (TcpStream, BufReader<TcpStream>) {
    let s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let r = BufReader::new(s.try_clone().unwrap());
    (s, r)
}

fn line<R: io::Read>(r: &mut BufReader<R>) -> String {
    let mut l = String::new();
    r.read_line(&mut l).unwrap();
    l
}

#[test]
fn keep_alive_and_pipelining() {
    let srv = start(|_| {});
    let (mut s, mut r) = client(srv.addr);
    s.write_all(b"one\n").unwrap();
    assert_eq!(line(&mut r), "echo:one\n");
    s.write_all(b"two\nthree\n").unwrap(); // pipelined
    assert_eq!(line(&mut r), "echo:two\n");
    assert_eq!(line(&mut r), "echo:three\n");
    s.write_all(b"close\n").unwrap();
    assert_eq!(line(&mut r), "echo:close\n");
    assert_eq!(line(&mut r), ""); // closed by the server
    let log = srv.stop();
    let lines = log.lines();
    assert_eq!(lines.len(), 4);
    assert!(lines[0].starts_with("LINE /one 200 - "), "{}", lines[0]);
}

#[test]
fn interim_output_is_flushed_before_the_request_completes() {
    let srv = start(|_| {});
    let (mut s, mut r) = client(srv.addr);
    s.write_all(b"E").unwrap();
    assert_eq!(line(&mut r), "continue\n");
    s.write_all(b"xpect\n").unwrap();
    assert_eq!(line(&mut r), "echo:Expect\n");
    srv.stop();
}

#[test]
fn idle_timeout_closes() {
    let srv = start(|o| o.idle_timeout = Duration::from_millis(300));
    let (mut s, mut r) = client(srv.addr);
    s.write_all(b"hi\n").unwrap();
    assert_eq!(line(&mut r), "echo:hi\n");
    let t = Instant::now();
    assert_eq!(line(&mut r), "");
    assert!(t.elapsed() < Duration::from_secs(3));
    srv.stop();
}

#[test]
fn slow_client_is_cut_off_and_does_not_block_others() {
    let srv = start(|o| {
        o.workers = 1;
        o.header_timeout = Duration::from_millis(600);
    });
    let (mut slow, mut slow_r) = client(srv.addr);
    let trickle = thread::spawn(move || {
        // One byte every 200 ms, never a newline: a worker would be held forever.
        for b in b"abcdefghijklmnopqrstuvwxyz" {
            if slow.write_all(&[*b]).is_err() {
                break;
            }
            thread::sleep(Duration::from_millis(200));
        }
    });
    thread::sleep(Duration::from_millis(100));
    let t = Instant::now();
    let (mut fast, mut fast_r) = client(srv.addr);
    fast.write_all(b"fast\n").unwrap();
    assert_eq!(line(&mut fast_r), "echo:fast\n");
    assert!(t.elapsed() < Duration::from_secs(3), "{:?}", t.elapsed());
    assert_eq!(line(&mut slow_r), "timeout\n");
    trickle.join().unwrap();
    let log = srv.stop();
    assert!(
        log.lines().iter().any(|l| l.starts_with("- - 408 1 ")),
        "{:?}",
        log.lines()
    );
}

#[test]
fn a_request_whose_head_is_in_gets_the_request_timeout() {
    let srv = start(|o| {
        o.header_timeout = Duration::from_millis(300);
        o.request_timeout = Duration::from_millis(1_200);
    });
    let (mut s, mut r) = client(srv.addr);
    let t = Instant::now();
    s.write_all(b"H").unwrap(); // the head is complete; the "body" never comes
    assert_eq!(line(&mut r), "timeout\n");
    let took = t.elapsed();
    assert!(took >= Duration::from_millis(1_100), "{took:?}");
    assert!(took < Duration::from_secs(4), "{took:?}");
    assert_eq!(line(&mut r), "");
    let log = srv.stop();
    assert!(
        log.lines().iter().any(|l| l.starts_with("- - 408 2 ")),
        "{:?}",
        log.lines()
    );
}

#[test]
fn silent_client_is_closed_by_the_idle_timeout() {
    let srv = start(|o| {
        o.workers = 1;
        o.idle_timeout = Duration::from_millis(300);
    });
    // The idle timeout holds without a worker of its own.
    let (_silent, mut silent_r) = client(srv.addr);
    assert_eq!(line(&mut silent_r), "");
    let (mut s, mut r) = client(srv.addr);
    s.write_all(b"next\n").unwrap();
    assert_eq!(line(&mut r), "echo:next\n");
    srv.stop();
}

#[test]
fn connections_past_the_cap_are_refused_logged_and_counted() {
    let srv = start(|o| o.max_connections = 2);
    let (mut a, mut a_r) = client(srv.addr);
    let (mut b, mut b_r) = client(srv.addr);
    a.write_all(b"a\n").unwrap();
    b.write_all(b"b\n").unwrap();
    assert_eq!(line(&mut a_r), "echo:a\n");
    assert_eq!(line(&mut b_r), "echo:b\n");
    // Two open: the third is refused, even with its request already sent.
    let (mut refused, mut refused_r) = client(srv.addr);
    let _ = refused.write_all(b"c\n");
    assert_eq!(line(&mut refused_r), "busy\n");
    assert_eq!(line(&mut refused_r), "");
    assert_eq!((srv.stats.open(), srv.stats.refused()), (2, 1));
    // One closes: a new connection is served again.
    drop((a, a_r));
    let t = Instant::now();
    while srv.stats.open() > 1 {
        assert!(t.elapsed() < Duration::from_secs(5), "never closed");
        thread::sleep(Duration::from_millis(10));
    }
    let (mut c, mut c_r) = client(srv.addr);
    c.write_all(b"c\n").unwrap();
    assert_eq!(line(&mut c_r), "echo:c\n");
    assert_eq!(srv.stats.accepted(), 3);
    drop(b);
    let log = srv.stop();
    assert!(
        log.lines()
            .iter()
            .any(|l| l.starts_with("- - 503 - ") && l.contains("peer=127.0.0.1:")),
        "{:?}",
        log.lines()
    );
}

#[test]
fn a_thousand_idle_connections_cost_tasks_not_threads() {
    let srv = start(|o| o.workers = 1);
    let mut idle: Vec<TcpStream> = (0..1_000)
        .map(|_| TcpStream::connect(srv.addr).unwrap())
        .collect();
    // Every one of them is served, on one worker thread, while all stay open.
    for (i, s) in idle.iter_mut().enumerate() {
        s.write_all(format!("{i}\n").as_bytes()).unwrap();
    }
    for (i, s) in idle.iter_mut().enumerate() {
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let mut r = BufReader::new(s);
        assert_eq!(line(&mut r), format!("echo:{i}\n"));
    }
    assert_eq!(srv.stats.open(), 1_000);
    let log = srv.stop();
    assert_eq!(log.lines().len(), 1_000);
}

#[test]
fn shutdown_lets_an_in_flight_request_finish() {
    let srv = start(|_| {});
    let (mut s, mut r) = client(srv.addr);
    let (_idle, mut idle_r) = client(srv.addr);
    let t = Instant::now();
    while srv.stats.open() < 2 {
        assert!(t.elapsed() < Duration::from_secs(5), "not accepted");
        thread::sleep(Duration::from_millis(10));
    }
    s.write_all(b"sleep\n").unwrap();
    thread::sleep(Duration::from_millis(100)); // the handler is running now
    let t = Instant::now();
    let log = srv.stop();
    // `run` returned only after the response was written.
    assert_eq!(line(&mut r), "echo:sleep\n");
    assert_eq!(line(&mut r), "");
    assert_eq!(line(&mut idle_r), "");
    assert!(t.elapsed() < Duration::from_secs(5));
    assert_eq!(log.lines().len(), 1);
}

#[test]
fn a_request_arriving_during_shutdown_is_answered_as_closing() {
    let srv = start(|_| {});
    let (mut s, mut r) = client(srv.addr);
    s.write_all(b"sleep\nsecond\n").unwrap(); // the second is read while shutting down
    thread::sleep(Duration::from_millis(100));
    srv.stop();
    assert_eq!(line(&mut r), "echo:sleep\n");
    assert_eq!(line(&mut r), "echo:second (closing)\n");
    assert_eq!(line(&mut r), "");
}

#[test]
fn too_much_unconsumed_input_is_aborted() {
    let srv = start(|o| o.max_buffered = 64);
    let (mut s, mut r) = client(srv.addr);
    s.write_all(&[b'x'; 200]).unwrap();
    assert_eq!(line(&mut r), "timeout\n");
    let log = srv.stop();
    assert!(
        log.lines().iter().any(|l| l.starts_with("- - 408 3 ")),
        "{:?}",
        log.lines()
    );
}

/// A TLS server (`configure`d further) with a fresh certificate for 127.0.0.1; its base URL
/// and a client configuration that trusts that certificate.
fn start_tls(configure: impl FnOnce(&mut ServerOptions)) -> (Running, BaseUrl, TransportConfig) {
    let cert = TestCert::new(&["127.0.0.1"]);
    let tls = tls_config_from_pem(cert.cert_pem.as_bytes(), cert.key_pem.as_bytes()).unwrap();
    let srv = start(|o| {
        o.tls = Some(tls);
        configure(o);
    });
    let base = BaseUrl {
        scheme: Scheme::Https,
        host: "127.0.0.1".into(),
        port: srv.addr.port(),
    };
    let config = TransportConfig::with_trust(&Trust::Certificates(vec![cert.cert_der])).unwrap();
    (srv, base, config)
}

#[test]
fn tls_from_pem() {
    let (srv, base, config) = start_tls(|_| {});
    let mut conn = Connection::open(&base, &config).unwrap();
    conn.send(b"secure\n").unwrap();
    let mut r = BufReader::new(conn.stream());
    let mut l = String::new();
    r.read_line(&mut l).unwrap();
    assert_eq!(l, "echo:secure\n");
    // An untrusting client fails the handshake; the server goes on.
    let other = TestCert::new(&["127.0.0.1"]);
    let config = TransportConfig::with_trust(&Trust::Certificates(vec![other.cert_der])).unwrap();
    assert!(Connection::open(&base, &config).is_err());
    srv.stop();
}

#[test]
fn a_tls_connection_past_the_cap_gets_the_busy_answer_over_tls() {
    let (srv, base, config) = start_tls(|o| o.max_connections = 1);
    let mut held = Connection::open(&base, &config).unwrap();
    held.send(b"held\n").unwrap();
    let mut r = BufReader::new(held.stream());
    let mut l = String::new();
    r.read_line(&mut l).unwrap();
    assert_eq!(l, "echo:held\n");
    // The second is over the cap: the handshake completes, then the busy answer, then close;
    // never plain bytes on a TLS port.
    let mut refused = Connection::open(&base, &config).unwrap();
    let _ = refused.send(b"refused\n");
    let mut r = BufReader::new(refused.stream());
    let mut busy = String::new();
    r.read_line(&mut busy).unwrap();
    assert_eq!(busy, "busy\n");
    let mut rest = String::new();
    assert_eq!(
        r.read_line(&mut rest).unwrap_or(0),
        0,
        "closed after the answer"
    );
    assert_eq!((srv.stats.open(), srv.stats.refused()), (1, 1));
    srv.stop();
}

/// What an idle connection costs is mostly its task: the future of a plain connection
/// stays small (rustls's state is boxed, the buffers are the worker thread's).
#[test]
fn a_plain_connections_task_is_small() {
    let shared = Arc::new(conn::Shared {
        options: ServerOptions::new("127.0.0.1:0".parse().unwrap()),
        handler: Echo,
        logger: log::Logger::new(LogFormat::Text, Arc::new(MemoryLog::default())),
        tls: None,
    });
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let s = tokio::net::TcpStream::connect(l.local_addr().unwrap())
            .await
            .unwrap();
        let (_tx, rx) = tokio::sync::watch::channel(false);
        let f = conn::run(s, "127.0.0.1:1".parse().unwrap(), shared, rx);
        let size = std::mem::size_of_val(&f);
        assert!(size <= 1536, "a connection's future is {size} bytes");
    });
}
