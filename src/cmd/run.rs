//! `capsim run SCENARIO...`: simulate and write results.

use capsim::app::{Precision, RunOutcome, RunRequest, SavedShard, ShardRequest};

use super::progress::Bar;
use super::summary::print_summary;
use crate::Failure;
use crate::cli::RunArgs;

/// Runs every scenario (all are validated first) and prints each one's
/// summary as it finishes. `out_given`: whether `--out` was given rather
/// than defaulted.
pub fn run(args: RunArgs, out_given: bool) -> Result<(), Failure> {
    if args.shard.is_some() {
        check_shard_options(&args, out_given)?;
    }
    let quiet = args.quiet.quiet;
    let asked_export = args.export_trials;
    let request = RunRequest {
        scenarios: args.scenarios,
        out: args.run.out.clone(),
        trials: args.run.trials,
        seed: args.run.seed,
        threads: args.run.threads(),
        exact: args.run.exact,
        percentiles: args.percentiles,
        period: args.period,
        years: args.years,
        precision: args.precision.map(|relative| Precision {
            relative,
            max_trials: args.max_trials,
        }),
        export_trials: args.export_trials,
        charts: !args.no_charts,
        sensitivity: !args.no_sensitivity,
        deals: !args.no_deals,
        shard: args
            .shard
            .zip(args.state)
            .map(|(shard, state)| ShardRequest { shard, state }),
    };
    // A failure to print (stdout closed) stops the printing, not the runs:
    // every scenario's outputs are still written.
    let mut printed: Result<(), Failure> = Ok(());
    capsim::app::run(&request, &Bar::new(quiet), &mut |outcome| {
        if quiet || printed.is_err() {
            if let RunOutcome::Finished(run) = &outcome {
                note_export_cap(asked_export, run);
            }
            return;
        }
        printed = match outcome {
            RunOutcome::Finished(run) => {
                note_export_cap(asked_export, &run);
                print_summary(&run)
            }
            RunOutcome::Shard(shard) => print_shard(&shard),
        };
    })?;
    printed
}

/// A shard saves a state and writes no outputs: the options that shape the
/// outputs or the trial count are refused rather than ignored.
fn check_shard_options(args: &RunArgs, out_given: bool) -> Result<(), Failure> {
    let refuse = |option: &str, why: &str| {
        Err(Failure::Input(format!(
            "error: {option} cannot be used with --shard: {why}"
        )))
    };
    if args.precision.is_some() {
        return refuse(
            "--precision",
            "every shard runs its fixed share of --trials so that the shards merge into one run; choose --trials instead",
        );
    }
    if args.export_trials.is_some() {
        return refuse(
            "--export-trials",
            "a shard writes only its state file; trials.csv comes from an unsharded run with the same seed (`capsim run SCENARIO --seed N --trials N --export-trials N`)",
        );
    }
    if args.no_charts || args.no_sensitivity {
        let option = if args.no_charts {
            "--no-charts"
        } else {
            "--no-sensitivity"
        };
        return refuse(
            option,
            "a shard writes only its state file; charts and sensitivity are made by `capsim merge`, which takes the same option",
        );
    }
    if out_given {
        return refuse(
            "--out",
            "a shard writes only its state file (--state); give --out to `capsim merge`",
        );
    }
    Ok(())
}

/// A note (stderr, even with --quiet) when trials.csv holds fewer trials
/// than --export-trials asked for: the run had no more.
fn note_export_cap(asked: Option<u64>, run: &capsim::app::FinishedRun) {
    super::print_notes(&run.notes);
    if let (Some(asked), Some(written)) = (asked, run.exported_trials) {
        if written < asked {
            eprintln!(
                "note: --export-trials {asked} is more than the run's {written} trials; trials.csv has all {written}"
            );
        }
    }
}

fn print_shard(s: &SavedShard) -> Result<(), Failure> {
    outln!(
        "{}: shard {}: trials {} to {} of {}, {:.2} s; state saved to {}",
        s.scenario_path.display(),
        s.shard,
        s.trials.start,
        s.trials.end,
        s.total_trials,
        s.wall_seconds,
        s.state.display()
    );
    Ok(())
}
