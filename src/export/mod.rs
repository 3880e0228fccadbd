//! Writing results: one exporter per file, each behind [`Exporter`], and every
//! file written atomically (a temporary file in the target folder, then a
//! rename), so that a failed or interrupted run never leaves a half-written
//! file and the previous run's output stays intact until replaced.

pub(crate) mod atomic;
mod cells;
pub mod chart;
mod comparison;
mod deals;
mod manifest;

mod outside_views;
mod period;
mod report;
mod sensitivity;
mod summary;
mod sweep;
mod targets;
mod timeseries;
mod trials;
mod wide;
mod years;

use std::io::Write;
use std::path::{Path, PathBuf};

pub use crate::number::{format_number, percentile_column};
pub(crate) use atomic::write_atomically;
pub(crate) use cells::CsvOut;
pub use cells::safe_cell;
pub use comparison::write_comparison_csv;
pub use deals::DealsCsvExporter;
pub(crate) use manifest::sha256_hex;
pub use manifest::{
    CAPSIM_VERSION, COMPARE_PAIRING, CompareManifest, KeyValue, MANIFEST_FILE, Manifest,
    ManifestExporter, PercentileAccuracy, RunManifest, SWEEP_PAIRING, ScenarioRecord,
    SettingRecord, SweepManifest, SweptKey, recorded_seconds,
};
pub use outside_views::{OutsideViewsCsvExporter, VIEW_PERCENTILES, ViewRow, view_rows};
pub use period::PeriodTimeseriesCsvExporter;
pub use report::{HtmlReportExporter, escape_html};
pub use sensitivity::SensitivityCsvExporter;
pub(crate) use sensitivity::run_median;
pub use summary::SummaryCsvExporter;
pub use sweep::{SWEEP_KEY_OUTCOMES, sweep_outcomes, write_sweep_csv};
pub use targets::TargetsCsvExporter;
pub use timeseries::TimeseriesCsvExporter;
pub use trials::TrialsCsvExporter;
pub use wide::{WIDE_DIR, WideCsvExporter, wide_exporters};
pub use years::YearsCsvExporter;

use crate::error::ExportError;
use crate::runner::RunResult;
use crate::scenario::Scenario;

/// Everything an exporter may need about a finished run.
#[derive(Debug, Clone)]
pub struct RunReport<'a> {
    /// The scenario run.
    pub scenario: &'a Scenario,
    /// Its results.
    pub result: &'a RunResult,
    /// Facts recorded in `manifest.json`.
    pub manifest: RunManifest,
}

/// One output file format.
pub trait Exporter {
    /// File name within the run folder.
    fn file_name(&self) -> &'static str;

    /// Writes the file's whole content to `out`.
    fn write(&self, report: &RunReport, out: &mut dyn Write) -> std::io::Result<()>;
}

/// The exporters of a standard run, in the order their files are written.
pub(crate) fn standard_exporters() -> Vec<Box<dyn Exporter>> {
    vec![
        Box::new(TimeseriesCsvExporter),
        Box::new(SummaryCsvExporter),
        Box::new(TargetsCsvExporter),
        Box::new(YearsCsvExporter),
        Box::new(ManifestExporter),
    ]
}

/// Writes every exporter's file into `dir` (created if missing) and returns
/// the paths written. Each file is replaced atomically; other files are
/// left alone. (capsim's commands write into a fresh folder that then
/// replaces the output folder as a whole: see `app`.)
pub fn write_run(
    dir: &Path,
    report: &RunReport,
    exporters: &[Box<dyn Exporter>],
) -> Result<Vec<PathBuf>, ExportError> {
    std::fs::create_dir_all(dir).map_err(|source| ExportError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut written = Vec::new();
    for exporter in exporters {
        let path = dir.join(exporter.file_name());
        // Some files live in a subfolder (`wide/`).
        if let Some(parent) = path.parent().filter(|p| !p.exists()) {
            std::fs::create_dir_all(parent).map_err(|source| ExportError::Io {
                path: parent.to_path_buf(),
                source,
            })?;
        }
        write_atomically(&path, |out| exporter.write(report, out))?;
        written.push(path);
    }
    Ok(written)
}

/// A statistics table's header: the `fixed` columns, then
/// `mean,std_dev,std_error` and a column per percentile (in percent).
pub(crate) fn statistics_header(fixed: &[&str], percentiles: &[f64]) -> Vec<String> {
    let stats = ["mean", "std_dev", "std_error"];
    let mut header: Vec<String> = fixed.iter().chain(&stats).map(|s| s.to_string()).collect();
    header.extend(percentiles.iter().map(|p| percentile_column(*p)));
    header.push(PERCENTILE_BOUND_COLUMN.to_string());
    header
}

/// The column of the statistics tables that bounds how far the row's
/// percentiles are from the exact ones (PERCENTILE.INC over all trials), in
/// the row's unit, rounded up to the 6th decimal: 0 when they are exact.
pub const PERCENTILE_BOUND_COLUMN: &str = "percentile_error_bound";

/// The cells of `s` under [`statistics_header`]'s statistics columns.
pub(crate) fn statistics_cells(s: &crate::stats::Summary) -> impl Iterator<Item = String> + '_ {
    // Rounded up, so that the bound written still bounds.
    let bound = s.bounds.iter().copied().fold(0.0, f64::max);
    let bound = (bound * 1e6).ceil() / 1e6;
    [s.mean, s.std_dev, s.std_error]
        .into_iter()
        .chain(s.percentiles.iter().copied())
        .chain([Some(bound)])
        .map(format_number)
}

/// Converts a CSV error from a writer over `dyn Write` into an I/O error.
pub(crate) fn csv_to_io(e: csv::Error) -> std::io::Error {
    match e.into_kind() {
        csv::ErrorKind::Io(io) => io,
        other => std::io::Error::other(format!("{other:?}")),
    }
}
