//! The command line, declared with clap. The core never sees these types:
//! each subcommand in `cmd/` turns them into library calls.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

const EXAMPLES: &str = "\
Examples:
  capsim run scenarios/openai-2025.toml
      Run the default scenario; results go to output/openai-2025/.
  capsim run scenarios/*.toml --trials 100000 --seed 7
      Run every scenario with 100,000 trials each and seed 7.
  capsim run my.toml --out results --threads 2 --quiet
      Write to results/my/ using two threads, printing nothing.
  capsim validate scenarios/*.toml
      Check scenario files without running them.
  capsim init my.toml
      Write a commented starter scenario to my.toml.

Exit codes: 0 success, 2 invalid input (scenario or arguments), 1 other errors.";

/// Monte Carlo simulation of AI compute capacity coming online against the
/// commitments that pay for it. Reads TOML scenarios; writes CSV summaries.
#[derive(Debug, Parser)]
#[command(name = "capsim", version, after_help = EXAMPLES, propagate_version = true)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Simulate scenarios and write timeseries.csv, summary.csv and manifest.json.
    #[command(after_help = EXAMPLES)]
    Run(RunArgs),
    /// Check scenario files and report their mistakes with line and column.
    ///
    /// Reading stops at the first TOML syntax error, wrong type, unknown or
    /// missing key, or malformed month or distribution: only the first of
    /// these is reported. A file that reads is then checked in full: every
    /// remaining mistake is reported, in file order. Warnings follow for
    /// valid files.
    Validate(ValidateArgs),
    /// Write a commented starter scenario to edit.
    Init(InitArgs),
    /// Compare two scenarios trial by trial (common random numbers) and write comparison.csv.
    #[command(after_help = COMPARE_EXAMPLES)]
    Compare(CompareArgs),
    /// Run a scenario over a grid of settings (common random numbers) and write sweep.csv.
    #[command(after_help = SWEEP_EXAMPLES)]
    Sweep(SweepArgs),
    /// Measure trials per second and peak memory of whole runs (for BENCHMARKS.md).
    Bench(BenchArgs),
    /// Combine the state files of a sharded run into the outputs of one run.
    #[command(after_help = MERGE_EXAMPLES)]
    Merge(MergeArgs),
    /// Print each deal's payments (inside, after, never) and what removing it changes.
    #[command(after_help = DEALS_EXAMPLES)]
    Deals(DealsArgs),
}

const DEALS_EXAMPLES: &str = "\
Examples:
  capsim deals scenarios/openai-2025.toml
      One line per contract and funding event: value, p50 paid inside the
      horizon, after it and never, and the change in peak funding need without
      the deal (+- its standard error), then the reconciliation of the values.
  capsim deals s.toml --trials 500 --seed 7 --threads 2

Writes nothing; `capsim run` writes the full table to deals.csv.";

/// Arguments of `capsim deals`.
#[derive(Debug, Args)]
pub struct DealsArgs {
    /// The scenario.
    #[arg(value_name = "SCENARIO")]
    pub scenario: PathBuf,

    /// Trials, the first ones [default: 2,000, or the scenario's trials if fewer].
    #[arg(long, value_name = "N", allow_negative_numbers = true, value_parser = whole_number(1, 10_000_000))]
    pub trials: Option<u64>,

    /// Seed of the random streams (overrides the scenario's `simulation.seed`).
    #[arg(long, value_name = "N", allow_negative_numbers = true, value_parser = parse_seed)]
    pub seed: Option<u64>,

    /// Worker threads [default: all cores; at most 4 per core]. Results do
    /// not depend on it.
    #[arg(long, value_name = "N", allow_negative_numbers = true, value_parser = whole_number(1, 1024))]
    pub threads: Option<u64>,
}

const MERGE_EXAMPLES: &str = "\
Examples:
  capsim run s.toml --trials 10000000 --shard 1/4 --state s-1.state
  ...
  capsim run s.toml --trials 10000000 --shard 4/4 --state s-4.state
  capsim merge s-*.state --out output
      Writes output/s/ exactly as `capsim run s.toml --trials 10000000` would.";

const COMPARE_EXAMPLES: &str = "\
Examples:
  capsim compare scenarios/openai-2025.toml scenarios/openai-2025-heavy-delays.toml
      Writes output/comparisons/openai-2025-vs-openai-2025-heavy-delays/comparison.csv:
      per outcome and per month, A, B, the distribution of B - A and P(B better than A).";

/// Arguments of `capsim compare`.
#[derive(Debug, Args)]
#[command(
    mut_arg("trials", |a| a.help("Number of paired trials [default: A's `simulation.trials`]")),
    mut_arg("seed", |a| a.help("Seed shared by both scenarios [default: A's `simulation.seed`]")),
    mut_arg("out", |a| a.help("Output folder; results go to OUT/comparisons/<A stem>-vs-<B stem>/")),
    mut_arg("threads", |a| a.help("Worker threads [default: all cores; at most 4 per core]")),
)]
pub struct CompareArgs {
    /// The baseline scenario (A).
    #[arg(value_name = "A")]
    pub a: PathBuf,

    /// The alternative scenario (B).
    #[arg(value_name = "B")]
    pub b: PathBuf,

    /// Trials, seed, output folder and threads.
    #[command(flatten)]
    pub run: RunOptions,

    /// Do not draw the charts (OUT/comparisons/<A>-vs-<B>/charts/*.svg).
    #[arg(long)]
    pub no_charts: bool,

    /// Print nothing but errors.
    #[command(flatten)]
    pub quiet: Quiet,
}

const SWEEP_EXAMPLES: &str = "\
Examples:
  capsim sweep scenarios/openai-2025.toml --set revenue.annual_growth=0.3,0.6,0.9
      Writes output/sweeps/openai-2025/sweep.csv: one row per value, with the key
      outcomes' mean, p10, p50, p90 and the event probabilities.
  capsim sweep s.toml --set tranche.abilene-p2.delay_months=0,6,12 --set cash.start_usd_bn=20,40
      A 3 x 2 grid. Items of [[tranche]], [[contract]], [[funding]], [[target]] and
      [[shock]] are addressed by name.
  capsim sweep s.toml --set 'tranche.site-a.delay_months={ dist = \"pert\", min = 0, mode = 3, max = 12 },6'
      Values are TOML: numbers, \"strings\", booleans, arrays, distributions.

Every setting runs with the same seed and trials, so settings differ only by
what was set. Exit codes: 0 success, 2 invalid input, 1 other errors.";

/// Arguments of `capsim sweep`.
#[derive(Debug, Args)]
#[command(
    mut_arg("trials", |a| a.help("Number of trials per setting [default: the scenario's `simulation.trials`]")),
    mut_arg("seed", |a| a.help("Seed shared by every setting [default: the scenario's `simulation.seed`]")),
    mut_arg("out", |a| a.help("Output folder; results go to OUT/sweeps/<scenario stem>/")),
)]
pub struct SweepArgs {
    /// The scenario to sweep.
    #[arg(value_name = "SCENARIO")]
    pub scenario: PathBuf,

    /// KEY=V1,V2,...: a dotted path into the scenario and the TOML values to
    /// set it to. Give once or twice (a grid).
    #[arg(long = "set", value_name = "KEY=V1,V2,...", required = true)]
    pub set: Vec<String>,

    /// Trials, seed, output folder and threads.
    #[command(flatten)]
    pub run: RunOptions,

    /// Print nothing but errors.
    #[command(flatten)]
    pub quiet: Quiet,
}

/// Arguments of `capsim bench`.
#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Scenario to run.
    #[arg(value_name = "SCENARIO", default_value = "scenarios/openai-2025.toml")]
    pub scenario: PathBuf,

    /// Trial counts, comma-separated.
    #[arg(long, value_name = "LIST", value_delimiter = ',', default_values_t = [10_000u64, 100_000, 1_000_000], allow_negative_numbers = true, value_parser = whole_number(1, crate::MAX_TRIALS_ARG))]
    pub trials: Vec<u64>,

    /// Thread counts, comma-separated.
    #[arg(long, value_name = "LIST", value_delimiter = ',', default_values_t = [1u64, 2], allow_negative_numbers = true, value_parser = whole_number(1, 1024))]
    pub threads: Vec<u64>,

    /// Also draw charts and the report (off by default: they cost the same at any trial count).
    #[arg(long)]
    pub charts: bool,

    /// Measure each trial and thread count N times, alternating thread counts, and report the best
    /// and the median wall time: on a shared machine one measurement can be 30% off.
    #[arg(long, value_name = "N", default_value_t = 1, allow_negative_numbers = true, value_parser = whole_number(1, 100))]
    pub repeat: u64,
}

/// Arguments of `capsim merge`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// State files written by `capsim run --shard K/N --state FILE`, one per shard.
    #[arg(required = true, value_name = "STATE")]
    pub states: Vec<PathBuf>,

    /// Output folder; results go to OUT/<scenario file stem>/.
    #[arg(long, value_name = "DIR", default_value = "output")]
    pub out: PathBuf,

    /// Print nothing but errors.
    #[command(flatten)]
    pub quiet: Quiet,

    /// Draw no charts.
    #[arg(long)]
    pub no_charts: bool,

    /// Skip sensitivity.csv.
    #[arg(long)]
    pub no_sensitivity: bool,

    /// Skip deals.csv.
    #[arg(long)]
    pub no_deals: bool,
}

/// Arguments of `capsim run`.
#[derive(Debug, Args)]
#[command(mut_arg("quiet", |a| a.help("Print nothing but errors, warnings and notes: no progress bar, no summary")))]
pub struct RunArgs {
    /// Scenario files (TOML).
    #[arg(required = true, value_name = "SCENARIO")]
    pub scenarios: Vec<PathBuf>,

    /// Trials, seed, output folder and threads.
    #[command(flatten)]
    pub run: RunOptions,

    /// Percentiles to report, comma-separated, in percent (overrides the scenario).
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    pub percentiles: Option<Vec<f64>>,

    /// Print nothing but errors, warnings and notes: no progress bar, no summary.
    #[command(flatten)]
    pub quiet: Quiet,

    /// Draw no charts (charts/*.svg); report.html then has the tables only.
    #[arg(long)]
    pub no_charts: bool,

    /// Also report every metric by calendar quarter or year
    /// (timeseries_by_quarter.csv, timeseries_by_year.csv): flows summed within
    /// each trial, stocks at period end.
    #[arg(long, value_name = "PERIOD", default_value = "month")]
    pub period: capsim::period::Period,

    /// Years of the year-by-year table (years.csv, report.html, the
    /// summary): calendar years (the first and last may be partial) or
    /// horizon years, 12-month blocks from the horizon start.
    #[arg(long, value_name = "YEARS", default_value = "calendar")]
    pub years: capsim::years::YearBasis,

    /// Keep doubling the trials (from --trials) until the p10, p50 and p90 of
    /// the key outcomes change by at most this fraction (e.g. 0.005), or
    /// --max-trials is reached; the manifest records what was reached.
    #[arg(long, value_name = "REL", value_parser = parse_precision)]
    pub precision: Option<f64>,

    /// Cap on trials for --precision.
    #[arg(long, value_name = "N", default_value_t = 10_000_000, allow_negative_numbers = true, value_parser = whole_number(1, crate::MAX_TRIALS_ARG))]
    pub max_trials: u64,

    /// Also write trials.csv: every sampled input and every outcome of the
    /// first N trials (an audit trail to rebuild any figure).
    #[arg(long, value_name = "N", allow_negative_numbers = true, value_parser = whole_number(1, 1_000_000))]
    pub export_trials: Option<u64>,

    /// Skip sensitivity.csv (what drives each outcome), which re-simulates
    /// up to 5,000 trials plus 1,000 per swung input.
    #[arg(long)]
    pub no_sensitivity: bool,

    /// Skip deals.csv (each deal's payments and what removing it changes),
    /// which re-simulates the first 1,000 trials once per deal.
    #[arg(long)]
    pub no_deals: bool,

    /// Run only the K-th of N equal parts of the trials and save a partial
    /// state to --state instead of writing outputs (for clusters; see `capsim merge`).
    #[arg(long, value_name = "K/N", requires = "state")]
    pub shard: Option<capsim::shard::Shard>,

    /// Where a sharded run saves its partial state.
    #[arg(long, value_name = "FILE", requires = "shard")]
    pub state: Option<PathBuf>,
}

/// The options of every command that simulates (run, compare, sweep):
/// trials, seed, output folder and threads. Commands whose options mean
/// something more specific say so by replacing the help with `mut_arg`.
#[derive(Debug, Args)]
pub struct RunOptions {
    /// Number of trials (overrides the scenario's `simulation.trials`).
    #[arg(long, value_name = "N", allow_negative_numbers = true, value_parser = whole_number(1, crate::MAX_TRIALS_ARG))]
    pub trials: Option<u64>,

    /// Seed of the random streams (overrides the scenario's `simulation.seed`).
    #[arg(long, value_name = "N", allow_negative_numbers = true, value_parser = parse_seed)]
    pub seed: Option<u64>,

    /// Output folder; each scenario writes to OUT/<scenario file stem>/.
    #[arg(long, value_name = "DIR", default_value = "output")]
    pub out: PathBuf,

    /// Worker threads [default: all cores; at most 4 per core]. Results do
    /// not depend on it.
    #[arg(long, value_name = "N", allow_negative_numbers = true, value_parser = whole_number(1, 1024))]
    pub threads: Option<u64>,

    /// Make every percentile exact (Excel's PERCENTILE.INC over all trials)
    /// at any trial count. Without it, runs too large to keep every value
    /// sketch them, then simulate the trials again until the key outcomes
    /// are exact and every other percentile is within a tenth of its
    /// standard error; --exact takes those passes on to exact values.
    #[arg(long)]
    pub exact: bool,
}

impl RunOptions {
    /// The worker threads asked for, if any.
    pub fn threads(&self) -> Option<usize> {
        self.threads.map(|t| t as usize)
    }
}

/// `--quiet`, shared by the commands that print progress or results.
#[derive(Debug, Args)]
pub struct Quiet {
    /// Print nothing but errors.
    #[arg(long, short)]
    pub quiet: bool,
}

/// A parser of whole numbers from `min` to `max` whose message says so
/// (clap's own says "invalid digit found in string" for `-5`).
fn whole_number(
    min: u64,
    max: u64,
) -> impl Fn(&str) -> Result<u64, String> + Clone + Send + Sync + 'static {
    move |s| match s.parse::<u64>() {
        Ok(n) if (min..=max).contains(&n) => Ok(n),
        _ => Err(format!("expected a whole number from {min} to {max}")),
    }
}

/// A seed: any whole number from 0 to 2^64 - 1.
fn parse_seed(s: &str) -> Result<u64, String> {
    s.parse::<u64>()
        .map_err(|_| format!("a seed is a whole number from 0 to {}", u64::MAX))
}

fn parse_precision(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(x) if x > 0.0 && x < 1.0 => Ok(x),
        _ => Err(format!(
            "expected a fraction between 0 and 1 such as 0.005, got {s:?}"
        )),
    }
}

/// Arguments of `capsim init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// Where to write the scenario.
    #[arg(value_name = "PATH", default_value = "scenario.toml")]
    pub path: PathBuf,

    /// Replace the file if it exists.
    #[arg(long)]
    pub force: bool,
}

/// Arguments of `capsim validate`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Scenario files (TOML).
    #[arg(required = true, value_name = "SCENARIO")]
    pub scenarios: Vec<PathBuf>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn command_is_well_formed() {
        Cli::command().debug_assert();
    }
}
