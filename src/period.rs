//! Reporting periods: months grouped into calendar quarters or years.

use std::ops::Range;

use serde::{Deserialize, Serialize};

use crate::metric::MetricKind;
use crate::month::Month;

/// How monthly series are grouped for reporting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Period {
    /// Every month (no grouping).
    #[default]
    Month,
    /// Calendar quarters (2026-Q1 is January to March).
    Quarter,
    /// Calendar years.
    Year,
}

/// One reporting period within a horizon.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeriodSpan {
    /// Label: `2026-07` (month), `2026-Q3` (quarter) or `2026` (year).
    pub label: String,
    /// Last month of the period inside the horizon.
    pub end: Month,
    /// Month indices (from the horizon start) it covers; the first and last
    /// periods may be partial.
    pub months: Range<usize>,
}

impl std::str::FromStr for Period {
    type Err = String;

    fn from_str(s: &str) -> Result<Period, String> {
        match s {
            "month" => Ok(Period::Month),
            "quarter" => Ok(Period::Quarter),
            "year" => Ok(Period::Year),
            _ => Err(format!("expected month, quarter or year, got {s:?}")),
        }
    }
}

impl Period {
    /// Name as written on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Period::Month => "month",
            Period::Quarter => "quarter",
            Period::Year => "year",
        }
    }

    /// The periods of a horizon of `months` months from `start`.
    pub(crate) fn spans(self, start: Month, months: usize) -> Vec<PeriodSpan> {
        let key = |m: Month| match self {
            Period::Month => (m.year(), m.month_of_year()),
            Period::Quarter => (m.year(), (m.month_of_year() - 1) / 3),
            Period::Year => (m.year(), 0),
        };
        let mut spans: Vec<PeriodSpan> = Vec::new();
        for i in 0..months {
            let m = start.plus(i as i32);
            let same = spans.last().is_some_and(|s| key(s.end) == key(m));
            if same {
                let last = spans.last_mut().expect("checked");
                last.end = m;
                last.months.end = i + 1;
            } else {
                let label = match self {
                    Period::Month => m.to_string(),
                    Period::Quarter => format!("{}-Q{}", m.year(), (m.month_of_year() - 1) / 3 + 1),
                    Period::Year => m.year().to_string(),
                };
                spans.push(PeriodSpan {
                    label,
                    end: m,
                    months: i..i + 1,
                });
            }
        }
        spans
    }
}

/// Aggregates one trial's monthly `values` of a metric of `kind` into
/// `out`, one value per span: flows are summed, stocks taken at the period's
/// last month, events are 1 if they happen in any month of the period.
pub(crate) fn aggregate(
    kind: MetricKind,
    values: &[f64],
    spans: &[PeriodSpan],
    out: &mut Vec<f64>,
) {
    for s in spans {
        let v = &values[s.months.clone()];
        out.push(match kind {
            MetricKind::Flow => v.iter().sum(),
            MetricKind::Stock => v[v.len() - 1],
            MetricKind::Event => v.iter().copied().fold(0.0, f64::max),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quarters_and_years_with_partial_ends() {
        let start: Month = "2025-11".parse().unwrap();
        let q = Period::Quarter.spans(start, 8);
        let labels: Vec<&str> = q.iter().map(|s| s.label.as_str()).collect();
        assert_eq!(labels, ["2025-Q4", "2026-Q1", "2026-Q2"]);
        assert_eq!(q[0].months, 0..2);
        assert_eq!(q[2].months, 5..8);
        assert_eq!(q[2].end.to_string(), "2026-06");
        let y = Period::Year.spans(start, 14);
        assert_eq!(y.len(), 2);
        assert_eq!(y[1].months, 2..14);
        assert_eq!(Period::Month.spans(start, 3).len(), 3);
    }

    #[test]
    fn flows_sum_stocks_end_events_any() {
        let start: Month = "2026-01".parse().unwrap();
        let spans = Period::Quarter.spans(start, 6);
        let vals = [1.0, 2.0, 3.0, 0.0, 0.0, 1.0];
        let mut out = Vec::new();
        aggregate(MetricKind::Flow, &vals, &spans, &mut out);
        aggregate(MetricKind::Stock, &vals, &spans, &mut out);
        aggregate(
            MetricKind::Event,
            &[0.0, 1.0, 0.0, 0.0, 0.0, 0.0],
            &spans,
            &mut out,
        );
        assert_eq!(out, [6.0, 1.0, 3.0, 1.0, 1.0, 0.0]);
    }
}
