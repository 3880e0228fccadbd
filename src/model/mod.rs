//! One trial of the model: a pure function of the scenario, the seed and the
//! trial index.
//!
//! Each component (tranche, contract, revenue, costs, funding event) draws a
//! fixed sequence of uniforms from its own stream, so a trial is reproducible
//! from its index alone and components do not disturb each other's draws.

mod copula;
mod draws;
mod layout;

pub use copula::{Copula, cholesky, pearson_from_spearman};
pub use draws::{DrawPlan, tranche_slot};
pub use layout::{OutcomeKind, OutcomeSpec, OutputLayout, outcome};

use crate::metric::Metric;
use crate::scenario::{FundingBasis, PaymentBasis, Scenario};

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

/// Scratch space reused across trials to avoid allocation.
#[derive(Debug, Clone)]
pub struct Workspace {
    /// GW online per tranche per month (tranche-major).
    tranche_gw: Vec<f64>,
    /// Month index each tranche energises, `None` if it never arrives.
    energised: Vec<Option<i32>>,
    /// Drawn size of each tranche, GW.
    size_gw: Vec<f64>,
    /// GW online in owned tranches.
    owned_gw: Vec<f64>,
    /// Per-month buffer for capped payment and funding streams.
    due: Vec<f64>,
    /// The trial's uniform per input slot (see [`DrawPlan`]).
    u: Vec<f64>,
    /// The trial's value per input slot.
    values: Vec<f64>,
}

impl Workspace {
    /// Scratch space for `scenario`.
    pub fn new(scenario: &Scenario) -> Workspace {
        let t = scenario.months;
        let n = scenario.tranches.len();
        Workspace {
            tranche_gw: vec![0.0; n * t],
            energised: vec![None; n],
            size_gw: vec![0.0; n],
            owned_gw: vec![0.0; t],
            due: vec![0.0; t],
            u: Vec::new(),
            values: Vec::new(),
        }
    }

    /// The value of every input slot in the last trial simulated, in
    /// [`DrawPlan`] order.
    pub fn input_values(&self) -> &[f64] {
        &self.values
    }
}

/// Fraction of a tranche's power online `k` months after energisation with a
/// linear ramp of `ramp` months: 1/ramp, 2/ramp, ... 1. Zero before energisation.
#[inline]
pub fn ramp_fraction(k: i32, ramp: i32) -> f64 {
    if k < 0 {
        0.0
    } else if ramp <= 0 || k + 1 >= ramp {
        1.0
    } else {
        f64::from(k + 1) / f64::from(ramp)
    }
}

/// `out[k] = gw * ramp_fraction(k0 + k, ramp)`: the ramp, then full power.
#[inline]
fn fill_ramp(out: &mut [f64], gw: f64, k0: i32, ramp: i32) {
    let ramping = (ramp - k0).clamp(0, out.len() as i32) as usize;
    for (k, x) in out[..ramping].iter_mut().enumerate() {
        *x = gw * ramp_fraction(k0 + k as i32, ramp);
    }
    out[ramping..].fill(gw);
}

/// `out[k] += gw * ramp_fraction(k0 + k, ramp)`, with the division only in
/// the ramp months (full power adds `gw * 1.0`, the same bits).
#[inline]
fn add_ramp(out: &mut [f64], gw: f64, k0: i32, ramp: i32) {
    let ramping = (ramp - k0).clamp(0, out.len() as i32) as usize;
    for (k, x) in out[..ramping].iter_mut().enumerate() {
        *x += gw * ramp_fraction(k0 + k as i32, ramp);
    }
    for x in &mut out[ramping..] {
        *x += gw;
    }
}

/// `out[k] += scale * row[k]`.
#[inline]
fn add_scaled(out: &mut [f64], row: &[f64], scale: f64) {
    for (o, r) in out.iter_mut().zip(row) {
        *o += scale * r;
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
    /// input to its `p`-quantile (after correlations), for one-at-a-time
    /// sensitivity.
    pub fn simulate_with(
        &self,
        seed: u64,
        trial: u64,
        pinned: &[(usize, f64)],
        ws: &mut Workspace,
        out: &mut TrialRecord,
    ) {
        let s = self.scenario;
        ws.u.resize(self.plan.len(), 0.0);
        ws.values.resize(self.plan.len(), 0.0);
        self.plan.draw_uniforms(seed, trial, &mut ws.u);
        self.copula.apply(&mut ws.u);
        for (slot, p) in pinned {
            ws.u[*slot] = *p;
        }
        self.plan.values(&ws.u, &mut ws.values);
        let v = &ws.values;
        let t_len = s.months;
        let off = self.off;
        out.series.fill(0.0);
        out.outcomes.fill(0.0);
        ws.owned_gw.fill(0.0);
        let series = &mut out.series;

        // Capacity.
        let mut never_gw = 0.0;
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
            let row = &mut ws.tranche_gw[i * t_len..(i + 1) * t_len];
            row.fill(0.0);
            // The plan: on time, same size and ramp.
            {
                let first = tr.planned_index.clamp(0, t_len as i32) as usize;
                let plan = &mut series[off.planned + first..off.planned + t_len];
                add_ramp(plan, gw, first as i32 - tr.planned_index, ramp);
            }
            if !arrives {
                ws.energised[i] = None;
                never_gw += gw;
                continue;
            }
            // Energised in the month nearest to planned + delay (a delay
            // under half a month is on time; halves round later).
            let energised = tr.planned_index + (delay + 0.5).floor() as i32;
            ws.energised[i] = Some(energised);
            let accelerators_per_gw = per_gw;
            let eflops_per_gw = per_gw * pflops / 1000.0;
            let first = energised.clamp(0, t_len as i32) as usize;
            fill_ramp(&mut row[first..], gw, first as i32 - energised, ramp);
            // Separate simple loops over contiguous slices vectorise.
            let row = &row[first..];
            add_scaled(
                &mut series[off.online + first..off.online + t_len],
                row,
                1.0,
            );
            add_scaled(
                &mut series[off.accelerators + first..off.accelerators + t_len],
                row,
                accelerators_per_gw,
            );
            if off.compute != usize::MAX {
                add_scaled(
                    &mut series[off.compute + first..off.compute + t_len],
                    row,
                    eflops_per_gw,
                );
            }
            if tr.owned {
                add_scaled(&mut ws.owned_gw[first..], row, 1.0);
            }
        }
        for m in 0..t_len {
            series[off.shortfall_gw + m] = series[off.planned + m] - series[off.online + m];
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
                    let per_gw_month = price / 12.0;
                    let mut remaining = c.value_usd_bn;
                    for m in c.start_index.max(0) as usize..t_len {
                        if remaining <= 0.0 {
                            break;
                        }
                        let gw: f64 = tranches.iter().map(|&j| ws.tranche_gw[j * t_len + m]).sum();
                        let pay = (per_gw_month * gw).min(remaining);
                        remaining -= pay;
                        series[off.payments + m] += pay;
                        paid += pay;
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
                        let pay = ws.due[m].min(remaining);
                        remaining -= pay;
                        series[off.payments + m] += pay;
                        paid += pay;
                    }
                }
            }
            out.outcomes[self.layout.first_contract_outcome + ci] = paid;
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
                series[off.demand + m] = demand;
                series[off.run_rate + m] = run_rate;
                series[off.revenue + m] = run_rate / 12.0;
                series[off.constrained + m] = if demand > cap { 1.0 } else { 0.0 };
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
                        let amount = ws.due[m].min(remaining);
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
            series[off.cumulative_payments + m] = cumulative;
            series[off.cash + m] = cash;
            let gap = (floor - cash).max(0.0);
            series[off.gap + m] = gap;
            let short = cash < floor;
            series[off.cash_short + m] = if short { 1.0 } else { 0.0 };
            if short && first_short.is_infinite() {
                first_short = m as f64;
            }
            min_cash = min_cash.min(cash);
            peak_gap = peak_gap.max(gap);
        }

        let o = &mut out.outcomes;
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
            let base = self.layout.metric_offset(target.metric);
            let month = base.and_then(|b| (0..t_len).find(|&m| target.is_met(series[b + m])));
            let i = self.layout.first_target_outcome + 2 * k;
            o[i] = if month.is_some() { 1.0 } else { 0.0 };
            o[i + 1] = month.map_or(f64::INFINITY, |m| m as f64);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ramp_is_linear_to_full_power() {
        assert_eq!(ramp_fraction(-1, 3), 0.0);
        assert_eq!(ramp_fraction(0, 0), 1.0);
        assert!((ramp_fraction(0, 3) - 1.0 / 3.0).abs() < 1e-15);
        assert!((ramp_fraction(1, 3) - 2.0 / 3.0).abs() < 1e-15);
        assert_eq!(ramp_fraction(2, 3), 1.0);
        assert_eq!(ramp_fraction(50, 3), 1.0);
    }
}
