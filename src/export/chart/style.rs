//! Sizes, colours (the palette) and axes shared by every chart; the
//! drawing they share is `scaffold`.

use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};
use plotters::style::RGBColor;

use crate::scenario::Scenario;

/// Width and height of every chart, pixels (the SVG scales in a browser).
pub(crate) const SIZE: (u32, u32) = (880, 440);
/// Font family: the viewer's default sans-serif.
pub(crate) const FONT: &str = "sans-serif";
/// Outer band (p5-p95).
pub(crate) const OUTER: RGBColor = RGBColor(198, 219, 239);
/// Inner band (p25-p75).
pub(crate) const INNER: RGBColor = RGBColor(120, 170, 214);
/// Median line.
pub(crate) const MEDIAN: RGBColor = RGBColor(8, 69, 148);
/// Plan and other reference lines.
pub(crate) const REFERENCE: RGBColor = RGBColor(217, 95, 2);
/// Target thresholds.
pub(crate) const TARGET: RGBColor = RGBColor(27, 120, 55);
/// Low ends (an input at its p10, in the tornado charts).
pub(crate) const LOW: RGBColor = RGBColor(33, 113, 181);
/// Colours of stacked series (counterparties), repeating.
pub(crate) const PALETTE: [RGBColor; 8] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
];

/// The x axis of a monthly chart: month indices 0 .. months-1 (at least one
/// unit wide, so a one-month horizon still has an axis).
pub(crate) fn month_range(months: usize) -> std::ops::Range<f64> {
    0.0..(months.saturating_sub(1).max(1)) as f64
}

/// The month axis: month indices as numbers, with ticks at chosen months
/// (plotters' own tick choice would put them at round indices, not at
/// calendar boundaries).
#[derive(Debug, Clone)]
pub(crate) struct MonthAxis {
    range: std::ops::Range<f64>,
    ticks: Vec<f64>,
}

impl MonthAxis {
    /// The axis of `scenario`'s horizon.
    pub(crate) fn new(scenario: &Scenario) -> MonthAxis {
        MonthAxis {
            range: month_range(scenario.months),
            ticks: month_key_points(scenario),
        }
    }
}

impl Ranged for MonthAxis {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        let span = self.range.end - self.range.start;
        let t = (value - self.range.start) / span;
        limit.0 + (t * f64::from(limit.1 - limit.0)).round() as i32
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        let max = hint.max_num_points().max(1);
        let stride = self.ticks.len().div_ceil(max).max(1);
        self.ticks.iter().copied().step_by(stride).collect()
    }

    fn range(&self) -> std::ops::Range<f64> {
        self.range.clone()
    }
}

/// Month indices to label: every January on long horizons, every half or
/// quarter year on shorter ones, always including the first month.
pub(crate) fn month_key_points(scenario: &Scenario) -> Vec<f64> {
    let months = scenario.months;
    let step = match months {
        0..=18 => 3,
        19..=48 => 6,
        49..=120 => 12,
        _ => 12 * (months / 120 + 1),
    };
    let mut points: Vec<f64> = (0..months)
        .filter(|&m| {
            let month = scenario.month(m);
            let moy = month.month_of_year() as usize;
            if step <= 12 {
                (moy - 1) % step == 0
            } else {
                moy == 1 && month.year() as usize % (step / 12) == 0
            }
        })
        .map(|m| m as f64)
        .collect();
    if points.first() != Some(&0.0) {
        // Keep the first month only if it is not crowding the next label.
        if points.first().is_none_or(|&p| p >= step as f64 / 2.0) {
            points.insert(0, 0.0);
        }
    }
    points
}

/// The `YYYY-MM` label of month index `x`.
pub(crate) fn month_label(scenario: &Scenario, x: f64) -> String {
    let m = x.round().max(0.0) as usize;
    scenario.month(m).to_string()
}

/// A y range holding every value, with a little headroom, never empty.
pub(crate) fn value_range(values: impl IntoIterator<Item = f64>) -> std::ops::Range<f64> {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in values.into_iter().filter(|v| v.is_finite()) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if !lo.is_finite() {
        return 0.0..1.0;
    }
    // Amounts read best against zero when zero is near.
    if lo > 0.0 && lo < 0.5 * hi {
        lo = 0.0;
    }
    if hi < 0.0 && hi > 0.5 * lo {
        hi = 0.0;
    }
    let span = hi - lo;
    if span <= 1e-12 * lo.abs().max(1.0) {
        let pad = lo.abs().max(1.0) * 0.1;
        return (lo - pad)..(hi + pad);
    }
    let lo = if lo == 0.0 { 0.0 } else { lo - 0.05 * span };
    (lo)..(hi + 0.08 * span)
}

/// A label (`Capacity online`) inside a sentence (`capacity online`): the
/// first letter lowercased unless the word is an abbreviation (`P(...)`).
pub(crate) fn in_sentence(label: &str) -> String {
    let mut chars = label.chars();
    match (chars.next(), chars.next()) {
        (Some(a), Some(b)) if b.is_lowercase() || b == ' ' => a
            .to_lowercase()
            .chain(label[a.len_utf8()..].chars())
            .collect(),
        _ => label.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_are_never_empty() {
        assert_eq!(value_range([]), 0.0..1.0);
        let r = value_range([3.0, 3.0]);
        assert!(r.start < 3.0 && r.end > 3.0);
        let r = value_range([1.0, 10.0]);
        assert_eq!(r.start, 0.0);
        assert!(r.end > 10.0);
    }
}
