//! The year-by-year table (`years.csv`, the report's section, the terminal
//! table) and the story chart: every number checked against another output
//! that computes it another way.

use std::collections::BTreeMap;

use crate::util::{SMALL, Workdir, column};

/// `SMALL` starting in November 2025: a partial first calendar year.
fn small_from_november() -> String {
    SMALL.replacen("start = \"2026-01\"", "start = \"2025-11\"", 1)
}

/// `SMALL` with equity raised to hold the floor and a one-year horizon, so
/// that each trial's funding raised in its one year is its total funding
/// plus its total equity.
fn small_with_equity_one_year() -> String {
    SMALL.replacen("end = \"2027-12\"", "end = \"2026-12\"", 1)
        + "\n[financing]\ndebt_rate = 0.1\nequity_block_usd_bn = 2\nequity_cost = 0.1\n"
}

/// Rows of a long CSV keyed by (first column, year column), each row's cells
/// by column name.
fn keyed(
    rows: &[Vec<String>],
    key: &str,
    year: &str,
) -> BTreeMap<(String, String), BTreeMap<String, String>> {
    let header = &rows[0];
    let (k, y) = (column(header, key), column(header, year));
    rows[1..]
        .iter()
        .map(|r| {
            let cells = header.iter().cloned().zip(r.iter().cloned()).collect();
            ((r[k].clone(), r[y].clone()), cells)
        })
        .collect()
}

/// The statistics columns both files have.
const STATS: [&str; 10] = [
    "mean",
    "std_dev",
    "std_error",
    "p5",
    "p10",
    "p25",
    "p50",
    "p75",
    "p90",
    "p95",
];

#[test]
fn table_equals_period_year_output_and_needs_no_period() {
    let wd = Workdir::new();
    wd.create("s.toml", small_from_november());
    wd.capsim(&[
        "run",
        "s.toml",
        "--trials",
        "2000",
        "--period",
        "year",
        "--out",
        "y",
        "-q",
        "--no-charts",
    ])
    .expect_code(0);
    wd.capsim(&[
        "run",
        "s.toml",
        "--trials",
        "2000",
        "--out",
        "m",
        "-q",
        "--no-charts",
    ])
    .expect_code(0);
    // The table is there without --period year, and the same.
    assert_eq!(wd.read("y/s/years.csv"), wd.read("m/s/years.csv"));
    assert!(!wd.exists("m/s/timeseries_by_year.csv"));

    let years = keyed(&wd.read_csv("y/s/years.csv"), "quantity", "last_month");
    let by_year = keyed(
        &wd.read_csv("y/s/timeseries_by_year.csv"),
        "metric",
        "period_end",
    );
    let quantities = [
        "capacity_online_gw",
        "compute_payments_usd_bn",
        "revenue_usd_bn",
        "operating_costs_usd_bn",
        "free_cash_flow_usd_bn",
        "cash_balance_usd_bn",
        "funding_need_usd_bn",
    ];
    let mut compared = 0;
    for ((q, end), row) in &years {
        if q == "funding_raised_usd_bn" {
            continue;
        }
        assert!(quantities.contains(&q.as_str()), "{q}");
        let other = &by_year[&(q.clone(), end.clone())];
        for s in STATS {
            assert_eq!(row[s], other[s], "{q} {end} {s}");
        }
        compared += 1;
    }
    // Seven metrics in three years (2025 Nov-Dec, 2026, 2027).
    assert_eq!(compared, 7 * 3);
    // Without [financing], funding raised is the funding events alone.
    for end in ["2025-12", "2026-12", "2027-12"] {
        let raised = &years[&("funding_raised_usd_bn".into(), end.into())];
        let funding = &by_year[&("funding_usd_bn".into(), end.into())];
        for s in STATS {
            assert_eq!(raised[s], funding[s], "{end} {s}");
        }
    }
}

#[test]
fn stocks_at_year_end_are_the_monthly_series_at_that_month() {
    let wd = Workdir::new();
    wd.create("s.toml", small_from_november());
    wd.capsim(&["run", "s.toml", "--trials", "1500", "-q", "--no-charts"])
        .expect_code(0);
    let years = keyed(&wd.read_csv("output/s/years.csv"), "quantity", "last_month");
    let monthly = keyed(&wd.read_csv("output/s/timeseries.csv"), "metric", "month");
    for (q, end) in [
        ("capacity_online_gw", "2025-12"),
        ("cash_balance_usd_bn", "2026-12"),
        ("funding_need_usd_bn", "2027-12"),
    ] {
        let a = &years[&(q.into(), end.into())];
        let b = &monthly[&(q.into(), end.into())];
        for s in ["mean", "p10", "p50", "p90"] {
            assert_eq!(a[s], b[s], "{q} {end} {s}");
        }
    }
}

/// Excel's PERCENTILE.INC of `values` at `p` percent.
fn percentile_inc(values: &mut [f64], p: f64) -> f64 {
    values.sort_by(f64::total_cmp);
    let h = (values.len() - 1) as f64 * p / 100.0;
    let (lo, frac) = (h.floor() as usize, h - h.floor());
    let hi = (lo + 1).min(values.len() - 1);
    values[lo] + frac * (values[hi] - values[lo])
}

#[test]
fn funding_raised_is_each_trials_funding_plus_equity() {
    let wd = Workdir::new();
    wd.create("s.toml", small_with_equity_one_year());
    wd.capsim(&[
        "run",
        "s.toml",
        "--trials",
        "800",
        "--export-trials",
        "800",
        "-q",
        "--no-charts",
        "--no-sensitivity",
    ])
    .expect_code(0);
    let trials = wd.read_csv("output/s/trials.csv");
    let (f, e) = (
        column(&trials[0], "total_funding_usd_bn"),
        column(&trials[0], "total_equity_raised_usd_bn"),
    );
    let mut sums: Vec<f64> = trials[1..]
        .iter()
        .map(|r| r[f].parse::<f64>().unwrap() + r[e].parse::<f64>().unwrap())
        .collect();
    assert_eq!(sums.len(), 800);
    // Equity is raised in some trials and not in others: the sum is a real
    // test of adding per trial.
    let equity: Vec<f64> = trials[1..].iter().map(|r| r[e].parse().unwrap()).collect();
    assert!(equity.iter().any(|x| *x > 0.0) && equity.contains(&0.0));
    let years = keyed(&wd.read_csv("output/s/years.csv"), "quantity", "year");
    let row = &years[&("funding_raised_usd_bn".into(), "2026".into())];
    let mean = sums.iter().sum::<f64>() / sums.len() as f64;
    let close = |a: f64, b: f64| (a - b).abs() <= 2e-6 * (1.0 + b.abs());
    assert!(
        close(row["mean"].parse().unwrap(), mean),
        "mean {row:?} vs {mean}"
    );
    for p in [5.0, 10.0, 25.0, 50.0, 75.0, 90.0, 95.0] {
        let want = percentile_inc(&mut sums, p);
        let got: f64 = row[&format!("p{p}")].parse().unwrap();
        assert!(close(got, want), "p{p}: {got} vs {want}");
    }
}

#[test]
fn partial_and_horizon_year_labels() {
    let wd = Workdir::new();
    wd.create("s.toml", small_from_november());
    wd.capsim(&["run", "s.toml", "--trials", "300", "-q", "--no-charts"])
        .expect_code(0);
    let rows = wd.read_csv("output/s/years.csv");
    let h = &rows[0];
    let (year, first, last, months) = (
        column(h, "year"),
        column(h, "first_month"),
        column(h, "last_month"),
        column(h, "months"),
    );
    let spans: Vec<[&str; 4]> = rows[1..4]
        .iter()
        .map(|r| {
            [
                r[year].as_str(),
                r[first].as_str(),
                r[last].as_str(),
                r[months].as_str(),
            ]
        })
        .collect();
    assert_eq!(
        spans,
        [
            ["2025 (Nov-Dec)", "2025-11", "2025-12", "2"],
            ["2026", "2026-01", "2026-12", "12"],
            ["2027", "2027-01", "2027-12", "12"],
        ]
    );
    // Eight quantities, three years each.
    assert_eq!(rows.len(), 1 + 8 * 3);
    wd.capsim(&[
        "run",
        "s.toml",
        "--trials",
        "300",
        "-q",
        "--no-charts",
        "--years",
        "horizon",
        "--out",
        "h",
    ])
    .expect_code(0);
    let rows = wd.read_csv("h/s/years.csv");
    let labels: Vec<&str> = rows[1..4].iter().map(|r| r[year].as_str()).collect();
    assert_eq!(
        labels,
        [
            "Y1 (2025-11..2026-10)",
            "Y2 (2026-11..2027-10)",
            "Y3 (2027-11..2027-12)"
        ]
    );
    assert_eq!(rows[3][months], "2");
    let bad = wd.capsim(&["run", "s.toml", "--years", "fiscal", "-q"]);
    assert_eq!(bad.code, 2, "{}", bad.stderr);
    assert!(bad.stderr.contains("calendar or horizon"), "{}", bad.stderr);
}

#[test]
fn table_and_story_do_not_depend_on_threads() {
    let wd = Workdir::new();
    wd.create("s.toml", SMALL);
    for (threads, out) in [("1", "one"), ("2", "two")] {
        wd.capsim(&[
            "run",
            "s.toml",
            "--trials",
            "3000",
            "--threads",
            threads,
            "--out",
            out,
            "-q",
            "--no-sensitivity",
        ])
        .expect_code(0);
    }
    for f in ["years.csv", "charts/story.svg"] {
        assert!(
            wd.read(&format!("one/s/{f}")) == wd.read(&format!("two/s/{f}")),
            "{f} differs"
        );
    }
}

#[test]
fn shards_merge_to_the_single_runs_table() {
    let wd = Workdir::new();
    wd.create("s.toml", small_from_november());
    let common = ["--trials", "3500", "--years", "horizon", "-q"];
    let mut single = vec!["run", "s.toml", "--out", "single", "--no-charts"];
    single.extend(common);
    wd.capsim(&single).expect_code(0);
    for k in 1..=3 {
        let (spec, state) = (format!("{k}/3"), format!("s-{k}.state"));
        let mut args = vec!["run", "s.toml", "--shard", &spec, "--state", &state];
        args.extend(common);
        wd.capsim(&args).expect_code(0);
    }
    wd.capsim(&[
        "merge",
        "s-2.state",
        "s-1.state",
        "s-3.state",
        "--out",
        "merged",
        "-q",
        "--no-charts",
    ])
    .expect_code(0);
    let single = wd.read("single/s/years.csv");
    assert!(single.contains("Y1 (2025-11..2026-10)"));
    assert!(single == wd.read("merged/s/years.csv"), "years.csv differs");
}

#[test]
fn report_and_terminal_show_the_table_and_the_story_comes_first() {
    let wd = Workdir::new();
    wd.create("s.toml", small_from_november());
    let run = wd.capsim(&["run", "s.toml", "--trials", "1000", "--no-sensitivity"]);
    run.expect_code(0);
    let years = keyed(&wd.read_csv("output/s/years.csv"), "quantity", "year");
    let html = wd.read("output/s/report.html");
    assert!(html.contains("<h2 id=\"years\">Year by year</h2>"));
    for label in [
        "2025 (Nov-Dec)",
        "Funding need to date",
        "funding_raised_usd_bn",
    ] {
        assert!(html.contains(label), "{label} missing from the report");
    }
    // The story chart is the first chart.
    let first = html.split("<figure id=\"").nth(1).unwrap_or("");
    assert!(
        first.starts_with("story.svg"),
        "{}",
        &first[..first.len().min(40)]
    );
    let story = wd.read("output/s/charts/story.svg");
    for text in [
        "Compute payments",
        "Revenue",
        "Operating costs",
        "Cash balance",
    ] {
        assert!(story.contains(text), "{text} missing from the story chart");
    }
    // The terminal's median of the funding need by end-2027, whole numbers
    // from 10 and one decimal below, is years.csv's p50.
    let p50: f64 = years[&("funding_need_usd_bn".into(), "2027".into())]["p50"]
        .parse()
        .unwrap();
    let shown = if p50.abs() >= 9.95 {
        format!("{p50:.0}")
    } else {
        format!("{p50:.1}")
    };
    let line = run
        .stdout
        .lines()
        .find(|l| l.trim_start().starts_with("Funding need to date"))
        .unwrap_or_else(|| panic!("no year table:\n{}", run.stdout));
    assert_eq!(
        line.split_whitespace().last(),
        Some(shown.as_str()),
        "{line}"
    );
    assert!(
        run.stdout
            .contains("Year by year: median, p10..p90 beneath")
    );
    assert!(run.stdout.lines().all(|l| l.chars().count() <= 120));
}
