//! Webhook signature validation (issue 20): the core's no-alloc validator against the
//! std baseline a Rust user would otherwise write (decode the form into a `Vec` with
//! `serde_urlencoded`, sort, de-duplicate, HMAC-SHA1 over both URL variants with the same
//! RustCrypto crates). The core sorts by selection passes over the body (no buffer), so
//! its cost grows with the square of the pairs: measured on a conference callback (21
//! pairs, the most a callback has) and on the bound (`SIGNATURE_PARAMS_MAX` = 64 pairs).
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

criterion_group!(benches, bench);
criterion_main!(benches);
