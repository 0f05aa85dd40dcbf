//! Puts `memory.x` (for cortex-m-rt's `link.x`) and `stack-sizes.x` (for
//! the nightly stack report) on the linker's search path.
use std::{env, fs, path::PathBuf};

fn main() {
    let out = PathBuf::from(env::var_os("OUT_DIR").unwrap_or_default());
    for script in ["memory.x", "stack-sizes.x"] {
        let _ = fs::copy(script, out.join(script));
        println!("cargo:rerun-if-changed={script}");
    }
    println!("cargo:rustc-link-search={}", out.display());
}
