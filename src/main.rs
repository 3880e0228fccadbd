//! The `capsim` binary: parses the command line, runs a subcommand, prints
//! errors and sets the exit code. The work is done by the `capsim` library.

/// `println!` that reports a failed write instead of panicking: the
/// enclosing function returns the [`Failure`] (a closed pipe ends the
/// program quietly, with exit code 0, as `capsim run ... | head -1` expects).
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        writeln!(std::io::stdout(), $($arg)*).map_err($crate::Failure::from)?
    }};
}

mod cli;
mod cmd;
mod oom;

/// An allocation that fails ends capsim with a one-line error and exit
/// code 1 (see `oom`).
#[global_allocator]
static ALLOCATOR: oom::Guarded = oom::Guarded;

use std::process::ExitCode;

use clap::parser::ValueSource;
use clap::{CommandFactory, FromArgMatches};

/// Largest `--trials` accepted on the command line.
pub(crate) const MAX_TRIALS_ARG: u64 = capsim::scenario::MAX_TRIALS;

/// A failed command, with the exit code it maps to.
#[derive(Debug)]
pub(crate) enum Failure {
    /// Invalid input: scenario or arguments. Exit code 2.
    Input(String),
    /// Anything else. Exit code 1.
    Other(String),
    /// Standard output was closed by its reader (`capsim run ... | head -1`):
    /// the program stops printing and ends with exit code 0, as ripgrep does.
    BrokenPipe,
}

impl From<std::io::Error> for Failure {
    fn from(e: std::io::Error) -> Failure {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            Failure::BrokenPipe
        } else {
            Failure::Other(format!("cannot write to standard output: {e}"))
        }
    }
}

fn main() -> ExitCode {
    let matches = cli::Cli::command().get_matches();
    let cli = cli::Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    // Whether `run --out` was given, not defaulted: a shard refuses it.
    let out_given = matches
        .subcommand_matches("run")
        .is_some_and(|m| m.value_source("out") == Some(ValueSource::CommandLine));
    let result = match cli.command {
        cli::Command::Run(args) => cmd::run::run(args, out_given),
        cli::Command::Validate(args) => cmd::validate::run(args),
        cli::Command::Init(args) => cmd::init::run(args),
        cli::Command::Merge(args) => cmd::merge::run(args),
        cli::Command::Bench(args) => cmd::bench::run(args),
        cli::Command::Compare(args) => cmd::compare::run(args),
        cli::Command::Sweep(args) => cmd::sweep::run(args),
        cli::Command::Deals(args) => cmd::deals::run(args),
    };
    match result {
        Ok(()) | Err(Failure::BrokenPipe) => ExitCode::SUCCESS,
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
