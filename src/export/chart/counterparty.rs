//! Payments by counterparty per calendar year: each counterparty's median
//! payments in the year, stacked, with the median of the year's total
//! marked (stacked medians do not add up to the median total).

use plotters::prelude::*;

use super::style::{self, FONT, SIZE};
use super::{Chart, ChartError};
use crate::analysis::CounterpartyYears;
use crate::number::axis_number;
use crate::runner::RunResult;
use crate::scenario::Scenario;

/// Colours of the stacked counterparties, repeating.
const PALETTE: [RGBColor; 8] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
];

/// The stacked medians of payments by counterparty per calendar year.
#[derive(Debug, Clone, PartialEq)]
pub struct CounterpartyChart {
    /// The medians (from the deals analysis).
    pub years: CounterpartyYears,
    /// Trials they are medians over.
    pub trials: u64,
}

impl Chart for CounterpartyChart {
    fn file_name(&self) -> String {
        "payments-by-counterparty.svg".into()
    }

    fn title(&self, _scenario: &Scenario) -> String {
        "Contract payments by counterparty per year (medians)".into()
    }

    fn caption(&self, _scenario: &Scenario, _result: &RunResult) -> String {
        format!(
            "Each segment is the median, over the first {} trials, of one counterparty's contract payments \
             in the calendar year (the first and last years may be partial); the black mark is the median \
             of the year's total. Stacked medians do not add up to the median total: a year's total is \
             high in different trials for different counterparties. Refreshes at end of life are not \
             attributed to a contract and are left out.",
            self.trials
        )
    }

    fn render(&self, scenario: &Scenario, _result: &RunResult) -> Result<String, ChartError> {
        let file = self.file_name();
        let fail = |e: &dyn std::fmt::Display| ChartError::new(&file, e);
        let c = &self.years;
        let (first, last) = (
            c.years.first().copied().unwrap_or(0),
            c.years.last().copied().unwrap_or(0),
        );
        let stacked = (0..c.years.len()).map(|y| c.median.iter().map(|m| m[y]).sum::<f64>());
        let top = style::value_range(stacked.chain(c.total_median.iter().copied()).chain([0.0]));
        let x = f64::from(first) - 0.6..f64::from(last) + 0.6;
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
            root.fill(&WHITE).map_err(|e| fail(&e))?;
            let mut chart = ChartBuilder::on(&root)
                .caption(self.title(scenario), (FONT, 20))
                .margin(14)
                .x_label_area_size(44)
                .y_label_area_size(64)
                .build_cartesian_2d(x, 0.0..top.end * 1.15)
                .map_err(|e| fail(&e))?;
            chart
                .configure_mesh()
                .x_labels(c.years.len().max(1))
                .x_label_formatter(&|v| format!("{}", v.round() as i64))
                .y_label_formatter(&|v| axis_number(*v))
                .y_desc("USD bn per year")
                .label_style((FONT, 12))
                .axis_desc_style((FONT, 14))
                .light_line_style(WHITE.mix(0.0))
                .bold_line_style(BLACK.mix(0.08))
                .draw()
                .map_err(|e| fail(&e))?;
            let mut base = vec![0.0; c.years.len()];
            for (k, name) in c.counterparties.iter().enumerate() {
                let colour = PALETTE[k % PALETTE.len()];
                let bars: Vec<Rectangle<(f64, f64)>> = c
                    .years
                    .iter()
                    .enumerate()
                    .map(|(y, year)| {
                        let (x0, b) = (f64::from(*year), base[y]);
                        base[y] += c.median[k][y];
                        Rectangle::new([(x0 - 0.35, b), (x0 + 0.35, base[y])], colour.filled())
                    })
                    .collect();
                chart
                    .draw_series(bars)
                    .map_err(|e| fail(&e))?
                    .label(name.as_str())
                    .legend(move |(x, y)| {
                        Rectangle::new([(x, y - 5), (x + 14, y + 5)], colour.filled())
                    });
            }
            chart
                .draw_series(c.years.iter().zip(&c.total_median).map(|(year, t)| {
                    let x0 = f64::from(*year);
                    PathElement::new(
                        vec![(x0 - 0.42, *t), (x0 + 0.42, *t)],
                        BLACK.stroke_width(3),
                    )
                }))
                .map_err(|e| fail(&e))?
                .label("median of the year's total")
                .legend(style::legend_line(BLACK));
            style::draw_legend(&mut chart, SeriesLabelPosition::UpperLeft).map_err(|e| fail(&e))?;
            root.present().map_err(|e| fail(&e))?;
        }
        Ok(svg)
    }
}
