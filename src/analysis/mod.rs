//! Analyses that need per-trial values rather than summaries: the audit
//! table of sampled inputs and outcomes, and what drives each outcome.
//!
//! Both re-simulate trials by index (each trial is reproducible from the seed
//! and its index), so they need nothing from the main run; sensitivity can
//! also start from the first trials a run kept for it
//! ([`crate::runner::run_sampling`]), which it would otherwise simulate
//! again.

mod compare;
mod deals;
mod precision;
mod sensitivity;
mod sweep;
mod trials;

pub use compare::{Better, COMPARED_METRICS, ComparisonRow, compare};
pub use deals::{
    CounterpartyYears, DealKind, DealRow, DealsAnalysis, Effect, Headline, Reconciliation, Spread,
    deal_count, deals, without_deal,
};
pub use precision::{KEY_OUTCOMES, PrecisionReport, run_to_precision};
pub use sensitivity::{
    SENSITIVITY_SAMPLE, SWING_INPUTS, SWING_TRIALS, SensitivityRow, SwingPlan, sensitivity,
    sensitivity_with,
};
pub use sweep::{
    MAX_SWEEP_KEYS, SWEEP_PERCENTILES, SettingError, SettingProblem, SpecError, SweepError,
    SweepKey, SweepSetting, SweepValue, split_top_level, sweep_settings,
};
pub use trials::{TrialTable, trial_table};

use rayon::prelude::*;

use crate::model::{Detail, Model, TrialRecord, TrialValues, Workspace};

/// Input values and outcomes of trials `trials`, in trial order, computed in
/// parallel with one workspace per worker.
pub(crate) fn per_trial(
    model: &Model,
    seed: u64,
    trials: std::ops::Range<u64>,
) -> Vec<TrialValues> {
    trials
        .into_par_iter()
        .map_init(
            || {
                (
                    Workspace::new(model.scenario()),
                    TrialRecord::new(model.layout()),
                )
            },
            |(ws, rec), trial| {
                let (series, outcomes) = (&mut rec.series, &mut rec.outcomes);
                model.simulate_into(seed, trial, &[], ws, Detail::Outcomes, series, outcomes);
                (ws.input_values().to_vec(), outcomes.clone())
            },
        )
        .collect()
}
