//! The metrics' accumulator: fed each bar's equity as a run makes it (docs/CONVENTIONS.md,
//! "Metrics").

use super::Metrics;

/// What the closed trades tell the metrics, summed in trade order.
#[derive(Debug, Clone, Copy, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub(crate) struct TradeStats {
    pub closed: usize,
    pub wins: usize,
    #[serde(with = "crate::state_json::float")]
    pub gross_profit: f64,
    #[serde(with = "crate::state_json::float")]
    pub gross_loss: f64,
    #[serde(with = "crate::state_json::float")]
    pub pnl_sum: f64,
    #[serde(with = "crate::state_json::float")]
    pub best: f64,
    #[serde(with = "crate::state_json::float")]
    pub worst: f64,
}

impl TradeStats {
    pub(crate) fn record(&mut self, pnl: f64, return_pct: f64) {
        if self.closed == 0 {
            self.best = return_pct;
            self.worst = return_pct;
        } else {
            self.best = self.best.max(return_pct);
            self.worst = self.worst.min(return_pct);
        }
        self.closed += 1;
        self.pnl_sum += pnl;
        if pnl > 0.0 {
            self.wins += 1;
            self.gross_profit += pnl;
        } else if pnl < 0.0 {
            self.gross_loss -= pnl;
        }
    }
}

/// Computes the metrics of `equity` (one value per bar, at least one) started from
/// `initial_capital`, with `trade_count` closed trades of which `wins` made money.
pub fn compute(
    equity: &[f64],
    initial_capital: f64,
    periods_per_year: f64,
    trade_count: usize,
    wins: usize,
) -> Metrics {
    let mut returns = Vec::new();
    let mut acc = MetricsAccumulator::new(initial_capital, equity[0], equity.len(), &mut returns);
    for (t, &e) in equity.iter().enumerate() {
        acc.push(t, e);
    }
    let stats = TradeStats {
        closed: trade_count,
        wins,
        ..TradeStats::default()
    };
    acc.finish(equity.len(), periods_per_year, &stats)
}

/// The metrics' first pass, fed each bar's equity as the simulation makes it; the non-zero
/// returns are kept (in a buffer a grid worker reuses) for the variance's second pass.
///
/// A bar whose equity equals the last one's may be pushed or not at all, with the same result
/// to the bit: its return is exactly 0 (`e / e - 1.0 == 0.0`), its drawdown equals the last
/// bar's, and the variance adds the zero returns' squared deviations as one product, as
/// docs/CONVENTIONS.md defines it. That is what lets the simulation skip the bars where it is
/// out of the market.
pub(crate) struct MetricsAccumulator<'a> {
    /// At least one slot per bar; the first `count` hold the non-zero returns. Written by index
    /// (not pushed): the hot loop then keeps no vector length in memory.
    returns: &'a mut [f64],
    count: usize,
    prev: f64,
    sum: f64,
    downside_sq: f64,
    peak: f64,
    max_drawdown: f64,
    /// The first bar of the current run below the peak, if equity is below it.
    below_since: Option<usize>,
    max_drawdown_duration: usize,
    /// Bars that ended with a position open (the runner counts them).
    pub(crate) exposed_bars: usize,
    initial_capital: f64,
}

/// An accumulator's sums without its returns buffer: what a live run keeps between bars (and
/// saves), lending it the buffer for each push.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub(crate) struct MetricsState {
    count: usize,
    #[serde(with = "crate::state_json::float")]
    prev: f64,
    #[serde(with = "crate::state_json::float")]
    sum: f64,
    #[serde(with = "crate::state_json::float")]
    downside_sq: f64,
    #[serde(with = "crate::state_json::float")]
    peak: f64,
    #[serde(with = "crate::state_json::float")]
    max_drawdown: f64,
    below_since: Option<usize>,
    max_drawdown_duration: usize,
    exposed_bars: usize,
    #[serde(with = "crate::state_json::float")]
    initial_capital: f64,
}

impl MetricsState {
    /// No bar pushed yet; `first_equity` is bar 0's (the first peak).
    pub(crate) fn new(initial_capital: f64, first_equity: f64) -> Self {
        MetricsAccumulator::new(initial_capital, first_equity, 0, &mut Vec::new()).state()
    }

    /// The returns the sums were made of (the first slots of the buffer it is resumed on).
    pub(crate) fn returns(&self) -> usize {
        self.count
    }
}

impl<'a> MetricsAccumulator<'a> {
    /// The sums so far.
    pub(crate) fn state(&self) -> MetricsState {
        MetricsState {
            count: self.count,
            prev: self.prev,
            sum: self.sum,
            downside_sq: self.downside_sq,
            peak: self.peak,
            max_drawdown: self.max_drawdown,
            below_since: self.below_since,
            max_drawdown_duration: self.max_drawdown_duration,
            exposed_bars: self.exposed_bars,
            initial_capital: self.initial_capital,
        }
    }

    /// The accumulator of `state` on `buffer`, whose first `state.returns()` slots hold its
    /// returns and which has a slot for each push to come.
    pub(crate) fn resume(state: MetricsState, buffer: &'a mut [f64]) -> Self {
        Self {
            returns: buffer,
            count: state.count,
            prev: state.prev,
            sum: state.sum,
            downside_sq: state.downside_sq,
            peak: state.peak,
            max_drawdown: state.max_drawdown,
            below_since: state.below_since,
            max_drawdown_duration: state.max_drawdown_duration,
            exposed_bars: state.exposed_bars,
            initial_capital: state.initial_capital,
        }
    }

    /// `first_equity` is the equity of bar 0 (the first peak); `bars` the most pushes to come.
    /// `buffer` is grown to `bars` slots once and reused as is afterwards.
    pub(crate) fn new(
        initial_capital: f64,
        first_equity: f64,
        bars: usize,
        buffer: &'a mut Vec<f64>,
    ) -> Self {
        if buffer.len() < bars {
            buffer.resize(bars, 0.0);
        }
        Self {
            returns: buffer.as_mut_slice(),
            count: 0,
            prev: initial_capital,
            sum: 0.0,
            downside_sq: 0.0,
            peak: first_equity,
            max_drawdown: 0.0,
            below_since: None,
            max_drawdown_duration: 0,
            exposed_bars: 0,
            initial_capital,
        }
    }

    /// Bar `t`'s equity (bars in increasing order).
    #[inline(always)]
    pub(crate) fn push(&mut self, t: usize, e: f64) {
        self.push_all(t, std::iter::once(e));
    }

    /// The equity of a stretch in the market: `cash + q * close[i]` (long) or
    /// `cash - q * close[i]` (short) for bars `t0, t0 + 1, ...`. Its own function, so that the
    /// loop keeps the sums in registers (inside a large caller they were kept in memory).
    #[inline(never)]
    pub(crate) fn push_marked(&mut self, t0: usize, closes: &[f64], cash: f64, q: f64, long: bool) {
        if long {
            self.push_all(t0, closes.iter().map(|&c| cash + q * c));
        } else {
            self.push_all(t0, closes.iter().map(|&c| cash - q * c));
        }
    }

    /// The equity of bars `t0, t0 + 1, ...` (a function of its own: its loop keeps the sums
    /// in registers).
    #[inline(never)]
    pub(crate) fn push_slice(&mut self, t0: usize, equity: &[f64]) {
        self.push_all(t0, equity.iter().copied());
    }

    /// The equity of bars `t0, t0 + 1, ...`, in order, the state held in locals for the loop.
    #[inline(always)]
    fn push_all(&mut self, t0: usize, equity: impl Iterator<Item = f64>) {
        let returns = &mut *self.returns;
        let (mut count, mut prev, mut sum, mut downside_sq) =
            (self.count, self.prev, self.sum, self.downside_sq);
        let (mut peak, mut max_drawdown) = (self.peak, self.max_drawdown);
        let (mut below_since, mut longest) = (self.below_since, self.max_drawdown_duration);
        for (i, e) in equity.enumerate() {
            if e == prev {
                continue;
            }
            let t = t0 + i;
            let r = e / prev - 1.0;
            returns[count] = r;
            count += 1;
            sum += r;
            if r < 0.0 {
                downside_sq += r * r;
            }
            prev = e;
            if e >= peak {
                peak = e;
                if let Some(start) = below_since.take() {
                    longest = longest.max(t - start);
                }
            } else {
                if below_since.is_none() {
                    below_since = Some(t);
                }
                let drawdown = 1.0 - e / peak;
                if drawdown > max_drawdown {
                    max_drawdown = drawdown;
                }
            }
        }
        (self.count, self.prev, self.sum, self.downside_sq) = (count, prev, sum, downside_sq);
        (self.peak, self.max_drawdown) = (peak, max_drawdown);
        (self.below_since, self.max_drawdown_duration) = (below_since, longest);
    }

    /// The metrics of a curve of `bars` bars (pushed or skipped as flat).
    pub(crate) fn finish(
        &self,
        bars: usize,
        periods_per_year: f64,
        trades: &TradeStats,
    ) -> Metrics {
        let trade_count = trades.closed;
        let count = bars as f64;
        let mean = self.sum / count;
        let mut sq = 0.0;
        for &r in &self.returns[..self.count] {
            let d = r - mean;
            sq += d * d;
        }
        sq += (bars - self.count) as f64 * (mean * mean);
        let ann = periods_per_year.sqrt();
        let std = if bars >= 2 {
            (sq / (count - 1.0)).sqrt()
        } else {
            f64::NAN
        };
        let total_return = self.prev / self.initial_capital - 1.0;
        let downside = (self.downside_sq / count).sqrt();
        let annualized_return = (1.0 + total_return).powf(periods_per_year / count) - 1.0;
        let below = self.below_since.map_or(0, |start| bars - start);
        let any = trade_count > 0;
        Metrics {
            total_return,
            annualized_return,
            volatility: std * ann,
            sharpe_ratio: (bars >= 2 && std > 0.0).then(|| mean / std * ann),
            sortino_ratio: (downside > 0.0).then(|| mean / downside * ann),
            max_drawdown: self.max_drawdown,
            trade_count,
            win_rate: if trade_count == 0 {
                0.0
            } else {
                trades.wins as f64 / trade_count as f64 * 100.0
            },
            buy_and_hold_return: 0.0,
            exposure: self.exposed_bars as f64 / count,
            profit_factor: (trades.gross_loss > 0.0)
                .then(|| trades.gross_profit / trades.gross_loss),
            expectancy: any.then(|| trades.pnl_sum / trade_count as f64),
            best_trade: any.then_some(trades.best),
            worst_trade: any.then_some(trades.worst),
            max_drawdown_duration: self.max_drawdown_duration.max(below),
            calmar_ratio: (self.max_drawdown > 0.0).then(|| annualized_return / self.max_drawdown),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_checked() {
        // Returns: 0.1, -0.1, 0.1 from 100.
        let equity = [110.0, 99.0, 108.9];
        let m = compute(&equity, 100.0, 252.0, 2, 1);
        let r = [0.1f64, 99.0 / 110.0 - 1.0, 108.9 / 99.0 - 1.0];
        let mean = r.iter().sum::<f64>() / 3.0;
        let std = (r.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / 2.0).sqrt();
        assert!((m.total_return - 0.089).abs() < 1e-12);
        assert!((m.max_drawdown - 0.1).abs() < 1e-12);
        assert!((m.volatility - std * 252f64.sqrt()).abs() < 1e-12);
        assert!((m.sharpe_ratio.unwrap() - mean / std * 252f64.sqrt()).abs() < 1e-9);
        let dd = (r[1] * r[1] / 3.0).sqrt();
        assert!((m.sortino_ratio.unwrap() - mean / dd * 252f64.sqrt()).abs() < 1e-9);
        assert_eq!(m.win_rate, 50.0);
    }

    #[test]
    fn flat_curve_has_no_ratios() {
        let m = compute(&[100.0; 10], 100.0, 252.0, 0, 0);
        assert_eq!(m.total_return, 0.0);
        assert_eq!(m.volatility, 0.0);
        assert_eq!(m.sharpe_ratio, None);
        assert_eq!(m.sortino_ratio, None);
        assert_eq!(m.max_drawdown, 0.0);
        assert_eq!(m.win_rate, 0.0);
    }
}
