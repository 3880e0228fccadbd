//! `capsim sweep SCENARIO --set KEY=V1,V2,... [--set KEY2=...]`: the scenario
//! at every point of a one- or two-key grid, under common random numbers.

use capsim::app::{SweepOutcome, SweepRequest};
use capsim::number::fixed;

use super::progress::Bar;
use crate::Failure;
use crate::cli::SweepArgs;

/// Validates every setting, runs each, writes OUT/sweeps/<stem>/ and prints
/// one line per setting.
pub fn run(args: SweepArgs) -> Result<(), Failure> {
    let quiet = args.quiet.quiet;
    let request = SweepRequest {
        scenario: args.scenario,
        set: args.set,
        out: args.run.out.clone(),
        trials: args.run.trials,
        seed: args.run.seed,
        threads: args.run.threads(),
        exact: args.run.exact,
    };
    let outcome = capsim::app::sweep(&request, &Bar::new(quiet))?;
    super::print_notes(&outcome.notes);
    if !quiet {
        print_table(&request, &outcome)?;
        outln!("  wrote {}/sweep.csv", outcome.folder.display());
    }
    Ok(())
}

/// `s` cut to `width` characters, ending in `..` when cut.
fn fit(s: &str, width: usize) -> String {
    if s.chars().count() <= width {
        s.to_string()
    } else {
        let mut out: String = s.chars().take(width.saturating_sub(2)).collect();
        out.push_str("..");
        out
    }
}

/// One line per setting, in 80 columns: 2 + 4 + 30 + 3 x 11 + 11.
fn print_table(request: &SweepRequest, o: &SweepOutcome) -> Result<(), Failure> {
    let trials = o.configs.first().map_or(0, |c| c.trials);
    let seed = o.configs.first().map_or(0, |c| c.seed);
    let same = o
        .configs
        .iter()
        .all(|c| c.trials == trials && c.seed == seed);
    let runs = if same {
        format!("{trials} trials each, seed {seed}")
    } else {
        "trials or seed swept".to_string()
    };
    outln!(
        "{}: {} settings, {runs}, {:.2} s",
        request.scenario.display(),
        o.settings.len(),
        o.wall_seconds
    );
    let names: Vec<String> = o.keys.iter().map(|k| k.key.clone()).collect();
    outln!("  median per setting; {}", fit(&names.join(" x "), 56));
    // The column heads are short: say once what they are.
    outln!("  compute payments, largest funding gap, lowest cash: USD bn, whole horizon;");
    outln!("  P(short): probability that cash is ever below the floor");
    outln!(
        "  {:>3} {:<30}{:>11}{:>11}{:>11}{:>11}",
        "#",
        "value",
        "payments",
        "peak gap",
        "min cash",
        "P(short)"
    );
    for (i, (s, r)) in o.settings.iter().zip(&o.results).enumerate() {
        let find = |name: &str| r.layout.outcomes.iter().position(|o| o.name == name);
        let p50 = |name: &str| {
            let p50 = find(name).and_then(|o| r.outcomes[o].percentiles.get(1).copied().flatten());
            fixed(p50, 1)
        };
        let prob = fixed(
            find("cash_shortfall_ever").and_then(|o| r.outcomes[o].mean),
            3,
        );
        let values: Vec<&str> = s.values.iter().map(|(_, v)| v.as_str()).collect();
        outln!(
            "  {:>3} {:<30}{:>11}{:>11}{:>11}{:>11}",
            i + 1,
            fit(&values.join(", "), 29),
            p50("total_compute_payments_usd_bn"),
            p50("peak_funding_gap_usd_bn"),
            p50("min_cash_usd_bn"),
            prob
        );
    }
    Ok(())
}
