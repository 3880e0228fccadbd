//! Where each quantity's values go for percentiles: every value (exact), a
//! [`Sketch`] (bounded memory, relative error at most [`SKETCH_ALPHA`]), or,
//! for quantities that are whole numbers in a known range (events, month
//! indices), a count of each number (exact and bounded at once).

use serde::{Deserialize, Serialize};

use super::sketch::{RELATIVE_ERROR, Sketch};

/// Relative accuracy of sketched percentiles: a reported percentile is within
/// this fraction (1/257, about 0.39%) of the value whose rank is the
/// requested one.
pub const SKETCH_ALPHA: f64 = RELATIVE_ERROR;

/// How percentiles are computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Method {
    /// Every value kept; percentiles interpolate between order statistics
    /// (Excel's PERCENTILE.INC).
    Exact,
    /// A DDSketch per quantity, which brackets each percentile for the
    /// refinement passes ([`crate::stats::Refinement`]); read alone, the
    /// value at rank floor(p (n - 1)) to within 0.39% relative error.
    Sketch,
}

impl Method {
    /// Human-readable description, for the manifest.
    pub(crate) fn describe(self) -> &'static str {
        match self {
            Method::Exact => {
                "exact: linear interpolation between order statistics (Excel PERCENTILE.INC)"
            }
            Method::Sketch => {
                "counted against brackets from a pilot, then refined: the first 2,048 trials bracket each percentile, the run's pass collects or bins the values inside each bracket, and passes that simulate the same trials again (from the pass's bins, or from a DDSketch per quantity where a bracket missed) finish whatever it left to the exact order statistics (PERCENTILE.INC) or to within a tenth of the standard error (see percentile_accuracy); events and month outcomes exact (counted)"
            }
        }
    }
}

/// The values a quantity can take, which decides how its percentiles are
/// kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ValueKind {
    /// Any finite number: kept as the run's [`Method`] says.
    Real,
    /// Whole numbers from `from` to `from + count - 1`, such as an event (0
    /// or 1), a month index within the horizon or a difference of two: each
    /// number is counted, so percentiles are exact, and as
    /// [`Method::Exact`] computes them, at any trial count.
    Whole {
        /// The smallest number.
        from: i32,
        /// How many numbers.
        count: usize,
    },
}

impl ValueKind {
    /// 0 or 1.
    pub const EVENT: ValueKind = ValueKind::Whole { from: 0, count: 2 };

    /// Month indices `0..months`.
    pub fn months(months: usize) -> ValueKind {
        ValueKind::Whole {
            from: 0,
            count: months,
        }
    }
}

/// How many values equal each whole number `from..from + counts.len()`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tally {
    from: i32,
    counts: Vec<u64>,
}

impl Tally {
    fn new(from: i32, count: usize) -> Tally {
        Tally {
            from,
            counts: vec![0; count.max(1)],
        }
    }

    fn empty_like(&self) -> Tally {
        Tally::new(self.from, self.counts.len())
    }

    /// The smallest number counted.
    pub fn from(&self) -> i32 {
        self.from
    }

    /// How many values equal each number, from [`from`](Self::from) up.
    pub fn counts(&self) -> &[u64] {
        &self.counts
    }

    /// The count `x` goes to. Only whole numbers in range are given to a
    /// tally (by construction, and tested); anything else would be a bug,
    /// caught in debug builds and counted at the nearest end otherwise
    /// rather than crashing a run.
    #[inline]
    fn index(&self, x: f64) -> usize {
        let k = x - f64::from(self.from);
        debug_assert!(
            k >= 0.0 && k.fract() == 0.0 && (k as usize) < self.counts.len(),
            "{x} is not a whole number from {} to {}",
            self.from,
            i64::from(self.from) + self.counts.len() as i64 - 1
        );
        // `as` saturates: values below go to the first count.
        (k as usize).min(self.counts.len() - 1)
    }

    #[inline]
    fn push(&mut self, x: f64) {
        let i = self.index(x);
        self.counts[i] += 1;
    }

    fn extend(&mut self, values: &[f64]) {
        if self.from == 0 && self.counts.len() == 2 {
            // An event: count the ones (a vectorised compare and sum, not a
            // chain of increments of one counter).
            debug_assert!(values.iter().all(|x| *x == 0.0 || *x == 1.0));
            let ones = values.iter().map(|x| u64::from(*x != 0.0)).sum::<u64>();
            self.counts[1] += ones;
            self.counts[0] += values.len() as u64 - ones;
        } else {
            values.iter().for_each(|x| self.push(*x));
        }
    }

    fn merge(&mut self, other: Tally) {
        assert_eq!(
            (self.from, self.counts.len()),
            (other.from, other.counts.len()),
            "tallies of different ranges"
        );
        self.counts
            .iter_mut()
            .zip(other.counts)
            .for_each(|(x, y)| *x += y);
    }

    fn len(&self) -> u64 {
        self.counts.iter().sum()
    }

    /// The value of rank `rank` (0-based, ascending).
    fn value_at_rank(&self, rank: u64) -> Option<f64> {
        let mut seen = 0;
        let i = self.counts.iter().position(|c| {
            seen += c;
            rank < seen
        })?;
        Some(f64::from(self.from) + i as f64)
    }

    /// How many values are at most `x`.
    fn count_at_most(&self, x: f64) -> u64 {
        let from = f64::from(self.from);
        self.counts
            .iter()
            .enumerate()
            .take_while(|(i, _)| from + *i as f64 <= x)
            .map(|(_, c)| c)
            .sum()
    }
}

/// The finite values of one quantity.
#[derive(Clone, Serialize, Deserialize)]
pub enum DistributionStore {
    /// Every value, in trial order, in segments: a later part of the run
    /// is absorbed by moving its segment, not by copying it into a grown
    /// buffer (which would leave the old buffers' memory behind).
    Exact(Vec<Vec<f64>>),
    /// A sketch of them.
    Sketch(Box<Sketch>),
    /// How many values equal each whole number ([`ValueKind::Whole`]).
    Tally(Tally),
}

impl std::fmt::Debug for DistributionStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DistributionStore::Exact(v) => {
                write!(f, "Exact({} values)", v.iter().map(Vec::len).sum::<usize>())
            }
            DistributionStore::Sketch(s) => write!(f, "Sketch({} values)", s.count()),
            DistributionStore::Tally(t) => write!(f, "Tally({} values)", t.len()),
        }
    }
}

impl DistributionStore {
    /// An empty store using `method`, for real values.
    pub fn new(method: Method) -> DistributionStore {
        DistributionStore::for_kind(method, ValueKind::Real)
    }

    /// An empty store for values of `kind`: a tally for whole numbers,
    /// otherwise as `method` says.
    pub(crate) fn for_kind(method: Method, kind: ValueKind) -> DistributionStore {
        match (kind, method) {
            (ValueKind::Whole { from, count }, _) => {
                DistributionStore::Tally(Tally::new(from, count))
            }
            (ValueKind::Real, Method::Exact) => DistributionStore::Exact(Vec::new()),
            (ValueKind::Real, Method::Sketch) => DistributionStore::Sketch(Box::default()),
        }
    }

    /// An empty store of the same kind.
    #[must_use]
    pub(crate) fn empty_like(&self) -> DistributionStore {
        match self {
            DistributionStore::Exact(_) => DistributionStore::Exact(Vec::new()),
            DistributionStore::Sketch(_) => DistributionStore::Sketch(Box::default()),
            DistributionStore::Tally(t) => DistributionStore::Tally(t.empty_like()),
        }
    }

    /// Makes room for `additional` more values (exact stores), so that
    /// growing by doubling never holds twice the values for a moment.
    pub(crate) fn reserve(&mut self, additional: usize) {
        if let DistributionStore::Exact(segments) = self {
            // A new segment rather than a reallocation of a full one.
            match segments.last_mut() {
                Some(last) if last.is_empty() => last.reserve_exact(additional),
                _ => segments.push(Vec::with_capacity(additional)),
            }
        }
    }

    /// Adds one finite value.
    #[inline]
    pub fn push(&mut self, x: f64) {
        match self {
            DistributionStore::Exact(segments) => last_segment(segments).push(x),
            DistributionStore::Sketch(s) => s.add(x),
            DistributionStore::Tally(t) => t.push(x),
        }
    }

    /// Adds finite values, in order.
    pub fn extend(&mut self, values: &[f64]) {
        match self {
            DistributionStore::Exact(segments) => last_segment(segments).extend_from_slice(values),
            DistributionStore::Sketch(s) => s.extend(values),
            DistributionStore::Tally(t) => t.extend(values),
        }
    }

    /// Adds the values of `later`, which come after this store's.
    pub(crate) fn absorb(&mut self, later: DistributionStore) {
        match (self, later) {
            (DistributionStore::Exact(a), DistributionStore::Exact(b)) => {
                a.extend(b.into_iter().filter(|v| !v.is_empty()));
            }
            (DistributionStore::Sketch(a), DistributionStore::Sketch(b)) => {
                // Merging integer bucket counts is exact and commutative.
                a.merge(&b);
            }
            (DistributionStore::Tally(a), DistributionStore::Tally(b)) => a.merge(b),
            (a, b) => panic!("cannot merge {a:?} and {b:?}: different kinds of store"),
        }
    }

    /// Sorts exact values; returns the finished distribution.
    pub fn finish(self) -> Distribution {
        match self {
            DistributionStore::Exact(segments) => {
                let mut v = concatenate(segments);
                v.sort_unstable_by(f64::total_cmp);
                Distribution::Exact(v)
            }
            DistributionStore::Sketch(s) => Distribution::Sketch(s),
            DistributionStore::Tally(t) => Distribution::Tally(t),
        }
    }
}

/// The segment new values go to.
fn last_segment(segments: &mut Vec<Vec<f64>>) -> &mut Vec<f64> {
    if segments.is_empty() {
        segments.push(Vec::new());
    }
    let last = segments.len() - 1;
    &mut segments[last]
}

/// The values of `segments`, in order, in one buffer.
pub(super) fn concatenate(mut segments: Vec<Vec<f64>>) -> Vec<f64> {
    if segments.len() == 1 {
        return segments.pop().unwrap_or_default();
    }
    let mut all = Vec::with_capacity(segments.iter().map(Vec::len).sum());
    for segment in segments {
        all.extend_from_slice(&segment);
    }
    all
}

/// The finished distribution of one quantity's finite values, plus how many
/// trials had no value ("never").
#[derive(Clone)]
pub enum Distribution {
    /// Every finite value, ascending.
    Exact(Vec<f64>),
    /// A sketch of them.
    Sketch(Box<Sketch>),
    /// How many values equal each whole number.
    Tally(Tally),
}

impl std::fmt::Debug for Distribution {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Distribution({} values)", self.len())
    }
}

impl Distribution {
    /// Number of finite values.
    pub fn len(&self) -> u64 {
        match self {
            Distribution::Exact(v) => v.len() as u64,
            Distribution::Sketch(s) => s.count(),
            Distribution::Tally(t) => t.len(),
        }
    }

    /// The tally, for whole numbers.
    pub(crate) fn tally(&self) -> Option<&Tally> {
        match self {
            Distribution::Tally(t) => Some(t),
            _ => None,
        }
    }

    /// Whether there are no finite values.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The `p`-th percentile (0-100) over `total` trials, of which the
    /// `total - len()` without a value rank above every value. `None` if the
    /// percentile falls among those.
    pub fn percentile(&self, p: f64, total: u64) -> Option<f64> {
        let finite = self.len();
        if total == 0 || finite == 0 {
            return None;
        }
        let h = (total - 1) as f64 * p / 100.0;
        let lo = h.floor() as u64;
        let frac = h - lo as f64;
        if lo >= finite {
            return None;
        }
        match self {
            Distribution::Exact(v) => {
                let a = v[lo as usize];
                if frac == 0.0 {
                    return Some(a);
                }
                let b = *v.get(lo as usize + 1)?;
                Some(a + frac * (b - a))
            }
            // As exact values: no value when the next rank has none.
            Distribution::Sketch(_) if frac > 0.0 && lo + 1 >= finite => None,
            Distribution::Sketch(s) => s.value_at_rank(lo),
            Distribution::Tally(t) => {
                let a = t.value_at_rank(lo)?;
                if frac == 0.0 {
                    return Some(a);
                }
                let b = t.value_at_rank(lo + 1)?;
                Some(a + frac * (b - a))
            }
        }
    }

    /// The fraction of the finite values at or below `x` (exact), or of
    /// those whose sketched value is (within the sketch's relative error).
    pub(crate) fn fraction_at_most(&self, x: f64) -> f64 {
        let n = self.len();
        if n == 0 {
            return 0.0;
        }
        match self {
            Distribution::Exact(v) => v.partition_point(|y| *y <= x) as f64 / n as f64,
            Distribution::Sketch(s) => s.count_at_most(x) as f64 / n as f64,
            Distribution::Tally(t) => t.count_at_most(x) as f64 / n as f64,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filled(method: Method, values: &[f64]) -> Distribution {
        let mut s = DistributionStore::new(method);
        values.iter().for_each(|x| s.push(*x));
        s.finish()
    }

    #[test]
    fn exact_percentiles_interpolate_and_honour_never() {
        let d = filled(Method::Exact, &[3.0, 1.0, 2.0]);
        assert_eq!(d.percentile(50.0, 3), Some(2.0));
        assert_eq!(d.percentile(25.0, 3), Some(1.5));
        // A fourth trial never happened: p90 falls among "never".
        assert_eq!(d.percentile(90.0, 4), None);
        assert_eq!(d.percentile(50.0, 4), Some(2.5));
        assert!((d.fraction_at_most(2.0) - 2.0 / 3.0).abs() < 1e-12);
    }

    /// The sketch's percentiles are within 0.39% of the exact order statistic
    /// at the same rank, for positive, negative and mixed data.
    #[test]
    fn sketch_is_within_alpha_of_exact_rank() {
        let data: Vec<f64> = (0..20_000)
            .map(|i| {
                let u = (i as f64 * 0.618_033_988_7).fract();
                (u * 12.0).exp() - 20.0
            })
            .collect();
        let exact = filled(Method::Exact, &data);
        let sketch = filled(Method::Sketch, &data);
        let Distribution::Exact(sorted) = &exact else {
            unreachable!()
        };
        for p in [1.0, 5.0, 10.0, 25.0, 50.0, 75.0, 90.0, 95.0, 99.0] {
            let rank = ((data.len() - 1) as f64 * p / 100.0).floor() as usize;
            let want = sorted[rank];
            let got = sketch.percentile(p, data.len() as u64).unwrap();
            assert!(
                (got - want).abs() <= SKETCH_ALPHA * want.abs() + 1e-9,
                "p{p}: {got} vs {want}"
            );
        }
    }

    #[test]
    fn sketch_merge_is_order_independent() {
        let a: Vec<f64> = (0..1000).map(|i| i as f64 * 0.37 - 100.0).collect();
        let mut s1 = DistributionStore::new(Method::Sketch);
        let mut s2 = DistributionStore::new(Method::Sketch);
        let mut part1 = DistributionStore::new(Method::Sketch);
        let mut part2 = DistributionStore::new(Method::Sketch);
        a.iter().for_each(|x| s1.push(*x));
        a.iter().rev().for_each(|x| s2.push(*x));
        a[..400].iter().for_each(|x| part1.push(*x));
        a[400..].iter().for_each(|x| part2.push(*x));
        part2.absorb(part1);
        let (d1, d2, d3) = (s1.finish(), s2.finish(), part2.finish());
        for p in [5.0, 50.0, 95.0] {
            let v = d1.percentile(p, 1000);
            assert_eq!(v, d2.percentile(p, 1000));
            assert_eq!(v, d3.percentile(p, 1000));
        }
    }
}
