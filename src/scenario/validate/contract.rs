//! `[[contract]]` tables: spending commitments and how they turn capacity into
//! payments.

use std::collections::HashMap;
use std::ops::Range;

use toml::Spanned;

use super::MAX_USD_BN;

/// Largest default pay-as-delivered price, USD bn per GW-year: times the
/// largest size (1000 GW) it stays far from overflowing.
const MAX_DEFAULT_PRICE: f64 = 1e300;
use super::checker::Checker;
use super::meta::Horizon;
use crate::distribution::Uncertain;
use crate::number::in_message;
use crate::rng::ComponentId;
use crate::scenario::raw::{RawBasis, RawContract};
use crate::scenario::{Contract, Input, MAX_ITEMS, MAX_MONTHS, PaymentBasis, Tranche};

/// A contract's checked value and timing, which its payments build on.
struct Terms {
    /// Total value, USD bn.
    value: f64,
    /// First month payments may fall due, index from the horizon start.
    start_index: i32,
    /// Nominal term, months (an invalid term is reported and clamped).
    term: u32,
}

impl Checker<'_> {
    /// The `[[contract]]` tables, or `None` (with an error) when there are
    /// more than [`MAX_ITEMS`].
    pub(super) fn contracts(
        &mut self,
        raw: &[RawContract],
        horizon: &Horizon,
        tranches: &[Tranche],
        tranche_index: &HashMap<String, usize>,
    ) -> Option<Vec<Contract>> {
        if raw.len() > MAX_ITEMS {
            self.error(
                raw[MAX_ITEMS].name.span(),
                format!("at most {MAX_ITEMS} contracts are allowed"),
            );
            return None;
        }
        let mut seen = HashMap::new();
        let contracts = raw
            .iter()
            .map(|k| self.contract(k, horizon, tranches, tranche_index, &mut seen))
            .collect();
        Some(contracts)
    }

    /// One contract; `seen` holds the contract names so far.
    fn contract(
        &mut self,
        k: &RawContract,
        horizon: &Horizon,
        tranches: &[Tranche],
        tranche_index: &HashMap<String, usize>,
        seen: &mut HashMap<String, Range<usize>>,
    ) -> Contract {
        let name = self.name(&k.name, "contract", seen);
        let kind = match k.basis.get_ref() {
            RawBasis::TakeOrPay => "a take_or_pay contract",
            RawBasis::PayAsDelivered => "a pay_as_delivered contract",
            RawBasis::Purchase => "a purchase contract",
            RawBasis::Lease => "a lease contract",
        };
        if *k.basis.get_ref() != RawBasis::Lease {
            self.not_for(&k.rate, "rate", kind);
        }
        let terms = self.terms(k, horizon);
        let basis = match k.basis.get_ref() {
            RawBasis::TakeOrPay => self.take_or_pay(k, kind, &terms, horizon.months, tranche_index),
            RawBasis::PayAsDelivered => {
                self.pay_as_delivered(k, kind, &name, &terms, tranches, tranche_index)
            }
            RawBasis::Purchase => self.purchase(k, kind, &name, tranche_index),
            RawBasis::Lease => self.lease(k, kind, &name, tranche_index),
        };
        Contract {
            component: ComponentId::new("contract", &name),
            name,
            counterparty: k.counterparty.clone(),
            description: k.description.clone(),
            value_usd_bn: terms.value,
            start_index: terms.start_index,
            term_months: terms.term,
            basis,
        }
    }

    /// A positive value, a term of 1 to [`MAX_MONTHS`] months and a start
    /// within the horizon's reach.
    fn terms(&mut self, k: &RawContract, horizon: &Horizon) -> Terms {
        let value = self.number(&k.value_usd_bn, 0.0, MAX_USD_BN, "`value_usd_bn`");
        if value == 0.0 {
            self.error(k.value_usd_bn.span(), "`value_usd_bn` must be more than 0");
        }
        let term = *k.term_months.get_ref();
        if !(1..=MAX_MONTHS as i64).contains(&term) {
            self.error(
                k.term_months.span(),
                format!("`term_months` must be between 1 and {MAX_MONTHS}, got {term}"),
            );
        }
        let term = term.clamp(1, MAX_MONTHS as i64) as u32;
        let start_month = *k.start.get_ref();
        let start_index = start_month.months_since(horizon.start);
        if start_index > horizon.end_index && horizon.ok {
            self.error(
                k.start.span(),
                format!(
                    "contract starts in {start_month}, after the horizon ends ({end})",
                    end = horizon.end
                ),
            );
        } else if start_index < -(MAX_MONTHS as i32) {
            self.error(k.start.span(), format!("contract start {start_month} is more than {MAX_MONTHS} months before the horizon"));
        }
        Terms {
            value,
            start_index,
            term,
        }
    }

    /// A take-or-pay contract: its schedule over `months`, from an optional
    /// `profile` of yearly weights.
    fn take_or_pay(
        &mut self,
        k: &RawContract,
        kind: &str,
        terms: &Terms,
        months: usize,
        tranche_index: &HashMap<String, usize>,
    ) -> PaymentBasis {
        self.not_for(&k.usd_bn_per_gw_year, "usd_bn_per_gw_year", kind);
        self.not_for(&k.usd_bn_per_gw, "usd_bn_per_gw", kind);
        self.not_for(&k.lead_months, "lead_months", kind);
        if let Some(refs) = &k.tranches {
            // Linked tranches are informational for take-or-pay.
            self.tranche_refs(refs, tranche_index, "the contract");
        }
        let weights = match &k.profile {
            Some(p) => self.profile(p, terms.term),
            None => vec![1.0],
        };
        let (schedule, before_usd_bn, after_usd_bn) =
            take_or_pay_schedule(terms.value, terms.start_index, terms.term, &weights, months);
        PaymentBasis::TakeOrPay {
            schedule,
            before_usd_bn,
            after_usd_bn,
        }
    }

    /// A take-or-pay `profile`: one weight per contract year of a
    /// `term`-month term, at least 0 and not all 0.
    fn profile(&mut self, p: &Spanned<Vec<f64>>, term: u32) -> Vec<f64> {
        let w = p.get_ref();
        let years = term.div_ceil(12) as usize;
        if w.is_empty() || w.len() > years {
            self.error(p.span(), format!("`profile` gives one weight per contract year: 1 to {years} entries for a {term}-month term, got {}", w.len()));
        } else if w.iter().any(|x| !x.is_finite() || *x < 0.0) || w.iter().sum::<f64>() <= 0.0 {
            self.error(p.span(), "`profile` weights must be >= 0 and not all 0");
        } else if !w.iter().sum::<f64>().is_finite() {
            self.error(p.span(), "`profile` weights sum to more than the largest number capsim can hold; scale them down (only their ratios matter)");
        }
        if w.is_empty() { vec![1.0] } else { w.clone() }
    }

    /// A pay-as-delivered contract: its linked tranches and price, by default
    /// the price at which on-time delivery pays the value over the term.
    fn pay_as_delivered(
        &mut self,
        k: &RawContract,
        kind: &str,
        name: &str,
        terms: &Terms,
        tranches: &[Tranche],
        tranche_index: &HashMap<String, usize>,
    ) -> PaymentBasis {
        self.not_for(&k.usd_bn_per_gw, "usd_bn_per_gw", kind);
        self.not_for(&k.lead_months, "lead_months", kind);
        self.not_for(&k.profile, "profile", kind);
        let linked = self
            .required(&k.tranches, k.name.span(), "tranches", kind)
            .map(|r| self.tranche_refs(r, tranche_index, "the contract"))
            .unwrap_or_default();
        let path = format!("contract.{name}.usd_bn_per_gw_year");
        let price = match &k.usd_bn_per_gw_year {
            Some(s) => self.input(s, path, 0.0, MAX_USD_BN, "`usd_bn_per_gw_year`"),
            None => {
                // Default: the price at which on-time delivery of the
                // linked tranches pays the value over the term.
                let gw: f64 = linked.iter().map(|&i| tranches[i].gw.median()).sum();
                let mut price = if gw > 0.0 {
                    terms.value / (gw * terms.term as f64 / 12.0)
                } else {
                    0.0
                };
                // A tiny size would make the price infinite, or its product
                // with a size overflow, and the whole value due at once.
                if !price.is_finite() || price > MAX_DEFAULT_PRICE {
                    let at = k.tranches.as_ref().map_or(k.name.span(), |t| t.span());
                    self.error(at, format!(
                        "the default `usd_bn_per_gw_year` (value / (term in years x median GW of the linked tranches)) would be {}, above {}, as the linked tranches' median size is only {} GW; give `usd_bn_per_gw_year` or larger tranches",
                        in_message(price), in_message(MAX_DEFAULT_PRICE), in_message(gw)
                    ));
                    price = 0.0;
                }
                Input {
                    path,
                    dist: Uncertain::Constant(price),
                    min: 0.0,
                    max: MAX_USD_BN,
                }
            }
        };
        PaymentBasis::PayAsDelivered {
            usd_bn_per_gw_year: price,
            tranches: linked,
        }
    }

    /// A purchase contract: its linked tranches, price per GW and lead time.
    fn purchase(
        &mut self,
        k: &RawContract,
        kind: &str,
        name: &str,
        tranche_index: &HashMap<String, usize>,
    ) -> PaymentBasis {
        let (usd_bn_per_gw, tranches, lead_months) = self.delivered(k, kind, name, tranche_index);
        PaymentBasis::Purchase {
            usd_bn_per_gw,
            tranches,
            lead_months,
        }
    }

    /// A lease: as a purchase, plus the annual interest `rate` (default 0).
    fn lease(
        &mut self,
        k: &RawContract,
        kind: &str,
        name: &str,
        tranche_index: &HashMap<String, usize>,
    ) -> PaymentBasis {
        let (usd_bn_per_gw, tranches, lead_months) = self.delivered(k, kind, name, tranche_index);
        let rate = self.input_or(
            k.rate.as_ref(),
            0.0,
            format!("contract.{name}.rate"),
            0.0,
            1.0,
            "`rate` (a fraction per year)",
        );
        PaymentBasis::Lease {
            usd_bn_per_gw,
            rate,
            tranches,
            lead_months,
        }
    }

    /// What purchases and leases share: the linked tranches, the price per
    /// GW and the lead time in months.
    fn delivered(
        &mut self,
        k: &RawContract,
        kind: &str,
        name: &str,
        tranche_index: &HashMap<String, usize>,
    ) -> (Input, Vec<usize>, i32) {
        self.not_for(&k.usd_bn_per_gw_year, "usd_bn_per_gw_year", kind);
        self.not_for(&k.profile, "profile", kind);
        let linked = self
            .required(&k.tranches, k.name.span(), "tranches", kind)
            .map(|r| self.tranche_refs(r, tranche_index, "the contract"))
            .unwrap_or_default();
        let price = self.required_amount(
            &k.usd_bn_per_gw,
            k.name.span(),
            "usd_bn_per_gw",
            kind,
            format!("contract.{name}.usd_bn_per_gw"),
        );
        let lead = match &k.lead_months {
            Some(l) if !(0..=120).contains(l.get_ref()) => {
                self.error(
                    l.span(),
                    format!(
                        "`lead_months` must be between 0 and 120, got {}",
                        l.get_ref()
                    ),
                );
                0
            }
            Some(l) => *l.get_ref() as i32,
            None => 0,
        };
        (price, linked, lead)
    }
}

/// Monthly payments of a take-or-pay contract over the horizon: each contract
/// year's weight spread evenly over its months, the last weight repeating,
/// scaled so that the whole term pays `value`. Also returns the schedule's
/// payments before and after the horizon, USD bn (for the deals ledger).
fn take_or_pay_schedule(
    value: f64,
    start_index: i32,
    term: u32,
    weights: &[f64],
    months: usize,
) -> (Vec<f64>, f64, f64) {
    let mut schedule = vec![0.0; months];
    if weights.is_empty() {
        return (schedule, 0.0, 0.0);
    }
    // Weights near the largest f64 would overflow the sum over the term;
    // only their ratios matter, so such weights are scaled down first.
    let largest = weights.iter().copied().fold(0.0, f64::max);
    let scale = if largest > 1e300 { largest } else { 1.0 };
    let weight_of = |m: u32| {
        let year = (m / 12) as usize;
        weights[year.min(weights.len() - 1)] / scale
    };
    let total: f64 = (0..term).map(weight_of).sum();
    if total <= 0.0 || !total.is_finite() {
        return (schedule, 0.0, 0.0);
    }
    let (mut before, mut after) = (0.0, 0.0);
    for m in 0..term {
        let idx = start_index + m as i32;
        let amount = value * weight_of(m) / total;
        if idx < 0 {
            before += amount;
        } else if idx >= months as i32 {
            after += amount;
        } else {
            schedule[idx as usize] = amount;
        }
    }
    (schedule, before, after)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn take_or_pay_spreads_value_by_profile() {
        let (s, before, after) = take_or_pay_schedule(36.0, 1, 24, &[1.0, 2.0], 30);
        assert_eq!((before, after), (0.0, 0.0));
        assert_eq!(s[0], 0.0);
        assert!((s[1] - 1.0).abs() < 1e-12);
        assert!((s[13] - 2.0).abs() < 1e-12);
        assert_eq!(s[25], 0.0);
        assert!((s.iter().sum::<f64>() - 36.0).abs() < 1e-9);
    }

    /// Months of the term outside the horizon are counted before and after it.
    #[test]
    fn take_or_pay_counts_months_outside_the_horizon() {
        // 24 months of 1.0 from month -6: 6 before, 12 inside, 6 after.
        let (s, before, after) = take_or_pay_schedule(24.0, -6, 24, &[1.0], 12);
        assert_eq!(s, vec![1.0; 12]);
        assert_eq!((before, after), (6.0, 6.0));
    }
}
