//! capsim: Monte Carlo simulation of AI compute capacity coming online against
//! the spending commitments that pay for it.
//!
//! The library is free of terminal concerns. Its modules, bottom to top
//! (each uses only those before it; ARCHITECTURE.md has the table):
//!
//! - vocabulary: [`month`] calendar months, [`number`] numbers as text
//!   (every format), [`metric`] the monthly metrics, [`rng`] random
//!   streams keyed by seed, component and trial, [`period`] reporting
//!   periods, [`linalg`] small dense matrices, [`error`] errors with source
//!   positions, [`mod@file`] the one bounded read of a file;
//! - [`distribution`] the distributions of uncertain inputs, each a quantile
//!   function, and [`stats`] accumulators and percentiles over trials;
//! - [`scenario`] reads and validates scenario files;
//! - [`model`] simulates one trial as a pure function of the scenario, the
//!   seed and the trial index;
//! - [`years`] the year-by-year table every run carries, and [`runner`]
//!   runs trials in parallel with deterministic reductions;
//! - [`analysis`] adds per-trial analyses, comparisons, deals and sweeps;
//! - [`export`] writes the CSV, JSON, HTML and SVG outputs;
//! - [`shard`] saves partial run states and merges them;
//! - [`app`] puts them together: one typed request in, one typed result out,
//!   for each of `capsim run`, `merge`, `compare`, `sweep` and `deals`.

// Unsafe code is denied everywhere but `app::folder`, which calls libc.
#![deny(unsafe_code)]

pub mod analysis;
pub mod app;
pub mod distribution;
pub mod error;
pub mod export;
pub mod file;
pub mod linalg;
pub mod metric;
pub mod model;
pub mod month;
pub mod number;
pub mod period;
pub mod rng;
pub mod runner;
pub mod scenario;
pub mod shard;
pub mod stats;
pub mod years;
