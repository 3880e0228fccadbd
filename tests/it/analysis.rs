//! Per-trial analyses: sensitivity ranks inputs as they are known to matter,
//! and the trial table rebuilds the reported figures.

use std::path::Path;

use capsim::analysis::{sensitivity, trial_table};
use capsim::scenario::Scenario;

use crate::util::KNOWN;

/// Every non-event outcome's `n` strongest inputs swung over `trials` trials.
fn every(n: usize, trials: u64) -> capsim::analysis::SwingPlan {
    capsim::analysis::SwingPlan {
        outcomes: Vec::new(),
        inputs_per_outcome: n,
        trials,
    }
}

#[test]
fn sensitivity_ranks_the_known_drivers() {
    let s = Scenario::parse(KNOWN, Path::new("k.toml")).unwrap();
    let rows = sensitivity(&s, 1, 4000, &every(3, 2000));
    let payments: Vec<_> = rows
        .iter()
        .filter(|r| r.outcome == "total_compute_payments_usd_bn")
        .collect();
    assert_eq!(payments[0].input, "contract.k.usd_bn_per_gw");
    assert_eq!(payments[1].input, "tranche.t.gw");
    assert!(payments[0].spearman > 0.9, "{}", payments[0].spearman);
    assert!(payments[1].spearman > 0.1 && payments[1].spearman < 0.4);
    let other = payments
        .iter()
        .find(|r| r.input == "tranche.other.delay_months")
        .unwrap();
    assert!(other.spearman.abs() < 0.05, "{}", other.spearman);
    assert!(payments[0].variance_share > 0.85);
    // One at a time: price at its p10 (13) and p90 (37), size random around 1.
    let (lo, hi) = (
        payments[0].median_at_p10.unwrap(),
        payments[0].median_at_p90.unwrap(),
    );
    assert!((lo - 13.0).abs() < 0.3, "{lo}");
    assert!((hi - 37.0).abs() < 0.6, "{hi}");
    // The size swing is small: 0.92 to 1.08 GW at a median price of 25.
    let (lo, hi) = (
        payments[1].median_at_p10.unwrap(),
        payments[1].median_at_p90.unwrap(),
    );
    assert!(hi - lo > 2.0 && hi - lo < 6.0, "{lo} {hi}");
}

#[test]
fn trial_table_rebuilds_each_trial() {
    let s = Scenario::parse(KNOWN, Path::new("k.toml")).unwrap();
    let t = trial_table(&s, 1, 50);
    let col = |name: &str| t.columns.iter().position(|c| c == name).expect(name);
    let (price, gw, paid) = (
        col("contract.k.usd_bn_per_gw"),
        col("tranche.t.gw"),
        col("total_compute_payments_usd_bn"),
    );
    // Constants (accelerators_per_gw, the certain 'never') are not columns.
    assert!(!t.columns.iter().any(|c| c == "tranche.t.never"));
    assert!(
        !t.columns
            .iter()
            .any(|c| c == "tranche.t.accelerators_per_gw")
    );
    assert_eq!(t.rows.len(), 50);
    for (i, row) in t.rows.iter().enumerate() {
        assert_eq!(row[0], i as f64);
        assert!((row[paid] - row[price] * row[gw]).abs() < 1e-9, "trial {i}");
    }
    // Same rows again: trials are reproducible from their index.
    assert_eq!(trial_table(&s, 1, 50), t);
}

/// A 2-thread run of `trials` trials with seed `seed`, reporting the p10,
/// p50 and p90.
fn config(trials: u64, seed: u64) -> capsim::runner::RunConfig {
    capsim::runner::RunConfig {
        trials,
        seed,
        threads: 2,
        exact: false,
        percentiles: vec![10.0, 50.0, 90.0],
    }
}

/// A run of outcomes alone (each setting of a sweep) summarises every
/// outcome exactly as a full run does, bit for bit, and keeps percentiles
/// exact far past the point where a full run switches to sketches.
#[test]
fn outcome_runs_match_full_runs() {
    use capsim::runner::{run, run_outcomes};
    use capsim::stats::Method;
    let s = Scenario::parse(KNOWN, Path::new("known.toml")).unwrap();
    let config = |trials| config(trials, 5);
    let full = run(&s, &config(3_000), &|_| {}).unwrap();
    let outcomes = run_outcomes(&s, &config(3_000), &|_| {}).unwrap();
    assert_eq!(full.method, Method::Exact);
    assert!(outcomes.series.is_empty() && !full.series.is_empty());
    assert_eq!(outcomes.outcomes, full.outcomes);
    for (a, b) in outcomes.outcomes.iter().zip(&full.outcomes) {
        assert_eq!(a.mean.map(f64::to_bits), b.mean.map(f64::to_bits));
    }
    // 24 months x 15 metrics + 12 outcomes: a full run sketches from about
    // 45,000 trials; outcomes alone stay exact.
    let big = run_outcomes(&s, &config(60_000), &|_| {}).unwrap();
    assert_eq!(big.method, Method::Exact);
    assert_eq!(big.trials, 60_000);
}

/// A run that continues a smaller sketched run (as `--precision`'s
/// doublings do) gives bit for bit a fresh run's result, simulating only
/// the trials the smaller run had not (plus its last, partial chunk).
#[test]
fn continued_runs_match_fresh_runs_and_simulate_only_new_trials() {
    use capsim::period::Period;
    use capsim::runner::{run, run_continuing};
    use capsim::stats::Method;
    use std::sync::atomic::{AtomicU64, Ordering};
    // 180 months: sketched from about 6,200 trials.
    let long = KNOWN.replace("end = \"2027-12\"", "end = \"2040-12\"");
    let s = Scenario::parse(&long, Path::new("known.toml")).unwrap();
    let config = |trials| config(trials, 8);
    let simulated = AtomicU64::new(0);
    let count = |n: u64| {
        simulated.fetch_add(n, Ordering::Relaxed);
    };
    let mut earlier = None;
    let mut last = None;
    for trials in [2_000, 7_000, 14_000] {
        let r = run_continuing(&s, &config(trials), Period::Month, &mut earlier, &count).unwrap();
        last = Some(r);
    }
    let continued = last.unwrap();
    let fresh = run(&s, &config(14_000), &|_| {}).unwrap();
    assert_eq!(fresh.method, Method::Sketch);
    let bits = |r: &capsim::runner::RunResult| -> Vec<Option<u64>> {
        r.series
            .iter()
            .chain(&r.outcomes)
            .flat_map(|s| {
                let mut v: Vec<Option<f64>> = vec![s.mean, s.std_dev];
                v.extend(&s.percentiles);
                v
            })
            .map(|x| x.map(f64::to_bits))
            .collect()
    };
    assert_eq!(bits(&continued), bits(&fresh));
    // 2,000 exact, then 7,000 afresh (sketched from here), then the 7,000
    // new trials and the 7,000th's partial chunk (856 trials) again.
    let want = 2_000 + 7_000 + (14_000 - 7_000) + 7_000 % 1024;
    assert_eq!(simulated.load(Ordering::Relaxed), want);
}

/// A common shock acts only through the delays loading on it, so its swing
/// pins it before the correlations: with the shock at its p90 the loaded
/// tranche arrives later, and the target's median month moves by about what
/// the loading implies (before, the swing pinned the shock after the
/// correlations and showed no effect at all).
#[test]
fn a_shock_swings_the_delays_loading_on_it() {
    let toml = r#"
[scenario]
name = "shocked"
start = "2026-01"
end = "2028-12"

[[shock]]
name = "grid"

[[tranche]]
name = "t"
counterparty = "c"
gw = 1
planned = "2026-03"
delay_months = { dist = "uniform", min = 0, max = 20 }
delay_shocks = { grid = 0.9 }
accelerators_per_gw = 1

[[target]]
name = "one"
metric = "capacity_online_gw"
at_least = 1
"#;
    let s = Scenario::parse(toml, Path::new("shocked.toml")).unwrap();
    let rows = sensitivity(&s, 3, 4000, &every(3, 2000));
    let shock = rows
        .iter()
        .find(|r| r.outcome == "target_one_month" && r.input == "shock.grid")
        .expect("the shock is an input of the target month");
    assert!(shock.spearman > 0.8, "{}", shock.spearman);
    let (lo, hi) = (shock.median_at_p10.unwrap(), shock.median_at_p90.unwrap());
    // Delay = 20 Phi(0.9 z_grid + 0.436 z_own); at z_grid = -/+1.2816 the
    // median delay is 20 Phi(-/+1.153) = 2.49 and 17.51 months, on the edge
    // of rounding, so the median month (planned month 2 plus the delay
    // rounded to a month) is 4 or 5, and 19 or 20.
    assert!((lo - 4.5).abs() <= 1.0, "{lo}");
    assert!((hi - 19.5).abs() <= 1.0, "{hi}");
}

/// A run keeping its first trials keeps exactly what simulating them again
/// gives (in trial order, across the chunks both threads ran), its summaries
/// are those of a run that keeps none, and sensitivity from the kept trials
/// equals sensitivity that simulates them itself.
#[test]
fn kept_trials_are_the_simulated_ones_and_give_the_same_sensitivity() {
    use capsim::model::{Model, TrialRecord, Workspace};
    use capsim::period::Period;
    use capsim::runner::{run, run_sampling};
    let s = Scenario::parse(KNOWN, Path::new("known.toml")).unwrap();
    let config = config(3_000, 9);
    let (result, kept) = run_sampling(&s, &config, Period::Month, 2_500, &|_| {}).unwrap();
    let plain = run(&s, &config, &|_| {}).unwrap();
    assert_eq!(result.outcomes, plain.outcomes);
    assert_eq!(result.series, plain.series);
    assert_eq!(kept.len(), 2_500);
    let model = Model::new(&s);
    let (mut ws, mut rec) = (Workspace::new(&s), TrialRecord::new(model.layout()));
    for trial in [0, 1, 1023, 1024, 1500, 2047, 2048, 2499] {
        model.simulate(9, trial, &mut ws, &mut rec);
        assert_eq!(kept[trial as usize].0, ws.input_values(), "trial {trial}");
        assert_eq!(kept[trial as usize].1, rec.outcomes, "trial {trial}");
    }
    // More trials than exist are not invented.
    let (_, all) = run_sampling(&s, &config, Period::Month, 10_000, &|_| {}).unwrap();
    assert_eq!(all.len(), 3_000);
    // Given part of the sample, the rest is simulated.
    let fresh = sensitivity(&s, 9, 2_000, &every(3, 1_000));
    assert_eq!(
        capsim::analysis::sensitivity_with(&s, 9, kept.clone(), 2_000, &every(3, 1_000)),
        fresh
    );
    let mut part = kept;
    part.truncate(700);
    assert_eq!(
        capsim::analysis::sensitivity_with(&s, 9, part.clone(), 2_000, &every(3, 1_000)),
        fresh
    );
    part.truncate(0);
    assert_eq!(
        capsim::analysis::sensitivity_with(&s, 9, part, 2_000, &every(3, 1_000)),
        fresh
    );
}
