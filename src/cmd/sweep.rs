//! `capsim sweep SCENARIO --set KEY=V1,V2,... [--set KEY2=...]`: the scenario
//! at every point of a one- or two-key grid, under common random numbers.

use std::io::IsTerminal;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use capsim::analysis::{
    SWEEP_PERCENTILES, SweepKey, SweepSetting, sweep_settings, write_sweep_csv,
};
use capsim::export::write_atomically;
use capsim::runner::{RunConfig, RunResult};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use sha2::{Digest, Sha256};

use crate::Failure;
use crate::cli::SweepArgs;

/// Most keys in one sweep.
const MAX_KEYS: usize = 2;

/// Validates every setting, runs each, and writes
/// OUT/<stem>-sweep/sweep.csv and manifest.json.
pub fn run(args: SweepArgs) -> Result<(), Failure> {
    if args.set.len() > MAX_KEYS {
        return Err(Failure::Input(format!(
            "error: --set is given {} times; a sweep takes one or two keys (a grid), each with all its values, e.g. --set revenue.annual_growth=0.3,0.6 --set cash.start_usd_bn=20,40",
            args.set.len()
        )));
    }
    let threads = super::worker_threads(args.threads);
    // The file itself first, so its mistakes point at its own lines.
    super::load_all(std::slice::from_ref(&args.scenario))?;
    let text = std::fs::read_to_string(&args.scenario).map_err(|e| {
        Failure::Input(format!(
            "error: {}: cannot read scenario: {e}",
            args.scenario.display()
        ))
    })?;
    let mut keys = Vec::new();
    let mut errors = Vec::new();
    for spec in &args.set {
        match SweepKey::parse(spec) {
            Ok(k) => keys.push(k),
            Err(e) => errors.push(e.0),
        }
    }
    if !errors.is_empty() {
        return Err(Failure::Input(errors.join("\n\n")));
    }
    let settings = sweep_settings(&text, &args.scenario, &keys).map_err(|e| Failure::Input(e.0))?;

    let configs: Vec<RunConfig> = settings
        .iter()
        .map(|s| RunConfig {
            trials: args.trials.unwrap_or(s.scenario.trials),
            seed: args.seed.unwrap_or(s.scenario.seed),
            threads,
            percentiles: SWEEP_PERCENTILES.to_vec(),
        })
        .collect();
    let total: u64 = configs.iter().map(|c| c.trials).sum();
    let started = Instant::now();
    let bar = progress_bar(total, args.quiet);
    let shown = AtomicBool::new(false);
    let progress = |n: u64| {
        bar.inc(n);
        if !args.quiet
            && started.elapsed() > Duration::from_secs(1)
            && std::io::stderr().is_terminal()
            && !shown.swap(true, Ordering::Relaxed)
        {
            bar.set_draw_target(ProgressDrawTarget::stderr());
        }
    };
    let mut results = Vec::with_capacity(settings.len());
    for (s, config) in settings.iter().zip(&configs) {
        let r = capsim::runner::run_outcomes(&s.scenario, config, &progress)
            .map_err(|e| Failure::Other(e.to_string()))?;
        results.push(r);
    }
    bar.finish_and_clear();
    let wall = started.elapsed().as_secs_f64();

    let stem = args
        .scenario
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "scenario".into());
    let folder = args.out.join(format!("{stem}-sweep"));
    std::fs::create_dir_all(&folder)
        .map_err(|e| Failure::Other(format!("cannot write {}: {e}", folder.display())))?;
    let other = |e: capsim::error::ExportError| Failure::Other(e.to_string());
    write_atomically(&folder.join("sweep.csv"), |out| {
        write_sweep_csv(&settings, &results, out)
    })
    .map_err(other)?;
    let manifest = manifest(&args, &text, &keys, &settings, &configs, threads, wall);
    write_atomically(&folder.join("manifest.json"), |out| {
        serde_json::to_writer_pretty(&mut *out, &manifest)?;
        out.write_all(b"\n")
    })
    .map_err(other)?;
    if !args.quiet {
        print_table(&args.scenario, &keys, &settings, &configs, &results, wall);
        println!("  wrote {}/sweep.csv", folder.display());
    }
    Ok(())
}

fn manifest(
    args: &SweepArgs,
    text: &str,
    keys: &[SweepKey],
    settings: &[SweepSetting],
    configs: &[RunConfig],
    threads: usize,
    wall: f64,
) -> serde_json::Value {
    let uniform = |f: fn(&RunConfig) -> u64| {
        let first = configs.first().map(f);
        configs
            .iter()
            .all(|c| Some(f(c)) == first)
            .then_some(first)
            .flatten()
    };
    serde_json::json!({
        "capsim_version": env!("CARGO_PKG_VERSION"),
        "scenario_path": args.scenario.display().to_string(),
        "scenario_sha256": format!("{:x}", Sha256::digest(text.as_bytes())),
        "scenario_name": settings.first().map(|s| s.scenario.name.clone()),
        "keys": keys.iter().map(|k| serde_json::json!({
            "key": k.key,
            "values": k.values.iter().map(|v| v.label.clone()).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "settings": settings.iter().zip(configs).enumerate().map(|(i, (s, c))| serde_json::json!({
            "setting": i + 1,
            "values": s.values.iter().map(|(k, v)| serde_json::json!({ "key": k, "value": v })).collect::<Vec<_>>(),
            "trials": c.trials,
            "seed": c.seed,
        })).collect::<Vec<_>>(),
        "seed": uniform(|c| c.seed),
        "trials": uniform(|c| c.trials),
        "pairing": "common random numbers: every setting runs with the same seed, and trial t of every setting uses the same draws for every component (tranche, contract, funding event, shock) with the same name",
        "percentiles": SWEEP_PERCENTILES,
        "threads": threads,
        "wall_time_seconds": (wall * 1000.0).round() / 1000.0,
        "files": ["sweep.csv"],
    })
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
fn print_table(
    path: &Path,
    keys: &[SweepKey],
    settings: &[SweepSetting],
    configs: &[RunConfig],
    results: &[RunResult],
    wall: f64,
) {
    let trials = configs.first().map_or(0, |c| c.trials);
    let seed = configs.first().map_or(0, |c| c.seed);
    let same = configs.iter().all(|c| c.trials == trials && c.seed == seed);
    let runs = if same {
        format!("{trials} trials each, seed {seed}")
    } else {
        "trials or seed swept".to_string()
    };
    println!(
        "{}: {} settings, {runs}, {wall:.2} s",
        path.display(),
        settings.len()
    );
    let names: Vec<String> = keys.iter().map(|k| k.key.clone()).collect();
    println!("  median per setting; {}", fit(&names.join(" x "), 56));
    println!(
        "  {:>3} {:<30}{:>11}{:>11}{:>11}{:>11}",
        "#", "value", "payments", "peak gap", "min cash", "P(short)"
    );
    for (i, (s, r)) in settings.iter().zip(results).enumerate() {
        let find = |name: &str| r.layout.outcomes.iter().position(|o| o.name == name);
        let p50 = |name: &str| {
            find(name)
                .and_then(|o| r.outcomes[o].percentiles.get(1).copied().flatten())
                .map_or("-".to_string(), |v| format!("{v:.1}"))
        };
        let prob = find("cash_shortfall_ever")
            .and_then(|o| r.outcomes[o].mean)
            .map_or("-".to_string(), |v| format!("{v:.3}"));
        let values: Vec<&str> = s.values.iter().map(|(_, v)| v.as_str()).collect();
        println!(
            "  {:>3} {:<30}{:>11}{:>11}{:>11}{:>11}",
            i + 1,
            fit(&values.join(", "), 29),
            p50("total_compute_payments_usd_bn"),
            p50("peak_funding_gap_usd_bn"),
            p50("min_cash_usd_bn"),
            prob
        );
    }
}
