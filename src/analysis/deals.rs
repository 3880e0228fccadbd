//! Deals: for every contract and funding event, where its money goes (paid
//! before, inside and after the horizon, never paid) and what removing it
//! changes in the headline outcomes, under common random numbers.
//!
//! A deal removed is the scenario with the contract paying nothing and the
//! tranches it links never arriving (so other contracts and funding linked to
//! them get nothing for them), or the funding event never happening. Every
//! input keeps its slot and its uniform, so every other input draws the same
//! value in every trial, correlations and shocks included: trial `t` without
//! the deal differs from trial `t` of the scenario by the deal alone.

use rayon::prelude::*;

use crate::metric::Metric;
use crate::model::{DealTrial, Ledger, Model, TrialRecord, Workspace, outcome};
use crate::period::Period;
use crate::scenario::{FundingBasis, PaymentBasis, Scenario};
use crate::stats::{DistributionStore, Method};

/// What kind of deal a row is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DealKind {
    /// A contract (with the tranches it links).
    Contract,
    /// A funding event.
    Funding,
}

impl DealKind {
    /// Name as written in `deals.csv`.
    pub fn name(self) -> &'static str {
        match self {
            DealKind::Contract => "contract",
            DealKind::Funding => "funding",
        }
    }
}

/// Mean and p10, p50, p90 of a per-trial amount, USD bn.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Spread {
    /// Mean over the trials.
    pub mean: f64,
    /// 10th percentile.
    pub p10: f64,
    /// Median.
    pub p50: f64,
    /// 90th percentile.
    pub p90: f64,
}

/// The effect of removing a deal on one headline outcome: the mean over
/// trials of (with the deal - without it), and its standard error.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Effect {
    /// Mean paired difference, in the headline's unit.
    pub mean: f64,
    /// Standard error of the mean: sample standard deviation / sqrt(trials).
    pub se: f64,
}

/// A headline outcome whose change the deals analysis reports.
#[derive(Debug, Clone, PartialEq)]
pub struct Headline {
    /// Column stem in `deals.csv`, unit included, such as
    /// `peak_funding_need_usd_bn` or `funding_need_2027_usd_bn`.
    pub name: String,
    /// Plain-language label.
    pub label: String,
}

/// One deal's row.
#[derive(Debug, Clone, PartialEq)]
pub struct DealRow {
    /// Contract or funding event name.
    pub name: String,
    /// Contract or funding event.
    pub kind: DealKind,
    /// Who is paid (contracts) or empty (funding events).
    pub counterparty: String,
    /// Contract value; for a funding event, its median amount (a lump) or
    /// its cap (per GW), USD bn.
    pub value_usd_bn: f64,
    /// The contract's ledger (zero for a funding event, except `inside`:
    /// the money it brings in inside the horizon).
    pub before: Spread,
    /// Paid inside the horizon (funding: received).
    pub inside: Spread,
    /// Paid after the horizon.
    pub after: Spread,
    /// Never paid.
    pub never: Spread,
    /// Lease interest on top of the value.
    pub interest: Spread,
    /// Effect of removing the deal, one per [`DealsAnalysis::headlines`].
    pub effects: Vec<Effect>,
}

/// From the contracts' headline value to what the horizon pays: the
/// distribution over trials of per-trial sums over contracts, USD bn. The
/// means satisfy `value = before + inside + after + never - interest` (to
/// rounding), as every trial does.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Reconciliation {
    /// Sum of the contracts' values.
    pub value: f64,
    /// Paid before the horizon.
    pub before: Spread,
    /// Paid inside the horizon.
    pub inside: Spread,
    /// Paid after the horizon.
    pub after: Spread,
    /// Never paid.
    pub never: Spread,
    /// Lease interest on top of the values.
    pub interest: Spread,
}

/// Payments by counterparty per calendar year: the median over trials of
/// each counterparty's payments in each year, USD bn.
#[derive(Debug, Clone, PartialEq)]
pub struct CounterpartyYears {
    /// Counterparties, in order of first appearance among the contracts.
    pub counterparties: Vec<String>,
    /// Calendar years of the horizon (the first and last may be partial).
    pub years: Vec<i32>,
    /// `median[c][y]`: median payments to counterparty `c` in year `y`.
    pub median: Vec<Vec<f64>>,
    /// Median of all contracts' payments in each year (not the sum of the
    /// medians).
    pub total_median: Vec<f64>,
}

/// The deals analysis of a scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct DealsAnalysis {
    /// Seed of the trials.
    pub seed: u64,
    /// Trials 0 to `trials - 1` were simulated.
    pub trials: u64,
    /// The headline outcomes, in the order of each row's effects.
    pub headlines: Vec<Headline>,
    /// One row per contract, then one per funding event, in scenario order.
    pub rows: Vec<DealRow>,
    /// From the contracts' values to the horizon's payments.
    pub reconciliation: Reconciliation,
    /// Payments by counterparty per calendar year.
    pub counterparty: CounterpartyYears,
}

/// The number of deals of `scenario`: its contracts, then its funding events.
pub fn deal_count(scenario: &Scenario) -> usize {
    scenario.contracts.len() + scenario.funding.len()
}

/// `scenario` without deal `deal` (contracts first, then funding events, in
/// scenario order): the contract pays nothing and the tranches it links never
/// arrive; a funding event never happens. Every input keeps its slot, so the
/// other inputs draw the same values. Panics if `deal` is out of range.
pub fn without_deal(scenario: &Scenario, deal: usize) -> Scenario {
    let mut s = scenario.clone();
    let n = s.contracts.len();
    if deal >= n {
        s.funding[deal - n].probability = 0.0;
        return s;
    }
    let c = &mut s.contracts[deal];
    c.value_usd_bn = 0.0;
    let linked = match &mut c.basis {
        PaymentBasis::TakeOrPay {
            schedule,
            before_usd_bn,
            after_usd_bn,
        } => {
            schedule.fill(0.0);
            (*before_usd_bn, *after_usd_bn) = (0.0, 0.0);
            Vec::new()
        }
        PaymentBasis::PayAsDelivered { tranches, .. }
        | PaymentBasis::Purchase { tranches, .. }
        | PaymentBasis::Lease { tranches, .. } => tranches.clone(),
    };
    for j in linked {
        s.tranches[j].p_never = 1.0;
    }
    s
}

/// The headline outcomes of `scenario`: the peak funding need, the funding
/// need at each calendar year's last month in the horizon, capacity online
/// at the end and total revenue; with where each sits in a trial record
/// (outcome index, or series index if `true`).
fn headlines(scenario: &Scenario, model: &Model) -> (Vec<Headline>, Vec<(bool, usize)>) {
    let mut heads = vec![Headline {
        name: "peak_funding_need_usd_bn".into(),
        label: "Funding need (peak over the horizon)".into(),
    }];
    let mut at = vec![(false, outcome::FUNDING_NEED)];
    if let Some(first) = model.layout().metric_offset(Metric::FundingNeedUsdBn) {
        for span in Period::Year.spans(scenario.start, scenario.months) {
            heads.push(Headline {
                name: format!("funding_need_{}_usd_bn", span.label),
                label: format!("Funding need at the end of {}", span.label),
            });
            at.push((true, first + span.months.end - 1));
        }
    }
    heads.push(Headline {
        name: "capacity_online_end_gw".into(),
        label: "Capacity online at the end".into(),
    });
    at.push((false, outcome::CAPACITY_END));
    heads.push(Headline {
        name: "total_revenue_usd_bn".into(),
        label: "Revenue over the horizon".into(),
    });
    at.push((false, outcome::TOTAL_REVENUE));
    (heads, at)
}

/// What one trial contributes.
struct TrialOut {
    ledger: DealTrial,
    /// Payments per counterparty per year, counterparty-major.
    by_counterparty: Vec<f64>,
    /// Per deal, per headline: with minus without the deal.
    diffs: Vec<f64>,
}

/// The deals analysis of `scenario` over trials `0..trials` seeded with
/// `seed`, on the current rayon pool. The result does not depend on the
/// number of threads.
pub fn deals(scenario: &Scenario, seed: u64, trials: u64) -> DealsAnalysis {
    let base = Model::new(scenario);
    let without: Vec<Scenario> = (0..deal_count(scenario))
        .map(|d| without_deal(scenario, d))
        .collect();
    let models: Vec<Model> = without.iter().map(Model::new).collect();
    let (heads, at) = headlines(scenario, &base);
    let (counterparties, owner) = counterparties(scenario);
    let spans = Period::Year.spans(scenario.start, scenario.months);
    let read = |rec: &TrialRecord, (series, i): (bool, usize)| {
        if series {
            rec.series[i]
        } else {
            rec.outcomes[i]
        }
    };
    let outs: Vec<TrialOut> = (0..trials)
        .into_par_iter()
        .map_init(
            || {
                let rec = TrialRecord::new(base.layout());
                (Workspace::new(scenario), rec.clone(), rec)
            },
            |(ws, rec, other), trial| {
                let ledger = base.deal_trial(seed, trial, ws, rec);
                let with: Vec<f64> = at.iter().map(|a| read(rec, *a)).collect();
                let mut diffs = Vec::with_capacity(models.len() * at.len());
                for m in &models {
                    // The same layout: removing a deal keeps every name.
                    m.simulate(seed, trial, ws, other);
                    diffs.extend(with.iter().zip(&at).map(|(w, a)| w - read(other, *a)));
                }
                let t_len = scenario.months;
                let mut by_counterparty = vec![0.0; counterparties.len() * spans.len()];
                for (ci, &k) in owner.iter().enumerate() {
                    let own = &ledger.monthly[ci * t_len..(ci + 1) * t_len];
                    for (y, span) in spans.iter().enumerate() {
                        by_counterparty[k * spans.len() + y] +=
                            own[span.months.clone()].iter().sum::<f64>();
                    }
                }
                TrialOut {
                    ledger,
                    by_counterparty,
                    diffs,
                }
            },
        )
        .collect();
    let rows = rows(scenario, &outs, heads.len());
    let reconciliation = reconcile(scenario, &outs);
    let counterparty = CounterpartyYears {
        median: (0..counterparties.len())
            .map(|k| {
                (0..spans.len())
                    .map(|y| median(outs.iter().map(|o| o.by_counterparty[k * spans.len() + y])))
                    .collect()
            })
            .collect(),
        total_median: (0..spans.len())
            .map(|y| {
                median(outs.iter().map(|o| {
                    (0..counterparties.len())
                        .map(|k| o.by_counterparty[k * spans.len() + y])
                        .sum()
                }))
            })
            .collect(),
        counterparties,
        years: spans.iter().map(|s| s.end.year()).collect(),
    };
    DealsAnalysis {
        seed,
        trials,
        headlines: heads,
        rows,
        reconciliation,
        counterparty,
    }
}

/// The contracts' counterparties in order of first appearance, and each
/// contract's index among them.
fn counterparties(scenario: &Scenario) -> (Vec<String>, Vec<usize>) {
    let mut names: Vec<String> = Vec::new();
    let owner = scenario
        .contracts
        .iter()
        .map(|c| {
            names
                .iter()
                .position(|n| *n == c.counterparty)
                .unwrap_or_else(|| {
                    names.push(c.counterparty.clone());
                    names.len() - 1
                })
        })
        .collect();
    (names, owner)
}

/// Each deal's row from the trials' outputs.
fn rows(scenario: &Scenario, outs: &[TrialOut], heads: usize) -> Vec<DealRow> {
    let n = scenario.contracts.len();
    let effects = |d: usize| {
        (0..heads)
            .map(|h| effect(outs.iter().map(|o| o.diffs[d * heads + h])))
            .collect()
    };
    let ledger_spread =
        |ci: usize, f: fn(&Ledger) -> f64| spread(outs.iter().map(|o| f(&o.ledger.contracts[ci])));
    let mut rows: Vec<DealRow> = scenario
        .contracts
        .iter()
        .enumerate()
        .map(|(ci, c)| DealRow {
            name: c.name.clone(),
            kind: DealKind::Contract,
            counterparty: c.counterparty.clone(),
            value_usd_bn: c.value_usd_bn,
            before: ledger_spread(ci, |l| l.before),
            inside: ledger_spread(ci, |l| l.inside),
            after: ledger_spread(ci, |l| l.after),
            never: ledger_spread(ci, |l| l.never),
            interest: ledger_spread(ci, |l| l.interest),
            effects: effects(ci),
        })
        .collect();
    rows.extend(scenario.funding.iter().enumerate().map(|(fi, f)| DealRow {
        name: f.name.clone(),
        kind: DealKind::Funding,
        counterparty: String::new(),
        value_usd_bn: match &f.basis {
            FundingBasis::Lump { amount_usd_bn, .. } => amount_usd_bn.median(),
            FundingBasis::PerGw { max_usd_bn, .. } => *max_usd_bn,
        },
        before: Spread::default(),
        inside: spread(outs.iter().map(|o| o.ledger.funding[fi])),
        after: Spread::default(),
        never: Spread::default(),
        interest: Spread::default(),
        effects: effects(n + fi),
    }));
    rows
}

/// The reconciliation: per-trial sums over contracts, averaged over trials
/// in trial order.
fn reconcile(scenario: &Scenario, outs: &[TrialOut]) -> Reconciliation {
    let sum =
        |f: fn(&Ledger) -> f64| spread(outs.iter().map(|o| o.ledger.contracts.iter().map(f).sum()));
    Reconciliation {
        value: scenario.contracts.iter().map(|c| c.value_usd_bn).sum(),
        before: sum(|l| l.before),
        inside: sum(|l| l.inside),
        after: sum(|l| l.after),
        never: sum(|l| l.never),
        interest: sum(|l| l.interest),
    }
}

/// The mean of `values`, summed in order (0 if there are none).
fn mean(values: impl Iterator<Item = f64>) -> f64 {
    let (mut sum, mut n) = (0.0, 0u64);
    for x in values {
        sum += x;
        n += 1;
    }
    if n == 0 { 0.0 } else { sum / n as f64 }
}

/// The percentile `p` of `values` (linear between order statistics, as
/// every percentile capsim reports); 0 if there are none.
fn percentile(values: &[f64], p: f64) -> f64 {
    let mut store = DistributionStore::new(Method::Exact);
    store.extend(values);
    store
        .finish()
        .percentile(p, values.len() as u64)
        .unwrap_or(0.0)
}

/// The median of `values`.
fn median(values: impl Iterator<Item = f64>) -> f64 {
    percentile(&values.collect::<Vec<f64>>(), 50.0)
}

/// Mean, p10, p50 and p90 of `values`.
fn spread(values: impl Iterator<Item = f64>) -> Spread {
    let v: Vec<f64> = values.collect();
    Spread {
        mean: mean(v.iter().copied()),
        p10: percentile(&v, 10.0),
        p50: percentile(&v, 50.0),
        p90: percentile(&v, 90.0),
    }
}

/// Mean and standard error (sample standard deviation over sqrt(n)) of the
/// paired differences `values`, in order.
fn effect(values: impl Iterator<Item = f64>) -> Effect {
    let v: Vec<f64> = values.collect();
    let n = v.len() as f64;
    let m = mean(v.iter().copied());
    if v.len() < 2 {
        return Effect { mean: m, se: 0.0 };
    }
    let ss: f64 = v.iter().map(|x| (x - m) * (x - m)).sum();
    Effect {
        mean: m,
        se: (ss / (n - 1.0)).sqrt() / n.sqrt(),
    }
}
