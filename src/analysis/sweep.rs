//! Sweeps: one scenario run at every point of a grid of settings, each
//! setting a dotted path into the scenario file (`revenue.annual_growth`,
//! `tranche.abilene-p2.delay_months`) to a TOML value.
//!
//! Settings are applied to the file's TOML tree
//! ([`crate::scenario::edit`]) and the result is validated exactly as a
//! scenario file is, so a bad key or a value of the wrong type gets the
//! scenario's own message, with the setting that caused it. Every setting
//! runs with the same seed, and draws are keyed by seed, component name and
//! trial: settings differ only by what was set (common random numbers).

use std::fmt;
use std::path::{Path, PathBuf};

use crate::error::ScenarioError;
use crate::scenario::Scenario;
use crate::scenario::edit::{apply, compact, one_line, to_toml};

/// Percentiles a sweep reports, in percent.
pub const SWEEP_PERCENTILES: [f64; 3] = [10.0, 50.0, 90.0];

/// Most keys in one sweep (two make a grid).
pub const MAX_SWEEP_KEYS: usize = 2;

/// Why a sweep cannot run: every problem is found before anything runs.
#[derive(Debug, thiserror::Error)]
pub enum SweepError {
    /// More keys than [`MAX_SWEEP_KEYS`].
    #[error("{0} keys given; a sweep takes one or two keys (a grid), each with all its values")]
    TooManyKeys(usize),
    /// Key-and-values specs that cannot be read, in the order given.
    #[error("{}", join(.0))]
    Specs(Vec<SpecError>),
    /// The scenario file is not TOML.
    #[error("{}: {message}", path.display())]
    NotToml {
        /// The scenario file.
        path: PathBuf,
        /// The TOML parser's message.
        message: String,
    },
    /// A key given twice (on one printable line).
    #[error("{0} is given twice; give each key once with all its values")]
    Repeated(String),
    /// Settings the key paths or the scenario's validation reject: each bad
    /// value on its own first, then (if every value is valid alone) each bad
    /// combination.
    #[error("{}", join(.0))]
    Settings(Vec<SettingError>),
}

/// A key-and-values spec (`KEY=V1,V2,...`) that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{spec}: {reason}")]
pub struct SpecError {
    /// The spec, on one printable line.
    pub spec: String,
    /// What is wrong with it.
    pub reason: String,
}

/// A setting (one point of the grid) that cannot be applied or is invalid.
#[derive(Debug, thiserror::Error)]
#[error("{setting}: {problem}")]
pub struct SettingError {
    /// The setting as `KEY=VALUE`, keys separated by spaces.
    pub setting: String,
    /// What is wrong with it.
    pub problem: SettingProblem,
}

/// What is wrong with a setting.
#[derive(Debug)]
pub enum SettingProblem {
    /// The key path does not lead to a key of the scenario (the message says
    /// what would).
    Path(String),
    /// The scenario with this setting is invalid. Its diagnostics point into
    /// the modified scenario text, not the file at `path`.
    Invalid {
        /// The scenario file swept.
        path: PathBuf,
        /// The validation's verdict on the modified scenario.
        error: ScenarioError,
    },
}

impl fmt::Display for SettingProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SettingProblem::Path(why) => f.write_str(why),
            SettingProblem::Invalid {
                path,
                error: ScenarioError::Invalid(diagnostics),
            } => {
                let shown: Vec<String> = diagnostics
                    .iter()
                    .map(|d| format!("{} (in {} with this setting)", d.message, path.display()))
                    .collect();
                f.write_str(&shown.join("; "))
            }
            SettingProblem::Invalid { error, .. } => write!(f, "{error}"),
        }
    }
}

fn join<T: fmt::Display>(items: &[T]) -> String {
    let shown: Vec<String> = items.iter().map(T::to_string).collect();
    shown.join("\n\n")
}

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
    /// Parses a spec, `KEY=V1,V2,...`, where each value is TOML (a bare word
    /// that is not TOML is taken as a string).
    pub fn parse(spec: &str) -> Result<SweepKey, SpecError> {
        let bad = |reason: String| SpecError {
            spec: one_line(spec),
            reason,
        };
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

    /// Parses every spec; all mistakes are reported, in order.
    pub fn parse_all(specs: &[String]) -> Result<Vec<SweepKey>, SweepError> {
        let mut keys = Vec::new();
        let mut errors = Vec::new();
        for spec in specs {
            match SweepKey::parse(spec) {
                Ok(k) => keys.push(k),
                Err(e) => errors.push(e),
            }
        }
        if errors.is_empty() {
            Ok(keys)
        } else {
            Err(SweepError::Specs(errors))
        }
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
    let base: toml::Table = text
        .parse()
        .map_err(|e: toml::de::Error| SweepError::NotToml {
            path: path.to_path_buf(),
            message: e.message().to_string(),
        })?;
    for (i, k) in keys.iter().enumerate() {
        if keys[..i].iter().any(|o| o.key == k.key) {
            return Err(SweepError::Repeated(one_line(&k.key)));
        }
    }
    let build = |choice: &[(usize, usize)]| -> Result<SweepSetting, SettingError> {
        let mut table = base.clone();
        let mut values = Vec::new();
        let mut shown = Vec::new();
        for &(k, v) in choice {
            let key = &keys[k];
            let value = &key.values[v];
            shown.push(format!("{}={}", one_line(&key.key), value.label));
            apply(&mut table, &key.key, &key.segments, &value.value).map_err(|why| {
                SettingError {
                    setting: shown.join(" "),
                    problem: SettingProblem::Path(why),
                }
            })?;
            values.push((key.key.clone(), value.label.clone()));
        }
        let modified = to_toml(&table);
        let scenario = Scenario::parse(&modified, path).map_err(|error| SettingError {
            setting: shown.join(" "),
            problem: SettingProblem::Invalid {
                path: path.to_path_buf(),
                error,
            },
        })?;
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
        return Err(SweepError::Settings(errors));
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
        Err(SweepError::Settings(errors))
    }
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

[cash]
start_usd_bn = 10
"#;

    fn key(spec: &str) -> SweepKey {
        SweepKey::parse(spec).unwrap()
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
        let e = SweepKey::parse("cash.start_usd_bn").unwrap_err();
        assert_eq!(e.spec, "cash.start_usd_bn");
        assert!(e.reason.contains("KEY=V1"));
        assert!(
            SweepKey::parse("cash..x=1")
                .unwrap_err()
                .reason
                .contains("empty segment")
        );
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
        let e = sweep_settings(TEXT, path, &[key("tranche.site-a.delay_months=\"late\"")]);
        let Err(SweepError::Settings(errors)) = e else {
            panic!("{e:?}");
        };
        assert_eq!(errors[0].setting, "tranche.site-a.delay_months=\"late\"");
        assert!(matches!(errors[0].problem, SettingProblem::Invalid { .. }));
        let e = sweep_settings(TEXT, path, &[key("cash.start_usd=1")])
            .unwrap_err()
            .to_string();
        assert!(e.contains("start_usd"), "{e}");
        assert!(e.contains("start_usd_bn"), "{e}");
        let twice = [key("cash.start_usd_bn=1"), key("cash.start_usd_bn=2")];
        assert!(
            sweep_settings(TEXT, path, &twice)
                .unwrap_err()
                .to_string()
                .contains("twice")
        );
    }
}
