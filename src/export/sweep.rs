//! `sweep.csv`: one row per setting of a sweep, with the key outcomes'
//! mean, p10, p50, p90 and the event probabilities.

use std::io::Write;

use super::{CsvOut, format_number};
use crate::analysis::{SWEEP_PERCENTILES, SweepSetting};
use crate::model::OutcomeKind;
use crate::runner::RunResult;
use crate::scenario::edit::one_line;

/// Value outcomes reported with mean, p10, p50, p90 (besides per-contract
/// payments and target months).
pub const SWEEP_KEY_OUTCOMES: [&str; 5] = [
    "total_compute_payments_usd_bn",
    "total_revenue_usd_bn",
    "peak_funding_gap_usd_bn",
    "min_cash_usd_bn",
    "capacity_online_end_gw",
];

/// The outcome columns of `sweep.csv`, from the runs' layouts (the union by
/// name, in order of first appearance): value outcomes (the key outcomes,
/// per-contract payments, target months, outside views) with `_mean`,
/// `_p10`, `_p50`, `_p90`; events (`cash_shortfall_ever`, targets reached,
/// views below their published figures) with
/// `_probability`, `_std_error`.
pub fn sweep_outcomes(results: &[&RunResult]) -> (Vec<String>, Vec<String>) {
    let mut values: Vec<String> = Vec::new();
    let mut events: Vec<String> = Vec::new();
    let push = |list: &mut Vec<String>, name: &str| {
        if !list.iter().any(|n| n == name) {
            list.push(name.to_string());
        }
    };
    for name in SWEEP_KEY_OUTCOMES {
        if results
            .iter()
            .any(|r| r.layout.outcomes.iter().any(|o| o.name == name))
        {
            push(&mut values, name);
        }
    }
    for r in results {
        for o in &r.layout.outcomes {
            let contract = o.name.starts_with("contract_") && o.name.ends_with("_payments_usd_bn");
            let target_month = o.name.starts_with("target_") && o.kind == OutcomeKind::Month;
            let view = o.name.starts_with("view_") && o.kind == OutcomeKind::Value;
            if contract || target_month || view {
                push(&mut values, &o.name);
            }
            let event = o.kind == OutcomeKind::Event
                && (o.name == "cash_shortfall_ever"
                    || o.name.starts_with("target_")
                    || o.name.starts_with("view_"));
            if event {
                push(&mut events, &o.name);
            }
        }
    }
    (values, events)
}

/// Writes `sweep.csv`: one row per setting, `setting` (1-based), `key1`,
/// `value1` (and `key2`, `value2`), then the outcomes of
/// [`sweep_outcomes`]. Results must have been run with
/// [`SWEEP_PERCENTILES`]. Outcomes a setting lacks are blank.
pub fn write_sweep_csv(
    settings: &[SweepSetting],
    results: &[RunResult],
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let keys = settings.first().map_or(0, |s| s.values.len());
    let refs: Vec<&RunResult> = results.iter().collect();
    let (values, events) = sweep_outcomes(&refs);
    let mut w = CsvOut::new(out);
    let mut header = vec!["setting".to_string()];
    for k in 1..=keys {
        header.push(format!("key{k}"));
        header.push(format!("value{k}"));
    }
    for v in &values {
        for s in ["mean", "p10", "p50", "p90"] {
            header.push(format!("{v}_{s}"));
        }
    }
    for e in &events {
        header.push(format!("{e}_probability"));
        header.push(format!("{e}_std_error"));
    }
    w.row(header.iter().map(|h| one_line(h)))?;
    for (i, (s, r)) in settings.iter().zip(results).enumerate() {
        let mut row = vec![(i + 1).to_string()];
        for (k, v) in &s.values {
            row.push(one_line(k));
            row.push(one_line(v));
        }
        let find = |name: &str| r.layout.outcomes.iter().position(|o| o.name == name);
        for v in &values {
            match find(v).map(|o| &r.outcomes[o]) {
                Some(sum) => {
                    row.push(format_number(sum.mean));
                    for p in 0..SWEEP_PERCENTILES.len() {
                        row.push(format_number(sum.percentiles.get(p).copied().flatten()));
                    }
                }
                None => row.extend(std::iter::repeat_n(String::new(), 4)),
            }
        }
        for e in &events {
            match find(e).map(|o| &r.outcomes[o]) {
                Some(sum) => {
                    row.push(format_number(sum.mean));
                    row.push(format_number(sum.std_error));
                }
                None => row.extend([String::new(), String::new()]),
            }
        }
        w.row(&row)?;
    }
    w.finish()
}
