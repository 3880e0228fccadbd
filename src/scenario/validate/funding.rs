//! `[[funding]]` tables: lump sums in one month, or money per GW delivered.

use std::collections::HashMap;
use std::ops::Range;

use super::MAX_USD_BN;
use super::checker::Checker;
use super::meta::Horizon;
use crate::rng::ComponentId;
use crate::scenario::raw::{RawFunding, RawFundingBasis};
use crate::scenario::{Funding, FundingBasis, MAX_ITEMS};

impl Checker<'_> {
    /// The `[[funding]]` tables, at most [`MAX_ITEMS`] (the rest are left
    /// out).
    pub(super) fn funding(
        &mut self,
        raw: &[RawFunding],
        horizon: &Horizon,
        tranche_index: &HashMap<String, usize>,
    ) -> Vec<Funding> {
        let mut seen = HashMap::new();
        if raw.len() > MAX_ITEMS {
            self.error(
                raw[MAX_ITEMS].name.span(),
                format!("at most {MAX_ITEMS} funding events are allowed"),
            );
        }
        raw.iter()
            .take(MAX_ITEMS)
            .map(|f| self.funding_event(f, horizon, tranche_index, &mut seen))
            .collect()
    }

    /// One funding event; `seen` holds the funding names so far.
    fn funding_event(
        &mut self,
        f: &RawFunding,
        horizon: &Horizon,
        tranche_index: &HashMap<String, usize>,
        seen: &mut HashMap<String, Range<usize>>,
    ) -> Funding {
        let name = self.name(&f.name, "funding", seen);
        let probability = self.probability(f.probability.as_ref(), 1.0, "`probability`");
        let basis = match f.basis {
            RawFundingBasis::Lump => self.lump(f, &name, horizon),
            RawFundingBasis::PerGw => self.per_gw(f, &name, tranche_index),
        };
        Funding {
            component: ComponentId::new("funding", &name),
            name,
            description: f.description.clone(),
            probability,
            basis,
        }
    }

    /// Lump funding: an amount in a month within the horizon.
    fn lump(&mut self, f: &RawFunding, name: &str, horizon: &Horizon) -> FundingBasis {
        let kind = "lump funding";
        let header = f.name.span();
        self.not_for(&f.usd_bn_per_gw, "usd_bn_per_gw", kind);
        self.not_for(&f.tranches, "tranches", kind);
        self.not_for(&f.max_usd_bn, "max_usd_bn", kind);
        let amount = self.required_amount(
            &f.amount_usd_bn,
            header.clone(),
            "amount_usd_bn",
            kind,
            format!("funding.{name}.amount_usd_bn"),
        );
        let month_index = match self.required(&f.month, header, "month", kind) {
            Some(m) => {
                let i = m.get_ref().months_since(horizon.start);
                if !(0..=horizon.end_index).contains(&i) && horizon.ok {
                    self.error(
                        m.span(),
                        format!(
                            "funding month {} is outside the horizon {} to {}",
                            m.get_ref(),
                            horizon.start,
                            horizon.end
                        ),
                    );
                }
                i.clamp(0, horizon.end_index) as usize
            }
            None => 0,
        };
        FundingBasis::Lump {
            amount_usd_bn: amount,
            month_index,
        }
    }

    /// Per-GW funding: an amount per GW delivered in the linked tranches, up
    /// to an optional cap.
    fn per_gw(
        &mut self,
        f: &RawFunding,
        name: &str,
        tranche_index: &HashMap<String, usize>,
    ) -> FundingBasis {
        let kind = "per_gw funding";
        let header = f.name.span();
        self.not_for(&f.amount_usd_bn, "amount_usd_bn", kind);
        self.not_for(&f.month, "month", kind);
        let price = self.required_amount(
            &f.usd_bn_per_gw,
            header.clone(),
            "usd_bn_per_gw",
            kind,
            format!("funding.{name}.usd_bn_per_gw"),
        );
        let linked = self
            .required(&f.tranches, header, "tranches", kind)
            .map(|r| self.tranche_refs(r, tranche_index, "the funding"))
            .unwrap_or_default();
        let max_usd_bn = f.max_usd_bn.as_ref().map_or(f64::INFINITY, |m| {
            self.number(m, 0.0, MAX_USD_BN, "`max_usd_bn`")
        });
        FundingBasis::PerGw {
            usd_bn_per_gw: price,
            tranches: linked,
            max_usd_bn,
        }
    }
}
