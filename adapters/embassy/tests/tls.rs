//! TLS 1.3: the embedded-tls client (`net::open_tls`) against a rustls TLS
//! 1.3 server on loopback, with a CA and a server certificate made in the
//! test (ECDSA P-256). Verified against the pinned CA, the recipes go
//! through; a certificate from another CA and a wrong name fail the
//! handshake; `DangerNoVerification` skips the check.
mod common;

use std::io::{Read as _, Write as _};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use common::chains::{Alg, HOST, intermediate, issue, leaf_params, new_leaf, new_root};
use common::{Bridge, Buffers, Pki, TestRng, anchor, config, now, pki, request};
use confpart::api::update::Update;
use confpart::client::Operation;
use confpart::wire::http::{Progress, RequestReader};
use confpart::wire::ident::ParticipantRef;
use confpart_embassy::net::{TlsVerify, open_tls};
use confpart_embassy::verify::{Validity, VerifyError};
use confpart_embassy::{Connection, Error};
use embedded_io_adapters::tokio_1::FromTokio;

/// A rustls TLS 1.3 server on loopback answering with the bridge, one
/// connection per accept; returns its port.
fn tls_server(pki: &Pki, bridge: Arc<Mutex<Bridge>>) -> u16 {
    let config = common::tls13_server_config(pki);
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
        TlsVerify::Anchors(&anchor(&pki.ca_der), now()),
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
        let req = request(&room, Operation::update(&agent, update));
        let mut reply = client.send(connection.take().unwrap(), &req).await.unwrap();
        assert_eq!(reply.participant().unwrap().call_sid(), Some(&room.agent));
        connection = reply.take_connection();
    }
    assert_eq!(connection.map(|c| c.exchanges()), Some(6));
    assert_eq!(bridge.lock().unwrap().requests, 6);
}

async fn handshake(
    port: u16,
    name: &str,
    verify: TlsVerify<'_>,
) -> Result<(), Error<embedded_tls::TlsError>> {
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
    let e = handshake(
        port,
        "bridge.test",
        TlsVerify::Anchors(&anchor(&other.ca_der), now()),
    )
    .await
    .unwrap_err();
    // The same CA name with another key.
    assert!(
        matches!(e, Error::Certificate(VerifyError::BadSignature)),
        "{e:?}"
    );
    // The right CA works against the same server.
    handshake(
        port,
        "bridge.test",
        TlsVerify::Anchors(&anchor(&server.ca_der), now()),
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn a_certificate_for_another_name_fails() {
    let server = pki("bridge.test");
    let (bridge, _) = Bridge::new();
    let port = tls_server(&server, bridge);
    let e = handshake(
        port,
        "api.twilio.com",
        TlsVerify::Anchors(&anchor(&server.ca_der), now()),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(e, Error::Certificate(VerifyError::WrongHost)),
        "{e:?}"
    );
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
        handshake(
            port,
            "bridge.test",
            TlsVerify::Anchors(&anchor(&other.ca_der), now())
        )
        .await
        .is_err()
    );
}

/// A server sending `leaf`, then `rest`, for the chain made in the test.
fn chain_server(leaf: &common::chains::Node, rest: &[&common::chains::Node]) -> u16 {
    let mut chain = vec![leaf.cert()];
    chain.extend(rest.iter().map(|n| n.cert()));
    let pki = Pki {
        ca_der: Vec::new(),
        chain,
        key: leaf.private_key(),
    };
    let (bridge, _) = Bridge::new();
    tls_server(&pki, bridge)
}

#[tokio::test]
async fn rsa_chain_handshake_is_verified() {
    // DigiCert-shaped: RSA root, RSA intermediate, RSA leaf (rustls signs
    // the handshake with RSA-PSS).
    let root = new_root("Test Global Root G2", Alg::Rsa(0));
    let ca = intermediate("Test Global G2 TLS RSA SHA256 CA1", Alg::Rsa(1), &root);
    let leaf = new_leaf(Alg::Rsa(2), &ca);
    let port = chain_server(&leaf, &[&ca]);
    handshake(port, HOST, TlsVerify::Anchors(&[root.anchor()], now()))
        .await
        .unwrap();
}

#[tokio::test]
async fn ecdsa_chain_handshake_is_verified() {
    let root = new_root("Test Amazon Root CA 4", Alg::P384);
    let ca = intermediate("Test Amazon ECDSA 384 M02", Alg::P384, &root);
    let leaf = new_leaf(Alg::P384, &ca);
    let port = chain_server(&leaf, &[&ca]);
    handshake(port, HOST, TlsVerify::Anchors(&[root.anchor()], now()))
        .await
        .unwrap();
    // Without a clock it works too, and says so in the variant's name.
    handshake(
        port,
        HOST,
        TlsVerify::Anchors(&[root.anchor()], Validity::UncheckedNoClock),
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn forged_chain_handshake_is_refused() {
    // A leaf for attacker.test under the trusted CA signs a certificate
    // for the service's name; the server holds the forged key and so
    // signs the handshake correctly: only the CA check stops it.
    let root = new_root("Test Global Root G2", Alg::P256);
    let ca = intermediate("Test CA1", Alg::P256, &root);
    let attacker = issue(leaf_params(&["attacker.test"]), Alg::P256, &ca);
    let forged = new_leaf(Alg::P256, &attacker);
    let port = chain_server(&forged, &[&attacker, &ca]);
    let e = handshake(port, HOST, TlsVerify::Anchors(&[root.anchor()], now()))
        .await
        .unwrap_err();
    assert!(
        matches!(e, Error::Certificate(VerifyError::IssuerNotCa)),
        "{e:?}"
    );
}
