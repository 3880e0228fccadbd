//! How the library's errors read on the command line: each line of invalid
//! input starts with `error:`, sweep settings are named by their `--set`,
//! and failures to run or write get `error:` from `main`.

use capsim::analysis::{SettingError, SettingProblem, SweepError};
use capsim::app::AppError;
use capsim::error::ScenarioError;
use capsim::scenario::edit::one_line;

use crate::Failure;

/// The exit code follows [`AppError::is_input`]: 2 for invalid input, 1
/// for the rest. The match names every variant, so a new one must be given
/// its wording here. Input messages carry their own `error:` heads (one per
/// diagnostic); `main` adds it to the rest.
impl From<AppError> for Failure {
    fn from(e: AppError) -> Failure {
        let input = e.is_input();
        let kind = if input {
            Failure::Input
        } else {
            Failure::Other
        };
        match e {
            AppError::Percentiles(why) => kind(format!(
                "error: invalid value for '--percentiles': {why} (for example --percentiles 5,50,95)"
            )),
            AppError::Scenarios(errors) => {
                let shown: Vec<String> = errors.iter().map(scenario_error).collect();
                kind(shown.join("\n\n"))
            }
            AppError::Sweep(e) => kind(sweep_error(&e)),
            AppError::NotAFileName(_)
            | AppError::SameFolder { .. }
            | AppError::ReservedFolder { .. }
            | AppError::NotStateFile(_)
            | AppError::ShardScenarios(_)
            | AppError::State(_)
            | AppError::Busy { .. }
            | AppError::Read { .. }
            | AppError::NotText { .. }
            | AppError::Overflow(_)
            | AppError::Threads(_)
            | AppError::Run(_)
            | AppError::Export(_)
            | AppError::Chart(_) => {
                if input {
                    Failure::Input(format!("error: {e}"))
                } else {
                    Failure::Other(e.to_string())
                }
            }
        }
    }
}

/// A scenario error, each diagnostic headed `error:`.
pub(crate) fn scenario_error(e: &ScenarioError) -> String {
    match e {
        ScenarioError::Invalid(diagnostics) => {
            let mut out: Vec<String> = diagnostics.iter().map(|d| format!("error: {d}")).collect();
            if diagnostics.len() > 1 {
                out.push(format!("{} errors in the scenario", diagnostics.len()));
            }
            out.join("\n\n")
        }
        other => format!("error: {other}"),
    }
}

fn sweep_error(e: &SweepError) -> String {
    match e {
        SweepError::TooManyKeys(n) => format!(
            "error: --set is given {n} times; a sweep takes one or two keys (a grid), each with all its values, e.g. --set revenue.annual_growth=0.3,0.6 --set cash.start_usd_bn=20,40"
        ),
        SweepError::Specs(specs) => {
            let shown: Vec<String> = specs
                .iter()
                .map(|s| format!("error: --set {}: {}", s.spec, s.reason))
                .collect();
            shown.join("\n\n")
        }
        SweepError::NotToml { .. } => format!("error: {e}"),
        SweepError::Repeated(key) => {
            format!("error: --set {key} is given twice; give each key once with all its values")
        }
        SweepError::Settings(settings) => {
            let shown: Vec<String> = settings.iter().map(setting_error).collect();
            shown.join("\n\n")
        }
    }
}

/// A setting's error. A scenario error caused by a setting is shown without
/// line numbers (they would point into the modified scenario, not the file)
/// but with the offending line of the modified scenario.
fn setting_error(e: &SettingError) -> String {
    let setting = &e.setting;
    match &e.problem {
        SettingProblem::Path(why) => format!("error: --set {setting}: {why}"),
        SettingProblem::Invalid {
            path,
            error: ScenarioError::Invalid(diagnostics),
        } => {
            let shown: Vec<String> = diagnostics
                .iter()
                .map(|d| {
                    let line = one_line(&d.source_line);
                    let lead = " ".repeat(d.column.saturating_sub(1).min(line.len()));
                    format!(
                        "error: --set {setting}: {} (in {} with this setting)\n   | {line}\n   | {lead}{}",
                        d.message,
                        path.display(),
                        "^".repeat(d.underline)
                    )
                })
                .collect();
            shown.join("\n")
        }
        SettingProblem::Invalid { error, .. } => {
            format!("error: --set {setting}: {}", scenario_error(error))
        }
    }
}
