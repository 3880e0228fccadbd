//! Discrete choice among values with weights; bernoulli is the special case
//! of the values 0 and 1.

use super::{ParamError, finite};
use crate::number::in_message;

/// A finite set of values, each with a probability.
#[derive(Debug, Clone, PartialEq)]
pub struct Discrete {
    values: Vec<f64>,
    /// Cumulative probabilities, the last exactly 1.
    cumulative: Vec<f64>,
}

/// Most choices a discrete distribution may list.
pub const MAX_CHOICES: usize = 10_000;

impl Discrete {
    /// Values with non-negative weights (normalised to sum to 1).
    pub fn new(values: Vec<f64>, weights: Vec<f64>) -> Result<Discrete, ParamError> {
        if values.is_empty() {
            return Err(ParamError::new("`values` must list at least one value"));
        }
        if values.len() > MAX_CHOICES {
            return Err(ParamError::new(format!(
                "`values` lists {} values; at most {MAX_CHOICES} are allowed",
                values.len()
            )));
        }
        if weights.len() != values.len() {
            return Err(ParamError::new(format!(
                "`weights` has {} entries but `values` has {}",
                weights.len(),
                values.len()
            )));
        }
        for v in &values {
            finite("values", *v)?;
        }
        for w in &weights {
            finite("weights", *w)?;
            if *w < 0.0 {
                return Err(ParamError::new(format!(
                    "`weights` must be >= 0, got {w}",
                    w = in_message(*w)
                )));
            }
        }
        // Sorted by value so that the quantile function is non-decreasing
        // (inverse-CDF sampling and range checks rely on it).
        let mut pairs: Vec<(f64, f64)> = values.into_iter().zip(weights).collect();
        pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
        let (values, weights): (Vec<f64>, Vec<f64>) = pairs.into_iter().unzip();
        let total: f64 = weights.iter().sum();
        if !total.is_finite() {
            return Err(ParamError::new(
                "`weights` sum to more than the largest number capsim can hold; scale them down (only their ratios matter)",
            ));
        }
        if total <= 0.0 {
            return Err(ParamError::new("`weights` must sum to a positive number"));
        }
        let mut running = 0.0;
        let mut cumulative: Vec<f64> = weights
            .iter()
            .map(|w| {
                running += w;
                running / total
            })
            .collect();
        *cumulative.last_mut().expect("non-empty") = 1.0;
        Ok(Discrete { values, cumulative })
    }

    /// Equal weights.
    pub fn uniform(values: Vec<f64>) -> Result<Discrete, ParamError> {
        let weights = vec![1.0; values.len()];
        Discrete::new(values, weights)
    }

    /// 1 with probability `p`, else 0.
    pub fn bernoulli(p: f64) -> Result<Discrete, ParamError> {
        finite("p", p)?;
        if !(0.0..=1.0).contains(&p) {
            return Err(ParamError::new(format!(
                "`p` is a probability and must be between 0 and 1, got {p}",
                p = in_message(p)
            )));
        }
        Discrete::new(vec![0.0, 1.0], vec![1.0 - p, p])
    }

    /// The value at cumulative probability `p`: the first value whose
    /// cumulative probability exceeds `p`.
    pub fn quantile(&self, p: f64) -> f64 {
        let i = self.cumulative.partition_point(|&c| c <= p);
        self.values[i.min(self.values.len() - 1)]
    }

    /// Mean.
    pub fn mean(&self) -> f64 {
        let mut prev = 0.0;
        self.values
            .iter()
            .zip(&self.cumulative)
            .map(|(v, c)| {
                let w = c - prev;
                prev = *c;
                v * w
            })
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bernoulli_quantile_splits_at_one_minus_p() {
        let d = Discrete::bernoulli(0.3).unwrap();
        assert_eq!(d.quantile(0.69), 0.0);
        assert_eq!(d.quantile(0.71), 1.0);
        assert!((d.mean() - 0.3).abs() < 1e-12);
        assert!(Discrete::bernoulli(1.5).is_err());
    }

    #[test]
    fn unsorted_values_are_sorted() {
        let d = Discrete::new(vec![1.0, -5.0, 2.0], vec![1.0, 1.0, 2.0]).unwrap();
        assert_eq!(d.quantile(0.1), -5.0);
        assert_eq!(d.quantile(0.4), 1.0);
        assert_eq!(d.quantile(0.9), 2.0);
    }

    #[test]
    fn weights_are_normalised() {
        let d = Discrete::new(vec![10.0, 20.0], vec![1.0, 3.0]).unwrap();
        assert_eq!(d.quantile(0.2), 10.0);
        assert_eq!(d.quantile(0.3), 20.0);
        assert!((d.mean() - 17.5).abs() < 1e-12);
        assert!(Discrete::new(vec![1.0], vec![0.0]).is_err());
        assert!(Discrete::new(vec![1.0, 2.0], vec![1.0]).is_err());
        assert!(Discrete::new(vec![], vec![]).is_err());
    }
}
