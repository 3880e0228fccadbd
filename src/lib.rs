//! capsim: Monte Carlo simulation of AI compute capacity coming online against
//! the spending commitments that pay for it.
//!
//! The library is free of command-line and terminal concerns:
//! [`scenario`] reads and validates scenario files, [`model`] simulates one
//! trial as a pure function of the scenario and the trial index, [`runner`]
//! runs trials in parallel with deterministic reductions, [`stats`] summarises
//! them, [`analysis`] adds per-trial analyses, comparisons and sweeps, and
//! [`export`] writes the CSV, JSON, HTML and SVG outputs. [`app`] puts them
//! together: one typed request in, one typed result out, for each of
//! `capsim run`, `merge`, `compare` and `sweep`.

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
