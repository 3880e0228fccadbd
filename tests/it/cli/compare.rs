//! `capsim compare`: paired trials under common random numbers.

use crate::util::{SMALL, Workdir, column};

#[test]
fn a_scenario_compared_with_itself_differs_by_exactly_zero() {
    let wd = Workdir::new();
    wd.create("a.toml", SMALL);
    wd.create("b.toml", SMALL);
    wd.capsim(&["compare", "a.toml", "b.toml", "--trials", "2000", "-q"])
        .expect_code(0);
    let table = wd.read_csv("output/comparisons/a-vs-b/comparison.csv");
    let header = &table[0];
    assert_eq!(&header[..4], ["quantity", "unit", "month", "a_mean"]);
    let col = |name: &str| column(header, name);
    let diff_cols: Vec<usize> = header
        .iter()
        .enumerate()
        .filter(|(_, h)| h.starts_with("diff_p"))
        .map(|(i, _)| i)
        .collect();
    assert_eq!(diff_cols.len(), 5);
    assert!(table.len() > 100);
    for row in &table[1..] {
        for &c in diff_cols.iter().chain([&col("diff_mean")]) {
            // Blank where B - A is undefined (a target neither reaches).
            assert!(row[c].is_empty() || row[c] == "0", "{row:?}");
        }
        assert_eq!(row[col("p_b_greater")], "0", "{row:?}");
        assert_eq!(row[col("p_b_less")], "0", "{row:?}");
        assert_eq!(row[col("a_mean")], row[col("b_mean")]);
    }
    assert!(
        wd.read("output/comparisons/a-vs-b/manifest.json")
            .contains("common random numbers")
    );
}

#[test]
fn adding_a_small_tranche_leaves_other_components_draws_alone() {
    let wd = Workdir::new();
    wd.create("a.toml", SMALL);
    let extra = "\n[[tranche]]\nname = \"tiny\"\ncounterparty = \"x\"\ngw = 0.05\nplanned = \"2026-08\"\ndelay_months = { dist = \"uniform\", min = 0, max = 4 }\naccelerators_per_gw = 1000\n";
    wd.create("b.toml", format!("{SMALL}{extra}"));
    wd.capsim(&["compare", "a.toml", "b.toml", "--trials", "3000", "-q"])
        .expect_code(0);
    let table = wd.read_csv("output/comparisons/a-vs-b/comparison.csv");
    let header = &table[0];
    let col = |name: &str| column(header, name);
    let find = |q: &str| table.iter().find(|r| r[0] == q && r[2].is_empty()).unwrap();
    // The chips contract depends only on site-b's draws and its own price:
    // identical in every trial.
    for q in [
        "contract_chips_payments_usd_bn",
        "contract_cloud_payments_usd_bn",
        "total_funding_usd_bn",
    ] {
        let r = find(q);
        assert_eq!(r[col("diff_p5")], "0", "{q}: {r:?}");
        assert_eq!(r[col("diff_p95")], "0", "{q}: {r:?}");
        assert_eq!(r[col("p_b_greater")], "0");
        assert_eq!(r[col("p_b_less")], "0");
    }
    // Capacity does move: B has 0.05 GW more once the tiny site is online.
    let end = find("capacity_online_end_gw");
    assert_eq!(end[col("diff_p50")], "0.05");
    assert_eq!(end[col("p_b_better")], "1");
}

#[test]
fn compare_draws_medians_and_bands_of_both_scenarios_unless_no_charts() {
    let wd = Workdir::new();
    wd.create("a.toml", SMALL);
    wd.create("b.toml", SMALL);
    wd.capsim(&["compare", "a.toml", "b.toml", "--trials", "500", "-q"])
        .expect_code(0);
    for (name, title, unit) in [
        (
            "capacity_online_gw",
            "Capacity online, GW: A (a) and B (b)",
            "GW",
        ),
        (
            "cash_balance_usd_bn",
            "Cash balance, USD bn: A (a) and B (b)",
            "USD bn",
        ),
    ] {
        let svg = wd.read(&format!(
            "output/comparisons/a-vs-b/charts/compare-{name}.svg"
        ));
        assert!(svg.starts_with("<svg"), "{name}");
        assert!(svg.trim_end().ends_with("</svg>"), "{name}");
        for text in [
            title,
            unit,
            "2026-01",
            "A (a): p10-p90",
            "A (a): median",
            "B (b): p10-p90",
            "B (b): median",
        ] {
            assert!(svg.contains(text), "{text} missing from {name}");
        }
    }
    let manifest: serde_json::Value =
        serde_json::from_str(&wd.read("output/comparisons/a-vs-b/manifest.json")).unwrap();
    assert_eq!(
        manifest["files"],
        serde_json::json!([
            "comparison.csv",
            "charts/compare-capacity_online_gw.svg",
            "charts/compare-cash_balance_usd_bn.svg"
        ])
    );

    wd.capsim(&[
        "compare",
        "a.toml",
        "b.toml",
        "--trials",
        "500",
        "--out",
        "plain",
        "--no-charts",
        "-q",
    ])
    .expect_code(0);
    assert!(wd.exists("plain/comparisons/a-vs-b/comparison.csv"));
    assert!(!wd.exists("plain/comparisons/a-vs-b/charts"));
    let manifest: serde_json::Value =
        serde_json::from_str(&wd.read("plain/comparisons/a-vs-b/manifest.json")).unwrap();
    assert_eq!(manifest["files"], serde_json::json!(["comparison.csv"]));
}
