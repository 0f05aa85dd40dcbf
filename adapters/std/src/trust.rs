//! Which certificate authorities a TLS server must chain to: [`TrustSettings`] (what the
//! command line and the environment ask for) made into a [`crate::transport::Trust`] for
//! [`crate::transport::client_tls_config`].
//!
//! - **Default**: the platform's trust store, read by [`rustls_native_certs`] (on Linux
//!   the distribution's bundle; `SSL_CERT_FILE` and `SSL_CERT_DIR`, when set, replace it as
//!   they do for OpenSSL and curl). Where the platform has none (an empty container, a
//!   store that cannot be read), the bundled Mozilla roots ([`webpki_roots`]).
//! - **Private CAs**: `--ca-file PEM` (repeatable) and `CONFPART_CA_FILE` add their
//!   certificates to the default; with `--only-ca-file` they are the only ones trusted.
//! - A file that cannot be read, holds a malformed PEM block or no certificate is a
//!   [`TrustError`] naming it, before anything is sent.
//!
//! ```
//! use confpart_std::trust::{TrustSettings, TrustError};
//!
//! let settings = TrustSettings { ca_files: vec!["/nonexistent/ca.pem".into()], only_ca_files: true };
//! let err = settings.certificates().unwrap_err();
//! assert!(matches!(err, TrustError::Read { .. }));
//! assert!(err.to_string().starts_with("/nonexistent/ca.pem: "));
//! ```

use std::fmt;
use std::path::PathBuf;

use rustls::pki_types::CertificateDer;

/// `CONFPART_CA_FILE`: a PEM file of certificates to trust besides the default ones (the
/// same as one more `--ca-file`).
pub const CONFPART_CA_FILE: &str = "CONFPART_CA_FILE";

/// What to trust, as asked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustSettings {
    /// PEM files whose certificates are trusted too (`--ca-file`, `CONFPART_CA_FILE`).
    pub ca_files: Vec<PathBuf>,
    /// Trust only the certificates of [`TrustSettings::ca_files`] (`--only-ca-file`).
    pub only_ca_files: bool,
}

impl TrustSettings {
    /// The flags' files, then `CONFPART_CA_FILE` when it is set and not empty.
    pub fn with_env(ca_files: Vec<PathBuf>, only_ca_files: bool) -> Self {
        let mut ca_files = ca_files;
        if let Some(file) = std::env::var_os(CONFPART_CA_FILE).filter(|v| !v.is_empty()) {
            ca_files.push(file.into());
        }
        Self {
            ca_files,
            only_ca_files,
        }
    }

    /// The certificates of every file, in order ([`crate::transport::Trust::load`] adds
    /// the platform's unless [`TrustSettings::only_ca_files`]).
    pub fn certificates(&self) -> Result<Vec<CertificateDer<'static>>, TrustError> {
        if self.only_ca_files && self.ca_files.is_empty() {
            return Err(TrustError::OnlyWithoutFile);
        }
        let mut certs = Vec::new();
        for path in &self.ca_files {
            certs.extend(read_ca_file(path)?);
        }
        Ok(certs)
    }
}

/// The certificates of one PEM file.
pub fn read_ca_file(path: &std::path::Path) -> Result<Vec<CertificateDer<'static>>, TrustError> {
    let pem = std::fs::read(path).map_err(|source| TrustError::Read {
        path: path.to_owned(),
        source: source.to_string(),
    })?;
    let bad = |reason: String| TrustError::Pem {
        path: path.to_owned(),
        reason,
    };
    let certs = certificates_from_pem(&pem).map_err(|e| bad(e.0))?;
    // What the root store will refuse (a block that is not a certificate), refused here
    // where the file can be named.
    let mut check = rustls::RootCertStore::empty();
    for cert in &certs {
        check.add(cert.clone()).map_err(|e| bad(e.to_string()))?;
    }
    Ok(certs)
}

/// Adds the platform's roots to `roots`, or the bundled Mozilla roots where the platform
/// gives none; returns which.
///
/// ```
/// let mut roots = rustls::RootCertStore::empty();
/// confpart_std::trust::add_platform_roots(&mut roots);
/// assert!(!roots.is_empty());
/// ```
pub fn add_platform_roots(roots: &mut rustls::RootCertStore) -> Roots {
    // Certificates the platform holds but webpki cannot parse are skipped, as the
    // platform's own TLS stacks skip them.
    let (added, _ignored) =
        roots.add_parsable_certificates(rustls_native_certs::load_native_certs().certs);
    if added > 0 {
        Roots::Platform
    } else {
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        Roots::Bundled
    }
}

/// Where [`add_platform_roots`] found its roots.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Roots {
    /// The platform's store (or `SSL_CERT_FILE` / `SSL_CERT_DIR`).
    Platform,
    /// The bundled Mozilla roots: the platform gave none.
    Bundled,
}

/// Reads every `CERTIFICATE` block of a PEM file.
///
/// ```
/// use confpart_std::trust::certificates_from_pem;
/// assert!(certificates_from_pem(b"not pem").is_err());
/// ```
pub fn certificates_from_pem(pem: &[u8]) -> Result<Vec<CertificateDer<'static>>, PemError> {
    use rustls::pki_types::pem::PemObject;
    let certs = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| PemError(e.to_string()))?;
    if certs.is_empty() {
        return Err(PemError("no CERTIFICATE block".to_owned()));
    }
    Ok(certs)
}

/// A PEM file that could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PemError(pub String);

impl fmt::Display for PemError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "bad PEM: {}", self.0)
    }
}

impl std::error::Error for PemError {}

/// Why the trusted certificates could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TrustError {
    /// A CA file could not be read.
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: String,
    },
    /// A CA file is not PEM, or holds no `CERTIFICATE` block.
    Pem {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// `--only-ca-file` without a `--ca-file` (or `CONFPART_CA_FILE`): nothing to trust.
    OnlyWithoutFile,
}

impl fmt::Display for TrustError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TrustError::Read { path, source } => write!(f, "{}: {source}", path.display()),
            TrustError::Pem { path, reason } => {
                write!(
                    f,
                    "{}: not a PEM certificate file ({reason})",
                    path.display()
                )
            }
            TrustError::OnlyWithoutFile => f.write_str(
                "--only-ca-file needs a --ca-file (or CONFPART_CA_FILE): nothing would be trusted",
            ),
        }
    }
}

impl std::error::Error for TrustError {}

#[cfg(test)]
mod tests {
    #![allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::panic
    )]
    use super::*;
    use crate::testutil::TestCert;

    #[test]
    fn files_in_order_and_only_with_a_file() {
        let dir = std::env::temp_dir().join(format!("confpart-trust-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let (a, b) = (TestCert::new(&["a"]), TestCert::new(&["b"]));
        let both = dir.join("both.pem");
        std::fs::write(&both, format!("{}{}", a.cert_pem, b.cert_pem)).unwrap();
        let settings = TrustSettings {
            ca_files: vec![both.clone()],
            only_ca_files: true,
        };
        assert_eq!(
            settings.certificates().unwrap(),
            vec![a.cert_der.clone(), b.cert_der.clone()]
        );
        let none = TrustSettings {
            ca_files: Vec::new(),
            only_ca_files: true,
        };
        assert_eq!(none.certificates(), Err(TrustError::OnlyWithoutFile));
        assert_eq!(TrustSettings::default().certificates(), Ok(Vec::new()));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn platform_roots_are_never_empty() {
        let mut roots = rustls::RootCertStore::empty();
        let from = add_platform_roots(&mut roots);
        assert!(!roots.is_empty(), "{from:?}");
    }
}
