//! `sensitivity.csv`: what drives each outcome, the data behind a tornado chart.

use std::io::Write;

use super::{Exporter, RunReport, csv_to_io, format_number};
use crate::analysis::SensitivityRow;

/// Writes `sensitivity.csv`: per outcome and uncertain input, the Spearman
/// rank correlation, the share of variance, and the outcome's median with the
/// input at its p10 and p90 (the strongest inputs only) and the swing between
/// them. Rows are grouped by outcome, strongest input first.
#[derive(Debug, Clone)]
pub struct SensitivityCsvExporter {
    /// The rows to write.
    pub rows: Vec<SensitivityRow>,
}

impl Exporter for SensitivityCsvExporter {
    fn file_name(&self) -> &'static str {
        "sensitivity.csv"
    }

    fn write(&self, _report: &RunReport, out: &mut dyn Write) -> std::io::Result<()> {
        let mut w = csv::Writer::from_writer(out);
        w.write_record([
            "outcome",
            "unit",
            "input",
            "spearman",
            "variance_share",
            "median",
            "median_at_input_p10",
            "median_at_input_p90",
            "swing",
        ])
        .map_err(csv_to_io)?;
        for r in &self.rows {
            let swing = match (r.median_at_p10, r.median_at_p90) {
                (Some(a), Some(b)) => Some(b - a),
                _ => None,
            };
            w.write_record([
                r.outcome.as_str(),
                r.unit.as_str(),
                r.input.as_str(),
                &format_number(Some(r.spearman)),
                &format_number(Some(r.variance_share)),
                &format_number(r.median),
                &format_number(r.median_at_p10),
                &format_number(r.median_at_p90),
                &format_number(swing),
            ])
            .map_err(csv_to_io)?;
        }
        w.flush()
    }
}
