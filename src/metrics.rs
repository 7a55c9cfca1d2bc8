//! Performance metrics of an equity curve (docs/CONVENTIONS.md, "Metrics").

/// The metrics of one backtest. Fractions unless the name says otherwise.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Metrics {
    /// `e[N-1] / initial_capital - 1` (0.12 is 12 %).
    pub total_return: f64,
    /// `(1 + total_return) ^ (periods_per_year / N) - 1`.
    pub annualized_return: f64,
    /// Sample standard deviation of per-bar returns, annualised.
    pub volatility: f64,
    /// Annualised mean / std of per-bar returns; `None` when the std is 0.
    pub sharpe_ratio: Option<f64>,
    /// Annualised mean / downside deviation; `None` when no return is negative.
    pub sortino_ratio: Option<f64>,
    /// Largest peak-to-trough fall, in `[0, 1]`.
    pub max_drawdown: f64,
    /// Closed trades.
    pub trade_count: usize,
    /// Percent (0 to 100) of closed trades with `pnl > 0`.
    pub win_rate: f64,
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
    for &e in equity {
        acc.push(e);
    }
    acc.finish(equity.len(), periods_per_year, trade_count, wins)
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
    initial_capital: f64,
}

impl<'a> MetricsAccumulator<'a> {
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
            initial_capital,
        }
    }

    #[inline(always)]
    pub(crate) fn push(&mut self, e: f64) {
        if e == self.prev {
            return;
        }
        let r = e / self.prev - 1.0;
        self.returns[self.count] = r;
        self.count += 1;
        self.sum += r;
        if r < 0.0 {
            self.downside_sq += r * r;
        }
        self.prev = e;
        if e >= self.peak {
            self.peak = e;
        } else {
            let drawdown = 1.0 - e / self.peak;
            if drawdown > self.max_drawdown {
                self.max_drawdown = drawdown;
            }
        }
    }

    /// The metrics of a curve of `bars` bars (pushed or skipped as flat).
    pub(crate) fn finish(
        self,
        bars: usize,
        periods_per_year: f64,
        trade_count: usize,
        wins: usize,
    ) -> Metrics {
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
        Metrics {
            total_return,
            annualized_return: (1.0 + total_return).powf(periods_per_year / count) - 1.0,
            volatility: std * ann,
            sharpe_ratio: (bars >= 2 && std > 0.0).then(|| mean / std * ann),
            sortino_ratio: (downside > 0.0).then(|| mean / downside * ann),
            max_drawdown: self.max_drawdown,
            trade_count,
            win_rate: if trade_count == 0 {
                0.0
            } else {
                wins as f64 / trade_count as f64 * 100.0
            },
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
