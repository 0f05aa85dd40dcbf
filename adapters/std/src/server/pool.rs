//! The worker pool: a fixed number of threads, each serving one connection at a time
//! ([`super::conn`]), fed by a queue of accepted connections. Holds the capacity rule: when
//! `workers + backlog` connections are open (served or queued), a new one gets the
//! handler's [`Handler::busy`] bytes and is closed.

use std::io::{self, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, SyncSender, TrySendError};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use super::conn;
use super::handler::Handler;
use super::log::Logger;
use super::options::ServerOptions;

/// An accepted connection and its peer.
type Accepted = (TcpStream, SocketAddr);

/// Running workers and the queue in front of them.
pub(super) struct Pool<H: Handler> {
    queue: SyncSender<Accepted>,
    threads: Vec<thread::JoinHandle<()>>,
    /// Connections accepted and not yet finished (queued or being served).
    outstanding: Arc<AtomicUsize>,
    limit: usize,
    handler: Arc<H>,
    write_timeout: Duration,
}

/// What became of a connection offered to the pool.
pub(super) enum Offer {
    /// Queued for a worker, or refused with the busy bytes.
    Taken,
    /// The workers are gone: stop accepting.
    Closed,
}

impl<H: Handler> Pool<H> {
    /// Starts `options.workers` (at least one) worker threads.
    pub(super) fn start(
        options: Arc<ServerOptions>,
        handler: Arc<H>,
        flag: Arc<AtomicBool>,
        logger: Arc<Logger>,
    ) -> io::Result<Self> {
        let workers = options.workers.max(1);
        let limit = workers.saturating_add(options.backlog);
        let outstanding = Arc::new(AtomicUsize::new(0));
        let (queue, rx) = mpsc::sync_channel::<Accepted>(limit);
        let rx = Arc::new(Mutex::new(rx));
        let mut threads = Vec::with_capacity(workers);
        for i in 0..workers {
            let (rx, options, handler, flag, outstanding, logger) = (
                Arc::clone(&rx),
                Arc::clone(&options),
                Arc::clone(&handler),
                Arc::clone(&flag),
                Arc::clone(&outstanding),
                Arc::clone(&logger),
            );
            threads.push(
                thread::Builder::new()
                    .name(format!("confpart-worker-{i}"))
                    .spawn(move || {
                        worker(&rx, &options, &*handler, &flag, &outstanding, &logger);
                    })?,
            );
        }
        Ok(Self {
            queue,
            threads,
            outstanding,
            limit,
            handler,
            write_timeout: options.write_timeout,
        })
    }

    /// Queues `socket` for a worker, or refuses it when the pool is full.
    pub(super) fn offer(&self, socket: TcpStream, peer: SocketAddr) -> Offer {
        if self.outstanding.load(Ordering::SeqCst) >= self.limit {
            refuse(socket, &*self.handler, self.write_timeout);
            return Offer::Taken;
        }
        self.outstanding.fetch_add(1, Ordering::SeqCst);
        match self.queue.try_send((socket, peer)) {
            Ok(()) => Offer::Taken,
            Err(TrySendError::Full((socket, _))) => {
                self.outstanding.fetch_sub(1, Ordering::SeqCst);
                refuse(socket, &*self.handler, self.write_timeout);
                Offer::Taken
            }
            Err(TrySendError::Disconnected(_)) => Offer::Closed,
        }
    }

    /// Closes the queue and waits for every worker (queued connections are served first).
    pub(super) fn join(self) {
        drop(self.queue);
        for t in self.threads {
            let _ = t.join();
        }
    }
}

/// Writes the handler's busy bytes (waiting at most a second) and closes.
fn refuse<H: Handler>(mut socket: TcpStream, handler: &H, write_timeout: Duration) {
    let mut out = Vec::new();
    handler.busy(&mut out);
    if !out.is_empty() {
        let _ = socket.set_write_timeout(Some(write_timeout.min(Duration::from_secs(1))));
        let _ = socket.write_all(&out);
    }
    let _ = socket.shutdown(Shutdown::Both);
}

/// One worker thread: serves queued connections until the queue is closed.
fn worker<H: Handler>(
    rx: &Mutex<Receiver<Accepted>>,
    options: &ServerOptions,
    handler: &H,
    flag: &AtomicBool,
    outstanding: &AtomicUsize,
    logger: &Logger,
) {
    loop {
        let next = match rx.lock() {
            Ok(rx) => rx.recv(),
            Err(_) => return,
        };
        let Ok((socket, peer)) = next else { return };
        let mut session = handler.session(peer);
        let _ = conn::serve(socket, peer, options, &mut session, flag, logger);
        outstanding.fetch_sub(1, Ordering::SeqCst);
    }
}
