//! `timeseries.csv`: one row per metric per month.

use std::io::Write;

use super::{Exporter, RunReport, csv_to_io, statistics_cells, statistics_header};

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
        let mut w = csv::Writer::from_writer(out);
        let header = statistics_header(&["metric", "unit", "month"], &result.percentiles);
        w.write_record(&header).map_err(csv_to_io)?;
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
                w.write_record(&row).map_err(csv_to_io)?;
            }
        }
        w.flush()
    }
}
