//! The checks every table shares: numbers, uncertain inputs and their
//! ranges, names, and references to tranches, each reported at the value it
//! is about.

use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::path::Path;

use toml::Spanned;

use super::MAX_USD_BN;
use crate::distribution::Uncertain;
use crate::error::{Diagnostic, LineIndex};
use crate::number::{in_message, round_sig};
use crate::scenario::uncertain::{UncertainList, UncertainSpec};
use crate::scenario::{Input, MAX_MONTHS};

/// Most diagnostics reported in full: a file with a million mistakes (3,000
/// contracts each naming 300 undefined tranches) once took 8 minutes and
/// 9.6 GB to report them all. The first ones are shown and the rest
/// counted.
pub(super) const MAX_DIAGNOSTICS: usize = 100;

/// Collects diagnostics against one source text.
pub(super) struct Checker<'a> {
    /// The file, for messages.
    pub(super) path: &'a Path,
    /// Its text, which spans point into.
    pub(super) source: &'a str,
    /// The first [`MAX_DIAGNOSTICS`] problems found.
    pub(super) diagnostics: Vec<Diagnostic>,
    /// The problems found beyond those.
    pub(super) not_shown: usize,
    /// Where the source's lines start, so that each diagnostic costs the
    /// length of its line, not of the file.
    lines: LineIndex,
}

impl<'a> Checker<'a> {
    /// A checker with no diagnostics yet.
    pub(super) fn new(path: &'a Path, source: &'a str) -> Checker<'a> {
        Checker {
            path,
            source,
            diagnostics: Vec::new(),
            not_shown: 0,
            lines: LineIndex::new(source),
        }
    }
}

impl Checker<'_> {
    /// Whether [`MAX_DIAGNOSTICS`] are reported already: later ones are
    /// only counted, so their messages (and suggestions) need not be built.
    pub(super) fn full(&self) -> bool {
        self.diagnostics.len() >= MAX_DIAGNOSTICS
    }

    /// Reports `message` at `span` of the source (counts it only once
    /// [`Checker::full`]).
    pub(super) fn error(&mut self, span: Range<usize>, message: impl Into<String>) {
        if self.full() {
            self.not_shown += 1;
            return;
        }
        self.diagnostics.push(Diagnostic::at_indexed(
            self.path,
            self.source,
            &self.lines,
            span,
            message,
        ));
    }

    /// An input whose draws must stay in `[min, max]`. Distributions may reach
    /// past the range in their far tails (draws are clamped) but no more than
    /// 1% on either side; a constant must lie inside it.
    pub(super) fn input(
        &mut self,
        spec: &Spanned<UncertainSpec>,
        path: String,
        min: f64,
        max: f64,
        what: &str,
    ) -> Input {
        let dist = spec.get_ref().0.clone();
        self.check_range(&dist, spec.span(), min, max, what);
        Input {
            path,
            dist,
            min,
            max,
        }
    }

    /// Reports a constant outside `[min, max]`, or a distribution with more
    /// than 1% of draws outside it or percentiles that are not numbers.
    fn check_range(
        &mut self,
        dist: &Uncertain,
        span: Range<usize>,
        min: f64,
        max: f64,
        what: &str,
    ) {
        let range = describe_range(min, max);
        if let Uncertain::Constant(v) = dist {
            if *v < min || *v > max {
                self.error(
                    span,
                    format!("{what} must be {range}, got {}", in_message(*v)),
                );
            }
            return;
        }
        let (lo, hi) = (dist.quantile(0.01), dist.quantile(0.99));
        if lo.is_nan() || hi.is_nan() {
            self.error(
                span,
                format!(
                    "{what}: this {} cannot be computed with these parameters (its percentiles are not numbers); use smaller or closer values",
                    dist.kind()
                ),
            );
        } else if lo < min {
            self.error(
                span,
                format!(
                    "{what} must be {range}, but this {} puts more than 1% of draws below {} (its 1st percentile is {})",
                    dist.kind(),
                    in_message(min),
                    in_message(round_sig(lo))
                ),
            );
        } else if hi > max {
            self.error(
                span,
                format!(
                    "{what} must be {range}, but this {} puts more than 1% of draws above {} (its 99th percentile is {})",
                    dist.kind(),
                    in_message(max),
                    in_message(round_sig(hi))
                ),
            );
        }
    }

    /// [`Checker::input`], or the constant `default` when the key is absent.
    pub(super) fn input_or(
        &mut self,
        spec: Option<&Spanned<UncertainSpec>>,
        default: f64,
        path: String,
        min: f64,
        max: f64,
        what: &str,
    ) -> Input {
        match spec {
            Some(s) => self.input(s, path, min, max, what),
            None => Input {
                path,
                dist: Uncertain::Constant(default),
                min,
                max,
            },
        }
    }

    /// One input per horizon year (the last repeating), each checked like
    /// [`Checker::input`]; at most one more entry than the longest horizon
    /// has years.
    pub(super) fn input_list(
        &mut self,
        list: &Spanned<UncertainList>,
        path: &str,
        min: f64,
        max: f64,
        what: &str,
    ) -> Vec<Input> {
        if list.get_ref().0.len() > MAX_MONTHS / 12 + 1 {
            self.error(
                list.span(),
                format!("{what} lists more entries than the longest horizon has years"),
            );
        }
        list.get_ref()
            .0
            .iter()
            .enumerate()
            .map(|(i, dist)| {
                self.check_range(
                    dist,
                    list.span(),
                    min,
                    max,
                    &format!("{what} (year {})", i + 1),
                );
                Input {
                    path: format!("{path}[{i}]"),
                    dist: dist.clone(),
                    min,
                    max,
                }
            })
            .collect()
    }

    /// A finite number in `[min, max]`.
    pub(super) fn number(&mut self, v: &Spanned<f64>, min: f64, max: f64, what: &str) -> f64 {
        let x = *v.get_ref();
        if !x.is_finite() {
            self.error(
                v.span(),
                format!("{what} must be a finite number, got {x}", x = in_message(x)),
            );
        } else if !(min..=max).contains(&x) {
            self.error(
                v.span(),
                format!(
                    "{what} must be {}, got {x}",
                    describe_range(min, max),
                    x = in_message(x)
                ),
            );
        }
        x
    }

    /// A probability, `default` when absent.
    pub(super) fn probability(
        &mut self,
        v: Option<&Spanned<f64>>,
        default: f64,
        what: &str,
    ) -> f64 {
        v.map_or(default, |v| self.number(v, 0.0, 1.0, what))
    }

    /// A name used in output column values: short ASCII, no spaces or commas.
    pub(super) fn name(
        &mut self,
        name: &Spanned<String>,
        kind: &str,
        seen: &mut HashMap<String, Range<usize>>,
    ) -> String {
        let n = name.get_ref();
        let ok = !n.is_empty()
            && n.len() <= 64
            && n.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b));
        if !ok {
            self.error(
                name.span(),
                format!(
                    "{kind} name {n:?} must be 1-64 characters of ASCII letters, digits, '-', '_' or '.' (it is used in output files)"
                ),
            );
        } else if let Some(first) = seen.get(n) {
            let first_line = self.lines.line(first.start.min(self.source.len()));
            self.error(
                name.span(),
                format!("duplicate {kind} name {n:?} (first used on line {first_line})"),
            );
        } else {
            seen.insert(n.clone(), name.span());
        }
        n.clone()
    }

    /// The indices of the tranches `refs` names: at least one, each defined
    /// and listed once.
    pub(super) fn tranche_refs(
        &mut self,
        refs: &Spanned<Vec<Spanned<String>>>,
        index: &HashMap<String, usize>,
        owner: &str,
    ) -> Vec<usize> {
        if refs.get_ref().is_empty() {
            self.error(
                refs.span(),
                format!("{owner} must list at least one tranche"),
            );
        }
        let mut out = Vec::new();
        let mut listed = HashSet::new();
        for r in refs.get_ref() {
            match index.get(r.get_ref()) {
                Some(&i) if !listed.insert(i) => self.error(
                    r.span(),
                    format!("tranche {:?} is listed twice", r.get_ref()),
                ),
                Some(&i) => out.push(i),
                None => {
                    let hint = if self.full() {
                        String::new()
                    } else {
                        closest(r.get_ref(), index.keys())
                    };
                    self.error(
                        r.span(),
                        format!(
                            "{owner} names tranche {:?}, which is not defined{hint}",
                            r.get_ref()
                        ),
                    );
                }
            }
        }
        out
    }

    /// A key that does not apply to the item's kind.
    pub(super) fn not_for<T>(&mut self, v: &Option<Spanned<T>>, key: &str, kind: &str) {
        if let Some(v) = v {
            self.error(v.span(), format!("`{key}` does not apply to {kind}"));
        }
    }

    /// A required amount of money (USD bn, 0 to [`MAX_USD_BN`]); a zero
    /// placeholder, with an error reported, when it is missing.
    pub(super) fn required_amount(
        &mut self,
        v: &Option<Spanned<UncertainSpec>>,
        at: Range<usize>,
        key: &str,
        kind: &str,
        path: String,
    ) -> Input {
        match self.required(v, at, key, kind) {
            Some(spec) => self.input(spec, path, 0.0, MAX_USD_BN, &format!("`{key}`")),
            None => Input {
                path,
                dist: Uncertain::Constant(0.0),
                min: 0.0,
                max: 0.0,
            },
        }
    }

    /// `v`, with an error at `at` (the item's name) when it is missing.
    pub(super) fn required<'v, T>(
        &mut self,
        v: &'v Option<Spanned<T>>,
        at: Range<usize>,
        key: &str,
        kind: &str,
    ) -> Option<&'v Spanned<T>> {
        if v.is_none() {
            self.error(at, format!("{kind} needs `{key}`"));
        }
        v.as_ref()
    }
}

/// "between 0 and 1", "at least 0", ...: the range in words.
fn describe_range(min: f64, max: f64) -> String {
    // f64::MAX as a bound means "no bound" too.
    match (min > f64::MIN, max < f64::MAX) {
        (true, true) => format!(
            "between {min} and {max}",
            min = in_message(min),
            max = in_message(max)
        ),
        (true, false) => format!("at least {min}", min = in_message(min)),
        (false, true) => format!("at most {max}", max = in_message(max)),
        (false, false) => "a finite number".to_string(),
    }
}

/// ", did you mean `x`?" for the closest name by edit distance, if close.
pub(super) fn closest<'a>(name: &str, candidates: impl Iterator<Item = &'a String>) -> String {
    let best = candidates
        .map(|c| (edit_distance(name, c), c))
        .min_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(b.1)));
    match best {
        Some((d, c)) if d <= 3.max(name.len() / 3) => format!("; did you mean {c:?}?"),
        _ => String::new(),
    }
}

/// Levenshtein distance between `a` and `b`, in characters.
pub(super) fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != *cb))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions_find_near_names() {
        let names = ["abilene".to_string(), "jupiter".to_string()];
        assert_eq!(
            closest("abilen", names.iter()),
            "; did you mean \"abilene\"?"
        );
        assert_eq!(closest("zzzzzzzzzzzz", names.iter()), "");
    }
}
