//! Tornado chart of one outcome: for each of the outcome's own strongest
//! inputs that moves its median, how far the median moves with the input
//! pinned at its 10th and at its 90th percentile (other inputs random), drawn
//! as a bar around the run's median (the p50 of `summary.csv`). Inputs are in
//! the order of `tornado_rank` in `sensitivity.csv`, longest bar on top.

use plotters::prelude::*;

use super::scaffold::{self, Frame, OrFail, Rows, legend, legend_box, legend_line};
use super::style::{self, LOW, MEDIAN, REFERENCE, SIZE};
use super::{Chart, ChartError};
use crate::analysis::SensitivityRow;
use crate::number::axis_number;
use crate::runner::RunResult;
use crate::scenario::Scenario;

/// Most inputs drawn.
const MAX_BARS: usize = 12;

/// One swung input.
#[derive(Debug, Clone, PartialEq)]
pub struct TornadoBar {
    /// Input path (as in `trials.csv`).
    pub input: String,
    /// Where the bar ends with the input at its p10: the run's median plus
    /// the change of the median over the swing trials.
    pub at_p10: f64,
    /// Where it ends with the input at its p90.
    pub at_p90: f64,
}

/// A tornado chart of one outcome.
#[derive(Debug, Clone, PartialEq)]
pub struct TornadoChart {
    /// Outcome name, as in `summary.csv`.
    pub outcome: String,
    /// Its label for people.
    pub label: String,
    /// Its unit.
    pub unit: String,
    /// The baseline: the run's median (its p50 in `summary.csv`), or the
    /// median over the swing trials if the run reports no p50.
    pub median: f64,
    /// Whether [`TornadoChart::median`] is the run's p50.
    pub run_median: bool,
    /// Trials per swing.
    pub swing_trials: u64,
    /// Bars, longest first.
    pub bars: Vec<TornadoBar>,
}

impl TornadoChart {
    /// The chart of `outcome` from sensitivity rows: the rows with a
    /// `tornado_rank`, in its order, each bar the changes of the median
    /// (see [`SensitivityRow::changes`]) around `run_p50` (or, without it,
    /// the swing trials' median); `None` if no row has a rank.
    pub(crate) fn from_rows(
        outcome: &str,
        label: &str,
        rows: &[SensitivityRow],
        run_p50: Option<f64>,
        swing_trials: u64,
    ) -> Option<TornadoChart> {
        let mut ranked: Vec<&SensitivityRow> = rows
            .iter()
            .filter(|r| r.outcome == outcome && r.tornado_rank.is_some())
            .collect();
        ranked.sort_by_key(|r| r.tornado_rank);
        let first = ranked.first()?;
        let median = run_p50.or(first.median)?;
        let bars = ranked
            .iter()
            .take(MAX_BARS)
            .filter_map(|r| {
                let (lo, hi) = r.changes()?;
                Some(TornadoBar {
                    input: r.input.clone(),
                    at_p10: median + lo,
                    at_p90: median + hi,
                })
            })
            .collect();
        Some(TornadoChart {
            outcome: outcome.to_string(),
            label: label.to_string(),
            unit: first.unit.clone(),
            median,
            run_median: run_p50.is_some(),
            swing_trials,
            bars,
        })
    }
}

impl Chart for TornadoChart {
    fn file_name(&self) -> String {
        format!("tornado-{}.svg", self.outcome)
    }

    fn title(&self, _scenario: &Scenario) -> String {
        format!("{}: median with each input at its p10 and p90", self.label)
    }

    fn caption(&self, _scenario: &Scenario, _result: &RunResult) -> String {
        let baseline = if self.run_median {
            "the run's median (p50 in summary.csv)"
        } else {
            "the median over those trials (the run reports no p50)"
        };
        format!(
            "The vertical line is {baseline}, {} {} (`{}`). Each bar moves it by how much the median changes, \
             over the first {} trials, when one input is pinned at its 10th percentile (blue) or at its 90th \
             (orange) instead of drawn, every other input random and the trials the same for every swing. \
             Shown: the outcome's own inputs most rank-correlated with it, longest bar on top; an input that \
             moves the median neither way is left out (sensitivity.csv, columns change_at_input_p10/p90 and \
             tornado_rank).",
            axis_number(self.median),
            self.unit,
            self.outcome,
            self.swing_trials,
        )
    }

    fn render(&self, scenario: &Scenario, _result: &RunResult) -> Result<String, ChartError> {
        let file = self.file_name();
        let mut x = style::value_range(
            self.bars
                .iter()
                .flat_map(|b| [b.at_p10, b.at_p90])
                .chain([self.median]),
        );
        // Room on the right for the legend.
        x.end += 0.15 * (x.end - x.start);
        let rows = Rows::new(self.bars.iter().map(|b| b.input.as_str()));
        let title = self.title(scenario);
        let x_desc = format!("median {}, {}", style::in_sentence(&self.label), self.unit);
        scaffold::svg(&file, SIZE, |root| {
            let mut chart = Frame::new(Some(&title), &|v| axis_number(*v), &|v| rows.label(*v))
                .y_area(rows.label_width())
                .x_desc(x_desc)
                .label_size(12)
                .draw(root, &file, x, rows.axis())?;
            for (at_p10, colour, label) in [
                (true, LOW, "input at its p10"),
                (false, REFERENCE, "input at its p90"),
            ] {
                chart
                    .draw_series(self.bars.iter().enumerate().map(|(k, b)| {
                        let (y, end) = (rows.y(k), if at_p10 { b.at_p10 } else { b.at_p90 });
                        Rectangle::new([(self.median, y + 0.2), (end, y + 0.8)], colour.filled())
                    }))
                    .or_fail(&file)?
                    .label(label)
                    .legend(legend_box(colour.filled(), 14));
            }
            chart
                .draw_series(LineSeries::new(
                    [(self.median, 0.0), (self.median, rows.top())],
                    MEDIAN.stroke_width(2),
                ))
                .or_fail(&file)?
                .label(format!("median: {}", axis_number(self.median)))
                .legend(legend_line(MEDIAN));
            legend(&mut chart, &file, SeriesLabelPosition::LowerRight)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(input: &str, p10: Option<f64>, p90: Option<f64>, rank: Option<usize>) -> SensitivityRow {
        SensitivityRow {
            outcome: "peak_funding_gap_usd_bn".into(),
            unit: "USD bn".into(),
            input: input.into(),
            spearman: 0.5,
            variance_share: 0.2,
            median_at_p10: p10,
            median_at_p90: p90,
            median: Some(5.0),
            tornado_rank: rank,
        }
    }

    #[test]
    fn bars_are_the_ranked_inputs_around_the_run_median() {
        let rows = [
            row("a", Some(4.0), Some(6.0), Some(2)),
            row("b", Some(1.0), Some(9.0), Some(1)),
            row("c", None, None, None),
            row("d", Some(5.5), Some(4.0), Some(3)),
            row("e", Some(5.0), Some(5.0), None),
        ];
        let gap = "peak_funding_gap_usd_bn";
        let chart = TornadoChart::from_rows(gap, "Peak gap", &rows, Some(7.0), 100).unwrap();
        let inputs: Vec<&str> = chart.bars.iter().map(|b| b.input.as_str()).collect();
        assert_eq!(inputs, ["b", "a", "d"]);
        assert_eq!(chart.median, 7.0);
        assert!(chart.run_median);
        // Changes of the median (-4, +4 for b) drawn around the run's p50.
        assert_eq!((chart.bars[0].at_p10, chart.bars[0].at_p90), (3.0, 11.0));
        assert_eq!((chart.bars[2].at_p10, chart.bars[2].at_p90), (7.5, 6.0));
        assert_eq!(chart.unit, "USD bn");
        let own = TornadoChart::from_rows(gap, "Peak gap", &rows, None, 100).unwrap();
        assert_eq!((own.median, own.run_median), (5.0, false));
        assert!(TornadoChart::from_rows("other", "x", &rows, Some(1.0), 100).is_none());
        assert!(TornadoChart::from_rows(gap, "x", &rows[2..3], Some(1.0), 100).is_none());
    }
}
