//! Shared pieces of the host tests: a bridge task answering with the
//! core's bridge service (`confpart::bridge::Service`), scripted servers, test
//! certificates.
#![allow(dead_code, missing_docs)]

pub mod chains;

use std::sync::{Arc, Mutex};

use confpart::api::create::Create;
use confpart::api::path::{Dialect, Endpoint};
use confpart::bridge;
use confpart::bridge::{Account, BridgeError, Service};
use confpart::bridge::{ConferenceRef, SequentialIds, Timing};
use confpart::client::{Credentials, Operation, Request};
use confpart::wire::date::Timestamp;
use confpart::wire::http::{Connection, Progress, RequestMessage, RequestReader};
use confpart::wire::ident::{AccountSid, CallSid, ConferenceSid};
use confpart::wire::sink::SliceSink;
use confpart_embassy::{Client, Config, Connection as Conn, Duration};
use embedded_io_adapters::tokio_1::FromTokio;
use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair, PKCS_ECDSA_P256_SHA256};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::io::{AsyncReadExt, AsyncWriteExt, DuplexStream};

pub const AC: &str = "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
pub const TOKEN: &str = "0123456789abcdef0123456789abcdef";

pub type Stream = FromTokio<DuplexStream>;

/// The state a bridge task answers from: the core's bridge service.
pub struct Bridge {
    pub service: Service<'static, 2, 8>,
    pub ids: SequentialIds,
    pub now: Timestamp,
    pub requests: usize,
}

/// The conference the tests talk about: its SID, the agent and the
/// customer (both connected).
#[derive(Clone, Copy, Debug)]
pub struct Room {
    pub conference: ConferenceSid,
    pub agent: CallSid,
    pub customer: CallSid,
}

pub fn account() -> AccountSid {
    AccountSid::parse(AC).unwrap()
}

impl Bridge {
    /// A service with one conference ("room") of two participants, who are
    /// connected by the time the first request is answered.
    pub fn new() -> (Arc<Mutex<Self>>, Room) {
        let accounts: &'static [Account<'static>] =
            Box::leak(Box::new([Account::new(account(), TOKEN)]));
        let mut service = Service::new(Dialect::Twilio, Timing::IMMEDIATE, accounts);
        let mut ids = SequentialIds::new();
        let now = Timestamp::from_unix(1_700_000_000).unwrap();
        let set = service.conferences_mut();
        let a = set
            .create(
                &account(),
                ConferenceRef::parse("room"),
                &Create::new("+15550001", "+15550100"),
                now,
                &mut ids,
            )
            .unwrap();
        let b = set
            .create(
                &account(),
                ConferenceRef::Sid(a.conference),
                &Create::new("+15550002", "+15550100"),
                now,
                &mut ids,
            )
            .unwrap();
        let room = Room {
            conference: a.conference,
            agent: a.call,
            customer: b.call,
        };
        let bridge = Self {
            service,
            ids,
            now: Timestamp::from_unix(1_700_000_060).unwrap(),
            requests: 0,
        };
        (Arc::new(Mutex::new(bridge)), room)
    }

    /// The whole response to one complete request, from
    /// [`Service::handle`].
    pub fn respond(&mut self, m: &RequestMessage<'_>) -> Vec<u8> {
        self.requests += 1;
        let mut out = vec![0u8; 16 * 1024];
        let mut scratch = vec![0u8; 4 * 1024];
        let mut sink = SliceSink::new(&mut out);
        self.service
            .handle(m, self.now, &mut self.ids, &mut scratch, &mut sink)
            .unwrap();
        let n = sink.len();
        out.truncate(n);
        out
    }
}

/// Serves requests on `stream` until the client closes it (or asks for
/// `Connection: close`): the bridge task of the tests.
pub async fn serve(bridge: Arc<Mutex<Bridge>>, mut stream: DuplexStream) {
    let mut rx = vec![0u8; 8 * 1024];
    let mut chunk = [0u8; 256];
    let mut pending: Vec<u8> = Vec::new();
    loop {
        let mut reader = RequestReader::new(&mut rx);
        // Feed what is pending from a previous read, then read more.
        let mut input = std::mem::take(&mut pending);
        let (response, keep) = loop {
            if input.is_empty() {
                let n = match stream.read(&mut chunk).await {
                    Ok(0) | Err(_) => return,
                    Ok(n) => n,
                };
                input.extend_from_slice(&chunk[..n]);
            }
            match reader.feed(&input) {
                Ok(Progress::Partial) => input.clear(),
                Ok(Progress::Complete(m)) => {
                    pending = input[m.consumed()..].to_vec();
                    let response = bridge.lock().unwrap().respond(&m);
                    break (response, m.keep_alive());
                }
                Err(e) => {
                    let mut out = vec![0u8; 1024];
                    let mut sink = SliceSink::new(&mut out);
                    bridge::write_error(&mut sink, &BridgeError::Http(e), Connection::Close)
                        .unwrap();
                    let n = sink.len();
                    let _ = stream.write_all(&out[..n]).await;
                    return;
                }
            }
        };
        if stream.write_all(&response).await.is_err() || !keep {
            return;
        }
    }
}

/// A client-side stream connected to a new bridge task.
pub fn connect(bridge: &Arc<Mutex<Bridge>>) -> Stream {
    let (client, server) = tokio::io::duplex(512);
    tokio::spawn(serve(bridge.clone(), server));
    FromTokio::new(client)
}

/// Reads one complete request from `stream` (a scripted server's first
/// step); `None` when the client closed first.
pub async fn read_request(stream: &mut DuplexStream) -> Option<Vec<u8>> {
    let mut rx = vec![0u8; 8 * 1024];
    let mut reader = RequestReader::new(&mut rx);
    let mut chunk = [0u8; 64];
    loop {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        if let Progress::Complete(m) = reader.feed(&chunk[..n]).ok()? {
            let mut whole = m.path().as_bytes().to_vec();
            whole.extend_from_slice(b"\n");
            whole.extend_from_slice(m.body());
            return Some(whole);
        }
    }
}

/// A client stream whose server is `script` (given the server half).
pub fn scripted<F, Fut>(script: F) -> Stream
where
    F: FnOnce(DuplexStream) -> Fut,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let (client, server) = tokio::io::duplex(4096);
    tokio::spawn(script(server));
    FromTokio::new(client)
}

/// A participant answer naming `call` (200, keep-alive unless `close`).
pub fn participant_response(call: &str, muted: bool, close: bool) -> Vec<u8> {
    let body = format!(r#"{{"call_sid": "{call}", "muted": {muted}}}"#);
    format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: {}\r\n\r\n{body}",
        body.len(),
        if close { "close" } else { "keep-alive" }
    )
    .into_bytes()
}

/// A 429 with `Retry-After` and Twilio's error body.
pub fn too_many(retry_after: &str, close: bool) -> Vec<u8> {
    let body = r#"{"code": 20429, "message": "Too Many Requests", "more_info": "https://www.twilio.com/docs/errors/20429", "status": 429}"#;
    format!(
        "HTTP/1.1 429 Too Many Requests\r\nContent-Type: application/json\r\nRetry-After: {retry_after}\r\nContent-Length: {}\r\nConnection: {}\r\n\r\n{body}",
        body.len(),
        if close { "close" } else { "keep-alive" }
    )
    .into_bytes()
}

pub fn credentials() -> Credentials<'static> {
    Credentials::new(AC, TOKEN).unwrap()
}

/// A Twilio request on `room`'s conference.
pub fn request<'a>(room: &Room, operation: Operation<'a>) -> Request<'a> {
    Request::new(
        Endpoint::twilio(),
        credentials(),
        account(),
        room.conference,
        operation,
    )
}

/// A config with a short deadline for the tests.
pub fn config() -> Config {
    Config {
        timeout: Duration::from_millis(2_000),
        ..Config::DEFAULT
    }
}

/// Client buffers.
pub struct Buffers {
    pub rx: [u8; 4096],
    pub tx: [u8; 1024],
}

impl Buffers {
    pub fn new() -> Self {
        Self {
            rx: [0; 4096],
            tx: [0; 1024],
        }
    }

    pub fn client(&mut self, config: Config) -> Client<'_> {
        Client::new(&mut self.rx, &mut self.tx, config)
    }
}

pub type Connected = Conn<Stream>;

/// Not a cryptographic generator: a test-only xorshift for the client's
/// key share (the server is in this process).
pub struct TestRng(pub u64);

impl rand_core::RngCore for TestRng {
    fn next_u32(&mut self) -> u32 {
        self.next_u64() as u32
    }
    fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        for chunk in dest.chunks_mut(8) {
            let bytes = self.next_u64().to_le_bytes();
            chunk.copy_from_slice(&bytes[..chunk.len()]);
        }
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core::Error> {
        self.fill_bytes(dest);
        Ok(())
    }
}

impl rand_core::CryptoRng for TestRng {}

pub struct Pki {
    pub ca_der: Vec<u8>,
    pub chain: Vec<CertificateDer<'static>>,
    pub key: PrivateKeyDer<'static>,
}

/// `TlsVerify::Anchors` over one CA certificate: `TlsVerify::Anchors(&anchor(der), now())`.
pub fn anchor(ca_der: &[u8]) -> [confpart_embassy::verify::TrustAnchor<'_>; 1] {
    [confpart_embassy::verify::anchor_from_cert(ca_der).unwrap()]
}

/// The host's clock.
pub fn now() -> confpart_embassy::verify::Validity {
    let since = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap();
    confpart_embassy::verify::Validity::At(confpart_embassy::verify::UnixTime::since_unix_epoch(
        since,
    ))
}

/// A CA and a server certificate for `name` signed by it.
pub fn pki(name: &str) -> Pki {
    let ca_key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "confpart test CA");
    let ca = ca_params.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca_params, ca_key);
    let leaf_key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).unwrap();
    let mut leaf_params = CertificateParams::new(vec![name.to_owned()]).unwrap();
    leaf_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, name);
    let leaf = leaf_params.signed_by(&leaf_key, &issuer).unwrap();
    Pki {
        ca_der: ca.der().to_vec(),
        chain: vec![leaf.der().clone()],
        key: PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der())),
    }
}

/// A rustls TLS 1.3 server configuration for `pki`'s certificate.
pub fn tls13_server_config(pki: &Pki) -> Arc<rustls::ServerConfig> {
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_protocol_versions(&[&rustls::version::TLS13])
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(pki.chain.clone(), pki.key.clone_key())
    .unwrap();
    Arc::new(config)
}
