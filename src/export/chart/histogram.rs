//! Histogram of a scalar outcome (the peak funding gap) from the run's
//! distribution of that outcome: every value when the run keeps them all, a
//! sketch of them on large runs. Bins span the outcome's p1 to p99.

use plotters::prelude::*;

use super::distribution::{outcome_index, outcome_title, value_outcome};
use super::scaffold::{self, Frame, OrFail, legend, legend_box, legend_line};
use super::style::{INNER, MEDIAN, REFERENCE, SIZE};
use super::{Chart, ChartError};
use crate::number::axis_number;
use crate::runner::RunResult;
use crate::scenario::Scenario;
use crate::stats::Distribution;

/// Bins between the p1 and the p99.
pub const BINS: usize = 30;

/// A histogram of one value outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistogramChart {
    /// Name of the outcome, as in `summary.csv`.
    pub outcome: String,
}

/// One bin: [lo, hi] and the share of all trials (0-1) in it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bin {
    /// Lower edge (included in the first bin only).
    pub lo: f64,
    /// Upper edge (included).
    pub hi: f64,
    /// Share of all trials in the bin.
    pub share: f64,
}

/// [`BINS`] equal bins from the p1 to the p99 of `d` (`total` trials, some
/// of which may have no value); the first bin also holds values equal to
/// the p1, so a spike at the p1 (a gap of zero, say) is counted.
pub fn bins(d: &Distribution, total: u64) -> Vec<Bin> {
    let (Some(p1), Some(p99)) = (d.percentile(1.0, total), d.percentile(99.0, total)) else {
        return Vec::new();
    };
    let (lo, hi) = if p99 > p1 {
        (p1, p99)
    } else {
        let pad = p1.abs().max(1.0) * 0.05;
        (p1 - pad, p1 + pad)
    };
    // Share of all trials, not just of those with a value.
    let scale = d.len() as f64 / total.max(1) as f64;
    let width = (hi - lo) / BINS as f64;
    let below_lo = d.fraction_at_most(lo - 1e-9 * lo.abs().max(1.0));
    let mut previous = below_lo;
    (0..BINS)
        .map(|k| {
            let a = lo + width * k as f64;
            let b = if k + 1 == BINS {
                hi
            } else {
                lo + width * (k + 1) as f64
            };
            let at_most = d.fraction_at_most(b);
            let share = (at_most - previous).max(0.0) * scale;
            previous = at_most;
            Bin {
                lo: a,
                hi: b,
                share,
            }
        })
        .collect()
}

impl Chart for HistogramChart {
    fn file_name(&self) -> String {
        format!("histogram-{}.svg", self.outcome)
    }

    fn title(&self, scenario: &Scenario) -> String {
        let what = format!("histogram (p1 to p99, {BINS} bins)");
        outcome_title(scenario, &self.outcome, &what)
    }

    fn caption(&self, _scenario: &Scenario, result: &RunResult) -> String {
        let d =
            outcome_index(result, &self.outcome).and_then(|i| result.outcome_distributions.get(i));
        let shown: f64 = d.map_or(0.0, |d| {
            bins(d, result.trials).iter().map(|b| b.share).sum()
        });
        let source = match d {
            Some(Distribution::Sketch(_)) => {
                "a sketch of every trial's value, so bin edges are good to about 0.4%"
            }
            _ => "every trial's value",
        };
        format!(
            "`{}` across {} trials: the share of trials in each of {BINS} equal bins between the outcome's 1st and \
             99th percentiles ({:.1}% of trials are drawn; the rest lie outside). The first bin includes \
             trials exactly at the 1st percentile. Counts come from {source}.",
            self.outcome,
            result.trials,
            100.0 * shown,
        )
    }

    fn render(&self, scenario: &Scenario, result: &RunResult) -> Result<String, ChartError> {
        let file = self.file_name();
        let (index, spec) = value_outcome(result, &self.outcome, &file)?;
        let d = result
            .outcome_distributions
            .get(index)
            .ok_or_else(|| ChartError::new(&file, "the run kept no distribution of it"))?;
        let bins = bins(d, result.trials);
        let median = d.percentile(50.0, result.trials);
        let x = match (bins.first(), bins.last()) {
            (Some(f), Some(l)) => {
                let pad = 0.02 * (l.hi - f.lo);
                (f.lo - pad)..(l.hi + pad)
            }
            _ => 0.0..1.0,
        };
        let top = bins.iter().map(|b| 100.0 * b.share).fold(0.0, f64::max);
        let y = 0.0..(top * 1.12).max(1.0);
        let title = self.title(scenario);
        scaffold::svg(&file, SIZE, |root| {
            let percent = |v: &f64| format!("{}%", axis_number(*v));
            let mut chart = Frame::new(Some(&title), &|v| axis_number(*v), &percent)
                .x_desc(format!("{}, {}", spec.label, spec.unit))
                .y_desc("share of trials in bin")
                .draw(root, &file, x, y)?;
            let bar = |b: &Bin| [(b.lo, 0.0), (b.hi, 100.0 * b.share)];
            chart
                .draw_series(bins.iter().map(|b| Rectangle::new(bar(b), INNER.filled())))
                .or_fail(&file)?
                .label("trials per bin")
                .legend(legend_box(INNER.filled(), 14));
            chart
                .draw_series(
                    bins.iter()
                        .map(|b| Rectangle::new(bar(b), MEDIAN.mix(0.6).stroke_width(1))),
                )
                .or_fail(&file)?;
            if let Some(m) = median {
                chart
                    .draw_series(DashedLineSeries::new(
                        [(m, 0.0), (m, top * 1.12)],
                        6,
                        4,
                        REFERENCE.stroke_width(2),
                    ))
                    .or_fail(&file)?
                    .label(format!("median {}", axis_number(m)))
                    .legend(legend_line(REFERENCE));
            }
            legend(&mut chart, &file, SeriesLabelPosition::UpperRight)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bins_count_a_spike_at_the_p1_and_sum_to_the_shown_share() {
        // 50 zeros, then 1..=50.
        let mut values: Vec<f64> = vec![0.0; 50];
        values.extend((1..=50).map(f64::from));
        let d = Distribution::Exact(values);
        let b = bins(&d, 100);
        assert_eq!(b.len(), BINS);
        assert_eq!(b[0].lo, 0.0);
        assert!(b[0].share >= 0.5, "{:?}", b[0]);
        let total: f64 = b.iter().map(|x| x.share).sum();
        assert!((0.97..=1.0).contains(&total), "{total}");
        // Trials without a value count in the denominator.
        let half: f64 = bins(&d, 200).iter().map(|x| x.share).sum();
        assert!(half <= 0.5 + 1e-12);
    }

    #[test]
    fn a_constant_outcome_still_gets_bins() {
        let d = Distribution::Exact(vec![3.0; 10]);
        let b = bins(&d, 10);
        let total: f64 = b.iter().map(|x| x.share).sum();
        assert!((total - 1.0).abs() < 1e-12);
    }
}
