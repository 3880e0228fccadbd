//! The model against scenarios whose answers are computed by hand or in
//! closed form.

use std::path::Path;

use capsim::distribution::{LogNormal, Triangular};
use capsim::metric::Metric;
use capsim::model::{Model, TrialRecord, Workspace};
use capsim::runner::{RunConfig, RunResult};
use capsim::scenario::Scenario;
use capsim::stats::Summary;

use crate::util::run_trials;

fn scenario(toml: &str) -> Scenario {
    Scenario::parse(toml, Path::new("test.toml")).unwrap_or_else(|e| panic!("{e}"))
}

fn simulate(s: &Scenario, trials: u64) -> RunResult {
    run_trials(s, trials, 99)
}

fn series(r: &RunResult, metric: Metric) -> &[Summary] {
    let k = r
        .layout
        .metrics
        .iter()
        .position(|m| *m == metric)
        .expect("metric reported");
    &r.series[k * r.layout.months..(k + 1) * r.layout.months]
}

fn outcome<'r>(r: &'r RunResult, name: &str) -> &'r Summary {
    let i = r
        .layout
        .outcomes
        .iter()
        .position(|o| o.name == name)
        .expect("outcome");
    &r.outcomes[i]
}

/// Asserts every trial had `expected` in each month (mean and all percentiles).
fn assert_exact(r: &RunResult, metric: Metric, expected: &[f64]) {
    let s = series(r, metric);
    assert_eq!(s.len(), expected.len());
    for (m, (sum, want)) in s.iter().zip(expected).enumerate() {
        let got = sum.mean.unwrap();
        assert!(
            (got - want).abs() < 1e-9,
            "{} month {m}: got {got}, want {want}",
            metric.name()
        );
        for p in &sum.percentiles {
            assert!(
                (p.unwrap() - want).abs() < 1e-9,
                "{} month {m}: percentile {p:?}",
                metric.name()
            );
        }
        assert!(sum.std_dev.unwrap() < 1e-9);
    }
}

const HORIZON: &str = r#"
[scenario]
name = "hand"
start = "2026-01"
end = "2026-08"
"#;

/// One 2 GW tranche planned for the third month with a 2-month ramp, a
/// pay-as-delivered contract at 12 per GW-year, revenue capped by capacity,
/// and cash: every month worked out by hand.
#[test]
fn deterministic_scenario_matches_hand_computation() {
    let s = scenario(&format!(
        r#"{HORIZON}
[[tranche]]
name = "t"
counterparty = "c"
gw = 2
planned = "2026-03"
ramp_months = 2
accelerators_per_gw = 1000
pflops_per_accelerator = 2

[[contract]]
name = "k"
counterparty = "c"
basis = "pay_as_delivered"
value_usd_bn = 10
start = "2026-01"
term_months = 12
tranches = ["t"]
usd_bn_per_gw_year = 12

[revenue]
run_rate_usd_bn = 24
annual_growth = 0
usd_bn_per_gw_year = 6

[costs]
other_usd_bn_per_year = 12
revenue_share = 0.5

[cash]
start_usd_bn = 5

[[funding]]
name = "f"
amount_usd_bn = 3
month = "2026-05"

[[target]]
name = "full"
metric = "capacity_online_gw"
at_least = 2
"#
    ));
    let r = simulate(&s, 50);
    // Capacity: planned month index 2; ramp 1/2 then full.
    let gw = [0.0, 0.0, 1.0, 2.0, 2.0, 2.0, 2.0, 2.0];
    assert_exact(&r, Metric::CapacityOnlineGw, &gw);
    assert_exact(&r, Metric::CapacityPlannedGw, &gw);
    assert_exact(&r, Metric::CapacityShortfallGw, &[0.0; 8]);
    assert_exact(&r, Metric::AcceleratorsOnline, &gw.map(|g| g * 1000.0));
    // 1000 accelerators/GW x 2 PFLOP/s = 2 EFLOP/s per GW.
    assert_exact(&r, Metric::ComputeOnlineEflops, &gw.map(|g| g * 2.0));
    // Payments: 1 per GW-month, until 10 is paid: 1, 2, 2, 2, 2, then the last 1.
    let pay = [0.0, 0.0, 1.0, 2.0, 2.0, 2.0, 2.0, 1.0];
    assert_exact(&r, Metric::ComputePaymentsUsdBn, &pay);
    assert_exact(
        &r,
        Metric::CumulativeComputePaymentsUsdBn,
        &[0.0, 0.0, 1.0, 3.0, 5.0, 7.0, 9.0, 10.0],
    );
    // Revenue: demand 24/yr, capacity caps it at 6 per GW-year: 0, 0, 6, 12...
    let run_rate = gw.map(|g| (g * 6.0_f64).min(24.0));
    assert_exact(&r, Metric::RevenueRunRateUsdBn, &run_rate);
    assert_exact(&r, Metric::DemandRunRateUsdBn, &[24.0; 8]);
    let revenue = run_rate.map(|x| x / 12.0);
    assert_exact(&r, Metric::RevenueUsdBn, &revenue);
    assert_exact(&r, Metric::RevenueComputeConstrained, &[1.0; 8]);
    // Costs: 1 per month other costs, plus half of revenue.
    let opex = revenue.map(|x| 1.0 + 0.5 * x);
    assert_exact(&r, Metric::OperatingCostsUsdBn, &opex);
    let funding = [0.0, 0.0, 0.0, 0.0, 3.0, 0.0, 0.0, 0.0];
    assert_exact(&r, Metric::FundingUsdBn, &funding);
    let mut cash = 5.0;
    let mut expected_cash = Vec::new();
    for m in 0..8 {
        cash += revenue[m] + funding[m] - pay[m] - opex[m];
        expected_cash.push(cash);
    }
    // By hand: 4, 3, 1.25, -1.25, -0.75, -3.25, -5.75, -7.25.
    assert_exact(&r, Metric::CashBalanceUsdBn, &expected_cash);
    assert_eq!(
        expected_cash,
        [4.0, 3.0, 1.25, -1.25, -0.75, -3.25, -5.75, -7.25]
    );
    assert_exact(
        &r,
        Metric::FundingGapUsdBn,
        &expected_cash
            .iter()
            .map(|c| (-c).max(0.0))
            .collect::<Vec<_>>(),
    );
    assert_exact(
        &r,
        Metric::CashShortfall,
        &expected_cash
            .iter()
            .map(|c| if *c < 0.0 { 1.0 } else { 0.0 })
            .collect::<Vec<_>>(),
    );

    let exact = |name: &str, want: f64| {
        let o = outcome(&r, name);
        assert!(
            (o.mean.unwrap() - want).abs() < 1e-9,
            "{name}: {:?}",
            o.mean
        );
    };
    exact("total_compute_payments_usd_bn", 10.0);
    exact("contract_k_payments_usd_bn", 10.0);
    exact("peak_funding_gap_usd_bn", 7.25);
    exact("min_cash_usd_bn", -7.25);
    exact("end_cash_usd_bn", -7.25);
    exact("cash_shortfall_ever", 1.0);
    exact("first_shortfall_month", 3.0);
    exact("target_full_reached", 1.0);
    exact("target_full_month", 3.0);
}

/// A delay uniform on (0, 6) months, rounded to the nearest month: the
/// tranche is online in month k (counting from its planned month) with
/// probability P(delay < k + 0.5) = (k + 0.5) / 6.
#[test]
fn uniform_delay_gives_closed_form_probability_online() {
    let s = scenario(&format!(
        r#"{HORIZON}
[[tranche]]
name = "t"
counterparty = "c"
gw = 1
planned = "2026-01"
delay_months = {{ dist = "uniform", min = 0, max = 6 }}
accelerators_per_gw = 1
"#
    ));
    let n = 40_000;
    let r = simulate(&s, n);
    for (k, sum) in series(&r, Metric::CapacityOnlineGw).iter().enumerate() {
        let p = ((k as f64 + 0.5) / 6.0).min(1.0);
        let se = (p * (1.0 - p) / n as f64).sqrt();
        let got = sum.mean.unwrap();
        assert!(
            (got - p).abs() <= 4.0 * se + 1e-12,
            "month {k}: {got} vs {p}"
        );
        // The reported standard error is that of a proportion.
        assert!((sum.std_error.unwrap() - se).abs() < 0.1 * se + 1e-12);
    }
}

/// A triangular delay: P(online by month k) is the triangular CDF at k + 0.5.
#[test]
fn triangular_delay_gives_closed_form_probability_online() {
    let s = scenario(&format!(
        r#"{HORIZON}
[[tranche]]
name = "t"
counterparty = "c"
gw = 1
planned = "2026-01"
delay_months = {{ dist = "triangular", min = 0, mode = 2, max = 7 }}
accelerators_per_gw = 1
"#
    ));
    let n = 40_000;
    let r = simulate(&s, n);
    let cdf = |x: f64| {
        let (a, c, b) = (0.0, 2.0, 7.0);
        if x <= a {
            0.0
        } else if x <= c {
            (x - a).powi(2) / ((b - a) * (c - a))
        } else if x < b {
            1.0 - (b - x).powi(2) / ((b - a) * (b - c))
        } else {
            1.0
        }
    };
    let _ = Triangular::new(0.0, 2.0, 7.0).unwrap();
    for (k, sum) in series(&r, Metric::CapacityOnlineGw).iter().enumerate() {
        let p = cdf(k as f64 + 0.5);
        let se = (p * (1.0 - p) / n as f64).sqrt();
        assert!(
            (sum.mean.unwrap() - p).abs() <= 4.0 * se + 1e-12,
            "month {k}"
        );
    }
}

/// Take-or-pay: a profile of 1 then 3 over two years pays 2.5/month in the
/// first year and 7.5/month in the second, whatever is delivered.
#[test]
fn take_or_pay_gives_its_exact_schedule() {
    let s = scenario(
        r#"
[scenario]
name = "top"
start = "2026-01"
end = "2028-06"

[[tranche]]
name = "t"
counterparty = "c"
gw = 1
planned = "2026-01"
p_never = 0.5
delay_months = { dist = "uniform", min = 0, max = 20 }
accelerators_per_gw = 1

[[contract]]
name = "k"
counterparty = "c"
basis = "take_or_pay"
value_usd_bn = 120
start = "2026-02"
term_months = 24
profile = [1, 3]
"#,
    );
    let r = simulate(&s, 500);
    let mut want = vec![0.0; 30];
    for (m, w) in want.iter_mut().enumerate().take(25).skip(1) {
        *w = if m <= 12 { 2.5 } else { 7.5 };
    }
    assert_exact(&r, Metric::ComputePaymentsUsdBn, &want);
    assert!((outcome(&r, "total_compute_payments_usd_bn").mean.unwrap() - 120.0).abs() < 1e-9);
}

/// Demand growth g ~ lognormal: demand after 12 months is R0 (1 + g), a
/// monotone function of g, so its percentiles are R0 (1 + g's percentiles).
#[test]
fn lognormal_growth_gives_known_quantiles_of_demand() {
    let s = scenario(
        r#"
[scenario]
name = "growth"
start = "2026-01"
end = "2027-06"

[[tranche]]
name = "t"
counterparty = "c"
gw = 100
planned = "2025-01"
accelerators_per_gw = 1

[revenue]
run_rate_usd_bn = 20
annual_growth = { dist = "lognormal", p10 = 0.4, p90 = 1.6 }
usd_bn_per_gw_year = 100
"#,
    );
    let r = simulate(&s, 20_000);
    let g = LogNormal::from_p10_p90(0.4, 1.6).unwrap();
    let month12 = &series(&r, Metric::DemandRunRateUsdBn)[12];
    for (p, got) in [5.0, 50.0, 95.0].iter().zip(&month12.percentiles) {
        let want = 20.0 * (1.0 + g.quantile(p / 100.0));
        // Sampling error of a percentile: well within 2% at 20,000 trials.
        assert!(
            (got.unwrap() - want).abs() < 0.02 * want,
            "p{p}: {got:?} vs {want}"
        );
    }
    let mean_want = 20.0 * (1.0 + g.mean());
    assert!((month12.mean.unwrap() - mean_want).abs() < 4.0 * month12.std_error.unwrap());
    // Uncapped (10,000/yr of capacity), so revenue equals demand.
    assert_eq!(
        series(&r, Metric::RevenueComputeConstrained)[12].mean,
        Some(0.0)
    );
}

/// A purchase pays price x GW `lead_months` before energisation; a lump of
/// funding with probability 0.3 arrives in 30% of trials.
#[test]
fn purchase_timing_and_funding_probability() {
    let s = scenario(&format!(
        r#"{HORIZON}
[[tranche]]
name = "t"
counterparty = "c"
gw = 2
planned = "2026-07"
accelerators_per_gw = 1

[[contract]]
name = "chips"
counterparty = "c"
basis = "purchase"
value_usd_bn = 100
start = "2026-01"
term_months = 12
tranches = ["t"]
usd_bn_per_gw = 30
lead_months = 4

[[funding]]
name = "maybe"
amount_usd_bn = 10
month = "2026-02"
probability = 0.3
"#
    ));
    let n = 20_000;
    let r = simulate(&s, n);
    assert_exact(
        &r,
        Metric::ComputePaymentsUsdBn,
        &[0.0, 0.0, 60.0, 0.0, 0.0, 0.0, 0.0, 0.0],
    );
    let f = &series(&r, Metric::FundingUsdBn)[1];
    let se = 10.0 * (0.3f64 * 0.7 / n as f64).sqrt();
    assert!((f.mean.unwrap() - 3.0).abs() < 4.0 * se, "{:?}", f.mean);
}

/// A tranche that never arrives in some trials: the target month is blank
/// (not dropped) at percentiles that fall among those trials.
#[test]
fn trials_that_never_reach_a_target_are_counted() {
    let s = scenario(&format!(
        r#"{HORIZON}
[[tranche]]
name = "t"
counterparty = "c"
status = "option"
p_never = 0.75
gw = 1
planned = "2026-02"
accelerators_per_gw = 1

[[target]]
name = "one"
metric = "capacity_online_gw"
at_least = 1
"#
    ));
    let n = 20_000;
    let r = simulate(&s, n);
    let reached = outcome(&r, "target_one_reached");
    assert!((reached.mean.unwrap() - 0.25).abs() < 4.0 * (0.25f64 * 0.75 / n as f64).sqrt());
    let month = outcome(&r, "target_one_month");
    assert_eq!(month.trials, n);
    assert_eq!(
        month.mean, None,
        "a mean over trials that never reach it is undefined"
    );
    // Reached in month 1 by a quarter of trials: p5 is month 1, p50 and p95
    // fall among trials that never reach it.
    assert_eq!(month.percentiles, vec![Some(1.0), None, None]);
}

/// By quarter: each trial's flows are summed over the quarter and stocks taken
/// at its end, before any statistic. With a random delay the quarter's
/// percentiles are not sums of monthly percentiles, so check them per trial:
/// the quarterly payment of every trial equals the sum of its months.
#[test]
fn quarterly_flows_are_per_trial_sums_and_stocks_are_quarter_ends() {
    use capsim::period::Period;
    let s = scenario(&format!(
        r#"{HORIZON}
[[tranche]]
name = "t"
counterparty = "c"
gw = 2
planned = "2026-03"
ramp_months = 2
accelerators_per_gw = 1000

[[contract]]
name = "k"
counterparty = "c"
basis = "pay_as_delivered"
value_usd_bn = 10
start = "2026-01"
term_months = 12
tranches = ["t"]
usd_bn_per_gw_year = 12
"#
    ));
    let config = RunConfig {
        trials: 20,
        seed: 5,
        threads: 1,
        exact: false,
        percentiles: vec![5.0, 50.0, 95.0],
    };
    let r = capsim::runner::run_by(&s, &config, Period::Quarter, &|_| {}).unwrap();
    let labels: Vec<&str> = r.period_spans.iter().map(|p| p.label.as_str()).collect();
    assert_eq!(labels, ["2026-Q1", "2026-Q2", "2026-Q3"]);
    let k = |m: Metric| r.layout.metrics.iter().position(|x| *x == m).unwrap();
    let n = r.period_spans.len();
    // Monthly payments 0, 0, 1 | 2, 2, 2 | 2, 1 (see the hand-computed test).
    let pay = &r.period_series[k(Metric::ComputePaymentsUsdBn) * n..][..n];
    let want = [1.0, 6.0, 3.0];
    for (s, w) in pay.iter().zip(want) {
        assert!(
            (s.mean.unwrap() - w).abs() < 1e-9
                && s.percentiles.iter().all(|p| (p.unwrap() - w).abs() < 1e-9)
        );
    }
    // Capacity at quarter ends: 1 GW (ramping) in March, then 2.
    let cap = &r.period_series[k(Metric::CapacityOnlineGw) * n..][..n];
    assert_eq!(
        cap.iter().map(|s| s.mean.unwrap()).collect::<Vec<_>>(),
        [1.0, 2.0, 2.0]
    );
    // Monthly output is unchanged.
    assert_eq!(r.series.len(), r.layout.series_len());
}

/// With an uncertain delay, the quarter's median payment is the median of
/// per-trial quarterly sums, which differs from the sum of monthly medians.
#[test]
fn quarterly_percentiles_come_from_per_trial_sums() {
    use capsim::period::Period;
    let s = scenario(&format!(
        r#"{HORIZON}
[[tranche]]
name = "t"
counterparty = "c"
gw = 1
planned = "2026-01"
delay_months = {{ dist = "uniform", min = 0, max = 3 }}
accelerators_per_gw = 1

[[contract]]
name = "k"
counterparty = "c"
basis = "purchase"
value_usd_bn = 100
start = "2026-01"
term_months = 12
tranches = ["t"]
usd_bn_per_gw = 30
"#
    ));
    let config = RunConfig {
        trials: 4000,
        seed: 5,
        threads: 2,
        exact: false,
        percentiles: vec![50.0],
    };
    let r = capsim::runner::run_by(&s, &config, Period::Quarter, &|_| {}).unwrap();
    let k = r
        .layout
        .metrics
        .iter()
        .position(|x| *x == Metric::ComputePaymentsUsdBn)
        .unwrap();
    let n = r.period_spans.len();
    // The 30 is paid in month 0, 1, 2 (Q1, 5/6 of trials) or 3 (Q2).
    let q1 = &r.period_series[k * n];
    assert_eq!(q1.percentiles[0], Some(30.0));
    // Each month alone has a median of 0: adding monthly medians gives 0.
    let monthly: f64 = (0..3)
        .map(|m| series(&r, Metric::ComputePaymentsUsdBn)[m].percentiles[0].unwrap())
        .sum();
    assert_eq!(monthly, 0.0);
}

/// Past the exact budget percentiles come from sketches, yet a constant
/// reads back as itself, events as 0 or 1, and months as whole months
/// (tallied): here payments are a fixed take-or-pay schedule, the tranche
/// arrives with probability 1/4 at a uniform delay, and cash falls below the
/// floor in the month a payment is due.
#[test]
fn sketched_runs_keep_constants_events_and_months_exact() {
    use capsim::stats::Method;
    let s = scenario(
        r#"
[scenario]
name = "long"
start = "2026-01"
end = "2040-12"

[cash]
start_usd_bn = 10
floor_usd_bn = 0

[[tranche]]
name = "t"
counterparty = "c"
gw = 1
planned = "2026-03"
p_never = 0.75
delay_months = { dist = "uniform", min = 0, max = 30 }
accelerators_per_gw = 1

[[contract]]
name = "k"
counterparty = "c"
basis = "take_or_pay"
value_usd_bn = 24.3
start = "2026-02"
term_months = 12

[[target]]
name = "one"
metric = "capacity_online_gw"
at_least = 1
"#,
    );
    let r = simulate(&s, 7_000);
    assert_eq!(r.method, Method::Sketch, "the test needs a sketched run");
    // Every trial pays the same sum of twelve monthly payments (24.3 up to
    // rounding): every percentile is that very number, not a bucket's
    // midpoint (up to 0.39%, 0.09, away).
    for name in [
        "contract_k_payments_usd_bn",
        "total_compute_payments_usd_bn",
    ] {
        let paid = outcome(&r, name);
        let value = paid.percentiles[0].expect("every trial pays");
        assert!((value - 24.3).abs() < 1e-12, "{name}: {value}");
        assert_eq!(paid.percentiles, vec![Some(value); 3], "{name}");
    }
    // 24.3 / 12 = 2.025 a month from February (month 1): cash 10 goes below
    // 0 after five payments, in 2026-06 (month 5), in every trial.
    let ever = outcome(&r, "cash_shortfall_ever");
    assert_eq!(ever.percentiles, vec![Some(1.0); 3]);
    let first = outcome(&r, "first_shortfall_month");
    assert_eq!(first.percentiles, vec![Some(5.0); 3]);
    let short = series(&r, Metric::CashShortfall);
    assert_eq!(short[4].percentiles, vec![Some(0.0); 3]);
    assert_eq!(short[5].percentiles, vec![Some(1.0); 3]);
    // Reached by a quarter of the trials, in month 2 + round(delay): p5 is
    // the 20th percentile of those, a whole month near 2 + 6; the median and
    // p95 fall among trials that never reach it.
    let month = outcome(&r, "target_one_month");
    let p5 = month.percentiles[0].expect("p5 among trials that reach it");
    assert_eq!(p5, p5.round(), "{p5}");
    assert!((6.0..=10.0).contains(&p5), "{p5}");
    assert_eq!(month.percentiles[1..], [None, None]);
    let reached = outcome(&r, "target_one_reached");
    for p in reached.percentiles.iter().flatten() {
        assert!(*p == 0.0 || *p == 1.0, "{p}");
    }
}

/// A lease of 12 per GW on a 1 GW tranche over 12 months at 12% a year: the
/// level payment `12 * 0.01 / (1 - 1.01^-12)` from one month before power-on
/// for twelve months; an unfunded gap pays 12% a year on negative cash,
/// compounded monthly, so cash follows `C(m) = C(m-1) * 1.01 - payment(m)`.
#[test]
fn lease_pays_an_annuity_and_negative_cash_pays_interest() {
    let s = scenario(&format!(
        r#"{HORIZON}
[[tranche]]
name = "a"
counterparty = "x"
gw = 1
planned = "2026-03"
accelerators_per_gw = 1

[[contract]]
name = "l"
counterparty = "v"
basis = "lease"
value_usd_bn = 100
start = "2026-01"
term_months = 12
tranches = ["a"]
usd_bn_per_gw = 12
rate = 0.12
lead_months = 1

[financing]
debt_rate = 0.12
"#
    ));
    let r = simulate(&s, 50);
    let level = 12.0 * 0.01 / (1.0 - 1.01f64.powi(-12));
    assert!((level - 1.066_185).abs() < 1e-6);
    // HORIZON runs 2026-01 to 2026-08: payments from 2026-02.
    let mut pay = vec![level; 8];
    pay[0] = 0.0;
    assert_exact(&r, Metric::ComputePaymentsUsdBn, &pay);
    let (mut cash, mut expected_cash, mut expected_interest) = (0.0f64, vec![], vec![]);
    for p in &pay {
        let interest = if cash < 0.0 { -cash * 0.01 } else { 0.0 };
        cash += -p - interest;
        expected_interest.push(interest);
        expected_cash.push(cash);
    }
    assert_exact(&r, Metric::CashBalanceUsdBn, &expected_cash);
    assert_exact(&r, Metric::InterestUsdBn, &expected_interest);
    let fcf: Vec<f64> = pay
        .iter()
        .zip(&expected_interest)
        .map(|(p, i)| -p - i)
        .collect();
    assert_exact(&r, Metric::FreeCashFlowUsdBn, &fcf);
    // Nothing is raised, so the need is the deepest the cash goes below 0.
    let need: Vec<f64> = expected_cash.iter().map(|c| c.min(0.0).abs()).collect();
    assert_exact(&r, Metric::FundingNeedUsdBn, &need);
    let paid = outcome(&r, "contract_l_payments_usd_bn").percentiles[1].unwrap();
    assert!((paid - 7.0 * level).abs() < 1e-9, "{paid}");
}

/// Equity in blocks of 5 that reach cash net of a 20% cost (4 each): with
/// costs of 1 a month and a floor of 0, a block is raised whenever cash
/// goes below 0, in months 0, 4 (every fourth month); the need is what the
/// months' costs add up to, 8 by month 7, not the 10 raised.
#[test]
fn equity_is_raised_in_blocks_to_hold_the_floor() {
    let s = scenario(&format!(
        r#"{HORIZON}
[costs]
other_usd_bn_per_year = 12

[financing]
equity_block_usd_bn = 5
equity_cost = 0.2
"#
    ));
    let r = simulate(&s, 50);
    assert_exact(
        &r,
        Metric::EquityRaisedUsdBn,
        &[5.0, 0.0, 0.0, 0.0, 5.0, 0.0, 0.0, 0.0],
    );
    assert_exact(
        &r,
        Metric::CashBalanceUsdBn,
        &[3.0, 2.0, 1.0, 0.0, 3.0, 2.0, 1.0, 0.0],
    );
    assert_exact(
        &r,
        Metric::FundingNeedUsdBn,
        &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0],
    );
    assert_exact(&r, Metric::FundingGapUsdBn, &[0.0; 8]);
    assert_eq!(
        outcome(&r, "total_equity_raised_usd_bn").percentiles[1],
        Some(10.0)
    );
    assert_eq!(outcome(&r, "funding_need_usd_bn").percentiles[1], Some(8.0));
    assert_eq!(outcome(&r, "cash_shortfall_ever").percentiles[1], Some(0.0));
}

/// Options decided on need, each on the trial's state in its decision month
/// with the options decided then or later left out. Demand 10 a year,
/// revenue 10 per GW-year: 0.5 GW online earns 5, so demand over capacity is
/// 2 in month 1 and option `b` (needs 1.5) is exercised; `d`, decided in
/// month 2 on cash alone, is exercised and energises in month 3, not its
/// planned month 1; in month 4, with 2.5 GW earning 25, the ratio is 0.4 and
/// `c` lapses: it never arrives.
#[test]
fn options_are_exercised_on_need_in_their_decision_month() {
    let option = |name: &str, planned: &str, decision: &str, condition: &str| {
        format!(
            r#"
[[tranche]]
name = "{name}"
counterparty = "x"
status = "option"
gw = 1
planned = "{planned}"
accelerators_per_gw = 1
decision = "{decision}"
exercise_if = {{ {condition} }}
"#
        )
    };
    let s = scenario(&format!(
        r#"{HORIZON}
[[tranche]]
name = "a"
counterparty = "x"
gw = 0.5
planned = "2025-01"
accelerators_per_gw = 1
{b}{c}{d}
[revenue]
run_rate_usd_bn = 10
annual_growth = 0
usd_bn_per_gw_year = 10
"#,
        b = option(
            "b",
            "2026-04",
            "2026-02",
            "demand_over_capacity_at_least = 1.5"
        ),
        c = option(
            "c",
            "2026-03",
            "2026-05",
            "demand_over_capacity_at_least = 1.5"
        ),
        d = option("d", "2026-02", "2026-03", "cash_at_least = -1000"),
    ));
    let r = simulate(&s, 40);
    assert_exact(
        &r,
        Metric::CapacityOnlineGw,
        &[0.5, 0.5, 0.5, 2.5, 2.5, 2.5, 2.5, 2.5],
    );
    assert_eq!(
        outcome(&r, "capacity_never_arriving_gw").percentiles[1],
        Some(1.0)
    );
}

/// An option tranche of `gw` GW planned in `planned`, decided in `decision`
/// on `condition` (the inside of an `exercise_if` table), with `extra` keys.
fn option_tranche(
    name: &str,
    gw: f64,
    planned: &str,
    decision: &str,
    condition: &str,
    extra: &str,
) -> String {
    format!(
        r#"
[[tranche]]
name = "{name}"
counterparty = "x"
status = "option"
gw = {gw}
planned = "{planned}"
accelerators_per_gw = 1
decision = "{decision}"
exercise_if = {{ {condition} }}
{extra}
"#
    )
}

/// Asserts every trial had `want` as outcome `name` (mean and percentiles).
fn assert_outcome_exact(r: &RunResult, name: &str, want: f64) {
    let o = outcome(r, name);
    let mean = o.mean.unwrap();
    assert!(
        (mean - want).abs() < 1e-9,
        "{name}: mean {mean}, want {want}"
    );
    for p in &o.percentiles {
        assert!(
            (p.unwrap() - want).abs() < 1e-9,
            "{name}: {p:?}, want {want}"
        );
    }
}

/// `capacity_never_arriving_gw` (section 10 of the format) is the drawn size
/// of every tranche that does not arrive: those that draw never (`p_never`)
/// and options with a `decision` not exercised, each counted once. Without
/// `[revenue]` demand is 0, so `demand_run_rate_at_least = 1` never holds:
/// 2 GW cancelled + 3 GW lapsed + 4 GW lapsed (whatever its own `p_never`
/// draw) = 9 GW in every trial; the 0.5 GW option exercised and the 1 GW
/// binding tranche arrive. `p_never` alone would give 2 + 0.5 x 4 = 4 on
/// average.
#[test]
fn capacity_never_arriving_counts_options_not_exercised() {
    let lapses = "demand_run_rate_at_least = 1";
    let s = scenario(&format!(
        r#"{HORIZON}
[[tranche]]
name = "bound"
counterparty = "x"
gw = 1
planned = "2026-01"
accelerators_per_gw = 1

[[tranche]]
name = "cancelled"
counterparty = "x"
gw = 2
planned = "2026-03"
p_never = 1
accelerators_per_gw = 1
{lapsed}{both}{taken}"#,
        lapsed = option_tranche("lapsed", 3.0, "2026-04", "2026-02", lapses, ""),
        both = option_tranche("both", 4.0, "2026-04", "2026-02", lapses, "p_never = 0.5"),
        taken = option_tranche(
            "taken",
            0.5,
            "2026-04",
            "2026-02",
            "cash_at_least = -1000",
            ""
        ),
    ));
    let r = simulate(&s, 200);
    assert_outcome_exact(&r, "capacity_never_arriving_gw", 9.0);
    assert_outcome_exact(&r, "capacity_online_end_gw", 1.5);
}

/// `demand_over_capacity_at_least` when what capacity online can earn
/// (capacity online x `usd_bn_per_gw_year`) is 0 (section 4 of the format):
/// the ratio is infinite if demand is above 0, so the option is exercised
/// whatever the threshold; it is 0 if demand is 0 too, so the option lapses
/// unless the threshold is 0. Option `o` (1 GW, planned 2026-06) is decided
/// in 2026-02 with nothing online, or, in the cases that have it, `bound`
/// (1 GW since 2025) online at a price of 0.
#[test]
fn demand_over_capacity_with_nothing_earning_is_infinite_or_zero() {
    let bound = r#"
[[tranche]]
name = "bound"
counterparty = "x"
gw = 1
planned = "2025-01"
accelerators_per_gw = 1
"#;
    // (`bound` or nothing, demand run rate, revenue per GW-year, threshold,
    // exercised)
    let cases = [
        ("", "10", "10", "1000", true),
        ("", "0", "10", "0.5", false),
        ("", "0", "10", "0", true),
        (bound, "10", "0", "1000", true),
        (bound, "0", "0", "0.5", false),
    ];
    for (online, demand, price, threshold, exercised) in cases {
        let s = scenario(&format!(
            r#"{HORIZON}{online}{o}
[revenue]
run_rate_usd_bn = {demand}
annual_growth = 0
usd_bn_per_gw_year = {price}
"#,
            o = option_tranche(
                "o",
                1.0,
                "2026-06",
                "2026-02",
                &format!("demand_over_capacity_at_least = {threshold}"),
                ""
            ),
        ));
        let r = simulate(&s, 20);
        let case = format!("online {online:?}, demand {demand}, threshold {threshold}");
        let never = if exercised { 0.0 } else { 1.0 };
        let never_got = outcome(&r, "capacity_never_arriving_gw").mean.unwrap();
        assert_eq!(never_got, never, "{case}");
    }
    // Without `[revenue]` demand and capacity's earning power are both 0.
    let s = scenario(&format!(
        "{HORIZON}{}",
        option_tranche(
            "o",
            1.0,
            "2026-06",
            "2026-02",
            "demand_over_capacity_at_least = 0.5",
            ""
        )
    ));
    assert_outcome_exact(&simulate(&s, 20), "capacity_never_arriving_gw", 1.0);
}

/// An exercised option energises, and its payments fall due, no earlier than
/// the month after its decision (sections 4 and 12 of the format): both
/// options are decided in 2026-03 (month 2). `o`, planned for month 1,
/// energises in month 3 (E = max(1, 2 + 1)); its purchase (lead 2) and first
/// lease payment (lead 2), due by the lead in month 1, fall due in month 3
/// (q = max(E - lead, start, 2 + 1)), its pay-as-delivered accrual and its
/// per-GW funding start in month 3. `p`, planned for month 6, energises then
/// and its purchase falls due in month 4, its lead ahead (the month after
/// the decision is a floor, not a date).
#[test]
fn an_exercised_option_starts_no_earlier_than_the_month_after_its_decision() {
    let exercised = "cash_at_least = -1000";
    let s = scenario(&format!(
        r#"{HORIZON}{o}{p}
[[contract]]
name = "chips"
counterparty = "v"
basis = "purchase"
value_usd_bn = 100
start = "2026-01"
term_months = 12
tranches = ["o", "p"]
usd_bn_per_gw = 30
lead_months = 2

[[contract]]
name = "lease"
counterparty = "v"
basis = "lease"
value_usd_bn = 100
start = "2026-01"
term_months = 12
tranches = ["o"]
usd_bn_per_gw = 12
lead_months = 2

[[contract]]
name = "cloud"
counterparty = "v"
basis = "pay_as_delivered"
value_usd_bn = 100
start = "2026-01"
term_months = 12
tranches = ["o"]
usd_bn_per_gw_year = 12

[[funding]]
name = "vendor"
basis = "per_gw"
usd_bn_per_gw = 5
tranches = ["o", "p"]
"#,
        o = option_tranche("o", 1.0, "2026-02", "2026-03", exercised, ""),
        p = option_tranche("p", 1.0, "2026-07", "2026-03", exercised, ""),
    ));
    let model = Model::new(&s);
    let mut ws = Workspace::new(&s);
    let mut rec = TrialRecord::new(model.layout());
    let t = model.deal_trial(s.seed, 0, &mut ws, &mut rec);
    let months = s.months;
    let contract = |ci: usize| &t.monthly[ci * months..(ci + 1) * months];
    assert_eq!(contract(0), [0.0, 0.0, 0.0, 30.0, 30.0, 0.0, 0.0, 0.0]);
    assert_eq!(contract(1), [0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0, 1.0]);
    assert_eq!(contract(2), [0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0, 1.0]);
    let r = simulate(&s, 20);
    assert_exact(
        &r,
        Metric::CapacityOnlineGw,
        &[0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 2.0, 2.0],
    );
    assert_exact(
        &r,
        Metric::ComputePaymentsUsdBn,
        &[0.0, 0.0, 0.0, 32.0, 32.0, 2.0, 2.0, 2.0],
    );
    assert_exact(
        &r,
        Metric::FundingUsdBn,
        &[0.0, 0.0, 0.0, 5.0, 0.0, 0.0, 5.0, 0.0],
    );
}

/// Revenue of exactly 10 a month (demand 120 a year, no growth, capacity
/// to spare) and other costs of 2 a month, from 2025-11 to 2028-06: free
/// cash flow is 8 a month and cash after month m is 8 (m + 1). The first
/// calendar year (2025) has two months inside the horizon, the last (2028)
/// six.
const STEADY: &str = r#"
[scenario]
name = "steady"
start = "2025-11"
end = "2028-06"

[[tranche]]
name = "t"
counterparty = "c"
gw = 10
planned = "2025-01"
accelerators_per_gw = 400000

[revenue]
run_rate_usd_bn = 120
annual_growth = [0]
usd_bn_per_gw_year = 20

[costs]
other_usd_bn_per_year = [24]
"#;

fn target_month(r: &RunResult, name: &str) -> Option<f64> {
    outcome(r, &format!("target_{name}_month")).percentiles[1]
}

/// Targets on calendar-year values: revenue's yearly totals are 20 (2025,
/// two months), 120, 120 and 60 (2028, six months); cash at the years' last
/// months inside the horizon is 16 (2025-12), 112, 208 and 256 (2028-06).
#[test]
fn yearly_targets_meet_calendar_year_totals_in_closed_form() {
    let s = scenario(&format!(
        r#"{STEADY}
[[target]]
name = "rev-100-a-year"
metric = "revenue_usd_bn"
period = "year"
at_least = 100

[[target]]
name = "rev-121-a-year"
metric = "revenue_usd_bn"
period = "year"
at_least = 121

[[target]]
name = "rev-at-most-30-a-year"
metric = "revenue_usd_bn"
period = "year"
at_most = 30

[[target]]
name = "cash-150-year-end"
metric = "cash_balance_usd_bn"
period = "year"
at_least = 150

[[target]]
name = "cash-150"
metric = "cash_balance_usd_bn"
period = "month"
at_least = 150

[[target]]
name = "cash-250-year-end"
metric = "cash_balance_usd_bn"
period = "year"
at_least = 250
"#
    ));
    let r = simulate(&s, 20);
    // 2026 is the first year with 100 of revenue: its last month, 2026-12.
    assert_eq!(target_month(&r, "rev-100-a-year"), Some(13.0));
    assert_eq!(outcome(&r, "target_rev-100-a-year_reached").mean, Some(1.0));
    // No year reaches 121 (a full year is 120).
    assert_eq!(target_month(&r, "rev-121-a-year"), None);
    assert_eq!(outcome(&r, "target_rev-121-a-year_reached").mean, Some(0.0));
    // The partial first year counts only its two months: 20 <= 30 in 2025-12.
    assert_eq!(target_month(&r, "rev-at-most-30-a-year"), Some(1.0));
    // Stocks at the year's end: 112 at 2026-12, 208 at 2027-12.
    assert_eq!(target_month(&r, "cash-150-year-end"), Some(25.0));
    // The monthly target is met in the first month with 8 (m + 1) >= 150.
    assert_eq!(target_month(&r, "cash-150"), Some(18.0));
    // The partial last year ends at the horizon's end, 2028-06: 256.
    assert_eq!(target_month(&r, "cash-250-year-end"), Some(31.0));
    let curve = r
        .by_month_probability(r.layout.first_target_outcome + 1)
        .unwrap();
    assert_eq!(curve[12], 0.0);
    assert_eq!(curve[13], 1.0);
}

const STEADY_VIEWS: &str = r#"
[[outside_view]]
name = "rev-2026"
description = "revenue in calendar 2026"
metric = "revenue_usd_bn"
from = "2026-01"
to = "2026-12"
stat = "sum"
value = 130
source = "X1"

[[outside_view]]
name = "fcf-window"
metric = "free_cash_flow_usd_bn"
from = "2026-01"
to = "2027-06"
stat = "sum"
value = 100

[[outside_view]]
name = "cash-mid-2027"
metric = "cash_balance_usd_bn"
from = "2026-01"
to = "2027-06"
stat = "end"
value = 200

[[outside_view]]
name = "capacity"
metric = "capacity_online_gw"
from = "2025-11"
to = "2025-11"
stat = "end"
value = 10
"#;

/// Outside views in closed form: revenue over 2026 is 120, free cash flow
/// over 2026-01 to 2027-06 is 18 x 8 = 144, cash in 2027-06 (month 19) is
/// 160, capacity is 10 GW throughout. Each view's companion outcome is 1
/// when the trial's value is below the published figure (strictly).
#[test]
fn outside_views_are_per_trial_window_values_in_closed_form() {
    let s = scenario(&format!("{STEADY}{STEADY_VIEWS}"));
    let r = simulate(&s, 20);
    for (name, unit, value, below) in [
        ("rev-2026", "USD bn", 120.0, 1.0),
        ("fcf-window", "USD bn", 144.0, 0.0),
        ("cash-mid-2027", "USD bn", 160.0, 1.0),
        ("capacity", "GW", 10.0, 0.0),
    ] {
        let o = outcome(&r, &format!("view_{name}"));
        assert!((o.mean.unwrap() - value).abs() < 1e-9, "{name}: {o:?}");
        for p in &o.percentiles {
            assert!((p.unwrap() - value).abs() < 1e-9, "{name}: {o:?}");
        }
        let spec = r
            .layout
            .outcomes
            .iter()
            .find(|o| o.name == format!("view_{name}"))
            .unwrap();
        assert_eq!(spec.unit, unit);
        assert_eq!(outcome(&r, &format!("view_{name}_below")).mean, Some(below));
    }
    let rows = capsim::export::view_rows(&s, &r);
    assert_eq!(rows.len(), 4);
    assert_eq!(rows[1].share_below, Some(0.0));
    for p in rows[1].percentiles {
        assert!((p.unwrap() - 144.0).abs() < 1e-9);
    }
}

/// A run that computes outcomes alone (sweeps, sensitivity) computes the
/// series its views and yearly targets read: the outcomes are the same as
/// a full run's, bit for bit.
#[test]
fn outcomes_alone_compute_what_views_and_yearly_targets_read() {
    use capsim::model::{Detail, Model, TrialRecord, Workspace};
    let s = scenario(&format!(
        r#"{STEADY}{STEADY_VIEWS}
[[target]]
name = "need-year"
metric = "free_cash_flow_usd_bn"
period = "year"
at_least = 90
"#
    ));
    let model = Model::new(&s);
    let mut ws = Workspace::new(&s);
    let mut full = TrialRecord::new(model.layout());
    model.simulate(7, 3, &mut ws, &mut full);
    let mut alone = TrialRecord::new(model.layout());
    model.simulate_into(
        7,
        3,
        &[],
        &mut ws,
        Detail::Outcomes,
        &mut alone.series,
        &mut alone.outcomes,
    );
    assert_eq!(full.outcomes, alone.outcomes);
    let i = model.layout().first_view_outcome;
    assert_eq!(full.outcomes[i + 2], 144.0);
    // Free cash flow is 96 in 2026, the first year with 90.
    let t = model.layout().first_target_outcome;
    assert_eq!(full.outcomes[t + 1], 13.0);
}

/// With an uncertain run rate, a view of revenue over the whole horizon is
/// each trial's total revenue: its percentiles are those of
/// `total_revenue_usd_bn` (percentiles of per-trial sums, never sums of
/// percentiles), reported at 10, 50 and 90 whatever the run's percentiles,
/// and its share below the published figure is the exact share of trials.
#[test]
fn outside_view_percentiles_and_share_below_come_from_per_trial_values() {
    let s = scenario(&format!(
        r#"{}
[[outside_view]]
name = "all"
metric = "revenue_usd_bn"
from = "2025-11"
to = "2028-06"
stat = "sum"
value = 320
"#,
        STEADY.replace(
            "run_rate_usd_bn = 120",
            "run_rate_usd_bn = { dist = \"uniform\", min = 60, max = 180 }"
        )
    ));
    let r = simulate(&s, 2000);
    let total = r
        .layout
        .outcomes
        .iter()
        .position(|o| o.name == "total_revenue_usd_bn")
        .unwrap();
    let view = r.layout.first_view_outcome;
    assert_eq!(r.percentiles, [5.0, 50.0, 95.0]);
    let rows = capsim::export::view_rows(&s, &r);
    for (k, p) in [10.0, 50.0, 90.0].into_iter().enumerate() {
        let want = r.outcome_distributions[total]
            .percentile(p, r.trials)
            .unwrap();
        let got = rows[0].percentiles[k].unwrap();
        assert!((got - want).abs() <= 1e-9 * want, "p{p}: {got} vs {want}");
    }
    let capsim::stats::Distribution::Exact(values) = &r.outcome_distributions[view] else {
        panic!("2,000 trials keep every value");
    };
    let below = values.iter().filter(|v| **v < 320.0).count() as f64 / 2000.0;
    assert_eq!(rows[0].share_below, Some(below));
    assert!(below > 0.4 && below < 0.6, "{below}");
}

/// A horizon of 13 months, 2026-01 to 2027-01.
const YEAR_AND_A_MONTH: &str = r#"
[scenario]
name = "life"
start = "2026-01"
end = "2027-01"
"#;

/// A 1 GW owned tranche energised in month 0 with a life of half a year
/// retires in month 6: capacity (online and planned), accelerators,
/// compute, running costs, revenue and a pay-as-delivered contract on it
/// stop there.
#[test]
fn a_retired_tranche_goes_offline_at_the_end_of_its_life() {
    let s = scenario(&format!(
        r#"{YEAR_AND_A_MONTH}
[[tranche]]
name = "t"
counterparty = "c"
gw = 1
planned = "2026-01"
accelerators_per_gw = 1000
pflops_per_accelerator = 2
owned = true
life_years = 0.5

[[contract]]
name = "k"
counterparty = "c"
basis = "pay_as_delivered"
value_usd_bn = 100
start = "2026-01"
term_months = 24
tranches = ["t"]
usd_bn_per_gw_year = 12

[revenue]
run_rate_usd_bn = 100
annual_growth = 0
usd_bn_per_gw_year = 6

[costs]
running_usd_bn_per_gw_year = 24
"#
    ));
    let r = simulate(&s, 20);
    let live = |x: f64| -> Vec<f64> { (0..13).map(|m| if m < 6 { x } else { 0.0 }).collect() };
    assert_exact(&r, Metric::CapacityOnlineGw, &live(1.0));
    assert_exact(&r, Metric::CapacityPlannedGw, &live(1.0));
    assert_exact(&r, Metric::CapacityShortfallGw, &[0.0; 13]);
    assert_exact(&r, Metric::AcceleratorsOnline, &live(1000.0));
    assert_exact(&r, Metric::ComputeOnlineEflops, &live(2.0));
    // 12 per GW-year is 1 a month, for 6 months only.
    assert_exact(&r, Metric::ComputePaymentsUsdBn, &live(1.0));
    // Running costs 2 a month; revenue capped at 6 per GW-year, 0.5 a month.
    assert_exact(&r, Metric::OperatingCostsUsdBn, &live(2.0));
    assert_exact(&r, Metric::RevenueUsdBn, &live(0.5));
    let o = outcome(&r, "contract_k_payments_usd_bn").mean.unwrap();
    assert!((o - 6.0).abs() < 1e-9, "{o}");
    let o = outcome(&r, "total_compute_payments_usd_bn").mean.unwrap();
    assert!((o - 6.0).abs() < 1e-9, "{o}");
    let o = outcome(&r, "capacity_online_end_gw").mean.unwrap();
    assert_eq!(o, 0.0);
}

/// The same tranche (2 GW) refreshed at 3 per GW: capacity stays; 6 is paid
/// at the end of each life, in months 6 and 12, into compute payments.
#[test]
fn a_refreshed_tranche_stays_online_and_is_paid_for_every_life() {
    let s = scenario(&format!(
        r#"{YEAR_AND_A_MONTH}
[[tranche]]
name = "t"
counterparty = "c"
gw = 2
planned = "2026-01"
accelerators_per_gw = 1000
life_years = 0.5
end_of_life = "refresh"
refresh_usd_bn_per_gw = 3
"#
    ));
    let r = simulate(&s, 20);
    assert_exact(&r, Metric::CapacityOnlineGw, &[2.0; 13]);
    assert_exact(&r, Metric::CapacityPlannedGw, &[2.0; 13]);
    let mut pay = [0.0; 13];
    pay[6] = 6.0;
    pay[12] = 6.0;
    assert_exact(&r, Metric::ComputePaymentsUsdBn, &pay);
    let o = outcome(&r, "total_compute_payments_usd_bn").mean.unwrap();
    assert!((o - 12.0).abs() < 1e-9, "{o}");
    // A tranche energised 7 months before the horizon refreshes in months
    // -1 (already paid), 5 and 11.
    let s = scenario(&format!(
        r#"{YEAR_AND_A_MONTH}
[[tranche]]
name = "t"
counterparty = "c"
gw = 2
planned = "2025-06"
accelerators_per_gw = 1000
life_years = 0.5
end_of_life = "refresh"
refresh_usd_bn_per_gw = 3
"#
    ));
    let r = simulate(&s, 20);
    let mut pay = [0.0; 13];
    pay[5] = 6.0;
    pay[11] = 6.0;
    assert_exact(&r, Metric::ComputePaymentsUsdBn, &pay);
}

/// The life and refresh price are drawn after a tranche's other inputs, so
/// adding them leaves every other input's draw in every trial unchanged;
/// they are inputs by path like any other.
#[test]
fn adding_a_life_leaves_every_other_draw_unchanged() {
    let base = format!(
        r#"{YEAR_AND_A_MONTH}
[[tranche]]
name = "t"
counterparty = "c"
gw = {{ dist = "uniform", min = 1, max = 2 }}
planned = "2026-03"
delay_months = {{ dist = "uniform", min = 0, max = 6 }}
accelerators_per_gw = 1000
pflops_per_accelerator = {{ dist = "uniform", min = 1, max = 2 }}
"#
    );
    let with = format!(
        "{base}life_years = {{ dist = \"uniform\", min = 2, max = 6 }}\nend_of_life = \"refresh\"\nrefresh_usd_bn_per_gw = {{ dist = \"uniform\", min = 10, max = 20 }}\n"
    );
    let (a, b) = (scenario(&base), scenario(&with));
    let (ma, mb) = (capsim::model::Model::new(&a), capsim::model::Model::new(&b));
    let (pa, pb) = (ma.plan(), mb.plan());
    assert_eq!(pb.len(), pa.len() + 2);
    let pflops = pb.slot("tranche.t.pflops_per_accelerator").unwrap();
    assert_eq!(pb.slot("tranche.t.life_years"), Some(pflops + 1));
    assert_eq!(pb.slot("tranche.t.refresh_usd_bn_per_gw"), Some(pflops + 2));
    let mut keys = (
        capsim::scenario::StreamKeys::default(),
        capsim::scenario::StreamKeys::default(),
    );
    for trial in 0..50 {
        let mut ua = vec![0.0; pa.len()];
        let mut ub = vec![0.0; pb.len()];
        pa.draw_uniforms(7, trial, &mut keys.0, &mut ua);
        pb.draw_uniforms(7, trial, &mut keys.1, &mut ub);
        for (i, input) in pa.inputs.iter().enumerate() {
            let j = pb.slot(&input.path).expect("same path");
            assert_eq!(ua[i], ub[j], "{} trial {trial}", input.path);
        }
    }
}

/// A discrete size written out of order is sorted first (section 11): the
/// median of `values = [3, 1]` is 3, so the default pay-as-delivered price
/// is 120 / (1 year * 3 GW) = 40 USD bn per GW-year, and a trial that draws
/// 1 GW pays 40 / 12 per month. In the order written the median would be 1
/// and the price 120.
#[test]
fn default_price_uses_the_median_of_a_sorted_discrete_size() {
    let s = scenario(
        r#"
[scenario]
name = "discrete-order"
start = "2026-01"
end = "2026-12"

[[tranche]]
name = "t"
counterparty = "c"
gw = { dist = "discrete", values = [3, 1] }
planned = "2026-01"
accelerators_per_gw = 1

[[contract]]
name = "k"
counterparty = "c"
basis = "pay_as_delivered"
value_usd_bn = 120
start = "2026-01"
term_months = 12
tranches = ["t"]
"#,
    );
    let r = simulate(&s, 2000);
    let payments = series(&r, Metric::ComputePaymentsUsdBn);
    // Half the trials draw 1 GW (40/12 a month), half 3 GW (10 a month).
    let p10 = payments[0].percentiles[0].unwrap();
    let p90 = payments[0].percentiles[2].unwrap();
    assert!((p10 - 40.0 / 12.0).abs() < 1e-9, "p10 {p10}");
    assert!((p90 - 10.0).abs() < 1e-9, "p90 {p90}");
}
