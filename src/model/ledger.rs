//! The deals ledger of one trial: what each contract pays before, inside and
//! after the horizon and what it never pays, each contract's payments month
//! by month, and what each funding event brings in. Only the deals analysis
//! asks for it; the run's trials never compute it.

use crate::scenario::{Contract, FundingBasis, PaymentBasis, ramp_fraction};

use super::capacity::Fleet;
use super::contracts::{LeaseTerms, annuity_payment, capped};
use super::funding::per_gw;
use super::{Model, TrialRecord, Workspace};

/// One contract's money in one trial, USD bn. For every contract
/// `value = before + inside + after + never - interest` (to rounding).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Ledger {
    /// Paid before the horizon's first month (leases and take-or-pay
    /// schedules that started earlier; purchases due earlier).
    pub before: f64,
    /// Paid inside the horizon: the contract's payments outcome.
    pub inside: f64,
    /// Still to pay after the horizon for what was delivered or is due:
    /// the lease payments from the horizon's end on, of every lease financed
    /// (whole annuities for those first paid after the horizon),
    /// pay-as-delivered accrual on the contract's
    /// capacity until its term ends or its value is paid, purchases of
    /// tranches that arrive later, the rest of a take-or-pay schedule.
    pub after: f64,
    /// Never paid: options not exercised, tranches that never arrive, prices
    /// below the cap, capacity late for the term; for a lease, the value
    /// less every principal financed.
    pub never: f64,
    /// Lease interest: the lease payments beyond the principal, which the
    /// value does not cap (0 for other bases).
    pub interest: f64,
}

/// One trial as the deals analysis reads it.
#[derive(Debug, Clone, PartialEq)]
pub struct DealTrial {
    /// Each contract's ledger, in scenario order.
    pub contracts: Vec<Ledger>,
    /// Money each funding event brings in inside the horizon, USD bn.
    pub funding: Vec<f64>,
    /// Each contract's payments per month of the horizon, USD bn,
    /// contract-major: `monthly[ci * months + m]`.
    pub monthly: Vec<f64>,
}

impl Model<'_> {
    /// Simulates trial `trial` of a run seeded with `seed` into `rec` (every
    /// series, as [`Model::simulate`]) and returns its deals ledger.
    pub fn deal_trial(
        &self,
        seed: u64,
        trial: u64,
        ws: &mut Workspace,
        rec: &mut TrialRecord,
    ) -> DealTrial {
        self.simulate(seed, trial, ws, rec);
        let v = std::mem::take(&mut ws.values);
        let t_len = self.scenario.months;
        let mut monthly = vec![0.0; self.scenario.contracts.len() * t_len];
        let contracts = self
            .scenario
            .contracts
            .iter()
            .enumerate()
            .map(|(ci, c)| {
                let own = &mut monthly[ci * t_len..(ci + 1) * t_len];
                let inside = self.contract_payments(ci, &v, ws, own);
                self.ledger(ci, c, &v, &ws.fleet, inside)
            })
            .collect();
        let funding = (0..self.scenario.funding.len())
            .map(|fi| self.funding_received(fi, &v, ws))
            .collect();
        ws.values = v;
        DealTrial {
            contracts,
            funding,
            monthly,
        }
    }

    /// The ledger of contract `ci` (`c`) that paid `inside` in the horizon.
    fn ledger(&self, ci: usize, c: &Contract, v: &[f64], fleet: &Fleet, inside: f64) -> Ledger {
        let t_len = self.scenario.months as i32;
        let price = self.plan.contract[ci].map_or(0.0, |slot| v[slot]);
        let value = c.value_usd_bn;
        let mut l = Ledger {
            inside,
            ..Ledger::default()
        };
        match &c.basis {
            PaymentBasis::TakeOrPay {
                before_usd_bn,
                after_usd_bn,
                ..
            } => {
                (l.before, l.after) = (*before_usd_bn, *after_usd_bn);
            }
            PaymentBasis::PayAsDelivered { tranches, .. } => {
                l.after = accrual_after(c, tranches, price, fleet, t_len, value - inside);
            }
            PaymentBasis::Purchase {
                tranches,
                lead_months,
                ..
            } => {
                (l.before, l.after) =
                    purchases_outside(c, tranches, *lead_months, price, fleet, t_len, inside);
            }
            PaymentBasis::Lease {
                tranches,
                lead_months,
                ..
            } => {
                let terms = LeaseTerms {
                    price,
                    rate: v[self.plan.contract[ci].map_or(0, |slot| slot + 1)],
                    lead_months: *lead_months,
                };
                let (before, after, principal, scheduled) =
                    leases_outside(c, tranches, &terms, fleet, t_len);
                (l.before, l.after) = (before, after);
                l.interest = scheduled - principal;
                l.never = value - principal;
                return l;
            }
        }
        l.never = value - l.before - l.inside - l.after;
        l
    }

    /// The money funding event `fi` brings in inside the horizon, USD bn.
    fn funding_received(&self, fi: usize, v: &[f64], ws: &mut Workspace) -> f64 {
        let first = self.plan.funding[fi];
        if v[first] != 1.0 {
            return 0.0;
        }
        match &self.scenario.funding[fi].basis {
            FundingBasis::Lump { .. } => v[first + 1],
            FundingBasis::PerGw {
                tranches,
                max_usd_bn,
                ..
            } => {
                let mut received = vec![0.0; self.scenario.months];
                per_gw(
                    tranches,
                    v[first + 1],
                    *max_usd_bn,
                    &ws.fleet,
                    &mut ws.due,
                    &mut received,
                );
                received.iter().sum()
            }
        }
    }
}

/// GW online in the fleet's `tranches` in month `m` (any month, inside the
/// horizon or after it).
fn online_gw(tranches: &[usize], fleet: &Fleet, m: i32) -> f64 {
    tranches
        .iter()
        .filter_map(|&j| fleet.energised[j].map(|e| (j, e)))
        .filter(|(j, _)| fleet.retired[*j].is_none_or(|r| m < r))
        .map(|(j, e)| fleet.size_gw[j] * ramp_fraction(m - e, fleet.ramp[j]))
        .sum()
}

/// A pay-as-delivered contract's accrual after the horizon (`t_len`
/// months): `price` USD bn per GW-year on its capacity online, from the
/// horizon's end (or its start, if later) until its term ends or
/// `remaining` USD bn are paid.
fn accrual_after(
    c: &Contract,
    tranches: &[usize],
    price: f64,
    fleet: &Fleet,
    t_len: i32,
    remaining: f64,
) -> f64 {
    let end = c.start_index.saturating_add(c.term_months as i32);
    let mut remaining = remaining;
    let mut paid = 0.0;
    for m in t_len.max(c.start_index)..end {
        if remaining <= 0.0 {
            break;
        }
        let pay = capped(online_gw(tranches, fleet, m) * price / 12.0, remaining);
        remaining -= pay;
        paid += pay;
    }
    paid
}

/// A purchase contract's payments due before and after the horizon, USD bn:
/// those before count first against what its value leaves after `inside`,
/// then those after, in month order.
fn purchases_outside(
    c: &Contract,
    tranches: &[usize],
    lead_months: i32,
    price: f64,
    fleet: &Fleet,
    t_len: i32,
    inside: f64,
) -> (f64, f64) {
    let mut due: Vec<(i32, f64)> = tranches
        .iter()
        .filter_map(|&j| {
            let e = fleet.energised[j]?;
            let m = (e - lead_months).max(c.start_index).max(fleet.earliest[j]);
            (!(0..t_len).contains(&m)).then_some((m, price * fleet.size_gw[j]))
        })
        .collect();
    due.sort_by_key(|(m, _)| *m);
    let mut remaining = (c.value_usd_bn - inside).max(0.0);
    let (mut before, mut after) = (0.0, 0.0);
    for (m, amount) in due {
        let pay = capped(amount, remaining);
        remaining -= pay;
        if m < 0 {
            before += pay;
        } else {
            after += pay;
        }
    }
    (before, after)
}

/// A lease contract's payments before and after the horizon (`t_len`
/// months), the principal financed and every lease payment scheduled, all
/// USD bn, with the principals taken from the value as the model takes
/// them (see `contracts::lease`).
fn leases_outside(
    c: &Contract,
    tranches: &[usize],
    terms: &LeaseTerms,
    fleet: &Fleet,
    t_len: i32,
) -> (f64, f64, f64, f64) {
    let mut leased: Vec<(i32, f64)> = tranches
        .iter()
        .filter_map(|&j| {
            let e = fleet.energised[j]?;
            let first = (e - terms.lead_months)
                .max(c.start_index)
                .max(fleet.earliest[j]);
            Some((first, terms.price * fleet.size_gw[j]))
        })
        .collect();
    leased.sort_by_key(|(first, _)| *first);
    let term = c.term_months as i32;
    let mut remaining = c.value_usd_bn;
    let (mut before, mut after, mut principal, mut scheduled) = (0.0, 0.0, 0.0, 0.0);
    for (first, p) in leased {
        let p = capped(p, remaining);
        remaining -= p;
        let level = annuity_payment(p, terms.rate, c.term_months);
        let last = first.saturating_add(term);
        let months_before = (last.min(0) - first).clamp(0, term);
        let months_after = (last - first.max(t_len)).clamp(0, term);
        before += level * f64::from(months_before);
        after += level * f64::from(months_after);
        principal += p;
        scheduled += level * f64::from(term);
    }
    (before, after, principal, scheduled)
}
