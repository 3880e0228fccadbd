//! The audit table: every sampled input and every scalar outcome of the first
//! trials, so that any figure can be rebuilt and one trial audited end to end.

use crate::model::Model;
use crate::scenario::Scenario;

use super::per_trial;

/// Per-trial values, one row per trial.
#[derive(Debug, Clone, PartialEq)]
pub struct TrialTable {
    /// Column names: `trial`, then input paths, then outcome names.
    pub columns: Vec<String>,
    /// Rows in trial order; non-finite values mean "never".
    pub rows: Vec<Vec<f64>>,
}

/// The first `n` trials of `scenario` with `seed`: uncertain inputs (constants
/// are left out) and outcomes.
pub fn trial_table(scenario: &Scenario, seed: u64, n: u64) -> TrialTable {
    let model = Model::new(scenario);
    let plan = model.plan();
    let uncertain: Vec<usize> = (0..plan.len()).filter(|s| plan.is_uncertain(*s)).collect();
    let mut columns = vec!["trial".to_string()];
    columns.extend(uncertain.iter().map(|s| plan.inputs[*s].path.clone()));
    columns.extend(model.layout().outcomes.iter().map(|o| o.name.clone()));
    let rows = per_trial(&model, seed, 0..n)
        .into_iter()
        .enumerate()
        .map(|(t, (inputs, outcomes))| {
            let mut row = vec![t as f64];
            row.extend(uncertain.iter().map(|s| inputs[*s]));
            row.extend(outcomes);
            row
        })
        .collect();
    TrialTable { columns, rows }
}
