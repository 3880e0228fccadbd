//! `timeseries.csv`: one row per metric per month.

use std::io::Write;

use super::{CsvOut, Exporter, RunReport, statistics_cells, statistics_header};

/// Writes `timeseries.csv`: columns `metric,unit,month,mean,std_dev,std_error`
/// and one column per percentile.
#[derive(Debug, Clone, Copy, Default)]
pub struct TimeseriesCsvExporter;

impl Exporter for TimeseriesCsvExporter {
    fn file_name(&self) -> &'static str {
        "timeseries.csv"
    }

    fn write(&self, report: &RunReport, out: &mut dyn Write) -> std::io::Result<()> {
        let result = report.result;
        let mut w = CsvOut::new(out);
        let header = statistics_header(&["metric", "unit", "month"], &result.percentiles);
        w.row(&header)?;
        let months = result.layout.months;
        for (k, metric) in result.layout.metrics.iter().enumerate() {
            for m in 0..months {
                let s = &result.series[k * months + m];
                let mut row = vec![
                    metric.name().to_string(),
                    metric.unit().to_string(),
                    report.scenario.month(m).to_string(),
                ];
                row.extend(statistics_cells(s));
                w.row(&row)?;
            }
        }
        w.finish()
    }
}
