//! Portfolios (SPEC part 10) for JS: a universe of `WasmMarketData`, the sample universe, and
//! one portfolio run whose output crosses packed (typed arrays; the JS layer builds the
//! objects and names them in camelCase).

use std::cell::RefCell;

use js_sys::{Array, Float64Array, Object};
use wasm_bindgen::prelude::*;

use super::convert::{to_js, wire};
use super::seed::{trade_numbers, WasmMarketData};
use super::strategy::{read_sweep, sweep_columns};
use super::{grid_pool, js_error, set, whole};
use crate::api::{self, PortfolioOutput, PortfolioSweepPlan, PortfolioTrade, Value};
use crate::portfolio::sample::{generate_sample_universe, sample_symbols};
use crate::portfolio::Universe;
use crate::strategy::SeriesTable;
use crate::MarketData;

/// Assets collected one handle at a time (a handle passed by reference stays the caller's;
/// its bars are copied), then made a universe by [`WasmUniverse::new`].
#[wasm_bindgen(js_name = WasmAssets)]
#[derive(Default)]
pub struct WasmAssets {
    assets: Vec<MarketData>,
}

#[wasm_bindgen(js_class = WasmAssets)]
impl WasmAssets {
    #[wasm_bindgen(constructor)]
    pub fn new() -> WasmAssets {
        WasmAssets::default()
    }

    pub fn push(&mut self, data: &WasmMarketData) {
        self.assets.push(data.inner.clone());
    }
}

/// Assets with distinct symbols on the union of their instants.
#[wasm_bindgen(js_name = WasmUniverse)]
pub struct WasmUniverse {
    pub(super) inner: Universe,
    /// Per asset, the series portfolio sweeps on this universe have computed (the chunks of a
    /// sweep share them, as `WasmMarketData`'s do for one asset) until `clearCache()`.
    tables: RefCell<Vec<SeriesTable>>,
}

#[wasm_bindgen(js_class = WasmUniverse)]
impl WasmUniverse {
    /// Takes the collected assets (refused: none, or a symbol twice).
    #[wasm_bindgen(constructor)]
    pub fn new(assets: WasmAssets) -> Result<WasmUniverse, JsValue> {
        Universe::new(assets.assets)
            .map(|inner| WasmUniverse {
                inner,
                tables: RefCell::new(Vec::new()),
            })
            .map_err(js_error)
    }

    /// Number of union bars.
    #[wasm_bindgen(getter)]
    pub fn length(&self) -> usize {
        self.inner.len()
    }

    /// The union's dates.
    pub fn dates(&self) -> Vec<String> {
        self.inner.dates().to_vec()
    }

    /// Forgets the series kept for portfolio sweeps (call when a sweep on it is done).
    #[wasm_bindgen(js_name = clearCache)]
    pub fn clear_cache(&self) {
        self.tables.borrow_mut().clear();
    }
}

/// `count` sample symbols: `S01`, `S02`, ... (the JS layer has refused a fractional count).
#[wasm_bindgen(js_name = sampleSymbols)]
pub fn sample_symbols_js(count: f64) -> Result<Vec<String>, JsValue> {
    sample_symbols(whole(count)).map_err(js_error)
}

/// The sample universe's assets, as `WasmMarketData` handles in universe order (bit-identical
/// to the native and Python engines' for a seed).
#[wasm_bindgen(js_name = sampleUniverse)]
pub fn sample_universe(symbols: Vec<String>, days: f64, seed: u64) -> Result<Array, JsValue> {
    let universe = generate_sample_universe(&symbols, whole(days), seed).map_err(js_error)?;
    Ok(universe
        .assets()
        .iter()
        .map(|a| JsValue::from(WasmMarketData::from(a.clone())))
        .collect())
}

/// The numbers of a trade in [`set_trades`]'s `trades`, in this order (the output names
/// them in `trade_fields`): `symbol` indexes the universe, `direction` and `exit_reason` the
/// output's `labels`.
const TRADE_FIELDS: [&str; 11] = [
    "symbol",
    "entry_index",
    "exit_index",
    "entry_price",
    "exit_price",
    "size",
    "pnl",
    "return_pct",
    "bars_held",
    "direction",
    "exit_reason",
];
/// The numbers of an asset's summary row in `assets` (its symbol: the universe's, in order).
const ASSET_FIELDS: [&str; 4] = ["trade_count", "pnl", "win_rate", "exposure"];

/// The index of `name` in `labels`, added when new.
fn label(labels: &mut Vec<&'static str>, name: &'static str) -> f64 {
    let i = labels.iter().position(|l| *l == name).unwrap_or_else(|| {
        labels.push(name);
        labels.len() - 1
    });
    i as f64
}

/// A portfolio's trades packed on `o`: `trade_fields` ([`TRADE_FIELDS`]), `trades` (those
/// numbers per trade) and `labels` (what `direction` and `exit_reason` index); `symbol` is the
/// trade's asset's index in `universe`. A portfolio run's output and a walk-forward's on a
/// universe carry their trades so.
pub(super) fn set_trades(o: &Object, universe: &Universe, trades: &[PortfolioTrade]) {
    let mut labels = Vec::new();
    let mut numbers = Vec::with_capacity(TRADE_FIELDS.len() * trades.len());
    for pt in trades {
        let t = &pt.trade;
        let asset = universe.position(&pt.symbol).unwrap_or(0);
        numbers.push(asset as f64);
        numbers.extend(trade_numbers(t));
        numbers.extend([
            label(&mut labels, t.direction.as_str()),
            label(&mut labels, t.exit_reason.as_str()),
        ]);
    }
    set(o, "trade_fields", to_js(&TRADE_FIELDS));
    set(o, "trades", Float64Array::from(&numbers[..]));
    set(o, "labels", to_js(&labels));
}

/// A portfolio run's output packed so that one crossing carries each part: `metrics` in the
/// metric table's order (NaN: undefined), the trades ([`set_trades`]), `equity_curve`, `cash`,
/// `position_values` (each asset's column end to end, in universe order), `assets`
/// ([`ASSET_FIELDS`] per asset), `params`, `execution_time_ms`. The union's dates are the
/// universe's own (the JS layer holds them).
fn output_object(universe: &Universe, out: PortfolioOutput) -> Object {
    let o = Object::new();
    let metrics: Vec<f64> = out.metrics.values().iter().map(|v| v.as_f64()).collect();
    let bars = out.equity_curve.len();
    let mut positions = Vec::with_capacity(bars * out.position_values.len());
    for (_, column) in &out.position_values {
        positions.extend_from_slice(column);
    }
    let assets: Vec<f64> = out
        .assets
        .iter()
        .flat_map(|a| [a.trade_count as f64, a.pnl, a.win_rate, a.exposure])
        .collect();
    set(&o, "metrics", Float64Array::from(&metrics[..]));
    set_trades(&o, universe, &out.trades);
    set(
        &o,
        "equity_curve",
        Float64Array::from(&out.equity_curve[..]),
    );
    set(&o, "cash", Float64Array::from(&out.cash[..]));
    set(&o, "position_values", Float64Array::from(&positions[..]));
    set(&o, "asset_fields", to_js(&ASSET_FIELDS));
    set(&o, "assets", Float64Array::from(&assets[..]));
    set(&o, "params", to_js(&Value::Map(out.params)));
    set(&o, "execution_time_ms", out.execution_time_ms);
    o
}

/// One portfolio run: `strategy` one tree or an object symbol -> tree naming every symbol;
/// `settings` the single-asset settings (snake_case) plus `max_positions`.
#[wasm_bindgen(js_name = runPortfolio)]
pub fn run_portfolio(
    universe: &WasmUniverse,
    strategy: JsValue,
    settings: JsValue,
    params: JsValue,
) -> Result<Object, JsValue> {
    let (strategy, settings, params) = (wire(&strategy)?, wire(&settings)?, wire(&params)?);
    api::run_portfolio(&universe.inner, &strategy, &settings, &params)
        .map(|out| output_object(&universe.inner, out))
        .map_err(js_error)
}

/// A planned portfolio sweep: one strategy for every asset, its combinations checked before any
/// run. Each worker of a pool makes its own from the same request and runs its chunks of rows;
/// chunks in order are the whole sweep, bit for bit.
#[wasm_bindgen(js_name = WasmPortfolioSweep)]
pub struct WasmPortfolioSweep {
    plan: PortfolioSweepPlan,
}

#[wasm_bindgen(js_class = WasmPortfolioSweep)]
impl WasmPortfolioSweep {
    /// As `WasmSweep`'s constructor, on `universe` (`settings` may hold `max_positions`; a
    /// strategy per symbol is refused).
    #[wasm_bindgen(constructor)]
    pub fn new(
        universe: &WasmUniverse,
        strategy: JsValue,
        settings: JsValue,
        params: JsValue,
        constraint: JsValue,
        names: Option<Vec<String>>,
        rows: JsValue,
    ) -> Result<WasmPortfolioSweep, JsValue> {
        let ([strategy, settings, params, constraint], rows) =
            read_sweep([&strategy, &settings, &params, &constraint], names, &rows)?;
        api::plan_portfolio(
            &universe.inner,
            &strategy,
            &settings,
            &params,
            &constraint,
            rows,
        )
        .map(|plan| WasmPortfolioSweep { plan })
        .map_err(js_error)
    }

    #[wasm_bindgen(getter)]
    pub fn count(&self) -> usize {
        self.plan.len()
    }

    #[wasm_bindgen(getter)]
    pub fn names(&self) -> Vec<String> {
        self.plan.plan.names.clone()
    }

    /// Rows `[start, end)` on `universe` (the one planned on) as `WasmSweep.run`'s columns:
    /// each param, then every metric of the portfolio. Each asset's indicators are computed
    /// once and kept on the universe until its `clearCache()`.
    pub fn run(&self, universe: &WasmUniverse, start: usize, end: usize) -> Object {
        let mut tables = universe.tables.borrow_mut();
        let out = api::run_portfolio_sweep_range(
            &universe.inner,
            &self.plan,
            start..end,
            &grid_pool(),
            &mut tables,
        );
        sweep_columns(&out)
    }
}
