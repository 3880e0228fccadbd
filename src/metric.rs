//! The monthly metrics capsim reports, with their names and units.

/// How a metric aggregates over time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetricKind {
    /// A level at the end of the month (capacity, cash).
    Stock,
    /// An amount during the month (payments, revenue).
    Flow,
    /// A 0/1 event per trial, whose mean is a probability.
    Event,
}

macro_rules! metrics {
    ($($variant:ident => $name:literal, $label:literal, $unit:literal, $kind:ident, $doc:literal;)*) => {
        /// A monthly time series computed in every trial.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        // The docs are the descriptions, which are also output text: there
        // `[financing]` names a scenario table and is not a link.
        #[allow(rustdoc::broken_intra_doc_links)]
        pub enum Metric {
            $(#[doc = $doc] $variant,)*
        }

        impl Metric {
            /// Every metric, in output order.
            pub const ALL: &'static [Metric] = &[$(Metric::$variant,)*];

            /// Column value in `timeseries.csv`, also the name targets use.
            pub fn name(self) -> &'static str {
                match self { $(Metric::$variant => $name,)* }
            }

            /// Plain-language name for people (report, terminal, chart
            /// titles), without the unit.
            pub fn label(self) -> &'static str {
                match self { $(Metric::$variant => $label,)* }
            }

            /// Unit, as written in the `unit` column.
            pub fn unit(self) -> &'static str {
                match self { $(Metric::$variant => $unit,)* }
            }

            /// Stock, flow or event.
            pub fn kind(self) -> MetricKind {
                match self { $(Metric::$variant => MetricKind::$kind,)* }
            }

            /// One-line description, for documentation and help.
            pub fn description(self) -> &'static str {
                match self { $(Metric::$variant => $doc,)* }
            }
        }
    };
}

metrics! {
    CapacityOnlineGw => "capacity_online_gw", "Capacity online", "GW", Stock,
        "Data-centre capacity energised and ramped, at the end of the month.";
    CapacityPlannedGw => "capacity_planned_gw", "Capacity planned", "GW", Stock,
        "Capacity had every tranche arrived on its planned month (the trial's own sizes).";
    CapacityShortfallGw => "capacity_shortfall_gw", "Capacity shortfall (planned minus online)", "GW", Stock,
        "Planned capacity minus capacity online.";
    AcceleratorsOnline => "accelerators_online", "Accelerators online", "accelerators", Stock,
        "Accelerators (GPUs, TPUs, ASIC packages) in capacity online.";
    ComputeOnlineEflops => "compute_online_eflops", "Peak compute online", "EFLOP/s", Stock,
        "Peak compute online, from tranches that give PFLOP/s per accelerator.";
    ComputePaymentsUsdBn => "compute_payments_usd_bn", "Compute payments per month", "USD bn/month", Flow,
        "Payments due under all compute contracts in the month.";
    CumulativeComputePaymentsUsdBn => "cumulative_compute_payments_usd_bn", "Cumulative compute payments", "USD bn", Stock,
        "Compute payments due from the start of the horizon to the end of the month.";
    RevenueUsdBn => "revenue_usd_bn", "Revenue per month", "USD bn/month", Flow,
        "Revenue earned in the month: demand, capped by capacity online.";
    RevenueRunRateUsdBn => "revenue_run_rate_usd_bn", "Revenue run rate", "USD bn/year", Stock,
        "Annualised revenue (12 times the month's revenue).";
    DemandRunRateUsdBn => "demand_run_rate_usd_bn", "Demand run rate", "USD bn/year", Stock,
        "Annualised revenue demand before the capacity cap.";
    OperatingCostsUsdBn => "operating_costs_usd_bn", "Operating costs per month", "USD bn/month", Flow,
        "Running costs of owned capacity, other operating costs and revenue share.";
    FundingUsdBn => "funding_usd_bn", "Funding per month", "USD bn/month", Flow,
        "New money raised in the month (equity rounds, vendor financing).";
    InterestUsdBn => "interest_usd_bn", "Interest per month", "USD bn/month", Flow,
        "Interest paid in the month on negative cash (reported with [financing]).";
    EquityRaisedUsdBn => "equity_raised_usd_bn", "Equity raised per month", "USD bn/month", Flow,
        "Equity raised in the month to keep cash at the floor, before its cost (reported with [financing]).";
    FreeCashFlowUsdBn => "free_cash_flow_usd_bn", "Free cash flow per month", "USD bn/month", Flow,
        "Revenue less compute payments, operating costs and interest, before any funding.";
    CashBalanceUsdBn => "cash_balance_usd_bn", "Cash balance", "USD bn", Stock,
        "Cash at the end of the month.";
    FundingGapUsdBn => "funding_gap_usd_bn", "Funding gap", "USD bn", Stock,
        "How far cash is below the cash floor at the end of the month (0 if not).";
    FundingNeedUsdBn => "funding_need_usd_bn", "Funding need to date", "USD bn", Stock,
        "Money that must have been raised by the end of the month, beyond the scenario's funding events, to keep cash at or above the floor.";
    CashShortfall => "cash_shortfall", "P(cash below floor)", "probability", Event,
        "1 if cash is below the cash floor at the end of the month; the mean is the probability.";
    RevenueComputeConstrained => "revenue_compute_constrained", "P(revenue capped by capacity)", "probability", Event,
        "1 if demand exceeds what capacity online can serve; the mean is the probability.";
}

impl Metric {
    /// The metric with this name.
    pub(crate) fn from_name(name: &str) -> Option<Metric> {
        Metric::ALL.iter().copied().find(|m| m.name() == name)
    }

    /// Position in [`Metric::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_ascii_and_round_trip() {
        for (i, m) in Metric::ALL.iter().enumerate() {
            assert_eq!(m.index(), i);
            assert_eq!(Metric::from_name(m.name()), Some(*m));
            assert!(m.name().is_ascii() && m.unit().is_ascii());
        }
    }
}
