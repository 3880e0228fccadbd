//! Mean and variance, accumulated in trial order and merged in chunk order so
//! that the result does not depend on how trials were spread over threads.

/// Count, mean and sum of squared deviations (Welford), mergeable by Chan's
/// formula.
#[derive(Debug, Clone, Copy, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct Moments {
    n: u64,
    mean: f64,
    m2: f64,
}

impl Moments {
    /// The moments of `values`, by two passes (mean, then squared deviations
    /// from it): accurate for nearly constant data, and free of a division per
    /// value.
    /// Each pass sums in eight interleaved lanes, which vectorises (a strict
    /// left-to-right sum cannot) and is the same fixed order on every run.
    pub(crate) fn from_slice(values: &[f64]) -> Moments {
        if values.is_empty() {
            return Moments::default();
        }
        let n = values.len();
        let mean = lane_sum(values, |x| x) / n as f64;
        let m2 = lane_sum(values, |x| (x - mean) * (x - mean));
        Moments {
            n: n as u64,
            mean,
            m2,
        }
    }

    /// The moments of `values` as [`from_slice`](Self::from_slice), or `None`
    /// if their sum is not finite (some value is infinite or NaN, or the sum
    /// overflows): one pass fewer than checking every value first.
    pub(crate) fn from_finite_slice(values: &[f64]) -> Option<Moments> {
        let n = values.len();
        let sum = lane_sum(values, |x| x);
        if !sum.is_finite() {
            return None;
        }
        if n == 0 {
            return Some(Moments::default());
        }
        let mean = sum / n as f64;
        let m2 = lane_sum(values, |x| (x - mean) * (x - mean));
        Some(Moments {
            n: n as u64,
            mean,
            m2,
        })
    }

    /// Adds one observation.
    #[inline]
    pub fn push(&mut self, x: f64) {
        self.n += 1;
        let delta = x - self.mean;
        self.mean += delta / self.n as f64;
        self.m2 += delta * (x - self.mean);
    }

    /// Adds the observations summarised by `other` (which come after ours).
    pub fn merge(&mut self, other: &Moments) {
        if other.n == 0 {
            return;
        }
        if self.n == 0 {
            *self = *other;
            return;
        }
        let n = self.n + other.n;
        let delta = other.mean - self.mean;
        let (a, b) = (self.n as f64, other.n as f64);
        self.mean += delta * b / n as f64;
        self.m2 += other.m2 + delta * delta * a * b / n as f64;
        self.n = n;
    }

    /// Number of observations.
    pub fn count(&self) -> u64 {
        self.n
    }

    /// Mean (0 when empty).
    pub fn mean(&self) -> f64 {
        self.mean
    }

    /// Sample standard deviation (n - 1 denominator; 0 with fewer than two).
    pub fn std_dev(&self) -> f64 {
        if self.n < 2 {
            0.0
        } else {
            (self.m2.max(0.0) / (self.n - 1) as f64).sqrt()
        }
    }

    /// Monte Carlo standard error of the mean, `std_dev / sqrt(n)`.
    pub fn std_error(&self) -> f64 {
        if self.n == 0 {
            0.0
        } else {
            self.std_dev() / (self.n as f64).sqrt()
        }
    }
}

/// The sum of `f(x)` over `values`: eight lanes over blocks of eight, the
/// lanes added pairwise, then the remainder in order. Vectorises (a strict
/// left-to-right sum cannot) and is one fixed order on every run.
#[inline]
pub(crate) fn lane_sum(values: &[f64], f: impl Fn(f64) -> f64) -> f64 {
    let mut lanes = [0.0f64; 8];
    let blocks = values.chunks_exact(8);
    let rest = blocks.remainder();
    for block in blocks {
        for (lane, x) in lanes.iter_mut().zip(block) {
            *lane += f(*x);
        }
    }
    let [a, b, c, d, e, g, h, i] = lanes;
    let mut total = ((a + b) + (c + d)) + ((e + g) + (h + i));
    for x in rest {
        total += f(*x);
    }
    total
}

impl super::tree::Mergeable for Moments {
    fn merge_right(&mut self, right: &Self) {
        self.merge(right);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_two_pass_formulas_and_merges() {
        let xs: Vec<f64> = (0..1000)
            .map(|i| ((i * 37) % 101) as f64 * 0.5 + 1e6)
            .collect();
        let mean = xs.iter().sum::<f64>() / xs.len() as f64;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (xs.len() - 1) as f64;
        let mut whole = Moments::default();
        xs.iter().for_each(|x| whole.push(*x));
        let mut a = Moments::default();
        let mut b = Moments::default();
        xs[..333].iter().for_each(|x| a.push(*x));
        xs[333..].iter().for_each(|x| b.push(*x));
        a.merge(&b);
        for m in [whole, a] {
            assert_eq!(m.count(), 1000);
            assert!((m.mean() - mean).abs() < 1e-9);
            assert!((m.std_dev() - var.sqrt()).abs() < 1e-9);
        }
        let sliced = Moments::from_slice(&xs);
        assert_eq!(sliced.count(), 1000);
        assert!((sliced.mean() - mean).abs() < 1e-9);
        assert!((sliced.std_dev() - var.sqrt()).abs() < 1e-9);
    }

    #[test]
    fn lane_sums_cover_every_value_once() {
        for n in [0usize, 1, 7, 8, 9, 17, 1024, 1031] {
            let xs: Vec<f64> = (1..=n).map(|i| i as f64).collect();
            assert_eq!(lane_sum(&xs, |x| x), (n * (n + 1) / 2) as f64, "n {n}");
            assert_eq!(lane_sum(&xs, |_| 1.0), n as f64);
        }
        // Constant data has no spread (to rounding of the mean).
        assert_eq!(Moments::from_slice(&[0.5; 1000]).std_dev(), 0.0);
        assert!(Moments::from_slice(&[0.1; 1000]).std_dev() < 1e-15);
    }
}
