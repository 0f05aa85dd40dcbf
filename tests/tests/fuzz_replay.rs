//! Corpus replay on stable: every committed seed (`fuzz/seeds/<target>/`) and
//! every past finding (`fuzz/regressions/<target>/`) runs through the same
//! check as the cargo-fuzz target `<target>` (`confpart_tests::fuzz_checks`),
//! so a fixed bug stays fixed without libFuzzer or a nightly toolchain.
use std::fs;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use confpart_tests::fuzz_checks::{TARGETS, check};

fn fuzz_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fuzz")
}

/// The sub-directories of `dir` (none when `dir` does not exist).
fn subdirs(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut dirs: Vec<PathBuf> = entries
        .map(|e| e.expect("readable directory").path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

/// The files of `dir`, sorted (none when `dir` does not exist).
fn files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .map(|e| e.expect("readable directory").path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

fn name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

#[test]
fn every_seed_and_regression_replays() {
    let root = fuzz_dir();
    let mut failures = Vec::new();
    let mut replayed = 0;
    for kind in ["seeds", "regressions"] {
        for dir in subdirs(&root.join(kind)) {
            let target = name(&dir);
            let Some(run) = check(&target) else {
                failures.push(format!(
                    "fuzz/{kind}/{target}/: no fuzz target is named {target:?}"
                ));
                continue;
            };
            for file in files(&dir) {
                let input = fs::read(&file).expect("readable input");
                eprintln!("replay fuzz/{kind}/{target}/{}", name(&file));
                if catch_unwind(AssertUnwindSafe(|| run(&input))).is_err() {
                    failures.push(format!("fuzz/{kind}/{target}/{}", name(&file)));
                }
                replayed += 1;
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {replayed} stored fuzz inputs fail:\n  {}",
        failures.len(),
        failures.join("\n  ")
    );
    assert!(replayed > 0, "no stored fuzz input found under {root:?}");
}

/// Every target has a check, every check a target, so no stored input is
/// replayed through the wrong code.
#[test]
fn every_fuzz_target_calls_its_check() {
    let dir = fuzz_dir().join("fuzz_targets");
    let mut targets: Vec<String> = files(&dir)
        .iter()
        .filter_map(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .collect();
    targets.sort();
    let mut checks: Vec<String> = TARGETS.iter().map(|(n, _)| (*n).to_owned()).collect();
    checks.sort();
    assert_eq!(
        targets, checks,
        "fuzz/fuzz_targets/ and fuzz_checks::TARGETS"
    );
    for t in &targets {
        let source = fs::read_to_string(dir.join(format!("{t}.rs"))).expect("target source");
        assert!(
            source.contains(&format!("fuzz_checks::{t}(")),
            "fuzz/fuzz_targets/{t}.rs does not call fuzz_checks::{t}"
        );
    }
    let manifest = fs::read_to_string(fuzz_dir().join("Cargo.toml")).expect("fuzz/Cargo.toml");
    for t in &targets {
        assert!(
            manifest.contains(&format!("path = \"fuzz_targets/{t}.rs\"")),
            "fuzz/Cargo.toml has no [[bin]] for {t}"
        );
    }
}
