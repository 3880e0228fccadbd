//! Statistical validation of what capsim reports, through the library API.
//!
//! - Coverage: over many seeds, about 95% of the intervals mean ± 1.96 ×
//!   std_error contain the true mean, for an event probability, a continuous
//!   size and a rounded uniform delay whose truths are known in closed form.
//! - Extreme but valid inputs give finite numbers everywhere (or, where the
//!   input is out of range, a clear error), never NaN, infinity or a silent
//!   overflow.
//!
//! Goodness-of-fit of the samplers is in distributions.rs and
//! closed-form scenarios in known_answers.rs.

use std::path::Path;

use capsim::export::format_number;
use capsim::metric::Metric;
use capsim::model::outcome;
use capsim::runner::RunResult;
use capsim::scenario::Scenario;
use capsim::stats::Summary;

use crate::util::run_trials;

fn parse(text: &str) -> Scenario {
    Scenario::parse(text, Path::new("validation.toml")).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

/// Runs `seeds` independent runs and returns how many intervals
/// mean ± 1.96 se, taken by `pick`, contain `truth`.
fn coverage(
    s: &Scenario,
    truth: f64,
    seeds: u64,
    trials: u64,
    pick: impl Fn(&RunResult) -> &Summary,
) -> u64 {
    let mut covered = 0;
    let mut pooled = 0.0;
    let mut se_sum = 0.0;
    for seed in 0..seeds {
        let r = run_trials(s, trials, 1000 + seed);
        let summary = pick(&r);
        let mean = summary.mean.expect("mean");
        let se = summary.std_error.expect("std_error");
        assert!(se > 0.0 && se.is_finite(), "std_error {se}");
        pooled += mean;
        se_sum += se;
        if (mean - truth).abs() <= 1.96 * se {
            covered += 1;
        }
    }
    // The pooled mean is a much tighter check of the truth itself.
    let pooled = pooled / seeds as f64;
    let pooled_se = se_sum / seeds as f64 / (seeds as f64).sqrt();
    assert!(
        (pooled - truth).abs() < 5.0 * pooled_se,
        "pooled mean {pooled} is more than 5 standard errors ({pooled_se}) from the truth {truth}"
    );
    covered
}

/// The number of covering intervals out of `n` is binomial(n, 0.95); accept
/// within 4 standard deviations (the seeds are fixed, so this never flakes:
/// it fails only if the standard errors are wrong).
fn assert_about_95_percent(covered: u64, n: u64, what: &str) {
    let p = 0.95;
    let sd = (n as f64 * p * (1.0 - p)).sqrt();
    let expected = n as f64 * p;
    eprintln!(
        "{what}: {covered} of {n} intervals cover the truth ({:.1}%)",
        100.0 * covered as f64 / n as f64
    );
    assert!(
        (covered as f64 - expected).abs() <= 4.0 * sd,
        "{what}: {covered} of {n} 95% intervals contain the truth; expected about {expected:.0} (± {:.0})",
        4.0 * sd
    );
}

const SEEDS: u64 = 200;
const TRIALS: u64 = 1000;

#[test]
fn standard_errors_cover_an_event_probability() {
    // A funding event of USD 1 bn with probability 0.3: total funding has mean 0.3.
    let s = parse(
        r#"
[scenario]
name = "coverage-event"
start = "2026-01"
end = "2026-12"

[[funding]]
name = "round"
amount_usd_bn = 1
month = "2026-06"
probability = 0.3
"#,
    );
    let covered = coverage(&s, 0.3, SEEDS, TRIALS, |r| {
        &r.outcomes[outcome::TOTAL_FUNDING]
    });
    assert_about_95_percent(covered, SEEDS, "funding probability 0.3");
}

#[test]
fn standard_errors_cover_a_uniform_size() {
    // A tranche of uniform(1, 3) GW online from the start: capacity at the end has mean 2.
    let s = parse(
        r#"
[scenario]
name = "coverage-size"
start = "2026-01"
end = "2026-12"

[[tranche]]
name = "site"
counterparty = "x"
gw = { dist = "uniform", min = 1, max = 3 }
planned = "2026-01"
accelerators_per_gw = 1
"#,
    );
    let covered = coverage(&s, 2.0, SEEDS, TRIALS, |r| {
        &r.outcomes[outcome::CAPACITY_END]
    });
    assert_about_95_percent(covered, SEEDS, "uniform(1, 3) GW");
}

#[test]
fn standard_errors_cover_a_rounded_uniform_delay() {
    // 1 GW planned for the start month with a uniform(0, 12) delay, rounded to
    // the nearest month (halves later): online in month k iff D < k + 0.5, so
    // the mean capacity online in month 5 is 5.5 / 12.
    let s = parse(
        r#"
[scenario]
name = "coverage-delay"
start = "2026-01"
end = "2027-12"

[[tranche]]
name = "site"
counterparty = "x"
gw = 1
planned = "2026-01"
delay_months = { dist = "uniform", min = 0, max = 12 }
accelerators_per_gw = 1
"#,
    );
    let covered = coverage(&s, 5.5 / 12.0, SEEDS, TRIALS, |r| {
        let offset = r
            .layout
            .metric_offset(Metric::CapacityOnlineGw)
            .expect("capacity metric");
        &r.series[offset + 5]
    });
    assert_about_95_percent(covered, SEEDS, "uniform delay, month 5");
}

/// Every number a run reports is finite (or absent), and so is every CSV cell.
fn assert_all_finite(r: &RunResult, what: &str) {
    let summaries = r.series.iter().chain(&r.outcomes);
    for (i, s) in summaries.enumerate() {
        let values = [s.mean, s.std_dev, s.std_error]
            .into_iter()
            .chain(s.percentiles.iter().copied());
        for v in values.flatten() {
            assert!(v.is_finite(), "{what}: quantity {i} has {v} in {s:?}");
            let cell = format_number(Some(v));
            assert!(
                !cell.is_empty() && cell.parse::<f64>().is_ok_and(f64::is_finite),
                "{what}: {v} is written as {cell:?}"
            );
        }
    }
}

/// A scenario with one tranche whose keys are replaced by `tranche_keys`.
fn one_tranche(tranche_keys: &str, end: &str, extra: &str) -> String {
    format!(
        r#"
[scenario]
name = "extreme"
start = "2026-01"
end = "{end}"

[[tranche]]
name = "site"
counterparty = "x"
planned = "2026-06"
{tranche_keys}

[[contract]]
name = "rent"
counterparty = "x"
basis = "pay_as_delivered"
value_usd_bn = 100
start = "2026-01"
term_months = 60
tranches = ["site"]

[[contract]]
name = "chips"
counterparty = "x"
basis = "purchase"
value_usd_bn = 100
start = "2026-01"
term_months = 60
tranches = ["site"]
usd_bn_per_gw = 30

[revenue]
run_rate_usd_bn = 10
annual_growth = 0.5
usd_bn_per_gw_year = 12

[[target]]
name = "online"
metric = "capacity_online_gw"
at_least = 0.5
{extra}
"#
    )
}

#[test]
fn extreme_but_valid_inputs_give_finite_output() {
    let cases = [
        (
            "lognormal sigma 5 size",
            one_tranche(
                "gw = { dist = \"lognormal\", median = 0.001, sigma = 5 }\naccelerators_per_gw = 400000\npflops_per_accelerator = 2",
                "2030-12",
                "",
            ),
        ),
        (
            "lognormal sigma 5 revenue and growth",
            one_tranche("gw = 1\naccelerators_per_gw = 400000", "2030-12", "")
                .replace(
                    "run_rate_usd_bn = 10",
                    "run_rate_usd_bn = { dist = \"lognormal\", median = 1, sigma = 5 }",
                )
                .replace(
                    "annual_growth = 0.5",
                    "annual_growth = { dist = \"lognormal\", median = 0.0005, sigma = 5 }",
                ),
        ),
        (
            "ten-year delay, past the horizon",
            one_tranche(
                "gw = 1\ndelay_months = 120\naccelerators_per_gw = 400000",
                "2030-12",
                "",
            ),
        ),
        (
            "ten-year uniform delay",
            one_tranche(
                "gw = 1\ndelay_months = { dist = \"uniform\", min = 0, max = 120 }\nramp_months = 1200\naccelerators_per_gw = 400000",
                "2040-12",
                "",
            ),
        ),
        (
            "tiny GW plan (default price per GW-year is huge)",
            one_tranche("gw = 1e-9\naccelerators_per_gw = 1", "2030-12", ""),
        ),
        (
            "a size that is 0 GW in most trials",
            one_tranche(
                "gw = { dist = \"discrete\", values = [0, 1], weights = [0.99, 0.01] }\naccelerators_per_gw = 1",
                "2030-12",
                "",
            ),
        ),
        (
            "an option that never arrives",
            one_tranche(
                "gw = 1\nstatus = \"option\"\np_never = 1\naccelerators_per_gw = 1",
                "2030-12",
                "",
            ),
        ),
        (
            "huge values at every limit over 20 years",
            huge_values("2045-12"),
        ),
        (
            "growth of -99% a year",
            one_tranche("gw = 1\naccelerators_per_gw = 1", "2125-12", "")
                .replace("annual_growth = 0.5", "annual_growth = -0.99"),
        ),
    ];
    for (what, text) in &cases {
        let s = parse(text);
        for trials in [1, 2, 3000] {
            let r = run_trials(&s, trials, 7);
            assert_all_finite(&r, what);
        }
    }
}

/// Every key at its upper limit, revenue growing +10,000% a year.
fn huge_values(end: &str) -> String {
    let funding_month = end;
    one_tranche(
                "gw = 1000\naccelerators_per_gw = 1e8\npflops_per_accelerator = 1e6\nowned = true",
                end,
                &format!("\n[costs]\nrunning_usd_bn_per_gw_year = 1e6\nother_usd_bn_per_year = 1e6\nrevenue_share = 1\n\n[cash]\nstart_usd_bn = -1e6\nfloor_usd_bn = 1e6\n\n[[funding]]\nname = \"big\"\namount_usd_bn = 1e6\nmonth = \"{funding_month}\"\n"),
            )
            .replace("value_usd_bn = 100", "value_usd_bn = 1e6")
            .replace("run_rate_usd_bn = 10", "run_rate_usd_bn = 1e6")
            .replace("annual_growth = 0.5", "annual_growth = 100")
            .replace("usd_bn_per_gw_year = 12", "usd_bn_per_gw_year = 1e6")
            .replace("usd_bn_per_gw = 30", "usd_bn_per_gw = 1e6")
}

/// Over 100 years the demand run rate reaches about 1e165 and its sample
/// variance (about 1e330) overflows in the moment accumulator, so std_dev and
/// std_error come out infinite and are written as blank cells. Ignored until
/// src/stats/moments.rs accumulates scaled squares.
#[test]
#[ignore = "known overflow of std_dev for values near 1e165 (src/stats/moments.rs)"]
fn huge_values_over_100_years_give_finite_standard_deviations() {
    let s = parse(&huge_values("2125-12"));
    let r = run_trials(&s, 3000, 7);
    assert_all_finite(&r, "huge values over 100 years");
}

#[test]
fn inputs_whose_draws_would_overflow_are_clear_errors() {
    let cases = [
        (
            "gw = { dist = \"lognormal\", median = 1, sigma = 5 }\naccelerators_per_gw = 1",
            "`gw` must be between 0 and 1000, but this lognormal puts more than 1% of draws above 1000",
        ),
        (
            "gw = 1\naccelerators_per_gw = { dist = \"lognormal\", median = 1e300, sigma = 20 }",
            "its 99th percentile is inf",
        ),
        (
            "gw = { dist = \"lognormal\", mean = 1, sd = 1e200 }\naccelerators_per_gw = 1",
            "the log-space sigma would be",
        ),
        (
            "gw = 1\nramp_months = { dist = \"uniform\", min = -1e308, max = 1e308 }\naccelerators_per_gw = 1",
            "too far apart to compute with",
        ),
        (
            "gw = 1\nramp_months = { dist = \"triangular\", min = -1e308, mode = 1e308, max = 1e308 }\naccelerators_per_gw = 1",
            "too far apart to compute with",
        ),
        (
            "gw = 1\ndelay_months = { dist = \"normal\", mean = 0, sd = 1e308 }\naccelerators_per_gw = 1",
            "`delay_months` must be between -1200 and 1200",
        ),
        (
            "gw = 0\naccelerators_per_gw = 1",
            "`gw` must be more than 0",
        ),
    ];
    for (keys, expected) in cases {
        let text = one_tranche(keys, "2030-12", "");
        match Scenario::parse(&text, Path::new("x.toml")) {
            Ok(_) => panic!("accepted:\n{keys}"),
            Err(e) => {
                let msg = e.to_string();
                assert!(
                    msg.contains(expected),
                    "{keys}\nexpected {expected:?} in:\n{msg}"
                );
                assert!(!msg.contains("NaN"), "{msg}");
            }
        }
    }
}

#[test]
fn take_or_pay_profiles_near_the_largest_number_pay_the_value() {
    // Weights whose sum over a 100-year term would overflow: only ratios matter.
    let s = parse(
        r#"
[scenario]
name = "profile"
start = "2026-01"
end = "2125-12"

[[contract]]
name = "cloud"
counterparty = "x"
basis = "take_or_pay"
value_usd_bn = 120
start = "2026-01"
term_months = 1200
profile = [1e307, 1e307]
"#,
    );
    let r = run_trials(&s, 1, 1);
    let total = r.outcomes[outcome::TOTAL_PAYMENTS].mean.unwrap();
    assert!((total - 120.0).abs() < 1e-6, "pays {total}, not 120");
}
