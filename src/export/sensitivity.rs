//! `sensitivity.csv`: what drives each outcome, the data behind the tornado
//! charts.

use std::io::Write;

use super::{CsvOut, Exporter, RunReport, format_number};
use crate::analysis::SensitivityRow;
use crate::runner::RunResult;

/// Writes `sensitivity.csv`: per outcome and uncertain input, the Spearman
/// rank correlation, the share of variance, the outcome's median over the
/// swing trials with every input random and with the input at its p10 and
/// p90 (swung inputs only), the swing between them and the changes from the
/// median, the run's p50 of the outcome, and the input's place in the
/// outcome's tornado chart (`tornado_rank`; the bar runs from `run_p50 +
/// change_at_input_p10` to `run_p50 + change_at_input_p90`). Rows are
/// grouped by outcome, strongest input first.
#[derive(Debug, Clone)]
pub struct SensitivityCsvExporter {
    /// The rows to write.
    pub rows: Vec<SensitivityRow>,
}

/// The run's median of `outcome` as `summary.csv` reports it (its p50
/// column), if the run reports the outcome and that percentile.
pub(crate) fn run_median(result: &RunResult, outcome: &str) -> Option<f64> {
    let k = result.percentiles.iter().position(|p| *p == 50.0)?;
    let o = result
        .layout
        .outcomes
        .iter()
        .position(|s| s.name == outcome)?;
    result
        .outcomes
        .get(o)?
        .percentiles
        .get(k)
        .copied()
        .flatten()
}

impl Exporter for SensitivityCsvExporter {
    fn file_name(&self) -> &'static str {
        "sensitivity.csv"
    }

    fn write(&self, report: &RunReport, out: &mut dyn Write) -> std::io::Result<()> {
        let mut w = CsvOut::new(out);
        w.row([
            "outcome",
            "unit",
            "input",
            "spearman",
            "variance_share",
            "median",
            "median_at_input_p10",
            "median_at_input_p90",
            "swing",
            "change_at_input_p10",
            "change_at_input_p90",
            "run_p50",
            "tornado_rank",
        ])?;
        let mut p50: Option<(&str, Option<f64>)> = None;
        for r in &self.rows {
            let swing = match (r.median_at_p10, r.median_at_p90) {
                (Some(a), Some(b)) => Some(b - a),
                _ => None,
            };
            let changes = r.changes();
            // Rows come grouped by outcome: look its p50 up once per group.
            let run_p50 = match p50 {
                Some((name, v)) if name == r.outcome => v,
                _ => {
                    let v = run_median(report.result, &r.outcome);
                    p50 = Some((r.outcome.as_str(), v));
                    v
                }
            };
            w.row([
                r.outcome.as_str(),
                r.unit.as_str(),
                r.input.as_str(),
                &format_number(Some(r.spearman)),
                &format_number(Some(r.variance_share)),
                &format_number(r.median),
                &format_number(r.median_at_p10),
                &format_number(r.median_at_p90),
                &format_number(swing),
                &format_number(changes.map(|c| c.0)),
                &format_number(changes.map(|c| c.1)),
                &format_number(run_p50),
                &r.tornado_rank.map(|k| k.to_string()).unwrap_or_default(),
            ])?;
        }
        w.finish()
    }
}
