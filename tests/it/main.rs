//! Integration tests, all in one binary so that the crate is linked once
//! (the layout of xsv's tests): `cli/` runs the `capsim` binary subcommand by
//! subcommand, each other module tests one theme through the library or the
//! binary, and `util` holds what they share.

mod analysis;
mod bad_inputs;
mod cli;
mod correlation;
mod deals;
mod distributions;
mod exports;
mod fuzz_corpus;
mod inputs;
mod known_answers;
mod output_safety;
mod precision;
mod properties;
mod safety;
mod sources;
mod structure;
mod util;
mod validation;
mod years;
