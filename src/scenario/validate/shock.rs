//! `[[shock]]` tables, and the loadings of tranche delays on them.

use std::collections::{BTreeMap, HashMap};

use toml::Spanned;

use super::checker::{Checker, closest};
use crate::number::round_sig;
use crate::rng::ComponentId;
use crate::scenario::raw::RawShock;
use crate::scenario::{MAX_ITEMS, Shock};

impl Checker<'_> {
    /// The `[[shock]]` tables: valid, unique names, at most [`MAX_ITEMS`]
    /// (the rest are left out).
    pub(super) fn shocks(&mut self, raw: &[RawShock]) -> Vec<Shock> {
        let mut seen = HashMap::new();
        let mut shocks = Vec::new();
        if raw.len() > MAX_ITEMS {
            self.error(
                raw[MAX_ITEMS].name.span(),
                format!("at most {MAX_ITEMS} shocks are allowed"),
            );
        }
        for sh in raw.iter().take(MAX_ITEMS) {
            let name = self.name(&sh.name, "shock", &mut seen);
            shocks.push(Shock {
                component: ComponentId::new("shock", &name),
                name,
                description: sh.description.clone(),
            });
        }
        shocks
    }

    /// A tranche's delay loadings on common shocks.
    pub(super) fn delay_shocks(
        &mut self,
        raw: Option<&Spanned<BTreeMap<String, Spanned<f64>>>>,
        shocks: &HashMap<String, usize>,
    ) -> Vec<(usize, f64)> {
        let Some(raw) = raw else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for (name, w) in raw.get_ref() {
            let Some(&i) = shocks.get(name) else {
                let hint = if self.full() {
                    String::new()
                } else {
                    closest(name, shocks.keys())
                };
                self.error(
                    w.span(),
                    format!("`delay_shocks` names shock {name:?}, which is not defined by a [[shock]] table{hint}"),
                );
                continue;
            };
            let weight = self.number(w, -1.0, 1.0, "a shock weight");
            out.push((i, weight));
        }
        let total: f64 = out.iter().map(|(_, w)| w * w).sum();
        if total > 1.0 + 1e-12 {
            self.error(
                raw.span(),
                format!("the squares of the shock weights must sum to at most 1 (the rest is the tranche's own delay risk); here they sum to {}", round_sig(total)),
            );
        }
        out
    }
}
