//! Integration tests of the `capsim` binary.

mod determinism;
mod errors;
mod presentation;
mod run;
mod shard;
mod workdir;
