//! Distributions of uncertain inputs, each sampled by its quantile function.
//!
//! Every draw in capsim is `quantile(u)` of a uniform `u` in (0, 1) taken from
//! the drawing component's own random stream. Inverse-CDF sampling couples
//! scenarios that share a component (a variant that widens a delay moves each
//! trial's delay monotonically, which is what paired comparisons need) and lets
//! correlation and one-at-a-time sensitivity act on the uniforms alone.

mod discrete;
mod lognormal;
mod normal;
mod pert;
mod triangular;
mod uniform;

pub use discrete::Discrete;
pub use lognormal::LogNormal;
pub use normal::{Normal, standard_normal_quantile};
pub use pert::Pert;
pub use triangular::Triangular;
pub use uniform::Uniform;

use crate::number::in_message;

/// An invalid distribution parameter; the message names the parameter.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct ParamError(pub String);

impl ParamError {
    pub(crate) fn new(msg: impl Into<String>) -> Self {
        ParamError(msg.into())
    }
}

/// Checks that a parameter is a finite number.
pub(crate) fn finite(name: &str, value: f64) -> Result<f64, ParamError> {
    if value.is_finite() {
        Ok(value)
    } else {
        Err(ParamError::new(format!(
            "`{name}` must be a finite number, got {value}",
            value = in_message(value)
        )))
    }
}

/// A quantity that is either known or uncertain, in the unit of the field that
/// holds it.
#[derive(Debug, Clone, PartialEq)]
pub enum Uncertain {
    /// A known value.
    Constant(f64),
    /// Normal (Gaussian).
    Normal(Normal),
    /// Log-normal: the logarithm is normal.
    LogNormal(LogNormal),
    /// Uniform on an interval.
    Uniform(Uniform),
    /// Triangular with minimum, mode and maximum.
    Triangular(Triangular),
    /// PERT (scaled beta) with minimum, mode and maximum.
    Pert(Pert),
    /// A finite set of values with weights (bernoulli is the values 0 and 1).
    Discrete(Discrete),
}

impl Uncertain {
    /// The value at cumulative probability `p`, for `p` in (0, 1).
    pub fn quantile(&self, p: f64) -> f64 {
        match self {
            Uncertain::Constant(v) => *v,
            Uncertain::Normal(d) => d.quantile(p),
            Uncertain::LogNormal(d) => d.quantile(p),
            Uncertain::Uniform(d) => d.quantile(p),
            Uncertain::Triangular(d) => d.quantile(p),
            Uncertain::Pert(d) => d.quantile(p),
            Uncertain::Discrete(d) => d.quantile(p),
        }
    }

    /// The expected value.
    pub fn mean(&self) -> f64 {
        match self {
            Uncertain::Constant(v) => *v,
            Uncertain::Normal(d) => d.mean(),
            Uncertain::LogNormal(d) => d.mean(),
            Uncertain::Uniform(d) => d.mean(),
            Uncertain::Triangular(d) => d.mean(),
            Uncertain::Pert(d) => d.mean(),
            Uncertain::Discrete(d) => d.mean(),
        }
    }

    /// The median, used for plans and one-line descriptions.
    pub fn median(&self) -> f64 {
        self.quantile(0.5)
    }

    /// `true` if the quantity is known.
    pub(crate) fn is_constant(&self) -> bool {
        matches!(self, Uncertain::Constant(_))
    }

    /// Short name of the distribution, as written in scenario files.
    pub fn kind(&self) -> &'static str {
        match self {
            Uncertain::Constant(_) => "constant",
            Uncertain::Normal(_) => "normal",
            Uncertain::LogNormal(_) => "lognormal",
            Uncertain::Uniform(_) => "uniform",
            Uncertain::Triangular(_) => "triangular",
            Uncertain::Pert(_) => "pert",
            Uncertain::Discrete(_) => "discrete",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Quantile functions must be non-decreasing, or inverse-CDF sampling
    /// would not give the distribution.
    #[test]
    fn every_quantile_function_is_monotone() {
        let dists = [
            Uncertain::Normal(Normal::new(1.0, 2.0).unwrap()),
            Uncertain::LogNormal(LogNormal::from_p10_p90(5.0, 20.0).unwrap()),
            Uncertain::Uniform(Uniform::new(-1.0, 3.0).unwrap()),
            Uncertain::Triangular(Triangular::new(0.0, 1.0, 5.0).unwrap()),
            Uncertain::Pert(Pert::new(0.0, 2.0, 12.0, 4.0).unwrap()),
            Uncertain::Discrete(Discrete::new(vec![1.0, 2.0, 5.0], vec![0.2, 0.5, 0.3]).unwrap()),
        ];
        for d in &dists {
            let mut prev = f64::NEG_INFINITY;
            for i in 1..1000 {
                let q = d.quantile(i as f64 / 1000.0);
                assert!(
                    q.is_finite() && q >= prev,
                    "{} not monotone at {i}",
                    d.kind()
                );
                prev = q;
            }
        }
    }
}
