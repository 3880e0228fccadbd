//! Log-normal distribution.

use super::normal::{Z90, Z95, standard_normal_quantile};
use super::{ParamError, finite};
use crate::number::in_message;

/// Log-normal distribution: `ln X` is normal with mean `mu` and standard
/// deviation `sigma`. Values are positive.
#[derive(Debug, Clone, PartialEq)]
pub struct LogNormal {
    mu: f64,
    sigma: f64,
}

/// Above this sigma a log-normal's upper tail overflows f64 within the range
/// of quantiles capsim evaluates.
const MAX_SIGMA: f64 = 20.0;

impl LogNormal {
    /// Log-normal with the given median (> 0) and log-space standard deviation.
    pub fn from_median_sigma(median: f64, sigma: f64) -> Result<LogNormal, ParamError> {
        finite("median", median)?;
        finite("sigma", sigma)?;
        if median <= 0.0 {
            return Err(ParamError::new(format!(
                "`median` of a lognormal must be > 0, got {median}",
                median = in_message(median)
            )));
        }
        if !(0.0..=MAX_SIGMA).contains(&sigma) {
            return Err(ParamError::new(format!(
                "`sigma` of a lognormal must be between 0 and {MAX_SIGMA}, got {sigma}",
                sigma = in_message(sigma)
            )));
        }
        Ok(LogNormal {
            mu: median.ln(),
            sigma,
        })
    }

    /// Log-normal with the given mean (> 0) and standard deviation (>= 0).
    pub fn from_mean_sd(mean: f64, sd: f64) -> Result<LogNormal, ParamError> {
        finite("mean", mean)?;
        finite("sd", sd)?;
        if mean <= 0.0 {
            return Err(ParamError::new(format!(
                "`mean` of a lognormal must be > 0, got {mean}",
                mean = in_message(mean)
            )));
        }
        if sd < 0.0 {
            return Err(ParamError::new(format!(
                "`sd` must be >= 0, got {sd}",
                sd = in_message(sd)
            )));
        }
        // A ratio above 1e150 would overflow r^2; its sigma is far above the limit anyway.
        let r = sd / mean;
        let sigma2 = if r > 1e150 {
            2.0 * r.ln()
        } else {
            (1.0 + r.powi(2)).ln()
        };
        if sigma2.sqrt() > MAX_SIGMA {
            return Err(ParamError::new(format!(
                "`sd` ({sd}) is too large for `mean` ({mean}): the log-space sigma would be {:.3}, at most {MAX_SIGMA} is allowed",
                sigma2.sqrt(),
                sd = in_message(sd),
                mean = in_message(mean)
            )));
        }
        Self::from_median_sigma(mean / (1.0 + r.powi(2)).sqrt(), sigma2.sqrt())
    }

    /// Log-normal whose 10th and 90th percentiles are `p10` and `p90`: the way
    /// analysts state a range.
    pub fn from_p10_p90(p10: f64, p90: f64) -> Result<LogNormal, ParamError> {
        Self::from_symmetric_quantiles(p10, p90, Z90, "p10", "p90")
    }

    /// Log-normal whose 5th and 95th percentiles are `p5` and `p95`.
    pub fn from_p5_p95(p5: f64, p95: f64) -> Result<LogNormal, ParamError> {
        Self::from_symmetric_quantiles(p5, p95, Z95, "p5", "p95")
    }

    fn from_symmetric_quantiles(
        lo: f64,
        hi: f64,
        z: f64,
        lo_name: &str,
        hi_name: &str,
    ) -> Result<LogNormal, ParamError> {
        finite(lo_name, lo)?;
        finite(hi_name, hi)?;
        if lo <= 0.0 {
            return Err(ParamError::new(format!(
                "`{lo_name}` of a lognormal must be > 0, got {lo}",
                lo = in_message(lo)
            )));
        }
        if hi < lo {
            return Err(ParamError::new(format!(
                "`{hi_name}` ({hi}) must not be below `{lo_name}` ({lo})",
                hi = in_message(hi),
                lo = in_message(lo)
            )));
        }
        let (ln_lo, ln_hi) = (lo.ln(), hi.ln());
        let sigma = (ln_hi - ln_lo) / (2.0 * z);
        if sigma > MAX_SIGMA {
            return Err(ParamError::new(format!(
                "`{lo_name}` ({lo}) and `{hi_name}` ({hi}) are too far apart: the log-space sigma would be {sigma:.3}, at most {MAX_SIGMA} is allowed",
                lo = in_message(lo),
                hi = in_message(hi)
            )));
        }
        Self::from_median_sigma(((ln_lo + ln_hi) / 2.0).exp(), sigma)
    }

    /// The value at cumulative probability `p`.
    pub fn quantile(&self, p: f64) -> f64 {
        (self.mu + self.sigma * standard_normal_quantile(p)).exp()
    }

    /// Mean, `exp(mu + sigma²/2)`.
    pub fn mean(&self) -> f64 {
        (self.mu + self.sigma * self.sigma / 2.0).exp()
    }

    /// Mean of `ln X`.
    pub fn mu(&self) -> f64 {
        self.mu
    }

    /// Standard deviation of `ln X`.
    pub fn sigma(&self) -> f64 {
        self.sigma
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_agree() {
        let d = LogNormal::from_p10_p90(5.0, 20.0).unwrap();
        assert!((d.quantile(0.1) - 5.0).abs() < 1e-9);
        assert!((d.quantile(0.9) - 20.0).abs() < 1e-9);
        assert!((d.quantile(0.5) - 10.0).abs() < 1e-9);
        let m = LogNormal::from_mean_sd(10.0, 3.0).unwrap();
        assert!((m.mean() - 10.0).abs() < 1e-9);
        let var = (m.sigma().powi(2).exp() - 1.0) * m.mean().powi(2);
        assert!((var.sqrt() - 3.0).abs() < 1e-9);
    }

    #[test]
    fn rejects_invalid_parameters() {
        assert!(LogNormal::from_p10_p90(-1.0, 5.0).is_err());
        assert!(LogNormal::from_p10_p90(5.0, 4.0).is_err());
        assert!(LogNormal::from_median_sigma(0.0, 1.0).is_err());
        assert!(LogNormal::from_median_sigma(1.0, -1.0).is_err());
        assert!(LogNormal::from_median_sigma(1.0, 50.0).is_err());
    }
}
