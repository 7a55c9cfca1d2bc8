//! Parameter grids: every (fast, slow) pair of a validated plan, each distinct SMA period
//! computed once, pairs spread over a [`WorkerPool`].

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use crate::backtest::{backtest_with_smas, BacktestResult};
use crate::data::MarketData;
use crate::indicators::sma;
use crate::metrics::Metrics;
use crate::params::GridPlan;
use crate::pool::WorkerPool;
use crate::simulate::simulate;
use crate::timing::Stopwatch;

/// One pair's metrics (no trades, no equity curve).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GridRow {
    pub fast_period: usize,
    pub slow_period: usize,
    pub metrics: Metrics,
    /// Wall time of this pair's simulation and metrics.
    pub execution_time_ms: f64,
}

/// SMAs of one data set by period, kept between grids (or chunks of one grid) on the same bars,
/// so that each distinct period is computed once. Clear it (or drop it) when the data set or
/// the sweep is done: it holds one series of bars per period.
#[derive(Debug, Default)]
pub struct SmaCache {
    series: HashMap<usize, Arc<[f64]>>,
}

impl SmaCache {
    pub fn new() -> Self {
        Self::default()
    }

    /// How many periods it holds.
    pub fn len(&self) -> usize {
        self.series.len()
    }

    pub fn is_empty(&self) -> bool {
        self.series.is_empty()
    }

    pub fn clear(&mut self) {
        self.series.clear();
    }
}

/// The SMA of every distinct period in the plan.
struct SmaTable {
    index: BTreeMap<usize, usize>,
    series: Vec<Arc<[f64]>>,
}

impl SmaTable {
    /// The plan's SMAs: those `cache` lacks are computed (once each, on the pool) and added.
    fn new(data: &MarketData, plan: &GridPlan, pool: &WorkerPool, cache: &mut SmaCache) -> Self {
        let periods: BTreeSet<usize> = plan.pairs.iter().flat_map(|&(f, s)| [f, s]).collect();
        let missing: Vec<usize> = periods
            .iter()
            .copied()
            .filter(|p| !cache.series.contains_key(p))
            .collect();
        let computed = pool.map_with(missing.len(), || (), |i, _| sma(data.close(), missing[i]));
        for (p, series) in missing.into_iter().zip(computed) {
            cache.series.insert(p, series.into());
        }
        let mut index = BTreeMap::new();
        let mut series = Vec::with_capacity(periods.len());
        for (i, p) in periods.into_iter().enumerate() {
            index.insert(p, i);
            series.push(cache.series[&p].clone());
        }
        Self { index, series }
    }

    fn get(&self, period: usize) -> &[f64] {
        &self.series[self.index[&period]]
    }
}

/// Metrics for every pair of `plan`, in plan order. Memory: the SMA table plus one buffer
/// of returns per worker; nothing per pair but its metrics.
pub fn run_grid_metrics(data: &MarketData, plan: &GridPlan, pool: &WorkerPool) -> Vec<GridRow> {
    run_grid_metrics_cached(data, plan, pool, &mut SmaCache::new())
}

/// [`run_grid_metrics`] reusing (and filling) `cache`: for a grid run in several calls on the
/// same bars (chunks for progress reports, or a worker's share of a sweep).
pub fn run_grid_metrics_cached(
    data: &MarketData,
    plan: &GridPlan,
    pool: &WorkerPool,
    cache: &mut SmaCache,
) -> Vec<GridRow> {
    let table = SmaTable::new(data, plan, pool, cache);
    let settings = &plan.settings;
    pool.map_with(plan.pairs.len(), Vec::new, |i, returns: &mut Vec<f64>| {
        let clock = Stopwatch::start();
        let (fast, slow) = plan.pairs[i];
        let metrics = simulate(
            data,
            table.get(fast),
            table.get(slow),
            slow,
            settings,
            returns,
            None,
        );
        GridRow {
            fast_period: fast,
            slow_period: slow,
            metrics,
            execution_time_ms: clock.elapsed_ms(),
        }
    })
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
    let table = SmaTable::new(data, plan, pool, cache);
    pool.map_with(
        plan.pairs.len(),
        || (),
        |i, _| {
            let clock = Stopwatch::start();
            let (fast, slow) = plan.pairs[i];
            let mut result = backtest_with_smas(
                data,
                fast,
                slow,
                table.get(fast),
                table.get(slow),
                &plan.settings,
            );
            result.execution_time_ms = clock.elapsed_ms();
            result
        },
    )
}

/// A grid's metrics as columns, one row per pair (what a DataFrame is built from).
/// `None` ratios are NaN here.
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
    /// The names of the columns, in order.
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
