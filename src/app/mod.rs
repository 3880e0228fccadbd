//! The application: what `capsim run`, `merge`, `compare` and `sweep` do,
//! as library calls. Each takes one typed request and gives back one typed
//! result (what was computed and which files were written) or an
//! [`AppError`]; none parses a command line or prints. Long simulations
//! report to a [`Progress`] the caller supplies.
//!
//! Every scenario of a request is loaded and validated before anything
//! runs, so that one bad file means no output at all. Output folders are
//! named by [`output_dir`], and every `manifest.json` is a
//! [`Manifest`](crate::export::Manifest).
//!
//! ```
//! use capsim::app::{RunOutcome, RunRequest, Silent};
//!
//! let dir = tempfile::tempdir()?;
//! let scenario = dir.path().join("tiny.toml");
//! std::fs::write(&scenario, capsim::app::EXAMPLE_SCENARIO)?;
//!
//! let mut request = RunRequest::new(vec![scenario]);
//! request.out = dir.path().join("output");
//! request.trials = Some(500);
//! request.charts = false;
//! let mut runs = Vec::new();
//! capsim::app::run(&request, &Silent, &mut |outcome| runs.push(outcome))?;
//!
//! let RunOutcome::Finished(run) = &runs[0] else { unreachable!("no shard asked for") };
//! assert_eq!(run.result.trials, 500);
//! assert_eq!(run.folder, dir.path().join("output").join("tiny"));
//! assert!(run.written.iter().any(|p| p.ends_with("summary.csv")));
//! assert!(run.written.iter().any(|p| p.ends_with("manifest.json")));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod compare;
mod deals;
mod error;
mod folder;
mod merge;
mod output;
mod outputs;
mod run;
mod sweep;

use std::path::{Path, PathBuf};

pub use compare::{CompareOutcome, CompareRequest, DIFF_PERCENTILES, compare};
pub use deals::{DEALS_TRIALS, DealsOutcome, DealsRequest, deals};
pub use error::AppError;
pub use merge::{MergeRequest, merge};
pub use output::{
    COMPARISONS_DIR, OutputKind, SWEEPS_DIR, output_dir, reserved_folder, scenario_stem,
};
pub use outputs::{DEALS_RUN_TRIALS, FinishedRun};
pub use run::{Precision, RunOutcome, RunRequest, SavedShard, ShardRequest, run};
pub use sweep::{SweepOutcome, SweepRequest, sweep};

use crate::error::ScenarioError;
use crate::scenario::Scenario;

/// A small valid scenario (one year, one tranche with an uncertain delay),
/// for examples and tests.
pub const EXAMPLE_SCENARIO: &str = r#"[scenario]
name = "tiny"
start = "2026-01"
end = "2026-12"

[[tranche]]
name = "site-a"
counterparty = "c"
gw = 1
planned = "2026-03"
delay_months = { dist = "uniform", min = 0, max = 4 }
accelerators_per_gw = 1000

[cash]
start_usd_bn = 10
"#;

/// Receives the progress of a request's simulations, from worker threads:
/// the command line draws a progress bar, [`Silent`] ignores it.
pub trait Progress: Sync {
    /// A simulation of `total` trials (in all) starts.
    fn start(&self, total: u64);
    /// `trials` more trials are done.
    fn advance(&self, trials: u64);
    /// The simulation is done; analyses and writing follow.
    fn finish(&self);
    /// A run's scenario is loaded and valid (called for each scenario of
    /// the request, in order, before anything runs): the command line
    /// prints its warnings here. Does nothing by default.
    fn loaded(&self, _path: &Path, _scenario: &Scenario) {}
}

/// A [`Progress`] that ignores progress.
#[derive(Debug, Clone, Copy, Default)]
pub struct Silent;

impl Progress for Silent {
    fn start(&self, _total: u64) {}
    fn advance(&self, _trials: u64) {}
    fn finish(&self) {}
}

/// Most worker threads per core a request gets: threads beyond the cores
/// only add the cost of starting them and of their scratch (1,024 threads
/// on 2 cores ran 64 times slower than 2).
pub const MAX_THREADS_PER_CORE: usize = 4;

/// The worker threads asked for (all cores if `None`). Also sizes rayon's
/// global pool, which loading (distribution tables) and other work outside
/// a run's own pools use, so that one thread means one thread throughout.
/// Called before loading scenarios.
/// More is capped at [`MAX_THREADS_PER_CORE`] per core.
fn worker_threads(requested: Option<usize>) -> usize {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let threads = requested
        .unwrap_or(cores)
        .clamp(1, MAX_THREADS_PER_CORE * cores);
    // Fails only if the global pool already exists, which then serves.
    let _ = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build_global();
    threads
}

/// Loads and validates every scenario, reporting every error of every file
/// (not just the first) in [`AppError::Scenarios`].
pub fn load_all(paths: &[PathBuf]) -> Result<Vec<Scenario>, AppError> {
    let mut scenarios = Vec::new();
    let mut errors: Vec<ScenarioError> = Vec::new();
    for path in paths {
        match Scenario::load(path) {
            Ok(s) => scenarios.push(s),
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() {
        Ok(scenarios)
    } else {
        Err(AppError::Scenarios(errors))
    }
}
