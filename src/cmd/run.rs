//! `capsim run SCENARIO...`: simulate and write results.

use capsim::app::{Precision, RunOutcome, RunRequest, SavedShard, ShardRequest};

use super::progress::Bar;
use super::summary::print_summary;
use crate::Failure;
use crate::cli::RunArgs;

/// Runs every scenario (all are validated first) and prints each one's
/// summary as it finishes.
pub fn run(args: RunArgs) -> Result<(), Failure> {
    let quiet = args.quiet.quiet;
    let request = RunRequest {
        scenarios: args.scenarios,
        out: args.run.out.clone(),
        trials: args.run.trials,
        seed: args.run.seed,
        threads: args.run.threads(),
        percentiles: args.percentiles,
        period: args.period,
        precision: args.precision.map(|relative| Precision {
            relative,
            max_trials: args.max_trials,
        }),
        export_trials: args.export_trials,
        charts: !args.no_charts,
        sensitivity: !args.no_sensitivity,
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
            return;
        }
        printed = match outcome {
            RunOutcome::Finished(run) => print_summary(&run),
            RunOutcome::Shard(shard) => print_shard(&shard),
        };
    })?;
    printed
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
