//! Live portfolio runs (SPEC part 11) for JS: a handle to the core's [`LivePortfolioBacktest`].
//! A plain, well-formed bar set crosses packed (`pushBars`: the dates as one string, the five
//! prices of each present asset in one `Float64Array`, a presence mask); anything else crosses
//! as the JS object (`pushValue`) or JSON text (`pushText`, from Python), read by the core with
//! its own messages. Events stay here packed as the one-asset run's, with the asset's index.

use js_sys::{Array, Float64Array, Object, Uint8Array};
use wasm_bindgen::prelude::*;

use super::convert::{to_js, wire};
use super::live::{order_name, pack_event, wire_text, SIDES};
use super::seed::trade_numbers;
use super::{js_error, set};
use crate::api::{live_from_json, LivePortfolioBacktest, PortfolioOutput, SavedLive, Value};
use crate::error::{BacktestError, ErrorKind};
use crate::stream::{AssetBar, Event};

/// Numbers per event in `events()`: the one-asset run's six, then the asset's index.
pub(super) const PORTFOLIO_EVENT_STRIDE: usize = 7;

/// The numbers of a trade in a result's `trades`, as `runPortfolio` packs them
/// (src/wasm/portfolio.rs): `symbol` indexes the result's `symbols`, `direction` and
/// `exit_reason` its `labels`.
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
const ASSET_FIELDS: [&str; 4] = ["trade_count", "pnl", "win_rate", "exposure"];

fn label(labels: &mut Vec<&'static str>, name: &'static str) -> f64 {
    let i = labels.iter().position(|l| *l == name).unwrap_or_else(|| {
        labels.push(name);
        labels.len() - 1
    });
    i as f64
}

/// A live portfolio's result packed as `runPortfolio`'s (the same fields, the same layout),
/// over the started assets: with `symbols` (theirs, in universe order), `dates` (the union's,
/// empty without the curves) and `trade_dates` (each trade's entry and exit dates: a run
/// without the curves keeps no dates to look them up in).
fn result_object(out: PortfolioOutput) -> Object {
    let o = Object::new();
    let symbols: Vec<&str> = out.assets.iter().map(|a| a.symbol.as_str()).collect();
    let metrics: Vec<f64> = out.metrics.values().iter().map(|v| v.as_f64()).collect();
    let mut labels = Vec::new();
    let mut trades = Vec::with_capacity(TRADE_FIELDS.len() * out.trades.len());
    let mut trade_dates = Vec::with_capacity(2 * out.trades.len());
    for pt in &out.trades {
        let t = &pt.trade;
        let asset = symbols.iter().position(|s| *s == pt.symbol).unwrap_or(0);
        trades.push(asset as f64);
        trades.extend(trade_numbers(t));
        trades.extend([
            label(&mut labels, t.direction.as_str()),
            label(&mut labels, t.exit_reason.as_str()),
        ]);
        trade_dates.push(t.entry_date.as_str());
        trade_dates.push(t.exit_date.as_str());
    }
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
    set(&o, "trade_fields", to_js(&TRADE_FIELDS));
    set(&o, "trades", Float64Array::from(&trades[..]));
    set(&o, "labels", to_js(&labels));
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
    set(&o, "symbols", to_js(&symbols));
    set(&o, "dates", to_js(&out.dates));
    set(&o, "trade_dates", to_js(&trade_dates));
    o
}

/// A live run of a portfolio: one strategy (or one per symbol) and one cash account.
#[wasm_bindgen(js_name = WasmLivePortfolio)]
pub struct WasmLivePortfolio {
    inner: LivePortfolioBacktest,
    /// The last push's events, [`PORTFOLIO_EVENT_STRIDE`] numbers each.
    packed: Vec<f64>,
}

#[wasm_bindgen(js_class = WasmLivePortfolio)]
impl WasmLivePortfolio {
    /// Checks the request as a batch portfolio run on `symbols` does (`settings` snake_case
    /// with `max_positions`; `strategy` one tree or an object symbol -> tree) and starts with
    /// no bar.
    #[wasm_bindgen(constructor)]
    pub fn new(
        strategy: JsValue,
        settings: JsValue,
        params: JsValue,
        symbols: Vec<String>,
        equity_curve: bool,
    ) -> Result<WasmLivePortfolio, JsValue> {
        let (strategy, settings, params) = (wire(&strategy)?, wire(&settings)?, wire(&params)?);
        Self::make(&strategy, &settings, &params, symbols, equity_curve)
    }

    /// The same from the request's JSON texts (Python's `json.dumps`: `100000.0` stays a
    /// float, as the native door keeps it, so that the saved request is the same text).
    #[wasm_bindgen(js_name = fromRequestText)]
    pub fn from_request_text(
        strategy: &str,
        settings: &str,
        params: &str,
        symbols: Vec<String>,
        equity_curve: bool,
    ) -> Result<WasmLivePortfolio, JsValue> {
        let (strategy, settings, params) = (
            wire_text(strategy)?,
            wire_text(settings)?,
            wire_text(params)?,
        );
        Self::make(&strategy, &settings, &params, symbols, equity_curve)
    }

    fn make(
        strategy: &Value,
        settings: &Value,
        params: &Value,
        symbols: Vec<String>,
        equity_curve: bool,
    ) -> Result<WasmLivePortfolio, JsValue> {
        LivePortfolioBacktest::new(strategy, settings, params, symbols, equity_curve)
            .map(Self::wrap)
            .map_err(js_error)
    }

    pub(super) fn wrap(inner: LivePortfolioBacktest) -> WasmLivePortfolio {
        WasmLivePortfolio {
            inner,
            packed: Vec::new(),
        }
    }

    /// One instant, packed: `present[i]` 1 when asset `i` (universe order) has a bar, its
    /// `[open, high, low, close, volume]` then the next five of `prices`; `dates` the present
    /// bars' dates `\n`-joined, or one date for all of them. The number of events. The JS layer
    /// sends only plain bar sets this way (every started asset given, numbers, string dates);
    /// the core checks the bars as `pushValue` does.
    #[wasm_bindgen(js_name = pushBars)]
    pub fn push_bars(
        &mut self,
        dates: &str,
        present: &[u8],
        prices: &[f64],
    ) -> Result<u32, JsValue> {
        let m = self.inner.run().symbols().len();
        let count = present.iter().filter(|&&p| p != 0).count();
        let mut texts = dates.split('\n');
        let shared = !dates.contains('\n');
        if present.len() != m
            || prices.len() != 5 * count
            || (!shared && texts.clone().count() != count)
        {
            // The JS layer packs these: a mismatch is its bug, not the caller's input.
            return Err(js_sys::TypeError::new(&format!(
                "a packed bar set has {} flags, {} prices and {} dates for {m} assets",
                present.len(),
                prices.len(),
                if shared { 1 } else { texts.clone().count() }
            ))
            .into());
        }
        let mut at = 0;
        let set: Vec<AssetBar<'_>> = present
            .iter()
            .map(|&p| {
                (p != 0).then(|| {
                    let date = if shared {
                        dates
                    } else {
                        texts.next().unwrap_or("")
                    };
                    let mut bar = [0.0; 5];
                    bar.copy_from_slice(&prices[at..at + 5]);
                    at += 5;
                    (date, bar)
                })
            })
            .collect();
        self.inner.push(&set).map_err(js_error)?;
        Ok(self.pack())
    }

    /// One instant as an object symbol -> bar object or null, read by the core (its messages
    /// for an unknown symbol, a started asset left out, a bad field); the number of events.
    #[wasm_bindgen(js_name = pushValue)]
    pub fn push_value(&mut self, set: JsValue) -> Result<u32, JsValue> {
        let set = wire(&set)?;
        self.push_wire(&set)
    }

    /// One instant as JSON text (the Python bridge: numbers keep their int/float kind; NaN and
    /// the infinities as serde's number token), read by the core.
    #[wasm_bindgen(js_name = pushText)]
    pub fn push_text(&mut self, text: &str) -> Result<u32, JsValue> {
        let set = wire_text(text)?;
        self.push_wire(&set)
    }

    fn push_wire(&mut self, set: &Value) -> Result<u32, JsValue> {
        self.inner.push_value(set).map_err(js_error)?;
        Ok(self.pack())
    }

    /// The last push's events, packed (see [`PORTFOLIO_EVENT_STRIDE`]).
    pub fn events(&self) -> Float64Array {
        Float64Array::from(&self.packed[..])
    }

    /// The open positions: `[asset, side, units]` each (side indexes `liveNames().sides`), in
    /// universe order.
    pub fn positions(&self) -> Float64Array {
        let packed: Vec<f64> = self
            .inner
            .run()
            .positions()
            .flat_map(|(i, side, q)| {
                let s = SIDES.iter().position(|x| *x == side).unwrap_or(0);
                [i as f64, s as f64, q]
            })
            .collect();
        Float64Array::from(&packed[..])
    }

    /// The pending orders: `[symbol, order name]` pairs, in universe order.
    pub fn pending(&self) -> Array {
        let run = self.inner.run();
        run.pending()
            .map(|(i, o)| -> JsValue {
                let pair = Array::new();
                pair.push(&run.symbols()[i].as_str().into());
                pair.push(&order_name(o).into());
                pair.into()
            })
            .collect()
    }

    pub fn cash(&self) -> f64 {
        self.inner.run().cash()
    }

    pub fn equity(&self) -> f64 {
        self.inner.run().equity()
    }

    /// Instants pushed so far.
    pub fn bars(&self) -> usize {
        self.inner.run().bars()
    }

    #[wasm_bindgen(js_name = lastDate)]
    pub fn last_date(&self) -> Option<String> {
        self.inner.run().last_date().map(str::to_string)
    }

    pub fn symbols(&self) -> Vec<String> {
        self.inner.run().symbols().to_vec()
    }

    /// 1 for each asset (universe order) that has had a bar.
    pub fn started(&self) -> Uint8Array {
        let run = self.inner.run();
        let flags: Vec<u8> = (0..run.symbols().len())
            .map(|i| u8::from(run.started(i)))
            .collect();
        Uint8Array::from(&flags[..])
    }

    /// The batch portfolio run's result on the started assets' bars so far, packed as
    /// `runPortfolio`'s (see [`result_object`]).
    pub fn result(&self) -> Result<Object, JsValue> {
        self.inner.result().map(result_object).map_err(js_error)
    }

    /// The same as JSON text: the core's output serialized, as the native Python door's dict
    /// (the Python bridge loads it with `json.loads`).
    #[wasm_bindgen(js_name = resultText)]
    pub fn result_text(&self) -> Result<String, JsValue> {
        let out = self.inner.result().map_err(js_error)?;
        // A serialize of plain numbers, strings and maps cannot fail.
        Ok(serde_json::to_string(&out).unwrap_or_default())
    }

    /// The saved state (the live runs' one format).
    #[wasm_bindgen(js_name = toJSON)]
    pub fn to_json(&self) -> String {
        self.inner.to_json()
    }

    /// A portfolio run resumed from `toJSON()`'s text; refused (`invalid_state`) for a
    /// one-asset run's state, which `liveFromJSON` resumes.
    #[wasm_bindgen(js_name = fromJSON)]
    pub fn from_json(text: &str) -> Result<WasmLivePortfolio, JsValue> {
        match live_from_json(text).map_err(js_error)? {
            SavedLive::Portfolio(run) => Ok(Self::wrap(*run)),
            SavedLive::Asset(_) => Err(js_error(BacktestError::new(
                ErrorKind::State,
                "this live state is a one-asset run's, not a portfolio's: resume it with liveFromJSON".to_string(),
            ))),
        }
    }
}

/// A run resumed from any live state: a `WasmLiveRun` or a `WasmLivePortfolio`.
#[wasm_bindgen(js_name = liveFromJSON)]
pub fn resume_live(text: &str) -> Result<JsValue, JsValue> {
    Ok(match live_from_json(text).map_err(js_error)? {
        SavedLive::Asset(run) => super::live::WasmLiveRun::wrap(*run).into(),
        SavedLive::Portfolio(run) => WasmLivePortfolio::wrap(*run).into(),
    })
}

impl WasmLivePortfolio {
    /// Packs the last push's events; their count.
    fn pack(&mut self) -> u32 {
        let run = self.inner.run();
        pack(&mut self.packed, run.events(), run.symbols())
    }
}

fn pack(out: &mut Vec<f64>, events: &[Event], symbols: &[String]) -> u32 {
    out.clear();
    for e in events {
        pack_event(out, e);
        let asset = e
            .symbol
            .as_deref()
            .and_then(|s| symbols.iter().position(|x| x == s));
        out.push(asset.map_or(f64::NAN, |i| i as f64));
    }
    events.len() as u32
}
