//! Revenue and operating costs: what the capacity online earns, and what
//! running it (and everything else) costs.

use super::Model;

/// What the revenue stage carries from one month to the next: the demand
/// run rate and its monthly growth factor.
#[derive(Debug, Clone, Copy)]
pub(super) struct Demand {
    /// Demand run rate of the last month done, USD bn per year.
    run_rate: f64,
    /// Monthly growth factor of the year being done.
    factor: f64,
}

impl Model<'_> {
    /// Demand before the first month: the drawn run rate (0 without a
    /// revenue model).
    pub(super) fn demand_start(&self, v: &[f64]) -> Demand {
        Demand {
            run_rate: self.plan.revenue.map_or(0.0, |first| v[first]),
            factor: 1.0,
        }
    }

    /// The revenue stage over `months`, continuing `d`: demand grows month
    /// by month from its drawn run rate; capacity online caps it. Reads
    /// capacity online from `series`; writes revenue (and demand, run rate
    /// and whether compute constrains revenue, as needed) into it. Does
    /// nothing without a revenue model.
    #[inline]
    pub(super) fn revenue<const ALL: bool>(
        &self,
        v: &[f64],
        series: &mut [f64],
        months: std::ops::Range<usize>,
        d: &mut Demand,
    ) {
        let Some(first) = self.plan.revenue else {
            return;
        };
        let need = self.needs::<ALL>();
        let off = self.off;
        let (mut demand, mut factor) = (d.run_rate, d.factor);
        let per_gw_year = v[first + 1];
        let growth = &v[first + 2..];
        for m in months {
            if m > 0 {
                // Months 1-12 grow at year 1's rate, 13-24 at year 2's...
                if (m - 1) % 12 == 0 {
                    factor = (growth[(m - 1) / 12].ln_1p() / 12.0).exp();
                }
                demand *= factor;
            }
            let cap = series[off.online + m] * per_gw_year;
            let run_rate = demand.min(cap);
            series[off.revenue + m] = run_rate / 12.0;
            if need.revenue_detail {
                series[off.demand + m] = demand;
                series[off.run_rate + m] = run_rate;
                series[off.constrained + m] = if demand > cap { 1.0 } else { 0.0 };
            }
        }
        *d = Demand {
            run_rate: demand,
            factor,
        };
    }

    /// The operating costs stage over `months`: running costs of the owned
    /// GW online (`owned_gw`, per month), other costs per year and the
    /// revenue share. Reads revenue from `series`; writes operating costs
    /// into it.
    #[inline]
    pub(super) fn operating_costs(
        &self,
        v: &[f64],
        owned_gw: &[f64],
        series: &mut [f64],
        months: std::ops::Range<usize>,
    ) {
        let off = self.off;
        let first = self.plan.costs;
        let running = v[first] / 12.0;
        let share = v[first + 1];
        let other = &v[first + 2..];
        for m in months {
            series[off.opex + m] =
                owned_gw[m] * running + other[m / 12] / 12.0 + share * series[off.revenue + m];
        }
    }
}
