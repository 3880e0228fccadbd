//! A DDSketch (Masson, Rim and Lee, "DDSketch: a fast and fully-mergeable
//! quantile sketch with relative-error guarantees", VLDB 2019) with the
//! bitwise log-linear index mapping of Datadog's reference implementation
//! (`BitwiseLinearlyInterpolatedMapping` in sketches-java) and unbounded
//! dense stores.
//!
//! A value's bucket is its float exponent and the top [`MANTISSA_BITS`] bits
//! of its mantissa: one shift, no logarithm. That is what makes inserting
//! 1,400 quantities per trial cheap (the `ln` of the logarithmic mapping was
//! over a third of a run's time). Buckets are at most `1 + 2^-7` wide in
//! ratio, so the harmonic midpoint of a bucket is within [`RELATIVE_ERROR`]
//! (1/257, about 0.39%) of every value in it, for magnitudes within 2^32 of
//! the largest of their sign (see [`MAX_BUCKETS`]). Counts are integers, so
//! merging is exact and its order does not matter.
//!
//! The sketch also keeps the exact smallest and largest value, as the
//! reference implementations do: the lowest and highest ranks are reported
//! exactly, and no percentile is reported outside the values seen (a
//! bucket's midpoint can lie above every value in it, which would put the
//! median of a constant above its mean, or an event's median at 1.0039).

use serde::{Deserialize, Serialize};

/// Mantissa bits kept in a bucket key: 128 buckets per power of two.
pub const MANTISSA_BITS: u32 = 7;
/// Bits dropped from a float's bit pattern to get its bucket key.
const SHIFT: u32 = 52 - MANTISSA_BITS;
/// Worst relative error of a value read back from the sketch:
/// `2^-7 / (2 + 2^-7)` = 1/257.
pub const RELATIVE_ERROR: f64 = 1.0 / 257.0;
/// Buckets per sign at most: 32 powers of two. Magnitudes more than 2^32
/// below the largest of their sign are counted in the lowest kept bucket
/// (DDSketch's "collapsing lowest" store), which bounds memory whatever the
/// spread of a quantity: at most 2 x 16 KB per quantity (2 x 32 KB once
/// it holds more than `u32::MAX` values).
pub const MAX_BUCKETS: usize = 4096;
/// Magnitudes below this count as zero (dollars and gigawatts this small are
/// rounding noise; it also bounds how many buckets a store can need).
pub const MIN_MAGNITUDE: f64 = 1e-9;

/// Bucket counts: 32-bit while the sketch holds at most `u32::MAX` values
/// (half the memory of 64-bit counts, so each insert's cache line holds
/// twice the buckets), 64-bit from then on. No count can overflow: a sketch
/// widens before its total could pass `u32::MAX`, and the total bounds
/// every count.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
enum Counts {
    Narrow(Vec<u32>),
    Wide(Vec<u64>),
}

impl Default for Counts {
    fn default() -> Counts {
        Counts::Narrow(Vec::new())
    }
}

impl Counts {
    fn len(&self) -> usize {
        match self {
            Counts::Narrow(c) => c.len(),
            Counts::Wide(c) => c.len(),
        }
    }

    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn get(&self, i: usize) -> u64 {
        match self {
            Counts::Narrow(c) => u64::from(c[i]),
            Counts::Wide(c) => c[i],
        }
    }

    /// Adds `n` to count `i`; `false` (and nothing added) if `i` is out of
    /// range.
    #[inline]
    fn try_add(&mut self, i: usize, n: u64) -> bool {
        match self {
            Counts::Narrow(c) => c.get_mut(i).map(|c| *c += n as u32).is_some(),
            Counts::Wide(c) => c.get_mut(i).map(|c| *c += n).is_some(),
        }
    }

    /// `len` zero counts of the same width.
    fn zeros_like(&self, len: usize) -> Counts {
        match self {
            Counts::Narrow(_) => Counts::Narrow(vec![0; len]),
            Counts::Wide(_) => Counts::Wide(vec![0; len]),
        }
    }

    fn widen(&mut self) {
        if let Counts::Narrow(c) = self {
            *self = Counts::Wide(c.iter().map(|x| u64::from(*x)).collect());
        }
    }
}

/// Counts of consecutive bucket keys `offset..offset + counts.len()`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct DenseStore {
    offset: u32,
    counts: Counts,
}

impl DenseStore {
    #[inline]
    fn add(&mut self, key: u32, n: u64) {
        let i = key.wrapping_sub(self.offset) as usize;
        if !self.counts.try_add(i, n) {
            self.grow_and_add(key, n);
        }
    }

    /// Adds one to the count of each key: while the counts are 32-bit and
    /// every key is in range (the usual case once a quantity's range is
    /// known), one loop over the counts themselves.
    #[inline]
    fn add_each(&mut self, keys: &[u32]) {
        if let Counts::Narrow(counts) = &mut self.counts {
            let offset = self.offset;
            for (j, &key) in keys.iter().enumerate() {
                match counts.get_mut(key.wrapping_sub(offset) as usize) {
                    Some(c) => *c += 1,
                    None => {
                        keys[j..].iter().for_each(|&key| self.add(key, 1));
                        return;
                    }
                }
            }
        } else {
            keys.iter().for_each(|&key| self.add(key, 1));
        }
    }

    /// Counts every one of `values`, all positive magnitudes from `lo` to
    /// `hi` (at least [`MIN_MAGNITUDE`]), if their keys all fall within the
    /// counts and the counts are 32-bit: then, keys rising with the values,
    /// the keys of `lo` and `hi` bound them all, and each value costs a
    /// shift and an increment, with no sign tests. `false` (and nothing
    /// counted) otherwise.
    #[inline]
    fn try_count_positive(&mut self, values: &[f64], lo: f64, hi: f64) -> bool {
        debug_assert!(lo >= MIN_MAGNITUDE && lo <= hi);
        let Counts::Narrow(counts) = &mut self.counts else {
            return false;
        };
        let offset = self.offset;
        let (first, last) = (magnitude_key(lo), magnitude_key(hi));
        if first < offset || (last - offset) as usize >= counts.len() {
            return false;
        }
        for x in values {
            counts[(magnitude_key(*x) - offset) as usize] += 1;
        }
        true
    }

    #[cold]
    fn grow_and_add(&mut self, key: u32, n: u64) {
        if self.counts.is_empty() {
            self.offset = key;
            self.counts = self.counts.zeros_like(1);
            self.counts.try_add(0, n);
            return;
        }
        let top = key.max(self.offset + self.counts.len() as u32 - 1);
        // Keys more than MAX_BUCKETS below the top collapse into the lowest
        // kept bucket. The final layout depends only on the largest key ever
        // added, so collapsing commutes with merging.
        let floor = top.saturating_sub(MAX_BUCKETS as u32 - 1);
        let low = key.min(self.offset).max(floor);
        let mut counts = self.counts.zeros_like((top - low) as usize + 1);
        for i in 0..self.counts.len() {
            let k = (self.offset + i as u32).max(low);
            counts.try_add((k - low) as usize, self.counts.get(i));
        }
        counts.try_add((key.max(low) - low) as usize, n);
        self.offset = low;
        self.counts = counts;
    }

    fn merge(&mut self, other: &DenseStore) {
        for (key, c) in other.buckets() {
            self.add(key, c);
        }
    }

    /// Non-empty buckets, ascending keys.
    fn buckets(&self) -> impl DoubleEndedIterator<Item = (u32, u64)> + '_ {
        (0..self.counts.len())
            .map(|i| (self.offset + i as u32, self.counts.get(i)))
            .filter(|(_, c)| *c > 0)
    }
}

/// The magnitude reported for every value in bucket `key`: the harmonic mean
/// of the bucket's bounds, whose relative distance to both is the same.
fn bucket_value(key: u32) -> f64 {
    let lo = f64::from_bits(u64::from(key) << SHIFT);
    let hi = f64::from_bits(u64::from(key + 1) << SHIFT);
    if hi.is_finite() {
        // 2 lo hi / (lo + hi), without overflow near the largest floats.
        2.0 / (lo.recip() + hi.recip())
    } else {
        lo
    }
}

/// [`signed_key`] of the values counted as zero (no magnitude of at least
/// [`MIN_MAGNITUDE`] has a key this small).
const ZERO_KEY: u32 = 0;
/// Set in [`signed_key`] for negative values.
const NEGATIVE_KEY: u32 = 1 << 31;

/// The bucket key of a magnitude (a positive value).
#[inline]
fn magnitude_key(magnitude: f64) -> u32 {
    (magnitude.to_bits() >> SHIFT) as u32
}

/// The bucket of `x` with its sign: [`ZERO_KEY`], a magnitude's key, or that
/// key with [`NEGATIVE_KEY`] set.
#[inline]
fn signed_key(x: f64) -> u32 {
    let magnitude = x.abs();
    let key = magnitude_key(magnitude);
    if magnitude < MIN_MAGNITUDE {
        ZERO_KEY
    } else if x < 0.0 {
        key | NEGATIVE_KEY
    } else {
        key
    }
}

/// A mergeable quantile sketch of finite values with relative error at most
/// [`SKETCH_ALPHA`](super::SKETCH_ALPHA).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Sketch {
    negative: DenseStore,
    zero: u64,
    positive: DenseStore,
    count: u64,
    /// Smallest value added (meaningless while `count` is 0); zeros are
    /// kept as +0 so that the result does not depend on the order of adding.
    min: f64,
    /// Largest value added, as `min`.
    max: f64,
}

/// The smallest and largest of `values` (not empty, finite), with -0 read as
/// +0. Eight independent lanes, so that it vectorises.
#[inline]
fn min_max(values: &[f64]) -> (f64, f64) {
    const LANES: usize = 8;
    let (mut lo, mut hi) = ([values[0]; LANES], [values[0]; LANES]);
    let mut blocks = values.chunks_exact(LANES);
    // Comparisons rather than `f64::min`, whose NaN handling (not needed:
    // the values are finite) costs three more instructions per lane.
    for block in &mut blocks {
        for j in 0..LANES {
            let x = block[j];
            lo[j] = if x < lo[j] { x } else { lo[j] };
            hi[j] = if hi[j] < x { x } else { hi[j] };
        }
    }
    for &x in blocks.remainder() {
        lo[0] = if x < lo[0] { x } else { lo[0] };
        hi[0] = if hi[0] < x { x } else { hi[0] };
    }
    let lo = lo.iter().fold(lo[0], |a, &b| if b < a { b } else { a });
    let hi = hi.iter().fold(hi[0], |a, &b| if a < b { b } else { a });
    // Only -0 and +0 tie, and which of them wins may vary; adding +0 turns
    // -0 into +0 (and leaves every other value alone), so the result does
    // not depend on the order of the values.
    (lo + 0.0, hi + 0.0)
}

impl Sketch {
    /// An empty sketch.
    pub fn new() -> Sketch {
        Sketch::default()
    }

    /// Adds `n` copies of the finite value `x`.
    #[inline]
    pub(crate) fn add_n(&mut self, x: f64, n: u64) {
        debug_assert!(x.is_finite());
        if n == 0 {
            return;
        }
        self.widen_range(x, x);
        self.make_room(n);
        self.count += n;
        let magnitude = x.abs();
        if magnitude < MIN_MAGNITUDE {
            self.zero += n;
            return;
        }
        let key = (magnitude.to_bits() >> SHIFT) as u32;
        if x > 0.0 {
            self.positive.add(key, n);
        } else {
            self.negative.add(key, n);
        }
    }

    /// Adds finite values: keys for a block of values first (a loop without
    /// memory dependences), then the counts, so that the processor can
    /// overlap the cache misses of many count updates (each quantity's counts
    /// are cold: every other quantity was updated since). Measured faster
    /// than merging runs of equal keys first.
    pub fn extend(&mut self, values: &[f64]) {
        // The runner's tile size: a larger array would cost more to zero
        // than its tile's keys.
        const BLOCK: usize = 64;
        if values.is_empty() {
            return;
        }
        let (lo, hi) = min_max(values);
        self.widen_range(lo, hi);
        self.make_room(values.len() as u64);
        self.count += values.len() as u64;
        // The usual case once a quantity's range is known: capacity,
        // payments, revenue, all positive and within the buckets so far.
        if lo >= MIN_MAGNITUDE && self.positive.try_count_positive(values, lo, hi) {
            return;
        }
        let mut keys = [0u32; BLOCK];
        for block in values.chunks(BLOCK) {
            let keys = &mut keys[..block.len()];
            for (k, x) in keys.iter_mut().zip(block) {
                *k = signed_key(*x);
            }
            // Most blocks are all positive (capacity, payments, revenue):
            // then every key goes to one store without the sign tests.
            let all_positive = keys.iter().fold(true, |all, k| {
                all & (*k != ZERO_KEY) & (k & NEGATIVE_KEY == 0)
            });
            if all_positive {
                self.positive.add_each(keys);
            } else {
                for &key in keys.iter() {
                    self.add_signed_key(key, 1);
                }
            }
        }
    }

    /// Takes `lo..=hi` into the range of values seen. Call before counting
    /// the values (an empty sketch takes the range as it is).
    #[inline]
    fn widen_range(&mut self, lo: f64, hi: f64) {
        let (lo, hi) = (lo + 0.0, hi + 0.0);
        if self.count == 0 {
            (self.min, self.max) = (lo, hi);
        } else {
            self.min = if lo < self.min { lo } else { self.min };
            self.max = if hi > self.max { hi } else { self.max };
        }
    }

    /// Widens the counts before `n` more values could overflow 32 bits.
    #[inline]
    fn make_room(&mut self, n: u64) {
        if self.count.saturating_add(n) > u64::from(u32::MAX) {
            self.negative.counts.widen();
            self.positive.counts.widen();
        }
    }

    #[inline]
    fn add_signed_key(&mut self, key: u32, n: u64) {
        if key == ZERO_KEY {
            self.zero += n;
        } else if key & NEGATIVE_KEY != 0 {
            self.negative.add(key & !NEGATIVE_KEY, n);
        } else {
            self.positive.add(key, n);
        }
    }

    /// Adds the finite value `x`.
    #[inline]
    pub fn add(&mut self, x: f64) {
        self.add_n(x, 1);
    }

    /// Number of values added.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// Adds every value of `other`. Exact, and the same whatever the order
    /// of merges.
    pub fn merge(&mut self, other: &Sketch) {
        if other.count == 0 {
            return;
        }
        self.widen_range(other.min, other.max);
        self.make_room(other.count);
        self.negative.merge(&other.negative);
        self.positive.merge(&other.positive);
        self.zero += other.zero;
        self.count += other.count;
    }

    /// Every bucket in ascending order of value: `(value, count)`.
    fn ascending(&self) -> impl Iterator<Item = (f64, u64)> + '_ {
        let negative = self
            .negative
            .buckets()
            .rev()
            .map(|(k, c)| (-bucket_value(k), c));
        let zero = (self.zero > 0).then_some((0.0, self.zero));
        let positive = self.positive.buckets().map(|(k, c)| (bucket_value(k), c));
        negative.chain(zero).chain(positive)
    }

    /// The smallest and largest value added, `None` while empty.
    pub fn range(&self) -> Option<(f64, f64)> {
        (self.count > 0).then_some((self.min, self.max))
    }

    /// The value of rank `rank` (0-based, ascending) to within
    /// [`SKETCH_ALPHA`](super::SKETCH_ALPHA); `None` if `rank >= count()`. The lowest and
    /// highest ranks are exact, and no rank is reported outside the range of
    /// values added (clamping only moves a bucket's value towards the true
    /// one, which lies in that range).
    pub(crate) fn value_at_rank(&self, rank: u64) -> Option<f64> {
        if rank >= self.count {
            return None;
        }
        if rank == 0 {
            return Some(self.min);
        }
        if rank == self.count - 1 {
            return Some(self.max);
        }
        let mut seen = 0;
        for (value, c) in self.ascending() {
            seen += c;
            if rank < seen {
                return Some(value.clamp(self.min, self.max));
            }
        }
        None
    }

    /// How many values lie in buckets whose reported value is at most `x`
    /// (none below the smallest value added, all from the largest).
    pub(crate) fn count_at_most(&self, x: f64) -> u64 {
        if self.count == 0 || x < self.min {
            return 0;
        }
        if x >= self.max {
            return self.count;
        }
        self.ascending()
            .take_while(|(value, _)| *value <= x)
            .map(|(_, c)| c)
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sketch_of(values: &[f64]) -> Sketch {
        let mut s = Sketch::new();
        values.iter().for_each(|x| s.add(*x));
        s
    }

    #[test]
    fn every_rank_is_within_the_relative_error() {
        // Magnitudes over 9 orders (within the 2^32 kept per sign), both
        // signs, zeros and values too small to count.
        let mut values: Vec<f64> = (0..20_000)
            .map(|i| {
                let u = (i as f64 * 0.618_033_988_749_895).fract();
                let sign = if i % 3 == 0 { -1.0 } else { 1.0 };
                sign * (u * 21.0 - 10.5).exp()
            })
            .collect();
        values.extend([0.0, -0.0, 1e-12, -1e-12, 1.0, 2.0, 0.5]);
        let s = sketch_of(&values);
        let mut sorted = values.clone();
        sorted.sort_by(f64::total_cmp);
        for (rank, want) in sorted.iter().enumerate() {
            let got = s.value_at_rank(rank as u64).unwrap();
            let tolerance = RELATIVE_ERROR * want.abs() + MIN_MAGNITUDE;
            assert!(
                (got - want).abs() <= tolerance,
                "rank {rank}: {got} vs {want}"
            );
        }
        assert_eq!(s.value_at_rank(values.len() as u64), None);
        assert_eq!(s.count(), values.len() as u64);
    }

    #[test]
    fn the_bound_is_tight_at_bucket_edges() {
        // The worst case is a value at the edge of a bucket just above a
        // power of two, at a rank between the smallest and the largest
        // (which are exact).
        let lo = 1.0;
        let hi = 1.0 + 2f64.powi(-7);
        for x in [lo, hi - 1e-15] {
            let got = sketch_of(&[0.25, x, 4.0]).value_at_rank(1).unwrap();
            assert!(((got - x) / x).abs() <= RELATIVE_ERROR * (1.0 + 1e-12));
        }
        let mid = sketch_of(&[0.25, lo, 4.0]).value_at_rank(1).unwrap();
        assert!(((mid - lo) / lo - RELATIVE_ERROR).abs() < 1e-12);
    }

    /// The smallest and largest ranks are exact and no rank lies outside
    /// them: a constant reads back exactly, as do both values of a 0/1
    /// event, and every rank stays within the relative error.
    #[test]
    fn ranks_stay_within_the_values_seen() {
        let constant = sketch_of(&[7.0; 100]);
        for rank in [0, 1, 50, 99] {
            assert_eq!(constant.value_at_rank(rank), Some(7.0));
        }
        let event = sketch_of(&[0.0, 1.0, 1.0, 0.0, 1.0, 1.0]);
        let read: Vec<_> = (0..6).map(|r| event.value_at_rank(r).unwrap()).collect();
        assert_eq!(read, [0.0, 0.0, 1.0, 1.0, 1.0, 1.0]);
        // A cap at the bottom of its bucket [21.25, 21.375]: the bucket's
        // value (21.31) is above every value, so it reads back as the cap.
        let near_cap = sketch_of(&[20.0, 21.26, 21.26, 21.26]);
        assert_eq!(near_cap.value_at_rank(2), Some(21.26));
        assert_eq!(near_cap.value_at_rank(0), Some(20.0));
        assert_eq!(near_cap.count_at_most(19.99), 0);
        assert_eq!(near_cap.count_at_most(21.26), 4);
        // Signed zeros: the range is the same whichever comes first.
        let mut a = sketch_of(&[-0.0, 0.0, 2.0]);
        let b = sketch_of(&[0.0, -0.0, 2.0]);
        assert_eq!(a.range().map(|(lo, _)| lo.to_bits()), Some(0));
        assert_eq!(a, b);
        a.merge(&sketch_of(&[-3.5]));
        assert_eq!(a.range(), Some((-3.5, 2.0)));
        assert_eq!(Sketch::new().range(), None);
        let mut batch = Sketch::new();
        batch.extend(&[5.0, -1.0, 9.5, 0.0, 3.0, 2.0, 8.0, 7.0, -4.0, 6.0]);
        assert_eq!(batch.range(), Some((-4.0, 9.5)));
    }

    #[test]
    fn extending_equals_adding_one_by_one() {
        let values: Vec<f64> = (0..5000)
            .map(|i| match i % 7 {
                0 => 0.0,
                1 | 2 => 3.25,
                3 => -1e-10,
                4 => -(i as f64),
                _ => (i as f64).sqrt() * 1e3,
            })
            .collect();
        let mut batch = Sketch::new();
        batch.extend(&values[..1234]);
        batch.extend(&values[1234..]);
        assert_eq!(batch, sketch_of(&values));
        assert_eq!(signed_key(-0.0), ZERO_KEY);
        assert!(signed_key(MIN_MAGNITUDE) > ZERO_KEY);
    }

    /// Tiles of positive values counted by the fast path (keys within the
    /// buckets so far) and tiles that are not (new buckets above or below,
    /// values under the zero threshold, negatives) give the sketch adding
    /// one value at a time gives.
    #[test]
    fn tiles_of_positive_values_count_as_single_values_do() {
        let tiles: Vec<Vec<f64>> = (0..40)
            .map(|t| {
                (0..64)
                    .map(|i| {
                        let x = 50.0 + ((i * 37 + t * 11) % 97) as f64;
                        match t {
                            7 => x * 1e3,          // above every bucket so far
                            9 => x * 1e-3,         // below
                            13 if i == 5 => 1e-12, // counted as zero
                            17 if i == 9 => -x,
                            _ => x,
                        }
                    })
                    .collect()
            })
            .collect();
        let mut tiled = Sketch::new();
        for tile in &tiles {
            tiled.extend(tile);
        }
        assert_eq!(tiled, sketch_of(&tiles.concat()));
        // Past 2^32 values the counts widen and tiles take the slow path.
        let mut wide = Sketch::new();
        wide.extend(&tiles[0]);
        wide.positive.counts.widen();
        wide.extend(&tiles[1]);
        let mut narrow = sketch_of(&tiles[..2].concat());
        narrow.positive.counts.widen();
        assert_eq!(wide, narrow);
    }

    /// Values spread over more than 2^32 in magnitude keep at most
    /// MAX_BUCKETS buckets per sign; the largest values stay exact to the
    /// relative error, the smallest are reported at the lowest kept bucket,
    /// and the result is the same in any order of adding and merging.
    #[test]
    fn wide_spreads_collapse_the_smallest_magnitudes_in_any_order() {
        let values: Vec<f64> = (0..4000)
            .map(|i| {
                let x = 10f64.powf(-8.0 + 308.0 * ((i * 7919) % 4000) as f64 / 4000.0);
                if i % 5 == 0 { -x } else { x }
            })
            .collect();
        let forward = sketch_of(&values);
        let mut reversed = values.clone();
        reversed.reverse();
        let backward = sketch_of(&reversed);
        let mut merged = Sketch::new();
        for part in values.chunks(333).rev() {
            merged.merge(&sketch_of(part));
        }
        assert_eq!(forward, backward);
        assert_eq!(forward, merged);
        assert!(forward.positive.counts.len() <= MAX_BUCKETS);
        assert!(forward.negative.counts.len() <= MAX_BUCKETS);
        assert_eq!(forward.count(), 4000);
        let mut sorted = values.clone();
        sorted.sort_by(f64::total_cmp);
        let largest = sorted[3999];
        for (rank, want) in sorted.iter().enumerate() {
            let got = forward.value_at_rank(rank as u64).unwrap();
            let magnitude = want.abs();
            let largest_of_sign = if *want > 0.0 { largest } else { -sorted[0] };
            if magnitude > largest_of_sign / 2f64.powi(31) {
                assert!(
                    (got - want).abs() <= RELATIVE_ERROR * magnitude,
                    "{got} vs {want}"
                );
            } else {
                // Collapsed: reported at the lowest kept bucket, never
                // smaller in magnitude (beyond the relative error) and never
                // above 2^-31 of the largest.
                assert!(
                    got.abs() >= magnitude * (1.0 - RELATIVE_ERROR)
                        && got.abs() <= largest_of_sign / 2f64.powi(31),
                    "{got} vs {want}"
                );
            }
        }
    }

    #[test]
    fn merging_is_exact_in_any_order() {
        let values: Vec<f64> = (0..3000).map(|i| (i as f64 - 1000.0) * 0.37).collect();
        let whole = sketch_of(&values);
        let parts: Vec<Sketch> = values.chunks(700).map(sketch_of).collect();
        let mut forward = Sketch::new();
        parts.iter().for_each(|p| forward.merge(p));
        let mut backward = Sketch::new();
        parts.iter().rev().for_each(|p| backward.merge(p));
        for rank in (0..3000).step_by(37) {
            assert_eq!(whole.value_at_rank(rank), forward.value_at_rank(rank));
            assert_eq!(whole.value_at_rank(rank), backward.value_at_rank(rank));
        }
        assert_eq!(forward.count(), 3000);
    }

    /// Counts start at 32 bits and widen before any could overflow, in any
    /// order of adding and merging.
    #[test]
    fn counts_past_32_bits_widen_instead_of_overflowing() {
        let big = u64::from(u32::MAX) - 5;
        let mut a = Sketch::new();
        a.add_n(7.0, big);
        assert!(matches!(a.positive.counts, Counts::Narrow(_)));
        a.extend(&[7.0; 10]);
        a.add_n(-2.0, 3);
        assert!(matches!(a.positive.counts, Counts::Wide(_)));
        assert!(matches!(a.negative.counts, Counts::Wide(_)));
        assert_eq!(a.count(), big + 13);
        assert_eq!(a.count_at_most(7.1), big + 13);
        assert_eq!(a.count_at_most(0.0), 3);
        let mut parts = [Sketch::new(), Sketch::new(), Sketch::new()];
        parts[0].add_n(7.0, big);
        parts[1].extend(&[7.0; 10]);
        parts[2].add_n(-2.0, 3);
        let mut forward = Sketch::new();
        parts.iter().for_each(|p| forward.merge(p));
        let mut backward = Sketch::new();
        parts.iter().rev().for_each(|p| backward.merge(p));
        assert_eq!(forward, a);
        assert_eq!(backward, a);
        let twice = {
            let mut t = a.clone();
            t.merge(&a);
            t
        };
        assert_eq!(twice.count_at_most(7.1), 2 * (big + 13));
        assert_eq!(twice.value_at_rank(6), Some(7.0));
    }

    #[test]
    fn counts_at_most_follow_the_buckets() {
        let s = sketch_of(&[-2.0, 0.0, 0.0, 1.0, 3.0, 3.0]);
        assert_eq!(s.count_at_most(-3.0), 0);
        assert_eq!(s.count_at_most(-1.0), 1);
        assert_eq!(s.count_at_most(0.0), 3);
        assert_eq!(s.count_at_most(3.1), 6);
        let mut batch = Sketch::new();
        batch.extend(&[-2.0, 0.0, 0.0, 1.0, 3.0, 3.0]);
        assert_eq!(batch, s);
        let mut n = Sketch::new();
        n.add_n(5.0, 4);
        assert_eq!(n.count(), 4);
        assert_eq!(n.count_at_most(5.1), 4);
    }
}
