//! Presets the core itself needs (the seed API runs on `sma_cross`). The full preset list
//! lives in the builders (Python `quant_backtest.strategy`, JS `strategy`), which write the
//! same trees (docs/STRATEGIES.md).

use super::catalog::{IndicatorKind, PriceField};
use super::tree::{CompareOp, Condition, Num, Series, Strategy};

fn sma(period: usize, path: &str) -> Series {
    Series::Indicator {
        kind: IndicatorKind::Sma,
        params: vec![Num::Lit(period as f64)],
        source: Some(Box::new(Series::Price(PriceField::Close))),
        output: 0,
        path: path.into(),
    }
}

/// `sma(fast)` crosses above `sma(slow)` to enter, below to exit (SPEC part 2).
pub fn sma_cross(fast: usize, slow: usize) -> Strategy {
    let side = |op: CompareOp, name: &str| {
        let at = format!("{name}.{}", op.name());
        Condition::Compare {
            op,
            a: sma(fast, &format!("{at}[0]")),
            b: sma(slow, &format!("{at}[1]")),
        }
    };
    Strategy {
        sides: [
            Some(side(CompareOp::CrossesAbove, "entry")),
            Some(side(CompareOp::CrossesBelow, "exit")),
            None,
            None,
        ],
        settings: Vec::new(),
        constraint: None,
        params: Vec::new(),
    }
}
