//! Simple moving average, computed the one way every engine computes it (docs/CONVENTIONS.md).

use std::collections::VecDeque;

/// Neumaier's compensated running sum: accurate over long series, and the same operations in
/// every engine.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
struct CompensatedSum {
    #[serde(with = "crate::state_json::float")]
    sum: f64,
    #[serde(with = "crate::state_json::float")]
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
/// `period - 1` are NaN (counted from the first non-NaN value: leading NaNs are skipped). A
/// window of equal prices gives exactly that price. The same operations as [`Sma::update`].
pub fn sma_into(close: &[f64], period: usize, out: &mut Vec<f64>) {
    assert!(period >= 1, "period must be >= 1");
    out.clear();
    out.resize(close.len(), f64::NAN);
    let start = close
        .iter()
        .position(|x| !x.is_nan())
        .unwrap_or(close.len());
    let close = &close[start..];
    let out = &mut out[start..];
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

/// The streaming SMA: after k updates, `update` has returned exactly `sma(values, period)`'s
/// first k values.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Sma {
    period: usize,
    #[serde(with = "crate::state_json::float")]
    divisor: f64,
    #[serde(with = "crate::state_json::floats")]
    window: VecDeque<f64>,
    sum: CompensatedSum,
    /// The length of the run of equal values ending at the last one.
    run: usize,
    seen: usize,
}

impl Sma {
    pub fn new(period: usize) -> Self {
        debug_assert!(period >= 1);
        Sma {
            period,
            divisor: period as f64,
            window: VecDeque::new(),
            sum: CompensatedSum::default(),
            run: 0,
            seen: 0,
        }
    }

    pub fn update(&mut self, x: f64) -> f64 {
        if self.seen == 0 && x.is_nan() {
            return f64::NAN;
        }
        self.run = match self.window.back() {
            Some(&prev) if x == prev => self.run + 1,
            _ => 1,
        };
        self.sum.add(x);
        self.window.push_back(x);
        if self.window.len() > self.period {
            let leaving = self.window.pop_front().unwrap_or(f64::NAN);
            self.sum.add(-leaving);
        }
        self.seen += 1;
        if self.seen < self.period {
            f64::NAN
        } else if self.run >= self.period {
            x
        } else {
            self.sum.value() / self.divisor
        }
    }
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

    use crate::indicators::test_support::{assert_same_bits, first_valid, series};

    #[test]
    fn streaming_equals_batch() {
        let mut x = series(3000, 7);
        x[..5].fill(f64::NAN);
        for p in [1, 2, 3, 14, 50, 200, 2995, 2996, 5000] {
            let mut state = Sma::new(p);
            let streamed: Vec<f64> = x.iter().map(|&v| state.update(v)).collect();
            let batch = sma(&x, p);
            assert_same_bits(&streamed, &batch, &format!("sma p={p}"));
            assert_eq!(first_valid(&batch), (5 + p - 1).min(x.len()), "p={p}");
        }
    }

    #[test]
    fn hand_checked() {
        let s = sma(&[1.0, 2.0, 3.0, 4.0], 2);
        assert!(s[0].is_nan());
        assert_eq!(&s[1..], &[1.5, 2.5, 3.5]);
        assert_eq!(sma(&[1.0, 2.0, 3.0], 3)[2], 2.0);
        assert!(sma(&[1.0, 2.0, 3.0], 4).iter().all(|v| v.is_nan()));
        assert_eq!(sma(&[1.0, 2.0, 3.0], 1), vec![1.0, 2.0, 3.0]);
        assert!(sma(&[f64::NAN; 3], 1).iter().all(|v| v.is_nan()));
    }
}
