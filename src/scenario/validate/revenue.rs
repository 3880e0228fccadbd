//! The `[revenue]` table: demand and what capacity online can earn.

use super::MAX_USD_BN;
use super::checker::Checker;
use crate::scenario::Revenue;
use crate::scenario::raw::RawRevenue;

impl Checker<'_> {
    /// The `[revenue]` table.
    pub(super) fn revenue(&mut self, r: &RawRevenue) -> Revenue {
        Revenue {
            run_rate_usd_bn: self.input(
                &r.run_rate_usd_bn,
                "revenue.run_rate_usd_bn".into(),
                0.0,
                MAX_USD_BN,
                "`run_rate_usd_bn`",
            ),
            annual_growth: self.input_list(
                &r.annual_growth,
                "revenue.annual_growth",
                -0.99,
                100.0,
                "`annual_growth` (a fraction per year: 0.5 is +50%)",
            ),
            usd_bn_per_gw_year: self.input(
                &r.usd_bn_per_gw_year,
                "revenue.usd_bn_per_gw_year".into(),
                0.0,
                MAX_USD_BN,
                "`usd_bn_per_gw_year`",
            ),
        }
    }
}
