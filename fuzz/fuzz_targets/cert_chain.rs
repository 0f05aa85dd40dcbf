//! The firmware's certificate verifier (`confpart_embassy::verify`) on
//! arbitrary input: a chain of up to `MAX_CHAIN` certificates (each a
//! 2-byte big-endian length, then that many bytes), a host chosen by the
//! first byte, the time from the next eight, the anchors the built-in
//! Twilio set plus the chain's last certificate taken as a root. Whatever
//! the bytes, it returns a `VerifyError` or `Ok` (never panics, never
//! loops), and the trust-anchor parser takes any bytes.
#![no_main]

use confpart_embassy::verify::{
    MAX_CHAIN, TrustAnchor, UnixTime, Validity, anchor_from_cert, anchors, verify_chain,
};

const HOSTS: [&str; 4] = ["api.twilio.com", "api.twilio.test", "a.b.example", "192.0.2.1"];

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else { return };
    let Some((time, mut rest)) = rest.split_first_chunk::<8>() else { return };
    let host = HOSTS[usize::from(pick) % HOSTS.len()];
    let validity = if pick & 0x80 != 0 {
        Validity::UncheckedNoClock
    } else {
        Validity::At(UnixTime::since_unix_epoch(core::time::Duration::from_secs(
            u64::from_be_bytes(*time) % 8_000_000_000,
        )))
    };
    let mut certs: Vec<&[u8]> = Vec::new();
    while let Some((len, tail)) = rest.split_first_chunk::<2>() {
        let len = usize::from(u16::from_be_bytes(*len)).min(tail.len());
        let (cert, tail) = tail.split_at(len);
        certs.push(cert);
        rest = tail;
        if certs.len() > MAX_CHAIN {
            break;
        }
    }
    let mut trusted: Vec<TrustAnchor<'_>> = anchors::TWILIO.to_vec();
    if let Some(root) = certs.last().and_then(|der| anchor_from_cert(der).ok()) {
        trusted.push(root);
    }
    let _ = verify_chain(&certs, host, &trusted, validity);
});
