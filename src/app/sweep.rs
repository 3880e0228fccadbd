//! Sweeping a scenario over a grid of settings (common random numbers).
//!
//! ```
//! use capsim::app::{Silent, SweepRequest};
//!
//! let dir = tempfile::tempdir()?;
//! let scenario = dir.path().join("tiny.toml");
//! std::fs::write(&scenario, capsim::app::EXAMPLE_SCENARIO)?;
//!
//! let mut request = SweepRequest::new(scenario, vec!["cash.start_usd_bn=5,10,20".into()]);
//! request.out = dir.path().join("output");
//! request.trials = Some(500);
//! let outcome = capsim::app::sweep(&request, &Silent)?;
//! assert_eq!(outcome.settings.len(), 3);
//! assert_eq!(outcome.settings[2].values[0], ("cash.start_usd_bn".into(), "20".into()));
//! assert_eq!(outcome.folder, dir.path().join("output").join("sweeps").join("tiny"));
//! assert!(outcome.csv.ends_with("sweep.csv"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::path::{Path, PathBuf};
use std::time::Instant;

use super::folder::{FolderLock, Staging};
use super::{AppError, OutputKind, Progress, output_dir};
use crate::analysis::{
    MAX_SWEEP_KEYS, SWEEP_PERCENTILES, SweepError, SweepKey, SweepSetting, sweep_settings,
};
use crate::error::ScenarioError;
use crate::export::{
    CAPSIM_VERSION, KeyValue, MANIFEST_FILE, Manifest, SWEEP_PAIRING, SettingRecord, SweepManifest,
    SweptKey, recorded_seconds, sha256_hex, write_atomically, write_sweep_csv,
};
use crate::runner::{RunConfig, RunResult, run_outcomes};

/// What to sweep, and how.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepRequest {
    /// The scenario file.
    pub scenario: PathBuf,
    /// One or two (a grid) specs `KEY=V1,V2,...`: a dotted path into the
    /// scenario and the TOML values to set it to.
    pub set: Vec<String>,
    /// Output folder; results go to `OUT/sweeps/<stem>/`.
    pub out: PathBuf,
    /// Trials per setting, instead of the scenario's own.
    pub trials: Option<u64>,
    /// Seed shared by every setting, instead of the scenario's own.
    pub seed: Option<u64>,
    /// Worker threads (all cores if `None`). Results do not depend on it.
    pub threads: Option<usize>,
    /// Every percentile exact at any trial count (`--exact`; see
    /// [`crate::runner::RunConfig::exact`]).
    pub exact: bool,
}

impl SweepRequest {
    /// A request to sweep `scenario` over `set`, into `output/`.
    pub fn new(scenario: PathBuf, set: Vec<String>) -> SweepRequest {
        SweepRequest {
            scenario,
            set,
            out: PathBuf::from("output"),
            trials: None,
            seed: None,
            threads: None,
            exact: false,
        }
    }
}

/// A sweep whose outputs are written.
#[derive(Debug, Clone)]
pub struct SweepOutcome {
    /// The swept keys, in the order given.
    pub keys: Vec<SweepKey>,
    /// Every setting (point of the grid), first key slowest.
    pub settings: Vec<SweepSetting>,
    /// How each setting ran.
    pub configs: Vec<RunConfig>,
    /// Each setting's outcome summaries (see [`run_outcomes`]), with
    /// [`SWEEP_PERCENTILES`].
    pub results: Vec<RunResult>,
    /// Wall time of every setting's run, seconds.
    pub wall_seconds: f64,
    /// The output folder.
    pub folder: PathBuf,
    /// sweep.csv, as written.
    pub csv: PathBuf,
    /// Notes for the user about the writing (a stale lock taken over).
    pub notes: Vec<String>,
}

/// Validates every setting, runs each, and writes `sweep.csv` and
/// `manifest.json`. Nothing runs unless the scenario, every spec and every
/// setting are valid.
pub fn sweep(request: &SweepRequest, progress: &dyn Progress) -> Result<SweepOutcome, AppError> {
    if request.set.len() > MAX_SWEEP_KEYS {
        return Err(SweepError::TooManyKeys(request.set.len()).into());
    }
    let threads = super::worker_threads(request.threads);
    let path = &request.scenario;
    // The file itself first, so its mistakes point at its own lines.
    super::load_all(std::slice::from_ref(path))?;
    let text = crate::file::read_text_bounded(path, crate::file::MAX_SCENARIO_BYTES).map_err(
        |source| {
            AppError::Scenarios(vec![ScenarioError::Read {
                path: path.clone(),
                source,
            }])
        },
    )?;
    let keys = SweepKey::parse_all(&request.set)?;
    let settings = sweep_settings(&text, path, &keys)?;
    let configs: Vec<RunConfig> = settings
        .iter()
        .map(|s| RunConfig {
            trials: request.trials.unwrap_or(s.scenario.trials),
            seed: request.seed.unwrap_or(s.scenario.seed),
            threads,
            percentiles: SWEEP_PERCENTILES.to_vec(),
            exact: request.exact,
        })
        .collect();
    let folder = output_dir(&request.out, path, OutputKind::Sweep);
    let mut notes = Vec::new();
    let _lock = FolderLock::acquire(&folder, &mut notes)?;
    let started = Instant::now();
    progress.start(configs.iter().map(|c| c.trials).sum());
    let advance = |n: u64| progress.advance(n);
    let mut results = Vec::with_capacity(settings.len());
    for (s, config) in settings.iter().zip(&configs) {
        let result = run_outcomes(&s.scenario, config, &advance)?;
        super::outputs::check_finite(&s.scenario, &result)?;
        results.push(result);
    }
    progress.finish();
    let wall_seconds = started.elapsed().as_secs_f64();

    let staging = Staging::new(&folder)?;
    let dir = staging.path();
    write_atomically(&dir.join("sweep.csv"), |out| {
        write_sweep_csv(&settings, &results, out)
    })?;
    let manifest = manifest(
        path,
        &text,
        &keys,
        &settings,
        &configs,
        threads,
        wall_seconds,
    );
    write_atomically(&dir.join(MANIFEST_FILE), |out| manifest.write(out))?;
    staging.commit()?;
    let csv = folder.join("sweep.csv");
    Ok(SweepOutcome {
        keys,
        settings,
        configs,
        results,
        wall_seconds,
        folder,
        csv,
        notes,
    })
}

fn manifest(
    path: &Path,
    text: &str,
    keys: &[SweepKey],
    settings: &[SweepSetting],
    configs: &[RunConfig],
    threads: usize,
    wall_seconds: f64,
) -> Manifest {
    // A value every setting shares, if they do.
    let uniform = |f: fn(&RunConfig) -> u64| {
        let first = configs.first().map(f);
        configs
            .iter()
            .all(|c| Some(f(c)) == first)
            .then_some(first)
            .flatten()
    };
    let settings_run = settings.iter().zip(configs).enumerate();
    Manifest::Sweep(SweepManifest {
        capsim_version: CAPSIM_VERSION.to_string(),
        files: vec!["sweep.csv".to_string()],
        keys: keys
            .iter()
            .map(|k| SweptKey {
                key: k.key.clone(),
                values: k.values.iter().map(|v| v.label.clone()).collect(),
            })
            .collect(),
        pairing: SWEEP_PAIRING.to_string(),
        percentiles: SWEEP_PERCENTILES.to_vec(),
        scenario_name: settings.first().map(|s| s.scenario.name.clone()),
        scenario_path: path.display().to_string(),
        scenario_sha256: sha256_hex(text.as_bytes()),
        seed: uniform(|c| c.seed),
        settings: settings_run
            .map(|(i, (s, c))| SettingRecord {
                seed: c.seed,
                setting: i + 1,
                trials: c.trials,
                values: s
                    .values
                    .iter()
                    .map(|(key, value)| KeyValue {
                        key: key.clone(),
                        value: value.clone(),
                    })
                    .collect(),
            })
            .collect(),
        threads,
        trials: uniform(|c| c.trials),
        wall_time_seconds: recorded_seconds(wall_seconds),
    })
}
