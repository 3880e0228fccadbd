//! `capsim compare A.toml B.toml`: B against A, trial by trial.

use capsim::analysis::Better;
use capsim::app::{CompareOutcome, CompareRequest};
use capsim::number::{fixed, format_number};

use crate::Failure;
use crate::cli::CompareArgs;

/// Runs both scenarios with common random numbers, writes
/// OUT/comparisons/<A>-vs-<B>/ and prints the key differences.
pub fn run(args: CompareArgs) -> Result<(), Failure> {
    let request = CompareRequest {
        a: args.a,
        b: args.b,
        out: args.run.out.clone(),
        trials: args.run.trials,
        seed: args.run.seed,
        threads: args.run.threads(),
        exact: args.run.exact,
        charts: !args.no_charts,
    };
    let outcome = capsim::app::compare(&request)?;
    super::print_notes(&outcome.notes);
    if !args.quiet.quiet {
        print_comparison(&request, &outcome)?;
    }
    Ok(())
}

/// B - A per trial for the first 12 whole-horizon outcomes (by label;
/// comparison.csv has the code names), and the files.
fn print_comparison(request: &CompareRequest, o: &CompareOutcome) -> Result<(), Failure> {
    outln!(
        "B = {} against A = {}: {} paired trials, seed {}, {:.2} s",
        request.b.display(),
        request.a.display(),
        o.trials,
        o.seed,
        o.wall_seconds
    );
    outln!(
        "  {:<34}{:>10}{:>10}{:>10}{:>12}",
        "B - A per trial",
        "p10",
        "p50",
        "p90",
        "P(B better)"
    );
    for r in o.rows.iter().filter(|r| r.month.is_none()).take(12) {
        let cell = |i: usize| fixed(r.diff.percentiles[i], 1);
        let better = match r.better {
            Some(Better::Higher) => format_number(Some((r.p_b_greater * 1000.0).round() / 1000.0)),
            Some(Better::Lower) => format_number(Some((r.p_b_less * 1000.0).round() / 1000.0)),
            None => "-".into(),
        };
        let name: String = r.label.chars().take(33).collect();
        outln!(
            "  {name:<34}{:>10}{:>10}{:>10}{better:>12}",
            cell(1),
            cell(2),
            cell(3)
        );
    }
    outln!("  wrote {}/comparison.csv", o.folder.display());
    for p in &o.charts {
        outln!("  wrote {}", p.display());
    }
    Ok(())
}
