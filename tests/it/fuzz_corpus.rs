//! Replays the fuzzing corpus on stable Rust, as part of `cargo test`.
//!
//! `fuzz/corpus/scenario/` is the minimised corpus of the `scenario` fuzz
//! target (see fuzz/README.md); `fuzz/corpus/rendered/` holds its structured
//! inputs written out as TOML. Each text input goes through parsing,
//! validation and, when valid, a run of a few trials, exactly as the fuzz
//! target does: no panic, errors that render with a position, and only
//! finite numbers in every summary.

use std::path::{Path, PathBuf};

use capsim::error::ScenarioError;
use capsim::runner::{RunConfig, run};
use capsim::scenario::Scenario;

fn inputs() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus");
    let mut files = Vec::new();
    for dir in ["scenario", "rendered"] {
        let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
            continue;
        };
        files.extend(entries.map(|e| e.unwrap().path()).filter(|p| p.is_file()));
    }
    files.sort();
    files
}

#[test]
fn the_fuzz_corpus_replays_without_panics_or_non_finite_numbers() {
    let files = inputs();
    assert!(
        files.len() >= 100,
        "the fuzz corpus has only {} files",
        files.len()
    );
    let (mut valid, mut invalid, mut binary) = (0, 0, 0);
    for path in &files {
        let bytes = std::fs::read(path).unwrap();
        let Ok(text) = std::str::from_utf8(&bytes) else {
            // Structured inputs (first byte 0xFF) are replayed from rendered/.
            binary += 1;
            continue;
        };
        let scenario = match Scenario::parse(text, Path::new("fuzz.toml")) {
            Ok(s) => s,
            Err(e) => {
                invalid += 1;
                let shown = e.to_string();
                assert!(
                    shown.starts_with("fuzz.toml:"),
                    "{}: {shown}",
                    path.display()
                );
                if let ScenarioError::Invalid(ds) = &e {
                    assert!(!ds.is_empty(), "{}", path.display());
                }
                continue;
            }
        };
        valid += 1;
        let config = RunConfig {
            trials: 3,
            seed: scenario.seed,
            threads: 1,
            exact: false,
            percentiles: scenario.percentiles.clone(),
        };
        let result = run(&scenario, &config, &|_| {}).expect("run");
        for s in result.series.iter().chain(&result.outcomes) {
            let values = [s.mean, s.std_dev, s.std_error]
                .into_iter()
                .chain(s.percentiles.iter().copied());
            for v in values.flatten() {
                assert!(v.is_finite(), "{}: {v} in {s:?}", path.display());
            }
        }
    }
    eprintln!(
        "fuzz corpus: {valid} valid, {invalid} invalid, {binary} structured (replayed as rendered TOML)"
    );
    assert!(valid > 0 && invalid > 0, "{valid} valid, {invalid} invalid");
}
