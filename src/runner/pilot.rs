//! The pilot of a sketched run: its first trials, every value kept, from
//! which each percentile gets a bracket before the run's one pass (see
//! [`Refinement::from_pilot`]). The pass then counts every trial against the
//! brackets as it summarises it, so most percentiles are exact, or bounded,
//! without simulating the trials again.
//!
//! The pilot is trials `0..trials` whatever the thread count or shard, so
//! every shard of a run derives the same brackets and their tallies add.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::stats::{Goal, PassTally, Refinement};

use super::{CHUNK_TRIALS, TILE_ROWS, transpose};

/// Trials in a pilot at most: enough for brackets a few percent of the
/// values wide (at the median, 5 standard deviations of the rank either
/// side are 11% of the values).
pub(crate) const PILOT_TRIALS: u64 = 2048;

/// Bytes a pilot's values take at most (a scenario with many quantities has
/// a shorter pilot).
const PILOT_BYTES: u64 = 32 << 20;

/// The first trials of a run, column by column.
pub(crate) struct Pilot {
    /// Trials kept.
    trials: usize,
    /// `trials` values of the first column of a row, then of the second...
    columns: Vec<f64>,
}

impl Pilot {
    /// The pilot's length for a run of `trials` trials of rows of `width`
    /// values: whole tiles, within [`PILOT_TRIALS`] and [`PILOT_BYTES`].
    pub(crate) fn length(trials: u64, width: usize) -> usize {
        let by_bytes = PILOT_BYTES / (8 * width.max(1) as u64);
        let n = trials.min(PILOT_TRIALS).min(by_bytes.max(TILE_ROWS as u64));
        let whole = n / TILE_ROWS as u64 * TILE_ROWS as u64;
        (if whole == 0 { n } else { whole }) as usize
    }

    /// Simulates the first `trials` trials, whose rows of `width` values
    /// `rows` writes, in parallel tiles on the current pool.
    pub(crate) fn simulate(
        trials: usize,
        width: usize,
        rows: &(dyn Fn(u64, u64, &mut [f64]) + Sync),
    ) -> Pilot {
        let mut columns = vec![0.0; trials * width];
        let tiles: Vec<usize> = (0..trials).step_by(TILE_ROWS).collect();
        // A few tiles per thread at a time, so that the tiles in flight take
        // little memory beside the pilot.
        let batch = 2 * rayon::current_num_threads().max(1);
        for starts in tiles.chunks(batch) {
            let done: Vec<(usize, Vec<f64>)> = starts
                .par_iter()
                .map(|&first| {
                    let last = (first + TILE_ROWS).min(trials);
                    let n = last - first;
                    let mut buffer = vec![0.0; n * width];
                    rows(first as u64, last as u64, &mut buffer);
                    let mut tile = vec![0.0; n * width];
                    transpose(&buffer, width, &mut tile);
                    (first, tile)
                })
                .collect();
            for (first, tile) in done {
                let n = tile.len() / width.max(1);
                for (c, column) in tile.chunks_exact(n.max(1)).enumerate() {
                    columns[c * trials + first..c * trials + first + n].copy_from_slice(column);
                }
            }
        }
        Pilot { trials, columns }
    }

    /// Chunks of the run the pilot holds whole (a last, partial chunk of a
    /// run shorter than the pilot counts as whole).
    pub(crate) fn whole_chunks(&self, trials: u64) -> u64 {
        let held = self.trials as u64;
        if held >= trials {
            trials.div_ceil(CHUNK_TRIALS)
        } else {
            held / CHUNK_TRIALS
        }
    }

    /// Writes the tile of trials `first..last` column by column into
    /// `columns`, if the pilot holds them all.
    pub(crate) fn tile(&self, first: u64, last: u64, columns: &mut [f64]) -> bool {
        if last > self.trials as u64 || first >= last {
            return false;
        }
        let (first, n) = (first as usize, (last - first) as usize);
        for (c, out) in columns.chunks_exact_mut(n).enumerate() {
            let at = c * self.trials + first;
            out.copy_from_slice(&self.columns[at..at + n]);
        }
        true
    }

    /// The refinement whose brackets this pilot gives a run of `total`
    /// trials: percentiles `list(column)` of each column in `columns`,
    /// refined as `goal(column)` says.
    pub(crate) fn refinement<'p>(
        &self,
        total: u64,
        columns: impl IntoIterator<Item = usize>,
        list: impl Fn(usize) -> &'p [f64],
        goal: impl Fn(usize) -> Goal,
    ) -> Refinement {
        Refinement::from_pilot(&self.columns, self.trials, total, columns, list, goal)
    }
}

/// What a sketched run's pass counted against its pilot's brackets, saved
/// with the run's state so that shards add their counts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PilotTally {
    /// The percentiles the brackets are for (the run's).
    pub(crate) percentiles: Vec<f64>,
    /// The probes, before the pass. Not saved: a merge derives them from
    /// the pilot again (a few thousand trials), so that a state file
    /// cannot carry brackets its counts do not fit.
    #[serde(skip)]
    pub(crate) refinement: Option<Refinement>,
    /// What the pass counted.
    pub(crate) tally: PassTally,
}

impl PilotTally {
    /// Adds the tally of a later part of the same run; `None` when the
    /// parts were counted against different brackets.
    pub(crate) fn absorb(mut self, later: PilotTally) -> Option<PilotTally> {
        let same_brackets = match (&self.refinement, &later.refinement) {
            (Some(a), Some(b)) => a == b,
            _ => self.tally.same_shape(&later.tally),
        };
        if !same_brackets || self.percentiles != later.percentiles {
            return None;
        }
        self.refinement = self.refinement.or(later.refinement);
        self.tally.merge(later.tally);
        Some(self)
    }
}
