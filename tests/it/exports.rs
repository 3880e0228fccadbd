//! Spreadsheet exports and the tornado charts: summary.csv's `YYYY-MM`
//! columns, the `wide/` files, the tornado's own inputs, its baseline and
//! its bars, each checked against another output or computed by hand.

use std::path::Path;

use capsim::analysis::{SwingPlan, sensitivity};
use capsim::scenario::Scenario;

use crate::util::{SMALL, Workdir, column, known_with_target};

/// `YYYY-MM` plus `n` months, by hand.
fn add_months(start: &str, n: i64) -> String {
    let (y, m) = start.split_once('-').unwrap();
    let k = y.parse::<i64>().unwrap() * 12 + m.parse::<i64>().unwrap() - 1 + n;
    format!("{:04}-{:02}", k.div_euclid(12), k.rem_euclid(12) + 1)
}

/// A run of SMALL with yearly tables too, in a fresh folder.
fn small_run() -> Workdir {
    let wd = Workdir::new();
    wd.create("s.toml", SMALL);
    wd.capsim(&[
        "run", "s.toml", "-q", "--period", "year", "--trials", "2000",
    ])
    .expect_code(0);
    wd
}

#[test]
fn month_outcomes_are_also_calendar_months() {
    let wd = small_run();
    let rows = wd.read_csv("output/s/summary.csv");
    let header = &rows[0];
    let percentiles = ["p5", "p10", "p25", "p50", "p75", "p90", "p95"];
    let mut months_seen = 0;
    for row in &rows[1..] {
        assert_eq!(row.len(), header.len(), "a rectangular table");
        let unit = &row[column(header, "unit")];
        for p in percentiles {
            let (value, month) = (
                &row[column(header, p)],
                &row[column(header, &format!("{p}_month"))],
            );
            match unit.strip_prefix("months after ") {
                Some(start) if !value.is_empty() => {
                    // An interpolated percentile is in the earlier month.
                    let n: f64 = value.parse().unwrap();
                    assert_eq!(*month, add_months(start, n.floor() as i64), "{row:?}");
                    months_seen += 1;
                }
                // Never by the horizon's end: blank in both; other rows
                // have no months.
                _ => assert_eq!(month, "", "{row:?}"),
            }
        }
    }
    assert!(months_seen >= 5, "{months_seen}");
}

/// Every wide file holds timeseries.csv's numbers for its metric (and the
/// yearly ones timeseries_by_year.csv's), months down, statistics across.
#[test]
fn wide_files_hold_the_long_tables_numbers() {
    let wd = small_run();
    let long = wd.read_csv("output/s/timeseries.csv");
    let by_year = wd.read_csv("output/s/timeseries_by_year.csv");
    let stats = ["mean", "p5", "p10", "p25", "p50", "p75", "p90", "p95"];
    let mut metrics: Vec<&String> = long[1..].iter().map(|r| &r[0]).collect();
    metrics.dedup();
    assert_eq!(metrics.len(), 18);
    let files: Vec<String> = wd
        .files()
        .into_iter()
        .filter(|f| f.starts_with("output/s/wide/"))
        .collect();
    assert_eq!(files.len(), 2 * metrics.len(), "{files:?}");
    let manifest = wd.read("output/s/manifest.json");
    for (table, first, suffix, key) in [
        (&long, "month", "", "month"),
        (&by_year, "period_end", "_by_year", "period_end"),
    ] {
        for metric in &metrics {
            let name = format!("wide/{metric}{suffix}.csv");
            assert!(manifest.contains(&format!("\"{name}\"")), "{name}");
            let wide = wd.read_csv(&format!("output/s/{name}"));
            let mut want = vec![first.to_string()];
            want.extend(stats.iter().map(|s| s.to_string()));
            assert_eq!(wide[0], want, "{name}");
            let h = &table[0];
            let expected: Vec<Vec<String>> = table[1..]
                .iter()
                .filter(|r| &r[0] == *metric)
                .map(|r| {
                    let mut out = vec![r[column(h, key)].clone()];
                    out.extend(stats.iter().map(|s| r[column(h, s)].clone()));
                    out
                })
                .collect();
            assert_eq!(wide[1..], expected[..], "{name}");
        }
    }
}

/// Each outcome's tornado shows its own strongest inputs, even when they
/// are not among another outcome's; an input swung for one outcome serves
/// the others; an input that does not move the median is not drawn.
#[test]
fn each_tornado_has_its_own_drivers_and_no_zero_bars() {
    let s = Scenario::parse(&known_with_target(), Path::new("d.toml")).unwrap();
    let (pay, month) = ("total_compute_payments_usd_bn", "target_half_month");
    let plan = SwingPlan {
        outcomes: vec![pay.into(), month.into()],
        inputs_per_outcome: 2,
        trials: 1000,
    };
    let rows = sensitivity(&s, 5, 3000, &plan);
    let ranked = |o: &str| -> Vec<String> {
        let mut r: Vec<_> = rows
            .iter()
            .filter(|r| r.outcome == o && r.tornado_rank.is_some())
            .collect();
        r.sort_by_key(|r| r.tornado_rank);
        r.iter().map(|r| r.input.clone()).collect()
    };
    assert_eq!(ranked(pay), ["contract.k.usd_bn_per_gw", "tranche.t.gw"]);
    // The month depends on the delay only: a second input chosen by its
    // (noise) correlation moves nothing and gets no bar.
    assert_eq!(ranked(month), ["tranche.other.delay_months"]);
    let row = |o: &str, i: &str| {
        rows.iter()
            .find(|r| r.outcome == o && r.input == i)
            .unwrap()
    };
    // Swung for the month, reused for payments, which it does not move.
    let delay = row(pay, "tranche.other.delay_months");
    assert_eq!(delay.changes(), Some((0.0, 0.0)));
    assert_eq!(delay.tornado_rank, None);
    // Delay 0-12 months from 2026-03 (index 2): p10 1.2 and p90 10.8 months,
    // rounded to whole months in the model, so the median month moves by
    // about -5 and +5 from its median of 2 + 6.
    let (lo, hi) = row(month, "tranche.other.delay_months").changes().unwrap();
    assert!(
        (lo + 5.0).abs() <= 1.0 && (hi - 5.0).abs() <= 1.0,
        "{lo} {hi}"
    );
    // Price 10-40 at its p10 (13) and p90 (37), size random around 1: the
    // median moves by about -12 and +12 from 25.
    let (lo, hi) = row(pay, "contract.k.usd_bn_per_gw").changes().unwrap();
    assert!(
        (lo + 12.0).abs() < 0.6 && (hi - 12.0).abs() < 0.8,
        "{lo} {hi}"
    );
    // No bar of zero length, ranks by bar length.
    for o in [pay, month] {
        let spans: Vec<f64> = ranked(o)
            .iter()
            .map(|i| {
                let (a, b) = row(o, i).changes().unwrap();
                a.max(b).max(0.0) - a.min(b).min(0.0)
            })
            .collect();
        assert!(spans.iter().all(|s| *s > 0.0), "{spans:?}");
        assert!(spans.windows(2).all(|w| w[0] >= w[1]), "{spans:?}");
    }
}

/// sensitivity.csv is the table of what the tornado charts draw: the run's
/// p50 from summary.csv, the changes of the median, and the ranks; the
/// chart's baseline is that p50.
#[test]
fn tornado_baseline_is_the_printed_median() {
    let wd = Workdir::new();
    wd.create("s.toml", SMALL);
    wd.capsim(&["run", "s.toml", "-q"]).expect_code(0);
    let summary = wd.read_csv("output/s/summary.csv");
    let sens = wd.read_csv("output/s/sensitivity.csv");
    let (sh, h) = (&summary[0], &sens[0]);
    let num = |s: &str| s.parse::<f64>().unwrap();
    let html = wd.read("output/s/report.html");
    for outcome in ["funding_need_usd_bn", "total_compute_payments_usd_bn"] {
        let p50 = &summary[1..].iter().find(|r| r[0] == outcome).unwrap()[column(sh, "p50")];
        let rows: Vec<&Vec<String>> = sens[1..].iter().filter(|r| r[0] == outcome).collect();
        let mut ranks = Vec::new();
        for r in &rows {
            assert_eq!(&r[column(h, "run_p50")], p50, "{outcome}");
            let cell = |c: &str| r[column(h, c)].clone();
            if cell("median_at_input_p10").is_empty() {
                assert_eq!(cell("tornado_rank"), "");
                continue;
            }
            let (lo, hi) = (cell("change_at_input_p10"), cell("change_at_input_p90"));
            let median = num(&cell("median"));
            assert!((num(&lo) - (num(&cell("median_at_input_p10")) - median)).abs() < 2e-6);
            assert!((num(&hi) - (num(&cell("median_at_input_p90")) - median)).abs() < 2e-6);
            if let Ok(rank) = cell("tornado_rank").parse::<usize>() {
                assert!(num(&lo) != 0.0 || num(&hi) != 0.0, "{r:?}");
                ranks.push(rank);
            }
        }
        ranks.sort_unstable();
        assert!(!ranks.is_empty(), "{outcome}");
        assert_eq!(ranks, (1..=ranks.len()).collect::<Vec<_>>());
        // The chart's vertical line is the printed p50, and it shows one bar
        // per ranked input.
        let svg = wd.read(&format!("output/s/charts/tornado-{outcome}.svg"));
        let shown = format!("median: {}", axis_number(num(p50)));
        assert!(
            svg.contains(&shown),
            "{shown} missing from the {outcome} tornado"
        );
        assert!(html.contains(&shown.replace("median: ", "(p50 in summary.csv), ")));
        for r in rows
            .iter()
            .filter(|r| !r[column(h, "tornado_rank")].is_empty())
        {
            assert!(svg.contains(&format!("\n{}\n</text>", r[2])), "{}", r[2]);
        }
    }
}

/// The charts' number format (style::axis_number) below 10,000: one
/// decimal from 10, two below, trailing zeros trimmed.
fn axis_number(v: f64) -> String {
    assert!(v.abs() < 1e4, "{v}");
    let s = if v.abs() >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    };
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// What people read names things in words, with the code name once beside
/// it where a file uses it: the report's tables, chart titles and axes, its
/// list of files, and the terminal's tables of `run` and `compare`.
#[test]
fn people_read_labels() {
    let wd = Workdir::new();
    wd.create("s.toml", SMALL);
    wd.create(
        "b.toml",
        SMALL.replace("min = 30, max = 40", "min = 35, max = 45"),
    );
    let run = wd.capsim(&["run", "s.toml", "--trials", "800"]);
    run.expect_code(0);
    assert!(
        run.stdout.contains("wide/ (18 CSV files: one per metric"),
        "{}",
        run.stdout
    );
    let html = wd.read("output/s/report.html");
    for text in [
        "Compute payments, whole horizon <code class=\"ref\">total_compute_payments_usd_bn</code>",
        "Funding need, whole horizon: median with each input at its p10 and p90",
        "Largest funding gap: histogram",
        "<a href=\"wide/capacity_online_gw.csv\">wide/capacity_online_gw.csv</a> (Capacity online, months down, for spreadsheets)",
        "<a href=\"sensitivity.csv\">sensitivity.csv</a> (what drives each outcome",
    ] {
        assert!(html.contains(text), "{text} missing from the report");
    }
    let svg = wd.read("output/s/charts/histogram-peak_funding_gap_usd_bn.svg");
    assert!(svg.contains("Largest funding gap, USD bn"));
    let exceedance = wd.read("output/s/charts/exceedance-two-gw.svg");
    assert!(!exceedance.contains("capacity_online_gw"));
    assert!(html.contains("capacity online (<code>capacity_online_gw</code>) &gt;= 2"));
    let compare = wd.capsim(&[
        "compare",
        "s.toml",
        "b.toml",
        "--trials",
        "300",
        "--no-charts",
    ]);
    compare.expect_code(0);
    assert!(
        compare
            .stdout
            .contains("  Compute payments, whole horizon "),
        "{}",
        compare.stdout
    );
    assert!(
        !compare.stdout.contains("total_compute_payments_usd_bn"),
        "{}",
        compare.stdout
    );
}
