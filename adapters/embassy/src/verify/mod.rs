//! The server's certificate chain, checked by `rustls-webpki` (the path
//! validator rustls uses) with RustCrypto signatures ([`algs`]): what
//! [`crate::net::TlsVerify::Anchors`] runs inside the TLS 1.3 handshake.
//!
//! - **Several trust anchors**: [`anchors::TWILIO`] (DigiCert today, the
//!   Amazon Trust Services roots from 26 January 2027) or a set of your own
//!   ([`TrustAnchor`]s: subject and SPKI of each root).
//! - **Path building** from the leaf to an anchor over the certificates the
//!   server sent, in any order, cross-signed intermediates included.
//! - **Issuers are CAs**: basicConstraints `cA` on every issuer,
//!   pathLenConstraint respected; the leaf allowed for `serverAuth` when it
//!   has an EKU extension; the host matched against its SAN dNSNames (one
//!   wildcard label at most; no CN fallback).
//! - **Validity** against a [`Clock`] the firmware supplies. Without one,
//!   [`ValidityUncheckedNoClock`] says in its name, its docs and a warning
//!   logged on every handshake what it skips.
//! - **Signatures**: ECDSA P-256/P-384; RSA PKCS#1 v1.5 and PSS 2048-4096
//!   bits with the `rsa` feature (the handshake offers RSA only then).
//!   `embedded-tls` 0.19 also offers Ed25519 in every ClientHello and gives
//!   no way to leave it out: a server that picks it (an Ed25519 leaf) is
//!   refused with [`VerifyError::UnsupportedAlgorithm`]; no public CA issues
//!   Ed25519 certificates.
//!
//! Two lines for a firmware that talks to Twilio:
//!
//! ```no_run
//! # async fn demo(stack: embassy_net::Stack<'_>, rng: impl rand_core::CryptoRngCore, rtc_unix_seconds: u64) -> Result<(), confpart_embassy::Error<embedded_tls::TlsError>> {
//! # let mut socket_rx = [0u8; 1024]; let mut socket_tx = [0u8; 1024];
//! # let mut socket = embassy_net::tcp::TcpSocket::new(stack, &mut socket_rx, &mut socket_tx);
//! # let (mut read_record, mut write_record) = ([0u8; 16_640], [0u8; 1_024]);
//! use confpart_embassy::net::{Server, TlsVerify, connect_tls};
//! use confpart_embassy::verify::{Clock, UnixClock, anchors};
//!
//! // DigiCert now, Amazon Trust Services after January 2027: ship both.
//! // The clock: an RTC or SNTP time in seconds since 1970.
//! let verify = TlsVerify::Anchors(anchors::TWILIO, UnixClock(rtc_unix_seconds).validity());
//! let session = connect_tls(stack, &mut socket, &mut read_record, &mut write_record,
//!     &Server::twilio(), verify, rng).await?;
//! # drop(session);
//! # Ok(()) }
//! ```

pub mod algs;
pub mod anchors;

use core::time::Duration;

use rustls_pki_types::{CertificateDer, ServerName, SignatureVerificationAlgorithm};
use webpki::{EndEntityCert, KeyUsage};

pub use rustls_pki_types::{Der, TrustAnchor, UnixTime};

/// The largest certificate accepted (DER bytes); the leaf is kept in a
/// buffer this long until the handshake signature is checked.
pub const MAX_CERT_BYTES: usize = 4096;

/// The most certificates a chain may hold, leaf included.
pub const MAX_CHAIN: usize = 8;

/// Why a server's certificate chain (or its handshake signature) was
/// refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum VerifyError {
    /// The server sent no certificate (or a raw public key).
    NoCertificate,
    /// A certificate over [`MAX_CERT_BYTES`]; `index` 0 is the leaf.
    TooLarge {
        /// Position in the chain as sent.
        index: u8,
    },
    /// More than [`MAX_CHAIN`] certificates.
    TooManyCertificates,
    /// A certificate does not parse as X.509 DER (or has an invalid field).
    Malformed,
    /// An issuer on the path has a keyUsage extension without
    /// `keyCertSign`.
    IssuerNotForCertSign,
    /// A certificate on the path is not a CA but signed the next one
    /// (basicConstraints absent or `cA` false): a leaf issuing a forged
    /// certificate, or an issuer without the CA flag.
    IssuerNotCa,
    /// The leaf is a CA certificate.
    LeafIsCa,
    /// An issuer's pathLenConstraint allows fewer CAs below it than the path has.
    PathLenExceeded,
    /// A certificate on the path expired before the clock's time.
    Expired,
    /// A certificate on the path is not valid yet at the clock's time.
    NotYetValid,
    /// The leaf's SAN dNSNames do not cover the host (a wildcard covers
    /// one label).
    WrongHost,
    /// The host is not a DNS name or an IP address.
    BadHostName,
    /// The leaf's extended key usage does not allow `serverAuth`.
    NotForServerAuth,
    /// The path ends at a self-issued root the server sent that is not a
    /// trust anchor.
    UntrustedRoot,
    /// The issuer of the last certificate reachable from the leaf is
    /// neither sent nor a trust anchor: an intermediate is missing, or the
    /// root (not sent) is not trusted.
    IncompleteChain,
    /// A certificate signature does not verify with its issuer's key.
    BadSignature,
    /// A signature algorithm or key type this verifier does not check.
    UnsupportedAlgorithm,
    /// The server's CertificateVerify signature over the handshake does not
    /// verify with the leaf's key.
    BadHandshakeSignature,
    /// A critical extension webpki does not know.
    UnsupportedCriticalExtension,
    /// A name constraint of an issuer excludes the leaf's names.
    NameConstraint,
    /// Path building ran out of its budget (too many candidates).
    TooComplex,
    /// Refused for another reason `rustls-webpki` gives.
    Other,
}

impl core::fmt::Display for VerifyError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        core::fmt::Debug::fmt(self, f)
    }
}

impl core::error::Error for VerifyError {}

impl From<webpki::Error> for VerifyError {
    fn from(e: webpki::Error) -> Self {
        use webpki::Error as W;
        match e {
            W::EndEntityUsedAsCa => Self::IssuerNotCa,
            W::CaUsedAsEndEntity => Self::LeafIsCa,
            W::PathLenConstraintViolated => Self::PathLenExceeded,
            W::CertExpired { .. } => Self::Expired,
            W::CertNotValidYet { .. } => Self::NotYetValid,
            W::CertNotValidForName(_) => Self::WrongHost,
            W::RequiredEkuNotFoundContext(_) | W::EmptyEkuExtension => Self::NotForServerAuth,
            W::UnknownIssuer => Self::IncompleteChain,
            W::InvalidSignatureForPublicKey => Self::BadSignature,
            W::UnsupportedSignatureAlgorithmContext(_)
            | W::UnsupportedSignatureAlgorithmForPublicKeyContext(_)
            | W::SignatureAlgorithmMismatch => Self::UnsupportedAlgorithm,
            W::UnsupportedCriticalExtension => Self::UnsupportedCriticalExtension,
            W::NameConstraintViolation => Self::NameConstraint,
            W::MaximumPathDepthExceeded => Self::TooManyCertificates,
            W::MaximumSignatureChecksExceeded
            | W::MaximumPathBuildCallsExceeded
            | W::MaximumNameConstraintComparisonsExceeded => Self::TooComplex,
            W::BadDer
            | W::BadDerTime
            | W::TrailingData(_)
            | W::MalformedExtensions
            | W::ExtensionValueInvalid
            | W::InvalidCertValidity
            | W::InvalidSerialNumber
            | W::UnsupportedCertVersion
            | W::MalformedDnsIdentifier => Self::Malformed,
            _ => Self::Other,
        }
    }
}

/// When the certificates on the path must be valid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Validity {
    /// At this time (notBefore ≤ time ≤ notAfter for every certificate).
    At(UnixTime),
    /// **Not checked against a clock**: the path is checked at the leaf's
    /// own notBefore, so an expired leaf, or one not valid yet, is
    /// accepted; issuers must have been valid when the leaf was issued. A
    /// warning is logged on every handshake.
    UncheckedNoClock,
}

/// The time source of the verifier: an RTC, SNTP over embassy-net, or a
/// build-time floor ([`UnixClock`] holds any of them as seconds since
/// 1970). Asked once per handshake, just before it:
/// `TlsVerify::Anchors(anchors, clock.validity())`.
///
/// ```
/// use confpart_embassy::verify::{Clock, UnixClock, Validity, ValidityUncheckedNoClock};
///
/// struct Rtc; // a board's real-time clock, set by SNTP
/// impl Clock for Rtc {
///     fn validity(&mut self) -> Validity {
///         UnixClock(1_790_000_000).validity() // read the RTC here
///     }
/// }
/// assert!(matches!(Rtc.validity(), Validity::At(_)));
/// assert_eq!(ValidityUncheckedNoClock.validity(), Validity::UncheckedNoClock);
/// ```
pub trait Clock {
    /// The time the certificates are checked at.
    fn validity(&mut self) -> Validity;
}

/// Seconds since 1970 (UTC) from an RTC, an SNTP answer, or a build-time
/// floor. A floor that is older than the real time only refuses
/// certificates that expired before it, and never one not valid yet: set
/// it from the build date and move it forward with each firmware release.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnixClock(pub u64);

impl Clock for UnixClock {
    fn validity(&mut self) -> Validity {
        Validity::At(UnixTime::since_unix_epoch(Duration::from_secs(self.0)))
    }
}

/// **No clock: the validity dates are not checked.** An expired or
/// revoked-by-expiry certificate is accepted for as long as its key is
/// out there. Chains, CA flags, names and signatures are still checked
/// (issuers against the leaf's notBefore). A warning is logged on every
/// handshake. Use it only until the firmware has an RTC or SNTP.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ValidityUncheckedNoClock;

impl Clock for ValidityUncheckedNoClock {
    fn validity(&mut self) -> Validity {
        Validity::UncheckedNoClock
    }
}

/// A trust anchor from a CA certificate (DER) the firmware carries, for
/// a service outside [`anchors`] (SignalWire's CA, a lab bridge's CA).
/// Borrows `der`.
///
/// ```
/// use confpart_embassy::verify::{VerifyError, anchor_from_cert};
///
/// assert_eq!(anchor_from_cert(b"not DER").err(), Some(VerifyError::Malformed));
/// ```
pub fn anchor_from_cert(der: &[u8]) -> Result<TrustAnchor<'_>, VerifyError> {
    let cert = CertificateDer::from(der);
    let anchor = webpki::anchor_from_trusted_cert(&cert).map_err(VerifyError::from)?;
    // The anchor's fields are slices of `der`: hand them out with its lifetime.
    let within = |part: &[u8]| -> Result<Der<'_>, VerifyError> {
        let start = (part.as_ptr() as usize)
            .checked_sub(der.as_ptr() as usize)
            .ok_or(VerifyError::Malformed)?;
        der.get(start..start + part.len())
            .map(Der::from_slice)
            .ok_or(VerifyError::Malformed)
    };
    Ok(TrustAnchor {
        subject: within(anchor.subject.as_ref())?,
        subject_public_key_info: within(anchor.subject_public_key_info.as_ref())?,
        name_constraints: match &anchor.name_constraints {
            Some(nc) => Some(within(nc.as_ref())?),
            None => None,
        },
    })
}

/// Verifies the chain `certs` (DER, the leaf first, the others in any
/// order) for `host` against `anchors` at `validity`: the whole check the
/// TLS handshake runs, without the handshake signature.
///
/// ```
/// use confpart_embassy::verify::{VerifyError, Validity, anchors, verify_chain};
///
/// // Not a certificate at all.
/// let refused = verify_chain(&[b"\x30\x03\x02\x01\x00"], "api.twilio.com", anchors::TWILIO, Validity::UncheckedNoClock);
/// assert_eq!(refused, Err(VerifyError::Malformed));
/// ```
pub fn verify_chain(
    certs: &[&[u8]],
    host: &str,
    anchors: &[TrustAnchor<'_>],
    validity: Validity,
) -> Result<(), VerifyError> {
    let (leaf, rest) = certs.split_first().ok_or(VerifyError::NoCertificate)?;
    if certs.len() > MAX_CHAIN {
        return Err(VerifyError::TooManyCertificates);
    }
    for (index, cert) in certs.iter().enumerate() {
        if cert.len() > MAX_CERT_BYTES {
            return Err(VerifyError::TooLarge {
                index: u8::try_from(index).unwrap_or(u8::MAX),
            });
        }
    }
    let name = ServerName::try_from(host).map_err(|_| VerifyError::BadHostName)?;
    let mut intermediates: [CertificateDer<'_>; MAX_CHAIN] =
        core::array::from_fn(|_| CertificateDer::from(&[][..]));
    for (slot, cert) in intermediates.iter_mut().zip(rest) {
        *slot = CertificateDer::from(*cert);
    }
    let intermediates = intermediates.get(..rest.len()).unwrap_or(&[]);
    let leaf_der = CertificateDer::from(*leaf);
    let end_entity = EndEntityCert::try_from(&leaf_der).map_err(VerifyError::from)?;

    // rustls-webpki leaves an issuer's keyUsage unchecked (basicConstraints
    // decides); RFC 5280 4.2.1.3 wants keyCertSign on a certificate that
    // signs others when the extension is there.
    let key_usage_refused = core::cell::Cell::new(false);
    let issuers_may_sign = |path: &webpki::VerifiedPath<'_>| {
        for issuer in path.intermediate_certificates() {
            if !may_sign_certificates(issuer.der().as_ref()) {
                key_usage_refused.set(true);
                return Err(webpki::Error::ExtensionValueInvalid);
            }
        }
        Ok(())
    };
    let build = |time| {
        end_entity
            .verify_for_usage(
                algs::ALL,
                anchors,
                intermediates,
                time,
                KeyUsage::server_auth(),
                None,
                Some(&issuers_may_sign),
            )
            .map(|_| ())
    };
    let built = match validity {
        Validity::At(time) => build(time),
        // The leaf's validity is checked before anything else: at the epoch
        // it is "not valid yet" and the error names its notBefore, the time
        // the path is then checked at.
        Validity::UncheckedNoClock => match build(UnixTime::since_unix_epoch(Duration::ZERO)) {
            Err(webpki::Error::CertNotValidYet { not_before, .. }) => build(not_before),
            other => other,
        },
    };
    match built {
        Ok(()) => {}
        Err(webpki::Error::ExtensionValueInvalid) if key_usage_refused.get() => {
            return Err(VerifyError::IssuerNotForCertSign);
        }
        Err(webpki::Error::UnknownIssuer) => {
            return Err(unknown_issuer(&end_entity, intermediates, anchors));
        }
        Err(e) => return Err(e.into()),
    }
    end_entity
        .verify_is_valid_for_subject_name(&name)
        .map_err(VerifyError::from)
}

/// Whether the certificate `der` may sign certificates by its keyUsage
/// extension: `true` without one, or with `keyCertSign` (bit 5) set. The
/// certificate was already parsed by rustls-webpki; this only walks the DER
/// to the extension.
fn may_sign_certificates(der: &[u8]) -> bool {
    key_cert_sign(der).unwrap_or(false)
}

fn key_cert_sign(cert: &[u8]) -> der::Result<bool> {
    use der::asn1::{AnyRef, BitStringRef, ObjectIdentifier};
    use der::{Decode, Reader, SliceReader, Tag, TagNumber, Tagged};
    const KEY_USAGE: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.15");
    const EXTENSIONS: Tag = Tag::ContextSpecific {
        constructed: true,
        number: TagNumber::N3,
    };
    let certificate = AnyRef::from_der(cert)?;
    let mut fields = SliceReader::new(certificate.value())?;
    let tbs = AnyRef::decode(&mut fields)?;
    let mut tbs = SliceReader::new(tbs.value())?;
    while !tbs.is_finished() {
        let field = AnyRef::decode(&mut tbs)?;
        if field.tag() != EXTENSIONS {
            continue;
        }
        let list = AnyRef::from_der(field.value())?;
        let mut list = SliceReader::new(list.value())?;
        while !list.is_finished() {
            let extension = AnyRef::decode(&mut list)?;
            let mut parts = SliceReader::new(extension.value())?;
            if ObjectIdentifier::decode(&mut parts)? != KEY_USAGE {
                continue;
            }
            // critical BOOLEAN DEFAULT FALSE, then the OCTET STRING.
            let mut value = AnyRef::decode(&mut parts)?;
            if value.tag() == Tag::Boolean {
                value = AnyRef::decode(&mut parts)?;
            }
            let bits = BitStringRef::from_der(value.value())?;
            return Ok(bits.raw_bytes().first().is_some_and(|b| b & 0x04 != 0));
        }
    }
    Ok(true)
}

/// Tells a root the server sent but the firmware does not trust from a
/// chain that stops short: follows issuer names from the leaf over the
/// certificates sent.
fn unknown_issuer(
    leaf: &EndEntityCert<'_>,
    sent: &[CertificateDer<'_>],
    anchors: &[TrustAnchor<'_>],
) -> VerifyError {
    let parse = |i: usize| {
        sent.get(i)
            .and_then(|der| EndEntityCert::try_from(der).ok())
    };
    // `None`: the leaf; `Some(i)`: sent[i].
    let mut current: Option<usize> = None;
    for _ in 0..=sent.len() {
        let cert = match current {
            None => None,
            Some(i) => parse(i),
        };
        let cert = cert.as_ref().unwrap_or(leaf);
        let issuer = cert.issuer();
        if issuer == cert.subject() {
            // Self-issued and yet no anchor took it.
            return VerifyError::UntrustedRoot;
        }
        if anchors.iter().any(|a| a.subject.as_ref() == issuer) {
            // The name of an anchor, and still no path: its key did not sign.
            return VerifyError::BadSignature;
        }
        match (0..sent.len())
            .find(|&i| Some(i) != current && parse(i).is_some_and(|c| c.subject() == issuer))
        {
            Some(i) => current = Some(i),
            None => return VerifyError::IncompleteChain,
        }
    }
    VerifyError::IncompleteChain
}

/// The verifier embedded-tls runs in the handshake
/// ([`embedded_tls::TlsVerifier`]): [`verify_chain`] on the Certificate
/// message, then the CertificateVerify signature with the leaf's key.
///
/// embedded-tls accepts a Finished message that no CertificateVerify
/// preceded; [`Verifier::finish`] refuses such a handshake (the
/// [`crate::net`] functions call it before handing the session out).
///
/// ```
/// use confpart_embassy::verify::{Clock, UnixClock, Verifier, VerifyError, anchors};
///
/// let verifier = Verifier::new(anchors::TWILIO, "api.twilio.com", UnixClock(1_790_000_000).validity());
/// // No chain was checked yet: a session must not be used.
/// assert_eq!(verifier.finish(), Err(VerifyError::NoCertificate));
/// ```
pub struct Verifier<'a> {
    anchors: &'a [TrustAnchor<'a>],
    host: &'a str,
    validity: Validity,
    leaf: [u8; MAX_CERT_BYTES],
    leaf_len: usize,
    transcript: [u8; 64],
    transcript_len: usize,
    state: State,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Start,
    ChainVerified,
    Done,
    Failed(VerifyError),
}

impl<'a> Verifier<'a> {
    /// A verifier of `host`'s chain against `anchors`, at `validity`.
    pub const fn new(anchors: &'a [TrustAnchor<'a>], host: &'a str, validity: Validity) -> Self {
        Self {
            anchors,
            host,
            validity,
            leaf: [0; MAX_CERT_BYTES],
            leaf_len: 0,
            transcript: [0; 64],
            transcript_len: 0,
            state: State::Start,
        }
    }

    /// `Ok` once the chain and the handshake signature were both verified;
    /// otherwise why not.
    pub fn finish(&self) -> Result<(), VerifyError> {
        match self.state {
            State::Done => Ok(()),
            State::Failed(e) => Err(e),
            State::Start => Err(VerifyError::NoCertificate),
            State::ChainVerified => Err(VerifyError::BadHandshakeSignature),
        }
    }

    /// The error the chain or the handshake signature was refused with,
    /// if it was (`None` while nothing was checked, or all passed).
    pub fn refusal(&self) -> Option<VerifyError> {
        match self.state {
            State::Failed(e) => Some(e),
            _ => None,
        }
    }

    fn fail(&mut self, e: VerifyError) -> embedded_tls::TlsError {
        crate::log::log_warn!("confpart-embassy: server certificate refused: {}", e);
        self.state = State::Failed(e);
        match e {
            VerifyError::BadHandshakeSignature => embedded_tls::TlsError::InvalidSignature,
            _ => embedded_tls::TlsError::InvalidCertificate,
        }
    }

    fn check_chain(&mut self, cert: &embedded_tls::CertificateRef<'_>) -> Result<(), VerifyError> {
        use embedded_tls::CertificateEntryRef;
        if cert.entries.len() > MAX_CHAIN {
            return Err(VerifyError::TooManyCertificates);
        }
        let mut certs: [&[u8]; MAX_CHAIN] = [&[]; MAX_CHAIN];
        for (slot, entry) in certs.iter_mut().zip(&cert.entries) {
            match entry {
                CertificateEntryRef::X509(der) => *slot = der,
                CertificateEntryRef::RawPublicKey(_) => return Err(VerifyError::NoCertificate),
            }
        }
        let certs = certs.get(..cert.entries.len()).unwrap_or(&[]);
        if self.validity == Validity::UncheckedNoClock {
            crate::log::log_warn!(
                "confpart-embassy: no clock: certificate validity dates are NOT checked"
            );
        }
        verify_chain(certs, self.host, self.anchors, self.validity)?;
        let leaf = certs.first().ok_or(VerifyError::NoCertificate)?;
        let kept = self
            .leaf
            .get_mut(..leaf.len())
            .ok_or(VerifyError::TooLarge { index: 0 })?;
        kept.copy_from_slice(leaf);
        self.leaf_len = leaf.len();
        Ok(())
    }

    fn check_signature(
        &self,
        verify: &embedded_tls::CertificateVerifyRef<'_>,
    ) -> Result<(), VerifyError> {
        use embedded_tls::SignatureScheme as S;
        if self.state != State::ChainVerified {
            return Err(VerifyError::BadHandshakeSignature);
        }
        // TLS 1.3 signs with ECDSA or RSA-PSS only (RFC 8446 4.2.3).
        let alg: &dyn SignatureVerificationAlgorithm = match verify.signature_scheme {
            S::EcdsaSecp256r1Sha256 => &algs::ECDSA_P256_SHA256,
            S::EcdsaSecp384r1Sha384 => &algs::ECDSA_P384_SHA384,
            #[cfg(feature = "rsa")]
            S::RsaPssRsaeSha256 => &algs::RSA_PSS_2048_4096_SHA256,
            #[cfg(feature = "rsa")]
            S::RsaPssRsaeSha384 => &algs::RSA_PSS_2048_4096_SHA384,
            #[cfg(feature = "rsa")]
            S::RsaPssRsaeSha512 => &algs::RSA_PSS_2048_4096_SHA512,
            _ => return Err(VerifyError::UnsupportedAlgorithm),
        };
        // RFC 8446 4.4.3: 64 spaces, the context string, 0, the transcript hash.
        const CONTEXT: &[u8] = b"TLS 1.3, server CertificateVerify\x00";
        let mut message = [0x20u8; 64 + CONTEXT.len() + 64];
        let hash = self.transcript.get(..self.transcript_len).unwrap_or(&[]);
        let end = 64 + CONTEXT.len() + hash.len();
        if let (Some(context), Some(tail)) = (message.get_mut(64..64 + CONTEXT.len()), Some(hash)) {
            context.copy_from_slice(CONTEXT);
            if let Some(slot) = message.get_mut(64 + CONTEXT.len()..end) {
                slot.copy_from_slice(tail);
            }
        }
        let message = message
            .get(..end)
            .ok_or(VerifyError::BadHandshakeSignature)?;
        let leaf_bytes = self.leaf.get(..self.leaf_len).unwrap_or(&[]);
        let leaf_der = CertificateDer::from(leaf_bytes);
        let leaf = EndEntityCert::try_from(&leaf_der).map_err(VerifyError::from)?;
        leaf.verify_signature(alg, message, verify.signature)
            .map_err(|e| match e {
                webpki::Error::InvalidSignatureForPublicKey => VerifyError::BadHandshakeSignature,
                other => VerifyError::from(other),
            })
    }
}

impl<CS: embedded_tls::TlsCipherSuite> embedded_tls::TlsVerifier<CS> for Verifier<'_> {
    fn set_hostname_verification(&mut self, hostname: &str) -> Result<(), embedded_tls::TlsError> {
        // The name was given to `new`; the handshake's SNI must be the same.
        if hostname == self.host {
            Ok(())
        } else {
            Err(self.fail(VerifyError::WrongHost))
        }
    }

    fn verify_certificate(
        &mut self,
        transcript: &CS::Hash,
        cert: embedded_tls::CertificateRef<'_>,
    ) -> Result<(), embedded_tls::TlsError> {
        use sha2::Digest as _;
        if self.state != State::Start {
            return Err(self.fail(VerifyError::Other));
        }
        if let Err(e) = self.check_chain(&cert) {
            return Err(self.fail(e));
        }
        let hash = transcript.clone().finalize();
        let n = hash.len().min(self.transcript.len());
        if let (Some(dst), Some(src)) = (self.transcript.get_mut(..n), hash.get(..n)) {
            dst.copy_from_slice(src);
        }
        self.transcript_len = n;
        self.state = State::ChainVerified;
        Ok(())
    }

    fn verify_signature(
        &mut self,
        verify: embedded_tls::CertificateVerifyRef<'_>,
    ) -> Result<(), embedded_tls::TlsError> {
        match self.check_signature(&verify) {
            Ok(()) => {
                self.state = State::Done;
                Ok(())
            }
            Err(e) => Err(self.fail(e)),
        }
    }
}
