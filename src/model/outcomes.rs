//! A trial's scalar outcomes: totals, capacity and cash figures, the first
//! month each target is met, and each outside view's value.

use std::ops::Range;

use crate::metric::MetricKind;
use crate::period::Period;
use crate::scenario::{Target, Threshold};

use super::cash::Balance;
use super::{Model, outcome};

impl Model<'_> {
    /// Writes the fixed outcomes (see [`outcome`]) into `o`, from the
    /// `balance` of the cash stage, the total of the contracts'
    /// `payments` and the GW that never arrives (`never_gw`), and capacity
    /// online in the last month of `series`.
    #[inline]
    pub(super) fn fixed_outcomes(
        &self,
        balance: &Balance,
        payments: f64,
        never_gw: f64,
        series: &[f64],
        o: &mut [f64],
    ) {
        o[outcome::TOTAL_PAYMENTS] = payments;
        o[outcome::TOTAL_REVENUE] = balance.revenue;
        o[outcome::TOTAL_OPERATING_COSTS] = balance.operating_costs;
        o[outcome::TOTAL_FUNDING] = balance.funding;
        o[outcome::CAPACITY_END] = series[self.off.online + self.scenario.months - 1];
        o[outcome::CAPACITY_NEVER] = never_gw;
        o[outcome::MIN_CASH] = balance.min;
        o[outcome::END_CASH] = balance.end;
        o[outcome::PEAK_GAP] = balance.peak_gap;
        o[outcome::SHORTFALL_EVER] = if balance.first_short.is_finite() {
            1.0
        } else {
            0.0
        };
        o[outcome::FIRST_SHORTFALL] = balance.first_short;
        o[outcome::FUNDING_NEED] = balance.need;
        o[outcome::TOTAL_INTEREST] = balance.interest;
        o[outcome::TOTAL_EQUITY] = balance.equity;
    }

    /// The targets stage: for each target, whether and in which month its
    /// metric's series in `series` first meets the threshold, into its two
    /// outcomes in `o` (the month is infinity if never).
    #[inline]
    pub(super) fn targets(&self, series: &[f64], o: &mut [f64]) {
        let t_len = self.scenario.months;
        for (k, target) in self.scenario.targets.iter().enumerate() {
            let month = self.layout.metric_offset(target.metric).and_then(|b| {
                let values = &series[b..b + t_len];
                match target.period {
                    Period::Year => first_year_meeting(target, &self.years, values),
                    // The comparison is chosen once, not once per month.
                    _ => match target.threshold {
                        Threshold::AtLeast(t) => values.iter().position(|x| *x >= t),
                        Threshold::AtMost(t) => values.iter().position(|x| *x <= t),
                    },
                }
            });
            let i = self.layout.first_target_outcome + 2 * k;
            o[i] = if month.is_some() { 1.0 } else { 0.0 };
            o[i + 1] = month.map_or(f64::INFINITY, |m| m as f64);
        }
    }

    /// The outside-view stage: each view's value in this trial, from its
    /// metric's series in `series`, and whether it is below the published
    /// figure (1 or 0), into its two outcomes in `o`. A metric not reported
    /// (interest without `[financing]`) is 0 in every month.
    #[inline]
    pub(super) fn views(&self, series: &[f64], o: &mut [f64]) {
        let t_len = self.scenario.months;
        for (k, view) in self.scenario.outside_views.iter().enumerate() {
            let value = self
                .layout
                .metric_offset(view.metric)
                .map_or(0.0, |b| view.evaluate(&series[b..b + t_len]));
            let i = self.layout.first_view_outcome + 2 * k;
            o[i] = value;
            o[i + 1] = if value < view.value { 1.0 } else { 0.0 };
        }
    }
}

/// The last month (index) of the first calendar year in `years` (each
/// year's months inside the horizon) whose value of `target`'s metric meets
/// it: a flow summed over the year's months, a stock at its last month.
fn first_year_meeting(target: &Target, years: &[Range<usize>], values: &[f64]) -> Option<usize> {
    let flow = target.metric.kind() == MetricKind::Flow;
    years
        .iter()
        .find(|y| {
            let months = &values[(*y).clone()];
            let value = if flow {
                months.iter().sum()
            } else {
                months[months.len() - 1]
            };
            target.is_met(value)
        })
        .map(|y| y.end - 1)
}
