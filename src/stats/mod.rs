//! Statistics over trials, in bounded memory and independent of how trials
//! were split over threads, batches or shards.
//!
//! Each quantity (one metric in one month, or one scalar outcome) has a
//! [`QuantityAccumulator`]: moments per chunk of trials, merged in a canonical
//! order ([`DyadicReducer`]); a count of trials in which it never happened;
//! and a [`DistributionStore`] for percentiles (exact, or a [`Sketch`] when
//! keeping every value would take too much memory, or a tally of whole
//! numbers for events and month indices).

mod moments;
mod refine;
mod sketch;
mod store;

mod tree;

pub use moments::Moments;
pub(crate) use moments::lane_sum;
pub use refine::{
    BIN_BUDGET, BINS, COLLECT_BUDGET, Goal, MAX_BINS, MAX_PASSES, PILOT_Z, PassTally, ROUNDING,
    Refined, Refinement,
};
pub use sketch::Sketch;
pub use store::{Distribution, DistributionStore, Method, SKETCH_ALPHA, Tally, ValueKind};
pub use tree::{DyadicReducer, Mergeable};

use serde::{Deserialize, Serialize};

/// Summary statistics of one quantity over all trials.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    /// Trials summarised.
    pub trials: u64,
    /// Mean; `None` when some trials have no value (an event that never happens).
    pub mean: Option<f64>,
    /// Sample standard deviation; `None` as for `mean`.
    pub std_dev: Option<f64>,
    /// Monte Carlo standard error of the mean; `None` as for `mean`.
    pub std_error: Option<f64>,
    /// Requested percentiles, in order; `None` where the percentile falls
    /// among trials in which the event never happens.
    pub percentiles: Vec<Option<f64>>,
    /// Per percentile, the largest possible distance from the exact
    /// percentile (PERCENTILE.INC over all trials), in the quantity's unit:
    /// 0 when exact.
    pub bounds: Vec<f64>,
}

impl Summary {
    /// Puts refined percentile `index` in place of the sketch's.
    pub(crate) fn refine(&mut self, index: usize, refined: Refined) {
        self.percentiles[index] = Some(refined.value);
        self.bounds[index] = refined.bound;
    }

    /// Whether every percentile is exact.
    pub fn is_exact(&self) -> bool {
        self.bounds.iter().all(|b| *b == 0.0)
    }
}

/// Everything kept about one quantity while trials run.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct QuantityAccumulator {
    moments: DyadicReducer<Moments>,
    /// Moments of the tiles of the chunk being absorbed (see
    /// [`absorb_tile`](Self::absorb_tile)); always empty between chunks, so
    /// never saved.
    #[serde(skip)]
    open_chunk: Moments,
    never: u64,
    store: DistributionStore,
}

impl QuantityAccumulator {
    /// An empty accumulator of values of `kind`, with percentiles by
    /// `method` unless they are whole numbers (which are tallied).
    pub fn new(method: Method, kind: ValueKind) -> QuantityAccumulator {
        QuantityAccumulator {
            moments: DyadicReducer::default(),
            open_chunk: Moments::default(),
            never: 0,
            store: DistributionStore::for_kind(method, kind),
        }
    }

    /// An empty accumulator of the same kind, for trials summarised apart
    /// and absorbed later.
    #[must_use]
    pub(crate) fn empty_like(&self) -> QuantityAccumulator {
        QuantityAccumulator {
            moments: DyadicReducer::default(),
            open_chunk: Moments::default(),
            never: 0,
            store: self.store.empty_like(),
        }
    }

    /// Makes room for `trials` more trials' values.
    pub(crate) fn reserve(&mut self, trials: usize) {
        self.store.reserve(trials);
    }

    /// Adds the values of chunk `chunk`, in trial order. Non-finite values mean
    /// "never happened". Only the unit tests absorb a chunk in one piece.
    #[cfg(test)]
    pub(crate) fn absorb_chunk(&mut self, chunk: u64, values: &[f64]) {
        self.absorb_tile(values);
        self.close_chunk(chunk);
    }

    /// Adds the next values of the chunk being absorbed, in trial order (a
    /// tile of it, absorbed while it is still in cache). Non-finite values
    /// mean "never happened". [`close_chunk`](Self::close_chunk) ends the
    /// chunk; how a chunk is cut into tiles must not depend on the thread
    /// count, since the tiles' moments are merged in order.
    pub(crate) fn absorb_tile(&mut self, values: &[f64]) {
        // A finite sum means every value is finite (the usual case).
        let m = if let Some(m) = Moments::from_finite_slice(values) {
            self.store.extend(values);
            m
        } else {
            let finite_count = values.iter().filter(|x| x.is_finite()).count();
            self.never += (values.len() - finite_count) as u64;
            let finite: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
            self.store.extend(&finite);
            Moments::from_slice(&finite)
        };
        self.open_chunk.merge(&m);
    }

    /// Ends chunk `chunk`: its moments join the canonical merge order.
    pub(crate) fn close_chunk(&mut self, chunk: u64) {
        let m = std::mem::take(&mut self.open_chunk);
        self.moments.insert(chunk, m);
    }

    /// Adds another accumulator's trials (a later shard).
    pub(crate) fn absorb(&mut self, later: QuantityAccumulator) {
        self.moments.absorb(later.moments);
        self.never += later.never;
        self.store.absorb(later.store);
    }

    /// The summary at `percentiles` (in percent) alone. Cheaper than
    /// [`finish`](Self::finish): exact percentiles come from selection rather
    /// than a full sort.
    pub(crate) fn finish_summary(self, percentiles: &[f64]) -> Summary {
        let sketched = self.sketch().is_some();
        let m = self.moments.total().unwrap_or_default();
        let trials = m.count() + self.never;
        let known = |x: f64| (self.never == 0 && trials > 0).then_some(x);
        let percentiles = match self.store {
            DistributionStore::Exact(segments) => {
                select_percentiles(store::concatenate(segments), percentiles, trials)
            }
            store => {
                let d = store.finish();
                percentiles
                    .iter()
                    .map(|p| d.percentile(*p, trials))
                    .collect()
            }
        };
        Summary {
            trials,
            mean: known(m.mean()),
            std_dev: known(m.std_dev()),
            std_error: known(m.std_error()),
            bounds: sketch_bounds(&percentiles, sketched),
            percentiles,
        }
    }

    /// The sketch of the values, if they are sketched.
    pub(crate) fn sketch(&self) -> Option<&Sketch> {
        match &self.store {
            DistributionStore::Sketch(s) => Some(s),
            _ => None,
        }
    }

    /// Trials summarised, and how many of them have a value.
    pub(crate) fn counts(&self) -> (u64, u64) {
        let finite = self.moments.total().map_or(0, |m| m.count());
        (finite + self.never, finite)
    }

    /// The summary at `percentiles` (in percent) and the finished
    /// distribution.
    pub fn finish(self, percentiles: &[f64]) -> (Summary, Distribution) {
        let m = self.moments.total().unwrap_or_default();
        let trials = m.count() + self.never;
        let sketched = self.sketch().is_some();
        let dist = self.store.finish();
        let known = |x: f64| (self.never == 0 && trials > 0).then_some(x);
        let percentiles: Vec<Option<f64>> = percentiles
            .iter()
            .map(|p| dist.percentile(*p, trials))
            .collect();
        let summary = Summary {
            trials,
            mean: known(m.mean()),
            std_dev: known(m.std_dev()),
            std_error: known(m.std_error()),
            bounds: sketch_bounds(&percentiles, sketched),
            percentiles,
        };
        (summary, dist)
    }
}

/// Error bounds of percentiles read from a sketch (unrefined): the value at
/// rank floor(p (n - 1)) to within [`SKETCH_ALPHA`], which is not a bound on
/// its distance from PERCENTILE.INC (that also depends on the gap to the next
/// value), so infinite; 0 for exact stores and tallies.
fn sketch_bounds(percentiles: &[Option<f64>], sketched: bool) -> Vec<f64> {
    let b = if sketched { f64::INFINITY } else { 0.0 };
    percentiles
        .iter()
        .map(|p| if p.is_some() { b } else { 0.0 })
        .collect()
}

/// A finite value's key in an unsigned order that matches [`f64::total_cmp`]:
/// comparing integers is cheaper than comparing floats by their total order.
#[inline]
fn ordered_key(x: f64) -> u64 {
    let bits = x.to_bits();
    if bits >> 63 == 1 {
        !bits
    } else {
        bits | 1 << 63
    }
}

/// The value of an [`ordered_key`].
#[inline]
fn from_ordered_key(key: u64) -> f64 {
    f64::from_bits(if key >> 63 == 1 {
        key & !(1 << 63)
    } else {
        !key
    })
}

/// Puts the order statistics of `keys` at every rank in `ranks` (ascending,
/// distinct, relative to `keys`) in place: the middle rank first, then the
/// ranks below it among the smaller keys and those above among the larger,
/// so that each level of the recursion partitions each key once.
fn select_ranks(keys: &mut [u64], ranks: &[usize]) {
    if ranks.is_empty() {
        return;
    }
    let mid = ranks.len() / 2;
    let r = ranks[mid];
    keys.select_nth_unstable(r);
    let (below, above) = keys.split_at_mut(r);
    select_ranks(below, &ranks[..mid]);
    let right = &ranks[mid + 1..];
    let shifted: Vec<usize> = right.iter().map(|k| k - r - 1).collect();
    select_ranks(&mut above[1..], &shifted);
}

/// Exact percentiles (as [`Distribution::percentile`]) by selecting only the
/// order statistics needed. `values` are the finite values; the other
/// `total - len` trials rank above them.
fn select_percentiles(values: Vec<f64>, percentiles: &[f64], total: u64) -> Vec<Option<f64>> {
    let finite = values.len();
    // Each percentile's ranks: `lo`, and `lo + 1` if it interpolates; `None`
    // when they fall among the trials without a value.
    let wanted: Vec<Option<(usize, f64)>> = percentiles
        .iter()
        .map(|p| {
            if total == 0 || finite == 0 {
                return None;
            }
            let h = (total - 1) as f64 * p / 100.0;
            let lo = h.floor() as usize;
            let frac = h - lo as f64;
            (lo < finite && (frac == 0.0 || lo + 1 < finite)).then_some((lo, frac))
        })
        .collect();
    let mut ranks: Vec<usize> = wanted
        .iter()
        .flatten()
        .flat_map(|&(lo, frac)| [Some(lo), (frac > 0.0).then_some(lo + 1)])
        .flatten()
        .collect();
    ranks.sort_unstable();
    ranks.dedup();
    // In place: the buffer of values becomes the buffer of keys.
    let mut keys: Vec<u64> = values.into_iter().map(ordered_key).collect();
    select_ranks(&mut keys, &ranks);
    let at = |k: usize| from_ordered_key(keys[k]);
    wanted
        .iter()
        .map(|w| {
            w.map(|(lo, frac)| {
                let a = at(lo);
                if frac == 0.0 {
                    a
                } else {
                    a + frac * (at(lo + 1) - a)
                }
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunked_and_sharded_accumulation_agree_bit_for_bit() {
        let data: Vec<f64> = (0..5000)
            .map(|i| ((i * 7919) % 1000) as f64 * 0.013 + 1e3)
            .collect();
        let chunks: Vec<&[f64]> = data.chunks(512).collect();
        let mut whole = QuantityAccumulator::new(Method::Exact, ValueKind::Real);
        for (i, c) in chunks.iter().enumerate() {
            whole.absorb_chunk(i as u64, c);
        }
        let mut first = QuantityAccumulator::new(Method::Exact, ValueKind::Real);
        let mut second = QuantityAccumulator::new(Method::Exact, ValueKind::Real);
        for (i, c) in chunks.iter().enumerate() {
            let target = if i < 3 { &mut first } else { &mut second };
            target.absorb_chunk(i as u64, c);
        }
        first.absorb(second);
        let p = [5.0, 50.0, 95.0];
        let (a, _) = whole.finish(&p);
        let (b, _) = first.finish(&p);
        assert_eq!(a, b);
        assert_eq!(a.mean.unwrap().to_bits(), b.mean.unwrap().to_bits());
        assert_eq!(a.trials, 5000);
    }

    #[test]
    fn a_chunk_absorbed_in_tiles_matches_it_absorbed_whole() {
        let data: Vec<f64> = (0..1024)
            .map(|i| ((i * 7919) % 1000) as f64 * 0.37 - 50.0)
            .collect();
        let mut whole = QuantityAccumulator::new(Method::Exact, ValueKind::Real);
        whole.absorb_chunk(0, &data);
        let mut tiled = QuantityAccumulator::new(Method::Exact, ValueKind::Real);
        for tile in data.chunks(64) {
            tiled.absorb_tile(tile);
        }
        tiled.close_chunk(0);
        let p = [1.0, 50.0, 99.0];
        let (a, _) = whole.finish(&p);
        let (b, _) = tiled.finish(&p);
        assert_eq!(a.trials, b.trials);
        assert_eq!(a.percentiles, b.percentiles);
        let (ma, mb) = (a.mean.unwrap(), b.mean.unwrap());
        assert!((ma - mb).abs() <= 1e-12 * ma.abs(), "{ma} {mb}");
        let (sa, sb) = (a.std_dev.unwrap(), b.std_dev.unwrap());
        assert!((sa - sb).abs() <= 1e-12 * sa, "{sa} {sb}");
    }

    #[test]
    fn selection_matches_sorting() {
        let lists: [&[f64]; 4] = [
            &[1.0, 5.0, 10.0, 25.0, 50.0, 75.0, 90.0, 95.0, 99.0],
            &[50.0],
            &[0.1, 99.9],
            &[33.3, 33.4, 66.6],
        ];
        for n in [1usize, 2, 3, 10, 101, 1000, 4099] {
            for never in [0u64, 1, 7] {
                // Ties, signed zeros, tiny and huge magnitudes.
                let data: Vec<f64> = (0..n)
                    .map(|i| match i % 11 {
                        0 => 0.0,
                        1 => -0.0,
                        2 => 1e-300 * (i as f64),
                        3 => -1e300,
                        4 => 7.25,
                        _ => ((i * 7919) % 997) as f64 * 0.5 - 40.0,
                    })
                    .collect();
                let with_never: Vec<f64> = data
                    .iter()
                    .copied()
                    .chain((0..never).map(|_| f64::INFINITY))
                    .collect();
                for p in lists {
                    let mut a = QuantityAccumulator::new(Method::Exact, ValueKind::Real);
                    a.absorb_chunk(0, &with_never);
                    let mut b = QuantityAccumulator::new(Method::Exact, ValueKind::Real);
                    b.absorb_chunk(0, &with_never);
                    let bits = |s: Summary| -> Vec<Option<u64>> {
                        s.percentiles.iter().map(|x| x.map(f64::to_bits)).collect()
                    };
                    assert_eq!(
                        bits(a.finish_summary(p)),
                        bits(b.finish(p).0),
                        "n {n} never {never} p {p:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn ordered_keys_sort_as_total_cmp() {
        let mut v = vec![
            -f64::MAX,
            -1.5,
            -f64::MIN_POSITIVE,
            -1e-310,
            -0.0,
            0.0,
            1e-310,
            f64::MIN_POSITIVE,
            2.0,
            f64::MAX,
        ];
        for w in v.windows(2) {
            assert!(ordered_key(w[0]) < ordered_key(w[1]), "{w:?}");
        }
        v.iter_mut()
            .for_each(|x| *x = from_ordered_key(ordered_key(*x)));
        assert_eq!(v[4].to_bits(), (-0.0f64).to_bits());
        assert_eq!(v[0], -f64::MAX);
    }

    #[test]
    fn never_makes_mean_undefined_and_counts_months() {
        let mut acc = QuantityAccumulator::new(Method::Exact, ValueKind::months(4));
        acc.absorb_chunk(0, &[1.0, f64::INFINITY, 3.0, 1.0]);
        let (s, d) = acc.finish(&[10.0, 90.0]);
        assert_eq!(s.trials, 4);
        assert_eq!(s.mean, None);
        assert_eq!(d.len(), 3);
        assert_eq!(s.percentiles, vec![Some(1.0), None]);
        assert_eq!(d.tally().map(Tally::counts), Some(&[0, 2, 0, 1][..]));
    }

    /// Whole numbers tallied give bit for bit the summary of keeping every
    /// value, whatever the run's method, in tiles or shards, with trials
    /// that never happen: events (0 or 1) and month indices.
    #[test]
    fn tallies_match_exact_percentiles() {
        let ps = [0.5, 5.0, 10.0, 25.0, 33.3, 50.0, 75.0, 90.0, 95.0, 99.5];
        let bits = |s: &Summary| -> Vec<Option<u64>> {
            s.percentiles.iter().map(|x| x.map(f64::to_bits)).collect()
        };
        for (from, n, never) in [
            (0, 2usize, false),
            (0, 2, true),
            (0, 86, false),
            (0, 86, true),
            (0, 1, false),
            // Differences of two month indices.
            (-85, 171, true),
        ] {
            let values: Vec<f64> = (0..3000u64)
                .map(|i| {
                    let k = (i * 7919 + i * i) % 1000;
                    if never && k % 9 == 0 {
                        f64::INFINITY
                    } else if n == 2 {
                        f64::from(u8::from(k < 300))
                    } else {
                        f64::from(from) + (k % n as u64) as f64
                    }
                })
                .collect();
            let tiled = |mut acc: QuantityAccumulator| {
                for (c, chunk) in values.chunks(1024).enumerate() {
                    for tile in chunk.chunks(64) {
                        acc.absorb_tile(tile);
                    }
                    acc.close_chunk(c as u64);
                }
                acc
            };
            let want = tiled(QuantityAccumulator::new(Method::Exact, ValueKind::Real))
                .finish(&ps)
                .0;
            for method in [Method::Exact, Method::Sketch] {
                let kind = ValueKind::Whole { from, count: n };
                let whole = tiled(QuantityAccumulator::new(method, kind));
                let mut first = QuantityAccumulator::new(method, kind);
                let mut second = first.empty_like();
                first.absorb_chunk(0, &values[..1024]);
                second.absorb_chunk(1, &values[1024..2048]);
                second.absorb_chunk(2, &values[2048..]);
                first.absorb(second);
                let (got, d) = whole.finish(&ps);
                assert_eq!(bits(&got), bits(&want), "from {from} n {n} never {never}");
                assert_eq!(got.trials, want.trials);
                assert_eq!(got.mean.map(f64::to_bits), want.mean.map(f64::to_bits));
                assert_eq!(bits(&first.finish_summary(&ps)), bits(&want));
                let finite = values.iter().filter(|x| x.is_finite()).count() as f64;
                let at_most_one = values.iter().filter(|x| **x <= 1.0).count() as f64;
                assert_eq!(d.fraction_at_most(1.5), at_most_one / finite);
            }
        }
    }
}
