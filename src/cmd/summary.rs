//! The summary a finished run prints: its key outcomes and probabilities in
//! 80 columns, and the files written.

use capsim::app::FinishedRun;
use capsim::model::{OutcomeKind, outcome};

use crate::Failure;

/// The key outcomes, readable in an 80-column terminal.
pub(crate) fn print_summary(run: &FinishedRun) -> Result<(), Failure> {
    let (path, s, r, wall) = (
        &run.scenario_path,
        &run.scenario,
        &run.result,
        run.wall_seconds,
    );
    // Columns: 2 indent + 38 label + 3 x 12 numbers = 76 characters.
    const LABEL: usize = 38;
    let pct = |x: f64| r.percentiles.iter().position(|p| (*p - x).abs() < 1e-9);
    let (i10, i50, i90) = (pct(10.0), pct(50.0), pct(90.0));
    let cell = |o: usize, i: Option<usize>| {
        i.and_then(|i| r.outcomes[o].percentiles[i])
            .map_or("-".to_string(), |v| format!("{v:.1}"))
    };
    let head = format!("{}: \"{}\"", path.display(), s.name);
    if head.chars().count() <= 80 {
        outln!("{head}");
    } else {
        outln!("{}:", path.display());
        outln!("  \"{}\"", s.name);
    }
    outln!(
        "  {} trials, seed {}, {} to {}, {:.2} s",
        r.trials,
        r.seed,
        s.start,
        s.end(),
        wall
    );
    outln!("");
    outln!(
        "  {:<LABEL$}{:>12}{:>12}{:>12}",
        "Key outcomes",
        "p10",
        "p50",
        "p90"
    );
    let rows = [
        (outcome::TOTAL_PAYMENTS, "compute payments, USD bn"),
        (outcome::TOTAL_REVENUE, "revenue, USD bn"),
        (outcome::CAPACITY_END, "capacity online at end, GW"),
        (outcome::PEAK_GAP, "peak funding gap, USD bn"),
        (outcome::MIN_CASH, "lowest cash, USD bn"),
    ];
    for (o, label) in rows {
        outln!(
            "  {:<LABEL$}{:>12}{:>12}{:>12}",
            label,
            cell(o, i10),
            cell(o, i50),
            cell(o, i90)
        );
    }
    outln!("");
    outln!(
        "  {:<LABEL$}{:>12}{:>12}  median month",
        "Probabilities",
        "estimate",
        "std error"
    );
    let prob_row = |label: String, o: usize, median: String| -> Result<(), Failure> {
        let m = &r.outcomes[o];
        let numbers = format!(
            "{:>12}{:>12}  {}",
            m.mean.map_or("-".into(), |v| format!("{v:.3}")),
            m.std_error.map_or("-".into(), |v| format!("{v:.3}")),
            median
        );
        if label.chars().count() <= LABEL {
            outln!("  {label:<LABEL$}{numbers}");
        } else {
            // Long target names get a line of their own.
            outln!("  {label}");
            outln!("  {:<LABEL$}{numbers}", "");
        }
        Ok(())
    };
    let median_month = |o: usize| {
        i50.and_then(|j| r.outcomes[o].percentiles[j])
            .map_or(format!("after {}", s.end()), |m| {
                s.month(m as usize).to_string()
            })
    };
    prob_row(
        "cash below floor at some month".into(),
        outcome::SHORTFALL_EVER,
        median_month(outcome::FIRST_SHORTFALL),
    )?;
    for (k, t) in s.targets.iter().enumerate() {
        let i = r.layout.first_target_outcome + 2 * k;
        debug_assert_eq!(r.layout.outcomes[i + 1].kind, OutcomeKind::Month);
        prob_row(
            format!("target {} met by {}", t.name, s.end()),
            i,
            median_month(i + 1),
        )?;
    }
    outln!("");
    print_written(&run.written)
}

/// The folder written and its files, wrapped at 78 columns; charts counted.
fn print_written(written: &[std::path::PathBuf]) -> Result<(), Failure> {
    let Some(dir) = written.first().and_then(|p| p.parent()) else {
        return Ok(());
    };
    outln!("  Wrote {}/", dir.display());
    let mut files: Vec<String> = Vec::new();
    let mut charts = 0;
    for p in written {
        if p.parent() == Some(dir) {
            files.extend(p.file_name().map(|n| n.to_string_lossy().into_owned()));
        } else {
            charts += 1;
        }
    }
    let mut line = String::from("   ");
    for f in files {
        if line.len() + f.len() + 1 > 78 {
            outln!("{line}");
            line = String::from("   ");
        }
        line.push(' ');
        line.push_str(&f);
    }
    outln!("{line}");
    if charts > 0 {
        outln!("    charts/ ({charts} SVG files; all shown in report.html)");
    }
    Ok(())
}
