//! Exceedance curve of a target: the share of trials that have met it by each
//! month, P(first month met <= m), from the runner's per-month counts
//! ([`RunResult::by_month_probability`](crate::runner::RunResult::by_month_probability)).
//! [`super::standard_charts_with`] adds one per target.

use plotters::prelude::*;

use super::scaffold::{self, Frame, OrFail};
use super::style::{self, MEDIAN, SIZE};
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
        let mut steps = Vec::with_capacity(2 * self.by_month.len());
        for (m, p) in self.by_month.iter().enumerate() {
            if m > 0 {
                steps.push((m as f64, 100.0 * self.by_month[m - 1]));
            }
            steps.push((m as f64, 100.0 * p));
        }
        let title = self.title(scenario);
        scaffold::svg(&file, SIZE, |root| {
            let month = |v: &f64| style::month_label(scenario, *v);
            let mut chart = Frame::new(Some(&title), &month, &|v| format!("{v:.0}%"))
                .x_desc("month")
                .y_desc("trials that have met the target")
                .draw(root, &file, style::MonthAxis::new(scenario), 0.0..100.0)?;
            chart
                .draw_series(LineSeries::new(steps, MEDIAN.stroke_width(2)))
                .or_fail(&file)?;
            Ok(())
        })
    }
}
