//! What a finished run (or a merge) computes besides its summaries, and the
//! files it writes.

use std::path::{Path, PathBuf};

use super::AppError;
use super::folder::Staging;
use crate::analysis::{DealsAnalysis, PrecisionReport, SensitivityRow, TrialTable};
use crate::export::chart::{
    CHARTS_DIR, TORNADO_OUTCOMES, deal_charts, render, render_charts_with, write_charts,
};
use crate::export::{
    CAPSIM_VERSION, DealsCsvExporter, Exporter, HtmlReportExporter, OutsideViewsCsvExporter,
    PeriodTimeseriesCsvExporter, RunManifest, RunReport, SensitivityCsvExporter, TrialsCsvExporter,
    recorded_seconds, standard_exporters, wide_exporters, write_run,
};
use crate::model::{OutcomeKind, TrialValues};
use crate::period::Period;
use crate::runner::RunResult;
use crate::scenario::Scenario;
use crate::stats::Summary;

/// [`AppError::Overflow`] naming the first statistic of `result` that is
/// not a finite number where one is due: every statistic of every monthly
/// metric, period, year and outcome, except those of month outcomes (a
/// month that never comes is infinite by design, and left blank).
pub(super) fn check_finite(scenario: &Scenario, result: &RunResult) -> Result<(), AppError> {
    let bad = |s: &Summary| -> Option<&'static str> {
        let stats = [
            ("mean", s.mean),
            ("standard deviation", s.std_dev),
            ("standard error", s.std_error),
        ];
        stats
            .into_iter()
            .find(|(_, v)| v.is_some_and(|x| !x.is_finite()))
            .map(|(what, _)| what)
            .or_else(|| {
                s.percentiles
                    .iter()
                    .any(|p| p.is_some_and(|x| !x.is_finite()))
                    .then_some("a percentile")
            })
    };
    let months = result.layout.months.max(1);
    for (i, s) in result.series.iter().enumerate() {
        if let Some(what) = bad(s) {
            let metric = result.layout.metrics[i / months].name();
            let month = scenario.month(i % months);
            return Err(AppError::Overflow(format!(
                "the {what} of {metric} in {month}"
            )));
        }
    }
    for (spec, s) in result.layout.outcomes.iter().zip(&result.outcomes) {
        if let (false, Some(what)) = (spec.kind == OutcomeKind::Month, bad(s)) {
            return Err(AppError::Overflow(format!("the {what} of {}", spec.name)));
        }
    }
    let mut others = result.period_series.iter().chain(&result.years.summaries);
    if let Some(what) = others.find_map(bad) {
        return Err(AppError::Overflow(format!(
            "the {what} of a yearly or period total"
        )));
    }
    Ok(())
}

/// A run (or merge) whose outputs are written.
#[derive(Debug, Clone)]
pub struct FinishedRun {
    /// The scenario file, as given (for a merge: as the shards were given it).
    pub scenario_path: PathBuf,
    /// The scenario run.
    pub scenario: Scenario,
    /// Its results.
    pub result: RunResult,
    /// Wall time of the simulation and summaries, seconds.
    pub wall_seconds: f64,
    /// The output folder.
    pub folder: PathBuf,
    /// Every file written, in order: the folder's own files, then the charts
    /// in its `charts/` folder.
    pub written: Vec<PathBuf>,
    /// Notes for the user about the writing (a stale lock taken over).
    pub notes: Vec<String>,
    /// Trials written to trials.csv, if asked for: the number asked for, or
    /// every trial of the run if that is fewer.
    pub exported_trials: Option<u64>,
}

use crate::analysis::SWING_INPUTS;
pub(super) use crate::analysis::{SENSITIVITY_SAMPLE, SWING_TRIALS};
/// Trials of a run's deals analysis: the first 1,000 (each is simulated
/// once per deal and once as it is).
pub const DEALS_RUN_TRIALS: u64 = 1_000;

/// The per-trial analyses of a run, if asked for.
pub(super) struct Analyses {
    /// Sensitivity rows: written to sensitivity.csv and drawn as tornado charts.
    pub sensitivity: Option<Vec<SensitivityRow>>,
    /// The per-trial table: written to trials.csv.
    pub trials: Option<TrialTable>,
    /// The deals analysis: written to deals.csv, drawn, and in the report.
    pub deals: Option<DealsAnalysis>,
}

impl Analyses {
    /// The exporters writing them.
    fn exporters(self) -> Vec<Box<dyn Exporter>> {
        let mut out: Vec<Box<dyn Exporter>> = Vec::new();
        if let Some(analysis) = self.deals {
            out.push(Box::new(DealsCsvExporter { analysis }));
        }
        if let Some(rows) = self.sensitivity {
            out.push(Box::new(SensitivityCsvExporter { rows }));
        }
        if let Some(table) = self.trials {
            out.push(Box::new(TrialsCsvExporter { table }));
        }
        out
    }
}

/// The per-trial analyses asked for, computed on `threads` threads; `known`
/// holds the run's first trials if it kept them (see
/// [`crate::runner::run_sampling`]).
pub(super) fn analyses(
    scenario: &Scenario,
    result: &RunResult,
    threads: usize,
    sensitivity: bool,
    deals: bool,
    export_trials: Option<u64>,
    known: Vec<TrialValues>,
) -> Result<Analyses, AppError> {
    let (seed, trials) = (result.seed, result.trials);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads.max(1))
        .build()
        .map_err(AppError::Threads)?;
    let (rows, table) = pool.install(|| {
        let rows = sensitivity.then(|| {
            let swing = crate::analysis::SwingPlan {
                outcomes: TORNADO_OUTCOMES.iter().map(|o| (*o).to_string()).collect(),
                inputs_per_outcome: SWING_INPUTS,
                trials: trials.min(SWING_TRIALS),
            };
            let sample = trials.min(SENSITIVITY_SAMPLE);
            crate::analysis::sensitivity_with(scenario, seed, known, sample, &swing)
        });
        let table = export_trials.map(|n| crate::analysis::trial_table(scenario, seed, n));
        (rows, table)
    });
    let deals = deals.then(|| {
        pool.install(|| crate::analysis::deals(scenario, seed, trials.min(DEALS_RUN_TRIALS)))
    });
    Ok(Analyses {
        sensitivity: rows,
        trials: table,
        deals,
    })
}

/// A finished run's results and everything recorded about it.
pub(super) struct Finished<'a> {
    pub scenario_path: &'a Path,
    pub scenario: &'a Scenario,
    pub sha256: String,
    pub result: &'a RunResult,
    pub threads: usize,
    pub wall_seconds: f64,
    pub charts: bool,
    /// Analyses beyond the standard outputs (sensitivity, trials).
    pub extra: Analyses,
    /// What a precision goal did, if one was set.
    pub precision: Option<PrecisionReport>,
}

/// Writes every output file of a run into a new folder and swaps it in
/// place of `folder` (see [`Staging`]), charts unless `charts` is off, and
/// returns the paths written. The caller holds `folder`'s lock.
pub(super) fn write_outputs(run: Finished, folder: &Path) -> Result<Vec<PathBuf>, AppError> {
    let (scenario, result) = (run.scenario, run.result);
    check_finite(scenario, result)?;
    let mut charts = if run.charts {
        render_charts_with(scenario, result, run.extra.sensitivity.as_deref())?
    } else {
        Vec::new()
    };
    if let (true, Some(deals)) = (run.charts, &run.extra.deals) {
        charts.extend(render(&deal_charts(deals), scenario, result)?);
    }
    let mut exporters = standard_exporters();
    if !scenario.outside_views.is_empty() {
        exporters.push(Box::new(OutsideViewsCsvExporter));
    }
    exporters.push(Box::new(
        HtmlReportExporter::new(charts.clone()).with_deals(run.extra.deals.clone()),
    ));
    if result.period != Period::Month {
        exporters.push(Box::new(PeriodTimeseriesCsvExporter {
            period: result.period,
        }));
    }
    exporters.extend(run.extra.exporters());
    exporters.extend(wide_exporters(&result.layout.metrics, result.period));
    let manifest = RunManifest {
        capsim_version: CAPSIM_VERSION.to_string(),
        scenario_path: run.scenario_path.display().to_string(),
        scenario_sha256: run.sha256,
        scenario_name: scenario.name.clone(),
        seed: result.seed,
        trials: result.trials,
        percentiles: result.percentiles.clone(),
        percentile_method: result.method.describe().into(),
        percentile_accuracy: crate::export::PercentileAccuracy::of(&result.accuracy, result.trials),
        horizon: [scenario.start.to_string(), scenario.end().to_string()],
        threads: run.threads,
        wall_time_seconds: recorded_seconds(run.wall_seconds),
        files: exporters
            .iter()
            .map(|e| e.file_name().to_string())
            .chain(
                charts
                    .iter()
                    .map(|c| format!("{CHARTS_DIR}/{}", c.file_name)),
            )
            .collect(),
        precision: run.precision,
    };
    let report = RunReport {
        scenario,
        result,
        manifest,
    };
    let staging = Staging::new(folder)?;
    let mut written = write_run(staging.path(), &report, &exporters)?;
    written.extend(write_charts(staging.path(), &charts)?);
    let written = staging.final_paths(written);
    staging.commit()?;
    Ok(written)
}
