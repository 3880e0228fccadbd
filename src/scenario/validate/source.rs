//! Checks on the file's text as a whole: sizes that would make reading it
//! slow, before the TOML is parsed, and the TOML reader's messages in the
//! scenario format's terms.

use std::ops::Range;
use std::path::Path;

use crate::error::Diagnostic;
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
    if message.contains("as i128, expected i64") || message.contains("as u64, expected i64") {
        return format!("the integer {found} is too large");
    }
    if message == "floating-point number overflowed" {
        return format!(
            "the number {found} is too large to represent (the largest is about 1.8e308)"
        );
    }
    message
        .replace("expected i64", "expected a whole number (no decimal point)")
        .replace(
            "expected a sequence",
            "expected a list such as [\"a\", \"b\"]",
        )
}

/// Largest scenario file read, bytes. A scenario at every limit (10,000
/// tranches and contracts, each with comments) is a few MB; reading a much
/// larger file would only use up memory before failing.
const MAX_FILE_BYTES: usize = 64 << 20;

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
