//! PERT distribution: a beta distribution scaled to `[min, max]` whose mode is
//! the most likely value, the usual three-point estimate in project planning.

use super::triangular::check_three_point;
use super::{ParamError, finite};

/// PERT distribution with minimum, mode, maximum and shape `lambda` (4 in the
/// classic PERT; larger concentrates mass near the mode).
#[derive(Debug, Clone, PartialEq)]
pub struct Pert {
    min: f64,
    mode: f64,
    max: f64,
    lambda: f64,
    alpha: f64,
    beta: f64,
}

impl Pert {
    /// PERT with `min <= mode <= max` and `lambda > 0`.
    pub fn new(min: f64, mode: f64, max: f64, lambda: f64) -> Result<Pert, ParamError> {
        check_three_point(min, mode, max)?;
        finite("lambda", lambda)?;
        if lambda <= 0.0 || lambda > 1e6 {
            return Err(ParamError::new(format!(
                "`lambda` must be > 0 (4 is the classic PERT), got {lambda}"
            )));
        }
        let (alpha, beta) = if max > min {
            let width = max - min;
            (
                1.0 + lambda * (mode - min) / width,
                1.0 + lambda * (max - mode) / width,
            )
        } else {
            (1.0, 1.0)
        };
        Ok(Pert {
            min,
            mode,
            max,
            lambda,
            alpha,
            beta,
        })
    }

    /// The value at cumulative probability `p`, through the inverse regularised
    /// incomplete beta function.
    pub fn quantile(&self, p: f64) -> f64 {
        if self.max == self.min {
            return self.min;
        }
        let x = statrs::function::beta::inv_beta_reg(self.alpha, self.beta, p);
        self.min + (self.max - self.min) * x
    }

    /// Mean, `(min + lambda * mode + max) / (lambda + 2)`.
    pub fn mean(&self) -> f64 {
        (self.min + self.lambda * self.mode + self.max) / (self.lambda + 2.0)
    }

    /// The two beta shape parameters.
    pub fn shape(&self) -> (f64, f64) {
        (self.alpha, self.beta)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn symmetric_pert_has_median_at_mode() {
        let d = Pert::new(0.0, 5.0, 10.0, 4.0).unwrap();
        assert!((d.quantile(0.5) - 5.0).abs() < 1e-9);
        assert_eq!(d.shape(), (3.0, 3.0));
        assert!((d.mean() - 5.0).abs() < 1e-12);
    }

    #[test]
    fn rejects_mode_outside_range_and_bad_lambda() {
        assert!(Pert::new(0.0, -1.0, 10.0, 4.0).is_err());
        assert!(Pert::new(0.0, 1.0, 10.0, 0.0).is_err());
        assert!(Pert::new(10.0, 1.0, 0.0, 4.0).is_err());
    }
}
