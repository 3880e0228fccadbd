//! capsim: Monte Carlo simulation of AI compute capacity coming online against
//! the spending commitments that pay for it.
//!
//! The library is free of command-line and terminal concerns:
//! [`scenario`] reads and validates scenario files, [`model`] simulates one
//! trial as a pure function of the scenario and the trial index, [`runner`]
//! runs trials in parallel with deterministic reductions, [`stats`] summarises
//! them and [`export`] writes the CSV and JSON outputs.

pub mod analysis;
pub mod distribution;
pub mod error;
pub mod export;
pub mod linalg;
pub mod metric;
pub mod model;
pub mod month;
pub mod period;
pub mod rng;
pub mod runner;
pub mod scenario;
pub mod shard;
pub mod stats;
