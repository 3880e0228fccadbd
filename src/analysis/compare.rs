//! Paired comparison of two scenarios under common random numbers: trial `t`
//! of A and trial `t` of B see the same draws for every component they share,
//! so B - A per trial isolates the effect of what differs.

use crate::metric::Metric;
use crate::model::{Model, OutcomeKind, OutputLayout, TrialRecord, Workspace};
use crate::month::Month;
use crate::runner::{
    Reported, RunConfig, RunError, accumulate, accumulate_counting, method_for_width,
    refine_counted,
};
use crate::scenario::Scenario;
use crate::stats::{Goal, Method, QuantityAccumulator, Summary, ValueKind};

/// Which way is better for a quantity, if either.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Better {
    /// Larger is better (revenue, cash, capacity).
    Higher,
    /// Smaller is better (funding gap, delays, shortfall probability).
    Lower,
}

/// The metrics compared month by month.
pub const COMPARED_METRICS: [Metric; 6] = [
    Metric::CapacityOnlineGw,
    Metric::ComputePaymentsUsdBn,
    Metric::CumulativeComputePaymentsUsdBn,
    Metric::RevenueUsdBn,
    Metric::CashBalanceUsdBn,
    Metric::FundingGapUsdBn,
];

fn metric_better(m: Metric) -> Option<Better> {
    match m {
        Metric::CapacityOnlineGw | Metric::RevenueUsdBn | Metric::CashBalanceUsdBn => {
            Some(Better::Higher)
        }
        Metric::FundingGapUsdBn => Some(Better::Lower),
        _ => None,
    }
}

fn outcome_better(name: &str) -> Option<Better> {
    match name {
        "total_revenue_usd_bn"
        | "capacity_online_end_gw"
        | "min_cash_usd_bn"
        | "end_cash_usd_bn"
        | "first_shortfall_month" => Some(Better::Higher),
        "peak_funding_gap_usd_bn"
        | "cash_shortfall_ever"
        | "total_operating_costs_usd_bn"
        | "capacity_never_arriving_gw" => Some(Better::Lower),
        n if n.starts_with("target_") && n.ends_with("_reached") => Some(Better::Higher),
        n if n.starts_with("target_") && n.ends_with("_month") => Some(Better::Lower),
        _ => None,
    }
}

/// One compared quantity.
#[derive(Debug, Clone, PartialEq)]
pub struct ComparisonRow {
    /// Outcome or metric name.
    pub quantity: String,
    /// Its label for people (terminal, charts).
    pub label: String,
    /// Unit.
    pub unit: String,
    /// The month, for metrics; `None` for outcomes.
    pub month: Option<Month>,
    /// Summary in scenario A.
    pub a: Summary,
    /// Summary in scenario B.
    pub b: Summary,
    /// Summary of B - A per trial.
    pub diff: Summary,
    /// P(B > A) per trial.
    pub p_b_greater: f64,
    /// P(B < A) per trial.
    pub p_b_less: f64,
    /// Which way is better, if either.
    pub better: Option<Better>,
}

/// Where a compared quantity sits in each trial's records.
struct Pair {
    quantity: String,
    label: String,
    unit: String,
    month: Option<Month>,
    a: Location,
    b: Location,
    better: Option<Better>,
    /// The values of A, B and B - A.
    kinds: [ValueKind; 3],
}

/// The values of A, B and B - A for outcomes of kinds `a` and `b` with
/// horizons of `months_a` and `months_b` months: events and months are whole
/// numbers, tallied so that their percentiles are exact at any trial count.
fn pair_kinds(a: OutcomeKind, b: OutcomeKind, months_a: usize, months_b: usize) -> [ValueKind; 3] {
    let whole = |from: i32, count: usize| ValueKind::Whole { from, count };
    match (a, b) {
        (OutcomeKind::Event, OutcomeKind::Event) => {
            [ValueKind::EVENT, ValueKind::EVENT, whole(-1, 3)]
        }
        (OutcomeKind::Month, OutcomeKind::Month) => [
            ValueKind::months(months_a),
            ValueKind::months(months_b),
            // From 0 - (months_a - 1) to (months_b - 1) - 0.
            whole(1 - months_a as i32, months_a + months_b - 1),
        ],
        _ => [ValueKind::Real; 3],
    }
}

#[derive(Clone, Copy)]
enum Location {
    Series(usize),
    Outcome(usize),
}

fn read(rec: &TrialRecord, at: Location) -> f64 {
    match at {
        Location::Series(i) => rec.series[i],
        Location::Outcome(i) => rec.outcomes[i],
    }
}

/// The quantities `a` and `b` share, as pairs of locations in their trial
/// records: the outcomes both have (by name; month outcomes only when the
/// horizons start together) and [`COMPARED_METRICS`] in the calendar months
/// both horizons cover.
fn pairs_of(a: &Scenario, b: &Scenario, la: &OutputLayout, lb: &OutputLayout) -> Vec<Pair> {
    let mut pairs = Vec::new();
    for (i, o) in la.outcomes.iter().enumerate() {
        if let Some(j) = lb.outcomes.iter().position(|p| p.name == o.name) {
            // Month outcomes count from each horizon's start: compare only
            // when the starts agree.
            if o.kind == OutcomeKind::Month && a.start != b.start {
                continue;
            }
            pairs.push(Pair {
                quantity: o.name.clone(),
                label: o.label.clone(),
                unit: o.unit.clone(),
                month: None,
                a: Location::Outcome(i),
                b: Location::Outcome(j),
                better: outcome_better(&o.name),
                kinds: pair_kinds(o.kind, lb.outcomes[j].kind, a.months, b.months),
            });
        }
    }
    for metric in COMPARED_METRICS {
        let (Some(oa), Some(ob)) = (la.metric_offset(metric), lb.metric_offset(metric)) else {
            continue;
        };
        for m in 0..a.months {
            let month = a.month(m);
            let mb_index = month.months_since(b.start);
            if !(0..b.months as i32).contains(&mb_index) {
                continue;
            }
            pairs.push(Pair {
                quantity: metric.name().to_string(),
                label: metric.label().to_string(),
                unit: metric.unit().to_string(),
                month: Some(month),
                a: Location::Series(oa + m),
                b: Location::Series(ob + mb_index as usize),
                better: metric_better(metric),
                kinds: [ValueKind::Real; 3],
            });
        }
    }
    pairs
}

/// Compares `b` against `a` over `config.trials` paired trials. Quantities
/// are the outcomes both have (by name) and [`COMPARED_METRICS`] in the
/// calendar months both horizons cover. Percentiles of A and B are the p10,
/// p50, p90; of the difference, `config.percentiles`.
pub fn compare(
    a: &Scenario,
    b: &Scenario,
    config: &RunConfig,
) -> Result<Vec<ComparisonRow>, RunError> {
    let (ma, mb) = (Model::new(a), Model::new(b));
    let (la, lb) = (ma.layout(), mb.layout());
    let pairs = pairs_of(a, b, la, lb);
    // Per pair: A, B, B - A, [B > A], [B < A].
    let width = 5 * pairs.len();
    let method = method_for_width(config.trials, width);
    let mut accs: Vec<QuantityAccumulator> = pairs
        .iter()
        .flat_map(|p| {
            let [a, b, diff] = p.kinds;
            [a, b, diff, ValueKind::EVENT, ValueKind::EVENT]
        })
        .map(|kind| QuantityAccumulator::new(method, kind))
        .collect();
    let threads = config.threads.max(1);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|source| RunError::Threads { threads, source })?;
    let rows = |first: u64, last: u64, buffer: &mut [f64]| {
        let (mut wa, mut wb) = (Workspace::new(a), Workspace::new(b));
        let (mut ra, mut rb) = (TrialRecord::new(la), TrialRecord::new(lb));
        for (t, row) in (first..last).zip(buffer.chunks_exact_mut(width)) {
            ma.simulate(config.seed, t, &mut wa, &mut ra);
            mb.simulate(config.seed, t, &mut wb, &mut rb);
            for (p, out) in pairs.iter().zip(row.chunks_exact_mut(5)) {
                let (x, y) = (read(&ra, p.a), read(&rb, p.b));
                // Equal (including both "never") is a zero difference.
                let d = if x == y { 0.0 } else { y - x };
                out.copy_from_slice(&[
                    x,
                    y,
                    d,
                    f64::from(u8::from(y > x)),
                    f64::from(u8::from(y < x)),
                ]);
            }
        }
    };
    let ends = [10.0, 50.0, 90.0];
    let reported = Compared {
        ends: &ends,
        percentiles: &config.percentiles,
        months: pairs.iter().map(|p| p.month.is_some()).collect(),
        exact: config.exact,
    };
    let refined = pool.install(|| {
        let chunks = 0..config.chunks();
        // Sketched, as a run of this size is: counted against a pilot's
        // brackets in the one pass, as a run's are.
        let counted = if method == Method::Sketch {
            accumulate_counting(
                config.trials,
                chunks,
                threads,
                &mut accs,
                &rows,
                &rows,
                &reported,
                &|_| {},
            )
        } else {
            accumulate(
                config.trials,
                chunks,
                threads,
                &mut accs,
                &rows,
                None,
                &|_| {},
            );
            None
        };
        refine_counted(&accs, config.trials, &rows, &reported, counted).0
    });
    let mut refined = refined.into_iter();
    let mut accs = accs.into_iter();
    let mut rows = Vec::with_capacity(pairs.len());
    for p in pairs {
        let mut next = |ps: &[f64]| {
            let mut s = accs.next().expect("five per pair").finish_summary(ps);
            for (index, r) in refined.next().expect("five per pair") {
                s.refine(index, r);
            }
            s
        };
        let (sa, sb) = (next(&ends), next(&ends));
        let diff = next(&config.percentiles);
        let greater = next(&[]).mean.unwrap_or(0.0);
        let less = next(&[]).mean.unwrap_or(0.0);
        rows.push(ComparisonRow {
            quantity: p.quantity,
            label: p.label,
            unit: p.unit,
            month: p.month,
            a: sa,
            b: sb,
            diff,
            p_b_greater: greater,
            p_b_less: less,
            better: p.better,
        });
    }
    Ok(rows)
}

/// What a comparison reports of each pair's five columns: A and B at their
/// p10, p50 and p90, B - A at the run's percentiles, the two events at none;
/// outcomes exact, as a run's, monthly quantities as a run's series.
struct Compared<'a> {
    ends: &'a [f64],
    percentiles: &'a [f64],
    /// Per pair, whether it is a monthly quantity.
    months: Vec<bool>,
    exact: bool,
}

impl Reported for Compared<'_> {
    fn list(&self, column: usize) -> &[f64] {
        match column % 5 {
            0 | 1 => self.ends,
            2 => self.percentiles,
            _ => &[],
        }
    }

    fn goal(&self, column: usize) -> Goal {
        if self.months[column / 5] && !self.exact {
            Goal::Bounded
        } else {
            Goal::Exact
        }
    }
}
