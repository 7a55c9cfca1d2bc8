//! A portfolio's live run on the wire: the request it was made from (one strategy or one per
//! symbol, the settings with `max_positions`, params, the symbols, whether it keeps the
//! curves), bar sets as values (symbol -> bar or null), and its saved state in the live
//! runs' one format (docs/CONVENTIONS.md, "Live runs").

use super::live::{check_bar_symbol, corrupt, read_bar, save_state};
use super::{PortfolioOutput, PreparedPortfolio, Value};
use crate::error::{BacktestError, ErrorKind, Result};
use crate::portfolio::{check_symbols, in_asset};
use crate::strategy::names::nearest;
use crate::stream::{AssetBar, Event, LivePortfolio, LivePortfolioState};

/// What a live portfolio run was made from.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
struct LivePortfolioRequest {
    strategy: Value,
    settings: Value,
    params: Value,
    symbols: Vec<String>,
    equity_curve: bool,
}

/// A live backtest of a portfolio.
#[derive(Debug, Clone)]
pub struct LivePortfolioBacktest {
    request: LivePortfolioRequest,
    prepared: PreparedPortfolio,
    run: LivePortfolio,
}

fn bar_set_error(message: String) -> BacktestError {
    BacktestError::new(ErrorKind::MarketData, message)
}

impl LivePortfolioBacktest {
    /// Checks the request as a batch portfolio run on these symbols does and starts with no
    /// bar.
    pub fn new(
        strategy: &Value,
        settings: &Value,
        params: &Value,
        symbols: Vec<String>,
        equity_curve: bool,
    ) -> Result<Self> {
        let names: Vec<&str> = symbols.iter().map(String::as_str).collect();
        check_symbols(&names)?;
        let prepared = PreparedPortfolio::for_symbols(&names, strategy, settings, params)?;
        let run = LivePortfolio::new(
            symbols.clone(),
            prepared.assets(),
            prepared.slots(),
            equity_curve,
        );
        Ok(Self {
            request: LivePortfolioRequest {
                strategy: strategy.clone(),
                settings: settings.clone(),
                params: params.clone(),
                symbols,
                equity_curve,
            },
            prepared,
            run,
        })
    }

    pub fn run(&self) -> &LivePortfolio {
        &self.run
    }

    /// One instant: per asset in universe order its bar (date, `[open, high, low, close,
    /// volume]`) or none.
    pub fn push(&mut self, set: &[AssetBar<'_>]) -> Result<&[Event]> {
        self.run.push(set)
    }

    /// One instant as an object symbol -> bar object (as [`super::LiveBacktest::push_value`]
    /// reads one) or null (no bar then). A symbol not of the run, or one that has started and
    /// is missing, is refused: an asset without a bar at an instant says so with null.
    pub fn push_value(&mut self, set: &Value) -> Result<&[Event]> {
        let u = self.run.bars();
        let Value::Map(entries) = set else {
            return Err(bar_set_error(format!(
                "the bar set at row {u} must be an object symbol -> bar (or null), got {}",
                set.describe()
            )));
        };
        let symbols = self.run.symbols();
        if let Some((k, _)) = entries.iter().find(|(k, _)| !symbols.contains(k)) {
            return Err(bar_set_error(format!(
                "the bar set at row {u} has a bar for unknown symbol {}; did you mean '{}'?",
                super::key_shown(k),
                nearest(super::key_text(k), symbols.iter().map(String::as_str))
            )));
        }
        let mut read = Vec::with_capacity(symbols.len());
        for (i, symbol) in symbols.iter().enumerate() {
            match entries.iter().find(|(k, _)| k == symbol).map(|(_, v)| v) {
                None if self.run.started(i) => {
                    return Err(bar_set_error(format!(
                        "the bar set at row {u} has no bar for '{symbol}', which has started; give it null when it has no bar at this instant"
                    )))
                }
                None | Some(Value::Null) => read.push(None),
                Some(bar) => {
                    let row = self.run.own_bars(i);
                    let (date, prices, named) =
                        read_bar(bar, row).map_err(|e| in_asset(symbol, e))?;
                    check_bar_symbol(named.as_deref(), Some(symbol), row)
                        .map_err(|e| in_asset(symbol, e))?;
                    read.push(Some((date, prices)));
                }
            }
        }
        let set: Vec<AssetBar<'_>> = read
            .iter()
            .map(|b| b.as_ref().map(|(d, p)| (d.as_str(), *p)))
            .collect();
        self.run.push(&set)
    }

    /// The batch portfolio run's result on the started assets' bars so far, with the params
    /// it was bound with.
    pub fn result(&self) -> Result<PortfolioOutput> {
        let mut out = self.run.result()?;
        out.params = self.prepared.params().to_vec();
        Ok(out)
    }

    /// The saved state (the live runs' one format: [`super::LiveBacktest::to_json`]).
    pub fn to_json(&self) -> String {
        save_state(
            serde_json::to_value(&self.request).expect("a request is JSON"),
            serde_json::to_value(self.run.state()).expect("a state is JSON"),
        )
    }

    pub(super) fn from_saved(request: serde_json::Value, state: serde_json::Value) -> Result<Self> {
        let request: LivePortfolioRequest =
            serde_json::from_value(request).map_err(|e| corrupt(e.to_string()))?;
        let state: LivePortfolioState =
            serde_json::from_value(state).map_err(|e| corrupt(e.to_string()))?;
        let fresh = Self::new(
            &request.strategy,
            &request.settings,
            &request.params,
            request.symbols.clone(),
            request.equity_curve,
        )?;
        let run = LivePortfolio::resume(
            request.symbols.clone(),
            fresh.prepared.assets(),
            fresh.prepared.slots(),
            state,
        )
        .map_err(corrupt)?;
        Ok(Self { run, ..fresh })
    }
}
