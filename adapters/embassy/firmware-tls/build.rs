//! Puts `memory.x` (for cortex-m-rt's `link.x`) on the linker's search path.
use std::{env, fs, path::PathBuf};

fn main() {
    let out = PathBuf::from(env::var_os("OUT_DIR").unwrap_or_default());
    let _ = fs::copy("memory.x", out.join("memory.x"));
    println!("cargo:rerun-if-changed=memory.x");
    println!("cargo:rustc-link-search={}", out.display());
}
