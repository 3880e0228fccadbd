//! Correlated inputs: common shocks on tranche delays and rank correlations
//! among any inputs, both as Gaussian copulas acting on the uniforms, so each
//! input keeps its own distribution.

use crate::distribution::standard_normal_quantile;
use crate::linalg::{cholesky, pearson_from_spearman};
use crate::scenario::{DrawPlan, Scenario, tranche_slot};

/// The standard normal CDF.
fn normal_cdf(z: f64) -> f64 {
    0.5 * statrs::function::erf::erfc(-z / std::f64::consts::SQRT_2)
}

/// Keeps uniforms strictly inside (0, 1) after a round trip through z.
fn clamp_unit(u: f64) -> f64 {
    u.clamp(1e-16, 1.0 - 1e-16)
}

#[derive(Debug, Clone)]
struct ShockLoading {
    slot: usize,
    /// `(index into Copula::shock_slots, loading)`.
    shocks: Vec<(usize, f64)>,
    own: f64,
}

#[derive(Debug, Clone)]
struct Group {
    slots: Vec<usize>,
    factor: Vec<Vec<f64>>,
}

/// The correlation structure of a scenario, applied to each trial's uniforms.
#[derive(Debug, Clone, Default)]
pub struct Copula {
    /// The uniform slot of each common shock.
    shock_slots: Vec<usize>,
    shocks: Vec<ShockLoading>,
    groups: Vec<Group>,
}

impl Copula {
    /// The copula of `scenario` over `plan`'s slots. Correlations were
    /// validated when the scenario was read.
    pub fn new(scenario: &Scenario, plan: &DrawPlan) -> Copula {
        let shocks = scenario
            .tranches
            .iter()
            .enumerate()
            .filter(|(_, t)| !t.delay_shocks.is_empty())
            .map(|(i, t)| {
                let loads: f64 = t.delay_shocks.iter().map(|(_, w)| w * w).sum();
                ShockLoading {
                    slot: plan.tranche[i] + tranche_slot::DELAY,
                    shocks: t.delay_shocks.iter().map(|(k, w)| (*k, *w)).collect(),
                    own: (1.0 - loads).max(0.0).sqrt(),
                }
            })
            .collect();
        let groups = scenario
            .correlations
            .iter()
            .filter_map(|c| {
                let slots: Option<Vec<usize>> = c.inputs.iter().map(|p| plan.slot(p)).collect();
                let factor = cholesky(&pearson_from_spearman(&c.spearman)).ok()?;
                Some(Group {
                    slots: slots?,
                    factor,
                })
            })
            .collect();
        Copula {
            shock_slots: plan.shocks.clone(),
            shocks,
            groups,
        }
    }

    /// Whether there is nothing to correlate.
    pub fn is_empty(&self) -> bool {
        self.shocks.is_empty() && self.groups.is_empty()
    }

    /// Correlates the uniforms `u` in place: shocks first, then each
    /// correlation group. `scratch` is reused between calls, so that a trial
    /// allocates nothing.
    pub fn apply(&self, u: &mut [f64], scratch: &mut Vec<f64>) {
        // Each shock's normal score once, not once per tranche loading on it.
        scratch.clear();
        scratch.extend(
            self.shock_slots
                .iter()
                .map(|slot| standard_normal_quantile(u[*slot])),
        );
        for s in &self.shocks {
            let mut z = s.own * standard_normal_quantile(u[s.slot]);
            for (k, w) in &s.shocks {
                z += w * scratch[*k];
            }
            u[s.slot] = clamp_unit(normal_cdf(z));
        }
        for g in &self.groups {
            scratch.clear();
            scratch.extend(g.slots.iter().map(|s| standard_normal_quantile(u[*s])));
            let z = &scratch[..];
            for (i, slot) in g.slots.iter().enumerate() {
                let zi: f64 = (0..=i).map(|k| g.factor[i][k] * z[k]).sum();
                u[*slot] = clamp_unit(normal_cdf(zi));
            }
        }
    }
}
