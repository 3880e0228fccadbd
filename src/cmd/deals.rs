//! `capsim deals SCENARIO`: each deal's payments and what removing it changes.

use capsim::analysis::{DealKind, DealsAnalysis};
use capsim::app::{DealsOutcome, DealsRequest};

use crate::Failure;
use crate::cli::DealsArgs;

/// Runs the deals analysis and prints its table and reconciliation.
pub fn run(args: DealsArgs) -> Result<(), Failure> {
    let request = DealsRequest {
        scenario: args.scenario,
        trials: args.trials,
        seed: args.seed,
        threads: args.threads.map(|t| t as usize),
    };
    let outcome = capsim::app::deals(&request)?;
    print_deals(&outcome)
}

/// One line per deal, then the reconciliation.
fn print_deals(o: &DealsOutcome) -> Result<(), Failure> {
    let a: &DealsAnalysis = &o.analysis;
    outln!(
        "{}: deals over trials 0-{}, seed {}, {:.2} s (USD bn; p50 over trials)",
        o.scenario_name,
        a.trials - 1,
        a.seed,
        o.wall_seconds
    );
    outln!(
        "  {:<24}{:<18}{:>8}{:>9}{:>8}{:>8}  {:>20}",
        "deal",
        "counterparty",
        "value",
        "inside",
        "after",
        "never",
        "adds to peak need"
    );
    for r in &a.rows {
        let name: String = r.name.chars().take(23).collect();
        let who: String = match r.kind {
            DealKind::Contract => r.counterparty.chars().take(17).collect(),
            DealKind::Funding => "(funding)".into(),
        };
        let dash = |x: f64| match r.kind {
            DealKind::Contract => format!("{x:.1}"),
            DealKind::Funding => "-".into(),
        };
        // Peak need with the deal minus without it, as in deals.csv.
        let e = r.effects[0];
        let effect = format!("{:+.1} +- {:.1}", e.mean, e.se);
        outln!(
            "  {name:<24}{who:<18}{:>8.1}{:>9.1}{:>8}{:>8}  {effect:>20}",
            r.value_usd_bn,
            r.inside.p50,
            dash(r.after.p50),
            dash(r.never.p50),
        );
    }
    let c = &a.reconciliation;
    outln!(
        "  contracts (means): value {:.1} = before {:.1} + inside {:.1} + after {:.1} + never {:.1} - lease interest {:.1}",
        c.value,
        c.before.mean,
        c.inside.mean,
        c.after.mean,
        c.never.mean,
        c.interest.mean
    );
    outln!(
        "  adds to peak need: mean of the peak funding need with the deal minus without it, +- one standard error"
    );
    Ok(())
}
