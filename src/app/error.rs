//! Why a request could not be carried out.

use std::path::PathBuf;

use crate::analysis::SweepError;
use crate::error::{ExportError, ScenarioError};
use crate::export::chart::ChartError;
use crate::runner::RunError;
use crate::shard::StateError;

/// Why a run, merge, comparison or sweep failed. Messages carry no
/// `error:` prefix and no command-line wording: the program that reports
/// them adds those. [`AppError::is_input`] tells invalid input (a scenario,
/// a setting, a state file or a request) from failures to run or write.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Percentiles to report that are not 1 to 99 increasing values strictly
    /// between 0 and 100; the reason says which rule is broken.
    #[error("invalid percentiles: {0}")]
    Percentiles(&'static str),
    /// A scenario path without a file name to name its output folder after.
    #[error("{}: not a scenario file name", .0.display())]
    NotAFileName(PathBuf),
    /// A run (or merge) whose folder would be the one holding every sweep or
    /// comparison (`OUT/sweeps/`, `OUT/comparisons/`).
    #[error(
        "{}: its run would write to {}, which is reserved for capsim sweep and compare; rename the scenario file",
        path.display(),
        folder.display()
    )]
    ReservedFolder {
        /// The scenario file.
        path: PathBuf,
        /// The folder it would take.
        folder: PathBuf,
    },
    /// Two scenarios of one run whose output folders would be the same.
    #[error(
        "{} and {} would both write to {}; rename one or run them separately",
        first.display(),
        second.display(),
        folder.display()
    )]
    SameFolder {
        /// The first scenario given.
        first: PathBuf,
        /// The later one with the same file stem.
        second: PathBuf,
        /// The folder both would write to.
        folder: PathBuf,
    },
    /// A shard's state path names an existing file that is not a state file
    /// (a scenario, say), which saving the state would destroy.
    #[error(
        "{} exists and is not a capsim state file; refusing to overwrite it (choose another state path, or remove the file)",
        .0.display()
    )]
    NotStateFile(PathBuf),
    /// A sharded run of more than one scenario: their states would share
    /// one file.
    #[error("a sharded run takes one scenario ({0} given): each shard saves one state file")]
    ShardScenarios(usize),
    /// Scenarios that cannot be read or are invalid: every problem of every
    /// file, in the order given.
    #[error("{}", join(.0))]
    Scenarios(Vec<ScenarioError>),
    /// A sweep's keys, values or settings are wrong.
    #[error(transparent)]
    Sweep(#[from] SweepError),
    /// A shard state file cannot be read, or the files are not one run's.
    #[error(transparent)]
    State(#[from] StateError),
    /// Another capsim is writing to the output folder (its lock file exists
    /// and its process is alive).
    #[error(
        "{} is being written by another capsim run ({}); wait for it to finish, or remove {} if no capsim is writing there",
        folder.display(),
        pid.map_or("pid unknown".to_string(), |p| format!("pid {p}")),
        lock.display()
    )]
    Busy {
        /// The output folder.
        folder: PathBuf,
        /// The process holding the lock, as its lock file says.
        pid: Option<u32>,
        /// The lock file.
        lock: PathBuf,
    },
    /// A scenario file that was valid could not be read again.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// The scenario file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A scenario file that was valid is no longer UTF-8 text.
    #[error("{}: {source}", path.display())]
    NotText {
        /// The scenario file.
        path: PathBuf,
        /// Where it stops being UTF-8.
        source: std::str::Utf8Error,
    },
    /// A statistic of the results is beyond the largest float (about
    /// 1.8e308): inputs so large that their results cannot be computed.
    /// Nothing is written, so that no file holds a blank cell in its place.
    #[error(
        "the results overflow: {0} is beyond about 1.8e308, so it cannot be written; the inputs are too large (a warning above may say which); no files were written"
    )]
    Overflow(String),
    /// The worker threads of the per-trial analyses could not be started.
    #[error("cannot start worker threads: {0}")]
    Threads(rayon::ThreadPoolBuildError),
    /// A simulation could not be run.
    #[error(transparent)]
    Run(#[from] RunError),
    /// An output file could not be written.
    #[error(transparent)]
    Export(#[from] ExportError),
    /// A chart could not be drawn.
    #[error(transparent)]
    Chart(#[from] ChartError),
}

impl AppError {
    /// Whether the error is invalid input (scenario, setting, state file or
    /// request) rather than a failure to run or to write. Every variant is
    /// named, so a new one must be placed on one side.
    pub fn is_input(&self) -> bool {
        match self {
            AppError::Percentiles(_)
            | AppError::NotAFileName(_)
            | AppError::SameFolder { .. }
            | AppError::ReservedFolder { .. }
            | AppError::NotStateFile(_)
            | AppError::ShardScenarios(_)
            | AppError::Scenarios(_)
            | AppError::Sweep(_)
            | AppError::State(_) => true,
            AppError::Busy { .. }
            | AppError::Read { .. }
            | AppError::NotText { .. }
            | AppError::Overflow(_)
            | AppError::Threads(_)
            | AppError::Run(_)
            | AppError::Export(_)
            | AppError::Chart(_) => false,
        }
    }
}

fn join(errors: &[ScenarioError]) -> String {
    let shown: Vec<String> = errors.iter().map(ScenarioError::to_string).collect();
    shown.join("\n\n")
}
