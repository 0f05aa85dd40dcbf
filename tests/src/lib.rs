//! Cross-crate and interop tests for `confpart`. The tests live in `tests/tests/`;
//! this library only holds helpers shared between them.

use std::path::PathBuf;

pub mod callbacks;
pub mod fuzz_checks;
pub mod head_oracle;

/// Path of the shared fixtures directory (`../shared/fixtures` next to the
/// repository), overridable with `CONFPART_FIXTURES`.
pub fn fixtures_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("CONFPART_FIXTURES") {
        return PathBuf::from(dir);
    }
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/fixtures")
}
