//! Editing a scenario file's TOML tree: setting a dotted key path
//! (`revenue.annual_growth`, `tranche.abilene-p2.delay_months`) to a value,
//! and writing the edited tree back as TOML text for validation. Sweeps use
//! it to apply each setting to the file.

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

/// The table a key path leads into, and the segments left to walk in it.
type Place<'t, 's> = (&'t mut toml::Table, &'s [String]);

/// Sets the key path `key` (as written; `segments` is it split at dots and
/// trimmed, at least one) to `value` in the scenario tree. The path must lead
/// through existing sections and, in arrays of tables, existing item names;
/// its last key (and any table under an item) may be absent: whether it is
/// valid is for the scenario's own validation to say. The error says what is
/// wrong with the path, and what would be right.
pub fn apply(
    table: &mut toml::Table,
    key: &str,
    segments: &[String],
    value: &toml::Value,
) -> Result<(), String> {
    let section = segments[0].as_str();
    if !SECTIONS.contains(&section) {
        return Err(format!(
            "unknown section \"{}\"; sections are: {}",
            one_line(section),
            SECTIONS.join(", ")
        ));
    }
    if segments.len() == 1 {
        return Err(format!(
            "`{section}` is a whole section; name a key in it, e.g. {}",
            example(section)
        ));
    }
    let (current, rest) =
        if let Some((_, plural)) = NAMED_ARRAYS.iter().find(|(s, _)| *s == section) {
            named_item(table, key, segments, plural)?
        } else if section == "correlation" {
            correlation(table, key, segments)?
        } else {
            plain_section(table, segments)?
        };
    set_within(current, segments, rest, value)
}

/// The item of a named array (`tranche.NAME...`) the path leads into.
fn named_item<'t, 's>(
    table: &'t mut toml::Table,
    key: &str,
    segs: &'s [String],
    plural: &str,
) -> Result<Place<'t, 's>, String> {
    let section = segs[0].as_str();
    let Some(toml::Value::Array(items)) = table.get_mut(section) else {
        return Err(format!("the scenario has no {plural}"));
    };
    let names: Vec<String> = items
        .iter()
        .filter_map(|i| i.get("name").and_then(|n| n.as_str()).map(String::from))
        .collect();
    // Names may contain dots: take the longest run of segments that names an
    // item.
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
            one_line(key),
            one_line(key),
            example_key(section)
        ));
    }
    match items.get_mut(index) {
        Some(toml::Value::Table(t)) => Ok((t, &segs[end..])),
        _ => Err(format!("{section} \"{}\" is not a table", segs[1])),
    }
}

/// The correlation (`correlation.N...`, by position from 1) the path leads into.
fn correlation<'t, 's>(
    table: &'t mut toml::Table,
    key: &str,
    segs: &'s [String],
) -> Result<Place<'t, 's>, String> {
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
            "`{key}` is a whole correlation; name a key in it, e.g. {key}.spearman"
        ));
    }
    match table.get_mut("correlation") {
        Some(toml::Value::Array(items)) => match items.get_mut(position - 1) {
            Some(toml::Value::Table(t)) => Ok((t, &segs[2..])),
            _ => Err(format!("correlation {position} is not a table")),
        },
        _ => unreachable!("counted above"),
    }
}

/// A plain section (`cash...`), created if absent.
fn plain_section<'t, 's>(
    table: &'t mut toml::Table,
    segs: &'s [String],
) -> Result<Place<'t, 's>, String> {
    let section = segs[0].as_str();
    let entry = table
        .entry(section.to_string())
        .or_insert_with(|| toml::Value::Table(toml::Table::new()));
    match entry {
        toml::Value::Table(t) => Ok((t, &segs[1..])),
        other => Err(format!(
            "`{section}` is {} in the scenario, not a section",
            a_type(other)
        )),
    }
}

/// Walks `rest`, the tail of `segs`, down from `current` (creating tables
/// that are absent) and sets its last key to `value`.
fn set_within(
    mut current: &mut toml::Table,
    segs: &[String],
    rest: &[String],
    value: &toml::Value,
) -> Result<(), String> {
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

/// A value as one line of ASCII TOML: strings escaped, tables inline.
pub(crate) fn compact(value: &toml::Value) -> String {
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
pub(crate) fn to_toml(table: &toml::Table) -> String {
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

/// `text` on one printable-ASCII line (anything else becomes `?`), for
/// messages and table cells.
pub fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if (' '..='~').contains(&c) { c } else { '?' })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::scenario::Scenario;

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

    /// `TEXT` with `KEY=VALUE` applied (VALUE is TOML).
    fn set(spec: &str) -> Result<toml::Table, String> {
        let mut t: toml::Table = TEXT.parse().unwrap();
        let (key, value) = spec.split_once('=').unwrap();
        let segments: Vec<String> = key.split('.').map(String::from).collect();
        let value: toml::Table = format!("v = {value}").parse().unwrap();
        apply(&mut t, key, &segments, &value["v"])?;
        Ok(t)
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
}
