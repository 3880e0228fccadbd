//! Payments by counterparty per calendar year: each counterparty's median
//! payments in the year, stacked, with the median of the year's total
//! marked (stacked medians do not add up to the median total).

use plotters::prelude::*;

use super::scaffold::{self, Frame, OrFail, legend, legend_box, legend_line};
use super::style::{self, PALETTE, SIZE};
use super::{Chart, ChartError};
use crate::analysis::CounterpartyYears;
use crate::number::axis_number;
use crate::runner::RunResult;
use crate::scenario::Scenario;

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
        let c = &self.years;
        let (first, last) = (
            c.years.first().copied().unwrap_or(0),
            c.years.last().copied().unwrap_or(0),
        );
        let stacked = (0..c.years.len()).map(|y| c.median.iter().map(|m| m[y]).sum::<f64>());
        let top = style::value_range(stacked.chain(c.total_median.iter().copied()).chain([0.0]));
        let x = f64::from(first) - 0.6..f64::from(last) + 0.6;
        let title = self.title(scenario);
        scaffold::svg(&file, SIZE, |root| {
            let year = |v: &f64| format!("{}", v.round() as i64);
            let mut chart = Frame::new(Some(&title), &year, &|v| axis_number(*v))
                .x_ticks(c.years.len().max(1))
                .y_desc("USD bn per year")
                .label_size(12)
                .draw(root, &file, x, 0.0..top.end * 1.15)?;
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
                    .or_fail(&file)?
                    .label(name.as_str())
                    .legend(legend_box(colour.filled(), 14));
            }
            chart
                .draw_series(c.years.iter().zip(&c.total_median).map(|(year, t)| {
                    let x0 = f64::from(*year);
                    PathElement::new(
                        vec![(x0 - 0.42, *t), (x0 + 0.42, *t)],
                        BLACK.stroke_width(3),
                    )
                }))
                .or_fail(&file)?
                .label("median of the year's total")
                .legend(legend_line(BLACK));
            legend(&mut chart, &file, SeriesLabelPosition::UpperLeft)
        })
    }
}
