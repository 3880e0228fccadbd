//! `[[correlation]]` tables: rank correlations among uncertain inputs, named
//! by their paths.

use std::collections::HashSet;
use std::ops::Range;

use super::checker::{Checker, closest};
use crate::linalg::{cholesky, pearson_from_spearman};
use crate::scenario::raw::{RawCorrelation, RawMatrix};
use crate::scenario::{Correlation, DrawPlan, Scenario};

impl Checker<'_> {
    /// The `[[correlation]]` tables of `scenario`, whose inputs they name.
    pub(super) fn correlations(
        &mut self,
        raw: &[RawCorrelation],
        scenario: &Scenario,
    ) -> Vec<Correlation> {
        let plan = DrawPlan::new(scenario);
        raw.iter().map(|k| self.correlation(k, &plan)).collect()
    }

    /// A `[[correlation]]`: known input paths and a valid rank-correlation
    /// matrix (symmetric, unit diagonal, entries in [-1, 1], and positive
    /// semi-definite once mapped to the Gaussian copula). The matrix is left
    /// empty when it is malformed.
    fn correlation(&mut self, k: &RawCorrelation, plan: &DrawPlan) -> Correlation {
        let inputs = self.correlated_inputs(k, plan);
        let n = k.inputs.get_ref().len();
        if n < 2 {
            self.error(k.inputs.span(), "a correlation needs at least two inputs");
        }
        Correlation {
            inputs,
            spearman: self.spearman(k).unwrap_or_default(),
        }
    }

    /// The paths of `k`'s inputs that name uncertain inputs of `plan`.
    fn correlated_inputs(&mut self, k: &RawCorrelation, plan: &DrawPlan) -> Vec<String> {
        let mut inputs = Vec::new();
        let mut listed = HashSet::new();
        for p in k.inputs.get_ref() {
            if !listed.insert(p.get_ref().as_str()) {
                self.error(
                    p.span(),
                    format!(
                        "input {:?} is listed twice in this correlation; each input may appear once",
                        p.get_ref()
                    ),
                );
                continue;
            }
            match plan.slot(p.get_ref()) {
                Some(slot) if plan.is_uncertain(slot) => inputs.push(p.get_ref().clone()),
                Some(_) => self.error(
                    p.span(),
                    format!(
                        "input {:?} is a constant, so it cannot be correlated",
                        p.get_ref()
                    ),
                ),
                None if self.full() => self.error(p.span(), String::new()),
                None => {
                    let paths: Vec<String> = plan.inputs.iter().map(|i| i.path.clone()).collect();
                    let hint = closest(p.get_ref(), paths.iter());
                    self.error(
                        p.span(),
                        format!("unknown input {:?}; inputs are named like `tranche.NAME.delay_months` or `revenue.annual_growth.year1` (capsim run --export-trials lists them){hint}", p.get_ref()),
                    );
                }
            }
        }
        inputs
    }

    /// The `spearman` matrix, one row per input, or `None` when its shape or
    /// entries are wrong. A matrix that is not positive semi-definite is
    /// reported but kept.
    fn spearman(&mut self, k: &RawCorrelation) -> Option<Vec<Vec<f64>>> {
        let n = k.inputs.get_ref().len();
        let names: Vec<&String> = k.inputs.get_ref().iter().map(|s| s.get_ref()).collect();
        let matrix = match k.spearman.get_ref() {
            RawMatrix::Pair(r) if n == 2 => vec![vec![1.0, *r], vec![*r, 1.0]],
            RawMatrix::Pair(_) => {
                self.error(k.spearman.span(), format!("a single `spearman` value needs exactly two inputs; give a {n}x{n} matrix for {n}"));
                return None;
            }
            RawMatrix::Matrix(m) => m.clone(),
        };
        let span = k.spearman.span();
        if matrix.len() != n || matrix.iter().any(|row| row.len() != n) {
            self.error(
                span,
                format!("`spearman` must be a {n}x{n} matrix, one row per input"),
            );
            return None;
        }
        if !self.is_correlation_matrix(&matrix, &names, &span) {
            return None;
        }
        if let Err(row) = cholesky(&pearson_from_spearman(&matrix)) {
            let pairs: Vec<String> = (0..row)
                .filter(|&j| matrix[row][j] != 0.0)
                .map(|j| format!("{} with {}: {}", names[row], names[j], matrix[row][j]))
                .collect();
            self.error(
                span,
                format!(
                    "the correlations are inconsistent (the matrix is not positive semi-definite): {} cannot hold together with the correlations among the inputs before it; weaken some of them",
                    pairs.join(", ")
                ),
            );
        }
        Some(matrix)
    }

    /// Whether the square `matrix` has a unit diagonal, entries in [-1, 1]
    /// and is symmetric; reports the first entry that is not.
    fn is_correlation_matrix(
        &mut self,
        matrix: &[Vec<f64>],
        names: &[&String],
        span: &Range<usize>,
    ) -> bool {
        let n = matrix.len();
        for i in 0..n {
            if matrix[i][i] != 1.0 {
                self.error(
                    span.clone(),
                    format!(
                        "the diagonal of `spearman` must be 1 (row {} is {})",
                        i + 1,
                        matrix[i][i]
                    ),
                );
                return false;
            }
            for j in 0..n {
                let (a, b) = (matrix[i][j], matrix[j][i]);
                if !(-1.0..=1.0).contains(&a) {
                    self.error(
                        span.clone(),
                        format!(
                            "correlation between {} and {} is {a}; it must be between -1 and 1",
                            names[i], names[j]
                        ),
                    );
                    return false;
                }
                if a != b {
                    self.error(
                        span.clone(),
                        format!(
                            "`spearman` must be symmetric: {} vs {} is {a} but {} vs {} is {b}",
                            names[i], names[j], names[j], names[i]
                        ),
                    );
                    return false;
                }
            }
        }
        true
    }
}
