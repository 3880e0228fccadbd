//! Integration tests of the `capsim` binary.

mod determinism;
mod errors;
mod run;
mod workdir;
