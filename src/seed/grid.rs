//! The seed's parameter grids: every (fast, slow) pair of a validated plan as a sweep of
//! `sma_cross`, each distinct SMA computed once.

use crate::api::output;
use crate::data::MarketData;
use crate::metrics::Metrics;
use crate::pool::WorkerPool;
use crate::seed::backtest::BacktestResult;
use crate::seed::params::GridPlan;
use std::sync::LazyLock;

use crate::api::Value;
use crate::strategy::presets::sma_cross_params;
use crate::strategy::signals::Sweep;
use crate::strategy::SeriesTable;
use crate::strategy::Strategy;
use crate::sweep::{run_details, run_metrics};
use crate::timing::Stopwatch;

/// One pair's metrics (no trades, no equity curve).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GridRow {
    pub fast_period: usize,
    pub slow_period: usize,
    pub metrics: Metrics,
    /// The grid's wall time shared out over its pairs.
    pub execution_time_ms: f64,
}

/// Indicator series of one data set, kept between grids (or chunks of one grid) on the same
/// bars, so that each distinct period is computed once. Clear it (or drop it) when the data
/// set is done: it holds one series of bars per indicator.
pub type SmaCache = SeriesTable;

/// `sma_cross` with placeholders `fast` and `slow`: a grid is its sweep over the pairs.
pub(crate) static SMA_CROSS: LazyLock<Strategy> = LazyLock::new(sma_cross_params);
pub(crate) static PAIR_NAMES: LazyLock<[String; 2]> =
    LazyLock::new(|| ["fast".into(), "slow".into()]);

/// The values of pair `i`, as a sweep gives them.
pub(crate) fn pair_values(pairs: &[(usize, usize)], i: usize) -> Vec<Value> {
    let (fast, slow) = pairs[i];
    vec![Value::Int(fast as i128), Value::Int(slow as i128)]
}

/// Metrics for every pair of `plan`, in plan order.
pub fn run_grid_metrics(data: &MarketData, plan: &GridPlan, pool: &WorkerPool) -> Vec<GridRow> {
    run_grid_metrics_cached(data, plan, pool, &mut SmaCache::new())
}

/// [`run_grid_metrics`] reusing (and filling) `cache`.
pub fn run_grid_metrics_cached(
    data: &MarketData,
    plan: &GridPlan,
    pool: &WorkerPool,
    cache: &mut SmaCache,
) -> Vec<GridRow> {
    let clock = Stopwatch::start();
    let pairs = &plan.pairs;
    let values_at = |i| pair_values(pairs, i);
    let sweep = Sweep {
        strategy: &SMA_CROSS,
        names: &*PAIR_NAMES,
        count: pairs.len(),
        values_at: &values_at,
    };
    let metrics = run_metrics(data, &sweep, &plan.settings.exec(), pool, cache);
    let each = clock.elapsed_ms() / pairs.len().max(1) as f64;
    pairs
        .iter()
        .zip(metrics)
        .map(|(&(fast_period, slow_period), metrics)| GridRow {
            fast_period,
            slow_period,
            metrics,
            execution_time_ms: each,
        })
        .collect()
}

/// Full results (trades and equity curves) for every pair of `plan`, in plan order.
/// Memory grows with bars x pairs: use [`run_grid_metrics`] for large sweeps.
pub fn run_grid(data: &MarketData, plan: &GridPlan, pool: &WorkerPool) -> Vec<BacktestResult> {
    run_grid_cached(data, plan, pool, &mut SmaCache::new())
}

/// [`run_grid`] reusing (and filling) `cache`.
pub fn run_grid_cached(
    data: &MarketData,
    plan: &GridPlan,
    pool: &WorkerPool,
    cache: &mut SmaCache,
) -> Vec<BacktestResult> {
    let clock = Stopwatch::start();
    let pairs = &plan.pairs;
    let values_at = |i| pair_values(pairs, i);
    let sweep = Sweep {
        strategy: &SMA_CROSS,
        names: &*PAIR_NAMES,
        count: pairs.len(),
        values_at: &values_at,
    };
    let runs = run_details(data, &sweep, &plan.settings.exec(), pool, cache);
    let each = clock.elapsed_ms() / pairs.len().max(1) as f64;
    pairs
        .iter()
        .zip(runs)
        .map(|(&(fast_period, slow_period), (metrics, details))| {
            let out = output(data, metrics, details);
            BacktestResult {
                fast_period,
                slow_period,
                metrics: out.metrics,
                trades: out.trades,
                equity_curve: out.equity_curve,
                execution_time_ms: each,
            }
        })
        .collect()
}

/// A grid's metrics as columns, one row per pair (what a DataFrame is built from).
/// `None` values are NaN here.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GridColumns {
    pub fast_period: Vec<i64>,
    pub slow_period: Vec<i64>,
    pub total_return: Vec<f64>,
    pub annualized_return: Vec<f64>,
    pub volatility: Vec<f64>,
    pub sharpe_ratio: Vec<f64>,
    pub sortino_ratio: Vec<f64>,
    pub max_drawdown: Vec<f64>,
    pub trade_count: Vec<i64>,
    pub win_rate: Vec<f64>,
}

impl GridColumns {
    /// The names of the columns, in order (the seed's eight metrics).
    pub const NAMES: [&'static str; 10] = [
        "fast_period",
        "slow_period",
        "total_return",
        "annualized_return",
        "volatility",
        "sharpe_ratio",
        "sortino_ratio",
        "max_drawdown",
        "trade_count",
        "win_rate",
    ];

    pub fn from_rows(rows: &[GridRow]) -> Self {
        let mut c = Self::default();
        for r in rows {
            let m = &r.metrics;
            c.fast_period.push(r.fast_period as i64);
            c.slow_period.push(r.slow_period as i64);
            c.total_return.push(m.total_return);
            c.annualized_return.push(m.annualized_return);
            c.volatility.push(m.volatility);
            c.sharpe_ratio.push(m.sharpe_ratio.unwrap_or(f64::NAN));
            c.sortino_ratio.push(m.sortino_ratio.unwrap_or(f64::NAN));
            c.max_drawdown.push(m.max_drawdown);
            c.trade_count.push(m.trade_count as i64);
            c.win_rate.push(m.win_rate);
        }
        c
    }

    pub fn len(&self) -> usize {
        self.fast_period.len()
    }

    pub fn is_empty(&self) -> bool {
        self.fast_period.is_empty()
    }
}
