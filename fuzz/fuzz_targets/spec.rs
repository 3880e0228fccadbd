//! Structured scenarios for the fuzz target: mostly well-formed TOML with
//! values drawn from the edges of every range. Shared by the `scenario` fuzz
//! target and the `render` tool that writes them out as plain TOML.

use std::fmt::Write as _;

use arbitrary::Arbitrary;
use capsim::metric::Metric;


const NAMES: &[&str] = &[
    "a", "b", "site-a", "site-b", "c.1", "", "has space", "é",
    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
];

#[derive(Arbitrary, Debug)]
enum Num {
    Int(i8),
    Big(i64),
    Frac(i16),
    Exp(i8, i16),
    Special(u8),
}

impl Num {
    fn render(&self) -> String {
        match self {
            Num::Int(i) => i.to_string(),
            Num::Big(i) => i.to_string(),
            Num::Frac(i) => format!("{:?}", *i as f64 / 100.0),
            Num::Exp(m, e) => format!("{m}e{}", e % 420),
            Num::Special(k) => [
                "nan", "inf", "-inf", "0.0", "-0.0", "1e308", "-1e308", "5e-324", "1e6", "1e-300",
                "0.99999999999999999", "1e400", "1200", "-1200", "1000", "100",
            ][*k as usize % 16]
                .to_string(),
        }
    }
}

#[derive(Arbitrary, Debug)]
enum Dist {
    Const(Num),
    Normal(Num, Num),
    NormalP(Num, Num, bool),
    LogMedian(Num, Num),
    LogMean(Num, Num),
    LogP(Num, Num, bool),
    Uniform(Num, Num),
    Tri(Num, Num, Num),
    Pert(Num, Num, Num, Option<Num>),
    Bern(Num),
    Discrete(Vec<Num>, Option<Vec<Num>>),
    /// Any name and parameter set: the parameter-set errors.
    Raw(u8, Vec<(u8, Num)>),
}

fn list(v: &[Num]) -> String {
    let items: Vec<String> = v.iter().take(12).map(Num::render).collect();
    format!("[{}]", items.join(", "))
}

impl Dist {
    fn render(&self) -> String {
        let d = |name: &str, params: &[(&str, &Num)]| {
            let mut s = format!("{{ dist = \"{name}\"");
            for (k, v) in params {
                let _ = write!(s, ", {k} = {}", v.render());
            }
            s + " }"
        };
        match self {
            Dist::Const(n) => n.render(),
            Dist::Normal(m, s) => d("normal", &[("mean", m), ("sd", s)]),
            Dist::NormalP(a, b, p5) => {
                let (lo, hi) = if *p5 { ("p5", "p95") } else { ("p10", "p90") };
                d("normal", &[(lo, a), (hi, b)])
            }
            Dist::LogMedian(m, s) => d("lognormal", &[("median", m), ("sigma", s)]),
            Dist::LogMean(m, s) => d("lognormal", &[("mean", m), ("sd", s)]),
            Dist::LogP(a, b, p5) => {
                let (lo, hi) = if *p5 { ("p5", "p95") } else { ("p10", "p90") };
                d("lognormal", &[(lo, a), (hi, b)])
            }
            Dist::Uniform(a, b) => d("uniform", &[("min", a), ("max", b)]),
            Dist::Tri(a, m, b) => d("triangular", &[("min", a), ("mode", m), ("max", b)]),
            Dist::Pert(a, m, b, l) => {
                let mut p = vec![("min", a), ("mode", m), ("max", b)];
                if let Some(l) = l {
                    p.push(("lambda", l));
                }
                d("pert", &p)
            }
            Dist::Bern(p) => d("bernoulli", &[("p", p)]),
            Dist::Discrete(v, w) => {
                let mut s = format!("{{ dist = \"discrete\", values = {}", list(v));
                if let Some(w) = w {
                    let _ = write!(s, ", weights = {}", list(w));
                }
                s + " }"
            }
            Dist::Raw(name, params) => {
                const DISTS: &[&str] = &[
                    "normal", "lognormal", "uniform", "triangular", "pert", "bernoulli",
                    "discrete", "gamma", "",
                ];
                const KEYS: &[&str] = &[
                    "mean", "sd", "median", "sigma", "p5", "p10", "p90", "p95", "min", "mode",
                    "max", "lambda", "p", "colour",
                ];
                let mut s = format!("{{ dist = \"{}\"", DISTS[*name as usize % DISTS.len()]);
                let mut used = Vec::new();
                for (k, v) in params.iter().take(6) {
                    let k = KEYS[*k as usize % KEYS.len()];
                    if !used.contains(&k) {
                        used.push(k);
                        let _ = write!(s, ", {k} = {}", v.render());
                    }
                }
                s + " }"
            }
        }
    }
}

#[derive(Arbitrary, Debug)]
struct MonthSpec(u8, u8, u8);

impl MonthSpec {
    fn render(&self) -> String {
        let year = 2000 + (self.0 as i32 % 120) - 10;
        let month = 1 + self.1 % 12;
        match self.2 % 16 {
            0 => format!("\"{year}-{}\"", self.1 % 14),
            1 => format!("\"{}-{month:02}\"", 990 + self.0 as i32 * 40),
            2 => format!("{year}-{month:02}"),
            3 => format!("\"{year}-{month}\""),
            _ => format!("\"{year}-{month:02}\""),
        }
    }
}

#[derive(Arbitrary, Debug)]
struct Tranche {
    name: u8,
    option: Option<bool>,
    gw: Dist,
    planned: MonthSpec,
    delay: Option<Dist>,
    ramp: Option<Dist>,
    p_never: Option<Num>,
    accel: Dist,
    pflops: Option<Dist>,
    owned: bool,
}

#[derive(Arbitrary, Debug)]
struct Contract {
    name: u8,
    basis: u8,
    value: Num,
    start: MonthSpec,
    term: Num,
    tranches: Option<Vec<u8>>,
    per_gw_year: Option<Dist>,
    per_gw: Option<Dist>,
    lead: Option<Num>,
    profile: Option<Vec<Num>>,
}

#[derive(Arbitrary, Debug)]
struct Revenue {
    run_rate: Dist,
    growth: Vec<Dist>,
    per_gw_year: Dist,
}

#[derive(Arbitrary, Debug)]
struct Costs {
    running: Option<Dist>,
    other: Option<Vec<Dist>>,
    share: Option<Dist>,
}

#[derive(Arbitrary, Debug)]
struct Funding {
    name: u8,
    per_gw: bool,
    amount: Option<Dist>,
    month: Option<MonthSpec>,
    probability: Option<Num>,
    usd_bn_per_gw: Option<Dist>,
    tranches: Option<Vec<u8>>,
    max: Option<Num>,
}

#[derive(Arbitrary, Debug)]
struct Target {
    name: u8,
    metric: u8,
    at_least: Option<Num>,
    at_most: Option<Num>,
}

#[derive(Arbitrary, Debug)]
pub struct Spec {
    start: MonthSpec,
    months: u16,
    trials: Option<Num>,
    seed: Option<Num>,
    percentiles: Option<Vec<Num>>,
    tranches: Vec<Tranche>,
    contracts: Vec<Contract>,
    revenue: Option<Revenue>,
    costs: Option<Costs>,
    cash: Option<(Option<Num>, Option<Num>)>,
    funding: Vec<Funding>,
    targets: Vec<Target>,
}

fn name(i: u8) -> &'static str {
    NAMES[i as usize % NAMES.len()]
}

fn names(v: &[u8]) -> String {
    let items: Vec<String> = v.iter().take(6).map(|i| format!("{:?}", name(*i))).collect();
    format!("[{}]", items.join(", "))
}

impl Spec {
    pub fn render(&self) -> String {
        let mut s = String::new();
        let start = self.start.render();
        let _ = writeln!(s, "[scenario]\nname = \"fuzz\"\nstart = {start}");
        // The end as an offset from a well-formed start, so most horizons are valid.
        let y = 2000 + (self.start.0 as i32 % 120) - 10;
        let m0 = (self.start.1 % 12) as i32;
        let end = y * 12 + m0 + (self.months % 1300) as i32 - 60;
        let _ = writeln!(s, "end = \"{}-{:02}\"\n", end.div_euclid(12), end.rem_euclid(12) + 1);
        if self.trials.is_some() || self.seed.is_some() || self.percentiles.is_some() {
            s.push_str("[simulation]\n");
            if let Some(t) = &self.trials {
                let _ = writeln!(s, "trials = {}", t.render());
            }
            if let Some(t) = &self.seed {
                let _ = writeln!(s, "seed = {}", t.render());
            }
            if let Some(p) = &self.percentiles {
                let _ = writeln!(s, "percentiles = {}", list(p));
            }
            s.push('\n');
        }
        for t in self.tranches.iter().take(8) {
            let _ = writeln!(s, "[[tranche]]\nname = {:?}\ncounterparty = \"c\"", name(t.name));
            if let Some(o) = t.option {
                let _ = writeln!(s, "status = \"{}\"", if o { "option" } else { "binding" });
            }
            let _ = writeln!(s, "gw = {}\nplanned = {}", t.gw.render(), t.planned.render());
            if let Some(d) = &t.delay {
                let _ = writeln!(s, "delay_months = {}", d.render());
            }
            if let Some(d) = &t.ramp {
                let _ = writeln!(s, "ramp_months = {}", d.render());
            }
            if let Some(p) = &t.p_never {
                let _ = writeln!(s, "p_never = {}", p.render());
            }
            let _ = writeln!(s, "accelerators_per_gw = {}", t.accel.render());
            if let Some(d) = &t.pflops {
                let _ = writeln!(s, "pflops_per_accelerator = {}", d.render());
            }
            let _ = writeln!(s, "owned = {}\n", t.owned);
        }
        for c in self.contracts.iter().take(6) {
            let basis = ["take_or_pay", "pay_as_delivered", "purchase", "lease"][c.basis as usize % 4];
            let _ = writeln!(
                s,
                "[[contract]]\nname = {:?}\ncounterparty = \"c\"\nbasis = \"{basis}\"\nvalue_usd_bn = {}\nstart = {}\nterm_months = {}",
                name(c.name),
                c.value.render(),
                c.start.render(),
                c.term.render()
            );
            if let Some(t) = &c.tranches {
                let _ = writeln!(s, "tranches = {}", names(t));
            }
            if let Some(d) = &c.per_gw_year {
                let _ = writeln!(s, "usd_bn_per_gw_year = {}", d.render());
            }
            if let Some(d) = &c.per_gw {
                let _ = writeln!(s, "usd_bn_per_gw = {}", d.render());
            }
            if let Some(n) = &c.lead {
                let _ = writeln!(s, "lead_months = {}", n.render());
            }
            if let Some(p) = &c.profile {
                let _ = writeln!(s, "profile = {}", list(p));
            }
            s.push('\n');
        }
        if let Some(r) = &self.revenue {
            let growth: Vec<String> = r.growth.iter().take(8).map(Dist::render).collect();
            let growth = if growth.len() == 1 {
                growth[0].clone()
            } else {
                format!("[{}]", growth.join(", "))
            };
            let _ = writeln!(
                s,
                "[revenue]\nrun_rate_usd_bn = {}\nannual_growth = {growth}\nusd_bn_per_gw_year = {}\n",
                r.run_rate.render(),
                r.per_gw_year.render()
            );
        }
        if let Some(c) = &self.costs {
            s.push_str("[costs]\n");
            if let Some(d) = &c.running {
                let _ = writeln!(s, "running_usd_bn_per_gw_year = {}", d.render());
            }
            if let Some(v) = &c.other {
                let items: Vec<String> = v.iter().take(8).map(Dist::render).collect();
                let _ = writeln!(s, "other_usd_bn_per_year = [{}]", items.join(", "));
            }
            if let Some(d) = &c.share {
                let _ = writeln!(s, "revenue_share = {}", d.render());
            }
            s.push('\n');
        }
        if let Some((a, b)) = &self.cash {
            s.push_str("[cash]\n");
            if let Some(a) = a {
                let _ = writeln!(s, "start_usd_bn = {}", a.render());
            }
            if let Some(b) = b {
                let _ = writeln!(s, "floor_usd_bn = {}", b.render());
            }
            s.push('\n');
        }
        for f in self.funding.iter().take(4) {
            let _ = writeln!(s, "[[funding]]\nname = {:?}", name(f.name));
            if f.per_gw {
                s.push_str("basis = \"per_gw\"\n");
            }
            if let Some(d) = &f.amount {
                let _ = writeln!(s, "amount_usd_bn = {}", d.render());
            }
            if let Some(m) = &f.month {
                let _ = writeln!(s, "month = {}", m.render());
            }
            if let Some(p) = &f.probability {
                let _ = writeln!(s, "probability = {}", p.render());
            }
            if let Some(d) = &f.usd_bn_per_gw {
                let _ = writeln!(s, "usd_bn_per_gw = {}", d.render());
            }
            if let Some(t) = &f.tranches {
                let _ = writeln!(s, "tranches = {}", names(t));
            }
            if let Some(m) = &f.max {
                let _ = writeln!(s, "max_usd_bn = {}", m.render());
            }
            s.push('\n');
        }
        for t in self.targets.iter().take(4) {
            let metric = Metric::ALL
                .get(t.metric as usize % (Metric::ALL.len() + 1))
                .map_or("no_such_metric", |m| m.name());
            let _ = writeln!(s, "[[target]]\nname = {:?}\nmetric = \"{metric}\"", name(t.name));
            if let Some(n) = &t.at_least {
                let _ = writeln!(s, "at_least = {}", n.render());
            }
            if let Some(n) = &t.at_most {
                let _ = writeln!(s, "at_most = {}", n.render());
            }
            s.push('\n');
        }
        s
    }
}
