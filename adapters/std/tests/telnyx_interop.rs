//! `confpart serve --dialect telnyx` (the binary) against the official Telnyx SDKs:
//!
//! - the Python SDK (`CONFPART_PYTHON`: a virtualenv's python with the pinned `telnyx`), which
//!   sends JSON bodies: create, mute, hold with music, coach, fetch by call id and by label,
//!   list, delete, and four refusals, each the SDK's error class with Telnyx's code
//!   (`tests/interop/telnyx_sdk.py`);
//! - the Node SDK (`CONFPART_NODE`, with `tests/interop/node_modules`), which sends form
//!   bodies: the same calls (`tests/interop/telnyx_sdk.js`).
//!
//! Each SDK's base URL is the bridge's `http://127.0.0.1:PORT/v2`. The tests are skipped (and
//! say so) when their variable is not set; `tests/interop/run` installs the SDKs and sets
//! them. Loopback only; every child process is bounded in time and killed at the end.
#![allow(missing_docs)]

mod common;

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use common::{Proc, free_port, run_bounded, tool};

const ACCOUNT: &str = "61bf923e-5e4d-4595-a110-56190ea18a1b";
const KEY: &str = "KEY0123456789ABCDEF_interop";
const OTHER: &str = "6dc6cc1a-1ba1-4351-86b8-4c22c95cd98f";
const OTHER_KEY: &str = "KEY_other_account";

fn interop_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/interop")
}

/// `confpart serve --dialect telnyx` on a free loopback port with two accounts.
fn serve() -> (Proc, u16) {
    let port = free_port();
    let proc = Proc::spawn(
        Command::new(env!("CARGO_BIN_EXE_confpart"))
            .args(["serve", "--dialect", "telnyx", "--listen"])
            .arg(format!("127.0.0.1:{port}"))
            .args(["--account", ACCOUNT, "--token", KEY])
            .args(["--account", OTHER, "--token", OTHER_KEY]),
    );
    proc.wait_for("listening on", Duration::from_secs(20));
    (proc, port)
}

fn scenario(program: &std::path::Path, script: &str, done: &str) {
    let (bridge, port) = serve();
    let (ok, out) = run_bounded(
        Command::new(program)
            .arg(interop_dir().join(script))
            .arg(format!("http://127.0.0.1:{port}"))
            .args([ACCOUNT, KEY]),
        Duration::from_secs(120),
    );
    assert!(ok, "{out}\n--- bridge log:\n{}", bridge.output());
    assert!(out.contains(done), "{out}");
}

#[test]
fn telnyx_python_sdk_scenario() {
    let Some(python) = tool("CONFPART_PYTHON") else {
        return;
    };
    scenario(&python, "telnyx_sdk.py", "telnyx python sdk scenario: ok");
}

#[test]
fn telnyx_node_sdk_scenario() {
    let Some(node) = tool("CONFPART_NODE") else {
        return;
    };
    scenario(&node, "telnyx_sdk.js", "telnyx node sdk scenario: ok");
}
