//! Every error path: exit code 2 for invalid input with `path:line:col`, the
//! offending line and a caret; exit code 1 otherwise; never a panic, and no
//! output written for an invalid scenario.

use crate::util::{SMALL, Workdir};

/// Runs `capsim validate` and `capsim run` on `scenario` and checks both fail
/// with exit 2, no output, and stderr containing each of `expected`.
fn assert_scenario_error(scenario: &str, expected: &[&str]) -> String {
    let wd = Workdir::new();
    wd.create("bad.toml", scenario);
    for cmd in ["validate", "run"] {
        let run = wd.capsim(&[cmd, "bad.toml"]);
        run.expect_code(2);
        for e in expected {
            assert!(
                run.stderr.contains(e),
                "{cmd}: expected {e:?} in:\n{}",
                run.stderr
            );
        }
        assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
        assert!(run.stdout.is_empty(), "{}", run.stdout);
    }
    assert!(!wd.exists("output"), "an invalid scenario wrote output");
    wd.capsim(&["validate", "bad.toml"]).stderr
}

#[test]
fn syntax_error_points_at_line_and_column() {
    let stderr = assert_scenario_error(
        "[scenario]\nname = \"x\"\nstart = 2026-01\n",
        &["bad.toml:3:", "3 | start = 2026-01", "^"],
    );
    assert!(stderr.starts_with("error: bad.toml:3:"), "{stderr}");
}

#[test]
fn unknown_key_is_named_with_the_valid_ones() {
    let s = SMALL.replace("ramp_months = 3", "ramp_mnths = 3");
    assert_scenario_error(
        &s,
        &[
            "bad.toml:17:1:",
            "unknown field `ramp_mnths`",
            "`ramp_months`",
            "17 | ramp_mnths = 3",
        ],
    );
}

#[test]
fn negative_sd_points_at_the_distribution() {
    let s = SMALL.replace(
        "usd_bn_per_gw = { dist = \"uniform\", min = 30, max = 40 }",
        "usd_bn_per_gw = { dist = \"normal\", mean = 30, sd = -4 }",
    );
    assert_scenario_error(
        &s,
        &[
            "`sd` must be >= 0, got -4",
            "usd_bn_per_gw = { dist = \"normal\"",
        ],
    );
}

#[test]
fn p90_below_p10_is_an_error() {
    let s = SMALL.replace("p10 = 0.5, p90 = 1.5", "p10 = 1.5, p90 = 0.5");
    assert_scenario_error(&s, &["`p90` (0.5) must not be below `p10` (1.5)"]);
}

#[test]
fn min_above_max_is_an_error() {
    let s = SMALL.replace("min = 30, max = 40", "min = 40, max = 30");
    assert_scenario_error(&s, &["`min` (40) must not be above `max` (30)"]);
}

#[test]
fn unknown_tranche_gets_a_suggestion() {
    let s = SMALL.replace("tranches = [\"site-a\"]", "tranches = [\"site-aa\"]");
    assert_scenario_error(
        &s,
        &["names tranche \"site-aa\", which is not defined; did you mean \"site-a\"?"],
    );
}

#[test]
fn duplicate_names_cite_the_first() {
    let s = SMALL.replace("name = \"site-b\"", "name = \"site-a\"");
    assert_scenario_error(
        &s,
        &["duplicate tranche name \"site-a\" (first used on line"],
    );
}

#[test]
fn probability_outside_0_1() {
    let s = SMALL.replace("p_never = 0.4", "p_never = 1.4");
    assert_scenario_error(
        &s,
        &["`p_never` (a probability) must be between 0 and 1, got 1.4"],
    );
}

#[test]
fn zero_and_negative_capacity() {
    assert_scenario_error(
        &SMALL.replace("gw = 1\n", "gw = 0\n"),
        &["`gw` must be more than 0"],
    );
    assert_scenario_error(
        &SMALL.replace("gw = 1\n", "gw = -2\n"),
        &["`gw` must be between 0 and 1000, got -2"],
    );
}

#[test]
fn distribution_reaching_outside_the_allowed_range() {
    let s = SMALL.replace(
        "ramp_months = 3",
        "ramp_months = { dist = \"normal\", mean = 1, sd = 2 }",
    );
    assert_scenario_error(
        &s,
        &[
            "`ramp_months` must be between 0 and 1200, but this normal puts more than 1% of draws below 0",
        ],
    );
}

#[test]
fn not_a_month() {
    assert_scenario_error(
        &SMALL.replace("\"2026-04\"", "\"2026-13\""),
        &["expected a month as \"YYYY-MM\"", "\"2026-13\""],
    );
}

#[test]
fn funding_month_outside_the_horizon() {
    assert_scenario_error(
        &SMALL.replace("month = \"2026-09\"", "month = \"2031-01\""),
        &["funding month 2031-01 is outside the horizon 2026-01 to 2027-12"],
    );
}

#[test]
fn horizon_end_before_start() {
    assert_scenario_error(
        &SMALL.replace("end = \"2027-12\"", "end = \"2025-12\""),
        &["the horizon ends (2025-12) before it starts (2026-01)"],
    );
}

#[test]
fn key_that_does_not_apply_to_the_basis() {
    let s = SMALL.replace(
        "term_months = 24\n\n[revenue]",
        "term_months = 24\nlead_months = 2\n\n[revenue]",
    );
    assert_scenario_error(
        &s,
        &["`lead_months` does not apply to a take_or_pay contract"],
    );
}

#[test]
fn missing_required_key() {
    let s = SMALL.replace("accelerators_per_gw = 300000\n", "");
    assert_scenario_error(&s, &["missing field `accelerators_per_gw`"]);
}

#[test]
fn wrong_type() {
    assert_scenario_error(
        &SMALL.replace("trials = 3000", "trials = \"many\""),
        &["bad.toml:", "trials = \"many\""],
    );
}

#[test]
fn absurd_trial_count() {
    assert_scenario_error(
        &SMALL.replace("trials = 3000", "trials = 1000000000000"),
        &["trials must be between 1 and"],
    );
}

#[test]
fn empty_file() {
    assert_scenario_error("", &["bad.toml:1:1: the scenario is empty"]);
    assert_scenario_error(
        "# only a comment\n",
        &["bad.toml:1:1: the scenario is empty"],
    );
}

#[test]
fn several_mistakes_are_all_reported() {
    let s = SMALL
        .replace("p_never = 0.4", "p_never = 1.4")
        .replace("lead_months = 2", "lead_months = -1");
    let stderr = assert_scenario_error(&s, &["p_never", "lead_months"]);
    assert!(stderr.contains("2 errors in the scenario"), "{stderr}");
}

#[test]
fn binary_file_is_not_text() {
    let wd = Workdir::new();
    wd.create("bad.toml", [0xff, 0xfe, 0x00, 0x41]);
    let run = wd.capsim(&["run", "bad.toml"]);
    run.expect_code(2);
    assert!(
        run.stderr.contains("bad.toml:1:1: not a text file"),
        "{}",
        run.stderr
    );
    // A Latin-1 byte later in the file is placed by line and column.
    wd.create("latin1.toml", b"name = \"x\"\nx = 1 # caf\xe9\n");
    let run = wd.capsim(&["validate", "latin1.toml"]);
    run.expect_code(2);
    assert!(
        run.stderr
            .contains("latin1.toml:2:12: not a text file: scenarios are UTF-8 TOML (byte 0xE9 at offset 22 is not UTF-8)"),
        "{}",
        run.stderr
    );
}

#[test]
fn missing_file() {
    let wd = Workdir::new();
    let run = wd.capsim(&["run", "nope.toml"]);
    run.expect_code(2);
    assert!(
        run.stderr.contains("nope.toml: cannot read scenario"),
        "{}",
        run.stderr
    );
    assert!(!wd.exists("output"));
}

#[test]
fn one_bad_scenario_means_no_output_for_any() {
    let wd = Workdir::new();
    wd.create("good.toml", SMALL);
    wd.create("bad.toml", SMALL.replace("gw = 1\n", "gw = 0\n"));
    wd.capsim(&["run", "good.toml", "bad.toml"]).expect_code(2);
    assert!(!wd.exists("output"));
}

#[test]
fn bad_arguments_exit_2() {
    let wd = Workdir::new();
    wd.create("s.toml", SMALL);
    for args in [
        &["run", "s.toml", "--trials", "0"][..],
        &["run", "s.toml", "--trials", "lots"],
        &["run", "s.toml", "--threads", "0"],
        &["run", "s.toml", "--seed", "-1"],
        &["run", "s.toml", "--percentiles", "0,50"],
        &["run", "s.toml", "--percentiles", "50,10"],
        &["run", "s.toml", "--bogus"],
        &["run"],
        &["frobnicate"],
    ] {
        let run = wd.capsim(args);
        run.expect_code(2);
        assert!(!run.stderr.is_empty());
    }
    assert!(!wd.exists("output"));
}

/// Numbers out of range, negative numbers included, are named with the
/// range they must be in (not clap's "invalid digit" or a tip to put them
/// after `--`, which would make them scenario paths).
#[test]
fn bad_numbers_say_what_is_expected() {
    let wd = Workdir::new();
    wd.create("s.toml", SMALL);
    for (args, want) in [
        (
            &["run", "s.toml", "--seed", "-1"][..],
            "invalid value '-1' for '--seed <N>': a seed is a whole number from 0 to 18446744073709551615",
        ),
        (
            &["run", "s.toml", "--trials", "-5"],
            "invalid value '-5' for '--trials <N>': expected a whole number from 1 to 10000000000",
        ),
        (
            &["run", "s.toml", "--threads", "2000"],
            "invalid value '2000' for '--threads <N>': expected a whole number from 1 to 1024",
        ),
        (
            &["compare", "s.toml", "s.toml", "--trials", "0"],
            "invalid value '0' for '--trials <N>': expected a whole number from 1 to 10000000000",
        ),
        (
            &["bench", "s.toml", "--trials", "100,-3"],
            "invalid value '-3' for '--trials <LIST>': expected a whole number from 1 to 10000000000",
        ),
    ] {
        let run = wd.capsim(args);
        run.expect_code(2);
        assert!(run.stderr.contains(want), "{args:?}: {}", run.stderr);
        assert!(!run.stderr.contains("tip:"), "{args:?}: {}", run.stderr);
    }
    assert!(!wd.exists("output"));
}

#[test]
fn two_scenarios_with_one_stem_are_refused() {
    let wd = Workdir::new();
    wd.create("a/s.toml", SMALL);
    wd.create("b/s.toml", SMALL);
    let run = wd.capsim(&["run", "a/s.toml", "b/s.toml"]);
    run.expect_code(2);
    assert!(run.stderr.contains("would both write to"), "{}", run.stderr);
}

#[test]
fn unwritable_output_is_an_error_not_a_panic() {
    let wd = Workdir::new();
    wd.create("s.toml", SMALL);
    // A file where the output folder should be.
    wd.create("output", "not a folder");
    let run = wd.capsim(&["run", "s.toml", "--trials", "10"]);
    run.expect_code(1);
    // After the scenario's warnings, which a run prints too.
    assert!(
        run.stderr
            .lines()
            .any(|l| l.starts_with("error: cannot write output/s")),
        "{}",
        run.stderr
    );
}
