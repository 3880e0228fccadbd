//! `capsim bench`: trials per second and peak memory of whole runs, each in
//! a fresh process so that peak memory is the run's own.

use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

use crate::Failure;
use crate::cli::BenchArgs;

/// One measured run.
struct Measurement {
    seconds: f64,
    /// Peak resident memory, MB; known on Unix only.
    peak_mb: Option<f64>,
}

/// Every measurement of one trial count and thread count.
struct Measured {
    trials: u64,
    threads: u64,
    runs: Vec<Measurement>,
}

impl Measured {
    /// The fastest run's wall time, s: the least disturbed by other work on
    /// the machine.
    fn best(&self) -> f64 {
        self.runs
            .iter()
            .map(|m| m.seconds)
            .fold(f64::INFINITY, f64::min)
    }

    /// The median wall time, s (the lower middle for an even count).
    fn median(&self) -> f64 {
        let mut s: Vec<f64> = self.runs.iter().map(|m| m.seconds).collect();
        s.sort_by(f64::total_cmp);
        s[(s.len() - 1) / 2]
    }

    /// The largest peak resident memory of the runs, MB, as shown: `-` where
    /// it is not measured.
    fn peak_mb(&self) -> String {
        let peaks: Option<Vec<f64>> = self.runs.iter().map(|m| m.peak_mb).collect();
        peaks.map_or("-".into(), |p| {
            format!("{:.0}", p.into_iter().fold(0.0, f64::max))
        })
    }
}

/// Runs `capsim run` for every trial count and thread count asked for,
/// `--repeat` times each (the thread counts alternating, so that a slow
/// spell of the machine hits all of them), and prints a table (Markdown, for
/// BENCHMARKS.md). Trials per second and speed-ups come from the best times.
pub fn run(args: BenchArgs) -> Result<(), Failure> {
    let exe = std::env::current_exe()
        .map_err(|e| Failure::Other(format!("cannot find capsim itself: {e}")))?;
    let out = tempfile::Builder::new()
        .prefix("capsim-bench-")
        .tempdir()
        .map_err(|e| Failure::Other(format!("cannot make a scratch folder: {e}")))?;
    outln!(
        "capsim {} bench: {} ({} cores available, each measurement {} time{})",
        env!("CARGO_PKG_VERSION"),
        args.scenario.display(),
        std::thread::available_parallelism().map_or(1, |n| n.get()),
        args.repeat,
        if args.repeat == 1 { "" } else { "s" }
    );
    outln!("");
    outln!(
        "| trials | threads | best wall time (s) | median wall time (s) | trials/s (best) | peak memory (MB) |"
    );
    outln!("|---:|---:|---:|---:|---:|---:|");
    let mut results: Vec<Measured> = Vec::new();
    for &trials in &args.trials {
        let mut rows: Vec<Measured> = args
            .threads
            .iter()
            .map(|&threads| Measured {
                trials,
                threads,
                runs: Vec::new(),
            })
            .collect();
        for _ in 0..args.repeat {
            for row in &mut rows {
                let m = measure(
                    &exe,
                    &args.scenario,
                    out.path().into(),
                    trials,
                    row.threads,
                    args.charts,
                )?;
                row.runs.push(m);
            }
        }
        for row in &rows {
            outln!(
                "| {} | {} | {:.2} | {:.2} | {:.0} | {} |",
                row.trials,
                row.threads,
                row.best(),
                row.median(),
                row.trials as f64 / row.best(),
                row.peak_mb()
            );
        }
        results.extend(rows);
    }
    outln!("");
    for &trials in &args.trials {
        let time = |t: u64| {
            results
                .iter()
                .find(|m| m.trials == trials && m.threads == t)
                .map(Measured::best)
        };
        if let (Some(one), Some(two)) = (time(1), time(2)) {
            outln!(
                "speed-up from 1 to 2 threads at {trials} trials: {:.2}x (best times)",
                one / two
            );
        }
    }
    Ok(())
}

fn measure(
    exe: &PathBuf,
    scenario: &PathBuf,
    out: PathBuf,
    trials: u64,
    threads: u64,
    charts: bool,
) -> Result<Measurement, Failure> {
    let mut cmd = Command::new(exe);
    cmd.arg("run")
        .arg(scenario)
        .args([
            "--trials",
            &trials.to_string(),
            "--threads",
            &threads.to_string(),
            "--quiet",
        ])
        .arg("--out")
        .arg(&out);
    if !charts {
        cmd.arg("--no-charts");
    }
    // The run's warnings (the same each time) go to a file, shown only if
    // it fails, so that they do not interleave with the table.
    let log_path = out.join("bench-run-stderr.txt");
    let log = std::fs::File::create(&log_path)
        .map_err(|e| Failure::Other(format!("cannot create {}: {e}", log_path.display())))?;
    cmd.stderr(log);
    let started = Instant::now();
    let child = cmd
        .spawn()
        .map_err(|e| Failure::Other(format!("cannot start capsim: {e}")))?;
    let (ok, peak_kb) = wait_with_peak_memory(child)?;
    let seconds = started.elapsed().as_secs_f64();
    if !ok {
        let stderr = capsim::file::read_text_bounded(&log_path, capsim::file::MAX_OWN_FILE_BYTES)
            .unwrap_or_default();
        return Err(Failure::Other(format!(
            "capsim run {} --trials {trials} --threads {threads} failed:\n{}",
            scenario.display(),
            stderr.trim_end()
        )));
    }
    Ok(Measurement {
        seconds,
        peak_mb: peak_kb.map(|kb| kb as f64 / 1024.0),
    })
}

/// Waits for the child and returns whether it succeeded and its peak resident
/// memory in KiB (from the kernel's resource accounting).
#[cfg(unix)]
#[allow(unsafe_code)] // libc::wait4 is the only way to a child's peak memory
fn wait_with_peak_memory(child: std::process::Child) -> Result<(bool, Option<i64>), Failure> {
    let pid = child.id() as libc::pid_t;
    let mut status: libc::c_int = 0;
    // SAFETY: rusage is plain data the kernel fills in; pid is our child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let r = unsafe { libc::wait4(pid, &raw mut status, 0, &raw mut usage) };
    if r != pid {
        return Err(Failure::Other(format!(
            "waiting for capsim failed: {}",
            std::io::Error::last_os_error()
        )));
    }
    let ok = libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0;
    // Linux reports ru_maxrss in KiB.
    Ok((ok, Some(usage.ru_maxrss)))
}

/// Waits for the child and returns whether it succeeded; peak memory is not
/// measured off Unix.
#[cfg(not(unix))]
fn wait_with_peak_memory(mut child: std::process::Child) -> Result<(bool, Option<i64>), Failure> {
    let status = child
        .wait()
        .map_err(|e| Failure::Other(format!("waiting for capsim failed: {e}")))?;
    Ok((status.success(), None))
}
