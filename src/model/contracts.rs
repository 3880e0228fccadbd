//! Compute contracts: each contract's payments month by month, one function
//! per payment basis, none paying more than the contract's value.

use crate::scenario::{Contract, PaymentBasis};
use crate::stats::lane_sum;

use super::capacity::{Fleet, add_tranche_until};
use super::{Model, Workspace};

impl Model<'_> {
    /// The contracts stage: reads each contract's price from `v` and the
    /// fleet from `ws`; writes each contract's payments into `ws` and its
    /// total into its outcome, then their sum, month by month in contract
    /// order, into the payments series of `series`. Returns the total paid
    /// over the horizon, USD bn. With `exercised`, recomputes only the
    /// contracts linked to one of those tranches (the others' payments do
    /// not depend on them).
    #[inline]
    pub(super) fn contracts(
        &self,
        v: &[f64],
        ws: &mut Workspace,
        series: &mut [f64],
        outcomes: &mut [f64],
        exercised: Option<&[usize]>,
    ) -> f64 {
        let t_len = self.scenario.months;
        // Lent out while the contracts read the rest of `ws`.
        let mut streams = std::mem::take(&mut ws.contract_payments);
        for (ci, c) in self.scenario.contracts.iter().enumerate() {
            if let Some(changed) = exercised {
                if !linked_tranches(&c.basis)
                    .iter()
                    .any(|j| changed.contains(j))
                {
                    continue;
                }
            }
            let stream = &mut streams[ci * t_len..(ci + 1) * t_len];
            stream.fill(0.0);
            let paid = self.contract_payments(ci, v, ws, stream);
            ws.contract_totals[ci] = paid;
            outcomes[self.layout.first_contract_outcome + ci] = paid;
        }
        let first = self.off.payments;
        let payments = &mut series[first..first + t_len];
        // Month by month in contract order, as adding each contract's
        // payments into the series in turn would (a month a contract does
        // not pay adds 0, which changes no sum here).
        let mut total_payments = 0.0;
        for (stream, paid) in streams.chunks_exact(t_len).zip(&ws.contract_totals) {
            for (p, x) in payments.iter_mut().zip(stream) {
                *p += x;
            }
            total_payments += paid;
        }
        ws.contract_payments = streams;
        total_payments + refresh_payments(&ws.fleet, payments)
    }

    /// Contract `ci`'s payments in the trial with inputs `v` and the fleet
    /// in `ws`: adds them into `payments` (USD bn per month of the horizon)
    /// and returns their total, USD bn.
    #[inline]
    pub(super) fn contract_payments(
        &self,
        ci: usize,
        v: &[f64],
        ws: &mut Workspace,
        payments: &mut [f64],
    ) -> f64 {
        let c = &self.scenario.contracts[ci];
        let price = self.plan.contract[ci].map_or(0.0, |slot| v[slot]);
        match &c.basis {
            PaymentBasis::TakeOrPay { schedule, .. } => take_or_pay(schedule, payments),
            PaymentBasis::PayAsDelivered { tranches, .. } => {
                let (due, steps) = (&mut ws.due, &mut ws.due_steps);
                pay_as_delivered(c, tranches, price, &ws.fleet, due, steps, payments)
            }
            PaymentBasis::Purchase {
                tranches,
                lead_months,
                ..
            } => purchase(
                c,
                tranches,
                *lead_months,
                price,
                &ws.fleet,
                &mut ws.due,
                payments,
            ),
            PaymentBasis::Lease {
                tranches,
                lead_months,
                ..
            } => {
                let rate = v[self.plan.contract[ci].map_or(0, |slot| slot + 1)];
                let terms = LeaseTerms {
                    price,
                    rate,
                    lead_months: *lead_months,
                };
                let (leased, steps) = (&mut ws.leased, &mut ws.due_steps);
                lease(c, tranches, &terms, &ws.fleet, leased, steps, payments)
            }
        }
    }
}

/// The tranches a contract's payments depend on (none for take-or-pay).
fn linked_tranches(basis: &PaymentBasis) -> &[usize] {
    match basis {
        PaymentBasis::TakeOrPay { .. } => &[],
        PaymentBasis::PayAsDelivered { tranches, .. }
        | PaymentBasis::Purchase { tranches, .. }
        | PaymentBasis::Lease { tranches, .. } => tranches,
    }
}

/// A take-or-pay contract: adds its `schedule` (USD bn per month) into
/// `payments`; returns the total, USD bn.
#[inline]
fn take_or_pay(schedule: &[f64], payments: &mut [f64]) -> f64 {
    let mut paid = 0.0;
    for (p, amount) in payments.iter_mut().zip(schedule) {
        *p += amount;
        paid += amount;
    }
    paid
}

/// A pay-as-delivered contract `c` at `price` USD bn per GW-year: owes, from
/// its start, for every GW online in its `tranches` of the fleet, until its
/// value is paid. `due` and `step` are scratch of the horizon's length.
/// Adds into `payments`; returns the total, USD bn.
#[inline]
fn pay_as_delivered(
    c: &Contract,
    tranches: &[usize],
    price: f64,
    fleet: &Fleet,
    due: &mut [f64],
    step: &mut [f64],
    payments: &mut [f64],
) -> f64 {
    // GW online in the contract's tranches, month by month.
    due.fill(0.0);
    step.fill(0.0);
    for &j in tranches {
        if let Some(e) = fleet.energised[j] {
            let (gw, ramp, end) = (fleet.size_gw[j], fleet.ramp[j], fleet.retired[j]);
            add_tranche_until(due, step, gw, e, ramp, end);
        }
    }
    let per_gw_month = price / 12.0;
    let first = (c.start_index.max(0) as usize).min(payments.len());
    // The steps before the start still count towards the level; only months
    // from the start are owed.
    let mut level: f64 = step[..first].iter().sum();
    let owed = &mut due[first..];
    for (d, s) in owed.iter_mut().zip(&step[first..]) {
        level += s;
        *d = (*d + level) * per_gw_month;
    }
    pay_up_to(c.value_usd_bn, owed, &mut payments[first..])
}

/// Adds `owed` (USD bn per month) into `payments` month by month until
/// `value` USD bn is paid; returns the amount paid, USD bn.
#[inline]
fn pay_up_to(value: f64, owed: &[f64], payments: &mut [f64]) -> f64 {
    let uncapped = lane_sum(owed, |x| x);
    if uncapped < value * (1.0 - 1e-9) {
        // The contract is not paid off within the horizon (the usual case):
        // every month pays in full, and the running cap need not be carried
        // month to month.
        payments
            .iter_mut()
            .zip(owed.iter())
            .for_each(|(p, x)| *p += x);
        return uncapped;
    }
    let mut paid = 0.0;
    let mut remaining = value;
    for (p, x) in payments.iter_mut().zip(owed.iter()) {
        if remaining <= 0.0 {
            break;
        }
        let pay = capped(*x, remaining);
        remaining -= pay;
        *p += pay;
        paid += pay;
    }
    paid
}

/// A purchase contract `c` at `price` USD bn per GW: owes for each of its
/// `tranches` of the fleet `lead_months` before it energises (not before the
/// contract's start), until its value is paid. `due` is scratch of the
/// horizon's length. Adds into `payments`; returns the total, USD bn.
#[inline]
fn purchase(
    c: &Contract,
    tranches: &[usize],
    lead_months: i32,
    price: f64,
    fleet: &Fleet,
    due: &mut [f64],
    payments: &mut [f64],
) -> f64 {
    let t_len = payments.len();
    due.fill(0.0);
    for &j in tranches {
        if let Some(e) = fleet.energised[j] {
            let m = (e - lead_months).max(c.start_index).max(fleet.earliest[j]);
            if (0..t_len as i32).contains(&m) {
                due[m as usize] += price * fleet.size_gw[j];
            }
        }
    }
    let mut paid = 0.0;
    let mut remaining = c.value_usd_bn;
    for (p, d) in payments.iter_mut().zip(due.iter()) {
        // Most months nothing is delivered.
        if *d == 0.0 {
            continue;
        }
        let pay = capped(*d, remaining);
        remaining -= pay;
        *p += pay;
        paid += pay;
    }
    paid
}

/// A lease's drawn terms.
pub(super) struct LeaseTerms {
    /// Principal, USD bn per GW of a tranche's size.
    pub(super) price: f64,
    /// Annual interest rate, a fraction.
    pub(super) rate: f64,
    /// Months before energisation the first payment falls due.
    pub(super) lead_months: i32,
}

/// Below this monthly rate the annuity factor `1 - (1 + r)^-n` is computed
/// as `-expm1(-n ln1p(r))`: written directly it cancels (its relative error
/// is about 1e-16 / r, so 1e-12 at this bound, and `1 + r` rounds to 1, an
/// infinite payment, below about 1e-16). Above it the direct form is kept,
/// so the payments of ordinary rates are unchanged to the last bit.
const SMALL_MONTHLY_RATE: f64 = 1e-4;

/// The level monthly payment (in the unit of `principal`, per month) that
/// repays `principal` over `months` months at `annual_rate` (a fraction per
/// year, compounded monthly): `P r / (1 - (1 + r)^-n)` with `r` the monthly
/// rate, `P / n` without interest (its limit as `r` goes to 0). Finite for
/// every rate in 0..=1, however small.
#[inline]
pub fn annuity_payment(principal: f64, annual_rate: f64, months: u32) -> f64 {
    let r = annual_rate / 12.0;
    let n = f64::from(months.max(1));
    if r >= SMALL_MONTHLY_RATE {
        principal * r / (1.0 - (1.0 + r).powf(-n))
    } else if r * n > 1e-18 {
        // r / (1 - (1 + r)^-n) = (1/n)(1 + (n + 1) r / 2 + ...): within a
        // rounding of 1/n when n r is below 1e-18.
        principal * (r / -(-n * r.ln_1p()).exp_m1())
    } else {
        principal / n
    }
}

/// A lease contract `c`: each of its `tranches` of the fleet that arrives
/// is financed at `terms.price` per GW, taken from the contract's value in
/// the order the leases start (ties in the order linked), and repaid by
/// [`annuity_payment`] over the term from `lead_months` before it energises
/// (not before the contract's start). Payments before the horizon count as
/// paid, those after it fall outside. `leased` and `step` are scratch.
/// Adds into `payments`; returns the amount paid within the horizon, USD bn.
#[inline]
fn lease(
    c: &Contract,
    tranches: &[usize],
    terms: &LeaseTerms,
    fleet: &Fleet,
    leased: &mut Vec<(i32, f64)>,
    step: &mut [f64],
    payments: &mut [f64],
) -> f64 {
    let t_len = payments.len() as i32;
    leased.clear();
    for &j in tranches {
        if let Some(e) = fleet.energised[j] {
            let first = (e - terms.lead_months)
                .max(c.start_index)
                .max(fleet.earliest[j]);
            leased.push((first, terms.price * fleet.size_gw[j]));
        }
    }
    if leased.is_empty() {
        return 0.0;
    }
    leased.sort_by_key(|(first, _)| *first);
    step.fill(0.0);
    let term = c.term_months as i32;
    let mut remaining = c.value_usd_bn;
    for &(first, principal) in leased.iter() {
        let principal = capped(principal, remaining);
        remaining -= principal;
        let level = annuity_payment(principal, terms.rate, c.term_months);
        let (from, to) = (first.max(0), first.saturating_add(term));
        if from < t_len && to > 0 {
            step[from as usize] += level;
            if to < t_len {
                step[to as usize] -= level;
            }
        }
    }
    let mut level = 0.0;
    let mut paid = 0.0;
    for (p, s) in payments.iter_mut().zip(step.iter()) {
        level += s;
        // The running sum of +x and -x can leave a rounding residue.
        if level > 1e-12 {
            *p += level;
            paid += level;
        }
    }
    paid
}

/// The refreshes of the fleet's systems at the end of each life: adds each
/// amount into `payments` in its month, if inside the horizon; returns the
/// total, USD bn. Not attributed to a contract.
#[inline]
fn refresh_payments(fleet: &Fleet, payments: &mut [f64]) -> f64 {
    let t_len = payments.len() as i32;
    let mut paid = 0.0;
    for r in fleet.refresh.iter().flatten() {
        let mut m = r.first;
        if m < 0 {
            // Refreshes before the horizon were already paid.
            m += (-m + r.every - 1) / r.every * r.every;
        }
        while m < t_len {
            payments[m as usize] += r.usd_bn;
            paid += r.usd_bn;
            m += r.every;
        }
    }
    paid
}

/// `amount`, but at most `remaining` (amounts are never NaN, so a plain
/// comparison does what `min` does without its NaN handling, which sat on the
/// loop-carried chain of every capped stream).
#[inline]
pub(super) fn capped(amount: f64, remaining: f64) -> f64 {
    if amount < remaining {
        amount
    } else {
        remaining
    }
}

#[cfg(test)]
mod tests {
    use super::annuity_payment;

    /// `r / (1 - (1 + r)^-n)` by its series in `r`, exact to rounding when
    /// `n r` is below 1e-6: `(1/n)(1 + (n + 1) r / 2 + (n^2 - 1) r^2 / 12)`.
    fn series(r: f64, n: f64) -> f64 {
        (1.0 + (n + 1.0) * r / 2.0 + (n * n - 1.0) * r * r / 12.0) / n
    }

    #[test]
    fn tiny_rates_pay_the_limit_not_infinity() {
        for months in [1u32, 12, 60, 600] {
            let n = f64::from(months);
            for e in 8..=320 {
                let annual = 10f64.powi(-e);
                let r = annual / 12.0;
                let got = annuity_payment(1.0, annual, months);
                assert!(got.is_finite(), "rate 1e-{e}, {months} months: {got}");
                if n * r < 1e-6 {
                    let want = series(r, n);
                    assert!(
                        ((got - want) / want).abs() < 1e-14,
                        "rate 1e-{e}, {months} months: {got} vs {want}"
                    );
                }
            }
            assert_eq!(annuity_payment(6.0, 0.0, months), 6.0 / n);
        }
    }

    #[test]
    fn the_two_forms_meet_at_the_switch() {
        for months in [1u32, 12, 60, 600] {
            let below = annuity_payment(1.0, 12.0 * 1e-4 * (1.0 - 1e-15), months);
            let above = annuity_payment(1.0, 12.0 * 1e-4, months);
            assert!(((above - below) / above).abs() < 1e-11, "{below} {above}");
        }
        // Ordinary rates keep the direct form, bit for bit.
        let direct = 12.0 * 0.01 / (1.0 - 1.01f64.powf(-12.0));
        assert_eq!(annuity_payment(12.0, 0.12, 12), direct);
    }
}
