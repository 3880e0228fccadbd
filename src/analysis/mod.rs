//! Analyses that need per-trial values rather than summaries: the audit
//! table of sampled inputs and outcomes, and what drives each outcome.
//!
//! Both re-simulate trials by index (each trial is reproducible from the seed
//! and its index), so they cost no memory during the main run.

mod compare;
mod precision;
mod sensitivity;
mod sweep;
mod trials;

pub use compare::{Better, COMPARED_METRICS, ComparisonRow, compare};
pub use precision::{KEY_OUTCOMES, PrecisionReport, run_to_precision};
pub use sensitivity::{SensitivityRow, sensitivity};
pub use sweep::{
    SWEEP_KEY_OUTCOMES, SWEEP_PERCENTILES, SweepError, SweepKey, SweepSetting, SweepValue, apply,
    compact, split_top_level, sweep_outcomes, sweep_settings, to_toml, write_sweep_csv,
};
pub use trials::{TrialTable, trial_table};

use rayon::prelude::*;

use crate::model::{Model, TrialRecord, Workspace};

/// Input values and outcomes of trials `0..n`, in trial order, computed in
/// parallel. `pinned` fixes inputs at quantiles (see [`Model::simulate_with`]).
pub(crate) fn per_trial(
    model: &Model,
    seed: u64,
    trials: std::ops::Range<u64>,
    pinned: &[(usize, f64)],
) -> Vec<(Vec<f64>, Vec<f64>)> {
    let first = trials.start;
    let jobs = (trials.end.saturating_sub(first)) as usize;
    simulate_each(
        model,
        seed,
        jobs,
        |k| (first + k as u64, pinned),
        |inputs, outcomes| (inputs.to_vec(), outcomes.to_vec()),
    )
}

/// `keep(input values, outcomes)` of each of `jobs` simulations, in job
/// order, computed in parallel with one workspace per worker; job `k`
/// simulates trial `job(k).0` with the inputs `job(k).1` pinned.
pub(crate) fn simulate_each<'p, T: Send>(
    model: &Model,
    seed: u64,
    jobs: usize,
    job: impl Fn(usize) -> (u64, &'p [(usize, f64)]) + Sync,
    keep: impl Fn(&[f64], &[f64]) -> T + Sync,
) -> Vec<T> {
    (0..jobs)
        .into_par_iter()
        .map_init(
            || {
                (
                    Workspace::new(model.scenario()),
                    TrialRecord::new(model.layout()),
                )
            },
            |(ws, rec), k| {
                let (trial, pinned) = job(k);
                model.simulate_with(seed, trial, pinned, ws, rec);
                keep(ws.input_values(), &rec.outcomes)
            },
        )
        .collect()
}
