//! TLS 1.3: the embedded-tls client (`net::open_tls`) against a rustls TLS
//! 1.3 server on loopback, with a CA and a server certificate made in the
//! test (ECDSA P-256). Verified against the pinned CA, the recipes go
//! through; a certificate from another CA and a wrong name fail the
//! handshake; `DangerNoVerification` skips the check.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::io::{Read as _, Write as _};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use common::{Bridge, Buffers, config, request};
use confpart::{Operation, ParticipantRef, Progress, RequestReader, Update};
use confpart_embassy::net::{TlsVerify, open_tls};
use confpart_embassy::{Connection, Error};
use embedded_io_adapters::tokio_1::FromTokio;
use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair, PKCS_ECDSA_P256_SHA256};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

/// Not a cryptographic generator: a test-only xorshift for the client's
/// key share (the server is in this process).
struct TestRng(u64);

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

struct Pki {
    ca_der: Vec<u8>,
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
}

/// A CA and a server certificate for `name` signed by it.
fn pki(name: &str) -> Pki {
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

/// A rustls TLS 1.3 server on loopback answering with the bridge, one
/// connection per accept; returns its port.
fn tls_server(pki: &Pki, bridge: Arc<Mutex<Bridge>>) -> u16 {
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_protocol_versions(&[&rustls::version::TLS13])
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(pki.chain.clone(), pki.key.clone_key())
    .unwrap();
    let config = Arc::new(config);
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { return };
            let config = config.clone();
            let bridge = bridge.clone();
            std::thread::spawn(move || {
                let conn = rustls::ServerConnection::new(config).unwrap();
                let mut tls = rustls::StreamOwned::new(conn, stream);
                let mut rx = vec![0u8; 8192];
                let mut chunk = [0u8; 1024];
                loop {
                    let mut reader = RequestReader::new(&mut rx);
                    let response = loop {
                        let n = match tls.read(&mut chunk) {
                            Ok(0) | Err(_) => return,
                            Ok(n) => n,
                        };
                        if let Progress::Complete(m) = reader.feed(&chunk[..n]).unwrap() {
                            break bridge.lock().unwrap().respond(&m);
                        }
                    };
                    if tls.write_all(&response).and_then(|()| tls.flush()).is_err() {
                        return;
                    }
                }
            });
        }
    });
    port
}

async fn tcp(port: u16) -> FromTokio<tokio::net::TcpStream> {
    FromTokio::new(
        tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .unwrap(),
    )
}

#[tokio::test]
async fn verified_tls13_session_carries_the_recipes() {
    let pki = pki("bridge.test");
    let (bridge, room) = Bridge::new();
    let port = tls_server(&pki, bridge.clone());

    let mut read_record = vec![0u8; 16_640];
    let mut write_record = vec![0u8; 16_640];
    let session = open_tls(
        tcp(port).await,
        &mut read_record,
        &mut write_record,
        "bridge.test",
        TlsVerify::Ca(&pki.ca_der),
        TestRng(0x9e37_79b9_7f4a_7c15),
    )
    .await
    .unwrap();

    let mut buffers = Buffers::new();
    let mut client = buffers.client(config());
    let agent = ParticipantRef::Call(room.agent);
    let mut connection = Some(Connection::new(session));
    for update in [
        Update::coach(room.customer),
        Update::monitor(room.customer),
        Update::barge(),
        Update::mute(),
        Update::hold_with_music("https://music.example.com/hold.mp3"),
        Update::announce("https://hooks.example.com/a.xml"),
    ] {
        let req = request(&room, Operation::Update(&agent, update));
        let mut reply = client.send(connection.take().unwrap(), &req).await.unwrap();
        assert_eq!(reply.participant().unwrap().call_sid(), Some(&room.agent));
        connection = reply.take_connection();
    }
    assert_eq!(connection.map(|c| c.exchanges()), Some(6));
    assert_eq!(bridge.lock().unwrap().requests, 6);
}

async fn handshake(port: u16, name: &str, verify: TlsVerify<'_>) -> Result<(), Error> {
    let mut read_record = vec![0u8; 16_640];
    let mut write_record = vec![0u8; 16_640];
    open_tls(
        tcp(port).await,
        &mut read_record,
        &mut write_record,
        name,
        verify,
        TestRng(0x2545_f491_4f6c_dd1d),
    )
    .await
    .map(drop)
}

#[tokio::test]
async fn a_certificate_from_another_ca_fails() {
    let server = pki("bridge.test");
    let other = pki("bridge.test");
    let (bridge, _) = Bridge::new();
    let port = tls_server(&server, bridge);
    let e = handshake(port, "bridge.test", TlsVerify::Ca(&other.ca_der))
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Tls(_)), "{e:?}");
    // The right CA works against the same server.
    handshake(port, "bridge.test", TlsVerify::Ca(&server.ca_der))
        .await
        .unwrap();
}

#[tokio::test]
async fn a_certificate_for_another_name_fails() {
    let server = pki("bridge.test");
    let (bridge, _) = Bridge::new();
    let port = tls_server(&server, bridge);
    let e = handshake(port, "api.twilio.com", TlsVerify::Ca(&server.ca_der))
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Tls(_)), "{e:?}");
}

#[tokio::test]
async fn no_verification_only_by_the_loud_opt_in() {
    let server = pki("bridge.test");
    let other = pki("elsewhere.test");
    let (bridge, _) = Bridge::new();
    let port = tls_server(&server, bridge);
    handshake(port, "bridge.test", TlsVerify::DangerNoVerification)
        .await
        .unwrap();
    assert!(
        handshake(port, "bridge.test", TlsVerify::Ca(&other.ca_der))
            .await
            .is_err()
    );
}
