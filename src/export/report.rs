//! `report.html`: a one-page, self-contained report of a run. The charts are
//! inlined as SVG and the style sheet is inline; the page has no scripts and
//! fetches nothing, so it opens offline and can be mailed as one file.

use std::io::Write;

use super::chart::{CHARTS_DIR, RenderedChart};
use super::{Exporter, RunReport};
use crate::analysis::{DealKind, DealsAnalysis};
use crate::model::OutcomeKind;
use crate::model::outcome;
use crate::number::{fixed, readable};
use crate::runner::RunResult;

/// Writes `report.html` with the given charts (none with `--no-charts`).
#[derive(Debug, Clone, Default)]
pub struct HtmlReportExporter {
    /// Charts to inline, in order.
    pub charts: Vec<RenderedChart>,
    /// The deals analysis, if the run made one: a table of deals.
    pub deals: Option<DealsAnalysis>,
}

impl HtmlReportExporter {
    /// A report showing `charts`.
    pub fn new(charts: Vec<RenderedChart>) -> HtmlReportExporter {
        HtmlReportExporter {
            charts,
            deals: None,
        }
    }

    /// The same report with a section on `deals`.
    #[must_use]
    pub fn with_deals(mut self, deals: Option<DealsAnalysis>) -> HtmlReportExporter {
        self.deals = deals;
        self
    }
}

/// Escapes text for HTML element content and attribute values.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Control characters are not allowed in HTML or SVG text.
            '\t' | '\n' | '\r' => out.push(c),
            c if c.is_control() => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// Escapes `text` and turns `code` spans into `<code>` elements.
fn inline_text(text: &str) -> String {
    let mut out = String::new();
    for (i, part) in escape_html(text).split('`').enumerate() {
        if i % 2 == 1 {
            out.push_str("<code>");
            out.push_str(part);
            out.push_str("</code>");
        } else {
            out.push_str(part);
        }
    }
    out
}

const STYLE: &str = "\
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',sans-serif;\
margin:0 auto;max-width:960px;padding:24px;color:#1a1a1a;background:#fff;line-height:1.45}\
h1{font-size:1.6em;margin:0 0 .2em}h2{font-size:1.2em;margin:1.6em 0 .5em;border-bottom:1px solid #ddd}\
.meta{color:#555;font-size:.9em}.desc{white-space:pre-line}\
table{border-collapse:collapse;margin:.5em 0;font-size:.92em}\
th,td{padding:4px 10px;border-bottom:1px solid #e5e5e5;text-align:right}\
th:first-child,td:first-child{text-align:left}th{background:#f4f6f8}\
td.num{font-variant-numeric:tabular-nums}\
figure{margin:1.2em 0}figure svg{width:100%;height:auto;border:1px solid #eee}\
figcaption{font-size:.88em;color:#444;margin-top:.3em}\
code{font-family:ui-monospace,'DejaVu Sans Mono',monospace;font-size:.92em;background:#f4f6f8;padding:0 3px}\
code.ref{font-size:.75em;color:#666;background:none}\
ul.files{columns:2}";

impl Exporter for HtmlReportExporter {
    fn file_name(&self) -> &'static str {
        "report.html"
    }

    fn write(&self, report: &RunReport, out: &mut dyn Write) -> std::io::Result<()> {
        write_head(report, out)?;
        write_key_outcomes(report.result, out)?;
        super::years::write_year_section(report.result, out)?;
        write_probabilities(report, out)?;
        write_outside_views(report, out)?;
        write_deals(self.deals.as_ref(), out)?;
        self.write_charts(out)?;
        self.write_files(report, out)
    }
}

/// The page up to the title, the description and the run's facts.
fn write_head(report: &RunReport, out: &mut dyn Write) -> std::io::Result<()> {
    let s = report.scenario;
    let r = report.result;
    let m = &report.manifest;
    let title = escape_html(&s.name);
    writeln!(out, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>")?;
    writeln!(out, "<meta charset=\"utf-8\">")?;
    writeln!(
        out,
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
    )?;
    // No external resources at all: say so to the browser too.
    writeln!(
        out,
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">"
    )?;
    writeln!(out, "<title>{title}: capsim report</title>")?;
    writeln!(out, "<style>{STYLE}</style>\n</head>\n<body>")?;
    writeln!(out, "<h1>{title}</h1>")?;
    if !s.description.trim().is_empty() {
        writeln!(
            out,
            "<p class=\"desc\">{}</p>",
            escape_html(s.description.trim())
        )?;
    }
    writeln!(
        out,
        "<p class=\"meta\">{} to {} &middot; {} trials &middot; seed {} &middot; scenario <code>{}</code> (SHA-256 <code>{}</code>) &middot; capsim {}</p>",
        s.start,
        s.end(),
        r.trials,
        r.seed,
        escape_html(&m.scenario_path),
        escape_html(m.scenario_sha256.get(..12).unwrap_or(&m.scenario_sha256)),
        escape_html(&m.capsim_version)
    )
}

/// Key outcomes: amounts at p10/p50/p90 (or whatever was reported).
fn write_key_outcomes(r: &RunResult, out: &mut dyn Write) -> std::io::Result<()> {
    let wanted: Vec<usize> = [10.0, 50.0, 90.0]
        .iter()
        .filter_map(|p| r.percentiles.iter().position(|q| (q - p).abs() < 1e-9))
        .collect();
    let cols: Vec<usize> = if wanted.len() == 3 {
        wanted
    } else {
        (0..r.percentiles.len()).collect()
    };
    writeln!(
        out,
        "<h2>Key outcomes</h2>\n<table>\n<thead><tr><th>outcome</th><th>unit</th><th>mean</th>"
    )?;
    for &c in &cols {
        writeln!(
            out,
            "<th>{}</th>",
            escape_html(&super::percentile_column(r.percentiles[c]))
        )?;
    }
    writeln!(out, "</tr></thead>\n<tbody>")?;
    for (spec, sum) in r.layout.outcomes.iter().zip(&r.outcomes) {
        if spec.kind != OutcomeKind::Value {
            continue;
        }
        write!(
            out,
            "<tr><td>{} <code class=\"ref\">{}</code></td><td>{}</td><td class=\"num\">{}</td>",
            escape_html(&spec.label),
            escape_html(&spec.name),
            escape_html(&spec.unit),
            readable(sum.mean)
        )?;
        for &c in &cols {
            write!(
                out,
                "<td class=\"num\">{}</td>",
                readable(sum.percentiles[c])
            )?;
        }
        writeln!(out, "</tr>")?;
    }
    writeln!(out, "</tbody>\n</table>")
}

/// Deals: each deal's payments (p50) and its effect on the peak funding
/// need, then the reconciliation of the contracts' values (means).
fn write_deals(deals: Option<&DealsAnalysis>, out: &mut dyn Write) -> std::io::Result<()> {
    let Some(a) = deals else { return Ok(()) };
    writeln!(
        out,
        "<h2>Deals</h2>\n<p>Over the first {} trials (seed {}), USD bn. Paid: medians over trials. \
         Peak need: the mean of the peak funding need with the deal minus without it (its tranches \
         never arrive, or the funding never comes), every other draw the same, &plusmn; one standard \
         error. All headlines in <code>deals.csv</code>.</p>",
        a.trials, a.seed
    )?;
    writeln!(
        out,
        "<table>\n<thead><tr><th>deal</th><th>counterparty</th><th>value</th><th>paid in horizon</th>\
         <th>paid after</th><th>never paid</th><th>peak need</th></tr></thead>\n<tbody>"
    )?;
    for r in &a.rows {
        let contract = r.kind == DealKind::Contract;
        let ledger = |x: f64| {
            if contract {
                readable(Some(x))
            } else {
                "-".into()
            }
        };
        let e = r.effects.first().copied().unwrap_or_default();
        writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
             <td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{} &plusmn; {}</td></tr>",
            escape_html(&r.name),
            escape_html(if contract {
                &r.counterparty
            } else {
                "(funding)"
            }),
            readable(Some(r.value_usd_bn)),
            readable(Some(r.inside.p50)),
            ledger(r.after.p50),
            ledger(r.never.p50),
            readable(Some(e.mean)),
            readable(Some(e.se)),
        )?;
    }
    let c = &a.reconciliation;
    writeln!(
        out,
        "</tbody>\n</table>\n<p>Contracts, means over trials: value {} = paid before the horizon {} \
         + in it {} + after it {} + never paid {} &minus; lease interest {}.</p>",
        readable(Some(c.value)),
        readable(Some(c.before.mean)),
        readable(Some(c.inside.mean)),
        readable(Some(c.after.mean)),
        readable(Some(c.never.mean)),
        readable(Some(c.interest.mean)),
    )
}

/// Events: probabilities with standard errors, and the median month.
fn write_probabilities(report: &RunReport, out: &mut dyn Write) -> std::io::Result<()> {
    let s = report.scenario;
    let r = report.result;
    let p50 = r.percentiles.iter().position(|q| (q - 50.0).abs() < 1e-9);
    writeln!(
        out,
        "<h2>Probabilities</h2>\n<table>\n<thead><tr><th>event</th><th>probability</th><th>std error</th><th>median month</th></tr></thead>\n<tbody>"
    )?;
    let mut events = vec![(
        "cash below the floor at some month".to_string(),
        outcome::SHORTFALL_EVER,
    )];
    for (k, t) in s.targets.iter().enumerate() {
        events.push((
            format!("target {} met by {}", t.name, s.end()),
            r.layout.first_target_outcome + 2 * k,
        ));
    }
    for (label, i) in events {
        let ev = &r.outcomes[i];
        let month = p50
            .and_then(|j| r.outcomes.get(i + 1).and_then(|o| o.percentiles[j]))
            .map_or("not by the end".to_string(), |v| {
                s.month(v as usize).to_string()
            });
        writeln!(
            out,
            "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            escape_html(&label),
            fixed(ev.mean, 3),
            fixed(ev.std_error, 3),
            month
        )?;
    }
    writeln!(out, "</tbody>\n</table>")?;
    writeln!(
        out,
        "<p class=\"meta\">Standard errors are Monte Carlo errors of the estimate (from the number of trials), not uncertainty in the inputs.</p>"
    )
}

/// Outside views: each published figure beside the run's p10, p50 and p90
/// of the same quantity, and the share of trials below it. Nothing when the
/// scenario has none.
fn write_outside_views(report: &RunReport, out: &mut dyn Write) -> std::io::Result<()> {
    let s = report.scenario;
    let rows = super::view_rows(s, report.result);
    if rows.is_empty() {
        return Ok(());
    }
    writeln!(
        out,
        "<h2>Outside views</h2>\n<table>\n<thead><tr><th>view</th><th>quantity</th><th>unit</th><th>published</th><th>p10</th><th>p50</th><th>p90</th><th>trials below published</th><th>source</th></tr></thead>\n<tbody>"
    )?;
    for row in rows {
        let v = row.view;
        let what = format!(
            "{} `{}` {} {} to {}",
            v.metric.label(),
            v.metric.name(),
            v.stat.name(),
            s.month(v.from_index),
            s.month(v.to_index)
        );
        let name = if v.description.trim().is_empty() {
            format!("<code>{}</code>", escape_html(&v.name))
        } else {
            format!(
                "<code>{}</code><br>{}",
                escape_html(&v.name),
                escape_html(v.description.trim())
            )
        };
        write!(
            out,
            "<tr><td>{name}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td>",
            inline_text(&what),
            escape_html(v.unit()),
            readable(Some(v.value))
        )?;
        for p in row.percentiles {
            write!(out, "<td class=\"num\">{}</td>", readable(p))?;
        }
        writeln!(
            out,
            "<td class=\"num\">{}</td><td>{}</td></tr>",
            fixed(row.share_below, 3),
            escape_html(&v.source)
        )?;
    }
    writeln!(out, "</tbody>\n</table>")?;
    writeln!(
        out,
        "<p class=\"meta\">Published figures the scenario is checked against (<code>[[outside_view]]</code>), beside the distribution of the same quantity over trials; also in <code>outside_views.csv</code>.</p>"
    )
}

impl HtmlReportExporter {
    /// Each chart inline, with its caption.
    fn write_charts(&self, out: &mut dyn Write) -> std::io::Result<()> {
        if !self.charts.is_empty() {
            writeln!(out, "<h2>Charts</h2>")?;
        }
        for c in &self.charts {
            writeln!(out, "<figure id=\"{}\">", escape_html(&c.file_name))?;
            // The SVG document minus its XML declaration, if any.
            let svg = c.svg.trim_start();
            let svg = match svg.strip_prefix("<?xml") {
                Some(rest) => rest.split_once("?>").map_or(svg, |(_, body)| body),
                None => svg,
            };
            writeln!(out, "{}", svg.trim())?;
            writeln!(
                out,
                "<figcaption>{}</figcaption>\n</figure>",
                inline_text(&c.caption)
            )?;
        }
        Ok(())
    }

    /// Links to the run's other files, and the end of the page.
    fn write_files(&self, report: &RunReport, out: &mut dyn Write) -> std::io::Result<()> {
        writeln!(out, "<h2>Files</h2>\n<ul class=\"files\">")?;
        let mut files: Vec<String> = report
            .manifest
            .files
            .iter()
            .filter(|f| *f != "report.html")
            .cloned()
            .collect();
        for c in &self.charts {
            let f = format!("{CHARTS_DIR}/{}", c.file_name);
            if !files.contains(&f) {
                files.push(f);
            }
        }
        for f in files {
            let about = file_label(&f);
            let f = escape_html(&f);
            writeln!(out, "<li><a href=\"{f}\">{f}</a>{about}</li>")?;
        }
        writeln!(out, "</ul>\n</body>\n</html>")
    }
}

/// What a file of the run holds, for people: ` (...)` after its link, or
/// nothing for charts (shown above under their titles).
fn file_label(file: &str) -> String {
    let about = match file {
        "timeseries.csv" => "every metric by month, percentiles across".to_string(),
        "summary.csv" => "every outcome of the horizon, percentiles across".to_string(),
        "targets.csv" => "each target: probability met by each month".to_string(),
        "sensitivity.csv" => "what drives each outcome (the tornado charts' data)".to_string(),
        "outside_views.csv" => "published figures beside the run's percentiles".to_string(),
        "trials.csv" => "inputs and outcomes of single trials".to_string(),
        "manifest.json" => "how the run was made".to_string(),
        _ => match file
            .strip_prefix("wide/")
            .and_then(|f| f.strip_suffix(".csv"))
        {
            Some(name) => crate::metric::Metric::ALL
                .iter()
                .find(|m| {
                    name == m.name()
                        || name
                            .strip_prefix(m.name())
                            .is_some_and(|r| r.starts_with("_by_"))
                })
                .map_or_else(String::new, |m| {
                    format!("{}, months down, for spreadsheets", m.label())
                }),
            None => String::new(),
        },
    };
    if about.is_empty() {
        about
    } else {
        format!(" ({})", escape_html(&about))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_marks_code() {
        assert_eq!(escape_html("a<b & \"c\""), "a&lt;b &amp; &quot;c&quot;");
        assert_eq!(inline_text("see `x<y`"), "see <code>x&lt;y</code>");
    }
}
