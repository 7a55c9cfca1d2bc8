//! A portfolio run: every asset's [`Account`] advanced by the single-asset step's own parts,
//! with one cash account lent to each in turn (docs/CONVENTIONS.md, "Portfolios").
//!
//! On each union bar, over the assets that have a bar then, in this order: the exits of the
//! pending orders at the open, then their entries (universe order); the stops; the signals,
//! whose exits fill before their entries on a close fill. An entry is sized from the free
//! cash at that moment (the cash less what open shorts hold back), or from an equal slot of it
//! (`max_positions`). Assets without a bar keep their position, valued at their last close.

use super::Universe;
use crate::execution::account::{Account, Bar, BarSignals, Order, StepSink};
use crate::execution::run::{Effective, SignalWords, FLAT_WAKE, LONG_WAKE, SHORT_WAKE};
use crate::execution::settings::ExecSettings;
use crate::execution::trade::{RawTrade, Side};
use crate::metrics::{Metrics, MetricsAccumulator, MetricsState, TradeStats};
use crate::params::Fill;
use std::collections::BTreeSet;

/// What one asset did in a portfolio run.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct AssetSummary {
    pub symbol: String,
    pub trade_count: usize,
    /// The sum of its trades' pnl, in trade order.
    pub pnl: f64,
    /// Winning trades, percent (0 without trades).
    pub win_rate: f64,
    /// The fraction of the union's bars that ended with a position in it.
    pub exposure: f64,
}

/// A portfolio run's result, before dates and symbols are attached.
#[derive(Debug, Clone, PartialEq)]
pub struct PortfolioRun {
    pub metrics: Metrics,
    /// Per union bar: cash plus every position's value.
    pub equity: Vec<f64>,
    /// Per union bar, the cash at the close.
    pub cash: Vec<f64>,
    /// Closed trades in the order they closed, with their asset.
    pub trades: Vec<(usize, RawTrade)>,
    pub assets: Vec<AssetSummary>,
    /// Per union bar, per asset (bar-major: a row of `assets` values a bar): the signed value
    /// of its position at its last close.
    pub position_rows: Vec<f64>,
    /// Union bars that ended with any position open (the metrics' exposure, as a count).
    pub exposed_bars: usize,
}

impl PortfolioRun {
    /// The position values as one column per asset.
    pub fn position_columns(&self) -> Vec<Vec<f64>> {
        let m = self.assets.len();
        (0..m)
            .map(|i| {
                self.position_rows
                    .iter()
                    .skip(i)
                    .step_by(m)
                    .copied()
                    .collect()
            })
            .collect()
    }
}

/// The signed size of an account's position (0 when flat): its value at a close `c` is
/// `units * c`, the same bits as `size * c` (long) and `-(size * c)` (short).
fn units(a: &Account) -> f64 {
    match a.position {
        None => 0.0,
        Some(Side::Long) => a.size,
        Some(Side::Short) => -a.size,
    }
}

/// The closed trades of a run, in the order they closed, and their statistics.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
struct Closed {
    stats: TradeStats,
    trades: Vec<(usize, RawTrade)>,
    keep: bool,
}

impl Closed {
    fn record(&mut self, i: usize, t: RawTrade) {
        self.stats.record(t.pnl, t.return_pct);
        if self.keep {
            self.trades.push((i, t));
        }
    }
}

/// What a portfolio step tells its caller of each asset besides the trades it keeps: what a
/// live run reports as events (a batch run hears nothing: `()`).
pub(crate) trait PortfolioEvents {
    /// Asset `i` closed `trade`.
    #[inline(always)]
    fn closed(&mut self, _i: usize, _trade: &RawTrade) {}

    /// Asset `i` opened a position of `side` at `price` (slippage applied) for `size` units.
    #[inline(always)]
    fn opened(&mut self, _i: usize, _side: Side, _price: f64, _size: f64) {}

    /// Asset `i`'s signals made `order` while holding `held` (filled at this close, or pending
    /// for its next open).
    #[inline(always)]
    fn ordered(&mut self, _i: usize, _order: Order, _held: Option<Side>) {}
}

impl PortfolioEvents for () {}

/// Where asset `i`'s account sends what it does: its trades to the run's, and everything to
/// the caller's events.
struct AssetSink<'a, E> {
    i: usize,
    closed: &'a mut Closed,
    events: &'a mut E,
}

impl<E: PortfolioEvents> StepSink for AssetSink<'_, E> {
    #[inline(always)]
    fn closed(&mut self, trade: RawTrade) {
        self.events.closed(self.i, &trade);
        self.closed.record(self.i, trade);
    }

    #[inline(always)]
    fn opened(&mut self, side: Side, _t: usize, price: f64, size: f64) {
        self.events.opened(self.i, side, price, size);
    }
}

/// The shared cash, the count of open positions and each asset's signed size, lent to one
/// account while it acts.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
struct Ledger {
    #[serde(with = "crate::state_json::float")]
    cash: f64,
    open: usize,
    slots: Option<usize>,
    /// Per asset, [`units`] of its account (kept here, in one array the equity sum reads).
    #[serde(with = "crate::state_json::floats")]
    units: Vec<f64>,
    /// The assets with a position open, in universe order (the equity sums only these: a flat
    /// asset's 0.0 would leave the sum's bits as they are).
    holding: Vec<usize>,
    /// Per asset, what its open short holds back ([`Account::reserved`]); `shorts` counts them.
    #[serde(with = "crate::state_json::floats")]
    reserved: Vec<f64>,
    shorts: usize,
    /// Per asset, the first of its own bars from which its signals can act in its current
    /// state (0: work it out again; a change of position sets that).
    next: Vec<usize>,
    /// Free cash at most this (1e-9 of the initial capital) is what rounding left after an
    /// entry of all the cash, not cash: an entry finding only that does nothing.
    #[serde(with = "crate::state_json::float")]
    dust: f64,
}

impl Ledger {
    fn lend<R>(&mut self, i: usize, a: &mut Account, act: impl FnOnce(&mut Account) -> R) -> R {
        let was_open = a.position.is_some();
        a.cash = self.cash;
        let r = act(a);
        self.cash = a.cash;
        self.open = self.open + usize::from(a.position.is_some()) - usize::from(was_open);
        let now = units(a);
        if now != self.units[i] {
            match (self.units[i] != 0.0, now != 0.0) {
                (false, true) => {
                    let at = self.holding.partition_point(|&h| h < i);
                    self.holding.insert(at, i);
                }
                (true, false) => self.holding.retain(|&h| h != i),
                _ => {}
            }
            self.units[i] = now;
            self.next[i] = 0;
        }
        let (was_short, reserved) = (self.reserved[i] != 0.0, a.reserved());
        self.shorts = self.shorts + usize::from(reserved != 0.0) - usize::from(was_short);
        self.reserved[i] = reserved;
        r
    }

    /// The cash an entry may use: the cash less what the open shorts hold back (summed in
    /// universe order).
    fn free(&self) -> f64 {
        if self.shorts == 0 {
            return self.cash;
        }
        let mut held = 0.0;
        for &r in &self.reserved {
            held += r;
        }
        self.cash - held
    }

    /// The entry leg of `order` (if any) at `raw`, sized from the cash or from a free slot.
    #[allow(clippy::too_many_arguments)]
    fn enter(
        &mut self,
        i: usize,
        a: &mut Account,
        order: Order,
        t: usize,
        raw: f64,
        at_open: bool,
        sink: &mut impl StepSink,
    ) {
        if order == Order::Close {
            return;
        }
        let available = match self.slots {
            None => self.free(),
            Some(k) if self.open >= k => return,
            Some(k) => self.free() / (k - self.open) as f64,
        };
        if available <= self.dust {
            return;
        }
        self.lend(i, a, |a| {
            a.entry_leg(order, t, raw, at_open, available, sink)
        });
    }
}

/// Where a portfolio step gets each asset's signals: a batch run's word sets, or a live run's
/// streams.
pub(crate) trait AssetSignals {
    /// Asset `i`'s effective signals at its own bar `j`, or none when no signal can act in the
    /// account's state (`position`). `next` is the ledger's note for the asset: the first own
    /// bar from which its signals can act in that state (0: work it out again; a change of
    /// position resets it); a source may use it to skip bars.
    fn at(
        &mut self,
        i: usize,
        j: usize,
        position: Option<Side>,
        next: &mut usize,
    ) -> Option<BarSignals>;

    /// An order of asset `i` made at its own bar `j` waits for the next open: whether it can
    /// ever fill (a batch run knows an asset's last bar; a live run does not).
    fn schedule(&mut self, i: usize, j: usize) -> bool;
}

/// The batch run's signals: each asset's effective words, and its pending orders by the union
/// bar of their fill.
struct BatchSignals<'a, S> {
    universe: &'a Universe,
    signals: &'a mut [Effective<S>],
    /// (union bar of the fill, asset, own bar of the fill): a bar's fills come out in
    /// universe order.
    pending: BTreeSet<(usize, usize, usize)>,
}

impl<S: SignalWords> BatchSignals<'_, S> {
    /// The orders that fill at union bar `u`: (asset, its open), in universe order.
    fn due(&mut self, u: usize, out: &mut Vec<(usize, f64)>) {
        out.clear();
        while let Some(&(at, i, j)) = self.pending.first() {
            if at != u {
                break;
            }
            self.pending.pop_first();
            out.push((i, self.universe.own_bar(i, j).open));
        }
    }
}

impl<S: SignalWords> AssetSignals for BatchSignals<'_, S> {
    #[inline]
    fn at(
        &mut self,
        i: usize,
        j: usize,
        position: Option<Side>,
        next: &mut usize,
    ) -> Option<BarSignals> {
        // Only a bar where a signal of the account's state is set can ask for an order.
        if *next > j {
            return None;
        }
        let wake = match position {
            None => FLAT_WAKE,
            Some(Side::Long) => LONG_WAKE,
            Some(Side::Short) => SHORT_WAKE,
        };
        let woken = self.signals[i].next_wake(wake, j);
        *next = woken.max(j + 1);
        (woken == j).then(|| self.signals[i].at(j))
    }

    fn schedule(&mut self, i: usize, j: usize) -> bool {
        // It fills at the asset's next own bar; on its last it never does.
        match self.universe.union_bars(i).get(j + 1) {
            Some(&at) => {
                self.pending.insert((at, i, j + 1));
                true
            }
            None => false,
        }
    }
}

/// A portfolio run's state between union bars, advanced by [`step`](Self::step): what a batch
/// run loops over and a live run keeps (and saves).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub(crate) struct PortfolioState {
    #[serde(skip)]
    settings: Vec<ExecSettings>,
    #[serde(skip)]
    any_stops: bool,
    accounts: Vec<Account>,
    ledger: Ledger,
    closed: Closed,
    /// The accounts opened at this bar's open (their stops skip the open): reset on the next.
    opened: Vec<usize>,
    /// Per asset, the union bars whose close found its position open; and for the portfolio.
    held: Vec<usize>,
    exposed: usize,
    /// Union bars stepped.
    bars: usize,
    metrics: Option<MetricsState>,
    /// The non-zero returns so far, and a slot for the next.
    #[serde(with = "crate::state_json::floats")]
    returns: Vec<f64>,
    /// Per union bar when kept: the equity, the cash, and (bar-major) each asset's value.
    keep: bool,
    #[serde(with = "crate::state_json::floats")]
    equity: Vec<f64>,
    #[serde(with = "crate::state_json::floats")]
    cash: Vec<f64>,
    #[serde(with = "crate::state_json::floats")]
    rows: Vec<f64>,
    /// Scratch of one step: the close-fill orders, the assets stopped.
    #[serde(skip)]
    orders: Vec<(usize, f64, Order)>,
    #[serde(skip)]
    stopped: Vec<bool>,
}

impl PortfolioState {
    /// Before the first bar: `settings` per asset (initial capital and periods per year those
    /// of asset 0). Without `keep` only the metrics and the per-asset rows are made (a sweep's
    /// rows): no curves, no trade list. `bars`: how many union bars are coming, if known.
    pub(crate) fn new(
        settings: &[ExecSettings],
        slots: Option<usize>,
        keep: bool,
        bars: usize,
    ) -> Self {
        let m = settings.len();
        let first = settings[0];
        let reserve = if keep { bars } else { 0 };
        Self {
            settings: settings.to_vec(),
            any_stops: settings.iter().any(ExecSettings::has_stops),
            accounts: settings.iter().map(Account::new).collect(),
            ledger: Ledger {
                cash: first.initial_capital,
                open: 0,
                slots,
                units: vec![0.0; m],
                holding: Vec::with_capacity(m),
                reserved: vec![0.0; m],
                shorts: 0,
                next: vec![0; m],
                dust: 1e-9 * first.initial_capital,
            },
            closed: Closed {
                stats: TradeStats::default(),
                trades: Vec::new(),
                keep,
            },
            opened: Vec::new(),
            held: vec![0; m],
            exposed: 0,
            bars: 0,
            metrics: None,
            returns: vec![0.0; bars.max(1)],
            keep,
            equity: Vec::with_capacity(reserve),
            cash: Vec::with_capacity(reserve),
            rows: Vec::with_capacity(reserve * m),
            orders: Vec::with_capacity(m),
            stopped: vec![false; m],
        }
    }

    /// The same state keeping no trade list (a live run dates its trades as they close).
    pub(crate) fn without_trades(mut self) -> Self {
        self.closed.keep = false;
        self
    }

    pub(crate) fn accounts(&self) -> &[Account] {
        &self.accounts
    }

    /// The shared cash at the last close.
    pub(crate) fn cash(&self) -> f64 {
        self.ledger.cash
    }

    /// What to save: the state without the spare slot of its returns.
    pub(crate) fn saved(&self) -> Self {
        let mut s = self.clone();
        s.returns.truncate(self.metrics.map_or(0, |m| m.returns()));
        s
    }

    /// A saved state put back with the run's `settings` and `slots` (those it was made with);
    /// refused, saying what is wrong, when its parts do not hold together.
    pub(crate) fn resume(
        settings: &[ExecSettings],
        slots: Option<usize>,
        saved: Self,
    ) -> std::result::Result<Self, String> {
        let m = settings.len();
        let l = &saved.ledger;
        let sized = [
            saved.accounts.len(),
            l.units.len(),
            l.reserved.len(),
            l.next.len(),
            saved.held.len(),
        ];
        if sized.iter().any(|&n| n != m) {
            return Err(format!(
                "it holds {sized:?} per-asset entries for {m} assets"
            ));
        }
        let kept = saved.metrics.map_or(0, |m| m.returns());
        if saved.returns.len() != kept || saved.metrics.is_some() != (saved.bars > 0) {
            return Err(format!(
                "it holds {} returns and {} bars where its metrics count {kept}",
                saved.returns.len(),
                saved.bars
            ));
        }
        let n = saved.bars;
        let curves = [saved.equity.len(), saved.cash.len(), saved.rows.len()];
        if saved.keep && curves != [n, n, n * m] || !saved.keep && curves != [0, 0, 0] {
            return Err(format!("its curves have {curves:?} values for {n} bars"));
        }
        let holding: Vec<usize> = (0..m)
            .filter(|&i| units(&saved.accounts[i]) != 0.0)
            .collect();
        let open = saved
            .accounts
            .iter()
            .filter(|a| a.position.is_some())
            .count();
        let ledger_matches = l.slots == slots
            && l.open == open
            && l.holding == holding
            && saved
                .accounts
                .iter()
                .zip(&l.units)
                .all(|(a, &q)| units(a) == q)
            && saved
                .accounts
                .iter()
                .zip(&l.reserved)
                .all(|(a, &r)| a.reserved() == r)
            && l.shorts == l.reserved.iter().filter(|&&r| r != 0.0).count()
            && saved.opened.iter().all(|&i| i < m)
            && saved.closed.trades.iter().all(|&(i, _)| i < m);
        if !ledger_matches {
            return Err("its cash ledger does not match its accounts".into());
        }
        let accounts = saved
            .accounts
            .into_iter()
            .zip(settings)
            .map(|(a, s)| Account::resume(s, a))
            .collect();
        Ok(Self {
            settings: settings.to_vec(),
            any_stops: settings.iter().any(ExecSettings::has_stops),
            accounts,
            orders: Vec::with_capacity(m),
            stopped: vec![false; m],
            ..saved
        })
    }

    /// Union bar `u`: `active` the assets with a bar then (asset, own bar index), in universe
    /// order, with their prices `bars`; `due` the pending orders that fill at its open (asset,
    /// open), in universe order; `marks` each asset's last close (0.0 before its first bar).
    /// What each asset does goes to `events`. Returns the equity at the close.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn step<E: PortfolioEvents>(
        &mut self,
        u: usize,
        active: &[(usize, usize)],
        bars: &[Bar],
        due: &[(usize, f64)],
        marks: &[f64],
        signals: &mut impl AssetSignals,
        events: &mut E,
    ) -> f64 {
        let Self {
            settings,
            accounts,
            ledger,
            closed,
            opened,
            orders,
            stopped,
            ..
        } = self;
        // 1. Pending orders at the open: every exit, then every entry.
        for i in opened.drain(..) {
            accounts[i].opened_at_open = false;
        }
        for &(i, open) in due {
            let a = &mut accounts[i];
            let order = a.pending.expect("a due order");
            let mut sink = AssetSink { i, closed, events };
            ledger.lend(i, a, |a| a.exit_leg(order, u, open, &mut sink));
        }
        for &(i, open) in due {
            let a = &mut accounts[i];
            let order = a.pending.take().expect("a due order");
            let mut sink = AssetSink { i, closed, events };
            ledger.enter(i, a, order, u, open, true, &mut sink);
            if a.opened_at_open {
                opened.push(i);
            }
        }
        // 2. Stops. Open positions with stops: the phase that finds none is skipped.
        if self.any_stops && ledger.open > 0 {
            for (&(i, _), b) in active.iter().zip(bars) {
                // The signed sizes sit in one array: a flat asset costs one read.
                let mut sink = AssetSink { i, closed, events };
                stopped[i] = ledger.units[i] != 0.0
                    && settings[i].has_stops()
                    && ledger.lend(i, &mut accounts[i], |a| a.stops(u, b, &mut sink));
            }
        }
        // 3. Signals: a close fill's exits, then its entries; a next-open order waits.
        orders.clear();
        for (&(i, j), b) in active.iter().zip(bars) {
            if std::mem::take(&mut stopped[i]) {
                continue;
            }
            let a = &mut accounts[i];
            let Some(sig) = signals.at(i, j, a.position, &mut ledger.next[i]) else {
                continue;
            };
            if let Some(order) = a.order_for(sig) {
                events.ordered(i, order, a.position);
                match settings[i].fill {
                    Fill::Close => orders.push((i, b.close, order)),
                    Fill::NextOpen => {
                        if signals.schedule(i, j) {
                            a.pending = Some(order);
                        }
                    }
                }
            }
        }
        for &(i, close, order) in orders.iter() {
            let mut sink = AssetSink { i, closed, events };
            ledger.lend(i, &mut accounts[i], |a| {
                a.exit_leg(order, u, close, &mut sink)
            });
        }
        for &(i, close, order) in orders.iter() {
            let mut sink = AssetSink { i, closed, events };
            ledger.enter(i, &mut accounts[i], order, u, close, false, &mut sink);
        }
        // 4. Equity at the close: the cash, then each asset's value in universe order (a flat
        // one's is 0.0, which leaves the sum's bits as they are).
        let m = accounts.len();
        let mut e = ledger.cash;
        let row = self.rows.len();
        if self.keep {
            self.rows.resize(row + m, 0.0);
        }
        for &i in &ledger.holding {
            let v = ledger.units[i] * marks[i];
            e += v;
            self.held[i] += 1;
            if self.keep {
                self.rows[row + i] = v;
            }
        }
        self.exposed += usize::from(ledger.open > 0);
        if self.keep {
            self.equity.push(e);
            self.cash.push(ledger.cash);
        }
        // Bar 0 sets the first peak of the drawdown.
        let state = self
            .metrics
            .unwrap_or_else(|| MetricsState::new(settings[0].initial_capital, e));
        // A batch run's returns are sized for its bars; a live run's grow by one when needed.
        if self.returns.len() <= state.returns() {
            self.returns.push(0.0);
        }
        let mut acc = MetricsAccumulator::resume(state, &mut self.returns);
        acc.push(u, e);
        self.metrics = Some(acc.state());
        self.bars = u + 1;
        e
    }

    /// The run's result after the bars stepped (at least one), for `assets` (a subset of the
    /// universe's, in its order: a live run's started ones; their indices into the state);
    /// `buy_and_hold` the equal-weight buy and hold return.
    pub(crate) fn result(&self, assets: &[(usize, &str)], buy_and_hold: f64) -> PortfolioRun {
        let n = self.bars;
        let first = self.settings[0];
        let mut returns = self.returns.clone();
        let mut acc = MetricsAccumulator::resume(
            self.metrics.expect("a portfolio result needs a bar"),
            &mut returns,
        );
        acc.exposed_bars = self.exposed;
        let mut metrics = acc.finish(n, first.periods_per_year, &self.closed.stats);
        metrics.buy_and_hold_return = buy_and_hold;
        let m = self.accounts.len();
        let summaries = assets
            .iter()
            .map(|&(i, symbol)| {
                let (a, h) = (&self.accounts[i], self.held[i]);
                AssetSummary {
                    symbol: symbol.to_string(),
                    trade_count: a.stats.closed,
                    pnl: a.stats.pnl_sum,
                    win_rate: if a.stats.closed == 0 {
                        0.0
                    } else {
                        a.stats.wins as f64 / a.stats.closed as f64 * 100.0
                    },
                    exposure: h as f64 / n as f64,
                }
            })
            .collect();
        // Rows and trades over the given assets only, renumbered in their order.
        let every = assets.len() == m;
        let position_rows = if every {
            self.rows.clone()
        } else {
            self.rows
                .chunks(m)
                .flat_map(|row| assets.iter().map(move |&(i, _)| row[i]))
                .collect()
        };
        let renumber = |i: usize| {
            assets
                .iter()
                .position(|&(k, _)| k == i)
                .expect("a trade of a given asset")
        };
        PortfolioRun {
            metrics,
            equity: self.equity.clone(),
            cash: self.cash.clone(),
            trades: self
                .closed
                .trades
                .iter()
                .map(|&(i, t)| (if every { i } else { renumber(i) }, t))
                .collect(),
            assets: summaries,
            position_rows,
            exposed_bars: self.exposed,
        }
    }

    /// Consumes the state into the batch result over every asset (no copies of the curves).
    fn into_result(mut self, assets: &[(usize, &str)], buy_and_hold: f64) -> PortfolioRun {
        let (equity, cash, rows, trades) = (
            std::mem::take(&mut self.equity),
            std::mem::take(&mut self.cash),
            std::mem::take(&mut self.rows),
            std::mem::take(&mut self.closed.trades),
        );
        let mut r = self.result(assets, buy_and_hold);
        (r.equity, r.cash, r.position_rows, r.trades) = (equity, cash, rows, trades);
        r
    }
}

/// The equal-weight buy and hold return of `assets`: each one's `last / first - 1`, summed in
/// order, over their count.
pub(crate) fn buy_and_hold(assets: impl ExactSizeIterator<Item = (f64, f64)>) -> f64 {
    let m = assets.len();
    let mut bh = 0.0;
    for (first, last) in assets {
        bh += last / first - 1.0;
    }
    bh / m as f64
}

/// Runs `signals` (one per asset, on its own bars) over the universe; `settings` per asset
/// (initial capital and periods per year those of asset 0). Without `keep` only the metrics
/// and the per-asset rows are made (a sweep's rows): no curves, no trade list.
pub(crate) fn run<S: SignalWords>(
    universe: &Universe,
    signals: &mut [Effective<S>],
    settings: &[ExecSettings],
    slots: Option<usize>,
    keep: bool,
) -> PortfolioRun {
    let n = universe.len();
    let mut state = PortfolioState::new(settings, slots, keep, n);
    let mut source = BatchSignals {
        universe,
        signals,
        pending: BTreeSet::new(),
    };
    let mut due = Vec::new();
    for u in 0..n {
        source.due(u, &mut due);
        let (active, bars) = (universe.active(u), universe.active_bars(u));
        state.step(
            u,
            active,
            bars,
            &due,
            universe.marks(u),
            &mut source,
            &mut (),
        );
    }
    let assets = universe.assets();
    let named: Vec<(usize, &str)> = assets.iter().map(|a| a.symbol()).enumerate().collect();
    let bh = buy_and_hold(assets.iter().map(|a| {
        let c = a.close();
        (c[0], c[c.len() - 1])
    }));
    state.into_result(&named, bh)
}
