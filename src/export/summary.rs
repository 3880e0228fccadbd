//! `summary.csv`: one row per scalar outcome of a trial.

use std::io::Write;

use super::{CsvOut, Exporter, RunReport, format_number, percentile_column};
use crate::model::OutcomeKind;

/// Writes `summary.csv`: columns `outcome,unit,mean,std_error,std_dev`, one
/// column per percentile, `trials`, then for each percentile `pNN` a column
/// `pNN_month`. Month outcomes are months after the horizon start in the
/// percentile columns and the calendar months they fall in as `YYYY-MM` in
/// the `_month` columns (blank in other rows); a blank percentile of a month
/// outcome means "not by the end of the horizon" in both.
#[derive(Debug, Clone, Copy, Default)]
pub struct SummaryCsvExporter;

impl Exporter for SummaryCsvExporter {
    fn file_name(&self) -> &'static str {
        "summary.csv"
    }

    fn write(&self, report: &RunReport, out: &mut dyn Write) -> std::io::Result<()> {
        let result = report.result;
        let mut w = CsvOut::new(out);
        let mut header: Vec<String> = ["outcome", "unit", "mean", "std_error", "std_dev"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        header.extend(result.percentiles.iter().map(|p| percentile_column(*p)));
        header.push("trials".to_string());
        header.extend(
            result
                .percentiles
                .iter()
                .map(|p| format!("{}_month", percentile_column(*p))),
        );
        w.row(&header)?;
        for (spec, s) in result.layout.outcomes.iter().zip(&result.outcomes) {
            let mut row = vec![
                spec.name.clone(),
                spec.unit.clone(),
                format_number(s.mean),
                format_number(s.std_error),
                format_number(s.std_dev),
            ];
            row.extend(s.percentiles.iter().map(|p| format_number(*p)));
            row.push(s.trials.to_string());
            let calendar = |p: &Option<f64>| match p {
                Some(v) if spec.kind == OutcomeKind::Month && v.is_finite() => {
                    // A percentile interpolated between two trials' months
                    // falls in the earlier one, as the report and the
                    // terminal show it.
                    report.scenario.start.plus(v.floor() as i32).to_string()
                }
                _ => String::new(),
            };
            row.extend(s.percentiles.iter().map(calendar));
            w.row(&row)?;
        }
        w.finish()
    }
}
