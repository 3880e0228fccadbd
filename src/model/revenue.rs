//! Revenue and operating costs: what the capacity online earns, and what
//! running it (and everything else) costs.

use super::Model;

impl Model<'_> {
    /// The revenue stage: demand grows month by month from its drawn run
    /// rate; capacity online caps it. Reads capacity online from `series`;
    /// writes revenue (and demand, run rate and whether compute constrains
    /// revenue, as needed) into it. Does nothing without a revenue model.
    #[inline]
    /// Over the first `len` months.
    pub(super) fn revenue<const ALL: bool>(&self, v: &[f64], series: &mut [f64], len: usize) {
        let Some(first) = self.plan.revenue else {
            return;
        };
        let need = self.needs::<ALL>();
        let off = self.off;
        let mut demand = v[first];
        let per_gw_year = v[first + 1];
        let growth = &v[first + 2..];
        let mut factor = 1.0;
        for m in 0..len {
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
    }

    /// The operating costs stage: running costs of the owned GW online
    /// (`owned_gw`, per month), other costs per year and the revenue share.
    /// Reads revenue from `series`; writes operating costs into it.
    #[inline]
    /// Over the first `len` months.
    pub(super) fn operating_costs(
        &self,
        v: &[f64],
        owned_gw: &[f64],
        series: &mut [f64],
        len: usize,
    ) {
        let off = self.off;
        let first = self.plan.costs;
        let running = v[first] / 12.0;
        let share = v[first + 1];
        let other = &v[first + 2..];
        for m in 0..len {
            series[off.opex + m] =
                owned_gw[m] * running + other[m / 12] / 12.0 + share * series[off.revenue + m];
        }
    }
}
