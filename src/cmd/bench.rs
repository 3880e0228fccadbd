//! `capsim bench`: trials per second and peak memory of whole runs, each in
//! a fresh process so that peak memory is the run's own.

use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

use crate::Failure;
use crate::cli::BenchArgs;

/// One measured run.
struct Measurement {
    trials: u64,
    threads: u64,
    seconds: f64,
    peak_mb: f64,
}

/// Runs `capsim run` for every trial count and thread count asked for and
/// prints a table (Markdown, for BENCHMARKS.md).
pub fn run(args: BenchArgs) -> Result<(), Failure> {
    let exe = std::env::current_exe()
        .map_err(|e| Failure::Other(format!("cannot find capsim itself: {e}")))?;
    let out = tempfile::Builder::new()
        .prefix("capsim-bench-")
        .tempdir()
        .map_err(|e| Failure::Other(format!("cannot make a scratch folder: {e}")))?;
    println!(
        "capsim {} bench: {} ({} cores available)",
        env!("CARGO_PKG_VERSION"),
        args.scenario.display(),
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    println!();
    println!("| trials | threads | wall time (s) | trials/s | peak memory (MB) |");
    println!("|---:|---:|---:|---:|---:|");
    let mut results = Vec::new();
    for &trials in &args.trials {
        for &threads in &args.threads {
            let m = measure(
                &exe,
                &args.scenario,
                out.path().into(),
                trials,
                threads,
                args.charts,
            )?;
            println!(
                "| {} | {} | {:.2} | {:.0} | {:.0} |",
                m.trials,
                m.threads,
                m.seconds,
                m.trials as f64 / m.seconds,
                m.peak_mb
            );
            results.push(m);
        }
    }
    println!();
    for &trials in &args.trials {
        let time = |t: u64| {
            results
                .iter()
                .find(|m| m.trials == trials && m.threads == t)
                .map(|m| m.seconds)
        };
        if let (Some(one), Some(two)) = (time(1), time(2)) {
            println!(
                "speed-up from 1 to 2 threads at {trials} trials: {:.2}x",
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
        .arg(out);
    if !charts {
        cmd.arg("--no-charts");
    }
    let started = Instant::now();
    let child = cmd
        .spawn()
        .map_err(|e| Failure::Other(format!("cannot start capsim: {e}")))?;
    let (ok, peak_kb) = wait_with_peak_memory(child)?;
    let seconds = started.elapsed().as_secs_f64();
    if !ok {
        return Err(Failure::Other(format!(
            "capsim run {} --trials {trials} --threads {threads} failed",
            scenario.display()
        )));
    }
    Ok(Measurement {
        trials,
        threads,
        seconds,
        peak_mb: peak_kb as f64 / 1024.0,
    })
}

/// Waits for the child and returns whether it succeeded and its peak resident
/// memory in KiB (from the kernel's resource accounting).
#[cfg(unix)]
fn wait_with_peak_memory(child: std::process::Child) -> Result<(bool, i64), Failure> {
    let pid = child.id() as libc::pid_t;
    let mut status: libc::c_int = 0;
    // SAFETY: rusage is plain data the kernel fills in; pid is our child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    if r != pid {
        return Err(Failure::Other(format!(
            "waiting for capsim failed: {}",
            std::io::Error::last_os_error()
        )));
    }
    let ok = libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0;
    // Linux reports ru_maxrss in KiB.
    Ok((ok, usage.ru_maxrss))
}

#[cfg(not(unix))]
fn wait_with_peak_memory(mut child: std::process::Child) -> Result<(bool, i64), Failure> {
    let status = child
        .wait()
        .map_err(|e| Failure::Other(format!("waiting for capsim failed: {e}")))?;
    Ok((status.success(), 0))
}
