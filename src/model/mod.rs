//! One trial of the model: a pure function of the scenario, the seed and the
//! trial index.
//!
//! Each component (tranche, contract, revenue, costs, funding event) draws a
//! fixed sequence of uniforms from its own stream, so a trial is reproducible
//! from its index alone and components do not disturb each other's draws.

mod copula;
mod layout;

pub use copula::Copula;
pub use layout::{OutcomeKind, OutcomeSpec, OutputLayout, outcome};

use std::ops::Range;

use crate::metric::Metric;
use crate::scenario::{
    DrawPlan, FundingBasis, PaymentBasis, Scenario, StreamKeys, Threshold, tranche_slot,
};
use crate::stats::lane_sum;

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
    /// Month index each tranche energises, `None` if it never arrives.
    energised: Vec<Option<i32>>,
    /// Ramp of each tranche, months.
    ramp: Vec<i32>,
    /// Drawn size of each tranche, GW.
    size_gw: Vec<f64>,
    /// GW online in owned tranches.
    owned_gw: Vec<f64>,
    /// Per-month buffer for capped payment and funding streams.
    due: Vec<f64>,
    /// Full-power steps of `due` (pay-as-delivered contracts).
    due_steps: Vec<f64>,
    /// Full-power steps per month (see [`Steps`]).
    steps: Steps,
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
            energised: vec![None; n],
            ramp: vec![0; n],
            size_gw: vec![0.0; n],
            owned_gw: vec![0.0; t],
            due: vec![0.0; t],
            due_steps: vec![0.0; t],
            steps: Steps::new(t),
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

/// The months of a tranche energised in month `start` with a `ramp`-month
/// ramp, within a horizon of `months`: the ramp months (below full power)
/// and the first month at full power, `None` if after the horizon.
#[inline]
fn ramp_months(start: i32, ramp: i32, months: usize) -> (Range<usize>, Option<usize>) {
    let t = months as i32;
    // ramp_fraction(k, ramp) is 1 from k = ramp - 1 (from k = 0 without a ramp).
    let full = start.saturating_add(ramp.saturating_sub(1).max(0));
    let ramp_range = start.clamp(0, t) as usize..full.clamp(0, t) as usize;
    let full = (full < t).then(|| full.max(0) as usize);
    (ramp_range, full)
}

/// [`ramp_fraction`] of month `m` of a tranche energised in `start`, for a
/// month of [`ramp_months`]' ramp range, where it is always `(k + 1) / ramp`:
/// the same number without the branches.
///
/// [`ramp_fraction`]: crate::scenario::ramp_fraction
#[inline]
fn ramping_fraction(m: usize, start: i32, ramp: i32) -> f64 {
    debug_assert!(m as i32 >= start && m as i32 - start + 1 < ramp);
    f64::from(m as i32 - start + 1) / f64::from(ramp)
}

/// Adds a tranche's `gw` to `out` month by month as it ramps up, and its
/// full power as a step in `step` (summed into `out` later by [`Steps`]), so
/// that each tranche costs its ramp months, not the whole horizon.
#[inline]
fn add_tranche(out: &mut [f64], step: &mut [f64], gw: f64, start: i32, ramp: i32) {
    let (ramping, full) = ramp_months(start, ramp, out.len());
    for m in ramping {
        out[m] += gw * ramping_fraction(m, start, ramp);
    }
    if let Some(m) = full {
        step[m] += gw;
    }
}

/// Full-power steps of the capacity metrics: `step[m]` is added to every
/// month from `m` on.
#[derive(Debug, Clone)]
struct Steps {
    planned: Vec<f64>,
    online: Vec<f64>,
    accelerators: Vec<f64>,
    compute: Vec<f64>,
    owned: Vec<f64>,
}

impl Steps {
    fn new(months: usize) -> Steps {
        Steps {
            planned: vec![0.0; months],
            online: vec![0.0; months],
            accelerators: vec![0.0; months],
            compute: vec![0.0; months],
            owned: vec![0.0; months],
        }
    }

    fn clear(&mut self) {
        for v in [
            &mut self.planned,
            &mut self.online,
            &mut self.accelerators,
            &mut self.compute,
            &mut self.owned,
        ] {
            v.fill(0.0);
        }
    }
}

/// `out[m] += step[0] + ... + step[m]`.
#[inline]
fn add_running_sum(out: &mut [f64], step: &[f64]) {
    let mut level = 0.0;
    for (o, s) in out.iter_mut().zip(step) {
        level += s;
        *o += level;
    }
}

/// `amount`, but at most `remaining` (amounts are never NaN, so a plain
/// comparison does what `min` does without its NaN handling, which sat on the
/// loop-carried chain of every capped stream).
#[inline]
fn capped(amount: f64, remaining: f64) -> f64 {
    if amount < remaining {
        amount
    } else {
        remaining
    }
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

/// Which of the series that outcomes do not need are computed.
#[derive(Debug, Clone, Copy)]
struct Needs {
    /// Planned capacity and the capacity shortfall.
    planned: bool,
    /// Accelerators and compute online.
    accelerators: bool,
    /// Demand, run rate and whether revenue is compute-constrained.
    revenue_detail: bool,
    /// Cumulative payments, the funding gap and the cash-shortfall flag.
    cash_detail: bool,
}

impl Needs {
    const ALL: Needs = Needs {
        planned: true,
        accelerators: true,
        revenue_detail: true,
        cash_detail: true,
    };

    /// What the outcomes of `scenario` need: only what its targets read.
    fn of_outcomes(scenario: &Scenario) -> Needs {
        let targeted =
            |metrics: &[Metric]| scenario.targets.iter().any(|t| metrics.contains(&t.metric));
        Needs {
            planned: targeted(&[Metric::CapacityPlannedGw, Metric::CapacityShortfallGw]),
            accelerators: targeted(&[Metric::AcceleratorsOnline, Metric::ComputeOnlineEflops]),
            revenue_detail: targeted(&[
                Metric::DemandRunRateUsdBn,
                Metric::RevenueRunRateUsdBn,
                Metric::RevenueComputeConstrained,
            ]),
            cash_detail: targeted(&[
                Metric::CumulativeComputePaymentsUsdBn,
                Metric::FundingGapUsdBn,
                Metric::CashShortfall,
            ]),
        }
    }
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
}

/// Series offsets of each metric (`usize::MAX` when not reported).
#[derive(Debug, Clone, Copy)]
struct Offsets {
    online: usize,
    planned: usize,
    shortfall_gw: usize,
    accelerators: usize,
    compute: usize,
    payments: usize,
    cumulative_payments: usize,
    revenue: usize,
    run_rate: usize,
    demand: usize,
    opex: usize,
    funding: usize,
    cash: usize,
    gap: usize,
    cash_short: usize,
    constrained: usize,
}

impl<'s> Model<'s> {
    /// The model of `scenario`.
    pub fn new(scenario: &'s Scenario) -> Model<'s> {
        let layout = OutputLayout::new(scenario);
        let plan = DrawPlan::new(scenario);
        let o = |m: Metric| layout.metric_offset(m).unwrap_or(usize::MAX);
        let off = Offsets {
            online: o(Metric::CapacityOnlineGw),
            planned: o(Metric::CapacityPlannedGw),
            shortfall_gw: o(Metric::CapacityShortfallGw),
            accelerators: o(Metric::AcceleratorsOnline),
            compute: o(Metric::ComputeOnlineEflops),
            payments: o(Metric::ComputePaymentsUsdBn),
            cumulative_payments: o(Metric::CumulativeComputePaymentsUsdBn),
            revenue: o(Metric::RevenueUsdBn),
            run_rate: o(Metric::RevenueRunRateUsdBn),
            demand: o(Metric::DemandRunRateUsdBn),
            opex: o(Metric::OperatingCostsUsdBn),
            funding: o(Metric::FundingUsdBn),
            cash: o(Metric::CashBalanceUsdBn),
            gap: o(Metric::FundingGapUsdBn),
            cash_short: o(Metric::CashShortfall),
            constrained: o(Metric::RevenueComputeConstrained),
        };
        Model {
            scenario,
            layout,
            off,
            copula: Copula::new(scenario, &plan),
            plan,
            outcome_needs: Needs::of_outcomes(scenario),
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
    pub fn draw_inputs(&self, seed: u64, trial: u64, pinned: &[(usize, f64)], ws: &mut Workspace) {
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
    pub fn simulate_values(
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
        let s = self.scenario;
        let t_len = s.months;
        let off = self.off;
        let need = if ALL { Needs::ALL } else { self.outcome_needs };
        // Only the series that are summed into need zeroing; every other
        // month of every other series is assigned below.
        for first in [
            off.planned,
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
        if self.plan.revenue.is_none() {
            for first in [off.demand, off.run_rate, off.revenue, off.constrained] {
                series[first..first + t_len].fill(0.0);
            }
        }
        outcomes.fill(0.0);
        ws.owned_gw.fill(0.0);

        // Capacity: ramp months month by month, full power as steps.
        let mut never_gw = 0.0;
        ws.steps.clear();
        let steps = &mut ws.steps;
        let accelerators = need.accelerators;
        let compute_reported = off.compute != usize::MAX && accelerators;
        for (i, tr) in s.tranches.iter().enumerate() {
            let slot = self.plan.tranche[i];
            let arrives = v[slot + tranche_slot::NEVER] == 0.0;
            let gw = v[slot + tranche_slot::GW];
            let delay = v[slot + tranche_slot::DELAY];
            let ramp = v[slot + tranche_slot::RAMP].round() as i32;
            let per_gw = v[slot + tranche_slot::ACCELERATORS];
            let pflops = if tr.pflops_per_accelerator.is_some() {
                v[slot + tranche_slot::PFLOPS]
            } else {
                0.0
            };
            ws.size_gw[i] = gw;
            ws.ramp[i] = ramp;
            // The plan: on time, same size and ramp.
            if need.planned {
                add_tranche(
                    &mut series[off.planned..off.planned + t_len],
                    &mut steps.planned,
                    gw,
                    tr.planned_index,
                    ramp,
                );
            }
            if !arrives {
                ws.energised[i] = None;
                never_gw += gw;
                continue;
            }
            // Energised in the month nearest to planned + delay (a delay
            // under half a month is on time; halves round later).
            let energised = tr
                .planned_index
                .saturating_add((delay + 0.5).floor() as i32);
            ws.energised[i] = Some(energised);
            let eflops_per_gw = per_gw * pflops / 1000.0;
            let (ramping, full) = ramp_months(energised, ramp, t_len);
            for m in ramping {
                let g = gw * ramping_fraction(m, energised, ramp);
                series[off.online + m] += g;
                if accelerators {
                    series[off.accelerators + m] += per_gw * g;
                }
                if compute_reported {
                    series[off.compute + m] += eflops_per_gw * g;
                }
                if tr.owned {
                    ws.owned_gw[m] += g;
                }
            }
            if let Some(m) = full {
                steps.online[m] += gw;
                steps.accelerators[m] += per_gw * gw;
                steps.compute[m] += eflops_per_gw * gw;
                if tr.owned {
                    steps.owned[m] += gw;
                }
            }
        }
        if need.planned {
            add_running_sum(
                &mut series[off.planned..off.planned + t_len],
                &steps.planned,
            );
        }
        add_running_sum(&mut series[off.online..off.online + t_len], &steps.online);
        if accelerators {
            add_running_sum(
                &mut series[off.accelerators..off.accelerators + t_len],
                &steps.accelerators,
            );
        }
        if compute_reported {
            add_running_sum(
                &mut series[off.compute..off.compute + t_len],
                &steps.compute,
            );
        }
        add_running_sum(&mut ws.owned_gw, &steps.owned);
        if need.planned {
            for m in 0..t_len {
                series[off.shortfall_gw + m] = series[off.planned + m] - series[off.online + m];
            }
        }

        // Compute contracts.
        let mut total_payments = 0.0;
        for (ci, c) in s.contracts.iter().enumerate() {
            let price = self.plan.contract[ci].map_or(0.0, |slot| v[slot]);
            let mut paid = 0.0;
            match &c.basis {
                PaymentBasis::TakeOrPay { schedule } => {
                    for (m, amount) in schedule.iter().enumerate() {
                        series[off.payments + m] += amount;
                        paid += amount;
                    }
                }
                PaymentBasis::PayAsDelivered { tranches, .. } => {
                    // GW online in the contract's tranches, month by month.
                    ws.due.fill(0.0);
                    let step = &mut ws.due_steps;
                    step.fill(0.0);
                    for &j in tranches {
                        if let Some(e) = ws.energised[j] {
                            add_tranche(&mut ws.due, step, ws.size_gw[j], e, ws.ramp[j]);
                        }
                    }
                    let per_gw_month = price / 12.0;
                    let first = (c.start_index.max(0) as usize).min(t_len);
                    // The steps before the start still count towards the
                    // level; only months from the start are owed.
                    let mut level: f64 = step[..first].iter().sum();
                    let owed = &mut ws.due[first..];
                    for (d, s) in owed.iter_mut().zip(&step[first..]) {
                        level += s;
                        *d = (*d + level) * per_gw_month;
                    }
                    let uncapped = lane_sum(owed, |x| x);
                    let payments = &mut series[off.payments + first..off.payments + t_len];
                    if uncapped < c.value_usd_bn * (1.0 - 1e-9) {
                        // The contract is not paid off within the horizon
                        // (the usual case): every month pays in full, and the
                        // running cap need not be carried month to month.
                        payments
                            .iter_mut()
                            .zip(owed.iter())
                            .for_each(|(p, x)| *p += x);
                        paid = uncapped;
                    } else {
                        let mut remaining = c.value_usd_bn;
                        for (p, x) in payments.iter_mut().zip(owed.iter()) {
                            if remaining <= 0.0 {
                                break;
                            }
                            let pay = capped(*x, remaining);
                            remaining -= pay;
                            *p += pay;
                            paid += pay;
                        }
                    }
                }
                PaymentBasis::Purchase {
                    tranches,
                    lead_months,
                    ..
                } => {
                    ws.due.fill(0.0);
                    for &j in tranches {
                        if let Some(e) = ws.energised[j] {
                            let m = (e - lead_months).max(c.start_index);
                            if (0..t_len as i32).contains(&m) {
                                ws.due[m as usize] += price * ws.size_gw[j];
                            }
                        }
                    }
                    let mut remaining = c.value_usd_bn;
                    for m in 0..t_len {
                        // Most months nothing is delivered.
                        if ws.due[m] == 0.0 {
                            continue;
                        }
                        let pay = capped(ws.due[m], remaining);
                        remaining -= pay;
                        series[off.payments + m] += pay;
                        paid += pay;
                    }
                }
            }
            outcomes[self.layout.first_contract_outcome + ci] = paid;
            total_payments += paid;
        }

        // Revenue: demand grows month by month; capacity online caps it.
        if let Some(first) = self.plan.revenue {
            let mut demand = v[first];
            let per_gw_year = v[first + 1];
            let growth = &v[first + 2..];
            let mut factor = 1.0;
            for m in 0..t_len {
                if m > 0 {
                    // Months 1-12 grow at year 1's rate, 13-24 at year 2's...
                    if (m - 1) % 12 == 0 {
                        factor = (growth[(m - 1) / 12].ln_1p() / 12.0).exp();
                    }
                    demand *= factor;
                }
                let cap = series[off.online + m] * per_gw_year;
                let run_rate = demand.min(cap);
                series[off.revenue + m] = run_rate / 12.0;
                if need.revenue_detail {
                    series[off.demand + m] = demand;
                    series[off.run_rate + m] = run_rate;
                    series[off.constrained + m] = if demand > cap { 1.0 } else { 0.0 };
                }
            }
        }

        // Operating costs.
        {
            let first = self.plan.costs;
            let running = v[first] / 12.0;
            let share = v[first + 1];
            let other = &v[first + 2..];
            for m in 0..t_len {
                series[off.opex + m] = ws.owned_gw[m] * running
                    + other[m / 12] / 12.0
                    + share * series[off.revenue + m];
            }
        }

        // Funding.
        for (fi, f) in s.funding.iter().enumerate() {
            let first = self.plan.funding[fi];
            let happens = v[first] == 1.0;
            let amount = v[first + 1];
            if !happens {
                continue;
            }
            match &f.basis {
                FundingBasis::Lump { month_index, .. } => {
                    series[off.funding + month_index] += amount
                }
                FundingBasis::PerGw {
                    tranches,
                    max_usd_bn,
                    ..
                } => {
                    let price = amount;
                    ws.due.fill(0.0);
                    for &j in tranches {
                        if let Some(e) = ws.energised[j] {
                            if (0..t_len as i32).contains(&e) {
                                ws.due[e as usize] += price * ws.size_gw[j];
                            }
                        }
                    }
                    let mut remaining = *max_usd_bn;
                    for m in 0..t_len {
                        if ws.due[m] == 0.0 {
                            continue;
                        }
                        let amount = capped(ws.due[m], remaining);
                        remaining -= amount;
                        series[off.funding + m] += amount;
                    }
                }
            }
        }

        // Cash.
        let floor = s.cash_floor_usd_bn;
        let mut cash = s.start_cash_usd_bn;
        let mut cumulative = 0.0;
        let (mut revenue_total, mut opex_total, mut funding_total) = (0.0, 0.0, 0.0);
        let mut min_cash = f64::INFINITY;
        let mut peak_gap: f64 = 0.0;
        let mut first_short = f64::INFINITY;
        for m in 0..t_len {
            let pay = series[off.payments + m];
            let rev = series[off.revenue + m];
            let opex = series[off.opex + m];
            let fund = series[off.funding + m];
            cumulative += pay;
            revenue_total += rev;
            opex_total += opex;
            funding_total += fund;
            cash += rev + fund - pay - opex;
            series[off.cash + m] = cash;
            let gap = (floor - cash).max(0.0);
            let short = cash < floor;
            if need.cash_detail {
                series[off.cumulative_payments + m] = cumulative;
                series[off.gap + m] = gap;
                series[off.cash_short + m] = if short { 1.0 } else { 0.0 };
            }
            if short && first_short.is_infinite() {
                first_short = m as f64;
            }
            min_cash = min_cash.min(cash);
            peak_gap = peak_gap.max(gap);
        }

        let o = outcomes;
        o[outcome::TOTAL_PAYMENTS] = total_payments;
        o[outcome::TOTAL_REVENUE] = revenue_total;
        o[outcome::TOTAL_OPERATING_COSTS] = opex_total;
        o[outcome::TOTAL_FUNDING] = funding_total;
        o[outcome::CAPACITY_END] = series[off.online + t_len - 1];
        o[outcome::CAPACITY_NEVER] = never_gw;
        o[outcome::MIN_CASH] = min_cash;
        o[outcome::END_CASH] = cash;
        o[outcome::PEAK_GAP] = peak_gap;
        o[outcome::SHORTFALL_EVER] = if first_short.is_finite() { 1.0 } else { 0.0 };
        o[outcome::FIRST_SHORTFALL] = first_short;

        // Targets: the first month the metric meets the threshold.
        for (k, target) in s.targets.iter().enumerate() {
            // The comparison is chosen once, not once per month.
            let month = self.layout.metric_offset(target.metric).and_then(|b| {
                let values = &series[b..b + t_len];
                match target.threshold {
                    Threshold::AtLeast(t) => values.iter().position(|x| *x >= t),
                    Threshold::AtMost(t) => values.iter().position(|x| *x <= t),
                }
            });
            let i = self.layout.first_target_outcome + 2 * k;
            o[i] = if month.is_some() { 1.0 } else { 0.0 };
            o[i + 1] = month.map_or(f64::INFINITY, |m| m as f64);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::ramp_fraction;

    /// Ramp months plus a running sum of steps give the same series as
    /// applying the ramp to every month, wherever the tranche starts.
    #[test]
    fn steps_and_ramps_match_the_ramp_everywhere() {
        let months = 12;
        for start in -15..16 {
            for ramp in -1..14 {
                let gw = 1.5;
                let mut out = vec![0.0; months];
                let mut step = vec![0.0; months];
                add_tranche(&mut out, &mut step, gw, start, ramp);
                add_running_sum(&mut out, &step);
                for (m, x) in out.iter().enumerate() {
                    let want = gw * ramp_fraction(m as i32 - start, ramp);
                    assert_eq!(*x, want, "start {start} ramp {ramp} month {m}");
                }
            }
        }
    }
}
