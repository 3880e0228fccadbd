//! The catalogue of bad input: every `tests/bad_inputs/NN-name.toml` is an
//! invalid scenario whose exact stderr is in `NN-name.stderr`. Each is run
//! through the real binary, as `capsim validate` and as `capsim run --out`,
//! and must give exit code 2, exactly the snapshot on stderr, nothing on
//! stdout, no panic and no output folder. Absurd sizes are generated here
//! rather than committed, and bad command-line arguments are checked too.
//!
//! To re-bless the snapshots after a deliberate change of message:
//! `CAPSIM_BLESS=1 cargo test --test it bad_inputs` (refused when `CI=true`).

use std::path::{Path, PathBuf};

use crate::util::Workdir;

fn catalogue_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/bad_inputs")
}

fn blessing() -> bool {
    let bless = std::env::var("CAPSIM_BLESS").is_ok_and(|v| v == "1");
    let ci = std::env::var("CI").is_ok_and(|v| v == "true");
    assert!(
        !(bless && ci),
        "CAPSIM_BLESS=1 is refused when CI=true: snapshots are blessed by a developer and committed"
    );
    bless
}

/// Runs `file` (inside `wd`, named relatively) both ways and checks the
/// invariants every invalid scenario shares. Returns the stderr.
fn run_invalid(wd: &Workdir, file: &str) -> String {
    let out_dir = wd.path().join("out");
    let validate = wd.capsim(&["validate", file]);
    let run = wd.capsim(&[
        "run",
        file,
        "--out",
        out_dir.to_str().unwrap(),
        "--trials",
        "10",
    ]);
    for (what, o) in [("validate", &validate), ("run", &run)] {
        assert_eq!(
            o.code, 2,
            "{file}: capsim {what} should exit 2\nstderr:\n{}",
            o.stderr
        );
        assert!(
            !o.stderr.contains("panicked"),
            "{file}: {what} panicked:\n{}",
            o.stderr
        );
        assert!(
            o.stdout.is_empty(),
            "{file}: {what} printed on stdout:\n{}",
            o.stdout
        );
    }
    assert_eq!(
        validate.stderr, run.stderr,
        "{file}: validate and run report differently"
    );
    assert!(
        !out_dir.exists(),
        "{file}: an invalid scenario created the output folder"
    );
    validate.stderr
}

#[test]
fn every_catalogued_bad_input_gives_its_exact_error() {
    let bless = blessing();
    let mut files: Vec<PathBuf> = std::fs::read_dir(catalogue_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    assert!(
        files.len() >= 40,
        "the catalogue has only {} files",
        files.len()
    );
    let mut failures = Vec::new();
    for path in &files {
        let name = path.file_name().unwrap().to_str().unwrap();
        let wd = Workdir::new();
        wd.create(name, std::fs::read(path).unwrap());
        let stderr = run_invalid(&wd, name);
        // Every diagnostic starts with `error: NAME:LINE:COL: `.
        assert!(
            stderr.starts_with(&format!("error: {name}:")),
            "{name}: stderr does not start with the path:\n{stderr}"
        );
        let snapshot = path.with_extension("stderr");
        if bless {
            std::fs::write(&snapshot, &stderr).unwrap();
            continue;
        }
        match std::fs::read_to_string(&snapshot) {
            Ok(expected) if expected == stderr => {}
            Ok(expected) => failures.push(format!(
                "{name}: stderr differs from {}\n--- expected\n{expected}--- got\n{stderr}",
                snapshot.display()
            )),
            Err(e) => failures.push(format!(
                "{name}: no snapshot {} ({e}); bless with CAPSIM_BLESS=1\n--- got\n{stderr}",
                snapshot.display()
            )),
        }
    }
    // A snapshot without its scenario is a leftover.
    for e in std::fs::read_dir(catalogue_dir()).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|e| e == "stderr") && !p.with_extension("toml").exists() {
            failures.push(format!("{} has no scenario beside it", p.display()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Every diagnostic in a snapshot has the offending line and a caret (the
/// whole-file errors about bytes that are not text excepted).
#[test]
fn every_snapshot_points_at_a_line() {
    for e in std::fs::read_dir(catalogue_dir()).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_none_or(|e| e != "stderr") {
            continue;
        }
        let text = std::fs::read_to_string(&p).unwrap();
        if text.contains("not a text file") {
            continue;
        }
        for block in text.split("\n\nerror: ") {
            let lines: Vec<&str> = block.lines().collect();
            assert!(
                lines.len() >= 4
                    && lines[1].trim_end().ends_with('|')
                    && lines[2].contains(" | ")
                    && lines[3].trim_end().ends_with('^'),
                "{}: a diagnostic without its line and caret:\n{block}",
                p.display()
            );
        }
    }
}

/// A tranche header per line: 10^6 tranches (about 30 MB), generated rather
/// than committed. It is refused before the TOML is read, quickly and in
/// little memory, at the first tranche past the limit.
#[test]
fn a_million_tranches_are_refused_at_the_first_past_the_limit() {
    let wd = Workdir::new();
    let mut text =
        String::from("[scenario]\nname = \"huge\"\nstart = \"2026-01\"\nend = \"2028-12\"\n");
    for i in 0..1_000_000 {
        text.push_str(&format!("[[tranche]]\nname = \"t{i}\"\n"));
    }
    wd.create("huge.toml", &text);
    let started = std::time::Instant::now();
    let stderr = run_invalid(&wd, "huge.toml");
    // Line of the 10,001st header: 4 header lines, then 2 lines per tranche.
    let line = 4 + 2 * 10_000 + 1;
    assert_eq!(
        stderr,
        format!(
            "error: huge.toml:{line}:1: at most 10000 tranches are allowed, found 1000000; this is the first one past the limit\n      |\n{line} | [[tranche]]\n      | ^^^^^^^^^^^\n"
        )
    );
    assert!(
        started.elapsed().as_secs() < 60,
        "refusing took {:?}",
        started.elapsed()
    );
}

/// 10,001 contracts written out in full are refused as well.
#[test]
fn one_contract_too_many_is_refused() {
    let wd = Workdir::new();
    let mut text =
        String::from("[scenario]\nname = \"many\"\nstart = \"2026-01\"\nend = \"2026-12\"\n");
    for i in 0..10_001 {
        text.push_str(&format!(
            "\n[[contract]]\nname = \"c{i}\"\ncounterparty = \"x\"\nbasis = \"take_or_pay\"\nvalue_usd_bn = 1\nstart = \"2026-01\"\nterm_months = 12\n"
        ));
    }
    wd.create("many.toml", &text);
    let stderr = run_invalid(&wd, "many.toml");
    let line = 4 + 8 * 10_000 + 2;
    assert!(
        stderr.starts_with(&format!(
            "error: many.toml:{line}:1: at most 10000 contracts are allowed, found 10001"
        )),
        "{stderr}"
    );
}

/// Every kind of list has the limit, in table and in inline-array form: no
/// item past it is dropped silently.
#[test]
fn one_shock_funding_event_or_target_too_many_is_refused() {
    let wd = Workdir::new();
    let header = "[scenario]\nname = \"many\"\nstart = \"2026-01\"\nend = \"2026-12\"\n";
    let cases = [
        ("shock", "shocks", "\n[[shock]]\nname = \"s{i}\"\n"),
        (
            "funding",
            "funding events",
            "\n[[funding]]\nname = \"f{i}\"\namount_usd_bn = 1\nmonth = \"2026-02\"\n",
        ),
        (
            "target",
            "targets",
            "\n[[target]]\nname = \"t{i}\"\nmetric = \"capacity_online_gw\"\nat_least = 1\n",
        ),
    ];
    for (kind, plural, item) in cases {
        let mut text = String::from(header);
        for i in 0..10_001 {
            text.push_str(&item.replace("{i}", &i.to_string()));
        }
        let file = format!("many-{kind}.toml");
        wd.create(&file, &text);
        let stderr = run_invalid(&wd, &file);
        let want = format!("at most 10000 {plural} are allowed, found 10001");
        assert!(stderr.contains(&want), "{kind}: {stderr}");
    }
    // Inline arrays are not counted before parsing; validation refuses them.
    let names: Vec<String> = (0..10_001)
        .map(|i| format!("{{name = \"s{i}\"}}"))
        .collect();
    let text = format!("shock = [{}]\n{header}", names.join(", "));
    wd.create("inline.toml", &text);
    let stderr = run_invalid(&wd, "inline.toml");
    assert!(
        stderr.contains("at most 10000 shocks are allowed"),
        "{stderr}"
    );
}

/// A file too large to be a scenario is refused without being parsed.
#[test]
fn a_file_larger_than_any_scenario_is_refused() {
    let wd = Workdir::new();
    let mut text =
        String::from("[scenario]\nname = \"big\"\nstart = \"2026-01\"\nend = \"2028-12\"\n");
    let comment = format!("# {}\n", "x".repeat(1000));
    while text.len() <= 65 << 20 {
        text.push_str(&comment);
    }
    wd.create("big.toml", &text);
    let stderr = run_invalid(&wd, "big.toml");
    assert!(
        stderr
            .starts_with("error: big.toml:1:1: the scenario file is 65 MB; at most 64 MB is read"),
        "{stderr}"
    );
}

#[test]
fn a_missing_file_or_a_folder_is_an_input_error() {
    let wd = Workdir::new();
    std::fs::create_dir(wd.path().join("folder.toml")).unwrap();
    for file in ["missing.toml", "folder.toml"] {
        let stderr = run_invalid(&wd, file);
        assert!(
            stderr.starts_with(&format!("error: {file}: cannot read scenario: ")),
            "{stderr}"
        );
    }
}

/// Bad command-line arguments: exit 2, a message naming the flag, no output.
#[test]
fn bad_arguments_name_the_flag() {
    let wd = Workdir::new();
    wd.create(
        "ok.toml",
        "[scenario]\nname = \"ok\"\nstart = \"2026-01\"\nend = \"2026-12\"\n",
    );
    let cases: &[(&[&str], &str)] = &[
        (&["run", "ok.toml", "--trials", "0"], "--trials"),
        (&["run", "ok.toml", "--trials", "1000000000000"], "--trials"),
        (&["run", "ok.toml", "--trials", "many"], "--trials"),
        // clap reads "-5" as a flag; its message names the value, not `--trials`.
        (&["run", "ok.toml", "--trials", "-5"], "-5"),
        (&["run", "ok.toml", "--trials"], "--trials"),
        // Likewise "-1" for `--seed`.
        (&["run", "ok.toml", "--seed", "-1"], "-1"),
        (&["run", "ok.toml", "--seed", "1.5"], "--seed"),
        (&["run", "ok.toml", "--threads", "0"], "--threads"),
        (&["run", "ok.toml", "--threads", "100000"], "--threads"),
        (
            &["run", "ok.toml", "--percentiles", "50,10"],
            "--percentiles",
        ),
        (
            &["run", "ok.toml", "--percentiles", "0,50"],
            "--percentiles",
        ),
        (
            &["run", "ok.toml", "--percentiles", "50,100"],
            "--percentiles",
        ),
        (
            &["run", "ok.toml", "--percentiles", "fifty"],
            "--percentiles",
        ),
        (&["run", "ok.toml", "--percentiles", "nan"], "--percentiles"),
        (
            &["run", "ok.toml", "--percentiles", "0.0000001,50"],
            "--percentiles",
        ),
        (
            &["run", "ok.toml", "--percentiles", "50,99.99999999"],
            "--percentiles",
        ),
        (&["run", "ok.toml", "--percentiles", ""], "--percentiles"),
        (&["run", "ok.toml", "--bogus"], "--bogus"),
        (&["run", "ok.toml", "ok.toml"], "ok.toml"),
        (&["run"], "SCENARIO"),
        (&["validate"], "SCENARIO"),
        (&["simulate", "ok.toml"], "simulate"),
        (&[], "Usage"),
    ];
    let mut failures = Vec::new();
    for (args, flag) in cases {
        let o = wd.capsim(args);
        let ok = o.code == 2
            && o.stderr.contains(flag)
            && !o.stderr.contains("panicked")
            && o.stdout.is_empty()
            && !wd.exists("output");
        if !ok {
            failures.push(format!(
                "capsim {}: exit {}, expected 2 and {flag:?} in stderr\nstdout:\n{}\nstderr:\n{}",
                args.join(" "),
                o.code,
                o.stdout,
                o.stderr
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// A lease of 12 per GW on a 1 GW tranche over 12 months at `rate`.
fn tiny_lease(rate: &str) -> String {
    format!(
        "[scenario]\nname = \"tiny\"\nstart = \"2026-01\"\nend = \"2026-12\"\n\n\
         [[tranche]]\nname = \"a\"\ncounterparty = \"x\"\ngw = 1\nplanned = \"2026-01\"\n\
         accelerators_per_gw = 100000\n\n\
         [[contract]]\nname = \"l\"\ncounterparty = \"v\"\nbasis = \"lease\"\n\
         value_usd_bn = 100\nstart = \"2026-01\"\nterm_months = 12\ntranches = [\"a\"]\n\
         usd_bn_per_gw = 12\nrate = {rate}\n"
    )
}

/// Lease rates so small that `1 - (1 + r)^-n` cancels (below about 1e-15 it
/// is 0, an infinite payment; up to 1e-13 it underpays by up to 25%) pay
/// the level `P r / (1 - (1 + r)^-n)` by its stable form: 1 a month, as at
/// rate 0, within a rounding. No cell of the tables is blank or infinite.
#[test]
fn a_tiny_lease_rate_pays_like_no_interest() {
    let wd = Workdir::new();
    for rate in ["1e-300", "1e-16", "1.3e-15", "2e-15", "1e-13", "1e-9"] {
        wd.create("tiny.toml", tiny_lease(rate));
        let out = wd.path().join("out");
        let _ = std::fs::remove_dir_all(&out);
        wd.capsim(&[
            "run",
            "tiny.toml",
            "--trials",
            "10",
            "--no-charts",
            "--out",
            out.to_str().unwrap(),
        ])
        .expect_code(0);
        for table in ["timeseries.csv", "years.csv"] {
            for row in wd.read_csv(&format!("out/tiny/{table}")) {
                assert!(
                    row.iter()
                        .all(|c| !c.is_empty() && !c.to_lowercase().contains("inf")),
                    "rate {rate}, {table}: {row:?}"
                );
            }
        }
        let rows = wd.read_csv("out/tiny/timeseries.csv");
        let p50 = crate::util::column(&rows[0], "p50");
        let mut months = 0;
        for row in rows.iter().filter(|r| r[0] == "compute_payments_usd_bn") {
            let paid: f64 = row[p50].parse().unwrap();
            assert!((paid - 1.0).abs() < 1e-6, "rate {rate}: {row:?}");
            months += 1;
        }
        assert_eq!(months, 12, "rate {rate}");
        let deals = wd.capsim(&["deals", "tiny.toml", "--trials", "10"]);
        deals.expect_code(0);
        let text = deals.stdout.to_lowercase();
        assert!(
            !text.contains("nan") && !text.contains("inf"),
            "rate {rate}: {}",
            deals.stdout
        );
    }
}

/// Equity in blocks of 10 at a cost of 0.9 reaches cash as 1, exactly what
/// a cost of 1 a month takes: one block a month holds cash at the floor.
/// `1 - 0.9` is 0.09999999999999998, and a count of blocks rounded up
/// raised two in the first month; the smallest block, 1e-6, stays finite.
#[test]
fn equity_blocks_are_counted_without_rounding_up_a_spare() {
    let wd = Workdir::new();
    for block in ["10", "1e-6"] {
        wd.create(
            "equity.toml",
            format!(
                "[scenario]\nname = \"equity\"\nstart = \"2026-01\"\nend = \"2026-12\"\n\n\
                 [costs]\nother_usd_bn_per_year = 12\n\n\
                 [financing]\nequity_block_usd_bn = {block}\nequity_cost = 0.9\n"
            ),
        );
        let out = wd.path().join("out");
        let _ = std::fs::remove_dir_all(&out);
        wd.capsim(&[
            "run",
            "equity.toml",
            "--trials",
            "10",
            "--no-charts",
            "--out",
            out.to_str().unwrap(),
        ])
        .expect_code(0);
        let rows = wd.read_csv("out/equity/timeseries.csv");
        let p50 = crate::util::column(&rows[0], "p50");
        let value = |metric: &str| -> Vec<f64> {
            rows.iter()
                .filter(|r| r[0] == metric)
                .map(|r| r[p50].parse().unwrap())
                .collect()
        };
        // 1 a month reaches cash, so 10 is raised before its cost.
        let per_month = 10.0;
        let equity = value("equity_raised_usd_bn");
        assert_eq!(equity.len(), 12);
        for e in equity {
            assert!(
                (e - per_month).abs() < 1e-6 * per_month,
                "block {block}: {e}"
            );
        }
        assert_eq!(value("cash_balance_usd_bn"), vec![0.0; 12], "block {block}");
        assert_eq!(value("cash_shortfall"), vec![0.0; 12], "block {block}");
    }
}

/// Is `cell` a plain decimal number (`-2.5`, `-1e-3`)?
fn plain_number(cell: &str) -> bool {
    let body = cell.trim_start_matches(['-', '+']);
    cell.len() - body.len() <= 1
        && body.parse::<f64>().is_ok_and(f64::is_finite)
        && body.starts_with(|c: char| c.is_ascii_digit() || c == '.')
}

/// Text a spreadsheet would run as a formula (a view's `description` and
/// `source`, a counterparty, a name that begins with `-`) is written with a
/// leading `'` in every CSV file; no cell of any file begins with `=`, `+`,
/// `-`, `@`, a tab or a carriage return unless it is a plain number.
#[test]
fn text_a_spreadsheet_would_evaluate_is_neutralised() {
    let wd = Workdir::new();
    let scenario = crate::util::SMALL
        .replace("name = \"azure\"", "name = \"-1-1\"")
        .replace(
            "counterparty = \"Bigcloud\"",
            "counterparty = \"=cmd|' /C calc'!A0\"",
        )
        + r#"
[[outside_view]]
name = "rev-2026"
description = "=HYPERLINK(\"http://example.com\",\"x\")"
metric = "revenue_usd_bn"
from = "2026-01"
to = "2026-12"
stat = "sum"
value = 13
source = "@SUM(1+1)"

[[outside_view]]
name = "tabbed"
description = "\t=1+1"
metric = "revenue_usd_bn"
from = "2026-01"
to = "2026-12"
stat = "sum"
value = 13
source = "+1+1"
"#;
    wd.create("evil.toml", &scenario);
    let out = wd.path().join("out");
    wd.capsim(&[
        "run",
        "evil.toml",
        "--trials",
        "50",
        "--no-charts",
        "--export-trials",
        "5",
        "--out",
        out.to_str().unwrap(),
    ])
    .expect_code(0);
    let mut cells = Vec::new();
    for file in wd.files() {
        if !file.ends_with(".csv") {
            continue;
        }
        for row in wd.read_csv(&file) {
            cells.extend(row.into_iter().map(|c| (file.clone(), c)));
        }
    }
    assert!(cells.len() > 1000, "{} cells", cells.len());
    for (file, cell) in &cells {
        let risky = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
        assert!(!risky || plain_number(cell), "{file}: {cell:?}");
    }
    let views = wd.read_csv("out/evil/outside_views.csv");
    let (description, source) = (
        crate::util::column(&views[0], "description"),
        crate::util::column(&views[0], "source"),
    );
    assert_eq!(
        views[1][description],
        "'=HYPERLINK(\"http://example.com\",\"x\")"
    );
    assert_eq!(views[1][source], "'@SUM(1+1)");
    assert_eq!(views[2][description], "'\t=1+1");
    assert_eq!(views[2][source], "'+1+1");
    let deals = wd.read("out/evil/deals.csv");
    assert!(
        deals.contains("'-1-1,contract,'=cmd|' /C calc'!A0,"),
        "{deals}"
    );
}

/// Runs capsim with `args` in `wd`, failing (and killing it) if it takes
/// more than `secs` seconds: a read of a pipe or device that does not end.
fn capsim_within(wd: &Workdir, args: &[&str], secs: u64) -> crate::util::Run {
    let mut child = wd
        .command(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("capsim starts");
    let started = std::time::Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed().as_secs() > secs {
            child.kill().unwrap();
            child.wait().unwrap();
            panic!("capsim {} did not finish in {secs} s", args.join(" "));
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    crate::util::Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

/// Every file capsim reads is checked for its kind and size before it is
/// read: a device (`/dev/zero`, which merge once read without bound), a
/// pipe (which would block), a folder and a state file larger than 4 GB
/// (sparse: nothing of it is read) are refused at once with exit 2, a
/// message naming the file and nothing written; so are scenarios that are
/// not regular files, for every subcommand that reads one.
#[cfg(unix)]
#[test]
fn files_that_are_not_regular_or_too_large_are_refused_before_reading() {
    let wd = Workdir::new();
    std::fs::create_dir(wd.path().join("folder")).unwrap();
    let fifo = wd.path().join("fifo");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    assert!(made.is_ok_and(|s| s.success()), "mkfifo");
    let big = std::fs::File::create(wd.path().join("big.state")).unwrap();
    big.set_len(5 << 30).unwrap();
    let cases: &[(&[&str], &str)] = &[
        (
            &["merge", "/dev/zero"],
            "/dev/zero: cannot read state file: it is a character device, not a regular file",
        ),
        (
            &["merge", "fifo"],
            "fifo: cannot read state file: it is a pipe, not a regular file",
        ),
        (
            &["merge", "folder"],
            "folder: cannot read state file: it is a folder, not a regular file",
        ),
        (
            &["merge", "big.state"],
            "big.state: cannot read state file: it is 5 GB; at most 4 GB is read",
        ),
        (
            &["run", "/dev/zero"],
            "/dev/zero: cannot read scenario: it is a character device, not a regular file",
        ),
        (
            &["validate", "fifo"],
            "fifo: cannot read scenario: it is a pipe",
        ),
        (&["run", "fifo"], "fifo: cannot read scenario: it is a pipe"),
        (
            &["deals", "fifo"],
            "fifo: cannot read scenario: it is a pipe",
        ),
        (
            &["compare", "fifo", "fifo"],
            "fifo: cannot read scenario: it is a pipe",
        ),
        (
            &["sweep", "fifo", "--set", "cash.start_usd_bn=1,2"],
            "fifo: cannot read scenario: it is a pipe",
        ),
    ];
    for (args, want) in cases {
        let o = capsim_within(&wd, args, 30);
        assert_eq!(o.code, 2, "capsim {}: {}", args.join(" "), o.stderr);
        assert!(
            o.stderr.starts_with(&format!("error: {want}")),
            "capsim {}: {}",
            args.join(" "),
            o.stderr
        );
        assert!(!o.stderr.contains("panicked"), "{}", o.stderr);
        assert!(
            !wd.exists("output"),
            "capsim {} wrote output",
            args.join(" ")
        );
    }
}

/// A scenario file with the longest legal name (255 bytes) runs, and so
/// do a comparison and a sweep of two long names: the hidden lock and
/// temporary folders beside the output folder, and a comparison's
/// `A-vs-B` folder, cut a name longer than 200 bytes and add a hash of
/// the whole, so they fit in a file name and stay distinct.
#[test]
fn the_longest_file_names_run_compare_and_sweep() {
    let wd = Workdir::new();
    let (a, b) = ("a".repeat(250), "b".repeat(240));
    let text = "[scenario]\nname = \"long\"\nstart = \"2026-01\"\nend = \"2026-06\"\n";
    wd.create(&format!("{a}.toml"), text);
    wd.create(&format!("{b}.toml"), text);
    let (fa, fb) = (format!("{a}.toml"), format!("{b}.toml"));
    for args in [
        vec!["run", &fa, &fb, "--no-charts"],
        vec!["compare", &fa, &fb, "--no-charts"],
        vec!["sweep", &fa, "--set", "cash.start_usd_bn=1,2"],
    ] {
        let mut args = args;
        args.extend(["--trials", "10"]);
        let o = wd.capsim(&args);
        assert_eq!(o.code, 0, "capsim {}: {}", args[0], o.stderr);
    }
    assert!(wd.exists(&format!("output/{a}/summary.csv")));
    assert!(wd.exists(&format!("output/{b}/summary.csv")));
    assert!(wd.exists(&format!("output/sweeps/{a}/sweep.csv")));
    let comparisons: Vec<String> = std::fs::read_dir(wd.path().join("output/comparisons"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(comparisons.len(), 1, "{comparisons:?}");
    assert!(comparisons[0].starts_with(&a[..120]) && comparisons[0].len() == 137);
    // Nothing hidden is left beside the folders.
    let hidden = wd.files().into_iter().filter(|f| f.contains(".capsim-"));
    assert_eq!(hidden.count(), 0);
}

/// A warning about a huge threshold shows it as `1e300`, not 301 digits.
#[test]
fn warnings_show_huge_numbers_in_scientific_notation() {
    let wd = Workdir::new();
    wd.create(
        "huge.toml",
        "[scenario]\nname = \"huge\"\nstart = \"2026-01\"\nend = \"2026-12\"\n\n\
         [[target]]\nname = \"t\"\nmetric = \"capacity_online_gw\"\nat_least = 1e300\n",
    );
    let o = wd.capsim(&["validate", "huge.toml"]);
    o.expect_code(0);
    assert!(o.stderr.contains(">= 1e300"), "{}", o.stderr);
    let longest_digits = o
        .stderr
        .split(|c: char| !c.is_ascii_digit())
        .map(str::len)
        .max();
    assert!(longest_digits < Some(12), "{}", o.stderr);
}

/// `--threads 1024` is accepted and capped at 4 threads per core, which
/// the manifest records.
#[test]
fn threads_beyond_four_per_core_are_capped() {
    let wd = Workdir::new();
    wd.create(
        "ok.toml",
        "[scenario]\nname = \"ok\"\nstart = \"2026-01\"\nend = \"2026-06\"\n",
    );
    wd.capsim(&[
        "run",
        "ok.toml",
        "--trials",
        "10",
        "--no-charts",
        "--threads",
        "1024",
    ])
    .expect_code(0);
    let manifest: serde_json::Value =
        serde_json::from_str(&wd.read("output/ok/manifest.json")).unwrap();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    assert_eq!(manifest["threads"], serde_json::json!(4 * cores.min(256)));
    let help = wd.capsim(&["run", "--help"]);
    assert!(
        help.stdout.contains("at most 4 per core"),
        "{}",
        help.stdout
    );
}

/// An output folder that is a symbolic link to a folder is followed: the
/// link stays, the folder it leads to is replaced as a whole (keeping the
/// user's files), run after run; a link to a file is still refused.
#[cfg(unix)]
#[test]
fn an_output_folder_that_is_a_link_to_a_folder_is_followed() {
    let wd = Workdir::new();
    wd.create(
        "ok.toml",
        "[scenario]\nname = \"ok\"\nstart = \"2026-01\"\nend = \"2026-06\"\n",
    );
    wd.create("elsewhere/results/notes.txt", "mine\n");
    std::fs::create_dir(wd.path().join("output")).unwrap();
    std::os::unix::fs::symlink("../elsewhere/results", wd.path().join("output/ok")).unwrap();
    for _ in 0..2 {
        wd.capsim(&["run", "ok.toml", "--trials", "10", "--no-charts"])
            .expect_code(0);
        let link = std::fs::symlink_metadata(wd.path().join("output/ok")).unwrap();
        assert!(link.file_type().is_symlink());
        assert!(wd.exists("elsewhere/results/summary.csv"));
        assert_eq!(wd.read("elsewhere/results/notes.txt"), "mine\n");
    }
    let hidden = wd.files().into_iter().filter(|f| f.contains(".capsim-"));
    assert_eq!(hidden.count(), 0);
    // A link to a file is not a folder.
    std::fs::remove_file(wd.path().join("output/ok")).unwrap();
    std::os::unix::fs::symlink("../ok.toml", wd.path().join("output/ok")).unwrap();
    let o = wd.capsim(&["run", "ok.toml", "--trials", "10", "--no-charts"]);
    assert_eq!(o.code, 1, "{}", o.stderr);
    assert!(
        o.stderr.contains("not a folder (nor a link to one)"),
        "{}",
        o.stderr
    );
}

/// Scenario files whose names differ only in bytes that are not UTF-8
/// write to distinct folders (their readable names with a hash of the
/// bytes), so neither replaces the other.
#[cfg(target_os = "linux")]
#[test]
fn names_differing_only_in_bytes_that_are_not_text_get_distinct_folders() {
    use std::os::unix::ffi::OsStrExt;
    let wd = Workdir::new();
    let text = "[scenario]\nname = \"x\"\nstart = \"2026-01\"\nend = \"2026-06\"\n";
    let names = [&b"a\xff.toml"[..], &b"a\xfe.toml"[..]];
    for name in names {
        let name = std::ffi::OsStr::from_bytes(name);
        std::fs::write(wd.path().join(name), text).unwrap();
        let o = wd
            .command(&["run", "--trials", "10", "--no-charts", "--quiet"])
            .arg(name)
            .output()
            .unwrap();
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
    // Both at once: two folders, not a refusal.
    let o = wd
        .command(&["run", "--trials", "10", "--no-charts", "--quiet"])
        .args(names.map(std::ffi::OsStr::from_bytes))
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let folders: Vec<String> = std::fs::read_dir(wd.path().join("output"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(folders.len(), 2, "{folders:?}");
    for f in &folders {
        assert!(f.starts_with("a\u{FFFD}~") && f.len() == 4 + 1 + 16, "{f}");
        assert!(wd.exists(&format!("output/{f}/summary.csv")));
    }
}

/// A run killed between the two renames of the fallback swap (where
/// `RENAME_EXCHANGE` is missing) leaves no folder, the previous folder set
/// aside as `.capsim-NAME.PID.old.tmp` and its new one: the next run puts
/// the previous folder back before anything else, so the user's files in
/// it survive into the new folder (it once removed both hidden copies).
#[cfg(unix)]
#[test]
fn a_folder_set_aside_by_a_killed_swap_survives_the_next_run() {
    let wd = Workdir::new();
    wd.create(
        "ok.toml",
        "[scenario]\nname = \"ok\"\nstart = \"2026-01\"\nend = \"2026-06\"\n",
    );
    let mut child = std::process::Command::new("true").spawn().unwrap();
    let pid = child.id();
    child.wait().unwrap();
    wd.create(
        &format!("output/.capsim-ok.{pid}.old.tmp/manifest.json"),
        r#"{"files": ["summary.csv"]}"#,
    );
    wd.create(
        &format!("output/.capsim-ok.{pid}.old.tmp/summary.csv"),
        "old\n",
    );
    wd.create(
        &format!("output/.capsim-ok.{pid}.old.tmp/notes.txt"),
        "mine\n",
    );
    wd.create(
        &format!("output/.capsim-ok.{pid}.new.tmp/summary.csv"),
        "new, half\n",
    );
    wd.capsim(&["run", "ok.toml", "--trials", "10", "--no-charts"])
        .expect_code(0);
    assert_eq!(wd.read("output/ok/notes.txt"), "mine\n");
    assert!(wd.read("output/ok/summary.csv").starts_with("outcome,"));
    let hidden = wd.files().into_iter().filter(|f| f.contains(".capsim-"));
    assert_eq!(hidden.count(), 0);
}

/// A scenario of 300 tranches named `{prefix}0..` and 3,000 purchase
/// contracts, each linked to tranches `t0..t299` (undefined unless the
/// prefix is `t`): about 7 MB of TOML.
fn many_contracts(prefix: &str) -> String {
    let mut text =
        String::from("[scenario]\nname = \"big\"\nstart = \"2026-01\"\nend = \"2026-12\"\n");
    for j in 0..300 {
        text.push_str(&format!(
            "\n[[tranche]]\nname = \"{prefix}{j}\"\ncounterparty = \"x\"\ngw = 1\nplanned = \"2026-01\"\naccelerators_per_gw = 400000\n"
        ));
    }
    let linked: Vec<String> = (0..300).map(|j| format!("\"t{j}\"")).collect();
    let linked = linked.join(", ");
    for i in 0..3000 {
        text.push_str(&format!(
            "\n[[contract]]\nname = \"c{i}\"\ncounterparty = \"x\"\nbasis = \"purchase\"\nvalue_usd_bn = 1\nstart = \"2026-01\"\nterm_months = 12\ntranches = [{linked}]\nusd_bn_per_gw = 1\n"
        ));
    }
    text
}

/// Running out of memory (here a 120 MB limit on address space, and a
/// 7 MB scenario whose parsing needs about 220 MB) ends capsim with one line,
/// `error: out of memory: ...`, and exit code 1, not an abort (exit 134)
/// with an empty backtrace.
#[cfg(target_os = "linux")]
#[test]
fn running_out_of_memory_is_a_one_line_error() {
    let wd = Workdir::new();
    wd.create("big.toml", many_contracts("t"));
    let out = std::process::Command::new("sh")
        .args([
            "-c",
            "ulimit -v 120000 && exec \"$0\" \"$@\"",
            env!("CARGO_BIN_EXE_capsim"),
            "validate",
            "big.toml",
        ])
        .current_dir(wd.path())
        .env_remove("RUST_BACKTRACE")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{stderr}");
    assert!(
        lines[0].starts_with("error: out of memory: could not allocate "),
        "{stderr}"
    );
}

/// 900,000 mistakes (3,000 contracts each naming 300 undefined tranches,
/// with 300 others defined to suggest from) are reported as the first 100
/// and a count, quickly: reporting each, with its line and a suggestion,
/// once took 8 minutes and 9.6 GB.
#[test]
fn a_million_mistakes_are_reported_as_the_first_hundred_and_a_count() {
    let wd = Workdir::new();
    // The tranches are named s0.., the contracts name t0..: all undefined.
    wd.create("many.toml", many_contracts("s"));
    let started = std::time::Instant::now();
    let stderr = run_invalid(&wd, "many.toml");
    assert!(
        started.elapsed().as_secs() < 60,
        "took {:?}",
        started.elapsed()
    );
    assert_eq!(stderr.matches("\nerror: ").count() + 1, 100, "{stderr}");
    assert!(
        stderr.contains("(and 899900 more errors not shown: only the first 100 found are)"),
        "{}",
        &stderr[stderr.len().saturating_sub(2000)..]
    );
}

/// A lock left by a killed capsim whose pid now belongs to another process
/// (here a `sleep`) is taken over at once, with a note, not after a day.
#[cfg(target_os = "linux")]
#[test]
fn a_lock_whose_pid_was_reused_is_taken_over() {
    let wd = Workdir::new();
    wd.create(
        "ok.toml",
        "[scenario]\nname = \"ok\"\nstart = \"2026-01\"\nend = \"2026-06\"\n",
    );
    let mut sleeper = std::process::Command::new("sleep")
        .arg("60")
        .spawn()
        .unwrap();
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap();
    wd.create(
        "output/.capsim-ok.lock",
        format!("{}\n{}\nan-earlier-boot:12345\n", sleeper.id(), host.trim()),
    );
    let o = wd.capsim(&["run", "ok.toml", "--trials", "10", "--no-charts"]);
    sleeper.kill().unwrap();
    sleeper.wait().unwrap();
    o.expect_code(0);
    assert!(o.stderr.contains("is now another process"), "{}", o.stderr);
    assert!(!wd.exists("output/.capsim-ok.lock"));
}

/// Revenue growing +10,000% a year for 100 years: the demand run rate
/// reaches about 1e206 and its standard deviation overflows. The run exits
/// 1 naming the statistic, with nothing written, rather than exit 0 with
/// blank cells where numbers are due.
#[test]
fn results_that_overflow_are_an_error_not_blank_cells() {
    let wd = Workdir::new();
    wd.create(
        "grow.toml",
        "[scenario]\nname = \"grow\"\nstart = \"2026-01\"\nend = \"2125-12\"\n\n\
         [revenue]\nrun_rate_usd_bn = { dist = \"uniform\", min = 1e5, max = 1e6 }\n\
         annual_growth = { dist = \"uniform\", min = 99, max = 100 }\n\
         usd_bn_per_gw_year = 10\n",
    );
    let o = wd.capsim(&["run", "grow.toml", "--trials", "20", "--no-charts"]);
    assert_eq!(o.code, 1, "{}", o.stderr);
    assert!(
        o.stderr.contains(
            "error: the results overflow: the standard deviation of demand_run_rate_usd_bn in "
        ),
        "{}",
        o.stderr
    );
    assert!(!wd.exists("output/grow/timeseries.csv"));
}
