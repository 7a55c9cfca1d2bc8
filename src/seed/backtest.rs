//! The seed's single backtest, `run_sma_backtest`: its own checks and messages, then the
//! strategy engine on the preset `sma_cross`.

use crate::api::run_bound;
use crate::data::MarketData;
use crate::error::Result;
use crate::execution::Trade;
use crate::metrics::Metrics;
use crate::seed::grid::{pair_values, PAIR_NAMES, SMA_CROSS};
use crate::seed::params::{validate_backtest, RawSettings};
use crate::strategy::tree::Bindings;
use crate::strategy::SeriesTable;
use crate::timing::Stopwatch;

/// The outcome of one backtest.
#[derive(Debug, Clone, PartialEq)]
pub struct BacktestResult {
    pub fast_period: usize,
    pub slow_period: usize,
    pub metrics: Metrics,
    pub trades: Vec<Trade>,
    /// Cash plus the open position at each bar's close.
    pub equity_curve: Vec<f64>,
    /// Wall time of the engine call (0 where the platform has no clock; the door then times it).
    pub execution_time_ms: f64,
}

/// Runs the SMA crossover on `data`. Periods and settings are validated first.
pub fn run_sma_backtest(
    data: &MarketData,
    fast_period: i128,
    slow_period: i128,
    settings: &RawSettings<'_>,
) -> Result<BacktestResult> {
    let clock = Stopwatch::start();
    let (fast, slow, settings) = validate_backtest(data.len(), fast_period, slow_period, settings)?;
    // `sma_cross` with placeholders and this pair's values (as a grid runs each pair).
    let values = pair_values(&[(fast, slow)], 0);
    let out = run_bound(
        data,
        &SMA_CROSS,
        &Bindings::new(&*PAIR_NAMES, &values),
        &settings.exec(),
        &mut SeriesTable::new(),
    );
    Ok(BacktestResult {
        fast_period: fast,
        slow_period: slow,
        metrics: out.metrics,
        trades: out.trades,
        equity_curve: out.equity_curve,
        execution_time_ms: clock.elapsed_ms(),
    })
}
