//! The progress bar of long simulations, on stderr.

use std::io::IsTerminal;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use capsim::app::Progress;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A progress bar per simulation, drawn only for simulations that last more
/// than a second, only on a terminal, and never with `--quiet`; and the
/// warnings of each scenario run, always.
pub(crate) struct Bar {
    quiet: bool,
    /// The current simulation's bar and when it started.
    current: Mutex<Option<(ProgressBar, Instant)>>,
    /// Whether the current bar is drawn yet.
    shown: AtomicBool,
}

impl Bar {
    /// A bar that draws nothing if `quiet`.
    pub(crate) fn new(quiet: bool) -> Bar {
        Bar {
            quiet,
            current: Mutex::new(None),
            shown: AtomicBool::new(false),
        }
    }

    fn current(&self) -> std::sync::MutexGuard<'_, Option<(ProgressBar, Instant)>> {
        self.current.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Progress for Bar {
    fn start(&self, total: u64) {
        // Hidden until it has run for a second (see `advance`).
        let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::hidden());
        if !self.quiet {
            if let Ok(style) = ProgressStyle::with_template(
                "{spinner} [{bar:40}] {human_pos}/{human_len} trials, {per_sec}, eta {eta}",
            ) {
                bar.set_style(style.progress_chars("=> "));
            }
        }
        self.shown.store(false, Ordering::Relaxed);
        *self.current() = Some((bar, Instant::now()));
    }

    fn advance(&self, trials: u64) {
        let Some((bar, started)) = self.current().clone() else {
            return;
        };
        bar.inc(trials);
        if !self.quiet
            && started.elapsed() > Duration::from_secs(1)
            && std::io::stderr().is_terminal()
            && !self.shown.swap(true, Ordering::Relaxed)
        {
            bar.set_draw_target(ProgressDrawTarget::stderr());
        }
    }

    fn finish(&self) {
        if let Some((bar, _)) = self.current().take() {
            bar.finish_and_clear();
        }
    }

    /// The scenario's warnings, as `capsim validate` prints them, even with
    /// `--quiet` (which silences results and progress, not warnings).
    fn loaded(&self, path: &std::path::Path, scenario: &capsim::scenario::Scenario) {
        super::validate::print_warnings(path, scenario);
    }
}
