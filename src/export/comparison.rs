//! `comparison.csv`: scenario B against scenario A, trial by trial.

use std::io::Write;

use super::{CsvOut, format_number, percentile_column};
use crate::analysis::{Better, ComparisonRow};

/// Writes `comparison.csv`: one row per compared outcome (blank `month`) and
/// per key metric per month, with A's and B's mean, p10, p50, p90; the
/// distribution of B - A per trial; P(B > A), P(B < A) and P(B better than A)
/// (blank where neither direction is better, e.g. payments).
pub fn write_comparison_csv(
    rows: &[ComparisonRow],
    diff_percentiles: &[f64],
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let mut w = CsvOut::new(out);
    let mut header: Vec<String> = [
        "quantity",
        "unit",
        "month",
        "a_mean",
        "a_p10",
        "a_p50",
        "a_p90",
        "b_mean",
        "b_p10",
        "b_p50",
        "b_p90",
        "diff_mean",
        "diff_std_error",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    header.extend(
        diff_percentiles
            .iter()
            .map(|p| format!("diff_{}", percentile_column(*p))),
    );
    header.extend(["p_b_greater", "p_b_less", "p_b_better"].map(String::from));
    w.row(&header)?;
    for r in rows {
        let better = match r.better {
            Some(Better::Higher) => Some(r.p_b_greater),
            Some(Better::Lower) => Some(r.p_b_less),
            None => None,
        };
        let mut row = vec![
            r.quantity.clone(),
            r.unit.clone(),
            r.month.map(|m| m.to_string()).unwrap_or_default(),
            format_number(r.a.mean),
        ];
        row.extend(r.a.percentiles.iter().map(|p| format_number(*p)));
        row.push(format_number(r.b.mean));
        row.extend(r.b.percentiles.iter().map(|p| format_number(*p)));
        row.push(format_number(r.diff.mean));
        row.push(format_number(r.diff.std_error));
        row.extend(r.diff.percentiles.iter().map(|p| format_number(*p)));
        row.push(format_number(Some(r.p_b_greater)));
        row.push(format_number(Some(r.p_b_less)));
        row.push(format_number(better));
        w.row(&row)?;
    }
    w.finish()
}
