//! The `[scenario]` table (name and horizon) and the `[simulation]` settings.

use super::checker::Checker;
use crate::month::Month;
use crate::number::{percentile_column, percentile_named_as_an_end};
use crate::scenario::raw::{RawMeta, RawSimulation};
use crate::scenario::{DEFAULT_PERCENTILES, DEFAULT_SEED, DEFAULT_TRIALS, MAX_MONTHS, MAX_TRIALS};

/// The horizon as checked, which later tables measure their months against.
pub(super) struct Horizon {
    /// First month.
    pub(super) start: Month,
    /// Last month, as written.
    pub(super) end: Month,
    /// Number of monthly steps (1 when the horizon is broken).
    pub(super) months: usize,
    /// Index of the last month from the start.
    pub(super) end_index: i32,
    /// Whether the horizon is valid. With a broken horizon, checks against
    /// its end would only add noise.
    pub(super) ok: bool,
}

/// The `[simulation]` settings, defaults where absent or invalid.
pub(super) struct Settings {
    /// Trials to run unless overridden.
    pub(super) trials: u64,
    /// Seed unless overridden.
    pub(super) seed: u64,
    /// Percentiles to report, in percent.
    pub(super) percentiles: Vec<f64>,
}

impl Checker<'_> {
    /// The `[scenario]` table: a horizon that ends after it starts and is at
    /// most [`MAX_MONTHS`] long, and a non-empty name.
    pub(super) fn horizon(&mut self, meta: &RawMeta) -> Horizon {
        let start = *meta.start.get_ref();
        let end = *meta.end.get_ref();
        let span_months = end.months_since(start);
        let months = if span_months < 0 {
            self.error(
                meta.end.span(),
                format!("the horizon ends ({end}) before it starts ({start})"),
            );
            1
        } else if span_months as usize >= MAX_MONTHS {
            self.error(
                meta.end.span(),
                format!(
                    "the horizon is {} months long; at most {MAX_MONTHS} months are allowed",
                    span_months + 1
                ),
            );
            1
        } else {
            span_months as usize + 1
        };
        if meta.name.get_ref().trim().is_empty() {
            self.error(meta.name.span(), "the scenario needs a non-empty name");
        }
        Horizon {
            start,
            end,
            months,
            end_index: months as i32 - 1,
            ok: span_months >= 0 && (span_months as usize) < MAX_MONTHS,
        }
    }

    /// The `[simulation]` table: trials, seed and percentiles.
    pub(super) fn simulation(&mut self, sim: &RawSimulation) -> Settings {
        let trials = match &sim.trials {
            Some(t) if *t.get_ref() < 1 || *t.get_ref() as u64 > MAX_TRIALS => {
                self.error(
                    t.span(),
                    format!(
                        "trials must be between 1 and {MAX_TRIALS}, got {}",
                        t.get_ref()
                    ),
                );
                DEFAULT_TRIALS
            }
            Some(t) => *t.get_ref() as u64,
            None => DEFAULT_TRIALS,
        };
        let seed = match &sim.seed {
            Some(s) => u64::try_from(*s.get_ref()).unwrap_or_else(|_| {
                self.error(
                    s.span(),
                    format!(
                        "seed must be a whole number from 0 to {}, got {}",
                        u64::MAX,
                        s.get_ref()
                    ),
                );
                DEFAULT_SEED
            }),
            None => DEFAULT_SEED,
        };
        Settings {
            trials,
            seed,
            percentiles: self.percentiles(sim),
        }
    }

    /// Between 1 and 99 percentiles, strictly between 0 and 100, increasing.
    fn percentiles(&mut self, sim: &RawSimulation) -> Vec<f64> {
        let Some(p) = &sim.percentiles else {
            return DEFAULT_PERCENTILES.to_vec();
        };
        let list = p.get_ref().clone();
        if list.is_empty() || list.len() > 99 {
            self.error(p.span(), "percentiles must list between 1 and 99 values");
        } else if list.iter().any(|x| !(*x > 0.0 && *x < 100.0)) {
            self.error(p.span(), "percentiles must lie strictly between 0 and 100");
        } else if let Some(x) = list.iter().find(|x| percentile_named_as_an_end(**x)) {
            self.error(
                p.span(),
                format!(
                    "percentile {x} would be named {}, as the minimum or maximum: names keep 6 decimal places, so percentiles must lie between 0.000001 and 99.999999",
                    percentile_column(*x)
                ),
            );
        } else if list.windows(2).any(|w| w[0] >= w[1]) {
            self.error(
                p.span(),
                "percentiles must be in increasing order without repeats",
            );
        } else if let Some(w) = list
            .windows(2)
            .find(|w| percentile_column(w[0]) == percentile_column(w[1]))
        {
            self.error(
                p.span(),
                format!(
                    "percentiles {} and {} would share the column name {}: names keep 6 decimal places, so percentiles must differ by at least 0.000001",
                    w[0],
                    w[1],
                    percentile_column(w[0])
                ),
            );
        }
        list
    }
}
