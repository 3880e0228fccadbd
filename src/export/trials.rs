//! `trials.csv`: the audit trail, one row per trial.

use std::io::Write;

use super::{CsvOut, Exporter, RunReport, format_number};
use crate::analysis::TrialTable;

/// Writes `trials.csv` (with `--export-trials N`): `trial`, every uncertain
/// input by path, then every scalar outcome. A blank cell is an event that
/// never happened in that trial (a target not reached).
#[derive(Debug, Clone)]
pub struct TrialsCsvExporter {
    /// The table to write.
    pub table: TrialTable,
}

impl Exporter for TrialsCsvExporter {
    fn file_name(&self) -> &'static str {
        "trials.csv"
    }

    fn write(&self, _report: &RunReport, out: &mut dyn Write) -> std::io::Result<()> {
        let mut w = CsvOut::new(out);
        w.row(&self.table.columns)?;
        for row in &self.table.rows {
            w.row(row.iter().map(|x| format_number(Some(*x))))?;
        }
        w.finish()
    }
}
