//! Live runs (SPEC part 11) for JS: a handle to the core's [`LiveBacktest`]. A pushed bar's
//! events stay here packed in numbers (most bars cause none, and then nothing crosses but their
//! count); the JS layer (pkg-template/live.js) reads them with `events()` and names them from
//! [`live_names`]. Results leave packed as `runBacktest`'s do, with the trades' dates (a live
//! run keeps no bars for the JS layer to date them from).

use js_sys::{Array, Float64Array, Object};
use wasm_bindgen::prelude::*;

use super::convert::wire;
use super::live_portfolio::PORTFOLIO_EVENT_STRIDE;
use super::strategy::output_object;
use super::{js_error, set};
use crate::api::{live_from_json, LiveBacktest, SavedLive, Value};
use crate::error::{BacktestError, ErrorKind};
use crate::execution::{Order, Side};
use crate::stream::{Event, EventKind};

/// Numbers per event in `events()`: kind, bar, side, reason (indexes into [`live_names`]'s
/// tables), price, size (NaN where the event has none: prices and sizes are finite).
const EVENT_STRIDE: usize = 6;
pub(super) const SIDES: [Side; 2] = [Side::Long, Side::Short];
/// Every reason an event gives: a signal's (`entry`, `exit`), an order's (`open`, `close`,
/// `reverse`), an entry fill's (`entry`), an exit's (`crate::execution::ExitReason`'s names;
/// `reverse` is both).
const REASONS: [&str; 9] = [
    "entry",
    "exit",
    "open",
    "close",
    "reverse",
    "signal",
    "stop_loss",
    "take_profit",
    "trailing_stop",
];

fn index_of<T: PartialEq>(table: &[T], item: &T) -> f64 {
    // Every value the core gives is in its table; one that were not would read as undefined in
    // JS (NaN indexes nothing), never as another value.
    table
        .iter()
        .position(|x| x == item)
        .map_or(f64::NAN, |i| i as f64)
}

pub(super) fn pack_event(out: &mut Vec<f64>, e: &Event) {
    let kind = index_of(&EventKind::ALL, &e.kind);
    let side = index_of(&SIDES, &e.side);
    let reason = index_of(&REASONS, &e.reason);
    out.extend([
        kind,
        e.bar as f64,
        side,
        reason,
        e.price.unwrap_or(f64::NAN),
        e.size.unwrap_or(f64::NAN),
    ]);
}

/// A pending order's name: `open_long`, `open_short`, `close`, `reverse_long`, `reverse_short`
/// (the Python package's `live.pending`).
pub(super) fn order_name(order: Order) -> String {
    match order {
        Order::Open(side) => format!("open_{}", side.as_str()),
        Order::Close => "close".to_string(),
        Order::Reverse(side) => format!("reverse_{}", side.as_str()),
    }
}

/// The tables `events()` indexes: `{ stride, portfolio_stride, kinds, sides, reasons }` (a
/// portfolio's events: the same numbers, then the asset's index).
#[wasm_bindgen(js_name = liveNames)]
pub fn live_names() -> Object {
    let strings =
        |items: Vec<&'static str>| -> Array { items.into_iter().map(JsValue::from).collect() };
    let o = Object::new();
    set(&o, "stride", EVENT_STRIDE as f64);
    set(&o, "portfolio_stride", PORTFOLIO_EVENT_STRIDE as f64);
    set(
        &o,
        "kinds",
        strings(EventKind::ALL.map(EventKind::as_str).to_vec()),
    );
    set(&o, "sides", strings(SIDES.map(Side::as_str).to_vec()));
    set(&o, "reasons", strings(REASONS.to_vec()));
    o
}

/// A live run of one strategy on one asset.
#[wasm_bindgen(js_name = WasmLiveRun)]
pub struct WasmLiveRun {
    inner: LiveBacktest,
    /// The last push's events, [`EVENT_STRIDE`] numbers each (kept to reuse its allocation).
    packed: Vec<f64>,
}

#[wasm_bindgen(js_class = WasmLiveRun)]
impl WasmLiveRun {
    /// Checks the request as a batch run does (`settings` snake_case, over the strategy's own;
    /// `params` fill its placeholders) and starts with no bar.
    #[wasm_bindgen(constructor)]
    pub fn new(
        strategy: JsValue,
        settings: JsValue,
        params: JsValue,
        symbol: Option<String>,
        equity_curve: bool,
    ) -> Result<WasmLiveRun, JsValue> {
        let (strategy, settings, params) = (wire(&strategy)?, wire(&settings)?, wire(&params)?);
        LiveBacktest::new(&strategy, &settings, &params, symbol, equity_curve)
            .map(Self::wrap)
            .map_err(js_error)
    }

    /// The same from the request's JSON texts (Python's `json.dumps`: `100000.0` stays a
    /// float, as the native door keeps it, so that the saved request is the same text).
    #[wasm_bindgen(js_name = fromRequestText)]
    pub fn from_request_text(
        strategy: &str,
        settings: &str,
        params: &str,
        symbol: Option<String>,
        equity_curve: bool,
    ) -> Result<WasmLiveRun, JsValue> {
        let (strategy, settings, params) = (
            wire_text(strategy)?,
            wire_text(settings)?,
            wire_text(params)?,
        );
        LiveBacktest::new(&strategy, &settings, &params, symbol, equity_curve)
            .map(Self::wrap)
            .map_err(js_error)
    }

    pub(super) fn wrap(inner: LiveBacktest) -> WasmLiveRun {
        WasmLiveRun {
            inner,
            packed: Vec::new(),
        }
    }

    /// One bar; the number of events it caused (read them with `events()`). A bad bar is
    /// refused with batch validation's message and leaves the run as it was.
    #[allow(clippy::too_many_arguments)]
    pub fn push(
        &mut self,
        date: &str,
        open: f64,
        high: f64,
        low: f64,
        close: f64,
        volume: f64,
    ) -> Result<u32, JsValue> {
        let events = self
            .inner
            .push(date, [open, high, low, close, volume])
            .map_err(js_error)?;
        Ok(pack(&mut self.packed, events))
    }

    /// One bar as an object (`date`, `open`, `high`, `low`, `close`, `volume`, `symbol`?),
    /// read by the core with the Python package's messages; the number of events.
    #[wasm_bindgen(js_name = pushValue)]
    pub fn push_value(&mut self, bar: JsValue) -> Result<u32, JsValue> {
        let bar: Value = wire(&bar)?;
        let events = self.inner.push_value(&bar).map_err(js_error)?;
        Ok(pack(&mut self.packed, events))
    }

    /// The last push's events, packed (see [`EVENT_STRIDE`]).
    pub fn events(&self) -> Float64Array {
        Float64Array::from(&self.packed[..])
    }

    /// The open position's side (`long` / `short`), or undefined when flat.
    #[wasm_bindgen(js_name = positionSide)]
    pub fn position_side(&self) -> Option<String> {
        self.inner
            .run()
            .position()
            .map(|(s, _)| s.as_str().to_string())
    }

    /// The open position's units (0 when flat).
    #[wasm_bindgen(js_name = positionSize)]
    pub fn position_size(&self) -> f64 {
        self.inner.run().position().map_or(0.0, |(_, q)| q)
    }

    pub fn pending(&self) -> Option<String> {
        self.inner.run().pending().map(order_name)
    }

    pub fn cash(&self) -> f64 {
        self.inner.run().cash()
    }

    pub fn equity(&self) -> f64 {
        self.inner.run().equity()
    }

    pub fn bars(&self) -> usize {
        self.inner.run().bars()
    }

    #[wasm_bindgen(js_name = lastDate)]
    pub fn last_date(&self) -> Option<String> {
        self.inner.run().last_date().map(str::to_string)
    }

    pub fn symbol(&self) -> Option<String> {
        self.inner.run().symbol().map(str::to_string)
    }

    /// The batch run's result on the bars so far, packed as `runStrategy`'s, with
    /// `trade_dates`: each trade's entry and exit dates.
    pub fn result(&self) -> Result<Object, JsValue> {
        let out = self.inner.result().map_err(js_error)?;
        let dates: Array = out
            .trades
            .iter()
            .flat_map(|t| [t.entry_date.as_str(), t.exit_date.as_str()])
            .map(JsValue::from)
            .collect();
        let o = output_object(out);
        set(&o, "trade_dates", dates);
        Ok(o)
    }

    /// The saved state (JSON text; the format's name, version and checksum in it).
    #[wasm_bindgen(js_name = toJSON)]
    pub fn to_json(&self) -> String {
        self.inner.to_json()
    }

    /// A run resumed from `toJSON()`'s text, or an `invalid_state` error saying why not (a
    /// portfolio's state among them: `liveFromJSON` resumes either kind).
    #[wasm_bindgen(js_name = fromJSON)]
    pub fn from_json(text: &str) -> Result<WasmLiveRun, JsValue> {
        match live_from_json(text).map_err(js_error)? {
            SavedLive::Asset(run) => Ok(Self::wrap(*run)),
            SavedLive::Portfolio(_) => Err(js_error(BacktestError::new(
                ErrorKind::State,
                "this live state is a portfolio's, not a one-asset run's: resume it with liveFromJSON",
            ))),
        }
    }
}

/// A wire value from JSON text, numbers as written: an integer is an integer, `5.0` a float
/// (JSON through a JS number would make it 5); serde's number token (`{"$serde_json::private::
/// Number": "NaN"}`) carries NaN, the infinities and integers past 64 bits, as pythonize does.
pub(super) fn wire_text(text: &str) -> Result<Value, JsValue> {
    serde_json::from_str::<Value>(text).map_err(|e| {
        js_error(BacktestError::new(
            ErrorKind::Parameter,
            format!("cannot read the request: {e}"),
        ))
    })
}

fn pack(out: &mut Vec<f64>, events: &[Event]) -> u32 {
    out.clear();
    for e in events {
        pack_event(out, e);
    }
    events.len() as u32
}
