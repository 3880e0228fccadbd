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
    /// Of `reached`, the largest part that is the key percentiles' error
    /// bounds (0 when they are exact).
    pub approximation: f64,
    /// The trial cap (`--max-trials`).
    pub max_trials: u64,
    /// Trials of the reported run.
    pub trials: u64,
    /// Each run: trials and the largest relative change against the run before.
    pub runs: Vec<(u64, Option<f64>)>,
}

/// The p10, p50 and p90 of each key outcome, each with its error bound (0
/// when exact, as outcomes' percentiles are unless the refinement ran out
/// of passes).
fn key_percentiles(r: &RunResult) -> Vec<(Option<f64>, f64)> {
    KEY_OUTCOMES
        .iter()
        .filter_map(|name| r.layout.outcomes.iter().position(|o| o.name == *name))
        .flat_map(|i| r.outcome_ends[i])
        .collect()
}

/// Largest relative change between two sets of percentiles, counting each
/// one's error bound as change that may have happened; values within 1e-9
/// of each other count as unchanged (zeros stay zero).
fn largest_change(old: &[(Option<f64>, f64)], new: &[(Option<f64>, f64)]) -> f64 {
    old.iter()
        .zip(new)
        .map(|((a, ea), (b, eb))| match (a, b) {
            (Some(a), Some(b)) if (a - b).abs() + ea + eb <= 1e-9 => 0.0,
            (Some(a), Some(b)) => ((a - b).abs() + ea + eb) / b.abs().max(1e-9),
            (None, None) => 0.0,
            _ => f64::INFINITY,
        })
        .fold(0.0, f64::max)
}

/// Of `reached`, the part that is the percentiles' error bounds rather than
/// their change between runs.
fn bound_part(old: &[(Option<f64>, f64)], new: &[(Option<f64>, f64)]) -> f64 {
    old.iter()
        .zip(new)
        .map(|((_, ea), (b, eb))| b.map_or(0.0, |b| (ea + eb) / b.abs().max(1e-9)))
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
    let mut approximation = 0.0;
    while cfg.trials.saturating_mul(2) <= max_trials {
        cfg.trials *= 2;
        let next = run_continuing(scenario, &cfg, period, &mut earlier, progress)?;
        let (old, new) = (key_percentiles(&result), key_percentiles(&next));
        reached = largest_change(&old, &new);
        approximation = bound_part(&old, &new);
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
        approximation,
        max_trials,
        trials: result.trials,
        runs,
    };
    Ok((result, report))
}

impl PrecisionReport {
    /// Why the target was not reached, in a sentence; `None` when it was.
    pub fn shortfall(&self) -> Option<String> {
        if self.converged {
            return None;
        }
        let pct = |x: f64| format!("{:.3}%", 100.0 * x);
        let last = self.runs.last().map_or(self.trials, |r| r.0);
        let mut why = match self.runs.len() {
            1 => format!(
                "--precision {}: not reached: doubling {} trials would pass --max-trials {}, so nothing could be compared",
                self.target, last, self.max_trials
            ),
            _ => format!(
                "--precision {}: not reached: the key percentiles still moved by up to {} between {} and {} trials, and doubling again would pass --max-trials {}",
                self.target,
                pct(self.reached),
                last / 2,
                last,
                self.max_trials
            ),
        };
        if self.approximation > 0.0 {
            why.push_str(&format!(
                "; {} of that is the percentiles' error bound (run with --exact)",
                pct(self.approximation)
            ));
        }
        Some(why)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_change_handles_zero_and_never() {
        assert_eq!(
            largest_change(&[(Some(0.0), 0.0)], &[(Some(0.0), 0.0)]),
            0.0
        );
        let change = largest_change(&[(Some(99.0), 0.0)], &[(Some(100.0), 0.0)]);
        assert!((change - 0.01).abs() < 1e-12);
        assert_eq!(
            largest_change(&[(None, 0.0)], &[(Some(1.0), 0.0)]),
            f64::INFINITY
        );
        // Bounds count as change.
        let old = [(Some(100.0), 0.5)];
        let new = [(Some(100.0), 0.25)];
        assert!((largest_change(&old, &new) - 0.0075).abs() < 1e-12);
        assert!((bound_part(&old, &new) - 0.0075).abs() < 1e-12);
    }
}
