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

/// `x` for a message: plain with at most `decimals` decimal places,
/// trailing zeros removed (`2.5`, `1200`), or in scientific notation with 4
/// significant digits (`1e300`, `1.235e-7`) when it is 1e9 or more, or
/// below 0.001 but not 0, so that no message holds a 301-digit number or
/// shows a tiny value as 0.
pub fn readable(x: f64, decimals: usize) -> String {
    let a = x.abs();
    if a.is_finite() && a != 0.0 && !(1e-3..1e9).contains(&a) {
        let s = format!("{x:.3e}");
        let (mantissa, exponent) = s.split_once('e').unwrap_or((&s, "0"));
        let mantissa = mantissa.trim_end_matches('0').trim_end_matches('.');
        return format!("{mantissa}e{exponent}");
    }
    let s = format!("{x:.decimals$}");
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        &s
    };
    if s == "-0" {
        "0".to_string()
    } else {
        s.to_string()
    }
}

/// Column name of a percentile: `p5`, `p50`, `p2.5`.
pub fn percentile_column(p: f64) -> String {
    format!("p{}", format_number(Some(p)))
}

/// Whether percentile `p` (strictly between 0 and 100) would be named as
/// an end, `p0` or `p100`, which read as the minimum and maximum: below
/// 0.0000005 or above 99.9999995, as names keep 6 decimal places.
pub fn percentile_named_as_an_end(p: f64) -> bool {
    let name = percentile_column(p);
    name == "p0" || name == "p100"
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
        assert!(percentile_named_as_an_end(1e-7));
        assert!(percentile_named_as_an_end(99.9999999));
        assert!(!percentile_named_as_an_end(0.000001));
        assert!(!percentile_named_as_an_end(99.999999));
    }

    #[test]
    fn readable_numbers_are_short() {
        assert_eq!(readable(1e300, 3), "1e300");
        assert_eq!(readable(-1.23456e12, 3), "-1.235e12");
        assert_eq!(readable(1.5e-7, 3), "1.5e-7");
        assert_eq!(readable(0.0, 3), "0");
        assert_eq!(readable(-0.0001, 1), "-1e-4");
        assert_eq!(readable(2.5, 3), "2.5");
        assert_eq!(readable(999_999_999.0, 0), "999999999");
        assert_eq!(readable(1234.5678, 1), "1234.6");
        assert_eq!(readable(100.0, 0), "100");
        assert_eq!(readable(f64::INFINITY, 3), "inf");
    }
}
