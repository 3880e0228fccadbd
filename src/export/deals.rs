//! `deals.csv`: per contract and funding event, where its money goes and what
//! removing it changes; a last row reconciles the contracts' values with
//! what the horizon pays.

use std::io::Write;

use super::{CsvOut, Exporter, RunReport, format_number};
use crate::analysis::{DealKind, DealRow, DealsAnalysis, Spread};

/// Writes `deals.csv`: one row per deal (contracts, then funding events),
/// then the reconciliation row `all-contracts` (kind `reconciliation`: the
/// distribution of per-trial sums over contracts; its effect columns are
/// empty).
#[derive(Debug, Clone)]
pub struct DealsCsvExporter {
    /// The analysis to write.
    pub analysis: DealsAnalysis,
}

/// The ledger columns, each with `_mean`, `_p10`, `_p50`, `_p90`.
const LEDGER: [&str; 5] = [
    "paid_before_horizon_usd_bn",
    "paid_in_horizon_usd_bn",
    "paid_after_horizon_usd_bn",
    "never_paid_usd_bn",
    "lease_interest_usd_bn",
];

/// The cells of a [`Spread`], or empty cells.
fn spread_cells(s: Option<&Spread>) -> [String; 4] {
    let f = |x: Option<f64>| format_number(x);
    match s {
        Some(s) => [
            f(Some(s.mean)),
            f(Some(s.p10)),
            f(Some(s.p50)),
            f(Some(s.p90)),
        ],
        None => Default::default(),
    }
}

/// A deal's cells after its name, kind, counterparty and value.
fn deal_cells(r: &DealRow) -> Vec<String> {
    let contract = r.kind == DealKind::Contract;
    let mut cells = Vec::new();
    for (i, s) in [&r.before, &r.inside, &r.after, &r.never, &r.interest]
        .into_iter()
        .enumerate()
    {
        // A funding event has money received inside the horizon only.
        cells.extend(spread_cells((contract || i == 1).then_some(s)));
    }
    for e in &r.effects {
        cells.push(format_number(Some(e.mean)));
        cells.push(format_number(Some(e.se)));
    }
    cells
}

impl Exporter for DealsCsvExporter {
    fn file_name(&self) -> &'static str {
        "deals.csv"
    }

    fn write(&self, _report: &RunReport, out: &mut dyn Write) -> std::io::Result<()> {
        let a = &self.analysis;
        let mut w = CsvOut::new(out);
        let mut header: Vec<String> = ["deal", "kind", "counterparty", "trials", "value_usd_bn"]
            .iter()
            .map(|s| (*s).to_string())
            .collect();
        for l in LEDGER {
            header.extend(["mean", "p10", "p50", "p90"].map(|s| format!("{l}_{s}")));
        }
        for h in &a.headlines {
            header.push(format!("effect_{}_mean", h.name));
            header.push(format!("effect_{}_se", h.name));
        }
        w.row(&header)?;
        let trials = a.trials.to_string();
        for r in &a.rows {
            let mut row = vec![
                r.name.clone(),
                r.kind.name().to_string(),
                r.counterparty.clone(),
                trials.clone(),
                format_number(Some(r.value_usd_bn)),
            ];
            row.extend(deal_cells(r));
            w.row(&row)?;
        }
        let c = &a.reconciliation;
        let mut row = vec![
            "all-contracts".to_string(),
            "reconciliation".to_string(),
            String::new(),
            trials,
            format_number(Some(c.value)),
        ];
        for s in [&c.before, &c.inside, &c.after, &c.never, &c.interest] {
            row.extend(spread_cells(Some(s)));
        }
        row.extend(std::iter::repeat_n(String::new(), 2 * a.headlines.len()));
        w.row(&row)?;
        w.finish()
    }
}
