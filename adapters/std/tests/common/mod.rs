//! Helpers of the interop tests: external programs found through environment variables
//! (set by `tests/interop/run`, which installs them), child processes that are always
//! killed, and deadlines.
#![allow(dead_code, missing_docs)]

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

/// An external tool named by an environment variable; `None` (the test is skipped, and
/// says so) when it is not set.
pub fn tool(var: &str) -> Option<PathBuf> {
    match std::env::var_os(var) {
        Some(p) if !p.is_empty() => Some(PathBuf::from(p)),
        _ => {
            eprintln!("skipped: {var} is not set (tests/interop/run sets it)");
            None
        }
    }
}

/// The OpenAPI description beside the repository (`../shared/openapi`).
pub fn openapi() -> PathBuf {
    std::env::var_os("CONFPART_OPENAPI").map_or_else(
        || {
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("../../../shared/openapi/twilio-participants.json")
        },
        PathBuf::from,
    )
}

/// A free loopback port (bound then released).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A child process whose output lines are collected; killed when dropped.
pub struct Proc {
    pub child: Child,
    pub lines: Arc<Mutex<Vec<String>>>,
    rx: Receiver<String>,
}

impl Proc {
    pub fn spawn(cmd: &mut Command) -> Self {
        let mut child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("spawning {cmd:?}: {e}"));
        let lines = Arc::new(Mutex::new(Vec::new()));
        let (tx, rx) = mpsc::channel();
        let out = child.stdout.take().unwrap();
        let err = child.stderr.take().unwrap();
        for stream in [
            Box::new(out) as Box<dyn std::io::Read + Send>,
            Box::new(err),
        ] {
            let (lines, tx) = (Arc::clone(&lines), tx.clone());
            thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    lines.lock().unwrap().push(line.clone());
                    let _ = tx.send(line);
                }
            });
        }
        Self { child, lines, rx }
    }

    /// Waits (at most `timeout`) for a line containing `needle`; returns it.
    pub fn wait_for(&self, needle: &str, timeout: Duration) -> String {
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.rx.recv_timeout(left) {
                Ok(line) if line.contains(needle) => return line,
                Ok(_) => {}
                Err(_) => panic!(
                    "no line with {needle:?} within {timeout:?}; output:\n{}",
                    self.output()
                ),
            }
        }
    }

    pub fn output(&self) -> String {
        self.lines.lock().unwrap().join("\n")
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs `cmd` to completion within `timeout` (killed after it); returns status and output.
pub fn run_bounded(cmd: &mut Command, timeout: Duration) -> (bool, String) {
    let mut p = Proc::spawn(cmd);
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(status) = p.child.try_wait().unwrap() {
            // Let the reader threads drain.
            thread::sleep(Duration::from_millis(100));
            return (status.success(), p.output());
        }
        if Instant::now() > deadline {
            return (
                false,
                format!("timed out after {timeout:?}\n{}", p.output()),
            );
        }
        thread::sleep(Duration::from_millis(50));
    }
}
