//! Statistics over trials, in bounded memory and independent of how trials
//! were split over threads, batches or shards.
//!
//! Each quantity (one metric in one month, or one scalar outcome) has a
//! [`QuantityAccumulator`]: moments per chunk of trials, merged in a canonical
//! order ([`DyadicReducer`]); a count of trials in which it never happened;
//! and a [`DistributionStore`] for percentiles (exact, or a [`Sketch`] when
//! keeping every value would take too much memory).

mod moments;
mod sketch;
mod store;

mod tree;

pub use moments::Moments;
pub(crate) use moments::lane_sum;
pub use sketch::Sketch;
pub use store::{Distribution, DistributionStore, Method, SKETCH_ALPHA};
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
    /// For month outcomes: how many trials had each month index.
    month_counts: Option<Vec<u64>>,
}

impl QuantityAccumulator {
    /// An empty accumulator. `months` is `Some(horizon length)` for outcomes
    /// that are month indices, whose per-month counts are kept exactly.
    pub fn new(method: Method, months: Option<usize>) -> QuantityAccumulator {
        QuantityAccumulator {
            moments: DyadicReducer::default(),
            open_chunk: Moments::default(),
            never: 0,
            store: DistributionStore::new(method),
            month_counts: months.map(|m| vec![0; m]),
        }
    }

    /// An empty accumulator of the same kind (percentile method, month
    /// counts), for trials summarised apart and absorbed later.
    pub fn empty_like(&self) -> QuantityAccumulator {
        QuantityAccumulator::new(
            self.store.method(),
            self.month_counts.as_ref().map(Vec::len),
        )
    }

    /// Makes room for `trials` more trials' values.
    pub fn reserve(&mut self, trials: usize) {
        self.store.reserve(trials);
    }

    /// Adds the values of chunk `chunk`, in trial order. Non-finite values mean
    /// "never happened".
    pub fn absorb_chunk(&mut self, chunk: u64, values: &[f64]) {
        self.absorb_tile(values);
        self.close_chunk(chunk);
    }

    /// Adds the next values of the chunk being absorbed, in trial order (a
    /// tile of it, absorbed while it is still in cache). Non-finite values
    /// mean "never happened". [`close_chunk`](Self::close_chunk) ends the
    /// chunk; how a chunk is cut into tiles must not depend on the thread
    /// count, since the tiles' moments are merged in order.
    pub fn absorb_tile(&mut self, values: &[f64]) {
        let finite_count = values.iter().filter(|x| x.is_finite()).count();
        let m = if finite_count == values.len() {
            self.store.extend(values);
            Moments::from_slice(values)
        } else {
            self.never += (values.len() - finite_count) as u64;
            let finite: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
            self.store.extend(&finite);
            Moments::from_slice(&finite)
        };
        if let Some(counts) = &mut self.month_counts {
            for x in values.iter().filter(|x| x.is_finite()) {
                if let Some(c) = counts.get_mut(*x as usize) {
                    *c += 1;
                }
            }
        }
        self.open_chunk.merge(&m);
    }

    /// Ends chunk `chunk`: its moments join the canonical merge order.
    pub fn close_chunk(&mut self, chunk: u64) {
        let m = std::mem::take(&mut self.open_chunk);
        self.moments.insert(chunk, m);
    }

    /// Adds another accumulator's trials (a later shard).
    pub fn absorb(&mut self, later: QuantityAccumulator) {
        self.moments.absorb(later.moments);
        self.never += later.never;
        self.store.absorb(later.store);
        if let (Some(a), Some(b)) = (&mut self.month_counts, later.month_counts) {
            a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
        }
    }

    /// The summary at `percentiles` (in percent) alone. Cheaper than
    /// [`finish`](Self::finish): exact percentiles come from selection rather
    /// than a full sort.
    pub fn finish_summary(self, percentiles: &[f64]) -> Summary {
        let m = self.moments.total().unwrap_or_default();
        let trials = m.count() + self.never;
        let known = |x: f64| (self.never == 0 && trials > 0).then_some(x);
        let percentiles = match self.store {
            DistributionStore::Exact(segments) => {
                select_percentiles(&mut store::concatenate(segments), percentiles, trials)
            }
            sketch => {
                let d = sketch.finish();
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
            percentiles,
        }
    }

    /// The summary at `percentiles` (in percent), the finished distribution,
    /// and the month counts if kept.
    pub fn finish(self, percentiles: &[f64]) -> (Summary, Distribution, Option<Vec<u64>>) {
        let m = self.moments.total().unwrap_or_default();
        let trials = m.count() + self.never;
        let dist = self.store.finish();
        let known = |x: f64| (self.never == 0 && trials > 0).then_some(x);
        let summary = Summary {
            trials,
            mean: known(m.mean()),
            std_dev: known(m.std_dev()),
            std_error: known(m.std_error()),
            percentiles: percentiles
                .iter()
                .map(|p| dist.percentile(*p, trials))
                .collect(),
        };
        (summary, dist, self.month_counts)
    }
}

/// The `k`-th smallest value, moved to `values[k]`. `values[..done]` hold
/// ranks below `done` and `values[done]` is final, so successive calls with
/// non-decreasing `k` only partition what lies above.
fn order_stat(values: &mut [f64], k: usize, done: &mut usize) -> f64 {
    if k > *done || (k == 0 && *done == 0) {
        let start = *done;
        values[start..].select_nth_unstable_by(k - start, f64::total_cmp);
        *done = k;
    }
    values[k]
}

/// Exact percentiles (as [`Distribution::percentile`]) by selecting only the
/// order statistics needed, in increasing order. `values` are the finite
/// values; the other `total - len` trials rank above them.
fn select_percentiles(values: &mut [f64], percentiles: &[f64], total: u64) -> Vec<Option<f64>> {
    let finite = values.len();
    let mut done = 0;
    let mut out = Vec::with_capacity(percentiles.len());
    for p in percentiles {
        if total == 0 || finite == 0 {
            out.push(None);
            continue;
        }
        let h = (total - 1) as f64 * p / 100.0;
        let lo = h.floor() as usize;
        let frac = h - lo as f64;
        if lo >= finite || (frac > 0.0 && lo + 1 >= finite) {
            out.push(None);
            continue;
        }
        let a = order_stat(values, lo, &mut done);
        if frac == 0.0 {
            out.push(Some(a));
        } else {
            // The next order statistic is the minimum of what lies above `lo`.
            let b = values[lo + 1..]
                .iter()
                .copied()
                .fold(f64::INFINITY, f64::min);
            out.push(Some(a + frac * (b - a)));
        }
    }
    out
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
        let mut whole = QuantityAccumulator::new(Method::Exact, None);
        for (i, c) in chunks.iter().enumerate() {
            whole.absorb_chunk(i as u64, c);
        }
        let mut first = QuantityAccumulator::new(Method::Exact, None);
        let mut second = QuantityAccumulator::new(Method::Exact, None);
        for (i, c) in chunks.iter().enumerate() {
            let target = if i < 3 { &mut first } else { &mut second };
            target.absorb_chunk(i as u64, c);
        }
        first.absorb(second);
        let p = [5.0, 50.0, 95.0];
        let (a, _, _) = whole.finish(&p);
        let (b, _, _) = first.finish(&p);
        assert_eq!(a, b);
        assert_eq!(a.mean.unwrap().to_bits(), b.mean.unwrap().to_bits());
        assert_eq!(a.trials, 5000);
    }

    #[test]
    fn a_chunk_absorbed_in_tiles_matches_it_absorbed_whole() {
        let data: Vec<f64> = (0..1024)
            .map(|i| ((i * 7919) % 1000) as f64 * 0.37 - 50.0)
            .collect();
        let mut whole = QuantityAccumulator::new(Method::Exact, None);
        whole.absorb_chunk(0, &data);
        let mut tiled = QuantityAccumulator::new(Method::Exact, None);
        for tile in data.chunks(64) {
            tiled.absorb_tile(tile);
        }
        tiled.close_chunk(0);
        let p = [1.0, 50.0, 99.0];
        let (a, _, _) = whole.finish(&p);
        let (b, _, _) = tiled.finish(&p);
        assert_eq!(a.trials, b.trials);
        assert_eq!(a.percentiles, b.percentiles);
        let (ma, mb) = (a.mean.unwrap(), b.mean.unwrap());
        assert!((ma - mb).abs() <= 1e-12 * ma.abs(), "{ma} {mb}");
        let (sa, sb) = (a.std_dev.unwrap(), b.std_dev.unwrap());
        assert!((sa - sb).abs() <= 1e-12 * sa, "{sa} {sb}");
    }

    #[test]
    fn selection_matches_sorting() {
        let p = [1.0, 5.0, 10.0, 25.0, 50.0, 75.0, 90.0, 95.0, 99.0];
        for n in [1usize, 2, 3, 10, 101, 1000] {
            for never in [0u64, 1, 7] {
                let data: Vec<f64> = (0..n)
                    .map(|i| ((i * 7919) % 997) as f64 * 0.5 - 40.0)
                    .collect();
                let mut a = QuantityAccumulator::new(Method::Exact, None);
                let with_never: Vec<f64> = data
                    .iter()
                    .copied()
                    .chain((0..never).map(|_| f64::INFINITY))
                    .collect();
                a.absorb_chunk(0, &with_never);
                let mut b = QuantityAccumulator::new(Method::Exact, None);
                b.absorb_chunk(0, &with_never);
                assert_eq!(a.finish_summary(&p), b.finish(&p).0, "n {n} never {never}");
            }
        }
    }

    #[test]
    fn never_makes_mean_undefined_and_counts_months() {
        let mut acc = QuantityAccumulator::new(Method::Exact, Some(4));
        acc.absorb_chunk(0, &[1.0, f64::INFINITY, 3.0, 1.0]);
        let (s, d, counts) = acc.finish(&[10.0, 90.0]);
        assert_eq!(s.trials, 4);
        assert_eq!(s.mean, None);
        assert_eq!(d.len(), 3);
        assert_eq!(s.percentiles, vec![Some(1.0), None]);
        assert_eq!(counts, Some(vec![0, 2, 0, 1]));
    }
}
