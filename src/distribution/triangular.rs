//! Triangular distribution.

use super::{ParamError, finite};
use crate::number::in_message;

/// Triangular distribution on `[min, max]` with its peak at `mode`.
#[derive(Debug, Clone, PartialEq)]
pub struct Triangular {
    min: f64,
    mode: f64,
    max: f64,
}

/// Checks `min <= mode <= max`, shared by the three-point distributions.
pub(crate) fn check_three_point(min: f64, mode: f64, max: f64) -> Result<(), ParamError> {
    finite("min", min)?;
    finite("mode", mode)?;
    finite("max", max)?;
    if max < min {
        return Err(ParamError::new(format!(
            "`min` ({min}) must not be above `max` ({max})",
            min = in_message(min),
            max = in_message(max)
        )));
    }
    if !(max - min).is_finite() {
        return Err(ParamError::new(format!(
            "`min` ({min}) and `max` ({max}) are too far apart to compute with; use a narrower range or smaller units",
            min = in_message(min),
            max = in_message(max)
        )));
    }
    if !(min..=max).contains(&mode) {
        return Err(ParamError::new(format!(
            "`mode` ({mode}) must lie between `min` ({min}) and `max` ({max})",
            mode = in_message(mode),
            min = in_message(min),
            max = in_message(max)
        )));
    }
    Ok(())
}

impl Triangular {
    /// Triangular with `min <= mode <= max`.
    pub fn new(min: f64, mode: f64, max: f64) -> Result<Triangular, ParamError> {
        check_three_point(min, mode, max)?;
        Ok(Triangular { min, mode, max })
    }

    /// The value at cumulative probability `p` (closed form).
    pub fn quantile(&self, p: f64) -> f64 {
        let (a, c, b) = (self.min, self.mode, self.max);
        let width = b - a;
        if width == 0.0 {
            return a;
        }
        let f_mode = (c - a) / width;
        if p < f_mode {
            a + (p * width * (c - a)).sqrt()
        } else {
            b - ((1.0 - p) * width * (b - c)).sqrt()
        }
    }

    /// Mean, `(min + mode + max) / 3`.
    pub fn mean(&self) -> f64 {
        (self.min + self.mode + self.max) / 3.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantile_inverts_the_cdf() {
        let d = Triangular::new(0.0, 2.0, 10.0).unwrap();
        // CDF at the mode is (c - a) / (b - a) = 0.2.
        assert!((d.quantile(0.2) - 2.0).abs() < 1e-12);
        // CDF(x) = x^2 / ((b-a)(c-a)) below the mode: CDF(1) = 1/20.
        assert!((d.quantile(0.05) - 1.0).abs() < 1e-12);
        assert!(Triangular::new(0.0, 11.0, 10.0).is_err());
        assert_eq!(Triangular::new(3.0, 3.0, 3.0).unwrap().quantile(0.7), 3.0);
    }
}
