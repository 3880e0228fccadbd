//! A trial's scalar outcomes: totals, capacity and cash figures, and the
//! first month each target is met.

use crate::scenario::Threshold;

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
            // The comparison is chosen once, not once per month.
            let month = self.layout.metric_offset(target.metric).and_then(|b| {
                let values = &series[b..b + t_len];
                match target.threshold {
                    Threshold::AtLeast(t) => values.iter().position(|x| *x >= t),
                    Threshold::AtMost(t) => values.iter().position(|x| *x <= t),
                }
            });
            let i = self.layout.first_target_outcome + 2 * k;
            o[i] = if month.is_some() { 1.0 } else { 0.0 };
            o[i + 1] = month.map_or(f64::INFINITY, |m| m as f64);
        }
    }
}
