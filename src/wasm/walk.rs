//! Walk-forward optimisation (SPEC part 12) for JS: a sweep's request and the walk's options,
//! checked once (`new WasmWalk`; on a universe `new WasmPortfolioWalk`), then run on bars on
//! the engine's pool (rayon in the threaded build, this thread otherwise), as the Python door's
//! `walk_forward` / `portfolio_walk_forward`. The result leaves packed in typed arrays, in one
//! crossing; the JS layer (walk.js) builds its objects and dates.

use js_sys::{Float64Array, Int32Array, Object};
use wasm_bindgen::prelude::*;

use super::convert::{to_js, wire};
use super::portfolio::{set_trades, WasmUniverse};
use super::seed::WasmMarketData;
use super::strategy::{push_trades, read_sweep};
use super::{grid_pool, js_error, set};
use crate::api::{
    self, PortfolioTrade, PortfolioWalkOutput, PortfolioWalkPlan, Value, WalkForwardOutput,
    WalkPlan,
};
use crate::execution::Trade;
use crate::metrics::Metrics;
use crate::strategy::SeriesTable;

/// A checked walk-forward request (the sweep, then the options, as `api::plan_walk` checks
/// them); the bars are checked against the windows when it runs. A worker builds its own from
/// the same request.
#[wasm_bindgen(js_name = WasmWalk)]
pub struct WasmWalk {
    plan: WalkPlan,
}

#[wasm_bindgen(js_class = WasmWalk)]
impl WasmWalk {
    /// The sweep as `new WasmSweep` takes it (`names`/`rows`: the combinations a JS function
    /// kept), and `options` `{ train, test, step, anchored, maximize }` (snake_case metric).
    #[wasm_bindgen(constructor)]
    pub fn new(
        strategy: JsValue,
        settings: JsValue,
        params: JsValue,
        constraint: JsValue,
        names: Option<Vec<String>>,
        rows: JsValue,
        options: JsValue,
    ) -> Result<WasmWalk, JsValue> {
        let ([strategy, settings, params, constraint], rows) =
            read_sweep([&strategy, &settings, &params, &constraint], names, &rows)?;
        let options = wire(&options)?;
        api::plan_walk(&strategy, &settings, &params, &constraint, rows, &options)
            .map(|plan| WasmWalk { plan })
            .map_err(js_error)
    }

    /// The combinations each train window tries.
    #[wasm_bindgen(getter)]
    pub fn combinations(&self) -> usize {
        self.plan.sweep.len()
    }

    /// Refuses bars too few for the first window (as `run` would, without running), so that
    /// the main thread refuses them before a worker gets the request.
    pub fn check(&self, data: &WasmMarketData) -> Result<(), JsValue> {
        self.plan
            .options
            .windows(data.inner.len())
            .map(|_| ())
            .map_err(js_error)
    }

    /// The walk on `data` (indicators computed once, on all its bars, then dropped):
    /// [`walk_object`]'s output, or the refusal of bars too few for the first window.
    pub fn run(&self, data: &WasmMarketData) -> Result<Object, JsValue> {
        self.output(data)
            .map(|out| walk_object(out, set_strategy_trades))
    }

    /// The same as JSON text: the core's output serialized, as the native Python door's dict
    /// (the Pyodide bridge loads it with `json.loads`; an undefined metric is null).
    #[wasm_bindgen(js_name = runJson)]
    pub fn run_json(&self, data: &WasmMarketData) -> Result<String, JsValue> {
        let out = self.output(data)?;
        // A serialize of plain numbers, strings and maps cannot fail.
        Ok(serde_json::to_string(&out).unwrap_or_default())
    }
}

impl WasmWalk {
    fn output(&self, data: &WasmMarketData) -> Result<WalkForwardOutput, JsValue> {
        api::run_walk_forward(
            &data.inner,
            &self.plan,
            &grid_pool(),
            &mut SeriesTable::new(),
        )
        .map_err(js_error)
    }
}

/// A checked walk-forward request on a universe (the portfolio sweep, then the options, as
/// `api::plan_portfolio_walk` checks them); the union's bars are checked against the windows
/// when it runs, on the universe it was planned on. A worker builds its own from the same
/// request and the universe's bars.
#[wasm_bindgen(js_name = WasmPortfolioWalk)]
pub struct WasmPortfolioWalk {
    plan: PortfolioWalkPlan,
}

#[wasm_bindgen(js_class = WasmPortfolioWalk)]
impl WasmPortfolioWalk {
    /// As `WasmWalk`'s constructor, on `universe` (`settings` may hold `max_positions`; a
    /// strategy per symbol is refused), as `WasmPortfolioSweep`'s takes it.
    #[wasm_bindgen(constructor)]
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        universe: &WasmUniverse,
        strategy: JsValue,
        settings: JsValue,
        params: JsValue,
        constraint: JsValue,
        names: Option<Vec<String>>,
        rows: JsValue,
        options: JsValue,
    ) -> Result<WasmPortfolioWalk, JsValue> {
        let ([strategy, settings, params, constraint], rows) =
            read_sweep([&strategy, &settings, &params, &constraint], names, &rows)?;
        let options = wire(&options)?;
        api::plan_portfolio_walk(
            &universe.inner,
            &strategy,
            &settings,
            &params,
            &constraint,
            rows,
            &options,
        )
        .map(|plan| WasmPortfolioWalk { plan })
        .map_err(js_error)
    }

    /// The combinations each train window tries.
    #[wasm_bindgen(getter)]
    pub fn combinations(&self) -> usize {
        self.plan.sweep.len()
    }

    /// Refuses a union too short for the first window (as `run` would, without running).
    pub fn check(&self, universe: &WasmUniverse) -> Result<(), JsValue> {
        self.plan
            .options
            .windows(universe.inner.len())
            .map(|_| ())
            .map_err(js_error)
    }

    /// The walk on `universe` (each asset's indicators computed once, then dropped):
    /// [`walk_object`]'s output, its trades packed as a portfolio run's ([`set_trades`]:
    /// `symbol` indexes the universe), or the refusal of a union too short.
    pub fn run(&self, universe: &WasmUniverse) -> Result<Object, JsValue> {
        let out = self.output(universe)?;
        Ok(walk_object(out, |o, trades: &[PortfolioTrade]| {
            set_trades(o, &universe.inner, trades)
        }))
    }

    /// The same as JSON text: the core's output serialized, as the native Python door's
    /// `portfolio_walk_forward` dict (each trade with its `symbol`; an undefined metric null).
    #[wasm_bindgen(js_name = runJson)]
    pub fn run_json(&self, universe: &WasmUniverse) -> Result<String, JsValue> {
        let out = self.output(universe)?;
        // A serialize of plain numbers, strings and maps cannot fail.
        Ok(serde_json::to_string(&out).unwrap_or_default())
    }
}

impl WasmPortfolioWalk {
    fn output(&self, universe: &WasmUniverse) -> Result<PortfolioWalkOutput, JsValue> {
        api::run_portfolio_walk_forward(&universe.inner, &self.plan, &grid_pool(), &mut Vec::new())
            .map_err(js_error)
    }
}

/// One asset's trades packed on `o`: `trades` (the fields of `runStrategy`'s trades).
fn set_strategy_trades(o: &Object, trades: &[Trade]) {
    let mut numbers = Vec::new();
    push_trades(&mut numbers, trades);
    set(o, "trades", Float64Array::from(&numbers[..]));
}

/// The metrics in the metric table's order (NaN: undefined), appended to `out`.
fn push_metrics(out: &mut Vec<f64>, m: &Metrics) {
    out.extend(m.values().iter().map(|v| v.as_f64()));
}

/// A bar index for an `Int32Array` (wasm32 memory holds far fewer than 2^31 bars).
fn index(i: usize) -> i32 {
    i32::try_from(i).unwrap_or(i32::MAX)
}

/// A walk's output packed: per window (in order) `window_indices` (train start, train end,
/// test start, test end: first and last bars), `window_params` (objects name -> value),
/// `in_sample` / `out_of_sample` (every metric per window), `start_equity`, `end_equity`, and
/// `in_sample_equity` (the windows' train equity one after another: each window's train bars
/// long); then the stitched `metrics`, `equity_curve`, `equity_index`, the trades (packed on
/// the object by `pack_trades`: one asset's, or a universe's), `names`, `combinations`, `train`,
/// `test`, `step`, `anchored`, `maximize` (snake_case) and `execution_time_ms`.
fn walk_object<T>(out: WalkForwardOutput<T>, pack_trades: impl FnOnce(&Object, &[T])) -> Object {
    let n = out.windows.len();
    let mut indices = Vec::with_capacity(4 * n);
    let mut in_sample = Vec::new();
    let mut out_of_sample = Vec::new();
    let mut start_equity = Vec::with_capacity(n);
    let mut end_equity = Vec::with_capacity(n);
    let mut in_sample_equity = Vec::new();
    let mut params = Vec::with_capacity(n);
    for w in out.windows {
        indices.extend(
            [
                w.train_start_index,
                w.train_end_index,
                w.test_start_index,
                w.test_end_index,
            ]
            .map(index),
        );
        push_metrics(&mut in_sample, &w.in_sample);
        push_metrics(&mut out_of_sample, &w.out_of_sample);
        start_equity.push(w.start_equity);
        end_equity.push(w.end_equity);
        in_sample_equity.extend_from_slice(&w.in_sample_equity);
        params.push(Value::Map(w.params));
    }
    let mut metrics = Vec::new();
    push_metrics(&mut metrics, &out.metrics);
    let equity_index: Vec<i32> = out.equity_index.iter().copied().map(index).collect();

    let o = Object::new();
    set(&o, "window_indices", Int32Array::from(&indices[..]));
    set(&o, "window_params", to_js(&Value::List(params)));
    set(&o, "in_sample", Float64Array::from(&in_sample[..]));
    set(&o, "out_of_sample", Float64Array::from(&out_of_sample[..]));
    set(&o, "start_equity", Float64Array::from(&start_equity[..]));
    set(&o, "end_equity", Float64Array::from(&end_equity[..]));
    set(
        &o,
        "in_sample_equity",
        Float64Array::from(&in_sample_equity[..]),
    );
    set(&o, "metrics", Float64Array::from(&metrics[..]));
    set(
        &o,
        "equity_curve",
        Float64Array::from(&out.equity_curve[..]),
    );
    set(&o, "equity_index", Int32Array::from(&equity_index[..]));
    pack_trades(&o, &out.trades);
    set(&o, "names", to_js(&out.names));
    set(&o, "combinations", out.combinations);
    set(&o, "train", out.train);
    set(&o, "test", out.test);
    set(&o, "step", out.step);
    set(&o, "anchored", out.anchored);
    set(&o, "maximize", out.maximize);
    set(&o, "execution_time_ms", out.execution_time_ms);
    o
}
