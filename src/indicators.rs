//! Simple moving average, computed the one way every engine computes it (docs/CONVENTIONS.md).

/// Neumaier's compensated running sum: accurate over long series, and the same operations in
/// every engine.
#[derive(Default)]
struct CompensatedSum {
    sum: f64,
    compensation: f64,
}

impl CompensatedSum {
    #[inline(always)]
    fn add(&mut self, x: f64) {
        let t = self.sum + x;
        if self.sum.abs() >= x.abs() {
            self.compensation += (self.sum - t) + x;
        } else {
            self.compensation += (x - t) + self.sum;
        }
        self.sum = t;
    }

    #[inline(always)]
    fn value(&self) -> f64 {
        self.sum + self.compensation
    }
}

/// Writes `sma_period` of `close` into `out` (resized to `close.len()`); entries before
/// `period - 1` are NaN. A window of equal prices gives exactly that price.
pub fn sma_into(close: &[f64], period: usize, out: &mut Vec<f64>) {
    assert!(period >= 1, "period must be >= 1");
    out.clear();
    out.resize(close.len(), f64::NAN);
    let mut sum = CompensatedSum::default();
    let divisor = period as f64;
    let mut run = 0usize;
    for t in 0..close.len() {
        let x = close[t];
        run = if t > 0 && x == close[t - 1] {
            run + 1
        } else {
            1
        };
        sum.add(x);
        if t >= period {
            sum.add(-close[t - period]);
        }
        if t + 1 >= period {
            out[t] = if run >= period {
                x
            } else {
                sum.value() / divisor
            };
        }
    }
}

/// The simple moving average of `close` over `period` bars (NaN before it is defined).
pub fn sma(close: &[f64], period: usize) -> Vec<f64> {
    let mut out = Vec::new();
    sma_into(close, period, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_exact_mean() {
        let close: Vec<f64> = (0..500)
            .map(|i| 100.0 + ((i * 37) % 17) as f64 * 0.37)
            .collect();
        for p in [1, 2, 7, 50, 500] {
            let s = sma(&close, p);
            for t in 0..close.len() {
                if t + 1 < p {
                    assert!(s[t].is_nan());
                } else {
                    let exact: f64 = close[t + 1 - p..=t].iter().sum::<f64>() / p as f64;
                    assert!((s[t] - exact).abs() <= 1e-12 * exact, "p={p} t={t}");
                }
            }
        }
    }

    #[test]
    fn flat_window_is_exact() {
        let mut close = vec![100.1, 100.3, 99.7];
        close.extend(std::iter::repeat_n(100.1, 50));
        let s3 = sma(&close, 3);
        let s20 = sma(&close, 20);
        assert_eq!(s3[52], 100.1);
        assert_eq!(s20[52], 100.1);
        assert_eq!(s3[52], s20[52]);
    }
}
