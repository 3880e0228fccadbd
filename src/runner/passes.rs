//! Refinement passes: a run's trials simulated again, bit for bit, and their
//! rows counted by a [`Refinement`] until every sketched percentile meets its
//! goal (see [`crate::stats::Refinement`]).

use rayon::prelude::*;

use crate::stats::{PassTally, Refinement};

use super::{CHUNK_TRIALS, TILE_ROWS, transpose};

/// Parts a pass is split into at most: each part counts into bins of its
/// own (64 bins of three counters per open percentile), so more parts than
/// this would cost more memory than they save time.
const MAX_PARTS: u64 = 8;

/// Runs passes over trials `0..trials`, whose rows of `width` values `rows`
/// writes (as [`super::accumulate`]'s), until `refinement` is done, on the
/// current thread pool. Each part of a pass is a contiguous range of trials;
/// tallies merge exactly, so the result does not depend on the parts.
pub(crate) fn refine(
    trials: u64,
    width: usize,
    refinement: &mut Refinement,
    rows: &(dyn Fn(u64, u64, &mut [f64]) + Sync),
) {
    let chunks = trials.div_ceil(CHUNK_TRIALS);
    let parts = (rayon::current_num_threads() as u64)
        .clamp(1, MAX_PARTS)
        .min(chunks.max(1));
    let bound = |k: u64| (chunks * k / parts * CHUNK_TRIALS).min(trials);
    while !refinement.is_done() {
        let r = &*refinement;
        let tallies: Vec<PassTally> = (0..parts)
            .into_par_iter()
            .map(|k| {
                let mut tally = r.tally();
                let mut buffer = vec![0.0; TILE_ROWS * width];
                let mut columns = vec![0.0; TILE_ROWS * width];
                let (first, last) = (bound(k), bound(k + 1));
                for tile in (first..last).step_by(TILE_ROWS) {
                    let end = (tile + TILE_ROWS as u64).min(last);
                    let n = (end - tile) as usize;
                    let buffer = &mut buffer[..n * width];
                    rows(tile, end, buffer);
                    let columns = &mut columns[..n * width];
                    transpose(buffer, width, columns);
                    r.observe_columns(&mut tally, columns, n);
                }
                tally
            })
            .collect();
        let mut tallies = tallies.into_iter();
        let Some(mut all) = tallies.next() else {
            return;
        };
        for t in tallies {
            all.merge(t);
        }
        refinement.advance(all);
    }
}
