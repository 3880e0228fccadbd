//! Linear algebra on small dense matrices (row-major `Vec<Vec<f64>>`): what
//! both validation (is a correlation matrix usable?) and the copula (its
//! factor) need.

/// Pearson correlation of a Gaussian copula whose rank (Spearman)
/// correlation is `rho_s`: `2 sin(pi rho_s / 6)`.
pub(crate) fn pearson_from_spearman(spearman: &[Vec<f64>]) -> Vec<Vec<f64>> {
    spearman
        .iter()
        .map(|row| {
            row.iter()
                .map(|r| 2.0 * (std::f64::consts::PI * r / 6.0).sin())
                .collect()
        })
        .collect()
}

/// Lower-triangular Cholesky factor of a symmetric matrix, row-major. A
/// positive semi-definite matrix with a zero pivot is accepted (the factor's
/// column is zero). `Err(row)` names the first row where the matrix stops
/// being positive semi-definite.
pub(crate) fn cholesky(a: &[Vec<f64>]) -> Result<Vec<Vec<f64>>, usize> {
    let n = a.len();
    let mut l = vec![vec![0.0; n]; n];
    for i in 0..n {
        for j in 0..=i {
            let s: f64 = (0..j).map(|k| l[i][k] * l[j][k]).sum();
            if i == j {
                let d = a[i][i] - s;
                if d < -1e-9 {
                    return Err(i);
                }
                l[i][i] = d.max(0.0).sqrt();
            } else if l[j][j] > 1e-12 {
                l[i][j] = (a[i][j] - s) / l[j][j];
            } else if (a[i][j] - s).abs() > 1e-9 {
                return Err(i);
            }
        }
    }
    Ok(l)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cholesky_accepts_psd_and_names_the_failing_row() {
        let ok = vec![vec![1.0, 0.5], vec![0.5, 1.0]];
        let l = cholesky(&ok).unwrap();
        assert!((l[1][1] - 0.75f64.sqrt()).abs() < 1e-12);
        // Perfect correlation is PSD (singular).
        assert!(cholesky(&[vec![1.0, 1.0], vec![1.0, 1.0]]).is_ok());
        let bad = vec![
            vec![1.0, 0.9, 0.9],
            vec![0.9, 1.0, -0.9],
            vec![0.9, -0.9, 1.0],
        ];
        assert_eq!(cholesky(&bad), Err(2));
    }

    #[test]
    fn spearman_maps_to_pearson() {
        let p = pearson_from_spearman(&[vec![1.0, 0.5]]);
        assert!((p[0][0] - 1.0).abs() < 1e-12);
        assert!((p[0][1] - 2.0 * (std::f64::consts::PI / 12.0).sin()).abs() < 1e-12);
    }
}
