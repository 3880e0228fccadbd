//! The summary a finished run prints: its key outcomes and probabilities in
//! 80 columns, and the files written.

use capsim::app::FinishedRun;
use capsim::export::WIDE_DIR;
use capsim::export::view_rows;
use capsim::model::{OutcomeKind, outcome};
use capsim::number::{fixed, percentile_column, supported};

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
    let i50 = pct(50.0);
    let columns = key_columns(&r.percentiles);
    let cell = |o: usize, i: usize| {
        let s = &r.outcomes[o];
        s.percentiles[i].map_or("-".to_string(), |v| supported(v, s.bounds[i], 1))
    };
    let name = shown(&s.name);
    let head = format!("{}: \"{name}\"", path.display());
    if head.chars().count() <= 80 {
        outln!("{head}");
    } else {
        outln!("{}:", path.display());
        outln!("  \"{name}\"");
    }
    outln!(
        "  {} trials, seed {}, {} to {}, {:.2} s",
        r.trials,
        r.seed,
        s.start,
        s.end(),
        wall
    );
    for line in wrapped(
        &format!("percentiles: {}", r.accuracy.describe(r.trials)),
        76,
    ) {
        outln!("  {line}");
    }
    outln!("");
    let mut header = format!("  {:<LABEL$}", "Key outcomes");
    for &i in &columns {
        header.push_str(&format!("{:>12}", percentile_column(r.percentiles[i])));
    }
    outln!("{header}");
    let rows = [
        (outcome::TOTAL_PAYMENTS, "compute payments, USD bn"),
        (outcome::TOTAL_REVENUE, "revenue, USD bn"),
        (outcome::CAPACITY_END, "capacity online at end, GW"),
        (outcome::FUNDING_NEED, "funding need, USD bn"),
        (outcome::PEAK_GAP, "peak funding gap, USD bn"),
        (outcome::MIN_CASH, "lowest cash, USD bn"),
    ];
    for (o, label) in rows {
        let mut line = format!("  {label:<LABEL$}");
        for &i in &columns {
            line.push_str(&format!("{:>12}", cell(o, i)));
        }
        outln!("{line}");
    }
    super::years::print_year_table(run, &columns)?;
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
            fixed(m.mean, 3),
            fixed(m.std_error, 3),
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
    // Without a computed median the month is unknown, not "after".
    let median_month = |o: usize| match i50 {
        None => "-".to_string(),
        Some(j) => r.outcomes[o].percentiles[j].map_or(format!("after {}", s.end()), |m| {
            s.month(m as usize).to_string()
        }),
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
            format!("target {} met by {}", shown(&t.name), s.end()),
            i,
            median_month(i + 1),
        )?;
    }
    print_outside_views(run)?;
    outln!("");
    print_written(&run.written)
}

/// `text` cut into lines of at most `width` characters at spaces, the
/// lines after the first indented by two.
fn wrapped(text: &str, width: usize) -> Vec<String> {
    let mut lines = vec![String::new()];
    for word in text.split(' ') {
        let line = lines.last_mut().expect("one line");
        if !line.trim().is_empty() && line.len() + 1 + word.len() > width {
            lines.push(format!("  {word}"));
        } else {
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
    }
    lines
}

/// The columns of the key outcomes: indices of the p10, p50 and p90 if all
/// were computed; otherwise of every percentile computed if there are at
/// most three, or of the first, middle and last.
fn key_columns(percentiles: &[f64]) -> Vec<usize> {
    let find = |x: f64| percentiles.iter().position(|p| (*p - x).abs() < 1e-9);
    match (find(10.0), find(50.0), find(90.0)) {
        (Some(a), Some(b), Some(c)) => vec![a, b, c],
        _ if percentiles.len() <= 3 => (0..percentiles.len()).collect(),
        _ => vec![0, (percentiles.len() - 1) / 2, percentiles.len() - 1],
    }
}

/// `text` for a terminal: control characters (which could move the cursor,
/// change colours or ring the bell) shown as Rust escapes such as `\u{1b}`.
pub(crate) fn shown(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// The outside views, if any: each published figure beside the run's p10,
/// p50 and p90 of the same quantity.
fn print_outside_views(run: &FinishedRun) -> Result<(), Failure> {
    const LABEL: usize = 28;
    let rows = view_rows(&run.scenario, &run.result);
    if rows.is_empty() {
        return Ok(());
    }
    outln!("");
    outln!(
        "  {:<LABEL$}{:>12}{:>12}{:>12}{:>12}",
        "Outside views",
        "published",
        "p10",
        "p50",
        "p90"
    );
    let num = |x: Option<f64>| fixed(x, 1);
    for row in rows {
        let [p10, p50, p90] = row.percentiles.map(num);
        let numbers = format!(
            "{:>12}{p10:>12}{p50:>12}{p90:>12}",
            num(Some(row.view.value))
        );
        let label = &row.view.name;
        if label.chars().count() < LABEL {
            outln!("  {}{numbers}", shown_padded(label, LABEL));
        } else {
            // Long names get a line of their own.
            outln!("  {}", shown(label));
            outln!("  {:<LABEL$}{numbers}", "");
        }
    }
    Ok(())
}

/// `text` as [`shown`], padded to `width` characters.
fn shown_padded(text: &str, width: usize) -> String {
    format!("{:<width$}", shown(text))
}

/// The folder written and its files, wrapped at 78 columns; the files of
/// its subfolders (charts, wide tables) counted.
fn print_written(written: &[std::path::PathBuf]) -> Result<(), Failure> {
    let Some(dir) = written.first().and_then(|p| p.parent()) else {
        return Ok(());
    };
    outln!("  Wrote {}/", dir.display());
    let mut files: Vec<String> = Vec::new();
    let (mut charts, mut wide) = (0, 0);
    for p in written {
        if p.parent() == Some(dir) {
            files.extend(p.file_name().map(|n| n.to_string_lossy().into_owned()));
        } else if p.parent().and_then(|d| d.file_name()) == Some(WIDE_DIR.as_ref()) {
            wide += 1;
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
    if wide > 0 {
        outln!("    {WIDE_DIR}/ ({wide} CSV files: one per metric, months down, for spreadsheets)");
    }
    if charts > 0 {
        outln!("    charts/ ({charts} SVG files; all shown in report.html)");
    }
    Ok(())
}
