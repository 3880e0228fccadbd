//! `timeseries_by_quarter.csv` / `timeseries_by_year.csv`: every metric per
//! calendar period, aggregated within each trial before any statistic.

use std::io::Write;

use super::{Exporter, RunReport, csv_to_io, format_number, percentile_column};
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
        let mut w = csv::Writer::from_writer(out);
        let mut header: Vec<String> = [
            "metric",
            "unit",
            "period",
            "period_end",
            "mean",
            "std_dev",
            "std_error",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        header.extend(result.percentiles.iter().map(|p| percentile_column(*p)));
        w.write_record(&header).map_err(csv_to_io)?;
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
                    format_number(s.mean),
                    format_number(s.std_dev),
                    format_number(s.std_error),
                ];
                row.extend(s.percentiles.iter().map(|x| format_number(*x)));
                w.write_record(&row).map_err(csv_to_io)?;
            }
        }
        w.flush()
    }
}
