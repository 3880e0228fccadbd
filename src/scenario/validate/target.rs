//! `[[target]]` tables: thresholds on a metric, reported as the month first
//! met.

use std::collections::HashMap;

use toml::Spanned;

use super::MAX_USD_BN;
use super::checker::Checker;
use crate::metric::{Metric, MetricKind};
use crate::period::Period;
use crate::scenario::raw::RawTarget;
use crate::scenario::{MAX_ITEMS, Target, Threshold};

impl Checker<'_> {
    /// The `[[target]]` tables, at most [`MAX_ITEMS`] (the rest are left
    /// out). `has_compute` is whether any tranche gives PFLOP/s, without
    /// which compute is not computed.
    pub(super) fn targets(&mut self, raw: &[RawTarget], has_compute: bool) -> Vec<Target> {
        let mut seen = HashMap::new();
        let mut targets = Vec::new();
        if raw.len() > MAX_ITEMS {
            self.error(
                raw[MAX_ITEMS].name.span(),
                format!("at most {MAX_ITEMS} targets are allowed"),
            );
        }
        for t in raw.iter().take(MAX_ITEMS) {
            let name = self.name(&t.name, "target", &mut seen);
            let metric = self.target_metric(&t.metric, has_compute);
            let threshold = self.threshold(t);
            let period = self.target_period(t.period.as_ref());
            targets.push(Target {
                name,
                metric,
                threshold,
                period,
            });
        }
        targets
    }

    /// A metric a target can watch: known, not a 0/1 event, and computed.
    fn target_metric(&mut self, metric: &Spanned<String>, has_compute: bool) -> Metric {
        match Metric::from_name(metric.get_ref()) {
            Some(Metric::ComputeOnlineEflops) if !has_compute => {
                self.error(metric.span(), "no tranche gives `pflops_per_accelerator`, so compute_online_eflops is not computed and this target could never be met");
                Metric::ComputeOnlineEflops
            }
            Some(m) if m.kind() != MetricKind::Event => m,
            Some(m) => {
                self.error(
                    metric.span(),
                    format!(
                        "{:?} is a 0/1 event per trial, which a target cannot watch; its probability is reported in summary.csv (for the first month it happens, watch funding_gap_usd_bn with at_least = 0.001)",
                        m.name()
                    ),
                );
                m
            }
            _ => {
                let names: Vec<&str> = Metric::ALL
                    .iter()
                    .filter(|m| m.kind() != MetricKind::Event)
                    .map(|m| m.name())
                    .collect();
                self.error(
                    metric.span(),
                    format!(
                        "unknown metric {:?}; a target can watch one of: {}",
                        metric.get_ref(),
                        names.join(", ")
                    ),
                );
                Metric::CapacityOnlineGw
            }
        }
    }

    /// What a target compares with its threshold: `"month"` (the default)
    /// or `"year"`.
    fn target_period(&mut self, period: Option<&Spanned<String>>) -> Period {
        let Some(p) = period else {
            return Period::Month;
        };
        match p.get_ref().as_str() {
            "month" => Period::Month,
            "year" => Period::Year,
            other => {
                self.error(
                    p.span(),
                    format!(
                        "`period` must be \"month\" (each month's value) or \"year\" (each calendar year's: flows summed, stocks at the year's end), got {other:?}"
                    ),
                );
                Period::Month
            }
        }
    }

    /// Exactly one of `at_least` and `at_most`.
    fn threshold(&mut self, t: &RawTarget) -> Threshold {
        match (&t.at_least, &t.at_most) {
            (Some(v), None) => {
                Threshold::AtLeast(self.number(v, -MAX_USD_BN * 1e3, f64::MAX, "`at_least`"))
            }
            (None, Some(v)) => {
                Threshold::AtMost(self.number(v, -MAX_USD_BN * 1e3, f64::MAX, "`at_most`"))
            }
            (Some(_), Some(v)) => {
                self.error(v.span(), "a target takes `at_least` or `at_most`, not both");
                Threshold::AtLeast(0.0)
            }
            (None, None) => {
                self.error(t.name.span(), "a target needs `at_least` or `at_most`");
                Threshold::AtLeast(0.0)
            }
        }
    }
}
