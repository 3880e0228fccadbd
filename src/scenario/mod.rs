//! Scenarios: what is read from a TOML file, checked, and handed to the model.
//!
//! [`Scenario::parse`] turns text into a validated [`Scenario`] or a list of
//! [`Diagnostic`](crate::error::Diagnostic)s that point into the file.

pub mod edit;
mod inputs;
mod raw;
mod uncertain;
mod validate;
pub mod warnings;

use std::path::Path;

pub use inputs::{DrawPlan, StreamKeys, tranche_slot};
pub use uncertain::DISTRIBUTIONS;

use crate::distribution::Uncertain;
use crate::error::ScenarioError;
use crate::metric::Metric;
use crate::month::Month;
use crate::period::Period;
use crate::rng::ComponentId;

/// Default number of trials when neither the scenario nor `--trials` sets it.
pub const DEFAULT_TRIALS: u64 = 10_000;
/// Default seed.
pub const DEFAULT_SEED: u64 = 1;
/// Default percentiles reported, in percent.
pub const DEFAULT_PERCENTILES: [f64; 7] = [5.0, 10.0, 25.0, 50.0, 75.0, 90.0, 95.0];
/// Most trials one run may ask for.
pub const MAX_TRIALS: u64 = 10_000_000_000;
/// Longest horizon, in months.
pub const MAX_MONTHS: usize = 1200;
/// Most tranches, contracts, funding events or targets of each kind.
pub const MAX_ITEMS: usize = 10_000;

/// An uncertain input of the model, with the range its draws are clamped to.
#[derive(Debug, Clone, PartialEq)]
pub struct Input {
    /// Dotted path of the input in the scenario, such as `tranche.abilene.delay_months`.
    pub path: String,
    /// Its distribution (in the input's own unit).
    pub dist: Uncertain,
    /// Smallest value a draw may take.
    pub min: f64,
    /// Largest value a draw may take.
    pub max: f64,
}

impl Input {
    /// The value for uniform draw `u` in (0, 1).
    #[inline]
    pub fn draw(&self, u: f64) -> f64 {
        match &self.dist {
            Uncertain::Constant(v) => *v,
            d => d.quantile(u).clamp(self.min, self.max),
        }
    }

    /// The median, clamped like a draw.
    pub fn median(&self) -> f64 {
        self.draw(0.5)
    }
}

/// Whether a tranche is contracted or an option (a non-binding letter of intent).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrancheStatus {
    /// Signed and binding.
    Binding,
    /// Non-binding: may never be exercised (see `p_never`).
    Option,
}

/// What must hold in a trial, in an option's decision month, for the option
/// to be exercised. Every condition given must hold; `None` is no condition.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Condition {
    /// Demand run rate over what capacity online can earn (capacity online x
    /// revenue per GW-year) at least this: 1 means revenue is
    /// compute-constrained. With nothing earning, the ratio is infinite if
    /// demand is above 0 and 0 if demand is 0 too.
    pub demand_over_capacity_at_least: Option<f64>,
    /// Demand run rate at least this, USD bn/year.
    pub demand_run_rate_at_least: Option<f64>,
    /// Month-end cash at least this, USD bn.
    pub cash_at_least: Option<f64>,
    /// Funding need to date at most this, USD bn.
    pub funding_need_at_most: Option<f64>,
}

impl Condition {
    /// Whether the condition holds for a trial's month with this demand
    /// run rate and capacity earning power (both USD bn/year), cash and
    /// funding need (USD bn).
    pub fn holds(&self, demand: f64, capacity: f64, cash: f64, need: f64) -> bool {
        let ratio = if capacity > 0.0 {
            demand / capacity
        } else if demand > 0.0 {
            f64::INFINITY
        } else {
            0.0
        };
        self.demand_over_capacity_at_least
            .is_none_or(|x| ratio >= x)
            && self.demand_run_rate_at_least.is_none_or(|x| demand >= x)
            && self.cash_at_least.is_none_or(|x| cash >= x)
            && self.funding_need_at_most.is_none_or(|x| need <= x)
    }
}

/// An option decided in a trial's own state at a month of the horizon.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Decision {
    /// Month index (from the horizon start) the option is decided in.
    pub month_index: usize,
    /// What must hold then for it to be exercised.
    pub condition: Condition,
}

/// A block of data-centre capacity with its own timing.
#[derive(Debug, Clone, PartialEq)]
pub struct Tranche {
    /// Unique name.
    pub name: String,
    /// Who delivers it.
    pub counterparty: String,
    /// Free-text description.
    pub description: String,
    /// Binding or option.
    pub status: TrancheStatus,
    /// Size, GW of facility power.
    pub gw: Input,
    /// Planned energisation month, as an index from the horizon start (may be negative).
    pub planned_index: i32,
    /// Delay past the planned month, months (negative is early); rounded to
    /// the nearest whole month.
    pub delay_months: Input,
    /// Months from energisation to full power (0 is a step).
    pub ramp_months: Input,
    /// Probability it never arrives (cancelled, or an option not exercised).
    pub p_never: f64,
    /// Accelerators per GW.
    pub accelerators_per_gw: Input,
    /// PFLOP/s per accelerator, if given.
    pub pflops_per_accelerator: Option<Input>,
    /// Whether the lab owns it (and pays its running costs).
    pub owned: bool,
    /// Loadings of its delay on common shocks: (shock index, weight). The
    /// delay's normal score is `sum(w z_shock) + sqrt(1 - sum(w^2)) z_own`, so
    /// its distribution is unchanged and its rank correlation with another
    /// tranche loading on the same shock comes from the product of weights.
    pub delay_shocks: Vec<(usize, f64)>,
    /// For an option exercised on need: when and on what condition. An
    /// option not exercised never arrives; one exercised energises, and its
    /// purchase or lease payments fall due, no earlier than the month after.
    pub decision: Option<Decision>,
    /// Random-stream identifier.
    pub component: ComponentId,
    /// Years from energisation to the end of life of its systems, if they
    /// have one (`None`: they never reach it).
    pub life_years: Option<Input>,
    /// What happens at the end of life (only with `life_years`).
    pub end_of_life: EndOfLife,
}

/// What happens to a tranche's systems at the end of their life.
#[derive(Debug, Clone, PartialEq)]
pub enum EndOfLife {
    /// Retired: the tranche's capacity goes offline.
    Retire,
    /// Replaced at a price, every life, and the capacity stays online.
    Refresh {
        /// Price of the new systems, USD bn per GW of the tranche's size.
        usd_bn_per_gw: Input,
    },
}

/// Fraction of a tranche's power online `k` months after energisation with a
/// linear ramp of `ramp` months: 1/ramp, 2/ramp, ... 1. Zero before energisation.
#[inline]
pub(crate) fn ramp_fraction(k: i32, ramp: i32) -> f64 {
    if k < 0 {
        0.0
    } else if ramp <= 0 || k + 1 >= ramp {
        1.0
    } else {
        f64::from(k + 1) / f64::from(ramp)
    }
}

/// How a contract turns capacity into payments.
#[derive(Debug, Clone, PartialEq)]
pub enum PaymentBasis {
    /// A fixed schedule owed whatever is delivered.
    TakeOrPay {
        /// Payment due in each month of the horizon, USD bn.
        schedule: Vec<f64>,
        /// Payments of the schedule due before the horizon, USD bn (not
        /// simulated; for the deals ledger).
        before_usd_bn: f64,
        /// Payments of the schedule due after the horizon, USD bn (not
        /// simulated; for the deals ledger).
        after_usd_bn: f64,
    },
    /// Payments accrue per GW-month online in the linked tranches until the
    /// contract's value is paid, so delays move payments later.
    PayAsDelivered {
        /// Price, USD bn per GW-year.
        usd_bn_per_gw_year: Input,
        /// Indices of the linked tranches.
        tranches: Vec<usize>,
    },
    /// A payment per GW when a linked tranche is delivered (chips, systems).
    Purchase {
        /// Price, USD bn per GW.
        usd_bn_per_gw: Input,
        /// Indices of the linked tranches.
        tranches: Vec<usize>,
        /// Months before energisation the payment falls due.
        lead_months: i32,
    },
    /// The systems of each linked tranche paid for over the term as a level
    /// monthly payment (an annuity), from around delivery (leases, vendor
    /// financing).
    Lease {
        /// Price of the systems financed, USD bn per GW (the principal).
        usd_bn_per_gw: Input,
        /// Annual interest rate of the lease, a fraction (0.08 = 8% a year).
        rate: Input,
        /// Indices of the linked tranches.
        tranches: Vec<usize>,
        /// Months before energisation the first payment falls due.
        lead_months: i32,
    },
}

/// A spending commitment.
#[derive(Debug, Clone, PartialEq)]
pub struct Contract {
    /// Unique name.
    pub name: String,
    /// Who is paid.
    pub counterparty: String,
    /// Free-text description.
    pub description: String,
    /// Total value, USD bn; payments never exceed it (for a lease: the
    /// principal financed never exceeds it; interest comes on top).
    pub value_usd_bn: f64,
    /// First month payments may fall due, index from the horizon start.
    pub start_index: i32,
    /// Nominal term, months.
    pub term_months: u32,
    /// How payments are computed.
    pub basis: PaymentBasis,
    /// Random-stream identifier.
    pub component: ComponentId,
}

/// Revenue demand and the capacity cap on it.
#[derive(Debug, Clone, PartialEq)]
pub struct Revenue {
    /// Annualised revenue demand in the first month, USD bn/year.
    pub run_rate_usd_bn: Input,
    /// Annual growth rate of demand (0.5 = +50%/year), one per horizon year,
    /// the last repeating.
    pub annual_growth: Vec<Input>,
    /// Revenue capacity online can earn, USD bn per GW-year.
    pub usd_bn_per_gw_year: Input,
}

/// Costs other than compute contracts.
#[derive(Debug, Clone, PartialEq)]
pub struct Costs {
    /// Running costs (power, operations) of owned capacity online, USD bn per GW-year.
    pub running_usd_bn_per_gw_year: Input,
    /// Other operating costs, USD bn/year, one per horizon year, the last repeating.
    pub other_usd_bn_per_year: Vec<Input>,
    /// Share of revenue paid to partners, fraction 0-1.
    pub revenue_share: Input,
}

/// A source of new money.
#[derive(Debug, Clone, PartialEq)]
pub enum FundingBasis {
    /// One amount in one month.
    Lump {
        /// Amount, USD bn.
        amount_usd_bn: Input,
        /// Month index from the horizon start.
        month_index: usize,
    },
    /// Money per GW delivered in the linked tranches (vendor financing).
    PerGw {
        /// USD bn per GW delivered.
        usd_bn_per_gw: Input,
        /// Indices of the linked tranches.
        tranches: Vec<usize>,
        /// Cap on the total, USD bn.
        max_usd_bn: f64,
    },
}

/// A funding event.
#[derive(Debug, Clone, PartialEq)]
pub struct Funding {
    /// Unique name.
    pub name: String,
    /// Free-text description.
    pub description: String,
    /// Probability it happens at all.
    pub probability: f64,
    /// Lump or per GW.
    pub basis: FundingBasis,
    /// Random-stream identifier.
    pub component: ComponentId,
}

/// How a funding gap is paid for (the `[financing]` table).
#[derive(Debug, Clone, PartialEq)]
pub struct Financing {
    /// Annual interest rate on negative cash, a fraction (0.09 = 9% a year),
    /// charged monthly on the previous month-end balance.
    pub debt_rate: Input,
    /// Size of one equity raise, USD bn: 0 (no equity is raised) or 1e-6
    /// to 1e6.
    pub equity_block_usd_bn: f64,
    /// Fraction of each equity raise lost to fees and discount (0-0.9).
    pub equity_cost: Input,
    /// Most equity raised over the horizon, USD bn (gross).
    pub equity_max_usd_bn: f64,
}

/// Direction of a target threshold.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Threshold {
    /// Met when the metric is at least the value.
    AtLeast(f64),
    /// Met when the metric is at most the value.
    AtMost(f64),
}

/// A named threshold on a metric, reported as the month first met.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    /// Unique name.
    pub name: String,
    /// The metric watched.
    pub metric: Metric,
    /// The threshold.
    pub threshold: Threshold,
    /// What the threshold is compared with: each month's value
    /// ([`Period::Month`]) or each calendar year's ([`Period::Year`]: flows
    /// summed over the year's months inside the horizon, stocks at its last
    /// month inside the horizon).
    pub period: Period,
}

impl Target {
    /// Whether `value` meets the target.
    #[inline]
    pub fn is_met(&self, value: f64) -> bool {
        match self.threshold {
            Threshold::AtLeast(t) => value >= t,
            Threshold::AtMost(t) => value <= t,
        }
    }
}

/// How an outside view reduces its window of months to one number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ViewStat {
    /// The sum over the window's months (for flows).
    Sum,
    /// The value in the window's last month (for stocks).
    End,
}

impl ViewStat {
    /// Name as written in the scenario.
    pub fn name(self) -> &'static str {
        match self {
            ViewStat::Sum => "sum",
            ViewStat::End => "end",
        }
    }
}

/// A published figure (a company plan, an analyst's forecast) that the
/// scenario's answer is checked against: each trial's value of `metric`
/// over a window of months, set beside `value`.
#[derive(Debug, Clone, PartialEq)]
pub struct OutsideView {
    /// Unique name; the outcomes are `view_<name>` and `view_<name>_below`.
    pub name: String,
    /// Free-text description.
    pub description: String,
    /// The metric (not an event).
    pub metric: Metric,
    /// First month of the window, index from the horizon start.
    pub from_index: usize,
    /// Last month of the window, index from the horizon start (>= `from_index`).
    pub to_index: usize,
    /// Sum over the window or value at its end.
    pub stat: ViewStat,
    /// The published figure, in the metric's unit (per month dropped for sums).
    pub value: f64,
    /// Key of the source (in `scenarios/SOURCES.md`), free text.
    pub source: String,
}

impl OutsideView {
    /// The unit of the view's outcome: the metric's, with "/month" dropped
    /// for a sum.
    pub fn unit(&self) -> &'static str {
        let unit = self.metric.unit();
        match self.stat {
            ViewStat::Sum => unit.strip_suffix("/month").unwrap_or(unit),
            ViewStat::End => unit,
        }
    }

    /// The view's value in one trial, from `values`, the metric's monthly
    /// series over the whole horizon.
    #[inline]
    pub fn evaluate(&self, values: &[f64]) -> f64 {
        let window = &values[self.from_index..=self.to_index];
        match self.stat {
            ViewStat::Sum => window.iter().sum(),
            ViewStat::End => window[window.len() - 1],
        }
    }
}

/// A common shock (grid, chip supply) that many tranches' delays load on.
#[derive(Debug, Clone, PartialEq)]
pub struct Shock {
    /// Unique name.
    pub name: String,
    /// Free-text description.
    pub description: String,
    /// Random-stream identifier.
    pub component: ComponentId,
}

/// Rank correlation among uncertain inputs, imposed with a Gaussian copula.
#[derive(Debug, Clone, PartialEq)]
pub struct Correlation {
    /// Input paths, as in `trials.csv` (e.g. `tranche.abilene.delay_months`).
    pub inputs: Vec<String>,
    /// Spearman rank correlations, a symmetric matrix with unit diagonal.
    pub spearman: Vec<Vec<f64>>,
}

/// A validated scenario, ready to simulate.
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    /// Display name.
    pub name: String,
    /// Free-text description.
    pub description: String,
    /// First month of the horizon.
    pub start: Month,
    /// Number of monthly steps (the end month is included).
    pub months: usize,
    /// Trials to run unless overridden.
    pub trials: u64,
    /// Seed unless overridden.
    pub seed: u64,
    /// Percentiles to report, in percent, increasing.
    pub percentiles: Vec<f64>,
    /// Capacity tranches.
    pub tranches: Vec<Tranche>,
    /// Compute contracts.
    pub contracts: Vec<Contract>,
    /// Revenue model; `None` means no revenue.
    pub revenue: Option<Revenue>,
    /// Other costs.
    pub costs: Costs,
    /// Cash at the start, USD bn.
    pub start_cash_usd_bn: f64,
    /// Cash below this is a shortfall, USD bn.
    pub cash_floor_usd_bn: f64,
    /// How a funding gap is paid for; `None` means it costs nothing and
    /// nothing is raised.
    pub financing: Option<Financing>,
    /// Funding events.
    pub funding: Vec<Funding>,
    /// Targets.
    pub targets: Vec<Target>,
    /// Common shock factors.
    pub shocks: Vec<Shock>,
    /// Rank correlations among inputs.
    pub correlations: Vec<Correlation>,
    /// Published figures to check the answer against.
    pub outside_views: Vec<OutsideView>,
}

impl Scenario {
    /// Parses and validates scenario text. `path` is used in messages only.
    pub fn parse(text: &str, path: &Path) -> Result<Scenario, ScenarioError> {
        validate::parse(text, path)
    }

    /// Reads and validates a scenario file: a regular file of at most 64 MB
    /// ([`crate::file::MAX_SCENARIO_BYTES`]); a folder, device or pipe is
    /// refused before it is read.
    pub fn load(path: &Path) -> Result<Scenario, ScenarioError> {
        let bytes = validate::read_limited(path)?;
        let text = String::from_utf8(bytes).map_err(|e| {
            let offset = e.utf8_error().valid_up_to();
            let bytes = e.as_bytes();
            // The text before the bad byte is valid, so it counts in characters.
            let before = std::str::from_utf8(&bytes[..offset]).unwrap_or_default();
            let line_start = before.rfind('\n').map_or(0, |i| i + 1);
            ScenarioError::NotText {
                path: path.to_path_buf(),
                offset,
                line: before.matches('\n').count() + 1,
                column: before[line_start..].chars().count() + 1,
                byte: bytes[offset],
            }
        })?;
        Scenario::parse(&text, path)
    }

    /// The month at index `i` from the horizon start.
    pub fn month(&self, i: usize) -> Month {
        self.start.plus(i as i32)
    }

    /// The last month of the horizon.
    pub fn end(&self) -> Month {
        self.month(self.months - 1)
    }

    /// Whether any tranche reports compute (PFLOP/s per accelerator).
    pub(crate) fn has_compute(&self) -> bool {
        self.tranches
            .iter()
            .any(|t| t.pflops_per_accelerator.is_some())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ramp_is_linear_to_full_power() {
        assert_eq!(ramp_fraction(-1, 3), 0.0);
        assert_eq!(ramp_fraction(0, 0), 1.0);
        assert!((ramp_fraction(0, 3) - 1.0 / 3.0).abs() < 1e-15);
        assert!((ramp_fraction(1, 3) - 2.0 / 3.0).abs() < 1e-15);
        assert_eq!(ramp_fraction(2, 3), 1.0);
        assert_eq!(ramp_fraction(50, 3), 1.0);
    }
}
