//! The deals analysis of one scenario, for the terminal (`capsim deals`).
//!
//! ```
//! use capsim::app::DealsRequest;
//!
//! let dir = tempfile::tempdir()?;
//! let path = dir.path().join("example.toml");
//! let round = "\n[[funding]]\nname = \"round\"\namount_usd_bn = 5\nmonth = \"2026-06\"\n";
//! std::fs::write(&path, format!("{}{round}", capsim::app::EXAMPLE_SCENARIO))?;
//! let mut request = DealsRequest::new(path);
//! request.trials = Some(200);
//! let outcome = capsim::app::deals(&request)?;
//! assert_eq!(outcome.analysis.trials, 200);
//! // One deal, the funding event: it brings in 5 in every trial.
//! assert_eq!(outcome.analysis.rows.len(), 1);
//! assert_eq!(outcome.analysis.rows[0].inside.p50, 5.0);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::path::PathBuf;
use std::time::Instant;

use super::AppError;
use crate::analysis::DealsAnalysis;

/// Trials of the deals analysis unless asked otherwise: the first 2,000.
pub const DEALS_TRIALS: u64 = 2_000;

/// Which scenario to analyse, and how.
#[derive(Debug, Clone, PartialEq)]
pub struct DealsRequest {
    /// The scenario file.
    pub scenario: PathBuf,
    /// Trials (the first ones), instead of [`DEALS_TRIALS`] or the
    /// scenario's own trials if fewer.
    pub trials: Option<u64>,
    /// Seed, instead of the scenario's.
    pub seed: Option<u64>,
    /// Worker threads (all cores if `None`). Results do not depend on it.
    pub threads: Option<usize>,
}

impl DealsRequest {
    /// A request for `scenario` with its own seed and the default sample.
    pub fn new(scenario: PathBuf) -> DealsRequest {
        DealsRequest {
            scenario,
            trials: None,
            seed: None,
            threads: None,
        }
    }
}

/// A finished deals analysis.
#[derive(Debug, Clone)]
pub struct DealsOutcome {
    /// The scenario's display name.
    pub scenario_name: String,
    /// The analysis.
    pub analysis: DealsAnalysis,
    /// Wall time, seconds.
    pub wall_seconds: f64,
}

/// Runs the deals analysis of `request.scenario`.
pub fn deals(request: &DealsRequest) -> Result<DealsOutcome, AppError> {
    let threads = super::worker_threads(request.threads);
    let scenario = super::load_all(std::slice::from_ref(&request.scenario))?.remove(0);
    let trials = request
        .trials
        .unwrap_or_else(|| DEALS_TRIALS.min(scenario.trials))
        .max(1);
    let seed = request.seed.unwrap_or(scenario.seed);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(AppError::Threads)?;
    let started = Instant::now();
    let analysis = pool.install(|| crate::analysis::deals(&scenario, seed, trials));
    Ok(DealsOutcome {
        scenario_name: scenario.name.clone(),
        analysis,
        wall_seconds: started.elapsed().as_secs_f64(),
    })
}
