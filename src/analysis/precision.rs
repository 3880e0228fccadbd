//! Running until the key percentiles are stable: trials double, in
//! deterministic blocks, until the p10, p50 and p90 of the key outcomes change
//! by less than a relative tolerance between successive runs, or a cap.

use serde::Serialize;

use crate::runner::{RunConfig, RunError, RunResult, run_continuing};
use crate::scenario::Scenario;
use crate::years::Reporting;

/// Outcomes whose p10, p50 and p90 must be stable.
pub const KEY_OUTCOMES: [&str; 5] = [
    "total_compute_payments_usd_bn",
    "total_revenue_usd_bn",
    "peak_funding_gap_usd_bn",
    "min_cash_usd_bn",
    "capacity_online_end_gw",
];

/// What a precision-driven run did, for the manifest.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PrecisionReport {
    /// Requested relative tolerance.
    pub target: f64,
    /// Largest relative change of a key percentile in the last doubling.
    pub reached: f64,
    /// Whether `reached <= target` (otherwise the trial cap stopped it).
    pub converged: bool,
    /// Trials of the reported run.
    pub trials: u64,
    /// Each run: trials and the largest relative change against the run before.
    pub runs: Vec<(u64, Option<f64>)>,
}

fn key_percentiles(r: &RunResult) -> Vec<Option<f64>> {
    KEY_OUTCOMES
        .iter()
        .filter_map(|name| r.layout.outcomes.iter().position(|o| o.name == *name))
        .flat_map(|i| {
            [10.0, 50.0, 90.0].map(|p| r.outcome_distributions[i].percentile(p, r.trials))
        })
        .collect()
}

/// Largest relative change between two sets of percentiles; values within
/// 1e-9 of each other count as unchanged (zeros stay zero).
fn largest_change(old: &[Option<f64>], new: &[Option<f64>]) -> f64 {
    old.iter()
        .zip(new)
        .map(|(a, b)| match (a, b) {
            (Some(a), Some(b)) if (a - b).abs() <= 1e-9 => 0.0,
            (Some(a), Some(b)) => (a - b).abs() / b.abs().max(1e-9),
            (None, None) => 0.0,
            _ => f64::INFINITY,
        })
        .fold(0.0, f64::max)
}

/// Runs `config.trials` trials, then twice as many, and so on, until the key
/// percentiles move by at most `relative` or the next run would exceed
/// `max_trials`. Trial `t` is the same in every run, and each sketched run
/// continues the one before ([`run_continuing`]): the doublings cost about
/// the last run's trials, not twice as many, and the result is bit for bit
/// a fresh run of that many trials.
pub fn run_to_precision(
    scenario: &Scenario,
    config: &RunConfig,
    period: impl Into<Reporting>,
    relative: f64,
    max_trials: u64,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<(RunResult, PrecisionReport), RunError> {
    let period = period.into();
    let mut cfg = config.clone();
    let mut earlier = None;
    let mut result = run_continuing(scenario, &cfg, period, &mut earlier, progress)?;
    let mut runs = vec![(cfg.trials, None)];
    let mut reached = f64::INFINITY;
    while cfg.trials.saturating_mul(2) <= max_trials {
        cfg.trials *= 2;
        let next = run_continuing(scenario, &cfg, period, &mut earlier, progress)?;
        reached = largest_change(&key_percentiles(&result), &key_percentiles(&next));
        runs.push((cfg.trials, Some(reached)));
        result = next;
        if reached <= relative {
            break;
        }
    }
    let report = PrecisionReport {
        target: relative,
        reached,
        converged: reached <= relative,
        trials: result.trials,
        runs,
    };
    Ok((result, report))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_change_handles_zero_and_never() {
        assert_eq!(largest_change(&[Some(0.0)], &[Some(0.0)]), 0.0);
        assert!((largest_change(&[Some(99.0)], &[Some(100.0)]) - 0.01).abs() < 1e-12);
        assert_eq!(largest_change(&[None], &[Some(1.0)]), f64::INFINITY);
    }
}
