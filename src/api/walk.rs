//! The walk-forward request (a sweep's strategy, settings, params and constraint, and the
//! walk's options) and its result, as every door gives it.

use serde::Serialize;

use super::portfolio::{plan_portfolio, PortfolioSweepPlan, PortfolioTrade};
use super::{plan, serialize_pairs, SweepRows, Value};
use crate::data::MarketData;
use crate::error::Result;
use crate::execution::Trade;
use crate::metrics::Metrics;
use crate::pool::WorkerPool;
use crate::portfolio::Universe;
use crate::strategy::SeriesTable;
use crate::sweep::SweepPlan;
use crate::timing::Stopwatch;
use crate::walk::{walk_forward, walk_portfolio, WalkOptions, WalkRun, WindowRun};

/// A checked walk-forward: its sweep and its options (the windows are checked against the
/// bars when it runs).
#[derive(Debug, Clone)]
pub struct WalkPlan {
    pub sweep: SweepPlan,
    pub options: WalkOptions,
}

/// Checks a walk-forward request: the sweep as `plan` checks it, then the options.
pub fn plan_walk(
    strategy: &Value,
    settings: &Value,
    params: &Value,
    constraint: &Value,
    rows: Option<SweepRows>,
    options: &Value,
) -> Result<WalkPlan> {
    let sweep = plan(strategy, settings, params, constraint, rows)?;
    let options = WalkOptions::read(options)?;
    Ok(WalkPlan { sweep, options })
}

/// A checked walk-forward on a universe: its portfolio sweep and its options.
#[derive(Debug, Clone)]
pub struct PortfolioWalkPlan {
    pub sweep: PortfolioSweepPlan,
    pub options: WalkOptions,
}

/// Checks a walk-forward request on `universe`: the sweep as `plan_portfolio` checks it, then
/// the options.
pub fn plan_portfolio_walk(
    universe: &Universe,
    strategy: &Value,
    settings: &Value,
    params: &Value,
    constraint: &Value,
    rows: Option<SweepRows>,
    options: &Value,
) -> Result<PortfolioWalkPlan> {
    let sweep = plan_portfolio(universe, strategy, settings, params, constraint, rows)?;
    let options = WalkOptions::read(options)?;
    Ok(PortfolioWalkPlan { sweep, options })
}

/// One window of a walk-forward's result. Indices are bars of the data (0-based); a
/// window's `*_end_index` and `*_end` are its last bar.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WalkWindowOutput {
    pub window: usize,
    pub train_start_index: usize,
    pub train_end_index: usize,
    pub test_start_index: usize,
    pub test_end_index: usize,
    pub train_start: String,
    pub train_end: String,
    pub test_start: String,
    pub test_end: String,
    /// The combination chosen on the train bars.
    #[serde(serialize_with = "serialize_pairs")]
    pub params: Vec<(String, Value)>,
    pub in_sample: Metrics,
    pub out_of_sample: Metrics,
    /// The test run's initial capital (the equity the previous test ended with).
    pub start_equity: f64,
    pub end_equity: f64,
    /// The chosen combination's equity over the train bars.
    pub in_sample_equity: Vec<f64>,
}

/// A walk-forward's result: one row per window, the test runs' equity stitched into one
/// curve (`equity_index`: each value's bar) with its metrics and trades (a universe's: each
/// with its symbol, and the bars are union bars).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WalkForwardOutput<T = Trade> {
    pub windows: Vec<WalkWindowOutput>,
    pub metrics: Metrics,
    pub equity_curve: Vec<f64>,
    pub equity_index: Vec<usize>,
    pub trades: Vec<T>,
    /// The sweep's param names, and how many combinations each train window tried.
    pub names: Vec<String>,
    pub combinations: usize,
    pub train: usize,
    pub test: usize,
    pub step: usize,
    pub anchored: bool,
    pub maximize: &'static str,
    pub execution_time_ms: f64,
}

/// A walk-forward on a universe's result.
pub type PortfolioWalkOutput = WalkForwardOutput<PortfolioTrade>;

/// Runs a planned walk-forward on `pool`.
pub fn run_walk_forward(
    data: &MarketData,
    plan: &WalkPlan,
    pool: &WorkerPool,
    table: &mut SeriesTable,
) -> Result<WalkForwardOutput> {
    let clock = Stopwatch::start();
    let walk = walk_forward(data, &plan.sweep, &plan.options, pool, table)?;
    let dates = data.dates();
    let out = output(walk, &plan.sweep, &plan.options, dates, |t| {
        t.with_dates(dates)
    });
    Ok(WalkForwardOutput {
        execution_time_ms: clock.elapsed_ms(),
        ..out
    })
}

/// Runs a planned walk-forward on `universe` on `pool` (`tables`: one per asset).
pub fn run_portfolio_walk_forward(
    universe: &Universe,
    plan: &PortfolioWalkPlan,
    pool: &WorkerPool,
    tables: &mut Vec<SeriesTable>,
) -> Result<PortfolioWalkOutput> {
    let clock = Stopwatch::start();
    let sweep = &plan.sweep;
    let walk = walk_portfolio(
        universe,
        &sweep.plan,
        sweep.slots,
        &plan.options,
        pool,
        tables,
    )?;
    let (dates, assets) = (universe.dates(), universe.assets());
    let out = output(walk, &sweep.plan, &plan.options, dates, |(i, t)| {
        PortfolioTrade {
            symbol: assets[*i].symbol().to_string(),
            trade: t.with_dates(dates),
        }
    });
    Ok(WalkForwardOutput {
        execution_time_ms: clock.elapsed_ms(),
        ..out
    })
}

/// A walk's output on bars with `dates`, each trade written by `trade`.
fn output<R, T>(
    walk: WalkRun<R>,
    sweep: &SweepPlan,
    options: &WalkOptions,
    dates: &[String],
    trade: impl Fn(&R) -> T,
) -> WalkForwardOutput<T> {
    let mut equity_curve = Vec::new();
    let mut equity_index = Vec::new();
    let mut trades = Vec::new();
    let windows = walk
        .windows
        .into_iter()
        .enumerate()
        .map(|(k, r)| {
            let WindowRun {
                window,
                best,
                in_sample,
                in_sample_equity,
                out_of_sample,
                start_equity,
                equity,
                trades: window_trades,
            } = r;
            equity_index.extend(window.test.clone());
            trades.extend(window_trades.iter().map(&trade));
            let end_equity = *equity.last().expect("a test window has bars");
            equity_curve.extend(equity);
            let (train, test) = (window.train, window.test);
            WalkWindowOutput {
                window: k,
                train_start_index: train.start,
                train_end_index: train.end - 1,
                test_start_index: test.start,
                test_end_index: test.end - 1,
                train_start: dates[train.start].clone(),
                train_end: dates[train.end - 1].clone(),
                test_start: dates[test.start].clone(),
                test_end: dates[test.end - 1].clone(),
                params: sweep
                    .names
                    .iter()
                    .cloned()
                    .zip(sweep.combination(best))
                    .collect(),
                in_sample,
                out_of_sample,
                start_equity,
                end_equity,
                in_sample_equity,
            }
        })
        .collect();
    WalkForwardOutput {
        windows,
        metrics: walk.metrics,
        equity_curve,
        equity_index,
        trades,
        names: sweep.names.clone(),
        combinations: sweep.len(),
        train: options.train,
        test: options.test,
        step: options.step,
        anchored: options.anchored,
        maximize: options.maximize_name(),
        execution_time_ms: 0.0,
    }
}
