//! Tornado chart of one outcome: for each input that the sensitivity analysis
//! swung, the outcome's median with the input pinned at its 10th and at its
//! 90th percentile (other inputs random), as a horizontal bar around the
//! median with every input random. Inputs are sorted by swing, largest on top.

use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};
use plotters::prelude::*;

use super::style::{self, FONT, MEDIAN, REFERENCE, SIZE};
use super::{Chart, ChartError};
use crate::analysis::SensitivityRow;
use crate::runner::RunResult;
use crate::scenario::Scenario;

/// Most inputs drawn.
const MAX_BARS: usize = 12;

/// One swung input.
#[derive(Debug, Clone, PartialEq)]
pub struct TornadoBar {
    /// Input path (as in `trials.csv`).
    pub input: String,
    /// The outcome's median with the input at its p10.
    pub at_p10: f64,
    /// The outcome's median with the input at its p90.
    pub at_p90: f64,
}

impl TornadoBar {
    fn swing(&self) -> f64 {
        (self.at_p90 - self.at_p10).abs()
    }
}

/// A tornado chart of one outcome.
#[derive(Debug, Clone, PartialEq)]
pub struct TornadoChart {
    /// Outcome name, as in `summary.csv`.
    pub outcome: String,
    /// Its unit.
    pub unit: String,
    /// The outcome's median with every input random.
    pub median: f64,
    /// Bars, largest swing first.
    pub bars: Vec<TornadoBar>,
}

impl TornadoChart {
    /// The chart of `outcome` from sensitivity rows, using the rows that have
    /// both swung medians; `None` if there are none.
    pub(crate) fn from_rows(outcome: &str, rows: &[SensitivityRow]) -> Option<TornadoChart> {
        let mut median = None;
        let mut unit = String::new();
        let mut bars: Vec<TornadoBar> = rows
            .iter()
            .filter(|r| r.outcome == outcome)
            .filter_map(|r| {
                let (at_p10, at_p90, m) = (r.median_at_p10?, r.median_at_p90?, r.median?);
                median = Some(m);
                unit.clone_from(&r.unit);
                Some(TornadoBar {
                    input: r.input.clone(),
                    at_p10,
                    at_p90,
                })
            })
            .collect();
        bars.sort_by(|a, b| b.swing().total_cmp(&a.swing()).then(a.input.cmp(&b.input)));
        bars.truncate(MAX_BARS);
        Some(TornadoChart {
            outcome: outcome.to_string(),
            unit,
            median: median?,
            bars,
        })
    }
}

/// A y axis of `n` rows, ticked at each row's centre.
#[derive(Debug, Clone)]
pub(super) struct RowAxis {
    /// Number of rows.
    pub(super) n: usize,
}

impl Ranged for RowAxis {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        let t = value / self.n as f64;
        limit.0 + (t * f64::from(limit.1 - limit.0)).round() as i32
    }

    fn key_points<Hint: KeyPointHint>(&self, _hint: Hint) -> Vec<f64> {
        (0..self.n).map(|i| i as f64 + 0.5).collect()
    }

    fn range(&self) -> std::ops::Range<f64> {
        0.0..self.n as f64
    }
}

impl Chart for TornadoChart {
    fn file_name(&self) -> String {
        format!("tornado-{}.svg", self.outcome)
    }

    fn title(&self, _scenario: &Scenario) -> String {
        format!(
            "{}: median with each input at its p10 and p90",
            super::distribution::outcome_title(&self.outcome)
        )
    }

    fn caption(&self, _scenario: &Scenario, _result: &RunResult) -> String {
        format!(
            "Each bar runs from the median of `{}` with one input pinned at its 10th percentile to the median \
             with it at its 90th percentile, every other input random (the same trials for every swing); \
             the vertical line is the median with every input random ({} {}). Inputs sorted by swing; \
             only the inputs most rank-correlated with the outcomes are swung (see sensitivity.csv).",
            self.outcome,
            style::axis_number(self.median),
            self.unit
        )
    }

    fn render(&self, scenario: &Scenario, _result: &RunResult) -> Result<String, ChartError> {
        let file = self.file_name();
        let fail = |e: &dyn std::fmt::Display| ChartError::new(&file, e);
        let n = self.bars.len().max(1);
        let mut x = style::value_range(
            self.bars
                .iter()
                .flat_map(|b| [b.at_p10, b.at_p90])
                .chain([self.median]),
        );
        // Room on the right for the legend.
        x.end += 0.15 * (x.end - x.start);
        let longest = self
            .bars
            .iter()
            .map(|b| b.input.chars().count())
            .max()
            .unwrap_or(0);
        let label_area = (longest as u32 * 7 + 16).clamp(64, 320);
        // Row i (from the bottom) holds bar n - 1 - i: largest swing on top.
        let label_of = |v: f64| {
            let row = v.floor().max(0.0) as usize;
            self.bars
                .get(n.saturating_sub(1 + row))
                .map(|b| b.input.clone())
                .unwrap_or_default()
        };
        let low = RGBColor(33, 113, 181);
        let high = REFERENCE;
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
                .x_label_formatter(&|v| style::axis_number(*v))
                .y_label_formatter(&|v| label_of(*v))
                .x_desc(format!("median {}, {}", self.outcome, self.unit))
                .label_style((FONT, 12))
                .axis_desc_style((FONT, 14))
                .light_line_style(WHITE.mix(0.0))
                .bold_line_style(BLACK.mix(0.08))
                .draw()
                .map_err(|e| fail(&e))?;
            let rect = |k: usize, to: f64| {
                let y = (n - 1 - k) as f64;
                [(self.median, y + 0.2), (to, y + 0.8)]
            };
            chart
                .draw_series(
                    self.bars
                        .iter()
                        .enumerate()
                        .map(|(k, b)| Rectangle::new(rect(k, b.at_p10), low.filled())),
                )
                .map_err(|e| fail(&e))?
                .label("input at its p10")
                .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 14, y + 5)], low.filled()));
            chart
                .draw_series(
                    self.bars
                        .iter()
                        .enumerate()
                        .map(|(k, b)| Rectangle::new(rect(k, b.at_p90), high.filled())),
                )
                .map_err(|e| fail(&e))?
                .label("input at its p90")
                .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 14, y + 5)], high.filled()));
            chart
                .draw_series(LineSeries::new(
                    [(self.median, 0.0), (self.median, n as f64)],
                    MEDIAN.stroke_width(2),
                ))
                .map_err(|e| fail(&e))?
                .label(format!(
                    "median, all inputs random: {}",
                    style::axis_number(self.median)
                ))
                .legend(style::legend_line(MEDIAN));
            style::draw_legend(&mut chart, SeriesLabelPosition::LowerRight)
                .map_err(|e| fail(&e))?;
            root.present().map_err(|e| fail(&e))?;
        }
        Ok(svg)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(input: &str, p10: Option<f64>, p90: Option<f64>) -> SensitivityRow {
        SensitivityRow {
            outcome: "peak_funding_gap_usd_bn".into(),
            unit: "USD bn".into(),
            input: input.into(),
            spearman: 0.5,
            variance_share: 0.2,
            median_at_p10: p10,
            median_at_p90: p90,
            median: Some(5.0),
        }
    }

    #[test]
    fn bars_are_the_swung_inputs_sorted_by_swing() {
        let rows = [
            row("a", Some(4.0), Some(6.0)),
            row("b", Some(1.0), Some(9.0)),
            row("c", None, None),
            row("d", Some(5.5), Some(4.0)),
        ];
        let chart = TornadoChart::from_rows("peak_funding_gap_usd_bn", &rows).unwrap();
        let inputs: Vec<&str> = chart.bars.iter().map(|b| b.input.as_str()).collect();
        assert_eq!(inputs, ["b", "a", "d"]);
        assert_eq!(chart.median, 5.0);
        assert_eq!(chart.unit, "USD bn");
        assert!(TornadoChart::from_rows("other", &rows).is_none());
        assert!(TornadoChart::from_rows("peak_funding_gap_usd_bn", &rows[2..3]).is_none());
    }
}
