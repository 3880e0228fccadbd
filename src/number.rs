//! Numbers as text, in one place: as spreadsheets read them (plain decimals,
//! never exponent notation, never NaN), as the terminal summary, the HTML
//! report and the charts show them, and as messages quote them.

use std::fmt;

/// Decimal places written for every statistic.
pub const DECIMALS: usize = 6;

/// `s`, a number in fixed-point notation, without the trailing zeros of its
/// decimals (and without the point if none is left).
fn trim_zeros(s: String) -> String {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// `s` with a negative zero (`-0`, `-0.0`, ...) written without its sign.
fn unsigned_zero(s: String) -> String {
    match s.strip_prefix('-') {
        Some(rest) if rest.chars().all(|c| c == '0' || c == '.') => rest.to_string(),
        _ => s,
    }
}

// ---- Spreadsheets (CSV cells, column names) ----

/// Formats `x` as a plain decimal with at most `DECIMALS` (6) places, trailing
/// zeros removed; `None` and non-finite values become an empty cell.
pub fn format_number(x: Option<f64>) -> String {
    let Some(x) = x.filter(|v| v.is_finite()) else {
        return String::new();
    };
    // Rust's fixed-point formatting never uses an exponent.
    unsigned_zero(trim_zeros(format!("{x:.DECIMALS$}")))
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

// ---- Reading (terminal summary, HTML report) ----

/// `x` with exactly `decimals` decimals, or `-` when there is none (a
/// probability with 3, say).
pub fn fixed(x: Option<f64>, decimals: usize) -> String {
    x.map_or("-".to_string(), |v| format!("{v:.decimals$}"))
}

/// Rounded for reading (the HTML report): whole numbers from 100, 1 decimal
/// from 1, 3 below; `-` when there is no finite value.
pub fn readable(x: Option<f64>) -> String {
    match x {
        Some(v) if v.is_finite() => {
            let r = if v.abs() >= 100.0 {
                v.round()
            } else if v.abs() >= 1.0 {
                (v * 10.0).round() / 10.0
            } else {
                (v * 1000.0).round() / 1000.0
            };
            format_number(Some(r))
        }
        _ => "-".into(),
    }
}

/// `x` with at most `decimals` decimals, and fewer when its error `bound`
/// (0 when exact) would make the last ones noise: the last digit shown is
/// never finer than twice the bound. Above one unit, rounded to tens,
/// hundreds, ... as whole numbers.
pub fn supported(x: f64, bound: f64, decimals: usize) -> String {
    let allowed = if bound > 0.0 {
        (-(2.0 * bound).log10()).floor()
    } else {
        decimals as f64
    };
    let s = if allowed >= 0.0 {
        format!("{x:.*}", (allowed as usize).min(decimals))
    } else {
        let unit = 10f64.powf(-allowed);
        format!("{:.0}", (x / unit).round() * unit)
    };
    unsigned_zero(s)
}

/// A value as read in a narrow column (the terminal's year table): whole
/// numbers from 10, one decimal below; `-` when there is no finite value.
pub fn compact(v: Option<f64>) -> String {
    match v {
        Some(x) if x.is_finite() && x.abs() >= 9.95 => format!("{x:.0}"),
        // No "-0.0" for a value that rounds to zero.
        Some(x) if x.is_finite() => unsigned_zero(format!("{x:.1}")),
        _ => "-".into(),
    }
}

/// As [`compact`], with no digit finer than twice the value's error
/// `bound` (0 when exact; see [`supported`]).
pub fn compact_within(v: Option<f64>, bound: f64) -> String {
    match v {
        Some(x) if x.is_finite() && bound > 0.0 => {
            let decimals = usize::from(x.abs() < 9.95);
            supported(x, bound, decimals)
        }
        _ => compact(v),
    }
}

// ---- Charts ----

/// A compact axis number: 12M, 450k, 2.5, 0.25.
pub fn axis_number(v: f64) -> String {
    let a = v.abs();
    let s = if a >= 1e9 {
        format!("{}G", trim_zeros(format!("{:.2}", v / 1e9)))
    } else if a >= 1e6 {
        format!("{}M", trim_zeros(format!("{:.2}", v / 1e6)))
    } else if a >= 1e4 {
        format!("{}k", trim_zeros(format!("{:.1}", v / 1e3)))
    } else if a >= 10.0 {
        trim_zeros(format!("{v:.1}"))
    } else {
        trim_zeros(format!("{v:.2}"))
    };
    if s == "-0" { "0".into() } else { s }
}

// ---- Messages ----

/// `x` in scientific notation with 4 significant digits (`1e300`,
/// `-1.235e12`, `1.5e-7`) when it is 1e9 or more, or below 0.001 but not 0;
/// `None` for everyday magnitudes (and 0, infinities and NaN), so that no
/// message holds a 301-digit number or shows a tiny value as 0.
fn scientific(x: f64) -> Option<String> {
    let a = x.abs();
    if !a.is_finite() || a == 0.0 || (1e-3..1e9).contains(&a) {
        return None;
    }
    let s = format!("{x:.3e}");
    let (mantissa, exponent) = s.split_once('e').unwrap_or((&s, "0"));
    Some(format!("{}e{exponent}", trim_zeros(mantissa.to_string())))
}

/// An amount of money in a message: whole from 100, one decimal below; a
/// huge or tiny amount in scientific notation.
pub fn money(x: f64) -> String {
    scientific(x).unwrap_or_else(|| {
        if x.abs() >= 100.0 {
            format!("{x:.0}")
        } else {
            format!("{x:.1}")
        }
    })
}

/// A value in a message: at most 3 decimals, trailing zeros removed; a huge
/// or tiny value in scientific notation.
pub fn short(x: f64) -> String {
    scientific(x).unwrap_or_else(|| unsigned_zero(trim_zeros(format!("{x:.3}"))))
}

/// A size in bytes as people read it: bytes below 1 MB, whole MB below
/// 1 GB (`65 MB`, rounded down), GB to a tenth above (`4 GB`, `4.5 GB`),
/// with 1 MB = 2^20 bytes and 1 GB = 2^30.
pub fn byte_size(n: u64) -> String {
    if n >= 1 << 30 {
        let tenths = ((u128::from(n) * 10) >> 30) as u64;
        if tenths % 10 == 0 {
            format!("{} GB", tenths / 10)
        } else {
            format!("{}.{} GB", tenths / 10, tenths % 10)
        }
    } else if n >= 1 << 20 {
        format!("{} MB", n >> 20)
    } else {
        format!("{n} bytes")
    }
}

/// A number as shown in messages: plain for everyday magnitudes, in exponent
/// form (`1e308`, `1e-300`) where plain digits would run to hundreds of
/// characters.
pub fn in_message(x: f64) -> impl fmt::Display {
    struct Shown(f64);
    impl fmt::Display for Shown {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            let a = self.0.abs();
            if self.0.is_finite() && a != 0.0 && !(1e-9..1e15).contains(&a) {
                write!(f, "{:e}", self.0)
            } else {
                write!(f, "{}", self.0)
            }
        }
    }
    Shown(x)
}

/// `x` rounded to 3 significant digits, for messages.
pub fn round_sig(x: f64) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    let scale = 10f64.powi(3 - x.abs().log10().ceil() as i32);
    (x * scale).round() / scale
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
    fn reading_numbers() {
        assert_eq!(fixed(Some(0.25), 3), "0.250");
        assert_eq!(fixed(None, 1), "-");
        assert_eq!(readable(Some(1234.56)), "1235");
        assert_eq!(readable(Some(12.34)), "12.3");
        assert_eq!(readable(Some(0.12345)), "0.123");
        assert_eq!(readable(Some(f64::INFINITY)), "-");
        assert_eq!(supported(12.345, 0.0, 1), "12.3");
        assert_eq!(supported(12.345, 0.04, 2), "12.3");
        assert_eq!(supported(1234.0, 20.0, 1), "1200");
        assert_eq!(supported(-0.01, 0.0, 1), "0.0");
        assert_eq!(compact(Some(12.4)), "12");
        assert_eq!(compact(Some(9.94)), "9.9");
        assert_eq!(compact(Some(-0.01)), "0.0");
        assert_eq!(compact(None), "-");
        assert_eq!(compact_within(Some(3.21), 0.2), "3");
        assert_eq!(compact_within(Some(3.21), 0.0), "3.2");
    }

    #[test]
    fn axis_numbers_are_compact() {
        assert_eq!(axis_number(12_000_000.0), "12M");
        assert_eq!(axis_number(450_000.0), "450k");
        assert_eq!(axis_number(2.5), "2.5");
        assert_eq!(axis_number(250.0), "250");
        assert_eq!(axis_number(-0.0001), "0");
        assert_eq!(axis_number(0.25), "0.25");
    }

    #[test]
    fn message_numbers() {
        assert_eq!(money(123.4), "123");
        assert_eq!(money(12.34), "12.3");
        assert_eq!(short(1.5), "1.5");
        assert_eq!(short(2.0), "2");
        assert_eq!(short(1e300), "1e300");
        assert_eq!(short(-1.23456e12), "-1.235e12");
        assert_eq!(short(1.5e-7), "1.5e-7");
        assert_eq!(short(0.0), "0");
        assert_eq!(short(-0.0), "0");
        assert_eq!(short(999_999_999.0), "999999999");
        assert_eq!(short(f64::INFINITY), "inf");
        assert_eq!(money(-0.0001), "-1e-4");
        assert_eq!(money(0.0), "0.0");
        assert_eq!(money(1234.5678), "1235");
        assert_eq!(money(2.5e12), "2.5e12");
        assert_eq!(in_message(1e308).to_string(), "1e308");
        assert_eq!(in_message(0.5).to_string(), "0.5");
        assert_eq!(round_sig(1234.5), 1230.0);
    }

    #[test]
    fn byte_sizes_read_as_people_read_them() {
        assert_eq!(byte_size(65 << 20), "65 MB");
        assert_eq!(byte_size(4 << 30), "4 GB");
        assert_eq!(byte_size((9 << 30) / 2), "4.5 GB");
        assert_eq!(byte_size(12 << 30), "12 GB");
        assert_eq!(byte_size(17), "17 bytes");
    }
}
