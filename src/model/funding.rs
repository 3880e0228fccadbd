//! Funding: new money from the funding events that happen in a trial.

use crate::scenario::FundingBasis;

use super::capacity::Fleet;
use super::contracts::capped;
use super::{Model, Workspace};

impl Model<'_> {
    /// The funding stage: reads whether each event happens and its amount
    /// from `v`, and the fleet from `ws`; adds the money raised into the
    /// funding series of `series`.
    #[inline]
    pub(super) fn funding(&self, v: &[f64], ws: &mut Workspace, series: &mut [f64]) {
        let off = self.off.funding;
        let funding = &mut series[off..off + self.scenario.months];
        for (fi, f) in self.scenario.funding.iter().enumerate() {
            let first = self.plan.funding[fi];
            let happens = v[first] == 1.0;
            let amount = v[first + 1];
            if !happens {
                continue;
            }
            match &f.basis {
                FundingBasis::Lump { month_index, .. } => funding[*month_index] += amount,
                FundingBasis::PerGw {
                    tranches,
                    max_usd_bn,
                    ..
                } => per_gw(
                    tranches,
                    amount,
                    *max_usd_bn,
                    &ws.fleet,
                    &mut ws.due,
                    funding,
                ),
            }
        }
    }
}

/// Funding of `price` USD bn per GW of the fleet's `tranches`, in the month
/// each energises, up to `max_usd_bn` in all. `due` is scratch of the
/// horizon's length. Adds into `funding` (USD bn per month).
#[inline]
pub(super) fn per_gw(
    tranches: &[usize],
    price: f64,
    max_usd_bn: f64,
    fleet: &Fleet,
    due: &mut [f64],
    funding: &mut [f64],
) {
    let t_len = funding.len();
    due.fill(0.0);
    for &j in tranches {
        if let Some(e) = fleet.energised[j] {
            if (0..t_len as i32).contains(&e) {
                due[e as usize] += price * fleet.size_gw[j];
            }
        }
    }
    let mut remaining = max_usd_bn;
    for (f, d) in funding.iter_mut().zip(due.iter()) {
        if *d == 0.0 {
            continue;
        }
        let amount = capped(*d, remaining);
        remaining -= amount;
        *f += amount;
    }
}
