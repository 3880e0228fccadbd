//! What the integration tests share: `Workdir` (after xsv's test helper),
//! in which a test gets its own folder, writes files and runs the capsim
//! binary; the files below a folder; CSV tables; a library run with the
//! usual settings; `SMALL`, a valid scenario with every section; and
//! `KNOWN`, a small scenario whose drivers are known.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use capsim::runner::{RunConfig, RunResult, run};
use capsim::scenario::Scenario;

/// A temporary folder for one test; removed when dropped.
pub struct Workdir {
    dir: tempfile::TempDir,
}

/// The outcome of one capsim invocation.
pub struct Run {
    /// The exit code; -1 if a signal ended the process.
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Workdir {
    /// A new empty folder.
    pub fn new() -> Workdir {
        Workdir {
            dir: tempfile::Builder::new()
                .prefix("capsim-test-")
                .tempdir()
                .expect("temp dir"),
        }
    }

    /// The folder's absolute path.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes `content` to `name` inside the folder and returns its path.
    pub fn create(&self, name: &str, content: impl AsRef<[u8]>) -> PathBuf {
        let path = self.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(&path, content).unwrap();
        path
    }

    /// The capsim command with `args`, to run in the folder: no colour, no
    /// backtraces, nothing on stdin (so a spawned run never waits for input).
    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_capsim"));
        command
            .args(args)
            .current_dir(self.path())
            .env("NO_COLOR", "1")
            .env_remove("RUST_BACKTRACE")
            .stdin(Stdio::null());
        command
    }

    /// Runs capsim with `args` in the folder.
    pub fn capsim(&self, args: &[&str]) -> Run {
        let out: Output = self.command(args).output().expect("capsim runs");
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
            stderr: String::from_utf8(out.stderr).expect("stderr is UTF-8"),
        }
    }

    /// Reads a file in the folder.
    pub fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.path().join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
    }

    /// Whether `name` exists in the folder.
    pub fn exists(&self, name: &str) -> bool {
        self.path().join(name).exists()
    }

    /// Every file below the folder, relative, sorted.
    pub fn files(&self) -> Vec<String> {
        let mut out: Vec<String> = files_below(self.path())
            .iter()
            .map(|p| p.display().to_string())
            .collect();
        out.sort();
        out
    }

    /// Reads a CSV file in the folder into rows of cells, the header first
    /// (cells may hold quoted commas).
    pub fn read_csv(&self, name: &str) -> Vec<Vec<String>> {
        let text = self.read(name);
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(text.as_bytes());
        reader
            .records()
            .map(|rec| rec.unwrap().iter().map(String::from).collect())
            .collect()
    }
}

impl Run {
    /// Panics with the captured output unless the exit code is `code`.
    pub fn expect_code(&self, code: i32) -> &Run {
        assert_eq!(
            self.code, code,
            "expected exit {code}, got {}\nstdout:\n{}\nstderr:\n{}",
            self.code, self.stdout, self.stderr
        );
        self
    }
}

/// Every file below `dir` (none if it does not exist), relative to it.
pub fn files_below(dir: &Path) -> Vec<PathBuf> {
    fn walk(base: &Path, dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries {
            let p = entry.unwrap().path();
            if p.is_dir() {
                walk(base, &p, out);
            } else {
                out.push(p.strip_prefix(base).unwrap().to_path_buf());
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out
}

/// Every file below `dir`, relative path to contents.
pub fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    files_below(dir)
        .into_iter()
        .map(|p| {
            let bytes = std::fs::read(dir.join(&p)).unwrap();
            (p, bytes)
        })
        .collect()
}

/// The index of the column `name` in a CSV header.
pub fn column(header: &[String], name: &str) -> usize {
    header
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name} in {header:?}"))
}

/// A library run of `scenario`: `trials` trials with seed `seed` on 2
/// threads, reporting the p5, p50 and p95.
pub fn run_trials(scenario: &Scenario, trials: u64, seed: u64) -> RunResult {
    let config = RunConfig {
        trials,
        seed,
        threads: 2,
        exact: false,
        percentiles: vec![5.0, 50.0, 95.0],
    };
    run(scenario, &config, &|_| {}).expect("run")
}

/// A small valid scenario with every section, used by many tests.
pub const SMALL: &str = r#"
[scenario]
name = "small"
start = "2026-01"
end = "2027-12"

[simulation]
trials = 3000
seed = 11

[[tranche]]
name = "site-a"
counterparty = "Cloudco"
gw = 1
planned = "2026-04"
delay_months = { dist = "pert", min = 0, mode = 2, max = 9 }
ramp_months = 3
accelerators_per_gw = 400000
pflops_per_accelerator = 2.5

[[tranche]]
name = "site-b"
counterparty = "Chipco"
status = "option"
p_never = 0.4
gw = { dist = "lognormal", p10 = 0.5, p90 = 1.5 }
planned = "2026-10"
delay_months = { dist = "triangular", min = 0, mode = 1, max = 12 }
accelerators_per_gw = 300000
owned = true

[[contract]]
name = "cloud"
counterparty = "Cloudco"
basis = "pay_as_delivered"
value_usd_bn = 20
start = "2026-01"
term_months = 24
tranches = ["site-a"]

[[contract]]
name = "chips"
counterparty = "Chipco"
basis = "purchase"
value_usd_bn = 40
start = "2026-01"
term_months = 24
tranches = ["site-b"]
usd_bn_per_gw = { dist = "uniform", min = 30, max = 40 }
lead_months = 2

[[contract]]
name = "azure"
counterparty = "Bigcloud"
basis = "take_or_pay"
value_usd_bn = 12
start = "2026-01"
term_months = 24

[revenue]
run_rate_usd_bn = 10
annual_growth = { dist = "lognormal", p10 = 0.3, p90 = 1.2 }
usd_bn_per_gw_year = 10

[costs]
running_usd_bn_per_gw_year = 0.5
other_usd_bn_per_year = 5
revenue_share = 0.1

[cash]
start_usd_bn = 15

[[funding]]
name = "round"
amount_usd_bn = { dist = "uniform", min = 10, max = 30 }
month = "2026-09"
probability = 0.7

[[target]]
name = "two-gw"
metric = "capacity_online_gw"
at_least = 2
"#;

/// Marks the calling test as skipped: writes `SKIP <test>: <why>` straight to
/// the process's standard error, past the test harness's capture, so that a
/// skipped check shows in `cargo test` output instead of passing as a
/// silent `ok`. If the environment variable `required` is set (CI sets
/// `CAPSIM_REQUIRE_BROWSER`), the skip is a failure instead.
pub fn skip(test: &str, why: &str, required: Option<&str>) {
    use std::io::Write;
    if let Some(var) = required {
        assert!(
            std::env::var_os(var).is_none(),
            "{test}: {why}, but {var} is set"
        );
    }
    let _ = writeln!(std::io::stderr().lock(), "SKIP {test}: {why}");
}

/// A scenario whose drivers are known: payments are price x size (price
/// 10-40 per GW, size 0.9-1.1 GW), and the second tranche's delay (0-6
/// months) does not affect payments at all.
pub const KNOWN: &str = r#"
[scenario]
name = "known"
start = "2026-01"
end = "2027-12"

[[tranche]]
name = "t"
counterparty = "c"
gw = { dist = "uniform", min = 0.9, max = 1.1 }
planned = "2026-03"
accelerators_per_gw = 1

[[tranche]]
name = "other"
counterparty = "c"
gw = 1
planned = "2026-03"
delay_months = { dist = "uniform", min = 0, max = 6 }
accelerators_per_gw = 1

[[contract]]
name = "k"
counterparty = "c"
basis = "purchase"
value_usd_bn = 1000
start = "2026-01"
term_months = 24
tranches = ["t"]
usd_bn_per_gw = { dist = "uniform", min = 10, max = 40 }
"#;

/// [`KNOWN`] with the second tranche's delay over 0-12 months and a target
/// that capacity reaches 1.5 GW: payments follow the contract's price and
/// the first tranche's size; the month the second tranche brings capacity
/// to 1.5 GW follows its delay alone.
pub fn known_with_target() -> String {
    let delay = "delay_months = { dist = \"uniform\", min = 0, max = 6 }";
    assert!(KNOWN.contains(delay), "KNOWN's delay changed");
    let longer = KNOWN.replace(delay, &delay.replace("max = 6", "max = 12"));
    longer
        + r#"
[[target]]
name = "half"
metric = "capacity_online_gw"
at_least = 1.5
"#
}
