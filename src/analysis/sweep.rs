//! Sweeps: one scenario run at every point of a grid of settings, each
//! setting a dotted path into the scenario file (`revenue.annual_growth`,
//! `tranche.abilene-p2.delay_months`) to a TOML value.
//!
//! Settings are applied to the file's TOML tree and the result is validated
//! exactly as a scenario file is, so a bad key or a value of the wrong type
//! gets the scenario's own message, prefixed with the `--set` that caused it.
//! Every setting runs with the same seed, and draws are keyed by seed,
//! component name and trial: settings differ only by what was set (common
//! random numbers).

use std::io::Write;
use std::path::Path;

use crate::export::{csv_to_io, format_number};
use crate::model::OutcomeKind;
use crate::runner::RunResult;
use crate::scenario::Scenario;

/// Sections of a scenario file.
const SECTIONS: [&str; 11] = [
    "scenario",
    "simulation",
    "tranche",
    "contract",
    "revenue",
    "costs",
    "cash",
    "funding",
    "target",
    "shock",
    "correlation",
];

/// Sections that are arrays of tables whose items are addressed by `name`.
const NAMED_ARRAYS: [(&str, &str); 5] = [
    ("tranche", "tranches"),
    ("contract", "contracts"),
    ("funding", "funding events"),
    ("target", "targets"),
    ("shock", "shocks"),
];

/// Value outcomes reported with mean, p10, p50, p90 (besides per-contract
/// payments and target months).
pub const SWEEP_KEY_OUTCOMES: [&str; 5] = [
    "total_compute_payments_usd_bn",
    "total_revenue_usd_bn",
    "peak_funding_gap_usd_bn",
    "min_cash_usd_bn",
    "capacity_online_end_gw",
];

/// Percentiles a sweep reports, in percent.
pub const SWEEP_PERCENTILES: [f64; 3] = [10.0, 50.0, 90.0];

/// A mistake in a `--set` or a setting the scenario rejects. The message is
/// complete (it starts with `error:`) and means invalid input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct SweepError(pub String);

/// One swept value.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepValue {
    /// The value as written if it is printable ASCII on one line, otherwise
    /// its compact TOML form with non-ASCII characters escaped.
    pub label: String,
    /// The parsed value.
    pub value: toml::Value,
}

/// One swept key with its values, in the order given.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepKey {
    /// The dotted path as written.
    pub key: String,
    /// Its segments.
    pub segments: Vec<String>,
    /// The values.
    pub values: Vec<SweepValue>,
}

impl SweepKey {
    /// Parses a `--set` spec, `KEY=V1,V2,...`, where each value is TOML
    /// (a bare word that is not TOML is taken as a string).
    pub fn parse(spec: &str) -> Result<SweepKey, SweepError> {
        let bad = |why: String| SweepError(format!("error: --set {}: {why}", one_line(spec)));
        let Some((key, list)) = spec.split_once('=') else {
            return Err(bad(
                "expected KEY=V1,V2,... (e.g. --set revenue.annual_growth=0.5,1.0)".into(),
            ));
        };
        let key = key.trim();
        if key.is_empty() {
            return Err(bad("the key before `=` is empty".into()));
        }
        let segments: Vec<String> = key.split('.').map(|s| s.trim().to_string()).collect();
        if segments.iter().any(String::is_empty) {
            return Err(bad(format!(
                "`{}` has an empty segment; keys are dotted paths such as tranche.NAME.delay_months",
                one_line(key)
            )));
        }
        let items = split_top_level(list).map_err(bad)?;
        let mut values = Vec::with_capacity(items.len());
        for item in items {
            let value = parse_value(item).map_err(bad)?;
            values.push(SweepValue {
                label: label(item, &value),
                value,
            });
        }
        Ok(SweepKey {
            key: key.to_string(),
            segments,
            values,
        })
    }
}

/// Splits `list` on commas outside `{}`, `[]` and quoted strings, trimming
/// each item. Empty items and unbalanced brackets or quotes are errors.
pub fn split_top_level(list: &str) -> Result<Vec<&str>, String> {
    let mut items = Vec::new();
    let mut stack: Vec<char> = Vec::new();
    let mut quote: Option<char> = None;
    let mut escaped = false;
    let mut start = 0;
    for (i, c) in list.char_indices() {
        if let Some(q) = quote {
            if escaped {
                escaped = false;
            } else if q == '"' && c == '\\' {
                escaped = true;
            } else if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            '"' | '\'' => quote = Some(c),
            '{' | '[' => stack.push(c),
            '}' | ']' => {
                let open = if c == '}' { '{' } else { '[' };
                if stack.pop() != Some(open) {
                    return Err(format!("unmatched `{c}` in the values"));
                }
            }
            ',' if stack.is_empty() => {
                items.push(&list[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    if let Some(q) = quote {
        return Err(format!("unclosed {q} in the values"));
    }
    if let Some(open) = stack.last() {
        return Err(format!("unclosed `{open}` in the values"));
    }
    items.push(&list[start..]);
    let items: Vec<&str> = items.into_iter().map(str::trim).collect();
    if items.iter().any(|s| s.is_empty()) {
        return Err(if items.len() == 1 {
            "no values after `=`".to_string()
        } else {
            "an empty value in the list (two commas in a row, or one at an end)".to_string()
        });
    }
    Ok(items)
}

/// Parses one value as TOML; a bare word (letters, digits, `-_.:+`) that is
/// not TOML is a string, so `--set scenario.end=2030-12` works unquoted.
fn parse_value(text: &str) -> Result<toml::Value, String> {
    match format!("v = {text}\n").parse::<toml::Table>() {
        Ok(mut t) if t.len() == 1 => {
            if let Some(v) = t.remove("v") {
                return Ok(v);
            }
        }
        Ok(_) => {}
        Err(e) => {
            let bare = text
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.:+".contains(c));
            if bare {
                return Ok(toml::Value::String(text.to_string()));
            }
            let why = e.message().lines().next().unwrap_or("").trim().to_string();
            return Err(format!(
                "`{}` is not a TOML value ({why}); write numbers as 1.5, strings in quotes, distributions as {{ dist = \"pert\", min = 0, mode = 3, max = 12 }}",
                one_line(text)
            ));
        }
    }
    Err(format!("`{}` is more than one TOML value", one_line(text)))
}

/// The value as written when that is printable ASCII, else its compact TOML form.
fn label(text: &str, value: &toml::Value) -> String {
    if text.chars().all(|c| (' '..='~').contains(&c)) {
        text.to_string()
    } else {
        compact(value)
    }
}

/// A value as one line of ASCII TOML: strings escaped, tables inline.
pub fn compact(value: &toml::Value) -> String {
    match value {
        toml::Value::String(s) => quote(s),
        toml::Value::Array(items) => {
            let inner: Vec<String> = items.iter().map(compact).collect();
            format!("[{}]", inner.join(", "))
        }
        toml::Value::Table(t) => {
            if t.is_empty() {
                return "{}".into();
            }
            let inner: Vec<String> = t
                .iter()
                .map(|(k, v)| format!("{} = {}", key_text(k), compact(v)))
                .collect();
            format!("{{ {} }}", inner.join(", "))
        }
        other => other.to_string(),
    }
}

/// A scenario tree as TOML text: sections as `[name]`, arrays of tables as
/// `[[name]]`, and every value inside them on one line, so that a message
/// about a value shows the whole value.
pub fn to_toml(table: &toml::Table) -> String {
    let is_array_of_tables = |v: &toml::Value| match v {
        toml::Value::Array(items) => !items.is_empty() && items.iter().all(|i| i.is_table()),
        _ => false,
    };
    let mut out = String::new();
    for (k, v) in table {
        if !v.is_table() && !is_array_of_tables(v) {
            out.push_str(&format!("{} = {}\n", key_text(k), compact(v)));
        }
    }
    let body = |out: &mut String, t: &toml::Table| {
        for (k, v) in t {
            out.push_str(&format!("{} = {}\n", key_text(k), compact(v)));
        }
    };
    for (k, v) in table {
        match v {
            toml::Value::Table(t) => {
                out.push_str(&format!("\n[{}]\n", key_text(k)));
                body(&mut out, t);
            }
            toml::Value::Array(items) if is_array_of_tables(v) => {
                for item in items {
                    if let toml::Value::Table(t) = item {
                        out.push_str(&format!("\n[[{}]]\n", key_text(k)));
                        body(&mut out, t);
                    }
                }
            }
            _ => {}
        }
    }
    out
}

fn key_text(k: &str) -> String {
    if !k.is_empty()
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        k.to_string()
    } else {
        quote(k)
    }
}

/// A TOML basic string in ASCII.
fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            ' '..='~' => out.push(c),
            c if (c as u32) <= 0xFFFF => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push_str(&format!("\\U{:08X}", c as u32)),
        }
    }
    out.push('"');
    out
}

/// `text` on one printable-ASCII line, for messages.
fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if (' '..='~').contains(&c) { c } else { '?' })
        .collect()
}

/// Sets `key` to `value` in the scenario tree. The path must lead through
/// existing sections and, in arrays of tables, existing item names; its last
/// key (and any table under an item) may be absent: whether it is valid is
/// for the scenario's own validation to say.
pub fn apply(table: &mut toml::Table, key: &SweepKey, value: &toml::Value) -> Result<(), String> {
    let segs = &key.segments;
    let section = segs[0].as_str();
    if !SECTIONS.contains(&section) {
        return Err(format!(
            "unknown section \"{}\"; sections are: {}",
            one_line(section),
            SECTIONS.join(", ")
        ));
    }
    if segs.len() == 1 {
        return Err(format!(
            "`{section}` is a whole section; name a key in it, e.g. {}",
            example(section)
        ));
    }
    let (mut current, rest): (&mut toml::Table, &[String]) =
        if let Some((_, plural)) = NAMED_ARRAYS.iter().find(|(s, _)| *s == section) {
            let items = match table.get_mut(section) {
                Some(toml::Value::Array(items)) => items,
                _ => return Err(format!("the scenario has no {plural}")),
            };
            let names: Vec<String> = items
                .iter()
                .filter_map(|i| i.get("name").and_then(|n| n.as_str()).map(String::from))
                .collect();
            // Names may contain dots: take the longest run of segments that
            // names an item.
            let found = (2..=segs.len()).rev().find_map(|end| {
                let name = segs[1..end].join(".");
                names.iter().position(|n| *n == name).map(|i| (i, end))
            });
            let Some((index, end)) = found else {
                return Err(format!(
                    "no {section} named \"{}\"; {plural} are: {}",
                    one_line(&segs[1]),
                    names
                        .iter()
                        .map(|n| one_line(n))
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            };
            if end == segs.len() {
                return Err(format!(
                    "`{}` is a whole {section}; name a key in it, e.g. {}.{}",
                    one_line(&key.key),
                    one_line(&key.key),
                    example_key(section)
                ));
            }
            match items.get_mut(index) {
                Some(toml::Value::Table(t)) => (t, &segs[end..]),
                _ => return Err(format!("{section} \"{}\" is not a table", segs[1])),
            }
        } else if section == "correlation" {
            let count = match table.get("correlation") {
                Some(toml::Value::Array(items)) => items.len(),
                _ => 0,
            };
            let position = segs[1]
                .parse::<usize>()
                .ok()
                .filter(|p| (1..=count).contains(p));
            let Some(position) = position else {
                return Err(if count == 0 {
                    "the scenario has no correlations".to_string()
                } else {
                    format!(
                        "correlations are addressed by position, 1 to {count}, not \"{}\"",
                        one_line(&segs[1])
                    )
                });
            };
            if segs.len() == 2 {
                return Err(format!(
                    "`{}` is a whole correlation; name a key in it, e.g. {}.spearman",
                    key.key, key.key
                ));
            }
            match table.get_mut("correlation") {
                Some(toml::Value::Array(items)) => match items.get_mut(position - 1) {
                    Some(toml::Value::Table(t)) => (t, &segs[2..]),
                    _ => return Err(format!("correlation {position} is not a table")),
                },
                _ => unreachable!("counted above"),
            }
        } else {
            let entry = table
                .entry(section.to_string())
                .or_insert_with(|| toml::Value::Table(toml::Table::new()));
            match entry {
                toml::Value::Table(t) => (t, &segs[1..]),
                other => {
                    return Err(format!(
                        "`{section}` is {} in the scenario, not a section",
                        a_type(other)
                    ));
                }
            }
        };
    let (last, path) = rest.split_last().expect("at least one key");
    let start = segs.len() - rest.len();
    for (j, seg) in path.iter().enumerate() {
        let entry = current
            .entry(seg.clone())
            .or_insert_with(|| toml::Value::Table(toml::Table::new()));
        current = match entry {
            toml::Value::Table(t) => t,
            other => {
                return Err(format!(
                    "`{}` is {}, not a table, so it has no key \"{}\"",
                    one_line(&segs[..=start + j].join(".")),
                    a_type(other),
                    one_line(&segs[start + j + 1])
                ));
            }
        };
    }
    current.insert(last.clone(), value.clone());
    Ok(())
}

/// "a number", "a string", ... for messages.
fn a_type(v: &toml::Value) -> &'static str {
    match v {
        toml::Value::String(_) => "a string",
        toml::Value::Integer(_) | toml::Value::Float(_) => "a number",
        toml::Value::Boolean(_) => "a boolean",
        toml::Value::Datetime(_) => "a date",
        toml::Value::Array(_) => "a list",
        toml::Value::Table(_) => "a table",
    }
}

fn example(section: &str) -> &'static str {
    match section {
        "scenario" => "scenario.end",
        "simulation" => "simulation.trials",
        "revenue" => "revenue.annual_growth",
        "costs" => "costs.revenue_share",
        "cash" => "cash.start_usd_bn",
        "correlation" => "correlation.1.spearman",
        "tranche" => "tranche.NAME.delay_months",
        "contract" => "contract.NAME.value_usd_bn",
        "funding" => "funding.NAME.probability",
        "target" => "target.NAME.at_least",
        _ => "shock.NAME.description",
    }
}

fn example_key(section: &str) -> &'static str {
    example(section).rsplit('.').next().unwrap_or("")
}

/// One point of the grid: what was set, and the validated scenario.
#[derive(Debug, Clone)]
pub struct SweepSetting {
    /// (key, value label) per swept key, in the order the keys were given.
    pub values: Vec<(String, String)>,
    /// The scenario with these settings.
    pub scenario: Scenario,
}

/// Applies every point of the grid (the cartesian product of the keys'
/// values, first key slowest) to the scenario text at `path` and validates
/// each. Every mistake is reported before anything runs: first each value on
/// its own, then (if all are valid) the combinations.
pub fn sweep_settings(
    text: &str,
    path: &Path,
    keys: &[SweepKey],
) -> Result<Vec<SweepSetting>, SweepError> {
    let base: toml::Table = text.parse().map_err(|e: toml::de::Error| {
        SweepError(format!("error: {}: {}", path.display(), e.message()))
    })?;
    for (i, k) in keys.iter().enumerate() {
        if keys[..i].iter().any(|o| o.key == k.key) {
            return Err(SweepError(format!(
                "error: --set {} is given twice; give each key once with all its values",
                one_line(&k.key)
            )));
        }
    }
    let build = |choice: &[(usize, usize)]| -> Result<SweepSetting, String> {
        let mut table = base.clone();
        let mut values = Vec::new();
        let mut shown = Vec::new();
        for &(k, v) in choice {
            let key = &keys[k];
            let value = &key.values[v];
            shown.push(format!("{}={}", one_line(&key.key), value.label));
            apply(&mut table, key, &value.value)
                .map_err(|e| format!("error: --set {}: {e}", shown.join(" ")))?;
            values.push((key.key.clone(), value.label.clone()));
        }
        let modified = to_toml(&table);
        let scenario = Scenario::parse(&modified, path)
            .map_err(|e| format!("{}", SettingError(&shown.join(" "), path, e)))?;
        Ok(SweepSetting { values, scenario })
    };
    // Each value on its own first: one message per bad value.
    let mut errors = Vec::new();
    for (k, key) in keys.iter().enumerate() {
        for v in 0..key.values.len() {
            if let Err(e) = build(&[(k, v)]) {
                errors.push(e);
            }
        }
    }
    if !errors.is_empty() {
        return Err(SweepError(errors.join("\n\n")));
    }
    let mut grid: Vec<Vec<(usize, usize)>> = vec![Vec::new()];
    for (k, key) in keys.iter().enumerate() {
        grid = grid
            .into_iter()
            .flat_map(|prefix| {
                (0..key.values.len()).map(move |v| {
                    let mut c = prefix.clone();
                    c.push((k, v));
                    c
                })
            })
            .collect();
    }
    let mut settings = Vec::with_capacity(grid.len());
    for choice in &grid {
        match build(choice) {
            Ok(s) => settings.push(s),
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() {
        Ok(settings)
    } else {
        Err(SweepError(errors.join("\n\n")))
    }
}

/// A scenario error caused by a setting, shown without line numbers (they
/// would point into the modified scenario, not the file) but with the
/// offending line of the modified scenario.
struct SettingError<'a>(&'a str, &'a Path, crate::error::ScenarioError);

impl std::fmt::Display for SettingError<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let SettingError(shown, path, err) = self;
        match err {
            crate::error::ScenarioError::Invalid(diagnostics) => {
                for (i, d) in diagnostics.iter().enumerate() {
                    if i > 0 {
                        writeln!(f)?;
                    }
                    writeln!(
                        f,
                        "error: --set {shown}: {} (in {} with this setting)",
                        d.message,
                        path.display()
                    )?;
                    let line = one_line(&d.source_line);
                    let lead = " ".repeat(d.column.saturating_sub(1).min(line.len()));
                    writeln!(f, "   | {line}")?;
                    write!(f, "   | {lead}{}", "^".repeat(d.underline))?;
                }
                Ok(())
            }
            other => write!(f, "error: --set {shown}: {other}"),
        }
    }
}

/// The outcome columns of `sweep.csv`, from the runs' layouts (the union by
/// name, in order of first appearance): value outcomes (the key outcomes,
/// per-contract payments, target months) with `_mean`, `_p10`, `_p50`,
/// `_p90`; events (`cash_shortfall_ever`, targets reached) with
/// `_probability`, `_std_error`.
pub fn sweep_outcomes(results: &[&RunResult]) -> (Vec<String>, Vec<String>) {
    let mut values: Vec<String> = Vec::new();
    let mut events: Vec<String> = Vec::new();
    let push = |list: &mut Vec<String>, name: &str| {
        if !list.iter().any(|n| n == name) {
            list.push(name.to_string());
        }
    };
    for name in SWEEP_KEY_OUTCOMES {
        if results
            .iter()
            .any(|r| r.layout.outcomes.iter().any(|o| o.name == name))
        {
            push(&mut values, name);
        }
    }
    for r in results {
        for o in &r.layout.outcomes {
            let contract = o.name.starts_with("contract_") && o.name.ends_with("_payments_usd_bn");
            let target_month = o.name.starts_with("target_") && o.kind == OutcomeKind::Month;
            if contract || target_month {
                push(&mut values, &o.name);
            }
            let event = o.kind == OutcomeKind::Event
                && (o.name == "cash_shortfall_ever" || o.name.starts_with("target_"));
            if event {
                push(&mut events, &o.name);
            }
        }
    }
    (values, events)
}

/// Writes `sweep.csv`: one row per setting, `setting` (1-based), `key1`,
/// `value1` (and `key2`, `value2`), then the outcomes of
/// [`sweep_outcomes`]. Results must have been run with
/// [`SWEEP_PERCENTILES`]. Outcomes a setting lacks are blank.
pub fn write_sweep_csv(
    settings: &[SweepSetting],
    results: &[RunResult],
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let keys = settings.first().map_or(0, |s| s.values.len());
    let refs: Vec<&RunResult> = results.iter().collect();
    let (values, events) = sweep_outcomes(&refs);
    let mut w = csv::Writer::from_writer(out);
    let mut header = vec!["setting".to_string()];
    for k in 1..=keys {
        header.push(format!("key{k}"));
        header.push(format!("value{k}"));
    }
    for v in &values {
        for s in ["mean", "p10", "p50", "p90"] {
            header.push(format!("{v}_{s}"));
        }
    }
    for e in &events {
        header.push(format!("{e}_probability"));
        header.push(format!("{e}_std_error"));
    }
    w.write_record(header.iter().map(|h| one_line(h)))
        .map_err(csv_to_io)?;
    for (i, (s, r)) in settings.iter().zip(results).enumerate() {
        let mut row = vec![(i + 1).to_string()];
        for (k, v) in &s.values {
            row.push(one_line(k));
            row.push(one_line(v));
        }
        let find = |name: &str| r.layout.outcomes.iter().position(|o| o.name == name);
        for v in &values {
            match find(v).map(|o| &r.outcomes[o]) {
                Some(sum) => {
                    row.push(format_number(sum.mean));
                    for p in 0..SWEEP_PERCENTILES.len() {
                        row.push(format_number(sum.percentiles.get(p).copied().flatten()));
                    }
                }
                None => row.extend(std::iter::repeat_n(String::new(), 4)),
            }
        }
        for e in &events {
            match find(e).map(|o| &r.outcomes[o]) {
                Some(sum) => {
                    row.push(format_number(sum.mean));
                    row.push(format_number(sum.std_error));
                }
                None => row.extend([String::new(), String::new()]),
            }
        }
        w.write_record(&row).map_err(csv_to_io)?;
    }
    w.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = r#"
[scenario]
name = "t"
start = "2026-01"
end = "2026-12"

[[tranche]]
name = "site-a"
counterparty = "c"
gw = 1
planned = "2026-03"
delay_months = 2
accelerators_per_gw = 1000

[[tranche]]
name = "site.b"
counterparty = "c"
gw = 1
planned = "2026-05"
delay_months = 0
accelerators_per_gw = 1000

[cash]
start_usd_bn = 10
"#;

    fn key(spec: &str) -> SweepKey {
        SweepKey::parse(spec).unwrap()
    }

    fn set(spec: &str) -> Result<toml::Table, String> {
        let mut t: toml::Table = TEXT.parse().unwrap();
        let k = SweepKey::parse(spec).map_err(|e| e.0)?;
        apply(&mut t, &k, &k.values[0].value)?;
        Ok(t)
    }

    #[test]
    fn commas_split_at_the_top_level_only() {
        assert_eq!(split_top_level("1, 2,3").unwrap(), ["1", "2", "3"]);
        assert_eq!(
            split_top_level(r#"{ dist = "pert", min = 0, mode = 3, max = 12 }, 4"#).unwrap(),
            [r#"{ dist = "pert", min = 0, mode = 3, max = 12 }"#, "4"]
        );
        assert_eq!(
            split_top_level(r#"[0.5, 0.4], "a,b", 'c,"d', "e\",f""#).unwrap(),
            ["[0.5, 0.4]", r#""a,b""#, r#"'c,"d'"#, r#""e\",f""#]
        );
        assert_eq!(
            split_top_level("[{ a = [1, 2] }, 3],x").unwrap(),
            ["[{ a = [1, 2] }, 3]", "x"]
        );
        assert!(split_top_level("1,,2").unwrap_err().contains("empty value"));
        assert!(split_top_level("1,").unwrap_err().contains("empty value"));
        assert!(split_top_level("").unwrap_err().contains("no values"));
        assert!(
            split_top_level("{ a = 1")
                .unwrap_err()
                .contains("unclosed `{`")
        );
        assert!(
            split_top_level("[1}")
                .unwrap_err()
                .contains("unmatched `}`")
        );
        assert!(split_top_level("\"abc").unwrap_err().contains("unclosed"));
    }

    #[test]
    fn values_are_toml_and_labels_are_ascii() {
        let k = key(
            r#"tranche.site-a.delay_months = 3, { dist = "pert", min = 0, mode = 3, max = 12 }, 2030-12"#,
        );
        assert_eq!(k.segments, ["tranche", "site-a", "delay_months"]);
        assert_eq!(k.values[0].value, toml::Value::Integer(3));
        assert_eq!(
            k.values[1].value.get("mode"),
            Some(&toml::Value::Integer(3))
        );
        assert_eq!(
            k.values[1].label,
            r#"{ dist = "pert", min = 0, mode = 3, max = 12 }"#
        );
        assert_eq!(k.values[2].value, toml::Value::String("2030-12".into()));
        let k = key("scenario.name=\"\"\"Zü\nrich\"\"\", \"a\"");
        assert_eq!(k.values[0].label, r#""Z\u00FC\nrich""#);
        assert_eq!(k.values[1].label, r#""a""#);
        assert!(SweepKey::parse("cash.start_usd_bn={ a = }").is_err());
        assert!(
            SweepKey::parse("cash.start_usd_bn")
                .unwrap_err()
                .0
                .contains("KEY=V1")
        );
        assert!(
            SweepKey::parse("cash..x=1")
                .unwrap_err()
                .0
                .contains("empty segment")
        );
    }

    #[test]
    fn paths_name_the_bad_segment_and_the_valid_choices() {
        let e = set("tranche.site-c.delay_months=1").unwrap_err();
        assert_eq!(
            e,
            "no tranche named \"site-c\"; tranches are: site-a, site.b"
        );
        let e = set("revenu.annual_growth=1").unwrap_err();
        assert!(
            e.starts_with("unknown section \"revenu\"; sections are: scenario,"),
            "{e}"
        );
        assert!(
            set("contract.x.value_usd_bn=1")
                .unwrap_err()
                .contains("no contracts")
        );
        assert!(set("cash=1").unwrap_err().contains("whole section"));
        assert!(
            set("tranche.site-a=1")
                .unwrap_err()
                .contains("whole tranche")
        );
        let e = set("tranche.site-a.delay_months.mode=1").unwrap_err();
        assert_eq!(
            e,
            "`tranche.site-a.delay_months` is a number, not a table, so it has no key \"mode\""
        );
        // Names with dots, and keys absent from the file, are fine.
        let t = set("tranche.site.b.delay_months=4").unwrap();
        assert_eq!(t["tranche"][1]["delay_months"], toml::Value::Integer(4));
        let t = set("tranche.site-a.ramp_months=2").unwrap();
        assert_eq!(t["tranche"][0]["ramp_months"], toml::Value::Integer(2));
        let t = set("simulation.trials=100").unwrap();
        assert_eq!(t["simulation"]["trials"], toml::Value::Integer(100));
    }

    #[test]
    fn written_scenarios_read_back_the_same() {
        let text = format!(
            "{TEXT}\n[revenue]\nrun_rate_usd_bn = 1.5e3\nannual_growth = [0.5, {{ dist = \"pert\", min = 0, mode = 0.1, max = 1 }}]\nusd_bn_per_gw_year = 10\n"
        );
        let t: toml::Table = text.parse().unwrap();
        let again: toml::Table = to_toml(&t).parse().unwrap();
        assert_eq!(t, again);
        let path = Path::new("t.toml");
        assert_eq!(
            Scenario::parse(&to_toml(&t), path).unwrap(),
            Scenario::parse(&text, path).unwrap()
        );
        assert!(to_toml(&t).contains(
            "\nannual_growth = [0.5, { dist = \"pert\", max = 1, min = 0, mode = 0.1 }]\n"
        ));
    }

    #[test]
    fn settings_are_validated_as_scenario_files() {
        let path = Path::new("t.toml");
        let keys = [
            key("tranche.site-a.delay_months=1,{ dist = \"uniform\", min = 0, max = 4 }"),
            key("cash.start_usd_bn=5,6,7"),
        ];
        let s = sweep_settings(TEXT, path, &keys).unwrap();
        assert_eq!(s.len(), 6);
        assert_eq!(s[1].values[1], ("cash.start_usd_bn".into(), "6".into()));
        assert_eq!(s[4].scenario.start_cash_usd_bn, 6.0);
        let e = sweep_settings(TEXT, path, &[key("tranche.site-a.delay_months=\"late\"")])
            .unwrap_err()
            .0;
        assert!(
            e.starts_with("error: --set tranche.site-a.delay_months=\"late\": "),
            "{e}"
        );
        let e = sweep_settings(TEXT, path, &[key("cash.start_usd=1")])
            .unwrap_err()
            .0;
        assert!(e.contains("start_usd"), "{e}");
        assert!(e.contains("start_usd_bn"), "{e}");
        let twice = [key("cash.start_usd_bn=1"), key("cash.start_usd_bn=2")];
        assert!(
            sweep_settings(TEXT, path, &twice)
                .unwrap_err()
                .0
                .contains("twice")
        );
    }
}
