//! `capsim merge STATE...`: combine the partial states of a sharded run into
//! the outputs a single run would have written, byte for byte.

use capsim::app::MergeRequest;

use super::summary::print_summary;
use crate::Failure;
use crate::cli::MergeArgs;

/// Merges the state files into OUT/<scenario stem>/ and prints the run's
/// summary.
pub fn run(args: MergeArgs) -> Result<(), Failure> {
    let request = MergeRequest {
        states: args.states,
        out: args.out,
        charts: !args.no_charts,
        sensitivity: !args.no_sensitivity,
        deals: !args.no_deals,
    };
    let merged = capsim::app::merge(&request)?;
    super::print_notes(&merged.notes);
    if !args.quiet.quiet {
        print_summary(&merged)?;
    }
    Ok(())
}
