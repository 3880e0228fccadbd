//! What one trial produces: which monthly series and which scalar outcomes, in
//! which order. Built once per scenario and shared by model, statistics and
//! exporters.

use crate::metric::{Metric, MetricKind};
use crate::scenario::Scenario;

/// What kind of number a scalar outcome is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutcomeKind {
    /// An amount.
    Value,
    /// 0 or 1; the mean is a probability.
    Event,
    /// A month index from the horizon start, or infinity if it never happens.
    Month,
}

/// One scalar outcome of a trial.
#[derive(Debug, Clone, PartialEq)]
pub struct OutcomeSpec {
    /// Column value in `summary.csv` (the code name).
    pub name: String,
    /// Plain-language name for people (report, terminal, chart titles),
    /// without the unit.
    pub label: String,
    /// Unit.
    pub unit: String,
    /// Value, event or month.
    pub kind: OutcomeKind,
}

/// Positions of the fixed outcomes in [`OutputLayout::outcomes`].
pub mod outcome {
    /// Compute payments over the horizon, USD bn.
    pub const TOTAL_PAYMENTS: usize = 0;
    /// Revenue over the horizon, USD bn.
    pub const TOTAL_REVENUE: usize = 1;
    /// Operating costs over the horizon, USD bn.
    pub const TOTAL_OPERATING_COSTS: usize = 2;
    /// Funding raised over the horizon, USD bn.
    pub const TOTAL_FUNDING: usize = 3;
    /// Capacity online in the last month, GW.
    pub const CAPACITY_END: usize = 4;
    /// GW of tranches that never arrive: `p_never` draws and options not
    /// exercised, each tranche once.
    pub const CAPACITY_NEVER: usize = 5;
    /// Lowest month-end cash, USD bn.
    pub const MIN_CASH: usize = 6;
    /// Cash in the last month, USD bn.
    pub const END_CASH: usize = 7;
    /// Largest funding gap, USD bn.
    pub const PEAK_GAP: usize = 8;
    /// Whether cash ever falls below the floor.
    pub const SHORTFALL_EVER: usize = 9;
    /// First month cash is below the floor.
    pub const FIRST_SHORTFALL: usize = 10;
    /// Money that must be raised over the horizon, beyond the funding
    /// events, to keep cash at or above the floor, USD bn.
    pub const FUNDING_NEED: usize = 11;
    /// Interest paid on negative cash over the horizon, USD bn.
    pub const TOTAL_INTEREST: usize = 12;
    /// Equity raised over the horizon, before its cost, USD bn.
    pub const TOTAL_EQUITY: usize = 13;
    /// Number of fixed outcomes; per-contract, per-target and per-view
    /// outcomes follow.
    pub const FIXED: usize = 14;
}

/// The shape of a trial's output.
#[derive(Debug, Clone, PartialEq)]
pub struct OutputLayout {
    /// Metrics reported, in output order.
    pub metrics: Vec<Metric>,
    /// Months in the horizon.
    pub months: usize,
    /// Scalar outcomes, in output order.
    pub outcomes: Vec<OutcomeSpec>,
    /// Index of the first per-contract outcome.
    pub first_contract_outcome: usize,
    /// Index of the first per-target outcome (two per target: reached, month).
    pub first_target_outcome: usize,
    /// Index of the first outside-view outcome (two per view: its value,
    /// `view_<name>`, and whether that is below the published figure,
    /// `view_<name>_below`).
    pub first_view_outcome: usize,
}

impl OutputLayout {
    /// The layout of `scenario`'s trials.
    pub fn new(scenario: &Scenario) -> OutputLayout {
        let metrics: Vec<Metric> = Metric::ALL
            .iter()
            .copied()
            .filter(|m| *m != Metric::ComputeOnlineEflops || scenario.has_compute())
            .filter(|m| {
                scenario.financing.is_some()
                    || !matches!(m, Metric::InterestUsdBn | Metric::EquityRaisedUsdBn)
            })
            .collect();
        let start = scenario.start;
        let month_unit = format!("months after {start}");
        let v = |name: &str, label: &str, unit: &str| OutcomeSpec {
            name: name.to_string(),
            label: label.to_string(),
            unit: unit.to_string(),
            kind: OutcomeKind::Value,
        };
        let mut outcomes = vec![
            v(
                "total_compute_payments_usd_bn",
                "Compute payments, whole horizon",
                "USD bn",
            ),
            v("total_revenue_usd_bn", "Revenue, whole horizon", "USD bn"),
            v(
                "total_operating_costs_usd_bn",
                "Operating costs, whole horizon",
                "USD bn",
            ),
            v(
                "total_funding_usd_bn",
                "Funding events, whole horizon",
                "USD bn",
            ),
            v("capacity_online_end_gw", "Capacity online at the end", "GW"),
            v(
                "capacity_never_arriving_gw",
                "Capacity that never arrives",
                "GW",
            ),
            v("min_cash_usd_bn", "Lowest cash", "USD bn"),
            v("end_cash_usd_bn", "Cash at the end", "USD bn"),
            v("peak_funding_gap_usd_bn", "Largest funding gap", "USD bn"),
            OutcomeSpec {
                name: "cash_shortfall_ever".into(),
                label: "Cash ever below the floor".into(),
                unit: "probability".into(),
                kind: OutcomeKind::Event,
            },
            OutcomeSpec {
                name: "first_shortfall_month".into(),
                label: "First month cash is below the floor".into(),
                unit: month_unit.clone(),
                kind: OutcomeKind::Month,
            },
            v(
                "funding_need_usd_bn",
                "Funding need, whole horizon",
                "USD bn",
            ),
            v(
                "total_interest_usd_bn",
                "Interest paid, whole horizon",
                "USD bn",
            ),
            v(
                "total_equity_raised_usd_bn",
                "Equity raised, whole horizon",
                "USD bn",
            ),
        ];
        debug_assert_eq!(outcomes.len(), outcome::FIXED);
        let first_contract_outcome = outcomes.len();
        for c in &scenario.contracts {
            outcomes.push(v(
                &format!("contract_{}_payments_usd_bn", c.name),
                &format!("Payments under {} ({})", c.name, c.counterparty),
                "USD bn",
            ));
        }
        let first_target_outcome = outcomes.len();
        for t in &scenario.targets {
            outcomes.push(OutcomeSpec {
                name: format!("target_{}_reached", t.name),
                label: format!("Target {} reached", t.name),
                unit: "probability".into(),
                kind: OutcomeKind::Event,
            });
            outcomes.push(OutcomeSpec {
                name: format!("target_{}_month", t.name),
                label: format!("Month target {} is first reached", t.name),
                unit: month_unit.clone(),
                kind: OutcomeKind::Month,
            });
        }
        let first_view_outcome = outcomes.len();
        for view in &scenario.outside_views {
            outcomes.push(v(
                &format!("view_{}", view.name),
                &format!("Outside view {}", view.name),
                view.unit(),
            ));
            outcomes.push(OutcomeSpec {
                name: format!("view_{}_below", view.name),
                label: format!("Outside view {} below the published figure", view.name),
                unit: "probability".into(),
                kind: OutcomeKind::Event,
            });
        }
        OutputLayout {
            metrics,
            months: scenario.months,
            outcomes,
            first_contract_outcome,
            first_target_outcome,
            first_view_outcome,
        }
    }

    /// Number of monthly series (metrics times months).
    pub fn series_len(&self) -> usize {
        self.metrics.len() * self.months
    }

    /// Position of `metric`'s first month in a trial's series, if reported.
    pub fn metric_offset(&self, metric: Metric) -> Option<usize> {
        self.metrics
            .iter()
            .position(|m| *m == metric)
            .map(|i| i * self.months)
    }

    /// Whether `metric` is an event (0/1 per trial).
    pub(crate) fn is_event(metric: Metric) -> bool {
        metric.kind() == MetricKind::Event
    }
}
