//! The `[costs]` table (costs other than compute contracts) and the `[cash]`
//! table.

use super::MAX_USD_BN;
use super::checker::Checker;
use crate::distribution::Uncertain;
use crate::scenario::raw::{RawCash, RawCosts};
use crate::scenario::{Costs, Input};

impl Checker<'_> {
    /// The `[costs]` table; every cost defaults to 0.
    pub(super) fn costs(&mut self, k: &RawCosts) -> Costs {
        Costs {
            running_usd_bn_per_gw_year: self.input_or(
                k.running_usd_bn_per_gw_year.as_ref(),
                0.0,
                "costs.running_usd_bn_per_gw_year".into(),
                0.0,
                MAX_USD_BN,
                "`running_usd_bn_per_gw_year`",
            ),
            other_usd_bn_per_year: match &k.other_usd_bn_per_year {
                Some(l) => self.input_list(
                    l,
                    "costs.other_usd_bn_per_year",
                    0.0,
                    MAX_USD_BN,
                    "`other_usd_bn_per_year`",
                ),
                None => vec![Input {
                    path: "costs.other_usd_bn_per_year[0]".into(),
                    dist: Uncertain::Constant(0.0),
                    min: 0.0,
                    max: MAX_USD_BN,
                }],
            },
            revenue_share: self.input_or(
                k.revenue_share.as_ref(),
                0.0,
                "costs.revenue_share".into(),
                0.0,
                1.0,
                "`revenue_share` (a fraction of revenue)",
            ),
        }
    }

    /// The `[cash]` table: the starting cash and the floor below which cash
    /// is a shortfall, USD bn, both 0 by default.
    pub(super) fn cash(&mut self, cash: &RawCash) -> (f64, f64) {
        let start = cash.start_usd_bn.as_ref().map_or(0.0, |v| {
            self.number(v, -MAX_USD_BN, MAX_USD_BN, "`start_usd_bn`")
        });
        let floor = cash.floor_usd_bn.as_ref().map_or(0.0, |v| {
            self.number(v, -MAX_USD_BN, MAX_USD_BN, "`floor_usd_bn`")
        });
        (start, floor)
    }
}
