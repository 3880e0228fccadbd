//! CSV rows as spreadsheets read them safely: every cell capsim writes goes
//! through [`CsvOut::row`], which neutralises text a spreadsheet would run
//! as a formula ([`safe_cell`]).

use std::borrow::Cow;
use std::io::Write;

use super::csv_to_io;

/// Characters that make a spreadsheet read a cell as a formula (or, for
/// tab and CR, that some strip before doing so), with their full-width forms.
const FORMULA_STARTS: [char; 10] = ['=', '+', '-', '@', '\t', '\r', '＝', '＋', '－', '＠'];

/// `text` as a CSV cell a spreadsheet does not evaluate: text that begins
/// with `=`, `+`, `-`, `@`, a tab or a carriage return (or a full-width
/// `＝＋－＠`) gets a leading `'`, which spreadsheets read as "this is text"
/// and do not show. Plain numbers (`-2.5`, `-1e-3`) are left alone: a
/// spreadsheet reads them as numbers, and capsim's own cells are never
/// changed.
pub fn safe_cell(text: &str) -> Cow<'_, str> {
    match text.chars().next() {
        Some(c) if FORMULA_STARTS.contains(&c) && !is_plain_number(text) => {
            Cow::Owned(format!("'{text}"))
        }
        _ => Cow::Borrowed(text),
    }
}

/// Whether `s` is a decimal number: an optional sign, digits with at most
/// one point, an optional exponent; nothing else.
fn is_plain_number(s: &str) -> bool {
    let s = s.strip_prefix(['-', '+']).unwrap_or(s);
    let (mantissa, exponent) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = match mantissa.split_once('.') {
        Some((whole, frac)) => {
            (whole.is_empty() || digits(whole))
                && (frac.is_empty() || digits(frac))
                && !(whole.is_empty() && frac.is_empty())
        }
        None => digits(mantissa),
    };
    let exponent_ok = exponent.is_none_or(|e| digits(e.strip_prefix(['-', '+']).unwrap_or(e)));
    mantissa_ok && exponent_ok
}

/// A CSV writer whose every cell goes through [`safe_cell`]: the one way
/// capsim writes a CSV row.
pub(crate) struct CsvOut<'a> {
    writer: csv::Writer<&'a mut dyn Write>,
}

impl<'a> CsvOut<'a> {
    /// A writer over `out`.
    pub(crate) fn new(out: &'a mut dyn Write) -> CsvOut<'a> {
        CsvOut {
            writer: csv::Writer::from_writer(out),
        }
    }

    /// Writes one row of `cells`, each neutralised by [`safe_cell`].
    pub(crate) fn row<I, T>(&mut self, cells: I) -> std::io::Result<()>
    where
        I: IntoIterator<Item = T>,
        T: AsRef<str>,
    {
        for cell in cells {
            self.writer
                .write_field(safe_cell(cell.as_ref()).as_bytes())
                .map_err(csv_to_io)?;
        }
        self.writer.write_record(None::<&[u8]>).map_err(csv_to_io)
    }

    /// Flushes what is buffered.
    pub(crate) fn finish(mut self) -> std::io::Result<()> {
        self.writer.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_text_is_quoted_and_numbers_are_not() {
        for text in [
            "=HYPERLINK(\"http://x\")",
            "+1+1",
            "-1+1",
            "-cmd|' /C calc'!A0",
            "@SUM(A1)",
            "\tx",
            "\r=1",
            "＝1",
            "-",
            "-inf",
            "-nan",
            "-1e",
            "-.",
            "--1",
        ] {
            assert_eq!(safe_cell(text), format!("'{text}"), "{text:?}");
        }
        for text in [
            "", "-2.5", "-1e-3", "+3", "-.5", "-5.", "0", "2026-01", "name", "a=b", "'x", " =1",
        ] {
            assert_eq!(safe_cell(text), text, "{text:?}");
        }
    }

    #[test]
    fn rows_are_written_with_every_cell_safe() {
        let mut buf = Vec::new();
        let mut w = CsvOut::new(&mut buf);
        w.row(["a", "=1,2", "-3"]).unwrap();
        w.row([String::from("@x"), String::new(), "\t".into()])
            .unwrap();
        w.finish().unwrap();
        assert_eq!(
            String::from_utf8(buf).unwrap(),
            "a,\"'=1,2\",-3\n'@x,,'\t\n"
        );
    }
}
