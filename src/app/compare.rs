//! Comparing two scenarios trial by trial (common random numbers).
//!
//! ```
//! use capsim::app::CompareRequest;
//!
//! let dir = tempfile::tempdir()?;
//! let a = dir.path().join("base.toml");
//! let b = dir.path().join("rich.toml");
//! std::fs::write(&a, capsim::app::EXAMPLE_SCENARIO)?;
//! std::fs::write(&b, capsim::app::EXAMPLE_SCENARIO.replace("start_usd_bn = 10", "start_usd_bn = 20"))?;
//!
//! let mut request = CompareRequest::new(a, b);
//! request.out = dir.path().join("output");
//! request.trials = Some(500);
//! request.charts = false;
//! let outcome = capsim::app::compare(&request)?;
//! assert_eq!(outcome.folder, dir.path().join("output").join("comparisons").join("base-vs-rich"));
//! assert!(outcome.csv.ends_with("comparison.csv"));
//! assert!(outcome.rows.iter().any(|r| r.quantity == "min_cash_usd_bn"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::path::{Path, PathBuf};
use std::time::Instant;

use super::folder::{FolderLock, Staging};
use super::{AppError, OutputKind, output_dir};
use crate::analysis::ComparisonRow;
use crate::export::chart::{CHARTS_DIR, comparison_charts, write_charts};
use crate::export::{
    CAPSIM_VERSION, COMPARE_PAIRING, CompareManifest, MANIFEST_FILE, Manifest, ScenarioRecord,
    recorded_seconds, sha256_hex, write_atomically, write_comparison_csv,
};
use crate::runner::RunConfig;
use crate::scenario::Scenario;

/// Percentiles of B - A reported, in percent.
pub const DIFF_PERCENTILES: [f64; 5] = [5.0, 10.0, 50.0, 90.0, 95.0];

/// Which scenarios to compare, and how.
#[derive(Debug, Clone, PartialEq)]
pub struct CompareRequest {
    /// The baseline scenario (A).
    pub a: PathBuf,
    /// The alternative scenario (B).
    pub b: PathBuf,
    /// Output folder; results go to
    /// `OUT/comparisons/<A stem>-vs-<B stem>/`.
    pub out: PathBuf,
    /// Paired trials, instead of A's own.
    pub trials: Option<u64>,
    /// Seed shared by both, instead of A's own.
    pub seed: Option<u64>,
    /// Worker threads (all cores if `None`).
    pub threads: Option<usize>,
    /// Every percentile exact at any trial count (`--exact`; see
    /// [`crate::runner::RunConfig::exact`]).
    pub exact: bool,
    /// Draw the comparison charts.
    pub charts: bool,
}

impl CompareRequest {
    /// A request comparing `b` with `a`, into `output/`, with charts.
    pub fn new(a: PathBuf, b: PathBuf) -> CompareRequest {
        CompareRequest {
            a,
            b,
            out: PathBuf::from("output"),
            trials: None,
            seed: None,
            threads: None,
            exact: false,
            charts: true,
        }
    }
}

/// A comparison whose outputs are written.
#[derive(Debug, Clone)]
pub struct CompareOutcome {
    /// Per outcome and per month: A, B and B - A (see [`DIFF_PERCENTILES`]).
    pub rows: Vec<ComparisonRow>,
    /// Paired trials run.
    pub trials: u64,
    /// Seed shared by both.
    pub seed: u64,
    /// Wall time of both simulations, seconds.
    pub wall_seconds: f64,
    /// The output folder.
    pub folder: PathBuf,
    /// comparison.csv, as written.
    pub csv: PathBuf,
    /// The charts written.
    pub charts: Vec<PathBuf>,
    /// Notes for the user about the writing (a stale lock taken over).
    pub notes: Vec<String>,
}

/// Runs both scenarios with common random numbers and writes
/// `comparison.csv`, `manifest.json` and (if asked for)
/// `charts/compare-<metric>.svg`.
pub fn compare(request: &CompareRequest) -> Result<CompareOutcome, AppError> {
    let paths = [request.a.clone(), request.b.clone()];
    let threads = super::worker_threads(request.threads);
    let scenarios = super::load_all(&paths)?;
    let (a, b) = (&scenarios[0], &scenarios[1]);
    let folder = output_dir(
        &request.out,
        &request.a,
        OutputKind::Compare { b: &request.b },
    );
    let config = RunConfig {
        trials: request.trials.unwrap_or(a.trials),
        seed: request.seed.unwrap_or(a.seed),
        threads,
        percentiles: DIFF_PERCENTILES.to_vec(),
        exact: request.exact,
    };
    let mut notes = Vec::new();
    let _lock = FolderLock::acquire(&folder, &mut notes)?;
    let started = Instant::now();
    let rows = crate::analysis::compare(a, b, &config)?;
    let wall_seconds = started.elapsed().as_secs_f64();
    let staging = Staging::new(&folder)?;
    let dir = staging.path();
    write_atomically(&dir.join("comparison.csv"), |out| {
        write_comparison_csv(&rows, &DIFF_PERCENTILES, out)
    })?;
    let charts = if request.charts {
        let stem = |p: &Path| super::scenario_stem(p).unwrap_or_else(|| "scenario".into());
        let (name_a, name_b) = (
            format!("A ({})", stem(&request.a)),
            format!("B ({})", stem(&request.b)),
        );
        comparison_charts(a, &name_a, &name_b, &rows)?
    } else {
        Vec::new()
    };
    let chart_paths = staging.final_paths(write_charts(dir, &charts)?);
    let mut files = vec!["comparison.csv".to_string()];
    files.extend(
        charts
            .iter()
            .map(|c| format!("{CHARTS_DIR}/{}", c.file_name)),
    );
    let manifest = Manifest::Compare(CompareManifest {
        a: record(&request.a, a),
        b: record(&request.b, b),
        capsim_version: CAPSIM_VERSION.to_string(),
        diff_percentiles: DIFF_PERCENTILES.to_vec(),
        files,
        pairing: COMPARE_PAIRING.to_string(),
        seed: config.seed,
        threads: config.threads,
        trials: config.trials,
        wall_time_seconds: recorded_seconds(wall_seconds),
    });
    write_atomically(&dir.join(MANIFEST_FILE), |out| manifest.write(out))?;
    staging.commit()?;
    let csv = folder.join("comparison.csv");
    Ok(CompareOutcome {
        rows,
        trials: config.trials,
        seed: config.seed,
        wall_seconds,
        folder,
        csv,
        charts: chart_paths,
        notes,
    })
}

/// The manifest's record of one scenario file (read again for its hash).
fn record(path: &Path, scenario: &Scenario) -> ScenarioRecord {
    ScenarioRecord {
        scenario_name: scenario.name.clone(),
        scenario_path: path.display().to_string(),
        scenario_sha256: crate::file::read_bounded(path, crate::file::MAX_SCENARIO_BYTES)
            .map(|bytes| sha256_hex(&bytes))
            .unwrap_or_default(),
    }
}
