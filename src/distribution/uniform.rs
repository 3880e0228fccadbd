//! Continuous uniform distribution.

use super::{ParamError, finite};
use crate::number::in_message;

/// Uniform on `[min, max]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Uniform {
    min: f64,
    max: f64,
}

impl Uniform {
    /// Uniform on `[min, max]`, `min <= max`.
    pub fn new(min: f64, max: f64) -> Result<Uniform, ParamError> {
        finite("min", min)?;
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
        Ok(Uniform { min, max })
    }

    /// The value at cumulative probability `p`.
    pub fn quantile(&self, p: f64) -> f64 {
        self.min + p * (self.max - self.min)
    }

    /// Mean.
    pub fn mean(&self) -> f64 {
        (self.min + self.max) / 2.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_and_errors() {
        let d = Uniform::new(2.0, 6.0).unwrap();
        assert_eq!(d.quantile(0.25), 3.0);
        assert_eq!(d.mean(), 4.0);
        assert!(Uniform::new(3.0, 1.0).is_err());
        assert!(Uniform::new(f64::INFINITY, 1.0).is_err());
    }
}
