//! `years.csv`: the year-by-year table ([`crate::years`]), one row per
//! quantity per year.

use std::io::Write;

use super::{CsvOut, Exporter, RunReport, escape_html, statistics_cells, statistics_header};
use crate::number::{percentile_column, readable};
use crate::runner::RunResult;
use crate::years::{YearBasis, YearQuantity};

/// Writes the year table in long form, as `timeseries_by_year.csv` is:
/// columns `quantity,unit,year,first_month,last_month,months,mean,std_dev,
/// std_error` and the run's percentiles. One row per (quantity, year) keeps
/// every reported percentile and filters or pivots in any spreadsheet; the
/// wide view (years across) is the report's and the terminal's.
#[derive(Debug, Clone, Copy, Default)]
pub struct YearsCsvExporter;

impl Exporter for YearsCsvExporter {
    fn file_name(&self) -> &'static str {
        "years.csv"
    }

    fn write(&self, report: &RunReport, out: &mut dyn Write) -> std::io::Result<()> {
        let result = report.result;
        let table = &result.years;
        let mut w = CsvOut::new(out);
        let header = statistics_header(
            &[
                "quantity",
                "unit",
                "year",
                "first_month",
                "last_month",
                "months",
            ],
            &result.percentiles,
        );
        w.row(&header)?;
        for q in YearQuantity::ALL {
            for (k, span) in table.spans.iter().enumerate() {
                let Some(s) = table.get(q, k) else {
                    continue;
                };
                let first = report.scenario.month(span.months.start);
                let mut row = vec![
                    q.name().to_string(),
                    q.unit().to_string(),
                    span.label.clone(),
                    first.to_string(),
                    span.end.to_string(),
                    span.months.len().to_string(),
                ];
                row.extend(statistics_cells(s));
                w.row(&row)?;
            }
        }
        w.finish()
    }
}

/// The report's "Year by year" section: quantities down, years across, each
/// cell the median (or the mean when p50 is not reported) and beneath it
/// the p10-p90 band (or the lowest to the highest percentile reported).
pub(super) fn write_year_section(result: &RunResult, out: &mut dyn Write) -> std::io::Result<()> {
    let table = &result.years;
    if table.summaries.is_empty() || result.percentiles.is_empty() {
        return Ok(());
    }
    let find = |x: f64| result.percentiles.iter().position(|p| (p - x).abs() < 1e-9);
    let last = result.percentiles.len().saturating_sub(1);
    let (lo, hi) = match (find(10.0), find(90.0)) {
        (Some(a), Some(b)) => (a, b),
        _ => (0, last),
    };
    let centre = find(50.0);
    let years = match table.basis {
        YearBasis::Calendar => "calendar years (partial years at the ends say which months)",
        YearBasis::Horizon => "12-month years from the horizon start",
    };
    writeln!(out, "<h2 id=\"years\">Year by year</h2>")?;
    writeln!(
        out,
        "<p class=\"meta\">By {years}: flows summed within each year of each trial, stocks at the year's last month, then summarised over trials; each cell is the {} with the {}-{} band beneath. Also in <code>years.csv</code>.</p>",
        if centre.is_some() { "median" } else { "mean" },
        escape_html(&percentile_column(result.percentiles[lo])),
        escape_html(&percentile_column(result.percentiles[hi]))
    )?;
    writeln!(
        out,
        "<table class=\"years\" style=\"font-size:.85em\">\n<thead><tr><th>quantity</th><th>unit</th>"
    )?;
    for span in &table.spans {
        writeln!(out, "<th>{}</th>", escape_html(&span.label))?;
    }
    writeln!(out, "</tr></thead>\n<tbody>")?;
    for q in YearQuantity::ALL {
        write!(
            out,
            "<tr><td>{} <code class=\"ref\">{}</code></td><td>{}</td>",
            escape_html(&q.label()),
            escape_html(q.name()),
            escape_html(q.unit())
        )?;
        for k in 0..table.spans.len() {
            let Some(s) = table.get(q, k) else { continue };
            let mid = centre.map_or(s.mean, |i| s.percentiles[i]);
            write!(
                out,
                "<td class=\"num\" style=\"white-space:nowrap\">{}<br><small>{} &ndash; {}</small></td>",
                readable(mid),
                readable(s.percentiles[lo]),
                readable(s.percentiles[hi])
            )?;
        }
        writeln!(out, "</tr>")?;
    }
    writeln!(out, "</tbody>\n</table>")
}
