//! Charts of `capsim compare`: for a metric, the p10-p90 bands and medians of
//! scenarios A and B overlaid over the months both horizons cover, from the
//! per-month [`ComparisonRow`]s (whose A and B percentiles are p10, p50, p90).

use plotters::prelude::*;

use super::style::{self, FONT, MEDIAN, REFERENCE, SIZE};
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
    let fail = |e: &dyn std::fmt::Display| ChartError::new(&file, e);
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
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        root.fill(&WHITE).map_err(|e| fail(&e))?;
        let mut chart = ChartBuilder::on(&root)
            .caption(&title, (FONT, 20))
            .margin(14)
            .x_label_area_size(44)
            .y_label_area_size(64)
            .build_cartesian_2d(style::MonthAxis::new(a), y)
            .map_err(|e| fail(&e))?;
        chart
            .configure_mesh()
            .x_label_formatter(&|v| style::month_label(a, *v))
            .y_label_formatter(&|v| axis_number(*v))
            .y_desc(metric.unit())
            .x_desc("month")
            .label_style((FONT, 13))
            .axis_desc_style((FONT, 14))
            .light_line_style(WHITE.mix(0.0))
            .bold_line_style(BLACK.mix(0.08))
            .draw()
            .map_err(|e| fail(&e))?;
        for (band, colour, name) in [(&ba, colour_a, a_name), (&bb, colour_b, b_name)] {
            if band.is_empty() {
                continue;
            }
            let outline: Vec<(f64, f64)> = band
                .iter()
                .map(|&(x, _, _, hi)| (x, hi))
                .chain(band.iter().rev().map(|&(x, lo, _, _)| (x, lo)))
                .collect();
            chart
                .draw_series(std::iter::once(Polygon::new(
                    outline,
                    colour.mix(0.22).filled(),
                )))
                .map_err(|e| fail(&e))?
                .label(format!("{name}: p10-p90"))
                .legend(move |(x, y)| {
                    Rectangle::new([(x, y - 5), (x + 14, y + 5)], colour.mix(0.22).filled())
                });
            chart
                .draw_series(LineSeries::new(
                    band.iter().map(|&(x, _, m, _)| (x, m)),
                    colour.stroke_width(2),
                ))
                .map_err(|e| fail(&e))?
                .label(format!("{name}: median"))
                .legend(style::legend_line(colour));
        }
        style::draw_legend(&mut chart, SeriesLabelPosition::UpperLeft).map_err(|e| fail(&e))?;
        root.present().map_err(|e| fail(&e))?;
    }
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
