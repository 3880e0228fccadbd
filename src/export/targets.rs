//! `targets.csv`: each target's exceedance curve, P(met by month), one row
//! per target per month, ready to chart.

use std::io::Write;

use super::{CsvOut, Exporter, RunReport, format_number};
use crate::scenario::Threshold;

/// Writes `targets.csv`: columns
/// `target,metric,threshold,direction,month,p_met_by_month,std_error`.
/// The probabilities are exact shares of trials (not interpolated).
#[derive(Debug, Clone, Copy, Default)]
pub struct TargetsCsvExporter;

impl Exporter for TargetsCsvExporter {
    fn file_name(&self) -> &'static str {
        "targets.csv"
    }

    fn write(&self, report: &RunReport, out: &mut dyn Write) -> std::io::Result<()> {
        let (scenario, result) = (report.scenario, report.result);
        let mut w = CsvOut::new(out);
        w.row([
            "target",
            "metric",
            "threshold",
            "direction",
            "month",
            "p_met_by_month",
            "std_error",
        ])?;
        let n = result.trials.max(1) as f64;
        for (k, t) in scenario.targets.iter().enumerate() {
            let outcome = result.layout.first_target_outcome + 2 * k + 1;
            let Some(by_month) = result.by_month_probability(outcome) else {
                continue;
            };
            let (threshold, direction) = match t.threshold {
                Threshold::AtLeast(v) => (v, "at_least"),
                Threshold::AtMost(v) => (v, "at_most"),
            };
            for (m, p) in by_month.iter().enumerate() {
                w.row([
                    t.name.as_str(),
                    t.metric.name(),
                    &format_number(Some(threshold)),
                    direction,
                    &scenario.month(m).to_string(),
                    &format_number(Some(*p)),
                    &format_number(Some((p * (1.0 - p) / n).sqrt())),
                ])?;
            }
        }
        w.finish()
    }
}
