//! From raw TOML to a validated [`Scenario`]: every check that needs more than
//! one value, each reported at the value it is about.

use std::collections::HashMap;
use std::ops::Range;
use std::path::Path;

use toml::Spanned;

use super::raw::*;
use super::uncertain::{UncertainList, UncertainSpec};
use super::*;
use crate::distribution::num;
use crate::error::Diagnostic;
use crate::linalg::{cholesky, pearson_from_spearman};

/// Collects diagnostics against one source text.
struct Checker<'a> {
    path: &'a Path,
    source: &'a str,
    diagnostics: Vec<Diagnostic>,
}

impl Checker<'_> {
    fn error(&mut self, span: Range<usize>, message: impl Into<String>) {
        self.diagnostics
            .push(Diagnostic::at(self.path, self.source, span, message));
    }

    /// An input whose draws must stay in `[min, max]`. Distributions may reach
    /// past the range in their far tails (draws are clamped) but no more than
    /// 1% on either side; a constant must lie inside it.
    fn input(
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
                self.error(span, format!("{what} must be {range}, got {}", num(*v)));
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
                    num(min),
                    num(round_sig(lo))
                ),
            );
        } else if hi > max {
            self.error(
                span,
                format!(
                    "{what} must be {range}, but this {} puts more than 1% of draws above {} (its 99th percentile is {})",
                    dist.kind(),
                    num(max),
                    num(round_sig(hi))
                ),
            );
        }
    }

    fn input_or(
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

    fn input_list(
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

    fn number(&mut self, v: &Spanned<f64>, min: f64, max: f64, what: &str) -> f64 {
        let x = *v.get_ref();
        if !x.is_finite() {
            self.error(
                v.span(),
                format!("{what} must be a finite number, got {x}", x = num(x)),
            );
        } else if !(min..=max).contains(&x) {
            self.error(
                v.span(),
                format!(
                    "{what} must be {}, got {x}",
                    describe_range(min, max),
                    x = num(x)
                ),
            );
        }
        x
    }

    fn probability(&mut self, v: Option<&Spanned<f64>>, default: f64, what: &str) -> f64 {
        v.map_or(default, |v| self.number(v, 0.0, 1.0, what))
    }

    /// A name used in output column values: short ASCII, no spaces or commas.
    fn name(
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
            let first_line = self.source[..first.start].matches('\n').count() + 1;
            self.error(
                name.span(),
                format!("duplicate {kind} name {n:?} (first used on line {first_line})"),
            );
        } else {
            seen.insert(n.clone(), name.span());
        }
        n.clone()
    }

    fn tranche_refs(
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
        for r in refs.get_ref() {
            match index.get(r.get_ref()) {
                Some(&i) if out.contains(&i) => self.error(
                    r.span(),
                    format!("tranche {:?} is listed twice", r.get_ref()),
                ),
                Some(&i) => out.push(i),
                None => {
                    let hint = closest(r.get_ref(), index.keys());
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
    fn not_for<T>(&mut self, v: &Option<Spanned<T>>, key: &str, kind: &str) {
        if let Some(v) = v {
            self.error(v.span(), format!("`{key}` does not apply to {kind}"));
        }
    }

    /// A required amount of money (USD bn, 0 to [`MAX_USD_BN`]); a zero
    /// placeholder, with an error reported, when it is missing.
    fn required_amount(
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

    fn required<'v, T>(
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

impl Checker<'_> {
    /// A tranche's delay loadings on common shocks.
    fn delay_shocks(
        &mut self,
        raw: Option<&Spanned<std::collections::BTreeMap<String, Spanned<f64>>>>,
        shocks: &HashMap<String, usize>,
    ) -> Vec<(usize, f64)> {
        let Some(raw) = raw else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for (name, w) in raw.get_ref() {
            let Some(&i) = shocks.get(name) else {
                let hint = closest(name, shocks.keys());
                self.error(
                    w.span(),
                    format!("`delay_shocks` names shock {name:?}, which is not defined by a [[shock]] table{hint}"),
                );
                continue;
            };
            let weight = self.number(w, -1.0, 1.0, "a shock weight");
            out.push((i, weight));
        }
        let total: f64 = out.iter().map(|(_, w)| w * w).sum();
        if total > 1.0 + 1e-12 {
            self.error(
                raw.span(),
                format!("the squares of the shock weights must sum to at most 1 (the rest is the tranche's own delay risk); here they sum to {}", round_sig(total)),
            );
        }
        out
    }

    /// A `[[correlation]]`: known input paths and a valid rank-correlation
    /// matrix (symmetric, unit diagonal, entries in [-1, 1], and positive
    /// semi-definite once mapped to the Gaussian copula).
    fn correlation(&mut self, k: &RawCorrelation, plan: &DrawPlan) -> Correlation {
        let mut inputs = Vec::new();
        for p in k.inputs.get_ref() {
            match plan.slot(p.get_ref()) {
                Some(slot) if plan.is_uncertain(slot) => inputs.push(p.get_ref().clone()),
                Some(_) => self.error(
                    p.span(),
                    format!(
                        "input {:?} is a constant, so it cannot be correlated",
                        p.get_ref()
                    ),
                ),
                None => {
                    let paths: Vec<String> = plan.inputs.iter().map(|i| i.path.clone()).collect();
                    let hint = closest(p.get_ref(), paths.iter());
                    self.error(
                        p.span(),
                        format!("unknown input {:?}; inputs are named like `tranche.NAME.delay_months` or `revenue.annual_growth.year1` (capsim run --export-trials lists them){hint}", p.get_ref()),
                    );
                }
            }
        }
        let n = k.inputs.get_ref().len();
        if n < 2 {
            self.error(k.inputs.span(), "a correlation needs at least two inputs");
        }
        let names: Vec<&String> = k.inputs.get_ref().iter().map(|s| s.get_ref()).collect();
        let matrix = match k.spearman.get_ref() {
            RawMatrix::Pair(r) if n == 2 => vec![vec![1.0, *r], vec![*r, 1.0]],
            RawMatrix::Pair(_) => {
                self.error(k.spearman.span(), format!("a single `spearman` value needs exactly two inputs; give a {n}x{n} matrix for {n}"));
                return Correlation {
                    inputs,
                    spearman: Vec::new(),
                };
            }
            RawMatrix::Matrix(m) => m.clone(),
        };
        let span = k.spearman.span();
        if matrix.len() != n || matrix.iter().any(|row| row.len() != n) {
            self.error(
                span,
                format!("`spearman` must be a {n}x{n} matrix, one row per input"),
            );
            return Correlation {
                inputs,
                spearman: Vec::new(),
            };
        }
        for i in 0..n {
            if matrix[i][i] != 1.0 {
                self.error(
                    span.clone(),
                    format!(
                        "the diagonal of `spearman` must be 1 (row {} is {})",
                        i + 1,
                        matrix[i][i]
                    ),
                );
                return Correlation {
                    inputs,
                    spearman: Vec::new(),
                };
            }
            for j in 0..n {
                let (a, b) = (matrix[i][j], matrix[j][i]);
                if !(-1.0..=1.0).contains(&a) {
                    self.error(
                        span.clone(),
                        format!(
                            "correlation between {} and {} is {a}; it must be between -1 and 1",
                            names[i], names[j]
                        ),
                    );
                    return Correlation {
                        inputs,
                        spearman: Vec::new(),
                    };
                }
                if a != b {
                    self.error(
                        span.clone(),
                        format!(
                            "`spearman` must be symmetric: {} vs {} is {a} but {} vs {} is {b}",
                            names[i], names[j], names[j], names[i]
                        ),
                    );
                    return Correlation {
                        inputs,
                        spearman: Vec::new(),
                    };
                }
            }
        }
        if let Err(row) = cholesky(&pearson_from_spearman(&matrix)) {
            let pairs: Vec<String> = (0..row)
                .filter(|&j| matrix[row][j] != 0.0)
                .map(|j| format!("{} with {}: {}", names[row], names[j], matrix[row][j]))
                .collect();
            self.error(
                span,
                format!(
                    "the correlations are inconsistent (the matrix is not positive semi-definite): {} cannot hold together with the correlations among the inputs before it; weaken some of them",
                    pairs.join(", ")
                ),
            );
        }
        Correlation {
            inputs,
            spearman: matrix,
        }
    }
}

fn describe_range(min: f64, max: f64) -> String {
    // f64::MAX as a bound means "no bound" too.
    match (min > f64::MIN, max < f64::MAX) {
        (true, true) => format!("between {min} and {max}", min = num(min), max = num(max)),
        (true, false) => format!("at least {min}", min = num(min)),
        (false, true) => format!("at most {max}", max = num(max)),
        (false, false) => "a finite number".to_string(),
    }
}

fn round_sig(x: f64) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    let scale = 10f64.powi(3 - x.abs().log10().ceil() as i32);
    (x * scale).round() / scale
}

/// ", did you mean `x`?" for the closest name by edit distance, if close.
fn closest<'a>(name: &str, candidates: impl Iterator<Item = &'a String>) -> String {
    let best = candidates
        .map(|c| (edit_distance(name, c), c))
        .min_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(b.1)));
    match best {
        Some((d, c)) if d <= 3.max(name.len() / 3) => format!("; did you mean {c:?}?"),
        _ => String::new(),
    }
}

fn edit_distance(a: &str, b: &str) -> usize {
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

/// Largest GW a single tranche may have.
const MAX_GW: f64 = 1000.0;
/// Largest delay, months (100 years); a 10-year delay is valid.
const MAX_DELAY: f64 = 1200.0;
/// Largest amount of money, USD bn (USD 1,000 trillion).
const MAX_USD_BN: f64 = 1e6;

pub(super) fn parse(text: &str, path: &Path) -> Result<Scenario, ScenarioError> {
    let mut checker = Checker {
        path,
        source: text,
        diagnostics: Vec::new(),
    };
    if text
        .lines()
        .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'))
    {
        checker.error(0..0, "the scenario is empty; it needs at least a [scenario] table with name, start and end (see docs/scenario-format.md for a minimal example)");
        return Err(ScenarioError::Invalid(checker.diagnostics));
    }
    if let Some(d) = too_large(path, text) {
        return Err(ScenarioError::Invalid(vec![d]));
    }
    let raw: RawScenario = match toml::from_str(text) {
        Ok(raw) => raw,
        Err(e) => {
            let span = e.span().unwrap_or(0..0);
            let message = explain_toml_error(e.message().trim_end(), text, &span);
            checker.error(span, message);
            return Err(ScenarioError::Invalid(checker.diagnostics));
        }
    };
    let scenario = build(&mut checker, raw);
    if checker.diagnostics.is_empty() {
        Ok(scenario)
    } else {
        checker.diagnostics.sort_by_key(|d| (d.line, d.column));
        Err(ScenarioError::Invalid(checker.diagnostics))
    }
}

/// The TOML reader's message, with the terms of Rust and serde replaced by
/// the scenario format's and a hint where the usual cause is known.
fn explain_toml_error(message: &str, text: &str, span: &Range<usize>) -> String {
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
fn too_large(path: &Path, text: &str) -> Option<Diagnostic> {
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

fn build(c: &mut Checker, raw: RawScenario) -> Scenario {
    let meta = &raw.scenario;
    let start = *meta.start.get_ref();
    let end = *meta.end.get_ref();
    let span_months = end.months_since(start);
    let months = if span_months < 0 {
        c.error(
            meta.end.span(),
            format!("the horizon ends ({end}) before it starts ({start})"),
        );
        1
    } else if span_months as usize >= MAX_MONTHS {
        c.error(
            meta.end.span(),
            format!(
                "the horizon is {} months long; at most {MAX_MONTHS} months are allowed",
                span_months + 1
            ),
        );
        1
    } else {
        span_months as usize + 1
    };
    if meta.name.get_ref().trim().is_empty() {
        c.error(meta.name.span(), "the scenario needs a non-empty name");
    }
    let end_index = months as i32 - 1;
    // With a broken horizon, checks against its end would only add noise.
    let horizon_ok = span_months >= 0 && (span_months as usize) < MAX_MONTHS;

    // Simulation settings.
    let sim = &raw.simulation;
    let trials = match &sim.trials {
        Some(t) if *t.get_ref() < 1 || *t.get_ref() as u64 > MAX_TRIALS => {
            c.error(
                t.span(),
                format!(
                    "trials must be between 1 and {MAX_TRIALS}, got {}",
                    t.get_ref()
                ),
            );
            DEFAULT_TRIALS
        }
        Some(t) => *t.get_ref() as u64,
        None => DEFAULT_TRIALS,
    };
    let seed = match &sim.seed {
        Some(s) if *s.get_ref() < 0 => {
            c.error(
                s.span(),
                format!("seed must be a whole number >= 0, got {}", s.get_ref()),
            );
            DEFAULT_SEED
        }
        Some(s) => *s.get_ref() as u64,
        None => DEFAULT_SEED,
    };
    let percentiles = match &sim.percentiles {
        Some(p) => {
            let list = p.get_ref().clone();
            if list.is_empty() || list.len() > 99 {
                c.error(p.span(), "percentiles must list between 1 and 99 values");
            } else if list.iter().any(|x| !(*x > 0.0 && *x < 100.0)) {
                c.error(p.span(), "percentiles must lie strictly between 0 and 100");
            } else if list.windows(2).any(|w| w[0] >= w[1]) {
                c.error(
                    p.span(),
                    "percentiles must be in increasing order without repeats",
                );
            }
            list
        }
        None => DEFAULT_PERCENTILES.to_vec(),
    };

    // Shocks.
    let mut seen = HashMap::new();
    let mut shocks = Vec::new();
    if raw.shocks.len() > MAX_ITEMS {
        c.error(
            raw.shocks[MAX_ITEMS].name.span(),
            format!("at most {MAX_ITEMS} shocks are allowed"),
        );
    }
    for sh in raw.shocks.iter().take(MAX_ITEMS) {
        let name = c.name(&sh.name, "shock", &mut seen);
        shocks.push(Shock {
            component: ComponentId::new("shock", &name),
            name,
            description: sh.description.clone(),
        });
    }
    let shock_index: HashMap<String, usize> = shocks
        .iter()
        .enumerate()
        .map(|(i, s)| (s.name.clone(), i))
        .collect();

    // Tranches.
    let mut seen = HashMap::new();
    if raw.tranches.len() > MAX_ITEMS {
        c.error(
            raw.tranches[MAX_ITEMS].name.span(),
            format!(
                "at most {MAX_ITEMS} tranches are allowed, found {}",
                raw.tranches.len()
            ),
        );
        return placeholder(meta, start, months);
    }
    let mut tranches = Vec::with_capacity(raw.tranches.len());
    for t in &raw.tranches {
        let name = c.name(&t.name, "tranche", &mut seen);
        let p = |key: &str| format!("tranche.{name}.{key}");
        let gw = c.input(&t.gw, p("gw"), 0.0, MAX_GW, "`gw`");
        if gw.dist == Uncertain::Constant(0.0) {
            c.error(
                t.gw.span(),
                "`gw` must be more than 0; remove the tranche if it has no capacity",
            );
        }
        let planned = *t.planned.get_ref();
        let planned_index = planned.months_since(start);
        if planned_index.abs() > MAX_MONTHS as i32 {
            c.error(t.planned.span(), format!("planned month {planned} is more than {MAX_MONTHS} months from the horizon start {start}"));
        }
        let delay_months = c.input_or(
            t.delay_months.as_ref(),
            0.0,
            p("delay_months"),
            -MAX_DELAY,
            MAX_DELAY,
            "`delay_months`",
        );
        let ramp_months = c.input_or(
            t.ramp_months.as_ref(),
            0.0,
            p("ramp_months"),
            0.0,
            MAX_MONTHS as f64,
            "`ramp_months`",
        );
        let p_never = c.probability(t.p_never.as_ref(), 0.0, "`p_never` (a probability)");
        if t.status == RawStatus::Option && t.p_never.is_none() {
            c.error(t.name.span(), format!("tranche {name:?} is an option, so it needs `p_never`: the probability it is never exercised"));
        }
        let accelerators_per_gw = c.input(
            &t.accelerators_per_gw,
            p("accelerators_per_gw"),
            0.0,
            1e8,
            "`accelerators_per_gw`",
        );
        let pflops_per_accelerator = t.pflops_per_accelerator.as_ref().map(|s| {
            c.input(
                s,
                p("pflops_per_accelerator"),
                0.0,
                1e6,
                "`pflops_per_accelerator`",
            )
        });
        tranches.push(Tranche {
            component: ComponentId::new("tranche", &name),
            name,
            counterparty: t.counterparty.clone(),
            description: t.description.clone(),
            status: match t.status {
                RawStatus::Binding => TrancheStatus::Binding,
                RawStatus::Option => TrancheStatus::Option,
            },
            gw,
            planned_index,
            delay_months,
            ramp_months,
            p_never,
            accelerators_per_gw,
            pflops_per_accelerator,
            owned: t.owned,
            delay_shocks: c.delay_shocks(t.delay_shocks.as_ref(), &shock_index),
        });
    }
    let tranche_index: HashMap<String, usize> = tranches
        .iter()
        .enumerate()
        .map(|(i, t)| (t.name.clone(), i))
        .collect();

    // Contracts.
    let mut seen = HashMap::new();
    let mut contracts = Vec::with_capacity(raw.contracts.len());
    if raw.contracts.len() > MAX_ITEMS {
        c.error(
            raw.contracts[MAX_ITEMS].name.span(),
            format!("at most {MAX_ITEMS} contracts are allowed"),
        );
        return placeholder(meta, start, months);
    }
    for k in &raw.contracts {
        let name = c.name(&k.name, "contract", &mut seen);
        let kind = match k.basis.get_ref() {
            RawBasis::TakeOrPay => "a take_or_pay contract",
            RawBasis::PayAsDelivered => "a pay_as_delivered contract",
            RawBasis::Purchase => "a purchase contract",
        };
        let value = c.number(&k.value_usd_bn, 0.0, MAX_USD_BN, "`value_usd_bn`");
        if value == 0.0 {
            c.error(k.value_usd_bn.span(), "`value_usd_bn` must be more than 0");
        }
        let term = *k.term_months.get_ref();
        if !(1..=MAX_MONTHS as i64).contains(&term) {
            c.error(
                k.term_months.span(),
                format!("`term_months` must be between 1 and {MAX_MONTHS}, got {term}"),
            );
        }
        let term = term.clamp(1, MAX_MONTHS as i64) as u32;
        let start_month = *k.start.get_ref();
        let start_index = start_month.months_since(start);
        if start_index > end_index && horizon_ok {
            c.error(
                k.start.span(),
                format!("contract starts in {start_month}, after the horizon ends ({end})"),
            );
        } else if start_index < -(MAX_MONTHS as i32) {
            c.error(k.start.span(), format!("contract start {start_month} is more than {MAX_MONTHS} months before the horizon"));
        }
        let header = k.name.span();
        let basis = match k.basis.get_ref() {
            RawBasis::TakeOrPay => {
                c.not_for(&k.usd_bn_per_gw_year, "usd_bn_per_gw_year", kind);
                c.not_for(&k.usd_bn_per_gw, "usd_bn_per_gw", kind);
                c.not_for(&k.lead_months, "lead_months", kind);
                if let Some(refs) = &k.tranches {
                    // Linked tranches are informational for take-or-pay.
                    c.tranche_refs(refs, &tranche_index, "the contract");
                }
                let weights = match &k.profile {
                    Some(p) => {
                        let w = p.get_ref();
                        let years = term.div_ceil(12) as usize;
                        if w.is_empty() || w.len() > years {
                            c.error(p.span(), format!("`profile` gives one weight per contract year: 1 to {years} entries for a {term}-month term, got {}", w.len()));
                        } else if w.iter().any(|x| !x.is_finite() || *x < 0.0)
                            || w.iter().sum::<f64>() <= 0.0
                        {
                            c.error(p.span(), "`profile` weights must be >= 0 and not all 0");
                        } else if !w.iter().sum::<f64>().is_finite() {
                            c.error(p.span(), "`profile` weights sum to more than the largest number capsim can hold; scale them down (only their ratios matter)");
                        }
                        if w.is_empty() { vec![1.0] } else { w.clone() }
                    }
                    None => vec![1.0],
                };
                PaymentBasis::TakeOrPay {
                    schedule: take_or_pay_schedule(value, start_index, term, &weights, months),
                }
            }
            RawBasis::PayAsDelivered => {
                c.not_for(&k.usd_bn_per_gw, "usd_bn_per_gw", kind);
                c.not_for(&k.lead_months, "lead_months", kind);
                c.not_for(&k.profile, "profile", kind);
                let linked = c
                    .required(&k.tranches, header.clone(), "tranches", kind)
                    .map(|r| c.tranche_refs(r, &tranche_index, "the contract"))
                    .unwrap_or_default();
                let path = format!("contract.{name}.usd_bn_per_gw_year");
                let price = match &k.usd_bn_per_gw_year {
                    Some(s) => c.input(s, path, 0.0, MAX_USD_BN, "`usd_bn_per_gw_year`"),
                    None => {
                        // Default: the price at which on-time delivery of the
                        // linked tranches pays the value over the term.
                        let gw: f64 = linked.iter().map(|&i| tranches[i].gw.median()).sum();
                        let price = if gw > 0.0 {
                            value / (gw * term as f64 / 12.0)
                        } else {
                            0.0
                        };
                        Input {
                            path,
                            dist: Uncertain::Constant(price),
                            min: 0.0,
                            max: MAX_USD_BN,
                        }
                    }
                };
                PaymentBasis::PayAsDelivered {
                    usd_bn_per_gw_year: price,
                    tranches: linked,
                }
            }
            RawBasis::Purchase => {
                c.not_for(&k.usd_bn_per_gw_year, "usd_bn_per_gw_year", kind);
                c.not_for(&k.profile, "profile", kind);
                let linked = c
                    .required(&k.tranches, header.clone(), "tranches", kind)
                    .map(|r| c.tranche_refs(r, &tranche_index, "the contract"))
                    .unwrap_or_default();
                let price = c.required_amount(
                    &k.usd_bn_per_gw,
                    header.clone(),
                    "usd_bn_per_gw",
                    kind,
                    format!("contract.{name}.usd_bn_per_gw"),
                );
                let lead = match &k.lead_months {
                    Some(l) if !(0..=120).contains(l.get_ref()) => {
                        c.error(
                            l.span(),
                            format!(
                                "`lead_months` must be between 0 and 120, got {}",
                                l.get_ref()
                            ),
                        );
                        0
                    }
                    Some(l) => *l.get_ref() as i32,
                    None => 0,
                };
                PaymentBasis::Purchase {
                    usd_bn_per_gw: price,
                    tranches: linked,
                    lead_months: lead,
                }
            }
        };
        contracts.push(Contract {
            component: ComponentId::new("contract", &name),
            name,
            counterparty: k.counterparty.clone(),
            description: k.description.clone(),
            value_usd_bn: value,
            start_index,
            term_months: term,
            basis,
        });
    }

    // Revenue.
    let revenue = raw.revenue.as_ref().map(|r| Revenue {
        run_rate_usd_bn: c.input(
            &r.run_rate_usd_bn,
            "revenue.run_rate_usd_bn".into(),
            0.0,
            MAX_USD_BN,
            "`run_rate_usd_bn`",
        ),
        annual_growth: c.input_list(
            &r.annual_growth,
            "revenue.annual_growth",
            -0.99,
            100.0,
            "`annual_growth` (a fraction per year: 0.5 is +50%)",
        ),
        usd_bn_per_gw_year: c.input(
            &r.usd_bn_per_gw_year,
            "revenue.usd_bn_per_gw_year".into(),
            0.0,
            MAX_USD_BN,
            "`usd_bn_per_gw_year`",
        ),
    });

    // Costs and cash.
    let k = &raw.costs;
    let costs = Costs {
        running_usd_bn_per_gw_year: c.input_or(
            k.running_usd_bn_per_gw_year.as_ref(),
            0.0,
            "costs.running_usd_bn_per_gw_year".into(),
            0.0,
            MAX_USD_BN,
            "`running_usd_bn_per_gw_year`",
        ),
        other_usd_bn_per_year: match &k.other_usd_bn_per_year {
            Some(l) => c.input_list(
                l,
                "costs.other_usd_bn_per_year",
                0.0,
                MAX_USD_BN,
                "`other_usd_bn_per_year`",
            ),
            None => vec![Input {
                path: "costs.other_usd_bn_per_year[0]".into(),
                dist: Uncertain::Constant(0.0),
                min: 0.0,
                max: MAX_USD_BN,
            }],
        },
        revenue_share: c.input_or(
            k.revenue_share.as_ref(),
            0.0,
            "costs.revenue_share".into(),
            0.0,
            1.0,
            "`revenue_share` (a fraction of revenue)",
        ),
    };
    let start_cash_usd_bn = raw.cash.start_usd_bn.as_ref().map_or(0.0, |v| {
        c.number(v, -MAX_USD_BN, MAX_USD_BN, "`start_usd_bn`")
    });
    let cash_floor_usd_bn = raw.cash.floor_usd_bn.as_ref().map_or(0.0, |v| {
        c.number(v, -MAX_USD_BN, MAX_USD_BN, "`floor_usd_bn`")
    });

    // Funding.
    let mut seen = HashMap::new();
    let mut funding = Vec::new();
    if raw.funding.len() > MAX_ITEMS {
        c.error(
            raw.funding[MAX_ITEMS].name.span(),
            format!("at most {MAX_ITEMS} funding events are allowed"),
        );
    }
    for f in raw.funding.iter().take(MAX_ITEMS) {
        let name = c.name(&f.name, "funding", &mut seen);
        let probability = c.probability(f.probability.as_ref(), 1.0, "`probability`");
        let header = f.name.span();
        let basis = match f.basis {
            RawFundingBasis::Lump => {
                let kind = "lump funding";
                c.not_for(&f.usd_bn_per_gw, "usd_bn_per_gw", kind);
                c.not_for(&f.tranches, "tranches", kind);
                c.not_for(&f.max_usd_bn, "max_usd_bn", kind);
                let amount = c.required_amount(
                    &f.amount_usd_bn,
                    header.clone(),
                    "amount_usd_bn",
                    kind,
                    format!("funding.{name}.amount_usd_bn"),
                );
                let month_index = match c.required(&f.month, header, "month", kind) {
                    Some(m) => {
                        let i = m.get_ref().months_since(start);
                        if !(0..=end_index).contains(&i) && horizon_ok {
                            c.error(
                                m.span(),
                                format!(
                                    "funding month {} is outside the horizon {start} to {end}",
                                    m.get_ref()
                                ),
                            );
                        }
                        i.clamp(0, end_index) as usize
                    }
                    None => 0,
                };
                FundingBasis::Lump {
                    amount_usd_bn: amount,
                    month_index,
                }
            }
            RawFundingBasis::PerGw => {
                let kind = "per_gw funding";
                c.not_for(&f.amount_usd_bn, "amount_usd_bn", kind);
                c.not_for(&f.month, "month", kind);
                let price = c.required_amount(
                    &f.usd_bn_per_gw,
                    header.clone(),
                    "usd_bn_per_gw",
                    kind,
                    format!("funding.{name}.usd_bn_per_gw"),
                );
                let linked = c
                    .required(&f.tranches, header, "tranches", kind)
                    .map(|r| c.tranche_refs(r, &tranche_index, "the funding"))
                    .unwrap_or_default();
                let max_usd_bn = f.max_usd_bn.as_ref().map_or(f64::INFINITY, |m| {
                    c.number(m, 0.0, MAX_USD_BN, "`max_usd_bn`")
                });
                FundingBasis::PerGw {
                    usd_bn_per_gw: price,
                    tranches: linked,
                    max_usd_bn,
                }
            }
        };
        funding.push(Funding {
            component: ComponentId::new("funding", &name),
            name,
            description: f.description.clone(),
            probability,
            basis,
        });
    }

    // Targets.
    let mut seen = HashMap::new();
    let mut targets = Vec::new();
    if raw.targets.len() > MAX_ITEMS {
        c.error(
            raw.targets[MAX_ITEMS].name.span(),
            format!("at most {MAX_ITEMS} targets are allowed"),
        );
    }
    for t in raw.targets.iter().take(MAX_ITEMS) {
        let name = c.name(&t.name, "target", &mut seen);
        let metric = match Metric::from_name(t.metric.get_ref()) {
            Some(Metric::ComputeOnlineEflops)
                if !tranches.iter().any(|t| t.pflops_per_accelerator.is_some()) =>
            {
                c.error(t.metric.span(), "no tranche gives `pflops_per_accelerator`, so compute_online_eflops is not computed and this target could never be met");
                Metric::ComputeOnlineEflops
            }
            Some(m) if m.kind() != crate::metric::MetricKind::Event => m,
            Some(m) => {
                c.error(
                    t.metric.span(),
                    format!(
                        "{:?} is a 0/1 event per trial, which a target cannot watch; its probability is reported in summary.csv (for the first month it happens, watch funding_gap_usd_bn with at_least = 0.001)",
                        m.name()
                    ),
                );
                m
            }
            _ => {
                let names: Vec<&str> = Metric::ALL
                    .iter()
                    .filter(|m| m.kind() != crate::metric::MetricKind::Event)
                    .map(|m| m.name())
                    .collect();
                c.error(
                    t.metric.span(),
                    format!(
                        "unknown metric {:?}; a target can watch one of: {}",
                        t.metric.get_ref(),
                        names.join(", ")
                    ),
                );
                Metric::CapacityOnlineGw
            }
        };
        let threshold = match (&t.at_least, &t.at_most) {
            (Some(v), None) => {
                Threshold::AtLeast(c.number(v, -MAX_USD_BN * 1e3, f64::MAX, "`at_least`"))
            }
            (None, Some(v)) => {
                Threshold::AtMost(c.number(v, -MAX_USD_BN * 1e3, f64::MAX, "`at_most`"))
            }
            (Some(_), Some(v)) => {
                c.error(v.span(), "a target takes `at_least` or `at_most`, not both");
                Threshold::AtLeast(0.0)
            }
            (None, None) => {
                c.error(t.name.span(), "a target needs `at_least` or `at_most`");
                Threshold::AtLeast(0.0)
            }
        };
        targets.push(Target {
            name,
            metric,
            threshold,
        });
    }

    let mut scenario = Scenario {
        name: meta.name.get_ref().clone(),
        description: meta.description.clone(),
        start,
        months,
        trials,
        seed,
        percentiles,
        tranches,
        contracts,
        revenue,
        costs,
        start_cash_usd_bn,
        cash_floor_usd_bn,
        funding,
        targets,
        shocks,
        correlations: Vec::new(),
    };
    // Correlations name inputs by path, which exist once the scenario does.
    if !raw.correlations.is_empty() {
        let plan = DrawPlan::new(&scenario);
        scenario.correlations = raw
            .correlations
            .iter()
            .map(|k| c.correlation(k, &plan))
            .collect();
    }
    scenario
}

/// Returned alongside errors when building further would only add noise.
fn placeholder(meta: &RawMeta, start: Month, months: usize) -> Scenario {
    Scenario {
        name: meta.name.get_ref().clone(),
        description: String::new(),
        start,
        months,
        trials: DEFAULT_TRIALS,
        seed: DEFAULT_SEED,
        percentiles: DEFAULT_PERCENTILES.to_vec(),
        tranches: Vec::new(),
        contracts: Vec::new(),
        revenue: None,
        costs: Costs {
            running_usd_bn_per_gw_year: Input {
                path: String::new(),
                dist: Uncertain::Constant(0.0),
                min: 0.0,
                max: 0.0,
            },
            other_usd_bn_per_year: Vec::new(),
            revenue_share: Input {
                path: String::new(),
                dist: Uncertain::Constant(0.0),
                min: 0.0,
                max: 0.0,
            },
        },
        start_cash_usd_bn: 0.0,
        cash_floor_usd_bn: 0.0,
        funding: Vec::new(),
        targets: Vec::new(),
        shocks: Vec::new(),
        correlations: Vec::new(),
    }
}

/// Monthly payments of a take-or-pay contract over the horizon: each contract
/// year's weight spread evenly over its months, the last weight repeating,
/// scaled so that the whole term pays `value`.
fn take_or_pay_schedule(
    value: f64,
    start_index: i32,
    term: u32,
    weights: &[f64],
    months: usize,
) -> Vec<f64> {
    let mut schedule = vec![0.0; months];
    if weights.is_empty() {
        return schedule;
    }
    // Weights near the largest f64 would overflow the sum over the term;
    // only their ratios matter, so such weights are scaled down first.
    let largest = weights.iter().copied().fold(0.0, f64::max);
    let scale = if largest > 1e300 { largest } else { 1.0 };
    let weight_of = |m: u32| {
        let year = (m / 12) as usize;
        weights[year.min(weights.len() - 1)] / scale
    };
    let total: f64 = (0..term).map(weight_of).sum();
    if total <= 0.0 || !total.is_finite() {
        return schedule;
    }
    for m in 0..term {
        let idx = start_index + m as i32;
        if (0..months as i32).contains(&idx) {
            schedule[idx as usize] = value * weight_of(m) / total;
        }
    }
    schedule
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn take_or_pay_spreads_value_by_profile() {
        let s = take_or_pay_schedule(36.0, 1, 24, &[1.0, 2.0], 30);
        assert_eq!(s[0], 0.0);
        assert!((s[1] - 1.0).abs() < 1e-12);
        assert!((s[13] - 2.0).abs() < 1e-12);
        assert_eq!(s[25], 0.0);
        assert!((s.iter().sum::<f64>() - 36.0).abs() < 1e-9);
    }

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
