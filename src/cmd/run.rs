//! `capsim run SCENARIO...`: simulate and write results.

use std::collections::HashMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use capsim::analysis::{SensitivityRow, TrialTable};
use capsim::export::chart::{CHARTS_DIR, render_charts_with, write_charts};
use capsim::export::{
    Exporter, HtmlReportExporter, Manifest, PeriodTimeseriesCsvExporter, RunReport,
    SensitivityCsvExporter, TrialsCsvExporter, standard_exporters, write_run,
};
use capsim::model::TrialValues;
use capsim::model::{OutcomeKind, outcome};
use capsim::period::Period;
use capsim::runner::{CHUNK_TRIALS, RunConfig, RunResult, run_sampling, simulate_by};
use capsim::scenario::Scenario;
use capsim::shard::{Shard, StateFile};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use sha2::{Digest, Sha256};

use crate::Failure;
use crate::cli::RunArgs;

/// Runs each scenario in turn and writes its folder.
pub fn run(args: RunArgs) -> Result<(), Failure> {
    if let Some(p) = &args.percentiles {
        check_percentiles(p)?;
    }
    let folders = output_folders(&args.scenarios, &args.out)?;
    let threads = super::worker_threads(args.threads);
    let scenarios = super::load_all(&args.scenarios)?;
    for ((path, scenario), folder) in args.scenarios.iter().zip(&scenarios).zip(&folders) {
        run_one(&args, path, scenario, folder, threads)?;
    }
    Ok(())
}

fn check_percentiles(p: &[f64]) -> Result<(), Failure> {
    let bad = |why: &str| {
        Failure::Input(format!(
            "error: invalid value for '--percentiles': {why} (for example --percentiles 5,50,95)"
        ))
    };
    if p.is_empty() || p.len() > 99 {
        return Err(bad("give between 1 and 99 values"));
    }
    if p.iter().any(|x| !(*x > 0.0 && *x < 100.0)) {
        return Err(bad("each percentile must lie strictly between 0 and 100"));
    }
    if p.windows(2).any(|w| w[0] >= w[1]) {
        return Err(bad("percentiles must increase"));
    }
    Ok(())
}

/// OUT/<stem>/ per scenario; two scenarios with one stem would overwrite each other.
fn output_folders(paths: &[PathBuf], out: &Path) -> Result<Vec<PathBuf>, Failure> {
    let mut seen: HashMap<String, &PathBuf> = HashMap::new();
    let mut folders = Vec::new();
    for p in paths {
        let stem = p
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .filter(|s| !s.is_empty())
            .ok_or_else(|| {
                Failure::Input(format!("error: {}: not a scenario file name", p.display()))
            })?;
        if let Some(first) = seen.insert(stem.clone(), p) {
            return Err(Failure::Input(format!(
                "error: {} and {} would both write to {}; rename one or run them separately",
                first.display(),
                p.display(),
                out.join(&stem).display()
            )));
        }
        folders.push(out.join(stem));
    }
    Ok(folders)
}

fn run_one(
    args: &RunArgs,
    path: &Path,
    scenario: &Scenario,
    folder: &Path,
    threads: usize,
) -> Result<(), Failure> {
    let bytes = std::fs::read(path)
        .map_err(|e| Failure::Other(format!("cannot read {}: {e}", path.display())))?;
    let config = RunConfig {
        trials: args.trials.unwrap_or(scenario.trials),
        seed: args.seed.unwrap_or(scenario.seed),
        threads,
        percentiles: args
            .percentiles
            .clone()
            .unwrap_or_else(|| scenario.percentiles.clone()),
    };
    let started = Instant::now();
    if let (Some(shard), Some(state_path)) = (args.shard, &args.state) {
        return run_shard(
            args, path, &bytes, scenario, &config, shard, state_path, started,
        );
    }
    let bar = progress_bar(config.trials, args.quiet);
    let shown = AtomicBool::new(false);
    let progress = |n: u64| {
        bar.inc(n);
        // Only runs longer than a second get a bar, and only on a terminal.
        if !args.quiet
            && started.elapsed() > Duration::from_secs(1)
            && std::io::stderr().is_terminal()
            && !shown.swap(true, Ordering::Relaxed)
        {
            bar.set_draw_target(ProgressDrawTarget::stderr());
        }
    };
    let mut known = Vec::new();
    let (result, precision) = match args.precision {
        Some(rel) => {
            let (r, p) = capsim::analysis::run_to_precision(
                scenario,
                &config,
                args.period,
                rel,
                args.max_trials.max(config.trials),
                &|_| {},
            )
            .map_err(|e| Failure::Other(e.to_string()))?;
            (r, Some(p))
        }
        None => {
            // The sensitivity analysis reads the run's first trials one by
            // one: kept as the run passes them, they need no second
            // simulation.
            let sample = if args.no_sensitivity {
                0
            } else {
                SENSITIVITY_SAMPLE.max(SWING_TRIALS)
            };
            let (result, first) = run_sampling(scenario, &config, args.period, sample, &progress)
                .map_err(|e| Failure::Other(e.to_string()))?;
            known = first;
            (result, None)
        }
    };
    bar.finish_and_clear();
    let wall = started.elapsed().as_secs_f64();

    write_outputs(Outputs {
        scenario_path: path,
        scenario,
        sha256: format!("{:x}", Sha256::digest(&bytes)),
        result: &result,
        folder,
        threads,
        wall,
        quiet: args.quiet,
        no_charts: args.no_charts,
        extra: analyses(
            scenario,
            result.seed,
            result.trials,
            threads,
            !args.no_sensitivity,
            args.export_trials,
            known,
        )?,
        precision,
    })
}

/// What a finished run (or a merge) writes and prints.
pub(crate) struct Outputs<'a> {
    pub scenario_path: &'a Path,
    pub scenario: &'a Scenario,
    pub sha256: String,
    pub result: &'a RunResult,
    pub folder: &'a Path,
    pub threads: usize,
    pub wall: f64,
    pub quiet: bool,
    pub no_charts: bool,
    /// Analyses beyond the standard outputs (sensitivity, trials).
    pub extra: Analyses,
    /// What `--precision` did, if asked.
    pub precision: Option<capsim::analysis::PrecisionReport>,
}

/// Sample sizes of the sensitivity analysis: rank correlations over the first
/// 5,000 trials; the 10 strongest inputs swung over 1,000 trials each.
const SENSITIVITY_SAMPLE: u64 = 5_000;
const SWING_INPUTS: usize = 10;
const SWING_TRIALS: u64 = 1_000;

/// The per-trial analyses of a run, if asked for.
pub(crate) struct Analyses {
    /// Sensitivity rows: written to sensitivity.csv and drawn as tornado charts.
    pub sensitivity: Option<Vec<SensitivityRow>>,
    /// The per-trial table: written to trials.csv.
    pub trials: Option<TrialTable>,
}

impl Analyses {
    /// The exporters writing them.
    fn exporters(self) -> Vec<Box<dyn Exporter>> {
        let mut out: Vec<Box<dyn Exporter>> = Vec::new();
        if let Some(rows) = self.sensitivity {
            out.push(Box::new(SensitivityCsvExporter { rows }));
        }
        if let Some(table) = self.trials {
            out.push(Box::new(TrialsCsvExporter { table }));
        }
        out
    }
}

/// The per-trial analyses asked for, computed on `threads` threads; `known`
/// holds the run's first trials if it kept them (see [`run_sampling`]).
pub(crate) fn analyses(
    scenario: &Scenario,
    seed: u64,
    trials: u64,
    threads: usize,
    sensitivity: bool,
    export_trials: Option<u64>,
    known: Vec<TrialValues>,
) -> Result<Analyses, Failure> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads.max(1))
        .build()
        .map_err(|e| Failure::Other(format!("cannot start worker threads: {e}")))?;
    let (rows, table) = pool.install(|| {
        let rows = sensitivity.then(|| {
            capsim::analysis::sensitivity_with(
                scenario,
                seed,
                known,
                trials.min(SENSITIVITY_SAMPLE),
                SWING_INPUTS,
                trials.min(SWING_TRIALS),
            )
        });
        let table = export_trials.map(|n| capsim::analysis::trial_table(scenario, seed, n));
        (rows, table)
    });
    Ok(Analyses {
        sensitivity: rows,
        trials: table,
    })
}

/// Writes every output file of a run into its folder and prints the summary.
pub(crate) fn write_outputs(o: Outputs) -> Result<(), Failure> {
    let (path, scenario, result, folder, threads, wall) = (
        o.scenario_path,
        o.scenario,
        o.result,
        o.folder,
        o.threads,
        o.wall,
    );
    let charts = if o.no_charts {
        Vec::new()
    } else {
        render_charts_with(scenario, result, o.extra.sensitivity.as_deref())
            .map_err(|e| Failure::Other(e.to_string()))?
    };
    let mut exporters = standard_exporters();
    exporters.push(Box::new(HtmlReportExporter::new(charts.clone())));
    if result.period != Period::Month {
        exporters.push(Box::new(PeriodTimeseriesCsvExporter {
            period: result.period,
        }));
    }
    exporters.extend(o.extra.exporters());
    let manifest = Manifest {
        capsim_version: env!("CARGO_PKG_VERSION").to_string(),
        scenario_path: path.display().to_string(),
        scenario_sha256: o.sha256.clone(),
        scenario_name: scenario.name.clone(),
        seed: result.seed,
        trials: result.trials,
        percentiles: result.percentiles.clone(),
        percentile_method: result.method.describe().into(),
        horizon: [scenario.start.to_string(), scenario.end().to_string()],
        threads,
        wall_time_seconds: (wall * 1000.0).round() / 1000.0,
        files: exporters
            .iter()
            .map(|e| e.file_name().to_string())
            .chain(
                charts
                    .iter()
                    .map(|c| format!("{CHARTS_DIR}/{}", c.file_name)),
            )
            .collect(),
        precision: o.precision,
    };
    let report = RunReport {
        scenario,
        result,
        manifest,
    };
    let mut written =
        write_run(folder, &report, &exporters).map_err(|e| Failure::Other(e.to_string()))?;
    written.extend(write_charts(folder, &charts).map_err(|e| Failure::Other(e.to_string()))?);
    if !o.quiet {
        print_summary(path, scenario, result, wall, &written);
    }
    Ok(())
}

/// Runs one shard and saves its state; writes no outputs.
#[allow(clippy::too_many_arguments)]
fn run_shard(
    args: &RunArgs,
    path: &Path,
    bytes: &[u8],
    scenario: &Scenario,
    config: &RunConfig,
    shard: Shard,
    state_path: &Path,
    started: Instant,
) -> Result<(), Failure> {
    let text = std::str::from_utf8(bytes)
        .map_err(|e| Failure::Other(format!("{}: {e}", path.display())))?;
    let chunks = shard.chunks(config.chunks());
    let state = simulate_by(scenario, config, chunks.clone(), args.period, &|_| {})
        .map_err(|e| Failure::Other(e.to_string()))?;
    let file = StateFile::new(
        path,
        text,
        &format!("{:x}", Sha256::digest(bytes)),
        config,
        shard,
        state,
    );
    file.write(state_path)
        .map_err(|e| Failure::Other(e.to_string()))?;
    if !args.quiet {
        let first = chunks.start * CHUNK_TRIALS;
        let last = (chunks.end * CHUNK_TRIALS).min(config.trials);
        println!(
            "{}: shard {shard}: trials {first} to {} of {}, {:.2} s; state saved to {}",
            path.display(),
            last.max(first),
            config.trials,
            started.elapsed().as_secs_f64(),
            state_path.display()
        );
    }
    Ok(())
}

fn progress_bar(total: u64, quiet: bool) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::hidden());
    if !quiet {
        if let Ok(style) = ProgressStyle::with_template(
            "{spinner} [{bar:40}] {human_pos}/{human_len} trials, {per_sec}, eta {eta}",
        ) {
            bar.set_style(style.progress_chars("=> "));
        }
    }
    bar
}

/// The key outcomes, readable in an 80-column terminal.
fn print_summary(path: &Path, s: &Scenario, r: &RunResult, wall: f64, written: &[PathBuf]) {
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
    println!();
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
