//! The deals chart: each deal's effect on the peak funding need (with the
//! deal minus without it, common random numbers) as a horizontal bar with
//! whiskers of two standard errors, largest effect on top.

use plotters::prelude::*;

use super::style::{self, FONT, MEDIAN, REFERENCE, SIZE};
use super::tornado::RowAxis;
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
        let fail = |e: &dyn std::fmt::Display| ChartError::new(&file, e);
        let n = self.bars.len().max(1);
        let x = style::value_range(
            self.bars
                .iter()
                .flat_map(|b| [b.mean - 2.0 * b.se, b.mean + 2.0 * b.se])
                .chain([0.0]),
        );
        let longest = self.bars.iter().map(|b| b.name.chars().count()).max();
        let label_area = (longest.unwrap_or(0) as u32 * 7 + 16).clamp(64, 320);
        let label_of = |v: f64| {
            let row = v.floor().max(0.0) as usize;
            self.bars
                .get(n.saturating_sub(1 + row))
                .map(|b| b.name.clone())
                .unwrap_or_default()
        };
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
            root.fill(&WHITE).map_err(|e| fail(&e))?;
            let mut chart = ChartBuilder::on(&root)
                .caption(self.title(scenario), (FONT, 20))
                .margin(14)
                .x_label_area_size(44)
                .y_label_area_size(label_area)
                .build_cartesian_2d(x, RowAxis { n })
                .map_err(|e| fail(&e))?;
            chart
                .configure_mesh()
                .x_label_formatter(&|v| axis_number(*v))
                .y_label_formatter(&|v| label_of(*v))
                .x_desc("peak funding need with the deal minus without it, USD bn")
                .label_style((FONT, 12))
                .axis_desc_style((FONT, 14))
                .light_line_style(WHITE.mix(0.0))
                .bold_line_style(BLACK.mix(0.08))
                .draw()
                .map_err(|e| fail(&e))?;
            let y = |k: usize| (n - 1 - k) as f64;
            for (funding, colour, label) in [
                (false, MEDIAN, "contract (with its tranches)"),
                (true, REFERENCE, "funding event"),
            ] {
                chart
                    .draw_series(
                        self.bars
                            .iter()
                            .enumerate()
                            .filter(|(_, b)| b.funding == funding)
                            .map(|(k, b)| {
                                Rectangle::new(
                                    [(0.0, y(k) + 0.2), (b.mean, y(k) + 0.8)],
                                    colour.filled(),
                                )
                            }),
                    )
                    .map_err(|e| fail(&e))?
                    .label(label)
                    .legend(move |(x, y)| {
                        Rectangle::new([(x, y - 5), (x + 14, y + 5)], colour.filled())
                    });
            }
            chart
                .draw_series(self.bars.iter().enumerate().map(|(k, b)| {
                    let mid = y(k) + 0.5;
                    PathElement::new(
                        vec![(b.mean - 2.0 * b.se, mid), (b.mean + 2.0 * b.se, mid)],
                        BLACK.stroke_width(2),
                    )
                }))
                .map_err(|e| fail(&e))?;
            style::draw_legend(&mut chart, SeriesLabelPosition::LowerRight)
                .map_err(|e| fail(&e))?;
            root.present().map_err(|e| fail(&e))?;
        }
        Ok(svg)
    }
}
