//! Cash: the month-end balance from revenue, funding, payments and
//! operating costs, and how far it falls below the floor.

use super::Model;

/// What the cash stage reports besides its series.
#[derive(Debug, Clone, Copy)]
pub(super) struct Balance {
    /// Revenue over the horizon, USD bn.
    pub(super) revenue: f64,
    /// Operating costs over the horizon, USD bn.
    pub(super) operating_costs: f64,
    /// Funding raised over the horizon, USD bn.
    pub(super) funding: f64,
    /// Cash in the last month, USD bn.
    pub(super) end: f64,
    /// Lowest month-end cash, USD bn.
    pub(super) min: f64,
    /// Largest funding gap (the floor less cash), USD bn.
    pub(super) peak_gap: f64,
    /// First month cash is below the floor, infinity if never.
    pub(super) first_short: f64,
}

impl Model<'_> {
    /// The cash stage: reads payments, revenue, operating costs and funding
    /// from `series`; writes the cash balance (and cumulative payments, the
    /// funding gap and the shortfall flag, as needed) into it.
    #[inline]
    pub(super) fn cash<const ALL: bool>(&self, series: &mut [f64]) -> Balance {
        let need = self.needs::<ALL>();
        let (s, off) = (self.scenario, self.off);
        let floor = s.cash_floor_usd_bn;
        let mut cash = s.start_cash_usd_bn;
        let mut cumulative = 0.0;
        let (mut revenue_total, mut opex_total, mut funding_total) = (0.0, 0.0, 0.0);
        let mut min_cash = f64::INFINITY;
        let mut peak_gap: f64 = 0.0;
        let mut first_short = f64::INFINITY;
        for m in 0..s.months {
            let pay = series[off.payments + m];
            let rev = series[off.revenue + m];
            let opex = series[off.opex + m];
            let fund = series[off.funding + m];
            cumulative += pay;
            revenue_total += rev;
            opex_total += opex;
            funding_total += fund;
            cash += rev + fund - pay - opex;
            series[off.cash + m] = cash;
            let gap = (floor - cash).max(0.0);
            let short = cash < floor;
            if need.cash_detail {
                series[off.cumulative_payments + m] = cumulative;
                series[off.gap + m] = gap;
                series[off.cash_short + m] = if short { 1.0 } else { 0.0 };
            }
            if short && first_short.is_infinite() {
                first_short = m as f64;
            }
            min_cash = min_cash.min(cash);
            peak_gap = peak_gap.max(gap);
        }
        Balance {
            revenue: revenue_total,
            operating_costs: opex_total,
            funding: funding_total,
            end: cash,
            min: min_cash,
            peak_gap,
            first_short,
        }
    }
}
