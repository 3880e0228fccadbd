//! Statistics over trials: per-chunk accumulators merged in chunk order, and
//! the final summaries (mean, standard deviation, standard error, percentiles).

mod moments;
mod quantile;

pub use moments::Moments;
pub use quantile::percentile_sorted;

use rayon::prelude::*;

/// Summary statistics of one quantity over all trials.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    /// Trials summarised.
    pub trials: u64,
    /// Mean; `None` when some trials have no value (an event that never happens).
    pub mean: Option<f64>,
    /// Sample standard deviation; `None` as for `mean`.
    pub std_dev: Option<f64>,
    /// Monte Carlo standard error of the mean; `None` as for `mean`.
    pub std_error: Option<f64>,
    /// Requested percentiles, in order; `None` where the percentile falls
    /// among trials in which the event never happens.
    pub percentiles: Vec<Option<f64>>,
}

/// The values of many quantities for a contiguous block of trials, in trial
/// order, with their running moments.
#[derive(Debug, Clone, PartialEq)]
pub struct ChunkAccumulator {
    /// `values[q]` holds quantity `q`'s value in each trial of the chunk.
    values: Vec<Vec<f64>>,
    moments: Vec<Moments>,
    /// Whether quantity `q` has had a non-finite value ("never").
    never: Vec<bool>,
}

impl ChunkAccumulator {
    /// An empty accumulator for `quantities` quantities and up to `capacity` trials.
    pub fn new(quantities: usize, capacity: usize) -> ChunkAccumulator {
        ChunkAccumulator {
            values: (0..quantities)
                .map(|_| Vec::with_capacity(capacity))
                .collect(),
            moments: vec![Moments::default(); quantities],
            never: vec![false; quantities],
        }
    }

    /// Adds one trial's values, one per quantity.
    pub fn push(&mut self, trial_values: &[f64]) {
        debug_assert_eq!(trial_values.len(), self.values.len());
        for (q, &x) in trial_values.iter().enumerate() {
            self.values[q].push(x);
            if x.is_finite() {
                self.moments[q].push(x);
            } else {
                self.never[q] = true;
            }
        }
    }

    /// Appends the trials of `next`, which follow this chunk's.
    pub fn merge(&mut self, next: ChunkAccumulator) {
        for (q, v) in next.values.into_iter().enumerate() {
            self.values[q].extend(v);
            self.moments[q].merge(&next.moments[q]);
            self.never[q] |= next.never[q];
        }
    }

    /// Number of trials held.
    pub fn trials(&self) -> usize {
        self.values.first().map_or(0, Vec::len)
    }

    /// Summaries of every quantity at the given percentiles (in percent).
    pub fn summarise(self, percentiles: &[f64]) -> Vec<Summary> {
        self.values
            .into_par_iter()
            .zip(self.moments.into_par_iter())
            .zip(self.never.into_par_iter())
            .map(|((mut v, m), never)| {
                let trials = v.len() as u64;
                v.sort_unstable_by(f64::total_cmp);
                let percentiles = percentiles
                    .iter()
                    .map(|p| percentile_sorted(&v, *p))
                    .collect();
                let known = |x: f64| (!never).then_some(x);
                Summary {
                    trials,
                    mean: known(m.mean()),
                    std_dev: known(m.std_dev()),
                    std_error: known(m.std_error()),
                    percentiles,
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merged_chunks_summarise_like_one() {
        let data: Vec<f64> = (0..100).map(|i| ((i * 7919) % 100) as f64).collect();
        let mut whole = ChunkAccumulator::new(1, 100);
        data.iter().for_each(|x| whole.push(&[*x]));
        let mut a = ChunkAccumulator::new(1, 50);
        let mut b = ChunkAccumulator::new(1, 50);
        data[..50].iter().for_each(|x| a.push(&[*x]));
        data[50..].iter().for_each(|x| b.push(&[*x]));
        a.merge(b);
        let p = [5.0, 50.0, 95.0];
        let (s1, s2) = (whole.summarise(&p), a.summarise(&p));
        assert_eq!(s1[0].percentiles, s2[0].percentiles);
        assert_eq!(s1[0].percentiles[1], Some(49.5));
        assert!((s1[0].mean.unwrap() - s2[0].mean.unwrap()).abs() < 1e-12);
    }
}
