//! Safety of what capsim writes and prints: output folders replaced as a
//! whole, one writer per folder, quiet exit on a closed pipe, state files
//! that never overwrite other files, unambiguous folder names, refused
//! option combinations, and terminal and HTML output that control
//! characters cannot disturb.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::util::{SMALL, Workdir};

/// A quick run of `s.toml` into `out/` with `extra` arguments.
fn quick<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "run",
        "s.toml",
        "--out",
        "out",
        "--trials",
        "300",
        "--no-sensitivity",
        "--quiet",
    ];
    args.extend_from_slice(extra);
    args
}

fn manifest_seed(wd: &Workdir, folder: &str) -> u64 {
    let m: serde_json::Value =
        serde_json::from_str(&wd.read(&format!("{folder}/manifest.json"))).unwrap();
    m["seed"].as_u64().unwrap()
}

/// Every entry (file or folder) directly in `dir`, sorted.
fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    names
}

// 1. The output folder is replaced as a whole.

/// A file the previous run wrote that this run does not write (trials.csv)
/// goes with the previous run, so that every file beside manifest.json is
/// the run it describes; files capsim never wrote stay.
#[test]
fn a_run_replaces_the_previous_runs_files_as_a_set_and_keeps_the_users() {
    let wd = Workdir::new();
    wd.create("s.toml", SMALL);
    wd.capsim(&quick(&["--seed", "1", "--export-trials", "5"]))
        .expect_code(0);
    assert!(wd.exists("out/s/trials.csv"));
    wd.create("out/s/notes.txt", "my notes\n");
    wd.create("out/s/mine/a.csv", "1,2\n");
    wd.create("out/s/charts/mine.svg", "<svg/>\n");

    wd.capsim(&quick(&["--seed", "2"])).expect_code(0);
    assert_eq!(manifest_seed(&wd, "out/s"), 2);
    assert!(
        !wd.exists("out/s/trials.csv"),
        "trials.csv of seed 1 is left beside the manifest of seed 2"
    );
    assert_eq!(wd.read("out/s/notes.txt"), "my notes\n");
    assert_eq!(wd.read("out/s/mine/a.csv"), "1,2\n");
    assert_eq!(wd.read("out/s/charts/mine.svg"), "<svg/>\n");
    let m: serde_json::Value = serde_json::from_str(&wd.read("out/s/manifest.json")).unwrap();
    for f in m["files"].as_array().unwrap() {
        let f = f.as_str().unwrap();
        assert!(
            wd.exists(&format!("out/s/{f}")),
            "{f} is listed, not written"
        );
    }
    // Nothing of capsim's own is left in out/: no temporary folder, no lock.
    assert_eq!(entries(&wd.path().join("out")), ["s"]);
}

/// Compare and sweep folders are replaced as a whole too.
#[test]
fn compare_and_sweep_leave_no_temporaries_and_keep_user_files() {
    let wd = Workdir::new();
    wd.create("a.toml", SMALL);
    wd.create(
        "b.toml",
        SMALL.replace("start_usd_bn = 15", "start_usd_bn = 25"),
    );
    let cmp = [
        "compare", "a.toml", "b.toml", "--out", "out", "--trials", "200",
    ];
    wd.capsim(&cmp).expect_code(0);
    wd.create("out/comparisons/a-vs-b/notes.txt", "n\n");
    wd.capsim(&[&cmp[..], &["--no-charts"]].concat())
        .expect_code(0);
    assert_eq!(wd.read("out/comparisons/a-vs-b/notes.txt"), "n\n");
    assert!(
        !wd.exists("out/comparisons/a-vs-b/charts"),
        "the previous comparison's charts are left beside a comparison without charts"
    );
    assert_eq!(entries(&wd.path().join("out/comparisons")), ["a-vs-b"]);
    let sweep = [
        "sweep",
        "a.toml",
        "--set",
        "cash.start_usd_bn=5,10",
        "--out",
        "out",
        "--trials",
        "200",
    ];
    wd.capsim(&sweep).expect_code(0);
    wd.capsim(&sweep).expect_code(0);
    assert_eq!(entries(&wd.path().join("out/sweeps")), ["a"]);
    assert_eq!(
        entries(&wd.path().join("out/sweeps/a")),
        ["manifest.json", "sweep.csv"]
    );
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// Every file below `dir`, relative path to bytes.
fn snapshot(dir: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    let wd_files = |base: &Path| {
        let mut out = std::collections::BTreeMap::new();
        let mut stack = vec![base.to_path_buf()];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    stack.push(p);
                } else {
                    let rel = p.strip_prefix(base).unwrap().display().to_string();
                    out.insert(rel, std::fs::read(&p).unwrap());
                }
            }
        }
        out
    };
    wd_files(dir)
}

/// A write that fails part-way (the disk fills) leaves the previous output
/// exactly as it was: no file of the new run beside the old manifest.
#[test]
fn a_full_disk_leaves_the_previous_folder_exactly_as_it_was() {
    if !is_root() {
        crate::util::skip(
            "a_full_disk_leaves_the_previous_folder_exactly_as_it_was",
            "needs root to mount a tmpfs",
            None,
        );
        return;
    }
    let wd = Workdir::new();
    let disk = wd.path().join("disk");
    std::fs::create_dir(&disk).unwrap();
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=256k", "tmpfs"])
        .arg(&disk)
        .status()
        .is_ok_and(|s| s.success());
    if !mounted {
        crate::util::skip(
            "a_full_disk_leaves_the_previous_folder_exactly_as_it_was",
            "cannot mount a tmpfs",
            None,
        );
        return;
    }
    struct Unmount<'a>(&'a Path);
    impl Drop for Unmount<'_> {
        fn drop(&mut self) {
            let _ = Command::new("umount").arg(self.0).status();
        }
    }
    let _unmount = Unmount(&disk);
    // A short horizon fits; the same file with a long horizon fills the disk
    // after the first files are written.
    let short = SMALL.replace("end = \"2027-12\"", "end = \"2026-12\"");
    wd.create("s.toml", &short);
    let args = [
        "run",
        "s.toml",
        "--out",
        "disk",
        "--trials",
        "100",
        "--no-charts",
        "--no-sensitivity",
        "--quiet",
    ];
    wd.capsim(&args).expect_code(0);
    let before = snapshot(&disk);
    let long = SMALL.replace("end = \"2027-12\"", "end = \"2060-12\"");
    wd.create("s.toml", long);
    let run = wd.capsim(&args);
    run.expect_code(1);
    assert!(
        run.stderr.contains("No space left on device"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.starts_with("error: cannot write "),
        "{}",
        run.stderr
    );
    let after = snapshot(&disk);
    assert_eq!(
        before.keys().collect::<Vec<_>>(),
        after.keys().collect::<Vec<_>>()
    );
    assert!(before == after, "the previous output changed");
}

/// Killed at any moment, a run leaves the folder as one run's set of files:
/// the previous run's or the new one's, never a mix.
#[test]
fn sigkill_at_any_moment_leaves_one_runs_files() {
    let wd = Workdir::new();
    wd.create("s.toml", SMALL);
    let args = |out: &str, seed: &str| {
        vec![
            "run".to_string(),
            "s.toml".into(),
            "--out".into(),
            out.into(),
            "--trials".into(),
            "3000".into(),
            "--seed".into(),
            seed.into(),
            "--quiet".into(),
        ]
    };
    let strs = |a: &[String]| a.iter().map(String::clone).collect::<Vec<_>>();
    let go = |a: Vec<String>| {
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        wd.capsim(&a).expect_code(0);
    };
    go(args("old", "1"));
    let started = Instant::now();
    go(args("new", "2"));
    let full = started.elapsed();
    let old = snapshot(&wd.path().join("old/s"));
    let new = snapshot(&wd.path().join("new/s"));
    // Files that differ between two runs of one seed: wall times.
    let varies = |name: &str| name == "manifest.json" || name == "report.html";
    let kills = 12;
    for k in 0..kills {
        let out = wd.path().join("out");
        let _ = std::fs::remove_dir_all(&out);
        std::fs::create_dir_all(out.join("s")).unwrap();
        for (name, bytes) in &old {
            let p = out.join("s").join(name);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, bytes).unwrap();
        }
        let a = strs(&args("out", "2"));
        let mut child = Command::new(env!("CARGO_BIN_EXE_capsim"))
            .args(&a)
            .current_dir(wd.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(full.mul_f64(0.4 + 0.8 * k as f64 / kills as f64));
        let _ = child.kill();
        child.wait().unwrap();
        let now = snapshot(&out.join("s"));
        let is_old = now == old;
        let is_new = now.keys().eq(new.keys())
            && now.iter().all(|(n, b)| varies(n) || new.get(n) == Some(b));
        assert!(
            is_old || is_new,
            "kill {k}: a mix of two runs: {:?}",
            now.keys()
        );
    }
}

// 2. One writer per output folder.

#[test]
fn a_second_run_into_a_busy_folder_is_refused() {
    let wd = Workdir::new();
    wd.create("s.toml", SMALL);
    let mut first = Command::new(env!("CARGO_BIN_EXE_capsim"))
        .args([
            "run",
            "s.toml",
            "--out",
            "out",
            "--trials",
            "1000000000",
            "--quiet",
        ])
        .current_dir(wd.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let lock = wd.path().join("out/.capsim-s.lock");
    let deadline = Instant::now() + Duration::from_secs(20);
    while !lock.exists() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    let second = wd.capsim(&quick(&[]));
    let _ = first.kill();
    first.wait().unwrap();
    assert!(lock.exists(), "no lock file while a run is under way");
    second.expect_code(1);
    let want = format!(
        "error: out/s is being written by another capsim run (pid {})",
        first.id()
    );
    // After the scenario's warning.
    assert!(
        second.stderr.contains(&format!("\n{want}")),
        "{}",
        second.stderr
    );

    // The killed run's lock is stale: the next run takes it over, says so,
    // and removes it when done.
    let third = wd.capsim(&quick(&[]));
    third.expect_code(0);
    assert!(
        third.stderr.contains("note: taking over") && third.stderr.contains("no longer running"),
        "{}",
        third.stderr
    );
    assert!(!lock.exists());
    assert_eq!(entries(&wd.path().join("out")), ["s"]);
}

// 3. A closed pipe ends the program quietly.

#[test]
fn a_closed_stdout_is_a_quiet_success() {
    let wd = Workdir::new();
    wd.create("s.toml", SMALL);
    for args in [
        &[
            "run",
            "s.toml",
            "--trials",
            "300",
            "--no-charts",
            "--no-sensitivity",
        ][..],
        &["validate", "s.toml"][..],
    ] {
        let child = Command::new(env!("CARGO_BIN_EXE_capsim"))
            .args(args)
            .current_dir(wd.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut child = child;
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert!(!stderr.contains("error"), "{args:?}: {stderr}");
    }
}

// 4. --state never overwrites a file that is not a state file.

#[test]
fn state_refuses_to_overwrite_other_files() {
    let wd = Workdir::new();
    wd.create("s.toml", SMALL);
    let shard = |state: &str| {
        wd.capsim(&[
            "run", "s.toml", "--trials", "2000", "--shard", "1/2", "--state", state, "--quiet",
        ])
    };
    let run = shard("s.toml");
    run.expect_code(2);
    assert!(
        run.stderr.starts_with(
            "error: s.toml exists and is not a capsim state file; refusing to overwrite it"
        ),
        "{}",
        run.stderr
    );
    assert_eq!(wd.read("s.toml"), SMALL);
    wd.create("notes.state", "");
    shard("notes.state").expect_code(2);
    assert_eq!(wd.read("notes.state"), "");
    // A state file is replaced, and a new one written.
    shard("a.state").expect_code(0);
    shard("a.state").expect_code(0);
    assert!(std::fs::metadata(wd.path().join("a.state")).unwrap().len() > 100);
}

// 5. Sweep, compare and run folders cannot collide.

#[test]
fn sweep_and_compare_folders_are_apart_from_run_folders() {
    let wd = Workdir::new();
    wd.create("x.toml", SMALL);
    wd.create("x-sweep.toml", SMALL);
    wd.create("x-vs-x.toml", SMALL);
    wd.capsim(&[
        "run",
        "x-sweep.toml",
        "x-vs-x.toml",
        "--trials",
        "200",
        "--quiet",
    ])
    .expect_code(0);
    wd.capsim(&[
        "sweep",
        "x.toml",
        "--set",
        "cash.start_usd_bn=5,10",
        "--trials",
        "200",
        "--quiet",
    ])
    .expect_code(0);
    wd.capsim(&["compare", "x.toml", "x.toml", "--trials", "200", "--quiet"])
        .expect_code(0);
    assert!(wd.exists("output/sweeps/x/sweep.csv"));
    assert!(wd.exists("output/comparisons/x-vs-x/comparison.csv"));
    assert!(wd.exists("output/x-sweep/summary.csv"));
    assert!(wd.exists("output/x-vs-x/summary.csv"));
    assert!(!wd.exists("output/x-sweep/sweep.csv"));
    assert!(!wd.exists("output/x-vs-x/comparison.csv"));
    // A run cannot take the folder the sweeps and comparisons live in.
    for name in ["sweeps.toml", "comparisons.toml"] {
        wd.create(name, SMALL);
        let run = wd.capsim(&["run", name, "--trials", "200", "--quiet"]);
        run.expect_code(2);
        assert!(
            run.stderr
                .contains("is reserved for capsim sweep and compare"),
            "{}",
            run.stderr
        );
    }
}

// 6. --shard refuses the options it cannot honour.

#[test]
fn shard_refuses_options_it_would_ignore() {
    let wd = Workdir::new();
    wd.create("s.toml", SMALL);
    for (extra, why) in [
        (&["--precision", "0.01"][..], "--precision"),
        (&["--export-trials", "10"][..], "--export-trials"),
        (&["--out", "elsewhere"][..], "--out"),
        (&["--no-charts"][..], "--no-charts"),
        (&["--no-sensitivity"][..], "--no-sensitivity"),
    ] {
        let mut args = vec!["run", "s.toml", "--shard", "1/2", "--state", "a.state"];
        args.extend_from_slice(extra);
        let run = wd.capsim(&args);
        run.expect_code(2);
        assert!(
            run.stderr
                .starts_with(&format!("error: {why} cannot be used with --shard: ")),
            "{}",
            run.stderr
        );
        assert!(!wd.exists("a.state"));
    }
}

// 7. --export-trials is capped at the run's trials.

#[test]
fn export_trials_beyond_the_run_is_capped_with_a_note() {
    let wd = Workdir::new();
    wd.create("s.toml", SMALL);
    let run = wd.capsim(&quick(&["--export-trials", "1000"]));
    run.expect_code(0);
    assert_eq!(wd.read("out/s/trials.csv").lines().count() - 1, 300);
    // After the scenario's warning.
    assert!(
        run.stderr.ends_with(
            "\nnote: --export-trials 1000 is more than the run's 300 trials; trials.csv has all 300\n"
        ),
        "{}",
        run.stderr
    );
}

// 8. Seeds: any u64 in the scenario, and a precise message beyond.

#[test]
fn scenario_seeds_take_every_u64_and_say_the_limit() {
    let wd = Workdir::new();
    let with_seed = |seed: &str| SMALL.replace("seed = 11", &format!("seed = {seed}"));
    wd.create("s.toml", with_seed("18446744073709551615"));
    wd.capsim(&quick(&[])).expect_code(0);
    assert_eq!(manifest_seed(&wd, "out/s"), u64::MAX);
    for seed in ["18446744073709551616", "-1"] {
        wd.create("s.toml", with_seed(seed));
        let run = wd.capsim(&["validate", "s.toml"]);
        run.expect_code(2);
        assert!(
            run.stderr.contains(&format!(
                "seed must be a whole number from 0 to 18446744073709551615, got {seed}"
            )),
            "{}",
            run.stderr
        );
    }
}

// 9. A run prints the warnings validate prints.

#[test]
fn run_prints_the_scenarios_warnings_even_when_quiet() {
    let wd = Workdir::new();
    wd.create("s.toml", SMALL.replace("gw = 1\n", "gw = 1000\n"));
    let validate = wd.capsim(&["validate", "s.toml"]);
    validate.expect_code(0);
    assert!(validate.stderr.contains("warning: "), "{}", validate.stderr);
    for quiet in [true, false] {
        let mut args = vec!["run", "s.toml", "--trials", "200", "--no-sensitivity"];
        if quiet {
            args.push("--quiet");
        }
        let run = wd.capsim(&args);
        run.expect_code(0);
        assert_eq!(run.stderr, validate.stderr, "quiet: {quiet}");
    }
}

// 10. The key outcomes show the percentiles computed.

#[test]
fn key_outcomes_show_the_percentiles_asked_for() {
    let wd = Workdir::new();
    wd.create("s.toml", SMALL);
    let run = wd.capsim(&["run", "s.toml", "--trials", "500", "--percentiles", "25,75"]);
    run.expect_code(0);
    let header = run
        .stdout
        .lines()
        .find(|l| l.trim_start().starts_with("Key outcomes"))
        .unwrap();
    assert_eq!(
        header,
        format!("  {:<38}{:>12}{:>12}", "Key outcomes", "p25", "p75")
    );
    let payments = run
        .stdout
        .lines()
        .find(|l| l.trim_start().starts_with("compute payments"))
        .unwrap();
    assert!(!payments.contains(" -"), "{payments}");
    let run = wd.capsim(&[
        "run",
        "s.toml",
        "--trials",
        "500",
        "--percentiles",
        "1,2.5,20,40,97.5",
    ]);
    run.expect_code(0);
    assert!(
        run.stdout.contains(&format!(
            "  {:<38}{:>12}{:>12}{:>12}",
            "Key outcomes", "p1", "p20", "p97.5"
        )),
        "{}",
        run.stdout
    );
}

// 11. init names the file it writes.

#[test]
fn init_names_the_file_written_in_its_header() {
    let wd = Workdir::new();
    wd.capsim(&["init", "my.toml"]).expect_code(0);
    let text = wd.read("my.toml");
    assert!(text.contains("capsim validate my.toml "), "{text}");
    assert!(text.contains("capsim run my.toml "), "{text}");
    assert!(text.contains("writes output/my/:"), "{text}");
    assert!(!text.contains("scenario.toml"), "{text}");
    wd.capsim(&["init"]).expect_code(0);
    assert!(
        wd.read("scenario.toml")
            .contains("capsim run scenario.toml ")
    );
}

// 12. Control characters in names are shown escaped.

#[test]
fn control_characters_in_names_reach_neither_terminal_nor_report() {
    let wd = Workdir::new();
    wd.create(
        "s.toml",
        SMALL.replace("name = \"small\"", "name = \"evil\\u001b[31mred\\u0007\""),
    );
    let run = wd.capsim(&["run", "s.toml", "--trials", "200", "--no-sensitivity"]);
    run.expect_code(0);
    let validate = wd.capsim(&["validate", "s.toml"]);
    validate.expect_code(0);
    for text in [&run.stdout, &validate.stdout] {
        assert!(
            !text.contains('\u{1b}') && !text.contains('\u{7}'),
            "{text:?}"
        );
        assert!(text.contains("\"evil\\u{1b}[31mred\\u{7}\""), "{text}");
    }
    let html = wd.read("output/s/report.html");
    assert!(!html.contains('\u{1b}') && !html.contains('\u{7}'));
    assert!(html.contains("evil\u{fffd}[31mred\u{fffd}"));
}
