//! One backtest end to end: SMAs, simulation, trades and metrics.

use crate::data::MarketData;
use crate::error::Result;
use crate::indicators::sma;
use crate::metrics::Metrics;
use crate::params::{validate_backtest, RawSettings, Settings};
use crate::simulate::{simulate, Details, Trade};
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
    fast_period: i64,
    slow_period: i64,
    settings: &RawSettings<'_>,
) -> Result<BacktestResult> {
    let clock = Stopwatch::start();
    let (fast, slow, settings) = validate_backtest(data.len(), fast_period, slow_period, settings)?;
    let fast_sma = sma(data.close(), fast);
    let slow_sma = sma(data.close(), slow);
    let mut result = backtest_with_smas(data, fast, slow, &fast_sma, &slow_sma, &settings);
    result.execution_time_ms = clock.elapsed_ms();
    Ok(result)
}

/// The full result for already validated periods, from precomputed SMAs.
pub(crate) fn backtest_with_smas(
    data: &MarketData,
    fast: usize,
    slow: usize,
    fast_sma: &[f64],
    slow_sma: &[f64],
    settings: &Settings,
) -> BacktestResult {
    let mut returns = Vec::new();
    let mut details = Details::default();
    let metrics = simulate(
        data,
        fast_sma,
        slow_sma,
        slow,
        settings,
        &mut returns,
        Some(&mut details),
    );
    BacktestResult {
        fast_period: fast,
        slow_period: slow,
        metrics,
        trades: details
            .trades
            .iter()
            .map(|t| t.with_dates(data.dates()))
            .collect(),
        equity_curve: details.equity,
        execution_time_ms: 0.0,
    }
}
