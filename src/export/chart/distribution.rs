//! Distribution of a scalar outcome drawn from its reported percentiles: a
//! step chart of the cumulative share of trials, honest about knowing the
//! distribution only at those percentiles.
//!
//! The histogram of the same outcome is [`super::HistogramChart`].

use plotters::prelude::*;

use super::scaffold::{self, Frame, OrFail, legend, legend_line};
use super::style::{self, FONT, MEDIAN, REFERENCE, SIZE};
use super::{Chart, ChartError};
use crate::model::outcome;
use crate::model::{OutcomeKind, OutcomeSpec};
use crate::number::axis_number;
use crate::runner::RunResult;
use crate::scenario::Scenario;

/// The reported percentiles of one scalar outcome (a value outcome, such as
/// `peak_funding_gap_usd_bn`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PercentileChart {
    /// Name of the outcome, as in `summary.csv`.
    pub outcome: String,
}

/// The title of a chart of outcome `name` of `scenario`'s runs: its label
/// (its code name if it has none), then `what` the chart shows.
pub(crate) fn outcome_title(scenario: &Scenario, name: &str, what: &str) -> String {
    let label = crate::model::OutputLayout::new(scenario)
        .outcomes
        .into_iter()
        .find(|o| o.name == name)
        .map_or_else(|| name.to_string(), |o| o.label);
    format!("{label}: {what}")
}

/// Index of outcome `name` in the run's layout.
pub(crate) fn outcome_index(result: &RunResult, name: &str) -> Option<usize> {
    result.layout.outcomes.iter().position(|o| o.name == name)
}

/// Index of outcome `name` in the run's layout, and its spec; an error of
/// the chart in `file` unless the run reports it as a value outcome.
pub(crate) fn value_outcome<'r>(
    result: &'r RunResult,
    name: &str,
    file: &str,
) -> Result<(usize, &'r OutcomeSpec), ChartError> {
    let index = outcome_index(result, name)
        .ok_or_else(|| ChartError::new(file, format!("the run does not report {name}")))?;
    let spec = &result.layout.outcomes[index];
    if spec.kind != OutcomeKind::Value {
        let why = format!("{} is not a value outcome", spec.name);
        return Err(ChartError::new(file, why));
    }
    Ok((index, spec))
}

impl PercentileChart {
    /// (value, percent) for every percentile known.
    fn points(result: &RunResult, index: usize) -> Vec<(f64, f64)> {
        result
            .percentiles
            .iter()
            .zip(&result.outcomes[index].percentiles)
            .filter_map(|(p, v)| v.map(|v| (v, *p)))
            .collect()
    }
}

impl Chart for PercentileChart {
    fn file_name(&self) -> String {
        format!("distribution-{}.svg", self.outcome)
    }

    fn title(&self, scenario: &Scenario) -> String {
        outcome_title(scenario, &self.outcome, "distribution (percentiles)")
    }

    fn caption(&self, _scenario: &Scenario, result: &RunResult) -> String {
        let mut text = format!(
            "`{}` across {} trials. Each dot is a reported percentile: that share of trials is at or below the value. \
             The run reports percentiles only, so the chart steps between them; it is not a histogram.",
            self.outcome, result.trials
        );
        if outcome_index(result, &self.outcome) == Some(outcome::PEAK_GAP) {
            let ever = &result.outcomes[outcome::SHORTFALL_EVER];
            if let (Some(p), Some(se)) = (ever.mean, ever.std_error) {
                text.push_str(&format!(
                    " A gap opens (cash below the floor at some month) in {:.1}% of trials (standard error {:.1} points).",
                    100.0 * p,
                    100.0 * se
                ));
            }
        }
        text
    }

    fn render(&self, scenario: &Scenario, result: &RunResult) -> Result<String, ChartError> {
        let file = self.file_name();
        let (index, spec) = value_outcome(result, &self.outcome, &file)?;
        let points = Self::points(result, index);
        let mean = result.outcomes[index].mean;
        let x = style::value_range(points.iter().map(|p| p.0).chain(mean));
        let mut steps = Vec::new();
        for (i, &(v, p)) in points.iter().enumerate() {
            if i > 0 {
                steps.push((v, points[i - 1].1));
            }
            steps.push((v, p));
        }
        if let Some(&(_, p)) = points.last() {
            steps.push((x.end, p));
        }
        let title = self.title(scenario);
        scaffold::svg(&file, SIZE, |root| {
            let mut chart = Frame::new(Some(&title), &|v| axis_number(*v), &|v| format!("{v:.0}%"))
                .x_desc(format!("{}, {}", spec.label, spec.unit))
                .y_desc("share of trials at or below")
                .draw(root, &file, x, 0.0..100.0)?;
            chart
                .draw_series(LineSeries::new(steps, MEDIAN.stroke_width(2)))
                .or_fail(&file)?
                .label("reported percentiles")
                .legend(legend_line(MEDIAN));
            chart
                .draw_series(
                    points
                        .iter()
                        .map(|&(v, p)| Circle::new((v, p), 4, MEDIAN.filled())),
                )
                .or_fail(&file)?;
            chart
                .draw_series(points.iter().map(|&(v, p)| {
                    Text::new(
                        crate::number::percentile_column(p),
                        (v, p),
                        (FONT, 12).into_font().color(&BLACK.mix(0.7)),
                    )
                }))
                .or_fail(&file)?;
            if let Some(m) = mean {
                chart
                    .draw_series(DashedLineSeries::new(
                        [(m, 0.0), (m, 100.0)],
                        6,
                        4,
                        REFERENCE.stroke_width(2),
                    ))
                    .or_fail(&file)?
                    .label(format!("mean {}", axis_number(m)))
                    .legend(legend_line(REFERENCE));
            }
            legend(&mut chart, &file, SeriesLabelPosition::LowerRight)
        })
    }
}
