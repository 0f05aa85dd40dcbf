//! Every shared fixture decodes through the public API of `confpart`, and the
//! copies in `tests/fixtures/` still match `../shared/fixtures/`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::PathBuf;

use confpart::api_error::ApiError;
use confpart::list::decode_page;
use confpart::participant::{Participant, Status};

fn local(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn copies_match_shared_fixtures() {
    let shared = confpart_tests::fixtures_dir();
    let Ok(entries) = std::fs::read_dir(&shared) else {
        eprintln!("{} not present: nothing to compare", shared.display());
        return;
    };
    let mut compared = 0;
    for entry in entries {
        let entry = entry.unwrap();
        let name = entry.file_name().into_string().unwrap();
        if !name.ends_with(".json") {
            continue;
        }
        assert_eq!(
            std::fs::read(entry.path()).unwrap(),
            local(&name),
            "{name} differs from the shared copy"
        );
        compared += 1;
    }
    assert!(
        compared >= 7,
        "expected the 7 shared fixtures, compared {compared}"
    );
}

#[test]
fn every_fixture_decodes() {
    for (name, status) in [
        ("twilio-create.json", Status::Queued),
        ("twilio-update-hold.json", Status::Connected),
        ("twilio-update-mute.json", Status::Connected),
    ] {
        let p = Participant::decode(&local(name)).unwrap();
        assert_eq!(p.status, Some(status), "{name}");
        assert!(p.uri.unwrap().ends_with(".json"));
    }
    for (name, code) in [
        ("twilio-error-20003.json", 20003),
        ("twilio-error-20404.json", 20404),
    ] {
        assert_eq!(ApiError::decode(&local(name)).unwrap().code, Some(code));
    }
    for (name, count) in [("twilio-list-page.json", 2), ("twilio-list-empty.json", 0)] {
        let mut n = 0;
        decode_page(&local(name), |_| n += 1).unwrap();
        assert_eq!(n, count, "{name}");
    }
}
