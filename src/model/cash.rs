//! Cash: the month-end balance from revenue, funding, payments, operating
//! costs and interest; equity raised to hold the floor; how far cash falls
//! below the floor and how much money that takes.

use super::Model;

/// What the cash stage reports besides its series, and what it carries
/// from one month to the next: the stage runs over the horizon in stretches
/// (up to each decision month, then on), each continuing the last.
#[derive(Debug, Clone, Copy)]
pub(super) struct Balance {
    /// Revenue so far, USD bn.
    pub(super) revenue: f64,
    /// Operating costs so far, USD bn.
    pub(super) operating_costs: f64,
    /// Funding raised so far, USD bn.
    pub(super) funding: f64,
    /// Cash at the end of the last month done, USD bn.
    pub(super) end: f64,
    /// Lowest month-end cash, USD bn.
    pub(super) min: f64,
    /// Largest funding gap (the floor less cash), USD bn.
    pub(super) peak_gap: f64,
    /// First month cash is below the floor, infinity if never.
    pub(super) first_short: f64,
    /// Money needed beyond the funding events to hold the floor, USD bn.
    pub(super) need: f64,
    /// Interest paid so far, USD bn.
    pub(super) interest: f64,
    /// Equity raised so far, before its cost, USD bn.
    pub(super) equity: f64,
    /// Equity raised so far net of its cost, USD bn.
    equity_net: f64,
    /// Payments so far, USD bn.
    cumulative: f64,
}

impl Balance {
    /// Before the first month: the starting cash, nothing else.
    pub(super) fn start(start_cash_usd_bn: f64) -> Balance {
        Balance {
            revenue: 0.0,
            operating_costs: 0.0,
            funding: 0.0,
            end: start_cash_usd_bn,
            min: f64::INFINITY,
            peak_gap: 0.0,
            first_short: f64::INFINITY,
            need: 0.0,
            interest: 0.0,
            equity: 0.0,
            equity_net: 0.0,
            cumulative: 0.0,
        }
    }
}

/// The trial's financing terms (see [`crate::scenario::Financing`]); all
/// zero without a `[financing]` table.
#[derive(Debug, Clone, Copy)]
pub(super) struct Terms {
    /// Interest per month on negative cash, a fraction.
    monthly_rate: f64,
    /// One equity raise, USD bn (0: none).
    block: f64,
    /// Share of a raise that reaches cash.
    net: f64,
    /// Most equity raised over the horizon, USD bn.
    max: f64,
}

/// A count of blocks within this share of a whole number is taken as that
/// number: `1 - equity_cost` is inexact (`1 - 0.9` is 0.09999999999999998),
/// and a gap of exactly one net block must not raise two.
const BLOCK_ROUNDING: f64 = 1e-9;

/// Equity raised in one month, USD bn.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Raise {
    /// Raised, before its cost, USD bn.
    pub(super) gross: f64,
    /// Whether it covers the gap (not cut by the cap).
    pub(super) covers: bool,
}

impl Terms {
    /// Equity raised (gross, USD bn) to bring `cash` back to `floor`: whole
    /// blocks, as few as needed, within `room` (the rest of the cap).
    #[inline]
    pub(super) fn equity_for(&self, cash: f64, floor: f64, room: f64) -> Raise {
        if cash >= floor || self.block <= 0.0 || room <= 0.0 {
            return Raise {
                gross: 0.0,
                covers: cash >= floor,
            };
        }
        let exact = (floor - cash) / (self.block * self.net);
        let blocks = (exact * (1.0 - BLOCK_ROUNDING)).ceil().max(1.0);
        let gross = blocks * self.block;
        Raise {
            gross: gross.min(room),
            covers: gross <= room,
        }
    }
}

impl Model<'_> {
    /// The financing terms drawn for this trial from `v`.
    #[inline]
    pub(super) fn financing_terms(&self, v: &[f64]) -> Terms {
        match (&self.scenario.financing, self.plan.financing) {
            (Some(f), Some(first)) => Terms {
                monthly_rate: v[first] / 12.0,
                block: f.equity_block_usd_bn,
                net: 1.0 - v[first + 1],
                max: f.equity_max_usd_bn,
            },
            _ => Terms {
                monthly_rate: 0.0,
                block: 0.0,
                net: 1.0,
                max: 0.0,
            },
        }
    }

    /// The cash stage over `months`, continuing `b` (the months before):
    /// reads payments, revenue, operating costs and funding from `series`
    /// and the financing terms; writes the cash balance (and, as needed,
    /// cumulative payments, interest, equity raised, free cash flow, the
    /// funding gap and need, and the shortfall flag) into it.
    #[inline]
    pub(super) fn cash<const ALL: bool>(
        &self,
        terms: &Terms,
        series: &mut [f64],
        months: std::ops::Range<usize>,
        b: &mut Balance,
    ) {
        let need_series = self.needs::<ALL>().cash_detail;
        let (s, off) = (self.scenario, self.off);
        let floor = s.cash_floor_usd_bn;
        // Carried in locals, as the loop's chain of dependencies runs through them.
        let mut cash = b.end;
        let mut cumulative = b.cumulative;
        let (mut revenue_total, mut opex_total, mut funding_total) =
            (b.revenue, b.operating_costs, b.funding);
        let (mut interest_total, mut equity_total, mut equity_net) =
            (b.interest, b.equity, b.equity_net);
        let mut min_cash = b.min;
        let mut peak_gap: f64 = b.peak_gap;
        let mut need: f64 = b.need;
        let mut first_short = b.first_short;
        for m in months {
            let pay = series[off.payments + m];
            let rev = series[off.revenue + m];
            let opex = series[off.opex + m];
            let fund = series[off.funding + m];
            // Interest on the debt that negative cash stands for, charged on
            // the balance the month starts with.
            let interest = if cash < 0.0 {
                -cash * terms.monthly_rate
            } else {
                0.0
            };
            cumulative += pay;
            revenue_total += rev;
            opex_total += opex;
            funding_total += fund;
            interest_total += interest;
            cash += rev + fund - pay - opex - interest;
            let raise = terms.equity_for(cash, floor, terms.max - equity_total);
            let equity = raise.gross;
            if equity > 0.0 {
                equity_total += equity;
                equity_net += equity * terms.net;
                cash += equity * terms.net;
                if raise.covers {
                    // Below the floor by no more than a rounding.
                    cash = cash.max(floor);
                }
            }
            // What must have been raised so far: the deepest the balance
            // would have gone below the floor without the equity raised.
            need = need.max(floor - (cash - equity_net));
            series[off.cash + m] = cash;
            let gap = (floor - cash).max(0.0);
            let short = cash < floor;
            if need_series {
                series[off.cumulative_payments + m] = cumulative;
                series[off.gap + m] = gap;
                series[off.need + m] = need;
                series[off.free_cash_flow + m] = rev - pay - opex - interest;
                series[off.cash_short + m] = if short { 1.0 } else { 0.0 };
                if off.interest != usize::MAX {
                    series[off.interest + m] = interest;
                    series[off.equity + m] = equity;
                }
            }
            if short && first_short.is_infinite() {
                first_short = m as f64;
            }
            min_cash = min_cash.min(cash);
            peak_gap = peak_gap.max(gap);
        }
        *b = Balance {
            revenue: revenue_total,
            operating_costs: opex_total,
            funding: funding_total,
            end: cash,
            min: min_cash,
            peak_gap,
            first_short,
            need,
            interest: interest_total,
            equity: equity_total,
            equity_net,
            cumulative,
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(block: f64, cost: f64) -> Terms {
        Terms {
            monthly_rate: 0.0,
            block,
            net: 1.0 - cost,
            max: 100.0,
        }
    }

    fn gross(t: Terms, cash: f64, floor: f64, room: f64) -> f64 {
        t.equity_for(cash, floor, room).gross
    }

    #[test]
    fn equity_comes_in_whole_blocks_net_of_cost() {
        // 25 below the floor, blocks of 10 net 8: four blocks (32 >= 25).
        assert_eq!(gross(terms(10.0, 0.2), -20.0, 5.0, 100.0), 40.0);
        // Exactly one net block short: one block.
        assert_eq!(gross(terms(10.0, 0.0), -5.0, 5.0, 100.0), 10.0);
        // Within the cap, at most what is left of it, and then not enough.
        let cut = terms(10.0, 0.0).equity_for(-100.0, 5.0, 15.0);
        assert_eq!(
            cut,
            Raise {
                gross: 15.0,
                covers: false
            }
        );
        // Nothing at or above the floor, or without blocks.
        assert_eq!(gross(terms(10.0, 0.0), 5.0, 5.0, 100.0), 0.0);
        assert_eq!(gross(terms(0.0, 0.0), -5.0, 5.0, 100.0), 0.0);
    }

    /// `1 - 0.9` is 0.09999999999999998: a gap of exactly one net block (10
    /// at a cost of 0.9 reaches cash as 1) is one block, not two; a gap a
    /// little more than that is two.
    #[test]
    fn rounding_of_the_cost_does_not_raise_a_block_more() {
        for (block, cost) in [(10.0, 0.9), (3.0, 0.7), (0.3, 0.1), (1e-6, 0.9)] {
            let t = terms(block, cost);
            for k in 1..=50 {
                let gap = f64::from(k) * block * (1.0 - cost);
                let want = f64::from(k) * block;
                assert_eq!(gross(t, -gap, 0.0, 1e6), want, "{block} {cost} {k}");
                let more = gross(t, -gap * (1.0 + 1e-6), 0.0, 1e6);
                assert_eq!(more, f64::from(k + 1) * block, "{block} {cost} {k}");
            }
        }
    }
}
