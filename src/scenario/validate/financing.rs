//! The `[financing]` table: what a funding gap costs and how it is filled.

use super::MAX_USD_BN;
use super::checker::Checker;
use crate::number::in_message;
use crate::scenario::Financing;
use crate::scenario::raw::RawFinancing;

/// Highest annual interest rate on negative cash (100% a year).
const MAX_RATE: f64 = 1.0;
/// Highest share of an equity raise lost to its cost: more would make a
/// raise pointless and its size unbounded.
const MAX_EQUITY_COST: f64 = 0.9;
/// Smallest equity block, USD bn (USD 1,000): a smaller one is a slip, and
/// a gap divided by a subnormal block overflows the count of blocks.
const MIN_EQUITY_BLOCK: f64 = 1e-6;

impl Checker<'_> {
    /// The `[financing]` table; every key is optional and defaults to no
    /// cost and no raise.
    pub(super) fn financing(&mut self, k: &RawFinancing) -> Financing {
        let debt_rate = self.input_or(
            k.debt_rate.as_ref(),
            0.0,
            "financing.debt_rate".into(),
            0.0,
            MAX_RATE,
            "`debt_rate` (a fraction per year)",
        );
        let equity_block_usd_bn = k.equity_block_usd_bn.as_ref().map_or(0.0, |v| {
            let block = self.number(v, 0.0, MAX_USD_BN, "`equity_block_usd_bn`");
            if block > 0.0 && block < MIN_EQUITY_BLOCK {
                self.error(
                    v.span(),
                    format!(
                        "`equity_block_usd_bn` must be 0 (no equity) or at least {MIN_EQUITY_BLOCK} (USD 1,000), got {}",
                        in_message(block)
                    ),
                );
            }
            block
        });
        let equity_cost = self.input_or(
            k.equity_cost.as_ref(),
            0.0,
            "financing.equity_cost".into(),
            0.0,
            MAX_EQUITY_COST,
            "`equity_cost` (a fraction of each raise)",
        );
        let equity_max_usd_bn = k.equity_max_usd_bn.as_ref().map_or(MAX_USD_BN, |v| {
            self.number(v, 0.0, MAX_USD_BN, "`equity_max_usd_bn`")
        });
        for (key, given) in [
            ("equity_cost", k.equity_cost.as_ref().map(|v| v.span())),
            (
                "equity_max_usd_bn",
                k.equity_max_usd_bn.as_ref().map(|v| v.span()),
            ),
        ] {
            if let (Some(span), true) = (given, equity_block_usd_bn == 0.0) {
                self.error(
                    span,
                    format!("`{key}` applies only with `equity_block_usd_bn` above 0 (no equity is raised without it)"),
                );
            }
        }
        Financing {
            debt_rate,
            equity_block_usd_bn,
            equity_cost,
            equity_max_usd_bn,
        }
    }
}
