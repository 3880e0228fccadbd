//! Sharded runs merge into outputs byte-identical to a single run, and bad
//! merges are refused with a clear error.

use crate::util::{SMALL, Workdir};

fn shard(wd: &Workdir, k: usize, n: usize, trials: &str) {
    let spec = format!("{k}/{n}");
    let state = format!("s-{k}.state");
    wd.capsim(&[
        "run", "s.toml", "--trials", trials, "--shard", &spec, "--state", &state, "-q",
    ])
    .expect_code(0);
}

#[test]
fn four_shards_merge_to_the_single_run() {
    let wd = Workdir::new();
    wd.create("s.toml", SMALL);
    // 5,000 trials are 5 chunks: shards of 1 or 2 chunks.
    wd.capsim(&[
        "run",
        "s.toml",
        "--trials",
        "5000",
        "--out",
        "single",
        "-q",
        "--no-charts",
    ])
    .expect_code(0);
    for k in 1..=4 {
        shard(&wd, k, 4, "5000");
    }
    // Any order on the command line.
    wd.capsim(&[
        "merge",
        "s-3.state",
        "s-1.state",
        "s-4.state",
        "s-2.state",
        "--out",
        "merged",
        "-q",
        "--no-charts",
    ])
    .expect_code(0);
    for f in [
        "timeseries.csv",
        "summary.csv",
        "targets.csv",
        "years.csv",
        "sensitivity.csv",
    ] {
        assert!(
            wd.read(&format!("single/s/{f}")) == wd.read(&format!("merged/s/{f}")),
            "{f} differs between the single and the merged run"
        );
    }
    let manifest = wd.read("merged/s/manifest.json");
    assert!(manifest.contains("\"trials\": 5000"));
    // A shard writes no outputs.
    assert!(!wd.exists("output"));
}

#[test]
fn more_shards_than_chunks_still_merge() {
    let wd = Workdir::new();
    wd.create("s.toml", SMALL);
    wd.capsim(&[
        "run",
        "s.toml",
        "--trials",
        "1500",
        "--out",
        "single",
        "-q",
        "--no-charts",
    ])
    .expect_code(0);
    for k in 1..=3 {
        shard(&wd, k, 3, "1500");
    }
    wd.capsim(&[
        "merge",
        "s-1.state",
        "s-2.state",
        "s-3.state",
        "--out",
        "merged",
        "-q",
        "--no-charts",
    ])
    .expect_code(0);
    assert!(wd.read("single/s/summary.csv") == wd.read("merged/s/summary.csv"));
}

#[test]
fn bad_merges_are_refused() {
    let wd = Workdir::new();
    wd.create("s.toml", SMALL);
    wd.create("t.toml", SMALL.replace("seed = 11", "seed = 12"));
    for k in 1..=2 {
        shard(&wd, k, 2, "3000");
    }
    wd.capsim(&[
        "run",
        "t.toml",
        "--trials",
        "3000",
        "--shard",
        "2/2",
        "--state",
        "t-2.state",
        "-q",
    ])
    .expect_code(0);
    wd.capsim(&[
        "run",
        "s.toml",
        "--trials",
        "4000",
        "--shard",
        "2/2",
        "--state",
        "big-2.state",
        "-q",
    ])
    .expect_code(0);
    wd.create("junk.state", "not a state");
    let cases: &[(&[&str], &str)] = &[
        (&["merge", "s-1.state"], "shard 2/2 is missing"),
        (
            &["merge", "s-1.state", "s-1.state"],
            "shard 1/2 is given twice",
        ),
        (
            &["merge", "s-1.state", "t-2.state"],
            "it is a run of t.toml",
        ),
        (
            &["merge", "s-1.state", "big-2.state"],
            "it has seed 11 and 4000 trials, but s-1.state has seed 11 and 3000 trials",
        ),
        (
            &["merge", "junk.state"],
            "junk.state: not a capsim state file",
        ),
        (
            &["merge", "missing.state"],
            "missing.state: cannot read state file",
        ),
    ];
    for (args, want) in cases {
        let run = wd.capsim(args);
        run.expect_code(2);
        assert!(run.stderr.contains(want), "{args:?}: {}", run.stderr);
    }
    assert!(!wd.exists("output"));
    // --shard needs --state and a valid K/N.
    wd.capsim(&["run", "s.toml", "--shard", "1/2"])
        .expect_code(2);
    let run = wd.capsim(&["run", "s.toml", "--shard", "3/2", "--state", "x"]);
    run.expect_code(2);
    assert!(
        run.stderr.contains("K must be between 1 and N"),
        "{}",
        run.stderr
    );
}
