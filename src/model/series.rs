//! Where each metric's monthly series sits in a trial's series buffer, and
//! which of the series a trial computes.

use crate::metric::Metric;
use crate::scenario::Scenario;

use super::OutputLayout;

/// Series offsets of each metric (`usize::MAX` when not reported).
#[derive(Debug, Clone, Copy)]
pub(super) struct Offsets {
    pub(super) online: usize,
    pub(super) planned: usize,
    pub(super) shortfall_gw: usize,
    pub(super) accelerators: usize,
    pub(super) compute: usize,
    pub(super) payments: usize,
    pub(super) cumulative_payments: usize,
    pub(super) revenue: usize,
    pub(super) run_rate: usize,
    pub(super) demand: usize,
    pub(super) opex: usize,
    pub(super) funding: usize,
    pub(super) cash: usize,
    pub(super) gap: usize,
    pub(super) interest: usize,
    pub(super) equity: usize,
    pub(super) free_cash_flow: usize,
    pub(super) need: usize,
    pub(super) cash_short: usize,
    pub(super) constrained: usize,
}

impl Offsets {
    /// The offsets of `layout`'s metrics.
    pub(super) fn new(layout: &OutputLayout) -> Offsets {
        let o = |m: Metric| layout.metric_offset(m).unwrap_or(usize::MAX);
        Offsets {
            online: o(Metric::CapacityOnlineGw),
            planned: o(Metric::CapacityPlannedGw),
            shortfall_gw: o(Metric::CapacityShortfallGw),
            accelerators: o(Metric::AcceleratorsOnline),
            compute: o(Metric::ComputeOnlineEflops),
            payments: o(Metric::ComputePaymentsUsdBn),
            cumulative_payments: o(Metric::CumulativeComputePaymentsUsdBn),
            revenue: o(Metric::RevenueUsdBn),
            run_rate: o(Metric::RevenueRunRateUsdBn),
            demand: o(Metric::DemandRunRateUsdBn),
            opex: o(Metric::OperatingCostsUsdBn),
            funding: o(Metric::FundingUsdBn),
            cash: o(Metric::CashBalanceUsdBn),
            gap: o(Metric::FundingGapUsdBn),
            interest: o(Metric::InterestUsdBn),
            equity: o(Metric::EquityRaisedUsdBn),
            free_cash_flow: o(Metric::FreeCashFlowUsdBn),
            need: o(Metric::FundingNeedUsdBn),
            cash_short: o(Metric::CashShortfall),
            constrained: o(Metric::RevenueComputeConstrained),
        }
    }
}

/// Which of the series that outcomes do not need are computed.
#[derive(Debug, Clone, Copy)]
pub(super) struct Needs {
    /// Planned capacity and the capacity shortfall.
    pub(super) planned: bool,
    /// Accelerators and compute online.
    pub(super) accelerators: bool,
    /// Demand, run rate and whether revenue is compute-constrained.
    pub(super) revenue_detail: bool,
    /// Cumulative payments, the funding gap and need, free cash flow,
    /// interest, equity raised and the cash-shortfall flag.
    pub(super) cash_detail: bool,
}

impl Needs {
    /// Every series (a full run).
    pub(super) const ALL: Needs = Needs {
        planned: true,
        accelerators: true,
        revenue_detail: true,
        cash_detail: true,
    };

    /// What the outcomes of `scenario` need: only what its targets and
    /// outside views read.
    pub(super) fn of_outcomes(scenario: &Scenario) -> Needs {
        let targeted = |metrics: &[Metric]| {
            let watched = scenario.targets.iter().map(|t| t.metric);
            let mut watched = watched.chain(scenario.outside_views.iter().map(|v| v.metric));
            watched.any(|m| metrics.contains(&m))
        };
        Needs {
            planned: targeted(&[Metric::CapacityPlannedGw, Metric::CapacityShortfallGw]),
            accelerators: targeted(&[Metric::AcceleratorsOnline, Metric::ComputeOnlineEflops]),
            revenue_detail: targeted(&[
                Metric::DemandRunRateUsdBn,
                Metric::RevenueRunRateUsdBn,
                Metric::RevenueComputeConstrained,
            ]),
            cash_detail: targeted(&[
                Metric::CumulativeComputePaymentsUsdBn,
                Metric::FundingGapUsdBn,
                Metric::CashShortfall,
                Metric::InterestUsdBn,
                Metric::EquityRaisedUsdBn,
                Metric::FreeCashFlowUsdBn,
                Metric::FundingNeedUsdBn,
            ]),
        }
    }
}
