//! Numbers as spreadsheets read them: plain decimals, never exponent notation,
//! never NaN.

/// Decimal places written for every statistic.
pub const DECIMALS: usize = 6;

/// Formats `x` as a plain decimal with at most `DECIMALS` (6) places, trailing
/// zeros removed; `None` and non-finite values become an empty cell.
pub fn format_number(x: Option<f64>) -> String {
    let Some(x) = x.filter(|v| v.is_finite()) else {
        return String::new();
    };
    // Rust's fixed-point formatting never uses an exponent.
    let mut s = format!("{x:.DECIMALS$}");
    if s.contains('.') {
        while s.ends_with('0') {
            s.pop();
        }
        if s.ends_with('.') {
            s.pop();
        }
    }
    if s == "-0" {
        s = "0".to_string();
    }
    s
}

/// Column name of a percentile: `p5`, `p50`, `p2.5`.
pub fn percentile_column(p: f64) -> String {
    format!("p{}", format_number(Some(p)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_decimals_only() {
        assert_eq!(format_number(Some(1.5)), "1.5");
        assert_eq!(format_number(Some(12_000_000.0)), "12000000");
        assert_eq!(format_number(Some(1e-9)), "0");
        assert_eq!(format_number(Some(-1e-9)), "0");
        assert_eq!(format_number(Some(0.1 + 0.2)), "0.3");
        assert_eq!(format_number(Some(1e22)), "10000000000000000000000");
        assert_eq!(format_number(Some(-2.25)), "-2.25");
        assert_eq!(format_number(None), "");
        assert_eq!(format_number(Some(f64::NAN)), "");
        assert_eq!(percentile_column(2.5), "p2.5");
        assert_eq!(percentile_column(50.0), "p50");
    }
}
