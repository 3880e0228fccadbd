//! Normal distribution.

use super::{ParamError, finite};
use crate::number::in_message;

/// Normal distribution with mean `mean` and standard deviation `sd`.
#[derive(Debug, Clone, PartialEq)]
pub struct Normal {
    mean: f64,
    sd: f64,
}

/// z-score of the 90th percentile of the standard normal.
pub(crate) const Z90: f64 = 1.281_551_565_544_600_5;
/// z-score of the 95th percentile of the standard normal.
pub(crate) const Z95: f64 = 1.644_853_626_951_472_2;

/// The standard normal quantile function Φ⁻¹(p), for `p` in (0, 1).
pub fn standard_normal_quantile(p: f64) -> f64 {
    -std::f64::consts::SQRT_2 * statrs::function::erf::erfc_inv(2.0 * p)
}

impl Normal {
    /// Normal with the given mean and standard deviation (`sd` >= 0).
    pub fn new(mean: f64, sd: f64) -> Result<Normal, ParamError> {
        finite("mean", mean)?;
        finite("sd", sd)?;
        if sd < 0.0 {
            return Err(ParamError::new(format!(
                "`sd` must be >= 0, got {sd}",
                sd = in_message(sd)
            )));
        }
        Ok(Normal { mean, sd })
    }

    /// Normal whose 10th and 90th percentiles are `p10` and `p90`.
    pub fn from_p10_p90(p10: f64, p90: f64) -> Result<Normal, ParamError> {
        Self::from_symmetric_quantiles(p10, p90, Z90, "p10", "p90")
    }

    /// Normal whose 5th and 95th percentiles are `p5` and `p95`.
    pub fn from_p5_p95(p5: f64, p95: f64) -> Result<Normal, ParamError> {
        Self::from_symmetric_quantiles(p5, p95, Z95, "p5", "p95")
    }

    fn from_symmetric_quantiles(
        lo: f64,
        hi: f64,
        z: f64,
        lo_name: &str,
        hi_name: &str,
    ) -> Result<Normal, ParamError> {
        finite(lo_name, lo)?;
        finite(hi_name, hi)?;
        if hi < lo {
            return Err(ParamError::new(format!(
                "`{hi_name}` ({hi}) must not be below `{lo_name}` ({lo})",
                hi = in_message(hi),
                lo = in_message(lo)
            )));
        }
        if !(hi - lo).is_finite() {
            return Err(ParamError::new(format!(
                "`{lo_name}` ({lo}) and `{hi_name}` ({hi}) are too far apart to compute with; use smaller units",
                lo = in_message(lo),
                hi = in_message(hi)
            )));
        }
        Normal::new(lo / 2.0 + hi / 2.0, (hi - lo) / (2.0 * z))
    }

    /// The value at cumulative probability `p`.
    pub fn quantile(&self, p: f64) -> f64 {
        self.mean + self.sd * standard_normal_quantile(p)
    }

    /// Mean.
    pub fn mean(&self) -> f64 {
        self.mean
    }

    /// Standard deviation.
    pub fn sd(&self) -> f64 {
        self.sd
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standard_quantiles_match_tables() {
        assert!((standard_normal_quantile(0.5)).abs() < 1e-15);
        assert!((standard_normal_quantile(0.9) - Z90).abs() < 1e-12);
        assert!((standard_normal_quantile(0.975) - 1.959_963_984_540_054).abs() < 1e-12);
        assert!((standard_normal_quantile(0.001) + 3.090_232_306_167_813_5).abs() < 1e-10);
    }

    #[test]
    fn p10_p90_form_round_trips() {
        let d = Normal::from_p10_p90(2.0, 10.0).unwrap();
        assert!((d.quantile(0.1) - 2.0).abs() < 1e-12);
        assert!((d.quantile(0.9) - 10.0).abs() < 1e-12);
        assert!(Normal::from_p10_p90(10.0, 2.0).is_err());
        assert!(Normal::new(0.0, -1.0).is_err());
        assert!(Normal::new(f64::NAN, 1.0).is_err());
    }
}
