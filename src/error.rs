//! Errors the library reports, with source positions for scenario mistakes.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// One problem in a scenario file, located by line and column.
#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostic {
    /// The scenario file.
    pub path: PathBuf,
    /// 1-based line of the offending text.
    pub line: usize,
    /// 1-based column (in characters) of the offending text.
    pub column: usize,
    /// What is wrong, and where possible how to fix it.
    pub message: String,
    /// The whole offending line, for display.
    pub source_line: String,
    /// How many characters of the line to underline (at least 1).
    pub underline: usize,
}

impl Diagnostic {
    /// A diagnostic for the byte range `span` of `source`. Finding the line
    /// scans the text before `span`: to report many diagnostics against one
    /// text, build a [`LineIndex`] once and use [`Diagnostic::at_indexed`].
    pub fn at(path: &Path, source: &str, span: Range<usize>, message: impl Into<String>) -> Self {
        Diagnostic::at_indexed(path, source, &LineIndex::new(source), span, message)
    }

    /// [`Diagnostic::at`] with the line starts of `source` already known:
    /// time proportional to the offending line's length, not the text's.
    pub fn at_indexed(
        path: &Path,
        source: &str,
        lines: &LineIndex,
        span: Range<usize>,
        message: impl Into<String>,
    ) -> Self {
        let start = floor_char_boundary(source, span.start.min(source.len()));
        let end = floor_char_boundary(source, span.end.clamp(start, source.len()));
        let line = lines.line(start);
        let line_start = lines.starts[line - 1];
        let line_end = source[start..]
            .find('\n')
            .map_or(source.len(), |i| start + i);
        let column = source[line_start..start].chars().count() + 1;
        let source_line = source[line_start..line_end]
            .trim_end_matches('\r')
            .to_string();
        let underline = source[start..end.min(line_end)].chars().count().max(1);
        Diagnostic {
            path: path.to_path_buf(),
            line,
            column,
            message: message.into(),
            source_line,
            underline,
        }
    }

    /// A diagnostic about the file as a whole (reported at line 1, column 1).
    pub(crate) fn whole_file(path: &Path, source: &str, message: impl Into<String>) -> Self {
        Diagnostic::at(path, source, 0..0, message)
    }
}

/// The byte offset where each line of a text starts, for turning offsets
/// into line numbers by binary search.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineIndex {
    /// Offset of the start of each line; the first is 0.
    starts: Vec<usize>,
}

impl LineIndex {
    /// Indexes `source`: one pass over its bytes.
    pub fn new(source: &str) -> LineIndex {
        let starts = std::iter::once(0)
            .chain(
                source
                    .bytes()
                    .enumerate()
                    .filter(|(_, b)| *b == b'\n')
                    .map(|(i, _)| i + 1),
            )
            .collect();
        LineIndex { starts }
    }

    /// The 1-based line of byte `offset` (a `\n` belongs to the line it ends).
    pub fn line(&self, offset: usize) -> usize {
        self.starts.partition_point(|&s| s <= offset)
    }
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{}:{}:{}: {}",
            self.path.display(),
            self.line,
            self.column,
            self.message
        )?;
        let number = self.line.to_string();
        let pad = " ".repeat(number.len());
        // Non-ASCII and control characters are shown escaped so that the
        // caret line stays aligned and the terminal is not disturbed.
        let shown: String = self
            .source_line
            .chars()
            .map(|c| if c == '\t' || !c.is_control() { c } else { '?' })
            .collect();
        writeln!(f, "{pad} |")?;
        writeln!(f, "{number} | {shown}")?;
        let lead: String = self
            .source_line
            .chars()
            .take(self.column - 1)
            .map(|c| if c == '\t' { '\t' } else { ' ' })
            .collect();
        write!(f, "{pad} | {lead}{}", "^".repeat(self.underline))
    }
}

/// A scenario that cannot be read or is invalid. Reported with exit code 2.
///
/// The message has no `error:` prefix: the program that reports it adds
/// one (before each diagnostic of [`ScenarioError::Invalid`]).
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// The file could not be read.
    #[error("{}: cannot read scenario: {source}", path.display())]
    Read {
        /// The scenario file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The file is not UTF-8 text.
    #[error("{}:{line}:{column}: not a text file: scenarios are UTF-8 TOML (byte 0x{byte:02X} at offset {offset} is not UTF-8)", path.display())]
    NotText {
        /// The scenario file.
        path: PathBuf,
        /// Byte offset of the first invalid byte.
        offset: usize,
        /// Its line, from 1.
        line: usize,
        /// Its column in characters, from 1.
        column: usize,
        /// The byte.
        byte: u8,
    },
    /// One or more mistakes in the file, in file order. Shown one after the
    /// other, separated by a blank line, then their count if more than one.
    #[error("{}", render(.0))]
    Invalid(Vec<Diagnostic>),
}

fn render(diagnostics: &[Diagnostic]) -> String {
    let mut out = String::new();
    for (i, d) in diagnostics.iter().enumerate() {
        if i > 0 {
            out.push_str("\n\n");
        }
        out.push_str(&d.to_string());
    }
    if diagnostics.len() > 1 {
        out.push_str(&format!("\n\n{} errors in the scenario", diagnostics.len()));
    }
    out
}

/// A failure while writing results.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// A file or folder could not be written.
    #[error("cannot write {path}: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A CSV record could not be serialised.
    #[error("cannot write {path}: {source}")]
    Csv {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: csv::Error,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_path_line_column_and_caret() {
        let src = "a = 1\nbad = \"x\"\n";
        let d = Diagnostic::at(Path::new("s.toml"), src, 12..15, "no good");
        assert_eq!((d.line, d.column), (2, 7));
        assert_eq!(
            d.to_string(),
            "s.toml:2:7: no good\n  |\n2 | bad = \"x\"\n  |       ^^^"
        );
    }

    #[test]
    fn survives_spans_past_the_end_and_inside_characters() {
        let src = "é = 1";
        let d = Diagnostic::at(Path::new("s.toml"), src, 1..100, "m");
        assert_eq!((d.line, d.column), (1, 1));
        let d = Diagnostic::at(Path::new("s.toml"), "", 5..9, "m");
        assert_eq!((d.line, d.column), (1, 1));
    }

    #[test]
    fn line_index_agrees_with_counting_newlines() {
        let src = "a\n\nbc\r\nd\n";
        let index = LineIndex::new(src);
        for offset in 0..=src.len() {
            let counted = src[..offset].matches('\n').count() + 1;
            assert_eq!(index.line(offset), counted, "offset {offset}");
        }
        assert_eq!(LineIndex::new("").line(0), 1);
    }
}
