//! Charts, report.html (also rendered in headless Chromium when installed),
//! and the end-of-run summary.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::util::{SMALL, Workdir};

const CHARTS: [&str; 14] = [
    "deals-peak-funding-need.svg",
    "distribution-peak_funding_gap_usd_bn.svg",
    "exceedance-two-gw.svg",
    "fan-capacity_online_gw.svg",
    "fan-cash_balance_usd_bn.svg",
    "fan-compute_online_eflops.svg",
    "fan-cumulative_compute_payments_usd_bn.svg",
    "fan-funding_gap_usd_bn.svg",
    "fan-funding_need_usd_bn.svg",
    "fan-revenue_run_rate_usd_bn.svg",
    "histogram-peak_funding_gap_usd_bn.svg",
    "payments-by-counterparty.svg",
    "tornado-funding_need_usd_bn.svg",
    "tornado-total_compute_payments_usd_bn.svg",
];

#[test]
fn charts_are_svg_with_titles_months_and_units() {
    let wd = Workdir::new();
    wd.create("s.toml", SMALL);
    wd.capsim(&["run", "s.toml", "--trials", "500", "-q"])
        .expect_code(0);
    for name in CHARTS {
        let svg = wd.read(&format!("output/s/charts/{name}"));
        assert!(svg.starts_with("<svg"), "{name}");
        assert!(svg.trim_end().ends_with("</svg>"), "{name}");
        assert!(svg.contains("viewBox=\"0 0 880 440\""), "{name}");
    }
    let fan = wd.read("output/s/charts/fan-capacity_online_gw.svg");
    for text in [
        "Capacity online, GW",
        "2026-01",
        "2027-07",
        "p5-p95",
        "p25-p75",
        "median",
        "plan (median of capacity_planned_gw)",
        "target two-gw (&gt;= 2)",
    ] {
        assert!(fan.contains(text), "{text} missing");
    }
    let gap = wd.read("output/s/charts/distribution-peak_funding_gap_usd_bn.svg");
    assert!(gap.contains("Largest funding gap: distribution (percentiles)"));
    assert!(gap.contains("USD bn"));
    let histogram = wd.read("output/s/charts/histogram-peak_funding_gap_usd_bn.svg");
    assert!(histogram.contains("Largest funding gap: histogram (p1 to p99, 30 bins)"));
    assert!(histogram.contains("share of trials in bin"));
    assert!(histogram.contains("USD bn"));
    // 30 bins, each a filled bar and its outline, plus the legend's swatch.
    assert!(histogram.matches("<rect").count() >= 60);
    let deals = wd.read("output/s/charts/deals-peak-funding-need.svg");
    for text in [
        "What each deal adds to the peak funding need",
        "cloud",
        "chips",
        "round",
    ] {
        assert!(deals.contains(text), "{text} missing");
    }
    let counterparty = wd.read("output/s/charts/payments-by-counterparty.svg");
    for text in [
        "Cloudco",
        "Chipco",
        "Bigcloud",
        "2026",
        "2027",
        "median of the year",
    ] {
        assert!(counterparty.contains(text), "{text} missing");
    }
    let tornado = wd.read("output/s/charts/tornado-funding_need_usd_bn.svg");
    for text in [
        "Funding need, whole horizon: median with each input at its p10 and p90",
        "median funding need, whole horizon, USD bn",
        "input at its p10",
        "input at its p90",
        "tranche.site-b.gw",
    ] {
        assert!(
            tornado.contains(text),
            "{text} missing from the tornado chart"
        );
    }

    let manifest: serde_json::Value =
        serde_json::from_str(&wd.read("output/s/manifest.json")).unwrap();
    let files: Vec<&str> = manifest["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    assert!(files.contains(&"report.html"), "{files:?}");
    assert!(
        files.contains(&"charts/fan-capacity_online_gw.svg"),
        "{files:?}"
    );
}

#[test]
fn charts_and_report_do_not_depend_on_threads() {
    let wd = Workdir::new();
    wd.create("s.toml", SMALL);
    let args = ["run", "s.toml", "--trials", "1500", "-q", "--threads"];
    wd.capsim(&[&args[..], &["1", "--out", "a"]].concat())
        .expect_code(0);
    wd.capsim(&[&args[..], &["2", "--out", "b"]].concat())
        .expect_code(0);
    for name in CHARTS {
        assert_eq!(
            wd.read(&format!("a/s/charts/{name}")),
            wd.read(&format!("b/s/charts/{name}")),
            "{name}"
        );
    }
    // The report differs only where the manifest does (threads, wall time: not shown).
    assert_eq!(wd.read("a/s/report.html"), wd.read("b/s/report.html"));
}

#[test]
fn report_is_self_contained() {
    let wd = Workdir::new();
    wd.create(
        "s.toml",
        SMALL.replace(
            "name = \"small\"",
            "name = \"small <&> test\"\ndescription = \"A <b>tiny</b> scenario.\"",
        ),
    );
    wd.capsim(&["run", "s.toml", "--trials", "400", "-q"])
        .expect_code(0);
    let html = wd.read("output/s/report.html");
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("<h1>small &lt;&amp;&gt; test</h1>"));
    assert!(html.contains("A &lt;b&gt;tiny&lt;/b&gt; scenario."));
    // CHARTS and the story chart (taller, checked in tests/it/years.rs).
    assert_eq!(html.matches("<svg").count(), CHARTS.len() + 1);
    for link in ["timeseries.csv", "summary.csv", "manifest.json"] {
        assert!(html.contains(&format!("<a href=\"{link}\">")), "{link}");
    }
    for outcome in ["peak_funding_gap_usd_bn", "total_compute_payments_usd_bn"] {
        assert!(html.contains(outcome), "{outcome}");
    }
    assert!(html.contains("target two-gw met by 2027-12"));
    assert!(html.contains("<h2>Deals</h2>"));
    // Nothing is fetched: no scripts, no external style sheets, images or fonts.
    for bad in [
        "<script", "<link", "<img", "src=", "url(", "@import", "https:",
    ] {
        assert!(!html.contains(bad), "report contains {bad}");
    }
    let http: Vec<&str> = html.matches("http://").collect();
    assert_eq!(
        http.len(),
        html.matches("xmlns=\"http://www.w3.org/2000/svg\"").count(),
        "only SVG namespaces may mention http://"
    );
}

#[test]
fn no_sensitivity_means_no_tornado_chart() {
    let wd = Workdir::new();
    wd.create("s.toml", SMALL);
    wd.capsim(&["run", "s.toml", "--trials", "200", "--no-sensitivity", "-q"])
        .expect_code(0);
    assert!(wd.exists("output/s/charts/fan-capacity_online_gw.svg"));
    assert!(!wd.exists("output/s/charts/tornado-peak_funding_gap_usd_bn.svg"));
    assert!(!wd.exists("output/s/sensitivity.csv"));
}

#[test]
fn no_charts_writes_no_svg_but_still_a_report() {
    let wd = Workdir::new();
    wd.create("s.toml", SMALL);
    wd.capsim(&["run", "s.toml", "--trials", "200", "--no-charts", "-q"])
        .expect_code(0);
    assert!(!wd.exists("output/s/charts"));
    let html = wd.read("output/s/report.html");
    assert!(!html.contains("<svg"));
    assert!(html.contains("Key outcomes"));
}

/// The headless browser to use: `CAPSIM_CHROMIUM`, else the first of the
/// usual names on `PATH`.
fn chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("CAPSIM_CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    [
        "chromium",
        "chromium-browser",
        "google-chrome",
        "google-chrome-stable",
    ]
    .iter()
    .flat_map(|name| std::env::split_paths(&path).map(move |dir| dir.join(name)))
    .find(|p| p.is_file())
}

/// Fraction of pixels that are not (near) white, and the number of distinct
/// colours, of a PNG file.
fn ink(png_path: &Path) -> (f64, usize) {
    let decoder = png::Decoder::new(std::io::BufReader::new(
        std::fs::File::open(png_path).unwrap(),
    ));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    assert_eq!(info.bit_depth, png::BitDepth::Eight);
    let channels = info.color_type.samples();
    assert!(channels >= 3, "{:?}", info.color_type);
    let pixels = &buf[..info.buffer_size()];
    let mut colours = std::collections::HashSet::new();
    let mut inked = 0usize;
    let total = pixels.len() / channels;
    for px in pixels.chunks(channels) {
        if px[..3].iter().any(|&c| c < 240) {
            inked += 1;
        }
        if colours.len() < 10_000 {
            colours.insert([px[0], px[1], px[2]]);
        }
    }
    (inked as f64 / total as f64, colours.len())
}

#[test]
fn report_renders_in_headless_chromium_without_console_messages() {
    let Some(browser) = chromium() else {
        crate::util::skip(
            "report_renders_in_headless_chromium_without_console_messages",
            "chromium not installed, report.html not rendered \
             (run scripts/install-test-deps.sh, or set CAPSIM_CHROMIUM)",
            Some("CAPSIM_REQUIRE_BROWSER"),
        );
        return;
    };
    let wd = Workdir::new();
    wd.create("s.toml", SMALL);
    wd.capsim(&["run", "s.toml", "--trials", "1000", "-q"])
        .expect_code(0);
    let report = wd.path().join("output/s/report.html");
    let shot = wd.path().join("report.png");
    let profile = wd.path().join("chromium-profile");
    let out = Command::new(&browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--hide-scrollbars",
            "--window-size=1000,2400",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--screenshot={}", shot.display()))
        .arg(format!("file://{}", report.display()))
        .output()
        .expect("chromium starts");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "chromium failed:\n{stderr}");
    // Every console message of the page (errors, CSP violations, failed
    // loads) is logged as INFO:CONSOLE; the report has no scripts, so any
    // such line is a fault.
    let console: Vec<&str> = stderr.lines().filter(|l| l.contains(":CONSOLE")).collect();
    assert!(
        console.is_empty(),
        "console messages:\n{}",
        console.join("\n")
    );
    let (inked, colours) = ink(&shot);
    assert!(
        inked > 0.05,
        "screenshot nearly blank: {:.1}% of pixels inked",
        100.0 * inked
    );
    assert!(colours > 50, "screenshot has only {colours} colours");
    // The story chart, the first chart, is drawn: its funding-need red and
    // operating-costs purple appear in no other chart.
    for rgb in [[203, 24, 29], [117, 112, 179]] {
        assert!(
            has_colour(&shot, rgb),
            "no pixel of {rgb:?}: story chart not drawn"
        );
    }
    let dom = Command::new(&browser)
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--dump-dom"])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("file://{}", report.display()))
        .output()
        .expect("chromium starts");
    let dom = String::from_utf8_lossy(&dom.stdout);
    // The year-by-year table as the browser parsed it: 8 rows of 2 years.
    let table = dom
        .split("<table class=\"years\"")
        .nth(1)
        .and_then(|t| t.split("</table>").next())
        .expect("the year table is in the page");
    assert_eq!(table.matches("<tr>").count(), 1 + 8, "{table}");
    assert_eq!(table.matches("<small>").count(), 8 * 2, "{table}");
}

/// Whether some pixel of a PNG file is exactly `rgb`.
fn has_colour(png_path: &Path, rgb: [u8; 3]) -> bool {
    let decoder = png::Decoder::new(std::io::BufReader::new(
        std::fs::File::open(png_path).unwrap(),
    ));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    let channels = info.color_type.samples();
    buf[..info.buffer_size()]
        .chunks(channels)
        .any(|px| px[..3] == rgb)
}

#[test]
fn init_writes_a_starter_that_validates_cleanly_and_runs() {
    let wd = Workdir::new();
    let run = wd.capsim(&["init"]);
    run.expect_code(0);
    assert!(run.stdout.contains("wrote scenario.toml"), "{}", run.stdout);
    let text = wd.read("scenario.toml");
    for table in [
        "[scenario]",
        "[simulation]",
        "[[tranche]]",
        "[[contract]]",
        "[revenue]",
        "[costs]",
        "[cash]",
        "[[funding]]",
        "[[target]]",
    ] {
        assert!(text.contains(table), "{table} missing");
    }
    for basis in ["take_or_pay", "pay_as_delivered", "purchase"] {
        assert!(text.contains(&format!("basis = \"{basis}\"")), "{basis}");
    }
    let v = wd.capsim(&["validate", "scenario.toml"]);
    v.expect_code(0);
    assert_eq!(v.stderr, "", "the starter should have no warnings");
    wd.capsim(&["run", "scenario.toml", "--trials", "300", "-q"])
        .expect_code(0);
    assert!(wd.exists("output/scenario/report.html"));
}

#[test]
fn init_refuses_to_overwrite_without_force() {
    let wd = Workdir::new();
    wd.create("mine.toml", "# my work\n");
    let run = wd.capsim(&["init", "mine.toml"]);
    run.expect_code(2);
    assert!(
        run.stderr.contains("error: mine.toml already exists"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("--force"), "{}", run.stderr);
    assert_eq!(wd.read("mine.toml"), "# my work\n");
    wd.capsim(&["init", "mine.toml", "--force"]).expect_code(0);
    assert!(wd.read("mine.toml").contains("[scenario]"));
    wd.capsim(&["init", "sub/dir/new.toml"]).expect_code(1);
}

#[test]
fn validate_warns_without_failing() {
    let wd = Workdir::new();
    let text = SMALL
        .replace("value_usd_bn = 20\n", "value_usd_bn = 200\n")
        .replace("at_least = 2\n", "at_least = 40\n");
    wd.create("s.toml", &text);
    let run = wd.capsim(&["validate", "s.toml"]);
    run.expect_code(0);
    let line_of = |needle: &str| text.lines().position(|l| l == needle).unwrap() + 1;
    let cloud = line_of("name = \"cloud\"");
    let target = line_of("name = \"two-gw\"");
    assert!(
        run.stderr.contains(&format!(
            "warning: s.toml:{cloud}: contract \"cloud\": its linked tranches can pay at most USD"
        )),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(&format!(
            "warning: s.toml:{target}: target \"two-gw\": no trial can reach `capacity_online_gw` >= 40"
        )),
        "{}",
        run.stderr
    );
    assert!(
        !run.stderr.contains('\u{1b}'),
        "no colour without a terminal"
    );
    assert_eq!(run.stderr.lines().count(), 2, "{}", run.stderr);
}
