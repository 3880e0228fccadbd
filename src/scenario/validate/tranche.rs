//! `[[tranche]]` tables: blocks of capacity and their timing.

use std::collections::HashMap;
use std::ops::Range;

use toml::Spanned;

use super::checker::Checker;
use super::{MAX_DELAY, MAX_GW};
use crate::distribution::Uncertain;
use crate::month::Month;
use crate::rng::ComponentId;
use crate::scenario::raw::{RawEndOfLife, RawStatus, RawTranche};
use crate::scenario::{EndOfLife, Input, MAX_ITEMS, MAX_MONTHS, Tranche, TrancheStatus};

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
            .map(|t| self.tranche(t, start, shock_index, &mut seen))
            .collect();
        Some(tranches)
    }

    /// One tranche; `seen` holds the tranche names so far.
    fn tranche(
        &mut self,
        t: &RawTranche,
        start: Month,
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
        if t.status == RawStatus::Option && t.p_never.is_none() {
            self.error(t.name.span(), format!("tranche {name:?} is an option, so it needs `p_never`: the probability it is never exercised"));
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
