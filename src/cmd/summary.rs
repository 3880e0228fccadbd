//! The summary a finished run prints: its key outcomes and probabilities in
//! 80 columns, and the files written.

use capsim::app::FinishedRun;
use capsim::export::view_rows;
use capsim::model::{OutcomeKind, outcome};

/// The key outcomes, readable in an 80-column terminal.
pub(crate) fn print_summary(run: &FinishedRun) {
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
        println!("{head}");
    } else {
        println!("{}:", path.display());
        println!("  \"{}\"", s.name);
    }
    println!(
        "  {} trials, seed {}, {} to {}, {:.2} s",
        r.trials,
        r.seed,
        s.start,
        s.end(),
        wall
    );
    println!();
    println!(
        "  {:<LABEL$}{:>12}{:>12}{:>12}",
        "Key outcomes", "p10", "p50", "p90"
    );
    let rows = [
        (outcome::TOTAL_PAYMENTS, "compute payments, USD bn"),
        (outcome::TOTAL_REVENUE, "revenue, USD bn"),
        (outcome::CAPACITY_END, "capacity online at end, GW"),
        (outcome::PEAK_GAP, "peak funding gap, USD bn"),
        (outcome::MIN_CASH, "lowest cash, USD bn"),
    ];
    for (o, label) in rows {
        println!(
            "  {:<LABEL$}{:>12}{:>12}{:>12}",
            label,
            cell(o, i10),
            cell(o, i50),
            cell(o, i90)
        );
    }
    println!();
    println!(
        "  {:<LABEL$}{:>12}{:>12}  median month",
        "Probabilities", "estimate", "std error"
    );
    let prob_row = |label: String, o: usize, median: String| {
        let m = &r.outcomes[o];
        let numbers = format!(
            "{:>12}{:>12}  {}",
            m.mean.map_or("-".into(), |v| format!("{v:.3}")),
            m.std_error.map_or("-".into(), |v| format!("{v:.3}")),
            median
        );
        if label.chars().count() <= LABEL {
            println!("  {label:<LABEL$}{numbers}");
        } else {
            // Long target names get a line of their own.
            println!("  {label}");
            println!("  {:<LABEL$}{numbers}", "");
        }
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
    );
    for (k, t) in s.targets.iter().enumerate() {
        let i = r.layout.first_target_outcome + 2 * k;
        debug_assert_eq!(r.layout.outcomes[i + 1].kind, OutcomeKind::Month);
        prob_row(
            format!("target {} met by {}", t.name, s.end()),
            i,
            median_month(i + 1),
        );
    }
    print_outside_views(run);
    println!();
    print_written(&run.written);
}

/// The outside views, if any: each published figure beside the run's p10,
/// p50 and p90 of the same quantity.
fn print_outside_views(run: &FinishedRun) {
    const LABEL: usize = 28;
    let rows = view_rows(&run.scenario, &run.result);
    if rows.is_empty() {
        return;
    }
    println!();
    println!(
        "  {:<LABEL$}{:>12}{:>12}{:>12}{:>12}",
        "Outside views", "published", "p10", "p50", "p90"
    );
    let num = |x: Option<f64>| x.map_or("-".to_string(), |v| format!("{v:.1}"));
    for row in rows {
        let [p10, p50, p90] = row.percentiles.map(num);
        let numbers = format!(
            "{:>12}{p10:>12}{p50:>12}{p90:>12}",
            num(Some(row.view.value))
        );
        let label = &row.view.name;
        if label.chars().count() < LABEL {
            println!("  {label:<LABEL$}{numbers}");
        } else {
            // Long names get a line of their own.
            println!("  {label}");
            println!("  {:<LABEL$}{numbers}", "");
        }
    }
}

/// The folder written and its files, wrapped at 78 columns; charts counted.
fn print_written(written: &[std::path::PathBuf]) {
    let Some(dir) = written.first().and_then(|p| p.parent()) else {
        return;
    };
    println!("  Wrote {}/", dir.display());
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
            println!("{line}");
            line = String::from("   ");
        }
        line.push(' ');
        line.push_str(&f);
    }
    println!("{line}");
    if charts > 0 {
        println!("    charts/ ({charts} SVG files; all shown in report.html)");
    }
}
