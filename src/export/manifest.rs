//! `manifest.json`: what produced a run folder, so that any figure can be
//! traced to a version, a scenario file and a seed.

use std::io::Write;

use serde::Serialize;

use super::{Exporter, RunReport};

/// The facts recorded about a run.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Manifest {
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

/// Writes `manifest.json`.
#[derive(Debug, Clone, Copy, Default)]
pub struct ManifestExporter;

impl Exporter for ManifestExporter {
    fn file_name(&self) -> &'static str {
        "manifest.json"
    }

    fn write(&self, report: &RunReport, out: &mut dyn Write) -> std::io::Result<()> {
        serde_json::to_writer_pretty(&mut *out, &report.manifest)?;
        out.write_all(b"\n")
    }
}
