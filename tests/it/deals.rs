//! The deals analysis: each basis's ledger against a hand computation, the
//! reconciliation on the default scenario, deal effects against two
//! scenarios run by hand, determinism, and the `deals` outputs.

use std::path::Path;

use capsim::analysis::{DealKind, DealsAnalysis, deals};
use capsim::model::{Model, TrialRecord, Workspace, outcome};
use capsim::scenario::Scenario;

use crate::util::{Workdir, column};

fn scenario(toml: &str) -> Scenario {
    Scenario::parse(toml, Path::new("test.toml")).unwrap_or_else(|e| panic!("{e}"))
}

fn default_scenario() -> Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/openai-2025.toml");
    Scenario::load(&path).unwrap_or_else(|e| panic!("{e}"))
}

/// Runs `f` on a pool of `threads` threads.
fn on_threads<T: Send>(threads: usize, f: impl FnOnce() -> T + Send) -> T {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
        .install(f)
}

fn close(a: f64, b: f64, what: &str) {
    assert!((a - b).abs() < 1e-9, "{what}: {a} != {b}");
}

/// Horizon 2026-01 to 2026-08 (8 months), one contract of each basis, each
/// with its own tranches, all certain.
const LEDGER: &str = r#"
[scenario]
name = "ledger"
start = "2026-01"
end = "2026-08"

# A lease that started before the horizon: first payment 2025-11.
[[tranche]]
name = "leased"
counterparty = "v"
gw = 1
planned = "2025-12"
accelerators_per_gw = 1

[[contract]]
name = "lease"
counterparty = "Lessor"
basis = "lease"
value_usd_bn = 100
start = "2025-10"
term_months = 12
tranches = ["leased"]
usd_bn_per_gw = 12
rate = 0.12
lead_months = 1

# A purchase: one tranche due inside the horizon, one after it.
[[tranche]]
name = "early"
counterparty = "c"
gw = 2
planned = "2026-07"
accelerators_per_gw = 1

[[tranche]]
name = "late"
counterparty = "c"
gw = 2
planned = "2027-03"
accelerators_per_gw = 1

[[contract]]
name = "chips"
counterparty = "Chipmaker"
basis = "purchase"
value_usd_bn = 100
start = "2026-01"
term_months = 24
tranches = ["early", "late"]
usd_bn_per_gw = 30
lead_months = 4

# Pay as delivered, 1 a month, a 12-month term past the horizon, and a
# tranche that never arrives.
[[tranche]]
name = "online"
counterparty = "Cloud"
gw = 1
planned = "2026-01"
accelerators_per_gw = 1

[[tranche]]
name = "never"
counterparty = "Cloud"
gw = 1
planned = "2026-01"
p_never = 1
accelerators_per_gw = 1

[[contract]]
name = "cloud"
counterparty = "Cloud"
basis = "pay_as_delivered"
value_usd_bn = 100
start = "2026-01"
term_months = 12
tranches = ["online", "never"]
usd_bn_per_gw_year = 12

# Take-or-pay, 1 a month from 2025-10 for 24 months.
[[contract]]
name = "fixed"
counterparty = "Cloud"
basis = "take_or_pay"
value_usd_bn = 24
start = "2025-10"
term_months = 24

[[funding]]
name = "round"
amount_usd_bn = 10
month = "2026-02"
"#;

/// Each basis's ledger worked out by hand.
#[test]
fn each_basis_ledger_matches_the_hand_computation() {
    let s = scenario(LEDGER);
    let a = deals(&s, 1, 3);
    let row = |name: &str| a.rows.iter().find(|r| r.name == name).unwrap();
    // Lease: 12 payments of L from 2025-11 (index -2): 2 before, 8 inside,
    // 2 after; principal 12 of the value 100; interest 12 L - 12.
    let level = 12.0 * 0.01 / (1.0 - 1.01f64.powi(-12));
    let l = row("lease");
    close(l.before.p50, 2.0 * level, "lease before");
    close(l.inside.p50, 8.0 * level, "lease inside");
    close(l.after.p50, 2.0 * level, "lease after");
    close(l.never.p50, 88.0, "lease never");
    close(l.interest.p50, 12.0 * level - 12.0, "lease interest");
    // Purchase: 60 due 2026-03 (inside), 60 due 2026-11 (after the horizon)
    // of which the value leaves 40.
    let p = row("chips");
    close(p.before.p50, 0.0, "purchase before");
    close(p.inside.p50, 60.0, "purchase inside");
    close(p.after.p50, 40.0, "purchase after");
    close(p.never.p50, 0.0, "purchase never");
    // Pay as delivered: 1 GW at 1 a month, 8 months inside, the term's last
    // 4 after; the other tranche never arrives: 88 never paid.
    let c = row("cloud");
    close(c.inside.p50, 8.0, "cloud inside");
    close(c.after.p50, 4.0, "cloud after");
    close(c.never.p50, 88.0, "cloud never");
    // Take-or-pay: 3 months before, 8 inside, 13 after.
    let f = row("fixed");
    close(f.before.p50, 3.0, "take-or-pay before");
    close(f.inside.p50, 8.0, "take-or-pay inside");
    close(f.after.p50, 13.0, "take-or-pay after");
    close(f.never.p50, 0.0, "take-or-pay never");
    let round = row("round");
    assert_eq!(round.kind, DealKind::Funding);
    close(round.inside.p50, 10.0, "funding received");
    // The reconciliation adds the contracts up.
    let r = &a.reconciliation;
    close(r.value, 324.0, "value");
    close(r.before.mean, 2.0 * level + 3.0, "before");
    close(r.inside.mean, 8.0 * level + 60.0 + 8.0 + 8.0, "inside");
    close(r.after.mean, 2.0 * level + 40.0 + 4.0 + 13.0, "after");
    close(r.never.mean, 88.0 + 88.0, "never");
}

/// On the default scenario every trial's ledger adds up to each contract's
/// value, its inside-horizon payments are the model's outcome, and the
/// reconciliation's means add up to the headline value.
#[test]
fn the_ledger_reconciles_exactly_on_the_default_scenario() {
    let s = default_scenario();
    let model = Model::new(&s);
    let mut ws = Workspace::new(&s);
    let mut rec = TrialRecord::new(model.layout());
    let first = model.layout().first_contract_outcome;
    for trial in 0..200 {
        let t = model.deal_trial(s.seed, trial, &mut ws, &mut rec);
        for (ci, (c, l)) in s.contracts.iter().zip(&t.contracts).enumerate() {
            assert_eq!(
                l.inside,
                rec.outcomes[first + ci],
                "{} trial {trial}",
                c.name
            );
            let sum = l.before + l.inside + l.after + l.never - l.interest;
            assert!(
                (sum - c.value_usd_bn).abs() < 1e-9,
                "{} trial {trial}: {sum}",
                c.name
            );
            for x in [l.before, l.after, l.interest] {
                assert!(x >= 0.0, "{} trial {trial}: {l:?}", c.name);
            }
            assert!(l.never >= -1e-9, "{} trial {trial}: {l:?}", c.name);
        }
    }
    let a = deals(&s, s.seed, 200);
    let r = &a.reconciliation;
    let total: f64 = s.contracts.iter().map(|c| c.value_usd_bn).sum();
    assert_eq!(r.value, total);
    let sum = r.before.mean + r.inside.mean + r.after.mean + r.never.mean - r.interest.mean;
    assert!((sum - total).abs() < 1e-9, "{sum} != {total}");
    // Means add: the rows' means sum to the reconciliation's.
    let rows_inside: f64 = a
        .rows
        .iter()
        .filter(|r| r.kind == DealKind::Contract)
        .map(|r| r.inside.mean)
        .sum();
    assert!((rows_inside - r.inside.mean).abs() < 1e-9);
}

/// A scenario with revenue, a shock on both tranches, two contracts and a
/// funding event, for removing deals by hand.
const PAIR: &str = r#"
[scenario]
name = "pair"
start = "2026-01"
end = "2028-06"

[simulation]
seed = 11

[[shock]]
name = "grid"

[[tranche]]
name = "cloud-site"
counterparty = "Cloud"
gw = { dist = "pert", min = 0.5, mode = 1, max = 1.5 }
planned = "2026-06"
delay_months = { dist = "pert", min = 0, mode = 3, max = 12 }
delay_shocks = { grid = 0.6 }
accelerators_per_gw = 1

[[tranche]]
name = "chip-site"
counterparty = "Chips"
gw = { dist = "pert", min = 1, mode = 2, max = 3 }
planned = "2026-09"
delay_months = { dist = "pert", min = 0, mode = 4, max = 18 }
delay_shocks = { grid = 0.5 }
p_never = 0.2
accelerators_per_gw = 1

[[contract]]
name = "cloud"
counterparty = "Cloud"
basis = "pay_as_delivered"
value_usd_bn = 40
start = "2026-01"
term_months = 36
tranches = ["cloud-site"]
usd_bn_per_gw_year = { dist = "pert", min = 10, mode = 12, max = 15 }

[[contract]]
name = "lease"
counterparty = "Chips"
basis = "lease"
value_usd_bn = 60
start = "2026-01"
term_months = 48
tranches = ["chip-site"]
usd_bn_per_gw = { dist = "pert", min = 15, mode = 20, max = 25 }
rate = { dist = "pert", min = 0.07, mode = 0.09, max = 0.12 }
lead_months = 2

[revenue]
run_rate_usd_bn = 5
annual_growth = { dist = "pert", min = 0.5, mode = 1, max = 2 }
usd_bn_per_gw_year = 20

[costs]
running_usd_bn_per_gw_year = 1

[cash]
start_usd_bn = 5

[[funding]]
name = "round"
amount_usd_bn = { dist = "pert", min = 5, mode = 10, max = 15 }
month = "2027-01"
probability = 0.7
"#;

/// The headline values of trials `0..n` of `s`: peak need, need at each
/// year end (the horizon's years 2026, 2027, 2028), end capacity, revenue.
fn headline_values(s: &Scenario, n: u64) -> Vec<Vec<f64>> {
    let model = Model::new(s);
    let mut ws = Workspace::new(s);
    let mut rec = TrialRecord::new(model.layout());
    let need = model
        .layout()
        .metric_offset(capsim::metric::Metric::FundingNeedUsdBn)
        .unwrap();
    (0..n)
        .map(|t| {
            model.simulate(s.seed, t, &mut ws, &mut rec);
            vec![
                rec.outcomes[outcome::FUNDING_NEED],
                rec.series[need + 11],
                rec.series[need + 23],
                rec.series[need + 29],
                rec.outcomes[outcome::CAPACITY_END],
                rec.outcomes[outcome::TOTAL_REVENUE],
            ]
        })
        .collect()
}

/// Removing a deal in the analysis is the same as deleting its tables from
/// the file: the paired mean difference and its standard error match a
/// two-scenario comparison done by hand, to the last bit for the mean.
#[test]
fn deal_effects_equal_a_comparison_of_two_scenarios_by_hand() {
    let s = scenario(PAIR);
    let n = 300;
    let a = deals(&s, s.seed, n);
    assert_eq!(a.headlines.len(), 6);
    assert_eq!(a.headlines[1].name, "funding_need_2026_usd_bn");
    let with = headline_values(&s, n);
    // The lease and its tranche deleted; the funding event deleted.
    let no_lease = PAIR
        .replace(
            "[[tranche]]\nname = \"chip-site\"",
            "[[ignored]]\nname = \"chip-site\"",
        )
        .replace(
            "[[contract]]\nname = \"lease\"",
            "[[ignored]]\nname = \"lease\"",
        );
    let no_lease = cut_ignored(&no_lease);
    let no_round = cut_ignored(&PAIR.replace("[[funding]]", "[[ignored]]"));
    for (name, text) in [("lease", no_lease), ("round", no_round)] {
        let without = headline_values(&scenario(&text), n);
        let row = a.rows.iter().find(|r| r.name == name).unwrap();
        for h in 0..6 {
            let diffs: Vec<f64> = (0..n as usize)
                .map(|t| with[t][h] - without[t][h])
                .collect();
            let mean = diffs.iter().sum::<f64>() / n as f64;
            let var = diffs.iter().map(|d| (d - mean).powi(2)).sum::<f64>() / (n as f64 - 1.0);
            let se = (var / n as f64).sqrt();
            assert_eq!(row.effects[h].mean, mean, "{name} {}", a.headlines[h].name);
            assert!((row.effects[h].se - se).abs() < 1e-12, "{name} se");
        }
        // The deal matters: removing it changes the peak need.
        assert!(
            row.effects[0].mean.abs() > 0.1,
            "{name}: {:?}",
            row.effects[0]
        );
    }
}

/// Drops every `[[ignored]]` table (up to the next blank line).
fn cut_ignored(text: &str) -> String {
    let mut out = String::new();
    let mut skipping = false;
    for line in text.lines() {
        if line.starts_with("[[ignored]]") {
            skipping = true;
        } else if line.trim().is_empty() {
            skipping = false;
        }
        if !skipping {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// The ledger's percentiles come from per-trial values: the p10, p50, p90
/// of each contract's payments inside the horizon, recomputed from the
/// model's outcome by sorting.
#[test]
fn ledger_percentiles_are_those_of_the_per_trial_payments() {
    let s = scenario(PAIR);
    let n = 301;
    let a = deals(&s, s.seed, n);
    let model = Model::new(&s);
    let mut ws = Workspace::new(&s);
    let mut rec = TrialRecord::new(model.layout());
    let first = model.layout().first_contract_outcome;
    let mut paid = vec![Vec::new(); 2];
    for t in 0..n {
        model.simulate(s.seed, t, &mut ws, &mut rec);
        for (ci, p) in paid.iter_mut().enumerate() {
            p.push(rec.outcomes[first + ci]);
        }
    }
    for (ci, mut v) in paid.into_iter().enumerate() {
        v.sort_by(f64::total_cmp);
        // 301 values: p10, p50, p90 are order statistics 30, 150, 270.
        let row = &a.rows[ci];
        assert_eq!(row.inside.p10, v[30]);
        assert_eq!(row.inside.p50, v[150]);
        assert_eq!(row.inside.p90, v[270]);
    }
}

/// Payments by counterparty per year: medians of per-trial yearly sums.
#[test]
fn counterparty_payments_are_medians_of_yearly_sums() {
    let s = scenario(LEDGER);
    let a = deals(&s, 1, 3);
    let cp = &a.counterparty;
    assert_eq!(cp.counterparties, ["Lessor", "Chipmaker", "Cloud"]);
    assert_eq!(cp.years, [2026]);
    let level = 12.0 * 0.01 / (1.0 - 1.01f64.powi(-12));
    close(cp.median[0][0], 8.0 * level, "lessor");
    close(cp.median[1][0], 60.0, "chipmaker");
    // Cloud: pay-as-delivered and take-or-pay, 8 each.
    close(cp.median[2][0], 16.0, "cloud");
    close(cp.total_median[0], 8.0 * level + 76.0, "total");
}

/// The same analysis on one thread and on two.
#[test]
fn deals_do_not_depend_on_thread_count() {
    let s = scenario(PAIR);
    let one: DealsAnalysis = on_threads(1, || deals(&s, 5, 120));
    let two: DealsAnalysis = on_threads(2, || deals(&s, 5, 120));
    assert_eq!(one, two);
}

/// `capsim run` writes deals.csv (one row per deal and the reconciliation)
/// unless --no-deals; `capsim deals` prints the table.
#[test]
fn run_writes_deals_csv_and_deals_prints_the_table() {
    let wd = Workdir::new();
    wd.create("pair.toml", PAIR);
    wd.capsim(&[
        "run",
        "pair.toml",
        "--trials",
        "400",
        "--no-charts",
        "--no-sensitivity",
        "-q",
    ]);
    let csv = wd.read_csv("output/pair/deals.csv");
    let header = &csv[0];
    let names: Vec<&str> = csv[1..].iter().map(|r| r[0].as_str()).collect();
    assert_eq!(names, ["cloud", "lease", "round", "all-contracts"]);
    // The file holds the analysis of the run's first 400 trials.
    let s = scenario(PAIR);
    let a = deals(&s, s.seed, 400);
    let lease = &csv[2];
    let cell = |row: &Vec<String>, name: &str| row[column(header, name)].parse::<f64>().unwrap();
    assert_eq!(lease[column(header, "trials")], "400");
    let e = a.rows[1].effects[0];
    assert!((cell(lease, "effect_peak_funding_need_usd_bn_mean") - e.mean).abs() < 1e-6);
    assert!((cell(lease, "effect_peak_funding_need_usd_bn_se") - e.se).abs() < 1e-6);
    assert!((cell(lease, "never_paid_usd_bn_p50") - a.rows[1].never.p50).abs() < 1e-6);
    let total = &csv[4];
    assert_eq!(cell(total, "value_usd_bn"), 100.0);
    assert!(total[column(header, "effect_peak_funding_need_usd_bn_mean")].is_empty());
    // A funding event has no ledger beyond what it brings in.
    assert!(csv[3][column(header, "never_paid_usd_bn_p50")].is_empty());
    assert!(header.iter().all(|h| h.is_ascii()));

    wd.capsim(&[
        "run",
        "pair.toml",
        "--trials",
        "100",
        "--no-charts",
        "--no-deals",
        "-q",
        "--out",
        "other",
    ]);
    assert!(!wd.exists("other/pair/deals.csv"));

    let out = wd.capsim(&["deals", "pair.toml", "--trials", "200", "--threads", "1"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("lease"), "{}", out.stdout);
    assert!(
        out.stdout.contains("value 100.0 = before"),
        "{}",
        out.stdout
    );
}

/// Leases whose first payment falls after the horizon (2026-01 to 2026-08,
/// T = 8), as `docs/analysis.md` describes `paid_after_horizon`: every
/// linked tranche that arrives is financed, whenever its first payment
/// q_j falls, and the months of its annuity from T on are paid after the
/// horizon.
const LATE_LEASES: &str = r#"
[scenario]
name = "late-leases"
start = "2026-01"
end = "2026-08"

# Delivered after the horizon's end: 10 financed at no interest, all of it
# paid after the horizon.
[[tranche]]
name = "late"
counterparty = "v"
gw = 1
planned = "2027-03"
accelerators_per_gw = 1

[[contract]]
name = "after"
counterparty = "Lessor"
basis = "lease"
value_usd_bn = 100
start = "2026-01"
term_months = 12
tranches = ["late"]
usd_bn_per_gw = 10

# Two tranches under a value of 15: `straddle` first paid in 2026-06
# (q = 5), `later` in 2026-10 (q = 9, after the horizon), so `straddle`
# takes 10 of the value first and `later` is cut to 5.
[[tranche]]
name = "later"
counterparty = "v"
gw = 1
planned = "2026-12"
accelerators_per_gw = 1

[[tranche]]
name = "straddle"
counterparty = "v"
gw = 1
planned = "2026-08"
accelerators_per_gw = 1

[[contract]]
name = "capped"
counterparty = "Lessor"
basis = "lease"
value_usd_bn = 15
start = "2026-01"
term_months = 12
tranches = ["later", "straddle"]
usd_bn_per_gw = 10
rate = 0.12
lead_months = 2
"#;

/// A lease delivered after the horizon counts its whole annuity after it and
/// its principal as financed (the issue's minimal case: after 10, never 90,
/// not 0 and 100); a lease that straddles the horizon's end counts its
/// months from T on; principals come from the value in order of first
/// payment, whether inside the horizon or after it.
#[test]
fn leases_first_paid_after_the_horizon_are_paid_after_it() {
    let s = scenario(LATE_LEASES);
    let a = deals(&s, 1, 3);
    let row = |name: &str| a.rows.iter().find(|r| r.name == name).unwrap();
    let l = row("after");
    close(l.before.p50, 0.0, "late lease before");
    close(l.inside.p50, 0.0, "late lease inside");
    close(l.after.p50, 10.0, "late lease after");
    close(l.never.p50, 90.0, "late lease never");
    close(l.interest.p50, 0.0, "late lease interest");
    // A_10 = 10 r / (1 - (1 + r)^-12) at r = 1%; `later`'s principal of 5
    // pays A_10 / 2. `straddle`: months 5-7 inside, 8-16 after; `later`:
    // months 9-20, all after.
    let a10 = 10.0 * 0.01 / (1.0 - 1.01f64.powi(-12));
    let c = row("capped");
    close(c.before.p50, 0.0, "capped before");
    close(c.inside.p50, 3.0 * a10, "capped inside");
    close(c.after.p50, 9.0 * a10 + 12.0 * a10 / 2.0, "capped after");
    close(c.never.p50, 0.0, "capped never");
    close(
        c.interest.p50,
        12.0 * a10 + 12.0 * a10 / 2.0 - 15.0,
        "capped interest",
    );
}
