//! Every shared fixture decodes through the public API of `confpart`, and the
//! copies in `tests/fixtures/` still match `../shared/fixtures/`.
use std::path::PathBuf;

use confpart::api::error::ApiError;
use confpart::api::list::decode_page;
use confpart::api::participant::{Participant, Status};
use confpart::wire::json::JsonErrorKind;

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
        let doc = local(name);
        let p = Participant::decode(&doc).unwrap();
        assert_eq!(p.status(), Some(status), "{name}");
        assert!(p.uri().unwrap().raw().ends_with(".json"));
        assert!(p.call_sid().is_some());
    }
    for (name, code) in [
        ("twilio-error-20003.json", 20003),
        ("twilio-error-20404.json", 20404),
    ] {
        assert_eq!(ApiError::decode(&local(name)).unwrap().code, Some(code));
    }
    // Each kind of body is told apart from the others.
    // (An error body's numeric `status` is already the wrong type for a
    // participant's `status`.)
    let e = Participant::decode(&local("twilio-error-20003.json")).unwrap_err();
    assert_eq!(
        (e.kind, e.field),
        (
            JsonErrorKind::WrongType {
                expected: "a string or null"
            },
            Some("status")
        )
    );
    for name in ["twilio-list-page.json", "twilio-list-empty.json"] {
        let e = Participant::decode(&local(name)).unwrap_err();
        assert_eq!(e.kind, JsonErrorKind::Missing, "{name}");
        assert_eq!(e.field, Some("call_sid"), "{name}");
    }
    let e = ApiError::decode(&local("twilio-create.json")).unwrap_err();
    assert_eq!(e.field, Some("status"));
    for name in ["twilio-list-page.json", "twilio-list-empty.json"] {
        let e = ApiError::decode(&local(name)).unwrap_err();
        assert_eq!(e.kind, JsonErrorKind::Missing, "{name}");
        assert_eq!(e.field, Some("code, message or errors"), "{name}");
    }
    for name in ["twilio-create.json", "twilio-error-20404.json"] {
        let e = decode_page(&local(name), |_| {}).unwrap_err();
        assert_eq!(e.kind, JsonErrorKind::Missing, "{name}");
        assert_eq!(e.field, Some("participants"), "{name}");
    }
    for (name, count) in [("twilio-list-page.json", 2), ("twilio-list-empty.json", 0)] {
        let mut n = 0;
        decode_page(&local(name), |_| n += 1).unwrap();
        assert_eq!(n, count, "{name}");
    }
}
