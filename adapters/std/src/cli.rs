//! The `confpart` command's argument tree (clap derive). [`crate::app::run`] dispatches a
//! parsed [`Cli`] to what each command does; errors are [`Error`](crate::error::Error), whose
//! [`Error::exit_code`](crate::error::Error::exit_code) is the process status (see [`exit`]).
//!
//! ```
//! use clap::Parser;
//! use confpart_std::cli::{Cli, Command, Recipe};
//!
//! let cli = Cli::try_parse_from([
//!     "confpart", "update", "--conference", "CF00000000000000000000000000000000",
//!     "--participant", "alice", "--recipe", "mute", "--json",
//! ])?;
//! let Command::Update(args) = &cli.command else { unreachable!() };
//! assert_eq!(args.fields.recipe, Some(Recipe::Mute));
//! assert!(cli.global.json);
//! # Ok::<(), clap::Error>(())
//! ```

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::client::Network;
use crate::config::{Dialect, Overrides, Secret};
use crate::server::LogFormat;

/// Exit statuses (also printed by `--help`).
pub mod exit {
    /// Success.
    pub const OK: u8 = 0;
    /// Bad input, or the service refused the request.
    pub const BAD_INPUT: u8 = 1;
    /// Usage error (unknown flag, missing argument): clap's status.
    pub const USAGE: u8 = 2;
    /// Transport, TLS or timeout failure.
    pub const TRANSPORT: u8 = 3;
}

const EXIT_CODES: &str = "\
Exit codes:
  0  ok
  1  bad input, or refused by the service
  2  usage error
  3  transport, TLS, proxy or timeout failure

Credentials come from the environment: TWILIO_ACCOUNT_SID + TWILIO_AUTH_TOKEN (or
TWILIO_API_KEY + TWILIO_API_SECRET), TWILIO_REGION, TWILIO_EDGE; or SIGNALWIRE_PROJECT_ID +
SIGNALWIRE_API_TOKEN + SIGNALWIRE_SPACE_URL; or TELNYX_API_KEY (sent as a Bearer key) +
TELNYX_ACCOUNT_SID (the TeXML account id, a UUID: confpart's own variable, the Telnyx SDKs
have none) and optionally TELNYX_BASE_URL (as the SDKs read it, e.g.
http://127.0.0.1:8080/v2).";

const DURATIONS: &str = "\
Durations (--idle-timeout and the other timeouts): 500ms, 15s, 2min, 1h 30min (a bare number
is seconds); more than 0 and at most a day.";

/// `confpart`: the Update Conference Participant call for Twilio, SignalWire and Telnyx.
#[derive(Debug, Clone, Parser)]
#[command(name = "confpart", version, about, after_help = EXIT_CODES)]
pub struct Cli {
    /// Flags every command accepts.
    #[command(flatten)]
    pub global: GlobalArgs,
    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

/// Flags every command accepts.
#[derive(Debug, Clone, Default, Args)]
pub struct GlobalArgs {
    /// Print the result as JSON (for scripts).
    #[arg(long, global = true)]
    pub json: bool,
    /// Which service's conventions to follow (default: from the environment, else twilio).
    #[arg(long, global = true, value_enum)]
    pub dialect: Option<DialectArg>,
    /// Send to this base URL instead of the service's host (https://, or http:// to loopback;
    /// for telnyx a /v2 path, as its SDKs' base URL has, is accepted).
    #[arg(long, global = true, value_name = "URL")]
    pub base_url: Option<String>,
    /// The client's network settings.
    #[command(flatten)]
    pub network: NetworkArgs,
}

/// The heading of the client's network flags in `--help`.
const NETWORK: &str = "Network (client commands)";

/// How the client commands reach the service: trust, proxy, timeouts, retries. Each
/// default shown by `--help` is the library's ([`crate::client::Network`]).
#[derive(Debug, Clone, Default, Args)]
pub struct NetworkArgs {
    /// Also trust the CA certificates in this PEM file (repeatable; CONFPART_CA_FILE names
    /// one more). By default the platform's trust store is used (SSL_CERT_FILE and
    /// SSL_CERT_DIR replace it), the bundled Mozilla roots where the platform has none.
    #[arg(long = "ca-file", global = true, value_name = "PEM", help_heading = NETWORK)]
    pub ca_files: Vec<PathBuf>,
    /// Trust only the --ca-file certificates (not the platform's store).
    #[arg(long, global = true, help_heading = NETWORK)]
    pub only_ca_file: bool,
    /// Send through this HTTP proxy: `http://[user:password@]host[:port]` (port 1080 if
    /// none; CONNECT for https). Default: https_proxy / HTTPS_PROXY (http_proxy /
    /// HTTP_PROXY for http://), else ALL_PROXY; hosts in NO_PROXY go direct.
    #[arg(long, global = true, value_name = "URL", value_parser = parse_secret, help_heading = NETWORK)]
    pub proxy: Option<Secret>,
    /// Give up connecting to an address (the service's or the proxy's) after this long.
    #[arg(long, global = true, value_name = "DURATION", default_value = "10s",
          value_parser = parse_duration, help_heading = NETWORK)]
    pub connect_timeout: Option<Duration>,
    /// Give up when the connection sends, or takes, nothing for this long (each read and
    /// write, the TLS handshake included).
    #[arg(long, global = true, value_name = "DURATION", default_value = "30s",
          value_parser = parse_duration, help_heading = NETWORK)]
    pub timeout: Option<Duration>,
    /// Retries after the first attempt: 429 and 503 (Retry-After honoured) and transport
    /// failures, never a create that may have been applied, all within 30s; 0 for none.
    #[arg(long, global = true, value_name = "N", default_value = "3",
          value_parser = clap::value_parser!(u32).range(0..=100), help_heading = NETWORK)]
    pub retries: Option<u32>,
    /// Also retry 404 / error 20404 (Telnyx: 10005) on one participant (the service may
    /// not know a participant just created yet).
    #[arg(long, global = true, help_heading = NETWORK)]
    pub retry_not_found: bool,
}

impl NetworkArgs {
    /// The client's settings these flags make.
    pub fn network(&self) -> Network {
        Network {
            ca_files: self.ca_files.clone(),
            only_ca_files: self.only_ca_file,
            proxy: self.proxy.clone(),
            connect_timeout: self.connect_timeout,
            timeout: self.timeout,
            retries: self.retries,
            retry_not_found: self.retry_not_found,
        }
    }
}

impl GlobalArgs {
    /// The configuration overrides these flags make.
    pub fn overrides(&self) -> Overrides {
        Overrides {
            dialect: self.dialect.map(Dialect::from),
            base_url: self.base_url.clone(),
        }
    }
}

/// `--dialect`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DialectArg {
    /// Twilio Programmable Voice.
    Twilio,
    /// SignalWire's Twilio-compatible API.
    Signalwire,
    /// Telnyx's TeXML API (`/v2/texml`, Bearer API key).
    Telnyx,
}

impl From<DialectArg> for Dialect {
    fn from(d: DialectArg) -> Self {
        match d {
            DialectArg::Twilio => Dialect::Twilio,
            DialectArg::Signalwire => Dialect::SignalWire,
            DialectArg::Telnyx => Dialect::Telnyx,
        }
    }
}

/// The commands.
#[derive(Debug, Clone, Subcommand)]
pub enum Command {
    /// Start a bridge on a loopback port and send it every recipe through the client.
    Demo,
    /// Run the bridge service.
    ///
    /// Conference status callbacks: a conference's first create with
    /// ConferenceStatusCallback (and ConferenceStatusCallbackEvent, default `start end`)
    /// subscribes it; each change it asked for is then sent to that URL (POST, or GET with
    /// ConferenceStatusCallbackMethod), signed with the account's token (X-Twilio-Signature;
    /// SignalWire: X-SignalWire-Signature; Telnyx: Ed25519 with --signing-key, unsigned
    /// without it), in order per conference, retried on 5xx or no
    /// answer, never delaying an answer; drops and failures are logged. They go out with the
    /// client's network settings (--ca-file, --proxy, --connect-timeout, --timeout) and, as
    /// the client's --base-url, to https:// URLs, or http:// on a loopback address only.
    /// `confpart events --listen ADDR --token TOKEN` (Telnyx: --public-key KEY) receives them
    /// and checks each one.
    #[command(after_help = DURATIONS)]
    Serve(ServeArgs),
    /// Update a participant.
    Update(UpdateArgs),
    /// Fetch a participant.
    Fetch(TargetArgs),
    /// List a conference's participants.
    List(ListArgs),
    /// Remove a participant from its conference.
    Delete(TargetArgs),
    /// Add a participant (dial out; Twilio and Telnyx, not SignalWire's API, which has none).
    ///
    /// SignalWire's compatibility API lists, fetches, updates and deletes participants but
    /// has no create: dial a call whose cXML is `<Dial><Conference>` instead. With
    /// --base-url, any bridge that has it (`confpart serve` does, in every dialect).
    Create(CreateArgs),
    /// Print the exact request bytes without sending them.
    #[command(subcommand)]
    Encode(EncodeCommand),
    /// Decode a body and print it as JSON with the service's field names.
    #[command(subcommand)]
    Decode(DecodeCommand),
    /// Receive conference status callbacks: check each signature, print one line per event.
    Events(EventsArgs),
}

/// `confpart events`.
#[derive(Debug, Clone, Args)]
pub struct EventsArgs {
    /// Address to listen on.
    #[arg(long, value_name = "ADDR")]
    pub listen: SocketAddr,
    /// The key callbacks are signed with (the auth token; SignalWire: the signing key).
    /// Without it nothing is checked.
    #[arg(long, value_name = "TOKEN", value_parser = parse_secret)]
    pub token: Option<Secret>,
    /// Scheme and host the sender uses (behind a tunnel or proxy), e.g.
    /// `https://hooks.example.com`; default: `http://` + the Host header.
    #[arg(long, value_name = "URL")]
    pub public_url: Option<String>,
    /// Telnyx: the public key callbacks are signed for (base64 of 32 bytes, as Telnyx
    /// shows it; with --dialect telnyx, default: $TELNYX_PUBLIC_KEY). Each callback's
    /// Ed25519 signature and its timestamp (within 300 s) are checked.
    #[arg(long, value_name = "BASE64")]
    pub public_key: Option<String>,
}

impl Command {
    /// The command's name as typed.
    pub fn name(&self) -> &'static str {
        match self {
            Command::Demo => "demo",
            Command::Serve(_) => "serve",
            Command::Update(_) => "update",
            Command::Fetch(_) => "fetch",
            Command::List(_) => "list",
            Command::Delete(_) => "delete",
            Command::Create(_) => "create",
            Command::Events(_) => "events",
            Command::Encode(EncodeCommand::Update(_)) => "encode update",
            Command::Encode(EncodeCommand::Create(_)) => "encode create",
            Command::Decode(d) => match d.parts().kind {
                DecodeKind::Participant => "decode participant",
                DecodeKind::Error => "decode error",
                DecodeKind::List => "decode list",
                DecodeKind::Form => "decode form",
            },
        }
    }
}

fn parse_secret(s: &str) -> Result<Secret, String> {
    if s.is_empty() {
        Err("must not be empty".to_owned())
    } else {
        Ok(Secret::new(s))
    }
}

/// `confpart serve`.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// An account the bridge accepts (repeatable; each needs a --token, in the same order).
    #[arg(long = "account", value_name = "SID", requires = "tokens")]
    pub accounts: Vec<String>,
    /// The auth token of the --account at the same position (repeatable); with --dialect
    /// telnyx, the API key that account's requests carry as `Authorization: Bearer`.
    #[arg(long = "token", value_name = "TOKEN", value_parser = parse_secret, requires = "accounts")]
    pub tokens: Vec<Secret>,
    /// Pre-create a conference of connected participants and print their SIDs.
    #[arg(long)]
    pub demo_conference: bool,
    /// PEM certificate chain: serve HTTPS.
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// PEM private key for --tls-cert.
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// Worker threads of the server's runtime (default: the available cores).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub workers: Option<u16>,
    /// Open connections at most; past it a new one is answered 503 and closed.
    #[arg(long, value_name = "N", default_value_t = 10_000, value_parser = clap::value_parser!(u32).range(1..))]
    pub max_connections: u32,
    /// Request log format (one line per request on stderr).
    #[arg(long, value_enum, default_value_t = LogFormatArg::Text)]
    pub log_format: LogFormatArg,
    /// Close a connection after this long without a byte of a next request.
    #[arg(long, value_name = "DURATION", default_value = "15s", value_parser = parse_duration)]
    pub idle_timeout: Duration,
    /// Answer 408 and close when a request's head is not complete this long after its
    /// first byte.
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = parse_duration)]
    pub header_timeout: Duration,
    /// Answer 408 and close when a request is not complete this long after its first byte.
    #[arg(long, value_name = "DURATION", default_value = "30s", value_parser = parse_duration)]
    pub request_timeout: Duration,
    /// Close a connection when one write to it blocks this long (a client that does not
    /// read).
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = parse_duration)]
    pub write_timeout: Duration,
    /// Live participants in one conference; the next create answers 429 / 20429.
    #[arg(long, value_name = "N", default_value_t = crate::bridge::DEFAULT_MAX_PARTICIPANTS_PER_CONFERENCE, value_parser = parse_cap)]
    pub max_participants_per_conference: usize,
    /// Live participants in all conferences together (any number of conferences); the
    /// next create answers 429 / 20429. Memory follows the live participants, not this cap.
    #[arg(long, value_name = "N", default_value_t = crate::bridge::DEFAULT_MAX_PARTICIPANTS, value_parser = parse_cap)]
    pub max_participants: usize,
    /// Telnyx: the Ed25519 private key callbacks are signed with, its 32-byte seed in base64
    /// or a file holding it (base64, or the 32 bytes; e.g. `head -c 32 /dev/urandom >
    /// key`). The public key subscribers check with is printed on stderr at start.
    #[arg(long, value_name = "BASE64|FILE")]
    pub signing_key: Option<String>,
}

/// A participant cap: a whole number from 1.
fn parse_cap(s: &str) -> Result<usize, String> {
    match s.parse::<usize>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(format!("{s:?} is not a whole number from 1")),
    }
}

/// A duration in humantime's syntax (`15s`, `500ms`, `2min`, `1h 30m`; a bare number is
/// seconds), more than zero and at most a day.
fn parse_duration(s: &str) -> Result<Duration, String> {
    let parsed = if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
        s.parse()
            .map(Duration::from_secs)
            .map_err(|e| e.to_string())
    } else {
        humantime::parse_duration(s).map_err(|e| e.to_string())
    };
    let d = parsed.map_err(|e| format!("{s:?} is not a duration like 15s, 500ms or 2min ({e})"))?;
    if d.is_zero() || d > MAX_DURATION {
        return Err(format!("{s:?} must be more than 0 and at most a day"));
    }
    Ok(d)
}

/// The longest duration flag: longer ones are a typo, not a timeout.
const MAX_DURATION: Duration = Duration::from_secs(86_400);

/// `--log-format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormatArg {
    /// `POST /path 200 - 1.234ms`
    Text,
    /// One JSON object per line.
    Json,
}

impl From<LogFormatArg> for LogFormat {
    fn from(f: LogFormatArg) -> Self {
        match f {
            LogFormatArg::Text => LogFormat::Text,
            LogFormatArg::Json => LogFormat::Json,
        }
    }
}

/// The participant addressed.
#[derive(Debug, Clone, Args)]
pub struct TargetArgs {
    /// Conference SID (`CF…` or a UUID).
    #[arg(long, value_name = "CF")]
    pub conference: String,
    /// Call SID (`CA…`, a UUID, or Telnyx's `v3:…` call-control id) or the participant's
    /// label.
    #[arg(long, value_name = "CA|LABEL")]
    pub participant: String,
}

/// `GET` or `POST` for a callback URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MethodArg {
    /// `GET`
    #[value(name = "GET", alias = "get")]
    Get,
    /// `POST`
    #[value(name = "POST", alias = "post")]
    Post,
}

/// The request recipes (`--recipe`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Recipe {
    /// `Muted=true`
    Mute,
    /// `Muted=false`
    Unmute,
    /// `Hold=true` (with `--hold-url` for music)
    Hold,
    /// `Hold=false`
    Unhold,
    /// `Muted=false`, `Coaching=true`, `CallSidToCoach` (needs `--call-sid-to-coach`)
    Coach,
    /// `Muted=true`, `Coaching=true`, `CallSidToCoach` (needs `--call-sid-to-coach`)
    Monitor,
    /// `Muted=false`, `Coaching=false`
    Barge,
    /// `AnnounceUrl` (needs `--announce-url`)
    Announce,
}

/// The Update request's fields (all optional); explicit flags refine a `--recipe`.
#[derive(Debug, Clone, Default, Args)]
pub struct UpdateFields {
    /// Start from a recipe.
    #[arg(long, value_enum)]
    pub recipe: Option<Recipe>,
    /// `Muted`
    #[arg(long, value_name = "BOOL")]
    pub muted: Option<bool>,
    /// `Hold`
    #[arg(long, value_name = "BOOL")]
    pub hold: Option<bool>,
    /// `HoldUrl`
    #[arg(long, value_name = "URL")]
    pub hold_url: Option<String>,
    /// `HoldMethod`
    #[arg(long, value_enum, value_name = "METHOD")]
    pub hold_method: Option<MethodArg>,
    /// `AnnounceUrl`
    #[arg(long, value_name = "URL")]
    pub announce_url: Option<String>,
    /// `AnnounceMethod`
    #[arg(long, value_enum, value_name = "METHOD")]
    pub announce_method: Option<MethodArg>,
    /// `WaitUrl` (empty for silence)
    #[arg(long, value_name = "URL")]
    pub wait_url: Option<String>,
    /// `WaitMethod`
    #[arg(long, value_enum, value_name = "METHOD")]
    pub wait_method: Option<MethodArg>,
    /// `Coaching`
    #[arg(long, value_name = "BOOL")]
    pub coaching: Option<bool>,
    /// `CallSidToCoach`
    #[arg(long, value_name = "CA")]
    pub call_sid_to_coach: Option<String>,
    /// `BeepOnExit` (Twilio only)
    #[arg(long, value_name = "BOOL")]
    pub beep_on_exit: Option<bool>,
    /// `EndConferenceOnExit` (Twilio only)
    #[arg(long, value_name = "BOOL")]
    pub end_conference_on_exit: Option<bool>,
}

/// `confpart update`.
#[derive(Debug, Clone, Args)]
pub struct UpdateArgs {
    /// The participant.
    #[command(flatten)]
    pub target: TargetArgs,
    /// The fields to set.
    #[command(flatten)]
    pub fields: UpdateFields,
}

/// `confpart list`.
#[derive(Debug, Clone, Args)]
pub struct ListArgs {
    /// Conference SID.
    #[arg(long, value_name = "CF")]
    pub conference: String,
    /// Only participants with this `Muted`.
    #[arg(long, value_name = "BOOL")]
    pub muted: Option<bool>,
    /// Only participants with this `Hold`.
    #[arg(long, value_name = "BOOL")]
    pub hold: Option<bool>,
    /// Only participants with this `Coaching`.
    #[arg(long, value_name = "BOOL")]
    pub coaching: Option<bool>,
    /// Participants per page (1..=1000).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=1000))]
    pub page_size: Option<u16>,
    /// Follow `next_page_uri` to the last page.
    #[arg(long)]
    pub all: bool,
}

/// The Create request's fields.
#[derive(Debug, Clone, Args)]
pub struct CreateArgs {
    /// Conference SID.
    #[arg(long, value_name = "CF")]
    pub conference: String,
    /// `From`: the caller ID (phone number or client identifier).
    #[arg(long, value_name = "NUMBER")]
    pub from: String,
    /// `To`: who to dial.
    #[arg(long, value_name = "NUMBER")]
    pub to: String,
    /// `Label`
    #[arg(long)]
    pub label: Option<String>,
    /// `Muted`
    #[arg(long, value_name = "BOOL")]
    pub muted: Option<bool>,
    /// `Coaching`
    #[arg(long, value_name = "BOOL")]
    pub coaching: Option<bool>,
    /// `CallSidToCoach`
    #[arg(long, value_name = "CA")]
    pub call_sid_to_coach: Option<String>,
    /// `StartConferenceOnEnter`
    #[arg(long, value_name = "BOOL")]
    pub start_conference_on_enter: Option<bool>,
    /// `EndConferenceOnExit`
    #[arg(long, value_name = "BOOL")]
    pub end_conference_on_exit: Option<bool>,
    /// `BeepOnExit`
    #[arg(long, value_name = "BOOL")]
    pub beep_on_exit: Option<bool>,
    /// `WaitUrl`
    #[arg(long, value_name = "URL")]
    pub wait_url: Option<String>,
    /// `WaitMethod`
    #[arg(long, value_enum, value_name = "METHOD")]
    pub wait_method: Option<MethodArg>,
}

/// `confpart encode`.
#[derive(Debug, Clone, Subcommand)]
pub enum EncodeCommand {
    /// The Update request.
    Update(EncodeUpdateArgs),
    /// The Create request.
    Create(EncodeCreateArgs),
}

/// `confpart encode update`.
#[derive(Debug, Clone, Args)]
pub struct EncodeUpdateArgs {
    /// What `update` takes.
    #[command(flatten)]
    pub update: UpdateArgs,
    /// Show the `Authorization` header instead of redacting it.
    #[arg(long)]
    pub show_auth: bool,
}

/// `confpart encode create`.
#[derive(Debug, Clone, Args)]
pub struct EncodeCreateArgs {
    /// What `create` takes.
    #[command(flatten)]
    pub create: CreateArgs,
    /// Show the `Authorization` header instead of redacting it.
    #[arg(long)]
    pub show_auth: bool,
}

/// `confpart decode`.
#[derive(Debug, Clone, Subcommand)]
pub enum DecodeCommand {
    /// A participant resource (JSON).
    Participant(DecodeInput),
    /// An error body (JSON; Twilio's, SignalWire's or Telnyx's shapes).
    Error(DecodeInput),
    /// A list page (JSON).
    List(DecodeInput),
    /// An Update body: application/x-www-form-urlencoded, or the JSON object the Telnyx
    /// Python and Go SDKs send (a body starting with `{`).
    Form(DecodeInput),
}

/// What `decode` reads.
#[derive(Debug, Clone, Args)]
pub struct DecodeInput {
    /// The file to read; `-` (the default) is standard input.
    #[arg(value_name = "FILE|-", default_value = "-")]
    pub input: PathBuf,
}

/// Which body `decode` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecodeKind {
    /// `decode participant`
    Participant,
    /// `decode error`
    Error,
    /// `decode list`
    List,
    /// `decode form`
    Form,
}

/// A `decode` command as kind and input.
#[derive(Debug, Clone)]
pub struct Decode<'a> {
    /// Which body.
    pub kind: DecodeKind,
    /// From where.
    pub input: &'a DecodeInput,
}

impl DecodeCommand {
    /// The kind and the input.
    pub fn parts(&self) -> Decode<'_> {
        match self {
            DecodeCommand::Participant(i) => Decode {
                kind: DecodeKind::Participant,
                input: i,
            },
            DecodeCommand::Error(i) => Decode {
                kind: DecodeKind::Error,
                input: i,
            },
            DecodeCommand::List(i) => Decode {
                kind: DecodeKind::List,
                input: i,
            },
            DecodeCommand::Form(i) => Decode {
                kind: DecodeKind::Form,
                input: i,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::panic
    )]
    use super::*;
    use crate::app::run;
    use crate::error::Error;
    use clap::CommandFactory;
    use clap::error::ErrorKind;

    const CF: &str = "CF00000000000000000000000000000000";

    fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
        Cli::try_parse_from(std::iter::once("confpart").chain(args.iter().copied()))
    }

    #[test]
    fn the_tree_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn demo_has_no_flags_but_the_global_ones() {
        assert!(matches!(parse(&["demo"]).unwrap().command, Command::Demo));
        let cli = parse(&["demo", "--dialect", "signalwire"]).unwrap();
        assert_eq!(cli.global.dialect, Some(DialectArg::Signalwire));
        assert_eq!(
            parse(&["demo", "--listen", "x"]).unwrap_err().kind(),
            ErrorKind::UnknownArgument
        );
    }

    #[test]
    fn serve_flags() {
        let cli = parse(&[
            "serve",
            "--listen",
            "0.0.0.0:9000",
            "--account",
            "AC1",
            "--token",
            "t1",
            "--account",
            "AC2",
            "--token",
            "t2",
            "--demo-conference",
            "--tls-cert",
            "c.pem",
            "--tls-key",
            "k.pem",
            "--log-format",
            "json",
            "--workers",
            "4",
            "--header-timeout",
            "2s",
            "--write-timeout",
            "500ms",
        ])
        .unwrap();
        let Command::Serve(s) = cli.command else {
            panic!()
        };
        assert_eq!(s.listen, "0.0.0.0:9000".parse().unwrap());
        assert_eq!(s.accounts, ["AC1", "AC2"]);
        assert_eq!(
            s.tokens.iter().map(Secret::expose).collect::<Vec<_>>(),
            ["t1", "t2"]
        );
        assert!(s.demo_conference);
        assert_eq!(s.log_format, LogFormatArg::Json);
        assert_eq!(s.workers, Some(4));
        assert_eq!(s.header_timeout, Duration::from_secs(2));
        assert_eq!(s.write_timeout, Duration::from_millis(500));
        // Not given: clap's default, shown by --help.
        assert_eq!(s.idle_timeout, Duration::from_secs(15));
        let Command::Serve(d) = parse(&["serve"]).unwrap().command else {
            panic!()
        };
        assert_eq!(
            (d.listen.port(), d.workers, d.max_connections, d.log_format),
            (8080, None, 10_000, LogFormatArg::Text)
        );
        assert!(d.tls_cert.is_none());
    }

    #[test]
    fn serve_durations_have_a_unit_and_a_range() {
        for (ok, expected) in [
            ("15", Duration::from_secs(15)),
            ("15s", Duration::from_secs(15)),
            ("1ms", Duration::from_millis(1)),
            ("86400s", Duration::from_secs(86_400)),
            // humantime's syntax: minutes, fractions, several units.
            ("1m", Duration::from_secs(60)),
            ("1.5s", Duration::from_millis(1500)),
            ("1h 30min", Duration::from_secs(5400)),
        ] {
            assert_eq!(parse_duration(ok), Ok(expected), "{ok}");
        }
        for bad in [
            "",
            "s",
            "0s",
            "0ms",
            "-1s",
            "soon",
            "86401s",
            "1d 1s",
            "99999999999999999999s",
            "99999999999999999999",
        ] {
            let e = parse_duration(bad).unwrap_err();
            assert!(e.contains(&format!("{bad:?}")), "{bad}: {e}");
        }
        assert_eq!(
            parse(&["serve", "--idle-timeout", "soon"])
                .unwrap_err()
                .kind(),
            ErrorKind::ValueValidation
        );
    }

    #[test]
    fn serve_help_shows_the_duration_defaults() {
        let mut cmd = Cli::command();
        let help = cmd
            .find_subcommand_mut("serve")
            .unwrap()
            .render_long_help()
            .to_string();
        for default in ["[default: 15s]", "[default: 10s]", "[default: 30s]"] {
            assert!(help.contains(default), "{default}: {help}");
        }
    }

    #[test]
    fn serve_tokens_never_show_in_debug() {
        let cli = parse(&["serve", "--account", "AC1", "--token", "hunter2"]).unwrap();
        assert!(!format!("{cli:?}").contains("hunter2"));
    }

    #[test]
    fn serve_rejects_half_pairs() {
        assert_eq!(
            parse(&["serve", "--tls-cert", "c.pem"]).unwrap_err().kind(),
            ErrorKind::MissingRequiredArgument
        );
        assert_eq!(
            parse(&["serve", "--account", "AC1"]).unwrap_err().kind(),
            ErrorKind::MissingRequiredArgument
        );
        assert_eq!(
            parse(&["serve", "--listen", "nowhere"]).unwrap_err().kind(),
            ErrorKind::ValueValidation
        );
        assert_eq!(
            parse(&["serve", "--workers", "0"]).unwrap_err().kind(),
            ErrorKind::ValueValidation
        );
        let cli = parse(&[
            "serve",
            "--account",
            "AC1",
            "--account",
            "AC2",
            "--token",
            "t",
        ])
        .unwrap();
        assert!(matches!(run(&cli), Err(Error::Input(_))));
    }

    #[test]
    fn update_every_field() {
        let cli = parse(&[
            "update",
            "--conference",
            CF,
            "--participant",
            "alice smith",
            "--muted",
            "true",
            "--hold",
            "false",
            "--hold-url",
            "http://h",
            "--hold-method",
            "GET",
            "--announce-url",
            "http://a",
            "--announce-method",
            "post",
            "--wait-url",
            "",
            "--wait-method",
            "POST",
            "--coaching",
            "true",
            "--call-sid-to-coach",
            "CA1",
            "--beep-on-exit",
            "false",
            "--end-conference-on-exit",
            "true",
            "--recipe",
            "coach",
            "--dialect",
            "twilio",
            "--base-url",
            "http://127.0.0.1:1",
            "--json",
        ])
        .unwrap();
        let Command::Update(u) = &cli.command else {
            panic!()
        };
        assert_eq!(
            (u.target.conference.as_str(), u.target.participant.as_str()),
            (CF, "alice smith")
        );
        let f = &u.fields;
        assert_eq!(
            (f.muted, f.hold, f.coaching),
            (Some(true), Some(false), Some(true))
        );
        assert_eq!(
            (f.beep_on_exit, f.end_conference_on_exit),
            (Some(false), Some(true))
        );
        assert_eq!(
            (f.hold_method, f.announce_method, f.wait_method),
            (
                Some(MethodArg::Get),
                Some(MethodArg::Post),
                Some(MethodArg::Post)
            )
        );
        assert_eq!(f.wait_url.as_deref(), Some(""));
        assert_eq!(f.call_sid_to_coach.as_deref(), Some("CA1"));
        assert_eq!(f.recipe, Some(Recipe::Coach));
        assert!(cli.global.json);
        assert_eq!(
            cli.global.overrides().base_url.as_deref(),
            Some("http://127.0.0.1:1")
        );
        assert_eq!(cli.global.overrides().dialect, Some(Dialect::Twilio));
    }

    #[test]
    fn update_rejects_bad_values() {
        let base = ["update", "--conference", CF, "--participant", "p"];
        let with = |extra: &[&str]| parse(&[&base[..], extra].concat()).unwrap_err().kind();
        assert_eq!(with(&["--muted", "yes"]), ErrorKind::InvalidValue);
        assert_eq!(with(&["--hold-method", "PUT"]), ErrorKind::InvalidValue);
        assert_eq!(with(&["--recipe", "dance"]), ErrorKind::InvalidValue);
        assert_eq!(with(&["--muted"]), ErrorKind::InvalidValue);
        assert_eq!(
            parse(&["update", "--participant", "p"]).unwrap_err().kind(),
            ErrorKind::MissingRequiredArgument
        );
        for recipe in [
            "mute", "unmute", "hold", "unhold", "coach", "monitor", "barge", "announce",
        ] {
            assert!(
                parse(&[&base[..], &["--recipe", recipe]].concat()).is_ok(),
                "{recipe}"
            );
        }
    }

    #[test]
    fn fetch_delete_list_create() {
        assert!(matches!(
            parse(&["fetch", "--conference", CF, "--participant", "CA1"])
                .unwrap()
                .command,
            Command::Fetch(_)
        ));
        assert!(matches!(
            parse(&["delete", "--conference", CF, "--participant", "CA1"])
                .unwrap()
                .command,
            Command::Delete(_)
        ));
        let Command::List(l) = parse(&[
            "list",
            "--conference",
            CF,
            "--muted",
            "true",
            "--hold",
            "false",
            "--page-size",
            "20",
            "--all",
        ])
        .unwrap()
        .command
        else {
            panic!()
        };
        assert_eq!(
            (l.muted, l.hold, l.coaching, l.page_size, l.all),
            (Some(true), Some(false), None, Some(20), true)
        );
        assert_eq!(
            parse(&["list", "--conference", CF, "--page-size", "1001"])
                .unwrap_err()
                .kind(),
            ErrorKind::ValueValidation
        );
        let Command::Create(c) = parse(&[
            "create",
            "--conference",
            CF,
            "--from",
            "+15550001111",
            "--to",
            "client:bob",
            "--label",
            "bob",
            "--start-conference-on-enter",
            "true",
            "--wait-method",
            "GET",
        ])
        .unwrap()
        .command
        else {
            panic!()
        };
        assert_eq!(
            (c.from.as_str(), c.to.as_str(), c.label.as_deref()),
            ("+15550001111", "client:bob", Some("bob"))
        );
        assert_eq!(c.start_conference_on_enter, Some(true));
        assert_eq!(
            parse(&["create", "--conference", CF, "--to", "x"])
                .unwrap_err()
                .kind(),
            ErrorKind::MissingRequiredArgument
        );
    }

    #[test]
    fn encode_and_decode() {
        let cli = parse(&[
            "encode",
            "update",
            "--conference",
            CF,
            "--participant",
            "p",
            "--muted",
            "true",
            "--show-auth",
        ])
        .unwrap();
        let Command::Encode(EncodeCommand::Update(e)) = &cli.command else {
            panic!()
        };
        assert!(e.show_auth);
        assert_eq!(e.update.fields.muted, Some(true));
        assert_eq!(cli.command.name(), "encode update");
        let cli = parse(&[
            "encode",
            "create",
            "--conference",
            CF,
            "--from",
            "a",
            "--to",
            "b",
        ])
        .unwrap();
        assert_eq!(cli.command.name(), "encode create");
        for (kind, expected) in [
            ("participant", DecodeKind::Participant),
            ("error", DecodeKind::Error),
            ("list", DecodeKind::List),
            ("form", DecodeKind::Form),
        ] {
            let cli = parse(&["decode", kind]).unwrap();
            let Command::Decode(d) = &cli.command else {
                panic!()
            };
            assert_eq!(d.parts().kind, expected);
            assert_eq!(d.parts().input.input, PathBuf::from("-"));
            let cli = parse(&["decode", kind, "body.json", "--json"]).unwrap();
            let Command::Decode(d) = &cli.command else {
                panic!()
            };
            assert_eq!(d.parts().input.input, PathBuf::from("body.json"));
        }
        assert_eq!(
            parse(&["decode", "thing"]).unwrap_err().kind(),
            ErrorKind::InvalidSubcommand
        );
        assert_eq!(
            parse(&["encode"]).unwrap_err().kind(),
            ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
        );
    }

    #[test]
    fn network_flags_default_to_the_librarys_values() {
        use crate::transport::Timeouts;
        use confpart::api::retry::RetryPolicy;
        let cli = parse(&["fetch", "--conference", CF, "--participant", "p"]).unwrap();
        let n = cli.global.network.network();
        let library = crate::client::Network::default();
        let config = n.transport().unwrap();
        assert_eq!(config.timeouts, Timeouts::default());
        assert_eq!(config.timeouts, library.transport().unwrap().timeouts);
        assert_eq!(n.retry_policy(), RetryPolicy::default());
        assert!(n.ca_files.is_empty() && !n.only_ca_files && n.proxy.is_none());
        let mut cmd = Cli::command();
        // Global flags reach the subcommands when the tree is built.
        cmd.build();
        let help = cmd
            .find_subcommand_mut("fetch")
            .unwrap()
            .render_long_help()
            .to_string();
        for shown in [
            "--connect-timeout <DURATION>",
            "[default: 10s]",
            "--timeout <DURATION>",
            "[default: 30s]",
            "--retries <N>",
            "[default: 3]",
            "--retry-not-found",
            "--ca-file <PEM>",
            "--only-ca-file",
            "--proxy <URL>",
        ] {
            assert!(help.contains(shown), "{shown}: {help}");
        }
    }

    #[test]
    fn network_flags_before_or_after_the_command() {
        let before = parse(&[
            "--timeout",
            "2s",
            "--retries",
            "0",
            "--proxy",
            "http://u:hunter2@p:3128",
            "fetch",
            "--conference",
            CF,
            "--participant",
            "p",
        ])
        .unwrap();
        let after = parse(&[
            "fetch",
            "--conference",
            CF,
            "--participant",
            "p",
            "--connect-timeout",
            "500ms",
            "--retry-not-found",
            "--ca-file",
            "a.pem",
            "--ca-file",
            "b.pem",
            "--only-ca-file",
        ])
        .unwrap();
        let b = before.global.network.network();
        assert_eq!(
            (b.timeout, b.retries, b.retry_policy().max_attempts),
            (Some(Duration::from_secs(2)), Some(0), 1)
        );
        assert_eq!(
            b.proxy.as_ref().map(Secret::expose),
            Some("http://u:hunter2@p:3128")
        );
        assert!(!format!("{before:?}").contains("hunter2"));
        let a = after.global.network.network();
        assert_eq!(a.connect_timeout, Some(Duration::from_millis(500)));
        assert!(a.retry_policy().retry_not_found && a.only_ca_files);
        assert_eq!(a.ca_files, [PathBuf::from("a.pem"), PathBuf::from("b.pem")]);
        assert_eq!(
            parse(&["--retries", "101", "demo"]).unwrap_err().kind(),
            ErrorKind::ValueValidation
        );
        assert_eq!(
            parse(&["--timeout", "0s", "demo"]).unwrap_err().kind(),
            ErrorKind::ValueValidation
        );
    }

    #[test]
    fn help_lists_exit_codes_and_usage_errors_exit_2() {
        let help = Cli::command().render_long_help().to_string();
        assert!(
            help.contains("3  transport, TLS, proxy or timeout failure"),
            "{help}"
        );
        let e = parse(&["nonsense"]).unwrap_err();
        assert_eq!(e.exit_code(), i32::from(exit::USAGE));
        assert_eq!(
            parse(&["--help"]).unwrap_err().exit_code(),
            i32::from(exit::OK)
        );
    }
}
