//! The compact year-by-year table of the terminal summary: quantities down,
//! years across, the median of each year with its p10..p90 on the line
//! beneath, eight years per block (at most 114 columns).

use capsim::app::FinishedRun;
use capsim::number::{compact_within, percentile_column};
use capsim::years::{YearBasis, YearQuantity, YearTable};

use crate::Failure;

/// Width of the label column and of each year's column.
const LABEL: usize = 22;
const CELL: usize = 11;
/// Years per block of the table.
const YEARS_PER_BLOCK: usize = 8;

/// `text` right-aligned in a column, always after at least one space.
fn cell(text: &str) -> String {
    format!(" {text:>w$}", w = CELL - 1)
}

/// The two header lines of year `k`: its short label (`2026`, `Y1`) and
/// what it covers when that is not a whole calendar year (`Nov-Dec`,
/// `to 2026-10`).
fn year_heads(table: &YearTable, k: usize) -> (String, String) {
    let span = &table.spans[k];
    let short = span.label.split(' ').next().unwrap_or("").to_string();
    let under = match table.basis {
        YearBasis::Calendar => span
            .label
            .split_once(" (")
            .map(|(_, rest)| rest.trim_end_matches(')').to_string())
            .unwrap_or_default(),
        YearBasis::Horizon => format!("to {}", span.end),
    };
    (short, under)
}

/// The year table, if the run has one: the median (or the mean when p50 is
/// not reported) and the band from the lowest to the highest of the key
/// percentiles (p10..p90 by default).
pub(crate) fn print_year_table(run: &FinishedRun, columns: &[usize]) -> Result<(), Failure> {
    let r = &run.result;
    let table = &r.years;
    if table.summaries.is_empty() || table.spans.is_empty() {
        return Ok(());
    }
    let p50 = r.percentiles.iter().position(|p| (*p - 50.0).abs() < 1e-9);
    let band = match columns {
        [lo, .., hi] => Some((*lo, *hi)),
        _ => None,
    };
    let centre_name = if p50.is_some() { "median" } else { "mean" };
    let title = match band {
        Some((lo, hi)) => format!(
            "Year by year: {centre_name}, {}..{} beneath",
            percentile_column(r.percentiles[lo]),
            percentile_column(r.percentiles[hi])
        ),
        None => format!("Year by year: {centre_name}"),
    };
    outln!("");
    outln!("  {title}");
    outln!("  (USD bn and GW; flows summed over each year, stocks at its end)");
    let years: Vec<usize> = (0..table.spans.len()).collect();
    for block in years.chunks(YEARS_PER_BLOCK) {
        let heads: Vec<(String, String)> = block.iter().map(|&k| year_heads(table, k)).collect();
        let mut top = format!("  {:<LABEL$}", "");
        let mut under = format!("  {:<LABEL$}", "");
        for (a, b) in &heads {
            top.push_str(&cell(a));
            under.push_str(&cell(b));
        }
        outln!("{top}");
        if heads.iter().any(|(_, b)| !b.is_empty()) {
            outln!("{}", under.trim_end());
        }
        for q in YearQuantity::ALL {
            let label = q.label();
            let mut line = format!("  {label:<LABEL$}");
            let mut second = format!("  {:<LABEL$}", "");
            for &k in block {
                let Some(s) = table.get(q, k) else { continue };
                let centre = match p50 {
                    Some(i) => s.percentiles[i],
                    None => s.mean,
                };
                let bound = |i: usize| s.bounds[i];
                let centre_bound = p50.map_or(0.0, bound);
                line.push_str(&cell(&compact_within(centre, centre_bound)));
                if let Some((lo, hi)) = band {
                    let range = format!(
                        "{}..{}",
                        compact_within(s.percentiles[lo], bound(lo)),
                        compact_within(s.percentiles[hi], bound(hi))
                    );
                    second.push_str(&cell(&range));
                }
            }
            outln!("{}", line.trim_end());
            if band.is_some() {
                outln!("{}", second.trim_end());
            }
        }
    }
    Ok(())
}
