//! Statistical tests of capsim's samplers against known distributions, in the
//! style of rand_distr's `distr_test`.
//!
//! Every uncertain draw in capsim is `dist.quantile(u)` of a uniform `u` from
//! the component's [`Stream`], so these tests draw exactly that way (one stream
//! per trial index, first draw, as the model does) and compare the samples
//! with reference distributions from `statrs`:
//!
//! - one-sample Kolmogorov–Smirnov tests against the reference CDF, with
//!   negative controls showing the test detects slightly wrong samplers;
//! - sample moments against closed forms;
//! - exact checks of quantile functions at known points and against reference
//!   CDFs;
//! - chi-square goodness of fit for discrete and bernoulli draws;
//! - a two-sample KS test of capsim's PERT against rand_distr's PERT sampler;
//! - uniformity and independence of the streams themselves.
//!
//! Seeds are fixed, so every test is deterministic; the significance level of
//! each check is stated where it is made. Run with `-- --nocapture` to see the
//! statistics.

use capsim::distribution::{self as cap, Uncertain, standard_normal_quantile};
use capsim::rng::{ComponentId, Stream};
use capsim::scenario::Input;
use statrs::distribution::{self as reference, ContinuousCDF};

/// Kolmogorov–Smirnov and chi-square statistics, critical values and moments.
mod stat {
    use statrs::distribution::{ChiSquared, ContinuousCDF};

    /// The coefficient `c(alpha)` of the asymptotic KS critical value
    /// `c(alpha) / sqrt(n)`, from `P(sqrt(n) D > c) ~ 2 exp(-2 c^2)`:
    /// 1.628 at alpha = 0.01.
    pub fn ks_coefficient(alpha: f64) -> f64 {
        (-(alpha / 2.0).ln() / 2.0).sqrt()
    }

    /// Critical value of the one-sample KS statistic for `n` samples.
    pub fn ks_critical(n: usize, alpha: f64) -> f64 {
        ks_coefficient(alpha) / (n as f64).sqrt()
    }

    /// Critical value of the two-sample KS statistic for samples of `n` and `m`.
    pub fn ks_critical_two(n: usize, m: usize, alpha: f64) -> f64 {
        let (n, m) = (n as f64, m as f64);
        ks_coefficient(alpha) * ((n + m) / (n * m)).sqrt()
    }

    /// One-sample KS statistic `sup |F_n(x) - F(x)|` of `samples` against the
    /// continuous CDF `cdf`.
    pub fn ks_statistic(samples: &[f64], cdf: impl Fn(f64) -> f64) -> f64 {
        let mut xs = samples.to_vec();
        xs.sort_by(f64::total_cmp);
        let n = xs.len() as f64;
        let mut d: f64 = 0.0;
        for (i, &x) in xs.iter().enumerate() {
            let f = cdf(x);
            // The empirical CDF jumps from i/n to (i+1)/n at x.
            d = d.max(f - i as f64 / n).max((i + 1) as f64 / n - f);
        }
        d
    }

    /// Two-sample KS statistic `sup |F_a(x) - F_b(x)|` (ties handled).
    pub fn ks_two_sample(a: &[f64], b: &[f64]) -> f64 {
        let mut a = a.to_vec();
        let mut b = b.to_vec();
        a.sort_by(f64::total_cmp);
        b.sort_by(f64::total_cmp);
        let (n, m) = (a.len() as f64, b.len() as f64);
        let (mut i, mut j) = (0, 0);
        let mut d: f64 = 0.0;
        while i < a.len() && j < b.len() {
            let x = a[i].min(b[j]);
            while i < a.len() && a[i] <= x {
                i += 1;
            }
            while j < b.len() && b[j] <= x {
                j += 1;
            }
            d = d.max((i as f64 / n - j as f64 / m).abs());
        }
        d
    }

    /// Pearson's chi-square statistic of `observed` counts against category
    /// probabilities `probs` (which sum to 1). Panics if an expected count is
    /// below 5, where the chi-square approximation fails.
    pub fn chi_square(observed: &[u64], probs: &[f64]) -> f64 {
        assert_eq!(observed.len(), probs.len());
        let n: u64 = observed.iter().sum();
        let n = n as f64;
        observed
            .iter()
            .zip(probs)
            .map(|(&o, &p)| {
                let e = n * p;
                assert!(e >= 5.0, "expected count {e} too small for chi-square");
                (o as f64 - e).powi(2) / e
            })
            .sum()
    }

    /// Upper `alpha` critical value of the chi-square distribution.
    pub fn chi_square_critical(df: usize, alpha: f64) -> f64 {
        ChiSquared::new(df as f64).unwrap().inverse_cdf(1.0 - alpha)
    }

    /// Sample mean, variance (divisor n - 1) and fourth central moment.
    pub fn moments(xs: &[f64]) -> (f64, f64, f64) {
        let n = xs.len() as f64;
        let mean = xs.iter().sum::<f64>() / n;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
        let m4 = xs.iter().map(|x| (x - mean).powi(4)).sum::<f64>() / n;
        (mean, var, m4)
    }

    /// Pearson correlation coefficient.
    pub fn correlation(xs: &[f64], ys: &[f64]) -> f64 {
        assert_eq!(xs.len(), ys.len());
        let (mx, vx, _) = moments(xs);
        let (my, vy, _) = moments(ys);
        let cov = xs
            .iter()
            .zip(ys)
            .map(|(x, y)| (x - mx) * (y - my))
            .sum::<f64>()
            / (xs.len() as f64 - 1.0);
        cov / (vx * vy).sqrt()
    }

    /// Two-sided normal critical value at level `alpha`.
    pub fn z_critical(alpha: f64) -> f64 {
        use statrs::distribution::Normal;
        Normal::standard().inverse_cdf(1.0 - alpha / 2.0)
    }
}

/// Fixed seed of every stream in this file.
const SEED: u64 = 20_250_601;
/// Samples per test.
const N: usize = 20_000;
/// Significance level of each statistical check.
const ALPHA: f64 = 0.01;
/// Standard errors allowed for sample moments (two-sided level ~ 6e-5).
const MOMENT_SE: f64 = 4.0;

/// z-scores of the 90th and 95th percentiles, from tables.
const Z90: f64 = 1.281_551_565_544_600_4;
const Z95: f64 = 1.644_853_626_951_472_2;

/// The first uniform of component `test:name` in trials `0..n`: the way the
/// model draws one input per trial.
fn first_draws(name: &str, n: usize) -> Vec<f64> {
    let id = ComponentId::new("test", name);
    (0..n as u64)
        .map(|trial| Stream::new(SEED, id, trial).uniform())
        .collect()
}

/// `n` draws of `dist`, one per trial, from component `test:name`.
fn sample_n(dist: &Uncertain, name: &str, n: usize) -> Vec<f64> {
    first_draws(name, n)
        .into_iter()
        .map(|u| dist.quantile(u))
        .collect()
}

/// `N` draws of `dist`, one per trial, from component `test:name`.
fn sample(dist: &Uncertain, name: &str) -> Vec<f64> {
    sample_n(dist, name, N)
}

/// A continuous distribution under test with its reference.
struct Case {
    name: String,
    dist: Uncertain,
    /// Reference CDF (statrs).
    cdf: Box<dyn Fn(f64) -> f64>,
    /// Closed-form mean and variance.
    mean: f64,
    var: f64,
    /// Whether sample moments converge well enough to test (finite, modest
    /// kurtosis); false for wide log-normals.
    test_moments: bool,
}

fn normal_case(name: &str, dist: cap::Normal, mean: f64, sd: f64) -> Case {
    let r = reference::Normal::new(mean, sd).unwrap();
    Case {
        name: format!("normal {name}"),
        dist: Uncertain::Normal(dist),
        cdf: Box::new(move |x| r.cdf(x)),
        mean,
        var: sd * sd,
        test_moments: true,
    }
}

fn lognormal_case(name: &str, dist: cap::LogNormal, mu: f64, sigma: f64) -> Case {
    let r = reference::LogNormal::new(mu, sigma).unwrap();
    let s2 = sigma * sigma;
    Case {
        name: format!("lognormal {name} (sigma {sigma:.3})"),
        dist: Uncertain::LogNormal(dist),
        cdf: Box::new(move |x| r.cdf(x)),
        mean: (mu + s2 / 2.0).exp(),
        var: (s2.exp() - 1.0) * (2.0 * mu + s2).exp(),
        test_moments: sigma <= 1.0,
    }
}

fn uniform_case(min: f64, max: f64) -> Case {
    let r = reference::Uniform::new(min, max).unwrap();
    Case {
        name: format!("uniform({min}, {max})"),
        dist: Uncertain::Uniform(cap::Uniform::new(min, max).unwrap()),
        cdf: Box::new(move |x| r.cdf(x)),
        mean: (min + max) / 2.0,
        var: (max - min).powi(2) / 12.0,
        test_moments: true,
    }
}

fn triangular_case(a: f64, c: f64, b: f64) -> Case {
    let r = reference::Triangular::new(a, b, c).unwrap();
    Case {
        name: format!("triangular({a}, {c}, {b})"),
        dist: Uncertain::Triangular(cap::Triangular::new(a, c, b).unwrap()),
        cdf: Box::new(move |x| r.cdf(x)),
        mean: (a + b + c) / 3.0,
        var: (a * a + b * b + c * c - a * b - a * c - b * c) / 18.0,
        test_moments: true,
    }
}

/// PERT's beta shape parameters, computed here independently of capsim.
fn pert_shape(min: f64, mode: f64, max: f64, lambda: f64) -> (f64, f64) {
    let w = max - min;
    (
        1.0 + lambda * (mode - min) / w,
        1.0 + lambda * (max - mode) / w,
    )
}

fn pert_case(min: f64, mode: f64, max: f64, lambda: f64) -> Case {
    let (alpha, beta) = pert_shape(min, mode, max, lambda);
    let r = reference::Beta::new(alpha, beta).unwrap();
    let w = max - min;
    let ab = alpha + beta;
    Case {
        name: format!("pert({min}, {mode}, {max}, lambda {lambda})"),
        dist: Uncertain::Pert(cap::Pert::new(min, mode, max, lambda).unwrap()),
        cdf: Box::new(move |x| r.cdf(((x - min) / w).clamp(0.0, 1.0))),
        mean: min + w * alpha / ab,
        var: w * w * alpha * beta / (ab * ab * (ab + 1.0)),
        test_moments: true,
    }
}

fn normal_cases() -> Vec<Case> {
    vec![
        normal_case("(0, 1)", cap::Normal::new(0.0, 1.0).unwrap(), 0.0, 1.0),
        normal_case(
            "(-3.5, 0.25)",
            cap::Normal::new(-3.5, 0.25).unwrap(),
            -3.5,
            0.25,
        ),
        normal_case(
            "(1000, 250)",
            cap::Normal::new(1000.0, 250.0).unwrap(),
            1000.0,
            250.0,
        ),
        normal_case(
            "p10 2 / p90 10",
            cap::Normal::from_p10_p90(2.0, 10.0).unwrap(),
            6.0,
            8.0 / (2.0 * Z90),
        ),
        normal_case(
            "p5 -1 / p95 4",
            cap::Normal::from_p5_p95(-1.0, 4.0).unwrap(),
            1.5,
            5.0 / (2.0 * Z95),
        ),
    ]
}

fn lognormal_cases() -> Vec<Case> {
    let from_mean_sd = |mean: f64, sd: f64| {
        let s2 = (1.0 + (sd / mean).powi(2)).ln();
        (mean.ln() - s2 / 2.0, s2.sqrt())
    };
    let (mu1, s1) = from_mean_sd(10.0, 3.0);
    let (mu2, s2) = from_mean_sd(2.0, 8.0);
    vec![
        lognormal_case(
            "p10 5 / p90 20",
            cap::LogNormal::from_p10_p90(5.0, 20.0).unwrap(),
            (100f64).ln() / 2.0,
            (4f64).ln() / (2.0 * Z90),
        ),
        lognormal_case(
            "p5 0.5 / p95 40",
            cap::LogNormal::from_p5_p95(0.5, 40.0).unwrap(),
            (20f64).ln() / 2.0,
            (80f64).ln() / (2.0 * Z95),
        ),
        lognormal_case(
            "p10 1 / p90 3700",
            cap::LogNormal::from_p10_p90(1.0, 3700.0).unwrap(),
            (3700f64).ln() / 2.0,
            (3700f64).ln() / (2.0 * Z90),
        ),
        lognormal_case(
            "median 3 sigma 0.1",
            cap::LogNormal::from_median_sigma(3.0, 0.1).unwrap(),
            (3f64).ln(),
            0.1,
        ),
        lognormal_case(
            "median 1 sigma 1",
            cap::LogNormal::from_median_sigma(1.0, 1.0).unwrap(),
            0.0,
            1.0,
        ),
        lognormal_case(
            "median 50 sigma 3",
            cap::LogNormal::from_median_sigma(50.0, 3.0).unwrap(),
            (50f64).ln(),
            3.0,
        ),
        lognormal_case(
            "mean 10 sd 3",
            cap::LogNormal::from_mean_sd(10.0, 3.0).unwrap(),
            mu1,
            s1,
        ),
        lognormal_case(
            "mean 2 sd 8",
            cap::LogNormal::from_mean_sd(2.0, 8.0).unwrap(),
            mu2,
            s2,
        ),
    ]
}

fn uniform_cases() -> Vec<Case> {
    vec![
        uniform_case(0.0, 1.0),
        uniform_case(-5.0, 15.0),
        uniform_case(-2.5, -2.4),
        uniform_case(1e6, 1e6 + 1.0),
    ]
}

fn triangular_cases() -> Vec<Case> {
    vec![
        triangular_case(0.0, 2.0, 10.0),
        triangular_case(0.0, 0.0, 1.0),
        triangular_case(0.0, 1.0, 1.0),
        triangular_case(-3.0, 0.0, 3.0),
        triangular_case(100.0, 180.0, 200.0),
    ]
}

fn pert_cases() -> Vec<Case> {
    vec![
        pert_case(0.0, 2.0, 12.0, 4.0),
        pert_case(0.0, 5.0, 10.0, 4.0),
        pert_case(0.0, 0.0, 10.0, 4.0),
        pert_case(0.0, 10.0, 10.0, 4.0),
        pert_case(10.0, 12.0, 30.0, 8.0),
        pert_case(0.0, 3.0, 10.0, 1.5),
        pert_case(5.0, 5.5, 6.0, 20.0),
        pert_case(-1.0, 0.9, 1.0, 4.0),
    ]
}

fn all_continuous_cases() -> Vec<Case> {
    let mut v = normal_cases();
    v.extend(lognormal_cases());
    v.extend(uniform_cases());
    v.extend(triangular_cases());
    v.extend(pert_cases());
    v
}

/// KS test of each case at level `ALPHA`; reports every statistic and fails
/// listing every case over the critical value.
fn check_ks(cases: &[Case]) {
    let crit = stat::ks_critical(N, ALPHA);
    let mut failures = Vec::new();
    for case in cases {
        let xs = sample(&case.dist, &case.name);
        let d = stat::ks_statistic(&xs, &case.cdf);
        println!("KS {:<48} D = {d:.5}  (critical {crit:.5})", case.name);
        if d >= crit {
            failures.push(format!("{}: D = {d:.5} >= {crit:.5}", case.name));
        }
    }
    assert!(failures.is_empty(), "KS rejects: {failures:#?}");
}

#[test]
fn ks_normal() {
    check_ks(&normal_cases());
}

#[test]
fn ks_lognormal() {
    check_ks(&lognormal_cases());
}

#[test]
fn ks_uniform() {
    check_ks(&uniform_cases());
}

#[test]
fn ks_triangular() {
    check_ks(&triangular_cases());
}

#[test]
fn ks_pert() {
    check_ks(&pert_cases());
}

/// The KS test has power: samplers slightly off the reference are rejected at
/// the same level. A 5% error in a normal's sd (or a log-normal's sigma) moves
/// the CDF by at most ~0.0115, right at the critical value for `N` samples,
/// so those controls use `4 N` samples (critical value 0.0058); 10% errors
/// and the other controls are detected at `N`.
#[test]
fn ks_negative_controls_reject_slightly_wrong_samplers() {
    let std_normal = reference::Normal::standard();
    let beta = |a: f64, b: f64| reference::Beta::new(a, b).unwrap();
    let (pa, pb) = pert_shape(0.0, 2.0, 12.0, 4.0);
    let pert_ref = beta(pa, pb);
    let tri_ref = reference::Triangular::new(0.0, 10.0, 2.0).unwrap();
    let ln_ref = reference::LogNormal::new(0.0, 1.0).unwrap();
    let normal = |mean, sd| Uncertain::Normal(cap::Normal::new(mean, sd).unwrap());
    let lognormal =
        |sigma| Uncertain::LogNormal(cap::LogNormal::from_median_sigma(1.0, sigma).unwrap());
    type Control = (&'static str, usize, Uncertain, Box<dyn Fn(f64) -> f64>);
    let controls: Vec<Control> = vec![
        (
            "normal sd 5% too large",
            4 * N,
            normal(0.0, 1.05),
            Box::new(move |x| std_normal.cdf(x)),
        ),
        (
            "normal sd 5% too small",
            4 * N,
            normal(0.0, 0.95),
            Box::new(move |x| std_normal.cdf(x)),
        ),
        (
            "normal sd 10% too large",
            N,
            normal(0.0, 1.1),
            Box::new(move |x| std_normal.cdf(x)),
        ),
        (
            "normal mean off by 0.05 sd",
            N,
            normal(0.05, 1.0),
            Box::new(move |x| std_normal.cdf(x)),
        ),
        (
            "lognormal sigma 5% too large",
            4 * N,
            lognormal(1.05),
            Box::new(move |x| ln_ref.cdf(x)),
        ),
        (
            "lognormal sigma 10% too large",
            N,
            lognormal(1.1),
            Box::new(move |x| ln_ref.cdf(x)),
        ),
        (
            "triangular mode 2.5 instead of 2",
            N,
            Uncertain::Triangular(cap::Triangular::new(0.0, 2.5, 10.0).unwrap()),
            Box::new(move |x| tri_ref.cdf(x)),
        ),
        (
            "pert lambda 5 instead of 4",
            N,
            Uncertain::Pert(cap::Pert::new(0.0, 2.0, 12.0, 5.0).unwrap()),
            Box::new(move |x| pert_ref.cdf(x / 12.0)),
        ),
        (
            "pert mode 2.4 instead of 2",
            N,
            Uncertain::Pert(cap::Pert::new(0.0, 2.4, 12.0, 4.0).unwrap()),
            Box::new(move |x| pert_ref.cdf(x / 12.0)),
        ),
    ];
    let mut missed = Vec::new();
    for (name, n, dist, cdf) in &controls {
        let crit = stat::ks_critical(*n, ALPHA);
        let d = stat::ks_statistic(&sample_n(dist, name, *n), cdf);
        println!("KS control {name:<36} n {n:>6}: D = {d:.5}  (critical {crit:.5})");
        if d < crit {
            missed.push(format!("{name}: D = {d:.5} < {crit:.5}"));
        }
    }
    assert!(missed.is_empty(), "KS failed to detect: {missed:#?}");
}

/// Sample mean and variance within `MOMENT_SE` standard errors of the closed
/// forms, and capsim's `mean()` equal to the closed-form mean.
#[test]
fn moments_match_closed_forms() {
    let mut failures = Vec::new();
    for case in all_continuous_cases() {
        let rel = (case.dist.mean() - case.mean).abs() / case.mean.abs().max(1.0);
        if rel > 1e-12 {
            failures.push(format!(
                "{}: mean() = {} but closed form is {}",
                case.name,
                case.dist.mean(),
                case.mean
            ));
        }
        if !case.test_moments {
            continue;
        }
        let xs = sample(&case.dist, &format!("moments {}", case.name));
        let (mean, var, m4) = stat::moments(&xs);
        let n = xs.len() as f64;
        let se_mean = (case.var / n).sqrt();
        let se_var = ((m4 - var * var) / n).sqrt();
        let z_mean = (mean - case.mean) / se_mean;
        let z_var = (var - case.var) / se_var;
        println!(
            "moments {:<48} mean {mean:.6} vs {:.6} (z {z_mean:+.2}); var {var:.6} vs {:.6} (z {z_var:+.2})",
            case.name, case.mean, case.var
        );
        if z_mean.abs() > MOMENT_SE || z_var.abs() > MOMENT_SE {
            failures.push(format!(
                "{}: z of mean {z_mean:.2}, z of variance {z_var:.2}",
                case.name
            ));
        }
    }
    assert!(failures.is_empty(), "moments off: {failures:#?}");
}

/// Wide log-normals have sample moments too heavy-tailed to test directly;
/// their logarithms must be normal with mean `mu` and sd `sigma`.
#[test]
fn lognormal_log_moments() {
    let cases = [
        (
            cap::LogNormal::from_median_sigma(50.0, 3.0).unwrap(),
            (50f64).ln(),
            3.0,
        ),
        (
            cap::LogNormal::from_p10_p90(1.0, 3700.0).unwrap(),
            (3700f64).ln() / 2.0,
            (3700f64).ln() / (2.0 * Z90),
        ),
        (
            cap::LogNormal::from_median_sigma(1.0, 1.0).unwrap(),
            0.0,
            1.0,
        ),
    ];
    for (i, (d, mu, sigma)) in cases.into_iter().enumerate() {
        assert!((d.mu() - mu).abs() < 1e-12 && (d.sigma() - sigma).abs() < 1e-12);
        let dist = Uncertain::LogNormal(d);
        let logs: Vec<f64> = sample(&dist, &format!("log moments {i}"))
            .into_iter()
            .map(f64::ln)
            .collect();
        let (m, v, _) = stat::moments(&logs);
        let n = N as f64;
        let z_mean = (m - mu) / (sigma / n.sqrt());
        // Var(s^2) = 2 sigma^4 / (n - 1) for normal data.
        let z_var = (v - sigma * sigma) / (sigma * sigma * (2.0 / (n - 1.0)).sqrt());
        println!(
            "log moments mu {mu:.4} sigma {sigma:.4}: mean {m:.4} (z {z_mean:+.2}), var {v:.4} (z {z_var:+.2})"
        );
        assert!(z_mean.abs() < MOMENT_SE, "mean of ln X: z = {z_mean}");
        assert!(z_var.abs() < MOMENT_SE, "variance of ln X: z = {z_var}");
    }
}

fn assert_close(what: &str, got: f64, want: f64, rel: f64) {
    let err = (got - want).abs() / want.abs().max(1e-300);
    assert!(
        err <= rel,
        "{what}: got {got}, want {want} (relative error {err:e})"
    );
}

/// Constructors from quantiles put those quantiles where they were asked for.
#[test]
fn quantile_anchors_are_exact() {
    let tol = 1e-12;
    let d = cap::LogNormal::from_p10_p90(5.0, 20.0).unwrap();
    assert_close("lognormal p10", d.quantile(0.1), 5.0, tol);
    assert_close("lognormal p90", d.quantile(0.9), 20.0, tol);
    assert_close("lognormal median", d.quantile(0.5), 10.0, tol);
    let d = cap::LogNormal::from_p10_p90(1.0, 3700.0).unwrap();
    assert_close("wide lognormal p10", d.quantile(0.1), 1.0, tol);
    assert_close("wide lognormal p90", d.quantile(0.9), 3700.0, tol);
    let d = cap::LogNormal::from_p5_p95(0.5, 40.0).unwrap();
    assert_close("lognormal p5", d.quantile(0.05), 0.5, tol);
    assert_close("lognormal p95", d.quantile(0.95), 40.0, tol);
    let d = cap::LogNormal::from_median_sigma(7.0, 2.0).unwrap();
    assert_close("lognormal median", d.quantile(0.5), 7.0, tol);
    let d = cap::LogNormal::from_mean_sd(10.0, 3.0).unwrap();
    assert_close("lognormal mean", d.mean(), 10.0, tol);
    let r = reference::LogNormal::new(d.mu(), d.sigma()).unwrap();
    use statrs::statistics::Distribution as _;
    assert_close("lognormal mean (statrs)", r.mean().unwrap(), 10.0, tol);
    assert_close("lognormal sd (statrs)", r.std_dev().unwrap(), 3.0, 1e-10);

    let d = cap::Normal::from_p10_p90(2.0, 10.0).unwrap();
    assert_close("normal p10", d.quantile(0.1), 2.0, tol);
    assert_close("normal p90", d.quantile(0.9), 10.0, tol);
    let d = cap::Normal::from_p5_p95(-1.0, 4.0).unwrap();
    assert_close("normal p5", d.quantile(0.05), -1.0, tol);
    assert_close("normal p95", d.quantile(0.95), 4.0, tol);
    assert_close("normal median", d.quantile(0.5), 1.5, tol);

    // Standard normal quantiles from tables.
    assert_close(
        "z 0.975",
        standard_normal_quantile(0.975),
        1.959_963_984_540_054,
        tol,
    );
    assert_close("z 0.9", standard_normal_quantile(0.9), Z90, tol);
    assert_close("z 0.05", standard_normal_quantile(0.05), -Z95, tol);
    assert_close(
        "z 0.001",
        standard_normal_quantile(0.001),
        -3.090_232_306_167_813_5,
        1e-10,
    );
    assert_eq!(standard_normal_quantile(0.5), 0.0);

    // Triangular: CDF at the mode is (c - a) / (b - a).
    let t = cap::Triangular::new(0.0, 2.0, 10.0).unwrap();
    assert_close("triangular at mode", t.quantile(0.2), 2.0, tol);
    let t = cap::Triangular::new(-3.0, 0.0, 3.0).unwrap();
    assert!(t.quantile(0.5).abs() < 1e-12);

    // Uniform quartiles.
    let u = cap::Uniform::new(-5.0, 15.0).unwrap();
    assert_eq!(u.quantile(0.25), 0.0);
    assert_close("uniform q3", u.quantile(0.75), 10.0, tol);
}

/// Every continuous quantile function inverts its reference CDF, from the
/// smallest uniform a stream can return to the largest below 1.
#[test]
fn quantiles_invert_reference_cdfs() {
    let mut ps = vec![2f64.powi(-54), 1e-12, 1e-8, 1e-5, 1e-3];
    ps.extend((1..100).map(|i| i as f64 / 100.0));
    ps.extend([1.0 - 1e-3, 1.0 - 1e-5, 1.0 - 1e-8]);
    let mut worst = (0.0, String::new());
    for case in all_continuous_cases() {
        for &p in &ps {
            let x = case.dist.quantile(p);
            assert!(x.is_finite(), "{}: quantile({p}) = {x}", case.name);
            let f = (case.cdf)(x);
            // Error relative to p down to p = 1e-6, absolute (1e-15) below,
            // where closed forms such as b - sqrt((1 - p) ...) lose relative
            // precision to rounding (harmless for sampling); beyond what
            // rounding x to a few ulps accounts for (uniform(1e6, 1e6 + 1)).
            let ulps = 4.0 * x.abs() * f64::EPSILON;
            let rounding = (case.cdf)(x + ulps) - (case.cdf)(x - ulps);
            let err = ((f - p).abs() - rounding).max(0.0) / p.max(1e-6);
            if err > worst.0 {
                worst = (err, format!("{} at p = {p:e}: cdf = {f:e}", case.name));
            }
            // PERT's quantile interpolates a table (within 1e-8 of the range
            // of the exact inverse); the closed forms are exact to rounding.
            let tol = if case.name.starts_with("pert") {
                1e-6
            } else {
                1e-9
            };
            assert!(
                err < tol,
                "{}: cdf(quantile({p:e})) = {f:e} (x = {x})",
                case.name
            );
        }
    }
    println!("worst cdf(quantile(p)) error {:e}: {}", worst.0, worst.1);
}

/// The standard normal quantile against statrs's CDF (erfc, an independent
/// code path) deep in both tails, including the extremes of `Stream::uniform`.
#[test]
fn standard_normal_quantile_tails() {
    let r = reference::Normal::standard();
    let mut worst: f64 = 0.0;
    // 2^-54 is the smallest uniform a stream returns; 1 - 2^-53 the largest
    // below 1 (1 - 2^-54 rounds to 1).
    for k in 1..=53 {
        let p = 2f64.powi(-k);
        let z = standard_normal_quantile(p);
        let lower = (r.cdf(z) - p).abs() / p;
        // Upper tail: 1 - p is exact for these p.
        let zu = standard_normal_quantile(1.0 - p);
        let upper = (r.sf(zu) - p).abs() / p;
        assert!(
            (z + zu).abs() <= 1e-12 * z.abs(),
            "asymmetric at 2^-{k}: {z} vs {zu}"
        );
        worst = worst.max(lower).max(upper);
        assert!(
            lower < 1e-9 && upper < 1e-9,
            "p = 2^-{k}: relative tail errors {lower:e}, {upper:e}"
        );
    }
    println!("standard normal quantile: worst relative tail error {worst:e}");
}

/// PERT's quantile against closed-form beta quantiles and statrs's beta.
#[test]
fn pert_quantiles_match_beta() {
    let ps: Vec<f64> = (1..200).map(|i| i as f64 / 200.0).collect();
    // Mode at min: Beta(1, 1 + lambda), quantile 1 - (1 - p)^(1 / (1 + lambda)).
    for lambda in [4.0, 2.5] {
        let d = cap::Pert::new(0.0, 0.0, 1.0, lambda).unwrap();
        let d_max = cap::Pert::new(0.0, 1.0, 1.0, lambda).unwrap();
        for &p in &ps {
            let want = 1.0 - (1.0 - p).powf(1.0 / (1.0 + lambda));
            assert!(
                (d.quantile(p) - want).abs() < 1e-8,
                "pert mode=min lambda {lambda} at {p}: {} vs {want}",
                d.quantile(p)
            );
            // Mode at max: Beta(1 + lambda, 1), quantile p^(1 / (1 + lambda)).
            let want = p.powf(1.0 / (1.0 + lambda));
            assert!(
                (d_max.quantile(p) - want).abs() < 1e-8,
                "pert mode=max lambda {lambda} at {p}: {} vs {want}",
                d_max.quantile(p)
            );
        }
    }
    // Beta(2, 2): CDF 3x^2 - 2x^3.
    let d = cap::Pert::new(0.0, 0.5, 1.0, 2.0).unwrap();
    for &p in &ps {
        let x = d.quantile(p);
        assert!((3.0 * x * x - 2.0 * x.powi(3) - p).abs() < 1e-8);
    }
    // Symmetric PERT: median at the mode; skewed: median from statrs.
    let d = cap::Pert::new(0.0, 5.0, 10.0, 4.0).unwrap();
    assert!((d.quantile(0.5) - 5.0).abs() < 1e-8);
    for (min, mode, max, lambda) in [
        (0.0, 2.0, 12.0, 4.0),
        (10.0, 12.0, 30.0, 8.0),
        (0.0, 3.0, 10.0, 1.5),
    ] {
        let d = cap::Pert::new(min, mode, max, lambda).unwrap();
        let (a, b) = pert_shape(min, mode, max, lambda);
        assert_eq!(d.shape(), (a, b));
        let r = reference::Beta::new(a, b).unwrap();
        let want = min + (max - min) * r.inverse_cdf(0.5);
        assert_close("pert median", d.quantile(0.5), want, 1e-8);
        // The mode is not the median for a skewed PERT, and the median lies
        // between the mode and the mean.
        let median = d.quantile(0.5);
        assert!(mode < median && median < d.mean(), "{median} {}", d.mean());
        // Independent check through the CDF (regularised incomplete beta).
        for &p in &ps {
            let x = (d.quantile(p) - min) / (max - min);
            assert!(
                (r.cdf(x) - p).abs() < 1e-8,
                "pert({min},{mode},{max},{lambda}) cdf(quantile({p})) = {}",
                r.cdf(x)
            );
        }
    }
}

/// Triangular quantile against statrs's own inverse CDF.
#[test]
fn triangular_quantiles_match_statrs() {
    for (a, c, b) in [
        (0.0, 2.0, 10.0),
        (0.0, 0.0, 1.0),
        (0.0, 1.0, 1.0),
        (100.0, 180.0, 200.0),
    ] {
        let d = cap::Triangular::new(a, c, b).unwrap();
        let r = reference::Triangular::new(a, b, c).unwrap();
        for i in 1..1000 {
            let p = i as f64 / 1000.0;
            let (got, want) = (d.quantile(p), r.inverse_cdf(p));
            assert!(
                (got - want).abs() <= 1e-12 * (b - a),
                "triangular({a},{c},{b}) at {p}: {got} vs {want}"
            );
        }
    }
}

/// Counts of each value in `xs` (values must be among `values`).
fn counts(xs: &[f64], values: &[f64]) -> Vec<u64> {
    let mut c = vec![0u64; values.len()];
    for x in xs {
        let i = values
            .iter()
            .position(|v| v == x)
            .unwrap_or_else(|| panic!("drew {x}, not one of {values:?}"));
        c[i] += 1;
    }
    c
}

/// Chi-square goodness of fit of discrete draws to their weights.
#[test]
fn discrete_chi_square() {
    // Many choices with unequal weights.
    let many: Vec<f64> = (0..40).map(|i| i as f64 * 0.5 - 3.0).collect();
    let many_w: Vec<f64> = (0..40).map(|i| 1.0 + (i % 7) as f64).collect();
    let cases: Vec<(&str, Vec<f64>, Vec<f64>)> = vec![
        (
            "four values",
            vec![1.0, 2.0, 5.0, 10.0],
            vec![0.1, 0.2, 0.3, 0.4],
        ),
        (
            "unnormalised weights with zeros",
            vec![-1.0, 0.0, 3.5, 7.0, 9.0],
            vec![0.0, 3.0, 0.0, 1.0, 6.0],
        ),
        (
            "uniform over 3",
            vec![10.0, 20.0, 30.0],
            vec![1.0, 1.0, 1.0],
        ),
        ("unsorted values", vec![5.0, -2.0, 1.0], vec![2.0, 5.0, 3.0]),
        ("forty values", many, many_w),
    ];
    let mut failures = Vec::new();
    for (name, values, weights) in cases {
        let d = cap::Discrete::new(values.clone(), weights.clone()).unwrap();
        let total: f64 = weights.iter().sum();
        let probs: Vec<f64> = weights.iter().map(|w| w / total).collect();
        let dist = Uncertain::Discrete(d.clone());
        let xs = sample(&dist, name);
        let observed = counts(&xs, &values);
        // Zero-weight values are never drawn, and are left out of the test.
        let (obs, p): (Vec<u64>, Vec<f64>) = observed
            .iter()
            .zip(&probs)
            .filter(|(o, p)| {
                assert!(**p > 0.0 || **o == 0, "{name}: drew a zero-weight value");
                **p > 0.0
            })
            .map(|(o, p)| (*o, *p))
            .unzip();
        let chi2 = stat::chi_square(&obs, &p);
        let crit = stat::chi_square_critical(obs.len() - 1, ALPHA);
        let mean_want: f64 = values.iter().zip(&probs).map(|(v, p)| v * p).sum();
        assert!((d.mean() - mean_want).abs() < 1e-12, "{name}: mean()");
        println!(
            "chi-square {name:<32} {chi2:8.3} (df {}, critical {crit:.3})",
            obs.len() - 1
        );
        if chi2 >= crit {
            failures.push(format!("{name}: chi2 = {chi2:.3} >= {crit:.3}"));
        }
    }
    assert!(failures.is_empty(), "chi-square rejects: {failures:#?}");
}

/// Bernoulli frequencies, the degenerate cases, and a negative control.
#[test]
fn bernoulli_chi_square() {
    let crit = stat::chi_square_critical(1, ALPHA);
    for p in [0.01, 0.3, 0.5, 0.97] {
        let dist = Uncertain::Discrete(cap::Discrete::bernoulli(p).unwrap());
        let xs = sample(&dist, &format!("bernoulli {p}"));
        let c = counts(&xs, &[0.0, 1.0]);
        let chi2 = stat::chi_square(&c, &[1.0 - p, p]);
        println!(
            "chi-square bernoulli({p}) ones {} of {N}: {chi2:.3} (critical {crit:.3})",
            c[1]
        );
        assert!(chi2 < crit, "bernoulli({p}): chi2 {chi2} >= {crit}");
        assert!((dist.mean() - p).abs() < 1e-12);
    }
    for (p, want) in [(0.0, 0.0), (1.0, 1.0)] {
        let dist = Uncertain::Discrete(cap::Discrete::bernoulli(p).unwrap());
        assert!(
            sample(&dist, &format!("bernoulli {p}"))
                .iter()
                .all(|&x| x == want),
            "bernoulli({p}) drew something other than {want}"
        );
    }
    // Negative control: draws with p = 0.3 tested against p = 0.32.
    let dist = Uncertain::Discrete(cap::Discrete::bernoulli(0.3).unwrap());
    let c = counts(&sample(&dist, "bernoulli 0.3"), &[0.0, 1.0]);
    let chi2 = stat::chi_square(&c, &[0.68, 0.32]);
    println!("chi-square control bernoulli(0.3) vs 0.32: {chi2:.3} (critical {crit:.3})");
    assert!(chi2 > crit, "chi-square missed p off by 0.02: {chi2}");
}

/// Two-sample KS: capsim's inverse-CDF PERT against rand_distr's PERT
/// (a beta sampler, an independent algorithm).
#[test]
fn pert_matches_rand_distr() {
    use rand::SeedableRng as _;
    use rand::rngs::Xoshiro256PlusPlus;
    use rand_distr::Distribution as _;

    let crit = stat::ks_critical_two(N, N, ALPHA);
    let rd_sample = |min: f64, mode: f64, max: f64, lambda: f64, seed: u64| {
        let d = rand_distr::Pert::new(min, max)
            .with_shape(lambda)
            .with_mode(mode)
            .unwrap();
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
        (0..N).map(|_| d.sample(&mut rng)).collect::<Vec<f64>>()
    };
    let cases = [
        (0.0, 2.0, 12.0, 4.0),
        (0.0, 5.0, 10.0, 4.0),
        (0.0, 0.0, 10.0, 4.0),
        (10.0, 12.0, 30.0, 8.0),
        (0.0, 3.0, 10.0, 1.5),
    ];
    let mut failures = Vec::new();
    for (i, &(min, mode, max, lambda)) in cases.iter().enumerate() {
        let ours = Uncertain::Pert(cap::Pert::new(min, mode, max, lambda).unwrap());
        let a = sample(&ours, &format!("pert vs rand_distr {i}"));
        let b = rd_sample(min, mode, max, lambda, SEED + i as u64);
        let d = stat::ks_two_sample(&a, &b);
        println!(
            "KS two-sample pert({min}, {mode}, {max}, lambda {lambda}) vs rand_distr: D = {d:.5} (critical {crit:.5})"
        );
        if d >= crit {
            failures.push(format!("pert({min},{mode},{max},{lambda}): D = {d:.5}"));
        }
    }
    assert!(failures.is_empty(), "two-sample KS rejects: {failures:#?}");

    // Negative control: rand_distr's PERT with the mode moved from 2 to 2.6.
    let ours = Uncertain::Pert(cap::Pert::new(0.0, 2.0, 12.0, 4.0).unwrap());
    let a = sample(&ours, "pert vs rand_distr 0");
    let b = rd_sample(0.0, 2.6, 12.0, 4.0, SEED);
    let d = stat::ks_two_sample(&a, &b);
    println!("KS two-sample control, mode 2 vs 2.6: D = {d:.5} (critical {crit:.5})");
    assert!(d > crit, "two-sample KS missed a moved mode: D = {d}");
}

/// The stream uniforms are U(0, 1): within one stream, across trials (first
/// draw of each), and across seeds.
#[test]
fn stream_uniforms_are_uniform() {
    let crit = stat::ks_critical(N, ALPHA);
    let id = ComponentId::new("tranche", "uniformity");
    let mut s = Stream::new(SEED, id, 0);
    let within: Vec<f64> = (0..N).map(|_| s.uniform()).collect();
    let across_trials = first_draws("uniformity", N);
    let across_seeds: Vec<f64> = (0..N as u64)
        .map(|seed| Stream::new(seed, id, 0).uniform())
        .collect();
    // The tenth draw of each trial, as late inputs of a component get.
    let tenth: Vec<f64> = (0..N as u64)
        .map(|t| {
            let mut s = Stream::new(SEED, id, t);
            (0..9).for_each(|_| {
                s.uniform();
            });
            s.uniform()
        })
        .collect();
    for (name, xs) in [
        ("one stream", &within),
        ("first draw across trials", &across_trials),
        ("first draw across seeds", &across_seeds),
        ("tenth draw across trials", &tenth),
    ] {
        assert!(
            xs.iter().all(|&u| u > 0.0 && u < 1.0),
            "{name}: not in (0, 1)"
        );
        let d = stat::ks_statistic(xs, |x| x);
        let (mean, var, _) = stat::moments(xs);
        println!(
            "KS uniforms {name:<28} D = {d:.5} (critical {crit:.5}); mean {mean:.4}, var {var:.5}"
        );
        assert!(d < crit, "{name}: D = {d} >= {crit}");
    }
}

/// Streams of different trials, components and seeds are uncorrelated, and
/// pairs of them fill the unit square evenly.
#[test]
fn streams_are_independent() {
    let n = N;
    let r_crit = stat::z_critical(ALPHA) / (n as f64).sqrt();
    let a = ComponentId::new("tranche", "a");
    let b = ComponentId::new("tranche", "b");
    let rev = ComponentId::new("revenue", "");
    let first = |seed: u64, id: ComponentId, trial: u64| Stream::new(seed, id, trial).uniform();
    let trials = 0..n as u64;
    let a0: Vec<f64> = trials.clone().map(|t| first(SEED, a, t)).collect();
    let a1: Vec<f64> = trials.clone().map(|t| first(SEED, a, t + 1)).collect();
    let b0: Vec<f64> = trials.clone().map(|t| first(SEED, b, t)).collect();
    let r0: Vec<f64> = trials.clone().map(|t| first(SEED, rev, t)).collect();
    let s1: Vec<f64> = trials.clone().map(|t| first(SEED + 1, a, t)).collect();
    // Trial t of `a` against trial t + 1 of `b`: what a plain XOR of keys
    // could have aliased.
    let b1: Vec<f64> = trials.clone().map(|t| first(SEED, b, t + 1)).collect();
    // First and second draw of the same stream.
    let (d1, d2): (Vec<f64>, Vec<f64>) = trials
        .clone()
        .map(|t| {
            let mut s = Stream::new(SEED, a, t);
            (s.uniform(), s.uniform())
        })
        .unzip();
    let pairs: [(&str, &[f64], &[f64]); 6] = [
        ("trial t vs t+1", &a0, &a1),
        ("component a vs b", &a0, &b0),
        ("tranche vs revenue", &a0, &r0),
        ("seed s vs s+1", &a0, &s1),
        ("a trial t vs b trial t+1", &a0, &b1),
        ("draw 1 vs draw 2", &d1, &d2),
    ];
    let bins = 10;
    let chi_crit = stat::chi_square_critical(bins * bins - 1, ALPHA);
    let mut failures = Vec::new();
    for (name, x, y) in pairs {
        let r = stat::correlation(x, y);
        // Transform to normal scores too: rank-free check of tail dependence.
        let zx: Vec<f64> = x.iter().map(|&u| standard_normal_quantile(u)).collect();
        let zy: Vec<f64> = y.iter().map(|&u| standard_normal_quantile(u)).collect();
        let rz = stat::correlation(&zx, &zy);
        let mut grid = vec![0u64; bins * bins];
        for (u, v) in x.iter().zip(y) {
            let i = (u * bins as f64) as usize;
            let j = (v * bins as f64) as usize;
            grid[i * bins + j] += 1;
        }
        let chi2 = stat::chi_square(&grid, &vec![1.0 / (bins * bins) as f64; bins * bins]);
        println!(
            "independence {name:<26} r = {r:+.4}, normal-score r = {rz:+.4} (critical {r_crit:.4}); 10x10 chi2 {chi2:.1} (critical {chi_crit:.1})"
        );
        if r.abs() >= r_crit || rz.abs() >= r_crit || chi2 >= chi_crit {
            failures.push(format!("{name}: r {r:.4}, rz {rz:.4}, chi2 {chi2:.1}"));
        }
    }
    assert!(failures.is_empty(), "dependent streams: {failures:#?}");

    // No two (component, trial) streams start with the same 53-bit draw
    // (expected collisions among 10^5 draws: ~5e-7).
    let mut seen = std::collections::HashSet::new();
    for x in [&a0, &b0, &r0, &s1] {
        for u in x {
            assert!(seen.insert(u.to_bits()), "repeated first draw {u}");
        }
    }
}

/// `Input::draw` clamps quantiles to `[min, max]`: the draws follow the
/// censored distribution, with atoms at the bounds.
#[test]
fn input_draw_follows_censored_distribution() {
    let input = Input {
        path: "test.censored".to_string(),
        dist: Uncertain::Normal(cap::Normal::new(0.0, 1.0).unwrap()),
        min: -1.0,
        max: 2.0,
    };
    let us = first_draws("censored", N);
    let xs: Vec<f64> = us.iter().map(|&u| input.draw(u)).collect();
    let phi = |x: f64| reference::Normal::standard().cdf(x);
    let mut c = [0u64; 5];
    for &x in &xs {
        assert!((-1.0..=2.0).contains(&x));
        let i = if x == -1.0 {
            0
        } else if x <= 0.0 {
            1
        } else if x <= 1.0 {
            2
        } else if x < 2.0 {
            3
        } else {
            4
        };
        c[i] += 1;
    }
    let probs = [
        phi(-1.0),
        phi(0.0) - phi(-1.0),
        phi(1.0) - phi(0.0),
        phi(2.0) - phi(1.0),
        1.0 - phi(2.0),
    ];
    let chi2 = stat::chi_square(&c, &probs);
    let crit = stat::chi_square_critical(4, ALPHA);
    println!("chi-square censored normal {c:?}: {chi2:.3} (critical {crit:.3})");
    assert!(chi2 < crit, "censored draws: chi2 {chi2} >= {crit}");
    // Strictly inside the bounds the draws are the unclamped quantiles.
    for (&u, &x) in us.iter().zip(&xs) {
        let q = input.dist.quantile(u);
        if q > -1.0 && q < 2.0 {
            assert_eq!(x, q);
        }
    }
    // A constant ignores the uniform.
    let constant = Input {
        dist: Uncertain::Constant(4.5),
        ..input
    };
    assert!(us.iter().all(|&u| constant.draw(u) == 4.5));
}
