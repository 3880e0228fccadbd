//! One trial as one row of values, in the order of a run's accumulators:
//! the monthly series (unless only outcomes are summarised), the scalar
//! outcomes, the period series and the year table. The run's first pass and
//! every refinement pass fill rows the same way.

use std::sync::Mutex;

use crate::model::{Detail, Model, TrialValues, Workspace};
use crate::period::{Period, PeriodSpan, aggregate};
use crate::scenario::Scenario;
use crate::years::{Reporting, YearRows};

use super::Scope;

/// Trials below `.0` whose input values and outcomes are to be kept, and
/// where: each as `(trial, values)`, in whatever order threads finish.
pub(crate) type Keep<'a> = (u64, &'a Mutex<Vec<(u64, TrialValues)>>);

/// How trials of one scenario and seed become rows.
pub(crate) struct TrialRows<'s> {
    scenario: &'s Scenario,
    model: Model<'s>,
    seed: u64,
    scope: Scope,
    detail: Detail,
    /// Series values in a row (0 when only outcomes are summarised).
    series_len: usize,
    spans: Vec<PeriodSpan>,
    width_periods: usize,
    years: YearRows,
    width_years: usize,
}

impl<'s> TrialRows<'s> {
    /// Rows of `scenario`'s trials under `seed`, summarising what `scope`
    /// says (period series and the year table only with every series).
    pub(crate) fn new(
        scenario: &'s Scenario,
        seed: u64,
        scope: Scope,
        reporting: Reporting,
    ) -> TrialRows<'s> {
        let model = Model::new(scenario);
        let layout = model.layout().clone();
        let period = match scope {
            Scope::All => reporting.period,
            Scope::Outcomes => Period::Month,
        };
        let spans = period.spans(scenario.start, scenario.months);
        let width_periods = if period == Period::Month {
            0
        } else {
            layout.metrics.len() * spans.len()
        };
        let (series_len, detail) = match scope {
            Scope::All => (layout.series_len(), Detail::Series),
            Scope::Outcomes => (0, Detail::Outcomes),
        };
        let years = YearRows::new(&layout, scenario.start, reporting.years);
        let width_years = match scope {
            Scope::All => years.width(),
            Scope::Outcomes => 0,
        };
        TrialRows {
            scenario,
            model,
            seed,
            scope,
            detail,
            series_len,
            spans,
            width_periods,
            years,
            width_years,
        }
    }

    /// Values in a row.
    pub(crate) fn width(&self) -> usize {
        self.series_len + self.model.layout().outcomes.len() + self.width_periods + self.width_years
    }

    /// Overwrites `buffer` with the rows of trials `first..last`, keeping
    /// the trials `keep` asks for.
    pub(crate) fn fill(&self, first: u64, last: u64, buffer: &mut [f64], keep: Option<Keep>) {
        let layout = self.model.layout();
        let months = layout.months;
        let mut ws = Workspace::new(self.scenario);
        let mut periods = Vec::with_capacity(self.width_periods);
        // Where the series go when they are not summarised.
        let mut unsummarised = vec![0.0; layout.series_len() - self.series_len];
        let outcomes_len = layout.outcomes.len();
        for (trial, row) in (first..last).zip(buffer.chunks_exact_mut(self.width())) {
            let (series, rest) = row.split_at_mut(self.series_len);
            let (outcomes, rest) = rest.split_at_mut(outcomes_len);
            let (period_values, year_values) = rest.split_at_mut(self.width_periods);
            let series = match self.scope {
                Scope::All => series,
                Scope::Outcomes => &mut unsummarised[..],
            };
            self.model.simulate_into(
                self.seed,
                trial,
                &[],
                &mut ws,
                self.detail,
                series,
                outcomes,
            );
            if let Some((_, kept)) = keep.filter(|(sample, _)| trial < *sample) {
                let values = (ws.input_values().to_vec(), outcomes.to_vec());
                // A few thousand trials: the lock is never contended for long.
                kept.lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push((trial, values));
            }
            if self.width_periods > 0 {
                periods.clear();
                for (k, metric) in layout.metrics.iter().enumerate() {
                    let values = &series[k * months..(k + 1) * months];
                    aggregate(metric.kind(), values, &self.spans, &mut periods);
                }
                period_values.copy_from_slice(&periods);
            }
            if self.width_years > 0 {
                self.years.fill(series, year_values);
            }
        }
    }
}
