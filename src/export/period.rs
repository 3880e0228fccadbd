//! `timeseries_by_quarter.csv` / `timeseries_by_year.csv`: every metric per
//! calendar period, aggregated within each trial before any statistic.

use std::io::Write;

use super::{CsvOut, Exporter, RunReport, statistics_cells, statistics_header};
use crate::metric::MetricKind;
use crate::period::Period;

/// Writes the metrics by quarter or year: columns
/// `metric,unit,period,period_end,mean,std_dev,std_error` and the
/// percentiles. Flows (payments, revenue, costs, funding) are each trial's
/// sum over the period, so their unit is per quarter or per year; stocks
/// (capacity, cash) are the value at the period's last month; events are 1 if
/// they happen in any month of the period. Partial periods at the ends of the
/// horizon cover only its months.
#[derive(Debug, Clone, Copy)]
pub struct PeriodTimeseriesCsvExporter {
    /// Quarter or year.
    pub period: Period,
}

impl Exporter for PeriodTimeseriesCsvExporter {
    fn file_name(&self) -> &'static str {
        match self.period {
            Period::Quarter => "timeseries_by_quarter.csv",
            Period::Year => "timeseries_by_year.csv",
            Period::Month => "timeseries.csv",
        }
    }

    fn write(&self, report: &RunReport, out: &mut dyn Write) -> std::io::Result<()> {
        let result = report.result;
        let mut w = CsvOut::new(out);
        let header = statistics_header(
            &["metric", "unit", "period", "period_end"],
            &result.percentiles,
        );
        w.row(&header)?;
        let spans = &result.period_spans;
        for (k, metric) in result.layout.metrics.iter().enumerate() {
            let unit = if metric.kind() == MetricKind::Flow {
                metric
                    .unit()
                    .replace("/month", &format!("/{}", self.period.name()))
            } else {
                metric.unit().to_string()
            };
            for (p, span) in spans.iter().enumerate() {
                let Some(s) = result.period_series.get(k * spans.len() + p) else {
                    continue;
                };
                let mut row = vec![
                    metric.name().to_string(),
                    unit.clone(),
                    span.label.clone(),
                    span.end.to_string(),
                ];
                row.extend(statistics_cells(s));
                w.row(&row)?;
            }
        }
        w.finish()
    }
}
