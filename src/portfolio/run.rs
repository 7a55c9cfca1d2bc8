//! A portfolio run: every asset's [`Account`] advanced by the single-asset step's own parts,
//! with one cash account lent to each in turn (docs/CONVENTIONS.md, "Portfolios").
//!
//! On each union bar, over the assets that have a bar then, in this order: the exits of the
//! pending orders at the open, then their entries (universe order); the stops; the signals,
//! whose exits fill before their entries on a close fill. An entry is sized from the free
//! cash at that moment (the cash less what open shorts hold back), or from an equal slot of it
//! (`max_positions`). Assets without a bar keep their position, valued at their last close.

use super::Universe;
use crate::execution::account::{Account, Order};
use crate::execution::run::{Effective, SignalWords, FLAT_WAKE, LONG_WAKE, SHORT_WAKE};
use crate::execution::settings::ExecSettings;
use crate::execution::trade::{RawTrade, Side};
use crate::metrics::{Metrics, MetricsAccumulator, TradeStats};
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
struct Closed {
    stats: TradeStats,
    trades: Vec<(usize, RawTrade)>,
    keep: bool,
}

impl Closed {
    /// Where asset `i`'s account sends the trades it closes.
    fn sink(&mut self, i: usize) -> impl FnMut(RawTrade) + '_ {
        move |t: RawTrade| {
            self.stats.record(t.pnl, t.return_pct);
            if self.keep {
                self.trades.push((i, t));
            }
        }
    }
}

/// The shared cash, the count of open positions and each asset's signed size, lent to one
/// account while it acts.
struct Ledger {
    cash: f64,
    open: usize,
    slots: Option<usize>,
    /// Per asset, [`units`] of its account (kept here, in one array the equity sum reads).
    units: Vec<f64>,
    /// The assets with a position open, in universe order (the equity sums only these: a flat
    /// asset's 0.0 would leave the sum's bits as they are).
    holding: Vec<usize>,
    /// Per asset, what its open short holds back ([`Account::reserved`]); `shorts` counts them.
    reserved: Vec<f64>,
    shorts: usize,
    /// Per asset, the first of its own bars from which its signals can act in its current
    /// state (0: work it out again; a change of position sets that).
    next: Vec<usize>,
    /// Free cash at most this (1e-9 of the initial capital) is what rounding left after an
    /// entry of all the cash, not cash: an entry finding only that does nothing.
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
    fn enter(
        &mut self,
        i: usize,
        a: &mut Account,
        order: Order,
        t: usize,
        raw: f64,
        at_open: bool,
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
        // An entry closes nothing: its sink is never called.
        self.lend(i, a, |a| {
            a.entry_leg(order, t, raw, at_open, available, &mut |_: RawTrade| {})
        });
    }
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
    let assets = universe.assets();
    let (m, n) = (assets.len(), universe.len());
    let first = settings[0];
    let mut accounts: Vec<Account> = settings.iter().map(Account::new).collect();
    let mut ledger = Ledger {
        cash: first.initial_capital,
        open: 0,
        slots,
        units: vec![0.0; m],
        holding: Vec::with_capacity(m),
        reserved: vec![0.0; m],
        shorts: 0,
        next: vec![0; m],
        dust: 1e-9 * first.initial_capital,
    };
    let mut closed = Closed {
        stats: TradeStats::default(),
        trades: Vec::new(),
        keep,
    };
    // The accounts opened at this bar's open (their stops skip the open): reset on the next.
    let mut opened: Vec<usize> = Vec::new();
    // The pending orders by the union bar (and own bar) of their fill, then asset: a bar's
    // fills come out in universe order. Open positions with stops: the phase that finds none
    // is skipped.
    let mut pending: BTreeSet<(usize, usize, usize)> = BTreeSet::new();
    let mut due: Vec<(usize, usize)> = Vec::new();
    let any_stops = settings.iter().any(ExecSettings::has_stops);
    let mut held = vec![0usize; m];
    let mut exposed = 0usize;
    let reserve = if keep { n } else { 0 };
    let (mut equity, mut cash) = (Vec::with_capacity(reserve), Vec::with_capacity(reserve));
    // Bar-major while running (one row a bar), columns at the end.
    let mut rows: Vec<f64> = Vec::with_capacity(reserve * m);
    // The close-fill orders of a bar.
    let mut orders: Vec<(usize, f64, Order)> = Vec::with_capacity(m);
    let mut stopped = vec![false; m];
    let mut returns = Vec::new();
    let mut metrics: Option<MetricsAccumulator<'_>> = None;
    for u in 0..n {
        let (active, bars) = (universe.active(u), universe.active_bars(u));
        // 1. Pending orders at the open: every exit, then every entry.
        for i in opened.drain(..) {
            accounts[i].opened_at_open = false;
        }
        due.clear();
        while let Some(&(at, i, j)) = pending.first() {
            if at != u {
                break;
            }
            pending.pop_first();
            due.push((i, j));
        }
        let own_bar = |i: usize, j: usize| universe.own_bar(i, j);
        for &(i, j) in &due {
            let a = &mut accounts[i];
            let (order, open) = (a.pending.expect("a due order"), own_bar(i, j).open);
            ledger.lend(i, a, |a| a.exit_leg(order, u, open, &mut closed.sink(i)));
        }
        for &(i, j) in &due {
            let a = &mut accounts[i];
            let order = a.pending.take().expect("a due order");
            ledger.enter(i, a, order, u, own_bar(i, j).open, true);
            if a.opened_at_open {
                opened.push(i);
            }
        }
        // 2. Stops.
        if any_stops && ledger.open > 0 {
            for (&(i, _), b) in active.iter().zip(bars) {
                // The signed sizes sit in one array: a flat asset costs one read.
                stopped[i] = ledger.units[i] != 0.0
                    && settings[i].has_stops()
                    && ledger.lend(i, &mut accounts[i], |a| a.stops(u, b, &mut closed.sink(i)));
            }
        }
        // 3. Signals: a close fill's exits, then its entries; a next-open order waits.
        orders.clear();
        for (&(i, j), b) in active.iter().zip(bars) {
            if std::mem::take(&mut stopped[i]) {
                continue;
            }
            // Only a bar where a signal of the account's state is set can ask for an order.
            if ledger.next[i] > j {
                continue;
            }
            let a = &mut accounts[i];
            let wake = match a.position {
                None => FLAT_WAKE,
                Some(Side::Long) => LONG_WAKE,
                Some(Side::Short) => SHORT_WAKE,
            };
            let woken = signals[i].next_wake(wake, j);
            ledger.next[i] = woken.max(j + 1);
            if woken != j {
                continue;
            }
            if let Some(order) = a.order_for(signals[i].at(j)) {
                match settings[i].fill {
                    Fill::Close => orders.push((i, b.close, order)),
                    Fill::NextOpen => {
                        // It fills at the asset's next own bar; on its last it never does.
                        if let Some(&at) = universe.union_bars(i).get(j + 1) {
                            a.pending = Some(order);
                            pending.insert((at, i, j + 1));
                        }
                    }
                }
            }
        }
        for &(i, close, order) in &orders {
            ledger.lend(i, &mut accounts[i], |a| {
                a.exit_leg(order, u, close, &mut closed.sink(i))
            });
        }
        for &(i, close, order) in &orders {
            ledger.enter(i, &mut accounts[i], order, u, close, false);
        }
        // 4. Equity at the close: the cash, then each asset's value in universe order (a flat
        // one's is 0.0, which leaves the sum's bits as they are).
        let mut e = ledger.cash;
        let marks = universe.marks(u);
        let row = rows.len();
        if keep {
            rows.resize(row + m, 0.0);
        }
        for &i in &ledger.holding {
            let v = ledger.units[i] * marks[i];
            e += v;
            held[i] += 1;
            if keep {
                rows[row + i] = v;
            }
        }
        exposed += usize::from(ledger.open > 0);
        if keep {
            equity.push(e);
            cash.push(ledger.cash);
        }
        match metrics.as_mut() {
            Some(acc) => acc.push(u, e),
            None => {
                // Bar 0 sets the first peak of the drawdown.
                let mut acc = MetricsAccumulator::new(first.initial_capital, e, n, &mut returns);
                acc.push(u, e);
                metrics = Some(acc);
            }
        }
    }
    let mut acc = metrics.expect("a universe has at least one bar");
    acc.exposed_bars = exposed;
    let mut metrics = acc.finish(n, first.periods_per_year, &closed.stats);
    let mut bh = 0.0;
    for a in assets {
        let c = a.close();
        bh += c[c.len() - 1] / c[0] - 1.0;
    }
    metrics.buy_and_hold_return = bh / m as f64;
    let summaries = accounts
        .iter()
        .zip(assets)
        .zip(&held)
        .map(|((a, data), &h)| AssetSummary {
            symbol: data.symbol().to_string(),
            trade_count: a.stats.closed,
            pnl: a.stats.pnl_sum,
            win_rate: if a.stats.closed == 0 {
                0.0
            } else {
                a.stats.wins as f64 / a.stats.closed as f64 * 100.0
            },
            exposure: h as f64 / n as f64,
        })
        .collect();
    PortfolioRun {
        metrics,
        equity,
        cash,
        trades: closed.trades,
        assets: summaries,
        position_rows: rows,
    }
}
