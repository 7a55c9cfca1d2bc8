//! One asset's live run: a bar in, the events it caused out, the batch answer at any point.

use super::event::{order_event, signal_events, Event, EventKind};
use super::signals::{BarInput, LiveSignals, SignalsState};
use crate::api::BacktestOutput;
use crate::data::validate_row;
use crate::error::{BacktestError, Result};
use crate::execution::account::{Account, Bar, BarSignals, Order, StepSink};
use crate::execution::trade::{RawTrade, Side, Trade};
use crate::execution::ExecSettings;
use crate::metrics::{MetricsAccumulator, MetricsState};
use crate::strategy::tree::Strategy;

/// A live run of a bound strategy with its settings.
#[derive(Debug, Clone)]
pub struct LiveRun {
    settings: ExecSettings,
    symbol: Option<String>,
    signals: LiveSignals,
    s: LiveState,
    /// The events of the last push.
    events: Vec<Event>,
}

/// What a live run keeps between bars, besides its strategy: what it saves.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct LiveState {
    bars: usize,
    /// The last bar's date, as pushed, and its instant.
    last_date: Option<String>,
    last_instant: Option<i128>,
    #[serde(with = "crate::state_json::float")]
    first_close: f64,
    #[serde(with = "crate::state_json::float")]
    last_close: f64,
    #[serde(with = "crate::state_json::float")]
    equity: f64,
    account: Account,
    /// The open position's entry date (its trade is dated when it closes).
    entry_date: String,
    signals: SignalsState,
    /// None before the first bar.
    metrics: Option<MetricsState>,
    /// The non-zero per-bar returns so far (the variance's second pass reads them all).
    #[serde(with = "crate::state_json::floats")]
    returns: Vec<f64>,
    trades: Vec<Trade>,
    /// Every bar's equity, when the run keeps the curve.
    #[serde(with = "crate::state_json::optional_floats")]
    equity_curve: Option<Vec<f64>>,
}

impl LiveRun {
    /// A run with no bar yet; `keep_equity` keeps every bar's equity (the result's curve),
    /// which is the one part of its state that grows with each bar.
    pub fn new(
        strategy: &Strategy,
        settings: ExecSettings,
        symbol: Option<String>,
        keep_equity: bool,
    ) -> Self {
        let signals = LiveSignals::new(strategy);
        let s = LiveState {
            bars: 0,
            last_date: None,
            last_instant: None,
            first_close: f64::NAN,
            last_close: f64::NAN,
            equity: settings.initial_capital,
            account: Account::new(&settings),
            entry_date: String::new(),
            signals: signals.state(),
            metrics: None,
            returns: Vec::new(),
            trades: Vec::new(),
            equity_curve: keep_equity.then(Vec::new),
        };
        Self {
            settings,
            symbol,
            signals,
            s,
            events: Vec::new(),
        }
    }

    /// Bar `[open, high, low, close, volume]` dated `date`: checked as batch data is (the row
    /// is the bar's index in the run); refused, the run is left exactly as it was.
    pub fn push(&mut self, date: &str, bar: [f64; 5]) -> Result<&[Event]> {
        let t = self.s.bars;
        let previous = self.s.last_instant.zip(self.s.last_date.as_deref());
        let instant = validate_row(t, date, previous, bar)?;
        let [open, high, low, close, volume] = bar;
        let input = BarInput {
            bar: Bar {
                open,
                high,
                low,
                close,
            },
            volume,
        };
        let sig = effective(self.signals.update(&input), self.settings.direction);
        self.events.clear();
        let mut recorder = Recorder {
            t,
            date,
            symbol: &self.symbol,
            events: &mut self.events,
            trades: &mut self.s.trades,
            entry_date: &mut self.s.entry_date,
        };
        for (side, reason) in signal_events(sig) {
            recorder.event(EventKind::Signal, side, Some(close), None, reason);
        }
        let account = &mut self.s.account;
        let e = account.step(t, &input.bar, sig, &mut recorder);
        // As the batch run: bar 0 sets the first peak, each bar's equity is pushed, and the
        // bars that end with a position open are counted.
        let state = self
            .s
            .metrics
            .unwrap_or_else(|| MetricsState::new(self.settings.initial_capital, e));
        if self.s.returns.len() <= state.returns() {
            self.s.returns.push(0.0);
        }
        let mut acc = MetricsAccumulator::resume(state, &mut self.s.returns);
        acc.push(t, e);
        acc.exposed_bars += usize::from(account.position.is_some());
        let state = acc.state();
        self.s.returns.truncate(state.returns());
        self.s.metrics = Some(state);
        if let Some(curve) = self.s.equity_curve.as_mut() {
            curve.push(e);
        }
        if t == 0 {
            self.s.first_close = close;
        }
        self.s.last_close = close;
        self.s.equity = e;
        self.s.bars = t + 1;
        self.s.last_instant = Some(instant);
        self.s.last_date = Some(date.to_string());
        Ok(&self.events)
    }

    /// The events of the last bar pushed.
    pub fn events(&self) -> &[Event] {
        &self.events
    }

    /// Bars pushed so far.
    pub fn bars(&self) -> usize {
        self.s.bars
    }

    pub fn last_date(&self) -> Option<&str> {
        self.s.last_date.as_deref()
    }

    pub fn symbol(&self) -> Option<&str> {
        self.symbol.as_deref()
    }

    pub fn settings(&self) -> &ExecSettings {
        &self.settings
    }

    /// The open position: its side and units.
    pub fn position(&self) -> Option<(Side, f64)> {
        let a = &self.s.account;
        a.position.map(|side| (side, a.size))
    }

    /// The order waiting for the next open, if any.
    pub fn pending(&self) -> Option<Order> {
        self.s.account.pending
    }

    pub fn cash(&self) -> f64 {
        self.s.account.cash
    }

    /// The equity at the last close (the initial capital before the first bar).
    pub fn equity(&self) -> f64 {
        self.s.equity
    }

    /// The batch run's result on the bars pushed so far (its equity curve empty when the run
    /// does not keep it); refused before the first bar, as empty data is.
    pub fn result(&self) -> Result<BacktestOutput> {
        let state = self.s.metrics.ok_or(BacktestError::Empty)?;
        let n = self.s.bars;
        let mut returns = self.s.returns.clone();
        let acc = MetricsAccumulator::resume(state, &mut returns);
        let mut metrics = acc.finish(n, self.settings.periods_per_year, &self.s.account.stats);
        metrics.buy_and_hold_return = self.s.last_close / self.s.first_close - 1.0;
        Ok(BacktestOutput {
            metrics,
            trades: self.s.trades.clone(),
            equity_curve: self.s.equity_curve.clone().unwrap_or_default(),
            params: Vec::new(),
            execution_time_ms: 0.0,
        })
    }

    /// What to save.
    pub fn state(&self) -> LiveState {
        let mut s = self.s.clone();
        s.signals = self.signals.state();
        s
    }

    /// The run of `strategy` and `settings` (those it was made with) resumed from `saved`;
    /// refused, saying what is wrong, when `saved` is not a state of this strategy or does not
    /// hold together.
    pub fn resume(
        strategy: &Strategy,
        settings: ExecSettings,
        symbol: Option<String>,
        saved: LiveState,
    ) -> std::result::Result<Self, String> {
        let mut run = Self::new(strategy, settings, symbol, saved.equity_curve.is_some());
        run.signals
            .restore(saved.signals.clone())
            .map_err(|e| format!("its state is not its strategy's: {e}"))?;
        check_consistent(&saved)?;
        let account = Account::resume(&settings, saved.account.clone());
        run.s = LiveState { account, ..saved };
        Ok(run)
    }
}

/// What a state must hold for the step to go on from it (a checksum catches accidents, not a
/// hand-made state): its returns and bars as its metrics count them, a pending order that closes
/// something only with a position open.
fn check_consistent(s: &LiveState) -> std::result::Result<(), String> {
    let kept = s.metrics.map_or(0, |m| m.returns());
    if s.returns.len() != kept || s.metrics.is_some() != (s.bars > 0) {
        return Err(format!(
            "it holds {} returns and {} bars where its metrics count {kept}",
            s.returns.len(),
            s.bars
        ));
    }
    if let Some(curve) = &s.equity_curve {
        if curve.len() != s.bars {
            return Err(format!(
                "its equity curve has {} bars, not {}",
                curve.len(),
                s.bars
            ));
        }
    }
    check_account(&s.account)
}

/// An account's position and pending order must go together: a pending order that closes
/// something only with a position open, a position of a positive size.
pub(crate) fn check_account(a: &Account) -> std::result::Result<(), String> {
    let closes = matches!(a.pending, Some(Order::Close | Order::Reverse(_)));
    if (closes && a.position.is_none())
        || (a.position.is_some() && (a.size.is_nan() || a.size <= 0.0))
    {
        return Err("its position and pending order do not go together".into());
    }
    Ok(())
}

/// A bar's effective signals from its raw words: a same-side conflict and the direction
/// applied, as a batch run does.
pub(crate) fn effective(
    words: [u64; 4],
    direction: crate::execution::settings::Direction,
) -> BarSignals {
    let [le, lx, se, sx] = crate::execution::run::resolve(words, direction);
    BarSignals {
        long_entry: le & 1 == 1,
        long_exit: lx & 1 == 1,
        short_entry: se & 1 == 1,
        short_exit: sx & 1 == 1,
    }
}

/// The step's sink in a live run: the closed trades, dated, and the events.
struct Recorder<'a> {
    t: usize,
    date: &'a str,
    symbol: &'a Option<String>,
    events: &'a mut Vec<Event>,
    trades: &'a mut Vec<Trade>,
    entry_date: &'a mut String,
}

impl Recorder<'_> {
    fn event(
        &mut self,
        kind: EventKind,
        side: Side,
        price: Option<f64>,
        size: Option<f64>,
        reason: &'static str,
    ) {
        self.events.push(Event {
            kind,
            bar: self.t,
            date: self.date.to_string(),
            symbol: self.symbol.clone(),
            side,
            price,
            size,
            reason,
        });
    }
}

impl StepSink for Recorder<'_> {
    fn closed(&mut self, trade: RawTrade) {
        let kind = match trade.exit_reason {
            crate::execution::ExitReason::Signal | crate::execution::ExitReason::Reverse => {
                EventKind::Fill
            }
            _ => EventKind::Stop,
        };
        let reason = trade.exit_reason.as_str();
        self.event(
            kind,
            trade.side,
            Some(trade.exit_price),
            Some(trade.size),
            reason,
        );
        // A position opened at this bar's open and stopped on it has no entry date kept yet.
        let entry = if trade.entry_index == self.t {
            self.date.to_string()
        } else {
            std::mem::take(self.entry_date)
        };
        self.trades.push(trade.dated(entry, self.date.to_string()));
    }

    fn opened(&mut self, side: Side, _t: usize, price: f64, size: f64) {
        self.event(EventKind::Fill, side, Some(price), Some(size), "entry");
        *self.entry_date = self.date.to_string();
    }

    fn ordered(&mut self, order: Order, held: Option<Side>, _t: usize) {
        let (side, reason) = order_event(order, held);
        self.event(EventKind::Order, side, None, None, reason);
    }
}
