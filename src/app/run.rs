//! Running scenarios: simulate, analyse and write each one's outputs, or
//! run one shard of each and save its state.

use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::time::Instant;

use super::folder::FolderLock;
use super::outputs::{Finished, FinishedRun, SENSITIVITY_SAMPLE, SWING_TRIALS};
use super::outputs::{analyses, write_outputs};
use super::{AppError, OutputKind, Progress, output_dir, scenario_stem};
use crate::export::sha256_hex;
use crate::number::{percentile_column, percentile_named_as_an_end};
use crate::period::Period;
use crate::runner::{CHUNK_TRIALS, RunConfig, run_sampling, simulate_by};
use crate::scenario::Scenario;
use crate::shard::{Shard, StateFile};
use crate::years::{Reporting, YearBasis};

/// What to run and what to write.
#[derive(Debug, Clone, PartialEq)]
pub struct RunRequest {
    /// Scenario files; each writes to its own folder in `out` (see
    /// [`output_dir`]).
    pub scenarios: Vec<PathBuf>,
    /// Output folder.
    pub out: PathBuf,
    /// Trials, instead of each scenario's own.
    pub trials: Option<u64>,
    /// Seed, instead of each scenario's own.
    pub seed: Option<u64>,
    /// Worker threads (all cores if `None`). Results do not depend on it.
    pub threads: Option<usize>,
    /// Every percentile exact at any trial count (`--exact`; see
    /// [`crate::runner::RunConfig::exact`]).
    pub exact: bool,
    /// Percentiles to report, in percent, instead of each scenario's own.
    pub percentiles: Option<Vec<f64>>,
    /// Also report every metric by this period (if not monthly).
    pub period: Period,
    /// Years of the year table (`years.csv`, the report, the summary).
    pub years: YearBasis,
    /// Keep doubling the trials until the key percentiles are stable.
    pub precision: Option<Precision>,
    /// Also write trials.csv with the first N trials.
    pub export_trials: Option<u64>,
    /// Draw the charts (charts/*.svg, and in report.html).
    pub charts: bool,
    /// Write sensitivity.csv (what drives each outcome).
    pub sensitivity: bool,
    /// Write deals.csv (each deal's payments and effects).
    pub deals: bool,
    /// Run one shard of each scenario and save its state instead of writing
    /// outputs.
    pub shard: Option<ShardRequest>,
}

impl RunRequest {
    /// A request to run `scenarios` as they are, into `output/`, with charts
    /// sensitivity and deals and nothing else.
    pub fn new(scenarios: Vec<PathBuf>) -> RunRequest {
        RunRequest {
            scenarios,
            out: PathBuf::from("output"),
            trials: None,
            seed: None,
            threads: None,
            exact: false,
            percentiles: None,
            period: Period::Month,
            years: YearBasis::Calendar,
            precision: None,
            export_trials: None,
            charts: true,
            sensitivity: true,
            deals: true,
            shard: None,
        }
    }
}

impl RunRequest {
    /// What the run reports besides the monthly series.
    fn reporting(&self) -> Reporting {
        Reporting {
            period: self.period,
            years: self.years,
        }
    }
}

/// A precision goal: how stable the key percentiles must be.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Precision {
    /// Largest relative change of the p10, p50 and p90 of the key outcomes
    /// between doublings (e.g. 0.005).
    pub relative: f64,
    /// Most trials to run (at least the request's trials are run).
    pub max_trials: u64,
}

/// Which shard to run and where to save its state.
#[derive(Debug, Clone, PartialEq)]
pub struct ShardRequest {
    /// The part of the trials to run.
    pub shard: Shard,
    /// The state file to write.
    pub state: PathBuf,
}

/// What running one scenario of a request did.
#[derive(Debug, Clone)]
pub enum RunOutcome {
    /// A whole run: outputs written (boxed: it holds the scenario and the
    /// results).
    Finished(Box<FinishedRun>),
    /// One shard: its state saved, no outputs written.
    Shard(SavedShard),
}

/// A shard run whose state is saved.
#[derive(Debug, Clone, PartialEq)]
pub struct SavedShard {
    /// The scenario file, as given.
    pub scenario_path: PathBuf,
    /// The part run.
    pub shard: Shard,
    /// The trials it ran (empty if the shard has none).
    pub trials: Range<u64>,
    /// Trials of the whole run.
    pub total_trials: u64,
    /// Wall time of the shard, seconds, saving included.
    pub wall_seconds: f64,
    /// The state file written.
    pub state: PathBuf,
}

/// Runs every scenario of `request`, one after the other, and hands each
/// one's outcome to `done` as soon as it is written. Nothing runs unless the
/// request's percentiles are valid, every scenario has its own output folder
/// and every scenario is valid.
pub fn run(
    request: &RunRequest,
    progress: &dyn Progress,
    done: &mut dyn FnMut(RunOutcome),
) -> Result<(), AppError> {
    if let Some(p) = &request.percentiles {
        check_percentiles(p)?;
    }
    if let Some(shard) = &request.shard {
        check_state_path(request, shard)?;
    }
    let folders = output_folders(&request.scenarios, &request.out)?;
    let threads = super::worker_threads(request.threads);
    let scenarios = super::load_all(&request.scenarios)?;
    for (path, scenario) in request.scenarios.iter().zip(&scenarios) {
        progress.loaded(path, scenario);
    }
    // Every folder's lock first, so that a busy one refuses the request
    // before anything runs. A shard writes no folder.
    let (mut locks, mut locks_notes) = (Vec::new(), Vec::new());
    for folder in &folders {
        let mut notes = Vec::new();
        if request.shard.is_none() {
            locks.push(FolderLock::acquire(folder, &mut notes)?);
        }
        locks_notes.push(notes);
    }
    let each = request.scenarios.iter().zip(scenarios).zip(folders);
    for (((path, scenario), folder), notes) in each.zip(locks_notes) {
        let mut outcome = run_one(request, path, scenario, folder, threads, progress)?;
        if let RunOutcome::Finished(run) = &mut outcome {
            // The folder's notes first, then the run's own.
            run.notes.splice(0..0, notes);
        }
        done(outcome);
    }
    drop(locks);
    Ok(())
}

/// A shard runs one scenario and may replace only a state file.
fn check_state_path(request: &RunRequest, shard: &ShardRequest) -> Result<(), AppError> {
    if request.scenarios.len() > 1 {
        return Err(AppError::ShardScenarios(request.scenarios.len()));
    }
    let path = &shard.state;
    let not_state = || AppError::NotStateFile(path.clone());
    match std::fs::metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Ok(m) if !m.is_file() => Err(not_state()),
        // An unreadable file is not known to be a state file either.
        _ => match crate::shard::is_state_file(path) {
            Ok(true) => Ok(()),
            _ => Err(not_state()),
        },
    }
}

/// Between 1 and 99 increasing percentiles strictly between 0 and 100,
/// whose column names differ (names keep 6 decimal places).
pub(super) fn check_percentiles(p: &[f64]) -> Result<(), AppError> {
    if p.is_empty() || p.len() > 99 {
        return Err(AppError::Percentiles("give between 1 and 99 values"));
    }
    if p.iter().any(|x| !(*x > 0.0 && *x < 100.0)) {
        return Err(AppError::Percentiles(
            "each percentile must lie strictly between 0 and 100",
        ));
    }
    if p.iter().any(|x| percentile_named_as_an_end(*x)) {
        return Err(AppError::Percentiles(
            "a percentile would be named p0 or p100, as the minimum or maximum: column names keep 6 decimal places, so percentiles must lie between 0.000001 and 99.999999",
        ));
    }
    if p.windows(2).any(|w| w[0] >= w[1]) {
        return Err(AppError::Percentiles("percentiles must increase"));
    }
    if p.windows(2)
        .any(|w| percentile_column(w[0]) == percentile_column(w[1]))
    {
        return Err(AppError::Percentiles(
            "two percentiles would share a column name such as p50: column names keep 6 decimal places, so percentiles must differ by at least 0.000001",
        ));
    }
    Ok(())
}

/// Each scenario's output folder; two scenarios with one stem would
/// overwrite each other.
fn output_folders(paths: &[PathBuf], out: &Path) -> Result<Vec<PathBuf>, AppError> {
    let mut seen: HashMap<String, &PathBuf> = HashMap::new();
    let mut folders = Vec::new();
    for p in paths {
        let stem = scenario_stem(p).ok_or_else(|| AppError::NotAFileName(p.clone()))?;
        let folder = output_dir(out, p, OutputKind::Run);
        if super::reserved_folder(&stem) {
            return Err(AppError::ReservedFolder {
                path: p.clone(),
                folder,
            });
        }
        if let Some(first) = seen.insert(stem, p) {
            return Err(AppError::SameFolder {
                first: first.clone(),
                second: p.clone(),
                folder,
            });
        }
        folders.push(folder);
    }
    Ok(folders)
}

fn run_one(
    request: &RunRequest,
    path: &Path,
    scenario: Scenario,
    folder: PathBuf,
    threads: usize,
    progress: &dyn Progress,
) -> Result<RunOutcome, AppError> {
    let bytes =
        crate::file::read_bounded(path, crate::file::MAX_SCENARIO_BYTES).map_err(|source| {
            AppError::Read {
                path: path.to_path_buf(),
                source,
            }
        })?;
    let config = RunConfig {
        trials: request.trials.unwrap_or(scenario.trials),
        seed: request.seed.unwrap_or(scenario.seed),
        threads,
        percentiles: request
            .percentiles
            .clone()
            .unwrap_or_else(|| scenario.percentiles.clone()),
        exact: request.exact,
    };
    let started = Instant::now();
    if let Some(shard) = &request.shard {
        let saved = run_shard(request, path, &bytes, &scenario, &config, shard, started)?;
        return Ok(RunOutcome::Shard(saved));
    }
    progress.start(config.trials);
    let mut known = Vec::new();
    let (result, precision) = match request.precision {
        Some(goal) => {
            let (r, p) = crate::analysis::run_to_precision(
                &scenario,
                &config,
                request.reporting(),
                goal.relative,
                goal.max_trials.max(config.trials),
                &|_| {},
            )?;
            (r, Some(p))
        }
        None => {
            // The sensitivity analysis reads the run's first trials one by
            // one: kept as the run passes them, they need no second
            // simulation.
            let sample = if request.sensitivity {
                SENSITIVITY_SAMPLE.max(SWING_TRIALS)
            } else {
                0
            };
            let advance = |n: u64| progress.advance(n);
            let (result, first) =
                run_sampling(&scenario, &config, request.reporting(), sample, &advance)?;
            known = first;
            (result, None)
        }
    };
    progress.finish();
    let wall_seconds = started.elapsed().as_secs_f64();
    // trials.csv holds trials of the run: at most all of them.
    let export_trials = request.export_trials.map(|n| n.min(result.trials));
    let extra = analyses(
        &scenario,
        &result,
        threads,
        request.sensitivity,
        request.deals,
        export_trials,
        known,
    )?;
    let notes = precision
        .as_ref()
        .and_then(|p| p.shortfall())
        .into_iter()
        .collect();
    let finished = Finished {
        scenario_path: path,
        scenario: &scenario,
        sha256: sha256_hex(&bytes),
        result: &result,
        threads,
        wall_seconds,
        charts: request.charts,
        extra,
        precision,
    };
    let written = write_outputs(finished, &folder)?;
    Ok(RunOutcome::Finished(Box::new(FinishedRun {
        scenario_path: path.to_path_buf(),
        scenario,
        result,
        wall_seconds,
        folder,
        written,
        exported_trials: export_trials,
        notes,
    })))
}

/// Runs one shard and saves its state; writes no outputs.
fn run_shard(
    request: &RunRequest,
    path: &Path,
    bytes: &[u8],
    scenario: &Scenario,
    config: &RunConfig,
    shard: &ShardRequest,
    started: Instant,
) -> Result<SavedShard, AppError> {
    let text = std::str::from_utf8(bytes).map_err(|source| AppError::NotText {
        path: path.to_path_buf(),
        source,
    })?;
    let chunks = shard.shard.chunks(config.chunks());
    let state = simulate_by(
        scenario,
        config,
        chunks.clone(),
        request.reporting(),
        &|_| {},
    )?;
    let file = StateFile::new(path, text, &sha256_hex(bytes), config, shard.shard, state);
    file.write(&shard.state)?;
    let first = chunks.start * CHUNK_TRIALS;
    let last = (chunks.end * CHUNK_TRIALS).min(config.trials);
    Ok(SavedShard {
        scenario_path: path.to_path_buf(),
        shard: shard.shard,
        trials: first..last.max(first),
        total_trials: config.trials,
        wall_seconds: started.elapsed().as_secs_f64(),
        state: shard.state.clone(),
    })
}
