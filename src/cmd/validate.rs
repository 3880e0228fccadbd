//! `capsim validate SCENARIO...`: check scenario files without running them.

use capsim::scenario::warnings::ItemLines;

use crate::Failure;
use crate::cli::ValidateArgs;

/// Validates each scenario and prints a one-line description of each valid one.
pub fn run(args: ValidateArgs) -> Result<(), Failure> {
    let scenarios = capsim::app::load_all(&args.scenarios)?;
    for (path, s) in args.scenarios.iter().zip(&scenarios) {
        let gw = s
            .tranches
            .iter()
            .map(|t| t.gw.median())
            .fold(0.0, |a, b| a + b);
        let value = s
            .contracts
            .iter()
            .map(|c| c.value_usd_bn)
            .fold(0.0, |a, b| a + b);
        let views = match s.outside_views.len() {
            0 => String::new(),
            n => format!(", {n} outside views"),
        };
        outln!(
            "{}: ok: \"{}\", {} to {}, {} tranches ({:.1} GW at median size), {} contracts (USD {:.0} bn), {} funding events, {} targets{views}",
            path.display(),
            super::summary::shown(&s.name),
            s.start,
            s.end(),
            s.tranches.len(),
            gw,
            s.contracts.len(),
            value,
            s.funding.len(),
            s.targets.len()
        );
        print_warnings(path, s);
    }
    Ok(())
}

/// Prints the scenario's warnings on stderr. Warnings never change the exit
/// code; the source text lets them point at the item's line.
pub(crate) fn print_warnings(path: &std::path::Path, s: &capsim::scenario::Scenario) {
    // Warnings never change the exit code; the source text lets them point
    // at the item's line, through one index of the items' lines.
    let warnings = capsim::scenario::warnings::warnings(s);
    if warnings.is_empty() {
        return;
    }
    let lines = capsim::file::read_text_bounded(path, capsim::file::MAX_SCENARIO_BYTES)
        .map(|source| ItemLines::new(&source))
        .unwrap_or_default();
    for w in warnings {
        super::colour::eprint_highlighted(&w.render_at(path, lines.line(&w)));
    }
}
