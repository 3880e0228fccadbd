//! Fan chart: one metric over the horizon, with the p5-p95 and p25-p75 bands
//! across trials, the median, and reference lines (the plan, a floor, target
//! thresholds).

use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

use super::scaffold::{self, Frame, OrFail, Plot, band_outline, legend, legend_box, legend_line};
use super::style::{self, INNER, MEDIAN, OUTER, REFERENCE, SIZE, TARGET};
use super::{Chart, ChartError};
use crate::metric::Metric;
use crate::number::axis_number;
use crate::runner::RunResult;
use crate::scenario::{Scenario, Threshold};

/// A line drawn over the fan for comparison.
#[derive(Debug, Clone, PartialEq)]
pub enum Reference {
    /// The median (p50, or the mean if p50 is not reported) of another metric,
    /// such as the plan: the median of `capacity_planned_gw`.
    MedianOf(Metric, &'static str),
    /// A constant level, such as the cash floor.
    Level(f64, String),
    /// The threshold of the target with this name.
    Target(String),
}

/// A fan chart of one metric.
#[derive(Debug, Clone, PartialEq)]
pub struct FanChart {
    /// The metric drawn.
    pub metric: Metric,
    /// Lines drawn over it.
    pub references: Vec<Reference>,
}

/// One metric's monthly summaries.
fn series(result: &RunResult, metric: Metric) -> Option<&[crate::stats::Summary]> {
    let months = result.layout.months;
    let k = result.layout.metrics.iter().position(|m| *m == metric)?;
    result.series.get(k * months..(k + 1) * months)
}

/// Position of percentile `p` (in percent) among those reported.
fn column(result: &RunResult, p: f64) -> Option<usize> {
    result.percentiles.iter().position(|q| (q - p).abs() < 1e-9)
}

/// Percentile `p` of each month, if reported and known in every month.
fn percentile_line(result: &RunResult, metric: Metric, p: f64) -> Option<Vec<f64>> {
    let i = column(result, p)?;
    series(result, metric)?
        .iter()
        .map(|s| s.percentiles.get(i).copied().flatten())
        .collect()
}

/// The median of each month, or the mean when p50 is not reported.
fn centre_line(result: &RunResult, metric: Metric) -> Option<(Vec<f64>, &'static str)> {
    if let Some(line) = percentile_line(result, metric, 50.0) {
        return Some((line, "median"));
    }
    let line: Option<Vec<f64>> = series(result, metric)?.iter().map(|s| s.mean).collect();
    line.map(|l| (l, "mean"))
}

impl FanChart {
    /// The reference lines as (label, values per month, colour).
    fn reference_lines(
        &self,
        scenario: &Scenario,
        result: &RunResult,
    ) -> Vec<(String, Vec<f64>, RGBColor)> {
        let months = result.layout.months;
        let mut lines = Vec::new();
        for r in &self.references {
            match r {
                Reference::MedianOf(metric, label) => {
                    if let Some((line, _)) = centre_line(result, *metric) {
                        lines.push((label.to_string(), line, REFERENCE));
                    }
                }
                Reference::Level(v, label) => {
                    lines.push((label.clone(), vec![*v; months], REFERENCE));
                }
                Reference::Target(name) => {
                    if let Some(t) = scenario.targets.iter().find(|t| &t.name == name) {
                        let (v, word) = match t.threshold {
                            Threshold::AtLeast(v) => (v, ">="),
                            Threshold::AtMost(v) => (v, "<="),
                        };
                        let label = format!("target {name} ({word} {})", axis_number(v));
                        lines.push((label, vec![v; months], TARGET));
                    }
                }
            }
        }
        lines
    }
}

/// The plot of a fan chart: months across, values up.
type FanPlot<'a, 's> = Plot<'a, 's, style::MonthAxis, RangedCoordf64>;

/// A low and a high percentile line.
type Band = (Vec<f64>, Vec<f64>);

/// The p5-p95 (`outer`) and p25-p75 (`inner`) bands, where reported.
fn draw_bands(
    chart: &mut FanPlot,
    file: &str,
    months: usize,
    outer: Option<&Band>,
    inner: Option<&Band>,
) -> Result<(), ChartError> {
    let xs = (0..months).map(|m| m as f64);
    for (band, colour, label) in [(outer, OUTER, "p5-p95"), (inner, INNER, "p25-p75")] {
        if let Some((lo, hi)) = band {
            let outline = band_outline(xs.clone(), lo, hi);
            chart
                .draw_series(std::iter::once(Polygon::new(outline, colour.filled())))
                .or_fail(file)?
                .label(label)
                .legend(legend_box(colour.filled(), 18));
        }
    }
    Ok(())
}

/// The reference lines, dashed. Several targets share one legend entry
/// listing their thresholds.
fn draw_references(
    chart: &mut FanPlot,
    file: &str,
    months: usize,
    references: &[(String, Vec<f64>, RGBColor)],
) -> Result<(), ChartError> {
    let xs = || (0..months).map(|m| m as f64);
    let targets: Vec<String> = references
        .iter()
        .filter(|r| r.2 == TARGET)
        .map(|r| axis_number(r.1.first().copied().unwrap_or(0.0)))
        .collect();
    let mut target_shown = false;
    for (label, line, colour) in references {
        let colour = *colour;
        let series =
            DashedLineSeries::new(xs().zip(line.iter().copied()), 6, 4, colour.stroke_width(2));
        let drawn = chart.draw_series(series).or_fail(file)?;
        if colour == TARGET && targets.len() > 1 {
            if !target_shown {
                target_shown = true;
                drawn
                    .label(format!("targets ({})", targets.join(", ")))
                    .legend(legend_line(colour));
            }
            continue;
        }
        drawn.label(label.as_str()).legend(legend_line(colour));
    }
    Ok(())
}

impl Chart for FanChart {
    fn file_name(&self) -> String {
        format!("fan-{}.svg", self.metric.name())
    }

    fn title(&self, _scenario: &Scenario) -> String {
        format!("{}, {}", self.metric.label(), self.metric.unit())
    }

    fn caption(&self, _scenario: &Scenario, result: &RunResult) -> String {
        let bands = match (
            column(result, 5.0).zip(column(result, 95.0)).is_some(),
            column(result, 25.0).zip(column(result, 75.0)).is_some(),
        ) {
            (true, true) => {
                "The light band holds the middle 90% of trials (p5-p95), the dark band the middle 50% (p25-p75); "
            }
            (true, false) => "The band holds the middle 90% of trials (p5-p95); ",
            (false, true) => "The band holds the middle 50% of trials (p25-p75); ",
            (false, false) => "No bands: the run did not report p5/p95 or p25/p75; ",
        };
        let centre = if column(result, 50.0).is_some() {
            "the line is the median month by month (not any single trial's path)."
        } else {
            "the line is the mean month by month."
        };
        format!(
            "`{}` in {} across {} trials. {bands}{centre}",
            self.metric.name(),
            self.metric.unit(),
            result.trials
        )
    }

    fn render(&self, scenario: &Scenario, result: &RunResult) -> Result<String, ChartError> {
        let file = self.file_name();
        let months = result.layout.months;
        let (centre, centre_label) = centre_line(result, self.metric).ok_or_else(|| {
            let why = format!("the run does not report {}", self.metric.name());
            ChartError::new(&file, why)
        })?;
        let band = |lo: f64, hi: f64| {
            percentile_line(result, self.metric, lo).zip(percentile_line(result, self.metric, hi))
        };
        let outer = band(5.0, 95.0);
        let inner = band(25.0, 75.0);
        let references = self.reference_lines(scenario, result);

        let mut all: Vec<f64> = centre.clone();
        for (lo, hi) in outer.iter().chain(inner.iter()) {
            all.extend(lo.iter().chain(hi.iter()));
        }
        for (_, line, _) in &references {
            all.extend(line.iter());
        }
        let y = style::value_range(all);
        let xs = (0..months).map(|m| m as f64);
        let rising = centre.last() >= centre.first();
        let title = self.title(scenario);
        scaffold::svg(&file, SIZE, |root| {
            let month = |v: &f64| style::month_label(scenario, *v);
            let mut chart = Frame::new(Some(&title), &month, &|v| axis_number(*v))
                .y_desc(self.metric.unit())
                .x_desc("month")
                .draw(root, &file, style::MonthAxis::new(scenario), y)?;
            draw_bands(&mut chart, &file, months, outer.as_ref(), inner.as_ref())?;
            chart
                .draw_series(LineSeries::new(
                    xs.zip(centre.iter().copied()),
                    MEDIAN.stroke_width(2),
                ))
                .or_fail(&file)?
                .label(centre_label)
                .legend(legend_line(MEDIAN));
            draw_references(&mut chart, &file, months, &references)?;
            let corner = if rising {
                SeriesLabelPosition::UpperLeft
            } else {
                SeriesLabelPosition::UpperRight
            };
            legend(&mut chart, &file, corner)
        })
    }
}
