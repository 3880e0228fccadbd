//! `[[tranche]]` tables: blocks of capacity and their timing.

use std::collections::HashMap;
use std::ops::Range;

use toml::Spanned;

use super::checker::Checker;
use super::{MAX_DELAY, MAX_GW, MAX_USD_BN};
use crate::distribution::Uncertain;
use crate::month::Month;
use crate::rng::ComponentId;
use crate::scenario::raw::{RawCondition, RawEndOfLife, RawStatus, RawTranche};
use crate::scenario::{
    Condition, Decision, EndOfLife, Input, MAX_ITEMS, MAX_MONTHS, Tranche, TrancheStatus,
};

/// Shortest `life_years`: half a year.
const MIN_LIFE_YEARS: f64 = 0.5;
/// Longest `life_years`.
const MAX_LIFE_YEARS: f64 = 50.0;

impl Checker<'_> {
    /// The `[[tranche]]` tables, or `None` (with an error) when there are
    /// more than [`MAX_ITEMS`], since checking what links to them would only
    /// add noise.
    pub(super) fn tranches(
        &mut self,
        raw: &[RawTranche],
        start: Month,
        horizon_months: usize,
        shock_index: &HashMap<String, usize>,
    ) -> Option<Vec<Tranche>> {
        if raw.len() > MAX_ITEMS {
            self.error(
                raw[MAX_ITEMS].name.span(),
                format!(
                    "at most {MAX_ITEMS} tranches are allowed, found {}",
                    raw.len()
                ),
            );
            return None;
        }
        let mut seen = HashMap::new();
        let tranches = raw
            .iter()
            .map(|t| self.tranche(t, start, horizon_months, shock_index, &mut seen))
            .collect();
        Some(tranches)
    }

    /// One tranche; `seen` holds the tranche names so far.
    fn tranche(
        &mut self,
        t: &RawTranche,
        start: Month,
        horizon_months: usize,
        shock_index: &HashMap<String, usize>,
        seen: &mut HashMap<String, Range<usize>>,
    ) -> Tranche {
        let name = self.name(&t.name, "tranche", seen);
        let p = |key: &str| format!("tranche.{name}.{key}");
        let gw = self.input(&t.gw, p("gw"), 0.0, MAX_GW, "`gw`");
        if gw.dist == Uncertain::Constant(0.0) {
            self.error(
                t.gw.span(),
                "`gw` must be more than 0; remove the tranche if it has no capacity",
            );
        }
        let planned_index = self.planned_index(&t.planned, start);
        let delay_months = self.input_or(
            t.delay_months.as_ref(),
            0.0,
            p("delay_months"),
            -MAX_DELAY,
            MAX_DELAY,
            "`delay_months`",
        );
        let ramp_months = self.input_or(
            t.ramp_months.as_ref(),
            0.0,
            p("ramp_months"),
            0.0,
            MAX_MONTHS as f64,
            "`ramp_months`",
        );
        let p_never = self.probability(t.p_never.as_ref(), 0.0, "`p_never` (a probability)");
        if t.status == RawStatus::Option && t.p_never.is_none() && t.decision.is_none() {
            self.error(t.name.span(), format!("tranche {name:?} is an option, so it needs `p_never` (the probability it is never exercised) or a `decision` month with `exercise_if`"));
        }
        let accelerators_per_gw = self.input(
            &t.accelerators_per_gw,
            p("accelerators_per_gw"),
            0.0,
            1e8,
            "`accelerators_per_gw`",
        );
        let pflops_per_accelerator = t.pflops_per_accelerator.as_ref().map(|s| {
            self.input(
                s,
                p("pflops_per_accelerator"),
                0.0,
                1e6,
                "`pflops_per_accelerator`",
            )
        });
        let (life_years, end_of_life) = self.life(t, &name);
        Tranche {
            component: ComponentId::new("tranche", &name),
            name,
            counterparty: t.counterparty.clone(),
            description: t.description.clone(),
            status: match t.status {
                RawStatus::Binding => TrancheStatus::Binding,
                RawStatus::Option => TrancheStatus::Option,
            },
            gw,
            planned_index,
            delay_months,
            ramp_months,
            p_never,
            accelerators_per_gw,
            pflops_per_accelerator,
            owned: t.owned,
            delay_shocks: self.delay_shocks(t.delay_shocks.as_ref(), shock_index),
            decision: self.decision(t, horizon_months, start),
            life_years,
            end_of_life,
        }
    }

    /// A tranche's end of life: `life_years`, and `end_of_life` with the
    /// refresh price it needs (which nothing else may give).
    fn life(&mut self, t: &RawTranche, name: &str) -> (Option<Input>, EndOfLife) {
        let p = |key: &str| format!("tranche.{name}.{key}");
        let life = t.life_years.as_ref().map(|s| {
            self.input(
                s,
                p("life_years"),
                MIN_LIFE_YEARS,
                MAX_LIFE_YEARS,
                "`life_years`",
            )
        });
        let refresh = t.end_of_life.as_ref().map(|e| (*e.get_ref(), e.span()));
        if let (Some((_, span)), None) = (&refresh, &life) {
            self.error(
                span.clone(),
                "`end_of_life` needs `life_years`: the years from energisation to the end of life",
            );
        }
        let price = t.refresh_usd_bn_per_gw.as_ref();
        match (refresh, price) {
            (Some((RawEndOfLife::Refresh, _)), Some(s)) => {
                let usd_bn_per_gw = self.input(
                    s,
                    p("refresh_usd_bn_per_gw"),
                    0.0,
                    1e6,
                    "`refresh_usd_bn_per_gw`",
                );
                (life, EndOfLife::Refresh { usd_bn_per_gw })
            }
            (Some((RawEndOfLife::Refresh, span)), None) => {
                self.error(span, "`end_of_life = \"refresh\"` needs `refresh_usd_bn_per_gw`: the price of the new systems, USD bn per GW");
                (life, EndOfLife::Retire)
            }
            (_, Some(s)) => {
                self.error(
                    s.span(),
                    "`refresh_usd_bn_per_gw` applies only with `end_of_life = \"refresh\"`",
                );
                (life, EndOfLife::Retire)
            }
            (_, None) => (life, EndOfLife::Retire),
        }
    }

    /// An option's `decision` month and `exercise_if` condition: both or
    /// neither, on options only, the month inside the horizon.
    fn decision(&mut self, t: &RawTranche, months: usize, start: Month) -> Option<Decision> {
        match (&t.decision, &t.exercise_if) {
            (None, None) => None,
            (Some(d), None) => {
                self.error(d.span(), "a `decision` month needs `exercise_if`: the condition the option is exercised on");
                None
            }
            (None, Some(c)) => {
                self.error(
                    c.span(),
                    "`exercise_if` needs a `decision` month: when the condition is checked",
                );
                None
            }
            (Some(d), Some(c)) => {
                if t.status != RawStatus::Option {
                    self.error(d.span(), "only an option (status = \"option\") has a `decision`; a binding tranche always arrives");
                }
                let month = *d.get_ref();
                let index = month.months_since(start);
                if !(0..months as i32).contains(&index) {
                    self.error(
                        d.span(),
                        format!(
                            "decision month {month} is outside the horizon ({start} to {})",
                            start.plus(months as i32 - 1)
                        ),
                    );
                }
                let condition = self.condition(c);
                Some(Decision {
                    month_index: index.clamp(0, months as i32 - 1).max(0) as usize,
                    condition,
                })
            }
        }
    }

    /// An `exercise_if` table: at least one condition, each a finite number.
    fn condition(&mut self, c: &Spanned<RawCondition>) -> Condition {
        let k = c.get_ref();
        let mut get = |v: &Option<Spanned<f64>>, min: f64, what: &str| {
            v.as_ref().map(|v| self.number(v, min, MAX_USD_BN, what))
        };
        let condition = Condition {
            demand_over_capacity_at_least: get(
                &k.demand_over_capacity_at_least,
                0.0,
                "`demand_over_capacity_at_least`",
            ),
            demand_run_rate_at_least: get(
                &k.demand_run_rate_at_least,
                0.0,
                "`demand_run_rate_at_least`",
            ),
            cash_at_least: get(&k.cash_at_least, -MAX_USD_BN, "`cash_at_least`"),
            funding_need_at_most: get(&k.funding_need_at_most, 0.0, "`funding_need_at_most`"),
        };
        if condition == Condition::default() {
            self.error(c.span(), "`exercise_if` needs at least one condition: demand_over_capacity_at_least, demand_run_rate_at_least, cash_at_least or funding_need_at_most");
        }
        condition
    }

    /// The planned month as an index from the horizon `start`, at most
    /// [`MAX_MONTHS`] away from it.
    fn planned_index(&mut self, planned: &Spanned<Month>, start: Month) -> i32 {
        let month = *planned.get_ref();
        let index = month.months_since(start);
        if index.abs() > MAX_MONTHS as i32 {
            self.error(planned.span(), format!("planned month {month} is more than {MAX_MONTHS} months from the horizon start {start}"));
        }
        index
    }
}
