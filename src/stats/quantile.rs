//! Exact percentiles of a sample.

/// The `p`-th percentile (0 < p < 100) of ascending `sorted` values, by linear
/// interpolation between order statistics (Excel's PERCENTILE.INC, R type 7).
///
/// Infinite values stand for "never happens" and sort last; a percentile that
/// falls among them is `None`.
pub fn percentile_sorted(sorted: &[f64], p: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let h = (sorted.len() - 1) as f64 * p / 100.0;
    let lo = h.floor() as usize;
    let frac = h - lo as f64;
    let a = sorted[lo];
    if frac == 0.0 || lo + 1 >= sorted.len() {
        return a.is_finite().then_some(a);
    }
    let b = sorted[lo + 1];
    if !a.is_finite() || !b.is_finite() {
        return None;
    }
    Some(a + frac * (b - a))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interpolates_like_percentile_inc() {
        let xs = [1.0, 2.0, 3.0, 4.0, 5.0];
        assert_eq!(percentile_sorted(&xs, 50.0), Some(3.0));
        assert_eq!(percentile_sorted(&xs, 10.0), Some(1.4));
        assert_eq!(percentile_sorted(&xs, 90.0), Some(4.6));
        assert_eq!(percentile_sorted(&[7.0], 5.0), Some(7.0));
        assert_eq!(percentile_sorted(&[], 5.0), None);
    }

    #[test]
    fn never_is_reported_as_none() {
        let xs = [1.0, 2.0, f64::INFINITY, f64::INFINITY];
        assert_eq!(percentile_sorted(&xs, 10.0), Some(1.3));
        assert_eq!(percentile_sorted(&xs, 50.0), None);
        assert_eq!(percentile_sorted(&xs, 95.0), None);
    }
}
