//! `manifest.json`: what produced an output folder, so that any figure can be
//! traced to a version, the scenario files and a seed. A run (or merge), a
//! comparison and a sweep each record their own facts; [`Manifest`] is all
//! three, and [`Manifest::write`] is the one place the file is written.

use std::io::Write;

use serde::Serialize;

use super::{Exporter, RunReport};

/// File name of the manifest in an output folder.
pub const MANIFEST_FILE: &str = "manifest.json";

/// SHA-256 of `bytes`, hex: how manifests (and shard state files) identify
/// scenario files.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    format!("{:x}", Sha256::digest(bytes))
}

/// The capsim version recorded in every manifest.
pub const CAPSIM_VERSION: &str = env!("CARGO_PKG_VERSION");

/// What pairs the trials of a comparison.
pub const COMPARE_PAIRING: &str = "common random numbers: trial t of A and of B use the same draws for every component (tranche, contract, funding event, shock) with the same name";

/// What pairs the trials of a sweep's settings.
pub const SWEEP_PAIRING: &str = "common random numbers: every setting runs with the same seed, and trial t of every setting uses the same draws for every component (tranche, contract, funding event, shock) with the same name";

/// The contents of `manifest.json`, by kind of output folder. Each kind's
/// fields are written in the order declared (the comparison's and the
/// sweep's are alphabetical, as they have always been written).
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(untagged)]
pub enum Manifest {
    /// A run or a merge of shards.
    Run(RunManifest),
    /// A comparison of two scenarios.
    Compare(CompareManifest),
    /// A sweep of one scenario over a grid of settings.
    Sweep(SweepManifest),
}

impl Manifest {
    /// Writes the manifest as pretty-printed JSON and a final newline.
    pub fn write(&self, out: &mut dyn Write) -> std::io::Result<()> {
        serde_json::to_writer_pretty(&mut *out, self)?;
        out.write_all(b"\n")
    }
}

/// A wall time in seconds as recorded: rounded to the millisecond.
pub fn recorded_seconds(seconds: f64) -> f64 {
    (seconds * 1000.0).round() / 1000.0
}

/// The facts recorded about a run.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RunManifest {
    /// capsim version.
    pub capsim_version: String,
    /// Scenario file as given on the command line.
    pub scenario_path: String,
    /// SHA-256 of the scenario file's bytes, hex.
    pub scenario_sha256: String,
    /// Scenario name.
    pub scenario_name: String,
    /// Seed.
    pub seed: u64,
    /// Trials run.
    pub trials: u64,
    /// Percentiles reported, in percent.
    pub percentiles: Vec<f64>,
    /// How percentiles were computed.
    pub percentile_method: String,
    /// How exact the reported percentiles are.
    pub percentile_accuracy: PercentileAccuracy,
    /// First and last month of the horizon.
    pub horizon: [String; 2],
    /// Worker threads used (results do not depend on it).
    pub threads: usize,
    /// Wall time of the simulation and summaries, seconds.
    pub wall_time_seconds: f64,
    /// Files written alongside, in the run folder.
    pub files: Vec<String>,
    /// With `--precision`: the tolerance, what was reached, and the runs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub precision: Option<crate::analysis::PrecisionReport>,
}

/// One scenario file of a comparison.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ScenarioRecord {
    /// Scenario name.
    pub scenario_name: String,
    /// Scenario file as given on the command line.
    pub scenario_path: String,
    /// SHA-256 of the scenario file's bytes, hex (empty if it could not be
    /// read again).
    pub scenario_sha256: String,
}

/// The facts recorded about a comparison.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CompareManifest {
    /// The baseline scenario.
    pub a: ScenarioRecord,
    /// The alternative scenario.
    pub b: ScenarioRecord,
    /// capsim version.
    pub capsim_version: String,
    /// Percentiles of B - A reported, in percent.
    pub diff_percentiles: Vec<f64>,
    /// Files written alongside, in the comparison folder.
    pub files: Vec<String>,
    /// How trials are paired ([`COMPARE_PAIRING`]).
    pub pairing: String,
    /// Seed shared by both scenarios.
    pub seed: u64,
    /// Worker threads used.
    pub threads: usize,
    /// Paired trials.
    pub trials: u64,
    /// Wall time of both simulations, seconds.
    pub wall_time_seconds: f64,
}

/// One swept key and its values, for the manifest.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SweptKey {
    /// The dotted path as written.
    pub key: String,
    /// The values' labels, in the order given.
    pub values: Vec<String>,
}

/// A key set to a value, for the manifest.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct KeyValue {
    /// The dotted path as written.
    pub key: String,
    /// The value's label.
    pub value: String,
}

/// One setting of a sweep, for the manifest.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SettingRecord {
    /// Seed of its run.
    pub seed: u64,
    /// Its number, from 1 (the `setting` column of `sweep.csv`).
    pub setting: usize,
    /// Trials of its run.
    pub trials: u64,
    /// What was set.
    pub values: Vec<KeyValue>,
}

/// The facts recorded about a sweep.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SweepManifest {
    /// capsim version.
    pub capsim_version: String,
    /// Files written alongside, in the sweep folder.
    pub files: Vec<String>,
    /// The swept keys.
    pub keys: Vec<SweptKey>,
    /// How trials are paired ([`SWEEP_PAIRING`]).
    pub pairing: String,
    /// Percentiles reported, in percent.
    pub percentiles: Vec<f64>,
    /// Scenario name (of the first setting).
    pub scenario_name: Option<String>,
    /// Scenario file as given on the command line.
    pub scenario_path: String,
    /// SHA-256 of the scenario file's bytes, hex.
    pub scenario_sha256: String,
    /// Seed of every setting, if they share one.
    pub seed: Option<u64>,
    /// Every setting, in order.
    pub settings: Vec<SettingRecord>,
    /// Worker threads used.
    pub threads: usize,
    /// Trials of every setting, if they share a count.
    pub trials: Option<u64>,
    /// Wall time of every setting's run, seconds.
    pub wall_time_seconds: f64,
}

/// Writes a run's `manifest.json`.
#[derive(Debug, Clone, Copy, Default)]
pub struct ManifestExporter;

impl Exporter for ManifestExporter {
    fn file_name(&self) -> &'static str {
        MANIFEST_FILE
    }

    fn write(&self, report: &RunReport, out: &mut dyn Write) -> std::io::Result<()> {
        Manifest::Run(report.manifest.clone()).write(out)
    }
}

/// How exact a run's reported percentiles are (see
/// [`crate::runner::Accuracy`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PercentileAccuracy {
    /// The method in a sentence.
    pub statement: String,
    /// Whether every reported percentile is exact (PERCENTILE.INC over all
    /// trials).
    pub all_exact: bool,
    /// Whether `--exact` asked for that.
    pub exact_requested: bool,
    /// Passes over the trials after the first, refining sketched values.
    pub refinement_passes: usize,
    /// Percentiles reported with a value, over every table of the run.
    pub percentiles: u64,
    /// How many of them are exact.
    pub exact_percentiles: u64,
    /// Among the others, the largest error bound as a fraction of the
    /// percentile's standard error (below 0.1 when all met the goal).
    pub worst_bound_over_std_error: Option<f64>,
    /// Among the others, the largest error bound as a fraction of the
    /// percentile's value.
    pub worst_relative_bound: Option<f64>,
    /// Whether the scalar outcomes' percentiles are all exact.
    pub outcomes_exact: bool,
}

impl PercentileAccuracy {
    /// The accuracy of a run of `trials` trials.
    pub fn of(a: &crate::runner::Accuracy, trials: u64) -> PercentileAccuracy {
        PercentileAccuracy {
            statement: a.describe(trials),
            all_exact: a.is_exact(),
            exact_requested: a.exact_requested,
            refinement_passes: a.passes,
            percentiles: a.percentiles,
            exact_percentiles: a.exact,
            worst_bound_over_std_error: a.worst_bound_over_std_error,
            worst_relative_bound: a.worst_relative_bound,
            outcomes_exact: a.outcomes_exact,
        }
    }
}
