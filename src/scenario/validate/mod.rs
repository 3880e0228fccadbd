//! From raw TOML to a validated [`Scenario`]: every check that needs more than
//! one value, each reported at the value it is about.
//!
//! [`parse`] reads the text (its size and TOML errors: [`source`]), then
//! [`build`] checks one table after another, each in its own file, with the
//! shared checks of [`checker`].

mod checker;
mod contract;
mod correlation;
mod costs;
mod financing;
mod funding;
mod meta;
mod revenue;
mod shock;
mod source;
mod target;
mod tranche;
mod view;

use std::collections::HashMap;
use std::path::Path;

use super::raw::{RawMeta, RawScenario};
use super::{Costs, DEFAULT_PERCENTILES, DEFAULT_SEED, DEFAULT_TRIALS, Input, Scenario};
use crate::distribution::Uncertain;
use crate::error::ScenarioError;
use crate::month::Month;
use checker::{Checker, MAX_DIAGNOSTICS};
pub(super) use source::read_limited;
use source::{explain_toml_error, too_large};

/// Largest GW a single tranche may have.
const MAX_GW: f64 = 1000.0;
/// Largest delay, months (100 years); a 10-year delay is valid.
const MAX_DELAY: f64 = 1200.0;
/// Largest amount of money, USD bn (USD 1,000 trillion).
const MAX_USD_BN: f64 = 1e6;

pub(super) fn parse(text: &str, path: &Path) -> Result<Scenario, ScenarioError> {
    let mut checker = Checker::new(path, text);
    if text
        .lines()
        .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'))
    {
        checker.error(0..0, "the scenario is empty; it needs at least a [scenario] table with name, start and end (see docs/scenario-format.md for a minimal example)");
        return Err(ScenarioError::Invalid(checker.diagnostics));
    }
    if let Some(d) = too_large(path, text) {
        return Err(ScenarioError::Invalid(vec![d]));
    }
    let raw: RawScenario = match toml::from_str(text) {
        Ok(raw) => raw,
        Err(e) => {
            let span = e.span().unwrap_or(0..0);
            let message = explain_toml_error(e.message().trim_end(), text, &span);
            checker.error(span, message);
            return Err(ScenarioError::Invalid(checker.diagnostics));
        }
    };
    let scenario = build(&mut checker, raw);
    if checker.diagnostics.is_empty() {
        Ok(scenario)
    } else {
        checker.diagnostics.sort_by_key(|d| (d.line, d.column));
        if checker.not_shown > 0 {
            // Said at the last one shown, whose line it follows.
            if let Some(last) = checker.diagnostics.last_mut() {
                last.message.push_str(&format!(
                    " (and {} more errors not shown: only the first {MAX_DIAGNOSTICS} found are)",
                    checker.not_shown
                ));
            }
        }
        Err(ScenarioError::Invalid(checker.diagnostics))
    }
}

/// Checks every table of `raw` in file-format order; what a table links to
/// (shocks, tranches) is checked before it.
fn build(c: &mut Checker, raw: RawScenario) -> Scenario {
    let meta = &raw.scenario;
    let horizon = c.horizon(meta);
    let settings = c.simulation(&raw.simulation);
    let shocks = c.shocks(&raw.shocks);
    let shock_index = index_by_name(shocks.iter().map(|s| &s.name));
    let Some(tranches) = c.tranches(&raw.tranches, horizon.start, horizon.months, &shock_index)
    else {
        return placeholder(meta, horizon.start, horizon.months);
    };
    let tranche_index = index_by_name(tranches.iter().map(|t| &t.name));
    let Some(contracts) = c.contracts(&raw.contracts, &horizon, &tranches, &tranche_index) else {
        return placeholder(meta, horizon.start, horizon.months);
    };
    let revenue = raw.revenue.as_ref().map(|r| c.revenue(r));
    let costs = c.costs(&raw.costs);
    let (start_cash_usd_bn, cash_floor_usd_bn) = c.cash(&raw.cash);
    let financing = raw.financing.as_ref().map(|f| c.financing(f));
    let funding = c.funding(&raw.funding, &horizon, &tranche_index);
    let has_compute = tranches.iter().any(|t| t.pflops_per_accelerator.is_some());
    let targets = c.targets(&raw.targets, has_compute);
    let outside_views = c.outside_views(&raw.outside_views, &horizon, has_compute);
    let mut scenario = Scenario {
        name: meta.name.get_ref().clone(),
        description: meta.description.clone(),
        start: horizon.start,
        months: horizon.months,
        trials: settings.trials,
        seed: settings.seed,
        percentiles: settings.percentiles,
        tranches,
        contracts,
        revenue,
        costs,
        start_cash_usd_bn,
        cash_floor_usd_bn,
        financing,
        funding,
        targets,
        shocks,
        correlations: Vec::new(),
        outside_views,
    };
    // Correlations name inputs by path, which exist once the scenario does.
    if !raw.correlations.is_empty() {
        scenario.correlations = c.correlations(&raw.correlations, &scenario);
    }
    scenario
}

/// Each name's index, for the tables that refer to items by name (with
/// duplicate names, already reported, the last one wins).
fn index_by_name<'a>(names: impl Iterator<Item = &'a String>) -> HashMap<String, usize> {
    names.enumerate().map(|(i, n)| (n.clone(), i)).collect()
}

/// Returned alongside errors when building further would only add noise.
fn placeholder(meta: &RawMeta, start: Month, months: usize) -> Scenario {
    Scenario {
        name: meta.name.get_ref().clone(),
        description: String::new(),
        start,
        months,
        trials: DEFAULT_TRIALS,
        seed: DEFAULT_SEED,
        percentiles: DEFAULT_PERCENTILES.to_vec(),
        tranches: Vec::new(),
        contracts: Vec::new(),
        revenue: None,
        costs: Costs {
            running_usd_bn_per_gw_year: Input {
                path: String::new(),
                dist: Uncertain::Constant(0.0),
                min: 0.0,
                max: 0.0,
            },
            other_usd_bn_per_year: Vec::new(),
            revenue_share: Input {
                path: String::new(),
                dist: Uncertain::Constant(0.0),
                min: 0.0,
                max: 0.0,
            },
        },
        start_cash_usd_bn: 0.0,
        cash_floor_usd_bn: 0.0,
        financing: None,
        funding: Vec::new(),
        targets: Vec::new(),
        shocks: Vec::new(),
        correlations: Vec::new(),
        outside_views: Vec::new(),
    }
}
