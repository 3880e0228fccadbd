//! Exact, or tightly bounded, percentiles of sketched quantities: passes
//! over the same deterministic trials, each narrowing the values that a
//! percentile's order statistics can take.
//!
//! A percentile `p` of `n` trials (Excel's PERCENTILE.INC) needs the order
//! statistics at ranks `lo = floor(h)` and `lo + 1`, `h = p (n - 1) / 100`.
//! A [`Probe`] follows one percentile of one quantity. Its first bracket
//! comes from a pilot ([`Refinement::from_pilot`]: the run's first trials,
//! every value kept), counted in the run's own pass, or from the sketch,
//! whose value at a rank is within [`SKETCH_ALPHA`] of the true one. In each
//! pass every value of the quantity is counted below, inside or above the
//! bracket. A probe whose bracket holds few enough values collects them
//! (counting those at the bracket's ends); the others count them in bins of
//! equal width in value ([`BINS`] each at least, more when few probes are
//! left), each bin keeping its smallest and largest key. After the pass
//! each rank lies in a known bin (or, collected, at a known value): the
//! bin's smallest and largest value bound the order statistic, and the
//! ranks' bins are the next bracket. A bin holding one distinct value gives
//! it exactly, and the bracket's ends have bins of their own, so atoms (a
//! median of exactly 0) are found in one pass.
//!
//! Counts add, minima and maxima and sorted sets of values do not depend on
//! the order trials are seen in, so the result is the same for any number
//! of threads.
//!
//! Each bounded percentile also gets a lower bound on its Monte Carlo
//! standard error: half the distance between the order statistics
//! `sqrt(n q (1 - q))` ranks either side (`q = h / (n - 1)`), the spread of
//! the rank of a sample quantile. A percentile meets [`Goal::Bounded`] when
//! its error bound is below a tenth of that.

use serde::{Deserialize, Serialize};

use super::sketch::MIN_MAGNITUDE;
use super::{QuantityAccumulator, SKETCH_ALPHA, from_ordered_key, ordered_key};

/// Bins of a probe's bracket per pass at least: each pass narrows a bracket
/// of keys at least this many times.
pub const BINS: usize = 128;

/// Bins of one pass over all its probes, per part of the trials (24 bytes
/// each): when fewer probes are left, each gets more bins, up to
/// [`MAX_BINS`], so that the last passes narrow faster.
pub const BIN_BUDGET: usize = BINS * 12_800;

/// Bins of one probe at most.
pub const MAX_BINS: usize = 1 << 16;

/// Passes at most: enough to isolate one key of 64 bits in 64 bins a pass.
pub const MAX_PASSES: usize = 12;

/// A bound this small relative to its value is rounding: 8 units in the last
/// place of an f64, far below the 6 decimals of a CSV.
pub const ROUNDING: f64 = 8.0 * f64::EPSILON;

/// Values collected in one pass at most, over all probes (8 bytes each:
/// 64 MiB, half of what a run keeps before it sketches; enough to finish a
/// 10,000-trial run of the default scenario in one pass).
pub const COLLECT_BUDGET: u64 = (64 << 20) / 8;

/// Values the run's pass may collect in its pilot's brackets, over all
/// probes (8 bytes each: 96 MiB; enough for every percentile of a
/// 10,000-trial run of the default scenario to be exact in that one pass).
pub const PILOT_COLLECT_BUDGET: u64 = (96 << 20) / 8;

/// How far a percentile is refined.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Goal {
    /// To the exact order statistics (PERCENTILE.INC over all trials).
    Exact,
    /// Until its error bound is below a tenth of its Monte Carlo standard
    /// error (or exact, if that comes first).
    Bounded,
}

/// A refined percentile.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Refined {
    /// The percentile's value: exact, or the middle of the interval it is
    /// known to lie in.
    pub value: f64,
    /// Largest possible distance of `value` from the exact percentile, in
    /// the quantity's unit (0 when exact).
    pub bound: f64,
    /// A lower bound on the percentile's Monte Carlo standard error, in the
    /// quantity's unit (0 when not estimated, as for exact values).
    pub std_error: f64,
}

/// One percentile of one quantity being refined.
#[derive(Debug, Clone, PartialEq)]
struct Probe {
    /// Column of the quantity in a trial's row.
    column: usize,
    /// Index of the percentile in the quantity's list.
    index: usize,
    goal: Goal,
    /// Trials (with and without a value) and trials with a finite value.
    total: u64,
    finite: u64,
    /// Rank of the lower order statistic among the finite values, and the
    /// weight of the next one.
    lo: u64,
    frac: f64,
    /// Keys of the smallest and largest value of the quantity.
    floor: u64,
    ceiling: u64,
    /// The bracket of the next pass: keys `ka..=kb`.
    ka: u64,
    kb: u64,
    /// Values expected inside the bracket (exact after the first pass).
    expected: u64,
    /// Most values to collect in the next pass (0: none).
    cap: u64,
    /// Where each needed order statistic is known to lie, as keys.
    known: [Option<(u64, u64)>; 2],
    /// Best lower bound of the standard error so far.
    std_error: f64,
    done: bool,
    /// Whether the last pass found every needed rank inside the bracket.
    located: bool,
}

impl Probe {
    /// Ranks needed: `lo`, and `lo + 1` when the percentile interpolates.
    fn ranks(&self) -> impl Iterator<Item = (usize, u64)> + use<> {
        let (n, lo) = (if self.frac > 0.0 { 2 } else { 1 }, self.lo);
        (0..n).map(move |i| (i, lo + i as u64))
    }

    fn is_exact(&self) -> bool {
        self.ranks()
            .all(|(i, _)| matches!(self.known[i], Some((a, b)) if a == b))
    }

    /// The value and its error bound, once a pass has located the ranks.
    fn estimate(&self) -> Option<(f64, f64)> {
        let interval = |i: usize| {
            self.known[i].map(|(a, b)| {
                let (a, b) = (from_ordered_key(a), from_ordered_key(b));
                if a == b {
                    (a, 0.0)
                } else {
                    (
                        a + (b - a) / 2.0,
                        with_margin((b - a) / 2.0, a.abs().max(b.abs())),
                    )
                }
            })
        };
        let (a, ea) = interval(0)?;
        if self.frac == 0.0 {
            return Some((a, ea));
        }
        let (b, eb) = interval(1)?;
        // The same expression as exact percentiles, so that exact values
        // agree bit for bit.
        let bound = if ea == 0.0 && eb == 0.0 {
            0.0
        } else {
            with_margin(
                (1.0 - self.frac) * ea + self.frac * eb,
                a.abs().max(b.abs()),
            )
        };
        Some((a + self.frac * (b - a), bound))
    }

    fn meets_goal(&self) -> bool {
        if self.is_exact() {
            return true;
        }
        match (self.goal, self.estimate()) {
            // Or within rounding of the arithmetic that made the values
            // (a near-atom, such as a sum that is the same in every trial
            // but for its last bits, has no standard error to compare with).
            (Goal::Bounded, Some((value, bound))) => {
                bound < self.std_error / 10.0 || bound <= ROUNDING * value.abs()
            }
            _ => false,
        }
    }
}

/// Standard deviations of a rank either side of a percentile's place in
/// the pilot that its bracket spans: a rank falls outside with probability
/// about 6e-7.
pub const PILOT_Z: f64 = 5.0;

/// Bins a pilot's bracket needs for a run of `total` trials and a pilot of
/// `pilot` trials: the bracket spans about `2 PILOT_Z` standard errors of the
/// pilot, `sqrt(total / pilot)` times those of the run, and its bins are to
/// be under a tenth of the run's (so that half a bin, the bound, is under a
/// twentieth: room for the standard error's estimate being a lower bound).
fn pilot_bins(total: u64, pilot: usize) -> usize {
    let ratio = (total as f64 / pilot.max(1) as f64).max(1.0).sqrt();
    ((2.0 * PILOT_Z * 10.0 * ratio).ceil() as usize).clamp(BINS, MAX_BINS)
}

/// The bracket of keys for quantile `q` (0 to 1) from a pilot's sorted
/// `keys` (trials without a value as `u64::MAX`): from the order statistic
/// [`PILOT_Z`] standard deviations of the rank below the quantile's place
/// to that above (two ranks more either side for the interpolation and the
/// pilot's own discreteness), open-ended where that runs off the pilot.
/// `None` when the bracket holds no value.
fn pilot_bracket(keys: &[u64], q: f64) -> Option<(u64, u64)> {
    let n = keys.len() as f64;
    let place = q * (n - 1.0);
    let spread = PILOT_Z * (n * q * (1.0 - q)).max(1.0).sqrt() + 2.0;
    let (a, b) = ((place - spread).floor(), (place + 1.0 + spread).ceil());
    let ka = if a < 0.0 { 0 } else { keys[a as usize] };
    let kb = if b >= n {
        u64::MAX - 1
    } else {
        keys[b as usize].min(u64::MAX - 1)
    };
    (ka <= kb).then_some((ka, kb))
}

/// `bound` widened for the rounding of the arithmetic that made it and the
/// value it bounds: a part in 10^12, and 4 units in the last place of the
/// largest value involved (`scale`), which the midpoint and the
/// interpolation can each be off by when the bound is itself that small.
fn with_margin(bound: f64, scale: f64) -> f64 {
    bound * (1.0 + 1e-12) + 4.0 * f64::EPSILON * scale
}

/// An active probe's bracket as a pass reads it: keys `ka..=ka + span`,
/// in bins of about equal width in value (or in key, where the bracket's
/// width in value is not finite).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Hot {
    ka: u64,
    span: u64,
    /// Where this probe's bins start in a [`PassTally`], and how many
    /// there are (none for probes that collect their values).
    start: usize,
    bins: usize,
    /// The bracket's smallest value, and bins per unit of value (0 for bins
    /// by key): a value's bin is its distance from `low` times this.
    low: f64,
    per_unit: f64,
    /// `BINS * 2^64 / (span + 1)`: by key, a key's bin is its offset times
    /// this, shifted down 64 bits (a multiplication, not a division).
    scale: u128,
    cap: u64,
}

impl Hot {
    fn of(p: &Probe, bins: std::ops::Range<usize>) -> Hot {
        let span = p.kb - p.ka;
        let (low, high) = (from_ordered_key(p.ka), from_ordered_key(p.kb));
        // Equal widths in value spread a bracket's values more evenly than
        // equal widths in key, which halve at each power of two and crowd
        // the magnitudes near zero.
        let per_unit = bins.len().saturating_sub(2) as f64 / (high - low);
        let by_value = bins.len() >= 4
            && low.is_finite()
            && high > low
            && per_unit.is_finite()
            && per_unit > 0.0;
        Hot {
            ka: p.ka,
            span,
            start: bins.start,
            bins: bins.len(),
            low: if by_value { low } else { 0.0 },
            per_unit: if by_value { per_unit } else { 0.0 },
            scale: ((bins.len() as u128) << 64) / (u128::from(span) + 1),
            cap: p.cap,
        }
    }

    /// The bin of key `key` inside the bracket: monotone in the key, which
    /// is all the bins need (each keeps its smallest and largest key).
    #[inline]
    fn bin(&self, key: u64) -> usize {
        let j = if self.per_unit > 0.0 {
            // The bracket's ends have bins of their own, so that an atom
            // at an end (a median of exactly 0 among many zeros) is found
            // exactly; the values between spread over the others. Rounding
            // keeps (x - low) * per_unit monotone in x.
            let last = self.bins - 1;
            if key == self.ka {
                0
            } else if key == self.ka + self.span {
                last
            } else {
                (1 + ((from_ordered_key(key) - self.low) * self.per_unit) as usize).min(last - 1)
            }
        } else {
            ((u128::from(key.wrapping_sub(self.ka)) * self.scale) >> 64) as usize
        };
        self.start + j.min(self.bins - 1)
    }
}

/// What one pass saw, for one part of the trials: per active probe (see
/// [`Refinement::tally`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PassTally {
    below: Vec<u64>,
    inside: Vec<u64>,
    /// Counts, smallest and largest keys of the bins of each active probe
    /// that does not collect its values.
    counts: Vec<u64>,
    min: Vec<u64>,
    max: Vec<u64>,
    /// Collected values per active probe (as keys, see [`ordered_key`]),
    /// and whether a probe's passed its cap (its values are then dropped).
    values: Vec<Vec<u64>>,
    overflow: Vec<bool>,
    /// Per probe that collects, values at the bracket's lower and upper
    /// end: counted, not collected, so that an atom there (many trials of
    /// exactly 0) takes no memory.
    at_ends: Vec<[u64; 2]>,
}

impl PassTally {
    /// Whether `other` counts the same probes and bins.
    pub fn same_shape(&self, other: &PassTally) -> bool {
        self.below.len() == other.below.len()
            && self.inside.len() == other.inside.len()
            && self.counts.len() == other.counts.len()
            && self.min.len() == other.min.len()
            && self.max.len() == other.max.len()
            && self.values.len() == other.values.len()
            && self.overflow.len() == other.overflow.len()
            && self.at_ends.len() == other.at_ends.len()
    }

    /// Whether no probe counts more than `trials` values, as a tally of a
    /// run of `trials` trials cannot (a state file made by other means
    /// could).
    pub fn counts_within(&self, trials: u64) -> bool {
        let each = self.below.iter().zip(&self.inside);
        let ends = self.at_ends.iter().zip(&self.values);
        each.into_iter()
            .all(|(b, i)| b.checked_add(*i).is_some_and(|n| n <= trials))
            && ends.into_iter().all(|([a, b], v)| {
                a.checked_add(*b)
                    .and_then(|n| n.checked_add(v.len() as u64))
                    .is_some_and(|n| n <= trials)
            })
            && self.counts.iter().all(|c| *c <= trials)
    }

    /// Adds another part's tally.
    pub fn merge(&mut self, other: PassTally) {
        let add = |a: &mut Vec<u64>, b: Vec<u64>| a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
        add(&mut self.below, other.below);
        add(&mut self.inside, other.inside);
        add(&mut self.counts, other.counts);
        self.min
            .iter_mut()
            .zip(other.min)
            .for_each(|(x, y)| *x = (*x).min(y));
        self.max
            .iter_mut()
            .zip(other.max)
            .for_each(|(x, y)| *x = (*x).max(y));
        for (a, b) in self.values.iter_mut().zip(other.values) {
            a.extend(b);
        }
        for (a, b) in self.overflow.iter_mut().zip(other.overflow) {
            *a |= b;
        }
        for (a, b) in self.at_ends.iter_mut().zip(other.at_ends) {
            a[0] += b[0];
            a[1] += b[1];
        }
    }
}

/// The probes of a set of quantities, and the passes done so far.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Refinement {
    probes: Vec<Probe>,
    /// Open probes grouped by column: `(column, range in active)`.
    columns: Vec<(usize, std::ops::Range<usize>)>,
    active: Vec<usize>,
    /// What [`observe_columns`](Self::observe_columns) reads of each active probe, packed
    /// for the cache (a pass reads every one for every trial).
    hot: Vec<Hot>,
    passes: usize,
    /// Values a pass may collect ([`COLLECT_BUDGET`]).
    budget: u64,
    /// Bins a pass may count into, per part ([`BIN_BUDGET`]).
    bin_budget: usize,
    /// Bins of one probe at most ([`MAX_BINS`]; fewer for a pilot's
    /// brackets, which need only so many).
    most_bins: usize,
}

impl Refinement {
    /// Probes for every percentile of every sketched quantity of real values
    /// among `quantities` (a trial's row, column by column), at the
    /// percentiles `percentiles(column)` (in percent), refined as
    /// `goal(column)` says. Exact and tallied quantities need none.
    pub fn new<'a, 'p>(
        quantities: impl IntoIterator<Item = &'a QuantityAccumulator>,
        percentiles: impl Fn(usize) -> &'p [f64],
        goal: impl Fn(usize) -> Goal,
    ) -> Refinement {
        let mut probes = Vec::new();
        for (column, acc) in quantities.into_iter().enumerate() {
            let Some(sketch) = acc.sketch() else {
                continue;
            };
            let (total, finite) = acc.counts();
            let Some((min, max)) = sketch.range() else {
                continue;
            };
            for (index, p) in percentiles(column).iter().enumerate() {
                let h = (total - 1) as f64 * p / 100.0;
                let lo = h.floor() as u64;
                let frac = h - lo as f64;
                // Ranks among the trials without a value have no value (as
                // exact percentiles).
                if lo >= finite || (frac > 0.0 && lo + 1 >= finite) {
                    continue;
                }
                let at = |r: u64| sketch.value_at_rank(r).unwrap_or(max);
                let (a, b) = (at(lo), at(lo + u64::from(frac > 0.0)));
                let widen = |x: f64, sign: f64| {
                    x + sign * (1.05 * SKETCH_ALPHA * x.abs() + 2.0 * MIN_MAGNITUDE)
                };
                let (a, b) = (widen(a, -1.0).max(min), widen(b, 1.0).min(max));
                // Values in the bracket have sketched values within the
                // sketch's error of it: an estimate of how many there are.
                let outer = |x: f64, sign: f64| x + sign * (SKETCH_ALPHA * x.abs() + MIN_MAGNITUDE);
                let expected = sketch
                    .count_at_most(outer(b, 1.0))
                    .saturating_sub(sketch.count_at_most(outer(a, -1.0)));
                probes.push(Probe {
                    column,
                    index,
                    goal: goal(column),
                    total,
                    finite,
                    lo,
                    frac,
                    floor: ordered_key(min),
                    ceiling: ordered_key(max),
                    ka: ordered_key(a),
                    kb: ordered_key(b),
                    expected: expected + expected / 4 + 64,
                    cap: 0,
                    known: [None, None],
                    std_error: 0.0,
                    done: false,
                    located: false,
                });
            }
        }
        let mut r = Refinement {
            probes,
            budget: COLLECT_BUDGET,
            bin_budget: BIN_BUDGET,
            most_bins: MAX_BINS,
            ..Refinement::default()
        };
        r.plan();
        r
    }

    /// Probes whose first brackets come from a pilot rather than a sketch:
    /// `pilot` holds the first `pilot_trials` trials of the run, column by
    /// column (`pilot_trials` values of column 0, then of column 1, ...),
    /// and the run has `total` trials. For each percentile of each column in
    /// `columns` (the sketched quantities of real values), the bracket runs
    /// between the pilot's order statistics [`PILOT_Z`] standard deviations
    /// of a rank either side of the percentile's place in the pilot, so
    /// that the run's order statistics fall inside it but for about one
    /// probe in a million; the pass that simulates the run then counts the
    /// probes, and [`adopt`](Self::adopt) takes what it found. The pilot is
    /// the same for any thread count and shard, and so are the brackets.
    pub fn from_pilot<'p>(
        pilot: &[f64],
        pilot_trials: usize,
        total: u64,
        columns: impl IntoIterator<Item = usize>,
        percentiles: impl Fn(usize) -> &'p [f64],
        goal: impl Fn(usize) -> Goal,
    ) -> Refinement {
        let n = pilot_trials;
        let mut probes = Vec::new();
        let mut keys = Vec::with_capacity(n);
        for column in columns {
            if n == 0 || total == 0 {
                break;
            }
            keys.clear();
            keys.extend(pilot[column * n..(column + 1) * n].iter().map(|x| {
                // Trials without a value rank above every value.
                if x.is_finite() {
                    ordered_key(*x)
                } else {
                    u64::MAX
                }
            }));
            keys.sort_unstable();
            for (index, p) in percentiles(column).iter().enumerate() {
                let Some((ka, kb)) = pilot_bracket(&keys, p / 100.0) else {
                    continue;
                };
                let h = (total - 1) as f64 * p / 100.0;
                let lo = h.floor() as u64;
                // Values at the ends are counted, not collected.
                let inside = keys
                    .partition_point(|k| *k < kb)
                    .saturating_sub(keys.partition_point(|k| *k <= ka));
                // The pilot's count inside, scaled to the run, with room
                // for its own spread (a count of a few in the pilot can be
                // three times that in the run).
                let room = inside as f64 + PILOT_Z * (inside as f64 + 1.0).sqrt() + 2.0;
                let expected = (room * total as f64 / n as f64).ceil() as u64;
                probes.push(Probe {
                    column,
                    index,
                    goal: goal(column),
                    // Placeholders until `calibrate` knows the run's counts
                    // and range.
                    total,
                    finite: total,
                    lo,
                    frac: h - lo as f64,
                    floor: 0,
                    ceiling: u64::MAX - 1,
                    ka,
                    kb,
                    expected,
                    cap: 0,
                    known: [None, None],
                    std_error: 0.0,
                    done: false,
                    located: false,
                });
            }
        }
        // Collect everything where it all fits (every percentile exact in
        // the one pass); where it does not, a further pass follows anyway,
        // and the pass keeps less: a third of the values, half the bins.
        let wanted: u64 = probes.iter().map(|p| p.expected).sum();
        let (budget, bin_budget) = if wanted <= PILOT_COLLECT_BUDGET {
            (PILOT_COLLECT_BUDGET, BIN_BUDGET)
        } else {
            (PILOT_COLLECT_BUDGET / 3, BIN_BUDGET / 2)
        };
        let mut r = Refinement {
            probes,
            budget,
            bin_budget,
            most_bins: pilot_bins(total, n),
            ..Refinement::default()
        };
        r.plan();
        r
    }

    /// Gives the probes of [`from_pilot`](Self::from_pilot) what the whole
    /// run knows of each quantity (`quantities`, a trial's row): how many
    /// trials have a value and the smallest and largest value. A probe
    /// whose ranks fall among trials without a value has none to find.
    pub fn calibrate<'a>(&mut self, quantities: impl IntoIterator<Item = &'a QuantityAccumulator>) {
        let quantities: Vec<&QuantityAccumulator> = quantities.into_iter().collect();
        for p in &mut self.probes {
            let acc = quantities[p.column];
            let (total, finite) = acc.counts();
            let range = acc.sketch().and_then(super::Sketch::range);
            let void = total != p.total
                || p.lo >= finite
                || (p.frac > 0.0 && p.lo + 1 >= finite)
                || range.is_none();
            if let (false, Some((min, max))) = (void, range) {
                p.finite = finite;
                p.floor = ordered_key(min);
                p.ceiling = ordered_key(max);
            } else {
                p.done = true;
            }
        }
    }

    /// Takes over from `pilot` (probes of [`from_pilot`](Self::from_pilot)
    /// after the run's pass, [`calibrate`](Self::calibrate)d and
    /// [`advance`](Self::advance)d) every probe whose ranks that pass found
    /// inside its bracket: its located intervals and next bracket replace
    /// this refinement's first, sketched, one. The others (a rank outside
    /// the pilot's bracket) start from the sketch.
    pub fn adopt(&mut self, pilot: &Refinement) {
        let found: std::collections::HashMap<(usize, usize), &Probe> = pilot
            .probes
            .iter()
            .filter(|p| p.located)
            .map(|p| ((p.column, p.index), p))
            .collect();
        for p in &mut self.probes {
            if let Some(q) = found.get(&(p.column, p.index)) {
                if (q.total, q.finite, q.lo) == (p.total, p.finite, p.lo) {
                    let goal = p.goal;
                    *p = (*q).clone();
                    p.goal = goal;
                    p.done = p.meets_goal();
                }
            }
        }
        self.plan();
    }

    /// As it is, collecting at most `budget` values a pass and counting
    /// into at most `bins` bins (tests use small budgets to follow the
    /// bins alone, [`BINS`] per probe).
    #[must_use]
    pub fn with_budgets(mut self, budget: u64, bins: usize) -> Refinement {
        self.budget = budget;
        self.bin_budget = bins;
        self.plan();
        self
    }

    /// Whether every probe has met its goal (or the passes ran out).
    pub fn is_done(&self) -> bool {
        self.active.is_empty()
    }

    /// Passes done.
    pub fn passes(&self) -> usize {
        self.passes
    }

    /// Lists the open probes by column and shares the collection budget:
    /// probes to be exact first, then the smallest brackets, in a fixed
    /// order.
    fn plan(&mut self) {
        self.active.clear();
        self.columns.clear();
        self.hot.clear();
        if self.passes >= MAX_PASSES {
            return;
        }
        let mut open: Vec<usize> = (0..self.probes.len())
            .filter(|&i| !self.probes[i].done)
            .collect();
        open.sort_by_key(|&i| {
            let p = &self.probes[i];
            (p.goal != Goal::Exact, p.expected, i)
        });
        let mut budget = self.budget;
        for &i in &open {
            let p = &mut self.probes[i];
            p.cap = if p.expected <= budget { p.expected } else { 0 };
            budget -= p.cap;
        }
        open.sort_unstable_by_key(|&i| (self.probes[i].column, i));
        let histograms = open.iter().filter(|&&i| self.probes[i].cap == 0).count();
        let per_probe = (self.bin_budget / histograms.max(1)).clamp(BINS, MAX_BINS);
        // The bins of a pilot's brackets, which need only so many.
        let mut next_bin = 0;
        for &i in &open {
            let column = self.probes[i].column;
            let at = self.active.len();
            match self.columns.last_mut() {
                Some((c, range)) if *c == column => range.end = at + 1,
                _ => self.columns.push((column, at..at + 1)),
            }
            self.active.push(i);
            // Bins only where values are not collected: a pass's memory is
            // its collected values or its bins, not both.
            let bins = if self.probes[i].cap == 0 {
                // No more bins than values to count; a bracket that holds
                // many values gets more bins than a pilot's usual.
                let expected = self.probes[i].expected as usize;
                let n = per_probe.min(self.most_bins).min(expected.max(BINS));
                next_bin += n;
                next_bin - n..next_bin
            } else {
                0..0
            };
            self.hot.push(Hot::of(&self.probes[i], bins));
        }
    }

    /// An empty tally for one part of the next pass.
    pub fn tally(&self) -> PassTally {
        let n = self.active.len();
        let bins = self.hot.iter().map(|h| h.bins).sum();
        PassTally {
            below: vec![0; n],
            inside: vec![0; n],
            counts: vec![0; bins],
            min: vec![u64::MAX; bins],
            max: vec![0; bins],
            values: vec![Vec::new(); n],
            overflow: vec![false; n],
            at_ends: vec![[0, 0]; n],
        }
    }

    /// Counts a tile of `n` trials given column by column (`columns` holds
    /// `n` values of column 0, then of column 1, ...). A column's values are
    /// sorted once, 64 at a time, as keys; each probe then finds the values
    /// below and inside its bracket by two binary searches, and the values
    /// inside lie together. Non-finite values are trials without a value,
    /// which rank above every value.
    pub fn observe_columns(&self, tally: &mut PassTally, columns: &[f64], n: usize) {
        let mut keys = [0u64; 64];
        for (column, range) in &self.columns {
            for chunk in columns[column * n..(column + 1) * n].chunks(keys.len()) {
                let keys = &mut keys[..chunk.len()];
                for (k, x) in keys.iter_mut().zip(chunk) {
                    *k = if x.is_finite() {
                        ordered_key(*x)
                    } else {
                        u64::MAX
                    };
                }
                keys.sort_unstable();
                for (a, h) in self.hot[range.clone()].iter().enumerate() {
                    let a = range.start + a;
                    let below = keys.partition_point(|k| *k < h.ka);
                    let inside = &keys[below..];
                    let inside = &inside[..inside.partition_point(|k| k - h.ka <= h.span)];
                    tally.below[a] += below as u64;
                    if !inside.is_empty() {
                        Self::count_inside(tally, a, h, inside);
                    }
                }
            }
        }
    }

    /// The keys `inside` (ascending) of active probe `a`'s bracket, binned
    /// (and collected while under the cap).
    fn count_inside(tally: &mut PassTally, a: usize, h: &Hot, inside: &[u64]) {
        tally.inside[a] += inside.len() as u64;
        if h.bins > 0 {
            for &k in inside {
                let j = h.bin(k);
                tally.counts[j] += 1;
                tally.min[j] = tally.min[j].min(k);
                tally.max[j] = tally.max[j].max(k);
            }
            return;
        }
        // The values at the bracket's ends are counted, not collected.
        let kb = h.ka + h.span;
        let low = inside.partition_point(|k| *k == h.ka);
        let high = low + inside[low..].partition_point(|k| *k < kb);
        tally.at_ends[a][0] += low as u64;
        tally.at_ends[a][1] += (inside.len() - high) as u64;
        let middle = &inside[low..high];
        if middle.is_empty() || tally.overflow[a] {
            return;
        }
        let values = &mut tally.values[a];
        if (values.len() + middle.len()) as u64 > h.cap {
            // Past the estimate: the next pass knows the count.
            tally.overflow[a] = true;
            *values = Vec::new();
        } else {
            values.extend_from_slice(middle);
        }
    }

    /// Takes in a finished pass (every part's tally merged) and plans the
    /// next.
    pub fn advance(&mut self, mut tally: PassTally) {
        for (a, &i) in self.active.iter().enumerate() {
            let p = &mut self.probes[i];
            let (below, inside) = (tally.below[a], tally.inside[a]);
            let [at_low, at_high] = tally.at_ends[a];
            let collected = (p.cap > 0
                && !tally.overflow[a]
                && tally.values[a].len() as u64 + at_low + at_high == inside)
                .then(|| {
                    // Only the ranks the percentile needs are read (the
                    // standard error is not estimated for collected
                    // values), so they are selected, not sorted.
                    let mut v = std::mem::take(&mut tally.values[a]);
                    let mut at = |r: u64| -> (u64, u64) {
                        let i = r.saturating_sub(below);
                        let key = if i < at_low {
                            p.ka
                        } else if i - at_low < v.len() as u64 {
                            *v.select_nth_unstable((i - at_low) as usize).1
                        } else {
                            p.kb
                        };
                        (r, key)
                    };
                    [at(p.lo), at(p.lo + 1)]
                });
            let h = self.hot[a];
            let bins = h.start..h.start + h.bins;
            let (counts, min, max) = (
                &tally.counts[bins.clone()],
                &tally.min[bins.clone()],
                &tally.max[bins],
            );
            // Where rank `r` lies: a key interval, and the bin it is in.
            let locate = |r: u64| -> ((u64, u64), Option<usize>) {
                if r < below {
                    ((p.floor, p.ka.saturating_sub(1).max(p.floor)), None)
                } else if r >= below + inside {
                    ((p.kb.saturating_add(1).min(p.ceiling), p.ceiling), None)
                } else if let Some(keys) = &collected {
                    let k = keys
                        .iter()
                        .find(|(at, _)| *at == r)
                        .map_or(p.ka, |(_, k)| *k);
                    ((k, k), None)
                } else if counts.is_empty() {
                    // Collecting overflowed: somewhere in the bracket.
                    ((p.ka, p.kb), None)
                } else {
                    let mut seen = below;
                    let j = counts
                        .iter()
                        .position(|c| {
                            seen += c;
                            r < seen
                        })
                        .unwrap_or(counts.len() - 1);
                    ((min[j], max[j]), Some(j))
                }
            };
            let mut next = (u64::MAX, 0);
            let mut bins_hit = Vec::with_capacity(2);
            for (slot, r) in p.ranks() {
                let (interval, bin) = locate(r);
                p.known[slot] = Some(interval);
                next = (next.0.min(interval.0), next.1.max(interval.1));
                bins_hit.extend(bin);
            }
            // A lower bound of the standard error from the ranks either side.
            if collected.is_none() {
                let q = (p.lo as f64 + p.frac) / (p.total - 1).max(1) as f64;
                let k = (p.total as f64 * q * (1.0 - q)).sqrt().ceil().max(1.0) as u64;
                let up = (p.lo + u64::from(p.frac > 0.0) + k).min(p.finite - 1);
                let down = p.lo.saturating_sub(k);
                let lower = match locate(up) {
                    (_, _) if up < below => f64::NEG_INFINITY,
                    ((a, _), _) => from_ordered_key(a),
                };
                let upper = match locate(down) {
                    (_, _) if down >= below + inside => f64::INFINITY,
                    ((_, b), _) => from_ordered_key(b),
                };
                let se = (lower - upper) / 2.0;
                if se.is_finite() && se > p.std_error {
                    p.std_error = se;
                }
            }
            p.ka = next.0;
            p.kb = next.1;
            let all_inside = p.ranks().all(|(_, r)| r >= below && r < below + inside);
            p.located = all_inside;
            p.expected = match (bins_hit.iter().min(), bins_hit.iter().max()) {
                (Some(&j0), Some(&j1)) if all_inside => counts[j0..=j1].iter().sum(),
                // The same bracket again, now counted.
                _ if all_inside => inside,
                // A rank outside the bracket: the next one is wider.
                _ => p.finite,
            };
            p.done = p.meets_goal();
        }
        self.passes += 1;
        self.plan();
    }

    /// The refined value of percentile `index` of column `column`, if it
    /// was refined.
    pub fn results(&self) -> impl Iterator<Item = (usize, usize, Refined)> + '_ {
        self.probes.iter().filter_map(|p| {
            let (value, bound) = p.estimate()?;
            Some((
                p.column,
                p.index,
                Refined {
                    value,
                    bound,
                    std_error: if bound == 0.0 { 0.0 } else { p.std_error },
                },
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::{Method, ValueKind};

    /// Refines `columns` (one row per trial) with `goal`, the passes run
    /// over the rows in parts of `part` trials.
    fn refine(
        columns: &[Vec<f64>],
        percentiles: &[f64],
        goal: Goal,
        part: usize,
        budget: u64,
    ) -> (Refinement, Vec<QuantityAccumulator>) {
        let trials = columns[0].len();
        let accs: Vec<QuantityAccumulator> = columns
            .iter()
            .map(|c| {
                let mut acc = QuantityAccumulator::new(Method::Sketch, ValueKind::Real);
                acc.absorb_chunk(0, c);
                acc
            })
            .collect();
        let mut r = Refinement::new(&accs, |_| percentiles, |_| goal).with_budgets(budget, BINS);
        let mut row = vec![0.0; columns.len()];
        while !r.is_done() {
            let mut total: Option<PassTally> = None;
            for start in (0..trials).step_by(part) {
                let mut t = r.tally();
                for trial in start..(start + part).min(trials) {
                    for (x, c) in row.iter_mut().zip(columns) {
                        *x = c[trial];
                    }
                    // One trial: its row is a tile of one, column by column.
                    r.observe_columns(&mut t, &row, 1);
                }
                match &mut total {
                    Some(all) => all.merge(t),
                    None => total = Some(t),
                }
            }
            r.advance(total.expect("a part"));
        }
        (r, accs)
    }

    /// Refines `columns` as a run does: brackets from a pilot of the first
    /// `pilot` trials, one pass over every trial in parts of `part` trials
    /// (64 at a time, column by column), then the sketch's passes for
    /// whatever that pass did not find. Returns the refinement and how many
    /// passes it took after the pilot's.
    fn refine_from_pilot(
        columns: &[Vec<f64>],
        percentiles: &[f64],
        goal: Goal,
        pilot: usize,
        part: usize,
    ) -> (Refinement, usize) {
        let trials = columns[0].len();
        let mut kept = Vec::new();
        for c in columns {
            kept.extend_from_slice(&c[..pilot]);
        }
        let all = 0..columns.len();
        let counted =
            Refinement::from_pilot(&kept, pilot, trials as u64, all, |_| percentiles, |_| goal);
        let mut accs: Vec<QuantityAccumulator> = columns
            .iter()
            .map(|_| QuantityAccumulator::new(Method::Sketch, ValueKind::Real))
            .collect();
        let mut total: Option<PassTally> = None;
        for start in (0..trials).step_by(part) {
            let mut t = counted.tally();
            let end = (start + part).min(trials);
            for tile in (start..end).step_by(64) {
                let n = 64.min(end - tile);
                let mut tile_columns = Vec::new();
                for (acc, c) in accs.iter_mut().zip(columns) {
                    acc.absorb_tile(&c[tile..tile + n]);
                    tile_columns.extend_from_slice(&c[tile..tile + n]);
                }
                counted.observe_columns(&mut t, &tile_columns, n);
            }
            match &mut total {
                Some(all) => all.merge(t),
                None => total = Some(t),
            }
        }
        for acc in &mut accs {
            acc.close_chunk(0);
        }
        let mut counted = counted;
        counted.calibrate(&accs);
        counted.advance(total.expect("a part"));
        let mut r = Refinement::new(&accs, |_| percentiles, |_| goal);
        r.adopt(&counted);
        let mut row = vec![0.0; columns.len()];
        while !r.is_done() {
            let mut t = r.tally();
            for trial in 0..trials {
                for (x, c) in row.iter_mut().zip(columns) {
                    *x = c[trial];
                }
                r.observe_columns(&mut t, &row, 1);
            }
            r.advance(t);
        }
        let passes = r.passes();
        (r, passes)
    }

    fn assert_exact(r: &Refinement, columns: &[Vec<f64>], ps: &[f64]) {
        for (c, values) in columns.iter().enumerate() {
            let want = exact(values, ps);
            let mut refined = 0;
            for (_, index, got) in r.results().filter(|x| x.0 == c) {
                assert_eq!(got.bound, 0.0, "column {c} p {}", ps[index]);
                assert_eq!(
                    Some(got.value.to_bits()),
                    want[index].map(|x| (x + 0.0).to_bits()),
                    "column {c} p {}",
                    ps[index]
                );
                refined += 1;
            }
            assert_eq!(refined, want.iter().flatten().count(), "column {c}");
        }
    }

    #[test]
    fn a_pilots_brackets_make_percentiles_exact_in_the_one_pass() {
        let ps = [0.0, 1.0, 5.0, 7.7, 25.0, 50.0, 90.0, 99.9, 100.0];
        // A skewed spread with an atom and trials without a value, a
        // constant, and an atom at zero with a thin tail above it (the
        // bracket's lower end is the atom, counted rather than collected).
        let thin: Vec<f64> = data(30_000, 21)
            .iter()
            .map(|x| if x.is_finite() && *x > 60.0 { *x } else { 0.0 })
            .collect();
        let columns = vec![data(30_000, 11), vec![-2.5; 30_000], thin, data(30_000, 12)];
        for part in [30_000, 4_099] {
            let (r, passes) = refine_from_pilot(&columns, &ps, Goal::Exact, 2048, part);
            assert_eq!(passes, 0, "part {part}");
            assert_exact(&r, &columns, &ps);
        }
    }

    #[test]
    fn a_rank_outside_the_pilots_bracket_is_found_by_the_sketchs_passes() {
        // The pilot's trials are all small, the rest large: every
        // bracket but the lowest misses.
        let ps = [5.0, 50.0, 95.0];
        let columns: Vec<Vec<f64>> = (0..2)
            .map(|seed| {
                data(20_000, seed)
                    .iter()
                    .enumerate()
                    .map(|(i, x)| if i < 2048 { x / 1000.0 } else { *x })
                    .collect()
            })
            .collect();
        let (r, passes) = refine_from_pilot(&columns, &ps, Goal::Exact, 2048, 7_000);
        assert!(passes >= 1, "{passes} passes");
        assert_exact(&r, &columns, &ps);
    }

    #[test]
    fn a_pilots_bins_bound_percentiles_within_a_tenth_of_their_standard_error() {
        let ps = [5.0, 50.0, 95.0];
        let columns = vec![data(200_000, 31), data(200_000, 32)];
        let (a, _) = refine_from_pilot(&columns, &ps, Goal::Bounded, 2048, 200_000);
        let (b, _) = refine_from_pilot(&columns, &ps, Goal::Bounded, 2048, 33_333);
        let bits = |r: &Refinement| -> Vec<(usize, usize, u64, u64)> {
            r.results()
                .map(|(c, i, x)| (c, i, x.value.to_bits(), x.bound.to_bits()))
                .collect()
        };
        // The same for any split of the trials.
        assert_eq!(bits(&a), bits(&b));
        for (c, values) in columns.iter().enumerate() {
            let want = exact(values, &ps);
            for (_, index, got) in a.results().filter(|x| x.0 == c) {
                let exact = want[index].expect("a value");
                assert!(
                    (got.value - exact).abs() <= got.bound,
                    "{got:?} exact {exact}"
                );
                assert!(
                    got.bound == 0.0 || got.bound < got.std_error / 10.0,
                    "{got:?}"
                );
            }
        }
    }

    fn exact(values: &[f64], percentiles: &[f64]) -> Vec<Option<f64>> {
        let mut acc = QuantityAccumulator::new(Method::Exact, ValueKind::Real);
        acc.absorb_chunk(0, values);
        acc.finish_summary(percentiles).percentiles
    }

    fn data(n: usize, seed: u64) -> Vec<f64> {
        // A skewed spread with an atom at zero and a few trials without a
        // value.
        (0..n as u64)
            .map(|i| {
                // splitmix64: distinct values, no ties but the atom.
                let mut z = (i + seed * 1_000_003)
                    .wrapping_add(1)
                    .wrapping_mul(0x9E37_79B9_7F4A_7C15);
                z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
                z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
                let u = (z ^ (z >> 31)) as f64 / 2f64.powi(64);
                match i % 13 {
                    0 => 0.0,
                    1 if seed % 2 == 1 => f64::INFINITY,
                    _ => 50.0 * (-(1.0 - u).ln()).powf(1.5) - 3.0,
                }
            })
            .collect()
    }

    #[test]
    fn exact_goal_gives_exact_percentiles_bit_for_bit() {
        let ps = [0.0, 1.0, 5.0, 7.7, 25.0, 50.0, 90.0, 99.9, 100.0];
        for (n, seed, part, budget) in [
            (20_000, 1, 20_000, COLLECT_BUDGET),
            (20_000, 2, 777, COLLECT_BUDGET),
            (3_001, 3, 100, COLLECT_BUDGET),
            (20_000, 4, 5_000, 0),
            (3_001, 5, 100, 0),
        ] {
            let columns = vec![data(n, seed), data(n, seed + 10), vec![4.25; n]];
            let (r, _) = refine(&columns, &ps, Goal::Exact, part, budget);
            // Collecting finds every value in one pass; bins alone need a
            // few (a bin of one distinct value).
            let most = if budget > 0 { 1 } else { 5 };
            assert!(r.passes() <= most, "{} passes", r.passes());
            for (c, values) in columns.iter().enumerate() {
                let want = exact(values, &ps);
                for (column, index, got) in r.results().filter(|x| x.0 == c) {
                    assert_eq!(column, c);
                    assert_eq!(got.bound, 0.0, "n {n} column {c} p {}", ps[index]);
                    assert_eq!(
                        Some(got.value.to_bits()),
                        want[index].map(f64::to_bits),
                        "n {n} column {c} p {}",
                        ps[index]
                    );
                }
                // Every percentile with a value is refined.
                let refined = r.results().filter(|x| x.0 == c).count();
                assert_eq!(refined, want.iter().flatten().count(), "column {c}");
            }
        }
    }

    #[test]
    fn a_pass_count_does_not_depend_on_how_trials_are_split() {
        let columns = vec![data(30_000, 5), data(30_000, 6)];
        let ps = [5.0, 50.0, 95.0];
        let (a, _) = refine(&columns, &ps, Goal::Bounded, 30_000, 0);
        let (b, _) = refine(&columns, &ps, Goal::Bounded, 1_234, 0);
        let bits = |r: &Refinement| -> Vec<(usize, usize, u64, u64)> {
            r.results()
                .map(|(c, i, x)| (c, i, x.value.to_bits(), x.bound.to_bits()))
                .collect()
        };
        assert_eq!(bits(&a), bits(&b));
        assert_eq!(a.passes(), b.passes());
    }

    #[test]
    fn bounded_goal_is_within_a_tenth_of_the_standard_error_and_holds_the_exact_value() {
        let ps = [5.0, 10.0, 50.0, 90.0, 95.0];
        // A near-atom too: 15.55 but for its last bits, as sums in
        // different orders give.
        let near_atom: Vec<f64> = data(1_000_000, 9)
            .iter()
            .map(|x| f64::from_bits(15.55f64.to_bits() + (x.to_bits() % 9)))
            .collect();
        let columns = vec![data(1_000_000, 7), data(1_000_000, 8), near_atom];
        let (r, _) = refine(&columns, &ps, Goal::Bounded, 250_000, 0);
        let mut bounded = 0;
        for (c, values) in columns.iter().enumerate() {
            let want = exact(values, &ps);
            for (_, index, got) in r.results().filter(|x| x.0 == c) {
                let exact = want[index].expect("a value");
                assert!(
                    (got.value - exact).abs() <= got.bound,
                    "p {} {got:?} exact {exact}",
                    ps[index]
                );
                if got.bound > 0.0 {
                    bounded += 1;
                    if got.bound <= ROUNDING * got.value.abs() {
                        continue;
                    }
                    assert!(got.bound < got.std_error / 10.0, "{got:?}");
                    // A lower bound of the standard error: below the spread
                    // of the order statistics sqrt(n p (1 - p)) ranks either
                    // side, computed from the sorted values.
                    let mut sorted: Vec<f64> =
                        values.iter().copied().filter(|x| x.is_finite()).collect();
                    sorted.sort_by(f64::total_cmp);
                    let n = values.len() as f64;
                    let q = ps[index] / 100.0;
                    let k = (n * q * (1.0 - q)).sqrt().ceil();
                    let h = ((n - 1.0) * q).floor();
                    let at = |r: f64| sorted[(r.max(0.0) as usize).min(sorted.len() - 1)];
                    let spread = (at(h + 1.0 + k) - at(h - k)) / 2.0;
                    assert!(got.std_error <= spread, "{got:?} spread {spread}");
                    assert!(got.std_error > 0.25 * spread, "{got:?} spread {spread}");
                }
            }
        }
        // Bins alone, one or two passes: most percentiles stop short of exact.
        assert!(bounded >= 5, "{bounded} bounded");
        assert!(r.passes() <= 2, "{} passes", r.passes());
    }
}
