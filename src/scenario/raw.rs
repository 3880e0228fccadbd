//! The scenario file as written: serde types that mirror the TOML, with spans
//! kept for every value a later check may need to point at.

use serde::Deserialize;
use toml::Spanned;

use super::uncertain::{UncertainList, UncertainSpec};
use crate::month::Month;

/// The whole file.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawScenario {
    pub scenario: RawMeta,
    #[serde(default)]
    pub simulation: RawSimulation,
    #[serde(default, rename = "tranche")]
    pub tranches: Vec<RawTranche>,
    #[serde(default, rename = "contract")]
    pub contracts: Vec<RawContract>,
    pub revenue: Option<RawRevenue>,
    #[serde(default)]
    pub costs: RawCosts,
    #[serde(default)]
    pub cash: RawCash,
    pub financing: Option<RawFinancing>,
    #[serde(default, rename = "funding")]
    pub funding: Vec<RawFunding>,
    #[serde(default, rename = "target")]
    pub targets: Vec<RawTarget>,
    #[serde(default, rename = "shock")]
    pub shocks: Vec<RawShock>,
    #[serde(default, rename = "correlation")]
    pub correlations: Vec<RawCorrelation>,
    #[serde(default, rename = "outside_view")]
    pub outside_views: Vec<RawOutsideView>,
}

/// A common shock: one standard-normal factor per trial that the delays of
/// several tranches load on.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawShock {
    pub name: Spanned<String>,
    #[serde(default)]
    pub description: String,
}

/// Rank correlation between uncertain inputs, by their paths.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCorrelation {
    pub inputs: Spanned<Vec<Spanned<String>>>,
    pub spearman: Spanned<RawMatrix>,
}

/// A correlation: one number for two inputs, or a full matrix.
#[derive(Deserialize)]
#[serde(untagged)]
pub enum RawMatrix {
    Pair(f64),
    Matrix(Vec<Vec<f64>>),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMeta {
    pub name: Spanned<String>,
    #[serde(default)]
    pub description: String,
    pub start: Spanned<Month>,
    pub end: Spanned<Month>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RawSimulation {
    pub trials: Option<Spanned<i64>>,
    /// i128: TOML integers are i64, but the reader also gives larger
    /// whole numbers, and a seed may be any u64.
    pub seed: Option<Spanned<i128>>,
    pub percentiles: Option<Spanned<Vec<f64>>>,
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq, Debug, Default)]
#[serde(rename_all = "snake_case")]
pub enum RawStatus {
    #[default]
    Binding,
    Option,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTranche {
    pub name: Spanned<String>,
    pub counterparty: String,
    #[serde(default)]
    pub status: RawStatus,
    #[serde(default)]
    pub description: String,
    pub gw: Spanned<UncertainSpec>,
    pub planned: Spanned<Month>,
    pub delay_months: Option<Spanned<UncertainSpec>>,
    pub ramp_months: Option<Spanned<UncertainSpec>>,
    pub p_never: Option<Spanned<f64>>,
    pub accelerators_per_gw: Spanned<UncertainSpec>,
    pub pflops_per_accelerator: Option<Spanned<UncertainSpec>>,
    #[serde(default)]
    pub owned: bool,
    pub delay_shocks: Option<Spanned<std::collections::BTreeMap<String, Spanned<f64>>>>,
    pub decision: Option<Spanned<Month>>,
    pub exercise_if: Option<Spanned<RawCondition>>,
    pub life_years: Option<Spanned<UncertainSpec>>,
    pub end_of_life: Option<Spanned<RawEndOfLife>>,
    pub refresh_usd_bn_per_gw: Option<Spanned<UncertainSpec>>,
}

/// When an option is exercised: every condition given must hold.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCondition {
    pub demand_over_capacity_at_least: Option<Spanned<f64>>,
    pub demand_run_rate_at_least: Option<Spanned<f64>>,
    pub cash_at_least: Option<Spanned<f64>>,
    pub funding_need_at_most: Option<Spanned<f64>>,
}

/// What happens to a tranche at the end of its life.
#[derive(Deserialize, Clone, Copy, PartialEq, Eq, Debug, Default)]
#[serde(rename_all = "snake_case")]
pub enum RawEndOfLife {
    #[default]
    Retire,
    Refresh,
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq, Debug)]
#[serde(rename_all = "snake_case")]
pub enum RawBasis {
    TakeOrPay,
    PayAsDelivered,
    Purchase,
    Lease,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawContract {
    pub name: Spanned<String>,
    pub counterparty: String,
    pub basis: Spanned<RawBasis>,
    #[serde(default)]
    pub description: String,
    pub value_usd_bn: Spanned<f64>,
    pub start: Spanned<Month>,
    pub term_months: Spanned<i64>,
    pub tranches: Option<Spanned<Vec<Spanned<String>>>>,
    pub usd_bn_per_gw_year: Option<Spanned<UncertainSpec>>,
    pub usd_bn_per_gw: Option<Spanned<UncertainSpec>>,
    pub lead_months: Option<Spanned<i64>>,
    pub profile: Option<Spanned<Vec<f64>>>,
    pub rate: Option<Spanned<UncertainSpec>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRevenue {
    pub run_rate_usd_bn: Spanned<UncertainSpec>,
    pub annual_growth: Spanned<UncertainList>,
    pub usd_bn_per_gw_year: Spanned<UncertainSpec>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RawCosts {
    pub running_usd_bn_per_gw_year: Option<Spanned<UncertainSpec>>,
    pub other_usd_bn_per_year: Option<Spanned<UncertainList>>,
    pub revenue_share: Option<Spanned<UncertainSpec>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RawCash {
    pub start_usd_bn: Option<Spanned<f64>>,
    pub floor_usd_bn: Option<Spanned<f64>>,
}

/// How a funding gap is paid for: interest on negative cash, equity raised
/// in blocks when cash falls below the floor.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFinancing {
    pub debt_rate: Option<Spanned<UncertainSpec>>,
    pub equity_block_usd_bn: Option<Spanned<f64>>,
    pub equity_cost: Option<Spanned<UncertainSpec>>,
    pub equity_max_usd_bn: Option<Spanned<f64>>,
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq, Debug, Default)]
#[serde(rename_all = "snake_case")]
pub enum RawFundingBasis {
    #[default]
    Lump,
    PerGw,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFunding {
    pub name: Spanned<String>,
    #[serde(default)]
    pub basis: RawFundingBasis,
    #[serde(default)]
    pub description: String,
    pub amount_usd_bn: Option<Spanned<UncertainSpec>>,
    pub month: Option<Spanned<Month>>,
    pub probability: Option<Spanned<f64>>,
    pub usd_bn_per_gw: Option<Spanned<UncertainSpec>>,
    pub tranches: Option<Spanned<Vec<Spanned<String>>>>,
    pub max_usd_bn: Option<Spanned<f64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTarget {
    pub name: Spanned<String>,
    pub metric: Spanned<String>,
    pub at_least: Option<Spanned<f64>>,
    pub at_most: Option<Spanned<f64>>,
    pub period: Option<Spanned<String>>,
}

/// A published figure the scenario's answer is checked against: a metric's
/// sum over, or value at the end of, a window of months.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawOutsideView {
    pub name: Spanned<String>,
    #[serde(default)]
    pub description: String,
    pub metric: Spanned<String>,
    pub from: Spanned<Month>,
    pub to: Spanned<Month>,
    pub stat: Spanned<String>,
    pub value: Spanned<f64>,
    #[serde(default)]
    pub source: String,
}
