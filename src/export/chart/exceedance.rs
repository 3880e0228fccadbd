//! Exceedance curve of a target: the share of trials that have met it by each
//! month, P(first month met <= m), from the runner's per-month counts
//! ([`RunResult::by_month_probability`](crate::runner::RunResult::by_month_probability)).
//! [`super::standard_charts_with`] adds one per target.

use plotters::prelude::*;

use super::style::{self, FONT, MEDIAN, SIZE};
use super::{Chart, ChartError};
use crate::metric::MetricKind;
use crate::period::Period;
use crate::runner::RunResult;
use crate::scenario::{Scenario, Threshold};

/// P(target met by month m), for every month of the horizon.
#[derive(Debug, Clone, PartialEq)]
pub struct ExceedanceChart {
    /// The target's name.
    pub target: String,
    /// `by_month[m]`: share of trials (0-1) that have met the target in
    /// month m or earlier; never decreasing.
    pub by_month: Vec<f64>,
}

impl Chart for ExceedanceChart {
    fn file_name(&self) -> String {
        format!("exceedance-{}.svg", self.target)
    }

    fn title(&self, _scenario: &Scenario) -> String {
        format!("Target {}: P(met by month)", self.target)
    }

    fn caption(&self, scenario: &Scenario, result: &RunResult) -> String {
        let what = scenario
            .targets
            .iter()
            .find(|t| t.name == self.target)
            .map(|t| {
                let what = match (t.period, t.metric.kind()) {
                    (Period::Year, MetricKind::Flow) => format!(
                        "a calendar year's total of {} (`{}`)",
                        style::in_sentence(t.metric.label()),
                        t.metric.name()
                    ),
                    (Period::Year, _) => format!(
                        "{} (`{}`) at a calendar year's end",
                        style::in_sentence(t.metric.label()),
                        t.metric.name()
                    ),
                    _ => format!(
                        "{} (`{}`)",
                        style::in_sentence(t.metric.label()),
                        t.metric.name()
                    ),
                };
                match t.threshold {
                    Threshold::AtLeast(v) => format!("{what} >= {v}"),
                    Threshold::AtMost(v) => format!("{what} <= {v}"),
                }
            })
            .unwrap_or_default();
        format!(
            "Share of the {} trials in which {what} has happened in the month or earlier.",
            result.trials
        )
    }

    fn render(&self, scenario: &Scenario, _result: &RunResult) -> Result<String, ChartError> {
        let file = self.file_name();
        let fail = |e: &dyn std::fmt::Display| ChartError::new(&file, e);
        let months = self.by_month.len();
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
            root.fill(&WHITE).map_err(|e| fail(&e))?;
            let mut chart = ChartBuilder::on(&root)
                .caption(self.title(scenario), (FONT, 20))
                .margin(14)
                .x_label_area_size(44)
                .y_label_area_size(64)
                .build_cartesian_2d(style::MonthAxis::new(scenario), 0.0..100.0)
                .map_err(|e| fail(&e))?;
            chart
                .configure_mesh()
                .x_label_formatter(&|v| style::month_label(scenario, *v))
                .y_label_formatter(&|v| format!("{v:.0}%"))
                .x_desc("month")
                .y_desc("trials that have met the target")
                .label_style((FONT, 13))
                .axis_desc_style((FONT, 14))
                .light_line_style(WHITE.mix(0.0))
                .bold_line_style(BLACK.mix(0.08))
                .draw()
                .map_err(|e| fail(&e))?;
            let mut steps = Vec::with_capacity(2 * months);
            for (m, p) in self.by_month.iter().enumerate() {
                if m > 0 {
                    steps.push((m as f64, 100.0 * self.by_month[m - 1]));
                }
                steps.push((m as f64, 100.0 * p));
            }
            chart
                .draw_series(LineSeries::new(steps, MEDIAN.stroke_width(2)))
                .map_err(|e| fail(&e))?;
            root.present().map_err(|e| fail(&e))?;
        }
        Ok(svg)
    }
}
