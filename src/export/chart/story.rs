//! The story chart: money per year and where it leaves the cash. Top panel:
//! compute payments, revenue and operating costs per year on one axis;
//! bottom panel: cash at year end and the funding need to date. Each line
//! is the median over trials with its p10-p90 band, from the run's year
//! table ([`crate::years`]).

use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint};
use plotters::prelude::*;

use super::scaffold::{self, Area, Frame, OrFail, band_outline, legend, legend_line};
use super::style;
use super::{Chart, ChartError};
use crate::number::axis_number;
use crate::runner::RunResult;
use crate::scenario::Scenario;
use crate::years::{YearBasis, YearQuantity, YearTable};

/// The story chart of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct StoryChart;

/// Size: as wide as the other charts, taller for its two panels.
const STORY_SIZE: (u32, u32) = (880, 640);
/// Height of the top panel, pixels.
const TOP_HEIGHT: u32 = 370;

/// Quantities of each panel and their colours.
const FLOWS: [(YearQuantity, RGBColor); 3] = [
    (YearQuantity::Payments, RGBColor(217, 95, 2)),
    (YearQuantity::Revenue, RGBColor(8, 69, 148)),
    (YearQuantity::OperatingCosts, RGBColor(117, 112, 179)),
];
const STOCKS: [(YearQuantity, RGBColor); 2] = [
    (YearQuantity::Cash, RGBColor(27, 120, 55)),
    (YearQuantity::FundingNeed, RGBColor(203, 24, 29)),
];

/// One quantity's line and band, one value per year.
struct Line {
    label: String,
    colour: RGBColor,
    centre: Vec<f64>,
    band: Option<(Vec<f64>, Vec<f64>)>,
}

/// Position of percentile `p` among those reported.
fn column(result: &RunResult, p: f64) -> Option<usize> {
    result.percentiles.iter().position(|q| (q - p).abs() < 1e-9)
}

/// The lines of `quantities`: the median (the mean without p50) and the
/// p10-p90 band where reported and known in every year.
fn lines(result: &RunResult, quantities: &[(YearQuantity, RGBColor)]) -> Option<Vec<Line>> {
    let table = &result.years;
    let years = table.spans.len();
    let values = |q: YearQuantity, i: Option<usize>| -> Option<Vec<f64>> {
        (0..years)
            .map(|k| {
                let s = table.get(q, k)?;
                match i {
                    Some(i) => s.percentiles.get(i).copied().flatten(),
                    None => s.mean,
                }
            })
            .collect()
    };
    quantities
        .iter()
        .map(|&(q, colour)| {
            let centre = values(q, column(result, 50.0))?;
            let band = column(result, 10.0)
                .zip(column(result, 90.0))
                .and_then(|(lo, hi)| values(q, Some(lo)).zip(values(q, Some(hi))));
            Some(Line {
                label: q.label(),
                colour,
                centre,
                band,
            })
        })
        .collect()
}

/// The x label of year `k`: the calendar label (`2025 (Nov-Dec)`), or `Y1`.
fn year_label(table: &YearTable, x: f64) -> String {
    let k = x.round();
    if k < 0.0 || (k as usize) >= table.spans.len() || (x - k).abs() > 1e-9 {
        return String::new();
    }
    let label = &table.spans[k as usize].label;
    match table.basis {
        YearBasis::Calendar => label.clone(),
        YearBasis::Horizon => label.split(' ').next().unwrap_or("").to_string(),
    }
}

/// The x axis: year indices, half a year of room either side, a tick at
/// every year (plotters' own ticks would fall between years).
#[derive(Debug, Clone, Copy)]
struct YearAxis {
    years: usize,
}

impl Ranged for YearAxis {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        let t = (value + 0.5) / self.years.max(1) as f64;
        limit.0 + (t * f64::from(limit.1 - limit.0)).round() as i32
    }

    fn key_points<Hint: KeyPointHint>(&self, _hint: Hint) -> Vec<f64> {
        (0..self.years).map(|k| k as f64).collect()
    }

    fn range(&self) -> std::ops::Range<f64> {
        -0.5..(self.years as f64 - 0.5)
    }
}

/// Draws one panel of `lines` on `area`.
fn draw_panel(
    area: &Area,
    file: &str,
    table: &YearTable,
    caption: Option<&str>,
    y_desc: &str,
    lines: &[Line],
) -> Result<(), ChartError> {
    let years = table.spans.len();
    let mut all = Vec::new();
    for l in lines {
        all.extend(l.centre.iter().copied());
        if let Some((lo, hi)) = &l.band {
            all.extend(lo.iter().chain(hi.iter()).copied());
        }
    }
    let y = style::value_range(all);
    let year = |v: &f64| year_label(table, *v);
    let mut chart = Frame::new(caption, &year, &|v| axis_number(*v))
        .x_area(34)
        .y_desc(y_desc)
        .draw(area, file, YearAxis { years }, y)?;
    let xs = || (0..years).map(|k| k as f64);
    for l in lines {
        if let Some((lo, hi)) = &l.band {
            let outline = band_outline(xs(), lo, hi);
            chart
                .draw_series(std::iter::once(Polygon::new(
                    outline,
                    l.colour.mix(0.18).filled(),
                )))
                .or_fail(file)?;
        }
    }
    for l in lines {
        let colour = l.colour;
        chart
            .draw_series(LineSeries::new(
                xs().zip(l.centre.iter().copied()),
                colour.stroke_width(2),
            ))
            .or_fail(file)?
            .label(l.label.as_str())
            .legend(legend_line(colour));
        chart
            .draw_series(
                xs().zip(l.centre.iter().copied())
                    .map(|p| Circle::new(p, 3, colour.filled())),
            )
            .or_fail(file)?;
    }
    legend(&mut chart, file, SeriesLabelPosition::UpperLeft)
}

impl Chart for StoryChart {
    fn file_name(&self) -> String {
        "story.svg".into()
    }

    fn title(&self, _scenario: &Scenario) -> String {
        "Year by year: money in and out, and what it leaves".into()
    }

    fn caption(&self, _scenario: &Scenario, result: &RunResult) -> String {
        let centre = if column(result, 50.0).is_some() {
            "medians over trials"
        } else {
            "means over trials"
        };
        let band = if column(result, 10.0).zip(column(result, 90.0)).is_some() {
            " with p10-p90 bands"
        } else {
            ""
        };
        format!(
            "Top: compute payments, revenue and operating costs per year (USD bn per year, flows summed within each year of each trial). Bottom: cash at year end and the funding need to date (USD bn). Lines are {centre}{band} across {} trials; the first and last years may be partial (their labels say which months). The numbers are the report's year-by-year table and `years.csv`.",
            result.trials
        )
    }

    fn render(&self, scenario: &Scenario, result: &RunResult) -> Result<String, ChartError> {
        let file = self.file_name();
        let fail = |why: &str| ChartError::new(&file, why);
        let table = &result.years;
        if table.spans.is_empty() || table.summaries.is_empty() {
            return Err(fail("the run has no year table"));
        }
        let missing = || fail("a yearly median is unknown");
        let top = lines(result, &FLOWS).ok_or_else(missing)?;
        let bottom = lines(result, &STOCKS).ok_or_else(missing)?;
        let title = self.title(scenario);
        scaffold::svg(&file, STORY_SIZE, |root| {
            let (upper, lower) = root.split_vertically(TOP_HEIGHT);
            draw_panel(&upper, &file, table, Some(&title), "USD bn per year", &top)?;
            draw_panel(&lower, &file, table, None, "USD bn at year end", &bottom)
        })
    }
}
