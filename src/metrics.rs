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
    let mut buffer = equity.to_vec();
    compute_in_place(
        &mut buffer,
        initial_capital,
        periods_per_year,
        trade_count,
        wins,
    )
}

/// [`compute`] on a buffer holding the equity curve, which it overwrites with the non-zero
/// per-bar returns (the grid's workers reuse one buffer for every pair). Bars where equity does
/// not change (flat, out of the market) cost nothing: their return is exactly 0, their drawdown
/// equals the last bar's, and the variance adds their squared deviations as one product, as
/// docs/CONVENTIONS.md defines it.
pub fn compute_in_place(
    buffer: &mut [f64],
    initial_capital: f64,
    periods_per_year: f64,
    trade_count: usize,
    wins: usize,
) -> Metrics {
    let n = buffer.len();
    let mut prev = initial_capital;
    let mut sum = 0.0;
    let mut downside_sq = 0.0;
    let mut peak = buffer[0];
    let mut max_drawdown = 0.0f64;
    // Non-zero returns are packed at the front of the buffer (never ahead of the reading
    // position); zero returns are only counted.
    let mut nonzero = 0usize;
    for t in 0..n {
        let e = buffer[t];
        if e == prev {
            // r = 0 exactly; equity unchanged, so the peak and drawdown are as on the last bar
            // (on bar 0, peak = e[0]).
            continue;
        }
        let r = e / prev - 1.0;
        buffer[nonzero] = r;
        nonzero += 1;
        sum += r;
        if r < 0.0 {
            downside_sq += r * r;
        }
        prev = e;
        if e >= peak {
            peak = e;
        } else {
            let drawdown = 1.0 - e / peak;
            if drawdown > max_drawdown {
                max_drawdown = drawdown;
            }
        }
    }
    let count = n as f64;
    let mean = sum / count;
    let mut sq = 0.0;
    for &r in &buffer[..nonzero] {
        let d = r - mean;
        sq += d * d;
    }
    sq += (n - nonzero) as f64 * (mean * mean);
    let ann = periods_per_year.sqrt();
    let std = if n >= 2 {
        (sq / (count - 1.0)).sqrt()
    } else {
        f64::NAN
    };
    let total_return = prev / initial_capital - 1.0;
    let downside = (downside_sq / count).sqrt();
    Metrics {
        total_return,
        annualized_return: (1.0 + total_return).powf(periods_per_year / count) - 1.0,
        volatility: std * ann,
        sharpe_ratio: (n >= 2 && std > 0.0).then(|| mean / std * ann),
        sortino_ratio: (downside > 0.0).then(|| mean / downside * ann),
        max_drawdown,
        trade_count,
        win_rate: if trade_count == 0 {
            0.0
        } else {
            wins as f64 / trade_count as f64 * 100.0
        },
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
