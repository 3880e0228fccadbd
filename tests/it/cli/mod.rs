//! The `capsim` binary's subcommands on valid and invalid input, each test in
//! its own [`Workdir`](crate::util::Workdir).

mod compare;
mod determinism;
mod errors;
mod presentation;
mod run;
mod shard;
mod sweep;
