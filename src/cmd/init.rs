//! `capsim init [PATH]`: write a commented starter scenario.

use std::io::Write;

use crate::Failure;
use crate::cli::InitArgs;

/// The starter scenario: small, realistic, every table, each key explained.
/// A test checks that it validates and runs as written.
pub const TEMPLATE: &str = include_str!("init_template.toml");

/// [`TEMPLATE`] with its "Try it" lines naming the file written and its
/// output folder (the template says `scenario.toml`).
fn starter(path: &std::path::Path) -> String {
    let name = path.display().to_string();
    let stem = capsim::app::scenario_stem(path).unwrap_or_else(|| "scenario".into());
    TEMPLATE
        .replacen(
            "capsim validate scenario.toml   #",
            &format!("capsim validate {name}   #"),
            1,
        )
        .replacen(
            "capsim run scenario.toml        # writes output/scenario/:",
            &format!("capsim run {name}        # writes output/{stem}/:"),
            1,
        )
}

/// Writes [`TEMPLATE`] to the path given (default `scenario.toml`); refuses to
/// replace an existing file unless `--force`.
pub fn run(args: InitArgs) -> Result<(), Failure> {
    let path = &args.path;
    let file = if args.force {
        std::fs::File::create(path)
    } else {
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(path)
    };
    let mut file = file.map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            Failure::Input(format!(
                "error: {} already exists; choose another path or add --force to replace it",
                path.display()
            ))
        } else {
            Failure::Other(format!("cannot write {}: {e}", path.display()))
        }
    })?;
    file.write_all(starter(path).as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(|e| Failure::Other(format!("cannot write {}: {e}", path.display())))?;
    outln!(
        "wrote {p}: a starter scenario; edit it, then run `capsim validate {p}` and `capsim run {p}`",
        p = path.display()
    );
    Ok(())
}
