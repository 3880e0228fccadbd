//! `capsim compare A.toml B.toml`: B against A, trial by trial.

use std::time::Instant;

use capsim::analysis::{Better, compare};
use capsim::export::chart::{CHARTS_DIR, comparison_charts, write_charts};
use capsim::export::{format_number, write_atomically, write_comparison_csv};
use capsim::runner::RunConfig;
use sha2::{Digest, Sha256};

use crate::Failure;
use crate::cli::CompareArgs;

/// Percentiles of B - A reported.
const DIFF_PERCENTILES: [f64; 5] = [5.0, 10.0, 50.0, 90.0, 95.0];

/// Runs both scenarios with common random numbers and writes
/// OUT/<A>-vs-<B>/comparison.csv, manifest.json and (unless `--no-charts`)
/// charts/compare-<metric>.svg.
pub fn run(args: CompareArgs) -> Result<(), Failure> {
    let paths = [args.a.clone(), args.b.clone()];
    let threads = super::worker_threads(args.threads);
    let scenarios = super::load_all(&paths)?;
    let (a, b) = (&scenarios[0], &scenarios[1]);
    let stem = |p: &std::path::Path| {
        p.file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "scenario".into())
    };
    let folder = args
        .out
        .join(format!("{}-vs-{}", stem(&args.a), stem(&args.b)));
    let config = RunConfig {
        trials: args.trials.unwrap_or(a.trials),
        seed: args.seed.unwrap_or(a.seed),
        threads,
        percentiles: DIFF_PERCENTILES.to_vec(),
    };
    let started = Instant::now();
    let rows = compare(a, b, &config).map_err(|e| Failure::Other(e.to_string()))?;
    let wall = started.elapsed().as_secs_f64();
    std::fs::create_dir_all(&folder)
        .map_err(|e| Failure::Other(format!("cannot write {}: {e}", folder.display())))?;
    let other = |e: capsim::error::ExportError| Failure::Other(e.to_string());
    write_atomically(&folder.join("comparison.csv"), |out| {
        write_comparison_csv(&rows, &DIFF_PERCENTILES, out)
    })
    .map_err(other)?;
    let charts = if args.no_charts {
        Vec::new()
    } else {
        let (name_a, name_b) = (
            format!("A ({})", stem(&args.a)),
            format!("B ({})", stem(&args.b)),
        );
        comparison_charts(a, &name_a, &name_b, &rows).map_err(|e| Failure::Other(e.to_string()))?
    };
    let chart_paths = write_charts(&folder, &charts).map_err(other)?;
    let mut files = vec!["comparison.csv".to_string()];
    files.extend(
        charts
            .iter()
            .map(|c| format!("{CHARTS_DIR}/{}", c.file_name)),
    );
    let sha = |p: &std::path::Path| {
        std::fs::read(p)
            .map(|bytes| format!("{:x}", Sha256::digest(bytes)))
            .unwrap_or_default()
    };
    let manifest = serde_json::json!({
        "capsim_version": env!("CARGO_PKG_VERSION"),
        "a": { "scenario_path": args.a.display().to_string(), "scenario_sha256": sha(&args.a), "scenario_name": a.name },
        "b": { "scenario_path": args.b.display().to_string(), "scenario_sha256": sha(&args.b), "scenario_name": b.name },
        "seed": config.seed,
        "trials": config.trials,
        "pairing": "common random numbers: trial t of A and of B use the same draws for every component (tranche, contract, funding event, shock) with the same name",
        "diff_percentiles": DIFF_PERCENTILES,
        "threads": config.threads,
        "wall_time_seconds": (wall * 1000.0).round() / 1000.0,
        "files": files,
    });
    write_atomically(&folder.join("manifest.json"), |out| {
        serde_json::to_writer_pretty(&mut *out, &manifest)?;
        out.write_all(b"\n")
    })
    .map_err(other)?;
    if !args.quiet {
        println!(
            "B = {} against A = {}: {} paired trials, seed {}, {:.2} s",
            args.b.display(),
            args.a.display(),
            config.trials,
            config.seed,
            wall
        );
        println!(
            "  {:<34}{:>10}{:>10}{:>10}{:>12}",
            "B - A per trial", "p10", "p50", "p90", "P(B better)"
        );
        for r in rows.iter().filter(|r| r.month.is_none()).take(12) {
            let cell =
                |i: usize| r.diff.percentiles[i].map_or("-".to_string(), |v| format!("{v:.1}"));
            let better = match r.better {
                Some(Better::Higher) => {
                    format_number(Some((r.p_b_greater * 1000.0).round() / 1000.0))
                }
                Some(Better::Lower) => format_number(Some((r.p_b_less * 1000.0).round() / 1000.0)),
                None => "-".into(),
            };
            let name: String = r.quantity.chars().take(33).collect();
            println!(
                "  {name:<34}{:>10}{:>10}{:>10}{better:>12}",
                cell(1),
                cell(2),
                cell(3)
            );
        }
        println!("  wrote {}/comparison.csv", folder.display());
        for p in &chart_paths {
            println!("  wrote {}", p.display());
        }
    }
    Ok(())
}
