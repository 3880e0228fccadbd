//! `[[outside_view]]` tables: published figures (a company plan, an
//! analyst's forecast) that a run sets beside its own distribution.

use std::collections::HashMap;

use toml::Spanned;

use super::MAX_USD_BN;
use super::checker::Checker;
use super::meta::Horizon;
use crate::metric::{Metric, MetricKind};
use crate::month::Month;
use crate::scenario::raw::RawOutsideView;
use crate::scenario::{MAX_ITEMS, OutsideView, ViewStat};

impl Checker<'_> {
    /// The `[[outside_view]]` tables, at most [`MAX_ITEMS`] (the rest are
    /// left out). `has_compute` is whether any tranche gives PFLOP/s, without
    /// which compute is not computed.
    pub(super) fn outside_views(
        &mut self,
        raw: &[RawOutsideView],
        horizon: &Horizon,
        has_compute: bool,
    ) -> Vec<OutsideView> {
        let mut seen = HashMap::new();
        if raw.len() > MAX_ITEMS {
            self.error(
                raw[MAX_ITEMS].name.span(),
                format!("at most {MAX_ITEMS} outside views are allowed"),
            );
        }
        let raw = &raw[..raw.len().min(MAX_ITEMS)];
        let views: Vec<OutsideView> = raw
            .iter()
            .map(|v| {
                let name = self.name(&v.name, "outside view", &mut seen);
                let metric = self.view_metric(&v.metric, has_compute);
                let from = self.view_month(&v.from, "from", horizon);
                let to = self.view_month(&v.to, "to", horizon);
                if horizon.ok && v.to.get_ref() < v.from.get_ref() {
                    self.error(
                        v.to.span(),
                        format!(
                            "`to` ({}) is before `from` ({}); the window runs from `from` to `to`, both included",
                            v.to.get_ref(),
                            v.from.get_ref()
                        ),
                    );
                }
                let stat = match v.stat.get_ref().as_str() {
                    "sum" => ViewStat::Sum,
                    "end" => ViewStat::End,
                    other => {
                        self.error(
                            v.stat.span(),
                            format!(
                                "`stat` must be \"sum\" (the total over the window's months, for flows) or \"end\" (the value in `to`, for stocks), got {other:?}"
                            ),
                        );
                        ViewStat::Sum
                    }
                };
                let value = self.number(&v.value, -MAX_USD_BN * 1e3, MAX_USD_BN * 1e3, "`value`");
                OutsideView {
                    name,
                    description: v.description.clone(),
                    metric,
                    from_index: from,
                    to_index: to.max(from),
                    stat,
                    value,
                    source: v.source.clone(),
                }
            })
            .collect();
        // `view_<a>_below` is also the value outcome of a view named `<a>_below`.
        for (v, r) in views.iter().zip(raw) {
            if let Some(stem) = v.name.strip_suffix("_below") {
                if views.iter().any(|w| w.name == stem) {
                    self.error(
                        r.name.span(),
                        format!(
                            "outside view name {:?} clashes with the outcome `view_{}` of the view {stem:?}; choose another name",
                            v.name, v.name
                        ),
                    );
                }
            }
        }
        views
    }

    /// A metric a view can watch: known, not a 0/1 event, and computed.
    fn view_metric(&mut self, metric: &Spanned<String>, has_compute: bool) -> Metric {
        match Metric::from_name(metric.get_ref()) {
            Some(Metric::ComputeOnlineEflops) if !has_compute => {
                self.error(
                    metric.span(),
                    "no tranche gives `pflops_per_accelerator`, so compute_online_eflops is not computed",
                );
                Metric::ComputeOnlineEflops
            }
            Some(m) if m.kind() != MetricKind::Event => m,
            Some(m) => {
                self.error(
                    metric.span(),
                    format!(
                        "{:?} is a 0/1 event per trial, which an outside view cannot watch; its probability is reported in summary.csv",
                        m.name()
                    ),
                );
                m
            }
            None => {
                let names: Vec<&str> = Metric::ALL
                    .iter()
                    .filter(|m| m.kind() != MetricKind::Event)
                    .map(|m| m.name())
                    .collect();
                self.error(
                    metric.span(),
                    format!(
                        "unknown metric {:?}; an outside view can watch one of: {}",
                        metric.get_ref(),
                        names.join(", ")
                    ),
                );
                Metric::CapacityOnlineGw
            }
        }
    }

    /// A month of a view's window (`key` is `from` or `to`), inside the
    /// horizon; its index from the horizon start.
    fn view_month(&mut self, m: &Spanned<Month>, key: &str, horizon: &Horizon) -> usize {
        let i = m.get_ref().months_since(horizon.start);
        if !(0..=horizon.end_index).contains(&i) && horizon.ok {
            self.error(
                m.span(),
                format!(
                    "`{key}` month {} is outside the horizon {} to {}",
                    m.get_ref(),
                    horizon.start,
                    horizon.end
                ),
            );
        }
        i.clamp(0, horizon.end_index.max(0)) as usize
    }
}
