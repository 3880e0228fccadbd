//! Output is never lost or half-written: a run killed with SIGKILL leaves the
//! previous run's files intact, a full disk or an unwritable folder gives exit
//! code 1 with a clear message and no partial file, and a second run into the
//! same folder replaces only what capsim writes.
//!
//! The full-disk and read-only cases mount a small tmpfs, which needs root
//! (CI runs as root); elsewhere they fall back to permissions or are skipped
//! with a message saying so.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::util::{Run, Workdir, snapshot};

const SCENARIO: &str = r#"
[scenario]
name = "safety"
start = "2026-01"
end = "2030-12"

[[tranche]]
name = "site-a"
counterparty = "Cloudco"
gw = { dist = "lognormal", p10 = 0.8, p90 = 1.5 }
planned = "2026-06"
delay_months = { dist = "pert", min = 0, mode = 2, max = 12 }
ramp_months = 3
accelerators_per_gw = 400000
pflops_per_accelerator = 2.5

[[contract]]
name = "cloud"
counterparty = "Cloudco"
basis = "pay_as_delivered"
value_usd_bn = 20
start = "2026-01"
term_months = 48
tranches = ["site-a"]

[revenue]
run_rate_usd_bn = 10
annual_growth = { dist = "lognormal", p10 = 0.3, p90 = 1.2 }
usd_bn_per_gw_year = 10

[[target]]
name = "one-gw"
metric = "capacity_online_gw"
at_least = 1
"#;

fn temp_files(files: &BTreeMap<PathBuf, Vec<u8>>) -> Vec<PathBuf> {
    files
        .keys()
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(".capsim-"))
        })
        .cloned()
        .collect()
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

fn setup() -> Workdir {
    let work = Workdir::new();
    work.create("safety.toml", SCENARIO);
    work
}

fn spawn_long_run(work: &Workdir, out: &str, trials: &str) -> Child {
    work.command(&[
        "run",
        "safety.toml",
        "--out",
        out,
        "--trials",
        trials,
        "--seed",
        "2",
        "--quiet",
    ])
    .stdout(Stdio::null())
    .stderr(Stdio::null())
    .spawn()
    .expect("capsim starts")
}

#[test]
fn sigkill_mid_run_leaves_the_previous_output_intact() {
    let work = setup();
    let first = work.capsim(&[
        "run",
        "safety.toml",
        "--out",
        "out",
        "--trials",
        "2000",
        "--quiet",
    ]);
    assert_eq!(first.code, 0, "{}", first.stderr);
    let before = snapshot(&work.path().join("out"));
    assert!(before.contains_key(Path::new("safety/timeseries.csv")));

    // Far more trials than can finish: the kill lands in the simulation.
    let mut child = spawn_long_run(&work, "out", "1000000000");
    std::thread::sleep(Duration::from_millis(1500));
    assert!(
        child.try_wait().unwrap().is_none(),
        "the long run ended before it could be killed"
    );
    child.kill().unwrap(); // SIGKILL on Unix
    child.wait().unwrap();

    let mut after = snapshot(&work.path().join("out"));
    // The killed run's lock stays until the next run takes it over.
    assert!(after.remove(Path::new(".capsim-safety.lock")).is_some());
    assert!(
        temp_files(&after).is_empty(),
        "temporary files left: {:?}",
        temp_files(&after)
    );
    assert_eq!(
        before.keys().collect::<Vec<_>>(),
        after.keys().collect::<Vec<_>>(),
        "the set of files changed"
    );
    for (path, bytes) in &before {
        assert!(after[path] == *bytes, "{} changed", path.display());
    }
}

/// Kills at many moments across a whole run, including while files are being
/// written: every file under its real name is always either the previous
/// run's or the new run's, complete. A SIGKILL between creating a temporary
/// file and renaming it can leave a `.capsim-*.tmp` file behind; that is
/// reported, never a partial file under a real name.
#[test]
fn sigkill_at_any_moment_never_leaves_a_partial_file() {
    let work = setup();
    let args = |out: &str, seed: &str| {
        vec![
            "run".to_string(),
            "safety.toml".into(),
            "--out".into(),
            out.into(),
            "--trials".into(),
            "20000".into(),
            "--seed".into(),
            seed.into(),
            "--quiet".into(),
        ]
    };
    let go = |a: Vec<String>| {
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        let d = work.capsim(&a);
        assert_eq!(d.code, 0, "{}", d.stderr);
    };
    // Old output (seed 1) and two complete new outputs (seed 2): files that
    // differ between the two new ones (wall time) are checked for completeness only.
    go(args("old", "1"));
    go(args("new1", "2"));
    let started = Instant::now();
    go(args("new2", "2"));
    let full_run = started.elapsed();
    let old = snapshot(&work.path().join("old/safety"));
    let new1 = snapshot(&work.path().join("new1/safety"));
    let new2 = snapshot(&work.path().join("new2/safety"));

    let mut leftovers = 0;
    let kills = 16;
    for k in 0..kills {
        let out = work.path().join("out");
        let _ = std::fs::remove_dir_all(&out);
        copy_dir(&work.path().join("old"), &out);
        let mut child = work
            .command(
                &args("out", "2")
                    .iter()
                    .map(String::as_str)
                    .collect::<Vec<_>>(),
            )
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Spread the kills over the run, a little past its usual length.
        std::thread::sleep(full_run.mul_f64(1.2 * k as f64 / kills as f64));
        let _ = child.kill();
        child.wait().unwrap();
        let now = snapshot(&out.join("safety"));
        for (path, bytes) in &now {
            let name = path.file_name().unwrap().to_str().unwrap();
            if name.starts_with(".capsim-") {
                leftovers += 1;
                continue;
            }
            let is_old = old.get(path) == Some(bytes);
            let is_new = new1.get(path) == Some(bytes);
            let complete_variable = new1.get(path) != new2.get(path) && looks_complete(name, bytes);
            assert!(
                is_old || is_new || complete_variable,
                "kill {k}: {} is neither the old nor the new file ({} bytes)",
                path.display(),
                bytes.len()
            );
        }
        for path in old.keys() {
            assert!(
                now.contains_key(path),
                "kill {k}: {} disappeared",
                path.display()
            );
        }
    }
    if leftovers > 0 {
        eprintln!(
            "note: {leftovers} stale .capsim-*.tmp file(s) were left by kills during a write (never a partial file under a real name)"
        );
    }
}

/// A run that could not write its output: exit code 1 and a message that
/// says so and names `detail`, not a panic.
fn assert_write_error(run: &Run, detail: &str) {
    assert_eq!(run.code, 1, "expected exit 1:\n{}", run.stderr);
    assert!(
        run.stderr.starts_with("error: cannot write ")
            && run.stderr.contains(detail)
            && !run.stderr.contains("panicked"),
        "unclear message:\n{}",
        run.stderr
    );
}

fn looks_complete(name: &str, bytes: &[u8]) -> bool {
    let text = String::from_utf8_lossy(bytes);
    if name.ends_with(".json") {
        serde_json_like_complete(&text)
    } else if name.ends_with(".html") {
        text.trim_end().ends_with("</html>")
    } else if name.ends_with(".svg") {
        text.trim_end().ends_with("</svg>")
    } else {
        text.ends_with('\n')
    }
}

/// A JSON object that is closed: enough to tell a whole file from a cut one.
fn serde_json_like_complete(text: &str) -> bool {
    let t = text.trim();
    t.starts_with('{') && t.ends_with('}')
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let p = e.unwrap().path();
        let dest = to.join(p.file_name().unwrap());
        if p.is_dir() {
            copy_dir(&p, &dest);
        } else {
            std::fs::copy(&p, &dest).unwrap();
        }
    }
}

/// A tmpfs mounted for one test, unmounted when dropped.
struct Tmpfs {
    point: PathBuf,
}

impl Tmpfs {
    fn mount(point: &Path, options: &str) -> Option<Tmpfs> {
        std::fs::create_dir_all(point).unwrap();
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", options, "tmpfs"])
            .arg(point)
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        ok.then(|| Tmpfs {
            point: point.to_path_buf(),
        })
    }

    fn remount(&self, options: &str) -> bool {
        Command::new("mount")
            .args(["-o", &format!("remount,{options}")])
            .arg(&self.point)
            .status()
            .is_ok_and(|s| s.success())
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.point).status();
    }
}

#[test]
fn a_full_disk_is_a_clear_error_and_keeps_the_previous_output() {
    let work = setup();
    let disk = work.path().join("disk");
    let Some(fs) = Tmpfs::mount(&disk, "size=256k") else {
        crate::util::skip(
            "a_full_disk_is_a_clear_error_and_keeps_the_previous_output",
            "cannot mount a tmpfs (needs root)",
            None,
        );
        return;
    };
    // A short horizon fits in 256 kB (about 30 files of a 4 kB block or more); then the same file name with a long horizon does not.
    let short = SCENARIO.replace("end = \"2030-12\"", "end = \"2026-03\"");
    work.create("safety.toml", &short);
    let out = disk.to_str().unwrap();
    let first = work.capsim(&[
        "run",
        "safety.toml",
        "--out",
        out,
        "--trials",
        "100",
        "--quiet",
        "--no-charts",
    ]);
    if first.code != 0 {
        crate::util::skip(
            "a_full_disk_is_a_clear_error_and_keeps_the_previous_output",
            &format!(
                "even the small output does not fit in 256 kB here: {}",
                first.stderr.trim()
            ),
            None,
        );
        return;
    }
    let before = snapshot(&disk);
    let long = SCENARIO.replace("end = \"2030-12\"", "end = \"2075-12\"");
    work.create("safety.toml", long);
    let second = work.capsim(&[
        "run",
        "safety.toml",
        "--out",
        out,
        "--trials",
        "100",
        "--quiet",
    ]);
    assert_write_error(&second, "No space left on device");
    let after = snapshot(&disk);
    assert!(
        temp_files(&after).is_empty(),
        "temporary files left on the full disk: {:?}",
        temp_files(&after)
    );
    for (path, bytes) in &after {
        assert!(
            before.get(path) == Some(bytes) || looks_complete(&path.to_string_lossy(), bytes),
            "{} is partial after the disk filled",
            path.display()
        );
    }
    for (path, bytes) in &before {
        // Files replaced before the disk filled are complete new files;
        // the ones not yet reached are untouched.
        if after.get(path) != Some(bytes) {
            assert!(after.contains_key(path), "{} disappeared", path.display());
        }
    }
    drop(fs);
}

#[test]
fn an_unwritable_folder_is_a_clear_error_with_no_partial_files() {
    let work = setup();
    let target = work.path().join("locked");
    // As root, permissions do not stop writes: use a read-only tmpfs instead.
    let _guard;
    if is_root() {
        let Some(fs) = Tmpfs::mount(&target, "size=1m") else {
            crate::util::skip(
                "an_unwritable_folder_is_a_clear_error_with_no_partial_files",
                "running as root and cannot mount a tmpfs",
                None,
            );
            return;
        };
        std::fs::create_dir(target.join("safety")).unwrap();
        std::fs::write(target.join("safety/summary.csv"), "previous\n").unwrap();
        assert!(fs.remount("ro"), "cannot remount the tmpfs read-only");
        _guard = fs;
    } else {
        use std::os::unix::fs::PermissionsExt;
        std::fs::create_dir_all(target.join("safety")).unwrap();
        std::fs::write(target.join("safety/summary.csv"), "previous\n").unwrap();
        std::fs::set_permissions(
            target.join("safety"),
            std::fs::Permissions::from_mode(0o555),
        )
        .unwrap();
    }
    let done = work.capsim(&[
        "run",
        "safety.toml",
        "--out",
        target.to_str().unwrap(),
        "--trials",
        "100",
        "--quiet",
    ]);
    assert_write_error(&done, "locked/safety");
    let after = snapshot(&target);
    assert_eq!(
        after.keys().cloned().collect::<Vec<_>>(),
        vec![PathBuf::from("safety/summary.csv")],
        "files appeared in the unwritable folder"
    );
    assert_eq!(after[Path::new("safety/summary.csv")], b"previous\n");
    if !is_root() {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(
            target.join("safety"),
            std::fs::Permissions::from_mode(0o755),
        );
    }
}

#[test]
fn a_second_run_replaces_only_what_capsim_writes() {
    let work = setup();
    std::fs::create_dir_all(work.path().join("out/safety/mine")).unwrap();
    work.create("out/safety/notes.txt", "my notes\n");
    work.create("out/safety/mine/a.csv", "1,2\n");
    for seed in ["1", "2"] {
        let d = work.capsim(&[
            "run",
            "safety.toml",
            "--out",
            "out",
            "--trials",
            "500",
            "--seed",
            seed,
            "--quiet",
        ]);
        assert_eq!(d.code, 0, "{}", d.stderr);
    }
    assert_eq!(work.read("out/safety/notes.txt"), "my notes\n");
    assert_eq!(work.read("out/safety/mine/a.csv"), "1,2\n");
    let files = snapshot(&work.path().join("out"));
    assert!(temp_files(&files).is_empty(), "{:?}", temp_files(&files));
}
