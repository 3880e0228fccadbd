//! Colour for errors and warnings, on a terminal only.
//!
//! Messages are built with ANSI styles and printed through `anstream`, which
//! strips them unless the stream is a terminal that supports colour and
//! neither `NO_COLOR` is set nor `CLICOLOR=0` (`CLICOLOR_FORCE` forces colour).

use anstyle::{AnsiColor, Style};

const ERROR: Style = AnsiColor::Red.on_default().bold();
const WARNING: Style = AnsiColor::Yellow.on_default().bold();

/// `text` with each line's leading `error:` in red and `warning:` in yellow.
pub(crate) fn highlight(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        if let Some(rest) = line.strip_prefix("error:") {
            out.push_str(&format!("{ERROR}error:{ERROR:#}{rest}"));
        } else if let Some(rest) = line.strip_prefix("warning:") {
            out.push_str(&format!("{WARNING}warning:{WARNING:#}{rest}"));
        } else {
            out.push_str(line);
        }
    }
    out
}

/// Prints `text` to stderr, highlighted where colour is wanted.
pub(crate) fn eprint_highlighted(text: &str) {
    anstream::eprintln!("{}", highlight(text));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_prefixes_are_coloured() {
        let t = highlight("error: a.toml:1:1: bad\n  |\nwarning: x\nplain error: no");
        assert_eq!(
            t,
            "\u{1b}[1m\u{1b}[31merror:\u{1b}[0m a.toml:1:1: bad\n  |\n\u{1b}[1m\u{1b}[33mwarning:\u{1b}[0m x\nplain error: no"
        );
        // Stripped, it is the text itself.
        let mut plain = Vec::new();
        let mut s = anstream::StripStream::new(&mut plain);
        std::io::Write::write_all(&mut s, t.as_bytes()).unwrap();
        assert_eq!(
            String::from_utf8(plain).unwrap(),
            "error: a.toml:1:1: bad\n  |\nwarning: x\nplain error: no"
        );
    }
}
