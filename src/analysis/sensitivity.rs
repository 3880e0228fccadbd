//! What drives each outcome: rank correlation with every uncertain input, its
//! share of variance, and the one-at-a-time swing of the outcome's median with
//! the input at its p10 and p90 (the data behind a tornado chart).

use rayon::prelude::*;

use crate::model::{Detail, Model, OutcomeKind, TrialRecord, TrialValues, Workspace};
use crate::scenario::Scenario;
use crate::stats::{DistributionStore, Method, lane_sum};

use super::per_trial;

/// Sample sizes of a run's sensitivity analysis: rank correlations over its
/// first 5,000 trials.
pub const SENSITIVITY_SAMPLE: u64 = 5_000;
/// For each outcome drawn as a tornado, its own 10 strongest inputs are
/// swung (an input several outcomes choose is swung once) ...
pub const SWING_INPUTS: usize = 10;
/// ... over the run's first 1,000 trials each.
pub const SWING_TRIALS: u64 = 1_000;

/// Medians of every outcome.
type Medians = Vec<Option<f64>>;

/// Which inputs the analysis swings, one at a time, to their p10 and p90.
#[derive(Debug, Clone, PartialEq)]
pub struct SwingPlan {
    /// Outcomes (names as in `summary.csv`) whose own strongest inputs are
    /// swung; empty: every non-event outcome's.
    pub outcomes: Vec<String>,
    /// How many of each such outcome's strongest inputs (by |Spearman|) are
    /// swung. An input chosen by several outcomes is swung once and serves
    /// them all.
    pub inputs_per_outcome: usize,
    /// Trials per swing: the run's first trials, the same for every swing.
    pub trials: u64,
}

/// One input's effect on one outcome.
#[derive(Debug, Clone, PartialEq)]
pub struct SensitivityRow {
    /// Outcome name (as in `summary.csv`).
    pub outcome: String,
    /// Its unit.
    pub unit: String,
    /// Input path (as in `trials.csv`).
    pub input: String,
    /// Spearman rank correlation between input and outcome over the sample.
    pub spearman: f64,
    /// The input's share of the outcome's rank variance explained:
    /// its squared rank correlation over the sum of all inputs' (a ranking,
    /// exact only for independent inputs and additive effects).
    pub variance_share: f64,
    /// The outcome's median over the swing trials with this input at its
    /// 10th percentile, others random; `None` if not computed (only the
    /// strongest inputs are swung) or if the median falls among trials where
    /// the outcome never happens.
    pub median_at_p10: Option<f64>,
    /// The outcome's median over the swing trials with this input at its
    /// 90th percentile.
    pub median_at_p90: Option<f64>,
    /// The outcome's median over the swing trials with every input random.
    pub median: Option<f64>,
    /// Position in the outcome's tornado (1 = top, the longest bar), for an
    /// input among the outcome's own strongest ones (see [`SwingPlan`]) whose
    /// pinned medians are not both equal to [`SensitivityRow::median`];
    /// `None` for every other row.
    pub tornado_rank: Option<usize>,
}

impl SensitivityRow {
    /// The change of the median with the input at its p10 and at its p90,
    /// over the same trials (`median_at_p10 - median`, `median_at_p90 -
    /// median`), if the input was swung.
    pub fn changes(&self) -> Option<(f64, f64)> {
        let m = self.median?;
        Some((self.median_at_p10? - m, self.median_at_p90? - m))
    }
}

/// Average ranks (ties share their mean rank); infinities rank last.
fn ranks(x: &[f64]) -> Vec<f64> {
    // Sorting (key, index) pairs by value keeps the sort in cache, where
    // sorting indices by the values they point to reads all over `x`. The key
    // orders like `f64::total_cmp`; the index settles ties, so the order is
    // the same however the sort works.
    let mut order: Vec<(i64, u32)> = x
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let bits = v.to_bits() as i64;
            (bits ^ (((bits >> 63) as u64) >> 1) as i64, i as u32)
        })
        .collect();
    order.sort_unstable();
    let mut r = vec![0.0; x.len()];
    let mut i = 0;
    while i < order.len() {
        let value = x[order[i].1 as usize];
        let mut j = i + 1;
        // Equal values (-0 and +0 among them) share their mean rank.
        while j < order.len() && x[order[j].1 as usize] == value {
            j += 1;
        }
        let mean_rank = (i + j - 1) as f64 / 2.0;
        for (_, k) in &order[i..j] {
            r[*k as usize] = mean_rank;
        }
        i = j;
    }
    r
}

/// A sample centred on its mean, with its sum of squares: computed once per
/// input and outcome, so each of the many input-outcome pairs costs one dot
/// product.
struct Centred {
    deviations: Vec<f64>,
    sum_of_squares: f64,
}

impl Centred {
    fn new(x: &[f64]) -> Centred {
        let mean = lane_sum(x, |v| v) / x.len() as f64;
        let deviations: Vec<f64> = x.iter().map(|v| v - mean).collect();
        let sum_of_squares = lane_sum(&deviations, |d| d * d);
        Centred {
            deviations,
            sum_of_squares,
        }
    }
}

/// Pearson correlation of two centred samples of one length.
fn pearson(a: &Centred, b: &Centred) -> f64 {
    if a.sum_of_squares == 0.0 || b.sum_of_squares == 0.0 {
        return 0.0;
    }
    let mut lanes = [0.0f64; 8];
    let (xs, ys) = (a.deviations.chunks_exact(8), b.deviations.chunks_exact(8));
    let (x_rest, y_rest) = (xs.remainder(), ys.remainder());
    for (x, y) in xs.zip(ys) {
        for ((lane, x), y) in lanes.iter_mut().zip(x).zip(y) {
            *lane += x * y;
        }
    }
    let mut cov: f64 = lanes.iter().sum();
    for (x, y) in x_rest.iter().zip(y_rest) {
        cov += x * y;
    }
    cov / (a.sum_of_squares * b.sum_of_squares).sqrt()
}

fn median(values: &[f64]) -> Option<f64> {
    let mut store = DistributionStore::new(Method::Exact);
    let finite: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    store.extend(&finite);
    store.finish().percentile(50.0, values.len() as u64)
}

/// Sensitivity of every non-event outcome to every uncertain input, from the
/// first `sample` trials; each of the `swing` plan's outcomes' own strongest
/// inputs is also swung to its p10 and p90 over the plan's trials (common
/// random numbers: the same trials for every swing).
pub fn sensitivity(
    scenario: &Scenario,
    seed: u64,
    sample: u64,
    swing: &SwingPlan,
) -> Vec<SensitivityRow> {
    sensitivity_with(scenario, seed, Vec::new(), sample, swing)
}

/// As [`sensitivity`], given the first trials of the run already simulated
/// (`known[t]` is trial `t`, as [`crate::runner::run_sampling`] keeps them):
/// only the trials beyond them that the analysis needs are simulated. The
/// result is the same.
pub fn sensitivity_with(
    scenario: &Scenario,
    seed: u64,
    known: Vec<TrialValues>,
    sample: u64,
    swing: &SwingPlan,
) -> Vec<SensitivityRow> {
    let model = Model::new(scenario);
    let subjects = Subjects::of(&model);
    // The swings' base trials are the first of the sample when it has them.
    let needed = sample.max(swing.trials);
    let mut trials = known;
    trials.truncate(needed as usize);
    let simulated = per_trial(&model, seed, trials.len() as u64..needed);
    trials.extend(simulated);
    let rho = rank_correlations(&subjects, &trials[..sample as usize]);
    let chosen = chosen_inputs(&model, &subjects, &rho, swing);
    let swung = union(&chosen);
    let base: &[TrialValues] = &trials[..swing.trials as usize];
    let median_of =
        |runs: &[TrialValues], o: usize| median(&runs.iter().map(|t| t.1[o]).collect::<Vec<f64>>());
    let base_medians: Medians = subjects
        .outcomes
        .par_iter()
        .map(|o| median_of(base, *o))
        .collect();
    let swings = swing_medians(&model, &subjects, seed, base, &swung);
    let mut rows = rows(&model, &subjects, &rho, &swings, &base_medians);
    rank_tornados(&mut rows, subjects.inputs.len(), &chosen);
    rows
}

/// The uncertain inputs and the non-event outcomes of a model: what the
/// analysis relates, by slot and by outcome position.
struct Subjects {
    /// Input slots, in [`crate::model::DrawPlan`] order.
    inputs: Vec<usize>,
    /// Outcome positions, in [`crate::model::OutputLayout::outcomes`] order.
    outcomes: Vec<usize>,
}

impl Subjects {
    fn of(model: &Model) -> Subjects {
        let (plan, layout) = (model.plan(), model.layout());
        Subjects {
            inputs: (0..plan.len()).filter(|s| plan.is_uncertain(*s)).collect(),
            outcomes: (0..layout.outcomes.len())
                .filter(|o| layout.outcomes[*o].kind != OutcomeKind::Event)
                .collect(),
        }
    }
}

/// Spearman rank correlations over the `sample` trials: one row per
/// outcome, one value per input.
fn rank_correlations(subjects: &Subjects, sample: &[TrialValues]) -> Vec<Vec<f64>> {
    let column =
        |f: &(dyn Fn(&TrialValues) -> f64 + Sync)| sample.iter().map(f).collect::<Vec<f64>>();
    // Every input and outcome on its own (in parallel; collected in order).
    let input_ranks: Vec<Centred> = subjects
        .inputs
        .par_iter()
        .map(|s| Centred::new(&ranks(&column(&|t| t.0[*s]))))
        .collect();
    // Rank correlations, input by outcome.
    subjects
        .outcomes
        .par_iter()
        .map(|o| {
            let r = Centred::new(&ranks(&column(&|t| t.1[*o])));
            input_ranks.iter().map(|ir| pearson(ir, &r)).collect()
        })
        .collect()
}

/// The (at most) `n` inputs, by position among the subjects' inputs, with
/// the strongest |rho| in one outcome's `rho` row, strongest first (ties by
/// position); none uncorrelated with it.
fn strongest(rho: &[f64], n: usize) -> Vec<usize> {
    let mut order: Vec<usize> = (0..rho.len()).filter(|i| rho[*i] != 0.0).collect();
    order.sort_by(|a, b| rho[*b].abs().total_cmp(&rho[*a].abs()).then(a.cmp(b)));
    order.truncate(n);
    order
}

/// For each subject outcome (by position in `rho`), the inputs its tornado
/// may show: its own strongest, if the plan names it (or names none).
fn chosen_inputs(
    model: &Model,
    subjects: &Subjects,
    rho: &[Vec<f64>],
    swing: &SwingPlan,
) -> Vec<Vec<usize>> {
    let layout = model.layout();
    subjects
        .outcomes
        .iter()
        .zip(rho)
        .map(|(&o, row)| {
            let named =
                swing.outcomes.is_empty() || swing.outcomes.contains(&layout.outcomes[o].name);
            if named && swing.trials > 0 {
                strongest(row, swing.inputs_per_outcome)
            } else {
                Vec::new()
            }
        })
        .collect()
}

/// Every input some outcome chose, each once, in input order (so the swings
/// and their results do not depend on which outcome chose first).
fn union(chosen: &[Vec<usize>]) -> Vec<usize> {
    let mut all: Vec<usize> = chosen.iter().flatten().copied().collect();
    all.sort_unstable();
    all.dedup();
    all
}

/// Sets each outcome's tornado ranks: its chosen inputs that move its median
/// (at p10 or at p90), by the length of their bar (the span of 0 and both
/// changes), longest first, ties by |rho|. `rows` holds `inputs` rows per
/// outcome, strongest |rho| first, as [`rows`] orders them.
fn rank_tornados(rows: &mut [SensitivityRow], inputs: usize, chosen: &[Vec<usize>]) {
    for (block, chosen) in rows.chunks_mut(inputs.max(1)).zip(chosen) {
        // Chosen inputs are the strongest, so they lead the block.
        let mut bars: Vec<(usize, f64)> = (0..chosen.len().min(block.len()))
            .filter_map(|k| {
                let (lo, hi) = block[k].changes()?;
                let span = lo.max(hi).max(0.0) - lo.min(hi).min(0.0);
                (span > 0.0).then_some((k, span))
            })
            .collect();
        bars.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        for (rank, (k, _)) in bars.into_iter().enumerate() {
            block[k].tornado_rank = Some(rank + 1);
        }
    }
}

/// Each `swung` input (a position among the subjects' inputs) with the
/// outcomes' medians over the `base` trials with the input pinned at its
/// p10 and at its p90.
fn swing_medians(
    model: &Model,
    subjects: &Subjects,
    seed: u64,
    base: &[TrialValues],
    swung: &[usize],
) -> Vec<(usize, Medians, Medians)> {
    let (plan, layout) = (model.plan(), model.layout());
    let (inputs, outcomes) = (&subjects.inputs, &subjects.outcomes);
    // Every swing (each input at its p10, then at its p90) over the same
    // trials, all in one parallel pass: many small passes would leave
    // threads idle at each one's end.
    // An input other than a shock is pinned after the correlations, so it
    // changes only its own value: its swing reuses the base trial's drawn
    // inputs and runs the model alone (the same numbers as drawing the trial
    // again). A shock acts through the inputs loading on it, so its swing
    // draws the trial again with the shock pinned before the correlations.
    let pins: Vec<[(usize, f64); 1]> = swung
        .iter()
        .flat_map(|&i| [[(inputs[i], 0.1)], [(inputs[i], 0.9)]])
        .collect();
    let n = base.len();
    let pinned_outcomes: Vec<Vec<f64>> = (0..pins.len() * n)
        .into_par_iter()
        .map_init(
            || {
                let ws = Workspace::new(model.scenario());
                (ws, TrialRecord::new(layout), Vec::new())
            },
            |(ws, rec, values), k| {
                let pin = &pins[k / n];
                let [(slot, p)] = *pin;
                let trial = k % n;
                let (series, outs) = (&mut rec.series, &mut rec.outcomes);
                if plan.shocks.contains(&slot) {
                    let trial = trial as u64;
                    model.simulate_into(seed, trial, pin, ws, Detail::Outcomes, series, outs);
                } else {
                    values.clear();
                    values.extend_from_slice(&base[trial].0);
                    values[slot] = plan.inputs[slot].draw(p);
                    model.simulate_values(values, ws, Detail::Outcomes, series, outs);
                }
                outcomes.iter().map(|o| rec.outcomes[*o]).collect()
            },
        )
        .collect();
    // Medians per pin and outcome, in parallel, collected in order.
    let pinned_medians: Vec<Medians> = pinned_outcomes
        .par_chunks(n.max(1))
        .map(|runs| {
            (0..outcomes.len())
                .map(|k| median(&runs.iter().map(|r| r[k]).collect::<Vec<f64>>()))
                .collect()
        })
        .collect();
    swung
        .iter()
        .zip(pinned_medians.chunks_exact(2))
        .map(|(&i, pair)| (i, pair[0].clone(), pair[1].clone()))
        .collect()
}

/// The rows of the analysis: per outcome, every input by decreasing |rho|,
/// with its swing's medians if it was swung.
fn rows(
    model: &Model,
    subjects: &Subjects,
    rho: &[Vec<f64>],
    swings: &[(usize, Medians, Medians)],
    base_medians: &Medians,
) -> Vec<SensitivityRow> {
    let (plan, layout) = (model.plan(), model.layout());
    let inputs = &subjects.inputs;
    let mut rows = Vec::new();
    for (k, &o) in subjects.outcomes.iter().enumerate() {
        let total: f64 = rho[k].iter().map(|r| r * r).sum();
        let mut order: Vec<usize> = (0..inputs.len()).collect();
        order.sort_by(|a, b| rho[k][*b].abs().total_cmp(&rho[k][*a].abs()).then(a.cmp(b)));
        for i in order {
            let swing = swings.iter().find(|(j, _, _)| *j == i);
            rows.push(SensitivityRow {
                outcome: layout.outcomes[o].name.clone(),
                unit: layout.outcomes[o].unit.clone(),
                input: plan.inputs[inputs[i]].path.clone(),
                spearman: rho[k][i],
                variance_share: if total > 0.0 {
                    rho[k][i] * rho[k][i] / total
                } else {
                    0.0
                },
                median_at_p10: swing.and_then(|s| s.1[k]),
                median_at_p90: swing.and_then(|s| s.2[k]),
                median: base_medians[k],
                tornado_rank: None,
            });
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Ranks by their definition: the number of smaller values, plus half
    /// the number of other equal ones.
    fn ranks_by_counting(x: &[f64]) -> Vec<f64> {
        x.iter()
            .map(|v| {
                let below = x.iter().filter(|w| *w < v).count() as f64;
                let equal = x.iter().filter(|w| *w == v).count() as f64;
                below + (equal - 1.0) / 2.0
            })
            .collect()
    }

    #[test]
    fn ranks_average_ties_and_put_infinities_last() {
        let x = [
            3.0,
            -1.0,
            f64::INFINITY,
            0.0,
            -0.0,
            3.0,
            f64::NEG_INFINITY,
            2.5,
            3.0,
            f64::INFINITY,
            -1e300,
        ];
        assert_eq!(ranks(&x), ranks_by_counting(&x));
        assert_eq!(ranks(&x)[2], 9.5);
        assert_eq!(ranks(&x)[3], ranks(&x)[4]);
        let many: Vec<f64> = (0..3000)
            .map(|i| ((i * 7919) % 101) as f64 - 50.0)
            .collect();
        assert_eq!(ranks(&many), ranks_by_counting(&many));
    }
}
