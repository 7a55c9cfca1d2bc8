//! A live run on the wire: the request it was made from (strategy, settings, params, symbol,
//! whether it keeps the equity curve), bars as values, and its saved state as JSON text with a
//! format name, a version and a checksum (docs/CONVENTIONS.md, "Live runs").

use super::live_portfolio::LivePortfolioBacktest;
use super::{BacktestOutput, PreparedBacktest, Value};
use crate::error::{BacktestError, ErrorKind, Result};
use crate::stream::{Event, LiveRun, LiveState};

/// The `format` a saved state names.
pub const LIVE_STATE_FORMAT: &str = "quant-backtest/live-state";
/// The version of that format this engine writes and reads.
pub const LIVE_STATE_VERSION: u64 = 1;

/// What a live run was made from.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
struct LiveRequest {
    strategy: Value,
    settings: Value,
    params: Value,
    symbol: Option<String>,
    equity_curve: bool,
}

/// A live backtest of one asset.
#[derive(Debug, Clone)]
pub struct LiveBacktest {
    request: LiveRequest,
    prepared: PreparedBacktest,
    run: LiveRun,
}

fn state_error(message: impl Into<String>) -> BacktestError {
    BacktestError::new(ErrorKind::State, message)
}

impl LiveBacktest {
    /// Checks the request as a batch run does (the strategy, the settings over its own, the
    /// params bound) and starts with no bar.
    pub fn new(
        strategy: &Value,
        settings: &Value,
        params: &Value,
        symbol: Option<String>,
        equity_curve: bool,
    ) -> Result<Self> {
        let prepared = PreparedBacktest::new(strategy, settings, params)?;
        let run = LiveRun::new(
            &prepared.strategy,
            prepared.settings,
            symbol.clone(),
            equity_curve,
        );
        Ok(Self {
            request: LiveRequest {
                strategy: strategy.clone(),
                settings: settings.clone(),
                params: params.clone(),
                symbol,
                equity_curve,
            },
            prepared,
            run,
        })
    }

    pub fn run(&self) -> &LiveRun {
        &self.run
    }

    /// One bar (`[open, high, low, close, volume]`).
    pub fn push(&mut self, date: &str, bar: [f64; 5]) -> Result<&[Event]> {
        self.run.push(date, bar)
    }

    /// One bar as an object with `date`, `open`, `high`, `low`, `close` and `volume`: a field
    /// missing or of the wrong type is refused naming it and the bar's row.
    pub fn push_value(&mut self, bar: &Value) -> Result<&[Event]> {
        let row = self.run.bars();
        let (date, prices, symbol) = read_bar(bar, row)?;
        check_bar_symbol(symbol.as_deref(), self.run.symbol(), row)?;
        self.run.push(&date, prices)
    }

    /// The batch run's result on the bars so far, with the params it was bound with.
    pub fn result(&self) -> Result<BacktestOutput> {
        let mut out = self.run.result()?;
        out.params = self.prepared.params.clone();
        Ok(out)
    }

    /// The saved state: JSON text naming its format and version, with a checksum of the rest.
    pub fn to_json(&self) -> String {
        save_state(
            serde_json::to_value(&self.request).expect("a request is JSON"),
            serde_json::to_value(self.run.state()).expect("a state is JSON"),
        )
    }

    /// A run resumed from [`to_json`](Self::to_json)'s text: all of it, or an error
    /// (`invalid_state`) saying why not.
    pub fn from_json(text: &str) -> Result<Self> {
        let (request, state) = read_state(text)?;
        Self::from_saved(request, state)
    }

    fn from_saved(request: serde_json::Value, state: serde_json::Value) -> Result<Self> {
        let request: LiveRequest =
            serde_json::from_value(request).map_err(|e| corrupt(e.to_string()))?;
        let state: LiveState = serde_json::from_value(state).map_err(|e| corrupt(e.to_string()))?;
        let fresh = Self::new(
            &request.strategy,
            &request.settings,
            &request.params,
            request.symbol.clone(),
            request.equity_curve,
        )?;
        let run = LiveRun::resume(
            &fresh.prepared.strategy,
            fresh.prepared.settings,
            request.symbol.clone(),
            state,
        )
        .map_err(corrupt)?;
        Ok(Self { run, ..fresh })
    }
}

/// A live run of either kind, as a saved state holds it.
#[derive(Debug, Clone)]
pub enum SavedLive {
    Asset(Box<LiveBacktest>),
    Portfolio(Box<LivePortfolioBacktest>),
}

/// The run a saved state holds, of one asset or a portfolio (its request names `symbols`).
pub fn live_from_json(text: &str) -> Result<SavedLive> {
    let (request, state) = read_state(text)?;
    if request.get("symbols").is_some() {
        LivePortfolioBacktest::from_saved(request, state).map(|p| SavedLive::Portfolio(Box::new(p)))
    } else {
        LiveBacktest::from_saved(request, state).map(|a| SavedLive::Asset(Box::new(a)))
    }
}

pub(super) fn corrupt(e: String) -> BacktestError {
    state_error(format!("the live state is corrupt: {e}"))
}

/// The saved text of a run's `request` and `state`: its format, version and checksum first.
pub(super) fn save_state(request: serde_json::Value, state: serde_json::Value) -> String {
    let body = serde_json::json!({ "request": request, "state": state });
    let checksum = checksum(&body);
    let mut saved = serde_json::Map::new();
    saved.insert("format".into(), LIVE_STATE_FORMAT.into());
    saved.insert("version".into(), LIVE_STATE_VERSION.into());
    saved.insert("checksum".into(), checksum.into());
    if let serde_json::Value::Object(body) = body {
        saved.extend(body);
    }
    serde_json::Value::Object(saved).to_string()
}

/// A saved text's request and state, once its format, version and checksum are right.
fn read_state(text: &str) -> Result<(serde_json::Value, serde_json::Value)> {
    let saved: serde_json::Value = serde_json::from_str(text)
        .map_err(|e| state_error(format!("a live state must be JSON text: {e}")))?;
    let field = |name: &str| saved.get(name);
    if field("format").and_then(|f| f.as_str()) != Some(LIVE_STATE_FORMAT) {
        return Err(state_error(format!(
            "not a live state: its 'format' must be '{LIVE_STATE_FORMAT}'"
        )));
    }
    match field("version").and_then(|v| v.as_u64()) {
        Some(LIVE_STATE_VERSION) => {}
        Some(v) => {
            return Err(state_error(format!(
            "live state version {v} cannot be read: this engine reads version {LIVE_STATE_VERSION}"
        )))
        }
        None => return Err(state_error("a live state must name its 'version'")),
    }
    let (request, state) = match (field("request"), field("state")) {
        (Some(r), Some(s)) => (r.clone(), s.clone()),
        _ => return Err(state_error("a live state must hold 'request' and 'state'")),
    };
    let body = serde_json::json!({ "request": request, "state": state });
    if field("checksum").and_then(|c| c.as_str()) != Some(checksum(&body).as_str()) {
        return Err(state_error(
            "the live state is corrupt: its checksum does not match its content",
        ));
    }
    Ok((request, state))
}

/// A bar's `symbol`, if it names one, must be the run's.
pub(crate) fn check_bar_symbol(bar: Option<&str>, run: Option<&str>, row: usize) -> Result<()> {
    match (bar, run) {
        (Some(b), Some(r)) if b != r => Err(BacktestError::new(
            ErrorKind::MarketData,
            format!("the bar at row {row} is for symbol '{b}' but this run trades '{r}'"),
        )),
        (Some(b), None) => Err(BacktestError::new(
            ErrorKind::MarketData,
            format!("the bar at row {row} is for symbol '{b}' but this run has no symbol; give the run symbol='{b}'"),
        )),
        _ => Ok(()),
    }
}

/// A bar object's date, `[open, high, low, close, volume]` and symbol (if it names one).
pub(crate) fn read_bar(bar: &Value, row: usize) -> Result<(String, [f64; 5], Option<String>)> {
    let bad = |m: String| BacktestError::new(ErrorKind::MarketData, m);
    let Value::Map(entries) = bar else {
        return Err(bad(format!(
            "the bar at row {row} must be an object with date, open, high, low, close and volume, got {}",
            bar.describe()
        )));
    };
    let get = |name: &str| {
        entries
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v)
            .ok_or_else(|| bad(format!("the bar at row {row} has no '{name}'")))
    };
    let date = match get("date")? {
        Value::Str(s) => s.clone(),
        other => {
            return Err(bad(format!(
                "date at row {row} must be a string, got {}",
                other.describe()
            )))
        }
    };
    let mut prices = [0.0; 5];
    for (slot, name) in prices
        .iter_mut()
        .zip(["open", "high", "low", "close", "volume"])
    {
        let v = get(name)?;
        *slot = v.as_number().ok_or_else(|| {
            bad(format!(
                "{name} at row {row} must be a number, got {}",
                v.describe()
            ))
        })?;
    }
    const FIELDS: [&str; 7] = ["date", "open", "high", "low", "close", "volume", "symbol"];
    if let Some((k, _)) = entries.iter().find(|(k, _)| !FIELDS.contains(&k.as_str())) {
        let near = crate::strategy::names::nearest(super::key_text(k), FIELDS);
        return Err(bad(format!(
            "the bar at row {row} has an unknown field {}; did you mean '{near}'?",
            super::key_shown(k)
        )));
    }
    let symbol = match entries.iter().find(|(k, _)| k == "symbol") {
        None | Some((_, Value::Null)) => None,
        Some((_, Value::Str(s))) => Some(s.clone()),
        Some((_, other)) => {
            return Err(bad(format!(
                "symbol at row {row} must be a string, got {}",
                other.describe()
            )))
        }
    };
    Ok((date, prices, symbol))
}

/// FNV-1a (64 bits) of `body` written canonically (object keys sorted, no spaces), in hex:
/// what a saved state's `checksum` holds.
fn checksum(body: &serde_json::Value) -> String {
    let mut text = String::new();
    canonical(body, &mut text);
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

fn canonical(v: &serde_json::Value, out: &mut String) {
    match v {
        serde_json::Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&serde_json::Value::from(k.as_str()).to_string());
                out.push(':');
                canonical(&map[k], out);
            }
            out.push('}');
        }
        serde_json::Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                canonical(item, out);
            }
            out.push(']');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}
