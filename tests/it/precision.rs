//! Percentiles past the exact budget: every reported percentile is exact
//! (PERCENTILE.INC over all trials) or within its stated bound, the key
//! outcomes are exact by default and everything is with `--exact`, and run,
//! sweep and compare agree.

use std::path::Path;

use capsim::model::{Model, OutputLayout, TrialRecord, Workspace};
use capsim::runner::{RunConfig, RunResult, run, run_outcomes};
use capsim::scenario::Scenario;
use capsim::stats::Method;

use crate::util::{SMALL, Workdir};

/// `SMALL` over 51 years, so that a run of [`TRIALS`] trials sketches its
/// percentiles: more than 128 MiB (the exact budget) of values.
fn long_horizon() -> String {
    SMALL.replacen("end = \"2027-12\"", "end = \"2076-12\"", 1)
}

const TRIALS: u64 = 2_000;
const PERCENTILES: [f64; 6] = [0.0, 5.0, 33.3, 50.0, 90.0, 100.0];

fn scenario() -> Scenario {
    Scenario::parse(&long_horizon(), Path::new("long.toml")).expect("valid")
}

fn config(exact: bool) -> RunConfig {
    RunConfig {
        trials: TRIALS,
        seed: 5,
        threads: 2,
        percentiles: PERCENTILES.to_vec(),
        exact,
    }
}

/// Every trial's series and outcomes, simulated one by one.
fn every_trial(s: &Scenario) -> Vec<TrialRecord> {
    let model = Model::new(s);
    let mut ws = Workspace::new(s);
    (0..TRIALS)
        .map(|t| {
            let mut rec = TrialRecord::new(model.layout());
            model.simulate(5, t, &mut ws, &mut rec);
            rec
        })
        .collect()
}

/// PERCENTILE.INC of `values` over all of them, trials without a value
/// (non-finite) ranking above the rest; `None` among those.
fn percentile_inc(values: &[f64], p: f64) -> Option<f64> {
    let mut finite: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    finite.sort_by(f64::total_cmp);
    let h = (values.len() - 1) as f64 * p / 100.0;
    let lo = h.floor() as usize;
    let frac = h - lo as f64;
    let a = *finite.get(lo)?;
    if frac == 0.0 {
        return Some(a);
    }
    let b = *finite.get(lo + 1)?;
    Some(a + frac * (b - a))
}

/// Checks each percentile of `got` against PERCENTILE.INC of `values`:
/// bit for bit where its bound is 0, within the bound otherwise.
fn check(name: &str, got: &capsim::stats::Summary, values: &[f64], exact: bool) {
    for (i, p) in PERCENTILES.iter().enumerate() {
        let want = percentile_inc(values, *p);
        let bound = got.bounds[i];
        match (got.percentiles[i], want) {
            (Some(g), Some(w)) if bound == 0.0 => {
                assert_eq!(g.to_bits(), w.to_bits(), "{name} p{p}: {g} vs exact {w}");
            }
            (Some(g), Some(w)) => {
                assert!(!exact, "{name} p{p}: bound {bound} with --exact");
                assert!(
                    (g - w).abs() <= bound,
                    "{name} p{p}: {g} +/- {bound} vs {w}"
                );
            }
            (None, None) => {}
            (g, w) => panic!("{name} p{p}: {g:?} vs exact {w:?}"),
        }
    }
}

fn check_run(r: &RunResult, s: &Scenario, records: &[TrialRecord], exact: bool) {
    let layout = OutputLayout::new(s);
    for (o, spec) in layout.outcomes.iter().enumerate() {
        let values: Vec<f64> = records.iter().map(|r| r.outcomes[o]).collect();
        // Outcomes are exact with or without --exact.
        check(&spec.name, &r.outcomes[o], &values, true);
        assert!(r.outcomes[o].is_exact(), "{}", spec.name);
    }
    // Every 7th series (months of every metric), against its trials.
    for k in (0..layout.series_len()).step_by(7) {
        let values: Vec<f64> = records.iter().map(|r| r.series[k]).collect();
        check(&format!("series {k}"), &r.series[k], &values, exact);
    }
}

#[test]
fn the_long_horizon_is_past_the_exact_budget() {
    let layout = OutputLayout::new(&scenario());
    let bytes = TRIALS * (layout.series_len() + layout.outcomes.len()) as u64 * 8;
    assert!(bytes > 128 << 20, "{bytes} bytes");
}

#[test]
fn sketched_runs_report_exact_outcomes_and_bounded_or_exact_series() {
    let s = scenario();
    let records = every_trial(&s);
    for exact in [false, true] {
        let r = run(&s, &config(exact), &|_| {}).expect("run");
        assert_eq!(
            r.method,
            Method::Sketch,
            "the run must sketch to test refinement"
        );
        // The pilot's brackets may leave no pass to do; whatever the
        // passes, every percentile is checked below.
        assert_eq!(r.accuracy.exact_requested, exact);
        assert!(r.accuracy.outcomes_exact, "{:?}", r.accuracy);
        check_run(&r, &s, &records, exact);
        if exact {
            assert!(r.accuracy.is_exact(), "{:?}", r.accuracy);
        }
        if let Some(w) = r.accuracy.worst_bound_over_std_error {
            assert!(w < 0.1, "{:?}", r.accuracy);
        }
    }
}

#[test]
fn run_sweep_and_compare_agree_on_outcome_percentiles() {
    let s = scenario();
    let mut cfg = config(false);
    cfg.percentiles = vec![10.0, 50.0, 90.0];
    let full = run(&s, &cfg, &|_| {}).expect("run");
    assert_eq!(full.method, Method::Sketch);
    // What each setting of a sweep computes.
    let outcomes = run_outcomes(&s, &cfg, &|_| {}).expect("outcomes");
    // A scenario compared with itself: A's p10, p50, p90.
    let rows = capsim::analysis::compare(&s, &s, &cfg).expect("compare");
    for (o, spec) in full.layout.outcomes.iter().enumerate() {
        let bits = |x: &[Option<f64>]| -> Vec<Option<u64>> {
            x.iter().map(|v| v.map(f64::to_bits)).collect()
        };
        assert_eq!(
            bits(&full.outcomes[o].percentiles),
            bits(&outcomes.outcomes[o].percentiles),
            "{}",
            spec.name
        );
        let row = rows
            .iter()
            .find(|r| r.quantity == spec.name && r.month.is_none())
            .expect("compared");
        assert_eq!(
            bits(&row.a.percentiles),
            bits(&full.outcomes[o].percentiles),
            "{}",
            spec.name
        );
    }
}

#[test]
fn the_terminal_and_manifest_say_how_percentiles_were_computed() {
    let wd = Workdir::new();
    wd.create("long.toml", long_horizon());
    let trials = TRIALS.to_string();
    // The long scenario's run, with `extra` options.
    let run_long = |extra: &[&str]| {
        let mut args = vec!["run", "long.toml", "--trials", &trials];
        args.extend(["--no-charts", "--no-sensitivity", "--no-deals"]);
        args.extend(extra);
        wd.capsim(&args)
    };
    let out = run_long(&[]);
    out.expect_code(0);
    // The statement wraps: compare with single spaces.
    let stdout = out.stdout.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(stdout.contains("percentiles: "), "{stdout}");
    assert!(
        stdout.contains(&format!("PERCENTILE.INC over all {TRIALS}")),
        "{stdout}"
    );
    assert!(stdout.contains("refinement pass"), "{stdout}");
    let manifest: serde_json::Value =
        serde_json::from_str(&wd.read("output/long/manifest.json")).unwrap();
    let acc = &manifest["percentile_accuracy"];
    assert!(acc["refinement_passes"].as_u64().unwrap() >= 1, "{acc}");
    assert_eq!(acc["exact_requested"], false);
    assert_eq!(acc["outcomes_exact"], true);
    assert!(acc["percentiles"].as_u64().unwrap() > 1000, "{acc}");

    // Every cell of timeseries.csv is within its row's stated bound of the
    // exact value (`--exact`, whose bounds are all 0).
    let exact_out = run_long(&["--exact", "--out", "exact"]);
    exact_out.expect_code(0);
    let (got, want) = (
        wd.read_csv("output/long/timeseries.csv"),
        wd.read_csv("exact/long/timeseries.csv"),
    );
    assert_eq!(got[0], want[0]);
    assert_eq!(got.len(), want.len());
    let bound_at = crate::util::column(&got[0], "percentile_error_bound");
    let p_columns: Vec<usize> = (0..got[0].len())
        .filter(|&c| got[0][c].starts_with('p') && c != bound_at)
        .collect();
    assert!(!p_columns.is_empty());
    for (g, w) in got[1..].iter().zip(&want[1..]) {
        assert_eq!(w[bound_at], "0", "{w:?}");
        let bound: f64 = g[bound_at].parse().unwrap();
        for &c in &p_columns {
            if g[c].is_empty() || w[c].is_empty() {
                assert_eq!(g[c], w[c], "{g:?}");
                continue;
            }
            let (a, b): (f64, f64) = (g[c].parse().unwrap(), w[c].parse().unwrap());
            // The CSV rounds to 6 decimals.
            assert!(
                (a - b).abs() <= bound + 1e-6,
                "{} {}: {a} vs exact {b}, bound {bound}",
                g[0],
                g[2]
            );
        }
    }

    // A small run keeps every value: exact without passes.
    wd.create("small.toml", SMALL);
    let out = wd.capsim(&[
        "run",
        "small.toml",
        "--trials",
        "200",
        "--no-charts",
        "--no-sensitivity",
        "--no-deals",
    ]);
    out.expect_code(0);
    assert!(
        out.stdout
            .contains("percentiles: exact (PERCENTILE.INC over all 200 trials)"),
        "{}",
        out.stdout
    );
}

#[test]
fn precision_says_on_stderr_when_and_why_it_stopped_short() {
    let wd = Workdir::new();
    wd.create("small.toml", SMALL);
    let out = wd.capsim(&[
        "run",
        "small.toml",
        "--trials",
        "100",
        "--precision",
        "0.000001",
        "--max-trials",
        "400",
        "--no-charts",
        "--no-sensitivity",
        "--no-deals",
        "--quiet",
    ]);
    out.expect_code(0);
    let stderr = &out.stderr;
    assert!(
        stderr.contains("note: --precision 0.000001: not reached"),
        "{stderr}"
    );
    assert!(stderr.contains("--max-trials 400"), "{stderr}");
    let manifest: serde_json::Value =
        serde_json::from_str(&wd.read("output/small/manifest.json")).unwrap();
    assert_eq!(manifest["precision"]["converged"], false);
    assert_eq!(manifest["precision"]["approximation"], 0.0);
}

/// A sketched run's shards each count their trials against the same
/// pilot's brackets; `capsim merge` adds the counts and gives the single
/// run's files byte for byte, with the same refinement passes (the counts
/// are not thrown away and the run simulated again from its sketches).
#[test]
fn shards_of_a_sketched_run_merge_their_counts_to_the_single_run() {
    let wd = Workdir::new();
    wd.create("long.toml", long_horizon());
    let trials = TRIALS.to_string();
    let common = ["--trials", trials.as_str(), "--seed", "5", "-q"];
    let mut single = vec!["run", "long.toml", "--out", "single", "--no-charts"];
    single.extend(["--no-sensitivity", "--no-deals"]);
    single.extend(common);
    wd.capsim(&single).expect_code(0);
    for k in 1..=2 {
        let (spec, state) = (format!("{k}/2"), format!("long-{k}.state"));
        let mut args = vec!["run", "long.toml", "--shard", &spec, "--state", &state];
        args.extend(common);
        wd.capsim(&args).expect_code(0);
    }
    wd.capsim(&[
        "merge",
        "long-2.state",
        "long-1.state",
        "--out",
        "merged",
        "-q",
        "--no-charts",
        "--no-sensitivity",
        "--no-deals",
    ])
    .expect_code(0);
    for f in ["timeseries.csv", "summary.csv", "years.csv", "targets.csv"] {
        assert!(
            wd.read(&format!("single/long/{f}")) == wd.read(&format!("merged/long/{f}")),
            "{f} differs"
        );
    }
    let passes = |folder: &str| {
        let m: serde_json::Value =
            serde_json::from_str(&wd.read(&format!("{folder}/long/manifest.json"))).unwrap();
        m["percentile_accuracy"]["refinement_passes"].clone()
    };
    assert_eq!(passes("single"), passes("merged"));
}
