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
    /// from it): exact for constant data, and free of a division per value.
    pub fn from_slice(values: &[f64]) -> Moments {
        if values.is_empty() {
            return Moments::default();
        }
        let n = values.len();
        let mean = values.iter().sum::<f64>() / n as f64;
        let m2 = values.iter().map(|x| (x - mean) * (x - mean)).sum();
        Moments {
            n: n as u64,
            mean,
            m2,
        }
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
    }
}
