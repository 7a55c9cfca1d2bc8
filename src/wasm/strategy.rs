//! Strategy trees, signals, sweeps and indicators on the wire schema: the calls the Python door
//! makes, for JS. Requests arrive as JS values (converted by [`wire`]); results leave as plain
//! objects with the core's snake_case names (the JS layer gives them camelCase) and typed arrays.

use js_sys::{Array, Float64Array, Int32Array, Object};
use serde::Serialize;
use wasm_bindgen::prelude::*;

use super::convert::{column, to_js, wire};
use super::seed::{trade_numbers, WasmMarketData};
use super::{grid_pool, js_error, set};
use crate::api::{
    self, BacktestOutput, PreparedBacktest, RawSignals, SweepOutput, SweepRows, Value,
};
use crate::execution::{ExitReason, Side};
use crate::metrics::{MetricKind, METRICS};
use crate::strategy::{IndicatorKind, IndicatorState, PriceField};
use crate::sweep::SweepPlan;
use crate::{BacktestError, ErrorKind};

/// The numbers of a trade in [`output_object`]'s `trades`, in this order (dates are the bars'
/// own, which the JS layer holds; `direction` and `exit_reason` index [`SIDES`] and
/// [`EXIT_REASONS`]).
const TRADE_FIELDS: [&str; 10] = [
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
const SIDES: [Side; 2] = [Side::Long, Side::Short];
const EXIT_REASONS: [ExitReason; 5] = [
    ExitReason::Signal,
    ExitReason::StopLoss,
    ExitReason::TakeProfit,
    ExitReason::TrailingStop,
    ExitReason::Reverse,
];

/// A run's output packed so that one crossing carries it (objects are built in JS, where that
/// is cheap): `metrics` in the metric table's order (NaN: undefined), `trades` [`TRADE_FIELDS`]
/// per trade, `equity_curve`, `params` and `execution_time_ms`.
pub(super) fn output_object(out: BacktestOutput) -> Object {
    let o = Object::new();
    let metrics: Vec<f64> = out.metrics.values().iter().map(|v| v.as_f64()).collect();
    let mut trades = Vec::with_capacity(TRADE_FIELDS.len() * out.trades.len());
    push_trades(&mut trades, &out.trades);
    set(&o, "metrics", Float64Array::from(&metrics[..]));
    set(&o, "trades", Float64Array::from(&trades[..]));
    set(
        &o,
        "equity_curve",
        Float64Array::from(&out.equity_curve[..]),
    );
    set(&o, "params", to_js(&Value::Map(out.params)));
    set(&o, "execution_time_ms", out.execution_time_ms);
    o
}

/// The numbers of a trade (in [`TRADE_FIELDS`] order) appended to `out`.
pub(super) fn push_trades(out: &mut Vec<f64>, trades: &[crate::execution::Trade]) {
    for t in trades {
        let side = SIDES.iter().position(|s| *s == t.direction).unwrap_or(0);
        let reason = EXIT_REASONS
            .iter()
            .position(|r| *r == t.exit_reason)
            .unwrap_or(0);
        out.extend(trade_numbers(t));
        out.extend([side as f64, reason as f64]);
    }
}

/// A run's output in one array, for callers that pay per crossing and per object (the
/// Pyodide bridge): `[ms, metric count, fields per trade, trade count, metrics..., trades...,
/// equity...]` (metrics NaN where undefined; the params are the caller's own).
fn packed_output(out: &BacktestOutput) -> Float64Array {
    let metrics = out.metrics.values();
    let mut packed = Vec::with_capacity(
        4 + metrics.len() + TRADE_FIELDS.len() * out.trades.len() + out.equity_curve.len(),
    );
    packed.extend([
        out.execution_time_ms,
        metrics.len() as f64,
        TRADE_FIELDS.len() as f64,
        out.trades.len() as f64,
    ]);
    packed.extend(metrics.iter().map(|v| v.as_f64()));
    push_trades(&mut packed, &out.trades);
    packed.extend_from_slice(&out.equity_curve);
    Float64Array::from(&packed[..])
}

/// One backtest of a strategy tree: `{ metrics, trades, equity_curve, params,
/// execution_time_ms }`.
#[wasm_bindgen(js_name = runStrategy)]
pub fn run_strategy(
    data: &WasmMarketData,
    strategy: JsValue,
    settings: JsValue,
    params: JsValue,
) -> Result<Object, JsValue> {
    Ok(WasmBacktest::new(strategy, settings, params)?.run(data))
}

/// A backtest request read and checked once, to run on any bars (reading a tree from JS costs
/// more than a 1,000-bar run: the JS layer keeps these for the strategies it sees again).
#[wasm_bindgen(js_name = WasmBacktest)]
pub struct WasmBacktest {
    prepared: PreparedBacktest,
}

#[wasm_bindgen(js_class = WasmBacktest)]
impl WasmBacktest {
    #[wasm_bindgen(constructor)]
    pub fn new(
        strategy: JsValue,
        settings: JsValue,
        params: JsValue,
    ) -> Result<WasmBacktest, JsValue> {
        let (strategy, settings, params) = (wire(&strategy)?, wire(&settings)?, wire(&params)?);
        PreparedBacktest::new(&strategy, &settings, &params)
            .map(|prepared| WasmBacktest { prepared })
            .map_err(js_error)
    }

    /// The run on `data`: [`run_strategy`]'s output.
    pub fn run(&self, data: &WasmMarketData) -> Object {
        output_object(self.prepared.run(&data.inner))
    }

    /// The run on `data` packed in one array (see [`packed_output`]).
    #[wasm_bindgen(js_name = runPacked)]
    pub fn run_packed(&self, data: &WasmMarketData) -> Float64Array {
        packed_output(&self.prepared.run(&data.inner))
    }
}

/// Checks a strategy tree and settings as a run would (the builder's `fromJSON` and settings),
/// without running anything.
#[wasm_bindgen(js_name = checkStrategy)]
pub fn check_strategy(strategy: JsValue, settings: JsValue) -> Result<(), JsValue> {
    let (strategy, settings) = (wire(&strategy)?, wire(&settings)?);
    api::prepare(&strategy, &settings)
        .map(|_| ())
        .map_err(js_error)
}

/// A run of signals computed elsewhere (each a `Uint8Array` of 0/1, or undefined: never).
#[wasm_bindgen(js_name = runSignals)]
pub fn run_signals(
    data: &WasmMarketData,
    entries: Option<Vec<u8>>,
    exits: Option<Vec<u8>>,
    short_entries: Option<Vec<u8>>,
    short_exits: Option<Vec<u8>>,
    settings: JsValue,
) -> Result<Object, JsValue> {
    let bools = |v: Option<Vec<u8>>| v.map(|v| v.into_iter().map(|b| b != 0).collect());
    let signals = RawSignals {
        entries: bools(entries),
        exits: bools(exits),
        short_entries: bools(short_entries),
        short_exits: bools(short_exits),
    };
    let settings = wire(&settings)?;
    api::run_signals(&data.inner, &signals, &settings)
        .map(output_object)
        .map_err(js_error)
}

/// A planned sweep: every value checked before any run. Each worker of a pool makes its own
/// from the same request and runs its chunk of rows; chunks in order are the whole sweep.
#[wasm_bindgen(js_name = WasmSweep)]
pub struct WasmSweep {
    plan: SweepPlan,
}

#[wasm_bindgen(js_class = WasmSweep)]
impl WasmSweep {
    /// `params`: name -> list of values (their product, less what `constraint` refuses), or
    /// explicit `rows` (lists of values in `names` order) when the JS layer filtered them.
    #[wasm_bindgen(constructor)]
    pub fn new(
        strategy: JsValue,
        settings: JsValue,
        params: JsValue,
        constraint: JsValue,
        names: Option<Vec<String>>,
        rows: JsValue,
    ) -> Result<WasmSweep, JsValue> {
        let ([strategy, settings, params, constraint], rows) =
            read_sweep([&strategy, &settings, &params, &constraint], names, &rows)?;
        api::plan(&strategy, &settings, &params, &constraint, rows)
            .map(|plan| WasmSweep { plan })
            .map_err(js_error)
    }

    #[wasm_bindgen(getter)]
    pub fn count(&self) -> usize {
        self.plan.len()
    }

    #[wasm_bindgen(getter)]
    pub fn names(&self) -> Vec<String> {
        self.plan.names.clone()
    }

    /// Rows `[start, end)` as columns: each param, then every metric (`Int32Array` for
    /// integers, `Float64Array` with NaN for an undefined ratio). Indicators are computed once
    /// per bars and kept on them until `clearSmaCache()`.
    pub fn run(&self, data: &WasmMarketData, start: usize, end: usize) -> Object {
        let mut table = data.series.borrow_mut();
        let out = api::run_sweep_range(
            &data.inner,
            &self.plan,
            start..end,
            &grid_pool(),
            &mut table,
        );
        sweep_columns(&out)
    }
}

/// A sweep's rows as columns (strategy and portfolio sweeps alike): each param, then every
/// metric (`Int32Array` for integers, `Float64Array` with NaN for an undefined ratio).
pub(super) fn sweep_columns(out: &SweepOutput) -> Object {
    let columns = Object::new();
    for (name, values) in out.names.iter().zip(&out.params) {
        column(&columns, name, values);
    }
    for (i, def) in METRICS.iter().enumerate() {
        let values = out.metrics.iter().map(|m| m.values()[i].as_f64());
        if def.kind == MetricKind::Int {
            let ints: Vec<i32> = values.map(|v| v as i32).collect();
            set(&columns, def.name, Int32Array::from(&ints[..]));
        } else {
            let floats: Vec<f64> = values.collect();
            set(&columns, def.name, Float64Array::from(&floats[..]));
        }
    }
    columns
}

/// A sweep's explicit rows (lists of values in `names` order) when the JS layer sent both,
/// else none (the params' product is planned).
/// A sweep request's values (strategy, settings, params, constraint) and its explicit rows,
/// read from JS (the first refusal in that order).
pub(super) fn read_sweep(
    values: [&JsValue; 4],
    names: Option<Vec<String>>,
    rows: &JsValue,
) -> Result<([Value; 4], Option<SweepRows>), JsValue> {
    let [strategy, settings, params, constraint] = values.map(wire);
    let values = [strategy?, settings?, params?, constraint?];
    Ok((values, explicit_rows(names, rows)?))
}

fn explicit_rows(names: Option<Vec<String>>, rows: &JsValue) -> Result<Option<SweepRows>, JsValue> {
    Ok(match (names, wire(rows)?) {
        (Some(names), Value::List(rows)) => {
            Some((names, rows.into_iter().map(row).collect::<Result<_, _>>()?))
        }
        _ => None,
    })
}

/// One explicit row of a sweep (a list of values in `names` order).
fn row(v: Value) -> Result<Vec<Value>, JsValue> {
    match v {
        Value::List(values) => Ok(values),
        other => Err(js_error(BacktestError::new(
            ErrorKind::Grid,
            format!("rows must be lists of values, got {}", other.describe()),
        ))),
    }
}

fn indicator_kind(name: &str) -> Result<IndicatorKind, JsValue> {
    IndicatorKind::from_name(name).ok_or_else(|| {
        js_error(BacktestError::new(
            ErrorKind::Parameter,
            format!(
                "unknown indicator '{name}'; did you mean '{}'?",
                crate::strategy::names::nearest(name, IndicatorKind::ALL.map(IndicatorKind::name))
            ),
        ))
    })
}

/// The catalog's params of `kind` from `{ name: value }` (defaults filled; the JS layer has
/// checked each value with the Python package's messages).
fn indicator_params(kind: IndicatorKind, params: &JsValue) -> Result<Vec<f64>, JsValue> {
    kind.param_values(&wire(params)?).map_err(|name| {
        js_error(BacktestError::new(
            ErrorKind::Parameter,
            format!("{name} is required"),
        ))
    })
}

/// Every output of one indicator (`name` as in a strategy tree) over `source` (`atr`: over
/// `high`, `low`, `close`), each a `Float64Array`.
#[wasm_bindgen(js_name = indicator)]
pub fn indicator(
    name: &str,
    params: JsValue,
    source: &[f64],
    high: &[f64],
    low: &[f64],
    close: &[f64],
) -> Result<Array, JsValue> {
    let kind = indicator_kind(name)?;
    let values = indicator_params(kind, &params)?;
    let outputs = kind.compute(&values, source, high, low, close);
    Ok(outputs
        .iter()
        .map(|o| JsValue::from(Float64Array::from(&o[..])))
        .collect())
}

/// An indicator fed one value at a time: after k updates, exactly the batch output's first k
/// values.
#[wasm_bindgen(js_name = WasmIndicator)]
pub struct WasmIndicator {
    state: IndicatorState,
    last: [f64; 3],
}

#[wasm_bindgen(js_class = WasmIndicator)]
impl WasmIndicator {
    #[wasm_bindgen(constructor)]
    pub fn new(name: &str, params: JsValue) -> Result<WasmIndicator, JsValue> {
        let kind = indicator_kind(name)?;
        let values = indicator_params(kind, &params)?;
        Ok(WasmIndicator {
            state: IndicatorState::new(kind, &values),
            last: [f64::NAN; 3],
        })
    }

    /// Feeds one value (`atr`: high, low, close) and returns the first output; `output(i)`
    /// reads the others of the same update.
    pub fn update(&mut self, a: f64, b: f64, c: f64) -> f64 {
        self.last = self.state.update([a, b, c]);
        self.last[0]
    }

    pub fn output(&self, i: usize) -> f64 {
        self.last.get(i).copied().unwrap_or(f64::NAN)
    }
}

#[derive(Serialize)]
struct ParamOut {
    name: &'static str,
    default: Option<f64>,
    integer: bool,
}

#[derive(Serialize)]
struct IndicatorOut {
    name: &'static str,
    params: Vec<ParamOut>,
    outputs: &'static [&'static str],
    source: bool,
}

#[derive(Serialize)]
struct MetricOut {
    name: &'static str,
    integer: bool,
    description: &'static str,
}

#[derive(Serialize)]
struct Catalog {
    indicators: Vec<IndicatorOut>,
    price_fields: Vec<&'static str>,
    settings: &'static [&'static str],
    portfolio_settings: &'static [&'static str],
    metrics: Vec<MetricOut>,
    trade_fields: &'static [&'static str],
    sides: Vec<&'static str>,
    exit_reasons: Vec<&'static str>,
    max_int_param: f64,
}

/// The engine's tables, which the JS builder, options and results read rather than restate:
/// indicators (params, defaults, outputs), price fields, setting names (and a portfolio's own),
/// metrics, the packed trade's fields.
#[wasm_bindgen(js_name = catalog)]
pub fn catalog() -> JsValue {
    to_js(&Catalog {
        indicators: IndicatorKind::ALL
            .iter()
            .map(|k| IndicatorOut {
                name: k.name(),
                params: k
                    .params()
                    .iter()
                    .map(|p| ParamOut {
                        name: p.name,
                        default: p.default,
                        integer: p.integer,
                    })
                    .collect(),
                outputs: k.outputs(),
                source: k.has_source(),
            })
            .collect(),
        price_fields: PriceField::ALL.iter().map(|f| f.name()).collect(),
        settings: &crate::execution::settings::SETTING_NAMES,
        portfolio_settings: &crate::api::PORTFOLIO_SETTING_NAMES,
        metrics: METRICS
            .iter()
            .map(|d| MetricOut {
                name: d.name,
                integer: d.kind == MetricKind::Int,
                description: d.description,
            })
            .collect(),
        trade_fields: &TRADE_FIELDS,
        sides: SIDES.iter().map(|s| s.as_str()).collect(),
        exit_reasons: EXIT_REASONS.iter().map(|r| r.as_str()).collect(),
        max_int_param: crate::strategy::catalog::MAX_INT_PARAM as f64,
    })
}

/// The candidate nearest to `name` (the engine's rule, so that JS suggests what Python does).
#[wasm_bindgen(js_name = nearestName)]
pub fn nearest_name(name: &str, candidates: Vec<String>) -> String {
    crate::strategy::names::nearest(name, candidates.iter().map(String::as_str)).to_string()
}
