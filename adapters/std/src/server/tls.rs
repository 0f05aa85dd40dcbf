//! TLS for the server from PEM files (`--tls-cert`, `--tls-key`).

use std::fmt;
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// A TLS server configuration (ring provider) from a PEM certificate chain and a PEM
/// private key (PKCS#8, PKCS#1 or SEC1).
pub fn tls_config_from_pem(
    cert_pem: &[u8],
    key_pem: &[u8],
) -> Result<Arc<rustls::ServerConfig>, TlsSetupError> {
    let certs = CertificateDer::pem_slice_iter(cert_pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| TlsSetupError::Certificate(e.to_string()))?;
    if certs.is_empty() {
        return Err(TlsSetupError::Certificate(
            "no CERTIFICATE block".to_owned(),
        ));
    }
    let key =
        PrivateKeyDer::from_pem_slice(key_pem).map_err(|e| TlsSetupError::Key(e.to_string()))?;
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(TlsSetupError::Rustls)?
    .with_no_client_auth()
    .with_single_cert(certs, key)
    .map_err(TlsSetupError::Rustls)?;
    Ok(Arc::new(config))
}

/// Why TLS could not be set up from the PEM files.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum TlsSetupError {
    /// The certificate file holds no usable certificate.
    Certificate(String),
    /// The key file holds no usable private key (its content is never shown).
    Key(String),
    /// rustls refused the pair (e.g. the key does not match).
    Rustls(rustls::Error),
}

impl fmt::Display for TlsSetupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TlsSetupError::Certificate(e) => write!(f, "--tls-cert: {e}"),
            TlsSetupError::Key(e) => write!(f, "--tls-key: {e}"),
            TlsSetupError::Rustls(e) => write!(f, "TLS setup: {e}"),
        }
    }
}

impl std::error::Error for TlsSetupError {}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::testutil::TestCert;

    #[test]
    fn tls_setup_errors_name_the_file() {
        let cert = TestCert::new(&["localhost"]);
        let e = tls_config_from_pem(b"", cert.key_pem.as_bytes()).unwrap_err();
        assert!(e.to_string().starts_with("--tls-cert"), "{e}");
        let e = tls_config_from_pem(cert.cert_pem.as_bytes(), b"nope").unwrap_err();
        assert!(e.to_string().starts_with("--tls-key"), "{e}");
        let other = TestCert::new(&["localhost"]);
        let e =
            tls_config_from_pem(cert.cert_pem.as_bytes(), other.key_pem.as_bytes()).unwrap_err();
        assert!(matches!(e, TlsSetupError::Rustls(_)), "{e}");
    }
}
