//! The one pass and the refinement after it, as every sketched summary
//! (a run's, a shard's, a comparison's) does them: a pilot brackets each
//! percentile, the pass counts every trial against the brackets while it
//! fills the accumulators, and whatever the counts leave open is refined in
//! further passes over the same trials.

use std::ops::Range;

use crate::stats::{Goal, PassTally, QuantityAccumulator, Refined, Refinement};

use super::pilot::Pilot;
use super::{Counting, accumulate, refine};

/// How a row's trials are written: `rows(first, last, buffer)` overwrites
/// `buffer` with the rows of trials `first..last`.
pub(crate) type Rows<'a> = &'a (dyn Fn(u64, u64, &mut [f64]) + Sync);

/// Which percentiles of each column of a row are reported, and how exactly.
pub(crate) trait Reported: Sync {
    /// The percentiles of column `column`, in percent.
    fn list(&self, column: usize) -> &[f64];
    /// How far column `column`'s percentiles are refined.
    fn goal(&self, column: usize) -> Goal;
}

/// Fills `accumulators` from the chunks in `chunks` of a run of `trials`
/// trials, as [`accumulate`] does, counting every trial against brackets
/// from the run's pilot (simulated with `pilot_rows`, which may keep trials
/// that `rows` does not need to). The pilot's own chunks are summarised from
/// it, not simulated again, and it is dropped before the rest of the pass.
/// Returns the brackets and what the pass counted. Call inside the run's
/// pool.
#[allow(clippy::too_many_arguments)]
pub(crate) fn accumulate_counting(
    trials: u64,
    chunks: Range<u64>,
    threads: usize,
    accumulators: &mut [QuantityAccumulator],
    rows: Rows,
    pilot_rows: Rows,
    reported: &dyn Reported,
    progress: &(dyn Fn(u64) + Sync),
) -> Option<(Refinement, PassTally)> {
    let width = accumulators.len();
    let pilot = Pilot::simulate(Pilot::length(trials, width), width, pilot_rows);
    let sketched = (0..width).filter(|&c| accumulators[c].sketch().is_some());
    let refinement = pilot.refinement(trials, sketched, |c| reported.list(c), |c| reported.goal(c));
    let held = chunks.start..pilot.whole_chunks(trials).clamp(chunks.start, chunks.end);
    let pass = |range: Range<u64>, pilot: Option<&Pilot>, accs: &mut [QuantityAccumulator]| {
        let counting = Counting {
            pilot,
            refinement: &refinement,
        };
        accumulate(trials, range, threads, accs, rows, Some(counting), progress)
    };
    let first = pass(held.clone(), Some(&pilot), accumulators);
    drop(pilot);
    let rest = pass(held.end..chunks.end, None, accumulators);
    let tally = match (first, rest) {
        (Some(mut a), Some(b)) => {
            a.merge(b);
            a
        }
        (a, b) => a.or(b)?,
    };
    Some((refinement, tally))
}

/// Refines the sketched percentiles of `accumulators` (a whole run of
/// `trials` trials, whose rows `rows` writes): what the pass counted
/// against the pilot's brackets (`counted`, if it fits them) is taken in
/// first, then further passes over the trials finish what is left. Gives,
/// per column, its refined percentiles (by index in its list), and the
/// refinement.
pub(crate) fn refine_counted(
    accumulators: &[QuantityAccumulator],
    trials: u64,
    rows: Rows,
    reported: &dyn Reported,
    counted: Option<(Refinement, PassTally)>,
) -> (Vec<Vec<(usize, Refined)>>, Refinement) {
    let list = |c| reported.list(c);
    let goal = |c| reported.goal(c);
    let mut refinement = Refinement::new(accumulators, list, goal);
    if let Some((mut brackets, tally)) = counted {
        if brackets.tally().same_shape(&tally) && tally.counts_within(trials) {
            brackets.calibrate(accumulators);
            brackets.advance(tally);
            refinement.adopt(&brackets);
        }
    }
    if !refinement.is_done() {
        refine(trials, accumulators.len(), &mut refinement, rows);
    }
    let mut refined = vec![Vec::new(); accumulators.len()];
    for (column, index, r) in refinement.results() {
        refined[column].push((index, r));
    }
    (refined, refinement)
}
