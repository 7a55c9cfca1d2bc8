//! A portfolio's live run: one bar set per instant (a bar or none for each asset) through the
//! same per-bar step as a batch portfolio run ([`PortfolioState::step`]); the result after any
//! number of instants equals the batch run on the started assets' bars so far.

use super::event::{order_event, signal_events, Event, EventKind};
use super::live::effective;
use super::signals::{BarInput, LiveSignals, SignalsState};
use crate::api::{PortfolioOutput, PortfolioTrade};
use crate::data::validate_row;
use crate::error::{BacktestError, ErrorKind, Result};
use crate::execution::account::{Bar, BarSignals, Order};
use crate::execution::trade::{RawTrade, Side, Trade};
use crate::execution::{ExecSettings, ExitReason};
use crate::portfolio::in_asset;
use crate::portfolio::run::{buy_and_hold, AssetSignals, PortfolioEvents, PortfolioState};
use crate::strategy::tree::Strategy;

/// A live run of one bound strategy per asset, with one cash account.
#[derive(Debug, Clone)]
pub struct LivePortfolio {
    settings: Vec<ExecSettings>,
    symbols: Vec<String>,
    signals: Vec<LiveSignals>,
    s: LivePortfolioState,
    /// The events of the last push, and one push's scratch.
    events: Vec<Event>,
    scratch: Scratch,
}

#[derive(Debug, Clone, Default)]
struct Scratch {
    active: Vec<(usize, usize)>,
    bars: Vec<Bar>,
    due: Vec<(usize, f64)>,
    signals: Vec<BarSignals>,
}

/// What a live portfolio run keeps between instants, besides its strategies: what it saves.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct LivePortfolioState {
    /// Instants (union bars) pushed so far; the last one's date, as written by the first asset
    /// with a bar then, and its instant.
    bars: usize,
    last_date: Option<String>,
    last_instant: Option<i128>,
    #[serde(with = "crate::state_json::float")]
    equity: f64,
    /// Per asset: its own bars so far, its first close, its last close (0.0 before its first
    /// bar: what its position is valued at), and its open position's entry date.
    own_bars: Vec<usize>,
    #[serde(with = "crate::state_json::floats")]
    first_closes: Vec<f64>,
    #[serde(with = "crate::state_json::floats")]
    marks: Vec<f64>,
    entry_dates: Vec<String>,
    signals: Vec<SignalsState>,
    step: PortfolioState,
    /// The closed trades with their asset, dated as they closed.
    trades: Vec<(usize, Trade)>,
    /// The union's dates, when the run keeps the curves.
    dates: Option<Vec<String>>,
}

/// One asset's bar of a bar set: its date and `[open, high, low, close, volume]`.
pub type AssetBar<'a> = Option<(&'a str, [f64; 5])>;

fn bar_set_error(message: String) -> BacktestError {
    BacktestError::new(ErrorKind::MarketData, message)
}

impl LivePortfolio {
    /// A run with no bar yet: `assets` per symbol its bound strategy and settings, in the
    /// universe's order; `keep_curves` keeps the equity, the cash and the position values of
    /// every instant (the parts of its state that grow with each one).
    pub fn new(
        symbols: Vec<String>,
        assets: &[(Strategy, ExecSettings)],
        slots: Option<usize>,
        keep_curves: bool,
    ) -> Self {
        let settings: Vec<ExecSettings> = assets.iter().map(|(_, s)| *s).collect();
        let signals: Vec<LiveSignals> = assets.iter().map(|(s, _)| LiveSignals::new(s)).collect();
        let m = settings.len();
        let s = LivePortfolioState {
            bars: 0,
            last_date: None,
            last_instant: None,
            equity: settings[0].initial_capital,
            own_bars: vec![0; m],
            first_closes: vec![f64::NAN; m],
            marks: vec![0.0; m],
            entry_dates: vec![String::new(); m],
            signals: signals.iter().map(LiveSignals::state).collect(),
            step: PortfolioState::new(&settings, slots, keep_curves, 0).without_trades(),
            trades: Vec::new(),
            dates: keep_curves.then(Vec::new),
        };
        Self {
            settings,
            symbols,
            signals,
            s,
            events: Vec::new(),
            scratch: Scratch::default(),
        }
    }

    /// One instant: per asset in universe order its bar, or none when it has no bar then.
    /// Each bar is checked as batch data is (its row the asset's own bar index) and must be
    /// after the last instant; the bars share one instant, and there is at least one. Refused,
    /// the run is left exactly as it was.
    pub fn push(&mut self, set: &[AssetBar<'_>]) -> Result<&[Event]> {
        assert_eq!(set.len(), self.symbols.len(), "one entry per asset");
        let u = self.s.bars;
        let previous = self.s.last_instant.zip(self.s.last_date.as_deref());
        // Every check before anything changes.
        let mut first: Option<(usize, i128)> = None;
        for (i, bar) in set.iter().enumerate() {
            let Some((date, prices)) = bar else { continue };
            let row = self.s.own_bars[i];
            let instant = validate_row(row, date, None, *prices)
                .map_err(|e| in_asset(&self.symbols[i], e))?;
            // After the last instant of any asset (so after its own last bar too).
            if let Some((_, text)) = previous.filter(|&(last, _)| instant <= last) {
                return Err(bar_set_error(format!(
                    "asset '{}': dates at row {row} ('{date}') is not after the last bar set's ('{text}'); bar sets must be strictly increasing",
                    self.symbols[i]
                )));
            }
            match first {
                None => first = Some((i, instant)),
                Some((k, at)) if at != instant => {
                    return Err(bar_set_error(format!(
                        "the bar set at row {u} mixes instants: '{}' is dated '{}' and '{}' '{date}'; the bars of one push share one instant",
                        self.symbols[k],
                        set[k].expect("a bar").0,
                        self.symbols[i]
                    )))
                }
                Some(_) => {}
            }
        }
        let Some((k, instant)) = first else {
            return Err(bar_set_error(format!(
                "the bar set at row {u} has no bar: at least one asset needs one"
            )));
        };
        let date = set[k].expect("a bar").0;
        let Scratch {
            active,
            bars,
            due,
            signals,
        } = &mut self.scratch;
        active.clear();
        bars.clear();
        due.clear();
        signals.clear();
        signals.resize(set.len(), BarSignals::default());
        self.events.clear();
        let accounts = self.s.step.accounts();
        for (i, bar) in set.iter().enumerate() {
            let Some((_, [open, high, low, close, volume])) = *bar else {
                continue;
            };
            let input = BarInput {
                bar: Bar {
                    open,
                    high,
                    low,
                    close,
                },
                volume,
            };
            let sig = effective(self.signals[i].update(&input), self.settings[i].direction);
            for (side, reason) in signal_events(sig) {
                self.events.push(Event {
                    kind: EventKind::Signal,
                    bar: u,
                    date: date.to_string(),
                    symbol: Some(self.symbols[i].clone()),
                    side,
                    price: Some(close),
                    size: None,
                    reason,
                });
            }
            signals[i] = sig;
            // An order waits for the asset's next bar, whenever that comes.
            if accounts[i].pending.is_some() {
                due.push((i, open));
            }
            active.push((i, self.s.own_bars[i]));
            bars.push(input.bar);
            if self.s.own_bars[i] == 0 {
                self.s.first_closes[i] = close;
            }
            self.s.marks[i] = close;
            self.s.own_bars[i] += 1;
        }
        let mut recorder = Recorder {
            u,
            date,
            symbols: &self.symbols,
            events: &mut self.events,
            trades: &mut self.s.trades,
            entry_dates: &mut self.s.entry_dates,
        };
        let mut source = LiveSource { signals };
        self.s.equity = self.s.step.step(
            u,
            active,
            bars,
            due,
            &self.s.marks,
            &mut source,
            &mut recorder,
        );
        if let Some(dates) = self.s.dates.as_mut() {
            dates.push(date.to_string());
        }
        self.s.bars = u + 1;
        self.s.last_instant = Some(instant);
        self.s.last_date = Some(date.to_string());
        Ok(&self.events)
    }

    /// The events of the last push.
    pub fn events(&self) -> &[Event] {
        &self.events
    }

    /// Instants pushed so far.
    pub fn bars(&self) -> usize {
        self.s.bars
    }

    pub fn last_date(&self) -> Option<&str> {
        self.s.last_date.as_deref()
    }

    pub fn symbols(&self) -> &[String] {
        &self.symbols
    }

    /// Whether asset `i` has had a bar (a bar set must then give it one, or say it has none).
    pub fn started(&self, i: usize) -> bool {
        self.s.own_bars[i] > 0
    }

    /// The bars asset `i` has had.
    pub fn own_bars(&self, i: usize) -> usize {
        self.s.own_bars[i]
    }

    /// The open positions: asset, side and units, in universe order.
    pub fn positions(&self) -> impl Iterator<Item = (usize, Side, f64)> + '_ {
        let accounts = self.s.step.accounts();
        (0..accounts.len()).filter_map(|i| accounts[i].position.map(|s| (i, s, accounts[i].size)))
    }

    /// The orders waiting for their asset's next bar, in universe order.
    pub fn pending(&self) -> impl Iterator<Item = (usize, Order)> + '_ {
        let accounts = self.s.step.accounts();
        (0..accounts.len()).filter_map(|i| accounts[i].pending.map(|o| (i, o)))
    }

    /// The shared cash.
    pub fn cash(&self) -> f64 {
        self.s.step.cash()
    }

    /// The equity at the last close (the initial capital before the first instant).
    pub fn equity(&self) -> f64 {
        self.s.equity
    }

    /// The batch portfolio run's result on the bars so far, over the assets that have started
    /// (in universe order); its curves empty when the run does not keep them. Refused before
    /// the first instant, as empty data is.
    pub fn result(&self) -> Result<PortfolioOutput> {
        if self.s.bars == 0 {
            return Err(BacktestError::Empty);
        }
        let started: Vec<(usize, &str)> = (0..self.symbols.len())
            .filter(|&i| self.started(i))
            .map(|i| (i, self.symbols[i].as_str()))
            .collect();
        let bh = buy_and_hold(
            started
                .iter()
                .map(|&(i, _)| (self.s.first_closes[i], self.s.marks[i])),
        );
        let r = self.s.step.result(&started, bh);
        let position_values = started
            .iter()
            .map(|&(_, s)| s.to_string())
            .zip(r.position_columns())
            .collect();
        Ok(PortfolioOutput {
            metrics: r.metrics,
            trades: self
                .s
                .trades
                .iter()
                .map(|(i, t)| PortfolioTrade {
                    symbol: self.symbols[*i].clone(),
                    trade: t.clone(),
                })
                .collect(),
            dates: self.s.dates.clone().unwrap_or_default(),
            equity_curve: r.equity,
            cash: r.cash,
            assets: r.assets,
            position_values,
            params: Vec::new(),
            execution_time_ms: 0.0,
        })
    }

    /// What to save.
    pub fn state(&self) -> LivePortfolioState {
        let mut s = self.s.clone();
        s.signals = self.signals.iter().map(LiveSignals::state).collect();
        s.step = self.s.step.saved();
        s
    }

    /// The run of `assets` and `slots` (those it was made with) resumed from `saved`; refused,
    /// saying what is wrong, when `saved` is not a state of these strategies or does not hold
    /// together.
    pub fn resume(
        symbols: Vec<String>,
        assets: &[(Strategy, ExecSettings)],
        slots: Option<usize>,
        saved: LivePortfolioState,
    ) -> std::result::Result<Self, String> {
        let m = assets.len();
        let mut run = Self::new(symbols, assets, slots, saved.dates.is_some());
        let sized = [
            saved.own_bars.len(),
            saved.first_closes.len(),
            saved.marks.len(),
            saved.entry_dates.len(),
            saved.signals.len(),
        ];
        if sized.iter().any(|&n| n != m) {
            return Err(format!(
                "it holds {sized:?} per-asset entries for {m} assets"
            ));
        }
        for (i, (signals, state)) in run.signals.iter_mut().zip(&saved.signals).enumerate() {
            signals
                .restore(state.clone())
                .map_err(|e| format!("asset {i}'s state is not its strategy's: {e}"))?;
        }
        let step = PortfolioState::resume(&run.settings, slots, saved.step.clone())?;
        if let Some(dates) = &saved.dates {
            if dates.len() != saved.bars {
                return Err(format!(
                    "it has {} dates for {} bars",
                    dates.len(),
                    saved.bars
                ));
            }
        }
        if step.accounts().iter().zip(&saved.own_bars).any(|(a, &n)| {
            super::live::check_account(a).is_err() || (n == 0 && a.position.is_some())
        }) || saved.trades.iter().any(|&(i, _)| i >= m)
            || (saved.bars == 0) != saved.last_instant.is_none()
        {
            return Err("its positions and pending orders do not go together".into());
        }
        run.s = LivePortfolioState { step, ..saved };
        Ok(run)
    }
}

/// A live portfolio's signals: each active asset's of this instant, worked out before the
/// step; an order always waits for its asset's next bar (a live run does not know its last).
struct LiveSource<'a> {
    signals: &'a [BarSignals],
}

impl AssetSignals for LiveSource<'_> {
    fn at(
        &mut self,
        i: usize,
        _j: usize,
        _position: Option<Side>,
        _next: &mut usize,
    ) -> Option<BarSignals> {
        Some(self.signals[i])
    }

    fn schedule(&mut self, _i: usize, _j: usize) -> bool {
        true
    }
}

/// The step's events in a live portfolio run: the closed trades, dated, and the events.
struct Recorder<'a> {
    u: usize,
    date: &'a str,
    symbols: &'a [String],
    events: &'a mut Vec<Event>,
    trades: &'a mut Vec<(usize, Trade)>,
    entry_dates: &'a mut [String],
}

impl Recorder<'_> {
    fn event(
        &mut self,
        i: usize,
        kind: EventKind,
        side: Side,
        price: Option<f64>,
        size: Option<f64>,
        reason: &'static str,
    ) {
        self.events.push(Event {
            kind,
            bar: self.u,
            date: self.date.to_string(),
            symbol: Some(self.symbols[i].clone()),
            side,
            price,
            size,
            reason,
        });
    }
}

impl PortfolioEvents for Recorder<'_> {
    fn closed(&mut self, i: usize, trade: &RawTrade) {
        let kind = match trade.exit_reason {
            ExitReason::Signal | ExitReason::Reverse => EventKind::Fill,
            _ => EventKind::Stop,
        };
        let reason = trade.exit_reason.as_str();
        self.event(
            i,
            kind,
            trade.side,
            Some(trade.exit_price),
            Some(trade.size),
            reason,
        );
        // A position opened at this instant's open and stopped on it has no entry date yet.
        let entry = if trade.entry_index == self.u {
            self.date.to_string()
        } else {
            std::mem::take(&mut self.entry_dates[i])
        };
        self.trades
            .push((i, trade.dated(entry, self.date.to_string())));
    }

    fn opened(&mut self, i: usize, side: Side, price: f64, size: f64) {
        self.event(i, EventKind::Fill, side, Some(price), Some(size), "entry");
        self.entry_dates[i] = self.date.to_string();
    }

    fn ordered(&mut self, i: usize, order: Order, held: Option<Side>) {
        let (side, reason) = order_event(order, held);
        self.event(i, EventKind::Order, side, None, None, reason);
    }
}
