//! PERT distribution: a beta distribution scaled to `[min, max]` whose mode is
//! the most likely value, the usual three-point estimate in project planning.

use std::collections::HashMap;

use rayon::prelude::*;
use std::sync::{Arc, Mutex, OnceLock};

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
    /// Quantile tables for fast draws; shared between PERTs of the same
    /// shape.
    table: Arc<Tables>,
}

/// The standard beta quantile tabulated for interpolation.
#[derive(Debug, PartialEq)]
struct Tables {
    /// At `u = i / TABLE_STEPS`.
    body: Vec<f64>,
    /// The lower tail, `u < EDGE`, at `s = u^(1/alpha)` in `TAIL_STEPS` equal
    /// steps from 0 to `EDGE^(1/alpha)`: the quantile's slope is infinite at
    /// `u = 0` but finite in `s`. Empty for extreme shapes (exact inversion).
    lower: Vec<f64>,
    /// The upper tail likewise: `1 -` the quantile at `(1 - u)^(1/beta)`.
    upper: Vec<f64>,
}

/// Intervals of the quantile table. Inverting the incomplete beta function
/// costs about a microsecond; interpolating the table costs nanoseconds and is
/// within 1e-7 of the exact quantile (tested), far below any sampling error.
const TABLE_STEPS: usize = 4096;
/// Table intervals at each end handled by the tail tables instead: the
/// quantile's slope is infinite at 0 and 1, so interpolating in `u` is poor
/// there. 64 of 4096 intervals is about 1.6% of draws per end.
const EXACT_EDGE: usize = 64;
/// Probability in each tail table.
const EDGE: f64 = EXACT_EDGE as f64 / TABLE_STEPS as f64;
/// Intervals of each tail table.
const TAIL_STEPS: usize = 256;
/// Shapes above this are so peaked that tails are inverted exactly. It also
/// keeps every tail node's probability above 1e-98: statrs' inversion fails
/// below about 1e-160.
const MAX_TAIL_SHAPE: f64 = 40.0;

/// The quantile table of Beta(alpha, beta). Scenarios repeat a few delay
/// shapes across many tranches, and a table costs about 4,000 inversions, so
/// tables are built once per shape and shared.
fn shared_table(alpha: f64, beta: f64) -> Arc<Tables> {
    type Cache = Mutex<HashMap<(u64, u64), Arc<Tables>>>;
    static CACHE: OnceLock<Cache> = OnceLock::new();
    let key = (alpha.to_bits(), beta.to_bits());
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    if let Some(t) = cache.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
        return Arc::clone(t);
    }
    let inv = |a: f64, b: f64, u: f64| statrs::function::beta::inv_beta_reg(a, b, u);
    // A tail table in `s = u^(1/a)`, with one node past each end so that
    // Catmull-Rom needs no special case: below 0 by quadratic extrapolation
    // (the quantile is smooth in s there), above the edge one more step out.
    // Nodes are computed in parallel: a table costs thousands of inversions
    // of about a microsecond each, and a scenario has a dozen shapes.
    let tail = |a: f64, b: f64| -> Vec<f64> {
        if a > MAX_TAIL_SHAPE || b > MAX_TAIL_SHAPE {
            return Vec::new();
        }
        let top = EDGE.powf(1.0 / a);
        let mut t: Vec<f64> = (0..=TAIL_STEPS + 1)
            .into_par_iter()
            .map(|j| inv(a, b, (top * j as f64 / TAIL_STEPS as f64).powf(a).min(1.0)))
            .collect();
        t.insert(0, 3.0 * t[0] - 3.0 * t[1] + t[2]);
        t
    };
    let table = Arc::new(Tables {
        body: (0..=TABLE_STEPS)
            .into_par_iter()
            .map(|i| inv(alpha, beta, i as f64 / TABLE_STEPS as f64))
            .collect(),
        lower: tail(alpha, beta),
        upper: tail(beta, alpha),
    });
    cache
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(key, Arc::clone(&table));
    table
}

/// The Catmull-Rom cubic through `y[0..4]` at `t` in `[0, 1]` between
/// `y[1]` and `y[2]`.
#[inline]
fn catmull_rom(y: &[f64], t: f64) -> f64 {
    let (y0, y1, y2, y3) = (y[0], y[1], y[2], y[3]);
    y1 + t
        * ((y2 - y0) / 2.0
            + t * ((2.0 * y0 - 5.0 * y1 + 4.0 * y2 - y3) / 2.0
                + t * (3.0 * (y1 - y2) + y3 - y0) / 2.0))
}

/// The lower-tail quantile at `u < EDGE` from a tail table of a beta whose
/// first shape is `a` (node `j + 1` holds `s = j / TAIL_STEPS` of the range).
#[inline]
fn tail_quantile(table: &[f64], u: f64, a: f64) -> f64 {
    let h = (u / EDGE).powf(1.0 / a) * TAIL_STEPS as f64;
    let j = (h as usize).min(TAIL_STEPS - 1);
    catmull_rom(&table[j..j + 4], h - j as f64)
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
            let shape = (
                1.0 + lambda * (mode - min) / width,
                1.0 + lambda * (max - mode) / width,
            );
            if shape.0.is_finite() && shape.1.is_finite() {
                shape
            } else {
                // lambda * (mode - min) overflows for ranges near the largest
                // f64 (an infinite shape hangs the beta inversion): divide
                // first, which is the same number mathematically.
                (
                    1.0 + lambda * ((mode - min) / width),
                    1.0 + lambda * ((max - mode) / width),
                )
            }
        } else {
            (1.0, 1.0)
        };
        let table = if max > min {
            shared_table(alpha, beta)
        } else {
            Arc::new(Tables {
                body: Vec::new(),
                lower: Vec::new(),
                upper: Vec::new(),
            })
        };
        Ok(Pert {
            min,
            mode,
            max,
            lambda,
            alpha,
            beta,
            table,
        })
    }

    /// The value at cumulative probability `p`, through the inverse regularised
    /// incomplete beta function.
    pub fn quantile(&self, p: f64) -> f64 {
        if self.max == self.min {
            return self.min;
        }
        let h = p * TABLE_STEPS as f64;
        let i = h as usize;
        let tables = &*self.table;
        let x = if (EXACT_EDGE..TABLE_STEPS - EXACT_EDGE).contains(&i) {
            catmull_rom(&tables.body[i - 1..i + 3], h - i as f64)
        } else if i < EXACT_EDGE && !tables.lower.is_empty() {
            tail_quantile(&tables.lower, p, self.alpha)
        } else if i >= TABLE_STEPS - EXACT_EDGE && !tables.upper.is_empty() {
            1.0 - tail_quantile(&tables.upper, 1.0 - p, self.beta)
        } else {
            self.exact_standard_quantile(p)
        };
        self.min + (self.max - self.min) * x
    }

    /// The quantile of the underlying standard beta, without the tables.
    pub(crate) fn exact_standard_quantile(&self, p: f64) -> f64 {
        statrs::function::beta::inv_beta_reg(self.alpha, self.beta, p)
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

    /// The table is within 1e-7 (relative to the range) of the exact
    /// quantile everywhere, for symmetric, skewed and extreme shapes.
    #[test]
    fn tabulated_quantile_matches_exact() {
        for (min, mode, max, lambda) in [
            (0.0, 5.0, 10.0, 4.0),
            (0.0, 1.0, 12.0, 4.0),
            (0.0, 0.0, 6.0, 4.0),
            (0.0, 6.0, 6.0, 4.0),
            (0.0, 0.2, 30.0, 20.0),
            (-1.0, 0.5, 1.0, 0.5),
        ] {
            let d = Pert::new(min, mode, max, lambda).unwrap();
            let mut worst: f64 = 0.0;
            for k in 1..200_000 {
                let p = k as f64 / 200_000.0;
                let exact = min + (max - min) * d.exact_standard_quantile(p);
                worst = worst.max((d.quantile(p) - exact).abs() / (max - min));
            }
            assert!(worst < 1e-7, "({min}, {mode}, {max}, {lambda}): {worst}");
        }
    }

    /// The tail tables are as good as the body, down to tiny probabilities
    /// at both ends.
    #[test]
    fn tail_quantiles_match_exact() {
        for (min, mode, max, lambda) in [
            (0.0, 5.0, 10.0, 4.0),
            (0.0, 1.0, 12.0, 4.0),
            (0.0, 0.0, 6.0, 4.0),
            (0.0, 0.2, 30.0, 20.0),
            (-1.0, 0.5, 1.0, 0.5),
            (0.0, 3.0, 9.0, 100.0),
            (0.0, 3.0, 9.0, 400.0),
        ] {
            let d = Pert::new(min, mode, max, lambda).unwrap();
            let mut worst: f64 = 0.0;
            let mut check = |p: f64| {
                let exact = min + (max - min) * d.exact_standard_quantile(p);
                worst = worst.max((d.quantile(p) - exact).abs() / (max - min));
            };
            for k in 0..=20_000 {
                let p = EDGE * k as f64 / 20_000.0;
                check(p);
                check(1.0 - p);
            }
            // Uniform draws are multiples of 2^-53.
            for e in 1..=16 {
                check(10f64.powi(-e));
                check(1.0 - 10f64.powi(-e).max(1e-12));
            }
            check(2f64.powi(-53));
            assert!(worst < 1e-7, "({min}, {mode}, {max}, {lambda}): {worst}");
        }
    }

    /// Found by fuzzing: lambda * (mode - min) overflowed to an infinite
    /// alpha, on which the beta inversion never returned.
    #[test]
    fn ranges_near_the_largest_number_have_finite_shapes() {
        let d = Pert::new(-1e308, 269.8, 5.942516220331432e18, 4.0).unwrap();
        let (a, b) = d.shape();
        assert!(a.is_finite() && b.is_finite(), "{a} {b}");
        assert!(d.quantile(0.5).is_finite());
    }

    #[test]
    fn rejects_mode_outside_range_and_bad_lambda() {
        assert!(Pert::new(0.0, -1.0, 10.0, 4.0).is_err());
        assert!(Pert::new(0.0, 1.0, 10.0, 0.0).is_err());
        assert!(Pert::new(10.0, 1.0, 0.0, 4.0).is_err());
    }
}
