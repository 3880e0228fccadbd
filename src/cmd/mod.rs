//! One file per subcommand.

pub mod bench;
pub(crate) mod colour;
pub mod compare;
pub mod init;
pub mod merge;
pub mod run;
pub mod sweep;
pub mod validate;

use std::path::PathBuf;

use capsim::error::ScenarioError;
use capsim::scenario::Scenario;

use crate::Failure;

/// Loads and validates every scenario before anything runs, so that one bad
/// file means no output at all. All errors are reported, not just the first.
pub(crate) fn load_all(paths: &[PathBuf]) -> Result<Vec<Scenario>, Failure> {
    let mut scenarios = Vec::new();
    let mut errors: Vec<ScenarioError> = Vec::new();
    for path in paths {
        match Scenario::load(path) {
            Ok(s) => scenarios.push(s),
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() {
        Ok(scenarios)
    } else {
        let text: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
        Err(Failure::Input(text.join("\n\n")))
    }
}
