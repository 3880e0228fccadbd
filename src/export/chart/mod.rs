//! Charts of a run, as SVG files in `<run folder>/charts/`, drawn with
//! plotters' SVG backend.
//!
//! The SVG backend writes text as `<text>` elements that the viewer lays out,
//! so no font files are read and the output is the same on every machine:
//! charts are a deterministic function of the scenario and the run's
//! summaries, like the CSV files.
//!
//! Each chart kind lives in its own file and implements [`Chart`], drawn on
//! the shared scaffold (`scaffold.rs`: document, frame, axes, legend,
//! horizontal-bar rows) in the shared style (`style.rs`: sizes, palette);
//! [`standard_charts_with`] chooses the charts of a run. Adding a kind is one
//! new file implementing [`Chart`] and one line in [`standard_charts_with`].
//! When the run's sensitivity analysis is at hand, [`TornadoChart`]s of the
//! funding need and the total compute payments are drawn from its rows.
//!
//! Charts only use what [`RunResult`] reports: percentiles per month and per
//! outcome, and for each target the exact share of trials that have met it by
//! each month ([`RunResult::by_month_probability`]), drawn by
//! [`ExceedanceChart`]. The peak funding gap is drawn as a histogram from the
//! run's distribution of it ([`HistogramChart`], every value or a sketch) and
//! from its reported percentiles ([`PercentileChart`]); each says which in its
//! title.

mod compare;
mod counterparty;
mod deals;
mod distribution;
mod exceedance;
mod fan;
mod histogram;
mod scaffold;
mod story;
mod style;
mod tornado;

use std::path::{Path, PathBuf};

pub use compare::{COMPARISON_CHART_METRICS, comparison_chart, comparison_charts};
pub use counterparty::CounterpartyChart;
pub use deals::{DealBar, DealsChart};
pub use distribution::PercentileChart;
pub use exceedance::ExceedanceChart;
pub use fan::{FanChart, Reference};
pub use histogram::{Bin, HistogramChart};
pub use story::StoryChart;
pub use tornado::{TornadoBar, TornadoChart};

use crate::analysis::{DealsAnalysis, SensitivityRow};
use crate::error::ExportError;
use crate::metric::Metric;
use crate::runner::RunResult;
use crate::scenario::Scenario;

/// Folder of the charts, inside the run folder.
pub(crate) const CHARTS_DIR: &str = "charts";

/// One chart kind.
pub trait Chart {
    /// File name inside `charts/`, ending in `.svg`.
    fn file_name(&self) -> String;

    /// Title, drawn on the chart and used as the report's heading.
    fn title(&self, scenario: &Scenario) -> String;

    /// One or two sentences saying how to read the chart (for the report).
    fn caption(&self, scenario: &Scenario, result: &RunResult) -> String;

    /// The chart as a complete SVG document.
    fn render(&self, scenario: &Scenario, result: &RunResult) -> Result<String, ChartError>;
}

/// A chart drawn and ready to write or inline.
#[derive(Debug, Clone, PartialEq)]
pub struct RenderedChart {
    /// File name inside `charts/`.
    pub file_name: String,
    /// Title.
    pub title: String,
    /// How to read it.
    pub caption: String,
    /// The SVG document.
    pub svg: String,
}

/// A chart that could not be drawn.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("cannot draw chart {file}: {message}")]
pub struct ChartError {
    /// The chart's file name.
    pub file: String,
    /// What went wrong.
    pub message: String,
}

impl ChartError {
    pub(crate) fn new(file: &str, message: impl std::fmt::Display) -> ChartError {
        ChartError {
            file: file.to_string(),
            message: message.to_string(),
        }
    }
}

/// Key metrics that always get a fan chart (if the run reports them), with
/// the reference line drawn on each.
fn key_metrics(scenario: &Scenario) -> Vec<(Metric, Vec<Reference>)> {
    let floor = scenario.cash_floor_usd_bn;
    vec![
        (
            Metric::CapacityOnlineGw,
            vec![Reference::MedianOf(
                Metric::CapacityPlannedGw,
                "plan (median of capacity_planned_gw)",
            )],
        ),
        (Metric::ComputeOnlineEflops, vec![]),
        (Metric::CumulativeComputePaymentsUsdBn, vec![]),
        (
            Metric::RevenueRunRateUsdBn,
            vec![Reference::MedianOf(
                Metric::DemandRunRateUsdBn,
                "demand (median)",
            )],
        ),
        (
            Metric::CashBalanceUsdBn,
            vec![Reference::Level(floor, "cash floor".into())],
        ),
        (Metric::FundingGapUsdBn, vec![]),
        (Metric::FundingNeedUsdBn, vec![]),
    ]
}

/// Outcomes that get a tornado chart when sensitivity rows are given (and
/// whose strongest inputs a run's sensitivity analysis swings). The funding
/// need rather than the peak funding gap: with financing the gap's median is
/// often 0, which no single input moves.
pub const TORNADO_OUTCOMES: [&str; 2] = ["funding_need_usd_bn", "total_compute_payments_usd_bn"];

/// The charts of a standard run: the [`StoryChart`], a fan chart per key metric (and per metric
/// a target watches), the exceedance curve of each target, the histogram and
/// the percentiles of the peak funding gap, then a [`TornadoChart`] per
/// outcome of [`TORNADO_OUTCOMES`] that has ranked inputs in `sensitivity`
/// (none if no input moves its median).
pub fn standard_charts_with(
    scenario: &Scenario,
    result: &RunResult,
    sensitivity: Option<&[SensitivityRow]>,
) -> Vec<Box<dyn Chart>> {
    let mut charts: Vec<Box<dyn Chart>> = Vec::new();
    // The story first: the year by year overview the fans then detail.
    if !result.years.summaries.is_empty() {
        charts.push(Box::new(StoryChart));
    }
    let mut metrics = key_metrics(scenario);
    for t in &scenario.targets {
        if !metrics.iter().any(|(m, _)| *m == t.metric) {
            metrics.push((t.metric, vec![]));
        }
    }
    for (metric, mut references) in metrics {
        if !result.layout.metrics.contains(&metric) {
            continue;
        }
        // A target on yearly values is no level of the monthly series.
        let monthly = |t: &&crate::scenario::Target| t.period == crate::period::Period::Month;
        for t in scenario
            .targets
            .iter()
            .filter(|t| t.metric == metric)
            .filter(monthly)
        {
            references.push(Reference::Target(t.name.clone()));
        }
        charts.push(Box::new(FanChart { metric, references }));
    }
    for (k, t) in scenario.targets.iter().enumerate() {
        let month_outcome = result.layout.first_target_outcome + 2 * k + 1;
        if let Some(by_month) = result.by_month_probability(month_outcome) {
            charts.push(Box::new(ExceedanceChart {
                target: t.name.clone(),
                by_month,
            }));
        }
    }
    charts.push(Box::new(HistogramChart {
        outcome: "peak_funding_gap_usd_bn".into(),
    }));
    charts.push(Box::new(PercentileChart {
        outcome: "peak_funding_gap_usd_bn".into(),
    }));
    for outcome in TORNADO_OUTCOMES {
        let Some(spec) = result.layout.outcomes.iter().find(|o| o.name == outcome) else {
            continue;
        };
        let p50 = crate::export::run_median(result, outcome);
        let swing_trials = result.trials.min(crate::analysis::SWING_TRIALS);
        if let Some(chart) = sensitivity
            .and_then(|rows| TornadoChart::from_rows(outcome, &spec.label, rows, p50, swing_trials))
        {
            charts.push(Box::new(chart));
        }
    }
    charts
}

/// The charts of a deals analysis: each deal's effect on the peak funding
/// need, and payments by counterparty per year.
pub fn deal_charts(analysis: &DealsAnalysis) -> Vec<Box<dyn Chart>> {
    vec![
        Box::new(DealsChart::new(analysis)),
        Box::new(CounterpartyChart {
            years: analysis.counterparty.clone(),
            trials: analysis.trials,
        }),
    ]
}

/// Draws every chart of [`standard_charts_with`].
pub(crate) fn render_charts_with(
    scenario: &Scenario,
    result: &RunResult,
    sensitivity: Option<&[SensitivityRow]>,
) -> Result<Vec<RenderedChart>, ChartError> {
    render(
        &standard_charts_with(scenario, result, sensitivity),
        scenario,
        result,
    )
}

/// Draws `charts`.
pub fn render(
    charts: &[Box<dyn Chart>],
    scenario: &Scenario,
    result: &RunResult,
) -> Result<Vec<RenderedChart>, ChartError> {
    charts
        .iter()
        .map(|c| {
            Ok(RenderedChart {
                file_name: c.file_name(),
                title: c.title(scenario),
                caption: c.caption(scenario, result),
                svg: c.render(scenario, result)?,
            })
        })
        .collect()
}

/// Writes each chart to `<run_dir>/charts/<file>` atomically and returns the
/// paths written. Writes nothing (not even the folder) when `charts` is empty.
pub(crate) fn write_charts(
    run_dir: &Path,
    charts: &[RenderedChart],
) -> Result<Vec<PathBuf>, ExportError> {
    if charts.is_empty() {
        return Ok(Vec::new());
    }
    let dir = run_dir.join(CHARTS_DIR);
    std::fs::create_dir_all(&dir).map_err(|source| ExportError::Io {
        path: dir.clone(),
        source,
    })?;
    let mut written = Vec::new();
    for chart in charts {
        let path = dir.join(&chart.file_name);
        super::write_atomically(&path, |out| out.write_all(chart.svg.as_bytes()))?;
        written.push(path);
    }
    Ok(written)
}
