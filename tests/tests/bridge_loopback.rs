//! The issue-9 scenario through real HTTP on loopback. The server is what
//! issue 9 says a bridge should be with the core's service: a socket loop,
//! a mutex and a clock, nothing else — a `TcpListener` on 127.0.0.1:0, one
//! thread per connection reading with the core's `RequestReader`
//! (keep-alive, pipelined bytes carried over), a `Mutex<Service>`, and
//! `SystemTime` as the clock. The client writes with the core's `Request`
//! and reads with its `ResponseReader` over a `TcpStream`. Everything is
//! bounded in time: socket timeouts, and every thread is joined.
#[path = "../../core/tests/service_support/mod.rs"]
mod service_support;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use confpart::api::operation::OperationKind;
use confpart::api::path::Dialect;
use confpart::bridge;
use confpart::bridge::{Account, Service};
use confpart::bridge::{SequentialIds, Timing};
use confpart::wire::date::Timestamp;
use confpart::wire::http::{Progress, RequestReader};
use confpart::wire::sink::SliceSink;
use service_support::{Reply, Wire, accounts, scenario};

const TIMEOUT: Duration = Duration::from_secs(10);

type Bridge = Service<'static, 4, 8>;

struct Server {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    accept: Option<JoinHandle<Vec<JoinHandle<()>>>>,
    connections: Arc<AtomicUsize>,
}

fn now() -> Timestamp {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    Timestamp::from_unix(secs).unwrap()
}

impl Server {
    fn start(timing: Timing) -> Server {
        let accounts: &'static [Account<'static>] = Box::leak(Box::new(accounts()));
        let state = Arc::new(Mutex::new((
            Bridge::new(Dialect::Twilio, timing, accounts),
            SequentialIds::new(),
        )));
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let connections = Arc::new(AtomicUsize::new(0));
        let accept = {
            let stop = Arc::clone(&stop);
            let connections = Arc::clone(&connections);
            thread::spawn(move || {
                let mut workers = Vec::new();
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    connections.fetch_add(1, Ordering::SeqCst);
                    let state = Arc::clone(&state);
                    workers.push(thread::spawn(move || serve(stream, &state)));
                }
                workers
            })
        };
        Server {
            addr,
            stop,
            accept: Some(accept),
            connections,
        }
    }

    fn stop(mut self) -> usize {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop.
        drop(TcpStream::connect(self.addr));
        let workers = self.accept.take().unwrap().join().unwrap();
        for w in workers {
            w.join().unwrap();
        }
        self.connections.load(Ordering::SeqCst)
    }
}

/// One connection: requests in, answers out, until the peer closes, an
/// answer says `Connection: close`, or the socket times out.
fn serve(mut stream: TcpStream, state: &Mutex<(Bridge, SequentialIds)>) {
    stream.set_read_timeout(Some(TIMEOUT)).unwrap();
    stream.set_write_timeout(Some(TIMEOUT)).unwrap();
    let mut rx = vec![0u8; 16 * 1024];
    let mut scratch = vec![0u8; 16 * 1024];
    let mut tx = vec![0u8; 64 * 1024];
    let mut chunk = [0u8; 4096];
    // Bytes read past the previous request (pipelining).
    let mut pending: Vec<u8> = Vec::new();
    loop {
        let mut reader = RequestReader::new(&mut rx);
        let mut continued = false;
        let (keep_alive, written, leftover) = loop {
            let input = if pending.is_empty() {
                let n = match stream.read(&mut chunk) {
                    Ok(0) | Err(_) => return,
                    Ok(n) => n,
                };
                chunk[..n].to_vec()
            } else {
                std::mem::take(&mut pending)
            };
            let mut out = SliceSink::new(&mut tx);
            match reader.feed(&input) {
                Ok(Progress::Partial) => {
                    if reader.expect_continue() && !continued {
                        continued = true;
                        bridge::write_continue(&mut out).unwrap();
                        let n = out.len();
                        stream.write_all(&tx[..n]).unwrap();
                    }
                }
                Ok(Progress::Complete(m)) => {
                    let leftover = input[m.consumed()..].to_vec();
                    let mut guard = state.lock().unwrap();
                    let (service, ids) = &mut *guard;
                    let handled = service
                        .handle(&m, now(), ids, &mut scratch, &mut out)
                        .unwrap();
                    // Notices would be delivered here; the test drops them.
                    while service.pop_notice().is_some() {}
                    break (handled.keep_alive, out.len(), leftover);
                }
                Err(e) => {
                    Bridge::reject(&e, &mut out).unwrap();
                    break (false, out.len(), Vec::new());
                }
            }
        };
        if stream.write_all(&tx[..written]).is_err() || !keep_alive {
            return;
        }
        pending = leftover;
    }
}

/// The client side: one keep-alive connection, opened again after the
/// server closed it.
struct Loopback {
    addr: SocketAddr,
    stream: Option<TcpStream>,
    opened: usize,
}

impl Wire for Loopback {
    fn exchange(&mut self, request: &[u8], kind: OperationKind) -> Reply {
        if self.stream.is_none() {
            let stream = TcpStream::connect_timeout(&self.addr, TIMEOUT).unwrap();
            stream.set_read_timeout(Some(TIMEOUT)).unwrap();
            stream.set_write_timeout(Some(TIMEOUT)).unwrap();
            self.stream = Some(stream);
            self.opened += 1;
        }
        let stream = self.stream.as_mut().unwrap();
        stream.write_all(request).unwrap();
        let mut buf = [0u8; 4096];
        let reply = Reply::read(kind, || match stream.read(&mut buf) {
            Ok(0) | Err(_) => None,
            Ok(n) => Some(buf[..n].to_vec()),
        });
        if !reply.keep_alive {
            self.stream = None;
        }
        reply
    }

    fn wait(&mut self, millis: u64) {
        thread::sleep(Duration::from_millis(millis));
    }
}

#[test]
fn scenario_over_loopback() {
    let server = Server::start(Timing {
        to_connecting: 1,
        to_ringing: 0,
        to_connected: 0,
    });
    let mut client = Loopback {
        addr: server.addr,
        stream: None,
        opened: 0,
    };
    scenario(&mut client, 1000);
    // Keep-alive: one connection for the whole scenario (the last answer
    // closed it).
    assert!(client.stream.is_none());
    assert_eq!(client.opened, 1);

    // Framing errors are answered (by `reject`) and the connection closed.
    let mut stream = TcpStream::connect_timeout(&server.addr, TIMEOUT).unwrap();
    stream.set_read_timeout(Some(TIMEOUT)).unwrap();
    stream
        .write_all(b"POST /x HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab")
        .unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).unwrap();
    let text = String::from_utf8(answer).unwrap();
    assert!(text.starts_with("HTTP/1.1 400 "), "{text}");
    assert!(text.contains("\r\nConnection: close\r\n"));

    // Two pipelined requests in one write: two answers, in order.
    let mut stream = TcpStream::connect_timeout(&server.addr, TIMEOUT).unwrap();
    stream.set_read_timeout(Some(TIMEOUT)).unwrap();
    stream
        .write_all(b"GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).unwrap();
    let text = String::from_utf8(answer).unwrap();
    assert_eq!(
        text.matches("HTTP/1.1 404 Not Found\r\n").count(),
        2,
        "{text}"
    );

    assert_eq!(server.stop(), 3);
}
