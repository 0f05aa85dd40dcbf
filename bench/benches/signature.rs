//! Webhook signature validation (issue 20): the core's no-alloc validator against the
//! std baseline a Rust user would otherwise write (decode the form into a `Vec` with
//! `serde_urlencoded`, sort, de-duplicate, HMAC-SHA1 over both URL variants with the same
//! RustCrypto crates). The core sorts by selection passes over the body (no buffer), so
//! its cost grows with the square of the pairs: measured on a conference callback (21
//! pairs, the most a callback has) and on the bound (`SIGNATURE_PARAMS_MAX` = 64 pairs).
//!
//! Telnyx (issue 21): the core's `validate_telnyx` (the message fed to ed25519-dalek's
//! stream verifier in pieces) against the baseline that joins `timestamp|body` into a
//! `String` and calls `VerifyingKey::verify`; and `sign_telnyx` (two passes over the pieces).
//!
//! `cargo bench -p confpart-bench --bench signature`; `BENCHMARKS.md` holds the table.
#![allow(missing_docs)]

use std::hint::black_box;

use confpart::api::signature::{SIGNATURE_PARAMS_MAX, Scheme, sign, validate};
use criterion::{Criterion, criterion_group, criterion_main};
use hmac::{Hmac, Mac};
use sha1::Sha1;

const KEY: &[u8] = b"0123456789abcdef0123456789abcdef";
const URL: &str = "https://hooks.example.com/conference?site=1";

/// A `conference-end` callback with every field a callback can have (21 pairs).
const CALLBACK: &[u8] = b"AccountSid=ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa&ConferenceSid=CFaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\
&FriendlyName=front+desk&SequenceNumber=15&Timestamp=Sat%2C+06+Dec+2025+05%3A46%3A40+%2B0000\
&StatusCallbackEvent=conference-end&CallSid=CAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa&Muted=false&Hold=false\
&Coaching=false&EndConferenceOnExit=true&StartConferenceOnEnter=true&ParticipantLabel=agent\
&ParticipantCallStatus=completed&ReasonParticipantLeft=participant_updated_via_api\
&CallSidEndingConference=CAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa&ParticipantLabelEndingConference=agent\
&ReasonConferenceEnded=participant-with-end-conference-on-exit-kicked\
&Reason=Participant+with+EndConferenceOnExit+removed+via+API\
&AnnounceUrl=https%3A%2F%2Fmusic.example%2Fnotice.mp3&ReasonAnnouncementFailed=none";

fn std_validate(url: &str, form: &[u8], signature: &str) -> bool {
    use base64::Engine;
    let mut pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(form).unwrap_or_default();
    pairs.sort();
    pairs.dedup();
    let with_port = url.replacen(".com/", ".com:443/", 1);
    let Ok(tag) = base64::engine::general_purpose::STANDARD.decode(signature) else {
        return false;
    };
    let mut ok = false;
    for u in [url, with_port.as_str()] {
        let mut mac = Hmac::<Sha1>::new_from_slice(KEY).unwrap();
        mac.update(u.as_bytes());
        for (k, v) in &pairs {
            mac.update(k.as_bytes());
            mac.update(v.as_bytes());
        }
        ok |= mac.verify_slice(&tag).is_ok();
    }
    ok
}

fn bench(c: &mut Criterion) {
    let widest: Vec<u8> = (0..SIGNATURE_PARAMS_MAX)
        .rev()
        .map(|i| format!("Key{i:02}=value+{i}"))
        .collect::<Vec<_>>()
        .join("&")
        .into_bytes();
    for (name, form) in [("callback_21", CALLBACK), ("pairs_64", widest.as_slice())] {
        let sig = sign(Scheme::Twilio, KEY, URL, form).unwrap();
        assert!(std_validate(URL, form, sig.as_str()));
        let mut g = c.benchmark_group(format!("signature/{name}"));
        g.bench_function("confpart", |b| {
            b.iter(|| {
                validate(
                    Scheme::Twilio,
                    KEY,
                    black_box(URL),
                    black_box(form),
                    sig.as_bytes(),
                )
            })
        });
        g.bench_function("std", |b| {
            b.iter(|| std_validate(black_box(URL), black_box(form), sig.as_str()))
        });
        g.finish();
    }
}

/// A Telnyx `participant-join` callback as the bridge writes it.
const TELNYX_CALLBACK: &[u8] = b"AccountSid=f5586561-8ff0-4291-a51b-c7dfe4139ff9\
&CallSid=v3%3A9X2vxPDFY2RHSJ1EdMS0RHRksMTg7ldNxdjWbVr9zBjbGjGsSe-aiQ\
&CallSidLegacy=v3%3A9X2vxPDFY2RHSJ1EdMS0RHRksMTg7ldNxdjWbVr9zBjbGjGsSe-aiQ\
&ConferenceSid=2b4a8b8c-5f1e-4c3a-9d0e-1f2a3b4c5d6e&FriendlyName=front+desk&SequenceNumber=5\
&StatusCallbackEvent=participant-join&Timestamp=2026-12-07T05%3A30%3A00Z&ParticipantLabel=agent";

fn telnyx(c: &mut Criterion) {
    use confpart::api::signature::{Ed25519Key, sign_telnyx, validate_telnyx};
    use ed25519_dalek::Verifier;
    const TS: u64 = 1_796_621_400;
    let key = Ed25519Key::from_seed(&[0x5a; 32]);
    let public = key.public_key();
    let sig = sign_telnyx(&key, TS, TELNYX_CALLBACK);
    let ts = TS.to_string();
    let dalek_key = ed25519_dalek::VerifyingKey::from_bytes(&public.to_bytes()).unwrap();
    let std_validate = |sig_b64: &[u8], ts: &str, body: &[u8]| {
        use base64::Engine;
        let Ok(raw) = base64::engine::general_purpose::STANDARD.decode(sig_b64) else {
            return false;
        };
        let Ok(raw) = <[u8; 64]>::try_from(raw.as_slice()) else {
            return false;
        };
        let mut message = format!("{ts}|").into_bytes();
        message.extend_from_slice(body);
        dalek_key
            .verify(&message, &ed25519_dalek::Signature::from_bytes(&raw))
            .is_ok()
    };
    assert!(std_validate(sig.as_bytes(), &ts, TELNYX_CALLBACK));
    let mut g = c.benchmark_group("signature/telnyx_callback");
    g.bench_function("confpart_validate", |b| {
        b.iter(|| {
            validate_telnyx(
                &public,
                sig.as_bytes(),
                black_box(ts.as_bytes()),
                black_box(TELNYX_CALLBACK),
                TS,
            )
        })
    });
    g.bench_function("std_validate", |b| {
        b.iter(|| std_validate(sig.as_bytes(), black_box(&ts), black_box(TELNYX_CALLBACK)))
    });
    g.bench_function("confpart_sign", |b| {
        b.iter(|| sign_telnyx(&key, black_box(TS), black_box(TELNYX_CALLBACK)))
    });
    g.finish();
}

criterion_group!(benches, bench, telnyx);
criterion_main!(benches);
