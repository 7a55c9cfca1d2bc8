//! The account of one asset and the one per-bar step every run advances
//! (docs/CONVENTIONS.md, "Execution"): pending fill, stops, signals, equity.

use super::settings::{ExecSettings, SizeType};
use super::trade::{ExitReason, RawTrade, Side};
use crate::metrics::TradeStats;
use crate::params::Fill;

/// One bar's prices.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bar {
    pub open: f64,
    pub high: f64,
    pub low: f64,
    pub close: f64,
}

/// The effective signals of one bar (same-side conflicts and the direction already applied).
#[derive(Debug, Clone, Copy, Default)]
pub struct BarSignals {
    pub long_entry: bool,
    pub long_exit: bool,
    pub short_entry: bool,
    pub short_exit: bool,
}

/// An order waiting for the next open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Order {
    Open(Side),
    Close,
    Reverse(Side),
}

/// What a step tells its caller besides the equity: the trades it closes (every run keeps
/// these), and for a live run the fills that open positions and the orders the signals make.
/// A closure `FnMut(RawTrade)` is a sink that only keeps the trades.
pub trait StepSink {
    fn closed(&mut self, trade: RawTrade);

    /// A position of `side` opened at bar `t` at `price` (slippage applied) for `size` units.
    #[inline(always)]
    fn opened(&mut self, _side: Side, _t: usize, _price: f64, _size: f64) {}

    /// The signals of bar `t` made `order` while holding `held` (filled at this close, or
    /// pending for the next open).
    #[inline(always)]
    fn ordered(&mut self, _order: Order, _held: Option<Side>, _t: usize) {}
}

impl<F: FnMut(RawTrade)> StepSink for F {
    #[inline(always)]
    fn closed(&mut self, trade: RawTrade) {
        self(trade)
    }
}

/// Cash, the open position and how it was opened. A live run saves it (serde) without its
/// settings, which [`Account::resume`] puts back.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Account {
    #[serde(skip)]
    s: ExecSettings,
    #[serde(skip)]
    buy_factor: f64,
    #[serde(skip)]
    sell_factor: f64,
    #[serde(with = "crate::state_json::float")]
    pub cash: f64,
    /// `None`: flat.
    pub position: Option<Side>,
    #[serde(with = "crate::state_json::float")]
    pub size: f64,
    entry_index: usize,
    #[serde(with = "crate::state_json::float")]
    entry_price: f64,
    #[serde(with = "crate::state_json::float")]
    basis: f64,
    #[serde(with = "crate::state_json::float")]
    entry_proceeds: f64,
    /// Long: the highest high since entry; short: the lowest low.
    #[serde(with = "crate::state_json::float")]
    best: f64,
    pub(crate) opened_at_open: bool,
    /// The open position's stop loss and take profit levels (from its entry price); one not
    /// set is the infinity on its side.
    #[serde(with = "crate::state_json::pair")]
    levels: (f64, f64),
    pub pending: Option<Order>,
    pub(crate) stats: TradeStats,
}

impl Account {
    pub fn new(settings: &ExecSettings) -> Self {
        Self {
            s: *settings,
            buy_factor: 1.0 + settings.commission_rate,
            sell_factor: 1.0 - settings.commission_rate,
            cash: settings.initial_capital,
            position: None,
            size: 0.0,
            entry_index: 0,
            entry_price: 0.0,
            basis: 0.0,
            entry_proceeds: 0.0,
            best: 0.0,
            opened_at_open: false,
            levels: (f64::NEG_INFINITY, f64::INFINITY),
            pending: None,
            stats: TradeStats::default(),
        }
    }

    /// A saved account with its settings put back.
    pub(crate) fn resume(settings: &ExecSettings, saved: Account) -> Self {
        let fresh = Self::new(settings);
        Self {
            s: fresh.s,
            buy_factor: fresh.buy_factor,
            sell_factor: fresh.sell_factor,
            ..saved
        }
    }

    /// What an open short holds back from the cash (its proceeds and its margin, the basis):
    /// a portfolio's free cash is the cash less every open short's.
    pub(crate) fn reserved(&self) -> f64 {
        match self.position {
            Some(Side::Short) => self.entry_proceeds + self.basis,
            _ => 0.0,
        }
    }

    /// Equity at a close price.
    #[inline(always)]
    pub fn equity(&self, close: f64) -> f64 {
        match self.position {
            None => self.cash,
            Some(Side::Long) => self.cash + self.size * close,
            Some(Side::Short) => self.cash - self.size * close,
        }
    }

    /// The order the signals ask for in the current position.
    #[inline(always)]
    pub fn order_for(&self, sig: BarSignals) -> Option<Order> {
        match self.position {
            None if sig.long_entry && !sig.short_entry => Some(Order::Open(Side::Long)),
            None if sig.short_entry && !sig.long_entry => Some(Order::Open(Side::Short)),
            None => None,
            Some(Side::Long) if sig.short_entry => Some(Order::Reverse(Side::Short)),
            Some(Side::Long) if sig.long_exit => Some(Order::Close),
            Some(Side::Short) if sig.long_entry => Some(Order::Reverse(Side::Long)),
            Some(Side::Short) if sig.short_exit => Some(Order::Close),
            Some(_) => None,
        }
    }

    /// Bar `t`: the pending fill at the open, the stops, the signals; returns the equity at
    /// the close. Closed trades go to `sink`.
    pub fn step(&mut self, t: usize, bar: &Bar, sig: BarSignals, sink: &mut impl StepSink) -> f64 {
        self.opened_at_open = false;
        if let Some(order) = self.pending.take() {
            self.execute(order, t, bar.open, true, sink);
        }
        let stopped = self.position.is_some() && self.s.has_stops() && self.stops(t, bar, sink);
        if !stopped {
            if let Some(order) = self.order_for(sig) {
                sink.ordered(order, self.position, t);
                match self.s.fill {
                    Fill::Close => self.execute(order, t, bar.close, false, sink),
                    Fill::NextOpen => self.pending = Some(order),
                }
            }
        }
        self.equity(bar.close)
    }

    /// Bar `t` of a position with no order pending and no signal that could act on it: the
    /// step's stops and its equity (what `step` does then). True when a stop closed it.
    #[inline(always)]
    pub(crate) fn hold(&mut self, t: usize, bar: &Bar, sink: &mut impl StepSink) -> (f64, bool) {
        self.opened_at_open = false;
        let stopped = self.position.is_some() && self.s.has_stops() && self.stops(t, bar, sink);
        (self.equity(bar.close), stopped)
    }

    fn buy_price(&self, raw: f64) -> f64 {
        raw * (1.0 + self.s.slippage)
    }

    fn sell_price(&self, raw: f64) -> f64 {
        raw * (1.0 - self.s.slippage)
    }

    fn execute(
        &mut self,
        order: Order,
        t: usize,
        raw: f64,
        at_open: bool,
        sink: &mut impl StepSink,
    ) {
        self.exit_leg(order, t, raw, sink);
        self.entry_leg(order, t, raw, at_open, self.cash, sink);
    }

    /// What `order` closes, at the raw price `raw` (slippage applied): every exit of a bar
    /// comes before its entries (a portfolio's cash is freed first).
    pub(crate) fn exit_leg(&mut self, order: Order, t: usize, raw: f64, sink: &mut impl StepSink) {
        let reason = match order {
            Order::Open(_) => return,
            Order::Close => ExitReason::Signal,
            Order::Reverse(_) => ExitReason::Reverse,
        };
        let p = match self.position {
            Some(Side::Short) => self.buy_price(raw),
            _ => self.sell_price(raw),
        };
        sink.closed(self.close(t, p, reason));
    }

    /// What `order` opens, at the raw price `raw`, sized from `available` (the account's cash;
    /// in a portfolio its free cash, or a slot's share of it).
    pub(crate) fn entry_leg(
        &mut self,
        order: Order,
        t: usize,
        raw: f64,
        at_open: bool,
        available: f64,
        sink: &mut impl StepSink,
    ) {
        let side = match order {
            Order::Open(side) | Order::Reverse(side) => side,
            Order::Close => return,
        };
        let p = match side {
            Side::Long => self.buy_price(raw),
            Side::Short => self.sell_price(raw),
        };
        self.open(side, t, p, available);
        self.opened_at_open = at_open && self.position.is_some();
        if self.position.is_some() {
            sink.opened(side, t, p, self.size);
        }
    }

    fn open(&mut self, side: Side, t: usize, p: f64, available: f64) {
        let (k, fee, size) = (self.buy_factor, self.s.fixed_fee, self.s.size);
        let mut q = match self.s.size_type {
            SizeType::Percent => (available * size - fee) / (p * k),
            SizeType::Value => (size.min(available) - fee) / (p * k),
            SizeType::Amount => {
                let most = (available - fee) / (p * k);
                if size > most {
                    most
                } else {
                    size
                }
            }
        };
        if self.s.lot_size > 0.0 {
            q = (q / self.s.lot_size).floor() * self.s.lot_size;
        }
        if q.is_nan() || q <= 0.0 {
            return;
        }
        self.basis = q * p * k + fee;
        match side {
            Side::Long => self.cash -= self.basis,
            Side::Short => {
                self.entry_proceeds = q * p * self.sell_factor - fee;
                self.cash += self.entry_proceeds;
            }
        }
        self.position = Some(side);
        self.size = q;
        self.entry_index = t;
        self.entry_price = p;
        self.best = p;
        // Long levels sit below the price, short ones above.
        let long = side == Side::Long;
        let (down, up) = (|f: f64| p * (1.0 - f), |f: f64| p * (1.0 + f));
        let (never_down, never_up) = (f64::NEG_INFINITY, f64::INFINITY);
        self.levels = if long {
            (
                self.s.stop_loss.map_or(never_down, down),
                self.s.take_profit.map_or(never_up, up),
            )
        } else {
            (
                self.s.stop_loss.map_or(never_up, up),
                self.s.take_profit.map_or(never_down, down),
            )
        };
    }

    fn close(&mut self, t: usize, p: f64, reason: ExitReason) -> RawTrade {
        let side = self.position.expect("close needs an open position");
        let (q, fee) = (self.size, self.s.fixed_fee);
        let pnl = match side {
            Side::Long => {
                let proceeds = q * p * self.sell_factor - fee;
                self.cash += proceeds;
                proceeds - self.basis
            }
            Side::Short => {
                let cost = q * p * self.buy_factor + fee;
                self.cash -= cost;
                self.entry_proceeds - cost
            }
        };
        let return_pct = pnl / self.basis;
        self.stats.record(pnl, return_pct);
        self.position = None;
        self.size = 0.0;
        RawTrade {
            side,
            entry_index: self.entry_index,
            exit_index: t,
            entry_price: self.entry_price,
            exit_price: p,
            size: q,
            pnl,
            return_pct,
            exit_reason: reason,
        }
    }

    /// The stops of the open position on bar `t`; true when one closed it.
    #[inline(always)]
    pub(crate) fn stops(&mut self, t: usize, bar: &Bar, sink: &mut impl StepSink) -> bool {
        let long = self.position == Some(Side::Long);
        // The fixed levels were made at the entry; a level not set is an infinity on its side
        // (never reached).
        let (sl, tp) = self.levels;
        let (loss, reason) = match self.s.trailing_stop {
            Some(f) => {
                let tr = if long {
                    self.best * (1.0 - f)
                } else {
                    self.best * (1.0 + f)
                };
                // The nearer of the two (a stop loss when they are equal).
                if (long && tr > sl) || (!long && tr < sl) {
                    (tr, ExitReason::TrailingStop)
                } else {
                    (sl, ExitReason::StopLoss)
                }
            }
            None => (sl, ExitReason::StopLoss),
        };
        // "Beyond" a level: below it for a long's loss, above it for its profit.
        let (adverse, favourable) = if long {
            (bar.low, bar.high)
        } else {
            (bar.high, bar.low)
        };
        let loss_hit = |x: f64| if long { x <= loss } else { x >= loss };
        let profit_hit = |x: f64| if long { x >= tp } else { x <= tp };
        // The loss side first, whole (a gap through it, then the bar's range), then the profit
        // side (as vectorbt and backtesting.py): a bar that reaches both stops at the loss.
        // A position opened at this bar's open is not checked against that open.
        let gap = !self.opened_at_open;
        let fill = if gap && loss_hit(bar.open) {
            Some((bar.open, reason))
        } else if loss_hit(adverse) {
            Some((loss, reason))
        } else if gap && profit_hit(bar.open) {
            Some((bar.open, ExitReason::TakeProfit))
        } else if profit_hit(favourable) {
            Some((tp, ExitReason::TakeProfit))
        } else {
            None
        };
        if let Some((price, reason)) = fill {
            sink.closed(self.close(t, price, reason));
            return true;
        }
        if self.s.trailing_stop.is_some() {
            self.best = if long {
                self.best.max(bar.high)
            } else {
                self.best.min(bar.low)
            };
        }
        false
    }
}
