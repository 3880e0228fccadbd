//! `capsim sweep`: a scenario over a grid of settings, common random numbers.

use crate::util::{SMALL, Workdir, column as col};

fn num(s: &str) -> f64 {
    s.parse().unwrap_or_else(|_| panic!("not a number: {s:?}"))
}

/// Outcome columns of SMALL: value outcomes (5 key outcomes, 3 contracts, 1
/// target month) x 4, and events (shortfall, 1 target reached) x 2.
const OUTCOME_COLUMNS: usize = (5 + 3 + 1) * 4 + 2 * 2;

#[test]
fn a_one_key_sweep_has_one_row_per_value() {
    let wd = Workdir::new();
    wd.create("s.toml", SMALL);
    let run = wd.capsim(&[
        "sweep",
        "s.toml",
        "--set",
        "revenue.run_rate_usd_bn=5,10,20",
        "--trials",
        "500",
    ]);
    run.expect_code(0);
    assert!(run.stdout.contains("3 settings"), "{}", run.stdout);
    assert!(run.stdout.lines().all(|l| l.len() <= 80), "{}", run.stdout);
    let t = wd.read_csv("output/sweeps/s/sweep.csv");
    assert_eq!(t.len(), 4);
    let h = &t[0];
    assert_eq!(&h[..3], ["setting", "key1", "value1"]);
    assert_eq!(h.len(), 3 + OUTCOME_COLUMNS);
    for name in [
        "total_compute_payments_usd_bn_mean",
        "total_revenue_usd_bn_p10",
        "peak_funding_gap_usd_bn_p50",
        "min_cash_usd_bn_p90",
        "capacity_online_end_gw_mean",
        "target_two-gw_month_p50",
        "cash_shortfall_ever_probability",
        "cash_shortfall_ever_std_error",
        "target_two-gw_reached_probability",
    ] {
        col(h, name);
    }
    for (i, row) in t[1..].iter().enumerate() {
        assert_eq!(row.len(), h.len());
        assert_eq!(row[0], (i + 1).to_string());
        assert_eq!(row[1], "revenue.run_rate_usd_bn");
    }
    let values: Vec<&str> = t[1..].iter().map(|r| r[2].as_str()).collect();
    assert_eq!(values, ["5", "10", "20"]);
    // More starting demand, more revenue.
    let rev: Vec<f64> = t[1..]
        .iter()
        .map(|r| num(&r[col(h, "total_revenue_usd_bn_mean")]))
        .collect();
    assert!(rev[0] < rev[1] && rev[1] < rev[2], "{rev:?}");
    let manifest = wd.read("output/sweeps/s/manifest.json");
    assert!(manifest.contains("common random numbers"), "{manifest}");
    assert!(manifest.contains("\"trials\": 500"), "{manifest}");
}

#[test]
fn a_two_key_sweep_is_a_grid_first_key_slowest() {
    let wd = Workdir::new();
    wd.create("s.toml", SMALL);
    wd.capsim(&[
        "sweep",
        "s.toml",
        "--set",
        "cash.start_usd_bn=10,20,30",
        "--set",
        "tranche.site-a.ramp_months=0,6",
        "--trials",
        "300",
        "-q",
    ])
    .expect_code(0);
    let t = wd.read_csv("output/sweeps/s/sweep.csv");
    assert_eq!(t.len(), 1 + 6);
    let h = &t[0];
    assert_eq!(&h[..5], ["setting", "key1", "value1", "key2", "value2"]);
    assert_eq!(h.len(), 5 + OUTCOME_COLUMNS);
    let cells: Vec<(&str, &str)> = t[1..]
        .iter()
        .map(|r| (r[2].as_str(), r[4].as_str()))
        .collect();
    assert_eq!(
        cells,
        [
            ("10", "0"),
            ("10", "6"),
            ("20", "0"),
            ("20", "6"),
            ("30", "0"),
            ("30", "6")
        ]
    );
    assert!(t[1..].iter().all(|r| r[3] == "tranche.site-a.ramp_months"));
}

#[test]
fn a_price_moves_its_contract_only_under_common_random_numbers() {
    let wd = Workdir::new();
    wd.create("s.toml", SMALL);
    // `usd_bn_per_gw_year` is absent from SMALL (it defaults): setting an
    // absent but valid key is allowed.
    wd.capsim(&[
        "sweep",
        "s.toml",
        "--set",
        "contract.cloud.usd_bn_per_gw_year=2,5,10,20",
        "--trials",
        "1000",
        "-q",
    ])
    .expect_code(0);
    let t = wd.read_csv("output/sweeps/s/sweep.csv");
    let h = &t[0];
    let column = |name: &str| -> Vec<String> {
        let c = col(h, name);
        t[1..].iter().map(|r| r[c].clone()).collect()
    };
    for stat in ["mean", "p10", "p50", "p90"] {
        let cloud: Vec<f64> = column(&format!("contract_cloud_payments_usd_bn_{stat}"))
            .iter()
            .map(|s| num(s))
            .collect();
        assert!(cloud.windows(2).all(|w| w[0] <= w[1]), "{stat}: {cloud:?}");
        assert!(cloud[0] < cloud[3], "{stat}: {cloud:?}");
    }
    // Everything that does not depend on the cloud price is identical in
    // every trial, so identical in every statistic.
    for name in [
        "contract_chips_payments_usd_bn_mean",
        "contract_chips_payments_usd_bn_p90",
        "total_revenue_usd_bn_mean",
        "total_revenue_usd_bn_p10",
        "capacity_online_end_gw_p50",
        "target_two-gw_reached_probability",
    ] {
        let c = column(name);
        assert!(c.iter().all(|v| *v == c[0]), "{name}: {c:?}");
    }
}

#[test]
fn a_distribution_with_commas_is_one_value() {
    let wd = Workdir::new();
    wd.create("s.toml", SMALL);
    wd.capsim(&[
        "sweep",
        "s.toml",
        "--set",
        r#"tranche.site-a.delay_months={ dist = "pert", min = 0, mode = 3, max = 12 }, 1, { dist = "uniform", min = 0, max = 2 }"#,
        "--trials",
        "300",
        "-q",
    ])
    .expect_code(0);
    let t = wd.read_csv("output/sweeps/s/sweep.csv");
    assert_eq!(t.len(), 4);
    assert_eq!(t[1][2], r#"{ dist = "pert", min = 0, mode = 3, max = 12 }"#);
    assert_eq!(t[2][2], "1");
    assert_eq!(t[3][2], r#"{ dist = "uniform", min = 0, max = 2 }"#);
    let text = wd.read("output/sweeps/s/sweep.csv");
    assert!(text.is_ascii());
}

#[test]
fn sweeping_trials_and_seed_is_allowed() {
    let wd = Workdir::new();
    wd.create("s.toml", SMALL);
    wd.capsim(&[
        "sweep",
        "s.toml",
        "--set",
        "simulation.seed=1,2",
        "--set",
        "simulation.trials=200,400",
        "-q",
    ])
    .expect_code(0);
    let t = wd.read_csv("output/sweeps/s/sweep.csv");
    assert_eq!(t.len(), 5);
    let h = &t[0];
    let c = col(h, "total_revenue_usd_bn_mean");
    // Different seeds or trial counts give different estimates.
    assert_ne!(t[1][c], t[3][c]);
    assert_ne!(t[1][c], t[2][c]);
    let manifest = wd.read("output/sweeps/s/manifest.json");
    assert!(manifest.contains("\"trials\": null"), "{manifest}");
}

/// Runs a sweep that must fail with exit 2, write nothing, and say `needles`.
fn refused(sets: &[&str], needles: &[&str]) {
    let wd = Workdir::new();
    wd.create("s.toml", SMALL);
    let mut args = vec!["sweep", "s.toml", "--trials", "100"];
    for s in sets {
        args.extend(["--set", s]);
    }
    let run = wd.capsim(&args);
    run.expect_code(2);
    for n in needles {
        assert!(run.stderr.contains(n), "missing {n:?} in:\n{}", run.stderr);
    }
    assert_eq!(wd.files(), ["s.toml"], "{}", run.stderr);
}

#[test]
fn unknown_keys_are_refused_with_the_valid_ones() {
    refused(
        &["revenue.anual_growth=0.5,0.6"],
        &[
            "error: --set revenue.anual_growth=0.5: unknown field `anual_growth`",
            "`annual_growth`",
        ],
    );
    refused(
        &["revenu.annual_growth=0.5"],
        &[
            "unknown section \"revenu\"",
            "sections are: scenario, simulation",
        ],
    );
}

#[test]
fn unknown_tranche_names_are_refused_with_the_names() {
    refused(
        &["tranche.site-c.delay_months=1,2"],
        &["no tranche named \"site-c\"; tranches are: site-a, site-b"],
    );
}

#[test]
fn values_of_the_wrong_type_are_refused_like_in_a_file() {
    refused(
        &["cash.start_usd_bn=10,\"lots\""],
        &[
            "error: --set cash.start_usd_bn=\"lots\":",
            "invalid type: string \"lots\"",
        ],
    );
    refused(
        &[r#"tranche.site-a.delay_months={ dist = "pert", min = 0, mode = 3 }"#],
        &["`pert` takes `min`, `mode` and `max`"],
    );
    // A bad value of either key is refused before anything runs.
    refused(
        &["cash.start_usd_bn=1,2", "scenario.end=2027-12,2025-01"],
        &["--set scenario.end=2025-01"],
    );
}

#[test]
fn at_most_two_keys() {
    refused(
        &[
            "cash.start_usd_bn=1",
            "revenue.run_rate_usd_bn=2",
            "costs.revenue_share=0.1",
        ],
        &["one or two keys"],
    );
    refused(&["cash.start_usd_bn=1", "cash.start_usd_bn=2"], &["twice"]);
    refused(&["cash.start_usd_bn"], &["KEY=V1,V2"]);
}
