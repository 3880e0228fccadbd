//! Distribution of a scalar outcome drawn from its reported percentiles: a
//! step chart of the cumulative share of trials, honest about knowing the
//! distribution only at those percentiles.
//!
//! The histogram of the same outcome is [`super::HistogramChart`].

use plotters::prelude::*;

use super::style::{self, FONT, MEDIAN, REFERENCE, SIZE};
use super::{Chart, ChartError};
use crate::model::OutcomeKind;
use crate::model::outcome;
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

/// The label of outcome `name` of `scenario`'s runs (its code name if it has
/// none).
pub(crate) fn outcome_title(scenario: &Scenario, name: &str) -> String {
    crate::model::OutputLayout::new(scenario)
        .outcomes
        .into_iter()
        .find(|o| o.name == name)
        .map_or_else(|| name.to_string(), |o| o.label)
}

impl PercentileChart {
    /// Index of the outcome in the run's layout.
    fn index(&self, result: &RunResult) -> Option<usize> {
        result
            .layout
            .outcomes
            .iter()
            .position(|o| o.name == self.outcome)
    }

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
        format!(
            "{}: distribution (percentiles)",
            outcome_title(scenario, &self.outcome)
        )
    }

    fn caption(&self, _scenario: &Scenario, result: &RunResult) -> String {
        let mut text = format!(
            "`{}` across {} trials. Each dot is a reported percentile: that share of trials is at or below the value. \
             The run reports percentiles only, so the chart steps between them; it is not a histogram.",
            self.outcome, result.trials
        );
        if self.index(result) == Some(outcome::PEAK_GAP) {
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
        let fail = |e: &dyn std::fmt::Display| ChartError::new(&file, e);
        let index = self
            .index(result)
            .ok_or_else(|| fail(&format!("the run does not report {}", self.outcome)))?;
        let spec = &result.layout.outcomes[index];
        if spec.kind != OutcomeKind::Value {
            return Err(fail(&format!("{} is not a value outcome", spec.name)));
        }
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

        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
            root.fill(&WHITE).map_err(|e| fail(&e))?;
            let mut chart = ChartBuilder::on(&root)
                .caption(self.title(scenario), (FONT, 20))
                .margin(14)
                .x_label_area_size(44)
                .y_label_area_size(64)
                .build_cartesian_2d(x, 0.0..100.0)
                .map_err(|e| fail(&e))?;
            chart
                .configure_mesh()
                .x_label_formatter(&|v| axis_number(*v))
                .y_label_formatter(&|v| format!("{v:.0}%"))
                .x_desc(format!("{}, {}", spec.label, spec.unit))
                .y_desc("share of trials at or below")
                .label_style((FONT, 13))
                .axis_desc_style((FONT, 14))
                .light_line_style(WHITE.mix(0.0))
                .bold_line_style(BLACK.mix(0.08))
                .draw()
                .map_err(|e| fail(&e))?;
            chart
                .draw_series(LineSeries::new(steps, MEDIAN.stroke_width(2)))
                .map_err(|e| fail(&e))?
                .label("reported percentiles")
                .legend(style::legend_line(MEDIAN));
            chart
                .draw_series(
                    points
                        .iter()
                        .map(|&(v, p)| Circle::new((v, p), 4, MEDIAN.filled())),
                )
                .map_err(|e| fail(&e))?;
            chart
                .draw_series(points.iter().map(|&(v, p)| {
                    Text::new(
                        crate::number::percentile_column(p),
                        (v, p),
                        (FONT, 12).into_font().color(&BLACK.mix(0.7)),
                    )
                }))
                .map_err(|e| fail(&e))?;
            if let Some(m) = mean {
                chart
                    .draw_series(DashedLineSeries::new(
                        [(m, 0.0), (m, 100.0)],
                        6,
                        4,
                        REFERENCE.stroke_width(2),
                    ))
                    .map_err(|e| fail(&e))?
                    .label(format!("mean {}", axis_number(m)))
                    .legend(style::legend_line(REFERENCE));
            }
            style::draw_legend(&mut chart, SeriesLabelPosition::LowerRight)
                .map_err(|e| fail(&e))?;
            root.present().map_err(|e| fail(&e))?;
        }
        Ok(svg)
    }
}
