//! One file per subcommand: each maps its arguments to a library request
//! ([`capsim::app`]) and prints the result.

pub mod bench;
pub(crate) mod colour;
pub mod compare;
pub mod deals;
pub(crate) mod failure;
pub mod init;
pub mod merge;
pub(crate) mod progress;
pub mod run;
pub(crate) mod summary;
pub mod sweep;
pub mod validate;
pub(crate) mod years;

/// Prints notes (such as a stale lock taken over) on stderr, even with
/// `--quiet`.
pub(crate) fn print_notes(notes: &[String]) {
    for n in notes {
        eprintln!("note: {n}");
    }
}
