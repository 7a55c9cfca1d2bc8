//! A batch run over all bars: the per-bar step where something can happen, and tight loops
//! over the stretches where nothing can (same operations, same results).

use super::account::{Account, Bar, BarSignals};
use super::settings::{Direction, ExecSettings};
use super::trade::{RawTrade, Side};
use crate::bits::Bits;
use crate::data::MarketData;
use crate::metrics::{Metrics, MetricsAccumulator};

/// A strategy's four signal series, as evaluated (before conflicts and direction).
#[derive(Debug, Clone)]
pub struct SignalSet {
    pub entry: Option<Bits>,
    pub exit: Option<Bits>,
    pub short_entry: Option<Bits>,
    pub short_exit: Option<Bits>,
}

/// What execution reads: the effective signals and, per state, the bars that can change it.
pub(crate) struct Effective {
    long_entry: Bits,
    long_exit: Bits,
    short_entry: Bits,
    short_exit: Bits,
    /// Flat: a bar with an entry of either side.
    flat_wake: Bits,
    long_wake: Bits,
    short_wake: Bits,
}

impl Effective {
    pub(crate) fn new(signals: &SignalSet, direction: Direction, bars: usize) -> Self {
        let none = Bits::zeros(bars);
        let pick = |b: &Option<Bits>| b.clone().unwrap_or_else(|| none.clone());
        let (mut le, mut lx) = (pick(&signals.entry), pick(&signals.exit));
        let (mut se, mut sx) = (pick(&signals.short_entry), pick(&signals.short_exit));
        // An entry and an exit of one side on one bar cancel.
        (le, lx) = (le.and_not(&lx), lx.and_not(&le));
        (se, sx) = (se.and_not(&sx), sx.and_not(&se));
        match direction {
            Direction::LongOnly => (se, sx) = (none.clone(), none.clone()),
            Direction::ShortOnly => (le, lx) = (none.clone(), none.clone()),
            Direction::Both => {}
        }
        Self {
            flat_wake: le.or(&se),
            long_wake: se.or(&lx),
            short_wake: le.or(&sx),
            long_entry: le,
            long_exit: lx,
            short_entry: se,
            short_exit: sx,
        }
    }

    #[inline(always)]
    fn at(&self, t: usize) -> BarSignals {
        BarSignals {
            long_entry: self.long_entry.get(t),
            long_exit: self.long_exit.get(t),
            short_entry: self.short_entry.get(t),
            short_exit: self.short_exit.get(t),
        }
    }
}

/// The equity curve and closed trades, for callers that want more than metrics.
#[derive(Debug, Default)]
pub(crate) struct Details {
    pub equity: Vec<f64>,
    pub trades: Vec<RawTrade>,
}

/// Runs the signals over `data` and returns the metrics; `returns` is scratch for them; with
/// `details`, every bar's equity and every closed trade are kept too.
pub(crate) fn run(
    data: &MarketData,
    signals: &Effective,
    settings: &ExecSettings,
    returns: &mut Vec<f64>,
    mut details: Option<&mut Details>,
) -> Metrics {
    let (open, high, low, close) = (data.open(), data.high(), data.low(), data.close());
    let n = close.len();
    let bar = |t: usize| Bar {
        open: open[t],
        high: high[t],
        low: low[t],
        close: close[t],
    };
    let mut account = Account::new(settings);
    let mut trades = Vec::new();
    let keep = details.is_some();
    let mut sink = |trade: RawTrade| {
        if keep {
            trades.push(trade);
        }
    };
    // Bar 0 sets the first peak of the drawdown.
    let e0 = account.step(0, &bar(0), signals.at(0), &mut sink);
    let mut metrics = MetricsAccumulator::new(settings.initial_capital, e0, n, returns);
    metrics.push(0, e0);
    metrics.exposed_bars += usize::from(account.position.is_some());
    if let Some(d) = details.as_deref_mut() {
        d.equity.reserve(n);
        d.equity.push(e0);
    }
    let stops = settings.has_stops();
    let mut t = 1;
    while t < n {
        // Stretches with no order pending where no signal can act: flat, the equity is the
        // cash; in a position without stops, only the mark to market.
        if account.pending.is_none() {
            match account.position {
                None => {
                    let u = signals.flat_wake.next_set(t);
                    if let Some(d) = details.as_deref_mut() {
                        d.equity.extend(std::iter::repeat_n(account.cash, u - t));
                    }
                    t = u;
                }
                Some(side) if !stops => {
                    let wake = match side {
                        Side::Long => &signals.long_wake,
                        Side::Short => &signals.short_wake,
                    };
                    let u = wake.next_set(t);
                    for (i, &c) in close[t..u].iter().enumerate() {
                        let e = account.equity(c);
                        metrics.push(t + i, e);
                        if let Some(d) = details.as_deref_mut() {
                            d.equity.push(e);
                        }
                    }
                    metrics.exposed_bars += u - t;
                    t = u;
                }
                Some(_) => {}
            }
            if t >= n {
                break;
            }
        }
        let e = account.step(t, &bar(t), signals.at(t), &mut sink);
        metrics.push(t, e);
        metrics.exposed_bars += usize::from(account.position.is_some());
        if let Some(d) = details.as_deref_mut() {
            d.equity.push(e);
        }
        t += 1;
    }
    let mut m = metrics.finish(n, settings.periods_per_year, &account.stats);
    m.buy_and_hold_return = close[n - 1] / close[0] - 1.0;
    if let Some(d) = details {
        d.trades = trades;
    }
    m
}
