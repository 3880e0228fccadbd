//! Same scenario and seed give byte-identical CSVs for any thread count.

use crate::util::{SMALL, Workdir};

#[test]
fn output_is_identical_for_1_2_and_7_threads() {
    let wd = Workdir::new();
    wd.create("s.toml", SMALL);
    let mut outputs = Vec::new();
    for threads in ["1", "2", "7"] {
        let out = format!("out{threads}");
        // 5,000 trials span several chunks, so chunks really do run on
        // different threads.
        wd.capsim(&[
            "run",
            "s.toml",
            "--trials",
            "5000",
            "--threads",
            threads,
            "--out",
            &out,
            "--quiet",
        ])
        .expect_code(0);
        outputs.push((
            wd.read(&format!("{out}/s/timeseries.csv")),
            wd.read(&format!("{out}/s/summary.csv")),
        ));
    }
    assert!(outputs[0].0.len() > 1000);
    for other in &outputs[1..] {
        assert!(
            outputs[0].0 == other.0,
            "timeseries.csv differs between thread counts"
        );
        assert!(
            outputs[0].1 == other.1,
            "summary.csv differs between thread counts"
        );
    }
}

#[test]
fn seed_changes_results_and_repeats_exactly() {
    let wd = Workdir::new();
    wd.create("s.toml", SMALL);
    for (out, seed) in [("a", "1"), ("b", "1"), ("c", "2")] {
        wd.capsim(&["run", "s.toml", "--seed", seed, "--out", out, "-q"])
            .expect_code(0);
    }
    assert_eq!(wd.read("a/s/summary.csv"), wd.read("b/s/summary.csv"));
    assert_ne!(wd.read("a/s/summary.csv"), wd.read("c/s/summary.csv"));
}
