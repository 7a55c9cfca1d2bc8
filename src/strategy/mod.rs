//! Strategies as data: the tree (`tree`), its checks (`parse`, `bind`), the indicator catalog
//! and the evaluation into signals (`signals`). docs/CONVENTIONS.md, "Strategy trees".

pub mod bind;
pub mod catalog;
pub mod names;
pub mod parse;
pub mod presets;
pub mod signals;
pub mod streaming;
pub mod tree;

pub use bind::{bind, bind_values, check_param_names};
pub use catalog::{IndicatorKind, PriceField};
pub use parse::parse_strategy;
pub use signals::{SeriesKey, SeriesTable};
pub use streaming::IndicatorState;
pub use tree::{CompareOp, Condition, Num, Series, Strategy};

use crate::error::{BacktestError, ErrorKind, Result};
use crate::execution::Direction;

/// Refuses sides the direction cannot trade, and a missing entry it needs.
pub fn check_sides(strategy: &Strategy, direction: Direction) -> Result<()> {
    let has = |i: usize| strategy.sides[i].is_some();
    let name = match direction {
        Direction::LongOnly => "long_only",
        Direction::ShortOnly => "short_only",
        Direction::Both => "both",
    };
    let fail = |m: String| Err(BacktestError::new(ErrorKind::Strategy, m));
    if direction == Direction::LongOnly && (has(2) || has(3)) {
        return fail("the strategy has a short side (short_entry/short_exit) but direction is 'long_only'; pass direction='both' or 'short_only'".into());
    }
    if direction == Direction::ShortOnly && (has(0) || has(1)) {
        return fail("the strategy has a long side (entry/exit) but direction is 'short_only'; pass direction='both' or 'long_only'".into());
    }
    if direction != Direction::ShortOnly && !has(0) {
        return fail(format!(
            "the strategy needs an entry for direction '{name}'"
        ));
    }
    if direction != Direction::LongOnly && !has(2) {
        return fail(format!(
            "the strategy needs a short_entry for direction '{name}'"
        ));
    }
    Ok(())
}
