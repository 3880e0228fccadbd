//! Fuzz target: scenario text through parsing, validation, a small run and
//! the CSV exporters.
//!
//! Two modes, chosen by the first byte:
//! - `0xFF` (never the first byte of UTF-8 text): the rest is turned into a
//!   structured scenario by `arbitrary` and rendered as TOML, so that most
//!   inputs get past the TOML syntax into validation and the model;
//! - anything else: the bytes themselves are the scenario file (the corpus is
//!   seeded with the project's scenarios and test scenarios).
//!
//! It fails on any panic, on an error message that does not render, on a
//! valid scenario whose run gives NaN or infinity in any summary value, and on
//! a non-finite number in a CSV cell.

#![no_main]

use std::path::Path;

use arbitrary::{Arbitrary, Unstructured};
use capsim::error::ScenarioError;
use capsim::export::{
    Exporter, Manifest, RunReport, SummaryCsvExporter, TimeseriesCsvExporter,
};
use capsim::runner::{RunConfig, run};
use capsim::scenario::Scenario;
use capsim::stats::Summary;
use libfuzzer_sys::fuzz_target;

mod spec;
use spec::Spec;

fuzz_target!(|data: &[u8]| {
    let text = match data.split_first() {
        Some((0xFF, rest)) => {
            let mut u = Unstructured::new(rest);
            match Spec::arbitrary(&mut u) {
                Ok(spec) => spec.render(),
                Err(_) => return,
            }
        }
        _ => match std::str::from_utf8(data) {
            Ok(t) => t.to_string(),
            Err(_) => return,
        },
    };
    check(&text, data.len());
});

fn check(text: &str, salt: usize) {
    let path = Path::new("fuzz.toml");
    let scenario = match Scenario::parse(text, path) {
        Ok(s) => s,
        Err(e) => {
            let shown = e.to_string();
            assert!(shown.starts_with("error: "), "{shown}");
            if let ScenarioError::Invalid(ds) = &e {
                assert!(!ds.is_empty());
                for d in ds {
                    assert!(d.line >= 1 && d.column >= 1 && d.underline >= 1, "{d:?}");
                }
            }
            return;
        }
    };
    // A few trials: enough to cross the zero-variance and one-trial cases.
    let trials = 1 + (salt % 5) as u64;
    let config = RunConfig {
        trials,
        seed: scenario.seed,
        threads: 1,
        percentiles: scenario.percentiles.clone(),
    };
    let result = run(&scenario, &config, &|_| {}).expect("run");
    for (i, s) in result.series.iter().enumerate() {
        finite_summary(s, &format!("series {i}"), text);
    }
    for (i, s) in result.outcomes.iter().enumerate() {
        finite_summary(s, &result.layout.outcomes[i].name, text);
    }
    let report = RunReport {
        scenario: &scenario,
        result: &result,
        manifest: Manifest {
            capsim_version: String::new(),
            scenario_path: String::new(),
            scenario_sha256: String::new(),
            scenario_name: scenario.name.clone(),
            seed: config.seed,
            trials,
            percentiles: config.percentiles.clone(),
            percentile_method: String::new(),
            horizon: [String::new(), String::new()],
            threads: 1,
            wall_time_seconds: 0.0,
            files: Vec::new(),
        },
    };
    let exporters: [&dyn Exporter; 2] = [&TimeseriesCsvExporter, &SummaryCsvExporter];
    for e in exporters {
        let mut out = Vec::new();
        e.write(&report, &mut out).expect("in-memory write");
        let csv = String::from_utf8(out).expect("CSV is UTF-8");
        for line in csv.lines() {
            // Names are ASCII without commas or quotes, so a plain split works.
            for cell in line.split(',') {
                if let Ok(x) = cell.parse::<f64>() {
                    assert!(x.is_finite(), "{}: cell {cell:?} in {line:?}\n{text}", e.file_name());
                }
            }
        }
    }
}

fn finite_summary(s: &Summary, what: &str, text: &str) {
    let all = [s.mean, s.std_dev, s.std_error]
        .into_iter()
        .chain(s.percentiles.iter().copied());
    for v in all.flatten() {
        assert!(v.is_finite(), "{what}: non-finite value in {s:?}\n{text}");
    }
}
