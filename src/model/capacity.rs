//! Capacity: each tranche energises after its drawn delay and ramps up to its
//! drawn size; the series of capacity online (and planned, accelerators,
//! compute) follow, and the fleet that contracts and funding read.

use std::ops::Range;

use crate::scenario::{EndOfLife, Tranche};

use super::{Model, Workspace, tranche_slot};

/// The trial's tranches as they turned out, for the stages after capacity:
/// when each energises, its size and ramp, and the owned GW online.
#[derive(Debug, Clone)]
pub(super) struct Fleet {
    /// Month index each tranche energises, `None` if it never arrives.
    pub(super) energised: Vec<Option<i32>>,
    /// Ramp of each tranche, months.
    pub(super) ramp: Vec<i32>,
    /// Drawn size of each tranche, GW.
    pub(super) size_gw: Vec<f64>,
    /// GW online in owned tranches, per month.
    pub(super) owned_gw: Vec<f64>,
    /// Options left out of the trial: pending (decided later) or declined.
    pub(super) excluded: Vec<bool>,
    /// Earliest month each tranche may energise and its purchase or lease
    /// payments fall due: the month after an option's decision.
    pub(super) earliest: Vec<i32>,
    /// Month index each tranche retires (is offline from), `None` if it
    /// never arrives or never retires.
    pub(super) retired: Vec<Option<i32>>,
    /// Each refreshed tranche's refreshes: first month index, months
    /// between refreshes (its life) and the amount of each, USD bn.
    pub(super) refresh: Vec<Option<Refresh>>,
}

/// The refreshes of a tranche's systems in a trial.
#[derive(Debug, Clone, Copy)]
pub(super) struct Refresh {
    /// Month index of the first refresh (the end of the first life).
    pub(super) first: i32,
    /// Months between refreshes (the life, at least 6).
    pub(super) every: i32,
    /// Amount paid at each refresh, USD bn.
    pub(super) usd_bn: f64,
}

impl Fleet {
    /// A fleet of `tranches` tranches over `months` months.
    pub(super) fn new(tranches: usize, months: usize) -> Fleet {
        Fleet {
            energised: vec![None; tranches],
            ramp: vec![0; tranches],
            size_gw: vec![0.0; tranches],
            owned_gw: vec![0.0; months],
            excluded: vec![false; tranches],
            earliest: vec![i32::MIN; tranches],
            retired: vec![None; tranches],
            refresh: vec![None; tranches],
        }
    }
}

/// One tranche's drawn inputs in a trial.
struct TrancheDraw {
    /// Whether it arrives at all.
    arrives: bool,
    /// Size, GW.
    gw: f64,
    /// Delay past the planned month, months.
    delay: f64,
    /// Ramp, whole months.
    ramp: i32,
    /// Accelerators per GW.
    per_gw: f64,
    /// PFLOP/s per accelerator (0 if not given).
    pflops: f64,
    /// Life of its systems, whole months (`None`: no end of life).
    life: Option<i32>,
    /// Refresh price at the end of life, USD bn per GW (`None`: retired).
    refresh: Option<f64>,
}

impl TrancheDraw {
    /// The draws of `tranche`, whose slots start at `slot` in `v`.
    #[inline]
    fn new(v: &[f64], slot: usize, tranche: &Tranche) -> TrancheDraw {
        TrancheDraw {
            arrives: v[slot + tranche_slot::NEVER] == 0.0,
            gw: v[slot + tranche_slot::GW],
            delay: v[slot + tranche_slot::DELAY],
            ramp: v[slot + tranche_slot::RAMP].round() as i32,
            per_gw: v[slot + tranche_slot::ACCELERATORS],
            pflops: if tranche.pflops_per_accelerator.is_some() {
                v[slot + tranche_slot::PFLOPS]
            } else {
                0.0
            },
            life: None,
            refresh: None,
        }
    }

    /// With the end of life of `tranche`, whose life slot (if any) is `slot` in `v`.
    #[inline]
    fn with_life(mut self, v: &[f64], slot: Option<usize>, tranche: &Tranche) -> TrancheDraw {
        if let Some(slot) = slot {
            self.life = Some(life_months(v[slot]));
            if let EndOfLife::Refresh { .. } = tranche.end_of_life {
                self.refresh = Some(v[slot + 1]);
            }
        }
        self
    }

    /// The month index a tranche that starts (energises, or is planned to)
    /// in `start` retires, if it does.
    #[inline]
    fn retires(&self, start: i32) -> Option<i32> {
        match (self.life, self.refresh) {
            (Some(life), None) => Some(start.saturating_add(life)),
            _ => None,
        }
    }

    /// The refreshes of a tranche energised in `start`, if it is refreshed.
    #[inline]
    fn refreshes(&self, start: i32) -> Option<Refresh> {
        match (self.life, self.refresh) {
            (Some(every), Some(price)) => Some(Refresh {
                first: start.saturating_add(every),
                every,
                usd_bn: price * self.gw,
            }),
            _ => None,
        }
    }
}

/// A life of `years` in whole months: the nearest month, halves later (as
/// delays round).
#[inline]
pub(super) fn life_months(years: f64) -> i32 {
    (12.0 * years + 0.5).floor() as i32
}

impl Model<'_> {
    /// The capacity stage: reads each tranche's draws from `v`; writes
    /// capacity online (and planned capacity, the shortfall, accelerators
    /// and compute, as needed) into `series` and the fleet into `ws`.
    /// Returns the GW of tranches that never arrive (by their `p_never`
    /// draw, or options left out: declined, or pending a later decision).
    /// With `planned` false, leaves planned capacity as it is (it does not
    /// depend on the trial's decisions).
    #[inline]
    pub(super) fn capacity<const ALL: bool>(
        &self,
        v: &[f64],
        ws: &mut Workspace,
        series: &mut [f64],
        planned: bool,
    ) -> f64 {
        let need = self.needs::<ALL>();
        let (off, t_len) = (self.off, self.scenario.months);
        // Ramp months month by month, full power as steps.
        let mut never_gw = 0.0;
        let (fleet, steps) = (&mut ws.fleet, &mut ws.steps);
        fleet.owned_gw.fill(0.0);
        steps.clear();
        for (i, tr) in self.scenario.tranches.iter().enumerate() {
            let d = TrancheDraw::new(v, self.plan.tranche[i], tr).with_life(
                v,
                self.plan.tranche_life[i],
                tr,
            );
            fleet.size_gw[i] = d.gw;
            fleet.ramp[i] = d.ramp;
            // The plan: on time, same size and ramp.
            if need.planned && planned {
                add_tranche_until(
                    &mut series[off.planned..off.planned + t_len],
                    &mut steps.planned,
                    d.gw,
                    tr.planned_index,
                    d.ramp,
                    d.retires(tr.planned_index),
                );
            }
            fleet.retired[i] = None;
            fleet.refresh[i] = None;
            if !d.arrives || fleet.excluded[i] {
                fleet.energised[i] = None;
                never_gw += d.gw;
                continue;
            }
            // Energised in the month nearest to planned + delay (a delay
            // under half a month is on time; halves round later), and not
            // before an option is exercised.
            let energised = tr
                .planned_index
                .saturating_add((d.delay + 0.5).floor() as i32)
                .max(fleet.earliest[i]);
            fleet.energised[i] = Some(energised);
            fleet.retired[i] = d.retires(energised);
            fleet.refresh[i] = d.refreshes(energised);
            self.energise::<ALL>(tr.owned, &d, energised, &mut fleet.owned_gw, steps, series);
        }
        self.sum_steps::<ALL>(steps, &mut fleet.owned_gw, series, planned);
        never_gw
    }

    /// Adds an arriving tranche, energised in month `energised`, to the
    /// series online and to `owned_gw` if `owned`: its ramp months month by
    /// month, its full power as a step.
    #[inline]
    fn energise<const ALL: bool>(
        &self,
        owned: bool,
        d: &TrancheDraw,
        energised: i32,
        owned_gw: &mut [f64],
        steps: &mut Steps,
        series: &mut [f64],
    ) {
        let accelerators = self.needs::<ALL>().accelerators;
        let off = self.off;
        let compute_reported = off.compute != usize::MAX && accelerators;
        let (gw, per_gw) = (d.gw, d.per_gw);
        let eflops_per_gw = per_gw * d.pflops / 1000.0;
        let (ramping, full, retired) = live_months(
            energised,
            d.ramp,
            d.retires(energised),
            self.scenario.months,
        );
        for m in ramping {
            let g = gw * ramping_fraction(m, energised, d.ramp);
            series[off.online + m] += g;
            if accelerators {
                series[off.accelerators + m] += per_gw * g;
            }
            if compute_reported {
                series[off.compute + m] += eflops_per_gw * g;
            }
            if owned {
                owned_gw[m] += g;
            }
        }
        if let Some(m) = full {
            steps.online[m] += gw;
            steps.accelerators[m] += per_gw * gw;
            steps.compute[m] += eflops_per_gw * gw;
            if owned {
                steps.owned[m] += gw;
            }
        }
        if let Some(m) = retired {
            retire(steps, m, owned, gw, per_gw * gw, eflops_per_gw * gw);
        }
    }

    /// Adds the full-power `steps` into the capacity series and `owned_gw`,
    /// then the shortfall of online against planned capacity if needed.
    #[inline]
    fn sum_steps<const ALL: bool>(
        &self,
        steps: &Steps,
        owned_gw: &mut [f64],
        series: &mut [f64],
        planned: bool,
    ) {
        let need = self.needs::<ALL>();
        let (off, t_len) = (self.off, self.scenario.months);
        let compute_reported = off.compute != usize::MAX && need.accelerators;
        if need.planned && planned {
            add_running_sum(
                &mut series[off.planned..off.planned + t_len],
                &steps.planned,
            );
        }
        add_running_sum(&mut series[off.online..off.online + t_len], &steps.online);
        if need.accelerators {
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
        add_running_sum(owned_gw, &steps.owned);
        if need.planned {
            for m in 0..t_len {
                series[off.shortfall_gw + m] = series[off.planned + m] - series[off.online + m];
            }
        }
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

/// As [`ramp_months`], for a tranche that goes offline from month `end`
/// (if it does): the ramp months before `end`, the first month at full
/// power if before `end`, and the month it goes offline if at full power
/// before then and inside the horizon (where its full power steps down).
#[inline]
fn live_months(
    start: i32,
    ramp: i32,
    end: Option<i32>,
    months: usize,
) -> (Range<usize>, Option<usize>, Option<usize>) {
    let (ramping, full) = ramp_months(start, ramp, months);
    let Some(end) = end else {
        return (ramping, full, None);
    };
    let stop = end.clamp(0, months as i32) as usize;
    let full = full.filter(|f| (*f as i32) < end);
    let retired = full.and((end < months as i32).then_some(stop));
    (ramping.start..ramping.end.min(stop), full, retired)
}

/// Steps a tranche's full power (`gw`, `accelerators`, `eflops`) down from
/// month `m`, when it retires.
#[inline]
fn retire(steps: &mut Steps, m: usize, owned: bool, gw: f64, accelerators: f64, eflops: f64) {
    steps.online[m] -= gw;
    steps.accelerators[m] -= accelerators;
    steps.compute[m] -= eflops;
    if owned {
        steps.owned[m] -= gw;
    }
}

/// [`ramp_fraction`](crate::scenario::ramp_fraction) of month `m` of a tranche energised in `start`, for a
/// month of [`ramp_months`]' ramp range, where it is always `(k + 1) / ramp`:
/// the same number without the branches.
#[inline]
fn ramping_fraction(m: usize, start: i32, ramp: i32) -> f64 {
    debug_assert!(m as i32 >= start && m as i32 - start + 1 < ramp);
    f64::from(m as i32 - start + 1) / f64::from(ramp)
}

/// Adds a tranche's `gw` to `out` month by month as it ramps up, and its
/// full power as a step in `step` (summed into `out` later by [`Steps`]), so
/// that each tranche costs its ramp months, not the whole horizon; if it goes
/// offline from month `end`, with a negative step there.
#[inline]
pub(super) fn add_tranche_until(
    out: &mut [f64],
    step: &mut [f64],
    gw: f64,
    start: i32,
    ramp: i32,
    end: Option<i32>,
) {
    let (ramping, full, retired) = live_months(start, ramp, end, out.len());
    for m in ramping {
        out[m] += gw * ramping_fraction(m, start, ramp);
    }
    if let Some(m) = full {
        step[m] += gw;
    }
    if let Some(m) = retired {
        step[m] -= gw;
    }
}

/// Full-power steps of the capacity metrics: `step[m]` is added to every
/// month from `m` on.
#[derive(Debug, Clone)]
pub(super) struct Steps {
    planned: Vec<f64>,
    online: Vec<f64>,
    accelerators: Vec<f64>,
    compute: Vec<f64>,
    owned: Vec<f64>,
}

impl Steps {
    /// No steps, over `months` months.
    pub(super) fn new(months: usize) -> Steps {
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

/// `out[m] += step[0] + ... + step[m]`, for levels that cannot be
/// negative (capacity, accelerators, compute).
#[inline]
fn add_running_sum(out: &mut [f64], step: &[f64]) {
    let mut level: f64 = 0.0;
    for (o, s) in out.iter_mut().zip(step) {
        // Retirements subtract what arrivals added, in another order, which
        // can leave -1e-17 where the level is 0.
        level = (level + s).max(0.0);
        *o += level;
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
                add_tranche_until(&mut out, &mut step, gw, start, ramp, None);
                add_running_sum(&mut out, &step);
                for (m, x) in out.iter().enumerate() {
                    let want = gw * ramp_fraction(m as i32 - start, ramp);
                    assert_eq!(*x, want, "start {start} ramp {ramp} month {m}");
                }
            }
        }
    }

    /// With an end month, the same series up to the month before it and 0
    /// from it on, wherever the tranche starts and ends.
    #[test]
    fn a_retired_tranche_steps_down_at_its_end() {
        let months = 12;
        for start in -15..16 {
            for ramp in -1..14 {
                for end in start + 1..start + 20 {
                    let gw = 1.5;
                    let mut out = vec![0.0; months];
                    let mut step = vec![0.0; months];
                    add_tranche_until(&mut out, &mut step, gw, start, ramp, Some(end));
                    add_running_sum(&mut out, &step);
                    for (m, x) in out.iter().enumerate() {
                        let m = m as i32;
                        let want = if m < end {
                            gw * ramp_fraction(m - start, ramp)
                        } else {
                            0.0
                        };
                        assert_eq!(*x, want, "start {start} ramp {ramp} end {end} month {m}");
                    }
                }
            }
        }
    }

    /// A life rounds to the nearest month, halves later, as delays do.
    #[test]
    fn life_rounds_to_the_nearest_month_halves_later() {
        assert_eq!(life_months(0.5), 6);
        assert_eq!(life_months(5.0), 60);
        // 12 * 1.0 / 24 is half a month: rounds later.
        assert_eq!(life_months(1.0 + 1.0 / 24.0), 13);
        assert_eq!(life_months(1.0 + 0.9 / 24.0), 12);
        assert_eq!(life_months(1.0 + 1.1 / 24.0), 13);
        assert_eq!(life_months(50.0), 600);
    }
}
