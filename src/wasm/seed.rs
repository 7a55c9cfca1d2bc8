//! The seed API's exports (SMA crossover backtests and grids), as the JS layer has called them
//! since the first release: positional numbers in, camelCase objects or packed arrays out.

use js_sys::{Array, Float64Array, Object, Uint32Array};
use wasm_bindgen::prelude::*;

use std::cell::RefCell;

use super::{grid_pool, js_error, set, whole};
use crate::execution::Trade;
use crate::grid::{run_grid_cached, run_grid_metrics_cached, GridColumns, SmaCache};
use crate::params::{validate_grid, GridPlan, RawSettings};
use crate::strategy::SeriesTable;
use crate::{
    generate_sample_data, run_sma_backtest, BacktestError, BacktestResult, MarketData, Metrics,
};

fn optional(value: Option<f64>) -> JsValue {
    value.map_or(JsValue::NULL, JsValue::from_f64)
}

/// Validated bars owned by the wasm instance, with the SMAs grids on them have computed (kept
/// until `clearSmaCache()`, so a grid run in chunks computes each period once).
#[wasm_bindgen(js_name = WasmMarketData)]
pub struct WasmMarketData {
    pub(super) inner: MarketData,
    smas: RefCell<SmaCache>,
    /// The series strategy sweeps on these bars have computed (chunks share them).
    pub(super) series: RefCell<SeriesTable>,
}

#[wasm_bindgen(js_class = WasmMarketData)]
impl WasmMarketData {
    #[wasm_bindgen(constructor)]
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        symbol: String,
        dates: Vec<String>,
        open: Vec<f64>,
        high: Vec<f64>,
        low: Vec<f64>,
        close: Vec<f64>,
        volume: Vec<f64>,
    ) -> Result<WasmMarketData, JsValue> {
        MarketData::new(symbol, dates, open, high, low, close, volume)
            .map(WasmMarketData::from)
            .map_err(js_error)
    }

    /// The same bars from one text of `\n`-separated dates and the five columns end to end in
    /// one array (`open` first, `bars` values each): two crossings instead of one per date,
    /// for callers that hold plain lists (the Pyodide bridge). A date that holds a newline
    /// cannot come this way; such callers use the constructor.
    #[wasm_bindgen(js_name = fromPacked)]
    pub fn from_packed(
        symbol: String,
        dates: &str,
        columns: &[f64],
        bars: usize,
    ) -> Result<WasmMarketData, JsValue> {
        let dates: Vec<String> = if dates.is_empty() {
            Vec::new()
        } else {
            dates.split('\n').map(str::to_string).collect()
        };
        if columns.len() != 5 * bars {
            return Err(js_error(BacktestError::new(
                crate::ErrorKind::MarketData,
                format!(
                    "the five columns hold {} values for {bars} bars",
                    columns.len()
                ),
            )));
        }
        let column = |i: usize| columns[i * bars..(i + 1) * bars].to_vec();
        MarketData::new(
            symbol,
            dates,
            column(0),
            column(1),
            column(2),
            column(3),
            column(4),
        )
        .map(WasmMarketData::from)
        .map_err(js_error)
    }

    /// Forgets the series kept for grids and sweeps (call when a sweep on these bars is done).
    #[wasm_bindgen(js_name = clearSmaCache)]
    pub fn clear_sma_cache(&self) {
        self.smas.borrow_mut().clear();
        self.series.borrow_mut().clear();
    }

    #[wasm_bindgen(getter)]
    pub fn length(&self) -> usize {
        self.inner.len()
    }

    #[wasm_bindgen(getter)]
    pub fn symbol(&self) -> String {
        self.inner.symbol().to_string()
    }

    pub fn dates(&self) -> Vec<String> {
        self.inner.dates().to_vec()
    }

    pub fn open(&self) -> Float64Array {
        Float64Array::from(self.inner.open())
    }

    pub fn high(&self) -> Float64Array {
        Float64Array::from(self.inner.high())
    }

    pub fn low(&self) -> Float64Array {
        Float64Array::from(self.inner.low())
    }

    pub fn close(&self) -> Float64Array {
        Float64Array::from(self.inner.close())
    }

    pub fn volume(&self) -> Float64Array {
        Float64Array::from(self.inner.volume())
    }
}

impl From<MarketData> for WasmMarketData {
    fn from(inner: MarketData) -> Self {
        Self {
            inner,
            smas: RefCell::new(SmaCache::new()),
            series: RefCell::new(SeriesTable::new()),
        }
    }
}

fn metrics_into(target: &Object, m: &Metrics) {
    set(target, "totalReturn", m.total_return);
    set(target, "annualizedReturn", m.annualized_return);
    set(target, "volatility", m.volatility);
    set(target, "sharpeRatio", optional(m.sharpe_ratio));
    set(target, "sortinoRatio", optional(m.sortino_ratio));
    set(target, "maxDrawdown", m.max_drawdown);
    set(target, "tradeCount", m.trade_count as f64);
    set(target, "winRate", m.win_rate);
}

fn result_object(r: &BacktestResult) -> Object {
    let out = Object::new();
    set(&out, "fastPeriod", r.fast_period as f64);
    set(&out, "slowPeriod", r.slow_period as f64);
    metrics_into(&out, &r.metrics);
    set(&out, "executionTimeMs", r.execution_time_ms);
    let trades = Array::new();
    for t in &r.trades {
        let o = Object::new();
        set(&o, "entryIndex", t.entry_index as f64);
        set(&o, "exitIndex", t.exit_index as f64);
        set(&o, "entryDate", t.entry_date.as_str());
        set(&o, "exitDate", t.exit_date.as_str());
        set(&o, "entryPrice", t.entry_price);
        set(&o, "exitPrice", t.exit_price);
        set(&o, "size", t.size);
        set(&o, "pnl", t.pnl);
        set(&o, "returnPct", t.return_pct);
        set(&o, "barsHeld", t.bars_held as f64);
        trades.push(&o);
    }
    set(&out, "trades", trades);
    set(&out, "equityCurve", Float64Array::from(&r.equity_curve[..]));
    out
}

/// One backtest, validated and run (what both backtest exports share).
#[allow(clippy::too_many_arguments)]
fn run_one(
    data: &WasmMarketData,
    fast_period: f64,
    slow_period: f64,
    initial_capital: f64,
    commission_rate: f64,
    fill: &str,
    lot_size: f64,
    periods_per_year: f64,
) -> Result<BacktestResult, JsValue> {
    let settings = RawSettings::new(
        initial_capital,
        commission_rate,
        fill,
        lot_size,
        periods_per_year,
    );
    run_sma_backtest(
        &data.inner,
        whole(fast_period),
        whole(slow_period),
        &settings,
    )
    .map_err(js_error)
}

/// One backtest: a plain object with camelCase fields, `trades` and `equityCurve`.
#[wasm_bindgen(js_name = backtest)]
#[allow(clippy::too_many_arguments)]
pub fn backtest(
    data: &WasmMarketData,
    fast_period: f64,
    slow_period: f64,
    initial_capital: f64,
    commission_rate: f64,
    fill: &str,
    lot_size: f64,
    periods_per_year: f64,
) -> Result<Object, JsValue> {
    let r = run_one(
        data,
        fast_period,
        slow_period,
        initial_capital,
        commission_rate,
        fill,
        lot_size,
        periods_per_year,
    )?;
    Ok(result_object(&r))
}

/// Numbers per closed trade in [`backtest_packed`]'s first array.
const TRADE_STRIDE: usize = 8;

/// A trade's numbers as every packed output starts them (the strategy and portfolio outputs
/// add their own after): `entry_index, exit_index, entry_price, exit_price, size, pnl,
/// return_pct, bars_held`.
pub(super) fn trade_numbers(t: &Trade) -> [f64; TRADE_STRIDE] {
    [
        t.entry_index as f64,
        t.exit_index as f64,
        t.entry_price,
        t.exit_price,
        t.size,
        t.pnl,
        t.return_pct,
        t.bars_held as f64,
    ]
}

/// [`backtest`] packed into three values, so that JS builds the result objects itself (one call
/// across the boundary instead of one per field): `[numbers, dates, equityCurve]` where
/// `numbers` is a `Float64Array` of `fastPeriod, slowPeriod, totalReturn, annualizedReturn,
/// volatility, sharpeRatio, sortinoRatio (NaN: none), maxDrawdown, tradeCount, winRate,
/// executionTimeMs`, then per trade `entryIndex, exitIndex, entryPrice, exitPrice, size, pnl,
/// returnPct, barsHeld`; `dates` holds each trade's entry and exit dates.
#[wasm_bindgen(js_name = backtestPacked)]
#[allow(clippy::too_many_arguments)]
pub fn backtest_packed(
    data: &WasmMarketData,
    fast_period: f64,
    slow_period: f64,
    initial_capital: f64,
    commission_rate: f64,
    fill: &str,
    lot_size: f64,
    periods_per_year: f64,
) -> Result<Array, JsValue> {
    let r = run_one(
        data,
        fast_period,
        slow_period,
        initial_capital,
        commission_rate,
        fill,
        lot_size,
        periods_per_year,
    )?;
    let m = &r.metrics;
    let mut numbers = Vec::with_capacity(11 + TRADE_STRIDE * r.trades.len());
    numbers.extend([
        r.fast_period as f64,
        r.slow_period as f64,
        m.total_return,
        m.annualized_return,
        m.volatility,
        m.sharpe_ratio.unwrap_or(f64::NAN),
        m.sortino_ratio.unwrap_or(f64::NAN),
        m.max_drawdown,
        m.trade_count as f64,
        m.win_rate,
        r.execution_time_ms,
    ]);
    let dates = Array::new();
    for t in &r.trades {
        numbers.extend(trade_numbers(t));
        dates.push(&t.entry_date.as_str().into());
        dates.push(&t.exit_date.as_str().into());
    }
    Ok(Array::of3(
        &Float64Array::from(&numbers[..]),
        &dates,
        &Float64Array::from(&r.equity_curve[..]),
    ))
}

/// Validates a grid and returns its pairs in SPEC order: `{ fast: Uint32Array, slow: Uint32Array }`
/// (the JS worker pool splits them; every chunk then runs with [`run_pairs`]).
#[wasm_bindgen(js_name = planGrid)]
#[allow(clippy::too_many_arguments)]
pub fn plan_grid(
    bars: usize,
    fast_periods: Vec<f64>,
    slow_periods: Vec<f64>,
    initial_capital: f64,
    commission_rate: f64,
    fill: &str,
    lot_size: f64,
    periods_per_year: f64,
    max_workers: Option<f64>,
) -> Result<Object, JsValue> {
    let settings = RawSettings::new(
        initial_capital,
        commission_rate,
        fill,
        lot_size,
        periods_per_year,
    );
    let fast: Vec<i128> = fast_periods.into_iter().map(whole).collect();
    let slow: Vec<i128> = slow_periods.into_iter().map(whole).collect();
    let plan =
        validate_grid(bars, &fast, &slow, &settings, max_workers.map(whole)).map_err(js_error)?;
    let out = Object::new();
    let f: Vec<u32> = plan.pairs.iter().map(|p| p.0 as u32).collect();
    let s: Vec<u32> = plan.pairs.iter().map(|p| p.1 as u32).collect();
    set(&out, "fast", Uint32Array::from(&f[..]));
    set(&out, "slow", Uint32Array::from(&s[..]));
    Ok(out)
}

/// Runs the given (already planned) pairs: on this thread, or on the rayon pool in the threaded
/// build (the results are the same either way). With `details`: an array of result
/// objects; without: the metrics as columns (`Float64Array`s; NaN for undefined ratios).
#[wasm_bindgen(js_name = runPairs)]
#[allow(clippy::too_many_arguments)]
pub fn run_pairs(
    data: &WasmMarketData,
    fast: Vec<u32>,
    slow: Vec<u32>,
    initial_capital: f64,
    commission_rate: f64,
    fill: &str,
    lot_size: f64,
    periods_per_year: f64,
    details: bool,
) -> Result<JsValue, JsValue> {
    let settings = RawSettings::new(
        initial_capital,
        commission_rate,
        fill,
        lot_size,
        periods_per_year,
    )
    .validate()
    .map_err(js_error)?;
    let bars = data.inner.len();
    let mut pairs = Vec::with_capacity(fast.len());
    for (&f, &s) in fast.iter().zip(&slow) {
        let (f, s) = (f as usize, s as usize);
        if f < 1 || f >= s || s > bars {
            return Err(js_error(BacktestError::FastNotBelowSlow {
                fast: f as i128,
                slow: s as i128,
            }));
        }
        pairs.push((f, s));
    }
    let plan = GridPlan {
        pairs,
        settings,
        max_workers: Some(1),
    };
    let pool = grid_pool();
    let mut smas = data.smas.borrow_mut();
    if details {
        let results = Array::new();
        for r in run_grid_cached(&data.inner, &plan, &pool, &mut smas) {
            results.push(&result_object(&r));
        }
        return Ok(results.into());
    }
    let c = GridColumns::from_rows(&run_grid_metrics_cached(
        &data.inner,
        &plan,
        &pool,
        &mut smas,
    ));
    let out = Object::new();
    let ints = |v: &[i64]| Float64Array::from(&v.iter().map(|&x| x as f64).collect::<Vec<_>>()[..]);
    set(&out, "fastPeriod", ints(&c.fast_period));
    set(&out, "slowPeriod", ints(&c.slow_period));
    set(&out, "totalReturn", Float64Array::from(&c.total_return[..]));
    set(
        &out,
        "annualizedReturn",
        Float64Array::from(&c.annualized_return[..]),
    );
    set(&out, "volatility", Float64Array::from(&c.volatility[..]));
    set(&out, "sharpeRatio", Float64Array::from(&c.sharpe_ratio[..]));
    set(
        &out,
        "sortinoRatio",
        Float64Array::from(&c.sortino_ratio[..]),
    );
    set(&out, "maxDrawdown", Float64Array::from(&c.max_drawdown[..]));
    set(&out, "tradeCount", ints(&c.trade_count));
    set(&out, "winRate", Float64Array::from(&c.win_rate[..]));
    Ok(out.into())
}

/// Deterministic sample bars (bit-identical to the native and Python engines' for a seed).
#[wasm_bindgen(js_name = sampleData)]
pub fn sample_data(
    symbol: &str,
    days: f64,
    start_price: f64,
    seed: u64,
) -> Result<WasmMarketData, JsValue> {
    generate_sample_data(symbol, whole(days), start_price, seed)
        .map(WasmMarketData::from)
        .map_err(js_error)
}

/// The crate version.
#[wasm_bindgen(js_name = version)]
pub fn version() -> String {
    crate::VERSION.to_string()
}
