//! The `confpart` command: see `confpart --help` and [`confpart_std::cli`].

#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::process::ExitCode;

use clap::Parser;
use confpart_std::app::run;
use confpart_std::cli::Cli;

fn main() -> ExitCode {
    // Usage errors exit with 2 (and --help / --version with 0) inside `parse`.
    let cli = Cli::parse();
    match run(&cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}
