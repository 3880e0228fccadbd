//! The year-by-year table every run reports: for each year of the horizon,
//! capacity online at year end, payments, revenue, operating costs, free
//! cash flow and funding raised in the year, cash at year end and the
//! funding need to date.
//!
//! Each trial's yearly values are computed from its monthly series (flows
//! summed within the year, stocks at the year's last month) before any
//! statistic, as `--period year` does for every metric, and summarised by
//! the same accumulators: for calendar years the table's numbers are those
//! of `timeseries_by_year.csv` for the same metric. Funding raised is each
//! trial's sum of `funding_usd_bn` and `equity_raised_usd_bn`, so its
//! percentiles are those of the sum, never sums of percentiles.

use serde::{Deserialize, Serialize};

use crate::metric::{Metric, MetricKind};
use crate::model::OutputLayout;
use crate::month::Month;
use crate::period::{Period, PeriodSpan};
use crate::stats::Summary;

/// Which years the table has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum YearBasis {
    /// Calendar years; the first and last may be partial (`2025 (Nov-Dec)`).
    #[default]
    Calendar,
    /// Twelve-month blocks from the horizon start (`Y1 (2025-11..2026-10)`);
    /// the last may be shorter.
    Horizon,
}

impl std::str::FromStr for YearBasis {
    type Err = String;

    fn from_str(s: &str) -> Result<YearBasis, String> {
        match s {
            "calendar" => Ok(YearBasis::Calendar),
            "horizon" => Ok(YearBasis::Horizon),
            _ => Err(format!("expected calendar or horizon, got {s:?}")),
        }
    }
}

impl YearBasis {
    /// Name as written on the command line.
    pub fn name(self) -> &'static str {
        match self {
            YearBasis::Calendar => "calendar",
            YearBasis::Horizon => "horizon",
        }
    }
}

/// What a run reports besides the monthly series: every metric by `period`
/// (unless monthly) and the year table by `years`. A [`Period`] converts to
/// this with calendar years, so callers that only choose a period need not
/// know of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Reporting {
    /// Reporting period of the period series.
    pub period: Period,
    /// Years of the year table.
    pub years: YearBasis,
}

impl From<Period> for Reporting {
    fn from(period: Period) -> Reporting {
        Reporting {
            period,
            years: YearBasis::Calendar,
        }
    }
}

/// One row of the year table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum YearQuantity {
    /// Capacity online at year end, GW.
    CapacityOnline,
    /// Compute payments in the year, USD bn.
    Payments,
    /// Revenue in the year, USD bn.
    Revenue,
    /// Operating costs in the year, USD bn.
    OperatingCosts,
    /// Free cash flow in the year, USD bn.
    FreeCashFlow,
    /// Funding events plus equity raised in the year, USD bn.
    FundingRaised,
    /// Cash balance at year end, USD bn.
    Cash,
    /// Funding need to date at year end, USD bn.
    FundingNeed,
}

impl YearQuantity {
    /// Every row, in table order.
    pub const ALL: [YearQuantity; 8] = [
        YearQuantity::CapacityOnline,
        YearQuantity::Payments,
        YearQuantity::Revenue,
        YearQuantity::OperatingCosts,
        YearQuantity::FreeCashFlow,
        YearQuantity::FundingRaised,
        YearQuantity::Cash,
        YearQuantity::FundingNeed,
    ];

    /// The metrics whose yearly values it adds, in order (the ones a run
    /// reports; equity only with `[financing]`).
    pub fn metrics(self) -> &'static [Metric] {
        match self {
            YearQuantity::CapacityOnline => &[Metric::CapacityOnlineGw],
            YearQuantity::Payments => &[Metric::ComputePaymentsUsdBn],
            YearQuantity::Revenue => &[Metric::RevenueUsdBn],
            YearQuantity::OperatingCosts => &[Metric::OperatingCostsUsdBn],
            YearQuantity::FreeCashFlow => &[Metric::FreeCashFlowUsdBn],
            YearQuantity::FundingRaised => &[Metric::FundingUsdBn, Metric::EquityRaisedUsdBn],
            YearQuantity::Cash => &[Metric::CashBalanceUsdBn],
            YearQuantity::FundingNeed => &[Metric::FundingNeedUsdBn],
        }
    }

    /// Name in `years.csv`: the metric's name, or `funding_raised_usd_bn`.
    pub fn name(self) -> &'static str {
        match self {
            YearQuantity::FundingRaised => "funding_raised_usd_bn",
            q => q.metrics()[0].name(),
        }
    }

    /// Human label: the metric's label without "per month".
    pub fn label(self) -> String {
        match self {
            // Funding events and equity alike: the cash raised.
            YearQuantity::FundingRaised => "Funding raised".into(),
            q => {
                let label = q.metrics()[0].label();
                label
                    .strip_suffix(" per month")
                    .unwrap_or(label)
                    .to_string()
            }
        }
    }

    /// Unit of a yearly value: `GW`, `USD bn/year` for flows, `USD bn` at
    /// year end for stocks.
    pub fn unit(self) -> &'static str {
        match (self, self.kind()) {
            (YearQuantity::CapacityOnline, _) => "GW",
            (_, MetricKind::Flow) => "USD bn/year",
            _ => "USD bn",
        }
    }

    /// Flow (summed within the year) or stock (at the year's last month).
    pub fn kind(self) -> MetricKind {
        self.metrics()[0].kind()
    }
}

/// The years of a horizon of `months` months from `start`. Calendar years
/// are labelled `2026`, or `2025 (Nov-Dec)` when the horizon covers part of
/// the year; horizon years `Y1 (2025-11..2026-10)`.
pub fn year_spans(basis: YearBasis, start: Month, months: usize) -> Vec<PeriodSpan> {
    match basis {
        YearBasis::Calendar => Period::Year
            .spans(start, months)
            .into_iter()
            .map(|mut s| {
                if s.months.len() < 12 {
                    let first = start.plus(s.months.start as i32);
                    s.label = format!("{} ({}-{})", s.label, month_name(first), month_name(s.end));
                }
                s
            })
            .collect(),
        YearBasis::Horizon => (0..months)
            .step_by(12)
            .enumerate()
            .map(|(k, first)| {
                let last = (first + 12).min(months);
                let end = start.plus(last as i32 - 1);
                PeriodSpan {
                    label: format!("Y{} ({}..{end})", k + 1, start.plus(first as i32)),
                    end,
                    months: first..last,
                }
            })
            .collect(),
    }
}

/// `Jan` to `Dec`.
fn month_name(m: Month) -> &'static str {
    const NAMES: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    NAMES[(m.month_of_year() as usize).clamp(1, 12) - 1]
}

/// How a trial's monthly series become its row of yearly values: per
/// quantity, where its metrics' series start.
#[derive(Debug, Clone)]
pub(crate) struct YearRows {
    spans: Vec<PeriodSpan>,
    /// Per quantity: its kind and the offsets of its metrics' series.
    parts: Vec<(MetricKind, Vec<usize>)>,
}

impl YearRows {
    /// The table of a run shaped like `layout` starting at `start`.
    pub(crate) fn new(layout: &OutputLayout, start: Month, basis: YearBasis) -> YearRows {
        let parts = YearQuantity::ALL
            .iter()
            .map(|q| {
                let offsets = q
                    .metrics()
                    .iter()
                    .filter_map(|m| layout.metric_offset(*m))
                    .collect();
                (q.kind(), offsets)
            })
            .collect();
        YearRows {
            spans: year_spans(basis, start, layout.months),
            parts,
        }
    }

    /// Values per trial: quantities times years.
    pub(crate) fn width(&self) -> usize {
        self.parts.len() * self.spans.len()
    }

    /// Writes one trial's yearly values (quantity-major) from its monthly
    /// `series` into `out` ([`width`](Self::width) values).
    pub(crate) fn fill(&self, series: &[f64], out: &mut [f64]) {
        let mut k = 0;
        for (kind, offsets) in &self.parts {
            for span in &self.spans {
                // Each metric's yearly value exactly as `--period year` has
                // it (the same sum), then added metric by metric.
                let yearly = |o: usize| {
                    let v = &series[o + span.months.start..o + span.months.end];
                    match kind {
                        MetricKind::Flow => v.iter().sum::<f64>(),
                        _ => v[v.len() - 1],
                    }
                };
                // Every quantity's first metric is always reported.
                out[k] = offsets.split_first().map_or(f64::NAN, |(first, rest)| {
                    rest.iter()
                        .fold(yearly(*first), |total, &o| total + yearly(o))
                });
                k += 1;
            }
        }
    }
}

/// The summarised year table of a run.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct YearTable {
    /// Which years.
    pub basis: YearBasis,
    /// The years, in order.
    pub spans: Vec<PeriodSpan>,
    /// One summary per quantity of [`YearQuantity::ALL`] per year,
    /// quantity-major; empty for runs that summarise outcomes alone.
    pub summaries: Vec<Summary>,
}

impl YearTable {
    /// The summary of `quantity` in year `year` (an index into `spans`).
    pub fn get(&self, quantity: YearQuantity, year: usize) -> Option<&Summary> {
        let q = YearQuantity::ALL.iter().position(|x| *x == quantity)?;
        if year >= self.spans.len() {
            return None;
        }
        self.summaries.get(q * self.spans.len() + year)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partial_calendar_years_and_horizon_years() {
        let start: Month = "2025-11".parse().unwrap();
        let cal = year_spans(YearBasis::Calendar, start, 24);
        let labels: Vec<&str> = cal.iter().map(|s| s.label.as_str()).collect();
        assert_eq!(labels, ["2025 (Nov-Dec)", "2026", "2027 (Jan-Oct)"]);
        assert_eq!(cal[2].months, 14..24);
        let hor = year_spans(YearBasis::Horizon, start, 26);
        let labels: Vec<&str> = hor.iter().map(|s| s.label.as_str()).collect();
        assert_eq!(
            labels,
            [
                "Y1 (2025-11..2026-10)",
                "Y2 (2026-11..2027-10)",
                "Y3 (2027-11..2027-12)"
            ]
        );
        assert_eq!(hor[2].months, 24..26);
    }
}
