//! Correlated inputs: common shocks and rank correlations reach the requested
//! Spearman correlation, keep each input's own distribution, and inconsistent
//! matrices are refused with the offending entries named.

use std::path::Path;

use capsim::model::{Model, TrialRecord, Workspace};
use capsim::scenario::Scenario;

const BASE: &str = r#"
[scenario]
name = "corr"
start = "2026-01"
end = "2027-12"

[[shock]]
name = "grid"

[[tranche]]
name = "a"
counterparty = "c"
gw = 1
planned = "2026-06"
delay_months = { dist = "lognormal", p10 = 1, p90 = 12 }
accelerators_per_gw = 1
delay_shocks = { grid = 0.8 }

[[tranche]]
name = "b"
counterparty = "c"
gw = 1
planned = "2026-06"
delay_months = { dist = "uniform", min = 0, max = 10 }
accelerators_per_gw = 1
delay_shocks = { grid = 0.6 }

[[tranche]]
name = "free"
counterparty = "c"
gw = 1
planned = "2026-06"
delay_months = { dist = "uniform", min = 0, max = 10 }
accelerators_per_gw = 1

[revenue]
run_rate_usd_bn = 10
annual_growth = { dist = "normal", mean = 0.5, sd = 0.2 }
usd_bn_per_gw_year = 10
"#;

/// Per-trial values of the named inputs.
fn sample(toml: &str, paths: &[&str], n: u64) -> Vec<Vec<f64>> {
    let s = Scenario::parse(toml, Path::new("c.toml")).unwrap_or_else(|e| panic!("{e}"));
    let model = Model::new(&s);
    let slots: Vec<usize> = paths
        .iter()
        .map(|p| model.plan().slot(p).expect(p))
        .collect();
    let mut ws = Workspace::new(&s);
    let mut rec = TrialRecord::new(model.layout());
    let mut cols = vec![Vec::with_capacity(n as usize); paths.len()];
    for t in 0..n {
        model.simulate(3, t, &mut ws, &mut rec);
        for (c, slot) in cols.iter_mut().zip(&slots) {
            c.push(ws.input_values()[*slot]);
        }
    }
    cols
}

fn ranks(x: &[f64]) -> Vec<f64> {
    let mut idx: Vec<usize> = (0..x.len()).collect();
    idx.sort_by(|a, b| x[*a].total_cmp(&x[*b]));
    let mut r = vec![0.0; x.len()];
    for (rank, i) in idx.into_iter().enumerate() {
        r[i] = rank as f64;
    }
    r
}

fn spearman(a: &[f64], b: &[f64]) -> f64 {
    let (ra, rb) = (ranks(a), ranks(b));
    let n = a.len() as f64;
    let (ma, mb) = (ra.iter().sum::<f64>() / n, rb.iter().sum::<f64>() / n);
    let cov: f64 = ra.iter().zip(&rb).map(|(x, y)| (x - ma) * (y - mb)).sum();
    let va: f64 = ra.iter().map(|x| (x - ma).powi(2)).sum();
    let vb: f64 = rb.iter().map(|y| (y - mb).powi(2)).sum();
    cov / (va * vb).sqrt()
}

/// Spearman correlation of a bivariate normal with correlation rho.
fn spearman_of_gaussian(rho: f64) -> f64 {
    6.0 / std::f64::consts::PI * (rho / 2.0).asin()
}

#[test]
fn shared_shock_gives_the_implied_rank_correlation() {
    let cols = sample(
        BASE,
        &[
            "tranche.a.delay_months",
            "tranche.b.delay_months",
            "tranche.free.delay_months",
        ],
        100_000,
    );
    let want = spearman_of_gaussian(0.8 * 0.6);
    let got = spearman(&cols[0], &cols[1]);
    assert!((got - want).abs() < 0.02, "a-b: {got} vs {want}");
    // A tranche without loadings stays independent.
    assert!(spearman(&cols[0], &cols[2]).abs() < 0.02);
    // Marginals are unchanged: b's delay is still uniform on (0, 10).
    let mean = cols[1].iter().sum::<f64>() / cols[1].len() as f64;
    assert!((mean - 5.0).abs() < 0.05, "{mean}");
    let below_2 = cols[1].iter().filter(|x| **x < 2.0).count() as f64 / cols[1].len() as f64;
    assert!((below_2 - 0.2).abs() < 0.006, "{below_2}");
}

#[test]
fn rank_correlation_is_achieved_within_002() {
    for rho in [-0.5, 0.3, 0.9] {
        let toml = format!(
            "{BASE}\n[[correlation]]\ninputs = [\"revenue.annual_growth.year1\", \"tranche.free.delay_months\"]\nspearman = {rho}\n"
        );
        let cols = sample(
            &toml,
            &["revenue.annual_growth.year1", "tranche.free.delay_months"],
            100_000,
        );
        let got = spearman(&cols[0], &cols[1]);
        assert!((got - rho).abs() < 0.02, "requested {rho}, got {got}");
    }
    // A three-way matrix.
    let toml = format!(
        "{BASE}\n[[correlation]]\ninputs = [\"revenue.annual_growth.year1\", \"tranche.free.delay_months\", \"revenue.annual_growth.year2\"]\nspearman = [[1, -0.4, 0.6], [-0.4, 1, 0.0], [0.6, 0.0, 1]]\n"
    );
    let cols = sample(
        &toml,
        &[
            "revenue.annual_growth.year1",
            "tranche.free.delay_months",
            "revenue.annual_growth.year2",
        ],
        100_000,
    );
    for (i, j, want) in [(0, 1, -0.4), (0, 2, 0.6), (1, 2, 0.0)] {
        let got = spearman(&cols[i], &cols[j]);
        assert!((got - want).abs() < 0.02, "({i},{j}): {got} vs {want}");
    }
}

#[test]
fn inconsistent_matrix_names_the_entries() {
    let toml = format!(
        "{BASE}\n[[correlation]]\ninputs = [\"revenue.annual_growth.year1\", \"tranche.free.delay_months\", \"tranche.a.delay_months\"]\nspearman = [[1, 0.9, 0.9], [0.9, 1, -0.9], [0.9, -0.9, 1]]\n"
    );
    let e = Scenario::parse(&toml, Path::new("c.toml"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("not positive semi-definite"), "{e}");
    assert!(
        e.contains("tranche.a.delay_months with revenue.annual_growth.year1: 0.9"),
        "{e}"
    );
    assert!(
        e.contains("tranche.a.delay_months with tranche.free.delay_months: -0.9"),
        "{e}"
    );
    assert!(e.contains("c.toml:"), "{e}");
}

#[test]
fn bad_correlations_and_shocks_are_refused() {
    let cases = [
        (
            format!(
                "{BASE}\n[[correlation]]\ninputs = [\"revenue.annual_growth.year1\", \"tranche.nope.delay_months\"]\nspearman = 0.5\n"
            ),
            "unknown input \"tranche.nope.delay_months\"",
        ),
        (
            format!(
                "{BASE}\n[[correlation]]\ninputs = [\"revenue.annual_growth.year1\", \"tranche.free.gw\"]\nspearman = 0.5\n"
            ),
            "is a constant, so it cannot be correlated",
        ),
        (
            format!(
                "{BASE}\n[[correlation]]\ninputs = [\"revenue.annual_growth.year1\", \"tranche.free.delay_months\"]\nspearman = 1.5\n"
            ),
            "it must be between -1 and 1",
        ),
        (
            BASE.replace("grid = 0.6", "grd = 0.6"),
            "names shock \"grd\", which is not defined",
        ),
        (
            BASE.replace("grid = 0.6", "grid = 1.2"),
            "a shock weight must be between -1 and 1",
        ),
    ];
    for (toml, want) in cases {
        let e = Scenario::parse(&toml, Path::new("c.toml"))
            .unwrap_err()
            .to_string();
        assert!(e.contains(want), "expected {want:?} in {e}");
    }
}
