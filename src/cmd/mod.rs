//! One file per subcommand.

pub mod bench;
pub(crate) mod colour;
pub mod compare;
pub mod init;
pub mod merge;
pub mod run;
pub mod sweep;
pub mod validate;

use std::path::PathBuf;

use capsim::error::ScenarioError;
use capsim::scenario::Scenario;

use crate::Failure;

/// The worker threads asked for with `--threads` (all cores if not given).
/// Also sizes rayon's global pool, which loading (distribution tables) and
/// other work outside a run's own pools use, so that `--threads 1` means one
/// thread throughout. Call before loading scenarios.
pub(crate) fn worker_threads(requested: Option<u64>) -> usize {
    let threads = requested
        .map_or_else(
            || std::thread::available_parallelism().map_or(1, |n| n.get()),
            |t| t as usize,
        )
        .max(1);
    // Fails only if the global pool already exists, which then serves.
    let _ = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build_global();
    threads
}

/// Loads and validates every scenario before anything runs, so that one bad
/// file means no output at all. All errors are reported, not just the first.
pub(crate) fn load_all(paths: &[PathBuf]) -> Result<Vec<Scenario>, Failure> {
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
        let text: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
        Err(Failure::Input(text.join("\n\n")))
    }
}
