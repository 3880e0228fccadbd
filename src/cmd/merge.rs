//! `capsim merge STATE...`: combine the partial states of a sharded run into
//! the outputs a single run would have written, byte for byte.

use std::path::Path;
use std::time::Instant;

use capsim::runner::finish;
use capsim::scenario::Scenario;
use capsim::shard::{StateFile, merge};

use super::run::{Outputs, write_outputs};
use crate::Failure;
use crate::cli::MergeArgs;

/// Reads every state file, checks they are the N shards of one run, and
/// writes OUT/<scenario stem>/.
pub fn run(args: MergeArgs) -> Result<(), Failure> {
    let started = Instant::now();
    let mut files = Vec::new();
    for path in &args.states {
        let file = StateFile::read(path).map_err(|e| Failure::Input(format!("error: {e}")))?;
        files.push((path.clone(), file));
    }
    let merged = merge(files).map_err(|e| Failure::Input(format!("error: {e}")))?;
    let scenario_path = Path::new(&merged.scenario_path);
    let scenario = Scenario::parse(&merged.scenario_text, scenario_path)
        .map_err(|e| Failure::Input(e.to_string()))?;
    let stem = scenario_path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "merged".into());
    let folder = args.out.join(stem);
    let result = finish(&scenario, merged.state, &merged.percentiles);
    write_outputs(Outputs {
        scenario_path,
        scenario: &scenario,
        sha256: merged.scenario_sha256.clone(),
        result: &result,
        folder: &folder,
        threads: 1,
        wall: started.elapsed().as_secs_f64(),
        quiet: args.quiet,
        no_charts: args.no_charts,
        extra: super::run::analyses(
            &scenario,
            result.seed,
            result.trials,
            std::thread::available_parallelism().map_or(1, |n| n.get()),
            !args.no_sensitivity,
            None,
            Vec::new(),
        )?,
        precision: None,
    })
}
