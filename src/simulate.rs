//! The SMA-crossover simulation, long only (docs/CONVENTIONS.md, "Simulation").

use crate::data::MarketData;
use crate::metrics::{Metrics, MetricsAccumulator};
use crate::params::{Fill, Settings};

/// A closed round trip. Indices are 0-based bars; `return_pct` is a fraction of the entry cost.
#[derive(Debug, Clone, PartialEq)]
pub struct Trade {
    pub entry_index: usize,
    pub exit_index: usize,
    pub entry_date: String,
    pub exit_date: String,
    pub entry_price: f64,
    pub exit_price: f64,
    pub size: f64,
    /// Net of both commissions.
    pub pnl: f64,
    /// `pnl / (size * entry_price * (1 + commission_rate))`.
    pub return_pct: f64,
    pub bars_held: usize,
}

/// A closed trade before dates are attached (what the grid's inner loop produces).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct RawTrade {
    pub entry_index: usize,
    pub exit_index: usize,
    pub entry_price: f64,
    pub exit_price: f64,
    pub size: f64,
    pub pnl: f64,
    pub return_pct: f64,
}

impl RawTrade {
    pub(crate) fn with_dates(&self, dates: &[String]) -> Trade {
        Trade {
            entry_index: self.entry_index,
            exit_index: self.exit_index,
            entry_date: dates[self.entry_index].clone(),
            exit_date: dates[self.exit_index].clone(),
            entry_price: self.entry_price,
            exit_price: self.exit_price,
            size: self.size,
            pnl: self.pnl,
            return_pct: self.return_pct,
            bars_held: self.exit_index - self.entry_index,
        }
    }
}

/// What the simulation tells the metrics besides the equity curve.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct TradeTally {
    pub closed: usize,
    pub wins: usize,
}

#[derive(Clone, Copy, PartialEq)]
enum Order {
    Buy,
    Sell,
}

/// Cash, the open position, and how it was opened.
struct Account {
    cash: f64,
    size: f64,
    long: bool,
    entry_index: usize,
    entry_price: f64,
    entry_cost: f64,
    buy_factor: f64,
    sell_factor: f64,
    lot_size: f64,
}

impl Account {
    fn new(settings: &Settings) -> Self {
        Self {
            cash: settings.initial_capital,
            size: 0.0,
            long: false,
            entry_index: 0,
            entry_price: 0.0,
            entry_cost: 0.0,
            buy_factor: 1.0 + settings.commission_rate,
            sell_factor: 1.0 - settings.commission_rate,
            lot_size: settings.lot_size,
        }
    }

    /// All cash in; a size rounded down to zero lots is no trade.
    fn buy(&mut self, t: usize, price: f64) {
        let mut q = self.cash / (price * self.buy_factor);
        if self.lot_size > 0.0 {
            q = (q / self.lot_size).floor() * self.lot_size;
        }
        if q > 0.0 {
            let cost = q * price * self.buy_factor;
            self.cash -= cost;
            self.size = q;
            self.long = true;
            self.entry_index = t;
            self.entry_price = price;
            self.entry_cost = cost;
        }
    }

    /// Closes the position and returns the round trip.
    fn sell(&mut self, t: usize, price: f64) -> RawTrade {
        let proceeds = self.size * price * self.sell_factor;
        self.cash += proceeds;
        let pnl = proceeds - self.entry_cost;
        let trade = RawTrade {
            entry_index: self.entry_index,
            exit_index: t,
            entry_price: self.entry_price,
            exit_price: price,
            size: self.size,
            pnl,
            return_pct: pnl / self.entry_cost,
        };
        self.size = 0.0;
        self.long = false;
        trade
    }
}

/// The first bar `u >= from` (`from >= 1`) where `fast` crosses above `slow`
/// (`fast[u-1] < slow[u-1]` and `fast[u] > slow[u]`), or the number of bars. One load per
/// series per bar: the previous bar's comparison is carried along.
#[inline]
fn next_cross_up(fast: &[f64], slow: &[f64], from: usize) -> usize {
    let n = fast.len().min(slow.len());
    if from >= n {
        return n;
    }
    let mut below = fast[from - 1] < slow[from - 1];
    for (i, (&f, &s)) in fast[from..n].iter().zip(&slow[from..n]).enumerate() {
        if below && f > s {
            return from + i;
        }
        below = f < s;
    }
    n
}

/// The equity curve and closed trades, for callers that want more than metrics.
#[derive(Debug, Default)]
pub(crate) struct Details {
    pub equity: Vec<f64>,
    pub trades: Vec<RawTrade>,
}

/// Runs the strategy over `data`'s bars and returns its metrics. `fast` and `slow` are the two
/// SMAs of `close` (NaN where undefined); `returns` is scratch space for the metrics; with
/// `details`, every bar's equity and every closed trade are recorded too.
///
/// Out of the market with nothing traded on a bar, equity is the cash, unchanged since the last
/// bar, so the metrics are not fed (see [`MetricsAccumulator`]): a grid pays per bar only for
/// the signal test there.
pub(crate) fn simulate(
    data: &MarketData,
    fast: &[f64],
    slow: &[f64],
    slow_period: usize,
    settings: &Settings,
    returns: &mut Vec<f64>,
    mut details: Option<&mut Details>,
) -> Metrics {
    let (open, close) = (data.open(), data.close());
    let n = close.len();
    // Equal lengths up front let the compiler drop the bounds checks in the loop.
    let (open, fast, slow) = (&open[..n], &fast[..n], &slow[..n]);
    let mut account = Account::new(settings);
    // Bar 0 never trades (signals start at `slow_period >= 2`): its equity is the capital.
    let mut metrics = MetricsAccumulator::new(
        settings.initial_capital,
        settings.initial_capital,
        n,
        returns,
    );
    let mut pending: Option<Order> = None;
    let mut tally = TradeTally::default();
    if let Some(d) = details.as_deref_mut() {
        d.equity.reserve(n);
    }
    let mut execute =
        |account: &mut Account, details: Option<&mut Details>, order, t, price| match order {
            Order::Buy => account.buy(t, price),
            Order::Sell => {
                let trade = account.sell(t, price);
                tally.closed += 1;
                tally.wins += usize::from(trade.pnl > 0.0);
                if let Some(d) = details {
                    d.trades.push(trade);
                }
            }
        };

    let mut t = 0;
    while t < n {
        // Fast paths for runs of bars with no order pending and no signal, which is almost every
        // bar: they do what the general step below would do, in tight loops.
        if pending.is_none() {
            if !account.long {
                // Flat: equity is the cash, unchanged; only look for the next cross up.
                let u = next_cross_up(fast, slow, t.max(slow_period));
                if let Some(d) = details.as_deref_mut() {
                    let e = account.cash + account.size * close[t];
                    d.equity.extend(std::iter::repeat_n(e, u - t));
                }
                t = u;
            } else {
                // Long (so past `slow_period`): mark to market until the next cross down.
                debug_assert!(t > slow_period);
                let mut above = fast[t - 1] > slow[t - 1];
                let mut u = t;
                while u < n {
                    let (f, s) = (fast[u], slow[u]);
                    if above && f < s {
                        break;
                    }
                    above = f > s;
                    let e = account.cash + account.size * close[u];
                    metrics.push(e);
                    if let Some(d) = details.as_deref_mut() {
                        d.equity.push(e);
                    }
                    u += 1;
                }
                t = u;
            }
            if t >= n {
                break;
            }
        }
        // The general step: a pending fill at the open, the signal, the close.
        let mut traded = false;
        if let Some(order) = pending.take() {
            execute(&mut account, details.as_deref_mut(), order, t, open[t]);
            traded = true;
        }
        if t >= slow_period {
            let (f0, s0, f1, s1) = (fast[t - 1], slow[t - 1], fast[t], slow[t]);
            let signal = if !account.long && f0 < s0 && f1 > s1 {
                Some(Order::Buy)
            } else if account.long && f0 > s0 && f1 < s1 {
                Some(Order::Sell)
            } else {
                None
            };
            if let Some(order) = signal {
                match settings.fill {
                    Fill::Close => {
                        execute(&mut account, details.as_deref_mut(), order, t, close[t]);
                        traded = true;
                    }
                    Fill::NextOpen if t + 1 < n => pending = Some(order),
                    Fill::NextOpen => {}
                }
            }
        }
        if account.long || traded {
            let e = account.cash + account.size * close[t];
            metrics.push(e);
            if let Some(d) = details.as_deref_mut() {
                d.equity.push(e);
            }
        } else if let Some(d) = details.as_deref_mut() {
            // Flat: `cash + 0.0 * close[t]` is the cash.
            d.equity.push(account.cash + account.size * close[t]);
        }
        t += 1;
    }
    metrics.finish(n, settings.periods_per_year, tally.closed, tally.wins)
}
