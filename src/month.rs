//! Calendar months (`YYYY-MM`), the time step of every simulation.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A calendar month, such as 2026-07.
///
/// Stored as months since January of year 0 so that month arithmetic is integer
/// arithmetic.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month(i32);

/// Why a text is not a month.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("expected a month as \"YYYY-MM\" (for example \"2026-07\"), got {0:?}")]
pub struct MonthParseError(pub String);

impl Month {
    /// The month `month` (1-12) of `year`; `None` if out of range.
    pub fn new(year: i32, month: u32) -> Option<Month> {
        if !(1..=12).contains(&month) || !(1000..=9999).contains(&year) {
            return None;
        }
        Some(Month(year * 12 + month as i32 - 1))
    }

    /// Calendar year.
    pub fn year(self) -> i32 {
        self.0.div_euclid(12)
    }

    /// Month of the year, 1-12.
    pub(crate) fn month_of_year(self) -> u32 {
        self.0.rem_euclid(12) as u32 + 1
    }

    /// The month `n` months later (earlier if negative).
    #[must_use]
    pub fn plus(self, n: i32) -> Month {
        Month(self.0 + n)
    }

    /// Number of months from `earlier` to `self` (negative if `self` is earlier).
    pub(crate) fn months_since(self, earlier: Month) -> i32 {
        self.0 - earlier.0
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year(), self.month_of_year())
    }
}

impl FromStr for Month {
    type Err = MonthParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || MonthParseError(s.to_string());
        let bytes = s.as_bytes();
        if bytes.len() != 7 || bytes[4] != b'-' {
            return Err(err());
        }
        let all_digits = |b: &[u8]| b.iter().all(u8::is_ascii_digit);
        if !all_digits(&bytes[..4]) || !all_digits(&bytes[5..]) {
            return Err(err());
        }
        let year: i32 = s[..4].parse().map_err(|_| err())?;
        let month: u32 = s[5..].parse().map_err(|_| err())?;
        Month::new(year, month).ok_or_else(err)
    }
}

impl Serialize for Month {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Month {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Month;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a month as a quoted \"YYYY-MM\" string")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Month, E> {
                v.parse().map_err(E::custom)
            }
        }
        deserializer.deserialize_str(Visitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_iso_months() {
        let m: Month = "2025-11".parse().unwrap();
        assert_eq!(m.year(), 2025);
        assert_eq!(m.month_of_year(), 11);
        assert_eq!(m.to_string(), "2025-11");
        assert_eq!(m.plus(2).to_string(), "2026-01");
        assert_eq!(m.plus(-11).to_string(), "2024-12");
        assert_eq!(m.plus(14).months_since(m), 14);
    }

    #[test]
    fn rejects_malformed_months() {
        for bad in [
            "2025-13",
            "2025-00",
            "2025-1",
            "25-11",
            "2025/11",
            "2025-1a",
            "",
            "２０２５-11",
        ] {
            assert!(bad.parse::<Month>().is_err(), "{bad:?} should be rejected");
        }
    }
}
