//! `years.csv`: the year-by-year table ([`crate::years`]), one row per
//! quantity per year.

use std::io::Write;

use super::{Exporter, RunReport, csv_to_io, format_number, percentile_column};
use crate::years::YearQuantity;

/// Writes the year table in long form, as `timeseries_by_year.csv` is:
/// columns `quantity,unit,year,first_month,last_month,months,mean,std_dev,
/// std_error` and the run's percentiles. One row per (quantity, year) keeps
/// every reported percentile and filters or pivots in any spreadsheet; the
/// wide view (years across) is the report's and the terminal's.
#[derive(Debug, Clone, Copy, Default)]
pub struct YearsCsvExporter;

impl Exporter for YearsCsvExporter {
    fn file_name(&self) -> &'static str {
        "years.csv"
    }

    fn write(&self, report: &RunReport, out: &mut dyn Write) -> std::io::Result<()> {
        let result = report.result;
        let table = &result.years;
        let mut w = csv::Writer::from_writer(out);
        let mut header: Vec<String> = [
            "quantity",
            "unit",
            "year",
            "first_month",
            "last_month",
            "months",
            "mean",
            "std_dev",
            "std_error",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        header.extend(result.percentiles.iter().map(|p| percentile_column(*p)));
        w.write_record(&header).map_err(csv_to_io)?;
        for q in YearQuantity::ALL {
            for (k, span) in table.spans.iter().enumerate() {
                let Some(s) = table.get(q, k) else {
                    continue;
                };
                let first = report.scenario.month(span.months.start);
                let mut row = vec![
                    q.name().to_string(),
                    q.unit().to_string(),
                    span.label.clone(),
                    first.to_string(),
                    span.end.to_string(),
                    span.months.len().to_string(),
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
