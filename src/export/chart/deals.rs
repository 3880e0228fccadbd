//! The deals chart: each deal's effect on the peak funding need (with the
//! deal minus without it, common random numbers) as a horizontal bar with
//! whiskers of two standard errors, largest effect on top.

use plotters::prelude::*;

use super::scaffold::{self, Frame, OrFail, Rows, legend, legend_box};
use super::style::{self, MEDIAN, REFERENCE, SIZE};
use super::{Chart, ChartError};
use crate::analysis::{DealKind, DealsAnalysis};
use crate::number::axis_number;
use crate::runner::RunResult;
use crate::scenario::Scenario;

/// One deal's bar.
#[derive(Debug, Clone, PartialEq)]
pub struct DealBar {
    /// Deal name.
    pub name: String,
    /// Whether it is a funding event (drawn in another colour).
    pub funding: bool,
    /// Mean effect on the peak funding need, USD bn.
    pub mean: f64,
    /// Its standard error, USD bn.
    pub se: f64,
}

/// The effect of each deal on the peak funding need.
#[derive(Debug, Clone, PartialEq)]
pub struct DealsChart {
    /// Bars, largest absolute effect first.
    pub bars: Vec<DealBar>,
    /// Trials of the analysis.
    pub trials: u64,
}

impl DealsChart {
    /// The chart of `analysis`: its first headline (the peak funding need).
    pub fn new(analysis: &DealsAnalysis) -> DealsChart {
        let mut bars: Vec<DealBar> = analysis
            .rows
            .iter()
            .map(|r| DealBar {
                name: r.name.clone(),
                funding: r.kind == DealKind::Funding,
                mean: r.effects.first().map_or(0.0, |e| e.mean),
                se: r.effects.first().map_or(0.0, |e| e.se),
            })
            .collect();
        bars.sort_by(|a, b| {
            b.mean
                .abs()
                .total_cmp(&a.mean.abs())
                .then(a.name.cmp(&b.name))
        });
        DealsChart {
            bars,
            trials: analysis.trials,
        }
    }
}

impl Chart for DealsChart {
    fn file_name(&self) -> String {
        "deals-peak-funding-need.svg".into()
    }

    fn title(&self, _scenario: &Scenario) -> String {
        "What each deal adds to the peak funding need".into()
    }

    fn caption(&self, _scenario: &Scenario, _result: &RunResult) -> String {
        format!(
            "Each bar is the mean, over the first {} trials, of the peak funding need with the deal minus \
             without it (a contract without its tranches, or a funding event that never happens), every \
             other draw the same; whiskers are 2 standard errors. Positive: the deal raises the need. \
             See deals.csv for every headline.",
            self.trials
        )
    }

    fn render(&self, scenario: &Scenario, _result: &RunResult) -> Result<String, ChartError> {
        let file = self.file_name();
        let x = style::value_range(
            self.bars
                .iter()
                .flat_map(|b| [b.mean - 2.0 * b.se, b.mean + 2.0 * b.se])
                .chain([0.0]),
        );
        let rows = Rows::new(self.bars.iter().map(|b| b.name.as_str()));
        let title = self.title(scenario);
        scaffold::svg(&file, SIZE, |root| {
            let mut chart = Frame::new(Some(&title), &|v| axis_number(*v), &|v| rows.label(*v))
                .y_area(rows.label_width())
                .x_desc("peak funding need with the deal minus without it, USD bn")
                .label_size(12)
                .draw(root, &file, x, rows.axis())?;
            for (funding, colour, label) in [
                (false, MEDIAN, "contract (with its tranches)"),
                (true, REFERENCE, "funding event"),
            ] {
                let bars = self.bars.iter().enumerate();
                chart
                    .draw_series(bars.filter(|(_, b)| b.funding == funding).map(|(k, b)| {
                        let y = rows.y(k);
                        Rectangle::new([(0.0, y + 0.2), (b.mean, y + 0.8)], colour.filled())
                    }))
                    .or_fail(&file)?
                    .label(label)
                    .legend(legend_box(colour.filled(), 14));
            }
            chart
                .draw_series(self.bars.iter().enumerate().map(|(k, b)| {
                    let mid = rows.y(k) + 0.5;
                    PathElement::new(
                        vec![(b.mean - 2.0 * b.se, mid), (b.mean + 2.0 * b.se, mid)],
                        BLACK.stroke_width(2),
                    )
                }))
                .or_fail(&file)?;
            legend(&mut chart, &file, SeriesLabelPosition::LowerRight)
        })
    }
}
