//! Checks on the file's text as a whole: sizes that would make reading it
//! slow, before the TOML is parsed, and the TOML reader's messages in the
//! scenario format's terms.

use std::ops::Range;
use std::path::Path;

use super::checker::edit_distance;
use crate::error::{Diagnostic, ScenarioError};
use crate::file::Refused;
use crate::scenario::MAX_ITEMS;

/// The TOML reader's message, with the terms of Rust and serde replaced by
/// the scenario format's and a hint where the usual cause is known.
pub(super) fn explain_toml_error(message: &str, text: &str, span: &Range<usize>) -> String {
    let found = text.get(span.clone()).unwrap_or("").trim();
    let looks_like_month = found.len() >= 6
        && found.len() <= 7
        && found.as_bytes()[4] == b'-'
        && found
            .bytes()
            .enumerate()
            .all(|(i, b)| i == 4 || b.is_ascii_digit());
    if looks_like_month {
        return format!("{message}; months are quoted strings: write \"{found}\"");
    }
    if message == "duplicate key" && !found.is_empty() {
        return format!("`{found}` is defined twice; each key and table may be given only once");
    }
    // An integer outside i64 reaches serde as an i128 or u128 (named in
    // its message, "integer `X` as i128"), or as a u64 that i64 refuses.
    let beyond_i64 = message.contains("` as i128") || message.contains("` as u128");
    let u64_for_i64 =
        message.starts_with("invalid value: integer `") || message.contains("` as u64");
    if (beyond_i64 || u64_for_i64) && message.ends_with("expected i64") {
        return format!("the integer {found} is too large");
    }
    if beyond_i64 {
        return format!(
            "the integer {found} is too large to read (whole numbers go up to 9223372036854775807); write a number this size with a decimal point or an exponent, such as 1e20"
        );
    }
    if message == "floating-point number overflowed" {
        return format!(
            "the number {found} is too large to represent (the largest is about 1.8e308)"
        );
    }
    if let Some(hint) = closest_field(message) {
        return format!("{message}; did you mean `{hint}`?");
    }
    message
        .replace("expected i64", "expected a whole number (no decimal point)")
        .replace("expected f64", "expected a number")
        .replace(
            "expected a sequence",
            "expected a list such as [\"a\", \"b\"]",
        )
}

/// For serde's "unknown field `x`, expected one of `a`, `b`", the known key
/// closest to `x` by edit distance, if at most 2 edits away (the first of
/// equally close ones).
fn closest_field(message: &str) -> Option<&str> {
    let rest = message.strip_prefix("unknown field `")?;
    let (unknown, rest) = rest.split_once('`')?;
    let (_, expected) = rest.split_once("expected")?;
    expected
        .split('`')
        .skip(1)
        .step_by(2)
        .map(|known| (edit_distance(unknown, known), known))
        .filter(|&(d, _)| d <= 2)
        .min_by_key(|&(d, _)| d)
        .map(|(_, known)| known)
}

/// Largest scenario file read, bytes ([`crate::file::MAX_SCENARIO_BYTES`]).
const MAX_FILE_BYTES: usize = crate::file::MAX_SCENARIO_BYTES as usize;

/// The bytes of the scenario file at `path`, read by
/// [`crate::file::read_bounded`]: a regular file of at most
/// [`MAX_FILE_BYTES`], so that a huge file, a folder, a device such as
/// `/dev/zero` or a pipe is refused before it is read. A file over the
/// limit is a diagnostic at its first line; one that is not a regular file
/// cannot be read.
pub(in crate::scenario) fn read_limited(path: &Path) -> Result<Vec<u8>, ScenarioError> {
    let source = match crate::file::read_bounded(path, crate::file::MAX_SCENARIO_BYTES) {
        Ok(bytes) => return Ok(bytes),
        Err(source) => source,
    };
    let Some(Refused::TooLarge { size, .. }) = crate::file::refusal(&source) else {
        return Err(ScenarioError::Read {
            path: path.to_path_buf(),
            source,
        });
    };
    let size = match size {
        Some(n) => format!("is {} MB", n >> 20),
        None => format!("is larger than {} MB", MAX_FILE_BYTES >> 20),
    };
    Err(ScenarioError::Invalid(vec![Diagnostic::whole_file(
        path,
        "",
        format!(
            "the scenario file {size}; at most {} MB is read (a scenario at every limit is a few MB)",
            MAX_FILE_BYTES >> 20
        ),
    )]))
}

/// Checks the sizes that would make reading the file itself slow or
/// memory-hungry, before the TOML is parsed: the file size, and more than
/// [`MAX_ITEMS`] `[[tranche]]`, `[[contract]]`, `[[funding]]`, `[[target]]`
/// or `[[shock]]` headers (reported at the first header past the limit).
pub(super) fn too_large(path: &Path, text: &str) -> Option<Diagnostic> {
    if text.len() > MAX_FILE_BYTES {
        return Some(Diagnostic::whole_file(
            path,
            "",
            format!(
                "the scenario file is {} MB; at most {} MB is read (a scenario at every limit is a few MB)",
                text.len() >> 20,
                MAX_FILE_BYTES >> 20
            ),
        ));
    }
    let kinds = [
        ("tranche", "tranches"),
        ("contract", "contracts"),
        ("funding", "funding events"),
        ("target", "targets"),
        ("shock", "shocks"),
    ];
    let mut counts = [0usize; 5];
    let mut first_over: [Option<usize>; 5] = [None; 5];
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let t = line.trim_start();
        if let Some(rest) = t.strip_prefix("[[") {
            let name = rest.split("]]").next().unwrap_or("").trim();
            if let Some(k) = kinds.iter().position(|(n, _)| *n == name) {
                counts[k] += 1;
                if counts[k] == MAX_ITEMS + 1 {
                    first_over[k] = Some(offset + (line.len() - t.len()));
                }
            }
        }
        offset += line.len();
    }
    let k = (0..kinds.len())
        .filter(|&k| first_over[k].is_some())
        .min_by_key(|&k| first_over[k])?;
    let at = first_over[k].unwrap_or(0);
    let end = text[at..].find(['\n', '\r']).map_or(text.len(), |i| at + i);
    Some(Diagnostic::at(
        path,
        text,
        at..end,
        format!(
            "at most {MAX_ITEMS} {} are allowed, found {}; this is the first one past the limit",
            kinds[k].1, counts[k]
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_fields_get_the_closest_known_key() {
        let m =
            "unknown field `delay_month`, expected one of `name`, `delay_months`, `ramp_months`";
        assert_eq!(closest_field(m), Some("delay_months"));
        let m = "unknown field `colour`, expected one of `dist`, `mean`, `sd`";
        assert_eq!(closest_field(m), None);
        let m = "unknown field `nme`, expected `name`";
        assert_eq!(closest_field(m), Some("name"));
        assert_eq!(closest_field("unknown variant `x`, expected `y`"), None);
        assert_eq!(
            explain_toml_error("unknown field `gww`, expected `gw`", "", &(0..0)),
            "unknown field `gww`, expected `gw`; did you mean `gw`?"
        );
    }

    /// serde's names of Rust types never reach the user.
    #[test]
    fn integers_too_large_are_explained_without_rust_types() {
        let text = "x = 99999999999999999999";
        let span = 4..text.len();
        for message in [
            "invalid type: integer `99999999999999999999` as i128, expected a number or a distribution such as { dist = \"normal\", mean = 1, sd = 0.2 }",
            "invalid type: integer `99999999999999999999` as i128, expected f64",
            "invalid type: integer `99999999999999999999` as u128, expected f64",
        ] {
            let got = explain_toml_error(message, text, &span);
            assert!(
                got.starts_with("the integer 99999999999999999999 is too large to read"),
                "{got}"
            );
            assert!(!got.contains("128") && !got.contains("f64"), "{got}");
        }
        for message in [
            "invalid type: integer `99999999999999999999` as i128, expected i64",
            "invalid value: integer `99999999999999999999`, expected i64",
        ] {
            let got = explain_toml_error(message, text, &span);
            assert_eq!(got, "the integer 99999999999999999999 is too large");
        }
        let got = explain_toml_error("invalid type: string \"a\", expected f64", text, &span);
        assert_eq!(got, "invalid type: string \"a\", expected a number");
    }

    #[test]
    fn at_most_the_limit_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let small = dir.path().join("small.toml");
        std::fs::write(&small, "a = 1\n").unwrap();
        assert_eq!(read_limited(&small).unwrap(), b"a = 1\n");
    }
}
