//! The shipped scenarios' citations resolve inside the repository.
//!
//! A scenario comment cites a source by a key in brackets (`[S4]`, `[F1]`,
//! `[D11]`, ...). `scenarios/SOURCES.md` is the reference list: one entry per
//! key, headed `### [KEY]`. These tests check that every key cited in any
//! `scenarios/*.toml` (in comments and strings alike) has such an entry, that
//! no key has two, and that nothing shipped (scenarios, docs, README, source)
//! points at a reference list outside the repository.
//!
//! Keys follow the pattern `\[[A-Z]{1,2}[0-9]{1,3}\]`, matched byte by byte
//! (std only, no regex crate).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::util::files_below;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const SCENARIOS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios");
const SOURCES_MD: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/SOURCES.md");

/// Phrases that point at the project's private context folder, which users
/// never see.
const FORBIDDEN: [&str; 2] = ["shared/context", "domain-parameters"];

/// If a source key starts at `text[at]` (the `[`), its length including both
/// brackets.
fn key_at(text: &[u8], at: usize) -> Option<usize> {
    if text.get(at) != Some(&b'[') {
        return None;
    }
    let mut i = at + 1;
    let letters = text[i..]
        .iter()
        .take_while(|b| b.is_ascii_uppercase())
        .count();
    if !(1..=2).contains(&letters) {
        return None;
    }
    i += letters;
    let digits = text[i..].iter().take_while(|b| b.is_ascii_digit()).count();
    if !(1..=3).contains(&digits) {
        return None;
    }
    i += digits;
    (text.get(i) == Some(&b']')).then_some(i + 1 - at)
}

/// Every source key in `text`, in order, with its 1-based line number.
fn keys_in(text: &[u8]) -> Vec<(String, usize)> {
    let mut keys = Vec::new();
    let mut line = 1;
    let mut i = 0;
    while i < text.len() {
        if text[i] == b'\n' {
            line += 1;
        }
        if let Some(len) = key_at(text, i) {
            keys.push((
                String::from_utf8_lossy(&text[i..i + len]).into_owned(),
                line,
            ));
            i += len;
        } else {
            i += 1;
        }
    }
    keys
}

/// The shipped scenario files, sorted.
fn scenario_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(SCENARIOS)
        .expect("read scenarios/")
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    files
}

/// Every key cited in a scenario, with the places (`file:line`) that cite it.
fn cited_keys() -> BTreeMap<String, Vec<String>> {
    let files = scenario_files();
    assert!(
        !files.is_empty(),
        "no scenarios/*.toml found in {SCENARIOS}"
    );
    let mut cited: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for path in files {
        let text = std::fs::read(&path).expect("read a scenario");
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        for (key, line) in keys_in(&text) {
            cited.entry(key).or_default().push(format!("{name}:{line}"));
        }
    }
    cited
}

/// The `### [KEY]` headings of SOURCES.md: key and line number, in order.
/// A heading that starts `### [` but is not a well-formed key followed by the
/// end of the line or a space is reported as malformed.
fn headings() -> (Vec<(String, usize)>, Vec<String>) {
    let text = std::fs::read(SOURCES_MD).expect("read scenarios/SOURCES.md");
    let mut keys = Vec::new();
    let mut malformed = Vec::new();
    for (n, raw) in text.split(|&b| b == b'\n').enumerate() {
        let line = raw.strip_suffix(b"\r").unwrap_or(raw);
        let Some(rest) = line.strip_prefix(b"### [") else {
            continue;
        };
        let heading = &line[4..];
        match key_at(heading, 0) {
            Some(len) if heading.get(len).is_none_or(|b| *b == b' ') => {
                keys.push((String::from_utf8_lossy(&heading[..len]).into_owned(), n + 1));
            }
            _ => malformed.push(format!(
                "SOURCES.md:{}: `### [{}`",
                n + 1,
                String::from_utf8_lossy(rest)
            )),
        }
    }
    (keys, malformed)
}

#[test]
fn the_key_scanner_matches_the_citation_pattern_only() {
    let found: Vec<String> =
        keys_in(b"x [S4][F12] [D11], [AB123] [ABC1] [S1234] [s4] [S] [4] [S4 ] [U7]")
            .into_iter()
            .map(|(k, _)| k)
            .collect();
    assert_eq!(found, ["[S4]", "[F12]", "[D11]", "[AB123]", "[U7]"]);
    let lines: Vec<usize> = keys_in(b"[S1]\n\n# [F2]\n")
        .into_iter()
        .map(|(_, l)| l)
        .collect();
    assert_eq!(lines, [1, 3]);
}

#[test]
fn every_source_key_a_scenario_cites_has_an_entry_in_sources_md() {
    let cited = cited_keys();
    assert!(
        cited.len() >= 10,
        "only {} distinct source keys found in scenarios/*.toml; is the scanner broken?",
        cited.len()
    );
    let (headings, malformed) = headings();
    assert!(
        malformed.is_empty(),
        "malformed source headings:\n{}",
        malformed.join("\n")
    );
    let listed: std::collections::BTreeSet<&str> =
        headings.iter().map(|(k, _)| k.as_str()).collect();
    let missing: Vec<String> = cited
        .iter()
        .filter(|(key, _)| !listed.contains(key.as_str()))
        .map(|(key, places)| {
            let shown: Vec<&str> = places.iter().take(3).map(String::as_str).collect();
            let more = places.len().saturating_sub(shown.len());
            let more = if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            };
            format!("{key} (cited at {}{more})", shown.join(", "))
        })
        .collect();
    assert!(
        missing.is_empty(),
        "scenarios cite source keys with no `### [KEY]` heading in scenarios/SOURCES.md:\n{}",
        missing.join("\n")
    );
}

#[test]
fn sources_md_lists_each_key_once() {
    let (headings, _) = headings();
    assert!(
        !headings.is_empty(),
        "scenarios/SOURCES.md has no `### [KEY]` headings"
    );
    let mut seen: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (key, line) in &headings {
        seen.entry(key.as_str()).or_default().push(*line);
    }
    let twice: Vec<String> = seen
        .iter()
        .filter(|(_, lines)| lines.len() > 1)
        .map(|(key, lines)| format!("{key} at lines {lines:?}"))
        .collect();
    assert!(
        twice.is_empty(),
        "scenarios/SOURCES.md lists keys more than once:\n{}",
        twice.join("\n")
    );
}

#[test]
fn nothing_shipped_points_at_the_private_reference_list() {
    let root = Path::new(ROOT);
    let mut files = vec![root.join("README.md")];
    for dir in ["scenarios", "docs", "src"] {
        let dir = root.join(dir);
        files.extend(files_below(&dir).into_iter().map(|p| dir.join(p)));
    }
    files.sort();
    let mut hits = Vec::new();
    for path in &files {
        let bytes = std::fs::read(path).expect("read a shipped file");
        for phrase in FORBIDDEN {
            let phrase = phrase.as_bytes();
            if let Some(at) = bytes.windows(phrase.len()).position(|w| w == phrase) {
                let line = 1 + bytes[..at].iter().filter(|&&b| b == b'\n').count();
                let shown = path.strip_prefix(root).unwrap_or(path).display();
                hits.push(format!(
                    "{shown}:{line}: `{}`",
                    String::from_utf8_lossy(phrase)
                ));
            }
        }
    }
    assert!(
        hits.is_empty(),
        "shipped files point at a reference list users never see (cite scenarios/SOURCES.md instead):\n{}",
        hits.join("\n")
    );
}
