//! RustCrypto signature algorithms behind `rustls-pki-types`'
//! [`SignatureVerificationAlgorithm`], the interface `rustls-webpki` checks
//! certificate signatures through (it ships only `ring` / `aws-lc-rs` ones,
//! neither of which builds for a Cortex-M without a C toolchain).
//!
//! ECDSA on P-256 and P-384 with SHA-256 or SHA-384 (the four pairs CAs
//! use); with the `rsa` feature, RSA PKCS#1 v1.5 and PSS with SHA-256/384/512
//! for 2048- to 4096-bit keys.

use core::fmt;

use rustls_pki_types::{
    AlgorithmIdentifier, InvalidSignature, SignatureVerificationAlgorithm, alg_id,
};
use sha2::Digest as _;

/// ECDSA over one curve with one digest.
pub struct Ecdsa {
    curve: Curve,
    digest: Hash,
    name: &'static str,
}

#[derive(Clone, Copy)]
enum Curve {
    P256,
    P384,
}

/// The digests certificate and handshake signatures use.
#[derive(Clone, Copy)]
pub(crate) enum Hash {
    Sha256,
    Sha384,
    #[cfg_attr(not(feature = "rsa"), allow(dead_code))]
    Sha512,
}

/// `message`'s digest into `out`; its length.
fn digest(hash: Hash, message: &[u8], out: &mut [u8; 64]) -> usize {
    fn put(out: &mut [u8; 64], bytes: &[u8]) -> usize {
        let n = bytes.len().min(out.len());
        if let (Some(dst), Some(src)) = (out.get_mut(..n), bytes.get(..n)) {
            dst.copy_from_slice(src);
        }
        n
    }
    match hash {
        Hash::Sha256 => put(out, &sha2::Sha256::digest(message)),
        Hash::Sha384 => put(out, &sha2::Sha384::digest(message)),
        Hash::Sha512 => put(out, &sha2::Sha512::digest(message)),
    }
}

impl fmt::Debug for Ecdsa {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name)
    }
}

impl SignatureVerificationAlgorithm for Ecdsa {
    fn verify_signature(
        &self,
        public_key: &[u8],
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), InvalidSignature> {
        use p256::ecdsa::signature::hazmat::PrehashVerifier as _;
        let mut hashed = [0u8; 64];
        let n = digest(self.digest, message, &mut hashed);
        let prehash = hashed.get(..n).ok_or(InvalidSignature)?;
        let ok = match self.curve {
            Curve::P256 => {
                let key = p256::ecdsa::VerifyingKey::from_sec1_bytes(public_key)
                    .map_err(|_| InvalidSignature)?;
                let sig =
                    p256::ecdsa::DerSignature::try_from(signature).map_err(|_| InvalidSignature)?;
                key.verify_prehash(prehash, &sig).is_ok()
            }
            Curve::P384 => {
                let key = p384::ecdsa::VerifyingKey::from_sec1_bytes(public_key)
                    .map_err(|_| InvalidSignature)?;
                let sig =
                    p384::ecdsa::DerSignature::try_from(signature).map_err(|_| InvalidSignature)?;
                key.verify_prehash(prehash, &sig).is_ok()
            }
        };
        if ok { Ok(()) } else { Err(InvalidSignature) }
    }

    fn public_key_alg_id(&self) -> AlgorithmIdentifier {
        match self.curve {
            Curve::P256 => alg_id::ECDSA_P256,
            Curve::P384 => alg_id::ECDSA_P384,
        }
    }

    fn signature_alg_id(&self) -> AlgorithmIdentifier {
        match self.digest {
            Hash::Sha256 => alg_id::ECDSA_SHA256,
            Hash::Sha384 => alg_id::ECDSA_SHA384,
            Hash::Sha512 => alg_id::ECDSA_SHA512,
        }
    }
}

/// ECDSA P-256 key, SHA-256 (also TLS 1.3's `ecdsa_secp256r1_sha256`).
pub static ECDSA_P256_SHA256: Ecdsa = Ecdsa {
    curve: Curve::P256,
    digest: Hash::Sha256,
    name: "ECDSA_P256_SHA256",
};
/// ECDSA P-256 key, SHA-384 (a P-384 CA's signature style on a P-256 key).
pub static ECDSA_P256_SHA384: Ecdsa = Ecdsa {
    curve: Curve::P256,
    digest: Hash::Sha384,
    name: "ECDSA_P256_SHA384",
};
/// ECDSA P-384 key, SHA-256.
pub static ECDSA_P384_SHA256: Ecdsa = Ecdsa {
    curve: Curve::P384,
    digest: Hash::Sha256,
    name: "ECDSA_P384_SHA256",
};
/// ECDSA P-384 key, SHA-384 (also TLS 1.3's `ecdsa_secp384r1_sha384`).
pub static ECDSA_P384_SHA384: Ecdsa = Ecdsa {
    curve: Curve::P384,
    digest: Hash::Sha384,
    name: "ECDSA_P384_SHA384",
};

#[cfg(feature = "rsa")]
pub use rsa_algs::*;

#[cfg(feature = "rsa")]
mod rsa_algs {
    use core::fmt;

    use rsa::pkcs1::DecodeRsaPublicKey as _;
    use rsa::traits::PublicKeyParts as _;
    use rustls_pki_types::{
        AlgorithmIdentifier, InvalidSignature, SignatureVerificationAlgorithm, alg_id,
    };

    use super::{Hash, digest};

    /// The smallest and largest RSA moduli accepted (bits).
    pub const RSA_BITS: core::ops::RangeInclusive<usize> = 2048..=4096;

    /// RSA with one padding and one digest.
    pub struct Rsa {
        pss: bool,
        digest: Hash,
        name: &'static str,
    }

    impl fmt::Debug for Rsa {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(self.name)
        }
    }

    impl SignatureVerificationAlgorithm for Rsa {
        fn verify_signature(
            &self,
            public_key: &[u8],
            message: &[u8],
            signature: &[u8],
        ) -> Result<(), InvalidSignature> {
            let key =
                rsa::RsaPublicKey::from_pkcs1_der(public_key).map_err(|_| InvalidSignature)?;
            if !RSA_BITS.contains(&key.n().bits()) || signature.len() != key.size() {
                return Err(InvalidSignature);
            }
            let mut hashed = [0u8; 64];
            let n = digest(self.digest, message, &mut hashed);
            let hashed = hashed.get(..n).ok_or(InvalidSignature)?;
            let result = match (self.pss, self.digest) {
                (false, Hash::Sha256) => {
                    key.verify(rsa::Pkcs1v15Sign::new::<sha2::Sha256>(), hashed, signature)
                }
                (false, Hash::Sha384) => {
                    key.verify(rsa::Pkcs1v15Sign::new::<sha2::Sha384>(), hashed, signature)
                }
                (false, Hash::Sha512) => {
                    key.verify(rsa::Pkcs1v15Sign::new::<sha2::Sha512>(), hashed, signature)
                }
                // Salt as long as the digest: what TLS 1.3 (RFC 8446
                // 4.2.3) and RFC 4055 certificates use.
                (true, Hash::Sha256) => {
                    key.verify(rsa::Pss::new::<sha2::Sha256>(), hashed, signature)
                }
                (true, Hash::Sha384) => {
                    key.verify(rsa::Pss::new::<sha2::Sha384>(), hashed, signature)
                }
                (true, Hash::Sha512) => {
                    key.verify(rsa::Pss::new::<sha2::Sha512>(), hashed, signature)
                }
            };
            result.map_err(|_| InvalidSignature)
        }

        fn public_key_alg_id(&self) -> AlgorithmIdentifier {
            alg_id::RSA_ENCRYPTION
        }

        fn signature_alg_id(&self) -> AlgorithmIdentifier {
            match (self.pss, self.digest) {
                (false, Hash::Sha256) => alg_id::RSA_PKCS1_SHA256,
                (false, Hash::Sha384) => alg_id::RSA_PKCS1_SHA384,
                (false, Hash::Sha512) => alg_id::RSA_PKCS1_SHA512,
                (true, Hash::Sha256) => alg_id::RSA_PSS_SHA256,
                (true, Hash::Sha384) => alg_id::RSA_PSS_SHA384,
                (true, Hash::Sha512) => alg_id::RSA_PSS_SHA512,
            }
        }
    }

    macro_rules! rsa_alg {
        ($(#[$doc:meta] $name:ident = $pss:literal, $hash:ident;)*) => {$(
            #[$doc]
            pub static $name: Rsa = Rsa { pss: $pss, digest: Hash::$hash, name: stringify!($name) };
        )*};
    }

    rsa_alg! {
        /// RSA PKCS#1 v1.5, SHA-256, 2048-4096 bits (certificates).
        RSA_PKCS1_2048_4096_SHA256 = false, Sha256;
        /// RSA PKCS#1 v1.5, SHA-384, 2048-4096 bits (certificates).
        RSA_PKCS1_2048_4096_SHA384 = false, Sha384;
        /// RSA PKCS#1 v1.5, SHA-512, 2048-4096 bits (certificates).
        RSA_PKCS1_2048_4096_SHA512 = false, Sha512;
        /// RSA PSS, SHA-256, 2048-4096 bits (TLS 1.3 `rsa_pss_rsae_sha256`, certificates).
        RSA_PSS_2048_4096_SHA256 = true, Sha256;
        /// RSA PSS, SHA-384, 2048-4096 bits (TLS 1.3 `rsa_pss_rsae_sha384`, certificates).
        RSA_PSS_2048_4096_SHA384 = true, Sha384;
        /// RSA PSS, SHA-512, 2048-4096 bits (TLS 1.3 `rsa_pss_rsae_sha512`, certificates).
        RSA_PSS_2048_4096_SHA512 = true, Sha512;
    }
}

/// Every algorithm a certificate signature is checked with (ECDSA; RSA
/// with the `rsa` feature).
pub static ALL: &[&dyn SignatureVerificationAlgorithm] = &[
    &ECDSA_P256_SHA256,
    &ECDSA_P256_SHA384,
    &ECDSA_P384_SHA256,
    &ECDSA_P384_SHA384,
    #[cfg(feature = "rsa")]
    &RSA_PKCS1_2048_4096_SHA256,
    #[cfg(feature = "rsa")]
    &RSA_PKCS1_2048_4096_SHA384,
    #[cfg(feature = "rsa")]
    &RSA_PKCS1_2048_4096_SHA512,
    #[cfg(feature = "rsa")]
    &RSA_PSS_2048_4096_SHA256,
    #[cfg(feature = "rsa")]
    &RSA_PSS_2048_4096_SHA384,
    #[cfg(feature = "rsa")]
    &RSA_PSS_2048_4096_SHA512,
];
