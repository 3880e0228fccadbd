//! The `capsim` binary: parses the command line, runs a subcommand, prints
//! errors and sets the exit code. The work is done by the `capsim` library.

mod cli;
mod cmd;

use std::process::ExitCode;

use clap::Parser;

/// Largest `--trials` accepted on the command line.
pub(crate) const MAX_TRIALS_ARG: u64 = capsim::scenario::MAX_TRIALS;

/// A failed command, with the exit code it maps to.
#[derive(Debug)]
pub(crate) enum Failure {
    /// Invalid input: scenario or arguments. Exit code 2.
    Input(String),
    /// Anything else. Exit code 1.
    Other(String),
}

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    let result = match cli.command {
        cli::Command::Run(args) => cmd::run::run(args),
        cli::Command::Validate(args) => cmd::validate::run(args),
        cli::Command::Init(args) => cmd::init::run(args),
        cli::Command::Merge(args) => cmd::merge::run(args),
        cli::Command::Bench(args) => cmd::bench::run(args),
        cli::Command::Compare(args) => cmd::compare::run(args),
        cli::Command::Sweep(args) => cmd::sweep::run(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Input(msg)) => {
            cmd::colour::eprint_highlighted(&msg);
            ExitCode::from(2)
        }
        Err(Failure::Other(msg)) => {
            cmd::colour::eprint_highlighted(&format!("error: {msg}"));
            ExitCode::from(1)
        }
    }
}
