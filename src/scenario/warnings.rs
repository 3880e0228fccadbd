//! Warnings about a valid scenario: things that are allowed but that a careful
//! analyst would want to look at. They never stop a run.
//!
//! - a contract whose linked tranches cannot pay its value within the horizon,
//!   even in the most favourable trial;
//! - a target that no trial can reach;
//! - an outside view that sums a stock or takes the end value of a flow;
//! - an uncertain input whose range is implausible for its unit (a delay of
//!   decades, a million-fold accelerator count, growth of 1000%/year).
//!
//! "Most favourable" uses each distribution's 0.1th and 99.9th percentiles
//! (the exact bounds for bounded distributions are no more informative), so a
//! warning about reachability means at most a very rare trial could differ.

use std::collections::HashMap;
use std::fmt;

use super::{
    Contract, FundingBasis, Input, PaymentBasis, Revenue, Scenario, Threshold, Tranche, ViewStat,
    ramp_fraction,
};
use crate::metric::{Metric, MetricKind};
use crate::number::readable;

/// One warning about a scenario item.
#[derive(Debug, Clone, PartialEq)]
pub struct Warning {
    /// Table of the item: `tranche`, `contract`, `funding`, `target`,
    /// `outside_view`, `revenue` or `costs`.
    pub table: &'static str,
    /// The item's name (empty for `revenue` and `costs`).
    pub name: String,
    /// What is doubtful.
    pub message: String,
}

impl Warning {
    fn new(table: &'static str, name: &str, message: String) -> Warning {
        Warning {
            table,
            name: name.to_string(),
            message,
        }
    }

    /// The item as shown: `contract "oracle"`, or `[revenue]`.
    pub fn item(&self) -> String {
        if self.name.is_empty() {
            format!("[{}]", self.table)
        } else {
            format!("{} \"{}\"", self.table, self.name)
        }
    }

    /// The 1-based line of the item in `source`: the `name = "..."` line of
    /// the matching `[[table]]`, or the `[table]` header. To place many
    /// warnings, build [`ItemLines`] once instead.
    pub fn line(&self, source: &str) -> Option<usize> {
        ItemLines::new(source).line(self)
    }

    /// `warning: path:line: item: message` (no line if it cannot be found).
    pub fn render(&self, path: &std::path::Path, source: Option<&str>) -> String {
        self.render_at(path, source.and_then(|s| self.line(s)))
    }

    /// [`Warning::render`] with the item's line already found.
    pub fn render_at(&self, path: &std::path::Path, line: Option<usize>) -> String {
        match line {
            Some(line) => format!(
                "warning: {}:{line}: {}: {}",
                path.display(),
                self.item(),
                self.message
            ),
            None => format!(
                "warning: {}: {}: {}",
                path.display(),
                self.item(),
                self.message
            ),
        }
    }
}

/// Where each item of a scenario's text is: the line of every `[table]`
/// header and of the `name = "..."` of every `[[table]]` item (the first of
/// each), found in one pass so that placing any number of warnings takes
/// time linear in the text.
#[derive(Debug, Clone, Default)]
pub struct ItemLines {
    /// (table, name) to 1-based line; the name is empty for `[table]`.
    lines: HashMap<(String, String), usize>,
}

impl ItemLines {
    /// Indexes `source`.
    pub fn new(source: &str) -> ItemLines {
        let mut lines = HashMap::new();
        let mut table: Option<String> = None;
        for (i, raw) in source.lines().enumerate() {
            let line = raw.trim();
            if line.starts_with('[') {
                let header: String = line
                    .split('#')
                    .next()
                    .unwrap_or("")
                    .chars()
                    .filter(|c| !c.is_whitespace())
                    .collect();
                table = header
                    .strip_prefix("[[")
                    .and_then(|h| h.strip_suffix("]]"))
                    .map(str::to_string);
                if let Some(name) = header
                    .strip_prefix('[')
                    .and_then(|h| h.strip_suffix(']'))
                    .filter(|_| table.is_none())
                {
                    lines
                        .entry((name.to_string(), String::new()))
                        .or_insert(i + 1);
                }
                continue;
            }
            if let Some(t) = &table {
                if let Some((key, value)) = line.split_once('=') {
                    let value = value.split('#').next().unwrap_or("").trim();
                    let name = value.trim_matches('"');
                    if key.trim() == "name" && !name.is_empty() {
                        lines.entry((t.clone(), name.to_string())).or_insert(i + 1);
                    }
                }
            }
        }
        ItemLines { lines }
    }

    /// The 1-based line of `warning`'s item, if found.
    pub fn line(&self, warning: &Warning) -> Option<usize> {
        self.lines
            .get(&(warning.table.to_string(), warning.name.clone()))
            .copied()
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.item(), self.message)
    }
}

const LOW: f64 = 0.001;
const HIGH: f64 = 0.999;

/// A high draw of `input` (its 99.9th percentile, clamped like a draw).
fn high(input: &Input) -> f64 {
    input.draw(HIGH)
}

/// A low draw of `input`.
fn low(input: &Input) -> f64 {
    input.draw(LOW)
}

/// A tranche in the most favourable trial: largest size, earliest
/// energisation, shortest ramp, most accelerators and PFLOP/s. Found once
/// per tranche, as each needs percentiles of its distributions.
struct Best {
    /// Whether it never arrives in any trial.
    never: bool,
    /// Shortest and longest delay, months.
    delay_low: f64,
    delay_high: f64,
    /// Earliest energisation, month index.
    energised: i32,
    /// Shortest ramp, months.
    ramp: i32,
    /// Largest size, GW.
    gw: f64,
    /// Most accelerators per GW.
    accelerators_per_gw: f64,
    /// Most PFLOP/s per accelerator (0 when not given).
    pflops_per_accelerator: f64,
}

impl Best {
    fn of(t: &Tranche) -> Best {
        Best {
            never: t.p_never >= 1.0,
            delay_low: low(&t.delay_months),
            delay_high: high(&t.delay_months),
            energised: t.planned_index + (low(&t.delay_months) + 0.5).floor() as i32,
            ramp: low(&t.ramp_months).round() as i32,
            gw: high(&t.gw),
            accelerators_per_gw: high(&t.accelerators_per_gw),
            pflops_per_accelerator: t.pflops_per_accelerator.as_ref().map_or(0.0, high),
        }
    }

    /// Largest capacity the tranche can have online in month `m`.
    fn online(&self, m: i32) -> f64 {
        if self.never {
            return 0.0;
        }
        self.gw * ramp_fraction(m - self.energised, self.ramp)
    }
}

/// USD bn in a warning: whole above 100, one decimal below (a huge or tiny
/// amount in scientific notation).
fn money(x: f64) -> String {
    if x.abs() >= 100.0 {
        readable(x, 0)
    } else if x.abs() >= 1e-3 || x == 0.0 {
        format!("{x:.1}")
    } else {
        readable(x, 1)
    }
}

/// A number in a warning: at most 3 decimals ([`readable`]).
fn number(x: f64) -> String {
    readable(x, 3)
}

/// Every warning about `scenario`, in file order of kinds: tranches,
/// contracts, revenue, costs, funding, targets, outside views.
pub fn warnings(scenario: &Scenario) -> Vec<Warning> {
    let mut out = Vec::new();
    plausible_ranges(scenario, &mut out);
    let best: Vec<Best> = scenario.tranches.iter().map(Best::of).collect();
    contracts_deliverable(scenario, &best, &mut out);
    targets_reachable(scenario, &best, &mut out);
    views_fit_their_metrics(scenario, &mut out);
    let order = |t: &str| {
        [
            "tranche",
            "contract",
            "revenue",
            "costs",
            "funding",
            "target",
            "outside_view",
        ]
        .iter()
        .position(|x| *x == t)
    };
    out.sort_by_key(|w| order(w.table));
    out
}

/// One plausibility check: the input, its key, and the plausible range with
/// the reason shown when a draw leaves it.
struct Check<'a> {
    table: &'static str,
    name: &'a str,
    key: &'a str,
    input: &'a Input,
    min: f64,
    max: f64,
    why: &'a str,
}

fn check_range(c: Check, out: &mut Vec<Warning>) {
    let (lo, hi) = (c.input.draw(0.01), c.input.draw(0.99));
    let constant = (hi - lo).abs() < 1e-12;
    let what = |v: f64, which: &str| {
        if constant {
            format!("`{}` is {}", c.key, number(v))
        } else {
            format!("`{}` reaches {} (its {which} percentile)", c.key, number(v))
        }
    };
    if hi > c.max {
        out.push(Warning::new(
            c.table,
            c.name,
            format!(
                "{}, above {} ({}); check the unit",
                what(hi, "99th"),
                number(c.max),
                c.why
            ),
        ));
    } else if lo < c.min {
        out.push(Warning::new(
            c.table,
            c.name,
            format!(
                "{}, below {} ({}); check the unit",
                what(lo, "1st"),
                number(c.min),
                c.why
            ),
        ));
    }
}

/// Inputs whose range is implausible for their unit, table by table.
fn plausible_ranges(s: &Scenario, out: &mut Vec<Warning>) {
    for t in &s.tranches {
        tranche_ranges(t, out);
    }
    for k in &s.contracts {
        contract_ranges(k, out);
    }
    if let Some(r) = &s.revenue {
        revenue_ranges(r, out);
    }
    check_range(
        Check {
            table: "costs",
            name: "",
            key: "running_usd_bn_per_gw_year",
            input: &s.costs.running_usd_bn_per_gw_year,
            min: f64::NEG_INFINITY,
            max: 20.0,
            why: "power and operations cost roughly USD 1-3 bn per GW-year",
        },
        out,
    );
    for f in &s.funding {
        if let FundingBasis::PerGw { usd_bn_per_gw, .. } = &f.basis {
            check_range(
                Check {
                    table: "funding",
                    name: &f.name,
                    key: "usd_bn_per_gw",
                    input: usd_bn_per_gw,
                    min: f64::NEG_INFINITY,
                    max: 200.0,
                    why: "more than the systems of a GW cost",
                },
                out,
            );
        }
    }
}

/// A tranche's size, delay, ramp, accelerators and PFLOP/s.
fn tranche_ranges(t: &Tranche, out: &mut Vec<Warning>) {
    let inf = f64::INFINITY;
    let mut c = |key, input, min, max, why| {
        check_range(
            Check {
                table: "tranche",
                name: &t.name,
                key,
                input,
                min,
                max,
                why,
            },
            out,
        );
    };
    c(
        "gw",
        &t.gw,
        -inf,
        20.0,
        "the largest campuses announced are about 5-10 GW",
    );
    c(
        "delay_months",
        &t.delay_months,
        -24.0,
        120.0,
        "more than 10 years late or 2 years early",
    );
    c(
        "ramp_months",
        &t.ramp_months,
        -inf,
        60.0,
        "a ramp of more than 5 years",
    );
    c(
        "accelerators_per_gw",
        &t.accelerators_per_gw,
        10_000.0,
        2_000_000.0,
        "1 GW holds roughly 300,000-700,000 GPUs at 1.4-3 kW each all-in, or ~40,000 wafer-scale systems",
    );
    if let Some(p) = &t.pflops_per_accelerator {
        c(
            "pflops_per_accelerator",
            p,
            -inf,
            200.0,
            "current accelerators peak at about 2-20 PFLOP/s",
        );
    }
}

/// A contract's price, if it has one.
fn contract_ranges(k: &Contract, out: &mut Vec<Warning>) {
    let (key, input, max, why) = match &k.basis {
        PaymentBasis::PayAsDelivered {
            usd_bn_per_gw_year, ..
        } => (
            "usd_bn_per_gw_year",
            usd_bn_per_gw_year,
            100.0,
            "cloud capacity rents for roughly USD 10-20 bn per GW-year",
        ),
        PaymentBasis::Purchase { usd_bn_per_gw, .. }
        | PaymentBasis::Lease { usd_bn_per_gw, .. } => (
            "usd_bn_per_gw",
            usd_bn_per_gw,
            200.0,
            "accelerators and systems cost roughly USD 30-50 bn per GW",
        ),
        PaymentBasis::TakeOrPay { .. } => return,
    };
    check_range(
        Check {
            table: "contract",
            name: &k.name,
            key,
            input,
            min: f64::NEG_INFINITY,
            max,
            why,
        },
        out,
    );
}

/// Revenue growth, each year, and revenue per GW-year.
fn revenue_ranges(r: &Revenue, out: &mut Vec<Warning>) {
    for (year, g) in r.annual_growth.iter().enumerate() {
        let key = if r.annual_growth.len() > 1 {
            format!("annual_growth (year {})", year + 1)
        } else {
            "annual_growth".to_string()
        };
        check_range(
            Check {
                table: "revenue",
                name: "",
                key: &key,
                input: g,
                min: -0.9,
                max: 3.0,
                why: "a fraction per year: 3 is +300%/year",
            },
            out,
        );
    }
    check_range(
        Check {
            table: "revenue",
            name: "",
            key: "usd_bn_per_gw_year",
            input: &r.usd_bn_per_gw_year,
            min: f64::NEG_INFINITY,
            max: 100.0,
            why: "one GW earns roughly USD 10-20 bn a year",
        },
        out,
    );
}

/// Contracts whose linked tranches cannot pay their value within the
/// horizon, even in the most favourable trial.
fn contracts_deliverable(s: &Scenario, best: &[Best], out: &mut Vec<Warning>) {
    let end = s.end();
    for k in &s.contracts {
        let (most, how) = match &k.basis {
            // A lease's payments run past the horizon by design.
            PaymentBasis::TakeOrPay { .. } | PaymentBasis::Lease { .. } => continue,
            PaymentBasis::PayAsDelivered {
                usd_bn_per_gw_year,
                tranches,
            } => (
                most_delivered(s, best, k, usd_bn_per_gw_year, tranches),
                "even with its tranches at their largest, earliest and fastest and the highest price",
            ),
            PaymentBasis::Purchase {
                usd_bn_per_gw,
                tranches,
                lead_months,
            } => (
                most_purchased(s, best, k, usd_bn_per_gw, tranches, *lead_months),
                "even with its tranches at their largest and the highest price",
            ),
        };
        if most < k.value_usd_bn * (1.0 - 1e-6) {
            out.push(Warning::new(
                "contract",
                &k.name,
                format!(
                    "its linked tranches can pay at most USD {} bn of its USD {} bn value by {end}, {how}; \
                     the rest falls after the horizon or is never paid",
                    money(most),
                    money(k.value_usd_bn)
                ),
            ));
        }
    }
}

/// Most a pay-as-delivered contract `k` can pay within the horizon, USD bn:
/// the highest price on the most GW-months its `tranches` can be online.
fn most_delivered(
    s: &Scenario,
    best: &[Best],
    k: &Contract,
    price: &Input,
    tranches: &[usize],
) -> f64 {
    let months = s.months as i32;
    let start = k.start_index.max(0);
    let price = high(price) / 12.0;
    let gw_months: f64 = (start..months)
        .map(|m| tranches.iter().map(|&j| best[j].online(m)).sum::<f64>())
        .sum();
    price * gw_months
}

/// Most a purchase contract `k` can pay within the horizon, USD bn: the
/// highest price on the largest size of each of its `tranches` whose payment
/// (due `lead_months` before energisation) can fall inside the horizon.
fn most_purchased(
    s: &Scenario,
    best: &[Best],
    k: &Contract,
    price: &Input,
    tranches: &[usize],
    lead_months: i32,
) -> f64 {
    let months = s.months as i32;
    let price = high(price);
    tranches
        .iter()
        .map(|&j| {
            let (t, b) = (&s.tranches[j], &best[j]);
            if b.never {
                return 0.0;
            }
            let due = |d: f64| {
                (t.planned_index + (d + 0.5).floor() as i32 - lead_months).max(k.start_index)
            };
            let (first, last) = (due(b.delay_low), due(b.delay_high));
            // Paid inside the horizon in some trial?
            if first < months && last >= 0 {
                b.gw * price
            } else {
                0.0
            }
        })
        .sum()
}

/// Targets that no trial can reach.
fn targets_reachable(s: &Scenario, best: &[Best], out: &mut Vec<Warning>) {
    let end = s.end();
    for t in &s.targets {
        match t.threshold {
            Threshold::AtLeast(v) => {
                let Some((most, unit)) = most_by_end(s, best, t.metric) else {
                    continue;
                };
                if v > most * (1.0 + 1e-9) {
                    out.push(Warning::new(
                        "target",
                        &t.name,
                        format!(
                            "no trial can reach `{}` >= {}: it is at most {} {unit} by {end}, \
                             even with every tranche at its largest, earliest and fastest",
                            t.metric.name(),
                            number(v),
                            number(most)
                        ),
                    ));
                }
            }
            Threshold::AtMost(v) => {
                if is_never_negative(t.metric) && v < 0.0 {
                    out.push(Warning::new(
                        "target",
                        &t.name,
                        format!(
                            "no trial can reach `{}` <= {}: the metric is never negative",
                            t.metric.name(),
                            number(v)
                        ),
                    ));
                }
            }
        }
    }
}

/// Outside views whose statistic does not suit their metric: a sum of a
/// stock (a level month after month) or the end value of a flow (one
/// month's amount).
fn views_fit_their_metrics(s: &Scenario, out: &mut Vec<Warning>) {
    for v in &s.outside_views {
        let message = match (v.stat, v.metric.kind()) {
            (ViewStat::Sum, MetricKind::Stock) => format!(
                "`stat = \"sum\"` adds up `{}`, a stock (a level at each month's end), over {} months; \"end\" takes its value in `to`",
                v.metric.name(),
                v.to_index - v.from_index + 1
            ),
            (ViewStat::End, MetricKind::Flow) => format!(
                "`stat = \"end\"` takes one month of `{}`, a flow (an amount per month); \"sum\" totals it over the window",
                v.metric.name()
            ),
            _ => continue,
        };
        out.push(Warning::new("outside_view", &v.name, message));
    }
}

/// The largest value `metric` can have in the last month of the horizon,
/// with every tranche at its largest, earliest and fastest, and its unit;
/// `None` for the metrics this does not bound.
fn most_by_end(s: &Scenario, best: &[Best], metric: Metric) -> Option<(f64, &'static str)> {
    let last = s.months as i32 - 1;
    let online =
        |f: &dyn Fn(&Best) -> f64| -> f64 { best.iter().map(|b| b.online(last) * f(b)).sum() };
    let most = match metric {
        Metric::CapacityOnlineGw => (online(&|_| 1.0), "GW"),
        Metric::CapacityPlannedGw => (
            s.tranches
                .iter()
                .zip(best)
                .map(|(tr, b)| b.gw * ramp_fraction(last - tr.planned_index, b.ramp))
                .sum(),
            "GW",
        ),
        Metric::AcceleratorsOnline => (online(&|b| b.accelerators_per_gw), "accelerators"),
        Metric::ComputeOnlineEflops => (
            online(&|b| b.accelerators_per_gw * b.pflops_per_accelerator / 1000.0),
            "EFLOP/s",
        ),
        _ => return None,
    };
    Some(most)
}

/// Whether `metric` is never negative in any trial.
fn is_never_negative(metric: Metric) -> bool {
    matches!(
        metric,
        Metric::CapacityOnlineGw
            | Metric::CapacityPlannedGw
            | Metric::AcceleratorsOnline
            | Metric::ComputeOnlineEflops
            | Metric::ComputePaymentsUsdBn
            | Metric::CumulativeComputePaymentsUsdBn
            | Metric::RevenueUsdBn
            | Metric::RevenueRunRateUsdBn
            | Metric::FundingUsdBn
            | Metric::FundingGapUsdBn
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    const BASE: &str = r#"
[scenario]
name = "w"
start = "2026-01"
end = "2027-12"

[[tranche]]
name = "site-a"
counterparty = "X"
gw = 1
planned = "2026-06"
ramp_months = 6
accelerators_per_gw = 400000
"#;

    fn warnings_of(extra: &str) -> Vec<Warning> {
        let text = format!("{BASE}{extra}");
        let s = Scenario::parse(&text, Path::new("w.toml")).expect("valid");
        warnings(&s)
    }

    #[test]
    fn a_sound_scenario_has_no_warnings() {
        let w = warnings_of(
            r#"
[[contract]]
name = "cloud"
counterparty = "X"
basis = "pay_as_delivered"
value_usd_bn = 5
start = "2026-01"
term_months = 12
tranches = ["site-a"]
usd_bn_per_gw_year = 12

[[target]]
name = "one-gw"
metric = "capacity_online_gw"
at_least = 1
"#,
        );
        assert!(w.is_empty(), "{w:?}");
    }

    #[test]
    fn contract_that_cannot_be_paid_within_the_horizon() {
        // 1 GW from 2026-06 ramping over 6 months: about 16.5 GW-months by
        // 2027-12, at 12 bn per GW-year about 16.5 bn, short of 100.
        let w = warnings_of(
            r#"
[[contract]]
name = "oracle"
counterparty = "X"
basis = "pay_as_delivered"
value_usd_bn = 100
start = "2026-01"
term_months = 60
tranches = ["site-a"]
usd_bn_per_gw_year = 12
"#,
        );
        assert_eq!(w.len(), 1, "{w:?}");
        assert_eq!(w[0].item(), "contract \"oracle\"");
        assert!(
            w[0].message
                .contains("at most USD 16.5 bn of its USD 100 bn value by 2027-12"),
            "{}",
            w[0].message
        );
    }

    #[test]
    fn purchase_beyond_what_the_tranches_cost() {
        let w = warnings_of(
            r#"
[[contract]]
name = "chips"
counterparty = "X"
basis = "purchase"
value_usd_bn = 60
start = "2026-01"
term_months = 24
tranches = ["site-a"]
usd_bn_per_gw = { dist = "uniform", min = 30, max = 40 }
"#,
        );
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(
            w[0].message
                .contains("at most USD 40.0 bn of its USD 60.0 bn"),
            "{}",
            w[0].message
        );
    }

    #[test]
    fn unreachable_targets() {
        let w = warnings_of(
            r#"
[[target]]
name = "five-gw"
metric = "capacity_online_gw"
at_least = 5

[[target]]
name = "negative-gap"
metric = "funding_gap_usd_bn"
at_most = -1
"#,
        );
        assert_eq!(w.len(), 2, "{w:?}");
        assert!(
            w[0].message.contains("at most 1 GW by 2027-12"),
            "{}",
            w[0].message
        );
        assert!(w[1].message.contains("never negative"));
    }

    #[test]
    fn implausible_units() {
        let text =
            BASE.replace(
                "ramp_months = 6",
                "ramp_months = 6\ndelay_months = { dist = \"uniform\", min = 0, max = 600 }",
            )
            .replace(
                "accelerators_per_gw = 400000",
                "accelerators_per_gw = 4000000",
            ) + "\n[revenue]\nrun_rate_usd_bn = 10\nannual_growth = 5\nusd_bn_per_gw_year = 10\n";
        let s = Scenario::parse(&text, Path::new("w.toml")).expect("valid");
        let w = warnings(&s);
        let text_of: Vec<String> = w.iter().map(|w| w.to_string()).collect();
        assert_eq!(w.len(), 3, "{text_of:#?}");
        assert!(
            text_of[0].starts_with(
                "tranche \"site-a\": `delay_months` reaches 594 (its 99th percentile), above 120"
            ),
            "{}",
            text_of[0]
        );
        assert!(
            text_of[1].contains("`accelerators_per_gw` is 4000000, above 2000000"),
            "{}",
            text_of[1]
        );
        assert!(
            text_of[2].starts_with("[revenue]: `annual_growth` is 5, above 3"),
            "{}",
            text_of[2]
        );
        // Lines point at the item.
        assert_eq!(w[0].line(&text), Some(8));
        assert_eq!(
            w[2].line(&text),
            text.lines().position(|l| l == "[revenue]").map(|i| i + 1)
        );
    }
}
