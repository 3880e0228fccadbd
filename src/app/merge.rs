//! Merging the partial states of a sharded run into the outputs a single run
//! would have written, byte for byte.
//!
//! ```
//! use capsim::app::{MergeRequest, RunRequest, ShardRequest, Silent};
//! use capsim::shard::Shard;
//!
//! let dir = tempfile::tempdir()?;
//! let scenario = dir.path().join("tiny.toml");
//! std::fs::write(&scenario, capsim::app::EXAMPLE_SCENARIO)?;
//! let mut states = Vec::new();
//! for index in 1..=2 {
//!     let state = dir.path().join(format!("tiny-{index}.state"));
//!     let mut request = RunRequest::new(vec![scenario.clone()]);
//!     request.trials = Some(3000);
//!     let shard = Shard { index, count: 2 };
//!     request.shard = Some(ShardRequest { shard, state: state.clone() });
//!     capsim::app::run(&request, &Silent, &mut |_| {})?;
//!     states.push(state);
//! }
//!
//! let merged = capsim::app::merge(&MergeRequest {
//!     states,
//!     out: dir.path().join("output"),
//!     charts: false,
//!     sensitivity: false,
//!     deals: false,
//! })?;
//! assert_eq!(merged.result.trials, 3000);
//! assert_eq!(merged.folder, dir.path().join("output").join("tiny"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::path::{Path, PathBuf};
use std::time::Instant;

use super::folder::FolderLock;
use super::outputs::{Finished, FinishedRun, analyses, write_outputs};
use super::{AppError, OutputKind, output_dir};
use crate::model::OutputLayout;
use crate::period::Period;
use crate::runner::finish;
use crate::scenario::Scenario;
use crate::shard::{StateError, StateFile, merge as merge_states};

/// Which state files to merge and what to write.
#[derive(Debug, Clone, PartialEq)]
pub struct MergeRequest {
    /// State files of every shard of one run, in any order.
    pub states: Vec<PathBuf>,
    /// Output folder; the outputs go where the run's would (see
    /// [`output_dir`]).
    pub out: PathBuf,
    /// Draw the charts.
    pub charts: bool,
    /// Write sensitivity.csv.
    pub sensitivity: bool,
    /// Write deals.csv (recomputed from the scenario and the run's seed).
    pub deals: bool,
}

/// Reads every state file, checks they are the N shards of one run, and
/// writes the run's outputs.
pub fn merge(request: &MergeRequest) -> Result<FinishedRun, AppError> {
    let started = Instant::now();
    let mut files = Vec::new();
    for path in &request.states {
        files.push((path.clone(), StateFile::read(path)?));
    }
    let merged = merge_states(files)?;
    let scenario_path = Path::new(&merged.scenario_path);
    let scenario = Scenario::parse(&merged.scenario_text, scenario_path)
        .map_err(|e| AppError::Scenarios(vec![e]))?;
    check_shape(&merged, &scenario)?;
    super::run::check_percentiles(&merged.percentiles)?;
    let folder = output_dir(&request.out, scenario_path, OutputKind::Run);
    if super::scenario_stem(scenario_path).is_some_and(|s| super::reserved_folder(&s)) {
        return Err(AppError::ReservedFolder {
            path: scenario_path.to_path_buf(),
            folder,
        });
    }
    let mut notes = Vec::new();
    let _lock = FolderLock::acquire(&folder, &mut notes)?;
    let result = finish(&scenario, merged.state, &merged.percentiles);
    let wall_seconds = started.elapsed().as_secs_f64();
    let extra = analyses(
        &scenario,
        &result,
        std::thread::available_parallelism().map_or(1, |n| n.get()),
        request.sensitivity,
        request.deals,
        None,
        Vec::new(),
    )?;
    let finished = Finished {
        scenario_path,
        scenario: &scenario,
        sha256: merged.scenario_sha256.clone(),
        result: &result,
        // The shards' threads are unknown; the merge itself runs on one.
        threads: 1,
        wall_seconds,
        charts: request.charts,
        extra,
        precision: None,
    };
    let written = write_outputs(finished, &folder)?;
    Ok(FinishedRun {
        scenario_path: scenario_path.to_path_buf(),
        scenario,
        result,
        wall_seconds,
        folder,
        written,
        exported_trials: None,
        notes,
    })
}

/// Refuses a state whose accumulators do not have the shape of its
/// scenario's outputs (one per metric per month, per outcome, per metric per
/// period), which only a state file made by other means can have: checked
/// before anything is summarised or written.
fn check_shape(merged: &StateFile, scenario: &Scenario) -> Result<(), AppError> {
    let layout = OutputLayout::new(scenario);
    let state = &merged.state;
    let periods = match state.period {
        Period::Month => 0,
        p => p.spans(scenario.start, scenario.months).len(),
    };
    let years = crate::years::year_spans(state.years, scenario.start, scenario.months).len();
    let fits = state.series.len() == layout.metrics.len() * layout.months
        && state.outcomes.len() == layout.outcomes.len()
        && state.period_series.len() == layout.metrics.len() * periods
        && state.year_table.len() == crate::years::YearQuantity::ALL.len() * years;
    if fits {
        Ok(())
    } else {
        Err(StateError::Coverage(
            "the states do not have the shape of their scenario's outputs".into(),
        )
        .into())
    }
}
