//! `capsim run` and `capsim validate` on valid input.

use crate::util::{SMALL, Workdir};

#[test]
fn run_writes_the_three_files_with_the_documented_columns() {
    let wd = Workdir::new();
    wd.create("s.toml", SMALL);
    let run = wd.capsim(&["run", "s.toml"]);
    run.expect_code(0);
    let (wide, files): (Vec<String>, Vec<String>) = wd
        .files()
        .into_iter()
        .partition(|f| f.starts_with("output/s/wide/"));
    // One wide file per metric of timeseries.csv (18, counted below).
    assert_eq!(wide.len(), 18, "{wide:?}");
    assert!(wide.contains(&"output/s/wide/capacity_online_gw.csv".to_string()));
    assert_eq!(
        files,
        [
            "output/s/charts/deals-peak-funding-need.svg",
            "output/s/charts/distribution-peak_funding_gap_usd_bn.svg",
            "output/s/charts/exceedance-two-gw.svg",
            "output/s/charts/fan-capacity_online_gw.svg",
            "output/s/charts/fan-cash_balance_usd_bn.svg",
            "output/s/charts/fan-compute_online_eflops.svg",
            "output/s/charts/fan-cumulative_compute_payments_usd_bn.svg",
            "output/s/charts/fan-funding_gap_usd_bn.svg",
            "output/s/charts/fan-funding_need_usd_bn.svg",
            "output/s/charts/fan-revenue_run_rate_usd_bn.svg",
            "output/s/charts/histogram-peak_funding_gap_usd_bn.svg",
            "output/s/charts/payments-by-counterparty.svg",
            "output/s/charts/story.svg",
            "output/s/charts/tornado-funding_need_usd_bn.svg",
            "output/s/charts/tornado-total_compute_payments_usd_bn.svg",
            "output/s/deals.csv",
            "output/s/manifest.json",
            "output/s/report.html",
            "output/s/sensitivity.csv",
            "output/s/summary.csv",
            "output/s/targets.csv",
            "output/s/timeseries.csv",
            "output/s/years.csv",
            "s.toml"
        ]
    );

    let ts = wd.read("output/s/timeseries.csv");
    let mut lines = ts.lines();
    assert_eq!(
        lines.next().unwrap(),
        "metric,unit,month,mean,std_dev,std_error,p5,p10,p25,p50,p75,p90,p95,percentile_error_bound"
    );
    // 18 metrics (compute included: a tranche gives PFLOP/s; interest and
    // equity raised only with [financing]) x 24 months.
    assert_eq!(ts.lines().count(), 1 + 18 * 24);
    for metric in [
        "capacity_online_gw",
        "accelerators_online",
        "compute_payments_usd_bn",
        "revenue_usd_bn",
        "cash_balance_usd_bn",
        "capacity_planned_gw",
        "funding_gap_usd_bn",
        "cumulative_compute_payments_usd_bn",
        "free_cash_flow_usd_bn",
        "funding_need_usd_bn",
    ] {
        assert!(ts.contains(&format!("\n{metric},")), "{metric} missing");
    }
    assert!(ts.contains("\ncapacity_online_gw,GW,2026-01,"));
    assert!(ts.contains("\ncash_balance_usd_bn,USD bn,2027-12,"));

    let summary = wd.read("output/s/summary.csv");
    assert!(
        summary
            .starts_with("outcome,unit,mean,std_error,std_dev,p5,p10,p25,p50,p75,p90,p95,trials,p5_month,p10_month,p25_month,p50_month,p75_month,p90_month,p95_month\n")
    );
    for outcome in [
        "total_compute_payments_usd_bn",
        "peak_funding_gap_usd_bn",
        "cash_shortfall_ever",
        "target_two-gw_reached",
        "target_two-gw_month",
        "contract_cloud_payments_usd_bn",
    ] {
        assert!(
            summary.contains(&format!("\n{outcome},")),
            "{outcome} missing"
        );
    }

    let manifest: serde_json::Value =
        serde_json::from_str(&wd.read("output/s/manifest.json")).unwrap();
    assert_eq!(manifest["seed"], 11);
    assert_eq!(manifest["trials"], 3000);
    assert_eq!(manifest["capsim_version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(manifest["scenario_sha256"].as_str().unwrap().len(), 64);

    // The end-of-run summary names the key outcomes and the folder.
    assert!(run.stdout.contains("peak funding gap"), "{}", run.stdout);
    assert!(run.stdout.contains("target two-gw"), "{}", run.stdout);
    assert!(run.stdout.contains("output/s/"), "{}", run.stdout);
}

#[test]
fn csv_is_ascii_plain_decimal_and_complete() {
    let wd = Workdir::new();
    wd.create("s.toml", SMALL);
    wd.capsim(&["run", "s.toml", "-q"]).expect_code(0);
    for file in ["output/s/timeseries.csv", "output/s/summary.csv"] {
        let text = wd.read(file);
        assert!(text.is_ascii());
        let mut rows = text.lines();
        let width = rows.next().unwrap().split(',').count();
        for row in rows {
            let cells: Vec<&str> = row.split(',').collect();
            assert_eq!(cells.len(), width, "{row}");
            for cell in &cells[2..] {
                let month = cell.len() == 7 && cell.as_bytes()[4] == b'-';
                let plain = cell
                    .bytes()
                    .all(|b| b.is_ascii_digit() || b == b'.' || b == b'-');
                assert!(
                    month || plain,
                    "not a plain decimal or month: {cell:?} in {row}"
                );
                if !month && !cell.is_empty() {
                    assert!(cell.parse::<f64>().unwrap().is_finite(), "{row}");
                }
            }
        }
    }
}

#[test]
fn options_override_the_scenario() {
    let wd = Workdir::new();
    wd.create("s.toml", SMALL);
    wd.capsim(&[
        "run",
        "s.toml",
        "--trials",
        "100",
        "--seed",
        "5",
        "--percentiles",
        "2.5,50,97.5",
        "--out",
        "res",
        "-q",
    ])
    .expect_code(0);
    let summary = wd.read("res/s/summary.csv");
    assert!(summary.starts_with(
        "outcome,unit,mean,std_error,std_dev,p2.5,p50,p97.5,trials,p2.5_month,p50_month,p97.5_month\n"
    ));
    // A value outcome: no months after the trials.
    assert!(summary.lines().nth(1).unwrap().ends_with(",100,,,"));
    let manifest = wd.read("res/s/manifest.json");
    assert!(manifest.contains("\"seed\": 5"));
}

#[test]
fn runs_several_scenarios_into_their_own_folders() {
    let wd = Workdir::new();
    wd.create("a.toml", SMALL);
    wd.create(
        "b.toml",
        SMALL.replace("name = \"small\"", "name = \"other\""),
    );
    wd.capsim(&["run", "a.toml", "b.toml", "--trials", "50", "-q"])
        .expect_code(0);
    assert!(wd.exists("output/a/summary.csv") && wd.exists("output/b/summary.csv"));
}

#[test]
fn rerunning_replaces_only_capsim_files() {
    let wd = Workdir::new();
    wd.create("s.toml", SMALL);
    wd.create("output/s/my-notes.txt", "keep me");
    wd.capsim(&["run", "s.toml", "--trials", "50", "-q"])
        .expect_code(0);
    wd.capsim(&["run", "s.toml", "--trials", "60", "-q"])
        .expect_code(0);
    assert_eq!(wd.read("output/s/my-notes.txt"), "keep me");
    assert!(
        wd.read("output/s/summary.csv")
            .lines()
            .nth(1)
            .unwrap()
            .ends_with(",60,,,,,,,")
    );
    assert!(
        wd.files().iter().all(|f| !f.contains(".capsim-")),
        "temp files left: {:?}",
        wd.files()
    );
}

#[test]
fn validate_describes_valid_scenarios() {
    let wd = Workdir::new();
    wd.create("s.toml", SMALL);
    let run = wd.capsim(&["validate", "s.toml"]);
    run.expect_code(0);
    assert!(
        run.stdout
            .starts_with("s.toml: ok: \"small\", 2026-01 to 2027-12, 2 tranches"),
        "{}",
        run.stdout
    );
    assert!(!wd.exists("output"));
}

#[test]
fn help_has_examples_and_version_matches() {
    let wd = Workdir::new();
    let help = wd.capsim(&["run", "--help"]);
    help.expect_code(0);
    assert!(help.stdout.contains("Examples:"));
    assert!(help.stdout.contains("--trials"));
    let version = wd.capsim(&["--version"]);
    assert_eq!(
        version.stdout.trim(),
        format!("capsim {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn shipped_scenarios_validate() {
    let wd = Workdir::new();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .map(|p| p.display().to_string())
        .collect();
    files.sort();
    assert!(!files.is_empty());
    let mut args = vec!["validate"];
    args.extend(files.iter().map(String::as_str));
    wd.capsim(&args).expect_code(0);
}

/// targets.csv is the exact exceedance curve: the share of trials that met
/// the target by each month, never decreasing, ending at P(reached).
#[test]
fn targets_csv_gives_the_exceedance_curve() {
    let wd = Workdir::new();
    wd.create("s.toml", SMALL);
    wd.capsim(&["run", "s.toml", "-q", "--no-charts"])
        .expect_code(0);
    let text = wd.read("output/s/targets.csv");
    let mut rows = text.lines();
    assert_eq!(
        rows.next().unwrap(),
        "target,metric,threshold,direction,month,p_met_by_month,std_error"
    );
    let p: Vec<f64> = rows
        .map(|r| r.split(',').nth(5).unwrap().parse().unwrap())
        .collect();
    assert_eq!(p.len(), 24);
    assert!(p.windows(2).all(|w| w[0] <= w[1]));
    let summary = wd.read("output/s/summary.csv");
    let reached = summary
        .lines()
        .find(|l| l.starts_with("target_two-gw_reached,"))
        .unwrap();
    let mean: f64 = reached.split(',').nth(2).unwrap().parse().unwrap();
    assert!((p[23] - mean).abs() < 1e-9, "{} vs {mean}", p[23]);
}

#[test]
fn export_trials_writes_the_audit_table() {
    let wd = Workdir::new();
    wd.create("s.toml", SMALL);
    wd.capsim(&[
        "run",
        "s.toml",
        "-q",
        "--no-charts",
        "--no-sensitivity",
        "--export-trials",
        "25",
    ])
    .expect_code(0);
    assert!(!wd.exists("output/s/sensitivity.csv"));
    let text = wd.read("output/s/trials.csv");
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(header[0], "trial");
    for col in [
        "tranche.site-a.delay_months",
        "funding.round.happens",
        "revenue.annual_growth.year2",
        "total_compute_payments_usd_bn",
        "target_two-gw_month",
    ] {
        assert!(header.contains(&col), "{col} missing from {header:?}");
    }
    assert_eq!(lines.count(), 25);
    // The sensitivity file is there by default.
    wd.capsim(&["run", "s.toml", "-q", "--no-charts"])
        .expect_code(0);
    let sens = wd.read("output/s/sensitivity.csv");
    assert!(sens.starts_with("outcome,unit,input,spearman,variance_share,median,median_at_input_p10,median_at_input_p90,swing,change_at_input_p10,change_at_input_p90,run_p50,tornado_rank\n"));
    assert!(sens.contains("\npeak_funding_gap_usd_bn,USD bn,"));
}

#[test]
fn precision_doubles_trials_until_stable_and_records_it() {
    let wd = Workdir::new();
    wd.create("s.toml", SMALL);
    let precise = [
        "run",
        "s.toml",
        "-q",
        "--no-charts",
        "--no-sensitivity",
        "--trials",
        "500",
        "--precision",
        "0.02",
        "--max-trials",
        "64000",
    ];
    wd.capsim(&precise).expect_code(0);
    let m: serde_json::Value = serde_json::from_str(&wd.read("output/s/manifest.json")).unwrap();
    let p = &m["precision"];
    let runs = p["runs"].as_array().unwrap();
    assert!(runs.len() >= 2, "{p}");
    assert_eq!(runs[0][0], 500);
    assert_eq!(m["trials"], p["trials"]);
    assert_eq!(p["converged"], true, "{p}");
    assert!(p["reached"].as_f64().unwrap() <= 0.02);
    // Deterministic: the same call stops at the same trials with the same bytes.
    let first = wd.read("output/s/summary.csv");
    wd.capsim(&precise).expect_code(0);
    assert_eq!(first, wd.read("output/s/summary.csv"));
    // A cap below the next doubling stops at once, unconverged.
    wd.capsim(&[
        "run",
        "s.toml",
        "-q",
        "--no-charts",
        "--no-sensitivity",
        "--trials",
        "500",
        "--precision",
        "0.000001",
        "--max-trials",
        "1000",
    ])
    .expect_code(0);
    let m: serde_json::Value = serde_json::from_str(&wd.read("output/s/manifest.json")).unwrap();
    assert_eq!(m["precision"]["converged"], false);
    assert_eq!(m["trials"], 1000);
    wd.capsim(&["run", "s.toml", "--precision", "2"])
        .expect_code(2);
}

#[test]
fn period_option_writes_quarterly_table() {
    let wd = Workdir::new();
    wd.create("s.toml", SMALL);
    wd.capsim(&[
        "run",
        "s.toml",
        "-q",
        "--no-charts",
        "--no-sensitivity",
        "--period",
        "quarter",
    ])
    .expect_code(0);
    let text = wd.read("output/s/timeseries_by_quarter.csv");
    assert!(text.starts_with("metric,unit,period,period_end,mean,std_dev,std_error,p5,"));
    assert!(text.contains("\ncompute_payments_usd_bn,USD bn/quarter,2026-Q1,2026-03,"));
    assert!(text.contains("\ncapacity_online_gw,GW,2027-Q4,2027-12,"));
    assert!(wd.exists("output/s/timeseries.csv"));
    wd.capsim(&["run", "s.toml", "--period", "week"])
        .expect_code(2);
}

/// `capsim bench` runs each trial and thread count `--repeat` times and
/// reports the best and median wall time, trials per second from the best,
/// peak memory, and the speed-up from 1 to 2 threads.
#[test]
fn bench_repeats_each_measurement_and_reports_best_and_median() {
    let wd = Workdir::new();
    wd.create("s.toml", SMALL);
    let run = wd.capsim(&[
        "bench",
        "s.toml",
        "--trials",
        "300,600",
        "--threads",
        "1,2",
        "--repeat",
        "2",
    ]);
    run.expect_code(0);
    assert!(
        run.stdout.contains("each measurement 2 times"),
        "{}",
        run.stdout
    );
    let rows: Vec<Vec<&str>> = run
        .stdout
        .lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| trials"))
        .map(|l| l.trim_matches('|').split('|').map(str::trim).collect())
        .collect();
    assert_eq!(rows.len(), 4, "{}", run.stdout);
    for (row, (trials, threads)) in rows.iter().zip([(300, 1), (300, 2), (600, 1), (600, 2)]) {
        assert_eq!(row[0], trials.to_string());
        assert_eq!(row[1], threads.to_string());
        let best: f64 = row[2].parse().unwrap();
        let median: f64 = row[3].parse().unwrap();
        let rate: f64 = row[4].parse().unwrap();
        let memory: f64 = row[5].parse().unwrap();
        assert!(best <= median && rate > 0.0, "{row:?}");
        assert!(memory > 1.0, "{row:?}");
    }
    assert!(
        run.stdout
            .contains("speed-up from 1 to 2 threads at 600 trials: ")
    );
    let bad = wd.capsim(&["bench", "s.toml", "--repeat", "0"]);
    bad.expect_code(2);
}

/// `[[outside_view]]` tables give `outside_views.csv` (p10, p50 and p90
/// whatever `--percentiles` says), a terminal table and a report section;
/// a yearly target runs beside them.
#[test]
fn outside_views_csv_terminal_and_report() {
    const VIEWS: &str = r#"
[[outside_view]]
name = "revenue-2027"
description = "Plan: revenue in 2027, \"base case\""
metric = "revenue_usd_bn"
from = "2027-01"
to = "2027-12"
stat = "sum"
value = 25
source = "O3"

[[outside_view]]
name = "cash-end"
metric = "cash_balance_usd_bn"
from = "2026-01"
to = "2027-12"
stat = "end"
value = 0

[[target]]
name = "revenue-20-a-year"
metric = "revenue_usd_bn"
period = "year"
at_least = 20
"#;
    let wd = Workdir::new();
    wd.create("s.toml", format!("{SMALL}{VIEWS}"));
    let args = ["run", "s.toml", "--trials", "500", "--no-sensitivity"];
    let run = wd.capsim(&[&args[..], &["--percentiles", "5,95", "--no-charts"]].concat());
    run.expect_code(0);
    assert!(run.stdout.contains("Outside views"), "{}", run.stdout);
    assert!(run.stdout.contains("  revenue-2027 "), "{}", run.stdout);
    assert!(run.stdout.contains("outside_views.csv"), "{}", run.stdout);
    let rows = wd.read_csv("output/s/outside_views.csv");
    assert_eq!(
        rows[0].join(","),
        "name,description,metric,from,to,stat,published,p10,p50,p90,share_of_trials_below_published,source"
    );
    assert_eq!(rows.len(), 3);
    assert_eq!(
        rows[1][..7].join(","),
        "revenue-2027,Plan: revenue in 2027, \"base case\",revenue_usd_bn,2027-01,2027-12,sum,25"
    );
    assert_eq!(rows[1][11], "O3");
    assert_eq!(
        rows[2][..7].join(","),
        "cash-end,,cash_balance_usd_bn,2026-01,2027-12,end,0"
    );
    for row in &rows[1..] {
        for cell in &row[6..11] {
            assert!(
                !cell.is_empty()
                    && cell
                        .bytes()
                        .all(|b| b.is_ascii_digit() || b"-.".contains(&b)),
                "not a plain decimal: {row:?}"
            );
        }
        let p: Vec<f64> = row[7..11].iter().map(|c| c.parse().unwrap()).collect();
        assert!(p[0] <= p[1] && p[1] <= p[2], "{row:?}");
        assert!((0.0..=1.0).contains(&p[3]), "{row:?}");
    }
    assert!(wd.read("output/s/outside_views.csv").is_ascii());
    let summary = wd.read("output/s/summary.csv");
    assert!(summary.contains("\nview_revenue-2027,USD bn,"));
    assert!(summary.contains("\nview_revenue-2027_below,probability,"));
    assert!(summary.contains("\ntarget_revenue-20-a-year_month,"));
    let report = wd.read("output/s/report.html");
    assert!(report.contains("<h2>Outside views</h2>"));
    assert!(report.contains("Plan: revenue in 2027, &quot;base case&quot;"));

    // With the default percentiles, the CSV's p10, p50 and p90 are
    // summary.csv's for the view outcome.
    wd.capsim(&[&args[..], &["-q", "--no-charts"]].concat())
        .expect_code(0);
    let views = wd.read_csv("output/s/outside_views.csv");
    let summary = wd.read_csv("output/s/summary.csv");
    let row = summary
        .iter()
        .find(|r| r[0] == "view_revenue-2027")
        .unwrap();
    let col = |name: &str| crate::util::column(&summary[0], name);
    assert_eq!(views[1][7], row[col("p10")]);
    assert_eq!(views[1][8], row[col("p50")]);
    assert_eq!(views[1][9], row[col("p90")]);
    let below = summary
        .iter()
        .find(|r| r[0] == "view_revenue-2027_below")
        .unwrap();
    assert_eq!(views[1][10], below[col("mean")]);
}
