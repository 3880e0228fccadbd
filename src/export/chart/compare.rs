//! Charts of `capsim compare`: for a metric, the p10-p90 bands and medians of
//! scenarios A and B overlaid over the months both horizons cover, from the
//! per-month [`ComparisonRow`]s (whose A and B percentiles are p10, p50, p90).

use plotters::prelude::*;

use super::scaffold::{self, Frame, OrFail, band_outline, legend, legend_box, legend_line};
use super::style::{self, MEDIAN, REFERENCE, SIZE};
use super::{ChartError, RenderedChart};
use crate::analysis::ComparisonRow;
use crate::metric::Metric;
use crate::number::axis_number;
use crate::scenario::Scenario;

/// Metrics drawn by [`comparison_charts`].
pub const COMPARISON_CHART_METRICS: [Metric; 2] =
    [Metric::CapacityOnlineGw, Metric::CashBalanceUsdBn];

/// One scenario's (month index in A's horizon, p10, p50, p90) of a metric.
type Band = Vec<(f64, f64, f64, f64)>;

fn band(a: &Scenario, rows: &[&ComparisonRow], of_b: bool) -> Band {
    rows.iter()
        .filter_map(|r| {
            let s = if of_b { &r.b } else { &r.a };
            let x = r.month?.months_since(a.start);
            match s.percentiles.as_slice() {
                [Some(p10), Some(p50), Some(p90)] => Some((f64::from(x), *p10, *p50, *p90)),
                _ => None,
            }
        })
        .collect()
}

/// The comparison chart of `metric`, or `None` if no row has it. `a_name`
/// and `b_name` label the two scenarios ("A (base)", say).
pub fn comparison_chart(
    a: &Scenario,
    a_name: &str,
    b_name: &str,
    metric: Metric,
    rows: &[ComparisonRow],
) -> Result<Option<RenderedChart>, ChartError> {
    let file = format!("compare-{}.svg", metric.name());
    let rows: Vec<&ComparisonRow> = rows
        .iter()
        .filter(|r| r.month.is_some() && r.quantity == metric.name())
        .collect();
    let (ba, bb) = (band(a, &rows, false), band(a, &rows, true));
    if ba.is_empty() && bb.is_empty() {
        return Ok(None);
    }
    let title = format!(
        "{}, {}: {a_name} and {b_name}",
        metric.label(),
        metric.unit()
    );
    let y = style::value_range(ba.iter().chain(&bb).flat_map(|&(_, lo, _, hi)| [lo, hi]));
    let colour_a = MEDIAN;
    let colour_b = REFERENCE;
    let svg = scaffold::svg(&file, SIZE, |root| {
        let month = |v: &f64| style::month_label(a, *v);
        let mut chart = Frame::new(Some(&title), &month, &|v| axis_number(*v))
            .y_desc(metric.unit())
            .x_desc("month")
            .draw(root, &file, style::MonthAxis::new(a), y)?;
        for (band, colour, name) in [(&ba, colour_a, a_name), (&bb, colour_b, b_name)] {
            if band.is_empty() {
                continue;
            }
            let xs = band.iter().map(|&(x, ..)| x);
            let lo: Vec<f64> = band.iter().map(|&(_, lo, ..)| lo).collect();
            let hi: Vec<f64> = band.iter().map(|&(.., hi)| hi).collect();
            let fill = colour.mix(0.22).filled();
            chart
                .draw_series(std::iter::once(Polygon::new(
                    band_outline(xs, &lo, &hi),
                    fill,
                )))
                .or_fail(&file)?
                .label(format!("{name}: p10-p90"))
                .legend(legend_box(fill, 14));
            chart
                .draw_series(LineSeries::new(
                    band.iter().map(|&(x, _, m, _)| (x, m)),
                    colour.stroke_width(2),
                ))
                .or_fail(&file)?
                .label(format!("{name}: median"))
                .legend(legend_line(colour));
        }
        legend(&mut chart, &file, SeriesLabelPosition::UpperLeft)
    })?;
    Ok(Some(RenderedChart {
        caption: format!(
            "`{}` by month in {a_name} and {b_name}: each scenario's median across trials and the band \
             holding the middle 80% of its trials (p10 to p90). The trials are paired (common random numbers); \
             the distribution of B - A is in comparison.csv.",
            metric.name()
        ),
        file_name: file,
        title,
        svg,
    }))
}

/// The comparison chart of every metric of [`COMPARISON_CHART_METRICS`]
/// that the rows have.
pub fn comparison_charts(
    a: &Scenario,
    a_name: &str,
    b_name: &str,
    rows: &[ComparisonRow],
) -> Result<Vec<RenderedChart>, ChartError> {
    let mut out = Vec::new();
    for metric in COMPARISON_CHART_METRICS {
        out.extend(comparison_chart(a, a_name, b_name, metric, rows)?);
    }
    Ok(out)
}
