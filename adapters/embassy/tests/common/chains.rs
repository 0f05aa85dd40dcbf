//! Certificate chains made in the test (rcgen; RSA keys from openssl):
//! roots, intermediates and leaves with chosen algorithms, CA flags, path
//! lengths, names and dates.
use std::process::Command;
use std::sync::OnceLock;

use confpart_embassy::verify::{TrustAnchor, anchor_from_cert};
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose, PKCS_ECDSA_P256_SHA256, PKCS_ECDSA_P384_SHA384, PKCS_RSA_SHA256,
    date_time_ymd,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

pub const HOST: &str = "api.twilio.test";

/// A 2048-bit RSA key from openssl (ring signs with RSA but makes no RSA
/// keys); three are made once per test run and shared.
pub fn rsa_key(slot: usize) -> KeyPair {
    static PEMS: OnceLock<Vec<String>> = OnceLock::new();
    let pems = PEMS.get_or_init(|| {
        (0..3)
            .map(|_| {
                let out = Command::new("openssl")
                    .args([
                        "genpkey",
                        "-algorithm",
                        "RSA",
                        "-pkeyopt",
                        "rsa_keygen_bits:2048",
                    ])
                    .output()
                    .expect("openssl");
                assert!(out.status.success());
                String::from_utf8(out.stdout).unwrap()
            })
            .collect()
    });
    KeyPair::from_pem_and_sign_algo(&pems[slot % 3], &PKCS_RSA_SHA256).unwrap()
}

#[derive(Clone, Copy)]
pub enum Alg {
    Rsa(usize),
    P256,
    P384,
}

pub fn key(alg: Alg) -> KeyPair {
    match alg {
        Alg::Rsa(slot) => rsa_key(slot),
        Alg::P256 => KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).unwrap(),
        Alg::P384 => KeyPair::generate_for(&PKCS_ECDSA_P384_SHA384).unwrap(),
    }
}

/// A certificate with its key and parameters (to issue others).
pub struct Node {
    pub params: CertificateParams,
    pub key: KeyPair,
    pub der: Vec<u8>,
}

impl Node {
    pub fn issuer(&self) -> Issuer<'_, &KeyPair> {
        Issuer::from_params(&self.params, &self.key)
    }

    pub fn anchor(&self) -> TrustAnchor<'_> {
        anchor_from_cert(&self.der).unwrap()
    }
}

pub fn ca_params(name: &str, path_len: Option<u8>) -> CertificateParams {
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.distinguished_name.push(DnType::CommonName, name);
    params.is_ca = IsCa::Ca(match path_len {
        Some(n) => BasicConstraints::Constrained(n),
        None => BasicConstraints::Unconstrained,
    });
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    params.not_before = date_time_ymd(2020, 1, 1);
    params.not_after = date_time_ymd(2040, 1, 1);
    params
}

pub fn new_root(name: &str, alg: Alg) -> Node {
    let params = ca_params(name, None);
    let key = key(alg);
    let der = params.self_signed(&key).unwrap().der().to_vec();
    Node { params, key, der }
}

pub fn issue(params: CertificateParams, alg: Alg, by: &Node) -> Node {
    let key = key(alg);
    let der = params.signed_by(&key, &by.issuer()).unwrap().der().to_vec();
    Node { params, key, der }
}

pub fn intermediate(name: &str, alg: Alg, by: &Node) -> Node {
    issue(ca_params(name, Some(0)), alg, by)
}

pub fn leaf_params(names: &[&str]) -> CertificateParams {
    let mut params =
        CertificateParams::new(names.iter().map(|n| n.to_string()).collect::<Vec<_>>()).unwrap();
    params.distinguished_name.push(DnType::CommonName, names[0]);
    params.is_ca = IsCa::ExplicitNoCa;
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.not_before = date_time_ymd(2026, 6, 1);
    params.not_after = date_time_ymd(2027, 6, 1);
    params
}

pub fn new_leaf(alg: Alg, by: &Node) -> Node {
    issue(leaf_params(&[HOST]), alg, by)
}

impl Node {
    /// The certificate (DER) for rustls.
    pub fn cert(&self) -> CertificateDer<'static> {
        CertificateDer::from(self.der.clone())
    }

    /// The private key (PKCS#8) for rustls.
    pub fn private_key(&self) -> PrivateKeyDer<'static> {
        PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(self.key.serialize_der()))
    }
}
