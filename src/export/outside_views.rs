//! `outside_views.csv`: each published figure of the scenario's
//! `[[outside_view]]` tables beside the run's distribution of the same
//! quantity.

use std::io::Write;

use super::{CsvOut, Exporter, RunReport, format_number};
use crate::runner::RunResult;
use crate::scenario::{OutsideView, Scenario};

/// The percentiles an outside view is always reported at, whatever the
/// run's `--percentiles`.
pub const VIEW_PERCENTILES: [f64; 3] = crate::runner::OUTCOME_ENDS;

/// One outside view set beside the run.
#[derive(Debug, Clone, PartialEq)]
pub struct ViewRow<'s> {
    /// The view as the scenario gives it.
    pub view: &'s OutsideView,
    /// The view outcome's p10, p50 and p90 over trials (each an exact
    /// per-trial value, or as exact as the run's method).
    pub percentiles: [Option<f64>; 3],
    /// Share of trials whose value is below the published figure.
    pub share_below: Option<f64>,
}

/// The rows of every outside view of `scenario` in `result`: the
/// percentiles from each view outcome's ends (`RunResult::outcome_ends`,
/// so they do not depend on the run's `--percentiles`), the share below from its companion 0/1
/// outcome. Empty percentiles where the run kept no distributions.
pub fn view_rows<'s>(scenario: &'s Scenario, result: &RunResult) -> Vec<ViewRow<'s>> {
    scenario
        .outside_views
        .iter()
        .enumerate()
        .map(|(k, view)| {
            let i = result.layout.first_view_outcome + 2 * k;
            let ends = result.outcome_ends.get(i);
            ViewRow {
                view,
                percentiles: [0, 1, 2].map(|j| ends.and_then(|e| e[j].0)),
                share_below: share_of_ones(result, i + 1),
            }
        })
        .collect()
}

/// The share of trials in which the 0/1 outcome `i` is 1: the count of
/// ones over the trials where the outcome's values are tallied (so the
/// share is an exact ratio), its mean otherwise.
fn share_of_ones(result: &RunResult, i: usize) -> Option<f64> {
    let tally = result.outcome_distributions.get(i).and_then(|d| d.tally());
    match tally {
        Some(t) if result.trials > 0 => {
            let one = usize::try_from(1 - t.from()).ok();
            let ones = one.and_then(|k| t.counts().get(k)).copied().unwrap_or(0);
            Some(ones as f64 / result.trials as f64)
        }
        _ => result.outcomes.get(i).and_then(|s| s.mean),
    }
}

/// Writes `outside_views.csv`: columns
/// `name,description,metric,from,to,stat,published,p10,p50,p90,share_of_trials_below_published,source`,
/// one row per `[[outside_view]]`. Written only when the scenario has some.
#[derive(Debug, Clone, Copy, Default)]
pub struct OutsideViewsCsvExporter;

impl Exporter for OutsideViewsCsvExporter {
    fn file_name(&self) -> &'static str {
        "outside_views.csv"
    }

    fn write(&self, report: &RunReport, out: &mut dyn Write) -> std::io::Result<()> {
        let (scenario, result) = (report.scenario, report.result);
        let mut w = CsvOut::new(out);
        w.row([
            "name",
            "description",
            "metric",
            "from",
            "to",
            "stat",
            "published",
            "p10",
            "p50",
            "p90",
            "share_of_trials_below_published",
            "source",
        ])?;
        for row in view_rows(scenario, result) {
            let v = row.view;
            let [p10, p50, p90] = row.percentiles.map(format_number);
            w.row([
                v.name.as_str(),
                v.description.as_str(),
                v.metric.name(),
                &scenario.month(v.from_index).to_string(),
                &scenario.month(v.to_index).to_string(),
                v.stat.name(),
                &format_number(Some(v.value)),
                &p10,
                &p50,
                &p90,
                &format_number(row.share_below),
                v.source.as_str(),
            ])?;
        }
        w.finish()
    }
}
