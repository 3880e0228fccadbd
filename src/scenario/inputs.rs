//! A scenario's uncertain inputs, in one canonical slot order, and how a
//! trial's uniforms for them are drawn.
//!
//! Every input (a tranche's delay, a contract's price, a year's revenue
//! growth...) has a slot. A trial first draws a uniform per slot, each
//! component (tranche, contract, revenue, costs, funding event, shock) from
//! its own stream; then correlations act on the uniforms; then each slot's
//! value is its distribution's quantile. Keeping the uniforms in one place is
//! what lets correlation, trial export and one-at-a-time sensitivity work on
//! any input by its path.

use std::ops::Range;

use super::{Costs, EndOfLife, FundingBasis, Input, PaymentBasis, Scenario, Tranche};
use crate::distribution::{Discrete, Uncertain};
use crate::rng::{ComponentId, Stream};

/// The slots of a scenario's inputs and where each component's begin.
#[derive(Debug, Clone)]
pub struct DrawPlan {
    /// Every input, in slot order.
    pub inputs: Vec<Input>,
    /// Each component's stream and its contiguous slots.
    components: Vec<(ComponentId, Range<usize>)>,
    /// First slot of each tranche: never, gw, delay, ramp, accelerators, then
    /// pflops if given (see [`tranche_slot`]).
    pub tranche: Vec<usize>,
    /// Price slot of each contract (none for take-or-pay); a lease's rate
    /// follows its price.
    pub contract: Vec<Option<usize>>,
    /// First revenue slot: run rate, revenue per GW-year, then growth per year.
    pub revenue: Option<usize>,
    /// First costs slot: running cost, revenue share, then other costs per year.
    pub costs: usize,
    /// First slot of each funding event: happens, amount (or price per GW).
    pub funding: Vec<usize>,
    /// Slot of each shock factor (a standard normal).
    pub shocks: Vec<usize>,
    /// First financing slot: debt rate, equity cost (if `[financing]` is given).
    pub financing: Option<usize>,
    /// Slot of each tranche's `life_years`, if given; its refresh price, if
    /// it is refreshed, follows. After the tranche's other slots, so that
    /// adding a life leaves their draws unchanged.
    pub tranche_life: Vec<Option<usize>>,
}

/// Each component's stream key for one seed, kept between trials (see
/// [`DrawPlan::draw_uniforms`]).
#[derive(Debug, Clone, Default)]
pub struct StreamKeys {
    seed: Option<u64>,
    keys: Vec<u64>,
}

/// Offsets within a tranche's slots.
pub mod tranche_slot {
    /// 1 if the tranche never arrives.
    pub const NEVER: usize = 0;
    /// Size, GW.
    pub const GW: usize = 1;
    /// Delay, months.
    pub const DELAY: usize = 2;
    /// Ramp, months.
    pub const RAMP: usize = 3;
    /// Accelerators per GW.
    pub const ACCELERATORS: usize = 4;
    /// PFLOP/s per accelerator (only if given).
    pub const PFLOPS: usize = 5;
}

/// A 0/1 input that is 1 with probability `p`; constant when certain.
fn event(path: String, p: f64) -> Input {
    let dist = if p <= 0.0 || p >= 1.0 {
        Uncertain::Constant(p.clamp(0.0, 1.0))
    } else {
        Uncertain::Discrete(Discrete::bernoulli(p).expect("validated probability"))
    };
    Input {
        path,
        dist,
        min: 0.0,
        max: 1.0,
    }
}

/// Pushes the end-of-life inputs of `t` (its life, then its refresh price
/// if refreshed) onto `inputs`; returns the slot of the life, if any.
fn life_inputs(t: &Tranche, inputs: &mut Vec<Input>) -> Option<usize> {
    let life = t.life_years.as_ref()?;
    let slot = inputs.len();
    inputs.push(life.clone());
    if let EndOfLife::Refresh { usd_bn_per_gw } = &t.end_of_life {
        inputs.push(usd_bn_per_gw.clone());
    }
    Some(slot)
}

/// Appends the price inputs of a contract's `basis` to `inputs`; returns the
/// first slot, `None` for a basis with no uncertain price.
fn contract_inputs(basis: &PaymentBasis, inputs: &mut Vec<Input>) -> Option<usize> {
    let first = inputs.len();
    match basis {
        PaymentBasis::TakeOrPay { .. } => return None,
        PaymentBasis::PayAsDelivered {
            usd_bn_per_gw_year, ..
        } => inputs.push(usd_bn_per_gw_year.clone()),
        PaymentBasis::Purchase { usd_bn_per_gw, .. } => inputs.push(usd_bn_per_gw.clone()),
        PaymentBasis::Lease {
            usd_bn_per_gw,
            rate,
            ..
        } => {
            inputs.push(usd_bn_per_gw.clone());
            inputs.push(rate.clone());
        }
    }
    Some(first)
}

/// Appends the cost inputs to `inputs`: running cost, revenue share, then
/// other costs for each of `years` years (the last given repeats; 0 if none).
fn cost_inputs(k: &Costs, years: usize, inputs: &mut Vec<Input>) {
    inputs.push(k.running_usd_bn_per_gw_year.clone());
    inputs.push(k.revenue_share.clone());
    for y in 0..years {
        let n = k.other_usd_bn_per_year.len();
        let mut o = if n == 0 {
            Input {
                path: String::new(),
                dist: Uncertain::Constant(0.0),
                min: 0.0,
                max: 0.0,
            }
        } else {
            k.other_usd_bn_per_year[y.min(n - 1)].clone()
        };
        o.path = format!("costs.other_usd_bn_per_year.year{}", y + 1);
        inputs.push(o);
    }
}

impl DrawPlan {
    /// The slots of `scenario`.
    pub fn new(scenario: &Scenario) -> DrawPlan {
        let mut inputs: Vec<Input> = Vec::new();
        let mut components = Vec::new();
        let years = scenario.months.div_ceil(12);

        let mut shocks = Vec::new();
        for shock in &scenario.shocks {
            let first = inputs.len();
            shocks.push(first);
            inputs.push(Input {
                path: format!("shock.{}", shock.name),
                dist: Uncertain::Normal(crate::distribution::Normal::new(0.0, 1.0).expect("valid")),
                min: f64::NEG_INFINITY,
                max: f64::INFINITY,
            });
            components.push((shock.component, first..inputs.len()));
        }

        let mut tranche = Vec::new();
        let mut tranche_life = Vec::new();
        for t in &scenario.tranches {
            let first = inputs.len();
            tranche.push(first);
            inputs.push(event(format!("tranche.{}.never", t.name), t.p_never));
            inputs.push(t.gw.clone());
            inputs.push(t.delay_months.clone());
            inputs.push(t.ramp_months.clone());
            inputs.push(t.accelerators_per_gw.clone());
            if let Some(p) = &t.pflops_per_accelerator {
                inputs.push(p.clone());
            }
            tranche_life.push(life_inputs(t, &mut inputs));
            components.push((t.component, first..inputs.len()));
        }

        let mut contract = Vec::new();
        for c in &scenario.contracts {
            let first = inputs.len();
            let slot = contract_inputs(&c.basis, &mut inputs);
            contract.push(slot);
            components.push((c.component, first..inputs.len()));
        }

        let revenue = scenario.revenue.as_ref().map(|r| {
            let first = inputs.len();
            inputs.push(r.run_rate_usd_bn.clone());
            inputs.push(r.usd_bn_per_gw_year.clone());
            for y in 0..years {
                let mut g = r.annual_growth[y.min(r.annual_growth.len() - 1)].clone();
                g.path = format!("revenue.annual_growth.year{}", y + 1);
                inputs.push(g);
            }
            components.push((ComponentId::new("revenue", ""), first..inputs.len()));
            first
        });

        let costs = inputs.len();
        cost_inputs(&scenario.costs, years, &mut inputs);
        components.push((ComponentId::new("costs", ""), costs..inputs.len()));

        let mut funding = Vec::new();
        for f in &scenario.funding {
            let first = inputs.len();
            funding.push(first);
            inputs.push(event(format!("funding.{}.happens", f.name), f.probability));
            inputs.push(match &f.basis {
                FundingBasis::Lump { amount_usd_bn, .. } => amount_usd_bn.clone(),
                FundingBasis::PerGw { usd_bn_per_gw, .. } => usd_bn_per_gw.clone(),
            });
            components.push((f.component, first..inputs.len()));
        }

        // Last, so that adding `[financing]` leaves every other slot where it was.
        let financing = scenario.financing.as_ref().map(|f| {
            let first = inputs.len();
            inputs.push(f.debt_rate.clone());
            inputs.push(f.equity_cost.clone());
            components.push((ComponentId::new("financing", ""), first..inputs.len()));
            first
        });

        DrawPlan {
            inputs,
            components,
            tranche,
            contract,
            revenue,
            costs,
            funding,
            shocks,
            financing,
            tranche_life,
        }
    }

    /// Number of slots.
    pub fn len(&self) -> usize {
        self.inputs.len()
    }

    /// Whether there are no slots.
    pub fn is_empty(&self) -> bool {
        self.inputs.is_empty()
    }

    /// The slot of the input at `path`, if any.
    pub fn slot(&self, path: &str) -> Option<usize> {
        self.inputs.iter().position(|i| i.path == path)
    }

    /// Fills `u` with trial `trial`'s uniforms, each component from its own
    /// stream, in slot order. `keys` keeps each component's
    /// [`Stream::component_key`] between calls (start from
    /// `StreamKeys::default()`; it is refilled when the seed changes).
    pub fn draw_uniforms(&self, seed: u64, trial: u64, keys: &mut StreamKeys, u: &mut [f64]) {
        if keys.seed != Some(seed) || keys.keys.len() != self.components.len() {
            keys.keys.clear();
            keys.keys.extend(
                self.components
                    .iter()
                    .map(|(id, _)| Stream::component_key(seed, *id)),
            );
            keys.seed = Some(seed);
        }
        for ((_, range), key) in self.components.iter().zip(&keys.keys) {
            let mut rng = Stream::of_trial(*key, trial);
            for x in &mut u[range.clone()] {
                *x = rng.uniform();
            }
        }
    }

    /// Each slot's value for the uniforms `u`.
    pub fn values(&self, u: &[f64], values: &mut [f64]) {
        for ((v, input), u) in values.iter_mut().zip(&self.inputs).zip(u) {
            *v = input.draw(*u);
        }
    }

    /// Whether the input in `slot` is uncertain (not a constant).
    pub(crate) fn is_uncertain(&self, slot: usize) -> bool {
        !self.inputs[slot].dist.is_constant()
    }
}
