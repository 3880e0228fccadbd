//! Where each kind of output goes: the one rule naming output folders.
//!
//! Runs write to `OUT/<stem>/`, comparisons to
//! `OUT/comparisons/<A stem>-vs-<B stem>/` and sweeps to
//! `OUT/sweeps/<stem>/`: no run's folder can be a sweep's or a comparison's,
//! since a run of a scenario named `sweeps` or `comparisons` is refused
//! (see [`reserved_folder`]). A comparison's name longer than 200 bytes is
//! cut, with a hash of the whole ([`fitted_name`]).

use std::path::{Path, PathBuf};

use crate::export::atomic::fitted_name;
use crate::export::sha256_hex;

/// What an output folder holds, which decides its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputKind<'a> {
    /// A run, or the merge of a run's shards: `OUT/<stem>/`.
    Run,
    /// A comparison of the scenario (A) with `b`:
    /// `OUT/comparisons/<A stem>-vs-<B stem>/`.
    Compare {
        /// The alternative scenario (B).
        b: &'a Path,
    },
    /// A sweep: `OUT/sweeps/<stem>/`.
    Sweep,
}

/// The file stem of a scenario path (`scenarios/a.toml` -> `a`), if it has
/// a non-empty one.
///
/// A stem that is not UTF-8 (possible on Unix) is its readable part, with
/// each byte that is not UTF-8 shown as U+FFFD, then `~` and 16 hex digits
/// of the SHA-256 of its bytes (a name over 200 bytes cut, with a hash):
/// two stems that differ only in such bytes get distinct folders.
pub fn scenario_stem(path: &Path) -> Option<String> {
    let stem = path.file_stem().filter(|s| !s.is_empty())?;
    Some(match stem.to_str() {
        Some(text) => text.to_string(),
        None => {
            let hash = sha256_hex(stem.as_encoded_bytes());
            fitted_name(&format!("{}~{}", stem.to_string_lossy(), &hash[..16]))
        }
    })
}

/// The folder inside `out` where the outputs of `kind` for the scenario file
/// `scenario` go. A path without a stem is named `merged` for a run (only a
/// merge can meet one: a run refuses such paths first, with
/// [`AppError::NotAFileName`](super::AppError::NotAFileName)) and
/// `scenario` otherwise.
pub fn output_dir(out: &Path, scenario: &Path, kind: OutputKind) -> PathBuf {
    let stem = |path: &Path, fallback: &str| scenario_stem(path).unwrap_or_else(|| fallback.into());
    match kind {
        OutputKind::Run => out.join(stem(scenario, "merged")),
        OutputKind::Compare { b } => out.join(COMPARISONS_DIR).join(fitted_name(&format!(
            "{}-vs-{}",
            stem(scenario, "scenario"),
            stem(b, "scenario")
        ))),
        OutputKind::Sweep => out.join(SWEEPS_DIR).join(stem(scenario, "scenario")),
    }
}

/// The folder in `OUT` holding every comparison.
pub const COMPARISONS_DIR: &str = "comparisons";
/// The folder in `OUT` holding every sweep.
pub const SWEEPS_DIR: &str = "sweeps";

/// Whether a run's folder named `stem` would be the folder of every
/// comparison or sweep, which a run must not take.
pub fn reserved_folder(stem: &str) -> bool {
    stem == COMPARISONS_DIR || stem == SWEEPS_DIR
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_are_named_after_the_scenario_stems() {
        let out = Path::new("out");
        let a = Path::new("s/a.toml");
        assert_eq!(output_dir(out, a, OutputKind::Run), Path::new("out/a"));
        assert_eq!(
            output_dir(
                out,
                a,
                OutputKind::Compare {
                    b: Path::new("b.toml")
                }
            ),
            Path::new("out/comparisons/a-vs-b")
        );
        assert_eq!(
            output_dir(out, a, OutputKind::Sweep),
            Path::new("out/sweeps/a")
        );
        assert_eq!(
            output_dir(out, Path::new(""), OutputKind::Run),
            Path::new("out/merged")
        );
        assert!(reserved_folder("sweeps") && reserved_folder("comparisons"));
        // Two stems of 240 bytes: a name of 484 cut to 137, apart.
        let (long_a, long_b, long_c) = ("a".repeat(240), "b".repeat(240), "c".repeat(240));
        let ab = output_dir(
            out,
            &PathBuf::from(format!("{long_a}.toml")),
            OutputKind::Compare {
                b: &PathBuf::from(format!("{long_b}.toml")),
            },
        );
        let ac = output_dir(
            out,
            &PathBuf::from(format!("{long_a}.toml")),
            OutputKind::Compare {
                b: &PathBuf::from(format!("{long_c}.toml")),
            },
        );
        let name = ab.file_name().unwrap().to_str().unwrap();
        assert_eq!(name.len(), 120 + 1 + 16);
        assert!(name.starts_with(&long_a[..120]));
        assert_ne!(ab, ac);
        assert!(!reserved_folder("a-sweep"));
    }
}
