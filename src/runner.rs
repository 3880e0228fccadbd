//! Runs trials in parallel and reduces them deterministically.
//!
//! Trials are cut into fixed-size chunks (the size never depends on the thread
//! count). Each chunk is simulated into its own accumulator; accumulators are
//! merged in chunk order. Together with per-trial random streams this makes the
//! results byte-identical for any number of threads.

use crate::model::{Model, OutputLayout, TrialRecord, Workspace};
use crate::scenario::Scenario;
use crate::stats::{ChunkAccumulator, Summary};
use rayon::prelude::*;

/// Trials per chunk: large enough to amortise scheduling, small enough to
/// balance load and report progress smoothly.
pub const CHUNK_TRIALS: u64 = 1024;

/// Largest memory the exact-percentile store may use, bytes.
pub const MAX_STORE_BYTES: u64 = 4 << 30;

/// How to run a scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct RunConfig {
    /// Number of trials.
    pub trials: u64,
    /// Master seed.
    pub seed: u64,
    /// Worker threads (at least 1).
    pub threads: usize,
    /// Percentiles to report, in percent.
    pub percentiles: Vec<f64>,
}

/// Why a run could not be done.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The run would need more memory than allowed.
    #[error(
        "{trials} trials of this scenario need about {need_mb} MB for exact percentiles (limit {limit_mb} MB); use fewer trials or a shorter horizon"
    )]
    TooLarge {
        /// Trials asked for.
        trials: u64,
        /// Estimated memory, MB.
        need_mb: u64,
        /// Limit, MB.
        limit_mb: u64,
    },
    /// The thread pool could not be started.
    #[error("cannot start {threads} worker threads: {source}")]
    Threads {
        /// Threads asked for.
        threads: usize,
        /// The underlying error.
        source: rayon::ThreadPoolBuildError,
    },
}

/// The summarised results of a run.
#[derive(Debug, Clone, PartialEq)]
pub struct RunResult {
    /// Shape of the output.
    pub layout: OutputLayout,
    /// Trials run.
    pub trials: u64,
    /// Seed used.
    pub seed: u64,
    /// Percentiles reported, in percent.
    pub percentiles: Vec<f64>,
    /// One summary per monthly series, metric-major (see [`OutputLayout`]).
    pub series: Vec<Summary>,
    /// One summary per scalar outcome.
    pub outcomes: Vec<Summary>,
}

/// Runs `config.trials` trials of `scenario`. `progress` is called with the
/// number of trials just finished, from worker threads.
pub fn run(
    scenario: &Scenario,
    config: &RunConfig,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<RunResult, RunError> {
    let model = Model::new(scenario);
    let layout = model.layout().clone();
    let per_trial = (layout.series_len() + layout.outcomes.len()) as u64 * 8;
    let need = config.trials.saturating_mul(per_trial);
    if need > MAX_STORE_BYTES {
        return Err(RunError::TooLarge {
            trials: config.trials,
            need_mb: need >> 20,
            limit_mb: MAX_STORE_BYTES >> 20,
        });
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(config.threads.max(1))
        .build()
        .map_err(|source| RunError::Threads {
            threads: config.threads,
            source,
        })?;
    let chunks = config.trials.div_ceil(CHUNK_TRIALS);
    let (series, outcomes) = pool.install(|| {
        let parts: Vec<(ChunkAccumulator, ChunkAccumulator)> = (0..chunks)
            .into_par_iter()
            .map(|chunk| {
                let first = chunk * CHUNK_TRIALS;
                let last = (first + CHUNK_TRIALS).min(config.trials);
                let n = (last - first) as usize;
                let mut ws = Workspace::new(scenario);
                let mut record = TrialRecord::new(&layout);
                let mut series = ChunkAccumulator::new(layout.series_len(), n);
                let mut outcomes = ChunkAccumulator::new(layout.outcomes.len(), n);
                for trial in first..last {
                    model.simulate(config.seed, trial, &mut ws, &mut record);
                    series.push(&record.series);
                    outcomes.push(&record.outcomes);
                }
                progress(last - first);
                (series, outcomes)
            })
            .collect();
        let mut iter = parts.into_iter();
        let (mut series, mut outcomes) = iter.next().unwrap_or_else(|| {
            (
                ChunkAccumulator::new(layout.series_len(), 0),
                ChunkAccumulator::new(layout.outcomes.len(), 0),
            )
        });
        for (s, o) in iter {
            series.merge(s);
            outcomes.merge(o);
        }
        (
            series.summarise(&config.percentiles),
            outcomes.summarise(&config.percentiles),
        )
    });
    Ok(RunResult {
        layout,
        trials: config.trials,
        seed: config.seed,
        percentiles: config.percentiles.clone(),
        series,
        outcomes,
    })
}
