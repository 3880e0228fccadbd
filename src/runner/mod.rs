//! Runs trials in parallel and reduces them deterministically, in bounded
//! memory.
//!
//! Trials are cut into fixed-size chunks (the size never depends on the thread
//! count). Each thread takes a contiguous part of the chunks, simulates them
//! one by one and absorbs each into accumulators of its own; the parts are
//! then absorbed in order. Moments merge in a canonical order over chunk
//! indices and percentile stores are either appended in order or merged
//! exactly, so results are byte-identical for any number of threads, and a
//! run split into shards ([`simulate`] over part of the chunks, then
//! [`RunState::absorb`]) gives the same results as one run.

mod counting;
mod passes;
mod pilot;
mod rows;

use std::ops::Range;
use std::sync::Mutex;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::metric::Metric;
use crate::model::{OutcomeKind, OutputLayout, TrialValues};
use crate::period::{Period, PeriodSpan};
use crate::scenario::Scenario;
use crate::stats::{
    Distribution, Goal, Method, PassTally, QuantityAccumulator, ROUNDING, Refined, Refinement,
    Summary, ValueKind,
};
use crate::years::{Reporting, YearBasis, YearTable, year_spans};

pub(crate) use counting::{Reported, accumulate_counting, refine_counted};
pub(crate) use passes::refine;
use pilot::Pilot;
pub use pilot::PilotTally;
use rows::{Keep, TrialRows};

/// Trials per chunk: large enough to amortise scheduling, small enough to
/// balance load and report progress smoothly.
pub(crate) const CHUNK_TRIALS: u64 = 1024;

/// Columns transposed together (eight f64 fill a 64-byte cache line).
const BLOCK: usize = 8;

/// Percentiles are exact while keeping every value takes at most this many
/// bytes; above it they come from sketches ([`crate::stats::Sketch`]).
pub(crate) const EXACT_BUDGET_BYTES: u64 = 128 << 20;

/// How to run a scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct RunConfig {
    /// Number of trials.
    pub trials: u64,
    /// Master seed.
    pub seed: u64,
    /// Worker threads (at least 1).
    pub threads: usize,
    /// Percentiles to report, in percent.
    pub percentiles: Vec<f64>,
    /// Every percentile exact (PERCENTILE.INC over all trials) at any trial
    /// count, with refinement passes when values were sketched; otherwise
    /// the scalar outcomes are exact and the series' percentiles are within
    /// a tenth of their standard error (see [`Accuracy`]).
    pub exact: bool,
}

impl RunConfig {
    /// Number of chunks the trials fall into.
    pub fn chunks(&self) -> u64 {
        self.trials.div_ceil(CHUNK_TRIALS)
    }
}

/// Why a run could not be done.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The thread pool could not be started.
    #[error("cannot start {threads} worker threads: {source}")]
    Threads {
        /// Threads asked for.
        threads: usize,
        /// The underlying error.
        source: rayon::ThreadPoolBuildError,
    },
    /// Partial states that cannot be merged.
    #[error("cannot merge: {0}")]
    Merge(String),
}

/// The percentile method for `trials` trials of `quantities` quantities:
/// exact while every value fits in [`EXACT_BUDGET_BYTES`].
pub(crate) fn method_for_width(trials: u64, quantities: usize) -> Method {
    if trials.saturating_mul(quantities as u64).saturating_mul(8) <= EXACT_BUDGET_BYTES {
        Method::Exact
    } else {
        Method::Sketch
    }
}

/// The percentile method of a run of `trials` trials of a model shaped like
/// `layout`, summarising `scope`, with `periods` periods when `period` is not
/// monthly.
fn method_of(
    layout: &OutputLayout,
    scope: Scope,
    trials: u64,
    period: Period,
    periods: usize,
) -> Method {
    let (series, periods) = match scope {
        Scope::All if period == Period::Month => (layout.series_len(), 0),
        Scope::All => (layout.series_len(), layout.metrics.len() * periods),
        Scope::Outcomes => (0, 0),
    };
    method_for_width(trials, series + layout.outcomes.len() + periods)
}

/// The year table's accumulators by `basis` years (none when only outcomes
/// are summarised) of a run starting at `start`. Their method is the one a
/// `--period year` run of the same size uses, so that the table's numbers
/// are that run's, unless this run sketches already (its period series are
/// wider than yearly ones).
fn year_accumulators(
    layout: &OutputLayout,
    scope: Scope,
    trials: u64,
    method: Method,
    start: crate::month::Month,
    basis: YearBasis,
) -> Vec<QuantityAccumulator> {
    if scope == Scope::Outcomes {
        return Vec::new();
    }
    let method = match method {
        Method::Sketch => Method::Sketch,
        Method::Exact => {
            let calendar = Period::Year.spans(start, layout.months).len();
            method_of(layout, scope, trials, Period::Year, calendar)
        }
    };
    let years = year_spans(basis, start, layout.months).len();
    let width = crate::years::YearQuantity::ALL.len() * years;
    (0..width)
        .map(|_| QuantityAccumulator::new(method, ValueKind::Real))
        .collect()
}

/// The accumulated, not yet summarised, state of a run or of part of one.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunState {
    /// Trials in the whole run.
    pub trials: u64,
    /// Seed.
    pub seed: u64,
    /// Percentile method (chosen from the whole run's size).
    pub method: Method,
    /// Whether every percentile is to be exact ([`RunConfig::exact`]).
    pub exact: bool,
    /// Chunks absorbed so far: a contiguous range.
    pub chunks: Range<u64>,
    /// One accumulator per monthly series.
    pub series: Vec<QuantityAccumulator>,
    /// One accumulator per scalar outcome.
    pub outcomes: Vec<QuantityAccumulator>,
    /// Reporting period of `period_series`.
    pub period: Period,
    /// One accumulator per metric per period (empty for monthly reporting).
    pub period_series: Vec<QuantityAccumulator>,
    /// Years of `year_table`.
    pub years: YearBasis,
    /// One accumulator per year-table quantity per year (see
    /// [`crate::years`]); empty when only outcomes are summarised.
    pub year_table: Vec<QuantityAccumulator>,
    /// For sketched runs, what the pass counted against the pilot's
    /// brackets (`None` when parts were counted against different ones:
    /// the percentiles are then refined from the sketches alone).
    pub pilot: Option<PilotTally>,
}

impl RunState {
    #[allow(clippy::too_many_arguments)]
    fn empty(
        layout: &OutputLayout,
        scope: Scope,
        config: &RunConfig,
        method: Method,
        start: u64,
        period: Period,
        periods: usize,
    ) -> RunState {
        // Events (0 or 1) and month indices are tallied: exact at any size.
        let metric_kind = |m: &Metric| {
            if OutputLayout::is_event(*m) {
                ValueKind::EVENT
            } else {
                ValueKind::Real
            }
        };
        let per_metric = |each: usize| {
            layout
                .metrics
                .iter()
                .flat_map(|m| std::iter::repeat_n(metric_kind(m), each))
                .map(|kind| QuantityAccumulator::new(method, kind))
                .collect()
        };
        RunState {
            period,
            years: YearBasis::Calendar,
            year_table: Vec::new(),
            period_series: if period == Period::Month {
                Vec::new()
            } else {
                per_metric(periods)
            },
            trials: config.trials,
            seed: config.seed,
            method,
            exact: config.exact,
            pilot: None,
            chunks: start..start,
            series: match scope {
                Scope::All => per_metric(layout.months),
                Scope::Outcomes => Vec::new(),
            },
            outcomes: layout
                .outcomes
                .iter()
                .map(|o| {
                    let kind = match o.kind {
                        OutcomeKind::Value => ValueKind::Real,
                        OutcomeKind::Event => ValueKind::EVENT,
                        OutcomeKind::Month => ValueKind::months(layout.months),
                    };
                    QuantityAccumulator::new(method, kind)
                })
                .collect(),
        }
    }

    /// Absorbs the state of the chunks that come right after this one's.
    pub fn absorb(&mut self, later: RunState) -> Result<(), RunError> {
        if later.period != self.period {
            return Err(RunError::Merge(format!(
                "parts reported by {} and by {}",
                self.period.name(),
                later.period.name()
            )));
        }
        if later.trials != self.trials || later.seed != self.seed || later.method != self.method {
            return Err(RunError::Merge(format!(
                "parts of different runs (trials {} and {}, seed {} and {})",
                self.trials, later.trials, self.seed, later.seed
            )));
        }
        if later.exact != self.exact {
            return Err(RunError::Merge(
                "parts of runs with and without --exact".into(),
            ));
        }
        if later.chunks.start != self.chunks.end {
            return Err(RunError::Merge(format!(
                "chunks {}..{} do not follow chunks {}..{}",
                later.chunks.start, later.chunks.end, self.chunks.start, self.chunks.end
            )));
        }
        if later.series.len() != self.series.len()
            || later.outcomes.len() != self.outcomes.len()
            || later.years != self.years
            || later.year_table.len() != self.year_table.len()
        {
            return Err(RunError::Merge("parts of differently shaped runs".into()));
        }
        self.chunks.end = later.chunks.end;
        self.pilot = match (self.pilot.take(), later.pilot) {
            (Some(a), Some(b)) => a.absorb(b),
            _ => None,
        };
        for (a, b) in self.series.iter_mut().zip(later.series) {
            a.absorb(b);
        }
        for (a, b) in self.outcomes.iter_mut().zip(later.outcomes) {
            a.absorb(b);
        }
        for (a, b) in self.period_series.iter_mut().zip(later.period_series) {
            a.absorb(b);
        }
        for (a, b) in self.year_table.iter_mut().zip(later.year_table) {
            a.absorb(b);
        }
        Ok(())
    }

    /// Every accumulator in the order of a trial's row (see
    /// [`TrialRows`]), taken out of the state.
    /// Also gives where each group ends in the row, for
    /// [`put_row`](Self::put_row).
    fn take_row(&mut self) -> (Vec<QuantityAccumulator>, [usize; 3]) {
        let ends = [
            self.series.len(),
            self.series.len() + self.outcomes.len(),
            self.series.len() + self.outcomes.len() + self.period_series.len(),
        ];
        let mut all: Vec<QuantityAccumulator> = std::mem::take(&mut self.series);
        all.append(&mut self.outcomes);
        all.append(&mut self.period_series);
        all.append(&mut self.year_table);
        (all, ends)
    }

    /// Puts back what [`take_row`](Self::take_row) took.
    fn put_row(&mut self, mut all: Vec<QuantityAccumulator>, ends: [usize; 3]) {
        let [series, outcomes, periods] = ends;
        self.year_table = all.split_off(periods);
        self.period_series = all.split_off(outcomes);
        self.outcomes = all.split_off(series);
        self.series = all;
    }

    /// Whether every chunk of the run has been absorbed.
    pub(crate) fn is_complete(&self) -> bool {
        self.chunks == (0..self.trials.div_ceil(CHUNK_TRIALS))
    }
}

/// The summarised results of a run.
#[derive(Debug, Clone)]
pub struct RunResult {
    /// Shape of the output.
    pub layout: OutputLayout,
    /// Trials run.
    pub trials: u64,
    /// Seed used.
    pub seed: u64,
    /// Percentiles reported, in percent.
    pub percentiles: Vec<f64>,
    /// How percentiles were computed.
    pub method: Method,
    /// One summary per monthly series, metric-major (see [`OutputLayout`]).
    pub series: Vec<Summary>,
    /// One summary per scalar outcome.
    pub outcomes: Vec<Summary>,
    /// Each scalar outcome's distribution over trials (finite values).
    pub outcome_distributions: Vec<Distribution>,
    /// For month outcomes, how many trials had each month index.
    pub month_counts: Vec<Option<Vec<u64>>>,
    /// Reporting period of `period_series`.
    pub period: Period,
    /// The periods of the horizon.
    pub period_spans: Vec<PeriodSpan>,
    /// Per metric per period (metric-major), when `period` is not monthly.
    pub period_series: Vec<Summary>,
    /// The year-by-year table (empty for runs of outcomes alone).
    pub years: YearTable,
    /// How exact the percentiles are.
    pub accuracy: Accuracy,
    /// Each scalar outcome's p10, p50 and p90 whatever `percentiles` are,
    /// exact as its other percentiles are (for outside views and
    /// `--precision`); empty where `outcome_distributions` is.
    pub outcome_ends: Vec<Ends>,
}

/// The percentiles every scalar outcome is also summarised at, whatever a
/// run's percentiles: its p10, p50 and p90.
pub const OUTCOME_ENDS: [f64; 3] = [10.0, 50.0, 90.0];

/// How a run's percentiles were computed, and how close to exact they are.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Accuracy {
    /// Whether every percentile was asked to be exact ([`RunConfig::exact`]).
    pub exact_requested: bool,
    /// Passes over the trials after the first, refining sketched
    /// percentiles (0 when every value was kept).
    pub passes: usize,
    /// Percentiles reported with a value, in every table of the run.
    pub percentiles: u64,
    /// How many of them are exact: PERCENTILE.INC over all trials.
    pub exact: u64,
    /// Among the others, the largest error bound as a fraction of the
    /// percentile's standard error (its lower bound; below 0.1 when every
    /// percentile met its goal).
    pub worst_bound_over_std_error: Option<f64>,
    /// Among the others, the largest error bound as a fraction of the
    /// percentile's value.
    pub worst_relative_bound: Option<f64>,
    /// Whether every scalar outcome's percentiles are exact (they are
    /// refined to exact values unless the passes run out).
    pub outcomes_exact: bool,
}

impl Accuracy {
    /// Whether every percentile reported is exact.
    pub fn is_exact(&self) -> bool {
        self.exact == self.percentiles
    }

    /// How the percentiles of a run of `trials` trials were computed, in a
    /// sentence (for the terminal and the manifest).
    pub fn describe(&self, trials: u64) -> String {
        let passes = match self.passes {
            0 => String::new(),
            1 => ", after 1 refinement pass".to_string(),
            n => format!(", after {n} refinement passes"),
        };
        let exact = format!("PERCENTILE.INC over all {trials} trials");
        if self.is_exact() {
            return format!("exact ({exact}{passes})");
        }
        let others = self.percentiles - self.exact;
        let worst = self.worst_bound_over_std_error.unwrap_or(0.0);
        let how = if worst < 0.1 {
            format!(
                "each within a tenth of its standard error (the worst {worst:.3} of it) or within float rounding"
            )
        } else {
            format!(
                "not all within a tenth of their standard error (the worst bound is {worst:.2} of it)"
            )
        };
        let outcomes = if self.outcomes_exact {
            "the scalar outcomes among them"
        } else {
            "not all scalar outcomes among them"
        };
        format!(
            "{} of {} exact ({exact}), {outcomes}; the other {others} {how}{passes}; --exact for all exact",
            self.exact, self.percentiles
        )
    }
}

impl RunResult {
    /// For a month outcome, P(happened by month m) for every month of the
    /// horizon: the exceedance curve of a target.
    pub fn by_month_probability(&self, outcome: usize) -> Option<Vec<f64>> {
        let counts = self.month_counts.get(outcome)?.as_ref()?;
        let mut cumulative = 0u64;
        Some(
            counts
                .iter()
                .map(|c| {
                    cumulative += c;
                    cumulative as f64 / self.trials.max(1) as f64
                })
                .collect(),
        )
    }
}

/// Runs `config.trials` trials of `scenario`. `progress` is called with the
/// number of trials just finished, from worker threads.
pub fn run(
    scenario: &Scenario,
    config: &RunConfig,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<RunResult, RunError> {
    run_by(scenario, config, Period::Month, progress)
}

/// As [`run`], also reporting every metric by `period` (flows summed within
/// each trial, stocks at period end) when it is not [`Period::Month`], and
/// the year table by its years (calendar years when given a [`Period`]).
pub fn run_by(
    scenario: &Scenario,
    config: &RunConfig,
    period: impl Into<Reporting>,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<RunResult, RunError> {
    Ok(run_sampling(scenario, config, period, 0, progress)?.0)
}

/// As [`run_by`], also keeping the input values and outcomes of the first
/// `sample` trials (in trial order), bit for bit what
/// [`crate::model::Model::simulate`] gives for them: per-trial analyses of the same run,
/// such as sensitivity, then need not simulate them again.
pub fn run_sampling(
    scenario: &Scenario,
    config: &RunConfig,
    period: impl Into<Reporting>,
    sample: u64,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<(RunResult, Vec<TrialValues>), RunError> {
    let kept = Mutex::new(Vec::new());
    let state = simulate_scoped(
        scenario,
        config,
        0..config.chunks(),
        Scope::All,
        period.into(),
        Some((sample, &kept)),
        true,
        progress,
    )?;
    // Summarised on the run's threads too, so that a one-thread run is one.
    let pool = thread_pool(config.threads)?;
    let result = pool.install(|| finish(scenario, state, &config.percentiles));
    let mut kept = kept.into_inner().unwrap_or_else(|e| e.into_inner());
    kept.sort_unstable_by_key(|(trial, _)| *trial);
    Ok((result, kept.into_iter().map(|(_, values)| values).collect()))
}

/// As [`run_by`], continuing `earlier`: the whole chunks of an earlier
/// sketched run of the same scenario, seed and period with fewer trials,
/// which this run then leaves in `earlier` for the next. Trial `t` is the
/// same in every run and chunk summaries merge in a fixed order, so the
/// result is bit for bit a fresh run's, for the cost of the new trials only
/// (and of a last, partial chunk). Runs with exact percentiles (small ones)
/// start afresh. For runs that grow, such as `--precision`'s doublings.
pub fn run_continuing(
    scenario: &Scenario,
    config: &RunConfig,
    period: impl Into<Reporting>,
    earlier: &mut Option<RunState>,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<RunResult, RunError> {
    let reporting = period.into();
    let period = reporting.period;
    let layout = OutputLayout::new(scenario);
    let periods = period.spans(scenario.start, scenario.months).len();
    if method_of(&layout, Scope::All, config.trials, period, periods) == Method::Exact {
        *earlier = None;
        return run_by(scenario, config, reporting, progress);
    }
    let whole = config.trials / CHUNK_TRIALS;
    let mut state = match earlier.take() {
        Some(mut s)
            if s.seed == config.seed
                && s.period == period
                && s.years == reporting.years
                && s.method == Method::Sketch
                && s.exact == config.exact
                && s.chunks.start == 0
                && s.chunks.end <= whole
                && s.trials <= config.trials =>
        {
            // Its chunks are whole, so they are the same in this run.
            s.trials = config.trials;
            s
        }
        _ => {
            let mut s = RunState::empty(
                &layout,
                Scope::All,
                config,
                Method::Sketch,
                0,
                period,
                periods,
            );
            s.years = reporting.years;
            s.year_table = year_accumulators(
                &layout,
                Scope::All,
                config.trials,
                Method::Sketch,
                scenario.start,
                reporting.years,
            );
            s
        }
    };
    // Counts against a pilot's brackets are for one trial count: a run that
    // grows refines from its sketches instead.
    let continuing = |chunks: Range<u64>| {
        simulate_scoped(
            scenario,
            config,
            chunks,
            Scope::All,
            reporting,
            None,
            false,
            progress,
        )
    };
    let more = continuing(state.chunks.end..whole)?;
    state.absorb(more)?;
    *earlier = Some(state.clone());
    if whole < config.chunks() {
        let last = continuing(whole..config.chunks())?;
        state.absorb(last)?;
    }
    let pool = thread_pool(config.threads)?;
    Ok(pool.install(|| finish(scenario, state, &config.percentiles)))
}

/// As [`run`], summarising the scalar outcomes alone: the result's
/// `series`, `outcome_distributions` and `month_counts` are empty, so that
/// each trial costs its simulation and a few dozen summaries instead of
/// about 1,400, exact percentiles last to far more trials, and the result
/// stays small. For runs that report outcome summaries only, such as each
/// setting of a sweep.
pub fn run_outcomes(
    scenario: &Scenario,
    config: &RunConfig,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<RunResult, RunError> {
    let chunks = 0..config.chunks();
    let state = simulate_scoped(
        scenario,
        config,
        chunks,
        Scope::Outcomes,
        Reporting::default(),
        None,
        true,
        progress,
    )?;
    let pool = thread_pool(config.threads)?;
    Ok(pool.install(|| finish_keeping(scenario, state, &config.percentiles, false)))
}

/// Which quantities a run summarises.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scope {
    /// Every monthly series and every outcome.
    All,
    /// The outcomes alone.
    Outcomes,
}

/// A pool of `threads` worker threads (at least one).
fn thread_pool(threads: usize) -> Result<rayon::ThreadPool, RunError> {
    let threads = threads.max(1);
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|source| RunError::Threads { threads, source })
}

/// Simulates the chunks in `chunks` (a sub-range of `0..config.chunks()`) into
/// a mergeable state.
pub fn simulate(
    scenario: &Scenario,
    config: &RunConfig,
    chunks: Range<u64>,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<RunState, RunError> {
    simulate_by(scenario, config, chunks, Period::Month, progress)
}

/// As [`simulate`], with period series when `period` is not monthly and
/// the year table by its years.
pub(crate) fn simulate_by(
    scenario: &Scenario,
    config: &RunConfig,
    chunks: Range<u64>,
    period: impl Into<Reporting>,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<RunState, RunError> {
    let reporting = period.into();
    simulate_scoped(
        scenario,
        config,
        chunks,
        Scope::All,
        reporting,
        None,
        true,
        progress,
    )
}

/// As [`simulate_by`], summarising what `scope` says (period series only
/// with every series), and keeping the trials `keep` asks for. A sketched
/// run counts against its pilot's brackets only with `pilot` (a run that
/// continues another, whose counts would be for another trial count, does
/// not).
#[allow(clippy::too_many_arguments)]
fn simulate_scoped(
    scenario: &Scenario,
    config: &RunConfig,
    chunks: Range<u64>,
    scope: Scope,
    reporting: Reporting,
    keep: Option<Keep>,
    pilot: bool,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<RunState, RunError> {
    let rows = TrialRows::new(scenario, config.seed, scope, reporting);
    let layout = OutputLayout::new(scenario);
    let period = match scope {
        Scope::All => reporting.period,
        Scope::Outcomes => Period::Month,
    };
    let periods = period.spans(scenario.start, scenario.months).len();
    let method = method_of(&layout, scope, config.trials, period, periods);
    let mut state = RunState::empty(
        &layout,
        scope,
        config,
        method,
        chunks.start,
        period,
        periods,
    );
    state.years = reporting.years;
    state.year_table = year_accumulators(
        &layout,
        scope,
        config.trials,
        method,
        scenario.start,
        reporting.years,
    );
    let threads = config.threads.max(1);
    let pool = thread_pool(threads)?;
    // One flat row of accumulators, in the order of a trial's row: the
    // series, the outcomes, the period series, then the year table.
    let (mut all, ends) = state.take_row();
    debug_assert_eq!(all.len(), rows.width());
    let fill = |first, last, buffer: &mut [f64]| rows.fill(first, last, buffer, keep);
    state.pilot = pool.install(|| {
        if method == Method::Exact || !pilot {
            accumulate(
                config.trials,
                chunks.clone(),
                threads,
                &mut all,
                &fill,
                None,
                progress,
            );
            return None;
        }
        // The pilot's trials are kept (for sensitivity) only by the part of
        // the run they belong to.
        let keep = keep.filter(|_| chunks.start == 0);
        let pilot_fill = |first, last, buffer: &mut [f64]| rows.fill(first, last, buffer, keep);
        let reported = RowPercentiles::new(&config.percentiles, ends, config.exact);
        let (refinement, tally) = accumulate_counting(
            config.trials,
            chunks.clone(),
            threads,
            &mut all,
            &fill,
            &pilot_fill,
            &reported,
            progress,
        )?;
        Some(PilotTally {
            percentiles: config.percentiles.clone(),
            refinement: Some(refinement),
            tally,
        })
    });
    state.put_row(all, ends);
    state.chunks.end = chunks.end;
    Ok(state)
}

/// What a pass reads besides simulating: the pilot's trials, which it
/// need not simulate again, and the brackets it counts every trial against.
#[derive(Clone, Copy)]
pub(crate) struct Counting<'a> {
    pilot: Option<&'a Pilot>,
    refinement: &'a Refinement,
}

/// Fills every accumulator from the chunks in `chunks`. The chunks are cut
/// into one contiguous part per thread; each thread simulates its part chunk
/// by chunk with `rows` (which overwrites the buffer with the trial-major
/// rows of trials `first..last`, one value per accumulator per trial), 64
/// trials at a time, and absorbs each such tile into accumulators of its own
/// while the values are still in cache; then the parts are absorbed in
/// order, as shards are. With `counting`, the tiles the pilot holds are
/// taken from it, and every tile is also counted against the brackets: the
/// parts' tallies, added, are returned.
/// Threads never wait for each other until the end, and the result is the
/// same for any number of parts. Call inside the run's pool.
pub(crate) fn accumulate(
    trials: u64,
    chunks: Range<u64>,
    threads: usize,
    accumulators: &mut [QuantityAccumulator],
    rows: &(dyn Fn(u64, u64, &mut [f64]) + Sync),
    counting: Option<Counting>,
    progress: &(dyn Fn(u64) + Sync),
) -> Option<PassTally> {
    let count = chunks.end.saturating_sub(chunks.start);
    let parts = (threads.max(1) as u64).min(count.max(1));
    let bound = |k: u64| chunks.start + count * k / parts;
    let tally = || counting.map(|c| c.refinement.tally());
    let mut later: Vec<(Range<u64>, Vec<QuantityAccumulator>, Option<PassTally>)> = (1..parts)
        .map(|k| {
            let fresh = accumulators.iter().map(|a| a.empty_like()).collect();
            (bound(k)..bound(k + 1), fresh, tally())
        })
        .collect();
    let mut first_tally = tally();
    rayon::join(
        || {
            let part = Part {
                trials,
                rows,
                counting,
                progress,
            };
            part.run(bound(0)..bound(1), accumulators, first_tally.as_mut());
        },
        || {
            later.par_iter_mut().for_each(|(range, accs, t)| {
                let part = Part {
                    trials,
                    rows,
                    counting,
                    progress,
                };
                part.run(range.clone(), accs, t.as_mut());
            });
        },
    );
    for (_, part, t) in later {
        accumulators
            .par_iter_mut()
            .zip(part.into_par_iter())
            .for_each(|(a, b)| a.absorb(b));
        if let (Some(all), Some(t)) = (first_tally.as_mut(), t) {
            all.merge(t);
        }
    }
    first_tally
}

/// One thread's share of [`accumulate`].
struct Part<'a> {
    trials: u64,
    rows: &'a (dyn Fn(u64, u64, &mut [f64]) + Sync),
    counting: Option<Counting<'a>>,
    progress: &'a (dyn Fn(u64) + Sync),
}

impl Part<'_> {
    /// The chunks of `chunks` in order.
    fn run(
        &self,
        chunks: Range<u64>,
        accumulators: &mut [QuantityAccumulator],
        mut tally: Option<&mut PassTally>,
    ) {
        let trials = self.trials;
        let width = accumulators.len();
        let part_trials =
            (chunks.end * CHUNK_TRIALS).min(trials) - (chunks.start * CHUNK_TRIALS).min(trials);
        if width == 0 {
            // Nothing to summarise (and nothing to transpose).
            (self.progress)(part_trials);
            return;
        }
        for acc in accumulators.iter_mut() {
            acc.reserve(part_trials as usize);
        }
        // Reused tile after tile: `rows` overwrites every value, so it is
        // never cleared.
        let mut rows_buffer = vec![0.0; TILE_ROWS * width];
        let mut columns = vec![0.0; TILE_ROWS * width];
        for chunk in chunks {
            let first = chunk * CHUNK_TRIALS;
            let last = (first + CHUNK_TRIALS).min(trials);
            // A tile of trials at a time: simulated, transposed and absorbed
            // while its rows and columns are still in cache.
            for tile in (first..last).step_by(TILE_ROWS) {
                let tile_end = (tile + TILE_ROWS as u64).min(last);
                let n = (tile_end - tile) as usize;
                let columns = &mut columns[..n * width];
                let from_pilot = self
                    .counting
                    .and_then(|c| c.pilot)
                    .is_some_and(|p| p.tile(tile, tile_end, columns));
                if !from_pilot {
                    let tile_rows = &mut rows_buffer[..n * width];
                    (self.rows)(tile, tile_end, tile_rows);
                    transpose(tile_rows, width, columns);
                }
                for (acc, column) in accumulators.iter_mut().zip(columns.chunks_exact(n)) {
                    acc.absorb_tile(column);
                }
                if let (Some(c), Some(t)) = (self.counting, tally.as_deref_mut()) {
                    c.refinement.observe_columns(t, columns, n);
                }
            }
            for acc in accumulators.iter_mut() {
                acc.close_chunk(chunk);
            }
            (self.progress)(last - first);
        }
    }
}

/// Trials simulated and transposed together.
const TILE_ROWS: usize = 64;

/// Writes the rows of `rows` (row-major, `width` values each) into
/// `columns` (column-major, one column of `rows.len() / width` values per
/// accumulator). Eight columns at a time: each row's eight values come from
/// one cache line and go to eight sequential streams.
pub(crate) fn transpose(rows: &[f64], width: usize, columns: &mut [f64]) {
    let n = rows.len() / width;
    debug_assert_eq!(columns.len(), rows.len());
    for c0 in (0..width).step_by(BLOCK) {
        let c1 = (c0 + BLOCK).min(width);
        // Two rows at a time: each column gets two adjacent values per
        // bounds check (2% fewer instructions than one row at a time).
        let mut pairs = rows.chunks_exact(2 * width);
        let mut k = 0;
        for pair in &mut pairs {
            let (a, b) = pair.split_at(width);
            for ((c, x), y) in (c0..c1).zip(&a[c0..c1]).zip(&b[c0..c1]) {
                columns[c * n + k..c * n + k + 2].copy_from_slice(&[*x, *y]);
            }
            k += 2;
        }
        if let Some(row) = pairs.remainder().get(..width) {
            for (c, x) in (c0..c1).zip(&row[c0..c1]) {
                columns[c * n + k] = *x;
            }
        }
    }
}

/// Summarises a complete state: sketched percentiles are refined first
/// (see [`Accuracy`]), which simulates the trials again.
pub fn finish(scenario: &Scenario, state: RunState, percentiles: &[f64]) -> RunResult {
    finish_keeping(scenario, state, percentiles, true)
}

/// Refines the sketched percentiles of `state` at `percentiles`: the scalar
/// outcomes (and, with [`RunState::exact`], everything) to exact values, the
/// rest to within a tenth of their standard error. Gives, per quantity in
/// the order of a trial's row, its refined percentiles, and the refinement.
fn refine_state(
    scenario: &Scenario,
    state: &mut RunState,
    percentiles: &[f64],
) -> (Vec<Vec<(usize, Refined)>>, Refinement) {
    let scope = if state.series.is_empty() {
        Scope::Outcomes
    } else {
        Scope::All
    };
    let (row, ends) = state.take_row();
    let reported = RowPercentiles::new(percentiles, ends, state.exact);
    let reporting = Reporting {
        period: state.period,
        years: state.years,
    };
    let rows = TrialRows::new(scenario, state.seed, scope, reporting);
    debug_assert_eq!(rows.width(), row.len());
    let fill = |first, last, buffer: &mut [f64]| rows.fill(first, last, buffer, None);
    // What the pass counted against the pilot's brackets: most percentiles
    // are found without another pass.
    let counted = state
        .pilot
        .take()
        .filter(|p| p.percentiles == percentiles)
        .map(|pilot| {
            let brackets = pilot.refinement.unwrap_or_else(|| {
                // Saved states carry counts alone: the brackets again.
                let length = Pilot::length(state.trials, rows.width());
                let sketched = (0..row.len()).filter(|&c| row[c].sketch().is_some());
                Pilot::simulate(length, rows.width(), &fill).refinement(
                    state.trials,
                    sketched,
                    |c| reported.list(c),
                    |c| reported.goal(c),
                )
            });
            (brackets, pilot.tally)
        });
    let (refined, refinement) = refine_counted(&row, state.trials, &fill, &reported, counted);
    state.put_row(row, ends);
    (refined, refinement)
}

/// Which percentiles of each quantity of a trial's row are reported, and
/// how exactly: the run's, and for the scalar outcomes also
/// [`OUTCOME_ENDS`]; exact for the outcomes (or everything, with `exact`),
/// bounded for the rest.
struct RowPercentiles {
    run: Vec<f64>,
    with_ends: Vec<f64>,
    outcomes: Range<usize>,
    exact: bool,
}

impl RowPercentiles {
    /// For a row whose groups end at `ends` (see [`RunState::take_row`]).
    fn new(percentiles: &[f64], ends: [usize; 3], exact: bool) -> RowPercentiles {
        RowPercentiles {
            run: percentiles.to_vec(),
            with_ends: percentiles.iter().chain(&OUTCOME_ENDS).copied().collect(),
            outcomes: ends[0]..ends[1],
            exact,
        }
    }
}

impl Reported for RowPercentiles {
    fn list(&self, column: usize) -> &[f64] {
        if self.outcomes.contains(&column) {
            &self.with_ends
        } else {
            &self.run
        }
    }

    fn goal(&self, column: usize) -> Goal {
        if self.exact || self.outcomes.contains(&column) {
            Goal::Exact
        } else {
            Goal::Bounded
        }
    }
}

/// What the summaries' bounds and the refinement say of a run's accuracy.
fn accuracy_of<'a>(
    summaries: impl Iterator<Item = &'a Summary>,
    refinement: &Refinement,
    exact_requested: bool,
) -> Accuracy {
    let mut a = Accuracy {
        exact_requested,
        passes: refinement.passes(),
        ..Accuracy::default()
    };
    for s in summaries {
        for (p, bound) in s.percentiles.iter().zip(&s.bounds) {
            if p.is_some() {
                a.percentiles += 1;
                a.exact += u64::from(*bound == 0.0);
            }
        }
    }
    let worst = |x: Option<f64>, y: f64| Some(x.map_or(y, |x| x.max(y)));
    // Bounds at the level of float rounding are not compared with the
    // standard error (see `stats::ROUNDING`).
    let bounded = |r: &Refined| r.bound > ROUNDING * r.value.abs();
    for (_, _, r) in refinement.results().filter(|(_, _, r)| bounded(r)) {
        let over_se = if r.std_error > 0.0 {
            r.bound / r.std_error
        } else {
            f64::INFINITY
        };
        a.worst_bound_over_std_error = worst(a.worst_bound_over_std_error, over_se);
        a.worst_relative_bound = worst(
            a.worst_relative_bound,
            r.bound / r.value.abs().max(f64::MIN_POSITIVE),
        );
    }
    a
}

/// As [`finish`]; without `distributions`, each outcome's summary alone (no
/// distribution or month counts kept, and exact percentiles by selection
/// rather than a full sort).
fn finish_keeping(
    scenario: &Scenario,
    mut state: RunState,
    percentiles: &[f64],
    distributions: bool,
) -> RunResult {
    let layout = OutputLayout::new(scenario);
    let (refined, refinement) = refine_state(scenario, &mut state, percentiles);
    let mut refined = refined.into_iter();
    let mut take = |n: usize| -> Vec<Vec<(usize, Refined)>> { refined.by_ref().take(n).collect() };
    let refined_series = take(state.series.len());
    let refined_outcomes = take(state.outcomes.len());
    let refined_periods = take(state.period_series.len());
    let refined_years = take(state.year_table.len());
    let apply = |mut s: Summary, r: Vec<(usize, Refined)>| {
        for (index, value) in r {
            s.refine(index, value);
        }
        s
    };
    let summaries =
        |accs: Vec<QuantityAccumulator>, r: Vec<Vec<(usize, Refined)>>| -> Vec<Summary> {
            accs.into_par_iter()
                .zip(r)
                .map(|(acc, r)| apply(acc.finish_summary(percentiles), r))
                .collect()
        };
    let series = summaries(state.series, refined_series);
    let period_series = summaries(state.period_series, refined_periods);
    let years = YearTable {
        basis: state.years,
        spans: year_spans(state.years, scenario.start, scenario.months),
        summaries: summaries(state.year_table, refined_years),
    };
    let (outcomes, outcome_distributions, month_counts, outcome_ends) = if distributions {
        let finished: Vec<(Summary, Distribution, Option<Vec<u64>>, Ends)> = state
            .outcomes
            .into_par_iter()
            .zip(refined_outcomes)
            .zip(layout.outcomes.par_iter())
            .map(|((acc, r), spec)| {
                let (s, d) = acc.finish(percentiles);
                let months = d.tally().filter(|_| spec.kind == OutcomeKind::Month);
                let months = months.map(|t| t.counts().to_vec());
                // The distribution's own ends where it is exact, the
                // refined ones where it is sketched.
                let sketched = matches!(d, Distribution::Sketch(_));
                let unrefined = if sketched { f64::INFINITY } else { 0.0 };
                let mut ends = OUTCOME_ENDS.map(|p| (d.percentile(p, s.trials), unrefined));
                let n = percentiles.len();
                let (own, end): (Vec<_>, Vec<_>) = r.into_iter().partition(|(i, _)| *i < n);
                for (i, x) in end {
                    ends[i - n] = (Some(x.value), x.bound);
                }
                (apply(s, own), d, months, ends)
            })
            .collect();
        let mut outcomes = Vec::with_capacity(finished.len());
        let mut distributions = Vec::with_capacity(finished.len());
        let mut months = Vec::with_capacity(finished.len());
        let mut ends = Vec::with_capacity(finished.len());
        for (s, d, m, e) in finished {
            outcomes.push(s);
            distributions.push(d);
            months.push(m);
            ends.push(e);
        }
        (outcomes, distributions, months, ends)
    } else {
        let n = percentiles.len();
        let own = refined_outcomes
            .into_iter()
            .map(|r| r.into_iter().filter(|(i, _)| *i < n).collect())
            .collect();
        (
            summaries(state.outcomes, own),
            Vec::new(),
            Vec::new(),
            Vec::new(),
        )
    };
    let mut accuracy = accuracy_of(
        series
            .iter()
            .chain(&outcomes)
            .chain(&period_series)
            .chain(&years.summaries),
        &refinement,
        state.exact,
    );
    accuracy.outcomes_exact = outcomes.iter().all(Summary::is_exact);
    RunResult {
        layout,
        trials: state.trials,
        seed: state.seed,
        percentiles: percentiles.to_vec(),
        method: state.method,
        series,
        outcomes,
        outcome_distributions,
        month_counts,
        period: state.period,
        period_spans: state.period.spans(scenario.start, scenario.months),
        period_series,
        years,
        accuracy,
        outcome_ends,
    }
}

/// An outcome's p10, p50 and p90 ([`OUTCOME_ENDS`]), each with its error
/// bound (0 when exact).
pub type Ends = [(Option<f64>, f64); 3];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accuracy_says_what_is_exact_and_how_close_the_rest_is() {
        let mut a = Accuracy {
            exact_requested: false,
            passes: 2,
            percentiles: 100,
            exact: 100,
            worst_bound_over_std_error: None,
            worst_relative_bound: None,
            outcomes_exact: true,
        };
        assert_eq!(
            a.describe(5000),
            "exact (PERCENTILE.INC over all 5000 trials, after 2 refinement passes)"
        );
        a.passes = 0;
        assert_eq!(
            a.describe(5000),
            "exact (PERCENTILE.INC over all 5000 trials)"
        );
        a.passes = 1;
        a.exact = 60;
        a.worst_bound_over_std_error = Some(0.0734);
        assert_eq!(
            a.describe(5000),
            "60 of 100 exact (PERCENTILE.INC over all 5000 trials), the scalar outcomes among them; the other 40 each within a tenth of its standard error (the worst 0.073 of it) or within float rounding, after 1 refinement pass; --exact for all exact"
        );
        a.outcomes_exact = false;
        a.worst_bound_over_std_error = Some(0.5);
        let s = a.describe(5000);
        assert!(s.contains("not all scalar outcomes among them"), "{s}");
        assert!(
            s.contains(
                "not all within a tenth of their standard error (the worst bound is 0.50 of it)"
            ),
            "{s}"
        );
    }

    #[test]
    fn transpose_moves_every_value_to_its_column() {
        for (n, width) in [(1, 1), (3, 17), (64, 8), (130, 9), (64, 1413)] {
            let rows: Vec<f64> = (0..n * width).map(|i| i as f64).collect();
            let mut columns = vec![f64::NAN; n * width];
            transpose(&rows, width, &mut columns);
            for r in 0..n {
                for c in 0..width {
                    assert_eq!(columns[c * n + r], rows[r * width + c], "{n}x{width}");
                }
            }
        }
    }
}
