//! Test helpers: rcgen certificates and a loopback TLS echo server.
#![allow(missing_docs)]

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::{ServerConfig, ServerConnection, StreamOwned};

/// A self-signed certificate for the given names (DNS names or IP addresses).
pub struct TestCert {
    pub cert_der: CertificateDer<'static>,
    pub cert_pem: String,
    pub key_pem: String,
    pub key_der: Vec<u8>,
}

impl TestCert {
    pub fn new(names: &[&str]) -> Self {
        let names: Vec<String> = names.iter().map(|s| (*s).to_owned()).collect();
        let ck = rcgen::generate_simple_self_signed(names).unwrap();
        Self {
            cert_der: ck.cert.der().clone(),
            cert_pem: ck.cert.pem(),
            key_pem: ck.signing_key.serialize_pem(),
            key_der: ck.signing_key.serialize_der(),
        }
    }

    pub fn server_config(&self) -> Arc<ServerConfig> {
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(self.key_der.clone()));
        let config =
            ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
                .with_safe_default_protocol_versions()
                .unwrap()
                .with_no_client_auth()
                .with_single_cert(vec![self.cert_der.clone()], key)
                .unwrap();
        Arc::new(config)
    }
}

/// Accepts `connections` TLS connections (within 10 s) and echoes what each sends; the
/// message `quit` makes it send `close_notify` and close that connection.
pub struct TlsEchoServer {
    pub port: u16,
    thread: JoinHandle<()>,
}

impl TlsEchoServer {
    pub fn start(cert: &TestCert, connections: usize) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        listener.set_nonblocking(true).unwrap();
        let config = cert.server_config();
        let thread = thread::spawn(move || {
            let deadline = Instant::now() + Duration::from_secs(10);
            let mut handlers = Vec::new();
            while handlers.len() < connections && Instant::now() < deadline {
                match listener.accept() {
                    Ok((sock, _)) => {
                        sock.set_nonblocking(false).unwrap();
                        sock.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
                        let config = Arc::clone(&config);
                        handlers.push(thread::spawn(move || {
                            let conn = ServerConnection::new(config).unwrap();
                            let mut tls = StreamOwned::new(conn, sock);
                            let mut buf = [0u8; 1024];
                            loop {
                                match tls.read(&mut buf) {
                                    Ok(0) | Err(_) => break,
                                    Ok(n) if &buf[..n] == b"quit" => {
                                        tls.conn.send_close_notify();
                                        let _ = tls.flush();
                                        break;
                                    }
                                    Ok(n) => {
                                        if tls
                                            .write_all(&buf[..n])
                                            .and_then(|()| tls.flush())
                                            .is_err()
                                        {
                                            break;
                                        }
                                    }
                                }
                            }
                        }));
                    }
                    Err(_) => thread::sleep(Duration::from_millis(5)),
                }
            }
            for h in handlers {
                let _ = h.join();
            }
        });
        Self { port, thread }
    }

    pub fn join(self) {
        self.thread.join().unwrap();
    }
}
