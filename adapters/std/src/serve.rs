//! `confpart serve`: the bridge on a TCP (or TLS) port until SIGINT / SIGTERM.
//!
//! The flags become a [`BridgeConfig`] (dialect, accounts) and [`ServerOptions`]
//! (address, workers, connection cap, timeouts, TLS, log format), the client's network
//! flags the callbacks' transport ([`DeliveryConfig`]), and [`bridge::serve`] runs them. Standard
//! output gets `listening on http://ADDR` once the port is bound, then with
//! `--demo-conference` a `conference CF…` line and one `participant CA…` line per
//! participant (scripts and tests read these); the request log goes to stderr.
//!
//! With `--dialect telnyx` the bridge answers TeXML: paths under `/v2/texml` (an SDK's
//! base URL is `http://HOST:PORT/v2`), each `--token` the API key its `--account`'s
//! requests carry as `Authorization: Bearer`, JSON or form bodies, Telnyx's shapes.

use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use confpart::bridge::Timing;

use crate::bridge::{self, BridgeConfig};
use crate::cli::{GlobalArgs, ServeArgs};
use crate::config::{Dialect, Secret};
use crate::delivery::DeliveryConfig;
use crate::demo;
use crate::error::Error;
use crate::server::{ServerOptions, tls_config_from_pem};

/// The labels of the participants `--demo-conference` creates.
const DEMO_LABELS: [&str; 3] = ["agent", "customer", "supervisor"];

/// Checks the flags, then runs the bridge in the foreground, printing on `out`.
pub fn serve(g: &GlobalArgs, args: &ServeArgs, out: &mut dyn Write) -> Result<(), Error> {
    if args.accounts.len() != args.tokens.len() {
        return Err(Error::input(
            "each --account needs one --token, in the same order",
        ));
    }
    let tls = match (&args.tls_cert, &args.tls_key) {
        (Some(cert), Some(key)) => Some(tls_config_from_pem(&read_file(cert)?, &read_file(key)?)?),
        _ => None,
    };
    let dialect = g.dialect.map_or(Dialect::Twilio, Dialect::from);
    let accounts = accounts(dialect, args);
    let first = accounts.first().map(|(a, _)| a.clone()).unwrap_or_default();
    let config = BridgeConfig {
        dialect,
        timing: Timing::IMMEDIATE,
        accounts,
        limits: confpart::bridge::Limits {
            per_conference: args.max_participants_per_conference,
            participants: args.max_participants,
        },
    };
    let scheme = if tls.is_some() { "https" } else { "http" };
    // Callbacks go out as the client's requests do (trust, proxy, timeouts).
    let mut callbacks = DeliveryConfig::new(g.network.network().transport()?);
    callbacks.signing_key = signing_key(dialect, args.signing_key.as_deref())?;
    bridge::serve(
        &config,
        options(args, tls),
        Some(callbacks),
        |bridge, addr| {
            let mut say = |line: String| {
                writeln!(out, "{line}")
                    .and_then(|()| out.flush())
                    .map_err(|e| Error::input(format_args!("stdout: {e}")))
            };
            say(format!("listening on {scheme}://{addr}"))?;
            if args.demo_conference {
                let (conference, calls) = bridge.demo_conference(&first, "demo", &DEMO_LABELS)?;
                say(format!("conference {conference}"))?;
                for call in calls {
                    say(format!("participant {call}"))?;
                }
            }
            Ok(())
        },
    )
}

/// `--signing-key`: a base64 seed, or a file holding one (base64, or the 32 bytes); Telnyx
/// only. The public key is said on stderr, for the subscribers.
fn signing_key(
    dialect: Dialect,
    value: Option<&str>,
) -> Result<Option<confpart::api::signature::Ed25519Key>, Error> {
    use confpart::api::signature::Ed25519Key;
    let Some(value) = value else {
        if dialect == Dialect::Telnyx {
            eprintln!("confpart serve: no --signing-key: Telnyx callbacks are sent unsigned");
        }
        return Ok(None);
    };
    if dialect != Dialect::Telnyx {
        return Err(Error::input(
            "--signing-key is Telnyx's (Ed25519); Twilio and SignalWire callbacks are signed \
             with the account's --token",
        ));
    }
    let key = match Ed25519Key::from_base64(value.trim().as_bytes()) {
        Ok(key) => key,
        // Not a seed: a file of one. A value that names no file is never
        // echoed (it may be a mistyped seed).
        Err(_) if !Path::new(value).is_file() => {
            return Err(Error::input(
                "--signing-key is neither a base64 Ed25519 seed (32 bytes) nor a readable file",
            ));
        }
        Err(_) => {
            let bytes = read_file(Path::new(value))?;
            match <[u8; 32]>::try_from(bytes.as_slice()) {
                Ok(seed) => Ed25519Key::from_seed(&seed),
                Err(_) => Ed25519Key::from_base64(bytes.trim_ascii()).map_err(|e| {
                    Error::input(format_args!(
                        "--signing-key {value}: neither a base64 seed nor a file of one ({e})"
                    ))
                })?,
            }
        }
    };
    let public = key.public_key().to_base64();
    eprintln!(
        "confpart serve: callbacks signed with Ed25519; public key {}",
        String::from_utf8_lossy(&public)
    );
    Ok(Some(key))
}

/// The `--account` / `--token` pairs; without any, the demo's account (said on stderr, so
/// a bridge started by hand is never open without its operator knowing the token).
fn accounts(dialect: Dialect, args: &ServeArgs) -> Vec<(String, Secret)> {
    let mut accounts: Vec<(String, Secret)> = args
        .accounts
        .iter()
        .cloned()
        .zip(args.tokens.iter().cloned())
        .collect();
    if accounts.is_empty() {
        let account = match dialect {
            Dialect::Twilio => demo::TWILIO_ACCOUNT,
            Dialect::SignalWire => demo::SIGNALWIRE_PROJECT,
            Dialect::Telnyx => demo::TELNYX_ACCOUNT,
        };
        eprintln!(
            "no --account given: accepting the demo account {account} with the token {}",
            demo::TOKEN
        );
        accounts.push((account.to_owned(), Secret::new(demo::TOKEN)));
    }
    accounts
}

/// The server settings the flags give (clap fills in every default).
fn options(args: &ServeArgs, tls: Option<Arc<rustls::ServerConfig>>) -> ServerOptions {
    let mut options = ServerOptions::new(args.listen);
    if let Some(workers) = args.workers {
        options.workers = usize::from(workers);
    }
    options.max_connections = usize::try_from(args.max_connections).unwrap_or(usize::MAX);
    options.log_format = args.log_format.into();
    options.idle_timeout = args.idle_timeout;
    options.header_timeout = args.header_timeout;
    options.request_timeout = args.request_timeout;
    options.write_timeout = args.write_timeout;
    options.tls = tls;
    options
}

/// Reads a whole PEM file.
fn read_file(path: &Path) -> Result<Vec<u8>, Error> {
    std::fs::read(path).map_err(|source| Error::Read {
        path: path.to_path_buf(),
        source,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic)]
    use super::*;
    use crate::cli::{Cli, Command};
    use clap::Parser;

    fn serve_args(args: &[&str]) -> ServeArgs {
        let cli = Cli::try_parse_from(["confpart", "serve"].iter().chain(args)).unwrap();
        let Command::Serve(args) = cli.command else {
            panic!()
        };
        args
    }

    #[test]
    fn the_flags_defaults_are_the_servers() {
        let o = options(&serve_args(&[]), None);
        let d = ServerOptions::new(o.listen);
        assert_eq!(
            (
                o.workers,
                o.max_connections,
                o.idle_timeout,
                o.header_timeout
            ),
            (
                d.workers,
                d.max_connections,
                d.idle_timeout,
                d.header_timeout
            )
        );
        assert_eq!(
            (o.request_timeout, o.write_timeout, o.log_format),
            (d.request_timeout, d.write_timeout, d.log_format)
        );
    }

    #[test]
    fn flags_reach_the_server() {
        let args = serve_args(&[
            "--workers",
            "3",
            "--idle-timeout",
            "2min",
            "--max-connections",
            "20",
        ]);
        let o = options(&args, None);
        assert_eq!(o.workers, 3);
        assert_eq!(o.max_connections, 20);
        assert_eq!(o.idle_timeout, std::time::Duration::from_secs(120));
    }

    #[test]
    fn a_missing_pem_file_is_named() {
        let args = serve_args(&["--tls-cert", "/nonexistent/c.pem", "--tls-key", "k.pem"]);
        let e = serve(&GlobalArgs::default(), &args, &mut Vec::new()).unwrap_err();
        assert!(e.to_string().contains("/nonexistent/c.pem"), "{e}");
    }

    #[test]
    fn the_signing_key_is_a_base64_seed_or_a_file() {
        use confpart::api::signature::Ed25519Key;
        let expected = Ed25519Key::from_seed(&[7; 32]).public_key();
        let b64 = "BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=";
        let key =
            |v: &str| signing_key(Dialect::Telnyx, Some(v)).map(|k| k.map(|k| k.public_key()));
        assert_eq!(key(b64).unwrap(), Some(expected));
        let dir = std::env::temp_dir().join(format!("confpart-key-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let (raw, text) = (dir.join("raw"), dir.join("b64"));
        std::fs::write(&raw, [7u8; 32]).unwrap();
        std::fs::write(&text, format!("{b64}\n")).unwrap();
        assert_eq!(key(raw.to_str().unwrap()).unwrap(), Some(expected));
        assert_eq!(key(text.to_str().unwrap()).unwrap(), Some(expected));
        std::fs::write(&text, "short").unwrap();
        assert!(key(text.to_str().unwrap()).is_err());
        // A value that is neither is never echoed: it may be a mistyped seed.
        let typo = "BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBw";
        let e = signing_key(Dialect::Telnyx, Some(typo))
            .unwrap_err()
            .to_string();
        assert!(!e.contains(typo), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(signing_key(Dialect::Twilio, Some(b64)).is_err());
        assert!(signing_key(Dialect::Telnyx, None).unwrap().is_none());
    }
}
