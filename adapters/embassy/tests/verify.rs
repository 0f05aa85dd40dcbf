//! The certificate verifier (`confpart_embassy::verify`, rustls-webpki with
//! RustCrypto signatures) on chains made in the test: DigiCert-shaped (RSA
//! root → RSA intermediate → RSA or ECDSA leaf), Amazon-shaped (ECDSA, a
//! cross-signed root sent along), and one refusal per attack or mistake,
//! each with its own `VerifyError`.
mod common;

use common::chains::{
    Alg, HOST, Node, ca_params, intermediate, issue, leaf_params, new_leaf, new_root,
};
use confpart_embassy::verify::{
    MAX_CERT_BYTES, TrustAnchor, UnixTime, Validity, Verifier, VerifyError, verify_chain,
};
use rcgen::{ExtendedKeyUsagePurpose, IsCa, KeyPair, date_time_ymd};

/// 2026-12-01T00:00:00Z: inside every certificate made here unless a
/// test moves its dates.
fn now() -> Validity {
    Validity::At(UnixTime::since_unix_epoch(std::time::Duration::from_secs(
        1_796_083_200,
    )))
}

/// DigiCert-shaped: RSA root → RSA intermediate.
fn digicert() -> (Node, Node) {
    let root = new_root("Test Global Root G2", Alg::Rsa(0));
    let ca = intermediate("Test Global G2 TLS RSA SHA256 CA1", Alg::Rsa(1), &root);
    (root, ca)
}

fn check(chain: &[&[u8]], anchors: &[TrustAnchor<'_>]) -> Result<(), VerifyError> {
    verify_chain(chain, HOST, anchors, now())
}

#[test]
fn digicert_shaped_rsa_chain_with_rsa_leaf_is_accepted() {
    let (root, ca) = digicert();
    let leaf = new_leaf(Alg::Rsa(2), &ca);
    assert_eq!(check(&[&leaf.der, &ca.der], &[root.anchor()]), Ok(()));
}

#[test]
fn digicert_shaped_rsa_chain_with_ecdsa_leaf_is_accepted() {
    let (root, ca) = digicert();
    let leaf = new_leaf(Alg::P256, &ca);
    assert_eq!(check(&[&leaf.der, &ca.der], &[root.anchor()]), Ok(()));
}

#[test]
fn amazon_shaped_ecdsa_chain_with_a_cross_signed_root_is_accepted_under_either_root() {
    // Amazon Root CA 3 (P-256), cross-signed by a Starfield-like root
    // (P-384); the server sends leaf, intermediate and the cross-signed root.
    let starfield = new_root("Test Starfield Services Root G2", Alg::P384);
    let amazon = new_root("Test Amazon Root CA 3", Alg::P256);
    let cross = amazon
        .params
        .signed_by(&amazon.key, &starfield.issuer())
        .unwrap()
        .der()
        .to_vec();
    let ca = intermediate("Test Amazon ECDSA 256 M02", Alg::P256, &amazon);
    let leaf = new_leaf(Alg::P256, &ca);
    let sent: [&[u8]; 3] = [&leaf.der, &ca.der, &cross];
    assert_eq!(check(&sent, &[amazon.anchor()]), Ok(()));
    assert_eq!(check(&sent, &[starfield.anchor()]), Ok(()));
    assert_eq!(check(&sent, &[starfield.anchor(), amazon.anchor()]), Ok(()));
}

#[test]
fn chain_out_of_order_is_accepted() {
    let root = new_root("Root", Alg::P256);
    let ca2 = issue(ca_params("Second level", None), Alg::P256, &root);
    let ca3 = issue(ca_params("Third level", Some(0)), Alg::P256, &ca2);
    let leaf = new_leaf(Alg::P256, &ca3);
    // The root's child first, the leaf's issuer last.
    assert_eq!(
        check(&[&leaf.der, &ca2.der, &ca3.der], &[root.anchor()]),
        Ok(())
    );
}

#[test]
fn forged_leaf_signed_by_another_leaf_is_refused() {
    // An attacker holds a real leaf (for its own name) under the trusted
    // root and signs a certificate for the service's name with its key.
    let (root, ca) = digicert();
    let attacker = issue(leaf_params(&["attacker.test"]), Alg::P256, &ca);
    let forged = new_leaf(Alg::P256, &attacker);
    assert_eq!(
        check(&[&forged.der, &attacker.der, &ca.der], &[root.anchor()]),
        Err(VerifyError::IssuerNotCa)
    );
}

#[test]
fn issuer_without_the_ca_flag_is_refused() {
    let (root, _) = digicert();
    let mut params = ca_params("Intermediate without basicConstraints", None);
    params.is_ca = IsCa::NoCa;
    let ca = issue(params, Alg::P256, &root);
    let leaf = new_leaf(Alg::P256, &ca);
    assert_eq!(
        check(&[&leaf.der, &ca.der], &[root.anchor()]),
        Err(VerifyError::IssuerNotCa)
    );
}

#[test]
fn path_len_exceeded_is_refused() {
    let (root, ca) = digicert(); // pathLen 0
    let below = issue(ca_params("One CA too many", None), Alg::P256, &ca);
    let leaf = new_leaf(Alg::P256, &below);
    assert_eq!(
        check(&[&leaf.der, &below.der, &ca.der], &[root.anchor()]),
        Err(VerifyError::PathLenExceeded)
    );
}

#[test]
fn expired_leaf_is_refused() {
    let (root, ca) = digicert();
    let mut params = leaf_params(&[HOST]);
    params.not_before = date_time_ymd(2025, 1, 1);
    params.not_after = date_time_ymd(2026, 1, 1);
    let leaf = issue(params, Alg::P256, &ca);
    assert_eq!(
        check(&[&leaf.der, &ca.der], &[root.anchor()]),
        Err(VerifyError::Expired)
    );
    // Without a clock the dates are not checked (and the name says so).
    assert_eq!(
        verify_chain(
            &[&leaf.der, &ca.der],
            HOST,
            &[root.anchor()],
            Validity::UncheckedNoClock
        ),
        Ok(())
    );
}

#[test]
fn not_yet_valid_leaf_is_refused() {
    let (root, ca) = digicert();
    let mut params = leaf_params(&[HOST]);
    params.not_before = date_time_ymd(2027, 1, 1);
    params.not_after = date_time_ymd(2028, 1, 1);
    let leaf = issue(params, Alg::P256, &ca);
    assert_eq!(
        check(&[&leaf.der, &ca.der], &[root.anchor()]),
        Err(VerifyError::NotYetValid)
    );
}

#[test]
fn wrong_host_is_refused() {
    let (root, ca) = digicert();
    let leaf = issue(leaf_params(&["api.example.test"]), Alg::P256, &ca);
    assert_eq!(
        check(&[&leaf.der, &ca.der], &[root.anchor()]),
        Err(VerifyError::WrongHost)
    );
}

#[test]
fn wildcard_covers_one_label_only() {
    let (root, ca) = digicert();
    let leaf = issue(leaf_params(&["*.twilio.test"]), Alg::P256, &ca);
    let chain: [&[u8]; 2] = [&leaf.der, &ca.der];
    assert_eq!(
        verify_chain(&chain, "api.twilio.test", &[root.anchor()], now()),
        Ok(())
    );
    assert_eq!(
        verify_chain(&chain, "a.api.twilio.test", &[root.anchor()], now()),
        Err(VerifyError::WrongHost)
    );
}

#[test]
fn unknown_root_is_refused() {
    let (root, ca) = digicert();
    let other = new_root("Another Root", Alg::P256);
    let leaf = new_leaf(Alg::P256, &ca);
    // The server sends its root along: a self-issued certificate no anchor matches.
    assert_eq!(
        check(&[&leaf.der, &ca.der, &root.der], &[other.anchor()]),
        Err(VerifyError::UntrustedRoot)
    );
}

#[test]
fn truncated_chain_is_refused() {
    let (root, ca) = digicert();
    let leaf = new_leaf(Alg::P256, &ca);
    assert_eq!(
        check(&[&leaf.der], &[root.anchor()]),
        Err(VerifyError::IncompleteChain)
    );
}

#[test]
fn bad_signature_is_refused() {
    let (root, ca) = digicert();
    let leaf = new_leaf(Alg::P256, &ca);
    let mut bad = leaf.der.clone();
    // The last byte is inside the signature value.
    *bad.last_mut().unwrap() ^= 0x01;
    assert_eq!(
        check(&[&bad, &ca.der], &[root.anchor()]),
        Err(VerifyError::BadSignature)
    );
    // An anchor with the root's name and another key.
    let impostor = new_root("Test Global Root G2", Alg::Rsa(2));
    let leaf = new_leaf(Alg::P256, &ca);
    assert_eq!(
        check(&[&leaf.der, &ca.der], &[impostor.anchor()]),
        Err(VerifyError::BadSignature)
    );
}

#[test]
fn oversized_certificate_is_refused() {
    let (root, ca) = digicert();
    let names: Vec<String> = (0..200)
        .map(|i| format!("host-{i:03}.twilio.test"))
        .collect();
    let mut names_ref: Vec<&str> = vec![HOST];
    names_ref.extend(names.iter().map(String::as_str));
    let big = issue(leaf_params(&names_ref), Alg::P256, &ca);
    assert!(big.der.len() > MAX_CERT_BYTES);
    assert_eq!(
        check(&[&big.der, &ca.der], &[root.anchor()]),
        Err(VerifyError::TooLarge { index: 0 })
    );
}

#[test]
fn leaf_without_server_auth_is_refused() {
    let (root, ca) = digicert();
    let mut params = leaf_params(&[HOST]);
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
    let leaf = issue(params, Alg::P256, &ca);
    assert_eq!(
        check(&[&leaf.der, &ca.der], &[root.anchor()]),
        Err(VerifyError::NotForServerAuth)
    );
}

#[test]
fn built_in_anchors_are_webpki_roots_copies() {
    use confpart_embassy::verify::anchors;
    for anchor in anchors::TWILIO {
        assert!(
            webpki_roots::TLS_SERVER_ROOTS
                .iter()
                .any(|r| r.subject == anchor.subject
                    && r.subject_public_key_info == anchor.subject_public_key_info
                    && r.name_constraints == anchor.name_constraints),
            "{:?} is not in webpki-roots",
            anchor.subject
        );
    }
    assert_eq!(
        anchors::TWILIO.len(),
        anchors::TWILIO_DIGICERT.len() + anchors::TWILIO_AMAZON.len()
    );
}

#[test]
fn unsupported_key_type_is_refused() {
    let (root, ca) = digicert();
    let params = leaf_params(&[HOST]);
    let key = KeyPair::generate_for(&rcgen::PKCS_ED25519).unwrap();
    let der = params.signed_by(&key, &ca.issuer()).unwrap().der().to_vec();
    // The leaf's key is Ed25519: its handshake signature could not be
    // checked, but the chain itself (RSA signatures) is fine.
    assert_eq!(check(&[&der, &ca.der], &[root.anchor()]), Ok(()));
    // An Ed25519 CA: its signature on the leaf is not checked here.
    let ed_root = {
        let params = ca_params("Ed25519 root", None);
        let key = KeyPair::generate_for(&rcgen::PKCS_ED25519).unwrap();
        let der = params.self_signed(&key).unwrap().der().to_vec();
        Node { params, key, der }
    };
    let leaf = new_leaf(Alg::P256, &ed_root);
    assert_eq!(
        check(&[&leaf.der], &[ed_root.anchor()]),
        Err(VerifyError::UnsupportedAlgorithm)
    );
}

#[test]
fn handshake_without_certificate_verify_is_refused() {
    use embedded_tls::{
        Aes128GcmSha256, CertificateEntryRef, CertificateRef, CertificateVerifyRef,
        SignatureScheme, TlsVerifier,
    };
    use sha2::Digest as _;
    let root = new_root("Root", Alg::P256);
    let ca = intermediate("CA", Alg::P256, &root);
    let leaf = new_leaf(Alg::P256, &ca);
    let anchors = [root.anchor()];
    let message = || {
        let mut cert = CertificateRef::with_context(&[]);
        cert.add(CertificateEntryRef::X509(&leaf.der)).unwrap();
        cert.add(CertificateEntryRef::X509(&ca.der)).unwrap();
        cert
    };
    let transcript = sha2::Sha256::new_with_prefix(b"handshake so far");

    // The chain is fine, but no CertificateVerify followed (a server that
    // does not hold the leaf's key would skip it): the session is refused.
    let mut verifier = Verifier::new(&anchors, HOST, now());
    TlsVerifier::<Aes128GcmSha256>::verify_certificate(&mut verifier, &transcript, message())
        .unwrap();
    assert_eq!(verifier.finish(), Err(VerifyError::BadHandshakeSignature));

    // A CertificateVerify that does not verify with the leaf's key.
    let bad = CertificateVerifyRef {
        signature_scheme: SignatureScheme::EcdsaSecp256r1Sha256,
        signature: &[0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01],
    };
    assert!(TlsVerifier::<Aes128GcmSha256>::verify_signature(&mut verifier, bad).is_err());
    assert_eq!(verifier.finish(), Err(VerifyError::BadHandshakeSignature));

    // A CertificateVerify with a scheme TLS 1.3 does not allow (PKCS#1).
    let mut verifier = Verifier::new(&anchors, HOST, now());
    TlsVerifier::<Aes128GcmSha256>::verify_certificate(&mut verifier, &transcript, message())
        .unwrap();
    let pkcs1 = CertificateVerifyRef {
        signature_scheme: SignatureScheme::RsaPkcs1Sha256,
        signature: &[0; 256],
    };
    assert!(TlsVerifier::<Aes128GcmSha256>::verify_signature(&mut verifier, pkcs1).is_err());
    assert_eq!(verifier.finish(), Err(VerifyError::UnsupportedAlgorithm));
}

#[test]
fn issuer_whose_key_usage_lacks_key_cert_sign_is_refused() {
    let (root, _) = digicert();
    let mut params = ca_params("CA for signatures only", None);
    params.key_usages = vec![rcgen::KeyUsagePurpose::DigitalSignature];
    let ca = issue(params, Alg::P256, &root);
    let leaf = new_leaf(Alg::P256, &ca);
    assert_eq!(
        check(&[&leaf.der, &ca.der], &[root.anchor()]),
        Err(VerifyError::IssuerNotForCertSign)
    );
}
