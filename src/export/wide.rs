//! `wide/<metric>.csv`: one metric per file, months down and the run's
//! statistics across, so that a spreadsheet charts it from one selection
//! (the long `timeseries.csv` needs a filter or pivot first).

use std::io::Write;
use std::sync::OnceLock;

use super::{CsvOut, Exporter, RunReport, format_number, percentile_column};
use crate::metric::Metric;
use crate::period::Period;

/// Folder of the wide files, inside the run folder.
pub const WIDE_DIR: &str = "wide";

/// Writes `wide/<metric>.csv` (monthly: columns `month,mean,` and one per
/// percentile, the numbers of `timeseries.csv` for that metric) or, for a
/// quarter or year, `wide/<metric>_by_<period>.csv` (columns `period_end`,
/// the period's last month, then the same statistics, the numbers of
/// `timeseries_by_<period>.csv`). Months are `YYYY-MM`.
#[derive(Debug, Clone, Copy)]
pub struct WideCsvExporter {
    /// The metric.
    pub metric: Metric,
    /// Month, quarter or year.
    pub period: Period,
}

/// The wide exporters of a run: one per metric it reports, monthly, and one
/// per metric by `period` unless that is the month.
pub fn wide_exporters(metrics: &[Metric], period: Period) -> Vec<Box<dyn Exporter>> {
    let mut periods = vec![Period::Month];
    if period != Period::Month {
        periods.push(period);
    }
    periods
        .into_iter()
        .flat_map(|period| {
            metrics.iter().map(move |&metric| {
                Box::new(WideCsvExporter { metric, period }) as Box<dyn Exporter>
            })
        })
        .collect()
}

/// Position of a period among the names of one metric.
fn period_index(period: Period) -> usize {
    match period {
        Period::Month => 0,
        Period::Quarter => 1,
        Period::Year => 2,
    }
}

impl Exporter for WideCsvExporter {
    fn file_name(&self) -> &'static str {
        // File names are built once for every metric and period, so each is
        // a `&'static str` as the trait asks.
        static NAMES: OnceLock<Vec<[String; 3]>> = OnceLock::new();
        let names = NAMES.get_or_init(|| {
            Metric::ALL
                .iter()
                .map(|m| {
                    [Period::Month, Period::Quarter, Period::Year].map(|p| match p {
                        Period::Month => format!("{WIDE_DIR}/{}.csv", m.name()),
                        _ => format!("{WIDE_DIR}/{}_by_{}.csv", m.name(), p.name()),
                    })
                })
                .collect()
        });
        &names[self.metric.index()][period_index(self.period)]
    }

    fn write(&self, report: &RunReport, out: &mut dyn Write) -> std::io::Result<()> {
        let result = report.result;
        let mut w = CsvOut::new(out);
        let first = if self.period == Period::Month {
            "month"
        } else {
            "period_end"
        };
        let mut header = vec![first.to_string(), "mean".to_string()];
        header.extend(result.percentiles.iter().map(|p| percentile_column(*p)));
        w.row(&header)?;
        let Some(k) = result.layout.metrics.iter().position(|m| *m == self.metric) else {
            return w.finish();
        };
        let (labels, summaries) = if self.period == Period::Month {
            let months = result.layout.months;
            let labels: Vec<String> = (0..months)
                .map(|m| report.scenario.month(m).to_string())
                .collect();
            (labels, &result.series[k * months..(k + 1) * months])
        } else {
            let spans = &result.period_spans;
            let labels = spans.iter().map(|s| s.end.to_string()).collect();
            let all = &result.period_series;
            let part = all
                .get(k * spans.len()..(k + 1) * spans.len())
                .unwrap_or(&[]);
            (labels, part)
        };
        for (label, s) in labels.into_iter().zip(summaries) {
            let mut row = vec![label, format_number(s.mean)];
            row.extend(s.percentiles.iter().map(|p| format_number(*p)));
            w.row(&row)?;
        }
        w.finish()
    }
}
