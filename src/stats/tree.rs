//! A canonical merge order over chunk indices.
//!
//! Floating-point merges are not associative, so the order in which chunk
//! summaries are combined must not depend on threads, batches or shards. Here
//! chunk `i` is the leaf `(0, i)`, and node `(level, k)` is always
//! `merge(node(level-1, 2k), node(level-1, 2k+1))`: whoever holds both
//! children combines them, and the root is the left-to-right fold of the
//! maximal nodes. Any split of the chunks into contiguous parts therefore
//! reduces to bit-identical totals.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// A value that can absorb a value summarising the items right after its own.
pub trait Mergeable: Clone {
    /// Merges `right` (the later items) into `self`.
    fn merge_right(&mut self, right: &Self);
}

/// Partial results keyed by their dyadic block of chunks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DyadicReducer<T> {
    /// `(level, index)` covers chunks `[index << level, (index + 1) << level)`.
    nodes: BTreeMap<(u32, u64), T>,
}

impl<T> Default for DyadicReducer<T> {
    fn default() -> Self {
        DyadicReducer {
            nodes: BTreeMap::new(),
        }
    }
}

impl<T: Mergeable> DyadicReducer<T> {
    /// Adds the summary of chunk `index`.
    pub fn insert(&mut self, index: u64, value: T) {
        self.insert_node(0, index, value);
    }

    fn insert_node(&mut self, mut level: u32, mut index: u64, mut value: T) {
        loop {
            let sibling = (level, index ^ 1);
            match self.nodes.remove(&sibling) {
                Some(other) => {
                    if index & 1 == 0 {
                        value.merge_right(&other);
                    } else {
                        let mut left = other;
                        left.merge_right(&value);
                        value = left;
                    }
                    level += 1;
                    index >>= 1;
                }
                None => {
                    self.nodes.insert((level, index), value);
                    return;
                }
            }
        }
    }

    /// Absorbs another reducer's nodes (for example a shard's).
    pub(crate) fn absorb(&mut self, other: DyadicReducer<T>) {
        for ((level, index), value) in other.nodes {
            self.insert_node(level, index, value);
        }
    }

    /// The total: the maximal nodes folded left to right. `None` if empty.
    pub fn total(&self) -> Option<T> {
        let mut nodes: Vec<(&(u32, u64), &T)> = self.nodes.iter().collect();
        // Order by first chunk covered.
        nodes.sort_by_key(|((level, index), _)| index << level);
        let mut iter = nodes.into_iter();
        let mut acc = iter.next()?.1.clone();
        for (_, v) in iter {
            acc.merge_right(v);
        }
        Some(acc)
    }

    /// Number of nodes held (at most about twice log2 of the chunks when the
    /// chunks form one contiguous range).
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Whether nothing has been inserted.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// String concatenation is associative but not commutative: it shows the
    /// order; a float sum shows the grouping.
    #[derive(Clone, Debug, PartialEq)]
    struct Probe(String, f64);

    impl Mergeable for Probe {
        fn merge_right(&mut self, right: &Self) {
            self.0.push_str(&right.0);
            self.1 += right.1;
        }
    }

    fn leaf(i: u64) -> Probe {
        Probe(format!("{i},"), 0.1 * (i as f64 + 1.0).sqrt())
    }

    #[test]
    fn any_split_gives_bit_identical_totals() {
        for n in [1u64, 2, 3, 7, 8, 13, 64, 100] {
            let mut whole = DyadicReducer::default();
            for i in 0..n {
                whole.insert(i, leaf(i));
            }
            let want = whole.total().unwrap();
            let order: String = (0..n).map(|i| format!("{i},")).collect();
            assert_eq!(want.0, order);
            for parts in 1..=n.min(5) {
                let mut merged = DyadicReducer::default();
                // Shards inserted in reverse order, each in reverse order.
                for p in (0..parts).rev() {
                    let mut shard = DyadicReducer::default();
                    for i in (p * n / parts..(p + 1) * n / parts).rev() {
                        shard.insert(i, leaf(i));
                    }
                    merged.absorb(shard);
                }
                let got = merged.total().unwrap();
                assert_eq!(got.0, want.0);
                assert_eq!(got.1.to_bits(), want.1.to_bits(), "n {n} parts {parts}");
            }
        }
    }

    #[test]
    fn node_count_stays_logarithmic() {
        let mut r = DyadicReducer::default();
        for i in 0..1000 {
            r.insert(i, leaf(i));
            assert!(r.len() <= 10);
        }
    }
}
