//! The `confpart` binary: output, `error: ...` lines and exit codes of the commands that
//! need no bridge.
#![allow(missing_docs)]

use std::io::Write;
use std::process::{Command, Output, Stdio};

const AC: &str = "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const CF: &str = "CFaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const TOKEN: &str = "s3cr3t-token";

fn confpart(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_confpart"))
        .args(args)
        .env_clear()
        .env("TWILIO_ACCOUNT_SID", AC)
        .env("TWILIO_AUTH_TOKEN", TOKEN)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    child.wait_with_output().unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn encode_update_is_the_exact_request_with_auth_redacted() {
    let out = confpart(
        &[
            "encode",
            "update",
            "--conference",
            CF,
            "--participant",
            "front desk",
            "--recipe",
            "hold",
            "--hold-url",
            "https://m.example/h.mp3?a=1&b=2",
        ],
        b"",
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let s = text(&out.stdout);
    assert!(s.starts_with(&format!(
        "POST /2010-04-01/Accounts/{AC}/Conferences/{CF}/Participants/front%20desk.json HTTP/1.1\r\nHost: api.twilio.com\r\nAuthorization: Basic <redacted>\r\n"
    )), "{s}");
    assert!(
        s.ends_with("\r\n\r\nHold=true&HoldUrl=https%3A%2F%2Fm.example%2Fh.mp3%3Fa%3D1%26b%3D2"),
        "{s}"
    );
    let shown = confpart(
        &[
            "encode",
            "update",
            "--conference",
            CF,
            "--participant",
            "CAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            "--muted",
            "true",
            "--show-auth",
        ],
        b"",
    );
    assert!(text(&shown.stdout).contains("Authorization: Basic QUNh"));
}

#[test]
fn encode_refuses_a_field_the_dialect_does_not_have() {
    let out = Command::new(env!("CARGO_BIN_EXE_confpart"))
        .args([
            "--dialect",
            "signalwire",
            "encode",
            "update",
            "--conference",
            "b3877c40-da60-4998-90ad-b792e98472af",
            "--participant",
            "b3877c40-da60-4998-90ad-b792e98472b0",
            "--beep-on-exit",
            "false",
        ])
        .env_clear()
        .env(
            "SIGNALWIRE_PROJECT_ID",
            "b3877c40-da60-4998-90ad-b792e98472af",
        )
        .env("SIGNALWIRE_API_TOKEN", "PT0")
        .env("SIGNALWIRE_SPACE_URL", "example")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).starts_with("error: "),
        "{}",
        text(&out.stderr)
    );
    assert!(out.stdout.is_empty());
}

/// `confpart` with a Telnyx environment (and nothing else).
fn telnyx(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_confpart"))
        .args(args)
        .env_clear()
        .env("TELNYX_API_KEY", "KEY01_very_secret")
        .env("TELNYX_ACCOUNT_SID", TX_ACCOUNT)
        .output()
        .unwrap()
}

const TX_ACCOUNT: &str = "61bf923e-5e4d-4595-a110-56190ea18a1b";
const TX_CONFERENCE: &str = "6dc6cc1a-1ba1-4351-86b8-4c22c95cd98f";
const TX_CALL: &str = "v3:9X2vxPDFOr0qjPUjm2avpRlexwBDHbBk3wAhMM2qDqpDRtbpxtvT-aiQ";

#[test]
fn telnyx_encode_from_its_environment() {
    // TELNYX_API_KEY alone picks the dialect; --dialect telnyx says it too.
    for dialect in [&[][..], &["--dialect", "telnyx"][..]] {
        let mut args = dialect.to_vec();
        args.extend([
            "encode",
            "update",
            "--conference",
            TX_CONFERENCE,
            "--participant",
            TX_CALL,
            "--recipe",
            "mute",
        ]);
        let out = telnyx(&args);
        assert!(out.status.success(), "{}", text(&out.stderr));
        let s = text(&out.stdout);
        assert!(
            s.starts_with(&format!(
                "POST /v2/texml/Accounts/{TX_ACCOUNT}/Conferences/{TX_CONFERENCE}/Participants/{TX_CALL} HTTP/1.1\r\n\
                 Host: api.telnyx.com\r\nAuthorization: Bearer <redacted>\r\n"
            )),
            "{s}"
        );
        assert!(s.ends_with("\r\n\r\nMuted=true"), "{s}");
        assert!(!s.contains("very_secret"), "{s}");
    }
    let shown = telnyx(&[
        "encode",
        "update",
        "--conference",
        TX_CONFERENCE,
        "--participant",
        TX_CALL,
        "--muted",
        "true",
        "--show-auth",
    ]);
    assert!(text(&shown.stdout).contains("Authorization: Bearer KEY01_very_secret\r\n"));
    // WaitMethod: not in Telnyx's API, refused before anything is written.
    let out = telnyx(&[
        "encode",
        "update",
        "--conference",
        TX_CONFERENCE,
        "--participant",
        TX_CALL,
        "--wait-url",
        "",
        "--wait-method",
        "get",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("WaitMethod"),
        "{}",
        text(&out.stderr)
    );
    assert!(out.stdout.is_empty());
    // A missing account id names the variable.
    let out = Command::new(env!("CARGO_BIN_EXE_confpart"))
        .args([
            "--dialect",
            "telnyx",
            "fetch",
            "--conference",
            TX_CONFERENCE,
            "--participant",
            TX_CALL,
        ])
        .env_clear()
        .env("TELNYX_API_KEY", "KEY01")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("TELNYX_ACCOUNT_SID"),
        "{}",
        text(&out.stderr)
    );
    // --help says where the account id comes from.
    let help = text(&telnyx(&["--help"]).stdout);
    assert!(
        help.contains("TELNYX_ACCOUNT_SID") && help.contains("TELNYX_API_KEY"),
        "{help}"
    );
}

#[test]
fn decode_prints_json_with_the_service_names() {
    let body = br#"{"call_sid": "CAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "label": "front desk", "muted": true, "hold": false, "status": "connected", "extra": 1}"#;
    let out = confpart(&["decode", "participant"], body);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["call_sid"], "CAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
    assert_eq!(v["label"], "front desk");
    assert_eq!(v["muted"], true);
    assert_eq!(v["status"], "connected");
    let out = confpart(
        &["decode", "form", "-"],
        b"Muted=True&CallSidToCoach=&Beep=false",
    );
    assert_eq!(
        text(&out.stdout).trim(),
        r#"{"call_sid_to_coach":"","ignored_keys":["Beep"],"muted":true}"#
    );
    let out = confpart(
        &["decode", "error"],
        br#"{"code": 16027, "message": "on hold", "status": 400}"#,
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (v["code"].as_u64(), v["status"].as_u64()),
        (Some(16027), Some(400))
    );
}

#[test]
fn bad_input_is_an_error_line_and_exit_1() {
    for (kind, body) in [
        ("participant", &b"{\"muted\": yes}"[..]),
        ("list", b"[]"),
        ("error", b"{}"),
        ("form", b"Muted=maybe"),
    ] {
        let out = confpart(&["decode", kind], body);
        assert_eq!(out.status.code(), Some(1), "{kind}");
        let err = text(&out.stderr);
        assert!(
            err.starts_with("error: ") && err.ends_with('\n'),
            "{kind}: {err}"
        );
        assert!(out.stdout.is_empty(), "{kind}");
    }
    let out = confpart(&["decode", "participant", "/nonexistent/file.json"], b"");
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn exit_codes() {
    // 2: usage.
    assert_eq!(
        confpart(&["update", "--muted", "yes"], b"").status.code(),
        Some(2)
    );
    // 3: transport (nothing listens on port 1).
    let out = confpart(
        &[
            "fetch",
            "--conference",
            CF,
            "--participant",
            "CAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            "--base-url",
            "http://127.0.0.1:1",
        ],
        b"",
    );
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    // 1: bad input (a conference that is no SID), and a secret is never printed.
    let out = confpart(
        &["fetch", "--conference", "CFnope", "--participant", "x"],
        b"",
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(!text(&out.stderr).contains(TOKEN));
    // 1: the environment lacks credentials.
    let out = Command::new(env!("CARGO_BIN_EXE_confpart"))
        .args(["fetch", "--conference", CF, "--participant", "x"])
        .env_clear()
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(text(&out.stderr), "error: TWILIO_ACCOUNT_SID is not set\n");
}
