//! Reading uncertain quantities from TOML: a plain number, or an inline table
//! such as `{ dist = "pert", min = 0, mode = 3, max = 12 }`.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};

use crate::distribution::{
    Discrete, LogNormal, Normal, ParamError, Pert, Triangular, Uncertain, Uniform,
};

/// The distributions a scenario may name, with the parameter sets each accepts.
pub const DISTRIBUTIONS: &str = "normal, lognormal, uniform, triangular, pert, bernoulli, discrete";

/// All parameters any distribution takes; which apply depends on `dist`.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct DistTable {
    dist: String,
    mean: Option<f64>,
    sd: Option<f64>,
    median: Option<f64>,
    sigma: Option<f64>,
    p5: Option<f64>,
    p10: Option<f64>,
    p90: Option<f64>,
    p95: Option<f64>,
    min: Option<f64>,
    mode: Option<f64>,
    max: Option<f64>,
    lambda: Option<f64>,
    p: Option<f64>,
    values: Option<Vec<f64>>,
    weights: Option<Vec<f64>>,
}

impl DistTable {
    /// Names of the parameters given, in a fixed order.
    fn given(&self) -> Vec<&'static str> {
        let opts = [
            ("mean", self.mean.is_some()),
            ("sd", self.sd.is_some()),
            ("median", self.median.is_some()),
            ("sigma", self.sigma.is_some()),
            ("p5", self.p5.is_some()),
            ("p10", self.p10.is_some()),
            ("p90", self.p90.is_some()),
            ("p95", self.p95.is_some()),
            ("min", self.min.is_some()),
            ("mode", self.mode.is_some()),
            ("max", self.max.is_some()),
            ("lambda", self.lambda.is_some()),
            ("p", self.p.is_some()),
            ("values", self.values.is_some()),
            ("weights", self.weights.is_some()),
        ];
        opts.iter().filter(|(_, g)| *g).map(|(n, _)| *n).collect()
    }

    fn build(self) -> Result<Uncertain, ParamError> {
        let given = self.given();
        let is = |set: &[&str]| {
            let mut a = set.to_vec();
            let mut b = given.clone();
            a.sort_unstable();
            b.sort_unstable();
            a == b
        };
        let forms_error = |forms: &str| {
            let got = if given.is_empty() {
                "no parameters".to_string()
            } else {
                given
                    .iter()
                    .map(|g| format!("`{g}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            ParamError::new(format!("`{}` takes {forms}; got {got}", self.dist))
        };
        let v = |x: Option<f64>| x.expect("checked by the parameter set");
        match self.dist.as_str() {
            "normal" => {
                if is(&["mean", "sd"]) {
                    Ok(Uncertain::Normal(Normal::new(v(self.mean), v(self.sd))?))
                } else if is(&["p10", "p90"]) {
                    Ok(Uncertain::Normal(Normal::from_p10_p90(
                        v(self.p10),
                        v(self.p90),
                    )?))
                } else if is(&["p5", "p95"]) {
                    Ok(Uncertain::Normal(Normal::from_p5_p95(
                        v(self.p5),
                        v(self.p95),
                    )?))
                } else {
                    Err(forms_error(
                        "`mean` and `sd`, or `p10` and `p90`, or `p5` and `p95`",
                    ))
                }
            }
            "lognormal" => {
                let d = if is(&["median", "sigma"]) {
                    LogNormal::from_median_sigma(v(self.median), v(self.sigma))?
                } else if is(&["mean", "sd"]) {
                    LogNormal::from_mean_sd(v(self.mean), v(self.sd))?
                } else if is(&["p10", "p90"]) {
                    LogNormal::from_p10_p90(v(self.p10), v(self.p90))?
                } else if is(&["p5", "p95"]) {
                    LogNormal::from_p5_p95(v(self.p5), v(self.p95))?
                } else {
                    return Err(forms_error(
                        "`p10` and `p90`, or `p5` and `p95`, or `median` and `sigma`, or `mean` and `sd`",
                    ));
                };
                Ok(Uncertain::LogNormal(d))
            }
            "uniform" => {
                if is(&["min", "max"]) {
                    Ok(Uncertain::Uniform(Uniform::new(v(self.min), v(self.max))?))
                } else {
                    Err(forms_error("`min` and `max`"))
                }
            }
            "triangular" => {
                if is(&["min", "mode", "max"]) {
                    Ok(Uncertain::Triangular(Triangular::new(
                        v(self.min),
                        v(self.mode),
                        v(self.max),
                    )?))
                } else {
                    Err(forms_error("`min`, `mode` and `max`"))
                }
            }
            "pert" => {
                let lambda = self.lambda.unwrap_or(4.0);
                if is(&["min", "mode", "max"]) || is(&["min", "mode", "max", "lambda"]) {
                    Ok(Uncertain::Pert(Pert::new(
                        v(self.min),
                        v(self.mode),
                        v(self.max),
                        lambda,
                    )?))
                } else {
                    Err(forms_error(
                        "`min`, `mode` and `max`, and optionally `lambda`",
                    ))
                }
            }
            "bernoulli" => {
                if is(&["p"]) {
                    Ok(Uncertain::Discrete(Discrete::bernoulli(v(self.p))?))
                } else {
                    Err(forms_error("`p`"))
                }
            }
            "discrete" => {
                if is(&["values"]) {
                    Ok(Uncertain::Discrete(Discrete::uniform(
                        self.values.unwrap_or_default(),
                    )?))
                } else if is(&["values", "weights"]) {
                    Ok(Uncertain::Discrete(Discrete::new(
                        self.values.unwrap_or_default(),
                        self.weights.unwrap_or_default(),
                    )?))
                } else {
                    Err(forms_error("`values`, and optionally `weights`"))
                }
            }
            other => Err(ParamError::new(format!(
                "unknown distribution `{other}`; expected one of {DISTRIBUTIONS}"
            ))),
        }
    }
}

/// An [`Uncertain`] as read from a scenario file.
#[derive(Debug, Clone, PartialEq)]
pub struct UncertainSpec(pub Uncertain);

struct UncertainVisitor;

impl<'de> Visitor<'de> for UncertainVisitor {
    type Value = UncertainSpec;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a number or a distribution such as { dist = \"normal\", mean = 1, sd = 0.2 }")
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<UncertainSpec, E> {
        Ok(UncertainSpec(Uncertain::Constant(v as f64)))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<UncertainSpec, E> {
        Ok(UncertainSpec(Uncertain::Constant(v as f64)))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<UncertainSpec, E> {
        if !v.is_finite() {
            return Err(E::custom(format!("expected a finite number, got {v}")));
        }
        Ok(UncertainSpec(Uncertain::Constant(v)))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<UncertainSpec, A::Error> {
        let table = DistTable::deserialize(de::value::MapAccessDeserializer::new(map))?;
        table.build().map(UncertainSpec).map_err(de::Error::custom)
    }
}

impl<'de> Deserialize<'de> for UncertainSpec {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(UncertainVisitor)
    }
}

/// One uncertain quantity, or a list of them (one per year of the horizon,
/// the last repeating).
#[derive(Debug, Clone, PartialEq)]
pub struct UncertainList(pub Vec<Uncertain>);

impl<'de> Deserialize<'de> for UncertainList {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ListVisitor;
        impl<'de> Visitor<'de> for ListVisitor {
            type Value = UncertainList;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a number, a distribution, or a list of them (one per year)")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<UncertainList, E> {
                UncertainVisitor
                    .visit_i64(v)
                    .map(|u| UncertainList(vec![u.0]))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<UncertainList, E> {
                UncertainVisitor
                    .visit_u64(v)
                    .map(|u| UncertainList(vec![u.0]))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<UncertainList, E> {
                UncertainVisitor
                    .visit_f64(v)
                    .map(|u| UncertainList(vec![u.0]))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<UncertainList, A::Error> {
                UncertainVisitor
                    .visit_map(map)
                    .map(|u| UncertainList(vec![u.0]))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<UncertainList, A::Error> {
                let mut out = Vec::new();
                while let Some(UncertainSpec(u)) = seq.next_element()? {
                    out.push(u);
                }
                if out.is_empty() {
                    return Err(de::Error::custom("the list must have at least one entry"));
                }
                Ok(UncertainList(out))
            }
        }
        deserializer.deserialize_any(ListVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize, Debug)]
    struct Holder {
        x: UncertainSpec,
    }

    fn parse(src: &str) -> Result<Uncertain, String> {
        toml::from_str::<Holder>(src)
            .map(|h| h.x.0)
            .map_err(|e| e.message().to_string())
    }

    #[test]
    fn reads_every_form() {
        assert_eq!(parse("x = 3").unwrap(), Uncertain::Constant(3.0));
        assert_eq!(parse("x = 2.5").unwrap(), Uncertain::Constant(2.5));
        assert_eq!(
            parse("x = { dist = \"normal\", mean = 1, sd = 2 }")
                .unwrap()
                .kind(),
            "normal"
        );
        assert_eq!(
            parse("x = { dist = \"lognormal\", p10 = 1, p90 = 4 }")
                .unwrap()
                .kind(),
            "lognormal"
        );
        assert_eq!(
            parse("x = { dist = \"pert\", min = 0, mode = 1, max = 5 }")
                .unwrap()
                .kind(),
            "pert"
        );
        assert_eq!(
            parse("x = { dist = \"bernoulli\", p = 0.2 }")
                .unwrap()
                .kind(),
            "discrete"
        );
        assert_eq!(
            parse("x = { dist = \"discrete\", values = [1, 2], weights = [1, 1] }")
                .unwrap()
                .kind(),
            "discrete"
        );
    }

    #[test]
    fn explains_wrong_parameters() {
        let e = parse("x = { dist = \"normal\", mean = 1, mode = 2 }").unwrap_err();
        assert!(e.contains("`normal` takes `mean` and `sd`"), "{e}");
        let e = parse("x = { dist = \"normal\", mean = 1, sd = -2 }").unwrap_err();
        assert!(e.contains("`sd` must be >= 0"), "{e}");
        let e = parse("x = { dist = \"gamma\", mean = 1 }").unwrap_err();
        assert!(e.contains("unknown distribution `gamma`"), "{e}");
        let e = parse("x = { dist = \"normal\", mean = 1, sd = 1, colour = 2 }").unwrap_err();
        assert!(e.contains("colour"), "{e}");
        let e = parse("x = \"three\"").unwrap_err();
        assert!(e.contains("a number or a distribution"), "{e}");
    }
}
