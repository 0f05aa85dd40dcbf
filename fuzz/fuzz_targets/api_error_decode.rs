//! JSON → error body: never panics; a decoded Twilio-shaped body written back
//! with `write_twilio` decodes to the same code, message and status.
#![no_main]

use confpart::api_error::{ApiError, ErrorShape, twilio_len};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|doc: &[u8]| {
    let Ok(e) = ApiError::decode(doc) else {
        return;
    };
    let (Some(code), Some(status)) = (e.code, e.status) else {
        return;
    };
    if e.shape != ErrorShape::Twilio {
        return;
    }
    let message = e.message.map(|m| m.to_string()).unwrap_or_default();
    let mut out = vec![0u8; twilio_len(code, &message, status)];
    let n = ApiError::encode_twilio(code, &message, status, &mut out).expect("fits twilio_len");
    let back = ApiError::decode(&out[..n]).expect("re-encoded error decodes");
    assert_eq!((back.code, back.status), (Some(code), Some(status)));
    assert_eq!(back.message, e.message);
});
