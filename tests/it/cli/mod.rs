//! Integration tests of the `capsim` binary.

mod compare;
mod determinism;
mod errors;
mod presentation;
mod run;
mod shard;
mod sweep;
mod workdir;
