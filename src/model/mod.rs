//! One trial of the model: a pure function of the scenario, the seed and the
//! trial index.
//!
//! Each component (tranche, contract, revenue, costs, funding event) draws a
//! fixed sequence of uniforms from its own stream, so a trial is reproducible
//! from its index alone and components do not disturb each other's draws.

mod capacity;
mod cash;
mod contracts;
mod copula;
mod funding;
mod layout;
mod ledger;
mod outcomes;
mod revenue;
mod series;

pub use copula::Copula;
pub use layout::{OutcomeKind, OutcomeSpec, OutputLayout, outcome};
pub use ledger::{DealTrial, Ledger};

use crate::scenario::{DrawPlan, Scenario, StreamKeys, tranche_slot};

use capacity::{Fleet, Steps};
use series::{Needs, Offsets};

/// Everything one trial produces.
#[derive(Debug, Clone, PartialEq)]
pub struct TrialRecord {
    /// Monthly series, metric-major: `series[metric_position * months + month]`.
    pub series: Vec<f64>,
    /// Scalar outcomes, in [`OutputLayout::outcomes`] order. Month outcomes
    /// that never happen are `f64::INFINITY`.
    pub outcomes: Vec<f64>,
}

impl TrialRecord {
    /// A zeroed record for `layout`.
    pub fn new(layout: &OutputLayout) -> TrialRecord {
        TrialRecord {
            series: vec![0.0; layout.series_len()],
            outcomes: vec![0.0; layout.outcomes.len()],
        }
    }
}

/// One trial's input values (in [`DrawPlan`] slot order) and outcomes (in
/// [`OutputLayout::outcomes`] order), for analyses that need trials one by
/// one.
pub type TrialValues = (Vec<f64>, Vec<f64>);

/// Scratch space reused across trials to avoid allocation.
#[derive(Debug, Clone)]
pub struct Workspace {
    /// The trial's tranches as they turned out (see [`Fleet`]).
    fleet: Fleet,
    /// Full-power steps per month (see [`Steps`]).
    steps: Steps,
    /// Per-month buffer for capped payment and funding streams.
    due: Vec<f64>,
    /// Full-power steps of `due` (pay-as-delivered contracts).
    due_steps: Vec<f64>,
    /// A lease's principals by first payment month (see `contracts::lease`).
    leased: Vec<(i32, f64)>,
    /// Each contract's payments per month (contract-major), and its total:
    /// kept so that an option exercised in a decision month recomputes
    /// only the contracts it is linked to.
    contract_payments: Vec<f64>,
    contract_totals: Vec<f64>,
    /// The trial's uniform per input slot (see [`DrawPlan`]).
    u: Vec<f64>,
    /// The trial's value per input slot.
    values: Vec<f64>,
    /// The copula's normal scores (see [`Copula::apply`]).
    normal_scores: Vec<f64>,
    /// Each component's stream key for the seed last drawn.
    stream_keys: StreamKeys,
}

impl Workspace {
    /// Scratch space for `scenario`.
    pub fn new(scenario: &Scenario) -> Workspace {
        let t = scenario.months;
        let n = scenario.tranches.len();
        Workspace {
            fleet: Fleet::new(n, t),
            steps: Steps::new(t),
            due: vec![0.0; t],
            due_steps: vec![0.0; t],
            leased: Vec::new(),
            contract_payments: vec![0.0; scenario.contracts.len() * t],
            contract_totals: vec![0.0; scenario.contracts.len()],
            u: Vec::new(),
            values: Vec::new(),
            normal_scores: Vec::new(),
            stream_keys: StreamKeys::default(),
        }
    }

    /// The value of every input slot in the last trial simulated, in
    /// [`DrawPlan`] order.
    pub fn input_values(&self) -> &[f64] {
        &self.values
    }
}

/// The tranches decided on need, grouped by decision month, in month order
/// (within a month, in file order).
fn decision_groups(scenario: &Scenario) -> Vec<(usize, Vec<usize>)> {
    let mut groups: Vec<(usize, Vec<usize>)> = Vec::new();
    for (j, t) in scenario.tranches.iter().enumerate() {
        if let Some(d) = t.decision {
            match groups.iter_mut().find(|(m, _)| *m == d.month_index) {
                Some((_, g)) => g.push(j),
                None => groups.push((d.month_index, vec![j])),
            }
        }
    }
    groups.sort_by_key(|(m, _)| *m);
    groups
}

/// How much of a trial the caller reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Detail {
    /// Every monthly series and every outcome.
    Series,
    /// The outcomes alone: the series buffer is scratch, and the series no
    /// outcome depends on are not computed (the outcomes are the same bit
    /// for bit). For sweeps and the per-trial analyses.
    Outcomes,
}

/// The compiled model of a scenario.
#[derive(Debug, Clone)]
pub struct Model<'s> {
    scenario: &'s Scenario,
    layout: OutputLayout,
    off: Offsets,
    plan: DrawPlan,
    copula: Copula,
    /// What [`Detail::Outcomes`] computes.
    outcome_needs: Needs,
    /// Options decided on need, grouped by decision month, in month order.
    decisions: Vec<(usize, Vec<usize>)>,
    /// The month indices of each calendar year of the horizon (the first and
    /// last may be partial), for targets on yearly values.
    years: Vec<std::ops::Range<usize>>,
}

impl<'s> Model<'s> {
    /// The model of `scenario`.
    pub fn new(scenario: &'s Scenario) -> Model<'s> {
        let layout = OutputLayout::new(scenario);
        let plan = DrawPlan::new(scenario);
        let off = Offsets::new(&layout);
        let decisions = decision_groups(scenario);
        let mut outcome_needs = Needs::of_outcomes(scenario);
        if !decisions.is_empty() {
            // Decisions read demand, cash and the funding need.
            outcome_needs.revenue_detail = true;
            outcome_needs.cash_detail = true;
        }
        Model {
            scenario,
            layout,
            off,
            copula: Copula::new(scenario, &plan),
            plan,
            outcome_needs,
            decisions,
            years: crate::period::Period::Year
                .spans(scenario.start, scenario.months)
                .into_iter()
                .map(|s| s.months)
                .collect(),
        }
    }

    /// The layout of this model's trial records.
    pub fn layout(&self) -> &OutputLayout {
        &self.layout
    }

    /// The scenario.
    pub fn scenario(&self) -> &Scenario {
        self.scenario
    }

    /// The model's input slots.
    pub fn plan(&self) -> &DrawPlan {
        &self.plan
    }

    /// Simulates trial `trial` of a run seeded with `seed` into `out`.
    pub fn simulate(&self, seed: u64, trial: u64, ws: &mut Workspace, out: &mut TrialRecord) {
        self.simulate_with(seed, trial, &[], ws, out);
    }

    /// Simulates a trial with some inputs pinned: each `(slot, p)` sets that
    /// input to its `p`-quantile, for one-at-a-time sensitivity. A common
    /// shock is pinned before the correlations, so that the inputs loading
    /// on it move with it (a shock acts only through them); any other input
    /// after them, so that it alone moves.
    pub fn simulate_with(
        &self,
        seed: u64,
        trial: u64,
        pinned: &[(usize, f64)],
        ws: &mut Workspace,
        out: &mut TrialRecord,
    ) {
        self.simulate_into(
            seed,
            trial,
            pinned,
            ws,
            Detail::Series,
            &mut out.series,
            &mut out.outcomes,
        );
    }

    /// As [`simulate_with`](Self::simulate_with), writing the monthly series
    /// (metric-major, [`OutputLayout::series_len`] values; with
    /// [`Detail::Outcomes`], scratch) and the outcomes
    /// ([`OutputLayout::outcomes`] order) straight into the caller's buffers,
    /// such as a row of the runner's tile. Panics if a buffer's length does
    /// not match the layout (a programming error, not a scenario's).
    #[allow(clippy::too_many_arguments)]
    pub fn simulate_into(
        &self,
        seed: u64,
        trial: u64,
        pinned: &[(usize, f64)],
        ws: &mut Workspace,
        detail: Detail,
        series: &mut [f64],
        outcomes: &mut [f64],
    ) {
        self.draw_inputs(seed, trial, pinned, ws);
        // Lent out while the model reads them and writes the rest of `ws`.
        let values = std::mem::take(&mut ws.values);
        self.simulate_values(&values, ws, detail, series, outcomes);
        ws.values = values;
    }

    /// Draws trial `trial`'s inputs into `ws` (see
    /// [`Workspace::input_values`]): uniforms, correlations, the `pinned`
    /// quantiles (shocks before the correlations, as
    /// [`simulate_with`](Self::simulate_with) says), then each input's value.
    pub(crate) fn draw_inputs(
        &self,
        seed: u64,
        trial: u64,
        pinned: &[(usize, f64)],
        ws: &mut Workspace,
    ) {
        ws.u.resize(self.plan.len(), 0.0);
        ws.values.resize(self.plan.len(), 0.0);
        self.plan
            .draw_uniforms(seed, trial, &mut ws.stream_keys, &mut ws.u);
        let is_shock = |slot: &usize| self.plan.shocks.contains(slot);
        for (slot, p) in pinned.iter().filter(|(slot, _)| is_shock(slot)) {
            ws.u[*slot] = *p;
        }
        self.copula.apply(&mut ws.u, &mut ws.normal_scores);
        for (slot, p) in pinned.iter().filter(|(slot, _)| !is_shock(slot)) {
            ws.u[*slot] = *p;
        }
        self.plan.values(&ws.u, &mut ws.values);
    }

    /// The model itself, given every input's value `v` (in [`DrawPlan`] slot
    /// order, as [`draw_inputs`](Self::draw_inputs) leaves them): writes the
    /// monthly series and the outcomes as
    /// [`simulate_into`](Self::simulate_into) does. A trial with one input
    /// changed after drawing (a sensitivity swing) needs only this part.
    /// Panics if a length does not match the model (a programming error).
    pub(crate) fn simulate_values(
        &self,
        v: &[f64],
        ws: &mut Workspace,
        detail: Detail,
        series: &mut [f64],
        outcomes: &mut [f64],
    ) {
        assert_eq!(v.len(), self.plan.len(), "input values");
        assert_eq!(series.len(), self.layout.series_len(), "series buffer");
        assert_eq!(outcomes.len(), self.layout.outcomes.len(), "outcome buffer");
        match detail {
            Detail::Series => self.simulate_needing::<true>(v, ws, series, outcomes),
            Detail::Outcomes => self.simulate_needing::<false>(v, ws, series, outcomes),
        }
    }

    /// [`simulate_values`](Self::simulate_values) for every series when
    /// `ALL`, else for the outcomes alone. A constant, so that the full run's
    /// loops carry no tests of what is needed.
    fn simulate_needing<const ALL: bool>(
        &self,
        v: &[f64],
        ws: &mut Workspace,
        series: &mut [f64],
        outcomes: &mut [f64],
    ) {
        let (never_gw, payments, balance) = self.flows::<ALL>(v, ws, series, outcomes);
        self.fixed_outcomes(&balance, payments, never_gw, series, outcomes);
        self.targets(series, outcomes);
        self.views(series, outcomes);
    }

    /// The stages up to the cash balance, in one pass forward through the
    /// horizon. Capacity, contracts and funding depend on the fleet alone
    /// and are computed for the whole horizon at once; revenue, operating
    /// costs and cash run month by month, up to each decision month, where
    /// the trial's options on need are decided on its state then (see
    /// [`decide`](Self::decide)), and on. An option exercised in month `d`
    /// changes nothing before `d + 1`, so when one is, the fleet's stages
    /// are computed again and the months already done stand, bit for bit
    /// what one pass with the decisions known from the start gives.
    /// Returns the GW that never arrives, the total of the contracts'
    /// payments and the balance.
    #[inline]
    fn flows<const ALL: bool>(
        &self,
        v: &[f64],
        ws: &mut Workspace,
        series: &mut [f64],
        outcomes: &mut [f64],
    ) -> (f64, f64, cash::Balance) {
        outcomes.fill(0.0);
        self.clear_revenue(series);
        for (_, group) in &self.decisions {
            for &j in group {
                ws.fleet.excluded[j] = true;
                ws.fleet.earliest[j] = i32::MIN;
            }
        }
        let (mut never_gw, mut payments) = self.fleet_stages::<ALL>(v, ws, series, outcomes, None);
        let terms = self.financing_terms(v);
        let mut demand = self.demand_start(v);
        let mut balance = cash::Balance::start(self.scenario.start_cash_usd_bn);
        let months = self.scenario.months;
        let mut from = 0;
        for (month, group) in &self.decisions {
            let to = (month + 1).min(months);
            self.revenue::<ALL>(v, series, from..to, &mut demand);
            self.operating_costs(v, &ws.fleet.owned_gw, series, from..to);
            self.cash::<ALL>(&terms, series, from..to, &mut balance);
            from = to;
            if self.decide(*month, group, v, ws, series) {
                (never_gw, payments) =
                    self.fleet_stages::<ALL>(v, ws, series, outcomes, Some(group));
            }
        }
        self.revenue::<ALL>(v, series, from..months, &mut demand);
        self.operating_costs(v, &ws.fleet.owned_gw, series, from..months);
        self.cash::<ALL>(&terms, series, from..months, &mut balance);
        (never_gw, payments, balance)
    }

    /// The stages that depend on the fleet alone, over the whole horizon:
    /// capacity, the contracts' payments and funding. Again after options
    /// of `exercised` were exercised, only what they can change: not the
    /// planned capacity, and only the contracts they are linked to. Returns
    /// the GW that never arrives and the contracts' total payments.
    #[inline]
    fn fleet_stages<const ALL: bool>(
        &self,
        v: &[f64],
        ws: &mut Workspace,
        series: &mut [f64],
        outcomes: &mut [f64],
        exercised: Option<&[usize]>,
    ) -> (f64, f64) {
        self.clear_sums(series, exercised.is_none());
        let never_gw = self.capacity::<ALL>(v, ws, series, exercised.is_none());
        let payments = self.contracts(v, ws, series, outcomes, exercised);
        self.funding(v, ws, series);
        (never_gw, payments)
    }

    /// Decides the options of `group` in `month` on the trial's state then,
    /// as the stages have left it in `series`: each one exercised is in the
    /// fleet from the month after. Returns whether any was exercised.
    fn decide(
        &self,
        month: usize,
        group: &[usize],
        v: &[f64],
        ws: &mut Workspace,
        series: &[f64],
    ) -> bool {
        let (m, off) = (month, self.off);
        let demand = series[off.demand + m];
        let capacity = self
            .plan
            .revenue
            .map_or(0.0, |first| series[off.online + m] * v[first + 1]);
        let (cash, need) = (series[off.cash + m], series[off.need + m]);
        let mut exercised = false;
        for &j in group {
            let decision = self.scenario.tranches[j].decision.expect("grouped");
            if decision.condition.holds(demand, capacity, cash, need) {
                ws.fleet.excluded[j] = false;
                ws.fleet.earliest[j] = m as i32 + 1;
                exercised = true;
            }
        }
        exercised
    }

    /// What a trial computes: every series when `ALL` (a constant, so that
    /// the stages' loops carry no tests of what is needed), else what the
    /// outcomes need.
    #[inline]
    fn needs<const ALL: bool>(&self) -> Needs {
        if ALL { Needs::ALL } else { self.outcome_needs }
    }

    /// Zeroes the series that the fleet's stages add into (planned capacity
    /// only with `planned`). Every month of every other series is assigned
    /// by its stage.
    #[inline]
    fn clear_sums(&self, series: &mut [f64], planned: bool) {
        let (off, t_len) = (self.off, self.scenario.months);
        let planned = if planned { off.planned } else { usize::MAX };
        for first in [
            planned,
            off.online,
            off.accelerators,
            off.compute,
            off.payments,
            off.funding,
        ] {
            if first != usize::MAX {
                series[first..first + t_len].fill(0.0);
            }
        }
    }

    /// Zeroes the revenue series where there is no revenue model (no stage
    /// writes them then).
    #[inline]
    fn clear_revenue(&self, series: &mut [f64]) {
        let (off, t_len) = (self.off, self.scenario.months);
        if self.plan.revenue.is_none() {
            for first in [off.demand, off.run_rate, off.revenue, off.constrained] {
                series[first..first + t_len].fill(0.0);
            }
        }
    }
}
