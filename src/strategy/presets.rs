//! Presets the core itself needs (the seed API runs on `sma_cross`). The full preset list
//! lives in the builders (Python `quant_backtest.strategy`, JS `strategy`), which write the
//! same trees (docs/STRATEGIES.md).

use super::catalog::{IndicatorKind, PriceField};
use super::tree::{CompareOp, Condition, Num, Series, Strategy};

fn sma(period: Num, path: &str) -> Series {
    Series::Indicator {
        kind: IndicatorKind::Sma,
        params: vec![period],
        source: Some(Box::new(Series::Price(PriceField::Close))),
        output: 0,
        path: path.into(),
    }
}

/// `sma(fast)` crosses above `sma(slow)` to enter, below to exit (SPEC part 2), with the
/// placeholders `fast` and `slow`: the seed's backtests and grids run it with their values.
pub fn sma_cross_params() -> Strategy {
    let mut s = sma_cross_of(Num::Param("fast".into()), Num::Param("slow".into()));
    s.params = vec![
        ("fast".into(), "entry.crosses_above[0].period".into()),
        ("slow".into(), "entry.crosses_above[1].period".into()),
    ];
    s
}

fn sma_cross_of(fast: Num, slow: Num) -> Strategy {
    let side = |op: CompareOp, name: &str| {
        let at = format!("{name}.{}", op.name());
        Condition::Compare {
            op,
            a: sma(fast.clone(), &format!("{at}[0]")),
            b: sma(slow.clone(), &format!("{at}[1]")),
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
